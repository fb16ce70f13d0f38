-- return_to_credit_memo: customer service took goods back in Centra and refunded them. The
-- return becomes a NetSuite return authorization for exactly the returned lines and quantities,
-- made from the sales order o2c posted; once the warehouse has received the goods, a credit memo
-- for exactly what Centra refunded (shipping and partial refunds included), and the money paid
-- back a customer refund from the gateway's clearing account, applied to the credit memo. Each
-- NetSuite record is made once, by external id (RA-, RF-, CR-CENTRA-<store>-RETURN-<id>).
-- Business key: the canonical return key centra:<store>:return:<return id>; input {"store",
-- "refund": {"id", "return_id", "return_number", "order_number", "amount", "shipping", "currency",
-- "refunded_at", "lines": [{"order_line_id", "quantity"}]}}, started by the Centra order poller
-- for a REFUND entry that names its return (connectors/centra/centra_actions.c).
--
--   map              storefront's half → canonical return (+ lines) → ERP's half (sql/api/returns.sql);
--                    an order not read or not posted yet is looked at again later; more than the
--                    shopper paid is refund_exceeds_payment for finance
--   return_auth      netsuite.transform salesOrder → returnAuthorization (NetSuite refuses more
--                    than was fulfilled: remote_rejected, ops)
--   read_return_auth, await_receipt
--                    reads the authorization (netsuite.get_record) every wait_ms until the
--                    warehouse has received the goods (sql.check_receipt records when)
--   credit_memo      netsuite.transform returnAuthorization → creditMemo (its lines: the authorization's)
--   customer_refund  the money paid back, applied to the credit memo
--   o2c.erp_return holds each id as it is made (o2c.reconciliation_gaps reads it)

select o2c.define_workflow('return_to_credit_memo', $spec$
{
  "initial": "map",
  "states": {
    "map": {
      "description": "storefront return and refund → canonical return → NetSuite bodies; wait for the order's posting",
      "action": "sql.map_return", "lane": "finance", "owner": "finance",
      "on": {"ok": "return_auth", "not_posted": "map"}
    },
    "return_auth": {
      "description": "transform the sales order into a return authorization for the returned lines, once by external id",
      "action": "netsuite.transform", "lane": "finance", "connection": "netsuite", "owner": "ops",
      "params": {"from": "salesOrder", "to": "returnAuthorization", "id_key": "sales_order_id",
                 "body_key": "return_auth_body", "result_key": "return_auth_id"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "redrive_from": "map",
      "on": {"ok": "record_return_auth"}
    },
    "record_return_auth": {
      "description": "remember the return authorization",
      "action": "sql.record_return_auth", "lane": "finance", "owner": "engineering",
      "on": {"ok": "read_return_auth"}
    },
    "read_return_auth": {
      "description": "read the return authorization: are the goods back?",
      "action": "netsuite.get_record", "lane": "finance", "connection": "netsuite", "owner": "ops",
      "params": {"type": "returnAuthorization", "id_key": "return_auth_id", "result_key": "return_auth"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "on": {"ok": "await_receipt"}
    },
    "await_receipt": {
      "description": "received when every returned unit is back in the warehouse; otherwise read again in wait_ms",
      "action": "sql.check_receipt", "lane": "finance", "owner": "ops",
      "params": {"wait_ms": 5000},
      "on": {"received": "credit_memo", "waiting": "read_return_auth"}
    },
    "credit_memo": {
      "description": "transform the return authorization into a credit memo for exactly the refund, once by external id",
      "action": "netsuite.transform", "lane": "finance", "connection": "netsuite", "owner": "finance",
      "params": {"from": "returnAuthorization", "to": "creditMemo", "id_key": "return_auth_id",
                 "body_key": "credit_memo_body", "result_key": "credit_memo_id"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
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
      "on": {"ok": "refunded"}
    },
    "refunded": {"terminal": true, "description": "goods back, credited and the money paid back, in NetSuite"}
  }
}
$spec$::jsonb);
