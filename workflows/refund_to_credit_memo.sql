-- refund_to_credit_memo: a storefront refund with no goods coming back (goodwill, a shipping
-- refund) becomes one NetSuite credit memo for exactly what the storefront refunded, once (upsert
-- by external id). Business key: the canonical return key, centra:<store>:refund:<id>; input
-- {"store", "refund": {"id", "order_number", "amount", "tax", "shipping", "currency",
-- "refunded_at", "reason"}}. The Centra order poller (centra.poll_orders) starts it for each REFUND
-- entry of an order's paymentHistory (key centra:<store>:refund:<entry id>; amount, currency,
-- refunded_at only: Centra gives no tax or shipping share there).
--
--   map          the storefront's half → canonical return → the ERP's half (sql/api/returns.sql);
--                an order not posted yet is looked at again later (not_posted); a refund beyond
--                what the shopper paid is refund_exceeds_payment for finance
--   credit_memo  PUT creditMemo/eid:<external id> for the order's customer
--   record       o2c.erp_return (o2c.reconciliation_gaps compares it with the refund)
--   refund, customer_refund, record_refund
--                the money paid back: a customerRefund (CR-…) from the gateway's clearing account
--                applied to the credit memo (sql/api/returns.sql, map_customer_refund)

select o2c.define_workflow('refund_to_credit_memo', $spec$
{
  "initial": "map",
  "states": {
    "map": {
      "description": "storefront refund → canonical return → NetSuite credit memo body; wait for the order's posting",
      "action": "sql.map_refund", "lane": "finance", "owner": "finance",
      "on": {"ok": "credit_memo", "not_posted": "map"}
    },
    "credit_memo": {
      "description": "upsert the credit memo by external id, for the order's customer",
      "action": "netsuite.upsert", "lane": "finance", "connection": "netsuite", "owner": "finance",
      "params": {"type": "creditMemo", "external_id_key": "credit_memo_external_id",
                 "body_key": "credit_memo_body", "result_key": "credit_memo_id",
                 "refs": {"entity.id": "customer_id"}},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "redrive_from": "map",
      "on": {"ok": "record"}
    },
    "record": {
      "description": "remember the credit memo and its amount",
      "action": "sql.record_credit_memo", "lane": "finance", "owner": "engineering",
      "on": {"ok": "refund"}
    },
    "refund": {
      "description": "the money paid back, as a customer refund body from the gateway's clearing account",
      "action": "sql.map_customer_refund", "lane": "finance", "owner": "finance",
      "on": {"ok": "customer_refund"}
    },
    "customer_refund": {
      "description": "upsert the customer refund applied to the credit memo, by external id",
      "action": "netsuite.upsert", "lane": "finance", "connection": "netsuite", "owner": "finance",
      "params": {"type": "customerRefund", "external_id_key": "customer_refund_external_id",
                 "body_key": "customer_refund_body", "result_key": "customer_refund_id",
                 "refs": {"customer.id": "customer_id"}},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "redrive_from": "refund",
      "on": {"ok": "record_refund"}
    },
    "record_refund": {
      "description": "remember the customer refund",
      "action": "sql.record_customer_refund", "lane": "finance", "owner": "engineering",
      "on": {"ok": "credited"}
    },
    "credited": {"terminal": true, "description": "the refund is a credit memo in NetSuite, paid back by a customer refund"}
  }
}
$spec$::jsonb);
