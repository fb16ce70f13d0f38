/* Refunds without goods, Centra → NetSuite: a goodwill and shipping refund becomes one NetSuite
 * credit memo for exactly what Centra refunded, once; a refund for an order not yet in NetSuite
 * waits for it; a refund beyond what the shopper paid is an exception for finance. Orders are
 * posted by order_to_cash against the sandboxes (with faults). Most refunds are started directly,
 * with shapes Centra cannot make (tax and shipping shares, more than was paid); the last test makes
 * them in the Centra sandbox as customer service does, and the order poller starts them. */
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
static pid_t runners[2];

static pid_t start_runner(const char *id)
{
    const char *args[] = {"--runner-id", id, "--concurrency", "8", "--lease-seconds", "4", "--poll-ms", "200", NULL};
    return tproc_runner(pair.conninfo, pair.logs, args);
}

static int set_up(void)
{
    const char *ns_args[] = {"--random-seed", "11", "--latency-ms", "2",
                             "--faults", "429=0.03,503=0.03,lock=0.02,malformed=0.01", NULL};
    const char *centra_args[] = {"--random-seed", "11", "--faults", "429=0.02,503=0.02", NULL};
    if (tsup_erp_pair_start(&pair, "netsuite", "o2c_test_refunds", ns_args, centra_args, NULL) != 0)
        return -1;
    db = pair.db;
    runners[0] = start_runner("r1");
    runners[1] = start_runner("r2");
    if (runners[0] <= 0 || runners[1] <= 0)
        return -1;
    if (!tpg_ok(db, "select o2c.start('centra_order_poll', 'centra:1', '{\"store\":\"1\",\"poll_interval_ms\":200,\"page_size\":100}')",
                0, NULL))
        return -1;
    return 0;
}

static int tear_down(void)
{
    for (int i = 0; i < 2; i++) {
        if (runners[i] > 0) {
            kill(runners[i], SIGTERM);
            tproc_wait(runners[i]);
        }
    }
    return tsup_erp_pair_stop(&pair);
}

/* Places one Centra order; returns its number once order_to_cash has come to rest with it
 * (posted when want_posted), 0 when it was refused or never settled. */
static long place_order(bool want_posted)
{
    tsb_response res;
    char url[128];
    snprintf(url, sizeof url, "%s/_sandbox/orders", centra->base);
    const char *h[] = {"Content-Type: application/json", NULL};
    long number = 0;
    if (tsb_http("POST", url, h, "{\"count\":1,\"unknown_sku_rate\":0}", 31, &res) == 0 && res.status / 100 == 2) {
        json_object *answer = tsb_json(&res);
        json_object *orders = tsb_member(answer, "orders");
        if (orders && json_object_array_length(orders) == 1)
            number = (long)json_object_get_int64(json_object_array_get_idx(orders, 0));
        json_object_put(answer);
    }
    tsb_response_free(&res);
    if (number <= 0 || !want_posted)
        return number;
    char sql[256];
    snprintf(sql, sizeof sql, "select count(*) from o2c.instance where workflow = 'order_to_cash' "
                              "and business_key = 'centra:1:%ld' and state = 'posted'", number);
    return tpg_wait_for(db, sql, 1, 120 * 1000) ? number : 0;
}

/* Starts refund_to_credit_memo as the Centra refund reader will, in the order's currency (the
 * canonical order must exist: order_to_cash's map step records it before anything is posted). */
static bool start_refund(const char *id, long number, const char *amount, const char *tax, const char *shipping)
{
    char n[32];
    snprintf(n, sizeof n, "%ld", number);
    const char *p[] = {id, n, amount, tax, shipping};
    return tpg_ok(db, "select o2c.start('refund_to_credit_memo', 'centra:1:refund:' || $1, jsonb_build_object('store', '1', "
                      "'refund', jsonb_build_object('id', $1::text, 'order_number', $2::text, 'amount', $3::text, 'tax', $4::text, "
                      "'shipping', $5::text, 'reason', 'test refund', 'currency', "
                      "(select currency from o2c.canonical_order where order_key = 'centra:1:' || $2))))", 5, p);
}

static const char *order_currency_total(long number, char *buf, size_t len)
{
    char key[64];
    snprintf(key, sizeof key, "centra:1:%ld", number);
    const char *p[] = {key};
    PGresult *r = tpg_query(db, "select grand_total::text from o2c.canonical_order where order_key = $1", 1, p);
    if (!r || PQntuples(r) != 1) {
        if (r)
            PQclear(r);
        return NULL;
    }
    snprintf(buf, len, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return buf;
}

static long long credit_memos_with(const char *external_id, const char *total)
{
    char url[256];
    snprintf(url, sizeof url, "%s/_sandbox/records/creditMemo", netsuite->base);
    tsb_response res;
    long long n = -1;
    if (tsb_http("GET", url, NULL, NULL, 0, &res) == 0 && res.status == 200) {
        const char *p[] = {res.body, external_id, total};
        n = tpg_number(db, "select count(*) from jsonb_array_elements($1::jsonb->'records') r "
                           "where r->>'externalId' = $2 and ($3::text is null or (r->>'total')::numeric = $3::numeric)", 3, p);
    }
    tsb_response_free(&res);
    return n;
}

static long long state_count(const char *key, const char *state)
{
    const char *p[] = {key, state};
    return tpg_number(db, "select count(*) from o2c.instance where workflow = 'refund_to_credit_memo' "
                          "and business_key = $1 and state = $2", 2, p);
}

static bool wait_state(const char *key, const char *state)
{
    char sql[256];
    snprintf(sql, sizeof sql, "select count(*) from o2c.instance where workflow = 'refund_to_credit_memo' "
                              "and business_key = '%s' and (state = '%s' or status = 'exception')", key, state);
    if (tpg_wait_for(db, sql, 1, 120 * 1000) && state_count(key, state) == 1)
        return true;
    const char *p[] = {key};
    PGresult *r = tpg_query(db, "select state || ' ' || status || ' ' || coalesce(exception_message, '') || ' ' || "
                                "coalesce((select e.outcome || ' ' || coalesce(e.detail::text, '') from o2c.event e "
                                "where e.workflow_id = i.id order by e.id desc limit 1), '') "
                                "from o2c.instance i where business_key = $1", 1, p);
    for (int i = 0; r && i < PQntuples(r); i++)
        fprintf(stderr, "  %s: %s\n", key, PQgetvalue(r, i, 0));
    if (r)
        PQclear(r);
    return false;
}

/* Customer service refunds `amount` of order `number` in Centra; returns the refund's id (its
 * paymentHistory entry), 0 when Centra refused it. */
static long centra_refund(long number, const char *amount, const char *reason)
{
    char url[160], body[160];
    snprintf(url, sizeof url, "%s/_sandbox/orders/%ld/refund", centra->base, number);
    snprintf(body, sizeof body, "{\"amount\":\"%s\",\"reason\":\"%s\"}", amount, reason);
    const char *h[] = {"Content-Type: application/json", NULL};
    tsb_response res;
    long id = 0;
    if (tsb_http("POST", url, h, body, strlen(body), &res) == 0 && res.status == 201) {
        json_object *answer = tsb_json(&res);
        json_object *refund = tsb_member(answer, "refund");
        id = refund ? (long)json_object_get_int64(refund) : 0;
        json_object_put(answer);
    }
    tsb_response_free(&res);
    return id;
}

/* The poller's rounds that read every order from the beginning (after its cursor was dropped). */
static long long full_reads(void)
{
    return tpg_number(db, "select count(*) from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                          "where i.workflow = 'centra_order_poll' and e.outcome = 'ok' "
                          "and e.detail->>'message' like '%changed since the beginning%'", 0, NULL);
}

/* ---- tests ------------------------------------------------------------------------------------- */

static void test_a_goodwill_and_shipping_refund_is_one_credit_memo_for_exactly_the_refund(void)
{
    long number = place_order(true);
    CU_ASSERT_FATAL(number > 0);
    CU_ASSERT_FATAL(start_refund("9001", number, "12.50", "2.50", "4.90"));
    CU_ASSERT_FATAL(wait_state("centra:1:refund:9001", "credited"));
    CU_ASSERT_EQUAL(credit_memos_with("RF-CENTRA-1-REFUND-9001", "12.50"), 1);
    /* The reader starts it again (it read the refund twice): nothing more in NetSuite. */
    CU_ASSERT(start_refund("9001", number, "12.50", "2.50", "4.90"));
    CU_ASSERT_EQUAL(credit_memos_with("RF-CENTRA-1-REFUND-9001", NULL), 1);
    /* A shipping-only refund of the same order, tax-free: its own credit memo. */
    CU_ASSERT_FATAL(start_refund("9002", number, "1.00", "0", "1.00"));
    CU_ASSERT_FATAL(wait_state("centra:1:refund:9002", "credited"));
    CU_ASSERT_EQUAL(credit_memos_with("RF-CENTRA-1-REFUND-9002", "1.00"), 1);
    /* Finance's view: every refund has its credit memo, for the same amount. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.reconciliation_gaps where gap in "
                                   "('refund_without_credit_memo', 'credit_memo_differs')", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.erp_return e join o2c.canonical_return r using (return_key) "
                                   "where e.credit_memo_amount = r.refund_amount and e.credit_memo_id is not null", 0, NULL), 2);
}

static void test_a_refund_for_an_order_not_yet_in_netsuite_waits_for_it(void)
{
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.pause_connection('netsuite', 'test: the order is not posted yet')", 0, NULL));
    long number = place_order(false);
    CU_ASSERT_FATAL(number > 0);
    char sql[256];
    snprintf(sql, sizeof sql, "select count(*) from o2c.canonical_order where order_key = 'centra:1:%ld'", number);
    CU_ASSERT_FATAL(tpg_wait_for(db, sql, 1, 120 * 1000));
    CU_ASSERT_FATAL(start_refund("9101", number, "5.00", "1.00", "0"));
    /* It looks, finds no posting, and looks again later. */
    CU_ASSERT(tpg_wait_for(db, "select (count(*) >= 2)::int from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                               "where i.business_key = 'centra:1:refund:9101' and e.outcome = 'not_posted'", 1, 60 * 1000));
    CU_ASSERT_EQUAL(credit_memos_with("RF-CENTRA-1-REFUND-9101", NULL), 0);
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.resume_connection('netsuite')", 0, NULL));
    CU_ASSERT(wait_state("centra:1:refund:9101", "credited"));
    CU_ASSERT_EQUAL(credit_memos_with("RF-CENTRA-1-REFUND-9101", "5.00"), 1);
}

static void test_a_refund_beyond_what_was_paid_is_an_exception_for_finance(void)
{
    long number = place_order(true);
    CU_ASSERT_FATAL(number > 0);
    char total[64], more[64];
    CU_ASSERT_FATAL(order_currency_total(number, total, sizeof total) != NULL);
    const char *p[] = {total};
    PGresult *r = tpg_query(db, "select ($1::numeric + 0.01)::text", 1, p);
    CU_ASSERT_FATAL(r && PQntuples(r) == 1);
    snprintf(more, sizeof more, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    CU_ASSERT_FATAL(start_refund("9201", number, more, "0", "0"));
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.exceptions where business_key = 'centra:1:refund:9201' "
                               "and category = 'refund_exceeds_payment' and owner = 'finance'", 1, 60 * 1000));
    CU_ASSERT_EQUAL(credit_memos_with("RF-CENTRA-1-REFUND-9201", NULL), 0);
    /* Shown to finance as a refund with no credit memo, with its re-drive SQL. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.reconciliation_gaps where gap = 'refund_without_credit_memo' "
                                   "and reference = 'centra:1:refund:9201' and owner = 'finance' "
                                   "and redrive_sql like 'select o2c.redrive(%'", 0, NULL), 1);
}

static void test_refunds_made_in_centra_become_one_credit_memo_each_and_a_re_read_starts_nothing_twice(void)
{
    long number = place_order(true);
    CU_ASSERT_FATAL(number > 0);
    long first = centra_refund(number, "12.50", "goodwill");
    CU_ASSERT_FATAL(first > 0);
    char key1[64], key2[64], eid1[64], eid2[64];
    snprintf(key1, sizeof key1, "centra:1:refund:%ld", first);
    snprintf(eid1, sizeof eid1, "RF-CENTRA-1-REFUND-%ld", first);
    CU_ASSERT_FATAL(wait_state(key1, "credited"));
    CU_ASSERT_EQUAL(credit_memos_with(eid1, "12.50"), 1);
    /* A second refund of the same order: its own credit memo, the first one untouched. */
    long second = centra_refund(number, "3.00", "late delivery");
    CU_ASSERT_FATAL(second > 0 && second != first);
    snprintf(key2, sizeof key2, "centra:1:refund:%ld", second);
    snprintf(eid2, sizeof eid2, "RF-CENTRA-1-REFUND-%ld", second);
    CU_ASSERT_FATAL(wait_state(key2, "credited"));
    CU_ASSERT_EQUAL(credit_memos_with(eid2, "3.00"), 1);
    CU_ASSERT_EQUAL(credit_memos_with(eid1, NULL), 1);
    /* The canonical returns hold Centra's refunds, the order's key and the whole amounts. */
    const char *p[] = {key1, key2};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_return r join o2c.erp_return e using (return_key) "
                                   "where r.return_key in ($1, $2) and r.kind = 'refund' and e.credit_memo_amount = r.refund_amount "
                                   "and r.refund_amount in (12.50, 3.00)", 2, p), 2);
    /* Centra gives no tax share per refund: it is the order's, rounded once. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_return r join o2c.canonical_order o using (order_key) "
                                   "where r.return_key in ($1, $2) and r.shipping_refund = 0 and r.refund_tax = "
                                   "round(r.refund_amount * (o.lines_tax + o.shipping_tax) / o.grand_total, o.minor_digits)", 2, p), 2);
    /* The poller reads every order again from the beginning: nothing starts twice. */
    long long before = full_reads();
    char sql[320];
    snprintf(sql, sizeof sql, "select (count(*) > %lld)::int from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                              "where i.workflow = 'centra_order_poll' and e.outcome = 'ok' "
                              "and e.detail->>'message' like '%%changed since the beginning%%'", before);
    /* (A round in flight may write its cursor back over the reset: reset again then.) */
    bool reread = false;
    for (int attempt = 0; attempt < 3 && !reread; attempt++) {
        CU_ASSERT_FATAL(tpg_ok(db, "update o2c.instance set context = context - 'cursor' - 'after' "
                                   "where workflow = 'centra_order_poll' and business_key = 'centra:1'", 0, NULL));
        reread = tpg_wait_for(db, sql, 1, 20 * 1000);
    }
    CU_ASSERT_FATAL(reread);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where workflow = 'refund_to_credit_memo' "
                                   "and business_key in ($1, $2)", 2, p), 2);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.business_key in ($1, $2) and e.from_state = 'record' and e.outcome = 'ok'", 2, p), 2);
    CU_ASSERT_EQUAL(credit_memos_with(eid1, NULL), 1);
    CU_ASSERT_EQUAL(credit_memos_with(eid2, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.reconciliation_gaps where reference in ($1, $2)", 2, p), 0);
    /* Centra refuses what was never paid: no refund, nothing started. */
    CU_ASSERT_EQUAL(centra_refund(number, "999999.00", "too much"), 0);
}

static CU_TestInfo tests[] = {
    {"a goodwill and shipping refund is one NetSuite credit memo for exactly what Centra refunded",
     test_a_goodwill_and_shipping_refund_is_one_credit_memo_for_exactly_the_refund},
    {"a refund for an order not yet in NetSuite waits for it, then is credited",
     test_a_refund_for_an_order_not_yet_in_netsuite_waits_for_it},
    {"a refund beyond what the shopper paid is an exception for finance and nothing is credited",
     test_a_refund_beyond_what_was_paid_is_an_exception_for_finance},
    {"refunds made in Centra become one NetSuite credit memo each, and reading the order again starts nothing twice",
     test_refunds_made_in_centra_become_one_credit_memo_each_and_a_re_read_starts_nothing_twice},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"refunds", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return tsup_run_suites("integration/test_refunds", suites);
}
