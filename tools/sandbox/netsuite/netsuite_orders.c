/* Sales order lines and what they hold back: which lines are still to ship, the stock they commit,
 * how a patch that re-sends the item sublist keeps what only NetSuite may change, and the order
 * status that closing lines gives. Callers hold ns->lock.
 *
 * One rule keeps the stock right whatever a request does to an order: an open (not closed)
 * inventory line commits the units it has not shipped yet, at its location. Every change to an
 * order commits the difference between what the order held back before and after, so a create,
 * a patch, a re-sent sublist, a closed line and a fulfilment all agree, and nothing is committed
 * twice. */
#include "tools/sandbox/framework/money.h"
#include "tools/sandbox/netsuite/netsuite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static json_object *order_lines(json_object *order)
{
    json_object *lines = get(get(order, "item"), "items");
    return json_object_is_type(lines, json_type_array) ? lines : NULL;
}

static size_t count_lines(json_object *lines)
{
    return lines ? json_object_array_length(lines) : 0;
}

int64_t ns_whole_quantity(json_object *q)
{
    int64_t micro = 0;
    sb_money_from_json(q, 6, &micro);
    return micro / 1000000;
}

ns_record *ns_line_item(ns_state *ns, json_object *line)
{
    return ns_find_item(ns, json_object_get_string(get(get(line, "item"), "id")));
}

bool ns_line_is_discount(ns_state *ns, json_object *line)
{
    ns_record *item = ns_line_item(ns, line);
    return item && item->type == &NS_DISCOUNT_ITEM;
}

bool ns_line_is_closed(json_object *line)
{
    json_object *closed = get(line, "isClosed");
    return closed && json_object_get_boolean(closed);
}

int64_t ns_line_open_quantity(ns_state *ns, json_object *line)
{
    ns_record *item = ns_line_item(ns, line);
    if (!item || item->type != &NS_INVENTORY_ITEM || ns_line_is_closed(line))
        return 0; /* shipping and discount lines never ship; a closed line ships no more */
    int64_t left = ns_whole_quantity(get(line, "quantity")) - ns_whole_quantity(get(line, "quantityFulfilled"));
    return left > 0 ? left : 0;
}

int ns_line_location(ns_state *ns, json_object *line, json_object *header)
{
    json_object *loc = get(line, "location");
    if (!loc)
        loc = get(header, "location");
    int idx = loc ? sb_seed_location_index_by_netsuite_id(ns->seed, json_object_get_string(get(loc, "id"))) : 0;
    return idx >= 0 ? idx : 0;
}

bool ns_order_has_open_lines(ns_state *ns, json_object *order)
{
    json_object *lines = order_lines(order);
    for (size_t i = 0; i < count_lines(lines); i++)
        if (ns_line_open_quantity(ns, json_object_array_get_idx(lines, i)) > 0)
            return true;
    return false;
}

/* ---- stock committed ----------------------------------------------------------------------- */

typedef struct commitment {
    int item, location;
    int64_t units;
} commitment;

typedef struct commitments {
    commitment *at;
    size_t n, cap;
} commitments;

static void commitments_add(commitments *c, int item, int location, int64_t units)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->at[i].item == item && c->at[i].location == location) {
            c->at[i].units += units;
            return;
        }
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        commitment *grown = realloc(c->at, cap * sizeof *grown);
        if (!grown)
            abort();
        c->at = grown;
        c->cap = cap;
    }
    c->at[c->n++] = (commitment){item, location, units};
}

/* Adds sign × what the order holds back, per seed item and location. */
static void collect(ns_state *ns, json_object *order, int sign, commitments *c)
{
    json_object *lines = order_lines(order);
    for (size_t i = 0; i < count_lines(lines); i++) {
        json_object *line = json_object_array_get_idx(lines, i);
        int64_t open = ns_line_open_quantity(ns, line);
        ns_record *item = open > 0 ? ns_line_item(ns, line) : NULL;
        if (item && item->seed_item >= 0) /* items created over the API have no stock kept */
            commitments_add(c, item->seed_item, ns_line_location(ns, line, order), sign * open);
    }
}

void ns_order_commit_stock(ns_state *ns, json_object *before, json_object *after)
{
    commitments c = {0};
    collect(ns, before, -1, &c);
    collect(ns, after, +1, &c);
    /* Only real changes move stock: a stock poller must not see an item change that did not. */
    for (size_t i = 0; i < c.n; i++)
        if (c.at[i].units != 0) {
            /* Oversold: units promised to orders that the warehouse does not have, counted
             * when an order commits them (what a storefront sold beyond the real stock). */
            ns_stock *s = ns_stock_at(ns, c.at[i].item, c.at[i].location);
            int64_t short_before = s->committed > s->on_hand ? s->committed - s->on_hand : 0;
            ns_stock_adjust(ns, c.at[i].item, c.at[i].location, 0, c.at[i].units);
            int64_t short_after = s->committed > s->on_hand ? s->committed - s->on_hand : 0;
            if (c.at[i].units > 0 && short_after > short_before)
                ns->oversold_units += short_after - short_before;
        }
    free(c.at);
}

/* ---- lines on create and patch -------------------------------------------------------------- */

void ns_order_number_lines(json_object *order)
{
    json_object *lines = order_lines(order);
    for (size_t i = 0; i < count_lines(lines); i++) {
        json_object *line = json_object_array_get_idx(lines, i);
        json_object_object_add(line, "line", json_object_new_int((int)i + 1));
        json_object_object_add(line, "quantityFulfilled", json_object_new_int(0));
        if (!get(line, "isClosed"))
            json_object_object_add(line, "isClosed", json_object_new_boolean(0));
    }
}

static json_object *find_line(json_object *lines, int64_t number)
{
    for (size_t i = 0; i < count_lines(lines); i++) {
        json_object *line = json_object_array_get_idx(lines, i);
        if (get(line, "line") && ns_whole_quantity(get(line, "line")) == number)
            return line;
    }
    return NULL;
}

static bool line_error(sb_response *res, const char *code, size_t i, const char *field, const char *detail)
{
    char path[64];
    snprintf(path, sizeof path, "item.items[%zu].%s", i, field);
    ns_error(res, 400, code, path, "%s", detail);
    return false;
}

/* A re-sent line that names an existing line keeps what only NetSuite changes: how much shipped.
 * Its item cannot change once something shipped, nor its quantity drop below what shipped. */
static bool keep_existing_line(json_object *line, json_object *old, size_t i, sb_response *res)
{
    int64_t shipped = ns_whole_quantity(get(old, "quantityFulfilled"));
    char detail[200];
    const char *item = json_object_get_string(get(get(line, "item"), "id"));
    const char *old_item = json_object_get_string(get(get(old, "item"), "id"));
    if (shipped > 0 && (!item || !old_item || strcmp(item, old_item) != 0)) {
        snprintf(detail, sizeof detail, "Line %lld has been fulfilled: its item cannot be changed.",
                 (long long)ns_whole_quantity(get(old, "line")));
        return line_error(res, "USER_ERROR", i, "item", detail);
    }
    if (ns_whole_quantity(get(line, "quantity")) < shipped) {
        snprintf(detail, sizeof detail, "The quantity of line %lld cannot be less than the %lld already fulfilled.",
                 (long long)ns_whole_quantity(get(old, "line")), (long long)shipped);
        return line_error(res, "USER_ERROR", i, "quantity", detail);
    }
    json_object_object_add(line, "quantityFulfilled", json_object_new_int64(shipped));
    if (!get(line, "isClosed")) /* not said: stays as it was, so a re-send never reopens a line */
        json_object_object_add(line, "isClosed", json_object_new_boolean(ns_line_is_closed(old)));
    return true;
}

/* Every stored line that shipped something must still be there: it can be closed, not removed. */
static bool fulfilled_lines_kept(json_object *before, json_object *after, sb_response *res)
{
    json_object *old_lines = order_lines(before), *new_lines = order_lines(after);
    for (size_t i = 0; i < count_lines(old_lines); i++) {
        json_object *old = json_object_array_get_idx(old_lines, i);
        int64_t number = ns_whole_quantity(get(old, "line"));
        int64_t shipped = ns_whole_quantity(get(old, "quantityFulfilled"));
        if (shipped > 0 && !find_line(new_lines, number)) {
            ns_error(res, 400, "USER_ERROR", "item",
                     "Line %lld has been fulfilled (%lld) and cannot be removed; close it instead (isClosed: true).",
                     (long long)number, (long long)shipped);
            return false;
        }
    }
    return true;
}

bool ns_order_merge_lines(ns_state *ns, json_object *before, json_object *after, sb_response *res)
{
    (void)ns;
    json_object *old_lines = order_lines(before), *new_lines = order_lines(after);
    size_t n_new = count_lines(new_lines);
    int64_t last = 0;
    for (size_t i = 0; i < count_lines(old_lines); i++) {
        int64_t number = ns_whole_quantity(get(json_object_array_get_idx(old_lines, i), "line"));
        last = number > last ? number : last;
    }
    for (size_t i = 0; i < n_new; i++) {
        json_object *line = json_object_array_get_idx(new_lines, i);
        if (!get(line, "line")) { /* a new line: the next number, nothing shipped yet */
            json_object_object_add(line, "line", json_object_new_int64(++last));
            json_object_object_add(line, "quantityFulfilled", json_object_new_int(0));
            if (!get(line, "isClosed"))
                json_object_object_add(line, "isClosed", json_object_new_boolean(0));
            continue;
        }
        int64_t number = ns_whole_quantity(get(line, "line"));
        json_object *old = find_line(old_lines, number);
        char detail[160];
        if (!old) {
            snprintf(detail, sizeof detail, "Invalid value for the resource or sub-resource field 'item.items[%zu].line'. "
                     "The order has no line %lld.", i, (long long)number);
            return line_error(res, "INVALID_CONTENT", i, "line", detail);
        }
        for (size_t k = 0; k < i; k++) {
            if (ns_whole_quantity(get(json_object_array_get_idx(new_lines, k), "line")) == number) {
                snprintf(detail, sizeof detail, "Invalid value for the resource or sub-resource field 'item.items[%zu].line'. "
                         "Line %lld is given twice.", i, (long long)number);
                return line_error(res, "INVALID_CONTENT", i, "line", detail);
            }
        }
        if (!keep_existing_line(line, old, i, res))
            return false;
    }
    return fulfilled_lines_kept(before, after, res);
}

/* ---- status ------------------------------------------------------------------------------------ */

static void set_status(json_object *order, const char *status)
{
    json_object_object_add(order, "orderStatus", json_object_new_string(status));
}

static const char *status_of(json_object *order)
{
    json_object *s = get(order, "orderStatus");
    return s ? json_object_get_string(s) : "";
}

static bool every_line_closed(json_object *order)
{
    json_object *lines = order_lines(order);
    for (size_t i = 0; i < count_lines(lines); i++)
        if (!ns_line_is_closed(json_object_array_get_idx(lines, i)))
            return false;
    return count_lines(lines) > 0;
}

/* What fulfilments made of the order: NULL while nothing has shipped. */
static const char *fulfilment_status(ns_state *ns, json_object *order)
{
    json_object *lines = order_lines(order);
    bool shipped = false, open = false;
    for (size_t i = 0; i < count_lines(lines); i++) {
        json_object *line = json_object_array_get_idx(lines, i);
        shipped |= ns_whole_quantity(get(line, "quantityFulfilled")) > 0;
        open |= ns_line_open_quantity(ns, line) > 0;
    }
    return !shipped ? NULL : open ? "Partially Fulfilled" : "Pending Billing";
}

void ns_order_status_after_fulfilment(ns_state *ns, json_object *order)
{
    const char *status = fulfilment_status(ns, order);
    if (status)
        set_status(order, status);
}

void ns_order_status_after_edit(ns_state *ns, json_object *order)
{
    if (every_line_closed(order)) {
        set_status(order, "Closed");
    } else if (strcmp(status_of(order), "Closed") == 0) {
        /* A line was reopened: the order is open again, as far as its fulfilments got. */
        const char *status = fulfilment_status(ns, order);
        set_status(order, status ? status : "Pending Fulfillment");
    }
    /* Otherwise closing some lines leaves the status as fulfilment left it. */
}
