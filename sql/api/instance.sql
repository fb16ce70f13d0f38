-- Running and finished workflows: start, redrive, cancel, and the views people read.

create or replace function o2c.start(p_workflow text, p_business_key text, p_input jsonb default '{}')
returns bigint
language plpgsql
security definer
set search_path = o2c, pg_temp
-- Lookups by key, always: a plan cached while o2c.instance was empty must not scan it later
-- (starting 20,000 workflows in one session was quadratic before this).
set enable_seqscan = off
set jit = off
as $$
declare
    v_id      bigint;
    v_same    boolean;
    v_version o2c.workflow_version;
begin
    select id, context @> coalesce(p_input, '{}') into v_id, v_same
      from o2c.instance where workflow = p_workflow and business_key = p_business_key;
    if found then
        -- Started again with something new (the storefront changed the order): kept as the
        -- instance's latest input (o2c.instance_update), for its pipeline to read.
        if not v_same and jsonb_typeof(p_input) = 'object' then
            insert into o2c.instance_update (instance_id, input) values (v_id, p_input)
            on conflict (instance_id) do update set input = excluded.input, received_at = now()
             where o2c.instance_update.input is distinct from excluded.input;
        end if;
        return v_id;
    end if;
    if p_business_key is null or p_business_key = '' then
        raise exception 'o2c.start(%): a business key is required', p_workflow
            using errcode = 'invalid_parameter_value';
    end if;
    if jsonb_typeof(coalesce(p_input, '{}')) <> 'object' then
        raise exception 'o2c.start(%, %): the input must be a JSON object', p_workflow, p_business_key
            using errcode = 'invalid_parameter_value';
    end if;
    select * into v_version from o2c.workflow_version
     where workflow = p_workflow order by version desc limit 1;
    if not found then
        raise exception 'o2c.start: unknown workflow "%" (define it with o2c.define_workflow)', p_workflow
            using errcode = 'invalid_parameter_value';
    end if;

    insert into o2c.instance (workflow, version, business_key, state, context)
    values (p_workflow, v_version.version, p_business_key, v_version.initial_state, coalesce(p_input, '{}'))
    on conflict (workflow, business_key) do nothing
    returning id into v_id;
    if v_id is null then  -- started concurrently by someone else: theirs is the one
        select id into v_id from o2c.instance where workflow = p_workflow and business_key = p_business_key;
        return v_id;
    end if;

    insert into o2c.step (instance_id, lane, priority, connection, due_at)
    select v_id, st.lane, l.priority, coalesce(st.connection, ''), now()
      from o2c.workflow_state st join o2c.lane l on l.name = st.lane
     where (st.workflow, st.version, st.state) = (p_workflow, v_version.version, v_version.initial_state);
    insert into o2c.event (workflow_id, from_state, to_state, outcome, attempt, actor)
    values (v_id, null, v_version.initial_state, 'start', 0, session_user);
    perform pg_notify('o2c_work', '');
    return v_id;
end
$$;

-- Puts an exception (or a workflow stuck in a state) back to work from the named state, else the
-- state its current state names in "redrive_from", else its current state, with a fresh retry
-- budget. A runner still holding the old lease is fenced off.
create or replace function o2c.redrive(p_id bigint, p_state text default null)
returns void
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_inst  o2c.instance;
    v_state o2c.workflow_state;
begin
    -- Lock order step, then instance: the same order o2c.complete uses.
    perform 1 from o2c.step where instance_id = p_id for update;
    select * into v_inst from o2c.instance where id = p_id for update;
    if not found then
        raise exception 'o2c.redrive: no workflow with id %', p_id using errcode = 'no_data_found';
    end if;
    if v_inst.status in ('done', 'cancelled') then
        raise exception 'o2c.redrive: workflow % is %; only active workflows and exceptions can be re-driven',
            p_id, v_inst.status using errcode = 'object_not_in_prerequisite_state';
    end if;
    -- Without a state: where the current state says to start again (a mapping fix must be mapped
    -- again), else the current state.
    select * into v_state from o2c.workflow_state
     where (workflow, version, state) = (v_inst.workflow, v_inst.version,
            coalesce(p_state, (select c.redrive_from from o2c.workflow_state c
                                where (c.workflow, c.version, c.state) = (v_inst.workflow, v_inst.version, v_inst.state)),
                     v_inst.state));
    if not found then
        raise exception 'o2c.redrive: workflow % (% version %) has no state "%"', p_id, v_inst.workflow,
            v_inst.version, p_state using errcode = 'invalid_parameter_value';
    end if;
    if v_state.terminal then
        raise exception 'o2c.redrive: state "%" is terminal; name a state with an action', v_state.state
            using errcode = 'invalid_parameter_value';
    end if;

    update o2c.instance
       set state = v_state.state, status = 'active', attempts = 0, lock_attempts = 0, updated_at = now(),
           exception_category = null, exception_severity = null, exception_owner = null,
           exception_message = null, exception_since = null
     where id = p_id;
    insert into o2c.step (instance_id, lane, priority, connection, due_at)
    select p_id, v_state.lane, l.priority, coalesce(v_state.connection, ''), now()
      from o2c.lane l where l.name = v_state.lane
    on conflict (instance_id) do update
       set lane = excluded.lane, priority = excluded.priority, connection = excluded.connection,
           due_at = now(), leased_by = null, lease_token = null, leased_at = null, leased_until = null;
    perform o2c.end_connection_leases(array[p_id]);
    insert into o2c.event (workflow_id, from_state, to_state, outcome, attempt, actor, detail)
    values (p_id, v_inst.state, v_state.state, 'redrive', 0, session_user,
            jsonb_build_object('previous_status', v_inst.status,
                               'previous_category', v_inst.exception_category));
    perform pg_notify('o2c_work', '');
end
$$;

create or replace function o2c.cancel(p_id bigint, p_reason text)
returns void
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_inst o2c.instance;
begin
    if coalesce(p_reason, '') = '' then
        raise exception 'o2c.cancel: say why (the reason is kept in the event history)'
            using errcode = 'invalid_parameter_value';
    end if;
    perform 1 from o2c.step where instance_id = p_id for update;
    select * into v_inst from o2c.instance where id = p_id for update;
    if not found then
        raise exception 'o2c.cancel: no workflow with id %', p_id using errcode = 'no_data_found';
    end if;
    if v_inst.status in ('done', 'cancelled') then
        raise exception 'o2c.cancel: workflow % is already %', p_id, v_inst.status
            using errcode = 'object_not_in_prerequisite_state';
    end if;
    delete from o2c.step where instance_id = p_id;
    perform o2c.end_connection_leases(array[p_id]);
    update o2c.instance set status = 'cancelled', updated_at = now() where id = p_id;
    insert into o2c.event (workflow_id, from_state, to_state, outcome, attempt, actor, detail)
    values (p_id, v_inst.state, v_inst.state, 'cancel', 0, session_user,
            jsonb_build_object('reason', p_reason, 'previous_status', v_inst.status));
end
$$;

create or replace view o2c.workflows as
select i.id, i.workflow, i.version, i.business_key, i.state, i.status, i.attempts, i.context,
       i.created_at, i.updated_at,
       greatest(s.due_at, s.leased_until) as next_run_at, s.leased_by, s.lane
  from o2c.instance i
  left join o2c.step s on s.instance_id = i.id;

create or replace view o2c.exceptions as
select i.id as workflow_id, i.workflow, i.business_key, i.state,
       i.exception_category as category, i.exception_severity as severity,
       i.exception_owner as owner, i.exception_message as message, i.exception_since as since,
       format('select o2c.redrive(%s);', i.id) as redrive_sql
  from o2c.instance i
 where i.exception_since is not null and i.status = 'exception';

revoke all on function o2c.start(text, text, jsonb) from public;
revoke all on function o2c.redrive(bigint, text) from public;
revoke all on function o2c.cancel(bigint, text) from public;
grant usage on schema o2c to o2c_runner, o2c_admin, o2c_analyst;
grant execute on function o2c.start(text, text, jsonb) to o2c_admin, o2c_runner;
grant execute on function o2c.redrive(bigint, text) to o2c_admin;
grant execute on function o2c.cancel(bigint, text) to o2c_admin;
grant select on o2c.workflows, o2c.exceptions to o2c_analyst, o2c_admin;
