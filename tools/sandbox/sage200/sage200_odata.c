/* OData query options on a Sage 200 collection, validated as strictly as o2c may rely on:
 *   $filter   <field> <op> <literal> [and …]; op eq ne gt ge lt le; the field a documented scalar
 *             of the entity; a string literal in single quotes ('' for a quote) for string
 *             fields, digits for integers, a decimal for numbers, true/false, an unquoted
 *             date-time (2026-11-01T09:52:11Z) for dates
 *   $orderby  <field> [asc|desc], …
 *   $top      0..5000 (default 500)
 *   $skip     ≥ 0, only with $orderby
 *   $select   documented fields, comma-separated
 * Any other option, a repeated one, or a plain query parameter → 400. */
#include "tools/sandbox/sage200/sage200.h"
#include "tools/sandbox/framework/money.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TERMS 8
#define MAX_ORDER 4
#define MAX_SELECT 64

typedef struct term {
    const sg_field *field;
    char op[8];
    char literal[256]; /* the value, unquoted */
} term;

typedef struct query {
    term terms[MAX_TERMS];
    int n_terms;
    const sg_field *order[MAX_ORDER];
    bool desc[MAX_ORDER];
    int n_order;
    const sg_field *select[MAX_SELECT];
    int n_select;
    long top, skip;
} query;

static bool bad(sb_response *res, const char *fmt, const char *arg)
{
    sg_error(res, 400, NULL, fmt, arg);
    return false;
}

static const char *skip_spaces(const char *p)
{
    while (*p == ' ')
        p++;
    return p;
}

/* A name: letters, digits, '_'. */
static const char *read_name(const char *p, char *out, size_t len)
{
    size_t n = 0;
    while ((isalnum((unsigned char)*p) || *p == '_') && n + 1 < len)
        out[n++] = *p++;
    out[n] = '\0';
    return p;
}

static bool literal_fits(const sg_field *f, const char *lit, bool quoted)
{
    if (f->kind == SG_STRING)
        return quoted;
    if (quoted)
        return false;
    if (f->kind == SG_DATE)
        return sb_parse_time(lit) >= 0;
    if (f->kind == SG_BOOLEAN)
        return strcmp(lit, "true") == 0 || strcmp(lit, "false") == 0;
    if (f->kind == SG_INTEGER) {
        char *end;
        strtoll(lit, &end, 10);
        return *lit && *end == '\0';
    }
    if (f->kind == SG_NUMBER) {
        int64_t v;
        return sb_money_parse(lit, 5, &v);
    }
    return false;
}

static bool parse_filter(const sg_entity *e, const char *text, query *q, sb_response *res)
{
    const char *p = skip_spaces(text);
    for (;;) {
        if (q->n_terms == MAX_TERMS)
            return bad(res, "The query specified in the URI is not valid: $filter has too many terms (%s).", text);
        term *t = &q->terms[q->n_terms++];
        char name[64], op[8];
        p = read_name(p, name, sizeof name);
        t->field = sg_field_find(e, name);
        if (!*name || !t->field || t->field->kind == SG_OTHER)
            return bad(res, "The query specified in the URI is not valid. Could not find a property named '%s' to filter on.", name);
        if (*p != ' ')
            return bad(res, "The query specified in the URI is not valid: syntax error in $filter '%s'.", text);
        p = read_name(skip_spaces(p), op, sizeof op);
        if (strcmp(op, "eq") && strcmp(op, "ne") && strcmp(op, "gt") && strcmp(op, "ge") && strcmp(op, "lt") && strcmp(op, "le"))
            return bad(res, "The query specified in the URI is not valid: unknown operator '%s'.", op);
        snprintf(t->op, sizeof t->op, "%s", op);
        p = skip_spaces(p);
        bool quoted = *p == '\'';
        size_t n = 0;
        if (quoted) {
            p++;
            for (;;) {
                if (!*p)
                    return bad(res, "The query specified in the URI is not valid: unterminated string literal in '%s'.", text);
                if (*p == '\'' && p[1] == '\'') {
                    p += 2;
                    if (n + 1 < sizeof t->literal)
                        t->literal[n++] = '\'';
                    continue;
                }
                if (*p == '\'') {
                    p++;
                    break;
                }
                if (n + 1 >= sizeof t->literal)
                    return bad(res, "The query specified in the URI is not valid: literal too long in '%s'.", text);
                t->literal[n++] = *p++;
            }
        } else {
            while (*p && *p != ' ' && n + 1 < sizeof t->literal)
                t->literal[n++] = *p++;
        }
        t->literal[n] = '\0';
        if (!literal_fits(t->field, t->literal, quoted))
            return bad(res, "The query specified in the URI is not valid. A literal of the wrong type is compared with '%s'.",
                       t->field->name);
        p = skip_spaces(p);
        if (!*p)
            return true;
        char joiner[8];
        p = read_name(p, joiner, sizeof joiner);
        if (strcmp(joiner, "and") != 0 || *p != ' ')
            return bad(res, "The query specified in the URI is not valid: only 'and' joins $filter terms ('%s').", text);
        p = skip_spaces(p);
    }
}

static bool parse_list(const sg_entity *e, const char *text, query *q, bool order, sb_response *res)
{
    char *copy = strdup(text), *save = NULL;
    bool ok = true;
    for (char *item = strtok_r(copy, ",", &save); item && ok; item = strtok_r(NULL, ",", &save)) {
        char name[64], dir[8] = "";
        const char *p = read_name(skip_spaces(item), name, sizeof name);
        if (order && *p == ' ')
            p = read_name(skip_spaces(p), dir, sizeof dir);
        p = skip_spaces(p);
        const sg_field *f = sg_field_find(e, name);
        if (!f || *p || (order && *dir && strcmp(dir, "asc") && strcmp(dir, "desc")) || (order && f->kind == SG_OTHER)) {
            ok = bad(res, "The query specified in the URI is not valid. Could not find a property named '%s'.", name);
        } else if (order) {
            if (q->n_order == MAX_ORDER)
                ok = bad(res, "The query specified in the URI is not valid: too many $orderby fields (%s).", text);
            else {
                q->desc[q->n_order] = strcmp(dir, "desc") == 0;
                q->order[q->n_order++] = f;
            }
        } else if (q->n_select < MAX_SELECT) {
            q->select[q->n_select++] = f;
        }
    }
    free(copy);
    return ok;
}

static bool parse_count(const char *text, long max, long *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < 0 || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_query(const sg_entity *e, const sb_request *req, query *q, sb_response *res)
{
    memset(q, 0, sizeof *q);
    q->top = 500;
    bool seen[5] = {false};
    static const char *const options[] = {"$filter", "$orderby", "$top", "$skip", "$select"};
    const char *p = req->query ? req->query : "";
    char key[64], value[2048];
    while (*p) {
        size_t seg = strcspn(p, "&");
        const char *eq = memchr(p, '=', seg);
        size_t klen = eq ? (size_t)(eq - p) : seg;
        if (!sb_url_decode(p, klen, key, sizeof key) ||
            !sb_url_decode(eq ? eq + 1 : p + seg, eq ? seg - klen - 1 : 0, value, sizeof value))
            return bad(res, "The query string could not be read (%s).", "bad escape or too long");
        int which = -1;
        for (int i = 0; i < 5; i++)
            if (strcmp(key, options[i]) == 0)
                which = i;
        if (which < 0)
            return bad(res, "The query parameter '%s' is not supported.", key);
        if (seen[which])
            return bad(res, "The query option '%s' was given more than once.", key);
        seen[which] = true;
        bool ok = true;
        switch (which) {
        case 0: ok = parse_filter(e, value, q, res); break;
        case 1: ok = parse_list(e, value, q, true, res); break;
        case 2: ok = parse_count(value, 5000, &q->top) ||
                     bad(res, "The limit of '5000' for Top query has been exceeded or $top is not a number ('%s').", value);
                break;
        case 3: ok = parse_count(value, 1L << 40, &q->skip) || bad(res, "$skip must be a whole number ('%s').", value); break;
        case 4: ok = parse_list(e, value, q, false, res); break;
        }
        if (!ok)
            return false;
        p += seg;
        if (*p == '&')
            p++;
    }
    if (seen[3] && !seen[1])
        return bad(res, "The query specified in the URI is not valid. %s", "$skip requires $orderby.");
    return true;
}

/* -1, 0, 1: the entity's value of f against a literal (or another entity's value). */
static int compare_values(const sg_field *f, json_object *v, const char *lit)
{
    if (!v || json_object_is_type(v, json_type_null))
        return lit ? -1 : 0;
    switch (f->kind) {
    case SG_INTEGER: {
        long long a = json_object_get_int64(v), b = strtoll(lit, NULL, 10);
        return a < b ? -1 : a > b;
    }
    case SG_NUMBER: {
        int64_t a = 0, b = 0;
        sb_money_from_json(v, 5, &a);
        sb_money_parse(lit, 5, &b);
        return a < b ? -1 : a > b;
    }
    case SG_DATE: {
        double a = sb_parse_time(json_object_get_string(v)), b = sb_parse_time(lit);
        return a < b ? -1 : a > b;
    }
    case SG_BOOLEAN:
        return json_object_get_boolean(v) - (strcmp(lit, "true") == 0);
    default: {
        int c = strcmp(json_object_get_string(v), lit);
        return c < 0 ? -1 : c > 0;
    }
    }
}

static bool matches(const query *q, json_object *o)
{
    for (int i = 0; i < q->n_terms; i++) {
        const term *t = &q->terms[i];
        json_object *v = NULL;
        json_object_object_get_ex(o, t->field->name, &v);
        if (!v && strcmp(t->op, "ne") != 0)
            return false;
        int c = v ? compare_values(t->field, v, t->literal) : 1;
        bool ok = !strcmp(t->op, "eq") ? c == 0 : !strcmp(t->op, "ne") ? c != 0 : !strcmp(t->op, "gt") ? c > 0
                : !strcmp(t->op, "ge") ? c >= 0 : !strcmp(t->op, "lt") ? c < 0 : c <= 0;
        if (!ok)
            return false;
    }
    return true;
}

static const query *sort_query;

static int by_order(const void *a, const void *b)
{
    json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
    for (int i = 0; i < sort_query->n_order; i++) {
        const sg_field *f = sort_query->order[i];
        json_object *vx = NULL, *vy = NULL;
        json_object_object_get_ex(x, f->name, &vx);
        json_object_object_get_ex(y, f->name, &vy);
        int c = !vx ? (vy ? -1 : 0) : !vy ? 1 : compare_values(f, vx, json_object_get_string(vy));
        if (c)
            return sort_query->desc[i] ? -c : c;
    }
    return 0;
}

static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;

void sg_odata_list(sg_state *sg, enum sg_collection c, const sb_request *req, sb_response *res)
{
    query q;
    if (!parse_query(sg_collection_entity(c), req, &q, res))
        return;
    json_object *all = sg->records[c];
    size_t n = json_object_array_length(all), kept = 0;
    json_object **rows = calloc(n ? n : 1, sizeof *rows);
    for (size_t i = 0; i < n; i++)
        if (matches(&q, json_object_array_get_idx(all, i)))
            rows[kept++] = json_object_array_get_idx(all, i);
    /* The despatch views' default order is the spec's: newest despatch first. */
    if (!q.n_order && (c == SG_DESPATCH_VIEWS || c == SG_DESPATCH_LINE_VIEWS))
        for (size_t i = 0; i < kept / 2; i++) {
            json_object *t = rows[i];
            rows[i] = rows[kept - 1 - i];
            rows[kept - 1 - i] = t;
        }
    if (q.n_order) {
        pthread_mutex_lock(&sort_lock);
        sort_query = &q;
        qsort(rows, kept, sizeof *rows, by_order);
        pthread_mutex_unlock(&sort_lock);
    }
    json_object *out = json_object_new_array();
    for (size_t i = (size_t)q.skip; i < kept && (long)json_object_array_length(out) < q.top; i++) {
        if (!q.n_select) {
            json_object_array_add(out, json_object_get(rows[i]));
            continue;
        }
        json_object *o = json_object_new_object(), *v;
        for (int s = 0; s < q.n_select; s++)
            if (json_object_object_get_ex(rows[i], q.select[s]->name, &v))
                json_object_object_add(o, q.select[s]->name, json_object_get(v));
        json_object_array_add(out, o);
    }
    free(rows);
    sb_respond_json(res, 200, out);
    json_object_put(out);
}
