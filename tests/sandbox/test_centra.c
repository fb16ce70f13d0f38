/* Contract tests of the Centra sandbox over real HTTP: a spawned `o2c-sandbox centra --port 0`
 * is driven the way a connector (and the business, through /_sandbox/) would drive it. Each
 * suite starts its own sandbox (permissions and rate limits differ) and checks at the end that
 * it shuts down cleanly (no crash, no sanitizer report). */
#include "tests/support/harness.h"
#include "tools/sandbox/framework/money.h"

#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOKEN "test-token-3f9a"

static pid_t g_pid = -1;
static int g_port;
static FILE *g_out; /* the sandbox's stdout, kept open so a late line never hits a closed pipe */

/* ---- the sandbox process --------------------------------------------------------------------- */

static int start_sandbox(const char *permissions, const char *const *extra)
{
    char bin[512];
    tsup_bin("o2c-sandbox", bin, sizeof bin);
    int out[2];
    if (pipe(out) != 0)
        return -1;
    const char *argv[32] = {"o2c-sandbox", "centra", "--port", "0", "--random-seed", "42"};
    int n = 6;
    for (int i = 0; extra && extra[i] && n < 30; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    g_pid = fork();
    if (g_pid == 0) {
        /* Dies with the test program, even when the test aborts. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        setenv("CENTRA_TOKEN", TOKEN, 1);
        if (permissions)
            setenv("CENTRA_TOKEN_PERMISSIONS", permissions, 1);
        else
            unsetenv("CENTRA_TOKEN_PERMISSIONS");
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    g_out = fdopen(out[0], "r");
    char line[256];
    g_port = 0;
    while (g_out && fgets(line, sizeof line, g_out))
        if (sscanf(line, "listening on 127.0.0.1:%d", &g_port) == 1)
            break;
    return g_port > 0 ? 0 : -1;
}

/* SIGTERM, then the exit status: 0 means it neither crashed nor reported a sanitizer error. */
static int stop_sandbox(void)
{
    if (g_pid <= 0)
        return -1;
    kill(g_pid, SIGTERM);
    int status;
    if (waitpid(g_pid, &status, 0) < 0)
        return -1;
    g_pid = -1;
    if (g_out)
        fclose(g_out);
    g_out = NULL;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

typedef struct reply {
    long status;
    int retry_after;
    char *body;
    size_t len;
} reply;

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    reply *r = userp;
    size_t add = size * n;
    char *p = realloc(r->body, r->len + add + 1);
    if (!p)
        return 0;
    r->body = p;
    memcpy(r->body + r->len, data, add);
    r->len += add;
    r->body[r->len] = 0;
    return add;
}

static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
    reply *r = userp;
    if (strncasecmp(data, "Retry-After:", 12) == 0)
        r->retry_after = atoi(data + 12);
    return size * n;
}

/* auth: NULL = the right bearer token, "" = none, anything else = that Authorization value. */
static reply http(const char *method, const char *path, const char *auth, const char *body, size_t len)
{
    reply r = {0};
    CURL *curl = curl_easy_init();
    char url[256], hdr[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", g_port, path);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (!auth)
        snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", TOKEN);
    else
        snprintf(hdr, sizeof hdr, "Authorization: %s", auth);
    if (!auth || *auth)
        h = curl_slist_append(h, hdr);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    if (!r.body)
        r.body = calloc(1, 1);
    return r;
}

/* POSTs a GraphQL request; returns the parsed response (and its HTTP status). */
static json_object *gql_status(const char *query, const char *variables, long *status)
{
    json_object *req = json_object_new_object();
    json_object_object_add(req, "query", json_object_new_string(query));
    if (variables)
        json_object_object_add(req, "variables", json_tokener_parse(variables));
    const char *s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
    reply r = http("POST", "/graphql", NULL, s, strlen(s));
    json_object_put(req);
    if (status)
        *status = r.status;
    json_object *out = json_tokener_parse(r.body);
    if (!out)
        fprintf(stderr, "\n  not JSON (HTTP %ld): %s\n", r.status, r.body);
    free(r.body);
    return out;
}

static json_object *gql(const char *query, const char *variables)
{
    long status;
    json_object *out = gql_status(query, variables, &status);
    CU_ASSERT_EQUAL(status, 200);
    return out;
}

/* Path lookup: "data.orderConnection.edges.0.node.id". */
static json_object *at(json_object *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *t = strtok_r(buf, ".", &save); t && o; t = strtok_r(NULL, ".", &save)) {
        if (json_object_is_type(o, json_type_array))
            o = json_object_array_get_idx(o, (size_t)atoi(t));
        else if (!json_object_object_get_ex(o, t, &o))
            return NULL;
    }
    return o;
}

static const char *str_at(json_object *o, const char *path)
{
    json_object *v = at(o, path);
    return v ? json_object_get_string(v) : "";
}

static bool has_error(json_object *resp, const char *needle)
{
    json_object *errs = at(resp, "errors");
    size_t n = errs ? json_object_array_length(errs) : 0;
    for (size_t i = 0; i < n; i++)
        if (strstr(str_at(json_object_array_get_idx(errs, i), "message"), needle))
            return true;
    fprintf(stderr, "\n  no error containing '%s' in %s\n", needle,
            resp ? json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN) : "(null)");
    return false;
}

/* Places orders through the control path; returns how many numbers came back. */
static int place_orders(int count, const char *extra)
{
    char body[128];
    snprintf(body, sizeof body, "{\"count\":%d%s}", count, extra ? extra : "");
    reply r = http("POST", "/_sandbox/orders", "", body, strlen(body));
    json_object *o = json_tokener_parse(r.body);
    int n = o && at(o, "orders") && r.status == 201 ? (int)json_object_array_length(at(o, "orders")) : -1;
    json_object_put(o);
    free(r.body);
    return n;
}

static json_object *stats(void)
{
    reply r = http("GET", "/_sandbox/stats", "", NULL, 0);
    json_object *o = json_tokener_parse(r.body);
    free(r.body);
    return o;
}

/* ---- suite: contract (all permissions, generous limits) --------------------------------------- */

static int contract_init(void)
{
    static const char *const extra[] = {"--rate-10s", "1000000", "--rate-hour", "100000000",
                                        "--mutation-rate-10s", "1000000", "--max-body-bytes", "65536", NULL};
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return start_sandbox(NULL, extra) == 0 && place_orders(40, ",\"unknown_sku_rate\":0") == 40 ? 0 : 1;
}

static int suite_cleanup(void)
{
    if (g_pid > 0)
        stop_sandbox(); /* only when a suite stopped before its last test */
    return 0;
}

/* Last test of every suite: SIGTERM ends the sandbox with status 0 — it did not crash, and the
 * sanitizers found nothing (they make the exit status non-zero). */
static void test_clean_shutdown(void)
{
    int rc = stop_sandbox();
    if (rc != 0)
        fprintf(stderr, "\n  sandbox exited with status %d\n", rc);
    CU_ASSERT_EQUAL(rc, 0);
}

static void test_bad_token(void)
{
    const char *q = "{\"query\":\"{ order(id: 1) { id } }\"}";
    reply r = http("POST", "/graphql", "", q, strlen(q));
    CU_ASSERT_EQUAL(r.status, 401);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"errors\""));
    free(r.body);
    r = http("POST", "/graphql", "Bearer wrong-token", q, strlen(q));
    CU_ASSERT_EQUAL(r.status, 401);
    free(r.body);
    r = http("POST", "/graphql", "Basic " TOKEN, q, strlen(q));
    CU_ASSERT_EQUAL(r.status, 401);
    free(r.body);
    r = http("POST", "/graphql", NULL, q, strlen(q));
    CU_ASSERT_EQUAL(r.status, 200);
    free(r.body);
}

static void test_unknown_field_and_argument(void)
{
    json_object *r = gql("{ orderConnection(first: 1) { edges { node { id foo } } } }", NULL);
    CU_ASSERT_TRUE(has_error(r, "Cannot query field \"foo\" on type \"Order\"."));
    CU_ASSERT_PTR_NULL(at(r, "data"));
    CU_ASSERT_EQUAL(json_object_get_int(at(r, "errors.0.locations.0.line")), 1);
    CU_ASSERT_EQUAL(json_object_get_int(at(r, "errors.0.locations.0.column")), 49);
    CU_ASSERT_STRING_EQUAL(str_at(r, "errors.0.extensions.category"), "graphql");
    json_object_put(r);
    r = gql("{ order(idd: 1) { id } }", NULL);
    CU_ASSERT_TRUE(has_error(r, "Unknown argument \"idd\" on field \"Query.order\"."));
    json_object_put(r);
    r = gql("{ orderConnection(where: {status: [SENT]}) { totalCount } }", NULL);
    CU_ASSERT_TRUE(has_error(r, "Value \"SENT\" does not exist in \"OrderStatus\" enum."));
    json_object_put(r);
    r = gql("mutation { createShipment(input: {order: {number: 1001}}) { userErrors { message } } }", NULL);
    CU_ASSERT_TRUE(has_error(r, "Field \"ShipmentCreateInput.lines\" of required type"));
    json_object_put(r);
    r = gql("{ order(id: 1) { lines } }", NULL);
    CU_ASSERT_TRUE(has_error(r, "must have a selection of subfields"));
    json_object_put(r);
    r = gql("query A { order(id: 1) { id } } query B { order(id: 2) { id } }", NULL);
    CU_ASSERT_TRUE(has_error(r, "Must provide operation name"));
    json_object_put(r);
    r = gql("{ order(id: 1) { id ", NULL);
    CU_ASSERT_TRUE(has_error(r, "Syntax Error: Expected Name, found <EOF>."));
    json_object_put(r);
}

static void test_only_selected_fields(void)
{
    json_object *r = gql("query Q($n: Int) { a: order(number: $n) { num: number ...T __typename } }"
                         " fragment T on Order { totals { grandTotal { value currency { code } } } }",
                         "{\"n\":1001}");
    json_object *a = at(r, "data.a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(json_object_object_length(a), 3);
    CU_ASSERT_EQUAL(json_object_get_int(at(a, "num")), 1001);
    CU_ASSERT_STRING_EQUAL(str_at(a, "__typename"), "Order");
    CU_ASSERT_EQUAL(json_object_object_length(at(a, "totals")), 1);
    CU_ASSERT_EQUAL(json_object_object_length(at(a, "totals.grandTotal")), 2);
    CU_ASSERT_EQUAL(json_object_object_length(at(a, "totals.grandTotal.currency")), 1);
    CU_ASSERT_PTR_NULL(at(a, "id"));
    CU_ASSERT_PTR_NOT_NULL(at(r, "extensions.complexity"));
    json_object_put(r);
}

/* ---- hostile documents (issue 15 item 12) ---- */

/* n fragments, each spreading the one before twice: ~1.5 KB whose expansion doubles per level.
 * `aliased`: the two spreads sit under two aliases one level down, so the work really doubles. */
static char *doubling_document(const char *root, int n, bool aliased)
{
    size_t cap = 128 + (size_t)n * 120, o;
    char *doc = malloc(cap);
    o = (size_t)snprintf(doc, cap, "{ %s { ...F%d } } fragment F0 on Order { id number }", root, n);
    for (int i = 1; i <= n; i++)
        o += (size_t)snprintf(doc + o, cap - o,
                              aliased ? " fragment F%d on Order { a: shipments { order { ...F%d } } b: shipments { order { ...F%d } } }"
                                      : " fragment F%d on Order { ...F%d ...F%d }",
                              i, i - 1, i - 1);
    return doc;
}

typedef struct call {
    const char *query;
    json_object *resp;
    long status;
} call;

static void *post_query(void *arg)
{
    call *c = arg;
    c->resp = gql_status(c->query, NULL, &c->status);
    return NULL;
}

static void test_hostile_documents_are_answered_at_once_beside_other_requests(void)
{
    /* 40 levels: 2^40 spreads if each were counted (the sandbox used to count them, under the
     * store lock, and every other request waited). Both requests must come back within the
     * client's timeout; the simple one sent while the hostile one is in flight. */
    char *doc = doubling_document("order(number: 1001)", 40, false);
    call hostile = {.query = doc}, simple = {.query = "{ rateLimits { type } }"};
    pthread_t a, b;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&a, NULL, post_query, &hostile), 0);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&b, NULL, post_query, &simple), 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    CU_ASSERT_EQUAL(hostile.status, 200);
    CU_ASSERT_EQUAL(json_object_get_int(at(hostile.resp, "data.order.number")), 1001);
    CU_ASSERT_PTR_NULL(at(hostile.resp, "errors"));
    CU_ASSERT_EQUAL(json_object_get_int64(at(hostile.resp, "extensions.complexity")), 3);
    CU_ASSERT_EQUAL(simple.status, 200);
    CU_ASSERT_STRING_EQUAL(str_at(simple.resp, "data.rateLimits.0.type"), "REQUESTS_10S");
    json_object_put(hostile.resp);
    json_object_put(simple.resp);
    free(doc);

    /* Aliased, the expansion is real: refused before it runs, as graphql-php's QueryDepth and
     * QueryComplexity rules refuse (Centra's complexity budget is 250,000). */
    doc = doubling_document("order(number: 1001)", 20, true);
    json_object *r = gql(doc, NULL);
    CU_ASSERT_TRUE(has_error(r, "Max query depth should be 32 but got"));
    CU_ASSERT_PTR_NULL(at(r, "data"));
    json_object_put(r);
    free(doc);
    doc = doubling_document("orders(limit: 10000)", 12, true); /* 26 deep, 2^12 orders' worth each */
    r = gql(doc, NULL);
    CU_ASSERT_TRUE(has_error(r, "Max query complexity should be 250000 but got"));
    CU_ASSERT_PTR_NULL(at(r, "data"));
    json_object_put(r);
    free(doc);
    r = gql("{ orders(limit: 10000) { id number status storeId createdAt updatedAt lines { id quantity size }"
            " shipments { id } returns { id } currency { code } customer { id email firstName lastName }"
            " billingAddress { city zipCode } totals { grandTotal { value } } } }", NULL);
    CU_ASSERT_TRUE(has_error(r, "Max query complexity should be 250000 but got 270001."));
    json_object_put(r);
    /* The sandbox is still answering. */
    r = gql("{ order(number: 1001) { number } }", NULL);
    CU_ASSERT_EQUAL(json_object_get_int(at(r, "data.order.number")), 1001);
    json_object_put(r);
}

/* Clients and code generators introspect: the standard query's core, over HTTP. */
static void test_introspection_over_http(void)
{
    json_object *r = gql("{ __schema { queryType { name } types { name } directives { name locations } } "
                         "__type(name: \"OrderLine\") { fields { name args { name defaultValue } } } }", NULL);
    CU_ASSERT_STRING_EQUAL(str_at(r, "data.__schema.queryType.name"), "Query");
    json_object *types = at(r, "data.__schema.types");
    CU_ASSERT_TRUE(types && json_object_array_length(types) > 40);
    json_object *fields = at(r, "data.__type.fields");
    bool seen = false;
    for (size_t i = 0; fields && i < json_object_array_length(fields); i++) {
        json_object *f = json_object_array_get_idx(fields, i);
        if (strcmp(str_at(f, "name"), "unitPrice") == 0)
            seen = strcmp(str_at(f, "args.0.defaultValue"), "true") == 0;
    }
    CU_ASSERT_TRUE(seen);
    CU_ASSERT_PTR_NULL(at(r, "errors"));
    json_object_put(r);
}

/* Walks every order with first/after; each exactly once, in the requested order. */
static void walk(const char *sort, int page)
{
    char q[512];
    int seen[4096] = {0};
    int count = 0, total = -1;
    long long prev_key = -1;
    char after[256] = "";
    for (int guard = 0; guard < 1000; guard++) {
        char vars[384];
        snprintf(vars, sizeof vars, "{\"after\":%s%s%s}", *after ? "\"" : "", *after ? after : "null", *after ? "\"" : "");
        snprintf(q, sizeof q,
                 "query W($after: String) { orderConnection(first: %d, after: $after, sort: [%s]) {"
                 " totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id number } } } }",
                 page, sort);
        json_object *r = gql(q, vars);
        json_object *conn = at(r, "data.orderConnection");
        CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
        total = json_object_get_int(at(conn, "totalCount"));
        json_object *edges = at(conn, "edges");
        size_t n = json_object_array_length(edges);
        CU_ASSERT_TRUE(n <= (size_t)page);
        for (size_t i = 0; i < n; i++) {
            int id = json_object_get_int(at(json_object_array_get_idx(edges, i), "node.id"));
            CU_ASSERT_TRUE(id > 0 && id < 4096);
            if (id > 0 && id < 4096)
                seen[id]++;
            long long key = strstr(sort, "DESC") ? 100000 - id : id;
            CU_ASSERT_TRUE(key > prev_key);
            prev_key = key;
            count++;
        }
        bool more = json_object_get_boolean(at(conn, "pageInfo.hasNextPage"));
        snprintf(after, sizeof after, "%s", str_at(conn, "pageInfo.endCursor"));
        json_object_put(r);
        if (!more)
            break;
    }
    CU_ASSERT_EQUAL(count, total);
    for (int i = 0; i < 4096; i++)
        CU_ASSERT_TRUE(seen[i] <= 1);
}

static void test_paging_walks_all_once(void)
{
    CU_ASSERT_EQUAL(place_orders(23, NULL), 23);
    walk("id_ASC", 10);
    walk("createdAt_DESC", 7);
    walk("id_ASC", 200);
    json_object *r = gql("{ orderConnection(first: 2, after: \"bm9wZQ==\") { totalCount } }", NULL);
    CU_ASSERT_TRUE(has_error(r, "Invalid cursor"));
    json_object_put(r);
    r = gql("{ orderConnection(first: 500) { totalCount } }", NULL);
    CU_ASSERT_TRUE(has_error(r, "must be between 0 and 200"));
    json_object_put(r);
}

/* An updatedAt walk while orders change: nothing is skipped, a changed order shows up again
 * later (its updatedAt moved past the cursor), new orders appear. This is how a poller uses it. */
static void test_updated_walk_sees_changes(void)
{
    json_object *r = gql("{ orderConnection(first: 0) { totalCount } }", NULL);
    int before = json_object_get_int(at(r, "data.orderConnection.totalCount"));
    json_object_put(r);
    int seen[4096] = {0}, changed = 0, pages = 0;
    char after[256] = "";
    for (int guard = 0; guard < 1000; guard++) {
        char vars[384];
        snprintf(vars, sizeof vars, "{\"after\":%s%s%s}", *after ? "\"" : "", *after ? after : "null", *after ? "\"" : "");
        r = gql("query W($after: String) { orderConnection(first: 9, after: $after, sort: [updatedAt_ASC]) {"
                " pageInfo { hasNextPage endCursor } nodes { id number } } }", vars);
        json_object *nodes = at(r, "data.orderConnection.nodes");
        CU_ASSERT_PTR_NOT_NULL_FATAL(nodes);
        for (size_t i = 0; i < json_object_array_length(nodes); i++) {
            int id = json_object_get_int(at(json_object_array_get_idx(nodes, i), "id"));
            if (id > 0 && id < 4096)
                seen[id]++;
        }
        if (pages++ == 0) {
            /* Change an order already seen and place two new ones mid-walk. */
            changed = json_object_get_int(at(nodes, "0.number"));
            char path[64];
            snprintf(path, sizeof path, "/_sandbox/orders/%d/cancel", changed);
            reply x = http("POST", path, "", "", 0);
            CU_ASSERT_TRUE(x.status == 200 || x.status == 409);
            free(x.body);
            CU_ASSERT_EQUAL(place_orders(2, NULL), 2);
        }
        bool more = json_object_get_boolean(at(r, "data.orderConnection.pageInfo.hasNextPage"));
        snprintf(after, sizeof after, "%s", str_at(r, "data.orderConnection.pageInfo.endCursor"));
        json_object_put(r);
        if (!more)
            break;
    }
    for (int id = 1; id <= before + 2 && id < 4096; id++)
        CU_ASSERT_TRUE(seen[id] >= 1);
    CU_ASSERT_EQUAL(seen[changed - 1000], 2);
    /* orders(limit, page) pages the same set. */
    r = gql("{ a: orders(limit: 3, page: 1) { id } b: orders(limit: 3, page: 2) { id } }", NULL);
    CU_ASSERT_EQUAL(json_object_get_int(at(r, "data.a.0.id")), 1);
    CU_ASSERT_EQUAL(json_object_get_int(at(r, "data.b.0.id")), 4);
    json_object_put(r);
}

static void test_where_filters(void)
{
    reply c = http("POST", "/_sandbox/orders/1003/cancel", "", "", 0);
    CU_ASSERT_EQUAL(c.status, 200);
    free(c.body);
    c = http("POST", "/_sandbox/orders/1003/cancel", "", "", 0);
    CU_ASSERT_EQUAL(c.status, 409);
    free(c.body);
    c = http("POST", "/_sandbox/orders/999999/cancel", "", "", 0);
    CU_ASSERT_EQUAL(c.status, 404);
    free(c.body);
    json_object *r = gql("{ orderConnection(where: {status: [CANCELLED]}) { totalCount nodes { number status lines { quantity cancelledQuantity } } } }", NULL);
    CU_ASSERT_EQUAL(json_object_get_int(at(r, "data.orderConnection.totalCount")), 1);
    CU_ASSERT_EQUAL(json_object_get_int(at(r, "data.orderConnection.nodes.0.number")), 1003);
    CU_ASSERT_EQUAL(json_object_get_int(at(r, "data.orderConnection.nodes.0.lines.0.quantity")), 0);
    CU_ASSERT_TRUE(json_object_get_int(at(r, "data.orderConnection.nodes.0.lines.0.cancelledQuantity")) > 0);
    json_object_put(r);
    r = gql("{ orderConnection(where: {number: [1002, 1005]}) { totalCount nodes { number } } }", NULL);
    CU_ASSERT_EQUAL(json_object_get_int(at(r, "data.orderConnection.totalCount")), 2);
    json_object_put(r);
    r = gql("{ orderConnection(where: {updatedAt: {from: \"2999-01-01T00:00:00Z\"}}) { totalCount } }", NULL);
    CU_ASSERT_EQUAL(json_object_get_int(at(r, "data.orderConnection.totalCount")), 0);
    json_object_put(r);
    r = gql("{ orderConnection(where: {updatedAt: {from: \"2000-01-01\"}, storeType: DIRECT_TO_CONSUMER}) { totalCount } }", NULL);
    CU_ASSERT_TRUE(json_object_get_int(at(r, "data.orderConnection.totalCount")) >= 40);
    json_object_put(r);
    r = gql("{ orderConnection(where: {createdAt: {from: \"yesterday\"}}) { totalCount } }", NULL);
    CU_ASSERT_TRUE(has_error(r, "Invalid date-time"));
    json_object_put(r);
}

static int64_t minor(json_object *money)
{
    int64_t v = 0;
    CU_ASSERT_TRUE(sb_money_from_json(at(money, "value"), 2, &v));
    return v;
}

static void test_totals_add_up(void)
{
    json_object *r = gql("{ orderConnection(first: 60) { nodes { number totals { itemsTotal { value } shipping { value }"
                         " taxAdded { value } taxIncluded { value } grandTotal { value } } grandTotal { value }"
                         " lines { quantity unitPrice { value } lineValue { value } net: lineValue(includingTax: false) { value } } } } }",
                         NULL);
    json_object *nodes = at(r, "data.orderConnection.nodes");
    CU_ASSERT_PTR_NOT_NULL_FATAL(nodes);
    size_t n = json_object_array_length(nodes);
    CU_ASSERT_TRUE(n >= 40);
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(nodes, i);
        int64_t lines = 0, net = 0;
        json_object *ls = at(o, "lines");
        for (size_t k = 0; k < json_object_array_length(ls); k++) {
            json_object *l = json_object_array_get_idx(ls, k);
            int64_t lv = minor(at(l, "lineValue"));
            CU_ASSERT_EQUAL(lv, minor(at(l, "unitPrice")) * json_object_get_int(at(l, "quantity")));
            lines += lv;
            net += minor(at(l, "net"));
        }
        int64_t added = minor(at(o, "totals.taxAdded")), included = minor(at(o, "totals.taxIncluded"));
        CU_ASSERT_EQUAL(minor(at(o, "totals.itemsTotal")), lines);
        CU_ASSERT_EQUAL(minor(at(o, "totals.grandTotal")), lines + minor(at(o, "totals.shipping")) + added);
        CU_ASSERT_EQUAL(minor(at(o, "grandTotal")), minor(at(o, "totals.grandTotal")));
        CU_ASSERT_TRUE(added == 0 || included == 0);
        if (included)
            CU_ASSERT_TRUE(net < lines); /* VAT-inclusive market: net below gross */
    }
    json_object_put(r);
}

static void test_unknown_sku_orders(void)
{
    CU_ASSERT_EQUAL(place_orders(3, ",\"unknown_sku_rate\":1"), 3);
    json_object *r = gql("{ orderConnection(first: 3, sort: [id_DESC]) { nodes { lines { productSize { SKU } } } } }", NULL);
    json_object *nodes = at(r, "data.orderConnection.nodes");
    CU_ASSERT_EQUAL(json_object_array_length(nodes), 3);
    for (size_t i = 0; i < json_object_array_length(nodes); i++) {
        json_object *ls = at(json_object_array_get_idx(nodes, i), "lines");
        int unknown = 0;
        for (size_t k = 0; k < json_object_array_length(ls); k++)
            unknown += strncmp(str_at(json_object_array_get_idx(ls, k), "productSize.SKU"), "NDT-NEW-", 8) == 0;
        CU_ASSERT_EQUAL(unknown, 1);
    }
    json_object_put(r);
    CU_ASSERT_EQUAL(place_orders(1, ",\"unknown_sku_rate\":0"), 1);
}

static void test_events_feed(void)
{
    const char *q = "{ events(where: {objectType: [Order], changeType: [CREATED]}, limit: 5) { id objectType changeType objectId } }";
    json_object *a = gql(q, NULL), *b = gql(q, NULL);
    json_object *ea = at(a, "data.events"), *eb = at(b, "data.events");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(ea), 5);
    /* Unconfirmed events are handed out again, oldest first. */
    CU_ASSERT_STRING_EQUAL(json_object_to_json_string(ea), json_object_to_json_string(eb));
    CU_ASSERT_STRING_EQUAL(str_at(ea, "0.changeType"), "CREATED");
    char vars[128];
    snprintf(vars, sizeof vars, "{\"ids\":[%d,%d,%d,%d,%d]}", json_object_get_int(at(ea, "0.id")),
             json_object_get_int(at(ea, "1.id")), json_object_get_int(at(ea, "2.id")),
             json_object_get_int(at(ea, "3.id")), json_object_get_int(at(ea, "4.id")));
    json_object *c = gql("mutation C($ids: [Int!]!) { confirmEvents(input: {eventsIds: $ids}) { confirmedEventsIds userErrors { message path } } }", vars);
    CU_ASSERT_EQUAL(json_object_array_length(at(c, "data.confirmEvents.confirmedEventsIds")), 5);
    CU_ASSERT_EQUAL(json_object_array_length(at(c, "data.confirmEvents.userErrors")), 0);
    json_object *d = gql(q, NULL);
    json_object *ed = at(d, "data.events");
    int first_new = json_object_get_int(at(ed, "0.id"));
    for (size_t i = 0; i < 5; i++)
        CU_ASSERT_NOT_EQUAL(first_new, json_object_get_int(at(ea, "0.id")) + 0 * (int)i);
    for (size_t i = 0; i < json_object_array_length(ed); i++)
        for (size_t k = 0; k < 5; k++)
            CU_ASSERT_NOT_EQUAL(json_object_get_int(at(json_object_array_get_idx(ed, i), "id")),
                                json_object_get_int(at(json_object_array_get_idx(ea, k), "id")));
    json_object *e = gql("mutation { confirmEvents(input: {eventsIds: [99999999]}) { confirmedEventsIds userErrors { message path } } }", NULL);
    CU_ASSERT_EQUAL(json_object_array_length(at(e, "data.confirmEvents.userErrors")), 1);
    CU_ASSERT_STRING_EQUAL(str_at(e, "data.confirmEvents.userErrors.0.path.0"), "input");
    json_object_put(a);
    json_object_put(b);
    json_object_put(c);
    json_object_put(d);
    json_object_put(e);
}

/* Finds an order (CONFIRMED) with a line of quantity ≥ 2; returns its number and line id. */
static int order_with_multi_unit_line(int *line_id, int *qty)
{
    json_object *r = gql("{ orderConnection(first: 200, where: {status: [CONFIRMED]}) { nodes { number lines { id quantity } } } }", NULL);
    json_object *nodes = at(r, "data.orderConnection.nodes");
    int number = 0;
    for (size_t i = 0; nodes && i < json_object_array_length(nodes) && !number; i++) {
        json_object *ls = at(json_object_array_get_idx(nodes, i), "lines");
        for (size_t k = 0; k < json_object_array_length(ls); k++) {
            json_object *l = json_object_array_get_idx(ls, k);
            if (json_object_get_int(at(l, "quantity")) >= 2) {
                number = json_object_get_int(at(json_object_array_get_idx(nodes, i), "number"));
                *line_id = json_object_get_int(at(l, "id"));
                *qty = json_object_get_int(at(l, "quantity"));
                break;
            }
        }
    }
    json_object_put(r);
    return number;
}

static json_object *create_shipment(int number, int line, int qty, bool email)
{
    char vars[256];
    snprintf(vars, sizeof vars, "{\"n\":%d,\"l\":%d,\"q\":%d,\"e\":%s}", number, line, qty, email ? "true" : "false");
    return gql("mutation S($n: Int!, $l: Int!, $q: Int!, $e: Boolean) { createShipment(input: {order: {number: $n},"
               " lines: [{orderLine: {id: $l}, quantity: $q}], sendEmail: $e}) { shipment { id number isShipped lines { id quantity } }"
               " userErrors { message path } userWarnings { message } } }", vars);
}

static void test_mutations_and_user_errors(void)
{
    int line = 0, qty = 0;
    int number = order_with_multi_unit_line(&line, &qty);
    CU_ASSERT_FATAL(number > 0);

    json_object *r = create_shipment(999999, line, 1, false);
    CU_ASSERT_STRING_EQUAL(str_at(r, "data.createShipment.userErrors.0.message"), "Order not found.");
    CU_ASSERT_STRING_EQUAL(str_at(r, "data.createShipment.userErrors.0.path.1"), "order");
    CU_ASSERT_PTR_NULL(at(r, "data.createShipment.shipment"));
    json_object_put(r);
    r = create_shipment(number, line, qty + 1, false);
    CU_ASSERT_TRUE(strstr(str_at(r, "data.createShipment.userErrors.0.message"), "only") != NULL);
    CU_ASSERT_STRING_EQUAL(str_at(r, "data.createShipment.userErrors.0.path.3"), "quantity");
    json_object_put(r);
    r = create_shipment(number, 987654, 1, false);
    CU_ASSERT_STRING_EQUAL(str_at(r, "data.createShipment.userErrors.0.path.3"), "orderLine");
    json_object_put(r);

    /* Ship one unit, e-mail on completion; then again with the same lines: a duplicate. */
    r = create_shipment(number, line, 1, false);
    CU_ASSERT_EQUAL(json_object_array_length(at(r, "data.createShipment.userErrors")), 0);
    int shipment = json_object_get_int(at(r, "data.createShipment.shipment.id"));
    int shipment_line = json_object_get_int(at(r, "data.createShipment.shipment.lines.0.id"));
    CU_ASSERT_TRUE(shipment > 0);
    CU_ASSERT_FALSE(json_object_get_boolean(at(r, "data.createShipment.shipment.isShipped")));
    json_object_put(r);
    char q[512];
    snprintf(q, sizeof q, "mutation { completeShipment(id: %d, input: {shipmentInfo: {carrier: \"PostNord\", trackingNumber: \"PN1\"},"
             " sendEmail: true}) { shipment { isShipped shipmentInfo { trackingNumber } } userErrors { message path } } }", shipment);
    r = gql(q, NULL);
    CU_ASSERT_TRUE(json_object_get_boolean(at(r, "data.completeShipment.shipment.isShipped")));
    CU_ASSERT_STRING_EQUAL(str_at(r, "data.completeShipment.shipment.shipmentInfo.trackingNumber"), "PN1");
    json_object_put(r);
    r = gql(q, NULL);
    CU_ASSERT_STRING_EQUAL(str_at(r, "data.completeShipment.userErrors.0.message"), "Shipment is already completed.");
    json_object_put(r);

    json_object *before = stats();
    CU_ASSERT_EQUAL(json_object_get_int(at(before, "duplicate_shipments")), 0);
    r = create_shipment(number, line, 1, true); /* a second notification for the same order */
    CU_ASSERT_EQUAL(json_object_array_length(at(r, "data.createShipment.userErrors")), 0);
    json_object_put(r);
    json_object *after = stats();
    CU_ASSERT_EQUAL(json_object_get_int(at(after, "duplicate_shipments")), 1);
    CU_ASSERT_TRUE(json_object_get_int(at(after, "notifications.max_per_order")) >= 2);
    CU_ASSERT_TRUE(json_object_get_int(at(after, "notifications.orders_with_more_than_one")) >= 1);
    CU_ASSERT_TRUE(json_object_get_int(at(after, "records.shipments")) >= 2);
    json_object_put(before);
    json_object_put(after);

    /* Returns: more than shipped is refused, one unit goes through. */
    snprintf(q, sizeof q, "mutation { createReturn(input: {shipment: {id: %d}, lines: [{shipmentLine: {id: %d}, quantity: 2}],"
             " comment: \"too big\"}) { return { id lines { quantity } } userErrors { message path } } }", shipment, shipment_line);
    r = gql(q, NULL);
    CU_ASSERT_EQUAL(json_object_array_length(at(r, "data.createReturn.userErrors")), 1);
    CU_ASSERT_PTR_NULL(at(r, "data.createReturn.return"));
    json_object_put(r);
    snprintf(q, sizeof q, "mutation { createReturn(input: {shipment: {id: %d}, lines: [{shipmentLine: {id: %d}, quantity: 1}]})"
             " { return { id lines { quantity } } userErrors { message } } }", shipment, shipment_line);
    r = gql(q, NULL);
    CU_ASSERT_EQUAL(json_object_array_length(at(r, "data.createReturn.userErrors")), 0);
    CU_ASSERT_EQUAL(json_object_get_int(at(r, "data.createReturn.return.lines.0.quantity")), 1);
    json_object_put(r);
    snprintf(q, sizeof q, "{ order(number: %d) { lines { id returnedQuantity } shipments { id } returns { id } } }", number);
    r = gql(q, NULL);
    CU_ASSERT_TRUE(json_object_array_length(at(r, "data.order.shipments")) >= 2);
    CU_ASSERT_EQUAL(json_object_array_length(at(r, "data.order.returns")), 1);
    json_object_put(r);

    /* The business: customers return items of shipped orders. */
    reply rr = http("POST", "/_sandbox/returns", "", "{\"count\":1}", 11);
    CU_ASSERT_EQUAL(rr.status, 201);
    free(rr.body);
}

static void test_stock_mutations(void)
{
    reply seed = http("GET", "/_sandbox/seed", "", NULL, 0);
    json_object *s = json_tokener_parse(seed.body);
    free(seed.body);
    json_object *item = at(s, "items.0");
    CU_ASSERT_PTR_NOT_NULL_FATAL(item);
    const char *variant = str_at(item, "centraVariantId"), *size = str_at(item, "size"), *sku = str_at(item, "sku");
    char q[768], path[160];
    snprintf(q, sizeof q, "mutation { setStock(input: {warehouse: {id: 1}, productVariants: [{productVariant: {id: %s},"
             " sizeStockLevels: [{size: {name: \"%s\"}, quantity: 37}]}]}) { userErrors { message path } } }", variant, size);
    json_object *r = gql(q, NULL);
    CU_ASSERT_EQUAL(json_object_array_length(at(r, "data.setStock.userErrors")), 0);
    json_object_put(r);
    snprintf(path, sizeof path, "/_sandbox/stock?sku=%s", sku);
    reply st = http("GET", path, "", NULL, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(st.body, "\"1\":37"));
    free(st.body);
    snprintf(q, sizeof q, "mutation { changeStock(input: {warehouse: {id: 1}, productVariants: [{productVariant: {id: %s},"
             " sizeStockChanges: [{size: {name: \"%s\"}, deltaQuantity: -40}]}]}) { userErrors { message path } } }", variant, size);
    r = gql(q, NULL);
    CU_ASSERT_STRING_EQUAL(str_at(r, "data.changeStock.userErrors.0.message"), "Stock cannot be negative.");
    json_object_put(r);
    snprintf(q, sizeof q, "mutation { setStock(input: {warehouse: {id: 77}, productVariants: [{productVariant: {id: 123456},"
             " sizeStockLevels: [{size: {name: \"Q\"}, quantity: 1}]}]}) { userErrors { message path } } }");
    r = gql(q, NULL);
    CU_ASSERT_STRING_EQUAL(str_at(r, "data.setStock.userErrors.0.message"), "Warehouse not found.");
    json_object_put(r);
    json_object_put(s);
}

static void test_malformed_requests(void)
{
    static const struct { const char *body; int len; long status; const char *needle; } cases[] = {
        {"not json", -1, 400, "\"errors\""},
        {"[1,2]", -1, 400, "\"errors\""},
        {"{\"query\": 5}", -1, 400, "must be string"},
        {"{\"query\": \"\"}", -1, 400, "must include"},
        {"{}", -1, 400, "must include"},
        {"{\"query\": \"{ order(id: 1) { id } }\", \"variables\": \"x\"}", -1, 400, "variables"},
        {"{\"query\": \"{ order(id: 1) { id } }\", \"operationName\": 7}", -1, 400, "operationName"},
        {"{\"query\": \"\xff\xfe{ order }\"}", -1, 400, "\"errors\""},
        {"{\"query\": \"{ order(id: \\\"x\\\") { id } }\"}", -1, 200, "Int cannot represent"},
        {"{\"query\": \"{{{{\"}", -1, 200, "Syntax Error"},
        {"{\"query\": \"{ order(id: 1) { id } }\", \"variables\": {\"unused\": [1]}}", -1, 200, "\"data\""},
        {"", 0, 400, "\"errors\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len = cases[i].len < 0 ? strlen(cases[i].body) : (size_t)cases[i].len;
        reply r = http("POST", "/graphql", NULL, cases[i].body, len);
        if (r.status != cases[i].status || !strstr(r.body, cases[i].needle))
            fprintf(stderr, "\n  case %zu: HTTP %ld %s\n", i, r.status, r.body);
        CU_ASSERT_EQUAL(r.status, cases[i].status);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.body, cases[i].needle));
        free(r.body);
    }
    /* Huge body: refused by size, in GraphQL's error shape. */
    size_t big = 200000;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    memcpy(huge, "{\"query\":\"", 10);
    huge[big - 2] = '"';
    huge[big - 1] = '}';
    huge[big] = 0;
    reply r = http("POST", "/graphql", NULL, huge, big);
    CU_ASSERT_EQUAL(r.status, 413);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"errors\""));
    free(r.body);
    free(huge);
    r = http("GET", "/graphql", NULL, NULL, 0);
    CU_ASSERT_EQUAL(r.status, 405);
    free(r.body);
    /* Random bytes, then the sandbox still answers. */
    unsigned seed = 7;
    char junk[512];
    for (int round = 0; round < 100; round++) {
        size_t n = (size_t)(rand_r(&seed) % sizeof junk);
        for (size_t i = 0; i < n; i++)
            junk[i] = (char)(rand_r(&seed) % 256);
        r = http("POST", "/graphql", NULL, junk, n);
        CU_ASSERT_TRUE(r.status == 400 || r.status == 200);
        free(r.body);
    }
    r = http("GET", "/_sandbox/health", "", NULL, 0);
    CU_ASSERT_EQUAL(r.status, 200);
    free(r.body);
}

/* ---- suite: permissions ------------------------------------------------------------------------ */

static int perms_init(void)
{
    static const char *const extra[] = {"--rate-10s", "100000", NULL};
    return start_sandbox("Order:read,Event:read", extra) == 0 && place_orders(2, NULL) == 2 ? 0 : 1;
}

static void test_missing_permissions(void)
{
    json_object *r = gql("{ order(id: 1) { id customer { email } } }", NULL);
    CU_ASSERT_EQUAL(json_object_get_int(at(r, "data.order.id")), 1);
    CU_ASSERT_TRUE(at(r, "data.order") && json_object_object_get_ex(at(r, "data.order"), "customer", NULL));
    CU_ASSERT_PTR_NULL(at(r, "data.order.customer"));
    CU_ASSERT_TRUE(has_error(r, "You need Customer:read permission"));
    CU_ASSERT_STRING_EQUAL(str_at(r, "errors.0.extensions.category"), "authorization");
    CU_ASSERT_STRING_EQUAL(str_at(r, "errors.0.path.0"), "order");
    CU_ASSERT_STRING_EQUAL(str_at(r, "errors.0.path.1"), "customer");
    json_object_put(r);
    r = gql("mutation { createShipment(input: {order: {id: 1}, lines: []}) { userErrors { message } } }", NULL);
    CU_ASSERT_TRUE(has_error(r, "You need Shipment:write permission"));
    CU_ASSERT_PTR_NULL(at(r, "data"));
    json_object_put(r);
    r = gql("{ order(id: 1) { number } }", NULL);
    CU_ASSERT_STRING_EQUAL(str_at(r, "extensions.permissionsUsed.0"), "Order:read");
    json_object_put(r);
}

/* ---- suite: rate limits ------------------------------------------------------------------------ */

static int limits_init(void)
{
    static const char *const extra[] = {"--rate-10s", "6", "--rate-hour", "1000", "--mutation-rate-10s", "2", NULL};
    return start_sandbox(NULL, extra) == 0 ? 0 : 1;
}

static void test_rate_limits(void)
{
    const char *m = "mutation { confirmEvents(input: {eventsIds: []}) { userErrors { message } } }";
    long status;
    json_object *r;
    for (int i = 0; i < 2; i++) {
        r = gql_status(m, NULL, &status);
        CU_ASSERT_EQUAL(status, 200);
        json_object_put(r);
    }
    /* Third mutation inside 10 s: the mutation bucket is empty. */
    json_object *req = json_object_new_object();
    json_object_object_add(req, "query", json_object_new_string(m));
    const char *s = json_object_to_json_string(req);
    reply x = http("POST", "/graphql", NULL, s, strlen(s));
    CU_ASSERT_EQUAL(x.status, 429);
    CU_ASSERT_TRUE(x.retry_after >= 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(x.body, "MUTATIONS_10S"));
    free(x.body);
    json_object_put(req);
    /* Requests: 3 used so far of 6; three queries pass, the next is throttled. */
    r = gql_status("{ rateLimits { type quota remainingQuota } }", NULL, &status);
    CU_ASSERT_EQUAL(status, 200);
    CU_ASSERT_STRING_EQUAL(str_at(r, "data.rateLimits.0.type"), "REQUESTS_10S");
    CU_ASSERT_EQUAL(json_object_get_int(at(r, "data.rateLimits.0.quota")), 6);
    json_object_put(r);
    for (int i = 0; i < 2; i++) {
        r = gql_status("{ rateLimits { type } }", NULL, &status);
        CU_ASSERT_EQUAL(status, 200);
        json_object_put(r);
    }
    const char *q = "{\"query\":\"{ rateLimits { type } }\"}";
    x = http("POST", "/graphql", NULL, q, strlen(q));
    CU_ASSERT_EQUAL(x.status, 429);
    CU_ASSERT_TRUE(x.retry_after >= 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(x.body, "REQUESTS_10S"));
    free(x.body);
    /* The control paths are not rate limited. */
    x = http("GET", "/_sandbox/stats", "", NULL, 0);
    CU_ASSERT_EQUAL(x.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(x.body, "\"429\""));
    free(x.body);
}

/* ---- suite: faults ------------------------------------------------------------------------------ */

static int faults_init(void)
{
    static const char *const extra[] = {"--rate-10s", "1000000", "--rate-hour", "100000000",
                                        "--faults", "429=0.2,503=0.1,malformed=0.1,lock=0.3", NULL};
    return start_sandbox(NULL, extra) == 0 ? 0 : 1;
}

/* With a fixed seed the faults come at about the configured rates, each in Centra's shape; "lock"
 * does not exist in Centra, so those requests run normally. */
static void test_faults_in_centra_shape(void)
{
    const char *q = "{\"query\":\"{ rateLimits { type } }\"}";
    int n429 = 0, n503 = 0, broken = 0, ok = 0, other = 0;
    const int total = 400;
    for (int i = 0; i < total; i++) {
        reply r = http("POST", "/graphql", NULL, q, strlen(q));
        json_object *body = json_tokener_parse(r.body);
        if (r.status == 429) {
            n429++;
            CU_ASSERT_TRUE(r.retry_after >= 1);
            CU_ASSERT_PTR_NOT_NULL(at(body, "errors.0.message"));
        } else if (r.status == 503) {
            n503++;
            CU_ASSERT_PTR_NOT_NULL(at(body, "errors.0.message"));
        } else if (r.status == 200 && !body) {
            broken++;
        } else if (r.status == 200 && at(body, "data.rateLimits")) {
            ok++;
        } else {
            other++;
        }
        json_object_put(body);
        free(r.body);
    }
    /* Expected 80 / 40 / 40 / 240; bounds far outside any plausible deviation for 400 draws. */
    CU_ASSERT_TRUE(n429 >= 50 && n429 <= 115);
    CU_ASSERT_TRUE(n503 >= 20 && n503 <= 65);
    CU_ASSERT_TRUE(broken >= 20 && broken <= 65);
    CU_ASSERT_TRUE(ok >= 190);
    CU_ASSERT_EQUAL(other, 0);
    json_object *st = stats();
    CU_ASSERT_EQUAL(json_object_get_int(at(st, "faults_injected.lock")), 0);
    CU_ASSERT_EQUAL(json_object_get_int(at(st, "faults_injected.429")), n429);
    json_object_put(st);
}

/* Customer service's refunds show as REFUND entries of Order.paymentHistory, filterable by type,
 * and touch the order; what Centra would refuse is refused. */
static void test_refunds_in_payment_history(void)
{
    json_object *r = gql("{ orderConnection(first: 1, where: {status: [CONFIRMED]}) { nodes { number updatedAt } } }", NULL);
    int number = json_object_get_int(at(r, "data.orderConnection.nodes.0.number"));
    char before[64], path[64];
    snprintf(before, sizeof before, "%s", str_at(r, "data.orderConnection.nodes.0.updatedAt") ? str_at(r, "data.orderConnection.nodes.0.updatedAt") : "");
    json_object_put(r);
    CU_ASSERT_FATAL(number > 0);
    snprintf(path, sizeof path, "/_sandbox/orders/%d/refund", number);
    const char *ok = "{\"amount\":\"1.50\",\"reason\":\"goodwill\"}";
    reply c = http("POST", path, "", ok, strlen(ok));
    CU_ASSERT_EQUAL(c.status, 201);
    free(c.body);
    const char *bad[] = {"{\"amount\":\"1.505\"}", "{\"amount\":\"-1\"}", "{\"amount\":\"1.00\",\"shipping\":\"2.00\"}", "{}"};
    for (size_t i = 0; i < 4; i++) {
        c = http("POST", path, "", bad[i], strlen(bad[i]));
        CU_ASSERT_EQUAL(c.status, 400);
        free(c.body);
    }
    const char *too_much = "{\"amount\":\"99999999.00\"}";
    c = http("POST", path, "", too_much, strlen(too_much));
    CU_ASSERT_EQUAL(c.status, 409);
    free(c.body);
    c = http("POST", "/_sandbox/orders/999999/refund", "", ok, strlen(ok));
    CU_ASSERT_EQUAL(c.status, 404);
    free(c.body);
    char q[256];
    snprintf(q, sizeof q, "{ order(number: %d) { updatedAt refunds: paymentHistory(where: {entryType: [REFUND]}) { id entryType status "
                          "value { value } } captures: paymentHistory(where: {entryType: [CAPTURE]}) { id } } }", number);
    r = gql(q, NULL);
    CU_ASSERT_EQUAL(json_object_array_length(at(r, "data.order.refunds")), 1);
    CU_ASSERT_STRING_EQUAL(str_at(r, "data.order.refunds.0.entryType"), "REFUND");
    CU_ASSERT_STRING_EQUAL(str_at(r, "data.order.refunds.0.status"), "SUCCESS");
    CU_ASSERT_STRING_EQUAL(json_object_to_json_string(at(r, "data.order.refunds.0.value.value")), "1.50");
    CU_ASSERT_EQUAL(json_object_array_length(at(r, "data.order.captures")), 0);
    /* (updatedAt has whole seconds, so it may read the same here: test_refunds proves the poller sees it.) */
    CU_ASSERT_TRUE(strcmp(str_at(r, "data.order.updatedAt"), before) >= 0);
    json_object_put(r);
    r = gql("{ orders { paymentHistory(where: {entryType: [REFUNDED]}) { id } } }", NULL);
    CU_ASSERT_TRUE(has_error(r, "REFUNDED"));
    json_object_put(r);
}

int main(void)
{
    static CU_TestInfo contract[] = {
        {"bad or missing token: 401", test_bad_token},
        {"validation errors: unknown fields, arguments, enums", test_unknown_field_and_argument},
        {"only selected fields (aliases, fragments)", test_only_selected_fields},
        {"paging walks all orders once", test_paging_walks_all_once},
        {"where filters and cancellation", test_where_filters},
        {"updatedAt walk sees changes made during it", test_updated_walk_sees_changes},
        {"totals add up to the cent", test_totals_add_up},
        {"unknown SKUs on demand", test_unknown_sku_orders},
        {"events feed and confirmEvents", test_events_feed},
        {"mutations and userErrors", test_mutations_and_user_errors},
        {"setStock and changeStock", test_stock_mutations},
        {"malformed requests never crash", test_malformed_requests},
        {"hostile documents are answered at once, beside other requests",
         test_hostile_documents_are_answered_at_once_beside_other_requests},
        {"introspection over HTTP", test_introspection_over_http},
        {"refunds show in Order.paymentHistory; what Centra would refuse is refused", test_refunds_in_payment_history},
        {"clean shutdown", test_clean_shutdown},
        CU_TEST_INFO_NULL,
    };
    static CU_TestInfo perms[] = {
        {"missing permissions", test_missing_permissions},
        {"clean shutdown", test_clean_shutdown},
        CU_TEST_INFO_NULL,
    };
    static CU_TestInfo limits[] = {
        {"rate limits: 429 with Retry-After", test_rate_limits},
        {"clean shutdown", test_clean_shutdown},
        CU_TEST_INFO_NULL,
    };
    static CU_TestInfo faults[] = {
        {"faults at their rates, in Centra's shape", test_faults_in_centra_shape},
        {"clean shutdown", test_clean_shutdown},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"centra contract", contract_init, suite_cleanup, NULL, NULL, contract},
        {"centra permissions", perms_init, suite_cleanup, NULL, NULL, perms},
        {"centra rate limits", limits_init, suite_cleanup, NULL, NULL, limits},
        {"centra faults", faults_init, suite_cleanup, NULL, NULL, faults},
        CU_SUITE_INFO_NULL,
    };
    int rc = tsup_run_suites("sandbox/test_centra", suites);
    curl_global_cleanup();
    return rc;
}
