-- Centra order → NetSuite customer and sales order, through the mapping tables (0002_order_to_cash.sql).
--
-- o2c_action.map_centra_order_netsuite(context, params) is the `map` state of order_to_cash. The
-- context is what centra.poll_orders started the workflow with: {"source":"centra","store":…,
-- "order":<the Centra order>}. Its answer:
--   cancelled  the order was cancelled in Centra before it was posted (status CANCELLED, or its
--              cancellation workflow exists): nothing goes to NetSuite.
--   ok         patch: customer_external_id, customer_email, customer_body, sales_order_external_id,
--              sales_order_body, order_number, order_total, order_currency.
--   failed     a value has no mapping (every missing one is named, with the SQL that adds it), the
--              order is unreadable, or its lines do not add up to Centra's grand total.
--
-- Money: Centra's amounts are the truth. Each product line carries Centra's net line value and
-- Centra's line tax (lineValue − lineValueExTax) as NetSuite's `amount` and `tax1Amt`, so NetSuite
-- never recomputes (and re-rounds) a tax. A campaign discount is shown as its own line: the product
-- line is posted at the original price and one discount line per tax code takes the discount off
-- again; the discount's tax share is rounded once, in the currency's digits, and the product line
-- gets the same share back, so lines + discount lines = exactly what Centra charged. Shipping is a
-- line of the shipping item, taxed with what Centra charged beyond the lines' tax. The sum of
-- amounts and taxes must equal Centra's grand total to the cent, else the order stops for finance.
-- Amounts are written with the currency's digits (Centra's values have no more; rounding to them
-- changes no value, only how it is written).

create or replace function o2c.centra_money(p_value jsonb)
returns numeric
language sql
immutable
as $$
    -- A Centra MonetaryValue ({"value": 12.5}) as an exact decimal; null when absent or unreadable.
    select case when jsonb_typeof(p_value->'value') = 'number' then (p_value->>'value')::numeric end
$$;

create or replace function o2c.netsuite_address(p_address jsonb)
returns jsonb
language sql
immutable
as $$
    select nullif(jsonb_strip_nulls(jsonb_build_object(
               'addressee', nullif(btrim(concat_ws(' ', p_address->>'firstName', p_address->>'lastName')), ''),
               'addr1', p_address->>'address1',
               'addr2', nullif(p_address->>'address2', ''),
               'city', p_address->>'city',
               'state', nullif(p_address->>'stateOrProvince', ''),
               'zip', p_address->>'zipCode',
               'country', case when p_address#>>'{country,code}' ~ '^[A-Z]{2}$' then p_address#>>'{country,code}' end,
               'addrPhone', nullif(p_address->>'phoneNumber', ''))), '{}')
$$;

create or replace function o2c_action.map_centra_order_netsuite(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
stable
set search_path = o2c, pg_temp
as $$
declare
    c_storefront constant text := 'centra';
    c_erp        constant text := 'netsuite';
    v_order    jsonb := p_context->'order';
    v_store    text := coalesce(p_context->>'store', '1');
    v_number   text := v_order->>'number';
    v_status   text := upper(coalesce(v_order->>'status', ''));
    v_country  text := coalesce(v_order#>>'{shippingAddress,country,code}', v_order#>>'{billingAddress,country,code}');
    v_currency text := v_order#>>'{currency,code}';
    v_cust_id  text := v_order#>>'{customer,id}';
    v_email    text := lower(btrim(coalesce(nullif(v_order#>>'{customer,email}', ''), v_order#>>'{billingAddress,email}')));
    v_payment  text := v_order#>>'{paymentMethod,uri}';
    v_key_store text := regexp_replace(coalesce(p_context->>'store', '1'), '[^A-Za-z0-9_-]', '_', 'g');
    v_cur      o2c.currency_map;
    v_subsidiary text;
    v_ship_item  text;
    v_disc_item  text;
    v_location   text;
    v_payment_id text;
    v_missing  text[] := '{}';
    v_category text;
    v_owner    text;
    v_lines    jsonb := '[]';
    v_line     jsonb;
    v_sku      text;
    v_item_id  text;
    v_rate     numeric;
    v_code     text;
    v_qty      numeric;
    v_gross    numeric;
    v_net      numeric;
    v_tax      numeric;
    v_disc_gross numeric;
    v_disc_tax numeric;
    v_discounts jsonb := '{}';   -- tax code → {"net": …, "tax": …}
    v_lines_tax numeric := 0;
    v_first_rate numeric;
    v_shipping numeric;
    v_tax_total numeric;
    v_ship_tax numeric;
    v_tax_included boolean;
    v_grand    numeric;
    v_sum      numeric := 0;
    v_vouchers text;
    v_first    text;
    v_last     text;
    v_customer jsonb;
    v_sales_order jsonb;
    v_cancel_workflow text := coalesce(p_params->>'cancel_workflow', 'order_cancellation');
begin
    -- The order must be readable before anything else is said about it.
    if jsonb_typeof(v_order) is distinct from 'object' or v_number !~ '^[0-9]+$'
       or jsonb_typeof(v_order->'lines') is distinct from 'array' then
        return o2c.sql_action_failed('bad_order_data', 'high', 'ops',
            format('The Centra order in this workflow is unreadable (no order number or no lines): %s',
                   left(coalesce(v_order::text, 'nothing'), 300)));
    end if;

    -- Cancelled before it was posted: nothing to post. (Cancelled after: order_cancellation.)
    if v_status = 'CANCELLED' or exists (
           select from o2c.instance where workflow = v_cancel_workflow
              and business_key = format('centra:%s:%s:cancel', v_store, v_number)) then
        return jsonb_build_object('outcome', 'cancelled', 'patch', jsonb_build_object('order_number', v_number));
    end if;

    if v_cust_id is null or v_email is null or v_email = '' or v_currency is null or v_country is null then
        return o2c.sql_action_failed('bad_order_data', 'high', 'ops',
            format('Centra order %s lacks %s, which NetSuite needs', v_number,
                   concat_ws(', ', case when v_cust_id is null then 'a customer id' end,
                                   case when coalesce(v_email, '') = '' then 'an email' end,
                                   case when v_currency is null then 'a currency' end,
                                   case when v_country is null then 'a delivery country' end)));
    end if;
    v_grand := o2c.centra_money(v_order->'grandTotal');
    v_shipping := coalesce(o2c.centra_money(v_order#>'{totals,shipping}'), 0);
    v_tax_total := coalesce(o2c.centra_money(v_order#>'{totals,taxIncluded}'), 0)
                 + coalesce(o2c.centra_money(v_order#>'{totals,taxAdded}'), 0);
    v_tax_included := coalesce(o2c.centra_money(v_order#>'{totals,taxIncluded}'), 0) <> 0;
    if v_grand is null then
        return o2c.sql_action_failed('bad_order_data', 'high', 'ops',
            format('Centra order %s has no grand total', v_number));
    end if;

    -- Every mapping the order needs, all missing ones named at once (fix them in one go).
    select * into v_cur from o2c.currency_map where erp_connection = c_erp and currency = v_currency;
    if not found then
        v_missing := v_missing || format('currency %s: insert into o2c.currency_map (erp_connection, currency, erp_currency_id, minor_digits) values (''netsuite'', %L, ''<NetSuite currency id>'', 2);', v_currency, v_currency);
        v_category := coalesce(v_category, 'unmapped_currency');
        v_owner := coalesce(v_owner, 'finance');
    end if;
    select value into v_subsidiary from o2c.erp_setting where erp_connection = c_erp and name = 'subsidiary_id';
    select value into v_ship_item from o2c.erp_setting where erp_connection = c_erp and name = 'shipping_item_id';
    select value into v_disc_item from o2c.erp_setting where erp_connection = c_erp and name = 'discount_item_id';
    select erp_location_id into v_location from o2c.location_map
     where storefront_connection = c_storefront and erp_connection = c_erp and country = v_country;
    if v_location is null then
        v_missing := v_missing || format('the warehouse for deliveries to %s: insert into o2c.location_map (storefront_connection, country, erp_connection, erp_location_id) values (''centra'', %L, ''netsuite'', ''<NetSuite location id>'');', v_country, v_country);
    end if;
    select erp_payment_method_id into v_payment_id from o2c.payment_map
     where storefront_connection = c_storefront and erp_connection = c_erp and payment_method = v_payment;
    if v_payment is not null and v_payment_id is null then
        v_missing := v_missing || format('payment method %s: insert into o2c.payment_map (storefront_connection, payment_method, erp_connection, erp_payment_method_id) values (''centra'', %L, ''netsuite'', ''<NetSuite payment method id>'');', v_payment, v_payment);
    end if;

    for v_line in select value from jsonb_array_elements(v_order->'lines') loop
        v_qty := case when jsonb_typeof(v_line->'quantity') = 'number' then (v_line->>'quantity')::numeric end;
        if v_qty is null or v_qty < 0 then
            return o2c.sql_action_failed('bad_order_data', 'high', 'ops',
                format('Centra order %s line %s has no readable quantity', v_number, v_line->>'id'));
        end if;
        continue when v_qty = 0;   -- every unit cancelled: nothing to post
        v_sku := coalesce(v_line#>>'{productSize,SKU}', '');
        v_rate := case when jsonb_typeof(v_line->'taxPercent') = 'number' then (v_line->>'taxPercent')::numeric end;
        v_first_rate := coalesce(v_first_rate, v_rate);
        select erp_item_id into v_item_id from o2c.sku_map
         where storefront_connection = c_storefront and erp_connection = c_erp and sku = v_sku;
        if v_item_id is null then
            v_missing := v_missing || format('SKU %s (%s): insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id) values (''centra'', %L, ''netsuite'', ''<NetSuite item id>'');',
                                             v_sku, coalesce(v_line->>'productName', 'no name'), v_sku);
            v_category := 'unmapped_sku';
            v_owner := 'ops';
        end if;
        select erp_tax_code_id into v_code from o2c.tax_map
         where storefront_connection = c_storefront and erp_connection = c_erp and country = v_country and rate_percent = v_rate;
        if v_code is null and not exists (select from unnest(v_missing) m where m like format('tax %s %% in %s:%%', v_rate, v_country)) then
            v_missing := v_missing || format('tax %s %% in %s: insert into o2c.tax_map (storefront_connection, country, rate_percent, erp_connection, erp_tax_code_id) values (''centra'', %L, %s, ''netsuite'', ''<NetSuite tax code id>'');',
                                             coalesce(v_rate::text, 'unknown'), v_country, v_country, coalesce(v_rate::text, 'null'));
            v_category := coalesce(v_category, 'unmapped_tax');
            v_owner := coalesce(v_owner, 'ops');
        end if;
        continue when v_item_id is null or v_code is null or v_cur.erp_connection is null;

        v_gross := o2c.centra_money(v_line->'lineValue');
        v_net := o2c.centra_money(v_line->'lineValueExTax');
        if v_gross is null or v_net is null then
            return o2c.sql_action_failed('bad_order_data', 'high', 'ops',
                format('Centra order %s line %s (SKU %s) has no line value', v_number, v_line->>'id', v_sku));
        end if;
        v_tax := v_gross - v_net;
        v_lines_tax := v_lines_tax + v_tax;
        -- The campaign discount on this line, in Centra's price basis, and its tax share.
        v_disc_gross := greatest(coalesce(o2c.centra_money(v_line->'unitOriginalPrice')
                                        - o2c.centra_money(v_line->'unitPrice'), 0), 0) * v_qty;
        v_disc_tax := round(v_disc_gross * v_rate / (100 + v_rate), v_cur.minor_digits);
        if v_disc_gross > 0 then
            v_discounts := jsonb_set(v_discounts, array[v_code], jsonb_build_object(
                'net', coalesce((v_discounts#>>array[v_code, 'net'])::numeric, 0) + (v_disc_gross - v_disc_tax),
                'tax', coalesce((v_discounts#>>array[v_code, 'tax'])::numeric, 0) + v_disc_tax));
        end if;
        v_lines := v_lines || jsonb_build_object(
            'item', jsonb_build_object('id', v_item_id),
            'description', v_line->>'productName',
            'quantity', v_qty,
            'amount', round(v_net + (v_disc_gross - v_disc_tax), v_cur.minor_digits),
            'taxCode', jsonb_build_object('id', v_code),
            'tax1Amt', round(v_tax + v_disc_tax, v_cur.minor_digits),
            'location', jsonb_build_object('id', v_location));
    end loop;

    if v_subsidiary is null or (v_shipping <> 0 and v_ship_item is null) or (v_discounts <> '{}' and v_disc_item is null) then
        v_missing := v_missing || format('NetSuite settings %s: insert into o2c.erp_setting (erp_connection, name, value) values (''netsuite'', ''<name>'', ''<value>'');',
                                         concat_ws(', ', case when v_subsidiary is null then 'subsidiary_id' end,
                                                         case when v_shipping <> 0 and v_ship_item is null then 'shipping_item_id' end,
                                                         case when v_discounts <> '{}' and v_disc_item is null then 'discount_item_id' end));
    end if;
    if cardinality(v_missing) > 0 then
        return o2c.sql_action_failed(coalesce(v_category, 'unmapped_value'), 'high', coalesce(v_owner, 'ops'),
            format('Centra order %s cannot be posted. No mapping for %s Then re-drive the order.',
                   v_number, array_to_string(v_missing, ' No mapping for ')));
    end if;
    if jsonb_array_length(v_lines) = 0 then
        return o2c.sql_action_failed('bad_order_data', 'medium', 'ops',
            format('Centra order %s has no units left to post (every line cancelled), yet it is not cancelled', v_number));
    end if;

    -- One discount line per tax code takes the campaign discount off again.
    select coalesce(v_lines || jsonb_agg(jsonb_build_object(
               'item', jsonb_build_object('id', v_disc_item),
               'description', coalesce((select string_agg(coalesce(d->>'name', d->>'code'), ', ')
                                          from jsonb_array_elements(coalesce(v_order->'discountsApplied', '[]')) d), 'Discount'),
               'quantity', 1,
               'amount', round(-(value->>'net')::numeric, v_cur.minor_digits),
               'taxCode', jsonb_build_object('id', key),
               'tax1Amt', round(-(value->>'tax')::numeric, v_cur.minor_digits),
               'location', jsonb_build_object('id', v_location)) order by key), v_lines)
      into v_lines
      from jsonb_each(v_discounts);

    -- Shipping: Centra taxes it at the order's rate; its tax is what Centra charged beyond the lines.
    v_ship_tax := v_tax_total - v_lines_tax;
    if v_shipping <> 0 then
        select erp_tax_code_id into v_code from o2c.tax_map
         where storefront_connection = c_storefront and erp_connection = c_erp and country = v_country and rate_percent = v_first_rate;
        v_lines := v_lines || jsonb_build_object(
            'item', jsonb_build_object('id', v_ship_item),
            'description', 'Shipping',
            'quantity', 1,
            'amount', round(case when v_tax_included then v_shipping - v_ship_tax else v_shipping end, v_cur.minor_digits),
            'taxCode', jsonb_build_object('id', v_code),
            'tax1Amt', round(v_ship_tax, v_cur.minor_digits),
            'location', jsonb_build_object('id', v_location));
    end if;

    -- Lines and taxes must add up to what Centra charged, to the cent; and Centra's tax total must
    -- cover its lines' taxes (what is left is shipping's, never negative).
    select sum((l->>'amount')::numeric + (l->>'tax1Amt')::numeric) into v_sum from jsonb_array_elements(v_lines) l;
    if v_sum <> v_grand or (v_shipping = 0 and v_ship_tax <> 0) or v_ship_tax < 0 then
        return o2c.sql_action_failed('total_mismatch', 'high', 'finance',
            format('Centra order %s: its lines, discounts, shipping and taxes come to %s %s, but Centra charged %s %s (difference %s); nothing was posted. Check the order in Centra.',
                   v_number, v_sum, v_currency, v_grand, v_currency, v_grand - v_sum));
    end if;

    v_first := coalesce(nullif(btrim(v_order#>>'{customer,firstName}'), ''), nullif(btrim(v_order#>>'{billingAddress,firstName}'), ''));
    v_last := coalesce(nullif(btrim(v_order#>>'{customer,lastName}'), ''), nullif(btrim(v_order#>>'{billingAddress,lastName}'), ''));
    v_customer := jsonb_build_object(
        'externalId', format('CENTRA-%s-C%s', v_key_store, v_cust_id),
        'isPerson', true,
        'firstName', coalesce(v_first, split_part(v_email, '@', 1)),
        'lastName', coalesce(v_last, split_part(v_email, '@', 1)),
        'email', v_email,
        'subsidiary', jsonb_build_object('id', v_subsidiary),
        'currency', jsonb_build_object('id', v_cur.erp_currency_id));
    select string_agg(d->>'code', ', ') into v_vouchers
      from jsonb_array_elements(coalesce(v_order->'discountsApplied', '[]')) d where d->>'code' is not null;
    v_sales_order := jsonb_strip_nulls(jsonb_build_object(
        'externalId', format('CENTRA-%s-%s', v_key_store, v_number),
        'tranDate', to_char((v_order->>'createdAt')::timestamptz at time zone 'UTC', 'YYYY-MM-DD'),
        'otherRefNum', v_number,
        'memo', concat('Centra order ', v_number, ' (store ', v_store, ')',
                       case when v_vouchers is not null then ', voucher ' || v_vouchers end),
        'subsidiary', jsonb_build_object('id', v_subsidiary),
        'currency', jsonb_build_object('id', v_cur.erp_currency_id),
        'location', jsonb_build_object('id', v_location),
        'paymentMethod', case when v_payment_id is not null then jsonb_build_object('id', v_payment_id) end,
        'email', v_email,
        'orderStatus', case when v_status = 'PENDING' then 'Pending Approval' end,
        'shippingAddress', o2c.netsuite_address(v_order->'shippingAddress'),
        'billingAddress', o2c.netsuite_address(v_order->'billingAddress'),
        'item', jsonb_build_object('items', v_lines)));

    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object(
        'customer_external_id', v_customer->>'externalId',
        'customer_email', v_email,
        'customer_body', v_customer,
        'sales_order_external_id', v_sales_order->>'externalId',
        'sales_order_body', v_sales_order,
        'order_number', v_number,
        'order_total', v_grand,
        'order_currency', v_currency));
exception
    when invalid_datetime_format or datetime_field_overflow or invalid_text_representation then
        return o2c.sql_action_failed('bad_order_data', 'high', 'ops',
            format('Centra order %s has an unreadable value: %s', coalesce(v_number, '?'), sqlerrm));
end
$$;

-- Where order_cancellation stands: has the order's order_to_cash workflow posted a sales order?
--   posted      patch: sales_order_external_id, sales_order_id — close it in NetSuite.
--   not_posted  it never will (cancelled before posting, or the workflow was cancelled).
--   waiting     it is still running or in an exception (a re-drive may still post it): asked
--               again after 0.5 s, 1 s, 2 s … up to params.wait_ms (default 600000).
create or replace function o2c_action.order_posting_status(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
stable
set search_path = o2c, pg_temp
as $$
declare
    v_inst o2c.instance;
    v_key  text := format('centra:%s:%s', coalesce(p_context->>'store', '1'), p_context#>>'{order,number}');
begin
    select * into v_inst from o2c.instance
     where workflow = coalesce(p_params->>'workflow', 'order_to_cash') and business_key = v_key;
    if not found or v_inst.status = 'cancelled'
       or (v_inst.status = 'done' and not v_inst.context ? 'sales_order_id') then
        return jsonb_build_object('outcome', 'not_posted');
    end if;
    if v_inst.status = 'done' then
        return jsonb_build_object('outcome', 'posted', 'patch', jsonb_build_object(
            'sales_order_external_id', v_inst.context->>'sales_order_external_id',
            'sales_order_id', v_inst.context->>'sales_order_id'));
    end if;
    -- Ask again soon (the usual case: order_to_cash is a step or two from done), then less and
    -- less often, up to params.wait_ms, while it sits in an exception.
    return jsonb_build_object('outcome', 'waiting',
        'patch', jsonb_build_object('await_rounds', coalesce((p_context->>'await_rounds')::int, 0) + 1),
        'delay_ms', least(500 * power(2, least(coalesce((p_context->>'await_rounds')::int, 0), 20))::bigint,
                          coalesce((p_params->>'wait_ms')::int, 600000)));
end
$$;

-- A failed answer for a SQL action, in the shape o2c.complete reads.
create or replace function o2c.sql_action_failed(p_category text, p_severity text, p_owner text, p_message text)
returns jsonb
language sql
immutable
as $$
    select jsonb_build_object('outcome', 'failed', 'detail', jsonb_build_object(
        'category', p_category, 'severity', p_severity, 'owner', p_owner, 'message', p_message))
$$;
