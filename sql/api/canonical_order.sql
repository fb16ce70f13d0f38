-- The canonical order (tables in sql/migrations/0004_canonical_model.sql, docs/MODEL.md): the keys
-- built from it, the validation every storefront's half must pass, and how it is recorded. The
-- money rules live here once, whatever the storefront and whatever the ERP.

-- The business key of a storefront order, everywhere: '<channel>:<store>:<number>'. Pollers start
-- order_to_cash under it; the canonical order's order_key is it.
create or replace function o2c.order_key(p_channel text, p_store text, p_number text)
returns text
language sql
immutable
as $$
    select format('%s:%s:%s', p_channel, p_store, p_number)
$$;

-- The external id an ERP record made from a storefront record carries, everywhere:
--   order    CENTRA-<store>-<number>        customer  CENTRA-<store>-C<storefront customer id>
-- Letters, digits, '_' and '-' only (NetSuite's rule for external ids); anything else in the store
-- becomes '_'. p_kind: 'order', 'customer', or 'shopper':
--   shopper  SHOPPER-<md5 of the normalised email> (p_ref the email; channel and store ignored)
-- The ERP customer order_to_cash creates is the shopper's: one per normalised email whatever the
-- store or storefront, so two orders of one new shopper created at once (even from two stores)
-- upsert one customer instead of racing to make two (issue 15, item 8). 'customer' is kept for
-- records made before, and for an order without an email.
create or replace function o2c.erp_external_id(p_kind text, p_channel text, p_store text, p_ref text)
returns text
language sql
immutable
as $$
    select case when p_kind = 'shopper' then 'SHOPPER-' || upper(md5(lower(btrim(p_ref)))) else
           format('%s-%s-%s%s', upper(regexp_replace(p_channel, '[^A-Za-z0-9_-]', '_', 'g')),
                  regexp_replace(coalesce(p_store, '1'), '[^A-Za-z0-9_-]', '_', 'g'),
                  case p_kind when 'customer' then 'C' else '' end,
                  regexp_replace(p_ref, '[^A-Za-z0-9_-]', '_', 'g')) end
$$;

-- The text of JSON object obj with one more member, key: value (value given as JSON text), for
-- records of thousands of lines: PostgreSQL rewrites a whole jsonb each time one is nested in
-- another (jsonb_build_object, ||), and a cast to json parses the text only to check it; so the
-- big part is built as text once and the whole parsed as jsonb once, by the caller.
drop function if exists o2c.json_with_member(json, text, json);
create or replace function o2c.json_text_with_member(p_obj jsonb, p_key text, p_value text)
returns text
language sql
immutable
as $$
    select case when p_obj = '{}' then '{' else left(p_obj::text, -1) || ', ' end
           || to_json(p_key)::text || ': ' || coalesce(p_value, 'null') || '}'
$$;

-- Does money value p have no more decimals than the currency's digits?
create or replace function o2c.money_fits(p numeric, p_digits int)
returns boolean
language sql
immutable
as $$
    select p is null or p = round(p, p_digits)
$$;

-- The lines of a canonical order record as rows, in their order; null when "lines" is no array.
create or replace function o2c.canonical_lines(p_lines jsonb)
returns o2c.canonical_line[]
language sql
immutable
as $$
    select case when jsonb_typeof(p_lines) = 'array' then
               coalesce((select array_agg(l order by n)
                           from jsonb_array_elements(p_lines) with ordinality as x(e, n),
                                lateral jsonb_populate_record(null::o2c.canonical_line, e) l), '{}') end
$$;

-- Lines as the record's JSON "lines": every column of a product line (nulls too), a shipping
-- line without the columns only products have.
create or replace function o2c.canonical_lines_json(p_lines o2c.canonical_line[])
returns jsonb
language sql
immutable
as $$
    select coalesce(jsonb_agg(case when l.kind = 'shipping'
                                   then to_jsonb(l) - 'n' - 'storefront_line_id' - 'sku' - 'unit_price' - 'original_unit_price'
                                   else to_jsonb(l) - 'n' end order by n), '[]')
      from unnest(p_lines) with ordinality as l(line_no, kind, storefront_line_id, sku, name, quantity,
               cancelled_quantity, unit_price, original_unit_price, net, tax, tax_rate, discount_net, discount_tax, n)
$$;

-- Every problem of a canonical order record, each with its failure category: nothing when it may
-- go to an ERP. Checked: the keys and fields every ERP needs, a known currency, money with no more
-- decimals than the currency has (never rounded away), whole non-negative quantities, the header
-- sums equal to its lines', and lines + shipping + their taxes equal to what the shopper was
-- charged, to the cent (category total_mismatch, owned by finance).
--
-- This function and the others that take a whole order (both halves of the mapping,
-- o2c.record_canonical_order, o2c_action.map_order) plan their statements generically
-- (plan_cache_mode): a custom plan folds the order, megabytes for thousands of lines, into the
-- plan as a constant and the planner copies it on every pass; a 10,000-line map step spent about
-- a quarter of its time there.
--
-- The record is its header (jsonb, without "lines") and its lines as rows (o2c.canonical_line[],
-- null when it has none): the form the map step passes between its stages. The record as one
-- JSON document (header and "lines") is read by the form below, which takes it apart once.
create or replace function o2c.order_problems(p_head jsonb, p_lines o2c.canonical_line[])
returns table (category text, message text)
language plpgsql
stable
set search_path = o2c, pg_temp
set plan_cache_mode = force_generic_plan  -- see o2c.order_problems
as $$
declare
    v_head    jsonb := p_head;
    v_who     text := format('%s order %s', initcap(coalesce(v_head->>'channel', 'storefront')), coalesce(v_head->>'number', '?'));
    v_cur     text := v_head->>'currency';
    v_digits  int;
    v_bad     text;
    v_sum     numeric;
    v_grand   numeric := (v_head->>'grand_total')::numeric;
    v_ship_net numeric := coalesce((v_head->>'shipping_net')::numeric, 0);
    v_ship_tax numeric := coalesce((v_head->>'shipping_tax')::numeric, 0);
    v_wrong   text[];
    v_l_net   numeric;          -- what the lines say
    v_l_tax   numeric;
    v_l_total numeric;
    v_l_ship_net numeric;
    v_l_ship_tax numeric;
    v_l_has_units boolean;
begin
    select string_agg(f, ', ') into v_bad
      from unnest(array['order_key', 'channel', 'connection', 'store', 'number', 'placed_at', 'status',
                        'currency', 'grand_total']) f
     where v_head->f is null or v_head->f = 'null';
    if p_lines is null then
        v_bad := concat_ws(', ', v_bad, 'lines');
    end if;
    if v_bad is not null then
        return query select 'bad_order_data'::text, format('%s lacks %s', v_who, v_bad);
        return;
    end if;
    select minor_digits into v_digits from o2c.currency where code = v_cur;
    if not found then
        return query select 'bad_order_data'::text,
            format('%s is in currency %s, which o2c does not know: insert into o2c.currency (code, minor_digits, name) values (%L, 2, ''<name>'');',
                   v_who, v_cur, v_cur);
        return;
    end if;

    -- Money and quantities line by line, and what the lines add up to, in one pass over the lines
    -- read as typed rows (a 10,000-line order is read once).
    with l as (
        select * from unnest(p_lines) with ordinality as l(line_no, kind, storefront_line_id, sku, name, quantity,
                   cancelled_quantity, unit_price, original_unit_price, net, tax, tax_rate, discount_net,
                   discount_tax, ord)
    ), judged as (
        select l.*, array_remove(array[
                   case when quantity <> trunc(quantity) then format('quantity %s is not a whole number of units', quantity) end,
                   case when quantity < 0 then format('quantity %s is negative', quantity) end,
                   case when coalesce(cancelled_quantity, 0) <> trunc(coalesce(cancelled_quantity, 0))
                        then format('cancelled quantity %s is not a whole number of units', cancelled_quantity) end,
                   case when not (o2c.money_fits(net, v_digits) and o2c.money_fits(tax, v_digits)
                                  and o2c.money_fits(discount_net, v_digits) and o2c.money_fits(discount_tax, v_digits)
                                  and o2c.money_fits(unit_price, v_digits) and o2c.money_fits(original_unit_price, v_digits))
                        then format('an amount has more decimals than %s has (%s): net %s, tax %s, discount %s / %s, unit price %s',
                                    v_cur, v_digits, net, tax, discount_net, discount_tax, unit_price) end,
                   case when kind = 'product' and coalesce(sku, '') = '' then 'it has no SKU' end], null) as wrong
          from l
    )
    select coalesce(array_agg(format('%s line %s: %s', v_who, coalesce(storefront_line_id, line_no::text), w)
                              order by ord, k) filter (where w is not null), '{}'),
           coalesce(sum(net) filter (where kind = 'product' and quantity > 0), 0),
           coalesce(sum(tax) filter (where kind = 'product' and quantity > 0), 0),
           coalesce(sum(net + tax) filter (where kind = 'shipping' or quantity > 0), 0),
           coalesce(sum(net) filter (where kind = 'shipping'), 0),
           coalesce(sum(tax) filter (where kind = 'shipping'), 0),
           coalesce(bool_or(kind = 'product' and quantity > 0), false)
      into v_wrong, v_l_net, v_l_tax, v_l_total, v_l_ship_net, v_l_ship_tax, v_l_has_units
      from judged j
      -- A line with two problems comes twice: the sums are then wrong, but unused (named first).
      left join lateral unnest(wrong) with ordinality as u(w, k) on true;
    if cardinality(v_wrong) > 0 then
        return query select 'bad_order_data'::text, unnest(v_wrong);
        return;
    end if;
    if not (o2c.money_fits(v_grand, v_digits) and o2c.money_fits(v_ship_net, v_digits)
            and o2c.money_fits(v_ship_tax, v_digits)) then
        return query select 'bad_order_data'::text,
            format('%s: its total %s or shipping %s + tax %s has more decimals than %s has (%s)',
                   v_who, v_grand, v_ship_net, v_ship_tax, v_cur, v_digits);
        return;
    end if;

    -- The header says what its lines say.
    if v_l_net <> coalesce((v_head->>'lines_net')::numeric, 0) or v_l_tax <> coalesce((v_head->>'lines_tax')::numeric, 0)
       or v_l_ship_net <> v_ship_net or v_l_ship_tax <> v_ship_tax then
        return query select 'bad_order_data'::text,
            format('%s: its header (lines %s + tax %s, shipping %s + tax %s) does not say what its lines say (%s + %s, %s + %s)',
                   v_who, v_head->>'lines_net', v_head->>'lines_tax', v_ship_net, v_ship_tax,
                   v_l_net, v_l_tax, v_l_ship_net, v_l_ship_tax);
        return;
    end if;
    if v_head->>'status' <> 'cancelled' and not coalesce(v_l_has_units, false) then
        return query select 'bad_order_data'::text,
            format('%s has no units left to post (every line cancelled), yet it is not cancelled', v_who);
        return;
    end if;

    -- To the cent: what the lines, shipping and their taxes come to is what the shopper paid;
    -- shipping never carries negative money, nor tax on a charge of nothing.
    v_sum := v_l_total;
    if v_sum <> v_grand or v_ship_tax < 0 or v_ship_net < 0 then
        return query select 'total_mismatch'::text,
            format('%s: its lines, discounts, shipping and taxes come to %s %s, but %s charged %s %s (difference %s); nothing was posted. Check the order in %s.',
                   v_who, v_sum, v_cur, initcap(v_head->>'channel'), v_grand, v_cur, v_grand - v_sum, initcap(v_head->>'channel'));
    end if;
end
$$;

-- The same checks on the record as one JSON document (header and "lines").
create or replace function o2c.order_problems(p_order jsonb)
returns table (category text, message text)
language sql
stable
set search_path = o2c, pg_temp
as $$
    select * from o2c.order_problems(p_order - 'lines', o2c.canonical_lines(p_order->'lines'))
$$;

-- Records a canonical order (header and lines) that passed o2c.order_problems. A snapshot older
-- than the one recorded (by source_updated_at) changes nothing: retries, re-drives and racing
-- runners never put an older order back. Answers whether this snapshot is now the recorded one.
-- The record as header and lines (see o2c.order_problems).
create or replace function o2c.record_canonical_order(p_head jsonb, p_lines o2c.canonical_line[])
returns boolean
language plpgsql
set search_path = o2c, pg_temp
set plan_cache_mode = force_generic_plan  -- see o2c.order_problems
as $$
declare
    v_row  o2c.canonical_order := jsonb_populate_record(null::o2c.canonical_order,
                                     jsonb_build_object('discount_codes', '[]'::jsonb, 'discount_names', '[]'::jsonb,
                                                        'discount_net', 0, 'discount_tax', 0, 'shipping_net', 0,
                                                        'shipping_tax', 0)
                                     || (p_head - 'lines') || jsonb_build_object('recorded_at', now()));
    v_kept boolean;
begin
    insert into o2c.canonical_order select v_row.*
    on conflict (order_key) do update
       set (channel, connection, store, number, placed_at, status, currency, minor_digits, tax_included,
            customer_ref, email, first_name, last_name, phone, payment_method, gateway, gateway_reference,
            captured_amount, billing_address, shipping_address, discount_codes, lines_net, lines_tax,
            discount_net, discount_tax, shipping_net, shipping_tax, grand_total, source_updated_at,
            recorded_at, discount_names)
         = (excluded.channel, excluded.connection, excluded.store, excluded.number, excluded.placed_at,
            excluded.status, excluded.currency, excluded.minor_digits, excluded.tax_included,
            excluded.customer_ref, excluded.email, excluded.first_name, excluded.last_name, excluded.phone,
            excluded.payment_method, excluded.gateway, excluded.gateway_reference, excluded.captured_amount,
            excluded.billing_address, excluded.shipping_address, excluded.discount_codes, excluded.lines_net,
            excluded.lines_tax, excluded.discount_net, excluded.discount_tax, excluded.shipping_net,
            excluded.shipping_tax, excluded.grand_total, excluded.source_updated_at, excluded.recorded_at,
            excluded.discount_names)
     where canonical_order.source_updated_at is null or excluded.source_updated_at is null
        or canonical_order.source_updated_at <= excluded.source_updated_at
    returning true into v_kept;
    if not coalesce(v_kept, false) then
        return false;
    end if;
    delete from o2c.canonical_order_line where order_key = v_row.order_key;
    -- Absent keys read as null, not as the columns' defaults: the defaults are written out here.
    insert into o2c.canonical_order_line (order_key, line_no, kind, storefront_line_id, sku, name, quantity,
                                          cancelled_quantity, unit_price, original_unit_price, net, tax,
                                          tax_rate, discount_net, discount_tax)
    select v_row.order_key, l.line_no, l.kind, l.storefront_line_id, l.sku, l.name, l.quantity,
           coalesce(l.cancelled_quantity, 0), l.unit_price, l.original_unit_price, l.net, l.tax,
           l.tax_rate, coalesce(l.discount_net, 0), coalesce(l.discount_tax, 0)
      from unnest(p_lines) l;
    return true;
end
$$;

-- The record as one JSON document (header and "lines").
create or replace function o2c.record_canonical_order(p_order jsonb)
returns boolean
language sql
set search_path = o2c, pg_temp
as $$
    select o2c.record_canonical_order(p_order - 'lines', o2c.canonical_lines(p_order->'lines'))
$$;

-- The canonical order recorded under a key, in its JSON form (header columns and "lines").
create or replace function o2c.canonical_order_json(p_order_key text)
returns jsonb
language sql
stable
set search_path = o2c, pg_temp
as $$
    select to_jsonb(o) || jsonb_build_object('lines',
               coalesce((select jsonb_agg(to_jsonb(l) - 'order_key' order by l.line_no)
                           from o2c.canonical_order_line l where l.order_key = o.order_key), '[]'))
      from o2c.canonical_order o
     where o.order_key = p_order_key
$$;

-- The canonical order recorded under a key as header and lines (the map step's form, see
-- o2c.order_problems); no row when there is none.
create or replace function o2c.canonical_order_rows(p_order_key text, out head jsonb, out lines o2c.canonical_line[])
returns setof record
language sql
stable
set search_path = o2c, pg_temp
as $$
    select to_jsonb(o),
           array(select row(l.line_no, l.kind, l.storefront_line_id, l.sku, l.name, l.quantity, l.cancelled_quantity,
                            l.unit_price, l.original_unit_price, l.net, l.tax, l.tax_rate, l.discount_net,
                            l.discount_tax)::o2c.canonical_line
                   from o2c.canonical_order_line l where l.order_key = o.order_key order by l.line_no)
      from o2c.canonical_order o
     where o.order_key = p_order_key
$$;

-- Problems of the other canonical records (docs/MODEL.md), as sentences; empty when fine. Each
-- checks what every system on the other side relies on: whole positive quantities, known
-- currencies, money in the currency's digits.
create or replace function o2c.fulfilment_problems(p jsonb)
returns text[]
language sql
stable
set search_path = o2c, pg_temp
as $$
    select array_remove(array[
        case when coalesce(p->>'fulfilment_key', '') = '' then 'the fulfilment has no key' end,
        case when coalesce(p->>'order_key', '') = '' then 'the fulfilment names no order' end,
        case when jsonb_typeof(p->'lines') is distinct from 'array' or jsonb_array_length(p->'lines') = 0
             then 'the fulfilment has no lines' end,
        (select string_agg(format('line %s: quantity %s is not a whole positive number of units', l->>'line_no', l->>'quantity'), '; ')
           from jsonb_array_elements(case when jsonb_typeof(p->'lines') = 'array' then p->'lines' else '[]' end) l
          where jsonb_typeof(l->'quantity') is distinct from 'number'
             or (l->>'quantity')::numeric <= 0 or (l->>'quantity')::numeric <> trunc((l->>'quantity')::numeric))], null)
$$;

create or replace function o2c.return_problems(p jsonb)
returns text[]
language sql
stable
set search_path = o2c, pg_temp
as $$
    with cur as (select minor_digits from o2c.currency where code = p->>'currency')
    select array_remove(array[
        case when coalesce(p->>'return_key', '') = '' then 'the return has no key' end,
        case when coalesce(p->>'order_key', '') = '' then 'the return names no order' end,
        case when not exists (select from cur) then format('currency %s is not one o2c knows', coalesce(p->>'currency', '(none)')) end,
        case when (p->>'refund_amount')::numeric < 0 then format('refund %s is negative', p->>'refund_amount') end,
        case when exists (select from cur where not (o2c.money_fits((p->>'refund_amount')::numeric, minor_digits)
                                                   and o2c.money_fits((p->>'shipping_refund')::numeric, minor_digits)))
             then format('refund %s has more decimals than %s has', p->>'refund_amount', p->>'currency') end,
        case when coalesce((p->>'shipping_refund')::numeric, 0) > coalesce((p->>'refund_amount')::numeric, 0)
             then format('the shipping refund %s is more than the whole refund %s', p->>'shipping_refund', p->>'refund_amount') end,
        (select string_agg(format('line %s: quantity %s is not a whole positive number of units', l->>'line_no', l->>'quantity'), '; ')
           from jsonb_array_elements(case when jsonb_typeof(p->'lines') = 'array' then p->'lines' else '[]' end) l
          where jsonb_typeof(l->'quantity') is distinct from 'number'
             or (l->>'quantity')::numeric <= 0 or (l->>'quantity')::numeric <> trunc((l->>'quantity')::numeric))], null)
$$;

create or replace function o2c.stock_level_problems(p jsonb)
returns text[]
language sql
immutable
as $$
    select array_remove(array[
        case when coalesce(p->>'sku', '') = '' then 'the stock level has no SKU' end,
        case when coalesce(p->>'location', '') = '' then 'the stock level has no location' end,
        case when p->>'as_of' is null then 'the stock level says not as of when' end,
        case when jsonb_typeof(p->'on_hand') is distinct from 'number'
                  or (p->>'on_hand')::numeric <> trunc((p->>'on_hand')::numeric)
             then format('on hand %s is not a whole number of units', coalesce(p->>'on_hand', '(none)')) end,
        case when jsonb_typeof(p->'available') is distinct from 'number'
                  or (p->>'available')::numeric <> trunc((p->>'available')::numeric)
             then format('available %s is not a whole number of units', coalesce(p->>'available', '(none)')) end], null)
$$;

create or replace function o2c.item_problems(p jsonb)
returns text[]
language sql
stable
set search_path = o2c, pg_temp
as $$
    select array_remove(array[
        case when coalesce(p->>'sku', '') = '' then 'the item has no SKU' end,
        case when coalesce(p->>'name', '') = '' then format('item %s has no name', p->>'sku') end,
        case when coalesce(p->>'erp_item_id', '') = '' then format('item %s has no ERP id', p->>'sku') end,
        (select string_agg(format('price %s %s: %s', pr->>'currency', pr->>'price',
                                  case when c.code is null then 'unknown currency'
                                       when (pr->>'price')::numeric < 0 then 'negative'
                                       else 'more decimals than the currency has' end), '; ')
           from jsonb_array_elements(case when jsonb_typeof(p->'prices') = 'array' then p->'prices' else '[]' end) pr
           left join o2c.currency c on c.code = pr->>'currency'
          where c.code is null or (pr->>'price')::numeric < 0
             or not o2c.money_fits((pr->>'price')::numeric, c.minor_digits))], null)
$$;

create or replace function o2c.settlement_line_problems(p jsonb)
returns text[]
language sql
stable
set search_path = o2c, pg_temp
as $$
    with cur as (select minor_digits from o2c.currency where code = p->>'currency')
    select array_remove(array[
        case when coalesce(p->>'settlement_id', '') = '' then 'the settlement line has no settlement id' end,
        case when coalesce(p->>'transaction_type', '') = '' then 'the settlement line has no transaction type' end,
        case when not exists (select from cur) then format('currency %s is not one o2c knows', coalesce(p->>'currency', '(none)')) end,
        case when jsonb_typeof(p->'amount') is distinct from 'number' then 'the settlement line has no amount'
             when exists (select from cur where not o2c.money_fits((p->>'amount')::numeric, minor_digits))
             then format('amount %s has more decimals than %s has', p->>'amount', p->>'currency') end], null)
$$;

grant execute on function o2c.order_key(text, text, text), o2c.erp_external_id(text, text, text, text),
      o2c.order_problems(jsonb), o2c.order_problems(jsonb, o2c.canonical_line[]), o2c.canonical_order_json(text), o2c.fulfilment_problems(jsonb),
      o2c.return_problems(jsonb), o2c.stock_level_problems(jsonb), o2c.item_problems(jsonb),
      o2c.settlement_line_problems(jsonb)
   to o2c_analyst, o2c_admin, o2c_runner;
