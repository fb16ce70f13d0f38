/* The canonical model's halves on crafted orders (docs/MODEL.md): Centra → canonical
 * (o2c.centra_order_to_canonical), the checks every canonical order passes (o2c.order_problems),
 * canonical → NetSuite (o2c.canonical_order_to_netsuite), the keys built in one place, the one
 * cancellation decision, and how a canonical order is recorded (newest snapshot wins). */
#include "tests/support/harness.h"
#include "tests/support/pg.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

static char conninfo[1024];
static PGconn *db;

/* Swedish: one line at a 20 % campaign price, shipping, 25 % VAT included in the prices. */
static const char *const SWEDISH =
    "{\"id\":5,\"number\":1005,\"status\":\"CONFIRMED\",\"createdAt\":\"2026-11-23T23:54:04+00:00\","
    "\"currency\":{\"code\":\"SEK\"},\"grandTotal\":{\"value\":288.2},"
    "\"totals\":{\"shipping\":{\"value\":49.0},\"taxAdded\":{\"value\":0.0},\"taxIncluded\":{\"value\":57.64}},"
    "\"discountsApplied\":[{\"name\":\"Winter sale 20 %\",\"code\":\"WINTER20\"}],"
    "\"paymentMethod\":{\"uri\":\"klarna-checkout\",\"plugin\":\"klarna\"},"
    "\"customer\":{\"id\":9001,\"email\":\" Customer9001@Example.eu \",\"firstName\":\"Astrid\",\"lastName\":\"Lindqvist\"},"
    "\"shippingAddress\":{\"firstName\":\"Astrid\",\"lastName\":\"Lindqvist\",\"address1\":\"Prinsengracht 96\","
    "\"city\":\"Stockholm\",\"zipCode\":\"170 48\",\"country\":{\"code\":\"SE\"}},"
    "\"lines\":[{\"id\":14,\"productName\":\"Field Cap\",\"productSize\":{\"SKU\":\"NDT-CAP-009-ONE\"},"
    "\"quantity\":1,\"unitOriginalPrice\":{\"value\":299.0},\"unitPrice\":{\"value\":239.2},"
    "\"taxPercent\":25.0,\"lineValue\":{\"value\":239.2},\"lineValueExTax\":{\"value\":191.36}}]}";

/* US, tax exempt (rate 0, tax added), one line of two units partly cancelled, shipping. */
static const char *const AMERICAN =
    "{\"number\":1006,\"status\":\"CONFIRMED\",\"createdAt\":\"2026-11-23T10:00:00+00:00\",\"currency\":{\"code\":\"USD\"},"
    "\"grandTotal\":{\"value\":93.95},\"totals\":{\"shipping\":{\"value\":5.95},\"taxAdded\":{\"value\":0},\"taxIncluded\":{\"value\":0}},"
    "\"paymentMethod\":{\"uri\":\"stripe-checkout\"},\"customer\":{\"id\":12000,\"email\":\"shopper12000@example.com\"},"
    "\"shippingAddress\":{\"address1\":\"Bedford Ave 7\",\"city\":\"Brooklyn\",\"zipCode\":\"11211\",\"country\":{\"code\":\"US\"}},"
    "\"lines\":[{\"id\":1,\"productSize\":{\"SKU\":\"NDT-TEE-001-M\"},\"quantity\":2,\"cancelledQuantity\":1,"
    "\"unitOriginalPrice\":{\"value\":44.0},\"unitPrice\":{\"value\":44.0},\"taxPercent\":0,"
    "\"lineValue\":{\"value\":88.0},\"lineValueExTax\":{\"value\":88.0}}]}";

/* Japan: yen have no minor unit; 10 % consumption tax included, a campaign discount. */
static const char *const JAPANESE =
    "{\"number\":2001,\"status\":\"CONFIRMED\",\"createdAt\":\"2026-11-24T01:00:00+09:00\",\"currency\":{\"code\":\"JPY\"},"
    "\"grandTotal\":{\"value\":9900},\"totals\":{\"shipping\":{\"value\":0},\"taxAdded\":{\"value\":0},\"taxIncluded\":{\"value\":900}},"
    "\"customer\":{\"id\":77,\"email\":\"yui@example.jp\"},"
    "\"shippingAddress\":{\"city\":\"Tokyo\",\"country\":{\"code\":\"JP\"}},"
    "\"lines\":[{\"id\":9,\"productSize\":{\"SKU\":\"NDT-JKT-100-M\"},\"quantity\":1,"
    "\"unitOriginalPrice\":{\"value\":11000},\"unitPrice\":{\"value\":9900},\"taxPercent\":10,"
    "\"lineValue\":{\"value\":9900},\"lineValueExTax\":{\"value\":9000}}]}";

static int set_up(void)
{
    db = tpg_fresh("o2c_test_canonical_model", conninfo, sizeof conninfo);
    if (!db)
        return -1;
    static const char *const MAPPINGS[] = {
        "insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id) values "
        "  ('centra', 'NDT-CAP-009-ONE', 'netsuite', '1217'), ('centra', 'NDT-TEE-001-M', 'netsuite', '1003'), "
        "  ('centra', 'NDT-JKT-100-M', 'netsuite', '1400')",
        "insert into o2c.tax_map (storefront_connection, country, rate_percent, erp_connection, erp_tax_code_id) values "
        "  ('centra', 'SE', 25, 'netsuite', '10'), ('centra', 'US', 0, 'netsuite', '13'), ('centra', 'JP', 10, 'netsuite', '20')",
        "insert into o2c.currency_map (erp_connection, currency, erp_currency_id, minor_digits) values "
        "  ('netsuite', 'SEK', '1', 2), ('netsuite', 'USD', '3', 2), ('netsuite', 'JPY', '5', 0)",
        "insert into o2c.payment_map (storefront_connection, payment_method, erp_connection, erp_payment_method_id) values "
        "  ('centra', 'klarna-checkout', 'netsuite', '7'), ('centra', 'stripe-checkout', 'netsuite', '9')",
        "insert into o2c.location_map (storefront_connection, country, erp_connection, erp_location_id) values "
        "  ('centra', 'SE', 'netsuite', '1'), ('centra', 'US', 'netsuite', '2'), ('centra', 'JP', 'netsuite', '3')",
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

/* One text answer of `sql` over $1 = order (a Centra order changed by the expression `change`
 * over `o`), with `c` = its canonical half's answer. */
static void ask(const char *order, const char *change, const char *what, char *out, size_t len)
{
    char sql[4096];
    snprintf(sql, sizeof sql,
             "select (%s)::text from (select o2c.centra_order_to_canonical(%s, 'centra', '1') as c "
             "from (select $1::jsonb as o) x) y", what, change);
    const char *p[] = {order};
    PGresult *res = tpg_query(db, sql, 1, p);
    snprintf(out, len, "%s", res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : "(none)");
    PQclear(res);
}

/* The problems o2c.order_problems finds in the canonical order, "category: message; …", or "none". */
#define PROBLEM "(select coalesce(string_agg(category || ': ' || message, '; '), 'none') from o2c.order_problems(c->'record'))"
/* The NetSuite lines of the canonical order, "item qty amount tax1Amt taxcode | …". */
#define NETSUITE_LINES "(select string_agg(concat_ws(' ', l#>>'{item,id}', l->>'quantity', l->>'amount', l->>'tax1Amt', " \
                       "l#>>'{taxCode,id}'), ' | ') from jsonb_array_elements(o2c.canonical_order_to_netsuite(c->'record', " \
                       "'netsuite')#>'{sales_order,item,items}') l)"

static void test_swedish_vat_with_discount_and_shipping(void)
{
    char got[4096];
    /* Centra → canonical: the line's own net and tax, the discount share split once, shipping
     * with the tax charged beyond the lines'. */
    ask(SWEDISH, "o",
        "concat_ws(' ', c#>>'{record,order_key}', c#>>'{record,email}', c#>>'{record,lines_net}', c#>>'{record,lines_tax}', "
        "c#>>'{record,discount_net}', c#>>'{record,discount_tax}', c#>>'{record,shipping_net}', c#>>'{record,shipping_tax}', "
        "c#>>'{record,grand_total}', c#>>'{record,gateway}')", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "centra:1:1005 customer9001@example.eu 191.36 47.84 47.84 11.96 39.20 9.80 288.2 klarna");
    ask(SWEDISH, "o", PROBLEM, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "none");
    /* canonical → NetSuite: the original price, the discount off again, shipping. */
    ask(SWEDISH, "o", NETSUITE_LINES, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "1217 1 239.20 59.80 10 | 2002 1 -47.84 -11.96 10 | 2001 1 39.20 9.80 10");
}

static void test_us_exempt_and_a_line_partly_cancelled(void)
{
    char got[4096];
    ask(AMERICAN, "o",
        "(select string_agg(concat_ws(' ', l->>'kind', l->>'quantity', l->>'cancelled_quantity', l->>'net', l->>'tax'), ' | ') "
        "from jsonb_array_elements(c#>'{record,lines}') l)", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "product 2 1 88.0 0.0 | shipping 1 0 5.95 0.0");
    ask(AMERICAN, "o", PROBLEM, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "none");
    ask(AMERICAN, "o", NETSUITE_LINES, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "1003 2 88.00 0.00 13 | 2001 1 5.95 0.00 13");
    /* Wholly cancelled line: not posted, and no SKU mapping is asked for it. */
    ask(AMERICAN, "jsonb_set(jsonb_set(o, '{lines}', (o->'lines') || jsonb_build_array(jsonb_build_object('id', 2, "
        "'productSize', jsonb_build_object('SKU', 'NDT-UNMAPPED'), 'quantity', 0, 'cancelledQuantity', 1, 'taxPercent', 0))), "
        "'{grandTotal,value}', '93.95')", NETSUITE_LINES, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "1003 2 88.00 0.00 13 | 2001 1 5.95 0.00 13");
}

static void test_yen_have_no_decimals(void)
{
    char got[4096];
    ask(JAPANESE, "o", "concat_ws(' ', c#>>'{record,minor_digits}', c#>>'{record,discount_net}', c#>>'{record,discount_tax}')",
        got, sizeof got);
    /* 1,100 yen off including 10 % tax: 100 yen of it tax, whole yen. */
    CU_ASSERT_STRING_EQUAL(got, "0 1000 100");
    ask(JAPANESE, "o", PROBLEM, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "none");
    ask(JAPANESE, "o", NETSUITE_LINES, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "1400 1 10000 1000 20 | 2002 1 -1000 -100 20");
    /* Half a yen is no yen: refused, never rounded away. */
    ask(JAPANESE, "jsonb_set(jsonb_set(o, '{lines,0,lineValueExTax,value}', '9000.5'), '{grandTotal,value}', '9900')",
        PROBLEM, got, sizeof got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "bad_order_data: Centra order 2001 line 9: an amount has more decimals than JPY has (0)"));
}

static void test_totals_off_by_a_cent_and_bad_numbers(void)
{
    char got[4096];
    ask(SWEDISH, "jsonb_set(o, '{grandTotal,value}', '288.21')", PROBLEM, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "total_mismatch: Centra order 1005: its lines, discounts, shipping and taxes come to 288.20 SEK, "
                                "but Centra charged 288.21 SEK (difference 0.01); nothing was posted. Check the order in Centra.");
    /* Half a unit. */
    ask(AMERICAN, "jsonb_set(o, '{lines,0,quantity}', '0.5')", PROBLEM, got, sizeof got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "bad_order_data: Centra order 1006 line 1: quantity 0.5 is not a whole number of units"));
    /* A line value with three decimals that would round to the right total: refused all the same. */
    ask(AMERICAN, "jsonb_set(jsonb_set(o, '{lines,0,lineValue,value}', '88.004'), '{lines,0,lineValueExTax,value}', '88.004')",
        PROBLEM, got, sizeof got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "an amount has more decimals than USD has (2): net 88.004"));
    /* An unknown currency is named, with the insert that teaches o2c it. */
    ask(AMERICAN, "jsonb_set(o, '{currency,code}', '\"XTS\"')", PROBLEM, got, sizeof got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "currency XTS, which o2c does not know: insert into o2c.currency"));
}

static void test_an_order_number_beyond_int64_is_kept_exactly(void)
{
    char got[4096];
    ask(SWEDISH, "jsonb_set(o, '{number}', '92233720368547758079')",
        "concat_ws(' ', c#>>'{record,order_key}', o2c.canonical_order_to_netsuite(c->'record', 'netsuite')#>>'{sales_order,externalId}')",
        got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "centra:1:92233720368547758079 CENTRA-1-92233720368547758079");
}

static void test_keys_are_built_in_one_place(void)
{
    /* The business key the Centra poller starts order_to_cash under (connectors/centra/
     * centra_actions.c: centra:<store>:<number>) is o2c.order_key's. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from (values (o2c.order_key('centra', '1', '1005'), 'centra:1:1005'), "
                                   "(o2c.erp_external_id('order', 'centra', 'eu/1', '1005'), 'CENTRA-eu_1-1005'), "
                                   "(o2c.erp_external_id('customer', 'centra', '1', '9001'), 'CENTRA-1-C9001'), "
                                   "(o2c.erp_external_id('shopper', 'centra', '1', ' Customer9001@Example.eu '), "
                                   " o2c.erp_external_id('shopper', 'centra', '2', 'customer9001@example.eu'))) v(a, b) "
                                   "where a = b", 0, NULL), 4);
}

static void test_the_cancellation_decision(void)
{
    char got[256];
    const char *p[] = {AMERICAN};
    PGresult *r = tpg_query(db,
        "select concat_ws(' ', "
        /* the cancellation workflow's snapshot says CANCELLED */
        " o2c.order_cancellation_decision($1::jsonb, jsonb_set($1::jsonb, '{status}', '\"CANCELLED\"'), true)->>'cancelled', "
        /* every unit cancelled */
        " o2c.order_cancellation_decision($1::jsonb, jsonb_set(jsonb_set($1::jsonb, '{lines,0,quantity}', '0'), '{lines,0,cancelledQuantity}', '2'), true)->>'cancelled', "
        /* one unit of two cancelled: post the other, from the newer snapshot */
        " o2c.order_cancellation_decision(jsonb_set($1::jsonb, '{lines,0,cancelledQuantity}', '0'), $1::jsonb, true)->>'use_cancel_snapshot', "
        /* a cancellation workflow with no snapshot: the whole order */
        " o2c.order_cancellation_decision($1::jsonb, null, true)->>'cancelled', "
        /* no cancellation at all */
        " o2c.order_cancellation_decision($1::jsonb, null, false)->>'cancelled')", 1, p);
    snprintf(got, sizeof got, "%s", r && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "?");
    PQclear(r);
    CU_ASSERT_STRING_EQUAL(got, "true true true true false");
}

static void test_recorded_orders_keep_the_newest_snapshot_and_their_erp_lines(void)
{
    /* map_order records the canonical order and which NetSuite line carries which of its lines. */
    const char *p[] = {SWEDISH};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from (select o2c_action.map_order(jsonb_build_object('source', 'centra', "
                                   "'store', '1', 'order', jsonb_set($1::jsonb, '{updatedAt}', '\"2026-11-24T10:00:00Z\"')), '{}') "
                                   "->> 'outcome' as outcome) a where outcome = 'ok'", 1, p), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_order where order_key = 'centra:1:1005' "
                                   "and grand_total = 288.2 and source_updated_at = '2026-11-24T10:00:00Z'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_order_line where order_key = 'centra:1:1005'", 0, NULL), 2);
    /* NetSuite line 1 is canonical line 1 (the cap), 2 the discount (no line of its own), 3 shipping (line 2). */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.erp_order_line where order_key = 'centra:1:1005' and "
                                   "(erp_line, coalesce(order_line_no, 0)) in ((1, 1), (2, 0), (3, 2))", 0, NULL), 3);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.erp_order where order_key = 'centra:1:1005' "
                                   "and external_id = 'CENTRA-1-1005'", 0, NULL), 1);
    /* An older snapshot (a retry of an earlier read) changes nothing. */
    CU_ASSERT(tpg_ok(db, "select o2c_action.map_order(jsonb_build_object('source', 'centra', 'store', '1', 'order', "
                         "jsonb_set(jsonb_set($1::jsonb, '{updatedAt}', '\"2026-11-24T09:00:00Z\"'), '{customer,email}', "
                         "'\"old@example.eu\"')), '{}')", 1, p));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_order where order_key = 'centra:1:1005' "
                                   "and email = 'customer9001@example.eu'", 0, NULL), 1);
    /* The recorded order reads back as the record it was built from. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.order_problems(o2c.canonical_order_json('centra:1:1005'))", 0, NULL), 0);
}

/* The line tables keep their order's foreign-key rule, checked per statement (migration 0032). */
static void test_lines_name_an_order_that_exists(void)
{
    const char *p[] = {SWEDISH};
    CU_ASSERT(tpg_ok(db, "select o2c_action.map_order(jsonb_build_object('source', 'centra', 'store', '1', 'order', "
                         "jsonb_set($1::jsonb, '{number}', '7001')), '{}')", 1, p));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_order_line where order_key = 'centra:1:7001'", 0, NULL), 2);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.erp_order_line where order_key = 'centra:1:7001'", 0, NULL), 3);
    /* Lines of an order o2c does not have are refused, one statement of many rows as one row. */
    CU_ASSERT(tpg_fails_with(db, "insert into o2c.canonical_order_line (order_key, line_no, kind, quantity, net, tax) "
                                 "values ('centra:1:7001', 9, 'product', 1, 1, 0), ('centra:1:404', 1, 'product', 1, 1, 0)", 0, NULL,
                             "names order centra:1:404, which o2c.canonical_order does not have"));
    CU_ASSERT(tpg_fails_with(db, "insert into o2c.erp_order_line (order_key, erp_connection, erp_line) values ('centra:1:7001', 'sage200', 1)",
                             0, NULL, "names order centra:1:7001 on sage200, which o2c.erp_order does not have"));
    CU_ASSERT(tpg_fails_with(db, "update o2c.canonical_order_line set order_key = 'centra:1:404' where order_key = 'centra:1:7001'",
                             0, NULL, "which o2c.canonical_order does not have"));
    CU_ASSERT(tpg_fails_with(db, "update o2c.canonical_order set order_key = 'centra:1:7002' where order_key = 'centra:1:7001'",
                             0, NULL, "its key cannot change while o2c.canonical_order_line names it"));
    CU_ASSERT(tpg_fails_with(db, "update o2c.erp_order set erp_connection = 'sage200' where order_key = 'centra:1:7001'",
                             0, NULL, "its key cannot change while o2c.erp_order_line names it"));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from pg_constraint where contype = 'f' and conrelid in "
                                   "('o2c.canonical_order_line'::regclass, 'o2c.erp_order_line'::regclass)", 0, NULL), 0);
    /* A line written by hand for an order o2c has (fulfilment's repair hint) is taken. */
    CU_ASSERT(tpg_ok(db, "insert into o2c.erp_order_line (order_key, erp_connection, erp_line, order_line_no) "
                         "values ('centra:1:7001', 'netsuite', 9, 1)", 0, NULL));
    /* Deleting the order deletes its lines; other orders' lines stay. */
    long long others = tpg_number(db, "select count(*) from o2c.canonical_order_line where order_key <> 'centra:1:7001'", 0, NULL);
    CU_ASSERT(tpg_ok(db, "delete from o2c.erp_order where order_key = 'centra:1:7001'", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.erp_order_line where order_key = 'centra:1:7001'", 0, NULL), 0);
    CU_ASSERT(tpg_ok(db, "delete from o2c.canonical_order where order_key = 'centra:1:7001'", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_order_line where order_key = 'centra:1:7001'", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_order_line where order_key <> 'centra:1:7001'", 0, NULL), others);
}

static void test_an_order_the_poller_could_not_take_in_stops_for_ops(void)
{
    char got[1024];
    PGresult *r = tpg_query(db, "select concat_ws(' | ', a->>'outcome', a#>>'{detail,category}', a#>>'{detail,owner}', a#>>'{detail,message}') "
                                "from (select o2c_action.map_order('{\"source\":\"centra\",\"store\":\"1\",\"bad_order\":"
                                "{\"reason\":\"a field holds a NUL character\",\"number\":\"1004\",\"raw_base64\":\"e30=\"}}', '{}') a) x",
                            0, NULL);
    snprintf(got, sizeof got, "%s", r && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "?");
    PQclear(r);
    CU_ASSERT(strstr(got, "failed | bad_order_data | ops | Centra order 1004 could not be taken in: a field holds a NUL character.") == got);
    CU_ASSERT(strstr(got, "bad_order.raw_base64") != NULL);
}

static CU_TestInfo tests[] = {
    {"Swedish VAT with a discount and shipping, to the cent in both halves", test_swedish_vat_with_discount_and_shipping},
    {"US tax-exempt, a line partly and a line wholly cancelled", test_us_exempt_and_a_line_partly_cancelled},
    {"yen have no decimals: whole-yen tax shares, half a yen refused", test_yen_have_no_decimals},
    {"totals off by a cent, half units and three-decimal values are refused, named", test_totals_off_by_a_cent_and_bad_numbers},
    {"an order number beyond int64 is kept exactly", test_an_order_number_beyond_int64_is_kept_exactly},
    {"business keys and external ids are built in one place", test_keys_are_built_in_one_place},
    {"one cancellation decision: whole, partial, none", test_the_cancellation_decision},
    {"recorded orders keep the newest snapshot and their ERP line links", test_recorded_orders_keep_the_newest_snapshot_and_their_erp_lines},
    {"an order's lines name an order that exists; deleting the order deletes them", test_lines_name_an_order_that_exists},
    {"an order the poller could not take in stops for ops, its raw text kept", test_an_order_the_poller_could_not_take_in_stops_for_ops},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"canonical model", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_canonical_model", suites); }
