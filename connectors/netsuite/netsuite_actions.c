/* NetSuite actions for pipelines.
 *   netsuite.upsert  creates or updates one record by its external id (PUT <type>/eid:<id>), so
 *                    running it again after a crash finds the record it made instead of making a
 *                    second one. Context: netsuite_type (e.g. "salesOrder"), external_id, body
 *                    (the record as NetSuite's REST API takes it). Patch: netsuite_id. */
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

static void upsert(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *type = o2c_step_string(step, "netsuite_type");
    const char *eid = o2c_step_string(step, "external_id");
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
    if (!json_object_object_get_ex(o2c_step_context(step), "body", &body) ||
        !json_object_is_type(body, json_type_object)) {
        o2c_outcome_failed(out, "bad_input", "high", "engineering", "netsuite.upsert needs \"body\", a JSON object");
        return;
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
        o2c_outcome_patch(out, "netsuite_id", json_object_new_string(id));
    }
    o2c_http_response_free(&res);
}

const struct o2c_action o2c_netsuite_actions[] = {
    {"netsuite.upsert", upsert, false, "creates or updates one NetSuite record by external id; patch netsuite_id"},
    {NULL, NULL, false, NULL},
};
