/* The order mapping (o2c_action.map_order: Centra → canonical → NetSuite), called directly on
 * Centra orders as Centra's GraphQL returns them: the lines, taxes, discount and shipping it
 * posts, to the cent; and every reason it stops an order, with the owner and the words the
 * people fixing it read. The end-to-end test (test_order_to_cash) runs it against the sandboxes. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

static char conninfo[1024];
static PGconn *db;

/* A Swedish order as Centra sends it: one line at a 20 % campaign price, shipping, 25 % VAT
 * included in the prices. */
static const char *const SWEDISH_ORDER =
    "{\"id\":5,\"number\":1005,\"status\":\"CONFIRMED\",\"createdAt\":\"2026-11-23T23:54:04+00:00\","
    "\"currency\":{\"code\":\"SEK\"},\"grandTotal\":{\"value\":288.2},"
    "\"totals\":{\"itemsTotal\":{\"value\":239.2},\"discount\":{\"value\":59.8},\"shipping\":{\"value\":49.0},"
    "\"taxAdded\":{\"value\":0.0},\"taxIncluded\":{\"value\":57.64},\"grandTotal\":{\"value\":288.2}},"
    "\"discountsApplied\":[{\"name\":\"Winter sale 20 %\",\"code\":\"WINTER20\",\"value\":{\"value\":59.8}}],"
    "\"paymentMethod\":{\"id\":1,\"uri\":\"klarna-checkout\"},"
    "\"customer\":{\"id\":9001,\"email\":\"Customer9001@Example.eu\",\"firstName\":\"Astrid\",\"lastName\":\"Lindqvist\"},"
    "\"billingAddress\":{\"firstName\":\"Astrid\",\"lastName\":\"Lindqvist\",\"address1\":\"Prinsengracht 96\","
    "\"address2\":null,\"city\":\"Stockholm\",\"zipCode\":\"170 48\",\"country\":{\"code\":\"SE\"}},"
    "\"shippingAddress\":{\"firstName\":\"Astrid\",\"lastName\":\"Lindqvist\",\"address1\":\"Prinsengracht 96\","
    "\"city\":\"Stockholm\",\"zipCode\":\"170 48\",\"country\":{\"code\":\"SE\"},\"phoneNumber\":\"+46 8 123\"},"
    "\"lines\":[{\"id\":14,\"productName\":\"Field Cap 009 Sand ONE\",\"productSize\":{\"SKU\":\"NDT-CAP-009-ONE\"},"
    "\"quantity\":1,\"cancelledQuantity\":0,\"unitOriginalPrice\":{\"value\":299.0},\"unitPrice\":{\"value\":239.2},"
    "\"taxPercent\":25.0,\"lineValue\":{\"value\":239.2},\"lineValueExTax\":{\"value\":191.36}}]}";

/* An American order: tax added (exempt here), two lines of two units, shipping, no campaign. */
static const char *const AMERICAN_ORDER =
    "{\"number\":1006,\"status\":\"PENDING\",\"createdAt\":\"2026-11-23T10:00:00+00:00\",\"currency\":{\"code\":\"USD\"},"
    "\"grandTotal\":{\"value\":143.95},\"totals\":{\"shipping\":{\"value\":5.95},\"taxAdded\":{\"value\":0},"
    "\"taxIncluded\":{\"value\":0}},\"paymentMethod\":{\"uri\":\"stripe-checkout\"},"
    "\"customer\":{\"id\":12000,\"email\":\"shopper12000@example.com\",\"firstName\":\"Mason\",\"lastName\":\"Miller\"},"
    "\"shippingAddress\":{\"address1\":\"Bedford Ave 7\",\"city\":\"Brooklyn\",\"zipCode\":\"11211\",\"country\":{\"code\":\"US\"}},"
    "\"lines\":[{\"id\":1,\"productSize\":{\"SKU\":\"NDT-TEE-001-M\"},\"quantity\":2,\"unitOriginalPrice\":{\"value\":44.0},"
    "\"unitPrice\":{\"value\":44.0},\"taxPercent\":0,\"lineValue\":{\"value\":88.0},\"lineValueExTax\":{\"value\":88.0}},"
    "{\"id\":2,\"productSize\":{\"SKU\":\"NDT-CAP-009-ONE\"},\"quantity\":2,\"unitOriginalPrice\":{\"value\":25.0},"
    "\"unitPrice\":{\"value\":25.0},\"taxPercent\":0,\"lineValue\":{\"value\":50.0},\"lineValueExTax\":{\"value\":50.0}},"
    "{\"id\":3,\"productSize\":{\"SKU\":\"NDT-TEE-002-M\"},\"quantity\":0,\"cancelledQuantity\":1,\"unitOriginalPrice\":{\"value\":44.0},"
    "\"unitPrice\":{\"value\":44.0},\"taxPercent\":0,\"lineValue\":{\"value\":0},\"lineValueExTax\":{\"value\":0}}]}";

static int set_up(void)
{
    db = tpg_fresh("o2c_test_order_mapping", conninfo, sizeof conninfo);
    if (!db)
        return -1;
    static const char *const MAPPINGS[] = {
        "insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id) values "
        "  ('centra', 'NDT-CAP-009-ONE', 'netsuite', '1217'), ('centra', 'NDT-TEE-001-M', 'netsuite', '1003')",
        "insert into o2c.tax_map (storefront_connection, country, rate_percent, erp_connection, erp_tax_code_id) values "
        "  ('centra', 'SE', 25, 'netsuite', '10'), ('centra', 'US', 0, 'netsuite', '13')",
        "insert into o2c.currency_map (erp_connection, currency, erp_currency_id, minor_digits) values "
        "  ('netsuite', 'SEK', '1', 2), ('netsuite', 'USD', '3', 2)",
        "insert into o2c.payment_map (storefront_connection, payment_method, erp_connection, erp_payment_method_id) values "
        "  ('centra', 'klarna-checkout', 'netsuite', '7'), ('centra', 'stripe-checkout', 'netsuite', '9')",
        "insert into o2c.location_map (storefront_connection, country, erp_connection, erp_location_id) values "
        "  ('centra', 'SE', 'netsuite', '1'), ('centra', 'US', 'netsuite', '2')",
        "insert into o2c.erp_setting (erp_connection, name, value) values ('netsuite', 'subsidiary_id', '1'), "
        "  ('netsuite', 'shipping_item_id', '2001'), ('netsuite', 'discount_item_id', '2002')",
    };
    for (size_t i = 0; i < sizeof MAPPINGS / sizeof *MAPPINGS; i++)
        if (!tpg_ok(db, MAPPINGS[i], 0, NULL))
            return -1;
    return 0;
}

static int tear_down(void)
{
    PQfinish(db);
    return 0;
}

/* The mapping's answer for order $1 changed by the SQL expression `order_expr` (over `o`), as
 * the text of one field of it picked by `field` (a jsonb expression over `r`, the answer with
 * the sales order's JSON text read as JSON, or over `raw`, the answer as it is). */
static void answer(const char *order, const char *order_expr, const char *field, char *out, size_t len)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "select (%s)::text from (select raw, case when jsonb_typeof(raw#>'{patch,sales_order_body}') = 'string' "
             "then jsonb_set(raw, '{patch,sales_order_body}', (raw#>>'{patch,sales_order_body}')::jsonb) else raw end as r "
             "from (select o2c_action.map_order("
             "jsonb_build_object('source', 'centra', 'store', '1', 'order', %s), '{}') as raw "
             "from (select $1::jsonb as o) x) y) z", field, order_expr);
    const char *p[] = {order};
    PGresult *res = tpg_query(db, sql, 1, p);
    snprintf(out, len, "%s", res && PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "(no answer)");
    PQclear(res);
}

static void test_swedish_order_to_the_cent(void)
{
    char got[4096];
    answer(SWEDISH_ORDER, "o", "r->>'outcome'", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "ok");
    /* The sales order travels as its JSON text (cheap for the engine to carry, o2c_step_document). */
    answer(SWEDISH_ORDER, "o", "jsonb_typeof(raw#>'{patch,sales_order_body}')", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "string");
    /* Product line at the original price, Centra's tax; the discount off again with its tax
     * share; shipping with the tax Centra charged on it (57.64 − 47.84). */
    answer(SWEDISH_ORDER, "o",
           "(select string_agg(concat_ws(' ', l#>>'{item,id}', l->>'quantity', l->>'amount', l->>'tax1Amt', "
           "l#>>'{taxCode,id}', l#>>'{location,id}'), ' | ') from jsonb_array_elements(r#>'{patch,sales_order_body,item,items}') l)",
           got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "1217 1 239.20 59.80 10 1 | 2002 1 -47.84 -11.96 10 1 | 2001 1 39.20 9.80 10 1");
    answer(SWEDISH_ORDER, "o",
           "concat_ws(' ', r#>>'{patch,sales_order_external_id}', r#>>'{patch,sales_order_body,tranDate}', "
           "r#>>'{patch,sales_order_body,currency,id}', r#>>'{patch,sales_order_body,paymentMethod,id}', "
           "r#>>'{patch,sales_order_body,otherRefNum}', r#>>'{patch,sales_order_body,shippingAddress,addrPhone}', "
           "r#>>'{patch,sales_order_body,orderStatus}')", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "CENTRA-1-1005 2026-11-23 1 7 1005 +46 8 123");
    answer(SWEDISH_ORDER, "o",
           "concat_ws(' ', r#>>'{patch,customer_external_id}', r#>>'{patch,customer_email}', "
           "r#>>'{patch,customer_body,firstName}', r#>>'{patch,customer_body,lastName}', r#>>'{patch,customer_body,currency,id}')",
           got, sizeof got);
    /* The shopper's customer: one per normalised email, whatever the store (issue 15, item 8). */
    CU_ASSERT_STRING_EQUAL(got, "SHOPPER-B989C543EA6EBD60F0624515C216FD8C customer9001@example.eu Astrid Lindqvist 1");
}

static void test_american_order_tax_added_and_pending(void)
{
    char got[4096];
    answer(AMERICAN_ORDER, "o",
           "(select string_agg(concat_ws(' ', l#>>'{item,id}', l->>'quantity', l->>'amount', l->>'tax1Amt', "
           "l#>>'{location,id}'), ' | ') from jsonb_array_elements(r#>'{patch,sales_order_body,item,items}') l)",
           got, sizeof got);
    /* The wholly cancelled third line is not posted (and needs no mapping). */
    CU_ASSERT_STRING_EQUAL(got, "1003 2 88.00 0.00 2 | 1217 2 50.00 0.00 2 | 2001 1 5.95 0.00 2");
    answer(AMERICAN_ORDER, "o", "concat_ws(' ', r#>>'{patch,sales_order_body,orderStatus}', r#>>'{patch,order_total}')",
           got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "Pending Approval 143.95"); /* not paid yet: the warehouse waits */
}

static void test_unmapped_values_are_named_for_their_owner(void)
{
    char got[4096];
    /* An SKU and a tax rate nobody mapped: ops gets one exception naming both, with the SQL. */
    const char *unmapped = "jsonb_set(jsonb_set(o, '{lines,0,productSize,SKU}', '\"NDT-NEW-931-M\"'), '{lines,0,taxPercent}', '12')";
    answer(SWEDISH_ORDER, unmapped, "concat_ws(' ', r->>'outcome', r#>>'{detail,category}', r#>>'{detail,owner}')", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "failed unmapped_sku ops");
    answer(SWEDISH_ORDER, unmapped, "r#>>'{detail,message}'", got, sizeof got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "Centra order 1005 cannot be posted"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "SKU NDT-NEW-931-M (Field Cap 009 Sand ONE)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "values ('centra', 'NDT-NEW-931-M', 'netsuite', '<NetSuite item id>')"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "tax 12 % in SE"));
    /* A tax rule alone. */
    answer(SWEDISH_ORDER, "jsonb_set(o, '{lines,0,taxPercent}', '12')",
           "concat_ws(' ', r#>>'{detail,category}', r#>>'{detail,owner}')", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "unmapped_tax ops");
    /* A currency and a payment method: finance's tables. */
    answer(SWEDISH_ORDER, "jsonb_set(o, '{currency,code}', '\"NOK\"')",
           "concat_ws(' ', r#>>'{detail,category}', r#>>'{detail,owner}')", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "unmapped_currency finance");
    answer(SWEDISH_ORDER, "jsonb_set(o, '{paymentMethod,uri}', '\"swish\"')", "r#>>'{detail,message}'", got, sizeof got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "payment method swish"));
    /* Delivery to a country no warehouse serves. */
    answer(SWEDISH_ORDER, "jsonb_set(o, '{shippingAddress,country,code}', '\"FI\"')", "r#>>'{detail,message}'", got, sizeof got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "the warehouse for deliveries to FI"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "tax 25.0 % in FI"));
}

static void test_totals_that_do_not_add_up_stop_for_finance(void)
{
    char got[4096];
    answer(SWEDISH_ORDER, "jsonb_set(o, '{grandTotal,value}', '288.21')",
           "concat_ws(' ', r->>'outcome', r#>>'{detail,category}', r#>>'{detail,owner}')", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "failed total_mismatch finance");
    answer(SWEDISH_ORDER, "jsonb_set(o, '{grandTotal,value}', '288.21')", "r#>>'{detail,message}'", got, sizeof got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "come to 288.20 SEK, but Centra charged 288.21 SEK (difference 0.01)"));
    /* Tax on shipping that Centra never charged: shipping free but the tax total too high. */
    answer(SWEDISH_ORDER, "jsonb_set(jsonb_set(o, '{totals,shipping,value}', '0'), '{grandTotal,value}', '239.2')",
           "r#>>'{detail,category}'", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "total_mismatch");
    /* A tax total below the lines' own tax would leave shipping a negative tax: stopped too. */
    answer(SWEDISH_ORDER, "jsonb_set(jsonb_set(o, '{totals,taxIncluded,value}', '40'), '{grandTotal,value}', '288.2')",
           "concat_ws(' ', r#>>'{detail,category}', r#>>'{detail,owner}')", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "total_mismatch finance");
}

static void test_cancelled_and_unreadable_orders(void)
{
    char got[4096];
    answer(SWEDISH_ORDER, "jsonb_set(o, '{status}', '\"CANCELLED\"')", "r->>'outcome'", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "cancelled");
    /* Its cancellation workflow already started (the poller saw the cancel first): not posted. */
    CU_ASSERT(tpg_ok(db, "select o2c.start('order_cancellation', 'centra:1:1099:cancel', '{}')", 0, NULL));
    answer(SWEDISH_ORDER, "jsonb_set(o, '{number}', '1099')", "r->>'outcome'", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "cancelled");

    answer(SWEDISH_ORDER, "o - 'lines'", "concat_ws(' ', r->>'outcome', r#>>'{detail,category}')", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "failed bad_order_data");
    answer(SWEDISH_ORDER, "jsonb_set(o, '{createdAt}', '\"yesterday-ish\"')", "r#>>'{detail,message}'", got, sizeof got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "Centra order 1005 has an unreadable value"));
    answer(SWEDISH_ORDER, "jsonb_set(o, '{lines,0,quantity}', '\"one\"')", "r#>>'{detail,message}'", got, sizeof got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "has no readable quantity"));
    answer(SWEDISH_ORDER, "o #- '{customer,email}'", "r#>>'{detail,message}'", got, sizeof got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "lacks an email"));
}

static CU_TestInfo tests[] = {
    {"a Swedish order: lines, discount, shipping, tax to the cent", test_swedish_order_to_the_cent},
    {"an American order: tax added, cancelled line skipped, pending held", test_american_order_tax_added_and_pending},
    {"unmapped SKU, tax, currency, payment, warehouse: named, with owner and SQL", test_unmapped_values_are_named_for_their_owner},
    {"totals that do not add up stop for finance", test_totals_that_do_not_add_up_stop_for_finance},
    {"cancelled orders post nothing; unreadable ones say what is wrong", test_cancelled_and_unreadable_orders},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"order mapping", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return tsup_run_suites("integration/test_order_mapping", suites);
}
