#include "runner/db.h"

#include "runner/log.h"
#include "runner/metrics.h"
#include "runner/queries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PREPARED 64

struct o2c_db {
    PGconn *conn;
    char prepared[MAX_PREPARED][96];
    int prepared_count;
    char error[512];
    char sqlstate[6]; /* of the last failure; "" when the server gave none (no answer at all) */
};

o2c_db *o2c_db_connect(const char *conninfo, char *err, size_t errlen)
{
    if (!conninfo || !*conninfo)
        conninfo = getenv("DATABASE_URL");
    if (!conninfo)
        conninfo = "";
    o2c_db *db = calloc(1, sizeof *db);
    if (!db) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    db->conn = PQconnectdb(conninfo);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        snprintf(err, errlen, "cannot connect to PostgreSQL: %s", PQerrorMessage(db->conn));
        err[strcspn(err, "\n")] = '\0';
        PQfinish(db->conn);
        free(db);
        return NULL;
    }
    PGresult *res = PQexec(db->conn, "set application_name = 'o2c'");
    PQclear(res);
    return db;
}

void o2c_db_close(o2c_db *db)
{
    if (!db)
        return;
    PQfinish(db->conn);
    free(db);
}

PGconn *o2c_db_conn(o2c_db *db) { return db->conn; }

const char *o2c_db_error(o2c_db *db) { return db->error; }

int o2c_db_broken(o2c_db *db) { return PQstatus(db->conn) != CONNECTION_OK; }

int o2c_db_failure_passes(o2c_db *db)
{
    const char *s = db->sqlstate;
    return o2c_db_broken(db) || !*s || strncmp(s, "08", 2) == 0 || strcmp(s, "57P01") == 0 ||
           strcmp(s, "57P02") == 0 || strcmp(s, "57P03") == 0 || strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0;
}

int o2c_db_reset(o2c_db *db)
{
    PQreset(db->conn);
    db->prepared_count = 0;
    return PQstatus(db->conn) == CONNECTION_OK ? 0 : -1;
}

static void remember_error(o2c_db *db, const char *what, const PGresult *res)
{
    atomic_fetch_add(&o2c_metrics.db_errors, 1);
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(db->sqlstate, sizeof db->sqlstate, "%s", state ? state : "");
    snprintf(db->error, sizeof db->error, "%s: %s", what, msg && *msg ? msg : "unknown error");
    db->error[strcspn(db->error, "\n")] = '\0';
}

static int is_prepared(o2c_db *db, const char *stmt)
{
    for (int i = 0; i < db->prepared_count; i++)
        if (strcmp(db->prepared[i], stmt) == 0)
            return 1;
    return 0;
}

/* Prepares table.name (once per connection) and writes its statement name into stmt. */
static int prepare(o2c_db *db, const char *table, const char *name, int nparams, char stmt[96])
{
    snprintf(stmt, 96, "%s.%s", table, name);
    if (!is_prepared(db, stmt)) {
        const char *sql = o2c_query(table, name);
        if (!sql) {
            snprintf(db->error, sizeof db->error, "no statement named %s in sql/queries/%s.sql", name, table);
            snprintf(db->sqlstate, sizeof db->sqlstate, "XX000"); /* ours, never passes */
            return -1;
        }
        PGresult *prep = PQprepare(db->conn, stmt, sql, nparams, NULL);
        if (PQresultStatus(prep) != PGRES_COMMAND_OK) {
            remember_error(db, stmt, prep);
            PQclear(prep);
            return -1;
        }
        PQclear(prep);
        if (db->prepared_count < MAX_PREPARED)
            snprintf(db->prepared[db->prepared_count++], sizeof db->prepared[0], "%s", stmt);
    }
    return 0;
}

PGresult *o2c_db_run(o2c_db *db, const char *table, const char *name, int nparams,
                     const char *const *params)
{
    char stmt[96];
    if (prepare(db, table, name, nparams, stmt) != 0)
        return NULL;
    PGresult *res = PQexecPrepared(db->conn, stmt, nparams, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        remember_error(db, stmt, res);
        PQclear(res);
        return NULL;
    }
    return res;
}

/* Reads one statement's results up to its terminating NULL; keeps the last one. */
static PGresult *read_one(PGconn *conn)
{
    PGresult *last = NULL, *res;
    while ((res = PQgetResult(conn))) {
        PQclear(last);
        last = res;
    }
    return last;
}

int o2c_db_run_in_transaction(o2c_db *db, struct o2c_db_call *calls, int ncalls)
{
    char stmts[8][96];
    if (ncalls > 8) {
        snprintf(db->error, sizeof db->error, "at most 8 statements per pipelined transaction");
        snprintf(db->sqlstate, sizeof db->sqlstate, "XX000");
        return -1;
    }
    for (int i = 0; i < ncalls; i++) {
        calls[i].result = NULL;
        if (prepare(db, calls[i].table, calls[i].name, calls[i].nparams, stmts[i]) != 0)
            return -1;
    }
    PGconn *conn = db->conn;
    if (!PQenterPipelineMode(conn)) {
        remember_error(db, "pipeline mode", NULL);
        return -1;
    }
    int sent = PQsendQueryParams(conn, "begin", 0, NULL, NULL, NULL, NULL, 0);
    for (int i = 0; i < ncalls && sent; i++)
        sent = PQsendQueryPrepared(conn, stmts[i], calls[i].nparams, calls[i].params, NULL, NULL, 0);
    sent = sent && PQsendQueryParams(conn, "commit", 0, NULL, NULL, NULL, NULL, 0) && PQpipelineSync(conn);

    int failed = !sent;
    if (!sent)
        remember_error(db, "sending a pipelined transaction", NULL);
    /* Read everything that was sent, whatever happened, so the connection is clean again. */
    for (int i = -1; i <= ncalls && sent; i++) {
        PGresult *res = read_one(conn);
        ExecStatusType st = PQresultStatus(res);
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            if (!failed)
                remember_error(db, i >= 0 && i < ncalls ? stmts[i] : (i < 0 ? "begin" : "commit"), res);
            failed = 1;
            PQclear(res);
        } else if (i >= 0 && i < ncalls) {
            calls[i].result = res;
        } else {
            PQclear(res);
        }
    }
    if (sent) {
        PGresult *sync = PQgetResult(conn); /* PGRES_PIPELINE_SYNC */
        PQclear(sync);
    }
    PQexitPipelineMode(conn);
    if (failed) {
        for (int i = 0; i < ncalls; i++) {
            PQclear(calls[i].result);
            calls[i].result = NULL;
        }
        /* A failed statement leaves the transaction aborted (its commit was skipped). */
        if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
            PQclear(PQexec(conn, "rollback"));
        return -1;
    }
    return 0;
}
