#include "tests/support/pg.h"

#include "tests/support/harness.h"
#include "tests/support/proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

PGconn *tpg_connect(const char *conninfo)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "tests: cannot connect: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    PQclear(PQexec(conn, "set client_min_messages = warning"));
    return conn;
}

PGconn *tpg_fresh(const char *name, char *conninfo, size_t len)
{
    if (tsup_fresh_database(name, conninfo, len) != 0)
        return NULL;
    return tpg_connect(conninfo);
}

PGresult *tpg_query(PGconn *conn, const char *sql, int n, const char *const *params)
{
    if (!conn)
        return NULL;
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        fprintf(stderr, "tests: %s\n  -> %s", sql, PQresultErrorMessage(res));
        PQclear(res);
        return NULL;
    }
    return res;
}

long long tpg_number(PGconn *conn, const char *sql, int n, const char *const *params)
{
    PGresult *res = tpg_query(conn, sql, n, params);
    if (!res)
        return -1;
    long long v = -1;
    if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return v;
}

int tpg_fails_with(PGconn *conn, const char *sql, int n, const char *const *params, const char *expected)
{
    if (!conn)
        return 0;
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    int failed = st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK;
    int matches = failed && strstr(PQresultErrorMessage(res), expected) != NULL;
    if (!matches)
        fprintf(stderr, "tests: expected \"%s\" to fail with \"%s\", got: %s\n", sql, expected,
                failed ? PQresultErrorMessage(res) : "success");
    PQclear(res);
    return matches;
}

int tpg_ok(PGconn *conn, const char *sql, int n, const char *const *params)
{
    PGresult *res = tpg_query(conn, sql, n, params);
    PQclear(res);
    return res != NULL;
}

int tpg_wait_for(PGconn *conn, const char *sql, long long want, int timeout_ms)
{
    long long last = -1;
    for (int waited = 0; waited <= timeout_ms; waited += 20) {
        if ((last = tpg_number(conn, sql, 0, NULL)) == want)
            return 1;
        tproc_sleep_ms(20);
    }
    fprintf(stderr, "timed out waiting for %lld from: %s (last %lld)\n", want, sql, last);
    return 0;
}

long long tpg_offenders(PGconn *conn, const char *what, const char *sql)
{
    PGresult *r = tpg_query(conn, sql, 0, NULL);
    if (!r)
        return -1;
    long long n = PQntuples(r);
    for (int i = 0; i < n && i < 5; i++)
        fprintf(stderr, "  %s: %s\n", what, PQgetvalue(r, i, 0));
    PQclear(r);
    return n;
}
