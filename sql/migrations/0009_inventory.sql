-- Inventory: ERP stock per location becomes storefront stock per warehouse (workflows/inventory_sync.sql).
--
-- The formula (o2c.stock_targets), per SKU × storefront warehouse:
--     level = max(0, on_hand − committed to orders the storefront does not know − safety buffer)
-- Centra counts *physical* stock and deducts its own unshipped orders itself, so its own orders
-- must not be taken off twice: of the ERP's committed units, those promised to the storefront's
-- own open orders (posted to the ERP, not yet fulfilled) are left in. What stays committed is
-- wholesale and other channels. The buffer covers the units sold between two syncs.
--
-- In order: canonical_stock_level and stock_sent keep the ERP's as-of time of each level (and the
-- moment o2c read it, which breaks ties within NetSuite's one-second resolution); an older
-- reading never replaces a newer one, whichever runner, retry or crash delivers it.

-- The ERP's total committed figure as read; `committed` keeps its meaning (other channels only).
alter table o2c.canonical_stock_level add column committed_total numeric not null default 0;
alter table o2c.canonical_stock_level add column read_at timestamptz not null default '-infinity';

-- ERP location → storefront warehouse. location_map is keyed by shipping country (where an order
-- ships from); stock goes the other way and needs the warehouse's own id.
create table o2c.warehouse_map (
    erp_connection        text not null,
    erp_location_id       text not null check (erp_location_id <> ''),
    storefront_connection text not null,
    warehouse_id          text not null check (warehouse_id <> ''),
    updated_at            timestamptz not null default now(),
    updated_by            text not null default session_user,
    primary key (erp_connection, erp_location_id, storefront_connection),
    unique (storefront_connection, warehouse_id, erp_connection)
);

-- What a storefront calls a SKU: Centra sets stock by product variant and size name.
create table o2c.storefront_item (
    storefront_connection text not null,
    sku                   text not null,
    product_id            text,
    variant_id            text not null,
    size_name             text not null,
    updated_at            timestamptz not null default now(),
    updated_by            text not null default session_user,
    primary key (storefront_connection, sku)
);

-- Safety buffers, edited in SQL by ops. The most specific row wins: a row for the warehouse before
-- a row for any warehouse (warehouse_id null), then the longest SKU pattern (LIKE, e.g. 'NDT-TEE-%';
-- '%' is every SKU). The row ('centra', null, '%') is the default.
create table o2c.stock_buffer (
    id                    bigserial primary key,
    storefront_connection text not null,
    warehouse_id          text,
    sku_pattern           text not null default '%',
    buffer                numeric not null check (buffer >= 0 and buffer = trunc(buffer)),
    note                  text,
    updated_at            timestamptz not null default now(),
    updated_by            text not null default session_user,
    unique nulls not distinct (storefront_connection, warehouse_id, sku_pattern)
);
insert into o2c.stock_buffer (storefront_connection, warehouse_id, sku_pattern, buffer, note)
values ('centra', null, '%', 0, 'the default: no buffer until ops set one');

-- The level o2c last set in the storefront, per SKU × warehouse, with the ERP reading it came from.
create table o2c.stock_sent (
    storefront_connection text not null,
    erp_connection        text not null,
    sku                   text not null,
    warehouse_id          text not null,
    quantity              numeric not null check (quantity >= 0),
    as_of                 timestamptz not null,
    read_at               timestamptz not null,
    sent_at               timestamptz not null default now(),
    primary key (storefront_connection, sku, warehouse_id)
);

-- The last good sync per storefront warehouse (o2c.sync_health shows its age).
create table o2c.stock_sync (
    storefront_connection text not null,
    warehouse_id          text not null,
    last_good_at          timestamptz not null,
    levels_sent           bigint not null default 0,
    primary key (storefront_connection, warehouse_id)
);

-- What a drift check read from the storefront, per SKU × warehouse.
create table o2c.stock_observed (
    storefront_connection text not null,
    sku                   text not null,
    warehouse_id          text not null,
    quantity              numeric not null,
    observed_at           timestamptz not null,
    primary key (storefront_connection, sku, warehouse_id)
);

create trigger touch before update on o2c.warehouse_map for each row execute function o2c.touch_mapping();
create trigger touch before update on o2c.storefront_item for each row execute function o2c.touch_mapping();
create trigger touch before update on o2c.stock_buffer for each row execute function o2c.touch_mapping();

grant select, insert, update, delete on o2c.warehouse_map, o2c.storefront_item, o2c.stock_buffer to o2c_admin;
grant usage on sequence o2c.stock_buffer_id_seq to o2c_admin;
grant select on o2c.warehouse_map, o2c.storefront_item, o2c.stock_buffer, o2c.stock_sent, o2c.stock_sync,
                o2c.stock_observed to o2c_analyst, o2c_admin;
