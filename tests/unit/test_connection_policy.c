/* What a connector may send where, and with which secret (issue: hostile URLs and Retry-After):
 * URLs are parsed with curl's URL API, plain http only to a literal loopback host, never with
 * credentials before the host; a refused URL is a configuration failure at once, nothing sent;
 * Retry-After is read as seconds or an HTTP-date, capped, never negative; a connection reads only
 * variables of its own system's prefix. Nothing here connects anywhere. */
#include "connectors/common/classify.h"
#include "connectors/common/connector.h"
#include "connectors/common/http.h"
#include "tests/support/harness.h"

#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

static bool allowed(const char *url)
{
    char why[512];
    return o2c_http_url_allowed(url, why, sizeof why);
}

static void test_urls_are_parsed_not_prefix_matched(void)
{
    CU_ASSERT(allowed("https://1234567.suitetalk.api.netsuite.com/services/rest"));
    CU_ASSERT(allowed("http://127.0.0.1:8080"));
    CU_ASSERT(allowed("http://127.9.8.7/graphql"));
    CU_ASSERT(allowed("http://localhost:9/x"));
    CU_ASSERT(allowed("http://[::1]:9/x"));
    /* Names that only start like loopback, credentials before the host, remote plain http. */
    CU_ASSERT(!allowed("http://127.0.0.1.evil.com/"));
    CU_ASSERT(!allowed("http://localhost.evil.com/"));
    CU_ASSERT(!allowed("http://127.0.0.1@0.0.0.0:9/"));
    CU_ASSERT(!allowed("https://user:secret@brand.centra.com/"));
    CU_ASSERT(!allowed("http://10.0.0.1/"));
    CU_ASSERT(!allowed("http://0.0.0.0:9/"));
    CU_ASSERT(!allowed("ftp://127.0.0.1/"));
    CU_ASSERT(!allowed("file:///etc/passwd"));
    CU_ASSERT(!allowed("not a url"));
    CU_ASSERT(!allowed(""));
    char why[512];
    CU_ASSERT(!o2c_http_url_allowed("http://127.0.0.1@0.0.0.0:9/", why, sizeof why));
    CU_ASSERT(strstr(why, "user name or password") != NULL);
    CU_ASSERT(!o2c_http_url_allowed("http://127.0.0.1.evil.com/", why, sizeof why));
    CU_ASSERT(strstr(why, "clear text") != NULL);
}

static void test_a_refused_url_is_a_configuration_failure_and_sends_nothing(void)
{
    struct o2c_http_request req = {.method = "POST", .url = "http://127.0.0.1@0.0.0.0:9/graphql", .body = "{}", .body_len = 2};
    struct o2c_http_response res;
    CU_ASSERT_EQUAL(o2c_http_send(&req, &res), -1);
    CU_ASSERT(res.refused);
    CU_ASSERT_EQUAL(res.status, 0);
    struct o2c_remote_answer a = {.system = "Centra", .what = "orderConnection", .status = res.status,
                                  .transport_error = res.error, .refused_url = res.refused, .retry_after_s = -1};
    struct o2c_outcome out = {0};
    CU_ASSERT(!o2c_classify_remote(&a, &out));
    CU_ASSERT_STRING_EQUAL(out.name, "failed"); /* never retried as if transient */
    json_object *v;
    CU_ASSERT(json_object_object_get_ex(out.detail, "category", &v) &&
              strcmp(json_object_get_string(v), "configuration") == 0);
    o2c_outcome_clear(&out);
    o2c_http_response_free(&res);
}

static void test_retry_after_is_read_and_capped(void)
{
    time_t now = 1796000000; /* a fixed clock */
    CU_ASSERT_EQUAL(o2c_http_parse_retry_after(" 2", now), 2);
    CU_ASSERT_EQUAL(o2c_http_parse_retry_after("0", now), 0);
    CU_ASSERT_EQUAL(o2c_http_parse_retry_after(" 2000000", now), O2C_HTTP_RETRY_AFTER_MAX_S);
    CU_ASSERT_EQUAL(o2c_http_parse_retry_after("99999999999999999999999", now), O2C_HTTP_RETRY_AFTER_MAX_S);
    CU_ASSERT_EQUAL(o2c_http_parse_retry_after("soon", now), -1);
    /* An HTTP-date: 90 seconds after the clock; one in the past is "now". */
    CU_ASSERT_EQUAL(o2c_http_parse_retry_after("Sun, 29 Nov 2026 10:15:30 GMT", 1795947240), 90);
    CU_ASSERT_EQUAL(o2c_http_parse_retry_after("Sun, 29 Nov 2026 10:15:30 GMT", 1795947240 + 1000), 0);
    /* Far in the future: capped, and as milliseconds it still fits (no wrap to negative). */
    struct o2c_remote_answer a = {.system = "NetSuite", .what = "x", .status = 429,
                                  .retry_after_s = o2c_http_parse_retry_after("Fri, 31 Dec 2100 23:59:59 GMT", now)};
    struct o2c_outcome out = {0};
    CU_ASSERT(!o2c_classify_remote(&a, &out));
    CU_ASSERT_STRING_EQUAL(out.name, "throttled");
    CU_ASSERT_EQUAL(out.delay_ms, (int)(O2C_HTTP_RETRY_AFTER_MAX_S * 1000));
    o2c_outcome_clear(&out);
}

static void test_a_connection_reads_only_its_own_systems_variables(void)
{
    setenv("NETSUITE_TOKEN_SECRET", "right", 1);
    setenv("DATABASE_URL_FOR_TEST", "postgresql://secret", 1);
    setenv("CENTRA_TOKEN", "centra-token", 1);
    struct o2c_step step = {0};
    step.connection_system = "netsuite";
    step.connection_secrets = "{\"token_secret\":\"DATABASE_URL_FOR_TEST\",\"other\":\"CENTRA_TOKEN\"}";
    CU_ASSERT_PTR_NULL(o2c_step_secret(&step, "token_secret", "NETSUITE_TOKEN_SECRET"));
    CU_ASSERT_PTR_NULL(o2c_step_secret(&step, "other", "NETSUITE_OTHER"));
    step.connection_secrets = "{}";
    CU_ASSERT_STRING_EQUAL(o2c_step_secret(&step, "token_secret", "NETSUITE_TOKEN_SECRET"), "right");
    step.connection_secrets = NULL;
    CU_ASSERT_PTR_NULL(o2c_step_secret(&step, "token", "CENTRA_TOKEN")); /* another system's default */
}

static CU_TestInfo tests[] = {
    {"URLs are parsed, not prefix-matched: plain http only to a literal loopback host, no userinfo",
     test_urls_are_parsed_not_prefix_matched},
    {"a refused URL is a configuration failure at once, and nothing is sent",
     test_a_refused_url_is_a_configuration_failure_and_sends_nothing},
    {"Retry-After as seconds or an HTTP-date, capped, never wrapping negative", test_retry_after_is_read_and_capped},
    {"a connection reads only variables of its own system's prefix", test_a_connection_reads_only_its_own_systems_variables},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"connection policy", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("unit/test_connection_policy", suites); }
