/* Keeps the leases of a runner's steps alive from a thread and a database session of its own, so
 * a claim loop that is busy (a long SQL action, a slow commit) never lets the steps in flight —
 * NetSuite calls among them — lose their leases and run twice on another runner. The claim loop
 * holds each step it claims and releases it once its result is committed or refused. */
#ifndef O2C_LEASE_KEEPER_H
#define O2C_LEASE_KEEPER_H

#include <stddef.h>
#include <stdint.h>

typedef struct o2c_lease_keeper o2c_lease_keeper;

/* Starts the keeper: its own connection (conninfo as o2c_db_connect takes it), renewing every
 * lease_seconds/3. NULL on failure, with a message in err. */
o2c_lease_keeper *o2c_lease_keeper_start(const char *conninfo, const char *runner_id, int lease_seconds,
                                         char *err, size_t errlen);
void o2c_lease_keeper_hold(o2c_lease_keeper *k, int64_t workflow_id, int64_t lease_token);
void o2c_lease_keeper_release(o2c_lease_keeper *k, int64_t workflow_id);
/* How many leases the keeper found lost (another runner took the step over) since it started. */
long o2c_lease_keeper_lost(o2c_lease_keeper *k);
void o2c_lease_keeper_stop(o2c_lease_keeper *k);

#endif
