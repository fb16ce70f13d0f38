/* The connector contract: everything a connector sees of the engine, and all it may use. A
 * connector (connectors/<system>/) includes this header and nothing of runner/; it has no libpq
 * (the runner commits outcomes, a connector never touches the database), so the dependencies run
 * one way: runner → connectors → connectors/common.
 *
 * A claimed step as an action sees it (context, params, the connection's settings and secrets),
 * the outcome the action reports back, and the table of actions a connector exports.
 *
 * An action fills exactly one outcome: ok or a named outcome (leads to the next state through
 * the pipeline's transitions), retry (transient: counts an attempt, backoff with jitter),
 * throttled (wait as told, no attempt used, the connection is slowed for everyone), locked
 * (record lock: short delay, own budget) or failed (permanent: the workflow becomes an
 * exception with a category, severity, owning team and a message people understand).
 * Whatever the outcome, `patch` (if any) is merged into the workflow's context. */
#ifndef O2C_CONNECTOR_H
#define O2C_CONNECTOR_H

#include "connectors/common/failure.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

struct o2c_action;

struct o2c_outcome {
    char name[64];        /* "ok", a named outcome, "retry", "throttled", "locked", "failed" */
    json_object *patch;   /* owned; keys merged into the context; may be NULL */
    json_object *detail;  /* owned; message, category, severity, owner, remote details */
    int delay_ms;         /* retry/throttled/locked: wait this long; < 0: engine default;
                             ok/named: run the next state this much later (a poller's next round) */
    json_object *start;   /* owned; workflows to start with this result, in the same transaction */
};

/* One state a step passed through in a chain: the state, its outcome, how long its action
 * took and the detail it reported (owned). `state` points into memory that outlives the step's
 * own strings (the claimed block or the runner's copy of the workflow's states). */
struct o2c_chain_link {
    const char *state;
    char outcome[64];
    long duration_ms;
    json_object *detail;
};

struct o2c_step {
    int64_t workflow_id;
    int64_t lease_token;
    char *workflow;
    int version;
    char *state;
    char *action;
    char *business_key;
    int attempt;          /* 1 on the first try */
    char *connection;     /* "" when the state names none */
    char *connection_system;    /* from o2c.connection, when connection is set */
    char *connection_base_url;
    char *connection_secrets;   /* JSON: secret name -> environment variable name */
    char *lane;
    char *context_json;
    json_object *context; /* parsed on first o2c_step_context() */
    char *params_json;    /* the state's "params" from the pipeline definition */
    json_object *params;  /* parsed on first o2c_step_params() */
    /* When set (steps the runner claims), the one block that holds workflow, state, action,
     * business_key, connection, lane, context_json and params_json: one allocation per step,
     * not eight. When NULL, each of those is its own allocation. o2c_step_free knows both. */
    char *claimed_strings;

    /* runner bookkeeping */
    /* The states this step ran through before its current one, under the same lease (a chain:
     * runner/chain.h), and their patches merged in order; none when links is NULL.
     * o2c_step_context() includes chain_patch. */
    struct o2c_chain_link *links;
    int nlinks;
    json_object *chain_patch;
    const struct o2c_action *impl;
    /* A step claimed to run on this step's connection slot as soon as this one's call ends
     * (o2c.claim's "follows"). slot_next and ran belong to runner/workers.c (under its lock);
     * follower and waiting to the claim loop's thread: the step queued behind this one, and
     * whether this one still waits behind another. */
    struct o2c_step *slot_next;
    bool ran;
    struct o2c_step *follower;
    bool waiting;
    struct timespec started;
    struct timespec renewed;
    long duration_ms;
    struct o2c_outcome outcome;
};

/* The workflow context as JSON (never NULL: an unreadable context reads as {}). Owned by the step. */
json_object *o2c_step_context(struct o2c_step *step);
/* Convenience readers of top-level context keys. */
const char *o2c_step_string(struct o2c_step *step, const char *key);     /* NULL if absent */
int64_t o2c_step_int(struct o2c_step *step, const char *key, int64_t fallback);
/* The JSON object at a top-level context key: given as an object, or as JSON text in a string.
 * Big documents (a 10,000-line sales order) cross the engine as text, because PostgreSQL reads
 * and writes a string of JSON several times faster than the object it holds; a connector reads
 * both forms the same. A string is parsed once and its object replaces it in the step's context
 * (owned by the step). NULL when the key is absent or holds anything but an object or the text of one. */
json_object *o2c_step_document(struct o2c_step *step, const char *key);

/* The state's params (never NULL: {} when none), and one string of them (NULL if absent). */
json_object *o2c_step_params(struct o2c_step *step);
const char *o2c_step_param(struct o2c_step *step, const char *key);

void o2c_step_free(struct o2c_step *step);

/* Outcome builders. Messages are printf-style; they end up in events and exceptions. */
void o2c_outcome_ok(struct o2c_outcome *out);
void o2c_outcome_named(struct o2c_outcome *out, const char *name);
void o2c_outcome_retry(struct o2c_outcome *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void o2c_outcome_throttled(struct o2c_outcome *out, int delay_ms, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void o2c_outcome_locked(struct o2c_outcome *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Failed, with a known category (failure.h); owner and severity are the category's. */
void o2c_outcome_failed(struct o2c_outcome *out, enum o2c_failure category, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Starts workflow `workflow` for `business_key` (input may be NULL; ownership taken) when this
 * result commits, and only then; idempotent like o2c.start. */
void o2c_outcome_start(struct o2c_outcome *out, const char *workflow, const char *business_key, json_object *input);
/* Adds key = value (ownership of value taken) to the context patch. */
void o2c_outcome_patch(struct o2c_outcome *out, const char *key, json_object *value);
void o2c_outcome_clear(struct o2c_outcome *out);

/* The secret `key` of the step's connection: the value of the environment variable named by the
 * connection's secret_env->key, or of `default_env` when it names none. NULL when unset, and when
 * the variable lacks the connection system's own prefix (a netsuite connection reads NETSUITE_*
 * only: never DATABASE_URL, never another system's token). */
const char *o2c_step_secret(struct o2c_step *step, const char *key, const char *default_env);

/* ---- the actions a connector exports --------------------------------------------------------
 * An action receives a claimed step and fills its outcome. It must not touch the database: the
 * runner commits the outcome. `quick` actions never block and run on the claim loop itself;
 * others run on the worker threads (so they may make blocking HTTP calls). An action must be safe
 * to run again for the same step (a runner may die mid-step): effects on other systems carry
 * deterministic external keys. */
typedef void (*o2c_action_fn)(struct o2c_step *step, struct o2c_outcome *out);

struct o2c_action {
    const char *name; /* "core.noop", "netsuite.upsert", ... */
    o2c_action_fn run;
    bool quick;
    const char *summary;
    bool sql;         /* "sql.<name>": run by the runner as o2c_action.<name>() on its connection */
};

#endif
