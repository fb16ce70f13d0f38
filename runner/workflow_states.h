/* What the runner knows of each workflow version it meets: its states and where each outcome
 * leads, read once per version (o2c.workflow_states) and kept for the runner's life, since a
 * version never changes once defined. Used to run a step on through the states that call no
 * connection (runner/chain.h). Not thread-safe: the runner's main thread owns it. */
#ifndef O2C_RUNNER_WORKFLOW_STATES_H
#define O2C_RUNNER_WORKFLOW_STATES_H

#include "runner/db.h"

#include <stdbool.h>

struct o2c_state_def {
    const char *state;
    const char *action;     /* "" for a terminal state */
    const char *params;     /* the state's params as JSON text */
    const char *lane;
    const char *connection; /* "" when the state calls none */
    bool terminal;
};

typedef struct o2c_workflow_states o2c_workflow_states;

o2c_workflow_states *o2c_workflow_states_new(void);
void o2c_workflow_states_free(o2c_workflow_states *ws);

/* The state that `outcome` leads to from `state` in version `version` of `workflow`, reading
 * the version through db on first use. NULL when there is no such transition, or when the
 * version cannot be read now (logged; the caller then simply does not chain). */
const struct o2c_state_def *o2c_workflow_states_next(o2c_workflow_states *ws, o2c_db *db, const char *workflow,
                                                     int version, const char *state, const char *outcome);

/* Forgets every version read so far; they are read again on next use. For when the database
 * refused a chain built from them (an admin changed a state in place, say). */
void o2c_workflow_states_forget(o2c_workflow_states *ws);

#endif
