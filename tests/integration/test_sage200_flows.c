/* Sage 200 through the shared flows, end to end against the Centra and Sage 200 sandboxes with
 * real runners: Centra orders posted to Sage 200 (order_to_cash_sage200), then
 *   - despatches recorded in Sage 200 become Centra shipments with tracking, one notification each,
 *     through fulfilment_to_storefront, polled by a schedule (sage200_despatch_poll), though a
 *     runner is killed mid-way;
 *   - Centra refunds become Sage 200 sales credit notes through the returns flow
 *     (refund_to_credit_note_sage200), for exactly the refund, once, though an answer is lost;
 *   - a settlement's journals reach Sage 200's cash book as bank receipts and payments through
 *     the clearing bank (settlement_posting_sage200, on a schedule), which nets to zero;
 * checked by both sandboxes' own counts and records. Every body o2c sends Sage 200 is checked by
 * the sandbox against the OpenAPI files; its count of refused bodies must stay 0. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"
#include "tests/support/erp_pair.h"
#include "tests/support/sandbox_client.h"

#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORDERS 12

static tsup_erp_pair pair;
static PGconn *db;
static tsb_sandbox *sage = &pair.erp, *centra = &pair.centra;

static long long offenders(const char *what, const char *sql)
{
    return tpg_offenders(db, what, sql);
}

/* A sandbox's records of a collection into temp table `table`(doc). */
static void snapshot(const tsb_sandbox *sb, const char *collection, const char *table)
{
    char url[256], sql[256];
    snprintf(url, sizeof url, "%s/_sandbox/records/%s", sb->base, collection);
    tsb_response res;
    CU_ASSERT(tsb_http("GET", url, NULL, NULL, 0, &res) == 0 && res.status == 200);
    const char *p[] = {res.body && *res.body ? res.body : "[]"};
    snprintf(sql, sizeof sql, "drop table if exists %s", table);
    CU_ASSERT(tpg_ok(db, sql, 0, NULL));
    snprintf(sql, sizeof sql, "create temp table %s as select value as doc from jsonb_array_elements($1::jsonb)", table);
    CU_ASSERT(tpg_ok(db, sql, 1, p));
    tsb_response_free(&res);
}

static int set_up(void)
{
    const char *sage_args[] = {"--random-seed", "7", "--faults", "429=0.03,503=0.03,malformed=0.01",
                               "--fault-timeout-ms", "500", NULL};
    const char *centra_args[] = {"--random-seed", "7", "--faults", "429=0.03,503=0.03", NULL};
    if (tsup_erp_pair_start(&pair, "sage200", "o2c_test_sage200_flows", sage_args, centra_args, "g") != 0)
        return -1;
    db = pair.db;
    /* What the money flows need beyond the orders' mapping: the refund and shipping nominal codes,
     * the clearing bank, and o2c's GL accounts as the Sage 200 nominal codes of the same number. */
    if (!tpg_ok(db, "insert into o2c.erp_setting (erp_connection, name, value) values ('sage200', 'refund_nominal_code', '4050'), "
                    "('sage200', 'shipping_nominal_code', '4010'), ('sage200', 'clearing_bank_id', '2') "
                    "on conflict (erp_connection, name) do update set value = excluded.value", 0, NULL) ||
        !tpg_ok(db, "insert into o2c.gl_account_map (erp_connection, account, erp_account_id) "
                    "select 'sage200', account, account from o2c.gl_account on conflict do nothing", 0, NULL))
        return -1;
    /* Shoppers order; the orders are posted to Sage 200 and paid (Centra ships confirmed orders). */
    json_object *placed = tsb_control(centra, "/_sandbox/orders", "{\"count\":12,\"unknown_sku_rate\":0}");
    json_object_put(placed);
    if (!placed || !tpg_ok(db, "select o2c.start('centra_order_poll', 'centra:1', '{\"store\":\"1\",\"poll_interval_ms\":200,"
                               "\"page_size\":100,\"child_workflow\":\"order_to_cash_sage200\","
                               "\"refund_workflow\":\"refund_to_credit_note_sage200\"}')", 0, NULL) ||
        !tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'order_to_cash_sage200' and state = 'posted'",
                      ORDERS, 300 * 1000))
        return -1;
    json_object_put(tsb_control(centra, "/_sandbox/orders/confirm", NULL));
    return 0;
}

static int tear_down(void)
{
    return tsup_erp_pair_stop(&pair);
}

/* ---- despatches → Centra shipments --------------------------------------------------------------- */

/* The Centra orders with their shipments, into temp table centra_order(doc). */
static void snapshot_centra_shipments(void)
{
    char url[128];
    snprintf(url, sizeof url, "%s/graphql", centra->base);
    const char *h[] = {"Content-Type: application/json", "Authorization: Bearer sandbox-centra-token", NULL};
    const char *body = "{\"query\":\"query { orderConnection(first: 200) { edges { node { number status "
                       "shipments { id isShipped shipmentInfo { carrier trackingNumber } lines { orderLineId quantity } } } } } }\"}";
    json_object *edges = NULL, *answer = NULL;
    for (int tries = 0; tries < 200 && !edges; tries++) {
        tsb_response res;
        json_object_put(answer);
        answer = NULL;
        if (tsb_http("POST", url, h, body, strlen(body), &res) == 0 && res.status == 200)
            answer = tsb_json(&res);
        tsb_response_free(&res);
        edges = tsb_member(tsb_member(tsb_member(answer, "data"), "orderConnection"), "edges");
        if (!edges)
            tproc_sleep_ms(30);
    }
    CU_ASSERT_FATAL(edges != NULL);
    const char *p[] = {json_object_to_json_string_ext(edges, JSON_C_TO_STRING_PLAIN)};
    CU_ASSERT(tpg_ok(db, "drop table if exists centra_order", 0, NULL));
    CU_ASSERT(tpg_ok(db, "create temp table centra_order as select value->'node' as doc from jsonb_array_elements($1::jsonb)", 1, p));
    json_object_put(answer);
}

static long long shown(void)
{
    return tpg_number(db, "select count(*) from o2c.instance where workflow = 'fulfilment_to_storefront' "
                          "and state = 'shown_in_storefront'", 0, NULL);
}

static void test_every_sage200_despatch_becomes_exactly_one_centra_shipment_with_tracking_and_one_notification(void)
{
    snapshot(sage, "sop_orders", "sg_order");
    /* The warehouse despatches: every third order in two parts (one unit of its first line, then the
     * rest), the others whole, each with its own consignment number. */
    PGresult *r = tpg_query(db, "select doc->>'customer_document_no', "
                                "       (select min(n) from jsonb_array_elements(doc->'lines') with ordinality x(l, n) "
                                "         where l->>'line_type' = 'EnumLineTypeStandard'), "
                                "       (select count(*) > 1 or sum((l->>'line_quantity')::numeric) > 1 "
                                "          from jsonb_array_elements(doc->'lines') l where l->>'line_type' = 'EnumLineTypeStandard') "
                                "  from sg_order order by (doc->>'id')::bigint", 0, NULL);
    CU_ASSERT_FATAL(r != NULL && PQntuples(r) == ORDERS);
    long despatches = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        char body[256];
        if (i % 3 == 0 && strcmp(PQgetvalue(r, i, 2), "t") == 0) {
            snprintf(body, sizeof body, "{\"customer_document_no\":\"%s\",\"courier\":\"DPD\",\"consignment_no\":\"CN-%s-1\","
                                        "\"lines\":[{\"line\":%s,\"quantity\":1}]}",
                     PQgetvalue(r, i, 0), PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
            json_object *a = tsb_control(sage, "/_sandbox/sage200/despatch", body);
            CU_ASSERT(a != NULL);
            json_object_put(a);
            despatches++;
        }
        snprintf(body, sizeof body, "{\"customer_document_no\":\"%s\",\"courier\":\"Royal Mail\",\"consignment_no\":\"CN-%s-2\"}",
                 PQgetvalue(r, i, 0), PQgetvalue(r, i, 0));
        json_object *a = tsb_control(sage, "/_sandbox/sage200/despatch", body);
        CU_ASSERT(a != NULL);
        json_object_put(a);
        despatches++;
    }
    PQclear(r);
    CU_ASSERT(despatches > ORDERS);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "records.sop_order_despatch_views"), despatches);
    /* Nothing left: a despatch of more than is left is refused by the warehouse. */
    CU_ASSERT(tsb_control(sage, "/_sandbox/sage200/despatch", "{\"customer_document_no\":\"no-such-order\"}") == NULL);

    /* The poller runs on a schedule (due at once here; in a round of repeat_ms it loops). */
    CU_ASSERT(tpg_ok(db, "select o2c.schedule('sage200_despatches', '* * * * *', 'UTC', 'sage200_despatch_poll', "
                         "'{\"repeat_ms\":200}', now() - interval '2 minutes')", 0, NULL));
    /* A runner is killed while it holds leases, once a few are shown; its work is finished by the
     * other and by its restart. */
    char sql[256];
    snprintf(sql, sizeof sql, "select (count(*) >= %ld)::int from o2c.instance where workflow = 'fulfilment_to_storefront' "
                              "and state = 'shown_in_storefront'", despatches / 4);
    CU_ASSERT(tpg_wait_for(db, sql, 1, 300 * 1000));
    for (int i = 0; i < 500; i++) {
        if (tpg_number(db, "select count(*) from o2c.step where leased_by = 'g1' and leased_until > now()", 0, NULL) > 0)
            break;
        tproc_sleep_ms(5);
    }
    kill(pair.runners[0], SIGKILL);
    CU_ASSERT_EQUAL(tproc_wait(pair.runners[0]), 128 + SIGKILL);
    CU_ASSERT(tsup_erp_pair_runner(&pair, 0) > 0);
    snprintf(sql, sizeof sql, "select count(*) from o2c.instance where workflow = 'fulfilment_to_storefront' "
                              "and state = 'shown_in_storefront'");
    if (!tpg_wait_for(db, sql, despatches, 300 * 1000))
        offenders("not shown", "select business_key || ' ' || state || ' ' || status || ' ' || coalesce(exception_message, '') "
                               "from o2c.instance where workflow = 'fulfilment_to_storefront' and state <> 'shown_in_storefront'");
    CU_ASSERT_EQUAL(shown(), despatches);
    CU_ASSERT(tpg_number(db, "select count(*) from o2c.instance where workflow = 'sage200_despatch_poll' "
                             "and business_key like 'schedule:sage200_despatches:%'", 0, NULL) >= 1);

    /* Exactly once by Centra's own count: one shipment and one notification per despatch. */
    CU_ASSERT_EQUAL(tproc_sandbox_stat(centra->port, "records.shipments"), despatches);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(centra->port, "notifications.total"), despatches);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(centra->port, "duplicate_shipments"), 0);

    /* Each despatch is one shipped Centra shipment with its courier, consignment number and the
     * units of its lines, through the order links. */
    snapshot(sage, "sop_order_despatch_views", "sg_despatch");
    snapshot(sage, "sop_order_despatch_line_views", "sg_despatch_line");
    snapshot_centra_shipments();
    CU_ASSERT_EQUAL(offenders("despatch without its shipment",
        "with want as ("
        "  select d.doc->>'sop_despatch_id' as id, eo.order_key, d.doc->>'sop_despatch_consignment_no' as tracking, "
        "         d.doc->>'sop_despatch_courier_name' as carrier, "
        "         (select jsonb_agg(jsonb_build_array(ol.storefront_line_id::int, (l.doc->>'sop_despatch_line_quantity')::numeric::int) "
        "                           order by ol.storefront_line_id::int) "
        "            from sg_despatch_line l "
        "            join o2c.erp_order_line el on el.order_key = eo.order_key and el.erp_connection = 'sage200' "
        "                                      and el.erp_line = (l.doc->>'sop_order_line_print_sequence_number')::int "
        "            join o2c.canonical_order_line ol on ol.order_key = el.order_key and ol.line_no = el.order_line_no "
        "           where l.doc->>'sop_despatch_id' = d.doc->>'sop_despatch_id') as lines "
        "    from sg_despatch d join o2c.erp_order eo on eo.erp_connection = 'sage200' and eo.erp_order_id = d.doc->>'sop_order_id'), "
        "got as ("
        "  select 'centra:1:' || (o.doc->>'number') as order_key, s#>>'{shipmentInfo,trackingNumber}' as tracking, "
        "         s#>>'{shipmentInfo,carrier}' as carrier, (s->>'isShipped')::boolean as shipped, "
        "         (select jsonb_agg(jsonb_build_array((sl->>'orderLineId')::int, (sl->>'quantity')::int) order by (sl->>'orderLineId')::int) "
        "            from jsonb_array_elements(s->'lines') sl) as lines "
        "    from centra_order o cross join jsonb_array_elements(o.doc->'shipments') s) "
        "select format('despatch %s of %s (%s): want %s', w.id, w.order_key, w.tracking, w.lines) "
        "  from want w where (select count(*) from got g where g.order_key = w.order_key and g.tracking = w.tracking "
        "                      and g.carrier = w.carrier and g.lines = w.lines and g.shipped) <> 1"), 0);
    CU_ASSERT_EQUAL(offenders("order not shipped in Centra",
        "select doc->>'number' || ' ' || (doc->>'status') from centra_order where doc->>'status' <> 'SHIPPED'"), 0);
    /* The canonical fulfilments are Sage's despatches; the cursor stands at the newest. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_fulfilment f join sg_despatch d "
                                   "on f.fulfilment_key = 'sage200:' || (d.doc->>'sop_despatch_id') "
                                   "where f.erp_connection = 'sage200' and f.tracking_numbers = array[d.doc->>'sop_despatch_consignment_no']",
                               0, NULL), despatches);
    CU_ASSERT(tpg_wait_for(db, "select (last_id = (select max((doc->>'sop_despatch_id')::bigint) from sg_despatch))::int "
                               "from o2c.fulfilment_poll_cursor where erp_connection = 'sage200'", 1, 30 * 1000));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL), 0);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "refused_writes"), 0);
    /* Rounds after the last despatch start nothing more. */
    long long rounds = tpg_number(db, "select rounds from o2c.fulfilment_poll_cursor where erp_connection = 'sage200'", 0, NULL);
    snprintf(sql, sizeof sql, "select (rounds >= %lld)::int from o2c.fulfilment_poll_cursor where erp_connection = 'sage200'", rounds + 3);
    CU_ASSERT(tpg_wait_for(db, sql, 1, 60 * 1000));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where workflow = 'fulfilment_to_storefront'", 0, NULL),
                    despatches);
    CU_ASSERT(tpg_ok(db, "select o2c.unschedule('sage200_despatches')", 0, NULL));
}

/* ---- refunds → sales credit notes ---------------------------------------------------------------- */

static void test_centra_refunds_become_sage200_credit_notes_for_exactly_the_refund_once(void)
{
    /* The first post succeeds in Sage 200 and its answer never arrives. */
    json_object_put(tsb_control(sage, "/_sandbox/sage200/lose_answers", "{\"count\":1}"));
    long long lost = tproc_sandbox_stat(sage->port, "lost_answers");
    PGresult *r = tpg_query(db, "select number, grand_total::text from o2c.canonical_order order by number::bigint limit 3", 0, NULL);
    CU_ASSERT_FATAL(r != NULL && PQntuples(r) == 3);
    /* Customer service refunds in Centra: 10.00 of one order, all of another; the order poller
     * reads the refunds and starts the returns flow for each. */
    char path[128], body[128];
    snprintf(path, sizeof path, "/_sandbox/orders/%s/refund", PQgetvalue(r, 0, 0));
    json_object *a = tsb_control(centra, path, "{\"amount\":\"10.00\",\"reason\":\"goodwill\"}");
    long goodwill = (long)json_object_get_int64(tsb_member(a, "refund"));
    json_object_put(a);
    snprintf(path, sizeof path, "/_sandbox/orders/%s/refund", PQgetvalue(r, 1, 0));
    snprintf(body, sizeof body, "{\"amount\":\"%s\",\"reason\":\"cancelled after payment\"}", PQgetvalue(r, 1, 1));
    a = tsb_control(centra, path, body);
    long whole = (long)json_object_get_int64(tsb_member(a, "refund"));
    json_object_put(a);
    CU_ASSERT_FATAL(goodwill > 0 && whole > 0);
    /* A refund with its VAT and shipping share stated, as the reader passes one that has them. */
    const char *third[] = {PQgetvalue(r, 2, 0)};
    CU_ASSERT(tpg_ok(db, "select o2c.start('refund_to_credit_note_sage200', 'centra:1:refund:9101', jsonb_build_object('store', '1', "
                         "'refund', jsonb_build_object('id', '9101', 'order_number', $1::text, 'amount', '12.50', 'tax', '2.50', "
                         "'shipping', '4.90', 'reason', 'late delivery', 'currency', "
                         "(select currency from o2c.canonical_order where order_key = 'centra:1:' || $1))))", 1, third));
    if (!tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'refund_to_credit_note_sage200' and state = 'credited'",
                      3, 300 * 1000))
        offenders("not credited", "select business_key || ' ' || state || ' ' || status || ' ' || coalesce(exception_message, '') "
                                  "from o2c.instance where workflow = 'refund_to_credit_note_sage200'");

    /* Exactly once by Sage's own count, though the first post's answer was lost. */
    CU_ASSERT(tproc_sandbox_stat(sage->port, "lost_answers") > lost);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "records.sales_posted_transactions"), 3);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "duplicate_credit_note_references"), 0);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "refused_writes"), 0);

    /* Centra's refunds to the penny: the canonical returns carry Centra's amounts, and each credit
     * note's gross, VAT and analysis are the return's, for the order's customer. */
    char sql[256];
    snprintf(sql, sizeof sql, "select count(*) from o2c.canonical_return where (return_key, refund_amount) in "
                              "(('centra:1:refund:%ld', 10.00), ('centra:1:refund:%ld', %s))", goodwill, whole, PQgetvalue(r, 1, 1));
    CU_ASSERT_EQUAL(tpg_number(db, sql, 0, NULL), 2);
    PQclear(r);
    snapshot(sage, "sales_posted_transactions", "sg_credit");
    snapshot(sage, "sop_orders", "sg_order");
    CU_ASSERT_EQUAL(offenders("credit note differs",
        "select format('%s: refund %s tax %s, credit note %s', r.return_key, r.refund_amount, r.refund_tax, c.doc) "
        "  from o2c.canonical_return r join o2c.canonical_order o using (order_key) "
        "  left join o2c.erp_return e on e.return_key = r.return_key and e.erp_connection = 'sage200' "
        "  left join sg_credit c on c.doc->>'id' = e.credit_memo_id "
        "  left join sg_order so on so.doc->>'customer_document_no' = o.number "
        " where c.doc is null or e.credit_memo_amount <> r.refund_amount "
        "    or (c.doc->>'document_gross_value')::numeric <> r.refund_amount "
        "    or (c.doc->>'document_tax_value')::numeric <> r.refund_tax "
        "    or (c.doc->>'document_goods_value')::numeric <> r.refund_amount - r.refund_tax "
        "    or c.doc->>'trader_transaction_type' <> 'TradingAccountEntryTypeCreditNote' "
        "    or c.doc->>'second_reference' <> o.number or c.doc->>'customer_id' <> so.doc->>'customer_id' "
        "    or (select sum((i->>'value')::numeric) from jsonb_array_elements(c.doc->'nominal_analysis_items') i) "
        "       <> r.refund_amount - r.refund_tax "
        "    or (select sum((i->>'tax_amount')::numeric) from jsonb_array_elements(c.doc->'tax_analysis_items') i) <> r.refund_tax"),
        0);
    /* The stated shipping share went to the shipping nominal code, net of its VAT share. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from sg_credit c, jsonb_array_elements(c.doc->'nominal_analysis_items') i "
                                   "where c.doc->>'reference' = 'RF-1-9101' and i->>'code' = '4010' "
                                   "and (i->>'value')::numeric = 3.92", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL), 0);
}

static void test_a_credit_note_for_a_locked_customer_is_retried_then_an_exception_naming_the_user_then_done_after_release(void)
{
    /* A short lock budget, so the test does not wait minutes for what ops would see. */
    CU_ASSERT(tpg_ok(db, "select o2c.define_workflow('refund_to_credit_note_sage200', jsonb_set(spec, '{states,credit_note,lock}', "
                         "'{\"max_attempts\":3,\"delay_ms\":50}')) from o2c.workflow_version "
                         "where workflow = 'refund_to_credit_note_sage200' order by version desc limit 1", 0, NULL));
    PGresult *r = tpg_query(db, "select o.number, l.erp_customer_id from o2c.canonical_order o "
                                "join o2c.customer_link l on l.erp_connection = 'sage200' and l.email = o.email "
                                "order by o.number::bigint desc limit 1", 0, NULL);
    CU_ASSERT_FATAL(r != NULL && PQntuples(r) == 1);
    char body[160];
    snprintf(body, sizeof body, "{\"collection\":\"customers\",\"id\":%s,\"user\":\"A.CLERK\"}", PQgetvalue(r, 0, 1));
    json_object_put(tsb_control(sage, "/_sandbox/sage200/lock", body));
    long long posted = tproc_sandbox_stat(sage->port, "records.sales_posted_transactions");
    const char *p[] = {PQgetvalue(r, 0, 0)};
    CU_ASSERT(tpg_ok(db, "select o2c.start('refund_to_credit_note_sage200', 'centra:1:refund:9102', jsonb_build_object('store', '1', "
                         "'refund', jsonb_build_object('id', '9102', 'order_number', $1::text, 'amount', '5.00', 'tax', '1.00', "
                         "'shipping', '0', 'reason', 'scratched', 'currency', "
                         "(select currency from o2c.canonical_order where order_key = 'centra:1:' || $1))))", 1, p));
    /* Locked: retried on its own budget, then for ops naming the account and the user. */
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.exceptions where business_key = 'centra:1:refund:9102' "
                               "and category = 'record_locked' and owner = 'ops' and message like '%A.CLERK%'", 1, 120 * 1000));
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "records.sales_posted_transactions"), posted);
    /* Released and re-driven: credited once. */
    snprintf(body, sizeof body, "{\"collection\":\"customers\",\"id\":%s}", PQgetvalue(r, 0, 1));
    json_object_put(tsb_control(sage, "/_sandbox/sage200/release", body));
    PQclear(r);
    CU_ASSERT(tpg_ok(db, "select o2c.redrive(workflow_id) from o2c.exceptions where business_key = 'centra:1:refund:9102'", 0, NULL));
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where business_key = 'centra:1:refund:9102' and state = 'credited'",
                           1, 120 * 1000));
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "records.sales_posted_transactions"), posted + 1);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "duplicate_credit_note_references"), 0);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "refused_writes"), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL), 0);
}

/* ---- payouts → the cash book --------------------------------------------------------------------- */

#define V2_HEAD "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\t" \
                "transaction-type\torder-id\tamount-type\tamount-description\tamount\tposted-date\n"

static void test_a_settlements_journals_reach_the_sage200_cash_book_once_and_the_clearing_bank_nets_to_zero(void)
{
    /* An Amazon settlement over a month end: two journals. */
    const char *p[] = {"sage.tsv", V2_HEAD
                       "8001\t2026-11-25\t2026-12-05\t2026-12-07\t155.00\tEUR\t\t\t\t\t\t\n"
                       "8001\t\t\t\t\t\tOrder\t1\tItemPrice\tPrincipal\t100.00\t2026-11-28\n"
                       "8001\t\t\t\t\t\tOrder\t1\tItemFees\tCommission\t-15.00\t2026-11-28\n"
                       "8001\t\t\t\t\t\tOrder\t2\tItemPrice\tPrincipal\t80.00\t2026-12-02\n"
                       "8001\t\t\t\t\t\tOrder\t2\tItemFees\tCommission\t-10.00\t2026-12-02\n"};
    CU_ASSERT_EQUAL(tpg_number(db, "select (status = 'ready')::int from o2c.import_settlement($1, $2)", 2, p), 1);
    long long journals = tpg_number(db, "select count(*) from o2c.settlement_journal where settlement_id = '8001'", 0, NULL);
    CU_ASSERT_FATAL(journals == 2);
    json_object_put(tsb_control(sage, "/_sandbox/sage200/lose_answers", "{\"count\":1}"));
    long long lost = tproc_sandbox_stat(sage->port, "lost_answers");
    /* The daily schedule's round (due now). */
    CU_ASSERT(tpg_ok(db, "select o2c.schedule('settlement_posting_sage200', '0 6 * * *', 'UTC', 'settlement_posting_round_sage200', "
                         "'{}', now() - interval '2 days')", 0, NULL));
    if (!tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'settlement_posting_sage200' "
                          "and business_key = 'settlement:amazon:8001' and status = 'done'", 1, 300 * 1000))
        offenders("not posted", "select business_key || ' ' || state || ' ' || status || ' ' || coalesce(exception_message, '') "
                                "from o2c.instance where workflow like 'settlement_posting%'");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.settlement_journal where settlement_id = '8001' "
                                   "and posted_at is not null and erp_id ~ '^[0-9]+[+][0-9]+$'", 0, NULL), journals);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.settlement where settlement_id = '8001' and status = 'posted'", 0, NULL), 1);

    /* Exactly once by Sage's count: a receipt and a payment per journal, though an answer was lost. */
    CU_ASSERT(tproc_sandbox_stat(sage->port, "lost_answers") > lost);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "records.bank_posted_transactions"), 2 * journals);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "duplicate_bank_references"), 0);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "refused_writes"), 0);

    /* Sage's nominal movements are the journals' lines to the penny, account by account; the
     * clearing bank nets to zero; the operating bank's nominal code takes the deposit. */
    snapshot(sage, "bank_posted_transactions", "sg_bank");
    snapshot(sage, "banks", "sg_banks");
    CU_ASSERT_EQUAL(offenders("nominal movement differs",
        "with sage as (select split_part(b.doc->>'entry_description', ': ', 1) as eid, i->>'code' as code, "
        "                     sum(case when b.doc->>'bank_transaction_type' = 'BankAccountEntryTypeReceipt' "
        "                              then -(i->>'gross_value')::numeric else (i->>'gross_value')::numeric end) as net_debit "
        "                from sg_bank b, jsonb_array_elements(b.doc->'nominal_analysis_items') i group by 1, 2), "
        "     book as (select o2c.settlement_erp_external_id(l.external_id) as eid, m.erp_account_id as code, "
        "                     sum(l.debit - l.credit) as net_debit "
        "                from o2c.settlement_journal_line l join o2c.settlement_journal j using (external_id) "
        "                join o2c.gl_account_map m on m.erp_connection = 'sage200' and m.account = l.gl_account "
        "               where j.settlement_id = '8001' group by 1, 2) "
        "select format('%s %s: Sage %s, journal %s', coalesce(s.eid, b.eid), coalesce(s.code, b.code), s.net_debit, b.net_debit) "
        "  from sage s full join book b using (eid, code) where s.net_debit is distinct from b.net_debit"), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from sg_banks where doc->>'id' = '2' and (doc->>'balance')::numeric = 0", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select (sum((i->>'gross_value')::numeric) = 155.00)::int from sg_bank b, "
                                   "jsonb_array_elements(b.doc->'nominal_analysis_items') i "
                                   "where b.doc->>'bank_transaction_type' = 'BankAccountEntryTypePayment' and i->>'code' = '1000'",
                               0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from sg_bank where (doc->>'bank_id')::int <> 2 "
                                   "or length(doc->>'reference') > 20", 0, NULL), 0);
    /* Another round starts nothing new and posts nothing again. */
    CU_ASSERT(tpg_ok(db, "select o2c.start('settlement_posting_round_sage200', 'test:again', '{}')", 0, NULL));
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'settlement_posting_round_sage200' "
                               "and status = 'done'", 2, 60 * 1000));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where workflow = 'settlement_posting_sage200'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "records.bank_posted_transactions"), 2 * journals);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL), 0);
    CU_ASSERT(tpg_ok(db, "select o2c.unschedule('settlement_posting_sage200')", 0, NULL));
}

static CU_TestInfo tests[] = {
    {"every Sage 200 despatch becomes exactly one Centra shipment with tracking and one notification",
     test_every_sage200_despatch_becomes_exactly_one_centra_shipment_with_tracking_and_one_notification},
    {"Centra refunds become Sage 200 credit notes for exactly the refund, once, though an answer is lost",
     test_centra_refunds_become_sage200_credit_notes_for_exactly_the_refund_once},
    {"a credit note for a locked customer is retried, then an exception naming the user, then done after release",
     test_a_credit_note_for_a_locked_customer_is_retried_then_an_exception_naming_the_user_then_done_after_release},
    {"a settlement's journals reach the Sage 200 cash book once and the clearing bank nets to zero",
     test_a_settlements_journals_reach_the_sage200_cash_book_once_and_the_clearing_bank_nets_to_zero},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    CU_SuiteInfo suites[] = {
        {"sage200 flows", set_up, tear_down, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return tsup_run_suites("integration/test_sage200_flows", suites);
}
