# Refunds without goods during the demo's day (sourced by tools/demo/run; see the hooks there).
# Once order to cash has settled (late cancellations included), customer service refunds a few
# posted orders in Centra (POST /_sandbox/orders/<number>/refund): most a goodwill 10 %, every third
# with shipping charged its shipping. centra_order_poll reads them (Order.paymentHistory, REFUND
# entries) and starts refund_to_credit_memo per refund: one NetSuite credit memo each.
#
# Summary keys: refunds (made in Centra), credit_memos (NetSuite's creditMemo records from refunds),
# refund_difference (Centra's refunds minus NetSuite's credit memos, decimal text; "0.00"),
# reconciliation_gaps (o2c.reconciliation_gaps rows of every kind; 0, or each named there).
[ "$ERP" = netsuite ] || { flow_not_on_this_erp refunds; return 0; }   # no side for ERP=sage200 yet

refunds_orders=$(( orders / 50 )); [ "$refunds_orders" -ge 3 ] || refunds_orders=3
[ "$refunds_orders" -le 10 ] || refunds_orders=10

refunds_tick() {
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
    done < <(sql -F $'\t' -v n="$refunds_orders" <<'SQL'
select c.number, round(c.grand_total / 10, c.minor_digits)::text,
       case when c.shipping_net > 0 then c.shipping_net::text else '0' end
  from o2c.instance i join o2c.canonical_order c on c.order_key = i.business_key
 where i.workflow = 'order_to_cash' and i.state = 'posted' and c.status <> 'cancelled'
   and round(c.grand_total / 10, c.minor_digits) > 0
   and not exists (select 1 from o2c.canonical_order_line l where l.order_key = c.order_key and l.cancelled_quantity > 0)
 order by i.id desc limit :n
SQL
)
    echo "$made" >"$out/refunds-count"
    : >"$out/refunds-made"
    echo "demo: customer service refunded $made orders in Centra (goodwill and shipping refunds)"
}

# Settled once every refund made has its workflow and none is still on its way.
refunds_settled() {
    [ -e "$out/refunds-made" ] || return 1
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'refund_to_credit_memo'")" \
        -ge "$(cat "$out/refunds-count")" ] &&
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'refund_to_credit_memo' and status = 'active'")" = 0 ]
}

refunds_collect() {
    http GET "$ns_port" /_sandbox/records/creditMemo >"$out/netsuite-credit-memos.json" || echo '{}' >"$out/netsuite-credit-memos.json"
}

refunds_summary() {
    local made=0 amounts='[]'
    [ -e "$out/refunds-count" ] && made=$(cat "$out/refunds-count")
    [ -s "$out/refunds-amounts" ] && amounts="[$(paste -sd, "$out/refunds-amounts")]"
    sql -v memos="$(cat "$out/netsuite-credit-memos.json" 2>/dev/null || echo '{}')" -v made="$made" -v amounts="$amounts" <<'SQL'
with memo as (select (r->>'total')::numeric as total
                from jsonb_array_elements(coalesce(:'memos'::jsonb->'records', '[]')) r
               where r->>'externalId' like 'RF-%')
select json_build_object(
    'refunds', :made::int,
    'credit_memos', (select count(*) from memo),
    'refund_difference', to_char((select coalesce(sum(a::numeric), 0) from jsonb_array_elements_text(:'amounts'::jsonb) a)
                                 - (select coalesce(sum(total), 0) from memo), 'FM999999990.00'),
    'reconciliation_gaps', (select count(*) from o2c.reconciliation_gaps))
SQL
}
