/* How an idle runner waits for work: a NOTIFY on its database connection (LISTEN o2c_work), a
 * signal on its workers' eventfd (a step finished), or the end of its poll interval. */
#ifndef O2C_RUNNER_WAKE_H
#define O2C_RUNNER_WAKE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

/* Waits up to timeout_ms (0: only looks) until `conn` has a notification or `wake_fd` (an
 * eventfd, or -1 for none) is signalled. A notification that libpq already read off the socket
 * with a statement's answer counts at once: it waits in libpq's queue, not on the socket, and
 * poll() alone would sleep through it. Consumes every notification that has arrived and the
 * eventfd's count. Returns true when there was at least one notification. */
bool o2c_wait_for_wake(PGconn *conn, int wake_fd, int64_t timeout_ms);

#endif
