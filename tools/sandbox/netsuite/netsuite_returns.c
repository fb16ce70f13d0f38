/* Returns in the NetSuite sandbox: the record rules NetSuite applies to them, and the warehouse
 * that receives returned goods (callers of the ns_* functions hold ns->lock).
 *   salesOrder → returnAuthorization  the client's item.items[{orderLine, quantity[, amount,
 *       tax1Amt]}] name the sales order's lines (`line`); each becomes a line with that line's item,
 *       tax code and location, its orderLine, and quantityReceived 0 for goods. Without lines, every
 *       fulfilled unit not returned yet. An inventory line may not return more than was fulfilled
 *       less what earlier return authorizations of the order return: 400 USER_ERROR.
 *   returnAuthorization → creditMemo  no more than the authorization's total less what credit
 *       memos made from it credited before, and not dated in a closed period: 400 USER_ERROR.
 *   customerRefund  each applied credit memo must be the customer's and have that much left to
 *       refund (what other customer refunds applied to it is gone): 400 USER_ERROR.
 *   POST /_sandbox/netsuite/receive {"returnAuthorization": id[, "lines": [{"line", "quantity"}]]}
 *       the warehouse receives goods back (by default every unit still expected): one itemReceipt
 *       created from the authorization, its lines' quantityReceived grow, its orderStatus becomes
 *       "Partially Received" or, every unit back, "Pending Refund" (a refunded one stays
 *       "Refunded"); stock on hand grows. Answers {"itemReceipt": id, "orderStatus": …}; 404 for
 *       an unknown authorization, 400 when nothing is left to receive or a line is over-received. */
#include "tools/sandbox/framework/money.h"
#include "tools/sandbox/netsuite/netsuite.h"

#include <stdio.h>
#include <string.h>

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static json_object *lines_of(json_object *body) { return get(get(body, "item"), "items"); }

static json_object *copy(json_object *o)
{
    json_object *dst = NULL;
    if (!o || json_object_deep_copy(o, &dst, NULL) != 0)
        return NULL;
    return dst;
}

static const char *ref_id(json_object *o, const char *key) { return json_object_get_string(get(get(o, key), "id")); }

static bool created_from(const ns_record *r, const ns_record *src)
{
    const char *from = ref_id(r->body, "createdFrom");
    return from && strcmp(from, src->id) == 0;
}

static bool is_goods(ns_state *ns, json_object *line)
{
    ns_record *item = ns_line_item(ns, line);
    return item && item->type == &NS_INVENTORY_ITEM;
}

/* Units of the sales order's line `number` that return authorizations made from it return. */
static int64_t returned_before(ns_state *ns, const ns_record *so, int64_t number)
{
    int64_t n = 0;
    for (size_t i = 0; i < ns->n_records; i++) {
        const ns_record *r = ns->records[i];
        if (r->type != &NS_RETURN_AUTHORIZATION || !created_from(r, so))
            continue;
        json_object *lines = lines_of(r->body);
        for (size_t k = 0; lines && k < json_object_array_length(lines); k++) {
            json_object *l = json_object_array_get_idx(lines, k);
            if (get(l, "orderLine") && ns_whole_quantity(get(l, "orderLine")) == number)
                n += ns_whole_quantity(get(l, "quantity"));
        }
    }
    return n;
}

static json_object *order_line(json_object *so_lines, int64_t number)
{
    for (size_t i = 0; so_lines && i < json_object_array_length(so_lines); i++)
        if (ns_whole_quantity(get(json_object_array_get_idx(so_lines, i), "line")) == number)
            return json_object_array_get_idx(so_lines, i);
    return NULL;
}

static json_object *return_line(ns_state *ns, json_object *so_line, int64_t qty, json_object *wanted, size_t n)
{
    static const char *const FROM_ORDER[] = {"item", "taxCode", "location", "description", NULL};
    json_object *l = json_object_new_object();
    for (size_t k = 0; FROM_ORDER[k]; k++)
        if (get(so_line, FROM_ORDER[k]))
            json_object_object_add(l, FROM_ORDER[k], copy(get(so_line, FROM_ORDER[k])));
    json_object_object_add(l, "line", json_object_new_int64((int64_t)n + 1));
    json_object_object_add(l, "orderLine", json_object_new_int64(ns_whole_quantity(get(so_line, "line"))));
    json_object_object_add(l, "quantity", json_object_new_int64(qty));
    if (wanted && get(wanted, "amount")) {
        json_object_object_add(l, "amount", copy(get(wanted, "amount")));
        if (get(wanted, "tax1Amt"))
            json_object_object_add(l, "tax1Amt", copy(get(wanted, "tax1Amt")));
    } else if (get(so_line, "rate")) {
        json_object_object_add(l, "rate", copy(get(so_line, "rate")));
    } else if (get(so_line, "amount") && ns_whole_quantity(get(so_line, "quantity")) == qty) {
        json_object_object_add(l, "amount", copy(get(so_line, "amount")));
        if (get(so_line, "tax1Amt"))
            json_object_object_add(l, "tax1Amt", copy(get(so_line, "tax1Amt")));
    }
    if (is_goods(ns, so_line))
        json_object_object_add(l, "quantityReceived", json_object_new_int64(0));
    return l;
}

bool ns_return_lines(ns_state *ns, ns_record *so, json_object *overrides, sb_response *res)
{
    json_object *so_lines = lines_of(so->body), *wanted = lines_of(overrides);
    json_object *out = json_object_new_array();
    size_t n = wanted ? json_object_array_length(wanted) : json_object_array_length(so_lines);
    for (size_t i = 0; i < n; i++) {
        json_object *w = wanted ? json_object_array_get_idx(wanted, i) : NULL;
        json_object *so_line = w ? order_line(so_lines, ns_whole_quantity(get(w, "orderLine")))
                                 : json_object_array_get_idx(so_lines, i);
        char path[64];
        snprintf(path, sizeof path, "item.items[%zu].orderLine", i);
        if (!so_line) {
            json_object_put(out);
            ns_error(res, 400, "USER_ERROR", path, "The sales order has no line %s.",
                     json_object_get_string(get(w, "orderLine")));
            return false;
        }
        int64_t number = ns_whole_quantity(get(so_line, "line"));
        bool goods = is_goods(ns, so_line);
        if (!w && !goods)
            continue; /* by default only goods come back */
        int64_t shipped = ns_whole_quantity(get(so_line, "quantityFulfilled"));
        int64_t before = returned_before(ns, so, number);
        for (size_t k = 0; k < json_object_array_length(out); k++) {
            json_object *earlier = json_object_array_get_idx(out, k);
            if (ns_whole_quantity(get(earlier, "orderLine")) == number)
                before += ns_whole_quantity(get(earlier, "quantity"));
        }
        int64_t qty = w ? ns_whole_quantity(get(w, "quantity")) : shipped - before;
        if (!w && qty <= 0)
            continue;
        if (qty <= 0 || (goods && before + qty > shipped)) {
            json_object_put(out);
            ns_error(res, 400, "USER_ERROR", path,
                     "You cannot return more than was fulfilled: line %lld of the sales order shipped %lld, "
                     "%lld %s returned already, %lld asked.",
                     (long long)number, (long long)shipped, (long long)before, before == 1 ? "is" : "are",
                     (long long)qty);
            return false;
        }
        json_object_array_add(out, return_line(ns, so_line, qty, w, json_object_array_length(out)));
    }
    if (json_object_array_length(out) == 0) {
        json_object_put(out);
        ns_error(res, 400, "USER_ERROR", "item", "Nothing on this sales order was fulfilled and not returned yet.");
        return false;
    }
    json_object *item = json_object_new_object();
    json_object_object_add(item, "items", out);
    json_object_object_add(overrides, "item", item);
    return true;
}

/* A transaction's total as an integer of six decimals (0 when it has none). */
static int64_t total_micro(json_object *body)
{
    int64_t v = 0;
    return sb_money_from_json(get(body, "total"), 6, &v) ? v : 0;
}

bool ns_credit_check(ns_state *ns, ns_record *ra, json_object *overrides, sb_response *res)
{
    const char *date = json_object_get_string(get(overrides, "tranDate"));
    if (ns_period_closed(ns, date)) {
        ns_error(res, 400, "USER_ERROR", "tranDate",
                 "The accounting period of %.10s is closed; choose a date in an open period or reopen the period.",
                 date ? date : "today");
        return false;
    }
    int64_t credited = 0;
    for (size_t i = 0; i < ns->n_records; i++)
        if (ns->records[i]->type == &NS_CREDIT_MEMO && created_from(ns->records[i], ra))
            credited += total_micro(ns->records[i]->body);
    json_object *would = json_object_new_object();
    json_object_object_add(would, "currency", copy(get(ra->body, "currency")));
    json_object_object_add(would, "item", copy(get(overrides, "item") ? get(overrides, "item") : get(ra->body, "item")));
    ns_compute_totals(ns, would);
    int64_t asked = total_micro(would), authorised = total_micro(ra->body);
    json_object_put(would);
    if (credited + asked <= authorised)
        return true;
    char a[40], b[40], c[40];
    sb_money_format(asked, 6, a, sizeof a);
    sb_money_format(authorised, 6, b, sizeof b);
    sb_money_format(credited, 6, c, sizeof c);
    ns_error(res, 400, "USER_ERROR", "item",
             "You cannot credit more than the return authorization: %s asked, the authorization is for %s and %s "
             "was credited before.", a, b, c);
    return false;
}

bool ns_refund_check(ns_state *ns, json_object *body, sb_response *res)
{
    const char *customer = ref_id(body, "customer");
    json_object *apply = get(get(body, "apply"), "items");
    size_t n = apply ? json_object_array_length(apply) : 0;
    if (n == 0) {
        ns_error(res, 400, "USER_ERROR", "apply", "A customer refund must be applied to at least one credit.");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *a = json_object_array_get_idx(apply, i);
        char path[64];
        snprintf(path, sizeof path, "apply.items[%zu].amount", i);
        ns_record *cm = ns_store_find(ns, &NS_CREDIT_MEMO, ref_id(a, "doc"));
        const char *owner = cm ? ref_id(cm->body, "entity") : NULL;
        if (!cm || !customer || !owner || strcmp(owner, customer) != 0) {
            ns_error(res, 400, "USER_ERROR", path, "The credit memo does not belong to this customer.");
            return false;
        }
        int64_t amount = 0, used = 0;
        if (!sb_money_from_json(get(a, "amount"), 6, &amount) || amount <= 0) {
            ns_error(res, 400, "INVALID_FIELD_VALUE", path, "The amount applied must be a positive number.");
            return false;
        }
        for (size_t r = 0; r < ns->n_records; r++) {
            json_object *other = ns->records[r]->type == &NS_CUSTOMER_REFUND ? get(get(ns->records[r]->body, "apply"), "items") : NULL;
            for (size_t k = 0; other && k < json_object_array_length(other); k++) {
                json_object *o = json_object_array_get_idx(other, k);
                int64_t v = 0;
                const char *doc = ref_id(o, "doc");
                if (doc && strcmp(doc, cm->id) == 0 && sb_money_from_json(get(o, "amount"), 6, &v))
                    used += v;
            }
        }
        if (used + amount > total_micro(cm->body)) {
            char a1[40], a2[40];
            sb_money_format(amount, 6, a1, sizeof a1);
            sb_money_format(total_micro(cm->body) - used, 6, a2, sizeof a2);
            ns_error(res, 400, "USER_ERROR", path,
                     "The amount applied to credit memo %s (%s) is more than is left to refund on it (%s).", cm->id, a1, a2);
            return false;
        }
    }
    return true;
}

/* ---- the warehouse receives goods ------------------------------------------------------------- */

static void answer(sb_response *res, int status, const char *message)
{
    json_object *body = json_object_new_object();
    json_object_object_add(body, "error", json_object_new_string(message));
    sb_respond_json(res, status, body);
    json_object_put(body);
}

static int64_t wanted_units(json_object *wanted, int64_t line, int64_t expected)
{
    if (!wanted)
        return expected;
    for (size_t i = 0; i < json_object_array_length(wanted); i++) {
        json_object *w = json_object_array_get_idx(wanted, i);
        if (ns_whole_quantity(get(w, "line")) == line)
            return ns_whole_quantity(get(w, "quantity"));
    }
    return 0;
}

static void receive(ns_state *ns, json_object *body, sb_response *res)
{
    const char *id = json_object_get_string(get(body, "returnAuthorization"));
    ns_record *ra = id ? ns_store_find(ns, &NS_RETURN_AUTHORIZATION, id) : NULL;
    json_object *wanted = get(body, "lines");
    if (!ra) {
        answer(res, 404, "no such return authorization");
        return;
    }
    if (wanted && !json_object_is_type(wanted, json_type_array)) {
        answer(res, 400, "lines: [{\"line\": <the authorization's line>, \"quantity\": n}]");
        return;
    }
    json_object *lines = lines_of(ra->body), *got = json_object_new_array();
    bool all_back = true;
    for (size_t i = 0; lines && i < json_object_array_length(lines); i++) {
        json_object *l = json_object_array_get_idx(lines, i);
        if (!get(l, "quantityReceived"))
            continue;
        int64_t expected = ns_whole_quantity(get(l, "quantity")) - ns_whole_quantity(get(l, "quantityReceived"));
        int64_t take = wanted_units(wanted, ns_whole_quantity(get(l, "line")), expected);
        if (take < 0 || take > expected) {
            json_object_put(got);
            answer(res, 400, "more units received than the authorization still expects on a line");
            return;
        }
        if (take < expected)
            all_back = false;
        if (take == 0)
            continue;
        json_object *r = json_object_new_object();
        json_object_object_add(r, "orderLine", json_object_new_int64(ns_whole_quantity(get(l, "line"))));
        json_object_object_add(r, "item", copy(get(l, "item")));
        json_object_object_add(r, "quantity", json_object_new_int64(take));
        json_object_object_add(r, "itemReceive", json_object_new_boolean(true));
        json_object_array_add(got, r);
    }
    if (json_object_array_length(got) == 0) {
        json_object_put(got);
        answer(res, 400, "nothing is left to receive on this return authorization");
        return;
    }
    /* Every check passed: change the authorization and the stock only now. */
    for (size_t k = 0; k < json_object_array_length(got); k++) {
        json_object *r = json_object_array_get_idx(got, k);
        for (size_t i = 0; i < json_object_array_length(lines); i++) {
            json_object *l = json_object_array_get_idx(lines, i);
            if (ns_whole_quantity(get(l, "line")) != ns_whole_quantity(get(r, "orderLine")))
                continue;
            int64_t qty = ns_whole_quantity(get(r, "quantity"));
            json_object_object_add(l, "quantityReceived",
                                   json_object_new_int64(ns_whole_quantity(get(l, "quantityReceived")) + qty));
            ns_record *item = ns_line_item(ns, l);
            if (item && item->seed_item >= 0)
                ns_stock_adjust(ns, item->seed_item, ns_line_location(ns, l, ra->body), qty, 0);
        }
    }
    const char *status = json_object_get_string(get(ra->body, "orderStatus"));
    if (!status || strcmp(status, "Refunded") != 0)
        json_object_object_add(ra->body, "orderStatus",
                               json_object_new_string(all_back ? "Pending Refund" : "Partially Received"));
    ra->modified = ns_now();
    json_object *receipt = json_object_new_object(), *item = json_object_new_object(), *from = json_object_new_object();
    json_object_object_add(from, "id", json_object_new_string(ra->id));
    json_object_object_add(receipt, "createdFrom", from);
    if (get(ra->body, "entity"))
        json_object_object_add(receipt, "entity", copy(get(ra->body, "entity")));
    if (get(ra->body, "currency"))
        json_object_object_add(receipt, "currency", copy(get(ra->body, "currency")));
    json_object_object_add(item, "items", got);
    json_object_object_add(receipt, "item", item);
    ns_record *rec = ns_store_add(ns, &NS_ITEM_RECEIPT, NULL, receipt);
    json_object *out = json_object_new_object();
    json_object_object_add(out, "itemReceipt", json_object_new_string(rec->id));
    json_object_object_add(out, "orderStatus", copy(get(ra->body, "orderStatus")));
    sb_respond_json(res, 200, out);
    json_object_put(out);
}

bool ns_returns_control(ns_state *ns, const sb_request *req, sb_response *res)
{
    if (strcmp(req->path, "/_sandbox/netsuite/receive") != 0)
        return false;
    json_object *body = strcmp(req->method, "POST") == 0 ? sb_parse_json(req->body, req->body_len) : NULL;
    if (!body || !json_object_is_type(body, json_type_object)) {
        json_object_put(body);
        answer(res, 400, "POST {\"returnAuthorization\": \"<id>\"[, \"lines\": [{\"line\", \"quantity\"}]]}");
        return true;
    }
    pthread_mutex_lock(&ns->lock);
    receive(ns, body, res);
    pthread_mutex_unlock(&ns->lock);
    json_object_put(body);
    return true;
}
