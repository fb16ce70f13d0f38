/* A step whose lease keeps running out (its runners die or stall on it every time) ends as an
 * exception lease_expired after five expiries in a row, naming its state and action, instead of
 * being redone without end (a lease expiry uses no attempt). Driven through o2c.claim directly:
 * five claims, each after the last lease ran out, then a real runner. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <unistd.h>

static char conninfo[1024];
static PGconn *db;

static int set_up(void)
{
    db = tpg_fresh("o2c_test_lease_budget", conninfo, sizeof conninfo);
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    return 0;
}

static void test_a_step_that_keeps_outliving_its_lease_ends_in_an_exception(void)
{
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow('doomed', '{\"initial\":\"work\",\"states\":{\"work\":{\"action\":\"core.sleep\","
                               "\"lane\":\"orders\",\"on\":{\"ok\":\"done\"}},\"done\":{\"terminal\":true}}}'::jsonb)", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('doomed', 'd-1', '{\"ms\": 1}')", 0, NULL));
    /* Five runners in turn claim it with a one-second lease and never come back. */
    for (int i = 1; i <= 5; i++) {
        char runner[32];
        snprintf(runner, sizeof runner, "ghost-%d", i);
        const char *p[] = {runner};
        PGresult *r = tpg_query(db, "select action from o2c.claim($1, 10, 1)", 1, p);
        CU_ASSERT_FATAL(r && PQntuples(r) == 1);
        CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 0), "core.sleep");
        PQclear(r);
        tpg_ok(db, "select pg_sleep(1.1)", 0, NULL);
    }
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events where outcome = 'lease_expired'", 0, NULL), 4);
    /* The fifth lease has run out too: a real runner taking it gets an exception, not a sixth redo. */
    char log[128];
    snprintf(log, sizeof log, "/tmp/o2c-test-lease-budget.%d.log", (int)getpid());
    const char *args[] = {"--until-idle", "--idle-horizon-seconds", "0", NULL};
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, log, args)), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where business_key = 'd-1' and category = 'lease_expired' "
                                   "and owner = 'engineering' and message like 'state \"work\" (core.sleep) outlived its lease 5 times%'",
                               0, NULL), 1);
    /* Re-driven once the cause is found, it runs again, on a fresh count. */
    CU_ASSERT(tpg_ok(db, "select o2c.redrive(workflow_id) from o2c.exceptions where business_key = 'd-1'", 0, NULL));
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, log, args)), 0);
    unlink(log);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where business_key = 'd-1' and status = 'done'", 0, NULL), 1);
}

static CU_TestInfo tests[] = {
    {"a step that keeps outliving its lease ends as lease_expired after five expiries, not endless redos",
     test_a_step_that_keeps_outliving_its_lease_ends_in_an_exception},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"lease budget", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_lease_budget", suites); }
