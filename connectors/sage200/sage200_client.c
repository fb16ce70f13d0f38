/* Requests to Sage 200 on behalf of a step, and what its answers mean. */
#include "connectors/sage200/sage200.h"

#include "connectors/common/classify.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool sage200_call(struct o2c_step *step, const char *method, const char *path, const char *body,
                  const char *what, struct o2c_http_response *res, struct o2c_outcome *out)
{
    memset(res, 0, sizeof *res);
    struct { const char *key, *env, *label, *value; } secrets[] = {
        {"token", "SAGE200_TOKEN", "bearer token", NULL},
        {"site", "SAGE200_SITE", "X-Site id", NULL},
        {"company", "SAGE200_COMPANY", "X-Company id", NULL},
    };
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        secrets[i].value = o2c_step_secret(step, secrets[i].key, secrets[i].env);
        if (!secrets[i].value || !*secrets[i].value || strpbrk(secrets[i].value, "\r\n")) {
            o2c_outcome_failed(out, O2C_FAIL_CONFIGURATION, "Sage 200 connection \"%s\" has no %s: set the environment variable "
                               "its secret_env names for \"%s\" (default %s) where the runners run",
                               step->connection, secrets[i].label, secrets[i].key, secrets[i].env);
            return false;
        }
    }
    const char *base = step->connection_base_url;
    if (!base || !*base) {
        o2c_outcome_failed(out, O2C_FAIL_CONFIGURATION, "Sage 200 connection \"%s\" has no base_url in o2c.connection", step->connection);
        return false;
    }
    size_t base_len = strlen(base);
    while (base_len > 0 && base[base_len - 1] == '/')
        base_len--;
    char url[4096];
    if ((size_t)snprintf(url, sizeof url, "%.*s%s", (int)base_len, base, path) >= sizeof url) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "the Sage 200 URL for %s would be too long", what);
        return false;
    }
    char auth[1024], site[512], company[512];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", secrets[0].value);
    snprintf(site, sizeof site, "X-Site: %s", secrets[1].value);
    snprintf(company, sizeof company, "X-Company: %s", secrets[2].value);
    const char *headers[] = {auth, site, company, "Content-Type: application/json", "Accept: application/json", NULL};
    struct o2c_http_request req = {
        .method = method, .url = url, .headers = headers, .body = body,
        .body_len = body ? strlen(body) : 0, .timeout_ms = 60000,
    };
    o2c_http_send(&req, res);
    if (res->status >= 200 && res->status < 300)
        return true;
    sage200_classify(res, what, out);
    o2c_http_response_free(res);
    return false;
}

void sage200_error_words(const char *body, char *message, size_t message_len, char *field, size_t field_len)
{
    message[0] = field[0] = '\0';
    json_object *root = json_tokener_parse(body ? body : ""), *v, *ms;
    if (root && json_object_is_type(root, json_type_object)) {
        if (json_object_object_get_ex(root, "Message", &v) && json_object_is_type(v, json_type_string))
            snprintf(message, message_len, "%s", json_object_get_string(v));
        if (json_object_object_get_ex(root, "ModelState", &ms) && json_object_is_type(ms, json_type_object)) {
            json_object_object_foreach(ms, key, val) {
                (void)val;
                snprintf(field, field_len, "%s", key);
                break;
            }
        }
    }
    json_object_put(root);
}

/* Sage 200 does not document its lock error; a user holding a record open in the desktop client
 * is reported in words ("… is in use by …", "… locked …"), so the words decide. */
static bool says_locked(const char *message)
{
    char lower[512];
    size_t i = 0;
    for (; message[i] && i + 1 < sizeof lower; i++)
        lower[i] = (char)tolower((unsigned char)message[i]);
    lower[i] = '\0';
    return strstr(lower, "in use") || strstr(lower, "locked") || strstr(lower, "record lock");
}

void sage200_classify(const struct o2c_http_response *res, const char *what, struct o2c_outcome *out)
{
    char message[512], field[128];
    sage200_error_words(res->body, message, sizeof message, field, sizeof field);
    enum o2c_remote_hint hint = O2C_REMOTE_NO_HINT;
    if (res->status == 400 && says_locked(message))
        hint = O2C_REMOTE_LOCKED;
    struct o2c_remote_answer a = {
        .system = "Sage 200", .what = what, .status = res->status, .transport_error = res->error,
        .refused_url = res->refused, .too_large = res->too_large, .retry_after_s = res->retry_after_s,
        .body_readable = false, /* a 2xx arrives here only when its body could not be read */
        .hint = hint, .code = "", .message = message, .field = field,
        .auth_advice = " (check the bearer token and the X-Site and X-Company the connection sends)",
    };
    if (o2c_classify_remote(&a, out))
        o2c_outcome_retry(out, "Sage 200's answer to %s could not be read (%zu bytes)", what, res->body_len);
}

bool sage200_decimal(json_object *value, int digits, int64_t *out)
{
    if (!value || !(json_object_is_type(value, json_type_int) || json_object_is_type(value, json_type_double) ||
                    json_object_is_type(value, json_type_string)))
        return false;
    const char *p = json_object_get_string(value);
    bool negative = *p == '-';
    if (negative)
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    int64_t units = 0;
    int seen = -1;
    for (; *p; p++) {
        if (*p == '.' && seen < 0) {
            seen = 0;
            continue;
        }
        if (!isdigit((unsigned char)*p))
            return false;
        if (seen >= 0 && ++seen > digits) {
            if (*p != '0')
                return false;
            continue;
        }
        if (units > (INT64_MAX - 9) / 10)
            return false;
        units = units * 10 + (*p - '0');
    }
    for (int d = seen < 0 ? 0 : (seen > digits ? digits : seen); d < digits; d++) {
        if (units > INT64_MAX / 10)
            return false;
        units *= 10;
    }
    *out = negative ? -units : units;
    return true;
}

bool sage200_filter_literal(const char *value, char *buf, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        int times = *p == '\'' ? 2 : 1;
        for (int t = 0; t < times; t++) {
            if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
                if (n + 1 >= len)
                    return false;
                buf[n++] = (char)*p;
            } else {
                if (n + 3 >= len)
                    return false;
                buf[n++] = '%';
                buf[n++] = hex[*p >> 4];
                buf[n++] = hex[*p & 15];
            }
        }
    }
    buf[n] = '\0';
    return true;
}
