/* Inventory end to end: NetSuite stock per location reaches Centra's warehouses through the
 * inventory_sync pipeline (workflows/inventory_sync.sql), real runners and both sandboxes with
 * faults on. What Centra holds is checked against the formula computed here from NetSuite's own
 * SuiteQL answer (on hand − committed to other channels − buffer, never below 0), SKU by SKU. */
#include "tests/support/erp_pair.h"
#include "tests/support/harness.h"
#include "tests/support/mappings.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"
#include "tests/support/sandbox_client.h"

#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static tsup_erp_pair pair;
static PGconn *db;
static tsb_sandbox *netsuite = &pair.erp, *centra = &pair.centra;

/* ---- set-up ------------------------------------------------------------------------------------ */

static int set_up(void)
{
    const char *ns_args[] = {"--random-seed", "7", "--latency-ms", "2",
                             "--faults", "429=0.03,503=0.03,malformed=0.01", NULL};
    const char *centra_args[] = {"--random-seed", "7", "--faults", "429=0.03,503=0.03,malformed=0.02", NULL};
    if (tsup_erp_pair_start(&pair, "netsuite", "o2c_test_inventory", ns_args, centra_args, NULL) != 0)
        return -1;
    db = pair.db;
    /* Buffers as ops would set them: two units of the first tee at Stockholm, one of the second
     * tee everywhere, none for the rest (the default row). */
    if (!tpg_ok(db, "insert into o2c.stock_buffer (storefront_connection, warehouse_id, sku_pattern, buffer) "
                    "values ('centra', '1', 'NDT-TEE-001-%', 2), ('centra', null, 'NDT-TEE-002-%', 1)", 0, NULL))
        return -1;
    return 0;
}

static int tear_down(void)
{
    return tsup_erp_pair_stop(&pair);
}

/* ---- helpers --------------------------------------------------------------------------------- */

static bool ns_stock(const char *changes_json)
{
    char body[4096];
    snprintf(body, sizeof body, "{\"changes\":%s}", changes_json);
    json_object *out = tsb_control(netsuite, "/_sandbox/stock", body);
    json_object_put(out);
    return out != NULL;
}

static const char *seed_sku(size_t i)
{
    return tsb_str(json_object_array_get_idx(tsb_member(pair.seed, "items"), i), "sku");
}

static size_t seed_items(void)
{
    return json_object_array_length(tsb_member(pair.seed, "items"));
}

static const char *sku_of_item(const char *item_id)
{
    json_object *items = tsb_member(pair.seed, "items");
    for (size_t i = 0; i < json_object_array_length(items); i++)
        if (strcmp(tsb_str(json_object_array_get_idx(items, i), "netsuiteItemId"), item_id) == 0)
            return tsb_str(json_object_array_get_idx(items, i), "sku");
    return NULL;
}

static const char *flash_buffered; /* the flash sale's SKU with a buffer of 6 at Stockholm */

/* The buffers the tests set, written out independently of o2c.stock_buffer_for. */
static long buffer_of(const char *sku, const char *warehouse)
{
    if (flash_buffered && strcmp(sku, flash_buffered) == 0 && strcmp(warehouse, "1") == 0)
        return 6;
    if (strncmp(sku, "NDT-TEE-001-", 12) == 0 && strcmp(warehouse, "1") == 0)
        return 2;
    if (strncmp(sku, "NDT-TEE-002-", 12) == 0)
        return 1;
    return 0;
}

/* Centra's level of sku at warehouse (-1 when the sandbox does not say). */
static long centra_level(const char *sku, const char *warehouse)
{
    char url[256];
    snprintf(url, sizeof url, "%s/_sandbox/stock?sku=%s", centra->base, sku);
    tsb_response res;
    long level = -1;
    if (tsb_http("GET", url, NULL, NULL, 0, &res) == 0 && res.status == 200) {
        json_object *o = tsb_json(&res);
        json_object *w = tsb_member(tsb_member(o, "warehouses"), warehouse);
        if (w)
            level = (long)json_object_get_int64(w);
        json_object_put(o);
    }
    tsb_response_free(&res);
    return level;
}

/* NetSuite's stock rows, read through signed SuiteQL as any client would (NULL on failure; the
 * sandbox's faults are retried here). */
static json_object *netsuite_rows(void)
{
    const char *h[] = {"Prefer: transient", "Content-Type: application/json", NULL};
    const char *q = "{\"q\":\"SELECT item, location, quantityonhand, quantitycommitted FROM inventoryitemlocations\"}";
    for (int attempt = 0; attempt < 50; attempt++) {
        tsb_response res;
        json_object *out = NULL;
        if (tsb_netsuite(netsuite, "POST", "/services/rest/query/v1/suiteql?limit=1000&offset=0", q, h, &res) == 0 &&
            res.status == 200)
            out = tsb_json(&res);
        tsb_response_free(&res);
        if (out && tsb_member(out, "items"))
            return out;
        json_object_put(out);
        tproc_sleep_ms(50);
    }
    return NULL;
}

/* How many SKU × warehouse pairs Centra holds other than the formula says; prints the first few
 * when `say`. Only for states with no Centra order posted (NetSuite commitments are then all other channels). */
static int mismatches(bool say)
{
    json_object *rows = netsuite_rows();
    if (!rows)
        return -1;
    json_object *items = tsb_member(rows, "items");
    int bad = 0;
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *r = json_object_array_get_idx(items, i);
        const char *sku = sku_of_item(tsb_str(r, "item"));
        const char *wh = tsb_str(r, "location"); /* the seed's warehouses have the locations' ids */
        if (!sku)
            continue;
        long want = atol(tsb_str(r, "quantityonhand")) - atol(tsb_str(r, "quantitycommitted")) - buffer_of(sku, wh);
        if (want < 0)
            want = 0;
        long got = centra_level(sku, wh);
        if (got != want) {
            if (say && bad < 5)
                fprintf(stderr, "  %s at warehouse %s: Centra %ld, formula %ld\n", sku, wh, got, want);
            bad++;
        }
    }
    json_object_put(rows);
    return bad;
}

/* Waits (up to about 90 s) until every pair matches; the number still different at the end. */
static int wait_at_rest(void)
{
    int bad = -1;
    for (int i = 0; i < 180 && bad != 0; i++) {
        bad = mismatches(false);
        if (bad != 0)
            tproc_sleep_ms(500);
    }
    if (bad != 0) {
        bad = mismatches(true);
        PGresult *r = tpg_query(db, "select state || ' ' || status || ' ' || coalesce(exception_message, '') || ' ' || context::text "
                                    "from o2c.instance where workflow = 'inventory_sync'", 0, NULL);
        for (int i = 0; r && i < PQntuples(r); i++)
            fprintf(stderr, "  inventory_sync: %.600s\n", PQgetvalue(r, i, 0));
        PQclear(r);
        r = tpg_query(db, "select coalesce(from_state, '') || ' ' || outcome || ' ' || coalesce(detail::text, '') from o2c.event "
                          "where workflow_id = (select id from o2c.instance where workflow = 'inventory_sync') "
                          "order by id desc limit 5", 0, NULL);
        for (int i = 0; r && i < PQntuples(r); i++)
            fprintf(stderr, "  event: %.400s\n", PQgetvalue(r, i, 0));
        PQclear(r);
    }
    return bad;
}

/* Centra's level of sku at warehouse once it is `want` (up to about 60 s), else the last seen. */
static long wait_level(const char *sku, const char *warehouse, long want)
{
    long got = -1;
    for (int i = 0; i < 300 && (got = centra_level(sku, warehouse)) != want; i++)
        tproc_sleep_ms(200);
    return got;
}

static pid_t start_runner(const char *id)
{
    const char *args[] = {"--runner-id", id, "--concurrency", "4", "--lease-seconds", "3", "--poll-ms", "100", NULL};
    return tproc_runner(pair.conninfo, pair.logs, args);
}

static void stop_runner(pid_t pid)
{
    kill(pid, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(pid), 0);
}

/* Two rounds of the sync have ended since now. */
static void wait_two_rounds(void)
{
    CU_ASSERT(tpg_ok(db, "select set_config('test.since', now()::text, false)", 0, NULL));
    CU_ASSERT(tpg_wait_for(db, "select (count(*) >= 2)::int from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                               " where i.workflow = 'inventory_sync' and e.from_state = 'confirm' and e.outcome = 'ok' "
                               "   and e.at > current_setting('test.since')::timestamptz", 1, 60 * 1000));
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void test_every_skus_centra_level_equals_the_formula_at_rest_and_only_changes_are_sent(void)
{
    char changes[512];
    /* Another channel (wholesale) commits 5 units; goods arrive; an adjustment. */
    snprintf(changes, sizeof changes,
             "[{\"sku\":\"%s\",\"location\":\"1\",\"committed\":5},{\"sku\":\"%s\",\"location\":\"2\",\"delta\":12},"
             "{\"sku\":\"%s\",\"location\":\"1\",\"quantity\":1}]",
             seed_sku(10), seed_sku(11), seed_sku(0));
    CU_ASSERT_FATAL(ns_stock(changes));
    json_object_put(tsb_control(netsuite, "/_sandbox/stock", "{\"count\":40}"));

    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('inventory_sync', 'inventory:centra:netsuite', "
                               "'{\"poll_interval_ms\":200}')", 0, NULL));
    pid_t r1 = start_runner("r1"), r2 = start_runner("r2");
    CU_ASSERT_FATAL(r1 > 0 && r2 > 0);
    CU_ASSERT_EQUAL(wait_at_rest(), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_stock_level", 0, NULL), (long long)seed_items() * 2);
    /* The sku with a buffer of 2 at Stockholm and 1 unit on hand shows 0, never -1. */
    CU_ASSERT_EQUAL(centra_level(seed_sku(0), "1"), 0);

    /* At rest, rounds go on and send nothing. */
    wait_two_rounds();
    long long writes = tproc_sandbox_stat(centra->port, "stock_writes");
    wait_two_rounds();
    CU_ASSERT_EQUAL(tproc_sandbox_stat(centra->port, "stock_writes"), writes);
    /* Many levels per mutation: the first sync sent every pair in a handful of calls. */
    CU_ASSERT(tproc_sandbox_stat(centra->port, "requests_by_operation.mutation setStock") < 20);

    /* One change → exactly one level written, the right one. */
    snprintf(changes, sizeof changes, "[{\"sku\":\"%s\",\"location\":\"2\",\"delta\":3}]", seed_sku(12));
    CU_ASSERT_FATAL(ns_stock(changes));
    CU_ASSERT_EQUAL(wait_at_rest(), 0);
    wait_two_rounds();
    CU_ASSERT_EQUAL(tproc_sandbox_stat(centra->port, "stock_writes"), writes + 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.sync_health where kind = 'stock' and status = 'ok'", 0, NULL), 2);

    stop_runner(r1);
    stop_runner(r2);
}

static void test_an_older_level_never_lands_after_a_newer_one_under_retries_crashes_and_racing_runners(void)
{
    const char *sku = seed_sku(20);
    pid_t r[3] = {start_runner("r1"), start_runner("r2"), start_runner("r3")};
    CU_ASSERT_FATAL(r[0] > 0 && r[1] > 0 && r[2] > 0);
    char changes[256];
    for (int v = 50; v < 90; v++) {
        snprintf(changes, sizeof changes, "[{\"sku\":\"%s\",\"location\":\"1\",\"quantity\":%d}]", sku, v);
        CU_ASSERT(ns_stock(changes));
        tproc_sleep_ms(v % 3 == 0 ? 400 : 60);
        if (v == 70) { /* a runner dies mid-flight, another takes over its steps */
            kill(r[0], SIGKILL);
            CU_ASSERT_EQUAL(tproc_wait(r[0]), 128 + SIGKILL);
            r[0] = start_runner("r1");
        }
    }
    CU_ASSERT_EQUAL(wait_at_rest(), 0);
    CU_ASSERT_EQUAL(centra_level(sku, "1"), 89);

    /* Every level Centra was given for this SKU at Stockholm, in the order they arrived. */
    char url[256];
    snprintf(url, sizeof url, "%s/_sandbox/stock/writes?sku=%s", centra->base, sku);
    tsb_response res;
    CU_ASSERT_FATAL(tsb_http("GET", url, NULL, NULL, 0, &res) == 0 && res.status == 200);
    json_object *o = tsb_json(&res);
    tsb_response_free(&res);
    json_object *writes = tsb_member(o, "writes");
    long last = -1, n = 0, backwards = 0;
    for (size_t i = 0; i < json_object_array_length(writes); i++) {
        json_object *w = json_object_array_get_idx(writes, i);
        if (strcmp(tsb_str(w, "warehouse"), "1") != 0)
            continue;
        long q = (long)json_object_get_int64(tsb_member(w, "quantity"));
        if (q >= 50 && q < last)
            backwards++;
        if (q >= 50)
            last = q, n++;
    }
    json_object_put(o);
    CU_ASSERT_EQUAL(backwards, 0);
    CU_ASSERT_EQUAL(last, 89);
    /* Forty changes, at most one write each (fewer: changes within a round are sent once). */
    CU_ASSERT(n >= 1 && n <= 40 + 3);
    for (int i = 0; i < 3; i++)
        stop_runner(r[i]);
}

static void test_the_as_of_guard_keeps_the_newer_reading_whatever_arrives_later(void)
{
    CU_ASSERT_FATAL(tpg_ok(db, "insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id) "
                               "values ('centra', 'TEST-GUARD', 'netsuite', '999999')", 0, NULL));
    const char *newer = "select o2c_action.stock_record('{\"levels\":[{\"item\":\"999999\",\"location\":\"1\",\"on_hand\":\"7\","
                        "\"committed\":\"0\",\"as_of\":\"2030-01-01 00:00:02\"}],\"read_at\":\"2030-01-01T00:00:03Z\"}', '{}')";
    const char *older = "select o2c_action.stock_record('{\"levels\":[{\"item\":\"999999\",\"location\":\"1\",\"on_hand\":\"99\","
                        "\"committed\":\"0\",\"as_of\":\"2030-01-01 00:00:01\"}],\"read_at\":\"2030-01-01T00:00:09Z\"}', '{}')";
    CU_ASSERT(tpg_ok(db, newer, 0, NULL));
    CU_ASSERT(tpg_ok(db, older, 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select on_hand from o2c.canonical_stock_level where sku = 'TEST-GUARD'", 0, NULL), 7);
    /* The same second read later saw at least as much: it wins. */
    CU_ASSERT(tpg_ok(db, "select o2c_action.stock_record('{\"levels\":[{\"item\":\"999999\",\"location\":\"1\",\"on_hand\":\"8\","
                         "\"committed\":\"0\",\"as_of\":\"2030-01-01 00:00:02\"}],\"read_at\":\"2030-01-01T00:00:04Z\"}', '{}')",
                     0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select on_hand from o2c.canonical_stock_level where sku = 'TEST-GUARD'", 0, NULL), 8);

    /* A confirmation of an older send after a newer one leaves the newer. */
    CU_ASSERT(tpg_ok(db, "select o2c_action.stock_confirm('{\"pushed\":[{\"sku\":\"TEST-GUARD\",\"warehouse\":\"1\",\"quantity\":8,"
                         "\"as_of\":\"2030-01-01T00:00:02Z\",\"read_at\":\"2030-01-01T00:00:04Z\"}]}', '{}')", 0, NULL));
    CU_ASSERT(tpg_ok(db, "select o2c_action.stock_confirm('{\"pushed\":[{\"sku\":\"TEST-GUARD\",\"warehouse\":\"1\",\"quantity\":99,"
                         "\"as_of\":\"2030-01-01T00:00:01Z\",\"read_at\":\"2030-01-01T00:00:09Z\"}]}', '{}')", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select quantity from o2c.stock_sent where sku = 'TEST-GUARD'", 0, NULL), 8);
    CU_ASSERT(tpg_ok(db, "delete from o2c.stock_sent where sku = 'TEST-GUARD'", 0, NULL));
    CU_ASSERT(tpg_ok(db, "delete from o2c.canonical_stock_level where sku = 'TEST-GUARD'", 0, NULL));
    CU_ASSERT(tpg_ok(db, "delete from o2c.sku_map where sku = 'TEST-GUARD'", 0, NULL));
}

static void test_buffers_are_chosen_most_specific_first(void)
{
    CU_ASSERT_EQUAL(tpg_number(db, "select o2c.stock_buffer_for('centra', '1', 'NDT-TEE-001-M')", 0, NULL), 2);
    CU_ASSERT_EQUAL(tpg_number(db, "select o2c.stock_buffer_for('centra', '2', 'NDT-TEE-001-M')", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select o2c.stock_buffer_for('centra', '2', 'NDT-TEE-002-M')", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select o2c.stock_buffer_for('centra', '1', 'OTHER')", 0, NULL), 0);
}

/* A flash sale while the sync lags (runners stopped) and another channel takes 6 of 10 units:
 * Centra sells what it shows. Without a buffer it shows 10 and sells 10: 6 oversold (NetSuite
 * commits units it does not have). With a buffer of 6 it shows 4 and sells 4: none oversold. */
static void test_a_flash_sale_with_the_buffer_oversells_nothing_and_without_it_oversells(void)
{
    const char *bare = seed_sku(40), *buffered = seed_sku(41);
    const char *p[] = {buffered};
    flash_buffered = buffered;
    CU_ASSERT_FATAL(tpg_ok(db, "insert into o2c.stock_buffer (storefront_connection, warehouse_id, sku_pattern, buffer) "
                               "values ('centra', '1', $1, 6)", 1, p));
    char changes[512];
    snprintf(changes, sizeof changes, "[{\"sku\":\"%s\",\"location\":\"1\",\"quantity\":10},"
                                      "{\"sku\":\"%s\",\"location\":\"1\",\"quantity\":10}]", bare, buffered);
    CU_ASSERT_FATAL(ns_stock(changes));
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('centra_order_poll', 'centra:1', "
                               "'{\"store\":\"1\",\"poll_interval_ms\":200,\"page_size\":100}')", 0, NULL));
    pid_t r1 = start_runner("r1");
    CU_ASSERT_FATAL(r1 > 0);
    CU_ASSERT_EQUAL(wait_at_rest(), 0);
    CU_ASSERT_EQUAL(centra_level(bare, "1"), 10);
    CU_ASSERT_EQUAL(centra_level(buffered, "1"), 4);
    stop_runner(r1);
    long long oversold_before = tproc_sandbox_stat(netsuite->port, "oversold_units");

    /* The lag: wholesale takes 6 of each; the flash sale sells what Centra shows. */
    snprintf(changes, sizeof changes, "[{\"sku\":\"%s\",\"location\":\"1\",\"committed\":6},"
                                      "{\"sku\":\"%s\",\"location\":\"1\",\"committed\":6}]", bare, buffered);
    CU_ASSERT_FATAL(ns_stock(changes));
    char body[256];
    snprintf(body, sizeof body, "{\"count\":50,\"sku\":\"%s\",\"warehouse\":\"1\"}", bare);
    json_object *sold = tsb_control(centra, "/_sandbox/orders", body);
    CU_ASSERT_EQUAL(json_object_array_length(tsb_member(sold, "orders")), 10);
    json_object_put(sold);
    snprintf(body, sizeof body, "{\"count\":50,\"sku\":\"%s\",\"warehouse\":\"1\"}", buffered);
    sold = tsb_control(centra, "/_sandbox/orders", body);
    CU_ASSERT_EQUAL(json_object_array_length(tsb_member(sold, "orders")), 4);
    json_object_put(sold);

    /* The orders reach NetSuite; its count of units committed beyond on hand says what was oversold. */
    r1 = start_runner("r1");
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'order_to_cash' and status = 'done'",
                           14, 120 * 1000));
    CU_ASSERT_EQUAL(tproc_sandbox_stat(netsuite->port, "oversold_units") - oversold_before, 6);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL), 0);
    /* Centra now shows the physical units the formula leaves (its own orders it deducts itself). */
    CU_ASSERT_EQUAL(wait_level(bare, "1", 4), 4);        /* 10 on hand − 6 wholesale − 0 */
    CU_ASSERT_EQUAL(wait_level(buffered, "1", 0), 0);    /* 10 − 6 − 6, never below 0 */
    stop_runner(r1);
}

/* Someone sets a level in Centra behind o2c's back. The drift check (workflows/inventory_drift.sql)
 * shows it in o2c.inventory_drift; the SQL offered there makes the next round put the formula's
 * level back, and the next check finds nothing. */
static void test_drift_behind_o2cs_back_shows_in_inventory_drift_and_its_sql_fixes_it(void)
{
    const char *sku = seed_sku(60);
    pid_t r1 = start_runner("r1");
    CU_ASSERT_FATAL(r1 > 0);
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.stock_targets where target is distinct from sent_quantity", 0, 60 * 1000));
    long want = centra_level(sku, "2");
    json_object *items = tsb_member(pair.seed, "items");
    json_object *item = json_object_array_get_idx(items, 60);
    char body[1024], url[256];
    snprintf(body, sizeof body,
             "{\"query\":\"mutation { setStock(input: {warehouse: {id: 2}, productVariants: [{productVariant: {id: %s}, "
             "sizeStockLevels: [{size: {name: \\\"%s\\\"}, quantity: %ld}]}]}) { userErrors { message } } }\"}",
             tsb_str(item, "centraVariantId"), tsb_str(item, "size"), want + 7);
    snprintf(url, sizeof url, "%s/graphql", centra->base);
    const char *h[] = {"Content-Type: application/json", "Authorization: Bearer sandbox-centra-token", NULL};
    long level = -1;
    for (int i = 0; i < 20 && level != want + 7; i++) { /* the sandbox's faults apply to us too */
        tsb_response res;
        tsb_http("POST", url, h, body, strlen(body), &res);
        tsb_response_free(&res);
        level = centra_level(sku, "2");
    }
    CU_ASSERT_FATAL(level == want + 7);

    /* The drift check, as its schedule would start it. */
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('inventory_drift', 'drift:1', '{}')", 0, NULL));
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'inventory_drift' and status = 'done'", 1, 60 * 1000));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.stock_observed", 0, NULL), (long long)seed_items() * 2);
    const char *p[] = {sku};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.inventory_drift", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select size from o2c.inventory_drift where sku = $1 and warehouse_id = '2' "
                                   "and owner = 'ops'", 1, p), 7);
    PGresult *r = tpg_query(db, "select fix_sql from o2c.inventory_drift where sku = $1", 1, p);
    char fix[512] = "select 1";
    CU_ASSERT(r && PQntuples(r) == 1);
    if (r && PQntuples(r) == 1)
        snprintf(fix, sizeof fix, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    PGresult *done = PQexec(db, fix); /* the SQL exactly as the view offers it to ops */
    CU_ASSERT(PQresultStatus(done) == PGRES_COMMAND_OK);
    PQclear(done);
    CU_ASSERT_EQUAL(wait_level(sku, "2", want), want);
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('inventory_drift', 'drift:2', '{}')", 0, NULL));
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'inventory_drift' and status = 'done'", 2, 60 * 1000));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.inventory_drift", 0, NULL), 0);
    stop_runner(r1);
}

/* Centra holds the units of its own unshipped orders as allocated and takes them off its physical
 * level when its shipment completes. So a NetSuite fulfilment o2c has mapped but not yet shipped in
 * Centra must still count as the shop's own open units: counted earlier, a stock round in that
 * window sends a level already without them, and Centra takes them off a second time when the
 * shipment completes (the demo's day showed such a unit of drift). Rolled back: the other cases
 * compute the formula from NetSuite alone. */
static void test_a_fulfilment_counts_as_shipped_only_once_the_storefront_has_shipped_it(void)
{
    const char *units = "select coalesce(sum(units), 0) from o2c.storefront_open_units "
                        "where storefront_connection = 'centra' and erp_connection = 'netsuite' "
                        "and sku = 'TEST-OPEN-UNITS' and location = '1'";
    CU_ASSERT_FATAL(tpg_ok(db, "begin", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db,
        "insert into o2c.canonical_order (order_key, channel, connection, store, number, placed_at, status, currency, "
        "                                 minor_digits, tax_included, shipping_address, lines_net, lines_tax, grand_total) "
        "values ('centra:1:990777', 'centra', 'centra', '1', '990777', now(), 'confirmed', 'SEK', 2, true, "
        "        '{\"country\": \"SE\"}', 200, 50, 250)", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db,
        "insert into o2c.canonical_order_line (order_key, line_no, kind, storefront_line_id, sku, quantity, net, tax) "
        "values ('centra:1:990777', 1, 'product', '77', 'TEST-OPEN-UNITS', 3, 200, 50)", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db, "insert into o2c.erp_order (order_key, erp_connection, external_id, erp_order_id) "
                               "values ('centra:1:990777', 'netsuite', 'TEST-990777', '990777')", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, units, 0, NULL), 3);

    /* NetSuite fulfils 2 of the 3 and o2c maps it (the fulfilment's map state records it). */
    CU_ASSERT_FATAL(tpg_ok(db, "insert into o2c.canonical_fulfilment (fulfilment_key, order_key, erp_connection, erp_fulfilment_id) "
                               "values ('netsuite:990777', 'centra:1:990777', 'netsuite', '990777')", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db, "insert into o2c.canonical_fulfilment_line (fulfilment_key, line_no, order_line_no, sku, quantity) "
                               "values ('netsuite:990777', 1, 1, 'TEST-OPEN-UNITS', 2)", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, units, 0, NULL), 3); /* Centra still holds them allocated */

    /* Centra's shipment completes and o2c records it: now they are off Centra's shelf. */
    CU_ASSERT_FATAL(tpg_ok(db, "insert into o2c.storefront_shipment (fulfilment_key, storefront_connection, shipment_id, notified_at) "
                               "values ('netsuite:990777', 'centra', '990777', now())", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, units, 0, NULL), 1);
    CU_ASSERT(tpg_ok(db, "rollback", 0, NULL));
}

/* A stock round reads the formula for every SKU × warehouse (o2c.stock_targets). The open orders'
 * units must be summed once for that, not once per target: joined in a nested loop, the sum over
 * every open order line ran again for each of the ~600 targets, and one open order of 10,000
 * lines made every round take 1.5 s (make bench, stock section). Counted as work, not time: no
 * node of the plan that reads order lines, itself or below it, handles over all its loops more
 * than a few times the lines there are (summed again per target, the sort under the sum handled
 * 2,014 rows 584 times). Only those nodes: how the planner joins the levels to their targets
 * depends on statistics autovacuum may or may not have gathered yet, and is not this test's
 * business. Rolled back. */
static void test_a_big_open_order_is_summed_once_per_round_not_once_per_target(void)
{
    CU_ASSERT_FATAL(tpg_ok(db, "begin", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db,
        "insert into o2c.canonical_order (order_key, channel, connection, store, number, placed_at, status, currency, "
        "                                 minor_digits, tax_included, shipping_address, lines_net, lines_tax, grand_total) "
        "values ('centra:1:990888', 'centra', 'centra', '1', '990888', now(), 'confirmed', 'SEK', 2, true, "
        "        '{\"country\": \"SE\"}', 200000, 50000, 250000)", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db,
        "insert into o2c.canonical_order_line (order_key, line_no, kind, storefront_line_id, sku, quantity, net, tax) "
        "select 'centra:1:990888', g, 'product', g::text, (select min(sku) from o2c.canonical_stock_level), 1, 100, 25 "
        "  from generate_series(1, 2000) g", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db, "insert into o2c.erp_order (order_key, erp_connection, external_id, erp_order_id) "
                               "values ('centra:1:990888', 'netsuite', 'TEST-990888', '990888')", 0, NULL));
    CU_ASSERT_FATAL(tpg_ok(db,
        "create function pg_temp.most_rows_over_order_lines(q text) returns bigint language plpgsql as $$ "
        "declare plan jsonb; begin "
        "  execute 'explain (analyze, timing off, format json) ' || q into plan; "
        "  return (select max((n->>'Actual Rows')::numeric * (n->>'Actual Loops')::numeric)::bigint "
        "            from jsonb_path_query(plan, 'strict $.**') n "
        "           where jsonb_typeof(n) = 'object' and n ? 'Actual Loops' "
        "             and jsonb_path_exists(n, 'strict $.** ? (@.\"Relation Name\" == \"canonical_order_line\")')); "
        "end $$", 0, NULL));
    CU_ASSERT(tpg_number(db, "select count(*) from o2c.stock_targets", 0, NULL) >= 100);
    CU_ASSERT(tpg_number(db, "select units from o2c.storefront_open_units where sku = (select min(sku) from o2c.canonical_stock_level)",
                         0, NULL) == 2000);
    /* The form sql.stock_record uses: the recorded levels joined to their targets. */
    long long lines = tpg_number(db, "select count(*) from o2c.canonical_order_line", 0, NULL);
    long long most = tpg_number(db, "select pg_temp.most_rows_over_order_lines($q$"
                                    "update o2c.canonical_stock_level c set committed = t.other_committed "
                                    "  from o2c.stock_targets t where t.erp_connection = 'netsuite' and t.storefront_connection = 'centra' "
                                    "   and (c.erp_connection, c.sku, c.location) = (t.erp_connection, t.sku, t.location) "
                                    "   and c.committed is distinct from t.other_committed$q$)", 0, NULL);
    CU_ASSERT(lines >= 2000);
    CU_ASSERT(most >= 2000 && most <= 3 * lines);
    CU_ASSERT(tpg_ok(db, "rollback", 0, NULL));
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"every SKU's Centra level equals the formula at rest, and only changes are sent",
         test_every_skus_centra_level_equals_the_formula_at_rest_and_only_changes_are_sent},
        {"an older level never lands after a newer one under retries, crashes and racing runners",
         test_an_older_level_never_lands_after_a_newer_one_under_retries_crashes_and_racing_runners},
        {"the as-of guard keeps the newer reading whatever arrives later",
         test_the_as_of_guard_keeps_the_newer_reading_whatever_arrives_later},
        {"buffers are chosen most specific first", test_buffers_are_chosen_most_specific_first},
        {"a flash sale with the buffer oversells nothing, and without it oversells",
         test_a_flash_sale_with_the_buffer_oversells_nothing_and_without_it_oversells},
        {"drift behind o2c's back shows in o2c.inventory_drift and its SQL fixes it",
         test_drift_behind_o2cs_back_shows_in_inventory_drift_and_its_sql_fixes_it},
        {"a fulfilment counts as shipped only once the storefront has shipped it",
         test_a_fulfilment_counts_as_shipped_only_once_the_storefront_has_shipped_it},
        {"a big open order is summed once per round, not once per target",
         test_a_big_open_order_is_summed_once_per_round_not_once_per_target},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"inventory: NetSuite stock to Centra", set_up, tear_down, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return tsup_run_suites("integration/test_inventory", suites);
}
