-- Engine throughput (issue 13): a workflow's last step is a HOT update again.
-- instance_open (0003) indexed the open workflows by a predicate on status, and PostgreSQL
-- counts a column in an index's predicate as indexed: the update that finishes a workflow
-- (status active -> done) could never be HOT and wrote new entries into the primary key and the
-- unique (workflow, business_key) index, 43,000 instructions per workflow (callgrind of one
-- backend, the bench's 3-step pipeline: 6 % of PostgreSQL's work per step). The open workflows
-- are found without it: the active ones each have their row in o2c.step, those in exception
-- are in instance_exception (exception_since is set exactly while in exception). The readers
-- that used it (o2c.order_bottlenecks, o2c.sync_health's pollers) start from those two now.
drop index if exists o2c.instance_open;
