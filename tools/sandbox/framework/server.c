/* The HTTP side of o2c-sandbox on libmicrohttpd: loopback only, a thread per connection (so
 * --latency-ms holds as many requests in flight as clients send), bodies collected up to a
 * limit, then the request flow of sandbox.h: concurrency gate, latency, fault, service. */
#include "tools/sandbox/framework/framework.h"
#include "tools/sandbox/framework/util_internal.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct conn_ctx {
    char *uri;          /* raw request target as sent: path and query, not percent-decoded */
    bool started;
    char *body;
    size_t len, cap;
    bool too_large;
} conn_ctx;

static const sb_options *g_opts;
static const sb_service *g_service;
static void *g_svc;
static char g_base_url[64];

static const char *header_of(const sb_request *req, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)req->framework, MHD_HEADER_KIND, name);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *connection)
{
    (void)cls;
    (void)connection;
    conn_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx)
        ctx->uri = strdup(uri ? uri : "/");
    return ctx;
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)connection;
    (void)code;
    conn_ctx *ctx = *con_cls;
    if (ctx) {
        free(ctx->uri);
        free(ctx->body);
        free(ctx);
    }
    *con_cls = NULL;
}

static bool append_body(conn_ctx *ctx, const char *data, size_t n)
{
    if (ctx->too_large || ctx->len + n > g_opts->max_body_bytes) {
        ctx->too_large = true; /* keep reading so the client gets an answer, not a reset */
        return true;
    }
    if (ctx->len + n + 1 > ctx->cap) {
        size_t cap = ctx->cap ? ctx->cap : 4096;
        while (cap < ctx->len + n + 1)
            cap *= 2;
        char *grown = realloc(ctx->body, cap);
        if (!grown)
            return false;
        ctx->body = grown;
        ctx->cap = cap;
    }
    memcpy(ctx->body + ctx->len, data, n);
    ctx->len += n;
    ctx->body[ctx->len] = '\0';
    return true;
}

static void free_response(sb_response *res)
{
    free(res->body);
    free(res->location);
    for (int i = 0; i < res->n_extra; i++)
        free(res->extra[i].value);
}

static enum MHD_Result send_response(struct MHD_Connection *connection, sb_response *res)
{
    if (res->status == 0) {
        free(res->body);
        res->body = NULL;
        sb_respond_text(res, 500, "application/json", "{\"error\":\"sandbox service gave no answer\"}");
    }
    size_t len = res->body ? (res->body_len ? res->body_len : strlen(res->body)) : 0;
    struct MHD_Response *r = res->body
        ? MHD_create_response_from_buffer(len, res->body, MHD_RESPMEM_MUST_FREE)
        : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free_response(res);
        return MHD_NO;
    }
    res->body = NULL; /* now owned by MHD */
    if (len)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                res->content_type ? res->content_type : "application/json");
    if (res->location)
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, res->location);
    if (res->retry_after > 0) {
        char secs[16];
        snprintf(secs, sizeof secs, "%d", res->retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    }
    for (int i = 0; i < res->n_extra; i++)
        MHD_add_response_header(r, res->extra[i].name, res->extra[i].value);
    enum MHD_Result ok = MHD_queue_response(connection, (unsigned)res->status, r);
    MHD_destroy_response(r);
    free_response(res);
    return ok;
}

static void framework_error(int status, const char *code, const char *message, sb_response *res)
{
    if (g_service->render_error) {
        g_service->render_error(g_svc, status, code, message, res);
        return;
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "error", json_object_new_string(message));
    json_object_object_add(body, "code", json_object_new_string(code));
    sb_respond_json(res, status, body);
    json_object_put(body);
}

static void control(const sb_request *req, sb_response *res)
{
    if (strcmp(req->path, "/_sandbox/stats") == 0 && strcmp(req->method, "GET") == 0) {
        json_object *out = sb_stats_json();
        json_object_object_add(out, "service", json_object_new_string(g_service->name));
        if (g_service->stats)
            g_service->stats(g_svc, out);
        sb_respond_json(res, 200, out);
        json_object_put(out);
    } else if (strcmp(req->path, "/_sandbox/reset-stats") == 0 && strcmp(req->method, "POST") == 0) {
        sb_stats_reset();
        sb_respond_text(res, 200, "application/json", "{\"ok\":true}");
    } else if (strcmp(req->path, "/_sandbox/seed") == 0 && strcmp(req->method, "GET") == 0) {
        json_object *seed = sb_seed_to_json(g_opts->seed);
        sb_respond_json(res, 200, seed);
        json_object_put(seed);
    } else if (strcmp(req->path, "/_sandbox/neighbour") == 0 && strcmp(req->method, "POST") == 0) {
        /* {"slots": N}: a neighbour's calls hold N of the account's concurrency limit. */
        json_object *body = json_tokener_parse(req->body ? req->body : ""), *slots = NULL;
        if (body && json_object_object_get_ex(body, "slots", &slots) && json_object_is_type(slots, json_type_int) &&
            json_object_get_int(slots) >= 0) {
            sb_stats_set_neighbour(json_object_get_int(slots));
            sb_respond_text(res, 200, "application/json", "{\"ok\":true}");
        } else {
            json_object *err = json_object_new_object();
            json_object_object_add(err, "error", json_object_new_string("want {\"slots\": N}, N >= 0"));
            sb_respond_json(res, 400, err);
            json_object_put(err);
        }
        json_object_put(body);
    } else if (strcmp(req->path, "/_sandbox/health") == 0) {
        sb_respond_text(res, 200, "application/json", "{\"ok\":true}");
    } else if (!g_service->control || !g_service->control(g_svc, req, res)) {
        json_object *body = json_object_new_object();
        json_object_object_add(body, "error", json_object_new_string("no such sandbox control path"));
        json_object_object_add(body, "path", json_object_new_string(req->path));
        sb_respond_json(res, 404, body);
        json_object_put(body);
    }
}

/* Returns false when the connection must be dropped without an answer (timeout fault). */
static bool api(const sb_request *req, bool too_large, sb_response *res)
{
    bool is_write = strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0;
    const char *op = g_service->classify ? g_service->classify(g_svc, req, &is_write) : NULL;
    bool injected = false;

    if (too_large) {
        framework_error(413, "INVALID_CONTENT", "The request body is too large.", res);
    } else if (!sb_stats_enter(g_service->concurrency_limited ? g_opts->concurrency_limit : 0)) {
        if (!g_service->render_fault || !g_service->render_fault(g_svc, SB_FAULT_CONCURRENCY, req, res))
            framework_error(429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded.", res);
        sb_stats_fault(SB_FAULT_CONCURRENCY);
    } else {
        sb_sleep_ms(g_opts->latency_ms);
        sb_fault_kind kind = sb_faults_draw(is_write);
        if (kind == SB_FAULT_SLOW) {
            /* A slow answer is still a normal answer: it holds its concurrency slot while it waits,
             * as a slow request does on the real service. */
            sb_stats_fault(kind);
            sb_sleep_ms(g_opts->slow_ms);
            kind = SB_FAULT_NONE;
        }
        if (kind == SB_FAULT_TIMEOUT) {
            sb_stats_fault(kind);
            sb_stats_request(op);
            sb_sleep_ms(g_opts->fault_timeout_ms);
            sb_stats_leave();
            return false;
        }
        if (kind != SB_FAULT_NONE && g_service->render_fault &&
            g_service->render_fault(g_svc, kind, req, res)) {
            sb_stats_fault(kind);
            injected = true;
        } else {
            const char *handled_op = g_service->handle(g_svc, req, res);
            if (handled_op)
                op = handled_op;
        }
        sb_stats_leave();
    }
    sb_stats_request(op);
    sb_stats_response(res->status, res->status == 429 && !injected);
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    conn_ctx *ctx = *con_cls;
    if (!ctx)
        return MHD_NO;
    if (!ctx->started) {
        ctx->started = true;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        bool ok = append_body(ctx, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return ok ? MHD_YES : MHD_NO;
    }

    char *query = strchr(ctx->uri, '?');
    if (query)
        *query++ = '\0';
    sb_request req = {
        .method = method,
        .path = ctx->uri,
        .query = query ? query : "",
        .body = ctx->body ? ctx->body : "",
        .body_len = ctx->len,
        .base_url = g_base_url,
        .header = header_of,
        .framework = connection,
    };
    sb_response res = {0};
    if (strncmp(req.path, "/_sandbox/", 10) == 0) {
        control(&req, &res);
    } else if (!api(&req, ctx->too_large, &res)) {
        free_response(&res);
        return MHD_NO;
    }
    return send_response(connection, &res);
}

int sb_server_run(const sb_options *opts, const sb_service *service, void *svc)
{
    g_opts = opts;
    g_service = service;
    g_svc = svc;
    sb_stats_init();

    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)opts->port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    snprintf(g_base_url, sizeof g_base_url, "http://127.0.0.1:%d", opts->port);

    /* Signals are taken by sigwait below; every thread MHD starts inherits the blocked mask. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    if (opts->threads <= 0)
        flags |= MHD_USE_THREAD_PER_CONNECTION;
    struct MHD_Daemon *daemon = MHD_start_daemon(
        flags, (uint16_t)opts->port, NULL, NULL, on_request, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(opts->threads > 0 ? opts->threads : 0),
        MHD_OPTION_END);
    if (!daemon) {
        fprintf(stderr, "o2c-sandbox: cannot listen on 127.0.0.1:%d\n", opts->port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    int port = info ? info->port : opts->port;
    snprintf(g_base_url, sizeof g_base_url, "http://127.0.0.1:%d", port);
    printf("listening on 127.0.0.1:%d\n", port);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    fprintf(stderr, "o2c-sandbox: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    sb_request_stop();
    MHD_stop_daemon(daemon);
    return 0;
}
