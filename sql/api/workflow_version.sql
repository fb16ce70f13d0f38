-- Pipeline definitions: o2c.define_workflow validates a JSON spec and stores it as rows of
-- o2c.workflow_version, o2c.workflow_state and o2c.workflow_transition.

create or replace function o2c.define_workflow(p_name text, p_spec jsonb)
returns int
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    reserved constant text[] := array['retry', 'throttled', 'locked', 'failed', 'start',
                                      'redrive', 'cancel', 'lease_expired'];
    owners   constant text[] := array['finance', 'ops', 'cx', 'engineering'];
    v_initial text := p_spec->>'initial';
    v_states  jsonb := p_spec->'states';
    v_latest  o2c.workflow_version;
    v_version int;
    v_key     text;
    s         record;
    t         record;
    v_reached text[];
    v_frontier text[];
    v_next    text[];
begin
    if p_name is null or p_name !~ '^[a-z][a-z0-9_]*$' then
        raise exception 'workflow name "%" is invalid: use lower-case letters, digits and _', p_name
            using errcode = 'invalid_parameter_value';
    end if;
    if jsonb_typeof(p_spec) is distinct from 'object' then
        raise exception 'workflow %: the spec must be a JSON object', p_name
            using errcode = 'invalid_parameter_value';
    end if;
    for v_key in select jsonb_object_keys(p_spec) loop
        if v_key not in ('initial', 'states', 'description') then
            raise exception 'workflow %: unknown key "%" in the spec (allowed: initial, states, description)',
                p_name, v_key using errcode = 'invalid_parameter_value';
        end if;
    end loop;
    if jsonb_typeof(v_states) is distinct from 'object' or v_states = '{}' then
        raise exception 'workflow %: the spec needs "states", an object of states', p_name
            using errcode = 'invalid_parameter_value';
    end if;
    if v_initial is null then
        raise exception 'workflow %: the spec has no "initial" state', p_name
            using errcode = 'invalid_parameter_value';
    end if;
    if not v_states ? v_initial then
        raise exception 'workflow %: the initial state "%" is not one of the states', p_name, v_initial
            using errcode = 'invalid_parameter_value';
    end if;

    for s in select key as name, value as def from jsonb_each(v_states) loop
        if s.name !~ '^[a-z][a-z0-9_]*$' then
            raise exception 'workflow %: state name "%" is invalid: use lower-case letters, digits and _',
                p_name, s.name using errcode = 'invalid_parameter_value';
        end if;
        if jsonb_typeof(s.def) <> 'object' then
            raise exception 'workflow %: state "%" must be a JSON object', p_name, s.name
                using errcode = 'invalid_parameter_value';
        end if;
        for v_key in select jsonb_object_keys(s.def) loop
            if v_key not in ('action', 'lane', 'connection', 'retry', 'lock', 'on', 'terminal',
                             'owner', 'params', 'description', 'redrive_from') then
                raise exception 'workflow %: state "%" has unknown key "%"', p_name, s.name, v_key
                    using errcode = 'invalid_parameter_value';
            end if;
        end loop;
        if coalesce(s.def->>'terminal', 'false') = 'true' then
            if s.def ? 'action' then
                raise exception 'workflow %: state "%" is terminal and cannot have an action', p_name, s.name
                    using errcode = 'invalid_parameter_value';
            end if;
            if s.def ? 'on' then
                raise exception 'workflow %: state "%" is terminal and cannot have transitions', p_name, s.name
                    using errcode = 'invalid_parameter_value';
            end if;
            if s.name = v_initial then
                raise exception 'workflow %: the initial state "%" cannot be terminal', p_name, s.name
                    using errcode = 'invalid_parameter_value';
            end if;
            continue;
        end if;
        if coalesce(s.def->>'action', '') !~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$' then
            raise exception 'workflow %: state "%" needs an "action" such as "core.noop" (or "terminal": true)',
                p_name, s.name using errcode = 'invalid_parameter_value';
        end if;
        if not exists (select from o2c.lane where name = s.def->>'lane') then
            raise exception 'workflow %: state "%" needs a "lane", one of: %', p_name, s.name,
                (select string_agg(name, ', ' order by priority desc) from o2c.lane)
                using errcode = 'invalid_parameter_value';
        end if;
        if s.def ? 'connection' and not exists (select from o2c.connection where name = s.def->>'connection') then
            raise exception 'workflow %: state "%" names connection "%", which is not in o2c.connection',
                p_name, s.name, s.def->>'connection' using errcode = 'invalid_parameter_value';
        end if;
        if s.def ? 'params' and jsonb_typeof(s.def->'params') <> 'object' then
            raise exception 'workflow %: state "%": "params" must be a JSON object', p_name, s.name
                using errcode = 'invalid_parameter_value';
        end if;
        if s.def->>'action' like 'sql.%' and not exists (
               select from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                where n.nspname = 'o2c_action' and p.proname = substr(s.def->>'action', 5)) then
            raise exception 'workflow %: state "%" runs %, but there is no function o2c_action.%(context jsonb, params jsonb)',
                p_name, s.name, s.def->>'action', substr(s.def->>'action', 5) using errcode = 'invalid_parameter_value';
        end if;
        if s.def ? 'redrive_from' and (jsonb_typeof(s.def->'redrive_from') <> 'string'
               or not v_states ? (s.def->>'redrive_from')
               or coalesce(v_states->(s.def->>'redrive_from')->>'terminal', 'false') = 'true') then
            raise exception 'workflow %: state "%": "redrive_from" must name a state with an action', p_name, s.name
                using errcode = 'invalid_parameter_value';
        end if;
        if s.def ? 'owner' and not (s.def->>'owner' = any(owners)) then
            raise exception 'workflow %: state "%" has owner "%"; owners are %', p_name, s.name,
                s.def->>'owner', array_to_string(owners, ', ') using errcode = 'invalid_parameter_value';
        end if;
        perform o2c.check_policy(p_name, s.name, 'retry', s.def->'retry', array['max_attempts', 'base_ms', 'cap_ms']);
        perform o2c.check_policy(p_name, s.name, 'lock', s.def->'lock', array['max_attempts', 'delay_ms']);
        if jsonb_typeof(s.def->'on') is distinct from 'object' or s.def->'on' = '{}' then
            raise exception 'workflow %: state "%" needs "on", the outcomes that lead on (e.g. {"ok": "next"})',
                p_name, s.name using errcode = 'invalid_parameter_value';
        end if;
        for t in select key as outcome, value as target from jsonb_each(s.def->'on') loop
            if t.outcome = any(reserved) then
                raise exception 'workflow %: state "%" cannot name outcome "%": the engine handles it',
                    p_name, s.name, t.outcome using errcode = 'invalid_parameter_value';
            end if;
            if t.outcome !~ '^[a-z][a-z0-9_]*$' then
                raise exception 'workflow %: state "%" has an invalid outcome name "%"', p_name, s.name, t.outcome
                    using errcode = 'invalid_parameter_value';
            end if;
            if jsonb_typeof(t.target) <> 'string' or not v_states ? (t.target #>> '{}') then
                raise exception 'workflow %: state "%" leads on "%" to unknown state %', p_name, s.name,
                    t.outcome, t.target using errcode = 'invalid_parameter_value';
            end if;
        end loop;
    end loop;

    -- Every state must be reachable from the initial one.
    v_reached := array[v_initial];
    v_frontier := array[v_initial];
    while cardinality(v_frontier) > 0 loop
        select coalesce(array_agg(distinct tgt.value #>> '{}'), '{}') into v_next
          from unnest(v_frontier) f(name)
          cross join lateral jsonb_each(coalesce(v_states->f.name->'on', '{}')) tgt
         where not (tgt.value #>> '{}') = any(v_reached);
        v_reached := v_reached || v_next;
        v_frontier := v_next;
    end loop;
    select string_agg(k, ', ' order by k) into v_key
      from jsonb_object_keys(v_states) k where not k = any(v_reached);
    if v_key is not null then
        raise exception 'workflow %: state(s) % cannot be reached from the initial state "%"',
            p_name, v_key, v_initial using errcode = 'invalid_parameter_value';
    end if;

    -- Same spec as the latest version: nothing to do. Otherwise a new version; running
    -- workflows keep the version they started with.
    perform pg_advisory_xact_lock(hashtext('o2c.define_workflow:' || p_name));
    select * into v_latest from o2c.workflow_version
     where workflow = p_name order by version desc limit 1;
    if found and v_latest.spec = p_spec then
        return v_latest.version;
    end if;
    v_version := coalesce(v_latest.version, 0) + 1;

    insert into o2c.workflow_version (workflow, version, initial_state, spec)
    values (p_name, v_version, v_initial, p_spec);
    insert into o2c.workflow_state (workflow, version, state, terminal, action, lane, connection, owner, params,
                                    max_attempts, base_ms, cap_ms, lock_max_attempts, lock_delay_ms, redrive_from)
    select p_name, v_version, key,
           coalesce((value->>'terminal')::boolean, false),
           value->>'action', value->>'lane', value->>'connection',
           coalesce(value->>'owner', 'ops'), coalesce(value->'params', '{}'),
           coalesce((value#>>'{retry,max_attempts}')::int, 8),
           coalesce((value#>>'{retry,base_ms}')::int, 1000),
           coalesce((value#>>'{retry,cap_ms}')::int, 600000),
           coalesce((value#>>'{lock,max_attempts}')::int, 20),
           coalesce((value#>>'{lock,delay_ms}')::int, 250),
           value->>'redrive_from'
      from jsonb_each(v_states);
    insert into o2c.workflow_transition (workflow, version, state, outcome, target)
    select p_name, v_version, st.key, tr.key, tr.value #>> '{}'
      from jsonb_each(v_states) st
     cross join lateral jsonb_each(coalesce(st.value->'on', '{}')) tr;
    return v_version;
end
$$;

-- Validates a retry or lock policy object: only known keys, each a positive integer.
create or replace function o2c.check_policy(p_workflow text, p_state text, p_what text,
                                            p_policy jsonb, p_keys text[])
returns void
language plpgsql
immutable
as $$
declare
    k text;
begin
    if p_policy is null then
        return;
    end if;
    if jsonb_typeof(p_policy) <> 'object' then
        raise exception 'workflow %: state "%": "%" must be an object with %', p_workflow, p_state,
            p_what, array_to_string(p_keys, ', ') using errcode = 'invalid_parameter_value';
    end if;
    for k in select jsonb_object_keys(p_policy) loop
        if not k = any(p_keys) then
            raise exception 'workflow %: state "%": "%" has unknown key "%" (allowed: %)', p_workflow,
                p_state, p_what, k, array_to_string(p_keys, ', ') using errcode = 'invalid_parameter_value';
        end if;
        if jsonb_typeof(p_policy->k) <> 'number' or (p_policy->>k) !~ '^[0-9]+$' or (p_policy->>k)::bigint < 1
           or (p_policy->>k)::bigint > 2147483647 then
            raise exception 'workflow %: state "%": "%.%" must be a positive whole number', p_workflow,
                p_state, p_what, k using errcode = 'invalid_parameter_value';
        end if;
    end loop;
end
$$;

revoke all on function o2c.define_workflow(text, jsonb) from public;
grant execute on function o2c.define_workflow(text, jsonb) to o2c_admin;

-- A workflow version's states and where each outcome leads, for a runner that runs a step on
-- through the states that call no connection (o2c.complete, p_chains): one row per (state,
-- outcome), or one per state with outcome and target null when it has no transitions. A
-- version never changes once defined (o2c.define_workflow makes a new one), so a runner may
-- keep what it read; o2c.complete checks every chain against these tables all the same.
create or replace function o2c.workflow_states(p_workflow text, p_version int)
returns table (state text, action text, params text, lane text, connection text, terminal boolean,
               outcome text, target text)
language sql
stable
security definer
set search_path = o2c, pg_temp
as $$
    select st.state, coalesce(st.action, ''), st.params::text, coalesce(st.lane, ''), coalesce(st.connection, ''),
           st.terminal, t.outcome, t.target
      from o2c.workflow_state st
      left join o2c.workflow_transition t on (t.workflow, t.version, t.state) = (st.workflow, st.version, st.state)
     where st.workflow = p_workflow and st.version = p_version
     order by st.state, t.outcome;
$$;

revoke all on function o2c.workflow_states(text, int) from public;
grant execute on function o2c.workflow_states(text, int) to o2c_runner, o2c_admin, o2c_analyst;
