-- fulfilment_to_storefront: one NetSuite item fulfilment becomes one completed Centra shipment,
-- and the shopper is told once. Started by netsuite_fulfilment_poll with business key
-- netsuite:fulfilment:<id> and input {"fulfilment_id", "sales_order_id", "netsuite_at"}.
--
--   read_fulfilment   the fulfilment with its lines, carrier and parcels (GET itemFulfillment)
--   map               NetSuite lines → the Centra order's lines through the canonical order
--                     (sql/api/fulfilment.sql); a sales order not linked by internal id is read
--                     (read_sales_order) and matched by external id; one o2c did not post ends
--                     in not_ours
--   ship              centra.ship_fulfilment: finds the shipment an earlier run made (completing it
--                     if it is not shipped yet), else creates it shipped with carrier, service,
--                     tracking and shipped time; the notification rides on the one act that ships
--                     it (connectors/centra/centra_shipments.c).
--                     Centra refusing (order cancelled, more units than ordered) is an exception
--                     for CX with Centra's words.
--   record            the shipment and its notification time (o2c.fulfilment_latency)

select o2c.define_workflow('fulfilment_to_storefront', $spec$
{
  "initial": "read_fulfilment",
  "states": {
    "read_fulfilment": {
      "description": "read the NetSuite item fulfilment",
      "action": "netsuite.get_record", "lane": "fulfilment", "connection": "netsuite", "owner": "ops",
      "params": {"type": "itemFulfillment", "id_key": "fulfilment_id", "result_key": "fulfilment"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "on": {"ok": "map", "not_found": "deleted_in_netsuite"}
    },
    "map": {
      "description": "NetSuite fulfilment lines → Centra order lines via the canonical order",
      "action": "sql.map_fulfilment_storefront", "lane": "fulfilment", "owner": "ops",
      "on": {"ok": "ship", "unknown_order": "read_sales_order", "not_ours": "not_ours"}
    },
    "read_sales_order": {
      "description": "read the sales order the fulfilment came from, to match it by external id",
      "action": "netsuite.get_record", "lane": "fulfilment", "connection": "netsuite", "owner": "ops",
      "params": {"type": "salesOrder", "id_key": "sales_order_id", "result_key": "sales_order"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "on": {"ok": "map", "not_found": "not_ours"}
    },
    "ship": {
      "description": "the Centra shipment, created once and completed with tracking; the shopper told once",
      "action": "centra.ship_fulfilment", "lane": "fulfilment", "connection": "centra", "owner": "cx",
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "redrive_from": "map",
      "on": {"ok": "record"}
    },
    "record": {
      "description": "remember the shipment and when the shopper was told",
      "action": "sql.record_storefront_shipment", "lane": "fulfilment", "owner": "engineering",
      "on": {"ok": "shown_in_storefront"}
    },
    "shown_in_storefront": {"terminal": true, "description": "the shopper sees the shipment and was told once"},
    "not_ours": {"terminal": true, "description": "a fulfilment of a sales order o2c did not post"},
    "deleted_in_netsuite": {"terminal": true, "description": "the fulfilment was deleted before it was read"}
  }
}
$spec$::jsonb);
