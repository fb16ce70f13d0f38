/* The runner's counters, and a Prometheus text endpoint for them (GET /metrics) on 127.0.0.1
 * when asked (--metrics-port). Counters are updated by the claim loop and read by the HTTP
 * thread: plain atomics, no locks. */
#ifndef O2C_METRICS_H
#define O2C_METRICS_H

#include <stdatomic.h>

struct o2c_metrics {
    atomic_long claims;             /* claim round trips */
    atomic_long claimed;            /* steps claimed */
    atomic_long completed_ok;       /* ok and named outcomes */
    atomic_long completed_retry;
    atomic_long completed_throttled;
    atomic_long completed_locked;
    atomic_long completed_failed;
    atomic_long completed_released; /* queued behind a call that was refused for load: not run */
    atomic_long queued_on_slot;     /* steps claimed to run on the slot of a call still running */
    atomic_long refused;            /* completions refused: lease lost */
    atomic_long leases_lost;
    atomic_long db_errors;
    atomic_long in_flight;
    atomic_long action_ms_total;    /* summed action durations */
};

extern struct o2c_metrics o2c_metrics;

/* Starts serving on 127.0.0.1:port (0 = any free port). Returns the port, or -1. */
int o2c_metrics_serve(int port, const char *runner_id);
void o2c_metrics_stop(void);

#endif
