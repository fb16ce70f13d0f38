-- The item master, ERP → storefront (issue 10): the ERP owns SKU, name and price; the storefront
-- owns merchandising. A canonical item knows which storefront product and size it is (the brand's
-- SKU is product number and size), and o2c remembers what it last put in each storefront, so an
-- unchanged item costs no write.
alter table o2c.canonical_item
    add column product_number text,
    add column size_name text;

-- What o2c last sent to the storefront for the SKU (name, status, prices): the next change is
-- compared with it.
alter table o2c.storefront_item add column pushed jsonb;

-- Which storefront pricelist holds each currency's prices; a store sells in the currencies listed
-- here, so an item lacking one of these prices cannot be offered (exception item_unsellable).
create table o2c.pricelist_map (
    storefront_connection text not null,
    currency              text not null references o2c.currency (code),
    pricelist_id          text not null check (pricelist_id <> ''),
    updated_at            timestamptz not null default now(),
    updated_by            text not null default session_user,
    primary key (storefront_connection, currency)
);

insert into o2c.failure_category (category, owner, severity, description) values
    ('item_unsellable', 'ops', 'high', 'An ERP item cannot be offered in the storefront as it is (no price in a currency the store sells, a size the storefront does not know, no product and size to put it under): fix the item or the mapping, then re-drive.')
on conflict do nothing;

-- Mapping tables people edit keep their audit columns and history (migration 0015), these ones
-- too. storefront_item is o2c's own record of what it made in the storefront: audit columns only.
do $$
declare
    t text;
begin
    foreach t in array array['pricelist_map', 'warehouse_map', 'storefront_item', 'stock_buffer'] loop
        execute format('drop trigger if exists touch on o2c.%I', t);
        execute format('create trigger touch before insert or update on o2c.%I for each row execute function o2c.touch_mapping()', t);
        if t <> 'storefront_item' then
            execute format('create trigger history after insert or update or delete on o2c.%I for each row execute function o2c.record_mapping_change()', t);
        end if;
    end loop;
end
$$;

grant select, insert, update, delete on o2c.pricelist_map to o2c_admin;
grant select on o2c.pricelist_map to o2c_analyst, o2c_admin;
