/* Centra mutations: createShipment, completeShipment, createReturn, setStock, changeStock and
 * confirmEvents. Business rule violations are userErrors {message, path} in the payload with
 * HTTP 200 and nothing changed (each mutation checks everything before it writes), as Centra
 * answers them; only malformed documents are GraphQL errors. */
#include "tools/sandbox/centra/centra.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void centra_user_error(json_object *errors, const char *message, const char *path_fmt, ...)
{
    char path[256];
    va_list ap;
    va_start(ap, path_fmt);
    vsnprintf(path, sizeof path, path_fmt, ap);
    va_end(ap);
    json_object *e = json_object_new_object();
    json_object_object_add(e, "message", json_object_new_string(message));
    json_object *p = json_object_new_array();
    for (char *save = NULL, *tok = strtok_r(path, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
        json_object_array_add(p, json_object_new_string(tok));
    json_object_object_add(e, "path", p);
    json_object_array_add(errors, e);
}

json_object *centra_payload(json_object *errors)
{
    json_object *p = json_object_new_object();
    json_object_object_add(p, "userErrors", errors);
    json_object_object_add(p, "userWarnings", json_object_new_array());
    return p;
}

static json_object *get(json_object *o, const char *k)
{
    json_object *v = NULL;
    if (o)
        json_object_object_get_ex(o, k, &v);
    return v;
}

static int get_int(json_object *o, const char *k) { return json_object_get_int(get(o, k)); }

static char *dup_or_null(json_object *v) { return v ? sb_strdup(json_object_get_string(v)) : NULL; }

static centra_line *order_line(centra_order *o, int id)
{
    for (size_t i = 0; i < o->n_lines; i++)
        if (o->lines[i].id == id)
            return &o->lines[i];
    return NULL;
}

static void notify(centra *c, centra_order *o)
{
    o->notifications++;
    c->notifications_total++;
}

/* The order's status follows its shipments: all units shipped → SHIPPED, some → PROCESSING. */
static void update_status(centra *c, centra_order *o)
{
    int units = 0, shipped = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        units += o->lines[i].quantity;
        shipped += o->lines[i].shipped;
    }
    int shipped_done = 0;
    for (size_t i = 0; i < o->n_shipments; i++) {
        centra_shipment *s = centra_shipment_by_id(c, o->shipment_ids[i]);
        if (s && s->shipped)
            for (size_t j = 0; j < s->n_lines; j++)
                shipped_done += s->lines[j].quantity;
    }
    if (o->status == CS_CANCELLED)
        return;
    if (units > 0 && shipped_done >= units)
        o->status = CS_SHIPPED;
    else if (shipped > 0)
        o->status = CS_PROCESSING;
}

static bool same_lines(const centra_shipment *a, const centra_shipment *b)
{
    if (a->n_lines != b->n_lines)
        return false;
    for (size_t i = 0; i < a->n_lines; i++)
        if (a->lines[i].order_line_id != b->lines[i].order_line_id || a->lines[i].quantity != b->lines[i].quantity)
            return false;
    return true;
}

static json_object *create_shipment(centra *c, json_object *input)
{
    json_object *errors = json_object_new_array();
    json_object *ref = get(input, "order");
    json_object *rid = get(ref, "id"), *rnum = get(ref, "number");
    centra_order *o = NULL;
    if ((rid != NULL) == (rnum != NULL))
        centra_user_error(errors, "Exactly one of order.id or order.number should be provided.", "input.order");
    else if (!(o = rid ? centra_order_by_id(c, json_object_get_int(rid)) : centra_order_by_number(c, json_object_get_int(rnum))))
        centra_user_error(errors, "Order not found.", "input.order");
    else if (o->status == CS_CANCELLED)
        centra_user_error(errors, "Cannot create a shipment for a cancelled order.", "input.order");
    else if (o->status == CS_PENDING)
        centra_user_error(errors, "Cannot create a shipment for an order that is not confirmed.", "input.order");
    json_object *lines = get(input, "lines");
    size_t n = lines ? json_object_array_length(lines) : 0;
    if (o && !n)
        centra_user_error(errors, "A shipment needs at least one line.", "input.lines");
    if (get(input, "shippedAt") && sb_parse_time(json_object_get_string(get(input, "shippedAt"))) < 0)
        centra_user_error(errors, "Invalid date-time.", "input.shippedAt");
    /* Check every line, counting quantities per order line across the input. */
    int *want = o ? calloc(o->n_lines + 1, sizeof *want) : NULL;
    for (size_t i = 0; o && i < n; i++) {
        json_object *l = json_object_array_get_idx(lines, i);
        int qty = get_int(l, "quantity");
        centra_line *ol = order_line(o, get_int(get(l, "orderLine"), "id"));
        if (!ol) {
            centra_user_error(errors, "Order line not found in this order.", "input.lines.%zu.orderLine", i);
            continue;
        }
        if (qty <= 0) {
            centra_user_error(errors, "Quantity must be positive.", "input.lines.%zu.quantity", i);
            continue;
        }
        size_t idx = (size_t)(ol - o->lines);
        want[idx] += qty;
        int open = ol->quantity - ol->shipped;
        if (want[idx] > open) {
            char msg[160];
            snprintf(msg, sizeof msg, "Cannot ship %d of order line %d: only %d left to ship.", want[idx], ol->id,
                     open < 0 ? 0 : open);
            centra_user_error(errors, msg, "input.lines.%zu.quantity", i);
        }
    }
    free(want);
    if (json_object_array_length(errors) > 0)
        return centra_payload(errors);

    centra_shipment *s = centra_new_shipment(c);
    s->order_id = o->id;
    s->good_to_go = json_object_get_boolean(get(input, "isGoodToGo"));
    s->created_us = centra_now_us(c);
    snprintf(s->number, sizeof s->number, "%d-%zu", o->number, o->n_shipments + 1);
    s->lines = calloc(n, sizeof *s->lines);
    if (!s->lines)
        abort();
    for (size_t i = 0; i < n; i++) {
        json_object *l = json_object_array_get_idx(lines, i);
        centra_line *ol = order_line(o, get_int(get(l, "orderLine"), "id"));
        int qty = get_int(l, "quantity");
        ol->shipped += qty;
        s->lines[s->n_lines++] = (centra_shipment_line){c->next_shipment_line_id++, ol->id, qty, 0};
    }
    json_object *info = get(input, "shipmentInfo");
    s->carrier = dup_or_null(get(info, "carrier"));
    s->service = dup_or_null(get(info, "service"));
    s->tracking = dup_or_null(get(info, "trackingNumber"));
    if (json_object_get_boolean(get(input, "isShipped"))) {
        double at = get(input, "shippedAt") ? sb_parse_time(json_object_get_string(get(input, "shippedAt"))) : -1;
        s->shipped = true;
        s->shipped_us = at >= 0 ? (int64_t)at * 1000000 : centra_now_us(c);
        centra_stock_ship(c, s);
    }
    /* A shipment identical to an earlier one of the same order (same lines, and not two different
     * parcels' tracking numbers) is what a retried, non-idempotent integration produces: count it
     * so a test can assert there are none. Two parcels with the same units are two tracking numbers. */
    for (size_t i = 0; i < o->n_shipments; i++) {
        centra_shipment *prev = centra_shipment_by_id(c, o->shipment_ids[i]);
        if (prev && same_lines(prev, s) &&
            (!prev->tracking || !s->tracking || strcmp(prev->tracking, s->tracking) == 0)) {
            c->duplicate_shipments++;
            break;
        }
    }
    int *ids = realloc(o->shipment_ids, (o->n_shipments + 1) * sizeof *ids);
    if (!ids)
        abort();
    o->shipment_ids = ids;
    o->shipment_ids[o->n_shipments++] = s->id;
    if (json_object_get_boolean(get(input, "sendEmail")))
        notify(c, o);
    update_status(c, o);
    centra_emit(c, CE_SHIPMENT, CE_CREATED, s->id);
    centra_touch(c, o);
    json_object *p = centra_payload(errors);
    json_object_object_add(p, "shipment", centra_shipment_json(c, s));
    return p;
}

static json_object *complete_shipment(centra *c, int id, json_object *input)
{
    json_object *errors = json_object_new_array();
    centra_shipment *s = centra_shipment_by_id(c, id);
    double shipped_at = -1;
    json_object *at = get(input, "shippedAt");
    if (!s)
        centra_user_error(errors, "Shipment not found.", "id");
    else if (s->shipped)
        centra_user_error(errors, "Shipment is already completed.", "id");
    if (at && (shipped_at = sb_parse_time(json_object_get_string(at))) < 0)
        centra_user_error(errors, "Invalid date-time.", "input.shippedAt");
    if (json_object_array_length(errors) > 0)
        return centra_payload(errors);
    centra_order *o = centra_order_by_id(c, s->order_id);
    s->shipped = true;
    s->shipped_us = at ? (int64_t)shipped_at * 1000000 : centra_now_us(c);
    centra_stock_ship(c, s);
    json_object *info = get(input, "shipmentInfo");
    if (info) {
        free(s->carrier);
        free(s->service);
        free(s->tracking);
        s->carrier = dup_or_null(get(info, "carrier"));
        s->service = dup_or_null(get(info, "service"));
        s->tracking = dup_or_null(get(info, "trackingNumber"));
    }
    if (json_object_get_boolean(get(input, "sendEmail")))
        notify(c, o);
    update_status(c, o);
    centra_emit(c, CE_SHIPMENT, CE_UPDATED, s->id);
    centra_touch(c, o);
    json_object *p = centra_payload(errors);
    json_object_object_add(p, "shipment", centra_shipment_json(c, s));
    return p;
}

static json_object *create_return(centra *c, json_object *input)
{
    json_object *errors = json_object_new_array();
    centra_shipment *s = centra_shipment_by_id(c, get_int(get(input, "shipment"), "id"));
    if (!s)
        centra_user_error(errors, "Shipment not found.", "input.shipment");
    else if (!s->shipped)
        centra_user_error(errors, "Items can only be returned from a completed shipment.", "input.shipment");
    json_object *lines = get(input, "lines");
    size_t n = lines ? json_object_array_length(lines) : 0;
    if (s && !n)
        centra_user_error(errors, "A return needs at least one line.", "input.lines");
    int *want = s ? calloc(s->n_lines + 1, sizeof *want) : NULL;
    for (size_t i = 0; s && s->shipped && i < n; i++) {
        json_object *l = json_object_array_get_idx(lines, i);
        int sl_id = get_int(get(l, "shipmentLine"), "id"), qty = get_int(l, "quantity");
        centra_shipment_line *sl = NULL;
        for (size_t k = 0; k < s->n_lines; k++)
            if (s->lines[k].id == sl_id)
                sl = &s->lines[k];
        if (!sl) {
            centra_user_error(errors, "Shipment line not found in this shipment.", "input.lines.%zu.shipmentLine", i);
            continue;
        }
        if (qty <= 0) {
            centra_user_error(errors, "Quantity must be positive.", "input.lines.%zu.quantity", i);
            continue;
        }
        size_t idx = (size_t)(sl - s->lines);
        want[idx] += qty;
        if (want[idx] > sl->quantity - sl->returned) {
            char msg[160];
            snprintf(msg, sizeof msg, "Cannot return %d of shipment line %d: only %d shipped and not returned.",
                     want[idx], sl->id, sl->quantity - sl->returned);
            centra_user_error(errors, msg, "input.lines.%zu.quantity", i);
        }
    }
    free(want);
    if (json_object_array_length(errors) > 0)
        return centra_payload(errors);
    centra_order *o = centra_order_by_id(c, s->order_id);
    centra_return *r = centra_new_return(c);
    r->order_id = o->id;
    r->shipment_id = s->id;
    snprintf(r->number, sizeof r->number, "%d-R%d", o->number, r->id);
    r->comment = dup_or_null(get(input, "comment"));
    json_object *pol = get(input, "returnStockActionPolicy");
    r->to_stock = !pol || strcmp(json_object_get_string(pol), "RETURN_TO_STOCK") == 0;
    r->created_us = centra_now_us(c);
    r->lines = calloc(n, sizeof *r->lines);
    if (!r->lines)
        abort();
    for (size_t i = 0; i < n; i++) {
        json_object *l = json_object_array_get_idx(lines, i);
        int sl_id = get_int(get(l, "shipmentLine"), "id"), qty = get_int(l, "quantity");
        for (size_t k = 0; k < s->n_lines; k++) {
            if (s->lines[k].id != sl_id)
                continue;
            s->lines[k].returned += qty;
            centra_line *ol = order_line(o, s->lines[k].order_line_id);
            if (ol)
                ol->returned += qty;
            r->lines[r->n_lines++] = (centra_return_line){c->next_return_line_id++, sl_id, s->lines[k].order_line_id, qty};
        }
    }
    centra_emit(c, CE_RETURN, CE_CREATED, r->id);
    centra_touch(c, o);
    json_object *p = centra_payload(errors);
    json_object_object_add(p, "return", centra_return_json(c, r));
    return p;
}

/* setStock (absolute) and changeStock (deltas) share the walk; nothing changes unless every
 * variant, size and warehouse is known and no level would go negative. */
static json_object *stock(centra *c, json_object *input, bool absolute)
{
    json_object *errors = json_object_new_array();
    char wid[24];
    snprintf(wid, sizeof wid, "%d", get_int(get(input, "warehouse"), "id"));
    int loc = sb_seed_location_index_by_centra_id(c->seed, wid);
    if (loc < 0)
        centra_user_error(errors, "Warehouse not found.", "input.warehouse");
    json_object *pvs = get(input, "productVariants");
    const char *levels_key = absolute ? "sizeStockLevels" : "sizeStockChanges";
    const char *qty_key = absolute ? "quantity" : "deltaQuantity";
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && json_object_array_length(errors) > 0)
            break;
        size_t n = pvs ? json_object_array_length(pvs) : 0;
        for (size_t i = 0; i < n && loc >= 0; i++) {
            json_object *pv = json_object_array_get_idx(pvs, i);
            char vid[24];
            snprintf(vid, sizeof vid, "%d", get_int(get(pv, "productVariant"), "id"));
            json_object *levels = get(pv, levels_key);
            size_t m = levels ? json_object_array_length(levels) : 0;
            for (size_t k = 0; k < m; k++) {
                json_object *lv = json_object_array_get_idx(levels, k);
                json_object *size = get(get(lv, "size"), "name");
                int q = get_int(lv, qty_key);
                const sb_item *item = sb_seed_item_by_centra(c->seed, vid, size ? json_object_get_string(size) : "");
                if (!item) {
                    if (pass == 0)
                        centra_user_error(errors, "Product variant and size not found.",
                                          "input.productVariants.%zu.%s.%zu.size", i, levels_key, k);
                    continue;
                }
                int64_t *cell = centra_stock_cell(c, item, loc);
                int64_t next = absolute ? q : *cell + q;
                if (pass == 0 && next < 0)
                    centra_user_error(errors, "Stock cannot be negative.", "input.productVariants.%zu.%s.%zu.%s",
                                      i, levels_key, k, qty_key);
                if (pass == 1)
                    centra_stock_write(c, item, loc, next);
            }
        }
    }
    return centra_payload(errors);
}

static json_object *confirm_events(centra *c, json_object *input)
{
    json_object *errors = json_object_new_array(), *confirmed = json_object_new_array();
    json_object *ids = get(input, "eventsIds");
    size_t n = ids ? json_object_array_length(ids) : 0;
    for (size_t i = 0; i < n; i++) {
        int id = json_object_get_int(json_object_array_get_idx(ids, i));
        if (id < 1 || (size_t)id > c->n_events) {
            char msg[64];
            snprintf(msg, sizeof msg, "Event %d not found.", id);
            centra_user_error(errors, msg, "input.eventsIds.%zu", i);
        }
    }
    if (json_object_array_length(errors) == 0) {
        for (size_t i = 0; i < n; i++) {
            int id = json_object_get_int(json_object_array_get_idx(ids, i));
            if (!c->events[id - 1].confirmed) {
                c->events[id - 1].confirmed = true;
                c->confirmed_events++;
            }
            json_object_array_add(confirmed, json_object_new_int(id));
        }
        while (c->first_unconfirmed < c->n_events && c->events[c->first_unconfirmed].confirmed)
            c->first_unconfirmed++;
    }
    json_object *p = centra_payload(errors);
    json_object_object_add(p, "confirmedEventsIds", confirmed);
    return p;
}

json_object *centra_mutation_field(centra *c, const gq_field_info *info, bool *handled)
{
    const char *f = info->field->name;
    json_object *input = get(info->args, "input");
    if (strcmp(f, "createShipment") == 0)
        return create_shipment(c, input);
    if (strcmp(f, "completeShipment") == 0)
        return complete_shipment(c, get_int(info->args, "id"), input);
    if (strcmp(f, "createReturn") == 0)
        return create_return(c, input);
    if (strcmp(f, "setStock") == 0)
        return stock(c, input, true);
    if (strcmp(f, "changeStock") == 0)
        return stock(c, input, false);
    if (strcmp(f, "confirmEvents") == 0)
        return confirm_events(c, input);
    return centra_product_mutation(c, info, handled);
}
