/* A fixed pool of threads that run (possibly blocking) actions. The claim loop submits steps;
 * each finished step lands in a done list, and the pool writes to `wake_fd` (an eventfd) so the
 * claim loop's poll() wakes up to complete it. */
#ifndef O2C_WORKERS_H
#define O2C_WORKERS_H

#include "connectors/common/connector.h"

typedef struct o2c_workers o2c_workers;

o2c_workers *o2c_workers_start(int threads, int wake_fd);
void o2c_workers_submit(o2c_workers *w, struct o2c_step *step);
/* Queues `next` to run straight after `step` (submitted earlier) on the thread that runs it,
 * without a trip through the claim loop, so that a remote system's slot `step` holds goes on to
 * `next` the moment `step`'s call ends. Returns false, queueing nothing, when `step` has finished
 * already: the caller then submits `next` itself. If `step` ends throttled (the remote refused it
 * for load), `next` does not run: it lands in the done list with the outcome "released". */
bool o2c_workers_follow(o2c_workers *w, struct o2c_step *step, struct o2c_step *next);
/* From now on a queued step does not start: it comes back "released" when the step ahead of it
 * ends (the runner is stopping and finishes only the calls already made). */
void o2c_workers_release_queued(o2c_workers *w);
/* Moves every finished step into out[] (up to max); returns how many. Never blocks. */
int o2c_workers_take_done(o2c_workers *w, struct o2c_step **out, int max);
/* Waits for the threads to finish what was submitted, then frees the pool. */
void o2c_workers_stop(o2c_workers *w);

/* Runs step->impl on the calling thread, timing it into step->duration_ms. */
void o2c_run_action(struct o2c_step *step);

#endif
