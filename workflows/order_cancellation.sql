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
--   plan         once posted: a whole cancellation closes the order; a partial one changes only
--                the lines it touches (change_lines): a line with no units left is closed, a line
--                with fewer units gets its new quantity and amounts, a discount line shrinks with
--                what it discounted; the rest is never touched. A line the posted order did not
--                have is an exception for ops (order_changed_after_posting)
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
      "on": {"whole": "close", "lines": "change_lines", "nothing": "nothing_to_close"}
    },
    "change_lines": {
      "description": "close or change only the NetSuite lines the store changed",
      "action": "netsuite.change_sales_order_lines", "lane": "orders", "connection": "netsuite", "owner": "ops",
      "params": {"external_id_key": "sales_order_external_id", "changes_key": "line_changes"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "on": {"ok": "lines_changed", "not_found": "not_in_erp"}
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
    "lines_changed": {"terminal": true, "description": "the lines the store changed are closed or changed in NetSuite, the rest stays as it was"},
    "nothing_to_close": {"terminal": true, "description": "NetSuite's lines already say what the store says (the units cancelled had never been posted)"},
    "not_posted": {"terminal": true, "description": "cancelled before it reached NetSuite"},
    "not_in_erp": {"terminal": true, "description": "the sales order had been deleted in NetSuite"}
  }
}
$spec$::jsonb);
