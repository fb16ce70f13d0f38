# The ERP's customer directory during the demo's day (sourced by tools/demo/run; see the hooks
# there). Before the shop opens, o2c starts reading NetSuite's customers (workflows/
# customer_directory.sql): once read, a shopper o2c has never linked is new to NetSuite, and the
# order creates the customer without a find first. The summary says how many NetSuite calls
# order to cash made per order posted (every attempt a runner made counted, throttled and failed
# ones too): for the customer and sales order, and in all (with the payment's deposit); and the
# floor for the day's shoppers (one sales order per order, one create per new shopper).
[ "$ERP" = netsuite ] || { flow_not_on_this_erp customers; return 0; }   # no side for ERP=sage200 yet

customers_setup() {
    sql -c "select o2c.start('customer_directory', 'customers:netsuite', '{\"poll_interval_ms\": 60000}')" >/dev/null
}

customers_settled() {
    [ "$(sql -c "select count(*) from o2c.customer_directory where erp_connection = 'netsuite' and complete_at is not null")" = 1 ]
}

customers_summary() {
    # Calls for the customer and the sales order, and all of them (the captured payment's deposit
    # is one more per order with a capture).
    sql -c "with calls as (
                select count(*) filter (where e.from_state <> 'customer_deposit') as posting, count(*) as all_calls
                  from o2c.event e
                  join o2c.instance i on i.id = e.workflow_id and i.workflow = 'order_to_cash'
                  join o2c.workflow_state s on s.workflow = i.workflow and s.version = i.version and s.state = e.from_state
                 where s.connection = 'netsuite' and e.duration_ms is not null
            ), posted as (
                select count(*) as n from o2c.instance where workflow = 'order_to_cash' and context ? 'sales_order_id'
            ), created as (
                -- Shoppers whose customer an order created (each once, however many orders they placed).
                select count(distinct i.context->>'customer_external_id') as n
                  from o2c.event e join o2c.instance i on i.id = e.workflow_id and i.workflow = 'order_to_cash'
                 where e.from_state = 'create_customer' and e.outcome in ('ok', 'duplicate')
            )
            select json_build_object(
                'customers_imported', (select count(*) from o2c.customer_link where linked_by = 'import'),
                'first_orders_without_find', (select count(*) from o2c.event e join o2c.instance i on i.id = e.workflow_id
                                               where i.workflow = 'order_to_cash' and e.outcome = 'new'),
                'netsuite_calls_per_order_posting', (select round(calls.posting::numeric / nullif(posted.n, 0), 2) from calls, posted),
                -- The least the day's shoppers allow: one sales order per order and one customer per
                -- shopper new to NetSuite, nothing else (no find, no call made twice).
                'netsuite_calls_per_order_floor', (select round((posted.n + created.n)::numeric / nullif(posted.n, 0), 2) from posted, created),
                'netsuite_calls_per_order', (select round(calls.all_calls::numeric / nullif(posted.n, 0), 2) from calls, posted))"
}
