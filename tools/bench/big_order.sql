-- The bench's very big order: the mappings it needs and a temporary table bench_order holding
-- one order_to_cash context ({"source", "store", "order"}) of :lines lines of one SKU, Swedish VAT,
-- to the cent. Read by mapping.sql (the map function alone) and map_step (the whole step, as a
-- runner runs it).
insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id) values ('centra', 'BENCH-1', 'netsuite', '1')
on conflict do nothing;
insert into o2c.tax_map (storefront_connection, country, rate_percent, erp_connection, erp_tax_code_id) values ('centra', 'SE', 25, 'netsuite', '10')
on conflict do nothing;
insert into o2c.currency_map (erp_connection, currency, erp_currency_id) values ('netsuite', 'SEK', '1') on conflict do nothing;
insert into o2c.location_map (storefront_connection, country, erp_connection, erp_location_id) values ('centra', 'SE', 'netsuite', '1')
on conflict do nothing;
insert into o2c.erp_setting (erp_connection, name, value) values ('netsuite', 'subsidiary_id', '1'), ('netsuite', 'discount_item_id', '2')
on conflict do nothing;
-- The same for Sage 200's half.
insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id) values ('centra', 'BENCH-1', 'sage200', '1')
on conflict do nothing;
insert into o2c.tax_map (storefront_connection, country, rate_percent, erp_connection, erp_tax_code_id) values ('centra', 'SE', 25, 'sage200', '1')
on conflict do nothing;
insert into o2c.currency_map (erp_connection, currency, erp_currency_id) values ('sage200', 'SEK', '1') on conflict do nothing;
insert into o2c.location_map (storefront_connection, country, erp_connection, erp_location_id) values ('centra', 'SE', 'sage200', '1')
on conflict do nothing;

create temp table bench_order as
select jsonb_build_object('source', 'centra', 'store', 'bench', 'order', jsonb_build_object(
           'number', 990001, 'status', 'CONFIRMED', 'createdAt', '2026-11-23T10:00:00Z',
           'currency', jsonb_build_object('code', 'SEK'),
           'grandTotal', jsonb_build_object('value', :lines * 125.0),
           'totals', jsonb_build_object('taxIncluded', jsonb_build_object('value', :lines * 25.0)),
           'customer', jsonb_build_object('id', 1, 'email', 'bench@example.com'),
           'shippingAddress', jsonb_build_object('country', jsonb_build_object('code', 'SE')),
           'lines', (select jsonb_agg(jsonb_build_object('id', i, 'productSize', jsonb_build_object('SKU', 'BENCH-1'),
                        'quantity', 1, 'taxPercent', 25, 'unitOriginalPrice', jsonb_build_object('value', 130),
                        'unitPrice', jsonb_build_object('value', 125), 'lineValue', jsonb_build_object('value', 125),
                        'lineValueExTax', jsonb_build_object('value', 100)))
                       from generate_series(1, :lines) i))) as context;
