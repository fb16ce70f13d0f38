-- Fulfilment, ERP → storefront (tables: 0004 canonical_fulfilment(+_line), 0010
-- fulfilment_poll_cursor and storefront_shipment). Pipelines: workflows/netsuite_fulfilment_poll.sql
-- (sage200_despatch_poll.sql for Sage 200) and workflows/fulfilment_to_storefront.sql.
--
--   o2c_action.fulfilment_cursor        poll round, first step: the cursor into the context
--   o2c_action.save_fulfilment_cursor   poll round, last step: the cursor moves on (never back)
--   o2c_action.fulfilment_source        which ERP's document a fulfilment_to_storefront reads
--   o2c_action.map_fulfilment_storefront
--                                       a NetSuite item fulfilment → canonical fulfilment and the
--                                       storefront's shipment lines, through the order links
--   o2c_action.map_despatch_storefront  the same for a Sage 200 despatch
--   o2c.record_erp_fulfilment           what both share: ERP lines → canonical fulfilment + patch
--   o2c_action.record_storefront_shipment
--                                       the shipment and its notification time, for the views
--   o2c.fulfilment_latency              per day: NetSuite fulfilment → shopper notified, p50/p95

-- The cursor the next poll round reads from: where the last round ended, else a day before the
-- first order o2c recorded (no fulfilment of ours is older), else a day ago; and cursor_id, the
-- newest document id an id-ordered poller (Sage 200's despatches) started a workflow for, else 0.
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
    v_last   bigint;
begin
    select cursor, last_id into v_cursor, v_last from o2c.fulfilment_poll_cursor where erp_connection = v_erp;
    if v_cursor is null then
        select min(placed_at) - interval '1 day' into v_cursor from o2c.canonical_order;
    end if;
    v_cursor := coalesce(v_cursor, now() - interval '1 day');
    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object(
        'cursor', to_char(v_cursor at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
        'cursor_id', coalesce(v_last, 0)::text));
end
$$;

-- Ends a round: the cursor moves to the newest fulfilment seen, by time (next_cursor) or by id
-- (next_cursor_id) (greatest: an older round finishing late never moves it back). With context repeat_ms the round loops (tests and the demo poll every
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
    v_id   bigint := (p_context->>'next_cursor_id')::bigint;
begin
    insert into o2c.fulfilment_poll_cursor as c (erp_connection, cursor, last_id, last_round_at, rounds)
    values (v_erp, v_next, v_id, now(), 1)
    on conflict (erp_connection) do update
       set cursor = greatest(c.cursor, excluded.cursor), last_id = greatest(c.last_id, excluded.last_id),
           last_round_at = now(), rounds = c.rounds + 1;
    if coalesce((p_context->>'repeat_ms')::int, 0) > 0 then
        return jsonb_build_object('outcome', 'again', 'delay_ms', (p_context->>'repeat_ms')::int);
    end if;
    return jsonb_build_object('outcome', 'ok');
end
$$;

-- An ERP's fulfilment of an order o2c posted → the canonical fulfilment and what the storefront
-- needs for its shipment; shared by every ERP's map step (NetSuite's item fulfilment, Sage 200's
-- despatch), so the ship and record states that follow are one for all ERPs. p_lines
-- [{erp_line, quantity}]: the ERP order line (its 1-based position, as o2c.erp_order_line keeps
-- it) and the units it shipped; o2c.erp_order_line says which canonical line that is, and the
-- canonical line knows the storefront's line id. p_what names the ERP document in messages.
--   ok      patch: fulfilment_key, order_key, order_number, store, shipment_lines
--           [{order_line_id, quantity}], carrier, service, tracking_number, shipped_at
--   failed  a line with no link (unmapped_erp_line, engineering), no units, a part of a unit
create or replace function o2c.record_erp_fulfilment(p_erp text, p_order_key text, p_what text, p_erp_fulfilment_id text,
                                                     p_lines jsonb, p_carrier text, p_service text, p_tracking text[],
                                                     p_location text, p_shipped_at timestamptz)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_order    o2c.canonical_order;
    v_key      text := p_erp || ':' || p_erp_fulfilment_id;
    v_lines    jsonb := '[]';
    v_missing  text[] := '{}';
    v_tracking text := nullif(array_to_string(p_tracking, ', '), '');
    v_line     record;
begin
    select * into v_order from o2c.canonical_order where order_key = p_order_key;
    for v_line in
        select n, (l->>'erp_line')::int as erp_line, (l->>'quantity')::numeric as quantity,
               ol.line_no, ol.sku, ol.storefront_line_id
          from jsonb_array_elements(p_lines) with ordinality as x(l, n)
          left join o2c.erp_order_line el
                 on (el.order_key, el.erp_connection, el.erp_line) = (p_order_key, p_erp, (l->>'erp_line')::int)
          left join o2c.canonical_order_line ol on (ol.order_key, ol.line_no) = (el.order_key, el.order_line_no)
         where coalesce((l->>'quantity')::numeric, 0) > 0
         order by n
    loop
        if v_line.storefront_line_id is null then
            v_missing := v_missing || format('line %s', v_line.erp_line);
            continue;
        end if;
        if v_line.quantity <> trunc(v_line.quantity) then
            return o2c.sql_action_failed('remote_data', 'medium', 'ops',
                format('%s of order %s ships %s units of line %s: the storefront ships whole units', p_what, v_order.number,
                       v_line.quantity, v_line.erp_line));
        end if;
        v_lines := v_lines || jsonb_build_object('order_line_id', v_line.storefront_line_id::bigint,
                                                 'quantity', trunc(v_line.quantity), 'line_no', v_line.line_no,
                                                 'sku', v_line.sku);
    end loop;
    if cardinality(v_missing) > 0 then
        return o2c.sql_action_failed('unmapped_erp_line', 'high', 'engineering',
            format('%s of order %s ships sales-order %s, which o2c.erp_order_line does not link to a line of the order: insert into o2c.erp_order_line (order_key, erp_connection, erp_line, order_line_no) values (%L, %L, <line>, <canonical line_no>); then re-drive.',
                   p_what, v_order.number, array_to_string(v_missing, ', '), p_order_key, p_erp));
    end if;
    if jsonb_array_length(v_lines) = 0 then
        return o2c.sql_action_failed('remote_data', 'medium', 'ops',
            format('%s of order %s ships no units', p_what, v_order.number));
    end if;

    insert into o2c.canonical_fulfilment as f (fulfilment_key, order_key, erp_connection, erp_fulfilment_id, location,
                                               carrier, service, tracking_numbers, shipped_at)
    values (v_key, p_order_key, p_erp, p_erp_fulfilment_id, p_location, p_carrier, p_service,
            coalesce(p_tracking, '{}'), p_shipped_at)
    on conflict (fulfilment_key) do update
       set carrier = excluded.carrier, service = excluded.service, tracking_numbers = excluded.tracking_numbers,
           location = excluded.location, shipped_at = least(f.shipped_at, excluded.shipped_at);
    delete from o2c.canonical_fulfilment_line where fulfilment_key = v_key;
    insert into o2c.canonical_fulfilment_line (fulfilment_key, line_no, order_line_no, sku, quantity)
    select v_key, n::int, (l->>'line_no')::int, l->>'sku', (l->>'quantity')::numeric
      from jsonb_array_elements(v_lines) with ordinality as x(l, n);

    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object(
        'fulfilment_key', v_key,
        'order_key', p_order_key,
        'order_number', v_order.number,
        'store', v_order.store,
        'shipment_lines', (select jsonb_agg(jsonb_build_object('order_line_id', l->'order_line_id', 'quantity', l->'quantity'))
                             from jsonb_array_elements(v_lines) l),
        'carrier', p_carrier,
        'service', p_service,
        'tracking_number', v_tracking,
        'shipped_at', to_char(p_shipped_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')));
end
$$;

-- Which ERP a fulfilment_to_storefront came from (context.erp, NetSuite when absent): the first
-- state's outcome, so each ERP reads and maps its own document and the states after are shared.
create or replace function o2c_action.fulfilment_source(p_context jsonb, p_params jsonb)
returns jsonb
language sql
immutable
security definer
set search_path = o2c, pg_temp
as $$
    select jsonb_build_object('outcome', coalesce(p_context->>'erp', 'netsuite'))
$$;

-- A NetSuite item fulfilment (context.fulfilment, as GET itemFulfillment answers it) → the
-- canonical fulfilment (o2c.record_erp_fulfilment). The sales order it was created from is found
-- in o2c.erp_order by NetSuite's internal id, or by its external id once the sales order was read
-- (context.sales_order). Each fulfilment line names the sales-order line (orderLine, its 1-based
-- position) it shipped.
--   unknown_order  no link by internal id and the sales order not read yet: read it, come back
--   not_ours       a sales order o2c did not post (made in NetSuite by hand, another channel)
--   ok / failed    as o2c.record_erp_fulfilment answers, or an unreadable record
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
    -- The location it shipped from (the lines', NetSuite ships a fulfilment from one location).
    return o2c.record_erp_fulfilment(v_erp, v_link.order_key, format('NetSuite fulfilment %s', v_f->>'id'), v_f->>'id',
        (select coalesce(jsonb_agg(jsonb_build_object('erp_line', (l->>'orderLine')::int, 'quantity', l->'quantity') order by n), '[]')
           from jsonb_array_elements(v_f#>'{item,items}') with ordinality as x(l, n)),
        v_f->>'shipCarrier', coalesce(v_f#>>'{shipMethod,refName}', v_f->>'shipMethod'),
        (select array_agg(p->>'packageTrackingNumber' order by n)
           from jsonb_array_elements(coalesce(v_f#>'{package,items}', '[]')) with ordinality as x(p, n)
          where coalesce(p->>'packageTrackingNumber', '') <> ''),
        coalesce(v_f#>>'{item,items,0,location,id}', v_f#>>'{location,id}'),
        coalesce(o2c.try_timestamptz(p_context->>'netsuite_at' || '+00'), now()));
end
$$;

-- A Sage 200 despatch (context.despatch: the sop_order_despatch_view row with its "lines", the
-- sop_order_despatch_line_view rows, as sage200.read_despatch reads them) → the canonical
-- fulfilment (o2c.record_erp_fulfilment). The sales order is found in o2c.erp_order by Sage's id
-- or by its customer_document_no (the storefront's order number); each line names the order line
-- it despatched by its print sequence number (its position, as o2c.erp_order_line keeps it).
-- Carrier: the courier; tracking: the consignment number; from the lines' warehouse.
--   not_ours       a sales order o2c did not post (keyed in Sage 200 by hand, another channel)
--   ok / failed    as o2c.record_erp_fulfilment answers, or an unreadable despatch
create or replace function o2c_action.map_despatch_storefront(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_erp  text := coalesce(p_params->>'erp_connection', 'sage200');
    v_d    jsonb := p_context->'despatch';
    v_link o2c.erp_order;
begin
    if jsonb_typeof(v_d) is distinct from 'object' or jsonb_typeof(v_d->'lines') is distinct from 'array'
       or coalesce(v_d->>'sop_despatch_id', '') = '' then
        return o2c.sql_action_failed('remote_data', 'high', 'engineering',
            format('The Sage 200 despatch in this workflow is unreadable: %s', left(coalesce(v_d::text, 'nothing'), 300)));
    end if;
    select * into v_link from o2c.erp_order
     where erp_connection = v_erp
       and (erp_order_id = v_d->>'sop_order_id' or external_id = v_d->>'sop_order_customer_document_no')
     order by erp_order_id = v_d->>'sop_order_id' desc
     limit 1;
    if v_link.order_key is null then
        return jsonb_build_object('outcome', 'not_ours', 'patch', jsonb_build_object(
            'sales_order_external_id', v_d->>'sop_order_customer_document_no'));
    end if;
    return o2c.record_erp_fulfilment(v_erp, v_link.order_key, format('Sage 200 despatch %s', v_d->>'sop_despatch_document_no'),
        v_d->>'sop_despatch_id',
        (select coalesce(jsonb_agg(jsonb_build_object('erp_line', (l->>'sop_order_line_print_sequence_number')::int,
                                                      'quantity', l->'sop_despatch_line_quantity') order by n), '[]')
           from jsonb_array_elements(v_d->'lines') with ordinality as x(l, n)),
        nullif(v_d->>'sop_despatch_courier_name', ''), null,
        array_remove(array[nullif(v_d->>'sop_despatch_consignment_no', '')], null),
        v_d#>>'{lines,0,warehouse_id}',
        coalesce(o2c.try_timestamptz(v_d->>'sop_despatch_date'), now()));
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
    -- o2c believes it holds drops by them too, and the formula's level is sent again once the
    -- ERP's reading reflects the fulfilment (o2c.stock_shipped), whichever landed last in the
    -- storefront, an absolute level o2c sent or the deduction.
    if v_first then
        perform o2c.stock_shipped(v_sf, l.sku, wm.warehouse_id, sum(l.quantity), min(f.shipped_at))
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
