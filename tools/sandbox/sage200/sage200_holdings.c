/* Warehouse holdings of the Sage 200 sandbox (stock.json's warehouse_holding): one per product ×
 * warehouse, seeded from the shared seed's stock so the SKUs and warehouses are the ones the
 * Centra sandbox sells. Quantities are kept in Sage's 5 decimal places; the totals Sage derives
 * are recomputed after every change, and date_time_updated moves with it (the field a reader
 * filters on to see what changed since its cursor):
 *   quantity_in_stock                    = confirmed + unconfirmed
 *   quantity_allocated                   = allocated stock + SOP + BOM
 *   quantity_in_stock_less_reserved      = in stock − reserved
 *   free_stock_available                 = in stock − allocated
 *   free_stock_available_less_reserved   = in stock − allocated − reserved */
#include "tools/sandbox/sage200/sage200.h"
#include "tools/sandbox/framework/money.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT 100000 /* one unit in 5 decimal places */

static json_object *member(json_object *o, const char *k)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static int64_t qty(json_object *h, const char *field)
{
    int64_t v = 0;
    json_object *j = member(h, field);
    if (j)
        sb_money_from_json(j, 5, &v);
    return v;
}

static void set_qty(json_object *h, const char *field, int64_t fifth)
{
    char buf[64];
    sb_money_format(fifth, 5, buf, sizeof buf);
    json_object_object_add(h, field, json_object_new_double_s((double)fifth / UNIT, buf));
}

static void stamp(json_object *h, const char *field)
{
    char now[32];
    sb_iso8601(sb_now(), now, sizeof now);
    json_object_object_add(h, field, json_object_new_string(now));
}

static void derive(json_object *h)
{
    int64_t in_stock = qty(h, "confirmed_qty_in_stock") + qty(h, "unconfirmed_qty_in_stock");
    int64_t allocated = qty(h, "quantity_allocated_stock") + qty(h, "quantity_allocated_sop") + qty(h, "quantity_allocated_bom");
    int64_t reserved = qty(h, "quantity_reserved");
    set_qty(h, "quantity_in_stock", in_stock);
    set_qty(h, "quantity_allocated", allocated);
    set_qty(h, "quantity_in_stock_less_reserved", in_stock - reserved);
    set_qty(h, "free_stock_available", in_stock - allocated);
    set_qty(h, "free_stock_available_less_reserved", in_stock - allocated - reserved);
}

void sg_holdings_init(sg_state *sg)
{
    const sb_seed *seed = sg->opts->seed;
    int64_t id = 0;
    for (size_t i = 0; seed && i < seed->n_items; i++)
        for (size_t l = 0; l < seed->n_locations; l++) {
            json_object *h = json_object_new_object();
            json_object_object_add(h, "id", json_object_new_int64(++id));
            json_object_object_add(h, "warehouse_id", json_object_new_int64(strtoll(seed->locations[l].netsuite_id, NULL, 10)));
            json_object_object_add(h, "product_id", json_object_new_int64(strtoll(seed->items[i].netsuite_item_id, NULL, 10)));
            char name[21];
            snprintf(name, sizeof name, "%s", seed->locations[l].name); /* maxLength 20 */
            json_object_object_add(h, "warehouse_name", json_object_new_string(name));
            static const char *const zero[] = {"reorder_level", "minimum_level", "maximum_level", "quantity_reserved",
                                               "unconfirmed_qty_in_stock", "quantity_on_order", "quantity_allocated_stock",
                                               "quantity_allocated_sop", "quantity_allocated_bom"};
            for (size_t z = 0; z < sizeof zero / sizeof zero[0]; z++)
                set_qty(h, zero[z], 0);
            set_qty(h, "confirmed_qty_in_stock", seed->items[i].stock[l] * UNIT);
            derive(h);
            stamp(h, "date_time_created");
            stamp(h, "date_time_updated");
            json_object_array_add(sg->records[SG_WAREHOUSE_HOLDINGS], h);
        }
}

static json_object *holding_of(sg_state *sg, int64_t product_id, int64_t warehouse_id)
{
    json_object *all = sg->records[SG_WAREHOUSE_HOLDINGS];
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        json_object *h = json_object_array_get_idx(all, i);
        if (json_object_get_int64(member(h, "product_id")) == product_id &&
            json_object_get_int64(member(h, "warehouse_id")) == warehouse_id)
            return h;
    }
    return NULL;
}

static int64_t product_by_sku(sg_state *sg, const char *sku)
{
    json_object *all = sg->records[SG_PRODUCTS];
    for (size_t i = 0; sku && i < json_object_array_length(all); i++) {
        json_object *p = json_object_array_get_idx(all, i);
        if (strcmp(json_object_get_string(member(p, "code")), sku) == 0)
            return json_object_get_int64(member(p, "id"));
    }
    return -1;
}

/* The holding a change names and the new values of its four moving quantities (not yet applied). */
typedef struct planned {
    json_object *h;
    int64_t confirmed, allocated_stock, reserved;
} planned;

static bool plan(sg_state *sg, json_object *c, planned *p, char *why, size_t why_len)
{
    json_object *pid = member(c, "product_id");
    int64_t product = pid ? json_object_get_int64(pid) : product_by_sku(sg, json_object_get_string(member(c, "sku")));
    int64_t warehouse = json_object_get_int64(member(c, "warehouse_id"));
    p->h = holding_of(sg, product, warehouse);
    if (!p->h) {
        snprintf(why, why_len, "no holding of product %" PRId64 " at warehouse %" PRId64, product, warehouse);
        return false;
    }
    p->confirmed = qty(p->h, "confirmed_qty_in_stock");
    p->allocated_stock = qty(p->h, "quantity_allocated_stock");
    p->reserved = qty(p->h, "quantity_reserved");
    if (member(c, "confirmed"))
        p->confirmed = json_object_get_int64(member(c, "confirmed")) * UNIT;
    if (member(c, "goods_in"))
        p->confirmed += json_object_get_int64(member(c, "goods_in")) * UNIT;
    if (member(c, "allocate"))
        p->allocated_stock += json_object_get_int64(member(c, "allocate")) * UNIT;
    if (member(c, "reserve"))
        p->reserved += json_object_get_int64(member(c, "reserve")) * UNIT;
    if (p->confirmed < 0 || p->allocated_stock < 0 || p->reserved < 0) {
        snprintf(why, why_len, "product %" PRId64 " at warehouse %" PRId64 " would go below zero", product, warehouse);
        return false;
    }
    return true;
}

static void apply(const planned *p)
{
    set_qty(p->h, "confirmed_qty_in_stock", p->confirmed);
    set_qty(p->h, "quantity_allocated_stock", p->allocated_stock);
    set_qty(p->h, "quantity_reserved", p->reserved);
    derive(p->h);
    stamp(p->h, "date_time_updated");
}

bool sg_holdings_change(sg_state *sg, json_object *body, sb_response *res)
{
    json_object *changes = member(body, "changes"), *made = NULL;
    if (!changes && member(body, "count")) {
        /* Goods received (0..20 units) and another channel allocating (0..3), at random. */
        made = changes = json_object_new_array();
        json_object *all = sg->records[SG_WAREHOUSE_HOLDINGS];
        size_t n = json_object_array_length(all);
        for (int i = 0; n && i < json_object_get_int(member(body, "count")); i++) {
            json_object *h = json_object_array_get_idx(all, sb_random_u64() % n), *c = json_object_new_object();
            json_object_object_add(c, "product_id", json_object_get(member(h, "product_id")));
            json_object_object_add(c, "warehouse_id", json_object_get(member(h, "warehouse_id")));
            json_object_object_add(c, "goods_in", json_object_new_int64((int64_t)(sb_random_u64() % 21)));
            json_object_object_add(c, "allocate", json_object_new_int64((int64_t)(sb_random_u64() % 4)));
            json_object_array_add(changes, c);
        }
    }
    if (!changes || !json_object_is_type(changes, json_type_array)) {
        sg_error(res, 400, NULL, "want {\"changes\":[{\"sku\"|\"product_id\",\"warehouse_id\",\"confirmed\"|\"goods_in\"|"
                                 "\"allocate\"|\"reserve\"}]} or {\"count\":N}");
        return false;
    }
    /* All or nothing: every change is checked against the state the ones before it leave. */
    size_t n = json_object_array_length(changes);
    planned *plans = calloc(n ? n : 1, sizeof *plans);
    char why[200] = "";
    bool ok = plans != NULL;
    json_object *saved = NULL;
    json_object_deep_copy(sg->records[SG_WAREHOUSE_HOLDINGS], &saved, NULL);
    json_object *changed = json_object_new_array();
    for (size_t i = 0; ok && i < n; i++) {
        ok = plan(sg, json_object_array_get_idx(changes, i), &plans[i], why, sizeof why);
        if (ok) {
            apply(&plans[i]);
            json_object_array_add(changed, json_object_get(plans[i].h));
        }
    }
    free(plans);
    json_object_put(made);
    if (!ok) {
        json_object_put(changed);
        json_object_put(sg->records[SG_WAREHOUSE_HOLDINGS]);
        sg->records[SG_WAREHOUSE_HOLDINGS] = saved;
        sg_error(res, 400, NULL, "The holdings were not changed: %s.", why);
        return false;
    }
    json_object_put(saved);
    json_object *out = json_object_new_object();
    json_object_object_add(out, "changed", changed);
    sb_respond_json(res, 200, out);
    json_object_put(out);
    return true;
}

void sg_holdings_allocate_order(sg_state *sg, json_object *order)
{
    json_object *lines = member(order, "lines");
    for (size_t i = 0; lines && i < json_object_array_length(lines); i++) {
        json_object *l = json_object_array_get_idx(lines, i);
        const char *type = json_object_get_string(member(l, "line_type"));
        if (!type || strcmp(type, "EnumLineTypeStandard") != 0)
            continue;
        json_object *h = holding_of(sg, json_object_get_int64(member(l, "product_id")),
                                    json_object_get_int64(member(l, "warehouse_id")));
        int64_t want = 0;
        if (!h || !sb_money_from_json(member(l, "line_quantity"), 5, &want) || want <= 0)
            continue;
        int64_t free_now = qty(h, "free_stock_available");
        int64_t take = want < free_now ? want : free_now > 0 ? free_now : 0;
        if (take == 0)
            continue;
        set_qty(h, "quantity_allocated_sop", qty(h, "quantity_allocated_sop") + take);
        derive(h);
        stamp(h, "date_time_updated");
        /* What this line holds, so a deleted order gives back exactly that. */
        set_qty(l, "allocated_quantity", take);
    }
}

void sg_holdings_release_order(sg_state *sg, json_object *order)
{
    json_object *lines = member(order, "lines");
    for (size_t i = 0; lines && i < json_object_array_length(lines); i++) {
        json_object *l = json_object_array_get_idx(lines, i);
        int64_t held = qty(l, "allocated_quantity");
        json_object *h = held > 0 ? holding_of(sg, json_object_get_int64(member(l, "product_id")),
                                               json_object_get_int64(member(l, "warehouse_id"))) : NULL;
        if (!h)
            continue;
        int64_t allocated = qty(h, "quantity_allocated_sop");
        set_qty(h, "quantity_allocated_sop", allocated > held ? allocated - held : 0);
        derive(h);
        stamp(h, "date_time_updated");
        set_qty(l, "allocated_quantity", 0);
    }
}
