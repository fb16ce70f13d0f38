-- make chaos's verdict as one JSON object (var/chaos/summary.json). Variables: dir (var/chaos,
-- holding placed.txt, netsuite-stats.json, netsuite-sales-orders.json), kills, restarts, settled.
\set placed_text `cat :'dir'/placed.txt`
\set ns_stats_text `cat :'dir'/netsuite-stats.json`
\set ns_orders_text `cat :'dir'/netsuite-sales-orders.json`

create temp table placed as
select distinct jsonb_array_elements_text(l::jsonb->'orders') as number
  from regexp_split_to_table(:'placed_text', '\n') l where btrim(l) <> '';

create temp table ns_order as
select r->>'externalId' as external_id, r->'total' as total
  from jsonb_array_elements((:'ns_orders_text')::jsonb->'records') r;

create temp table o2c_order as
select i.status, i.state, i.context, i.context#>>'{order,number}' as number,
       o2c.centra_money(i.context#>'{order,grandTotal}') as grand_total
  from o2c.instance i where i.workflow = 'order_to_cash';

select json_build_object(
    'orders', (select count(*) from placed),
    'runner_kills', :kills,
    'database_restarts', :restarts,
    'settled', :settled = 1,
    'posted', (select count(*) from o2c_order where state = 'posted'),
    'exceptions', (select count(*) from o2c.exceptions where workflow in ('order_to_cash', 'order_cancellation', 'centra_order_poll')),
    'exceptions_by_category', coalesce((select json_object_agg(category, n) from
        (select category, count(*) as n from o2c.exceptions group by category) e), '{}'),
    'cancelled', (select count(*) from o2c_order where state = 'cancelled_before_posting')
                 + (select count(*) from o2c.instance where workflow = 'order_cancellation' and state = 'closed'),
    -- Placed, yet neither posted, cancelled nor in an exception.
    'lost', (select count(*) from placed p
              where not exists (select from o2c_order o where o.number = p.number and o.status <> 'active')),
    'duplicates', ((:'ns_stats_text')::jsonb->>'duplicate_external_ids')::int,
    -- Posted orders whose NetSuite total is not what Centra charged.
    'total_mismatches', (select count(*) from o2c_order o
                          left join ns_order n on n.external_id = o.context->>'sales_order_external_id'
                         where o.state = 'posted'
                           and (jsonb_typeof(n.total) is distinct from 'number' or (n.total::text)::numeric <> o.grand_total)),
    'steps_redone_after_lease_expired', (select count(*) from o2c.event where outcome = 'lease_expired'));
