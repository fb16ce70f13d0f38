/* The storefront contract (contract.h), against any driver: a poller on a fresh database, real
 * runners, the system's sandbox. Children are core.noop stand-ins: what is proved is the reading. */
#include "tests/conformance/contract.h"
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"

#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct storefront_driver *drv;
static char conninfo[1024];
static PGconn *db;
static char logs[256];
static char dbname[128];

static int set_up(void)
{
    snprintf(dbname, sizeof dbname, "o2c_test_%s_storefront_contract", drv->system);
    if (tsup_fresh_database(dbname, conninfo, sizeof conninfo) != 0)
        return -1;
    db = tpg_connect(conninfo);
    snprintf(logs, sizeof logs, "/tmp/o2c-test-%s-contract.%d.log", drv->system, (int)getpid());
    setenv(drv->token_env, drv->good_token, 1);
    unsetenv(drv->permissions_env);
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    unlink(logs);
    return 0;
}

/* Connection p to the sandbox, poller p_poll (poll → ok → poll), stand-in children p_order and
 * p_cancel. secret_env: the connection's secret_env JSON. */
static void define(const char *p, int port, const char *secret_env)
{
    char url[64], spec[1024], name[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    const char *c[] = {p, drv->system, url, secret_env};
    CU_ASSERT(tpg_ok(db, "insert into o2c.connection (name, system, base_url, secret_env) values ($1, $2, $3, $4::jsonb) "
                         "on conflict (name) do update set base_url = excluded.base_url, secret_env = excluded.secret_env",
                     4, c));
    snprintf(spec, sizeof spec,
             "{\"initial\":\"poll\",\"states\":{\"poll\":{\"action\":\"%s\",\"lane\":\"orders\","
             "\"connection\":\"%s\",\"owner\":\"engineering\",\"retry\":{\"max_attempts\":40,\"base_ms\":20,\"cap_ms\":200},"
             "\"on\":{\"ok\":\"poll\"}}}}", drv->poll_action, p);
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

static void start_poller(const char *p, int page_size)
{
    char name[64], key[64], input[512];
    snprintf(name, sizeof name, "%s_poll", p);
    snprintf(key, sizeof key, "%s:%s:orders", drv->system, p);
    snprintf(input, sizeof input,
             "{\"page_size\":%d,\"poll_interval_ms\":100,\"child_workflow\":\"%s_order\",\"cancel_workflow\":\"%s_cancel\"}",
             page_size, p, p);
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

static long long children(const char *p)
{
    return count_of(p, "order", "select count(*) from o2c.workflows where workflow = $1");
}

static long long done_children(const char *p)
{
    return count_of(p, "order", "select count(*) from o2c.workflows where workflow = $1 and status = 'done'");
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

/* Runs one runner until `records` children of p are done and the poller has then finished
 * `extra` more rounds (re-reading what it has seen), then stops it with SIGTERM; its exit status
 * must be 0. False if the poller fell into an exception or the generous guard ran out (the guard
 * only keeps a broken build from hanging; no assertion is about time). */
static bool run_until(const char *p, long long records, int extra)
{
    const char *args[] = {"--concurrency", "4", "--poll-ms", "100", NULL};
    pid_t runner = tproc_runner(conninfo, logs, args);
    CU_ASSERT_FATAL(runner > 0);
    bool reached = false, ok = false;
    long long rounds_then = 0;
    for (int i = 0; i < 1500 && poller_active(p); i++) {
        if (!reached && done_children(p) >= records) {
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

/* Every record of the sandbox has exactly one child, started once, keyed by its number. */
static void check_exactly_once(const char *p, int port)
{
    long long n = tproc_sandbox_stat(port, drv->records_stat);
    CU_ASSERT(n > 0);
    CU_ASSERT_EQUAL(children(p), n);
    CU_ASSERT_EQUAL(count_of(p, "order", "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                                        "where i.workflow = $1 and e.outcome = 'start'"), n);
    char sql[512];
    snprintf(sql, sizeof sql, "select count(distinct business_key) from o2c.workflows where workflow = $1 "
                              "and business_key = '%s' || (%s)", drv->key_prefix, drv->number_expr);
    CU_ASSERT_EQUAL(count_of(p, "order", sql), n);
}

static void test_reads_everything_once_through_ties_and_pages(void)
{
    int port;
    const char *args[] = {"--random-seed", "1", NULL};
    pid_t sandbox = tproc_sandbox(drv->system, logs, args, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    define("sone", port, "{}");
    CU_ASSERT_EQUAL(drv->place(port, 25), 0);
    start_poller("sone", 7);
    CU_ASSERT(run_until("sone", 25, 3));
    check_exactly_once("sone", port);
    /* More records shared one second than fit on a page of 7: the poller paged through them. */
    char sql[256];
    snprintf(sql, sizeof sql, "select max(n) from (select count(*) n from o2c.workflows where workflow = $1 group by %s) g",
             drv->updated_expr);
    CU_ASSERT(count_of("sone", "order", sql) > 7);
    /* Records of a later second, between rounds: picked up, nothing read twice. */
    tproc_sleep_ms(1100);
    CU_ASSERT_EQUAL(drv->place(port, 10), 0);
    CU_ASSERT(run_until("sone", 35, 3));
    check_exactly_once("sone", port);
    CU_ASSERT_EQUAL(children("sone"), 35);
    CU_ASSERT(poller_active("sone"));
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static void test_throttling_5xx_and_cut_off_bodies_still_give_exactly_once(void)
{
    int port;
    pid_t sandbox = tproc_sandbox(drv->system, logs, drv->fault_args, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    define("stwo", port, "{}");
    CU_ASSERT_EQUAL(drv->place(port, 40), 0);
    start_poller("stwo", 5);
    CU_ASSERT(run_until("stwo", 40, 2));
    check_exactly_once("stwo", port);
    /* Throttling (with Retry-After) and transient failures were met, and none ended the poller. */
    CU_ASSERT(poller_outcomes("stwo", "throttled") > 0);
    CU_ASSERT(poller_outcomes("stwo", "retry") > 0);
    CU_ASSERT(tproc_sandbox_stat(port, "throttled") > 0);
    CU_ASSERT(poller_active("stwo"));
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static void test_a_bad_token_is_remote_auth(void)
{
    int port;
    pid_t sandbox = tproc_sandbox(drv->system, logs, NULL, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    /* A variable of the system's own prefix (a connection may name no other) holding a wrong token. */
    char wrong_env[128], secret_env[256];
    snprintf(wrong_env, sizeof wrong_env, "%s_CONTRACT_WRONG", drv->token_env);
    setenv(wrong_env, "not-the-token-4711", 1);
    snprintf(secret_env, sizeof secret_env, "{\"token\":\"%s\"}", wrong_env);
    define("sthree", port, secret_env);
    CU_ASSERT_EQUAL(drv->place(port, 4), 0);
    start_poller("sthree", 10);
    const char *args[] = {"--until-idle", "--idle-horizon-seconds", "0", NULL};
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, logs, args)), 0);
    char like[128];
    snprintf(like, sizeof like, "%s%%", drv->auth_words);
    const char *v[] = {like};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'sthree_poll' and category = 'remote_auth' "
                                   "and severity = 'critical' and owner = 'engineering' and message like $1 "
                                   "and message not like '%not-the-token-4711%'", 1, v), 1);
    CU_ASSERT_EQUAL(children("sthree"), 0);
    /* The right token, a re-drive, and the records arrive. */
    CU_ASSERT(tpg_ok(db, "update o2c.connection set secret_env = '{}' where name = 'sthree'", 0, NULL));
    CU_ASSERT(tpg_ok(db, "select o2c.redrive(workflow_id) from o2c.exceptions where workflow = 'sthree_poll'", 0, NULL));
    CU_ASSERT(run_until("sthree", 4, 1));
    check_exactly_once("sthree", port);
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static void test_a_missing_permission_is_remote_permission(void)
{
    int port;
    setenv(drv->permissions_env, drv->permissions_lacking, 1); /* read by the sandbox */
    pid_t sandbox = tproc_sandbox(drv->system, logs, NULL, &port);
    unsetenv(drv->permissions_env);
    CU_ASSERT_FATAL(sandbox > 0);
    define("sfour", port, "{}");
    CU_ASSERT_EQUAL(drv->place(port, 2), 0);
    start_poller("sfour", 10);
    const char *args[] = {"--until-idle", "--idle-horizon-seconds", "0", NULL};
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, logs, args)), 0);
    char like[128];
    snprintf(like, sizeof like, "%%%s%%", drv->lacking_words);
    const char *v[] = {like};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'sfour_poll' "
                                   "and category = 'remote_permission' and owner = 'engineering' and message like $1", 1, v), 1);
    /* Nothing of a page with an error is started. */
    CU_ASSERT_EQUAL(children("sfour"), 0);
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static void test_malformed_answers_never_crash_it(void)
{
    int port;
    pid_t sandbox = tproc_sandbox(drv->system, logs, drv->garbage_args, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    define("sfive", port, "{}");
    CU_ASSERT_EQUAL(drv->place(port, 12), 0);
    start_poller("sfive", 4);
    /* run_until asserts the runner exits 0 on SIGTERM: it never crashed on what it read. */
    CU_ASSERT(run_until("sfive", 12, 2));
    check_exactly_once("sfive", port);
    CU_ASSERT(poller_outcomes("sfive", "retry") > 0);
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static void test_a_runner_killed_mid_ingest_loses_nothing(void)
{
    int port;
    const char *args[] = {"--random-seed", "4", "--latency-ms", "40", NULL};
    pid_t sandbox = tproc_sandbox(drv->system, logs, args, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    define("ssix", port, "{}");
    CU_ASSERT_EQUAL(drv->place(port, 60), 0);
    start_poller("ssix", 5);
    const char *first[] = {"--concurrency", "4", "--poll-ms", "100", "--lease-seconds", "2", NULL};
    pid_t runner = tproc_runner(conninfo, logs, first);
    CU_ASSERT_FATAL(runner > 0);
    for (int i = 0; i < 1500 && children("ssix") < 20; i++)
        tproc_sleep_ms(20);
    kill(runner, SIGKILL);
    CU_ASSERT_EQUAL(tproc_wait(runner), 128 + SIGKILL);
    long long at_kill = children("ssix");
    CU_ASSERT(at_kill >= 20 && at_kill < 60);
    /* Another runner takes over once the lease of a step caught mid-flight runs out. */
    CU_ASSERT(run_until("ssix", 60, 2));
    check_exactly_once("ssix", port);
    CU_ASSERT(poller_active("ssix"));
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static CU_TestInfo tests[] = {
    {"reads everything changed since its cursor exactly once, through same-second ties and pages",
     test_reads_everything_once_through_ties_and_pages},
    {"throttling with Retry-After, 5xx and cut-off bodies still give exactly once",
     test_throttling_5xx_and_cut_off_bodies_still_give_exactly_once},
    {"a bad token is remote_auth; fixed and re-driven, the records arrive", test_a_bad_token_is_remote_auth},
    {"a missing permission is remote_permission naming it", test_a_missing_permission_is_remote_permission},
    {"malformed answers never crash it", test_malformed_answers_never_crash_it},
    {"a runner killed with SIGKILL mid-ingest loses nothing and repeats nothing", test_a_runner_killed_mid_ingest_loses_nothing},
    CU_TEST_INFO_NULL,
};

int storefront_contract_run(const char *program, const struct storefront_driver *driver)
{
    drv = driver;
    CU_SuiteInfo suites[] = {
        {"storefront contract", set_up, tear_down, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return tsup_run_suites(program, suites);
}
