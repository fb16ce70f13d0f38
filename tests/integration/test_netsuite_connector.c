/* What the NetSuite connector does beyond the ERP contract (tests/conformance/, which proves
 * exactly once under faults, the account's concurrency limit, locks, refusals, a refused login and
 * not_found): what analysts see of a faulty connection in o2c.api_performance, and a customer
 * upserted once, before its sales order, which points at it. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"

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

static int set_up(void)
{
    if (tsup_fresh_database("o2c_test_netsuite_connector", conninfo, sizeof conninfo) != 0)
        return -1;
    db = tpg_connect(conninfo);
    snprintf(logs, sizeof logs, "/tmp/o2c-test-netsuite.%d.log", (int)getpid());
    /* The sandbox's default credentials, where the runners will look for them. */
    setenv("NETSUITE_ACCOUNT", "1234567-sb1", 1);
    setenv("NETSUITE_CONSUMER_KEY", "sandbox-consumer-key", 1);
    setenv("NETSUITE_CONSUMER_SECRET", "sandbox-consumer-secret", 1);
    setenv("NETSUITE_TOKEN_ID", "sandbox-token-id", 1);
    setenv("NETSUITE_TOKEN_SECRET", "sandbox-token-secret", 1);
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    unlink(logs);
    return 0;
}

/* Points connection `name` at the sandbox on `port` with the given concurrency limit. */
static void connect_to(const char *name, int port, int limit)
{
    char url[64], lim[16];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {name, url, lim};
    CU_ASSERT(tpg_ok(db, "insert into o2c.connection (name, system, base_url, max_concurrent) values ($1, 'netsuite', $2, $3::int) "
                         "on conflict (name) do update set base_url = excluded.base_url, max_concurrent = excluded.max_concurrent",
                     3, p));
    char spec[512];
    snprintf(spec, sizeof spec,
             "{\"initial\":\"post\",\"states\":{\"post\":{\"action\":\"netsuite.upsert\",\"lane\":\"orders\",\"connection\":\"%s\","
             "\"retry\":{\"max_attempts\":20,\"base_ms\":20,\"cap_ms\":200},\"lock\":{\"max_attempts\":20,\"delay_ms\":10},"
             "\"on\":{\"ok\":\"done\"}},\"done\":{\"terminal\":true}}}", name);
    const char *d[] = {name, spec};
    CU_ASSERT(tpg_ok(db, "select o2c.define_workflow($1, $2::jsonb)", 2, d));
}

/* Starts n sales-order upserts on workflow wf with external ids <prefix>-1..n (business keys
 * <key>-1..n); item_id is the NetSuite item on every line. */
static void start_orders(const char *wf, const char *key, const char *prefix, int n, const char *item_id)
{
    char count[16];
    snprintf(count, sizeof count, "%d", n);
    const char *p[] = {wf, key, prefix, count, item_id};
    CU_ASSERT(tpg_ok(db,
        "select o2c.start($1, $2 || '-' || g, jsonb_build_object('netsuite_type', 'salesOrder', 'external_id', $3 || '-' || g, "
        "'body', jsonb_build_object('entity', jsonb_build_object('id', '501'), 'externalId', $3 || '-' || g, "
        "'otherRefNum', $3 || '-' || g, 'tranDate', '2026-11-23', 'currency', jsonb_build_object('id', '1'), "
        "'item', jsonb_build_object('items', jsonb_build_array(jsonb_build_object('item', jsonb_build_object('id', $5::text), "
        "'quantity', 2, 'rate', 10.5, 'amount', 21, 'location', jsonb_build_object('id', '1')))))))"
        " from generate_series(1, $4::int) g", 5, p));
}

static void run_runners(int count, const char *concurrency)
{
    const char *args[] = {"--until-idle", "--concurrency", concurrency, "--idle-horizon-seconds", "5", NULL};
    pid_t pids[8];
    for (int i = 0; i < count; i++)
        pids[i] = tproc_runner(conninfo, logs, args);
    for (int i = 0; i < count; i++)
        CU_ASSERT_EQUAL(tproc_wait(pids[i]), 0);
}



static void test_faults_are_survived(void)
{
    int port;
    const char *args[] = {"--faults", "429=0.1,503=0.1,lock=0.08,malformed=0.05", "--random-seed", "7", NULL};
    pid_t sandbox = tproc_sandbox("netsuite", logs, args, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    connect_to("ns_faulty", port, 10);
    start_orders("ns_faulty", "faulty", "CENTRA-FAULTY", 80, "1002");
    run_runners(2, "8");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'ns_faulty' and status = 'done'", 0, NULL), 80);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(port, "records_by_type.salesOrder"), 80);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(port, "duplicate_external_ids"), 0);
    /* Each kind of misbehaviour was met and classified. */
    const char *outcomes[] = {"throttled", "retry", "locked"};
    for (int i = 0; i < 3; i++) {
        const char *p[] = {outcomes[i]};
        CU_ASSERT(tpg_number(db, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                                 "where i.workflow = 'ns_faulty' and e.outcome = $1", 1, p) > 0);
    }
    /* What analysts see of it: every call of the faulty connection, with its trouble counted. */
    CU_ASSERT_EQUAL(tpg_number(db, "select calls - (select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'ns_faulty' and e.runner is not null and e.outcome <> 'lease_expired') "
                                   "from o2c.api_performance where connection = 'ns_faulty' and action = 'netsuite.upsert' "
                                   "and period = 'last hour'", 0, NULL), 0);
    CU_ASSERT(tpg_number(db, "select throttled + locked + transient_errors from o2c.api_performance "
                             "where connection = 'ns_faulty' and period = 'last day'", 0, NULL) > 0);
    CU_ASSERT(tpg_number(db, "select p99_ms from o2c.api_performance where connection = 'ns_faulty' and period = 'last day'",
                         0, NULL) >= 0);
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}


/* Finds, in the sandbox's list of records of `type`, the one with externalId eid. */
static json_object *record_by_eid(json_object *list, const char *eid)
{
    json_object *records;
    if (!json_object_object_get_ex(list, "records", &records))
        return NULL;
    for (size_t i = 0; i < json_object_array_length(records); i++) {
        json_object *r = json_object_array_get_idx(records, i), *v;
        if (json_object_object_get_ex(r, "externalId", &v) && strcmp(json_object_get_string(v), eid) == 0)
            return r;
    }
    return NULL;
}

static long long field_number(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

static void test_customer_first_then_sales_order(void)
{
    int port;
    const char *args[] = {"--latency-ms", "5", NULL};
    pid_t sandbox = tproc_sandbox("netsuite", logs, args, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    const char *p[] = {url};
    CU_ASSERT(tpg_ok(db, "insert into o2c.connection (name, system, base_url, max_concurrent) values ('ns_o2c', 'netsuite', $1, 6)", 1, p));
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow('customer_first', '{\"initial\":\"customer\",\"states\":{"
        "\"customer\":{\"action\":\"netsuite.upsert\",\"lane\":\"orders\",\"connection\":\"ns_o2c\","
        "  \"params\":{\"type\":\"customer\",\"external_id_key\":\"customer_eid\",\"body_key\":\"customer_body\",\"result_key\":\"customer_id\"},"
        "  \"on\":{\"ok\":\"sales_order\"}},"
        "\"sales_order\":{\"action\":\"netsuite.upsert\",\"lane\":\"orders\",\"connection\":\"ns_o2c\","
        "  \"params\":{\"type\":\"salesOrder\",\"external_id_key\":\"order_eid\",\"body_key\":\"order_body\",\"result_key\":\"sales_order_id\","
        "              \"refs\":{\"entity.id\":\"customer_id\"}},"
        "  \"on\":{\"ok\":\"done\"}},"
        "\"done\":{\"terminal\":true}}}')", 0, NULL));
    /* 20 orders from 10 shoppers: every shopper orders twice, and both orders race. */
    CU_ASSERT_FATAL(tpg_ok(db,
        "select o2c.start('customer_first', 'centra:1:' || (5000 + g), jsonb_build_object("
        "'customer_eid', 'CENTRA-1-C' || (g % 10), 'order_eid', 'CENTRA-1-' || (5000 + g),"
        "'customer_body', jsonb_build_object('externalId', 'CENTRA-1-C' || (g % 10), 'isPerson', true, 'firstName', 'Shopper',"
        "  'lastName', 'No' || (g % 10), 'email', 'shopper' || (g % 10) || '@example.se', 'subsidiary', jsonb_build_object('id', '1')),"
        "'order_body', jsonb_build_object('externalId', 'CENTRA-1-' || (5000 + g), 'otherRefNum', '' || (5000 + g), 'tranDate', '2026-11-23',"
        "  'currency', jsonb_build_object('id', '1'), 'item', jsonb_build_object('items', jsonb_build_array(jsonb_build_object("
        "  'item', jsonb_build_object('id', '1003'), 'quantity', 1, 'rate', 25, 'amount', 25, 'location', jsonb_build_object('id', '1')))))))"
        " from generate_series(1, 20) g", 0, NULL));
    run_runners(3, "6");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'customer_first' and status = 'done'", 0, NULL), 20);

    static char customers[1 << 20], orders[1 << 20];
    CU_ASSERT_FATAL(tproc_http_get(port, "/_sandbox/records/customer", customers, sizeof customers) == 200);
    CU_ASSERT_FATAL(tproc_http_get(port, "/_sandbox/records/salesOrder", orders, sizeof orders) == 200);
    json_object *c = json_tokener_parse(customers), *o = json_tokener_parse(orders);
    CU_ASSERT_FATAL(c && o);
    CU_ASSERT_EQUAL(field_number(o, "count"), 20);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(port, "duplicate_external_ids"), 0);
    for (int g = 1; g <= 20; g++) {
        char ceid[32], oeid[32];
        snprintf(ceid, sizeof ceid, "CENTRA-1-C%d", g % 10);
        snprintf(oeid, sizeof oeid, "CENTRA-1-%d", 5000 + g);
        json_object *cust = record_by_eid(c, ceid), *order = record_by_eid(o, oeid), *entity, *id, *cid;
        CU_ASSERT_PTR_NOT_NULL_FATAL(cust);
        CU_ASSERT_PTR_NOT_NULL_FATAL(order);
        /* The order points at its shopper's one customer record, which existed before it. */
        CU_ASSERT_FATAL(json_object_object_get_ex(order, "entity", &entity) && json_object_object_get_ex(entity, "id", &id));
        CU_ASSERT_FATAL(json_object_object_get_ex(cust, "id", &cid));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(id), json_object_get_string(cid));
        CU_ASSERT(field_number(cust, "seq") < field_number(order, "seq"));
    }
    /* Ten shoppers, ten customers (the sandbox seeds twelve of its own). */
    CU_ASSERT_EQUAL(field_number(c, "count"), 12 + 10);
    json_object_put(c);
    json_object_put(o);
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static CU_TestInfo tests[] = {
    {"429, 503, record locks and cut-off bodies are survived", test_faults_are_survived},
    {"each order's customer is upserted once, before its sales order, which points at it", test_customer_first_then_sales_order},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"netsuite connector", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_netsuite_connector", suites); }
