-- The engine demo's figures as one JSON object (var/demo/summary.json).
with w as (select * from o2c.instance where workflow = 'engine_demo'),
     e as (select e.* from o2c.event e join w on w.id = e.workflow_id)
select jsonb_pretty(jsonb_build_object(
    'pipeline', 'engine_demo',
    'workflows_started', (select count(*) from w),
    'done', (select count(*) from w where status = 'done'),
    'exceptions', (select count(*) from w where status = 'exception'),
    'exceptions_by_category', coalesce((select jsonb_object_agg(category, n) from
        (select exception_category as category, count(*) as n from w where status = 'exception' group by 1) c), '{}'),
    'lost', (select count(*) from w where status = 'active'),
    'steps_completed', (select count(*) from e where outcome not in ('start', 'lease_expired', 'redrive', 'cancel')),
    'steps_redone_after_kill', (select count(*) from e where outcome = 'lease_expired'),
    'duplicate_step_completions', (select count(*) from (select workflow_id, from_state from e where outcome = 'ok'
                                                          group by 1, 2 having count(*) > 1) d),
    'retries', (select count(*) from e where outcome = 'retry'),
    'throttled', (select count(*) from e where outcome = 'throttled'),
    'seconds', round((:t1 - :t0)::numeric, 1)
));
