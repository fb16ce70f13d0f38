#include "tests/support/mappings.h"
#include "tests/support/pg.h"

#include <stdio.h>
#include <stdlib.h>

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (text && fread(text, 1, (size_t)n, f) == (size_t)n)
        text[n] = 0;
    else {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

int tsup_load_mappings_file(PGconn *db, const tsb_sandbox *erp, const char *file, json_object **seed_out)
{
    char url[160];
    snprintf(url, sizeof url, "%s/_sandbox/seed", erp->base);
    tsb_response res;
    if (tsb_http("GET", url, NULL, NULL, 0, &res) != 0 || res.status != 200) {
        fprintf(stderr, "set-up: no seed from the ERP sandbox at %s\n", erp->base);
        tsb_response_free(&res);
        return -1;
    }
    const char *p[] = {res.body};
    int ok = tpg_ok(db, "select set_config('o2c.seed', $1, false)", 1, p);
    if (ok && seed_out)
        *seed_out = tsb_json(&res);
    tsb_response_free(&res);
    char *sql = ok ? read_file(file) : NULL;
    if (!sql) {
        fprintf(stderr, "set-up: cannot read %s\n", file);
        return -1;
    }
    PGresult *r = PQexec(db, sql);
    free(sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "set-up: mappings: %s", PQerrorMessage(db));
    PQclear(r);
    return ok ? 0 : -1;
}

int tsup_load_nordtrail_mappings(PGconn *db, const tsb_sandbox *netsuite, json_object **seed_out)
{
    return tsup_load_mappings_file(db, netsuite, "tools/demo/nordtrail_mappings.sql", seed_out);
}
