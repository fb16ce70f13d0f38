/* The arguments of o2c.complete (sql/api/step.sql) for a batch of finished steps: parallel
 * arrays, one element per step —
 *   ids {…}, tokens {…}, outcomes {"…",…}, durations {…}, delays {…|NULL}   (array literals)
 *   patches, details, starts [<json>|null,…]                               (JSON arrays)
 *   chains [{"path":[state,outcome,state,…],"durations":[…],"details":[…]}|null,…]
 *                                            (the states a step ran through: runner/chain.h)
 * written straight into strings: the runner completes tens of thousands of steps a second.
 * Arrays rather than one JSON document because PostgreSQL reads the keys and numbers for a
 * fraction of the cost (jsonb_in sent every number through numeric); the JSON values stay JSON,
 * read once. An argument no step has a value for (a delay, patch, detail or start) is NULL.
 * The outcome's own patch, detail and start (json-c objects the actions built) are serialised
 * as they are. */
#ifndef O2C_RUNNER_COMPLETION_H
#define O2C_RUNNER_COMPLETION_H

#include "connectors/common/connector.h"

enum o2c_completion_arg {
    O2C_COMPLETION_IDS,
    O2C_COMPLETION_TOKENS,
    O2C_COMPLETION_OUTCOMES,
    O2C_COMPLETION_DURATIONS,
    O2C_COMPLETION_DELAYS,
    O2C_COMPLETION_PATCHES,
    O2C_COMPLETION_DETAILS,
    O2C_COMPLETION_STARTS,
    O2C_COMPLETION_CHAINS,
    O2C_COMPLETION_ARGS
};

/* arg[k] is the k-th array (malloc'd), or NULL for SQL null. */
struct o2c_completion {
    char *arg[O2C_COMPLETION_ARGS];
};

/* Fills *c for steps[0..count). Returns 0, or -1 when memory runs out (nothing to free then). */
int o2c_completion_build(struct o2c_step *const *steps, int count, struct o2c_completion *c);
void o2c_completion_free(struct o2c_completion *c);

#endif
