#include "runner/wake.h"

#include <poll.h>
#include <unistd.h>

/* Reads what has arrived on the socket, then empties libpq's notification queue, which also
 * holds any notification read earlier with a statement's answer. True if it held anything. */
static bool take_notifications(PGconn *conn)
{
    (void)PQconsumeInput(conn); /* a broken connection: the next statement finds out and reconnects */
    bool any = false;
    PGnotify *n;
    while ((n = PQnotifies(conn))) {
        any = true;
        PQfreemem(n);
    }
    return any;
}

bool o2c_wait_for_wake(PGconn *conn, int wake_fd, int64_t timeout_ms)
{
    if (take_notifications(conn))
        return true;
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
