/* Centra actions for pipelines.
 *
 *   centra.poll_orders  one round of a perpetual order poller (a state whose ok leads back to
 *       itself). Reads one page of orders changed since the cursor, in updatedAt order, and starts
 *       one child workflow per order — business key centra:<store>:<order number>, input
 *       {"source":"centra","store":…,"order":<the order as Centra returned it>} — plus, for a
 *       cancelled order (status CANCELLED, or cancelled units on a line of an order that had
 *       partly shipped), the cancel workflow with key centra:<store>:<number>:cancel. The starts
 *       and the new cursor commit in the same transaction as this result, so a crash between
 *       reading and committing just reads the page again, and o2c.start's idempotence per
 *       (workflow, business key) makes a re-read start nothing twice.
 *       Context (all optional): cursor (updatedAt of the newest order seen; absent = from the
 *       beginning), after (Centra page cursor, see below), store ("1"), page_size (100, 1..200),
 *       poll_interval_ms (15000), child_workflow ("order_to_cash"), cancel_workflow
 *       ("order_cancellation"). Patch: cursor, after. Ok with delay_ms 0 while there is more to
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

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_PAGE 200                     /* Centra refuses `first` above 200 */
#define MAX_INTERVAL_MS (24 * 3600 * 1000)

struct poll_config {
    const char *cursor;   /* NULL = from the beginning */
    int64_t cursor_us;
    const char *after;    /* NULL = none */
    const char *store, *child, *cancel;
    int page_size, interval_ms;
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
        !read_int(ctx, "page_size", 100, 1, MAX_PAGE, &c->page_size, out) ||
        !read_int(ctx, "poll_interval_ms", 15000, 0, MAX_INTERVAL_MS, &c->interval_ms, out))
        return false;
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
    json_object_object_add(vars, "first", json_object_new_int(c->page_size));
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

/* What the page says about one order, checked before anything is started. */
struct order_view {
    json_object *node;
    int64_t number, updated_us;
    const char *updated;
    bool cancelled;
};

static const char *member_string(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                                                           : NULL;
}

/* Checks edge i of the page; false with a failed outcome naming what is wrong. Centra breaking its
 * own schema is not transient, and skipping the order would lose it, so the poller stops and
 * engineering is told. */
static bool view_order(json_object *edge, size_t i, const char *what, struct order_view *v, struct o2c_outcome *out)
{
    json_object *num;
    v->node = NULL;
    if (!json_object_is_type(edge, json_type_object) || !json_object_object_get_ex(edge, "node", &v->node) ||
        !json_object_is_type(v->node, json_type_object)) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s: edge %zu has no order node",
                           what, i);
        return false;
    }
    if (!json_object_object_get_ex(v->node, "number", &num) || !json_object_is_type(num, json_type_int) ||
        (v->number = json_object_get_int64(num)) <= 0) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s: order %zu on the page has no valid number", what, i);
        return false;
    }
    const char *status = member_string(v->node, "status");
    v->updated = member_string(v->node, "updatedAt");
    if (!status || !v->updated || !centra_parse_time(v->updated, &v->updated_us)) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s: order %" PRId64 " has no readable status or updatedAt", what, v->number);
        return false;
    }
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
                o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s: order %" PRId64 " line %zu has an unreadable cancelledQuantity",
                                   what, v->number, l);
                return false;
            }
            v->cancelled |= json_object_get_int64(q) > 0;
        }
    return true;
}

static void start_children(const struct poll_config *c, const struct order_view *v, struct o2c_outcome *out)
{
    char key[300];
    snprintf(key, sizeof key, "centra:%s:%" PRId64, c->store, v->number);
    json_object *input = json_object_new_object();
    json_object_object_add(input, "source", json_object_new_string("centra"));
    json_object_object_add(input, "store", json_object_new_string(c->store));
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

static void poll_orders(struct o2c_step *step, struct o2c_outcome *out)
{
    struct poll_config c;
    if (!read_config(step, &c, out))
        return;
    char what[400];
    snprintf(what, sizeof what, "orderConnection (first %d, updatedAt from %s%s%s)", c.page_size,
             c.cursor ? c.cursor : "the beginning", c.after ? ", after " : "", c.after ? c.after : "");

    json_object *root;
    if (!centra_graphql(step, what, centra_poll_orders_document, query_variables(&c), &root, out))
        return;
    json_object *data = json_object_object_get(root, "data"), *conn, *edges, *page = NULL, *more;
    if (!json_object_object_get_ex(data, "orderConnection", &conn) || !json_object_is_type(conn, json_type_object) ||
        !json_object_object_get_ex(conn, "edges", &edges) || !json_object_is_type(edges, json_type_array)) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s has no orderConnection.edges list", what);
        json_object_put(root);
        return;
    }
    json_object_object_get_ex(conn, "pageInfo", &page);
    size_t n = json_object_array_length(edges);
    if (n > (size_t)c.page_size) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s has %zu orders, more than the %d asked for", what, n, c.page_size);
        json_object_put(root);
        return;
    }

    /* First check the whole page, so that a bad order starts nothing of the page. */
    struct order_view views[MAX_PAGE];
    size_t newest = 0, cancelled = 0;
    for (size_t i = 0; i < n; i++) {
        if (!view_order(json_object_array_get_idx(edges, i), i, what, &views[i], out)) {
            json_object_put(root);
            return;
        }
        if (views[i].updated_us >= views[newest].updated_us)
            newest = i;
    }
    for (size_t i = 0; i < n; i++) {
        start_children(&c, &views[i], out);
        cancelled += views[i].cancelled;
    }

    o2c_outcome_ok(out);
    const char *cursor = c.cursor;
    if (n > 0 && (!c.cursor || views[newest].updated_us > c.cursor_us)) {
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
    bool has_more = n > 0 && (n == (size_t)c.page_size || (json_object_object_get_ex(page, "hasNextPage", &more) &&
                                                           json_object_get_boolean(more)));
    out->delay_ms = has_more ? 0 : c.interval_ms;

    out->detail = json_object_new_object();
    char msg[600];
    snprintf(msg, sizeof msg, "read %zu Centra orders (%zu cancelled) changed since %s; %s", n, cancelled,
             c.cursor ? c.cursor : "the beginning", has_more ? "more to read" : "caught up");
    json_object_object_add(out->detail, "message", json_object_new_string(msg));
    json_object_object_add(out->detail, "orders", json_object_new_int((int)n));
    json_object_object_add(out->detail, "cancelled", json_object_new_int((int)cancelled));
    if (cursor)
        json_object_object_add(out->detail, "cursor", json_object_new_string(cursor));
    json_object_put(root);
}

const struct o2c_action o2c_centra_actions[] = {
    {"centra.poll_orders", poll_orders, false,
     "one round of a Centra order poller: starts a child workflow per new or changed order (and the "
     "cancel workflow for cancelled ones), advances the updatedAt cursor"},
    {NULL, NULL, false, NULL},
};
