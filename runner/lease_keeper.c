#include "runner/lease_keeper.h"

#include "runner/db.h"
#include "runner/log.h"
#include "runner/metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct held {
    int64_t id, token;
};

/* A lease a renewal found taken while the claim loop still held it. */
struct suspect {
    int64_t id, token;
    bool reported;
};

struct o2c_lease_keeper {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    o2c_db *db;
    char runner_id[160];
    int lease_seconds;
    struct held *held;
    size_t n, cap;
    struct suspect *suspects; /* the last renewal's, kept under lock */
    size_t nsuspects;
    long lost;
};

static bool holds(const o2c_lease_keeper *k, int64_t id, int64_t token)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->held[i].id == id && k->held[i].token == token)
            return true;
    return false;
}

static const struct suspect *find_suspect(const struct suspect *list, size_t n, int64_t id, int64_t token)
{
    for (size_t i = 0; i < n; i++)
        if (list[i].id == id && list[i].token == token)
            return &list[i];
    return NULL;
}

/* The renewal's answer is the ids whose lease is no longer this runner's. A step whose result the
 * claim loop has just committed is among them until the loop lets it go, a moment later: that is
 * no loss. So an id counts as lost only when the loop still holds it under the same token in two
 * renewals running, and it is reported once. A lease truly lost stays so until the step's result
 * is refused, which the claim loop logs as well. Returns the ids newly reported, "{...}", or NULL
 * when none (the caller frees it). */
static char *confirm_lost(o2c_lease_keeper *k, const struct held *copy, size_t n, const char *answer)
{
    size_t cap = 0, count = 0;
    struct suspect *next = NULL;
    char *reported = NULL;
    size_t used = 0, room = 0;
    pthread_mutex_lock(&k->lock);
    for (const char *p = answer; *p;) {
        if (*p < '0' || *p > '9') {
            p++;
            continue;
        }
        char *end;
        int64_t id = strtoll(p, &end, 10);
        p = end;
        int64_t token = 0;
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            if (copy[i].id == id)
                token = copy[i].token, known = true;
        if (!known || !holds(k, id, token))
            continue; /* let go meanwhile: its result was taken */
        const struct suspect *before = find_suspect(k->suspects, k->nsuspects, id, token);
        if (count == cap) {
            cap = cap ? cap * 2 : 8;
            struct suspect *grown = realloc(next, cap * sizeof *grown);
            if (!grown)
                abort();
            next = grown;
        }
        next[count++] = (struct suspect){id, token, before != NULL};
        if (before && !before->reported) {
            if (used + 24 >= room) { /* room for an id, its comma, and the closing brace */
                room = room ? room * 2 : 256;
                char *grown = realloc(reported, room);
                if (!grown)
                    abort();
                reported = grown;
            }
            used += (size_t)snprintf(reported + used, room - used, "%s%" PRId64, used ? "," : "{", id);
        }
    }
    free(k->suspects);
    k->suspects = next;
    k->nsuspects = count;
    if (used) {
        k->lost++;
        reported[used++] = '}';
        reported[used] = '\0';
    }
    pthread_mutex_unlock(&k->lock);
    return reported;
}

/* Renews every lease held now; the steps whose lease another runner has taken are logged. */
static void renew(o2c_lease_keeper *k, struct held *copy, size_t n)
{
    if (n == 0)
        return;
    char *ids = malloc(n * 24 + 3), *tokens = malloc(n * 24 + 3);
    if (!ids || !tokens)
        abort();
    size_t ni = 1, nt = 1;
    ids[0] = tokens[0] = '{';
    for (size_t i = 0; i < n; i++) {
        ni += (size_t)sprintf(ids + ni, "%s%" PRId64, i ? "," : "", copy[i].id);
        nt += (size_t)sprintf(tokens + nt, "%s%" PRId64, i ? "," : "", copy[i].token);
    }
    memcpy(ids + ni, "}", 2);
    memcpy(tokens + nt, "}", 2);
    char lease[16];
    snprintf(lease, sizeof lease, "%d", k->lease_seconds);
    const char *params[] = {k->runner_id, ids, tokens, lease};
    PGresult *res = o2c_db_run(k->db, "step", "renew_leases", 4, params);
    free(ids);
    free(tokens);
    if (!res) {
        o2c_logf(O2C_LOG_ERROR, "renewing leases failed: %s", o2c_db_error(k->db));
        if (o2c_db_broken(k->db))
            o2c_db_reset(k->db);
        return;
    }
    char *lost = confirm_lost(k, copy, n, PQgetvalue(res, 0, 0));
    PQclear(res);
    if (lost) {
        json_object *f = json_object_new_object();
        json_object_object_add(f, "workflow_ids", json_object_new_string(lost));
        o2c_log(O2C_LOG_WARN, "leases lost while steps were running; their results will be refused", f);
        atomic_fetch_add(&o2c_metrics.leases_lost, 1);
        free(lost);
    }
}

static void *run(void *arg)
{
    o2c_lease_keeper *k = arg;
    long every_ms = k->lease_seconds * 1000L / 3;
    if (every_ms < 200)
        every_ms = 200;
    pthread_mutex_lock(&k->lock);
    while (!k->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += every_ms / 1000;
        until.tv_nsec += (every_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!k->stopping && pthread_cond_timedwait(&k->wake, &k->lock, &until) != ETIMEDOUT)
            ;
        if (k->stopping)
            break;
        size_t n = k->n;
        struct held *copy = n ? malloc(n * sizeof *copy) : NULL;
        if (n && !copy)
            abort();
        if (n)
            memcpy(copy, k->held, n * sizeof *copy);
        pthread_mutex_unlock(&k->lock);
        renew(k, copy, n);
        free(copy);
        pthread_mutex_lock(&k->lock);
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

o2c_lease_keeper *o2c_lease_keeper_start(const char *conninfo, const char *runner_id, int lease_seconds,
                                         char *err, size_t errlen)
{
    o2c_lease_keeper *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    k->db = o2c_db_connect(conninfo, err, errlen);
    if (!k->db) {
        free(k);
        return NULL;
    }
    snprintf(k->runner_id, sizeof k->runner_id, "%s", runner_id);
    k->lease_seconds = lease_seconds;
    pthread_mutex_init(&k->lock, NULL);
    pthread_cond_init(&k->wake, NULL);
    if (pthread_create(&k->thread, NULL, run, k) != 0) {
        snprintf(err, errlen, "cannot start the lease keeper's thread");
        o2c_db_close(k->db);
        free(k);
        return NULL;
    }
    return k;
}

void o2c_lease_keeper_hold(o2c_lease_keeper *k, int64_t workflow_id, int64_t lease_token)
{
    pthread_mutex_lock(&k->lock);
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 64;
        struct held *grown = realloc(k->held, cap * sizeof *grown);
        if (!grown)
            abort();
        k->held = grown;
        k->cap = cap;
    }
    k->held[k->n++] = (struct held){workflow_id, lease_token};
    pthread_mutex_unlock(&k->lock);
}

void o2c_lease_keeper_release(o2c_lease_keeper *k, int64_t workflow_id)
{
    pthread_mutex_lock(&k->lock);
    for (size_t i = 0; i < k->n; i++)
        if (k->held[i].id == workflow_id) {
            k->held[i] = k->held[--k->n];
            break;
        }
    pthread_mutex_unlock(&k->lock);
}

long o2c_lease_keeper_lost(o2c_lease_keeper *k)
{
    pthread_mutex_lock(&k->lock);
    long lost = k->lost;
    pthread_mutex_unlock(&k->lock);
    return lost;
}

void o2c_lease_keeper_stop(o2c_lease_keeper *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&k->lock);
    k->stopping = true;
    pthread_cond_signal(&k->wake);
    pthread_mutex_unlock(&k->lock);
    pthread_join(k->thread, NULL);
    o2c_db_close(k->db);
    pthread_cond_destroy(&k->wake);
    pthread_mutex_destroy(&k->lock);
    free(k->held);
    free(k->suspects);
    free(k);
}
