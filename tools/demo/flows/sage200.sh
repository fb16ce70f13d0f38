# Sage 200's own troubles during the demo's day (ERP=sage200 only; sourced by tools/demo/run, see
# the hooks there), on top of the sandbox's random faults:
#   - one create in a hundred succeeds in Sage and its answer is lost (the tunnel times out): the
#     retry finds the order by customer_document_no and never makes it twice;
#   - at second 3 someone opens the accounts of three returning shoppers in the desktop client
#     (control path /_sandbox/sage200/lock, user J.SMITH) and keeps them open for 30 s: their
#     orders are refused as "in use", retried on the lock budget; what outlasts the budget becomes
#     a record_locked exception for ops. Once released, the demo re-drives those exceptions with
#     the SQL the summary prints for them, as an admin would;
#   - from second 8 to 11 the on-premise tunnel is down: every call answers 504.
# The day settles only when the accounts are released and no order waits in record_locked.
# Summary keys: duplicate_document_numbers (orders beyond the first per customer_document_no, the
# sandbox's count; 0), refused_bodies (request bodies the sandbox's OpenAPI check refused; 0),
# lost_answers, tunnel_refusals, record_locks {accounts, user, held_s, locked_refusals,
# exceptions_redriven, orders_of_locked_accounts_posted, orders_of_locked_accounts}.
[ "$ERP" = sage200 ] || return 0

sage200_lock_user=J.SMITH
sage200_lock_redrive_sql="select o2c.redrive(workflow_id) from o2c.exceptions where category = 'record_locked';"

sage200_setup() {
    http POST "$sage_port" /_sandbox/sage200/lose_answers '{"rate": 0.01}' >/dev/null
}

sage200_tick() {
    local t=$1 id
    if [ "$t" -ge 3 ] && [ ! -e "$out/sage200-locked" ]; then
        # Three accounts o2c made for returning shoppers (the seed's people, not new shoppers).
        sql >"$out/sage200-locking" <<'SQL'
select erp_customer_id from o2c.customer_link
 where erp_connection = 'sage200' and email not like 'shopper%'
 order by linked_at, email limit 3
SQL
        if [ "$(wc -l <"$out/sage200-locking")" -eq 3 ]; then
            for id in $(cat "$out/sage200-locking"); do
                http POST "$sage_port" /_sandbox/sage200/lock \
                    "{\"collection\": \"customers\", \"id\": $id, \"user\": \"$sage200_lock_user\"}" >/dev/null || return 1
            done
            echo "$t" >"$out/sage200-locked-at"
            mv "$out/sage200-locking" "$out/sage200-locked"
            echo "demo: Sage 200 customer accounts $(paste -sd, "$out/sage200-locked") opened in the desktop client by $sage200_lock_user"
        fi
    fi
    if [ "$t" -ge 8 ] && [ ! -e "$out/sage200-tunnel-down" ]; then
        http POST "$sage_port" /_sandbox/sage200/tunnel '{"down": true}' >/dev/null && : >"$out/sage200-tunnel-down"
    fi
    if [ "$t" -ge 11 ] && [ -e "$out/sage200-tunnel-down" ] && [ ! -e "$out/sage200-tunnel-up" ]; then
        http POST "$sage_port" /_sandbox/sage200/tunnel '{"down": false}' >/dev/null && : >"$out/sage200-tunnel-up"
    fi
    if [ -e "$out/sage200-locked" ] && [ ! -e "$out/sage200-released" ] &&
       [ "$t" -ge $(( $(cat "$out/sage200-locked-at") + 30 )) ]; then
        for id in $(cat "$out/sage200-locked"); do
            http POST "$sage_port" /_sandbox/sage200/release "{\"collection\": \"customers\", \"id\": $id}" >/dev/null || return 1
        done
        echo "$(( t - $(cat "$out/sage200-locked-at") ))" >"$out/sage200-released"
        echo "demo: the Sage 200 accounts are closed in the desktop client again"
    fi
    if [ -e "$out/sage200-released" ]; then   # what waited for ops is re-driven, as an admin would
        local n
        n=$(sql -c "select count(*) from (${sage200_lock_redrive_sql%;}) r")
        if [ "$n" -gt 0 ]; then
            echo "$n" >>"$out/sage200-redriven"
            echo "demo: re-driven $n order(s) that waited in record_locked: $sage200_lock_redrive_sql"
        fi
    fi
    return 0
}

sage200_settled() {
    [ -e "$out/sage200-released" ] && [ -e "$out/sage200-tunnel-up" ] &&
    [ "$(sql -c "select count(*) from o2c.exceptions where category = 'record_locked'")" = 0 ]
}

sage200_summary() {
    local stats="$out/sage200-stats.json" redriven=0 n
    if [ -e "$out/sage200-redriven" ]; then
        for n in $(cat "$out/sage200-redriven"); do redriven=$(( redriven + n )); done
    fi
    sql -v stats_file="$stats" -v accounts="$(paste -sd, "$out/sage200-locked" 2>/dev/null)" \
        -v user="$sage200_lock_user" -v held="$(cat "$out/sage200-released" 2>/dev/null)" -v redriven="$redriven" <<'SQL'
\set stats_text `cat :'stats_file'`
with s as (select (:'stats_text')::jsonb as s),
     locked as (select l.email from o2c.customer_link l
                 where l.erp_connection = 'sage200'
                   and l.erp_customer_id = any (string_to_array(nullif(:'accounts', ''), ','))),
     -- Their orders the lock could hold up: not those cancelled before posting, nor those stopped
     -- for a reason of their own (an unmapped SKU), which the summary counts elsewhere.
     theirs as (select i.state from o2c.instance i join locked l on lower(i.context#>>'{order,customer,email}') = l.email
                 where i.workflow = 'order_to_cash_sage200' and i.state <> 'cancelled_before_posting'
                   and not (i.status = 'exception' and i.exception_category is distinct from 'record_locked'))
select json_build_object(
    'duplicate_document_numbers', (s->>'duplicate_customer_document_nos')::int,
    'refused_bodies', (s->>'refused_writes')::int,
    'lost_answers', (s->>'lost_answers')::int,
    'tunnel_refusals', (s->>'tunnel_refusals')::int,
    'record_locks', json_build_object(
        'accounts', coalesce(to_json(string_to_array(nullif(:'accounts', ''), ',')), '[]'),
        'user', :'user',
        'held_s', nullif(:'held', '')::int,
        'locked_refusals', (s->>'locked_refusals')::int,
        'exceptions_redriven', :redriven,
        'orders_of_locked_accounts', (select count(*) from theirs),
        'orders_of_locked_accounts_posted', (select count(*) from theirs where state = 'posted')))
  from s
SQL
}
