/* The shop's stock, as Centra keeps it: physical units per item and warehouse (set by setStock and
 * changeStock, taken when a shipment completes) and units allocated to the shop's own unshipped
 * orders. What a shopper can buy is physical − allocated.
 *
 * Centra's oversold_units (/_sandbox/stats) counts units sold beyond what Centra itself showed
 * available (a cart whose every item tried was out of stock sells anyway). Units sold beyond what
 * the warehouse really has (Centra's level was stale: another channel took them) are counted where
 * the truth is, by the NetSuite sandbox when the sales order commits them (its oversold_units).
 * Each write of a level is logged for /_sandbox/stock/writes, so a test can check
 * that levels for one SKU only ever arrive in the order they were made. Callers hold c->lock. */
#include "tools/sandbox/centra/centra.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WRITES 200000 /* the log stops there; stock_writes keeps counting */

static size_t cell_index(centra *c, const sb_item *item, int location)
{
    return (size_t)(item - c->seed->items) * c->seed->n_locations + (size_t)location;
}

static int64_t shortage(centra *c, size_t idx)
{
    int64_t s = c->allocated[idx] - c->stock[idx];
    return s > 0 ? s : 0;
}

int centra_order_location(centra *c, const char *country)
{
    for (size_t i = 0; country && i < c->seed->n_locations; i++)
        if (c->seed->locations[i].country && strcmp(c->seed->locations[i].country, country) == 0)
            return (int)i;
    return 0; /* everything else ships from the first warehouse */
}

int64_t centra_stock_available(centra *c, const sb_item *item, int location)
{
    size_t idx = cell_index(c, item, location);
    return c->stock[idx] - c->allocated[idx];
}

void centra_stock_allocate(centra *c, const sb_item *item, int location, int qty)
{
    size_t idx = cell_index(c, item, location);
    int64_t before = shortage(c, idx);
    c->allocated[idx] += qty;
    c->oversold_units += shortage(c, idx) - before;
}

void centra_stock_release(centra *c, const sb_item *item, int location, int qty, bool shipped)
{
    size_t idx = cell_index(c, item, location);
    c->allocated[idx] -= qty;
    if (c->allocated[idx] < 0)
        c->allocated[idx] = 0;
    if (shipped)
        c->stock[idx] -= qty;
}

void centra_stock_write(centra *c, const sb_item *item, int location, int64_t level)
{
    size_t idx = cell_index(c, item, location);
    c->stock[idx] = level;
    c->stock_writes++;
    if (c->n_writes < MAX_WRITES) {
        if (c->n_writes == c->cap_writes) {
            size_t cap = c->cap_writes ? c->cap_writes * 2 : 1024;
            centra_stock_write_entry *w = realloc(c->writes, cap * sizeof *w);
            if (!w)
                return;
            c->writes = w;
            c->cap_writes = cap;
        }
        c->writes[c->n_writes++] = (centra_stock_write_entry){idx, level};
    }
}

/* Units of a completed shipment leave the warehouse: the allocation goes with them. */
void centra_stock_ship(centra *c, centra_shipment *s)
{
    centra_order *o = centra_order_by_id(c, s->order_id);
    if (!o)
        return;
    int loc = centra_order_location(c, o->country);
    for (size_t i = 0; i < s->n_lines; i++)
        for (size_t j = 0; j < o->n_lines; j++)
            if (o->lines[j].id == s->lines[i].order_line_id && o->lines[j].item)
                centra_stock_release(c, o->lines[j].item, loc, s->lines[i].quantity, true);
}

json_object *centra_stock_writes_json(centra *c, const sb_item *item)
{
    json_object *out = json_object_new_array();
    size_t first = cell_index(c, item, 0);
    for (size_t i = 0; i < c->n_writes; i++)
        if (c->writes[i].cell >= first && c->writes[i].cell < first + c->seed->n_locations) {
            json_object *w = json_object_new_object();
            json_object_object_add(w, "warehouse",
                json_object_new_string(c->seed->locations[c->writes[i].cell - first].centra_warehouse_id));
            json_object_object_add(w, "quantity", json_object_new_int64(c->writes[i].level));
            json_object_array_add(out, w);
        }
    return out;
}

json_object *centra_warehouse_stock(centra *c, int warehouse, int limit, int page, const gq_field_info *info)
{
    char wid[24];
    snprintf(wid, sizeof wid, "%d", warehouse);
    int loc = sb_seed_location_index_by_centra_id(c->seed, wid);
    if (loc < 0) {
        gq_field_error(info, "graphql", "Warehouse %d not found.", warehouse);
        return NULL;
    }
    if (limit < 1 || limit > 200 || page < 1) {
        gq_field_error(info, "graphql", "Arguments \"limit\" must be 1..200 and \"page\" at least 1.");
        return NULL;
    }
    json_object *arr = json_object_new_array();
    size_t from = (size_t)(page - 1) * (size_t)limit;
    for (size_t i = from; i < c->seed->n_items && i < from + (size_t)limit; i++) {
        const sb_item *item = &c->seed->items[i];
        size_t idx = cell_index(c, item, loc);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "sku", json_object_new_string(item->sku));
        json_object_object_add(o, "variantId", json_object_new_int(atoi(item->centra_variant_id)));
        json_object_object_add(o, "size", json_object_new_string(item->size_name));
        json_object_object_add(o, "physicalQuantity", json_object_new_int64(c->stock[idx]));
        json_object_object_add(o, "allocatedQuantity", json_object_new_int64(c->allocated[idx]));
        json_object_array_add(arr, o);
    }
    return arr;
}
