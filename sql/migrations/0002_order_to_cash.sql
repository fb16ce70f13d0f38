-- Mapping tables: how a storefront's values become an ERP's. The business edits them with plain
-- SQL (o2c_admin); analysts read them. A value with no row is an exception owned by the team that
-- keeps the table; after inserting the row, o2c.redrive(<workflow id>) finishes the work.
--
-- Every table names the storefront system ('centra', later 'shopify', 'amazon') and the ERP
-- ('netsuite', later 'sage200') so one installation can map several of each. Each row records
-- who changed it last and when (o2c.touch_mapping), because finance asks.

create function o2c.touch_mapping()
returns trigger
language plpgsql
as $$
begin
    new.updated_at := now();
    new.updated_by := session_user;
    return new;
end
$$;

-- SKU → ERP item. Owned by ops: a new product in the storefront needs its ERP item.
create table o2c.sku_map (
    storefront  text not null,
    sku         text not null,
    erp         text not null,
    erp_item_id text not null check (erp_item_id <> ''),
    note        text,
    updated_at  timestamptz not null default now(),
    updated_by  text not null default session_user,
    primary key (storefront, sku, erp)
);

-- Storefront tax (country of delivery, rate in percent) → ERP tax code. The storefront's tax
-- amounts stay the truth; the code says where the ERP books them. Owned by finance.
create table o2c.tax_map (
    storefront      text not null,
    country         text not null check (country ~ '^[A-Z]{2}$'),
    rate_percent    numeric(7,4) not null check (rate_percent >= 0 and rate_percent < 100),
    erp             text not null,
    erp_tax_code_id text not null check (erp_tax_code_id <> ''),
    note            text,
    updated_at      timestamptz not null default now(),
    updated_by      text not null default session_user,
    primary key (storefront, country, rate_percent, erp)
);

-- ISO currency → ERP currency, with the currency's minor-unit digits (JPY 0, KWD 3), which the
-- mapping needs to round a discount's tax share exactly as the ERP stores money. Owned by finance.
create table o2c.currency_map (
    erp             text not null,
    currency        text not null check (currency ~ '^[A-Z]{3}$'),
    erp_currency_id text not null check (erp_currency_id <> ''),
    minor_digits    int  not null default 2 check (minor_digits between 0 and 4),
    updated_at      timestamptz not null default now(),
    updated_by      text not null default session_user,
    primary key (erp, currency)
);

-- Storefront payment method (Centra paymentMethod.uri) → ERP payment method. Owned by finance.
create table o2c.payment_map (
    storefront            text not null,
    payment_method        text not null,
    erp                   text not null,
    erp_payment_method_id text not null check (erp_payment_method_id <> ''),
    note                  text,
    updated_at            timestamptz not null default now(),
    updated_by            text not null default session_user,
    primary key (storefront, payment_method, erp)
);

-- Country of delivery → the ERP location (warehouse) that ships it. Owned by ops.
create table o2c.location_map (
    storefront      text not null,
    country         text not null check (country ~ '^[A-Z]{2}$'),
    erp             text not null,
    erp_location_id text not null check (erp_location_id <> ''),
    updated_at      timestamptz not null default now(),
    updated_by      text not null default session_user,
    primary key (storefront, country, erp)
);

-- One-off values of an ERP account: subsidiary_id, shipping_item_id, discount_item_id.
create table o2c.erp_setting (
    erp        text not null,
    name       text not null check (name ~ '^[a-z][a-z0-9_]*$'),
    value      text not null,
    note       text,
    updated_at timestamptz not null default now(),
    updated_by text not null default session_user,
    primary key (erp, name)
);

create trigger touch before update on o2c.sku_map for each row execute function o2c.touch_mapping();
create trigger touch before update on o2c.tax_map for each row execute function o2c.touch_mapping();
create trigger touch before update on o2c.currency_map for each row execute function o2c.touch_mapping();
create trigger touch before update on o2c.payment_map for each row execute function o2c.touch_mapping();
create trigger touch before update on o2c.location_map for each row execute function o2c.touch_mapping();
create trigger touch before update on o2c.erp_setting for each row execute function o2c.touch_mapping();

grant select, insert, update, delete
   on o2c.sku_map, o2c.tax_map, o2c.currency_map, o2c.payment_map, o2c.location_map, o2c.erp_setting
   to o2c_admin;
grant select
   on o2c.sku_map, o2c.tax_map, o2c.currency_map, o2c.payment_map, o2c.location_map, o2c.erp_setting
   to o2c_analyst;

-- A state may name where o2c.redrive starts by default: a sales order the ERP refused because of a
-- mapping must be mapped again after the fix, not re-sent as it was.
alter table o2c.workflow_state add column redrive_from text;

-- The connections the shipped pipelines (workflows/) use, with safe limits. An installation sets
-- base_url (and secret_env, if its variables have other names) with plain SQL.
insert into o2c.connection (name, system, max_concurrent)
values ('netsuite', 'netsuite', 10)   -- a NetSuite account allows 15 at once: leave room for others
on conflict (name) do nothing;
insert into o2c.connection (name, system, rate_per_second, burst)
values ('centra', 'centra', 6, 60)    -- Centra's Growth plan: 60 requests per 10 s
on conflict (name) do nothing;
