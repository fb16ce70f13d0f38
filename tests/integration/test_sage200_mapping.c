/* The canonical → Sage 200 half on crafted orders (sql/api/sage200_canonical.sql): customer
 * references allocated once, deterministic and collision-free; each line laid out so that Sage's
 * own per-line VAT is the VAT charged, the pennies moved on one zero-rated rounding line, and
 * Sage's arithmetic over the bodies giving the canonical totals to the penny; what is missing
 * named with the SQL that adds it. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char conninfo[1024];
static PGconn *db;

/* Tee: 3 × 100.00 incl. 25 % VAT less 25.00 campaign → 220.00 + 55.00. Cap: 10.02 incl. → 8.02 +
 * 2.00, where Sage's own VAT on 8.02 would be 2.01. Shipping 49.00 incl. → 39.20 + 9.80. */
static const char *ORDER =
    "{\"order_key\":\"centra:1:7001\",\"channel\":\"centra\",\"connection\":\"centra\",\"store\":\"1\",\"number\":\"7001\","
    "\"placed_at\":\"2026-11-23T10:00:00Z\",\"status\":\"confirmed\",\"currency\":\"SEK\",\"minor_digits\":2,"
    "\"tax_included\":true,\"customer_ref\":\"55\",\"email\":\"anna.berg@example.se\",\"first_name\":\"Anna\","
    "\"last_name\":\"Berg\",\"shipping_address\":{\"country\":\"SE\"},\"lines_net\":228.02,\"lines_tax\":57.00,"
    "\"discount_net\":20,\"discount_tax\":5,\"shipping_net\":39.20,\"shipping_tax\":9.80,\"grand_total\":334.02,"
    "\"lines\":[{\"line_no\":1,\"kind\":\"product\",\"sku\":\"TEE-M\",\"name\":\"Tee M\",\"quantity\":3,\"net\":220.00,"
    "\"tax\":55.00,\"tax_rate\":25,\"discount_net\":20.00,\"discount_tax\":5.00},"
    "{\"line_no\":2,\"kind\":\"product\",\"sku\":\"CAP\",\"name\":\"Cap\",\"quantity\":1,\"net\":8.02,\"tax\":2.00,"
    "\"tax_rate\":25,\"discount_net\":0,\"discount_tax\":0},"
    "{\"line_no\":3,\"kind\":\"shipping\",\"name\":\"Shipping\",\"quantity\":1,\"net\":39.20,\"tax\":9.80,\"tax_rate\":25}]}";

static int set_up(void)
{
    if (tsup_fresh_database("o2c_test_sage200_mapping", conninfo, sizeof conninfo) != 0)
        return -1;
    db = tpg_connect(conninfo);
    if (!db)
        return -1;
    static const char *const mappings[] = {
        "insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id) values "
        "  ('centra', 'TEE-M', 'sage200', '1001'), ('centra', 'CAP', 'sage200', '1002')",
        "insert into o2c.tax_map (storefront_connection, country, rate_percent, erp_connection, erp_tax_code_id) values "
        "  ('centra', 'SE', 25, 'sage200', '10')",
        "insert into o2c.currency_map (erp_connection, currency, erp_currency_id, minor_digits) values ('sage200', 'SEK', '1', 2)",
        "insert into o2c.location_map (storefront_connection, country, erp_connection, erp_location_id) values ('centra', 'SE', 'sage200', '1')",
        "insert into o2c.erp_setting (erp_connection, name, value) values ('sage200', 'shipping_charge_code', 'CARRIAGE'), "
        "  ('sage200', 'rounding_tax_code_id', '13')",
    };
    for (size_t i = 0; i < sizeof mappings / sizeof mappings[0]; i++)
        if (!tpg_ok(db, mappings[i], 0, NULL))
            return -1;
    return 0;
}

static int tear_down(void)
{
    PQfinish(db);
    return 0;
}

static void test_a_shoppers_reference_is_allocated_once_and_never_collides(void)
{
    CU_ASSERT(tpg_ok(db, "create temp table r1 as select o2c.sage200_customer_reference('x1', 'anna@example.se') as ref", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from r1 where ref ~ '^O2[0-9A-Z]{6}$'", 0, NULL), 1);
    /* The same shopper, the same reference; another shopper, another. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from r1 where ref = o2c.sage200_customer_reference('x1', 'anna@example.se')", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from r1 where ref = o2c.sage200_customer_reference('x1', 'bo@example.se')", 0, NULL), 0);
    /* Deterministic: another connection that saw the same shopper first gives the same one. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from r1 where ref = o2c.sage200_customer_reference('x2', 'anna@example.se')", 0, NULL), 1);
    /* Taken by someone else in a third connection: the next free one, kept from then on. */
    CU_ASSERT(tpg_ok(db, "insert into o2c.sage200_customer_ref (erp_connection, shopper, reference) select 'x3', 'someone@else', ref from r1", 0, NULL));
    CU_ASSERT(tpg_ok(db, "create temp table r3 as select o2c.sage200_customer_reference('x3', 'anna@example.se') as ref", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from r3, r1 where r3.ref <> r1.ref and r3.ref ~ '^O2[0-9A-Z]{6}$'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from r3 where ref = o2c.sage200_customer_reference('x3', 'anna@example.se')", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.sage200_customer_ref where erp_connection = 'x3'", 0, NULL), 2);
}

static void test_the_net_for_a_charged_vat_is_the_nearest_whose_sage_vat_is_that_vat(void)
{
    /* Every gross from 0.01 to 200.00 at 25, 21, 19 and 6 %, split the European way (net rounded,
     * VAT the rest): Sage's VAT on the net found is the VAT charged, and the net moved at most the
     * least it must. Some nets must move (else the rounding line would never be needed). */
    CU_ASSERT_EQUAL(tpg_number(db,
        "with c as (select g / 100.0 as gross, r from generate_series(1, 20000) g, unnest(array[25, 21, 19, 6]) r), "
        "s as (select gross, r, round(gross / (1 + r / 100.0), 2) as net from c), "
        "f as (select *, gross - net as tax, o2c.sage200_net_for_tax(net, gross - net, r, 2) as found from s) "
        "select count(*) from f where found is null or round(found * r / 100, 2) <> tax "
        "   or abs(found - net) > ceil(0.01 * 100 / r * 100) / 100", 0, NULL), 0);
    CU_ASSERT(tpg_number(db,
        "select count(*) from generate_series(1, 20000) g, lateral (select round(g / 100.0 / 1.25, 2) as net) s "
        "where o2c.sage200_net_for_tax(net, g / 100.0 - net, 25, 2) <> net", 0, NULL) > 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from (select o2c.sage200_net_for_tax(10, 1, 0, 2) as n) x where n is null", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from (select o2c.sage200_net_for_tax(10, 0, 0, 2) as n) x where n = 10", 0, NULL), 1);
}

static void test_sages_own_arithmetic_over_the_bodies_gives_the_canonical_totals(void)
{
    const char *p[] = {ORDER};
    CU_ASSERT(tpg_ok(db, "create temp table out1 as select o2c.canonical_order_to_sage200($1::jsonb, 'sage200') as doc", 1, p));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from out1 where doc ? 'missing'", 0, NULL), 0);
    /* Sage's rules (tools/sandbox/sage200): net = round(q × price) − round(q × unit discount), VAT =
     * round(net × the code's rate); code 10 is 25 %, 13 is 0 %. */
    CU_ASSERT(tpg_ok(db,
        "create temp table sage1 as "
        "select l->>'line_type' as type, "
        "       round(coalesce((l->>'line_quantity')::numeric, 1) * (l->>'selling_unit_price')::numeric, 2) "
        "       - round(coalesce((l->>'line_quantity')::numeric, 1) * coalesce((l->>'unit_discount_value')::numeric, 0), 2) as net, "
        "       case l->>'tax_code_id' when '10' then 25 when '13' then 0 end as rate, l "
        "  from out1, jsonb_array_elements(doc#>'{sales_order,lines}') l", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from sage1 where rate is null", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select (sum(net) * 100)::bigint from sage1", 0, NULL), 26722);                 /* 228.02 + 39.20 */
    CU_ASSERT_EQUAL(tpg_number(db, "select (sum(round(net * rate / 100, 2)) * 100)::bigint from sage1", 0, NULL), 6680);  /* 57.00 + 9.80 */
    CU_ASSERT_EQUAL(tpg_number(db, "select (sum(net + round(net * rate / 100, 2)) * 100)::bigint from sage1", 0, NULL), 33402);
    /* The campaign discount is the Tee's unit discount; the Cap's net moved a penny, back on the
     * zero-rated rounding line; shipping is the CARRIAGE charge. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from sage1 where type = 'EnumLineTypeStandard' and l->>'code' = 'TEE-M' "
                                   "and (l->>'product_id')::int = 1001 and net = 220.00 and (l->>'unit_discount_value')::numeric > 0", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from sage1 where l->>'code' = 'CAP' and net = 8.01", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from sage1 where type = 'EnumLineTypeFreeText' and net = 0.01 and rate = 0", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from sage1 where type = 'EnumLineTypeCharge' and l->>'code' = 'CARRIAGE' and net = 39.20", 0, NULL), 1);
    /* Keys: the allocated reference, the order number; the line map names every line. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from out1 where doc->>'customer_key' = doc#>>'{customer,reference}' "
                                   "and doc->>'customer_key' = o2c.sage200_customer_reference('sage200', 'anna.berg@example.se') "
                                   "and doc->>'document_key' = '7001' and doc#>>'{sales_order,customer_document_no}' = '7001' "
                                   "and doc#>>'{customer,name}' = 'Anna Berg'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from out1, jsonb_array_elements(doc->'line_map') m "
                                   "where m->>'line_key' in ('line:1', 'line:2', 'line:3', 'rounding')", 0, NULL), 4);
}

static void test_what_is_missing_is_named_with_the_sql_that_adds_it(void)
{
    const char *p[] = {ORDER};
    CU_ASSERT(tpg_ok(db, "delete from o2c.sku_map where sku = 'CAP' and erp_connection = 'sage200'", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from (select o2c.canonical_order_to_sage200($1::jsonb, 'sage200') as doc) x "
                                   "where doc->>'category' = 'unmapped_sku' and doc->>'message' like '%SKU CAP (Cap): insert into o2c.sku_map%'",
                               1, p), 1);
    CU_ASSERT(tpg_ok(db, "insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id) values ('centra', 'CAP', 'sage200', '1002')", 0, NULL));
    /* A field the company requires, its value not known yet. */
    CU_ASSERT(tpg_ok(db, "insert into o2c.sage200_order_default (erp_connection, field, value) values ('sage200', 'analysis_code_1', null)", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from (select o2c.canonical_order_to_sage200($1::jsonb, 'sage200') as doc) x "
                                   "where doc->>'category' = 'unmapped_value' and doc->>'message' like '%the field analysis_code_1%'",
                               1, p), 1);
    CU_ASSERT(tpg_ok(db, "update o2c.sage200_order_default set value = 'PRJ-7' where field = 'analysis_code_1'", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from (select o2c.canonical_order_to_sage200($1::jsonb, 'sage200') as doc) x "
                                   "where doc#>>'{sales_order,analysis_code_1}' = 'PRJ-7'", 1, p), 1);
    /* Kept in the mapping history, as the other mapping tables. */
    CU_ASSERT(tpg_number(db, "select count(*) from o2c.mapping_history where table_name = 'sage200_order_default'", 0, NULL) >= 2);
}

static CU_TestInfo tests[] = {
    {"a shopper's reference is allocated once and never collides", test_a_shoppers_reference_is_allocated_once_and_never_collides},
    {"the net for a charged VAT is the nearest whose Sage VAT is that VAT", test_the_net_for_a_charged_vat_is_the_nearest_whose_sage_vat_is_that_vat},
    {"Sage's own arithmetic over the bodies gives the canonical totals to the penny", test_sages_own_arithmetic_over_the_bodies_gives_the_canonical_totals},
    {"what is missing is named with the SQL that adds it", test_what_is_missing_is_named_with_the_sql_that_adds_it},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    CU_SuiteInfo suites[] = {
        {"canonical to sage200", set_up, tear_down, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return tsup_run_suites("integration/test_sage200_mapping", suites);
}
