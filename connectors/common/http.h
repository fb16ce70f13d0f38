/* HTTP for connectors: one blocking request at a time per thread over libcurl, with the
 * thread's connections kept alive between requests. TLS verification is always on; plain http is
 * accepted only for loopback hosts (the local sandboxes). Bodies are capped so a runaway answer
 * cannot exhaust memory.
 *
 * o2c_http_send returns 0 when an HTTP answer came back (whatever its status) and -1 when none
 * did (timeout, refused, reset, TLS failure, answer too large, plain http to a remote host);
 * response->error then says which, in words. */
#ifndef O2C_COMMON_HTTP_H
#define O2C_COMMON_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define O2C_HTTP_MAX_BODY ((size_t)16 * 1024 * 1024)

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
    char error[256];                 /* why there was no answer */
};

int o2c_http_send(const struct o2c_http_request *req, struct o2c_http_response *res);
void o2c_http_response_free(struct o2c_http_response *res);

/* Is this URL's host a loopback address or localhost? */
bool o2c_http_is_loopback(const char *url);

#endif
