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
    if (n > sizeof b->data)   /* a run longer than the buffer goes straight on */
        return b->sink(b->ctx, s, n) ? -1 : 0;
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

struct o2c_settlement_reader {
    struct buf out;
    long long load_id;
    EVP_MD_CTX *md;
    struct line line;          /* the current line, normalised */
    char *partial;             /* the raw bytes of a line the last piece did not finish */
    size_t partial_len, partial_cap;
    long line_no, written;
    int failed;
};

o2c_settlement_reader *o2c_settlement_reader_new(long long load_id, o2c_copy_sink sink, void *ctx)
{
    o2c_settlement_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->out.sink = sink;
    r->out.ctx = ctx;
    r->load_id = load_id;
    r->md = EVP_MD_CTX_new();
    if (!r->md || EVP_DigestInit_ex(r->md, EVP_md5(), NULL) != 1) {
        EVP_MD_CTX_free(r->md);
        free(r);
        return NULL;
    }
    return r;
}

/* One raw line (without its LF): normalised, written unless empty, digested. */
static int take_line(o2c_settlement_reader *r, const char *raw, size_t n)
{
    r->line_no++;
    if (normalise(&r->line, raw, n))
        return -1;
    if (r->line.len == 0)
        return 0;
    if (put_row(&r->out, r->load_id, r->line_no, &r->line))
        return -1;
    if ((r->written > 0 && EVP_DigestUpdate(r->md, "\n", 1) != 1) || EVP_DigestUpdate(r->md, r->line.data, r->line.len) != 1)
        return -1;
    r->written++;
    return 0;
}

static int keep_partial(o2c_settlement_reader *r, const char *data, size_t n)
{
    if (r->partial_len + n > r->partial_cap) {
        size_t cap = r->partial_cap ? r->partial_cap : 4096;
        while (cap < r->partial_len + n)
            cap *= 2;
        char *bigger = realloc(r->partial, cap);
        if (!bigger)
            return -1;
        r->partial = bigger;
        r->partial_cap = cap;
    }
    memcpy(r->partial + r->partial_len, data, n);
    r->partial_len += n;
    return 0;
}

int o2c_settlement_reader_feed(o2c_settlement_reader *r, const char *data, size_t len)
{
    for (size_t pos = 0; pos < len && !r->failed;) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        if (!nl)
            r->failed = keep_partial(r, data + pos, end - pos);
        else if (r->partial_len == 0)
            r->failed = take_line(r, data + pos, end - pos);
        else {
            r->failed = keep_partial(r, data + pos, end - pos) || take_line(r, r->partial, r->partial_len);
            r->partial_len = 0;
        }
        pos = end + 1;
    }
    return r->failed ? -1 : 0;
}

long o2c_settlement_reader_finish(o2c_settlement_reader *r, char digest[33])
{
    if (!r)
        return -1;
    if (!r->failed && r->partial_len > 0)
        r->failed = take_line(r, r->partial, r->partial_len);
    if (!r->failed)
        r->failed = flush(&r->out);
    unsigned char raw[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!r->failed && digest) {
        if (EVP_DigestFinal_ex(r->md, raw, &n) != 1)
            r->failed = 1;
        for (unsigned int i = 0; i < n && i < 16; i++)
            snprintf(digest + 2 * i, 3, "%02x", raw[i]);
    }
    long rows = r->failed ? -1 : r->written;
    EVP_MD_CTX_free(r->md);
    free(r->line.data);
    free(r->partial);
    free(r);
    return rows;
}

long o2c_settlement_copy_rows(const char *data, size_t len, long long load_id, o2c_copy_sink sink, void *ctx,
                              char digest[33])
{
    o2c_settlement_reader *r = o2c_settlement_reader_new(load_id, sink, ctx);
    if (!r)
        return -1;
    o2c_settlement_reader_feed(r, data, len);
    return o2c_settlement_reader_finish(r, digest);
}
