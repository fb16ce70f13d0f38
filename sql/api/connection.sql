-- Remote systems as the fleet sees them: limits, pausing, and what is in flight now.

create or replace function o2c.pause_connection(p_name text, p_reason text)
returns void
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    update o2c.connection set paused = true where name = p_name;
    if not found then
        raise exception 'o2c.pause_connection: no connection named "%"', p_name using errcode = 'no_data_found';
    end if;
    insert into o2c.event (workflow_id, outcome, actor, detail)
    values (0, 'pause_connection', session_user, jsonb_build_object('connection', p_name, 'reason', p_reason));
end
$$;

create or replace function o2c.resume_connection(p_name text)
returns void
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    update o2c.connection set paused = false, throttled_until = '-infinity' where name = p_name;
    if not found then
        raise exception 'o2c.resume_connection: no connection named "%"', p_name using errcode = 'no_data_found';
    end if;
    insert into o2c.event (workflow_id, outcome, actor, detail)
    values (0, 'resume_connection', session_user, jsonb_build_object('connection', p_name));
    perform pg_notify('o2c_work', '');
end
$$;

-- Ends the connection leases of steps p_ids (their calls are over: completed, cancelled or
-- re-driven). A step that its runner claimed to run next on one of those slots (o2c.claim's
-- p_relays) takes the slot over, under its own step lease, rather than the slot being freed and
-- taken again: the calls in flight on the connection are counted the same either way. A
-- successor no longer leased (completed in the same batch, or its runner gone) gets nothing.
-- A successor may already have a row, expired: left behind by a runner that died holding the
-- step an earlier time. That row is taken over, or the successor's call would run uncounted.
-- A live one (the step holds a slot of its own already) is left as it is.
create or replace function o2c.end_connection_leases(p_ids bigint[])
returns void
language sql
security definer
set search_path = o2c, pg_temp
as $$
    with gone as (
        delete from o2c.connection_lease l where l.instance_id = any (p_ids)
     returning l.successor, l.connection
    )
    insert into o2c.connection_lease (instance_id, connection, leased_until)
    select g.successor, g.connection, s.leased_until
      from gone g
      join o2c.step s on s.instance_id = g.successor
     where s.leased_until > now()
        on conflict (instance_id) do update
       set connection = excluded.connection, leased_until = excluded.leased_until, successor = null
     where o2c.connection_lease.leased_until <= now();
$$;

create or replace view o2c.connections as
select c.name, c.system, c.base_url, c.max_concurrent, c.rate_per_second, c.burst, c.paused,
       nullif(c.throttled_until, '-infinity') as throttled_until,
       (select count(*) from o2c.connection_lease l
         where l.connection = c.name and l.leased_until > now()) as in_flight,
       (select count(*) from o2c.step s
         where s.connection = c.name and s.due_at <= now()
           and (s.leased_until is null or s.leased_until <= now())) as waiting,
       -- How many calls o2c lets run at once now: max_concurrent, or lower while the account
       -- refuses calls for being busy (adaptive, migration 0017).
       least(c.max_concurrent, floor(coalesce(c.concurrency_limit, c.max_concurrent)))::int as effective_concurrent,
       -- Steps claimed to run on a slot the moment the call holding it ends (migration 0035).
       (select count(*) from o2c.connection_lease l
         where l.connection = c.name and l.leased_until > now() and l.successor is not null) as queued_on_slots
  from o2c.connection c;

revoke all on function o2c.end_connection_leases(bigint[]) from public;
revoke all on function o2c.pause_connection(text, text) from public;
revoke all on function o2c.resume_connection(text) from public;
grant execute on function o2c.pause_connection(text, text) to o2c_admin;
grant execute on function o2c.resume_connection(text) to o2c_admin;
grant select on o2c.connections to o2c_analyst, o2c_admin;
