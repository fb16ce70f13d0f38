/* Refunds without goods (goodwill, shipping), made by customer service through
 * POST /_sandbox/orders/<number>/refund, and how Centra's Integration API shows money movements on
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

int centra_refund_order(centra *c, int number, const char *amount, const char *shipping, const char *reason,
                        int *entry_id)
{
    centra_order *o = centra_order_by_number(c, number);
    if (!o)
        return -1;
    int exponent = c->seed->currencies[o->currency].exponent;
    int64_t a, s = 0;
    if (!amount || !sb_money_parse(amount, exponent, &a) || a <= 0 ||
        (shipping && (!sb_money_parse(shipping, exponent, &s) || s < 0)) || s > a)
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
    r->reason = strdup(reason ? reason : "");
    r->created_us = centra_now_us(c);
    centra_touch(c, o);
    *entry_id = r->id;
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
        json_object_array_add(out, entry(c, o, o->refunds[i].id, "REFUND", o->refunds[i].amount, o->refunds[i].created_us, ref));
    }
    return out;
}
