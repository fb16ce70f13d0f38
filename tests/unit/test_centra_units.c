/* Unit tests of the Centra connector's pieces that need no network: how answers become outcomes
 * (including shapes the sandbox does not produce, such as a GraphQL THROTTLED code) and how
 * DateTimeTz values are read. */
#include "connectors/centra/centra.h"
#include "tests/support/harness.h"

#include <CUnit/CUnit.h>
#include <string.h>

/* Classifies an answer with status and body (NULL = unreadable); returns the outcome's name. */
static const char *classify(long status, long retry_after_s, const char *body, struct o2c_outcome *out, bool *ok)
{
    struct o2c_http_response res;
    memset(&res, 0, sizeof res);
    res.status = status;
    res.retry_after_s = retry_after_s;
    res.body = (char *)(body ? body : "");
    res.body_len = strlen(res.body);
    if (status == 0)
        strcpy(res.error, "Connection reset by peer");
    o2c_outcome_clear(out);
    json_object *root = body ? json_tokener_parse(body) : NULL;
    *ok = centra_classify(&res, root, "orderConnection (test)", out);
    json_object_put(root);
    return out->name;
}

static const char *detail(const struct o2c_outcome *out, const char *key)
{
    json_object *v;
    return out->detail && json_object_object_get_ex(out->detail, key, &v) ? json_object_get_string(v) : "";
}

static void test_transient_answers(void)
{
    struct o2c_outcome out = {0};
    bool ok;
    CU_ASSERT_STRING_EQUAL(classify(0, -1, NULL, &out, &ok), "retry");
    CU_ASSERT(!ok);
    CU_ASSERT(strstr(detail(&out, "message"), "no answer from Centra to orderConnection (test): Connection reset") != NULL);

    CU_ASSERT_STRING_EQUAL(classify(429, 3, "{\"errors\":[{\"message\":\"Too many requests\",\"extensions\":"
                                            "{\"category\":\"throttled\"}}]}", &out, &ok), "throttled");
    CU_ASSERT_EQUAL(out.delay_ms, 3000);
    CU_ASSERT(strstr(detail(&out, "message"), "Too many requests") != NULL);

    /* Shopify-style GraphQL throttling: HTTP 200, no Retry-After, a THROTTLED code: the shared
     * rules wait 250-750 ms, spread out. */
    CU_ASSERT_STRING_EQUAL(classify(200, -1, "{\"errors\":[{\"message\":\"Throttled\",\"extensions\":{\"code\":\"THROTTLED\"}}]}",
                                    &out, &ok), "throttled");
    CU_ASSERT(out.delay_ms >= 250 && out.delay_ms < 750);
    /* One throttle among other errors still means "come back later", not "our query is wrong". */
    CU_ASSERT_STRING_EQUAL(classify(200, -1, "{\"errors\":[{\"message\":\"Cannot query field x\"},"
                                             "{\"message\":\"Throttled\"}]}", &out, &ok), "throttled");

    CU_ASSERT_STRING_EQUAL(classify(503, 5, "{\"errors\":[{\"message\":\"Service Unavailable\"}]}", &out, &ok), "retry");
    CU_ASSERT_EQUAL(out.delay_ms, 5000);
    CU_ASSERT(strstr(detail(&out, "message"), "HTTP 503") != NULL);
    CU_ASSERT_STRING_EQUAL(classify(502, -1, "<html>bad gateway</html>", &out, &ok), "retry");
    CU_ASSERT_EQUAL(out.delay_ms, -1);

    /* A 200 whose body was cut off, or that carries no data object. */
    CU_ASSERT_STRING_EQUAL(classify(200, -1, NULL, &out, &ok), "retry");
    CU_ASSERT(strstr(detail(&out, "message"), "could not be read") != NULL);
    CU_ASSERT_STRING_EQUAL(classify(200, -1, "{\"data\":null}", &out, &ok), "retry");
    CU_ASSERT_STRING_EQUAL(classify(200, -1, "[1,2]", &out, &ok), "retry");
    o2c_outcome_clear(&out);
}

static void test_permanent_answers(void)
{
    struct o2c_outcome out = {0};
    bool ok;
    CU_ASSERT_STRING_EQUAL(classify(401, -1, "{\"errors\":[{\"message\":\"Invalid token\",\"extensions\":"
                                             "{\"category\":\"authentication\"}}]}", &out, &ok), "failed");
    CU_ASSERT_STRING_EQUAL(detail(&out, "category"), "remote_auth");
    CU_ASSERT_STRING_EQUAL(detail(&out, "severity"), "critical");
    CU_ASSERT_STRING_EQUAL(detail(&out, "owner"), "engineering");
    CU_ASSERT(strstr(detail(&out, "message"), "Invalid token") != NULL);

    CU_ASSERT_STRING_EQUAL(classify(200, -1, "{\"data\":{\"orderConnection\":null},\"errors\":[{\"message\":"
                                             "\"You need Customer:read permission to access this field.\",\"extensions\":"
                                             "{\"category\":\"authorization\"},\"path\":[\"orderConnection\",\"edges\",0,\"node\",\"customer\"]}]}",
                                    &out, &ok), "failed");
    CU_ASSERT(!ok);
    CU_ASSERT_STRING_EQUAL(detail(&out, "category"), "remote_permission");
    CU_ASSERT_STRING_EQUAL(detail(&out, "owner"), "engineering");
    CU_ASSERT(strstr(detail(&out, "message"), "Customer:read permission") != NULL);
    CU_ASSERT(strstr(detail(&out, "message"), "(at orderConnection.edges.0.node.customer)") != NULL);

    CU_ASSERT_STRING_EQUAL(classify(200, -1, "{\"errors\":[{\"message\":\"Cannot query field \\\"nmber\\\" on type \\\"Order\\\".\","
                                             "\"locations\":[{\"line\":1,\"column\":3}]}]}", &out, &ok), "failed");
    CU_ASSERT_STRING_EQUAL(detail(&out, "category"), "workflow_error");
    CU_ASSERT_STRING_EQUAL(detail(&out, "owner"), "engineering");
    CU_ASSERT(strstr(detail(&out, "message"), "Cannot query field \"nmber\"") != NULL);

    CU_ASSERT_STRING_EQUAL(classify(400, -1, "{\"errors\":[{\"message\":\"Body is not JSON\"}]}", &out, &ok), "failed");
    CU_ASSERT_STRING_EQUAL(detail(&out, "category"), "workflow_error");
    CU_ASSERT_STRING_EQUAL(classify(404, -1, "not found", &out, &ok), "failed");
    CU_ASSERT(strstr(detail(&out, "message"), "HTTP 404") != NULL);
    o2c_outcome_clear(&out);
}

static void test_success(void)
{
    struct o2c_outcome out = {0};
    bool ok;
    classify(200, -1, "{\"data\":{\"orderConnection\":{\"edges\":[]}},\"extensions\":{\"complexity\":3}}", &out, &ok);
    CU_ASSERT(ok);
    CU_ASSERT_STRING_EQUAL(out.name, "");
    o2c_outcome_clear(&out);
}

static void test_times(void)
{
    int64_t a, b;
    CU_ASSERT(centra_parse_time("2026-11-23T10:01:06+00:00", &a));
    CU_ASSERT(centra_parse_time("2026-11-23T10:01:06Z", &b));
    CU_ASSERT_EQUAL(a, b);
    CU_ASSERT_EQUAL(a, INT64_C(1795428066) * 1000000);
    CU_ASSERT(centra_parse_time("2026-11-23T11:01:06+01:00", &b));
    CU_ASSERT_EQUAL(a, b);
    CU_ASSERT(centra_parse_time("2026-11-23T05:01:06-0500", &b));
    CU_ASSERT_EQUAL(a, b);
    CU_ASSERT(centra_parse_time("2026-11-23T10:01:06.25Z", &b));
    CU_ASSERT_EQUAL(b - a, 250000);
    CU_ASSERT(centra_parse_time("1970-01-01T00:00:00Z", &b));
    CU_ASSERT_EQUAL(b, 0);
    const char *bad[] = {"", "yesterday", "2026-11-23", "2026-11-23T10:01:06", "2026-13-01T00:00:00Z",
                         "2026-11-23T24:00:00Z", "2026-11-23T10:01:06+00:00 ", "2026-11-23T10:01:06.Z",
                         "2026-11-23T10:01:06+0", "2026-11-32T10:01:06Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_FALSE(centra_parse_time(bad[i], &b));
    CU_ASSERT_FALSE(centra_parse_time(NULL, &b));
}

static CU_TestInfo tests[] = {
    {"429, THROTTLED, 5xx, resets and unreadable bodies are throttled or retry", test_transient_answers},
    {"bad token, missing permission and a wrong query are failed with owners", test_permanent_answers},
    {"a clean answer is success", test_success},
    {"DateTimeTz values are read as instants", test_times},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"centra units", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("unit/test_centra_units", suites); }
