-- Settlements to NetSuite journals (issue 14; functions: sql/api/settlement_posting.sql).
--
-- settlement_posting_round: one round, started by the schedule settlement_posting (daily at 06:00
-- UTC by default; finance changes it with select o2c.schedule('settlement_posting', '<cron>',
-- '<time zone>', 'settlement_posting_round')), or by hand:
--   select o2c.start('settlement_posting_round', 'manual:<anything unique>', '{}');
--   plan   one settlement_posting per imported settlement not yet posted (business key
--          settlement:<channel>:<settlement id>, so never two for one settlement)
--
-- settlement_posting: one settlement's journals (one per accounting month), each exactly once:
--   next    the settlement checked (mapping, lines against the deposit); the next journal not
--           yet posted laid out for NetSuite (accounts through o2c.gl_account_map, currency
--           through o2c.currency_map). A line type no mapping knows, or lines that miss the
--           deposit (the difference to the cent in the message), wait here as finance
--           exceptions: o2c.settlement_redrive(channel, id) after a mapping fix, or
--           o2c.settlement_post_variance(channel, id, account, who) to name the variance, re-drive
--           it (o2c.redrive of the instance does too).
--   post    upserted as journalEntry by its external id STL-<channel>-<settlement id>-<YYYY-MM>
--           (netsuite.upsert_journal): a retry after a timeout or a cut-off answer finds the same
--           record. NetSuite refusing the date (a closed period) or a line (an account it does not
--           have) goes to refused; any other refusal waits for ops (remote_rejected); re-driven
--           from next.
--   refused a finance exception (remote_rejected, owner finance) with NetSuite's words: reopen the
--           period or fix o2c.gl_account_map, then o2c.settlement_redrive(channel, id).
--   record  the journal remembered as posted with NetSuite's id; back to next until none is left.

select o2c.define_workflow('settlement_posting_round', $spec$
{
  "initial": "plan",
  "states": {
    "plan": {
      "description": "start the posting of every settlement not yet posted",
      "action": "sql.settlement_posting_plan", "lane": "finance", "owner": "finance",
      "on": {"ok": "planned"}
    },
    "planned": {"terminal": true, "description": "every settlement not yet posted has its posting workflow"}
  }
}
$spec$::jsonb);

select o2c.define_workflow('settlement_posting', $spec$
{
  "initial": "next",
  "states": {
    "next": {
      "description": "check the settlement; lay out its next journal not yet posted",
      "action": "sql.settlement_next_journal", "lane": "finance", "owner": "finance",
      "params": {"erp_connection": "netsuite"},
      "on": {"ok": "post", "posted": "posted"}
    },
    "post": {
      "description": "upsert the journal in NetSuite by its external id",
      "action": "netsuite.upsert_journal", "lane": "finance", "connection": "netsuite", "owner": "finance",
      "params": {"refusals": {"tranDate": "refused", "line": "refused"}},
      "retry": {"max_attempts": 30, "base_ms": 500, "cap_ms": 60000},
      "redrive_from": "next",
      "on": {"ok": "record", "refused": "refused"}
    },
    "refused": {
      "description": "NetSuite refused the journal's date or lines: for finance",
      "action": "sql.settlement_journal_refused", "lane": "finance", "owner": "finance",
      "redrive_from": "next",
      "on": {"ok": "next"}
    },
    "record": {
      "description": "remember the journal as posted, with NetSuite's id",
      "action": "sql.settlement_journal_posted", "lane": "finance", "owner": "finance",
      "on": {"ok": "next"}
    },
    "posted": {"terminal": true, "description": "every journal of the settlement is in NetSuite, once"}
  }
}
$spec$::jsonb);

-- The default rhythm: daily. Made once; finance's own schedule is never overwritten.
select o2c.schedule('settlement_posting', '0 6 * * *', 'UTC', 'settlement_posting_round')
 where not exists (select from o2c.schedule where name = 'settlement_posting');
