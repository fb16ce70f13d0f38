#include "tests/support/harness.h"

#include <CUnit/Basic.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int tsup_run_suites(const char *program, CU_SuiteInfo *suites)
{
    if (CU_initialize_registry() != CUE_SUCCESS || CU_register_suites(suites) != CUE_SUCCESS) {
        fprintf(stderr, "%s: cannot set up CUnit: %s\n", program, CU_get_error_msg());
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    /* A suite whose set-up failed ran none of its tests: each of them counts as failed, or a
     * broken set-up would pass as "0 failed". */
    unsigned failed = CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    unsigned not_run = 0;
    if (CU_get_number_of_suites_failed() > 0) {
        CU_pTestRegistry registry = CU_get_registry();
        not_run = registry->uiNumberOfTests - ran;
        fprintf(stderr, "%s: %u suite(s) could not be set up; %u test(s) count as failed\n", program,
                CU_get_number_of_suites_failed(), not_run);
        failed += not_run;
        ran += not_run;
    }
    const char *counts = getenv("O2C_TEST_COUNTS");
    if (counts) {
        FILE *f = fopen(counts, "a");
        if (f) {
            fprintf(f, "%s %u %u\n", program, ran - failed, failed);
            fclose(f);
        }
    }
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

const char *tsup_bin(const char *name, char *buf, size_t len)
{
    const char *dir = getenv("O2C_BIN");
    snprintf(buf, len, "%s/%s", dir ? dir : "bin", name);
    return buf;
}

static int exec_sql(const char *conninfo, const char *sql)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "harness: cannot connect: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return -1;
    }
    PQclear(PQexec(conn, "set client_min_messages = warning"));
    PGresult *res = PQexec(conn, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "harness: %s: %s", sql, PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
    return ok ? 0 : -1;
}

int tsup_fresh_database(const char *name, char *buf, size_t len)
{
    const char *server = getenv("DATABASE_URL");
    if (!server) {
        fprintf(stderr, "harness: DATABASE_URL is not set (run the tests with tests/run)\n");
        return -1;
    }
    /* Identifiers cannot be parameters; test database names are fixed strings of the tests. */
    char sql[256];
    snprintf(sql, sizeof sql, "drop database if exists %s with (force)", name);
    if (exec_sql(server, sql) != 0)
        return -1;
    snprintf(sql, sizeof sql, "create database %s", name);
    if (exec_sql(server, sql) != 0)
        return -1;

    PQconninfoOption *opts = PQconninfoParse(server, NULL);
    if (!opts)
        return -1;
    char conninfo[1024] = "";
    size_t used = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || strcmp(o->keyword, "dbname") == 0)
            continue;
        used += (size_t)snprintf(conninfo + used, sizeof conninfo - used, "%s='%s' ", o->keyword, o->val);
    }
    PQconninfoFree(opts);
    snprintf(buf, len, "%sdbname=%s", conninfo, name);

    char bin[512];
    pid_t pid = fork();
    if (pid == 0) {
        execl(tsup_bin("o2c", bin, sizeof bin), "o2c", "--database", buf, "migrate", "--quiet", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "harness: o2c migrate failed for %s\n", name);
        return -1;
    }
    return 0;
}
