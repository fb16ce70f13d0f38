/* Sage 200 passes the ERP contract (erp_contract.c) against the Sage 200 sandbox: sales orders
 * found by customer_document_no before every create attempt (Sage 200 has no upsert), customers
 * looked up by reference. */
#include "tests/conformance/contract.h"

#include <stdlib.h>

static void credentials(bool good)
{
    /* The sandbox's defaults (tools/sandbox/sage200/sage200.h), where the runners look for them. */
    setenv("SAGE200_TOKEN", good ? "sandbox-sage200-token" : "not-the-token", 1);
    setenv("SAGE200_SITE", "sandbox-site", 1);
    setenv("SAGE200_COMPANY", "1", 1);
}

static const char *const faults[] = {"--faults", "429=0.1,503=0.1,lock=0.08,malformed=0.05", "--random-seed", "7", NULL};
static const char *const locks[] = {"--faults", "lock=0.4", "--random-seed", "9", NULL};

static const struct erp_driver sage200 = {
    .system = "sage200",
    .create_action = "sage200.find_or_create",
    .create_params = "{\"collection\":\"sop_orders\",\"key_field\":\"customer_document_no\",\"key_key\":\"external_id\","
                     "\"body_key\":\"body\",\"result_key\":\"sage_id\"}",
    .create_input_sql =
        "jsonb_build_object('external_id', ext, 'body', jsonb_build_object('customer_id', 501, 'document_no', left(ext, 20), "
        "'customer_document_no', ext, 'document_date', '2026-11-23T10:00:00Z', 'lines', jsonb_build_array(jsonb_build_object("
        "'line_type', 'EnumLineTypeStandard', 'product_id', item::bigint, 'warehouse_id', 1, "
        "'code', case item when '1001' then 'NDT-TEE-001-XS' else 'NDT-UNKNOWN' end, 'description', 'Contract line', "
        "'line_quantity', 2, 'selling_unit_price', 10.5, 'tax_code_id', 10))))",
    .valid_item = "1001",
    .unknown_item = "999999",
    .result_key = "sage_id",
    .records_stat = "records.sop_orders",
    .duplicates_stat = "duplicate_customer_document_nos",
    .refusal_field = "lines[0].product_id",
    .find_action = "sage200.find_or_create",
    .find_params = "{\"collection\":\"customers\",\"key_field\":\"reference\",\"key_key\":\"value\",\"result_key\":\"customer_id\"}",
    .concurrency_arg = "--concurrency-limit",
    .fault_args = faults,
    .lock_args = locks,
    .credentials = credentials,
};

int main(void) { return erp_contract_run("conformance/test_sage200_contract", &sage200); }
