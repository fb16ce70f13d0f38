-- inventory_drift_sage200: inventory_drift (workflows/inventory_drift.sql) with Sage 200 as the
-- ERP: every warehouse holding (sage200.read_stock, full) recorded as canonical stock levels,
-- every level of the mapped Centra warehouses read, and o2c.inventory_drift lists what differs
-- from the formula. Started by a schedule:
--   select o2c.schedule('inventory_drift_sage200', '@hourly', 'UTC', 'inventory_drift_sage200', '{}');
select o2c.define_workflow('inventory_drift_sage200', $spec$
{
  "initial": "read_erp",
  "states": {
    "read_erp": {
      "description": "read every Sage 200 warehouse holding",
      "action": "sage200.read_stock", "lane": "inventory", "connection": "sage200", "owner": "engineering",
      "params": {"full": "true", "page_size": "1000"},
      "retry": {"max_attempts": 20, "base_ms": 1000, "cap_ms": 60000},
      "on": {"ok": "record_erp"}
    },
    "record_erp": {
      "description": "record them as canonical stock levels",
      "action": "sql.stock_record", "lane": "inventory", "owner": "ops",
      "params": {"storefront_connection": "centra", "erp_connection": "sage200", "record_only": true},
      "on": {"ok": "plan"}
    },
    "plan": {
      "description": "the Centra warehouses to read",
      "action": "sql.stock_drift_plan", "lane": "inventory", "owner": "engineering",
      "params": {"storefront_connection": "centra", "erp_connection": "sage200"},
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
