# Stock during the demo's trading day (sourced by tools/demo/run; see the hooks there).
# NetSuite masters stock; inventory_sync (workflows/inventory_sync.sql) keeps Centra's warehouses at
# the formula (sql/migrations/0009_inventory.sql): on hand − committed to other channels − buffer.
# During the day goods arrive at both warehouses, wholesale takes units of one SKU, and one SKU
# has a flash sale at Stockholm, covered by a buffer of 3. At the end every SKU × warehouse level in
# Centra is compared with the formula.
# Under ERP=sage200 Sage 200 masters stock instead (inventory_sync_sage200, warehouse holdings):
# the same day, goods in and another channel's allocation through the Sage sandbox's control path.

stock_flash_sku=NDT-TEE-010-M
stock_wholesale_sku=NDT-TEE-011-M

stock_setup() {
    sql -c "insert into o2c.stock_buffer (storefront_connection, warehouse_id, sku_pattern, buffer, note)
            values ('centra', '1', '$stock_flash_sku', 3, 'demo: flash sale cover')
            on conflict do nothing" >/dev/null &&
    sql -c "select o2c.start('$(stock_workflow)', 'inventory:centra:$ERP', '{\"poll_interval_ms\": 1000}')" >/dev/null
}

stock_workflow() { if [ "$ERP" = sage200 ]; then echo inventory_sync_sage200; else echo inventory_sync; fi; }

# Once each, at seconds 2, 4 and 6 of the day.
stock_tick() {
    local t=$1
    if [ "$t" -ge 2 ] && [ ! -e "$out/stock-goods" ]; then
        if [ "$ERP" = sage200 ]; then
            http POST "$sage_port" /_sandbox/sage200/holdings '{"count":40}' >/dev/null && : >"$out/stock-goods"
        else
            http POST "$ns_port" /_sandbox/stock '{"count":40}' >/dev/null && : >"$out/stock-goods"
        fi
    fi
    if [ "$t" -ge 4 ] && [ ! -e "$out/stock-wholesale" ]; then
        if [ "$ERP" = sage200 ]; then
            http POST "$sage_port" /_sandbox/sage200/holdings \
                "{\"changes\":[{\"sku\":\"$stock_wholesale_sku\",\"warehouse_id\":1,\"allocate\":4}]}" >/dev/null &&
                : >"$out/stock-wholesale"
        else
            http POST "$ns_port" /_sandbox/stock \
                "{\"changes\":[{\"sku\":\"$stock_wholesale_sku\",\"location\":\"1\",\"committed\":4}]}" >/dev/null &&
                : >"$out/stock-wholesale"
        fi
    fi
    if [ "$t" -ge 6 ] && [ ! -e "$out/stock-flash" ]; then
        http POST "$centra_port" /_sandbox/orders "{\"count\":40,\"sku\":\"$stock_flash_sku\",\"warehouse\":\"1\"}" \
            >"$out/stock-flash.json" && : >"$out/stock-flash"
    fi
    return 0
}

# Settled once every level the formula wants is in Centra and the flow is not in exception.
stock_settled() {
    [ -e "$out/stock-flash" ] || return 1
    [ "$(sql -c "select count(*) from o2c.stock_targets where target is distinct from sent_quantity")" = 0 ] &&
    [ "$(sql -c "select count(*) from o2c.instance where workflow = '$(stock_workflow)' and status = 'exception'")" = 0 ]
}

stock_collect() {
    local sku
    sql -c "create table if not exists demo_centra_stock (sku text, doc jsonb); truncate demo_centra_stock" >/dev/null
    for sku in $(sql -c "select distinct sku from o2c.stock_targets order by 1"); do
        http GET "$centra_port" "/_sandbox/stock?sku=$sku"
    done | sql -c "create temp table lines (doc jsonb);
                   copy lines from stdin;
                   insert into demo_centra_stock select doc->>'sku', doc from lines" >/dev/null
    sql -c "select max(extract(epoch from age))::int from o2c.sync_health where kind = 'stock'" >"$out/stock-age"
    if [ "$ERP" = sage200 ]; then stock_collect_sage200; return; fi
    http GET "$ns_port" /_sandbox/stats >"$out/netsuite-stock-stats.json"
    # Where NetSuite has more units promised than on hand: the SKUs behind oversold_units.
    http GET "$ns_port" /_sandbox/records/inventoryItem >"$out/netsuite-items.json"
    sql -v file="$out/netsuite-items.json" >"$out/stock-oversold.json" <<'SQL'
\set doc `cat :'file'`
select coalesce(json_agg(json_build_object('sku', i->>'itemId', 'location', l#>>'{location,id}',
                                           'on_hand', (l->>'quantityOnHand')::int,
                                           'committed', (l->>'quantityCommitted')::int) order by i->>'itemId'), '[]')
  from jsonb_array_elements(:'doc'::jsonb->'records') i, jsonb_array_elements(i#>'{locations,items}') l
 where (l->>'quantityCommitted')::int > (l->>'quantityOnHand')::int
SQL
}

# Sage 200: where a holding has more allocated and reserved than confirmed in stock (the figure
# the NetSuite sandbox counts as oversold_units), from the holdings themselves.
stock_collect_sage200() {
    http GET "$sage_port" /_sandbox/records/warehouse_holdings >"$out/sage200-holdings.json"
    sql -v file="$out/sage200-holdings.json" >"$out/stock-oversold.json" <<'SQL'
\set doc `cat :'file'`
select coalesce(json_agg(json_build_object('product_id', h->>'product_id', 'warehouse_id', h->>'warehouse_id',
                                           'on_hand', (h->>'confirmed_qty_in_stock')::numeric,
                                           'committed', (h->>'quantity_allocated')::numeric + (h->>'quantity_reserved')::numeric)
                         order by (h->>'product_id')::bigint), '[]')
  from jsonb_array_elements(:'doc'::jsonb) h
 where (h->>'quantity_allocated')::numeric + (h->>'quantity_reserved')::numeric > (h->>'confirmed_qty_in_stock')::numeric
SQL
    sql -v file="$out/sage200-holdings.json" >"$out/stock-oversold-units" <<'SQL'
\set doc `cat :'file'`
select coalesce(sum((h->>'quantity_allocated')::numeric + (h->>'quantity_reserved')::numeric
                    - (h->>'confirmed_qty_in_stock')::numeric), 0)::bigint
  from jsonb_array_elements(:'doc'::jsonb) h
 where (h->>'quantity_allocated')::numeric + (h->>'quantity_reserved')::numeric > (h->>'confirmed_qty_in_stock')::numeric
SQL
}

stock_summary() {
    local oversold
    if [ "$ERP" = sage200 ]; then
        oversold=$(grep -E '^[0-9]+$' "$out/stock-oversold-units" 2>/dev/null || true)
    else
        oversold=$(sed -n 's/.*"oversold_units":\([0-9]*\).*/\1/p' "$out/netsuite-stock-stats.json")
    fi
    sql -c "select json_build_object(
                'stock_levels_compared', (select count(*) from o2c.stock_targets t
                                            join demo_centra_stock c on c.sku = t.sku),
                'inventory_drift', (select count(*) from o2c.stock_targets t
                                      join demo_centra_stock c on c.sku = t.sku
                                     where (c.doc->'warehouses'->>t.warehouse_id)::numeric is distinct from t.target),
                'oversold_units', ${oversold:-0},
                'oversold_at', '$(cat "$out/stock-oversold.json" 2>/dev/null | grep -E '^\[' || echo null)'::json,
                'stock_sync_age_s', $(cat "$out/stock-age" 2>/dev/null | grep -E '^[0-9]+$' || echo null))"
}
