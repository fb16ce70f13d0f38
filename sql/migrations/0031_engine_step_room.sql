-- Engine throughput (issue 13, third pass): room on each o2c.step page for its rows' next
-- versions. A step row is rewritten twice per step (the claim leases it, the completion moves it
-- on), and a claim leases a page's rows together, in one transaction, so none of their old
-- versions can be pruned until it commits. With half the page free about 5 % of the updates
-- did not fit and wrote new entries into all three of the table's indexes (48,000 instructions
-- each: callgrind of one backend, tools/bench/backend instructions); with three quarters free
-- none did. o2c.step holds only the active workflows, so the space this costs is small. New
-- rows only: the table's rows come and go with the workflows, so it takes effect as work flows.
alter table o2c.step set (fillfactor = 25);
