/* GraphQL lexer (spec §2.1): punctuators, names, numbers, strings with escapes and block strings,
 * ignoring whitespace, commas, comments and a BOM. Positions are 1-based line/column counted in
 * characters of the line (bytes; sources here are ASCII in practice). */
#include "tools/sandbox/graphql/graphql_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gq_lexer_init(gq_lexer *lx, gq_arena *arena, const char *src, size_t len, gq_errors *errors)
{
    memset(lx, 0, sizeof *lx);
    lx->arena = arena;
    lx->src = src;
    lx->len = len;
    lx->line = 1;
    lx->errors = errors;
    if (len >= 3 && (unsigned char)src[0] == 0xEF && (unsigned char)src[1] == 0xBB &&
        (unsigned char)src[2] == 0xBF)
        lx->pos = lx->line_start = 3;
    gq_lex_next(lx);
}

void gq_syntax_error(gq_lexer *lx, int line, int column, const char *fmt, ...)
{
    if (lx->failed)
        return;
    lx->failed = true;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gq_error_add(lx->errors, line, column, "graphql", "Syntax Error: %s", msg);
    lx->tok.kind = GQ_TOK_EOF;
}

static int col_at(const gq_lexer *lx, size_t pos) { return (int)(pos - lx->line_start) + 1; }

static void newline(gq_lexer *lx, size_t after)
{
    lx->line++;
    lx->line_start = after;
}

/* Printable description of a character for error messages. */
static const char *char_desc(unsigned char c, char *buf, size_t len)
{
    if (c >= 0x20 && c < 0x7F && c != '"')
        snprintf(buf, len, "\"%c\"", c);
    else if (c == '"')
        snprintf(buf, len, "'\"'");
    else
        snprintf(buf, len, "U+%04X", c);
    return buf;
}

static bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static void skip_ignored(gq_lexer *lx)
{
    while (lx->pos < lx->len) {
        char c = lx->src[lx->pos];
        if (c == ' ' || c == '\t' || c == ',') {
            lx->pos++;
        } else if (c == '\n') {
            lx->pos++;
            newline(lx, lx->pos);
        } else if (c == '\r') {
            lx->pos++;
            if (lx->pos < lx->len && lx->src[lx->pos] == '\n')
                lx->pos++;
            newline(lx, lx->pos);
        } else if (c == '#') {
            while (lx->pos < lx->len && lx->src[lx->pos] != '\n' && lx->src[lx->pos] != '\r')
                lx->pos++;
        } else {
            break;
        }
    }
}

/* Appends the UTF-8 encoding of a code point. */
static size_t utf8_put(char *out, unsigned cp)
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool read_hex4(const gq_lexer *lx, size_t at, unsigned *cp)
{
    if (at + 4 > lx->len)
        return false;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(lx->src[at + (size_t)i]);
        if (h < 0)
            return false;
        v = v * 16 + (unsigned)h;
    }
    *cp = v;
    return true;
}

static void lex_string(gq_lexer *lx, size_t start)
{
    /* The decoded value is never longer than the source text. */
    char *out = gq_alloc(lx->arena, lx->len - start + 1);
    size_t o = 0, p = start + 1;
    while (p < lx->len) {
        unsigned char c = (unsigned char)lx->src[p];
        if (c == '"') {
            out[o] = 0;
            lx->tok.kind = GQ_TOK_STRING;
            lx->tok.value = out;
            lx->tok.len = p + 1 - start;
            lx->pos = p + 1;
            return;
        }
        if (c == '\n' || c == '\r')
            break;
        if (c < 0x20 && c != '\t') {
            char d[16];
            gq_syntax_error(lx, lx->line, col_at(lx, p), "Invalid character within String: %s.",
                            char_desc(c, d, sizeof d));
            return;
        }
        if (c != '\\') {
            out[o++] = (char)c;
            p++;
            continue;
        }
        if (p + 1 >= lx->len)
            break;
        char e = lx->src[p + 1];
        switch (e) {
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case '/': out[o++] = '/'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            unsigned cp;
            if (!read_hex4(lx, p + 2, &cp)) {
                gq_syntax_error(lx, lx->line, col_at(lx, p), "Invalid Unicode escape sequence.");
                return;
            }
            size_t used = 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (p + 7 < lx->len && lx->src[p + 6] == '\\' && lx->src[p + 7] == 'u' &&
                    read_hex4(lx, p + 8, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    used = 12;
                } else {
                    gq_syntax_error(lx, lx->line, col_at(lx, p), "Invalid Unicode escape sequence.");
                    return;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                gq_syntax_error(lx, lx->line, col_at(lx, p), "Invalid Unicode escape sequence.");
                return;
            }
            o += utf8_put(out + o, cp);
            p += used;
            continue;
        }
        default: {
            char d[16];
            gq_syntax_error(lx, lx->line, col_at(lx, p), "Invalid character escape sequence: \\%s.",
                            char_desc((unsigned char)e, d, sizeof d));
            return;
        }
        }
        p += 2;
    }
    gq_syntax_error(lx, lx->line, col_at(lx, p), "Unterminated string.");
}

static bool blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

/* Block string (spec "BlockStringValue"): common indentation removed, blank first/last lines
 * dropped, \""" unescaped. */
static void lex_block_string(gq_lexer *lx, size_t start)
{
    size_t p = start + 3;
    char *raw = gq_alloc(lx->arena, lx->len - start + 1);
    size_t r = 0;
    int line = lx->line;
    size_t line_start = lx->line_start;
    bool closed = false;
    while (p < lx->len) {
        if (p + 2 < lx->len && lx->src[p] == '"' && lx->src[p + 1] == '"' && lx->src[p + 2] == '"') {
            closed = true;
            p += 3;
            break;
        }
        if (p + 3 < lx->len && lx->src[p] == '\\' && lx->src[p + 1] == '"' && lx->src[p + 2] == '"' &&
            lx->src[p + 3] == '"') {
            memcpy(raw + r, "\"\"\"", 3);
            r += 3;
            p += 4;
            continue;
        }
        unsigned char c = (unsigned char)lx->src[p];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            char d[16];
            gq_syntax_error(lx, line, (int)(p - line_start) + 1, "Invalid character within String: %s.",
                            char_desc(c, d, sizeof d));
            return;
        }
        if (c == '\r') {
            /* Normalise CRLF / CR to LF. */
            raw[r++] = '\n';
            p++;
            if (p < lx->len && lx->src[p] == '\n')
                p++;
            line++;
            line_start = p;
            continue;
        }
        if (c == '\n') {
            line++;
            line_start = p + 1;
        }
        raw[r++] = (char)c;
        p++;
    }
    if (!closed) {
        gq_syntax_error(lx, line, (int)(p - line_start) + 1, "Unterminated string.");
        return;
    }
    raw[r] = 0;
    /* Split into lines and compute the common indent of all lines but the first. */
    size_t n_lines = 1;
    for (size_t i = 0; i < r; i++)
        n_lines += raw[i] == '\n';
    const char **ls = gq_alloc(lx->arena, n_lines * sizeof *ls);
    size_t *ln = gq_alloc(lx->arena, n_lines * sizeof *ln);
    size_t k = 0, s0 = 0;
    for (size_t i = 0; i <= r; i++) {
        if (i == r || raw[i] == '\n') {
            ls[k] = raw + s0;
            ln[k] = i - s0;
            k++;
            s0 = i + 1;
        }
    }
    size_t common = (size_t)-1;
    for (size_t i = 1; i < n_lines; i++) {
        size_t ind = 0;
        while (ind < ln[i] && (ls[i][ind] == ' ' || ls[i][ind] == '\t'))
            ind++;
        if (ind < ln[i] && ind < common)
            common = ind;
    }
    if (common != (size_t)-1) {
        for (size_t i = 1; i < n_lines; i++) {
            size_t cut = ln[i] < common ? ln[i] : common;
            ls[i] += cut;
            ln[i] -= cut;
        }
    }
    size_t first = 0, last = n_lines;
    while (first < last && blank_line(ls[first], ln[first]))
        first++;
    while (last > first && blank_line(ls[last - 1], ln[last - 1]))
        last--;
    char *out = gq_alloc(lx->arena, r + 1);
    size_t o = 0;
    for (size_t i = first; i < last; i++) {
        if (i > first)
            out[o++] = '\n';
        memcpy(out + o, ls[i], ln[i]);
        o += ln[i];
    }
    out[o] = 0;
    lx->tok.kind = GQ_TOK_BLOCK_STRING;
    lx->tok.value = out;
    lx->tok.len = p - start;
    lx->pos = p;
    lx->line = line;
    lx->line_start = line_start;
}

static void lex_number(gq_lexer *lx, size_t start)
{
    size_t p = start;
    bool is_float = false;
    char d[16];
    if (lx->src[p] == '-')
        p++;
    if (p < lx->len && lx->src[p] == '0') {
        p++;
        if (p < lx->len && is_digit(lx->src[p])) {
            gq_syntax_error(lx, lx->line, col_at(lx, p), "Invalid number, unexpected digit after 0: %s.",
                            char_desc((unsigned char)lx->src[p], d, sizeof d));
            return;
        }
    } else if (p < lx->len && is_digit(lx->src[p])) {
        while (p < lx->len && is_digit(lx->src[p]))
            p++;
    } else {
        gq_syntax_error(lx, lx->line, col_at(lx, p), "Invalid number, expected digit but got: %s.",
                        p < lx->len ? char_desc((unsigned char)lx->src[p], d, sizeof d) : "<EOF>");
        return;
    }
    if (p < lx->len && lx->src[p] == '.') {
        is_float = true;
        p++;
        if (p >= lx->len || !is_digit(lx->src[p])) {
            gq_syntax_error(lx, lx->line, col_at(lx, p), "Invalid number, expected digit but got: %s.",
                            p < lx->len ? char_desc((unsigned char)lx->src[p], d, sizeof d) : "<EOF>");
            return;
        }
        while (p < lx->len && is_digit(lx->src[p]))
            p++;
    }
    if (p < lx->len && (lx->src[p] == 'e' || lx->src[p] == 'E')) {
        is_float = true;
        p++;
        if (p < lx->len && (lx->src[p] == '+' || lx->src[p] == '-'))
            p++;
        if (p >= lx->len || !is_digit(lx->src[p])) {
            gq_syntax_error(lx, lx->line, col_at(lx, p), "Invalid number, expected digit but got: %s.",
                            p < lx->len ? char_desc((unsigned char)lx->src[p], d, sizeof d) : "<EOF>");
            return;
        }
        while (p < lx->len && is_digit(lx->src[p]))
            p++;
    }
    /* A number may not be followed directly by a name start or a dot (spec lookahead). */
    if (p < lx->len && (lx->src[p] == '.' || is_name_start(lx->src[p]))) {
        gq_syntax_error(lx, lx->line, col_at(lx, p), "Invalid number, expected digit but got: %s.",
                        char_desc((unsigned char)lx->src[p], d, sizeof d));
        return;
    }
    lx->tok.kind = is_float ? GQ_TOK_FLOAT : GQ_TOK_INT;
    lx->tok.len = p - start;
    lx->tok.value = gq_strndup(lx->arena, lx->src + start, p - start);
    lx->pos = p;
}

void gq_lex_next(gq_lexer *lx)
{
    if (lx->failed) {
        lx->tok.kind = GQ_TOK_EOF;
        return;
    }
    skip_ignored(lx);
    gq_token *t = &lx->tok;
    t->start = lx->src + lx->pos;
    t->len = 1;
    t->value = NULL;
    t->line = lx->line;
    t->column = col_at(lx, lx->pos);
    if (lx->pos >= lx->len) {
        t->kind = GQ_TOK_EOF;
        t->len = 0;
        return;
    }
    if (lx->max_tokens && ++lx->tokens > lx->max_tokens) {
        gq_syntax_error(lx, t->line, t->column, "Document contains more than %zu tokens. Parsing aborted.",
                        lx->max_tokens);
        return;
    }
    size_t start = lx->pos;
    char c = lx->src[start];
    gq_tok_kind k;
    switch (c) {
    case '!': k = GQ_TOK_BANG; break;
    case '$': k = GQ_TOK_DOLLAR; break;
    case '&': k = GQ_TOK_AMP; break;
    case '(': k = GQ_TOK_LPAREN; break;
    case ')': k = GQ_TOK_RPAREN; break;
    case ':': k = GQ_TOK_COLON; break;
    case '=': k = GQ_TOK_EQUALS; break;
    case '@': k = GQ_TOK_AT; break;
    case '[': k = GQ_TOK_LBRACKET; break;
    case ']': k = GQ_TOK_RBRACKET; break;
    case '{': k = GQ_TOK_LBRACE; break;
    case '|': k = GQ_TOK_PIPE; break;
    case '}': k = GQ_TOK_RBRACE; break;
    case '.':
        if (start + 2 < lx->len && lx->src[start + 1] == '.' && lx->src[start + 2] == '.') {
            t->kind = GQ_TOK_SPREAD;
            t->len = 3;
            lx->pos += 3;
            return;
        }
        gq_syntax_error(lx, t->line, t->column, "Unexpected \".\".");
        return;
    case '"':
        if (start + 2 < lx->len && lx->src[start + 1] == '"' && lx->src[start + 2] == '"')
            lex_block_string(lx, start);
        else
            lex_string(lx, start);
        return;
    default:
        if (is_name_start(c)) {
            size_t p = start + 1;
            while (p < lx->len && (is_name_start(lx->src[p]) || is_digit(lx->src[p])))
                p++;
            t->kind = GQ_TOK_NAME;
            t->len = p - start;
            t->value = gq_strndup(lx->arena, lx->src + start, p - start);
            lx->pos = p;
            return;
        }
        if (c == '-' || is_digit(c)) {
            lex_number(lx, start);
            return;
        }
        {
            char d[16];
            gq_syntax_error(lx, t->line, t->column, "Unexpected character: %s.",
                            char_desc((unsigned char)c, d, sizeof d));
        }
        return;
    }
    t->kind = k;
    lx->pos++;
}

const char *gq_tok_describe(const gq_token *t, char *buf, size_t len)
{
    switch (t->kind) {
    case GQ_TOK_EOF: snprintf(buf, len, "<EOF>"); break;
    case GQ_TOK_NAME: snprintf(buf, len, "Name \"%.60s\"", t->value); break;
    case GQ_TOK_INT: snprintf(buf, len, "Int \"%.60s\"", t->value); break;
    case GQ_TOK_FLOAT: snprintf(buf, len, "Float \"%.60s\"", t->value); break;
    case GQ_TOK_STRING: snprintf(buf, len, "String \"%.60s\"", t->value); break;
    case GQ_TOK_BLOCK_STRING: snprintf(buf, len, "BlockString \"%.60s\"", t->value); break;
    default: snprintf(buf, len, "\"%.*s\"", (int)t->len, t->start); break;
    }
    return buf;
}
