/* The Sage 200 sandbox's despatches, credit notes and cash-book postings are as strict as the
 * published OpenAPI files and Sage's rules: a credit note whose tax or nominal analysis does not
 * add up to its header is refused, as is a field over its maxLength or a required one missing; a
 * bank entry needs nominal codes that exist and gross = goods + tax; postings answer a URN and
 * are found by reference; despatch views come newest first; every refusal is counted. */
#include "tests/support/harness.h"
#include "tests/support/sandbox_client.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tsb_sandbox sb;

static int set_up(void) { return tsb_start(&sb, "sage200", NULL); }

static int tear_down(void) { return tsb_stop(&sb) == 0 ? 0 : -1; }

static long status_of(const char *method, const char *path, const char *body)
{
    tsb_response res;
    long s = tsb_sage200(&sb, method, path, body, &res);
    tsb_response_free(&res);
    return s;
}

/* GET path as JSON (caller puts), NULL unless 200. */
static json_object *get(const char *path)
{
    tsb_response res;
    json_object *o = tsb_sage200(&sb, "GET", path, NULL, &res) == 200 ? tsb_json(&res) : NULL;
    tsb_response_free(&res);
    return o;
}

static long long stat(const char *key)
{
    json_object *s = tsb_stats(&sb);
    long long v = json_object_get_int64(tsb_member(s, key));
    json_object_put(s);
    return v;
}

#define NOTE(goods, tax, tax_goods, tax_tax, nominal)                                                                   \
    "{\"customer_id\":501,\"reference\":\"RF-1-77\",\"second_reference\":\"1001\",\"document_goods_value\":" goods         \
    ",\"document_tax_value\":" tax ",\"tax_analysis_items\":[{\"id\":10,\"goods_amount\":" tax_goods                     \
    ",\"tax_amount\":" tax_tax "}],\"nominal_analysis_items\":[{\"code\":\"4050\",\"value\":" nominal "}]}"

static void test_a_credit_note_whose_analysis_does_not_add_up_is_refused_and_a_right_one_is_posted_once_found_by_reference(void)
{
    long long refused = stat("refused_writes");
    /* The nominal analysis a penny short of the goods value; the tax analysis a penny over. */
    CU_ASSERT_EQUAL(status_of("POST", "/sales_credit_notes", NOTE("10.00", "2.50", "10.00", "2.50", "9.99")), 400);
    CU_ASSERT_EQUAL(status_of("POST", "/sales_credit_notes", NOTE("10.00", "2.50", "10.00", "2.51", "10.00")), 400);
    CU_ASSERT_EQUAL(status_of("POST", "/sales_credit_notes", NOTE("10.00", "2.50", "10.01", "2.50", "10.00")), 400);
    /* The spec: reference at most 20 characters, customer_id required, analysis items' fields. */
    CU_ASSERT_EQUAL(status_of("POST", "/sales_credit_notes",
                              "{\"customer_id\":501,\"reference\":\"RF-123456789012345678\",\"document_goods_value\":1}"), 400);
    CU_ASSERT_EQUAL(status_of("POST", "/sales_credit_notes", "{\"reference\":\"RF-1\",\"document_goods_value\":1}"), 400);
    CU_ASSERT_EQUAL(status_of("POST", "/sales_credit_notes",
                              "{\"customer_id\":501,\"document_goods_value\":1,\"nominal_analysis_items\":[{\"value\":1}]}"), 400);
    CU_ASSERT_EQUAL(status_of("POST", "/sales_credit_notes",
                              "{\"customer_id\":501,\"document_goods_value\":1,\"nominal_analysis_items\":[{\"code\":\"4050\","
                              "\"value\":1,\"colour\":\"red\"}]}"), 400);
    CU_ASSERT_EQUAL(status_of("POST", "/sales_credit_notes",
                              "{\"customer_id\":501,\"document_goods_value\":1,\"nominal_analysis_items\":[{\"code\":\"NOPE\","
                              "\"value\":1}]}"), 400);
    CU_ASSERT_EQUAL(stat("refused_writes"), refused + 8);
    CU_ASSERT_EQUAL(stat("records.sales_posted_transactions"), 0);

    /* Right: answered with a URN only; found among the posted transactions by its reference. */
    tsb_response res;
    CU_ASSERT_EQUAL(tsb_sage200(&sb, "POST", "/sales_credit_notes", NOTE("10.00", "2.50", "10.00", "2.50", "10.00"), &res), 200);
    json_object *answer = tsb_json(&res);
    CU_ASSERT(answer && json_object_is_type(tsb_member(answer, "urn"), json_type_string) && !tsb_member(answer, "id"));
    json_object_put(answer);
    tsb_response_free(&res);
    CU_ASSERT_EQUAL(status_of("GET", "/sales_credit_notes", NULL), 405);
    json_object *found = get("/sales_posted_transactions?%24filter=reference%20eq%20%27RF-1-77%27&%24select=id,document_gross_value");
    CU_ASSERT(found && json_object_array_length(found) == 1);
    CU_ASSERT_STRING_EQUAL(tsb_str(json_object_array_get_idx(found, 0), "document_gross_value"), "12.50");
    json_object_put(found);
    /* Posted again under the same reference: Sage takes it, the sandbox counts the duplicate. */
    CU_ASSERT_EQUAL(status_of("POST", "/sales_credit_notes", NOTE("10.00", "2.50", "10.00", "2.50", "10.00")), 200);
    CU_ASSERT_EQUAL(stat("duplicate_credit_note_references"), 1);
}

#define ENTRY(reference, items) "{\"bank_id\":2,\"reference\":\"" reference "\",\"nominal_analysis_items\":[" items "]}"

static void test_bank_entries_need_nominal_codes_that_exist_and_move_the_banks_balance(void)
{
    long long refused = stat("refused_writes");
    CU_ASSERT_EQUAL(status_of("POST", "/bank_receipt", "{\"bank_id\":2,\"reference\":\"STL-X-R\"}"), 400); /* items required */
    CU_ASSERT_EQUAL(status_of("POST", "/bank_receipt", ENTRY("STL-X-R", "")), 400);
    CU_ASSERT_EQUAL(status_of("POST", "/bank_receipt", ENTRY("STL-X-R", "{\"code\":\"9999\",\"gross_value\":5}")), 400);
    CU_ASSERT_EQUAL(status_of("POST", "/bank_receipt",
                              ENTRY("STL-X-R", "{\"code\":\"4000\",\"goods_value\":5,\"tax_value\":0,\"gross_value\":5.01}")), 400);
    CU_ASSERT_EQUAL(status_of("POST", "/bank_payment", "{\"bank_id\":9,\"nominal_analysis_items\":[{\"code\":\"1000\",\"gross_value\":5}]}"),
                    400);
    CU_ASSERT_EQUAL(stat("refused_writes"), refused + 5);
    /* A receipt of 100.00 and a payment of 100.00 through the clearing bank: it nets to zero. */
    CU_ASSERT_EQUAL(status_of("POST", "/bank_receipt",
                              ENTRY("STL-X-R", "{\"code\":\"4000\",\"goods_value\":100,\"tax_value\":0,\"gross_value\":100}")), 200);
    json_object *bank = get("/banks/2");
    CU_ASSERT_STRING_EQUAL(tsb_str(bank, "balance"), "100.00");
    json_object_put(bank);
    CU_ASSERT_EQUAL(status_of("POST", "/bank_payment",
                              ENTRY("STL-X-P", "{\"code\":\"1000\",\"gross_value\":80},{\"code\":\"6100\",\"gross_value\":20}")), 200);
    bank = get("/banks/2");
    CU_ASSERT_STRING_EQUAL(tsb_str(bank, "balance"), "0.00");
    json_object_put(bank);
    json_object *found = get("/bank_posted_transactions?%24filter=reference%20eq%20%27STL-X-P%27");
    CU_ASSERT(found && json_object_array_length(found) == 1);
    CU_ASSERT_STRING_EQUAL(tsb_str(json_object_array_get_idx(found, 0), "cheque_value"), "100.00");
    CU_ASSERT_STRING_EQUAL(tsb_str(json_object_array_get_idx(found, 0), "bank_transaction_type"), "BankAccountEntryTypePayment");
    json_object_put(found);
    CU_ASSERT_EQUAL(stat("duplicate_bank_references"), 0);
}

static void test_despatches_are_read_newest_first_and_never_more_than_was_ordered(void)
{
    const char *order =
        "{\"customer_id\":501,\"document_no\":\"D-1\",\"customer_document_no\":\"D-1\",\"lines\":["
        "{\"line_type\":\"EnumLineTypeStandard\",\"product_id\":1001,\"warehouse_id\":1,\"code\":\"NDT-TEE-001-XS\","
        "\"description\":\"Tee\",\"line_quantity\":3,\"selling_unit_price\":10,\"tax_code_id\":10},"
        "{\"line_type\":\"EnumLineTypeCharge\",\"code\":\"CARRIAGE\",\"description\":\"Shipping\",\"selling_unit_price\":4,\"tax_code_id\":10}]}";
    CU_ASSERT_EQUAL_FATAL(status_of("POST", "/sop_orders", order), 200);
    json_object *a = tsb_control(&sb, "/_sandbox/sage200/despatch",
                                 "{\"customer_document_no\":\"D-1\",\"consignment_no\":\"C1\",\"lines\":[{\"line\":1,\"quantity\":2}]}");
    CU_ASSERT(a != NULL);
    json_object_put(a);
    /* Not the charge line; not more than the one unit left. */
    CU_ASSERT(tsb_control(&sb, "/_sandbox/sage200/despatch", "{\"customer_document_no\":\"D-1\",\"lines\":[{\"line\":2,\"quantity\":1}]}") == NULL);
    CU_ASSERT(tsb_control(&sb, "/_sandbox/sage200/despatch", "{\"customer_document_no\":\"D-1\",\"lines\":[{\"line\":1,\"quantity\":2}]}") == NULL);
    a = tsb_control(&sb, "/_sandbox/sage200/despatch", "{\"customer_document_no\":\"D-1\",\"consignment_no\":\"C2\"}");
    CU_ASSERT_STRING_EQUAL(tsb_str(json_object_array_get_idx(tsb_member(a, "lines"), 0), "sop_despatch_line_quantity"), "1.00000");
    json_object_put(a);
    CU_ASSERT(tsb_control(&sb, "/_sandbox/sage200/despatch", "{\"customer_document_no\":\"D-1\"}") == NULL);

    json_object *views = get("/sop_order_despatch_views");
    CU_ASSERT(views && json_object_array_length(views) == 2);
    CU_ASSERT_STRING_EQUAL(tsb_str(json_object_array_get_idx(views, 0), "sop_despatch_consignment_no"), "C2");
    json_object_put(views);
    views = get("/sop_order_despatch_views?%24orderby=sop_despatch_id&%24select=sop_despatch_consignment_no");
    CU_ASSERT_STRING_EQUAL(tsb_str(json_object_array_get_idx(views, 0), "sop_despatch_consignment_no"), "C1");
    json_object_put(views);
    json_object *lines = get("/sop_order_despatch_line_views?%24filter=sop_order_customer_document_no%20eq%20%27D-1%27");
    CU_ASSERT(lines && json_object_array_length(lines) == 2);
    CU_ASSERT_STRING_EQUAL(tsb_str(json_object_array_get_idx(lines, 0), "sop_order_line_despatch_quantity"), "3.00000");
    CU_ASSERT_EQUAL(json_object_get_int(tsb_member(json_object_array_get_idx(lines, 0), "sop_order_line_print_sequence_number")), 1);
    json_object_put(lines);
    /* Read-only views; an option the spec does not document on them. */
    CU_ASSERT_EQUAL(status_of("POST", "/sop_order_despatch_views", "{}"), 405);
    CU_ASSERT_EQUAL(status_of("GET", "/sop_order_despatch_views?%24filter=colour%20eq%20%27red%27", NULL), 400);
}

static CU_TestInfo tests[] = {
    {"a credit note whose analysis does not add up is refused, and a right one is posted once, found by reference",
     test_a_credit_note_whose_analysis_does_not_add_up_is_refused_and_a_right_one_is_posted_once_found_by_reference},
    {"bank entries need nominal codes that exist and move the bank's balance",
     test_bank_entries_need_nominal_codes_that_exist_and_move_the_banks_balance},
    {"despatches are read newest first and never more than was ordered",
     test_despatches_are_read_newest_first_and_never_more_than_was_ordered},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    CU_SuiteInfo suites[] = {
        {"sage200 sandbox postings", set_up, tear_down, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return tsup_run_suites("sandbox/test_sage200_postings", suites);
}
