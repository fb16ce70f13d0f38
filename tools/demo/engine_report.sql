-- The engine demo's printed summary.
\pset format aligned
\pset tuples_only off
\pset footer off
\echo
\echo '== o2c engine demo: what happened'
with w as (select * from o2c.instance where workflow = 'engine_demo'),
     e as (select e.* from o2c.event e join w on w.id = e.workflow_id)
select * from (values
    ('workflows started', (select count(*) from w)::text),
    ('done', (select count(*) from w where status = 'done')::text),
    ('in exception (with an owner)', (select count(*) from w where status = 'exception')::text),
    ('lost (neither done nor in exception)', (select count(*) from w where status = 'active')::text),
    ('steps completed', (select count(*) from e where outcome not in ('start', 'lease_expired', 'redrive', 'cancel'))::text),
    ('steps redone after the kill (lease expired)', (select count(*) from e where outcome = 'lease_expired')::text),
    ('steps completed twice', (select count(*) from (select 1 from e where outcome = 'ok'
                                                     group by workflow_id, from_state having count(*) > 1) d)::text),
    ('transient errors retried', (select count(*) from e where outcome = 'retry')::text),
    ('throttled waits (no attempt used)', (select count(*) from e where outcome = 'throttled')::text)
) as t(" ", "count");
\echo
\echo '== exceptions by category: fix the cause, then re-drive with the SQL shown'
select category, owner, severity, count(*) as workflows,
       format('select o2c.redrive(workflow_id) from o2c.exceptions where category = %L;', category) as "re-drive them all",
       min(message) as "example message"
  from o2c.exceptions where workflow = 'engine_demo'
 group by 1, 2, 3 order by 4 desc;
