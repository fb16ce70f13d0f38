-- Refunds, storefront → ERP (issue 11, second half; tables: 0004 canonical_return(+_line), 0010
-- erp_return). Pipeline: workflows/refund_to_credit_memo.sql. Built so far: a refund with no goods
-- coming back (goodwill, a shipping refund) becomes one NetSuite credit memo for exactly what the
-- storefront refunded. Returns with goods (return authorization, item receipt) are not built yet.
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
    insert into o2c.canonical_return (return_key, order_key, channel, kind, currency, reason, restock,
                                      refund_amount, refund_tax, shipping_refund, refunded_at)
    select return_key, order_key, channel, kind, currency, reason, restock, refund_amount, refund_tax,
           shipping_refund, refunded_at
      from jsonb_populate_record(null::o2c.canonical_return, v_rec)
    on conflict (return_key) do update
       set refund_amount = excluded.refund_amount, refund_tax = excluded.refund_tax,
           shipping_refund = excluded.shipping_refund, reason = excluded.reason;
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
    -- The ERP's customer of the order: the shopper's link, else the one order_to_cash posted for.
    select erp_customer_id into v_customer from o2c.customer_link where erp_connection = v_erp and email = v_order.email;
    if v_customer is null then
        select i.context->>'customer_id' into v_customer from o2c.instance i
         where i.workflow in ('order_to_cash', 'order_to_cash_' || v_erp) and i.business_key = v_order.order_key
         limit 1;
    end if;
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
