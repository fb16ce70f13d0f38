-- inventory_sync: NetSuite stock per location → Centra stock per warehouse, perpetual, one
-- instance per pair of connections, on the inventory lane (ahead of orders and finance):
--   select o2c.start('inventory_sync', 'inventory:centra:netsuite', '{"poll_interval_ms": 5000}');
-- A single business key means a single writer: two instances never race each other's setStock.
--
--   read     NetSuite's stock rows changed since context.cursor (SuiteQL on inventoryitemlocations,
--            lastquantityavailablechange; the last second is read again, so a change in the same
--            second as the cursor is never skipped) → context.levels, read_at.
--   record   (sql/api/inventory.sql) the levels become canonical stock levels (never over a newer
--            one), and the formula's level of every SKU × warehouse that differs from what Centra
--            was last sent goes into setStock inputs, recently sold SKUs first, many per mutation.
--   push     the setStock mutations (absolute levels: sending one again is harmless).
--   confirm  the levels are recorded as sent (never over a newer one), the warehouses' sync time
--            stamped; the next round after the poll interval.
-- A Centra userError (an unknown variant or size) stops the flow as an exception for ops.

select o2c.define_workflow('inventory_sync', $spec$
{
  "initial": "read",
  "states": {
    "read": {
      "description": "read NetSuite stock rows changed since the cursor",
      "action": "netsuite.read_stock", "lane": "inventory", "connection": "netsuite", "owner": "engineering",
      "retry": {"max_attempts": 200, "base_ms": 1000, "cap_ms": 60000},
      "on": {"ok": "record"}
    },
    "record": {
      "description": "record canonical stock levels; the formula's changed levels become setStock inputs",
      "action": "sql.stock_record", "lane": "inventory", "owner": "ops",
      "params": {"storefront_connection": "centra", "erp_connection": "netsuite", "max_levels": 500, "per_mutation": 200},
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
      "params": {"storefront_connection": "centra", "erp_connection": "netsuite"},
      "on": {"ok": "read"}
    }
  }
}
$spec$::jsonb);
