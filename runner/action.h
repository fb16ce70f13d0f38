/* The runner's table of actions: every connector's exported actions (connectors/common/
 * connector.h says what an action is) plus the engine's own core.* and sql.* ones. */
#ifndef O2C_ACTION_H
#define O2C_ACTION_H

#include "connectors/common/connector.h"

#include <stdbool.h>
#include <stdio.h>

/* NULL-terminated tables each component exports; action_registry.c lists them. */
extern const struct o2c_action o2c_core_actions[];

/* The action called `name`; every "sql.<name>" maps to the one SQL action entry. NULL if none. */
const struct o2c_action *o2c_action_find(const char *name);

/* Prints every action this binary knows, one "name<TAB>summary" line each. */
void o2c_action_list(FILE *to);

#endif
