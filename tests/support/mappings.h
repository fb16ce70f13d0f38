/* The mapping tables the demo uses, for tests that run whole pipelines against the sandboxes. */
#ifndef O2C_TEST_MAPPINGS_H
#define O2C_TEST_MAPPINGS_H

#include "tests/support/sandbox_client.h"

#include <json-c/json.h>
#include <libpq-fe.h>

/* Loads tools/demo/nordtrail_mappings.sql (SKUs, currencies, taxes, locations, payment methods,
 * warehouses, storefront items, pricelists) for the catalogue of the NetSuite sandbox `netsuite`
 * (GET /_sandbox/seed), as the demo does. *seed_out, when not NULL, gets the catalogue's JSON
 * (the caller puts it). Returns 0, or -1 with the reason on stderr. */
int tsup_load_nordtrail_mappings(PGconn *db, const tsb_sandbox *netsuite, json_object **seed_out);

/* The same for any mapping file of tools/demo/ (e.g. sage200_mappings.sql), with the catalogue of
 * the ERP sandbox `erp` (its GET /_sandbox/seed) in the setting o2c.seed. */
int tsup_load_mappings_file(PGconn *db, const tsb_sandbox *erp, const char *file, json_object **seed_out);

#endif
