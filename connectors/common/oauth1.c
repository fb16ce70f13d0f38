/* OAuth 1.0a signatures (RFC 5849 §3.4) with OpenSSL's HMAC; see oauth1.h for the rules. */
#include "connectors/common/oauth1.h"
#include "connectors/common/strbuf.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- encoding --------------------------------------------------------------------------------- */

static bool unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static void buf_encode(struct o2c_strbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) && c < 128) {
            o2c_strbuf_add(b, (const char *)&c, 1);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            o2c_strbuf_add(b, esc, 3);
        }
    }
}

char *o2c_oauth1_encode(const char *s)
{
    struct o2c_strbuf b = {0};
    buf_encode(&b, s, strlen(s));
    return o2c_strbuf_take(&b);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes n bytes; '+' becomes a space when form is true. NULL on a broken escape. */
static char *decode(const char *s, size_t n, bool form)
{
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = form && s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* ---- parameters --------------------------------------------------------------------------------- */

void o2c_oauth1_params_free(o2c_oauth1_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].name);
        free(p->items[i].value);
    }
    free(p->items);
    memset(p, 0, sizeof *p);
}

/* Appends a pair, taking ownership of both strings (freed on failure). */
static bool params_take(o2c_oauth1_params *p, char *name, char *value)
{
    if (name && value && p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        struct o2c_oauth1_param *grown = realloc(p->items, cap * sizeof *grown);
        if (grown) {
            p->items = grown;
            p->cap = cap;
        }
    }
    if (!name || !value || p->n == p->cap) {
        free(name);
        free(value);
        return false;
    }
    p->items[p->n].name = name;
    p->items[p->n].value = value;
    p->n++;
    return true;
}

bool o2c_oauth1_params_add(o2c_oauth1_params *p, const char *name, const char *value)
{
    return params_take(p, strdup(name), strdup(value));
}

bool o2c_oauth1_params_add_form(o2c_oauth1_params *p, const char *form, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *seg = form + i;
        const char *amp = memchr(seg, '&', len - i);
        size_t seg_len = amp ? (size_t)(amp - seg) : len - i;
        i += seg_len + 1;
        if (seg_len == 0)
            continue;
        const char *eq = memchr(seg, '=', seg_len);
        size_t name_len = eq ? (size_t)(eq - seg) : seg_len;
        char *name = decode(seg, name_len, true);
        char *value = eq ? decode(eq + 1, seg_len - name_len - 1, true) : strdup("");
        if (!name || !value) {
            free(name);
            free(value);
            return false;
        }
        if (!params_take(p, name, value))
            return false;
    }
    return true;
}

/* ---- base string ----------------------------------------------------------------------------------- */

typedef struct encoded_pair { char *name, *value; } encoded_pair;

static int compare_pairs(const void *a, const void *b)
{
    const encoded_pair *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

/* Writes the normalised base URL (RFC 5849 3.4.1.2) of url into b; the query goes to query/qlen. */
static bool base_url(struct o2c_strbuf *b, const char *url, const char **query, size_t *qlen)
{
    const char *scheme_end = strstr(url, "://");
    if (!scheme_end)
        return false;
    const char *host = scheme_end + 3;
    size_t host_len = strcspn(host, "/?#");
    const char *path = host + host_len;
    size_t path_len = strcspn(path, "?#");
    *query = path[path_len] == '?' ? path + path_len + 1 : NULL;
    *qlen = *query ? strcspn(*query, "#") : 0;

    char scheme[16];
    size_t scheme_len = (size_t)(scheme_end - url);
    if (scheme_len == 0 || scheme_len >= sizeof scheme)
        return false;
    for (size_t i = 0; i < scheme_len; i++)
        scheme[i] = (char)tolower((unsigned char)url[i]);
    scheme[scheme_len] = '\0';
    o2c_strbuf_str(b, scheme);
    o2c_strbuf_str(b, "://");
    /* The default port is left out of the base URL; any other port stays. */
    const char *colon = memchr(host, ':', host_len);
    size_t name_len = host_len;
    if (colon) {
        const char *port = colon + 1;
        size_t port_len = host_len - (size_t)(port - host);
        if ((strcmp(scheme, "http") == 0 && port_len == 2 && strncmp(port, "80", 2) == 0) ||
            (strcmp(scheme, "https") == 0 && port_len == 3 && strncmp(port, "443", 3) == 0))
            name_len = (size_t)(colon - host);
    }
    for (size_t i = 0; i < name_len; i++) {
        char c = (char)tolower((unsigned char)host[i]);
        o2c_strbuf_add(b, &c, 1);
    }
    if (path_len == 0)
        o2c_strbuf_str(b, "/");
    else
        o2c_strbuf_add(b, path, path_len);
    return true;
}

char *o2c_oauth1_base_string(const char *method, const char *url, const o2c_oauth1_params *params)
{
    struct o2c_strbuf url_buf = {0};
    const char *query = NULL;
    size_t qlen = 0;
    if (!base_url(&url_buf, url, &query, &qlen)) {
        free(url_buf.s);
        return NULL;
    }
    o2c_oauth1_params all = {0};
    bool ok = true;
    for (size_t i = 0; i < params->n && ok; i++)
        ok = o2c_oauth1_params_add(&all, params->items[i].name, params->items[i].value);
    if (ok && query)
        ok = o2c_oauth1_params_add_form(&all, query, qlen);

    encoded_pair *pairs = calloc(all.n ? all.n : 1, sizeof *pairs);
    ok = ok && pairs;
    for (size_t i = 0; ok && i < all.n; i++) {
        pairs[i].name = o2c_oauth1_encode(all.items[i].name);
        pairs[i].value = o2c_oauth1_encode(all.items[i].value);
        ok = pairs[i].name && pairs[i].value;
    }
    struct o2c_strbuf out = {0};
    if (ok) {
        qsort(pairs, all.n, sizeof *pairs, compare_pairs);
        struct o2c_strbuf joined = {0};
        for (size_t i = 0; i < all.n; i++) {
            if (i)
                o2c_strbuf_str(&joined, "&");
            o2c_strbuf_str(&joined, pairs[i].name);
            o2c_strbuf_str(&joined, "=");
            o2c_strbuf_str(&joined, pairs[i].value);
        }
        for (const char *m = method; *m; m++) {
            char c = (char)toupper((unsigned char)*m);
            o2c_strbuf_add(&out, &c, 1);
        }
        o2c_strbuf_str(&out, "&");
        buf_encode(&out, url_buf.s ? url_buf.s : "", url_buf.len);
        o2c_strbuf_str(&out, "&");
        buf_encode(&out, joined.s ? joined.s : "", joined.len);
        ok = !joined.failed && !url_buf.failed;
        free(joined.s);
    }
    for (size_t i = 0; pairs && i < all.n; i++) {
        free(pairs[i].name);
        free(pairs[i].value);
    }
    free(pairs);
    o2c_oauth1_params_free(&all);
    free(url_buf.s);
    if (!ok) {
        free(out.s);
        return NULL;
    }
    return o2c_strbuf_take(&out);
}

/* ---- signature ------------------------------------------------------------------------------------------- */

char *o2c_oauth1_signature(o2c_oauth1_method method, const char *consumer_secret,
                           const char *token_secret, const char *base)
{
    struct o2c_strbuf key = {0};
    buf_encode(&key, consumer_secret, strlen(consumer_secret));
    o2c_strbuf_str(&key, "&");
    buf_encode(&key, token_secret, strlen(token_secret));
    if (key.failed) {
        free(key.s);
        return NULL;
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    const EVP_MD *md = method == O2C_OAUTH1_HMAC_SHA1 ? EVP_sha1() : EVP_sha256();
    unsigned char *done = HMAC(md, key.s, (int)key.len, (const unsigned char *)base, strlen(base), mac, &mac_len);
    OPENSSL_cleanse(key.s, key.len);
    free(key.s);
    if (!done)
        return NULL;
    char *out = malloc(4 * ((mac_len + 2) / 3) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, mac, (int)mac_len);
    return out;
}

char *o2c_oauth1_realm(const char *account_id)
{
    char *realm = strdup(account_id);
    for (char *c = realm; c && *c; c++)
        *c = *c == '-' ? '_' : (char)toupper((unsigned char)*c);
    return realm;
}

char *o2c_oauth1_authorization(const o2c_oauth1_credentials *cred, const char *method,
                               const char *url, const char *nonce, long timestamp)
{
    char nonce_buf[33], ts[24];
    if (!nonce) {
        unsigned char raw[16];
        if (RAND_bytes(raw, sizeof raw) != 1)
            return NULL;
        for (size_t i = 0; i < sizeof raw; i++)
            snprintf(nonce_buf + 2 * i, 3, "%02x", raw[i]);
        nonce = nonce_buf;
    }
    snprintf(ts, sizeof ts, "%ld", timestamp ? timestamp : (long)time(NULL));

    o2c_oauth1_params p = {0};
    bool ok = o2c_oauth1_params_add(&p, "oauth_consumer_key", cred->consumer_key) &&
              o2c_oauth1_params_add(&p, "oauth_token", cred->token_id) &&
              o2c_oauth1_params_add(&p, "oauth_signature_method", "HMAC-SHA256") &&
              o2c_oauth1_params_add(&p, "oauth_timestamp", ts) &&
              o2c_oauth1_params_add(&p, "oauth_nonce", nonce) &&
              o2c_oauth1_params_add(&p, "oauth_version", "1.0");
    char *base = ok ? o2c_oauth1_base_string(method, url, &p) : NULL;
    char *sig = base ? o2c_oauth1_signature(O2C_OAUTH1_HMAC_SHA256, cred->consumer_secret,
                                            cred->token_secret, base) : NULL;
    char *realm = cred->realm ? strdup(cred->realm) : o2c_oauth1_realm(cred->account_id ? cred->account_id : "");
    struct o2c_strbuf out = {0};
    if (sig && realm) {
        o2c_strbuf_str(&out, "OAuth realm=\"");
        buf_encode(&out, realm, strlen(realm));
        o2c_strbuf_str(&out, "\"");
        for (size_t i = 0; i < p.n; i++) {
            o2c_strbuf_str(&out, ", ");
            o2c_strbuf_str(&out, p.items[i].name);
            o2c_strbuf_str(&out, "=\"");
            buf_encode(&out, p.items[i].value, strlen(p.items[i].value));
            o2c_strbuf_str(&out, "\"");
        }
        o2c_strbuf_str(&out, ", oauth_signature=\"");
        buf_encode(&out, sig, strlen(sig));
        o2c_strbuf_str(&out, "\"");
    }
    free(realm);
    free(sig);
    free(base);
    o2c_oauth1_params_free(&p);
    if (!ok || out.len == 0) {
        free(out.s);
        return NULL;
    }
    return o2c_strbuf_take(&out);
}

/* ---- server side ---------------------------------------------------------------------------------------- */

void o2c_oauth1_header_free(o2c_oauth1_header *h)
{
    free(h->realm);
    free(h->consumer_key);
    free(h->token);
    free(h->signature_method);
    free(h->timestamp);
    free(h->nonce);
    free(h->version);
    free(h->signature);
    o2c_oauth1_params_free(&h->params);
    memset(h, 0, sizeof *h);
}

static char **slot_for(o2c_oauth1_header *h, const char *name)
{
    if (strcmp(name, "realm") == 0) return &h->realm;
    if (strcmp(name, "oauth_consumer_key") == 0) return &h->consumer_key;
    if (strcmp(name, "oauth_token") == 0) return &h->token;
    if (strcmp(name, "oauth_signature_method") == 0) return &h->signature_method;
    if (strcmp(name, "oauth_timestamp") == 0) return &h->timestamp;
    if (strcmp(name, "oauth_nonce") == 0) return &h->nonce;
    if (strcmp(name, "oauth_version") == 0) return &h->version;
    if (strcmp(name, "oauth_signature") == 0) return &h->signature;
    return NULL;
}

bool o2c_oauth1_parse(const char *value, o2c_oauth1_header *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!value || strncasecmp(value, "OAuth ", 6) != 0) {
        snprintf(err, errlen, "the Authorization header is not OAuth");
        return false;
    }
    const char *p = value + 6;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        const char *name = p;
        while (*p && *p != '=' && *p != ' ' && *p != ',')
            p++;
        size_t name_len = (size_t)(p - name);
        if (*p != '=' || p[1] != '"' || name_len == 0 || name_len > 64) {
            snprintf(err, errlen, "malformed OAuth parameter near '%.20s'", name);
            return false;
        }
        const char *val = p + 2;
        const char *end = strchr(val, '"');
        if (!end) {
            snprintf(err, errlen, "unterminated OAuth parameter value");
            return false;
        }
        p = end + 1;
        char key[65];
        memcpy(key, name, name_len);
        key[name_len] = '\0';
        char *decoded = decode(val, (size_t)(end - val), false);
        if (!decoded) {
            snprintf(err, errlen, "bad percent-encoding in %s", key);
            return false;
        }
        char **slot = slot_for(out, key);
        if (slot && *slot) {
            free(decoded);
            snprintf(err, errlen, "OAuth parameter %s given twice", key);
            return false;
        }
        /* Every oauth_* parameter but the signature is signed; realm never is. */
        if (strncmp(key, "oauth_", 6) == 0 && strcmp(key, "oauth_signature") != 0 &&
            !o2c_oauth1_params_add(&out->params, key, decoded)) {
            free(decoded);
            snprintf(err, errlen, "out of memory");
            return false;
        }
        if (slot)
            *slot = decoded;
        else
            free(decoded);
    }
    return true;
}

bool o2c_oauth1_verify(const o2c_oauth1_header *h, o2c_oauth1_method method, const char *http_method,
                       const char *url, const char *consumer_secret, const char *token_secret)
{
    if (!h->signature)
        return false;
    char *base = o2c_oauth1_base_string(http_method, url, &h->params);
    char *expected = base ? o2c_oauth1_signature(method, consumer_secret, token_secret, base) : NULL;
    bool ok = expected && strlen(expected) == strlen(h->signature) &&
              CRYPTO_memcmp(expected, h->signature, strlen(expected)) == 0;
    free(expected);
    free(base);
    return ok;
}
