/* Token-based authentication checked the way NetSuite checks it: OAuth 1.0a, HMAC-SHA256 only,
 * realm = the account id (upper case, "-" → "_"), the configured consumer key and token, a nonce of
 * 6–64 characters never seen before for this token, a timestamp within ±300 s. The URL signed is
 * the one the client addressed: http://<Host header><path>?<query>. Every failure is the same
 * 401 INVALID_LOGIN answer, as NetSuite gives no hint which part was wrong; the reason goes to
 * stderr (the Login Audit Trail of this sandbox). */
#include "tools/sandbox/netsuite/netsuite.h"
#include "connectors/common/oauth1.h"

#include <json-c/linkhash.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMESTAMP_WINDOW 300

static void refuse(sb_response *res, const char *why)
{
    fprintf(stderr, "netsuite sandbox: login refused: %s\n", why);
    ns_error(res, 401, "INVALID_LOGIN", NULL,
             "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI "
             "at Setup > Users/Roles > User Management > View Login Audit Trail.");
}

static void free_key(struct lh_entry *e)
{
    free(lh_entry_k(e));
}

void ns_auth_init(ns_state *ns)
{
    pthread_mutex_init(&ns->nonce_lock, NULL);
    for (int g = 0; g < 3; g++)
        ns->nonces[g] = lh_kchar_table_new(1024, free_key);
    ns->nonce_generation_start = ns_now();
}

void ns_auth_free(ns_state *ns)
{
    for (int g = 0; g < 3; g++)
        lh_table_free(ns->nonces[g]);
    pthread_mutex_destroy(&ns->nonce_lock);
}

/* Records token|nonce; false when it was seen already, whatever the timestamp. Three generations
 * of 300 s keep every nonce for at least 600 s: longer than any one timestamp stays acceptable,
 * so an exact replay is always caught and memory stays bounded under load. */
static bool remember_nonce(ns_state *ns, const char *token, const char *nonce)
{
    size_t len = strlen(token) + strlen(nonce) + 2;
    char *key = malloc(len);
    if (!key)
        return false;
    snprintf(key, len, "%s|%s", token, nonce);
    pthread_mutex_lock(&ns->nonce_lock);
    long now = ns_now();
    while (now - ns->nonce_generation_start >= TIMESTAMP_WINDOW) {
        lh_table_free(ns->nonces[2]);
        ns->nonces[2] = ns->nonces[1];
        ns->nonces[1] = ns->nonces[0];
        ns->nonces[0] = lh_kchar_table_new(1024, free_key);
        ns->nonce_generation_start += TIMESTAMP_WINDOW;
    }
    bool fresh = true;
    for (int g = 0; g < 3 && fresh; g++)
        if (lh_table_lookup_entry(ns->nonces[g], key))
            fresh = false;
    if (fresh)
        lh_table_insert(ns->nonces[0], key, NULL);
    pthread_mutex_unlock(&ns->nonce_lock);
    if (!fresh)
        free(key);
    return fresh;
}

bool ns_auth_check(ns_state *ns, const sb_request *req, sb_response *res)
{
    const sb_options *o = ns->opts;
    const char *auth = req->header(req, "Authorization");
    if (!auth) {
        refuse(res, "no Authorization header");
        return false;
    }
    o2c_oauth1_header h;
    char err[160];
    bool ok = false;
    if (!o2c_oauth1_parse(auth, &h, err, sizeof err)) {
        refuse(res, err);
    } else if (!h.realm || strcmp(h.realm, ns->realm) != 0) {
        refuse(res, "wrong or missing realm");
    } else if (!h.signature_method || strcmp(h.signature_method, "HMAC-SHA256") != 0) {
        refuse(res, "signature method is not HMAC-SHA256");
    } else if (h.version && strcmp(h.version, "1.0") != 0) {
        refuse(res, "oauth_version is not 1.0");
    } else if (!h.consumer_key || strcmp(h.consumer_key, o->netsuite_consumer_key) != 0) {
        refuse(res, "unknown consumer key");
    } else if (!h.token || strcmp(h.token, o->netsuite_token_id) != 0) {
        refuse(res, "unknown token");
    } else if (!h.nonce || strlen(h.nonce) < 6 || strlen(h.nonce) > 64) {
        refuse(res, "nonce missing or not 6-64 characters");
    } else if (!h.timestamp || !*h.timestamp || strspn(h.timestamp, "0123456789") != strlen(h.timestamp) ||
               strlen(h.timestamp) > 12 || labs(atol(h.timestamp) - ns_now()) > TIMESTAMP_WINDOW) {
        refuse(res, "timestamp missing or outside +-300 s");
    } else if (!h.signature) {
        refuse(res, "no signature");
    } else {
        const char *host = req->header(req, "Host");
        size_t len = strlen(host ? host : "") + strlen(req->path) + strlen(req->query) + 16;
        char *url = malloc(len);
        if (url && host) {
            snprintf(url, len, "http://%s%s%s%s", host, req->path, *req->query ? "?" : "", req->query);
            if (!o2c_oauth1_verify(&h, O2C_OAUTH1_HMAC_SHA256, req->method, url,
                                   o->netsuite_consumer_secret, o->netsuite_token_secret))
                refuse(res, "signature does not match");
            else if (!remember_nonce(ns, h.token, h.nonce))
                refuse(res, "nonce already used");
            else
                ok = true;
        } else {
            refuse(res, "no Host header");
        }
        free(url);
    }
    o2c_oauth1_header_free(&h);
    return ok;
}
