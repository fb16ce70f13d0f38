/* netsuite.close_sales_order: closes the lines of a sales order whose storefront order was
 * cancelled (documented in netsuite_actions.c). Read first, then decide: lines already closed mean
 * the work is done (a re-run after a crash, or after ops closed it by hand, sends nothing); a line
 * that has shipped stops it for ops (goods are on their way to someone who cancelled); anything
 * else is closed in one PATCH. */
#include "connectors/netsuite/netsuite.h"

#include <stdio.h>
#include <string.h>

#define SALES_ORDER_PATH "/services/rest/record/v1/salesOrder/"

/* What the read told us about the order. */
struct sales_order {
    const char *id;      /* internal id */
    char name[96];       /* "SO1042" (tranId, what people search by) or "with internal id 647" */
    json_object *lines;  /* item.items, borrowed from the parsed answer */
    json_object *only;   /* the line numbers to close (context list), borrowed; NULL = every line */
};

/* Is line i of the order one to close? Lines are named by their "line" number (NetSuite's, 1, 2, …
 * as o2c.erp_order_line records them), else by position. */
static bool selected(const struct sales_order *so, size_t i)
{
    if (!so->only)
        return true;
    json_object *line = json_object_array_get_idx(so->lines, i), *no = NULL;
    int64_t number = line && json_object_object_get_ex(line, "line", &no) ? json_object_get_int64(no) : (int64_t)i + 1;
    for (size_t k = 0; k < json_object_array_length(so->only); k++)
        if (json_object_get_int64(json_object_array_get_idx(so->only, k)) == number)
            return true;
    return false;
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

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
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

/* Units shipped over all lines, and which lines, e.g. "line 1: 2 of 3, line 2: 1 of 1". */
static double units_shipped(const struct sales_order *so, char *which, size_t len)
{
    json_object *lines = so->lines;
    double total = 0;
    size_t used = 0;
    which[0] = '\0';
    for (size_t i = 0; i < json_object_array_length(lines); i++) {
        json_object *line = json_object_array_get_idx(lines, i);
        double shipped = json_object_get_double(member(line, "quantityFulfilled"));
        if (shipped <= 0 || !selected(so, i))
            continue;
        total += shipped;
        json_object *no = member(line, "line");
        int n = snprintf(which + used, len - used, "%sline %s: %g of %g", used ? ", " : "",
                         no ? json_object_get_string(no) : "?", shipped,
                         json_object_get_double(member(line, "quantity")));
        used = n < 0 || (size_t)n >= len - used ? len - 1 : used + (size_t)n; /* cut short: stop adding */
    }
    return total;
}

static bool all_closed(const struct sales_order *so)
{
    for (size_t i = 0; i < json_object_array_length(so->lines); i++)
        if (selected(so, i) && !json_object_get_boolean(member(json_object_array_get_idx(so->lines, i), "isClosed")))
            return false;
    return true;
}

/* The PATCH body: every line as read, closed. A sublist in a PATCH replaces the whole sublist, so
 * leaving a line out would delete it; "line" keeps each line itself. Only "links" goes: it is
 * the answer's navigation, not a field of the line. */
static json_object *closing_patch(const struct sales_order *so)
{
    json_object *lines = so->lines;
    json_object *items = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(lines); i++) {
        json_object *copy = NULL;
        json_object_deep_copy(json_object_array_get_idx(lines, i), &copy, NULL);
        if (!json_object_is_type(copy, json_type_object)) {
            json_object_put(copy);
            json_object_put(items);
            return NULL;
        }
        json_object_object_del(copy, "links");
        if (selected(so, i))
            json_object_object_add(copy, "isClosed", json_object_new_boolean(1));
        json_object_array_add(items, copy);
    }
    json_object *item = json_object_new_object(), *body = json_object_new_object();
    json_object_object_add(item, "items", items);
    json_object_object_add(body, "item", item);
    return body;
}

static void closed(const struct sales_order *so, struct o2c_outcome *out)
{
    o2c_outcome_ok(out);
    o2c_outcome_patch(out, "sales_order_closed", json_object_new_boolean(1));
    o2c_outcome_patch(out, "sales_order_id", json_object_new_string(so->id));
}

static void shipped_already(const struct sales_order *so, const char *eid, double units, const char *which,
                            struct o2c_outcome *out)
{
    o2c_outcome_failed(out, O2C_FAIL_CANCELLED_AFTER_SHIPPING, "Sales order %s (external id %s) was cancelled in the store, but %g unit%s on it already shipped "
                       "(%s). Nothing was closed in NetSuite. Stop the shipment with the warehouse or "
                       "carrier if it can still be stopped; otherwise book a return for the shipped units. "
                       "Then close the rest of the order in NetSuite.",
                       so->name, eid, units, units == 1 ? "" : "s", which);
    json_object_object_add(out->detail, "sales_order_id", json_object_new_string(so->id));
    json_object_object_add(out->detail, "units_shipped", json_object_new_double(units));
}

/* Decides on a sales order as read, and closes it if that is what is left to do. */
static void close_order(struct o2c_step *step, const struct sales_order *so, const char *eid, struct o2c_outcome *out)
{
    /* Closed first: after ops dealt with a shipped order by hand and closed what was left, a
     * re-drive finds nothing to do rather than the same exception again. */
    if (all_closed(so)) {
        closed(so, out);
        return;
    }
    char which[512];
    double units = units_shipped(so, which, sizeof which);
    if (units > 0) {
        shipped_already(so, eid, units, which, out);
        return;
    }
    json_object *body = closing_patch(so);
    if (!body) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "NetSuite sales order %s has an item line that is not an object", so->name);
        return;
    }
    char path[128], what[128];
    snprintf(path, sizeof path, SALES_ORDER_PATH "%s", so->id);
    snprintf(what, sizeof what, "close salesOrder %s", so->id);
    const struct netsuite_options opt = {.not_found_ok = true};
    struct o2c_http_response res;
    if (netsuite_send(step, "PATCH", path, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), what, &opt,
                      &res, out)) {
        if (res.status == 404) /* deleted between our read and our write */
            o2c_outcome_named(out, "not_found");
        else if (res.status == 204)
            closed(so, out);
        else /* NetSuite answers a PATCH with 204 and no body: anything else is not a known success */
            netsuite_classify(&res, what, out);
        o2c_http_response_free(&res);
    }
    json_object_put(body);
}

void netsuite_close_sales_order(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *key = netsuite_param(step, "external_id_key", "sales_order_external_id");
    const char *eid = o2c_step_string(step, key);
    if (!netsuite_valid_external_id(eid)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.close_sales_order needs context key \"%s\", the sales order's external id "
                           "of letters, digits, _ and - (got \"%s\")", key, eid ? eid : "");
        return;
    }
    /* Param lines_key: the context key of the line numbers to close (a partial cancellation);
     * without it every line is closed. */
    const char *lines_key = o2c_step_param(step, "lines_key");
    json_object *only = NULL;
    if (lines_key) {
        bool ok = json_object_object_get_ex(o2c_step_context(step), lines_key, &only) &&
                  json_object_is_type(only, json_type_array) && json_object_array_length(only) > 0;
        for (size_t k = 0; ok && k < json_object_array_length(only); k++)
            ok = json_object_is_type(json_object_array_get_idx(only, k), json_type_int) &&
                 json_object_get_int64(json_object_array_get_idx(only, k)) > 0;
        if (!ok) {
            o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.close_sales_order needs context key \"%s\", a non-empty list of "
                               "line numbers to close", lines_key);
            return;
        }
    }
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
        so.only = only;
        close_order(step, &so, eid, out);
    }
    json_object_put(answer);
    o2c_http_response_free(&res);
}
