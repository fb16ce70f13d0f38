/* Contract tests of the NetSuite sandbox over real HTTP: token-based auth accepted and each kind of
 * wrong signature refused; the record API (create, eid, upsert, transforms, references, journal
 * balance, duplicates, locks, creation order); SuiteQL paging and shapes. Governance, faults and
 * malformed input are in test_netsuite_faults.c. */
#include "connectors/common/oauth1.h"
#include "tests/support/harness.h"
#include "tests/support/sandbox_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REC "/services/rest/record/v1/"
#define SUITEQL "/services/rest/query/v1/suiteql"

static tsb_sandbox sb;

static int start(void)
{
    return tsb_start(&sb, "netsuite", NULL) == 0 ? 0 : -1;
}

static int stop(void)
{
    if (sb.pid > 0)
        tsb_stop(&sb);
    return 0;
}

static void test_exits_cleanly(void)
{
    CU_ASSERT_TRUE(tsb_alive(&sb));
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0); /* includes no sanitizer report at exit */
    CU_ASSERT_EQUAL(start(), 0);       /* the next suite gets a fresh sandbox */
}

/* ---- auth ------------------------------------------------------------------------------------ */

typedef struct auth_spec {
    const char *realm, *consumer_key, *consumer_secret, *token, *token_secret, *method, *nonce;
    long timestamp;
    o2c_oauth1_method alg;
} auth_spec;

static auth_spec good_spec(const char *nonce)
{
    return (auth_spec){"1234567_SB1", TSB_NS_CONSUMER_KEY, TSB_NS_CONSUMER_SECRET, TSB_NS_TOKEN_ID,
                       TSB_NS_TOKEN_SECRET, "HMAC-SHA256", nonce, (long)time(NULL), O2C_OAUTH1_HMAC_SHA256};
}

/* Builds an Authorization header by hand so each part can be made wrong on purpose. */
static long signed_get(const auth_spec *a, const char *path, tsb_response *res)
{
    char url[512], ts[32];
    snprintf(url, sizeof url, "%s%s", sb.base, path);
    snprintf(ts, sizeof ts, "%ld", a->timestamp);
    o2c_oauth1_params p = {0};
    o2c_oauth1_params_add(&p, "oauth_consumer_key", a->consumer_key);
    o2c_oauth1_params_add(&p, "oauth_token", a->token);
    o2c_oauth1_params_add(&p, "oauth_signature_method", a->method);
    o2c_oauth1_params_add(&p, "oauth_timestamp", ts);
    o2c_oauth1_params_add(&p, "oauth_nonce", a->nonce);
    o2c_oauth1_params_add(&p, "oauth_version", "1.0");
    char *base = o2c_oauth1_base_string("GET", url, &p);
    char *sig = o2c_oauth1_signature(a->alg, a->consumer_secret, a->token_secret, base);
    char *esig = o2c_oauth1_encode(sig);
    char header[1024];
    snprintf(header, sizeof header,
             "Authorization: OAuth realm=\"%s\", oauth_consumer_key=\"%s\", oauth_token=\"%s\", "
             "oauth_signature_method=\"%s\", oauth_timestamp=\"%s\", oauth_nonce=\"%s\", oauth_version=\"1.0\", "
             "oauth_signature=\"%s\"",
             a->realm, a->consumer_key, a->token, a->method, ts, a->nonce, esig);
    const char *headers[] = {header, NULL};
    tsb_http("GET", url, headers, NULL, 0, res);
    free(esig);
    free(sig);
    free(base);
    o2c_oauth1_params_free(&p);
    return res->status;
}

static void nonce(char *buf, size_t len)
{
    static int n;
    snprintf(buf, len, "nonce-%ld-%d", (long)time(NULL), ++n);
}

static void expect_refused(auth_spec a)
{
    tsb_response r;
    char code[64];
    CU_ASSERT_EQUAL(signed_get(&a, REC "customer/501", &r), 401);
    CU_ASSERT_STRING_EQUAL(tsb_ns_error_code(&r, code, sizeof code), "INVALID_LOGIN");
    json_object *body = tsb_json(&r);
    CU_ASSERT_EQUAL(json_object_get_int(tsb_member(body, "status")), 401);
    CU_ASSERT_STRING_EQUAL(tsb_str(body, "title"), "Unauthorized");
    json_object_put(body);
    tsb_response_free(&r);
}

static void test_auth_accepted(void)
{
    char n[64];
    nonce(n, sizeof n);
    auth_spec a = good_spec(n);
    tsb_response r;
    CU_ASSERT_EQUAL(signed_get(&a, REC "customer/501", &r), 200);
    json_object *body = tsb_json(&r);
    CU_ASSERT_STRING_EQUAL(tsb_str(body, "id"), "501");
    json_object_put(body);
    tsb_response_free(&r);
    /* the shared client signs correctly too, with a query string in the signature */
    CU_ASSERT_EQUAL(tsb_netsuite(&sb, "GET", REC "customer/501?expandSubResources=true", NULL, NULL, &r), 0);
    CU_ASSERT_EQUAL(r.status, 200);
    tsb_response_free(&r);
}

static void test_auth_bad_signature(void)
{
    char n[64];
    nonce(n, sizeof n);
    auth_spec a = good_spec(n);
    a.consumer_secret = "not-the-secret";
    expect_refused(a);
    nonce(n, sizeof n);
    a = good_spec(n);
    a.token_secret = "not-the-token-secret";
    expect_refused(a);
}

static void test_auth_wrong_consumer_key(void)
{
    char n[64];
    nonce(n, sizeof n);
    auth_spec a = good_spec(n);
    a.consumer_key = "someone-else";
    expect_refused(a);
}

static void test_auth_wrong_token(void)
{
    char n[64];
    nonce(n, sizeof n);
    auth_spec a = good_spec(n);
    a.token = "another-token";
    expect_refused(a);
}

static void test_auth_sha1_refused(void)
{
    char n[64];
    nonce(n, sizeof n);
    auth_spec a = good_spec(n);
    a.method = "HMAC-SHA1";
    a.alg = O2C_OAUTH1_HMAC_SHA1; /* a correct SHA1 signature: still refused */
    expect_refused(a);
}

static void test_auth_short_nonce(void)
{
    auth_spec a = good_spec("ab12c");
    expect_refused(a);
}

static void test_auth_stale_timestamp(void)
{
    char n[64];
    nonce(n, sizeof n);
    auth_spec a = good_spec(n);
    a.timestamp -= 600;
    expect_refused(a);
    nonce(n, sizeof n);
    a = good_spec(n);
    a.timestamp += 600;
    expect_refused(a);
}

static void test_auth_replayed_nonce(void)
{
    char n[64];
    nonce(n, sizeof n);
    auth_spec a = good_spec(n);
    tsb_response r;
    CU_ASSERT_EQUAL(signed_get(&a, REC "customer/501", &r), 200);
    tsb_response_free(&r);
    CU_ASSERT_EQUAL(signed_get(&a, REC "customer/501", &r), 401); /* the very same request again */
    tsb_response_free(&r);
    a.timestamp += 1; /* same nonce, freshly signed */
    expect_refused(a);
}

static void test_auth_wrong_realm(void)
{
    char n[64];
    nonce(n, sizeof n);
    auth_spec a = good_spec(n);
    a.realm = "1234567-sb1"; /* the host form, not the realm form */
    expect_refused(a);
}

static void test_auth_missing(void)
{
    char url[256], code[64];
    snprintf(url, sizeof url, "%s" REC "customer/501", sb.base);
    tsb_response r;
    tsb_http("GET", url, NULL, NULL, 0, &r);
    CU_ASSERT_EQUAL(r.status, 401);
    CU_ASSERT_STRING_EQUAL(tsb_ns_error_code(&r, code, sizeof code), "INVALID_LOGIN");
    tsb_response_free(&r);
    const char *bearer[] = {"Authorization: Bearer abc", NULL};
    tsb_http("GET", url, bearer, NULL, 0, &r);
    CU_ASSERT_EQUAL(r.status, 401);
    tsb_response_free(&r);
}

/* ---- records ----------------------------------------------------------------------------------- */

/* POSTs/PUTs/PATCHes JSON; returns the status and copies the id from Location. */
static long write_json(const char *method, const char *path, const char *json, char *id, size_t idlen,
                       char *code, size_t codelen)
{
    tsb_response r;
    tsb_netsuite(&sb, method, path, json, NULL, &r);
    if (id) {
        const char *slash = strrchr(r.location, '/');
        snprintf(id, idlen, "%s", slash ? slash + 1 : "");
    }
    if (code)
        tsb_ns_error_code(&r, code, codelen);
    long status = r.status;
    tsb_response_free(&r);
    return status;
}

static json_object *get_json(const char *path, long *status)
{
    tsb_response r;
    tsb_netsuite(&sb, "GET", path, NULL, NULL, &r);
    *status = r.status;
    json_object *o = tsb_json(&r);
    tsb_response_free(&r);
    return o;
}

static long stat_long(const char *key)
{
    json_object *s = tsb_stats(&sb);
    long v = json_object_get_int64(tsb_member(s, key));
    json_object_put(s);
    return v;
}

static void test_create_and_get(void)
{
    char id[32], code[64];
    long st = write_json("POST", REC "customer",
                         "{\"externalId\":\"C-1\",\"isPerson\":true,\"firstName\":\"Ada\",\"lastName\":\"Lund\",\"email\":\"ada@example.se\"}",
                         id, sizeof id, code, sizeof code);
    CU_ASSERT_EQUAL(st, 204);
    CU_ASSERT_NOT_EQUAL(id[0], '\0');
    char path[128];
    snprintf(path, sizeof path, REC "customer/%s", id);
    json_object *c = get_json(path, &st);
    CU_ASSERT_EQUAL(st, 200);
    CU_ASSERT_STRING_EQUAL(tsb_str(c, "email"), "ada@example.se");
    CU_ASSERT_STRING_EQUAL(tsb_str(c, "externalId"), "C-1");
    json_object_put(c);
    c = get_json(REC "customer/eid:C-1", &st);
    CU_ASSERT_EQUAL(st, 200);
    CU_ASSERT_STRING_EQUAL(tsb_str(c, "id"), id);
    json_object_put(c);
    c = get_json(REC "customer/999999", &st);
    CU_ASSERT_EQUAL(st, 404);
    json_object_put(c);
    c = get_json(REC "customer/eid:NOPE", &st);
    CU_ASSERT_EQUAL(st, 404);
    json_object_put(c);
}

static void test_duplicate_external_id(void)
{
    char code[64];
    const char *body = "{\"externalId\":\"C-DUP\",\"companyName\":\"Dup AB\"}";
    CU_ASSERT_EQUAL(write_json("POST", REC "customer", body, NULL, 0, code, sizeof code), 204);
    CU_ASSERT_EQUAL(write_json("POST", REC "customer", body, NULL, 0, code, sizeof code), 400);
    CU_ASSERT_STRING_EQUAL(code, "DUP_RCRD");
    CU_ASSERT_EQUAL(write_json("POST", REC "customer", "{\"externalId\":\"bad id!\",\"companyName\":\"X\"}", NULL, 0,
                               code, sizeof code), 400);
    CU_ASSERT_STRING_EQUAL(code, "INVALID_CONTENT");
    /* Without externalId a careless client can still duplicate an order: the stats show it. */
    long before = stat_long("duplicate_external_ids");
    const char *so = "{\"entity\":{\"id\":\"501\"},\"otherRefNum\":\"WEB-77\",\"item\":{\"items\":[{\"item\":{\"id\":\"1001\"},\"quantity\":1,\"rate\":10}]}}";
    CU_ASSERT_EQUAL(write_json("POST", REC "salesOrder", so, NULL, 0, NULL, 0), 204);
    CU_ASSERT_EQUAL(stat_long("duplicate_external_ids"), before);
    CU_ASSERT_EQUAL(write_json("POST", REC "salesOrder", so, NULL, 0, NULL, 0), 204);
    CU_ASSERT_EQUAL(stat_long("duplicate_external_ids"), before + 1);
}

static void test_upsert(void)
{
    char id1[32], id2[32], code[64];
    CU_ASSERT_EQUAL(write_json("PUT", REC "customer/eid:C-UP", "{\"companyName\":\"Upsert AB\"}", id1, sizeof id1, code, sizeof code), 204);
    CU_ASSERT_EQUAL(write_json("PUT", REC "customer/eid:C-UP", "{\"phone\":\"+46 8 123\"}", id2, sizeof id2, code, sizeof code), 204);
    CU_ASSERT_STRING_EQUAL(id1, id2);
    long st;
    json_object *c = get_json(REC "customer/eid:C-UP", &st);
    CU_ASSERT_STRING_EQUAL(tsb_str(c, "companyName"), "Upsert AB");
    CU_ASSERT_STRING_EQUAL(tsb_str(c, "phone"), "+46 8 123");
    json_object_put(c);
    CU_ASSERT_EQUAL(write_json("PATCH", REC "customer/eid:C-UP", "{\"email\":\"u@example.com\"}", NULL, 0, code, sizeof code), 204);
    CU_ASSERT_EQUAL(write_json("PUT", REC "customer/eid:C-UP", "{\"externalId\":\"OTHER\"}", NULL, 0, code, sizeof code), 400);
    CU_ASSERT_EQUAL(write_json("PUT", REC "customer/501", "{\"phone\":\"1\"}", NULL, 0, code, sizeof code), 400);
}

static void test_reference_checks(void)
{
    char code[64];
    struct { const char *body, *code, *path; } cases[] = {
        {"{\"entity\":{\"id\":\"501\"},\"item\":{\"items\":[{\"item\":{\"id\":\"999999\"},\"quantity\":1}]}}", "INVALID_CONTENT", "item.items[0].item"},
        {"{\"entity\":{\"id\":\"424242\"},\"item\":{\"items\":[{\"item\":{\"id\":\"1001\"},\"quantity\":1}]}}", "INVALID_CONTENT", "entity"},
        {"{\"entity\":{\"id\":\"501\"},\"item\":{\"items\":[{\"item\":{\"id\":\"1001\"},\"quantity\":1,\"location\":{\"id\":\"9\"}}]}}", "INVALID_CONTENT", "item.items[0].location"},
        {"{\"entity\":{\"id\":\"501\"},\"currency\":{\"id\":\"77\"},\"item\":{\"items\":[{\"item\":{\"id\":\"1001\"},\"quantity\":1}]}}", "INVALID_CONTENT", "currency"},
        {"{\"entity\":{\"id\":\"501\"},\"item\":{\"items\":[{\"item\":{\"id\":\"1001\"},\"quantity\":1,\"taxCode\":{\"id\":\"99\"}}]}}", "INVALID_CONTENT", "item.items[0].taxCode"},
        {"{\"entity\":{\"id\":\"501\"},\"colour\":\"red\",\"item\":{\"items\":[{\"item\":{\"id\":\"1001\"},\"quantity\":1}]}}", "NONEXISTENT_FIELD", "colour"},
        {"{\"entity\":{\"id\":\"501\"},\"item\":{\"items\":[{\"item\":{\"id\":\"1001\"},\"qty\":1}]}}", "NONEXISTENT_FIELD", "item.items[0].qty"},
        {"{\"entity\":{\"id\":\"501\"},\"item\":{\"items\":[{\"item\":{\"id\":\"1001\"},\"quantity\":\"two\"}]}}", "INVALID_CONTENT", "item.items[0].quantity"},
        {"{\"entity\":\"501\",\"item\":{\"items\":[{\"item\":{\"id\":\"1001\"},\"quantity\":1}]}}", "INVALID_CONTENT", "entity"},
        {"{\"entity\":{\"id\":\"501\"},\"item\":{\"items\":[]}}", "USER_ERROR", "item"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tsb_response r;
        tsb_netsuite(&sb, "POST", REC "salesOrder", cases[i].body, NULL, &r);
        CU_ASSERT_EQUAL(r.status, 400);
        CU_ASSERT_STRING_EQUAL(tsb_ns_error_code(&r, code, sizeof code), cases[i].code);
        json_object *b = tsb_json(&r);
        json_object *d = json_object_array_get_idx(tsb_member(b, "o:errorDetails"), 0);
        CU_ASSERT_STRING_EQUAL(tsb_str(d, "o:errorPath"), cases[i].path);
        json_object_put(b);
        tsb_response_free(&r);
    }
}

static void test_transform_fulfilment_and_order(void)
{
    char cust[32], so[32], f[32], code[64];
    CU_ASSERT_EQUAL(write_json("POST", REC "customer", "{\"externalId\":\"C-ORD\",\"companyName\":\"Order AB\"}", cust, sizeof cust, NULL, 0), 204);
    char body[512];
    snprintf(body, sizeof body,
             "{\"externalId\":\"SO-ORD\",\"entity\":{\"id\":\"%s\"},\"otherRefNum\":\"WEB-1\",\"currency\":{\"id\":\"1\"},"
             "\"item\":{\"items\":[{\"item\":{\"id\":\"1002\"},\"quantity\":2,\"rate\":349.5,\"taxCode\":{\"id\":\"10\"},\"location\":{\"id\":\"1\"}}]}}",
             cust);
    CU_ASSERT_EQUAL(write_json("POST", REC "salesOrder", body, so, sizeof so, code, sizeof code), 204);
    long st;
    char path[160];
    snprintf(path, sizeof path, REC "salesOrder/%s?expandSubResources=true", so);
    json_object *o = get_json(path, &st);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "subtotal"), "699.00"); /* 349.5 × 2, exactly */
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "taxTotal"), "174.75");
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "total"), "873.75");
    json_object_put(o);

    snprintf(path, sizeof path, REC "salesOrder/%s/!transform/itemFulfillment", so);
    CU_ASSERT_EQUAL(write_json("POST", path, NULL, f, sizeof f, code, sizeof code), 204);
    CU_ASSERT_EQUAL(write_json("POST", path, NULL, NULL, 0, code, sizeof code), 400); /* nothing left */
    CU_ASSERT_STRING_EQUAL(code, "USER_ERROR");
    snprintf(path, sizeof path, REC "itemFulfillment/%s", f);
    o = get_json(path, &st);
    CU_ASSERT_EQUAL(st, 200);
    CU_ASSERT_STRING_EQUAL(tsb_str(tsb_member(o, "createdFrom"), "id"), so);
    json_object_put(o);
    CU_ASSERT_EQUAL(write_json("POST", REC "itemFulfillment", "{}", NULL, 0, code, sizeof code), 400);

    /* Creation order: the customer existed before its order, the order before its fulfilment. */
    char url[256];
    long seq_c = 0, seq_so = 0, seq_f = 0;
    const char *types[] = {"customer", "salesOrder", "itemFulfillment"};
    const char *ids[] = {cust, so, f};
    long *seqs[] = {&seq_c, &seq_so, &seq_f};
    for (int t = 0; t < 3; t++) {
        snprintf(url, sizeof url, "%s/_sandbox/records/%s", sb.base, types[t]);
        tsb_response r;
        tsb_http("GET", url, NULL, NULL, 0, &r);
        json_object *root = tsb_json(&r), *list = tsb_member(root, "records");
        for (size_t i = 0; i < json_object_array_length(list); i++)
            if (strcmp(tsb_str(json_object_array_get_idx(list, i), "id"), ids[t]) == 0)
                *seqs[t] = json_object_get_int64(tsb_member(json_object_array_get_idx(list, i), "seq"));
        json_object_put(root);
        tsb_response_free(&r);
    }
    CU_ASSERT_TRUE(seq_c > 0 && seq_c < seq_so && seq_so < seq_f);

    /* SuiteQL sees the fulfilment, joined to its sales order. */
    tsb_response r;
    const char *prefer[] = {"Prefer: transient", NULL};
    tsb_netsuite(&sb, "POST", SUITEQL "?limit=10",
                 "{\"q\":\"SELECT t.id, tl.createdfrom, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified "
                 "FROM transaction t JOIN transactionline tl ON tl.transaction = t.id WHERE t.type = 'ItemShip' "
                 "AND tl.mainline = 'T' AND t.lastmodifieddate >= TO_TIMESTAMP('2000-01-01 00:00:00', 'YYYY-MM-DD HH24:MI:SS') "
                 "ORDER BY t.lastmodifieddate, t.id\"}",
                 prefer, &r);
    CU_ASSERT_EQUAL(r.status, 200);
    json_object *q = tsb_json(&r);
    bool found = false;
    json_object *items = tsb_member(q, "items");
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *it = json_object_array_get_idx(items, i);
        if (strcmp(tsb_str(it, "id"), f) == 0) {
            found = true;
            CU_ASSERT_STRING_EQUAL(tsb_str(it, "createdfrom"), so);
            CU_ASSERT_EQUAL(strlen(tsb_str(it, "modified")), 19);
        }
    }
    CU_ASSERT_TRUE(found);
    json_object_put(q);
    tsb_response_free(&r);
}

static void test_return_and_credit_memo(void)
{
    char so[32], ra[32], cm[32], path[160];
    CU_ASSERT_EQUAL(write_json("POST", REC "salesOrder",
                               "{\"entity\":{\"id\":\"502\"},\"item\":{\"items\":[{\"item\":{\"id\":\"1003\"},\"quantity\":1,\"rate\":100}]}}",
                               so, sizeof so, NULL, 0), 204);
    /* Nothing shipped: nothing can come back. */
    snprintf(path, sizeof path, REC "salesOrder/%s/!transform/returnAuthorization", so);
    CU_ASSERT_EQUAL(write_json("POST", path, "{\"externalId\":\"RMA-1\"}", ra, sizeof ra, NULL, 0), 400);
    snprintf(path, sizeof path, REC "salesOrder/%s/!transform/itemFulfillment", so);
    CU_ASSERT_EQUAL(write_json("POST", path, NULL, NULL, 0, NULL, 0), 204);
    snprintf(path, sizeof path, REC "salesOrder/%s/!transform/returnAuthorization", so);
    CU_ASSERT_EQUAL(write_json("POST", path, "{\"externalId\":\"RMA-1\"}", ra, sizeof ra, NULL, 0), 204);
    snprintf(path, sizeof path, REC "returnAuthorization/%s/!transform/creditMemo", ra);
    CU_ASSERT_EQUAL(write_json("POST", path, NULL, cm, sizeof cm, NULL, 0), 204);
    long st;
    snprintf(path, sizeof path, REC "creditMemo/%s", cm);
    json_object *o = get_json(path, &st);
    CU_ASSERT_EQUAL(st, 200);
    CU_ASSERT_STRING_EQUAL(tsb_str(tsb_member(o, "createdFrom"), "id"), ra);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "total"), "100.00");
    json_object_put(o);
    /* The authorization is credited in full: nothing more can be. */
    snprintf(path, sizeof path, REC "returnAuthorization/%s/!transform/creditMemo", ra);
    CU_ASSERT_EQUAL(write_json("POST", path, NULL, NULL, 0, NULL, 0), 400);
    snprintf(path, sizeof path, REC "creditMemo/%s/!transform/itemFulfillment", cm);
    CU_ASSERT_EQUAL(write_json("POST", path, NULL, NULL, 0, NULL, 0), 400);
}

/* Returns as NetSuite rules them: no more back than was fulfilled, goods received by the warehouse
 * (item receipt, status), no more credited than authorized, no more refunded than credited. */
static void test_return_receipt_credit_and_refund_rules(void)
{
    char so[32], ra[32], cm[32], path[200], code[64], body[400];
    CU_ASSERT_EQUAL(write_json("POST", REC "salesOrder",
                               "{\"entity\":{\"id\":\"502\"},\"item\":{\"items\":[{\"item\":{\"id\":\"1003\"},\"quantity\":3,\"rate\":100}]}}",
                               so, sizeof so, NULL, 0), 204);
    snprintf(path, sizeof path, REC "salesOrder/%s/!transform/itemFulfillment", so);
    CU_ASSERT_EQUAL(write_json("POST", path, "{\"item\":{\"items\":[{\"orderLine\":1,\"quantity\":2}]}}", NULL, 0, NULL, 0), 204);
    snprintf(path, sizeof path, REC "salesOrder/%s/!transform/returnAuthorization", so);
    CU_ASSERT_EQUAL(write_json("POST", path, "{\"item\":{\"items\":[{\"orderLine\":1,\"quantity\":3}]}}", NULL, 0, code, sizeof code), 400);
    CU_ASSERT_STRING_EQUAL(code, "USER_ERROR");
    CU_ASSERT_EQUAL(write_json("POST", path, "{\"externalId\":\"RA-RULES\",\"item\":{\"items\":[{\"orderLine\":1,\"quantity\":1,\"amount\":80}]}}",
                               ra, sizeof ra, NULL, 0), 204);
    /* One unit is back on an authorization: one more may come back, not two. */
    CU_ASSERT_EQUAL(write_json("POST", path, "{\"item\":{\"items\":[{\"orderLine\":1,\"quantity\":2}]}}", NULL, 0, NULL, 0), 400);
    long st;
    snprintf(path, sizeof path, REC "returnAuthorization/%s?expandSubResources=true", ra);
    json_object *o = get_json(path, &st);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "orderStatus"), "Pending Receipt");
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "total"), "80.00");
    json_object_put(o);
    /* The warehouse receives the unit: an item receipt, the authorization Pending Refund. */
    char url[160];
    tsb_response r;
    snprintf(url, sizeof url, "%s/_sandbox/netsuite/receive", sb.base);
    snprintf(body, sizeof body, "{\"returnAuthorization\":\"%s\"}", ra);
    tsb_http("POST", url, NULL, body, strlen(body), &r);
    CU_ASSERT_EQUAL(r.status, 200);
    tsb_response_free(&r);
    tsb_http("POST", url, NULL, body, strlen(body), &r);
    CU_ASSERT_EQUAL(r.status, 400); /* nothing left to receive */
    tsb_response_free(&r);
    o = get_json(path, &st);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "orderStatus"), "Pending Refund");
    json_object_put(o);
    json_object *stats = tsb_stats(&sb);
    CU_ASSERT_EQUAL(json_object_get_int64(tsb_member(tsb_member(stats, "records_by_type"), "itemReceipt")), 1);
    json_object_put(stats);
    /* Crediting more than the authorization is refused; exactly it is not. */
    snprintf(path, sizeof path, REC "returnAuthorization/%s/!transform/creditMemo", ra);
    CU_ASSERT_EQUAL(write_json("POST", path, "{\"item\":{\"items\":[{\"item\":{\"id\":\"1003\"},\"quantity\":1,\"amount\":80.01}]}}",
                               NULL, 0, NULL, 0), 400);
    CU_ASSERT_EQUAL(write_json("POST", path, NULL, cm, sizeof cm, NULL, 0), 204);
    /* The money paid back: no more than the credit memo, and only to its customer. */
    const char *fmt = "{\"customer\":{\"id\":\"%s\"},\"account\":{\"id\":\"104\"},\"apply\":{\"items\":"
                      "[{\"doc\":{\"id\":\"%s\"},\"apply\":true,\"amount\":%s}]}}";
    snprintf(body, sizeof body, fmt, "503", cm, "80.00");
    CU_ASSERT_EQUAL(write_json("POST", REC "customerRefund", body, NULL, 0, NULL, 0), 400);
    snprintf(body, sizeof body, fmt, "502", cm, "80.01");
    CU_ASSERT_EQUAL(write_json("POST", REC "customerRefund", body, NULL, 0, NULL, 0), 400);
    snprintf(body, sizeof body, fmt, "502", cm, "80.00");
    CU_ASSERT_EQUAL(write_json("PUT", REC "customerRefund/eid:CR-RULES", body, NULL, 0, NULL, 0), 204);
    snprintf(body, sizeof body, fmt, "502", cm, "0.01");
    CU_ASSERT_EQUAL(write_json("POST", REC "customerRefund", body, NULL, 0, NULL, 0), 400);
}

static void test_journal_balance(void)
{
    char code[64];
    /* 0.1 + 0.2 debits against 0.3 credit: balanced in decimal, not in binary floating point. */
    CU_ASSERT_EQUAL(write_json("POST", REC "journalEntry",
        "{\"subsidiary\":{\"id\":\"1\"},\"currency\":{\"id\":\"2\"},\"line\":{\"items\":["
        "{\"account\":{\"id\":\"10\"},\"debit\":0.1},{\"account\":{\"id\":\"50\"},\"debit\":0.2},"
        "{\"account\":{\"id\":\"21\"},\"credit\":0.3}]}}", NULL, 0, code, sizeof code), 204);
    CU_ASSERT_EQUAL(write_json("POST", REC "journalEntry",
        "{\"subsidiary\":{\"id\":\"1\"},\"line\":{\"items\":["
        "{\"account\":{\"id\":\"10\"},\"debit\":300.00},{\"account\":{\"id\":\"21\"},\"credit\":299.99}]}}",
        NULL, 0, code, sizeof code), 400);
    CU_ASSERT_STRING_EQUAL(code, "USER_ERROR");
    CU_ASSERT_EQUAL(write_json("POST", REC "journalEntry",
        "{\"subsidiary\":{\"id\":\"1\"},\"line\":{\"items\":["
        "{\"account\":{\"id\":\"10\"},\"debit\":1.005},{\"account\":{\"id\":\"21\"},\"credit\":1.005}]}}",
        NULL, 0, code, sizeof code), 400); /* more decimals than the currency has */
    CU_ASSERT_EQUAL(write_json("POST", REC "journalEntry",
        "{\"subsidiary\":{\"id\":\"1\"},\"line\":{\"items\":["
        "{\"account\":{\"id\":\"10\"},\"debit\":5},{\"account\":{\"id\":\"9999\"},\"credit\":5}]}}",
        NULL, 0, code, sizeof code), 400);
    CU_ASSERT_STRING_EQUAL(code, "INVALID_CONTENT");
}

/* Settlement journals: upserted by external id on the posting model's chart; a closed accounting
 * period refuses them; stats count records and writes per external id. */
static void test_journals_upsert_by_external_id_and_closed_periods_refuse_them(void)
{
    char code[64], id1[32], id2[32], url[128];
    const char *j = "{\"subsidiary\":{\"id\":\"1\"},\"currency\":{\"id\":\"2\"},\"tranDate\":\"2026-10-31\","
                    "\"line\":{\"items\":[{\"account\":{\"id\":\"101\"},\"debit\":10.00},"
                    "{\"account\":{\"id\":\"111\"},\"credit\":10.00}]}}";
    CU_ASSERT_EQUAL(write_json("PUT", REC "journalEntry/eid:STL-t-1-2026-10", j, id1, sizeof id1, NULL, 0), 204);
    CU_ASSERT_EQUAL(write_json("PUT", REC "journalEntry/eid:STL-t-1-2026-10", j, id2, sizeof id2, NULL, 0), 204);
    CU_ASSERT_STRING_EQUAL(id1, id2);
    json_object *st = tsb_stats(&sb);
    json_object *one = tsb_member(tsb_member(st, "journals_by_external_id"), "STL-t-1-2026-10");
    CU_ASSERT_EQUAL(json_object_get_int64(tsb_member(one, "records")), 1);
    CU_ASSERT_EQUAL(json_object_get_int64(tsb_member(one, "writes")), 2);
    json_object_put(st);

    snprintf(url, sizeof url, "%s/_sandbox/netsuite/settings", sb.base);
    tsb_response r;
    tsb_http("POST", url, NULL, "{\"closed_periods\":[\"2026-10\"]}", 30, &r);
    CU_ASSERT_EQUAL(r.status, 200);
    tsb_response_free(&r);
    CU_ASSERT_EQUAL(write_json("PUT", REC "journalEntry/eid:STL-t-2-2026-10", j, NULL, 0, code, sizeof code), 400);
    CU_ASSERT_STRING_EQUAL(code, "USER_ERROR");
    tsb_http("POST", url, NULL, "{\"closed_periods\":[]}", 21, &r);
    CU_ASSERT_EQUAL(r.status, 200);
    tsb_response_free(&r);
    CU_ASSERT_EQUAL(write_json("PUT", REC "journalEntry/eid:STL-t-2-2026-10", j, NULL, 0, NULL, 0), 204);
}

/* Customer deposits: against an existing sales order of the same customer, into an account of the
 * chart, for a positive amount with the currency's decimals; upserted by external id, counted. */
static void test_customer_deposits_are_checked_and_upserted_once(void)
{
    char so[32], other_so[32], code[64], id1[32], id2[32], body[512];
    CU_ASSERT_EQUAL(write_json("POST", REC "salesOrder",
                               "{\"entity\":{\"id\":\"502\"},\"item\":{\"items\":[{\"item\":{\"id\":\"1003\"},\"quantity\":1,\"rate\":100}]}}",
                               so, sizeof so, NULL, 0), 204);
    CU_ASSERT_EQUAL(write_json("POST", REC "salesOrder",
                               "{\"entity\":{\"id\":\"503\"},\"item\":{\"items\":[{\"item\":{\"id\":\"1003\"},\"quantity\":1,\"rate\":100}]}}",
                               other_so, sizeof other_so, NULL, 0), 204);
    const char *fmt = "{\"customer\":{\"id\":\"502\"},\"salesOrder\":{\"id\":\"%s\"},\"currency\":{\"id\":\"2\"},"
                      "\"account\":{\"id\":\"%s\"},\"payment\":%s,\"undepFunds\":false,\"tranDate\":\"2026-11-23\"}";
    snprintf(body, sizeof body, fmt, so, "104", "100.00");
    CU_ASSERT_EQUAL(write_json("PUT", REC "customerDeposit/eid:DEP-T-1", body, id1, sizeof id1, NULL, 0), 204);
    CU_ASSERT_EQUAL(write_json("PUT", REC "customerDeposit/eid:DEP-T-1", body, id2, sizeof id2, NULL, 0), 204);
    CU_ASSERT_STRING_EQUAL(id1, id2);
    json_object *st = tsb_stats(&sb);
    CU_ASSERT_EQUAL(json_object_get_int64(tsb_member(tsb_member(st, "records_by_type"), "customerDeposit")), 1);
    CU_ASSERT_EQUAL(json_object_get_int64(tsb_member(tsb_member(st, "created_by_type"), "customerDeposit")), 1);
    json_object_put(st);

    snprintf(body, sizeof body, fmt, so, "104", "0");  /* nothing paid */
    CU_ASSERT_EQUAL(write_json("PUT", REC "customerDeposit/eid:DEP-T-2", body, NULL, 0, code, sizeof code), 400);
    CU_ASSERT_STRING_EQUAL(code, "INVALID_CONTENT");
    snprintf(body, sizeof body, fmt, so, "104", "10.005");  /* more decimals than EUR has */
    CU_ASSERT_EQUAL(write_json("PUT", REC "customerDeposit/eid:DEP-T-2", body, NULL, 0, code, sizeof code), 400);
    CU_ASSERT_STRING_EQUAL(code, "INVALID_CONTENT");
    snprintf(body, sizeof body, fmt, so, "9999", "10.00");  /* no such account */
    CU_ASSERT_EQUAL(write_json("PUT", REC "customerDeposit/eid:DEP-T-2", body, NULL, 0, code, sizeof code), 400);
    CU_ASSERT_STRING_EQUAL(code, "INVALID_CONTENT");
    snprintf(body, sizeof body, fmt, "987654", "104", "10.00");  /* no such sales order */
    CU_ASSERT_EQUAL(write_json("PUT", REC "customerDeposit/eid:DEP-T-2", body, NULL, 0, code, sizeof code), 400);
    CU_ASSERT_STRING_EQUAL(code, "INVALID_CONTENT");
    snprintf(body, sizeof body, fmt, other_so, "104", "10.00");  /* another customer's order */
    CU_ASSERT_EQUAL(write_json("PUT", REC "customerDeposit/eid:DEP-T-2", body, NULL, 0, code, sizeof code), 400);
    CU_ASSERT_STRING_EQUAL(code, "USER_ERROR");
    CU_ASSERT_EQUAL(write_json("PUT", REC "customerDeposit/eid:DEP-T-2",
                               "{\"customer\":{\"id\":\"502\"},\"payment\":10}", NULL, 0, code, sizeof code), 400);
    st = tsb_stats(&sb);
    CU_ASSERT_EQUAL(json_object_get_int64(tsb_member(tsb_member(st, "records_by_type"), "customerDeposit")), 1);
    json_object_put(st);
}

static void test_record_lock_on_demand(void)
{
    char id[32], code[64], url[128], body[128], path[128];
    CU_ASSERT_EQUAL(write_json("POST", REC "customer", "{\"companyName\":\"Locked AB\"}", id, sizeof id, NULL, 0), 204);
    snprintf(url, sizeof url, "%s/_sandbox/netsuite/lock", sb.base);
    snprintf(body, sizeof body, "{\"type\":\"customer\",\"id\":\"%s\",\"count\":2}", id);
    tsb_response r;
    tsb_http("POST", url, NULL, body, strlen(body), &r);
    CU_ASSERT_EQUAL(r.status, 200);
    tsb_response_free(&r);
    snprintf(path, sizeof path, REC "customer/%s", id);
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(write_json("PATCH", path, "{\"phone\":\"1\"}", NULL, 0, code, sizeof code), 400);
        CU_ASSERT_STRING_EQUAL(code, "RCRD_HAS_BEEN_CHANGED");
    }
    CU_ASSERT_EQUAL(write_json("PATCH", path, "{\"phone\":\"1\"}", NULL, 0, code, sizeof code), 204);
}

/* ---- SuiteQL ---------------------------------------------------------------------------------- */

static json_object *suiteql(const char *q, const char *paging, long *status)
{
    char path[256], body[1024];
    snprintf(path, sizeof path, SUITEQL "%s%s", paging ? "?" : "", paging ? paging : "");
    json_object *b = json_object_new_object();
    json_object_object_add(b, "q", json_object_new_string(q));
    snprintf(body, sizeof body, "%s", json_object_to_json_string(b));
    json_object_put(b);
    const char *prefer[] = {"Prefer: transient", NULL};
    tsb_response r;
    tsb_netsuite(&sb, "POST", path, body, prefer, &r);
    *status = r.status;
    json_object *o = tsb_json(&r);
    tsb_response_free(&r);
    return o;
}

static void test_suiteql_paging_walks_all_once(void)
{
    for (int i = 0; i < 23; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"externalId\":\"PAGE-%02d\",\"companyName\":\"Page %d AB\"}", i, i);
        CU_ASSERT_EQUAL(write_json("POST", REC "customer", body, NULL, 0, NULL, 0), 204);
    }
    long st, total = -1, seen = 0;
    char seen_ids[512][16];
    bool more = true;
    for (long offset = 0; more && offset < 2000; offset += 5) {
        char paging[64];
        snprintf(paging, sizeof paging, "limit=5&offset=%ld", offset);
        json_object *page = suiteql("SELECT id, externalid FROM customer ORDER BY id", paging, &st);
        CU_ASSERT_EQUAL_FATAL(st, 200);
        if (total < 0)
            total = json_object_get_int64(tsb_member(page, "totalResults"));
        CU_ASSERT_EQUAL(json_object_get_int64(tsb_member(page, "totalResults")), total);
        json_object *items = tsb_member(page, "items");
        CU_ASSERT_EQUAL(json_object_get_int64(tsb_member(page, "count")), (long)json_object_array_length(items));
        for (size_t i = 0; i < json_object_array_length(items) && seen < 512; i++) {
            const char *id = tsb_str(json_object_array_get_idx(items, i), "id");
            for (long k = 0; k < seen; k++)
                CU_ASSERT_STRING_NOT_EQUAL(seen_ids[k], id);
            snprintf(seen_ids[seen++], sizeof seen_ids[0], "%s", id);
        }
        more = json_object_get_boolean(tsb_member(page, "hasMore"));
        bool has_next = false;
        json_object *links = tsb_member(page, "links");
        for (size_t i = 0; i < json_object_array_length(links); i++)
            has_next |= strcmp(tsb_str(json_object_array_get_idx(links, i), "rel"), "next") == 0;
        CU_ASSERT_EQUAL(has_next, more);
        json_object_put(page);
    }
    CU_ASSERT_TRUE(total >= 23 + 12);
    CU_ASSERT_EQUAL(seen, total);
}

static void test_suiteql_refusals(void)
{
    long st;
    json_object *o;
    o = suiteql("SELECT id FROM customer", "limit=10&offset=5", &st);
    CU_ASSERT_EQUAL(st, 400);
    json_object_put(o);
    o = suiteql("SELECT id FROM customer", "limit=1001", &st);
    CU_ASSERT_EQUAL(st, 400);
    json_object_put(o);
    o = suiteql("SELECT nosuchcolumn FROM customer", NULL, &st);
    CU_ASSERT_EQUAL(st, 400);
    json_object_put(o);
    o = suiteql("DELETE FROM customer", NULL, &st);
    CU_ASSERT_EQUAL(st, 400);
    json_object_put(o);
    o = suiteql("SELECT id FROM customer WHERE id = 1 OR id = 2", NULL, &st);
    CU_ASSERT_EQUAL(st, 400);
    json_object_put(o);
    tsb_response r; /* without Prefer: transient */
    tsb_netsuite(&sb, "POST", SUITEQL, "{\"q\":\"SELECT id FROM customer\"}", NULL, &r);
    CU_ASSERT_EQUAL(r.status, 400);
    tsb_response_free(&r);
}

static void test_suiteql_lookup_by_external_id(void)
{
    long st;
    json_object *o = suiteql("SELECT id FROM customer WHERE externalid = 'PAGE-07'", NULL, &st);
    CU_ASSERT_EQUAL(st, 200);
    CU_ASSERT_EQUAL(json_object_get_int64(tsb_member(o, "count")), 1);
    json_object_put(o);
    o = suiteql("SELECT id FROM transaction WHERE type = 'SalesOrd' AND externalid = 'SO-ORD'", NULL, &st);
    CU_ASSERT_EQUAL(st, 200);
    CU_ASSERT_EQUAL(json_object_get_int64(tsb_member(o, "count")), 1);
    json_object_put(o);
    o = suiteql("SELECT id FROM item WHERE itemid = 'NDT-TEE-001-M'", NULL, &st);
    CU_ASSERT_EQUAL(json_object_get_int64(tsb_member(o, "count")), 1);
    json_object_put(o);
}

/* How many rows a query finds (-1 unless the sandbox answers 200); *id gets the first row's id. */
static long count_rows(const char *q, char *id, size_t idlen)
{
    long st;
    json_object *o = suiteql(q, NULL, &st);
    long n = st == 200 ? (long)json_object_get_int64(tsb_member(o, "count")) : -1;
    if (id) {
        json_object *items = tsb_member(o, "items");
        snprintf(id, idlen, "%s", n > 0 ? tsb_str(json_object_array_get_idx(items, 0), "id") : "");
    }
    json_object_put(o);
    return n;
}

/* UPPER(col) / LOWER(col) compare the folded column with the literal as written: how a customer
 * stored with a mixed-case email is found by the lowercased one a storefront sends. */
static void test_suiteql_case_folding(void)
{
    char id[32], got[32], code[64];
    CU_ASSERT_EQUAL(write_json("POST", REC "customer", "{\"externalId\":\"CASE-7001\",\"companyName\":\"Case AB\","
                               "\"email\":\"Mixed.Case7001@Example.eu\"}", id, sizeof id, NULL, 0), 204);
    CU_ASSERT_EQUAL(write_json("POST", REC "customer", "{\"externalId\":\"CASE-7002\",\"companyName\":\"Case UTF AB\","
                               "\"email\":\"\u00e5sa.Lind@Example.se\"}", NULL, 0, code, sizeof code), 204);
    /* Plain = is case-sensitive, as in NetSuite. */
    CU_ASSERT_EQUAL(count_rows("SELECT id FROM customer WHERE email = 'mixed.case7001@example.eu'", NULL, 0), 0);
    CU_ASSERT_EQUAL(count_rows("SELECT id FROM customer WHERE email = 'Mixed.Case7001@Example.eu'", got, sizeof got), 1);
    CU_ASSERT_STRING_EQUAL(got, id);
    CU_ASSERT_EQUAL(count_rows("SELECT id FROM customer WHERE UPPER(email) = 'MIXED.CASE7001@EXAMPLE.EU' ORDER BY id",
                               got, sizeof got), 1);
    CU_ASSERT_STRING_EQUAL(got, id);
    CU_ASSERT_EQUAL(count_rows("SELECT id FROM customer WHERE LOWER(email) = 'mixed.case7001@example.eu'", got, sizeof got), 1);
    CU_ASSERT_STRING_EQUAL(got, id);
    CU_ASSERT_EQUAL(count_rows("SELECT c.id FROM customer c WHERE upper( c.email ) = 'MIXED.CASE7001@EXAMPLE.EU' "
                               "AND externalid = 'CASE-7001'", got, sizeof got), 1);
    CU_ASSERT_STRING_EQUAL(got, id);
    CU_ASSERT_EQUAL(count_rows("SELECT id FROM customer WHERE UPPER(email) IN ('X', 'MIXED.CASE7001@EXAMPLE.EU')", NULL, 0), 1);
    CU_ASSERT_EQUAL(count_rows("SELECT id FROM customer WHERE UPPER(email) <> 'MIXED.CASE7001@EXAMPLE.EU' "
                               "AND externalid = 'CASE-7001'", NULL, 0), 0);
    /* The literal is compared as written: it is not folded. */
    CU_ASSERT_EQUAL(count_rows("SELECT id FROM customer WHERE UPPER(email) = 'mixed.case7001@example.eu'", NULL, 0), 0);
    CU_ASSERT_EQUAL(count_rows("SELECT id FROM customer WHERE LOWER(email) = 'Mixed.Case7001@Example.eu'", NULL, 0), 0);
    /* ASCII folding only: the UTF-8 letter stays as stored. */
    CU_ASSERT_EQUAL(count_rows("SELECT id FROM customer WHERE UPPER(email) = '\u00e5SA.LIND@EXAMPLE.SE'", NULL, 0), 1);
    CU_ASSERT_EQUAL(count_rows("SELECT id FROM customer WHERE UPPER(email) = '\u00c5SA.LIND@EXAMPLE.SE'", NULL, 0), 0);
    /* Null columns match no comparison, folded or not. */
    CU_ASSERT_EQUAL(count_rows("SELECT id FROM customer WHERE UPPER(email) IS NULL AND externalid = 'PAGE-07'", NULL, 0), 1);

    /* Anything else is still refused. */
    const char *bad[] = {
        "SELECT id FROM customer WHERE UPPER(id) = '1'",                 /* not a text column */
        "SELECT id FROM customer WHERE UPPER(datecreated) = '1'",
        "SELECT id FROM customer WHERE UPPER email = 'X'",               /* no parentheses */
        "SELECT id FROM customer WHERE UPPER(email = 'X'",
        "SELECT id FROM customer WHERE UPPER(nosuchcolumn) = 'X'",
        "SELECT id FROM customer WHERE UPPER(UPPER(email)) = 'X'",
        "SELECT id FROM customer WHERE UPPER(email, 'x') = 'X'",
        "SELECT id FROM customer WHERE email = UPPER('x')",              /* only on the column side */
        "SELECT UPPER(email) FROM customer",                             /* not in the select list */
        "SELECT id FROM customer ORDER BY UPPER(email)",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL(count_rows(bad[i], NULL, 0), -1);
}

static void test_stock_and_fulfilment_changes_visible(void)
{
    char url[128];
    tsb_response r;
    snprintf(url, sizeof url, "%s/_sandbox/stock", sb.base);
    const char *change = "{\"changes\":[{\"sku\":\"NDT-CAP-003-ONE\",\"location\":\"2\",\"quantity\":77}]}";
    tsb_http("POST", url, NULL, change, strlen(change), &r);
    CU_ASSERT_EQUAL(r.status, 200);
    tsb_response_free(&r);
    long st;
    char since[64], q[512];
    time_t past = time(NULL) - 5;
    strftime(since, sizeof since, "%Y-%m-%d %H:%M:%S", gmtime(&past));
    snprintf(q, sizeof q,
             "SELECT item, location, quantityavailable FROM inventoryitemlocations "
             "WHERE lastquantityavailablechange > TO_TIMESTAMP('%s', 'YYYY-MM-DD HH24:MI:SS') AND location = '2'", since);
    json_object *o = suiteql(q, NULL, &st);
    CU_ASSERT_EQUAL(st, 200);
    bool found = false;
    json_object *items = tsb_member(o, "items");
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *it = json_object_array_get_idx(items, i);
        if (strcmp(tsb_str(it, "quantityavailable"), "77") == 0)
            found = true;
    }
    CU_ASSERT_TRUE(found);
    json_object_put(o);

    /* Warehouse ships every open order; tracking numbers show in SuiteQL. */
    snprintf(url, sizeof url, "%s/_sandbox/fulfilments", sb.base);
    tsb_http("POST", url, NULL, "{\"count\":100}", 13, &r);
    CU_ASSERT_EQUAL(r.status, 200);
    json_object *root = tsb_json(&r), *created = tsb_member(root, "created");
    CU_ASSERT_TRUE(json_object_array_length(created) >= 1);
    const char *tracking = tsb_str(json_object_array_get_idx(created, 0), "trackingNumber");
    char want[64];
    snprintf(want, sizeof want, "%s", tracking);
    json_object_put(root);
    tsb_response_free(&r);
    o = suiteql("SELECT id, trackingnumberlist FROM transaction WHERE type = 'ItemShip' ORDER BY id DESC", NULL, &st);
    found = false;
    items = tsb_member(o, "items");
    for (size_t i = 0; i < json_object_array_length(items); i++)
        found |= strcmp(tsb_str(json_object_array_get_idx(items, i), "trackingnumberlist"), want) == 0;
    CU_ASSERT_TRUE(found);
    json_object_put(o);
}

int main(void)
{
    CU_TestInfo auth[] = {
        {"a correct TBA signature is accepted", test_auth_accepted},
        {"bad signature refused", test_auth_bad_signature},
        {"wrong consumer key refused", test_auth_wrong_consumer_key},
        {"wrong token refused", test_auth_wrong_token},
        {"HMAC-SHA1 refused", test_auth_sha1_refused},
        {"short nonce refused", test_auth_short_nonce},
        {"stale or future timestamp refused", test_auth_stale_timestamp},
        {"replayed nonce refused", test_auth_replayed_nonce},
        {"wrong realm refused", test_auth_wrong_realm},
        {"missing or non-OAuth Authorization refused", test_auth_missing},
        {"sandbox exits cleanly", test_exits_cleanly},
        CU_TEST_INFO_NULL,
    };
    CU_TestInfo records[] = {
        {"create 204 + Location, get by id and eid, 404", test_create_and_get},
        {"duplicate externalId DUP_RCRD; duplicates counted", test_duplicate_external_id},
        {"PUT eid upsert creates then updates", test_upsert},
        {"references, fields and types checked with o:errorPath", test_reference_checks},
        {"transform to itemFulfillment, totals exact, creation order", test_transform_fulfilment_and_order},
        {"returnAuthorization and creditMemo transforms", test_return_and_credit_memo},
        {"returns: no more back than fulfilled, received by the warehouse, credited and refunded within bounds",
         test_return_receipt_credit_and_refund_rules},
        {"journal entries must balance to the cent", test_journal_balance},
        {"journals upsert by external id and a closed period refuses them", test_journals_upsert_by_external_id_and_closed_periods_refuse_them},
        {"customer deposits are checked and upserted once", test_customer_deposits_are_checked_and_upserted_once},
        {"record lock on demand", test_record_lock_on_demand},
        CU_TEST_INFO_NULL,
    };
    CU_TestInfo query[] = {
        {"paging walks every record once", test_suiteql_paging_walks_all_once},
        {"bad paging, unknown columns, other statements refused", test_suiteql_refusals},
        {"lookups by external id", test_suiteql_lookup_by_external_id},
        {"UPPER/LOWER predicates fold the column, not the literal", test_suiteql_case_folding},
        {"stock changes and fulfilments visible", test_stock_and_fulfilment_changes_visible},
        {"sandbox exits cleanly", test_exits_cleanly},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"netsuite auth", start, NULL, NULL, NULL, auth},
        {"netsuite records", NULL, NULL, NULL, NULL, records},
        {"netsuite suiteql", NULL, stop, NULL, NULL, query},
        CU_SUITE_INFO_NULL,
    };
    int rc = tsup_run_suites("sandbox/test_netsuite", suites);
    stop();
    tsb_thread_done();
    return rc;
}
