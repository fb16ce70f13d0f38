-- Engine throughput (issue 13): room on each o2c.instance page for its rows' next versions.
-- A workflow's instance row is rewritten at each step it completes, and workflows started
-- together (a poller's batch, a bulk start) sit together on a page and move on together. With
-- 20 % of the page free only the first few of them fitted there as HOT updates; the rest moved
-- to other pages and wrote new entries into all three of the table's indexes (the unique
-- (workflow, business_key) one checking the old versions as it went): 61,000 instructions per
-- update, 16 % of PostgreSQL's work per step in the bench drain (callgrind of one backend).
-- Half the page free keeps nearly all of them HOT. The cost is space: finished workflows' pages
-- stay about half full (new rows only; existing pages keep their layout).
alter table o2c.instance set (fillfactor = 50);
