#include "runner/queries.h"

#include "runner/sql_files.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct named_query {
    char key[128]; /* "<table>.<name>" */
    char *text;
};

static struct named_query *queries;
static size_t query_count;
static pthread_once_t parsed = PTHREAD_ONCE_INIT;

static void add_query(const char *table, const char *name, size_t name_len, const char *body, size_t body_len)
{
    struct named_query *grown = realloc(queries, (query_count + 1) * sizeof *queries);
    if (!grown)
        abort(); /* out of memory while loading our own statements: nothing sensible to do */
    queries = grown;
    struct named_query *q = &queries[query_count++];
    snprintf(q->key, sizeof q->key, "%s.%.*s", table, (int)name_len, name);
    while (body_len > 0 && (body[body_len - 1] == '\n' || body[body_len - 1] == ' '))
        body_len--;
    q->text = strndup(body, body_len);
    if (!q->text)
        abort();
}

static void parse_file(const struct o2c_sql_file *file)
{
    static const char prefix[] = "sql/queries/";
    char table[64];
    const char *base = file->path + strlen(prefix);
    const char *dot = strrchr(base, '.');
    snprintf(table, sizeof table, "%.*s", (int)(dot ? dot - base : (long)strlen(base)), base);

    static const char marker[] = "-- name: ";
    const char *at = strstr(file->text, marker);
    while (at) {
        const char *name = at + strlen(marker);
        const char *eol = strchr(name, '\n');
        if (!eol)
            break;
        const char *next = strstr(eol, marker);
        const char *end = next ? next : eol + strlen(eol);
        /* The statement ends before the comment lines that introduce the next one. */
        const char *stop = end;
        while (stop > eol + 1) {
            const char *line = stop - 1;
            while (line > eol + 1 && line[-1] != '\n')
                line--;
            if (strncmp(line, "--", 2) == 0 || line[0] == '\n')
                stop = line;
            else
                break;
        }
        add_query(table, name, (size_t)(eol - name), eol + 1, (size_t)(stop - (eol + 1)));
        at = next;
    }
}

static void parse_all(void)
{
    for (size_t i = 0; i < o2c_sql_file_count; i++)
        if (strncmp(o2c_sql_files[i].path, "sql/queries/", 12) == 0)
            parse_file(&o2c_sql_files[i]);
}

const char *o2c_query(const char *table, const char *name)
{
    pthread_once(&parsed, parse_all);
    char key[128];
    snprintf(key, sizeof key, "%s.%s", table, name);
    for (size_t i = 0; i < query_count; i++)
        if (strcmp(queries[i].key, key) == 0)
            return queries[i].text;
    return NULL;
}
