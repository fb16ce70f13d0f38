/* libFuzzer: the settlement file reader's C half (connectors/common/settlement_file.h), which turns
 * any bytes into COPY rows: never a crash, never a leak, and every row it writes is well formed
 * (three tab-separated fields, no raw CR, the line count it answers). */
#include "connectors/common/settlement_file.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct check {
    long rows;
    int tabs;
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
            if (c->tabs != 2)
                abort();
            c->tabs = 0;
            c->rows++;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct check c = {0, 0};
    long lines = o2c_settlement_copy_rows((const char *)data, size, 7, sink, &c);
    if (lines != c.rows || c.tabs != 0)
        abort();
    return 0;
}
