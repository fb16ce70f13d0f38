/* The warehouse at work, through a control path: item fulfilments with the lines, quantities,
 * carrier and parcels the warehouse chose, as NetSuite then holds them (records and SuiteQL).
 *
 *   POST /_sandbox/warehouse/ship
 *     one order:  {"salesOrder": "<id>" | "externalId": "CENTRA-1-5",
 *                  "lines": [{"line": 1, "quantity": 2}, …]   (default: every open unit),
 *                  "carrier": "DHL", "packages": ["JJD001", "JJD002"]   (default: one parcel, generated)}
 *     a day's work: {"count": N, "partial_every": K, "split_every": M, "skip_every": S}
 *                  the N oldest orders with units to ship; every S-th is left for tomorrow, every
 *                  M-th leaves in two fulfilments (two parcels, two tracking numbers; by lines, or
 *                  by units when one line holds 3 or more), every K-th only partly (its first
 *                  line, or all but one unit); the rest whole. 0 turns a kind off.
 *   answer: {"created": [{"id", "salesOrder", "externalId", "carrier", "trackingNumbers": […],
 *            "lines": [{"line", "quantity"}]}]}
 * A request NetSuite would refuse (more than is left, an unknown line) is answered with
 * NetSuite's error, nothing made. */
#include "tools/sandbox/netsuite/netsuite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *const CARRIERS[] = {"PostNord", "DHL", "UPS"};

static void tracking_for(ns_state *ns, const char *carrier, int parcel, char *buf, size_t len)
{
    snprintf(buf, len, "%s%09ld%d", carrier[0] == 'U' ? "1Z" : carrier[0] == 'D' ? "JJD" : "00373", ns->next_seq + 1,
             parcel);
}

/* One fulfilment of `so`: lines [{line, quantity}] (NULL: all open units), parcels' tracking
 * numbers (NULL: one generated). Adds its description to `created`; false with res answered. */
static bool ship(ns_state *ns, ns_record *so, json_object *lines, const char *carrier, json_object *packages,
                 json_object *created, sb_response *res)
{
    json_object *overrides = json_object_new_object();
    if (lines) {
        json_object *items = json_object_new_array(), *item = json_object_new_object();
        for (size_t i = 0; i < json_object_array_length(lines); i++) {
            json_object *l = json_object_array_get_idx(lines, i), *w = json_object_new_object();
            json_object_object_add(w, "orderLine", json_object_new_int64(ns_whole_quantity(get(l, "line"))));
            json_object_object_add(w, "quantity", json_object_new_int64(ns_whole_quantity(get(l, "quantity"))));
            json_object_array_add(items, w);
        }
        json_object_object_add(item, "items", items);
        json_object_object_add(overrides, "item", item);
    }
    json_object *pkg_items = json_object_new_array(), *numbers = json_object_new_array();
    size_t n_packages = packages ? json_object_array_length(packages) : 0;
    for (size_t i = 0; i < (n_packages ? n_packages : 1); i++) {
        char generated[64];
        const char *tn = n_packages ? json_object_get_string(json_object_array_get_idx(packages, i)) : NULL;
        if (!tn) {
            tracking_for(ns, carrier, (int)i + 1, generated, sizeof generated);
            tn = generated;
        }
        json_object *p = json_object_new_object();
        json_object_object_add(p, "packageTrackingNumber", json_object_new_string(tn));
        json_object_array_add(pkg_items, p);
        json_object_array_add(numbers, json_object_new_string(tn));
    }
    json_object *package = json_object_new_object();
    json_object_object_add(package, "items", pkg_items);
    json_object_object_add(overrides, "package", package);
    json_object_object_add(overrides, "shipCarrier", json_object_new_string(carrier));
    ns_record *f = ns_fulfil(ns, so, overrides, carrier, NULL, res);
    json_object_put(overrides);
    if (!f) {
        json_object_put(numbers);
        return false;
    }
    json_object *o = json_object_new_object(), *shipped = json_object_new_array();
    json_object *f_lines = get(get(f->body, "item"), "items");
    for (size_t i = 0; f_lines && i < json_object_array_length(f_lines); i++) {
        json_object *l = json_object_array_get_idx(f_lines, i), *d = json_object_new_object();
        json_object_object_add(d, "line", json_object_new_int64(ns_whole_quantity(get(l, "orderLine"))));
        json_object_object_add(d, "quantity", json_object_new_int64(ns_whole_quantity(get(l, "quantity"))));
        json_object_array_add(shipped, d);
    }
    json_object_object_add(o, "id", json_object_new_string(f->id));
    json_object_object_add(o, "salesOrder", json_object_new_string(so->id));
    if (so->external_id)
        json_object_object_add(o, "externalId", json_object_new_string(so->external_id));
    json_object_object_add(o, "carrier", json_object_new_string(carrier));
    json_object_object_add(o, "trackingNumbers", numbers);
    json_object_object_add(o, "lines", shipped);
    json_object_array_add(created, o);
    return true;
}

static json_object *line_qty(int64_t line, int64_t qty)
{
    json_object *l = json_object_new_object();
    json_object_object_add(l, "line", json_object_new_int64(line));
    json_object_object_add(l, "quantity", json_object_new_int64(qty));
    return l;
}

/* The open units of `so` as [{line, quantity}], and how many lines that is. */
static json_object *open_lines(ns_state *ns, ns_record *so)
{
    json_object *lines = get(get(so->body, "item"), "items"), *out = json_object_new_array();
    for (size_t i = 0; lines && i < json_object_array_length(lines); i++) {
        json_object *l = json_object_array_get_idx(lines, i);
        int64_t q = ns_line_open_quantity(ns, l);
        if (q > 0)
            json_object_array_add(out, line_qty(ns_whole_quantity(get(l, "line")), q));
    }
    return out;
}

/* Splits the open units in two parts (first, rest) that are never the same lines and units (so
 * the two shipments differ); false when the order cannot be split. */
static bool split(json_object *open, json_object **first, json_object **rest)
{
    size_t n = json_object_array_length(open);
    *first = json_object_new_array();
    *rest = json_object_new_array();
    if (n >= 2) {
        for (size_t i = 0; i < n; i++)
            json_object_array_add(i == 0 ? *first : *rest, json_object_get(json_object_array_get_idx(open, i)));
        return true;
    }
    int64_t q = n ? ns_whole_quantity(get(json_object_array_get_idx(open, 0), "quantity")) : 0;
    if (q >= 3) {
        int64_t line = ns_whole_quantity(get(json_object_array_get_idx(open, 0), "line"));
        json_object_array_add(*first, line_qty(line, 1));
        json_object_array_add(*rest, line_qty(line, q - 1));
        return true;
    }
    json_object_put(*first);
    json_object_put(*rest);
    return false;
}

/* Only part of the order: its first open line, or all but one unit of a single line. */
static json_object *partial(json_object *open)
{
    size_t n = json_object_array_length(open);
    json_object *out = json_object_new_array();
    if (n >= 2) {
        json_object_array_add(out, json_object_get(json_object_array_get_idx(open, 0)));
    } else if (n == 1) {
        json_object *l = json_object_array_get_idx(open, 0);
        int64_t q = ns_whole_quantity(get(l, "quantity"));
        json_object_array_add(out, line_qty(ns_whole_quantity(get(l, "line")), q > 1 ? q - 1 : q));
    }
    return out;
}

static void day_of_work(ns_state *ns, json_object *body, json_object *created)
{
    int count = json_object_get_int(get(body, "count"));
    int partial_every = json_object_get_int(get(body, "partial_every"));
    int split_every = json_object_get_int(get(body, "split_every"));
    int skip_every = json_object_get_int(get(body, "skip_every"));
    int seen = 0;
    size_t n = ns->n_records;
    for (size_t i = 0; i < n && seen < count; i++) {
        ns_record *so = ns->records[i];
        if (so->type != &NS_SALES_ORDER || !ns_order_has_open_lines(ns, so->body))
            continue;
        seen++;
        if (skip_every > 0 && seen % skip_every == 0)
            continue;
        const char *carrier = CARRIERS[seen % 3];
        json_object *open = open_lines(ns, so), *first, *rest;
        sb_response ignored = {0};
        if (split_every > 0 && seen % split_every == 0 && split(open, &first, &rest)) {
            ship(ns, so, first, carrier, NULL, created, &ignored);
            ship(ns, so, rest, carrier, NULL, created, &ignored);
            json_object_put(first);
            json_object_put(rest);
        } else if (partial_every > 0 && seen % partial_every == 0) {
            json_object *part = partial(open);
            ship(ns, so, part, carrier, NULL, created, &ignored);
            json_object_put(part);
        } else {
            ship(ns, so, NULL, carrier, NULL, created, &ignored);
        }
        free(ignored.body);
        free(ignored.location);
        json_object_put(open);
    }
}

static void control_error(sb_response *res, int status, const char *message)
{
    json_object *body = json_object_new_object();
    json_object_object_add(body, "error", json_object_new_string(message));
    sb_respond_json(res, status, body);
    json_object_put(body);
}

bool ns_warehouse_control(ns_state *ns, const sb_request *req, sb_response *res)
{
    if (strcmp(req->path, "/_sandbox/warehouse/ship") != 0)
        return false;
    json_object *body = strcmp(req->method, "POST") == 0 ? sb_parse_json(req->body, req->body_len) : NULL;
    if (!body || !json_object_is_type(body, json_type_object)) {
        json_object_put(body);
        control_error(res, 400, "POST a JSON object: {\"salesOrder\"|\"externalId\", \"lines\", \"carrier\", "
                                "\"packages\"} or {\"count\", \"partial_every\", \"split_every\", \"skip_every\"}");
        return true;
    }
    json_object *created = json_object_new_array();
    bool ok = true;
    pthread_mutex_lock(&ns->lock);
    if (get(body, "count")) {
        day_of_work(ns, body, created);
    } else {
        const char *id = json_object_get_string(get(body, "salesOrder"));
        const char *eid = json_object_get_string(get(body, "externalId"));
        char ref[300];
        snprintf(ref, sizeof ref, "%s%s", eid ? "eid:" : "", eid ? eid : id ? id : "");
        ns_record *so = ref[0] ? ns_store_find(ns, &NS_SALES_ORDER, ref) : NULL;
        const char *carrier = json_object_get_string(get(body, "carrier"));
        json_object *lines = get(body, "lines"), *packages = get(body, "packages");
        if (!so) {
            ok = false;
            control_error(res, 404, "no such sales order");
        } else if ((lines && !json_object_is_type(lines, json_type_array)) ||
                   (packages && !json_object_is_type(packages, json_type_array))) {
            ok = false;
            control_error(res, 400, "lines and packages must be arrays");
        } else {
            ok = ship(ns, so, lines, carrier ? carrier : CARRIERS[0], packages, created, res);
        }
    }
    pthread_mutex_unlock(&ns->lock);
    json_object_put(body);
    if (!ok) {
        json_object_put(created);
        return true;
    }
    json_object *out = json_object_new_object();
    json_object_object_add(out, "created", created);
    sb_respond_json(res, 200, out);
    json_object_put(out);
    return true;
}
