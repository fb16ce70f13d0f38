/* JSON renderings of the store's records, shaped like Centra's types, for the GraphQL executor
 * to project the selected fields from. Money is a MonetaryValue {value, currency, formattedValue};
 * value is a JSON number written from the integer minor units' decimal text (json-c serialises
 * the given text), so it is exact — no binary float ever computes an amount. Fields that take
 * arguments (includingTax) carry both variants; the resolver picks one. */
#include "tools/sandbox/centra/centra.h"
#include "tools/sandbox/framework/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *currency_name(const char *code)
{
    if (strcmp(code, "SEK") == 0) return "Swedish krona";
    if (strcmp(code, "EUR") == 0) return "Euro";
    if (strcmp(code, "USD") == 0) return "US dollar";
    return code;
}

static json_object *currency_json(const sb_seed *seed, int currency)
{
    const sb_currency *cur = &seed->currencies[currency];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int(currency + 1));
    json_object_object_add(o, "code", json_object_new_string(cur->code));
    json_object_object_add(o, "name", json_object_new_string(currency_name(cur->code)));
    return o;
}

json_object *centra_money(const sb_seed *seed, int currency, int64_t minor)
{
    const sb_currency *cur = &seed->currencies[currency];
    char text[48], formatted[64];
    sb_money_format(minor, cur->exponent, text, sizeof text);
    snprintf(formatted, sizeof formatted, "%s %s", text, cur->code);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "value", json_object_new_double_s(strtod(text, NULL), text));
    json_object_object_add(o, "currency", currency_json(seed, currency));
    json_object_object_add(o, "formattedValue", json_object_new_string(formatted));
    return o;
}

void centra_time(int64_t us, char *buf, size_t len)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

static json_object *time_json(int64_t us)
{
    char buf[40];
    centra_time(us, buf, sizeof buf);
    return json_object_new_string(buf);
}

static void add_str(json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

/* Per-unit and per-line amounts in both tax bases. In a tax-included market the stored prices
 * are gross and net is derived; in a tax-added market the other way round. */
static int64_t other_basis(int64_t amount, int bp, bool stored_gross)
{
    if (stored_gross)
        return (amount * 10000 * 2 + (10000 + bp)) / ((10000 + bp) * 2);
    return (amount * (10000 + bp) * 2 + 10000) / (10000 * 2);
}

static void money_pair(json_object *o, const char *key, const sb_seed *seed, const centra_order *ord,
                       int64_t stored, int64_t other)
{
    char net_key[64];
    snprintf(net_key, sizeof net_key, "%s#net", key);
    int64_t gross = ord->tax_included ? stored : other;
    int64_t net = ord->tax_included ? other : stored;
    json_object_object_add(o, key, centra_money(seed, ord->currency, gross));
    json_object_object_add(o, net_key, centra_money(seed, ord->currency, net));
}

static json_object *line_json(const sb_seed *seed, const centra_order *o, const centra_line *l)
{
    json_object *j = json_object_new_object();
    json_object_object_add(j, "id", json_object_new_int(l->id));
    add_str(j, "productNumber", l->product_number);
    add_str(j, "productName", l->product_name);
    add_str(j, "size", l->size);
    json_object *pv = json_object_new_object();
    json_object_object_add(pv, "id", json_object_new_int(l->variant_id));
    add_str(pv, "name", l->product_name);
    json_object_object_add(j, "productVariant", pv);
    json_object *ps = json_object_new_object();
    add_str(ps, "SKU", l->sku);
    add_str(ps, "sizeName", l->size);
    json_object_object_add(j, "productSize", ps);
    json_object_object_add(j, "quantity", json_object_new_int(l->quantity));
    json_object_object_add(j, "cancelledQuantity", json_object_new_int(l->cancelled));
    json_object_object_add(j, "returnedQuantity", json_object_new_int(l->returned));
    bool g = o->tax_included;
    money_pair(j, "unitOriginalPrice", seed, o, l->unit_original, other_basis(l->unit_original, l->tax_bp, g));
    money_pair(j, "unitPrice", seed, o, l->unit_price, other_basis(l->unit_price, l->tax_bp, g));
    int64_t value = l->unit_price * l->quantity;
    /* lineValue's other basis uses the line's tax so net + tax = gross exactly. */
    money_pair(j, "lineValue", seed, o, value, g ? value - l->tax_minor : value + l->tax_minor);
    char pct[16];
    int64_t disc_bp = l->unit_original ? ((l->unit_original - l->unit_price) * 10000 * 2 + l->unit_original) /
                                             (l->unit_original * 2) : 0;
    snprintf(pct, sizeof pct, "%d.%02d", (int)(disc_bp / 100), (int)(disc_bp % 100));
    json_object_object_add(j, "discountPercent", json_object_new_double_s(strtod(pct, NULL), pct));
    snprintf(pct, sizeof pct, "%d.%02d", l->tax_bp / 100, l->tax_bp % 100);
    json_object_object_add(j, "taxPercent", json_object_new_double_s(strtod(pct, NULL), pct));
    return j;
}

static json_object *address_json(const sb_seed *seed, const centra_order *o)
{
    (void)seed;
    json_object *a = json_object_new_object();
    add_str(a, "firstName", o->first_name);
    add_str(a, "lastName", o->last_name);
    add_str(a, "address1", o->address1);
    add_str(a, "address2", NULL);
    add_str(a, "city", o->city);
    add_str(a, "zipCode", o->zip);
    add_str(a, "stateOrProvince", strcmp(o->country, "US") == 0 ? "NY" : NULL);
    json_object *country = json_object_new_object();
    add_str(country, "code", o->country);
    static const char *const names[][2] = {{"SE", "Sweden"}, {"DE", "Germany"}, {"NL", "Netherlands"},
                                           {"US", "United States"}};
    const char *cname = o->country;
    for (size_t i = 0; i < 4; i++)
        if (strcmp(names[i][0], o->country) == 0)
            cname = names[i][1];
    add_str(country, "name", cname);
    json_object_object_add(a, "country", country);
    add_str(a, "email", o->email);
    add_str(a, "phoneNumber", NULL);
    return a;
}

/* An order is a handle {"#id"}; its fields are built when selected (centra_order_field), so a
 * page that asks for ids only does not pay for lines, addresses and money. */
json_object *centra_order_json(centra *c, const centra_order *o)
{
    (void)c;
    json_object *j = json_object_new_object();
    json_object_object_add(j, "#id", json_object_new_int(o->id));
    return j;
}

static json_object *totals_json(const sb_seed *seed, const centra_order *o)
{
    json_object *t = json_object_new_object();
    json_object_object_add(t, "itemsTotal", centra_money(seed, o->currency, o->items_total));
    json_object_object_add(t, "discount", centra_money(seed, o->currency, o->discount));
    json_object_object_add(t, "shipping", centra_money(seed, o->currency, o->shipping));
    json_object_object_add(t, "taxAdded", centra_money(seed, o->currency, o->tax_included ? 0 : o->tax));
    json_object_object_add(t, "taxIncluded", centra_money(seed, o->currency, o->tax_included ? o->tax : 0));
    json_object_object_add(t, "grandTotal", centra_money(seed, o->currency, o->grand_total));
    return t;
}

json_object *centra_order_field(centra *c, const centra_order *o, const char *f, bool *known)
{
    const sb_seed *seed = c->seed;
    *known = true;
    if (strcmp(f, "id") == 0)
        return json_object_new_int(o->id);
    if (strcmp(f, "number") == 0)
        return json_object_new_int(o->number);
    if (strcmp(f, "status") == 0)
        return json_object_new_string(centra_status_name(o->status));
    if (strcmp(f, "storeId") == 0)
        return json_object_new_int(1);
    if (strcmp(f, "storeType") == 0)
        return json_object_new_string("DIRECT_TO_CONSUMER");
    if (strcmp(f, "createdAt") == 0)
        return time_json(o->created_us);
    if (strcmp(f, "updatedAt") == 0)
        return time_json(o->updated_us);
    if (strcmp(f, "currency") == 0)
        return currency_json(seed, o->currency);
    if (strcmp(f, "grandTotal") == 0)
        return centra_money(seed, o->currency, o->grand_total);
    if (strcmp(f, "totals") == 0)
        return totals_json(seed, o);
    if (strcmp(f, "discountsApplied") == 0) {
        json_object *disc = json_object_new_array();
        if (o->voucher && o->discount > 0) {
            json_object *d = json_object_new_object();
            add_str(d, "name", strncmp(o->voucher, "WELCOME", 7) == 0 ? "Welcome 10 %" : "Winter sale 20 %");
            add_str(d, "code", o->voucher);
            json_object_object_add(d, "value", centra_money(seed, o->currency, o->discount));
            json_object_array_add(disc, d);
        }
        return disc;
    }
    if (strcmp(f, "paymentMethod") == 0) {
        json_object *pm = json_object_new_object();
        json_object_object_add(pm, "id", json_object_new_int(o->payment_id));
        add_str(pm, "name", o->payment_name);
        add_str(pm, "uri", o->payment_uri);
        add_str(pm, "plugin", o->payment_plugin);
        return pm;
    }
    if (strcmp(f, "customer") == 0) {
        json_object *cu = json_object_new_object();
        json_object_object_add(cu, "id", json_object_new_int(o->customer_id));
        add_str(cu, "email", o->email);
        add_str(cu, "firstName", o->first_name);
        add_str(cu, "lastName", o->last_name);
        return cu;
    }
    if (strcmp(f, "billingAddress") == 0 || strcmp(f, "shippingAddress") == 0)
        return address_json(seed, o);
    if (strcmp(f, "lines") == 0) {
        json_object *lines = json_object_new_array();
        for (size_t i = 0; i < o->n_lines; i++)
            json_object_array_add(lines, line_json(seed, o, &o->lines[i]));
        return lines;
    }
    *known = false;
    return NULL;
}

json_object *centra_shipment_json(centra *c, const centra_shipment *s)
{
    (void)c;
    json_object *j = json_object_new_object();
    json_object_object_add(j, "id", json_object_new_int(s->id));
    add_str(j, "number", s->number);
    json_object_object_add(j, "isGoodToGo", json_object_new_boolean(s->good_to_go));
    json_object_object_add(j, "isShipped", json_object_new_boolean(s->shipped));
    json_object_object_add(j, "createdAt", time_json(s->created_us));
    json_object_object_add(j, "shippedAt", s->shipped ? time_json(s->shipped_us) : NULL);
    if (s->carrier || s->tracking) {
        json_object *info = json_object_new_object();
        add_str(info, "carrier", s->carrier);
        add_str(info, "service", s->service);
        add_str(info, "trackingNumber", s->tracking);
        json_object_object_add(j, "shipmentInfo", info);
    } else {
        json_object_object_add(j, "shipmentInfo", NULL);
    }
    json_object *lines = json_object_new_array();
    for (size_t i = 0; i < s->n_lines; i++) {
        json_object *l = json_object_new_object();
        json_object_object_add(l, "id", json_object_new_int(s->lines[i].id));
        json_object_object_add(l, "orderLineId", json_object_new_int(s->lines[i].order_line_id));
        json_object_object_add(l, "quantity", json_object_new_int(s->lines[i].quantity));
        json_object_array_add(lines, l);
    }
    json_object_object_add(j, "lines", lines);
    json_object_object_add(j, "#order", json_object_new_int(s->order_id));
    return j;
}

json_object *centra_return_json(centra *c, const centra_return *r)
{
    json_object *j = json_object_new_object();
    const centra_order *o = centra_order_by_id(c, r->order_id);
    if (o)
        json_object_object_add(j, "shippingCost", centra_money(c->seed, o->currency, r->shipping));
    json_object_object_add(j, "id", json_object_new_int(r->id));
    add_str(j, "number", r->number);
    add_str(j, "comment", r->comment);
    add_str(j, "returnStockActionPolicy", r->to_stock ? "RETURN_TO_STOCK" : "REMOVE_FROM_STOCK");
    json_object_object_add(j, "createdAt", time_json(r->created_us));
    json_object *lines = json_object_new_array();
    for (size_t i = 0; i < r->n_lines; i++) {
        json_object *l = json_object_new_object();
        json_object_object_add(l, "id", json_object_new_int(r->lines[i].id));
        json_object_object_add(l, "shipmentLineId", json_object_new_int(r->lines[i].shipment_line_id));
        json_object_object_add(l, "orderLineId", json_object_new_int(r->lines[i].order_line_id));
        json_object_object_add(l, "quantity", json_object_new_int(r->lines[i].quantity));
        json_object_array_add(lines, l);
    }
    json_object_object_add(j, "lines", lines);
    json_object_object_add(j, "#shipment", json_object_new_int(r->shipment_id));
    return j;
}

json_object *centra_event_json(centra *c, const centra_event *e)
{
    (void)c;
    static const char *const objs[] = {"Order", "Shipment", "Return"};
    static const char *const changes[] = {"CREATED", "UPDATED", "DELETED"};
    json_object *j = json_object_new_object();
    json_object_object_add(j, "id", json_object_new_int(e->id));
    add_str(j, "objectType", objs[e->object]);
    add_str(j, "changeType", changes[e->change]);
    json_object_object_add(j, "objectId", json_object_new_int(e->object_id));
    json_object_object_add(j, "createdAt", time_json(e->created_us));
    if (e->object == CE_ORDER)
        json_object_object_add(j, "#order", json_object_new_int(e->object_id));
    return j;
}
