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
--                                 exception, or older than an hour)
--   credit_memo_differs           a credit memo whose amount is not the storefront's refund

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
              o.number, coalesce(': ' || w.exception_message, '')),
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
   and not exists (select from o2c.erp_return e where e.return_key = r.return_key and e.credit_memo_id is not null)
   and (w.status = 'exception' or coalesce(r.refunded_at, r.recorded_at) < now() - interval '1 hour')
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
 where e.credit_memo_id is not null and e.credit_memo_amount is distinct from r.refund_amount;

grant select on o2c.reconciliation_gaps to o2c_analyst, o2c_admin;
