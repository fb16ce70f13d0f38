/* The o2c command line as a person at a terminal uses it: migrate, status, exceptions,
 * redrive, cancel, and clear errors for wrong use. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static char conninfo[1024];
static PGconn *db;

static int set_up(void)
{
    db = tpg_fresh("o2c_test_cli", conninfo, sizeof conninfo);
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    return 0;
}

/* Runs `o2c --database <db> <args>` with stdout and stderr in out; returns the exit status. */
static int o2c(const char *args, char *out, size_t len)
{
    char bin[512], cmd[2048];
    tsup_bin("o2c", bin, sizeof bin);
    snprintf(cmd, sizeof cmd, "%s --database \"%s\" %s 2>&1", bin, conninfo, args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, len - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_cli(void)
{
    char out[16384];
    CU_ASSERT_EQUAL(o2c("migrate", out, sizeof out), 0);
    CU_ASSERT(strstr(out, "up to date") != NULL);

    tpg_ok(db, "select o2c.define_workflow('cli', '{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\","
               "\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}')", 0, NULL);
    long long bad = tpg_number(db, "select o2c.start('cli', 'order-1')", 0, NULL);
    tpg_number(db, "select o2c.start('cli', 'order-2')", 0, NULL);
    /* Put order-1 in exception the way a runner would. */
    tpg_ok(db, "select o2c.complete('r', (select jsonb_agg(jsonb_build_object('id', workflow_id, 'token', lease_token, "
               "'outcome', 'failed', 'detail', jsonb_build_object('category', 'unmapped_sku', 'owner', 'ops', "
               "'message', 'SKU NDT-TEE-014-M has no NetSuite item'))) from o2c.claim('r', 1, 30)))", 0, NULL);

    CU_ASSERT_EQUAL(o2c("status", out, sizeof out), 0);
    CU_ASSERT(strstr(out, "cli") != NULL && strstr(out, "exception") != NULL && strstr(out, "active") != NULL);

    CU_ASSERT_EQUAL(o2c("exceptions", out, sizeof out), 0);
    CU_ASSERT(strstr(out, "unmapped_sku") != NULL);
    CU_ASSERT(strstr(out, "SKU NDT-TEE-014-M has no NetSuite item") != NULL);
    CU_ASSERT(strstr(out, "order-1") != NULL);

    char args[64];
    snprintf(args, sizeof args, "redrive %lld", bad);
    CU_ASSERT_EQUAL(o2c(args, out, sizeof out), 0);
    CU_ASSERT(strstr(out, "re-driven") != NULL);
    CU_ASSERT_EQUAL(o2c("exceptions", out, sizeof out), 0);
    CU_ASSERT(strstr(out, "(none)") != NULL);

    snprintf(args, sizeof args, "cancel %lld 'duplicate order'", bad);
    CU_ASSERT_EQUAL(o2c(args, out, sizeof out), 0);
    CU_ASSERT_EQUAL(o2c(args, out, sizeof out), 1);
    CU_ASSERT(strstr(out, "already cancelled") != NULL);

    CU_ASSERT_EQUAL(o2c("redrive 987654", out, sizeof out), 1);
    CU_ASSERT(strstr(out, "no workflow with id 987654") != NULL);
    CU_ASSERT_EQUAL(o2c("redrive notanumber", out, sizeof out), 2);
    CU_ASSERT(strstr(out, "usage:") != NULL);
    CU_ASSERT_EQUAL(o2c("frobnicate", out, sizeof out), 2);
}

static void test_unreachable_database(void)
{
    char bin[512], cmd[1024], out[4096];
    tsup_bin("o2c", bin, sizeof bin);
    snprintf(cmd, sizeof cmd, "%s --database 'host=/nonexistent dbname=x' status 2>&1", bin);
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    CU_ASSERT(strstr(out, "cannot connect to PostgreSQL") != NULL);
}

static CU_TestInfo tests[] = {
    {"migrate, status, exceptions, redrive and cancel from a terminal", test_cli},
    {"an unreachable database is a clear error", test_unreachable_database},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"command line", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_cli", suites); }
