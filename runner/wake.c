#include "runner/wake.h"

#include <poll.h>
#include <unistd.h>

/* Reads what has arrived on the socket and empties libpq's notification queue; true if it held
 * anything. */
static bool take_notifications(PGconn *conn)
{
    bool any = false;
    if (!PQconsumeInput(conn))
        return false; /* the connection broke: the next statement finds out and reconnects */
    PGnotify *n;
    while ((n = PQnotifies(conn))) {
        any = true;
        PQfreemem(n);
    }
    return any;
}

bool o2c_wait_for_wake(PGconn *conn, int wake_fd, int64_t timeout_ms)
{
    PGnotify *queued = PQnotifies(conn);
    if (queued) {
        PQfreemem(queued);
        take_notifications(conn);
        return true;
    }
    if (timeout_ms < 0)
        timeout_ms = 0;
    if (timeout_ms > 24 * 3600 * 1000)
        timeout_ms = 24 * 3600 * 1000;
    struct pollfd fds[2] = {
        {.fd = PQsocket(conn), .events = POLLIN},
        {.fd = wake_fd, .events = POLLIN},
    };
    int ready = poll(fds, wake_fd >= 0 ? 2 : 1, (int)timeout_ms);
    if (ready <= 0)
        return false;
    bool notified = fds[0].revents ? take_notifications(conn) : false;
    if (wake_fd >= 0 && fds[1].revents) {
        uint64_t count;
        ssize_t got = read(wake_fd, &count, sizeof count);
        (void)got;
    }
    return notified;
}
