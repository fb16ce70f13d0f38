/* The Sage 200 sandbox as an sb_service (see sage200.h): auth first (bearer token, X-Site,
 * X-Company), then the tunnel, then the collections; faults in Sage's own shapes. */
#include "tools/sandbox/sage200/sage200.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *setting(const char *env, const char *fallback)
{
    const char *v = getenv(env);
    return sb_strdup(v && *v ? v : fallback);
}

static void *create(const sb_options *opts, char *err, size_t errlen)
{
    sg_state *sg = calloc(1, sizeof *sg);
    if (!sg) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sg->opts = opts;
    pthread_mutex_init(&sg->lock, NULL);
    sg->token = setting("SAGE200_TOKEN", "sandbox-sage200-token");
    sg->site = setting("SAGE200_SITE", "sandbox-site");
    sg->company = setting("SAGE200_COMPANY", "1");
    const char *req = getenv("SAGE200_REQUIRED_FIELD");
    snprintf(sg->required_field, sizeof sg->required_field, "%s", req ? req : "");
    sg_store_init(sg);
    return sg;
}

static void destroy(void *svc)
{
    sg_state *sg = svc;
    sg_store_free(sg);
    pthread_mutex_destroy(&sg->lock);
    free(sg->token);
    free(sg->site);
    free(sg->company);
    free(sg);
}

/* "/customers" → (customers, -1); "/sop_orders/123" → (sop_orders, 123); false when neither. */
static bool route(const char *path, int *collection, int64_t *id, bool *bad_id)
{
    char name[64];
    *id = -1;
    *bad_id = false;
    if (*path != '/')
        return false;
    size_t n = strcspn(path + 1, "/");
    if (n == 0 || n >= sizeof name)
        return false;
    memcpy(name, path + 1, n);
    name[n] = '\0';
    *collection = sg_collection_by_name(name);
    if (*collection < 0)
        return false;
    const char *rest = path + 1 + n;
    if (!*rest)
        return true;
    char *end;
    long long v = strtoll(rest + 1, &end, 10);
    if (rest[1] == '\0' || *end || v <= 0)
        *bad_id = true;
    *id = v;
    return true;
}

static const char *classify(void *svc, const sb_request *req, bool *is_write)
{
    (void)svc;
    int c;
    int64_t id;
    bool bad_id;
    *is_write = strcmp(req->method, "GET") != 0;
    if (!route(req->path, &c, &id, &bad_id))
        return "unknown";
    static const char *const names[SG_N_COLLECTIONS][3] = {
        {"customers.read", "customers.create", "customers.update"},
        {"products.read", "products.create", "products.update"},
        {"warehouses.read", "warehouses.create", "warehouses.update"},
        {"tax_codes.read", "tax_codes.create", "tax_codes.update"},
        {"sop_additional_charges.read", "sop_additional_charges.create", "sop_additional_charges.update"},
        {"sop_orders.read", "sop_orders.create", "sop_orders.update"},
        {"warehouse_holdings.read", "warehouse_holdings.create", "warehouse_holdings.update"},
        {"despatch_views.read", "despatch_views.create", "despatch_views.update"},
        {"despatch_line_views.read", "despatch_line_views.create", "despatch_line_views.update"},
        {"sales_posted_transactions.read", "sales_posted_transactions.create", "sales_posted_transactions.update"},
        {"banks.read", "banks.create", "banks.update"},
        {"bank_posted_transactions.read", "bank_posted_transactions.create", "bank_posted_transactions.update"},
        {"nominal_codes.read", "nominal_codes.create", "nominal_codes.update"},
        {"sales_credit_notes.read", "sales_credit_notes.create", "sales_credit_notes.update"},
        {"bank_receipt.read", "bank_receipt.create", "bank_receipt.update"},
        {"bank_payment.read", "bank_payment.create", "bank_payment.update"},
    };
    if (strcmp(req->method, "DELETE") == 0)
        return c == SG_SOP_ORDERS ? "sop_orders.delete" : "delete.refused";
    int k = strcmp(req->method, "POST") == 0 ? 1 : strcmp(req->method, "PUT") == 0 ? 2 : 0;
    return names[c][k];
}

static bool authorised(sg_state *sg, const sb_request *req, sb_response *res)
{
    const char *auth = req->header(req, "Authorization");
    const char *site = req->header(req, "X-Site");
    const char *company = req->header(req, "X-Company");
    if (!auth || strncmp(auth, "Bearer ", 7) != 0 || strcmp(auth + 7, sg->token) != 0) {
        sg_error(res, 401, NULL, "Authorization has been denied for this request.");
        return false;
    }
    if (!site || strcmp(site, sg->site) != 0 || !company || strcmp(company, sg->company) != 0) {
        sg_error(res, 401, NULL, "The X-Site or X-Company header does not name a site and company this user can access.");
        return false;
    }
    return true;
}

/* A create that succeeded, its answer lost: held, then the tunnel times out. */
static bool lose_this_answer(sg_state *sg)
{
    if (sg->lose_count > 0) {
        sg->lose_count--;
        return true;
    }
    return sg->lose_rate > 0 && sb_random() < sg->lose_rate;
}

static void tunnel_timeout(sb_response *res)
{
    sb_respond_text(res, 504, "text/html", "<html><body><h1>504 Gateway Time-out</h1>The on-premise tunnel did not answer in time.</body></html>");
}

static const char *handle(void *svc, const sb_request *req, sb_response *res)
{
    sg_state *sg = svc;
    bool is_write;
    const char *op = classify(svc, req, &is_write);
    pthread_mutex_lock(&sg->lock);
    bool down = sg->tunnel_down;
    if (down)
        sg->tunnel_refusals++;
    pthread_mutex_unlock(&sg->lock);
    if (down) {
        tunnel_timeout(res);
        return op;
    }
    if (!authorised(sg, req, res))
        return "auth.refused";
    int c;
    int64_t id;
    bool bad_id;
    if (!route(req->path, &c, &id, &bad_id)) {
        sg_error(res, 404, NULL, "No HTTP resource was found that matches the request URI '%s'.", req->path);
        return "unknown";
    }
    if (bad_id) {
        sg_error(res, 400, NULL, "The request is invalid: '%s' is not a record Id.", req->path);
        return op;
    }
    json_object *body = NULL;
    if (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0) {
        if (req->query && *req->query) {
            sg_error(res, 400, NULL, "The query parameter '%s' is not supported on %s.", req->query, req->method);
            return op;
        }
        body = sb_parse_json(req->body, req->body_len);
        if (!body || !json_object_is_type(body, json_type_object)) {
            json_object_put(body);
            pthread_mutex_lock(&sg->lock);
            sg->refused_writes++;   /* a body that is no JSON object is refused as any bad body */
            pthread_mutex_unlock(&sg->lock);
            sg_error(res, 400, NULL, "The request is invalid: the body is not a JSON object.");
            return op;
        }
    }
    bool lose = false;
    pthread_mutex_lock(&sg->lock);
    bool write_only = c == SG_CREDIT_NOTES || c == SG_BANK_RECEIPTS || c == SG_BANK_PAYMENTS;
    if (strcmp(req->method, "GET") == 0 && write_only) {
        sg_error(res, 405, NULL, "The requested resource does not support http method 'GET'.");
    } else if (strcmp(req->method, "GET") == 0) {
        if (id < 0) {
            sg_odata_list(sg, (enum sg_collection)c, req, res);
        } else {
            json_object *o = sg_find(sg, (enum sg_collection)c, id);
            if (o)
                sb_respond_json(res, 200, o);
            else
                sg_error(res, 404, NULL, "The %s with Id %" PRId64 " was not found.", sg_collection_name((enum sg_collection)c), id);
        }
    } else if (strcmp(req->method, "POST") == 0 && id < 0) {
        long locks_before = sg->locked_refusals, keys_before = sg->existing_key_refusals;
        if (sg_create(sg, (enum sg_collection)c, body, res)) {
            if (lose_this_answer(sg)) {
                sg->lost_answers++;
                if (c == SG_SOP_ORDERS)
                    sg->lost_order_answers++;
                lose = true;
            }
        } else if (sg->locked_refusals == locks_before && sg->existing_key_refusals == keys_before) {
            sg->refused_writes++;
        }
    } else if (strcmp(req->method, "PUT") == 0 && id > 0) {
        long locks_before = sg->locked_refusals;
        if (!sg_update(sg, (enum sg_collection)c, id, body, res) && sg->locked_refusals == locks_before)
            sg->refused_writes++;
    } else if (strcmp(req->method, "DELETE") == 0 && id > 0) {
        sg_delete(sg, (enum sg_collection)c, id, res);
    } else {
        sg_error(res, 405, NULL, "The requested resource does not support http method '%s'.", req->method);
    }
    pthread_mutex_unlock(&sg->lock);
    json_object_put(body);
    if (lose) {
        free(res->body);
        memset(res, 0, sizeof *res);
        sb_sleep_ms(sg->opts->fault_timeout_ms);
        tunnel_timeout(res);
    }
    return op;
}

static void stats(void *svc, json_object *out)
{
    sg_state *sg = svc;
    pthread_mutex_lock(&sg->lock);
    sg_store_stats(sg, out);
    pthread_mutex_unlock(&sg->lock);
}

static bool render_fault(void *svc, sb_fault_kind kind, const sb_request *req, sb_response *res)
{
    (void)svc;
    (void)req;
    switch (kind) {
    case SB_FAULT_429:
    case SB_FAULT_CONCURRENCY:
        sg_error(res, 429, NULL, "Too many requests. Try again later.");
        res->retry_after = 1;
        return true;
    case SB_FAULT_503:
        sg_error(res, 503, NULL, "The service is temporarily unavailable.");
        return true;
    case SB_FAULT_LOCK:
        sg_error(res, 400, NULL, "The record is in use by MANAGER and cannot be updated. Close the record in Sage 200 and try again.");
        return true;
    case SB_FAULT_MALFORMED:
        sb_respond_text(res, 200, "application/json", "[{\"id\":10042,\"reference\":\"ABC");
        return true;
    default:
        return false;
    }
}

static void render_error(void *svc, int status, const char *code, const char *message, sb_response *res)
{
    (void)svc;
    (void)code;
    sg_error(res, status, NULL, "%s", message);
}

static bool control(void *svc, const sb_request *req, sb_response *res)
{
    return sg_control(svc, req, res);
}

const sb_service sb_sage200_service = {
    .name = "sage200",
    .create = create,
    .classify = classify,
    .handle = handle,
    .control = control,
    .stats = stats,
    .render_fault = render_fault,
    .render_error = render_error,
    .destroy = destroy,
    .concurrency_limited = true,
};
