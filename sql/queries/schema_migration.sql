-- Statements `o2c migrate` runs against the migration bookkeeping table.

-- name: bootstrap
set client_min_messages = warning;
create schema if not exists o2c;
create table if not exists o2c.schema_migration (
    path       text primary key,
    kind       text not null check (kind in ('migration', 'api', 'workflow')),
    checksum   text not null,
    applied_at timestamptz not null default now(),
    applied_by text not null default session_user
);

-- name: lock
select pg_advisory_lock(hashtext('o2c.migrate'));

-- name: unlock
select pg_advisory_unlock(hashtext('o2c.migrate'));

-- name: applied_checksum
select checksum, md5($2::text) as wanted from o2c.schema_migration where path = $1;

-- name: checksum
select md5($1::text);

-- name: record
insert into o2c.schema_migration (path, kind, checksum) values ($1, $2, md5($3::text))
on conflict (path) do update
   set checksum = excluded.checksum, applied_at = now(), applied_by = session_user;

-- name: hand_to_owner
-- Every function of o2c and o2c_action belongs to o2c_owner (sql/migrations/0015), which may use
-- the engine's tables and nothing else.
do $$
declare
    f record;
begin
    grant usage on schema o2c, o2c_action to o2c_owner;
    grant select, insert, update, delete on all tables in schema o2c to o2c_owner;
    grant usage, select, update on all sequences in schema o2c to o2c_owner;
    for f in select p.oid::regprocedure as routine
               from pg_proc p join pg_namespace n on n.oid = p.pronamespace
              where n.nspname in ('o2c', 'o2c_action') and p.prokind in ('f', 'p')
                and p.proowner <> (select oid from pg_roles where rolname = 'o2c_owner') loop
        execute format('alter routine %s owner to o2c_owner', f.routine);
    end loop;
end
$$;
