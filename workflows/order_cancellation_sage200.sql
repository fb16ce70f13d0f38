-- order_cancellation_sage200: order_cancellation (workflows/order_cancellation.sql) with Sage 200
-- as the ERP. Started by the Centra poller of a Sage 200 brand (its context says
-- "cancel_workflow": "order_cancellation_sage200") with business key centra:<store>:<number>:cancel.
-- The same decisions through the canonical model (sql.order_posting_status,
-- sql.plan_order_cancellation with the Sage 200 half); only the ERP step differs:
--
--   await_order  waits for order_to_cash_sage200 to settle: posted → plan; not posted by o2c →
--                ask_erp; still running or in an exception → ask again later.
--   ask_erp      o2c's "not posted" is not Sage's: an order created whose answer was lost, then an
--                exception and the cancellation, leaves a sales order o2c never heard of. It is
--                searched by customer_document_no and deleted if it is there.
--   plan         a whole cancellation deletes the order; a partial one is an exception for ops
--                naming the lines to change (o2c does not change the lines of a posted Sage order);
--                nothing to change when the units cancelled had never been posted.
--   delete       DELETE /sop_orders/{id}, found by customer_document_no before every attempt. An
--                order a user has open in the desktop client is `locked`: retried after a short
--                delay on its own budget, then an exception for ops naming the order and the user;
--                released and re-driven, it is deleted. An order already despatched is refused by
--                Sage: an exception for ops with Sage's words (stop the despatch or book a return).

select o2c.define_workflow('order_cancellation_sage200', $spec$
{
  "initial": "await_order",
  "states": {
    "await_order": {
      "description": "has order_to_cash_sage200 posted the sales order?",
      "action": "sql.order_posting_status", "lane": "orders", "owner": "ops",
      "params": {"workflow": "order_to_cash_sage200", "wait_ms": 600000},
      "on": {"posted": "plan", "not_posted": "ask_erp", "waiting": "await_order"}
    },
    "plan": {
      "description": "the whole order, some lines, or nothing to change?",
      "action": "sql.plan_order_cancellation", "lane": "orders", "owner": "ops",
      "params": {"storefront_connection": "centra", "erp_connection": "sage200",
                 "workflow": "order_cancellation_sage200", "change_lines": false},
      "on": {"whole": "delete", "nothing": "nothing_to_change"}
    },
    "ask_erp": {
      "description": "is a sales order in Sage 200 after all? delete it if so",
      "action": "sage200.delete_found", "lane": "orders", "connection": "sage200", "owner": "ops",
      "params": {"collection": "sop_orders", "key_field": "customer_document_no", "key_key": "order_number"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 20, "delay_ms": 1000},
      "on": {"ok": "deleted", "not_found": "not_posted"}
    },
    "delete": {
      "description": "delete the Sage 200 sales order",
      "action": "sage200.delete_found", "lane": "orders", "connection": "sage200", "owner": "ops",
      "params": {"collection": "sop_orders", "key_field": "customer_document_no", "key_key": "order_number"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 20, "delay_ms": 1000},
      "on": {"ok": "deleted", "not_found": "gone_from_erp"}
    },
    "deleted": {"terminal": true, "description": "the sales order is deleted in Sage 200"},
    "nothing_to_change": {"terminal": true, "description": "Sage 200's lines already say what the store says (the units cancelled had never been posted)"},
    "not_posted": {"terminal": true, "description": "cancelled before it reached Sage 200"},
    "gone_from_erp": {"terminal": true, "description": "the sales order is no longer in Sage 200 (deleted by an earlier attempt whose answer was lost, or by a user)"}
  }
}
$spec$::jsonb);
