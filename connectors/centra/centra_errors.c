/* Centra's answers as engine outcomes (the table is in centra.h). */
#include "connectors/centra/centra.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Centra sends no Retry-After with a GraphQL-level throttle; one second is its token bucket's
 * refill granularity. */
#define DEFAULT_THROTTLE_MS 1000

static const char *str_member(json_object *o, const char *key)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* The first error's message, with its path when there is one: "You need … (order.customer)". */
static void describe(json_object *err, char *buf, size_t len)
{
    const char *msg = str_member(err, "message");
    json_object *path;
    char where[256] = "";
    if (json_object_object_get_ex(err, "path", &path) && json_object_is_type(path, json_type_array)) {
        size_t used = 0;
        for (size_t i = 0; i < json_object_array_length(path) && used < sizeof where - 1; i++) {
            int n = snprintf(where + used, sizeof where - used, "%s%s", i ? "." : "",
                             json_object_get_string(json_object_array_get_idx(path, i)));
            if (n < 0)
                break;
            used += (size_t)n;
        }
    }
    snprintf(buf, len, "%s%s%s%s", msg ? msg : "an error without a message", where[0] ? " (at " : "", where,
             where[0] ? ")" : "");
}

/* Kinds of GraphQL error, most decisive first: one throttle among errors means "come back". */
enum gq_kind { GQ_THROTTLED, GQ_AUTHENTICATION, GQ_AUTHORIZATION, GQ_OTHER };

static enum gq_kind kind_of(json_object *err)
{
    json_object *ext = NULL;
    json_object_object_get_ex(err, "extensions", &ext);
    const char *category = str_member(ext, "category"), *code = str_member(ext, "code");
    const char *msg = str_member(err, "message");
    if ((category && strcasecmp(category, "throttled") == 0) || (code && strcasecmp(code, "THROTTLED") == 0) ||
        (msg && strncasecmp(msg, "throttled", 9) == 0))
        return GQ_THROTTLED;
    if ((category && strcasecmp(category, "authentication") == 0) ||
        (code && strcasecmp(code, "UNAUTHENTICATED") == 0))
        return GQ_AUTHENTICATION;
    if ((category && strcasecmp(category, "authorization") == 0) || (code && strcasecmp(code, "FORBIDDEN") == 0) ||
        (code && strcasecmp(code, "ACCESS_DENIED") == 0))
        return GQ_AUTHORIZATION;
    return GQ_OTHER;
}

/* The error array's most decisive entry and its kind; NULL when there are no errors. */
static json_object *decisive_error(json_object *root, enum gq_kind *kind)
{
    json_object *errors, *best = NULL;
    if (!root || !json_object_object_get_ex(root, "errors", &errors) || !json_object_is_type(errors, json_type_array) ||
        json_object_array_length(errors) == 0)
        return NULL;
    *kind = GQ_OTHER;
    for (size_t i = 0; i < json_object_array_length(errors); i++) {
        json_object *e = json_object_array_get_idx(errors, i);
        enum gq_kind k = kind_of(e);
        if (!best || k < *kind) {
            best = e;
            *kind = k;
        }
    }
    return best;
}

static void add_http_status(struct o2c_outcome *out, long status)
{
    if (out->detail)
        json_object_object_add(out->detail, "http_status", json_object_new_int((int)status));
}

bool centra_classify(const struct o2c_http_response *res, json_object *root, const char *what,
                     struct o2c_outcome *out)
{
    if (res->status == 0) {
        o2c_outcome_retry(out, "no answer from Centra to %s: %s", what, res->error[0] ? res->error : "no response");
        return false;
    }
    int retry_after = res->retry_after_s >= 0 ? (int)(res->retry_after_s * 1000) : -1;
    enum gq_kind kind = GQ_OTHER;
    json_object *err = decisive_error(root, &kind);
    char said[1024];
    describe(err, said, sizeof said);
    if (!err)
        snprintf(said, sizeof said, "%s", "no error message");

    if (res->status == 429 || (err && kind == GQ_THROTTLED)) {
        o2c_outcome_throttled(out, retry_after >= 0 ? retry_after : DEFAULT_THROTTLE_MS,
                              "Centra throttled %s (HTTP %ld): %s", what, res->status, said);
    } else if (res->status >= 500) {
        o2c_outcome_retry(out, "Centra answered HTTP %ld to %s: %s", res->status, what, said);
        out->delay_ms = retry_after;
    } else if (res->status == 401 || (err && kind == GQ_AUTHENTICATION)) {
        o2c_outcome_failed(out, "remote_auth", "critical", "engineering",
                           "Centra refused the API token for %s: %s (check the token the connection's "
                           "secret_env names for \"token\")", what, said);
    } else if (res->status == 403 || (err && kind == GQ_AUTHORIZATION)) {
        o2c_outcome_failed(out, "remote_permission", "high", "engineering",
                           "the Centra API token lacks a permission for %s: %s", what, said);
    } else if (res->status >= 200 && res->status < 300 && !root) {
        /* A success whose body we could not read: most likely cut off in transit. */
        o2c_outcome_retry(out, "Centra's answer to %s could not be read as JSON (%zu bytes)", what, res->body_len);
    } else if (err || res->status < 200 || res->status >= 300) {
        o2c_outcome_failed(out, "workflow_error", "high", "engineering",
                           "Centra rejected %s (HTTP %ld): %s", what, res->status, said);
    } else {
        json_object *data;
        if (json_object_is_type(root, json_type_object) && json_object_object_get_ex(root, "data", &data) &&
            json_object_is_type(data, json_type_object))
            return true;
        o2c_outcome_retry(out, "Centra's answer to %s has no \"data\" object", what);
    }
    add_http_status(out, res->status);
    return false;
}
