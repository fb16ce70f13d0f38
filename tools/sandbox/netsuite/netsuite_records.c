/* The record API under /services/rest/record/v1/: create (204 + Location), get (by id or eid:),
 * list, patch, upsert by PUT eid:, and the transforms salesOrder → itemFulfillment,
 * salesOrder → returnAuthorization, returnAuthorization → creditMemo (their rules, and those of
 * customerRefund: netsuite_returns.c). Every write to an existing
 * record honours on-demand record locks. Callers hold no lock: each handler takes ns->lock. */
#include "tools/sandbox/framework/money.h"
#include "tools/sandbox/netsuite/netsuite.h"

#include <json-c/linkhash.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static json_object *ref(const char *id)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(id));
    return o;
}

static json_object *copy(json_object *o)
{
    json_object *dst = NULL;
    if (!o || json_object_deep_copy(o, &dst, NULL) != 0)
        return NULL;
    return dst;
}

static void set_location(sb_response *res, const sb_request *req, const ns_record *rec)
{
    char loc[512];
    snprintf(loc, sizeof loc, "%s" NS_RECORD_PREFIX "%s/%s", req->base_url, rec->type->name, rec->id);
    free(res->location);
    res->location = sb_strdup(loc);
    sb_respond_empty(res, 204);
}

static void today(char *buf, size_t len)
{
    sb_iso8601((double)ns_now(), buf, len);
    buf[10] = '\0';
}

/* ---- rendering ----------------------------------------------------------------------------- */

static json_object *links(const char *href)
{
    json_object *arr = json_object_new_array(), *l = json_object_new_object();
    json_object_object_add(l, "rel", json_object_new_string("self"));
    json_object_object_add(l, "href", json_object_new_string(href));
    json_object_array_add(arr, l);
    return arr;
}

json_object *ns_record_json(ns_state *ns, const ns_record *rec, const char *base_url, bool expand)
{
    char self[512], when[32];
    snprintf(self, sizeof self, "%s" NS_RECORD_PREFIX "%s/%s", base_url, rec->type->name, rec->id);
    json_object *out = json_object_new_object();
    json_object_object_add(out, "links", links(self));
    json_object_object_add(out, "id", json_object_new_string(rec->id));
    if (rec->external_id)
        json_object_object_add(out, "externalId", json_object_new_string(rec->external_id));
    sb_iso8601((double)rec->created, when, sizeof when);
    json_object_object_add(out, "createdDate", json_object_new_string(when));
    sb_iso8601((double)rec->modified, when, sizeof when);
    json_object_object_add(out, "lastModifiedDate", json_object_new_string(when));
    json_object_object_foreach(rec->body, key, value) {
        if (strcmp(key, "externalId") == 0)
            continue;
        const ns_field *f = ns_field_find(rec->type->fields, key);
        if (f && f->kind == F_SUBLIST && !expand) {
            char sub[600];
            snprintf(sub, sizeof sub, "%s/%s", self, key);
            json_object *collapsed = json_object_new_object();
            json_object_object_add(collapsed, "links", links(sub));
            json_object_object_add(out, key, collapsed);
        } else {
            json_object_object_add(out, key, json_object_get(value));
        }
    }
    if (rec->seed_item >= 0) {
        json_object *items = json_object_new_array();
        for (size_t l = 0; l < ns->seed->n_locations; l++) {
            const ns_stock *s = ns_stock_at(ns, rec->seed_item, (int)l);
            json_object *line = json_object_new_object();
            json_object_object_add(line, "location", ref(ns->seed->locations[l].netsuite_id));
            json_object_object_add(line, "quantityOnHand", json_object_new_int64(s->on_hand));
            json_object_object_add(line, "quantityCommitted", json_object_new_int64(s->committed));
            json_object_object_add(line, "quantityAvailable", json_object_new_int64(s->on_hand - s->committed));
            json_object_array_add(items, line);
        }
        json_object *locs = json_object_new_object();
        json_object_object_add(locs, "items", items);
        json_object_object_add(out, "locations", locs);
    }
    return out;
}

/* ---- helpers for writes ---------------------------------------------------------------------- */

/* On-demand locks: the next `forced_locks` writes to this record fail. */
static bool locked(ns_record *rec, sb_response *res)
{
    if (rec->forced_locks <= 0)
        return false;
    rec->forced_locks--;
    ns_error(res, 400, rec->forced_lock_code[0] ? rec->forced_lock_code : "RCRD_HAS_BEEN_CHANGED", NULL,
             "Record has been changed.");
    return true;
}

static bool external_id_taken(ns_state *ns, const ns_type *type, const char *eid, const ns_record *self,
                              sb_response *res)
{
    char key[300];
    snprintf(key, sizeof key, "eid:%s", eid);
    ns_record *other = ns_store_find(ns, type, key);
    if (other && other != self) {
        ns_error(res, 400, "DUP_RCRD", "externalId",
                 "This record already exists: a %s with external ID %s exists (internal ID %s).",
                 type->name, eid, other->id);
        return true;
    }
    return false;
}

/* NetSuite's duplicate detection, when the account has it on for customers by email: a new
 * customer with the email of another (any case) is refused, as a concurrent second create is. */
static bool email_taken(ns_state *ns, const char *email, sb_response *res)
{
    if (!ns->duplicate_email || !email || !*email)
        return false;
    for (size_t i = 0; i < ns->n_records; i++) {
        ns_record *r = ns->records[i];
        const char *other = r->type == &NS_CUSTOMER ? json_object_get_string(get(r->body, "email")) : NULL;
        if (other && strcasecmp(other, email) == 0) {
            ns_error(res, 400, "DUP_RCRD", NULL,
                     "This record already exists: a customer with email %s exists (internal ID %s).", email, r->id);
            return true;
        }
    }
    return false;
}

static void reindex_external_id(ns_state *ns, ns_record *rec, const char *eid)
{
    char key[320];
    if (rec->external_id) {
        snprintf(key, sizeof key, "%s/eid:%s", rec->type->name, rec->external_id);
        lh_table_delete(ns->index, key);
        free(rec->external_id);
        rec->external_id = NULL;
    }
    if (eid && *eid) {
        rec->external_id = sb_strdup(eid);
        size_t len = strlen(rec->type->name) + strlen(eid) + 6;
        char *k = malloc(len);
        if (!k)
            abort();
        snprintf(k, len, "%s/eid:%s", rec->type->name, eid);
        lh_table_insert(ns->index, k, rec);
    }
}

static void strip_computed(json_object *body)
{
    json_object_object_del(body, "subtotal");
    json_object_object_del(body, "taxTotal");
    json_object_object_del(body, "total");
}

/* Defaults a sales order gets on creation, and the stock its lines commit. */
static void prepare_sales_order(ns_state *ns, json_object *body)
{
    char date[16];
    today(date, sizeof date);
    if (!get(body, "tranDate"))
        json_object_object_add(body, "tranDate", json_object_new_string(date));
    if (!get(body, "subsidiary"))
        json_object_object_add(body, "subsidiary", ref(ns->seed->subsidiary_id));
    if (!get(body, "currency")) {
        ns_record *cust = ns_store_find(ns, &NS_CUSTOMER, json_object_get_string(get(get(body, "entity"), "id")));
        json_object *cur = cust ? get(cust->body, "currency") : NULL;
        json_object_object_add(body, "currency", cur ? copy(cur) : ref(ns->seed->currencies[0].netsuite_id));
    }
    if (!get(body, "orderStatus"))
        json_object_object_add(body, "orderStatus", json_object_new_string("Pending Fulfillment"));
    ns_order_number_lines(body);
    ns_order_commit_stock(ns, NULL, body);
    ns_order_status_after_edit(ns, body);
    ns_compute_totals(ns, body);
}

static void prepare_transaction(ns_state *ns, json_object *body)
{
    char date[16];
    today(date, sizeof date);
    if (!get(body, "tranDate"))
        json_object_object_add(body, "tranDate", json_object_new_string(date));
    if (!get(body, "subsidiary"))
        json_object_object_add(body, "subsidiary", ref(ns->seed->subsidiary_id));
    if (!get(body, "currency"))
        json_object_object_add(body, "currency", ref(ns->seed->currencies[0].netsuite_id));
    ns_compute_totals(ns, body);
}

/* Validates a full body, applies the type's defaults and stores it. NULL (answered) on error. */
static ns_record *create(ns_state *ns, const ns_type *type, json_object *body, sb_response *res)
{
    if (!ns_validate(ns, type, body, true, res))
        return NULL;
    const char *eid = json_object_get_string(get(body, "externalId"));
    if (eid && external_id_taken(ns, type, eid, NULL, res))
        return NULL;
    if (type == &NS_CUSTOMER && email_taken(ns, json_object_get_string(get(body, "email")), res))
        return NULL;
    if (type == &NS_CUSTOMER_REFUND && !ns_refund_check(ns, body, res))
        return NULL;
    if (type == &NS_SALES_ORDER)
        prepare_sales_order(ns, body);
    else if (type->tran_code)
        prepare_transaction(ns, body);
    else if (type == &NS_CUSTOMER && !get(body, "subsidiary"))
        json_object_object_add(body, "subsidiary", ref(ns->seed->subsidiary_id));
    if (type == &NS_RETURN_AUTHORIZATION && !get(body, "orderStatus"))
        json_object_object_add(body, "orderStatus", json_object_new_string("Pending Receipt"));
    char *eid_copy = eid ? sb_strdup(eid) : NULL;
    json_object_object_del(body, "externalId");
    ns_record *rec = ns_store_add(ns, type, eid_copy, json_object_get(body));
    free(eid_copy);
    return rec;
}

/* Merges a validated patch into a record; re-checks the whole result (journal balance). */
static bool apply_patch(ns_state *ns, ns_record *rec, json_object *patch, sb_response *res)
{
    if (!ns_validate(ns, rec->type, patch, false, res))
        return false;
    json_object *eid = get(patch, "externalId");
    if (eid && external_id_taken(ns, rec->type, json_object_get_string(eid), rec, res))
        return false;
    json_object *merged = copy(rec->body);
    if (!merged) {
        ns_error(res, 500, "UNEXPECTED_ERROR", NULL, "Out of memory.");
        return false;
    }
    strip_computed(merged);
    json_object_object_foreach(patch, key, value) {
        if (strcmp(key, "externalId") == 0)
            continue;
        if (json_object_is_type(value, json_type_null))
            json_object_object_del(merged, key);
        else
            json_object_object_add(merged, key, json_object_get(value));
    }
    if (!ns_validate(ns, rec->type, merged, true, res) ||
        (rec->type == &NS_SALES_ORDER && get(patch, "item") && !ns_order_merge_lines(ns, rec->body, merged, res))) {
        json_object_put(merged);
        return false;
    }
    if (rec->type == &NS_SALES_ORDER || rec->type == &NS_RETURN_AUTHORIZATION || rec->type == &NS_CREDIT_MEMO)
        ns_compute_totals(ns, merged);
    if (rec->type == &NS_SALES_ORDER) {
        /* Lines closed, reopened, re-sent, added or moved: commit exactly the difference. */
        ns_order_commit_stock(ns, rec->body, merged);
        ns_order_status_after_edit(ns, merged);
    }
    if (eid)
        reindex_external_id(ns, rec, json_object_get_string(eid));
    ns_store_update(ns, rec, merged);
    return true;
}

/* ---- fulfilment (shared with the warehouse control path) -------------------------------------- */

/* The index of the order line numbered `number` (its `line`), or -1. */
static long line_index(json_object *lines, int64_t number)
{
    for (size_t i = 0; lines && i < json_object_array_length(lines); i++)
        if (ns_whole_quantity(get(json_object_array_get_idx(lines, i), "line")) == number)
            return (long)i;
    return -1;
}

/* Only an open line of an inventory item ships; shipping and discount lines never do. */
static bool line_ships(ns_state *ns, json_object *line)
{
    ns_record *item = ns_line_item(ns, line);
    return item && item->type == &NS_INVENTORY_ITEM && !ns_line_is_closed(line);
}

/* The units the client chose to ship (item.items[{orderLine, quantity}]), into take, which holds
 * what is open on each line. Lines that cannot ship (closed, shipping, discount) are skipped.
 * False (answered) for an unknown line or more than is left. */
static bool chosen_units(ns_state *ns, json_object *so_lines, json_object *wanted, int64_t *take, size_t n,
                         sb_response *res)
{
    int64_t *chosen = calloc(n + 1, sizeof *chosen);
    if (!chosen)
        abort();
    bool ok = true;
    for (size_t k = 0; ok && k < json_object_array_length(wanted); k++) {
        json_object *w = json_object_array_get_idx(wanted, k);
        json_object *receive = get(w, "itemReceive");
        if (receive && !json_object_get_boolean(receive))
            continue;
        int64_t number = ns_whole_quantity(get(w, "orderLine"));
        long i = line_index(so_lines, number);
        char path[64];
        snprintf(path, sizeof path, "item.items[%zu].orderLine", k);
        if (i < 0) {
            ns_error(res, 400, "INVALID_CONTENT", path,
                     "Invalid value for the resource or sub-resource field '%s'. No such order line.", path);
            ok = false;
        } else if (line_ships(ns, json_object_array_get_idx(so_lines, (size_t)i))) {
            int64_t q = get(w, "quantity") ? ns_whole_quantity(get(w, "quantity")) : take[i];
            if (q < 0 || q > take[i]) {
                ns_error(res, 400, "USER_ERROR", path,
                         "You cannot fulfill more than the remaining quantity (%lld) of line %lld.",
                         (long long)take[i], (long long)number);
                ok = false;
            }
            chosen[i] = q;
        }
    }
    if (ok)
        memcpy(take, chosen, n * sizeof *take);
    free(chosen);
    return ok;
}

/* Nothing to ship: says why, naming closed lines that still had units, so a client that closed
 * them learns it from the message. */
static void nothing_to_fulfil(ns_state *ns, json_object *so_lines, size_t n, const ns_record *so, sb_response *res)
{
    char closed[200] = "";
    for (size_t i = 0; i < n; i++) {
        json_object *line = json_object_array_get_idx(so_lines, i);
        ns_record *item = ns_line_item(ns, line);
        if (!ns_line_is_closed(line) || !item || item->type != &NS_INVENTORY_ITEM ||
            ns_whole_quantity(get(line, "quantityFulfilled")) >= ns_whole_quantity(get(line, "quantity")))
            continue;
        size_t used = strlen(closed);
        snprintf(closed + used, sizeof closed - used, "%s%lld", used ? ", " : "",
                 (long long)ns_whole_quantity(get(line, "line")));
    }
    if (closed[0])
        ns_error(res, 400, "USER_ERROR", NULL,
                 "You can not initialize itemfulfillment: sales order %s has no lines left to fulfill "
                 "(closed lines cannot be fulfilled: %s).", so->id, closed);
    else
        ns_error(res, 400, "USER_ERROR", NULL,
                 "You can not initialize itemfulfillment: sales order %s has no lines left to fulfill.", so->id);
}

/* The fulfilment's body: the lines shipped, carrier and tracking, and the client's header fields. */
static json_object *fulfilment_body(ns_state *ns, ns_record *so, json_object *so_lines, const int64_t *take,
                                    size_t n, json_object *overrides, const char *carrier, const char *tracking)
{
    json_object *lines = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        if (take[i] <= 0)
            continue;
        json_object *line = json_object_array_get_idx(so_lines, i), *f = json_object_new_object();
        json_object_object_add(f, "orderLine", json_object_new_int64(ns_whole_quantity(get(line, "line"))));
        json_object_object_add(f, "item", copy(get(line, "item")));
        json_object_object_add(f, "quantity", json_object_new_int64(take[i]));
        int loc = ns_line_location(ns, line, so->body);
        json_object_object_add(f, "location", ref(ns->seed->locations[loc].netsuite_id));
        json_object_object_add(f, "itemReceive", json_object_new_boolean(1));
        json_object_array_add(lines, f);
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "createdFrom", ref(so->id));
    json_object_object_add(body, "entity", copy(get(so->body, "entity")));
    json_object_object_add(body, "shipStatus", json_object_new_string("C"));
    if (carrier)
        json_object_object_add(body, "shipCarrier", json_object_new_string(carrier));
    if (tracking) {
        json_object *pkg = json_object_new_object(), *items = json_object_new_array(), *p = json_object_new_object();
        json_object_object_add(p, "packageTrackingNumber", json_object_new_string(tracking));
        json_object_array_add(items, p);
        json_object_object_add(pkg, "items", items);
        json_object_object_add(body, "package", pkg);
    }
    json_object *item = json_object_new_object();
    json_object_object_add(item, "items", lines);
    json_object_object_add(body, "item", item);
    if (overrides) {
        json_object_object_foreach(overrides, key, value) {
            if (strcmp(key, "item") != 0)
                json_object_object_add(body, key, json_object_get(value));
        }
    }
    return body;
}

ns_record *ns_fulfil(ns_state *ns, ns_record *so, json_object *overrides, const char *carrier,
                     const char *tracking, sb_response *res)
{
    json_object *so_lines = get(get(so->body, "item"), "items");
    json_object *wanted = get(get(overrides, "item"), "items");
    size_t n = so_lines ? json_object_array_length(so_lines) : 0;
    int64_t *take = calloc(n + 1, sizeof *take), shipping = 0;
    if (!take)
        abort();
    for (size_t i = 0; i < n; i++)
        take[i] = ns_line_open_quantity(ns, json_object_array_get_idx(so_lines, i));
    if (wanted && !chosen_units(ns, so_lines, wanted, take, n, res)) {
        free(take);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        shipping += take[i] > 0 ? take[i] : 0;
    if (shipping == 0) {
        nothing_to_fulfil(ns, so_lines, n, so, res);
        free(take);
        return NULL;
    }
    json_object *body = fulfilment_body(ns, so, so_lines, take, n, overrides, carrier, tracking);
    ns_record *rec = create(ns, &NS_ITEM_FULFILLMENT, body, res);
    json_object_put(body);
    if (!rec) {
        free(take);
        return NULL;
    }
    /* The warehouse shipped: stock leaves (on hand and committed), the order's lines are fulfilled. */
    for (size_t i = 0; i < n; i++) {
        if (take[i] <= 0)
            continue;
        json_object *line = json_object_array_get_idx(so_lines, i);
        int64_t done = ns_whole_quantity(get(line, "quantityFulfilled")) + take[i];
        json_object_object_add(line, "quantityFulfilled", json_object_new_int64(done));
        ns_record *item = ns_line_item(ns, line);
        if (item && item->seed_item >= 0)
            ns_stock_adjust(ns, item->seed_item, ns_line_location(ns, line, so->body), -take[i], -take[i]);
    }
    ns_order_status_after_fulfilment(ns, so->body);
    so->modified = ns_now();
    free(take);
    return rec;
}

/* ---- transforms -------------------------------------------------------------------------------- */

static ns_record *transform_copy(ns_state *ns, ns_record *src, const ns_type *target, json_object *overrides,
                                 sb_response *res)
{
    static const char *const HEADER[] = {"entity", "currency", "otherRefNum", "location", "subsidiary", NULL};
    static const char *const LINE[] = {"item", "quantity", "rate", "amount", "taxCode", "tax1Amt", "location", NULL};
    json_object *body = json_object_new_object();
    json_object_object_add(body, "createdFrom", ref(src->id));
    for (size_t i = 0; HEADER[i]; i++)
        if (get(src->body, HEADER[i]))
            json_object_object_add(body, HEADER[i], copy(get(src->body, HEADER[i])));
    json_object *src_lines = get(get(src->body, "item"), "items"), *lines = json_object_new_array();
    for (size_t i = 0; src_lines && i < json_object_array_length(src_lines); i++) {
        json_object *line = json_object_array_get_idx(src_lines, i), *out;
        if (ns_line_is_closed(line))
            continue; /* a closed line was never sold, so it cannot be returned */
        out = json_object_new_object();
        for (size_t k = 0; LINE[k]; k++)
            if (get(line, LINE[k]))
                json_object_object_add(out, LINE[k], copy(get(line, LINE[k])));
        json_object_array_add(lines, out);
    }
    json_object *item = json_object_new_object();
    json_object_object_add(item, "items", lines);
    json_object_object_add(body, "item", item);
    /* Fields the client sends replace the copied ones (its own lines replace all copied lines). */
    if (overrides) {
        json_object_object_foreach(overrides, key, value) json_object_object_add(body, key, json_object_get(value));
    }
    ns_record *rec = create(ns, target, body, res);
    json_object_put(body);
    if (rec && target == &NS_CREDIT_MEMO) {
        json_object_object_add(src->body, "orderStatus", json_object_new_string("Refunded"));
        src->modified = ns_now();
    }
    return rec;
}

static const char *transform(ns_state *ns, const sb_request *req, const ns_type *type, ns_record *src,
                             const char *target_name, sb_response *res)
{
    json_object *overrides = json_object_new_object();
    if (req->body_len > 0) {
        json_object_put(overrides);
        overrides = sb_parse_json(req->body, req->body_len);
        if (!overrides || !json_object_is_type(overrides, json_type_object)) {
            json_object_put(overrides);
            ns_error(res, 400, "INVALID_CONTENT", NULL, "The request body is not valid JSON.");
            return "transform";
        }
    }
    const ns_type *target = ns_type_by_name(target_name);
    const char *op = "transform";
    ns_record *rec = NULL;
    if (target && !ns_validate(ns, target, overrides, false, res)) {
        /* answered */
    } else if (type == &NS_SALES_ORDER && target == &NS_ITEM_FULFILLMENT) {
        op = "salesOrder.transform.itemFulfillment";
        if (!locked(src, res))
            rec = ns_fulfil(ns, src, overrides, NULL, NULL, res);
    } else if (type == &NS_SALES_ORDER && target == &NS_RETURN_AUTHORIZATION) {
        op = "salesOrder.transform.returnAuthorization";
        if (ns_return_lines(ns, src, overrides, res))
            rec = transform_copy(ns, src, target, overrides, res);
    } else if (type == &NS_RETURN_AUTHORIZATION && target == &NS_CREDIT_MEMO) {
        op = "returnAuthorization.transform.creditMemo";
        if (!locked(src, res) && ns_credit_check(ns, src, overrides, res))
            rec = transform_copy(ns, src, target, overrides, res);
    } else {
        ns_error(res, 400, "USER_ERROR", NULL, "Transformation from %s to %s is not supported.", type->name,
                 target_name);
    }
    if (rec)
        set_location(res, req, rec);
    json_object_put(overrides);
    return op;
}

/* ---- routing ------------------------------------------------------------------------------------ */

static void list(ns_state *ns, const sb_request *req, const ns_type *type, sb_response *res)
{
    char buf[32];
    long limit = sb_query_param(req, "limit", buf, sizeof buf) ? atol(buf) : 1000;
    long offset = sb_query_param(req, "offset", buf, sizeof buf) ? atol(buf) : 0;
    if (limit < 1 || limit > 1000 || offset < 0) {
        ns_error(res, 400, "INVALID_PARAMETER", NULL, "limit must be 1..1000 and offset not negative.");
        return;
    }
    json_object *items = json_object_new_array();
    long total = 0;
    for (size_t i = 0; i < ns->n_records; i++) {
        const ns_record *r = ns->records[i];
        if (r->type != type)
            continue;
        if (total >= offset && total < offset + limit) {
            char self[512];
            snprintf(self, sizeof self, "%s" NS_RECORD_PREFIX "%s/%s", req->base_url, type->name, r->id);
            json_object *o = json_object_new_object();
            json_object_object_add(o, "links", links(self));
            json_object_object_add(o, "id", json_object_new_string(r->id));
            json_object_array_add(items, o);
        }
        total++;
    }
    char self[512];
    snprintf(self, sizeof self, "%s" NS_RECORD_PREFIX "%s?limit=%ld&offset=%ld", req->base_url, type->name, limit, offset);
    json_object *out = json_object_new_object();
    json_object_object_add(out, "links", links(self));
    json_object_object_add(out, "count", json_object_new_int64((int64_t)json_object_array_length(items)));
    json_object_object_add(out, "hasMore", json_object_new_boolean(offset + limit < total));
    json_object_object_add(out, "items", items);
    json_object_object_add(out, "offset", json_object_new_int64(offset));
    json_object_object_add(out, "totalResults", json_object_new_int64(total));
    sb_respond_json(res, 200, out);
    json_object_put(out);
}

/* A journal entry written (created or updated by external id): counted for stats. */
static void count_journal_write(ns_state *ns, const ns_record *rec)
{
    if (rec->type != &NS_JOURNAL_ENTRY || !rec->external_id)
        return;
    json_object *n;
    int64_t before = json_object_object_get_ex(ns->journal_writes, rec->external_id, &n) ? json_object_get_int64(n) : 0;
    json_object_object_add(ns->journal_writes, rec->external_id, json_object_new_int64(before + 1));
}

/* Static operation names for stats, "<type>.<verb>", indexed by ns_type.index. */
#define OPS(t) {t ".create", t ".get", t ".list", t ".update", t ".upsert"}
static const char *const OP_NAMES[][5] = {
    OPS("customer"), OPS("salesOrder"), OPS("itemFulfillment"), OPS("returnAuthorization"),
    OPS("creditMemo"), OPS("journalEntry"), OPS("inventoryItem"), OPS("otherChargeItem"),
    OPS("discountItem"), OPS("customerDeposit"), OPS("itemReceipt"), OPS("customerRefund"),
};

static const char *op_name(const ns_type *type, const char *verb)
{
    static const char *const VERBS[] = {"create", "get", "list", "update", "upsert"};
    for (size_t v = 0; v < 5; v++)
        if (strcmp(VERBS[v], verb) == 0)
            return OP_NAMES[type->index][v];
    return "record";
}

const char *ns_records_handle(ns_state *ns, const sb_request *req, sb_response *res)
{
    const char *rest = req->path + strlen(NS_RECORD_PREFIX);
    char type_name[64], ref_raw[400] = "", ref_buf[400] = "", target[64] = "";
    size_t tlen = strcspn(rest, "/");
    if (tlen == 0 || tlen >= sizeof type_name) {
        ns_error(res, 404, "NONEXISTENT_ID", NULL, "Record type not found.");
        return "record.unknown";
    }
    memcpy(type_name, rest, tlen);
    type_name[tlen] = '\0';
    const ns_type *type = ns_type_by_name(type_name);
    if (!type) {
        ns_error(res, 404, "INVALID_PARAMETER", NULL, "Record type '%s' does not exist.", type_name);
        return "record.unknown";
    }
    const char *after = rest + tlen;
    if (*after == '/') {
        after++;
        size_t rlen = strcspn(after, "/");
        if (rlen == 0 || rlen >= sizeof ref_raw) {
            ns_error(res, 404, "NONEXISTENT_ID", NULL, "Record not found.");
            return op_name(type, "get");
        }
        memcpy(ref_raw, after, rlen);
        ref_raw[rlen] = '\0';
        after += rlen;
        if (!sb_url_decode(ref_raw, rlen, ref_buf, sizeof ref_buf) || !ref_buf[0]) {
            ns_error(res, 400, "INVALID_PARAMETER", NULL, "The record id in the URL is not valid.");
            return op_name(type, "get");
        }
        if (strncmp(after, "/!transform/", 12) == 0 && strlen(after + 12) < sizeof target &&
            !strchr(after + 12, '/')) {
            snprintf(target, sizeof target, "%s", after + 12);
        } else if (*after) {
            ns_error(res, 404, "INVALID_PARAMETER", NULL, "Unknown sub-resource.");
            return op_name(type, "get");
        }
    }
    bool has_ref = ref_buf[0] != '\0';
    bool is_eid = strncmp(ref_buf, "eid:", 4) == 0;
    if (is_eid && !ns_valid_external_id(ref_buf + 4)) {
        ns_error(res, 400, "INVALID_PARAMETER", NULL,
                 "Invalid external ID '%s': letters, digits, underscores and hyphens only.", ref_buf + 4);
        return op_name(type, "get");
    }

    const char *op = "record";
    pthread_mutex_lock(&ns->lock);
    ns_record *rec = has_ref ? ns_store_find(ns, type, ref_buf) : NULL;
    json_object *body = NULL;
    bool needs_body = (strcmp(req->method, "POST") == 0 && !target[0]) || strcmp(req->method, "PATCH") == 0 ||
                      strcmp(req->method, "PUT") == 0;
    if (needs_body) {
        body = sb_parse_json(req->body, req->body_len);
        if (!body || !json_object_is_type(body, json_type_object)) {
            ns_error(res, 400, "INVALID_CONTENT", NULL,
                     "The request body is not a valid JSON object (or not valid UTF-8).");
            json_object_put(body);
            pthread_mutex_unlock(&ns->lock);
            return op_name(type, strcmp(req->method, "POST") == 0 ? "create" : "update");
        }
    }

    if (strcmp(req->method, "GET") == 0 && !has_ref) {
        op = op_name(type, "list");
        list(ns, req, type, res);
    } else if (strcmp(req->method, "GET") == 0 && !target[0]) {
        op = op_name(type, "get");
        if (!rec) {
            ns_error(res, 404, "NONEXISTENT_ID", NULL, "The record instance does not exist. Provide a valid record instance ID.");
        } else {
            char expand[16] = "";
            sb_query_param(req, "expandSubResources", expand, sizeof expand);
            json_object *out = ns_record_json(ns, rec, req->base_url, strcmp(expand, "true") == 0);
            sb_respond_json(res, 200, out);
            json_object_put(out);
        }
    } else if (strcmp(req->method, "POST") == 0 && target[0]) {
        if (!rec) {
            op = "transform";
            ns_error(res, 404, "NONEXISTENT_ID", NULL, "The record instance does not exist. Provide a valid record instance ID.");
        } else {
            op = transform(ns, req, type, rec, target, res);
        }
    } else if (strcmp(req->method, "POST") == 0 && !has_ref) {
        op = op_name(type, "create");
        if (type == &NS_ITEM_FULFILLMENT) {
            ns_error(res, 400, "USER_ERROR", NULL,
                     "Item fulfillments are created from a sales order: POST salesOrder/{id}/!transform/itemFulfillment.");
        } else {
            rec = create(ns, type, body, res);
            if (rec)
                set_location(res, req, rec);
        }
    } else if (strcmp(req->method, "PATCH") == 0 && has_ref) {
        op = op_name(type, "update");
        if (!rec)
            ns_error(res, 404, "NONEXISTENT_ID", NULL, "The record instance does not exist. Provide a valid record instance ID.");
        else if (!locked(rec, res) && apply_patch(ns, rec, body, res))
            sb_respond_empty(res, 204);
    } else if (strcmp(req->method, "PUT") == 0 && is_eid) {
        op = op_name(type, "upsert");
        json_object *eid = get(body, "externalId");
        if (eid && strcmp(json_object_get_string(eid), ref_buf + 4) != 0) {
            ns_error(res, 400, "INVALID_CONTENT", "externalId",
                     "The externalId in the body differs from the one in the URL.");
        } else if (rec) {
            if (!locked(rec, res) && apply_patch(ns, rec, body, res)) {
                set_location(res, req, rec);
                count_journal_write(ns, rec);
            }
        } else if (type == &NS_ITEM_FULFILLMENT) {
            ns_error(res, 400, "USER_ERROR", NULL,
                     "Item fulfillments are created from a sales order: POST salesOrder/{id}/!transform/itemFulfillment.");
        } else {
            json_object_object_add(body, "externalId", json_object_new_string(ref_buf + 4));
            rec = create(ns, type, body, res);
            if (rec) {
                set_location(res, req, rec);
                count_journal_write(ns, rec);
            }
        }
    } else if (strcmp(req->method, "PUT") == 0) {
        op = op_name(type, "upsert");
        ns_error(res, 400, "INVALID_PARAMETER", NULL, "PUT is supported only with an external ID: %s/eid:<value>.", type->name);
    } else {
        op = "record.method";
        ns_error(res, 405, "INVALID_PARAMETER", NULL, "Method %s is not supported here.", req->method);
    }
    pthread_mutex_unlock(&ns->lock);
    json_object_put(body);
    return op;
}
