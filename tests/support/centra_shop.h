/* The Centra sandbox's shop as the end-to-end tests drive and read it: shoppers placing orders
 * through its control path, and every order read back the way o2c's poller reads them. */
#ifndef O2C_TESTS_CENTRA_SHOP_H
#define O2C_TESTS_CENTRA_SHOP_H

#include "tests/support/sandbox_client.h"

/* Shoppers place n orders (a share unknown_sku_rate of their lines for products the ERP does not
 * have); returns the last order's number, 0 on failure. */
long tsup_centra_place_orders(const tsb_sandbox *centra, int n, double unknown_sku_rate);

/* Every order in the sandbox as a JSON array of orderConnection nodes (the poller's own query,
 * centra_poll_orders_document), asked again through the sandbox's injected faults; caller frees. */
char *tsup_centra_orders_json(const tsb_sandbox *centra);

#endif
