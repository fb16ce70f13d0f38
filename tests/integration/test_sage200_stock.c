/* Stock from Sage 200 to Centra, end to end: the Sage 200 sandbox's warehouse holdings reach
 * Centra's warehouses through inventory_sync_sage200 (workflows/inventory_sync_sage200.sql: the
 * inventory flow's own record/push/confirm steps behind sage200.read_stock), with real runners and
 * faults on in both sandboxes. What Centra holds is checked against the formula computed here from
 * Sage's own holdings (confirmed − allocated − reserved − buffer, never below 0), SKU × warehouse. */
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
static tsb_sandbox *sage = &pair.erp, *centra = &pair.centra;
static pid_t runners[2];

static json_object *get_json(const tsb_sandbox *sb, const char *path)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", sb->base, path);
    tsb_response res;
    json_object *out = NULL;
    if (tsb_http("GET", url, NULL, NULL, 0, &res) == 0 && res.status == 200)
        out = tsb_json(&res);
    tsb_response_free(&res);
    return out;
}

/* Changes Sage's holdings as the business would (goods in, other channels allocating). */
static bool sage_holdings(const char *changes_json)
{
    char body[4096];
    snprintf(body, sizeof body, "{\"changes\":%s}", changes_json);
    json_object *out = tsb_control(sage, "/_sandbox/sage200/holdings", body);
    json_object_put(out);
    return out != NULL;
}

static pid_t start_runner(const char *id)
{
    const char *args[] = {"--runner-id", id, "--concurrency", "4", "--lease-seconds", "3", "--poll-ms", "100", NULL};
    return tproc_runner(pair.conninfo, pair.logs, args);
}

static int set_up(void)
{
    const char *sage_args[] = {"--random-seed", "11", "--latency-ms", "2",
                               "--faults", "429=0.03,503=0.03,malformed=0.02,timeout=0.005",
                               "--fault-timeout-ms", "1000", NULL};
    const char *centra_args[] = {"--random-seed", "11", "--faults", "429=0.03,503=0.03,malformed=0.02", NULL};
    if (tsup_erp_pair_start(&pair, "sage200", "o2c_test_sage200_stock", sage_args, centra_args, NULL) != 0)
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
    for (int i = 0; i < 2; i++)
        if (runners[i] > 0) {
            kill(runners[i], SIGTERM);
            tproc_wait(runners[i]);
        }
    return tsup_erp_pair_stop(&pair);
}

/* ---- the formula, written out independently of sql/api/inventory.sql ---------------------- */

static const char *seed_sku(size_t i)
{
    return tsb_str(json_object_array_get_idx(tsb_member(pair.seed, "items"), i), "sku");
}

static const char *sku_of_product(long long product_id)
{
    json_object *items = tsb_member(pair.seed, "items");
    for (size_t i = 0; i < json_object_array_length(items); i++)
        if (atoll(tsb_str(json_object_array_get_idx(items, i), "netsuiteItemId")) == product_id)
            return tsb_str(json_object_array_get_idx(items, i), "sku");
    return NULL;
}

/* The Centra warehouse of a Sage warehouse (the seed numbers Sage's warehouses as its locations). */
static const char *centra_warehouse(long long warehouse_id)
{
    json_object *locs = tsb_member(pair.seed, "locations");
    for (size_t i = 0; i < json_object_array_length(locs); i++)
        if (atoll(tsb_str(json_object_array_get_idx(locs, i), "netsuiteId")) == warehouse_id)
            return tsb_str(json_object_array_get_idx(locs, i), "centraWarehouseId");
    return NULL;
}

static const char *extra_buffer_sku; /* a buffer of 3 at warehouse 2 set by the buffer test */

static long buffer_of(const char *sku, const char *warehouse)
{
    if (extra_buffer_sku && strcmp(sku, extra_buffer_sku) == 0 && strcmp(warehouse, "2") == 0)
        return 3;
    if (strncmp(sku, "NDT-TEE-001-", 12) == 0 && strcmp(warehouse, "1") == 0)
        return 2;
    if (strncmp(sku, "NDT-TEE-002-", 12) == 0)
        return 1;
    return 0;
}

static long centra_level(const char *sku, const char *warehouse)
{
    char path[160];
    snprintf(path, sizeof path, "/_sandbox/stock?sku=%s", sku);
    json_object *o = get_json(centra, path);
    json_object *w = tsb_member(tsb_member(o, "warehouses"), warehouse);
    long level = w ? (long)json_object_get_int64(w) : -1;
    json_object_put(o);
    return level;
}

static long whole(json_object *holding, const char *field)
{
    return (long)json_object_get_double(tsb_member(holding, field));
}

/* The formula's level of one holding (sku and Centra warehouse out). */
static long formula(json_object *h, const char **sku, const char **wh)
{
    *sku = sku_of_product(json_object_get_int64(tsb_member(h, "product_id")));
    *wh = centra_warehouse(json_object_get_int64(tsb_member(h, "warehouse_id")));
    if (!*sku || !*wh)
        return -1;
    long want = whole(h, "confirmed_qty_in_stock") - whole(h, "quantity_allocated") - whole(h, "quantity_reserved") -
                buffer_of(*sku, *wh);
    return want < 0 ? 0 : want;
}

/* How many SKU × warehouse pairs Centra holds other than the formula of Sage's holdings says. */
static int mismatches(bool say)
{
    json_object *holdings = get_json(sage, "/_sandbox/records/warehouse_holdings");
    if (!holdings)
        return -1;
    int bad = 0;
    for (size_t i = 0; i < json_object_array_length(holdings); i++) {
        const char *sku, *wh;
        long want = formula(json_object_array_get_idx(holdings, i), &sku, &wh);
        long got = want < 0 ? -2 : centra_level(sku, wh);
        if (got != want) {
            if (say && bad < 5)
                fprintf(stderr, "  %s at warehouse %s: Centra %ld, formula %ld\n", sku ? sku : "?", wh ? wh : "?", got, want);
            bad++;
        }
    }
    json_object_put(holdings);
    return bad;
}

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
        PGresult *r = tpg_query(db, "select state || ' ' || status || ' ' || coalesce(exception_message, '') "
                                    "from o2c.instance where workflow = 'inventory_sync_sage200'", 0, NULL);
        for (int i = 0; r && i < PQntuples(r); i++)
            fprintf(stderr, "  inventory_sync_sage200: %.600s\n", PQgetvalue(r, i, 0));
        PQclear(r);
        r = tpg_query(db, "select coalesce(from_state, '') || ' ' || outcome || ' ' || coalesce(detail::text, '') from o2c.event "
                          "where workflow_id = (select id from o2c.instance where workflow = 'inventory_sync_sage200') "
                          "order by id desc limit 5", 0, NULL);
        for (int i = 0; r && i < PQntuples(r); i++)
            fprintf(stderr, "  event: %.400s\n", PQgetvalue(r, i, 0));
        PQclear(r);
    }
    return bad;
}

static void wait_two_rounds(void)
{
    CU_ASSERT(tpg_ok(db, "select set_config('test.since', now()::text, false)", 0, NULL));
    CU_ASSERT(tpg_wait_for(db, "select (count(*) >= 2)::int from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                               " where i.workflow = 'inventory_sync_sage200' and e.from_state = 'confirm' and e.outcome = 'ok' "
                               "   and e.at > current_setting('test.since')::timestamptz", 1, 60 * 1000));
}

static long long stock_writes(void)
{
    return tproc_sandbox_stat(centra->port, "stock_writes");
}

/* A SKU at Centra warehouse 2 without a buffer whose formula level is at least min (its level
 * out), other than `not`; NULL when none. */
static const char *pick_sku(long min, const char *not, long *level)
{
    json_object *holdings = get_json(sage, "/_sandbox/records/warehouse_holdings");
    const char *chosen = NULL;
    for (size_t i = 0; holdings && i < json_object_array_length(holdings) && !chosen; i++) {
        const char *sku, *wh;
        long want = formula(json_object_array_get_idx(holdings, i), &sku, &wh);
        if (want >= min && strcmp(wh, "2") == 0 && buffer_of(sku, wh) == 0 && strncmp(sku, "NDT-TEE-00", 10) != 0 &&
            (!not || strcmp(sku, not) != 0))
            chosen = sku, *level = want;
    }
    json_object_put(holdings);
    return chosen;
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void test_at_rest_every_skus_centra_level_equals_the_formula_of_sages_holdings_with_buffers(void)
{
    char changes[1024];
    /* Another channel allocates 5; goods arrive; a count leaves 1 unit of a buffered tee; a
     * reservation; then forty random goods-in and allocations. */
    snprintf(changes, sizeof changes,
             "[{\"sku\":\"%s\",\"warehouse_id\":1,\"allocate\":5},{\"sku\":\"%s\",\"warehouse_id\":2,\"goods_in\":12},"
             "{\"sku\":\"%s\",\"warehouse_id\":1,\"confirmed\":1},{\"sku\":\"%s\",\"warehouse_id\":2,\"reserve\":2}]",
             seed_sku(10), seed_sku(11), seed_sku(0), seed_sku(13));
    CU_ASSERT_FATAL(sage_holdings(changes));
    json_object_put(tsb_control(sage, "/_sandbox/sage200/holdings", "{\"count\":40}"));
    CU_ASSERT_FATAL(mismatches(false) > 0); /* Centra does not hold the formula yet */

    /* Pages of 50 holdings: the seeded holdings all share one second, so paging must step
     * through that second with $skip. */
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('inventory_sync_sage200', 'inventory:centra:sage200', "
                               "'{\"poll_interval_ms\":200,\"page_size\":\"50\"}')", 0, NULL));
    runners[0] = start_runner("r1");
    runners[1] = start_runner("r2");
    CU_ASSERT_FATAL(runners[0] > 0 && runners[1] > 0);
    CU_ASSERT_EQUAL(wait_at_rest(), 0);
    long long holdings = (long long)json_object_array_length(tsb_member(pair.seed, "items")) *
                         (long long)json_object_array_length(tsb_member(pair.seed, "locations"));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_stock_level where erp_connection = 'sage200'", 0, NULL),
                    holdings);
    /* 1 unit with a buffer of 2 shows 0, never -1. */
    CU_ASSERT_EQUAL(centra_level(seed_sku(0), "1"), 0);
    /* The holdings were read in pages, each within the documented $top. */
    json_object *stats = get_json(sage, "/_sandbox/stats");
    CU_ASSERT(json_object_get_int64(tsb_member(tsb_member(stats, "requests_by_operation"), "warehouse_holdings.read")) >=
              holdings / 50);
    json_object_put(stats);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL), 0);

    /* At rest, rounds go on and send nothing. */
    wait_two_rounds();
    long long writes = stock_writes();
    wait_two_rounds();
    CU_ASSERT_EQUAL(stock_writes(), writes);
}

static void test_a_holdings_change_reaches_centra_as_one_delta(void)
{
    long before = -1;
    const char *sku = pick_sku(1, NULL, &before);
    CU_ASSERT_FATAL(sku != NULL);
    CU_ASSERT_FATAL(centra_level(sku, "2") == before);
    long long writes = stock_writes();
    char changes[256];
    snprintf(changes, sizeof changes, "[{\"sku\":\"%s\",\"warehouse_id\":2,\"goods_in\":3}]", sku);
    CU_ASSERT_FATAL(sage_holdings(changes));
    CU_ASSERT_EQUAL(wait_at_rest(), 0);
    wait_two_rounds();
    CU_ASSERT_EQUAL(centra_level(sku, "2"), before + 3);
    CU_ASSERT_EQUAL(stock_writes(), writes + 1);

    /* Another channel allocates 2 while the tunnel to the on-premise server is down: the reads
     * answer 504 and are retried; the level arrives once the tunnel is back, as one more write. */
    CU_ASSERT_FATAL(tpg_ok(db, "select set_config('test.since', now()::text, false)", 0, NULL));
    json_object_put(tsb_control(sage, "/_sandbox/sage200/tunnel", "{\"down\":true}"));
    snprintf(changes, sizeof changes, "[{\"sku\":\"%s\",\"warehouse_id\":2,\"allocate\":2}]", sku);
    CU_ASSERT_FATAL(sage_holdings(changes));
    CU_ASSERT(tpg_wait_for(db, "select (count(*) >= 1)::int from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                               " where i.workflow = 'inventory_sync_sage200' and e.from_state = 'read' and e.outcome = 'retry' "
                               "   and e.at > current_setting('test.since')::timestamptz", 1, 30 * 1000));
    CU_ASSERT(tproc_sandbox_stat(sage->port, "tunnel_refusals") > 0);
    CU_ASSERT_EQUAL(centra_level(sku, "2"), before + 3);
    json_object_put(tsb_control(sage, "/_sandbox/sage200/tunnel", "{\"down\":false}"));
    CU_ASSERT_EQUAL(wait_at_rest(), 0);
    wait_two_rounds();
    CU_ASSERT_EQUAL(centra_level(sku, "2"), before + 1);
    CU_ASSERT_EQUAL(stock_writes(), writes + 2);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL), 0);
}

static void test_a_buffer_set_by_ops_reaches_centra_as_one_delta(void)
{
    long level = -1;
    const char *chosen = pick_sku(3, NULL, &level);
    CU_ASSERT_FATAL(chosen != NULL);
    long long writes = stock_writes();
    const char *p[] = {chosen};
    extra_buffer_sku = chosen;
    CU_ASSERT_FATAL(tpg_ok(db, "insert into o2c.stock_buffer (storefront_connection, warehouse_id, sku_pattern, buffer) "
                               "values ('centra', '2', $1, 3)", 1, p));
    CU_ASSERT_EQUAL(wait_at_rest(), 0);
    wait_two_rounds();
    CU_ASSERT_EQUAL(centra_level(chosen, "2"), level - 3);
    CU_ASSERT_EQUAL(stock_writes(), writes + 1);
}

/* Someone sets a level in Centra behind o2c's back: the Sage 200 drift check shows it in
 * o2c.inventory_drift, and the SQL offered there makes the next round put the formula back. */
static void test_drift_behind_o2cs_back_shows_in_the_sage200_drift_check_and_its_sql_fixes_it(void)
{
    long want = -1;
    const char *sku = pick_sku(0, extra_buffer_sku, &want);
    CU_ASSERT_FATAL(sku != NULL);
    CU_ASSERT_FATAL(centra_level(sku, "2") == want);
    json_object *items = tsb_member(pair.seed, "items"), *item = NULL;
    for (size_t i = 0; i < json_object_array_length(items); i++)
        if (strcmp(tsb_str(json_object_array_get_idx(items, i), "sku"), sku) == 0)
            item = json_object_array_get_idx(items, i);
    CU_ASSERT_FATAL(item != NULL);
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

    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('inventory_drift_sage200', 'drift:sage200:1', '{}')", 0, NULL));
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'inventory_drift_sage200' and status = 'done'",
                           1, 60 * 1000));
    long long pairs = (long long)json_object_array_length(tsb_member(pair.seed, "items")) *
                      (long long)json_object_array_length(tsb_member(pair.seed, "locations"));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.stock_observed", 0, NULL), pairs);
    const char *p[] = {sku};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.inventory_drift", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select size from o2c.inventory_drift where sku = $1 and warehouse_id = '2'", 1, p), 7);
    PGresult *r = tpg_query(db, "select fix_sql from o2c.inventory_drift where sku = $1", 1, p);
    char fix[512] = "select 1";
    CU_ASSERT(r && PQntuples(r) == 1);
    if (r && PQntuples(r) == 1)
        snprintf(fix, sizeof fix, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    PGresult *done = PQexec(db, fix);
    CU_ASSERT(PQresultStatus(done) == PGRES_COMMAND_OK);
    PQclear(done);
    CU_ASSERT_EQUAL(wait_at_rest(), 0);
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('inventory_drift_sage200', 'drift:sage200:2', '{}')", 0, NULL));
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'inventory_drift_sage200' and status = 'done'",
                           2, 60 * 1000));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.inventory_drift", 0, NULL), 0);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"at rest every SKU's Centra level equals the formula of Sage's holdings, buffers applied",
         test_at_rest_every_skus_centra_level_equals_the_formula_of_sages_holdings_with_buffers},
        {"a holdings change reaches Centra as one delta, also after the tunnel was down",
         test_a_holdings_change_reaches_centra_as_one_delta},
        {"a buffer set by ops reaches Centra as one delta", test_a_buffer_set_by_ops_reaches_centra_as_one_delta},
        {"drift behind o2c's back shows in the Sage 200 drift check, and its SQL fixes it",
         test_drift_behind_o2cs_back_shows_in_the_sage200_drift_check_and_its_sql_fixes_it},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"Sage 200 stock to Centra", set_up, tear_down, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return tsup_run_suites("integration/test_sage200_stock", suites);
}
