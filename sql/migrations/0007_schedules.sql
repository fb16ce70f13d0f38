-- Schedules: cron expressions with a time zone, each tick starting exactly one workflow across the
-- whole fleet. Runners fire due schedules (o2c.fire_schedules, sql/api/schedule.sql) as they poll;
-- admins set them with o2c.schedule(...) and read them in o2c.schedules.

create table o2c.schedule (
    name             text primary key check (name ~ '^[a-z][a-z0-9_:-]*$'),
    cron             text not null,          -- "m h dom mon dow", or @hourly/@daily/@weekly/@monthly/@yearly
    time_zone        text not null,          -- an IANA zone, e.g. Europe/Stockholm
    workflow         text not null,
    input            jsonb not null default '{}' check (jsonb_typeof(input) = 'object'),
    enabled          boolean not null default true,
    next_run_at      timestamptz not null,   -- the next tick, an instant
    last_tick        timestamptz,            -- the tick the last workflow was started for
    last_run_at      timestamptz,            -- when that happened (later than the tick after an outage)
    last_workflow_id bigint,
    missed_ticks     bigint not null default 0,   -- ticks folded into a later run after an outage, in all
    updated_at       timestamptz not null default now(),
    updated_by       text not null default session_user
);

-- Runners look only for due, enabled schedules.
create index schedule_due on o2c.schedule (next_run_at) where enabled;

grant select on o2c.schedule to o2c_analyst, o2c_admin;
