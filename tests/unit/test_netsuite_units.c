/* Unit tests of the NetSuite connector's pieces that need no network: SuiteQL text built from
 * untrusted values (quotes doubled, control characters and odd names refused), which 404s mean
 * "no such record", and reading a body that may have been cut off in transit. */
#include "connectors/netsuite/netsuite.h"
#include "tests/support/harness.h"

#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

static void expect_literal(const char *value, const char *want)
{
    char *got = netsuite_suiteql_literal(value);
    if (!want) {
        CU_ASSERT_PTR_NULL(got);
    } else {
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        CU_ASSERT_STRING_EQUAL(got, want);
    }
    free(got);
}

static void test_literals(void)
{
    expect_literal("shopper@example.se", "'shopper@example.se'");
    expect_literal("o'brien@example.com", "'o''brien@example.com'");
    expect_literal("''", "''''''");
    expect_literal("", "''");
    /* The classic: the quote stays inside the literal, so the rest is text, not SuiteQL. */
    expect_literal("x' OR '1'='1", "'x'' OR ''1''=''1'");
    /* A backslash is not an escape in SQL literals; UTF-8 passes unchanged. */
    expect_literal("a\\'b", "'a\\''b'");
    expect_literal("åsa.lindqvist@example.se", "'åsa.lindqvist@example.se'");
    /* Control characters are refused, not escaped. */
    expect_literal("a\nb", NULL);
    expect_literal("a\rb", NULL);
    expect_literal("tab\there", NULL);
    expect_literal("del\x7f", NULL);
    expect_literal("\x01", NULL);
    expect_literal(NULL, NULL);
    CU_ASSERT(netsuite_suiteql_value_ok("o'brien"));
    CU_ASSERT_FALSE(netsuite_suiteql_value_ok("o'brien\n"));
}

static void test_names(void)
{
    CU_ASSERT(netsuite_suiteql_name("customer", false));
    CU_ASSERT(netsuite_suiteql_name("salesOrder", true));
    CU_ASSERT_FALSE(netsuite_suiteql_name("salesOrder", false));
    const char *bad[] = {"", "email;", "e-mail", "t.id", "email ", "id--", "x'", "col1", "a_b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_FALSE(netsuite_suiteql_name(bad[i], true));
    CU_ASSERT_FALSE(netsuite_suiteql_name(NULL, true));
    char longest[70];
    memset(longest, 'a', sizeof longest);
    longest[64] = '\0';
    CU_ASSERT(netsuite_suiteql_name(longest, false));
    longest[64] = 'a';
    longest[65] = '\0';
    CU_ASSERT_FALSE(netsuite_suiteql_name(longest, false));
}

static void test_find_query(void)
{
    char err[200] = "";
    const char *cols[] = {"email", "lastname"}, *vals[] = {"o'brien@example.com", "O'Brien"};
    char *q = netsuite_suiteql_find_query("customer", 1, cols, vals, NULL, "id", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    CU_ASSERT_STRING_EQUAL(q, "SELECT id FROM customer WHERE email = 'o''brien@example.com' ORDER BY id");
    free(q);
    q = netsuite_suiteql_find_query("customer", 2, cols, vals, NULL, "datecreated", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    CU_ASSERT_STRING_EQUAL(q, "SELECT id FROM customer WHERE email = 'o''brien@example.com' AND lastname = 'O''Brien' "
                              "ORDER BY datecreated");
    free(q);

    /* Every refusal says why, and nothing is built. */
    const char *bad_col[] = {"email = 'x' OR id"};
    CU_ASSERT_PTR_NULL(netsuite_suiteql_find_query("customer", 1, bad_col, vals, NULL, "id", err, sizeof err));
    CU_ASSERT(strstr(err, "not a SuiteQL column") != NULL);
    CU_ASSERT_PTR_NULL(netsuite_suiteql_find_query("customer c; DROP", 1, cols, vals, NULL, "id", err, sizeof err));
    CU_ASSERT(strstr(err, "not a SuiteQL table") != NULL);
    CU_ASSERT_PTR_NULL(netsuite_suiteql_find_query("customer", 1, cols, vals, NULL, "id DESC", err, sizeof err));
    CU_ASSERT(strstr(err, "order_by") != NULL);
    CU_ASSERT_PTR_NULL(netsuite_suiteql_find_query("customer", 0, cols, vals, NULL, "id", err, sizeof err));
    CU_ASSERT(strstr(err, "any record would match") != NULL);
    const char *newline[] = {"a@example.com\n"};
    CU_ASSERT_PTR_NULL(netsuite_suiteql_find_query("customer", 1, cols, newline, NULL, "id", err, sizeof err));
    CU_ASSERT(strstr(err, "control character") != NULL);
}

/* ignore_case: the column upper-cased by NetSuite, the value upper-cased here (ASCII only), quotes
 * still doubled; the other columns as they were. */
static void test_find_query_ignore_case(void)
{
    char err[200] = "";
    const char *cols[] = {"email", "lastname"};
    const char *vals[] = {"customer9001@example.eu", "o'brien"};
    const bool email_only[] = {true, false}, both[] = {true, true}, none[] = {false, false};
    char *q = netsuite_suiteql_find_query("customer", 1, cols, vals, email_only, "id", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    CU_ASSERT_STRING_EQUAL(q, "SELECT id FROM customer WHERE UPPER(email) = 'CUSTOMER9001@EXAMPLE.EU' ORDER BY id");
    free(q);
    q = netsuite_suiteql_find_query("customer", 2, cols, vals, email_only, "id", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    CU_ASSERT_STRING_EQUAL(q, "SELECT id FROM customer WHERE UPPER(email) = 'CUSTOMER9001@EXAMPLE.EU' "
                              "AND lastname = 'o''brien' ORDER BY id");
    free(q);
    q = netsuite_suiteql_find_query("customer", 2, cols, vals, both, "id", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    CU_ASSERT_STRING_EQUAL(q, "SELECT id FROM customer WHERE UPPER(email) = 'CUSTOMER9001@EXAMPLE.EU' "
                              "AND UPPER(lastname) = 'O''BRIEN' ORDER BY id");
    free(q);
    /* All false is the same query as no list. */
    q = netsuite_suiteql_find_query("customer", 2, cols, vals, none, "id", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    CU_ASSERT_STRING_EQUAL(q, "SELECT id FROM customer WHERE email = 'customer9001@example.eu' "
                              "AND lastname = 'o''brien' ORDER BY id");
    free(q);

    /* Injection stays inside the literal, upper-cased with it; UTF-8 and digits pass unchanged. */
    const char *tricky[] = {"x' or email <> 'x", "åsa.lind+tag@example.se"};
    q = netsuite_suiteql_find_query("customer", 1, cols, tricky, email_only, "id", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    CU_ASSERT_STRING_EQUAL(q, "SELECT id FROM customer WHERE UPPER(email) = 'X'' OR EMAIL <> ''X' ORDER BY id");
    free(q);
    q = netsuite_suiteql_find_query("customer", 1, cols, tricky + 1, email_only, "id", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    /* Not ASCII: NetSuite would fold the å too, so the exact spelling is matched instead. */
    CU_ASSERT_PTR_NOT_NULL(strstr(q, "WHERE email = '"));
    CU_ASSERT_PTR_NULL(strstr(q, "UPPER"));
    free(q);
    /* Mixed case in, upper case out; already upper stays so. */
    const char *mixed[] = {"Customer9001@Example.EU"};
    q = netsuite_suiteql_find_query("customer", 1, cols, mixed, email_only, "id", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    CU_ASSERT_STRING_EQUAL(q, "SELECT id FROM customer WHERE UPPER(email) = 'CUSTOMER9001@EXAMPLE.EU' ORDER BY id");
    free(q);

    /* The refusals do not change. */
    const char *newline[] = {"a@example.com\n"};
    CU_ASSERT_PTR_NULL(netsuite_suiteql_find_query("customer", 1, cols, newline, email_only, "id", err, sizeof err));
    CU_ASSERT(strstr(err, "control character") != NULL);
    const char *bad_col[] = {"email) = 'x' OR (id"};
    CU_ASSERT_PTR_NULL(netsuite_suiteql_find_query("customer", 1, bad_col, vals, email_only, "id", err, sizeof err));
    CU_ASSERT(strstr(err, "not a SuiteQL column") != NULL);
}

static struct o2c_http_response answer(long status, const char *body)
{
    struct o2c_http_response res;
    memset(&res, 0, sizeof res);
    res.status = status;
    res.body = (char *)body;
    res.body_len = strlen(body);
    res.retry_after_s = -1;
    return res;
}

static void test_not_found(void)
{
    struct o2c_http_response res = answer(404, "{\"type\":\"x\",\"title\":\"Not Found\",\"status\":404,\"o:errorDetails\":"
                                               "[{\"detail\":\"The record instance does not exist.\",\"o:errorCode\":\"NONEXISTENT_ID\"}]}");
    CU_ASSERT(netsuite_is_not_found(&res));
    res = answer(404, "{\"status\":404,\"o:errorDetails\":[{\"detail\":\"Record not found\",\"o:errorCode\":\"RECORD_NOT_FOUND\"}]}");
    CU_ASSERT(netsuite_is_not_found(&res));
    /* A 404 that is about our request, not the record: an unknown record type, or a proxy page. */
    res = answer(404, "{\"status\":404,\"o:errorDetails\":[{\"detail\":\"Record type 'x' does not exist.\","
                      "\"o:errorCode\":\"INVALID_PARAMETER\"}]}");
    CU_ASSERT_FALSE(netsuite_is_not_found(&res));
    res = answer(404, "<html>Not Found</html>");
    CU_ASSERT_FALSE(netsuite_is_not_found(&res));
    res = answer(400, "{\"o:errorDetails\":[{\"o:errorCode\":\"NONEXISTENT_ID\"}]}");
    CU_ASSERT_FALSE(netsuite_is_not_found(&res));
}

static void test_parse_object(void)
{
    struct o2c_http_response res = answer(200, "{\"items\":[{\"id\":\"7\"}]}\r\n");
    json_object *o = netsuite_parse_object(&res);
    CU_ASSERT_PTR_NOT_NULL(o);
    json_object_put(o);
    const char *bad[] = {"", "{\"items\":[{\"id\":\"7\"}", "{\"items\":[]} trailing", "[1,2]", "\"text\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        res = answer(200, bad[i]);
        o = netsuite_parse_object(&res);
        CU_ASSERT_PTR_NULL(o);
        json_object_put(o);
    }
}

static CU_TestInfo tests[] = {
    {"SuiteQL literals double quotes and refuse control characters", test_literals},
    {"SuiteQL names are plain letters", test_names},
    {"find queries are built only from checked names and escaped values", test_find_query},
    {"ignore_case: UPPER(column) against the value upper-cased, quotes still doubled", test_find_query_ignore_case},
    {"only a 404 naming a missing record is not found", test_not_found},
    {"bodies are read to the last byte", test_parse_object},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"netsuite units", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("unit/test_netsuite_units", suites); }
