-- make bench: how long order_to_cash's map step (o2c_action.map_order: Centra → canonical, the
-- checks, recording, canonical → NetSuite) takes for one order of :lines lines, in milliseconds.
-- Mapping is linear; this says what a very big order costs (it took 179 s at 10,000 lines when
-- lines were appended one by one).
insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id) values ('centra', 'BENCH-1', 'netsuite', '1')
on conflict do nothing;
insert into o2c.tax_map (storefront_connection, country, rate_percent, erp_connection, erp_tax_code_id) values ('centra', 'SE', 25, 'netsuite', '10')
on conflict do nothing;
insert into o2c.currency_map (erp_connection, currency, erp_currency_id) values ('netsuite', 'SEK', '1') on conflict do nothing;
insert into o2c.location_map (storefront_connection, country, erp_connection, erp_location_id) values ('centra', 'SE', 'netsuite', '1')
on conflict do nothing;
insert into o2c.erp_setting (erp_connection, name, value) values ('netsuite', 'subsidiary_id', '1'), ('netsuite', 'discount_item_id', '2')
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

do $$
declare
    t0 timestamptz;
    answer jsonb;
begin
    t0 := clock_timestamp();
    select o2c_action.map_order(context, '{}') into answer from bench_order;
    if answer->>'outcome' <> 'ok' then
        raise exception 'bench: the big order did not map: %', answer;
    end if;
    perform set_config('bench.map_ms', round(extract(epoch from clock_timestamp() - t0) * 1000)::text, false);
end
$$;
select current_setting('bench.map_ms');
