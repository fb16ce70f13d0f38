-- Finished workflows for the claim-at-scale measurement: bench_history workflows :from..:to,
-- status done, with their two events (start, ok), made directly in SQL.
with made as (
    insert into o2c.instance (workflow, version, business_key, state, status, created_at, updated_at)
    select 'bench_history', 1, 'h' || g, 'done', 'done', now() - interval '1 day', now() - interval '1 day'
      from generate_series(:from, :to) g
    returning id, created_at
)
insert into o2c.event (workflow_id, at, from_state, to_state, outcome, attempt, runner, claimed_at, duration_ms, actor)
select m.id, m.created_at, null, 'a', 'start', 0, null, null, null, 'bench'
  from made m
union all
select m.id, m.created_at + interval '5 ms', 'a', 'done', 'ok', 1, 'bench-history', m.created_at + interval '2 ms', 0, null
  from made m;
