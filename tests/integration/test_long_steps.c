/* A long step never costs the others their leases: leases are kept alive by a thread and a
 * session of their own, so a claim loop busy with a slow SQL action (a huge order's mapping, say)
 * does not let the calls in flight beside it expire and run a second time on another runner —
 * which would also break the fleet's limit on their connection. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"

#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static char conninfo[1024];
static PGconn *db;
static char logs[256];

static int set_up(void)
{
    db = tpg_fresh("o2c_test_long_steps", conninfo, sizeof conninfo);
    snprintf(logs, sizeof logs, "/tmp/o2c-test-long-steps.%d.log", (int)getpid());
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    unlink(logs);
    return 0;
}

static void test_a_slow_sql_action_costs_no_other_step_its_lease(void)
{
    CU_ASSERT_FATAL(tpg_ok(db, "create function o2c_action.slow_map(context jsonb, params jsonb) returns jsonb "
                               "language sql as $$ select pg_sleep(5); select '{\"outcome\": \"ok\"}'::jsonb $$", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db, "insert into o2c.connection (name, system, max_concurrent) values ('governed', 'generic', 2)", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow('slow', '{\"initial\":\"map\",\"states\":{\"map\":{\"action\":\"sql.slow_map\","
                               "\"lane\":\"orders\",\"on\":{\"ok\":\"done\"}},\"done\":{\"terminal\":true}}}'::jsonb)", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow('call', '{\"initial\":\"call\",\"states\":{\"call\":{\"action\":\"core.sleep\","
                               "\"lane\":\"orders\",\"connection\":\"governed\",\"on\":{\"ok\":\"done\"}},\"done\":{\"terminal\":true}}}'::jsonb)",
                           0, NULL));
    /* The calls first, so the one runner holding them then takes the slow map on its loop. */
    CU_ASSERT(tpg_ok(db, "select o2c.start('call', 'c-' || g, '{\"ms\": 4000}') from generate_series(1, 2) g", 0, NULL));
    const char *args[] = {"--lease-seconds", "2", "--concurrency", "4", "--poll-ms", "100", "--runner-id", "first", NULL};
    pid_t first = tproc_runner(conninfo, logs, args);
    CU_ASSERT_FATAL(first > 0);
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.step where leased_by = 'first'", 2, 10000));
    CU_ASSERT(tpg_ok(db, "select o2c.start('slow', 's-1')", 0, NULL));
    CU_ASSERT(tpg_ok(db, "select o2c.start('call', 'c-' || g, '{\"ms\": 4000}') from generate_series(3, 4) g", 0, NULL));
    /* A second runner, ready to take over any lease that runs out. */
    const char *args2[] = {"--lease-seconds", "2", "--concurrency", "4", "--poll-ms", "100", "--runner-id", "second", NULL};
    pid_t second = tproc_runner(conninfo, logs, args2);
    CU_ASSERT_FATAL(second > 0);
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.workflows where status = 'done'", 5, 60000));
    kill(first, SIGTERM);
    kill(second, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(first), 0);
    CU_ASSERT_EQUAL(tproc_wait(second), 0);
    /* No lease ran out, so nothing ran twice and no result was refused. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events where outcome = 'lease_expired'", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'call' and e.outcome = 'ok'", 0, NULL), 4);
    CU_ASSERT_EQUAL(tproc_count_lines(logs, "leases lost"), 0);
    CU_ASSERT_EQUAL(tproc_count_lines(logs, "completion refused"), 0);
}

static CU_TestInfo tests[] = {
    {"a slow SQL action on the claim loop costs no step in flight its lease", test_a_slow_sql_action_costs_no_other_step_its_lease},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"long steps", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_long_steps", suites); }
