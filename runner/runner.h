/* The o2c-runner claim loop: claims due steps in batches (FOR UPDATE SKIP LOCKED, with a lease it
 * renews while they run), runs their actions (quick ones inline, others on worker threads),
 * and commits each outcome with o2c.complete, which refuses results whose lease was lost.
 * Wakes on NOTIFY o2c_work and also polls slowly, because notifications can be lost.
 * The runner holds nothing that matters: kill it at any instant and another one finishes. */
#ifndef O2C_RUNNER_H
#define O2C_RUNNER_H

#include <signal.h>

struct o2c_runner_options {
    const char *database;       /* conninfo/URL; NULL = $DATABASE_URL or PG* variables */
    const char *runner_id;      /* NULL = "<host>:<pid>" */
    const char *lanes;          /* comma-separated lanes to claim from; NULL = all */
    int concurrency;            /* steps in flight at once */
    int batch;                  /* most steps per claim */
    int lease_seconds;
    int poll_ms;                /* slow poll besides LISTEN/NOTIFY */
    int until_idle;             /* exit 0 once nothing is due, leased or due within the horizon */
    int idle_horizon_seconds;
    int fair_every;             /* every Nth claim takes the oldest due work whatever its lane */
    int metrics_port;           /* serve Prometheus metrics on 127.0.0.1:port; -1 = don't, 0 = any */
    int db_wait_seconds;        /* at start, how long to wait for a database that does not answer yet */
    int chain_max;              /* most local states a step runs on through under one lease
                                   (runner/chain.h); 0 = one claim per state */
};

void o2c_runner_defaults(struct o2c_runner_options *opt);

/* Runs until *stop is set (then drains in-flight steps and returns 0), until idle with
 * until_idle, or until a fatal error (returns 1). `wake_fd` is an eventfd that whoever sets
 * *stop also writes to, so the loop notices at once. */
int o2c_runner_run(const struct o2c_runner_options *opt, volatile sig_atomic_t *stop, int wake_fd);

#endif
