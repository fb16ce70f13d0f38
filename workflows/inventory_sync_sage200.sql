-- inventory_sync_sage200: inventory_sync (workflows/inventory_sync.sql) with Sage 200 as the ERP:
-- warehouse holdings per product and warehouse → Centra stock per warehouse, perpetual, one
-- instance per pair of connections, on the inventory lane:
--   select o2c.start('inventory_sync_sage200', 'inventory:centra:sage200', '{"poll_interval_ms": 5000}');
-- Only the read differs; the record, push and confirm steps are the same SQL and Centra actions
-- with erp_connection 'sage200' (the formula, buffers, as-of guard and deltas of
-- sql/api/inventory.sql; Sage warehouses map to Centra warehouses in o2c.warehouse_map).
--   read     sage200.read_stock: holdings whose date_time_updated is at or after context.cursor
--            (OData $filter/$orderby/$top/$skip, every page) → context.levels, read_at; on hand
--            is confirmed_qty_in_stock, committed quantity_allocated + quantity_reserved.
-- One writer per Centra warehouse: a warehouse fed by Sage 200 must not also be fed by the
-- NetSuite instance (o2c.stock_sent is kept per storefront warehouse).

select o2c.define_workflow('inventory_sync_sage200', $spec$
{
  "initial": "read",
  "states": {
    "read": {
      "description": "read Sage 200 warehouse holdings changed since the cursor",
      "action": "sage200.read_stock", "lane": "inventory", "connection": "sage200", "owner": "engineering",
      "params": {"page_size": "1000"},
      "retry": {"max_attempts": 200, "base_ms": 1000, "cap_ms": 60000},
      "on": {"ok": "record"}
    },
    "record": {
      "description": "record canonical stock levels; the formula's changed levels become setStock inputs",
      "action": "sql.stock_record", "lane": "inventory", "owner": "ops",
      "params": {"storefront_connection": "centra", "erp_connection": "sage200", "max_levels": 500, "per_mutation": 200},
      "on": {"push": "push", "idle": "confirm"}
    },
    "push": {
      "description": "setStock in Centra, many SKUs per mutation",
      "action": "centra.set_stock", "lane": "inventory", "connection": "centra", "owner": "ops",
      "retry": {"max_attempts": 50, "base_ms": 500, "cap_ms": 30000},
      "redrive_from": "record",
      "on": {"ok": "confirm"}
    },
    "confirm": {
      "description": "record what Centra now has; wait for the next round",
      "action": "sql.stock_confirm", "lane": "inventory", "owner": "engineering",
      "params": {"storefront_connection": "centra", "erp_connection": "sage200"},
      "on": {"ok": "read"}
    }
  }
}
$spec$::jsonb);
