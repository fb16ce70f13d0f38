/* o2c import-settlement FILE...: each file in its own transaction, its lines COPYed into
 * o2c.settlement_staging and read by o2c.settlement_load (set-based, in SQL). */
#include "tools/cli/import_settlement.h"

#include "connectors/common/settlement_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int copy_sink(void *ctx, const char *data, size_t len)
{
    return PQputCopyData(ctx, data, (int)len) == 1 ? 0 : 1;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
            }
            buf = bigger;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static int simple(PGconn *conn, const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok;
}

static int import_one(PGconn *conn, const char *path)
{
    size_t len = 0;
    char *data = read_all(path, &len);
    if (!data) {
        fprintf(stderr, "o2c import-settlement: cannot read %s\n", path);
        return 1;
    }
    int status = 1;
    PGresult *r = NULL;
    if (!simple(conn, "begin"))
        goto out;
    r = PQexec(conn, "select o2c.settlement_load_begin()");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        goto fail;
    long long load_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    r = PQexec(conn, "copy o2c.settlement_staging (load_id, line_no, line) from stdin");
    if (PQresultStatus(r) != PGRES_COPY_IN)
        goto fail;
    PQclear(r);
    r = NULL;
    long lines = o2c_settlement_copy_rows(data, len, load_id, copy_sink, conn);
    if (PQputCopyEnd(conn, lines < 0 ? "copy stopped" : NULL) != 1)
        goto fail;
    r = PQgetResult(conn);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        goto fail;
    PQclear(r);
    while ((r = PQgetResult(conn)))
        PQclear(r);
    char id[32];
    snprintf(id, sizeof id, "%lld", load_id);
    const char *params[] = {id, path};
    r = PQexecParams(conn, "select channel, settlement_id, status, coalesce(message, '') "
                           "from o2c.settlement_load($1::bigint, $2)", 2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        goto fail;
    for (int i = 0; i < PQntuples(r); i++)
        printf("%s: %s %s %s%s%s\n", path, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
               *PQgetvalue(r, i, 3) ? " — " : "", PQgetvalue(r, i, 3));
    PQclear(r);
    r = NULL;
    status = simple(conn, "commit") ? 0 : 1;
    goto out;
fail:
    fprintf(stderr, "o2c import-settlement %s: %s", path, PQerrorMessage(conn));
    PQclear(r);
    r = NULL;
    while ((r = PQgetResult(conn)))
        PQclear(r);
    simple(conn, "rollback");
out:
    free(data);
    return status;
}

int o2c_cli_import_settlement(PGconn *conn, int nfiles, char **files)
{
    int status = 0;
    for (int i = 0; i < nfiles; i++)
        status |= import_one(conn, files[i]);
    return status;
}
