/* HTTP for connectors: one blocking request at a time per thread over libcurl, with the
 * thread's connections kept alive between requests. TLS verification is always on; plain http is
 * accepted only for loopback hosts (the local sandboxes). Bodies are capped so a runaway answer
 * cannot exhaust memory.
 *
 * o2c_http_send returns 0 when an HTTP answer came back (whatever its status) and -1 when none
 * did (timeout, refused, reset, TLS failure, answer too large, a URL o2c refuses);
 * response->error then says which, in words, and response->refused tells a refused URL (a
 * configuration error: nothing was sent) from a passing fault. */
#ifndef O2C_COMMON_HTTP_H
#define O2C_COMMON_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define O2C_HTTP_MAX_BODY ((size_t)16 * 1024 * 1024)
/* A Retry-After beyond this reads as this (one day); o2c.connection.retry_after_cap_s caps further. */
#define O2C_HTTP_RETRY_AFTER_MAX_S 86400L

struct o2c_http_request {
    const char *method;              /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *url;
    const char *const *headers;      /* NULL-terminated "Name: value" lines; may be NULL */
    const char *body;                /* may be NULL */
    size_t body_len;
    long timeout_ms;                 /* whole request; 0 = 30 s */
};

struct o2c_http_response {
    long status;                     /* 0 when no answer */
    char *body;                      /* NUL-terminated; never NULL after o2c_http_send */
    size_t body_len;
    char location[1024];             /* Location header, "" if none */
    long retry_after_s;              /* Retry-After in seconds, -1 if none */
    bool timed_out;
    long elapsed_ms;
    char error[512];                 /* why there was no answer */
    bool refused;                    /* the URL was refused before anything was sent */
    bool too_large;                  /* the answer was cut off at O2C_HTTP_MAX_BODY */
};

int o2c_http_send(const struct o2c_http_request *req, struct o2c_http_response *res);
void o2c_http_response_free(struct o2c_http_response *res);

/* May o2c send to this URL? Parsed with curl's URL API: https anywhere; plain http only when the
 * host is literally a loopback address (127.0.0.0/8, ::1, localhost); never a URL with a user name
 * or password before its host. False with the reason, in words, in `why`. */
bool o2c_http_url_allowed(const char *url, char *why, size_t len);

/* A Retry-After header value (after "Retry-After:") as seconds from `now`: delta-seconds or an
 * HTTP-date, capped at O2C_HTTP_RETRY_AFTER_MAX_S, never negative; -1 when unreadable. */
long o2c_http_parse_retry_after(const char *value, time_t now);

#endif
