#include "tests/support/sandbox_client.h"
#include "connectors/common/oauth1.h"
#include "tests/support/harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int tsb_start(tsb_sandbox *sb, const char *service, const char *const *args)
{
    return tsb_start_logged(sb, service, args, NULL);
}

int tsb_start_logged(tsb_sandbox *sb, const char *service, const char *const *args, const char *log_path)
{
    pthread_once(&curl_once, curl_init);
    memset(sb, 0, sizeof *sb);
    char bin[512];
    tsup_bin("o2c-sandbox", bin, sizeof bin);
    if (log_path)
        snprintf(sb->log, sizeof sb->log, "%s", log_path);
    else
        snprintf(sb->log, sizeof sb->log, "/tmp/o2c-sandbox-test.%d.%ld.log", (int)getpid(), (long)time(NULL));
    int out[2];
    if (pipe(out) != 0)
        return -1;
    const char *argv[64] = {bin, service, "--port", "0"};
    int argc = 4;
    for (size_t i = 0; args && args[i] && argc < 62; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        int log = open(sb->log, O_WRONLY | O_CREAT | (log_path ? O_APPEND : O_TRUNC), 0644);
        if (log >= 0)
            dup2(log, STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    sb->pid = pid;
    char line[128] = "";
    size_t n = 0;
    struct pollfd pfd = {.fd = out[0], .events = POLLIN};
    while (n < sizeof line - 1 && !strchr(line, '\n')) {
        if (poll(&pfd, 1, 20000) <= 0)
            break;
        ssize_t got = read(out[0], line + n, sizeof line - 1 - n);
        if (got <= 0)
            break;
        n += (size_t)got;
        line[n] = '\0';
    }
    close(out[0]);
    if (sscanf(line, "listening on 127.0.0.1:%d", &sb->port) != 1) {
        fprintf(stderr, "sandbox did not start (output '%s'; see %s)\n", line, sb->log);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        sb->pid = 0;
        return -1;
    }
    snprintf(sb->base, sizeof sb->base, "http://127.0.0.1:%d", sb->port);
    return 0;
}

int tsb_stop(tsb_sandbox *sb)
{
    if (sb->pid <= 0)
        return -1;
    kill(sb->pid, SIGTERM);
    int status = 0;
    if (waitpid(sb->pid, &status, 0) < 0)
        return -1;
    sb->pid = 0;
    if (WIFEXITED(status)) {
        if (WEXITSTATUS(status) == 0)
            unlink(sb->log);
        return WEXITSTATUS(status);
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

bool tsb_alive(const tsb_sandbox *sb)
{
    return sb->pid > 0 && waitpid(sb->pid, NULL, WNOHANG) == 0;
}

/* ---- HTTP ---------------------------------------------------------------------------------- */

static _Thread_local CURL *thread_curl;

void tsb_thread_done(void)
{
    if (thread_curl)
        curl_easy_cleanup(thread_curl);
    thread_curl = NULL;
}

void tsb_response_free(tsb_response *r)
{
    free(r->body);
    r->body = NULL;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    tsb_response *r = ctx;
    size_t n = size * nmemb;
    char *grown = realloc(r->body, r->body_len + n + 1);
    if (!grown)
        return 0;
    r->body = grown;
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return n;
}

static void copy_header(const char *line, size_t n, const char *name, char *dst, size_t len)
{
    size_t nl = strlen(name);
    if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1;
    while (*v == ' ')
        v++;
    size_t vl = n - (size_t)(v - line);
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
        vl--;
    if (vl >= len)
        vl = len - 1;
    memcpy(dst, v, vl);
    dst[vl] = '\0';
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
    tsb_response *r = ctx;
    size_t n = size * nmemb;
    copy_header(data, n, "Location", r->location, sizeof r->location);
    copy_header(data, n, "Retry-After", r->retry_after, sizeof r->retry_after);
    copy_header(data, n, "Content-Type", r->content_type, sizeof r->content_type);
    return n;
}

int tsb_http(const char *method, const char *url, const char *const *headers, const char *body,
             size_t body_len, tsb_response *res)
{
    pthread_once(&curl_once, curl_init);
    memset(res, 0, sizeof *res);
    if (!thread_curl)
        thread_curl = curl_easy_init();
    CURL *c = thread_curl;
    if (!c)
        return -1;
    curl_easy_reset(c);
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    list = curl_slist_append(list, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, res);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, res);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    if (strcmp(method, "GET") == 0 && !body)
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(list);
    res->curl_error = (int)rc;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
    if (!res->body)
        res->body = calloc(1, 1);
    return rc == CURLE_OK ? 0 : -1;
}

int tsb_netsuite(const tsb_sandbox *sb, const char *method, const char *path_query, const char *body,
                 const char *const *extra_headers, tsb_response *res)
{
    return tsb_netsuite_raw(sb, method, path_query, body, body ? strlen(body) : 0, extra_headers, res);
}

int tsb_netsuite_raw(const tsb_sandbox *sb, const char *method, const char *path_query, const char *body,
                     size_t body_len, const char *const *extra_headers, tsb_response *res)
{
    char url[2048];
    snprintf(url, sizeof url, "%s%s", sb->base, path_query);
    o2c_oauth1_credentials cred = {
        .account_id = TSB_NS_ACCOUNT,
        .consumer_key = TSB_NS_CONSUMER_KEY, .consumer_secret = TSB_NS_CONSUMER_SECRET,
        .token_id = TSB_NS_TOKEN_ID, .token_secret = TSB_NS_TOKEN_SECRET,
    };
    char *auth = o2c_oauth1_authorization(&cred, method, url, NULL, 0);
    if (!auth)
        return -1;
    size_t len = strlen(auth) + 32;
    char *auth_header = malloc(len);
    snprintf(auth_header, len, "Authorization: %s", auth);
    const char *headers[16] = {auth_header, "Content-Type: application/json"};
    size_t n = 2;
    for (size_t i = 0; extra_headers && extra_headers[i] && n < 15; i++)
        headers[n++] = extra_headers[i];
    headers[n] = NULL;
    int rc = tsb_http(method, url, headers, body, body_len, res);
    free(auth_header);
    free(auth);
    return rc;
}

json_object *tsb_json(const tsb_response *res)
{
    if (!res->body || !res->body_len)
        return NULL;
    json_tokener *tok = json_tokener_new();
    json_object *o = json_tokener_parse_ex(tok, res->body, (int)res->body_len);
    if (json_tokener_get_error(tok) != json_tokener_success) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
    return o;
}

const char *tsb_ns_error_code(const tsb_response *res, char *buf, size_t len)
{
    buf[0] = '\0';
    json_object *o = tsb_json(res), *details, *code;
    if (o && json_object_object_get_ex(o, "o:errorDetails", &details) &&
        json_object_is_type(details, json_type_array) && json_object_array_length(details) > 0 &&
        json_object_object_get_ex(json_object_array_get_idx(details, 0), "o:errorCode", &code))
        snprintf(buf, len, "%s", json_object_get_string(code));
    json_object_put(o);
    return buf;
}

json_object *tsb_stats(const tsb_sandbox *sb)
{
    char url[128];
    snprintf(url, sizeof url, "%s/_sandbox/stats", sb->base);
    tsb_response r;
    json_object *o = tsb_http("GET", url, NULL, NULL, 0, &r) == 0 && r.status == 200 ? tsb_json(&r) : NULL;
    tsb_response_free(&r);
    return o;
}

json_object *tsb_member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

const char *tsb_str(json_object *o, const char *key)
{
    json_object *v = tsb_member(o, key);
    return v ? json_object_get_string(v) : "";
}

json_object *tsb_control(const tsb_sandbox *sb, const char *path, const char *body)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", sb->base, path);
    const char *h[] = {"Content-Type: application/json", NULL};
    tsb_response res;
    json_object *out = NULL;
    if (tsb_http("POST", url, h, body, body ? strlen(body) : 0, &res) == 0 && res.status / 100 == 2)
        out = tsb_json(&res);
    else
        fprintf(stderr, "control %s %s: %ld %s\n", path, body ? body : "", res.status, res.body ? res.body : "");
    tsb_response_free(&res);
    return out;
}

long tsb_sage200(const tsb_sandbox *sb, const char *method, const char *path_query, const char *body, tsb_response *res)
{
    char url[2048];
    snprintf(url, sizeof url, "%s%s", sb->base, path_query);
    const char *h[] = {"Authorization: Bearer " TSB_SAGE200_TOKEN, "X-Site: " TSB_SAGE200_SITE, "X-Company: " TSB_SAGE200_COMPANY,
                       "Content-Type: application/json", NULL};
    tsb_http(method, url, h, body, body ? strlen(body) : 0, res);
    return res->status;
}
