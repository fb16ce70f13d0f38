/* Centra query fields: orderConnection (cursor paging, where, sort), orders (limit/page), order,
 * shipment, the events feed (oldest unconfirmed first) and rateLimits; plus the object fields
 * that need more than the parent's JSON (includingTax variants, links between records). Cursors
 * carry the sort key and id of the last row, so a walk never skips or repeats a row, even while
 * orders change underneath (a changed order moves to its new place in updatedAt order). */
#include "tools/sandbox/centra/centra.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *arg(const gq_field_info *info, const char *name)
{
    json_object *v = NULL;
    json_object_object_get_ex(info->args, name, &v);
    return v;
}

/* ---- cursors: base64("<sort>:<key>:<id>") ---------------------------------------------------- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_encode(const char *in, char *out, size_t outlen)
{
    size_t n = strlen(in), o = 0;
    for (size_t i = 0; i < n && o + 5 < outlen; i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < n) v |= (unsigned char)in[i + 1] << 8;
        if (i + 2 < n) v |= (unsigned char)in[i + 2];
        out[o++] = B64[(v >> 18) & 63];
        out[o++] = B64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? B64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? B64[v & 63] : '=';
    }
    out[o] = 0;
}

static bool b64_decode(const char *in, char *out, size_t outlen)
{
    size_t n = strlen(in), o = 0;
    if (n % 4 || n / 4 * 3 >= outlen)
        return false;
    for (size_t i = 0; i < n; i += 4) {
        unsigned v = 0;
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char ch = in[i + (size_t)k];
            const char *p = ch ? strchr(B64, ch) : NULL;
            if (ch == '=' && i + 4 == n && k >= 2) {
                pad++;
                v <<= 6;
                continue;
            }
            if (!p || pad)
                return false;
            v = (v << 6) | (unsigned)(p - B64);
        }
        out[o++] = (char)(v >> 16);
        if (pad < 2) out[o++] = (char)(v >> 8);
        if (pad < 1) out[o++] = (char)v;
    }
    out[o] = 0;
    return true;
}

/* ---- filtering and sorting ------------------------------------------------------------------- */

typedef enum sort_key { SK_ID, SK_NUMBER, SK_CREATED, SK_UPDATED } sort_key;

typedef struct sort_spec {
    sort_key key;
    bool desc;
    const char *name;
} sort_spec;

static int64_t key_of(const centra_order *o, sort_key k)
{
    switch (k) {
    case SK_ID: return o->id;
    case SK_NUMBER: return o->number;
    case SK_CREATED: return o->created_us;
    case SK_UPDATED: return o->updated_us;
    }
    return o->id;
}


static bool parse_sort(json_object *sort, sort_spec *s)
{
    const char *name = "id_ASC";
    if (sort && json_object_array_length(sort) > 0)
        name = json_object_get_string(json_object_array_get_idx(sort, 0));
    s->name = name;
    s->desc = strstr(name, "_DESC") != NULL;
    if (strncmp(name, "id_", 3) == 0) s->key = SK_ID;
    else if (strncmp(name, "number_", 7) == 0) s->key = SK_NUMBER;
    else if (strncmp(name, "createdAt_", 10) == 0 || strncmp(name, "orderDate_", 10) == 0) s->key = SK_CREATED;
    else if (strncmp(name, "updatedAt_", 10) == 0) s->key = SK_UPDATED;
    else return false;
    return true;
}

static int cmp_orders(const centra_order *a, const centra_order *b, const sort_spec *s)
{
    int64_t ka = key_of(a, s->key), kb = key_of(b, s->key);
    int r = ka < kb ? -1 : ka > kb ? 1 : (a->id < b->id ? -1 : a->id > b->id ? 1 : 0);
    return s->desc ? -r : r;
}

static const sort_spec *g_qsort_spec; /* qsort has no context argument; callers hold c->lock */

static int qsort_cmp(const void *a, const void *b)
{
    return cmp_orders(*(centra_order *const *)a, *(centra_order *const *)b, g_qsort_spec);
}

static bool in_int_list(json_object *list, int v)
{
    if (!list)
        return true;
    size_t n = json_object_array_length(list);
    for (size_t i = 0; i < n; i++)
        if (json_object_get_int(json_object_array_get_idx(list, i)) == v)
            return true;
    return false;
}

static bool in_str_list(json_object *list, const char *v)
{
    if (!list)
        return true;
    size_t n = json_object_array_length(list);
    for (size_t i = 0; i < n; i++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(list, i)), v) == 0)
            return true;
    return false;
}

typedef struct range { int64_t from, to; } range;

/* Reads {from, to}; false (with a field error) when a bound is not a date-time. */
static bool parse_range(const gq_field_info *info, json_object *where, const char *name, range *r)
{
    r->from = INT64_MIN;
    r->to = INT64_MAX;
    json_object *obj = NULL, *v;
    if (!where || !json_object_object_get_ex(where, name, &obj) || !obj)
        return true;
    const char *bounds[2] = {"from", "to"};
    for (int i = 0; i < 2; i++) {
        if (!json_object_object_get_ex(obj, bounds[i], &v) || !v)
            continue;
        double t = sb_parse_time(json_object_get_string(v));
        if (t < 0) {
            gq_field_error(info, "graphql", "Invalid date-time \"%s\" in where.%s.%s.",
                           json_object_get_string(v), name, bounds[i]);
            return false;
        }
        int64_t us = (int64_t)t * 1000000;
        if (i == 0)
            r->from = us;
        else
            r->to = us + 999999; /* "to" is inclusive of its whole second */
    }
    return true;
}

typedef struct order_filter {
    json_object *ids, *numbers, *statuses;
    range created, updated;
    int store_id; /* -1 = any */
    const char *store_type;
} order_filter;

static bool parse_filter(const gq_field_info *info, json_object *where, order_filter *f)
{
    memset(f, 0, sizeof *f);
    f->store_id = -1;
    if (where) {
        json_object *v;
        if (json_object_object_get_ex(where, "id", &v)) f->ids = v;
        if (json_object_object_get_ex(where, "number", &v)) f->numbers = v;
        if (json_object_object_get_ex(where, "status", &v)) f->statuses = v;
        if (json_object_object_get_ex(where, "storeId", &v) && v) f->store_id = json_object_get_int(v);
        if (json_object_object_get_ex(where, "storeType", &v) && v) f->store_type = json_object_get_string(v);
    }
    return parse_range(info, where, "createdAt", &f->created) &&
           parse_range(info, where, "updatedAt", &f->updated);
}

static bool matches(const centra_order *o, const order_filter *f)
{
    return in_int_list(f->ids, o->id) && in_int_list(f->numbers, o->number) &&
           in_str_list(f->statuses, centra_status_name(o->status)) &&
           o->created_us >= f->created.from && o->created_us <= f->created.to &&
           o->updated_us >= f->updated.from && o->updated_us <= f->updated.to &&
           (f->store_id < 0 || f->store_id == 1) &&
           (!f->store_type || strcmp(f->store_type, "DIRECT_TO_CONSUMER") == 0);
}

/* The matching orders, sorted; NULL with a field error on bad arguments. */
static centra_order **select_orders(centra *c, const gq_field_info *info, sort_spec *s, size_t *n)
{
    order_filter f;
    if (!parse_filter(info, arg(info, "where"), &f))
        return NULL;
    if (!parse_sort(arg(info, "sort"), s)) {
        gq_field_error(info, "graphql", "Unsupported sort.");
        return NULL;
    }
    centra_order **list = malloc((c->n_orders + 1) * sizeof *list);
    if (!list)
        abort();
    *n = 0;
    for (size_t i = 0; i < c->n_orders; i++)
        if (matches(&c->orders[i], &f))
            list[(*n)++] = &c->orders[i];
    g_qsort_spec = s;
    qsort(list, *n, sizeof *list, qsort_cmp);
    return list;
}

#define MAX_PAGE 200

static json_object *order_connection(centra *c, const gq_field_info *info)
{
    int first = json_object_get_int(arg(info, "first"));
    if (!arg(info, "first"))
        first = 20;
    if (first < 0 || first > MAX_PAGE) {
        gq_field_error(info, "graphql", "Argument \"first\" must be between 0 and %d.", MAX_PAGE);
        return NULL;
    }
    sort_spec s;
    size_t n;
    centra_order **list = select_orders(c, info, &s, &n);
    if (!list)
        return NULL;
    size_t start = 0;
    json_object *after = arg(info, "after");
    if (after) {
        char raw[128], sname[32];
        long long key;
        int id;
        if (!b64_decode(json_object_get_string(after), raw, sizeof raw) ||
            sscanf(raw, "%31[^:]:%lld:%d", sname, &key, &id) != 3) {
            gq_field_error(info, "graphql", "Invalid cursor \"%s\".", json_object_get_string(after));
            free(list);
            return NULL;
        }
        if (strcmp(sname, s.name) != 0) {
            gq_field_error(info, "graphql", "The cursor was made for sort %s, not %s.", sname, s.name);
            free(list);
            return NULL;
        }
        /* First row strictly after (key, id) in the requested order. */
        centra_order probe;
        memset(&probe, 0, sizeof probe);
        probe.id = id;
        probe.number = (int)key;
        probe.created_us = probe.updated_us = key;
        if (s.key == SK_ID)
            probe.id = (int)key;
        while (start < n && cmp_orders(list[start], &probe, &s) <= 0)
            start++;
    }
    size_t end = start + (size_t)first < n ? start + (size_t)first : n;
    json_object *edges = json_object_new_array(), *nodes = json_object_new_array();
    char cursor[160] = "", raw[128];
    for (size_t i = start; i < end; i++) {
        json_object *node = centra_order_json(c, list[i]);
        snprintf(raw, sizeof raw, "%s:%lld:%d", s.name, (long long)key_of(list[i], s.key), list[i]->id);
        b64_encode(raw, cursor, sizeof cursor);
        json_object *edge = json_object_new_object();
        json_object_object_add(edge, "cursor", json_object_new_string(cursor));
        json_object_object_add(edge, "node", json_object_get(node));
        json_object_array_add(edges, edge);
        json_object_array_add(nodes, node);
    }
    json_object *page = json_object_new_object();
    json_object_object_add(page, "hasNextPage", json_object_new_boolean(end < n));
    json_object_object_add(page, "hasPreviousPage", json_object_new_boolean(start > 0));
    json_object *start_cursor = json_object_array_length(edges)
        ? json_object_get(json_object_object_get(json_object_array_get_idx(edges, 0), "cursor")) : NULL;
    json_object_object_add(page, "startCursor", start_cursor);
    json_object_object_add(page, "endCursor", end > start ? json_object_new_string(cursor) : NULL);
    json_object *conn = json_object_new_object();
    json_object_object_add(conn, "totalCount", json_object_new_int((int)n));
    json_object_object_add(conn, "pageInfo", page);
    json_object_object_add(conn, "edges", edges);
    json_object_object_add(conn, "nodes", nodes);
    free(list);
    return conn;
}

static json_object *orders_list(centra *c, const gq_field_info *info)
{
    int limit = json_object_get_int(arg(info, "limit")), page = json_object_get_int(arg(info, "page"));
    if (limit < 1 || limit > MAX_PAGE || page < 1) {
        gq_field_error(info, "graphql", "Arguments \"limit\" must be 1..%d and \"page\" at least 1.", MAX_PAGE);
        return NULL;
    }
    sort_spec s;
    size_t n;
    centra_order **list = select_orders(c, info, &s, &n);
    if (!list)
        return NULL;
    json_object *arr = json_object_new_array();
    size_t from = (size_t)(page - 1) * (size_t)limit;
    for (size_t i = from; i < n && i < from + (size_t)limit; i++)
        json_object_array_add(arr, centra_order_json(c, list[i]));
    free(list);
    return arr;
}

static json_object *events(centra *c, const gq_field_info *info)
{
    int limit = json_object_get_int(arg(info, "limit"));
    if (limit < 1 || limit > MAX_PAGE) {
        gq_field_error(info, "graphql", "Argument \"limit\" must be between 1 and %d.", MAX_PAGE);
        return NULL;
    }
    json_object *where = arg(info, "where"), *types = NULL, *changes = NULL;
    if (where) {
        json_object_object_get_ex(where, "objectType", &types);
        json_object_object_get_ex(where, "changeType", &changes);
    }
    static const char *const objs[] = {"Order", "Shipment", "Return"};
    static const char *const chs[] = {"CREATED", "UPDATED", "DELETED"};
    json_object *arr = json_object_new_array();
    for (size_t i = c->first_unconfirmed; i < c->n_events && (int)json_object_array_length(arr) < limit; i++) {
        const centra_event *e = &c->events[i];
        if (e->confirmed || !in_str_list(types, objs[e->object]) || !in_str_list(changes, chs[e->change]))
            continue;
        json_object_array_add(arr, centra_event_json(c, e));
    }
    return arr;
}

json_object *centra_query_field(centra *c, const gq_field_info *info, bool *handled)
{
    const char *f = info->field->name;
    if (strcmp(f, "orderConnection") == 0)
        return order_connection(c, info);
    if (strcmp(f, "orders") == 0)
        return orders_list(c, info);
    if (strcmp(f, "order") == 0) {
        json_object *id = arg(info, "id"), *number = arg(info, "number");
        if ((id != NULL) == (number != NULL)) {
            gq_field_error(info, "graphql", "Exactly one of \"id\" or \"number\" should be provided.");
            return NULL;
        }
        centra_order *o = id ? centra_order_by_id(c, json_object_get_int(id))
                             : centra_order_by_number(c, json_object_get_int(number));
        return o ? centra_order_json(c, o) : NULL;
    }
    if (strcmp(f, "shipment") == 0) {
        centra_shipment *s = centra_shipment_by_id(c, json_object_get_int(arg(info, "id")));
        return s ? centra_shipment_json(c, s) : NULL;
    }
    if (strcmp(f, "events") == 0)
        return events(c, info);
    if (strcmp(f, "products") == 0)
        return centra_products_query(c, info);
    if (strcmp(f, "warehouseStock") == 0)
        return centra_warehouse_stock(c, json_object_get_int(arg(info, "warehouse")), json_object_get_int(arg(info, "limit")),
                                      json_object_get_int(arg(info, "page")), info);
    if (strcmp(f, "rateLimits") == 0) {
        double now = sb_now();
        json_object *arr = json_object_new_array();
        json_object_array_add(arr, centra_bucket_json(&c->requests_10s, now));
        json_object_array_add(arr, centra_bucket_json(&c->requests_1h, now));
        json_object_array_add(arr, centra_bucket_json(&c->mutations_10s, now));
        return arr;
    }
    *handled = false;
    return NULL;
}

/* ---- object fields --------------------------------------------------------------------------- */

static int hidden_int(json_object *parent, const char *key)
{
    json_object *v;
    return parent && json_object_object_get_ex(parent, key, &v) ? json_object_get_int(v) : 0;
}

json_object *centra_resolve(const gq_field_info *info, bool *handled)
{
    centra_request *rq = info->context;
    centra *c = rq->c;
    const char *type = info->parent_type->name, *f = info->field->name;
    if (strcmp(type, "Query") == 0)
        return centra_query_field(c, info, handled);
    if (strcmp(type, "Mutation") == 0)
        return centra_mutation_field(c, info, handled);
    if (strcmp(type, "OrderLine") == 0 && info->args && json_object_object_length(info->args) > 0) {
        json_object *inc = arg(info, "includingTax"), *v;
        char key[64];
        snprintf(key, sizeof key, "%s%s", f, inc && !json_object_get_boolean(inc) ? "#net" : "");
        return json_object_object_get_ex(info->parent, key, &v) ? json_object_get(v) : NULL;
    }
    if (strcmp(type, "Order") == 0 && strcmp(f, "paymentHistory") == 0) {
        centra_order *o = centra_order_by_id(c, hidden_int(info->parent, "#id"));
        return o ? centra_payment_history_json(c, o, arg(info, "where")) : json_object_new_array();
    }
    if (strcmp(type, "Order") == 0 && strcmp(f, "shipments") != 0 && strcmp(f, "returns") != 0) {
        centra_order *o = centra_order_by_id(c, hidden_int(info->parent, "#id"));
        bool known = false;
        json_object *v = o ? centra_order_field(c, o, f, &known) : NULL;
        *handled = known;
        return v;
    }
    if (strcmp(type, "Order") == 0) {
        int id = hidden_int(info->parent, "#id");
        json_object *arr = json_object_new_array();
        if (f[0] == 's') {
            centra_order *o = centra_order_by_id(c, id);
            for (size_t i = 0; o && i < o->n_shipments; i++)
                json_object_array_add(arr, centra_shipment_json(c, centra_shipment_by_id(c, o->shipment_ids[i])));
        } else {
            for (size_t i = 0; i < c->n_returns; i++)
                if (c->returns[i].order_id == id)
                    json_object_array_add(arr, centra_return_json(c, &c->returns[i]));
        }
        return arr;
    }
    if ((strcmp(type, "Shipment") == 0 || strcmp(type, "Event") == 0) && strcmp(f, "order") == 0) {
        centra_order *o = centra_order_by_id(c, hidden_int(info->parent, "#order"));
        return o ? centra_order_json(c, o) : NULL;
    }
    if (strcmp(type, "Return") == 0 && strcmp(f, "shipment") == 0) {
        centra_shipment *s = centra_shipment_by_id(c, hidden_int(info->parent, "#shipment"));
        return s ? centra_shipment_json(c, s) : NULL;
    }
    *handled = false;
    return NULL;
}
