/* The CUnit entry point every test program uses: runs the suites, prints CUnit's summary and
 * records "name passed failed" in $O2C_TEST_COUNTS so tests/run can print the grand total.
 * Also the helpers integration tests share: a fresh migrated database, paths of the binaries. */
#ifndef O2C_TESTS_HARNESS_H
#define O2C_TESTS_HARNESS_H

#include <CUnit/CUnit.h>
#include <stddef.h>

int tsup_run_suites(const char *program, CU_SuiteInfo *suites);

/* Path of an o2c binary ("o2c-runner", "o2c", "o2c-sandbox") in the build under test. */
const char *tsup_bin(const char *name, char *buf, size_t len);

/* Creates (dropping any old one) database NAME on $DATABASE_URL's server, runs `o2c migrate`
 * on it and writes its conninfo into buf. Returns 0, or -1 with a message on stderr. */
int tsup_fresh_database(const char *name, char *buf, size_t len);

#endif
