/* o2c import-settlement FILE...: each file in its own transaction, its lines normalised and COPYed
 * into the session's temporary pg_temp.settlement_file_line, read set-based by
 * o2c.settlement_load_read (with the md5 the reader computed while streaming), the new amount lines
 * COPYed out of pg_temp.settlement_new_line into a temporary file and back in into
 * o2c.canonical_settlement_line (COPY writes through a small ring of shared buffers, where an
 * INSERT of 500,000 lines would take a page of shared buffers for each page it writes), then
 * checked and turned into journals by o2c.settlement_load_check (sql/api/settlement.sql). */
#include "tools/cli/import_settlement.h"

#include "connectors/common/settlement_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int copy_sink(void *ctx, const char *data, size_t len)
{
    return PQputCopyData(ctx, data, (int)len) == 1 ? 0 : 1;
}

#define CANONICAL_COLUMNS "(channel, settlement_id, line_no, transaction_type, amount_type, description, amount, " \
                          "currency, posted_at, order_reference)"

/* pg_temp.settlement_new_line → o2c.canonical_settlement_line through a temporary file, in COPY's
 * binary format (no amount or time turned into text and read back). 0 = done. */
static int copy_new_lines(PGconn *conn)
{
    FILE *spool = tmpfile();
    if (!spool)
        return -1;
    int status = -1;
    PGresult *r = PQexec(conn, "copy pg_temp.settlement_new_line " CANONICAL_COLUMNS " to stdout (format binary)");
    int copying = PQresultStatus(r) == PGRES_COPY_OUT;
    PQclear(r);
    if (!copying)
        goto out;
    char *row;
    int n, written = 1;
    while ((n = PQgetCopyData(conn, &row, 0)) > 0) {
        written = written && fwrite(row, 1, (size_t)n, spool) == (size_t)n;
        PQfreemem(row);
    }
    r = PQgetResult(conn);
    copying = n == -1 && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    while ((r = PQgetResult(conn)))
        PQclear(r);
    if (!copying || !written || fflush(spool) != 0 || fseek(spool, 0, SEEK_SET) != 0)
        goto out;
    r = PQexec(conn, "copy o2c.canonical_settlement_line " CANONICAL_COLUMNS " from stdin (format binary)");
    copying = PQresultStatus(r) == PGRES_COPY_IN;
    PQclear(r);
    if (!copying)
        goto out;
    static char chunk[1 << 16];
    size_t got;
    int sent = 1;
    while (sent && (got = fread(chunk, 1, sizeof chunk, spool)) > 0)
        sent = PQputCopyData(conn, chunk, (int)got) == 1;
    if (PQputCopyEnd(conn, sent && !ferror(spool) ? NULL : "reading the spooled lines failed") != 1)
        goto out;
    r = PQgetResult(conn);
    status = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
    PQclear(r);
    while ((r = PQgetResult(conn)))
        PQclear(r);
out:
    fclose(spool);
    return status;
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
    FILE *file = fopen(path, "rb");
    if (!file) {
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
    r = PQexec(conn, "copy pg_temp.settlement_file_line (load_id, line_no, line) from stdin");
    if (PQresultStatus(r) != PGRES_COPY_IN)
        goto fail;
    PQclear(r);
    r = NULL;
    /* The file in pieces: o2c holds one piece and one line, whatever the file's size. */
    char digest[33] = "";
    o2c_settlement_reader *reader = o2c_settlement_reader_new(load_id, copy_sink, conn);
    static char piece[1 << 20];
    size_t got;
    int fed = reader != NULL;
    while (fed && (got = fread(piece, 1, sizeof piece, file)) > 0)
        fed = o2c_settlement_reader_feed(reader, piece, got) == 0;
    long lines = o2c_settlement_reader_finish(reader, digest);
    const char *stop = ferror(file) ? "reading the file failed" : lines < 0 ? "copy stopped" : NULL;
    if (stop)
        fprintf(stderr, "o2c import-settlement %s: %s\n", path, stop);
    if (PQputCopyEnd(conn, stop) != 1 || stop)
        goto fail;
    r = PQgetResult(conn);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        goto fail;
    PQclear(r);
    while ((r = PQgetResult(conn)))
        PQclear(r);
    char id[32];
    snprintf(id, sizeof id, "%lld", load_id);
    const char *params[] = {id, path, digest};
    r = PQexecParams(conn, "select count(*) filter (where status = 'new') from o2c.settlement_load_read($1::bigint, $2, $3)",
                     3, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        goto fail;
    int new_settlements = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    r = NULL;
    if (new_settlements > 0 && copy_new_lines(conn) != 0)
        goto fail;
    r = PQexec(conn, "select channel, settlement_id, status, coalesce(message, '') from o2c.settlement_load_check()");
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
    fclose(file);
    return status;
}

int o2c_cli_import_settlement(PGconn *conn, int nfiles, char **files)
{
    /* The temporary tables are read in passes, never at random: a small pool of local buffers
     * (instead of the default 8 MB) costs no time and keeps the backend smaller. Settable only
     * before the session's first temporary table; ignored if it cannot be. */
    PQclear(PQexec(conn, "set temp_buffers = '2MB'"));
    int status = 0;
    for (int i = 0; i < nfiles; i++)
        status |= import_one(conn, files[i]);
    return status;
}
