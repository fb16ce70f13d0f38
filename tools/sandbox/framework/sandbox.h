/* o2c-sandbox: the contract between the HTTP framework (main.c, server.c, faults.c, stats.c) and
 * the services it hosts (netsuite, centra). The framework owns sockets, threads, latency, fault
 * decisions, statistics and /_sandbox/stats; a service owns its records, its auth, its error shape
 * and its own /_sandbox/<...> control paths. This header only grows: fields and hooks are added,
 * never changed, so services written against it keep compiling.
 *
 * Request flow for an API path (anything not under /_sandbox/):
 *   classify → concurrency gate (if the service asks for one) → latency → fault decision →
 *   render_fault (if a fault was drawn) or handle → response. A "slow" fault only waits before
 *   handle, so every service has it without doing anything. Control paths skip all of that. */
#ifndef O2C_SANDBOX_H
#define O2C_SANDBOX_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/sandbox/framework/seed.h"

/* ---- options (parsed by main.c from flags and environment) ---------------------------------- */

/* Fault rates as probabilities in [0,1]; their sum must be ≤ 1. */
typedef struct sb_fault_rates {
    double http429;   /* "429": the service's throttling answer (with Retry-After where it sends one) */
    double http503;   /* "503": service unavailable, the service's error body */
    double timeout;   /* "timeout": hold fault_timeout_ms, then drop the connection unanswered */
    double lock;      /* "lock": record lock / edit conflict; drawn only for writes */
    double malformed; /* "malformed": 200 with a truncated, invalid JSON body */
    double slow;      /* "slow": held slow_ms, then answered normally (not an error) */
} sb_fault_rates;

typedef struct sb_options {
    const char *service;       /* "netsuite" | "centra" */
    int port;                  /* 0 = pick a free one */
    const char *seed_path;     /* NULL = built-in catalogue */
    int latency_ms;            /* added to every API request */
    sb_fault_rates faults;
    uint64_t random_seed;      /* makes the sequence of fault decisions reproducible */
    bool random_seed_set;
    int fault_timeout_ms;      /* how long a "timeout" fault holds the request (default 30000) */
    int concurrency_limit;     /* in-flight API requests admitted (default 15; 0 = unlimited) */
    int rate_10s;              /* Centra: requests per 10 s (default 60) */
    int rate_hour;             /* Centra: requests per hour (default 5000) */
    int mutation_rate_10s;     /* Centra: mutations per 10 s (default 20) */
    size_t max_body_bytes;     /* larger request bodies are refused (default 10 MiB) */
    int threads;               /* 0 = thread per connection */
    /* Credentials: flags win over the environment (same variable names the connectors read). */
    const char *netsuite_account;         /* NETSUITE_ACCOUNT, e.g. "1234567-sb1" */
    const char *netsuite_consumer_key;    /* NETSUITE_CONSUMER_KEY */
    const char *netsuite_consumer_secret; /* NETSUITE_CONSUMER_SECRET */
    const char *netsuite_token_id;        /* NETSUITE_TOKEN_ID */
    const char *netsuite_token_secret;    /* NETSUITE_TOKEN_SECRET */
    const char *centra_token;             /* CENTRA_TOKEN */
    const sb_seed *seed;       /* the loaded catalogue, shared read-only by every service */
    int slow_ms;               /* how long a "slow" fault holds the request (default 3000) */
} sb_options;

/* ---- one HTTP exchange --------------------------------------------------------------------- */

typedef struct sb_request {
    const char *method;       /* "GET", "POST", ... */
    const char *path;         /* URL path without the query, percent-decoding NOT applied */
    const char *query;        /* raw query string without '?', "" when none */
    const char *body;         /* NUL-terminated copy of the body ("" when none) */
    size_t body_len;          /* bytes received; the body may contain NUL bytes */
    const char *base_url;     /* "http://127.0.0.1:PORT", for Location headers and links */
    /* Case-insensitive header lookup; NULL when absent. */
    const char *(*header)(const struct sb_request *req, const char *name);
    void *framework;          /* private to the framework */
} sb_request;

/* Query-string helper: copies the percent-decoded value of NAME into buf; false when absent. */
bool sb_query_param(const sb_request *req, const char *name, char *buf, size_t len);

#define SB_MAX_EXTRA_HEADERS 8

typedef struct sb_response {
    int status;                 /* 0 means "not answered" (framework sends 500) */
    const char *content_type;   /* static string; NULL = "application/json" when a body is set */
    char *body;                 /* malloc'd; the framework frees it; NULL = empty body */
    size_t body_len;            /* 0 with a non-NULL body means strlen(body) */
    char *location;             /* malloc'd or NULL: Location header */
    int retry_after;            /* seconds; > 0 adds Retry-After */
    struct { const char *name; char *value; } extra[SB_MAX_EXTRA_HEADERS]; /* value malloc'd */
    int n_extra;
} sb_response;

/* Response helpers (all copy their inputs). */
void sb_respond_json(sb_response *res, int status, json_object *body);  /* body not consumed */
void sb_respond_text(sb_response *res, int status, const char *content_type, const char *text);
void sb_respond_empty(sb_response *res, int status);
void sb_response_add_header(sb_response *res, const char *name, const char *value);

/* ---- faults --------------------------------------------------------------------------------- */

typedef enum sb_fault_kind {
    SB_FAULT_NONE = 0,
    SB_FAULT_429,
    SB_FAULT_503,
    SB_FAULT_TIMEOUT,       /* never passed to render_fault: the framework drops the connection */
    SB_FAULT_LOCK,
    SB_FAULT_MALFORMED,
    SB_FAULT_CONCURRENCY,   /* not random: the concurrency gate refused the request */
    SB_FAULT_SLOW,          /* never passed to render_fault: the framework waits, then handles */
    SB_FAULT_KIND_COUNT
} sb_fault_kind;

const char *sb_fault_name(sb_fault_kind kind); /* "429", "503", "timeout", "lock", ... */

/* ---- a hosted service ------------------------------------------------------------------------ */

typedef struct sb_service {
    const char *name;
    /* Builds the service state from the options (and opts->seed). NULL + message in err on failure. */
    void *(*create)(const sb_options *opts, char *err, size_t errlen);
    /* Optional. Names the operation before it runs ("salesOrder.create") and says whether it
     * writes (a "lock" fault is drawn only for writes). NULL hook: op comes from handle, and
     * every method but GET/HEAD counts as a write. Must not fail; "unknown" is a fine answer. */
    const char *(*classify)(void *svc, const sb_request *req, bool *is_write);
    /* Answers an API request. Called concurrently from many threads. Returns the operation
     * name for stats (static string). */
    const char *(*handle)(void *svc, const sb_request *req, sb_response *res);
    /* Answers /_sandbox/<...> paths the framework does not own. False = unknown path (404). */
    bool (*control)(void *svc, const sb_request *req, sb_response *res);
    /* Adds the service's own figures to the stats object (records by type, duplicates, ...). */
    void (*stats)(void *svc, json_object *out);
    /* Renders a fault in the service's own error shape. False = does not apply to this request
     * (the request then runs normally and the fault is not counted). */
    bool (*render_fault)(void *svc, sb_fault_kind kind, const sb_request *req, sb_response *res);
    /* Renders a framework-level error (body too large, no such path) in the service's shape. */
    void (*render_error)(void *svc, int status, const char *code, const char *message,
                         sb_response *res);
    void (*destroy)(void *svc);
    /* True: the framework enforces opts->concurrency_limit on API requests (NetSuite). */
    bool concurrency_limited;
    /* GraphQL services: the schema's SDL, printed by `o2c-sandbox <service> --print-schema`
     * (graphql-js builds it in the conformance test). NULL for other services. */
    const char *schema_sdl;
} sb_service;

/* The registry (services.c). NULL-terminated. */
extern const sb_service *const sb_services[];
const sb_service *sb_find_service(const char *name);

/* Declaring a service that is not linked in is harmless; only services.c's table refers to them. */
extern const sb_service sb_netsuite_service;
extern const sb_service sb_centra_service;
extern const sb_service sb_sage200_service;

/* ---- small shared helpers (util.c) ------------------------------------------------------------ */

/* Parses a JSON body; NULL when it is not valid JSON or not valid UTF-8. */
json_object *sb_parse_json(const char *body, size_t len);
/* Seconds since the epoch with microseconds, and an ISO-8601 UTC rendering of a time. */
double sb_now(void);
void sb_iso8601(double t, char *buf, size_t len); /* "2026-11-23T10:01:06Z" */
/* Parses "2026-11-23T10:01:06Z", "2026-11-23 10:01:06" or "2026-11-23"; -1 when invalid. */
double sb_parse_time(const char *s);
/* Uniform random number in [0,1) from the process-wide generator seeded by --random-seed
 * (thread-safe; shared with fault decisions, so use it only where reproducibility is not needed
 * or the call order is deterministic). */
double sb_random(void);
uint64_t sb_random_u64(void);
char *sb_strdup(const char *s); /* NULL in → NULL out; aborts on out-of-memory */
/* Percent-decodes n bytes of `in` ('+' stays '+') into out (NUL-terminated); false when the
 * result does not fit or an escape is broken. */
bool sb_url_decode(const char *in, size_t n, char *out, size_t outlen);
/* Sleeps, but returns early (false) when the sandbox is shutting down. */
bool sb_sleep_ms(int ms);

#endif
