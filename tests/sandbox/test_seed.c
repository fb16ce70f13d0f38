/* The shared sandbox pieces without HTTP: money text ↔ minor units (never through a float), the
 * built-in catalogue (deterministic, consistent ids across NetSuite and Centra), seed files
 * (round trip and refusals) and the fault-spec parser. */
#include "tests/support/harness.h"
#include "tools/sandbox/framework/framework.h"
#include "tools/sandbox/framework/money.h"
#include "tools/sandbox/framework/seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_money_parse(void)
{
    int64_t v;
    CU_ASSERT_TRUE(sb_money_parse("12", 2, &v) && v == 1200);
    CU_ASSERT_TRUE(sb_money_parse("12.5", 2, &v) && v == 1250);
    CU_ASSERT_TRUE(sb_money_parse("-0.25", 2, &v) && v == -25);
    CU_ASSERT_TRUE(sb_money_parse(".5", 2, &v) && v == 50);
    CU_ASSERT_TRUE(sb_money_parse("1.500", 2, &v) && v == 150); /* trailing zeros are fine */
    CU_ASSERT_TRUE(sb_money_parse("1000", 0, &v) && v == 1000);  /* JPY */
    CU_ASSERT_TRUE(sb_money_parse("1.234", 3, &v) && v == 1234); /* KWD */
    CU_ASSERT_FALSE(sb_money_parse("1.005", 2, &v));             /* more precision than SEK has */
    CU_ASSERT_FALSE(sb_money_parse("1e2", 2, &v));
    CU_ASSERT_FALSE(sb_money_parse("", 2, &v));
    CU_ASSERT_FALSE(sb_money_parse("12,50", 2, &v));
    CU_ASSERT_FALSE(sb_money_parse("abc", 2, &v));
    CU_ASSERT_FALSE(sb_money_parse("99999999999999999999", 2, &v));
    char buf[32];
    sb_money_format(-5, 2, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "-0.05");
    sb_money_format(123456, 2, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "1234.56");
    sb_money_format(7, 0, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "7");
}

static void test_money_from_json_keeps_source_text(void)
{
    json_object *o = json_tokener_parse("{\"a\":0.1,\"b\":0.2,\"c\":0.3,\"d\":\"4.10\",\"e\":true}");
    int64_t a, b, c, d, e;
    json_object *va, *vb, *vc, *vd, *ve;
    json_object_object_get_ex(o, "a", &va);
    json_object_object_get_ex(o, "b", &vb);
    json_object_object_get_ex(o, "c", &vc);
    json_object_object_get_ex(o, "d", &vd);
    json_object_object_get_ex(o, "e", &ve);
    CU_ASSERT_TRUE(sb_money_from_json(va, 2, &a));
    CU_ASSERT_TRUE(sb_money_from_json(vb, 2, &b));
    CU_ASSERT_TRUE(sb_money_from_json(vc, 2, &c));
    CU_ASSERT_EQUAL(a + b, c); /* 0.1 + 0.2 == 0.3 in minor units */
    CU_ASSERT_TRUE(sb_money_from_json(vd, 2, &d) && d == 410);
    CU_ASSERT_FALSE(sb_money_from_json(ve, 2, &e));
    json_object_put(o);
}

static void test_default_seed(void)
{
    sb_seed *a = sb_seed_default(), *b = sb_seed_default();
    CU_ASSERT_TRUE(a->n_items >= 200 && a->n_items <= 400);
    CU_ASSERT_EQUAL(a->n_items, b->n_items);
    CU_ASSERT_EQUAL(a->n_currencies, 3);
    CU_ASSERT_EQUAL(a->n_locations, 2);
    for (size_t i = 0; i < a->n_items; i++) {
        CU_ASSERT_STRING_EQUAL(a->items[i].sku, b->items[i].sku);
        CU_ASSERT_EQUAL(a->items[i].price_minor[0], b->items[i].price_minor[0]);
        /* every SKU, NetSuite id and Centra variant+size is unique and resolves back */
        CU_ASSERT_PTR_EQUAL(sb_seed_item_by_sku(a, a->items[i].sku), &a->items[i]);
        CU_ASSERT_PTR_EQUAL(sb_seed_item_by_netsuite_id(a, a->items[i].netsuite_item_id), &a->items[i]);
        CU_ASSERT_PTR_EQUAL(sb_seed_item_by_centra(a, a->items[i].centra_variant_id, a->items[i].size_name), &a->items[i]);
        for (size_t c = 0; c < a->n_currencies; c++)
            CU_ASSERT_TRUE(a->items[i].price_minor[c] > 0);
    }
    const sb_item *tee = sb_seed_item_by_sku(a, "NDT-TEE-012-M");
    CU_ASSERT_PTR_NOT_NULL(tee);
    CU_ASSERT_EQUAL(sb_seed_tax_code_for_country(a, "SE")->rate_bp, 2500);
    CU_ASSERT_EQUAL(sb_seed_tax_code_for_country(a, "DE")->rate_bp, 1900);
    CU_ASSERT_EQUAL(sb_seed_tax_code_for_country(a, "US")->rate_bp, 0);
    CU_ASSERT_EQUAL(sb_seed_currency_index(a, "EUR"), 1);
    CU_ASSERT_PTR_NOT_NULL(sb_seed_account_by_netsuite_id(a, "10"));
    CU_ASSERT_PTR_NOT_NULL(sb_seed_customer_by_netsuite_id(a, "501"));
    sb_seed_free(a);
    sb_seed_free(b);
}

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/o2c-seed-test.XXXXXX");
    int fd = mkstemp(path);
    if (fd >= 0) {
        if (write(fd, text, strlen(text)) < 0)
            path[0] = '\0';
        close(fd);
    }
    return path;
}

static void test_seed_file_round_trip(void)
{
    sb_seed *a = sb_seed_default();
    json_object *j = sb_seed_to_json(a);
    char *path = write_temp(json_object_to_json_string(j));
    char err[256];
    sb_seed *b = sb_seed_load(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    json_object *k = sb_seed_to_json(b);
    CU_ASSERT_STRING_EQUAL(json_object_to_json_string(j), json_object_to_json_string(k));
    json_object_put(j);
    json_object_put(k);
    unlink(path);
    free(path);
    sb_seed_free(a);
    sb_seed_free(b);
}

static void test_seed_file_refusals(void)
{
    const char *bad[] = {
        "not json",
        "{}",
        "{\"currencies\":[{\"code\":\"SEK\",\"netsuiteId\":\"1\"}],\"taxCodes\":[{\"netsuiteId\":\"1\",\"name\":\"x\",\"country\":\"SE\",\"rate\":\"25.00\"}],"
        "\"locations\":[{\"netsuiteId\":\"1\",\"centraWarehouseId\":\"1\",\"name\":\"A\",\"country\":\"SE\"}],"
        "\"items\":[{\"sku\":\"A\",\"name\":\"A\",\"netsuiteItemId\":\"1\",\"centraProductId\":\"1\",\"centraVariantId\":\"1\",\"size\":\"M\",\"prices\":{\"SEK\":\"1.001\"}}],"
        "\"accounts\":[{\"netsuiteId\":\"1\",\"number\":\"1\",\"name\":\"A\",\"type\":\"Bank\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *path = write_temp(bad[i]);
        char err[256] = "";
        sb_seed *s = sb_seed_load(path, err, sizeof err);
        CU_ASSERT_PTR_NULL(s);
        CU_ASSERT_NOT_EQUAL(err[0], '\0');
        sb_seed_free(s);
        unlink(path);
        free(path);
    }
    char err[256];
    CU_ASSERT_PTR_NULL(sb_seed_load("/nonexistent/seed.json", err, sizeof err));
}

static void test_fault_spec(void)
{
    sb_fault_rates r;
    char err[128];
    CU_ASSERT_TRUE(sb_faults_parse("429=0.05,503=0.02,timeout=0.01,lock=0.01,malformed=0.005", &r, err, sizeof err));
    CU_ASSERT_DOUBLE_EQUAL(r.http429, 0.05, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(r.malformed, 0.005, 1e-12);
    CU_ASSERT_FALSE(sb_faults_parse("418=0.1", &r, err, sizeof err));
    CU_ASSERT_FALSE(sb_faults_parse("429=1.5", &r, err, sizeof err));
    CU_ASSERT_FALSE(sb_faults_parse("429=x", &r, err, sizeof err));
    CU_ASSERT_FALSE(sb_faults_parse("429=0.6,503=0.6", &r, err, sizeof err));
    /* The decision sequence depends only on the seed. */
    sb_fault_rates half = {.http429 = 0.5};
    sb_fault_kind first[64], second[64];
    sb_faults_init(&half, 99);
    for (int i = 0; i < 64; i++)
        first[i] = sb_faults_draw(true);
    sb_faults_init(&half, 99);
    for (int i = 0; i < 64; i++)
        second[i] = sb_faults_draw(true);
    CU_ASSERT_EQUAL(memcmp(first, second, sizeof first), 0);
    sb_fault_rates locks = {.lock = 1.0};
    sb_faults_init(&locks, 1);
    CU_ASSERT_EQUAL(sb_faults_draw(false), SB_FAULT_NONE);
    CU_ASSERT_EQUAL(sb_faults_draw(true), SB_FAULT_LOCK);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"money text to minor units and back", test_money_parse},
        {"money from JSON numbers uses their source text", test_money_from_json_keeps_source_text},
        {"built-in seed: deterministic, ids unique and resolvable", test_default_seed},
        {"seed file round trip", test_seed_file_round_trip},
        {"bad seed files refused with a message", test_seed_file_refusals},
        {"fault spec parsing and reproducible decisions", test_fault_spec},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"sandbox seed, money, faults", NULL, NULL, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return tsup_run_suites("sandbox/test_seed", suites);
}
