-- The queue protocol runners speak: claim due steps, renew leases, complete with outcomes.

-- The links of a chain (p_chains of o2c.complete, below) as the events they become, in order:
-- each state the step passed through, the outcome it had and the state it led to; the first
-- link is an attempt more of the state the step was claimed in, the others a first attempt.
create or replace function o2c.chain_links(p_chain jsonb, p_claimed_attempts int)
returns table (n int, from_state text, to_state text, outcome text, attempt int, duration_ms int, detail jsonb)
language sql
immutable
as $$
    select j, p_chain -> 'path' ->> (2 * j - 2), p_chain -> 'path' ->> (2 * j), p_chain -> 'path' ->> (2 * j - 1),
           case when j = 1 then p_claimed_attempts + 1 else 1 end, (p_chain -> 'durations' ->> (j - 1))::int,
           nullif(p_chain -> 'details' -> (j - 1), 'null')
      from generate_series(1, jsonb_array_length(p_chain -> 'path') / 2) as j
$$;

-- Claims up to p_limit due steps for p_runner with a lease of p_lease_seconds.
-- Higher lanes first; with p_fair the oldest due step first whatever its lane (runners ask for
-- a fair claim now and then, so lower lanes are never starved). Steps whose connection is at its
-- fleet-wide concurrency or rate limit (or paused, or throttled) are left for later: they hold no
-- runner slot while they wait.
-- Successors: behind each call on a governed connection that this claim starts, and behind each
-- of p_relays (this runner's calls running now that have none yet), the claim may queue one more
-- step of that connection (beyond p_limit), to run on the same slot the moment that call ends:
-- the runner's worker starts it without waiting for the database (runner/workers.h), and the
-- completion that ends the first call hands the slot's lease row over to it
-- (o2c.end_connection_leases). Such a step holds no slot while it waits, so the fleet-wide count
-- is what it was. "follows" names the call a step waits behind (null: it runs at once); rows come
-- leaders first. None on a rate-limited connection (its token bucket, not its slots, spaces its
-- calls), and none beyond the connection's current limit: after a cut (adaptive concurrency)
-- calls end without a successor until the fleet is within it. Only for a caller that passes
-- p_relays (an empty array will do): one that does not know to hold a step back gets none.
create or replace function o2c.claim(p_runner text, p_limit int, p_lease_seconds int,
                                     p_lanes text[] default null, p_fair boolean default false,
                                     p_relays bigint[] default null)
returns table (workflow_id bigint, lease_token bigint, workflow text, version int, state text,
               action text, business_key text, attempt int, context jsonb, connection text,
               lane text, params jsonb, follows bigint)
language plpgsql
security definer
set search_path = o2c, pg_temp
-- A claim touches a small batch by key: index lookups, always. Left to itself the planner
-- hash-joins the batch against whole tables as soon as the batch is a few hundred rows, and
-- re-plans the statements on every call; one generic plan serves every batch. Sequential
-- scans are ruled out too, so that a plan made while the tables were new and had no
-- statistics cannot stay with a long-lived runner's session when the tables are large. JIT is
-- off: ruling out scans inflates the cost estimates past jit_above_cost, and compiling every
-- call cost two thirds of the throughput (measured by make bench: 9.5k → 26.8k steps/s).
set enable_hashjoin = off
set enable_mergejoin = off
set enable_seqscan = off
set jit = off
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
declare
    v_names  text[] := '{}';
    v_caps   int[]  := '{}';
    v_relays int[]  := '{}';
    v_readies int[] := '{}';
    v_cap    int;
    v_relay  int;
    v_limit  int;
    v_live   int;
    v_ready  int;
    v_ready_ids   bigint[] := '{}';
    v_ready_conns text[]   := '{}';
    v_tokens numeric;
    c        o2c.connection;
begin
    -- This runner's calls in flight that may have a step queued behind them, read once.
    if p_relays is not null then
        select coalesce(array_agg(l.instance_id order by l.instance_id), '{}'),
               coalesce(array_agg(l.connection order by l.instance_id), '{}')
          into v_ready_ids, v_ready_conns
          from o2c.connection_lease l
         where l.instance_id = any (p_relays) and l.successor is null and l.leased_until > now()
           and exists (select 1 from o2c.step s where s.instance_id = l.instance_id and s.leased_by = p_runner);
    end if;
    -- Connections with due work, locked so that claims competing for one remote system take
    -- turns, and for each the number of calls that may start now.
    for c in
        select * from o2c.connection cn
         where exists (select 1 from o2c.step s
                        where s.connection = cn.name and s.due_at <= now())
         order by cn.name
           for update
    loop
        v_relay := 0;
        v_ready := 0;
        if c.paused or c.throttled_until > now() then
            v_cap := 0;
        else
            v_cap := p_limit;
            if c.max_concurrent is not null then
                -- The adaptive limit (o2c.connection.concurrency_limit), never above max_concurrent.
                v_limit := least(c.max_concurrent, floor(coalesce(c.concurrency_limit, c.max_concurrent)))::int;
                select count(*) into v_live from o2c.connection_lease l
                 where l.connection = c.name and l.leased_until > now();
                v_cap := least(v_cap, v_limit - v_live);
                if c.rate_per_second is null and p_relays is not null then
                    -- Those of them on this connection.
                    select count(*) into v_ready from unnest(v_ready_conns) r(conn) where r.conn = c.name;
                    -- One behind each of those and of the calls this claim starts, while the
                    -- calls in flight stay within the limit once the slots have been handed on.
                    v_relay := greatest(0, least(v_ready + greatest(v_cap, 0), v_limit - v_live + v_ready));
                end if;
            end if;
            if c.rate_per_second is not null then
                v_tokens := least(coalesce(c.burst, ceil(c.rate_per_second)),
                                  c.tokens + c.rate_per_second * extract(epoch from now() - c.tokens_at));
                update o2c.connection set tokens = v_tokens, tokens_at = now() where name = c.name;
                v_cap := least(v_cap, floor(v_tokens)::int);
            end if;
        end if;
        v_names := v_names || c.name;
        v_caps := v_caps || greatest(v_cap, 0);
        v_relays := v_relays || v_relay;
        v_readies := v_readies || v_ready;
    end loop;
    v_names := v_names || ''::text;
    v_caps := v_caps || p_limit;
    v_relays := v_relays || 0;
    v_readies := v_readies || 0;

    return query
    -- Per connection, its next cap + relay due steps in order (n numbers them, in that order):
    -- the first cap may run at once, the rest may wait behind calls in flight.
    with due as (
        select g.conn, g.cap, g.ready, x.n, x.instance_id, x.leased_by as prev_runner, x.priority, x.due_at,
               x.ctid as step_ctid
          from unnest(v_names, v_caps, v_relays, v_readies) as g(conn, cap, relay, ready)
         cross join lateral (
               select row_number() over () as n, y.*
                 from (select s.instance_id, s.leased_by, s.priority, s.due_at, s.ctid
                         from o2c.step s
                        where s.connection = g.conn and s.due_at <= now()
                          and (s.leased_until is null or s.leased_until <= now())
                          and (p_lanes is null or s.lane = any(p_lanes))
                          and not p_fair
                        order by s.priority desc, s.due_at
                        limit g.cap + g.relay
                          for update skip locked) y) x
        union all
        select g.conn, g.cap, g.ready, x.n, x.instance_id, x.leased_by, 0, x.due_at, x.ctid
          from unnest(v_names, v_caps, v_relays, v_readies) as g(conn, cap, relay, ready)
         cross join lateral (
               select row_number() over () as n, y.*
                 from (select s.instance_id, s.leased_by, s.due_at, s.ctid
                         from o2c.step s
                        where s.connection = g.conn and s.due_at <= now()
                          and (s.leased_until is null or s.leased_until <= now())
                          and (p_lanes is null or s.lane = any(p_lanes))
                          and p_fair
                        order by s.due_at
                        limit g.cap + g.relay
                          for update skip locked) y) x
    ),
    fresh as (
        select d.* from due d where d.n <= d.cap
         order by d.priority desc, d.due_at   -- priority (0 on a fair claim), then the oldest due
         limit p_limit
    ),
    -- The calls a step may wait behind, numbered per connection: this runner's calls in flight
    -- that have none yet (read above), then the ones this claim starts.
    leaders as (
        select r.instance_id, r.conn, row_number() over (partition by r.conn order by r.instance_id) as k
          from unnest(v_ready_ids, v_ready_conns) as r(instance_id, conn)
        union all
        select f.instance_id, f.conn, f.ready + row_number() over (partition by f.conn order by f.n)
          from fresh f where f.conn <> ''
    ),
    -- The k-th step of a connection beyond its free slots waits behind its k-th leader; one with
    -- no leader (fewer calls started than there were free slots) is not claimed.
    relayed as (
        select d.*, l.instance_id as leader
          from due d
          join leaders l on (l.conn, l.k) = (d.conn, d.n - d.cap)
         where d.n > d.cap
    ),
    picked as (
        select f.instance_id, f.prev_runner, f.step_ctid from fresh f
        union all
        select r.instance_id, r.prev_runner, r.step_ctid from relayed r
    ),
    claimed as (
        update o2c.step s
           set leased_by = p_runner, lease_token = nextval('o2c.lease_token_seq'), leased_at = now(),
               leased_until = now() + make_interval(secs => p_lease_seconds)
         -- The rows picked (and locked) above, by their addresses, in one TID scan: a locked
         -- row cannot move, and no step costs a second descent of the primary key. (One list,
         -- not a join: a TID scan asks the kernel for the table's size each time it starts,
         -- so a rescan per row would cost an lseek per step.) Priority and due_at are as picked.
         where s.ctid = any (array(select p.step_ctid from picked p))
     returning s.instance_id, s.lease_token, s.connection, s.lane,
               case when p_fair then 0 else s.priority end as picked_priority, s.due_at as picked_due_at
    ),
    -- A leader already running takes its successor now; one this claim starts gets it with its
    -- lease row below.
    queued as (
        update o2c.connection_lease l set successor = r.instance_id
          from relayed r where l.instance_id = r.leader
    ),
    -- Steps whose lease had run out (they were leased when picked): few, usually none.
    lapsed as (
        select p.instance_id, p.prev_runner from picked p where p.prev_runner is not null
    ),
    -- A step waiting behind a call takes no slot of its own: it takes over its leader's.
    connection_leases as (
        insert into o2c.connection_lease (instance_id, connection, leased_until, successor)
        select f.instance_id, f.conn, now() + make_interval(secs => p_lease_seconds),
               (select r.instance_id from relayed r where r.leader = f.instance_id)
          from fresh f where f.conn <> ''
        on conflict (instance_id) do update
           set connection = excluded.connection, leased_until = excluded.leased_until, successor = excluded.successor
    ),
    spent as (
        update o2c.connection cn set tokens = cn.tokens - u.n
          from (select cl.connection, count(*) as n from claimed cl
                 where cl.connection <> '' group by cl.connection) u
         where cn.name = u.connection and cn.rate_per_second is not null
    ),
    -- The joins below go through LATERAL ... OFFSET 0 so the claimed batch always drives index
    -- lookups; a generic plan would otherwise be free to walk a whole table per batch.
    claimed_instance as (
        select cl.*, i.workflow, i.version, i.state, i.business_key, i.attempts, i.context
          from claimed cl
         cross join lateral (select i.workflow, i.version, i.state, i.business_key, i.attempts, i.context
                               from o2c.instance i where i.id = cl.instance_id offset 0) i
    ),
    -- The action of each state the batch is in, looked up once per state rather than once per
    -- step (a batch is mostly a few states of a few pipelines).
    actions as materialized (
        select k.workflow, k.version, k.state, st.action, st.params
          from (select distinct c.workflow, c.version, c.state from claimed_instance c) k
         cross join lateral (select st.action, st.params from o2c.workflow_state st
                              where (st.workflow, st.version, st.state) = (k.workflow, k.version, k.state)
                             offset 0) st
    ),
    expired as (
        insert into o2c.event (workflow_id, from_state, to_state, outcome, attempt, runner, detail)
        select c.instance_id, c.state, c.state, 'lease_expired', c.attempts + 1, p_runner,
               jsonb_build_object('previous_runner', l.prev_runner)
          from lapsed l
         cross join lateral (select c.instance_id, c.state, c.attempts from claimed_instance c
                              where c.instance_id = l.instance_id) c
    )
    -- A step whose lease has run out five times in a row (its runners keep dying or stalling on
    -- it) is not handed out a sixth time to be redone without end: it goes to core.lease_exhausted,
    -- which stops it as an exception lease_expired naming the state and action.
    select cl.instance_id, cl.lease_token, cl.workflow, cl.version, cl.state,
           case when ex.n >= 4 then 'core.lease_exhausted' else st.action end, cl.business_key,
           cl.attempts + 1, cl.context, cl.connection, cl.lane,
           case when ex.n >= 4 then jsonb_build_object('action', st.action, 'expiries', ex.n + 1) else st.params end,
           rl.leader
      from claimed_instance cl
      left join lateral (select r.leader from relayed r where r.instance_id = cl.instance_id) rl on true
      join actions st on (st.workflow, st.version, st.state) = (cl.workflow, cl.version, cl.state)
     -- Expiries in a row so far (this one is being recorded by `expired`), only for a step whose
     -- lease ran out: an index walk of its own events.
     cross join lateral (select case when not cl.instance_id = any (array(select l.instance_id from lapsed l)) then 0 else (
                                    select count(*) from o2c.event e
                                     where e.workflow_id = cl.instance_id and e.outcome = 'lease_expired'
                                       and e.id > coalesce((select max(e2.id) from o2c.event e2
                                                             where e2.workflow_id = cl.instance_id
                                                               and e2.outcome <> 'lease_expired'), 0)) end as n
                         offset 0) ex
     order by rl.leader is not null, cl.picked_priority desc, cl.picked_due_at;
end
$$;

-- Extends the leases p_runner still holds; returns the ids whose lease it has lost.
create or replace function o2c.renew_leases(p_runner text, p_ids bigint[], p_tokens bigint[],
                                            p_lease_seconds int)
returns bigint[]
language sql
security definer
set search_path = o2c, pg_temp
set enable_hashjoin = off
set enable_mergejoin = off
set enable_seqscan = off
set jit = off
as $$
    with held as (
        select r.id, r.token from unnest(p_ids, p_tokens) as r(id, token)
    ),
    -- A step whose row is locked right now is being completed (by this runner's own main
    -- session, which holds the lease): it needs no renewal, and waiting for it would make the
    -- keeper and the completion wait on each other's rows (two deadlocks in the inventory
    -- section of two bench runs). So the rows are taken SKIP LOCKED, and a skipped one still
    -- under its token is not reported lost.
    mine as (
        select s.ctid
          from held h
         cross join lateral (select s.ctid from o2c.step s
                              where s.instance_id = h.id and s.lease_token = h.token and s.leased_by = p_runner
                             offset 0 for update skip locked) s
    ),
    renewed as (
        update o2c.step s set leased_until = now() + make_interval(secs => p_lease_seconds)
         where s.ctid = any (array(select m.ctid from mine m))
     returning s.instance_id, s.connection
    ),
    renewed_connection_leases as (
        update o2c.connection_lease l set leased_until = now() + make_interval(secs => p_lease_seconds)
          from renewed r
         where l.instance_id = r.instance_id and r.connection <> ''
    )
    select coalesce(array_agg(h.id), '{}') from held h
     where h.id not in (select instance_id from renewed)
       and not exists (select 1 from o2c.step s
                        where s.instance_id = h.id and s.lease_token = h.token and s.leased_by = p_runner);
$$;

-- Commits a batch of step results, each atomically with the others: new state or retry time,
-- context patch, event row, next due time. Result n is p_ids[n], p_tokens[n], p_outcomes[n],
-- p_durations[n], p_delays[n], and element n-1 of each of the JSON arrays p_patches, p_details,
-- p_starts:
--   outcome      "ok" | a named outcome | "retry" | "throttled" | "locked" | "failed" |
--                "released": the step did not run (it was to follow a call on that call's slot,
--                and that call was refused for load); it is due again at once, as it was, with
--                no event and no attempt counted
--   duration_ms  how long the action ran
--   delay_ms     null for the engine's default
--   patch        a JSON object merged into the context, or null
--   detail       {"message":…, "category":…, …}, or null
--   start        [{"workflow":…, "business_key":…, "input":{…}}, …], or null
-- An array that is null throughout may be passed as null. "start" starts child workflows
-- (idempotently, like o2c.start) in the same transaction as the patch: a poller's cursor and
-- the work it found commit together or not at all. On ok or a named outcome, "delay_ms" makes
-- the next state due that much later (a poller's next round).
-- A result whose lease was lost (token no longer current) is refused: its id is returned and
-- nothing of it is written, so a slow runner never overwrites a newer result.
-- Parallel arrays rather than one JSON document (the form below, kept for other callers): the
-- runner completes tens of thousands of steps a second, and parsing the document (jsonb_in,
-- every number through numeric, then jsonb_to_recordset) was ~7 % of PostgreSQL's work per step.
-- Patches, details and starts stay JSON (one array each, read once by jsonb_in): as elements of
-- a jsonb[] every byte of a big patch would be read twice, unquoted by array_in and then parsed.
create or replace function o2c.complete(p_runner text, p_ids bigint[], p_tokens bigint[],
                                        p_outcomes text[], p_durations int[], p_delays int[],
                                        p_patches jsonb, p_details jsonb, p_starts jsonb,
                                        p_chains jsonb default null)
returns bigint[]
language plpgsql
security definer
set search_path = o2c, pg_temp
-- As for o2c.claim: a batch by key, index lookups only, planned once, never JIT-compiled.
set enable_hashjoin = off
set enable_mergejoin = off
set enable_seqscan = off
set jit = off
set plan_cache_mode = force_generic_plan
as $$
declare
    v_refused bigint[];
    v_wake    int;
    v_moved   bigint[];
    v_calls_over bigint[];
    v_bad     text;
begin
    -- A chain: the runner ran a result's step on through states that call no connection, under
    -- the one lease (runner/chain.h), and p_chains[k] (null, or aligned with p_ids) says which:
    --   {"path": [s0, o1, s1, o2, s2, …], "durations": [ms, …], "details": [{…}|null, …]}
    -- s0 is the state the step was claimed in, each o its action's outcome, each s the state it
    -- led to; the result itself is then the outcome of the state at the path's end, and its
    -- patch has the links' patches merged in. Each link becomes its own event, as if each state
    -- had been claimed and completed on its own. A path that does not follow the workflow is a
    -- runner bug: the whole call is refused with the reason (the runner then stores its results
    -- one by one).
    if jsonb_typeof(p_chains) = 'array' then
        -- Each distinct path of the batch's chains is checked once (a batch's chains mostly take
        -- the same few paths): from the state the workflow is in, each (state, outcome) a
        -- transition of the workflow's version to the next state, none of them terminal, none
        -- calling a connection. The statements below then take a chained result's state from the
        -- end of its path.
        select min(format('workflow %s (%s): %s', c.id, c.workflow, w.wrong)) filter (where w.wrong is not null)
          into v_bad
          from (select distinct on (i.workflow, i.version, i.state, ch.path) u.id, i.workflow, i.version,
                       i.state, ch.path
                  from unnest(p_ids) with ordinality as u(id, k)
                 cross join lateral (select p_chains -> (u.k::int - 1) -> 'path' as path) ch
                 cross join lateral (select i.workflow, i.version, i.state from o2c.instance i
                                      where i.id = u.id offset 0) i
                 where jsonb_typeof(ch.path) = 'array') c
         cross join lateral (
               select case when jsonb_array_length(c.path) < 3 or jsonb_array_length(c.path) % 2 = 0
                           then format('path %s is not [state, outcome, state, …]', c.path)
                           when c.path ->> 0 is distinct from c.state
                           then format('the chain starts from state "%s", the workflow is in "%s"', c.path ->> 0, c.state)
                           else (select min(case when t.target is null
                                                 then format('state "%s" has no transition "%s" to "%s"', l.from_state,
                                                             l.outcome, l.to_state)
                                                 when t.conn <> '' or (l.j = 1 and coalesce(fs.connection, '') <> '')
                                                 then format('a chain passes no state that calls a connection ("%s" or "%s")',
                                                             l.from_state, l.to_state)
                                                 when t.terminal
                                                 then format('state "%s" is terminal and runs no action', l.to_state)
                                            end)
                                   from (select j, c.path ->> (2 * j - 2) as from_state, c.path ->> (2 * j - 1) as outcome,
                                                c.path ->> (2 * j) as to_state
                                           from generate_series(1, jsonb_array_length(c.path) / 2) as j) l
                                   left join lateral (select t.target, ts.terminal, coalesce(ts.connection, '') as conn
                                                        from o2c.workflow_transition t
                                                        join o2c.workflow_state ts
                                                          on (ts.workflow, ts.version, ts.state) = (t.workflow, t.version, t.target)
                                                       where (t.workflow, t.version, t.state, t.outcome)
                                                             = (c.workflow, c.version, l.from_state, l.outcome)
                                                         and t.target = l.to_state
                                                      offset 0) t on true
                                   left join lateral (select fs.connection from o2c.workflow_state fs
                                                       where l.j = 1
                                                         and (fs.workflow, fs.version, fs.state) = (c.workflow, c.version, l.from_state)
                                                      offset 0) fs on true)
                      end as wrong) w;
        if v_bad is not null then
            raise exception 'o2c.complete: a chain does not follow its workflow: %', v_bad
                using errcode = 'invalid_parameter_value';
        end if;
    end if;

    -- The common case first, in one lean statement: a result that moves its workflow on (an
    -- outcome with a transition) from a state that calls no connection, starting nothing. It
    -- writes what the general statement below would write for it (instance, step, event), with
    -- fewer lookups and none of the exception, retry and connection-pressure work. Whatever it
    -- does not take (other outcomes, connections, starts, lost leases) goes to the general
    -- statement, which decides and records it as before.
    with r as (
        select u.id, u.token, u.outcome, nullif(p_patches -> (u.n::int - 1), 'null') as patch, u.delay_ms,
               u.duration_ms, nullif(p_details -> (u.n::int - 1), 'null') as detail,
               nullif(p_starts -> (u.n::int - 1), 'null') as start,
               -- A chain (checked above): the result is the outcome of the state at its path's end.
               ch.chain, ch.chain -> 'path' ->> -1 as end_state
          from unnest(p_ids, p_tokens, p_outcomes, p_delays, p_durations) with ordinality
               as u(id, token, outcome, delay_ms, duration_ms, n)
         cross join lateral (select case when jsonb_typeof(p_chains -> (u.n::int - 1)) = 'object'
                                         then p_chains -> (u.n::int - 1) end as chain) ch
         where u.outcome not in ('retry', 'throttled', 'locked', 'failed', 'released')
    ),
    -- Each result's workflow as it stands, read without a lock: only the holder of the step's
    -- lease moves a workflow on, and the write below goes ahead only under the presented token.
    cur as (
        select r.id, r.token, r.outcome, r.patch, r.delay_ms, r.duration_ms, r.detail, r.start, r.chain,
               i.attempts as claimed_attempts, i.workflow, i.version,
               -- A chained result is the outcome of the state its chain ended in, a fresh state.
               coalesce(r.end_state, i.state) as state,
               case when r.end_state is null then i.attempts else 0 end as attempts
          from r
         cross join lateral (select i.workflow, i.version, i.state, i.attempts
                               from o2c.instance i where i.id = r.id offset 0) i
    ),
    -- Where each (state, outcome) of the batch leads, looked up once per pair rather than once
    -- per result (a batch is mostly a few states of a few pipelines). Starts are left to the
    -- general statement.
    plan as materialized (
        select k.workflow, k.version, k.state, k.outcome, t.target, t.terminal, t.lane, t.priority, t.connection
          from (select distinct c.workflow, c.version, c.state, c.outcome from cur c where c.start is null) k
         cross join lateral (select st.connection from o2c.workflow_state st
                              where (st.workflow, st.version, st.state) = (k.workflow, k.version, k.state)
                             offset 0) st
         cross join lateral (select t.target, ts.terminal, ts.lane, ts.priority, ts.connection
                               from o2c.workflow_transition t
                              cross join lateral (select ts.terminal, tl.name as lane, tl.priority,
                                                         coalesce(ts.connection, '') as connection
                                                    from o2c.workflow_state ts
                                                    left join o2c.lane tl on tl.name = ts.lane
                                                   where (ts.workflow, ts.version, ts.state) = (t.workflow, t.version, t.target)
                                                  offset 0) ts
                              where (t.workflow, t.version, t.state, t.outcome) = (k.workflow, k.version, k.state, k.outcome)
                             offset 0) t
         where st.connection is null or st.connection = ''
    ),
    lean as (
        select c.id, c.token, c.outcome, c.patch, c.delay_ms, c.duration_ms, c.detail, c.state, c.attempts, c.chain, c.claimed_attempts,
               p.target, p.terminal, p.lane, p.priority, p.connection
          from cur c
          join plan p on (p.workflow, p.version, p.state, p.outcome) = (c.workflow, c.version, c.state, c.outcome)
         where c.start is null
    ),
    -- Fencing is the step's own write: it happens only while the step is still leased under
    -- the presented token (a lapsed lease re-claimed by another runner has a new one), and it
    -- locks the row as it writes, so no separate row lock is taken first: one tuple write per
    -- step fewer (`tools/bench/backend instructions`: -4 %). Moving on keeps the step's due_at
    -- and place in line: a HOT update. leased_at is left as it is, so that RETURNING (which
    -- sees the new row) still gives when the step was claimed, for the event; the lease itself
    -- is lease_token and leased_until. RETURNING hands on the result's own columns, so nothing
    -- is joined back.
    moved_step as (
        update o2c.step s
           set due_at = case when m.delay_ms > 0 then now() + make_interval(secs => m.delay_ms / 1000.0)
                             else s.due_at end,
               leased_by = null, lease_token = null, leased_until = null,
               lane = coalesce(m.lane, s.lane), priority = coalesce(m.priority, s.priority),
               connection = m.connection
          from (select l.* from lean l where not l.terminal order by l.id offset 0) m
         where s.instance_id = m.id and s.lease_token = m.token
     returning m.id, m.outcome, m.patch, m.duration_ms, m.detail, s.leased_at, m.state, m.attempts,
               m.target, m.terminal, m.chain, m.claimed_attempts
    ),
    moved_done as (
        delete from o2c.step s using (select l.* from lean l where l.terminal order by l.id offset 0) m
         where s.instance_id = m.id and s.lease_token = m.token
     returning m.id, m.outcome, m.patch, m.duration_ms, m.detail, s.leased_at, m.state, m.attempts,
               m.target, m.terminal, m.chain, m.claimed_attempts
    ),
    -- Read in place by each use below, not copied once more.
    moved as not materialized (
        select * from moved_step union all select * from moved_done
    ),
    moved_instance as (
        update o2c.instance i
           set state = m.target, status = case when m.terminal then 'done' else 'active' end,
               attempts = 0, lock_attempts = 0, updated_at = now(),
               context = case when m.patch is null or jsonb_typeof(m.patch) <> 'object' then i.context
                              else i.context || m.patch end,
               exception_category = null, exception_severity = null, exception_owner = null,
               exception_message = null, exception_since = null
          -- Only the columns each write needs, through a subquery the planner keeps: an UPDATE
          -- ... FROM copies each joined row whole (for rechecks under concurrent updates).
          from (select m.id, m.target, m.terminal, m.patch from moved m offset 0) m
         where i.id = m.id
    ),
    moved_event as (
        insert into o2c.event (workflow_id, from_state, to_state, outcome, attempt, runner, claimed_at,
                               duration_ms, detail)
        select e.id, e.from_state, e.to_state, e.outcome, e.attempt, p_runner, e.claimed_at, e.duration_ms, e.detail
          from (select m.id, 0 as n, m.state as from_state, m.target as to_state, m.outcome, m.attempts + 1 as attempt,
                       m.leased_at as claimed_at, m.duration_ms, m.detail
                  from moved m
                union all
                -- A chain's links, before the result they led to (events are in id order).
                select m.id, k.n - 1000000, k.from_state, k.to_state, k.outcome, k.attempt, m.leased_at,
                       k.duration_ms, k.detail
                  from moved m
                 cross join lateral o2c.chain_links(m.chain, m.claimed_attempts) k
                 where m.chain is not null
                 order by 1, 2) e
    )
    select coalesce(array_agg(m.id), '{}') into v_moved from moved m;

    if cardinality(v_moved) = coalesce(cardinality(p_ids), 0) then
        if cardinality(v_moved) > 0 then
            perform pg_notify('o2c_work', '');  -- new due work: wake other runners
        end if;
        return '{}';
    end if;

    with r as (
        select u.id, u.token, u.outcome, nullif(p_patches -> (u.n::int - 1), 'null') as patch, u.delay_ms,
               u.duration_ms, nullif(p_details -> (u.n::int - 1), 'null') as detail,
               nullif(p_starts -> (u.n::int - 1), 'null') as start,
               -- A chain (checked above): the result is the outcome of the state at its path's end.
               ch.chain, ch.chain -> 'path' ->> -1 as end_state
          from unnest(p_ids, p_tokens, p_outcomes, p_delays, p_durations) with ordinality
               as u(id, token, outcome, delay_ms, duration_ms, n)
         cross join lateral (select case when jsonb_typeof(p_chains -> (u.n::int - 1)) = 'object'
                                         then p_chains -> (u.n::int - 1) end as chain) ch
         where not (u.id = any(v_moved))
    ),
    -- Joins go through LATERAL ... OFFSET 0 so the batch always drives index lookups (see claim).
    held as (
        -- Fencing: lock the step only if it is still leased under the presented token.
        select r.*, s.leased_at
          from (select * from r order by r.id) r
         cross join lateral (select s.leased_at from o2c.step s
                              where s.instance_id = r.id and s.lease_token = r.token
                             offset 0 for update) s
    ),
    cur as (
        select h.*, i.workflow, i.version, i.state, i.attempts, i.lock_attempts, i.claimed_attempts,
               st.action, st.max_attempts, st.base_ms, st.cap_ms, st.lock_max_attempts, st.lock_delay_ms,
               st.owner, coalesce(st.connection, '') as conn, t.target
          from held h
         -- A chained result is the outcome of the state its chain ended in, a fresh state.
         cross join lateral (select i.workflow, i.version, i.attempts as claimed_attempts,
                                    coalesce(h.end_state, i.state) as state,
                                    case when h.end_state is null then i.attempts else 0 end as attempts,
                                    case when h.end_state is null then i.lock_attempts else 0 end as lock_attempts
                               from o2c.instance i where i.id = h.id offset 0) i
         cross join lateral (select * from o2c.workflow_state st
                              where (st.workflow, st.version, st.state) = (i.workflow, i.version, i.state)
                             offset 0) st
          left join lateral (select t.target from o2c.workflow_transition t
                              where (t.workflow, t.version, t.state, t.outcome) = (i.workflow, i.version, i.state, h.outcome)
                             offset 0) t on true
    ),
    verdict as (
        select c.*,
               case
                   when c.outcome = 'retry' and c.attempts + 1 >= c.max_attempts then 'exhausted'
                   when c.outcome = 'retry' then 'retry'
                   when c.outcome = 'throttled' then 'throttled'
                   when c.outcome = 'locked' and c.lock_attempts + 1 >= c.lock_max_attempts then 'lock_exhausted'
                   when c.outcome = 'locked' then 'locked'
                   when c.outcome = 'failed' then 'failed'
                   when c.outcome = 'released' then 'released'
                   when c.target is null then 'no_transition'
                   else 'advance'
               end as kind
          from cur c
    ),
    decided as (
        select v.*,
               case when v.kind = 'advance' then v.target else v.state end as new_state,
               case when v.kind = 'advance' and ts.terminal then 'done'
                    when v.kind in ('exhausted', 'lock_exhausted', 'failed', 'no_transition') then 'exception'
                    else 'active' end as new_status,
               case v.kind
                    when 'advance' then 0
                    when 'retry' then v.attempts + 1
                    when 'exhausted' then v.attempts + 1
                    else v.attempts end as new_attempts,
               case v.kind
                    when 'advance' then 0
                    when 'locked' then v.lock_attempts + 1
                    when 'lock_exhausted' then v.lock_attempts + 1
                    else v.lock_attempts end as new_lock_attempts,
               now() + make_interval(secs => case v.kind
                    when 'retry' then coalesce(v.delay_ms,
                        least(v.cap_ms::float8, v.base_ms * power(2, v.attempts)) * (0.5 + random() / 2))
                    when 'throttled' then least(coalesce(v.delay_ms, 1000), coalesce(cc.cap_ms, 3600000))
                    when 'locked' then coalesce(v.delay_ms,
                        v.lock_delay_ms * (v.lock_attempts + 1) * (0.5 + random() / 2))
                    else 0 end / 1000.0) as new_due,
               case v.kind
                    when 'exhausted' then 'retries_exhausted'
                    when 'lock_exhausted' then 'record_locked'
                    -- Only a category o2c knows (o2c.failure_category); any other is an engine
                    -- error naming it, never an exception nobody owns.
                    when 'failed' then case when fc.category is not null then fc.category else 'engine_error' end
                    when 'no_transition' then 'workflow_error'
               end as x_category,
               case v.kind
                    when 'failed' then case when fc.category is null then 'critical'
                                            else coalesce(v.detail->>'severity', fc.severity) end
                    when 'no_transition' then 'high'
                    else 'high' end as x_severity,
               case when v.kind = 'no_transition' or (v.kind = 'failed' and fc.category is null) then 'engineering'
                    when v.kind = 'failed' then coalesce(v.detail->>'owner', fc.owner)
                    else coalesce(v.detail->>'owner', v.owner) end as x_owner,
               case v.kind
                    when 'exhausted' then format('gave up after %s attempts in state "%s" (%s): %s',
                        v.attempts + 1, v.state, v.action, coalesce(v.detail->>'message', 'transient errors'))
                    when 'lock_exhausted' then format('record still locked after %s tries in state "%s" (%s): %s',
                        v.lock_attempts + 1, v.state, v.action, coalesce(v.detail->>'message', 'record locked'))
                    when 'failed' then case when fc.category is null
                         then format('%s failed with a category o2c does not know (%s): %s', v.action,
                                     coalesce(v.detail->>'category', 'none'), coalesce(v.detail->>'message', 'no message'))
                         else coalesce(v.detail->>'message', format('%s failed', v.action)) end
                    when 'no_transition' then format('action %s returned outcome "%s", for which state "%s" has no transition',
                        v.action, v.outcome, v.state)
               end as x_message,
               tl.name as new_lane, tl.priority as new_priority, coalesce(ts.connection, '') as new_conn
          from verdict v
          left join lateral (select ts.terminal, ts.lane, ts.connection from o2c.workflow_state ts
                              where v.kind = 'advance'
                                and (ts.workflow, ts.version, ts.state) = (v.workflow, v.version, v.target)
                             offset 0) ts on true
          left join lateral (select tl.name, tl.priority from o2c.lane tl where tl.name = ts.lane offset 0) tl on true
          left join lateral (select cn.retry_after_cap_s * 1000.0 as cap_ms from o2c.connection cn
                              where v.kind = 'throttled' and cn.name = v.conn offset 0) cc on true
          left join lateral (select fc.category, fc.owner, fc.severity from o2c.failure_category fc
                              where v.kind = 'failed' and fc.category = v.detail->>'category' offset 0) fc on true
    ),
    upd_instance as (
        update o2c.instance i
           set state = d.new_state, status = d.new_status, attempts = d.new_attempts,
               lock_attempts = d.new_lock_attempts, updated_at = now(),
               context = case when d.patch is null or jsonb_typeof(d.patch) <> 'object' then i.context
                              else i.context || d.patch end,
               exception_category = d.x_category, exception_severity = d.x_severity,
               exception_owner = d.x_owner, exception_message = d.x_message,
               exception_since = case when d.new_status = 'exception' then now() end
          from decided d
         where i.id = d.id and d.kind <> 'released'
    ),
    upd_step as (
        -- Moving on keeps the step's due_at (it is due already, and keeps its place in line):
        -- with the lease cleared and lane unchanged this is a HOT update.
        update o2c.step s
           set due_at = case when d.kind <> 'advance' then d.new_due
                             when d.delay_ms > 0 then now() + make_interval(secs => d.delay_ms / 1000.0)
                             else s.due_at end,
               leased_by = null, lease_token = null, leased_at = null, leased_until = null,
               lane = coalesce(d.new_lane, s.lane), priority = coalesce(d.new_priority, s.priority),
               connection = case when d.kind = 'advance' then d.new_conn else s.connection end
          from decided d
         where s.instance_id = d.id and d.new_status = 'active'
    ),
    del_step as (
        delete from o2c.step s using decided d
         where s.instance_id = d.id and d.new_status <> 'active'
    ),
    -- What the remote said about its load, per connection: a Retry-After holds the connection
    -- till then (never beyond its cap); a refusal without one (the account is busy) cuts o2c's
    -- adaptive limit by a quarter, once every 250 ms at most; calls that got through raise it by
    -- 1/limit each, up to max_concurrent (migration 0017).
    pressure as (
        select d.conn,
               max(coalesce(d.delay_ms, 1000)) filter (where d.kind = 'throttled'
                                                         and coalesce((d.detail->>'retry_after')::boolean, true)) as hold_ms,
               count(*) filter (where d.kind = 'throttled' and not coalesce((d.detail->>'retry_after')::boolean, true)) as refused,
               count(*) filter (where d.kind = 'advance') as served
          from decided d
         where d.conn <> ''
         group by d.conn
    ),
    throttle as (
        update o2c.connection cn
           set throttled_until = case when p.hold_ms is null then cn.throttled_until
                                      else greatest(cn.throttled_until,
                                                    now() + make_interval(secs => least(p.hold_ms / 1000.0, cn.retry_after_cap_s))) end,
               concurrency_limit = case
                   when cn.max_concurrent is null then cn.concurrency_limit
                   when p.refused > 0 and cn.concurrency_cut_at <= now() - interval '250 milliseconds'
                       then greatest(1, round(coalesce(cn.concurrency_limit, cn.max_concurrent) * 0.75, 3))
                   when p.refused > 0 or cn.concurrency_limit is null then cn.concurrency_limit
                   else least(cn.max_concurrent, round(cn.concurrency_limit + p.served / cn.concurrency_limit, 3)) end,
               concurrency_cut_at = case when cn.max_concurrent is not null and p.refused > 0
                                          and cn.concurrency_cut_at <= now() - interval '250 milliseconds'
                                         then now() else cn.concurrency_cut_at end
          from pressure p
         where cn.name = p.conn
           and (p.hold_ms is not null
                or (cn.max_concurrent is not null
                    and (p.refused > 0
                         or (p.served > 0 and cn.concurrency_limit < cn.max_concurrent))))
     returning cn.name, cn.concurrency_limit, cn.concurrency_cut_at = now() as cut
    ),
    cut_event as (
        -- Each cut is history an admin can read (o2c.events, outcome concurrency_cut).
        insert into o2c.event (workflow_id, outcome, actor, detail)
        select 0, 'concurrency_cut', 'o2c', jsonb_build_object('connection', t.name, 'concurrency_limit', t.concurrency_limit)
          from throttle t where t.cut
    ),
    ev as (
        insert into o2c.event (workflow_id, from_state, to_state, outcome, attempt, runner, claimed_at,
                               duration_ms, detail)
        select e.id, e.from_state, e.to_state, e.outcome, e.attempt, p_runner, e.claimed_at, e.duration_ms, e.detail
          from (select d.id, 0 as n, d.state as from_state, d.new_state as to_state, d.outcome, d.attempts + 1 as attempt,
                       d.leased_at as claimed_at, d.duration_ms,
                       case when d.new_status = 'exception'
                            then coalesce(d.detail, '{}') || jsonb_build_object('exception', d.x_category,
                                     'severity', d.x_severity, 'owner', d.x_owner, 'message', d.x_message)
                            else d.detail end as detail
                  from decided d
                 where d.kind <> 'released'
                union all
                -- A chain's links, before the result they led to (events are in id order).
                select d.id, k.n - 1000000, k.from_state, k.to_state, k.outcome, k.attempt, d.leased_at,
                       k.duration_ms, k.detail
                  from decided d
                 cross join lateral o2c.chain_links(d.chain, d.claimed_attempts) k
                 where d.chain is not null
                 order by 1, 2) e
    ),
    started as (
        -- Only results that were accepted start anything (decided holds only those).
        select o2c.start(c->>'workflow', c->>'business_key', coalesce(c->'input', '{}'))
          from decided d cross join lateral jsonb_array_elements(d.start) c
         where jsonb_typeof(d.start) = 'array'
    )
    select coalesce((select array_agg(r.id) from r where r.id not in (select h.id from held h)), '{}'),
           (select count(*) from decided d where d.kind = 'advance' or d.conn <> '')
           + (select count(*) from started) + cardinality(v_moved),
           (select array_agg(d.id) from decided d where d.conn <> '')
      into v_refused, v_wake, v_calls_over;
    -- Their calls are over: their slots go free, or to the step queued to follow each.
    if v_calls_over is not null then
        perform o2c.end_connection_leases(v_calls_over);
    end if;
    -- New due work, or connection capacity freed: wake other runners.
    if v_wake > 0 then
        perform pg_notify('o2c_work', '');
    end if;
    return v_refused;
end
$$;

-- The same, the results as one JSON array of
--   {"id":…, "token":…, "outcome":…, "patch":{…}, "delay_ms":…, "duration_ms":…, "detail":{…},
--    "start":[…], "chain":{"path":[state, outcome, state, …], "durations":[…], "details":[…]}}
-- for callers that build JSON (admin tools, tests, older runners).
create or replace function o2c.complete(p_runner text, p_results jsonb)
returns bigint[]
language sql
security definer
set search_path = o2c, pg_temp
set jit = off
as $$
    select o2c.complete(p_runner, array_agg(r.id order by r.n), array_agg(r.token order by r.n),
                        array_agg(r.outcome order by r.n), array_agg(r.duration_ms order by r.n),
                        array_agg(r.delay_ms order by r.n), jsonb_agg(r.patch order by r.n),
                        jsonb_agg(r.detail order by r.n), jsonb_agg(r.start order by r.n),
                        case when bool_or(r.chain is not null) then jsonb_agg(r.chain order by r.n) end)
      from rows from (jsonb_to_recordset(p_results)
                      as (id bigint, token bigint, outcome text, patch jsonb, delay_ms int, duration_ms int,
                          detail jsonb, start jsonb, chain jsonb)) with ordinality
           as r(id, token, outcome, patch, delay_ms, duration_ms, detail, start, chain, n);
$$;

-- When the earliest step (in the given lanes) becomes due; null when there is none.
create or replace function o2c.next_due(p_lanes text[] default null)
returns timestamptz
language sql
stable
security definer
set search_path = o2c, pg_temp
as $$
    -- A due schedule wakes any runner: whichever gets there first starts its workflow.
    select least((select min(greatest(s.due_at, s.leased_until)) from o2c.step s
                   where p_lanes is null or s.lane = any(p_lanes)),
                 (select min(next_run_at) from o2c.schedule where enabled));
$$;

-- Is there work in these lanes that is leased, due, or due within p_horizon_seconds?
create or replace function o2c.work_pending(p_lanes text[] default null, p_horizon_seconds int default 60)
returns boolean
language sql
stable
security definer
set search_path = o2c, pg_temp
as $$
    select exists (select 1 from o2c.step s
                    where (p_lanes is null or s.lane = any(p_lanes))
                      and (s.leased_by is not null
                           or s.due_at <= now() + make_interval(secs => p_horizon_seconds)));
$$;

revoke all on function o2c.claim(text, int, int, text[], boolean, bigint[]) from public;
revoke all on function o2c.renew_leases(text, bigint[], bigint[], int) from public;
revoke all on function o2c.complete(text, bigint[], bigint[], text[], int[], int[], jsonb, jsonb, jsonb, jsonb) from public;
revoke all on function o2c.complete(text, jsonb) from public;
revoke all on function o2c.next_due(text[]) from public;
revoke all on function o2c.work_pending(text[], int) from public;
grant execute on function o2c.claim(text, int, int, text[], boolean, bigint[]) to o2c_runner;
grant execute on function o2c.renew_leases(text, bigint[], bigint[], int) to o2c_runner;
grant execute on function o2c.complete(text, bigint[], bigint[], text[], int[], int[], jsonb, jsonb, jsonb, jsonb) to o2c_runner;
grant execute on function o2c.complete(text, jsonb) to o2c_runner;
grant execute on function o2c.next_due(text[]) to o2c_runner;
grant execute on function o2c.work_pending(text[], int) to o2c_runner, o2c_admin;
