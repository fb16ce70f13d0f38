/* The NetSuite sandbox as an sb_service: routes API paths (auth first, as NetSuite does), names
 * operations for stats, renders faults in NetSuite's error shape. See netsuite.h for the parts. */
#include "tools/sandbox/netsuite/netsuite.h"
#include "connectors/common/oauth1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *create(const sb_options *opts, char *err, size_t errlen)
{
    ns_state *ns = calloc(1, sizeof *ns);
    if (!ns) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ns->opts = opts;
    ns->seed = opts->seed;
    ns->realm = o2c_oauth1_realm(opts->netsuite_account);
    pthread_mutex_init(&ns->lock, NULL);
    ns_auth_init(ns);
    if (!ns->realm || !ns_store_init(ns)) {
        snprintf(err, errlen, "cannot build the NetSuite store");
        return NULL;
    }
    return ns;
}

static void destroy(void *svc)
{
    ns_state *ns = svc;
    ns_store_free(ns);
    ns_auth_free(ns);
    pthread_mutex_destroy(&ns->lock);
    free(ns->realm);
    free(ns);
}

static bool is_record_path(const sb_request *req)
{
    return strncmp(req->path, NS_RECORD_PREFIX, strlen(NS_RECORD_PREFIX)) == 0;
}

/* Record writes are writes; a SuiteQL POST only reads, so a "lock" fault never hits it. */
static const char *classify(void *svc, const sb_request *req, bool *is_write)
{
    (void)svc;
    if (strcmp(req->path, NS_SUITEQL_PATH) == 0) {
        *is_write = false;
        return "suiteql";
    }
    if (is_record_path(req)) {
        *is_write = strcmp(req->method, "GET") != 0;
        return *is_write ? "record.write" : "record.read";
    }
    *is_write = false;
    return "unknown";
}

static const char *handle(void *svc, const sb_request *req, sb_response *res)
{
    ns_state *ns = svc;
    if (!ns_auth_check(ns, req, res))
        return "auth.refused";
    if (is_record_path(req))
        return ns_records_handle(ns, req, res);
    if (strcmp(req->path, NS_SUITEQL_PATH) == 0)
        return ns_suiteql_handle(ns, req, res);
    ns_error(res, 404, "INVALID_PARAMETER", NULL, "The resource %s does not exist.", req->path);
    return "unknown";
}

static bool control(void *svc, const sb_request *req, sb_response *res)
{
    return ns_control(svc, req, res);
}

static void stats(void *svc, json_object *out)
{
    ns_state *ns = svc;
    pthread_mutex_lock(&ns->lock);
    ns_store_stats(ns, out);
    pthread_mutex_unlock(&ns->lock);
}

static bool render_fault(void *svc, sb_fault_kind kind, const sb_request *req, sb_response *res)
{
    (void)svc;
    (void)req;
    switch (kind) {
    case SB_FAULT_429:
    case SB_FAULT_CONCURRENCY:
        /* NetSuite's only 429: the account's concurrency limit. No Retry-After. */
        ns_error(res, 429, "CONCURRENCY_LIMIT_EXCEEDED", NULL, "Concurrent request limit exceeded. Request blocked.");
        return true;
    case SB_FAULT_503:
        ns_error(res, 503, "SERVICE_UNAVAILABLE", NULL,
                 "The service is temporarily unavailable. Please try again later.");
        return true;
    case SB_FAULT_LOCK:
        ns_error(res, 400, "RCRD_HAS_BEEN_CHANGED", NULL, "Record has been changed.");
        return true;
    case SB_FAULT_MALFORMED:
        /* A response cut short: valid start, no end. */
        sb_respond_text(res, 200, "application/json",
                        "{\"links\":[{\"rel\":\"self\",\"href\":\"http://127.0.0.1/services/rest\"}],\"count\":1,\"items\":[{\"id\":\"1");
        return true;
    default:
        return false;
    }
}

static void render_error(void *svc, int status, const char *code, const char *message, sb_response *res)
{
    (void)svc;
    ns_error(res, status, code, NULL, "%s", message);
}

const sb_service sb_netsuite_service = {
    .name = "netsuite",
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
