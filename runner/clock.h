#ifndef O2C_RUNNER_CLOCK_H
#define O2C_RUNNER_CLOCK_H

/* The runner's one clock for durations and deadlines: milliseconds of CLOCK_MONOTONIC, which
 * neither jumps with the wall clock nor goes backwards. Only differences between two readings
 * mean anything. */

#include <stdint.h>
#include <time.h>

static inline int64_t o2c_monotonic_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

#endif
