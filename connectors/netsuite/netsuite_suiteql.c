/* SuiteQL text built from values that come from other systems (a shopper's email, an order
 * number). SuiteQL has no bind parameters over REST, so every value is written as a literal, and
 * that is where injection would happen: a quote in "o'brien@example.com" must stay inside the
 * literal. Names (tables, columns) are never quoted, so they are restricted to plain letters. */
#include "connectors/netsuite/netsuite.h"
#include "connectors/common/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 64

bool netsuite_suiteql_name(const char *name, bool upper_ok)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > NAME_MAX_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (upper_ok && c >= 'A' && c <= 'Z')))
            return false;
    }
    return true;
}

/* Control characters have no place in a value we look up by, and a newline or NUL could end or
 * split the query in a parser less strict than the quote rule. UTF-8 bytes (>= 0x80) are fine. */
bool netsuite_suiteql_value_ok(const char *value)
{
    if (!value)
        return false;
    for (const char *s = value; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            return false;
    return true;
}

char *netsuite_suiteql_literal(const char *value)
{
    if (!netsuite_suiteql_value_ok(value))
        return NULL;
    size_t quotes = 0, n = strlen(value);
    for (size_t i = 0; i < n; i++)
        quotes += value[i] == '\'';
    char *out = malloc(n + quotes + 3);
    if (!out)
        return NULL;
    size_t o = 0;
    out[o++] = '\'';
    /* SQL writes a quote inside a literal as two quotes; a backslash is an ordinary character. */
    for (size_t i = 0; i < n; i++) {
        if (value[i] == '\'')
            out[o++] = '\'';
        out[o++] = value[i];
    }
    out[o++] = '\'';
    out[o] = '\0';
    return out;
}

static char *refuse(struct o2c_strbuf *t, char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static char *refuse(struct o2c_strbuf *t, char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    free(t->s);
    return NULL;
}

/* value with a-z turned into A-Z, for a case-blind "UPPER(col) = …". Only ASCII: a byte >= 0x80
 * (UTF-8) is kept as it is. malloc'd; NULL when memory ran out. */
static char *ascii_upper(const char *value)
{
    size_t n = strlen(value);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        out[i] = value[i] >= 'a' && value[i] <= 'z' ? (char)(value[i] - 'a' + 'A') : value[i];
    return out;
}

static bool ascii_only(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

char *netsuite_suiteql_find_query(const char *table, size_t n, const char *const *columns,
                                  const char *const *values, const bool *ignore_case, const char *order_by,
                                  char *err, size_t err_len)
{
    struct o2c_strbuf q = {0};
    if (!netsuite_suiteql_name(table, true))
        return refuse(&q, err, err_len, "record \"%s\" is not a SuiteQL table name (letters only)", table ? table : "");
    if (!netsuite_suiteql_name(order_by, false))
        return refuse(&q, err, err_len, "order_by \"%s\" is not a SuiteQL column (a-z only)", order_by ? order_by : "");
    if (n == 0)
        return refuse(&q, err, err_len, "no column to look up by: without one, any record would match");
    o2c_strbuf_str(&q, "SELECT id FROM ");
    o2c_strbuf_str(&q, table);
    for (size_t i = 0; i < n; i++) {
        if (!netsuite_suiteql_name(columns[i], false))
            return refuse(&q, err, err_len, "\"%s\" is not a SuiteQL column (a-z only)", columns[i] ? columns[i] : "");
        if (!netsuite_suiteql_value_ok(values[i]))
            return refuse(&q, err, err_len, "the value for %s holds a control character", columns[i]);
        /* Only ASCII is folded here, while NetSuite's UPPER also folds å to Å: a value with
         * other letters would then never match, even stored exactly so. Such values keep the
         * exact match, which at least finds the same spelling. */
        bool upper = ignore_case && ignore_case[i] && ascii_only(values[i]);
        char *folded = upper ? ascii_upper(values[i]) : NULL;
        char *literal = upper && !folded ? NULL : netsuite_suiteql_literal(upper ? folded : values[i]);
        free(folded);
        if (!literal)
            return refuse(&q, err, err_len, "out of memory building the query");
        o2c_strbuf_str(&q, i == 0 ? " WHERE " : " AND ");
        /* NetSuite compares text case-sensitively: both sides upper-cased match whatever case the
         * record was stored in. */
        o2c_strbuf_str(&q, upper ? "UPPER(" : "");
        o2c_strbuf_str(&q, columns[i]);
        o2c_strbuf_str(&q, upper ? ") = " : " = ");
        o2c_strbuf_str(&q, literal);
        free(literal);
    }
    o2c_strbuf_str(&q, " ORDER BY ");
    o2c_strbuf_str(&q, order_by);
    if (q.failed)
        return refuse(&q, err, err_len, "out of memory building the query");
    return o2c_strbuf_take(&q);
}
