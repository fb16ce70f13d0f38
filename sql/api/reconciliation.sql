-- o2c.reconciliation_gaps: what stops finance closing the books cleanly, one row per gap.
--
-- Fixed columns, every part the same:
--   gap          text         the kind of gap (below)
--   reference    text         the business document: workflow business key or canonical key
--   description  text         the gap in words, naming the documents on both sides
--   amount       numeric      the money concerned in `currency` (null when the gap is not money)
--   currency     text
--   since        timestamptz  when the gap opened (the refund, the fulfilment)
--   age          interval     now() − since, to the second
--   owner        text         finance, ops, cx or engineering
--   redrive_sql  text         the SQL that finishes the work once the cause is fixed (null: none)
--
-- The view is a UNION ALL of named parts, each a `select … as gap` block below. Another part
-- (e.g. payouts with no journal) is added by `create or replace view` with one more block with
-- the same columns in the same order.
--
-- Parts:
--   fulfilment_not_in_storefront  an ERP fulfilment the storefront does not show: its workflow is
--                                 in exception, or has been on its way for over an hour
--   refund_without_credit_memo    a storefront refund with no credit memo in the ERP yet (in
--                                 exception, or older than an hour; a return whose goods are
--                                 not back says so)
--   credit_memo_differs           a credit memo whose amount is not the storefront's refund
--   received_without_credit_memo  a return whose goods the ERP received, with no credit memo yet
--                                 (its workflow in exception, or on its way for over an hour)
--   credit_memo_without_customer_refund
--                                 a credit memo whose money paid back (customer refund from the
--                                 gateway's clearing account) is not in the ERP (likewise)
--   payout_line_without_erp_order, settled_without_deposit, amount_differs, payment_never_settled
--                                 the rows of o2c.payout_gaps (payouts against the ERP's orders
--                                 and the customer deposits order-to-cash recorded)

-- o2c.payout_gaps: payouts that do not match the ERP's orders; o2c.reconciliation_gaps shows
-- them too. For
-- per-order channels (o2c.settlement_channel.posting = 'per_order', Adyen behind Centra): every
-- payment a payout settles is matched to its storefront order and ERP record by the payout line's
-- merchant reference (the ERP external id, e.g. CENTRA-1-1005, or the storefront order number),
-- and compared with the payment order-to-cash recorded in the ERP for the order (its customer
-- deposit, o2c.order_payment, 0021), which the payout journal clears:
--   payout_line_without_erp_order  a settled payment whose order is not posted in the ERP
--   settled_without_deposit        the order is posted but no payment of it is in the ERP
--   amount_differs                 the payment settled is not the deposit recorded (difference:
--                                  settled − deposit)
--   payment_never_settled          a deposit recorded for an order paid through the gateway,
--                                  placed more than 7 days ago, that no payout has settled yet
-- since: when the payout line was posted, or the order placed; age: how long ago. Owner finance.

create or replace view o2c.payout_gaps as
with settled as (
    select l.channel, l.settlement_id, l.order_reference, l.currency, sum(l.amount) as amount,
           min(l.posted_at) as posted_at
      from o2c.canonical_settlement_line l
      join o2c.settlement_channel c on c.channel = l.channel and c.posting = 'per_order'
     where l.transaction_type = 'Settled' and l.amount_type = 'Gross' and l.order_reference is not null
     group by 1, 2, 3, 4
), matched as (
    select s.*, o.order_key, e.erp_order_id, p.amount as deposit
      from settled s
      left join o2c.erp_order e on e.external_id = s.order_reference
      left join o2c.canonical_order o on o.order_key = e.order_key
                                      or (e.order_key is null and o.number = s.order_reference and o.gateway = s.channel)
      left join o2c.order_payment p on p.order_key = o.order_key and p.erp_connection = e.erp_connection
)
select 'payout_line_without_erp_order'::text as kind, m.channel, m.settlement_id, m.order_reference, m.order_key,
       m.currency, m.amount, null::numeric as difference, m.posted_at as since, now() - m.posted_at as age,
       'finance'::text as owner
  from matched m
 where m.erp_order_id is null
union all
select 'settled_without_deposit', m.channel, m.settlement_id, m.order_reference, m.order_key, m.currency, m.amount,
       null, m.posted_at, now() - m.posted_at, 'finance'
  from matched m
 where m.erp_order_id is not null and m.deposit is null
union all
select 'amount_differs', m.channel, m.settlement_id, m.order_reference, m.order_key, m.currency, m.amount,
       m.amount - m.deposit, m.posted_at, now() - m.posted_at, 'finance'
  from matched m
 where m.erp_order_id is not null and m.deposit is not null and m.amount <> m.deposit
union all
select 'payment_never_settled', o.gateway, null, e.external_id, o.order_key, p.currency, p.amount, null,
       o.placed_at, now() - o.placed_at, 'finance'
  from o2c.order_payment p
  join o2c.canonical_order o on o.order_key = p.order_key
  join o2c.erp_order e on e.order_key = o.order_key and e.erp_connection = p.erp_connection and e.erp_order_id is not null
  join o2c.settlement_channel c on c.channel = o.gateway and c.posting = 'per_order'
 where o.status <> 'cancelled' and o.placed_at < now() - interval '7 days'
   and not exists (select from settled s
                    where s.channel = o.gateway and (s.order_reference = e.external_id or s.order_reference = o.number));

grant select on o2c.payout_gaps to o2c_analyst, o2c_admin;

create or replace view o2c.reconciliation_gaps as
select 'fulfilment_not_in_storefront'::text as gap,
       i.business_key as reference,
       format('NetSuite item fulfilment %s%s is not shown in the storefront: %s', i.context->>'fulfilment_id',
              coalesce(' of order ' || (i.context->>'order_number'), ''),
              coalesce(i.exception_message, 'still on its way, step ' || i.state)) as description,
       null::numeric as amount,
       null::text as currency,
       coalesce(o2c.try_timestamptz((i.context->>'netsuite_at') || '+00'), i.created_at) as since,
       date_trunc('second', now() - coalesce(o2c.try_timestamptz((i.context->>'netsuite_at') || '+00'), i.created_at)) as age,
       coalesce(i.exception_owner, 'cx') as owner,
       case when i.status = 'exception' then format('select o2c.redrive(%s);', i.id) end as redrive_sql
  from o2c.instance i
 where i.workflow = 'fulfilment_to_storefront'
   and (i.status = 'exception' or (i.status = 'active' and i.created_at < now() - interval '1 hour'))
union all
select 'refund_without_credit_memo',
       r.return_key,
       format('%s of %s %s refunded in the storefront for order %s has no credit memo in the ERP%s',
              case r.kind when 'return' then 'A return' else 'A refund' end, r.refund_amount, r.currency,
              o.number, coalesce(': ' || w.exception_message,
                                 case when w.state in ('read_return_auth', 'await_receipt')
                                      then ': its goods are not back in the warehouse yet' end, '')),
       r.refund_amount,
       r.currency,
       coalesce(r.refunded_at, r.recorded_at),
       date_trunc('second', now() - coalesce(r.refunded_at, r.recorded_at)),
       coalesce(w.exception_owner, 'finance'),
       case when w.status = 'exception' then format('select o2c.redrive(%s);', w.id) end
  from o2c.canonical_return r
  left join o2c.canonical_order o on o.order_key = r.order_key
  left join lateral (select i.* from o2c.instance i
                      where i.workflow in ('refund_to_credit_memo', 'return_to_credit_memo') and i.business_key = r.return_key
                      order by i.id desc limit 1) w on true
 where r.refund_amount > 0
   and not exists (select from o2c.erp_return e where e.return_key = r.return_key
                                                  and (e.credit_memo_id is not null or e.received_at is not null))
   and (w.status = 'exception' or coalesce(r.refunded_at, r.recorded_at) < now() - interval '1 hour')
union all
select 'received_without_credit_memo',
       r.return_key,
       format('Return authorization %s in %s for order %s: the goods are back, but the %s %s Centra refunded has no credit memo%s',
              e.return_auth_id, e.erp_connection, o.number, r.refund_amount, r.currency, coalesce(': ' || w.exception_message, '')),
       r.refund_amount,
       r.currency,
       e.received_at,
       date_trunc('second', now() - e.received_at),
       coalesce(w.exception_owner, 'finance'),
       case when w.status = 'exception' then format('select o2c.redrive(%s);', w.id) end
  from o2c.erp_return e
  join o2c.canonical_return r on r.return_key = e.return_key
  left join o2c.canonical_order o on o.order_key = r.order_key
  left join lateral (select i.* from o2c.instance i
                      where i.workflow = 'return_to_credit_memo' and i.business_key = r.return_key
                      order by i.id desc limit 1) w on true
 where e.received_at is not null and e.credit_memo_id is null
   and (w.status = 'exception' or (w.status = 'active' and e.received_at < now() - interval '1 hour'))
union all
select 'credit_memo_without_customer_refund',
       r.return_key,
       format('Credit memo %s in %s for order %s (%s %s) has no customer refund paying it back from the clearing account%s',
              e.credit_memo_id, e.erp_connection, o.number, e.credit_memo_amount, r.currency, coalesce(': ' || w.exception_message, '')),
       e.credit_memo_amount,
       r.currency,
       e.recorded_at,
       date_trunc('second', now() - e.recorded_at),
       coalesce(w.exception_owner, 'finance'),
       case when w.status = 'exception' then format('select o2c.redrive(%s);', w.id) end
  from o2c.erp_return e
  join o2c.canonical_return r on r.return_key = e.return_key
  left join o2c.canonical_order o on o.order_key = r.order_key
  left join lateral (select i.* from o2c.instance i
                      where i.workflow in ('refund_to_credit_memo', 'return_to_credit_memo') and i.business_key = r.return_key
                      order by i.id desc limit 1) w on true
 where e.credit_memo_id is not null and e.customer_refund_id is null
   and (w.status = 'exception' or (w.status = 'active' and e.recorded_at < now() - interval '1 hour'))
union all
select 'credit_memo_differs',
       r.return_key,
       format('Credit memo %s in %s for order %s is %s %s, but the storefront refunded %s %s (difference %s)',
              e.credit_memo_id, e.erp_connection, o.number, e.credit_memo_amount, r.currency, r.refund_amount,
              r.currency, r.refund_amount - e.credit_memo_amount),
       r.refund_amount - e.credit_memo_amount,
       r.currency,
       coalesce(r.refunded_at, r.recorded_at),
       date_trunc('second', now() - coalesce(r.refunded_at, r.recorded_at)),
       'finance',
       null
  from o2c.erp_return e
  join o2c.canonical_return r on r.return_key = e.return_key
  left join o2c.canonical_order o on o.order_key = r.order_key
 where e.credit_memo_id is not null and e.credit_memo_amount is distinct from r.refund_amount
union all
select p.kind,
       coalesce(p.order_key, p.order_reference),
       case p.kind
           when 'payout_line_without_erp_order'
               then format('%s settlement %s paid out %s %s for %s, which no order posted in the ERP carries',
                           p.channel, p.settlement_id, p.amount, p.currency, p.order_reference)
           when 'amount_differs'
               then format('%s settlement %s paid out %s %s for %s, %s %s from the customer deposit recorded in the ERP',
                           p.channel, p.settlement_id, p.amount, p.currency, p.order_reference, p.difference, p.currency)
           when 'settled_without_deposit'
               then format('%s settlement %s paid out %s %s for %s, posted in the ERP with no customer deposit recorded',
                           p.channel, p.settlement_id, p.amount, p.currency, p.order_reference)
           else format('%s captured %s %s for %s, deposited in the ERP, and no payout has settled it',
                       p.channel, p.amount, p.currency, p.order_reference) end,
       coalesce(p.difference, p.amount),
       p.currency,
       p.since,
       date_trunc('second', p.age),
       p.owner,
       null
  from o2c.payout_gaps p;

grant select on o2c.reconciliation_gaps to o2c_analyst, o2c_admin;
