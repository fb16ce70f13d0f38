#include "connectors/common/settlement_file.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
    char data[65536];
    size_t len;
    o2c_copy_sink sink;
    void *ctx;
};

static int flush(struct buf *b)
{
    int stop = b->len ? b->sink(b->ctx, b->data, b->len) : 0;
    b->len = 0;
    return stop;
}

static int put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n > sizeof b->data && flush(b))
        return -1;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

/* The length of the whitespace character ending s[0..n), 0 when it ends otherwise. */
static size_t trailing_space(const unsigned char *s, size_t n)
{
    unsigned char c = s[n - 1];
    if (c == ' ' || (c >= '\t' && c <= '\r'))
        return 1;
    if (n < 3)
        return 0;
    const unsigned char *t = s + n - 3;
    if (t[0] == 0xE1 && t[1] == 0x9A && t[2] == 0x80)                         /* U+1680 */
        return 3;
    if (t[0] == 0xE2 && t[1] == 0x80 && ((t[2] >= 0x80 && t[2] <= 0x8A && t[2] != 0x87) || t[2] == 0xA8 || t[2] == 0xA9))
        return 3;                                                              /* U+2000-200A but 2007, U+2028-2029 */
    if (t[0] == 0xE2 && t[1] == 0x81 && t[2] == 0x9F)                         /* U+205F */
        return 3;
    if (t[0] == 0xE3 && t[1] == 0x80 && t[2] == 0x80)                         /* U+3000 */
        return 3;
    return 0;
}

struct line {
    unsigned char *data;
    size_t len, cap;
};

/* The normalised line of raw[0..n): NULs and BOMs dropped, trailing whitespace stripped. */
static int normalise(struct line *l, const char *raw, size_t n)
{
    if (n > l->cap) {
        unsigned char *bigger = realloc(l->data, n);
        if (!bigger)
            return -1;
        l->data = bigger;
        l->cap = n;
    }
    l->len = 0;
    for (size_t i = 0; i < n; i++) {
        if (raw[i] == '\0')
            continue;
        l->data[l->len++] = (unsigned char)raw[i];
        if (l->len >= 3 && memcmp(l->data + l->len - 3, "\xEF\xBB\xBF", 3) == 0)
            l->len -= 3;
    }
    size_t k;
    while (l->len > 0 && (k = trailing_space(l->data, l->len)) > 0)
        l->len -= k;
    return 0;
}

static int put_row(struct buf *b, long long load_id, long line_no, const struct line *l)
{
    char head[48];
    int n = snprintf(head, sizeof head, "%lld\t%ld\t", load_id, line_no);
    if (put(b, head, (size_t)n))
        return -1;
    size_t from = 0;
    for (size_t i = 0; i < l->len; i++) {
        unsigned char c = l->data[i];
        const char *esc = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : c == '\n' ? "\\n" : NULL;
        if (!esc)
            continue;
        if (put(b, (const char *)l->data + from, i - from) || put(b, esc, 2))
            return -1;
        from = i + 1;
    }
    return put(b, (const char *)l->data + from, l->len - from) || put(b, "\n", 1) ? -1 : 0;
}

long o2c_settlement_copy_rows(const char *data, size_t len, long long load_id, o2c_copy_sink sink, void *ctx,
                              char digest[33])
{
    struct buf *b = malloc(sizeof *b);
    EVP_MD_CTX *md = digest ? EVP_MD_CTX_new() : NULL;
    struct line l = {NULL, 0, 0};
    long rows = -1;
    if (!b || (digest && (!md || EVP_DigestInit_ex(md, EVP_md5(), NULL) != 1)))
        goto out;
    b->len = 0;
    b->sink = sink;
    b->ctx = ctx;
    long line_no = 0, written = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        line_no++;
        if (normalise(&l, data + pos, end - pos))
            goto out;
        pos = end + 1;
        if (l.len == 0)
            continue;
        if (put_row(b, load_id, line_no, &l))
            goto out;
        if (md && ((written > 0 && EVP_DigestUpdate(md, "\n", 1) != 1) || EVP_DigestUpdate(md, l.data, l.len) != 1))
            goto out;
        written++;
    }
    if (flush(b))
        goto out;
    if (md) {
        unsigned char raw[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (EVP_DigestFinal_ex(md, raw, &n) != 1)
            goto out;
        for (unsigned int i = 0; i < n && i < 16; i++)
            snprintf(digest + 2 * i, 3, "%02x", raw[i]);
    }
    rows = written;
out:
    EVP_MD_CTX_free(md);
    free(l.data);
    free(b);
    return rows;
}
