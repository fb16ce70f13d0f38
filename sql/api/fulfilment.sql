-- Fulfilment, ERP → storefront (tables: 0004 canonical_fulfilment(+_line), 0010
-- fulfilment_poll_cursor and storefront_shipment). Pipelines: workflows/netsuite_fulfilment_poll.sql
-- and workflows/fulfilment_to_storefront.sql.
--
--   o2c_action.fulfilment_cursor        poll round, first step: the cursor into the context
--   o2c_action.save_fulfilment_cursor   poll round, last step: the cursor moves on (never back)
--   o2c_action.map_fulfilment_storefront
--                                       a NetSuite item fulfilment → canonical fulfilment and the
--                                       storefront's shipment lines, through the order links
--   o2c_action.record_storefront_shipment
--                                       the shipment and its notification time, for the views
--   o2c.fulfilment_latency              per day: NetSuite fulfilment → shopper notified, p50/p95

-- The cursor the next poll round reads from: where the last round ended, else a day before the
-- first order o2c recorded (no fulfilment of ours is older), else a day ago.
create or replace function o2c_action.fulfilment_cursor(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
stable
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_erp    text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_cursor timestamptz;
begin
    select cursor into v_cursor from o2c.fulfilment_poll_cursor where erp_connection = v_erp;
    if v_cursor is null then
        select min(placed_at) - interval '1 day' into v_cursor from o2c.canonical_order;
    end if;
    v_cursor := coalesce(v_cursor, now() - interval '1 day');
    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object(
        'cursor', to_char(v_cursor at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS')));
end
$$;

-- Ends a round: the cursor moves to the newest fulfilment seen (greatest: an older round finishing
-- late never moves it back). With context repeat_ms the round loops (tests and the demo poll every
-- few hundred milliseconds; installations run one round per schedule tick).
create or replace function o2c_action.save_fulfilment_cursor(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_erp  text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_next timestamptz := (coalesce(p_context->>'next_cursor', p_context->>'cursor') || '+00')::timestamptz;
begin
    insert into o2c.fulfilment_poll_cursor as c (erp_connection, cursor, last_round_at, rounds)
    values (v_erp, v_next, now(), 1)
    on conflict (erp_connection) do update
       set cursor = greatest(c.cursor, excluded.cursor), last_round_at = now(), rounds = c.rounds + 1;
    if coalesce((p_context->>'repeat_ms')::int, 0) > 0 then
        return jsonb_build_object('outcome', 'again', 'delay_ms', (p_context->>'repeat_ms')::int);
    end if;
    return jsonb_build_object('outcome', 'ok');
end
$$;

-- A NetSuite item fulfilment (context.fulfilment, as GET itemFulfillment answers it) → the
-- canonical fulfilment and what the storefront needs for its shipment. The sales order it was
-- created from is found in o2c.erp_order by NetSuite's internal id, or by its external id once
-- the sales order was read (context.sales_order). Each fulfilment line names the sales-order line
-- (orderLine, its 1-based position) it shipped; o2c.erp_order_line says which canonical line that
-- is, and the canonical line knows the storefront's line id.
--   unknown_order  no link by internal id and the sales order not read yet: read it, come back
--   not_ours       a sales order o2c did not post (made in NetSuite by hand, another channel)
--   ok             patch: fulfilment_key, order_key, order_number, store, shipment_lines
--                  [{order_line_id, quantity}], carrier, service, tracking_number, shipped_at
--   failed         a line with no link (unmapped_erp_line, engineering), or an unreadable record
create or replace function o2c_action.map_fulfilment_storefront(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_erp       text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_f         jsonb := p_context->'fulfilment';
    v_so_id     text := coalesce(p_context#>>'{fulfilment,createdFrom,id}', p_context->>'sales_order_id');
    v_link      o2c.erp_order;
    v_order     o2c.canonical_order;
    v_key       text;
    v_lines     jsonb := '[]';
    v_missing   text[] := '{}';
    v_tracking  text;
    v_at        timestamptz;
    v_line      record;
begin
    if jsonb_typeof(v_f) is distinct from 'object' or jsonb_typeof(v_f#>'{item,items}') is distinct from 'array'
       or coalesce(v_f->>'id', '') = '' then
        return o2c.sql_action_failed('remote_data', 'high', 'engineering',
            format('The NetSuite item fulfilment in this workflow is unreadable: %s', left(coalesce(v_f::text, 'nothing'), 300)));
    end if;
    select * into v_link from o2c.erp_order
     where erp_connection = v_erp and (erp_order_id = v_so_id or external_id = p_context#>>'{sales_order,externalId}')
     limit 1;
    if v_link.order_key is null then
        if p_context ? 'sales_order' then
            return jsonb_build_object('outcome', 'not_ours', 'patch', jsonb_build_object(
                'sales_order_external_id', p_context#>>'{sales_order,externalId}'));
        end if;
        return jsonb_build_object('outcome', 'unknown_order', 'patch', jsonb_build_object('sales_order_id', v_so_id));
    end if;
    select * into v_order from o2c.canonical_order where order_key = v_link.order_key;

    v_key := v_erp || ':' || (v_f->>'id');
    for v_line in
        select n, (l->>'orderLine')::int as erp_line, (l->>'quantity')::numeric as quantity,
               ol.line_no, ol.sku, ol.storefront_line_id
          from jsonb_array_elements(v_f#>'{item,items}') with ordinality as x(l, n)
          left join o2c.erp_order_line el
                 on (el.order_key, el.erp_connection, el.erp_line) = (v_link.order_key, v_erp, (l->>'orderLine')::int)
          left join o2c.canonical_order_line ol on (ol.order_key, ol.line_no) = (el.order_key, el.order_line_no)
         where coalesce((l->>'quantity')::numeric, 0) > 0
         order by n
    loop
        if v_line.storefront_line_id is null then
            v_missing := v_missing || format('line %s', v_line.erp_line);
            continue;
        end if;
        v_lines := v_lines || jsonb_build_object('order_line_id', v_line.storefront_line_id::bigint,
                                                 'quantity', v_line.quantity, 'line_no', v_line.line_no,
                                                 'sku', v_line.sku);
    end loop;
    if cardinality(v_missing) > 0 then
        return o2c.sql_action_failed('unmapped_erp_line', 'high', 'engineering',
            format('NetSuite fulfilment %s of order %s ships sales-order %s, which o2c.erp_order_line does not link to a line of the order: insert into o2c.erp_order_line (order_key, erp_connection, erp_line, order_line_no) values (%L, %L, <line>, <canonical line_no>); then re-drive.',
                   v_f->>'id', v_order.number, array_to_string(v_missing, ', '), v_link.order_key, v_erp));
    end if;
    if jsonb_array_length(v_lines) = 0 then
        return o2c.sql_action_failed('remote_data', 'medium', 'ops',
            format('NetSuite fulfilment %s of order %s ships no units', v_f->>'id', v_order.number));
    end if;

    select string_agg(p->>'packageTrackingNumber', ', ' order by n) into v_tracking
      from jsonb_array_elements(coalesce(v_f#>'{package,items}', '[]')) with ordinality as x(p, n)
     where coalesce(p->>'packageTrackingNumber', '') <> '';
    v_at := coalesce(o2c.try_timestamptz(p_context->>'netsuite_at' || '+00'), now());

    -- The location it shipped from (the lines', NetSuite ships a fulfilment from one location).
    insert into o2c.canonical_fulfilment as f (fulfilment_key, order_key, erp_connection, erp_fulfilment_id, location,
                                               carrier, service, tracking_numbers, shipped_at)
    values (v_key, v_link.order_key, v_erp, v_f->>'id',
            coalesce(v_f#>>'{item,items,0,location,id}', v_f#>>'{location,id}'), v_f->>'shipCarrier',
            coalesce(v_f#>>'{shipMethod,refName}', v_f->>'shipMethod'),
            coalesce(string_to_array(v_tracking, ', '), '{}'), v_at)
    on conflict (fulfilment_key) do update
       set carrier = excluded.carrier, service = excluded.service, tracking_numbers = excluded.tracking_numbers,
           location = excluded.location, shipped_at = least(f.shipped_at, excluded.shipped_at);
    delete from o2c.canonical_fulfilment_line where fulfilment_key = v_key;
    insert into o2c.canonical_fulfilment_line (fulfilment_key, line_no, order_line_no, sku, quantity)
    select v_key, n::int, (l->>'line_no')::int, l->>'sku', (l->>'quantity')::numeric
      from jsonb_array_elements(v_lines) with ordinality as x(l, n);

    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object(
        'fulfilment_key', v_key,
        'order_key', v_link.order_key,
        'order_number', v_order.number,
        'store', v_order.store,
        'shipment_lines', (select jsonb_agg(jsonb_build_object('order_line_id', l->'order_line_id', 'quantity', l->'quantity'))
                             from jsonb_array_elements(v_lines) l),
        'carrier', v_f->>'shipCarrier',
        'service', coalesce(v_f#>>'{shipMethod,refName}', v_f->>'shipMethod'),
        'tracking_number', v_tracking,
        'shipped_at', to_char(v_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')));
end
$$;

-- The storefront shows the fulfilment: its shipment and when the shopper was told (the first
-- time wins; a re-run changes nothing).
create or replace function o2c_action.record_storefront_shipment(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_sf    text := coalesce(p_params->>'storefront_connection', 'centra');
    v_first boolean;
begin
    insert into o2c.storefront_shipment (fulfilment_key, storefront_connection, shipment_id, shipment_number, notified_at)
    values (p_context->>'fulfilment_key', v_sf,
            p_context->>'centra_shipment_id', p_context->>'centra_shipment_number',
            coalesce(o2c.try_timestamptz(p_context->>'notified_at'), now()))
    on conflict (fulfilment_key) do nothing
    returning true into v_first;
    -- The storefront takes the shipped units off its own stock when the shipment completes: what
    -- o2c believes it holds drops by them too (o2c.stock_shipped), once, so the stock flow does not
    -- take them off a second time whichever of the two happens first.
    if v_first then
        perform o2c.stock_shipped(v_sf, l.sku, wm.warehouse_id, sum(l.quantity))
           from o2c.canonical_fulfilment f
           join o2c.canonical_fulfilment_line l on l.fulfilment_key = f.fulfilment_key
           join o2c.warehouse_map wm on wm.erp_connection = f.erp_connection and wm.erp_location_id = f.location
                                    and wm.storefront_connection = v_sf
          where f.fulfilment_key = p_context->>'fulfilment_key' and l.sku is not null
          group by l.sku, wm.warehouse_id;
    end if;
    return jsonb_build_object('outcome', 'ok');
end
$$;

-- How long shoppers wait: per day (UTC) of the ERP fulfilment, how many fulfilments there were,
-- how many the storefront shows, and the time from the ERP's fulfilment to the storefront's
-- notification (seconds: median, 95th percentile, worst).
create or replace view o2c.fulfilment_latency as
select (f.shipped_at at time zone 'UTC')::date as day,
       f.erp_connection,
       count(*) as fulfilments,
       count(s.fulfilment_key) as notified,
       round(percentile_cont(0.5) within group (order by extract(epoch from s.notified_at - f.shipped_at))::numeric, 1) as p50_seconds,
       round(percentile_cont(0.95) within group (order by extract(epoch from s.notified_at - f.shipped_at))::numeric, 1) as p95_seconds,
       round(max(extract(epoch from s.notified_at - f.shipped_at))::numeric, 1) as max_seconds
  from o2c.canonical_fulfilment f
  left join o2c.storefront_shipment s using (fulfilment_key)
 group by 1, 2;

grant select on o2c.fulfilment_latency to o2c_analyst, o2c_admin;
