/* Order-to-cash end to end: Centra orders in the Centra sandbox become customers and sales orders
 * in the NetSuite sandbox, through the shipped pipelines (workflows/), the mapping tables and real
 * runners, with faults on in both sandboxes. What NetSuite holds afterwards is checked against
 * what Centra holds, to the cent, by SQL over both sandboxes' records. */
#include "tests/support/centra_shop.h"
#include "tests/support/erp_pair.h"
#include "tests/support/harness.h"
#include "tests/support/mappings.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"
#include "tests/support/sandbox_client.h"

#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NETSUITE_LIMIT 10   /* o2c.connection netsuite.max_concurrent; the sandbox allows 15 */

static tsup_erp_pair pair;
static PGconn *db;
static tsb_sandbox *netsuite = &pair.erp, *centra = &pair.centra;

/* ---- set-up ------------------------------------------------------------------------------------ */

static int set_up(void)
{
    /* Faults in both: throttling, 5xx, record locks, cut-off bodies, a few dropped connections. */
    const char *ns_args[] = {"--random-seed", "11", "--latency-ms", "3",
                             "--faults", "429=0.02,503=0.02,lock=0.02,malformed=0.005,timeout=0.002",
                             "--fault-timeout-ms", "1500", NULL};
    const char *centra_args[] = {"--random-seed", "11", "--faults", "429=0.03,503=0.03,malformed=0.01", NULL};
    if (tsup_erp_pair_start(&pair, "netsuite", "o2c_test_order_to_cash", ns_args, centra_args, NULL) != 0)
        return -1;
    db = pair.db;
    return 0;
}

static int tear_down(void)
{
    return tsup_erp_pair_stop(&pair);
}

/* ---- helpers --------------------------------------------------------------------------------- */

/* GET /_sandbox/records/<type> of the NetSuite sandbox as text (caller frees). */
static char *netsuite_records(const char *type)
{
    char url[256];
    snprintf(url, sizeof url, "%s/_sandbox/records/%s", netsuite->base, type);
    tsb_response res;
    char *text = NULL;
    if (tsb_http("GET", url, NULL, NULL, 0, &res) == 0 && res.status == 200)
        text = strdup(res.body);
    tsb_response_free(&res);
    return text ? text : strdup("{\"records\":[]}");
}

static pid_t start_runner(const char *id)
{
    const char *args[] = {"--runner-id", id, "--concurrency", "8", "--lease-seconds", "4", "--poll-ms", "200", NULL};
    return tproc_runner(pair.conninfo, pair.logs, args);
}

static void start_poller(void)
{
    CU_ASSERT(tpg_ok(db, "select o2c.start('centra_order_poll', 'centra:1', "
                         "'{\"store\":\"1\",\"poll_interval_ms\":200,\"page_size\":100}')", 0, NULL));
}

/* Copies both sandboxes' records into temporary tables the checks below read:
 * centra_order(doc), ns_sales_order(doc), ns_customer(doc), ns_customer_deposit(doc). */
static void snapshot_sandboxes(void)
{
    char *orders = tsup_centra_orders_json(centra), *so = netsuite_records("salesOrder"), *cust = netsuite_records("customer");
    char *dep = netsuite_records("customerDeposit");
    const char *p[] = {orders, so, cust, dep};
    CU_ASSERT(tpg_ok(db, "drop table if exists centra_order, ns_sales_order, ns_customer, ns_customer_deposit", 0, NULL));
    CU_ASSERT(tpg_ok(db, "create temp table ns_customer_deposit as select value as doc from jsonb_array_elements($1::jsonb->'records')", 1, p + 3));
    free(dep);
    CU_ASSERT(tpg_ok(db, "create temp table centra_order as select value as doc from jsonb_array_elements($1::jsonb)", 1, p));
    CU_ASSERT(tpg_ok(db, "create temp table ns_sales_order as select value as doc from jsonb_array_elements($1::jsonb->'records')", 1, p + 1));
    CU_ASSERT(tpg_ok(db, "create temp table ns_customer as select value as doc from jsonb_array_elements($1::jsonb->'records')", 1, p + 2));
    free(orders);
    free(so);
    free(cust);
}

/* Runs a check query that lists offending rows; prints the first few and returns how many. */
static long long offenders(const char *what, const char *sql)
{
    PGresult *r = tpg_query(db, sql, 0, NULL);
    if (!r)
        return -1;
    long long n = PQntuples(r);
    for (int i = 0; i < n && i < 5; i++)
        fprintf(stderr, "  %s: %s\n", what, PQgetvalue(r, i, 0));
    PQclear(r);
    return n;
}

/* ---- 1,000 orders, 3 runners, faults, a SIGKILL ------------------------------------------------ */

static void test_thousand_orders_post_exactly_once_to_the_cent(void)
{
    CU_ASSERT_FATAL(tsup_centra_place_orders(centra, 1000, 0) > 0);
    start_poller();
    pid_t runners[3] = {start_runner("r1"), start_runner("r2"), start_runner("r3")};
    CU_ASSERT_FATAL(runners[0] > 0 && runners[1] > 0 && runners[2] > 0);

    /* Kill r1 mid-flight, while it holds leases, once a third of the orders are in NetSuite. */
    CU_ASSERT(tpg_wait_for(db, "select (count(*) >= 333)::int from o2c.instance where workflow = 'order_to_cash' and state = 'posted'", 1, 300 * 1000));
    for (int i = 0; i < 500; i++) {
        if (tpg_number(db, "select count(*) from o2c.step where leased_by = 'r1' and leased_until > now()", 0, NULL) > 0)
            break;
        tproc_sleep_ms(5);
    }
    kill(runners[0], SIGKILL);
    CU_ASSERT_EQUAL(tproc_wait(runners[0]), 128 + SIGKILL);
    runners[0] = start_runner("r1");

    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'order_to_cash' and status = 'done'", 1000, 600 * 1000));
    for (int i = 0; i < 3; i++) {
        kill(runners[i], SIGTERM);
        CU_ASSERT_EQUAL(tproc_wait(runners[i]), 0);
    }

    /* Nothing lost: every Centra order has its workflow, posted. */
    snapshot_sandboxes();
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from centra_order", 0, NULL), 1000);
    CU_ASSERT_EQUAL(offenders("order without a posted workflow",
        "select o.doc->>'number' from centra_order o where not exists (select from o2c.instance i "
        " where i.workflow = 'order_to_cash' and i.business_key = 'centra:1:' || (o.doc->>'number') and i.state = 'posted')"), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL), 0);

    /* Exactly one sales order per order, none twice (the sandbox's own count). */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from ns_sales_order", 0, NULL), 1000);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(netsuite->port, "duplicate_external_ids"), 0);
    CU_ASSERT_EQUAL(offenders("order without exactly one sales order",
        "select o.doc->>'number' from centra_order o "
        " where (select count(*) from ns_sales_order s where s.doc->>'externalId' = 'CENTRA-1-' || (o.doc->>'number')) <> 1"), 0);

    /* Each order's captured payment: exactly one customer deposit, of what Centra charged, on its
     * own sales order and customer, into the clearing account of its payment (the mapping). */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from ns_customer_deposit", 0, NULL), 1000);
    CU_ASSERT_EQUAL(offenders("order without exactly one deposit of its total",
        "select format('order %s: %s deposits', o.doc->>'number', count(d.doc)) from centra_order o "
        "  join ns_sales_order s on s.doc->>'externalId' = 'CENTRA-1-' || (o.doc->>'number') "
        "  left join ns_customer_deposit d on d.doc->>'externalId' = 'DEP-CENTRA-1-' || (o.doc->>'number') "
        "       and (d.doc->>'payment')::numeric = (o.doc#>>'{grandTotal,value}')::numeric "
        "       and d.doc#>>'{salesOrder,id}' = s.doc->>'id' and d.doc#>>'{customer,id}' = s.doc#>>'{entity,id}' "
        "       and d.doc#>>'{account,id}' = (select g.erp_account_id from o2c.payment_account_map m "
        "                                      join o2c.gl_account_map g on g.erp_connection = m.erp_connection and g.account = m.account "
        "                                     where m.erp_connection = 'netsuite' and m.payment = o.doc#>>'{paymentMethod,plugin}') "
        " group by o.doc->>'number' having count(d.doc) <> 1"), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.order_payment p join o2c.canonical_order o using (order_key) "
                                   "where p.amount = o.captured_amount", 0, NULL), 1000);

    /* Totals and tax to the cent: NetSuite's total is what Centra charged, its tax Centra's tax. */
    CU_ASSERT_EQUAL(offenders("total or tax differs",
        "select format('order %s: NetSuite total %s tax %s, Centra %s tax %s', o.doc->>'number', s.doc->>'total', "
        "       s.doc->>'taxTotal', o.doc#>>'{grandTotal,value}', "
        "       (o.doc#>>'{totals,taxIncluded,value}')::numeric + (o.doc#>>'{totals,taxAdded,value}')::numeric) "
        "  from centra_order o join ns_sales_order s on s.doc->>'externalId' = 'CENTRA-1-' || (o.doc->>'number') "
        " where (s.doc->>'total')::numeric <> (o.doc#>>'{grandTotal,value}')::numeric "
        "    or (s.doc->>'taxTotal')::numeric <> (o.doc#>>'{totals,taxIncluded,value}')::numeric "
        "                                        + (o.doc#>>'{totals,taxAdded,value}')::numeric"), 0);

    /* The right lines: per product, the NetSuite item of the SKU, the quantity, and amount + tax =
     * the original price × quantity (the campaign discount is a line of its own). */
    CU_ASSERT_EQUAL(offenders("product lines differ",
        "with want as ("
        "  select o.doc->>'number' as number, jsonb_agg(jsonb_build_array(m.erp_item_id, (l->>'quantity')::numeric, "
        "         (l#>>'{unitOriginalPrice,value}')::numeric * (l->>'quantity')::numeric) order by m.erp_item_id) as lines "
        "    from centra_order o cross join jsonb_array_elements(o.doc->'lines') l "
        "    join o2c.sku_map m on m.storefront_connection = 'centra' and m.erp_connection = 'netsuite' and m.sku = l#>>'{productSize,SKU}' "
        "   where (l->>'quantity')::numeric > 0 group by 1), "
        "got as ("
        "  select s.doc->>'otherRefNum' as number, jsonb_agg(jsonb_build_array(l#>>'{item,id}', (l->>'quantity')::numeric, "
        "         (l->>'amount')::numeric + (l->>'tax1Amt')::numeric) order by l#>>'{item,id}') as lines "
        "    from ns_sales_order s cross join jsonb_array_elements(s.doc#>'{item,items}') l "
        "   where l#>>'{item,id}' not in ('2001', '2002') group by 1) "
        "select format('order %s: want %s got %s', want.number, want.lines, got.lines) "
        "  from want left join got using (number) where got.lines is distinct from want.lines"), 0);

    /* Shipping and discounts: the shipping line is Centra's shipping (with its tax where Centra's
     * prices include tax), the discount lines take off exactly Centra's discount. */
    CU_ASSERT_EQUAL(offenders("shipping or discount differs",
        "select format('order %s: shipping %s got %s/%s, discount %s got %s', o.doc->>'number', "
        "              o.doc#>>'{totals,shipping,value}', x.ship_net, x.ship_gross, o.doc#>>'{totals,discount,value}', x.disc) "
        "  from centra_order o join ns_sales_order s on s.doc->>'otherRefNum' = o.doc->>'number' "
        " cross join lateral (select coalesce(sum((l->>'amount')::numeric) filter (where l#>>'{item,id}' = '2001'), 0) as ship_net, "
        "                            coalesce(sum((l->>'amount')::numeric + (l->>'tax1Amt')::numeric) "
        "                                     filter (where l#>>'{item,id}' = '2001'), 0) as ship_gross, "
        "                            coalesce(-sum((l->>'amount')::numeric + (l->>'tax1Amt')::numeric) "
        "                                     filter (where l#>>'{item,id}' = '2002'), 0) as disc "
        "                       from jsonb_array_elements(s.doc#>'{item,items}') l) x "
        " where x.disc <> (o.doc#>>'{totals,discount,value}')::numeric "
        "    or (o.doc#>>'{totals,shipping,value}')::numeric <> "
        "       case when (o.doc#>>'{totals,taxAdded,value}')::numeric > 0 then x.ship_net else x.ship_gross end"), 0);

    /* Currency and payment method as mapped. */
    CU_ASSERT_EQUAL(offenders("currency or payment differs",
        "select o.doc->>'number' from centra_order o join ns_sales_order s on s.doc->>'otherRefNum' = o.doc->>'number' "
        "  join o2c.currency_map c on c.erp_connection = 'netsuite' and c.currency = o.doc#>>'{currency,code}' "
        "  join o2c.payment_map p on p.storefront_connection = 'centra' and p.payment_method = o.doc#>>'{paymentMethod,uri}' "
        " where s.doc#>>'{currency,id}' <> c.erp_currency_id or s.doc#>>'{paymentMethod,id}' is distinct from p.erp_payment_method_id"), 0);

    /* The customer: the shopper's, by email; one per distinct shopper; created before the order. */
    CU_ASSERT_EQUAL(offenders("sales order for the wrong customer",
        "select o.doc->>'number' from centra_order o join ns_sales_order s on s.doc->>'otherRefNum' = o.doc->>'number' "
        "  left join ns_customer c on c.doc->>'id' = s.doc#>>'{entity,id}' "
        " where lower(c.doc->>'email') is distinct from lower(o.doc#>>'{customer,email}')"), 0);
    CU_ASSERT_EQUAL(offenders("two customers for one shopper",
        "select lower(doc->>'email') from ns_customer group by 1 having count(*) > 1"), 0);
    CU_ASSERT_EQUAL(tpg_number(db,
        "select count(*) from ns_customer where doc->>'externalId' like 'SHOPPER-%'", 0, NULL),
        tpg_number(db, "select count(distinct lower(o.doc#>>'{customer,email}')) from centra_order o "
                       "where lower(o.doc#>>'{customer,email}') not in (select lower(doc->>'email') from ns_customer "
                       "                                                where doc->>'externalId' is null)", 0, NULL));
    CU_ASSERT_EQUAL(offenders("sales order made before its customer",
        "select s.doc->>'otherRefNum' from ns_sales_order s join ns_customer c on c.doc->>'id' = s.doc#>>'{entity,id}' "
        " where (c.doc->>'seq')::bigint >= (s.doc->>'seq')::bigint"), 0);

    /* The fleet kept to its NetSuite limit; NetSuite never had to refuse for concurrency. */
    long long max_conc = tproc_sandbox_stat(netsuite->port, "max_concurrency");
    CU_ASSERT(max_conc >= 2 && max_conc <= NETSUITE_LIMIT);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(netsuite->port, "throttled"), 0);
    /* The faults were real: the runs met them and the outcome above holds anyway. */
    CU_ASSERT(tpg_number(db, "select count(*) from o2c.event where outcome in ('retry', 'throttled', 'locked')", 0, NULL) > 0);
    /* Every step stays within its own sandbox's faults: the views answer for the people. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.order_bottlenecks", 0, NULL), 0);
    CU_ASSERT(tpg_number(db, "select count(*) from o2c.api_performance where connection = 'netsuite' "
                             "and period = 'last hour' and calls > 0", 0, NULL) >= 2);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.sync_health where stream = 'centra_order_poll centra:1' "
                                   "and last_success_at is not null", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.sync_health where stream = 'order_to_cash' "
                                   "and in_exception = 0 and open = 0", 0, NULL), 1);
    /* Chains (runner/chain.h): an order's map ran on into linked_customer under the same lease,
     * each its own event. Not every order: a map that starts a cancellation, or a step taken
     * over after the runner was killed, is not chained. */
    CU_ASSERT(tpg_number(db, "select count(*) from o2c.event m join o2c.event l on l.workflow_id = m.workflow_id "
                             " and l.from_state = 'linked_customer' and l.claimed_at = m.claimed_at and l.id > m.id "
                             "where m.from_state = 'map' and m.to_state = 'linked_customer' and m.outcome = 'ok'", 0, NULL) >= 500);
}

/* ---- an unmapped SKU, fixed by the business ------------------------------------------------- */

static void test_unmapped_sku_is_fixed_by_a_mapping_and_a_redrive(void)
{
    long number = tsup_centra_place_orders(centra, 1, 1.0); /* its one unknown line: a product never set up in NetSuite */
    CU_ASSERT_FATAL(number > 0);
    char key[64], num[32];
    snprintf(key, sizeof key, "centra:1:%ld", number);
    snprintf(num, sizeof num, "%ld", number);
    pid_t runner = start_runner("fixer");
    char sql[512];
    snprintf(sql, sizeof sql, "select count(*) from o2c.exceptions where business_key = '%s'", key);
    CU_ASSERT_FATAL(tpg_wait_for(db, sql, 1, 120 * 1000));

    const char *p[] = {key};
    PGresult *r = tpg_query(db,
        "select e.owner, e.category, e.message, l#>>'{productSize,SKU}', e.workflow_id "
        "  from o2c.exceptions e join o2c.instance i on i.id = e.workflow_id "
        " cross join jsonb_array_elements(i.context#>'{order,lines}') l "
        " where e.business_key = $1 and l#>>'{productSize,SKU}' like 'NDT-NEW-%'", 1, p);
    CU_ASSERT_FATAL(r && PQntuples(r) == 1);
    CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 0), "ops");
    CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 1), "unmapped_sku");
    CU_ASSERT_PTR_NOT_NULL(strstr(PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3))); /* names the SKU */
    CU_ASSERT_PTR_NOT_NULL(strstr(PQgetvalue(r, 0, 2), "insert into o2c.sku_map"));
    char sku[64], id[32];
    snprintf(sku, sizeof sku, "%s", PQgetvalue(r, 0, 3));
    snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 4));
    PQclear(r);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(netsuite->port, "records_by_type.salesOrder"), 1000); /* nothing posted */

    /* The people running the business see it among the orders not in the ERP, with the reason. */
    const char *b[] = {key, sku};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.order_bottlenecks where business_key = $1 and status = 'exception' "
                                   "and owner = 'ops' and stage = 'map' and strpos(reason, $2) > 0 and age >= interval '0' "
                                   "and redrive_sql is not null", 2, b), 1);

    /* Ops sets the item up in NetSuite (here: it is item 1001) and maps it; one call re-drives. */
    const char *fix[] = {sku};
    CU_ASSERT(tpg_ok(db, "insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id) values ('centra', $1, 'netsuite', '1001')", 1, fix));
    const char *redrive[] = {id};
    CU_ASSERT(tpg_ok(db, "select o2c.redrive($1::bigint)", 1, redrive));
    snprintf(sql, sizeof sql, "select count(*) from o2c.instance where business_key = '%s' and state = 'posted'", key);
    CU_ASSERT(tpg_wait_for(db, sql, 1, 120 * 1000));
    kill(runner, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(runner), 0);

    snapshot_sandboxes();
    const char *n[] = {num};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from ns_sales_order s cross join jsonb_array_elements(s.doc#>'{item,items}') l "
                                   "where s.doc->>'otherRefNum' = $1 and l#>>'{item,id}' = '1001'", 1, n), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from ns_sales_order s join centra_order o on o.doc->>'number' = s.doc->>'otherRefNum' "
                                   "where s.doc->>'otherRefNum' = $1 and (s.doc->>'total')::numeric = (o.doc#>>'{grandTotal,value}')::numeric",
                               1, n), 1);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(netsuite->port, "duplicate_external_ids"), 0);
}

/* ---- cancellations ----------------------------------------------------------------------------- */

static void test_cancellations_before_and_after_posting(void)
{
    long last = tsup_centra_place_orders(centra, 2, 0);
    CU_ASSERT_FATAL(last > 1);
    char path[96], before[32], after[32];
    snprintf(before, sizeof before, "%ld", last - 1);
    snprintf(after, sizeof after, "%ld", last);
    /* Customer service cancels one before the integration has seen it. */
    snprintf(path, sizeof path, "/_sandbox/orders/%ld/cancel", last - 1);
    json_object_put(tsb_control(centra, path, NULL));
    pid_t runner = start_runner("cancels");

    char sql[512];
    snprintf(sql, sizeof sql, "select count(*) from o2c.instance where business_key = 'centra:1:%ld' and state = 'posted'", last);
    CU_ASSERT_FATAL(tpg_wait_for(db, sql, 1, 120 * 1000));
    snprintf(sql, sizeof sql, "select count(*) from o2c.instance where (business_key, state) in "
                              "(('centra:1:%ld', 'cancelled_before_posting'), ('centra:1:%ld:cancel', 'not_posted'))",
             last - 1, last - 1);
    CU_ASSERT(tpg_wait_for(db, sql, 2, 120 * 1000));

    /* And one after it reached NetSuite: the poller sees the change, the sales order is closed. */
    snprintf(path, sizeof path, "/_sandbox/orders/%ld/cancel", last);
    json_object_put(tsb_control(centra, path, NULL));
    snprintf(sql, sizeof sql, "select count(*) from o2c.instance where business_key = 'centra:1:%ld:cancel' and state = 'closed'", last);
    CU_ASSERT(tpg_wait_for(db, sql, 1, 120 * 1000));
    kill(runner, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(runner), 0);

    snapshot_sandboxes();
    const char *p[] = {before, after};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from ns_sales_order where doc->>'otherRefNum' = $1", 1, p), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from ns_sales_order s cross join jsonb_array_elements(s.doc#>'{item,items}') l "
                                   "where s.doc->>'otherRefNum' = $1 and coalesce((l->>'isClosed')::boolean, false) = false",
                               1, p + 1), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from ns_sales_order where doc->>'otherRefNum' = $1 "
                                   "and doc->>'orderStatus' = 'Closed'", 1, p + 1), 1);
}

static CU_TestInfo tests[] = {
    {"1,000 orders, 3 runners, faults, SIGKILL: one sales order each, to the cent", test_thousand_orders_post_exactly_once_to_the_cent},
    {"an unmapped SKU: exception for ops, mapping inserted, one redrive, posted", test_unmapped_sku_is_fixed_by_a_mapping_and_a_redrive},
    {"cancelled before posting: nothing posted; after posting: sales order closed", test_cancellations_before_and_after_posting},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"order to cash", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return tsup_run_suites("integration/test_order_to_cash", suites);
}
