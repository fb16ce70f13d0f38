-- make demo's printed summary, for a finance lead: the figures of var/demo/summary.json
-- (tools/demo/summary.sql), laid out as text. Variable: dir (var/demo). Run with psql -At.
-- The ERP is the summary's: its name replaces "NetSuite" in the text, its keys are named for it.

\set summary_text `cat :'dir'/summary.json`
create temp table s as select (:'summary_text')::jsonb as j;
select case when j->>'demo' = 'order_to_cash_sage200' then 'sage200' else 'netsuite' end as erp,
       case when j->>'demo' = 'order_to_cash_sage200' then 'Sage 200' else 'NetSuite' end as erp_name
  from s \gset
create function pg_temp.n(v jsonb) returns text language sql immutable
    as $$ select coalesce(to_char((v #>> '{}')::numeric, 'FM999,999,999,990'), '-') $$;
create function pg_temp.money(v jsonb) returns text language sql immutable
    as $$ select coalesce(to_char((v #>> '{}')::numeric, 'FM999,999,999,990.00'), '-') $$;
create function pg_temp.plural(v jsonb, noun text) returns text language sql immutable
    as $$ select format('%s %s%s', pg_temp.n(v), noun, case when (v #>> '{}') = '1' then '' else 's' end) $$;
create function pg_temp.line(label text, v jsonb) returns text language sql immutable
    as $$ select format('  %-52s %10s', label, pg_temp.n(v)) $$;

\echo
select format('== Order to cash: one trading day, Centra store 1 -> %s (%s orders settled in %s s)', :'erp_name',
              pg_temp.n(j->'orders_placed'), j->>'seconds') from s;
\echo
\echo 'Orders'
select replace(line, 'NetSuite', :'erp_name') from s, lateral (values
    (1, pg_temp.line('placed in Centra', j->'orders_placed')),
    (2, pg_temp.line('  with more than one line', j->'multi_line_orders')),
    (3, pg_temp.line('  from customers already in NetSuite', j->'orders_from_existing_customers')),
    (4, pg_temp.line('  from new customers (created in NetSuite first)', j->'orders_from_new_customers')),
    (5, pg_temp.line('posted to NetSuite as sales orders', j->'posted')),
    (6, pg_temp.line('cancelled in Centra before they were posted', j->'cancelled_before_posting')),
    (7, pg_temp.line('cancelled after posting: sales order closed', j->'closed_after_cancellation')),
    (8, pg_temp.line('waiting for someone to act (exceptions, below)', j->'exceptions')),
    (9, pg_temp.line('lost (neither posted, cancelled nor in an exception)', j->'lost'))
) as t(k, line) order by k;
\echo
select :'erp_name' || ', by its own count';
select line from s, lateral (values
    (1, pg_temp.line('sales orders', j->'sales_orders')),
    (2, pg_temp.line('customers created', j->'customers_created')),
    (3, pg_temp.line('duplicate external ids (records made twice)', j->'duplicate_external_ids')),
    (4, pg_temp.line('duplicate order numbers', j->'duplicate_order_numbers'))
) as t(k, line) order by k;
\echo
select format('Money per currency  %9s %18s %18s %18s %11s', 'orders', 'placed in Centra', 'posted (Centra)', 'in ' || :'erp_name', 'difference');
select format('  %-17s %9s %18s %18s %18s %11s', c->>'currency', pg_temp.n(c->'orders'), pg_temp.money(c->'value'),
              pg_temp.money(m->'centra_charged'), pg_temp.money(m->(:'erp' || '_total')), pg_temp.money(m->'difference'))
  from s, jsonb_array_elements(j->'orders_placed_by_currency') c
  left join lateral (select m from jsonb_array_elements(j->'money_posted') m where m->>'currency' = c->>'currency') mm on true
 order by c->>'currency';
select case when :'erp_name' = 'Sage 200'
            then format('  (%s orders cancelled afterwards: their sales orders are deleted in %s, and not counted here)',
                        j->>'closed_after_cancellation', :'erp_name')
            else format('  (posted includes the %s orders cancelled afterwards; their sales orders are closed in %s)',
                        j->>'closed_after_cancellation', :'erp_name') end
  from s where (j->>'closed_after_cancellation')::int > 0;
\echo
\echo 'Exceptions: each has an owner; fix the cause, then re-drive with the SQL shown'
select format(E'  %-22s owner %-12s %15s\n      e.g. %s\n      re-drive: %s',
              x->>'category', x->>'owner', pg_temp.plural(x->'workflows', 'workflow'),
              x->>'example', x->>'redrive_sql')
  from s, jsonb_array_elements(j->'exceptions_by_category') x;
select '  none' from s where jsonb_array_length(j->'exceptions_by_category') = 0;
select replace(format(E'\nFixing one (%s, workflow %s): NetSuite has no item for the SKU yet. Once ops has set the\n'
              'item up in NetSuite, they map it and re-drive the order, which is then mapped again and posted:\n'
              '  %s\n  %s',
              j#>>'{fix_example,business_key}', j#>>'{fix_example,workflow_id}',
              coalesce(j#>>'{fix_example,fix_sql}', '(see the message above)'), j#>>'{fix_example,redrive_sql}'),
              'NetSuite', :'erp_name')
  from s where j->'fix_example' <> 'null';
\echo
\echo 'API calls and throttling (o2c.api_performance, last hour)'
select format('  %-9s %-26s %6s %6s %6s %7s %9s %6s %9s %7s', 'system', 'action', 'calls', 'p50ms', 'p95ms',
              'max ms', 'throttled', 'locked', 'transient', 'refused');
select format('  %-9s %-26s %6s %6s %6s %7s %9s %6s %9s %7s', a->>'connection', a->>'action', pg_temp.n(a->'calls'),
              a->>'p50_ms', a->>'p95_ms', a->>'max_ms', a->>'throttled', a->>'locked', a->>'transient_errors',
              a->>'refused')
  from s, jsonb_array_elements(j->'api') a;
select format('  %s sandbox: %s requests; refused over its concurrency limit: %s; at most %s calls in flight '
              '(o2c''s limit for the connection: %s)',
              :'erp_name', pg_temp.n(j->(:'erp' || '_sandbox')->'requests'), pg_temp.n(j->(:'erp' || '_sandbox')->'throttled'),
              j->(:'erp' || '_sandbox')->>'max_concurrency', j->(:'erp' || '_sandbox')->>'connection_limit')
  from s;
select format('    faults injected (%s): %s', j->(:'erp' || '_sandbox')->>'faults',
              (select string_agg(format('%s %s', key, value), ', ' order by key)
                 from jsonb_each_text(j->(:'erp' || '_sandbox')->'faults_injected') where value <> '0'))
  from s;
select format('  Centra sandbox: %s requests; throttled by its rate limits: %s', pg_temp.n(j#>'{centra_sandbox,requests}'),
              pg_temp.n(j#>'{centra_sandbox,throttled}'))
  from s;
select format('    faults injected (%s): %s', j#>>'{centra_sandbox,faults}',
              (select string_agg(format('%s %s', key, value), ', ' order by key)
                 from jsonb_each_text(j#>'{centra_sandbox,faults_injected}') where value <> '0'))
  from s;
\echo
select format('Runner a was killed with SIGKILL halfway, holding %s; %s taken over by a runner after the lease '
              'expired; %s writes completed twice: %s.',
              pg_temp.plural(j#>'{runner_kill,leases_held}', 'step'),
              pg_temp.plural(j#>'{runner_kill,steps_redone_after_lease_expired}', 'step'),
              :'erp_name', j->>'writes_completed_twice')
  from s;
-- The day's other flows (tools/demo/flows/*.sh), each line only when its flow ran on this ERP.
\echo
\echo 'The rest of the day'
select replace(line, 'NetSuite', :'erp_name') from s, lateral (values
    (1, 'fulfilments', format('  Fulfilment: %s in NetSuite, %s Centra shipments, %s shopper notifications, %s duplicate shipments; %s in exception',
                              pg_temp.n(j->'fulfilments'), pg_temp.n(j->'shipments'), pg_temp.n(j->'shipment_notifications'),
                              pg_temp.n(j->'duplicate_shipments'), pg_temp.n(j->'fulfilment_exceptions'))),
    (2, 'refunds', format('  Refunds and returns: %s refunds without goods, %s returns with goods -> %s credit %s, %s customer refunds; '
                          'refunded in Centra minus credited in NetSuite: %s',
                          pg_temp.n(j->'refunds'), pg_temp.n(j->'returns'), pg_temp.n(j->'credit_memos'),
                          case when :'erp' = 'sage200' then 'notes' else 'memos' end,
                          pg_temp.n(j->'customer_refunds'), j->>'refund_difference')),
    (3, 'reconciliation_gaps', format('  Reconciliation gaps (o2c.reconciliation_gaps, finance): %s', pg_temp.n(j->'reconciliation_gaps'))),
    (4, 'stock_levels_compared', format('  Stock: %s SKU x warehouse levels in Centra compared with the formula, %s drifting; '
                                        'units sold beyond stock %s; last good sync %s s before the end',
                                        pg_temp.n(j->'stock_levels_compared'), pg_temp.n(j->'inventory_drift'),
                                        pg_temp.n(j->'oversold_units'), coalesce(j->>'stock_sync_age_s', '-'))),
    (5, 'items_created', format('  Item master: %s NetSuite item changes read, %s in Centra, %s new SKUs mapped, %s in exception',
                                pg_temp.n(j->'item_changes_read'), pg_temp.n(j->'items_in_storefront'),
                                pg_temp.n(j->'skus_mapped_by_item_master'), pg_temp.n(j->'item_exceptions'))),
    (6, 'settlements', format('  Payouts and settlements: %s read, %s posted as %s journals (%s unbalanced); clearing account remainder %s; '
                              'payout gaps %s',
                              pg_temp.n(j->'settlements'), pg_temp.n(j->'settlements_posted'), pg_temp.n(j->'journals'),
                              pg_temp.n(j->'journals_unbalanced'), j->>'clearing_remainder', pg_temp.n(j->'payout_gaps'))),
    (7, 'customers_imported', format('  Customers: %s read from NetSuite''s directory before the day; NetSuite calls per posted order: '
                                     '%s for customer and sales order (the least these shoppers allow: %s), %s with the payment''s deposit',
                                     pg_temp.n(j->'customers_imported'), j->>'netsuite_calls_per_order_posting',
                                     coalesce(j->>'netsuite_calls_per_order_floor', '?'), j->>'netsuite_calls_per_order'))
) as t(k, key, line) where j ? key order by k;
-- Sage 200's own day (tools/demo/flows/sage200.sh), and what the day did not play on this ERP.
select format(E'\nSage 200: customer accounts %s held open in the desktop client by %s for %s s: %s calls '
              'refused as in use (each retried), %s re-driven from record_locked; their %s orders all posted: %s. '
              'Creates whose answer was lost: %s; calls refused while the tunnel was down: %s; request bodies '
              'refused by the OpenAPI check: %s; duplicate document numbers: %s.',
              j#>>'{record_locks,accounts}', j#>>'{record_locks,user}', j#>>'{record_locks,held_s}',
              j#>>'{record_locks,locked_refusals}', j#>>'{record_locks,exceptions_redriven}',
              j#>>'{record_locks,orders_of_locked_accounts}',
              case when j#>'{record_locks,orders_of_locked_accounts}' = j#>'{record_locks,orders_of_locked_accounts_posted}'
                   then 'yes' else 'NO' end,
              j->>'lost_answers', j->>'tunnel_refusals', j->>'refused_bodies', j->>'duplicate_document_numbers')
  from s where j ? 'record_locks';
select format('Not played on %s (no %s side yet): %s.', :'erp_name', :'erp_name',
              (select string_agg(f, ', ') from jsonb_array_elements_text(j->'flows_not_on_this_erp') f))
  from s where j ? 'flows_not_on_this_erp';
