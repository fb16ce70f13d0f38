-- Settlements to Sage 200 through the cash book (issue 12; functions: sql/api/settlement_posting.sql,
-- sql/api/sage200_postings.sql). Sage 200's API has no journal: each journal of the shared posting
-- model (the same o2c.settlement_journal and its lines as for NetSuite) is posted as a bank
-- receipt (its credit lines) and a bank payment (its debit lines) with nominal analysis, through
-- the clearing bank account (erp_setting clearing_bank_id), which so nets to zero.
--
-- settlement_posting_round_sage200: one round, started by a schedule (daily), e.g.
--   select o2c.schedule('settlement_posting_sage200', '0 6 * * *', 'UTC', 'settlement_posting_round_sage200');
-- (an installation on Sage 200 also disables NetSuite's: select o2c.unschedule('settlement_posting')).
--   plan   one settlement_posting_sage200 per settlement not yet posted (business key
--          settlement:<channel>:<settlement id>)
--
-- settlement_posting_sage200: one settlement's journals, each exactly once:
--   next     the settlement checked; its next journal not yet posted, accounts as Sage 200 nominal
--            codes through o2c.gl_account_map (as for NetSuite: finance exceptions wait here)
--   lay_out  the journal as a bank receipt and a bank payment (references STL<hash>-R / -P)
--   receipt  searched by reference in bank_posted_transactions, else posted to bank_receipt; a
--   payment  post whose answer was lost is found by the retry; the posted value must be the
--            journal's side to the penny
--   record   the journal remembered as posted (its ERP id: receipt id + payment id); back to next

select o2c.define_workflow('settlement_posting_round_sage200', $spec$
{
  "initial": "plan",
  "states": {
    "plan": {
      "description": "start the Sage 200 posting of every settlement not yet posted",
      "action": "sql.settlement_posting_plan", "lane": "finance", "owner": "finance",
      "params": {"workflow": "settlement_posting_sage200"},
      "on": {"ok": "planned"}
    },
    "planned": {"terminal": true, "description": "every settlement not yet posted has its posting workflow"}
  }
}
$spec$::jsonb);

select o2c.define_workflow('settlement_posting_sage200', $spec$
{
  "initial": "next",
  "states": {
    "next": {
      "description": "check the settlement; lay out its next journal not yet posted",
      "action": "sql.settlement_next_journal", "lane": "finance", "owner": "finance",
      "params": {"erp_connection": "sage200"},
      "on": {"ok": "lay_out", "posted": "posted"}
    },
    "lay_out": {
      "description": "the journal as a bank receipt and a bank payment through the clearing bank",
      "action": "sql.sage200_cash_book_postings", "lane": "finance", "owner": "finance",
      "params": {"erp_connection": "sage200"},
      "on": {"ok": "receipt"}
    },
    "receipt": {
      "description": "the bank receipt of the journal's credit lines, by reference: found, or posted",
      "action": "sage200.find_or_create", "lane": "finance", "connection": "sage200", "owner": "finance",
      "params": {"collection": "bank_posted_transactions", "key_field": "reference", "key_key": "receipt_reference",
                 "post_to": "bank_receipt", "body_key": "receipt_body", "result_key": "receipt_id",
                 "expect_total_key": "receipt_total", "total_field": "cheque_value"},
      "retry": {"max_attempts": 30, "base_ms": 500, "cap_ms": 60000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "redrive_from": "next",
      "on": {"ok": "payment"}
    },
    "payment": {
      "description": "the bank payment of the journal's debit lines, by reference: found, or posted",
      "action": "sage200.find_or_create", "lane": "finance", "connection": "sage200", "owner": "finance",
      "params": {"collection": "bank_posted_transactions", "key_field": "reference", "key_key": "payment_reference",
                 "post_to": "bank_payment", "body_key": "payment_body", "result_key": "payment_id",
                 "expect_total_key": "payment_total", "total_field": "cheque_value"},
      "retry": {"max_attempts": 30, "base_ms": 500, "cap_ms": 60000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "redrive_from": "next",
      "on": {"ok": "record"}
    },
    "record": {
      "description": "remember the journal as posted, with the receipt's and the payment's ids",
      "action": "sql.sage200_cash_book_posted", "lane": "finance", "owner": "finance",
      "on": {"ok": "next"}
    },
    "posted": {"terminal": true, "description": "every journal of the settlement is in Sage 200's cash book, once"}
  }
}
$spec$::jsonb);
