/* A PostgreSQL session for the engine: connects with a URL/conninfo (or libpq's PG* variables
 * when none is given) and runs the named statements of sql/queries/ as prepared statements,
 * preparing each on first use. Not thread-safe: one o2c_db per thread. */
#ifndef O2C_DB_H
#define O2C_DB_H

#include <libpq-fe.h>

typedef struct o2c_db o2c_db;

/* conninfo NULL or "" means $DATABASE_URL, then libpq's defaults (PGHOST, PGDATABASE, ...).
 * Returns NULL and writes why into err on failure. */
o2c_db *o2c_db_connect(const char *conninfo, char *err, size_t errlen);
void o2c_db_close(o2c_db *db);
PGconn *o2c_db_conn(o2c_db *db);

/* Runs the named statement (table, name as in o2c_query) with text parameters (NULL = SQL null).
 * Returns a result the caller PQclear()s when it is TUPLES_OK or COMMAND_OK; otherwise NULL,
 * after logging the error, which o2c_db_error() then describes. */
PGresult *o2c_db_run(o2c_db *db, const char *table, const char *name, int nparams,
                     const char *const *params);
const char *o2c_db_error(o2c_db *db);

/* One statement of a pipelined transaction. */
struct o2c_db_call {
    const char *table, *name;
    int nparams;
    const char *const *params;
    PGresult *result; /* set by o2c_db_run_in_transaction on success; the caller PQclear()s it */
};

/* Runs the calls in one transaction and one round trip (libpq pipeline mode). All or nothing:
 * returns 0 with every call's result set, or -1 (transaction rolled back, no results, error
 * in o2c_db_error()). */
int o2c_db_run_in_transaction(o2c_db *db, struct o2c_db_call *calls, int ncalls);

/* Was the last failure a broken connection (as opposed to an SQL error)? */
int o2c_db_broken(o2c_db *db);

/* Will the last failure pass if the statement is tried again later: a broken connection, no
 * answer from the server at all, a connection exception (SQLSTATE 08…), the server shutting down
 * or starting (57P01-57P03), a serialization failure or deadlock (40001, 40P01)? An SQL error of
 * the statement itself (a bug, bad data) does not pass. */
int o2c_db_failure_passes(o2c_db *db);

/* Re-establishes a broken connection; prepared statements are prepared again on next use. */
int o2c_db_reset(o2c_db *db);

#endif
