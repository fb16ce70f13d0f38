# Refunds without goods during the demo's day (sourced by tools/demo/run; see the hooks there).
# Once order to cash has settled (late cancellations included), customer service refunds a few
# posted orders in Centra (POST /_sandbox/orders/<number>/refund): most a goodwill 10 %, every third
# with shipping charged its shipping. centra_order_poll reads them (Order.paymentHistory, REFUND
# entries) and starts refund_to_credit_memo per refund: one NetSuite credit memo each.
#
# Once the warehouse's shipments are shown in Centra, some customers send goods back: customer
# service takes one unit back per order and refunds it (POST /_sandbox/orders/<number>/return;
# every other one with the order's shipping too), the order poller starts return_to_credit_memo,
# and the NetSuite warehouse receives the returned goods of every return authorization waiting
# for them (POST /_sandbox/netsuite/receive). Every refund is paid back by a customerRefund.
#
# Summary keys: refunds (made in Centra), returns (returns with goods made in Centra),
# customer_refunds (NetSuite's customerRefund records), credit_memos (NetSuite's creditMemo records
# from refunds and returns),
# refund_difference (Centra's refunds minus NetSuite's credit memos, decimal text; "0.00"),
# reconciliation_gaps (o2c.reconciliation_gaps rows of every kind; 0, or each named there).

refunds_orders=$(( orders / 50 )); [ "$refunds_orders" -ge 3 ] || refunds_orders=3
[ "$refunds_orders" -le 10 ] || refunds_orders=10

refunds_money_back() {
    [ -e "$out/refunds-made" ] && return 0
    [ -n "${late_cancelled:-}" ] && [ "${open:-1}" = 0 ] && [ "${cancel_open:-1}" = 0 ] || return 0
    http POST "$centra_port" /_sandbox/orders/confirm >/dev/null || return 1
    local i=0 number amount shipping made=0
    : >"$out/refunds-amounts"
    # The newest posted orders (the late cancellations are the oldest), not cancelled.
    while IFS=$'\t' read -r number amount shipping; do
        [ -n "$number" ] || continue
        i=$(( i + 1 ))
        local body="{\"amount\": \"$amount\", \"reason\": \"goodwill\"}"
        if [ $(( i % 3 )) = 0 ] && [ "$shipping" != 0 ]; then
            amount=$shipping
            body="{\"amount\": \"$shipping\", \"shipping\": \"$shipping\", \"reason\": \"shipping refund\"}"
        fi
        # Centra may refuse one (e.g. shipping already refunded): then it is simply not made.
        if http POST "$centra_port" "/_sandbox/orders/$number/refund" "$body" >/dev/null 2>&1; then
            printf '%s\n' "$amount" >>"$out/refunds-amounts"
            made=$(( made + 1 ))
        fi
    done < <(sql -F $'\t' -v n="$refunds_orders" -v workflow="$o2c_workflow" <<'SQL'
select c.number, round(c.grand_total / 10, c.minor_digits)::text,
       case when c.shipping_net > 0 then c.shipping_net::text else '0' end
  from o2c.instance i join o2c.canonical_order c on c.order_key = i.business_key
 where i.workflow = :'workflow' and i.state = 'posted' and c.status <> 'cancelled'
   and round(c.grand_total / 10, c.minor_digits) > 0
   and not exists (select 1 from o2c.canonical_order_line l where l.order_key = c.order_key and l.cancelled_quantity > 0)
 order by i.id desc limit :n
SQL
)
    echo "$made" >"$out/refunds-count"
    : >"$out/refunds-made"
    echo "demo: customer service refunded $made orders in Centra (goodwill and shipping refunds)"
}
refunds_tick() { refunds_money_back "$@" && returns_tick "$@"; }

# Sage 200: the same refunds become sales credit notes (its own tick, settled and figures).
if [ "$ERP" = sage200 ]; then
    # shellcheck source=tools/demo/flows/sage200/refunds.sh
    . tools/demo/flows/sage200/refunds.sh
    return 0
fi

returns_orders=$(( orders / 100 )); [ "$returns_orders" -ge 3 ] || returns_orders=3
[ "$returns_orders" -le 8 ] || returns_orders=8

# Customers return goods once the warehouse's shipments are shown in Centra; then, every round,
# the warehouse receives what return authorizations wait for.
returns_tick() {
    [ -e "$out/refunds-made" ] || return 0
    if [ ! -e "$out/returns-made" ]; then
        declare -F fulfilment_settled >/dev/null && { fulfilment_settled || return 0; }
        local number sku shipping made=0 i=0 answer
        while IFS=$'\t' read -r number sku shipping; do
            [ -n "$number" ] || continue
            i=$(( i + 1 ))
            local body="{\"lines\": [{\"sku\": \"$sku\", \"quantity\": 1}], \"reason\": \"wrong size\"}"
            [ $(( i % 2 )) = 0 ] && [ "$shipping" != 0 ] &&
                body="{\"lines\": [{\"sku\": \"$sku\", \"quantity\": 1}], \"shipping\": \"$shipping\", \"reason\": \"wrong size\"}"
            # Centra may refuse one (the unit is in no completed shipment): then it is not made.
            if answer=$(http POST "$centra_port" "/_sandbox/orders/$number/return" "$body" 2>/dev/null); then
                sql -v a="$answer" <<<"select :'a'::jsonb->>'amount'" >>"$out/refunds-amounts"
                made=$(( made + 1 ))
            fi
        done < <(sql -F $'\t' -v n="$returns_orders" <<'SQL'
select o.number, (select l.sku from o2c.canonical_fulfilment_line fl
                    join o2c.canonical_order_line l on l.order_key = o.order_key and l.line_no = fl.order_line_no
                   where fl.fulfilment_key = s.fulfilment_key and l.kind = 'product' order by l.line_no limit 1),
       case when o.shipping_net > 0 then o.shipping_net::text else '0' end
  from o2c.storefront_shipment s
  join o2c.canonical_fulfilment f using (fulfilment_key)
  join o2c.canonical_order o on o.order_key = f.order_key
 where o.status <> 'cancelled'
   and not exists (select from o2c.canonical_return r where r.order_key = o.order_key)
   and not exists (select from o2c.canonical_order_line l where l.order_key = o.order_key and l.cancelled_quantity > 0)
 order by s.recorded_at desc limit :n
SQL
)
        echo "$made" >"$out/returns-count"
        : >"$out/returns-made"
        echo "demo: customers sent goods back for $made orders; customer service refunded them in Centra"
    fi
    # The warehouse receives every return authorization's goods.
    local ra waiting
    waiting=$(http GET "$ns_port" /_sandbox/records/returnAuthorization) || return 0
    for ra in $(sql -v j="$waiting" <<<"select r->>'id' from jsonb_array_elements(:'j'::jsonb->'records') r where r->>'orderStatus' = 'Pending Receipt'"); do
        http POST "$ns_port" /_sandbox/netsuite/receive "{\"returnAuthorization\": \"$ra\"}" >/dev/null || true
    done
}

# Settled once every refund and return made has its workflow and none is still on its way.
refunds_settled() {
    [ -e "$out/refunds-made" ] && [ -e "$out/returns-made" ] || return 1
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'refund_to_credit_memo'")" \
        -ge "$(cat "$out/refunds-count")" ] &&
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'return_to_credit_memo'")" \
        -ge "$(cat "$out/returns-count")" ] &&
    [ "$(sql -c "select count(*) from o2c.instance where workflow in ('refund_to_credit_memo', 'return_to_credit_memo') and status = 'active'")" = 0 ]
}

refunds_collect() {
    http GET "$ns_port" /_sandbox/records/creditMemo >"$out/netsuite-credit-memos.json" || echo '{}' >"$out/netsuite-credit-memos.json"
    http GET "$ns_port" /_sandbox/records/customerRefund >"$out/netsuite-customer-refunds.json" || echo '{}' >"$out/netsuite-customer-refunds.json"
}

refunds_summary() {
    local made=0 returned=0 amounts='[]'
    [ -e "$out/refunds-count" ] && made=$(cat "$out/refunds-count")
    [ -e "$out/returns-count" ] && returned=$(cat "$out/returns-count")
    [ -s "$out/refunds-amounts" ] && amounts="[$(paste -sd, "$out/refunds-amounts")]"
    sql -v memos="$(cat "$out/netsuite-credit-memos.json" 2>/dev/null || echo '{}')" -v made="$made" -v amounts="$amounts" \
        -v returned="$returned" -v paid="$(cat "$out/netsuite-customer-refunds.json" 2>/dev/null || echo '{}')" <<'SQL'
with memo as (select (r->>'total')::numeric as total
                from jsonb_array_elements(coalesce(:'memos'::jsonb->'records', '[]')) r
               where r->>'externalId' like 'RF-%')
select json_build_object(
    'refunds', :made::int,
    'returns', :returned::int,
    'customer_refunds', (select count(*) from jsonb_array_elements(coalesce(:'paid'::jsonb->'records', '[]')) r
                          where r->>'externalId' like 'CR-%'),
    'credit_memos', (select count(*) from memo),
    'refund_difference', to_char((select coalesce(sum(a::numeric), 0) from jsonb_array_elements_text(:'amounts'::jsonb) a)
                                 - (select coalesce(sum(total), 0) from memo), 'FM999999990.00'),
    'reconciliation_gaps', (select count(*) from o2c.reconciliation_gaps))
SQL
}
