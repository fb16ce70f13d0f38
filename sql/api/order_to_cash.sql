-- The SQL actions of the order pipelines (workflows/order_to_cash.sql, order_cancellation.sql).
-- They hold no mapping of their own: the storefront's half turns its order into a canonical one
-- (o2c.<system>_order_to_canonical), the canonical checks apply (o2c.order_problems), the ERP's
-- half lays it out (o2c.canonical_order_to_<system>). A new storefront or ERP adds its half; these
-- stay as they are.

-- A failed answer for a SQL action, in the shape o2c.complete reads. The owner and severity are
-- the category's (o2c.failure_category) unless given.
create or replace function o2c.sql_action_failed(p_category text, p_severity text, p_owner text, p_message text)
returns jsonb
language sql
stable
set search_path = o2c, pg_temp
as $$
    select jsonb_build_object('outcome', 'failed', 'detail', jsonb_build_object(
        'category', p_category,
        'severity', coalesce(p_severity, (select severity from o2c.failure_category where category = p_category), 'high'),
        'owner', coalesce(p_owner, (select owner from o2c.failure_category where category = p_category), 'ops'),
        'message', p_message))
$$;

-- The system of a connection ('centra', 'netsuite', …), which names its mapping half.
create or replace function o2c.connection_system(p_connection text)
returns text
language sql
stable
set search_path = o2c, pg_temp
as $$
    select coalesce((select system from o2c.connection where name = p_connection), p_connection)
$$;

-- A system's name as its users write it, for messages ('Sage 200', 'NetSuite', 'Centra').
create or replace function o2c.system_title(p_system text)
returns text
language sql
immutable
as $$
    select case p_system when 'sage200' then 'Sage 200' when 'netsuite' then 'NetSuite' else initcap(p_system) end
$$;

-- The one cancellation decision of an unposted order. `p_snapshot` is the order as order_to_cash
-- holds it; `p_cancel_snapshot` the order as its cancellation workflow holds it (newer: the poller
-- starts that workflow when it sees a cancellation), or null. Answers whether nothing is to be
-- posted, and which snapshot to go on with (never the snapshot itself: wrapping a 10,000-line
-- order in another jsonb value rebuilds all of it):
--   {"cancelled": true}                           the order is cancelled (status, or no units left)
--   {"cancelled": false, "use_cancel_snapshot": b} post the units left, from the cancellation's
--                                                 snapshot when b (it is the newer)
-- A cancellation workflow with no snapshot of its own counts as a whole cancellation. The lines
-- are judged with jsonpath, which walks the order without taking it apart.
create or replace function o2c.order_cancellation_decision(p_snapshot jsonb, p_cancel_snapshot jsonb,
                                                          p_cancel_exists boolean)
returns jsonb
language sql
immutable
as $$
    with chosen as (
        select p_cancel_snapshot is not null and jsonb_typeof(p_cancel_snapshot) = 'object' as use_cancel
    ), o as (
        select use_cancel, case when use_cancel then p_cancel_snapshot else p_snapshot end as o from chosen
    )
    select case
        when p_cancel_exists and not use_cancel
            then jsonb_build_object('cancelled', true)
        when upper(coalesce(o->>'status', '')) = 'CANCELLED'
            then jsonb_build_object('cancelled', true)
        -- (jsonpath's type() and size() look at the lines where they are; o->'lines' would copy them)
        when jsonb_path_query_first(o, '$.lines.type()') #>> '{}' = 'array'
             and (jsonb_path_query_first(o, '$.lines.size()') #>> '{}')::int > 0
             and not jsonb_path_exists(o, '$.lines[*] ? (!(@.quantity.type() == "number") || @.quantity != 0)')
             and jsonb_path_exists(o, '$.lines[*] ? (@.cancelledQuantity.type() == "number" && @.cancelledQuantity > 0)')
            then jsonb_build_object('cancelled', true)
        else jsonb_build_object('cancelled', false, 'use_cancel_snapshot', use_cancel) end
      from o
$$;

-- When a storefront last changed an order snapshot, as its connector's half reads it
-- (o2c.<system>_order_updated_at); null when unreadable.
create or replace function o2c.order_updated_at(p_system text, p_order jsonb)
returns timestamptz
language plpgsql
stable
set search_path = o2c, pg_temp
as $$
declare
    v timestamptz;
begin
    execute format('select o2c.%I_order_updated_at($1)', p_system) into v using p_order;
    return v;
exception when invalid_datetime_format or datetime_field_overflow or invalid_text_representation then
    return null;
end
$$;

-- Is storefront order snapshot a newer than b? By when the storefront last changed it (Centra's
-- updatedAt); an unreadable one is never newer. p_connection and p_store are kept for callers.
create or replace function o2c.order_snapshot_newer(p_system text, p_connection text, p_store text, a jsonb, b jsonb)
returns boolean
language sql
stable
as $$
    select coalesce(o2c.order_updated_at(p_system, a) > o2c.order_updated_at(p_system, b), false)
$$;

-- The halves by system name, in their row forms (the canonical order as header and lines,
-- o2c.canonical_line[]): the halves o2c has are called by name, any other through EXECUTE, which
-- plans with its arguments folded in as constants, and the planner copies those (megabytes for a
-- big order) several times. Used by the map step and by the cancellation's plan.
create or replace function o2c.storefront_order_to_canonical_rows(p_system text, p_order jsonb, p_connection text,
                                                                  p_store text, out problems jsonb, out head jsonb,
                                                                  out lines o2c.canonical_line[])
language plpgsql
set search_path = o2c, pg_temp
set plan_cache_mode = force_generic_plan  -- see o2c.order_problems
as $$
begin
    if p_system = 'centra' then
        select r.problems, r.head, r.lines into problems, head, lines
          from o2c.centra_order_to_canonical_rows(p_order, p_connection, p_store) r;
    else
        execute format('select problems, head, lines from o2c.%I_order_to_canonical_rows($1, $2, $3)', p_system)
           into problems, head, lines using p_order, p_connection, p_store;
    end if;
end
$$;

create or replace function o2c.canonical_order_to_erp(p_system text, p_head jsonb, p_lines o2c.canonical_line[],
                                                      p_erp_connection text, out doc jsonb, out sales_order text,
                                                      out sales_order_key text, out line_map o2c.erp_line_ref[])
language plpgsql
set search_path = o2c, pg_temp
set plan_cache_mode = force_generic_plan  -- see o2c.order_problems
as $$
begin
    if p_system = 'netsuite' then
        select r.doc, r.sales_order, r.sales_order_key, r.line_map into doc, sales_order, sales_order_key, line_map
          from o2c.canonical_order_to_netsuite(p_head, p_lines, p_erp_connection) r;
    elsif p_system = 'sage200' then
        select r.doc, r.sales_order, r.sales_order_key, r.line_map into doc, sales_order, sales_order_key, line_map
          from o2c.canonical_order_to_sage200(p_head, p_lines, p_erp_connection) r;
    else
        execute format('select doc, sales_order, sales_order_key, line_map from o2c.canonical_order_to_%I($1, $2, $3)', p_system)
           into doc, sales_order, sales_order_key, line_map using p_head, p_lines, p_erp_connection;
    end if;
end
$$;

-- The `map` state of order_to_cash. Context: {"source", "store", "order": <the storefront's order>}
-- as the poller started it. Params: storefront_connection (default 'centra'), erp_connection
-- (default 'netsuite'), cancel_workflow (default 'order_cancellation'). Answers:
--   cancelled  cancelled before it was posted: nothing goes to the ERP
--   ok         the canonical order is recorded (o2c.canonical_order, erp_order, erp_order_line) and
--              the patch holds the ERP bodies: customer_external_id, customer_email, customer_body,
--              sales_order_external_id, sales_order_body (the JSON text of the ERP's sales order,
--              a string: read it with (context->>'sales_order_body')::jsonb), order_key,
--              order_number, order_total, order_currency. customer_external_id is the half's customer_key when it answers
--              one (an ERP without external ids: Sage 200's customer reference), else the
--              customer body's externalId (NetSuite); sales_order_external_id is the half's
--              sales_order_key (Sage 200's customer_document_no, NetSuite's externalId).
--   failed     the order cannot be read, does not add up (finance), or lacks mappings (every
--              missing one named with the SQL that adds it)
create or replace function o2c_action.map_order(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
set search_path = o2c, pg_temp
set plan_cache_mode = force_generic_plan  -- see o2c.order_problems
as $$
declare
    v_sf       text := coalesce(p_params->>'storefront_connection', 'centra');
    v_erp      text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_sf_sys   text := o2c.connection_system(v_sf);
    v_erp_sys  text := o2c.connection_system(v_erp);
    -- The context unpacked once: it may arrive compressed (a column's value), and every look
    -- into a compressed value unpacks all of it again (~25 ms each for a 10,000-line order).
    v_context  jsonb := jsonb_path_query_first(p_context, '$');
    v_store    text := coalesce(v_context->>'store', '1');
    v_order    jsonb := v_context->'order';
    v_cancel   o2c.instance;
    v_decision jsonb;
    v_problems jsonb;
    v_record   jsonb;            -- the canonical order's header
    v_lines    o2c.canonical_line[];
    v_problem  record;
    v_erp_out  jsonb;
    v_line_map o2c.erp_line_ref[];
    v_so_body  text;             -- the ERP's sales order, JSON text
    v_so_key   text;
    v_patch    jsonb;
    v_update   jsonb;
    v_changed  boolean := false;
begin
    -- An order the poller could not take in (no readable number, a NUL or bytes that are not
    -- UTF-8): its own workflow, stopped here for ops, the raw order kept safe in the context.
    if v_context ? 'bad_order' then
        return o2c.sql_action_failed('bad_order_data', null, null,
            format('%s order %s could not be taken in: %s. Nothing was posted; the order as %s sent it is kept, base64-encoded, in this workflow''s context (bad_order.raw_base64) for whoever corrects it there.',
                   initcap(v_sf_sys), coalesce(v_context#>>'{bad_order,number}', '(with no readable number)'),
                   v_context#>>'{bad_order,reason}', initcap(v_sf_sys)));
    end if;
    -- The newest snapshot: the storefront may have changed the order since the workflow started
    -- (the poller starts it again with the change, kept in o2c.instance_update).
    select u.input->'order' into v_update
      from o2c.instance i join o2c.instance_update u on u.instance_id = i.id
     where i.workflow = coalesce(p_params->>'workflow', 'order_to_cash')
       and i.business_key = o2c.order_key(v_sf_sys, v_store, v_order->>'number');
    -- (Nested: SQL's AND may evaluate every side, and comparing snapshots reads the whole order.)
    if jsonb_typeof(v_update) = 'object' then
        if v_update is distinct from v_order and o2c.order_snapshot_newer(v_sf_sys, v_sf, v_store, v_update, v_order) then
            v_order := v_update;
            v_changed := true;
        end if;
    end if;
    -- Cancelled, wholly or in part, since the order_to_cash snapshot was taken? The cancellation's
    -- own snapshot counts unless ours is newer (then ours says what is left).
    select * into v_cancel from o2c.instance
     where workflow = coalesce(p_params->>'cancel_workflow', 'order_cancellation')
       and business_key = o2c.order_key(v_sf_sys, v_store, v_order->>'number') || ':cancel';
    if v_cancel.id is not null then
        if jsonb_typeof(v_cancel.context->'order') = 'object'
           and o2c.order_snapshot_newer(v_sf_sys, v_sf, v_store, v_order, v_cancel.context->'order') then
            v_cancel.context := jsonb_set(v_cancel.context, '{order}', v_order);
        end if;
    end if;
    v_decision := o2c.order_cancellation_decision(v_order, v_cancel.context->'order', v_cancel.id is not null);
    if (v_decision->>'cancelled')::boolean then
        return jsonb_build_object('outcome', 'cancelled', 'patch', jsonb_build_object('order_number', v_order->>'number'));
    end if;
    if (v_decision->>'use_cancel_snapshot')::boolean then
        v_order := v_cancel.context->'order';
    end if;

    -- The canonical order goes from stage to stage as its header and its lines as rows
    -- (o2c.canonical_line[]): a 10,000-element JSON array built and read again at every stage
    -- was most of the step's time.
    select problems, head, lines into v_problems, v_record, v_lines
      from o2c.storefront_order_to_canonical_rows(v_sf_sys, v_order, v_sf, v_store);
    if v_problems is not null then
        return o2c.sql_action_failed(v_problems#>>'{0,category}', null, null,
            (select string_agg(p->>'message', ' ') from jsonb_array_elements(v_problems) p));
    end if;
    for v_problem in select * from o2c.order_problems(v_record, v_lines) loop
        return o2c.sql_action_failed(v_problem.category, null, null, v_problem.message);
    end loop;
    if v_record->>'status' = 'cancelled' then
        return jsonb_build_object('outcome', 'cancelled', 'patch', jsonb_build_object('order_number', v_order->>'number'));
    end if;

    select doc, sales_order, sales_order_key, line_map into v_erp_out, v_so_body, v_so_key, v_line_map
      from o2c.canonical_order_to_erp(v_erp_sys, v_record, v_lines, v_erp);
    if v_erp_out ? 'missing' then
        return o2c.sql_action_failed(v_erp_out->>'category', 'high', v_erp_out->>'owner', v_erp_out->>'message');
    end if;

    -- Recorded only once it can be posted; a newer snapshot already recorded stays.
    perform o2c.record_canonical_order(v_record, v_lines);
    insert into o2c.erp_order (order_key, erp_connection, external_id)
    values (v_record->>'order_key', v_erp, v_so_key)
    on conflict (order_key, erp_connection) do update set external_id = excluded.external_id;
    delete from o2c.erp_order_line where order_key = v_record->>'order_key' and erp_connection = v_erp;
    insert into o2c.erp_order_line (order_key, erp_connection, erp_line, order_line_no, line_key)
    select v_record->>'order_key', v_erp, m.erp_line, m.order_line_no, m.line_key
      from unnest(v_line_map) m;

    -- The snapshot goes back into the context only when it changed: a patch holding a big order
    -- again would rebuild all of it for nothing. The sales order goes into the context as its JSON
    -- text, a string, never parsed here: PostgreSQL reads and writes a string several times faster
    -- than the object it holds (a 10,000-line body: 1.2 MB parsed in ~90 ms here, again at the
    -- completion, and at every later step's claim), and the ERP's connector reads either form
    -- (o2c_step_document).
    v_patch := jsonb_build_object(
        'order_key', v_record->>'order_key',
        'customer_external_id', coalesce(v_erp_out->>'customer_key', v_erp_out#>>'{customer,externalId}'),
        'customer_email', v_record->>'email',
        'customer_body', v_erp_out->'customer',
        'sales_order_external_id', v_so_key,
        'order_number', v_record->>'number',
        'customer_ref', v_record->>'customer_ref',
        'order_total', (v_record->>'grand_total')::numeric,
        'order_currency', v_record->>'currency');
    if v_changed then
        v_patch := v_patch || jsonb_build_object('order', v_order);
    end if;
    return jsonb_build_object('outcome', 'ok', 'patch', v_patch || jsonb_build_object('sales_order_body', v_so_body));
exception
    when invalid_datetime_format or datetime_field_overflow or invalid_text_representation
         or numeric_value_out_of_range then
        return o2c.sql_action_failed('bad_order_data', 'high', 'ops',
            format('%s order %s has an unreadable value: %s', initcap(v_sf_sys), coalesce(v_order->>'number', '?'), sqlerrm));
end
$$;

-- Once the sales order is posted: the ERP's id joins the order's link (o2c.erp_order), so
-- fulfilments and returns in the ERP lead back to the canonical order. Params: erp_connection.
create or replace function o2c_action.record_posting(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
set search_path = o2c, pg_temp
as $$
begin
    update o2c.erp_order set erp_order_id = p_context->>'sales_order_id'
     where order_key = p_context->>'order_key'
       and erp_connection = coalesce(p_params->>'erp_connection', 'netsuite');
    return jsonb_build_object('outcome', 'ok');
end
$$;

-- The `payment` state of order_to_cash, once the sales order is posted: the payment the storefront
-- captured, from the canonical order (never the storefront's own fields), laid out by the ERP's
-- half (o2c.canonical_payment_to_<system>). Params: erp_connection (default 'netsuite'). Answers:
--   no_capture  nothing was captured (0 or absent): no deposit
--   ok          patch: deposit_external_id (DEP-CENTRA-<store>-<number>), deposit_body,
--               deposit_amount, deposit_payment, deposit_account
--   failed      the gateway's account (or the currency, the subsidiary) is not mapped: finance,
--               naming the SQL that adds it; a re-drive runs this state again
create or replace function o2c_action.map_payment(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
stable
set search_path = o2c, pg_temp
as $$
declare
    v_erp   text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_order jsonb;
    v_out   jsonb;
begin
    select to_jsonb(o) into v_order from o2c.canonical_order o where o.order_key = p_context->>'order_key';
    if v_order is null then
        return o2c.sql_action_failed('workflow_error', null, 'engineering',
            format('order %s has no canonical order recorded; map should have recorded it', coalesce(p_context->>'order_key', '(no order_key)')));
    end if;
    execute format('select o2c.canonical_payment_to_%I($1, $2)', o2c.connection_system(v_erp)) into v_out using v_order, v_erp;
    if v_out ? 'no_capture' then
        return jsonb_build_object('outcome', 'no_capture');
    end if;
    if v_out ? 'missing' then
        return o2c.sql_action_failed(v_out->>'category', 'high', v_out->>'owner', v_out->>'message');
    end if;
    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object(
        'deposit_external_id', v_out->>'external_id',
        'deposit_body', v_out->'deposit',
        'deposit_amount', v_out->'amount',
        'deposit_payment', v_out->>'payment',
        'deposit_account', v_out->>'account'));
end
$$;

-- Once NetSuite holds the deposit: the order's payment as the ERP has it (o2c.order_payment), for
-- o2c.payout_gaps. Params: erp_connection.
create or replace function o2c_action.record_payment(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
set search_path = o2c, pg_temp
as $$
begin
    insert into o2c.order_payment (order_key, erp_connection, external_id, erp_payment_id, amount, currency,
                                   payment, gateway_reference, account)
    select o.order_key, coalesce(p_params->>'erp_connection', 'netsuite'), p_context->>'deposit_external_id',
           p_context->>'deposit_id', (p_context->>'deposit_amount')::numeric, o.currency,
           p_context->>'deposit_payment', o.gateway_reference, p_context->>'deposit_account'
      from o2c.canonical_order o where o.order_key = p_context->>'order_key'
    on conflict (order_key, erp_connection) do update
       set external_id = excluded.external_id, erp_payment_id = excluded.erp_payment_id, amount = excluded.amount,
           currency = excluded.currency, payment = excluded.payment, gateway_reference = excluded.gateway_reference,
           account = excluded.account, recorded_at = now();
    return jsonb_build_object('outcome', 'ok');
end
$$;

-- Where order_cancellation stands: has the order's order_to_cash workflow posted a sales order?
--   posted      patch: sales_order_external_id, sales_order_id — close it in the ERP.
--   not_posted  o2c never posted it (cancelled before posting, or the workflow was cancelled);
--               patch sales_order_external_id, so the ERP can be asked whether it is there anyway.
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
    v_key  text := o2c.order_key(coalesce(p_context->>'source', 'centra'), coalesce(p_context->>'store', '1'),
                                 p_context#>>'{order,number}');
begin
    select * into v_inst from o2c.instance
     where workflow = coalesce(p_params->>'workflow', 'order_to_cash') and business_key = v_key;
    if not found or v_inst.status = 'cancelled'
       or (v_inst.status = 'done' and not v_inst.context ? 'sales_order_id') then
        -- "Not posted" as far as o2c knows; the ERP is asked before anyone believes it (a sales
        -- order whose answer was lost may be there): patch the external id it would have.
        return jsonb_build_object('outcome', 'not_posted', 'patch', jsonb_build_object(
            'order_number', p_context#>>'{order,number}',
            'sales_order_external_id', coalesce(v_inst.context->>'sales_order_external_id',
                o2c.erp_external_id('order', coalesce(p_context->>'source', 'centra'),
                                    coalesce(p_context->>'store', '1'), p_context#>>'{order,number}'))));
    end if;
    if v_inst.status = 'done' then
        return jsonb_build_object('outcome', 'posted', 'patch', jsonb_build_object(
            'order_number', p_context#>>'{order,number}',
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
