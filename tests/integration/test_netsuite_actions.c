/* netsuite.find and netsuite.close_sales_order against the NetSuite sandbox, through real runners:
 * SuiteQL lookups find a customer by email whatever quotes it holds (and nothing by injection),
 * values that must not be sent are refused before any request; a cancelled order's sales order is
 * closed line by line exactly once, a missing one is not_found, one that has shipped stops for ops
 * with the units named, and a record lock is waited out. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"
#include "tests/support/sandbox_client.h"

#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char conninfo[1024];
static PGconn *db;
static char logs[256];

static int set_up(void)
{
    if (tsup_fresh_database("o2c_test_netsuite_actions", conninfo, sizeof conninfo) != 0)
        return -1;
    db = tpg_connect(conninfo);
    snprintf(logs, sizeof logs, "/tmp/o2c-test-netsuite-actions.%d.log", (int)getpid());
    /* The sandbox's default credentials, where the runners will look for them. */
    setenv("NETSUITE_ACCOUNT", TSB_NS_ACCOUNT, 1);
    setenv("NETSUITE_CONSUMER_KEY", TSB_NS_CONSUMER_KEY, 1);
    setenv("NETSUITE_CONSUMER_SECRET", TSB_NS_CONSUMER_SECRET, 1);
    setenv("NETSUITE_TOKEN_ID", TSB_NS_TOKEN_ID, 1);
    setenv("NETSUITE_TOKEN_SECRET", TSB_NS_TOKEN_SECRET, 1);
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    unlink(logs);
    return 0;
}

/* A sandbox (args NULL-terminated, may be NULL), and connection `name` pointing at it. */
static int start_sandbox(tsb_sandbox *sb, const char *name, const char *const *args)
{
    if (tsb_start_logged(sb, "netsuite", args, logs) != 0)
        return -1;
    const char *p[] = {name, sb->base};
    CU_ASSERT(tpg_ok(db, "insert into o2c.connection (name, system, base_url, max_concurrent) values ($1, 'netsuite', $2, 5)",
                     2, p));
    return 0;
}

static void run_runner(void)
{
    const char *args[] = {"--until-idle", "--concurrency", "4", "--idle-horizon-seconds", "5", NULL};
    pid_t pid = tproc_runner(conninfo, logs, args);
    CU_ASSERT_EQUAL(tproc_wait(pid), 0);
}

static void start(const char *workflow, const char *key, const char *context_json)
{
    const char *p[] = {workflow, key, context_json};
    CU_ASSERT(tpg_ok(db, "select o2c.start($1, $2, $3::jsonb)", 3, p));
}

/* The workflow's state ('' when there is none), or the context value `field` when field is set. */
static const char *workflow_text(const char *workflow, const char *key, const char *field, char *buf, size_t len)
{
    const char *p[] = {workflow, key, field ? field : ""};
    PGresult *r = tpg_query(db, "select case when $3 = '' then state else context->>$3 end "
                                "from o2c.workflows where workflow = $1 and business_key = $2", 3, p);
    snprintf(buf, len, "%s", r && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return buf;
}

/* How many requests of one operation ("salesOrder.update") the sandbox served: 0 when it lists
 * none of them, -1 when its stats cannot be read. */
static long long operation_count(const tsb_sandbox *sb, const char *operation)
{
    json_object *stats = tsb_stats(sb), *ops, *v;
    long long n = -1;
    if (stats && json_object_object_get_ex(stats, "requests_by_operation", &ops))
        n = json_object_object_get_ex(ops, operation, &v) ? json_object_get_int64(v) : 0;
    json_object_put(stats);
    return n;
}

/* Upserts a record straight through the sandbox's API; returns its internal id in id. Asks
 * again while an injected fault answers (an upsert may be repeated). */
static void upsert(const tsb_sandbox *sb, const char *type, const char *eid, const char *body, char *id, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "/services/rest/record/v1/%s/eid:%s", type, eid);
    tsb_response res = {0};
    for (int tries = 0; tries < 30; tries++) {
        tsb_response_free(&res);
        CU_ASSERT_EQUAL_FATAL(tsb_netsuite(sb, "PUT", path, body, NULL, &res), 0);
        if (res.status == 204)
            break;
    }
    CU_ASSERT_EQUAL(res.status, 204);
    const char *slash = strrchr(res.location, '/');
    snprintf(id, len, "%s", slash ? slash + 1 : "");
    CU_ASSERT(id[0] != '\0');
    tsb_response_free(&res);
}

/* A sales order for seeded customer 501 with two lines: 2 × item 1001 and 3 × item 1002. */
static void sales_order(const tsb_sandbox *sb, const char *eid, char *id, size_t len)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"entity\":{\"id\":\"501\"},\"otherRefNum\":\"%s\",\"tranDate\":\"2026-11-23\",\"currency\":{\"id\":\"1\"},"
             "\"item\":{\"items\":[{\"item\":{\"id\":\"1001\"},\"quantity\":2,\"rate\":10,\"amount\":20,\"location\":{\"id\":\"1\"}},"
             "{\"item\":{\"id\":\"1002\"},\"quantity\":3,\"rate\":5,\"amount\":15,\"location\":{\"id\":\"1\"}}]}}",
             eid);
    upsert(sb, "salesOrder", eid, body, id, len);
}

/* ---- netsuite.find ---------------------------------------------------------------------------- */

/* ignore_case: the param's JSON text, or NULL for none. */
static void define_find(const char *name, const char *conn, const char *where, const char *ignore_case, int attempts)
{
    char spec[1024];
    snprintf(spec, sizeof spec,
             "{\"initial\":\"find\",\"states\":{\"find\":{\"action\":\"netsuite.find\",\"lane\":\"orders\",\"connection\":\"%s\","
             "\"params\":{\"record\":\"customer\",\"where\":%s,\"result_key\":\"customer_id\"%s%s},"
             "\"retry\":{\"max_attempts\":%d,\"base_ms\":10,\"cap_ms\":100},"
             "\"on\":{\"found\":\"found\",\"not_found\":\"not_found\"}},"
             "\"found\":{\"terminal\":true},\"not_found\":{\"terminal\":true}}}", conn, where,
             ignore_case ? ",\"ignore_case\":" : "", ignore_case ? ignore_case : "", attempts);
    const char *p[] = {name, spec};
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow($1, $2::jsonb)", 2, p));
}

/* The email of seeded customer `id` (501…), as the sandbox holds it. */
static void seeded_email(const tsb_sandbox *sb, const char *id, char *email, size_t len)
{
    static char list[1 << 18];
    email[0] = '\0';
    CU_ASSERT_FATAL(tproc_http_get(sb->port, "/_sandbox/records/customer", list, sizeof list) == 200);
    json_object *root = json_tokener_parse(list), *records, *v;
    CU_ASSERT_FATAL(root && json_object_object_get_ex(root, "records", &records));
    for (size_t i = 0; i < json_object_array_length(records); i++) {
        json_object *r = json_object_array_get_idx(records, i);
        if (json_object_object_get_ex(r, "id", &v) && strcmp(json_object_get_string(v), id) == 0 &&
            json_object_object_get_ex(r, "email", &v))
            snprintf(email, len, "%s", json_object_get_string(v));
    }
    json_object_put(root);
    CU_ASSERT(email[0] != '\0');
}

static void test_find(void)
{
    tsb_sandbox sb;
    CU_ASSERT_FATAL(start_sandbox(&sb, "ns_find", NULL) == 0);
    define_find("ns_find", "ns_find", "{\"email\":\"customer_email\"}", NULL, 5);
    define_find("ns_find_two", "ns_find", "{\"email\":\"customer_email\",\"lastname\":\"last_name\"}", NULL, 5);
    char obrien[32], seeded[128], buf[256], ctx[512];
    upsert(&sb, "customer", "TEST-OBRIEN",
           "{\"isPerson\":true,\"firstName\":\"Siobhan\",\"lastName\":\"O'Brien\",\"email\":\"o'brien@example.com\","
           "\"subsidiary\":{\"id\":\"1\"}}", obrien, sizeof obrien);
    seeded_email(&sb, "501", seeded, sizeof seeded);

    snprintf(ctx, sizeof ctx, "{\"customer_email\":\"%s\"}", seeded);
    start("ns_find", "seeded", ctx);
    start("ns_find", "apostrophe", "{\"customer_email\":\"o'brien@example.com\"}");
    start("ns_find_two", "apostrophes", "{\"customer_email\":\"o'brien@example.com\",\"last_name\":\"O'Brien\"}");
    start("ns_find", "stranger", "{\"customer_email\":\"nobody@example.com\"}");
    /* Injection stays text: it matches no email, rather than every customer. */
    start("ns_find", "injection", "{\"customer_email\":\"x' OR email <> 'x\"}");
    /* Refused before anything is sent. */
    start("ns_find", "missing", "{}");
    start("ns_find", "empty", "{\"customer_email\":\"\"}");
    start("ns_find", "control", "{\"customer_email\":\"a@example.com\\nSELECT\"}");
    run_runner();

    CU_ASSERT_STRING_EQUAL(workflow_text("ns_find", "seeded", NULL, buf, sizeof buf), "found");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_find", "seeded", "customer_id", buf, sizeof buf), "501");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_find", "apostrophe", NULL, buf, sizeof buf), "found");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_find", "apostrophe", "customer_id", buf, sizeof buf), obrien);
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_find_two", "apostrophes", "customer_id", buf, sizeof buf), obrien);
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_find", "stranger", NULL, buf, sizeof buf), "not_found");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_find", "stranger", "customer_id", buf, sizeof buf), "");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_find", "injection", NULL, buf, sizeof buf), "not_found");

    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'ns_find' and category = 'bad_input' "
                                   "and owner = 'engineering' and message like '%customer_email%'", 0, NULL), 3);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'ns_find' and business_key = 'control' "
                                   "and message like '%control character%'", 0, NULL), 1);
    /* Five lookups reached NetSuite; the three refused values never did. */
    CU_ASSERT_EQUAL(operation_count(&sb, "suiteql.customer"), 5);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

/* A customer typed into NetSuite with a mixed-case email is found by the lowercased email a
 * storefront sends only with ignore_case (the duplicate customer this prevents); a wrong
 * ignore_case is the pipeline's mistake, refused before anything is sent. */
static void test_find_ignore_case(void)
{
    tsb_sandbox sb;
    CU_ASSERT_FATAL(start_sandbox(&sb, "ns_case", NULL) == 0);
    const char *email = "{\"email\":\"customer_email\"}";
    define_find("ns_case", "ns_case", email, "[\"email\"]", 5);
    define_find("ns_case_plain", "ns_case", email, NULL, 5);
    define_find("ns_case_two", "ns_case", "{\"email\":\"customer_email\",\"lastname\":\"last_name\"}", "[\"email\"]", 5);
    define_find("ns_case_not_list", "ns_case", email, "\"email\"", 5);
    define_find("ns_case_not_where", "ns_case", email, "[\"lastname\"]", 5);
    define_find("ns_case_not_text", "ns_case", email, "[\"email\", 17]", 5);
    char mixed[32], oconnor[32], buf[256];
    upsert(&sb, "customer", "TEST-MIXED-CASE",
           "{\"isPerson\":true,\"firstName\":\"Anna\",\"lastName\":\"Berg\",\"email\":\"Anna.Berg7001@Example.SE\","
           "\"subsidiary\":{\"id\":\"1\"}}", mixed, sizeof mixed);
    upsert(&sb, "customer", "TEST-OCONNOR",
           "{\"isPerson\":true,\"firstName\":\"Aoife\",\"lastName\":\"O'Connor\",\"email\":\"Aoife.O'Connor@Example.ie\","
           "\"subsidiary\":{\"id\":\"1\"}}", oconnor, sizeof oconnor);

    start("ns_case", "lower", "{\"customer_email\":\"anna.berg7001@example.se\"}");
    start("ns_case_plain", "lower", "{\"customer_email\":\"anna.berg7001@example.se\"}");
    start("ns_case", "as-stored", "{\"customer_email\":\"Anna.Berg7001@Example.SE\"}");
    start("ns_case", "apostrophe", "{\"customer_email\":\"aoife.o'connor@example.ie\"}");
    /* Only email ignores case: the last name must still be written as stored. */
    start("ns_case_two", "last-as-stored", "{\"customer_email\":\"AOIFE.O'CONNOR@EXAMPLE.IE\",\"last_name\":\"O'Connor\"}");
    start("ns_case_two", "last-lower", "{\"customer_email\":\"aoife.o'connor@example.ie\",\"last_name\":\"o'connor\"}");
    start("ns_case", "stranger", "{\"customer_email\":\"nobody@example.com\"}");
    start("ns_case", "injection", "{\"customer_email\":\"x' or upper(email) <> 'x\"}");
    start("ns_case_not_list", "bad", "{\"customer_email\":\"anna.berg7001@example.se\"}");
    start("ns_case_not_where", "bad", "{\"customer_email\":\"anna.berg7001@example.se\"}");
    start("ns_case_not_text", "bad", "{\"customer_email\":\"anna.berg7001@example.se\"}");
    run_runner();

    CU_ASSERT_STRING_EQUAL(workflow_text("ns_case", "lower", NULL, buf, sizeof buf), "found");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_case", "lower", "customer_id", buf, sizeof buf), mixed);
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_case_plain", "lower", NULL, buf, sizeof buf), "not_found");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_case_plain", "lower", "customer_id", buf, sizeof buf), "");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_case", "as-stored", "customer_id", buf, sizeof buf), mixed);
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_case", "apostrophe", "customer_id", buf, sizeof buf), oconnor);
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_case_two", "last-as-stored", "customer_id", buf, sizeof buf), oconnor);
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_case_two", "last-lower", NULL, buf, sizeof buf), "not_found");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_case", "stranger", NULL, buf, sizeof buf), "not_found");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_case", "injection", NULL, buf, sizeof buf), "not_found");

    /* Each wrong ignore_case stops its workflow for engineering, naming the param. */
    const char *bad[] = {"ns_case_not_list", "ns_case_not_where", "ns_case_not_text"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *p[] = {bad[i]};
        CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = $1 and business_key = 'bad' "
                                       "and category = 'workflow_error' and owner = 'engineering' "
                                       "and message like '%ignore_case%'", 1, p), 1);
        CU_ASSERT_STRING_NOT_EQUAL(workflow_text(bad[i], "bad", NULL, buf, sizeof buf), "found");
        CU_ASSERT_STRING_NOT_EQUAL(workflow_text(bad[i], "bad", NULL, buf, sizeof buf), "not_found");
    }
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'ns_case_not_where' "
                                   "and message like '%lastname%not a column of \"where\"%'", 0, NULL), 1);
    /* Eight lookups reached NetSuite; the three misconfigured ones never did. */
    CU_ASSERT_EQUAL(operation_count(&sb, "suiteql.customer"), 8);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

/* ---- netsuite.close_sales_order ------------------------------------------------------------------ */

static void define_close(const char *conn, int attempts)
{
    char spec[1024];
    snprintf(spec, sizeof spec,
             "{\"initial\":\"close\",\"states\":{\"close\":{\"action\":\"netsuite.close_sales_order\",\"lane\":\"orders\","
             "\"connection\":\"%s\",\"retry\":{\"max_attempts\":%d,\"base_ms\":10,\"cap_ms\":100},"
             "\"lock\":{\"max_attempts\":%d,\"delay_ms\":10},"
             "\"on\":{\"ok\":\"closed\",\"not_found\":\"not_in_erp\"}},"
             "\"closed\":{\"terminal\":true},\"not_in_erp\":{\"terminal\":true}}}", conn, attempts, attempts);
    const char *p[] = {spec};
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow('ns_close', $1::jsonb)", 1, p));
}

static void start_close(const char *key, const char *eid)
{
    char ctx[256];
    snprintf(ctx, sizeof ctx, "{\"sales_order_external_id\":\"%s\"}", eid);
    start("ns_close", key, ctx);
}

/* The sales order eid as the sandbox holds it (caller puts it), or NULL. */
static json_object *stored_order(const tsb_sandbox *sb, const char *eid)
{
    static char list[1 << 18];
    if (tproc_http_get(sb->port, "/_sandbox/records/salesOrder", list, sizeof list) != 200)
        return NULL;
    json_object *root = json_tokener_parse(list), *records, *v, *found = NULL;
    if (root && json_object_object_get_ex(root, "records", &records))
        for (size_t i = 0; i < json_object_array_length(records) && !found; i++) {
            json_object *r = json_object_array_get_idx(records, i);
            if (json_object_object_get_ex(r, "externalId", &v) && strcmp(json_object_get_string(v), eid) == 0)
                found = json_object_get(r);
        }
    json_object_put(root);
    return found;
}

/* How many of the order's lines are closed (-1 when the order cannot be read); *lines gets the
 * number of lines. */
static int closed_lines(const tsb_sandbox *sb, const char *eid, int *lines)
{
    json_object *order = stored_order(sb, eid), *item, *items, *v;
    int closed = -1;
    *lines = 0;
    if (order && json_object_object_get_ex(order, "item", &item) && json_object_object_get_ex(item, "items", &items)) {
        closed = 0;
        *lines = (int)json_object_array_length(items);
        for (int i = 0; i < *lines; i++)
            closed += json_object_object_get_ex(json_object_array_get_idx(items, i), "isClosed", &v) &&
                      json_object_get_boolean(v);
    }
    /* Another change teaches the sandbox that an order with every line closed is "Closed": fine if
     * present, but the lines are what this action answers for. */
    if (order && json_object_object_get_ex(order, "orderStatus", &v) && closed == *lines)
        CU_ASSERT(strcmp(json_object_get_string(v), "Closed") == 0 || strcmp(json_object_get_string(v), "Pending Fulfillment") == 0);
    json_object_put(order);
    return closed;
}

static void test_close_open_order_once(void)
{
    tsb_sandbox sb;
    CU_ASSERT_FATAL(start_sandbox(&sb, "ns_close", NULL) == 0);
    define_close("ns_close", 5);
    char id[32], buf[256];
    int lines;
    sales_order(&sb, "CENTRA-CLOSE-1", id, sizeof id);
    start_close("cancel-1", "CENTRA-CLOSE-1");
    start_close("gone", "CENTRA-NEVER-POSTED");
    run_runner();

    CU_ASSERT_STRING_EQUAL(workflow_text("ns_close", "cancel-1", NULL, buf, sizeof buf), "closed");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_close", "cancel-1", "sales_order_id", buf, sizeof buf), id);
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_close", "cancel-1", "sales_order_closed", buf, sizeof buf), "true");
    CU_ASSERT_EQUAL(closed_lines(&sb, "CENTRA-CLOSE-1", &lines), 2);
    CU_ASSERT_EQUAL(lines, 2);
    CU_ASSERT_EQUAL(operation_count(&sb, "salesOrder.update"), 1);
    /* No such order: an answer, not a failure. */
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_close", "gone", NULL, buf, sizeof buf), "not_in_erp");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'ns_close'", 0, NULL), 0);

    /* The same cancellation again (a re-run, a second event): read, found closed, nothing sent. */
    start_close("cancel-1-again", "CENTRA-CLOSE-1");
    run_runner();
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_close", "cancel-1-again", NULL, buf, sizeof buf), "closed");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_close", "cancel-1-again", "sales_order_id", buf, sizeof buf), id);
    CU_ASSERT_EQUAL(operation_count(&sb, "salesOrder.update"), 1);
    CU_ASSERT_EQUAL(operation_count(&sb, "salesOrder.get"), 3);
    CU_ASSERT_EQUAL(closed_lines(&sb, "CENTRA-CLOSE-1", &lines), 2);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

/* ---- netsuite.change_sales_order_lines --------------------------------------------------------- */

/* Line n (from 1) of the stored order: "open|closed <quantity> <amount>". */
static void stored_line(const tsb_sandbox *sb, const char *eid, int n, char *out, size_t len)
{
    json_object *order = stored_order(sb, eid), *item, *items, *line, *v;
    snprintf(out, len, "(none)");
    if (order && json_object_object_get_ex(order, "item", &item) && json_object_object_get_ex(item, "items", &items) &&
        (line = json_object_array_get_idx(items, (size_t)n - 1)) != NULL) {
        bool closed = json_object_object_get_ex(line, "isClosed", &v) && json_object_get_boolean(v);
        json_object *q = NULL, *a = NULL;
        json_object_object_get_ex(line, "quantity", &q);
        json_object_object_get_ex(line, "amount", &a);
        snprintf(out, len, "%s %g %g", closed ? "closed" : "open", json_object_get_double(q), json_object_get_double(a));
    }
    json_object_put(order);
}

static void test_change_sets_and_closes_only_the_lines_named_once(void)
{
    tsb_sandbox sb;
    CU_ASSERT_FATAL(start_sandbox(&sb, "ns_change", NULL) == 0);
    const char *spec =
        "{\"initial\":\"change\",\"states\":{\"change\":{\"action\":\"netsuite.change_sales_order_lines\",\"lane\":\"orders\","
        "\"connection\":\"ns_change\",\"retry\":{\"max_attempts\":5,\"base_ms\":10,\"cap_ms\":100},"
        "\"on\":{\"ok\":\"changed\",\"not_found\":\"not_in_erp\"}},"
        "\"changed\":{\"terminal\":true},\"not_in_erp\":{\"terminal\":true}}}";
    const char *p[] = {spec};
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow('ns_change', $1::jsonb)", 1, p));
    char id[32], buf[256];
    sales_order(&sb, "CENTRA-CHANGE-1", id, sizeof id);
    const char *changes = "{\"sales_order_external_id\":\"CENTRA-CHANGE-1\",\"line_changes\":["
                          "{\"line\":2,\"set\":{\"quantity\":1,\"amount\":5}}]}";
    start("ns_change", "fewer-1", changes);
    start("ns_change", "bad", "{\"sales_order_external_id\":\"CENTRA-CHANGE-1\",\"line_changes\":[{\"line\":2,"
                              "\"set\":{\"isClosed\":false}}]}");
    run_runner();
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_change", "fewer-1", NULL, buf, sizeof buf), "changed");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_change", "fewer-1", "sales_order_changed", buf, sizeof buf), "true");
    stored_line(&sb, "CENTRA-CHANGE-1", 1, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "open 2 20");
    stored_line(&sb, "CENTRA-CHANGE-1", 2, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "open 1 5");
    CU_ASSERT_EQUAL(operation_count(&sb, "salesOrder.update"), 1);
    /* A change that would reopen or renumber a line is refused before anything is sent. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'ns_change' and business_key = 'bad' "
                                   "and category = 'bad_input'", 0, NULL), 1);

    /* The same change again (a re-run after a crash): read, found in effect, nothing sent. Then
     * line 1 closed: only it. */
    start("ns_change", "fewer-1-again", changes);
    start("ns_change", "close-1", "{\"sales_order_external_id\":\"CENTRA-CHANGE-1\",\"line_changes\":[{\"line\":1,\"close\":true}]}");
    run_runner();
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_change", "fewer-1-again", NULL, buf, sizeof buf), "changed");
    CU_ASSERT_STRING_EQUAL(workflow_text("ns_change", "close-1", NULL, buf, sizeof buf), "changed");
    CU_ASSERT_EQUAL(operation_count(&sb, "salesOrder.update"), 2);
    stored_line(&sb, "CENTRA-CHANGE-1", 1, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "closed 2 20");
    stored_line(&sb, "CENTRA-CHANGE-1", 2, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "open 1 5");
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

static void test_close_after_shipping_goes_to_ops(void)
{
    tsb_sandbox sb;
    CU_ASSERT_FATAL(start_sandbox(&sb, "ns_shipped", NULL) == 0);
    define_close("ns_shipped", 5);
    char shipped[32], partial[32], body[128], answer[4096];
    int lines;
    /* One order the warehouse shipped whole, one of which 1 unit of line 1 left. */
    sales_order(&sb, "CENTRA-SHIPPED-1", shipped, sizeof shipped);
    snprintf(body, sizeof body, "{\"salesOrder\":\"%s\"}", shipped);
    CU_ASSERT_EQUAL(tproc_http_post(sb.port, "/_sandbox/fulfilments", NULL, body, answer, sizeof answer), 200);
    sales_order(&sb, "CENTRA-PARTIAL-1", partial, sizeof partial);
    char path[128];
    snprintf(path, sizeof path, "/services/rest/record/v1/salesOrder/%s/!transform/itemFulfillment", partial);
    tsb_response res;
    CU_ASSERT_EQUAL_FATAL(tsb_netsuite(&sb, "POST", path, "{\"item\":{\"items\":[{\"orderLine\":1,\"quantity\":1}]}}",
                                       NULL, &res), 0);
    CU_ASSERT_EQUAL(res.status, 204);
    tsb_response_free(&res);

    start_close("shipped", "CENTRA-SHIPPED-1");
    start_close("partial", "CENTRA-PARTIAL-1");
    run_runner();

    const char *p[] = {shipped};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'ns_close' and business_key = 'shipped' "
                                   "and category = 'cancelled_after_shipping' and owner = 'ops' and severity = 'high' "
                                   "and message like '%internal id ' || $1 || '%' and message like '%5 units%' "
                                   "and message like '%CENTRA-SHIPPED-1%' and message like '%return%'", 1, p), 1);
    const char *q[] = {partial};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'ns_close' and business_key = 'partial' "
                                   "and category = 'cancelled_after_shipping' and owner = 'ops' "
                                   "and message like '%internal id ' || $1 || '%' and message like '% 1 unit %' "
                                   "and message like '%line 1: 1 of 2%' and message like '%Stop the shipment%'", 1, q), 1);
    /* Nothing was closed, so nothing hides the shipment. */
    CU_ASSERT_EQUAL(closed_lines(&sb, "CENTRA-SHIPPED-1", &lines), 0);
    CU_ASSERT_EQUAL(closed_lines(&sb, "CENTRA-PARTIAL-1", &lines), 0);
    CU_ASSERT_EQUAL(operation_count(&sb, "salesOrder.get"), 2);
    CU_ASSERT_EQUAL(operation_count(&sb, "salesOrder.update"), 0);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

static void test_close_waits_out_a_record_lock(void)
{
    tsb_sandbox sb;
    CU_ASSERT_FATAL(start_sandbox(&sb, "ns_locked", NULL) == 0);
    define_close("ns_locked", 5);
    char id[32], body[128], answer[1024], buf[256];
    int lines;
    sales_order(&sb, "CENTRA-LOCKED-1", id, sizeof id);
    snprintf(body, sizeof body, "{\"type\":\"salesOrder\",\"id\":\"%s\",\"count\":2}", id);
    CU_ASSERT_EQUAL(tproc_http_post(sb.port, "/_sandbox/netsuite/lock", NULL, body, answer, sizeof answer), 200);
    start_close("locked", "CENTRA-LOCKED-1");
    run_runner();

    CU_ASSERT_STRING_EQUAL(workflow_text("ns_close", "locked", NULL, buf, sizeof buf), "closed");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'ns_close' and i.business_key = 'locked' and e.outcome = 'locked'",
                               0, NULL), 2);
    CU_ASSERT_EQUAL(closed_lines(&sb, "CENTRA-LOCKED-1", &lines), 2);
    /* Two refused writes and the one that went through. */
    CU_ASSERT_EQUAL(operation_count(&sb, "salesOrder.update"), 3);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

/* Throttling, outages, cut-off answers and record locks on every kind of request: every find still
 * ends found, every order ends closed, and a cut-off answer to a PATCH is never taken for done. */
static void test_faults_are_survived(void)
{
    tsb_sandbox sb;
    const char *args[] = {"--faults", "429=0.1,503=0.1,malformed=0.15,lock=0.25", "--random-seed", "11", NULL};
    CU_ASSERT_FATAL(start_sandbox(&sb, "ns_faulty", args) == 0);
    define_find("ns_find_faulty", "ns_faulty", "{\"email\":\"customer_email\"}", NULL, 30);
    define_close("ns_faulty", 30);
    enum { N = 24 };
    char ids[N][32], eid[32], key[32], customer[16], email[128], ctx[256], buf[256];
    for (int i = 0; i < N; i++) {
        snprintf(eid, sizeof eid, "CENTRA-FAULTY-%d", i);
        sales_order(&sb, eid, ids[i], sizeof ids[i]);
        snprintf(key, sizeof key, "faulty-%d", i);
        start_close(key, eid);
        snprintf(customer, sizeof customer, "%d", 501 + i % 12); /* the sandbox seeds twelve */
        seeded_email(&sb, customer, email, sizeof email);
        snprintf(ctx, sizeof ctx, "{\"customer_email\":\"%s\"}", email);
        start("ns_find_faulty", key, ctx);
    }
    run_runner();
    for (int i = 0; i < N; i++) {
        int lines;
        snprintf(eid, sizeof eid, "CENTRA-FAULTY-%d", i);
        snprintf(key, sizeof key, "faulty-%d", i);
        CU_ASSERT_STRING_EQUAL(workflow_text("ns_close", key, NULL, buf, sizeof buf), "closed");
        CU_ASSERT_STRING_EQUAL(workflow_text("ns_close", key, "sales_order_id", buf, sizeof buf), ids[i]);
        CU_ASSERT_EQUAL(closed_lines(&sb, eid, &lines), 2);
        CU_ASSERT_STRING_EQUAL(workflow_text("ns_find_faulty", key, NULL, buf, sizeof buf), "found");
    }
    /* Each kind of trouble was met. */
    CU_ASSERT(tpg_number(db, "select count(distinct e.outcome) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                             "where i.business_key like 'faulty-%' and e.outcome in ('retry', 'throttled', 'locked')",
                         0, NULL) == 3);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

static CU_TestInfo tests[] = {
    {"find: by email with quotes, not found, injection stays text, bad values refused unsent", test_find},
    {"find: ignore_case finds a mixed-case email by the lowercased one; a wrong ignore_case is refused unsent",
     test_find_ignore_case},
    {"close: every line closed once, a re-run sends nothing, a missing order is not_found", test_close_open_order_once},
    {"change: sets and closes only the lines named, once; a change reopening a line is refused unsent",
     test_change_sets_and_closes_only_the_lines_named_once},
    {"close: an order that shipped, whole or in part, is an exception for ops naming the units", test_close_after_shipping_goes_to_ops},
    {"close: a record lock is locked, then ok", test_close_waits_out_a_record_lock},
    {"find and close survive 429, 503, cut-off answers and locks", test_faults_are_survived},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"netsuite actions", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_netsuite_actions", suites); }
