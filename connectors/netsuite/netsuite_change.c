/* netsuite.close_sales_order and netsuite.change_sales_order_lines: what a change of the storefront
 * order after posting does to its NetSuite sales order (documented in netsuite_actions.c). Both read
 * the order first and then decide, line by line: a change already in effect is not sent again (a
 * re-run after a crash, or after ops did it by hand, sends nothing); a line that has shipped more
 * than the change leaves stops it for ops (goods are on their way); anything else goes in one PATCH
 * of the item sublist. Closing the whole order is the change "close every line". */
#include "connectors/netsuite/netsuite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SALES_ORDER_PATH "/services/rest/record/v1/salesOrder/"
#define MAX_CHANGES 10000

/* One line's change: close it, or set the members of `set` on it (borrowed from the context). */
struct line_change {
    int64_t line;        /* NetSuite's line number (o2c.erp_order_line.erp_line) */
    bool close;
    json_object *set;
};

/* What the read told us about the order. */
struct sales_order {
    const char *id;      /* internal id */
    char name[96];       /* "SO1042" (tranId, what people search by) or "with internal id 647" */
    json_object *lines;  /* item.items, borrowed from the parsed answer */
};

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static bool digits_only(const char *s)
{
    if (!s || !*s || strlen(s) > 32)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* Reads id, tranId and the expanded item sublist; false (outcome set) when the answer is not a
 * sales order as NetSuite sends one with expandSubResources=true. */
static bool read_order(json_object *answer, const char *what, struct sales_order *so, struct o2c_outcome *out)
{
    json_object *id = member(answer, "id"), *tran_id = member(answer, "tranId");
    so->lines = member(member(answer, "item"), "items");
    so->id = id && json_object_is_type(id, json_type_string) ? json_object_get_string(id) : NULL;
    if (!digits_only(so->id) || !so->lines || !json_object_is_type(so->lines, json_type_array)) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "NetSuite's answer to %s has no internal id or no item lines", what);
        return false;
    }
    if (tran_id && json_object_is_type(tran_id, json_type_string) && json_object_get_string_len(tran_id) > 0)
        snprintf(so->name, sizeof so->name, "%s", json_object_get_string(tran_id));
    else
        snprintf(so->name, sizeof so->name, "with internal id %s", so->id);
    return true;
}

/* Line `number` of the order as read: by NetSuite's "line" number, else by position from 1. */
static json_object *line_numbered(const struct sales_order *so, int64_t number)
{
    for (size_t i = 0; i < json_object_array_length(so->lines); i++) {
        json_object *line = json_object_array_get_idx(so->lines, i), *no = member(line, "line");
        if ((no ? json_object_get_int64(no) : (int64_t)i + 1) == number)
            return line;
    }
    return NULL;
}

static int64_t line_number(const struct sales_order *so, size_t i)
{
    json_object *no = member(json_object_array_get_idx(so->lines, i), "line");
    return no ? json_object_get_int64(no) : (int64_t)i + 1;
}

static const struct line_change *change_of(const struct line_change *changes, size_t n, int64_t line)
{
    for (size_t k = 0; k < n; k++)
        if (changes[k].line == line)
            return &changes[k];
    return NULL;
}

/* Does the line already hold `want`? A reference ({"id": …}) is compared by its id, as NetSuite
 * answers it with refName and links besides; numbers as numbers ("80.00" is 80). */
static bool same_value(json_object *have, json_object *want)
{
    if (json_object_is_type(want, json_type_object))
        return have && strcmp(json_object_get_string(member(have, "id")) ? json_object_get_string(member(have, "id")) : "",
                              json_object_get_string(member(want, "id")) ? json_object_get_string(member(want, "id")) : "") == 0;
    if (!have)
        return false;
    if (json_object_is_type(want, json_type_int) || json_object_is_type(want, json_type_double))
        return json_object_get_double(have) == json_object_get_double(want);
    return strcmp(json_object_get_string(have), json_object_get_string(want)) == 0;
}

static bool change_in_effect(json_object *line, const struct line_change *c)
{
    if (c->close)
        return json_object_get_boolean(member(line, "isClosed"));
    json_object_object_foreach(c->set, key, want) {
        if (!same_value(member(line, key), want))
            return false;
    }
    return true;
}

/* Units the change would take from a line that has shipped them, and which lines, e.g.
 * "line 1: 2 of 3 shipped, line 2: 1 of 1 shipped". A close takes every unit; a new quantity
 * takes those above it. */
static double units_taken_after_shipping(const struct sales_order *so, const struct line_change *changes, size_t n,
                                         char *which, size_t len)
{
    double total = 0;
    size_t used = 0;
    which[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        json_object *line = line_numbered(so, changes[k].line);
        double shipped = json_object_get_double(member(line, "quantityFulfilled"));
        if (shipped <= 0 || change_in_effect(line, &changes[k]))
            continue;
        json_object *quantity = changes[k].close ? NULL : member(changes[k].set, "quantity");
        if (!changes[k].close && (!quantity || json_object_get_double(quantity) >= shipped))
            continue;
        total += shipped;
        int w = snprintf(which + used, len - used, "%sline %lld: %g of %g shipped", used ? ", " : "",
                         (long long)changes[k].line, shipped, json_object_get_double(member(line, "quantity")));
        used = w < 0 || (size_t)w >= len - used ? len - 1 : used + (size_t)w; /* cut short: stop adding */
    }
    return total;
}

/* The PATCH body: every line as read, the changed ones changed. A sublist in a PATCH replaces the
 * whole sublist, so leaving a line out would delete it; "line" keeps each line itself. Only
 * "links" goes: it is the answer's navigation, not a field of the line. */
static json_object *changing_patch(const struct sales_order *so, const struct line_change *changes, size_t n)
{
    json_object *items = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(so->lines); i++) {
        json_object *copy = NULL;
        json_object_deep_copy(json_object_array_get_idx(so->lines, i), &copy, NULL);
        if (!json_object_is_type(copy, json_type_object)) {
            json_object_put(copy);
            json_object_put(items);
            return NULL;
        }
        json_object_object_del(copy, "links");
        const struct line_change *c = change_of(changes, n, line_number(so, i));
        if (c && c->close)
            json_object_object_add(copy, "isClosed", json_object_new_boolean(1));
        else if (c) {
            json_object_object_foreach(c->set, key, value) {
                json_object_object_add(copy, key, json_object_get(value));
            }
        }
        json_object_array_add(items, copy);
    }
    json_object *item = json_object_new_object(), *body = json_object_new_object();
    json_object_object_add(item, "items", items);
    json_object_object_add(body, "item", item);
    return body;
}

static void done(const struct sales_order *so, bool whole_close, struct o2c_outcome *out)
{
    o2c_outcome_ok(out);
    o2c_outcome_patch(out, whole_close ? "sales_order_closed" : "sales_order_changed", json_object_new_boolean(1));
    o2c_outcome_patch(out, "sales_order_id", json_object_new_string(so->id));
}

static void shipped_already(const struct sales_order *so, const char *eid, double units, const char *which,
                            struct o2c_outcome *out)
{
    o2c_outcome_failed(out, O2C_FAIL_CANCELLED_AFTER_SHIPPING, "Sales order %s (external id %s) was cancelled or reduced in the store, but %g unit%s on the lines "
                       "it changes already shipped (%s). Nothing was changed in NetSuite. Stop the shipment with the "
                       "warehouse or carrier if it can still be stopped; otherwise book a return for the shipped units. "
                       "Then change the rest of the order in NetSuite.",
                       so->name, eid, units, units == 1 ? "" : "s", which);
    json_object_object_add(out->detail, "sales_order_id", json_object_new_string(so->id));
    json_object_object_add(out->detail, "units_shipped", json_object_new_double(units));
}

/* Decides on a sales order as read, and changes it if that is what is left to do. */
static void apply_changes(struct o2c_step *step, const struct sales_order *so, const char *eid,
                          const struct line_change *changes, size_t n, bool whole_close, struct o2c_outcome *out)
{
    bool all_in_effect = true;
    for (size_t k = 0; k < n; k++) {
        json_object *line = line_numbered(so, changes[k].line);
        if (!line) {
            o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Sales order %s (external id %s) has no line %lld, which o2c posted: "
                               "the order was edited in NetSuite. Change it by hand, then cancel this workflow.",
                               so->name, eid, (long long)changes[k].line);
            return;
        }
        all_in_effect = all_in_effect && change_in_effect(line, &changes[k]);
    }
    /* In effect first: after ops dealt with a shipped order by hand, a re-drive finds nothing to
     * do rather than the same exception again. */
    if (all_in_effect) {
        done(so, whole_close, out);
        return;
    }
    char which[512];
    double units = units_taken_after_shipping(so, changes, n, which, sizeof which);
    if (units > 0) {
        shipped_already(so, eid, units, which, out);
        return;
    }
    json_object *body = changing_patch(so, changes, n);
    if (!body) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "NetSuite sales order %s has an item line that is not an object", so->name);
        return;
    }
    char path[128], what[128];
    snprintf(path, sizeof path, SALES_ORDER_PATH "%s", so->id);
    snprintf(what, sizeof what, "change salesOrder %s", so->id);
    const struct netsuite_options opt = {.not_found_ok = true};
    struct o2c_http_response res;
    if (netsuite_send(step, "PATCH", path, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), what, &opt,
                      &res, out)) {
        if (res.status == 404) /* deleted between our read and our write */
            o2c_outcome_named(out, "not_found");
        else if (res.status == 204)
            done(so, whole_close, out);
        else /* NetSuite answers a PATCH with 204 and no body: anything else is not a known success */
            netsuite_classify(&res, what, out);
        o2c_http_response_free(&res);
    }
    json_object_put(body);
}

/* Reads the sales order `eid` and hands it to apply_changes; changes == NULL means "close every
 * line" (the list is made from the order as read). */
static void change_order(struct o2c_step *step, const char *eid, struct line_change *changes, size_t n,
                         bool whole_close, struct o2c_outcome *out)
{
    char path[300], what[250];
    snprintf(path, sizeof path, SALES_ORDER_PATH "eid:%s?expandSubResources=true", eid);
    snprintf(what, sizeof what, "read salesOrder eid:%s", eid);
    const struct netsuite_options opt = {.not_found_ok = true};
    struct o2c_http_response res;
    if (!netsuite_send(step, "GET", path, NULL, what, &opt, &res, out))
        return;
    if (res.status == 404) {
        o2c_outcome_named(out, "not_found");
        o2c_http_response_free(&res);
        return;
    }
    json_object *answer = netsuite_parse_object(&res);
    struct sales_order so = {0};
    if (!answer)
        netsuite_classify(&res, what, out); /* a 2xx we cannot read: cut off in transit, try again */
    else if (read_order(answer, what, &so, out)) {
        struct line_change *every = NULL;
        if (!changes) {
            n = json_object_array_length(so.lines);
            every = calloc(n ? n : 1, sizeof *every);
            for (size_t i = 0; every && i < n; i++)
                every[i] = (struct line_change){.line = line_number(&so, i), .close = true};
            changes = every;
        }
        if (changes)
            apply_changes(step, &so, eid, changes, n, whole_close, out);
        else
            o2c_outcome_failed(out, O2C_FAIL_ENGINE_ERROR, "out of memory reading sales order %s", so.name);
        free(every);
    }
    json_object_put(answer);
    o2c_http_response_free(&res);
}

static const char *valid_eid(struct o2c_step *step, const char *action, struct o2c_outcome *out)
{
    const char *key = netsuite_param(step, "external_id_key", "sales_order_external_id");
    const char *eid = o2c_step_string(step, key);
    if (!netsuite_valid_external_id(eid)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "%s needs context key \"%s\", the sales order's external id "
                           "of letters, digits, _ and - (got \"%s\")", action, key, eid ? eid : "");
        return NULL;
    }
    return eid;
}

/* The context list under `key`, non-empty and at most MAX_CHANGES long; NULL (outcome set) if not. */
static json_object *context_list(struct o2c_step *step, const char *action, const char *key, const char *of,
                                 struct o2c_outcome *out)
{
    json_object *list = NULL;
    if (!json_object_object_get_ex(o2c_step_context(step), key, &list) || !json_object_is_type(list, json_type_array) ||
        json_object_array_length(list) == 0 || json_object_array_length(list) > MAX_CHANGES) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "%s needs context key \"%s\", a list of %s (1 to %d)", action, key, of,
                           MAX_CHANGES);
        return NULL;
    }
    return list;
}

static bool positive_int(json_object *v)
{
    return v && json_object_is_type(v, json_type_int) && json_object_get_int64(v) > 0;
}

void netsuite_close_sales_order(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *eid = valid_eid(step, "netsuite.close_sales_order", out);
    if (!eid)
        return;
    /* Param lines_key: the context key of the line numbers to close (a partial cancellation);
     * without it every line is closed. */
    const char *lines_key = o2c_step_param(step, "lines_key");
    if (!lines_key) {
        change_order(step, eid, NULL, 0, true, out);
        return;
    }
    json_object *only = context_list(step, "netsuite.close_sales_order", lines_key, "line numbers to close", out);
    if (!only)
        return;
    size_t n = json_object_array_length(only);
    struct line_change *changes = calloc(n, sizeof *changes);
    for (size_t k = 0; changes && k < n; k++) {
        json_object *no = json_object_array_get_idx(only, k);
        if (!positive_int(no)) {
            o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.close_sales_order needs context key \"%s\", a list of "
                               "line numbers to close", lines_key);
            free(changes);
            return;
        }
        changes[k] = (struct line_change){.line = json_object_get_int64(no), .close = true};
    }
    if (changes)
        change_order(step, eid, changes, n, true, out);
    else
        o2c_outcome_failed(out, O2C_FAIL_ENGINE_ERROR, "out of memory");
    free(changes);
}

void netsuite_change_sales_order_lines(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *action = "netsuite.change_sales_order_lines";
    const char *eid = valid_eid(step, action, out);
    if (!eid)
        return;
    const char *key = netsuite_param(step, "changes_key", "line_changes");
    json_object *list = context_list(step, action, key, "line changes ({\"line\": n, \"close\": true} or {\"line\": n, \"set\": {…}})", out);
    if (!list)
        return;
    size_t n = json_object_array_length(list);
    struct line_change *changes = calloc(n, sizeof *changes);
    if (!changes) {
        o2c_outcome_failed(out, O2C_FAIL_ENGINE_ERROR, "out of memory");
        return;
    }
    for (size_t k = 0; k < n; k++) {
        json_object *c = json_object_array_get_idx(list, k), *set = member(c, "set");
        bool close = json_object_get_boolean(member(c, "close"));
        if (!positive_int(member(c, "line")) || close == (set != NULL) ||
            (set && (!json_object_is_type(set, json_type_object) || member(set, "line") || member(set, "isClosed")))) {
            o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "%s: change %zu of context key \"%s\" is not {\"line\": n, \"close\": true} "
                               "or {\"line\": n, \"set\": {fields other than line and isClosed}}", action, k + 1, key);
            free(changes);
            return;
        }
        changes[k] = (struct line_change){.line = json_object_get_int64(member(c, "line")), .close = close, .set = set};
    }
    change_order(step, eid, changes, n, false, out);
    free(changes);
}
