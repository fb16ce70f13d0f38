-- inventory_drift: one full comparison of NetSuite's stock with Centra's, started by a schedule
-- (hourly by default):
--   select o2c.schedule('inventory_drift', '@hourly', 'UTC', 'inventory_drift', '{}');
--   read_erp     every NetSuite stock row (netsuite.read_stock, full)
--   record_erp   recorded as canonical stock levels (never over a newer one), nothing sent
--   plan         the Centra warehouses to read (o2c.warehouse_map)
--   read_centra  every level of those warehouses (centra.read_stock, warehouseStock pages)
--   observe      recorded in o2c.stock_observed; o2c.inventory_drift lists what differs from the
--                formula, with the SQL that pushes a correction.
select o2c.define_workflow('inventory_drift', $spec$
{
  "initial": "read_erp",
  "states": {
    "read_erp": {
      "description": "read every NetSuite stock row",
      "action": "netsuite.read_stock", "lane": "inventory", "connection": "netsuite", "owner": "engineering",
      "params": {"full": "true"},
      "retry": {"max_attempts": 20, "base_ms": 1000, "cap_ms": 60000},
      "on": {"ok": "record_erp"}
    },
    "record_erp": {
      "description": "record them as canonical stock levels",
      "action": "sql.stock_record", "lane": "inventory", "owner": "ops",
      "params": {"storefront_connection": "centra", "erp_connection": "netsuite", "record_only": true},
      "on": {"ok": "plan"}
    },
    "plan": {
      "description": "the Centra warehouses to read",
      "action": "sql.stock_drift_plan", "lane": "inventory", "owner": "engineering",
      "params": {"storefront_connection": "centra", "erp_connection": "netsuite"},
      "on": {"ok": "read_centra"}
    },
    "read_centra": {
      "description": "read every level of those Centra warehouses",
      "action": "centra.read_stock", "lane": "inventory", "connection": "centra", "owner": "engineering",
      "retry": {"max_attempts": 20, "base_ms": 1000, "cap_ms": 60000},
      "on": {"ok": "observe"}
    },
    "observe": {
      "description": "record Centra's levels; o2c.inventory_drift shows what differs",
      "action": "sql.stock_observe", "lane": "inventory", "owner": "ops",
      "params": {"storefront_connection": "centra"},
      "on": {"ok": "compared"}
    },
    "compared": {"terminal": true, "description": "Centra's levels compared with the formula"}
  }
}
$spec$::jsonb);
