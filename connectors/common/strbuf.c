#include "connectors/common/strbuf.h"

#include <stdlib.h>
#include <string.h>

void o2c_strbuf_add(struct o2c_strbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->s, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->s = grown;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void o2c_strbuf_str(struct o2c_strbuf *b, const char *s)
{
    o2c_strbuf_add(b, s, strlen(s));
}

char *o2c_strbuf_take(struct o2c_strbuf *b)
{
    char *s = b->s;
    b->s = NULL;
    if (b->failed) {
        free(s);
        return NULL;
    }
    return s ? s : strdup("");
}
