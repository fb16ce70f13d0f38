-- What a change of the order in the store changes in the ERP once the order is posted
-- (workflows/order_cancellation.sql; started by the poller for a cancellation, whole or in part).
--
-- sql.plan_order_cancellation lays the order out for the ERP twice, with the ERP connection's own
-- half (o2c.canonical_order_to_<system>): as it was posted (o2c.canonical_order, recorded by map)
-- and as the store has it now (context order, or a newer snapshot in o2c.instance_update), and
-- compares them line by line, each line known by its line_key (o2c.erp_order_line). Both layouts use
-- today's mappings, so a mapping edited since posting is not mistaken for a change of the order.
-- Params: storefront_connection (default 'centra'), erp_connection (default 'netsuite'),
-- workflow (the cancellation pipeline, default 'order_cancellation'), change_lines (default true;
-- false: the ERP's connector cannot change lines, so a partial change is an exception). Answers:
--   whole    the order is cancelled (o2c.order_cancellation_decision): close every line
--   lines    some lines changed: patch line_changes, the ERP's line numbers with what to do —
--            {"line": n, "close": true} for a line with no units left (a discount line whose
--            discount is gone), {"line": n, "set": <the line as laid out now>} for a line with fewer
--            units or another amount (a discount line shrinks with the units it discounted); the
--            other lines are not touched (cancelling one line never closes the order)
--   nothing  the ERP's lines already say what the store says (the units cancelled were never
--            posted: map posts the units left)
--   failed   order_changed_after_posting (ops): a line the posted order did not have (nothing is
--            changed); the mapping's own failure when the order can no longer be laid out
-- The ERP half's answer names where its document lines are (lines_path) and which is which
-- (line_map: erp_line, order_line_no, line_key).
create or replace function o2c_action.plan_order_cancellation(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
stable
set search_path = o2c, pg_temp
as $$
declare
    v_sf      text := coalesce(p_params->>'storefront_connection', 'centra');
    v_erp     text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_erp_sys text := o2c.connection_system(v_erp);
    v_store   text := coalesce(p_context->>'store', '1');
    v_order   jsonb := p_context->'order';
    v_key     text := o2c.order_key(o2c.connection_system(v_sf), v_store, v_order->>'number');
    v_problems jsonb;
    v_head    jsonb;             -- the order as the store has it now: header and lines
    v_lines   o2c.canonical_line[];
    v_posted  record;            -- as it was posted: head, lines
    v_erp_then record;           -- each laid out by the ERP's half: doc, sales_order, sales_order_key, line_map
    v_erp_now record;
    v_then    jsonb;             -- the half's doc with its sales order (JSON) and line_map
    v_now     jsonb;
    v_update  jsonb;
    v_changes jsonb;
    v_added   text;
    v_lost    text;
begin
    -- A later change of the order (a second line cancelled) started this workflow again: the
    -- newest snapshot is the one to plan with (o2c.instance_update).
    select u.input->'order' into v_update
      from o2c.instance i join o2c.instance_update u on u.instance_id = i.id
     where i.workflow = coalesce(p_params->>'workflow', 'order_cancellation') and i.business_key = v_key || ':cancel';
    if jsonb_typeof(v_update) = 'object'
       and o2c.order_snapshot_newer(o2c.connection_system(v_sf), v_sf, v_store, v_update, v_order) then
        v_order := v_update;
    end if;
    if (o2c.order_cancellation_decision(v_order, null, false)->>'cancelled')::boolean then
        return jsonb_build_object('outcome', 'whole');
    end if;
    -- The halves in their row forms, called by name (a big order planned through the JSON forms
    -- and EXECUTE took seconds).
    select problems, head, lines into v_problems, v_head, v_lines
      from o2c.storefront_order_to_canonical_rows(o2c.connection_system(v_sf), v_order, v_sf, v_store);
    if v_problems is not null then
        return o2c.sql_action_failed(v_problems#>>'{0,category}', null, null,
            (select string_agg(p->>'message', ' ') from jsonb_array_elements(v_problems) p));
    end if;
    select * into v_posted from o2c.canonical_order_rows(v_key);
    if v_posted.head is null then
        return o2c.sql_action_failed('engine_error', null, null, format(
            'Order %s is posted, but o2c holds no canonical record of it (o2c.canonical_order %s).', v_order->>'number', v_key));
    end if;
    select * into v_erp_then from o2c.canonical_order_to_erp(v_erp_sys, v_posted.head, v_posted.lines, v_erp);
    select * into v_erp_now from o2c.canonical_order_to_erp(v_erp_sys, v_head, v_lines, v_erp);
    if v_erp_now.doc ? 'missing' or v_erp_then.doc ? 'missing' then
        v_now := case when v_erp_now.doc ? 'missing' then v_erp_now.doc else v_erp_then.doc end;
        return o2c.sql_action_failed(v_now->>'category', 'high', v_now->>'owner', v_now->>'message');
    end if;
    v_then := v_erp_then.doc || jsonb_build_object('sales_order', v_erp_then.sales_order::jsonb,
                                                   'line_map', to_jsonb(v_erp_then.line_map));
    v_now := v_erp_now.doc || jsonb_build_object('sales_order', v_erp_now.sales_order::jsonb,
                                                 'line_map', to_jsonb(v_erp_now.line_map));

    with then_lines as (
        select m->>'line_key' as line_key, (m->>'erp_line')::int as position, b.body
          from jsonb_array_elements(v_then->'line_map') m
          join jsonb_array_elements(v_then #> array(select jsonb_array_elements_text(v_then->'lines_path')))
               with ordinality as b(body, n) on b.n = (m->>'erp_line')::int
    ), now_lines as (
        select m->>'line_key' as line_key, b.body
          from jsonb_array_elements(v_now->'line_map') m
          join jsonb_array_elements(v_now #> array(select jsonb_array_elements_text(v_now->'lines_path')))
               with ordinality as b(body, n) on b.n = (m->>'erp_line')::int
    ), posted as (
        -- The ERP's own line number: by name, else (lines recorded before names) by position.
        select t.line_key, t.body, coalesce(named.erp_line, placed.erp_line) as erp_line
          from then_lines t
          left join o2c.erp_order_line named
                 on named.order_key = v_key and named.erp_connection = v_erp and named.line_key = t.line_key
          left join o2c.erp_order_line placed
                 on placed.order_key = v_key and placed.erp_connection = v_erp and placed.line_key is null
                and placed.erp_line = t.position
    ), compared as (
        select coalesce(p.line_key, n.line_key) as line_key, p.erp_line, p.body as was, n.body as now
          from posted p full join now_lines n on n.line_key = p.line_key
    )
    select jsonb_agg(case when now is null then jsonb_build_object('line', erp_line, 'close', true)
                          else jsonb_build_object('line', erp_line, 'set', now) end order by erp_line)
               filter (where was is not null and erp_line is not null and was is distinct from now),
           string_agg(line_key, ', ' order by line_key) filter (where was is null),
           string_agg(line_key, ', ' order by line_key) filter (where was is not null and erp_line is null)
      into v_changes, v_added, v_lost
      from compared;

    if v_added is not null or v_lost is not null then
        return o2c.sql_action_failed('order_changed_after_posting', null, null, format(
            'Order %s changed in the store after it was posted: %s. o2c does not add lines to a posted order by itself, so '
            'nothing was changed in the ERP: change the sales order %s by hand, then cancel this workflow.',
            v_order->>'number',
            concat_ws('; ', case when v_added is not null then format('it has lines the posted order did not (%s)', v_added) end,
                            case when v_lost is not null then format('o2c does not know which ERP line holds %s', v_lost) end),
            o2c.erp_external_id('order', o2c.connection_system(v_sf), v_store, v_order->>'number')));
    end if;
    if v_changes is null then
        return jsonb_build_object('outcome', 'nothing');
    end if;
    -- An ERP whose connector cannot change a posted order's lines (params.change_lines false:
    -- Sage 200 lines are changed in the desktop client): ops are told exactly what to change.
    if not coalesce((p_params->>'change_lines')::boolean, true) then
        return o2c.sql_action_failed('order_changed_after_posting', null, null, format(
            'Order %s lost units in the store after it was posted to %s: its lines %s no longer say what the store says. '
            'o2c does not change the lines of a posted %s order, so nothing was changed: change the sales order %s by hand, '
            'then cancel this workflow.',
            v_order->>'number', o2c.system_title(v_erp_sys),
            (select string_agg(c->>'line' || case when c ? 'close' then ' (no units left)' else ' (fewer units)' end, ', ')
               from jsonb_array_elements(v_changes) c),
            o2c.system_title(v_erp_sys), coalesce(v_then->>'document_key', v_order->>'number')));
    end if;
    return jsonb_build_object('outcome', 'lines', 'patch', jsonb_build_object('line_changes', v_changes));
end
$$;
