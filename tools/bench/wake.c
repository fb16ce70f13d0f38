/* Wake latency probe for `make bench`: starts workflows one at a time, each o2c.start in its own
 * transaction, and for each prints how long after the commit a runner claimed its step.
 *
 *   wake URL WORKFLOW KEY_PREFIX COUNT GAP_MS
 *
 * Per workflow it prints one line: "<after_commit_us> <after_send_us> <completing_us>" where after_commit_us is
 * the step's claimed_at (the claim transaction's start, PostgreSQL's clock) minus the moment the
 * o2c.start call returned here (CLOCK_REALTIME, the same clock on this machine), and
 * after_send_us the same measured from just before the call was sent (an upper bound that
 * includes the start itself), and completing_us the start of the transaction that completed the
 * step (so the claim itself, running the no-op and sending the result are inside it). It waits until the step was claimed and completed before the next
 * start (woken by the completion's NOTIFY, checking at least every 20 ms, giving up on one
 * workflow after 10 s), then pauses GAP_MS so that the runners are idle again. */
#include <libpq-fe.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t realtime_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void die(PGconn *db, const char *what)
{
    fprintf(stderr, "wake: %s: %s", what, db ? PQerrorMessage(db) : "\n");
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: wake URL WORKFLOW KEY_PREFIX COUNT GAP_MS\n");
        return 2;
    }
    const char *workflow = argv[2], *prefix = argv[3];
    int count = atoi(argv[4]), gap_ms = atoi(argv[5]);
    PGconn *db = PQconnectdb(argv[1]);
    if (PQstatus(db) != CONNECTION_OK)
        die(db, "connect");
    PGresult *r = PQexec(db, "listen o2c_work");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die(db, "listen");
    PQclear(r);
    r = PQprepare(db, "start", "select o2c.start($1, $2)", 2, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die(db, "prepare start");
    PQclear(r);
    r = PQprepare(db, "claimed",
                  "select (extract(epoch from claimed_at) * 1000000)::bigint, "
                  "(extract(epoch from at) * 1000000)::bigint from o2c.event "
                  "where workflow_id = $1 and claimed_at is not null order by id limit 1",
                  1, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die(db, "prepare claimed");
    PQclear(r);

    int missed = 0;
    for (int i = 0; i < count; i++) {
        char key[128];
        snprintf(key, sizeof key, "%s%d", prefix, i);
        const char *params[] = {workflow, key};
        int64_t sent = realtime_us();
        r = PQexecPrepared(db, "start", 2, params, NULL, NULL, 0);
        int64_t committed = realtime_us();
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            die(db, "o2c.start");
        char id[32];
        snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);

        const char *idp[] = {id};
        int64_t claimed = -1, completing = -1;
        for (int64_t deadline = committed + 10000000; claimed < 0 && realtime_us() < deadline;) {
            struct pollfd p = {.fd = PQsocket(db), .events = POLLIN};
            poll(&p, 1, 20);
            if (!PQconsumeInput(db))
                die(db, "read");
            PGnotify *n;
            while ((n = PQnotifies(db)))
                PQfreemem(n);
            r = PQexecPrepared(db, "claimed", 1, idp, NULL, NULL, 0);
            if (PQresultStatus(r) != PGRES_TUPLES_OK)
                die(db, "read claim");
            if (PQntuples(r) == 1) {
                claimed = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
                completing = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
            }
            PQclear(r);
        }
        if (claimed < 0) {
            missed++;
            continue;
        }
        printf("%lld %lld %lld\n", (long long)(claimed - committed), (long long)(claimed - sent),
               (long long)(completing - committed));
        if (gap_ms > 0)
            usleep((useconds_t)gap_ms * 1000);
    }
    fflush(stdout);
    if (missed)
        fprintf(stderr, "wake: %d workflows were not claimed within 10 s\n", missed);
    PQfinish(db);
    return missed ? 3 : 0;
}
