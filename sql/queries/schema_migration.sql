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
