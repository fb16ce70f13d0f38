/* The business acting on the Centra sandbox through /_sandbox/: shoppers placing orders with a
 * believable mix (new and returning customers, 1–5 lines, campaign discounts, shipping, three
 * markets/currencies, now and then an SKU that is not in the catalogue), customers returning
 * shipped items, and customer service cancelling orders. Deterministic for a --random-seed.
 * Callers hold c->lock. */
#include "tools/sandbox/centra/centra.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double centra_rand(centra *c)
{
    /* xorshift64*: the shopper's own sequence, so fault decisions do not shift it. */
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return (double)((c->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static int pick(centra *c, int n) { return (int)(centra_rand(c) * n); }

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return sb_strdup(buf);
}

typedef struct market {
    const char *country, *currency, *city, *zip_fmt;
    bool tax_included;
    int64_t shipping, free_above; /* minor units */
} market;

static const market MARKETS[] = {
    {"SE", "SEK", "Stockholm", "1%02d 4%d", true, 4900, 100000},
    {"DE", "EUR", "Berlin", "10%03d", true, 495, 10000},
    {"NL", "EUR", "Amsterdam", "10%02d AB", true, 495, 10000},
    {"US", "USD", "Brooklyn", "112%02d", false, 595, 12000},
};

static const char *const FIRST[] = {"Alva", "Oskar", "Maja", "Felix", "Ida", "Jonas", "Lea", "Paul",
                                    "Emma", "Liam", "Sofia", "Mason", "Nora", "Finn", "Zoe", "Theo"};
static const char *const LAST[] = {"Andersson", "Karlsson", "Müller", "Schmidt", "de Jong", "Bakker",
                                   "Smith", "Johnson", "Eriksson", "Wagner", "Visser", "Miller"};
static const char *const STREETS[] = {"Storgatan", "Hauptstraße", "Keizersgracht", "Atlantic Ave",
                                      "Drottninggatan", "Torstraße", "Prinsengracht", "Bedford Ave"};

static const market *market_for(const char *country)
{
    for (size_t i = 0; i < sizeof MARKETS / sizeof *MARKETS; i++)
        if (strcmp(MARKETS[i].country, country) == 0)
            return &MARKETS[i];
    return &MARKETS[0];
}

static void add_line(centra *c, centra_order *o, const sb_item *item, int qty, int campaign_pct,
                     int tax_bp)
{
    centra_line *l = &o->lines[o->n_lines++];
    l->id = c->next_line_id++;
    l->item = item;
    l->quantity = qty;
    l->tax_bp = tax_bp;
    if (item) {
        l->sku = sb_strdup(item->sku);
        l->product_number = sb_strdup(item->sku);
        /* The product number is the SKU without its size suffix. */
        char *dash = strrchr(l->product_number, '-');
        if (dash)
            *dash = 0;
        l->product_name = sb_strdup(item->name);
        l->size = sb_strdup(item->size_name);
        l->variant_id = atoi(item->centra_variant_id);
        l->unit_original = item->price_minor[o->currency];
    } else {
        /* A product created in Centra but never set up in the ERP: the mapping must fail. */
        int n = 900 + pick(c, 90);
        l->sku = fmt("NDT-NEW-%03d-M", n);
        l->product_number = fmt("NDT-NEW-%03d", n);
        l->product_name = fmt("New Arrival %03d M", n);
        l->size = sb_strdup("M");
        l->variant_id = 9000 + n;
        l->unit_original = c->seed->items[0].price_minor[o->currency];
    }
    /* Campaign price rounded to whole minor units, the way a price list stores it. */
    l->unit_price = l->unit_original - (l->unit_original * campaign_pct + 50) / 100;
}

int centra_place_order(centra *c)
{
    const sb_seed *seed = c->seed;
    centra_order *o = centra_new_order(c);
    o->created_us = o->updated_us = centra_now_us(c);
    o->status = centra_rand(c) < 0.05 ? CS_PENDING : CS_CONFIRMED;

    /* 40 % returning customers from the seed (they exist in the ERP already), 60 % new. */
    const market *m;
    if (c->flash_item) {
        /* A flash sale sells from one warehouse: its shoppers are in a market it serves. */
        m = &MARKETS[0];
        for (size_t i = 0; i < sizeof MARKETS / sizeof *MARKETS; i++)
            if (centra_order_location(c, MARKETS[i].country) == c->flash_location) {
                m = &MARKETS[i];
                break;
            }
        o->customer_id = c->next_customer_id++;
        o->first_name = sb_strdup(FIRST[pick(c, (int)(sizeof FIRST / sizeof *FIRST))]);
        o->last_name = sb_strdup(LAST[pick(c, (int)(sizeof LAST / sizeof *LAST))]);
        o->email = fmt("shopper%d@example.%s", o->customer_id, m->country[0] == 'U' ? "com" : "se");
    } else if (seed->n_customers && centra_rand(c) < 0.4) {
        const sb_customer *k = &seed->customers[pick(c, (int)seed->n_customers)];
        o->known = k;
        o->customer_id = atoi(k->centra_id);
        o->email = sb_strdup(k->email);
        o->first_name = sb_strdup(k->first_name);
        o->last_name = sb_strdup(k->last_name);
        m = market_for(k->country);
    } else {
        m = &MARKETS[pick(c, (int)(sizeof MARKETS / sizeof *MARKETS))];
        o->customer_id = c->next_customer_id++;
        o->first_name = sb_strdup(FIRST[pick(c, (int)(sizeof FIRST / sizeof *FIRST))]);
        o->last_name = sb_strdup(LAST[pick(c, (int)(sizeof LAST / sizeof *LAST))]);
        o->email = fmt("shopper%d@example.%s", o->customer_id, m->country[0] == 'U' ? "com" : "se");
    }
    o->country = sb_strdup(m->country);
    o->currency = sb_seed_currency_index(seed, m->currency);
    if (o->currency < 0)
        o->currency = 0;
    o->tax_included = m->tax_included;
    o->address1 = fmt("%s %d", STREETS[pick(c, (int)(sizeof STREETS / sizeof *STREETS))], 1 + pick(c, 120));
    o->city = sb_strdup(m->city);
    o->zip = fmt(m->zip_fmt, pick(c, 100), pick(c, 10));
    double p = centra_rand(c);
    if (p < 0.5) {
        o->payment_id = 1, o->payment_name = sb_strdup("Klarna Checkout");
        o->payment_uri = sb_strdup("klarna-checkout"), o->payment_plugin = sb_strdup("kco");
    } else if (p < 0.85) {
        o->payment_id = 2, o->payment_name = sb_strdup("Adyen Drop-In");
        o->payment_uri = sb_strdup("adyen-drop-in"), o->payment_plugin = sb_strdup("adyen");
    } else {
        o->payment_id = 3, o->payment_name = sb_strdup("Stripe Checkout");
        o->payment_uri = sb_strdup("stripe-checkout"), o->payment_plugin = sb_strdup("stripe");
    }

    const sb_tax_code *tax = sb_seed_tax_code_for_country(seed, m->country);
    int tax_bp = tax ? tax->rate_bp : 0;
    int campaign = 0;
    double d = centra_rand(c);
    if (d < 0.12) {
        campaign = 10;
        o->voucher = sb_strdup("WELCOME10");
    } else if (d < 0.2) {
        campaign = 20;
        o->voucher = sb_strdup("WINTER20");
    }
    int n_lines = c->flash_item ? 1 : 1 + pick(c, 5);
    o->lines = calloc((size_t)n_lines, sizeof *o->lines);
    if (!o->lines)
        abort();
    int unknown_at = centra_rand(c) < c->unknown_sku_rate ? pick(c, n_lines) : -1;
    int loc = c->flash_item ? c->flash_location : centra_order_location(c, o->country);
    for (int i = 0; i < n_lines; i++) {
        const sb_item *item = NULL;
        int qty = centra_rand(c) < 0.8 ? 1 : 2 + pick(c, 2);
        if (c->flash_item) {
            item = c->flash_item;
            qty = 1;
            centra_stock_allocate(c, item, loc, qty);
        } else if (i != unknown_at && seed->n_items) {
            /* Distinct items per order, as a cart merges identical ones; the shopper buys what is
             * in stock (only when nothing tried is does the order sell beyond it: oversold). */
            for (int tries = 0; tries < 8; tries++) {
                item = &seed->items[pick(c, (int)seed->n_items)];
                bool dup = false;
                for (size_t j = 0; j < o->n_lines; j++)
                    if (o->lines[j].item == item)
                        dup = true;
                if (!dup && centra_stock_available(c, item, loc) >= qty)
                    break;
            }
            if (centra_stock_available(c, item, loc) < qty) {
                /* Eight picks were out of stock: the shopper takes whatever the shelf still has. */
                size_t start = (size_t)pick(c, (int)seed->n_items);
                for (size_t k = 0; k < seed->n_items; k++) {
                    const sb_item *other = &seed->items[(start + k) % seed->n_items];
                    bool dup = false;
                    for (size_t j = 0; j < o->n_lines; j++)
                        if (o->lines[j].item == other)
                            dup = true;
                    if (!dup && centra_stock_available(c, other, loc) >= qty) {
                        item = other;
                        break;
                    }
                }
            }
            centra_stock_allocate(c, item, loc, qty);
        }
        add_line(c, o, item, qty, campaign, tax_bp);
    }
    int64_t items = 0;
    for (size_t i = 0; i < o->n_lines; i++)
        items += o->lines[i].unit_price * o->lines[i].quantity;
    o->shipping = items >= m->free_above ? 0 : m->shipping;
    centra_compute_totals(seed, o);
    centra_emit(c, CE_ORDER, CE_CREATED, o->id);
    return o->number;
}

int centra_customer_returns(centra *c, int max, json_object *created)
{
    int made = 0;
    /* Newest shipments first: customers return recent purchases. */
    for (size_t k = c->n_shipments; k > 0 && made < max; k--) {
        centra_shipment *s = &c->shipments[k - 1];
        if (!s->shipped)
            continue;
        centra_shipment_line *sl = NULL;
        for (size_t i = 0; i < s->n_lines && !sl; i++)
            if (s->lines[i].quantity > s->lines[i].returned)
                sl = &s->lines[i];
        if (!sl)
            continue;
        centra_order *o = centra_order_by_id(c, s->order_id);
        centra_line *ol = NULL;
        for (size_t i = 0; i < o->n_lines; i++)
            if (o->lines[i].id == sl->order_line_id)
                ol = &o->lines[i];
        if (!ol)
            continue;
        centra_return *r = centra_new_return(c);
        r->order_id = o->id;
        r->shipment_id = s->id;
        snprintf(r->number, sizeof r->number, "%d-R%d", o->number, r->id);
        r->comment = sb_strdup("Wrong size");
        r->to_stock = true;
        r->created_us = centra_now_us(c);
        r->lines = calloc(1, sizeof *r->lines);
        if (!r->lines)
            abort();
        r->lines[0] = (centra_return_line){c->next_return_line_id++, sl->id, ol->id, 1};
        r->n_lines = 1;
        sl->returned += 1;
        ol->returned += 1;
        centra_emit(c, CE_RETURN, CE_CREATED, r->id);
        centra_touch(c, o);
        json_object *j = json_object_new_object();
        json_object_object_add(j, "id", json_object_new_int(r->id));
        json_object_object_add(j, "order", json_object_new_int(o->number));
        json_object_array_add(created, j);
        made++;
    }
    return made;
}

void centra_confirm_pending(centra *c, json_object *confirmed)
{
    for (size_t i = 0; i < c->n_orders; i++) {
        centra_order *o = &c->orders[i];
        if (o->status != CS_PENDING)
            continue;
        o->status = CS_CONFIRMED;
        centra_touch(c, o);
        json_object_array_add(confirmed, json_object_new_int(o->number));
    }
}

int centra_cancel_order(centra *c, int number)
{
    centra_order *o = centra_order_by_number(c, number);
    if (!o)
        return -1;
    int cancelled = 0, shipped = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        centra_line *l = &o->lines[i];
        /* Units in a shipment (even one not yet completed) are committed. */
        int committed = l->shipped;
        int open = l->quantity - committed;
        if (open > 0) {
            if (l->item)
                centra_stock_release(c, l->item, centra_order_location(c, o->country), open, false);
            l->cancelled += open;
            l->quantity = committed;
            cancelled += open;
        }
        shipped += committed;
    }
    if (!cancelled)
        return -2;
    centra_compute_totals(c->seed, o);
    o->status = shipped ? CS_SHIPPED : CS_CANCELLED;
    centra_touch(c, o);
    return 0;
}
