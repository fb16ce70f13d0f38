/* Centra cancellations reach Sage 200 (workflows/order_cancellation_sage200.sql), end to end
 * against the Centra and Sage 200 sandboxes with real runners: a posted order cancelled in the
 * store is deleted from Sage 200 once (the sandbox counts deletions); an order a clerk has open in
 * the desktop client is retried, then an exception for ops naming the order and the clerk, then
 * deleted once released and re-driven; an order the warehouse already despatched is refused by
 * Sage and left to ops with Sage's words; a partial cancellation after posting is an exception
 * for ops naming the lines, with nothing changed in Sage. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"
#include "tests/support/erp_pair.h"
#include "tests/support/sandbox_client.h"

#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define ORDERS 8

static tsup_erp_pair pair;
static PGconn *db;
static tsb_sandbox *sage = &pair.erp, *centra = &pair.centra;

static int set_up(void)
{
    const char *sage_args[] = {"--random-seed", "5", "--faults", "429=0.02,503=0.03,malformed=0.01",
                               "--fault-timeout-ms", "500", NULL};
    const char *centra_args[] = {"--random-seed", "5", "--faults", "503=0.02", NULL};
    if (tsup_erp_pair_start(&pair, "sage200", "o2c_test_sage200_cancellation", sage_args, centra_args, "k") != 0)
        return -1;
    db = pair.db;
    json_object *placed = tsb_control(centra, "/_sandbox/orders", "{\"count\":8,\"unknown_sku_rate\":0}");
    json_object_put(placed);
    if (!placed || !tpg_ok(db, "select o2c.start('centra_order_poll', 'centra:1', '{\"store\":\"1\",\"poll_interval_ms\":200,"
                               "\"page_size\":100,\"child_workflow\":\"order_to_cash_sage200\","
                               "\"cancel_workflow\":\"order_cancellation_sage200\"}')", 0, NULL) ||
        !tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'order_to_cash_sage200' and state = 'posted'",
                      ORDERS, 300 * 1000))
        return -1;
    return 0;
}

static int tear_down(void)
{
    return tsup_erp_pair_stop(&pair);
}

/* The number of the n-th posted order (by number), and its Sage 200 id. */
static void posted_order(int n, char *number, size_t number_len, char *sage_id, size_t id_len)
{
    char sql[256];
    snprintf(sql, sizeof sql, "select context#>>'{order,number}', context->>'sales_order_id' from o2c.instance "
                              "where workflow = 'order_to_cash_sage200' and state = 'posted' "
                              "order by (context#>>'{order,number}')::bigint offset %d limit 1", n);
    PGresult *r = tpg_query(db, sql, 0, NULL);
    CU_ASSERT_FATAL(r != NULL && PQntuples(r) == 1);
    snprintf(number, number_len, "%s", PQgetvalue(r, 0, 0));
    snprintf(sage_id, id_len, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
}

static void cancel_in_centra(const char *number)
{
    char path[96];
    snprintf(path, sizeof path, "/_sandbox/orders/%s/cancel", number);
    json_object *a = tsb_control(centra, path, NULL);
    CU_ASSERT(a != NULL);
    json_object_put(a);
}

/* Sage 200's sales orders carrying this customer_document_no, by the sandbox's own records. */
static long long orders_in_sage(const char *number)
{
    char url[256];
    snprintf(url, sizeof url, "%s/_sandbox/records/sop_orders", sage->base);
    tsb_response res;
    CU_ASSERT_FATAL(tsb_http("GET", url, NULL, NULL, 0, &res) == 0 && res.status == 200);
    const char *p[] = {res.body, number};
    long long n = tpg_number(db, "select count(*) from jsonb_array_elements($1::jsonb) d where d->>'customer_document_no' = $2", 2, p);
    tsb_response_free(&res);
    return n;
}

static char cancel_key[64];
static const char *cancel_key_of(const char *number)
{
    snprintf(cancel_key, sizeof cancel_key, "centra:1:%s:cancel", number);
    return cancel_key;
}

/* Waits until the cancellation of the order (digits only) matches `where` (SQL over o2c.instance i
 * and its exception, if any, x); 1 when it did. */
static int wait_for_cancellation(const char *number, const char *where, int timeout_ms)
{
    char sql[768];
    snprintf(sql, sizeof sql, "select count(*) from o2c.instance i left join o2c.exceptions x on x.workflow_id = i.id "
                              "where i.workflow = 'order_cancellation_sage200' and i.business_key = 'centra:1:%s:cancel' and %s",
             number, where);
    if (tpg_wait_for(db, sql, 1, timeout_ms))
        return 1;
    tpg_offenders(db, "cancellations", "select business_key || ' ' || state || ' ' || status || ' ' || coalesce(exception_message, '') "
                                      "from o2c.instance where workflow = 'order_cancellation_sage200'");
    return 0;
}

static void test_a_posted_order_cancelled_in_the_store_is_deleted_from_sage200_once(void)
{
    char number[32], id[32];
    posted_order(0, number, sizeof number, id, sizeof id);
    CU_ASSERT_EQUAL(orders_in_sage(number), 1);
    long long deleted_before = tproc_sandbox_stat(sage->port, "deleted_orders");
    cancel_in_centra(number);
    CU_ASSERT(wait_for_cancellation(number, "i.state = 'deleted' and i.status = 'done'", 120 * 1000));
    CU_ASSERT_EQUAL(orders_in_sage(number), 0);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "deleted_orders"), deleted_before + 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL), 0);
}

static void test_an_order_open_in_the_desktop_client_is_retried_then_for_ops_then_deleted_after_release(void)
{
    char number[32], id[32], body[160];
    posted_order(1, number, sizeof number, id, sizeof id);
    snprintf(body, sizeof body, "{\"collection\":\"sop_orders\",\"id\":%s,\"user\":\"J.SMITH\"}", id);
    json_object_put(tsb_control(sage, "/_sandbox/sage200/lock", body));
    long long locks_before = tproc_sandbox_stat(sage->port, "locked_refusals");
    cancel_in_centra(number);
    const char *k[] = {cancel_key_of(number)};
    /* Retried on the lock budget, then for ops, naming the order and the clerk; nothing deleted. */
    CU_ASSERT(wait_for_cancellation(number, "x.category = 'record_locked'", 180 * 1000));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where business_key = $1 and category = 'record_locked' "
                                   "and owner = 'ops' and message like '%J.SMITH%' and message like '%sales order%'", 1, k), 1);
    CU_ASSERT(tproc_sandbox_stat(sage->port, "locked_refusals") >= locks_before + 2);
    CU_ASSERT_EQUAL(orders_in_sage(number), 1);
    /* Released and re-driven with the SQL the exception gives: deleted, once. */
    json_object_put(tsb_control(sage, "/_sandbox/sage200/release", body));
    CU_ASSERT(tpg_ok(db, "select o2c.redrive(workflow_id) from o2c.exceptions where business_key = $1", 1, k));
    CU_ASSERT(wait_for_cancellation(number, "i.state = 'deleted' and i.status = 'done'", 120 * 1000));
    CU_ASSERT_EQUAL(orders_in_sage(number), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL), 0);
}

static void test_an_order_already_despatched_is_left_to_ops_with_sages_words(void)
{
    char number[32], id[32], body[160];
    posted_order(2, number, sizeof number, id, sizeof id);
    snprintf(body, sizeof body, "{\"customer_document_no\":\"%s\",\"courier\":\"DPD\",\"consignment_no\":\"CN-%s\"}", number, number);
    json_object *d = tsb_control(sage, "/_sandbox/sage200/despatch", body);
    CU_ASSERT_FATAL(d != NULL);
    json_object_put(d);
    cancel_in_centra(number);
    const char *k[] = {cancel_key_of(number)};
    CU_ASSERT(wait_for_cancellation(number, "i.status = 'exception'", 120 * 1000));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where business_key = $1 and category = 'remote_rejected' "
                                   "and owner = 'ops' and message like '%despatched%'", 1, k), 1);
    CU_ASSERT_EQUAL(orders_in_sage(number), 1);
    CU_ASSERT(tpg_ok(db, "select o2c.cancel(workflow_id, 'test: the despatched order is returned instead') "
                         "from o2c.exceptions where business_key = $1", 1, k));
}

static void test_a_partial_cancellation_after_posting_is_for_ops_naming_the_lines(void)
{
    /* The order as the store has it now: one unit of its first product line cancelled. */
    PGresult *r = tpg_query(db, "select o2c_action.plan_order_cancellation(jsonb_build_object('source', 'centra', 'store', '1', "
                                "  'order', jsonb_set(jsonb_set(context->'order', '{lines,0,quantity}', "
                                "        to_jsonb((context#>>'{order,lines,0,quantity}')::int - 1)), "
                                "      '{lines,0,cancelledQuantity}', '1')), "
                                "  '{\"storefront_connection\":\"centra\",\"erp_connection\":\"sage200\","
                                "    \"workflow\":\"order_cancellation_sage200\",\"change_lines\":false}')::text "
                                "from o2c.instance where workflow = 'order_to_cash_sage200' and state = 'posted' "
                                "  and (context#>>'{order,lines,0,quantity}')::int > 1 "
                                "  and business_key not in (select left(business_key, -7) from o2c.instance "
                                "                            where workflow = 'order_cancellation_sage200') "
                                "order by id limit 1", 0, NULL);
    CU_ASSERT_FATAL(r != NULL && PQntuples(r) == 1);
    json_object *answer = json_tokener_parse(PQgetvalue(r, 0, 0));
    PQclear(r);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(tsb_member(answer, "outcome")), "failed");
    json_object *detail = tsb_member(answer, "detail");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(tsb_member(detail, "category")), "order_changed_after_posting");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(tsb_member(detail, "owner")), "ops");
    const char *message = json_object_get_string(tsb_member(detail, "message"));
    CU_ASSERT_FATAL(message != NULL);
    CU_ASSERT(strstr(message, "Sage 200") && strstr(message, "fewer units") && strstr(message, "by hand"));
    json_object_put(answer);
}

static CU_TestInfo tests[] = {
    {"a posted order cancelled in the store is deleted from Sage 200, once",
     test_a_posted_order_cancelled_in_the_store_is_deleted_from_sage200_once},
    {"an order open in the desktop client is retried, then for ops naming the clerk, then deleted after release",
     test_an_order_open_in_the_desktop_client_is_retried_then_for_ops_then_deleted_after_release},
    {"an order already despatched is left to ops with Sage's words", test_an_order_already_despatched_is_left_to_ops_with_sages_words},
    {"a partial cancellation after posting is for ops, naming the lines", test_a_partial_cancellation_after_posting_is_for_ops_naming_the_lines},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"Sage 200 cancellations", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_sage200_cancellation", suites); }
