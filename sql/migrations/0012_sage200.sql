-- Sage 200 as the second ERP (issue 12): what o2c keeps for it beyond the shared mapping tables.
--
-- Sage 200 has no upsert and no external id: a customer is found by its `reference` (at most 8
-- characters, unique in the company) and a sales order by its `customer_document_no` (the
-- storefront's order number). o2c allocates each shopper's reference itself, deterministically
-- and collision-free, and keeps it here, so the same shopper always gets the same account.
create table o2c.sage200_customer_ref (
    erp_connection text not null,
    shopper        text not null check (shopper <> ''),  -- normalised email, or channel:store:customer id
    reference      text not null check (reference ~ '^[A-Z0-9]{1,8}$'),
    allocated_at   timestamptz not null default now(),
    primary key (erp_connection, shopper),
    unique (erp_connection, reference)
);

-- Fields a company requires on every sales order that no storefront order carries (the classic
-- "project code" in an analysis code): the value o2c sends, or null when the company requires the
-- field and nobody has said what goes in it yet (the order then stops, naming the field).
create table o2c.sage200_order_default (
    erp_connection text not null,
    field          text not null check (field ~ '^[a-z][a-z0-9_]*$'),
    value          text,
    note           text,
    updated_at     timestamptz not null default now(),
    updated_by     text not null default session_user,
    primary key (erp_connection, field)
);

grant select on o2c.sage200_customer_ref, o2c.sage200_order_default to o2c_analyst, o2c_admin;
grant select, insert, update, delete on o2c.sage200_order_default to o2c_admin;
-- Ops may re-point a shopper at an account made by hand.
grant update, delete on o2c.sage200_customer_ref to o2c_admin;

-- The connection the Sage 200 pipeline (workflows/order_to_cash_sage200.sql) uses. Sage 200
-- publishes no rate limit; its on-premise tunnel is the bottleneck, so few calls at once.
insert into o2c.connection (name, system, max_concurrent)
values ('sage200', 'sage200', 4)
on conflict (name) do nothing;
