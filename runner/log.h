/* Structured logs: one JSON object per line on stderr with time, level and message plus any
 * fields the caller adds (workflow_id, state, connection, action, duration_ms, outcome, ...).
 * Safe to call from any thread. Never pass secrets. */
#ifndef O2C_LOG_H
#define O2C_LOG_H

#include <json-c/json.h>

enum o2c_log_level { O2C_LOG_DEBUG, O2C_LOG_INFO, O2C_LOG_WARN, O2C_LOG_ERROR };

/* Lines below this level are dropped. Default INFO; O2C_LOG_LEVEL=debug|info|warn|error. */
void o2c_log_set_level(enum o2c_log_level level);
int o2c_log_parse_level(const char *name, enum o2c_log_level *level);
int o2c_log_enabled(enum o2c_log_level level);

/* Logs msg with the fields of `fields` (which it takes ownership of; may be NULL). */
void o2c_log(enum o2c_log_level level, const char *msg, json_object *fields);

/* printf-style message with no extra fields. */
void o2c_logf(enum o2c_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
