-- One ERP customer per shopper, remembered.
--
-- o2c.customer_link: which ERP customer a shopper (by normalised email: trimmed, lower-cased) is
-- in each ERP connection, filled when order_to_cash finds or creates the customer, so a returning
-- shopper's order makes one ERP call (the sales order) instead of a find and maybe a create. The
-- storefront connection and its customer id are kept beside it, for people tracing a link. A link
-- the ERP refuses (the customer was merged or deleted there) is forgotten and the order finds the
-- customer again (workflows/order_to_cash.sql).
create table o2c.customer_link (
    erp_connection        text not null,
    email                 text not null check (email = lower(btrim(email)) and email <> ''),
    erp_customer_id       text not null check (erp_customer_id <> ''),
    storefront_connection text,
    customer_ref          text,
    linked_by             text not null check (linked_by in ('find', 'create', 'import')),
    linked_at             timestamptz not null default now(),
    primary key (erp_connection, email)
);
create index customer_link_by_erp_id on o2c.customer_link (erp_connection, erp_customer_id);
grant select on o2c.customer_link to o2c_analyst, o2c_admin;
-- Ops may link by hand (after merging two customers in the ERP) or import the ERP's customers.
grant insert, update, delete on o2c.customer_link to o2c_admin;

-- A partial cancellation of a posted order closes only the cancelled lines in the ERP
-- (workflows/order_cancellation.sql); what closing cannot express goes to ops.
insert into o2c.failure_category (category, owner, severity, description) values
    ('partial_cancellation', 'ops', 'high', 'Units of a posted order were cancelled in a way o2c does not change in the ERP by itself (fewer units on a line, or a discounted line): change the sales order by hand.')
on conflict do nothing;

-- The newest input of a workflow started again under its business key (o2c.start): a storefront
-- order changed after its workflow started (PENDING → CONFIRMED, an address fixed, a line
-- cancelled) reaches it. One row per instance, the latest input that differs from the one it was
-- started with; a pipeline that cares reads it (order_to_cash's map takes the newest snapshot).
create table o2c.instance_update (
    instance_id bigint primary key references o2c.instance on delete cascade,
    input       jsonb not null,
    received_at timestamptz not null default now()
);
grant select on o2c.instance_update to o2c_analyst, o2c_admin;
