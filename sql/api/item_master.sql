-- The item master, ERP → storefront (workflows/item_master.sql): NetSuite items become canonical
-- items (docs/MODEL.md), and each canonical item what the storefront should show for it.
--
-- NetSuite → canonical: SKU = itemid, name = displayname, active = not isinactive, prices from
-- the pricing matrix's base level per currency (currency_map gives the ISO code). The storefront
-- product and size come from the brand's custom item fields custitem_o2c_product and
-- custitem_o2c_size, else from the SKU's own convention: product number, '-', size
-- ("NDT-TEE-012-M" is product NDT-TEE-012 in size M). A size may hold a '-' itself (socks in
-- "44-46"): the size is then the longest '-'-separated tail of the SKU that the item's name ends
-- with ("Wool Socks 001 Black 44-46"), else the SKU's last part.

create or replace function o2c.netsuite_item_to_canonical(p_item jsonb, p_prices jsonb, p_erp_connection text)
returns jsonb
language plpgsql
stable
set search_path = o2c, pg_temp
as $$
declare
    v_sku     text := nullif(btrim(p_item->>'itemid'), '');
    v_product text := nullif(btrim(p_item->>'custitem_o2c_product'), '');
    v_size    text := nullif(btrim(p_item->>'custitem_o2c_size'), '');
    v_prices  jsonb;
    v_unknown text;
begin
    if v_sku is null or coalesce(p_item->>'id', '') = '' then
        return jsonb_build_object('problems', jsonb_build_array(jsonb_build_object('category', 'remote_data',
            'message', format('A NetSuite item row lacks its id or itemid: %s', left(p_item::text, 300)))));
    end if;
    if v_product is null and v_size is null and v_sku ~ '^.+-[^-]+$' then
        select t.tail into v_size
          from regexp_split_to_table(v_sku, '-') with ordinality as part(piece, n),
               lateral (select array_to_string((regexp_split_to_array(v_sku, '-'))[part.n:], '-') as tail) t
         where part.n > 1
           and right(lower(coalesce(p_item->>'displayname', '')), length(t.tail) + 1) = ' ' || lower(t.tail)
         order by part.n
         limit 1;
        v_size := coalesce(v_size, substring(v_sku from '-([^-]+)$'));
        v_product := left(v_sku, length(v_sku) - length(v_size) - 1);
    end if;
    if v_product is null or v_size is null then
        return jsonb_build_object('problems', jsonb_build_array(jsonb_build_object('category', 'item_unsellable',
            'message', format('NetSuite item %s (id %s) does not say which storefront product and size it is: set its '
                              'fields custitem_o2c_product and custitem_o2c_size in NetSuite (or give it a SKU of the form '
                              'PRODUCT-SIZE), then re-drive.', v_sku, p_item->>'id'))));
    end if;
    select coalesce(jsonb_agg(jsonb_build_object('currency', m.currency, 'price', (pr->>'unitprice')::numeric)
                                  order by m.currency) filter (where m.currency is not null), '[]')
      into v_prices
      from jsonb_array_elements(coalesce(p_prices, '[]')) pr
      left join o2c.currency_map m on m.erp_connection = p_erp_connection and m.erp_currency_id = pr->>'currency';
    select string_agg(distinct pr->>'currency', ', ') into v_unknown
      from jsonb_array_elements(coalesce(p_prices, '[]')) pr
     where not exists (select from o2c.currency_map m
                        where m.erp_connection = p_erp_connection and m.erp_currency_id = pr->>'currency');
    if v_unknown is not null then
        return jsonb_build_object('problems', jsonb_build_array(jsonb_build_object('category', 'unmapped_currency',
            'message', format('NetSuite item %s has prices in NetSuite currencies o2c cannot name (%s): insert into '
                              'o2c.currency_map (erp_connection, currency, erp_currency_id, minor_digits) values (%L, '
                              '''<ISO code>'', ''<NetSuite currency id>'', 2); then re-drive.', v_sku, v_unknown,
                              p_erp_connection))));
    end if;
    return jsonb_build_object('record', jsonb_build_object(
        'erp_connection', p_erp_connection,
        'sku', v_sku,
        'erp_item_id', p_item->>'id',
        'name', coalesce(nullif(btrim(p_item->>'displayname'), ''), v_sku),
        'active', coalesce(p_item->>'isinactive', 'F') <> 'T',
        'modified_at', (p_item->>'modified')::timestamp at time zone 'UTC',
        'product_number', v_product,
        'size_name', v_size,
        'prices', v_prices));
end
$$;

-- The `map` state of item_to_storefront. Context: item (NetSuite's row, as netsuite.read_items
-- read it), prices (netsuite.read_item_prices). Params: storefront_connection (default 'centra'),
-- erp_connection (default 'netsuite'). Records the canonical item, then answers:
--   ok         patch storefront_item: what the storefront should show — sku, product_number,
--              size_name, product_name (the item's name without its size), active (the product
--              sells while any of its items is active), prices [{pricelist_id, currency, amount}]
--              in every currency the store sells (o2c.pricelist_map)
--   unchanged  the storefront already shows exactly that (o2c.storefront_item.pushed), or a newer
--              change of the item is already recorded: nothing to write
--   failed     item_unsellable (ops): an active item lacks a price in a currency the store sells,
--              or its product and size are unknown; unmapped_currency; remote_data
create or replace function o2c_action.map_item(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
set search_path = o2c, pg_temp
as $$
declare
    v_sf      text := coalesce(p_params->>'storefront_connection', 'centra');
    v_erp     text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_half    jsonb := o2c.netsuite_item_to_canonical(p_context->'item', p_context->'prices', v_erp);
    v_item    jsonb;
    v_problem text[];
    v_missing text;
    v_kept    boolean;
    v_want    jsonb;
begin
    if v_half ? 'problems' then
        return o2c.sql_action_failed(v_half#>>'{problems,0,category}', null, null, v_half#>>'{problems,0,message}');
    end if;
    v_item := v_half->'record';
    v_problem := o2c.item_problems(v_item);
    if cardinality(v_problem) > 0 then
        return o2c.sql_action_failed('item_unsellable', null, null,
            format('NetSuite item %s cannot be offered: %s.', v_item->>'sku', array_to_string(v_problem, '; ')));
    end if;

    -- Recorded unless a newer change of the item is recorded already (a late re-run).
    insert into o2c.canonical_item (erp_connection, sku, erp_item_id, name, active, modified_at, product_number, size_name)
    values (v_erp, v_item->>'sku', v_item->>'erp_item_id', v_item->>'name', (v_item->>'active')::boolean,
            (v_item->>'modified_at')::timestamptz, v_item->>'product_number', v_item->>'size_name')
    on conflict (erp_connection, sku) do update
       set (erp_item_id, name, active, modified_at, product_number, size_name)
         = (excluded.erp_item_id, excluded.name, excluded.active, excluded.modified_at, excluded.product_number,
            excluded.size_name)
     where canonical_item.modified_at <= excluded.modified_at
    returning true into v_kept;
    if not coalesce(v_kept, false) then
        return jsonb_build_object('outcome', 'unchanged');
    end if;
    delete from o2c.canonical_item_price where erp_connection = v_erp and sku = v_item->>'sku';
    insert into o2c.canonical_item_price (erp_connection, sku, currency, price)
    select v_erp, v_item->>'sku', p->>'currency', (p->>'price')::numeric from jsonb_array_elements(v_item->'prices') p;

    select string_agg(m.currency, ', ' order by m.currency) into v_missing
      from o2c.pricelist_map m
     where m.storefront_connection = v_sf
       and not exists (select from o2c.canonical_item_price p
                        where p.erp_connection = v_erp and p.sku = v_item->>'sku' and p.currency = m.currency);
    if v_missing is not null and (v_item->>'active')::boolean then
        return o2c.sql_action_failed('item_unsellable', null, null, format(
            'NetSuite item %s has no price in %s, which the %s store sells in: it was not offered there. Give it the '
            'price in NetSuite (the item master picks the change up), or re-drive once it has one.',
            v_item->>'sku', v_missing, v_sf));
    end if;

    v_want := jsonb_build_object(
        'sku', v_item->>'sku',
        'product_number', v_item->>'product_number',
        'size_name', v_item->>'size_name',
        'product_name', case when right(v_item->>'name', length(v_item->>'size_name') + 1) = ' ' || (v_item->>'size_name')
                             then left(v_item->>'name', -(length(v_item->>'size_name') + 1)) else v_item->>'name' end,
        -- The product sells while any of its sizes does: one the ERP has active, or one already in
        -- the storefront (o2c.storefront_item, same storefront product) that the ERP never said
        -- was deactivated.
        'active', exists (select from o2c.canonical_item i
                           where i.erp_connection = v_erp and i.product_number = v_item->>'product_number' and i.active)
                  or exists (select from o2c.storefront_item mine
                               join o2c.storefront_item other
                                 on other.storefront_connection = mine.storefront_connection
                                and other.product_id = mine.product_id and other.sku <> mine.sku
                              where mine.storefront_connection = v_sf and mine.sku = v_item->>'sku'
                                and not exists (select from o2c.canonical_item ci
                                                 where ci.erp_connection = v_erp and ci.sku = other.sku and not ci.active)),
        'prices', coalesce((select jsonb_agg(jsonb_build_object('pricelist_id', m.pricelist_id, 'currency', m.currency,
                                                                'amount', p.price::text) order by m.currency)
                              from o2c.pricelist_map m
                              join o2c.canonical_item_price p on p.erp_connection = v_erp and p.sku = v_item->>'sku'
                                                             and p.currency = m.currency
                             where m.storefront_connection = v_sf), '[]'));
    if exists (select from o2c.storefront_item s
                where s.storefront_connection = v_sf and s.sku = v_item->>'sku' and s.pushed = v_want) then
        return jsonb_build_object('outcome', 'unchanged');
    end if;
    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object('storefront_item', v_want));
end
$$;

-- The last state of item_to_storefront: what the storefront now shows is remembered
-- (o2c.storefront_item, with the ids the storefront gave), and a new SKU gets its sku_map row, so
-- the first order for it maps without anyone typing an insert (a row someone made stays as it is).
-- Context: storefront_item, storefront_product_id, storefront_variant_id, item.
create or replace function o2c_action.record_item_push(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
set search_path = o2c, pg_temp
as $$
declare
    v_sf  text := coalesce(p_params->>'storefront_connection', 'centra');
    v_erp text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_want jsonb := p_context->'storefront_item';
begin
    insert into o2c.storefront_item (storefront_connection, sku, product_id, variant_id, size_name, pushed)
    values (v_sf, v_want->>'sku', p_context->>'storefront_product_id', p_context->>'storefront_variant_id',
            v_want->>'size_name', v_want)
    on conflict (storefront_connection, sku) do update
       set product_id = excluded.product_id, variant_id = excluded.variant_id, size_name = excluded.size_name,
           pushed = excluded.pushed;
    insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id, note)
    values (v_sf, v_want->>'sku', v_erp, p_context#>>'{item,id}', 'made by the item master')
    on conflict do nothing;
    return jsonb_build_object('outcome', 'ok');
end
$$;
