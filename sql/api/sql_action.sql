-- Actions written in SQL. A pipeline state with action "sql.<name>" runs the function
-- o2c_action.<name>(context jsonb, params jsonb) returns jsonb, whose answer has the shape of a
-- runner's result: {"outcome": "ok"|name|"failed"|…, "patch": {…}, "detail": {…}, "delay_ms": …,
-- "start": […]}. They suit steps that only need the database, such as mapping an order through
-- the mapping tables: the business can read them and change them with plain SQL. They run on the
-- runner's own connection, in a transaction of their own, and must not have side effects outside
-- their answer (the engine commits the answer with o2c.complete like any other).

create or replace function o2c.run_sql_action(p_name text, p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_answer jsonb;
begin
    if p_name !~ '^[a-z][a-z0-9_]*$' then
        raise exception 'sql action name "%" is invalid', p_name using errcode = 'invalid_parameter_value';
    end if;
    execute format('select %I.%I($1, $2)', 'o2c_action', p_name) into v_answer using p_context, p_params;
    if jsonb_typeof(v_answer) is distinct from 'object' or jsonb_typeof(v_answer->'outcome') is distinct from 'string' then
        raise exception 'o2c_action.% answered %, not an object with an "outcome"', p_name, v_answer
            using errcode = 'invalid_parameter_value';
    end if;
    return v_answer;
end
$$;

revoke all on function o2c.run_sql_action(text, jsonb, jsonb) from public;
grant execute on function o2c.run_sql_action(text, jsonb, jsonb) to o2c_runner;

-- The same for a claimed step, its context read where the workflow keeps it, as the claim read
-- it (only the step's completion changes it, and the runner holds the step's lease): the runner
-- does not send a big context back to be parsed again (a 10,000-line order is 2 MB of JSON,
-- ~150 ms to parse, against ~10 ms to read the stored value). p_pending: in a chain (see
-- o2c.complete), the patches of the states run before this one under the same lease, not yet
-- stored, merged over the stored context as the completion will merge them.
create or replace function o2c.run_sql_action_for_workflow(p_name text, p_workflow_id bigint, p_params jsonb,
                                                            p_pending jsonb default null)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_context jsonb;
begin
    select context into v_context from o2c.instance where id = p_workflow_id;
    if not found then
        raise exception 'sql action %: workflow % does not exist', p_name, p_workflow_id using errcode = 'no_data_found';
    end if;
    if jsonb_typeof(p_pending) = 'object' then
        v_context := v_context || p_pending;
    end if;
    return o2c.run_sql_action(p_name, v_context, p_params);
end
$$;

revoke all on function o2c.run_sql_action_for_workflow(text, bigint, jsonb, jsonb) from public;
grant execute on function o2c.run_sql_action_for_workflow(text, bigint, jsonb, jsonb) to o2c_runner;
