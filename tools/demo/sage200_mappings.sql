-- The mapping tables for the Nordtrail company in the Sage 200 sandbox, read from the sandbox's
-- catalogue (GET /_sandbox/seed: the Sage 200 sandbox numbers its products, tax codes and
-- warehouses as the seed does), as an installation loads them once from its Sage 200 lists. The
-- seed JSON comes in the setting o2c.seed, as for tools/demo/nordtrail_mappings.sql. Idempotent.
-- A Sage 200 product's code is the storefront SKU here (sop_order lines carry both).

with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id, note)
select 'centra', i->>'sku', 'sage200', i->>'netsuiteItemId', i->>'name'
  from seed, jsonb_array_elements(doc->'items') i
on conflict (storefront_connection, sku, erp_connection) do update set erp_item_id = excluded.erp_item_id;

with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.currency_map (erp_connection, currency, erp_currency_id, minor_digits)
select 'sage200', c->>'code', c->>'netsuiteId', (c->>'exponent')::int
  from seed, jsonb_array_elements(doc->'currencies') c
on conflict (erp_connection, currency) do update set erp_currency_id = excluded.erp_currency_id,
                                          minor_digits = excluded.minor_digits;

with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.tax_map (storefront_connection, country, rate_percent, erp_connection, erp_tax_code_id, note)
select 'centra', t->>'country', (t->>'rate')::numeric, 'sage200', t->>'netsuiteId', t->>'name'
  from seed, jsonb_array_elements(doc->'taxCodes') t
on conflict (storefront_connection, country, rate_percent, erp_connection) do update set erp_tax_code_id = excluded.erp_tax_code_id;

-- Europe ships from Stockholm, the US from Newark.
insert into o2c.location_map (storefront_connection, country, erp_connection, erp_location_id)
values ('centra', 'SE', 'sage200', '1'), ('centra', 'DE', 'sage200', '1'),
       ('centra', 'NL', 'sage200', '1'), ('centra', 'US', 'sage200', '2')
on conflict (storefront_connection, country, erp_connection) do update set erp_location_id = excluded.erp_location_id;

-- Shipping is the additional charge CARRIAGE; VAT-per-line pennies go on a zero-rated line.
with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.erp_setting (erp_connection, name, value, note)
(select 'sage200', 'rounding_tax_code_id', t->>'netsuiteId', 'zero-rated: ' || (t->>'name')
   from seed, jsonb_array_elements(doc->'taxCodes') t where (t->>'rate')::numeric = 0
  order by t->>'netsuiteId' limit 1)
union all values ('sage200', 'shipping_charge_code', 'CARRIAGE', 'additional charge for shipping')
on conflict (erp_connection, name) do update set value = excluded.value;

-- Stock: each Sage 200 warehouse (numbered as the seed's locations) is one Centra warehouse;
-- Centra sets stock by variant and size (the storefront's own rows, shared with NetSuite's).
with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.warehouse_map (erp_connection, erp_location_id, storefront_connection, warehouse_id)
select 'sage200', l->>'netsuiteId', 'centra', l->>'centraWarehouseId'
  from seed, jsonb_array_elements(doc->'locations') l
on conflict (erp_connection, erp_location_id, storefront_connection) do update set warehouse_id = excluded.warehouse_id;

with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.storefront_item (storefront_connection, sku, product_id, variant_id, size_name)
select 'centra', i->>'sku', i->>'centraProductId', i->>'centraVariantId', i->>'size'
  from seed, jsonb_array_elements(doc->'items') i
on conflict (storefront_connection, sku) do update set product_id = excluded.product_id,
                                                     variant_id = excluded.variant_id, size_name = excluded.size_name;

-- Refunds and payouts: credit notes book goodwill and shipping refunds to these nominal codes;
-- payouts go through the cash book's clearing bank (the sandbox's bank 2); o2c's GL accounts are
-- the Sage 200 nominal codes of the same number.
insert into o2c.erp_setting (erp_connection, name, value, note)
values ('sage200', 'refund_nominal_code', '4050', 'refunds and goodwill'),
       ('sage200', 'shipping_nominal_code', '4010', 'shipping refunded'),
       ('sage200', 'clearing_bank_id', '2', 'the gateway clearing bank in the cash book')
on conflict (erp_connection, name) do update set value = excluded.value;

insert into o2c.gl_account_map (erp_connection, account, erp_account_id)
select 'sage200', account, account from o2c.gl_account
on conflict do nothing;
