/* Shoppers and their ERP customers (issue 13's link table, issue 15 items 7 and 8), end to end:
 * order_to_cash workflows started on crafted Centra orders, run by a real runner against the
 * NetSuite sandbox. A returning shopper's order makes one NetSuite call for the order (and one
 * for its captured payment); one shopper is one
 * customer across stores, even with two orders at once; a link NetSuite refuses is repaired;
 * NetSuite's duplicate detection (DUP_RCRD) is answered by finding the customer; and a
 * cancellation asks NetSuite before believing "never posted". */
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

static char conninfo[1024];
static PGconn *db;
static char logs[256];
static tsb_sandbox netsuite;
static pid_t runner;

/* A Swedish order as Centra sends it (one line, shipping, 25 % VAT included); the test sets the
 * number, store, customer and a SKU the sandbox's catalogue has. */
static const char *const ORDER =
    "{\"id\":5,\"number\":1,\"status\":\"CONFIRMED\",\"createdAt\":\"2026-11-23T23:54:04+00:00\","
    "\"updatedAt\":\"2026-11-23T23:54:04+00:00\","
    "\"currency\":{\"code\":\"SEK\"},\"grandTotal\":{\"value\":288.2},"
    "\"totals\":{\"itemsTotal\":{\"value\":239.2},\"discount\":{\"value\":59.8},\"shipping\":{\"value\":49.0},"
    "\"taxAdded\":{\"value\":0.0},\"taxIncluded\":{\"value\":57.64},\"grandTotal\":{\"value\":288.2}},"
    "\"discountsApplied\":[{\"name\":\"Winter sale 20 %\",\"code\":\"WINTER20\",\"value\":{\"value\":59.8}}],"
    "\"paymentMethod\":{\"id\":1,\"uri\":\"klarna-checkout\"},"
    "\"customer\":{\"id\":1,\"email\":\"x@example.se\",\"firstName\":\"Astrid\",\"lastName\":\"Lindqvist\"},"
    "\"billingAddress\":{\"firstName\":\"Astrid\",\"lastName\":\"Lindqvist\",\"address1\":\"Prinsengracht 96\","
    "\"city\":\"Stockholm\",\"zipCode\":\"170 48\",\"country\":{\"code\":\"SE\"}},"
    "\"shippingAddress\":{\"firstName\":\"Astrid\",\"lastName\":\"Lindqvist\",\"address1\":\"Prinsengracht 96\","
    "\"city\":\"Stockholm\",\"zipCode\":\"170 48\",\"country\":{\"code\":\"SE\"}},"
    "\"lines\":[{\"id\":14,\"productName\":\"Field Cap\",\"productSize\":{\"SKU\":\"?\"},"
    "\"quantity\":1,\"cancelledQuantity\":0,\"unitOriginalPrice\":{\"value\":299.0},\"unitPrice\":{\"value\":239.2},"
    "\"taxPercent\":25.0,\"lineValue\":{\"value\":239.2},\"lineValueExTax\":{\"value\":191.36}}]}";

static int set_up(void)
{
    db = tpg_fresh("o2c_test_customer_links", conninfo, sizeof conninfo);
    if (!db)
        return -1;
    snprintf(logs, sizeof logs, "/tmp/o2c-test-links.%d.log", (int)getpid());
    setenv("NETSUITE_ACCOUNT", TSB_NS_ACCOUNT, 1);
    setenv("NETSUITE_CONSUMER_KEY", TSB_NS_CONSUMER_KEY, 1);
    setenv("NETSUITE_CONSUMER_SECRET", TSB_NS_CONSUMER_SECRET, 1);
    setenv("NETSUITE_TOKEN_ID", TSB_NS_TOKEN_ID, 1);
    setenv("NETSUITE_TOKEN_SECRET", TSB_NS_TOKEN_SECRET, 1);
    if (tsb_start_logged(&netsuite, "netsuite", NULL, logs) != 0)
        return -1;
    const char *p[] = {netsuite.base};
    if (!tpg_ok(db, "update o2c.connection set base_url = $1 where name = 'netsuite'", 1, p) || tsup_load_nordtrail_mappings(db, &netsuite, NULL) != 0)
        return -1;
    /* The crafted orders buy the catalogue's first product. */
    const char *o[] = {ORDER};
    if (!tpg_ok(db, "create table test_order as select jsonb_set($1::jsonb, '{lines,0,productSize,SKU}', "
                    "to_jsonb((select sku from o2c.sku_map order by sku limit 1))) as doc", 1, o))
        return -1;
    const char *args[] = {"--runner-id", "links", "--concurrency", "8", "--poll-ms", "100", NULL};
    runner = tproc_runner(conninfo, logs, args);
    return runner > 0 ? 0 : -1;
}

static int tear_down(void)
{
    if (runner > 0) {
        kill(runner, SIGTERM);
        tproc_wait(runner);
    }
    int ns = tsb_stop(&netsuite);
    PQfinish(db);
    if (CU_get_number_of_tests_failed() == 0)
        unlink(logs);
    else
        fprintf(stderr, "runner and sandbox logs kept in %s\n", logs);
    return ns == 0 ? 0 : -1;
}

/* ---- helpers --------------------------------------------------------------------------------- */

/* Starts order_to_cash for the crafted order with this number, store, customer id and email. */
static int start_order(const char *number, const char *store, const char *customer_id, const char *email)
{
    const char *p[] = {number, store, customer_id, email};
    return tpg_ok(db,
        "select o2c.start('order_to_cash', o2c.order_key('centra', $2, $1), jsonb_build_object("
        "  'source', 'centra', 'store', $2, 'order', jsonb_set(jsonb_set(jsonb_set(doc, '{number}', $1::numeric::text::jsonb), "
        "  '{customer,id}', $3::numeric::text::jsonb), '{customer,email}', to_jsonb($4::text)))) from test_order", 4, p);
}

/* Waits until the order's workflow is in `state`. */
static int wait_state(const char *number, const char *store, const char *state)
{
    char sql[512];
    snprintf(sql, sizeof sql, "select count(*) from o2c.instance where business_key = o2c.order_key('centra', '%s', '%s') "
                              "and state = '%s'", store, number, state);
    return tpg_wait_for(db, sql, 1, 60 * 1000);
}

static long long requests(void)
{
    return tproc_sandbox_stat(netsuite.port, "requests_total");
}

/* How many NetSuite customers have this email (any case). */
static long long customers_with_email(const char *email)
{
    char url[256];
    snprintf(url, sizeof url, "%s/_sandbox/records/customer", netsuite.base);
    tsb_response res;
    long long n = -1;
    if (tsb_http("GET", url, NULL, NULL, 0, &res) == 0 && res.status == 200) {
        const char *p[] = {res.body, email};
        n = tpg_number(db, "select count(*) from jsonb_array_elements($1::jsonb->'records') c "
                           "where lower(c->>'email') = lower($2)", 2, p);
    }
    tsb_response_free(&res);
    return n;
}

/* The NetSuite customer id a posted order's sales order points at. */
static void order_customer(const char *number, const char *store, char *out, size_t len)
{
    const char *p[] = {number, store};
    PGresult *r = tpg_query(db, "select context->>'customer_id' from o2c.instance "
                                "where business_key = o2c.order_key('centra', $2, $1)", 2, p);
    snprintf(out, len, "%s", r && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "(none)");
    PQclear(r);
}

static json_object *control(const char *path, const char *body)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", netsuite.base, path);
    const char *h[] = {"Content-Type: application/json", NULL};
    tsb_response res;
    json_object *out = NULL;
    if (tsb_http("POST", url, h, body, strlen(body), &res) == 0 && res.status / 100 == 2)
        out = tsb_json(&res);
    tsb_response_free(&res);
    return out;
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void test_a_returning_shoppers_order_makes_one_netsuite_call(void)
{
    CU_ASSERT_FATAL(start_order("500001", "1", "7001", "Returning.Shopper@Example.se"));
    CU_ASSERT_FATAL(wait_state("500001", "1", "posted"));
    /* New to NetSuite: found nowhere, created, and remembered. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.customer_link where email = 'returning.shopper@example.se' "
                                   "and erp_connection = 'netsuite' and linked_by = 'create'", 0, NULL), 1);
    char first[32], second[32];
    order_customer("500001", "1", first, sizeof first);

    long long before = requests();
    CU_ASSERT_FATAL(start_order("500002", "1", "7001", "returning.shopper@example.se"));
    CU_ASSERT_FATAL(wait_state("500002", "1", "posted"));
    /* the sales order and the payment captured (its customer deposit), nothing else */
    CU_ASSERT_EQUAL(requests() - before, 2);
    order_customer("500002", "1", second, sizeof second);
    CU_ASSERT_STRING_EQUAL(first, second);
    CU_ASSERT_EQUAL(customers_with_email("returning.shopper@example.se"), 1);
}

static void test_one_shopper_is_one_customer_across_stores_even_at_once(void)
{
    /* Two stores, two Centra customer ids, one email, started in one transaction: both race
     * through find (nothing) and create. */
    CU_ASSERT_FATAL(tpg_ok(db, "begin", 0, NULL));
    CU_ASSERT(start_order("600001", "1", "8001", "twin.stores@example.se"));
    CU_ASSERT(start_order("600001", "2", "9001", "Twin.Stores@example.se"));
    CU_ASSERT_FATAL(tpg_ok(db, "commit", 0, NULL));
    CU_ASSERT_FATAL(wait_state("600001", "1", "posted"));
    CU_ASSERT_FATAL(wait_state("600001", "2", "posted"));
    CU_ASSERT_EQUAL(customers_with_email("twin.stores@example.se"), 1);
    char a[32], b[32];
    order_customer("600001", "1", a, sizeof a);
    order_customer("600001", "2", b, sizeof b);
    CU_ASSERT_STRING_EQUAL(a, b);
    /* Both sales orders exist, one per store (their external ids differ by store). */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.erp_order where order_key in ('centra:1:600001', 'centra:2:600001') "
                                   "and erp_order_id is not null", 0, NULL), 2);
}

static void test_a_link_netsuite_refuses_is_forgotten_and_the_customer_found_again(void)
{
    /* The shopper's customer was deleted (or merged away) in NetSuite after it was linked. */
    CU_ASSERT_FATAL(tpg_ok(db, "insert into o2c.customer_link (erp_connection, email, erp_customer_id, linked_by) "
                               "values ('netsuite', 'merged.away@example.se', '999999', 'find')", 0, NULL));
    CU_ASSERT_FATAL(start_order("700001", "1", "7101", "merged.away@example.se"));
    CU_ASSERT_FATAL(wait_state("700001", "1", "posted"));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.business_key = 'centra:1:700001' and e.outcome = 'customer_refused'", 0, NULL), 1);
    char id[32];
    order_customer("700001", "1", id, sizeof id);
    CU_ASSERT_STRING_NOT_EQUAL(id, "999999");
    const char *p[] = {id};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.customer_link where email = 'merged.away@example.se' "
                                   "and erp_customer_id = $1", 1, p), 1);
    CU_ASSERT_EQUAL(customers_with_email("merged.away@example.se"), 1);
}

static void test_netsuite_calling_a_new_customer_a_duplicate_leads_to_finding_it(void)
{
    /* NetSuite's duplicate detection is on, and a customer typed in by hand has the shopper's email
     * with one letter in another case: SuiteQL matches a value beyond ASCII exactly, so the find
     * misses it, and the create is refused DUP_RCRD. */
    json_object_put(control("/_sandbox/netsuite/settings", "{\"duplicate_email\":true}"));
    tsb_response res;
    CU_ASSERT_FATAL(tsb_netsuite(&netsuite, "POST", "/services/rest/record/v1/customer",
                                 "{\"isPerson\":true,\"firstName\":\"Zoë\",\"lastName\":\"Berg\",\"email\":\"Zoë.berg@example.se\"}",
                                 NULL, &res) == 0);
    CU_ASSERT_FATAL(res.status == 204);
    const char *slash = strrchr(res.location, '/');
    char hand_made[32];
    snprintf(hand_made, sizeof hand_made, "%s", slash ? slash + 1 : "");
    tsb_response_free(&res);

    CU_ASSERT_FATAL(start_order("800001", "1", "7201", "zoë.berg@example.se"));
    /* Not found by email either: an exception for ops naming the email, nothing created. */
    char sql[256];
    snprintf(sql, sizeof sql, "select count(*) from o2c.exceptions where business_key = 'centra:1:800001' "
                              "and owner = 'ops' and category = 'remote_rejected' and strpos(message, 'zoë.berg@example.se') > 0");
    CU_ASSERT_FATAL(tpg_wait_for(db, sql, 1, 60 * 1000));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.business_key = 'centra:1:800001' and e.outcome = 'duplicate'", 0, NULL), 1);
    CU_ASSERT_EQUAL(customers_with_email("zoë.berg@example.se"), 1);

    /* Ops corrects the email in NetSuite and re-drives: the duplicate is found and used. */
    char path[128];
    snprintf(path, sizeof path, "/services/rest/record/v1/customer/%s", hand_made);
    CU_ASSERT(tsb_netsuite(&netsuite, "PATCH", path, "{\"email\":\"zoë.berg@example.se\"}", NULL, &res) == 0 &&
              res.status == 204);
    tsb_response_free(&res);
    CU_ASSERT(tpg_ok(db, "select o2c.redrive(id) from o2c.instance where business_key = 'centra:1:800001'", 0, NULL));
    CU_ASSERT_FATAL(wait_state("800001", "1", "posted"));
    char id[32];
    order_customer("800001", "1", id, sizeof id);
    CU_ASSERT_STRING_EQUAL(id, hand_made);
    CU_ASSERT_EQUAL(customers_with_email("zoë.berg@example.se"), 1);
    json_object_put(control("/_sandbox/netsuite/settings", "{\"duplicate_email\":false}"));
}

static void test_a_cancellation_asks_netsuite_before_concluding_never_posted(void)
{
    /* The sales order reached NetSuite but o2c never heard (the answer was lost, then an
     * exception, the cancellation, a re-drive that saw it): order_to_cash ends without a
     * sales order id. */
    CU_ASSERT_FATAL(start_order("900001", "1", "7301", "lost.answer@example.se"));
    CU_ASSERT_FATAL(wait_state("900001", "1", "posted"));
    CU_ASSERT_FATAL(tpg_ok(db, "update o2c.instance set state = 'cancelled_before_posting', "
                               "context = context - 'sales_order_id' - 'sales_order_external_id' "
                               "where business_key = 'centra:1:900001'", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('order_cancellation', 'centra:1:900001:cancel', jsonb_build_object("
                               "'source', 'centra', 'store', '1', 'order', jsonb_set(jsonb_set(doc, '{number}', '900001'), "
                               "'{status}', '\"CANCELLED\"'))) from test_order", 0, NULL));
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where business_key = 'centra:1:900001:cancel' "
                               "and state = 'closed'", 1, 60 * 1000));
    tsb_response res;
    CU_ASSERT_FATAL(tsb_netsuite(&netsuite, "GET", "/services/rest/record/v1/salesOrder/eid:CENTRA-1-900001", NULL, NULL, &res) == 0);
    json_object *so = tsb_json(&res);
    CU_ASSERT_STRING_EQUAL(tsb_str(so, "orderStatus"), "Closed");
    json_object_put(so);
    tsb_response_free(&res);

    /* One that truly never reached NetSuite: asked, not there, not posted. */
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('order_cancellation', 'centra:1:900002:cancel', jsonb_build_object("
                               "'source', 'centra', 'store', '1', 'order', jsonb_set(jsonb_set(doc, '{number}', '900002'), "
                               "'{status}', '\"CANCELLED\"'))) from test_order", 0, NULL));
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where business_key = 'centra:1:900002:cancel' "
                               "and state = 'not_posted'", 1, 60 * 1000));
}

/* A two-line Swedish order without discount or shipping; line 2 has two units. */
static const char *const TWO_LINES =
    "{\"number\":1,\"status\":\"CONFIRMED\",\"createdAt\":\"2026-11-23T10:00:00+00:00\",\"updatedAt\":\"2026-11-23T10:00:00+00:00\","
    "\"currency\":{\"code\":\"SEK\"},\"grandTotal\":{\"value\":500.0},"
    "\"totals\":{\"itemsTotal\":{\"value\":500.0},\"discount\":{\"value\":0},\"shipping\":{\"value\":0},"
    "\"taxAdded\":{\"value\":0.0},\"taxIncluded\":{\"value\":100.0},\"grandTotal\":{\"value\":500.0}},"
    "\"paymentMethod\":{\"id\":1,\"uri\":\"klarna-checkout\"},"
    "\"customer\":{\"id\":7401,\"email\":\"two.lines@example.se\",\"firstName\":\"Ebba\",\"lastName\":\"Holm\"},"
    "\"shippingAddress\":{\"address1\":\"Sveavägen 1\",\"city\":\"Stockholm\",\"zipCode\":\"111 57\",\"country\":{\"code\":\"SE\"}},"
    "\"lines\":[{\"id\":1,\"productSize\":{\"SKU\":\"?\"},\"quantity\":1,\"cancelledQuantity\":0,"
    "\"unitOriginalPrice\":{\"value\":100.0},\"unitPrice\":{\"value\":100.0},\"taxPercent\":25.0,"
    "\"lineValue\":{\"value\":100.0},\"lineValueExTax\":{\"value\":80.0}},"
    "{\"id\":2,\"productSize\":{\"SKU\":\"?\"},\"quantity\":2,\"cancelledQuantity\":0,"
    "\"unitOriginalPrice\":{\"value\":200.0},\"unitPrice\":{\"value\":200.0},\"taxPercent\":25.0,"
    "\"lineValue\":{\"value\":400.0},\"lineValueExTax\":{\"value\":320.0}}]}";

/* The two-line order as number `number`, its line 2 left with `left` units (Centra's quantity is
 * the units left, cancelledQuantity the units cancelled), totals to match; line 2 was on sale
 * from `original` (200: no discount) a unit. */
static void start_discounted_two_lines(const char *workflow, const char *key_suffix, const char *number, int left,
                                       int original)
{
    char units[8], was[16];
    snprintf(units, sizeof units, "%d", left);
    snprintf(was, sizeof was, "%d", original);
    const char *p[] = {TWO_LINES, number, units, workflow, key_suffix, was};
    CU_ASSERT(tpg_ok(db,
        "with o as (select jsonb_set(jsonb_set(jsonb_set(jsonb_set($1::jsonb, '{number}', $2::numeric::text::jsonb), "
        "  '{lines,0,productSize,SKU}', to_jsonb((select sku from o2c.sku_map order by sku limit 1))), "
        "  '{lines,1,productSize,SKU}', to_jsonb((select sku from o2c.sku_map order by sku limit 1 offset 1))), "
        "  '{lines,1}', $1::jsonb#>'{lines,1}' || jsonb_build_object('quantity', $3::int, 'cancelledQuantity', 2 - $3::int, "
        "      'unitOriginalPrice', jsonb_build_object('value', $6::int), "
        "      'lineValue', jsonb_build_object('value', 200 * $3::int), 'lineValueExTax', jsonb_build_object('value', 160 * $3::int)))"
        "  as doc), "
        "f as (select jsonb_set(jsonb_set(jsonb_set(jsonb_set(jsonb_set(doc, '{lines,1,productSize,SKU}', "
        "  to_jsonb((select sku from o2c.sku_map order by sku limit 1 offset 1))), "
        "  '{grandTotal,value}', to_jsonb(100 + 200 * $3::int)), '{totals,grandTotal,value}', to_jsonb(100 + 200 * $3::int)), "
        "  '{totals,itemsTotal,value}', to_jsonb(100 + 200 * $3::int)), '{totals,taxIncluded,value}', to_jsonb(20 + 40 * $3::int)) as doc from o) "
        "select o2c.start($4, o2c.order_key('centra', '1', $2::text) || $5::text, "
        "  jsonb_build_object('source', 'centra', 'store', '1', 'order', doc)) from f", 6, p));
}

static void start_two_lines(const char *workflow, const char *key_suffix, const char *number, int left)
{
    start_discounted_two_lines(workflow, key_suffix, number, left, 200);
}

/* Line n of the NetSuite sales order CENTRA-1-<number>: "<amount> <tax1Amt>". */
static void netsuite_line_money(const char *number, int n, char *out, size_t len)
{
    char path[160];
    snprintf(path, sizeof path, "/services/rest/record/v1/salesOrder/eid:CENTRA-1-%s?expandSubResources=true", number);
    tsb_response res;
    snprintf(out, len, "(none)");
    if (tsb_netsuite(&netsuite, "GET", path, NULL, NULL, &res) == 0 && res.status == 200) {
        json_object *so = tsb_json(&res);
        json_object *line = json_object_array_get_idx(tsb_member(tsb_member(so, "item"), "items"), (size_t)n - 1);
        if (line)
            snprintf(out, len, "%g %g", json_object_get_double(tsb_member(line, "amount")),
                     json_object_get_double(tsb_member(line, "tax1Amt")));
        json_object_put(so);
    }
    tsb_response_free(&res);
}

/* Line n of the NetSuite sales order CENTRA-1-<number>: "open" or "closed" and its quantity. */
static void netsuite_line(const char *number, int n, char *out, size_t len)
{
    char path[160];
    snprintf(path, sizeof path, "/services/rest/record/v1/salesOrder/eid:CENTRA-1-%s?expandSubResources=true", number);
    tsb_response res;
    snprintf(out, len, "(none)");
    if (tsb_netsuite(&netsuite, "GET", path, NULL, NULL, &res) == 0 && res.status == 200) {
        json_object *so = tsb_json(&res);
        json_object *line = json_object_array_get_idx(tsb_member(tsb_member(so, "item"), "items"), (size_t)n - 1);
        if (line)
            snprintf(out, len, "%s %s", json_object_get_boolean(tsb_member(line, "isClosed")) ? "closed" : "open",
                     json_object_get_string(tsb_member(line, "quantity")));
        json_object_put(so);
    }
    tsb_response_free(&res);
}

static void test_cancelling_one_line_after_posting_closes_only_that_line(void)
{
    start_two_lines("order_to_cash", "", "910001", 2);
    CU_ASSERT_FATAL(wait_state("910001", "1", "posted"));
    /* All of line 2 is cancelled in Centra: the poller starts the cancellation with that snapshot. */
    start_two_lines("order_cancellation", ":cancel", "910001", 0);
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where business_key = 'centra:1:910001:cancel' "
                               "and state = 'lines_changed'", 1, 60 * 1000));
    char got[64];
    netsuite_line("910001", 1, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "open 1");
    netsuite_line("910001", 2, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "closed 2");
}

static void test_fewer_units_on_a_posted_line_change_only_that_line(void)
{
    start_two_lines("order_to_cash", "", "910002", 2);
    CU_ASSERT_FATAL(wait_state("910002", "1", "posted"));
    /* One of line 2's two units is cancelled in Centra. */
    start_two_lines("order_cancellation", ":cancel", "910002", 1);
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where business_key = 'centra:1:910002:cancel' "
                               "and state = 'lines_changed'", 1, 60 * 1000));
    char got[64];
    netsuite_line("910002", 1, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "open 1");
    netsuite_line_money("910002", 1, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "80 20");
    netsuite_line("910002", 2, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "open 1");
    netsuite_line_money("910002", 2, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "160 40");
}

static void test_a_discounted_line_cut_after_posting_shrinks_its_discount_line_too(void)
{
    /* Line 2 was on sale, 250 → 200 a unit (25 % VAT included): NetSuite holds its two units at
     * their price before the sale (400 + 100 tax) and a discount line of −80, −20 tax. */
    start_discounted_two_lines("order_to_cash", "", "910003", 2, 250);
    CU_ASSERT_FATAL(wait_state("910003", "1", "posted"));
    char got[64];
    netsuite_line_money("910003", 3, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "-80 -20");
    start_discounted_two_lines("order_cancellation", ":cancel", "910003", 1, 250);
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where business_key = 'centra:1:910003:cancel' "
                               "and state = 'lines_changed'", 1, 60 * 1000));
    netsuite_line_money("910003", 1, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "80 20");
    netsuite_line("910003", 2, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "open 1");
    netsuite_line_money("910003", 2, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "200 50");
    netsuite_line_money("910003", 3, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "-40 -10");
    /* What NetSuite holds is what the shopper now pays: 100 + 200. */
    tsb_response res;
    CU_ASSERT_FATAL(tsb_netsuite(&netsuite, "GET", "/services/rest/record/v1/salesOrder/eid:CENTRA-1-910003?expandSubResources=true",
                                 NULL, NULL, &res) == 0);
    const char *p[] = {res.body};
    CU_ASSERT_EQUAL(tpg_number(db, "select sum((l->>'amount')::numeric + (l->>'tax1Amt')::numeric) "
                                   "from jsonb_array_elements($1::jsonb#>'{item,items}') l", 1, p), 300);
    tsb_response_free(&res);
}

static void test_units_cut_below_what_shipped_are_for_ops_and_change_nothing(void)
{
    start_two_lines("order_to_cash", "", "910004", 2);
    CU_ASSERT_FATAL(wait_state("910004", "1", "posted"));
    /* The warehouse ships the whole order; then Centra says one unit of line 2 is cancelled. */
    char body[128];
    const char *p[] = {"centra:1:910004"};
    snprintf(body, sizeof body, "{\"salesOrder\":\"%lld\"}",
             tpg_number(db, "select erp_order_id::bigint from o2c.erp_order where order_key = $1", 1, p));
    json_object *shipped = control("/_sandbox/fulfilments", body);
    CU_ASSERT_PTR_NOT_NULL_FATAL(shipped);
    json_object_put(shipped);
    start_two_lines("order_cancellation", ":cancel", "910004", 1);
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.exceptions where business_key = 'centra:1:910004:cancel' "
                               "and category = 'cancelled_after_shipping' and owner = 'ops' "
                               "and strpos(message, 'line 2: 2 of 2 shipped') > 0", 1, 60 * 1000));
    char got[64];
    netsuite_line("910004", 2, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "open 2");
}

static void test_a_change_in_the_store_before_posting_reaches_netsuite(void)
{
    /* Stopped at map: its SKU was never set up in NetSuite. */
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('order_to_cash', 'centra:1:920001', jsonb_build_object('source', 'centra', "
                               "'store', '1', 'order', jsonb_set(jsonb_set(doc, '{number}', '920001'), '{lines,0,productSize,SKU}', "
                               "'\"NDT-NEVER-SET-UP\"'))) from test_order", 0, NULL));
    CU_ASSERT_FATAL(tpg_wait_for(db, "select count(*) from o2c.exceptions where business_key = 'centra:1:920001' "
                                     "and category = 'unmapped_sku'", 1, 60 * 1000));
    /* Customer service fixes the order in Centra: another product, another city. The poller
     * reads the change and starts the same workflow again with it. */
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('order_to_cash', 'centra:1:920001', jsonb_build_object('source', 'centra', "
                               "'store', '1', 'order', jsonb_set(jsonb_set(jsonb_set(doc, '{number}', '920001'), "
                               "'{updatedAt}', '\"2026-11-24T08:00:00+00:00\"'), '{shippingAddress,city}', '\"Göteborg\"'))) "
                               "from test_order", 0, NULL));
    /* The same snapshot read again (a page re-read) is not a change. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance_update u join o2c.instance i on i.id = u.instance_id "
                                   "where i.business_key = 'centra:1:920001'", 0, NULL), 1);
    CU_ASSERT(tpg_ok(db, "select o2c.redrive(id) from o2c.instance where business_key = 'centra:1:920001'", 0, NULL));
    CU_ASSERT_FATAL(wait_state("920001", "1", "posted"));
    tsb_response res;
    CU_ASSERT_FATAL(tsb_netsuite(&netsuite, "GET", "/services/rest/record/v1/salesOrder/eid:CENTRA-1-920001", NULL, NULL, &res) == 0);
    json_object *so = tsb_json(&res);
    CU_ASSERT_STRING_EQUAL(tsb_str(tsb_member(so, "shippingAddress"), "city"), "Göteborg");
    json_object_put(so);
    tsb_response_free(&res);
    /* Newer is by Centra's updatedAt, never by arrival: an older snapshot is not newer, nor is an
     * unreadable one. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from test_order, lateral (values "
        " (o2c.order_snapshot_newer('centra', 'centra', '1', jsonb_set(doc, '{updatedAt}', '\"2026-11-24T08:00:00+00:00\"'), doc), true), "
        " (o2c.order_snapshot_newer('centra', 'centra', '1', doc, jsonb_set(doc, '{updatedAt}', '\"2026-11-24T08:00:00+00:00\"')), false), "
        " (o2c.order_snapshot_newer('centra', 'centra', '1', jsonb_set(doc, '{updatedAt}', '\"yesterday-ish\"'), doc), false)) v(got, want) "
        "where got = want", 0, NULL), 3);
    /* The workflow's context holds the snapshot it posted. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where business_key = 'centra:1:920001' "
                                   "and context#>>'{order,shippingAddress,city}' = 'Göteborg'", 0, NULL), 1);
}

/* How many distinct emails (any case) NetSuite's customers have, and how many of them o2c links. */
static void directory_coverage(long long *emails, long long *linked)
{
    char url[256];
    snprintf(url, sizeof url, "%s/_sandbox/records/customer", netsuite.base);
    tsb_response res;
    *emails = *linked = -1;
    if (tsb_http("GET", url, NULL, NULL, 0, &res) == 0 && res.status == 200) {
        const char *p[] = {res.body};
        *emails = tpg_number(db, "select count(distinct lower(c->>'email')) from jsonb_array_elements($1::jsonb->'records') c "
                                 "where coalesce(c->>'email', '') <> ''", 1, p);
        *linked = tpg_number(db, "select count(*) from o2c.customer_link l where l.erp_connection = 'netsuite' and l.email in "
                                 "(select lower(c->>'email') from jsonb_array_elements($1::jsonb->'records') c)", 1, p);
    }
    tsb_response_free(&res);
}

/* A NetSuite customer made in NetSuite itself (not by o2c); answers its internal id. */
static void netsuite_customer(const char *email, char *id, size_t len)
{
    char body[256];
    snprintf(body, sizeof body, "{\"isPerson\":true,\"firstName\":\"Old\",\"lastName\":\"Customer\",\"email\":\"%s\"}", email);
    tsb_response res;
    id[0] = '\0';
    if (tsb_netsuite(&netsuite, "POST", "/services/rest/record/v1/customer", body, NULL, &res) == 0 && res.status == 204) {
        const char *slash = strrchr(res.location, '/');
        snprintf(id, len, "%s", slash ? slash + 1 : "");
    }
    tsb_response_free(&res);
    CU_ASSERT(id[0] != '\0');
}

static void test_with_the_erp_customers_imported_every_first_order_skips_the_find(void)
{
    char before_import[32], after_import[32], id[32];
    netsuite_customer("Before.Import@Example.se", before_import, sizeof before_import);
    /* The one-off import, and a round every hour after it. */
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('customer_directory', 'customers:netsuite', '{\"poll_interval_ms\": 3600000}')",
                           0, NULL));
    CU_ASSERT_FATAL(tpg_wait_for(db, "select count(*) from o2c.customer_directory where erp_connection = 'netsuite' "
                                     "and complete_at is not null", 1, 60 * 1000));
    long long emails, linked;
    directory_coverage(&emails, &linked);
    CU_ASSERT(emails > 1);
    CU_ASSERT_EQUAL(linked, emails);
    const char *b[] = {before_import};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.customer_link where email = 'before.import@example.se' "
                                   "and erp_customer_id = $1 and linked_by = 'import'", 1, b), 1);

    /* An old customer's first order: the sales order only. */
    long long before = requests();
    CU_ASSERT_FATAL(start_order("940001", "1", "7401", "before.import@example.se"));
    CU_ASSERT_FATAL(wait_state("940001", "1", "posted"));
    CU_ASSERT_EQUAL(requests() - before, 2); /* the sales order and its deposit */
    order_customer("940001", "1", id, sizeof id);
    CU_ASSERT_STRING_EQUAL(id, before_import);

    /* A shopper new to NetSuite: created at once, no find first; still one customer. */
    before = requests();
    CU_ASSERT_FATAL(start_order("940002", "1", "7402", "brand.new@example.se"));
    CU_ASSERT_FATAL(wait_state("940002", "1", "posted"));
    CU_ASSERT_EQUAL(requests() - before, 3); /* the customer, the sales order, its deposit */
    CU_ASSERT_EQUAL(customers_with_email("brand.new@example.se"), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.business_key = 'centra:1:940002' and e.outcome = 'new'", 0, NULL), 1);

    /* A customer made in NetSuite after the import is read by the next round (its hour made to
     * pass), by id: the round reads only what is newer. */
    netsuite_customer("After.Import@Example.se", after_import, sizeof after_import);
    CU_ASSERT_FATAL(tpg_ok(db, "update o2c.step s set due_at = now() from o2c.instance i "
                               "where i.id = s.instance_id and i.business_key = 'customers:netsuite'", 0, NULL));
    const char *a[] = {after_import};
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.customer_link where email = 'after.import@example.se' and linked_by = 'import'",
                           1, 60 * 1000));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.customer_link where email = 'after.import@example.se' "
                                   "and erp_customer_id = $1", 1, a), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.customer_directory where after_id = $1", 1, a), 1);

    /* A stale directory (no round for over an hour) is not trusted: back to finding first. */
    CU_ASSERT_FATAL(tpg_ok(db, "update o2c.customer_directory set complete_at = now() - interval '2 hours'", 0, NULL));
    CU_ASSERT_FATAL(start_order("940003", "1", "7403", "another.new@example.se"));
    CU_ASSERT_FATAL(wait_state("940003", "1", "posted"));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.business_key = 'centra:1:940003' and e.outcome = 'not_found'", 0, NULL), 2);
    CU_ASSERT(tpg_ok(db, "select o2c.cancel(id, 'test over') from o2c.instance where business_key = 'customers:netsuite'", 0, NULL));
    CU_ASSERT(tpg_ok(db, "delete from o2c.customer_directory", 0, NULL));
}

/* The customer deposits NetSuite holds under this external id, as "<payment> <salesOrder> <customer>
 * <account>" joined by " | " ("" when none). */
static void deposits_of(const char *external_id, char *out, size_t len)
{
    char url[256];
    snprintf(url, sizeof url, "%s/_sandbox/records/customerDeposit", netsuite.base);
    tsb_response res;
    snprintf(out, len, "(no answer)");
    if (tsb_http("GET", url, NULL, NULL, 0, &res) == 0 && res.status == 200) {
        const char *p[] = {res.body, external_id};
        PGresult *r = tpg_query(db, "select coalesce(string_agg(concat_ws(' ', d->>'payment', d#>>'{salesOrder,id}', "
                                    "d#>>'{customer,id}', d#>>'{account,id}'), ' | '), '') "
                                    "from jsonb_array_elements($1::jsonb->'records') d where d->>'externalId' = $2", 2, p);
        snprintf(out, len, "%s", r && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "(no answer)");
        PQclear(r);
    }
    tsb_response_free(&res);
}

/* Order-to-cash records the payment the storefront captured as one customer deposit against the
 * sales order, into the clearing account of the order's payment; an order with nothing captured
 * (Centra's payment history holds no capture) is posted without one. */
static void test_a_posted_orders_captured_payment_is_one_deposit_and_nothing_captured_is_none(void)
{
    CU_ASSERT_FATAL(start_order("960001", "1", "7601", "deposit.shopper@example.se"));
    CU_ASSERT_FATAL(wait_state("960001", "1", "posted"));
    char got[512], want[512];
    deposits_of("DEP-CENTRA-1-960001", got, sizeof got);
    /* 288.20 SEK captured (the order's total), Klarna's clearing account 1580 in NetSuite's chart. */
    PGresult *r = tpg_query(db, "select concat_ws(' ', '288.20', context->>'sales_order_id', context->>'customer_id', "
                                "(select erp_account_id from o2c.gl_account_map where erp_connection = 'netsuite' and account = '1580')) "
                                "from o2c.instance where business_key = 'centra:1:960001'", 0, NULL);
    snprintf(want, sizeof want, "%s", r && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "(none)");
    PQclear(r);
    CU_ASSERT_STRING_EQUAL(got, want);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.order_payment where order_key = 'centra:1:960001' "
                                   "and external_id = 'DEP-CENTRA-1-960001' and amount = 288.20 and account = '1580' "
                                   "and erp_payment_id = (select context->>'deposit_id' from o2c.instance "
                                   "                       where business_key = 'centra:1:960001')", 0, NULL), 1);

    /* Recording it again (a step run twice) keeps one payment for the order. */
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c_action.record_payment(context, '{}') from o2c.instance "
                               "where business_key = 'centra:1:960001'", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.order_payment where order_key = 'centra:1:960001'", 0, NULL), 1);

    /* Nothing captured yet: posted, no deposit, no payment recorded. */
    CU_ASSERT_FATAL(tpg_ok(db,
        "select o2c.start('order_to_cash', o2c.order_key('centra', '1', '960002'), jsonb_build_object("
        "  'source', 'centra', 'store', '1', 'order', jsonb_set(jsonb_set(jsonb_set(doc, '{number}', '960002'), "
        "  '{customer,email}', '\"deposit.shopper@example.se\"'), '{paymentHistory}', "
        "  '[{\"entryType\": \"CAPTURE_REQUEST\", \"status\": \"SUCCESS\", \"value\": {\"value\": 288.2}}]'))) from test_order", 0, NULL));
    CU_ASSERT_FATAL(wait_state("960002", "1", "posted"));
    deposits_of("DEP-CENTRA-1-960002", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.order_payment where order_key = 'centra:1:960002'", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.business_key = 'centra:1:960002' and e.outcome = 'no_capture'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_order where order_key = 'centra:1:960002' "
                                   "and captured_amount = 0", 0, NULL), 1);
}

/* An Adyen payout settles a posted order's payment: the payout journal credits the account the
 * order's customer deposit went into (Adyen settled payments, 1160), so that account nets to zero
 * for the order, and the payment matches its deposit (no payout gap). */
static void test_the_adyen_payout_journal_clears_the_deposit_it_settles(void)
{
    CU_ASSERT_FATAL(tpg_ok(db,
        "select o2c.start('order_to_cash', o2c.order_key('centra', '1', '960003'), jsonb_build_object("
        "  'source', 'centra', 'store', '1', 'order', jsonb_set(jsonb_set(jsonb_set(doc, '{number}', '960003'), "
        "  '{customer,email}', '\"adyen.shopper@example.se\"'), '{paymentMethod}', "
        "  '{\"id\": 2, \"uri\": \"adyen-drop-in\", \"plugin\": \"adyen\"}'))) from test_order", 0, NULL));
    CU_ASSERT_FATAL(wait_state("960003", "1", "posted"));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.order_payment where order_key = 'centra:1:960003' "
                                   "and account = '1160' and amount = 288.20", 0, NULL), 1);
    const char *p[] = {"adyen-960003.csv",
        "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,"
        "Creation Date,TimeZone,Type,Gross Currency,Gross Debit (GC),Gross Credit (GC),Net Currency,"
        "Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),Interchange (NC),Batch Number\n"
        "Nordtrail,NordtrailSEK,PSP960003,CENTRA-1-960003,visa,2026-11-25 10:00:00 UTC,UTC,Settled,SEK,,288.20,SEK,,285.20,3.00,,,,7\n"
        "Nordtrail,NordtrailSEK,,,,2026-11-26 06:00:00 UTC,UTC,MerchantPayout,,,,SEK,285.20,,,,,,7\n"};
    PGresult *r = tpg_query(db, "select status from o2c.import_settlement($1, $2)", 2, p);
    CU_ASSERT(r && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "ready") == 0);
    PQclear(r);
    /* 1160: the deposit's debit (288.20) against the journal's net on it. */
    CU_ASSERT_EQUAL(tpg_number(db,
        "select ((select amount from o2c.order_payment where order_key = 'centra:1:960003') "
        "        + (select sum(l.debit - l.credit) from o2c.settlement_journal j join o2c.settlement_journal_line l using (external_id) "
        "            where j.channel = 'adyen' and j.settlement_id = 'NordtrailSEK:7' and l.gl_account = '1160') = 0 "
        "        and (select sum(l.credit) from o2c.settlement_journal j join o2c.settlement_journal_line l using (external_id) "
        "              where j.channel = 'adyen' and j.settlement_id = 'NordtrailSEK:7' and l.gl_account = '1160') = 288.20)::int", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.payout_gaps where order_reference = 'CENTRA-1-960003'", 0, NULL), 0);
    /* Had the payout settled less than the deposit, the gap names the difference. */
    CU_ASSERT_FATAL(tpg_ok(db, "update o2c.order_payment set amount = 290.00 where order_key = 'centra:1:960003'", 0, NULL));
    r = tpg_query(db, "select kind || ' ' || difference from o2c.payout_gaps where order_reference = 'CENTRA-1-960003'", 0, NULL);
    CU_ASSERT(r && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "amount_differs -1.80") == 0);
    PQclear(r);
}

static CU_TestInfo tests[] = {
    {"a returning shopper's order makes one NetSuite call for the order and one for its payment", test_a_returning_shoppers_order_makes_one_netsuite_call},
    {"a posted order's captured payment is one customer deposit, and nothing captured is none",
     test_a_posted_orders_captured_payment_is_one_deposit_and_nothing_captured_is_none},
    {"the Adyen payout journal clears the deposit it settles", test_the_adyen_payout_journal_clears_the_deposit_it_settles},
    {"one shopper is one customer across stores, even with two orders at once", test_one_shopper_is_one_customer_across_stores_even_at_once},
    {"a link NetSuite refuses is forgotten and the customer found again", test_a_link_netsuite_refuses_is_forgotten_and_the_customer_found_again},
    {"NetSuite calling a new customer a duplicate (DUP_RCRD) leads to finding it", test_netsuite_calling_a_new_customer_a_duplicate_leads_to_finding_it},
    {"a cancellation asks NetSuite before concluding the order was never posted", test_a_cancellation_asks_netsuite_before_concluding_never_posted},
    {"cancelling one line after posting closes only that line in NetSuite", test_cancelling_one_line_after_posting_closes_only_that_line},
    {"fewer units on a posted line change only that line in NetSuite", test_fewer_units_on_a_posted_line_change_only_that_line},
    {"a discounted line cut after posting shrinks its discount line too", test_a_discounted_line_cut_after_posting_shrinks_its_discount_line_too},
    {"units cut below what shipped are for ops and change nothing", test_units_cut_below_what_shipped_are_for_ops_and_change_nothing},
    {"a change in the store before posting reaches NetSuite", test_a_change_in_the_store_before_posting_reaches_netsuite},
    {"with the ERP's customers imported, every first order skips the find",
     test_with_the_erp_customers_imported_every_first_order_skips_the_find},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"shoppers and cancellations", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return tsup_run_suites("integration/test_customer_links", suites);
}
