/* Adaptive concurrency on a shared ERP account (issue 13): a neighbour integration takes most of
 * the NetSuite account's concurrency limit; o2c's calls beyond what is left are refused with 429
 * and no Retry-After. The fleet's effective limit on the connection drops (never above
 * max_concurrent), the connection is never held back as a whole, every call is still made exactly
 * once, and when the neighbour leaves the limit climbs back to max_concurrent. Real runner, real
 * sandbox over loopback; behaviour only, no timing asserted. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"
#include "tests/support/sandbox_client.h"

#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CONCURRENT 10
#define ORDERS_PER_PHASE 120

static char conninfo[1024];
static PGconn *db;
static char logs[256];
static tsb_sandbox sb;

static int set_up(void)
{
    if (tsup_fresh_database("o2c_test_adaptive_concurrency", conninfo, sizeof conninfo) != 0)
        return -1;
    db = tpg_connect(conninfo);
    snprintf(logs, sizeof logs, "/tmp/o2c-test-adaptive.%d.log", (int)getpid());
    setenv("NETSUITE_ACCOUNT", TSB_NS_ACCOUNT, 1);
    setenv("NETSUITE_CONSUMER_KEY", TSB_NS_CONSUMER_KEY, 1);
    setenv("NETSUITE_CONSUMER_SECRET", TSB_NS_CONSUMER_SECRET, 1);
    setenv("NETSUITE_TOKEN_ID", TSB_NS_TOKEN_ID, 1);
    setenv("NETSUITE_TOKEN_SECRET", TSB_NS_TOKEN_SECRET, 1);
    /* The account admits 10 calls at once, each takes 20 ms: concurrency is what limits. */
    const char *args[] = {"--latency-ms", "20", "--concurrency-limit", "10", NULL};
    if (!db || tsb_start_logged(&sb, "netsuite", args, logs) != 0)
        return -1;
    const char *p[] = {sb.base};
    if (!tpg_ok(db, "insert into o2c.connection (name, system, base_url, max_concurrent) values ('shared', 'netsuite', $1, 10)",
                1, p))
        return -1;
    return tpg_ok(db, "select o2c.define_workflow('ac_find', '{\"initial\":\"find\",\"states\":{\"find\":{"
                      "\"action\":\"netsuite.find\",\"lane\":\"orders\",\"connection\":\"shared\","
                      "\"params\":{\"record\":\"customer\",\"where\":{\"email\":\"email\"},\"result_key\":\"customer_id\"},"
                      "\"retry\":{\"max_attempts\":20,\"base_ms\":10,\"cap_ms\":200},"
                      "\"on\":{\"found\":\"done\",\"not_found\":\"done\"}},\"done\":{\"terminal\":true}}}'::jsonb)",
                  0, NULL) ? 0 : -1;
}

static int tear_down(void)
{
    tsb_stop(&sb);
    PQfinish(db);
    unlink(logs);
    return 0;
}

static void neighbour(int slots)
{
    char body[64];
    snprintf(body, sizeof body, "{\"slots\":%d}", slots);
    char answer[256];
    CU_ASSERT_EQUAL(tproc_http_post(sb.port, "/_sandbox/neighbour", NULL, body, answer, sizeof answer), 200);
}

static void start_finds(int from, int count)
{
    char a[16], b[16];
    snprintf(a, sizeof a, "%d", from);
    snprintf(b, sizeof b, "%d", from + count - 1);
    const char *p[] = {a, b};
    CU_ASSERT(tpg_ok(db, "select count(o2c.start('ac_find', 'find-' || i, jsonb_build_object('email', 'shopper' || i || '@example.com'))) "
                         "from generate_series($1::int, $2::int) i", 2, p));
}

/* Runs one runner of 12 slots until idle, sampling o2c.connections while it works; answers the
 * lowest and highest effective limit seen. */
static void run_and_watch(long long *lowest, long long *highest)
{
    const char *args[] = {"--until-idle", "--concurrency", "12", "--idle-horizon-seconds", "2", NULL};
    pid_t pid = tproc_runner(conninfo, logs, args);
    *lowest = MAX_CONCURRENT;
    *highest = 0;
    int status = -1;
    while (pid > 0 && waitpid(pid, &status, WNOHANG) == 0) {
        long long now = tpg_number(db, "select effective_concurrent from o2c.connections where name = 'shared'", 0, NULL);
        *lowest = now < *lowest ? now : *lowest;
        *highest = now > *highest ? now : *highest;
        usleep(20 * 1000);
    }
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static long long done_finds(void)
{
    return tpg_number(db, "select count(*) from o2c.workflows where workflow = 'ac_find' and state = 'done'", 0, NULL);
}

static void test_a_busy_neighbour_lowers_the_limit_and_its_leaving_raises_it_again(void)
{
    /* The neighbour holds 7 of the 10: o2c's calls beyond 3 are refused. */
    neighbour(7);
    start_finds(1, ORDERS_PER_PHASE);
    long long lowest, highest;
    run_and_watch(&lowest, &highest);
    CU_ASSERT_EQUAL(done_finds(), ORDERS_PER_PHASE);
    long long refused = tproc_sandbox_stat(sb.port, "throttled");
    CU_ASSERT(refused > 0);
    /* o2c gave way: its own limit went down, never to nothing, never above max_concurrent. */
    CU_ASSERT(tpg_number(db, "select min((detail->>'concurrency_limit')::numeric) from o2c.events "
                             "where outcome = 'concurrency_cut' and detail->>'connection' = 'shared'", 0, NULL) < MAX_CONCURRENT);
    CU_ASSERT(lowest < MAX_CONCURRENT);
    CU_ASSERT(lowest >= 1);
    CU_ASSERT(highest <= MAX_CONCURRENT);
    /* Refusals without Retry-After never held the connection as a whole. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.connections where name = 'shared' and throttled_until is not null",
                               0, NULL), 0);

    /* The neighbour leaves: calls get through, and the limit climbs back to max_concurrent. */
    neighbour(0);
    start_finds(ORDERS_PER_PHASE + 1, ORDERS_PER_PHASE);
    run_and_watch(&lowest, &highest);
    CU_ASSERT_EQUAL(done_finds(), 2 * ORDERS_PER_PHASE);
    CU_ASSERT_EQUAL(tpg_number(db, "select effective_concurrent from o2c.connections where name = 'shared'", 0, NULL),
                    MAX_CONCURRENT);
    CU_ASSERT(highest <= MAX_CONCURRENT);
    /* Every lookup was served exactly once (a refused call never reaches the service, which
     * names the table), and o2c itself never had more than max_concurrent calls in flight. */
    json_object *stats = tsb_stats(&sb), *ops = NULL, *v = NULL;
    CU_ASSERT(stats && json_object_object_get_ex(stats, "requests_by_operation", &ops) &&
              json_object_object_get_ex(ops, "suiteql.customer", &v) && json_object_get_int64(v) == 2 * ORDERS_PER_PHASE);
    if (getenv("O2C_TEST_VERBOSE"))
        fprintf(stderr, "%s\n", json_object_to_json_string(stats));
    json_object_put(stats);
    CU_ASSERT(tproc_sandbox_stat(sb.port, "max_concurrency") <= MAX_CONCURRENT);
    /* With the neighbour gone nothing was refused, though each call's slot went straight on to
     * the step queued behind it (runner/workers.h): a queued step never overlaps its leader. */
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sb.port, "throttled"), refused);
    CU_ASSERT_EQUAL(tproc_count_lines(logs, "\"msg\":\"runner stopped\""), 2);
    CU_ASSERT_EQUAL(tproc_count_lines(logs, "\"queued_on_slot\":0}"), 0);
}

static CU_TestInfo tests[] = {
    {"a busy neighbour lowers the limit, and its leaving raises it again", test_a_busy_neighbour_lowers_the_limit_and_its_leaving_raises_it_again},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"adaptive concurrency", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return tsup_run_suites("integration/test_adaptive_concurrency", suites);
}
