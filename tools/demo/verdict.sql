-- make demo's verdict from var/demo/summary.json: "lost duplicate_external_ids calls_over_limit",
-- all must be 0. calls_over_limit: how many more calls the ERP's sandbox saw at once than o2c's
-- fleet-wide limit for that connection (max_concurrent) allows; 0 when the connection has none.
-- A figure missing from the summary prints as -1, so it can never pass as 0. Variables: dir, erp.
\set summary_text `cat :'dir'/summary.json`
select coalesce(s->>'lost', '-1'),
       coalesce(s->>'duplicate_external_ids', '-1'),
       case when jsonb_typeof(e->'max_concurrency') is distinct from 'number' then '-1'
            when jsonb_typeof(e->'connection_limit') is distinct from 'number' then '0'
            else greatest((e->>'max_concurrency')::int - (e->>'connection_limit')::int, 0)::text end
  from (select (:'summary_text')::jsonb as s) x
 cross join lateral (select x.s->(:'erp' || '_sandbox') as e) y;
