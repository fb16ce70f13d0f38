-- make demo (tools/demo/run): point the connections at the sandboxes, load the mapping tables from
-- the NetSuite sandbox's catalogue, and start from a clean slate.
-- Variables: netsuite_url, centra_url, seed_file (GET /_sandbox/seed of the NetSuite sandbox).

-- The demo points the connections at its sandboxes and drops its pipelines' workflows: never in a
-- database whose connections lead to real systems.
do $$
declare
    v_urls text;
begin
    select string_agg(format('%s at %s', name, base_url), ', ') into v_urls
      from o2c.connection
     where name in ('netsuite', 'centra') and base_url !~ '^http://127\.0\.0\.1:[0-9]+$';
    if v_urls is not null then
        raise exception 'demo: this database''s connections lead to real systems (%); the demo runs only where they are unset or lead to local sandboxes', v_urls;
    end if;
end
$$;

-- A rerun against the same database starts over: the sandboxes are new, so are their order numbers.
begin;
create temp table demo_old on commit drop as
select id from o2c.instance where workflow in ('order_to_cash', 'order_cancellation', 'centra_order_poll');
delete from o2c.connection_lease where instance_id in (select id from demo_old);
delete from o2c.step where instance_id in (select id from demo_old);
delete from o2c.event where workflow_id in (select id from demo_old);
delete from o2c.instance where id in (select id from demo_old);
commit;

update o2c.connection
   set base_url = case name when 'netsuite' then :'netsuite_url' else :'centra_url' end,
       paused = false, throttled_until = '-infinity'
 where name in ('netsuite', 'centra');

\set seed `cat :'seed_file'`
select set_config('o2c.seed', :'seed', false) \g /dev/null
\ir nordtrail_mappings.sql
