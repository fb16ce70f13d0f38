/* Child processes for integration tests: runners and sandboxes started as real programs, so
 * tests can kill them the way production kills them (SIGKILL, SIGSTOP, SIGTERM). */
#ifndef O2C_TESTS_PROC_H
#define O2C_TESTS_PROC_H

#include <sys/types.h>

/* Starts o2c-runner from the build under test with --database conninfo and the given extra
 * arguments (NULL-terminated). Its stderr goes to log_path (if not NULL). Returns the pid or -1. */
pid_t tproc_runner(const char *conninfo, const char *log_path, const char *const *args);

/* Starts `o2c-sandbox <service> --port 0 <args>` and reads the port it prints. Returns the pid
 * (port in *port) or -1. Its stderr goes to log_path (if not NULL). */
pid_t tproc_sandbox(const char *service, const char *log_path, const char *const *args, int *port);

/* GETs http://127.0.0.1:port/path into buf (NUL-terminated); returns the HTTP status or -1. */
int tproc_http_get(int port, const char *path, char *buf, size_t len);

/* POSTs body (JSON, may be NULL) to http://127.0.0.1:port/path with the given extra headers
 * (NULL-terminated "Name: value" lines, may be NULL) and reads the answer into buf
 * (NUL-terminated, cut to len); returns the HTTP status or -1. */
int tproc_http_post(int port, const char *path, const char *const *headers, const char *body, char *buf, size_t len);

/* One figure of the sandbox on `port`'s /_sandbox/stats, by dotted path ("records_by_type.salesOrder");
 * -1 when the sandbox does not answer or has no such figure (so an assertion on it fails). */
long long tproc_sandbox_stat(int port, const char *path);

/* Waits for pid; returns its exit status, 128+signal if it died of a signal, -1 on error. */
int tproc_wait(pid_t pid);

/* Sleeps ms milliseconds. */
void tproc_sleep_ms(int ms);

/* Counts the lines of a file that contain `needle`. */
int tproc_count_lines(const char *path, const char *needle);

#endif
