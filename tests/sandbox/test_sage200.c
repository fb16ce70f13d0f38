/* The Sage 200 sandbox is as strict as the published API: auth with bearer token, X-Site and
 * X-Company; plain JSON arrays; OData options validated; bodies checked against the OpenAPI
 * fields; Sage's own order totals; desktop record locks; the tunnel's 504; lost answers counted. */
#include "tests/support/harness.h"
#include "tests/support/sandbox_client.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tsb_sandbox sb;

static int set_up(void)
{
    const char *args[] = {"--fault-timeout-ms", "200", NULL};
    return tsb_start(&sb, "sage200", args);
}

static int tear_down(void) { return tsb_stop(&sb) == 0 ? 0 : -1; }

/* A request with the given credentials (NULL: the right ones). */
static long call_as(const char *token, const char *site, const char *company, const char *method, const char *path,
                    const char *body, tsb_response *res)
{
    char url[2048], auth[128], s[96], c[96];
    snprintf(url, sizeof url, "%s%s", sb.base, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "sandbox-sage200-token");
    snprintf(s, sizeof s, "X-Site: %s", site ? site : "sandbox-site");
    snprintf(c, sizeof c, "X-Company: %s", company ? company : "1");
    const char *h[] = {auth, s, c, "Content-Type: application/json", NULL};
    tsb_http(method, url, h, body, body ? strlen(body) : 0, res);
    return res->status;
}

static long call(const char *method, const char *path, const char *body, tsb_response *res)
{
    return call_as(NULL, NULL, NULL, method, path, body, res);
}

static long status_of(const char *method, const char *path, const char *body)
{
    tsb_response res;
    long s = call(method, path, body, &res);
    tsb_response_free(&res);
    return s;
}

static long control(const char *path, const char *body)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", sb.base, path);
    const char *h[] = {"Content-Type: application/json", NULL};
    tsb_response res;
    tsb_http("POST", url, h, body, strlen(body), &res);
    long s = res.status;
    tsb_response_free(&res);
    return s;
}

static long long stat(const char *key)
{
    json_object *s = tsb_stats(&sb);
    long long v = json_object_get_int64(tsb_member(s, key));
    json_object_put(s);
    return v;
}

static void test_wrong_token_site_or_company_is_401(void)
{
    tsb_response res;
    CU_ASSERT_EQUAL(call_as("nope", NULL, NULL, "GET", "/customers", NULL, &res), 401);
    tsb_response_free(&res);
    CU_ASSERT_EQUAL(call_as(NULL, "other-site", NULL, "GET", "/customers", NULL, &res), 401);
    tsb_response_free(&res);
    CU_ASSERT_EQUAL(call_as(NULL, NULL, "2", "GET", "/customers", NULL, &res), 401);
    tsb_response_free(&res);
    CU_ASSERT_EQUAL(call("GET", "/customers", NULL, &res), 200);
    json_object *arr = tsb_json(&res);
    CU_ASSERT(json_object_is_type(arr, json_type_array) && json_object_array_length(arr) > 0);
    json_object_put(arr);
    tsb_response_free(&res);
}

static void test_customer_bodies_are_checked_against_the_spec(void)
{
    /* reference: maxLength 8 in sales.json. */
    tsb_response res;
    CU_ASSERT_EQUAL(call("POST", "/customers", "{\"reference\":\"ABCDEFGHI\",\"name\":\"Anna\"}", &res), 400);
    CU_ASSERT(strstr(res.body, "\"reference\"") != NULL);
    tsb_response_free(&res);
    CU_ASSERT_EQUAL(status_of("POST", "/customers", "{\"reference\":\"ABC\"}"), 400);                    /* name required */
    CU_ASSERT_EQUAL(status_of("POST", "/customers", "{\"reference\":\"ABC\",\"name\":\"A\",\"colour\":\"x\"}"), 400); /* unknown */
    CU_ASSERT_EQUAL(status_of("POST", "/customers", "{\"reference\":\"ABC\",\"name\":\"A\",\"id\":5}"), 400);       /* read-only */
    CU_ASSERT_EQUAL(status_of("POST", "/customers", "{\"reference\":\"ABC\",\"name\":\"A\",\"credit_limit\":1.234}"), 400);
    CU_ASSERT_EQUAL(stat("refused_writes"), 5);
    CU_ASSERT_EQUAL(call("POST", "/customers", "{\"reference\":\"ABCDEFGH\",\"name\":\"Anna Berg\"}", &res), 200);
    json_object *made = tsb_json(&res);
    CU_ASSERT(json_object_get_int64(tsb_member(made, "id")) > 0);
    CU_ASSERT_STRING_EQUAL(tsb_str(made, "reference"), "ABCDEFGH");
    json_object_put(made);
    tsb_response_free(&res);
    CU_ASSERT_EQUAL(status_of("POST", "/customers", "{\"reference\":\"ABCDEFGH\",\"name\":\"Someone else\"}"), 400);
    CU_ASSERT_EQUAL(stat("existing_key_refusals"), 1);
    CU_ASSERT_EQUAL(stat("refused_writes"), 5);
    CU_ASSERT_EQUAL(status_of("POST", "/customers", "[{\"reference\":\"ABC\",\"name\":\"A\"}]"), 400); /* no JSON object */
    CU_ASSERT_EQUAL(stat("refused_writes"), 6);
}

static void test_odata_options_are_validated_strictly(void)
{
    tsb_response res;
    CU_ASSERT_EQUAL(call("GET", "/customers?%24filter=reference%20eq%20%27ABCDEFGH%27&%24select=id,reference", NULL, &res), 200);
    json_object *arr = tsb_json(&res);
    CU_ASSERT_EQUAL(json_object_array_length(arr), 1);
    CU_ASSERT_PTR_NULL(tsb_member(json_object_array_get_idx(arr, 0), "name"));
    json_object_put(arr);
    tsb_response_free(&res);
    CU_ASSERT_EQUAL(status_of("GET", "/customers?%24filter=email%20eq%20%27a%40b.c%27", NULL), 400);   /* not a field */
    CU_ASSERT_EQUAL(status_of("GET", "/customers?%24filter=reference%20eq%20123", NULL), 400);         /* wrong literal */
    CU_ASSERT_EQUAL(status_of("GET", "/customers?%24filter=reference%20eq%20%27A%27%20or%20id%20eq%201", NULL), 400);
    CU_ASSERT_EQUAL(status_of("GET", "/customers?%24top=5001", NULL), 400);
    CU_ASSERT_EQUAL(status_of("GET", "/customers?%24top=5000", NULL), 200);
    CU_ASSERT_EQUAL(status_of("GET", "/customers?%24skip=1", NULL), 400);
    CU_ASSERT_EQUAL(status_of("GET", "/customers?%24skip=1&%24orderby=id%20desc", NULL), 200);
    CU_ASSERT_EQUAL(status_of("GET", "/customers?%24expand=contacts", NULL), 400);
    CU_ASSERT_EQUAL(status_of("GET", "/customers?reference=ABC", NULL), 400);
    CU_ASSERT_EQUAL(status_of("GET", "/customers?%24top=1&%24top=2", NULL), 400);
}

static const char *order_body(const char *document, long customer)
{
    static char body[1024];
    snprintf(body, sizeof body,
             "{\"customer_id\":%ld,\"document_no\":\"%s\",\"customer_document_no\":\"%s\",\"lines\":["
             "{\"line_type\":\"EnumLineTypeStandard\",\"product_id\":1001,\"warehouse_id\":1,\"code\":\"NDT-TEE-001-XS\","
             "\"description\":\"Tee\",\"line_quantity\":3,\"selling_unit_price\":33.33333,\"unit_discount_value\":3.33333,\"tax_code_id\":10},"
             "{\"line_type\":\"EnumLineTypeCharge\",\"code\":\"CARRIAGE\",\"description\":\"Shipping\",\"selling_unit_price\":39.2,\"tax_code_id\":10},"
             "{\"line_type\":\"EnumLineTypeFreeText\",\"description\":\"Rounding\",\"selling_unit_price\":-0.01,\"tax_code_id\":13}]}",
             customer, document, document);
    return body;
}

static void test_sales_orders_are_priced_by_sage_and_checked(void)
{
    tsb_response res;
    CU_ASSERT_EQUAL(call("POST", "/sop_orders", order_body("SO-1", 501), &res), 200);
    json_object *o = tsb_json(&res);
    /* 3 × 33.33333 = 100.00, less 3 × 3.33333 = 10.00: 90.00 at 25 % = 22.50; carriage 39.20 + 9.80; −0.01 at 0 %. */
    CU_ASSERT_STRING_EQUAL(json_object_get_string(tsb_member(o, "total_net_value")), "129.19");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(tsb_member(o, "total_tax_value")), "32.30");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(tsb_member(o, "total_gross_value")), "161.49");
    json_object_put(o);
    tsb_response_free(&res);
    CU_ASSERT_EQUAL(call("POST", "/sop_orders", "{\"customer_id\":501,\"document_no\":\"X\",\"lines\":[{\"line_type\":\"EnumLineTypeStandard\","
                                               "\"product_id\":999999,\"warehouse_id\":1,\"code\":\"A\",\"description\":\"x\",\"line_quantity\":1}]}", &res), 400);
    CU_ASSERT(strstr(res.body, "lines[0].product_id") && strstr(res.body, "999999"));
    tsb_response_free(&res);
    CU_ASSERT_EQUAL(status_of("POST", "/sop_orders", "{\"customer_id\":501,\"document_no\":\"X\",\"lines\":[{\"line_type\":\"EnumLineTypeCharge\","
                                                    "\"code\":\"POSTAGE\",\"description\":\"x\",\"selling_unit_price\":1}]}"), 400);
    CU_ASSERT_EQUAL(status_of("POST", "/sop_orders", "{\"customer_id\":999,\"document_no\":\"X\",\"lines\":[]}"), 400);
    CU_ASSERT_EQUAL(status_of("POST", "/sop_orders", "{\"document_no\":\"X\",\"lines\":[]}"), 400);
    char long_no[64];
    snprintf(long_no, sizeof long_no, "%s", "1234567890123456789012345678901"); /* 31 > 30 */
    CU_ASSERT_EQUAL(status_of("POST", "/sop_orders", order_body(long_no, 501)), 400);
    CU_ASSERT_EQUAL(call("GET", "/sop_orders?%24filter=customer_document_no%20eq%20%27SO-1%27", NULL, &res), 200);
    json_object *arr = tsb_json(&res);
    CU_ASSERT_EQUAL(json_object_array_length(arr), 1);
    json_object_put(arr);
    tsb_response_free(&res);
    /* A company that requires a field of every order. */
    CU_ASSERT_EQUAL(control("/_sandbox/sage200/settings", "{\"required_field\":\"analysis_code_1\"}"), 200);
    CU_ASSERT_EQUAL(call("POST", "/sop_orders", order_body("SO-2", 501), &res), 400);
    CU_ASSERT(strstr(res.body, "analysis_code_1") != NULL);
    tsb_response_free(&res);
    CU_ASSERT_EQUAL(control("/_sandbox/sage200/settings", "{\"required_field\":null}"), 200);
}

/* The holding of product 1001 at warehouse 1, read through the API with OData (NULL on failure). */
static json_object *holding_1001(void)
{
    tsb_response res;
    json_object *arr = NULL;
    if (call("GET", "/warehouse_holdings?%24filter=product_id%20eq%201001%20and%20warehouse_id%20eq%201"
                    "&%24orderby=date_time_updated%2Cid&%24top=5", NULL, &res) == 200)
        arr = tsb_json(&res);
    tsb_response_free(&res);
    json_object *h = arr && json_object_array_length(arr) == 1 ? json_object_get(json_object_array_get_idx(arr, 0)) : NULL;
    json_object_put(arr);
    return h;
}

static long units(json_object *h, const char *field)
{
    return (long)json_object_get_double(tsb_member(h, field));
}

static void test_warehouse_holdings_move_with_goods_in_allocations_and_sales_orders(void)
{
    json_object *h = holding_1001();
    CU_ASSERT_FATAL(h != NULL);
    long confirmed = units(h, "confirmed_qty_in_stock"), allocated = units(h, "quantity_allocated");
    long by_orders = units(h, "quantity_allocated_sop"); /* the orders of the tests before */
    CU_ASSERT(confirmed > 0);
    CU_ASSERT_EQUAL(units(h, "free_stock_available"), confirmed - allocated);
    json_object_put(h);
    /* Goods in and another channel's allocation; a change below zero changes nothing. */
    CU_ASSERT_EQUAL(control("/_sandbox/sage200/holdings", "{\"changes\":[{\"product_id\":1001,\"warehouse_id\":1,"
                                                          "\"goods_in\":5,\"allocate\":2}]}"), 200);
    CU_ASSERT_EQUAL(control("/_sandbox/sage200/holdings", "{\"changes\":[{\"product_id\":1001,\"warehouse_id\":1,"
                                                          "\"goods_in\":1},{\"sku\":\"NDT-TEE-001-XS\",\"warehouse_id\":1,"
                                                          "\"allocate\":-100000}]}"), 400);
    h = holding_1001();
    CU_ASSERT_EQUAL(units(h, "confirmed_qty_in_stock"), confirmed + 5);
    CU_ASSERT_EQUAL(units(h, "quantity_allocated"), allocated + 2);
    CU_ASSERT_EQUAL(units(h, "free_stock_available"), confirmed + 5 - allocated - 2);
    json_object_put(h);
    /* A sales order of 3 allocates them from free stock. */
    CU_ASSERT_EQUAL(status_of("POST", "/sop_orders", order_body("SO-H1", 501)), 200);
    h = holding_1001();
    CU_ASSERT_EQUAL(units(h, "quantity_allocated_sop"), by_orders + 3);
    CU_ASSERT_EQUAL(units(h, "quantity_allocated"), allocated + 5);
    json_object_put(h);
    /* The date field filters; holdings are not written through the API here. */
    CU_ASSERT_EQUAL(status_of("GET", "/warehouse_holdings?%24filter=date_time_updated%20ge%202026-01-01T00%3A00%3A00Z", NULL), 200);
    CU_ASSERT_EQUAL(status_of("GET", "/warehouse_holdings?%24filter=date_time_updated%20ge%20%27yesterday%27", NULL), 400);
    CU_ASSERT_EQUAL(status_of("GET", "/warehouse_holdings?%24skip=10", NULL), 400);
    CU_ASSERT_EQUAL(status_of("POST", "/warehouse_holdings", "{\"product_id\":1001,\"warehouse_id\":1}"), 405);
}

static void test_a_record_open_in_the_desktop_client_refuses_changes_until_released(void)
{
    tsb_response res;
    CU_ASSERT_EQUAL(control("/_sandbox/sage200/lock", "{\"collection\":\"customers\",\"id\":502,\"user\":\"J.SMITH\"}"), 200);
    CU_ASSERT_EQUAL(call("PUT", "/customers/502", "{\"name\":\"Renamed\"}", &res), 400);
    CU_ASSERT(strstr(res.body, "in use by J.SMITH") != NULL);
    tsb_response_free(&res);
    CU_ASSERT_EQUAL(status_of("POST", "/sop_orders", order_body("SO-3", 502)), 400);
    CU_ASSERT_EQUAL(stat("locked_refusals"), 2);
    CU_ASSERT_EQUAL(control("/_sandbox/sage200/release", "{\"collection\":\"customers\",\"id\":502}"), 200);
    CU_ASSERT_EQUAL(status_of("PUT", "/customers/502", "{\"name\":\"Renamed\"}"), 200);
    CU_ASSERT_EQUAL(status_of("POST", "/sop_orders", order_body("SO-3", 502)), 200);
}

static void test_the_tunnel_down_is_504_and_a_lost_answer_still_creates(void)
{
    CU_ASSERT_EQUAL(control("/_sandbox/sage200/tunnel", "{\"down\":true}"), 200);
    CU_ASSERT_EQUAL(status_of("GET", "/customers", NULL), 504);
    CU_ASSERT_EQUAL(control("/_sandbox/sage200/tunnel", "{\"down\":false}"), 200);
    CU_ASSERT_EQUAL(status_of("GET", "/customers", NULL), 200);
    long long before = stat("duplicate_customer_document_nos");
    CU_ASSERT_EQUAL(control("/_sandbox/sage200/lose_answers", "{\"count\":1}"), 200);
    CU_ASSERT_EQUAL(status_of("POST", "/sop_orders", order_body("SO-4", 501)), 504);
    CU_ASSERT_EQUAL(stat("lost_answers"), 1);
    tsb_response res;
    CU_ASSERT_EQUAL(call("GET", "/sop_orders?%24filter=customer_document_no%20eq%20%27SO-4%27", NULL, &res), 200);
    json_object *arr = tsb_json(&res);
    CU_ASSERT_EQUAL(json_object_array_length(arr), 1);
    json_object_put(arr);
    tsb_response_free(&res);
    /* A client that does not search first makes a second one: counted. */
    CU_ASSERT_EQUAL(status_of("POST", "/sop_orders", order_body("SO-4", 501)), 200);
    CU_ASSERT_EQUAL(stat("duplicate_customer_document_nos"), before + 1);
}

static CU_TestInfo tests[] = {
    {"a wrong token, X-Site or X-Company is 401; collections are plain arrays", test_wrong_token_site_or_company_is_401},
    {"customer bodies are checked against the spec (a 9-character reference is refused)", test_customer_bodies_are_checked_against_the_spec},
    {"OData options are validated strictly", test_odata_options_are_validated_strictly},
    {"sales orders are priced by Sage and checked", test_sales_orders_are_priced_by_sage_and_checked},
    {"warehouse holdings move with goods in, allocations and sales orders",
     test_warehouse_holdings_move_with_goods_in_allocations_and_sales_orders},
    {"a record open in the desktop client refuses changes until released", test_a_record_open_in_the_desktop_client_refuses_changes_until_released},
    {"the tunnel down is 504, and a lost answer still creates", test_the_tunnel_down_is_504_and_a_lost_answer_still_creates},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    CU_SuiteInfo suites[] = {
        {"sage200 sandbox", set_up, tear_down, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return tsup_run_suites("sandbox/test_sage200", suites);
}
