#include "runner/completion.h"

#include "connectors/common/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* s as a JSON string literal: quotes, backslashes and control characters escaped. */
static void add_json_string(struct o2c_strbuf *b, const char *s)
{
    o2c_strbuf_add(b, "\"", 1);
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        o2c_strbuf_add(b, run, (size_t)(p - run));
        char esc[8];
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof esc, "\\%c", c);
        else
            snprintf(esc, sizeof esc, "\\u%04x", c);
        o2c_strbuf_str(b, esc);
        run = p + 1;
    }
    o2c_strbuf_str(b, run);
    o2c_strbuf_add(b, "\"", 1);
}

static void add_json_value(struct o2c_strbuf *b, const char *key, json_object *value)
{
    o2c_strbuf_str(b, key);
    o2c_strbuf_str(b, json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN));
}

/* key, then v in decimal; by hand, since snprintf was most of this file's instructions. */
static void add_int(struct o2c_strbuf *b, const char *key, int64_t v)
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
    o2c_strbuf_str(b, key);
    o2c_strbuf_add(b, p, (size_t)(end - p));
}

char *o2c_completion_json(struct o2c_step *const *steps, int count)
{
    struct o2c_strbuf b = {0};
    o2c_strbuf_add(&b, "[", 1);
    for (int i = 0; i < count; i++) {
        const struct o2c_step *s = steps[i];
        add_int(&b, i == 0 ? "{\"id\":" : ",{\"id\":", s->workflow_id);
        add_int(&b, ",\"token\":", s->lease_token);
        o2c_strbuf_str(&b, ",\"outcome\":");
        add_json_string(&b, s->outcome.name);
        if (s->outcome.patch)
            add_json_value(&b, ",\"patch\":", s->outcome.patch);
        if (s->outcome.detail)
            add_json_value(&b, ",\"detail\":", s->outcome.detail);
        if (s->outcome.delay_ms >= 0)
            add_int(&b, ",\"delay_ms\":", s->outcome.delay_ms);
        if (s->outcome.start)
            add_json_value(&b, ",\"start\":", s->outcome.start);
        add_int(&b, ",\"duration_ms\":", s->duration_ms);
        o2c_strbuf_add(&b, "}", 1);
    }
    o2c_strbuf_add(&b, "]", 1);
    return o2c_strbuf_take(&b);
}
