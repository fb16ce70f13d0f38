#include "runner/workflow_states.h"

#include "runner/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct transition {
    char *outcome;
    int from, to; /* indexes into the version's states */
};

struct version {
    char *workflow;
    int number;
    struct o2c_state_def *states;
    int nstates;
    struct transition *transitions;
    int ntransitions;
    struct version *next;
};

struct o2c_workflow_states {
    struct version *versions;
};

o2c_workflow_states *o2c_workflow_states_new(void)
{
    return calloc(1, sizeof(o2c_workflow_states));
}

static void free_version(struct version *v)
{
    for (int i = 0; i < v->nstates; i++) {
        free((char *)v->states[i].state);
        free((char *)v->states[i].action);
        free((char *)v->states[i].params);
        free((char *)v->states[i].lane);
        free((char *)v->states[i].connection);
    }
    for (int i = 0; i < v->ntransitions; i++)
        free(v->transitions[i].outcome);
    free(v->states);
    free(v->transitions);
    free(v->workflow);
    free(v);
}

void o2c_workflow_states_forget(o2c_workflow_states *ws)
{
    while (ws->versions) {
        struct version *v = ws->versions;
        ws->versions = v->next;
        free_version(v);
    }
}

void o2c_workflow_states_free(o2c_workflow_states *ws)
{
    if (!ws)
        return;
    o2c_workflow_states_forget(ws);
    free(ws);
}

static char *copy(const char *s)
{
    char *c = strdup(s);
    if (!c)
        abort();
    return c;
}

static int state_index(const struct version *v, const char *state)
{
    for (int i = 0; i < v->nstates; i++)
        if (strcmp(v->states[i].state, state) == 0)
            return i;
    return -1;
}

/* Reads a version: rows (state, action, params, lane, connection, terminal, outcome, target),
 * ordered by state, one per transition or one per state without any. */
static struct version *load(o2c_db *db, const char *workflow, int number)
{
    char num[16];
    snprintf(num, sizeof num, "%d", number);
    const char *params[] = {workflow, num};
    PGresult *res = o2c_db_run(db, "step", "workflow_states", 2, params);
    if (!res) {
        o2c_logf(O2C_LOG_WARN, "reading workflow %s version %d failed, its steps run one claim each: %s", workflow,
                 number, o2c_db_error(db));
        return NULL;
    }
    int rows = PQntuples(res);
    struct version *v = calloc(1, sizeof *v);
    if (!v || !(v->states = calloc((size_t)rows + 1, sizeof *v->states)) ||
        !(v->transitions = calloc((size_t)rows + 1, sizeof *v->transitions)))
        abort();
    v->workflow = copy(workflow);
    v->number = number;
    for (int i = 0; i < rows; i++) {
        const char *state = PQgetvalue(res, i, 0);
        if (v->nstates == 0 || strcmp(v->states[v->nstates - 1].state, state) != 0) {
            struct o2c_state_def *d = &v->states[v->nstates++];
            d->state = copy(state);
            d->action = copy(PQgetvalue(res, i, 1));
            d->params = copy(PQgetvalue(res, i, 2));
            d->lane = copy(PQgetvalue(res, i, 3));
            d->connection = copy(PQgetvalue(res, i, 4));
            d->terminal = PQgetvalue(res, i, 5)[0] == 't';
        }
    }
    for (int i = 0; i < rows; i++) {
        if (PQgetisnull(res, i, 6))
            continue;
        int from = state_index(v, PQgetvalue(res, i, 0)), to = state_index(v, PQgetvalue(res, i, 7));
        if (from < 0 || to < 0)
            continue; /* a target that is not a state: the definition refuses those */
        struct transition *t = &v->transitions[v->ntransitions++];
        t->outcome = copy(PQgetvalue(res, i, 6));
        t->from = from;
        t->to = to;
    }
    PQclear(res);
    return v;
}

const struct o2c_state_def *o2c_workflow_states_next(o2c_workflow_states *ws, o2c_db *db, const char *workflow,
                                                     int version, const char *state, const char *outcome)
{
    struct version *v = ws->versions;
    while (v && (v->number != version || strcmp(v->workflow, workflow) != 0))
        v = v->next;
    if (!v) {
        v = load(db, workflow, version);
        if (!v)
            return NULL;
        v->next = ws->versions;
        ws->versions = v;
    }
    int from = state_index(v, state);
    for (int i = 0; from >= 0 && i < v->ntransitions; i++)
        if (v->transitions[i].from == from && strcmp(v->transitions[i].outcome, outcome) == 0)
            return &v->states[v->transitions[i].to];
    return NULL;
}
