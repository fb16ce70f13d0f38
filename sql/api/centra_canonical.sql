-- Centra → canonical: a Centra order, as Centra's GraphQL answers it (connectors/centra/
-- centra_orders.c asks for these fields), becomes a canonical order record (docs/MODEL.md). This
-- half knows Centra's shapes and nothing of any ERP; the money it writes is Centra's own.
--
-- Per product line: `net` and `tax` are what Centra charged (lineValueExTax, and lineValue minus
-- it); the campaign discount on the line ((unitOriginalPrice − unitPrice) × quantity, in the
-- order's price basis) is split into `discount_net` and `discount_tax`, the tax share rounded once
-- in the currency's digits. Shipping is one line whose tax is what Centra charged beyond the
-- lines' tax, at the rate of the order's first line. Nothing is rounded that Centra did not round:
-- a value with more decimals than the currency has is kept, and the record's validation refuses it.

create or replace function o2c.centra_money(p_value jsonb)
returns numeric
language sql
immutable
as $$
    -- A Centra MonetaryValue ({"value": 12.5}) as an exact decimal; null when absent or unreadable.
    select case when jsonb_typeof(p_value->'value') = 'number' then (p_value->>'value')::numeric end
$$;

-- When Centra last changed the order: updatedAt, else createdAt.
create or replace function o2c.centra_order_updated_at(p_order jsonb)
returns timestamptz
language sql
stable
as $$
    select coalesce(p_order->>'updatedAt', p_order->>'createdAt')::timestamptz
$$;

-- A Centra address as a canonical address ({name, line1, line2, city, region, postcode, country,
-- phone, email}); null when there is none.
create or replace function o2c.centra_address(p_address jsonb)
returns jsonb
language sql
immutable
as $$
    select nullif(jsonb_strip_nulls(jsonb_build_object(
               'name', nullif(btrim(concat_ws(' ', p_address->>'firstName', p_address->>'lastName')), ''),
               'line1', nullif(p_address->>'address1', ''),
               'line2', nullif(p_address->>'address2', ''),
               'city', nullif(p_address->>'city', ''),
               'region', nullif(p_address->>'stateOrProvince', ''),
               'postcode', nullif(p_address->>'zipCode', ''),
               'country', p_address#>>'{country,code}',
               'phone', nullif(p_address->>'phoneNumber', ''),
               'email', nullif(p_address->>'email', ''))), '{}')
$$;

-- The canonical order as the map step passes it on: its header (jsonb) and its lines as rows
-- (o2c.canonical_line[]); or problems ([{"category", "message"}, …]) when the Centra order
-- cannot be read (every problem named at once), header and lines then null. p_connection is the
-- storefront connection it came through, p_store the Centra store. The record as one JSON
-- document: o2c.centra_order_to_canonical below.
create or replace function o2c.centra_order_to_canonical_rows(p_order jsonb, p_connection text, p_store text,
                                                              out problems jsonb, out head jsonb,
                                                              out lines o2c.canonical_line[])
language plpgsql
stable
set search_path = o2c, pg_temp
set plan_cache_mode = force_generic_plan  -- see o2c.order_problems
as $$
declare
    v_number   text := p_order->>'number';
    v_status   text := upper(coalesce(p_order->>'status', ''));
    v_currency text := p_order#>>'{currency,code}';
    v_digits   int;
    v_cust_id  text := p_order#>>'{customer,id}';
    v_email    text := lower(btrim(coalesce(nullif(p_order#>>'{customer,email}', ''), p_order#>>'{billingAddress,email}')));
    v_country  text := coalesce(p_order#>>'{shippingAddress,country,code}', p_order#>>'{billingAddress,country,code}');
    v_included boolean := coalesce(o2c.centra_money(p_order#>'{totals,taxIncluded}'), 0) <> 0;
    v_tax_total numeric := coalesce(o2c.centra_money(p_order#>'{totals,taxIncluded}'), 0)
                         + coalesce(o2c.centra_money(p_order#>'{totals,taxAdded}'), 0);
    v_shipping numeric := coalesce(o2c.centra_money(p_order#>'{totals,shipping}'), 0);
    v_grand    numeric := o2c.centra_money(p_order->'grandTotal');
    v_placed   timestamptz;
    v_updated  timestamptz;
    v_lines    o2c.canonical_line[];
    v_count    int;
    v_bad      text;
    v_lines_net numeric;
    v_lines_tax numeric;
    v_disc_net numeric;
    v_disc_tax numeric;
    v_first_rate numeric;
    v_ship_tax numeric;
    v_problems jsonb := '[]';
    v_who      text := format('Centra order %s', coalesce(v_number, '(no number)'));
begin
    -- The order must be readable before anything else is said about it.
    if jsonb_typeof(p_order) is distinct from 'object' or coalesce(v_number, '') !~ '^[0-9]+$'
       or jsonb_path_query_first(p_order, '$.lines.type()') #>> '{}' is distinct from 'array' then
        problems := jsonb_build_array(jsonb_build_object('category', 'bad_order_data',
            'message', format('The Centra order in this workflow is unreadable (no order number or no lines): %s',
                              left(coalesce(p_order::text, 'nothing'), 300))));
        return;
    end if;
    if v_cust_id is null or coalesce(v_email, '') = '' or v_currency is null or v_country is null then
        problems := jsonb_build_array(jsonb_build_object('category', 'bad_order_data',
            'message', format('%s lacks %s, which the ERP needs', v_who,
                   concat_ws(', ', case when v_cust_id is null then 'a customer id' end,
                                   case when coalesce(v_email, '') = '' then 'an email' end,
                                   case when v_currency is null then 'a currency' end,
                                   case when v_country is null then 'a delivery country' end))));
        return;
    end if;
    if v_grand is null then
        problems := jsonb_build_array(jsonb_build_object('category', 'bad_order_data',
            'message', format('%s has no grand total', v_who)));
        return;
    end if;
    begin
        v_placed := (p_order->>'createdAt')::timestamptz;
        v_updated := coalesce(o2c.centra_order_updated_at(p_order), v_placed);
    exception when invalid_datetime_format or datetime_field_overflow or invalid_text_representation then
        problems := jsonb_build_array(jsonb_build_object('category', 'bad_order_data',
            'message', format('%s has an unreadable value: %s', v_who, sqlerrm)));
        return;
    end;
    -- Digits decide how a discount's tax share is rounded; an unknown currency is named by the
    -- record's validation, so round as for two digits meanwhile.
    select minor_digits into v_digits from o2c.currency where code = v_currency;
    v_digits := coalesce(v_digits, 2);

    -- Each line on its own, set-based (a 10,000-line order maps in one pass). jsonpath says at
    -- once whether any line is unreadable; only then are they named one by one.
    if jsonb_path_exists(p_order, '$.lines[*] ? (!(@.quantity.type() == "number") || (@.quantity > 0 && '
                                  '(!(@.lineValue.value.type() == "number") || !(@.lineValueExTax.value.type() == "number") '
                                  '|| !(@.taxPercent.type() == "number"))))') then
    select string_agg(format('line %s has no readable %s', coalesce(l->>'id', n::text), what), '; ')
      into v_bad
      from jsonb_array_elements(p_order->'lines') with ordinality as x(l, n),
           lateral (values ('quantity', jsonb_typeof(l->'quantity') is distinct from 'number'),
                           ('line value', jsonb_typeof(l->'quantity') = 'number' and (l->>'quantity')::numeric > 0
                                          and (o2c.centra_money(l->'lineValue') is null or o2c.centra_money(l->'lineValueExTax') is null)),
                           ('tax rate', jsonb_typeof(l->'quantity') = 'number' and (l->>'quantity')::numeric > 0
                                        and jsonb_typeof(l->'taxPercent') is distinct from 'number')) as c(what, bad)
     where bad;
    end if;
    if v_bad is not null then
        problems := jsonb_build_array(jsonb_build_object('category', 'bad_order_data',
            'message', format('%s: %s', v_who, v_bad)));
        return;
    end if;

    -- Each value is read out of the JSON once (materialized: a flattened CTE would read it again
    -- for every place it is used). jsonpath hands out the lines where they are (p_order->'lines'
    -- would copy all of them first), as type() above looks at them without a copy.
    with line as materialized (
        select n::int as line_no, l->>'id' as id, coalesce(l#>>'{productSize,SKU}', '') as sku,
               l->>'productName' as name,
               (l->>'quantity')::numeric as qty,
               coalesce((l->>'cancelledQuantity')::numeric, 0) as cancelled,
               (l->>'taxPercent')::numeric as rate,
               coalesce(o2c.centra_money(l->'lineValue'), 0) as gross,
               coalesce(o2c.centra_money(l->'lineValueExTax'), 0) as net,
               o2c.centra_money(l->'unitPrice') as unit_price,
               o2c.centra_money(l->'unitOriginalPrice') as original_unit_price
          from jsonb_path_query(p_order, 'strict $.lines[*]') with ordinality as x(l, n)
    ), priced as (
        select line.*,
               greatest(coalesce(original_unit_price - unit_price, 0), 0) * qty as discount
          from line
    ), taxed as (
        select priced.*,
               case when v_included then round(discount * rate / (100 + rate), v_digits)
                    else round(discount * rate / 100, v_digits) end as discount_tax
          from priced
    ), split as materialized (
        select taxed.*, case when v_included then discount - discount_tax else discount end as discount_net
          from taxed
    )
    select array_agg(row(line_no, 'product', id, sku, name, qty, cancelled, unit_price, original_unit_price,
                         net, gross - net, rate, discount_net, discount_tax)::o2c.canonical_line order by line_no),
           sum(net) filter (where qty > 0), sum(gross - net) filter (where qty > 0),
           sum(discount_net) filter (where qty > 0),
           sum(discount_tax) filter (where qty > 0),
           (array_agg(rate order by line_no) filter (where qty > 0))[1],
           count(*)
      into v_lines, v_lines_net, v_lines_tax, v_disc_net, v_disc_tax, v_first_rate, v_count
      from split;
    v_lines := coalesce(v_lines, '{}');
    -- Shipping: what Centra charged in tax beyond the lines' tax.
    v_ship_tax := v_tax_total - coalesce(v_lines_tax, 0);
    if v_shipping <> 0 or v_ship_tax <> 0 then
        v_lines := v_lines || row(v_count + 1, 'shipping', null, null, 'Shipping', 1, 0, null, null,
                                  case when v_included then v_shipping - v_ship_tax else v_shipping end,
                                  v_ship_tax, v_first_rate, 0, 0)::o2c.canonical_line;
    end if;

    -- Nulls are left out of the header; the lines keep theirs (their columns may be null).
    lines := v_lines;
    head := jsonb_strip_nulls(jsonb_build_object(
        'order_key', o2c.order_key('centra', p_store, v_number),
        'channel', 'centra',
        'connection', p_connection,
        'store', p_store,
        'number', v_number,
        'placed_at', v_placed,
        'status', case v_status when 'PENDING' then 'pending' when 'CONFIRMED' then 'confirmed'
                                when 'PROCESSING' then 'processing' when 'SHIPPED' then 'shipped'
                                when 'CANCELLED' then 'cancelled' else 'confirmed' end,
        'currency', v_currency,
        'minor_digits', v_digits,
        'tax_included', v_included,
        'customer_ref', v_cust_id,
        'email', v_email,
        'first_name', coalesce(nullif(btrim(p_order#>>'{customer,firstName}'), ''), nullif(btrim(p_order#>>'{billingAddress,firstName}'), '')),
        'last_name', coalesce(nullif(btrim(p_order#>>'{customer,lastName}'), ''), nullif(btrim(p_order#>>'{billingAddress,lastName}'), '')),
        'phone', nullif(p_order#>>'{shippingAddress,phoneNumber}', ''),
        'payment_method', p_order#>>'{paymentMethod,uri}',
        'gateway', nullif(p_order#>>'{paymentMethod,plugin}', ''),
        -- What the gateway captured: Centra's payment history when the snapshot holds its capture
        -- entries (CAPTURE, CAPTURE_REQUEST: the successful CAPTUREs, none yet = nothing
        -- captured), else the order's total, as the checkout captures it. The poller reads only
        -- the REFUND entries, which say nothing about the capture.
        'captured_amount', case when jsonb_path_exists(p_order, '$.paymentHistory[*] ? (@.entryType == "CAPTURE" || @.entryType == "CAPTURE_REQUEST")')
            then coalesce((select sum((e#>>'{value,value}')::numeric) from jsonb_array_elements(p_order->'paymentHistory') e
                            where e->>'entryType' = 'CAPTURE' and upper(coalesce(e->>'status', 'SUCCESS')) = 'SUCCESS'), 0)
            else v_grand end,
        'gateway_reference', case when jsonb_path_exists(p_order, '$.paymentHistory[*] ? (@.entryType == "CAPTURE")')
            then (select e->>'externalReference' from jsonb_array_elements(p_order->'paymentHistory') e
                   where e->>'entryType' = 'CAPTURE' and upper(coalesce(e->>'status', 'SUCCESS')) = 'SUCCESS'
                     and nullif(e->>'externalReference', '') is not null limit 1) end,
        'billing_address', o2c.centra_address(p_order->'billingAddress'),
        'shipping_address', o2c.centra_address(p_order->'shippingAddress'),
        'discount_codes', coalesce((select jsonb_agg(d->>'code') from jsonb_array_elements(coalesce(p_order->'discountsApplied', '[]')) d
                                     where d->>'code' is not null), '[]'),
        'discount_names', coalesce((select jsonb_agg(coalesce(d->>'name', d->>'code')) from jsonb_array_elements(coalesce(p_order->'discountsApplied', '[]')) d
                                     where coalesce(d->>'name', d->>'code') is not null), '[]'),
        'lines_net', coalesce(v_lines_net, 0),
        'lines_tax', coalesce(v_lines_tax, 0),
        'discount_net', coalesce(v_disc_net, 0),
        'discount_tax', coalesce(v_disc_tax, 0),
        'shipping_net', case when v_included then v_shipping - v_ship_tax else v_shipping end,
        'shipping_tax', v_ship_tax,
        'grand_total', v_grand,
        'source_updated_at', v_updated));
end
$$;

-- {"record": <canonical order>} or {"problems": [{"category", "message"}, …]}: the canonical
-- order as one JSON document (header and "lines"), from o2c.centra_order_to_canonical_rows.
create or replace function o2c.centra_order_to_canonical(p_order jsonb, p_connection text, p_store text)
returns jsonb
language sql
stable
set search_path = o2c, pg_temp
as $$
    select case when problems is not null then jsonb_build_object('problems', problems)
                else jsonb_build_object('record', head || jsonb_build_object('lines', o2c.canonical_lines_json(lines))) end
      from o2c.centra_order_to_canonical_rows(p_order, p_connection, p_store)
$$;
