/* The Centra sandbox's product catalogue, as the Integration API keeps it (Centra's guide,
 * "Create the first product"): products (productNumber, name, status, and the merchandising
 * fields people edit in Centra — here `description`), one variant per product carrying the
 * status, sizes activated from the size chart (SKU = productNumber-sizeName), and prices per
 * pricelist (one pricelist per currency, "SEK retail" …, set for a whole product by setPrices).
 * Seeded from the shared catalogue; createProduct, createProductVariant (with productSizes),
 * createProductSize, updateProduct, updateProductVariant and setPrices change it; products()
 * reads it. userErrors as Centra words them: a size the size chart lacks, a productNumber taken,
 * a price in another currency than the pricelist's. Callers hold c->lock. */
#include "tools/sandbox/centra/centra.h"
#include "tools/sandbox/framework/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *get(json_object *o, const char *k)
{
    json_object *v = NULL;
    if (o)
        json_object_object_get_ex(o, k, &v);
    return v;
}

static int get_int(json_object *o, const char *k) { return json_object_get_int(get(o, k)); }

static void *grow(void *items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return items;
    size_t next = *cap ? *cap * 2 : 64;
    void *p = realloc(items, next * size);
    if (p)
        *cap = next;
    return p;
}

static centra_product *add_product(centra *c, int id, const char *number, const char *name, bool active)
{
    centra_product *p = grow(c->products, &c->cap_products, c->n_products, sizeof *p);
    if (!p)
        return NULL;
    c->products = p;
    p = &c->products[c->n_products++];
    *p = (centra_product){.id = id, .number = sb_strdup(number), .name = sb_strdup(name), .active = active,
                          .variant_id = 0};
    return p;
}

static centra_product_size *add_size(centra *c, int variant_id, const char *size, const char *sku)
{
    centra_product_size *s = grow(c->product_sizes, &c->cap_product_sizes, c->n_product_sizes, sizeof *s);
    if (!s)
        return NULL;
    c->product_sizes = s;
    s = &c->product_sizes[c->n_product_sizes++];
    *s = (centra_product_size){.id = ++c->last_size_id, .variant_id = variant_id, .size = sb_strdup(size),
                               .sku = sb_strdup(sku)};
    return s;
}

static void set_price(centra *c, int product_id, int currency, int64_t minor)
{
    for (size_t i = 0; i < c->n_prices; i++)
        if (c->prices[i].product_id == product_id && c->prices[i].currency == currency) {
            c->prices[i].minor = minor;
            return;
        }
    centra_price *p = grow(c->prices, &c->cap_prices, c->n_prices, sizeof *p);
    if (!p)
        return;
    c->prices = p;
    c->prices[c->n_prices++] = (centra_price){product_id, currency, minor};
}

centra_product *centra_product_by_id(centra *c, int id)
{
    for (size_t i = 0; i < c->n_products; i++)
        if (c->products[i].id == id)
            return &c->products[i];
    return NULL;
}

static centra_product *product_by_number(centra *c, const char *number)
{
    for (size_t i = 0; number && i < c->n_products; i++)
        if (strcmp(c->products[i].number, number) == 0)
            return &c->products[i];
    return NULL;
}

static centra_product *product_by_variant(centra *c, int variant_id)
{
    for (size_t i = 0; i < c->n_products; i++)
        if (c->products[i].variant_id == variant_id && variant_id != 0)
            return &c->products[i];
    return NULL;
}

const centra_product *centra_product_of_sku(centra *c, const char *sku)
{
    for (size_t i = 0; sku && i < c->n_product_sizes; i++)
        if (strcmp(c->product_sizes[i].sku, sku) == 0)
            return product_by_variant(c, c->product_sizes[i].variant_id);
    return NULL;
}

/* The size chart: every size name the catalogue uses. */
static bool size_in_chart(centra *c, const char *size)
{
    for (size_t i = 0; size && i < c->seed->n_items; i++)
        if (strcmp(c->seed->items[i].size_name, size) == 0)
            return true;
    return false;
}

bool centra_products_init(centra *c)
{
    const sb_seed *seed = c->seed;
    for (size_t i = 0; i < seed->n_items; i++) {
        const sb_item *it = &seed->items[i];
        int pid = atoi(it->centra_product_id), vid = atoi(it->centra_variant_id);
        centra_product *p = centra_product_by_id(c, pid);
        if (!p) {
            /* "NDT-TEE-012-M" → product NDT-TEE-012; "Organic Tee 012 Black M" → "Organic Tee 012 Black" */
            char number[96], name[160];
            size_t cut = strlen(it->sku) - strlen(it->size_name);
            snprintf(number, sizeof number, "%.*s", (int)(cut > 0 ? cut - 1 : 0), it->sku);
            size_t name_cut = strlen(it->name) > strlen(it->size_name) ? strlen(it->name) - strlen(it->size_name) : 0;
            snprintf(name, sizeof name, "%.*s", (int)(name_cut > 0 ? name_cut - 1 : 0), it->name);
            p = add_product(c, pid, number, name, true);
            if (!p)
                return false;
            p->variant_id = vid;
            p->variant_active = true;
            c->last_product_id = pid > c->last_product_id ? pid : c->last_product_id;
            c->last_variant_id = vid > c->last_variant_id ? vid : c->last_variant_id;
            for (size_t k = 0; k < seed->n_currencies; k++)
                set_price(c, pid, (int)k, it->price_minor[k]);
        }
        if (!add_size(c, vid, it->size_name, it->sku))
            return false;
    }
    return true;
}

void centra_products_free(centra *c)
{
    for (size_t i = 0; i < c->n_products; i++) {
        free(c->products[i].number);
        free(c->products[i].name);
        free(c->products[i].description);
        free(c->products[i].variant_name);
    }
    for (size_t i = 0; i < c->n_product_sizes; i++) {
        free(c->product_sizes[i].size);
        free(c->product_sizes[i].sku);
    }
    free(c->products);
    free(c->product_sizes);
    free(c->prices);
}

/* ---- JSON renderings ------------------------------------------------------------------------- */

static const char *status_name(bool active) { return active ? "ACTIVE" : "INACTIVE"; }

static json_object *size_json(const centra_product_size *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int(s->id));
    json_object_object_add(o, "SKU", json_object_new_string(s->sku));
    json_object_object_add(o, "sizeName", json_object_new_string(s->size));
    json_object_object_add(o, "sizeNumber", json_object_new_string(s->size));
    return o;
}

static json_object *variant_json(centra *c, const centra_product *p)
{
    json_object *v = json_object_new_object(), *sizes = json_object_new_array();
    json_object_object_add(v, "id", json_object_new_int(p->variant_id));
    json_object_object_add(v, "name", p->variant_name ? json_object_new_string(p->variant_name) : NULL);
    json_object_object_add(v, "status", json_object_new_string(status_name(p->variant_active)));
    for (size_t i = 0; i < c->n_product_sizes; i++)
        if (c->product_sizes[i].variant_id == p->variant_id)
            json_object_array_add(sizes, size_json(&c->product_sizes[i]));
    json_object_object_add(v, "productSizes", sizes);
    return v;
}

static json_object *product_json(centra *c, const centra_product *p)
{
    json_object *o = json_object_new_object(), *variants = json_object_new_array(), *prices = json_object_new_array();
    json_object_object_add(o, "id", json_object_new_int(p->id));
    json_object_object_add(o, "name", json_object_new_string(p->name));
    json_object_object_add(o, "productNumber", json_object_new_string(p->number));
    json_object_object_add(o, "status", json_object_new_string(status_name(p->active)));
    json_object_object_add(o, "description", p->description ? json_object_new_string(p->description) : NULL);
    if (p->variant_id)
        json_object_array_add(variants, variant_json(c, p));
    json_object_object_add(o, "variants", variants);
    for (size_t k = 0; k < c->seed->n_currencies; k++) /* by pricelist */
        for (size_t i = 0; i < c->n_prices; i++)
            if (c->prices[i].product_id == p->id && c->prices[i].currency == (int)k) {
                json_object *pr = json_object_new_object();
                json_object_object_add(pr, "pricelist", json_object_new_int(c->prices[i].currency + 1));
                json_object_object_add(pr, "price", centra_money(c->seed, c->prices[i].currency, c->prices[i].minor));
                json_object_array_add(prices, pr);
            }
    json_object_object_add(o, "prices", prices);
    return o;
}

json_object *centra_products_query(centra *c, const gq_field_info *info)
{
    json_object *numbers = get(get(info->args, "where"), "productNumber");
    int limit = get_int(info->args, "limit"), page = get_int(info->args, "page");
    if (limit < 1 || limit > 200 || page < 1) {
        gq_field_error(info, "graphql", "Arguments \"limit\" must be 1..200 and \"page\" at least 1.");
        return NULL;
    }
    json_object *out = json_object_new_array();
    int skip = (page - 1) * limit, taken = 0;
    for (size_t i = 0; i < c->n_products && taken < limit; i++) {
        bool wanted = !numbers;
        for (size_t k = 0; numbers && k < json_object_array_length(numbers) && !wanted; k++)
            wanted = strcmp(json_object_get_string(json_object_array_get_idx(numbers, k)), c->products[i].number) == 0;
        if (!wanted || skip-- > 0)
            continue;
        json_object_array_add(out, product_json(c, &c->products[i]));
        taken++;
    }
    return out;
}

json_object *centra_product_control_json(centra *c, const char *number)
{
    centra_product *p = product_by_number(c, number);
    return p ? product_json(c, p) : NULL;
}

bool centra_product_merchandise(centra *c, const char *number, const char *description)
{
    centra_product *p = product_by_number(c, number);
    if (!p)
        return false;
    free(p->description);
    p->description = description ? sb_strdup(description) : NULL;
    return true;
}

/* ---- mutations ------------------------------------------------------------------------------- */

static bool status_active(json_object *status, bool otherwise)
{
    return status ? strcmp(json_object_get_string(status), "ACTIVE") == 0 : otherwise;
}

static json_object *create_product(centra *c, json_object *input)
{
    json_object *errors = json_object_new_array();
    const char *number = json_object_get_string(get(input, "productNumber"));
    const char *name = json_object_get_string(get(input, "name"));
    if (!number || !*number)
        centra_user_error(errors, "Product number cannot be empty.", "input.productNumber");
    else if (product_by_number(c, number))
        centra_user_error(errors, "Product number is already in use.", "input.productNumber");
    if (!name || !*name)
        centra_user_error(errors, "Name cannot be empty.", "input.name");
    centra_product *p = NULL;
    if (json_object_array_length(errors) == 0)
        p = add_product(c, ++c->last_product_id, number, name, status_active(get(input, "status"), false));
    json_object *out = centra_payload(errors);
    json_object_object_add(out, "product", p ? product_json(c, p) : NULL);
    return out;
}

static json_object *update_product(centra *c, int id, json_object *input)
{
    json_object *errors = json_object_new_array();
    centra_product *p = centra_product_by_id(c, id);
    const char *name = json_object_get_string(get(input, "name"));
    if (!p)
        centra_user_error(errors, "Product not found.", "id");
    else if (get(input, "name") && (!name || !*name))
        centra_user_error(errors, "Name cannot be empty.", "input.name");
    if (p && json_object_array_length(errors) == 0) {
        if (name) {
            free(p->name);
            p->name = sb_strdup(name);
        }
        p->active = status_active(get(input, "status"), p->active);
    }
    json_object *out = centra_payload(errors);
    json_object_object_add(out, "product", p ? product_json(c, p) : NULL);
    return out;
}

/* Checks every size of `sizes` ([{size: {name}}]) against the chart and the variant's sizes. */
static void check_sizes(centra *c, const centra_product *p, json_object *sizes, const char *path, json_object *errors)
{
    for (size_t i = 0; sizes && i < json_object_array_length(sizes); i++) {
        const char *size = json_object_get_string(get(get(json_object_array_get_idx(sizes, i), "size"), "name"));
        if (!size_in_chart(c, size))
            centra_user_error(errors, "Size not found in the size chart.", "%s.%zu.size", path, i);
        for (size_t k = 0; p && size && k < c->n_product_sizes; k++)
            if (c->product_sizes[k].variant_id == p->variant_id && strcmp(c->product_sizes[k].size, size) == 0)
                centra_user_error(errors, "Size is already activated on this variant.", "%s.%zu.size", path, i);
    }
}

static void activate_sizes(centra *c, const centra_product *p, json_object *sizes)
{
    for (size_t i = 0; sizes && i < json_object_array_length(sizes); i++) {
        const char *size = json_object_get_string(get(get(json_object_array_get_idx(sizes, i), "size"), "name"));
        char sku[192];
        snprintf(sku, sizeof sku, "%s-%s", p->number, size);
        add_size(c, p->variant_id, size, sku);
    }
}

static json_object *create_variant(centra *c, json_object *input)
{
    json_object *errors = json_object_new_array();
    centra_product *p = centra_product_by_id(c, get_int(get(input, "product"), "id"));
    if (!p)
        centra_user_error(errors, "Product not found.", "input.product");
    else if (p->variant_id)
        centra_user_error(errors, "This sandbox keeps one variant per product; the product has one.", "input.product");
    else
        check_sizes(c, NULL, get(input, "productSizes"), "input.productSizes", errors);
    if (json_object_array_length(errors) == 0) {
        p->variant_id = ++c->last_variant_id;
        p->variant_active = status_active(get(input, "status"), false);
        const char *name = json_object_get_string(get(input, "name"));
        p->variant_name = name ? sb_strdup(name) : NULL;
        activate_sizes(c, p, get(input, "productSizes"));
    }
    json_object *out = centra_payload(errors);
    json_object_object_add(out, "productVariant", p && p->variant_id ? variant_json(c, p) : NULL);
    return out;
}

static json_object *update_variant(centra *c, int id, json_object *input)
{
    json_object *errors = json_object_new_array();
    centra_product *p = product_by_variant(c, id);
    if (!p)
        centra_user_error(errors, "Product variant not found.", "id");
    else
        p->variant_active = status_active(get(input, "status"), p->variant_active);
    json_object *out = centra_payload(errors);
    json_object_object_add(out, "productVariant", p ? variant_json(c, p) : NULL);
    return out;
}

static json_object *create_size(centra *c, json_object *input)
{
    json_object *errors = json_object_new_array();
    centra_product *p = product_by_variant(c, get_int(get(input, "productVariant"), "id"));
    json_object *one = json_object_new_array();
    json_object_array_add(one, json_object_get(input));
    if (!p)
        centra_user_error(errors, "Product variant not found.", "input.productVariant");
    else {
        size_t before = json_object_array_length(errors);
        check_sizes(c, p, one, "input", errors);
        if (json_object_array_length(errors) > before) {
            /* one size: the path is the input's own */
            json_object *e = json_object_array_get_idx(errors, json_object_array_length(errors) - 1);
            json_object *path = json_object_new_array();
            json_object_array_add(path, json_object_new_string("input"));
            json_object_array_add(path, json_object_new_string("size"));
            json_object_object_add(e, "path", path);
        }
    }
    const centra_product_size *made = NULL;
    if (json_object_array_length(errors) == 0) {
        activate_sizes(c, p, one);
        made = &c->product_sizes[c->n_product_sizes - 1];
    }
    json_object_put(one);
    json_object *out = centra_payload(errors);
    json_object_object_add(out, "productSize", made ? size_json(made) : NULL);
    return out;
}

static json_object *set_prices(centra *c, json_object *input)
{
    json_object *errors = json_object_new_array();
    int pricelist = get_int(get(input, "pricelist"), "id");
    int currency = pricelist - 1;
    if (currency < 0 || (size_t)currency >= c->seed->n_currencies)
        centra_user_error(errors, "Pricelist not found.", "input.pricelist");
    json_object *prices = get(input, "productPrices");
    int64_t *minor = calloc(prices ? json_object_array_length(prices) + 1 : 1, sizeof *minor);
    for (size_t i = 0; prices && minor && currency >= 0 && (size_t)currency < c->seed->n_currencies &&
                       i < json_object_array_length(prices); i++) {
        json_object *pp = json_object_array_get_idx(prices, i), *price = get(pp, "price");
        const char *code = json_object_get_string(get(price, "currencyIsoCode"));
        if (!centra_product_by_id(c, get_int(get(pp, "product"), "id")))
            centra_user_error(errors, "Product not found.", "input.productPrices.%zu.product", i);
        if (!code || strcmp(code, c->seed->currencies[currency].code) != 0)
            centra_user_error(errors, "Currency does not match the pricelist's currency.",
                              "input.productPrices.%zu.price.currencyIsoCode", i);
        else if (!sb_money_from_json(get(price, "value"), c->seed->currencies[currency].exponent, &minor[i]) || minor[i] < 0)
            centra_user_error(errors, "Price must be a non-negative amount in the currency's units.",
                              "input.productPrices.%zu.price.value", i);
    }
    if (minor && json_object_array_length(errors) == 0)
        for (size_t i = 0; prices && i < json_object_array_length(prices); i++) {
            set_price(c, get_int(get(json_object_array_get_idx(prices, i), "product"), "id"), currency, minor[i]);
            c->price_writes++;
        }
    free(minor);
    json_object *out = centra_payload(errors), *pl = NULL;
    if (currency >= 0 && (size_t)currency < c->seed->n_currencies) {
        pl = json_object_new_object();
        json_object_object_add(pl, "id", json_object_new_int(pricelist));
        char name[48];
        snprintf(name, sizeof name, "%s retail", c->seed->currencies[currency].code);
        json_object_object_add(pl, "name", json_object_new_string(name));
    }
    json_object_object_add(out, "pricelist", pl);
    return out;
}

json_object *centra_product_mutation(centra *c, const gq_field_info *info, bool *handled)
{
    const char *f = info->field->name;
    json_object *input = get(info->args, "input");
    if (strcmp(f, "createProduct") == 0)
        return create_product(c, input);
    if (strcmp(f, "updateProduct") == 0)
        return update_product(c, get_int(info->args, "id"), input);
    if (strcmp(f, "createProductVariant") == 0)
        return create_variant(c, input);
    if (strcmp(f, "updateProductVariant") == 0)
        return update_variant(c, get_int(info->args, "id"), input);
    if (strcmp(f, "createProductSize") == 0)
        return create_size(c, input);
    if (strcmp(f, "setPrices") == 0)
        return set_prices(c, input);
    *handled = false;
    return NULL;
}
