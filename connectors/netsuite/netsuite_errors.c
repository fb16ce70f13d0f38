/* NetSuite's answers as engine outcomes. */
#include "connectors/netsuite/netsuite.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* The first entry of o:errorDetails, if the body is NetSuite's error shape. */
static void first_error(const char *body, char *code, size_t code_len, char *detail, size_t detail_len,
                        char *path, size_t path_len)
{
    code[0] = detail[0] = path[0] = '\0';
    json_object *root = json_tokener_parse(body), *details, *first, *v;
    if (root && json_object_object_get_ex(root, "o:errorDetails", &details) &&
        json_object_is_type(details, json_type_array) && json_object_array_length(details) > 0) {
        first = json_object_array_get_idx(details, 0);
        if (json_object_object_get_ex(first, "o:errorCode", &v))
            snprintf(code, code_len, "%s", json_object_get_string(v));
        if (json_object_object_get_ex(first, "detail", &v))
            snprintf(detail, detail_len, "%s", json_object_get_string(v));
        if (json_object_object_get_ex(first, "o:errorPath", &v))
            snprintf(path, path_len, "%s", json_object_get_string(v));
    }
    json_object_put(root);
}

/* NetSuite sends no Retry-After with its concurrency refusals: wait 250-750 ms, spread out so
 * the steps that were refused together do not all come back together. */
static int concurrency_backoff_ms(void) { return 250 + (int)(random() % 500); }

void netsuite_classify(const struct o2c_http_response *res, const char *what, struct o2c_outcome *out)
{
    if (res->status == 0) {
        o2c_outcome_retry(out, "no answer from NetSuite to %s: %s", what, res->error);
        return;
    }
    char code[64], detail[512], path[128];
    first_error(res->body ? res->body : "", code, sizeof code, detail, sizeof detail, path, sizeof path);
    int delay = res->retry_after_s >= 0 ? (int)(res->retry_after_s * 1000) : -1;

    if (strcmp(code, "CONCURRENCY_LIMIT_EXCEEDED") == 0) {
        o2c_outcome_throttled(out, concurrency_backoff_ms(), "NetSuite refused %s: %s", what,
                              detail[0] ? detail : "concurrent request limit exceeded");
    } else if (res->status == 429) {
        o2c_outcome_throttled(out, delay, "NetSuite throttled %s (HTTP 429 %s)", what, code);
    } else if (strcmp(code, "RCRD_HAS_BEEN_CHANGED") == 0 || strcmp(code, "SSS_RECORD_LOCKED") == 0 ||
               strcmp(code, "RCRD_LOCKED_BY_WF") == 0) {
        o2c_outcome_locked(out, "NetSuite record locked during %s: %s (%s)", what, detail, code);
    } else if (res->status >= 500) {
        o2c_outcome_retry(out, "NetSuite answered HTTP %ld to %s%s%s", res->status, what,
                          detail[0] ? ": " : "", detail);
        out->delay_ms = delay;
    } else if (res->status == 401) {
        o2c_outcome_failed(out, "remote_auth", "critical", "engineering",
                           "NetSuite refused the login for %s: %s (check the token-based auth credentials)",
                           what, detail[0] ? detail : "INVALID_LOGIN");
    } else if (res->status == 403) {
        o2c_outcome_failed(out, "remote_permission", "high", "engineering",
                           "NetSuite role lacks permission for %s: %s", what, detail);
    } else if (res->status >= 200 && res->status < 300) {
        /* A success whose body we could not read: most likely cut off in transit. */
        o2c_outcome_retry(out, "NetSuite's answer to %s could not be read (%zu bytes)", what, res->body_len);
    } else {
        char where[200] = "";
        if (code[0] || path[0])
            snprintf(where, sizeof where, " (%s%s%s)", code, code[0] && path[0] ? " at " : "", path);
        o2c_outcome_failed(out, "rejected_by_netsuite", "medium", "ops", "NetSuite refused %s: %s%s", what,
                           detail[0] ? detail : "HTTP error", where);
        json_object_object_add(out->detail, "http_status", json_object_new_int((int)res->status));
        if (code[0])
            json_object_object_add(out->detail, "netsuite_code", json_object_new_string(code));
    }
}

bool netsuite_is_not_found(const struct o2c_http_response *res)
{
    if (res->status != 404)
        return false;
    char code[64], detail[8], path[8];
    first_error(res->body ? res->body : "", code, sizeof code, detail, sizeof detail, path, sizeof path);
    return strcmp(code, "NONEXISTENT_ID") == 0 || strcmp(code, "RECORD_NOT_FOUND") == 0;
}

bool netsuite_valid_external_id(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > 190)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}
