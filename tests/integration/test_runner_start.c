/* A runner started while its PostgreSQL is down (or restarting) waits for it with backoff, as it
 * does after losing a connection, and then works; one whose database never comes gives up after
 * --db-wait-seconds, saying so. The test runs a cluster of its own (tools/pg-private), so that it
 * can stop and start it. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"

#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static char conninfo[1024];
static char logs[256];

static int cluster(const char *cmd, char *url, size_t len)
{
    char line[512];
    const char *top = getenv("O2C_TOP");
    snprintf(line, sizeof line, "%s/tools/pg-private %s %s test", top ? top : ".", cmd, dir);
    FILE *p = popen(line, "r");
    if (!p)
        return -1;
    char out[512] = "";
    if (!fgets(out, sizeof out, p))
        out[0] = '\0';
    int status = pclose(p);
    out[strcspn(out, "\n")] = '\0';
    if (url)
        snprintf(url, len, "%s", out);
    return status == 0 ? 0 : -1;
}

static int set_up(void)
{
    snprintf(dir, sizeof dir, "/tmp/o2c-test-start.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char url[512], *saved = getenv("DATABASE_URL") ? strdup(getenv("DATABASE_URL")) : NULL;
    if (cluster("start", url, sizeof url) != 0)
        return -1;
    setenv("DATABASE_URL", url, 1);
    int rc = tsup_fresh_database("o2c_test_runner_start", conninfo, sizeof conninfo);
    if (saved) {
        setenv("DATABASE_URL", saved, 1);
        free(saved);
    }
    snprintf(logs, sizeof logs, "/tmp/o2c-test-runner-start.%d.log", (int)getpid());
    return rc;
}

static int tear_down(void)
{
    cluster("stop", NULL, 0);
    char line[128];
    snprintf(line, sizeof line, "rm -rf %s", dir);
    if (system(line) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    unlink(logs);
    return 0;
}

static void test_a_runner_started_before_its_database_waits_and_then_works(void)
{
    PGconn *db = tpg_connect(conninfo);
    CU_ASSERT_PTR_NOT_NULL_FATAL(db);
    CU_ASSERT(tpg_ok(db, "select o2c.define_workflow('early', '{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\","
                         "\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}'::jsonb)", 0, NULL));
    CU_ASSERT(tpg_ok(db, "select o2c.start('early', 'e-' || g) from generate_series(1, 3) g", 0, NULL));
    PQfinish(db);
    CU_ASSERT_FATAL(cluster("stop", NULL, 0) == 0);

    const char *args[] = {"--until-idle", "--idle-horizon-seconds", "0", "--db-wait-seconds", "120", NULL};
    pid_t runner = tproc_runner(conninfo, logs, args);
    CU_ASSERT_FATAL(runner > 0);
    tproc_sleep_ms(1500);
    int status;
    CU_ASSERT_EQUAL(waitpid(runner, &status, WNOHANG), 0); /* still waiting, not gone */
    CU_ASSERT(tproc_count_lines(logs, "does not answer yet") >= 1);
    char url[512];
    CU_ASSERT_FATAL(cluster("start", url, sizeof url) == 0);
    CU_ASSERT_EQUAL(tproc_wait(runner), 0);
    db = tpg_connect(conninfo);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'early' and status = 'done'", 0, NULL), 3);
    PQfinish(db);
}

static void test_a_database_that_never_comes_is_given_up_on_saying_so(void)
{
    CU_ASSERT_FATAL(cluster("stop", NULL, 0) == 0);
    const char *args[] = {"--until-idle", "--db-wait-seconds", "1", NULL};
    int before = tproc_count_lines(logs, "cannot connect to PostgreSQL");
    CU_ASSERT_NOT_EQUAL(tproc_wait(tproc_runner(conninfo, logs, args)), 0);
    CU_ASSERT(tproc_count_lines(logs, "cannot connect to PostgreSQL") > before);
    char url[512];
    CU_ASSERT(cluster("start", url, sizeof url) == 0);
}

static CU_TestInfo tests[] = {
    {"a runner started before its database waits for it with backoff, then works",
     test_a_runner_started_before_its_database_waits_and_then_works},
    {"a database that never comes is given up on after --db-wait-seconds, saying so",
     test_a_database_that_never_comes_is_given_up_on_saying_so},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runner start", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_runner_start", suites); }
