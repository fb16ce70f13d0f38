# Settlements during the Sage 200 demo day (ERP=sage200; sourced by tools/demo/flows/settlements.sh,
# whose Amazon file and clean-up it uses): the Amazon settlement spanning a month end is imported
# and settlement_posting_round_sage200 posts its two journals through Sage 200's cash book, each a
# bank receipt (its credit lines) and a bank payment (its debit lines) with nominal analysis through
# the clearing bank (erp_setting clearing_bank_id), which so nets to zero. NetSuite's daily posting
# schedule is switched off, as an installation on Sage 200 does. The Adyen payout is not made on
# this day: Sage 200 orders carry no payment of their own yet (no sales receipt per order), so a
# per-order payout would have nothing in the clearing bank to clear.
# Summary keys as on NetSuite: settlements, settlements_posted, journals (o2c's journals posted to
# Sage, each a receipt and a payment), journals_unbalanced (journals whose receipt and payment
# differ in Sage's own records), clearing_remainder (the clearing bank's balance in Sage plus any
# remainder o2c could not post; "0.00"), payout_gaps.

settlements_setup() {
    settlements_clean_up || return 1
    sql -c "select o2c.unschedule('settlement_posting')" >/dev/null 2>&1 || true
    settlements_amazon_file >"$settlements_files/amazon-settlement.tsv" &&
    bin/o2c import-settlement "$settlements_files/amazon-settlement.tsv" >"$out/settlements-import.log" &&
    sql -c "select o2c.start('settlement_posting_round_sage200', 'demo:amazon', '{}')" >/dev/null
}

settlements_settled() {
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'settlement_posting_round_sage200' and status <> 'done'")" = 0 ] &&
    [ "$(sql -c "select count(*) from o2c.settlement s
                  where s.file_name like '%/demo-settlements/%'
                    and not exists (select from o2c.instance i
                                     where i.workflow = 'settlement_posting_sage200'
                                       and i.business_key = 'settlement:' || s.channel || ':' || s.settlement_id
                                       and i.status in ('done', 'exception'))")" = 0 ]
}

settlements_collect() {
    http GET "$sage_port" /_sandbox/records/bank_posted_transactions >"$out/sage200-bank-entries.json" ||
        echo '[]' >"$out/sage200-bank-entries.json"
    http GET "$sage_port" /_sandbox/records/banks >"$out/sage200-banks.json" || echo '[]' >"$out/sage200-banks.json"
}

settlements_summary() {
    sql -v entries_file="$out/sage200-bank-entries.json" -v banks_file="$out/sage200-banks.json" <<'SQL'
\set entries `cat :'entries_file'`
\set banks `cat :'banks_file'`
with e as (select r from jsonb_array_elements((:'entries')::jsonb) r where r->>'reference' like 'STL%'),
journal as (select regexp_replace(r->>'reference', '-[RP]$', '') as ref,
                   sum((r->>'cheque_value')::numeric) filter (where r->>'reference' like '%-R') as received,
                   sum((r->>'cheque_value')::numeric) filter (where r->>'reference' like '%-P') as paid
              from e group by 1),
s as (select distinct s.channel, s.settlement_id, v.clearing_remainder
        from o2c.settlement s join o2c.settlements v using (channel, settlement_id)
       where s.file_name like '%/demo-settlements/%')
select json_build_object(
    'settlements', (select count(*) from s),
    'settlements_posted', (select count(*) from o2c.settlement where file_name like '%/demo-settlements/%' and status = 'posted'),
    'journals', (select count(*) from o2c.settlement_journal j join s using (channel, settlement_id) where j.erp_id is not null),
    'payout_gaps', (select count(*) from o2c.payout_gaps),
    'journals_unbalanced', (select count(*) from journal where received is distinct from paid),
    'clearing_remainder', to_char((select coalesce(sum(clearing_remainder), 0) from s)
                                   + (select coalesce(sum((b->>'balance')::numeric), 0) from jsonb_array_elements((:'banks')::jsonb) b
                                       where b->>'id' = (select value from o2c.erp_setting
                                                          where erp_connection = 'sage200' and name = 'clearing_bank_id')),
                                   'FM999999990.00'));
SQL
}
