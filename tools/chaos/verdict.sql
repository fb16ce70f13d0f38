-- make chaos's verdict from var/chaos/summary.json: "lost duplicates total_mismatches", all must
-- be 0; a figure missing from the summary prints as -1, so it never passes as 0. Variable: dir.
\set summary_text `cat :'dir'/summary.json`
select coalesce((:'summary_text')::jsonb->>'lost', '-1'),
       coalesce((:'summary_text')::jsonb->>'duplicates', '-1'),
       coalesce((:'summary_text')::jsonb->>'total_mismatches', '-1');
