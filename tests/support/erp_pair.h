/* The set-up the end-to-end tests of one ERP and Centra share: a fresh migrated database, the ERP's
 * and Centra's sandboxes (their stderr and the runners' in one log file), their base URLs in
 * o2c.connection, the credentials in the environment, the demo's mappings for that ERP
 * (tools/demo/nordtrail_mappings.sql for NetSuite, sage200_mappings.sql for Sage 200), and two
 * runners when asked for; and its tear-down. */
#ifndef O2C_TESTS_ERP_PAIR_H
#define O2C_TESTS_ERP_PAIR_H

#include "tests/support/sandbox_client.h"

#include <json-c/json.h>
#include <libpq-fe.h>
#include <sys/types.h>

typedef struct tsup_erp_pair {
    char conninfo[1024];
    PGconn *db;
    char logs[256];
    tsb_sandbox erp, centra;
    json_object *seed;          /* the ERP sandbox's catalogue (GET /_sandbox/seed); the pair's */
    char runner_ids[2][16];
    pid_t runners[2];
} tsup_erp_pair;

/* Starts it all for database `name` (logs in /tmp/o2c-<name>.<pid>.log) with erp "netsuite" or
 * "sage200"; erp_args and centra_args are the sandboxes' extra arguments (NULL-terminated, may be
 * NULL). With a runner_prefix, two runners <runner_prefix>1 and <runner_prefix>2 (concurrency 8,
 * lease 4 s, poll 200 ms); with NULL none, for tests that start their own. Returns 0, or -1 with
 * the reason on stderr. */
int tsup_erp_pair_start(tsup_erp_pair *p, const char *erp, const char *name, const char *const *erp_args,
                        const char *const *centra_args, const char *runner_prefix);

/* Starts runner i (0 or 1) again, as after a kill; returns its pid or -1. */
pid_t tsup_erp_pair_runner(tsup_erp_pair *p, int i);

/* SIGTERM to the runners it started, the sandboxes stopped, the database closed; the log removed
 * when every test passed, else named on stderr. Returns 0, or -1 when a sandbox did not stop
 * cleanly. */
int tsup_erp_pair_stop(tsup_erp_pair *p);

#endif
