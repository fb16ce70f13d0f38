/* What the Centra connector does beyond the storefront contract (tests/conformance/, which proves
 * exactly once through ties and pages, faults, a bad token, a missing permission, malformed
 * answers and a killed runner): cancelled and partly shipped orders start their cancel workflow
 * once, with Centra's totals digit for digit; an undefined child workflow stops the poller until
 * it is defined; bad poller settings are exceptions. The children are core.noop stand-ins. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"

#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOKEN "sandbox-centra-token"

static char conninfo[1024];
static PGconn *db;
static char logs[256];

static int set_up(void)
{
    if (tsup_fresh_database("o2c_test_centra_connector", conninfo, sizeof conninfo) != 0)
        return -1;
    db = tpg_connect(conninfo);
    snprintf(logs, sizeof logs, "/tmp/o2c-test-centra.%d.log", (int)getpid());
    /* Read by the sandboxes (the token they accept) and by the runners (the token they send). */
    setenv("CENTRA_TOKEN", TOKEN, 1);
    unsetenv("CENTRA_TOKEN_PERMISSIONS");
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    unlink(logs);
    return 0;
}

/* Connection `p` to the sandbox on port, a poller workflow p_poll (poll → ok → poll) on it, and
 * stand-in children p_order and p_cancel. secret_env: the connection's secret_env JSON. */
static void define(const char *p, int port, const char *secret_env)
{
    char url[64], spec[1024], name[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    const char *c[] = {p, url, secret_env};
    CU_ASSERT(tpg_ok(db, "insert into o2c.connection (name, system, base_url, secret_env) values ($1, 'centra', $2, $3::jsonb) "
                         "on conflict (name) do update set base_url = excluded.base_url, secret_env = excluded.secret_env",
                     3, c));
    snprintf(spec, sizeof spec,
             "{\"initial\":\"poll\",\"states\":{\"poll\":{\"action\":\"centra.poll_orders\",\"lane\":\"orders\","
             "\"connection\":\"%s\",\"owner\":\"engineering\",\"retry\":{\"max_attempts\":40,\"base_ms\":20,\"cap_ms\":200},"
             "\"on\":{\"ok\":\"poll\"}}}}", p);
    snprintf(name, sizeof name, "%s_poll", p);
    const char *d[] = {name, spec};
    CU_ASSERT(tpg_ok(db, "select o2c.define_workflow($1, $2::jsonb)", 2, d));
    const char *child = "{\"initial\":\"map\",\"states\":{\"map\":{\"action\":\"core.noop\",\"lane\":\"orders\","
                        "\"on\":{\"ok\":\"done\"}},\"done\":{\"terminal\":true}}}";
    const char *kinds[] = {"order", "cancel"};
    for (int i = 0; i < 2; i++) {
        snprintf(name, sizeof name, "%s_%s", p, kinds[i]);
        const char *e[] = {name, child};
        CU_ASSERT(tpg_ok(db, "select o2c.define_workflow($1, $2::jsonb)", 2, e));
    }
}

/* Starts poller p_poll with page_size and extra context keys (a JSON object's inside, may be ""). */
static void start_poller(const char *p, int page_size, const char *extra)
{
    char name[64], key[64], input[512];
    snprintf(name, sizeof name, "%s_poll", p);
    snprintf(key, sizeof key, "centra:%s:orders", p);
    snprintf(input, sizeof input,
             "{\"page_size\":%d,\"poll_interval_ms\":100,\"child_workflow\":\"%s_order\",\"cancel_workflow\":\"%s_cancel\"%s%s}",
             page_size, p, p, extra[0] ? "," : "", extra);
    const char *s[] = {name, key, input};
    CU_ASSERT(tpg_ok(db, "select o2c.start($1, $2, $3::jsonb)", 3, s));
}

/* A count over workflows named <p>_<suffix>: sql has $1 = that name. */
static long long count_of(const char *p, const char *suffix, const char *sql)
{
    char name[64];
    snprintf(name, sizeof name, "%s_%s", p, suffix);
    const char *v[] = {name};
    return tpg_number(db, sql, 1, v);
}

static long long children(const char *p, const char *suffix)
{
    return count_of(p, suffix, "select count(*) from o2c.workflows where workflow = $1");
}

static long long done_children(const char *p, const char *suffix)
{
    return count_of(p, suffix, "select count(*) from o2c.workflows where workflow = $1 and status = 'done'");
}

/* How many times o2c.start made a workflow of <p>_<suffix> (one 'start' event each). */
static long long start_events(const char *p, const char *suffix)
{
    return count_of(p, suffix, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                               "where i.workflow = $1 and e.outcome = 'start'");
}

static long long poller_outcomes(const char *p, const char *outcome)
{
    char name[64];
    snprintf(name, sizeof name, "%s_poll", p);
    const char *v[] = {name, outcome};
    return tpg_number(db, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                          "where i.workflow = $1 and e.outcome = $2", 2, v);
}

static bool poller_active(const char *p)
{
    return count_of(p, "poll", "select count(*) from o2c.workflows where workflow = $1 and status = 'active'") == 1;
}

/* Runs one runner until `orders` order children and `cancels` cancel children of p are done and
 * the poller has then finished `extra` more rounds (re-reading what it has already seen), then
 * stops it with SIGTERM. False if the poller fell into an exception or the generous guard ran
 * out (the guard only keeps a broken build from hanging; no assertion is about time). */
static bool run_until(const char *p, long long orders, long long cancels, int extra)
{
    const char *args[] = {"--concurrency", "4", "--poll-ms", "100", NULL};
    pid_t runner = tproc_runner(conninfo, logs, args);
    CU_ASSERT_FATAL(runner > 0);
    bool reached = false, ok = false;
    long long rounds_then = 0;
    for (int i = 0; i < 1200 && poller_active(p); i++) {
        if (!reached && done_children(p, "order") >= orders && done_children(p, "cancel") >= cancels) {
            reached = true;
            rounds_then = poller_outcomes(p, "ok");
        }
        if (reached && poller_outcomes(p, "ok") >= rounds_then + extra) {
            ok = true;
            break;
        }
        tproc_sleep_ms(100);
    }
    kill(runner, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(runner), 0);
    return ok;
}

static void place_orders(int port, int count)
{
    char body[64], answer[65536];
    snprintf(body, sizeof body, "{\"count\":%d}", count);
    CU_ASSERT_EQUAL(tproc_http_post(port, "/_sandbox/orders", NULL, body, answer, sizeof answer), 201);
}


/* Every child of p_order is keyed by its order's number, and every order of the sandbox has its
 * child with grandTotal digit for digit as Centra writes it (no float on the way). A (partly)
 * cancelled order's totals changed after its order child took its snapshot, so it is compared
 * with its cancel workflow, which carries the order as it was once cancelled. */
static void check_children_match_sandbox(const char *p, int port)
{
    long long n = tproc_sandbox_stat(port, "records.orders");
    CU_ASSERT(n > 0);
    CU_ASSERT_EQUAL(children(p, "order"), n);
    CU_ASSERT_EQUAL(start_events(p, "order"), n);
    CU_ASSERT_EQUAL(count_of(p, "order", "select count(*) from o2c.workflows where workflow = $1 "
                                         "and business_key = 'centra:1:' || (context->'order'->>'number') "
                                         "and context->>'source' = 'centra' and context->>'store' = '1'"), n);
    const char *auth[] = {"Authorization: Bearer " TOKEN, NULL};
    char answer[1 << 20], name[64];
    int status = tproc_http_post(port, "/graphql", auth,
                                 "{\"query\":\"{ orders(limit: 200) { number status grandTotal { value } lines { cancelledQuantity } } }\"}", answer,
                                 sizeof answer);
    CU_ASSERT_EQUAL_FATAL(status, 200);
    json_object *root = json_tokener_parse(answer), *data, *orders;
    CU_ASSERT_FATAL(root && json_object_object_get_ex(root, "data", &data) &&
                    json_object_object_get_ex(data, "orders", &orders));
    size_t matched = 0;
    for (size_t i = 0; i < json_object_array_length(orders); i++) {
        json_object *o = json_object_array_get_idx(orders, i), *num, *gt, *val, *st;
        json_object_object_get_ex(o, "number", &num);
        json_object_object_get_ex(o, "status", &st);
        json_object_object_get_ex(o, "grandTotal", &gt);
        json_object_object_get_ex(gt, "value", &val);
        bool cancelled = strcmp(json_object_get_string(st), "CANCELLED") == 0;
        json_object *lines = json_object_object_get(o, "lines");
        for (size_t l = 0; l < json_object_array_length(lines); l++)
            cancelled |= json_object_get_int(json_object_object_get(json_object_array_get_idx(lines, l), "cancelledQuantity")) > 0;
        char key[64];
        snprintf(name, sizeof name, "%s_%s", p, cancelled ? "cancel" : "order");
        snprintf(key, sizeof key, "centra:1:%d%s", json_object_get_int(num), cancelled ? ":cancel" : "");
        const char *v[] = {name, key, json_object_to_json_string(val)};
        matched += tpg_number(db, "select count(*) from o2c.workflows where workflow = $1 and business_key = $2 "
                                  "and context->'order'->'grandTotal'->>'value' = $3", 3, v) == 1;
    }
    CU_ASSERT_EQUAL(matched, (size_t)n);
    json_object_put(root);
}



static void test_cancelled_orders_start_their_cancel_workflow_once(void)
{
    int port;
    const char *args[] = {"--random-seed", "2", NULL};
    pid_t sandbox = tproc_sandbox("centra", logs, args, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    define("ctwo", port, "{}");
    place_orders(port, 12);
    start_poller("ctwo", 5, "");
    CU_ASSERT(run_until("ctwo", 12, 0, 2));
    char answer[4096];
    /* Cancelled after it was ingested. */
    CU_ASSERT_EQUAL(tproc_http_post(port, "/_sandbox/orders/1004/cancel", NULL, "{}", answer, sizeof answer), 200);
    CU_ASSERT(run_until("ctwo", 12, 1, 3));
    CU_ASSERT_EQUAL(children("ctwo", "cancel"), 1);
    CU_ASSERT_EQUAL(start_events("ctwo", "cancel"), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'ctwo_cancel' "
                                   "and business_key = 'centra:1:1004:cancel' and context->'order'->>'status' = 'CANCELLED'",
                               0, NULL), 1);
    /* The order's own workflow was not started a second time by the update. */
    CU_ASSERT_EQUAL(children("ctwo", "order"), 12);
    CU_ASSERT_EQUAL(start_events("ctwo", "order"), 12);

    /* Placed and cancelled before the poller ever saw it: both workflows start, once. */
    place_orders(port, 3);
    CU_ASSERT_EQUAL(tproc_http_post(port, "/_sandbox/orders/1014/cancel", NULL, "{}", answer, sizeof answer), 200);
    CU_ASSERT(run_until("ctwo", 15, 2, 3));
    CU_ASSERT_EQUAL(children("ctwo", "cancel"), 2);
    CU_ASSERT_EQUAL(start_events("ctwo", "cancel"), 2);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'ctwo_cancel' "
                                   "and business_key in ('centra:1:1004:cancel', 'centra:1:1014:cancel')", 0, NULL), 2);

    /* Partly shipped, then cancelled: Centra keeps it SHIPPED with cancelled units on its lines. */
    const char *auth[] = {"Authorization: Bearer " TOKEN, NULL};
    static char big[1 << 20];
    CU_ASSERT_EQUAL_FATAL(tproc_http_post(port, "/graphql", auth,
                                          "{\"query\":\"{ orders(limit: 200) { number status lines { id quantity } } }\"}",
                                          big, sizeof big), 200);
    json_object *root = json_tokener_parse(big), *list = NULL;
    CU_ASSERT_FATAL(root != NULL);
    json_object_object_get_ex(json_object_object_get(root, "data"), "orders", &list);
    int number = 0, line = 0;
    for (size_t i = 0; list && i < json_object_array_length(list) && !number; i++) {
        json_object *o = json_object_array_get_idx(list, i), *lines = json_object_object_get(o, "lines");
        int units = 0;
        for (size_t l = 0; l < json_object_array_length(lines); l++)
            units += json_object_get_int(json_object_object_get(json_object_array_get_idx(lines, l), "quantity"));
        if (strcmp(json_object_get_string(json_object_object_get(o, "status")), "CONFIRMED") == 0 && units >= 2) {
            number = json_object_get_int(json_object_object_get(o, "number"));
            line = json_object_get_int(json_object_object_get(json_object_array_get_idx(lines, 0), "id"));
        }
    }
    json_object_put(root);
    CU_ASSERT_FATAL(number > 0);
    char mutation[512], path[64], key[64];
    snprintf(mutation, sizeof mutation,
             "{\"query\":\"mutation { createShipment(input: {order: {number: %d}, lines: [{orderLine: {id: %d}, quantity: 1}]}) "
             "{ shipment { id } userErrors { message } } }\"}", number, line);
    CU_ASSERT_EQUAL(tproc_http_post(port, "/graphql", auth, mutation, big, sizeof big), 200);
    CU_ASSERT(strstr(big, "\"userErrors\":[]") != NULL);
    snprintf(path, sizeof path, "/_sandbox/orders/%d/cancel", number);
    CU_ASSERT_EQUAL(tproc_http_post(port, path, NULL, "{}", answer, sizeof answer), 200);
    CU_ASSERT(strstr(answer, "SHIPPED") != NULL);
    CU_ASSERT(run_until("ctwo", 15, 3, 3));
    CU_ASSERT_EQUAL(children("ctwo", "cancel"), 3);
    CU_ASSERT_EQUAL(start_events("ctwo", "cancel"), 3);
    snprintf(key, sizeof key, "centra:1:%d:cancel", number);
    const char *k[] = {key};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'ctwo_cancel' and business_key = $1 "
                                   "and context->'order'->>'status' = 'SHIPPED'", 1, k), 1);
    CU_ASSERT_EQUAL(children("ctwo", "order"), 15);
    check_children_match_sandbox("ctwo", port);
    CU_ASSERT(poller_active("ctwo"));
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}




static void test_bad_poller_settings_are_exceptions(void)
{
    /* Refused before any call, so the connection need not lead anywhere. */
    define("csix", 9, "{}");
    start_poller("csix", 500, "");
    const char *p[] = {"{\"cursor\":\"yesterday\",\"child_workflow\":\"csix_order\"}",
                       "{\"page_size\":\"ten\",\"child_workflow\":\"csix_order\"}",
                       "{\"store\":\"eu:1\",\"child_workflow\":\"csix_order\"}"};
    const char *keys[] = {"csix-cursor", "csix-type", "csix-store"};
    for (int i = 0; i < 3; i++) {
        const char *v[] = {keys[i], p[i]};
        CU_ASSERT(tpg_ok(db, "select o2c.start('csix_poll', $1, $2::jsonb)", 2, v));
    }
    const char *args[] = {"--until-idle", "--idle-horizon-seconds", "0", NULL};
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, logs, args)), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'csix_poll' and category = 'bad_input' "
                                   "and owner = 'engineering'", 0, NULL), 4);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'csix_poll' and "
                                   "((business_key = 'centra:csix:orders' and message like '%\"page_size\" must be a whole number from 1 to 200, not 500%') "
                                   "or (business_key = 'csix-cursor' and message like '%\"cursor\"%yesterday%') "
                                   "or (business_key = 'csix-type' and message like '%\"page_size\"%\"ten\"%') "
                                   "or (business_key = 'csix-store' and message like '%\"store\"%eu:1%'))", 0, NULL), 4);
}


/* The cancel workflow's default name (order_cancellation) may not be defined yet where the
 * poller runs: the page's result is refused as a whole, the poller stops in an exception naming
 * the missing workflow, and defining it plus a re-drive ingests the page with nothing lost. */
static void test_an_undefined_child_workflow_stops_the_poller_until_defined(void)
{
    int port;
    pid_t sandbox = tproc_sandbox("centra", logs, NULL, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    define("ceight", port, "{}");
    place_orders(port, 3);
    char answer[4096];
    CU_ASSERT_EQUAL(tproc_http_post(port, "/_sandbox/orders/1002/cancel", NULL, "{}", answer, sizeof answer), 200);
    start_poller("ceight", 10, "\"cancel_workflow\":\"ceight_later\"");
    const char *args[] = {"--until-idle", "--idle-horizon-seconds", "0", NULL};
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, logs, args)), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'ceight_poll' "
                                   "and message like '%unknown workflow \"ceight_later\"%'", 0, NULL), 1);
    CU_ASSERT_EQUAL(children("ceight", "order"), 0); /* none of the page's starts committed */
    const char *child = "{\"initial\":\"map\",\"states\":{\"map\":{\"action\":\"core.noop\",\"lane\":\"orders\","
                        "\"on\":{\"ok\":\"done\"}},\"done\":{\"terminal\":true}}}";
    const char *d[] = {child};
    CU_ASSERT(tpg_ok(db, "select o2c.define_workflow('ceight_later', $1::jsonb)", 1, d));
    CU_ASSERT(tpg_ok(db, "select o2c.redrive(workflow_id) from o2c.exceptions where workflow = 'ceight_poll'", 0, NULL));
    CU_ASSERT(run_until("ceight", 3, 0, 2));
    CU_ASSERT_EQUAL(children("ceight", "order"), 3);
    CU_ASSERT_EQUAL(children("ceight", "later"), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'ceight_later' "
                                   "and business_key = 'centra:1:1002:cancel'", 0, NULL), 1);
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static CU_TestInfo tests[] = {
    {"a cancelled order (also a partly shipped one) starts its cancel workflow once", test_cancelled_orders_start_their_cancel_workflow_once},
    {"an undefined child workflow stops the poller in an exception until it is defined", test_an_undefined_child_workflow_stops_the_poller_until_defined},
    {"bad poller settings are bad_input exceptions naming the setting", test_bad_poller_settings_are_exceptions},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"centra connector", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_centra_connector", suites); }
