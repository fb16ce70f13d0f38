/* Running sql.<name> steps: o2c_action.<name>(context, params) in the database, the context read
 * there (the workflow's, as the claim read it), never sent back from the runner. */
#ifndef O2C_SQL_ACTIONS_H
#define O2C_SQL_ACTIONS_H

#include "connectors/common/connector.h"
#include "runner/db.h"

/* Runs step s (its action "sql.<name>") on db, in a transaction of its own, and makes the
 * function's answer the step's outcome (patch, detail, start, delay_ms), timed into duration_ms.
 * A failure that passes (o2c_db_failure_passes: a lost connection, the server restarting) is a
 * retry, and the caller mends the session before its next use; an SQL error of the action itself
 * is a workflow_error failure naming the action. */
void o2c_sql_action_run(o2c_db *db, struct o2c_step *s);

#endif
