-- make demo (tools/demo/run): point the connections at the sandboxes, load the mapping tables from
-- the ERP sandbox's catalogue, and start from a clean slate.
-- Variables: erp (netsuite or sage200), erp_url, centra_url, seed_file (GET /_sandbox/seed of the
-- ERP sandbox). Without erp: NetSuite at netsuite_url (as make chaos and the bench call it).

\if :{?erp}
\else
\set erp netsuite
\set erp_url :netsuite_url
\endif
select set_config('o2c.demo_erp', :'erp', false) \g /dev/null

-- The demo points the connections at its sandboxes and drops its pipelines' workflows: never in a
-- database whose connections lead to real systems.
do $$
declare
    v_urls text;
begin
    select string_agg(format('%s at %s', name, base_url), ', ') into v_urls
      from o2c.connection
     where name in (current_setting('o2c.demo_erp'), 'centra') and base_url !~ '^http://127\.0\.0\.1:[0-9]+$';
    if v_urls is not null then
        raise exception 'demo: this database''s connections lead to real systems (%); the demo runs only where they are unset or lead to local sandboxes', v_urls;
    end if;
end
$$;

-- A rerun against the same database starts over: the sandboxes are new, so are their order
-- numbers, customers, items and stock. Everything o2c learnt from the last day's sandboxes (the
-- workflows, canonical records, ERP links, what was sent) goes; what people set up stays: the
-- connections, mapping tables and their history, pipelines, schedules, settlement posting model.
do $$
declare
    v_tables text;
begin
    select string_agg(format('o2c.%I', c.relname), ', ' order by c.relname) into v_tables
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'o2c' and c.relkind in ('r', 'p') and not c.relispartition
       and c.relname not in ('connection', 'currency', 'currency_map', 'erp_setting', 'failure_category', 'gl_account',
                             'lane', 'location_map', 'mapping_history', 'payment_map', 'pricelist_map', 'schedule',
                             'schema_migration', 'settlement_channel', 'settlement_mapping', 'sku_map', 'stock_buffer',
                             'tax_map', 'warehouse_map', 'workflow_state', 'workflow_transition', 'workflow_version',
                             'gl_account_map', 'sage200_order_default', 'payment_account_map');
    execute 'truncate ' || v_tables || ' cascade';
    delete from o2c.sku_map where note = 'made by the item master';
end
$$;

update o2c.connection
   set base_url = case name when 'centra' then :'centra_url' else :'erp_url' end,
       paused = false, throttled_until = '-infinity'
 where name in (:'erp', 'centra');

\set seed `cat :'seed_file'`
select set_config('o2c.seed', :'seed', false) \g /dev/null
select :'erp' = 'sage200' as on_sage200 \gset
\if :on_sage200
\ir sage200_mappings.sql
\else
\ir nordtrail_mappings.sql
\endif
