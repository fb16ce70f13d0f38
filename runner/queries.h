/* Named SQL statements from sql/queries/<table>.sql, where each statement follows a line
 * "-- name: <name>". o2c_query("step", "claim") returns the text of that statement, or NULL if
 * there is none. The texts live for the whole process; the first call parses every file once. */
#ifndef O2C_QUERIES_H
#define O2C_QUERIES_H

const char *o2c_query(const char *table, const char *name);

#endif
