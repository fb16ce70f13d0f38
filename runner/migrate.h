/* Brings a database's o2c schema up to date: applies the numbered migrations of sql/migrations/
 * not yet applied (each in its own transaction, recorded in o2c.schema_migration), then re-applies
 * the admin API (sql/api/) and pipelines (workflows/) whose text changed. Idempotent, and safe to
 * run from many places at once (an advisory lock serialises it). A migration edited after it was
 * applied is an error: migrations only move forward. */
#ifndef O2C_MIGRATE_H
#define O2C_MIGRATE_H

#include "runner/db.h"

#include <stdbool.h>

/* Returns the number of files applied, or -1 (with the reason in err). */
int o2c_migrate(o2c_db *db, bool verbose, char *err, size_t errlen);

#endif
