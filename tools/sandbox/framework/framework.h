/* Framework-private interfaces of o2c-sandbox: fault decisions (faults.c), counters and the
 * concurrency gate (stats.c), the HTTP server (server.c). Services see only sandbox.h. */
#ifndef O2C_SANDBOX_FRAMEWORK_H
#define O2C_SANDBOX_FRAMEWORK_H

#include "tools/sandbox/framework/sandbox.h"

/* Parses "429=0.05,503=0.02,timeout=0.01,lock=0.01,malformed=0.005,slow=0.02" (any subset, any order).
 * False with a message when a kind is unknown, a rate is outside [0,1] or the sum exceeds 1. */
bool sb_faults_parse(const char *spec, sb_fault_rates *out, char *err, size_t errlen);
void sb_faults_init(const sb_fault_rates *rates, uint64_t seed);
/* One decision per API request, from one seeded sequence (thread-safe): the same seed and the
 * same request order give the same faults. A "lock" drawn for a read becomes SB_FAULT_NONE. */
sb_fault_kind sb_faults_draw(bool is_write);

/* Counters behind GET /_sandbox/stats. All thread-safe. */
void sb_stats_init(void);
/* Admits an API request unless `limit` (> 0) requests are already in flight. */
bool sb_stats_enter(int limit);
/* Another integration on the same account now holds `slots` of the concurrency limit: requests are
 * admitted while in_flight + slots < limit (a shared account, as brands run them). */
void sb_stats_set_neighbour(int slots);
void sb_stats_leave(void);
void sb_stats_request(const char *operation);
void sb_stats_response(int status, bool throttled);
void sb_stats_fault(sb_fault_kind kind);
json_object *sb_stats_json(void); /* new object; caller puts it */
void sb_stats_reset(void);

/* Serves until SIGTERM/SIGINT. Prints "listening on 127.0.0.1:PORT" once bound. Returns the
 * process exit status. */
int sb_server_run(const sb_options *opts, const sb_service *service, void *svc);

#endif
