-- What a cancellation changes in the ERP once the order is posted (workflows/order_cancellation.sql).
--
-- sql.plan_order_cancellation compares the order as posted (o2c.canonical_order_line, recorded by
-- map, and o2c.erp_order_line: which ERP line holds which) with the order as the storefront has it
-- now (context order, the snapshot the cancellation was started with). Params:
-- storefront_connection (default 'centra'), erp_connection (default 'netsuite'). Answers:
--   whole    the order is cancelled (o2c.order_cancellation_decision): close every line
--   lines    some lines have no units left: patch close_lines, their ERP line numbers; the
--            others stay open (cancelling one line never closes the order)
--   nothing  every posted line still has all its units (the units cancelled were never posted:
--            map posts the units left)
--   failed   partial_cancellation (ops): a line lost some of its units but not all, or a line
--            with a share of a discount lost all its units; closing lines cannot say that, so
--            nothing is changed and ops is told which lines and how many units
create or replace function o2c_action.plan_order_cancellation(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
stable
set search_path = o2c, pg_temp
as $$
declare
    v_sf     text := coalesce(p_params->>'storefront_connection', 'centra');
    v_erp    text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_store  text := coalesce(p_context->>'store', '1');
    v_order  jsonb := p_context->'order';
    v_key    text := o2c.order_key(o2c.connection_system(v_sf), v_store, v_order->>'number');
    v_half   jsonb;
    v_close  jsonb;
    v_hands  text;
    v_update jsonb;
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
    execute format('select o2c.%I_order_to_canonical($1, $2, $3)', o2c.connection_system(v_sf))
       into v_half using v_order, v_sf, v_store;
    if v_half ? 'problems' then
        return o2c.sql_action_failed(v_half#>>'{problems,0,category}', null, null,
            (select string_agg(p->>'message', ' ') from jsonb_array_elements(v_half->'problems') p));
    end if;

    with now_lines as (
        select n->>'storefront_line_id' as id, (n->>'quantity')::numeric as units
          from jsonb_array_elements(v_half#>'{record,lines}') n
         where n->>'kind' = 'product'
    ), compared as (
        select p.line_no, p.sku, p.quantity as posted, coalesce(n.units, 0) as left_now,
               p.discount_net <> 0 or p.discount_tax <> 0 as discounted, e.erp_line
          from o2c.canonical_order_line p
          left join now_lines n on n.id = p.storefront_line_id
          left join o2c.erp_order_line e
                 on e.order_key = p.order_key and e.erp_connection = v_erp and e.order_line_no = p.line_no
         where p.order_key = v_key and p.kind = 'product' and p.quantity > 0
    )
    select jsonb_agg(erp_line order by erp_line) filter (where left_now = 0 and not discounted and erp_line is not null),
           string_agg(format('line %s (%s): %s of %s units cancelled%s', coalesce(erp_line::text, '?'), sku,
                             posted - left_now, posted,
                             case when left_now = 0 then ', with a share of the discount' else '' end), '; '
                      order by line_no)
               filter (where left_now < posted and (left_now > 0 or discounted or erp_line is null))
      into v_close, v_hands
      from compared;

    if v_hands is not null then
        return o2c.sql_action_failed('partial_cancellation', null, null, format(
            'Order %s was partly cancelled in the store after it was posted (%s). Closing lines cannot '
            'say this, so nothing was changed in the ERP: change the sales order %s by hand (units, '
            'amounts and its discount line), then cancel this workflow.',
            v_order->>'number', v_hands, o2c.erp_external_id('order', o2c.connection_system(v_sf), v_store, v_order->>'number')));
    end if;
    if v_close is null then
        return jsonb_build_object('outcome', 'nothing');
    end if;
    return jsonb_build_object('outcome', 'lines', 'patch', jsonb_build_object('close_lines', v_close));
end
$$;
