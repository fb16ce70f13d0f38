/* The project's SQL files (migrations, admin API, named queries, workflows), embedded into the
 * binaries at build time by tools/embed-sql so `o2c migrate` needs no source tree. */
#ifndef O2C_SQL_FILES_H
#define O2C_SQL_FILES_H

#include <stddef.h>

struct o2c_sql_file {
    const char *path; /* as in the repository, e.g. "sql/migrations/0001_engine.sql" */
    const char *text;
};

extern const struct o2c_sql_file o2c_sql_files[];
extern const size_t o2c_sql_file_count;

/* The file with this repository path, or NULL. */
const struct o2c_sql_file *o2c_sql_file_find(const char *path);

#endif
