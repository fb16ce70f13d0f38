-- fulfilment_to_storefront: one ERP fulfilment (a NetSuite item fulfilment, a Sage 200 despatch)
-- becomes one completed Centra shipment, and the shopper is told once. Started by
-- netsuite_fulfilment_poll with business key netsuite:fulfilment:<id> and input
-- {"fulfilment_id", "sales_order_id", "netsuite_at"}, and by sage200_despatch_poll with
-- sage200:despatch:<id> and {"erp": "sage200", "despatch_id", "sales_order_id", …}. Each ERP
-- reads and maps its own document to the canonical fulfilment (o2c.record_erp_fulfilment); the
-- ship and record states are the same for every ERP.
--
--   source            which ERP's document this is (context.erp; NetSuite when absent)
--   read_fulfilment   the fulfilment with its lines, carrier and parcels (GET itemFulfillment)
--   map               NetSuite lines → the Centra order's lines through the canonical order
--                     (sql/api/fulfilment.sql); a sales order not linked by internal id is read
--                     (read_sales_order) and matched by external id; one o2c did not post ends
--                     in not_ours
--   read_despatch     Sage 200: the despatch view row with its line rows (sage200.read_despatch)
--   map_despatch      Sage 200 despatch lines → the Centra order's lines through the canonical
--                     order (courier as carrier, consignment number as tracking)
--   ship              centra.ship_fulfilment: finds the shipment an earlier run made (completing it
--                     if it is not shipped yet), else creates it shipped with carrier, service,
--                     tracking and shipped time; the notification rides on the one act that ships
--                     it (connectors/centra/centra_shipments.c).
--                     Centra refusing (order cancelled, more units than ordered) is an exception
--                     for CX with Centra's words.
--   record            the shipment and its notification time (o2c.fulfilment_latency)

select o2c.define_workflow('fulfilment_to_storefront', $spec$
{
  "initial": "source",
  "states": {
    "source": {
      "description": "which ERP the fulfilment comes from",
      "action": "sql.fulfilment_source", "lane": "fulfilment", "owner": "engineering",
      "on": {"netsuite": "read_fulfilment", "sage200": "read_despatch"}
    },
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
    "read_despatch": {
      "description": "read the Sage 200 despatch with its lines",
      "action": "sage200.read_despatch", "lane": "fulfilment", "connection": "sage200", "owner": "ops",
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "on": {"ok": "map_despatch", "not_found": "deleted_in_erp"}
    },
    "map_despatch": {
      "description": "Sage 200 despatch lines → Centra order lines via the canonical order",
      "action": "sql.map_despatch_storefront", "lane": "fulfilment", "owner": "ops",
      "on": {"ok": "ship", "not_ours": "not_ours"}
    },
    "ship": {
      "description": "the Centra shipment, created once and completed with tracking; the shopper told once",
      "action": "centra.ship_fulfilment", "lane": "fulfilment", "connection": "centra", "owner": "cx",
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "redrive_from": "source",
      "on": {"ok": "record"}
    },
    "record": {
      "description": "remember the shipment and when the shopper was told",
      "action": "sql.record_storefront_shipment", "lane": "fulfilment", "owner": "engineering",
      "on": {"ok": "shown_in_storefront"}
    },
    "shown_in_storefront": {"terminal": true, "description": "the shopper sees the shipment and was told once"},
    "not_ours": {"terminal": true, "description": "a fulfilment of a sales order o2c did not post"},
    "deleted_in_netsuite": {"terminal": true, "description": "the fulfilment was deleted before it was read"},
    "deleted_in_erp": {"terminal": true, "description": "the despatch was gone from the ERP before it was read"}
  }
}
$spec$::jsonb);
