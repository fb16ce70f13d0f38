-- centra_order_poll: the perpetual reader of Centra orders, one instance per store:
--   select o2c.start('centra_order_poll', 'centra:1', '{"store": "1"}');
-- Each round reads a page of orders changed since the cursor and starts one order_to_cash per
-- order (and order_cancellation per cancelled order, refund_to_credit_memo per REFUND entry of
-- the order's paymentHistory) in the same transaction that moves the
-- cursor (connectors/centra/centra_actions.c). Context keys: store, poll_interval_ms, page_size.
-- A poller must outlive a long Centra outage: a generous retry budget, backing off to 5 minutes.

select o2c.define_workflow('centra_order_poll', $spec$
{
  "initial": "poll",
  "states": {
    "poll": {
      "description": "read new and changed Centra orders; start their workflows",
      "action": "centra.poll_orders", "lane": "orders", "connection": "centra", "owner": "engineering",
      "retry": {"max_attempts": 200, "base_ms": 2000, "cap_ms": 300000},
      "on": {"ok": "poll"}
    }
  }
}
$spec$::jsonb);
