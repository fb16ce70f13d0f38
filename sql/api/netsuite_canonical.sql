-- canonical → NetSuite: a canonical order (docs/MODEL.md) becomes the bodies of a NetSuite customer
-- and salesOrder, through the mapping tables of the pair of connections. This half knows NetSuite's
-- shapes and nothing of any storefront; it does no money arithmetic of its own, it lays out what
-- the canonical order says:
--   product line   amount = net + discount_net (the price before the campaign), tax1Amt = tax +
--                  discount_tax: Centra's tax, never recomputed by NetSuite
--   discount lines one per tax code: −Σ discount_net, −Σ discount_tax (the discount item)
--   shipping line  the shipping item, with the tax charged on it
-- Amounts are written with the currency's digits (the record has no more; only how they look).

create or replace function o2c.netsuite_address(p_address jsonb)
returns jsonb
language sql
immutable
as $$
    select nullif(jsonb_strip_nulls(jsonb_build_object(
               'addressee', p_address->>'name',
               'addr1', p_address->>'line1',
               'addr2', p_address->>'line2',
               'city', p_address->>'city',
               'state', p_address->>'region',
               'zip', p_address->>'postcode',
               'country', case when p_address->>'country' ~ '^[A-Z]{2}$' then p_address->>'country' end,
               'addrPhone', p_address->>'phone')), '{}')
$$;

-- The lines of a canonical order that go to NetSuite (product lines with units, and shipping),
-- read once as typed rows, each with its NetSuite item and tax code (null when not mapped).
create or replace function o2c.netsuite_order_lines(p_lines o2c.canonical_line[], p_sf text, p_erp text, p_country text, p_ship_item text)
returns table (line_no int, kind text, sku text, name text, quantity numeric, net numeric, tax numeric,
               discount_net numeric, discount_tax numeric, rate numeric, item_id text, tax_code text)
language sql
stable
as $$
    select l.line_no, l.kind, l.sku, l.name, l.quantity, l.net, l.tax, coalesce(l.discount_net, 0),
           coalesce(l.discount_tax, 0), l.tax_rate,
           case when l.kind = 'shipping' then p_ship_item else s.erp_item_id end, t.erp_tax_code_id
      from unnest(p_lines) l
      left join o2c.sku_map s on s.storefront_connection = p_sf and s.erp_connection = p_erp and s.sku = l.sku
      left join o2c.tax_map t on t.storefront_connection = p_sf and t.erp_connection = p_erp and t.country = p_country
                              and t.rate_percent = l.tax_rate
     where l.kind = 'shipping' or l.quantity > 0
$$;

-- For a canonical order as header and lines (the map step's form, see o2c.order_problems):
--   doc              {"customer": …, "lines_path": ["sales_order", "item", "items"]} (lines_path:
--                    where the document's lines are)
--   sales_order      the salesOrder body as JSON text (parsed once, by whoever puts it in JSON)
--   sales_order_key  its externalId
--   line_map         which canonical line each NetSuite line carries (line_key: each line's
--                    name for good, see below)
-- or doc {"missing": [sentences], "category", "owner", "message"} naming every mapping the order
-- lacks, each with the insert that adds it, and the rest null.
create or replace function o2c.canonical_order_to_netsuite(p_head jsonb, p_lines o2c.canonical_line[],
                                                           p_erp_connection text,
                                                           out doc jsonb, out sales_order text,
                                                           out sales_order_key text, out line_map o2c.erp_line_ref[])
language plpgsql
stable
set search_path = o2c, pg_temp
set plan_cache_mode = force_generic_plan  -- see o2c.order_problems
as $$
declare
    v_head    jsonb := p_head - 'lines';
    v_sf       text := v_head->>'connection';
    v_erp      text := p_erp_connection;
    v_currency text := v_head->>'currency';
    v_digits   int := (v_head->>'minor_digits')::int;
    v_country  text := coalesce(v_head#>>'{shipping_address,country}', v_head#>>'{billing_address,country}');
    v_who      text := format('%s order %s', initcap(v_head->>'channel'), v_head->>'number');
    v_cur_id   text;
    v_subsidiary text;
    v_ship_item  text;
    v_disc_item  text;
    v_location   text;
    v_payment_id text;
    v_missing  text[] := '{}';
    v_category text;
    v_owner    text;
    v_lines    text;
    v_no_item  bigint;
    v_no_tax   bigint;
    v_line_map o2c.erp_line_ref[];
    v_any_discount boolean;
    v_has_shipping boolean;
begin
    select erp_currency_id into v_cur_id from o2c.currency_map where erp_connection = v_erp and currency = v_currency;
    if v_cur_id is null then
        v_missing := v_missing || format('currency %s: insert into o2c.currency_map (erp_connection, currency, erp_currency_id, minor_digits) values (%L, %L, ''<NetSuite currency id>'', %s);',
                                         v_currency, v_erp, v_currency, v_digits);
        v_category := 'unmapped_currency';
        v_owner := 'finance';
    end if;
    select value into v_subsidiary from o2c.erp_setting where erp_connection = v_erp and name = 'subsidiary_id';
    select value into v_ship_item from o2c.erp_setting where erp_connection = v_erp and name = 'shipping_item_id';
    select value into v_disc_item from o2c.erp_setting where erp_connection = v_erp and name = 'discount_item_id';
    select erp_location_id into v_location from o2c.location_map
     where storefront_connection = v_sf and erp_connection = v_erp and country = v_country;
    if v_location is null then
        v_missing := v_missing || format('the warehouse for deliveries to %s: insert into o2c.location_map (storefront_connection, country, erp_connection, erp_location_id) values (%L, %L, %L, ''<NetSuite location id>'');',
                                         v_country, v_sf, v_country, v_erp);
    end if;
    if v_head->>'payment_method' is not null then
        select erp_payment_method_id into v_payment_id from o2c.payment_map
         where storefront_connection = v_sf and erp_connection = v_erp and payment_method = v_head->>'payment_method';
        if v_payment_id is null then
            v_missing := v_missing || format('payment method %s: insert into o2c.payment_map (storefront_connection, payment_method, erp_connection, erp_payment_method_id) values (%L, %L, %L, ''<NetSuite payment method id>'');',
                                             v_head->>'payment_method', v_sf, v_head->>'payment_method', v_erp);
        end if;
    end if;

    -- Every line read once (o2c.netsuite_order_lines) with its item and tax code, and laid out:
    -- product lines, then one discount line per tax code, then shipping. line_map says which
    -- canonical line each NetSuite line (by position, from 1) carries, and names each line for
    -- good (line_key: 'line:<canonical line>', or 'discount:<tax code>'), so a later change of
    -- the order finds the lines it changes whatever their positions (o2c.plan_order_change).
    -- The layout is thrown away when a mapping is missing (below): rare, and only then are the
    -- lines read a second time, to name what is missing.
    with mapped as materialized (
        select * from o2c.netsuite_order_lines(p_lines, v_sf, v_erp, v_country, v_ship_item)
    ), laid as (
        -- A product line as JSON text, written out (json_build_object and json_strip_nulls cost
        -- three times as much, for thousands of lines): null members are left out, as
        -- json_strip_nulls would.
        select 1 as part, line_no as sort, line_no as order_line_no, 'line:' || line_no as line_key,
               '{' || concat_ws(', ',
                   '"item": {' || coalesce('"id": ' || to_json(item_id)::text, '') || '}',
                   '"description": ' || to_json(name)::text,
                   '"quantity": ' || quantity,
                   '"amount": ' || round(net + discount_net, v_digits),
                   '"taxCode": {' || coalesce('"id": ' || to_json(tax_code)::text, '') || '}',
                   '"tax1Amt": ' || round(tax + discount_tax, v_digits),
                   '"location": {' || coalesce('"id": ' || to_json(v_location)::text, '') || '}') || '}' as body
          from mapped where kind = 'product'
        union all
        select 2, row_number() over (order by tax_code)::int, null, 'discount:' || tax_code, json_build_object(
                   'item', json_build_object('id', v_disc_item),
                   'description', coalesce(nullif(array_to_string(array(select jsonb_array_elements_text(coalesce(v_head->'discount_names', '[]'))), ', '), ''), 'Discount'),
                   'quantity', 1,
                   'amount', round(-sum(discount_net), v_digits),
                   'taxCode', json_build_object('id', tax_code),
                   'tax1Amt', round(-sum(discount_tax), v_digits),
                   'location', json_build_object('id', v_location))::text
          from mapped where kind = 'product' and (discount_net <> 0 or discount_tax <> 0)
         group by tax_code
        union all
        select 3, line_no, line_no, 'line:' || line_no, json_build_object(
                   'item', json_build_object('id', item_id),
                   'description', coalesce(name, 'Shipping'),
                   'quantity', 1,
                   'amount', round(net, v_digits),
                   'taxCode', json_build_object('id', tax_code),
                   'tax1Amt', round(tax, v_digits),
                   'location', json_build_object('id', v_location))::text
          from mapped where kind = 'shipping'
    ), numbered as (
        select row_number() over (order by part, sort) as erp_line, order_line_no, line_key, body from laid
    )
    select (select '[' || string_agg(body, ', ' order by erp_line) || ']' from numbered),
           (select array_agg(row(erp_line, order_line_no, line_key)::o2c.erp_line_ref order by erp_line) from numbered),
           count(*) filter (where kind = 'product' and item_id is null), count(*) filter (where tax_code is null),
           bool_or(discount_net <> 0 or discount_tax <> 0) filter (where kind = 'product'),
           bool_or(kind = 'shipping')
      into v_lines, v_line_map, v_no_item, v_no_tax, v_any_discount, v_has_shipping
      from mapped;
    -- The missing items and tax codes, when there are any, named once each.
    if v_no_item > 0 then
        v_missing := v_missing || array(
            select format('SKU %s (%s): insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id) values (%L, %L, %L, ''<NetSuite item id>'');',
                          sku, coalesce(min(name), 'no name'), v_sf, sku, v_erp)
              from o2c.netsuite_order_lines(p_lines, v_sf, v_erp, v_country, v_ship_item)
             where kind = 'product' and item_id is null group by sku order by min(line_no));
        v_category := 'unmapped_sku';
        v_owner := 'ops';
    end if;
    if v_no_tax > 0 then
        v_missing := v_missing || array(
            select format('tax %s %% in %s: insert into o2c.tax_map (storefront_connection, country, rate_percent, erp_connection, erp_tax_code_id) values (%L, %L, %s, %L, ''<NetSuite tax code id>'');',
                          coalesce(rate::text, 'unknown'), v_country, v_sf, v_country, coalesce(rate::text, 'null'), v_erp)
              from o2c.netsuite_order_lines(p_lines, v_sf, v_erp, v_country, v_ship_item)
             where tax_code is null group by rate order by min(line_no));
        v_category := coalesce(v_category, 'unmapped_tax');
        v_owner := coalesce(v_owner, 'ops');
    end if;
    if v_subsidiary is null or (v_has_shipping and v_ship_item is null) or (v_any_discount and v_disc_item is null) then
        v_missing := v_missing || format('NetSuite settings %s: insert into o2c.erp_setting (erp_connection, name, value) values (%L, ''<name>'', ''<value>'');',
                                         concat_ws(', ', case when v_subsidiary is null then 'subsidiary_id' end,
                                                         case when v_has_shipping and v_ship_item is null then 'shipping_item_id' end,
                                                         case when v_any_discount and v_disc_item is null then 'discount_item_id' end),
                                         v_erp);
    end if;
    if cardinality(v_missing) > 0 then
        doc := jsonb_build_object('missing', to_jsonb(v_missing), 'category', coalesce(v_category, 'unmapped_value'),
                                  'owner', coalesce(v_owner, 'ops'),
                                  'message', format('%s cannot be posted. No mapping for %s Then re-drive the order.',
                                                    v_who, array_to_string(v_missing, ' No mapping for ')));
        return;
    end if;

    line_map := coalesce(v_line_map, '{}');
    doc := jsonb_build_object(
        'customer', jsonb_build_object(
            'externalId', case when coalesce(btrim(v_head->>'email'), '') <> ''
                               then o2c.erp_external_id('shopper', v_head->>'channel', v_head->>'store', v_head->>'email')
                               else o2c.erp_external_id('customer', v_head->>'channel', v_head->>'store', v_head->>'customer_ref') end,
            'isPerson', true,
            'firstName', coalesce(v_head->>'first_name', split_part(v_head->>'email', '@', 1)),
            'lastName', coalesce(v_head->>'last_name', split_part(v_head->>'email', '@', 1)),
            'email', v_head->>'email',
            'subsidiary', jsonb_build_object('id', v_subsidiary),
            'currency', jsonb_build_object('id', v_cur_id)),
        'lines_path', jsonb_build_array('sales_order', 'item', 'items'));
    sales_order_key := o2c.erp_external_id('order', v_head->>'channel', v_head->>'store', v_head->>'number');
    -- The sales order as text, never parsed here: the lines are most of it, and the map step
    -- parses it once, in its answer (o2c.json_text_with_member). Nulls are left out of the
    -- header (NetSuite reads an absent field as "not set"); the lines were built without any.
    sales_order := o2c.json_text_with_member(jsonb_strip_nulls(jsonb_build_object(
            'externalId', sales_order_key,
            'tranDate', to_char((v_head->>'placed_at')::timestamptz at time zone 'UTC', 'YYYY-MM-DD'),
            'otherRefNum', v_head->>'number',
            'memo', concat(initcap(v_head->>'channel'), ' order ', v_head->>'number', ' (store ', v_head->>'store', ')',
                           case when jsonb_array_length(coalesce(v_head->'discount_codes', '[]')) > 0
                                then ', voucher ' || array_to_string(array(select jsonb_array_elements_text(v_head->'discount_codes')), ', ') end),
            'subsidiary', jsonb_build_object('id', v_subsidiary),
            'currency', jsonb_build_object('id', v_cur_id),
            'location', jsonb_build_object('id', v_location),
            'paymentMethod', case when v_payment_id is not null then jsonb_build_object('id', v_payment_id) end,
            'email', v_head->>'email',
            'orderStatus', case when v_head->>'status' = 'pending' then 'Pending Approval' end,
            'shippingAddress', o2c.netsuite_address(v_head->'shipping_address'),
            'billingAddress', o2c.netsuite_address(v_head->'billing_address'))),
            'item', '{"items": ' || coalesce(v_lines, '[]') || '}');
end
$$;

-- The same for a canonical order as one JSON document (header and "lines"): {"customer",
-- "sales_order", "lines_path", "line_map": [{"erp_line", "order_line_no", "line_key"}, …]}, or
-- {"missing", …} as above.
create or replace function o2c.canonical_order_to_netsuite(p_order jsonb, p_erp_connection text)
returns jsonb
language sql
stable
set search_path = o2c, pg_temp
as $$
    select case when line_map is null then doc
                else doc || jsonb_build_object('sales_order', sales_order::jsonb, 'line_map', to_jsonb(line_map)) end
      from o2c.canonical_order_to_netsuite(p_order - 'lines', o2c.canonical_lines(p_order->'lines'), p_erp_connection)
$$;

-- canonical → NetSuite: the payment a canonical order's storefront captured, as the body of a
-- customerDeposit against its sales order (customer and salesOrder are put in by the workflow
-- from the ids NetSuite gave: the state's refs). `p_order` is the canonical order's header (its
-- lines are not read). The deposit goes into the ERP account of the order's gateway (or payment
-- method): o2c.payment_account_map → o2c.gl_account_map. Answers one of
--   {"no_capture": true}    nothing captured (0 or absent): no deposit
--   {"deposit": body, "external_id": "DEP-CENTRA-1-1005", "amount", "currency", "payment",
--    "account"}             account: o2c's account number
--   {"missing": [sentences], "category", "owner", "message"}  a mapping lacks, with its SQL
create or replace function o2c.canonical_payment_to_netsuite(p_order jsonb, p_erp_connection text)
returns jsonb
language plpgsql
stable
set search_path = o2c, pg_temp
as $$
declare
    v_erp      text := p_erp_connection;
    v_sf       text := p_order->>'connection';
    v_amount   numeric := (p_order->>'captured_amount')::numeric;
    v_digits   int := (p_order->>'minor_digits')::int;
    v_payment  text := coalesce(nullif(p_order->>'gateway', ''), nullif(p_order->>'payment_method', ''));
    v_who      text := format('%s order %s', initcap(p_order->>'channel'), p_order->>'number');
    v_account  text;
    v_erp_account text;
    v_cur_id   text;
    v_subsidiary text;
    v_method_id text;
    v_missing  text[] := '{}';
begin
    if v_amount is null or v_amount <= 0 then
        return jsonb_build_object('no_capture', true);
    end if;
    select m.account into v_account
      from o2c.payment_account_map m
     where m.erp_connection = v_erp
       and m.payment in (nullif(p_order->>'gateway', ''), nullif(p_order->>'payment_method', ''))
     order by m.payment = p_order->>'gateway' desc
     limit 1;
    if v_account is null then
        v_missing := v_missing || format('the account payments by %s go into: insert into o2c.payment_account_map (erp_connection, payment, account) values (%L, %L, ''<o2c account number, o2c.gl_account>'');',
                                         coalesce(v_payment, '(no gateway or payment method)'), v_erp, coalesce(v_payment, '<gateway>'));
    else
        select erp_account_id into v_erp_account from o2c.gl_account_map where erp_connection = v_erp and account = v_account;
        if v_erp_account is null then
            v_missing := v_missing || format('account %s in the ERP: insert into o2c.gl_account_map (erp_connection, account, erp_account_id) values (%L, %L, ''<NetSuite account id>'');',
                                             v_account, v_erp, v_account);
        end if;
    end if;
    select erp_currency_id into v_cur_id from o2c.currency_map where erp_connection = v_erp and currency = p_order->>'currency';
    if v_cur_id is null then
        v_missing := v_missing || format('currency %s: insert into o2c.currency_map (erp_connection, currency, erp_currency_id, minor_digits) values (%L, %L, ''<NetSuite currency id>'', %s);',
                                         p_order->>'currency', v_erp, p_order->>'currency', v_digits);
    end if;
    select value into v_subsidiary from o2c.erp_setting where erp_connection = v_erp and name = 'subsidiary_id';
    if v_subsidiary is null then
        v_missing := v_missing || format('NetSuite setting subsidiary_id: insert into o2c.erp_setting (erp_connection, name, value) values (%L, ''subsidiary_id'', ''<value>'');', v_erp);
    end if;
    if cardinality(v_missing) > 0 then
        return jsonb_build_object('missing', to_jsonb(v_missing), 'category', 'unmapped_value', 'owner', 'finance',
                                  'message', format('The payment of %s (%s %s) cannot be recorded. No mapping for %s Then re-drive the order.',
                                                    v_who, round(v_amount, v_digits), p_order->>'currency',
                                                    array_to_string(v_missing, ' No mapping for ')));
    end if;
    if p_order->>'payment_method' is not null then
        select erp_payment_method_id into v_method_id from o2c.payment_map
         where storefront_connection = v_sf and erp_connection = v_erp and payment_method = p_order->>'payment_method';
    end if;
    return jsonb_build_object(
        'external_id', 'DEP-' || o2c.erp_external_id('order', p_order->>'channel', p_order->>'store', p_order->>'number'),
        'amount', round(v_amount, v_digits),
        'currency', p_order->>'currency',
        'payment', v_payment,
        'account', v_account,
        'deposit', jsonb_strip_nulls(jsonb_build_object(
            'externalId', 'DEP-' || o2c.erp_external_id('order', p_order->>'channel', p_order->>'store', p_order->>'number'),
            'tranDate', to_char((p_order->>'placed_at')::timestamptz at time zone 'UTC', 'YYYY-MM-DD'),
            'payment', round(v_amount, v_digits),
            'currency', jsonb_build_object('id', v_cur_id),
            'subsidiary', jsonb_build_object('id', v_subsidiary),
            'account', jsonb_build_object('id', v_erp_account),
            'undepFunds', false,
            'paymentMethod', case when v_method_id is not null then jsonb_build_object('id', v_method_id) end,
            'memo', concat(initcap(coalesce(v_payment, 'payment')), ' payment',
                           ' ' || nullif(p_order->>'gateway_reference', ''),
                           ' for ', initcap(p_order->>'channel'), ' order ', p_order->>'number',
                           ' (store ', p_order->>'store', ')'))));
end
$$;
