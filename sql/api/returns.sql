-- Refunds, storefront → ERP (issue 11, second half; tables: 0004 canonical_return(+_line), 0010
-- erp_return). Pipeline: workflows/refund_to_credit_memo.sql. Built so far: a refund with no goods
-- coming back (goodwill, a shipping refund) becomes one NetSuite credit memo for exactly what the
-- storefront refunded, and the money paid back a customer refund. Returns with goods (return
-- authorization, item receipt): the second half of this file.
--
--   o2c.centra_refund_to_canonical   the storefront's half: a Centra refund → canonical return
--   o2c.canonical_return_to_netsuite the ERP's half: a canonical refund → credit memo body
--                                    (Sage 200's: o2c.canonical_return_to_sage200, a sales credit
--                                    note, in sql/api/sage200_canonical.sql)
--   o2c_action.map_refund            both halves, the checks, and the wait for the order's posting
--   o2c_action.record_credit_memo    the credit memo in o2c.erp_return

-- A Centra refund (as customer service records it: {"id", "order_number", "amount", "tax",
-- "shipping", "currency", "refunded_at", "reason"}, money as decimal text, tax and shipping part of
-- amount) → {"record": canonical_return as JSON with "lines": []} or {"problems": [{category,
-- message}]}. Only refunds without goods: returned lines come with returns. A refund read from
-- Centra's API (Order.paymentHistory) has no "tax": Centra gives one value per refund, so its tax
-- is the order's share, amount × (lines' + shipping tax) / grand total, rounded once (0 while the
-- order is not known yet; map_refund looks again until it is posted and records it then).
create or replace function o2c.centra_refund_to_canonical(p_refund jsonb, p_connection text, p_store text)
returns jsonb
language plpgsql
stable
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_amount   numeric;
    v_tax      numeric;
    v_shipping numeric;
    v_digits   int;
begin
    if jsonb_typeof(p_refund) is distinct from 'object' or coalesce(p_refund->>'id', '') = ''
       or coalesce(p_refund->>'order_number', '') = '' then
        return jsonb_build_object('problems', jsonb_build_array(jsonb_build_object('category', 'bad_input',
            'message', format('A Centra refund needs an id and an order number: %s', left(coalesce(p_refund::text, 'nothing'), 300)))));
    end if;
    select minor_digits into v_digits from o2c.currency where code = p_refund->>'currency';
    v_amount := (p_refund->>'amount')::numeric;
    v_tax := coalesce((p_refund->>'tax')::numeric, 0);
    if not p_refund ? 'tax' and v_digits is not null and v_amount is not null then
        select coalesce(round(v_amount * (o.lines_tax + o.shipping_tax) / nullif(o.grand_total, 0), v_digits), 0)
          into v_tax
          from o2c.canonical_order o
         where o.order_key = o2c.order_key('centra', p_store, p_refund->>'order_number');
        v_tax := coalesce(v_tax, 0);
    end if;
    v_shipping := coalesce((p_refund->>'shipping')::numeric, 0);
    if v_digits is null or v_amount is null or v_amount <= 0 or v_tax < 0 or v_shipping < 0
       or v_tax + v_shipping > v_amount
       or v_amount <> round(v_amount, v_digits) or v_tax <> round(v_tax, v_digits) or v_shipping <> round(v_shipping, v_digits) then
        return jsonb_build_object('problems', jsonb_build_array(jsonb_build_object('category', 'bad_order_data',
            'message', format('Centra refund %s of order %s does not read as money: amount %s, tax %s, shipping %s %s',
                              p_refund->>'id', p_refund->>'order_number', p_refund->>'amount', p_refund->>'tax',
                              p_refund->>'shipping', coalesce(p_refund->>'currency', '(no currency)')))));
    end if;
    return jsonb_build_object('record', jsonb_build_object(
        'return_key', format('centra:%s:refund:%s', p_store, p_refund->>'id'),
        'order_key', o2c.order_key('centra', p_store, p_refund->>'order_number'),
        'channel', 'centra',
        'kind', 'refund',
        'currency', p_refund->>'currency',
        'reason', p_refund->>'reason',
        'restock', false,
        'refund_amount', v_amount,
        'refund_tax', v_tax,
        'shipping_refund', v_shipping,
        'refunded_at', coalesce(o2c.try_timestamptz(p_refund->>'refunded_at'), now()),
        'lines', '[]'::jsonb));
exception
    when invalid_text_representation or numeric_value_out_of_range then
        return jsonb_build_object('problems', jsonb_build_array(jsonb_build_object('category', 'bad_order_data',
            'message', format('Centra refund %s has an unreadable value: %s', p_refund->>'id', sqlerrm))));
end
$$;

-- The ERP tax code a refund of the order is credited on: the order's shipping line's (else its
-- first line's) rate in the order's country, through o2c.tax_map; null when not mapped.
create or replace function o2c.refund_tax_code(p_order o2c.canonical_order, p_erp text)
returns text
language sql
stable
set search_path = o2c, pg_temp
as $$
    select t.erp_tax_code_id
      from o2c.canonical_order_line l
      join o2c.tax_map t on t.storefront_connection = p_order.connection and t.erp_connection = p_erp
                        and t.country = coalesce(p_order.shipping_address->>'country', p_order.billing_address->>'country')
                        and t.rate_percent = l.tax_rate
     where l.order_key = p_order.order_key
     order by (l.kind = 'shipping') desc, l.line_no
     limit 1
$$;

-- A canonical refund without goods → the NetSuite credit memo that gives exactly that money back:
-- a goodwill line (erp_setting refund_item_id) and a shipping line (shipping_item_id), each net
-- with its share of the refund's tax as tax1Amt (the storefront's tax is the truth; the shares are
-- rounded once and the last takes the remainder), on the order's shipping tax code. Answers
-- {"external_id", "credit_memo": body without entity} or {"missing", "category", "owner", "message"}.
create or replace function o2c.canonical_return_to_netsuite(p_record jsonb, p_erp text)
returns jsonb
language plpgsql
stable
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_order     o2c.canonical_order;
    v_ret       o2c.canonical_return := jsonb_populate_record(null::o2c.canonical_return, p_record);
    v_cur_id    text;
    v_sub       text;
    v_ship_item text;
    v_gw_item   text;
    v_tax_code  text;
    v_ship_tax  numeric;
    v_goodwill  numeric;
    v_lines     jsonb := '[]';
    v_missing   text[] := '{}';
begin
    select * into v_order from o2c.canonical_order where order_key = v_ret.order_key;
    select erp_currency_id into v_cur_id from o2c.currency_map where erp_connection = p_erp and currency = v_ret.currency;
    select value into v_sub from o2c.erp_setting where erp_connection = p_erp and name = 'subsidiary_id';
    select value into v_ship_item from o2c.erp_setting where erp_connection = p_erp and name = 'shipping_item_id';
    select value into v_gw_item from o2c.erp_setting where erp_connection = p_erp and name = 'refund_item_id';
    v_tax_code := o2c.refund_tax_code(v_order, p_erp);
    if v_cur_id is null then
        v_missing := v_missing || format('currency %s: insert into o2c.currency_map (erp_connection, currency, erp_currency_id, minor_digits) values (%L, %L, ''<NetSuite currency id>'', %s);',
                                         v_ret.currency, p_erp, v_ret.currency, v_order.minor_digits);
    end if;
    if v_sub is null or v_ship_item is null or v_gw_item is null then
        v_missing := v_missing || format('NetSuite settings %s: insert into o2c.erp_setting (erp_connection, name, value) values (%L, ''<name>'', ''<value>'');',
                                         array_to_string(array[case when v_sub is null then 'subsidiary_id' end,
                                                               case when v_ship_item is null then 'shipping_item_id' end,
                                                               case when v_gw_item is null then 'refund_item_id' end], ', '), p_erp);
    end if;
    if v_tax_code is null and v_ret.refund_tax > 0 then
        v_missing := v_missing || format('a tax code for order %s''s country and rate: see o2c.tax_map', v_order.number);
    end if;
    if cardinality(v_missing) > 0 then
        return jsonb_build_object('missing', to_jsonb(v_missing), 'category', 'unmapped_value', 'owner', 'ops',
            'message', format('Refund %s of order %s cannot become a NetSuite credit memo; missing %s Then re-drive.',
                              v_ret.return_key, v_order.number, array_to_string(v_missing, ' ')));
    end if;

    v_goodwill := v_ret.refund_amount - v_ret.shipping_refund;
    v_ship_tax := case when v_goodwill = 0 then v_ret.refund_tax
                       else round(v_ret.refund_tax * v_ret.shipping_refund / v_ret.refund_amount, v_order.minor_digits) end;
    if v_goodwill > 0 then
        v_lines := v_lines || (jsonb_build_object('item', jsonb_build_object('id', v_gw_item), 'quantity', 1,
            'amount', v_goodwill - (v_ret.refund_tax - v_ship_tax), 'tax1Amt', v_ret.refund_tax - v_ship_tax,
            'description', coalesce(v_ret.reason, 'refund'))
            || case when v_tax_code is null then '{}'::jsonb else jsonb_build_object('taxCode', jsonb_build_object('id', v_tax_code)) end);
    end if;
    if v_ret.shipping_refund > 0 then
        v_lines := v_lines || (jsonb_build_object('item', jsonb_build_object('id', v_ship_item), 'quantity', 1,
            'amount', v_ret.shipping_refund - v_ship_tax, 'tax1Amt', v_ship_tax, 'description', 'shipping refund')
            || case when v_tax_code is null then '{}'::jsonb else jsonb_build_object('taxCode', jsonb_build_object('id', v_tax_code)) end);
    end if;
    return jsonb_build_object(
        'external_id', 'RF-' || upper(replace(v_ret.return_key, ':', '-')),
        'credit_memo', jsonb_build_object(
            'currency', jsonb_build_object('id', v_cur_id),
            'subsidiary', jsonb_build_object('id', v_sub),
            'tranDate', to_char(coalesce(v_ret.refunded_at, now()) at time zone 'UTC', 'YYYY-MM-DD'),
            'otherRefNum', v_order.number,
            'memo', format('%s refund %s of order %s', initcap(v_ret.channel), v_ret.return_key, v_order.number),
            'item', jsonb_build_object('items', v_lines)));
end
$$;

-- A canonical return or refund (the JSON a storefront's half answers, "lines" [] for a refund)
-- into o2c.canonical_return and _line, replacing what an earlier read of it recorded.
create or replace function o2c.save_canonical_return(p_rec jsonb)
returns void
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    insert into o2c.canonical_return (return_key, order_key, channel, kind, currency, reason, restock,
                                      refund_amount, refund_tax, shipping_refund, refunded_at)
    select return_key, order_key, channel, kind, currency, reason, restock, refund_amount, refund_tax,
           shipping_refund, refunded_at
      from jsonb_populate_record(null::o2c.canonical_return, p_rec)
    on conflict (return_key) do update
       set refund_amount = excluded.refund_amount, refund_tax = excluded.refund_tax,
           shipping_refund = excluded.shipping_refund, reason = excluded.reason;
    delete from o2c.canonical_return_line where return_key = p_rec->>'return_key';
    insert into o2c.canonical_return_line (return_key, line_no, order_line_no, sku, quantity, amount, tax)
    select p_rec->>'return_key', (l->>'line_no')::int, (l->>'order_line_no')::int, l->>'sku',
           (l->>'quantity')::numeric, (l->>'amount')::numeric, (l->>'tax')::numeric
      from jsonb_array_elements(case when jsonb_typeof(p_rec->'lines') = 'array' then p_rec->'lines' else '[]' end) l;
end
$$;

-- The `map` state of refund_to_credit_memo. Context: {"store", "refund": <the storefront's refund>}.
-- Params: storefront_connection (default 'centra'), erp_connection (default 'netsuite').
--   not_posted  the order is not in the ERP yet: look again later (delay_ms)
--   ok          the canonical refund is recorded; patch: return_key, credit_memo_external_id,
--               credit_memo_body, credit_memo_amount, customer_id
--   failed      unreadable (ops), more than the shopper paid (finance), a mapping missing (ops)
create or replace function o2c_action.map_refund(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_sf       text := coalesce(p_params->>'storefront_connection', 'centra');
    v_erp      text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_half     jsonb;
    v_rec      jsonb;
    v_order    o2c.canonical_order;
    v_link     o2c.erp_order;
    v_before   numeric;
    v_customer text;
    v_out      jsonb;
begin
    execute format('select o2c.%I_refund_to_canonical($1, $2, $3)', o2c.connection_system(v_sf))
       into v_half using p_context->'refund', v_sf, coalesce(p_context->>'store', '1');
    if v_half ? 'problems' then
        return o2c.sql_action_failed(v_half#>>'{problems,0,category}', null, null,
            (select string_agg(p->>'message', ' ') from jsonb_array_elements(v_half->'problems') p));
    end if;
    v_rec := v_half->'record';
    -- The storefront's refund is a fact whatever follows: recorded first, so one that waits or is
    -- refused shows in o2c.reconciliation_gaps as a refund without a credit memo.
    perform o2c.save_canonical_return(v_rec);
    select * into v_link from o2c.erp_order where order_key = v_rec->>'order_key' and erp_connection = v_erp;
    if v_link.erp_order_id is null then
        return jsonb_build_object('outcome', 'not_posted', 'delay_ms', coalesce((p_params->>'wait_ms')::int, 5000),
            'patch', jsonb_build_object('waiting_for', v_rec->>'order_key'));
    end if;
    select * into v_order from o2c.canonical_order where order_key = v_link.order_key;
    select coalesce(sum(refund_amount), 0) into v_before from o2c.canonical_return
     where order_key = v_order.order_key and return_key <> v_rec->>'return_key';
    if v_rec->>'currency' is distinct from v_order.currency
       or v_before + (v_rec->>'refund_amount')::numeric > v_order.grand_total then
        return o2c.sql_action_failed('refund_exceeds_payment', null, null,
            format('Refund %s of order %s is %s %s, but the shopper paid %s %s and %s was refunded before: nothing was credited in %s. Check the refund in the storefront.',
                   v_rec->>'return_key', v_order.number, v_rec->>'refund_amount', v_rec->>'currency',
                   v_order.grand_total, v_order.currency, v_before, initcap(o2c.connection_system(v_erp))));
    end if;
    execute format('select o2c.canonical_return_to_%I($1, $2)', o2c.connection_system(v_erp)) into v_out using v_rec, v_erp;
    if v_out ? 'missing' then
        return o2c.sql_action_failed(v_out->>'category', null, v_out->>'owner', v_out->>'message');
    end if;
    v_customer := o2c.erp_customer_of_order(v_order.order_key, v_erp);
    if v_customer is null then
        return o2c.sql_action_failed('bad_input', null, 'engineering',
            format('Order %s is posted but o2c knows no %s customer for it (o2c.customer_link)', v_order.number,
                   initcap(o2c.connection_system(v_erp))));
    end if;

    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object(
        'return_key', v_rec->>'return_key',
        'order_number', v_order.number,
        'customer_id', v_customer,
        'credit_memo_external_id', v_out->>'external_id',
        'credit_memo_body', v_out->'credit_memo',
        'credit_memo_amount', v_rec->>'refund_amount'));
end
$$;

-- The credit memo as the ERP holds it, in o2c.erp_return (o2c.reconciliation_gaps compares its
-- amount with the storefront's refund).
create or replace function o2c_action.record_credit_memo(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    insert into o2c.erp_return (return_key, erp_connection, credit_memo_id, credit_memo_amount)
    values (p_context->>'return_key', coalesce(p_params->>'erp_connection', 'netsuite'),
            p_context->>'credit_memo_id', (p_context->>'credit_memo_amount')::numeric)
    on conflict (return_key, erp_connection) do update
       set credit_memo_id = excluded.credit_memo_id, credit_memo_amount = excluded.credit_memo_amount;
    return jsonb_build_object('outcome', 'ok');
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Returns with goods (pipeline: workflows/return_to_credit_memo.sql). Customer service takes goods
-- back in Centra and refunds them: the order poller starts return_to_credit_memo with the refund
-- and the return's lines. The sales order o2c posted becomes a return authorization for those
-- lines (transform, once by external id RA-…); when the warehouse has received the goods, the
-- authorization becomes a credit memo for exactly what Centra refunded (RF-…), and the money paid
-- back a customer refund from the gateway's clearing account (CR-…, as for refunds without goods).
--
--   o2c.centra_return_to_canonical     the storefront's half: a Centra return and its refund →
--                                      canonical return with lines (each line's share of the
--                                      refund, tax included, and its tax)
--   o2c.canonical_return_to_netsuite_goods  the ERP's half: the return authorization's lines
--                                      (the sales order's lines, by o2c.erp_order_line) and the
--                                      credit memo's header
--   o2c.erp_customer_of_order          the ERP customer an order was posted for
--   o2c_action.map_return              both halves, the checks, the wait for the order's posting
--   o2c_action.record_return_auth / check_receipt   o2c.erp_return as the ERP has it; the wait
--   o2c_action.map_customer_refund     the customer refund body for a credited return or refund
--   o2c_action.record_customer_refund  the customer refund in o2c.erp_return

-- A Centra return and the refund paying it back ({"id" (the refund's paymentHistory id),
-- "return_id", "return_number", "order_number", "amount", "shipping", "currency", "refunded_at",
-- "reason", "lines": [{"order_line_id" (Centra's order line id), "quantity"}]}; money as decimal
-- text, shipping part of amount) → {"record": canonical_return with "lines" and "shipping_tax"} or
-- {"problems": [{category, message}]} or {"order_unknown": order_key} while o2c has not read the
-- order. The refund is the truth: what it pays for goods (amount − shipping) is shared over the
-- returned lines in proportion to what those units were sold for (rounded once, the last line
-- takes the remainder), each share's tax at its line's own ratio; the shipping refund's tax at the
-- order's shipping line's. The record carries goods_sold (what those units were sold for) and
-- shipping_charged for map_return's checks.
create or replace function o2c.centra_return_to_canonical(p_refund jsonb, p_connection text, p_store text)
returns jsonb
language plpgsql
stable
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_order    o2c.canonical_order;
    v_key      text;
    v_amount   numeric;
    v_shipping numeric;
    v_goods    numeric;
    v_sold     numeric;
    v_left     numeric;
    v_share    numeric;
    v_tax      numeric;
    v_ship_tax numeric := 0;
    v_ship_taxed boolean := false;
    v_lines    jsonb := '[]';
    v_n        int := 0;
    v_count    int;
    r          record;
    v_who      text;
begin
    if jsonb_typeof(p_refund) is distinct from 'object' or coalesce(p_refund->>'return_id', '') = ''
       or coalesce(p_refund->>'order_number', '') = '' or jsonb_typeof(p_refund->'lines') is distinct from 'array'
       or jsonb_array_length(p_refund->'lines') = 0 then
        return jsonb_build_object('problems', jsonb_build_array(jsonb_build_object('category', 'bad_input',
            'message', format('A Centra return needs a return id, an order number and lines: %s', left(coalesce(p_refund::text, 'nothing'), 300)))));
    end if;
    v_key := o2c.order_key('centra', p_store, p_refund->>'order_number');
    v_who := format('Centra return %s of order %s', coalesce(p_refund->>'return_number', p_refund->>'return_id'), p_refund->>'order_number');
    select * into v_order from o2c.canonical_order where order_key = v_key;
    if not found then
        return jsonb_build_object('order_unknown', v_key);
    end if;
    v_amount := (p_refund->>'amount')::numeric;
    v_shipping := coalesce((p_refund->>'shipping')::numeric, 0);
    if v_amount is null or v_amount <= 0 or v_shipping < 0 or v_shipping > v_amount
       or p_refund->>'currency' is distinct from v_order.currency
       or v_amount <> round(v_amount, v_order.minor_digits) or v_shipping <> round(v_shipping, v_order.minor_digits) then
        return jsonb_build_object('problems', jsonb_build_array(jsonb_build_object('category', 'bad_order_data',
            'message', format('%s does not read as money in the order''s %s: refund %s, shipping %s %s',
                              v_who, v_order.currency, p_refund->>'amount', p_refund->>'shipping', coalesce(p_refund->>'currency', '(no currency)')))));
    end if;
    -- The returned lines as the order has them.
    select count(*), sum((ol.net + ol.tax) * (w->>'quantity')::numeric / ol.quantity)
      into v_count, v_sold
      from jsonb_array_elements(p_refund->'lines') w
      join o2c.canonical_order_line ol on ol.order_key = v_key and ol.kind = 'product'
                                      and ol.storefront_line_id = w->>'order_line_id'
     where jsonb_typeof(w->'quantity') = 'number' and (w->>'quantity')::numeric > 0
       and (w->>'quantity')::numeric = trunc((w->>'quantity')::numeric) and (w->>'quantity')::numeric <= ol.quantity;
    if v_count <> jsonb_array_length(p_refund->'lines') then
        return jsonb_build_object('problems', jsonb_build_array(jsonb_build_object('category', 'bad_order_data',
            'message', format('%s names lines or quantities order %s does not have: %s', v_who, v_order.number, p_refund->'lines'))));
    end if;
    v_goods := v_amount - v_shipping;
    v_left := v_goods;
    for r in select ol.line_no, ol.sku, ol.net, ol.tax, ol.tax_rate, (w.l->>'quantity')::numeric as quantity,
                    (ol.net + ol.tax) * (w.l->>'quantity')::numeric / ol.quantity as sold, w.n
               from jsonb_array_elements(p_refund->'lines') with ordinality w(l, n)
               join o2c.canonical_order_line ol on ol.order_key = v_key and ol.kind = 'product'
                                               and ol.storefront_line_id = w.l->>'order_line_id'
              order by w.n loop
        v_n := v_n + 1;
        v_share := case when v_n = v_count then v_left
                        else round(v_goods * r.sold / nullif(v_sold, 0), v_order.minor_digits) end;
        v_share := coalesce(v_share, 0);
        v_left := v_left - v_share;
        v_tax := coalesce(round(v_share * r.tax / nullif(r.net + r.tax, 0), v_order.minor_digits), 0);
        v_lines := v_lines || jsonb_build_object('line_no', v_n, 'order_line_no', r.line_no, 'sku', r.sku,
                                                 'quantity', r.quantity, 'amount', v_share, 'tax', v_tax,
                                                 'taxed', r.tax <> 0 or coalesce(r.tax_rate, 0) > 0);
    end loop;
    if v_shipping > 0 then
        select coalesce(round(v_shipping * l.tax / nullif(l.net + l.tax, 0), v_order.minor_digits), 0),
               l.tax <> 0 or coalesce(l.tax_rate, 0) > 0
          into v_ship_tax, v_ship_taxed
          from o2c.canonical_order_line l where l.order_key = v_key and l.kind = 'shipping' order by l.line_no limit 1;
    end if;
    return jsonb_build_object('record', jsonb_build_object(
        'return_key', format('centra:%s:return:%s', p_store, p_refund->>'return_id'),
        'order_key', v_key,
        'channel', 'centra',
        'kind', 'return',
        'currency', v_order.currency,
        'reason', p_refund->>'reason',
        'restock', true,
        'refund_amount', v_amount,
        'refund_tax', (select coalesce(sum((l->>'tax')::numeric), 0) from jsonb_array_elements(v_lines) l) + v_ship_tax,
        'shipping_refund', v_shipping,
        'shipping_tax', v_ship_tax,
        'shipping_taxed', v_ship_taxed,
        'goods_sold', round(v_sold, v_order.minor_digits),
        'shipping_charged', exists (select from o2c.canonical_order_line l where l.order_key = v_key and l.kind = 'shipping'),
        'refunded_at', coalesce(o2c.try_timestamptz(p_refund->>'refunded_at'), now()),
        'lines', v_lines));
exception
    when invalid_text_representation or numeric_value_out_of_range then
        return jsonb_build_object('problems', jsonb_build_array(jsonb_build_object('category', 'bad_order_data',
            'message', format('Centra return %s has an unreadable value: %s', p_refund->>'return_id', sqlerrm))));
end
$$;

-- A canonical return with goods → NetSuite: the return authorization's transform body (one line
-- per returned line on the sales order's line that holds it, net amount and tax1Amt = the line's
-- refund share; the shipping refund on the order's shipping line) and the credit memo's (its lines
-- are the authorization's: a credit memo for exactly the refund). Answers {"return_auth_external_id",
-- "return_auth", "credit_memo_external_id", "credit_memo"} or {"missing", "category", "owner", "message"}.
create or replace function o2c.canonical_return_to_netsuite_goods(p_record jsonb, p_erp text)
returns jsonb
language plpgsql
stable
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_ret     o2c.canonical_return := jsonb_populate_record(null::o2c.canonical_return, p_record);
    v_order   o2c.canonical_order;
    v_lines   jsonb := '[]';
    v_missing text[] := '{}';
    v_erp_line int;
    v_suffix  text := upper(replace(p_record->>'return_key', ':', '-'));
    l         jsonb;
begin
    select * into v_order from o2c.canonical_order where order_key = v_ret.order_key;
    for l in select * from jsonb_array_elements(p_record->'lines') loop
        select erp_line into v_erp_line from o2c.erp_order_line
         where order_key = v_ret.order_key and erp_connection = p_erp and order_line_no = (l->>'order_line_no')::int;
        if v_erp_line is null then
            v_missing := v_missing || format('order line %s (%s)', l->>'order_line_no', l->>'sku');
            continue;
        end if;
        v_lines := v_lines || (jsonb_build_object('orderLine', v_erp_line, 'quantity', (l->>'quantity')::numeric,
                                                  'amount', (l->>'amount')::numeric - (l->>'tax')::numeric)
                               || case when (l->>'taxed')::boolean then jsonb_build_object('tax1Amt', (l->>'tax')::numeric) else '{}' end);
    end loop;
    if v_ret.shipping_refund > 0 then
        select e.erp_line into v_erp_line
          from o2c.erp_order_line e join o2c.canonical_order_line c on c.order_key = e.order_key and c.line_no = e.order_line_no
         where e.order_key = v_ret.order_key and e.erp_connection = p_erp and c.kind = 'shipping'
         order by c.line_no limit 1;
        if v_erp_line is null then
            v_missing := v_missing || 'the shipping line'::text;
        else
            v_lines := v_lines || (jsonb_build_object('orderLine', v_erp_line, 'quantity', 1,
                                                      'amount', v_ret.shipping_refund - (p_record->>'shipping_tax')::numeric)
                                   || case when coalesce((p_record->>'shipping_taxed')::boolean, false)
                                           then jsonb_build_object('tax1Amt', (p_record->>'shipping_tax')::numeric) else '{}' end);
        end if;
    end if;
    if cardinality(v_missing) > 0 then
        return jsonb_build_object('missing', to_jsonb(v_missing), 'category', 'unmapped_erp_line', 'owner', 'engineering',
            'message', format('Return %s of order %s cannot become a NetSuite return authorization: o2c.erp_order_line has no %s line for %s. Re-drive the order''s posting, then this return.',
                              v_ret.return_key, v_order.number, initcap(p_erp), array_to_string(v_missing, ', ')));
    end if;
    return jsonb_build_object(
        'return_auth_external_id', 'RA-' || v_suffix,
        'return_auth', jsonb_build_object(
            'externalId', 'RA-' || v_suffix,
            'tranDate', to_char(coalesce(v_ret.refunded_at, now()) at time zone 'UTC', 'YYYY-MM-DD'),
            'otherRefNum', v_order.number,
            'memo', format('%s return %s of order %s', initcap(v_ret.channel), v_ret.return_key, v_order.number),
            'item', jsonb_build_object('items', v_lines)),
        'credit_memo_external_id', 'RF-' || v_suffix,
        'credit_memo', jsonb_build_object(
            'externalId', 'RF-' || v_suffix,
            'tranDate', to_char(coalesce(v_ret.refunded_at, now()) at time zone 'UTC', 'YYYY-MM-DD'),
            'otherRefNum', v_order.number,
            'memo', format('%s refund of return %s of order %s', initcap(v_ret.channel), v_ret.return_key, v_order.number)));
end
$$;

-- The ERP customer a canonical order was posted for: the shopper's link (o2c.customer_link), else
-- the one order_to_cash posted it for; null when neither is known.
create or replace function o2c.erp_customer_of_order(p_order_key text, p_erp text)
returns text
language sql
stable
security definer
set search_path = o2c, pg_temp
as $$
    select coalesce(
        (select k.erp_customer_id from o2c.customer_link k join o2c.canonical_order o on o.email = k.email
          where o.order_key = p_order_key and k.erp_connection = p_erp),
        (select i.context->>'customer_id' from o2c.instance i
          where i.workflow in ('order_to_cash', 'order_to_cash_' || p_erp) and i.business_key = p_order_key
          order by i.id desc limit 1))
$$;

-- The `map` state of return_to_credit_memo. Context: {"store", "refund": <the Centra refund with
-- its return>}. Params: storefront_connection ('centra'), erp_connection ('netsuite'), wait_ms.
--   not_posted  o2c has not read the order yet, or it is not in the ERP yet: look again later
--   ok          the canonical return and its lines are recorded; patch: return_key, order_number,
--               customer_id, sales_order_id, return_auth_external_id, return_auth_body,
--               credit_memo_external_id, credit_memo_body, credit_memo_amount
--   failed      unreadable (ops), more than the shopper paid (finance), an ERP line unknown
create or replace function o2c_action.map_return(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_sf       text := coalesce(p_params->>'storefront_connection', 'centra');
    v_erp      text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_wait     int := coalesce((p_params->>'wait_ms')::int, 5000);
    v_half     jsonb;
    v_rec      jsonb;
    v_order    o2c.canonical_order;
    v_link     o2c.erp_order;
    v_before   numeric;
    v_customer text;
    v_out      jsonb;
    v_problems text[];
begin
    execute format('select o2c.%I_return_to_canonical($1, $2, $3)', o2c.connection_system(v_sf))
       into v_half using p_context->'refund', v_sf, coalesce(p_context->>'store', '1');
    if v_half ? 'order_unknown' then
        return jsonb_build_object('outcome', 'not_posted', 'delay_ms', v_wait,
            'patch', jsonb_build_object('waiting_for', v_half->>'order_unknown'));
    end if;
    if v_half ? 'problems' then
        return o2c.sql_action_failed(v_half#>>'{problems,0,category}', null, null,
            (select string_agg(p->>'message', ' ') from jsonb_array_elements(v_half->'problems') p));
    end if;
    v_rec := v_half->'record';
    v_problems := o2c.return_problems(v_rec);
    if cardinality(v_problems) > 0 then
        return o2c.sql_action_failed('bad_order_data', null, null,
            format('Return %s breaks the canonical model''s rules: %s', v_rec->>'return_key', array_to_string(v_problems, '; ')));
    end if;
    -- The storefront's refund is a fact whatever follows (o2c.reconciliation_gaps shows it).
    perform o2c.save_canonical_return(v_rec);

    select * into v_link from o2c.erp_order where order_key = v_rec->>'order_key' and erp_connection = v_erp;
    if v_link.erp_order_id is null then
        return jsonb_build_object('outcome', 'not_posted', 'delay_ms', v_wait,
            'patch', jsonb_build_object('waiting_for', v_rec->>'order_key'));
    end if;
    select * into v_order from o2c.canonical_order where order_key = v_link.order_key;
    select coalesce(sum(refund_amount), 0) into v_before from o2c.canonical_return
     where order_key = v_order.order_key and return_key <> v_rec->>'return_key';
    if v_before + (v_rec->>'refund_amount')::numeric > v_order.grand_total then
        return o2c.sql_action_failed('refund_exceeds_payment', null, null,
            format('Return %s of order %s refunds %s %s, but the shopper paid %s %s and %s was refunded before: nothing was credited in %s. Check the refund in the storefront.',
                   v_rec->>'return_key', v_order.number, v_rec->>'refund_amount', v_order.currency,
                   v_order.grand_total, v_order.currency, v_before, initcap(o2c.connection_system(v_erp))));
    end if;
    if (v_rec->>'refund_amount')::numeric - (v_rec->>'shipping_refund')::numeric > (v_rec->>'goods_sold')::numeric
       or ((v_rec->>'shipping_refund')::numeric > 0 and not (v_rec->>'shipping_charged')::boolean) then
        return o2c.sql_action_failed('refund_exceeds_payment', null, null,
            format('Return %s of order %s refunds %s %s for the goods returned (sold for %s %s) and %s %s of shipping%s: nothing was credited in %s. Check the refund in the storefront.',
                   v_rec->>'return_key', v_order.number,
                   (v_rec->>'refund_amount')::numeric - (v_rec->>'shipping_refund')::numeric, v_order.currency,
                   v_rec->>'goods_sold', v_order.currency, v_rec->>'shipping_refund', v_order.currency,
                   case when (v_rec->>'shipping_charged')::boolean then '' else ', on an order that charged none' end,
                   initcap(o2c.connection_system(v_erp))));
    end if;
    execute format('select o2c.canonical_return_to_%I_goods($1, $2)', o2c.connection_system(v_erp)) into v_out using v_rec, v_erp;
    if v_out ? 'missing' then
        return o2c.sql_action_failed(v_out->>'category', null, v_out->>'owner', v_out->>'message');
    end if;
    v_customer := o2c.erp_customer_of_order(v_order.order_key, v_erp);
    if v_customer is null then
        return o2c.sql_action_failed('bad_input', null, 'engineering',
            format('Order %s is posted but o2c knows no %s customer for it (o2c.customer_link)', v_order.number, initcap(v_erp)));
    end if;
    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object(
        'return_key', v_rec->>'return_key',
        'order_number', v_order.number,
        'customer_id', v_customer,
        'sales_order_id', v_link.erp_order_id,
        'return_auth_external_id', v_out->>'return_auth_external_id',
        'return_auth_body', v_out->'return_auth',
        'credit_memo_external_id', v_out->>'credit_memo_external_id',
        'credit_memo_body', v_out->'credit_memo',
        'credit_memo_amount', v_rec->>'refund_amount'));
end
$$;

create or replace function o2c_action.record_return_auth(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    insert into o2c.erp_return (return_key, erp_connection, return_auth_id)
    values (p_context->>'return_key', coalesce(p_params->>'erp_connection', 'netsuite'), p_context->>'return_auth_id')
    on conflict (return_key, erp_connection) do update set return_auth_id = excluded.return_auth_id;
    return jsonb_build_object('outcome', 'ok');
end
$$;

-- The `await_receipt` state: the return authorization as NetSuite answered it (context
-- return_auth, read by netsuite.get_record). received — its status is Pending Refund or Refunded,
-- or every line that expects goods (it has quantityReceived) has them all — records when in
-- o2c.erp_return; otherwise waiting, read again after params wait_ms (default 60000). The
-- authorization read is dropped from the context either way.
create or replace function o2c_action.check_receipt(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_ra       jsonb := p_context->'return_auth';
    v_status   text := coalesce(v_ra->>'orderStatus', '');
    v_received boolean;
begin
    select v_status in ('Pending Refund', 'Refunded')
           or (count(*) > 0 and bool_and((l->>'quantityReceived')::numeric >= (l->>'quantity')::numeric))
      into v_received
      from jsonb_array_elements(case when jsonb_typeof(v_ra#>'{item,items}') = 'array' then v_ra#>'{item,items}' else '[]' end) l
     where l ? 'quantityReceived';
    if not v_received then
        return jsonb_build_object('outcome', 'waiting', 'delay_ms', coalesce((p_params->>'wait_ms')::int, 60000),
            'patch', jsonb_build_object('return_auth', null, 'return_status', v_status,
                                        'receipt_checks', coalesce((p_context->>'receipt_checks')::int, 0) + 1));
    end if;
    update o2c.erp_return set received_at = coalesce(received_at, now())
     where return_key = p_context->>'return_key' and erp_connection = coalesce(p_params->>'erp_connection', 'netsuite');
    return jsonb_build_object('outcome', 'received', 'patch', jsonb_build_object('return_auth', null, 'return_status', v_status));
end
$$;

-- The money a credited return or refund paid back to the shopper, as the body of a NetSuite
-- customerRefund applied to its credit memo, from the account the order's payment went into (the
-- gateway's clearing account: the same lookup as the order's customer deposit,
-- o2c.canonical_payment_to_netsuite), so the payout journal that clears the account finds it.
-- Context: return_key, credit_memo_id, credit_memo_amount. Patch: customer_refund_external_id
-- (CR-…), customer_refund_body (customer put in by the workflow's refs). A mapping missing is
-- failed for finance; an order with no captured payment has nothing to refund from (bad_order_data).
create or replace function o2c_action.map_customer_refund(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_erp     text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_ret     o2c.canonical_return;
    v_order   o2c.canonical_order;
    v_payment jsonb;
begin
    select * into v_ret from o2c.canonical_return where return_key = p_context->>'return_key';
    select * into v_order from o2c.canonical_order where order_key = v_ret.order_key;
    if v_order.order_key is null or coalesce(p_context->>'credit_memo_id', '') = '' then
        return o2c.sql_action_failed('workflow_error', null, 'engineering',
            format('Refund %s: no credit memo or canonical order to pay back against', p_context->>'return_key'));
    end if;
    v_payment := o2c.canonical_payment_to_netsuite(to_jsonb(v_order), v_erp);
    if v_payment ? 'missing' then
        return o2c.sql_action_failed(v_payment->>'category', null, v_payment->>'owner',
            format('The money refunded for %s (credit memo %s) cannot be recorded as paid back. %s',
                   v_ret.return_key, p_context->>'credit_memo_id', v_payment->>'message'));
    end if;
    if v_payment ? 'no_capture' then
        return o2c.sql_action_failed('bad_order_data', null, 'finance',
            format('Order %s has no captured payment in o2c, so the refund %s has no account to be paid back from. Record the payment, then re-drive.',
                   v_order.number, v_ret.return_key));
    end if;
    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object(
        'customer_refund_external_id', 'CR-' || upper(replace(v_ret.return_key, ':', '-')),
        'customer_refund_body', jsonb_build_object(
            'tranDate', to_char(coalesce(v_ret.refunded_at, now()) at time zone 'UTC', 'YYYY-MM-DD'),
            'currency', v_payment#>'{deposit,currency}',
            'subsidiary', v_payment#>'{deposit,subsidiary}',
            'account', v_payment#>'{deposit,account}',
            'memo', format('%s refund %s of order %s paid back through %s', initcap(v_ret.channel), v_ret.return_key,
                           v_order.number, coalesce(v_payment->>'payment', 'the payment')),
            'apply', jsonb_build_object('items', jsonb_build_array(jsonb_build_object(
                'doc', jsonb_build_object('id', p_context->>'credit_memo_id'), 'apply', true,
                'amount', (p_context->>'credit_memo_amount')::numeric))))));
end
$$;

create or replace function o2c_action.record_customer_refund(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    update o2c.erp_return
       set customer_refund_id = p_context->>'customer_refund_id',
           customer_refund_amount = (p_context->>'credit_memo_amount')::numeric
     where return_key = p_context->>'return_key' and erp_connection = coalesce(p_params->>'erp_connection', 'netsuite');
    return jsonb_build_object('outcome', 'ok');
end
$$;
