/* Settlement files as lines for COPY, normalised once here so SQL reads them as they are: a UTF-8
 * BOM (U+FEFF) anywhere is dropped, NUL bytes (which PostgreSQL text cannot hold) are dropped, a
 * line ends at LF and loses its trailing whitespace (ASCII space, tab, CR, VT, FF and the Unicode
 * spaces PostgreSQL's regular expression \s matches: U+1680, U+2000-U+2006, U+2008-U+200A, U+2028,
 * U+2029, U+205F, U+3000), and a line left empty is skipped. Each other line is written in
 * PostgreSQL COPY text format as "<load_id>\t<line_no>\t<line>\n" (line_no counts every line of
 * the file, from 1; backslash, tab and CR escaped), so any byte string is carried intact. The
 * fields themselves are read by name in SQL (o2c.settlement_load, sql/api/settlement.sql), which
 * normalises text given to o2c.import_settlement the same way. */
#ifndef O2C_SETTLEMENT_FILE_H
#define O2C_SETTLEMENT_FILE_H

#include <stddef.h>

/* Called with successive chunks of COPY data; returns 0 to go on, non-zero to stop. */
typedef int (*o2c_copy_sink)(void *ctx, const char *data, size_t len);

/* A file read in pieces of any size (a line may span pieces), so a big file is never held whole. */
typedef struct o2c_settlement_reader o2c_settlement_reader;

/* NULL when memory ran out. */
o2c_settlement_reader *o2c_settlement_reader_new(long long load_id, o2c_copy_sink sink, void *ctx);

/* The next piece of the file. 0, or -1 when the sink stopped or memory ran out (then only
 * o2c_settlement_reader_finish is left to call). */
int o2c_settlement_reader_feed(o2c_settlement_reader *r, const char *data, size_t len);

/* Ends the file (its last line need not end in LF) and frees the reader. Returns the number of rows
 * written, or -1 when the sink stopped or memory ran out. When digest is not NULL it receives the
 * lowercase hex md5 of the rows' lines joined by LF: the file's identity, o2c.settlement_load's
 * p_digest. */
long o2c_settlement_reader_finish(o2c_settlement_reader *r, char digest[33]);

/* The whole file data[0..len) at once: new, feed, finish. */
long o2c_settlement_copy_rows(const char *data, size_t len, long long load_id, o2c_copy_sink sink, void *ctx,
                              char digest[33]);

#endif
