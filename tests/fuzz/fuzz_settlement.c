/* libFuzzer: the settlement file reader's C half (connectors/common/settlement_file.h), which turns
 * any bytes into COPY rows: never a crash, never a leak, and every row it writes is well formed
 * (three tab-separated fields, the line never empty nor ending in a space, no raw CR, the row
 * count it answers), the digest is 32 hex digits, and the bytes fed in pieces give the same. */
#include "connectors/common/settlement_file.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct check {
    long rows;
    int tabs;
    char prev;   /* the row's last byte so far */
};

static int sink(void *ctx, const char *data, size_t len)
{
    struct check *c = ctx;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\r' || data[i] == '\0')
            abort();
        if (data[i] == '\t')
            c->tabs++;
        if (data[i] == '\n') {
            if (c->tabs != 2 || c->prev == '\t' || c->prev == ' ')
                abort();
            c->tabs = 0;
            c->rows++;
        }
        c->prev = data[i];
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct check c = {0, 0, 0};
    char digest[33] = "";
    long lines = o2c_settlement_copy_rows((const char *)data, size, 7, sink, &c, digest);
    if (lines != c.rows || c.tabs != 0 || strspn(digest, "0123456789abcdef") != 32 || digest[32] != '\0')
        abort();
    /* The same bytes fed in pieces (their sizes taken from the bytes themselves, so lines span
     * pieces): the same rows and the same digest. */
    struct check d = {0, 0, 0};
    char digest2[33] = "";
    o2c_settlement_reader *r = o2c_settlement_reader_new(7, sink, &d);
    if (!r)
        abort();
    for (size_t pos = 0, k = 0; pos < size; k++) {
        size_t piece = 1 + (size_t)data[k % size] % 7;
        if (piece > size - pos)
            piece = size - pos;
        if (o2c_settlement_reader_feed(r, (const char *)data + pos, piece) != 0)
            abort();
        pos += piece;
    }
    if (o2c_settlement_reader_finish(r, digest2) != lines || d.rows != c.rows || strcmp(digest, digest2) != 0)
        abort();
    return 0;
}
