-- Finance's reports on settlements (tables: 0004, 0011, 0019).
--
--   select * from o2c.payout_gaps;                  payouts that do not match the ERP's orders
--   select * from o2c.month_end('2026-11');         what a controller signs off for a month
--   bin/o2c month-end 2026-11                       the same at a terminal
--
-- o2c.payout_gaps (the payout part of o2c.reconciliation_gaps) is in sql/api/reconciliation.sql,
-- with the other gaps finance closes the books on.

-- The month-end report: one row per channel, currency and measure, amounts numeric.
--   orders_posted      storefront orders placed in the month and posted to the ERP (count, total)
--   payments_captured  their payments by gateway (count, captured)
--   settlements        settlements with a journal in the month (count, their deposits)
--   journals_posted, journals_unposted   the month's journals (count)
--   <category>         the month's journal lines by posting category: gross_sales, each fee_*,
--                      refunds, chargebacks, reserve_held, reserve_released, … (credit − debit:
--                      income positive, costs negative)
--   clearing_balance   the channel's clearing account after every journal up to the month's end
--                      (debit − credit; 0 unless a settlement spans into the next month)
--   settlements_waiting  settlements unmapped or inconsistent (count, Σ difference)
--   payout_gaps        o2c.payout_gaps rows seen before the month's end (count, Σ amount)
create or replace function o2c.month_end(p_month text)
returns table (channel text, currency text, measure text, count bigint, amount numeric)
language plpgsql
stable
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_from timestamptz;
    v_to timestamptz;
begin
    if p_month is null or p_month !~ '^\d{4}-(0[1-9]|1[0-2])$' then
        raise exception 'month-end: the month is YYYY-MM, not "%"', p_month using errcode = '22023';
    end if;
    v_from := (p_month || '-01 00:00+00')::timestamptz;
    v_to := v_from + interval '1 month';
    return query
    with rows as (
        select o.channel, o.currency, 'orders_posted' as measure, count(*) as n, sum(o.grand_total) as amount, 1 as ord
          from o2c.canonical_order o
         where o.placed_at >= v_from and o.placed_at < v_to
           and exists (select from o2c.erp_order e where e.order_key = o.order_key and e.erp_order_id is not null)
         group by 1, 2
        union all
        select coalesce(o.gateway, o.payment_method, 'unknown'), o.currency, 'payments_captured', count(*),
               sum(o.captured_amount), 2
          from o2c.canonical_order o
         where o.placed_at >= v_from and o.placed_at < v_to and o.captured_amount is not null
           and exists (select from o2c.erp_order e where e.order_key = o.order_key and e.erp_order_id is not null)
         group by 1, 2
        union all
        select s.channel, s.currency, 'settlements', count(*), sum(s.deposit), 3
          from o2c.settlement s
         where exists (select from o2c.settlement_journal j
                        where j.channel = s.channel and j.settlement_id = s.settlement_id and j.period = p_month)
         group by 1, 2
        union all
        select j.channel, j.currency, case when j.posted_at is null then 'journals_unposted' else 'journals_posted' end,
               count(*), null::numeric, 4
          from o2c.settlement_journal j where j.period = p_month
         group by 1, 2, 3
        union all
        select j.channel, j.currency, l.category, count(*), sum(l.credit - l.debit), 5
          from o2c.settlement_journal j join o2c.settlement_journal_line l using (external_id)
         where j.period = p_month and l.category not in ('clearing', 'deposit')
         group by 1, 2, 3
        union all
        select j.channel, j.currency, 'clearing_balance', count(distinct j.settlement_id), sum(l.debit - l.credit), 6
          from o2c.settlement_journal j
          join o2c.settlement_journal_line l using (external_id)
          join o2c.settlement_channel c on c.channel = j.channel and c.clearing_account = l.gl_account
         where j.period <= p_month
         group by 1, 2
        union all
        select s.channel, s.currency, 'settlements_waiting', count(*), sum(s.difference), 7
          from o2c.settlement s
         where s.status in ('unmapped', 'inconsistent') and s.imported_at < v_to
         group by 1, 2
        union all
        select g.channel, g.currency, 'payout_gaps', count(*), sum(g.amount), 8
          from o2c.payout_gaps g
         where g.since < v_to
         group by 1, 2
    )
    select r.channel, r.currency, r.measure, r.n, r.amount from rows r
     order by r.channel, r.currency, r.ord, r.measure;
end
$$;

grant execute on function o2c.month_end(text) to o2c_analyst, o2c_admin;
