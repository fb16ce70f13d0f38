/* Settlement journals reach NetSuite (workflows/settlement_posting.sql) through a real runner and
 * the NetSuite sandbox with faults on (429s, 503s, timeouts, record locks, cut-off answers): each
 * journal is upserted once by its external id, balances in NetSuite, and the clearing account nets to zero
 * there; what cannot be posted (lines that miss the deposit, an unknown line type, a GL account
 * without its NetSuite account, a closed period) waits as an exception and is re-driven by the
 * one SQL call finance makes after fixing it. */
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
#include <sys/wait.h>
#include <unistd.h>

static char conninfo[1024];
static PGconn *db;
static char logs[256];
static tsb_sandbox netsuite;
static pid_t runner = -1;

static int set_up(void)
{
    if (tsup_fresh_database("o2c_test_settlement_posting", conninfo, sizeof conninfo) != 0)
        return -1;
    db = tpg_connect(conninfo);
    if (!db)
        return -1;
    snprintf(logs, sizeof logs, "/tmp/o2c-test-settlement-posting.%d.log", (int)getpid());
    setenv("NETSUITE_ACCOUNT", TSB_NS_ACCOUNT, 1);
    setenv("NETSUITE_CONSUMER_KEY", TSB_NS_CONSUMER_KEY, 1);
    setenv("NETSUITE_CONSUMER_SECRET", TSB_NS_CONSUMER_SECRET, 1);
    setenv("NETSUITE_TOKEN_ID", TSB_NS_TOKEN_ID, 1);
    setenv("NETSUITE_TOKEN_SECRET", TSB_NS_TOKEN_SECRET, 1);
    const char *ns_args[] = {"--random-seed", "14", "--faults", "429=0.15,503=0.15,timeout=0.1,lock=0.05,malformed=0.1",
                             "--fault-timeout-ms", "300", NULL};
    if (tsb_start_logged(&netsuite, "netsuite", ns_args, logs) != 0)
        return -1;
    const char *p[] = {netsuite.base};
    if (!tpg_ok(db, "update o2c.connection set base_url = $1 where name = 'netsuite'", 1, p) ||
        tsup_load_nordtrail_mappings(db, &netsuite, NULL) != 0)
        return -1;
    const char *args[] = {"--concurrency", "4", NULL};
    runner = tproc_runner(conninfo, logs, args);
    return runner > 0 ? 0 : -1;
}

static int tear_down(void)
{
    if (runner > 0) {
        kill(runner, SIGTERM);
        tproc_wait(runner);
    }
    int ns = tsb_stop(&netsuite);
    PQfinish(db);
    if (ns != 0)
        return -1;
    if (CU_get_number_of_tests_failed() == 0)
        unlink(logs);
    else
        fprintf(stderr, "runner and sandbox logs kept in %s\n", logs);
    return 0;
}

/* ---- helpers --------------------------------------------------------------------------------- */

static const char *text_of(const char *sql, int n, const char *const *p, char *buf, size_t len)
{
    PGresult *r = tpg_query(db, sql, n, p);
    snprintf(buf, len, "%s", r && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "?");
    PQclear(r);
    return buf;
}

/* A posting round, as the daily schedule starts one. */
static void round_starts(const char *key)
{
    const char *p[] = {key};
    CU_ASSERT(tpg_ok(db, "select o2c.start('settlement_posting_round', $1, '{}')", 1, p));
}

/* Waits until the settlement's posting workflow has status `status`. */
static int posting_reaches(const char *channel, const char *id, const char *status)
{
    char sql[512];
    snprintf(sql, sizeof sql, "select count(*) from o2c.instance where workflow = 'settlement_posting' "
                              "and business_key = 'settlement:%s:%s' and status = '%s'", channel, id, status);
    return tpg_wait_for(db, sql, 1, 60000);
}

/* Every journalEntry the sandbox holds, as JSON text (caller frees), or NULL. */
static char *netsuite_journals(void)
{
    char url[256];
    snprintf(url, sizeof url, "%s/_sandbox/records/journalEntry", netsuite.base);
    tsb_response res;
    char *out = NULL;
    if (tsb_http("GET", url, NULL, NULL, 0, &res) == 0 && res.status == 200)
        out = strdup(res.body);
    tsb_response_free(&res);
    return out;
}

/* "records writes" of one journal external id in the sandbox's stats ("0 0" when absent). */
static void journal_counts(const char *eid, char *buf, size_t len)
{
    json_object *st = tsb_stats(&netsuite);
    json_object *j = tsb_member(tsb_member(st, "journals_by_external_id"), eid);
    snprintf(buf, len, "%lld %lld", (long long)json_object_get_int64(tsb_member(j, "records")),
             (long long)json_object_get_int64(tsb_member(j, "writes")));
    json_object_put(st);
}

/* In NetSuite: the settlement's journals (external id prefix), how many do not balance, and the
 * clearing accounts' net over them (internal ids 101 Amazon, 102 Adyen), by numeric sums of the
 * amounts as NetSuite holds them: "<journals> <unbalanced> <clearing net>". */
static const char *netsuite_view(const char *prefix, char *buf, size_t len)
{
    char *journals = netsuite_journals();
    const char *p[] = {journals ? journals : "{\"records\":[]}", prefix};
    text_of("with j as (select r from jsonb_array_elements($1::jsonb->'records') r where r->>'externalId' like $2 || '%'), "
            "l as (select j.r->>'externalId' eid, x from j, jsonb_array_elements(j.r->'line'->'items') x) "
            "select (select count(*) from j) || ' ' || "
            "(select count(*) from (select eid from l group by eid "
            "  having sum(coalesce((x->>'debit')::numeric, 0) - coalesce((x->>'credit')::numeric, 0)) <> 0) u) || ' ' || "
            "(select coalesce(sum(coalesce((x->>'debit')::numeric, 0) - coalesce((x->>'credit')::numeric, 0)), 0) "
            "   from l where x->'account'->>'id' in ('101', '102'))",
            2, p, buf, len);
    free(journals);
    return buf;
}

static char *read_fixture(const char *name)
{
    char path[512];
    const char *top = getenv("O2C_TOP");
    snprintf(path, sizeof path, "%s/tests/fixtures/settlements/%s", top ? top : ".", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = calloc(1, 1 << 16);
    size_t n = text ? fread(text, 1, (1 << 16) - 1, f) : 0;
    fclose(f);
    if (text)
        text[n] = '\0';
    return text;
}

#define V2_HEAD "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\t" \
                "transaction-type\torder-id\tamount-type\tamount-description\tamount\tposted-date\n"

/* ---- tests ----------------------------------------------------------------------------------- */

static void test_a_settlement_spanning_a_month_end_reaches_netsuite_as_two_journals_once_each_with_clearing_at_zero(void)
{
    char *file = read_fixture("amazon_v2_month_end.tsv");
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    const char *p[] = {"amazon_v2_month_end.tsv", file};
    char buf[512];
    CU_ASSERT_STRING_EQUAL(text_of("select status from o2c.import_settlement($1, $2)", 2, p, buf, sizeof buf), "ready");
    free(file);
    round_starts("test:month-end");
    CU_ASSERT(posting_reaches("amazon", "1001", "done"));
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(period || ':' || status || ':' || journals, ' ' order by period) "
                                   "from o2c.settlements where settlement_id = '1001'", 0, NULL, buf, sizeof buf),
                           "2026-11:posted:1 2026-12:posted:1");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.settlement_journal where settlement_id = '1001' "
                                   "and erp_id is not null and posted_at is not null", 0, NULL), 2);
    /* Faults on: each journal is one record in NetSuite, whatever the retries. */
    journal_counts("STL-amazon-1001-2026-11", buf, sizeof buf);
    CU_ASSERT_EQUAL(buf[0], '1');
    CU_ASSERT(buf[1] == ' ');
    journal_counts("STL-amazon-1001-2026-12", buf, sizeof buf);
    CU_ASSERT_EQUAL(buf[0], '1');
    CU_ASSERT(buf[1] == ' ');
    CU_ASSERT_EQUAL(tproc_sandbox_stat(netsuite.port, "duplicate_external_ids"), 0);
    CU_ASSERT_STRING_EQUAL(netsuite_view("STL-amazon-1001-", buf, sizeof buf), "2 0 0.00");
    /* NetSuite's journals carry the file's amounts to the cent: the deposit to the bank (100). */
    char *journals = netsuite_journals();
    const char *q[] = {journals ? journals : "{}"};
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(x->>'debit', ',') from jsonb_array_elements($1::jsonb->'records') r, "
                                   "jsonb_array_elements(r->'line'->'items') x "
                                   "where r->>'externalId' = 'STL-amazon-1001-2026-12' and x->'account'->>'id' = '100'",
                                   1, q, buf, sizeof buf), "1034.55");
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(r->>'tranDate', ' ' order by r->>'tranDate') "
                                   "from jsonb_array_elements($1::jsonb->'records') r "
                                   "where r->>'externalId' like 'STL-amazon-1001-%'", 1, q, buf, sizeof buf),
                           "2026-11-30 2026-12-04");
    free(journals);

    /* Another round starts nothing new and posts nothing again. */
    round_starts("test:month-end-again");
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'settlement_posting_round' and status = 'done'",
                           2, 30000));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where workflow = 'settlement_posting' "
                                   "and business_key = 'settlement:amazon:1001'", 0, NULL), 1);
    CU_ASSERT_STRING_EQUAL(netsuite_view("STL-amazon-1001-", buf, sizeof buf), "2 0 0.00");
}

static void test_lines_that_miss_the_deposit_wait_as_a_finance_exception_until_the_variance_is_named(void)
{
    const char *p[] = {"cent.tsv", V2_HEAD
                       "7001\t2026-11-01\t2026-11-14\t2026-11-16\t100.01\tEUR\t\t\t\t\t\t\n"
                       "7001\t\t\t\t\t\tOrder\t1\tItemPrice\tPrincipal\t120.00\t2026-11-03\n"
                       "7001\t\t\t\t\t\tOrder\t1\tItemFees\tCommission\t-20.00\t2026-11-03\n"};
    char buf[1024];
    CU_ASSERT_STRING_EQUAL(text_of("select status from o2c.import_settlement($1, $2)", 2, p, buf, sizeof buf), "inconsistent");
    round_starts("test:cent");
    CU_ASSERT(posting_reaches("amazon", "7001", "exception"));
    CU_ASSERT_STRING_EQUAL(text_of("select exception_category || ' ' || exception_owner from o2c.instance "
                                   "where business_key = 'settlement:amazon:7001'", 0, NULL, buf, sizeof buf),
                           "inconsistent_settlement finance");
    CU_ASSERT(strstr(text_of("select exception_message from o2c.instance where business_key = 'settlement:amazon:7001'",
                             0, NULL, buf, sizeof buf), "difference -0.01") != NULL);
    journal_counts("STL-amazon-7001-2026-11", buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "0 0");

    /* Finance names the variance: the one audited call re-drives the posting. */
    CU_ASSERT_STRING_EQUAL(text_of("select o2c.settlement_post_variance('amazon', '7001', null, 'controller@brand')",
                                   0, NULL, buf, sizeof buf), "variance");
    CU_ASSERT(posting_reaches("amazon", "7001", "done"));
    journal_counts("STL-amazon-7001-2026-11", buf, sizeof buf);
    CU_ASSERT_EQUAL(buf[0], '1');
    CU_ASSERT_STRING_EQUAL(netsuite_view("STL-amazon-7001-", buf, sizeof buf), "1 0 0.00");
    char *journals = netsuite_journals();
    const char *q[] = {journals ? journals : "{}"};
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(x->>'credit', ',') from jsonb_array_elements($1::jsonb->'records') r, "
                                   "jsonb_array_elements(r->'line'->'items') x "
                                   "where r->>'externalId' = 'STL-amazon-7001-2026-11' and x->'account'->>'id' = '123'",
                                   1, q, buf, sizeof buf), "0.01");
    free(journals);
    CU_ASSERT_STRING_EQUAL(text_of("select status || ' ' || variance_by from o2c.settlement where settlement_id = '7001'",
                                   0, NULL, buf, sizeof buf), "posted controller@brand");
}

static void test_an_unknown_line_type_and_an_unmapped_account_wait_until_finance_fixes_the_mapping_and_redrives(void)
{
    const char *p[] = {"unknown.tsv", V2_HEAD
                       "7002\t2026-11-01\t2026-11-14\t2026-11-16\t75.00\tUSD\t\t\t\t\t\t\n"
                       "7002\t\t\t\t\t\tOrder\t1\tItemPrice\tPrincipal\t100.00\t2026-11-03\n"
                       "7002\t\t\t\t\t\tServiceFee\t\tCost of Advertising\tCost of Advertising\t-20.00\t2026-11-04\n"
                       "7002\t\t\t\t\t\tOrder\t1\tItemFees\tDigitalServicesFee\t-5.00\t2026-11-03\n"};
    char buf[1024];
    /* The advertising account has no NetSuite account yet either. */
    CU_ASSERT(tpg_ok(db, "delete from o2c.gl_account_map where account = '6130'", 0, NULL));
    CU_ASSERT_STRING_EQUAL(text_of("select status from o2c.import_settlement($1, $2)", 2, p, buf, sizeof buf), "unmapped");
    round_starts("test:unknown");
    CU_ASSERT(posting_reaches("amazon", "7002", "exception"));
    CU_ASSERT(strstr(text_of("select exception_category || ': ' || exception_message from o2c.instance "
                             "where business_key = 'settlement:amazon:7002'", 0, NULL, buf, sizeof buf),
                     "unknown_settlement_line: amazon settlement 7002: no o2c.settlement_mapping row for Order / ItemFees / "
                     "DigitalServicesFee") != NULL);

    CU_ASSERT(tpg_ok(db, "insert into o2c.settlement_mapping values ('amazon', '*', 'ItemFees', 'DigitalServicesFee', "
                         "'fee_other', '6150')", 0, NULL));
    CU_ASSERT_STRING_EQUAL(text_of("select o2c.settlement_redrive('amazon', '7002')", 0, NULL, buf, sizeof buf), "ready");
    /* Re-driven, it stops at the next missing piece: the account, named with the insert to make. */
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where business_key = 'settlement:amazon:7002' "
                               "and status = 'exception' and exception_category = 'unmapped_value'", 1, 60000));
    CU_ASSERT(strstr(text_of("select exception_message from o2c.instance where business_key = 'settlement:amazon:7002'",
                             0, NULL, buf, sizeof buf), "GL account 6130") != NULL);
    journal_counts("STL-amazon-7002-2026-11", buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "0 0");

    CU_ASSERT(tpg_ok(db, "insert into o2c.gl_account_map (erp_connection, account, erp_account_id) values ('netsuite', '6130', '114')",
                     0, NULL));
    /* Finance's edits are history (o2c.mapping_history): the mapping row; the account loaded, removed and back. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.mapping_history where (table_name = 'settlement_mapping' "
                                   "and operation = 'insert' and new_row->>'description' = 'DigitalServicesFee') "
                                   "or (table_name = 'gl_account_map' and coalesce(old_row, new_row)->>'account' = '6130' "
                                   "and operation in ('delete', 'insert'))", 0, NULL), 4);
    CU_ASSERT_STRING_EQUAL(text_of("select o2c.settlement_redrive('amazon', '7002')", 0, NULL, buf, sizeof buf), "ready");
    CU_ASSERT(posting_reaches("amazon", "7002", "done"));
    journal_counts("STL-amazon-7002-2026-11", buf, sizeof buf);
    CU_ASSERT_EQUAL(buf[0], '1');
    CU_ASSERT_STRING_EQUAL(netsuite_view("STL-amazon-7002-", buf, sizeof buf), "1 0 0.00");
}

static void test_a_closed_period_stops_the_journal_until_it_reopens_and_an_adyen_batch_posts_under_a_valid_external_id(void)
{
    const char *p[] = {"adyen.csv",
                       "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,"
                       "Creation Date,TimeZone,Type,Gross Currency,Gross Debit (GC),Gross Credit (GC),Net Currency,"
                       "Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),Interchange (NC),Batch Number\r\n"
                       "Brand,BrandEU,P1,CENTRA-1,visa,2026-10-30 10:00:00,CET,Settled,EUR,,\"1,000.00\",EUR,,970.00,10.00,5.00,3.00,12.00,77\r\n"
                       "Brand,BrandEU,P2,CENTRA-2,mc,2026-10-30 11:00:00,CET,Refunded,EUR,50.00,,EUR,50.50,,0.50,,,,77\r\n"
                       "Brand,BrandEU,,,,2026-10-31 06:00:00,CET,MerchantPayout,,,,EUR,919.50,,,,,,77\r\n"};
    char buf[1024], url[256];
    snprintf(url, sizeof url, "%s/_sandbox/netsuite/settings", netsuite.base);
    tsb_response r;
    const char *close = "{\"closed_periods\":[\"2026-10\"]}";
    CU_ASSERT(tsb_http("POST", url, NULL, close, strlen(close), &r) == 0 && r.status == 200);
    tsb_response_free(&r);
    CU_ASSERT_STRING_EQUAL(text_of("select status from o2c.import_settlement($1, $2)", 2, p, buf, sizeof buf), "ready");
    round_starts("test:closed");
    CU_ASSERT(posting_reaches("adyen", "BrandEU:77", "exception"));
    CU_ASSERT(strstr(text_of("select exception_category || ' ' || exception_owner || ': ' || exception_message "
                             "from o2c.instance where business_key = 'settlement:adyen:BrandEU:77'", 0, NULL, buf, sizeof buf),
                     "remote_rejected finance: NetSuite refused journal STL-adyen-BrandEU_77-2026-10") != NULL);
    CU_ASSERT(strstr(buf, "closed") != NULL);
    journal_counts("STL-adyen-BrandEU_77-2026-10", buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "0 0");

    const char *open = "{\"closed_periods\":[]}";
    CU_ASSERT(tsb_http("POST", url, NULL, open, strlen(open), &r) == 0 && r.status == 200);
    tsb_response_free(&r);
    CU_ASSERT_STRING_EQUAL(text_of("select o2c.settlement_redrive('adyen', 'BrandEU:77')", 0, NULL, buf, sizeof buf), "ready");
    CU_ASSERT(posting_reaches("adyen", "BrandEU:77", "done"));
    journal_counts("STL-adyen-BrandEU_77-2026-10", buf, sizeof buf);
    CU_ASSERT_EQUAL(buf[0], '1');
    CU_ASSERT_STRING_EQUAL(netsuite_view("STL-adyen-BrandEU_77-", buf, sizeof buf), "1 0 0.00");
}

static void test_a_journal_netsuite_already_holds_is_found_by_its_external_id_not_posted_twice(void)
{
    const char *p[] = {"crash.tsv", V2_HEAD
                       "7003\t2026-11-01\t2026-11-14\t2026-11-16\t90.00\tSEK\t\t\t\t\t\t\n"
                       "7003\t\t\t\t\t\tOrder\t1\tItemPrice\tPrincipal\t100.00\t2026-11-03\n"
                       "7003\t\t\t\t\t\tOrder\t1\tItemFees\tCommission\t-10.00\t2026-11-03\n"};
    char buf[512];
    CU_ASSERT_STRING_EQUAL(text_of("select status from o2c.import_settlement($1, $2)", 2, p, buf, sizeof buf), "ready");
    /* As if a runner posted it and died before it recorded the answer: NetSuite has the journal. */
    const char *body = "{\"subsidiary\":{\"id\":\"1\"},\"currency\":{\"id\":\"1\"},\"tranDate\":\"2026-11-14\","
                       "\"line\":{\"items\":[{\"account\":{\"id\":\"101\"},\"debit\":10.00},{\"account\":{\"id\":\"111\"},\"credit\":10.00}]}}";
    tsb_response r;
    int tries = 0;
    do {  /* the sandbox's faults apply to this call too */
        tsb_netsuite(&netsuite, "PUT", "/services/rest/record/v1/journalEntry/eid:STL-amazon-7003-2026-11", body, NULL, &r);
        long st = r.status;
        tsb_response_free(&r);
        if (st == 204)
            break;
    } while (++tries < 50);
    journal_counts("STL-amazon-7003-2026-11", buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "1 1");
    round_starts("test:crash");
    CU_ASSERT(posting_reaches("amazon", "7003", "done"));
    journal_counts("STL-amazon-7003-2026-11", buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "1 2");
    CU_ASSERT_STRING_EQUAL(netsuite_view("STL-amazon-7003-", buf, sizeof buf), "1 0 0.00");
    /* The faults did happen along the way (else "once" proved nothing). */
    CU_ASSERT(tproc_sandbox_stat(netsuite.port, "faults_injected.429") > 0);
    CU_ASSERT(tproc_sandbox_stat(netsuite.port, "faults_injected.503") > 0);
    CU_ASSERT(tproc_sandbox_stat(netsuite.port, "faults_injected.timeout") > 0);
    CU_ASSERT(tproc_sandbox_stat(netsuite.port, "faults_injected.malformed") > 0);
}

/* netsuite.upsert_journal checks what o2c built before sending: a journal that does not balance to
 * the unit, or has an amount it cannot read exactly, fails bad_input and never reaches NetSuite. */
static void test_a_journal_that_does_not_balance_or_has_an_unreadable_amount_is_never_sent(void)
{
    CU_ASSERT(tpg_ok(db, "select o2c.define_workflow('journal_probe', '{\"initial\": \"post\", \"states\": {"
                         "\"post\": {\"action\": \"netsuite.upsert_journal\", \"lane\": \"finance\", \"connection\": \"netsuite\", "
                         "\"owner\": \"finance\", \"retry\": {\"max_attempts\": 30, \"base_ms\": 100, \"cap_ms\": 1000}, "
                         "\"on\": {\"ok\": \"sent\"}}, \"sent\": {\"terminal\": true}}}'::jsonb)", 0, NULL));
    static const char *const cases[][2] = {
        {"probe-unbalanced", "[{\"account_id\": \"101\", \"debit\": \"10.00\"}, {\"account_id\": \"111\", \"credit\": \"9.99\"}]"},
        {"probe-float", "[{\"account_id\": \"101\", \"debit\": \"1e1\"}, {\"account_id\": \"111\", \"credit\": \"10\"}]"},
        {"probe-negative", "[{\"account_id\": \"101\", \"debit\": \"-5.00\"}, {\"account_id\": \"111\", \"debit\": \"5.00\"}]"},
        {"probe-one-line", "[{\"account_id\": \"101\", \"debit\": \"0.00\"}]"},
    };
    char input[1024], sql[512], buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(input, sizeof input, "{\"journal\": {\"external_id\": \"STL-%s\", \"tran_date\": \"2026-11-30\", "
                                      "\"subsidiary_id\": \"1\", \"currency_id\": \"2\", \"lines\": %s}}",
                 cases[i][0], cases[i][1]);
        const char *p[] = {cases[i][0], input};
        CU_ASSERT(tpg_ok(db, "select o2c.start('journal_probe', $1, $2::jsonb)", 2, p));
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(sql, sizeof sql, "select count(*) from o2c.instance where workflow = 'journal_probe' and business_key = '%s' "
                                  "and status = 'exception' and exception_category = 'bad_input'", cases[i][0]);
        CU_ASSERT(tpg_wait_for(db, sql, 1, 30000));
        char eid[64];
        snprintf(eid, sizeof eid, "STL-%s", cases[i][0]);
        journal_counts(eid, buf, sizeof buf);
        CU_ASSERT_STRING_EQUAL(buf, "0 0");
    }
    /* The same journal balanced is sent. */
    CU_ASSERT(tpg_ok(db, "select o2c.start('journal_probe', 'probe-balanced', '{\"journal\": {\"external_id\": \"STL-probe-balanced\", "
                         "\"tran_date\": \"2026-11-30\", \"subsidiary_id\": \"1\", \"currency_id\": \"2\", \"lines\": ["
                         "{\"account_id\": \"101\", \"debit\": \"10.00\"}, {\"account_id\": \"111\", \"credit\": \"9.99\"}, "
                         "{\"account_id\": \"123\", \"credit\": \"0.01\"}]}}')", 0, NULL));
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.instance where workflow = 'journal_probe' and business_key = 'probe-balanced' "
                               "and status = 'done'", 1, 30000));
    journal_counts("STL-probe-balanced", buf, sizeof buf);
    CU_ASSERT_EQUAL(buf[0], '1');
}

static CU_TestInfo tests[] = {
    {"a settlement spanning a month end reaches NetSuite as two journals, once each, with clearing at zero",
     test_a_settlement_spanning_a_month_end_reaches_netsuite_as_two_journals_once_each_with_clearing_at_zero},
    {"lines that miss the deposit wait as a finance exception until the variance is named",
     test_lines_that_miss_the_deposit_wait_as_a_finance_exception_until_the_variance_is_named},
    {"an unknown line type and an unmapped account wait until finance fixes the mapping and re-drives",
     test_an_unknown_line_type_and_an_unmapped_account_wait_until_finance_fixes_the_mapping_and_redrives},
    {"a closed period stops the journal until it reopens; an Adyen batch posts under a valid external id",
     test_a_closed_period_stops_the_journal_until_it_reopens_and_an_adyen_batch_posts_under_a_valid_external_id},
    {"a journal NetSuite already holds is found by its external id, not posted twice",
     test_a_journal_netsuite_already_holds_is_found_by_its_external_id_not_posted_twice},
    {"a journal that does not balance or has an unreadable amount is never sent",
     test_a_journal_that_does_not_balance_or_has_an_unreadable_amount_is_never_sent},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"settlement posting", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_settlement_posting", suites); }
