# Fulfilment during the Sage 200 demo day (ERP=sage200; sourced by tools/demo/flows/fulfilment.sh,
# which keeps the summary keys): Sage 200's warehouse despatches ORDERS/20 of the day's posted
# orders (5 to 60), every 5th in two parcels (one unit of its first line, then the rest), each with
# its courier and consignment number (POST /_sandbox/sage200/despatch). The schedule
# sage200_despatches runs sage200_despatch_poll, which starts one fulfilment_to_storefront per
# despatch (business key sage200:despatch:<id>): one shipped Centra shipment each, the shopper
# told once, through the same ship and record states as NetSuite's fulfilments.

fulfilment_setup() {
    sql -c "select o2c.schedule('sage200_despatches', '* * * * *', 'UTC', 'sage200_despatch_poll', '{\"repeat_ms\": 1000}', now() - interval '1 minute')" >/dev/null
}

fulfilment_tick() {
    [ -e "$out/fulfilment-shipped" ] && return 0
    # Order to cash at rest, late cancellations carried to Sage: the warehouse goes to work.
    [ -n "${late_cancelled:-}" ] && [ "${open:-1}" = 0 ] && [ "${cancel_open:-1}" = 0 ] || return 0
    http POST "$centra_port" /_sandbox/orders/confirm >/dev/null || return 1
    local number first_line split made=0 i=0
    while IFS=$'\t' read -r number first_line split; do
        [ -n "$number" ] || continue
        i=$(( i + 1 ))
        if [ $(( i % 5 )) = 0 ] && [ "$split" = t ] &&
           http POST "$sage_port" /_sandbox/sage200/despatch "{\"customer_document_no\": \"$number\", \"courier\": \"DPD\", \"consignment_no\": \"DPD-$number-1\", \"lines\": [{\"line\": $first_line, \"quantity\": 1}]}" >/dev/null; then
            made=$(( made + 1 ))
        fi
        http POST "$sage_port" /_sandbox/sage200/despatch "{\"customer_document_no\": \"$number\", \"courier\": \"Royal Mail\", \"consignment_no\": \"RM-$number-2\"}" >/dev/null &&
            made=$(( made + 1 ))
    done < <(sql -F $'\t' -v n="$fulfilment_orders" <<'SQL'
-- The newest posted orders that are neither cancelled nor partly cancelled; the position of the
-- first product line in the Sage order (lines are laid out in canonical order), and whether the
-- order has more than one unit to split.
select c.number,
       (select min(el.erp_line) from o2c.erp_order_line el join o2c.canonical_order_line l
                 on l.order_key = el.order_key and l.line_no = el.order_line_no
         where el.order_key = c.order_key and el.erp_connection = 'sage200' and l.kind = 'product'),
       (select sum(l.quantity) > 1 from o2c.canonical_order_line l where l.order_key = c.order_key and l.kind = 'product')
  from o2c.instance i join o2c.canonical_order c on c.order_key = i.business_key
 where i.workflow = 'order_to_cash_sage200' and i.state = 'posted' and c.status <> 'cancelled'
   and not exists (select from o2c.canonical_order_line l where l.order_key = c.order_key and l.cancelled_quantity > 0)
   and not exists (select from o2c.instance x where x.workflow = 'order_cancellation_sage200'
                                                and x.business_key = i.business_key || ':cancel')
 order by i.id desc limit :n
SQL
)
    echo "$made" >"$out/fulfilment-count"
    : >"$out/fulfilment-shipped"
    echo "demo: the Sage 200 warehouse despatched $fulfilment_orders orders in $made despatches"
}

# Settled once every despatch the warehouse made has a workflow and none is still on its way.
fulfilment_settled() {
    [ -e "$out/fulfilment-shipped" ] || return 1
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'fulfilment_to_storefront' and business_key like 'sage200:despatch:%'")" \
        -ge "$(cat "$out/fulfilment-count")" ] &&
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'fulfilment_to_storefront' and status = 'active'")" = 0 ]
}
