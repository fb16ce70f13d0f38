-- refund_to_credit_note_sage200: refund_to_credit_memo (workflows/refund_to_credit_memo.sql) with
-- Sage 200 as the ERP. The same canonical return, checks and wait for the order's posting
-- (sql.map_refund with erp_connection 'sage200' lays it out through
-- o2c.canonical_return_to_sage200, sql/api/sage200_postings.sql); only the posting differs,
-- because Sage 200 posts a credit note as a transaction, answers a URN and has no upsert:
--   credit_note  the posted credit note is searched by its reference (RF-<store>-<refund id>)
--                in sales_posted_transactions before every post to sales_credit_notes, so a post
--                whose answer was lost is found by the retry, never made twice; its gross must be
--                the storefront's refund to the penny, or it stops for finance. The customer account
--                open in the desktop client: locked, retried, then an exception for ops naming the
--                user; re-driven after release
-- Business key and input as refund_to_credit_memo's. The Centra order poller starts it for a
-- Sage 200 brand when its context says "refund_workflow": "refund_to_credit_note_sage200".

select o2c.define_workflow('refund_to_credit_note_sage200', $spec$
{
  "initial": "map",
  "states": {
    "map": {
      "description": "storefront refund → canonical return → Sage 200 credit note body; wait for the order's posting",
      "action": "sql.map_refund", "lane": "finance", "owner": "finance",
      "params": {"erp_connection": "sage200"},
      "on": {"ok": "credit_note", "not_posted": "map"}
    },
    "credit_note": {
      "description": "the credit note, by its reference: found among the posted transactions, or posted for the customer",
      "action": "sage200.find_or_create", "lane": "finance", "connection": "sage200", "owner": "ops",
      "params": {"collection": "sales_posted_transactions", "key_field": "reference", "key_key": "credit_memo_external_id",
                 "post_to": "sales_credit_notes", "body_key": "credit_memo_body", "result_key": "credit_memo_id",
                 "refs": {"customer_id": "customer_id"},
                 "expect_total_key": "credit_memo_amount", "total_field": "document_gross_value"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "redrive_from": "map",
      "on": {"ok": "record"}
    },
    "record": {
      "description": "remember the credit note and its amount",
      "action": "sql.record_credit_memo", "lane": "finance", "owner": "engineering",
      "params": {"erp_connection": "sage200"},
      "on": {"ok": "credited"}
    },
    "credited": {"terminal": true, "description": "the refund is a credit note in Sage 200"}
  }
}
$spec$::jsonb);
