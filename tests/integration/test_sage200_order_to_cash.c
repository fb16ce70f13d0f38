/* Centra orders into Sage 200, end to end: 1,000 of the Centra sandbox's orders become customers and
 * sales orders in the Sage 200 sandbox through the shipped pipeline (workflows/
 * order_to_cash_sage200.sql), the canonical model, the mapping tables and real runners, with faults
 * on in both sandboxes (429, 5xx, record locks, cut-off answers, dropped connections), creates whose
 * answers are lost after they succeeded, the on-premise tunnel down (504), customer accounts held
 * open in the desktop client and a runner SIGKILLed mid-step. What Sage 200 holds afterwards is
 * checked against what Centra holds, to the penny, by SQL over both sandboxes' records; every body
 * o2c sent passed the sandbox's check against the OpenAPI files (and a bad one is seen to fail it). */
#include "tests/support/centra_shop.h"
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

#define ORDERS 1000

static tsup_erp_pair pair;
static PGconn *db;
static tsb_sandbox *sage = &pair.erp, *centra = &pair.centra;
static pid_t runners[2];

static bool control_ok(const tsb_sandbox *sb, const char *path, const char *body)
{
    json_object *a = tsb_control(sb, path, body);
    json_object_put(a);
    return a != NULL;
}

static pid_t start_runner(const char *id)
{
    const char *args[] = {"--runner-id", id, "--concurrency", "12", "--lease-seconds", "4", "--poll-ms", "200", NULL};
    return tproc_runner(pair.conninfo, pair.logs, args);
}

static int set_up(void)
{
    /* Faults in both: throttling, 5xx, record locks, cut-off bodies, a few dropped connections.
     * (Sage's 429 carries Retry-After, which holds the whole connection: few of them.) */
    const char *sage_args[] = {"--random-seed", "5", "--latency-ms", "2",
                               "--faults", "429=0.005,503=0.03,lock=0.02,malformed=0.01,timeout=0.002",
                               "--fault-timeout-ms", "1000", NULL};
    const char *centra_args[] = {"--random-seed", "5", "--faults", "429=0.03,503=0.03,malformed=0.01", NULL};
    if (tsup_erp_pair_start(&pair, "sage200", "o2c_test_sage200_o2c", sage_args, centra_args, NULL) != 0)
        return -1;
    db = pair.db;
    /* More calls at once than the tunnel of a real site allows, so 1,000 orders take a minute. */
    if (!tpg_ok(db, "update o2c.connection set max_concurrent = 8 where name = 'sage200'", 0, NULL))
        return -1;
    runners[0] = start_runner("s1");
    runners[1] = start_runner("s2");
    return runners[0] > 0 && runners[1] > 0 ? 0 : -1;
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

static char *sage_records(const char *collection)
{
    char url[256];
    snprintf(url, sizeof url, "%s/_sandbox/records/%s", sage->base, collection);
    tsb_response res;
    char *text = NULL;
    if (tsb_http("GET", url, NULL, NULL, 0, &res) == 0 && res.status == 200)
        text = strdup(res.body);
    tsb_response_free(&res);
    return text ? text : strdup("[]");
}

/* centra_order(doc), sg_order(doc), sg_customer(doc): both sandboxes' records, for the checks. */
static void snapshot_sandboxes(void)
{
    char *orders = tsup_centra_orders_json(centra), *so = sage_records("sop_orders"), *cust = sage_records("customers");
    const char *p[] = {orders, so, cust};
    CU_ASSERT(tpg_ok(db, "drop table if exists centra_order, sg_order, sg_customer", 0, NULL));
    CU_ASSERT(tpg_ok(db, "create temp table centra_order as select value as doc from jsonb_array_elements($1::jsonb)", 1, p));
    CU_ASSERT(tpg_ok(db, "create temp table sg_order as select value as doc from jsonb_array_elements($1::jsonb)", 1, p + 1));
    CU_ASSERT(tpg_ok(db, "create temp table sg_customer as select value as doc from jsonb_array_elements($1::jsonb)", 1, p + 2));
    free(orders);
    free(so);
    free(cust);
}

static long long offenders(const char *what, const char *sql)
{
    PGresult *r = tpg_query(db, sql, 0, NULL);
    if (!r)
        return -1;
    long long n = PQntuples(r);
    for (int i = 0; i < n && i < 5; i++)
        fprintf(stderr, "  %s: %s\n", what, PQgetvalue(r, i, 0));
    PQclear(r);
    return n;
}

static long long settled(void)
{
    return tpg_number(db, "select count(*) from o2c.instance where workflow = 'order_to_cash_sage200' "
                          "and status in ('done', 'exception')", 0, NULL);
}

/* ---- orders under faults, lost answers and a SIGKILLed runner ----------------------------------- */

/* Opens (lock) or closes (release) in the desktop client the Sage 200 accounts o2c made for the
 * seed's returning shoppers (four orders in ten are theirs); returns how many. */
static int desktop_client_accounts(bool lock)
{
    PGresult *r = tpg_query(db, "select erp_customer_id from o2c.customer_link where erp_connection = 'sage200' "
                                "and email not like 'shopper%' order by erp_customer_id", 0, NULL);
    int n = r ? PQntuples(r) : 0;
    for (int i = 0; i < n; i++) {
        char body[160];
        snprintf(body, sizeof body, "{\"collection\":\"customers\",\"id\":%s%s}", PQgetvalue(r, i, 0),
                 lock ? ",\"user\":\"A.CLERK\"" : "");
        CU_ASSERT(control_ok(sage, lock ? "/_sandbox/sage200/lock" : "/_sandbox/sage200/release", body));
    }
    PQclear(r);
    return n;
}

static long long posted_orders(void)
{
    return tpg_number(db, "select count(*) from o2c.instance where workflow = 'order_to_cash_sage200' and state = 'posted'",
                      0, NULL);
}

static void wait_posted(long long n)
{
    for (int i = 0; i < 6000 && posted_orders() < n; i++)
        tproc_sleep_ms(20);
}

/* POSTs a body the sandbox must refuse to the Sage 200 API as o2c does (token, site, company) until
 * the answer is not one of the sandbox's random faults (those never reach the check); returns the
 * status: 400 when the check refused it. */
static long sage_post(const char *path, const char *body)
{
    char url[160];
    snprintf(url, sizeof url, "%s%s", sage->base, path);
    const char *h[] = {"Authorization: Bearer sandbox-sage200-token", "X-Site: sandbox-site", "X-Company: 1",
                       "Content-Type: application/json", NULL};
    long status = 0;
    for (int i = 0; i < 50; i++) {
        tsb_response res;
        status = tsb_http("POST", url, h, body, strlen(body), &res) == 0 ? res.status : 0;
        bool fault = status != 400 || (res.body && strstr(res.body, "in use by"));
        tsb_response_free(&res);
        if (!fault)
            break;
    }
    return status;
}

static void test_centra_orders_become_sage200_sales_orders_exactly_once_to_the_penny(void)
{
    /* Two creates in a hundred succeed in Sage 200 and their answers never arrive (the tunnel
     * times out after the record was made). */
    CU_ASSERT_FATAL(control_ok(sage, "/_sandbox/sage200/lose_answers", "{\"rate\":0.02}"));
    CU_ASSERT_FATAL(tsup_centra_place_orders(centra, ORDERS, 0) > 0);
    CU_ASSERT(tpg_ok(db, "select o2c.start('centra_order_poll', 'centra:1', '{\"store\":\"1\",\"poll_interval_ms\":200,"
                         "\"page_size\":100,\"child_workflow\":\"order_to_cash_sage200\"}')", 0, NULL));

    /* A clerk opens the returning shoppers' accounts in the desktop client for a while: their
     * orders are refused as "in use" and retried; once closed, they go through. */
    wait_posted(ORDERS / 10);
    long long locks_before = tproc_sandbox_stat(sage->port, "locked_refusals");
    CU_ASSERT(desktop_client_accounts(true) > 0);
    for (int i = 0; i < 3000 && tproc_sandbox_stat(sage->port, "locked_refusals") <= locks_before; i++)
        tproc_sleep_ms(20);
    CU_ASSERT(tproc_sandbox_stat(sage->port, "locked_refusals") > locks_before);
    tproc_sleep_ms(2000); /* a few more refusals and retries; far less than the lock budget */
    CU_ASSERT(desktop_client_accounts(false) > 0);

    /* The on-premise tunnel goes down for a moment: every call answers 504. */
    wait_posted(ORDERS / 4);
    CU_ASSERT_FATAL(control_ok(sage, "/_sandbox/sage200/tunnel", "{\"down\":true}"));
    tproc_sleep_ms(1500);
    CU_ASSERT_FATAL(control_ok(sage, "/_sandbox/sage200/tunnel", "{\"down\":false}"));
    CU_ASSERT(tproc_sandbox_stat(sage->port, "tunnel_refusals") > 0);

    /* Kill s1 while it holds leases, once a third are posted. */
    wait_posted(ORDERS / 3);
    for (int i = 0; i < 500; i++) {
        if (tpg_number(db, "select count(*) from o2c.step where leased_by = 's1' and leased_until > now()", 0, NULL) > 0)
            break;
        tproc_sleep_ms(5);
    }
    kill(runners[0], SIGKILL);
    CU_ASSERT_EQUAL(tproc_wait(runners[0]), 128 + SIGKILL);
    runners[0] = start_runner("s1");

    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'order_to_cash_sage200' and status = 'done'",
                           ORDERS, 600 * 1000));
    CU_ASSERT_FATAL(control_ok(sage, "/_sandbox/sage200/lose_answers", "{\"rate\":0}"));

    snapshot_sandboxes();
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from centra_order", 0, NULL), ORDERS);
    CU_ASSERT_EQUAL(offenders("order without a posted workflow",
        "select o.doc->>'number' from centra_order o where not exists (select from o2c.instance i "
        " where i.workflow = 'order_to_cash_sage200' and i.business_key = 'centra:1:' || (o.doc->>'number') and i.state = 'posted')"), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL), 0);

    /* Every body o2c sent passed the sandbox's check against the OpenAPI fields and Sage's rules
     * (the sandbox checks every POST and PUT body on receipt, and counts what it refuses)… */
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "refused_writes"), 0);
    CU_ASSERT(tproc_sandbox_stat(sage->port, "records.customers") > 0);
    /* …and the check is real: a customer reference of 9 characters (maxLength 8 in sales.json)
     * and a body that is no JSON object are refused and counted. */
    CU_ASSERT_EQUAL(sage_post("/customers", "{\"reference\":\"O2TOOLONG\",\"name\":\"Too Long Ltd\"}"), 400);
    CU_ASSERT_EQUAL(sage_post("/sop_orders", "[]"), 400);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "refused_writes"), 2);

    /* Exactly one sales order per order, by the sandbox's own count, though answers were lost:
     * sales orders among them, made in Sage, their answers lost, found by the retry. */
    CU_ASSERT(tproc_sandbox_stat(sage->port, "lost_answers") > 0);
    CU_ASSERT(tproc_sandbox_stat(sage->port, "lost_order_answers") > 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from sg_order", 0, NULL), ORDERS);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "duplicate_customer_document_nos"), 0);
    CU_ASSERT_EQUAL(offenders("order without exactly one sales order",
        "select o.doc->>'number' from centra_order o "
        " where (select count(*) from sg_order s where s.doc->>'customer_document_no' = o.doc->>'number') <> 1"), 0);
    /* o2c's link to it is Sage's id. */
    CU_ASSERT_EQUAL(offenders("erp_order not the Sage order",
        "select o.doc->>'number' from centra_order o join sg_order s on s.doc->>'customer_document_no' = o.doc->>'number' "
        "  left join o2c.erp_order e on e.order_key = 'centra:1:' || (o.doc->>'number') and e.erp_connection = 'sage200' "
        " where e.erp_order_id is distinct from s.doc->>'id' or e.external_id is distinct from o.doc->>'number'"), 0);

    /* Sage's own totals: gross, VAT and net to the penny of what Centra charged. */
    CU_ASSERT_EQUAL(offenders("total or VAT differs",
        "select format('order %s: Sage gross %s VAT %s, Centra %s VAT %s', o.doc->>'number', s.doc->>'total_gross_value', "
        "       s.doc->>'total_tax_value', o.doc#>>'{grandTotal,value}', "
        "       (o.doc#>>'{totals,taxIncluded,value}')::numeric + (o.doc#>>'{totals,taxAdded,value}')::numeric) "
        "  from centra_order o join sg_order s on s.doc->>'customer_document_no' = o.doc->>'number' "
        " where (s.doc->>'total_gross_value')::numeric <> (o.doc#>>'{grandTotal,value}')::numeric "
        "    or (s.doc->>'total_tax_value')::numeric <> (o.doc#>>'{totals,taxIncluded,value}')::numeric "
        "                                               + (o.doc#>>'{totals,taxAdded,value}')::numeric"), 0);

    /* The right lines: per product, the Sage product of the SKU and the quantity; shipping is a
     * charge line carrying what Centra charged for it. */
    CU_ASSERT_EQUAL(offenders("product lines differ",
        "with want as ("
        "  select o.doc->>'number' as number, jsonb_agg(jsonb_build_array(m.erp_item_id::bigint, (l->>'quantity')::numeric) "
        "         order by m.erp_item_id::bigint, (l->>'quantity')::numeric) as lines "
        "    from centra_order o cross join jsonb_array_elements(o.doc->'lines') l "
        "    join o2c.sku_map m on m.storefront_connection = 'centra' and m.erp_connection = 'sage200' and m.sku = l#>>'{productSize,SKU}' "
        "   where (l->>'quantity')::numeric > 0 group by 1), "
        "got as ("
        "  select s.doc->>'customer_document_no' as number, jsonb_agg(jsonb_build_array((l->>'product_id')::bigint, "
        "         (l->>'line_quantity')::numeric) order by (l->>'product_id')::bigint, (l->>'line_quantity')::numeric) as lines "
        "    from sg_order s cross join jsonb_array_elements(s.doc->'lines') l "
        "   where l->>'line_type' = 'EnumLineTypeStandard' group by 1) "
        "select format('order %s: want %s got %s', want.number, want.lines, got.lines) "
        "  from want left join got using (number) where got.lines is distinct from want.lines"), 0);
    CU_ASSERT_EQUAL(offenders("shipping differs",
        "select format('order %s: shipping %s, Sage charge %s', o.doc->>'number', o.doc#>>'{totals,shipping,value}', x.gross) "
        "  from centra_order o join sg_order s on s.doc->>'customer_document_no' = o.doc->>'number' "
        " cross join lateral (select coalesce(sum((l->>'line_total_value')::numeric + (l->>'line_tax_value')::numeric), 0) as gross, "
        "                            coalesce(sum((l->>'line_total_value')::numeric), 0) as net "
        "                       from jsonb_array_elements(s.doc->'lines') l where l->>'line_type' = 'EnumLineTypeCharge') x "
        " where (o.doc#>>'{totals,shipping,value}')::numeric <> "
        "       case when (o.doc#>>'{totals,taxAdded,value}')::numeric > 0 then x.net else x.gross end"), 0);

    /* Sage's per-line VAT rounding differed from Centra's on some lines (the case the rounding line
     * exists for), and the totals above held anyway. */
    CU_ASSERT(tpg_number(db, "select count(*) from sg_order s, jsonb_array_elements(s.doc->'lines') l "
                             "where l->>'line_type' = 'EnumLineTypeFreeText'", 0, NULL) > 0);

    /* One customer per shopper, under the reference o2c allocated; no reference over 8. */
    CU_ASSERT_EQUAL(offenders("sales order for the wrong customer",
        "select o.doc->>'number' from centra_order o join sg_order s on s.doc->>'customer_document_no' = o.doc->>'number' "
        "  join sg_customer c on (c.doc->>'id')::bigint = (s.doc->>'customer_id')::bigint "
        "  left join o2c.sage200_customer_ref r on r.erp_connection = 'sage200' and r.shopper = lower(o.doc#>>'{customer,email}') "
        " where r.reference is distinct from c.doc->>'reference'"), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from sg_customer where doc->>'reference' like 'O2%'", 0, NULL),
                    tpg_number(db, "select count(distinct lower(doc#>>'{customer,email}')) from centra_order", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.sage200_customer_ref where length(reference) > 8", 0, NULL), 0);
    /* The faults were real. */
    CU_ASSERT(tpg_number(db, "select count(*) from o2c.event where outcome in ('retry', 'throttled', 'locked')", 0, NULL) > 0);
}

/* ---- a field the company requires --------------------------------------------------------------- */

static void test_a_field_the_company_requires_stops_the_order_naming_it_until_a_default_is_set(void)
{
    long long before = settled();
    CU_ASSERT_FATAL(control_ok(sage, "/_sandbox/sage200/settings", "{\"required_field\":\"analysis_code_1\"}"));
    long number = tsup_centra_place_orders(centra, 1, 0);
    CU_ASSERT_FATAL(number > 0);
    char key[64];
    snprintf(key, sizeof key, "centra:1:%ld", number);
    const char *k[] = {key};
    /* Sage refuses it, naming the field. */
    for (int i = 0; i < 6000 && tpg_number(db, "select count(*) from o2c.exceptions where business_key = $1", 1, k) == 0; i++)
        tproc_sleep_ms(20);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where business_key = $1 and category = 'remote_rejected' "
                                   "and message like '%analysis_code_1%'", 1, k), 1);
    /* o2c is told the company requires it but not what goes in: the order stops at map, naming it. */
    CU_ASSERT(tpg_ok(db, "insert into o2c.sage200_order_default (erp_connection, field, value) values ('sage200', 'analysis_code_1', null)", 0, NULL));
    CU_ASSERT(tpg_ok(db, "select o2c.redrive(workflow_id) from o2c.exceptions where business_key = $1", 1, k));
    for (int i = 0; i < 6000 && tpg_number(db, "select count(*) from o2c.exceptions where business_key = $1 and "
                                               "category = 'unmapped_value'", 1, k) == 0; i++)
        tproc_sleep_ms(20);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where business_key = $1 and category = 'unmapped_value' "
                                   "and message like '%analysis_code_1%'", 1, k), 1);
    /* The default set, re-driven: posted with it. */
    CU_ASSERT(tpg_ok(db, "update o2c.sage200_order_default set value = 'WEB-SHOP' where field = 'analysis_code_1'", 0, NULL));
    CU_ASSERT(tpg_ok(db, "select o2c.redrive(workflow_id) from o2c.exceptions where business_key = $1", 1, k));
    for (int i = 0; i < 6000 && tpg_number(db, "select count(*) from o2c.instance where business_key = $1 and state = 'posted'", 1, k) == 0; i++)
        tproc_sleep_ms(20);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where business_key = $1 and state = 'posted'", 1, k), 1);
    snapshot_sandboxes();
    char num[32];
    snprintf(num, sizeof num, "%ld", number);
    const char *n[] = {num};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from sg_order where doc->>'customer_document_no' = $1 "
                                   "and doc->>'analysis_code_1' = 'WEB-SHOP'", 1, n), 1);
    CU_ASSERT(settled() == before + 1);
    CU_ASSERT(control_ok(sage, "/_sandbox/sage200/settings", "{\"required_field\":null}"));
    CU_ASSERT(tpg_ok(db, "delete from o2c.sage200_order_default", 0, NULL));
}

/* ---- a customer account open in the desktop client ----------------------------------------------- */

static void test_a_locked_customer_is_retried_then_an_exception_naming_it_then_done_after_release(void)
{
    /* A short lock budget, so the test does not wait minutes for what ops would see. */
    CU_ASSERT(tpg_ok(db, "select o2c.define_workflow('order_to_cash_sage200', jsonb_set(spec, '{states,sales_order,lock}', "
                         "'{\"max_attempts\":3,\"delay_ms\":50}')) from o2c.workflow_version "
                         "where workflow = 'order_to_cash_sage200' order by version desc limit 1", 0, NULL));
    /* Someone has every account o2c linked open in the desktop client. */
    PGresult *r = tpg_query(db, "select erp_customer_id from o2c.customer_link where erp_connection = 'sage200'", 0, NULL);
    CU_ASSERT_FATAL(r != NULL && PQntuples(r) > 0);
    for (int i = 0; i < PQntuples(r); i++) {
        char body[160];
        snprintf(body, sizeof body, "{\"collection\":\"customers\",\"id\":%s,\"user\":\"J.SMITH\"}", PQgetvalue(r, i, 0));
        CU_ASSERT(control_ok(sage, "/_sandbox/sage200/lock", body));
    }
    long long before = settled();
    CU_ASSERT_FATAL(tsup_centra_place_orders(centra, 20, 0) > 0);
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'order_to_cash_sage200' "
                               "and status in ('done', 'exception')", before + 20, 300 * 1000));
    /* Returning shoppers' orders: locked, retried, then for ops, naming the account and the user. */
    long long locked = tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'order_to_cash_sage200' "
                                      "and category = 'record_locked' and owner = 'ops' and message like '%J.SMITH%' "
                                      "and message ~ 'customer account [0-9]+'", 0, NULL);
    CU_ASSERT(locked > 0);
    /* (A lock the sandbox's random faults drew on the last try names its own user.) */
    CU_ASSERT_EQUAL(offenders("another exception", "select format('%s %s: %s', business_key, category, message) from o2c.exceptions "
                                                   "where category <> 'record_locked' or message not like '%in use by%'"), 0);
    CU_ASSERT(tproc_sandbox_stat(sage->port, "locked_refusals") >= locked * 2);
    long long all_locked = tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL);
    /* The orders not in Sage yet are where ops look for stuck orders, whatever the ERP. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.order_bottlenecks where pipeline = 'order_to_cash_sage200' "
                                   "and status = 'exception' and owner = 'ops' and redrive_sql is not null", 0, NULL), all_locked);
    /* Released and re-driven: done, once each. */
    for (int i = 0; i < PQntuples(r); i++) {
        char body[160];
        snprintf(body, sizeof body, "{\"collection\":\"customers\",\"id\":%s}", PQgetvalue(r, i, 0));
        CU_ASSERT(control_ok(sage, "/_sandbox/sage200/release", body));
    }
    PQclear(r);
    CU_ASSERT(tpg_ok(db, "select o2c.redrive(workflow_id) from o2c.exceptions where workflow = 'order_to_cash_sage200'", 0, NULL));
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'order_to_cash_sage200' and status = 'done'",
                           before + 20, 300 * 1000));
    CU_ASSERT(all_locked >= locked);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL), 0);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "duplicate_customer_document_nos"), 0);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "records.sop_orders"), ORDERS + 21);
}


/* ---- an order someone keyed into Sage 200 by hand, with other totals ------------------------------ */

static void test_an_order_found_in_sage_with_another_total_is_a_finance_exception(void)
{
    /* A clerk keyed order HAND-1 into Sage 200 before o2c got to it: 3 tees less 10.00, carriage
     * 39.20, at 25 %: 161.50 gross. */
    char url[160];
    snprintf(url, sizeof url, "%s/sop_orders", sage->base);
    const char *h[] = {"Authorization: Bearer sandbox-sage200-token", "X-Site: sandbox-site", "X-Company: 1",
                       "Content-Type: application/json", NULL};
    const char *body =
        "{\"customer_id\":501,\"document_no\":\"HAND-1\",\"customer_document_no\":\"HAND-1\",\"lines\":["
        "{\"line_type\":\"EnumLineTypeStandard\",\"product_id\":1001,\"warehouse_id\":1,\"code\":\"NDT-TEE-001-XS\","
        "\"description\":\"Tee\",\"line_quantity\":3,\"selling_unit_price\":33.33333,\"unit_discount_value\":3.33333,\"tax_code_id\":10},"
        "{\"line_type\":\"EnumLineTypeCharge\",\"code\":\"CARRIAGE\",\"description\":\"Shipping\",\"selling_unit_price\":39.2,\"tax_code_id\":10}]}";
    tsb_response res;
    for (int i = 0; i < 50; i++) { /* the sandbox's random faults may refuse it */
        tsb_http("POST", url, h, body, strlen(body), &res);
        long status = res.status;
        tsb_response_free(&res);
        if (status == 200)
            break;
    }
    CU_ASSERT(tpg_ok(db, "select o2c.define_workflow('sage_total_check', '{\"initial\":\"find\",\"states\":{\"find\":{"
                         "\"action\":\"sage200.find_or_create\",\"lane\":\"orders\",\"connection\":\"sage200\","
                         "\"params\":{\"collection\":\"sop_orders\",\"key_field\":\"customer_document_no\",\"key_key\":\"key\","
                         "\"body_key\":\"body\",\"result_key\":\"sales_order_id\",\"expect_total_key\":\"order_total\"},"
                         "\"retry\":{\"max_attempts\":20,\"base_ms\":20,\"cap_ms\":200},\"lock\":{\"max_attempts\":20,\"delay_ms\":20},"
                         "\"on\":{\"ok\":\"done\"}},\"done\":{\"terminal\":true}}}'::jsonb)", 0, NULL));
    CU_ASSERT(tpg_ok(db, "select o2c.start('sage_total_check', 'same', '{\"key\":\"HAND-1\",\"order_total\":161.50,\"body\":{}}')", 0, NULL));
    CU_ASSERT(tpg_ok(db, "select o2c.start('sage_total_check', 'other', '{\"key\":\"HAND-1\",\"order_total\":161.51,\"body\":{}}')", 0, NULL));
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'sage_total_check' "
                               "and status in ('done', 'exception')", 2, 120 * 1000));
    /* Found, never made again; the same total is done, another total is for finance, naming both. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where workflow = 'sage_total_check' and business_key = 'same' "
                                   "and status = 'done' and context->>'sales_order_id' ~ '^[0-9]+$'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow = 'sage_total_check' and business_key = 'other' "
                                   "and category = 'total_mismatch' and owner = 'finance' and message like '%161.50%' "
                                   "and message like '%161.51%' and message like '%difference 0.01%'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tproc_sandbox_stat(sage->port, "duplicate_customer_document_nos"), 0);
    CU_ASSERT(tpg_ok(db, "select o2c.cancel(workflow_id, 'test: checked') from o2c.exceptions where workflow = 'sage_total_check'", 0, NULL));
}

static CU_TestInfo tests[] = {
    {"1,000 Centra orders become Sage 200 sales orders exactly once, to the penny, under faults, lost answers, "
     "the tunnel down, accounts open in the desktop client and a killed runner; every body passes the OpenAPI check",
     test_centra_orders_become_sage200_sales_orders_exactly_once_to_the_penny},
    {"a field the company requires stops the order naming it, until a default is set",
     test_a_field_the_company_requires_stops_the_order_naming_it_until_a_default_is_set},
    {"a locked customer is retried, then an exception naming it and the user, then done after release",
     test_a_locked_customer_is_retried_then_an_exception_naming_it_then_done_after_release},
    {"an order found in Sage 200 with another total than the order's is a finance exception",
     test_an_order_found_in_sage_with_another_total_is_a_finance_exception},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    CU_SuiteInfo suites[] = {
        {"sage200 order to cash", set_up, tear_down, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return tsup_run_suites("integration/test_sage200_order_to_cash", suites);
}
