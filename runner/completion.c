#include "runner/completion.h"

#include "connectors/common/strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* s as a quoted array element: inside double quotes everything is literal except the quote
 * and the backslash, which are escaped with a backslash. */
static void add_quoted(struct o2c_strbuf *b, const char *s)
{
    o2c_strbuf_add(b, "\"", 1);
    const char *run = s;
    for (const char *p = s; *p; p++) {
        if (*p != '"' && *p != '\\')
            continue;
        o2c_strbuf_add(b, run, (size_t)(p - run));
        o2c_strbuf_add(b, "\\", 1);
        run = p; /* the quote or backslash itself starts the next run */
    }
    o2c_strbuf_str(b, run);
    o2c_strbuf_add(b, "\"", 1);
}

/* v in decimal; by hand, since snprintf was most of this file's instructions. */
static void add_int(struct o2c_strbuf *b, int64_t v)
{
    char num[24];
    char *end = num + sizeof num, *p = end;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    o2c_strbuf_add(b, p, (size_t)(end - p));
}

/* value as JSON text, or null. */
static void add_json(struct o2c_strbuf *b, json_object *value)
{
    if (value)
        o2c_strbuf_str(b, json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN));
    else
        o2c_strbuf_add(b, "null", 4);
}

/* s as a JSON string. */
static void add_json_string(struct o2c_strbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    o2c_strbuf_add(b, "\"", 1);
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        o2c_strbuf_add(b, run, (size_t)(p - run));
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            o2c_strbuf_add(b, esc, 2);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            o2c_strbuf_add(b, esc, 6);
        }
        run = p + 1;
    }
    o2c_strbuf_str(b, run);
    o2c_strbuf_add(b, "\"", 1);
}

/* s's chain as o2c.complete reads it ({"path":[…],"durations":[…],"details":[…]}), or null. */
static bool add_chain(struct o2c_strbuf *b, const struct o2c_step *s)
{
    if (s->nlinks == 0) {
        o2c_strbuf_add(b, "null", 4);
        return false;
    }
    o2c_strbuf_str(b, "{\"path\":[");
    for (int i = 0; i < s->nlinks; i++) {
        add_json_string(b, s->links[i].state);
        o2c_strbuf_add(b, ",", 1);
        add_json_string(b, s->links[i].outcome);
        o2c_strbuf_add(b, ",", 1);
    }
    add_json_string(b, s->state); /* where the chain ended: the state of the result itself */
    o2c_strbuf_str(b, "],\"durations\":[");
    for (int i = 0; i < s->nlinks; i++) {
        if (i)
            o2c_strbuf_add(b, ",", 1);
        add_int(b, s->links[i].duration_ms);
    }
    o2c_strbuf_str(b, "],\"details\":[");
    for (int i = 0; i < s->nlinks; i++) {
        if (i)
            o2c_strbuf_add(b, ",", 1);
        add_json(b, s->links[i].detail);
    }
    o2c_strbuf_str(b, "]}");
    return true;
}

/* The value of argument k for step s, appended to b. Returns false when s has none (NULL). */
static bool add_element(struct o2c_strbuf *b, enum o2c_completion_arg k, const struct o2c_step *s)
{
    switch (k) {
    case O2C_COMPLETION_IDS:
        add_int(b, s->workflow_id);
        return true;
    case O2C_COMPLETION_TOKENS:
        add_int(b, s->lease_token);
        return true;
    case O2C_COMPLETION_OUTCOMES:
        add_quoted(b, s->outcome.name);
        return true;
    case O2C_COMPLETION_DURATIONS:
        add_int(b, s->duration_ms);
        return true;
    case O2C_COMPLETION_DELAYS:
        if (s->outcome.delay_ms < 0) {
            o2c_strbuf_add(b, "NULL", 4);
            return false;
        }
        add_int(b, s->outcome.delay_ms);
        return true;
    case O2C_COMPLETION_PATCHES:
        add_json(b, s->outcome.patch);
        return s->outcome.patch != NULL;
    case O2C_COMPLETION_DETAILS:
        add_json(b, s->outcome.detail);
        return s->outcome.detail != NULL;
    case O2C_COMPLETION_STARTS:
        add_json(b, s->outcome.start);
        return s->outcome.start != NULL;
    case O2C_COMPLETION_CHAINS:
        return add_chain(b, s);
    case O2C_COMPLETION_ARGS:
        break;
    }
    return false;
}

int o2c_completion_build(struct o2c_step *const *steps, int count, struct o2c_completion *c)
{
    memset(c, 0, sizeof *c);
    for (int k = 0; k < O2C_COMPLETION_ARGS; k++) {
        /* The JSON values as a JSON array, the rest as a PostgreSQL array literal. */
        bool json = k >= O2C_COMPLETION_PATCHES;
        struct o2c_strbuf b = {0};
        bool any = false;
        o2c_strbuf_add(&b, json ? "[" : "{", 1);
        for (int i = 0; i < count; i++) {
            if (i > 0)
                o2c_strbuf_add(&b, ",", 1);
            any |= add_element(&b, (enum o2c_completion_arg)k, steps[i]);
        }
        o2c_strbuf_add(&b, json ? "]" : "}", 1);
        char *text = o2c_strbuf_take(&b);
        if (!text) {
            o2c_completion_free(c);
            return -1;
        }
        /* The key arrays always go as they are (an empty batch is {}); the optional ones are
         * NULL when no step has the value, which the database reads as null throughout. */
        if (!any && k > O2C_COMPLETION_DURATIONS) {
            free(text);
            text = NULL;
        }
        c->arg[k] = text;
    }
    return 0;
}

void o2c_completion_free(struct o2c_completion *c)
{
    for (int k = 0; k < O2C_COMPLETION_ARGS; k++) {
        free(c->arg[k]);
        c->arg[k] = NULL;
    }
}
