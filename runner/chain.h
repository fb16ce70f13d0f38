/* Running a step on, under the lease it was claimed with, through the states that call no
 * connection: when a local action (a quick one or an sql.* one) moves its workflow on to another
 * state whose action is local too, the runner runs that one at once, instead of completing,
 * claiming the step again and running it then. The states passed through become the step's
 * links; o2c.complete records each as its own event (the history is the same as one claim per
 * state) and checks the chain against the workflow's transitions.
 *
 * A chain stops at the first state that calls a connection (a call must take a slot of the
 * connection's fleet-wide limit through a claim), at a terminal state, at a state in a lane this
 * runner does not serve, at an outcome that is not an advance (retry, throttled, locked, failed,
 * or one without a transition), at a result that asks for a delay or starts workflows, and after
 * max_links states. A crash in the middle loses nothing stored: the step runs again from the
 * state it was claimed in, as any step whose runner died does. */
#ifndef O2C_RUNNER_CHAIN_H
#define O2C_RUNNER_CHAIN_H

#include "connectors/common/connector.h"
#include "runner/db.h"
#include "runner/workflow_states.h"

struct o2c_chain_scope {
    o2c_db *db;                 /* the runner's own session: sql.* actions run there */
    o2c_workflow_states *states;
    const char *lanes;          /* comma-separated lanes this runner serves; NULL or "" = all */
    int max_links;              /* 0: never chain */
};

/* s has run its action (s->outcome is set). Runs it on through the following local states as
 * described above, each action in turn on this thread; then folds the links' patches and the
 * last outcome's patch into s->outcome.patch, so the result is ready for o2c.complete. Returns
 * the number of links added. */
int o2c_chain_run_on(const struct o2c_chain_scope *scope, struct o2c_step *s);

/* Forgets s's links (its outcome then stands for the state it was claimed in): for a result
 * the database would not take as it was. */
void o2c_chain_drop(struct o2c_step *s);

#endif
