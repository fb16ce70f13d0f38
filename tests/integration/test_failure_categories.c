/* Failure categories are typed: the C table (connectors/common/failure.h) and the SQL table
 * o2c.failure_category agree row for row; an outcome naming a category neither knows becomes an
 * engine_error exception that names it, owned by engineering — never an exception nobody owns. */
#include "connectors/common/failure.h"
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char conninfo[1024];
static PGconn *db;

static int set_up(void)
{
    db = tpg_fresh("o2c_test_failure_categories", conninfo, sizeof conninfo);
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    return 0;
}

static void test_the_c_table_mirrors_the_sql_table(void)
{
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.failure_category", 0, NULL), O2C_FAIL_COUNT);
    for (int i = 0; i < O2C_FAIL_COUNT; i++) {
        const struct o2c_failure_info *f = o2c_failure_info((enum o2c_failure)i);
        const char *p[] = {f->category, f->owner, f->severity, f->sentence};
        long long same = tpg_number(db, "select count(*) from o2c.failure_category where category = $1 and owner = $2 "
                                        "and severity = $3 and description = $4", 4, p);
        if (same != 1)
            printf("\n  %s differs between failure.c and o2c.failure_category", f->category);
        CU_ASSERT_EQUAL(same, 1);
        CU_ASSERT_EQUAL(o2c_failure_by_name(f->category), (enum o2c_failure)i);
    }
    CU_ASSERT_EQUAL(o2c_failure_by_name("no_such_category"), O2C_FAIL_COUNT);
    CU_ASSERT_STRING_EQUAL(o2c_failure_info(O2C_FAIL_COUNT)->category, "engine_error");
}

static void test_an_unknown_category_is_an_engine_error_naming_it(void)
{
    CU_ASSERT(tpg_ok(db, "select o2c.define_workflow('typed', '{\"initial\":\"a\",\"states\":{"
                         "\"a\":{\"action\":\"core.fail\",\"lane\":\"orders\",\"owner\":\"ops\",\"on\":{\"ok\":\"b\"}},"
                         "\"b\":{\"terminal\":true}}}'::jsonb)", 0, NULL));
    CU_ASSERT(tpg_ok(db, "select o2c.start('typed', 'known', '{\"category\":\"unmapped_sku\",\"message\":\"SKU X\"}')", 0, NULL));
    CU_ASSERT(tpg_ok(db, "select o2c.start('typed', 'unknown', '{\"category\":\"made_up\",\"message\":\"it broke\"}')", 0, NULL));
    char log[128];
    snprintf(log, sizeof log, "/tmp/o2c-test-failure-categories.%d.log", (int)getpid());
    const char *args[] = {"--until-idle", "--idle-horizon-seconds", "0", NULL};
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, log, args)), 0);
    unlink(log);
    /* A known category keeps its owner and severity from the table. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where business_key = 'known' and category = 'unmapped_sku' "
                                   "and owner = 'ops' and severity = 'high' and message = 'SKU X'", 0, NULL), 1);
    /* An unknown one is engineering's, critical, and says what it was. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where business_key = 'unknown' and category = 'engine_error' "
                                   "and owner = 'engineering' and severity = 'critical' "
                                   "and message = 'core.fail failed with a category o2c does not know (made_up): it broke'",
                               0, NULL), 1);
    /* Every exception there is names a category of the table. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions e where not exists "
                                   "(select from o2c.failure_category c where c.category = e.category)", 0, NULL), 0);
}

static CU_TestInfo tests[] = {
    {"the C table of failure categories mirrors o2c.failure_category row for row", test_the_c_table_mirrors_the_sql_table},
    {"an unknown category is an engine_error naming it; a known one keeps its owner", test_an_unknown_category_is_an_engine_error_naming_it},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"failure categories", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_failure_categories", suites); }
