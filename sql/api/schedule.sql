-- Schedules (table: sql/migrations/0007_schedules.sql).
--
--   select o2c.schedule('fulfilment_poll', '*/15 * * * *', 'UTC', 'netsuite_fulfilment_poll', '{}');
--   select o2c.schedule('payout_posting', '0 6 * * *', 'Europe/Stockholm', 'payout_posting');
--
-- Cron: five fields "minute hour day-of-month month day-of-week" (numbers, *, lists a,b, ranges
-- a-b, steps */n and a-b/n, month and weekday names JAN…DEC and SUN…SAT; weekday 0 and 7 are
-- Sunday; when both day fields are restricted a day matching either runs, as in Vixie cron), or
-- @hourly, @daily (@midnight), @weekly, @monthly, @yearly (@annually).
--
-- Exactly once: every runner calls o2c.fire_schedules() as it polls. A due schedule row is locked
-- (SKIP LOCKED) by one runner, which starts the tick's workflow with business key
-- schedule:<name>:<tick in UTC> (o2c.start is idempotent on it) and moves next_run_at on, in one
-- transaction. Ticks missed while no runner was up are folded into one run when runners return:
-- that run is the oldest missed tick's, the next one is the first tick after now, and
-- missed_ticks counts the ones folded.
--
-- Daylight saving (the policy of Vixie cron): a schedule with a fixed hour runs once on the day the
-- clocks change — a wall-clock time that does not exist (the spring gap) runs an hour later by
-- the clock (02:30 → 03:30 summer time), one that happens twice (the autumn overlap) runs the first time only. A
-- schedule for every hour ('*' in the hour field) follows real time: nothing runs in the gap, which
-- has no minutes, and both passes through the overlap run, since each is a real hour.

-- The values one cron field allows, ascending. Refuses anything it does not understand, naming it.
create or replace function o2c.cron_field(p_field text, p_low int, p_high int, p_what text)
returns int[]
language plpgsql
immutable
set search_path = o2c, pg_temp
as $$
declare
    c_names constant text[] := case p_what
        when 'month' then array['JAN','FEB','MAR','APR','MAY','JUN','JUL','AUG','SEP','OCT','NOV','DEC']
        when 'weekday' then array['SUN','MON','TUE','WED','THU','FRI','SAT'] end;
    c_first constant int := case p_what when 'month' then 1 else 0 end;
    v_values int[] := '{}';
    v_part text;
    v_range text;
    v_step int;
    v_from int;
    v_to int;
    v_bounds text[];
begin
    if p_field is null or p_field = '' then
        raise exception 'cron: the % field is missing', p_what using errcode = 'invalid_parameter_value';
    end if;
    foreach v_part in array string_to_array(upper(p_field), ',') loop
        if v_part !~ '^(\*|[0-9A-Z]+(-[0-9A-Z]+)?)(/[0-9]+)?$' then
            raise exception 'cron: "%" is not a valid % field', p_field, p_what using errcode = 'invalid_parameter_value';
        end if;
        v_range := split_part(v_part, '/', 1);
        v_step := coalesce(nullif(split_part(v_part, '/', 2), '')::int, 1);
        if v_step < 1 then
            raise exception 'cron: a step of 0 in the % field "%"', p_what, p_field using errcode = 'invalid_parameter_value';
        end if;
        if v_range = '*' then
            v_from := p_low;
            v_to := p_high;
        else
            v_bounds := string_to_array(v_range, '-');
            for i in 1 .. cardinality(v_bounds) loop
                if v_bounds[i] !~ '^[0-9]+$' then
                    if c_names is null or array_position(c_names, v_bounds[i]) is null then
                        raise exception 'cron: "%" is not a % in "%"', v_bounds[i], p_what, p_field
                            using errcode = 'invalid_parameter_value';
                    end if;
                    v_bounds[i] := (array_position(c_names, v_bounds[i]) - 1 + c_first)::text;
                end if;
            end loop;
            v_from := v_bounds[1]::int;
            v_to := case when cardinality(v_bounds) = 2 then v_bounds[2]::int
                         when v_part like '%/%' then p_high else v_from end;
        end if;
        if v_from < p_low or v_to > p_high or v_from > v_to then
            raise exception 'cron: "%" is outside % to % in the % field', v_part, p_low, p_high, p_what
                using errcode = 'invalid_parameter_value';
        end if;
        v_values := v_values || array(select generate_series(v_from, v_to, v_step));
    end loop;
    if p_what = 'weekday' then   -- 7 is Sunday too
        v_values := array(select distinct case when v = 7 then 0 else v end from unnest(v_values) v);
    end if;
    return array(select distinct v from unnest(v_values) v order by v);
end
$$;

-- The five fields of a cron expression, macros expanded.
create or replace function o2c.cron_fields(p_cron text)
returns text[]
language plpgsql
immutable
set search_path = o2c, pg_temp
as $$
declare
    v_cron text := lower(btrim(coalesce(p_cron, '')));
    v_fields text[];
begin
    v_cron := case v_cron
        when '@hourly' then '0 * * * *'
        when '@daily' then '0 0 * * *'
        when '@midnight' then '0 0 * * *'
        when '@weekly' then '0 0 * * 0'
        when '@monthly' then '0 0 1 * *'
        when '@yearly' then '0 0 1 1 *'
        when '@annually' then '0 0 1 1 *'
        else v_cron end;
    v_fields := regexp_split_to_array(v_cron, '\s+');
    if cardinality(v_fields) <> 5 then
        raise exception 'cron: "%" must have five fields (minute hour day-of-month month day-of-week) or be @hourly, @daily, @weekly, @monthly or @yearly',
            p_cron using errcode = 'invalid_parameter_value';
    end if;
    return v_fields;
end
$$;

-- The first tick of `p_cron` in time zone `p_zone` strictly after `p_after`; null if none within
-- five years (e.g. 30 February).
create or replace function o2c.cron_next(p_cron text, p_zone text, p_after timestamptz)
returns timestamptz
language plpgsql
stable
set search_path = o2c, pg_temp
as $$
declare
    v_fields  text[] := o2c.cron_fields(p_cron);
    v_minutes int[] := o2c.cron_field(v_fields[1], 0, 59, 'minute');
    v_hours   int[] := o2c.cron_field(v_fields[2], 0, 23, 'hour');
    v_doms    int[] := o2c.cron_field(v_fields[3], 1, 31, 'day of month');
    v_months  int[] := o2c.cron_field(v_fields[4], 1, 12, 'month');
    v_dows    int[] := o2c.cron_field(v_fields[5], 0, 7, 'weekday');
    v_dom_any boolean := v_fields[3] = '*';
    v_dow_any boolean := v_fields[5] = '*';
    v_every_hour boolean := cardinality(v_hours) = 24;
    v_local   timestamp;
    v_day     date;
    v_wall    timestamp;
    v_instant timestamptz;
    v_day_ok  boolean;
    v_h       int;
    v_best    timestamptz;
    v_m       int;
begin
    if not exists (select from pg_timezone_names where name = p_zone) then
        raise exception 'cron: "%" is not a time zone PostgreSQL knows (see pg_timezone_names)', p_zone
            using errcode = 'invalid_parameter_value';
    end if;
    v_local := p_after at time zone p_zone;
    -- Start a day early: the overlap's second pass has wall times before the local time now.
    v_day := v_local::date - 1;
    while v_day <= v_local::date + 5 * 366 loop
        v_day_ok := extract(month from v_day)::int = any(v_months) and
            case when v_dom_any and v_dow_any then true
                 when v_dom_any then extract(dow from v_day)::int = any(v_dows)
                 when v_dow_any then extract(day from v_day)::int = any(v_doms)
                 else extract(day from v_day)::int = any(v_doms) or extract(dow from v_day)::int = any(v_dows) end;
        if v_day_ok then
            foreach v_h in array v_hours loop
                foreach v_m in array v_minutes loop
                    v_wall := v_day + make_interval(hours => v_h, mins => v_m);
                    continue when v_wall < v_local - interval '3 hours';
                    -- In the autumn overlap wall time and real time do not run in step: keep the
                    -- earliest instant found until the wall clock is safely past it.
                    if v_best is not null and v_wall > (v_best at time zone p_zone) + interval '2 hours' then
                        return v_best;
                    end if;
                    -- Every instant whose wall-clock time in the zone is v_wall, earliest first.
                    for v_instant in
                        select t from (select (v_wall at time zone p_zone) + d as t
                                         from unnest(array[interval '-1 hour', interval '0', interval '1 hour']) d) c
                         where (t at time zone p_zone) = v_wall
                         order by t
                         limit case when v_every_hour then 3 else 1 end
                    loop
                        if v_instant > p_after and (v_best is null or v_instant < v_best) then
                            v_best := v_instant;
                        end if;
                    end loop;
                    -- The spring gap: this wall time never happens. A fixed-hour schedule runs as
                    -- PostgreSQL reads the time, an hour later by the clock (02:30 → 03:30 summer
                    -- time); an hourly one has nothing to run, the gap has no minutes.
                    if not v_every_hour and not exists (
                           select from unnest(array[interval '-1 hour', interval '0', interval '1 hour']) d
                            where (((v_wall at time zone p_zone) + d) at time zone p_zone) = v_wall) then
                        v_instant := v_wall at time zone p_zone;
                        if v_instant > p_after and (v_best is null or v_instant < v_best) then
                            v_best := v_instant;
                        end if;
                    end if;
                end loop;
            end loop;
        end if;
        v_day := v_day + 1;
    end loop;
    return v_best;
end
$$;

-- Creates or changes a schedule; its next tick is counted from now (or p_from, for tests and
-- back-dated set-ups). Answers the next tick.
create or replace function o2c.schedule(p_name text, p_cron text, p_time_zone text, p_workflow text,
                                        p_input jsonb default '{}', p_from timestamptz default null)
returns timestamptz
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_next timestamptz := o2c.cron_next(p_cron, p_time_zone, coalesce(p_from, now()));
begin
    if v_next is null then
        raise exception 'o2c.schedule(%): "%" never runs', p_name, p_cron using errcode = 'invalid_parameter_value';
    end if;
    if not exists (select from o2c.workflow_version where workflow = p_workflow) then
        raise exception 'o2c.schedule(%): unknown workflow "%" (define it with o2c.define_workflow)', p_name, p_workflow
            using errcode = 'invalid_parameter_value';
    end if;
    insert into o2c.schedule (name, cron, time_zone, workflow, input, next_run_at)
    values (p_name, p_cron, p_time_zone, p_workflow, coalesce(p_input, '{}'), v_next)
    on conflict (name) do update
       set cron = excluded.cron, time_zone = excluded.time_zone, workflow = excluded.workflow,
           input = excluded.input, next_run_at = excluded.next_run_at, enabled = true,
           updated_at = now(), updated_by = session_user;
    perform pg_notify('o2c_work', '');
    return v_next;
end
$$;

-- Stops a schedule (the row stays, with its history); o2c.schedule(...) enables it again.
create or replace function o2c.unschedule(p_name text)
returns boolean
language sql
security definer
set search_path = o2c, pg_temp
as $$
    update o2c.schedule set enabled = false, updated_at = now(), updated_by = session_user
     where name = p_name
    returning true;
$$;

-- Starts the workflow of every due schedule, once per tick across the fleet. Answers how many
-- were started. p_now is the clock (tests drive it); runners pass nothing.
create or replace function o2c.fire_schedules(p_now timestamptz default null)
returns int
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_now     timestamptz := coalesce(p_now, clock_timestamp());
    v_row     o2c.schedule;
    v_id      bigint;
    v_next    timestamptz;
    v_missed  bigint;
    v_fired   int := 0;
begin
    for v_row in select * from o2c.schedule
                  where enabled and next_run_at <= v_now
                  order by next_run_at
                  for update skip locked loop
        v_id := o2c.start(v_row.workflow,
                          format('schedule:%s:%s', v_row.name,
                                 to_char(v_row.next_run_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
                          v_row.input || jsonb_build_object('schedule', v_row.name, 'tick', v_row.next_run_at));
        -- Ticks that fell due while nobody ran are folded into this run (counted, up to 1,000).
        v_missed := 0;
        v_next := o2c.cron_next(v_row.cron, v_row.time_zone, v_row.next_run_at);
        while v_next is not null and v_next <= v_now and v_missed < 1000 loop
            v_missed := v_missed + 1;
            v_next := o2c.cron_next(v_row.cron, v_row.time_zone, v_next);
        end loop;
        if v_next is not null and v_next <= v_now then
            v_next := o2c.cron_next(v_row.cron, v_row.time_zone, v_now);
        end if;
        update o2c.schedule
           set last_tick = v_row.next_run_at, last_run_at = v_now, last_workflow_id = v_id,
               next_run_at = coalesce(v_next, 'infinity'), enabled = v_next is not null,
               missed_ticks = missed_ticks + v_missed
         where name = v_row.name;
        v_fired := v_fired + 1;
    end loop;
    return v_fired;
end
$$;

-- Each schedule with its last and next run, and how the last run's workflow stands.
create or replace view o2c.schedules as
select s.name, s.cron, s.time_zone, s.workflow, s.enabled,
       s.last_tick, s.last_run_at, s.last_workflow_id, i.status as last_status, i.state as last_state,
       s.next_run_at, s.next_run_at at time zone s.time_zone as next_run_local,
       s.missed_ticks, s.input, s.updated_at, s.updated_by
  from o2c.schedule s
  left join o2c.instance i on i.id = s.last_workflow_id;

revoke all on function o2c.schedule(text, text, text, text, jsonb, timestamptz) from public;
revoke all on function o2c.unschedule(text) from public;
revoke all on function o2c.fire_schedules(timestamptz) from public;
grant execute on function o2c.schedule(text, text, text, text, jsonb, timestamptz) to o2c_admin;
grant execute on function o2c.unschedule(text) to o2c_admin;
grant execute on function o2c.fire_schedules(timestamptz) to o2c_runner, o2c_admin;
grant select on o2c.schedules to o2c_analyst, o2c_admin;
