/* Signed requests to NetSuite on behalf of a step. */
#include "connectors/common/oauth1.h"
#include "connectors/netsuite/netsuite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool netsuite_send(struct o2c_step *step, const char *method, const char *path, const char *body,
                   const char *what, const struct netsuite_options *opt, struct o2c_http_response *res,
                   struct o2c_outcome *out)
{
    memset(res, 0, sizeof *res);
    struct {
        const char *key, *env, *label;
        const char *value;
    } secrets[] = {
        {"account", "NETSUITE_ACCOUNT", "account id", NULL},
        {"consumer_key", "NETSUITE_CONSUMER_KEY", "consumer key", NULL},
        {"consumer_secret", "NETSUITE_CONSUMER_SECRET", "consumer secret", NULL},
        {"token_id", "NETSUITE_TOKEN_ID", "token id", NULL},
        {"token_secret", "NETSUITE_TOKEN_SECRET", "token secret", NULL},
    };
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        secrets[i].value = o2c_step_secret(step, secrets[i].key, secrets[i].env);
        if (!secrets[i].value || !*secrets[i].value) {
            o2c_outcome_failed(out, O2C_FAIL_CONFIGURATION, "NetSuite connection \"%s\" has no %s: set the environment variable its "
                               "secret_env names for \"%s\" (default %s) where the runners run",
                               step->connection, secrets[i].label, secrets[i].key, secrets[i].env);
            return false;
        }
    }
    const char *base = step->connection_base_url;
    if (!base || !*base) {
        o2c_outcome_failed(out, O2C_FAIL_CONFIGURATION, "NetSuite connection \"%s\" has no base_url in o2c.connection", step->connection);
        return false;
    }
    size_t base_len = strlen(base);
    while (base_len > 0 && base[base_len - 1] == '/')
        base_len--;
    char url[2048];
    snprintf(url, sizeof url, "%.*s%s", (int)base_len, base, path);

    o2c_oauth1_credentials cred = {
        .account_id = secrets[0].value,
        .consumer_key = secrets[1].value,
        .consumer_secret = secrets[2].value,
        .token_id = secrets[3].value,
        .token_secret = secrets[4].value,
    };
    char *auth = o2c_oauth1_authorization(&cred, method, url, NULL, 0);
    if (!auth) {
        o2c_outcome_retry(out, "could not sign the NetSuite request for %s", what);
        return false;
    }
    char auth_header[4096];
    snprintf(auth_header, sizeof auth_header, "Authorization: %s", auth);
    free(auth);
    const char *headers[] = {auth_header, "Content-Type: application/json", "Accept: application/json",
                             opt ? opt->header : NULL, NULL};
    struct o2c_http_request req = {
        .method = method,
        .url = url,
        .headers = headers,
        .body = body,
        .body_len = body ? strlen(body) : 0,
        .timeout_ms = 60000,
    };
    o2c_http_send(&req, res);
    if (res->status >= 200 && res->status < 300)
        return true;
    if (opt && opt->not_found_ok && netsuite_is_not_found(res))
        return true;
    if (!(opt && netsuite_refusal_outcome(res, opt->refusals, what, out)))
        netsuite_classify(res, what, out);
    o2c_http_response_free(res);
    return false;
}

bool netsuite_call(struct o2c_step *step, const char *method, const char *path, const char *body,
                   const char *what, struct o2c_http_response *res, struct o2c_outcome *out)
{
    return netsuite_send(step, method, path, body, what, NULL, res, out);
}

json_object *netsuite_parse_object(const struct o2c_http_response *res)
{
    if (!res->body || res->body_len == 0)
        return NULL;
    /* Parsed with the length and checked to the last byte: a body cut off in transit must not
     * pass as a shorter answer, and json_tokener_parse would ignore trailing garbage. */
    json_tokener *tok = json_tokener_new();
    if (!tok)
        return NULL;
    json_object *parsed = json_tokener_parse_ex(tok, res->body, (int)res->body_len);
    size_t end = json_tokener_get_parse_end(tok);
    while (end < res->body_len && strchr(" \t\r\n", res->body[end]))
        end++;
    if (json_tokener_get_error(tok) != json_tokener_success || end != res->body_len ||
        !json_object_is_type(parsed, json_type_object)) {
        json_object_put(parsed);
        parsed = NULL;
    }
    json_tokener_free(tok);
    return parsed;
}
