# Fulfilment during the demo's trading day (sourced by tools/demo/run; see the hooks there).
# NetSuite's warehouse ships ORDERS/20 of the day's posted orders (5 to 60: Centra allows 20 mutations
# per 10 s, one per shipment), every 7th partly and every 5th in two parcels;
# netsuite_fulfilment_poll (workflows/netsuite_fulfilment_poll.sql) reads the item fulfilments and
# fulfilment_to_storefront shows each one in Centra as one shipped shipment, the shopper told once.
# The warehouse starts once order to cash has settled, late cancellations included (so it never
# ships an order the shopper is cancelling), after the payments of orders still PENDING in Centra
# were captured (Centra makes shipments for confirmed orders only).
#
# Summary keys: fulfilments (made in NetSuite), shipments (Centra's count), shipment_notifications
# (Centra's count), duplicate_shipments (Centra's count; 0), fulfilment_exceptions and
# fulfilment_gaps (o2c.reconciliation_gaps, fulfilment part; 0, or each named in the exceptions).

fulfilment_orders=$(( orders / 20 )); [ "$fulfilment_orders" -ge 5 ] || fulfilment_orders=5
[ "$fulfilment_orders" -le 60 ] || fulfilment_orders=60

fulfilment_summary() {  # the same keys for either ERP
    local made=0
    [ -e "$out/fulfilment-count" ] && made=$(cat "$out/fulfilment-count")
    sql -v stats="$(cat "$out/centra-stats.json" 2>/dev/null || echo '{}')" -v made="$made" <<'SQL'
select json_build_object(
    'fulfilments', :made::int,
    'fulfilments_shown', (select count(*) from o2c.instance
                           where workflow = 'fulfilment_to_storefront' and state = 'shown_in_storefront'),
    'shipments', coalesce((:'stats'::jsonb #>> '{records,shipments}')::int, 0),
    'shipment_notifications', coalesce((:'stats'::jsonb #>> '{notifications,total}')::int, 0),
    'duplicate_shipments', coalesce((:'stats'::jsonb ->> 'duplicate_shipments')::int, 0),
    'fulfilment_exceptions', (select count(*) from o2c.instance
                               where workflow = 'fulfilment_to_storefront' and status = 'exception'),
    'fulfilment_gaps', (select count(*) from o2c.reconciliation_gaps where gap = 'fulfilment_not_in_storefront'),
    'fulfilment_p95_seconds', (select max(p95_seconds) from o2c.fulfilment_latency))
SQL
}

# Sage 200's warehouse despatches instead (its own setup, tick and settled).
if [ "$ERP" = sage200 ]; then
    # shellcheck source=tools/demo/flows/sage200/fulfilment.sh
    . tools/demo/flows/sage200/fulfilment.sh
    return 0
fi

fulfilment_setup() {
    sql -c "select o2c.start('netsuite_fulfilment_poll', 'demo:netsuite', '{\"repeat_ms\": 1000}')" >/dev/null
}

fulfilment_tick() {
    [ -e "$out/fulfilment-shipped" ] && return 0
    # Order to cash at rest, late cancellations carried to NetSuite: the warehouse goes to work.
    [ -n "${late_cancelled:-}" ] && [ "${open:-1}" = 0 ] && [ "${cancel_open:-1}" = 0 ] || return 0
    http POST "$centra_port" /_sandbox/orders/confirm >/dev/null &&
    http POST "$ns_port" /_sandbox/warehouse/ship \
        "{\"count\": $fulfilment_orders, \"partial_every\": 7, \"split_every\": 5, \"skip_every\": 0}" \
        >"$out/fulfilment-ship.json" || return 1
    grep -o '"salesOrder"' "$out/fulfilment-ship.json" | wc -l | tr -d ' ' >"$out/fulfilment-count"
    : >"$out/fulfilment-shipped"
    echo "demo: the warehouse shipped $fulfilment_orders orders in $(cat "$out/fulfilment-count") fulfilments"
}

# Settled once every fulfilment the warehouse made has a workflow and none is still on its way.
fulfilment_settled() {
    [ -e "$out/fulfilment-shipped" ] || return 1
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'fulfilment_to_storefront'")" \
        -ge "$(cat "$out/fulfilment-count")" ] &&
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'fulfilment_to_storefront' and status = 'active'")" = 0 ]
}
