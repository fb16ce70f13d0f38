/* /_sandbox/ paths of the NetSuite sandbox: what tests inspect and what the business does.
 *   GET  /_sandbox/records/<type>       every record of a type, full bodies, creation order
 *   POST /_sandbox/netsuite/lock        {"type","id","count"[,"code"]}: the next writes fail
 *   POST /_sandbox/netsuite/receive     {"returnAuthorization"[,"lines"]}: returned goods received (netsuite_returns.c)
 *   POST /_sandbox/fulfilments          {"count":N} or {"salesOrder":id[,"carrier","trackingNumber"]}
 *   POST /_sandbox/items                {"itemId","displayName","isInactive","product","size","prices"}: an item made or changed
 *   POST /_sandbox/stock                {"changes":[{"item"|"sku","location","quantity"|"delta"|"committed"}]} or {"count":N}
 *                                       ("committed": units another channel, e.g. wholesale, commits (+) or releases (-))
 * Changes made here are ordinary records and stock moves, visible through SuiteQL afterwards. */
#include "tools/sandbox/netsuite/netsuite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static void control_error(sb_response *res, int status, const char *message)
{
    json_object *body = json_object_new_object();
    json_object_object_add(body, "error", json_object_new_string(message));
    sb_respond_json(res, status, body);
    json_object_put(body);
}

static void list_records(ns_state *ns, const sb_request *req, const char *type_name, sb_response *res)
{
    const ns_type *type = ns_type_by_name(type_name);
    if (!type) {
        control_error(res, 404, "unknown record type");
        return;
    }
    json_object *records = json_object_new_array();
    pthread_mutex_lock(&ns->lock);
    for (size_t i = 0; i < ns->n_records; i++) {
        const ns_record *r = ns->records[i];
        if (r->type != type)
            continue;
        json_object *o = ns_record_json(ns, r, req->base_url, true);
        json_object_object_add(o, "seq", json_object_new_int64(r->seq));
        json_object_object_add(o, "createdAt", json_object_new_int64(r->created));
        json_object_array_add(records, o);
    }
    pthread_mutex_unlock(&ns->lock);
    json_object *out = json_object_new_object();
    json_object_object_add(out, "type", json_object_new_string(type->name));
    json_object_object_add(out, "count", json_object_new_int64((int64_t)json_object_array_length(records)));
    json_object_object_add(out, "records", records);
    sb_respond_json(res, 200, out);
    json_object_put(out);
}

/* POST /_sandbox/netsuite/settings {"duplicate_email": true, "closed_periods": ["2026-10"]}: the
 * account's settings a test turns on (duplicate detection of customers by email; accounting
 * periods closed to posting, the list replacing the previous one). Answers the settings now in force. */
static void account_settings(ns_state *ns, json_object *body, sb_response *res)
{
    json_object *dup = get(body, "duplicate_email");
    if (dup && !json_object_is_type(dup, json_type_boolean)) {
        control_error(res, 400, "duplicate_email must be true or false");
        return;
    }
    json_object *closed = get(body, "closed_periods");
    for (size_t i = 0; closed && json_object_is_type(closed, json_type_array) && i < json_object_array_length(closed); i++) {
        json_object *p = json_object_array_get_idx(closed, i);
        const char *s = json_object_is_type(p, json_type_string) ? json_object_get_string(p) : "";
        if (strlen(s) != 7 || s[4] != '-') {
            control_error(res, 400, "closed_periods: [\"YYYY-MM\", ...]");
            return;
        }
    }
    if (closed && !json_object_is_type(closed, json_type_array)) {
        control_error(res, 400, "closed_periods: [\"YYYY-MM\", ...]");
        return;
    }
    pthread_mutex_lock(&ns->lock);
    if (dup)
        ns->duplicate_email = json_object_get_boolean(dup);
    bool now = ns->duplicate_email;
    if (closed) {  /* the list replaces the closed periods: [] reopens them all */
        json_object_put(ns->closed_periods);
        ns->closed_periods = json_object_new_object();
        for (size_t i = 0; i < json_object_array_length(closed); i++)
            json_object_object_add(ns->closed_periods, json_object_get_string(json_object_array_get_idx(closed, i)),
                                   json_object_new_boolean(true));
    }
    json_object *periods = json_object_new_array();
    json_object_object_foreach(ns->closed_periods, period, v) {
        (void)v;
        json_object_array_add(periods, json_object_new_string(period));
    }
    pthread_mutex_unlock(&ns->lock);
    json_object *out = json_object_new_object();
    json_object_object_add(out, "closed_periods", periods);
    json_object_object_add(out, "duplicate_email", json_object_new_boolean(now));
    sb_respond_json(res, 200, out);
    json_object_put(out);
}

static void lock_record(ns_state *ns, json_object *body, sb_response *res)
{
    const ns_type *type = ns_type_by_name(json_object_get_string(get(body, "type")));
    const char *id = json_object_get_string(get(body, "id"));
    int count = get(body, "count") ? json_object_get_int(get(body, "count")) : 1;
    const char *code = json_object_get_string(get(body, "code"));
    if (!type || !id || count < 0 || (code && strlen(code) >= 32)) {
        control_error(res, 400, "want {\"type\":\"salesOrder\",\"id\":\"12\",\"count\":2[,\"code\":\"SSS_RECORD_LOCKED\"]}");
        return;
    }
    pthread_mutex_lock(&ns->lock);
    ns_record *rec = ns_store_find(ns, type, id);
    if (rec) {
        rec->forced_locks = count;
        snprintf(rec->forced_lock_code, sizeof rec->forced_lock_code, "%s", code ? code : "RCRD_HAS_BEEN_CHANGED");
    }
    pthread_mutex_unlock(&ns->lock);
    if (rec)
        sb_respond_text(res, 200, "application/json", "{\"ok\":true}");
    else
        control_error(res, 404, "no such record");
}

static const char *const CARRIERS[] = {"PostNord", "DHL", "UPS"};

static json_object *fulfil_one(ns_state *ns, ns_record *so, const char *carrier, const char *tracking)
{
    char generated[64];
    if (!tracking) {
        snprintf(generated, sizeof generated, "%s%010ld", carrier[0] == 'U' ? "1Z" : carrier[0] == 'D' ? "JJD" : "00373",
                 ns->next_seq + 1);
        tracking = generated;
    }
    sb_response ignored = {0};
    ns_record *f = ns_fulfil(ns, so, NULL, carrier, tracking, &ignored);
    free(ignored.body);
    free(ignored.location);
    if (!f)
        return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(f->id));
    json_object_object_add(o, "salesOrder", json_object_new_string(so->id));
    json_object_object_add(o, "carrier", json_object_new_string(carrier));
    json_object_object_add(o, "trackingNumber", json_object_new_string(tracking));
    return o;
}

static void fulfilments(ns_state *ns, json_object *body, sb_response *res)
{
    json_object *created = json_object_new_array();
    const char *so_id = json_object_get_string(get(body, "salesOrder"));
    const char *carrier = json_object_get_string(get(body, "carrier"));
    const char *tracking = json_object_get_string(get(body, "trackingNumber"));
    int count = get(body, "count") ? json_object_get_int(get(body, "count")) : 1;
    pthread_mutex_lock(&ns->lock);
    if (so_id) {
        ns_record *so = ns_store_find(ns, &NS_SALES_ORDER, so_id);
        json_object *o = so ? fulfil_one(ns, so, carrier ? carrier : CARRIERS[0], tracking) : NULL;
        if (o)
            json_object_array_add(created, o);
    } else {
        /* Oldest open orders first, as a warehouse works its queue. */
        size_t n = ns->n_records;
        for (size_t i = 0; i < n && (int)json_object_array_length(created) < count; i++) {
            ns_record *so = ns->records[i];
            if (so->type != &NS_SALES_ORDER || !ns_order_has_open_lines(ns, so->body))
                continue;
            const char *c = carrier ? carrier : CARRIERS[json_object_array_length(created) % 3];
            json_object *o = fulfil_one(ns, so, c, NULL);
            if (o)
                json_object_array_add(created, o);
        }
    }
    pthread_mutex_unlock(&ns->lock);
    if (so_id && json_object_array_length(created) == 0) {
        json_object_put(created);
        control_error(res, 400, "no such sales order, or nothing left to fulfil");
        return;
    }
    json_object *out = json_object_new_object();
    json_object_object_add(out, "created", created);
    sb_respond_json(res, 200, out);
    json_object_put(out);
}

static bool stock_change(ns_state *ns, json_object *c, json_object *changed)
{
    const char *item_id = json_object_get_string(get(c, "item"));
    const char *sku = json_object_get_string(get(c, "sku"));
    const sb_item *seed_item = sku ? sb_seed_item_by_sku(ns->seed, sku) : NULL;
    int item = seed_item ? (int)(seed_item - ns->seed->items) : item_id ? ns_item_index(ns, item_id) : -1;
    const char *loc_id = json_object_get_string(get(c, "location"));
    int loc = sb_seed_location_index_by_netsuite_id(ns->seed, loc_id ? loc_id : ns->seed->locations[0].netsuite_id);
    if (item < 0 || loc < 0 || (!get(c, "quantity") && !get(c, "delta") && !get(c, "committed")))
        return false;
    ns_stock *s = ns_stock_at(ns, item, loc);
    int64_t delta = get(c, "quantity") ? json_object_get_int64(get(c, "quantity")) - s->on_hand
                    : get(c, "delta") ? json_object_get_int64(get(c, "delta")) : 0;
    int64_t d_committed = get(c, "committed") ? json_object_get_int64(get(c, "committed")) : 0;
    if (s->committed + d_committed < 0)
        return false;
    ns_stock_adjust(ns, item, loc, delta, d_committed);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "item", json_object_new_string(ns->seed->items[item].netsuite_item_id));
    json_object_object_add(o, "sku", json_object_new_string(ns->seed->items[item].sku));
    json_object_object_add(o, "location", json_object_new_string(ns->seed->locations[loc].netsuite_id));
    json_object_object_add(o, "quantityOnHand", json_object_new_int64(s->on_hand));
    json_object_object_add(o, "quantityCommitted", json_object_new_int64(s->committed));
    json_object_array_add(changed, o);
    return true;
}

static void stock(ns_state *ns, json_object *body, sb_response *res)
{
    json_object *changes = get(body, "changes"), *changed = json_object_new_array();
    bool ok = true;
    pthread_mutex_lock(&ns->lock);
    if (changes && json_object_is_type(changes, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(changes) && ok; i++)
            ok = stock_change(ns, json_object_array_get_idx(changes, i), changed);
    } else if (get(body, "count")) {
        /* Goods received and counted: random items at random locations move by -3..+20. */
        int count = json_object_get_int(get(body, "count"));
        for (int i = 0; i < count && ns->seed->n_items; i++) {
            json_object *c = json_object_new_object();
            size_t item = sb_random_u64() % ns->seed->n_items;
            size_t loc = sb_random_u64() % ns->seed->n_locations;
            json_object_object_add(c, "item", json_object_new_string(ns->seed->items[item].netsuite_item_id));
            json_object_object_add(c, "location", json_object_new_string(ns->seed->locations[loc].netsuite_id));
            json_object_object_add(c, "delta", json_object_new_int64((int64_t)(sb_random_u64() % 24) - 3));
            stock_change(ns, c, changed);
            json_object_put(c);
        }
    } else {
        ok = false;
    }
    pthread_mutex_unlock(&ns->lock);
    if (!ok) {
        json_object_put(changed);
        control_error(res, 400, "want {\"changes\":[{\"item\"|\"sku\",\"location\",\"quantity\"|\"delta\"}]} or {\"count\":N}");
        return;
    }
    json_object *out = json_object_new_object();
    json_object_object_add(out, "changed", changed);
    sb_respond_json(res, 200, out);
    json_object_put(out);
}

/* POST /_sandbox/items: the merchandiser creates or changes an item in NetSuite, as the UI would:
 * {"itemId": "NDT-CAP-001-ONE", "displayName": "Field Cap 001 Olive One Size", "isInactive": false,
 *  "product": "NDT-CAP-001", "size": "One Size", "prices": {"SEK": "299.00", "EUR": "29.00"}}.
 * Found by itemId; only the members given change; lastmodifieddate moves either way. product and
 * size are the brand's custom fields custitem_o2c_product and custitem_o2c_size. */
static void item_change(ns_state *ns, json_object *body, sb_response *res)
{
    const char *item_id = json_object_get_string(get(body, "itemId"));
    json_object *prices = get(body, "prices");
    if (!item_id || !*item_id || (prices && !json_object_is_type(prices, json_type_object))) {
        control_error(res, 400, "want {\"itemId\", \"displayName\", \"isInactive\", \"product\", \"size\", \"prices\": {\"SEK\": \"299.00\"}}");
        return;
    }
    pthread_mutex_lock(&ns->lock);
    ns_record *rec = NULL;
    for (size_t i = 0; i < ns->n_records && !rec; i++)
        if (ns->records[i]->type == &NS_INVENTORY_ITEM &&
            strcmp(json_object_get_string(get(ns->records[i]->body, "itemId")) ? json_object_get_string(get(ns->records[i]->body, "itemId")) : "", item_id) == 0)
            rec = ns->records[i];
    json_object *b = NULL;
    if (rec)
        json_object_deep_copy(rec->body, &b, NULL);
    else {
        b = json_object_new_object();
        json_object_object_add(b, "itemId", json_object_new_string(item_id));
        json_object *sub = json_object_new_object();
        json_object_object_add(sub, "id", json_object_new_string(ns->seed->subsidiary_id));
        json_object_object_add(b, "subsidiary", sub);
        json_object_object_add(b, "isInactive", json_object_new_boolean(0));
        json_object_object_add(b, "pricing", json_object_new_array());
    }
    static const struct { const char *from, *to; } FIELDS[] = {
        {"displayName", "displayName"}, {"isInactive", "isInactive"},
        {"product", "custitem_o2c_product"}, {"size", "custitem_o2c_size"},
    };
    for (size_t f = 0; f < sizeof FIELDS / sizeof FIELDS[0]; f++)
        if (get(body, FIELDS[f].from))
            json_object_object_add(b, FIELDS[f].to, json_object_get(get(body, FIELDS[f].from)));
    bool ok = true;
    if (prices) {
        json_object *pricing = json_object_new_array();
        json_object_object_foreach(prices, code, amount) {
            int c = sb_seed_currency_index(ns->seed, code);
            if (c < 0 || !json_object_is_type(amount, json_type_string)) {
                ok = false;
                continue;
            }
            json_object *pr = json_object_new_object();
            json_object_object_add(pr, "currency", json_object_new_string(ns->seed->currencies[c].netsuite_id));
            json_object_object_add(pr, "unitPrice", json_object_get(amount));
            json_object_array_add(pricing, pr);
        }
        json_object_object_add(b, "pricing", pricing);
    }
    if (!ok) {
        pthread_mutex_unlock(&ns->lock);
        json_object_put(b);
        control_error(res, 400, "prices: {\"<currency code the account has>\": \"<amount as text>\"}");
        return;
    }
    if (rec)
        ns_store_update(ns, rec, b);
    else
        rec = ns_store_add(ns, &NS_INVENTORY_ITEM, NULL, b);
    json_object *out = json_object_new_object();
    json_object_object_add(out, "id", json_object_new_string(rec->id));
    json_object_object_add(out, "itemId", json_object_new_string(item_id));
    json_object_object_add(out, "lastModifiedDate", json_object_new_int64(rec->modified));
    pthread_mutex_unlock(&ns->lock);
    sb_respond_json(res, 200, out);
    json_object_put(out);
}

bool ns_control(ns_state *ns, const sb_request *req, sb_response *res)
{
    if (strncmp(req->path, "/_sandbox/records/", 18) == 0 && strcmp(req->method, "GET") == 0) {
        list_records(ns, req, req->path + 18, res);
        return true;
    }
    if (ns_warehouse_control(ns, req, res))
        return true;
    if (ns_returns_control(ns, req, res))
        return true;
    bool lock = strcmp(req->path, "/_sandbox/netsuite/lock") == 0;
    bool fulfil = strcmp(req->path, "/_sandbox/fulfilments") == 0;
    bool stk = strcmp(req->path, "/_sandbox/stock") == 0;
    bool settings = strcmp(req->path, "/_sandbox/netsuite/settings") == 0;
    bool items = strcmp(req->path, "/_sandbox/items") == 0;
    if (!lock && !fulfil && !stk && !settings && !items)
        return false;
    if (strcmp(req->method, "POST") != 0) {
        control_error(res, 405, "use POST");
        return true;
    }
    json_object *body = sb_parse_json(req->body, req->body_len);
    if (!body || !json_object_is_type(body, json_type_object)) {
        json_object_put(body);
        control_error(res, 400, "the body must be a JSON object");
        return true;
    }
    if (settings)
        account_settings(ns, body, res);
    else if (lock)
        lock_record(ns, body, res);
    else if (fulfil)
        fulfilments(ns, body, res);
    else if (items)
        item_change(ns, body, res);
    else
        stock(ns, body, res);
    json_object_put(body);
    return true;
}
