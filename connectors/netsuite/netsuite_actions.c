/* NetSuite actions for pipelines.
 *   netsuite.upsert  creates or updates one record by its external id (PUT <type>/eid:<id>), so
 *                    running it again after a crash finds the record it made instead of making a
 *                    second one. The state's params say where things are, so one pipeline can
 *                    upsert a customer and then its sales order:
 *                      type             record type (else context.netsuite_type), e.g. salesOrder
 *                      external_id_key  context key of the external id (default external_id)
 *                      body_key         context key of the record body (default body)
 *                      result_key       context key the internal id is stored under (default netsuite_id)
 *                      refs             {"entity.id": "customer_id"}: before sending, put the value
 *                                       of context key customer_id at body path entity.id */
#include "connectors/netsuite/netsuite.h"
#include "runner/action.h"

#include <stdio.h>
#include <string.h>

static bool valid_record_type(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z')))
            return false;
    return true;
}

/* Sets body.<path> (dot-separated, objects created as needed) to a copy of value. */
static void set_path(json_object *body, const char *path, json_object *value)
{
    char copy[256];
    snprintf(copy, sizeof copy, "%s", path);
    json_object *at = body;
    char *save = NULL;
    char *part = strtok_r(copy, ".", &save);
    while (part) {
        char *next = strtok_r(NULL, ".", &save);
        if (!next) {
            json_object_object_add(at, part, json_object_get(value));
            return;
        }
        json_object *child;
        if (!json_object_object_get_ex(at, part, &child) || !json_object_is_type(child, json_type_object)) {
            child = json_object_new_object();
            json_object_object_add(at, part, child);
        }
        at = child;
        part = next;
    }
}

static const char *param_or(struct o2c_step *step, const char *key, const char *fallback)
{
    const char *v = o2c_step_param(step, key);
    return v ? v : fallback;
}

static void upsert(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *type = o2c_step_param(step, "type");
    if (!type)
        type = o2c_step_string(step, "netsuite_type");
    const char *eid = o2c_step_string(step, param_or(step, "external_id_key", "external_id"));
    const char *body_key = param_or(step, "body_key", "body");
    json_object *body;
    if (!valid_record_type(type)) {
        o2c_outcome_failed(out, "bad_input", "high", "engineering",
                           "netsuite.upsert needs \"netsuite_type\", a NetSuite record type such as salesOrder");
        return;
    }
    if (!netsuite_valid_external_id(eid)) {
        o2c_outcome_failed(out, "bad_input", "high", "engineering",
                           "netsuite.upsert needs \"external_id\" of letters, digits, _ and - (got \"%s\")",
                           eid ? eid : "");
        return;
    }
    if (!json_object_object_get_ex(o2c_step_context(step), body_key, &body) ||
        !json_object_is_type(body, json_type_object)) {
        o2c_outcome_failed(out, "bad_input", "high", "engineering", "netsuite.upsert needs \"%s\", a JSON object", body_key);
        return;
    }
    json_object *refs;
    if (json_object_object_get_ex(o2c_step_params(step), "refs", &refs) && json_object_is_type(refs, json_type_object)) {
        json_object_object_foreach(refs, path, from) {
            json_object *value;
            const char *key = json_object_get_string(from);
            if (!json_object_object_get_ex(o2c_step_context(step), key, &value)) {
                o2c_outcome_failed(out, "workflow_error", "high", "engineering",
                                   "netsuite.upsert: %s should come from context key \"%s\", which is not there yet",
                                   path, key);
                return;
            }
            set_path(body, path, value);
        }
    }
    char path[512], what[300];
    snprintf(path, sizeof path, "/services/rest/record/v1/%s/eid:%s", type, eid);
    snprintf(what, sizeof what, "upsert %s %s", type, eid);
    struct o2c_http_response res;
    if (!netsuite_call(step, "PUT", path, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), what, &res, out))
        return;
    /* The new or existing record's internal id is the last segment of Location. */
    const char *slash = strrchr(res.location, '/');
    const char *id = slash ? slash + 1 : "";
    if (!*id || strncmp(id, "eid:", 4) == 0) {
        o2c_outcome_retry(out, "NetSuite accepted %s but sent no usable Location (\"%s\")", what, res.location);
    } else {
        o2c_outcome_ok(out);
        o2c_outcome_patch(out, param_or(step, "result_key", "netsuite_id"), json_object_new_string(id));
    }
    o2c_http_response_free(&res);
}

const struct o2c_action o2c_netsuite_actions[] = {
    {"netsuite.upsert", upsert, false, "creates or updates one NetSuite record by external id; patch netsuite_id"},
    {NULL, NULL, false, NULL},
};
