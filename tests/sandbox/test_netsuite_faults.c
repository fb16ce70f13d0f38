/* The NetSuite sandbox misbehaving on purpose and surviving abuse: the account concurrency limit
 * under parallel requests, injected faults at their configured rates (reproducibly, with a fixed
 * seed), dropped connections, and malformed requests that must get NetSuite's error body and
 * never bring the sandbox down. No test asserts elapsed time. */
#include "tests/support/harness.h"
#include "tests/support/sandbox_client.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REC "/services/rest/record/v1/"

/* ---- concurrency limit ----------------------------------------------------------------------- */

typedef struct worker {
    const tsb_sandbox *sb;
    int rounds;
    int ok, limited, other, retry_after_seen;
} worker;

static void *hammer(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < w->rounds; i++) {
        tsb_response r;
        char code[64];
        tsb_netsuite(w->sb, "GET", REC "customer/501", NULL, NULL, &r);
        if (r.status == 200) {
            w->ok++;
        } else if (r.status == 429 && strcmp(tsb_ns_error_code(&r, code, sizeof code), "CONCURRENCY_LIMIT_EXCEEDED") == 0) {
            w->limited++;
            if (r.retry_after[0])
                w->retry_after_seen++;
        } else {
            w->other++;
        }
        tsb_response_free(&r);
    }
    tsb_thread_done();
    return NULL;
}

static void test_concurrency_limit(void)
{
    tsb_sandbox sb;
    const char *args[] = {"--latency-ms", "200", NULL};
    CU_ASSERT_EQUAL_FATAL(tsb_start(&sb, "netsuite", args), 0);
    enum { THREADS = 40 };
    pthread_t t[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){.sb = &sb, .rounds = 3};
        pthread_create(&t[i], NULL, hammer, &w[i]);
    }
    int ok = 0, limited = 0, other = 0, retry_after = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
        limited += w[i].limited;
        other += w[i].other;
        retry_after += w[i].retry_after_seen;
    }
    CU_ASSERT_TRUE(ok > 0);
    CU_ASSERT_TRUE(limited > 0);      /* 40 clients against a limit of 15 */
    CU_ASSERT_EQUAL(other, 0);
    CU_ASSERT_EQUAL(retry_after, 0);  /* NetSuite sends no Retry-After */
    json_object *stats = tsb_stats(&sb);
    int max = json_object_get_int(tsb_member(stats, "max_concurrency"));
    CU_ASSERT_TRUE(max <= 15);
    CU_ASSERT_TRUE(max >= 2);
    CU_ASSERT_EQUAL(json_object_get_int(tsb_member(stats, "throttled")), limited);
    json_object_put(stats);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

static void test_latency_holds_many_in_flight(void)
{
    tsb_sandbox sb;
    const char *args[] = {"--latency-ms", "300", "--concurrency-limit", "0", NULL};
    CU_ASSERT_EQUAL_FATAL(tsb_start(&sb, "netsuite", args), 0);
    /* Enough rounds that all clients overlap even on a busy machine; only the count is asserted. */
    enum { THREADS = 64, ROUNDS = 6 };
    pthread_t t[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){.sb = &sb, .rounds = ROUNDS};
        pthread_create(&t[i], NULL, hammer, &w[i]);
    }
    int ok = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
    }
    CU_ASSERT_EQUAL(ok, THREADS * ROUNDS);
    json_object *stats = tsb_stats(&sb);
    CU_ASSERT_TRUE(json_object_get_int(tsb_member(stats, "max_concurrency")) >= 50);
    json_object_put(stats);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

/* ---- injected faults ------------------------------------------------------------------------- */

enum { N = 2000 };

/* Runs N writes (PATCH) one after another and records each outcome as a letter. */
static void run_writes(const tsb_sandbox *sb, char *outcomes)
{
    for (int i = 0; i < N; i++) {
        tsb_response r;
        char code[64];
        tsb_netsuite(sb, "PATCH", REC "customer/501", "{\"phone\":\"+46 70 000\"}", NULL, &r);
        tsb_ns_error_code(&r, code, sizeof code);
        char c = '?';
        if (r.status == 204)
            c = 'o';
        else if (r.status == 429 && strcmp(code, "CONCURRENCY_LIMIT_EXCEEDED") == 0)
            c = 't';
        else if (r.status == 503 && code[0])
            c = 'u';
        else if (r.status == 400 && strcmp(code, "RCRD_HAS_BEEN_CHANGED") == 0)
            c = 'l';
        else if (r.status == 200 && !tsb_json(&r))
            c = 'm';
        outcomes[i] = c;
        tsb_response_free(&r);
    }
    outcomes[N] = '\0';
}

static int count(const char *s, char c)
{
    int n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

/* Expected n·p; 6 standard deviations either way never flakes, and still catches a wrong rate. */
static bool near(int seen, double p)
{
    double mean = N * p, sd = __builtin_sqrt(N * p * (1 - p));
    return seen >= mean - 6 * sd && seen <= mean + 6 * sd;
}

static void test_fault_rates_reproducible(void)
{
    const char *args[] = {"--faults", "429=0.10,503=0.05,lock=0.08,malformed=0.04", "--random-seed", "42", NULL};
    static char first[N + 1], second[N + 1];
    tsb_sandbox sb;
    CU_ASSERT_EQUAL_FATAL(tsb_start(&sb, "netsuite", args), 0);
    run_writes(&sb, first);
    json_object *stats = tsb_stats(&sb);
    json_object *faults = tsb_member(stats, "faults_injected");
    CU_ASSERT_EQUAL(json_object_get_int(tsb_member(faults, "429")), count(first, 't'));
    CU_ASSERT_EQUAL(json_object_get_int(tsb_member(faults, "lock")), count(first, 'l'));
    CU_ASSERT_EQUAL(json_object_get_int(tsb_member(stats, "throttled")), 0); /* injected, not governance */
    json_object_put(stats);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);

    CU_ASSERT_EQUAL(count(first, '?'), 0);
    CU_ASSERT_TRUE(near(count(first, 't'), 0.10));
    CU_ASSERT_TRUE(near(count(first, 'u'), 0.05));
    CU_ASSERT_TRUE(near(count(first, 'l'), 0.08));
    CU_ASSERT_TRUE(near(count(first, 'm'), 0.04));
    CU_ASSERT_TRUE(near(count(first, 'o'), 0.73));

    /* Same seed, same requests in the same order: the very same faults. */
    CU_ASSERT_EQUAL_FATAL(tsb_start(&sb, "netsuite", args), 0);
    run_writes(&sb, second);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
    CU_ASSERT_STRING_EQUAL(first, second);
}

static void test_lock_faults_only_for_writes(void)
{
    const char *args[] = {"--faults", "lock=0.5", "--random-seed", "7", NULL};
    tsb_sandbox sb;
    CU_ASSERT_EQUAL_FATAL(tsb_start(&sb, "netsuite", args), 0);
    int ok = 0;
    for (int i = 0; i < 200; i++) {
        tsb_response r;
        tsb_netsuite(&sb, "GET", REC "customer/501", NULL, NULL, &r);
        ok += r.status == 200;
        tsb_response_free(&r);
    }
    CU_ASSERT_EQUAL(ok, 200);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

static void test_timeout_drops_connection(void)
{
    const char *args[] = {"--faults", "timeout=0.5", "--fault-timeout-ms", "50", "--random-seed", "3", NULL};
    tsb_sandbox sb;
    CU_ASSERT_EQUAL_FATAL(tsb_start(&sb, "netsuite", args), 0);
    int answered = 0, dropped = 0;
    for (int i = 0; i < 60; i++) {
        tsb_response r;
        tsb_netsuite(&sb, "GET", REC "customer/501", NULL, NULL, &r);
        if (r.status == 200)
            answered++;
        else if (r.status == 0 && r.curl_error != 0)
            dropped++;
        tsb_response_free(&r);
    }
    CU_ASSERT_TRUE(answered > 0);
    CU_ASSERT_TRUE(dropped > 0);
    CU_ASSERT_EQUAL(answered + dropped, 60);
    json_object *stats = tsb_stats(&sb);
    /* libcurl resends a request once when a reused connection dies, so the sandbox may have
     * dropped more requests than the client saw fail. */
    CU_ASSERT_TRUE(json_object_get_int(tsb_member(tsb_member(stats, "faults_injected"), "timeout")) >= dropped);
    json_object_put(stats);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

/* ---- malformed requests ------------------------------------------------------------------------ */

static void expect_ns_error(const tsb_sandbox *sb, const char *method, const char *path, const char *body,
                            size_t len, long status, const char *code)
{
    char got[64];
    tsb_response r;
    tsb_netsuite_raw(sb, method, path, body, len == (size_t)-1 ? (body ? strlen(body) : 0) : len, NULL, &r);
    CU_ASSERT_EQUAL(r.status, status);
    CU_ASSERT_STRING_EQUAL(tsb_ns_error_code(&r, got, sizeof got), code);
    json_object *b = tsb_json(&r);
    CU_ASSERT_PTR_NOT_NULL(tsb_member(b, "type"));
    CU_ASSERT_EQUAL(json_object_get_int(tsb_member(b, "status")), status);
    json_object_put(b);
    tsb_response_free(&r);
}

static void test_malformed_requests(void)
{
    tsb_sandbox sb;
    CU_ASSERT_EQUAL_FATAL(tsb_start(&sb, "netsuite", NULL), 0);
    expect_ns_error(&sb, "POST", REC "customer", "{\"companyName\": ", (size_t)-1, 400, "INVALID_CONTENT");
    expect_ns_error(&sb, "POST", REC "customer", "[1,2,3]", (size_t)-1, 400, "INVALID_CONTENT");
    expect_ns_error(&sb, "POST", REC "customer", "", (size_t)-1, 400, "INVALID_CONTENT");
    expect_ns_error(&sb, "POST", REC "customer", "{\"companyName\":42}", (size_t)-1, 400, "INVALID_CONTENT");
    expect_ns_error(&sb, "POST", REC "customer", "{\"companyName\":\"A\"} trailing", (size_t)-1, 400, "INVALID_CONTENT");
    static const char bad_utf8[] = "{\"companyName\":\"\xff\xfe\"}";
    expect_ns_error(&sb, "POST", REC "customer", bad_utf8, sizeof bad_utf8 - 1, 400, "INVALID_CONTENT");
    static const char with_nul[] = "{\"companyName\":\"A\0B\"}";
    expect_ns_error(&sb, "POST", REC "customer", with_nul, sizeof with_nul - 1, 400, "INVALID_CONTENT");
    char deep[4096];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    expect_ns_error(&sb, "POST", REC "customer", deep, (size_t)-1, 400, "INVALID_CONTENT");
    size_t huge_len = 11u * 1024 * 1024;
    char *huge = malloc(huge_len + 1);
    memset(huge, ' ', huge_len);
    huge[0] = '{';
    huge[huge_len - 1] = '}';
    huge[huge_len] = '\0';
    expect_ns_error(&sb, "POST", REC "customer", huge, huge_len, 413, "INVALID_CONTENT");
    free(huge);
    expect_ns_error(&sb, "GET", REC "customer/%zz", NULL, (size_t)-1, 400, "INVALID_PARAMETER");
    expect_ns_error(&sb, "GET", REC "noSuchType/1", NULL, (size_t)-1, 404, "INVALID_PARAMETER");
    expect_ns_error(&sb, "GET", REC "customer/eid:bad%20id", NULL, (size_t)-1, 400, "INVALID_PARAMETER");
    expect_ns_error(&sb, "DELETE", REC "customer/501", NULL, (size_t)-1, 405, "INVALID_PARAMETER");
    expect_ns_error(&sb, "POST", "/services/rest/query/v1/suiteql", "{\"q\":17}", (size_t)-1, 400, "INVALID_PARAMETER");

    char url[256];
    snprintf(url, sizeof url, "%s" REC "customer/501", sb.base);
    const char *garbage[][2] = {
        {"Authorization: OAuth", NULL}, {"Authorization: OAuth realm=\"", NULL},
        {"Authorization: OAuth oauth_nonce=\"%%%\"", NULL}, {"Authorization: \x01\x02", NULL},
    };
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        tsb_response r;
        char code[64];
        tsb_http("GET", url, garbage[i], NULL, 0, &r);
        CU_ASSERT_EQUAL(r.status, 401);
        CU_ASSERT_STRING_EQUAL(tsb_ns_error_code(&r, code, sizeof code), "INVALID_LOGIN");
        tsb_response_free(&r);
    }

    /* Still alive and answering properly. */
    CU_ASSERT_TRUE(tsb_alive(&sb));
    tsb_response r;
    tsb_netsuite(&sb, "GET", REC "customer/501", NULL, NULL, &r);
    CU_ASSERT_EQUAL(r.status, 200);
    tsb_response_free(&r);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

int main(void)
{
    CU_TestInfo governance[] = {
        {"concurrency limit: 429 CONCURRENCY_LIMIT_EXCEEDED, max seen <= 15", test_concurrency_limit},
        {"latency holds 50+ requests in flight", test_latency_holds_many_in_flight},
        CU_TEST_INFO_NULL,
    };
    CU_TestInfo faults[] = {
        {"fault rates as configured, reproducible with a seed", test_fault_rates_reproducible},
        {"lock faults only for writes", test_lock_faults_only_for_writes},
        {"timeout fault drops the connection", test_timeout_drops_connection},
        CU_TEST_INFO_NULL,
    };
    CU_TestInfo malformed[] = {
        {"malformed requests get NetSuite error bodies, sandbox survives", test_malformed_requests},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"netsuite governance", NULL, NULL, NULL, NULL, governance},
        {"netsuite faults", NULL, NULL, NULL, NULL, faults},
        {"netsuite malformed input", NULL, NULL, NULL, NULL, malformed},
        CU_SUITE_INFO_NULL,
    };
    int rc = tsup_run_suites("sandbox/test_netsuite_faults", suites);
    tsb_thread_done();
    return rc;
}
