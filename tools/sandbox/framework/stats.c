/* The counters behind GET /_sandbox/stats: requests by operation, responses by status,
 * throttled answers, faults by kind, requests in flight and the most ever admitted at once.
 * One mutex: a handful of increments per request is far below what HTTP itself costs. */
#include "tools/sandbox/framework/framework.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MAX_OPS 128
#define MAX_STATUS 600

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct { char name[64]; long count; } ops[MAX_OPS];
static int n_ops;
static long by_status[MAX_STATUS];
static long faults[SB_FAULT_KIND_COUNT];
static long throttled, requests;
static int in_flight, max_in_flight;
static int neighbour_slots; /* calls another integration on the same account holds (POST /_sandbox/neighbour) */
static double started;

void sb_stats_init(void)
{
    started = sb_now();
}

bool sb_stats_enter(int limit)
{
    pthread_mutex_lock(&lock);
    bool admitted = limit <= 0 || in_flight + neighbour_slots < limit;
    if (admitted && ++in_flight > max_in_flight)
        max_in_flight = in_flight;
    pthread_mutex_unlock(&lock);
    return admitted;
}

void sb_stats_set_neighbour(int slots)
{
    pthread_mutex_lock(&lock);
    neighbour_slots = slots < 0 ? 0 : slots;
    pthread_mutex_unlock(&lock);
}

void sb_stats_leave(void)
{
    pthread_mutex_lock(&lock);
    in_flight--;
    pthread_mutex_unlock(&lock);
}

void sb_stats_request(const char *operation)
{
    if (!operation)
        operation = "unknown";
    pthread_mutex_lock(&lock);
    requests++;
    int i;
    for (i = 0; i < n_ops; i++)
        if (strcmp(ops[i].name, operation) == 0)
            break;
    if (i == n_ops && n_ops < MAX_OPS) {
        strncpy(ops[i].name, operation, sizeof ops[i].name - 1);
        n_ops++;
    }
    if (i < n_ops)
        ops[i].count++;
    pthread_mutex_unlock(&lock);
}

void sb_stats_response(int status, bool was_throttled)
{
    pthread_mutex_lock(&lock);
    if (status >= 0 && status < MAX_STATUS)
        by_status[status]++;
    if (was_throttled)
        throttled++;
    pthread_mutex_unlock(&lock);
}

void sb_stats_fault(sb_fault_kind kind)
{
    pthread_mutex_lock(&lock);
    if (kind > SB_FAULT_NONE && kind < SB_FAULT_KIND_COUNT)
        faults[kind]++;
    pthread_mutex_unlock(&lock);
}

json_object *sb_stats_json(void)
{
    json_object *out = json_object_new_object();
    json_object *req = json_object_new_object();
    json_object *resp = json_object_new_object();
    json_object *flt = json_object_new_object();
    pthread_mutex_lock(&lock);
    for (int i = 0; i < n_ops; i++)
        json_object_object_add(req, ops[i].name, json_object_new_int64(ops[i].count));
    for (int s = 0; s < MAX_STATUS; s++) {
        if (!by_status[s])
            continue;
        char key[16];
        snprintf(key, sizeof key, "%d", s);
        json_object_object_add(resp, key, json_object_new_int64(by_status[s]));
    }
    for (int k = SB_FAULT_NONE + 1; k < SB_FAULT_KIND_COUNT; k++)
        json_object_object_add(flt, sb_fault_name((sb_fault_kind)k), json_object_new_int64(faults[k]));
    json_object_object_add(out, "requests_total", json_object_new_int64(requests));
    json_object_object_add(out, "requests_by_operation", req);
    json_object_object_add(out, "responses_by_status", resp);
    json_object_object_add(out, "throttled", json_object_new_int64(throttled));
    json_object_object_add(out, "faults_injected", flt);
    json_object_object_add(out, "in_flight", json_object_new_int(in_flight));
    json_object_object_add(out, "max_concurrency", json_object_new_int(max_in_flight));
    json_object_object_add(out, "neighbour_slots", json_object_new_int(neighbour_slots));
    pthread_mutex_unlock(&lock);
    json_object_object_add(out, "uptime_seconds", json_object_new_int64((int64_t)(sb_now() - started)));
    return out;
}

void sb_stats_reset(void)
{
    pthread_mutex_lock(&lock);
    memset(ops, 0, sizeof ops);
    n_ops = 0;
    memset(by_status, 0, sizeof by_status);
    memset(faults, 0, sizeof faults);
    throttled = requests = 0;
    max_in_flight = in_flight;
    pthread_mutex_unlock(&lock);
}
