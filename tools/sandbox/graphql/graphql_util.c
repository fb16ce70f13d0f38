/* The GraphQL library's plumbing: an arena (documents and schemas die in one free, which keeps
 * every error path of the parser leak-free) and the error list in the response shape. */
#include "tools/sandbox/graphql/graphql_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct gq_block {
    struct gq_block *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
} gq_block;

struct gq_arena {
    gq_block *head;
};

gq_arena *gq_arena_new(void)
{
    gq_arena *a = calloc(1, sizeof *a);
    if (!a)
        abort();
    return a;
}

void *gq_alloc(gq_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    gq_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > 65536 ? n : 65536;
        b = malloc(sizeof *b + size);
        if (!b)
            abort();
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *gq_strndup(gq_arena *a, const char *s, size_t n)
{
    char *p = gq_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void gq_arena_free(gq_arena *a)
{
    if (!a)
        return;
    gq_block *b = a->head;
    while (b) {
        gq_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *gq_push(gq_arena *a, void **items, size_t *n, size_t size)
{
    /* Capacity doubles at powers of two; the old copy stays in the arena until it is freed. */
    size_t cap = 1;
    while (cap < *n)
        cap *= 2;
    if (*n == 0 || *n == cap) {
        size_t ncap = *n == 0 ? 4 : cap * 2;
        void *fresh = gq_alloc(a, ncap * size);
        if (*n)
            memcpy(fresh, *items, *n * size);
        *items = fresh;
    }
    void *slot = (char *)*items + (*n) * size;
    (*n)++;
    return slot;
}

static json_object *make_error(const char *msg, const char *category)
{
    json_object *err = json_object_new_object();
    json_object_object_add(err, "message", json_object_new_string(msg));
    if (category) {
        json_object *ext = json_object_new_object();
        json_object_object_add(ext, "category", json_object_new_string(category));
        json_object_object_add(err, "extensions", ext);
    }
    return err;
}

static void append(gq_errors *e, json_object *err)
{
    if (!e) {
        json_object_put(err);
        return;
    }
    if (!e->list)
        e->list = json_object_new_array();
    /* A bound on the list keeps a hostile document from producing megabytes of errors. */
    if (json_object_array_length(e->list) >= 100) {
        json_object_put(err);
        return;
    }
    json_object_array_add(e->list, err);
}

void gq_error_add(gq_errors *e, int line, int column, const char *category, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_object *err = make_error(msg, category);
    if (line > 0) {
        json_object *loc = json_object_new_object();
        json_object_object_add(loc, "line", json_object_new_int(line));
        json_object_object_add(loc, "column", json_object_new_int(column));
        json_object *locs = json_object_new_array();
        json_object_array_add(locs, loc);
        json_object_object_add(err, "locations", locs);
    }
    append(e, err);
}

void gq_error_add_path(gq_errors *e, json_object *path, const char *category, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_object *err = make_error(msg, category);
    if (path)
        json_object_object_add(err, "path", path);
    append(e, err);
}

size_t gq_error_count(const gq_errors *e)
{
    return e && e->list ? json_object_array_length(e->list) : 0;
}

json_object *gq_errors_take(gq_errors *e)
{
    json_object *l = e->list;
    e->list = NULL;
    return l;
}

void gq_errors_clear(gq_errors *e)
{
    json_object_put(e->list);
    e->list = NULL;
}

const char *gq_type_ref_str(const gq_type_ref *t, char *buf, size_t len)
{
    if (!t) {
        snprintf(buf, len, "?");
        return buf;
    }
    char inner[256];
    switch (t->kind) {
    case GQ_T_NAMED: snprintf(buf, len, "%s", t->name); break;
    case GQ_T_LIST: snprintf(buf, len, "[%s]", gq_type_ref_str(t->of, inner, sizeof inner)); break;
    case GQ_T_NON_NULL: snprintf(buf, len, "%s!", gq_type_ref_str(t->of, inner, sizeof inner)); break;
    }
    return buf;
}

/* ---- printing values ------------------------------------------------------------------------ */

typedef struct strbuf {
    gq_arena *arena;
    char *s;
    size_t n, cap;
} strbuf;

static void sb_put(strbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *fresh = gq_alloc(b->arena, cap);
        if (b->n)
            memcpy(fresh, b->s, b->n);
        b->s = fresh;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

static void sb_puts(strbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* graphql-js's printString: JSON-style escapes, control characters as \uXXXX. */
static void print_string(strbuf *b, const char *s)
{
    sb_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        unsigned c = *p;
        if (c == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
            snprintf(esc, sizeof esc, "\\u%04X", (unsigned)p[1]); /* C1 controls */
            sb_puts(b, esc);
            p++;
            continue;
        }
        switch (c) {
        case '"': sb_puts(b, "\\\""); break;
        case '\\': sb_puts(b, "\\\\"); break;
        case '\b': sb_puts(b, "\\b"); break;
        case '\t': sb_puts(b, "\\t"); break;
        case '\n': sb_puts(b, "\\n"); break;
        case '\f': sb_puts(b, "\\f"); break;
        case '\r': sb_puts(b, "\\r"); break;
        default:
            if (c < 0x20 || c == 0x7F) {
                snprintf(esc, sizeof esc, "\\u%04X", c);
                sb_puts(b, esc);
            } else {
                sb_put(b, (const char *)p, 1);
            }
        }
    }
    sb_puts(b, "\"");
}

static void print_value_to(strbuf *b, const gq_value *v, int depth)
{
    if (depth > GQ_MAX_DEPTH + 2) {
        sb_puts(b, "...");
        return;
    }
    switch (v->kind) {
    case GQ_V_VARIABLE: sb_puts(b, "$"); sb_puts(b, v->text); break;
    case GQ_V_INT:
    case GQ_V_FLOAT:
    case GQ_V_ENUM: sb_puts(b, v->text); break;
    case GQ_V_STRING: print_string(b, v->text); break;
    case GQ_V_BOOLEAN: sb_puts(b, v->boolean ? "true" : "false"); break;
    case GQ_V_NULL: sb_puts(b, "null"); break;
    case GQ_V_LIST:
        sb_puts(b, "[");
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                sb_puts(b, ", ");
            print_value_to(b, v->items[i], depth + 1);
        }
        sb_puts(b, "]");
        break;
    case GQ_V_OBJECT:
        sb_puts(b, "{ ");
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                sb_puts(b, ", ");
            sb_puts(b, v->keys[i]);
            sb_puts(b, ": ");
            print_value_to(b, v->items[i], depth + 1);
        }
        sb_puts(b, " }");
        break;
    }
}

char *gq_print_value(gq_arena *a, const gq_value *v)
{
    strbuf b = {.arena = a};
    sb_puts(&b, "");
    print_value_to(&b, v, 0);
    return b.s;
}
