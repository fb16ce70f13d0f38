/* centra.set_stock: sends the setStock inputs sql.stock_record laid out (context.push, an array of
 * SetStockInput objects: one warehouse, many product variants and sizes each) as one mutation per
 * input. setStock sets absolute physical levels, so sending an input again after a crash or a
 * retry leaves Centra as one send would. A userError (an unknown warehouse, variant or size, a
 * negative level) changes nothing in Centra and is failed remote_rejected for ops, quoting
 * Centra's message and path; other answers are classified by centra_classify. */
#include "connectors/centra/centra.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const set_stock_document =
    "mutation SetStock($input: SetStockInput!) {\n"
    "  setStock(input: $input) { userErrors { message path } }\n"
    "}\n";

/* The first userError of the payload at data.<field>, as "message (path)"; false when none. */
static bool user_error(json_object *root, const char *field, char *buf, size_t len)
{
    json_object *data, *payload, *errors;
    if (!json_object_object_get_ex(root, "data", &data) || !json_object_object_get_ex(data, field, &payload) ||
        !json_object_object_get_ex(payload, "userErrors", &errors) || !json_object_is_type(errors, json_type_array) ||
        json_object_array_length(errors) == 0)
        return false;
    json_object *first = json_object_array_get_idx(errors, 0), *msg, *path;
    snprintf(buf, len, "%s (%s)",
             json_object_object_get_ex(first, "message", &msg) ? json_object_get_string(msg) : "no message",
             json_object_object_get_ex(first, "path", &path) ? json_object_to_json_string(path) : "no path");
    return true;
}

static void set_stock(struct o2c_step *step, struct o2c_outcome *out)
{
    json_object *push;
    if (!json_object_object_get_ex(o2c_step_context(step), "push", &push) || !json_object_is_type(push, json_type_array)) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "centra.set_stock: context.push is not an array of SetStockInput");
        return;
    }
    size_t n = json_object_array_length(push);
    for (size_t i = 0; i < n; i++) {
        json_object *input = json_object_array_get_idx(push, i), *wh, *id;
        if (!json_object_is_type(input, json_type_object) || !json_object_object_get_ex(input, "warehouse", &wh) ||
            !json_object_object_get_ex(wh, "id", &id)) {
            o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "centra.set_stock: push[%zu] names no warehouse", i);
            return;
        }
        char what[96];
        snprintf(what, sizeof what, "setStock for warehouse %s (%zu of %zu)", json_object_get_string(id), i + 1, n);
        json_object *vars = json_object_new_object(), *root = NULL;
        json_object_object_add(vars, "input", json_object_get(input));
        if (!centra_graphql(step, what, set_stock_document, vars, &root, out))
            return;
        char err[400];
        bool refused = user_error(root, "setStock", err, sizeof err);
        json_object_put(root);
        if (refused) {
            o2c_outcome_failed(out, O2C_FAIL_REMOTE_REJECTED, "Centra refused %s: %s. Fix the SKU's variant and size "
                               "in o2c.storefront_item (or the warehouse in o2c.warehouse_map), then o2c.redrive",
                               what, err);
            return;
        }
    }
    o2c_outcome_ok(out);
}

/* centra.read_stock: every level of the warehouses in context.warehouses (ids as text), page by
 * page (warehouseStock, 200 a page), for a drift check. Patch: observed [{sku, warehouse,
 * quantity}] (physical units) and observed_at, the moment before the first page was asked for
 * (a level sent later than that is newer than what was read). */
static const char *const read_stock_document =
    "query ReadStock($warehouse: Int!, $page: Int!) {\n"
    "  warehouseStock(warehouse: $warehouse, limit: 200, page: $page) { sku physicalQuantity }\n"
    "}\n";

static void read_stock(struct o2c_step *step, struct o2c_outcome *out)
{
    json_object *whs;
    if (!json_object_object_get_ex(o2c_step_context(step), "warehouses", &whs) || !json_object_is_type(whs, json_type_array)) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "centra.read_stock: context.warehouses is not an array of ids");
        return;
    }
    time_t started = time(NULL);
    json_object *observed = json_object_new_array();
    for (size_t w = 0; w < json_object_array_length(whs); w++) {
        int wid = atoi(json_object_get_string(json_object_array_get_idx(whs, w)));
        for (int page = 1; page < 10000; page++) {
            char what[96];
            snprintf(what, sizeof what, "warehouseStock of warehouse %d page %d", wid, page);
            json_object *vars = json_object_new_object(), *root = NULL, *data, *levels;
            json_object_object_add(vars, "warehouse", json_object_new_int(wid));
            json_object_object_add(vars, "page", json_object_new_int(page));
            if (!centra_graphql(step, what, read_stock_document, vars, &root, out)) {
                json_object_put(observed);
                return;
            }
            if (!json_object_object_get_ex(root, "data", &data) || !json_object_object_get_ex(data, "warehouseStock", &levels) ||
                !json_object_is_type(levels, json_type_array)) {
                json_object_put(root);
                json_object_put(observed);
                o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's answer to %s has no list of levels", what);
                return;
            }
            size_t n = json_object_array_length(levels);
            for (size_t i = 0; i < n; i++) {
                json_object *l = json_object_array_get_idx(levels, i), *sku, *q;
                if (!json_object_object_get_ex(l, "sku", &sku) || !json_object_object_get_ex(l, "physicalQuantity", &q) ||
                    !json_object_is_type(q, json_type_int)) {
                    json_object_put(root);
                    json_object_put(observed);
                    o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Centra's level %zu of %s has no sku or quantity", i, what);
                    return;
                }
                json_object *o = json_object_new_object();
                json_object_object_add(o, "sku", json_object_new_string(json_object_get_string(sku)));
                json_object_object_add(o, "warehouse", json_object_new_string(json_object_get_string(json_object_array_get_idx(whs, w))));
                json_object_object_add(o, "quantity", json_object_new_int64(json_object_get_int64(q)));
                json_object_array_add(observed, o);
            }
            json_object_put(root);
            if (n < 200)
                break;
        }
    }
    struct tm tm;
    gmtime_r(&started, &tm);
    char at[40];
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    o2c_outcome_ok(out);
    o2c_outcome_patch(out, "observed", observed);
    o2c_outcome_patch(out, "observed_at", json_object_new_string(at));
}

const struct o2c_action o2c_centra_stock_actions[] = {
    {"centra.read_stock", read_stock, false, "reads every stock level of the given Centra warehouses (drift check)"},
    {"centra.set_stock", set_stock, false, "sets absolute stock levels in Centra, many SKUs per setStock mutation"},
    {NULL, NULL, false, NULL},
};
