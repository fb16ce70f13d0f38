-- make demo's figures as one JSON object (var/demo/summary.json); tools/demo/report.sql prints them.
-- Money is decimal text, never a float. Variables:
--   erp            netsuite or sage200 (make demo ERP=…); workflow, its order to cash pipeline
--   dir            var/demo, holding placed.txt (the answers of POST /_sandbox/orders, one a line),
--                  <erp>-stats.json, <erp>-stats-start.json, centra-stats.json (GET /_sandbox/stats)
--                  and <erp>-sales-orders.json (GET /_sandbox/records/salesOrder, …/sop_orders)
--   t_day, t_settled  epoch seconds: first order placed, every order settled
--   killed_leases  steps runner a held when it was killed
--   erp_faults, centra_faults  the sandboxes' --faults
-- The ERP's own figures are named for it (customers_in_<erp>, <erp>_total, <erp>_sandbox); the
-- rest are the same keys for every ERP.

\set placed_text `cat :'dir'/placed.txt`
\set erp_stats_text `cat :'dir'/:'erp'-stats.json`
\set erp_start_text `cat :'dir'/:'erp'-stats-start.json`
\set centra_stats_text `cat :'dir'/centra-stats.json`
\set erp_orders_text `cat :'dir'/:'erp'-sales-orders.json`

-- Every order number Centra answered when the shoppers placed them.
create temp table placed as
select distinct (jsonb_array_elements_text(l::jsonb->'orders'))::int as number
  from regexp_split_to_table(:'placed_text', '\n') l
 where btrim(l) <> '';

-- The ERP's sales orders (external id: what o2c keys them by, the order number) and its own counts.
select :'erp' = 'sage200' as on_sage200 \gset
\if :on_sage200
create temp table erp_order as
select r->>'customer_document_no' as external_id, to_jsonb((r->>'total_gross_value')::numeric) as total, r
  from jsonb_array_elements((:'erp_orders_text')::jsonb) r;
create temp table erp_count as
select (s#>>'{records,sop_orders}')::int as sales_orders,
       (s#>>'{records,customers}')::int - ((:'erp_start_text')::jsonb#>>'{records,customers}')::int as customers_created,
       (s#>>'{records,customers}')::int as customers,
       (s->>'duplicate_customer_document_nos')::int as duplicate_external_ids,
       (s->>'duplicate_customer_document_nos')::int as duplicate_order_numbers, s
  from (select (:'erp_stats_text')::jsonb as s) x;
\else
create temp table erp_order as
select r->>'externalId' as external_id, r->'total' as total, r
  from jsonb_array_elements((:'erp_orders_text')::jsonb->'records') r;
create temp table erp_count as
select (s#>>'{records_by_type,salesOrder}')::int as sales_orders,
       (s#>>'{created_by_type,customer}')::int as customers_created,
       (s#>>'{records_by_type,customer}')::int as customers,
       (s->>'duplicate_external_ids')::int as duplicate_external_ids,
       (s->>'duplicate_order_numbers')::int as duplicate_order_numbers, s
  from (select (:'erp_stats_text')::jsonb as s) x;
\endif

create temp table demo_wf as
select * from o2c.instance where workflow in (:'workflow', :'cancel_workflow', 'centra_order_poll');

create temp table o2c_order as
select i.id, i.status, i.state, i.business_key, i.context,
       (i.context#>>'{order,number}')::int as number,
       i.context#>>'{order,currency,code}' as currency,
       o2c.centra_money(i.context#>'{order,grandTotal}') as grand_total,
       jsonb_array_length(coalesce(i.context#>'{order,lines}', '[]')) as lines
  from demo_wf i where i.workflow = :'workflow';

-- One top-level figure a line, in the order written below (json keeps it; jsonb would not).
create function pg_temp.pretty(j json) returns text language sql immutable as $$
    select E'{\n' || string_agg(format('  %s: %s', to_json(key), value), E',\n' order by n) || E'\n}'
      from json_each(j) with ordinality as e(key, value, n)
$$;

create temp table demo_event as
select e.*, w.workflow from o2c.event e join demo_wf w on w.id = e.workflow_id;

with ns as (select * from erp_count),
     ce as (select (:'centra_stats_text')::jsonb as s),
     cancel as (select * from demo_wf where workflow = :'cancel_workflow'),
     -- Placed in Centra, yet no order_to_cash for it, or one still at work: neither posted,
     -- cancelled nor in an exception.
     lost as (select number from placed p
               where not exists (select from o2c_order o where o.number = p.number and o.status <> 'active')),
     exc as (select * from o2c.exceptions where workflow_id in (select id from demo_wf)),
     money as (
        select o.currency,
               count(*) as orders,
               sum(o.grand_total) as centra_charged,
               sum(case when jsonb_typeof(n.total) = 'number' then (n.total::text)::numeric end) as erp_total,
               count(n.external_id) filter (where jsonb_typeof(n.total) = 'number') as with_total
          from o2c_order o
          left join erp_order n on n.external_id = o.context->>'sales_order_external_id'
         where o.state = 'posted'
           -- a sales order deleted after a cancellation (Sage 200) holds no money any more
           and not exists (select from cancel c where c.business_key = o.business_key || ':cancel' and c.state = 'deleted')
         group by o.currency),
     placed_by_currency as (
        select currency, count(*) as orders, sum(grand_total) as value
          from o2c_order group by currency),
     api as (
        select * from o2c.api_performance where period = 'last hour'),
     fix as (
        select e.workflow_id, e.business_key, e.message,
               substring(e.message from 'insert into o2c\.sku_map [^;]*;') as fix_sql,
               e.redrive_sql
          from exc e where e.category = 'unmapped_sku' order by e.workflow_id limit 1)
select pg_temp.pretty(json_build_object(
    'demo', :'workflow',
    -- The headline figures: every order placed is posted, cancelled or in an exception (lost 0),
    -- and the ERP holds each record once (duplicate_external_ids 0; Sage 200: by customer_document_no).
    'orders_placed', (select (s#>>'{records,orders}')::int from ce),
    'sales_orders', (select sales_orders from ns),
    'customers_created', (select customers_created from ns),
    'duplicate_external_ids', (select duplicate_external_ids from ns),
    'exceptions', (select count(*) from exc),
    'lost', (select count(*) from lost),
    'seconds', round((:t_settled - :t_day)::numeric, 1),
    -- Orders, as o2c saw them.
    'orders_read_by_poller', (select count(*) from o2c_order),
    'orders_placed_by_currency', coalesce((select jsonb_agg(jsonb_build_object(
            'currency', currency, 'orders', orders, 'value', value::text) order by currency)
        from placed_by_currency), '[]'),
    'multi_line_orders', (select count(*) from o2c_order where lines > 1),
    'orders_from_existing_customers', (select count(distinct workflow_id) from demo_event
                                        where from_state in ('linked_customer', 'find_customer', 'find_duplicate', 'customer')
                                          and outcome = 'found'),
    'orders_from_new_customers', (select count(distinct workflow_id) from demo_event
                                   where (from_state = 'create_customer' and outcome = 'ok')
                                      or (from_state = 'customer' and outcome = 'created')),
    'posted', (select count(*) from o2c_order where state = 'posted'),
    'cancelled_before_posting', (select count(*) from o2c_order where state = 'cancelled_before_posting'),
    'closed_after_cancellation', (select count(*) from cancel where state in ('closed', 'lines_closed', 'lines_changed', 'deleted')),
    'cancellations', (select count(*) from cancel),
    'cancellations_by_state', coalesce((select jsonb_object_agg(state, n) from
        (select state, count(*) as n from cancel group by state) c), '{}'),
    'lost_orders', coalesce((select jsonb_agg(number order by number) from
        (select number from lost order by number limit 20) l), '[]'),
    -- The ERP, by the sandbox's own count.
    'customers_in_' || :'erp', (select customers from ns),
    'duplicate_order_numbers', (select duplicate_order_numbers from ns),
    -- An ERP write (customer, sales order, close) that completed more than once for one workflow.
    'writes_completed_twice', (select count(*) from (
        select 1 from demo_event where (from_state in ('create_customer', 'sales_order', 'close', 'close_lines', 'change_lines', 'ask_erp', 'delete')
                                        and outcome = 'ok') or (from_state = 'customer' and outcome = 'created')
         group by workflow_id, from_state having count(*) > 1) d),
    -- Posted orders: what Centra charged against the sales orders' totals in the ERP.
    'money_posted', coalesce((select jsonb_agg(jsonb_build_object(
            'currency', currency, 'orders', orders,
            'centra_charged', centra_charged::text,
            :'erp' || '_total', case when with_total = orders then erp_total::text end,
            'difference', case when with_total = orders then (erp_total - centra_charged)::text end)
        order by currency) from money), '[]'),
    'exceptions_by_category', coalesce((select jsonb_agg(jsonb_build_object(
            'category', category, 'owner', owner, 'severity', severity, 'workflows', n,
            'example', example,
            'redrive_sql', format('select o2c.redrive(workflow_id) from o2c.exceptions where category = %L;', category))
        order by n desc, category) from (
            select category, owner, severity, count(*) as n, min(message) as example
              from exc group by category, owner, severity) x), '[]'),
    'fix_example', (select jsonb_build_object('workflow_id', workflow_id, 'business_key', business_key,
                                              'message', message, 'fix_sql', fix_sql, 'redrive_sql', redrive_sql)
                      from fix),
    'runner_kill', jsonb_build_object(
        'leases_held', :killed_leases,
        'steps_redone_after_lease_expired', (select count(*) from demo_event where outcome = 'lease_expired')),
    -- API calls and throttling: o2c's view of them, and each sandbox's.
    'api', coalesce((select jsonb_agg(jsonb_build_object(
            'connection', connection, 'action', action, 'calls', calls, 'p50_ms', p50_ms, 'p95_ms', p95_ms,
            'max_ms', max_ms, 'throttled', throttled, 'locked', locked, 'transient_errors', transient_errors,
            'refused', refused) order by connection, action) from api), '[]'),
    :'erp' || '_sandbox', (select jsonb_build_object(
            'faults', :'erp_faults',
            'requests', s->'requests_total',
            'throttled', s->'throttled',
            'faults_injected', s->'faults_injected',
            'max_concurrency', s->'max_concurrency',
            'connection_limit', (select max_concurrent from o2c.connection where name = :'erp'))
        from ns),
    'centra_sandbox', (select jsonb_build_object(
            'faults', :'centra_faults',
            'requests', s->'requests_total',
            'throttled', s->'throttled',
            'faults_injected', s->'faults_injected')
        from ce)
));
