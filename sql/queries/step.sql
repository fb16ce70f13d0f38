-- Statements the runner sends. Parameters are positional; see runner/queue.c.

-- name: claim
select workflow_id, lease_token, workflow, version, state, action, business_key, attempt,
       context, connection, lane, params, follows
  from o2c.claim($1, $2, $3, $4::text[], $5, $6::bigint[]);

-- name: run_sql_action
select o2c.run_sql_action_for_workflow($1, $2::bigint, $3::jsonb, $4::jsonb);

-- name: workflow_states
-- A workflow version's states and where each outcome leads, for the runner's chains: one row
-- per (state, outcome), or per state with outcome and target null when it has no transitions.
select state, action, params, lane, connection, terminal, outcome, target from o2c.workflow_states($1, $2::int);

-- name: complete
-- The runner, then the results as parallel arrays (runner/completion.h).
select o2c.complete($1, $2::bigint[], $3::bigint[], $4::text[], $5::int[], $6::int[], $7::jsonb, $8::jsonb,
                    $9::jsonb, $10::jsonb);

-- name: renew_leases
select o2c.renew_leases($1, $2::bigint[], $3::bigint[], $4);

-- name: next_due_ms
select greatest(0, extract(epoch from (o2c.next_due($1::text[]) - clock_timestamp())) * 1000)::bigint;

-- name: work_pending
select o2c.work_pending($1::text[], $2);

-- name: listen
listen o2c_work;
