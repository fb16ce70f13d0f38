/* Settlement files as lines for COPY: strips a leading UTF-8 BOM, splits on LF (a CR before it is
 * dropped), and writes each line in PostgreSQL COPY text format as "<load_id>\t<line_no>\t<line>\n"
 * with backslash, tab, CR and NUL-free escaping, so any byte string is carried intact. The fields
 * themselves are read by name in SQL (o2c.settlement_load, sql/api/settlement.sql). */
#ifndef O2C_SETTLEMENT_FILE_H
#define O2C_SETTLEMENT_FILE_H

#include <stddef.h>

/* Called with successive chunks of COPY data; returns 0 to go on, non-zero to stop. */
typedef int (*o2c_copy_sink)(void *ctx, const char *data, size_t len);

/* Writes the COPY rows of data[0..len) to sink. Returns the number of lines, or -1 when the sink
 * stopped. NUL bytes (which PostgreSQL text cannot hold) are dropped. */
long o2c_settlement_copy_rows(const char *data, size_t len, long long load_id, o2c_copy_sink sink, void *ctx);

#endif
