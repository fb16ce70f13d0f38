/* OAuth 1.0a request signatures (RFC 5849) the way NetSuite token-based auth uses them: HMAC-SHA256,
 * oauth_* header parameters plus query parameters in the base string (a JSON body is not part of
 * it), realm excluded, scheme and host lower-cased, no query in the URL part. One implementation
 * for both sides: the NetSuite connector signs with it, the NetSuite sandbox verifies with it.
 * Strings returned are malloc'd (caller frees); NULL only when out of memory or input is invalid. */
#ifndef O2C_COMMON_OAUTH1_H
#define O2C_COMMON_OAUTH1_H

#include <stdbool.h>
#include <stddef.h>

typedef enum o2c_oauth1_method {
    O2C_OAUTH1_HMAC_SHA256, /* what NetSuite accepts */
    O2C_OAUTH1_HMAC_SHA1,   /* only for published test vectors; NetSuite refuses it since 2023.1 */
} o2c_oauth1_method;

/* A list of decoded name/value pairs: the parameters that go into the base string. */
typedef struct o2c_oauth1_params {
    struct o2c_oauth1_param { char *name, *value; } *items;
    size_t n, cap;
} o2c_oauth1_params;

void o2c_oauth1_params_free(o2c_oauth1_params *p);
bool o2c_oauth1_params_add(o2c_oauth1_params *p, const char *name, const char *value);
/* Adds the pairs of an x-www-form-urlencoded string ("a=1&b=x%20y", '+' is a space, as RFC 5849
 * 3.4.1.3.1 says for query and form parameters). False when an escape is broken. */
bool o2c_oauth1_params_add_form(o2c_oauth1_params *p, const char *form, size_t len);

/* RFC 3986 percent-encoding: everything but ALPHA DIGIT - . _ ~ becomes %XX (upper-case hex). */
char *o2c_oauth1_encode(const char *s);

/* The signature base string: METHOD&enc(base URL)&enc(sorted k=v pairs). `url` may carry a query;
 * its parameters are added to `params` for the base string (params itself is not changed). */
char *o2c_oauth1_base_string(const char *method, const char *url, const o2c_oauth1_params *params);

/* base64(HMAC(enc(consumer_secret)&enc(token_secret), base)). */
char *o2c_oauth1_signature(o2c_oauth1_method method, const char *consumer_secret,
                           const char *token_secret, const char *base);

/* NetSuite's realm for an account id: upper-cased, "-" → "_" ("1234567-sb1" → "1234567_SB1"). */
char *o2c_oauth1_realm(const char *account_id);

typedef struct o2c_oauth1_credentials {
    const char *realm;            /* NULL = derive from account_id */
    const char *account_id;
    const char *consumer_key, *consumer_secret;
    const char *token_id, *token_secret;
} o2c_oauth1_credentials;

/* The value of the Authorization header for one request ("OAuth realm=\"…\", oauth_…").
 * nonce NULL = 32 random hex characters; timestamp 0 = now. */
char *o2c_oauth1_authorization(const o2c_oauth1_credentials *cred, const char *method,
                               const char *url, const char *nonce, long timestamp);

/* A parsed Authorization header (server side). Every value is percent-decoded. */
typedef struct o2c_oauth1_header {
    char *realm, *consumer_key, *token, *signature_method, *timestamp, *nonce, *version, *signature;
    o2c_oauth1_params params; /* every oauth_* parameter except oauth_signature, for the base string */
} o2c_oauth1_header;

/* Parses `OAuth k="v", k="v", …`. False with a reason in err when it is not that shape or a
 * parameter repeats. out must be freed with o2c_oauth1_header_free in every case. */
bool o2c_oauth1_parse(const char *value, o2c_oauth1_header *out, char *err, size_t errlen);
void o2c_oauth1_header_free(o2c_oauth1_header *h);

/* Recomputes the signature of a request carrying header h (url as the client addressed it, with
 * its query) and compares in constant time. Only the signature is checked here: the caller
 * checks method, keys, realm, nonce and timestamp against its own rules. */
bool o2c_oauth1_verify(const o2c_oauth1_header *h, o2c_oauth1_method method, const char *http_method,
                       const char *url, const char *consumer_secret, const char *token_secret);

#endif
