/* Refunds without goods (goodwill, shipping), made by customer service through
 * POST /_sandbox/orders/<number>/refund, returns with goods refunded through
 * POST /_sandbox/orders/<number>/return (the REFUND entry's paramsJSON names the return:
 * {"returnId": N}; the return's shippingCost is the shipping refunded with it), and how Centra's Integration API shows money movements on
 * an order: Order.paymentHistory, entries {id, createdAt, entryType, status, externalReference,
 * value, paymentMethod, paramsJSON}, filterable by entryType (the guide's
 * `paymentHistory(where: {entryType: [CAPTURE, CAPTURE_REQUEST]})`). The sandbox lists only what
 * it keeps: one REFUND entry per refund (captures and authorisations are not modelled). Refunding
 * touches the order (updatedAt, an Order UPDATED event) so a poller reading by updatedAt sees it.
 * Stricter than asking nothing: a refund of a PENDING order, beyond what was captured (all
 * refunds together), or of more shipping than the order charged is refused. */
#include "tools/sandbox/centra/centra.h"
#include "tools/sandbox/framework/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The checks every refund passes, then the REFUND entry; see centra_refund_order's codes. */
static int refund(centra *c, centra_order *o, int64_t a, int64_t s, const char *reason, int return_id, int *entry_id)
{
    if (a <= 0 || s < 0 || s > a)
        return -2;
    if (o->status == CS_PENDING)
        return -3;
    int64_t refunded = 0, shipping_refunded = 0;
    for (size_t i = 0; i < o->n_refunds; i++) {
        refunded += o->refunds[i].amount;
        shipping_refunded += o->refunds[i].shipping;
    }
    if (refunded + a > o->grand_total)
        return -3;
    if (shipping_refunded + s > o->shipping)
        return -4;
    centra_refund *grown = realloc(o->refunds, (o->n_refunds + 1) * sizeof *o->refunds);
    if (!grown)
        abort();
    o->refunds = grown;
    centra_refund *r = &o->refunds[o->n_refunds++];
    r->id = ++c->next_payment_entry_id;
    r->amount = a;
    r->shipping = s;
    r->return_id = return_id;
    r->reason = strdup(reason ? reason : "");
    r->created_us = centra_now_us(c);
    centra_touch(c, o);
    *entry_id = r->id;
    return 0;
}

int centra_refund_order(centra *c, int number, const char *amount, const char *shipping, const char *reason,
                        int *entry_id)
{
    centra_order *o = centra_order_by_number(c, number);
    if (!o)
        return -1;
    int exponent = c->seed->currencies[o->currency].exponent;
    int64_t a, s = 0;
    if (!amount || !sb_money_parse(amount, exponent, &a) || (shipping && !sb_money_parse(shipping, exponent, &s)))
        return -2;
    return refund(c, o, a, s, reason, 0, entry_id);
}

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static centra_line *wanted_line(centra_order *o, json_object *want)
{
    const char *sku = json_object_get_string(member(want, "sku"));
    int id = json_object_get_int(member(want, "line"));
    for (size_t i = 0; i < o->n_lines; i++)
        if ((sku && o->lines[i].sku && strcmp(o->lines[i].sku, sku) == 0) || (!sku && o->lines[i].id == id))
            return &o->lines[i];
    return NULL;
}

/* The shipment line of order line `ol` in shipment s with at least qty units shipped and not returned. */
static centra_shipment_line *returnable(centra_shipment *s, const centra_line *ol, int qty)
{
    for (size_t k = 0; s->shipped && k < s->n_lines; k++)
        if (s->lines[k].order_line_id == ol->id && s->lines[k].quantity - s->lines[k].returned >= qty)
            return &s->lines[k];
    return NULL;
}

int centra_return_goods(centra *c, int number, json_object *lines, const char *amount, const char *shipping,
                        const char *reason, int *return_id, int *entry_id)
{
    centra_order *o = centra_order_by_number(c, number);
    if (!o)
        return -1;
    int exponent = c->seed->currencies[o->currency].exponent;
    int64_t a = 0, s = 0;
    size_t n = lines && json_object_is_type(lines, json_type_array) ? json_object_array_length(lines) : 0;
    if (n == 0 || (amount && !sb_money_parse(amount, exponent, &a)) || (shipping && !sb_money_parse(shipping, exponent, &s)))
        return -2;
    /* One shipment holds every unit asked for (a Centra return belongs to one shipment). */
    centra_shipment *from = NULL;
    for (size_t k = 0; k < o->n_shipments && !from; k++) {
        centra_shipment *sh = centra_shipment_by_id(c, o->shipment_ids[k]);
        bool all = sh != NULL;
        for (size_t i = 0; all && i < n; i++) {
            json_object *w = json_object_array_get_idx(lines, i);
            centra_line *ol = wanted_line(o, w);
            int qty = json_object_get_int(member(w, "quantity"));
            all = ol && qty > 0 && returnable(sh, ol, qty);
        }
        if (all)
            from = sh;
    }
    if (!from)
        return -5;
    int64_t goods = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *w = json_object_array_get_idx(lines, i);
        centra_line *ol = wanted_line(o, w);
        int64_t value = ol->unit_price * ol->quantity + (o->tax_included ? 0 : ol->tax_minor);
        goods += value * json_object_get_int(member(w, "quantity")) / (ol->quantity ? ol->quantity : 1);
    }
    if (!amount)
        a = goods + s;
    /* The refund is checked (and made) first: a refused one leaves no return behind. */
    int rc = refund(c, o, a, s, reason, (int)c->n_returns + 1, entry_id);
    if (rc != 0)
        return rc;
    centra_return *r = centra_new_return(c);
    r->order_id = o->id;
    r->shipment_id = from->id;
    snprintf(r->number, sizeof r->number, "%d-R%d", o->number, r->id);
    r->comment = strdup(reason ? reason : "");
    r->to_stock = true;
    r->shipping = s;
    r->created_us = centra_now_us(c);
    r->lines = calloc(n, sizeof *r->lines);
    if (!r->lines || !r->comment)
        abort();
    for (size_t i = 0; i < n; i++) {
        json_object *w = json_object_array_get_idx(lines, i);
        centra_line *ol = wanted_line(o, w);
        int qty = json_object_get_int(member(w, "quantity"));
        centra_shipment_line *sl = returnable(from, ol, qty);
        sl->returned += qty;
        ol->returned += qty;
        r->lines[r->n_lines++] = (centra_return_line){c->next_return_line_id++, sl->id, ol->id, qty};
    }
    centra_emit(c, CE_RETURN, CE_CREATED, r->id);
    *return_id = r->id;
    return 0;
}

static bool wanted(json_object *types, const char *type)
{
    if (!types || !json_object_is_type(types, json_type_array))
        return true;
    for (size_t i = 0; i < json_object_array_length(types); i++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(types, i)), type) == 0)
            return true;
    return false;
}

static json_object *entry(centra *c, const centra_order *o, int id, const char *type, int64_t minor, int64_t at_us,
                          const char *reference)
{
    char when[40];
    json_object *e = json_object_new_object();
    centra_time(at_us, when, sizeof when);
    json_object_object_add(e, "id", json_object_new_int(id));
    json_object_object_add(e, "createdAt", json_object_new_string(when));
    json_object_object_add(e, "entryType", json_object_new_string(type));
    json_object_object_add(e, "status", json_object_new_string("SUCCESS"));
    json_object_object_add(e, "externalReference", json_object_new_string(reference));
    json_object_object_add(e, "value", centra_money(c->seed, o->currency, minor));
    json_object_object_add(e, "paymentMethod", o->payment_plugin ? json_object_new_string(o->payment_plugin) : NULL);
    json_object_object_add(e, "paramsJSON", json_object_new_string("{}"));
    return e;
}

json_object *centra_payment_history_json(centra *c, const centra_order *o, json_object *where)
{
    json_object *types = NULL, *out = json_object_new_array();
    if (where)
        json_object_object_get_ex(where, "entryType", &types);
    char ref[48];
    for (size_t i = 0; i < o->n_refunds && wanted(types, "REFUND"); i++) {
        snprintf(ref, sizeof ref, "refund-%d", o->refunds[i].id);
        json_object *e = entry(c, o, o->refunds[i].id, "REFUND", o->refunds[i].amount, o->refunds[i].created_us, ref);
        if (o->refunds[i].return_id) {
            char params[48];
            snprintf(params, sizeof params, "{\"returnId\":%d}", o->refunds[i].return_id);
            json_object_object_add(e, "paramsJSON", json_object_new_string(params));
        }
        json_object_array_add(out, e);
    }
    return out;
}
