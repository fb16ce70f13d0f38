-- Connections that cannot freeze the fleet or leak a secret.
--
-- A Retry-After is honoured up to the connection's cap (default one hour): one answer saying
-- "2000000 seconds" once held a connection back for 23 days, fleet-wide.
alter table o2c.connection
    add column retry_after_cap_s int not null default 3600 check (retry_after_cap_s between 1 and 86400);

-- secret_env may name only variables of the connection's own system (NETSUITE_*, CENTRA_*, …):
-- never DATABASE_URL, never another system's token.
create function o2c.secret_env_own_prefix(p_system text, p_secret_env jsonb)
returns boolean
language sql
immutable
as $$
    select jsonb_typeof(p_secret_env) = 'object'
       and not exists (select from jsonb_each(p_secret_env) e
                        where jsonb_typeof(e.value) <> 'string'
                           or e.value #>> '{}' !~ ('^' || upper(p_system) || '_[A-Z0-9_]*$'))
$$;

alter table o2c.connection
    add constraint secret_env_own_prefix check (o2c.secret_env_own_prefix(system, secret_env));

-- A hold set before the cap existed ends within the cap too.
update o2c.connection set throttled_until = least(throttled_until, now() + make_interval(secs => retry_after_cap_s))
 where throttled_until > now() + make_interval(secs => retry_after_cap_s);
