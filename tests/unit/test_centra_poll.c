/* centra.poll_orders against canned Centra answers from a one-request HTTP server on loopback:
 * what it asks for (cursor, after, page size), how the cursor and `after` move through ties and
 * time zone offsets, what it starts, that money text passes through unchanged, and that answers
 * the sandbox never gives (an order without a number, trailing garbage) become clear outcomes. */
#include "connectors/centra/centra.h"
#include "runner/action.h"
#include "connectors/common/text.h"
#include "tests/support/harness.h"

#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* NULL-safe comparisons, so that a wrong outcome fails an assertion instead of the program. */
static bool same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }
static bool contains(const char *hay, const char *needle) { return hay && strstr(hay, needle) != NULL; }
#define ASSERT_SAME(a, b) CU_ASSERT(same((a), (b)))

struct canned {
    int fd, port, status;
    const char *body;
    const char *more[4]; /* further answers, in turn, to further requests (NULL-terminated) */
    char request[65536]; /* the request body received (the last one) */
    pthread_t thread;
};

static void answer_one(struct canned *c);

static void *serve_one(void *arg)
{
    struct canned *c = arg;
    answer_one(c);
    for (int i = 0; i < 4 && c->more[i]; i++) {
        c->body = c->more[i];
        answer_one(c);
    }
    return NULL;
}

static void answer_one(struct canned *c)
{
    int conn = accept(c->fd, NULL, NULL);
    if (conn < 0)
        return;
    char buf[131072];
    size_t got = 0;
    long want = -1;
    char *body = NULL;
    while (got < sizeof buf - 1) {
        ssize_t r = read(conn, buf + got, sizeof buf - 1 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
        buf[got] = '\0';
        if (!body && (body = strstr(buf, "\r\n\r\n"))) {
            body += 4;
            const char *cl = strcasestr(buf, "Content-Length:");
            want = cl ? atol(cl + 15) : 0;
        }
        if (body && (long)(got - (size_t)(body - buf)) >= want)
            break;
    }
    snprintf(c->request, sizeof c->request, "%s", body ? body : "");
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     c->status, strlen(c->body));
    /* A client that stops reading (an answer over its cap) closes early: not the server's error. */
    size_t len = strlen(c->body), sent = 0;
    if (send(conn, head, (size_t)n, MSG_NOSIGNAL) == n)
        while (sent < len) {
            ssize_t w = send(conn, c->body + sent, len - sent, MSG_NOSIGNAL);
            if (w <= 0)
                break;
            sent += (size_t)w;
        }
    close(conn);
}

/* Listens on a free loopback port and answers one request with status and body, then one request
 * each with the answers of `more` (NULL-terminated, may be NULL). */
static void canned_start(struct canned *c, int status, const char *body, const char *const *more)
{
    memset(c, 0, sizeof *c);
    c->status = status;
    c->body = body;
    for (int i = 0; more && i < 3 && more[i]; i++)
        c->more[i] = more[i];
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    CU_ASSERT_FATAL(c->fd >= 0 && bind(c->fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(c->fd, 1) == 0 &&
                    getsockname(c->fd, (struct sockaddr *)&a, &len) == 0);
    c->port = ntohs(a.sin_port);
    CU_ASSERT_FATAL(pthread_create(&c->thread, NULL, serve_one, c) == 0);
}

static void canned_stop(struct canned *c)
{
    pthread_join(c->thread, NULL);
    close(c->fd);
}

/* Runs centra.poll_orders with context against one canned answer; the caller frees the step.
 * c->request then holds what was sent. */
static struct o2c_step *poll_seq(struct canned *c, const char *context, int status, const char *answer,
                                 const char *const *more)
{
    canned_start(c, status, answer, more);
    struct o2c_step *s = calloc(1, sizeof *s);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", c->port);
    s->workflow = strdup("centra_orders");
    s->state = strdup("poll");
    s->action = strdup("centra.poll_orders");
    s->business_key = strdup("centra:1:orders");
    s->connection = strdup("centra");
    s->connection_base_url = strdup(url);
    s->connection_system = strdup("centra");
    s->context_json = strdup(context);
    o2c_outcome_clear(&s->outcome);
    const struct o2c_action *a = o2c_action_find("centra.poll_orders");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    a->run(s, &s->outcome);
    canned_stop(c);
    return s;
}

static struct o2c_step *poll(struct canned *c, const char *context, int status, const char *answer)
{
    return poll_seq(c, context, status, answer, NULL);
}

/* A page answer with orders given as (number, status, updatedAt) and the page info. */
static char *page(int n, const int *numbers, const char *const *statuses, const char *const *updated, bool more,
                  const char *end_cursor)
{
    static char buf[32768];
    size_t used = (size_t)snprintf(buf, sizeof buf, "{\"data\":{\"orderConnection\":{\"pageInfo\":{\"hasNextPage\":%s,"
                                   "\"endCursor\":%s%s%s},\"edges\":[", more ? "true" : "false",
                                   end_cursor ? "\"" : "", end_cursor ? end_cursor : "null", end_cursor ? "\"" : "");
    for (int i = 0; i < n; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used,
                                 "%s{\"cursor\":\"c%d\",\"node\":{\"id\":%d,\"number\":%d,\"status\":\"%s\",\"updatedAt\":\"%s\","
                                 "\"grandTotal\":{\"value\":457.10,\"currency\":{\"code\":\"SEK\"}}}}",
                                 i ? "," : "", numbers[i], numbers[i] - 1000, numbers[i], statuses[i], updated[i]);
    snprintf(buf + used, sizeof buf - used, "]}}}");
    return buf;
}

static json_object *sent_variables(const struct canned *c, json_object **root)
{
    *root = json_tokener_parse(c->request);
    json_object *v = NULL;
    CU_ASSERT(*root && json_object_object_get_ex(*root, "variables", &v));
    return v;
}

static const char *get_path(json_object *o, const char *a, const char *b, const char *d)
{
    json_object *v = o;
    const char *keys[] = {a, b, d};
    for (int i = 0; i < 3 && keys[i] && v; i++)
        if (!json_object_object_get_ex(v, keys[i], &v))
            v = NULL;
    return v ? json_object_get_string(v) : NULL;
}

static const char *patch_string(const struct o2c_step *s, const char *key, bool *present)
{
    json_object *v = NULL;
    *present = s->outcome.patch && json_object_object_get_ex(s->outcome.patch, key, &v);
    return v ? json_object_get_string(v) : NULL;
}

static void test_first_page_moves_the_cursor(void)
{
    struct canned c;
    int nums[] = {1001, 1002};
    const char *st[] = {"CONFIRMED", "CONFIRMED"};
    const char *up[] = {"2026-11-23T10:00:00+00:00", "2026-11-23T10:00:05+00:00"};
    struct o2c_step *s = poll(&c, "{\"page_size\":2}", 200, page(2, nums, st, up, true, "c1"));
    json_object *root, *vars = sent_variables(&c, &root), *v;
    CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(vars, "first")), 2);
    CU_ASSERT_FALSE(json_object_object_get_ex(vars, "where", &v));
    CU_ASSERT_FALSE(json_object_object_get_ex(vars, "after", &v));
    CU_ASSERT(contains(get_path(root, "query", NULL, NULL), "sort: [updatedAt_ASC]"));
    json_object_put(root);

    ASSERT_SAME(s->outcome.name, "ok");
    CU_ASSERT_EQUAL(s->outcome.delay_ms, 0); /* a full page: more to read now */
    bool has;
    ASSERT_SAME(patch_string(s, "cursor", &has), "2026-11-23T10:00:05+00:00");
    CU_ASSERT(patch_string(s, "after", &has) == NULL && has); /* cleared */
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(s->outcome.start), 2);
    json_object *first = json_object_array_get_idx(s->outcome.start, 0);
    ASSERT_SAME(get_path(first, "workflow", NULL, NULL), "order_to_cash");
    ASSERT_SAME(get_path(first, "business_key", NULL, NULL), "centra:1:1001");
    ASSERT_SAME(get_path(first, "input", "source", NULL), "centra");
    ASSERT_SAME(get_path(first, "input", "store", NULL), "1");
    /* Money as Centra wrote it, digit for digit, in what the engine will store. */
    CU_ASSERT(contains(json_object_to_json_string_ext(first, JSON_C_TO_STRING_PLAIN), "\"value\":457.10"));
    o2c_step_free(s);
}

static void test_a_page_of_one_second_pages_on_with_after(void)
{
    struct canned c;
    int nums[] = {1003, 1004};
    const char *st[] = {"CONFIRMED", "CONFIRMED"};
    /* The same instant as the cursor, written with another offset. */
    const char *up[] = {"2026-11-23T11:00:05+01:00", "2026-11-23T10:00:05Z"};
    struct o2c_step *s = poll(&c, "{\"page_size\":2,\"cursor\":\"2026-11-23T10:00:05+00:00\",\"store\":\"eu\"}", 200,
                              page(2, nums, st, up, true, "end-2"));
    json_object *root, *vars = sent_variables(&c, &root), *v;
    ASSERT_SAME(get_path(vars, "where", "updatedAt", "from"), "2026-11-23T10:00:05+00:00");
    CU_ASSERT_FALSE(json_object_object_get_ex(vars, "after", &v));
    json_object_put(root);
    bool has;
    ASSERT_SAME(s->outcome.name, "ok");
    CU_ASSERT(patch_string(s, "cursor", &has) == NULL && !has); /* the cursor stays */
    ASSERT_SAME(patch_string(s, "after", &has), "end-2");
    CU_ASSERT_EQUAL(s->outcome.delay_ms, 0);
    ASSERT_SAME(get_path(json_object_array_get_idx(s->outcome.start, 1), "business_key", NULL, NULL), "centra:eu:1004");
    o2c_step_free(s);

    /* The next round asks for the same filter after that cursor; an empty page changes nothing
     * and waits the poll interval. */
    s = poll(&c, "{\"page_size\":2,\"cursor\":\"2026-11-23T10:00:05+00:00\",\"after\":\"end-2\",\"poll_interval_ms\":700}",
             200, page(0, NULL, NULL, NULL, false, NULL));
    vars = sent_variables(&c, &root);
    ASSERT_SAME(get_path(vars, "after", NULL, NULL), "end-2");
    ASSERT_SAME(get_path(vars, "where", "updatedAt", "from"), "2026-11-23T10:00:05+00:00");
    json_object_put(root);
    ASSERT_SAME(s->outcome.name, "ok");
    CU_ASSERT_PTR_NULL(s->outcome.patch);
    CU_ASSERT_PTR_NULL(s->outcome.start);
    CU_ASSERT_EQUAL(s->outcome.delay_ms, 700);
    o2c_step_free(s);

    /* An empty page that claims a next page must not make the poller spin. */
    s = poll(&c, "{\"poll_interval_ms\":900}", 200, page(0, NULL, NULL, NULL, true, NULL));
    ASSERT_SAME(s->outcome.name, "ok");
    CU_ASSERT_EQUAL(s->outcome.delay_ms, 900);
    o2c_step_free(s);
}

static void test_cancelled_order_starts_both(void)
{
    struct canned c;
    int nums[] = {1009};
    const char *st[] = {"CANCELLED"};
    const char *up[] = {"2026-11-23T10:09:00+00:00"};
    struct o2c_step *s = poll(&c, "{\"child_workflow\":\"o2c\",\"cancel_workflow\":\"cx\"}", 200,
                              page(1, nums, st, up, false, "c0"));
    ASSERT_SAME(s->outcome.name, "ok");
    CU_ASSERT_EQUAL(s->outcome.delay_ms, 15000); /* the default interval */
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(s->outcome.start), 2);
    json_object *a = json_object_array_get_idx(s->outcome.start, 0), *b = json_object_array_get_idx(s->outcome.start, 1);
    ASSERT_SAME(get_path(a, "workflow", NULL, NULL), "o2c");
    ASSERT_SAME(get_path(a, "business_key", NULL, NULL), "centra:1:1009");
    ASSERT_SAME(get_path(b, "workflow", NULL, NULL), "cx");
    ASSERT_SAME(get_path(b, "business_key", NULL, NULL), "centra:1:1009:cancel");
    ASSERT_SAME(get_path(b, "input", "order", "status"), "CANCELLED");
    o2c_step_free(s);

    /* Partly shipped and then cancelled: still SHIPPED, with cancelled units on a line. */
    const char *partly = "{\"data\":{\"orderConnection\":{\"edges\":[{\"node\":{\"number\":1010,\"status\":\"SHIPPED\","
                         "\"updatedAt\":\"2026-11-23T10:10:00+00:00\",\"lines\":[{\"quantity\":1,\"cancelledQuantity\":0},"
                         "{\"quantity\":0,\"cancelledQuantity\":2}]}},{\"node\":{\"number\":1011,\"status\":\"SHIPPED\","
                         "\"updatedAt\":\"2026-11-23T10:10:01+00:00\",\"lines\":[{\"quantity\":1,\"cancelledQuantity\":0}]}}]}}}";
    s = poll(&c, "{}", 200, partly);
    ASSERT_SAME(s->outcome.name, "ok");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(s->outcome.start), 3);
    ASSERT_SAME(get_path(json_object_array_get_idx(s->outcome.start, 1), "business_key", NULL, NULL), "centra:1:1010:cancel");
    ASSERT_SAME(get_path(json_object_array_get_idx(s->outcome.start, 2), "business_key", NULL, NULL), "centra:1:1011");
    o2c_step_free(s);
}

/* The input of start i of the step's outcome, and its business key. */
static json_object *start_input(const struct o2c_step *s, size_t i, const char **key)
{
    json_object *st = json_object_array_get_idx(s->outcome.start, i), *input = NULL, *k = NULL;
    json_object_object_get_ex(st, "input", &input);
    json_object_object_get_ex(st, "business_key", &k);
    *key = k ? json_object_get_string(k) : NULL;
    return input;
}

/* Each successful REFUND entry of an order's paymentHistory starts the refund workflow, keyed by
 * the entry's id, with Centra's amount as decimal text digit for digit; a failed refund, another
 * entry type or an entry without an id starts nothing. */
static void test_refund_entries_start_one_refund_workflow_each(void)
{
    struct canned c;
    const char *answer =
        "{\"data\":{\"orderConnection\":{\"edges\":[{\"node\":{\"number\":1012,\"status\":\"SHIPPED\","
        "\"updatedAt\":\"2026-11-23T10:12:00+00:00\",\"lines\":[],\"paymentHistory\":["
        "{\"id\":7,\"entryType\":\"REFUND\",\"status\":\"SUCCESS\",\"createdAt\":\"2026-11-23T10:11:00+00:00\","
        "\"value\":{\"value\":12.50,\"currency\":{\"code\":\"SEK\"}}},"
        "{\"id\":8,\"entryType\":\"REFUND\",\"status\":\"FAILED\",\"createdAt\":\"2026-11-23T10:11:30+00:00\","
        "\"value\":{\"value\":1.00,\"currency\":{\"code\":\"SEK\"}}},"
        "{\"id\":9,\"entryType\":\"CAPTURE\",\"status\":\"SUCCESS\",\"createdAt\":\"2026-11-23T10:01:00+00:00\","
        "\"value\":{\"value\":457.00,\"currency\":{\"code\":\"SEK\"}}},"
        "{\"entryType\":\"REFUND\",\"status\":\"SUCCESS\",\"value\":{\"value\":2.00}},"
        "{\"id\":10,\"entryType\":\"REFUND\",\"status\":\"SUCCESS\",\"createdAt\":\"2026-11-23T10:11:59+00:00\","
        "\"value\":{\"value\":100000000000000000000.10,\"currency\":{\"code\":\"SEK\"}}}]}}]}}}";
    struct o2c_step *s = poll(&c, "{\"refund_workflow\":\"rf\"}", 200, answer);
    ASSERT_SAME(s->outcome.name, "ok");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(s->outcome.start), 3);
    const char *key;
    json_object *input = start_input(s, 1, &key);
    ASSERT_SAME(get_path(json_object_array_get_idx(s->outcome.start, 1), "workflow", NULL, NULL), "rf");
    ASSERT_SAME(key, "centra:1:refund:7");
    ASSERT_SAME(get_path(input, "store", NULL, NULL), "1");
    ASSERT_SAME(get_path(input, "refund", "id", NULL), "7");
    ASSERT_SAME(get_path(input, "refund", "order_number", NULL), "1012");
    ASSERT_SAME(get_path(input, "refund", "amount", NULL), "12.50");
    ASSERT_SAME(get_path(input, "refund", "currency", NULL), "SEK");
    ASSERT_SAME(get_path(input, "refund", "refunded_at", NULL), "2026-11-23T10:11:00+00:00");
    input = start_input(s, 2, &key);
    ASSERT_SAME(key, "centra:1:refund:10");
    ASSERT_SAME(get_path(input, "refund", "amount", NULL), "100000000000000000000.10");
    json_object *n;
    CU_ASSERT(json_object_object_get_ex(s->outcome.detail, "refunds", &n) && json_object_get_int(n) == 2);
    CU_ASSERT(json_object_object_get_ex(s->outcome.detail, "unreadable_refunds", &n) && json_object_get_int(n) == 1);
    o2c_step_free(s);
}

/* One bad order never stops a store: it becomes its own workflow holding the raw order safely,
 * and the rest of the page, and the cursor, go on. */
static void test_a_bad_order_is_its_own_workflow_and_the_page_goes_on(void)
{
    struct canned c;
    /* A good order; one with no number; one whose number is text; a NUL in a name; bytes that are
     * not UTF-8 in a city; an order number beyond int64; a line with an unreadable cancelled
     * quantity; an edge with no order at all. */
    const char *answer =
        "{\"data\":{\"orderConnection\":{\"edges\":["
        "{\"node\":{\"number\":1001,\"status\":\"CONFIRMED\",\"updatedAt\":\"2026-11-23T10:00:00+00:00\"}},"
        "{\"node\":{\"status\":\"CONFIRMED\",\"updatedAt\":\"2026-11-23T10:00:01+00:00\"}},"
        "{\"node\":{\"number\":\"1003\",\"status\":\"CONFIRMED\",\"updatedAt\":\"2026-11-23T10:00:02+00:00\"}},"
        "{\"node\":{\"number\":1004,\"status\":\"CONFIRMED\",\"updatedAt\":\"2026-11-23T10:00:03+00:00\","
        "\"customer\":{\"firstName\":\"Ann\\u0000a\"}}},"
        "{\"node\":{\"number\":1005,\"status\":\"CONFIRMED\",\"updatedAt\":\"2026-11-23T10:00:04+00:00\","
        "\"shippingAddress\":{\"city\":\"G\xf6teborg\"}}},"
        "{\"node\":{\"number\":92233720368547758079,\"status\":\"CONFIRMED\",\"updatedAt\":\"2026-11-23T10:00:05+00:00\"}},"
        "{\"node\":{\"number\":1007,\"status\":\"SHIPPED\",\"updatedAt\":\"2026-11-23T10:00:06+00:00\","
        "\"lines\":[{\"cancelledQuantity\":\"2\"}]}},"
        "{\"cursor\":\"x\"}"
        "]}}}";
    struct o2c_step *s = poll(&c, "{\"page_size\":10}", 200, answer);
    ASSERT_SAME(s->outcome.name, "ok");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(s->outcome.start), 8);
    const char *key;
    json_object *in = start_input(s, 0, &key);
    ASSERT_SAME(key, "centra:1:1001");
    CU_ASSERT(json_object_object_get_ex(in, "order", NULL));
    in = start_input(s, 1, &key);
    CU_ASSERT(key && strncmp(key, "centra:1:unreadable-", 20) == 0);
    CU_ASSERT(contains(get_path(in, "bad_order", "reason", NULL), "no order number o2c can read exactly"));
    in = start_input(s, 2, &key);
    CU_ASSERT(contains(get_path(in, "bad_order", "reason", NULL), "no order number o2c can read exactly"));
    in = start_input(s, 3, &key);
    ASSERT_SAME(key, "centra:1:1004");
    CU_ASSERT(contains(get_path(in, "bad_order", "reason", NULL), "NUL"));
    CU_ASSERT(!json_object_object_get_ex(in, "order", NULL)); /* nothing PostgreSQL would refuse */
    CU_ASSERT(get_path(in, "bad_order", "raw_base64", NULL) != NULL);
    in = start_input(s, 4, &key);
    ASSERT_SAME(key, "centra:1:1005");
    CU_ASSERT(contains(get_path(in, "bad_order", "reason", NULL), "not UTF-8"));
    /* Beyond 2^64: not read as some other number; its own workflow for ops. */
    in = start_input(s, 5, &key);
    CU_ASSERT(key && strncmp(key, "centra:1:unreadable-", 20) == 0);
    CU_ASSERT(contains(get_path(in, "bad_order", "reason", NULL), "read exactly"));
    in = start_input(s, 6, &key);
    ASSERT_SAME(key, "centra:1:1007");
    CU_ASSERT(contains(get_path(in, "bad_order", "reason", NULL), "cancelledQuantity"));
    in = start_input(s, 7, &key);
    CU_ASSERT(key && strncmp(key, "centra:1:unreadable-", 20) == 0);
    /* Every start's input is text PostgreSQL takes. */
    for (size_t i = 0; i < 8; i++) {
        char *text = strdup(json_object_to_json_string(json_object_array_get_idx(s->outcome.start, i)));
        CU_ASSERT(strstr(text, "\\u0000") == NULL);
        CU_ASSERT_EQUAL(o2c_utf8_sanitize(text), 0);
        free(text);
    }
    /* The cursor moved past them all. */
    bool present;
    ASSERT_SAME(patch_string(s, "cursor", &present), "2026-11-23T10:00:06+00:00");
    o2c_step_free(s);

    /* Two orders beyond int64 are two workflows, not one clamped key, their numbers digit for digit. */
    s = poll(&c, "{}", 200, "{\"data\":{\"orderConnection\":{\"edges\":["
                            "{\"node\":{\"number\":9223372036854775808,\"status\":\"CONFIRMED\",\"updatedAt\":\"2026-11-23T11:00:00+00:00\"}},"
                            "{\"node\":{\"number\":9223372036854775809,\"status\":\"CONFIRMED\",\"updatedAt\":\"2026-11-23T11:00:00+00:00\"}}]}}}");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(s->outcome.start), 2);
    in = start_input(s, 0, &key);
    ASSERT_SAME(key, "centra:1:9223372036854775808");
    CU_ASSERT(contains(json_object_to_json_string_ext(in, JSON_C_TO_STRING_PLAIN), "\"number\":9223372036854775808"));
    start_input(s, 1, &key);
    ASSERT_SAME(key, "centra:1:9223372036854775809");
    o2c_step_free(s);
}

/* An answer over the 16 MiB cap: half the page next round, at once, growing back after; one order
 * too large alone is started as a bad order of its own and passed by. */
static void test_too_large_answers_halve_the_page_then_grow_back(void)
{
    size_t big_len = 17u * 1024 * 1024;
    char *big = malloc(big_len + 64);
    CU_ASSERT_FATAL(big != NULL);
    int n = sprintf(big, "{\"data\":{\"orderConnection\":{\"edges\":[],\"x\":\"");
    memset(big + n, 'x', big_len - (size_t)n);
    strcpy(big + big_len, "\"}}}");
    struct canned c;
    struct o2c_step *s = poll(&c, "{\"page_size\":8}", 200, big);
    ASSERT_SAME(s->outcome.name, "ok");
    CU_ASSERT_EQUAL(s->outcome.delay_ms, 0);
    CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(s->outcome.patch, "page_size_now")), 4);
    CU_ASSERT_PTR_NULL(s->outcome.start);
    o2c_step_free(s);
    /* A good page at 4: the next round asks for 8 again. */
    int nums[] = {1001};
    const char *st[] = {"CONFIRMED"};
    const char *up[] = {"2026-11-23T10:00:00+00:00"};
    s = poll(&c, "{\"page_size\":8,\"page_size_now\":4}", 200, page(1, nums, st, up, false, "c0"));
    ASSERT_SAME(s->outcome.name, "ok");
    json_object *root, *vars = sent_variables(&c, &root);
    CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(vars, "first")), 4);
    json_object_put(root);
    CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(s->outcome.patch, "page_size_now")), 8);
    o2c_step_free(s);
    /* One order alone too large: where it is is read, it is started as a bad order, the cursor moves. */
    const char *keys[] = {"{\"data\":{\"orderConnection\":{\"edges\":[{\"cursor\":\"k1\",\"node\":{\"number\":1042,"
                          "\"updatedAt\":\"2026-11-23T12:00:00+00:00\"}}]}}}", NULL};
    s = poll_seq(&c, "{\"page_size\":8,\"page_size_now\":1,\"cursor\":\"2026-11-23T11:00:00+00:00\"}", 200, big, keys);
    ASSERT_SAME(s->outcome.name, "ok");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(s->outcome.start), 1);
    const char *key;
    json_object *in = start_input(s, 0, &key);
    ASSERT_SAME(key, "centra:1:1042");
    CU_ASSERT(contains(get_path(in, "bad_order", "reason", NULL), "alone is larger than"));
    bool present;
    ASSERT_SAME(patch_string(s, "cursor", &present), "2026-11-23T12:00:00+00:00");
    o2c_step_free(s);
    free(big);
}

static void test_bad_answers_start_nothing(void)
{
    struct canned c;
    /* No orderConnection at all; a body cut off; a body with something after the JSON. */
    struct o2c_step *s = poll(&c, "{}", 200, "{\"data\":{\"orderConnection\":null}}");
    ASSERT_SAME(s->outcome.name, "failed");
    CU_ASSERT_PTR_NULL(s->outcome.start);
    o2c_step_free(s);
    s = poll(&c, "{}", 200, "{\"data\":{\"orderConnection\":{\"edges\":[{\"node\":{\"num");
    ASSERT_SAME(s->outcome.name, "retry");
    o2c_step_free(s);
    s = poll(&c, "{}", 200, "{\"data\":{}} trailing");
    ASSERT_SAME(s->outcome.name, "retry");
    o2c_step_free(s);
}

static CU_TestInfo tests[] = {
    {"the first page asks from the beginning and moves the cursor", test_first_page_moves_the_cursor},
    {"a page within the cursor's second pages on with after", test_a_page_of_one_second_pages_on_with_after},
    {"a cancelled or partly cancelled order starts its child and its cancel workflow", test_cancelled_order_starts_both},
    {"a bad order is its own workflow, holding the raw order safely; the page and the cursor go on",
     test_a_bad_order_is_its_own_workflow_and_the_page_goes_on},
    {"answers over the size cap halve the page, which grows back; one order too large alone is passed by as a bad order",
     test_too_large_answers_halve_the_page_then_grow_back},
    {"bad answers are failed or retry and start nothing", test_bad_answers_start_nothing},
    {"each successful Centra refund starts one refund workflow keyed by its own id, its amount digit for digit",
     test_refund_entries_start_one_refund_workflow_each},
    CU_TEST_INFO_NULL,
};

static int set_up(void)
{
    setenv("CENTRA_TOKEN", "unit-token", 1);
    return 0;
}

static CU_SuiteInfo suites[] = {
    {"centra.poll_orders", set_up, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("unit/test_centra_poll", suites); }
