/* Settlements (issue 14): files the tests write are imported (bin/o2c import-settlement and
 * o2c.import_settlement), become canonical settlement lines and balanced journals per accounting
 * month through the channel's clearing account; what does not add up or is not mapped waits for
 * finance, named. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char conninfo[1024];
static PGconn *db;

static int set_up(void)
{
    db = tpg_fresh("o2c_test_settlements", conninfo, sizeof conninfo);
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    return 0;
}

static const char *text_of(const char *sql, int n, const char *const *p, char *buf, size_t len)
{
    PGresult *r = tpg_query(db, sql, n, p);
    snprintf(buf, len, "%s", r && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "?");
    PQclear(r);
    return buf;
}

/* Every journal of the settlement balances and the clearing account nets to zero over them. */
static void assert_balanced(const char *channel, const char *id)
{
    const char *p[] = {channel, id};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.settlement_journal j where j.channel = $1 and j.settlement_id = $2 "
                                   "and (select sum(debit) - sum(credit) from o2c.settlement_journal_line l "
                                   "     where l.external_id = j.external_id) <> 0", 2, p), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.settlements where channel = $1 and settlement_id = $2 "
                                   "and (clearing_remainder <> 0 or clearing_journal_balance <> 0)", 2, p), 0);
}

static int run_cli(const char *args, char *out, size_t len)
{
    char bin[512], cmd[2048];
    tsup_bin("o2c", bin, sizeof bin);
    snprintf(cmd, sizeof cmd, "%s --database '%s' %s 2>&1", bin, conninfo, args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, len - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_an_amazon_v2_file_spanning_a_month_end_becomes_two_balanced_journals(void)
{
    char args[1024], out[4096], buf[256];
    const char *top = getenv("O2C_TOP");
    snprintf(args, sizeof args, "import-settlement %s/tests/fixtures/settlements/amazon_v2_month_end.tsv", top ? top : ".");
    CU_ASSERT_EQUAL(run_cli(args, out, sizeof out), 0);
    CU_ASSERT(strstr(out, "amazon 1001 ready") != NULL);
    /* BOM, CRLF, decimal commas with thousands separators, trailing spaces, MM/DD/YY, ISO and
     * DD.MM.YYYY dates, blank last lines: all read. */
    CU_ASSERT_STRING_EQUAL(text_of("select deposit::text || ' ' || currency || ' ' || to_char(ends_at at time zone 'UTC', 'YYYY-MM-DD') "
                                   "from o2c.settlement where settlement_id = '1001'", 0, NULL, buf, sizeof buf),
                           "1034.55 EUR 2026-12-04");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_settlement_line where settlement_id = '1001'", 0, NULL), 14);
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(period || ':' || journals, ' ' order by period) from o2c.settlements "
                                   "where settlement_id = '1001'", 0, NULL, buf, sizeof buf),
                           "2026-11:1 2026-12:1");
    assert_balanced("amazon", "1001");
    /* Totals per category equal the file's, to the cent. */
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(category || '=' || (sum_credit - sum_debit), ' ' order by category) from ("
                                   " select category, sum(credit) sum_credit, sum(debit) sum_debit from o2c.settlement_journal_line "
                                   " where external_id like 'STL-amazon-1001-%' and category not in ('clearing', 'deposit') group by 1) c",
                                   0, NULL, buf, sizeof buf),
                           "fee_commission=-192.75 fee_fulfilment=-4.50 fee_storage=-12.20 gross_sales=1295.00 "
                           "marketplace_withheld_tax=-228.00 refunds=-50.00 reimbursements=9.00 reserve_held=-100.00 "
                           "reserve_released=80.00 shipping=10.00 tax_collected=228.00");
    CU_ASSERT_STRING_EQUAL(text_of("select debit::text from o2c.settlement_journal_line where external_id = 'STL-amazon-1001-2026-12' "
                                   "and gl_account = '1000'", 0, NULL, buf, sizeof buf), "1034.55");

    /* The same file again changes nothing. */
    CU_ASSERT_EQUAL(run_cli(args, out, sizeof out), 0);
    CU_ASSERT(strstr(out, "unchanged") != NULL);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_settlement_line where settlement_id = '1001'", 0, NULL), 14);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.settlement_journal_line where external_id like 'STL-amazon-1001-%'", 0, NULL), 17);
}

#define V2_HEAD "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\t" \
                "transaction-type\torder-id\tamount-type\tamount-description\tamount\tposted-date\n"

/* A file the test writes, for the command line; its path in path. */
static int write_temp_file(const char *content, char *path, size_t len)
{
    snprintf(path, len, "/tmp/o2c-settlement-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    int ok = f && fputs(content, f) >= 0;
    if (f)
        fclose(f);
    else
        close(fd);
    return ok ? 0 : -1;
}

static void test_one_file_of_two_interleaved_amazon_settlements_numbers_each_ones_lines_in_file_order(void)
{
    char path[64], args[256], out[4096], buf[512];
    CU_ASSERT_FATAL(write_temp_file(V2_HEAD
                                    "7101\t2026-11-01\t2026-11-14\t2026-11-16\t30.00\tEUR\t\t\t\t\t\t\n"
                                    "7102\t2026-11-01\t2026-11-14\t2026-11-16\t12.00\tGBP\t\t\t\t\t\t\n"
                                    "7101\t\t\t\t\t\tOrder\ta\tItemPrice\tPrincipal\t10.00\t2026-11-03\n"
                                    "7102\t\t\t\t\t\tOrder\tb\tItemPrice\tPrincipal\t5.00\t2026-11-03\n"
                                    "7101\t\t\t\t\t\tOrder\tc\tItemPrice\tPrincipal\t\t2026-11-03\n"
                                    "7101\t\t\t\t\t\tOrder\td\tItemPrice\tPrincipal\t20.00\t2026-11-04\n"
                                    "7102\t\t\t\t\t\tOrder\te\tItemPrice\tPrincipal\t7.00\t2026-11-04\n",
                                    path, sizeof path) == 0);
    snprintf(args, sizeof args, "import-settlement %s", path);
    CU_ASSERT_EQUAL(run_cli(args, out, sizeof out), 0);
    CU_ASSERT(strstr(out, "amazon 7101 ready") != NULL && strstr(out, "amazon 7102 ready") != NULL);
    /* Each settlement's lines numbered from 1 in the file's order, its own currency; a line without
     * an amount is not a line. */
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(settlement_id || ':' || line_no || ':' || order_reference || ':' || currency, ' ' "
                                   "order by settlement_id, line_no) from o2c.canonical_settlement_line "
                                   "where settlement_id in ('7101', '7102')", 0, NULL, buf, sizeof buf),
                           "7101:1:a:EUR 7101:2:d:EUR 7102:1:b:GBP 7102:2:e:GBP");
    assert_balanced("amazon", "7101");
    assert_balanced("amazon", "7102");
    unlink(path);
}

static void test_the_command_line_and_sql_read_the_same_file_as_the_same_file(void)
{
    /* The C reader normalises the lines and computes the file's digest while streaming; SQL does
     * both itself for o2c.import_settlement. The fixture (BOM, CRLF, trailing spaces and tabs,
     * blank last lines) read both ways is one file: the second import changes nothing. */
    char path[1024], args[1100], out[4096], buf[256];
    const char *top = getenv("O2C_TOP");
    snprintf(path, sizeof path, "%s/tests/fixtures/settlements/amazon_v2_month_end.tsv", top ? top : ".");
    snprintf(args, sizeof args, "import-settlement %s", path);
    CU_ASSERT_EQUAL(run_cli(args, out, sizeof out), 0);
    FILE *f = fopen(path, "rb");
    CU_ASSERT_FATAL(f != NULL);
    static char content[65536];
    size_t n = fread(content, 1, sizeof content - 1, f);
    fclose(f);
    content[n] = '\0';
    const char *p[] = {"the same file by SQL", content};
    CU_ASSERT_STRING_EQUAL(text_of("select status from o2c.import_settlement($1, $2)", 2, p, buf, sizeof buf), "unchanged");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_settlement_line where settlement_id = '1001'", 0, NULL), 14);

    /* Lines ending in Unicode spaces: U+3000 and U+2003 are whitespace to both (stripped), a
     * no-break space U+00A0 to neither (kept); a BOM inside a line goes. */
    const char *odd = V2_HEAD
        "7201\t2026-11-01\t2026-11-14\t2026-11-16\t10.00\tEUR\t\t\t\t\t\t\xC2\xA0\r\n"
        "7201\t\t\t\t\t\tOrder\t1\tItem\xEF\xBB\xBFPrice\tPrincipal\t10.00\t2026-11-03 \xE3\x80\x80\xE2\x80\x83\t\n"
        " \xE3\x80\x80\n";
    char odd_path[64];
    CU_ASSERT_FATAL(write_temp_file(odd, odd_path, sizeof odd_path) == 0);
    snprintf(args, sizeof args, "import-settlement %s", odd_path);
    CU_ASSERT_EQUAL(run_cli(args, out, sizeof out), 0);
    CU_ASSERT(strstr(out, "amazon 7201 ready") != NULL);
    const char *q[] = {"the odd file by SQL", odd};
    CU_ASSERT_STRING_EQUAL(text_of("select status from o2c.import_settlement($1, $2)", 2, q, buf, sizeof buf), "unchanged");
    unlink(odd_path);
}

static void test_lines_missing_the_total_by_one_cent_wait_for_finance_with_the_difference(void)
{
    const char *p[] = {"cent.tsv", V2_HEAD
                       "2001\t2026-11-01\t2026-11-14\t2026-11-16\t100.01\tGBP\t\t\t\t\t\t\n"
                       "2001\t\t\t\t\t\tOrder\t1\tItemPrice\tPrincipal\t120.00\t2026-11-03\n"
                       "2001\t\t\t\t\t\tOrder\t1\tItemFees\tCommission\t-20.00\t2026-11-03\n\n"};
    char buf[512];
    CU_ASSERT_STRING_EQUAL(text_of("select status from o2c.import_settlement($1, $2)", 2, p, buf, sizeof buf), "inconsistent");
    CU_ASSERT(strstr(text_of("select problem from o2c.settlement where settlement_id = '2001'", 0, NULL, buf, sizeof buf),
                     "difference -0.01") != NULL);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.settlement_journal where settlement_id = '2001'", 0, NULL), 0);
    CU_ASSERT_STRING_EQUAL(text_of("select status || ' ' || clearing_remainder from o2c.settlements where settlement_id = '2001'",
                                   0, NULL, buf, sizeof buf), "inconsistent -0.01");
    /* Finance names the variance with one audited call: the bank got a cent more, a gain. */
    CU_ASSERT(tpg_fails_with(db, "select o2c.settlement_post_variance('amazon', '2001', null, '')", 0, NULL, "who decided"));
    CU_ASSERT_STRING_EQUAL(text_of("select o2c.settlement_post_variance('amazon', '2001', null, 'controller@brand')",
                                   0, NULL, buf, sizeof buf), "variance");
    CU_ASSERT_STRING_EQUAL(text_of("select credit::text from o2c.settlement_journal_line where external_id = 'STL-amazon-2001-2026-11' "
                                   "and gl_account = '6900'", 0, NULL, buf, sizeof buf), "0.01");
    assert_balanced("amazon", "2001");
}

static void test_an_unknown_line_type_stops_the_settlement_until_a_mapping_row_and_a_redrive(void)
{
    const char *p[] = {"unknown.tsv", V2_HEAD
                       "3001\t2026-11-01\t2026-11-14\t2026-11-16\t95.00\tUSD\t\t\t\t\t\t\n"
                       "3001\t\t\t\t\t\tOrder\t1\tItemPrice\tPrincipal\t100.00\t2026-11-03\n"
                       "3001\t\t\t\t\t\tOrder\t1\tItemFees\tDigitalServicesFee\t-5.00\t2026-11-03\n"};
    char buf[512];
    CU_ASSERT_STRING_EQUAL(text_of("select status from o2c.import_settlement($1, $2)", 2, p, buf, sizeof buf), "unmapped");
    CU_ASSERT(strstr(text_of("select problem from o2c.settlement where settlement_id = '3001'", 0, NULL, buf, sizeof buf),
                     "Order / ItemFees / DigitalServicesFee") != NULL);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.settlement_journal where settlement_id = '3001'", 0, NULL), 0);
    CU_ASSERT(tpg_ok(db, "insert into o2c.settlement_mapping values ('amazon', '*', 'ItemFees', 'DigitalServicesFee', "
                         "'fee_other', '6150')", 0, NULL));
    CU_ASSERT_STRING_EQUAL(text_of("select o2c.settlement_redrive('amazon', '3001')", 0, NULL, buf, sizeof buf), "ready");
    assert_balanced("amazon", "3001");
}

static void test_a_refund_posted_after_a_settlement_closed_belongs_to_the_later_one(void)
{
    /* Order 7 sells in the first fortnight's settlement; its refund is posted after that one
     * closed, so Amazon puts it in the next settlement, which books it in its own period. */
    const char *first[] = {"first-fortnight.tsv", V2_HEAD
                           "6001\t2026-11-01\t2026-11-14\t2026-11-16\t80.00\tEUR\t\t\t\t\t\t\n"
                           "6001\t\t\t\t\t\tOrder\t7\tItemPrice\tPrincipal\t100.00\t2026-11-03\n"
                           "6001\t\t\t\t\t\tOrder\t7\tItemFees\tCommission\t-20.00\t2026-11-03\n"};
    const char *later[] = {"second-fortnight.tsv", V2_HEAD
                           "6002\t2026-11-15\t2026-11-28\t2026-11-30\t-84.00\tEUR\t\t\t\t\t\t\n"
                           "6002\t\t\t\t\t\tRefund\t7\tItemPrice\tPrincipal\t-100.00\t2026-11-20\n"
                           "6002\t\t\t\t\t\tRefund\t7\tItemFees\tCommission\t16.00\t2026-11-20\n"};
    char buf[512];
    CU_ASSERT_STRING_EQUAL(text_of("select status from o2c.import_settlement($1, $2)", 2, first, buf, sizeof buf), "ready");
    char before[512];
    text_of("select string_agg(gl_account || ' ' || debit || '/' || credit, ', ' order by gl_account, debit, credit) "
            "from o2c.settlement_journal_line where external_id like 'STL-amazon-6001-%'", 0, NULL, before, sizeof before);
    /* The later settlement: the seller pays Amazon back (a negative deposit). */
    CU_ASSERT_STRING_EQUAL(text_of("select status from o2c.import_settlement($1, $2)", 2, later, buf, sizeof buf), "ready");
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(period || ':' || journals, ' ' order by period) from o2c.settlements "
                                   "where settlement_id = '6002'", 0, NULL, buf, sizeof buf), "2026-11:1");
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(category || '=' || (credit - debit), ' ' order by category) from ("
                                   " select category, sum(credit) credit, sum(debit) debit from o2c.settlement_journal_line "
                                   " where external_id like 'STL-amazon-6002-%' and category not in ('clearing', 'deposit') group by 1) c",
                                   0, NULL, buf, sizeof buf), "fee_commission=16.00 refunds=-100.00");
    assert_balanced("amazon", "6002");
    /* The first settlement's journal is as it was. */
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(gl_account || ' ' || debit || '/' || credit, ', ' order by gl_account, debit, credit) "
                                   "from o2c.settlement_journal_line where external_id like 'STL-amazon-6001-%'", 0, NULL, buf, sizeof buf),
                           before);
}

static void test_a_different_file_with_a_known_settlement_id_is_refused(void)
{
    const char *p[] = {"first.tsv", V2_HEAD "4001\t2026-11-01\t2026-11-14\t2026-11-16\t10.00\tEUR\t\t\t\t\t\t\n"
                                            "4001\t\t\t\t\t\tOrder\t1\tItemPrice\tPrincipal\t10.00\t2026-11-03\n"};
    const char *q[] = {"second.tsv", V2_HEAD "4001\t2026-11-01\t2026-11-14\t2026-11-16\t11.00\tEUR\t\t\t\t\t\t\n"
                                             "4001\t\t\t\t\t\tOrder\t1\tItemPrice\tPrincipal\t11.00\t2026-11-03\n"};
    CU_ASSERT(tpg_ok(db, "select * from o2c.import_settlement($1, $2)", 2, p));
    CU_ASSERT(tpg_fails_with(db, "select * from o2c.import_settlement($1, $2)", 2, q, "duplicate_settlement"));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.canonical_settlement_line where settlement_id = '4001' "
                                   "and amount = 10.00", 0, NULL), 1);
}

static void test_a_negative_settlement_in_the_older_flat_file_has_the_bank_pay_the_channel(void)
{
    const char *p[] = {"flat.txt",
                       "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\t"
                       "transaction-type\torder-id\tposted-date\tprice-type\tprice-amount\titem-related-fee-type\t"
                       "item-related-fee-amount\tother-fee-reason-description\tother-fee-amount\r\n"
                       "5001\t10/01/26\t10/14/26\t10/16/26\t-30,50\tEUR\t\t\t\t\t\t\t\t\t\r\n"
                       "5001\t\t\t\t\t\tOrder\t9\t10/02/26\tPrincipal\t20,00\tCommission\t-3,00\t\t\r\n"
                       "5001\t\t\t\t\t\tother-transaction\t\t10/03/26\t\t\t\t\tSubscription Fee\t-47,50\r\n"};
    char buf[256];
    CU_ASSERT_STRING_EQUAL(text_of("select status from o2c.import_settlement($1, $2)", 2, p, buf, sizeof buf), "ready");
    CU_ASSERT_STRING_EQUAL(text_of("select credit::text from o2c.settlement_journal_line where external_id = 'STL-amazon-5001-2026-10' "
                                   "and gl_account = '1000'", 0, NULL, buf, sizeof buf), "30.50");
    CU_ASSERT_STRING_EQUAL(text_of("select debit::text from o2c.settlement_journal_line where external_id = 'STL-amazon-5001-2026-10' "
                                   "and gl_account = '6140'", 0, NULL, buf, sizeof buf), "47.50");
    assert_balanced("amazon", "5001");
}

/* An Adyen Settlement details report of one batch (BOM, CRLF, a quoted amount with a thousands
 * separator, a blank last line). */
#define ADYEN_BATCH(n) \
    "\xEF\xBB\xBF" "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method," \
    "Creation Date,TimeZone,Type,Gross Currency,Gross Debit (GC),Gross Credit (GC),Net Currency," \
    "Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),Interchange (NC),Batch Number\r\n" \
    "Brand,BrandEU,P1,CENTRA-1,visa,2026-12-01 10:00:00,CET,Settled,EUR,,\"1,000.00\",EUR,,970.00,10.00,5.00,3.00,12.00," n "\r\n" \
    "Brand,BrandEU,P2,CENTRA-2,mc,2026-12-01 11:00:00,CET,Refunded,EUR,50.00,,EUR,50.50,,0.50,,,," n "\r\n" \
    "Brand,BrandEU,P3,CENTRA-3,visa,2026-12-01 12:00:00,CET,Chargeback,EUR,20.00,,EUR,35.00,,,,,," n "\r\n" \
    "Brand,BrandEU,,,,2026-12-02 06:00:00,CET,MerchantPayout,,,,EUR,884.50,,,,,," n "\r\n\r\n"

static void test_an_adyen_batch_books_each_fee_column_and_the_merchant_payout(void)
{
    const char *p[] = {"adyen.csv", ADYEN_BATCH("42")};
    char buf[256];
    CU_ASSERT_STRING_EQUAL(text_of("select channel || ' ' || settlement_id || ' ' || status from o2c.import_settlement($1, $2)",
                                   2, p, buf, sizeof buf), "adyen BrandEU:42 ready");
    const char *journal = "select string_agg(category || '=' || (debit - credit), ' ' order by category) "
                          "from o2c.settlement_journal_line where external_id = $1 and category not in ('clearing', 'deposit')";
    const char *eid42[] = {"STL-adyen-BrandEU:42-2026-12"};
    CU_ASSERT_STRING_EQUAL(text_of(journal, 1, eid42, buf, sizeof buf),
                           "chargebacks=35.00 fee_commission=10.50 fee_interchange=12.00 fee_markup=5.00 fee_scheme=3.00 "
                           "payments_settled=-1000.00 refunds=50.00");
    assert_balanced("adyen", "BrandEU:42");

    /* The same report for the next batch through the command line (its lines COPYed in): the
     * same lines and the same journal. */
    char path[64], args[256], out[4096], again[256];
    CU_ASSERT_FATAL(write_temp_file(ADYEN_BATCH("43"), path, sizeof path) == 0);
    snprintf(args, sizeof args, "import-settlement %s", path);
    CU_ASSERT_EQUAL(run_cli(args, out, sizeof out), 0);
    CU_ASSERT(strstr(out, "adyen BrandEU:43 ready") != NULL);
    const char *eid43[] = {"STL-adyen-BrandEU:43-2026-12"};
    CU_ASSERT_STRING_EQUAL(text_of(journal, 1, eid43, again, sizeof again), text_of(journal, 1, eid42, buf, sizeof buf));
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(line_no || ' ' || transaction_type || ' ' || amount_type || ' ' || amount, ', ' "
                                   "order by line_no) from o2c.canonical_settlement_line where settlement_id = 'BrandEU:43'",
                                   0, NULL, again, sizeof again),
                           text_of("select string_agg(line_no || ' ' || transaction_type || ' ' || amount_type || ' ' || amount, ', ' "
                                   "order by line_no) from o2c.canonical_settlement_line where settlement_id = 'BrandEU:42'",
                                   0, NULL, buf, sizeof buf));
    assert_balanced("adyen", "BrandEU:43");
    unlink(path);
}

/* Adyen pays out for Centra orders: each settled payment is matched to its posted order; what does
 * not match is a payout gap for finance, and the month-end report shows fees, clearing and gaps. */
static void test_payout_gaps_name_unmatched_payments_and_the_month_end_report_sums_the_month(void)
{
    CU_ASSERT(tpg_ok(db, "insert into o2c.canonical_order (order_key, channel, connection, store, number, placed_at, status, "
                         "currency, minor_digits, tax_included, gateway, captured_amount, lines_net, lines_tax, grand_total) values "
                         "('gap:1', 'centra', 'centra', '1', '8001', '2026-09-28 10:00Z', 'confirmed', 'EUR', 2, true, 'adyen', 100.00, 80, 20, 100.00),"
                         "('gap:2', 'centra', 'centra', '1', '8002', '2026-09-28 11:00Z', 'confirmed', 'EUR', 2, true, 'adyen', 50.00, 40, 10, 50.00),"
                         "('gap:3', 'centra', 'centra', '1', '8003', '2026-09-02 11:00Z', 'confirmed', 'EUR', 2, true, 'adyen', 70.00, 56, 14, 70.00),"
                         "('gap:4', 'centra', 'centra', '1', '8004', '2026-09-02 12:00Z', 'confirmed', 'EUR', 2, true, 'klarna', 30.00, 24, 6, 30.00),"
                         "('gap:5', 'centra', 'centra', '1', '8005', '2026-09-28 12:00Z', 'confirmed', 'EUR', 2, true, 'adyen', 20.00, 16, 4, 20.00)",
                     0, NULL));
    CU_ASSERT(tpg_ok(db, "insert into o2c.erp_order (order_key, erp_connection, external_id, erp_order_id) values "
                         "('gap:1', 'netsuite', 'CENTRA-1-8001', '901'), ('gap:2', 'netsuite', 'CENTRA-1-8002', '902'), "
                         "('gap:3', 'netsuite', 'CENTRA-1-8003', '903'), ('gap:4', 'netsuite', 'CENTRA-1-8004', '904'), "
                         "('gap:5', 'netsuite', 'CENTRA-1-8005', '905')", 0, NULL));
    /* The deposits order_to_cash recorded in NetSuite, each of the captured amount; 8005 has none. */
    CU_ASSERT(tpg_ok(db, "insert into o2c.order_payment (order_key, erp_connection, external_id, erp_payment_id, amount, "
                         "currency, payment, account) values "
                         "('gap:1', 'netsuite', 'DEP-CENTRA-1-8001', '801', 100.00, 'EUR', 'adyen', '1160'), "
                         "('gap:2', 'netsuite', 'DEP-CENTRA-1-8002', '802', 50.00, 'EUR', 'adyen', '1160'), "
                         "('gap:3', 'netsuite', 'DEP-CENTRA-1-8003', '803', 70.00, 'EUR', 'adyen', '1160'), "
                         "('gap:4', 'netsuite', 'DEP-CENTRA-1-8004', '804', 30.00, 'EUR', 'kco', '1580')", 0, NULL));
    /* 8001 settled as deposited; 8002 settled for less than its deposit; 9999 is in no ERP; 8005
     * is posted with no deposit in NetSuite. 8003 is posted, deposited a month ago and in no
     * payout; 8004 was paid with Klarna, not Adyen. */
    const char *p[] = {"gaps.csv",
                       "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,"
                       "Creation Date,TimeZone,Type,Gross Currency,Gross Debit (GC),Gross Credit (GC),Net Currency,"
                       "Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),Interchange (NC),Batch Number\n"
                       "Brand,BrandEU,P1,CENTRA-1-8001,visa,2026-09-29 10:00:00 UTC,UTC,Settled,EUR,,100.00,EUR,,98.00,2.00,,,,90\n"
                       "Brand,BrandEU,P2,CENTRA-1-8002,visa,2026-09-29 11:00:00 UTC,UTC,Settled,EUR,,45.00,EUR,,44.00,1.00,,,,90\n"
                       "Brand,BrandEU,P3,CENTRA-1-9999,visa,2026-09-29 12:00:00 UTC,UTC,Settled,EUR,,10.00,EUR,,10.00,,,,,90\n"
                       "Brand,BrandEU,P5,CENTRA-1-8005,visa,2026-09-29 13:00:00 UTC,UTC,Settled,EUR,,20.00,EUR,,20.00,,,,,90\n"
                       "Brand,BrandEU,,,,2026-09-30 06:00:00 UTC,UTC,MerchantPayout,,,,EUR,172.00,,,,,,90\n"};
    char buf[1024];
    CU_ASSERT_STRING_EQUAL(text_of("select status from o2c.import_settlement($1, $2)", 2, p, buf, sizeof buf), "ready");
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(kind || ' ' || order_reference || ' ' || amount || ' ' || "
                                   "coalesce(difference::text, '-') || ' ' || owner, '; ' order by kind, order_reference) "
                                   "from o2c.payout_gaps where order_reference like 'CENTRA-1-_%'", 0, NULL, buf, sizeof buf),
                           "amount_differs CENTRA-1-8002 45.00 -5.00 finance; "
                           "payment_never_settled CENTRA-1-8003 70.00 - finance; "
                           "payout_line_without_erp_order CENTRA-1-9999 10.00 - finance; "
                           "settled_without_deposit CENTRA-1-8005 20.00 - finance");
    /* Finance's one view of what stops a clean close shows them, with their money and owner. */
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(gap || ' ' || amount || ' ' || currency || ' ' || owner, '; ' order by gap) "
                                   "from o2c.reconciliation_gaps where description like '%CENTRA-1-_%'", 0, NULL, buf, sizeof buf),
                           "amount_differs -5.00 EUR finance; payment_never_settled 70.00 EUR finance; "
                           "payout_line_without_erp_order 10.00 EUR finance; settled_without_deposit 20.00 EUR finance");

    /* The month-end report: fees by type from the journals, the clearing account at zero, the gaps. */
    char args[64], out[8192];
    snprintf(args, sizeof args, "month-end 2026-09");
    CU_ASSERT_EQUAL(run_cli(args, out, sizeof out), 0);
    CU_ASSERT(strstr(out, "measure") != NULL);
    CU_ASSERT_STRING_EQUAL(text_of("select string_agg(measure || '=' || coalesce(amount::text, '') || '/' || count, ' ' "
                                   "order by measure) from o2c.month_end('2026-09') where channel = 'adyen'",
                                   0, NULL, buf, sizeof buf),
                           "clearing_balance=0.00/1 fee_commission=-3.00/1 journals_unposted=/1 payments_captured=240.00/4 "
                           "payments_settled=175.00/1 payout_gaps=145.00/4 settlements=172.00/1");
    CU_ASSERT_EQUAL(run_cli("month-end 2026-9", out, sizeof out), 1);
    CU_ASSERT(strstr(out, "YYYY-MM") != NULL);
}

static CU_TestInfo tests[] = {
    {"an Amazon V2 file spanning a month end becomes two balanced journals", test_an_amazon_v2_file_spanning_a_month_end_becomes_two_balanced_journals},
    {"lines missing the total by one cent wait for finance with the difference", test_lines_missing_the_total_by_one_cent_wait_for_finance_with_the_difference},
    {"an unknown line type stops the settlement until a mapping row and a redrive", test_an_unknown_line_type_stops_the_settlement_until_a_mapping_row_and_a_redrive},
    {"a refund posted after a settlement closed belongs to the later one", test_a_refund_posted_after_a_settlement_closed_belongs_to_the_later_one},
    {"a different file with a known settlement id is refused", test_a_different_file_with_a_known_settlement_id_is_refused},
    {"one file of two interleaved Amazon settlements numbers each one's lines in file order",
     test_one_file_of_two_interleaved_amazon_settlements_numbers_each_ones_lines_in_file_order},
    {"the command line and SQL read the same file as the same file", test_the_command_line_and_sql_read_the_same_file_as_the_same_file},
    {"a negative settlement in the older flat file has the bank pay the channel", test_a_negative_settlement_in_the_older_flat_file_has_the_bank_pay_the_channel},
    {"an Adyen batch books each fee column and the merchant payout", test_an_adyen_batch_books_each_fee_column_and_the_merchant_payout},
    {"payout gaps name unmatched payments and the month-end report sums the month",
     test_payout_gaps_name_unmatched_payments_and_the_month_end_report_sums_the_month},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"settlements", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_settlements", suites); }
