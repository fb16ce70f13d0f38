-- order_cancellation: a Centra order cancelled (wholly, or units of it) is never ignored.
-- Started by centra.poll_orders with business key centra:<store>:<number>:cancel.
--
--   await_order  waits for the order's order_to_cash workflow to settle: posted → close it;
--                not posted by o2c → ask the ERP (ask_erp); still running or in an exception →
--                ask again later, since a re-drive may still post it.
--   ask_erp      o2c's word "not posted" is not the ERP's: a sales order PUT that reached NetSuite
--                but whose answer was lost, then an exception and a re-drive after the
--                cancellation, leaves a sales order o2c never heard of. It is read by external id
--                and closed if it is there; only a 404 ends in not_posted.
--   plan         once posted: a whole cancellation closes the order; a partial one closes only
--                the lines with no units left (close_lines), never the rest; fewer units on a line,
--                or a discounted line cancelled, is an exception for ops (partial_cancellation)
--                (sql/api/order_cancellation.sql).
--   close        closes the NetSuite sales order's lines; lines already shipped stop it as an
--                exception for ops (stop the shipment or book a return), never silently.

select o2c.define_workflow('order_cancellation', $spec$
{
  "initial": "await_order",
  "states": {
    "await_order": {
      "description": "has order_to_cash posted the sales order?",
      "action": "sql.order_posting_status", "lane": "orders", "owner": "ops",
      "params": {"workflow": "order_to_cash", "wait_ms": 600000},
      "on": {"posted": "plan", "not_posted": "ask_erp", "waiting": "await_order"}
    },
    "plan": {
      "description": "the whole order, some lines, or nothing to close?",
      "action": "sql.plan_order_cancellation", "lane": "orders", "owner": "ops",
      "params": {"storefront_connection": "centra", "erp_connection": "netsuite"},
      "on": {"whole": "close", "lines": "close_lines", "nothing": "nothing_to_close"}
    },
    "close_lines": {
      "description": "close only the NetSuite lines with no units left",
      "action": "netsuite.close_sales_order", "lane": "orders", "connection": "netsuite", "owner": "ops",
      "params": {"external_id_key": "sales_order_external_id", "lines_key": "close_lines"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "on": {"ok": "lines_closed", "not_found": "not_in_erp"}
    },
    "ask_erp": {
      "description": "is a sales order in NetSuite after all? close it if so",
      "action": "netsuite.close_sales_order", "lane": "orders", "connection": "netsuite", "owner": "ops",
      "params": {"external_id_key": "sales_order_external_id"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "on": {"ok": "closed", "not_found": "not_posted"}
    },
    "close": {
      "description": "close the NetSuite sales order",
      "action": "netsuite.close_sales_order", "lane": "orders", "connection": "netsuite", "owner": "ops",
      "params": {"external_id_key": "sales_order_external_id"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "on": {"ok": "closed", "not_found": "not_in_erp"}
    },
    "closed": {"terminal": true, "description": "the sales order is closed in NetSuite"},
    "lines_closed": {"terminal": true, "description": "the cancelled lines are closed in NetSuite, the rest stays open"},
    "nothing_to_close": {"terminal": true, "description": "the units cancelled had never been posted"},
    "not_posted": {"terminal": true, "description": "cancelled before it reached NetSuite"},
    "not_in_erp": {"terminal": true, "description": "the sales order had been deleted in NetSuite"}
  }
}
$spec$::jsonb);
