/* OAuth 1.0a signing (connectors/common/oauth1): published test vectors, NetSuite specifics,
 * and the sign → parse → verify round trip the NetSuite sandbox relies on. */
#include "connectors/common/oauth1.h"
#include "tests/support/harness.h"

#include <stdlib.h>
#include <string.h>

/* Twitter's "Creating a signature" walkthrough (HMAC-SHA1, published signature). */
#define TW_URL "https://api.twitter.com/1/statuses/update.json?include_entities=true"
#define TW_CONSUMER_SECRET "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"
#define TW_TOKEN_SECRET "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
#define TW_BASE(method)                                                                              \
    "POST&https%3A%2F%2Fapi.twitter.com%2F1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue"       \
    "%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgm" \
    "ZeNu2VS4cg%26oauth_signature_method%3D" method "%26oauth_timestamp%3D1318622958%26oauth_token"  \
    "%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello"   \
    "%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"

static void twitter_params(o2c_oauth1_params *p, const char *method)
{
    o2c_oauth1_params_add(p, "status", "Hello Ladies + Gentlemen, a signed OAuth request!");
    o2c_oauth1_params_add(p, "oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog");
    o2c_oauth1_params_add(p, "oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg");
    o2c_oauth1_params_add(p, "oauth_signature_method", method);
    o2c_oauth1_params_add(p, "oauth_timestamp", "1318622958");
    o2c_oauth1_params_add(p, "oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb");
    o2c_oauth1_params_add(p, "oauth_version", "1.0");
}

static void test_twitter_vector_sha1(void)
{
    o2c_oauth1_params p = {0};
    twitter_params(&p, "HMAC-SHA1");
    char *base = o2c_oauth1_base_string("post", TW_URL, &p);
    CU_ASSERT_STRING_EQUAL(base, TW_BASE("HMAC-SHA1"));
    char *sig = o2c_oauth1_signature(O2C_OAUTH1_HMAC_SHA1, TW_CONSUMER_SECRET, TW_TOKEN_SECRET, base);
    CU_ASSERT_STRING_EQUAL(sig, "tnnArxj06cWHq44gCs1OSKk/jLY="); /* the published signature */
    free(sig);
    free(base);
    o2c_oauth1_params_free(&p);
}

static void test_twitter_vector_sha256(void)
{
    o2c_oauth1_params p = {0};
    twitter_params(&p, "HMAC-SHA256");
    char *base = o2c_oauth1_base_string("POST", TW_URL, &p);
    CU_ASSERT_STRING_EQUAL(base, TW_BASE("HMAC-SHA256"));
    char *sig = o2c_oauth1_signature(O2C_OAUTH1_HMAC_SHA256, TW_CONSUMER_SECRET, TW_TOKEN_SECRET, base);
    /* Computed independently: printf '%s' "$BASE" | openssl dgst -sha256 -hmac "$KEY" -binary | base64 */
    CU_ASSERT_STRING_EQUAL(sig, "lrpvd+UOGVsQnRf5skaXYTNeIPFJ0C+qK3OGpK/XB9Q=");
    free(sig);
    free(base);
    o2c_oauth1_params_free(&p);
}

/* RFC 5849 §3.4.1.1: repeated names sorted by value, '+' in form data is a space, %-escapes
 * decoded then re-encoded, empty values kept, default port dropped, host lower-cased. */
static void test_rfc5849_base_string(void)
{
    o2c_oauth1_params p = {0};
    o2c_oauth1_params_add(&p, "oauth_consumer_key", "9djdj82h48djs9d2");
    o2c_oauth1_params_add(&p, "oauth_token", "kkk9d7dh3k39sjv7");
    o2c_oauth1_params_add(&p, "oauth_signature_method", "HMAC-SHA1");
    o2c_oauth1_params_add(&p, "oauth_timestamp", "137131201");
    o2c_oauth1_params_add(&p, "oauth_nonce", "7d8f3e4a");
    const char *body = "c2&a3=2+q";
    CU_ASSERT_TRUE(o2c_oauth1_params_add_form(&p, body, strlen(body)));
    char *base = o2c_oauth1_base_string("POST", "http://EXAMPLE.com:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", &p);
    CU_ASSERT_STRING_EQUAL(base,
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D"
        "%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a"
        "%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7");
    free(base);
    o2c_oauth1_params_free(&p);
}

static void test_encoding(void)
{
    char *e = o2c_oauth1_encode("Ladies + Gentlemen, ~-._ å!*");
    CU_ASSERT_STRING_EQUAL(e, "Ladies%20%2B%20Gentlemen%2C%20~-._%20%C3%A5%21%2A");
    free(e);
}

static void test_netsuite_realm_and_url(void)
{
    char *realm = o2c_oauth1_realm("1234567-sb1");
    CU_ASSERT_STRING_EQUAL(realm, "1234567_SB1");
    free(realm);
    /* Non-default ports stay; query parameters are signed; the path is kept as sent. */
    o2c_oauth1_params p = {0};
    o2c_oauth1_params_add(&p, "oauth_nonce", "abcdef");
    char *base = o2c_oauth1_base_string("post", "HTTP://127.0.0.1:8080/services/rest/query/v1/suiteql?offset=0&limit=10", &p);
    CU_ASSERT_STRING_EQUAL(base, "POST&http%3A%2F%2F127.0.0.1%3A8080%2Fservices%2Frest%2Fquery%2Fv1%2Fsuiteql"
                                 "&limit%3D10%26oauth_nonce%3Dabcdef%26offset%3D0");
    free(base);
    o2c_oauth1_params_free(&p);
}

static const o2c_oauth1_credentials CRED = {
    .account_id = "1234567-sb1",
    .consumer_key = "ck", .consumer_secret = "cs&secret",
    .token_id = "tk", .token_secret = "ts secret",
};

static void test_sign_parse_verify(void)
{
    const char *url = "http://127.0.0.1:5555/services/rest/record/v1/salesOrder/eid:SO-1?expandSubResources=true";
    char *auth = o2c_oauth1_authorization(&CRED, "GET", url, "nonce-123456", 1700000000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(auth);
    CU_ASSERT_PTR_NOT_NULL(strstr(auth, "OAuth realm=\"1234567_SB1\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(auth, "oauth_signature_method=\"HMAC-SHA256\""));

    o2c_oauth1_header h;
    char err[128];
    CU_ASSERT_TRUE(o2c_oauth1_parse(auth, &h, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(h.realm, "1234567_SB1");
    CU_ASSERT_STRING_EQUAL(h.nonce, "nonce-123456");
    CU_ASSERT_STRING_EQUAL(h.timestamp, "1700000000");
    CU_ASSERT_EQUAL(h.params.n, 6); /* realm and signature are not signed */
    CU_ASSERT_TRUE(o2c_oauth1_verify(&h, O2C_OAUTH1_HMAC_SHA256, "GET", url, "cs&secret", "ts secret"));
    /* Anything else changed breaks it: method, query, secret, algorithm. */
    CU_ASSERT_FALSE(o2c_oauth1_verify(&h, O2C_OAUTH1_HMAC_SHA256, "POST", url, "cs&secret", "ts secret"));
    CU_ASSERT_FALSE(o2c_oauth1_verify(&h, O2C_OAUTH1_HMAC_SHA256, "GET",
        "http://127.0.0.1:5555/services/rest/record/v1/salesOrder/eid:SO-1", "cs&secret", "ts secret"));
    CU_ASSERT_FALSE(o2c_oauth1_verify(&h, O2C_OAUTH1_HMAC_SHA256, "GET", url, "cs&secret", "other"));
    CU_ASSERT_FALSE(o2c_oauth1_verify(&h, O2C_OAUTH1_HMAC_SHA1, "GET", url, "cs&secret", "ts secret"));
    o2c_oauth1_header_free(&h);

    /* Random nonces differ between calls. */
    char *a = o2c_oauth1_authorization(&CRED, "GET", url, NULL, 0);
    char *b = o2c_oauth1_authorization(&CRED, "GET", url, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL(a);
    CU_ASSERT_PTR_NOT_NULL(b);
    CU_ASSERT_STRING_NOT_EQUAL(a, b);
    free(a);
    free(b);
    free(auth);
}

static void test_parse_rejects(void)
{
    o2c_oauth1_header h;
    char err[128];
    CU_ASSERT_FALSE(o2c_oauth1_parse("Bearer abc", &h, err, sizeof err));
    o2c_oauth1_header_free(&h);
    CU_ASSERT_FALSE(o2c_oauth1_parse("OAuth oauth_nonce=\"abc", &h, err, sizeof err));
    o2c_oauth1_header_free(&h);
    CU_ASSERT_FALSE(o2c_oauth1_parse("OAuth oauth_nonce=\"a\", oauth_nonce=\"b\"", &h, err, sizeof err));
    o2c_oauth1_header_free(&h);
    CU_ASSERT_FALSE(o2c_oauth1_parse("OAuth oauth_nonce=\"%G1\"", &h, err, sizeof err));
    o2c_oauth1_header_free(&h);
    CU_ASSERT_FALSE(o2c_oauth1_parse("OAuth oauth_nonce=abc", &h, err, sizeof err));
    o2c_oauth1_header_free(&h);
    CU_ASSERT_TRUE(o2c_oauth1_parse("oauth realm=\"X\",oauth_nonce=\"a%20b\"", &h, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(h.nonce, "a b");
    o2c_oauth1_header_free(&h);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"twitter vector, HMAC-SHA1 (published signature)", test_twitter_vector_sha1},
        {"twitter vector base string, HMAC-SHA256", test_twitter_vector_sha256},
        {"RFC 5849 3.4.1.1 base string", test_rfc5849_base_string},
        {"RFC 3986 percent-encoding", test_encoding},
        {"NetSuite realm, port and query in base string", test_netsuite_realm_and_url},
        {"sign, parse, verify round trip", test_sign_parse_verify},
        {"malformed Authorization headers refused", test_parse_rejects},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"oauth1", NULL, NULL, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return tsup_run_suites("unit/test_oauth1", suites);
}
