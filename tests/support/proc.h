/* Child processes for integration tests: runners and sandboxes started as real programs, so
 * tests can kill them the way production kills them (SIGKILL, SIGSTOP, SIGTERM). */
#ifndef O2C_TESTS_PROC_H
#define O2C_TESTS_PROC_H

#include <sys/types.h>

/* Starts o2c-runner from the build under test with --database conninfo and the given extra
 * arguments (NULL-terminated). Its stderr goes to log_path (if not NULL). Returns the pid or -1. */
pid_t tproc_runner(const char *conninfo, const char *log_path, const char *const *args);

/* Waits for pid; returns its exit status, 128+signal if it died of a signal, -1 on error. */
int tproc_wait(pid_t pid);

/* Sleeps ms milliseconds. */
void tproc_sleep_ms(int ms);

/* Counts the lines of a file that contain `needle`. */
int tproc_count_lines(const char *path, const char *needle);

#endif
