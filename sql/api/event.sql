-- The history: one row per transition and per admin act (actor = the database user).

create or replace view o2c.events as
select e.id, e.workflow_id, e.at, e.from_state, e.to_state, e.outcome, e.attempt, e.runner,
       e.duration_ms, e.detail, e.actor, e.claimed_at
  from o2c.event e;

grant select on o2c.events to o2c_analyst, o2c_admin;

-- How the remote systems answer: per connection and action, over the last hour and the last day,
-- the calls made, latency percentiles (the action's duration), and how many were throttled,
-- hit a record lock, failed transiently or were refused for good. One row per window.
create or replace view o2c.api_performance as
with calls as (
    select e.at, e.outcome, e.duration_ms, st.connection, st.action
      from o2c.event e
      join o2c.instance i on i.id = e.workflow_id
      join o2c.workflow_state st on (st.workflow, st.version, st.state) = (i.workflow, i.version, e.from_state)
     where e.at > now() - interval '1 day'
       and e.runner is not null                       -- steps a runner ran, not admin acts
       and e.outcome not in ('lease_expired')
       and st.connection is not null
),
windows(name, since) as (
    values ('last hour', now() - interval '1 hour'), ('last day', now() - interval '1 day')
)
select c.connection, c.action, w.name as period,
       count(*) as calls,
       round(percentile_cont(0.5) within group (order by c.duration_ms)) as p50_ms,
       round(percentile_cont(0.95) within group (order by c.duration_ms)) as p95_ms,
       round(percentile_cont(0.99) within group (order by c.duration_ms)) as p99_ms,
       max(c.duration_ms) as max_ms,
       count(*) filter (where c.outcome = 'throttled') as throttled,
       count(*) filter (where c.outcome = 'locked') as locked,
       count(*) filter (where c.outcome = 'retry') as transient_errors,
       count(*) filter (where c.outcome = 'failed') as refused,
       round(100.0 * count(*) filter (where c.outcome in ('throttled', 'locked', 'retry', 'failed')) / count(*), 1)
           as not_ok_percent
  from calls c
  join windows w on c.at > w.since
 group by c.connection, c.action, w.name;

grant select on o2c.api_performance to o2c_analyst, o2c_admin;
