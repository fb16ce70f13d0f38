-- The engine's tables: pipeline definitions, running instances, the ready-work queue, the event
-- history, lanes and remote connections. Functions and views live in sql/api/ (re-applied by
-- `o2c migrate` whenever they change); this file only ever grows by new numbered migrations.

-- Roles are cluster-wide, so create them only when missing.
do $$
begin
    if not exists (select from pg_roles where rolname = 'o2c_runner') then
        create role o2c_runner nologin;
    end if;
    if not exists (select from pg_roles where rolname = 'o2c_admin') then
        create role o2c_admin nologin;
    end if;
    if not exists (select from pg_roles where rolname = 'o2c_analyst') then
        create role o2c_analyst nologin;
    end if;
end
$$;

-- Lanes order the claim: a higher priority is claimed first (never starving the others).
create table o2c.lane (
    name        text primary key,
    priority    int  not null unique,
    description text not null
);
insert into o2c.lane (name, priority, description) values
    ('inventory',  40, 'stock levels to storefronts: customers must not buy what is gone'),
    ('orders',     30, 'storefront orders to ERP customers and sales orders'),
    ('fulfilment', 20, 'ERP shipments back to storefronts'),
    ('finance',    10, 'payouts, settlements and other batch postings');

-- A remote system as the whole fleet sees it: limits hold across every runner.
create table o2c.connection (
    name             text primary key check (name ~ '^[a-z][a-z0-9_]*$'),
    system           text not null default 'generic',
    base_url         text,
    max_concurrent   int check (max_concurrent > 0),
    rate_per_second  numeric check (rate_per_second > 0),
    burst            int check (burst > 0),
    secret_env       jsonb not null default '{}',  -- names of environment variables, never secrets
    paused           boolean not null default false,
    -- token bucket and throttling state, maintained by o2c.claim / o2c.complete
    tokens           numeric not null default 0,
    tokens_at        timestamptz not null default now(),
    throttled_until  timestamptz not null default '-infinity'
);

create table o2c.workflow_version (
    workflow      text not null,
    version       int  not null,
    initial_state text not null,
    spec          jsonb not null,
    defined_at    timestamptz not null default now(),
    defined_by    text not null default session_user,
    primary key (workflow, version)
);

create table o2c.workflow_state (
    workflow          text not null,
    version           int  not null,
    state             text not null,
    terminal          boolean not null,
    action            text,
    lane              text references o2c.lane,
    connection        text references o2c.connection on update cascade,
    owner             text not null,
    params            jsonb not null default '{}',  -- the action's settings for this state
    max_attempts      int not null,
    base_ms           int not null,
    cap_ms            int not null,
    lock_max_attempts int not null,
    lock_delay_ms     int not null,
    primary key (workflow, version, state),
    foreign key (workflow, version) references o2c.workflow_version,
    check (terminal = (action is null)),
    check (terminal or lane is not null)
);

create table o2c.workflow_transition (
    workflow text not null,
    version  int  not null,
    state    text not null,
    outcome  text not null,
    target   text not null,
    primary key (workflow, version, state, outcome),
    foreign key (workflow, version, state) references o2c.workflow_state,
    foreign key (workflow, version, target) references o2c.workflow_state
);

-- One row per workflow ever started; finished ones stay here as history, out of the claim path.
create table o2c.instance (
    id                 bigint generated always as identity primary key,
    workflow           text not null,
    version            int  not null,
    business_key       text not null check (business_key <> ''),
    state              text not null,
    status             text not null default 'active'
                       check (status in ('active', 'done', 'exception', 'cancelled')),
    attempts           int not null default 0,
    lock_attempts      int not null default 0,
    context            jsonb not null default '{}',
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    exception_category text,
    exception_severity text,
    exception_owner    text,
    exception_message  text,
    exception_since    timestamptz,
    unique (workflow, business_key),
    foreign key (workflow, version) references o2c.workflow_version
);
-- Exceptions are found by exception_since (set only while in exception), not by status, so
-- that a workflow's last update (status -> done) touches no indexed column and stays HOT.
create index instance_exception on o2c.instance (exception_since) where exception_since is not null;
-- Room for the few updates of a workflow's life next to it on the page, so they stay HOT.
alter table o2c.instance set (fillfactor = 80);

-- The queue: one row per active workflow, nothing else, so claims never wade through history.
-- due_at orders the work and says when it may next run. A lease lives in columns that no index
-- covers (leased_by, lease_token, leased_at, leased_until), so claiming a step and moving it to
-- its next state are HOT updates that write no index entries; an expired lease is simply
-- claimable again.
create table o2c.step (
    instance_id  bigint primary key references o2c.instance,
    lane         text not null,
    priority     int  not null,
    connection   text not null default '',      -- '' = no connection limits apply
    due_at       timestamptz not null,
    leased_by    text,
    lease_token  bigint,
    leased_at    timestamptz,
    leased_until timestamptz
) with (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_cost_delay = 0);
create index step_by_priority on o2c.step (connection, priority desc, due_at);
create index step_by_due on o2c.step (connection, due_at);

-- Leases of steps that call a connection: counting the live ones gives the calls in flight on
-- that connection across the whole fleet. Steps without a connection never touch this table.
create table o2c.connection_lease (
    instance_id  bigint primary key,
    connection   text not null,
    leased_until timestamptz not null
);
create index connection_lease_live on o2c.connection_lease (connection, leased_until);

-- Actions written in SQL (sql.<name> in a pipeline) are functions in this schema:
-- o2c_action.<name>(context jsonb, params jsonb) returns jsonb (see sql/api/sql_action.sql).
create schema o2c_action;

-- Fencing tokens: every claim gets a new one; a completion must present the token it was given.
create sequence o2c.lease_token_seq cache 100;

-- One row per transition and per admin act. Append-only.
create table o2c.event (
    id          bigint generated always as identity,  -- order of events; looked up by workflow
    workflow_id bigint not null,
    at          timestamptz not null default now(),
    from_state  text,
    to_state    text,
    outcome     text not null,
    attempt     int,
    runner      text,
    claimed_at  timestamptz,   -- when the runner claimed the step: at - claimed_at = time in the runner
    duration_ms int,
    detail      jsonb,
    actor       text
);
create index event_by_workflow on o2c.event (workflow_id, id);
-- Time windows (o2c.api_performance): events arrive in time order, so a BRIN index is nearly free.
create index event_by_time on o2c.event using brin (at);
