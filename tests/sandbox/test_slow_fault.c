/* The "slow" fault: a drawn fraction of API requests is held --slow-ms and then answered normally,
 * by both services. It is counted in faults_injected.slow and is not an error. Like every sandbox
 * test, nothing here asserts elapsed time: a slow request is recognised by its counter. */
#include "tests/support/harness.h"
#include "tests/support/sandbox_client.h"
#include "tools/sandbox/framework/framework.h"

#include <stdio.h>
#include <string.h>

#define REC "/services/rest/record/v1/"

static long stat_of(const tsb_sandbox *sb, const char *group, const char *key)
{
    json_object *s = tsb_stats(sb);
    json_object *v = group ? tsb_member(tsb_member(s, group), key) : tsb_member(s, key);
    long n = v ? json_object_get_int64(v) : -1;
    json_object_put(s);
    return n;
}

static void test_slow_spec(void)
{
    sb_fault_rates r;
    char err[128];
    CU_ASSERT_TRUE(sb_faults_parse("slow=0.02", &r, err, sizeof err));
    CU_ASSERT_DOUBLE_EQUAL(r.slow, 0.02, 1e-12);
    CU_ASSERT_TRUE(sb_faults_parse("429=0.05,slow=0.5,malformed=0.01", &r, err, sizeof err));
    CU_ASSERT_FALSE(sb_faults_parse("slow=0.6,503=0.5", &r, err, sizeof err)); /* more than 1 in all */
    CU_ASSERT_FALSE(sb_faults_parse("slow=2", &r, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(sb_fault_name(SB_FAULT_SLOW), "slow");

    sb_fault_rates all_slow = {.slow = 1.0};
    sb_faults_init(&all_slow, 5);
    CU_ASSERT_EQUAL(sb_faults_draw(false), SB_FAULT_SLOW); /* reads too, unlike lock */
    CU_ASSERT_EQUAL(sb_faults_draw(true), SB_FAULT_SLOW);

    /* Slow is drawn last, so adding it leaves the other kinds where they were for a seed. */
    sb_fault_rates without = {.http429 = 0.3}, with = {.http429 = 0.3, .slow = 0.4};
    sb_fault_kind a[200], b[200];
    sb_faults_init(&without, 17);
    for (int i = 0; i < 200; i++)
        a[i] = sb_faults_draw(true);
    sb_faults_init(&with, 17);
    int slow = 0;
    for (int i = 0; i < 200; i++) {
        b[i] = sb_faults_draw(true);
        slow += b[i] == SB_FAULT_SLOW;
        CU_ASSERT_EQUAL(a[i] == SB_FAULT_429, b[i] == SB_FAULT_429);
    }
    CU_ASSERT_TRUE(slow > 0);
}

static void test_netsuite_slow_answers_normally(void)
{
    const char *args[] = {"--faults", "slow=1", "--slow-ms", "20", "--random-seed", "1", NULL};
    tsb_sandbox sb;
    CU_ASSERT_EQUAL_FATAL(tsb_start(&sb, "netsuite", args), 0);
    for (int i = 0; i < 3; i++) {
        tsb_response r;
        tsb_netsuite(&sb, "GET", REC "customer/501", NULL, NULL, &r);
        CU_ASSERT_EQUAL(r.status, 200);
        json_object *body = tsb_json(&r);
        CU_ASSERT_STRING_EQUAL(json_object_get_string(tsb_member(body, "id")), "501");
        json_object_put(body);
        tsb_response_free(&r);
    }
    tsb_response r;
    tsb_netsuite(&sb, "PATCH", REC "customer/501", "{\"phone\":\"+46 8 555\"}", NULL, &r);
    CU_ASSERT_EQUAL(r.status, 204); /* a slow write still writes */
    tsb_response_free(&r);
    tsb_netsuite(&sb, "GET", REC "customer/501", NULL, NULL, &r);
    json_object *body = tsb_json(&r);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(tsb_member(body, "phone")), "+46 8 555");
    json_object_put(body);
    tsb_response_free(&r);

    CU_ASSERT_EQUAL(stat_of(&sb, "faults_injected", "slow"), 5);
    CU_ASSERT_EQUAL(stat_of(&sb, "responses_by_status", "200"), 4);
    CU_ASSERT_EQUAL(stat_of(&sb, "faults_injected", "503"), 0);
    CU_ASSERT_EQUAL(stat_of(&sb, NULL, "throttled"), 0);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

static void test_netsuite_slow_rate(void)
{
    const char *args[] = {"--faults", "slow=0.5", "--slow-ms", "1", "--random-seed", "9", NULL};
    tsb_sandbox sb;
    CU_ASSERT_EQUAL_FATAL(tsb_start(&sb, "netsuite", args), 0);
    int ok = 0;
    for (int i = 0; i < 40; i++) {
        tsb_response r;
        tsb_netsuite(&sb, "GET", REC "customer/502", NULL, NULL, &r);
        ok += r.status == 200;
        tsb_response_free(&r);
    }
    CU_ASSERT_EQUAL(ok, 40); /* every request answered, slow or not */
    long slow = stat_of(&sb, "faults_injected", "slow");
    CU_ASSERT_TRUE(slow > 0 && slow < 40);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

static void test_centra_slow_answers_normally(void)
{
    const char *args[] = {"--faults", "slow=1", "--slow-ms", "20", "--centra-token", "slow-test-token", NULL};
    tsb_sandbox sb;
    CU_ASSERT_EQUAL_FATAL(tsb_start(&sb, "centra", args), 0);
    char url[128];
    snprintf(url, sizeof url, "%s/graphql", sb.base);
    const char *headers[] = {"Authorization: Bearer slow-test-token", "Content-Type: application/json", NULL};
    const char *q = "{\"query\":\"{ __typename }\"}";
    tsb_response r;
    tsb_http("POST", url, headers, q, strlen(q), &r);
    CU_ASSERT_EQUAL(r.status, 200);
    json_object *body = tsb_json(&r);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(tsb_member(tsb_member(body, "data"), "__typename")), "Query");
    CU_ASSERT_PTR_NULL(tsb_member(body, "errors"));
    json_object_put(body);
    tsb_response_free(&r);
    CU_ASSERT_EQUAL(stat_of(&sb, "faults_injected", "slow"), 1);
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"slow in the fault spec; drawn last, for reads and writes", test_slow_spec},
        {"netsuite: slow requests answered normally, counted as slow", test_netsuite_slow_answers_normally},
        {"netsuite: slow at a rate, every request answered", test_netsuite_slow_rate},
        {"centra: slow request answered normally, counted as slow", test_centra_slow_answers_normally},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"sandbox slow fault", NULL, NULL, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    int rc = tsup_run_suites("sandbox/test_slow_fault", suites);
    tsb_thread_done();
    return rc;
}
