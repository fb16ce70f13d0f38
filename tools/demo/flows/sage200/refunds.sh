# Refunds during the Sage 200 demo day (ERP=sage200; sourced by tools/demo/flows/refunds.sh, which
# picks the orders and makes the refunds in Centra as on NetSuite): centra_order_poll reads each
# REFUND entry and starts refund_to_credit_note_sage200, one Sage 200 sales credit note for exactly
# the refund, with tax and nominal analysis (goodwill to 4050, shipping to 4010). Returns with
# goods coming back have no Sage 200 side yet (no sales returns): none are made on this day.

refunds_tick() { refunds_money_back "$@" && { [ -e "$out/returns-made" ] || { echo 0 >"$out/returns-count"; : >"$out/returns-made"; }; }; }

refunds_settled() {
    [ -e "$out/refunds-made" ] || return 1
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'refund_to_credit_note_sage200'")" \
        -ge "$(cat "$out/refunds-count")" ] &&
    [ "$(sql -c "select count(*) from o2c.instance where workflow = 'refund_to_credit_note_sage200' and status = 'active'")" = 0 ]
}

refunds_collect() {
    http GET "$sage_port" /_sandbox/records/sales_posted_transactions >"$out/sage200-credit-notes.json" ||
        echo '[]' >"$out/sage200-credit-notes.json"
}

refunds_summary() {
    local made=0 amounts='[]'
    [ -e "$out/refunds-count" ] && made=$(cat "$out/refunds-count")
    [ -s "$out/refunds-amounts" ] && amounts="[$(paste -sd, "$out/refunds-amounts")]"
    sql -v notes="$(cat "$out/sage200-credit-notes.json" 2>/dev/null || echo '[]')" -v made="$made" -v amounts="$amounts" <<'SQL'
with note as (select (r->>'document_gross_value')::numeric as total
                from jsonb_array_elements(coalesce(nullif(:'notes', '')::jsonb, '[]')) r)
select json_build_object(
    'refunds', :made::int,
    'returns', 0,
    'customer_refunds', 0,
    'credit_memos', (select count(*) from note),
    'refund_difference', to_char((select coalesce(sum(a::numeric), 0) from jsonb_array_elements_text(:'amounts'::jsonb) a)
                                 - (select coalesce(sum(total), 0) from note), 'FM999999990.00'),
    'reconciliation_gaps', (select count(*) from o2c.reconciliation_gaps))
SQL
}
