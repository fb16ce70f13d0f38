/* NetSuite passes the ERP contract (erp_contract.c) against the NetSuite sandbox: sales orders
 * upserted by external id, customers looked up with SuiteQL. */
#include "tests/conformance/contract.h"

#include <stdlib.h>

static void credentials(bool good)
{
    /* The sandbox's defaults (tools/sandbox/README.md), where the runners look for them. */
    setenv("NETSUITE_ACCOUNT", "1234567-sb1", 1);
    setenv("NETSUITE_CONSUMER_KEY", "sandbox-consumer-key", 1);
    setenv("NETSUITE_CONSUMER_SECRET", "sandbox-consumer-secret", 1);
    setenv("NETSUITE_TOKEN_ID", "sandbox-token-id", 1);
    setenv("NETSUITE_TOKEN_SECRET", good ? "sandbox-token-secret" : "not-the-secret", 1);
}

static const char *const faults[] = {"--faults", "429=0.1,503=0.1,lock=0.08,malformed=0.05", "--random-seed", "7", NULL};
static const char *const locks[] = {"--faults", "lock=0.4", "--random-seed", "9", NULL};

static const struct erp_driver netsuite = {
    .system = "netsuite",
    .create_action = "netsuite.upsert",
    .create_params = "{\"type\":\"salesOrder\",\"external_id_key\":\"external_id\",\"body_key\":\"body\",\"result_key\":\"netsuite_id\"}",
    .create_input_sql =
        "jsonb_build_object('external_id', ext, 'body', jsonb_build_object('entity', jsonb_build_object('id', '501'), "
        "'externalId', ext, 'otherRefNum', ext, 'tranDate', '2026-11-23', 'currency', jsonb_build_object('id', '1'), "
        "'item', jsonb_build_object('items', jsonb_build_array(jsonb_build_object('item', jsonb_build_object('id', item), "
        "'quantity', 2, 'rate', 10.5, 'amount', 21, 'location', jsonb_build_object('id', '1'))))))",
    .valid_item = "1001",
    .unknown_item = "999999",
    .result_key = "netsuite_id",
    .records_stat = "records_by_type.salesOrder",
    .duplicates_stat = "duplicate_external_ids",
    .refusal_field = "item.items[0].item",
    .find_action = "netsuite.find",
    .find_params = "{\"record\":\"customer\",\"where\":{\"email\":\"value\"},\"result_key\":\"customer_id\"}",
    .concurrency_arg = "--concurrency-limit",
    .fault_args = faults,
    .lock_args = locks,
    .credentials = credentials,
};

int main(void) { return erp_contract_run("conformance/test_netsuite_contract", &netsuite); }
