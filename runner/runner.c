#include "runner/runner.h"
#include "runner/sql_actions.h"

#include "runner/action.h"
#include "runner/chain.h"
#include "runner/clock.h"
#include "runner/completion.h"
#include "runner/connections.h"
#include "runner/db.h"
#include "runner/lease_keeper.h"
#include "runner/log.h"
#include "runner/metrics.h"
#include "runner/wake.h"
#include "runner/workers.h"
#include "runner/workflow_states.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct runner {
    const struct o2c_runner_options *opt;
    o2c_db *db;
    o2c_workers *workers;
    o2c_connections *connections;
    int wake_fd;
    char id[160];
    char lanes[512];             /* PostgreSQL array literal, "" = all lanes */
    struct o2c_step **inflight;  /* submitted to the workers, or queued behind a step that was */
    int ninflight;
    int nwaiting;                /* of those, queued behind another step's call (runner/workers.h) */
    char *relays;                /* o2c.claim's p_relays, built per claim (room for every step held) */
    struct o2c_step **finished;  /* ran, not yet committed */
    int nfinished;
    int finished_cap;
    long claims;
    int claim_failures;          /* in a row; a claim that keeps failing is not a passing fault */
    bool more;                   /* the last claim was full: more work is probably due */
    int64_t next_poll_ms;        /* monotonic ms */
    o2c_lease_keeper *keeper;    /* renews the leases of every step held, from its own thread */
    int64_t next_schedule_ms;    /* when to look for due schedules again */
    int64_t completed, refused;
    int64_t queued_on_slot;      /* steps queued behind a call on its slot (o2c.claim's "follows") */
    o2c_workflow_states *states; /* the workflow versions met so far, for chains */
    struct o2c_chain_scope chain;
};

void o2c_runner_defaults(struct o2c_runner_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->concurrency = 16;
    opt->batch = 200;
    opt->lease_seconds = 30;
    opt->poll_ms = 1000;
    opt->idle_horizon_seconds = 60;
    opt->fair_every = 8;
    opt->metrics_port = -1;
    opt->db_wait_seconds = 60;
    opt->chain_max = 16;
}

/* The text columns of a claimed row that a step keeps, in the order they are laid out in its
 * one block of strings (a NULL column reads as ""). */
enum { CLAIM_TEXT_COLUMNS = 8 };
static const int claim_text_column[CLAIM_TEXT_COLUMNS] = {2, 4, 5, 6, 8, 9, 10, 11};

/* Copies row `row`'s text columns into one allocation (one malloc per step rather than eight:
 * the copies were the largest part of the runner's own time per step) and points the step's
 * fields into it. */
static void take_strings(struct o2c_step *s, const PGresult *res, int row)
{
    size_t len[CLAIM_TEXT_COLUMNS], total = 0;
    for (int c = 0; c < CLAIM_TEXT_COLUMNS; c++) {
        len[c] = PQgetisnull(res, row, claim_text_column[c]) ? 0 : (size_t)PQgetlength(res, row, claim_text_column[c]);
        total += len[c] + 1;
    }
    char *block = malloc(total);
    if (!block)
        abort();
    char *at = block;
    char *field[CLAIM_TEXT_COLUMNS];
    for (int c = 0; c < CLAIM_TEXT_COLUMNS; c++) {
        memcpy(at, PQgetvalue(res, row, claim_text_column[c]), len[c]);
        at[len[c]] = '\0';
        field[c] = at;
        at += len[c] + 1;
    }
    s->claimed_strings = block;
    s->workflow = field[0];
    s->state = field[1];
    s->action = field[2];
    s->business_key = field[3];
    s->context_json = field[4];
    s->connection = field[5];
    s->lane = field[6];
    s->params_json = field[7];
}

static json_object *step_fields(const struct o2c_step *s)
{
    json_object *f = json_object_new_object();
    json_object_object_add(f, "workflow_id", json_object_new_int64(s->workflow_id));
    json_object_object_add(f, "workflow", json_object_new_string(s->workflow));
    json_object_object_add(f, "state", json_object_new_string(s->state));
    json_object_object_add(f, "action", json_object_new_string(s->action));
    if (s->connection[0])
        json_object_object_add(f, "connection", json_object_new_string(s->connection));
    json_object_object_add(f, "attempt", json_object_new_int(s->attempt));
    return f;
}

static bool reconnect(struct runner *r)
{
    o2c_log(O2C_LOG_WARN, "database connection lost; reconnecting", NULL);
    for (int tries = 0; tries < 60; tries++) {
        if (o2c_db_reset(r->db) == 0) {
            PGresult *res = o2c_db_run(r->db, "step", "listen", 0, NULL);
            if (res) {
                PQclear(res);
                o2c_log(O2C_LOG_INFO, "database connection restored", NULL);
                return true;
            }
        }
        sleep(1);
    }
    return false;
}

/* Runs a step whose action is quick (and on through the local states after it: runner/chain.h),
 * or reports the missing action, into r->finished. */
static void finish_inline(struct runner *r, struct o2c_step *s)
{
    if (s->impl) {
        if (s->impl->sql)
            o2c_sql_action_run(r->db, s);
        else
            o2c_run_action(s);
        o2c_chain_run_on(&r->chain, s);
    } else {
        o2c_outcome_clear(&s->outcome);
        if (o2c_action_find(s->action))
            o2c_outcome_failed(&s->outcome, O2C_FAIL_WORKFLOW_ERROR, "state \"%s\" of %s names connection \"%s\", which is not in o2c.connection",
                               s->state, s->workflow, s->connection);
        else
            o2c_outcome_failed(&s->outcome, O2C_FAIL_WORKFLOW_ERROR, "this runner has no action named \"%s\" (state \"%s\" of %s)", s->action,
                               s->state, s->workflow);
    }
    r->finished[r->nfinished++] = s;
}

/* Parameters of a claim of `want` steps; the strings live in `buf`. */
struct claim_params {
    char limit[16], lease[16];
    const char *values[6];
};

/* Writes into r->relays the steps running on a connection that have no step queued behind them
 * yet, as an array literal: for each, o2c.claim may hand out the step to run on its slot next
 * (and for each call the claim itself starts). */
static const char *relay_candidates(struct runner *r)
{
    char *at = r->relays;
    *at++ = '{';
    for (int i = 0; i < r->ninflight; i++) {
        const struct o2c_step *s = r->inflight[i];
        if (s->connection[0] && !s->follower && !s->waiting)
            at += sprintf(at, "%s%" PRId64, at[-1] == '{' ? "" : ",", s->workflow_id);
    }
    *at++ = '}';
    *at = '\0';
    return r->relays;
}

static void claim_params(struct runner *r, int want, struct claim_params *p)
{
    snprintf(p->limit, sizeof p->limit, "%d", want);
    snprintf(p->lease, sizeof p->lease, "%d", r->opt->lease_seconds);
    r->claims++;
    bool fair = r->opt->fair_every > 0 && r->claims % r->opt->fair_every == 0;
    p->values[0] = r->id;
    p->values[1] = p->limit;
    p->values[2] = p->lease;
    p->values[3] = r->lanes[0] ? r->lanes : NULL;
    p->values[4] = fair ? "t" : "f";
    p->values[5] = relay_candidates(r);
    atomic_fetch_add(&o2c_metrics.claims, 1);
}

static struct o2c_step *find_inflight(const struct runner *r, int64_t workflow_id)
{
    for (int i = 0; i < r->ninflight; i++)
        if (r->inflight[i]->workflow_id == workflow_id)
            return r->inflight[i];
    return NULL;
}

/* Takes the claimed rows. Every one is held by the lease keeper first, and the calls go to the
 * workers (or behind the call whose slot they take) before any quick action runs on this thread:
 * a slow SQL action must not keep the rows after it from having their leases renewed, nor their
 * calls from starting. */
static int take_claimed(struct runner *r, PGresult *res)
{
    int rows = PQntuples(res);
    int64_t t = o2c_monotonic_ms();
    atomic_fetch_add(&o2c_metrics.claimed, rows);
    struct o2c_step **taken = calloc((size_t)(rows > 0 ? rows : 1), sizeof *taken);
    if (!taken)
        abort();
    for (int i = 0; i < rows; i++) {
        struct o2c_step *s = calloc(1, sizeof *s);
        if (!s)
            abort();
        s->workflow_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        s->lease_token = strtoll(PQgetvalue(res, i, 1), NULL, 10);
        take_strings(s, res, i);
        s->version = atoi(PQgetvalue(res, i, 3));
        s->attempt = atoi(PQgetvalue(res, i, 7));
        s->outcome.delay_ms = -1;
        o2c_lease_keeper_hold(r->keeper, s->workflow_id, s->lease_token);
        s->impl = o2c_action_find(s->action);
        if (o2c_connections_attach(r->connections, r->db, s) != 0)
            s->impl = NULL; /* reported as a workflow error below */
        s->renewed.tv_sec = t / 1000;
        s->renewed.tv_nsec = (t % 1000) * 1000000;
        if (o2c_log_enabled(O2C_LOG_DEBUG))
            o2c_log(O2C_LOG_DEBUG, "claimed", step_fields(s));
        taken[i] = s;
    }
    for (int i = 0; i < rows; i++) {
        struct o2c_step *s = taken[i];
        if (!s->impl || s->impl->quick)
            continue;
        r->inflight[r->ninflight++] = s;
        /* A step to run on the slot of a call still running: queued behind it, on its thread
         * (leaders come first in the answer). */
        struct o2c_step *leader = PQgetisnull(res, i, 12) ? NULL : find_inflight(r, strtoll(PQgetvalue(res, i, 12), NULL, 10));
        if (leader && !leader->follower && !leader->waiting && o2c_workers_follow(r->workers, leader, s)) {
            leader->follower = s;
            s->waiting = true;
            r->nwaiting++;
            r->queued_on_slot++;
            atomic_fetch_add(&o2c_metrics.queued_on_slot, 1);
        } else {
            atomic_fetch_add(&o2c_metrics.in_flight, 1);
            o2c_workers_submit(r->workers, s);
        }
    }
    for (int i = 0; i < rows; i++)
        if (!taken[i]->impl || taken[i]->impl->quick)
            finish_inline(r, taken[i]);
    free(taken);
    return rows;
}

static int claim(struct runner *r, int want)
{
    struct claim_params p = {0};
    claim_params(r, want, &p);
    PGresult *res = o2c_db_run(r->db, "step", "claim", 6, p.values);
    if (!res) {
        o2c_logf(O2C_LOG_ERROR, "claim failed: %s", o2c_db_error(r->db));
        if (o2c_db_broken(r->db))
            return reconnect(r) ? 0 : -1;
        /* The database refuses the claim itself (say, a schema older than this runner): that
         * will not pass by waiting 50 ms. Give up after a few tries, loudly. */
        if (++r->claim_failures >= 10) {
            o2c_logf(O2C_LOG_ERROR, "claiming failed %d times in a row; stopping (is the schema up to date? "
                                    "run bin/o2c migrate): %s", r->claim_failures, o2c_db_error(r->db));
            return -1;
        }
        sleep(1);
        return 0;
    }
    r->claim_failures = 0;
    int rows = take_claimed(r, res);
    PQclear(res);
    return rows;
}

static void log_outcome(const struct o2c_step *s, bool refused)
{
    const char *name = s->outcome.name;
    enum o2c_log_level level = O2C_LOG_DEBUG;
    if (refused || strcmp(name, "failed") == 0)
        level = O2C_LOG_WARN;
    else if (strcmp(name, "retry") == 0 || strcmp(name, "throttled") == 0 || strcmp(name, "locked") == 0)
        level = O2C_LOG_INFO;
    if (!o2c_log_enabled(level))
        return;
    json_object *f = step_fields(s);
    json_object_object_add(f, "outcome", json_object_new_string(name));
    json_object_object_add(f, "duration_ms", json_object_new_int64(s->duration_ms));
    json_object *msg;
    if (s->outcome.detail && json_object_object_get_ex(s->outcome.detail, "message", &msg))
        json_object_object_add(f, "detail", json_object_get(msg));
    o2c_log(level, refused ? "completion refused: the lease was lost and the step belongs to another runner now"
                           : "step completed", f);
}

static void free_finished(struct runner *r, int from, int count)
{
    for (int i = from; i < from + count; i++) {
        if (r->keeper)
            o2c_lease_keeper_release(r->keeper, r->finished[i]->workflow_id);
        o2c_step_free(r->finished[i]);
    }
}

/* The o2c.complete arguments for steps [from, from+count) of r->finished: params[0] is the
 * runner, the rest point into *c (the caller frees it). */
static void completion_params(struct runner *r, int from, int count, struct o2c_completion *c,
                              const char *params[1 + O2C_COMPLETION_ARGS])
{
    if (o2c_completion_build(r->finished + from, count, c) != 0)
        abort(); /* out of memory with results in hand: nothing sensible to do */
    params[0] = r->id;
    for (int k = 0; k < O2C_COMPLETION_ARGS; k++)
        params[1 + k] = c->arg[k];
}

/* Logs and counts steps [from, from+count) given o2c.complete's answer: the refused ids as an
 * array literal such as {12,40}. */
static void account_completed(struct runner *r, int from, int count, const char *refused)
{
    for (int i = 0; i < count; i++) {
        struct o2c_step *s = r->finished[from + i];
        char needle[32];
        int n = snprintf(needle, sizeof needle, "%" PRId64, s->workflow_id);
        bool was_refused = false;
        for (const char *p = strstr(refused, needle); p; p = strstr(p + 1, needle))
            if ((p[-1] == '{' || p[-1] == ',') && (p[n] == '}' || p[n] == ','))
                was_refused = true;
        log_outcome(s, was_refused);
        atomic_fetch_add(&o2c_metrics.action_ms_total, s->duration_ms);
        if (was_refused) {
            r->refused++;
            atomic_fetch_add(&o2c_metrics.refused, 1);
        } else {
            r->completed++;
            /* The states a chain passed through were each completed with an advance. */
            atomic_fetch_add(&o2c_metrics.completed_ok, s->nlinks);
            const char *name = s->outcome.name;
            atomic_long *counter = strcmp(name, "retry") == 0       ? &o2c_metrics.completed_retry
                                   : strcmp(name, "throttled") == 0 ? &o2c_metrics.completed_throttled
                                   : strcmp(name, "locked") == 0    ? &o2c_metrics.completed_locked
                                   : strcmp(name, "failed") == 0    ? &o2c_metrics.completed_failed
                                   : strcmp(name, "released") == 0  ? &o2c_metrics.completed_released
                                                                    : &o2c_metrics.completed_ok;
            atomic_fetch_add(counter, 1);
        }
    }
}

/* Commits steps [from, from+count) of r->finished in one call. Returns 0, or -1 if the
 * database refused the statement itself (not the results). */
static int complete_some(struct runner *r, int from, int count)
{
    struct o2c_completion c;
    const char *params[1 + O2C_COMPLETION_ARGS];
    completion_params(r, from, count, &c, params);
    PGresult *res = o2c_db_run(r->db, "step", "complete", 1 + O2C_COMPLETION_ARGS, params);
    o2c_completion_free(&c);
    if (!res)
        return -1;
    account_completed(r, from, count, PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

static int complete_finished(struct runner *r)
{
    if (r->nfinished == 0)
        return 0;
    if (complete_some(r, 0, r->nfinished) == 0) {
        free_finished(r, 0, r->nfinished);
        r->nfinished = 0;
        return 0;
    }
    o2c_logf(O2C_LOG_ERROR, "completing %d steps failed: %s", r->nfinished, o2c_db_error(r->db));
    if (o2c_db_broken(r->db))
        return reconnect(r) ? 0 : -1; /* keep the results and try again */
    /* The statement itself was refused: commit one by one so one bad result cannot hold back
     * the others. A result the database will not take is dropped; its lease expires and the
     * step runs again. */
    for (int i = 0; i < r->nfinished; i++) {
        if (complete_some(r, i, 1) == 0)
            continue;
        /* This one result cannot be stored as it is. Record that as an exception, without the
         * action's patch and detail, rather than let the step run again and again. */
        struct o2c_step *s = r->finished[i];
        char why[600];
        snprintf(why, sizeof why, "%s", o2c_db_error(r->db));
        o2c_chain_drop(s); /* the failure is recorded against the state the step was claimed in */
        o2c_outcome_clear(&s->outcome);
        o2c_outcome_failed(&s->outcome, O2C_FAIL_ENGINE_ERROR, "the database refused the result of %s in state \"%s\": %s", s->action, s->state, why);
        if (complete_some(r, i, 1) != 0)
            o2c_logf(O2C_LOG_ERROR, "dropping the result of workflow %" PRId64 " (it will run again): %s",
                     s->workflow_id, o2c_db_error(r->db));
    }
    free_finished(r, 0, r->nfinished);
    r->nfinished = 0;
    /* If it was a chain the database refused, what this runner knows of the workflows may be
     * out of date (an admin changed a state in place, say): read them again. Only now, since a
     * chained step's strings point into what it knows, and no step is held any more. */
    o2c_workflow_states_forget(r->states);
    return 0;
}

/* Commits every finished result and claims up to `want` more in one transaction and one
 * round trip. Returns the number claimed, or -1 if that failed (then nothing was committed and
 * the caller falls back to doing the two separately). */
static int complete_and_claim(struct runner *r, int want)
{
    struct o2c_completion c;
    const char *complete_params[1 + O2C_COMPLETION_ARGS];
    completion_params(r, 0, r->nfinished, &c, complete_params);
    struct claim_params p = {0};
    claim_params(r, want, &p);
    struct o2c_db_call calls[] = {
        {"step", "complete", 1 + O2C_COMPLETION_ARGS, complete_params, NULL},
        {"step", "claim", 6, p.values, NULL},
    };
    int ok = o2c_db_run_in_transaction(r->db, calls, 2) == 0;
    o2c_completion_free(&c);
    if (!ok) {
        o2c_logf(O2C_LOG_WARN, "completing and claiming together failed, trying separately: %s", o2c_db_error(r->db));
        if (o2c_db_broken(r->db))
            reconnect(r);
        return -1;
    }
    int done = r->nfinished;
    account_completed(r, 0, done, PQgetvalue(calls[0].result, 0, 0));
    free_finished(r, 0, done);
    r->nfinished = 0;
    int rows = take_claimed(r, calls[1].result);
    PQclear(calls[0].result);
    PQclear(calls[1].result);
    return rows;
}

/* Does a finished step hold a slot of a governed connection? Completing it frees the slot, and
 * the claim that rides in the same transaction takes the next step due for that connection at
 * once, instead of leaving the slot idle until a NOTIFY or the next poll brings a runner back. */
static bool frees_connection_slot(const struct runner *r)
{
    for (int i = 0; i < r->nfinished; i++)
        if (r->finished[i]->connection && r->finished[i]->connection[0])
            return true;
    return false;
}

static void collect_done(struct runner *r)
{
    int room = r->finished_cap - r->nfinished;
    int got = o2c_workers_take_done(r->workers, r->finished + r->nfinished, room);
    for (int i = 0; i < got; i++) {
        struct o2c_step *s = r->finished[r->nfinished + i];
        if (s->follower) { /* the step queued behind it has started (or come back released) */
            s->follower->waiting = false;
            s->follower = NULL;
            r->nwaiting--;
            atomic_fetch_add(&o2c_metrics.in_flight, 1);
        }
        for (int j = 0; j < r->ninflight; j++)
            if (r->inflight[j] == s) {
                r->inflight[j] = r->inflight[--r->ninflight];
                atomic_fetch_sub(&o2c_metrics.in_flight, 1);
                break;
            }
    }
    r->nfinished += got;
}


/* Starts the workflows of due schedules (o2c.fire_schedules: one start per tick across the
 * fleet, whichever runner gets there first), at most once a poll interval. A failure is only
 * logged: the claim that follows finds out whether the database is really gone. */
static void fire_schedules(struct runner *r)
{
    if (o2c_monotonic_ms() < r->next_schedule_ms)
        return;
    r->next_schedule_ms = o2c_monotonic_ms() + (r->opt->poll_ms < 1000 ? r->opt->poll_ms : 1000);
    PGresult *res = o2c_db_run(r->db, "schedule", "fire", 0, NULL);
    if (!res) {
        o2c_logf(O2C_LOG_WARN, "firing due schedules failed: %s", o2c_db_error(r->db));
        return;
    }
    long fired = PQntuples(res) == 1 ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    if (fired > 0) {
        o2c_logf(O2C_LOG_INFO, "started the workflows of %ld due schedule%s", fired, fired == 1 ? "" : "s");
        r->more = true; /* their first steps are due now */
    }
}

/* How long until work is due, after a claim that found nothing. */
static void plan_next_poll(struct runner *r)
{
    const char *params[] = {r->lanes[0] ? r->lanes : NULL};
    PGresult *res = o2c_db_run(r->db, "step", "next_due_ms", 1, params);
    int64_t wait = r->opt->poll_ms;
    if (res) {
        if (!PQgetisnull(res, 0, 0)) {
            int64_t due = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
            /* Due now but not claimable: its connection is at a limit. Capacity freed by a
             * completion is announced by NOTIFY; a refilling rate bucket is not, so look again soon. */
            wait = due <= 0 ? 50 : due + 1;
            if (wait > r->opt->poll_ms)
                wait = r->opt->poll_ms;
        }
        PQclear(res);
    } else if (o2c_db_broken(r->db)) {
        reconnect(r);
    }
    r->next_poll_ms = o2c_monotonic_ms() + wait;
}

static bool work_pending(struct runner *r)
{
    char horizon[16];
    snprintf(horizon, sizeof horizon, "%d", r->opt->idle_horizon_seconds);
    const char *params[] = {r->lanes[0] ? r->lanes : NULL, horizon};
    PGresult *res = o2c_db_run(r->db, "step", "work_pending", 2, params);
    if (!res)
        return true; /* cannot tell: keep going */
    bool pending = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return pending;
}

/* Sleeps until a NOTIFY, a finished step or until_ms; a NOTIFY means new due work. */
static void wait_for_something(struct runner *r, int64_t until_ms)
{
    if (o2c_wait_for_wake(o2c_db_conn(r->db), r->wake_fd, until_ms - o2c_monotonic_ms()))
        r->more = true;
}

/* The first connection. A database that does not answer yet (down, restarting, still starting
 * up) is waited for with backoff, as a lost connection is; one that answers and refuses us (a
 * wrong password, no such database) is an error at once, since waiting cannot mend it. */
static o2c_db *connect_at_start(const struct o2c_runner_options *opt, volatile sig_atomic_t *stop)
{
    const char *conninfo = opt->database && *opt->database ? opt->database : getenv("DATABASE_URL");
    char err[512];
    int64_t give_up = o2c_monotonic_ms() + (int64_t)opt->db_wait_seconds * 1000;
    int delay_ms = 100;
    for (bool told = false;; told = true) {
        o2c_db *db = o2c_db_connect(opt->database, err, sizeof err);
        if (db)
            return db;
        PGPing ping = PQping(conninfo ? conninfo : "");
        if ((ping != PQPING_NO_RESPONSE && ping != PQPING_REJECT) || o2c_monotonic_ms() >= give_up || *stop) {
            o2c_log(O2C_LOG_ERROR, err, NULL);
            return NULL;
        }
        if (!told)
            o2c_logf(O2C_LOG_WARN, "the database does not answer yet; waiting for it up to %d s: %s",
                     opt->db_wait_seconds, err);
        struct timespec pause = {.tv_sec = delay_ms / 1000, .tv_nsec = (delay_ms % 1000) * 1000000L};
        nanosleep(&pause, NULL);
        delay_ms = delay_ms * 2 > 2000 ? 2000 : delay_ms * 2;
    }
}

static int set_up(struct runner *r, const struct o2c_runner_options *opt, int wake_fd, volatile sig_atomic_t *stop)
{
    r->opt = opt;
    r->wake_fd = wake_fd;
    if (opt->runner_id) {
        snprintf(r->id, sizeof r->id, "%s", opt->runner_id);
    } else {
        char host[128] = "localhost";
        gethostname(host, sizeof host - 1);
        snprintf(r->id, sizeof r->id, "%s:%d", host, (int)getpid());
    }
    if (opt->lanes && *opt->lanes) {
        size_t n = strlen(opt->lanes);
        if (n + 3 > sizeof r->lanes || strpbrk(opt->lanes, "{}\"\\ ")) {
            o2c_logf(O2C_LOG_ERROR, "--lanes must be a comma-separated list of lane names");
            return -1;
        }
        snprintf(r->lanes, sizeof r->lanes, "{%s}", opt->lanes);
    }
    /* Up to `concurrency` steps running and as many queued behind them; a claim takes up to
     * `batch` steps plus one per step running (r->finished keeps room for all of it). */
    r->finished_cap = 3 * opt->concurrency + opt->batch;
    r->inflight = calloc((size_t)opt->concurrency * 2, sizeof *r->inflight);
    r->relays = malloc((size_t)opt->concurrency * 2 * 21 + 3);
    r->finished = calloc((size_t)r->finished_cap, sizeof *r->finished);
    r->db = connect_at_start(opt, stop);
    if (!r->db)
        return -1;
    PGresult *res = o2c_db_run(r->db, "step", "listen", 0, NULL);
    if (!res) {
        o2c_logf(O2C_LOG_ERROR, "LISTEN failed: %s", o2c_db_error(r->db));
        return -1;
    }
    PQclear(res);
    char err[512];
    r->keeper = o2c_lease_keeper_start(opt->database, r->id, opt->lease_seconds, err, sizeof err);
    if (!r->keeper) {
        o2c_logf(O2C_LOG_ERROR, "cannot start the lease keeper: %s", err);
        return -1;
    }
    r->workers = o2c_workers_start(opt->concurrency, wake_fd);
    r->connections = o2c_connections_new();
    r->states = o2c_workflow_states_new();
    r->chain = (struct o2c_chain_scope){r->db, r->states, opt->lanes, opt->chain_max};
    if (!r->inflight || !r->finished || !r->relays || !r->workers || !r->states) {
        o2c_logf(O2C_LOG_ERROR, "cannot start %d worker threads", opt->concurrency);
        return -1;
    }

    r->more = true;
    if (opt->metrics_port >= 0) {
        int port = o2c_metrics_serve(opt->metrics_port, r->id);
        if (port < 0) {
            o2c_logf(O2C_LOG_ERROR, "cannot serve metrics on 127.0.0.1:%d", opt->metrics_port);
            return -1;
        }
        json_object *f = json_object_new_object();
        json_object_object_add(f, "address", json_object_new_string("127.0.0.1"));
        json_object_object_add(f, "port", json_object_new_int(port));
        o2c_log(O2C_LOG_INFO, "serving Prometheus metrics at /metrics", f);
    }
    return 0;
}

static void tear_down(struct runner *r)
{
    o2c_metrics_stop();
    o2c_workers_stop(r->workers);
    free_finished(r, 0, r->nfinished);
    o2c_lease_keeper_stop(r->keeper);
    free(r->inflight);
    free(r->finished);
    free(r->relays);
    o2c_connections_free(r->connections);
    o2c_workflow_states_free(r->states);
    o2c_db_close(r->db);
}

int o2c_runner_run(const struct o2c_runner_options *opt, volatile sig_atomic_t *stop, int wake_fd)
{
    struct runner r = {0};
    if (set_up(&r, opt, wake_fd, stop) != 0) {
        tear_down(&r);
        return 1;
    }
    json_object *f = json_object_new_object();
    json_object_object_add(f, "runner", json_object_new_string(r.id));
    json_object_object_add(f, "concurrency", json_object_new_int(opt->concurrency));
    json_object_object_add(f, "lease_seconds", json_object_new_int(opt->lease_seconds));
    json_object_object_add(f, "lanes", json_object_new_string(opt->lanes ? opt->lanes : "all"));
    o2c_log(O2C_LOG_INFO, "runner started", f);

    int status = 0;
    bool draining = false;
    for (;;) {
        if (*stop && !draining) {
            draining = true;
            o2c_logf(O2C_LOG_INFO, "stopping: finishing %d steps in flight, claiming no more", r.ninflight - r.nwaiting);
            o2c_workers_release_queued(r.workers); /* the steps queued behind them go back unrun */
        }
        collect_done(&r);
        if (!draining)
            fire_schedules(&r);
        /* A step queued behind another's call needs no worker of its own. */
        int free_slots = opt->concurrency - (r.ninflight - r.nwaiting);
        int want = free_slots < opt->batch ? free_slots : opt->batch;
        /* Results kept back by a database outage still occupy r.finished: leave room for them. */
        if (want > r.finished_cap - r.nfinished - 3 * opt->concurrency)
            want = r.finished_cap - r.nfinished - 3 * opt->concurrency;
        bool want_claim = !draining && want > 0 && (r.more || o2c_monotonic_ms() >= r.next_poll_ms || frees_connection_slot(&r));
        int got = -1;
        if (want_claim && r.nfinished > 0)
            got = complete_and_claim(&r, want);
        if (complete_finished(&r) != 0) {
            status = 1;
            break;
        }
        if (draining && r.ninflight == 0 && r.nfinished == 0)
            break;

        if (want_claim) {
            if (got < 0)
                got = claim(&r, want);
            if (got < 0) {
                status = 1;
                break;
            }
            r.more = got == want;
            if (got == 0) {
                if (opt->until_idle && r.ninflight == 0 && r.nfinished == 0 && !work_pending(&r))
                    break;
                plan_next_poll(&r);
            }
            if (r.nfinished > 0)
                continue; /* quick actions ran inline: commit them straight away */
        }
        bool can_claim = !draining && r.ninflight - r.nwaiting < opt->concurrency;
        if (r.more && can_claim)
            continue;
        /* With every slot busy (or while draining) only a finished step or a lease renewal
         * needs us; the workers' eventfd wakes the loop for the former. */
        wait_for_something(&r, can_claim ? r.next_poll_ms : o2c_monotonic_ms() + opt->poll_ms);
    }

    f = json_object_new_object();
    json_object_object_add(f, "runner", json_object_new_string(r.id));
    json_object_object_add(f, "completed", json_object_new_int64(r.completed));
    json_object_object_add(f, "refused", json_object_new_int64(r.refused));
    json_object_object_add(f, "queued_on_slot", json_object_new_int64(r.queued_on_slot));
    o2c_log(O2C_LOG_INFO, "runner stopped", f);
    tear_down(&r);
    return status;
}
