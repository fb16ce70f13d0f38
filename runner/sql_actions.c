#include "runner/sql_actions.h"

#include "runner/clock.h"

#include <json-c/json.h>
#include <stdio.h>

void o2c_sql_action_run(o2c_db *db, struct o2c_step *s)
{
    o2c_outcome_clear(&s->outcome);
    int64_t started = o2c_monotonic_ms();
    /* The context is read in the database, where it is kept: sending a big one back costs its
     * parse again (o2c.run_sql_action_for_workflow). */
    char workflow_id[24];
    snprintf(workflow_id, sizeof workflow_id, "%lld", (long long)s->workflow_id);
    /* In a chain (runner/chain.h), the patches of the states before this one, not yet stored. */
    const char *pending = s->chain_patch ? json_object_to_json_string_ext(s->chain_patch, JSON_C_TO_STRING_PLAIN) : NULL;
    const char *params[] = {s->action + 4, workflow_id, s->params_json, pending};
    PGresult *res = o2c_db_run(db, "step", "run_sql_action", 4, params);
    s->duration_ms = o2c_monotonic_ms() - started;
    if (!res) {
        if (o2c_db_failure_passes(db))
            o2c_outcome_retry(&s->outcome, "%s did not run to the end, the database went away: %s", s->action,
                              o2c_db_error(db));
        else
            o2c_outcome_failed(&s->outcome, O2C_FAIL_WORKFLOW_ERROR, "%s failed in the database: %s",
                               s->action, o2c_db_error(db));
        return;
    }
    json_object *answer = json_tokener_parse(PQgetvalue(res, 0, 0)), *v;
    PQclear(res);
    if (!answer || !json_object_object_get_ex(answer, "outcome", &v)) {
        o2c_outcome_failed(&s->outcome, O2C_FAIL_WORKFLOW_ERROR, "%s answered without an outcome", s->action);
    } else {
        o2c_outcome_named(&s->outcome, json_object_get_string(v));
        if (json_object_object_get_ex(answer, "patch", &v) && json_object_is_type(v, json_type_object))
            s->outcome.patch = json_object_get(v);
        if (json_object_object_get_ex(answer, "detail", &v) && json_object_is_type(v, json_type_object))
            s->outcome.detail = json_object_get(v);
        if (json_object_object_get_ex(answer, "start", &v) && json_object_is_type(v, json_type_array))
            s->outcome.start = json_object_get(v);
        if (json_object_object_get_ex(answer, "delay_ms", &v) && json_object_is_type(v, json_type_int))
            s->outcome.delay_ms = json_object_get_int(v);
    }
    json_object_put(answer);
}

