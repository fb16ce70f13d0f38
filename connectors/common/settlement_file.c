#include "connectors/common/settlement_file.h"

#include <stdio.h>
#include <string.h>

struct buf {
    char data[8192];
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

long o2c_settlement_copy_rows(const char *data, size_t len, long long load_id, o2c_copy_sink sink, void *ctx)
{
    struct buf b = {.len = 0, .sink = sink, .ctx = ctx};
    size_t pos = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    long line_no = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && data[end] != '\n')
            end++;
        size_t stop = end;
        if (stop > pos && data[stop - 1] == '\r')
            stop--;
        char head[48];
        int n = snprintf(head, sizeof head, "%lld\t%ld\t", load_id, ++line_no);
        if (put(&b, head, (size_t)n))
            return -1;
        for (size_t i = pos; i < stop; i++) {
            char c = data[i];
            const char *esc = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
            if (c == '\0')
                continue;
            if (esc ? put(&b, esc, 2) : put(&b, &c, 1))
                return -1;
        }
        if (put(&b, "\n", 1))
            return -1;
        pos = end + 1;
    }
    return flush(&b) ? -1 : line_no;
}
