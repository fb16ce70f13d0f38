/* Centra's answers as engine outcomes (the table is in centra.h). */
#include "connectors/centra/centra.h"

#include "connectors/common/classify.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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

bool centra_classify(const struct o2c_http_response *res, json_object *root, const char *what,
                     struct o2c_outcome *out)
{
    enum gq_kind kind = GQ_OTHER;
    json_object *err = decisive_error(root, &kind);
    char said[1024] = "";
    if (err)
        describe(err, said, sizeof said);
    json_object *data = NULL;
    bool has_data = root && json_object_is_type(root, json_type_object) &&
                    json_object_object_get_ex(root, "data", &data) && json_object_is_type(data, json_type_object);
    /* Centra's GraphQL kinds; the shared rules (connectors/common/classify.h) do the rest. A
     * GraphQL-level throttle comes without Retry-After. Top-level GraphQL errors other than
     * those are about our query (business refusals come as a mutation's userErrors). */
    enum o2c_remote_hint hint = !err ? O2C_REMOTE_NO_HINT
                              : kind == GQ_THROTTLED ? O2C_REMOTE_THROTTLED
                              : kind == GQ_AUTHENTICATION ? O2C_REMOTE_AUTH
                              : kind == GQ_AUTHORIZATION ? O2C_REMOTE_PERMISSION : O2C_REMOTE_BAD_REQUEST;
    if (hint == O2C_REMOTE_NO_HINT && res->status == 400)
        hint = O2C_REMOTE_BAD_REQUEST; /* Centra's 400 is a request it cannot parse */
    struct o2c_remote_answer a = {
        .system = "Centra", .what = what, .status = res->status, .transport_error = res->error, .refused_url = res->refused, .too_large = res->too_large,
        .retry_after_s = res->retry_after_s,
        .body_readable = root != NULL && (err || has_data),
        .hint = hint, .message = said,
        .auth_advice = " (check the API token the connection's secret_env names for \"token\")",
    };
    return o2c_classify_remote(&a, out);
}
