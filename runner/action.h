/* The one small interface through which actions plug into the runner.
 *
 * An action receives a claimed step and fills its outcome (see step.h). It must not touch the
 * database: the runner commits the outcome. `quick` actions never block and run on the claim
 * loop itself; others run on the worker threads (so they may make blocking HTTP calls). An
 * action must be safe to run again for the same step (a runner may die mid-step): effects on
 * other systems carry deterministic external keys. */
#ifndef O2C_ACTION_H
#define O2C_ACTION_H

#include "runner/step.h"

#include <stdbool.h>
#include <stdio.h>

typedef void (*o2c_action_fn)(struct o2c_step *step, struct o2c_outcome *out);

struct o2c_action {
    const char *name; /* "core.noop", "netsuite.upsert", ... */
    o2c_action_fn run;
    bool quick;
    const char *summary;
    bool sql;         /* "sql.<name>": run by the runner as o2c_action.<name>() on its connection */
};

/* NULL-terminated tables each component exports; action_registry.c lists them. */
extern const struct o2c_action o2c_core_actions[];

/* The action called `name`; every "sql.<name>" maps to the one SQL action entry. NULL if none. */
const struct o2c_action *o2c_action_find(const char *name);

/* Prints every action this binary knows, one "name<TAB>summary" line each. */
void o2c_action_list(FILE *to);

#endif
