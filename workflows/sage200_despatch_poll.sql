-- sage200_despatch_poll: one round of reading Sage 200's despatches, started by a schedule
-- (every 15 minutes):
--   select o2c.schedule('sage200_despatches', '*/15 * * * *', 'UTC', 'sage200_despatch_poll', '{}');
-- A round reads the cursor (the newest despatch id started, sql/api/fulfilment.sql), reads the
-- despatches after it from sop_order_despatch_views (from 100 ids below it: one committed late
-- with a lower id is not missed) and starts one fulfilment_to_storefront per despatch (business
-- key sage200:despatch:<id>), then saves the cursor. A crash before the save
-- makes the next round read the same despatches again, which starts nothing twice (o2c.start is
-- idempotent on the key). Tests start one with {"repeat_ms": 200}: it then loops instead of ending.

select o2c.define_workflow('sage200_despatch_poll', $spec$
{
  "initial": "cursor",
  "states": {
    "cursor": {
      "description": "the newest despatch the last round started",
      "action": "sql.fulfilment_cursor", "lane": "fulfilment", "owner": "engineering",
      "params": {"erp_connection": "sage200"},
      "on": {"ok": "read"}
    },
    "read": {
      "description": "read Sage 200 despatches after the cursor; start one fulfilment_to_storefront each",
      "action": "sage200.poll_despatches", "lane": "fulfilment", "connection": "sage200", "owner": "engineering",
      "params": {"child_workflow": "fulfilment_to_storefront"},
      "retry": {"max_attempts": 30, "base_ms": 1000, "cap_ms": 60000},
      "lock": {"max_attempts": 20, "delay_ms": 1000},
      "redrive_from": "cursor",
      "on": {"ok": "save"}
    },
    "save": {
      "description": "move the cursor to the newest despatch seen",
      "action": "sql.save_fulfilment_cursor", "lane": "fulfilment", "owner": "engineering",
      "params": {"erp_connection": "sage200"},
      "on": {"ok": "done", "again": "cursor"}
    },
    "done": {"terminal": true, "description": "the round is over"}
  }
}
$spec$::jsonb);
