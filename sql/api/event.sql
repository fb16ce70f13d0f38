-- The history: one row per transition and per admin act (actor = the database user).

create or replace view o2c.events as
select e.id, e.workflow_id, e.at, e.from_state, e.to_state, e.outcome, e.attempt, e.runner,
       e.duration_ms, e.detail, e.actor, e.claimed_at
  from o2c.event e;

grant select on o2c.events to o2c_analyst, o2c_admin;
