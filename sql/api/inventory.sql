-- Inventory: the stock formula, its SQL actions and the views ops read (migration 0009 explains
-- the formula and the as-of guard; workflows/inventory_sync.sql runs them).

-- Units of the storefront's own open orders the ERP has committed: posted to the ERP, neither
-- shipped nor cancelled, less what the storefront has shipped, at the location the order's
-- delivery country ships from (location_map). Centra deducts these itself: it holds them as
-- allocated until its own shipment completes, and only then takes them off its physical level.
-- So an ERP fulfilment counts here only once the storefront's shipment is recorded
-- (o2c.storefront_shipment), not when o2c mapped it: counted from the mapping, a stock round
-- between the mapping and the shipment would send a level already without those units, and
-- Centra would take them off a second time when the shipment completes.
create or replace view o2c.storefront_open_units as
select o.connection as storefront_connection, e.erp_connection, l.sku, lm.erp_location_id as location,
       sum(greatest(l.quantity - l.cancelled_quantity - coalesce(f.shipped, 0), 0)) as units
  from o2c.canonical_order o
  join o2c.erp_order e on e.order_key = o.order_key
  join o2c.canonical_order_line l on l.order_key = o.order_key and l.sku is not null
  join o2c.location_map lm on lm.storefront_connection = o.connection and lm.erp_connection = e.erp_connection
                          and lm.country = coalesce(o.shipping_address->>'country', o.billing_address->>'country')
  left join lateral (select sum(fl.quantity) as shipped
                       from o2c.canonical_fulfilment cf
                       join o2c.storefront_shipment ss on ss.fulfilment_key = cf.fulfilment_key
                       join o2c.canonical_fulfilment_line fl on fl.fulfilment_key = cf.fulfilment_key
                      where cf.order_key = o.order_key and cf.erp_connection = e.erp_connection
                        and fl.sku = l.sku) f on true
 where o.status not in ('shipped', 'cancelled')
 group by 1, 2, 3, 4;

-- A JSON array as it is; anything else (absent, JSON null: a context key cleared by a patch) as [].
create or replace function o2c.json_array_or_empty(p jsonb)
returns jsonb
language sql
immutable
as $$
    select case when jsonb_typeof(p) = 'array' then p else '[]'::jsonb end
$$;

-- The safety buffer of one SKU at one storefront warehouse: the most specific o2c.stock_buffer row.
create or replace function o2c.stock_buffer_for(p_storefront text, p_warehouse text, p_sku text)
returns numeric
language sql
stable
security definer
set search_path = o2c, pg_temp
as $$
    select coalesce((select b.buffer from o2c.stock_buffer b
                      where b.storefront_connection = p_storefront
                        and (b.warehouse_id is null or b.warehouse_id = p_warehouse)
                        and p_sku like b.sku_pattern
                      order by b.warehouse_id is not null desc, length(replace(b.sku_pattern, '%', '')) desc, b.id
                      limit 1), 0)
$$;

-- The formula, per SKU × storefront warehouse, with what o2c last sent there.
-- The open units are summed once per query, then joined: left to itself the planner joined the
-- aggregate to each target in a nested loop and summed every open order line again for every
-- target (584 targets × one open order of 10,000 lines: 1.5 s for each inventory round, in
-- `make bench` after its big-order section; 20 ms summed once).
create or replace view o2c.stock_targets as
with ou as materialized (select * from o2c.storefront_open_units)
select wm.storefront_connection, s.erp_connection, s.sku, wm.warehouse_id, s.location,
       s.on_hand, s.committed_total,
       coalesce(ou.units, 0) as storefront_committed,
       greatest(s.committed_total - coalesce(ou.units, 0), 0) as other_committed,
       o2c.stock_buffer_for(wm.storefront_connection, wm.warehouse_id, s.sku) as buffer,
       -- An item the ERP deactivated sells no more, whatever is on the shelf (the item master
       -- records it, sql/api/item_master.sql): one size out of the range, the others sell on.
       case when exists (select from o2c.canonical_item ci
                          where ci.erp_connection = s.erp_connection and ci.sku = s.sku and not ci.active) then 0
            else greatest(s.on_hand - greatest(s.committed_total - coalesce(ou.units, 0), 0)
                          - o2c.stock_buffer_for(wm.storefront_connection, wm.warehouse_id, s.sku), 0) end as target,
       s.as_of, s.read_at,
       ss.quantity as sent_quantity, ss.as_of as sent_as_of, ss.sent_at, ss.recheck_after
  from o2c.canonical_stock_level s
  join o2c.warehouse_map wm on wm.erp_connection = s.erp_connection and wm.erp_location_id = s.location
  left join ou on (ou.storefront_connection, ou.erp_connection, ou.sku, ou.location)
                 = (wm.storefront_connection, s.erp_connection, s.sku, s.location)
  left join o2c.stock_sent ss on (ss.storefront_connection, ss.sku, ss.warehouse_id)
                               = (wm.storefront_connection, s.sku, wm.warehouse_id);

-- sql.stock_record: records the ERP levels the read step put in context.levels
-- ([{item, location, on_hand, committed, as_of}], read at context.read_at), never replacing a
-- newer reading, and answers what to send: the SKU × warehouse pairs whose formula differs from
-- what the storefront was last sent, recently sold SKUs first, at most params.max_levels
-- (default 500) in setStock inputs of at most params.per_mutation (default 200) sizes each.
-- Outcome "push" with context.push (the setStock inputs) and context.pushed (the levels, for
-- sql.stock_confirm), or "idle" with nothing to send.
create or replace function o2c_action.stock_record(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_sf      text := coalesce(p_params->>'storefront_connection', 'centra');
    v_erp     text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_max     int := coalesce((p_params->>'max_levels')::int, 500);
    v_per     int := coalesce((p_params->>'per_mutation')::int, 200);
    v_read_at timestamptz := coalesce((p_context->>'read_at')::timestamptz, now());
    v_unknown text;
    v_push    jsonb;
    v_pushed  jsonb;
    v_cursor  text;
begin
    if p_context ? 'levels' and jsonb_typeof(p_context->'levels') not in ('array', 'null') then
        return o2c.sql_action_failed('workflow_error', null, null, 'context.levels is not an array of stock levels');
    end if;
    -- An ERP item o2c cannot name is an ops problem, not a reason to hold every other level back.
    select string_agg(distinct l->>'item', ', ') into v_unknown
      from jsonb_array_elements(o2c.json_array_or_empty(p_context->'levels')) l
     where not exists (select from o2c.sku_map m where m.erp_connection = v_erp and m.erp_item_id = l->>'item'
                                                   and m.storefront_connection = v_sf)
       and not exists (select from o2c.canonical_item ci where ci.erp_connection = v_erp and ci.erp_item_id = l->>'item');

    insert into o2c.canonical_stock_level as c (erp_connection, sku, location, on_hand, committed, available,
                                                as_of, committed_total, read_at)
    select distinct on (sku, location) v_erp, sku, location, on_hand, committed, on_hand - committed, as_of, committed, v_read_at
      from (select coalesce((select ci.sku from o2c.canonical_item ci
                              where ci.erp_connection = v_erp and ci.erp_item_id = l->>'item' limit 1),
                            (select m.sku from o2c.sku_map m
                              where m.erp_connection = v_erp and m.erp_item_id = l->>'item'
                                and m.storefront_connection = v_sf order by m.sku limit 1)) as sku,
                   l->>'location' as location,
                   (l->>'on_hand')::numeric as on_hand,
                   coalesce((l->>'committed')::numeric, 0) as committed,
                   ((l->>'as_of') || '+00')::timestamptz as as_of
              from jsonb_array_elements(o2c.json_array_or_empty(p_context->'levels')) l) r
     where sku is not null
     order by sku, location, as_of desc
    on conflict (erp_connection, sku, location) do update
       set on_hand = excluded.on_hand, committed = excluded.committed, available = excluded.available,
           as_of = excluded.as_of, committed_total = excluded.committed_total, read_at = excluded.read_at
     where (excluded.as_of, excluded.read_at) >= (c.as_of, c.read_at);

    -- other_committed (canonical meaning) as of now, for readers of the canonical record.
    update o2c.canonical_stock_level c
       set committed = t.other_committed, available = c.on_hand - t.other_committed
      from o2c.stock_targets t
     where t.erp_connection = v_erp and t.storefront_connection = v_sf
       and (c.erp_connection, c.sku, c.location) = (t.erp_connection, t.sku, t.location)
       and c.committed is distinct from t.other_committed;

    select max(l->>'as_of') into v_cursor from jsonb_array_elements(o2c.json_array_or_empty(p_context->'levels')) l;
    if coalesce((p_params->>'record_only')::boolean, false) then  -- a drift check's full read
        return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object('levels', null, 'unknown_items', v_unknown),
                                  'detail', jsonb_build_object('levels_read',
                                      jsonb_array_length(o2c.json_array_or_empty(p_context->'levels'))));
    end if;

    -- Lines sold per SKU in the last day, counted once for the round (per level to send, with
    -- no index on a line's SKU, each count read every order line).
    with sold as materialized (
        select ol.sku, count(*) as n
          from o2c.canonical_order o
          join o2c.canonical_order_line ol on ol.order_key = o.order_key
         where o.connection = v_sf and o.placed_at > now() - interval '1 day'
         group by ol.sku
    ), due as (
        select t.sku, t.warehouse_id, t.target, t.as_of, t.read_at, si.variant_id, si.size_name
          from o2c.stock_targets t
          join o2c.storefront_item si on (si.storefront_connection, si.sku) = (t.storefront_connection, t.sku)
          left join sold on sold.sku = t.sku
         where t.storefront_connection = v_sf and t.erp_connection = v_erp
           and (t.target is distinct from t.sent_quantity or t.as_of >= t.recheck_after)
         order by coalesce(sold.n, 0) desc, t.sku, t.warehouse_id
         limit v_max
    ), numbered as (
        select d.*, (row_number() over (partition by d.warehouse_id order by d.variant_id, d.size_name) - 1) / v_per as chunk
          from due d
    ), variants as (
        select warehouse_id, chunk, variant_id,
               jsonb_agg(jsonb_build_object('size', jsonb_build_object('name', size_name), 'quantity', target)
                         order by size_name) as sizes
          from numbered group by 1, 2, 3
    ), inputs as (
        select warehouse_id, chunk,
               jsonb_build_object('warehouse', jsonb_build_object('id', warehouse_id::int),
                                  'stockQuantityType', 'PHYSICAL',
                                  'productVariants', jsonb_agg(jsonb_build_object(
                                      'productVariant', jsonb_build_object('id', variant_id::int),
                                      'sizeStockLevels', sizes) order by variant_id)) as input
          from variants group by 1, 2
    )
    select (select jsonb_agg(input order by warehouse_id, chunk) from inputs),
           (select jsonb_agg(jsonb_build_object('sku', sku, 'warehouse', warehouse_id, 'quantity', target,
                                                'as_of', as_of, 'read_at', read_at)) from due)
      into v_push, v_pushed;

    return jsonb_build_object(
        'outcome', case when v_push is null then 'idle' else 'push' end,
        'patch', jsonb_build_object('levels', null, 'push', v_push, 'pushed', v_pushed,
                                    'cursor', coalesce(v_cursor, p_context->>'cursor'),
                                    'unknown_items', v_unknown),
        'detail', jsonb_build_object('levels_read', jsonb_array_length(o2c.json_array_or_empty(p_context->'levels')),
                                     'levels_to_send', coalesce(jsonb_array_length(v_pushed), 0)));
end
$$;

-- sql.stock_confirm: the storefront took context.pushed. Records each level as sent (never over a
-- newer one), stamps the warehouses' last good sync, and waits params.poll_interval_ms (context
-- poll_interval_ms first; default 5000) before the next round. Also the "idle" round's step: a
-- round that found nothing to send is a good sync too.
create or replace function o2c_action.stock_confirm(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_sf   text := coalesce(p_params->>'storefront_connection', 'centra');
    v_erp  text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_wait int := coalesce((p_context->>'poll_interval_ms')::int, (p_params->>'poll_interval_ms')::int, 5000);
begin
    insert into o2c.stock_sent as s (storefront_connection, erp_connection, sku, warehouse_id, quantity, as_of, read_at)
    select v_sf, v_erp, p->>'sku', p->>'warehouse', (p->>'quantity')::numeric,
           (p->>'as_of')::timestamptz, (p->>'read_at')::timestamptz
      from jsonb_array_elements(o2c.json_array_or_empty(p_context->'pushed')) p
    on conflict (storefront_connection, sku, warehouse_id) do update
       set quantity = excluded.quantity, as_of = excluded.as_of, read_at = excluded.read_at, sent_at = now(),
           erp_connection = excluded.erp_connection,
           recheck_after = case when excluded.as_of >= s.recheck_after then null else s.recheck_after end
     where (excluded.as_of, excluded.read_at) >= (s.as_of, s.read_at);

    insert into o2c.stock_sync as y (storefront_connection, warehouse_id, last_good_at, levels_sent)
    select v_sf, wm.warehouse_id, now(),
           (select count(*) from jsonb_array_elements(o2c.json_array_or_empty(p_context->'pushed')) p
             where p->>'warehouse' = wm.warehouse_id)
      from (select distinct warehouse_id from o2c.warehouse_map
             where storefront_connection = v_sf and erp_connection = v_erp) wm
    on conflict (storefront_connection, warehouse_id) do update
       set last_good_at = excluded.last_good_at, levels_sent = y.levels_sent + excluded.levels_sent;

    return jsonb_build_object('outcome', 'ok', 'delay_ms', v_wait,
                              'patch', jsonb_build_object('push', null, 'pushed', null));
end
$$;

-- sql.stock_drift_plan: the storefront warehouses a drift check reads (context.warehouses).
create or replace function o2c_action.stock_drift_plan(p_context jsonb, p_params jsonb)
returns jsonb
language sql
stable
security definer
set search_path = o2c, pg_temp
as $$
    select jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object('warehouses',
               coalesce((select jsonb_agg(distinct warehouse_id) from o2c.warehouse_map
                          where storefront_connection = coalesce(p_params->>'storefront_connection', 'centra')
                            and erp_connection = coalesce(p_params->>'erp_connection', 'netsuite')), '[]'::jsonb)))
$$;

-- sql.stock_observe: records the storefront levels a drift check read (context.observed:
-- [{sku, warehouse, quantity}]) as of context.observed_at.
create or replace function o2c_action.stock_observe(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_sf text := coalesce(p_params->>'storefront_connection', 'centra');
    v_n  bigint;
begin
    insert into o2c.stock_observed as s (storefront_connection, sku, warehouse_id, quantity, observed_at)
    select v_sf, o->>'sku', o->>'warehouse', (o->>'quantity')::numeric,
           coalesce((p_context->>'observed_at')::timestamptz, now())
      from jsonb_array_elements(o2c.json_array_or_empty(p_context->'observed')) o
    on conflict (storefront_connection, sku, warehouse_id) do update
       set quantity = excluded.quantity, observed_at = excluded.observed_at
     where excluded.observed_at >= s.observed_at;
    get diagnostics v_n = row_count;
    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object('observed', null, 'compared', v_n));
end
$$;

-- Every SKU × warehouse whose storefront level (as the last drift check read it) differs from the
-- formula, with how far and for how long, the owner, and the SQL that pushes a correction: it
-- forgets what o2c believes it sent, so the next inventory_sync round sends the formula's level.
create or replace view o2c.inventory_drift as
select t.storefront_connection, t.sku, t.warehouse_id, t.location as erp_location,
       t.target as expected, ob.quantity as storefront_level,
       ob.quantity - t.target as difference,
       abs(ob.quantity - t.target) as size,
       date_trunc('second', now() - least(ob.observed_at, coalesce(t.sent_at, ob.observed_at))) as age,
       ob.observed_at,
       'ops'::text as owner,
       format('delete from o2c.stock_sent where storefront_connection = %L and sku = %L and warehouse_id = %L;',
              t.storefront_connection, t.sku, t.warehouse_id) as fix_sql
  from o2c.stock_targets t
  join o2c.stock_observed ob on (ob.storefront_connection, ob.sku, ob.warehouse_id)
                              = (t.storefront_connection, t.sku, t.warehouse_id)
 where ob.quantity <> t.target
   -- a level sent after the check read the storefront explains the difference: not drift
   and (t.sent_at is null or t.sent_at <= ob.observed_at);

grant select on o2c.storefront_open_units, o2c.stock_targets, o2c.inventory_drift to o2c_analyst, o2c_admin;

-- Centra deducts its own shipped units itself (its guide: no stock update after an order it sold
-- ships). When o2c completes a Centra shipment, what o2c believes Centra holds drops by the units
-- shipped, so the next round does not take them off a second time; and since an absolute level
-- o2c sent may have landed after the deduction and undone it, the formula's level is sent again
-- once the ERP's reading reflects the shipment (as of p_shipped_at or later: stock_record, migration
-- 0023). For the fulfilment flow to call in the SQL action that records the completed shipment.
drop function if exists o2c.stock_shipped(text, text, text, numeric);
create or replace function o2c.stock_shipped(p_storefront text, p_sku text, p_warehouse text, p_units numeric,
                                             p_shipped_at timestamptz)
returns void
language sql
security definer
set search_path = o2c, pg_temp
as $$
    update o2c.stock_sent set quantity = greatest(quantity - p_units, 0),
                              recheck_after = greatest(recheck_after, p_shipped_at)
     where storefront_connection = p_storefront and sku = p_sku and warehouse_id = p_warehouse
$$;
grant execute on function o2c.stock_shipped(text, text, text, numeric, timestamptz) to o2c_runner, o2c_admin;
