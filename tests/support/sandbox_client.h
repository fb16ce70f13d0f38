/* For tests that talk to a real o2c-sandbox over HTTP: start one on a free port, stop it (its
 * exit status tells whether it shut down cleanly, sanitizers included), and a small libcurl
 * client, with a NetSuite flavour that signs each request with token-based auth. */
#ifndef O2C_TESTS_SANDBOX_CLIENT_H
#define O2C_TESTS_SANDBOX_CLIENT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct tsb_sandbox {
    pid_t pid;
    int port;
    char base[64];      /* "http://127.0.0.1:PORT" */
    char log[256];      /* the sandbox's stderr */
} tsb_sandbox;

/* Starts `o2c-sandbox <service> --port 0 <args…>` (args NULL-terminated, may be NULL) and waits
 * for its "listening on" line. Returns 0, or -1 with a message on stderr. */
int tsb_start(tsb_sandbox *sb, const char *service, const char *const *args);
/* The same, with the sandbox's stderr appended to log_path instead of a file of its own. */
int tsb_start_logged(tsb_sandbox *sb, const char *service, const char *const *args, const char *log_path);
/* SIGTERM and wait: returns the exit status (0 = clean), 128+signal, or -1. */
int tsb_stop(tsb_sandbox *sb);
/* True while the process runs. */
bool tsb_alive(const tsb_sandbox *sb);

typedef struct tsb_response {
    long status;          /* 0 when no HTTP answer came (connection dropped) */
    char *body;           /* NUL-terminated, malloc'd ("" when empty) */
    size_t body_len;
    char location[512];
    char retry_after[32];
    char content_type[128];
    int curl_error;       /* CURLcode */
} tsb_response;

void tsb_response_free(tsb_response *r);
/* One request. headers: NULL-terminated "Name: value" strings, may be NULL. Each thread keeps
 * its own connection (keep-alive); call tsb_thread_done() before a thread ends. */
int tsb_http(const char *method, const char *url, const char *const *headers, const char *body,
             size_t body_len, tsb_response *res);
void tsb_thread_done(void);

/* NetSuite credentials the sandbox runs with by default (see tools/sandbox/README.md). */
#define TSB_NS_ACCOUNT "1234567-sb1"
#define TSB_NS_CONSUMER_KEY "sandbox-consumer-key"
#define TSB_NS_CONSUMER_SECRET "sandbox-consumer-secret"
#define TSB_NS_TOKEN_ID "sandbox-token-id"
#define TSB_NS_TOKEN_SECRET "sandbox-token-secret"

/* A signed NetSuite request: path_query like "/services/rest/record/v1/customer/501?x=1";
 * body NULL for none; extra headers may be NULL. */
int tsb_netsuite(const tsb_sandbox *sb, const char *method, const char *path_query, const char *body,
                 const char *const *extra_headers, tsb_response *res);
/* The same with a body of explicit length (may hold NUL bytes or invalid UTF-8). */
int tsb_netsuite_raw(const tsb_sandbox *sb, const char *method, const char *path_query, const char *body,
                     size_t body_len, const char *const *extra_headers, tsb_response *res);
/* Parses a response body as JSON (NULL when it is not). */
json_object *tsb_json(const tsb_response *res);
/* The o:errorCode of a NetSuite error body, or "" when there is none. Copies into buf. */
const char *tsb_ns_error_code(const tsb_response *res, char *buf, size_t len);
/* o.key, or NULL when o is not an object or has no such key (never crashes on a bad answer). */
json_object *tsb_member(json_object *o, const char *key);
/* o.key as text, or "" when absent. */
const char *tsb_str(json_object *o, const char *key);
/* Sage 200 credentials the sandbox runs with by default (tools/sandbox/sage200/sage200.h). */
#define TSB_SAGE200_TOKEN "sandbox-sage200-token"
#define TSB_SAGE200_SITE "sandbox-site"
#define TSB_SAGE200_COMPANY "1"

/* A Sage 200 request with the sandbox's credentials: path_query like "/customers?%24top=1"; body
 * NULL for none. Returns the HTTP status (0 when no answer came); *res to be freed. */
long tsb_sage200(const tsb_sandbox *sb, const char *method, const char *path_query, const char *body, tsb_response *res);

/* POSTs a JSON body (may be NULL) to a control path ("/_sandbox/…"); the parsed answer of a 2xx
 * (caller puts), else NULL with the answer on stderr. */
json_object *tsb_control(const tsb_sandbox *sb, const char *path, const char *body);
/* GET /_sandbox/stats as JSON (NULL on failure). */
json_object *tsb_stats(const tsb_sandbox *sb);

#endif
