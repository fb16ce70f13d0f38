/* Actions written in SQL (sql.<name> → o2c_action.<name>(context, params)), run by real runners:
 * their answers move workflows like any action's, params reach them, and a function that raises
 * or answers nonsense becomes an exception for engineering rather than a stuck step. */
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
    db = tpg_fresh("o2c_test_sql_actions", conninfo, sizeof conninfo);
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    return 0;
}

static void run_until_idle(void)
{
    const char *args[] = {"--until-idle", "--idle-horizon-seconds", "0", NULL};
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, NULL, args)), 0);
}

static void test_sql_actions_drive_workflows(void)
{
    /* A mapping-style check: an order total above the limit in params is refused for finance. */
    CU_ASSERT_FATAL(tpg_ok(db,
        "create function o2c_action.check_total(context jsonb, params jsonb) returns jsonb language sql as $$ "
        "select case when (context->>'total')::numeric > (params->>'limit')::numeric "
        "then jsonb_build_object('outcome', 'failed', 'detail', jsonb_build_object('category', 'total_mismatch', "
        "  'owner', 'finance', 'severity', 'high', 'message', format('order total %s is over the limit %s', "
        "  context->>'total', params->>'limit'))) "
        "else jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object('checked_total', context->'total'), "
        "  'start', jsonb_build_array(jsonb_build_object('workflow', 'after_check', 'business_key', context->>'order'))) end $$",
        0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db,
        "create function o2c_action.explode(context jsonb, params jsonb) returns jsonb language plpgsql as $$ "
        "begin raise exception 'tax table is empty'; end $$", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db,
        "create function o2c_action.mumble(context jsonb, params jsonb) returns jsonb language sql as $$ select '[1,2]'::jsonb $$",
        0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow('after_check', '{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\","
                               "\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}')", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow('checked', '{\"initial\":\"check\",\"states\":{"
                               "\"check\":{\"action\":\"sql.check_total\",\"lane\":\"orders\",\"params\":{\"limit\":\"1000.00\"},"
                               "\"on\":{\"ok\":\"done\"}},\"done\":{\"terminal\":true}}}')", 0, NULL));
    CU_ASSERT(tpg_fails_with(db, "select o2c.define_workflow('nofn', '{\"initial\":\"x\",\"states\":{"
                                 "\"x\":{\"action\":\"sql.nosuch\",\"lane\":\"orders\",\"on\":{\"ok\":\"done\"}},\"done\":{\"terminal\":true}}}')",
                             0, NULL, "there is no function o2c_action.nosuch(context jsonb, params jsonb)"));
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow('explodes', '{\"initial\":\"x\",\"states\":{"
                               "\"x\":{\"action\":\"sql.explode\",\"lane\":\"orders\",\"on\":{\"ok\":\"done\"}},\"done\":{\"terminal\":true}}}')",
                           0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow('mumbles', '{\"initial\":\"y\",\"states\":{"
                               "\"y\":{\"action\":\"sql.mumble\",\"lane\":\"orders\",\"on\":{\"ok\":\"done\"}},\"done\":{\"terminal\":true}}}')",
                           0, NULL));

    tpg_ok(db, "select o2c.start('checked', 'order-1', '{\"order\":\"1001\",\"total\":\"999.99\"}')", 0, NULL);
    tpg_ok(db, "select o2c.start('checked', 'order-2', '{\"order\":\"1002\",\"total\":\"1000.01\"}')", 0, NULL);
    tpg_ok(db, "select o2c.start('explodes', 'e-1')", 0, NULL);
    tpg_ok(db, "select o2c.start('mumbles', 'm-1')", 0, NULL);
    run_until_idle();

    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where business_key = 'order-1' and status = 'done' "
                                   "and context->>'checked_total' = '999.99'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'after_check' and business_key = '1001' "
                                   "and status = 'done'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where business_key = 'order-2' and category = 'total_mismatch' "
                                   "and owner = 'finance' and message = 'order total 1000.01 is over the limit 1000.00'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'after_check' and business_key = '1002'", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where business_key = 'e-1' and category = 'workflow_error' "
                                   "and owner = 'engineering' and message like '%tax table is empty%'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where business_key = 'm-1' and category = 'workflow_error' "
                                   "and message like '%not an object with an \"outcome\"%'", 0, NULL), 1);

    /* Fix the limit (a new version of the pipeline would do; here the mapping function) and re-drive. */
    tpg_ok(db, "create or replace function o2c_action.check_total(context jsonb, params jsonb) returns jsonb language sql as $$ "
               "select jsonb_build_object('outcome', 'ok') $$", 0, NULL);
    tpg_ok(db, "select o2c.redrive(workflow_id) from o2c.exceptions where category = 'total_mismatch'", 0, NULL);
    run_until_idle();
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where business_key = 'order-2' and status = 'done'", 0, NULL), 1);
}

static CU_TestInfo tests[] = {
    {"sql.<name> actions answer like any action; errors become exceptions", test_sql_actions_drive_workflows},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"sql actions", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_sql_actions", suites); }
