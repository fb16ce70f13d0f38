/* centra.upsert_item: puts one item in Centra as the ERP says it should be, by SKU
 * (sql.map_item laid it out in context.storefront_item: sku, product_number, size_name,
 * product_name, active, prices [{pricelist_id, currency, amount}]).
 *
 * Read first, then write only what differs: the product is looked up by its product number
 * (products query); missing → createProduct; another name or status → updateProduct (name and
 * status only: descriptions, images, displays and categories are Centra's, never sent). Its
 * variant is created with the size (createProductVariant with productSizes) or the size is
 * activated on it (createProductSize); the variant's status follows the item's. Then setPrices
 * per pricelist whose amount Centra does not show already. Every write sets absolute values and every create is preceded by the lookup, so a
 * re-run after a crash finds what the first run made and makes nothing twice.
 * A userError (a size the size chart lacks, a price Centra refuses) is failed item_unsellable for
 * ops, naming the SKU and quoting Centra; one saying the product, variant or size exists already
 * (another size of a new product, pushed at the same time, made it) is a retry that reads again. Patch: storefront_product_id, storefront_variant_id. */
#include "connectors/centra/centra.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const find_document =
    "query FindProduct($numbers: [String!]) {\n"
    "  products(where: {productNumber: $numbers}, limit: 1) {\n"
    "    id name status variants { id status productSizes { SKU sizeName } }\n"
    "    prices { pricelist price { value } }\n"
    "  }\n"
    "}\n";
static const char *const create_product_document =
    "mutation CreateProduct($input: ProductCreateInput!) {\n"
    "  createProduct(input: $input) { product { id } userErrors { message path } }\n"
    "}\n";
static const char *const update_product_document =
    "mutation UpdateProduct($id: Int!, $input: ProductUpdateInput!) {\n"
    "  updateProduct(id: $id, input: $input) { product { id } userErrors { message path } }\n"
    "}\n";
static const char *const create_variant_document =
    "mutation CreateVariant($input: ProductVariantCreateInput!) {\n"
    "  createProductVariant(input: $input) { productVariant { id } userErrors { message path } }\n"
    "}\n";
static const char *const update_variant_document =
    "mutation UpdateVariant($id: Int!, $input: ProductVariantUpdateInput!) {\n"
    "  updateProductVariant(id: $id, input: $input) { productVariant { id } userErrors { message path } }\n"
    "}\n";
static const char *const create_size_document =
    "mutation CreateSize($input: ProductSizeAddInput!) {\n"
    "  createProductSize(input: $input) { productSize { SKU } userErrors { message path } }\n"
    "}\n";
static const char *const set_prices_document =
    "mutation SetPrices($input: SetPricesInput!) {\n"
    "  setPrices(input: $input) { pricelist { id } userErrors { message path } }\n"
    "}\n";

static json_object *member(json_object *o, const char *k)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* The length of an array; 0 for anything else (an answer of another shape never asserts). */
static size_t array_len(json_object *a)
{
    return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static const char *text(json_object *o, const char *k)
{
    json_object *v = member(o, k);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* The item as sql.map_item laid it out. */
struct item {
    const char *sku, *product_number, *size, *name;
    bool active;
    json_object *prices;
};

/* Centra's words when what a create makes is there already: another size of the same new product
 * made it a moment ago (items are pushed in parallel). Not a refusal: read again and go on. */
static bool made_meanwhile(const char *message)
{
    return message && (strstr(message, "already in use") || strstr(message, "already activated") ||
                       strstr(message, "the product has one"));
}

/* Runs one mutation; answers data.<field> (borrowed from *root) or NULL with the outcome set: a
 * userError is item_unsellable naming the SKU, except that a thing made meanwhile is a retry. */
static json_object *mutate(struct o2c_step *step, const struct item *it, const char *what, const char *document,
                           json_object *variables, const char *field, json_object **root, struct o2c_outcome *out)
{
    if (!centra_graphql(step, what, document, variables, root, out))
        return NULL;
    json_object *payload = member(member(*root, "data"), field), *errors = member(payload, "userErrors");
    if (array_len(errors) > 0) {
        json_object *first = json_object_array_get_idx(errors, 0);
        if (made_meanwhile(text(first, "message"))) {
            o2c_outcome_retry(out, "Centra says of %s for SKU %s: %s; made meanwhile by another size, read again", what,
                              it->sku, text(first, "message"));
            return NULL;
        }
        o2c_outcome_failed(out, O2C_FAIL_ITEM_UNSELLABLE, "Centra refused %s for SKU %s: %s (%s). Nothing else was "
                           "changed for it; fix the item in NetSuite or the storefront's set-up, then re-drive.",
                           what, it->sku, text(first, "message") ? text(first, "message") : "no message",
                           member(first, "path") ? json_object_to_json_string(member(first, "path")) : "no path");
        return NULL;
    }
    if (!payload) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s for SKU %s has no %s", what, it->sku, field);
        return NULL;
    }
    return payload;
}

static json_object *id_ref(int64_t id)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(id));
    return o;
}

static const char *status(bool active) { return active ? "ACTIVE" : "INACTIVE"; }

static bool has_size(json_object *variant, const char *size)
{
    json_object *sizes = member(variant, "productSizes");
    for (size_t i = 0; i < array_len(sizes); i++) {
        const char *name = text(json_object_array_get_idx(sizes, i), "sizeName");
        if (name && strcmp(name, size) == 0)
            return true;
    }
    return false;
}

static bool read_item(struct o2c_step *step, struct item *it, struct o2c_outcome *out)
{
    json_object *si = member(o2c_step_context(step), "storefront_item"), *active = member(si, "active");
    it->sku = text(si, "sku");
    it->product_number = text(si, "product_number");
    it->size = text(si, "size_name");
    it->name = text(si, "product_name");
    it->active = active && json_object_get_boolean(active);
    it->prices = member(si, "prices");
    if (!it->sku || !it->product_number || !it->size || !it->name || !active ||
        !json_object_is_type(it->prices, json_type_array)) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "centra.upsert_item needs context.storefront_item with sku, "
                           "product_number, size_name, product_name, active and prices (as sql.map_item lays it out)");
        return false;
    }
    for (size_t i = 0; i < json_object_array_length(it->prices); i++) {
        json_object *p = json_object_array_get_idx(it->prices, i);
        const char *list = text(p, "pricelist_id"), *amount = text(p, "amount");
        char *end = NULL;
        if (!list || !text(p, "currency") || !amount || (strtod(amount, &end), *end != '\0') || atoi(list) <= 0) {
            o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "centra.upsert_item: price %zu of SKU %s is not "
                               "{pricelist_id, currency, amount}", i, it->sku);
            return false;
        }
    }
    return true;
}

/* The product and its variant, made or brought in line; false with the outcome set. */
static bool product_and_variant(struct o2c_step *step, const struct item *it, int64_t *product_id, int64_t *variant_id,
                                json_object **shown_prices, struct o2c_outcome *out)
{
    char what[256];
    json_object *vars = json_object_new_object(), *numbers = json_object_new_array(), *root = NULL;
    json_object_array_add(numbers, json_object_new_string(it->product_number));
    json_object_object_add(vars, "numbers", numbers);
    snprintf(what, sizeof what, "products(productNumber %.100s)", it->product_number);
    if (!centra_graphql(step, what, find_document, vars, &root, out))
        return false;
    json_object *found = member(member(root, "data"), "products");
    json_object *product = array_len(found) > 0 ? json_object_array_get_idx(found, 0) : NULL;
    json_object *variants = member(product, "variants");
    json_object *variant = array_len(variants) > 0 ? json_object_array_get_idx(variants, 0) : NULL;
    *product_id = product ? json_object_get_int64(member(product, "id")) : 0;
    *variant_id = variant ? json_object_get_int64(member(variant, "id")) : 0;
    bool rename = product && (!text(product, "name") || strcmp(text(product, "name"), it->name) != 0 ||
                              !text(product, "status") || strcmp(text(product, "status"), status(it->active)) != 0);
    bool restatus = variant && (!text(variant, "status") || strcmp(text(variant, "status"), status(it->active)) != 0);
    bool new_size = variant && !has_size(variant, it->size);
    *shown_prices = json_object_get(member(product, "prices"));
    json_object_put(root);

    bool ok = true;
    if (!*product_id) {
        json_object *input = json_object_new_object();
        json_object_object_add(input, "name", json_object_new_string(it->name));
        json_object_object_add(input, "productNumber", json_object_new_string(it->product_number));
        json_object_object_add(input, "status", json_object_new_string(status(it->active)));
        vars = json_object_new_object();
        json_object_object_add(vars, "input", input);
        snprintf(what, sizeof what, "createProduct %.100s", it->product_number);
        json_object *payload = mutate(step, it, what, create_product_document, vars, "createProduct", &root, out);
        *product_id = payload ? json_object_get_int64(member(member(payload, "product"), "id")) : 0;
        ok = *product_id > 0;
        if (payload && !ok)
            o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s has no product id", what);
        json_object_put(root);
    } else if (rename) {
        json_object *input = json_object_new_object();
        json_object_object_add(input, "name", json_object_new_string(it->name));
        json_object_object_add(input, "status", json_object_new_string(status(it->active)));
        vars = json_object_new_object();
        json_object_object_add(vars, "id", json_object_new_int64(*product_id));
        json_object_object_add(vars, "input", input);
        snprintf(what, sizeof what, "updateProduct %lld", (long long)*product_id);
        ok = mutate(step, it, what, update_product_document, vars, "updateProduct", &root, out) != NULL;
        json_object_put(root);
    }
    if (!ok)
        return false;

    if (!*variant_id) {
        json_object *input = json_object_new_object(), *sizes = json_object_new_array(), *size = json_object_new_object();
        json_object *size_ref = json_object_new_object();
        json_object_object_add(size_ref, "name", json_object_new_string(it->size));
        json_object_object_add(size, "size", size_ref);
        json_object_array_add(sizes, size);
        json_object_object_add(input, "product", id_ref(*product_id));
        json_object_object_add(input, "name", json_object_new_string(it->name));
        json_object_object_add(input, "status", json_object_new_string(status(it->active)));
        json_object_object_add(input, "productSizes", sizes);
        vars = json_object_new_object();
        json_object_object_add(vars, "input", input);
        snprintf(what, sizeof what, "createProductVariant for %.100s with size %.40s", it->product_number, it->size);
        json_object *payload = mutate(step, it, what, create_variant_document, vars, "createProductVariant", &root, out);
        *variant_id = payload ? json_object_get_int64(member(member(payload, "productVariant"), "id")) : 0;
        ok = *variant_id > 0;
        if (payload && !ok)
            o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s has no variant id", what);
        json_object_put(root);
        return ok;
    }
    if (new_size) {
        json_object *input = json_object_new_object(), *size_ref = json_object_new_object();
        json_object_object_add(size_ref, "name", json_object_new_string(it->size));
        json_object_object_add(input, "productVariant", id_ref(*variant_id));
        json_object_object_add(input, "size", size_ref);
        vars = json_object_new_object();
        json_object_object_add(vars, "input", input);
        snprintf(what, sizeof what, "createProductSize %.40s on variant %lld", it->size, (long long)*variant_id);
        ok = mutate(step, it, what, create_size_document, vars, "createProductSize", &root, out) != NULL;
        json_object_put(root);
    }
    if (ok && restatus) {
        json_object *input = json_object_new_object();
        json_object_object_add(input, "status", json_object_new_string(status(it->active)));
        vars = json_object_new_object();
        json_object_object_add(vars, "id", json_object_new_int64(*variant_id));
        json_object_object_add(vars, "input", input);
        snprintf(what, sizeof what, "updateProductVariant %lld", (long long)*variant_id);
        ok = mutate(step, it, what, update_variant_document, vars, "updateProductVariant", &root, out) != NULL;
        json_object_put(root);
    }
    return ok;
}

/* A decimal as written, without a sign, trailing fractional zeros or a bare point: "399.00",
 * "399.0" and "399" are one amount. */
static void normal_amount(const char *in, char *buf, size_t len)
{
    snprintf(buf, len, "%s", in && *in == '+' ? in + 1 : in ? in : "");
    if (strchr(buf, '.')) {
        size_t n = strlen(buf);
        while (n > 0 && buf[n - 1] == '0')
            buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.')
            buf[--n] = '\0';
    }
}

/* Does Centra show this amount in this pricelist already? */
static bool shown(json_object *shown_prices, const char *pricelist, const char *amount)
{
    char want[64], have[64];
    normal_amount(amount, want, sizeof want);
    for (size_t i = 0; i < array_len(shown_prices); i++) {
        json_object *p = json_object_array_get_idx(shown_prices, i);
        if (json_object_get_int(member(p, "pricelist")) != atoi(pricelist))
            continue;
        normal_amount(json_object_get_string(member(member(p, "price"), "value")), have, sizeof have);
        return strcmp(want, have) == 0;
    }
    return false;
}

/* setPrices, one pricelist at a time (a pricelist has one currency), only where Centra shows
 * another amount. The amount goes as a JSON number written exactly as the decimal text
 * (json_object_new_double_s), never re-rounded. */
static bool prices(struct o2c_step *step, const struct item *it, int64_t product_id, json_object *shown_prices,
                   struct o2c_outcome *out)
{
    for (size_t i = 0; i < json_object_array_length(it->prices); i++) {
        json_object *p = json_object_array_get_idx(it->prices, i), *root = NULL;
        const char *amount = text(p, "amount");
        if (shown(shown_prices, text(p, "pricelist_id"), amount))
            continue;
        json_object *price = json_object_new_object(), *pp = json_object_new_object(), *list = json_object_new_array();
        json_object_object_add(price, "value", json_object_new_double_s(strtod(amount, NULL), amount));
        json_object_object_add(price, "currencyIsoCode", json_object_new_string(text(p, "currency")));
        json_object_object_add(pp, "product", id_ref(product_id));
        json_object_object_add(pp, "price", price);
        json_object_array_add(list, pp);
        json_object *input = json_object_new_object(), *vars = json_object_new_object();
        json_object_object_add(input, "pricelist", id_ref(atoi(text(p, "pricelist_id"))));
        json_object_object_add(input, "productPrices", list);
        json_object_object_add(vars, "input", input);
        char what[160];
        snprintf(what, sizeof what, "setPrices %s %s for %.100s", text(p, "currency"), amount, it->product_number);
        bool ok = mutate(step, it, what, set_prices_document, vars, "setPrices", &root, out) != NULL;
        json_object_put(root);
        if (!ok)
            return false;
    }
    return true;
}

static void upsert_item(struct o2c_step *step, struct o2c_outcome *out)
{
    struct item it;
    int64_t product_id = 0, variant_id = 0;
    json_object *shown_prices = NULL;
    bool ok = read_item(step, &it, out) && product_and_variant(step, &it, &product_id, &variant_id, &shown_prices, out) &&
              prices(step, &it, product_id, shown_prices, out);
    json_object_put(shown_prices);
    if (!ok)
        return;
    char id[24];
    o2c_outcome_ok(out);
    snprintf(id, sizeof id, "%lld", (long long)product_id);
    o2c_outcome_patch(out, "storefront_product_id", json_object_new_string(id));
    snprintf(id, sizeof id, "%lld", (long long)variant_id);
    o2c_outcome_patch(out, "storefront_variant_id", json_object_new_string(id));
}

const struct o2c_action o2c_centra_item_actions[] = {
    {"centra.upsert_item", upsert_item, false,
     "makes or updates an item's Centra product, variant, size and prices by SKU; merchandising untouched"},
    {NULL, NULL, false, NULL},
};
