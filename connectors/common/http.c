#include "connectors/common/http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_once_t curl_ready = PTHREAD_ONCE_INIT;
static pthread_key_t handle_key;

static void free_handle(void *handle) { curl_easy_cleanup(handle); }

static void init_curl(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_key_create(&handle_key, free_handle);
}

/* One easy handle per thread, reused so keep-alive connections survive between requests. */
static CURL *thread_handle(void)
{
    pthread_once(&curl_ready, init_curl);
    CURL *h = pthread_getspecific(handle_key);
    if (!h) {
        h = curl_easy_init();
        pthread_setspecific(handle_key, h);
    } else {
        curl_easy_reset(h);
    }
    return h;
}

/* A literal loopback host: "localhost", 127.0.0.0/8 written as a dotted quad, or ::1. Never a
 * name that merely starts like one (127.0.0.1.evil.com). */
static bool loopback_host(const char *host)
{
    if (strcasecmp(host, "localhost") == 0)
        return true;
    struct in_addr v4;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    char bare[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof bare) {
        memcpy(bare, host + 1, n - 2);
        bare[n - 2] = '\0';
        host = bare;
    }
    struct in6_addr v6;
    return inet_pton(AF_INET6, host, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

bool o2c_http_url_allowed(const char *url, char *why, size_t len)
{
    bool ok = false;
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL;
    if (!u || !url || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        snprintf(why, len, "\"%s\" is not a URL", url ? url : "");
        goto done;
    }
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u, CURLUPART_HOST, &host, 0);
    curl_url_get(u, CURLUPART_USER, &user, 0);
    curl_url_get(u, CURLUPART_PASSWORD, &password, 0);
    if (user || password) {
        /* http://127.0.0.1@0.0.0.0:9/ connects to 0.0.0.0: credentials belong in headers. */
        snprintf(why, len, "%s carries a user name or password before its host; o2c refuses such URLs", url);
    } else if (!scheme || !host) {
        snprintf(why, len, "%s has no scheme or host", url);
    } else if (strcmp(scheme, "https") == 0) {
        ok = true;
    } else if (strcmp(scheme, "http") == 0 && loopback_host(host)) {
        ok = true; /* a local sandbox */
    } else if (strcmp(scheme, "http") == 0) {
        snprintf(why, len, "%s is plain http to %s, which is not this machine: credentials would travel in clear "
                           "text (use https)", url, host);
    } else {
        snprintf(why, len, "%s uses %s; only https (or http to a local sandbox) is allowed", url, scheme);
    }
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(password);
    curl_url_cleanup(u);
    return ok;
}

long o2c_http_parse_retry_after(const char *value, time_t now)
{
    while (*value == ' ' || *value == '\t')
        value++;
    if (*value >= '0' && *value <= '9') {
        /* Seconds; anything beyond the cap reads as the cap (strtol saturates, never wraps). */
        errno = 0;
        char *end;
        long secs = strtol(value, &end, 10);
        if (errno == ERANGE || secs > O2C_HTTP_RETRY_AFTER_MAX_S)
            return O2C_HTTP_RETRY_AFTER_MAX_S;
        return secs;
    }
    time_t when = curl_getdate(value, NULL); /* an HTTP-date */
    if (when < 0)
        return -1;
    if (when <= now)
        return 0;
    return when - now > O2C_HTTP_RETRY_AFTER_MAX_S ? O2C_HTTP_RETRY_AFTER_MAX_S : (long)(when - now);
}

struct sink {
    struct o2c_http_response *res;
    size_t cap;
    bool too_large;
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n;
    if (s->res->body_len + len > O2C_HTTP_MAX_BODY) {
        s->too_large = true;
        return 0; /* aborts the transfer */
    }
    if (s->res->body_len + len + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->res->body_len + len + 1)
            cap *= 2;
        char *grown = realloc(s->res->body, cap);
        if (!grown)
            return 0;
        s->res->body = grown;
        s->cap = cap;
    }
    memcpy(s->res->body + s->res->body_len, data, len);
    s->res->body_len += len;
    s->res->body[s->res->body_len] = '\0';
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    struct o2c_http_response *res = arg;
    size_t len = size * n;
    char line[1200];
    size_t copy = len < sizeof line - 1 ? len : sizeof line - 1;
    memcpy(line, data, copy);
    line[copy] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    if (strncasecmp(line, "Location:", 9) == 0) {
        const char *v = line + 9;
        while (*v == ' ')
            v++;
        size_t keep = strlen(v) < sizeof res->location - 1 ? strlen(v) : sizeof res->location - 1;
        memcpy(res->location, v, keep);
        res->location[keep] = 0;
    } else if (strncasecmp(line, "Retry-After:", 12) == 0) {
        res->retry_after_s = o2c_http_parse_retry_after(line + 12, time(NULL));
    }
    return len;
}

int o2c_http_send(const struct o2c_http_request *req, struct o2c_http_response *res)
{
    memset(res, 0, sizeof *res);
    res->retry_after_s = -1;
    res->body = calloc(1, 1);
    if (!res->body) {
        snprintf(res->error, sizeof res->error, "out of memory");
        return -1;
    }
    if (!o2c_http_url_allowed(req->url, res->error, sizeof res->error)) {
        res->refused = true; /* nothing was sent: a configuration error, not a passing fault */
        return -1;
    }
    CURL *h = thread_handle();
    if (!h) {
        snprintf(res->error, sizeof res->error, "cannot create an HTTP client");
        return -1;
    }
    struct curl_slist *headers = NULL;
    for (const char *const *hd = req->headers; hd && *hd; hd++)
        headers = curl_slist_append(headers, *hd);
    headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */

    struct sink sink = {.res = res};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
    if (req->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    } else if (strcmp(req->method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, res);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 30000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "o2c/0.1");

    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    double seconds = 0;
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &seconds);
    res->elapsed_ms = (long)(seconds * 1000);
    if (rc != CURLE_OK) {
        res->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
        res->too_large = sink.too_large;
        if (sink.too_large)
            snprintf(res->error, sizeof res->error, "answer larger than %zu bytes", O2C_HTTP_MAX_BODY);
        else
            snprintf(res->error, sizeof res->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        res->status = 0;
        return -1;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
    return 0;
}

void o2c_http_response_free(struct o2c_http_response *res)
{
    free(res->body);
    res->body = NULL;
}
