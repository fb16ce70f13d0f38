/* Framework-private parts of util.c: seeding the generator and signalling shutdown. Services
 * do not call these. */
#ifndef O2C_SANDBOX_UTIL_INTERNAL_H
#define O2C_SANDBOX_UTIL_INTERNAL_H

#include <stdint.h>

uint64_t sb_splitmix64(uint64_t *state);
void sb_random_seed(uint64_t seed);
/* Wakes every sb_sleep_ms sleeper; later sleeps return at once. */
void sb_request_stop(void);

#endif
