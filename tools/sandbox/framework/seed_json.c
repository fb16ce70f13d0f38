/* Seed files: reading the JSON format of tools/sandbox/README.md, and writing any seed in the
 * same format (so `curl /_sandbox/seed` gives a starting point for a custom seed). */
#include "tools/sandbox/framework/money.h"
#include "tools/sandbox/framework/sandbox.h"
#include "tools/sandbox/framework/seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *get(json_object *obj, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

/* A required string member, copied; NULL (and err set) when missing or not a string. */
static char *req_str(json_object *obj, const char *key, const char *where, char *err, size_t errlen)
{
    json_object *v = get(obj, key);
    if (!v || !json_object_is_type(v, json_type_string) || !*json_object_get_string(v)) {
        if (!*err)
            snprintf(err, errlen, "%s: \"%s\" must be a non-empty string", where, key);
        return NULL;
    }
    return sb_strdup(json_object_get_string(v));
}

static json_object *req_array(json_object *root, const char *key, char *err, size_t errlen)
{
    json_object *v = get(root, key);
    if (!v || !json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0) {
        snprintf(err, errlen, "\"%s\" must be a non-empty array", key);
        return NULL;
    }
    return v;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/* True when `id` is already an item's NetSuite id: every kind of item shares one id space, so an
 * item reference on an order line must resolve to exactly one item. */
static bool item_id_taken(const sb_seed *s, size_t n_service, const char *id)
{
    if (!id)
        return false;
    if (sb_seed_item_by_netsuite_id(s, id))
        return true;
    for (size_t i = 0; i < n_service; i++)
        if (s->service_items[i].netsuite_id && strcmp(s->service_items[i].netsuite_id, id) == 0)
            return true;
    return false;
}

/* Optional "serviceItems": [{"netsuiteId","itemId","displayName","type"}]; absent = none. */
static bool load_service_items(sb_seed *s, json_object *root, char *err, size_t errlen)
{
    json_object *arr = get(root, "serviceItems");
    if (!arr)
        return true;
    if (!json_object_is_type(arr, json_type_array)) {
        snprintf(err, errlen, "\"serviceItems\" must be an array");
        return false;
    }
    size_t n = json_object_array_length(arr);
    s->service_items = calloc(n + 1, sizeof *s->service_items);
    if (!s->service_items)
        return false;
    for (size_t i = 0; i < n && !*err; i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        sb_service_item *it = &s->service_items[i];
        char where[64];
        snprintf(where, sizeof where, "serviceItems[%zu]", i);
        it->netsuite_id = req_str(o, "netsuiteId", where, err, errlen);
        it->item_id = req_str(o, "itemId", where, err, errlen);
        it->display_name = req_str(o, "displayName", where, err, errlen);
        it->type = req_str(o, "type", where, err, errlen);
        s->n_service_items = i + 1; /* counted as soon as it holds strings to free */
        if (*err)
            break;
        if (strcmp(it->type, "otherChargeItem") != 0 && strcmp(it->type, "discountItem") != 0)
            snprintf(err, errlen, "%s: \"type\" must be \"otherChargeItem\" or \"discountItem\"", where);
        else if (item_id_taken(s, i, it->netsuite_id))
            snprintf(err, errlen, "%s: netsuiteId %s is already another item's", where, it->netsuite_id);
    }
    return !*err;
}

/* Optional "paymentMethods": [{"netsuiteId","name"}] ("id" is read as netsuiteId too); absent = none. */
static bool load_payment_methods(sb_seed *s, json_object *root, char *err, size_t errlen)
{
    json_object *arr = get(root, "paymentMethods");
    if (!arr)
        return true;
    if (!json_object_is_type(arr, json_type_array)) {
        snprintf(err, errlen, "\"paymentMethods\" must be an array");
        return false;
    }
    size_t n = json_object_array_length(arr);
    s->payment_methods = calloc(n + 1, sizeof *s->payment_methods);
    if (!s->payment_methods)
        return false;
    for (size_t i = 0; i < n && !*err; i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        sb_payment_method *pm = &s->payment_methods[i];
        char where[64];
        snprintf(where, sizeof where, "paymentMethods[%zu]", i);
        const char *id_key = get(o, "id") && !get(o, "netsuiteId") ? "id" : "netsuiteId";
        pm->netsuite_id = req_str(o, id_key, where, err, errlen);
        pm->name = req_str(o, "name", where, err, errlen);
        s->n_payment_methods = i + 1;
        if (!*err && sb_seed_payment_method_by_netsuite_id(s, pm->netsuite_id) != pm)
            snprintf(err, errlen, "%s: netsuiteId %s is used twice", where, pm->netsuite_id);
    }
    return !*err;
}

static bool load_into(sb_seed *s, json_object *root, char *err, size_t errlen)
{
    json_object *v, *arr;
    char where[64];
    s->brand = (v = get(root, "brand")) ? sb_strdup(json_object_get_string(v)) : sb_strdup("Custom");
    s->subsidiary_id = (v = get(root, "subsidiaryId")) ? sb_strdup(json_object_get_string(v)) : sb_strdup("1");

    if (!(arr = req_array(root, "currencies", err, errlen)))
        return false;
    s->n_currencies = json_object_array_length(arr);
    s->currencies = calloc(s->n_currencies, sizeof *s->currencies);
    for (size_t i = 0; i < s->n_currencies; i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        snprintf(where, sizeof where, "currencies[%zu]", i);
        s->currencies[i].code = req_str(o, "code", where, err, errlen);
        s->currencies[i].netsuite_id = req_str(o, "netsuiteId", where, err, errlen);
        s->currencies[i].exponent = (v = get(o, "exponent")) ? json_object_get_int(v) : 2;
        if (s->currencies[i].exponent < 0 || s->currencies[i].exponent > 4)
            snprintf(err, errlen, "%s: exponent must be 0..4", where);
    }
    if (!(arr = req_array(root, "taxCodes", err, errlen)))
        return false;
    s->n_tax_codes = json_object_array_length(arr);
    s->tax_codes = calloc(s->n_tax_codes, sizeof *s->tax_codes);
    for (size_t i = 0; i < s->n_tax_codes; i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        snprintf(where, sizeof where, "taxCodes[%zu]", i);
        s->tax_codes[i].netsuite_id = req_str(o, "netsuiteId", where, err, errlen);
        s->tax_codes[i].name = req_str(o, "name", where, err, errlen);
        s->tax_codes[i].country = req_str(o, "country", where, err, errlen);
        int64_t bp = 0;
        if (!sb_money_from_json(get(o, "rate"), 2, &bp) || bp < 0 || bp > 10000)
            snprintf(err, errlen, "%s: \"rate\" must be a percentage like \"25.00\"", where);
        s->tax_codes[i].rate_bp = (int)bp;
    }
    if (!(arr = req_array(root, "locations", err, errlen)))
        return false;
    s->n_locations = json_object_array_length(arr);
    s->locations = calloc(s->n_locations, sizeof *s->locations);
    for (size_t i = 0; i < s->n_locations; i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        snprintf(where, sizeof where, "locations[%zu]", i);
        s->locations[i].netsuite_id = req_str(o, "netsuiteId", where, err, errlen);
        s->locations[i].centra_warehouse_id = req_str(o, "centraWarehouseId", where, err, errlen);
        s->locations[i].name = req_str(o, "name", where, err, errlen);
        s->locations[i].country = req_str(o, "country", where, err, errlen);
    }
    if (*err)
        return false;
    if (!(arr = req_array(root, "items", err, errlen)))
        return false;
    s->n_items = json_object_array_length(arr);
    s->items = calloc(s->n_items, sizeof *s->items);
    for (size_t i = 0; i < s->n_items && !*err; i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        sb_item *it = &s->items[i];
        snprintf(where, sizeof where, "items[%zu]", i);
        it->sku = req_str(o, "sku", where, err, errlen);
        it->name = req_str(o, "name", where, err, errlen);
        it->netsuite_item_id = req_str(o, "netsuiteItemId", where, err, errlen);
        it->centra_product_id = req_str(o, "centraProductId", where, err, errlen);
        it->centra_variant_id = req_str(o, "centraVariantId", where, err, errlen);
        it->size_name = req_str(o, "size", where, err, errlen);
        it->price_minor = calloc(s->n_currencies, sizeof *it->price_minor);
        it->stock = calloc(s->n_locations, sizeof *it->stock);
        json_object *prices = get(o, "prices"), *stock = get(o, "stock");
        for (size_t c = 0; c < s->n_currencies && !*err; c++)
            if (!sb_money_from_json(prices ? get(prices, s->currencies[c].code) : NULL,
                                    s->currencies[c].exponent, &it->price_minor[c]))
                snprintf(err, errlen, "%s: prices.%s must be a decimal string", where, s->currencies[c].code);
        for (size_t l = 0; l < s->n_locations; l++) {
            json_object *q = stock ? get(stock, s->locations[l].netsuite_id) : NULL;
            it->stock[l] = q ? json_object_get_int64(q) : 0;
        }
    }
    if (*err)
        return false;
    if ((arr = get(root, "customers")) && json_object_is_type(arr, json_type_array)) {
        s->n_customers = json_object_array_length(arr);
        s->customers = calloc(s->n_customers, sizeof *s->customers);
        for (size_t i = 0; i < s->n_customers; i++) {
            json_object *o = json_object_array_get_idx(arr, i);
            sb_customer *c = &s->customers[i];
            snprintf(where, sizeof where, "customers[%zu]", i);
            c->netsuite_id = req_str(o, "netsuiteId", where, err, errlen);
            c->centra_id = req_str(o, "centraId", where, err, errlen);
            c->email = req_str(o, "email", where, err, errlen);
            c->first_name = req_str(o, "firstName", where, err, errlen);
            c->last_name = req_str(o, "lastName", where, err, errlen);
            c->country = req_str(o, "country", where, err, errlen);
            c->currency = req_str(o, "currency", where, err, errlen);
        }
    }
    if (!(arr = req_array(root, "accounts", err, errlen)))
        return false;
    s->n_accounts = json_object_array_length(arr);
    s->accounts = calloc(s->n_accounts, sizeof *s->accounts);
    for (size_t i = 0; i < s->n_accounts; i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        snprintf(where, sizeof where, "accounts[%zu]", i);
        s->accounts[i].netsuite_id = req_str(o, "netsuiteId", where, err, errlen);
        s->accounts[i].number = req_str(o, "number", where, err, errlen);
        s->accounts[i].name = req_str(o, "name", where, err, errlen);
        s->accounts[i].type = req_str(o, "type", where, err, errlen);
    }
    if (*err)
        return false;
    return load_service_items(s, root, err, errlen) && load_payment_methods(s, root, err, errlen);
}

sb_seed *sb_seed_load(const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        snprintf(err, errlen, "cannot read %s", path);
        return NULL;
    }
    json_object *root = sb_parse_json(text, len);
    free(text);
    if (!root || !json_object_is_type(root, json_type_object)) {
        snprintf(err, errlen, "%s is not a JSON object", path);
        json_object_put(root);
        return NULL;
    }
    sb_seed *s = calloc(1, sizeof *s);
    err[0] = '\0';
    bool ok = s && load_into(s, root, err, errlen);
    json_object_put(root);
    if (!ok) {
        if (!*err)
            snprintf(err, errlen, "out of memory");
        sb_seed_free(s);
        return NULL;
    }
    return s;
}

static void add_str(json_object *o, const char *key, const char *value)
{
    json_object_object_add(o, key, json_object_new_string(value ? value : ""));
}

json_object *sb_seed_to_json(const sb_seed *s)
{
    json_object *root = json_object_new_object(), *arr;
    char money[32];
    add_str(root, "brand", s->brand);
    add_str(root, "subsidiaryId", s->subsidiary_id);
    arr = json_object_new_array();
    for (size_t i = 0; i < s->n_currencies; i++) {
        json_object *o = json_object_new_object();
        add_str(o, "code", s->currencies[i].code);
        json_object_object_add(o, "exponent", json_object_new_int(s->currencies[i].exponent));
        add_str(o, "netsuiteId", s->currencies[i].netsuite_id);
        json_object_array_add(arr, o);
    }
    json_object_object_add(root, "currencies", arr);
    arr = json_object_new_array();
    for (size_t i = 0; i < s->n_tax_codes; i++) {
        json_object *o = json_object_new_object();
        add_str(o, "netsuiteId", s->tax_codes[i].netsuite_id);
        add_str(o, "name", s->tax_codes[i].name);
        add_str(o, "country", s->tax_codes[i].country);
        sb_money_format(s->tax_codes[i].rate_bp, 2, money, sizeof money);
        add_str(o, "rate", money);
        json_object_array_add(arr, o);
    }
    json_object_object_add(root, "taxCodes", arr);
    arr = json_object_new_array();
    for (size_t i = 0; i < s->n_locations; i++) {
        json_object *o = json_object_new_object();
        add_str(o, "netsuiteId", s->locations[i].netsuite_id);
        add_str(o, "centraWarehouseId", s->locations[i].centra_warehouse_id);
        add_str(o, "name", s->locations[i].name);
        add_str(o, "country", s->locations[i].country);
        json_object_array_add(arr, o);
    }
    json_object_object_add(root, "locations", arr);
    arr = json_object_new_array();
    for (size_t i = 0; i < s->n_items; i++) {
        const sb_item *it = &s->items[i];
        json_object *o = json_object_new_object(), *prices = json_object_new_object(),
                    *stock = json_object_new_object();
        add_str(o, "sku", it->sku);
        add_str(o, "name", it->name);
        add_str(o, "netsuiteItemId", it->netsuite_item_id);
        add_str(o, "centraProductId", it->centra_product_id);
        add_str(o, "centraVariantId", it->centra_variant_id);
        add_str(o, "size", it->size_name);
        for (size_t c = 0; c < s->n_currencies; c++) {
            sb_money_format(it->price_minor[c], s->currencies[c].exponent, money, sizeof money);
            add_str(prices, s->currencies[c].code, money);
        }
        for (size_t l = 0; l < s->n_locations; l++)
            json_object_object_add(stock, s->locations[l].netsuite_id, json_object_new_int64(it->stock[l]));
        json_object_object_add(o, "prices", prices);
        json_object_object_add(o, "stock", stock);
        json_object_array_add(arr, o);
    }
    json_object_object_add(root, "items", arr);
    arr = json_object_new_array();
    for (size_t i = 0; i < s->n_customers; i++) {
        const sb_customer *c = &s->customers[i];
        json_object *o = json_object_new_object();
        add_str(o, "netsuiteId", c->netsuite_id);
        add_str(o, "centraId", c->centra_id);
        add_str(o, "email", c->email);
        add_str(o, "firstName", c->first_name);
        add_str(o, "lastName", c->last_name);
        add_str(o, "country", c->country);
        add_str(o, "currency", c->currency);
        json_object_array_add(arr, o);
    }
    json_object_object_add(root, "customers", arr);
    arr = json_object_new_array();
    for (size_t i = 0; i < s->n_accounts; i++) {
        json_object *o = json_object_new_object();
        add_str(o, "netsuiteId", s->accounts[i].netsuite_id);
        add_str(o, "number", s->accounts[i].number);
        add_str(o, "name", s->accounts[i].name);
        add_str(o, "type", s->accounts[i].type);
        json_object_array_add(arr, o);
    }
    json_object_object_add(root, "accounts", arr);
    arr = json_object_new_array();
    for (size_t i = 0; i < s->n_service_items; i++) {
        json_object *o = json_object_new_object();
        add_str(o, "netsuiteId", s->service_items[i].netsuite_id);
        add_str(o, "itemId", s->service_items[i].item_id);
        add_str(o, "displayName", s->service_items[i].display_name);
        add_str(o, "type", s->service_items[i].type);
        json_object_array_add(arr, o);
    }
    json_object_object_add(root, "serviceItems", arr);
    arr = json_object_new_array();
    for (size_t i = 0; i < s->n_payment_methods; i++) {
        json_object *o = json_object_new_object();
        add_str(o, "netsuiteId", s->payment_methods[i].netsuite_id);
        add_str(o, "name", s->payment_methods[i].name);
        json_object_array_add(arr, o);
    }
    json_object_object_add(root, "paymentMethods", arr);
    return root;
}
