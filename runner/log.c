#include "runner/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum o2c_log_level threshold = O2C_LOG_INFO;
static int threshold_from_env_done;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int o2c_log_parse_level(const char *name, enum o2c_log_level *level)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, level_names[i]) == 0) {
            *level = (enum o2c_log_level)i;
            return 0;
        }
    return -1;
}

void o2c_log_set_level(enum o2c_log_level level)
{
    threshold = level;
    threshold_from_env_done = 1;
}

int o2c_log_enabled(enum o2c_log_level level)
{
    if (!threshold_from_env_done) {
        const char *env = getenv("O2C_LOG_LEVEL");
        if (env)
            o2c_log_parse_level(env, &threshold);
        threshold_from_env_done = 1;
    }
    return level >= threshold;
}

void o2c_log(enum o2c_log_level level, const char *msg, json_object *fields)
{
    if (!o2c_log_enabled(level)) {
        json_object_put(fields);
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm utc;
    gmtime_r(&now.tv_sec, &utc);
    char stamp[40];
    size_t n = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(stamp + n, sizeof stamp - n, ".%03ldZ", now.tv_nsec / 1000000);

    json_object *line = json_object_new_object();
    json_object_object_add(line, "time", json_object_new_string(stamp));
    json_object_object_add(line, "level", json_object_new_string(level_names[level]));
    json_object_object_add(line, "msg", json_object_new_string(msg));
    if (fields) {
        json_object_object_foreach(fields, key, value)
            json_object_object_add(line, key, json_object_get(value));
        json_object_put(fields);
    }
    /* One fprintf per line: stdio locks the stream, so lines from threads never interleave. */
    fprintf(stderr, "%s\n", json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(line);
}

void o2c_logf(enum o2c_log_level level, const char *fmt, ...)
{
    if (!o2c_log_enabled(level))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    o2c_log(level, msg, NULL);
}
