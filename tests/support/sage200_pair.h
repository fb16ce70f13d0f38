/* The set-up the Sage 200 end-to-end tests share: a fresh migrated database, the Sage 200 and
 * Centra sandboxes (their stderr and the runners' in one log file), their base URLs in
 * o2c.connection, the credentials in the environment, the demo's Sage 200 mappings
 * (tools/demo/sage200_mappings.sql), and two runners; and its tear-down. */
#ifndef O2C_TESTS_SAGE200_PAIR_H
#define O2C_TESTS_SAGE200_PAIR_H

#include "tests/support/sandbox_client.h"

#include <libpq-fe.h>
#include <sys/types.h>

typedef struct tsup_sage200_pair {
    char conninfo[1024];
    PGconn *db;
    char logs[256];
    tsb_sandbox sage, centra;
    char runner_ids[2][16];
    pid_t runners[2];
} tsup_sage200_pair;

/* Starts it all for database `name` (logs in /tmp/o2c-<name>.<pid>.log); sage_args and
 * centra_args are the sandboxes' extra arguments (NULL-terminated, may be NULL); runner ids
 * <runner_prefix>1 and <runner_prefix>2. Returns 0, or -1 with the reason on stderr. */
int tsup_sage200_pair_start(tsup_sage200_pair *p, const char *name, const char *const *sage_args,
                            const char *const *centra_args, const char *runner_prefix);

/* Starts runner i (0 or 1) again, as after a kill; returns its pid or -1. */
pid_t tsup_sage200_pair_runner(tsup_sage200_pair *p, int i);

/* SIGTERM to the runners, the sandboxes stopped, the database closed; the log removed when every
 * test passed, else named on stderr. Returns 0, or -1 when a sandbox did not stop cleanly. */
int tsup_sage200_pair_stop(tsup_sage200_pair *p);

#endif
