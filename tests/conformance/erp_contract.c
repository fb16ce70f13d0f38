/* The ERP contract (contract.h), against any driver: create-by-external-key workflows on a fresh
 * database, real runners, the system's sandbox counting what it received. */
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

static const struct erp_driver *drv;
static char conninfo[1024];
static PGconn *db;
static char logs[256];

static int set_up(void)
{
    char name[128];
    snprintf(name, sizeof name, "o2c_test_%s_erp_contract", drv->system);
    if (tsup_fresh_database(name, conninfo, sizeof conninfo) != 0)
        return -1;
    db = tpg_connect(conninfo);
    snprintf(logs, sizeof logs, "/tmp/o2c-test-%s-erp-contract.%d.log", drv->system, (int)getpid());
    drv->credentials(true);
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    unlink(logs);
    return 0;
}

/* Connection `name` to the sandbox with a concurrency limit, and workflow `name` creating one
 * record (create → done), and workflow <name>_find looking one up (find → found | absent). */
static void define(const char *name, int port, int limit)
{
    char url[64], lim[16], spec[1536], find[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {name, drv->system, url, lim};
    CU_ASSERT(tpg_ok(db, "insert into o2c.connection (name, system, base_url, max_concurrent) values ($1, $2, $3, $4::int) "
                         "on conflict (name) do update set base_url = excluded.base_url, max_concurrent = excluded.max_concurrent",
                     4, p));
    snprintf(spec, sizeof spec,
             "{\"initial\":\"create\",\"states\":{\"create\":{\"action\":\"%s\",\"lane\":\"orders\",\"connection\":\"%s\","
             "\"params\":%s,\"retry\":{\"max_attempts\":20,\"base_ms\":20,\"cap_ms\":200},"
             "\"lock\":{\"max_attempts\":40,\"delay_ms\":10},\"on\":{\"ok\":\"done\"}},\"done\":{\"terminal\":true}}}",
             drv->create_action, name, drv->create_params);
    const char *d[] = {name, spec};
    CU_ASSERT(tpg_ok(db, "select o2c.define_workflow($1, $2::jsonb)", 2, d));
    snprintf(spec, sizeof spec,
             "{\"initial\":\"find\",\"states\":{\"find\":{\"action\":\"%s\",\"lane\":\"orders\",\"connection\":\"%s\","
             "\"params\":%s,\"retry\":{\"max_attempts\":20,\"base_ms\":20,\"cap_ms\":200},"
             "\"on\":{\"found\":\"found\",\"not_found\":\"absent\"}},\"found\":{\"terminal\":true},\"absent\":{\"terminal\":true}}}",
             drv->find_action, name, drv->find_params);
    snprintf(find, sizeof find, "%s_find", name);
    const char *f[] = {find, spec};
    CU_ASSERT(tpg_ok(db, "select o2c.define_workflow($1, $2::jsonb)", 2, f));
}

/* Starts n creates on workflow wf, external keys <prefix>-1..n, business keys <key>-1..n. */
static void start_creates(const char *wf, const char *key, const char *prefix, int n, const char *item)
{
    char sql[2048], count[16];
    snprintf(count, sizeof count, "%d", n);
    snprintf(sql, sizeof sql, "select o2c.start($1, $2 || '-' || g, %s) from generate_series(1, $5::int) g, "
                              "lateral (select $3 || '-' || g as ext, $4::text as item) a", drv->create_input_sql);
    const char *p[] = {wf, key, prefix, item, count};
    CU_ASSERT(tpg_ok(db, sql, 5, p));
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

static long long done(const char *wf)
{
    const char *v[] = {wf};
    return tpg_number(db, "select count(*) from o2c.workflows where workflow = $1 and status = 'done'", 1, v);
}

static long long outcomes(const char *wf, const char *outcome)
{
    const char *v[] = {wf, outcome};
    return tpg_number(db, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                          "where i.workflow = $1 and e.outcome = $2", 2, v);
}

static void test_creates_exactly_once_under_faults(void)
{
    int port;
    pid_t sandbox = tproc_sandbox(drv->system, logs, drv->fault_args, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    define("eone", port, 10);
    start_creates("eone", "one", "O2C-EONE", 60, drv->valid_item);
    run_runners(3, "8");
    CU_ASSERT_EQUAL(done("eone"), 60);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(port, drv->records_stat), 60);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(port, drv->duplicates_stat), 0);
    CU_ASSERT(outcomes("eone", "throttled") + outcomes("eone", "retry") > 0);
    /* The same records again (re-ingested, re-driven): found, not made twice. */
    start_creates("eone", "again", "O2C-EONE", 60, drv->valid_item);
    run_runners(2, "8");
    CU_ASSERT_EQUAL(done("eone"), 120);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(port, drv->records_stat), 60);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(port, drv->duplicates_stat), 0);
    char sql[256];
    snprintf(sql, sizeof sql, "select count(distinct context->>'%s') from o2c.workflows where workflow = 'eone'", drv->result_key);
    CU_ASSERT_EQUAL(tpg_number(db, sql, 0, NULL), 60);
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static void test_the_fleet_holds_the_accounts_concurrency_limit(void)
{
    int port;
    const char *args[] = {drv->concurrency_arg, "5", "--latency-ms", "30", "--random-seed", "1", NULL};
    pid_t sandbox = tproc_sandbox(drv->system, logs, args, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    define("etwo", port, 5);
    start_creates("etwo", "two", "O2C-ETWO", 60, drv->valid_item);
    run_runners(3, "8");
    CU_ASSERT_EQUAL(done("etwo"), 60);
    /* Three runners with eight slots each; the account's five held for all of them, and the
     * account never had to refuse a call over its limit. */
    CU_ASSERT(tproc_sandbox_stat(port, "max_concurrency") <= 5);
    CU_ASSERT(tproc_sandbox_stat(port, "max_concurrency") >= 2);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(port, "throttled"), 0);
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static void test_a_record_lock_is_locked_then_done(void)
{
    int port;
    pid_t sandbox = tproc_sandbox(drv->system, logs, drv->lock_args, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    define("ethree", port, 5);
    start_creates("ethree", "three", "O2C-ETHREE", 20, drv->valid_item);
    run_runners(1, "4");
    CU_ASSERT(outcomes("ethree", "locked") > 0);
    CU_ASSERT_EQUAL(done("ethree"), 20);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'ethree'", 0, NULL), 0);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(port, drv->duplicates_stat), 0);
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static void test_a_refusal_is_an_exception_with_the_remotes_words_and_field(void)
{
    int port;
    pid_t sandbox = tproc_sandbox(drv->system, logs, NULL, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    define("efour", port, 5);
    start_creates("efour", "four", "O2C-EFOUR", 1, drv->unknown_item);
    run_runners(1, "4");
    char item[128], field[128];
    snprintf(item, sizeof item, "%%%s%%", drv->unknown_item);
    snprintf(field, sizeof field, "%%%s%%", drv->refusal_field);
    const char *v[] = {item, field};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'efour' and category = 'remote_rejected' "
                                   "and owner = 'ops' and message like $1 and message like $2", 2, v), 1);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(port, drv->records_stat), 0);
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static void test_a_refused_login_is_remote_auth(void)
{
    int port;
    pid_t sandbox = tproc_sandbox(drv->system, logs, NULL, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    define("efive", port, 5);
    drv->credentials(false);
    start_creates("efive", "five", "O2C-EFIVE", 2, drv->valid_item);
    run_runners(1, "4");
    drv->credentials(true);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'efive' and category = 'remote_auth' "
                                   "and owner = 'engineering' and severity = 'critical'", 0, NULL), 2);
    /* Fixed credentials and a re-drive finish them. */
    CU_ASSERT(tpg_ok(db, "select o2c.redrive(workflow_id) from o2c.exceptions where workflow = 'efive'", 0, NULL));
    run_runners(1, "4");
    CU_ASSERT_EQUAL(done("efive"), 2);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(port, drv->records_stat), 2);
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static void test_a_missing_record_is_not_found(void)
{
    int port;
    pid_t sandbox = tproc_sandbox(drv->system, logs, NULL, &port);
    CU_ASSERT_FATAL(sandbox > 0);
    define("esix", port, 5);
    CU_ASSERT(tpg_ok(db, "select o2c.start('esix_find', 'missing', '{\"value\":\"nobody-o2c-contract@example.invalid\"}')", 0, NULL));
    run_runners(1, "4");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'esix_find' and state = 'absent' "
                                   "and status = 'done'", 0, NULL), 1);
    kill(sandbox, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(sandbox), 0);
}

static CU_TestInfo tests[] = {
    {"creates exactly once under 429s, 5xx, locks and cut-off bodies, and again when re-run", test_creates_exactly_once_under_faults},
    {"the fleet holds the account's concurrency limit", test_the_fleet_holds_the_accounts_concurrency_limit},
    {"a record lock is locked, then done", test_a_record_lock_is_locked_then_done},
    {"a refusal is an exception with the remote's words and field", test_a_refusal_is_an_exception_with_the_remotes_words_and_field},
    {"a refused login is remote_auth; fixed and re-driven, done", test_a_refused_login_is_remote_auth},
    {"a missing record is not_found", test_a_missing_record_is_not_found},
    CU_TEST_INFO_NULL,
};

int erp_contract_run(const char *program, const struct erp_driver *driver)
{
    drv = driver;
    CU_SuiteInfo suites[] = {
        {"erp contract", set_up, tear_down, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return tsup_run_suites(program, suites);
}
