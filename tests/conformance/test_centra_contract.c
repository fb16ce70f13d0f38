/* Centra passes the storefront contract (storefront_contract.c) against the Centra sandbox. */
#include "tests/conformance/contract.h"
#include "tests/support/proc.h"

#include <stdio.h>

static int place_orders(int port, int count)
{
    char body[64], answer[65536];
    snprintf(body, sizeof body, "{\"count\":%d}", count);
    return tproc_http_post(port, "/_sandbox/orders", NULL, body, answer, sizeof answer) == 201 ? 0 : -1;
}

static const char *const faults[] = {"--faults", "429=0.1,503=0.1,malformed=0.05", "--random-seed", "3",
                                     "--rate-10s", "5", NULL};
static const char *const garbage[] = {"--faults", "malformed=0.3", "--random-seed", "5", NULL};

static const struct storefront_driver centra = {
    .system = "centra",
    .poll_action = "centra.poll_orders",
    .token_env = "CENTRA_TOKEN",
    .good_token = "sandbox-centra-token",
    .permissions_env = "CENTRA_TOKEN_PERMISSIONS",
    .permissions_lacking = "Order:read", /* no Customer:read */
    .lacking_words = "Customer:read",
    .auth_words = "Centra refused the login for orderConnection",
    .key_prefix = "centra:1:",
    .number_expr = "context->'order'->>'number'",
    .updated_expr = "context->'order'->>'updatedAt'",
    .records_stat = "records.orders",
    .fault_args = faults,
    .garbage_args = garbage,
    .place = place_orders,
};

int main(void) { return storefront_contract_run("conformance/test_centra_contract", &centra); }
