#include "connectors/common/stock_read.h"

#include <stdio.h>
#include <sys/time.h>
#include <time.h>

void o2c_outcome_stock_levels(struct o2c_outcome *out, json_object *levels)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char read_at[48];
    snprintf(read_at, sizeof read_at, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)tv.tv_usec);
    o2c_outcome_ok(out);
    o2c_outcome_patch(out, "levels", levels);
    o2c_outcome_patch(out, "read_at", json_object_new_string(read_at));
}
