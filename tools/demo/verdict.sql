-- make demo's verdict from var/demo/summary.json: "lost duplicate_external_ids", both must be 0.
-- A figure missing from the summary prints as -1, so it can never pass as 0. Variable: dir.
\set summary_text `cat :'dir'/summary.json`
select coalesce((:'summary_text')::jsonb->>'lost', '-1'),
       coalesce((:'summary_text')::jsonb->>'duplicate_external_ids', '-1');
