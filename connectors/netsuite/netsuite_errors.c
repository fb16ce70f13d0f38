/* NetSuite's answers as engine outcomes. */
#include "connectors/netsuite/netsuite.h"

#include "connectors/common/classify.h"

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

void netsuite_classify(const struct o2c_http_response *res, const char *what, struct o2c_outcome *out)
{
    char code[64], detail[512], path[128];
    first_error(res->body ? res->body : "", code, sizeof code, detail, sizeof detail, path, sizeof path);
    /* NetSuite's own codes; the shared rules (connectors/common/classify.h) do the rest. Its
     * concurrency refusal comes without Retry-After, as 429 in most reports and 400 in some. */
    enum o2c_remote_hint hint = O2C_REMOTE_NO_HINT;
    if (strcmp(code, "CONCURRENCY_LIMIT_EXCEEDED") == 0)
        hint = O2C_REMOTE_THROTTLED;
    else if (strcmp(code, "RCRD_HAS_BEEN_CHANGED") == 0 || strcmp(code, "SSS_RECORD_LOCKED") == 0 ||
             strcmp(code, "RCRD_LOCKED_BY_WF") == 0)
        hint = O2C_REMOTE_LOCKED;
    else if (strcmp(code, "INVALID_LOGIN") == 0 || strcmp(code, "INVALID_LOGIN_ATTEMPT") == 0)
        hint = O2C_REMOTE_AUTH;
    else if (strcmp(code, "INSUFFICIENT_PERMISSION") == 0)
        hint = O2C_REMOTE_PERMISSION;
    struct o2c_remote_answer a = {
        .system = "NetSuite", .what = what, .status = res->status, .transport_error = res->error, .refused_url = res->refused,
        .retry_after_s = res->retry_after_s,
        /* A success whose body the caller could not read arrives here: most likely cut off. */
        .body_readable = false,
        .hint = hint, .code = code, .message = detail, .field = path,
        .auth_advice = " (check the token-based auth credentials)",
    };
    if (o2c_classify_remote(&a, out))  /* a 2xx that reached here could not be read */
        o2c_outcome_retry(out, "NetSuite's answer to %s could not be read (%zu bytes)", what, res->body_len);
}

bool netsuite_is_not_found(const struct o2c_http_response *res)
{
    if (res->status != 404)
        return false;
    char code[64], detail[8], path[8];
    first_error(res->body ? res->body : "", code, sizeof code, detail, sizeof detail, path, sizeof path);
    return strcmp(code, "NONEXISTENT_ID") == 0 || strcmp(code, "RECORD_NOT_FOUND") == 0;
}

bool netsuite_refusal_outcome(const struct o2c_http_response *res, json_object *refusals, const char *what,
                              struct o2c_outcome *out)
{
    if (!refusals || !json_object_is_type(refusals, json_type_object) || res->status != 400)
        return false;
    char code[64], detail[512], path[128], head[128];
    first_error(res->body ? res->body : "", code, sizeof code, detail, sizeof detail, path, sizeof path);
    snprintf(head, sizeof head, "%.*s", (int)strcspn(path, ".["), path);
    json_object *name = NULL;
    if ((!code[0] || !json_object_object_get_ex(refusals, code, &name)) &&
        (!head[0] || !json_object_object_get_ex(refusals, head, &name)))
        return false;
    if (!json_object_is_type(name, json_type_string) || json_object_get_string_len(name) == 0 ||
        json_object_get_string_len(name) >= (int)sizeof out->name)
        return false;
    char refusal[900];
    snprintf(refusal, sizeof refusal, "NetSuite refused %s: %s%s%s: %s", what, code, path[0] ? " at " : "", path, detail);
    o2c_outcome_named(out, json_object_get_string(name));
    o2c_outcome_patch(out, "refusal", json_object_new_string(refusal));
    return true;
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
