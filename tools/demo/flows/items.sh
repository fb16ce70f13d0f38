# The item master during the demo's trading day (sourced by tools/demo/run; see the hooks there).
# NetSuite owns SKU, name and price; item_master (workflows/item_master.sql) brings Centra in line.
# During the day the merchandiser launches a cap in two sizes, changes the price of a tee and takes
# one size of another tee out of the range, all in NetSuite; Centra shows each change, and the
# new SKUs are mapped for orders without anyone typing an insert.
[ "$ERP" = netsuite ] || { flow_not_on_this_erp items; return 0; }   # no side for ERP=sage200 yet

items_setup() {
    # The poller starts from now: the catalogue both sandboxes share (stamped when NetSuite's
    # started) is not read again; an installation's first run reads it all, once.
    sleep 1
    sql -c "select o2c.start('item_master', 'items:netsuite:centra', jsonb_build_object('poll_interval_ms', 1000,
                'cursor', to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS')))" >/dev/null
}

items_tick() {
    local t=$1
    if [ "$t" -ge 3 ] && [ ! -e "$out/items-launch" ]; then
        http POST "$ns_port" /_sandbox/items '{"itemId":"NDT-CAP-500-M","displayName":"Field Cap 500 Olive M","prices":{"SEK":"299.00","EUR":"29.00","USD":"32.00"}}' >/dev/null &&
        http POST "$ns_port" /_sandbox/items '{"itemId":"NDT-CAP-500-L","displayName":"Field Cap 500 Olive L","prices":{"SEK":"299.00","EUR":"29.00","USD":"32.00"}}' >/dev/null &&
            : >"$out/items-launch"
    fi
    if [ "$t" -ge 6 ] && [ ! -e "$out/items-change" ]; then
        http POST "$ns_port" /_sandbox/items '{"itemId":"NDT-TEE-003-M","prices":{"SEK":"379.00","EUR":"39.00","USD":"43.00"}}' >/dev/null &&
        http POST "$ns_port" /_sandbox/items '{"itemId":"NDT-TEE-004-XS","isInactive":true}' >/dev/null &&
            : >"$out/items-change"
    fi
    return 0
}

# Settled once the four changes were read and each item workflow has ended (in Centra, unchanged,
# or an exception someone owns).
items_settled() {
    [ -e "$out/items-change" ] || return 1
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'item_to_storefront'
                  and business_key ~ '^item:netsuite:(NDT-CAP-500-M|NDT-CAP-500-L|NDT-TEE-003-M|NDT-TEE-004-XS):'")" -ge 4 ] &&
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'item_to_storefront' and status = 'active'")" = 0 ]
}

items_collect() {
    http GET "$centra_port" "/_sandbox/products?productNumber=NDT-CAP-500" >"$out/centra-cap.json" || :
}

items_summary() {
    # items_created: SKUs the item master made in Centra today (each gets its sku_map row then).
    sql -c "select json_build_object(
                'items_created', (select count(*) from o2c.sku_map where note = 'made by the item master'),
                'item_changes_read', (select count(*) from o2c.instance where workflow = 'item_to_storefront'),
                'items_in_storefront', (select count(*) from o2c.instance where workflow = 'item_to_storefront'
                                                                          and state = 'in_storefront'),
                'item_exceptions', (select count(*) from o2c.instance where workflow = 'item_to_storefront'
                                                                       and status = 'exception'),
                'skus_mapped_by_item_master', (select count(*) from o2c.sku_map where note = 'made by the item master'))"
}
