-- netsuite_fulfilment_poll: one round of reading NetSuite's item fulfilments, started by a schedule
-- (every 15 minutes):
--   select o2c.schedule('netsuite_fulfilments', '*/15 * * * *', 'UTC', 'netsuite_fulfilment_poll', '{}');
-- A round reads the cursor (sql/api/fulfilment.sql), reads the shipped fulfilments modified since
-- then and starts one fulfilment_to_storefront per fulfilment (business key
-- netsuite:fulfilment:<id>), then saves the cursor. A crash before the save makes the next round
-- read the same fulfilments again, which starts nothing twice (o2c.start is idempotent on the key).
-- Tests and the demo start one with {"repeat_ms": 200}: it then loops instead of ending.

select o2c.define_workflow('netsuite_fulfilment_poll', $spec$
{
  "initial": "cursor",
  "states": {
    "cursor": {
      "description": "where the last round ended",
      "action": "sql.fulfilment_cursor", "lane": "fulfilment", "owner": "engineering",
      "on": {"ok": "read"}
    },
    "read": {
      "description": "read shipped NetSuite item fulfilments since the cursor; start one workflow each",
      "action": "netsuite.poll_fulfilments", "lane": "fulfilment", "connection": "netsuite", "owner": "engineering",
      "params": {"child_workflow": "fulfilment_to_storefront"},
      "retry": {"max_attempts": 30, "base_ms": 1000, "cap_ms": 60000},
      "redrive_from": "cursor",
      "on": {"ok": "save"}
    },
    "save": {
      "description": "move the cursor to the newest fulfilment seen",
      "action": "sql.save_fulfilment_cursor", "lane": "fulfilment", "owner": "engineering",
      "on": {"ok": "done", "again": "cursor"}
    },
    "done": {"terminal": true, "description": "the round is over"}
  }
}
$spec$::jsonb);
