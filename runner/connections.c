#include "runner/connections.h"

#include "runner/log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct entry {
    char *name, *system, *base_url, *secret_env;
};

struct o2c_connections {
    struct entry *entries;
    int count;
    time_t loaded_at;
};

o2c_connections *o2c_connections_new(void) { return calloc(1, sizeof(o2c_connections)); }

static void clear(o2c_connections *c)
{
    for (int i = 0; i < c->count; i++) {
        free(c->entries[i].name);
        free(c->entries[i].system);
        free(c->entries[i].base_url);
        free(c->entries[i].secret_env);
    }
    free(c->entries);
    c->entries = NULL;
    c->count = 0;
}

void o2c_connections_free(o2c_connections *c)
{
    if (!c)
        return;
    clear(c);
    free(c);
}

static void reload(o2c_connections *c, o2c_db *db)
{
    PGresult *res = o2c_db_run(db, "connection", "load", 0, NULL);
    if (!res) {
        o2c_logf(O2C_LOG_ERROR, "loading connections failed: %s", o2c_db_error(db));
        return;
    }
    clear(c);
    int rows = PQntuples(res);
    c->entries = calloc((size_t)(rows ? rows : 1), sizeof *c->entries);
    if (!c->entries)
        abort();
    for (int i = 0; i < rows; i++) {
        c->entries[i].name = strdup(PQgetvalue(res, i, 0));
        c->entries[i].system = strdup(PQgetvalue(res, i, 1));
        c->entries[i].base_url = strdup(PQgetvalue(res, i, 2));
        c->entries[i].secret_env = strdup(PQgetvalue(res, i, 3));
    }
    c->count = rows;
    c->loaded_at = time(NULL);
    PQclear(res);
}

static const struct entry *find(const o2c_connections *c, const char *name)
{
    for (int i = 0; i < c->count; i++)
        if (strcmp(c->entries[i].name, name) == 0)
            return &c->entries[i];
    return NULL;
}

int o2c_connections_attach(o2c_connections *c, o2c_db *db, struct o2c_step *step)
{
    if (!step->connection || !step->connection[0])
        return 0;
    const struct entry *e = find(c, step->connection);
    if (!e || time(NULL) - c->loaded_at >= 30) {
        reload(c, db);
        e = find(c, step->connection);
    }
    if (!e)
        return -1;
    step->connection_system = strdup(e->system);
    step->connection_base_url = strdup(e->base_url);
    step->connection_secrets = strdup(e->secret_env);
    return 0;
}

