-- canonical → Sage 200 for the money flows: a canonical refund becomes a sales credit note
-- (sales.json), a settlement journal becomes cash-book postings (cash-book.json). The checks,
-- the waits and the posting model stay in the shared flows (sql/api/returns.sql,
-- settlement_posting.sql); this file knows Sage 200's shapes only. Pipelines:
-- workflows/refund_to_credit_note_sage200.sql, workflows/settlement_posting_sage200.sql.
--
-- Sage 200 posts credit notes and bank entries as transactions and answers only a URN, so each
-- carries a reference o2c derives from the canonical key (at most 20 characters, the spec's
-- maxLength) and the connector searches the posted transactions by it before every post.
--
-- Settings (o2c.erp_setting, erp_connection 'sage200'):
--   refund_nominal_code     the nominal code a refund's goods value is credited from (sales)
--   shipping_nominal_code   the nominal code a shipping refund is credited from (carriage)
--   rounding_tax_code_id    the zero-rated tax code (also the orders'), for a refund without VAT
--   clearing_bank_id        the Sage 200 bank account payouts are posted through

-- A Sage 200 reference (≤ 20 characters) for a key: `prefix` and the key when it fits, else
-- `prefix` and 17 characters of the key's md5 (deterministic, practically collision-free).
create or replace function o2c.sage200_reference(p_prefix text, p_key text)
returns text
language sql
immutable
set search_path = o2c, pg_temp
as $$
    select case when length(p_prefix || p_key) <= 20 then p_prefix || p_key
                else p_prefix || upper(left(md5(p_key), 20 - length(p_prefix))) end
$$;

-- The setting `p_name` of a connection, or null.
create or replace function o2c.erp_setting_value(p_erp text, p_name text)
returns text
language sql
stable
set search_path = o2c, pg_temp
as $$ select value from o2c.erp_setting where erp_connection = p_erp and name = p_name $$;

-- A canonical refund without goods → the Sage 200 sales credit note that gives exactly that money
-- back: header goods and tax values (the storefront's tax is the truth), one tax analysis item on
-- the order's tax code (the zero-rated code when no tax is refunded), and nominal analysis to the
-- refund and shipping nominal codes, the shipping part net of its share of the tax (rounded once,
-- the goodwill part takes the remainder). Both analyses add up to the header, as Sage requires.
-- customer_id is added by the posting step. Answers {"external_id": the reference, "credit_memo":
-- body} or {"missing", "category", "owner", "message"}.
create or replace function o2c.canonical_return_to_sage200(p_record jsonb, p_erp text)
returns jsonb
language plpgsql
stable
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_order    o2c.canonical_order;
    v_ret      o2c.canonical_return := jsonb_populate_record(null::o2c.canonical_return, p_record);
    v_refund   text := o2c.erp_setting_value(p_erp, 'refund_nominal_code');
    v_shipping text := o2c.erp_setting_value(p_erp, 'shipping_nominal_code');
    v_tax_code text;
    v_ship_tax numeric;
    v_missing  text[] := '{}';
    v_ref      text;
begin
    select * into v_order from o2c.canonical_order where order_key = v_ret.order_key;
    v_tax_code := case when v_ret.refund_tax > 0 then o2c.refund_tax_code(v_order, p_erp)
                       else o2c.erp_setting_value(p_erp, 'rounding_tax_code_id') end;
    if v_refund is null or v_shipping is null or (v_tax_code is null and v_ret.refund_tax = 0) then
        v_missing := v_missing || format('Sage 200 settings %s: insert into o2c.erp_setting (erp_connection, name, value) values (%L, ''<name>'', ''<value>'');',
                                         concat_ws(', ', case when v_refund is null then 'refund_nominal_code' end,
                                                         case when v_shipping is null then 'shipping_nominal_code' end,
                                                         case when v_tax_code is null and v_ret.refund_tax = 0
                                                              then 'rounding_tax_code_id (a zero-rated tax code)' end), p_erp);
    end if;
    if v_tax_code is null and v_ret.refund_tax > 0 then
        v_missing := v_missing || format('a tax code for order %s''s country and rate: see o2c.tax_map', v_order.number);
    end if;
    if cardinality(v_missing) > 0 then
        return jsonb_build_object('missing', to_jsonb(v_missing), 'category', 'unmapped_value', 'owner', 'ops',
            'message', format('Refund %s of order %s cannot become a Sage 200 credit note; missing %s Then re-drive.',
                              v_ret.return_key, v_order.number, array_to_string(v_missing, ' ')));
    end if;

    v_ship_tax := case when v_ret.refund_amount = v_ret.shipping_refund then v_ret.refund_tax
                       else round(v_ret.refund_tax * v_ret.shipping_refund / v_ret.refund_amount, v_order.minor_digits) end;
    v_ref := o2c.sage200_reference('RF-', regexp_replace(substr(v_ret.return_key, strpos(v_ret.return_key, ':') + 1),
                                                         ':refund:', '-'));
    return jsonb_build_object(
        'external_id', v_ref,
        'credit_memo', jsonb_build_object(
            'reference', v_ref,
            'second_reference', left(v_order.number, 20),
            'transaction_date', to_char(coalesce(v_ret.refunded_at, now()) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'document_goods_value', v_ret.refund_amount - v_ret.refund_tax,
            'document_tax_value', v_ret.refund_tax,
            'tax_analysis_items', jsonb_build_array(jsonb_build_object(
                'id', v_tax_code::bigint,
                'goods_amount', v_ret.refund_amount - v_ret.refund_tax,
                'tax_amount', v_ret.refund_tax)),
            'nominal_analysis_items', (
                select coalesce(jsonb_agg(jsonb_build_object('code', code, 'value', value, 'narrative', narrative) order by n), '[]')
                  from (values (1, v_refund, v_ret.refund_amount - v_ret.shipping_refund - (v_ret.refund_tax - v_ship_tax),
                                left(format('%s refund %s of order %s: %s', initcap(v_ret.channel), v_ret.return_key,
                                            v_order.number, coalesce(v_ret.reason, 'refund')), 6000)),
                               (2, v_shipping, v_ret.shipping_refund - v_ship_tax,
                                format('shipping refund of order %s', v_order.number))) as x(n, code, value, narrative)
                 where value <> 0)));
end
$$;

-- A settlement journal (context.journal, as o2c_action.settlement_next_journal lays it out with
-- erp_connection sage200: account_id is the nominal code) → the Sage 200 cash-book postings that
-- carry it, since Sage 200's API posts no journals: its credit lines as one bank receipt into the
-- clearing bank (a credit to each line's nominal code), its debit lines as one bank payment from
-- it (a debit to each). The clearing bank receives what it pays, so it nets to zero for every
-- balanced journal, as the clearing account does on NetSuite. Patch: receipt_reference,
-- receipt_body, receipt_total, payment_reference, payment_body, payment_total (references
-- STL<hash>-R / -P of the journal's external id; its tail in second_reference, the whole in the
-- narrative).
create or replace function o2c_action.sage200_cash_book_postings(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
stable
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_erp   text := coalesce(p_params->>'erp_connection', 'sage200');
    v_j     jsonb := p_context->'journal';
    v_bank  text := o2c.erp_setting_value(v_erp, 'clearing_bank_id');
    v_eid   text := v_j->>'external_id';
    v_patch jsonb := '{}';
    v_side  record;
begin
    if v_bank is null then
        return o2c.sql_action_failed('unmapped_value', null, 'finance', format(
            'no clearing_bank_id in o2c.erp_setting for %s: payouts are posted through a clearing bank account: '
            'insert into o2c.erp_setting (erp_connection, name, value) values (%L, ''clearing_bank_id'', ''<Sage 200 bank id>''); '
            'then re-drive.', v_erp, v_erp));
    end if;
    for v_side in
        select side, suffix, coalesce(sum((l->>side)::numeric), 0) as total,
               jsonb_agg(jsonb_build_object('code', l->>'account_id', 'goods_value', (l->>side)::numeric,
                                            'tax_value', 0, 'gross_value', (l->>side)::numeric,
                                            'narrative', left(l->>'memo', 6000)) order by n)
                   filter (where l ? side) as items
          from (values ('credit', 'receipt', 'R'), ('debit', 'payment', 'P')) as s(side, name, suffix)
          cross join jsonb_array_elements(v_j->'lines') with ordinality as x(l, n)
         group by side, suffix, name
    loop
        if v_side.items is null then
            return o2c.sql_action_failed('inconsistent_settlement', null, 'finance', format(
                'journal %s has no %s lines: a journal posts through the clearing bank only when it balances', v_eid, v_side.side));
        end if;
        v_patch := v_patch || jsonb_build_object(
            case v_side.side when 'credit' then 'receipt_reference' else 'payment_reference' end,
            o2c.sage200_reference('STL', upper(left(md5(v_eid), 15)) || '-' || v_side.suffix),
            case v_side.side when 'credit' then 'receipt_total' else 'payment_total' end, v_side.total,
            case v_side.side when 'credit' then 'receipt_body' else 'payment_body' end, jsonb_build_object(
                'bank_id', v_bank::bigint,
                'transaction_date', (v_j->>'tran_date') || 'T00:00:00Z',
                'reference', o2c.sage200_reference('STL', upper(left(md5(v_eid), 15)) || '-' || v_side.suffix),
                'second_reference', right(v_eid, 20),
                'narrative', left(v_eid || ': ' || coalesce(v_j->>'memo', ''), 6000),
                'nominal_analysis_items', v_side.items));
    end loop;
    if not v_patch ? 'receipt_body' or not v_patch ? 'payment_body' then
        return o2c.sql_action_failed('inconsistent_settlement', null, 'finance', format(
            'journal %s has no lines to post through the clearing bank', v_eid));
    end if;
    return jsonb_build_object('outcome', 'ok', 'patch', v_patch);
end
$$;

-- The journal's cash-book postings are in Sage 200: remembered as posted (its ERP id: the
-- receipt's and the payment's posted transaction ids).
create or replace function o2c_action.sage200_cash_book_posted(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    return o2c_action.settlement_journal_posted(
        p_context || jsonb_build_object('journal_erp_id', concat_ws('+', p_context->>'receipt_id', p_context->>'payment_id')),
        p_params);
end
$$;

revoke all on function o2c_action.sage200_cash_book_postings(jsonb, jsonb) from public;
revoke all on function o2c_action.sage200_cash_book_posted(jsonb, jsonb) from public;
