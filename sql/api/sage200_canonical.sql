-- canonical → Sage 200: a canonical order (docs/MODEL.md) becomes the bodies of a Sage 200
-- customer and sop_order, through the mapping tables of the pair of connections. This half knows
-- Sage 200's shapes and nothing of any storefront.
--
-- Sage 200 computes an order's money itself: a standard line's net is qty × price − qty × unit
-- discount, and its VAT is the line's net × the rate of its tax code, rounded per line. The
-- storefront's VAT is the truth (money rule 1), and Sage's own rounding of a line may differ from
-- it by a penny. So each line is laid out with the net for which Sage's VAT is exactly the VAT the
-- shopper was charged (the nearest such net; the campaign discount, money rule 2, is the line's
-- unit discount, and the difference is taken on or off it), and the pennies this moves between
-- net values come back on one zero-rated free-text line "Rounding". Then Sage's total net, total
-- VAT and gross total each equal the canonical order's to the penny. Shipping is a charge line
-- (money rule 3) laid out the same way. A line no net can give the charged VAT on (VAT on a
-- zero rate) stops the order as total_mismatch, for finance.
--
-- The customer is found by a reference o2c allocates (o2c.sage200_customer_reference); the sales
-- order by customer_document_no, the storefront's order number.

-- The reference of a shopper's Sage 200 customer account in a connection: allocated once, then
-- always the same. "O2" and six base-36 characters of md5(shopper, n), for the first n whose
-- reference no other shopper holds: deterministic (the same shopper gets the same reference on
-- every installation that saw the same shoppers), collision-free (unique per connection), and
-- safe against racing runners (the insert decides).
create or replace function o2c.sage200_customer_reference(p_erp_connection text, p_shopper text)
returns text
language plpgsql
set search_path = o2c, pg_temp
as $$
declare
    v_ref  text;
    v_hash bigint;
    v_b36  text;
begin
    select reference into v_ref from o2c.sage200_customer_ref
     where erp_connection = p_erp_connection and shopper = p_shopper;
    if v_ref is not null then
        return v_ref;
    end if;
    for n in 0..1000 loop
        v_hash := ('x' || substr(md5(p_shopper || ':' || n), 1, 15))::bit(60)::bigint;
        v_b36 := '';
        for i in 1..6 loop
            v_b36 := substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', (v_hash % 36)::int + 1, 1) || v_b36;
            v_hash := v_hash / 36;
        end loop;
        insert into o2c.sage200_customer_ref (erp_connection, shopper, reference)
        values (p_erp_connection, p_shopper, 'O2' || v_b36)
        on conflict do nothing;
        select reference into v_ref from o2c.sage200_customer_ref
         where erp_connection = p_erp_connection and shopper = p_shopper;
        if v_ref is not null then
            return v_ref;
        end if;
    end loop;
    raise exception 'no free Sage 200 customer reference for %', p_shopper;
end
$$;

-- The net (in the currency's digits) nearest p_net for which round(net × rate) is p_tax, or null
-- when there is none (a zero rate with tax on it). One expression, so that PostgreSQL inlines it
-- into the query that lays out an order's lines (a CTE here cost a function call per line, 0.1 s
-- for 10,000 lines). With u the currency's unit, round half up:
--   round(n × r) = t  ⇔  t − u/2 ≤ n × r < t + u/2, so  lo = ceil((t − u/2) / r / u) × u  and
--   hi = (ceil((t + u/2) / r / u) − 1) × u.
create or replace function o2c.sage200_net_for_tax(p_net numeric, p_tax numeric, p_rate numeric, p_digits int)
returns numeric
language sql
immutable
as $$
    select case when coalesce(p_rate, 0) = 0 then case when p_tax = 0 then p_net end
                when ceil(((p_tax - power(10::numeric, -p_digits) / 2) / (p_rate / 100)) / power(10::numeric, -p_digits))
                     > ceil(((p_tax + power(10::numeric, -p_digits) / 2) / (p_rate / 100)) / power(10::numeric, -p_digits)) - 1
                     then null
                else greatest(ceil(((p_tax - power(10::numeric, -p_digits) / 2) / (p_rate / 100)) / power(10::numeric, -p_digits))
                                  * power(10::numeric, -p_digits),
                              least((ceil(((p_tax + power(10::numeric, -p_digits) / 2) / (p_rate / 100)) / power(10::numeric, -p_digits)) - 1)
                                        * power(10::numeric, -p_digits),
                                    p_net)) end
$$;

-- {"customer", "sales_order", "customer_key", "document_key", "lines_path", "line_map"} for a
-- canonical order, or {"missing": [sentences], "category", "owner", "message"}.
--   customer      {reference, name, currency_id}
--   sales_order   {customer_document_no, document_no, document_date, lines, + the company's
--                  required fields from o2c.sage200_order_default}; customer_id is added by the
--                  sage200.find_or_create step from the context
--   customer_key  the reference (context customer_external_id); document_key the order number
-- Settings (o2c.erp_setting): shipping_charge_code (the additional charge shipping is posted as),
-- rounding_tax_code_id (a zero-rated tax code for the rounding line).
-- This form takes the order as header and lines (the map step's form, see o2c.order_problems)
-- and answers, beside doc, the sales order as JSON text (sales_order), its key (sales_order_key,
-- the document_key) and line_map (all three null with "missing"), as
-- o2c.canonical_order_to_netsuite does; the form below takes the order as one JSON document and
-- answers them in it.
create or replace function o2c.canonical_order_to_sage200(p_head jsonb, p_lines o2c.canonical_line[],
                                                          p_erp_connection text,
                                                          out doc jsonb, out sales_order text,
                                                          out sales_order_key text, out line_map o2c.erp_line_ref[])
language plpgsql
set search_path = o2c, pg_temp
set plan_cache_mode = force_generic_plan  -- see o2c.order_problems
as $$
declare
    v_head     jsonb := p_head - 'lines';
    v_sf       text := v_head->>'connection';
    v_erp      text := p_erp_connection;
    v_currency text := v_head->>'currency';
    v_digits   int := (v_head->>'minor_digits')::int;
    v_country  text := coalesce(v_head#>>'{shipping_address,country}', v_head#>>'{billing_address,country}');
    v_who      text := format('%s order %s', initcap(v_head->>'channel'), v_head->>'number');
    v_cur_id   text;
    v_charge   text;
    v_round_tc text;
    v_location text;
    v_missing  text[] := '{}';
    v_category text;
    v_owner    text;
    v_shopper  text;
    v_ref      text;
    v_lines    text;             -- the lines, JSON text
    v_line_map o2c.erp_line_ref[];
    v_rounding numeric;
    v_no_net   text[];
    v_defaults jsonb;
    v_name     text;
begin
    select erp_currency_id into v_cur_id from o2c.currency_map where erp_connection = v_erp and currency = v_currency;
    if v_cur_id is null then
        v_missing := v_missing || format('currency %s: insert into o2c.currency_map (erp_connection, currency, erp_currency_id, minor_digits) values (%L, %L, ''<Sage 200 currency id>'', %s);',
                                         v_currency, v_erp, v_currency, v_digits);
        v_category := 'unmapped_currency';
        v_owner := 'finance';
    end if;
    select value into v_charge from o2c.erp_setting where erp_connection = v_erp and name = 'shipping_charge_code';
    select value into v_round_tc from o2c.erp_setting where erp_connection = v_erp and name = 'rounding_tax_code_id';
    select erp_location_id into v_location from o2c.location_map
     where storefront_connection = v_sf and erp_connection = v_erp and country = v_country;
    if v_location is null then
        v_missing := v_missing || format('the warehouse for deliveries to %s: insert into o2c.location_map (storefront_connection, country, erp_connection, erp_location_id) values (%L, %L, %L, ''<Sage 200 warehouse id>'');',
                                         v_country, v_sf, v_country, v_erp);
    end if;

    -- Every line with its Sage product and tax code (null when not mapped), and the net for which
    -- Sage's VAT is the VAT charged.
    create temp table if not exists sage200_lines (line_no int, kind text, sku text, name text, quantity numeric,
        net numeric, tax numeric, discount_net numeric, rate numeric, product_id text, tax_code text, sage_net numeric)
        on commit drop;
    truncate sage200_lines;
    insert into sage200_lines
    select l.line_no, l.kind, l.sku, l.name, l.quantity, l.net, l.tax, coalesce(l.discount_net, 0), l.tax_rate,
           s.erp_item_id, t.erp_tax_code_id, o2c.sage200_net_for_tax(l.net, l.tax, l.tax_rate, v_digits)
      from unnest(p_lines) l
      left join o2c.sku_map s on s.storefront_connection = v_sf and s.erp_connection = v_erp and s.sku = l.sku
      left join o2c.tax_map t on t.storefront_connection = v_sf and t.erp_connection = v_erp and t.country = v_country
                              and t.rate_percent = l.tax_rate
     where l.kind = 'shipping' or l.quantity > 0;

    v_missing := v_missing || array(
        select format('SKU %s (%s): insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id) values (%L, %L, %L, ''<Sage 200 product id>'');',
                      sku, coalesce(min(name), 'no name'), v_sf, sku, v_erp)
          from sage200_lines where kind = 'product' and product_id is null group by sku order by min(line_no));
    if exists (select from sage200_lines where kind = 'product' and product_id is null) then
        v_category := 'unmapped_sku';
        v_owner := 'ops';
    end if;
    if exists (select from sage200_lines where tax_code is null) then
        v_missing := v_missing || array(
            select distinct format('tax %s %% in %s: insert into o2c.tax_map (storefront_connection, country, rate_percent, erp_connection, erp_tax_code_id) values (%L, %L, %s, %L, ''<Sage 200 tax code id>'');',
                          coalesce(rate::text, 'unknown'), v_country, v_sf, v_country, coalesce(rate::text, 'null'), v_erp)
              from sage200_lines where tax_code is null);
        v_category := coalesce(v_category, 'unmapped_tax');
        v_owner := coalesce(v_owner, 'ops');
    end if;
    if (exists (select from sage200_lines where kind = 'shipping') and v_charge is null)
       or (exists (select from sage200_lines where sage_net is distinct from net) and v_round_tc is null) then
        v_missing := v_missing || format('Sage 200 settings %s: insert into o2c.erp_setting (erp_connection, name, value) values (%L, ''<name>'', ''<value>'');',
                                         concat_ws(', ', case when v_charge is null and exists (select from sage200_lines where kind = 'shipping') then 'shipping_charge_code' end,
                                                         case when v_round_tc is null and exists (select from sage200_lines where sage_net is distinct from net) then 'rounding_tax_code_id (a zero-rated tax code)' end),
                                         v_erp);
    end if;
    -- Fields the company requires that nobody has said what goes in.
    v_missing := v_missing || array(
        select format('the field %s Sage 200 requires on every sales order: update o2c.sage200_order_default set value = ''<value>'' where erp_connection = %L and field = %L;',
                      field, v_erp, field)
          from o2c.sage200_order_default where erp_connection = v_erp and value is null order by field);
    if cardinality(v_missing) > 0 then
        doc := jsonb_build_object('missing', to_jsonb(v_missing), 'category', coalesce(v_category, 'unmapped_value'),
                                  'owner', coalesce(v_owner, 'ops'),
                                  'message', format('%s cannot be posted to Sage 200. No mapping for %s Then re-drive the order.',
                                                    v_who, array_to_string(v_missing, ' No mapping for ')));
        return;
    end if;
    select array_agg(format('line %s (%s): VAT %s at %s %%', line_no, coalesce(sku, name, kind), tax, rate) order by line_no)
      into v_no_net from sage200_lines where sage_net is null;
    if v_no_net is not null then
        doc := jsonb_build_object('missing', to_jsonb(v_no_net), 'category', 'total_mismatch', 'owner', 'finance',
                                  'message', format('%s cannot be posted to Sage 200: Sage computes VAT from the tax code''s rate, and no net gives the VAT %s charged on %s. Nothing was posted; check the order''s tax in %s.',
                                                    v_who, initcap(v_head->>'channel'), array_to_string(v_no_net, ', '), initcap(v_head->>'channel')));
        return;
    end if;

    -- Product lines (standard), then shipping (charge), then the rounding line when any net moved.
    -- A product line: the price before the campaign, less the unit discount that leaves Sage's net;
    -- when the net must rise above the price before the campaign, the price rises instead.
    v_rounding := (select coalesce(sum(net - sage_net), 0) from sage200_lines);
    -- Each line as JSON text (the sales order is text to the end, o2c_action.map_order): a
    -- product line written out, null members left out as jsonb_strip_nulls would; jsonb_agg of
    -- jsonb objects cost four times as much, for thousands of lines.
    with laid as (
        select 1 as part, line_no as sort, line_no as order_line_no, 'line:' || line_no as line_key,
               '{' || concat_ws(', ',
                   '"line_type": "EnumLineTypeStandard"',
                   '"product_id": ' || product_id::bigint,
                   '"warehouse_id": ' || v_location::bigint,
                   '"code": ' || to_json(sku)::text,
                   '"description": ' || to_json(coalesce(name, sku))::text,
                   '"line_quantity": ' || quantity,
                   '"selling_unit_price": ' || round(greatest(net + discount_net, sage_net) / quantity, 5),
                   '"unit_discount_value": ' || case when net + discount_net > sage_net
                                                     then round((net + discount_net - sage_net) / quantity, 5) end,
                   '"tax_code_id": ' || tax_code::bigint) || '}' as body
          from sage200_lines where kind = 'product'
        union all
        select 2, line_no, line_no, 'line:' || line_no, json_build_object(
                   'line_type', 'EnumLineTypeCharge',
                   'code', v_charge,
                   'description', coalesce(name, 'Shipping'),
                   'selling_unit_price', round(sage_net, v_digits),
                   'tax_code_id', tax_code::bigint)::text
          from sage200_lines where kind = 'shipping'
        union all
        select 3, 0, null, 'rounding', json_build_object(
                   'line_type', 'EnumLineTypeFreeText',
                   'description', 'Rounding (VAT per line)',
                   'selling_unit_price', round(v_rounding, v_digits),
                   'tax_code_id', v_round_tc::bigint)::text
         where exists (select from sage200_lines where sage_net <> net)
    ), numbered as (
        select row_number() over (order by part, sort) as erp_line, order_line_no, line_key, body from laid
    )
    select '[' || string_agg(body, ', ' order by erp_line) || ']',
           array_agg(row(erp_line, order_line_no, line_key)::o2c.erp_line_ref order by erp_line)
      into v_lines, v_line_map
      from numbered;

    v_shopper := coalesce(o2c.normalised_email(v_head->>'email'),
                          format('%s:%s:%s', v_head->>'channel', v_head->>'store', v_head->>'customer_ref'));
    v_ref := o2c.sage200_customer_reference(v_erp, v_shopper);
    v_name := left(coalesce(nullif(btrim(concat_ws(' ', v_head->>'first_name', v_head->>'last_name')), ''),
                            v_head->>'email', 'Customer ' || (v_head->>'customer_ref')), 60);
    select coalesce(jsonb_object_agg(field, value), '{}') into v_defaults
      from o2c.sage200_order_default where erp_connection = v_erp;

    line_map := coalesce(v_line_map, '{}');
    sales_order := o2c.json_text_with_member((v_defaults - 'lines') || jsonb_build_object(
            'customer_document_no', v_head->>'number',
            'document_no', left(v_head->>'number', 20),
            'document_date', to_char((v_head->>'placed_at')::timestamptz at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
            'lines', v_lines);
    sales_order_key := v_head->>'number';
    doc := jsonb_build_object(
        'customer', jsonb_strip_nulls(jsonb_build_object(
            'reference', v_ref,
            'name', v_name,
            'currency_id', v_cur_id::bigint)),
        'customer_key', v_ref,
        'document_key', v_head->>'number',
        'lines_path', jsonb_build_array('sales_order', 'lines'));
end
$$;

create or replace function o2c.canonical_order_to_sage200(p_order jsonb, p_erp_connection text)
returns jsonb
language sql
set search_path = o2c, pg_temp
as $$
    select case when line_map is null then doc
                else doc || jsonb_build_object('sales_order', sales_order::jsonb, 'line_map', to_jsonb(line_map)) end
      from o2c.canonical_order_to_sage200(p_order - 'lines', o2c.canonical_lines(p_order->'lines'), p_erp_connection)
$$;

-- Who changed a company's order defaults, as for the other mapping tables (o2c.mapping_history,
-- migration 0015). Here rather than in 0012, which runs before 0015 on a new database.
drop trigger if exists touch on o2c.sage200_order_default;
create trigger touch before insert or update on o2c.sage200_order_default
    for each row execute function o2c.touch_mapping();
drop trigger if exists history on o2c.sage200_order_default;
create trigger history after insert or update or delete on o2c.sage200_order_default
    for each row execute function o2c.record_mapping_change();
