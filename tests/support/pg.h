/* Database helpers for integration tests. Every helper fails the current CUnit test (and
 * returns a neutral value) on error instead of crashing, and prints PostgreSQL's message. */
#ifndef O2C_TESTS_PG_H
#define O2C_TESTS_PG_H

#include <libpq-fe.h>
#include <stddef.h>

PGconn *tpg_connect(const char *conninfo);

/* A fresh migrated database `name` (see tsup_fresh_database), its conninfo in buf, and a
 * connection to it; NULL on failure (a suite's set-up then fails, and so do its tests). */
PGconn *tpg_fresh(const char *name, char *conninfo, size_t len);

/* Runs sql with text parameters; returns the result (caller PQclear()s) or NULL on error. */
PGresult *tpg_query(PGconn *conn, const char *sql, int n, const char *const *params);

/* Runs sql and returns the first column of the first row as a number (or -1 on error/null). */
long long tpg_number(PGconn *conn, const char *sql, int n, const char *const *params);

/* Runs sql expecting an error; returns 1 if it failed and its message contains `expected`. */
int tpg_fails_with(PGconn *conn, const char *sql, int n, const char *const *params, const char *expected);

/* Polls sql (a number) every 20 ms until it answers `want`; 1, or 0 after about timeout_ms,
 * printing the query and its last answer. For waiting on runners, which work on their own. */
int tpg_wait_for(PGconn *conn, const char *sql, long long want, int timeout_ms);

/* Runs sql (one text column: a description of each row that breaks a rule) and returns how many
 * rows it answered, printing the first five under `what`; -1 on error. */
long long tpg_offenders(PGconn *conn, const char *what, const char *sql);
/* Runs sql expecting success; returns 1 if it succeeded. */
int tpg_ok(PGconn *conn, const char *sql, int n, const char *const *params);

#endif
