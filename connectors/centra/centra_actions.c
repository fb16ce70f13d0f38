/* Centra actions for pipelines.
 *
 *   centra.poll_orders  one round of a perpetual order poller (a state whose ok leads back to
 *       itself). Reads one page of orders changed since the cursor, in updatedAt order, and starts
 *       one child workflow per order — business key centra:<store>:<order number>, input
 *       {"source":"centra","store":…,"order":<the order as Centra returned it>} — plus, for a
 *       cancelled order (status CANCELLED, or cancelled units on a line of an order that had
 *       partly shipped), the cancel workflow with key centra:<store>:<number>:cancel; for each
 *       successful REFUND entry of the order's paymentHistory, the refund workflow with key
 *       centra:<store>:refund:<entry id> (the canonical return's key) and input {"store", "refund":
 *       {"id", "order_number", "amount", "currency", "refunded_at"}} (sql/api/returns.sql). The starts
 *       and the new cursor commit in the same transaction as this result, so a crash between
 *       reading and committing just reads the page again, and o2c.start's idempotence per
 *       (workflow, business key) makes a re-read start nothing twice.
 *       Context (all optional): cursor (updatedAt of the newest order seen; absent = from the
 *       beginning), after (Centra page cursor, see below), store ("1"), page_size (100, 1..200),
 *       poll_interval_ms (15000), child_workflow ("order_to_cash"), cancel_workflow
 *       ("order_cancellation"), refund_workflow ("refund_to_credit_memo"), return_workflow
 *       ("return_to_credit_memo": a REFUND entry that pays a return back, key
 *       centra:<store>:return:<return id>, the refund as above plus "return_id", "return_number",
 *       "shipping" (the return's shippingCost) and "lines" [{"order_line_id", "quantity"}]). Patch: cursor, after. Ok with delay_ms 0 while there is more to
 *       read, poll_interval_ms otherwise.
 *
 * Ties. Centra's updatedAt has whole seconds, so many orders share one, possibly more than a
 * page. The filter `updatedAt.from` is inclusive and the sort is (updatedAt, id), so:
 *   - When a page ends at a newer time T' than the cursor, the cursor moves to T' and `after` is
 *     dropped. The next round reads from T' again, re-reading the few orders of second T' it has
 *     seen (harmless: their starts are no-ops) but never skipping one placed later in that same
 *     second.
 *   - When a page ends at the cursor's own time (every order on it shares the cursor's second),
 *     moving the cursor cannot make progress, so the page's endCursor is kept in `after` and the
 *     next round asks for the same filter after it. `after` is only ever used with the very
 *     filter that produced it, so it is right whether Centra's cursors are keysets (the sandbox's
 *     are) or offsets into that result.
 * Each round thus either moves the cursor forward or moves `after` forward: the poller cannot
 * loop on one second, and it never passes an order it has not returned. */
#include "connectors/centra/centra.h"
#include "connectors/common/connector.h"
#include "connectors/common/http.h"
#include "connectors/common/text.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_PAGE 200                     /* Centra refuses `first` above 200 */
#define MAX_INTERVAL_MS (24 * 3600 * 1000)

struct poll_config {
    const char *cursor;   /* NULL = from the beginning */
    int64_t cursor_us;
    const char *after;    /* NULL = none */
    const char *store, *child, *cancel, *refund, *return_flow;
    int page_size, interval_ms;
    int page_size_now;    /* fewer while answers come back too large to read; grows back */
};

/* A context value that is present and not null. */
static json_object *present(json_object *ctx, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(ctx, key, &v) && v ? v : NULL;
}

static bool read_string(json_object *ctx, const char *key, const char *fallback, const char **value,
                        struct o2c_outcome *out)
{
    json_object *v = present(ctx, key);
    if (!v) {
        *value = fallback;
        return true;
    }
    if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0 ||
        json_object_get_string_len(v) > 200) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "centra.poll_orders: context \"%s\" must be a non-empty string of at most 200 characters, not %s",
                           key, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        return false;
    }
    *value = json_object_get_string(v);
    return true;
}

static bool read_int(json_object *ctx, const char *key, int fallback, int min, int max, int *value,
                     struct o2c_outcome *out)
{
    json_object *v = present(ctx, key);
    if (!v) {
        *value = fallback;
        return true;
    }
    int64_t n = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : INT64_MIN;
    if (n < min || n > max) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "centra.poll_orders: context \"%s\" must be a whole number from %d to %d, not %s", key,
                           min, max, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        return false;
    }
    *value = (int)n;
    return true;
}

static bool read_config(struct o2c_step *step, struct poll_config *c, struct o2c_outcome *out)
{
    json_object *ctx = o2c_step_context(step);
    memset(c, 0, sizeof *c);
    if (!read_string(ctx, "cursor", NULL, &c->cursor, out) || !read_string(ctx, "after", NULL, &c->after, out) ||
        !read_string(ctx, "store", "1", &c->store, out) ||
        !read_string(ctx, "child_workflow", "order_to_cash", &c->child, out) ||
        !read_string(ctx, "cancel_workflow", "order_cancellation", &c->cancel, out) ||
        !read_string(ctx, "refund_workflow", "refund_to_credit_memo", &c->refund, out) ||
        !read_string(ctx, "return_workflow", "return_to_credit_memo", &c->return_flow, out) ||
        !read_int(ctx, "page_size", 100, 1, MAX_PAGE, &c->page_size, out) ||
        !read_int(ctx, "poll_interval_ms", 15000, 0, MAX_INTERVAL_MS, &c->interval_ms, out) ||
        !read_int(ctx, "page_size_now", c->page_size, 1, MAX_PAGE, &c->page_size_now, out))
        return false;
    if (c->page_size_now > c->page_size)
        c->page_size_now = c->page_size;
    if (c->cursor && !centra_parse_time(c->cursor, &c->cursor_us)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "centra.poll_orders: context \"cursor\" is not a date-time with an offset "
                           "(like 2026-11-23T10:01:06+00:00): \"%s\"", c->cursor);
        return false;
    }
    if (strchr(c->store, ':')) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "centra.poll_orders: context \"store\" may not contain ':' (it is part of business keys): \"%s\"",
                           c->store);
        return false;
    }
    /* An `after` without a cursor was made for a different filter (see the top of this file). */
    if (c->after && !c->cursor)
        c->after = NULL;
    return true;
}

static json_object *query_variables(const struct poll_config *c)
{
    json_object *vars = json_object_new_object();
    json_object_object_add(vars, "first", json_object_new_int(c->page_size_now));
    if (c->cursor) {
        json_object *range = json_object_new_object(), *where = json_object_new_object();
        json_object_object_add(range, "from", json_object_new_string(c->cursor));
        json_object_object_add(where, "updatedAt", range);
        json_object_object_add(vars, "where", where);
    }
    if (c->after)
        json_object_object_add(vars, "after", json_object_new_string(c->after));
    return vars;
}

/* What the page says about one order. An order that cannot be taken in (no readable number,
 * status or updatedAt, a NUL or invalid UTF-8 in any field, which PostgreSQL would refuse with the
 * whole page) is `bad`: it still becomes its own workflow — one that stops at once in an exception
 * for ops holding the raw order safely — and the poller moves on, so one bad order never stops a
 * store. */
struct order_view {
    json_object *node;           /* NULL when the edge has none */
    char number[48];             /* the order number as Centra wrote it (may exceed int64); "" if unreadable */
    int64_t updated_us;          /* -1 when unreadable */
    const char *updated;
    bool cancelled;
    char bad[256];               /* why the order cannot be taken in; "" when it can */
    char *raw;                   /* the edge as received (bad orders only), malloc'd */
};

static const char *member_string(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                                                           : NULL;
}

/* The number's digits as Centra wrote them: json-c keeps an integer beyond int64 as uint64 or as
 * a double with its original text, both printed back digit for digit; one beyond 2^64 - 1 it
 * cannot keep (GraphQL's Int is 32 bits: only a broken answer sends one). False unless it is a
 * positive whole number read exactly. */
static bool number_text(json_object *num, char *out, size_t len)
{
    if (!json_object_is_type(num, json_type_int) && !json_object_is_type(num, json_type_double))
        return false;
    /* json-c saturates integers beyond 2^64 - 1 at that value: not the number Centra sent. */
    if (json_object_is_type(num, json_type_int) && json_object_get_uint64(num) == UINT64_MAX)
        return false;
    const char *t = json_object_to_json_string_ext(num, JSON_C_TO_STRING_PLAIN);
    size_t n = strlen(t);
    if (n == 0 || n > 40 || n >= len || t[0] == '0' || strspn(t, "0123456789") != n)
        return false;
    memcpy(out, t, n + 1);
    return true;
}

static void mark_bad(struct order_view *v, json_object *edge, const char *fmt, const char *arg)
{
    if (!v->bad[0])
        snprintf(v->bad, sizeof v->bad, fmt, arg);
    if (!v->raw) {
        const char *t = json_object_to_json_string_ext(edge, JSON_C_TO_STRING_PLAIN);
        v->raw = strdup(t ? t : "");
    }
}

/* Reads edge i of the page into v; never fails the page. */
static void view_order(json_object *edge, struct order_view *v)
{
    json_object *num;
    memset(v, 0, sizeof *v);
    v->updated_us = -1;
    if (!json_object_is_type(edge, json_type_object) || !json_object_object_get_ex(edge, "node", &v->node) ||
        !json_object_is_type(v->node, json_type_object)) {
        v->node = NULL;
        mark_bad(v, edge, "%s", "the page's edge holds no order");
        return;
    }
    if (!json_object_object_get_ex(v->node, "number", &num) || !number_text(num, v->number, sizeof v->number)) {
        v->number[0] = '\0';
        mark_bad(v, edge, "%s", "it has no order number o2c can read exactly (a positive whole number below 2^64)");
    }
    const char *status = member_string(v->node, "status");
    v->updated = member_string(v->node, "updatedAt");
    if (!v->updated || !centra_parse_time(v->updated, &v->updated_us)) {
        v->updated_us = -1;
        mark_bad(v, edge, "%s", "it has no readable updatedAt");
    }
    if (!status)
        mark_bad(v, edge, "%s", "it has no status");
    /* Text PostgreSQL cannot hold: a NUL (\u0000) or bytes that are not UTF-8, anywhere in it. */
    const char *text = json_object_to_json_string_ext(v->node, JSON_C_TO_STRING_PLAIN);
    if (strstr(text, "\\u0000"))
        mark_bad(v, edge, "%s", "a field holds a NUL character");
    char *copy = strdup(text);
    if (copy && o2c_utf8_sanitize(copy) > 0)
        mark_bad(v, edge, "%s", "a field holds bytes that are not UTF-8");
    free(copy);
    if (v->bad[0])
        return;
    /* A cancellation is status CANCELLED, or (when some units had shipped already and Centra
     * keeps the order SHIPPED) cancelled units on a line: both must reach the cancel workflow. */
    v->cancelled = strcasecmp(status, "CANCELLED") == 0;
    json_object *lines, *q;
    if (json_object_object_get_ex(v->node, "lines", &lines) && json_object_is_type(lines, json_type_array))
        for (size_t l = 0; l < json_object_array_length(lines); l++) {
            json_object *line = json_object_array_get_idx(lines, l);
            if (!json_object_object_get_ex(line, "cancelledQuantity", &q))
                continue;
            if (!json_object_is_type(q, json_type_int) || json_object_get_int64(q) < 0) {
                mark_bad(v, edge, "%s", "a line has an unreadable cancelledQuantity");
                v->cancelled = false;
                return;
            }
            v->cancelled |= json_object_get_int64(q) > 0;
        }
}

/* Base64 of text, malloc'd: the raw bad order, kept where no byte of it can hurt. */
static char *base64(const char *text)
{
    size_t n = strlen(text);
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    if (!out)
        abort();
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)text, (int)n);
    return out;
}

/* A key for an order without a readable number: the first 16 hex digits of its SHA-256. */
static void raw_key(const char *raw, char *out, size_t len)
{
    unsigned char digest[32];
    SHA256((const unsigned char *)raw, strlen(raw), digest);
    for (size_t i = 0; i < 8 && 2 * i + 2 < len; i++)
        snprintf(out + 2 * i, len - 2 * i, "%02x", digest[i]);
}

static void start_children(const struct poll_config *c, const struct order_view *v, struct o2c_outcome *out)
{
    char key[300];
    json_object *input = json_object_new_object();
    json_object_object_add(input, "source", json_object_new_string("centra"));
    json_object_object_add(input, "store", json_object_new_string(c->store));
    if (v->bad[0]) {
        /* Its own workflow, which stops at once in an exception for ops (order_to_cash's map). */
        char hash[20] = "";
        if (v->number[0]) {
            snprintf(key, sizeof key, "centra:%s:%s", c->store, v->number);
        } else {
            raw_key(v->raw, hash, sizeof hash);
            snprintf(key, sizeof key, "centra:%s:unreadable-%s", c->store, hash);
        }
        json_object *bad = json_object_new_object();
        json_object_object_add(bad, "reason", json_object_new_string(v->bad));
        if (v->number[0])
            json_object_object_add(bad, "number", json_object_new_string(v->number));
        char *raw64 = base64(v->raw);
        json_object_object_add(bad, "raw_base64", json_object_new_string(raw64));
        free(raw64);
        json_object_object_add(input, "bad_order", bad);
        o2c_outcome_start(out, c->child, key, input);
        return;
    }
    snprintf(key, sizeof key, "centra:%s:%s", c->store, v->number);
    json_object_object_add(input, "order", json_object_get(v->node));
    if (v->cancelled) {
        char cancel_key[320];
        snprintf(cancel_key, sizeof cancel_key, "%s:cancel", key);
        o2c_outcome_start(out, c->child, key, json_object_get(input));
        o2c_outcome_start(out, c->cancel, cancel_key, input);
    } else {
        o2c_outcome_start(out, c->child, key, input);
    }
}

/* The return a REFUND entry pays back: paramsJSON {"returnId": N}; 0 when it names none. */
static int64_t paid_return(json_object *entry)
{
    const char *params = member_string(entry, "paramsJSON");
    json_object *p = params ? json_tokener_parse(params) : NULL, *id;
    int64_t n = p && json_object_is_type(p, json_type_object) && json_object_object_get_ex(p, "returnId", &id) &&
                        json_object_is_type(id, json_type_int) ? json_object_get_int64(id) : 0;
    json_object_put(p);
    return n;
}

/* Puts the order's return return_id into refund: "return_id", "return_number", "shipping" (its
 * shippingCost as Centra wrote it) and "lines" [{"order_line_id", "quantity"}]. False when the
 * order does not list it (or it has no lines): the refund is then taken as one without goods. */
static bool add_return(json_object *order, int64_t return_id, json_object *refund)
{
    json_object *returns, *r = NULL, *x = NULL, *lines;
    if (!json_object_object_get_ex(order, "returns", &returns) || !json_object_is_type(returns, json_type_array))
        return false;
    for (size_t i = 0; i < json_object_array_length(returns) && !r; i++) {
        json_object *each = json_object_array_get_idx(returns, i);
        if (json_object_object_get_ex(each, "id", &x) && json_object_is_type(x, json_type_int) && json_object_get_int64(x) == return_id)
            r = each;
    }
    if (!r || !json_object_object_get_ex(r, "lines", &lines) || !json_object_is_type(lines, json_type_array) ||
        json_object_array_length(lines) == 0)
        return false;
    json_object *out = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(lines); i++) {
        json_object *l = json_object_array_get_idx(lines, i), *line = json_object_new_object(), *q;
        x = NULL;
        json_object_object_get_ex(l, "orderLineId", &x);
        json_object_object_add(line, "order_line_id", json_object_new_string(x ? json_object_get_string(x) : ""));
        json_object_object_add(line, "quantity",
                               json_object_object_get_ex(l, "quantity", &q) ? json_object_get(q) : NULL);
        json_object_array_add(out, line);
    }
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, return_id);
    json_object_object_add(refund, "return_id", json_object_new_string(id));
    const char *number = member_string(r, "number");
    json_object_object_add(refund, "return_number", number ? json_object_new_string(number) : NULL);
    json_object *cost;
    if (json_object_object_get_ex(r, "shippingCost", &cost) && json_object_object_get_ex(cost, "value", &x) && x)
        json_object_object_add(refund, "shipping", json_object_new_string(json_object_to_json_string_ext(x, JSON_C_TO_STRING_PLAIN)));
    json_object_object_add(refund, "lines", out);
    return true;
}

/* One refund_to_credit_memo per successful REFUND entry of the order's paymentHistory, keyed by
 * the entry's own id, so reading the order again (any later change touches it) starts nothing new.
 * Centra's paymentHistory gives one value per refund, no tax or shipping share: the refund is
 * passed as the whole amount without "tax" or "shipping" (sql/api/returns.sql then takes the
 * order's tax share, and no shipping line). An entry o2c cannot read
 * (no id, no value) is counted and passed by; map_refund refuses unreadable money itself. */
static size_t start_refunds(const struct poll_config *c, const struct order_view *v, size_t *unreadable,
                            struct o2c_outcome *out)
{
    json_object *history, *e, *x, *value, *currency;
    size_t started = 0;
    if (!json_object_object_get_ex(v->node, "paymentHistory", &history) || !json_object_is_type(history, json_type_array))
        return 0;
    for (size_t i = 0; i < json_object_array_length(history); i++) {
        e = json_object_array_get_idx(history, i);
        const char *type = member_string(e, "entryType"), *status = member_string(e, "status");
        if (!type || strcmp(type, "REFUND") != 0 || (status && strcmp(status, "SUCCESS") != 0))
            continue;
        if (!json_object_object_get_ex(e, "id", &x) || !json_object_is_type(x, json_type_int) || json_object_get_int64(x) <= 0 ||
            !json_object_object_get_ex(e, "value", &value) || !json_object_object_get_ex(value, "value", &x) ||
            (!json_object_is_type(x, json_type_double) && !json_object_is_type(x, json_type_int))) {
            (*unreadable)++;
            continue;
        }
        char id[32], key[320];
        json_object_object_get_ex(e, "id", &x);
        snprintf(id, sizeof id, "%" PRId64, json_object_get_int64(x));
        snprintf(key, sizeof key, "centra:%s:refund:%s", c->store, id);
        json_object *refund = json_object_new_object(), *input = json_object_new_object();
        json_object_object_add(refund, "id", json_object_new_string(id));
        json_object_object_add(refund, "order_number", json_object_new_string(v->number));
        /* The decimal text exactly as Centra wrote it (json-c keeps a number's source text). */
        json_object_object_get_ex(value, "value", &x);
        json_object_object_add(refund, "amount", json_object_new_string(json_object_to_json_string_ext(x, JSON_C_TO_STRING_PLAIN)));
        const char *code = json_object_object_get_ex(value, "currency", &currency) ? member_string(currency, "code") : NULL;
        json_object_object_add(refund, "currency", code ? json_object_new_string(code) : NULL);
        const char *at = member_string(e, "createdAt");
        json_object_object_add(refund, "refunded_at", at ? json_object_new_string(at) : NULL);
        json_object_object_add(input, "store", json_object_new_string(c->store));
        json_object_object_add(input, "refund", refund);
        int64_t return_id = paid_return(e);
        if (return_id > 0 && add_return(v->node, return_id, refund)) {
            snprintf(key, sizeof key, "centra:%s:return:%" PRId64, c->store, return_id);
            o2c_outcome_start(out, c->return_flow, key, input);
        } else {
            o2c_outcome_start(out, c->refund, key, input);
        }
        started++;
    }
    return started;
}

/* Did the last call fail because its answer was too large to read (connectors/common/http.h)? */
static bool answer_too_large(const struct o2c_outcome *out)
{
    json_object *v;
    return strcmp(out->name, "retry") == 0 && out->detail && json_object_object_get_ex(out->detail, "too_large", &v) &&
           json_object_get_boolean(v);
}

/* Too large to read: ask for half as many orders next round, at once (no attempt used: nothing is
 * wrong but our page size). When a single order alone is too large, read only where it is, start
 * it as a bad order of its own and pass it by, so the store is never stuck behind it. */
static void fewer_orders(struct o2c_step *step, const struct poll_config *c, const char *what, struct o2c_outcome *out)
{
    char msg[600];
    if (c->page_size_now > 1) {
        int half = c->page_size_now / 2;
        o2c_outcome_clear(out);
        o2c_outcome_ok(out);
        out->delay_ms = 0;
        o2c_outcome_patch(out, "page_size_now", json_object_new_int(half));
        out->detail = json_object_new_object();
        snprintf(msg, sizeof msg, "Centra's answer to %s was larger than %zu bytes; asking for %d orders a page", what,
                 O2C_HTTP_MAX_BODY, half);
        json_object_object_add(out->detail, "message", json_object_new_string(msg));
        return;
    }
    struct poll_config one = *c;
    one.page_size_now = 1;
    json_object *root;
    o2c_outcome_clear(out);
    if (!centra_graphql(step, what, centra_poll_order_keys_document, query_variables(&one), &root, out))
        return;
    json_object *data = json_object_object_get(root, "data"), *conn = NULL, *edges = NULL, *edge, *node = NULL;
    json_object_object_get_ex(data, "orderConnection", &conn);
    json_object_object_get_ex(conn, "edges", &edges);
    edge = edges && json_object_is_type(edges, json_type_array) && json_object_array_length(edges) > 0
               ? json_object_array_get_idx(edges, 0) : NULL;
    json_object_object_get_ex(edge, "node", &node);
    if (!edge) { /* the order is gone from the filter since: nothing to pass by, the next round reads on */
        o2c_outcome_ok(out);
        out->delay_ms = 0;
        json_object_put(root);
        return;
    }
    struct order_view v;
    view_order(edge, &v);
    int64_t updated_us = -1;
    const char *updated = node ? member_string(node, "updatedAt") : NULL;
    const char *edge_cursor = edge ? member_string(edge, "cursor") : NULL;
    if (!updated || !centra_parse_time(updated, &updated_us) || (!edge_cursor && updated_us <= c->cursor_us)) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s is too large to read even for one order, and "
                           "where that order is cannot be read either", what);
        free(v.raw);
        json_object_put(root);
        return;
    }
    snprintf(v.bad, sizeof v.bad, "Centra's answer for this order alone is larger than %zu bytes", O2C_HTTP_MAX_BODY);
    free(v.raw);
    v.raw = strdup(json_object_to_json_string_ext(edge, JSON_C_TO_STRING_PLAIN));
    o2c_outcome_ok(out);
    start_children(c, &v, out);
    free(v.raw);
    if (!c->cursor || updated_us > c->cursor_us) {
        o2c_outcome_patch(out, "cursor", json_object_new_string(updated));
        o2c_outcome_patch(out, "after", NULL);
    } else {
        o2c_outcome_patch(out, "after", json_object_new_string(edge_cursor));
    }
    out->delay_ms = 0;
    out->detail = json_object_new_object();
    snprintf(msg, sizeof msg, "Centra order %s alone is larger than %zu bytes: started as a bad order for ops, passed by",
             v.number[0] ? v.number : "(unreadable number)", O2C_HTTP_MAX_BODY);
    json_object_object_add(out->detail, "message", json_object_new_string(msg));
    json_object_put(root);
}

static void poll_orders(struct o2c_step *step, struct o2c_outcome *out)
{
    struct poll_config c;
    if (!read_config(step, &c, out))
        return;
    char what[400];
    snprintf(what, sizeof what, "orderConnection (first %d, updatedAt from %s%s%s)", c.page_size_now,
             c.cursor ? c.cursor : "the beginning", c.after ? ", after " : "", c.after ? c.after : "");

    json_object *root;
    if (!centra_graphql(step, what, centra_poll_orders_document, query_variables(&c), &root, out)) {
        if (answer_too_large(out))
            fewer_orders(step, &c, what, out);
        return;
    }
    json_object *data = json_object_object_get(root, "data"), *conn, *edges, *page = NULL, *more;
    if (!json_object_object_get_ex(data, "orderConnection", &conn) || !json_object_is_type(conn, json_type_object) ||
        !json_object_object_get_ex(conn, "edges", &edges) || !json_object_is_type(edges, json_type_array)) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s has no orderConnection.edges list", what);
        json_object_put(root);
        return;
    }
    json_object_object_get_ex(conn, "pageInfo", &page);
    size_t n = json_object_array_length(edges);
    if (n > (size_t)c.page_size_now) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s has %zu orders, more than the %d asked for", what, n, c.page_size_now);
        json_object_put(root);
        return;
    }

    /* Each order on its own: a bad one becomes its own workflow, and the page goes on. */
    struct order_view views[MAX_PAGE];
    size_t newest = n, cancelled = 0, bad = 0, refunds = 0, unreadable_refunds = 0;
    for (size_t i = 0; i < n; i++) {
        view_order(json_object_array_get_idx(edges, i), &views[i]);
        if (views[i].updated_us >= 0 && (newest == n || views[i].updated_us >= views[newest].updated_us))
            newest = i;
    }
    for (size_t i = 0; i < n; i++) {
        start_children(&c, &views[i], out);
        if (!views[i].bad[0])
            refunds += start_refunds(&c, &views[i], &unreadable_refunds, out);
        cancelled += views[i].cancelled;
        bad += views[i].bad[0] != '\0';
        free(views[i].raw);
    }

    o2c_outcome_ok(out);
    const char *cursor = c.cursor;
    if (newest < n && (!c.cursor || views[newest].updated_us > c.cursor_us)) {
        cursor = views[newest].updated;
        o2c_outcome_patch(out, "cursor", json_object_new_string(cursor));
        o2c_outcome_patch(out, "after", NULL);
    } else if (n > 0) {
        /* The whole page shares the cursor's second: page on with `after`. */
        const char *end = page ? member_string(page, "endCursor") : NULL;
        if (!end)
            end = member_string(json_object_array_get_idx(edges, n - 1), "cursor");
        if (!end) {
            o2c_outcome_clear(out);
            o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s gives no cursor to read past its %zu orders of %s", what, n,
                               c.cursor);
            json_object_put(root);
            return;
        }
        o2c_outcome_patch(out, "after", json_object_new_string(end));
    }
    /* An empty page is never "more", whatever hasNextPage says: it would spin with no progress. */
    /* After answers too large to read, the page grows back, doubling each good round. */
    if (c.page_size_now < c.page_size)
        o2c_outcome_patch(out, "page_size_now",
                          json_object_new_int(c.page_size_now * 2 < c.page_size ? c.page_size_now * 2 : c.page_size));
    bool has_more = n > 0 && (n == (size_t)c.page_size_now || (json_object_object_get_ex(page, "hasNextPage", &more) &&
                                                           json_object_get_boolean(more)));
    out->delay_ms = has_more ? 0 : c.interval_ms;

    out->detail = json_object_new_object();
    char msg[600];
    snprintf(msg, sizeof msg, "read %zu Centra orders (%zu cancelled, %zu that could not be taken in) changed since %s; %s",
             n, cancelled, bad, c.cursor ? c.cursor : "the beginning", has_more ? "more to read" : "caught up");
    json_object_object_add(out->detail, "message", json_object_new_string(msg));
    json_object_object_add(out->detail, "orders", json_object_new_int((int)n));
    json_object_object_add(out->detail, "cancelled", json_object_new_int((int)cancelled));
    json_object_object_add(out->detail, "bad_orders", json_object_new_int((int)bad));
    json_object_object_add(out->detail, "refunds", json_object_new_int((int)refunds));
    json_object_object_add(out->detail, "unreadable_refunds", json_object_new_int((int)unreadable_refunds));
    if (cursor)
        json_object_object_add(out->detail, "cursor", json_object_new_string(cursor));
    json_object_put(root);
}

const struct o2c_action o2c_centra_actions[] = {
    {"centra.poll_orders", poll_orders, false,
     "one round of a Centra order poller: starts a child workflow per new or changed order (and the "
     "cancel workflow for cancelled ones, the refund workflow per refund), advances the updatedAt cursor"},
    {NULL, NULL, false, NULL},
};
