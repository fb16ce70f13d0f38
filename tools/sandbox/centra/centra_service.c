/* The Centra service as the framework hosts it: POST /graphql with a bearer token, the rate
 * limits (429 + Retry-After), GraphQL over the store, Centra's error shapes for malformed
 * requests, faults and framework errors, and the /_sandbox/ control paths and stats.
 *
 * Token permissions come from CENTRA_TOKEN_PERMISSIONS ("Order:read,Shipment:write"; unset = all).
 * "Customer:read" style names; a "X:write" permission also grants "X:read". */
#include "tools/sandbox/centra/centra.h"
#include "tools/sandbox/framework/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- error bodies ------------------------------------------------------------------------------ */

static void respond_error(sb_response *res, int status, const char *category, const char *message)
{
    json_object *body = json_object_new_object(), *errs = json_object_new_array(), *e = json_object_new_object();
    json_object_object_add(e, "message", json_object_new_string(message));
    json_object *ext = json_object_new_object();
    json_object_object_add(ext, "category", json_object_new_string(category));
    json_object_object_add(e, "extensions", ext);
    json_object_array_add(errs, e);
    json_object_object_add(body, "errors", errs);
    sb_respond_json(res, status, body);
    json_object_put(body);
}

static void respond_throttled(sb_response *res, const char *bucket, int retry_after)
{
    char msg[160];
    snprintf(msg, sizeof msg, "Too many requests: the %s rate limit is exhausted. Retry after %d seconds.",
             bucket, retry_after);
    respond_error(res, 429, "throttled", msg);
    res->retry_after = retry_after;
}

/* ---- auth --------------------------------------------------------------------------------------- */

static bool token_ok(centra *c, const sb_request *req)
{
    const char *auth = req->header(req, "Authorization");
    const char *tok = NULL;
    size_t len = 0;
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        tok = auth + 7;
        while (*tok == ' ')
            tok++;
        len = strlen(tok);
    } else if (!auth) {
        /* Centra's older docs authenticate with a cookie: graphql-access=<token>. */
        const char *cookie = req->header(req, "Cookie");
        const char *p = cookie ? strstr(cookie, "graphql-access=") : NULL;
        if (p) {
            tok = p + strlen("graphql-access=");
            len = strcspn(tok, "; ");
        }
    }
    if (!tok || len != strlen(c->token))
        return false;
    /* Constant-time comparison: the sandbox should not teach timing leaks. */
    unsigned char diff = 0;
    for (size_t i = 0; i < len; i++)
        diff |= (unsigned char)(tok[i] ^ c->token[i]);
    return diff == 0;
}

static bool permitted(void *ctx, const char *perm)
{
    centra_request *rq = ctx;
    centra *c = rq->c;
    if (!c->permissions)
        return true;
    size_t plen = strlen(perm);
    for (size_t i = 0; i < c->n_permissions; i++) {
        const char *have = c->permissions[i];
        if (strcmp(have, perm) == 0)
            return true;
        /* X:write implies X:read. */
        if (plen > 5 && strcmp(perm + plen - 5, ":read") == 0) {
            size_t base = plen - 5;
            if (strncmp(have, perm, base) == 0 && strcmp(have + base, ":write") == 0)
                return true;
        }
    }
    return false;
}

/* ---- the GraphQL endpoint ------------------------------------------------------------------------- */

static bool before_execute(void *ctx, const gq_operation *op, int64_t complexity, json_object **stop)
{
    (void)complexity;
    centra_request *rq = ctx;
    /* Stats name: the kind and first root field, interned (the framework reads it after the
     * request is gone). */
    const char *first = op->set && op->set->n && op->set->items[0].kind == GQ_SEL_FIELD ? op->set->items[0].name : "";
    char name[128];
    snprintf(name, sizeof name, "%s %s", op->kind == GQ_OP_MUTATION ? "mutation" : "query", first);
    for (size_t i = 0; i < rq->c->n_opnames; i++)
        if (strcmp(rq->c->opnames[i], name) == 0)
            rq->operation = rq->c->opnames[i];
    if (op->kind == GQ_OP_MUTATION && !centra_bucket_take(&rq->c->mutations_10s, sb_now(), &rq->retry_after)) {
        rq->throttled = true;
        *stop = NULL;
        return false;
    }
    return true;
}

static const char *handle(void *svc, const sb_request *req, sb_response *res)
{
    centra *c = svc;
    if (strcmp(req->path, "/graphql") != 0) {
        respond_error(res, 404, "request", "Not found.");
        return "not_found";
    }
    if (strcmp(req->method, "POST") != 0) {
        respond_error(res, 405, "request", "GraphQL requests must use POST.");
        sb_response_add_header(res, "Allow", "POST");
        return "graphql";
    }
    if (!token_ok(c, req)) {
        respond_error(res, 401, "authentication", "Unauthorized: missing or invalid API token.");
        return "unauthorized";
    }
    /* The request buckets count every authenticated request, whatever it turns out to be. */
    int retry = 0;
    pthread_mutex_lock(&c->lock);
    double now = sb_now();
    bool ok10 = centra_bucket_take(&c->requests_10s, now, &retry);
    bool okh = ok10 && centra_bucket_take(&c->requests_1h, now, &retry);
    if (!okh && ok10)
        c->requests_10s.tokens += 1.0; /* not admitted: give the 10 s token back */
    pthread_mutex_unlock(&c->lock);
    if (!ok10 || !okh) {
        respond_throttled(res, ok10 ? "REQUESTS_1H" : "REQUESTS_10S", retry);
        return "throttled";
    }

    json_object *body = sb_parse_json(req->body, req->body_len);
    if (!body || !json_object_is_type(body, json_type_object)) {
        json_object_put(body);
        respond_error(res, 400, "request", "Request body must be a JSON object (valid UTF-8) with a \"query\".");
        return "bad_request";
    }
    json_object *query = NULL, *vars = NULL, *opname = NULL;
    json_object_object_get_ex(body, "query", &query);
    json_object_object_get_ex(body, "variables", &vars);
    json_object_object_get_ex(body, "operationName", &opname);
    const char *problem = NULL;
    if (!query || (json_object_is_type(query, json_type_string) && json_object_get_string_len(query) == 0))
        problem = "GraphQL Request must include at least one of those two parameters: \"query\" or \"queryId\"";
    else if (!json_object_is_type(query, json_type_string))
        problem = "GraphQL Request parameter \"query\" must be string.";
    else if (vars && !json_object_is_type(vars, json_type_object))
        problem = "GraphQL Request parameter \"variables\" must be object.";
    else if (opname && !json_object_is_type(opname, json_type_string))
        problem = "GraphQL Request parameter \"operationName\" must be string.";
    if (problem) {
        json_object_put(body);
        respond_error(res, 400, "request", problem);
        return "bad_request";
    }

    centra_request rq = {.c = c, .operation = "graphql"};
    json_object *used = json_object_new_array();
    gq_run_request run = {.schema = c->schema, .query = json_object_get_string(query),
                          .query_len = (size_t)json_object_get_string_len(query),
                          .operation_name = opname ? json_object_get_string(opname) : NULL,
                          .variables = vars, .resolve = centra_resolve, .permitted = permitted,
                          .context = &rq, .permissions_used = used, .before_execute = before_execute,
                          /* Parsing, validation and the cost count run outside the store lock:
                           * a hostile document costs only its own request's time. */
                          .execute_lock = &c->lock,
                          .max_complexity = CENTRA_MAX_COMPLEXITY, .max_depth = CENTRA_MAX_DEPTH};
    json_object *resp = gq_run(&run);
    if (rq.throttled) {
        json_object_put(resp);
        json_object_put(used);
        json_object_put(body);
        respond_throttled(res, "MUTATIONS_10S", rq.retry_after);
        return "throttled";
    }
    json_object *ext = json_object_new_object();
    json_object_object_add(ext, "complexity", json_object_new_int64(run.complexity));
    json_object_object_add(ext, "permissionsUsed", used);
    json_object_object_add(resp, "extensions", ext);
    sb_respond_json(res, 200, resp);
    json_object_put(resp);
    json_object_put(body);
    return rq.operation;
}

static const char *classify(void *svc, const sb_request *req, bool *is_write)
{
    (void)svc;
    (void)req;
    /* A GraphQL POST is a write only if it is a mutation; parsing here would double the work,
     * and no fault the sandbox draws depends on it ("lock" does not exist in Centra). */
    *is_write = false;
    return "graphql";
}

/* ---- faults and framework errors ---------------------------------------------------------------- */

static bool render_fault(void *svc, sb_fault_kind kind, const sb_request *req, sb_response *res)
{
    (void)svc;
    (void)req;
    switch (kind) {
    case SB_FAULT_429:
        respond_throttled(res, "REQUESTS_10S", 1);
        return true;
    case SB_FAULT_503:
        respond_error(res, 503, "internal", "Service Unavailable");
        res->retry_after = 5;
        return true;
    case SB_FAULT_MALFORMED:
        /* What a proxy cutting a response short produces: valid start, no end. */
        sb_respond_text(res, 200, "application/json", "{\"data\":{\"orderConnection\":{\"edges\":[{\"node\":{\"id\":");
        return true;
    default:
        return false; /* no record locks or concurrency limit in Centra */
    }
}

static void render_error(void *svc, int status, const char *code, const char *message, sb_response *res)
{
    (void)svc;
    (void)code;
    respond_error(res, status, "request", message);
}

/* ---- control paths ------------------------------------------------------------------------------ */

static int count_arg(const sb_request *req, json_object **body_out, int dflt)
{
    json_object *body = req->body_len ? sb_parse_json(req->body, req->body_len) : NULL, *v;
    *body_out = body;
    if (body && json_object_object_get_ex(body, "count", &v))
        return json_object_get_int(v);
    return dflt;
}

static bool control(void *svc, const sb_request *req, sb_response *res)
{
    centra *c = svc;
    bool post = strcmp(req->method, "POST") == 0;
    json_object *out = json_object_new_object();
    if (post && strcmp(req->path, "/_sandbox/orders") == 0) {
        json_object *body, *v;
        int n = count_arg(req, &body, 1);
        if (n < 1 || n > 100000) {
            json_object_put(body);
            json_object_put(out);
            sb_respond_text(res, 400, "application/json", "{\"error\":\"count must be 1..100000\"}");
            return true;
        }
        json_object *numbers = json_object_new_array();
        pthread_mutex_lock(&c->lock);
        if (body && json_object_object_get_ex(body, "unknown_sku_rate", &v)) {
            double rate = json_object_get_double(v); /* a probability, not money */
            c->unknown_sku_rate = rate < 0 ? 0 : rate > 1 ? 1 : rate;
        }
        /* {"sku": X, "warehouse": W}: a flash sale, one unit of X per order from warehouse W, for
         * as long as Centra shows X available there (centra_stock.c). */
        const sb_item *flash = body && json_object_object_get_ex(body, "sku", &v)
                                   ? sb_seed_item_by_sku(c->seed, json_object_get_string(v)) : NULL;
        int flash_loc = body && json_object_object_get_ex(body, "warehouse", &v)
                            ? sb_seed_location_index_by_centra_id(c->seed, json_object_get_string(v)) : 0;
        bool sold_out = false;
        for (int i = 0; i < n && !sold_out; i++) {
            if (flash && (flash_loc < 0 || centra_stock_available(c, flash, flash_loc) < 1)) {
                sold_out = true;
                break;
            }
            c->flash_item = flash;
            c->flash_location = flash_loc < 0 ? 0 : flash_loc;
            json_object_array_add(numbers, json_object_new_int(centra_place_order(c)));
            c->flash_item = NULL;
        }
        pthread_mutex_unlock(&c->lock);
        if (flash)
            json_object_object_add(out, "sold_out", json_object_new_boolean(sold_out));
        json_object_object_add(out, "orders", numbers);
        json_object_put(body);
        sb_respond_json(res, 201, out);
    } else if (post && strcmp(req->path, "/_sandbox/orders/confirm") == 0) {
        json_object *confirmed = json_object_new_array();
        pthread_mutex_lock(&c->lock);
        centra_confirm_pending(c, confirmed);
        pthread_mutex_unlock(&c->lock);
        json_object_object_add(out, "confirmed", confirmed);
        sb_respond_json(res, 200, out);
    } else if (post && strcmp(req->path, "/_sandbox/returns") == 0) {
        json_object *body;
        int n = count_arg(req, &body, 1);
        json_object *made = json_object_new_array();
        pthread_mutex_lock(&c->lock);
        centra_customer_returns(c, n < 0 ? 0 : n, made);
        pthread_mutex_unlock(&c->lock);
        json_object_object_add(out, "returns", made);
        json_object_put(body);
        sb_respond_json(res, 201, out);
    } else if (post && strncmp(req->path, "/_sandbox/orders/", 17) == 0 &&
               strlen(req->path) > 24 && strcmp(req->path + strlen(req->path) - 7, "/cancel") == 0) {
        int number = atoi(req->path + 17);
        pthread_mutex_lock(&c->lock);
        int rc = centra_cancel_order(c, number);
        const char *status = rc == 0 ? centra_status_name(centra_order_by_number(c, number)->status) : NULL;
        pthread_mutex_unlock(&c->lock);
        json_object_object_add(out, "order", json_object_new_int(number));
        if (rc == 0) {
            json_object_object_add(out, "status", json_object_new_string(status));
            sb_respond_json(res, 200, out);
        } else {
            json_object_object_add(out, "error", json_object_new_string(rc == -1 ? "no such order" : "nothing left to cancel"));
            sb_respond_json(res, rc == -1 ? 404 : 409, out);
        }
    } else if (post && strncmp(req->path, "/_sandbox/orders/", 17) == 0 &&
               strlen(req->path) > 24 && strcmp(req->path + strlen(req->path) - 7, "/refund") == 0) {
        /* {"amount": "12.50", "shipping": "4.90", "reason": "goodwill"}: customer service refunds
         * money without goods back (centra_refunds.c). */
        int number = atoi(req->path + 17), entry = 0;
        json_object *body = req->body_len ? sb_parse_json(req->body, req->body_len) : NULL, *v;
        const char *amount = body && json_object_object_get_ex(body, "amount", &v) ? json_object_get_string(v) : NULL;
        const char *shipping = body && json_object_object_get_ex(body, "shipping", &v) ? json_object_get_string(v) : NULL;
        const char *reason = body && json_object_object_get_ex(body, "reason", &v) ? json_object_get_string(v) : NULL;
        pthread_mutex_lock(&c->lock);
        int rc = centra_refund_order(c, number, amount, shipping, reason, &entry);
        pthread_mutex_unlock(&c->lock);
        json_object_put(body);
        json_object_object_add(out, "order", json_object_new_int(number));
        if (rc == 0) {
            json_object_object_add(out, "refund", json_object_new_int(entry));
            sb_respond_json(res, 201, out);
        } else {
            static const char *const why[] = {"", "no such order", "amount and shipping must be decimal text in the order's currency, shipping at most amount",
                                              "the order's payment is not captured, or refunds would exceed what was paid",
                                              "more shipping refunded than the order charged"};
            json_object_object_add(out, "error", json_object_new_string(why[-rc]));
            sb_respond_json(res, rc == -1 ? 404 : rc == -2 ? 400 : 409, out);
        }
    } else if (post && strncmp(req->path, "/_sandbox/orders/", 17) == 0 &&
               strlen(req->path) > 24 && strcmp(req->path + strlen(req->path) - 7, "/return") == 0) {
        /* {"lines": [{"line": <order line id> | "sku": "…", "quantity": 1}], "shipping": "4.90",
         * "amount": "…" (default: the goods' value plus shipping), "reason": "…"}: customer service
         * takes goods back and refunds them (centra_refunds.c). */
        int number = atoi(req->path + 17), entry = 0, ret = 0;
        json_object *body = req->body_len ? sb_parse_json(req->body, req->body_len) : NULL, *v;
        const char *amount = body && json_object_object_get_ex(body, "amount", &v) ? json_object_get_string(v) : NULL;
        const char *shipping = body && json_object_object_get_ex(body, "shipping", &v) ? json_object_get_string(v) : NULL;
        const char *reason = body && json_object_object_get_ex(body, "reason", &v) ? json_object_get_string(v) : NULL;
        json_object *lines = body && json_object_object_get_ex(body, "lines", &v) ? v : NULL;
        pthread_mutex_lock(&c->lock);
        int rc = centra_return_goods(c, number, lines, amount, shipping, reason, &ret, &entry);
        char refunded[40] = "";
        if (rc == 0) {
            const centra_order *o = centra_order_by_number(c, number);
            sb_money_format(o->refunds[o->n_refunds - 1].amount, c->seed->currencies[o->currency].exponent, refunded,
                            sizeof refunded);
        }
        pthread_mutex_unlock(&c->lock);
        json_object_put(body);
        json_object_object_add(out, "order", json_object_new_int(number));
        if (rc == 0) {
            json_object_object_add(out, "return", json_object_new_int(ret));
            json_object_object_add(out, "refund", json_object_new_int(entry));
            json_object_object_add(out, "amount", json_object_new_string(refunded));
            sb_respond_json(res, 201, out);
        } else {
            static const char *const why[] = {"", "no such order", "lines [{line|sku, quantity}] and decimal text amounts in the order's currency",
                                              "the order's payment is not captured, or refunds would exceed what was paid",
                                              "more shipping refunded than the order charged",
                                              "those units are not shipped and unreturned in one completed shipment"};
            json_object_object_add(out, "error", json_object_new_string(why[-rc]));
            sb_respond_json(res, rc == -1 ? 404 : rc == -2 ? 400 : 409, out);
        }
    } else if (strcmp(req->method, "GET") == 0 && strcmp(req->path, "/_sandbox/stock/writes") == 0) {
        char sku[128];
        const sb_item *item = sb_query_param(req, "sku", sku, sizeof sku) ? sb_seed_item_by_sku(c->seed, sku) : NULL;
        if (!item) {
            json_object_put(out);
            sb_respond_text(res, 404, "application/json", "{\"error\":\"unknown sku\"}");
            return true;
        }
        pthread_mutex_lock(&c->lock);
        json_object_object_add(out, "writes", centra_stock_writes_json(c, item));
        pthread_mutex_unlock(&c->lock);
        sb_respond_json(res, 200, out);
    } else if (strcmp(req->method, "GET") == 0 && strcmp(req->path, "/_sandbox/stock") == 0) {
        char sku[128];
        const sb_item *item = sb_query_param(req, "sku", sku, sizeof sku) ? sb_seed_item_by_sku(c->seed, sku) : NULL;
        if (!item) {
            json_object_put(out);
            sb_respond_text(res, 404, "application/json", "{\"error\":\"unknown sku\"}");
            return true;
        }
        json_object *levels = json_object_new_object();
        pthread_mutex_lock(&c->lock);
        for (size_t i = 0; i < c->seed->n_locations; i++)
            json_object_object_add(levels, c->seed->locations[i].centra_warehouse_id,
                                   json_object_new_int64(*centra_stock_cell(c, item, (int)i)));
        pthread_mutex_unlock(&c->lock);
        json_object_object_add(out, "sku", json_object_new_string(item->sku));
        json_object_object_add(out, "warehouses", levels);
        sb_respond_json(res, 200, out);
    } else if (strcmp(req->method, "GET") == 0 && strcmp(req->path, "/_sandbox/products") == 0) {
        /* ?productNumber=X: the product as Centra's admin shows it, prices included. */
        char number[128];
        json_object *p = NULL;
        pthread_mutex_lock(&c->lock);
        if (sb_query_param(req, "productNumber", number, sizeof number))
            p = centra_product_control_json(c, number);
        pthread_mutex_unlock(&c->lock);
        if (!p) {
            json_object_put(out);
            sb_respond_text(res, 404, "application/json", "{\"error\":\"unknown productNumber\"}");
            return true;
        }
        sb_respond_json(res, 200, p);
        json_object_put(p);
    } else if (post && strcmp(req->path, "/_sandbox/products/merchandise") == 0) {
        /* {"productNumber", "description"}: a merchandiser edits what Centra owns. */
        json_object *body = sb_parse_json(req->body, req->body_len), *n = NULL, *d = NULL;
        bool ok = body && json_object_object_get_ex(body, "productNumber", &n) &&
                  json_object_object_get_ex(body, "description", &d);
        pthread_mutex_lock(&c->lock);
        ok = ok && centra_product_merchandise(c, json_object_get_string(n), json_object_get_string(d));
        pthread_mutex_unlock(&c->lock);
        json_object_put(body);
        sb_respond_text(res, ok ? 200 : 404, "application/json",
                        ok ? "{\"ok\":true}" : "{\"error\":\"want {productNumber, description} of a known product\"}");
    } else {
        json_object_put(out);
        return false;
    }
    json_object_put(out);
    return true;
}

static void stats(void *svc, json_object *out)
{
    centra *c = svc;
    pthread_mutex_lock(&c->lock);
    json_object *records = json_object_new_object();
    json_object_object_add(records, "orders", json_object_new_int64((int64_t)c->n_orders));
    json_object_object_add(records, "shipments", json_object_new_int64((int64_t)c->n_shipments));
    json_object_object_add(records, "returns", json_object_new_int64((int64_t)c->n_returns));
    json_object_object_add(records, "events", json_object_new_int64((int64_t)c->n_events));
    json_object_object_add(records, "events_unconfirmed", json_object_new_int64((int64_t)(c->n_events - (size_t)c->confirmed_events)));
    json_object_object_add(out, "records", records);
    int max = 0, more_than_one = 0;
    for (size_t i = 0; i < c->n_orders; i++) {
        if (c->orders[i].notifications > max)
            max = c->orders[i].notifications;
        if (c->orders[i].notifications > 1)
            more_than_one++;
    }
    json_object *notes = json_object_new_object();
    json_object_object_add(notes, "total", json_object_new_int64(c->notifications_total));
    json_object_object_add(notes, "max_per_order", json_object_new_int(max));
    json_object_object_add(notes, "orders_with_more_than_one", json_object_new_int(more_than_one));
    json_object_object_add(out, "notifications", notes);
    json_object_object_add(out, "duplicate_shipments", json_object_new_int64(c->duplicate_shipments));
    json_object_object_add(out, "stock_writes", json_object_new_int64(c->stock_writes));
    json_object_object_add(out, "oversold_units", json_object_new_int64(c->oversold_units));
    json_object_object_add(out, "products", json_object_new_int64((int64_t)c->n_products));
    json_object_object_add(out, "price_writes", json_object_new_int64(c->price_writes));
    pthread_mutex_unlock(&c->lock);
}

/* ---- lifecycle ---------------------------------------------------------------------------------- */

static void destroy(void *svc)
{
    centra *c = svc;
    if (!c)
        return;
    centra_store_free(c);
    centra_products_free(c);
    gq_schema_free(c->schema);
    for (size_t i = 0; i < c->n_permissions; i++)
        free(c->permissions[i]);
    for (size_t i = 0; i < c->n_opnames; i++)
        free(c->opnames[i]);
    free(c->opnames);
    free(c->permissions);
    free(c->token);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static void *create(const sb_options *opts, char *err, size_t errlen)
{
    centra *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    c->seed = opts->seed;
    c->token = sb_strdup(opts->centra_token ? opts->centra_token : "");
    gq_errors e = {0};
    c->schema = gq_schema_parse(centra_schema_sdl, &e);
    if (!c->schema) {
        snprintf(err, errlen, "schema: %s", json_object_to_json_string(e.list));
        gq_errors_clear(&e);
        destroy(c);
        return NULL;
    }
    const gq_type *roots[2] = {c->schema->query, c->schema->mutation};
    c->opnames = calloc(roots[0]->n_fields + roots[1]->n_fields + 1, sizeof *c->opnames);
    for (int r = 0; r < 2; r++)
        for (size_t i = 0; i < roots[r]->n_fields; i++) {
            char name[128];
            snprintf(name, sizeof name, "%s %s", r ? "mutation" : "query", roots[r]->fields[i].name);
            c->opnames[c->n_opnames++] = sb_strdup(name);
        }
    const char *perms = getenv("CENTRA_TOKEN_PERMISSIONS");
    if (perms && *perms && strcmp(perms, "*") != 0) {
        char *copy = sb_strdup(perms), *save = NULL;
        c->permissions = calloc(64, sizeof *c->permissions);
        for (char *t = strtok_r(copy, ", ", &save); t && c->n_permissions < 64; t = strtok_r(NULL, ", ", &save))
            c->permissions[c->n_permissions++] = sb_strdup(t);
        free(copy);
    }
    centra_bucket_init(&c->requests_10s, "REQUESTS_10S", opts->rate_10s, 10);
    centra_bucket_init(&c->requests_1h, "REQUESTS_1H", opts->rate_hour, 3600);
    centra_bucket_init(&c->mutations_10s, "MUTATIONS_10S", opts->mutation_rate_10s, 10);
    c->next_line_id = 1;
    c->next_shipment_line_id = 1;
    c->next_return_line_id = 1;
    c->next_customer_id = 20001;
    c->unknown_sku_rate = 0.01;
    c->rng = sb_random_u64() | 1;
    size_t cells = opts->seed->n_items * opts->seed->n_locations;
    c->stock = calloc(cells + 1, sizeof *c->stock);
    c->allocated = calloc(cells + 1, sizeof *c->allocated);
    for (size_t i = 0; i < opts->seed->n_items; i++)
        for (size_t l = 0; l < opts->seed->n_locations; l++)
            c->stock[i * opts->seed->n_locations + l] = opts->seed->items[i].stock[l];
    if (!centra_products_init(c)) {
        destroy(c);
        return NULL;
    }
    return c;
}

const sb_service sb_centra_service = {
    .name = "centra",
    .create = create,
    .classify = classify,
    .handle = handle,
    .control = control,
    .stats = stats,
    .render_fault = render_fault,
    .render_error = render_error,
    .destroy = destroy,
    .concurrency_limited = false,
    .schema_sdl = centra_schema_sdl,
};
