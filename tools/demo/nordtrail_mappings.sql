-- The mapping tables for the Nordtrail sandbox account, read from the sandbox's own catalogue
-- (GET /_sandbox/seed), as an installation loads them once from its ERP item and tax lists.
-- The seed JSON comes in the setting o2c.seed (select set_config('o2c.seed', <json>, false)),
-- so the demo (psql) and the tests (libpq) run this same file. Idempotent.
--
-- Deliberately left out: nothing. The demo's "unknown SKUs" are products Centra sells that were
-- never set up in NetSuite (NDT-NEW-…), which is the case the sku_map exception exists for.

with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id, note)
select 'centra', i->>'sku', 'netsuite', i->>'netsuiteItemId', i->>'name'
  from seed, jsonb_array_elements(doc->'items') i
on conflict (storefront_connection, sku, erp_connection) do update set erp_item_id = excluded.erp_item_id;

with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.currency_map (erp_connection, currency, erp_currency_id, minor_digits)
select 'netsuite', c->>'code', c->>'netsuiteId', (c->>'exponent')::int
  from seed, jsonb_array_elements(doc->'currencies') c
on conflict (erp_connection, currency) do update set erp_currency_id = excluded.erp_currency_id,
                                          minor_digits = excluded.minor_digits;

with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.tax_map (storefront_connection, country, rate_percent, erp_connection, erp_tax_code_id, note)
select 'centra', t->>'country', (t->>'rate')::numeric, 'netsuite', t->>'netsuiteId', t->>'name'
  from seed, jsonb_array_elements(doc->'taxCodes') t
on conflict (storefront_connection, country, rate_percent, erp_connection) do update set erp_tax_code_id = excluded.erp_tax_code_id;

-- Europe ships from Stockholm, the US from Newark.
insert into o2c.location_map (storefront_connection, country, erp_connection, erp_location_id)
values ('centra', 'SE', 'netsuite', '1'), ('centra', 'DE', 'netsuite', '1'),
       ('centra', 'NL', 'netsuite', '1'), ('centra', 'US', 'netsuite', '2')
on conflict (storefront_connection, country, erp_connection) do update set erp_location_id = excluded.erp_location_id;

-- Centra's checkout plugins → the account's payment methods.
insert into o2c.payment_map (storefront_connection, payment_method, erp_connection, erp_payment_method_id, note)
values ('centra', 'klarna-checkout', 'netsuite', '7', 'Klarna'),
       ('centra', 'adyen-drop-in', 'netsuite', '8', 'Adyen'),
       ('centra', 'stripe-checkout', 'netsuite', '9', 'Stripe')
on conflict (storefront_connection, payment_method, erp_connection) do update set erp_payment_method_id = excluded.erp_payment_method_id;

with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.erp_setting (erp_connection, name, value, note)
select 'netsuite', 'subsidiary_id', doc->>'subsidiaryId', 'every record belongs to it' from seed
union all values ('netsuite', 'shipping_item_id', '2001', 'other charge item SHIPPING'),
                 ('netsuite', 'discount_item_id', '2002', 'discount item DISCOUNT'),
                 ('netsuite', 'refund_item_id', '2003', 'other charge item GOODWILL (refunds without goods)')
on conflict (erp_connection, name) do update set value = excluded.value;

-- Stock: each NetSuite location is one Centra warehouse; Centra sets stock by variant and size.
with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.warehouse_map (erp_connection, erp_location_id, storefront_connection, warehouse_id)
select 'netsuite', l->>'netsuiteId', 'centra', l->>'centraWarehouseId'
  from seed, jsonb_array_elements(doc->'locations') l
on conflict (erp_connection, erp_location_id, storefront_connection) do update set warehouse_id = excluded.warehouse_id;

with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.storefront_item (storefront_connection, sku, product_id, variant_id, size_name)
select 'centra', i->>'sku', i->>'centraProductId', i->>'centraVariantId', i->>'size'
  from seed, jsonb_array_elements(doc->'items') i
on conflict (storefront_connection, sku) do update set product_id = excluded.product_id,
                                                     variant_id = excluded.variant_id, size_name = excluded.size_name;

-- Prices: the Centra store sells in every currency of the account, one pricelist each (the
-- sandbox's pricelist ids follow the catalogue's currency order).
with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.pricelist_map (storefront_connection, currency, pricelist_id)
select 'centra', c->>'code', n::text
  from seed, jsonb_array_elements(doc->'currencies') with ordinality as x(c, n)
on conflict (storefront_connection, currency) do update set pricelist_id = excluded.pricelist_id;

-- Settlement journals: o2c's GL account numbers (the posting model's chart, o2c.gl_account) →
-- the NetSuite accounts with the same number.
with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.gl_account_map (erp_connection, account, erp_account_id, note)
select 'netsuite', g.account, a->>'netsuiteId', a->>'name'
  from seed, jsonb_array_elements(doc->'accounts') a
  join o2c.gl_account g on g.account = a->>'number'
on conflict (erp_connection, account) do update set erp_account_id = excluded.erp_account_id;

-- Captured payments (order_to_cash's customer deposits): Adyen's go into the account its payouts
-- clear (1160, the payout journal's payments_settled); Klarna's and Stripe's into Centra payments
-- clearing (1580). By gateway (Centra's payment plugin) and, for an order that names none, by
-- payment method. Only when the seed's chart has the account, as the account map above.
with seed as (select current_setting('o2c.seed')::jsonb as doc)
insert into o2c.payment_account_map (erp_connection, payment, account, note)
select 'netsuite', p.payment, p.account, p.note
  from (values ('adyen', '1160', 'Adyen (Centra checkout)'), ('kco', '1580', 'Klarna Checkout'),
               ('stripe', '1580', 'Stripe'), ('adyen-drop-in', '1160', 'Adyen (Centra checkout)'),
               ('klarna-checkout', '1580', 'Klarna Checkout'), ('stripe-checkout', '1580', 'Stripe')) as p(payment, account, note)
 where exists (select from seed, jsonb_array_elements(doc->'accounts') a where a->>'number' = p.account)
on conflict (erp_connection, payment) do update set account = excluded.account;
