-- Statements the o2c command line sends for people at a terminal.

-- name: status
select w.workflow, w.status, count(*) as workflows, max(w.updated_at) as last_change
  from o2c.workflows w
 group by w.workflow, w.status
 order by w.workflow, w.status;

-- name: exceptions
select workflow_id, workflow, business_key, state, category, severity, owner, message,
       to_char(since, 'YYYY-MM-DD HH24:MI:SS') as since
  from o2c.exceptions
 order by since;

-- name: redrive
select o2c.redrive($1::bigint, $2::text);

-- name: cancel
select o2c.cancel($1::bigint, $2::text);
