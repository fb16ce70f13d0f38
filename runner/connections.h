/* The runner's copy of o2c.connection (base URL, system, the names of the environment variables
 * that hold each secret), so a connector action knows where and as whom to call. Loaded by the
 * claim loop's thread, refreshed every 30 s and whenever a step names a connection it has not seen;
 * each step gets its own copy of its connection's settings, so worker threads share nothing. */
#ifndef O2C_CONNECTIONS_H
#define O2C_CONNECTIONS_H

#include "runner/db.h"
#include "connectors/common/connector.h"

typedef struct o2c_connections o2c_connections;

o2c_connections *o2c_connections_new(void);
void o2c_connections_free(o2c_connections *c);

/* Copies the settings of step->connection into the step (reloading from the database if the
 * name is unknown or the copy is stale). Returns 0, or -1 if there is no such connection. */
int o2c_connections_attach(o2c_connections *c, o2c_db *db, struct o2c_step *step);


#endif
