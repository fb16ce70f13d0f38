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
       least(c.max_concurrent, floor(coalesce(c.concurrency_limit, c.max_concurrent)))::int as effective_concurrent
  from o2c.connection c;

revoke all on function o2c.pause_connection(text, text) from public;
revoke all on function o2c.resume_connection(text) from public;
grant execute on function o2c.pause_connection(text, text) to o2c_admin;
grant execute on function o2c.resume_connection(text) to o2c_admin;
grant select on o2c.connections to o2c_analyst, o2c_admin;
