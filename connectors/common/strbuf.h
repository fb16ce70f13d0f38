/* A growable, always NUL-terminated string for building request text (OAuth signature bases,
 * SuiteQL queries). Once memory runs out, further appends do nothing and `failed` stays set, so a
 * builder appends freely and checks once, at the end. Start with `struct o2c_strbuf b = {0};`. */
#ifndef O2C_STRBUF_H
#define O2C_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct o2c_strbuf {
    char *s;      /* NULL until something is added */
    size_t len, cap;
    bool failed;
};

/* Appends n bytes of s. */
void o2c_strbuf_add(struct o2c_strbuf *b, const char *s, size_t n);
/* Appends the NUL-terminated s. */
void o2c_strbuf_str(struct o2c_strbuf *b, const char *s);
/* The built string, malloc'd ("" when nothing was added), or NULL (and freed) if an append
 * failed. The buffer is spent either way. */
char *o2c_strbuf_take(struct o2c_strbuf *b);

#endif
