#include "runner/chain.h"

#include "runner/action.h"
#include "runner/sql_actions.h"
#include "runner/workers.h"

#include <stdlib.h>
#include <string.h>

static bool advances(const struct o2c_outcome *out)
{
    static const char *const not_advances[] = {"retry", "throttled", "locked", "failed"};
    for (size_t i = 0; i < sizeof not_advances / sizeof not_advances[0]; i++)
        if (strcmp(out->name, not_advances[i]) == 0)
            return false;
    return out->delay_ms <= 0 && !out->start;
}

static bool serves_lane(const char *lanes, const char *lane)
{
    if (!lanes || !*lanes)
        return true;
    size_t n = strlen(lane);
    for (const char *p = lanes; (p = strstr(p, lane)) != NULL; p++)
        if ((p == lanes || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

static bool local_action(const struct o2c_action *a)
{
    return a && (a->quick || a->sql);
}

/* Top-level keys of patch into *into (created when NULL), as jsonb's || merges them. */
static void merge_into(json_object **into, json_object *patch)
{
    if (!patch || !json_object_is_type(patch, json_type_object))
        return;
    if (!*into && !(*into = json_object_new_object()))
        abort();
    json_object_object_foreach(patch, key, value) json_object_object_add(*into, key, json_object_get(value));
}

/* Moves s from its state to `next`: the state it leaves becomes a link. */
static void move_on(struct o2c_step *s, const struct o2c_state_def *next, const struct o2c_action *impl)
{
    struct o2c_chain_link *links = realloc(s->links, (size_t)(s->nlinks + 1) * sizeof *links);
    if (!links)
        abort();
    s->links = links;
    struct o2c_chain_link *l = &s->links[s->nlinks++];
    l->state = s->state;
    snprintf(l->outcome, sizeof l->outcome, "%s", s->outcome.name);
    l->duration_ms = s->duration_ms;
    l->detail = s->outcome.detail;
    s->outcome.detail = NULL;
    /* The next action reads the context as it will be stored: the claimed one, patched. A
     * context not parsed yet is left so (an sql.* action reads it in the database, and a big
     * order's is megabytes); o2c_step_context() applies chain_patch when it parses it. */
    merge_into(&s->chain_patch, s->outcome.patch);
    if (s->context)
        merge_into(&s->context, s->outcome.patch);
    o2c_outcome_clear(&s->outcome);
    s->outcome.delay_ms = -1;
    s->state = (char *)next->state;
    s->action = (char *)next->action;
    s->lane = (char *)next->lane;
    s->params_json = (char *)next->params;
    json_object_put(s->params);
    s->params = NULL;
    s->impl = impl;
    s->attempt = 1;
}

int o2c_chain_run_on(const struct o2c_chain_scope *scope, struct o2c_step *s)
{
    int added = 0;
    while (scope->max_links > 0 && s->nlinks < scope->max_links && !s->connection[0] && local_action(s->impl) &&
           advances(&s->outcome)) {
        const struct o2c_state_def *next =
            o2c_workflow_states_next(scope->states, scope->db, s->workflow, s->version, s->state, s->outcome.name);
        if (!next || next->terminal || next->connection[0] || !serves_lane(scope->lanes, next->lane))
            break;
        const struct o2c_action *impl = o2c_action_find(next->action);
        if (!local_action(impl))
            break;
        move_on(s, next, impl);
        added++;
        if (impl->sql)
            o2c_sql_action_run(scope->db, s);
        else
            o2c_run_action(s);
    }
    if (s->chain_patch) {
        merge_into(&s->chain_patch, s->outcome.patch);
        json_object_put(s->outcome.patch);
        s->outcome.patch = s->chain_patch;
        s->chain_patch = NULL;
    }
    return added;
}

void o2c_chain_drop(struct o2c_step *s)
{
    for (int i = 0; i < s->nlinks; i++)
        json_object_put(s->links[i].detail);
    free(s->links);
    s->links = NULL;
    s->nlinks = 0;
}
