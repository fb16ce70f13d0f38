/* SuiteQL on POST /services/rest/query/v1/suiteql: not a SQL engine, but a strict reader of the
 * query shapes the connectors need (README "SuiteQL"):
 *   SELECT cols FROM table [alias] [JOIN transactionline tl ON tl.transaction = t.id]
 *     [WHERE pred AND pred …] [ORDER BY col [ASC|DESC], …]
 * over the virtual tables transaction (+ transactionline mainline rows), customer, item and
 * inventoryitemlocations (alias aggregateitemlocation). Predicates: = != <> < <= > >= IN, IS [NOT]
 * NULL, values 'text', numbers, TO_TIMESTAMP('…','fmt'), TO_DATE('…','fmt'); a predicate's column
 * may be UPPER(col) or LOWER(col) (text columns, ASCII case folding only; the value is compared as
 * written). Selected columns may be wrapped in TO_CHAR(col, 'YYYY-MM-DD HH24:MI:SS'). Like
 * NetSuite: text compares case-sensitively, date-times without TO_CHAR come back as a date only
 * (M/D/YYYY), null columns are left out, every value is a string. Paging by limit (≤ 1000) and
 * offset (a multiple of limit), ordered stably (ORDER BY, then creation order). */
#include "tools/sandbox/netsuite/netsuite.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Names and literals are copied into fixed buffers; cutting an absurdly long one short is intended
 * (the query then fails to match, with a clear error). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

/* ---- tokens ---------------------------------------------------------------------------------- */

typedef enum { T_END, T_IDENT, T_STRING, T_NUMBER, T_OP, T_PUNCT } tok_kind;
typedef struct { tok_kind kind; char text[256]; } token;

typedef struct parser {
    const char *src, *p;
    token tok;
    char err[256];
} parser;

static bool fail(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(parser *ps, const char *fmt, ...)
{
    if (!ps->err[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err, sizeof ps->err, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool next(parser *ps)
{
    const char *p = ps->p;
    while (isspace((unsigned char)*p))
        p++;
    token *t = &ps->tok;
    size_t n = 0;
    t->text[0] = '\0';
    if (!*p) {
        t->kind = T_END;
    } else if (isalpha((unsigned char)*p) || *p == '_') {
        t->kind = T_IDENT;
        while ((isalnum((unsigned char)*p) || *p == '_') && n < sizeof t->text - 1)
            t->text[n++] = (char)tolower((unsigned char)*p++);
        t->text[n] = '\0';
    } else if (isdigit((unsigned char)*p)) {
        t->kind = T_NUMBER;
        while ((isdigit((unsigned char)*p) || *p == '.') && n < sizeof t->text - 1)
            t->text[n++] = *p++;
        t->text[n] = '\0';
    } else if (*p == '\'') {
        t->kind = T_STRING;
        p++;
        for (;;) {
            if (!*p) {
                ps->p = p;
                return fail(ps, "unterminated string literal");
            }
            if (*p == '\'' && p[1] == '\'') {
                p++;
            } else if (*p == '\'') {
                p++;
                break;
            }
            if (n >= sizeof t->text - 1) {
                ps->p = p;
                return fail(ps, "string literal too long");
            }
            t->text[n++] = *p++;
        }
        t->text[n] = '\0';
    } else if (strchr("=<>!", *p)) {
        t->kind = T_OP;
        t->text[n++] = *p++;
        if (*p == '=' || (t->text[0] == '<' && *p == '>'))
            t->text[n++] = *p++;
        t->text[n] = '\0';
        if (strcmp(t->text, "!") == 0)
            return fail(ps, "unexpected '!'");
    } else if (strchr("(),.*", *p)) {
        t->kind = T_PUNCT;
        t->text[0] = *p++;
        t->text[1] = '\0';
    } else {
        ps->p = p;
        return fail(ps, "unexpected character '%c'", *p);
    }
    ps->p = p;
    return true;
}

static bool is_kw(parser *ps, const char *kw)
{
    return ps->tok.kind == T_IDENT && strcmp(ps->tok.text, kw) == 0;
}

static bool is_punct(parser *ps, char c)
{
    return ps->tok.kind == T_PUNCT && ps->tok.text[0] == c;
}

static bool expect_kw(parser *ps, const char *kw)
{
    if (!is_kw(ps, kw))
        return fail(ps, "expected %s near '%s'", kw, ps->tok.text);
    return next(ps);
}

static bool expect_punct(parser *ps, char c)
{
    if (!is_punct(ps, c))
        return fail(ps, "expected '%c' near '%s'", c, ps->tok.text);
    return next(ps);
}

/* ---- virtual tables ---------------------------------------------------------------------------- */

typedef enum { C_ID, C_TEXT, C_NUMBER, C_TIME } col_kind;
typedef struct { const char *name; col_kind kind; } column;

static const column TRANSACTION_COLS[] = {
    {"id", C_ID}, {"tranid", C_TEXT}, {"type", C_TEXT}, {"externalid", C_TEXT}, {"trandate", C_TIME},
    {"createddate", C_TIME}, {"lastmodifieddate", C_TIME}, {"entity", C_ID}, {"status", C_TEXT},
    {"otherrefnum", C_TEXT}, {"memo", C_TEXT}, {"currency", C_ID}, {"foreigntotal", C_NUMBER},
    {"trackingnumberlist", C_TEXT}, {"shipcarrier", C_TEXT}, {NULL, C_TEXT},
};
static const column TRANSACTIONLINE_COLS[] = {
    {"transaction", C_ID}, {"mainline", C_TEXT}, {"createdfrom", C_ID}, {"location", C_ID}, {NULL, C_TEXT},
};
static const column CUSTOMER_COLS[] = {
    {"id", C_ID}, {"entityid", C_TEXT}, {"externalid", C_TEXT}, {"email", C_TEXT}, {"firstname", C_TEXT},
    {"lastname", C_TEXT}, {"companyname", C_TEXT}, {"datecreated", C_TIME}, {"lastmodifieddate", C_TIME},
    {NULL, C_TEXT},
};
static const column ITEM_COLS[] = {
    {"id", C_ID}, {"itemid", C_TEXT}, {"externalid", C_TEXT}, {"displayname", C_TEXT}, {"itemtype", C_TEXT},
    {"lastmodifieddate", C_TIME}, {"isinactive", C_TEXT},
    /* The brand's custom item fields (SuiteQL names a custom field by its script id). */
    {"custitem_o2c_product", C_TEXT}, {"custitem_o2c_size", C_TEXT}, {NULL, C_TEXT},
};
/* The pricing matrix: one row per item, currency and price level (1 = base price). */
static const column PRICING_COLS[] = {
    {"item", C_ID}, {"currency", C_ID}, {"pricelevel", C_ID}, {"unitprice", C_NUMBER}, {NULL, C_TEXT},
};
static const column STOCK_COLS[] = {
    {"item", C_ID}, {"location", C_ID}, {"quantityonhand", C_NUMBER}, {"quantitycommitted", C_NUMBER},
    {"quantityavailable", C_NUMBER}, {"lastquantityavailablechange", C_TIME}, {NULL, C_TEXT},
};

typedef enum { V_TRANSACTION, V_CUSTOMER, V_ITEM, V_STOCK, V_PRICING } vtable;

static const column *find_col(const column *cols, const char *name)
{
    for (; cols->name; cols++)
        if (strcmp(cols->name, name) == 0)
            return cols;
    return NULL;
}

/* ---- the parsed query ------------------------------------------------------------------------- */

#define MAX_ITEMS 32

typedef struct colref {
    const column *col;
    char label[64];  /* output name */
    char fmt[64];    /* TO_CHAR format, "" when none */
} colref;

typedef struct pred {
    const column *col;
    char op[4];      /* "=", "<>", "<", "<=", ">", ">=", "in", "nul" (IS NULL), "nn" (IS NOT NULL) */
    char fold;       /* 'U' for UPPER(col), 'L' for LOWER(col), '\0' for the column as it is */
    int n_values;
    char values[16][256];
    bool value_is_time;
} pred;

typedef struct query {
    vtable table;
    char alias[64], line_alias[64];
    bool joined_lines;
    colref select[MAX_ITEMS];
    int n_select;
    bool star;
    pred where[MAX_ITEMS];
    int n_where;
    struct { const column *col; bool desc; } order[8];
    int n_order;
} query;

static const column *table_cols(vtable t)
{
    switch (t) {
    case V_TRANSACTION: return TRANSACTION_COLS;
    case V_CUSTOMER: return CUSTOMER_COLS;
    case V_ITEM: return ITEM_COLS;
    case V_PRICING: return PRICING_COLS;
    default: return STOCK_COLS;
    }
}

/* Resolves [alias.]column against the query's tables. */
static bool parse_column(parser *ps, query *q, const column **out, char *label, size_t label_len)
{
    if (ps->tok.kind != T_IDENT)
        return fail(ps, "expected a column near '%s'", ps->tok.text);
    char first[256], second[256] = "";
    snprintf(first, sizeof first, "%s", ps->tok.text);
    if (!next(ps))
        return false;
    if (is_punct(ps, '.')) {
        if (!next(ps) || ps->tok.kind != T_IDENT)
            return fail(ps, "expected a column after '%s.'", first);
        snprintf(second, sizeof second, "%s", ps->tok.text);
        if (!next(ps))
            return false;
    }
    const char *name = second[0] ? second : first;
    const char *alias = second[0] ? first : NULL;
    const column *c = NULL;
    if (alias && q->joined_lines && strcmp(alias, q->line_alias) == 0) {
        c = find_col(TRANSACTIONLINE_COLS, name);
    } else if (alias && strcmp(alias, q->alias) != 0) {
        return fail(ps, "Unknown identifier '%s'.", alias);
    } else {
        c = find_col(table_cols(q->table), name);
        if (!c && !alias && q->joined_lines)
            c = find_col(TRANSACTIONLINE_COLS, name);
    }
    if (!c)
        return fail(ps, "Field '%s' for record '%s' was not found. Reason: NOT_EXPOSED - Not available for channel SEARCH",
                    name, alias && q->joined_lines && strcmp(alias, q->line_alias) == 0 ? "transactionLine"
                          : q->table == V_TRANSACTION ? "transaction" : q->table == V_CUSTOMER ? "customer"
                          : q->table == V_ITEM ? "item" : q->table == V_PRICING ? "pricing" : "inventoryItemLocations");
    *out = c;
    snprintf(label, label_len, "%s", name);
    return true;
}

static bool parse_time_value(parser *ps, char *out, size_t len)
{
    /* TO_TIMESTAMP('2026-11-01 10:00:00', 'YYYY-MM-DD HH24:MI:SS') or TO_DATE('2026-11-01', 'YYYY-MM-DD') */
    if (!next(ps) || !expect_punct(ps, '('))
        return false;
    if (ps->tok.kind != T_STRING)
        return fail(ps, "expected a string in TO_TIMESTAMP/TO_DATE");
    snprintf(out, len, "%s", ps->tok.text);
    if (!next(ps))
        return false;
    if (is_punct(ps, ',')) {
        if (!next(ps) || ps->tok.kind != T_STRING)
            return fail(ps, "expected a format string");
        if (!next(ps))
            return false;
    }
    if (sb_parse_time(out) < 0)
        return fail(ps, "Invalid date/time value '%s'.", out);
    return expect_punct(ps, ')');
}

static bool parse_value(parser *ps, pred *p)
{
    if (p->n_values >= 16)
        return fail(ps, "too many values");
    char *out = p->values[p->n_values];
    if (is_kw(ps, "to_timestamp") || is_kw(ps, "to_date")) {
        p->value_is_time = true;
        if (!parse_time_value(ps, out, 256))
            return false;
    } else if (ps->tok.kind == T_STRING || ps->tok.kind == T_NUMBER) {
        snprintf(out, 256, "%s", ps->tok.text);
        if (!next(ps))
            return false;
    } else {
        return fail(ps, "expected a value near '%s'", ps->tok.text);
    }
    p->n_values++;
    return true;
}

static bool parse_predicate(parser *ps, query *q)
{
    if (q->n_where >= MAX_ITEMS)
        return fail(ps, "too many conditions");
    pred *p = &q->where[q->n_where++];
    char label[64];
    if (is_kw(ps, "upper") || is_kw(ps, "lower")) {
        /* UPPER(col) / LOWER(col): how a case-blind text match is written in SuiteQL (Oracle). */
        p->fold = is_kw(ps, "upper") ? 'U' : 'L';
        const char *fn = p->fold == 'U' ? "UPPER" : "LOWER";
        if (!next(ps) || !expect_punct(ps, '('))
            return false;
        if (!parse_column(ps, q, &p->col, label, sizeof label))
            return false;
        if (!is_punct(ps, ')'))
            return fail(ps, "expected ')' after the column in %s near '%s'", fn, ps->tok.text);
        if (!next(ps))
            return false;
        if (p->col->kind != C_TEXT)
            return fail(ps, "the sandbox applies %s only to text columns, not %s", fn, p->col->name);
    } else if (!parse_column(ps, q, &p->col, label, sizeof label)) {
        return false;
    }
    if (is_kw(ps, "is")) {
        if (!next(ps))
            return false;
        bool not = is_kw(ps, "not");
        if (not && !next(ps))
            return false;
        snprintf(p->op, sizeof p->op, "%s", not ? "nn" : "nul");
        return expect_kw(ps, "null");
    }
    if (is_kw(ps, "in")) {
        snprintf(p->op, sizeof p->op, "in");
        if (!next(ps) || !expect_punct(ps, '('))
            return false;
        for (;;) {
            if (!parse_value(ps, p))
                return false;
            if (!is_punct(ps, ','))
                break;
            if (!next(ps))
                return false;
        }
        return expect_punct(ps, ')');
    }
    if (ps->tok.kind != T_OP)
        return fail(ps, "expected a comparison near '%s'", ps->tok.text);
    snprintf(p->op, sizeof p->op, "%.3s", strcmp(ps->tok.text, "!=") == 0 ? "<>" : ps->tok.text);
    if (!next(ps))
        return false;
    if (p->col->kind == C_TIME && ps->tok.kind == T_STRING && sb_parse_time(ps->tok.text) < 0)
        return fail(ps, "Invalid date/time value '%s'.", ps->tok.text);
    return parse_value(ps, p);
}

static bool parse_table(parser *ps, query *q)
{
    if (ps->tok.kind != T_IDENT)
        return fail(ps, "expected a table name");
    const char *t = ps->tok.text;
    if (strcmp(t, "transaction") == 0) q->table = V_TRANSACTION;
    else if (strcmp(t, "customer") == 0) q->table = V_CUSTOMER;
    else if (strcmp(t, "item") == 0) q->table = V_ITEM;
    else if (strcmp(t, "pricing") == 0) q->table = V_PRICING;
    else if (strcmp(t, "inventoryitemlocations") == 0 || strcmp(t, "aggregateitemlocation") == 0) q->table = V_STOCK;
    else
        return fail(ps, "Record '%s' was not found.", t);
    snprintf(q->alias, sizeof q->alias, "%.63s", t);
    if (!next(ps))
        return false;
    if (is_kw(ps, "as") && !next(ps))
        return false;
    if (ps->tok.kind == T_IDENT && !is_kw(ps, "join") && !is_kw(ps, "inner") && !is_kw(ps, "where") &&
        !is_kw(ps, "order") && !is_kw(ps, "left")) {
        snprintf(q->alias, sizeof q->alias, "%.63s", ps->tok.text);
        if (!next(ps))
            return false;
    }
    return true;
}

/* JOIN transactionline tl ON tl.transaction = t.id — the only join the sandbox knows. */
static bool parse_join(parser *ps, query *q)
{
    if ((is_kw(ps, "inner") || is_kw(ps, "left")) && !next(ps))
        return false;
    if (!expect_kw(ps, "join"))
        return false;
    if (q->table != V_TRANSACTION || !is_kw(ps, "transactionline"))
        return fail(ps, "the sandbox joins only transaction with transactionline");
    snprintf(q->line_alias, sizeof q->line_alias, "transactionline");
    if (!next(ps))
        return false;
    if (is_kw(ps, "as") && !next(ps))
        return false;
    if (ps->tok.kind == T_IDENT && !is_kw(ps, "on")) {
        snprintf(q->line_alias, sizeof q->line_alias, "%.63s", ps->tok.text);
        if (!next(ps))
            return false;
    }
    q->joined_lines = true;
    if (!expect_kw(ps, "on"))
        return false;
    const column *a, *b;
    char label[64];
    if (!parse_column(ps, q, &a, label, sizeof label))
        return false;
    if (ps->tok.kind != T_OP || strcmp(ps->tok.text, "=") != 0 || !next(ps))
        return fail(ps, "expected '=' in the join condition");
    if (!parse_column(ps, q, &b, label, sizeof label))
        return false;
    bool ok = (strcmp(a->name, "transaction") == 0 && strcmp(b->name, "id") == 0) ||
              (strcmp(b->name, "transaction") == 0 && strcmp(a->name, "id") == 0);
    return ok ? true : fail(ps, "the join condition must be transactionline.transaction = transaction.id");
}

static bool parse_select_item(parser *ps, query *q)
{
    if (q->n_select >= MAX_ITEMS)
        return fail(ps, "too many columns");
    colref *c = &q->select[q->n_select++];
    if (is_kw(ps, "to_char")) {
        if (!next(ps) || !expect_punct(ps, '('))
            return false;
        if (!parse_column(ps, q, &c->col, c->label, sizeof c->label))
            return false;
        if (!expect_punct(ps, ',') || ps->tok.kind != T_STRING)
            return fail(ps, "TO_CHAR needs a format string");
        snprintf(c->fmt, sizeof c->fmt, "%.63s", ps->tok.text);
        if (!next(ps) || !expect_punct(ps, ')'))
            return false;
        if (c->col->kind != C_TIME)
            return fail(ps, "the sandbox formats only date-time columns with TO_CHAR");
        snprintf(c->label, sizeof c->label, "expr%d", q->n_select);
    } else if (!parse_column(ps, q, &c->col, c->label, sizeof c->label)) {
        return false;
    }
    if (is_kw(ps, "as")) {
        if (!next(ps) || ps->tok.kind != T_IDENT)
            return fail(ps, "expected a name after AS");
        snprintf(c->label, sizeof c->label, "%.63s", ps->tok.text);
        return next(ps);
    }
    if (ps->tok.kind == T_IDENT && !is_kw(ps, "from")) {
        snprintf(c->label, sizeof c->label, "%.63s", ps->tok.text);
        return next(ps);
    }
    return true;
}

/* The select list refers to aliases declared later in FROM, so it is parsed in a second pass. */
static bool parse_query(const char *sql, query *q, char *err, size_t errlen)
{
    parser ps = {.src = sql, .p = sql};
    memset(q, 0, sizeof *q);
    bool ok = next(&ps) && expect_kw(&ps, "select");
    const char *select_start = ps.p - strlen(ps.tok.text); /* the first select token is a name, '*' or TO_CHAR */
    /* Skip to FROM at depth 0. */
    int depth = 0;
    while (ok && ps.tok.kind != T_END && !(depth == 0 && is_kw(&ps, "from"))) {
        if (is_punct(&ps, '(')) depth++;
        if (is_punct(&ps, ')')) depth--;
        ok = next(&ps);
    }
    ok = ok && expect_kw(&ps, "from") && parse_table(&ps, q);
    while (ok && (is_kw(&ps, "join") || is_kw(&ps, "inner") || is_kw(&ps, "left")))
        ok = parse_join(&ps, q);
    if (ok && is_kw(&ps, "where")) {
        ok = next(&ps) && parse_predicate(&ps, q);
        while (ok && is_kw(&ps, "and"))
            ok = next(&ps) && parse_predicate(&ps, q);
        if (ok && is_kw(&ps, "or"))
            ok = fail(&ps, "the sandbox supports only AND between conditions");
    }
    if (ok && is_kw(&ps, "order")) {
        ok = next(&ps) && expect_kw(&ps, "by");
        while (ok) {
            if (q->n_order >= 8) {
                ok = fail(&ps, "too many ORDER BY columns");
                break;
            }
            char label[64];
            ok = parse_column(&ps, q, &q->order[q->n_order].col, label, sizeof label);
            if (ok && (is_kw(&ps, "asc") || is_kw(&ps, "desc"))) {
                q->order[q->n_order].desc = is_kw(&ps, "desc");
                ok = next(&ps);
            }
            q->n_order++;
            if (!ok || !is_punct(&ps, ','))
                break;
            ok = next(&ps);
        }
    }
    if (ok && ps.tok.kind != T_END)
        ok = fail(&ps, "unexpected '%s'", ps.tok.text);
    /* Second pass: the select list, now that aliases are known. */
    if (ok) {
        parser sel = {.src = sql, .p = select_start};
        ok = next(&sel);
        if (ok && is_punct(&sel, '*')) {
            q->star = true;
            ok = next(&sel);
        } else {
            while (ok) {
                ok = parse_select_item(&sel, q);
                if (!ok || !is_punct(&sel, ','))
                    break;
                ok = next(&sel);
            }
        }
        if (ok && !is_kw(&sel, "from"))
            ok = fail(&sel, "unexpected '%s' in the select list", sel.tok.text);
        if (!ok)
            snprintf(ps.err, sizeof ps.err, "%s", sel.err);
    }
    if (!ok)
        snprintf(err, errlen, "%s", ps.err[0] ? ps.err : "syntax error");
    return ok;
}

/* ---- rows -------------------------------------------------------------------------------------- */

typedef struct row {
    long order;          /* creation order: the stable tiebreak */
    json_object *vals;   /* column → string or int64 (times) */
} row;

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static void put_str(json_object *o, const char *key, const char *value)
{
    if (value && *value)
        json_object_object_add(o, key, json_object_new_string(value));
}

static void put_ref(json_object *o, const char *key, json_object *ref_obj)
{
    put_str(o, key, json_object_get_string(get(ref_obj, "id")));
}

static const char *STATUS_NAMES[][2] = {
    {"Pending Fulfillment", "B"}, {"Partially Fulfilled", "D"}, {"Pending Billing", "F"},
    {"Pending Receipt", "B"}, {"Refunded", "H"}, {"C", "C"},
};

static json_object *transaction_row(const ns_record *r)
{
    json_object *o = json_object_new_object(), *b = r->body;
    char id[32];
    put_str(o, "id", r->id);
    put_str(o, "type", r->type->tran_code);
    put_str(o, "externalid", r->external_id);
    snprintf(id, sizeof id, "%s%s", r->type == &NS_SALES_ORDER ? "SO" : r->type == &NS_ITEM_FULFILLMENT ? "IF"
                                     : r->type == &NS_RETURN_AUTHORIZATION ? "RMA" : r->type == &NS_CREDIT_MEMO ? "CM" : "JE",
             r->id);
    put_str(o, "tranid", id);
    double t = sb_parse_time(json_object_get_string(get(b, "tranDate")));
    if (t >= 0)
        json_object_object_add(o, "trandate", json_object_new_int64((int64_t)t));
    json_object_object_add(o, "createddate", json_object_new_int64(r->created));
    json_object_object_add(o, "lastmodifieddate", json_object_new_int64(r->modified));
    put_ref(o, "entity", get(b, "entity"));
    const char *status = json_object_get_string(get(b, r->type == &NS_ITEM_FULFILLMENT ? "shipStatus" : "orderStatus"));
    for (size_t i = 0; status && i < sizeof STATUS_NAMES / sizeof STATUS_NAMES[0]; i++)
        if (strcmp(status, STATUS_NAMES[i][0]) == 0)
            status = STATUS_NAMES[i][1];
    put_str(o, "status", status);
    put_str(o, "otherrefnum", json_object_get_string(get(b, "otherRefNum")));
    put_str(o, "memo", json_object_get_string(get(b, "memo")));
    put_ref(o, "currency", get(b, "currency"));
    put_str(o, "foreigntotal", json_object_get_string(get(b, "total")));
    put_str(o, "shipcarrier", json_object_get_string(get(b, "shipCarrier")));
    json_object *pkgs = get(get(b, "package"), "items");
    char tracking[1024] = "";
    for (size_t i = 0; pkgs && i < json_object_array_length(pkgs); i++) {
        const char *tn = json_object_get_string(get(json_object_array_get_idx(pkgs, i), "packageTrackingNumber"));
        if (tn && strlen(tracking) + strlen(tn) + 2 < sizeof tracking) {
            if (tracking[0])
                strcat(tracking, " ");
            strcat(tracking, tn);
        }
    }
    put_str(o, "trackingnumberlist", tracking);
    /* transactionline, main line */
    put_str(o, "transaction", r->id);
    put_str(o, "mainline", "T");
    put_ref(o, "createdfrom", get(b, "createdFrom"));
    put_ref(o, "location", get(b, "location"));
    return o;
}

/* SuiteQL's item.itemtype for each kind of item record; NULL for records that are not items. */
static const char *item_type_code(const ns_type *type)
{
    if (type == &NS_INVENTORY_ITEM)
        return "InvtPart";
    if (type == &NS_OTHER_CHARGE_ITEM)
        return "OthCharge";
    if (type == &NS_DISCOUNT_ITEM)
        return "Discount";
    return NULL;
}

static size_t build_rows(ns_state *ns, const query *q, row **out)
{
    size_t cap = q->table == V_STOCK ? ns->seed->n_items * ns->seed->n_locations : ns->n_records;
    if (q->table == V_PRICING) {
        cap = 0;
        for (size_t i = 0; i < ns->n_records; i++) {
            json_object *pricing = get(ns->records[i]->body, "pricing");
            cap += json_object_is_type(pricing, json_type_array) ? json_object_array_length(pricing) : 0;
        }
    }
    row *rows = calloc(cap + 1, sizeof *rows);
    size_t n = 0;
    if (!rows)
        return 0;
    if (q->table == V_STOCK) {
        for (size_t i = 0; i < ns->seed->n_items; i++)
            for (size_t l = 0; l < ns->seed->n_locations; l++) {
                const ns_stock *s = ns_stock_at(ns, (int)i, (int)l);
                json_object *o = json_object_new_object();
                char num[32];
                put_str(o, "item", ns->seed->items[i].netsuite_item_id);
                put_str(o, "location", ns->seed->locations[l].netsuite_id);
                snprintf(num, sizeof num, "%lld", (long long)s->on_hand);
                put_str(o, "quantityonhand", num);
                snprintf(num, sizeof num, "%lld", (long long)s->committed);
                put_str(o, "quantitycommitted", num);
                snprintf(num, sizeof num, "%lld", (long long)(s->on_hand - s->committed));
                put_str(o, "quantityavailable", num);
                json_object_object_add(o, "lastquantityavailablechange", json_object_new_int64(s->changed));
                rows[n++] = (row){s->seq * 1000 + (long)l, o};
            }
    } else {
        for (size_t i = 0; i < ns->n_records; i++) {
            const ns_record *r = ns->records[i];
            json_object *o = NULL;
            if (q->table == V_TRANSACTION && r->type->tran_code) {
                o = transaction_row(r);
            } else if (q->table == V_CUSTOMER && r->type == &NS_CUSTOMER) {
                o = json_object_new_object();
                put_str(o, "id", r->id);
                put_str(o, "externalid", r->external_id);
                put_str(o, "entityid", json_object_get_string(get(r->body, "entityId")));
                put_str(o, "email", json_object_get_string(get(r->body, "email")));
                put_str(o, "firstname", json_object_get_string(get(r->body, "firstName")));
                put_str(o, "lastname", json_object_get_string(get(r->body, "lastName")));
                put_str(o, "companyname", json_object_get_string(get(r->body, "companyName")));
                json_object_object_add(o, "datecreated", json_object_new_int64(r->created));
                json_object_object_add(o, "lastmodifieddate", json_object_new_int64(r->modified));
            } else if (q->table == V_ITEM && item_type_code(r->type)) {
                o = json_object_new_object();
                put_str(o, "id", r->id);
                put_str(o, "externalid", r->external_id);
                put_str(o, "itemid", json_object_get_string(get(r->body, "itemId")));
                put_str(o, "displayname", json_object_get_string(get(r->body, "displayName")));
                put_str(o, "itemtype", item_type_code(r->type));
                json_object_object_add(o, "lastmodifieddate", json_object_new_int64(r->modified));
                put_str(o, "isinactive", json_object_get_boolean(get(r->body, "isInactive")) ? "T" : "F");
                put_str(o, "custitem_o2c_product", json_object_get_string(get(r->body, "custitem_o2c_product")));
                put_str(o, "custitem_o2c_size", json_object_get_string(get(r->body, "custitem_o2c_size")));
            } else if (q->table == V_PRICING && item_type_code(r->type)) {
                json_object *pricing = get(r->body, "pricing");
                size_t n_prices = json_object_is_type(pricing, json_type_array) ? json_object_array_length(pricing) : 0;
                for (size_t k = 0; k < n_prices; k++) {
                    json_object *pr = json_object_array_get_idx(pricing, k), *p = json_object_new_object();
                    put_str(p, "item", r->id);
                    put_str(p, "currency", json_object_get_string(get(pr, "currency")));
                    put_str(p, "pricelevel", "1");
                    put_str(p, "unitprice", json_object_get_string(get(pr, "unitPrice")));
                    rows[n++] = (row){r->seq * 100 + (long)k, p};
                }
            }
            if (o)
                rows[n++] = (row){r->seq, o};
        }
    }
    *out = rows;
    return n;
}

/* Compares a row's column with a literal: <0, 0, >0; 2 when the column is null. fold 'U' or 'L'
 * compares the text column upper- or lower-cased (ASCII letters only; other bytes, UTF-8 included,
 * are compared as they are) with the literal as written. */
static int compare_value(const column *c, json_object *v, const char *literal, char fold)
{
    if (!v)
        return 2;
    if (fold) {
        const char *s = json_object_get_string(v);
        for (;; s++, literal++) {
            unsigned char a = (unsigned char)*s, b = (unsigned char)*literal;
            if (fold == 'U' && a >= 'a' && a <= 'z')
                a = (unsigned char)(a - 'a' + 'A');
            else if (fold == 'L' && a >= 'A' && a <= 'Z')
                a = (unsigned char)(a - 'A' + 'a');
            if (a != b || !a)
                return a < b ? -1 : a > b;
        }
    }
    if (c->kind == C_TIME) {
        double lit = sb_parse_time(literal);
        int64_t t = json_object_get_int64(v);
        return t < lit ? -1 : t > lit ? 1 : 0;
    }
    const char *s = json_object_get_string(v);
    if (c->kind == C_ID || c->kind == C_NUMBER) {
        char *end1, *end2;
        double a = strtod(s, &end1), b = strtod(literal, &end2);
        if (!*end1 && !*end2)
            return a < b ? -1 : a > b ? 1 : 0;
    }
    return strcmp(s, literal);
}

static bool matches(const query *q, const row *r)
{
    for (int i = 0; i < q->n_where; i++) {
        const pred *p = &q->where[i];
        json_object *v = get(r->vals, p->col->name);
        if (strcmp(p->op, "nul") == 0) {
            if (v)
                return false;
            continue;
        }
        if (strcmp(p->op, "nn") == 0) {
            if (!v)
                return false;
            continue;
        }
        if (strcmp(p->op, "in") == 0) {
            bool any = false;
            for (int k = 0; k < p->n_values && !any; k++)
                any = compare_value(p->col, v, p->values[k], p->fold) == 0;
            if (!any)
                return false;
            continue;
        }
        int c = compare_value(p->col, v, p->values[0], p->fold);
        if (c == 2)
            return false;
        bool ok = strcmp(p->op, "=") == 0 ? c == 0 : strcmp(p->op, "<>") == 0 ? c != 0
                : strcmp(p->op, "<") == 0 ? c < 0 : strcmp(p->op, "<=") == 0 ? c <= 0
                : strcmp(p->op, ">") == 0 ? c > 0 : strcmp(p->op, ">=") == 0 ? c >= 0 : false;
        if (!ok)
            return false;
    }
    return true;
}

static int compare_rows(const void *a, const void *b, void *ctx)
{
    const row *x = a, *y = b;
    const query *sort_query = ctx;
    for (int i = 0; i < sort_query->n_order; i++) {
        const column *c = sort_query->order[i].col;
        json_object *u = get(x->vals, c->name), *v = get(y->vals, c->name);
        int r;
        if (!u || !v) {
            r = (u != NULL) - (v != NULL);
        } else if (c->kind == C_TIME) {
            int64_t s = json_object_get_int64(u), t = json_object_get_int64(v);
            r = s < t ? -1 : s > t;
        } else if (c->kind == C_ID || c->kind == C_NUMBER) {
            double s = atof(json_object_get_string(u)), t = atof(json_object_get_string(v));
            r = s < t ? -1 : s > t;
        } else {
            r = strcmp(json_object_get_string(u), json_object_get_string(v));
        }
        if (r)
            return sort_query->order[i].desc ? -r : r;
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Formats epoch seconds with an Oracle-style format (YYYY MM DD HH24 MI SS, "quoted text"). */
static void format_time(int64_t t, const char *fmt, char *out, size_t len)
{
    time_t secs = (time_t)t;
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t o = 0;
    for (const char *f = fmt; *f && o + 8 < len;) {
        if (strncasecmp(f, "YYYY", 4) == 0) { o += (size_t)snprintf(out + o, len - o, "%04d", tm.tm_year + 1900); f += 4; }
        else if (strncasecmp(f, "HH24", 4) == 0) { o += (size_t)snprintf(out + o, len - o, "%02d", tm.tm_hour); f += 4; }
        else if (strncasecmp(f, "MM", 2) == 0) { o += (size_t)snprintf(out + o, len - o, "%02d", tm.tm_mon + 1); f += 2; }
        else if (strncasecmp(f, "DD", 2) == 0) { o += (size_t)snprintf(out + o, len - o, "%02d", tm.tm_mday); f += 2; }
        else if (strncasecmp(f, "MI", 2) == 0) { o += (size_t)snprintf(out + o, len - o, "%02d", tm.tm_min); f += 2; }
        else if (strncasecmp(f, "SS", 2) == 0) { o += (size_t)snprintf(out + o, len - o, "%02d", tm.tm_sec); f += 2; }
        else if (*f == '"') { for (f++; *f && *f != '"' && o + 1 < len; f++) out[o++] = *f; if (*f) f++; }
        else out[o++] = *f++;
    }
    out[o < len ? o : len - 1] = '\0';
}

static json_object *render_value(const column *c, json_object *v, const char *fmt)
{
    char buf[64];
    if (c->kind != C_TIME)
        return json_object_new_string(json_object_get_string(v));
    if (fmt && *fmt) {
        format_time(json_object_get_int64(v), fmt, buf, sizeof buf);
    } else { /* what NetSuite does with a bare date-time column: the date, in the user's format */
        time_t secs = (time_t)json_object_get_int64(v);
        struct tm tm;
        gmtime_r(&secs, &tm);
        snprintf(buf, sizeof buf, "%d/%d/%d", tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900);
    }
    return json_object_new_string(buf);
}

static json_object *link(const char *rel, const char *base, long limit, long offset)
{
    char href[512];
    snprintf(href, sizeof href, "%s" NS_SUITEQL_PATH "?limit=%ld&offset=%ld", base, limit, offset);
    json_object *l = json_object_new_object();
    json_object_object_add(l, "rel", json_object_new_string(rel));
    json_object_object_add(l, "href", json_object_new_string(href));
    return l;
}

const char *ns_suiteql_handle(ns_state *ns, const sb_request *req, sb_response *res)
{
    const char *op = "suiteql";
    if (strcmp(req->method, "POST") != 0) {
        ns_error(res, 405, "INVALID_PARAMETER", NULL, "SuiteQL queries are sent with POST.");
        return op;
    }
    const char *prefer = req->header(req, "Prefer");
    if (!prefer || strcasecmp(prefer, "transient") != 0) {
        ns_error(res, 400, "INVALID_PARAMETER", NULL, "The request header 'Prefer: transient' is required for SuiteQL queries.");
        return op;
    }
    char buf[32];
    long limit = 1000, offset = 0;
    char *end;
    if (sb_query_param(req, "limit", buf, sizeof buf)) {
        limit = strtol(buf, &end, 10);
        if (!buf[0] || *end || limit < 1 || limit > 1000) {
            ns_error(res, 400, "INVALID_PARAMETER", NULL, "Invalid value for parameter limit: %s. It must be 1 to 1000.", buf);
            return op;
        }
    }
    if (sb_query_param(req, "offset", buf, sizeof buf)) {
        offset = strtol(buf, &end, 10);
        if (!buf[0] || *end || offset < 0 || offset % limit != 0) {
            ns_error(res, 400, "INVALID_PARAMETER", NULL, "Invalid value for parameter offset: %s. It must be a multiple of limit.", buf);
            return op;
        }
    }
    json_object *body = sb_parse_json(req->body, req->body_len), *q_text = NULL;
    if (!body || !json_object_object_get_ex(body, "q", &q_text) || !json_object_is_type(q_text, json_type_string)) {
        json_object_put(body);
        ns_error(res, 400, "INVALID_CONTENT", NULL, "The request body must be a JSON object with a string \"q\".");
        return op;
    }
    query q;
    char err[256];
    if (!parse_query(json_object_get_string(q_text), &q, err, sizeof err)) {
        json_object_put(body);
        ns_error(res, 400, "INVALID_PARAMETER", NULL,
                 "Invalid search query. Detailed unprocessed description follows. Search error occurred: %s", err);
        return op;
    }
    json_object_put(body);
    if (q.joined_lines) {
        for (int i = 0; i < q.n_where; i++)
            if (strcmp(q.where[i].col->name, "mainline") == 0 &&
                (strcmp(q.where[i].op, "=") != 0 || strcmp(q.where[i].values[0], "T") != 0)) {
                ns_error(res, 400, "INVALID_PARAMETER", NULL,
                         "Invalid search query: the sandbox holds main lines only (mainline = 'T').");
                return op;
            }
    }
    op = q.table == V_TRANSACTION ? "suiteql.transaction" : q.table == V_CUSTOMER ? "suiteql.customer"
       : q.table == V_ITEM ? "suiteql.item" : "suiteql.inventory";

    pthread_mutex_lock(&ns->lock);
    row *rows = NULL;
    size_t n = build_rows(ns, &q, &rows);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (matches(&q, &rows[i]))
            rows[kept++] = rows[i];
        else
            json_object_put(rows[i].vals);
    }
    qsort_r(rows, kept, sizeof *rows, compare_rows, &q);
    pthread_mutex_unlock(&ns->lock);

    json_object *items = json_object_new_array();
    for (size_t i = (size_t)offset; i < kept && i < (size_t)(offset + limit); i++) {
        json_object *item = json_object_new_object();
        json_object_object_add(item, "links", json_object_new_array());
        if (q.star) {
            json_object_object_foreach(rows[i].vals, key, v) {
                const column *c = find_col(table_cols(q.table), key);
                if (!c)
                    c = find_col(TRANSACTIONLINE_COLS, key);
                if (c && (q.joined_lines || find_col(table_cols(q.table), key)))
                    json_object_object_add(item, key, render_value(c, v, NULL));
            }
        }
        for (int k = 0; k < q.n_select; k++) {
            json_object *v = get(rows[i].vals, q.select[k].col->name);
            if (v)
                json_object_object_add(item, q.select[k].label, render_value(q.select[k].col, v, q.select[k].fmt));
        }
        json_object_array_add(items, item);
    }
    for (size_t i = 0; i < kept; i++)
        json_object_put(rows[i].vals);
    free(rows);

    bool has_more = (size_t)(offset + limit) < kept;
    json_object *out = json_object_new_object(), *links = json_object_new_array();
    long last = kept ? (long)((kept - 1) / (size_t)limit) * limit : 0;
    json_object_array_add(links, link("first", req->base_url, limit, 0));
    if (offset > 0)
        json_object_array_add(links, link("prev", req->base_url, limit, offset - limit));
    if (has_more)
        json_object_array_add(links, link("next", req->base_url, limit, offset + limit));
    json_object_array_add(links, link("last", req->base_url, limit, last));
    json_object_array_add(links, link("self", req->base_url, limit, offset));
    json_object_object_add(out, "links", links);
    json_object_object_add(out, "count", json_object_new_int64((int64_t)json_object_array_length(items)));
    json_object_object_add(out, "hasMore", json_object_new_boolean(has_more));
    json_object_object_add(out, "items", items);
    json_object_object_add(out, "offset", json_object_new_int64(offset));
    json_object_object_add(out, "totalResults", json_object_new_int64((int64_t)kept));
    sb_respond_json(res, 200, out);
    json_object_put(out);
    return op;
}
