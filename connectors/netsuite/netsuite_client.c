/* Signed requests to NetSuite on behalf of a step. */
#include "connectors/common/oauth1.h"
#include "connectors/netsuite/netsuite.h"
#include "runner/connections.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool netsuite_call(struct o2c_step *step, const char *method, const char *path, const char *body,
                   const char *what, struct o2c_http_response *res, struct o2c_outcome *out)
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
            o2c_outcome_failed(out, "configuration", "critical", "engineering",
                               "NetSuite connection \"%s\" has no %s: set the environment variable its "
                               "secret_env names for \"%s\" (default %s) where the runners run",
                               step->connection, secrets[i].label, secrets[i].key, secrets[i].env);
            return false;
        }
    }
    const char *base = step->connection_base_url;
    if (!base || !*base) {
        o2c_outcome_failed(out, "configuration", "critical", "engineering",
                           "NetSuite connection \"%s\" has no base_url in o2c.connection", step->connection);
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
    const char *headers[] = {auth_header, "Content-Type: application/json", "Accept: application/json", NULL};
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
    netsuite_classify(res, what, out);
    o2c_http_response_free(res);
    return false;
}
