#include "connectors/common/http.h"

#include <curl/curl.h>
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

bool o2c_http_is_loopback(const char *url)
{
    const char *host = strstr(url, "://");
    if (!host)
        return false;
    host += 3;
    static const char *const loopback[] = {"127.", "localhost:", "localhost/", "[::1]"};
    for (size_t i = 0; i < sizeof loopback / sizeof loopback[0]; i++)
        if (strncmp(host, loopback[i], strlen(loopback[i])) == 0)
            return true;
    return strcmp(host, "localhost") == 0;
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
        char *end;
        long secs = strtol(line + 12, &end, 10);
        if (end != line + 12 && secs >= 0)
            res->retry_after_s = secs;
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
    if (strncmp(req->url, "https://", 8) != 0 && !(strncmp(req->url, "http://", 7) == 0 && o2c_http_is_loopback(req->url))) {
        snprintf(res->error, sizeof res->error, "refusing %s: only https, or plain http to a local sandbox", req->url);
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
