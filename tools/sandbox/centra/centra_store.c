/* The Centra store: arrays of orders, shipments, returns and events indexed by id, stock per
 * catalogue item and warehouse, and the totals arithmetic. Totals are integer minor units and add
 * up to the cent by construction: grandTotal = Σ lineValue + shipping (+ taxAdded), and the tax
 * is computed per line (then summed) the way an invoice shows it. Callers hold c->lock. */
#include "tools/sandbox/centra/centra.h"

#include <stdlib.h>
#include <string.h>

static void *grow(void *items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *p = realloc(items, ncap * size);
    if (!p)
        abort();
    memset((char *)p + *cap * size, 0, (ncap - *cap) * size);
    *cap = ncap;
    return p;
}

int64_t centra_now_us(centra *c)
{
    int64_t now = (int64_t)(sb_now() * 1e6);
    if (now <= c->last_us)
        now = c->last_us + 1;
    c->last_us = now;
    return now;
}

centra_order *centra_order_by_id(centra *c, int id)
{
    return id >= 1 && (size_t)id <= c->n_orders ? &c->orders[id - 1] : NULL;
}

centra_order *centra_order_by_number(centra *c, int number)
{
    /* Numbers are id + 1000 (see centra_new_order). */
    return centra_order_by_id(c, number - 1000);
}

centra_shipment *centra_shipment_by_id(centra *c, int id)
{
    return id >= 1 && (size_t)id <= c->n_shipments ? &c->shipments[id - 1] : NULL;
}

centra_return *centra_return_by_id(centra *c, int id)
{
    return id >= 1 && (size_t)id <= c->n_returns ? &c->returns[id - 1] : NULL;
}

centra_order *centra_new_order(centra *c)
{
    c->orders = grow(c->orders, &c->cap_orders, c->n_orders, sizeof *c->orders);
    centra_order *o = &c->orders[c->n_orders++];
    memset(o, 0, sizeof *o);
    o->id = (int)c->n_orders;
    /* Number differs from id so a connector that mixes them up is caught. */
    o->number = o->id + 1000;
    return o;
}

centra_shipment *centra_new_shipment(centra *c)
{
    c->shipments = grow(c->shipments, &c->cap_shipments, c->n_shipments, sizeof *c->shipments);
    centra_shipment *s = &c->shipments[c->n_shipments++];
    memset(s, 0, sizeof *s);
    s->id = (int)c->n_shipments;
    return s;
}

centra_return *centra_new_return(centra *c)
{
    c->returns = grow(c->returns, &c->cap_returns, c->n_returns, sizeof *c->returns);
    centra_return *r = &c->returns[c->n_returns++];
    memset(r, 0, sizeof *r);
    r->id = (int)c->n_returns;
    return r;
}

void centra_emit(centra *c, centra_obj obj, centra_change change, int object_id)
{
    c->events = grow(c->events, &c->cap_events, c->n_events, sizeof *c->events);
    centra_event *e = &c->events[c->n_events++];
    e->id = (int)c->n_events;
    e->object = obj;
    e->change = change;
    e->object_id = object_id;
    e->created_us = centra_now_us(c);
    e->confirmed = false;
}

void centra_touch(centra *c, centra_order *o)
{
    o->updated_us = centra_now_us(c);
    centra_emit(c, CE_ORDER, CE_UPDATED, o->id);
}

/* round(a * num / den) for non-negative a, half away from zero, without overflow for
 * realistic amounts (minor units × basis points stays far below 2^63). */
static int64_t mul_div_round(int64_t a, int64_t num, int64_t den)
{
    return (a * num * 2 + den) / (den * 2);
}

void centra_compute_totals(const sb_seed *seed, centra_order *o)
{
    (void)seed;
    o->items_total = o->discount = o->tax = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        centra_line *l = &o->lines[i];
        int qty = l->quantity; /* quantity excludes cancelled units */
        int64_t value = l->unit_price * qty;
        o->items_total += value;
        o->discount += (l->unit_original - l->unit_price) * qty;
        l->tax_minor = o->tax_included ? mul_div_round(value, l->tax_bp, 10000 + l->tax_bp)
                                       : mul_div_round(value, l->tax_bp, 10000);
        o->tax += l->tax_minor;
    }
    /* Shipping is taxed at the rate of the market (the first line's rate: one country per order). */
    int bp = o->n_lines ? o->lines[0].tax_bp : 0;
    o->shipping_tax = o->tax_included ? mul_div_round(o->shipping, bp, 10000 + bp)
                                      : mul_div_round(o->shipping, bp, 10000);
    o->tax += o->shipping_tax;
    o->grand_total = o->items_total + o->shipping + (o->tax_included ? 0 : o->tax);
}

int64_t *centra_stock_cell(centra *c, const sb_item *item, int location)
{
    size_t idx = (size_t)(item - c->seed->items);
    return &c->stock[idx * c->seed->n_locations + (size_t)location];
}

void centra_store_free(centra *c)
{
    for (size_t i = 0; i < c->n_orders; i++) {
        centra_order *o = &c->orders[i];
        for (size_t j = 0; j < o->n_lines; j++) {
            free(o->lines[j].sku);
            free(o->lines[j].product_number);
            free(o->lines[j].product_name);
            free(o->lines[j].size);
        }
        free(o->lines);
        free(o->country);
        free(o->email);
        free(o->first_name);
        free(o->last_name);
        free(o->address1);
        free(o->city);
        free(o->zip);
        free(o->payment_uri);
        free(o->payment_plugin);
        free(o->payment_name);
        free(o->voucher);
        free(o->shipment_ids);
        for (size_t j = 0; j < o->n_refunds; j++)
            free(o->refunds[j].reason);
        free(o->refunds);
    }
    for (size_t i = 0; i < c->n_shipments; i++) {
        free(c->shipments[i].carrier);
        free(c->shipments[i].service);
        free(c->shipments[i].tracking);
        free(c->shipments[i].lines);
    }
    for (size_t i = 0; i < c->n_returns; i++) {
        free(c->returns[i].comment);
        free(c->returns[i].lines);
    }
    free(c->orders);
    free(c->shipments);
    free(c->returns);
    free(c->events);
    free(c->stock);
    free(c->allocated);
    free(c->writes);
}

const char *centra_status_name(centra_status s)
{
    static const char *const names[] = {"PENDING", "CONFIRMED", "PROCESSING", "SHIPPED", "ARCHIVED",
                                        "CANCELLED"};
    return names[s];
}
