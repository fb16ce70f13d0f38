# Settlements during the demo's trading day (sourced by tools/demo/run; see the hooks there).
# At the start an Amazon settlement file that spans a month end (from the 20th or so of last month
# to today: sales, a refund, fees, storage, reserves held and released) is imported and a posting
# round starts: two journals, one per month. When the day's orders have settled, Adyen pays out
# for them: a Settlement details report is generated from the demo's own orders (each order paid
# with Adyen and posted is Settled with its fees, each posted order cancelled later is Refunded,
# one MerchantPayout per currency), imported with bin/o2c import-settlement, and a second round
# posts its journals. The day is settled for this flow once every settlement's posting workflow
# has ended. workflows/settlement_posting.sql; summary keys settlements, settlements_posted,
# journals (journalEntry records in NetSuite), journals_unbalanced (NetSuite's journals whose
# debits differ from their credits, by numeric sums) and clearing_remainder (what the clearing
# accounts keep: their net over NetSuite's journals plus any remainder o2c could not post; "0.00")
# and payout_gaps (o2c.payout_gaps: Adyen payments that match no posted order or differ from it).

settlements_files="$out/demo-settlements"

# A rerun against the same database starts over: the sandbox is new, so are its journals.
settlements_clean_up() {
    mkdir -p "$settlements_files" && rm -f "$settlements_files"/* "$out/settlements-payout"
    sql >/dev/null <<'SQL' || return 1
begin;
create temp table demo_old_settlement on commit drop as
select id from o2c.instance where workflow in ('settlement_posting', 'settlement_posting_round',
                                               'settlement_posting_sage200', 'settlement_posting_round_sage200');
delete from o2c.connection_lease where instance_id in (select id from demo_old_settlement);
delete from o2c.step where instance_id in (select id from demo_old_settlement);
delete from o2c.event where workflow_id in (select id from demo_old_settlement);
delete from o2c.instance where id in (select id from demo_old_settlement);
delete from o2c.canonical_settlement_line l using o2c.settlement s
 where l.channel = s.channel and l.settlement_id = s.settlement_id and s.file_name like '%/demo-settlements/%';
delete from o2c.settlement where file_name like '%/demo-settlements/%';
commit;
SQL
}

settlements_setup() {
    settlements_clean_up || return 1
    # NetSuite's daily posting, as migrate makes it, if a Sage 200 day switched it off.
    sql -c "select o2c.schedule('settlement_posting', '0 6 * * *', 'UTC', 'settlement_posting_round')
             where not exists (select from o2c.schedule where name = 'settlement_posting')" >/dev/null || return 1
    settlements_amazon_file >"$settlements_files/amazon-settlement.tsv" &&
    bin/o2c import-settlement "$settlements_files/amazon-settlement.tsv" >"$out/settlements-import.log" &&
    sql -c "select o2c.start('settlement_posting_round', 'demo:amazon', '{}')" >/dev/null
}

# Amazon V2 flat file, EUR: settlement 9<YYYYMMDD>, from about the 20th of last month to today.
settlements_amazon_file() {
    sql <<'SQL'
with d as (select (date_trunc('month', now() at time zone 'UTC') - interval '10 days')::date as starts,
                  (now() at time zone 'UTC')::date as ends,
                  date_trunc('month', now() at time zone 'UTC')::date as this_month,
                  '9' || to_char(now() at time zone 'UTC', 'YYYYMMDD') as id),
lines (n, month, ttype, oref, atype, descr, amount) as (values
    (1, 'last', 'Order', '302-0000001', 'ItemPrice', 'Principal', '200.00'),
    (2, 'last', 'Order', '302-0000001', 'ItemPrice', 'Shipping', '5.00'),
    (3, 'last', 'Order', '302-0000001', 'ItemPrice', 'Tax', '38.00'),
    (4, 'last', 'Order', '302-0000001', 'ItemFees', 'Commission', '-30.00'),
    (5, 'last', 'Order', '302-0000001', 'ItemFees', 'FBAPerUnitFulfillmentFee', '-4.50'),
    (6, 'last', 'other-transaction', '', 'other-transaction', 'Previous Reserve Amount Balance', '15.00'),
    (7, 'this', 'Refund', '302-0000001', 'ItemPrice', 'Principal', '-50.00'),
    (8, 'this', 'Refund', '302-0000001', 'ItemFees', 'RefundCommission', '6.00'),
    (9, 'this', 'Order', '302-0000002', 'ItemPrice', 'Principal', '120.00'),
    (10, 'this', 'Order', '302-0000002', 'ItemPrice', 'Tax', '22.80'),
    (11, 'this', 'Order', '302-0000002', 'ItemFees', 'Commission', '-18.00'),
    (12, 'this', 'other-transaction', '', 'other-transaction', 'Storage Fee', '-12.20'),
    (13, 'this', 'other-transaction', '', 'other-transaction', 'Current Reserve Amount', '-20.00'))
select line from (
    select 0 as n, concat_ws(E'\t', 'settlement-id', 'settlement-start-date', 'settlement-end-date', 'deposit-date',
                             'total-amount', 'currency', 'transaction-type', 'order-id', 'amount-type',
                             'amount-description', 'amount', 'posted-date') as line
    union all
    select 0.5, concat_ws(E'\t', d.id, d.starts, d.ends, d.ends, (select sum(amount::numeric) from lines), 'EUR', '', '', '', '', '', '')
      from d
    union all
    select l.n, concat_ws(E'\t', d.id, '', '', '', '', '', l.ttype, l.oref, l.atype, l.descr, l.amount,
                          case l.month when 'last' then d.starts + 2 else d.this_month end)
      from d, lines l) f
order by n;
SQL
}

# Adyen Settlement details report for the day's orders paid with Adyen and posted to NetSuite, one
# batch per currency (merchant account Nordtrail<currency>), fees as Adyen charges them.
settlements_adyen_file() {
    sql -v batch="$(date -u +%j)" <<'SQL'
copy (
with paid as (
    select o.number, o.currency, o.captured_amount as gross, o.placed_at, o.status, e.external_id
      from o2c.canonical_order o
      join o2c.erp_order e on e.order_key = o.order_key and e.erp_connection = 'netsuite'
     where o.gateway = 'adyen' and e.erp_order_id is not null and o.captured_amount > 0
), fees as (
    select p.*, round(p.gross * 0.011, 2) as commission, round(p.gross * 0.004, 2) as markup,
           0.10 as scheme, round(p.gross * 0.003, 2) as interchange
      from paid p
), rows as (
    select f.number, 1 as ord, f.currency, f.placed_at as at, 'Settled' as type, f.external_id as ref,
           null::numeric as gross_debit, f.gross as gross_credit, null::numeric as net_debit,
           f.gross - f.commission - f.markup - f.scheme - f.interchange as net_credit,
           f.commission, f.markup, f.scheme, f.interchange
      from fees f
    union all
    select f.number, 2, f.currency, (select max(placed_at) from paid), 'Refunded', f.external_id, f.gross, null, f.gross, null, null, null, null, null
      from fees f where f.status = 'cancelled'
), report as (
    select r.currency, r.ord, r.number, r.ref, r.at, r.type, r.gross_debit, r.gross_credit, r.net_debit, r.net_credit,
           r.commission, r.markup, r.scheme, r.interchange
      from rows r
    union all
    select r.currency, 3, '', '', max(r.at), 'MerchantPayout', null, null,
           greatest(sum(coalesce(r.net_credit, 0)) - sum(coalesce(r.net_debit, 0)), 0),
           greatest(sum(coalesce(r.net_debit, 0)) - sum(coalesce(r.net_credit, 0)), 0), null, null, null, null
      from rows r group by r.currency
)
select 'Nordtrail' as "Company Account", 'Nordtrail' || currency as "Merchant Account",
       case when type = 'MerchantPayout' then '' else 'PSP' || number || ord end as "Psp Reference",
       ref as "Merchant Reference", case when type = 'MerchantPayout' then '' else 'visa' end as "Payment Method",
       to_char(at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' as "Creation Date", 'UTC' as "TimeZone",
       type as "Type", case when type = 'MerchantPayout' then '' else currency end as "Gross Currency",
       gross_debit as "Gross Debit (GC)", gross_credit as "Gross Credit (GC)", currency as "Net Currency",
       nullif(net_debit, 0) as "Net Debit (NC)", nullif(net_credit, 0) as "Net Credit (NC)",
       commission as "Commission (NC)", markup as "Markup (NC)", scheme as "Scheme Fees (NC)",
       interchange as "Interchange (NC)", :'batch' as "Batch Number"
  from report
 order by currency, ord, number
) to stdout with (format csv, header);
SQL
}

settlements_settled() {
    if [ ! -e "$out/settlements-payout" ]; then
        # The day's orders have settled: Adyen pays out for them (nothing to pay out when no order
        # was paid with Adyen: a report of its header alone is not imported).
        # Made once: a retry imports the same file again, which changes nothing.
        [ -s "$settlements_files/adyen-payout.csv" ] ||
            settlements_adyen_file >"$settlements_files/adyen-payout.csv" || return 1
        if [ "$(wc -l <"$settlements_files/adyen-payout.csv")" -gt 1 ]; then
            bin/o2c import-settlement "$settlements_files/adyen-payout.csv" >>"$out/settlements-import.log" &&
            sql -c "select o2c.start('settlement_posting_round', 'demo:adyen', '{}')" >/dev/null || return 1
        fi
        : >"$out/settlements-payout"
        return 1
    fi
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'settlement_posting_round' and status <> 'done'")" = 0 ] &&
    [ "$(sql -c "select count(*) from o2c.settlement s
                  where s.file_name like '%/demo-settlements/%'
                    and not exists (select from o2c.instance i
                                     where i.workflow = 'settlement_posting'
                                       and i.business_key = 'settlement:' || s.channel || ':' || s.settlement_id
                                       and i.status in ('done', 'exception'))")" = 0 ]
}

settlements_collect() {
    http GET "$ns_port" /_sandbox/records/journalEntry >"$out/netsuite-journals.json"
}

settlements_summary() {
    sql -v journals_file="$out/netsuite-journals.json" <<'SQL'
\set journals `cat :'journals_file'`
with j as (select r from jsonb_array_elements((:'journals')::jsonb->'records') r where r->>'externalId' like 'STL-%'),
l as (select j.r->>'externalId' as eid, x from j, jsonb_array_elements(j.r->'line'->'items') x),
s as (select distinct s.channel, s.settlement_id, v.clearing_remainder
        from o2c.settlement s join o2c.settlements v using (channel, settlement_id)
       where s.file_name like '%/demo-settlements/%'),
clearing as (select m.erp_account_id from o2c.settlement_channel c
               join o2c.gl_account_map m on m.erp_connection = 'netsuite' and m.account = c.clearing_account)
select json_build_object(
    'settlements', (select count(*) from s),
    'settlements_posted', (select count(*) from o2c.settlement where file_name like '%/demo-settlements/%' and status = 'posted'),
    'journals', (select count(*) from j),
    'payout_gaps', (select count(*) from o2c.payout_gaps),
    'journals_unbalanced', (select count(*) from (select eid from l group by eid
                             having sum(coalesce((x->>'debit')::numeric, 0) - coalesce((x->>'credit')::numeric, 0)) <> 0) u),
    'clearing_remainder', to_char((select coalesce(sum(clearing_remainder), 0) from s)
                                   + (select coalesce(sum(coalesce((x->>'debit')::numeric, 0) - coalesce((x->>'credit')::numeric, 0)), 0)
                                        from l where x->'account'->>'id' in (select erp_account_id from clearing)),
                                   'FM999999990.00'));
SQL
}

# Sage 200: the Amazon settlement through the cash book (its own setup, settled and figures).
if [ "$ERP" = sage200 ]; then
    # shellcheck source=tools/demo/flows/sage200/settlements.sh
    . tools/demo/flows/sage200/settlements.sh
fi
