-- Engine throughput (issue 13): a runner may run a step on through states that call no
-- connection under one lease and complete the chain at once (o2c.complete's p_chains). The
-- function gained that argument; its old nine-argument form would stay beside the new one (the
-- API files are applied with `create or replace`) and make every nine-argument call ambiguous.
drop function if exists o2c.complete(text, bigint[], bigint[], text[], int[], int[], jsonb, jsonb, jsonb);
-- The same for o2c.run_sql_action_for_workflow, which gained the chain's pending patch.
drop function if exists o2c.run_sql_action_for_workflow(text, bigint, jsonb);
