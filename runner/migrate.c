#include "runner/migrate.h"

#include "runner/queries.h"
#include "runner/sql_files.h"

#include <stdio.h>
#include <string.h>

static int run_script(PGconn *conn, const char *sql, char *err, size_t errlen, const char *what)
{
    PGresult *res = PQexec(conn, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok) {
        snprintf(err, errlen, "%s: %s", what, PQresultErrorMessage(res));
        err[strcspn(err, "\n")] = '\0';
    }
    PQclear(res);
    return ok ? 0 : -1;
}

static const char *kind_of(const char *path)
{
    if (strncmp(path, "sql/migrations/", 15) == 0)
        return "migration";
    if (strncmp(path, "sql/api/", 8) == 0)
        return "api";
    if (strncmp(path, "workflows/", 10) == 0)
        return "workflow";
    return NULL;
}

/* 1 = apply, 0 = up to date, -1 = error. */
static int needs_applying(o2c_db *db, const struct o2c_sql_file *f, const char *kind, char *err, size_t errlen)
{
    const char *params[] = {f->path, f->text};
    PGresult *res = o2c_db_run(db, "schema_migration", "applied_checksum", 2, params);
    if (!res) {
        snprintf(err, errlen, "%s", o2c_db_error(db));
        return -1;
    }
    int answer = 1;
    if (PQntuples(res) == 1) {
        int same = strcmp(PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1)) == 0;
        if (same) {
            answer = 0;
        } else if (strcmp(kind, "migration") == 0) {
            snprintf(err, errlen, "%s was changed after it was applied; migrations only move forward: "
                                  "put the change in a new numbered migration", f->path);
            answer = -1;
        }
    }
    PQclear(res);
    return answer;
}

static int apply(o2c_db *db, const struct o2c_sql_file *f, const char *kind, char *err, size_t errlen)
{
    PGconn *conn = o2c_db_conn(db);
    if (run_script(conn, "begin", err, errlen, f->path) != 0)
        return -1;
    if (run_script(conn, f->text, err, errlen, f->path) != 0) {
        PQclear(PQexec(conn, "rollback"));
        return -1;
    }
    const char *params[] = {f->path, kind, f->text};
    PGresult *res = o2c_db_run(db, "schema_migration", "record", 3, params);
    if (!res) {
        snprintf(err, errlen, "%s", o2c_db_error(db));
        PQclear(PQexec(conn, "rollback"));
        return -1;
    }
    PQclear(res);
    return run_script(conn, "commit", err, errlen, f->path);
}

int o2c_migrate(o2c_db *db, bool verbose, char *err, size_t errlen)
{
    PGconn *conn = o2c_db_conn(db);
    PGresult *res = o2c_db_run(db, "schema_migration", "lock", 0, NULL);
    if (!res) {
        snprintf(err, errlen, "%s", o2c_db_error(db));
        return -1;
    }
    PQclear(res);
    int applied = 0;
    if (run_script(conn, o2c_query("schema_migration", "bootstrap"), err, errlen, "bootstrap") != 0) {
        applied = -1;
        goto unlock;
    }
    /* Migrations first, then the API that stands on them, then the pipelines that use both.
     * o2c_sql_files is sorted by path, so each group is already in order. */
    static const char *const order[] = {"migration", "api", "workflow"};
    for (size_t k = 0; k < 3 && applied >= 0; k++) {
        for (size_t i = 0; i < o2c_sql_file_count; i++) {
            const struct o2c_sql_file *f = &o2c_sql_files[i];
            const char *kind = kind_of(f->path);
            if (!kind || strcmp(kind, order[k]) != 0)
                continue;
            int need = needs_applying(db, f, kind, err, errlen);
            if (need < 0 || (need == 1 && apply(db, f, kind, err, errlen) != 0)) {
                applied = -1;
                break;
            }
            if (need == 1) {
                applied++;
                if (verbose)
                    printf("applied %s\n", f->path);
            }
        }
    }
    /* Whatever was applied, every function ends up owned by o2c_owner, never by the migrator. */
    if (applied >= 0 && run_script(conn, o2c_query("schema_migration", "hand_to_owner"), err, errlen, "hand_to_owner") != 0)
        applied = -1;
unlock:
    res = o2c_db_run(db, "schema_migration", "unlock", 0, NULL);
    PQclear(res);
    return applied;
}
