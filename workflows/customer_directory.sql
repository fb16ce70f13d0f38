-- customer_directory: the ERP's customers with an email, read into o2c.customer_link (migration
-- 0020, sql/api/customer_link.sql), so a shopper with no link is known to be new to the ERP and
-- order_to_cash creates the customer without asking the ERP for the email first. One perpetual
-- instance per ERP connection:
--   select o2c.start('customer_directory', 'customers:netsuite', '{"poll_interval_ms": 900000}');
--   read    customers after context.after_id by internal id, SuiteQL pages of 1,000, up to 5,000 a
--           round (connectors/netsuite/netsuite_customers.c)
--   record  the links (an email already linked keeps its link); the directory complete as of now
--           once a round reached the end; the next round at once while there is more, else after
--           poll_interval_ms, reading only the customers made since
-- It runs on the orders lane: the directory is part of posting orders, and by id a round after
-- the first reads a handful of rows.
select o2c.define_workflow('customer_directory', $spec$
{
  "initial": "read",
  "states": {
    "read": {
      "description": "read the ERP customers made since the last round (all, the first time)",
      "action": "netsuite.read_customers", "lane": "orders", "connection": "netsuite", "owner": "engineering",
      "retry": {"max_attempts": 200, "base_ms": 2000, "cap_ms": 300000},
      "on": {"ok": "record"}
    },
    "record": {
      "description": "remember each customer's email as a link; the directory complete as of now at the end",
      "action": "sql.record_customer_directory", "lane": "orders", "owner": "engineering",
      "params": {"erp_connection": "netsuite"},
      "on": {"ok": "read"}
    }
  }
}
$spec$::jsonb);
