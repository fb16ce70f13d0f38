/* NetSuite actions for returns with goods (workflows/return_to_credit_memo.sql).
 *
 *   netsuite.transform  makes one record from another (POST <from_type>/<id>/!transform/<to_type>)
 *       exactly once by external id: it first reads <to_type>/eid:<external id>; found → ok with
 *       that record's id (a re-run after a crash between NetSuite's answer and our commit finds
 *       the record it made); not there → the transform, with the body (context body_key, may be
 *       absent: {}) and externalId set → ok with the new id from Location. Params:
 *         from_type, to_type   record types (letters only), e.g. salesOrder, returnAuthorization
 *         from_id_key          context key of the source's internal id (default from_id)
 *         external_id_key      context key of the new record's external id (default external_id)
 *         body_key             context key of the transform's body (lines, memo, …; optional)
 *         result_key           context key the new id goes to (default netsuite_id)
 *       NetSuite's refusal (returning more than was fulfilled, crediting more than authorized) is
 *       failed remote_rejected with NetSuite's words, as every refusal.
 *   netsuite.await_receipt  reads a return authorization (GET returnAuthorization/<id>, context
 *       key id_key, default return_auth_id) and answers received — every unit is back: its status
 *       is Pending Refund or Refunded, or every line that expects goods has quantityReceived =
 *       quantity — with patch {"return_status"}; otherwise waiting, due again after param
 *       wait_ms (default 60000), patch {"return_status", "receipt_checks": n + 1}. */
#include "connectors/netsuite/netsuite.h"
#include "connectors/common/connector.h"

#include <stdio.h>
#include <string.h>

#define RECORD_PATH "/services/rest/record/v1/"

static bool letters_only(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z')))
            return false;
    return true;
}

static void ok_with_id(struct o2c_step *step, const char *id, struct o2c_outcome *out)
{
    o2c_outcome_ok(out);
    o2c_outcome_patch(out, netsuite_param(step, "result_key", "netsuite_id"), json_object_new_string(id));
}

/* The record <type>/eid:<eid>: true with *found set (its id copied into id) when NetSuite answered. */
static bool find_by_external_id(struct o2c_step *step, const char *type, const char *eid, bool *found, char *id,
                                size_t id_len, struct o2c_outcome *out)
{
    char path[400], what[300];
    snprintf(path, sizeof path, RECORD_PATH "%s/eid:%s", type, eid);
    snprintf(what, sizeof what, "read %s eid:%s", type, eid);
    const struct netsuite_options opt = {.not_found_ok = true};
    struct o2c_http_response res;
    if (!netsuite_send(step, "GET", path, NULL, what, &opt, &res, out))
        return false;
    *found = false;
    bool answered = true;
    if (res.status != 404) {
        json_object *answer = netsuite_parse_object(&res), *v;
        const char *got = answer && json_object_object_get_ex(answer, "id", &v) ? json_object_get_string(v) : NULL;
        if (got && netsuite_id_ok(got)) {
            snprintf(id, id_len, "%s", got);
            *found = true;
        } else {
            netsuite_classify(&res, what, out); /* a 2xx we cannot read: cut off in transit, try again */
            if (strcmp(out->name, "retry") != 0)
                o2c_outcome_retry(out, "NetSuite answered %s without a usable id", what);
            answered = false;
        }
        json_object_put(answer);
    }
    o2c_http_response_free(&res);
    return answered;
}

static void transform(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *from = o2c_step_param(step, "from_type"), *to = o2c_step_param(step, "to_type");
    const char *from_id = o2c_step_string(step, netsuite_param(step, "from_id_key", "from_id"));
    const char *eid = o2c_step_string(step, netsuite_param(step, "external_id_key", "external_id"));
    if (!letters_only(from) || !letters_only(to)) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "netsuite.transform needs params from_type and to_type, NetSuite record types");
        return;
    }
    if (!from_id || !netsuite_id_ok(from_id)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.transform needs the %s's internal id (got \"%s\")", from,
                           from_id ? from_id : "");
        return;
    }
    if (!netsuite_valid_external_id(eid)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.transform needs an external id of letters, digits, _ and - (got \"%s\")",
                           eid ? eid : "");
        return;
    }
    char id[64];
    bool found = false;
    if (!find_by_external_id(step, to, eid, &found, id, sizeof id, out))
        return;
    if (found) {
        ok_with_id(step, id, out);
        return;
    }
    json_object *given = NULL, *body;
    const char *body_key = o2c_step_param(step, "body_key");
    if (body_key && json_object_object_get_ex(o2c_step_context(step), body_key, &given) &&
        !json_object_is_type(given, json_type_object)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.transform: context \"%s\" must be a JSON object", body_key);
        return;
    }
    if (!given || json_object_deep_copy(given, &body, NULL) != 0)
        body = json_object_new_object();
    json_object_object_add(body, "externalId", json_object_new_string(eid));
    char path[400], what[300];
    snprintf(path, sizeof path, RECORD_PATH "%s/%s/!transform/%s", from, from_id, to);
    snprintf(what, sizeof what, "transform %s %s into %s %s", from, from_id, to, eid);
    struct o2c_http_response res;
    if (netsuite_send(step, "POST", path, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), what, NULL, &res,
                      out)) {
        const char *slash = strrchr(res.location, '/');
        if (slash && netsuite_id_ok(slash + 1))
            ok_with_id(step, slash + 1, out);
        else
            o2c_outcome_retry(out, "NetSuite accepted %s but sent no usable Location (\"%s\")", what, res.location);
        o2c_http_response_free(&res);
    }
    json_object_put(body);
}

/* Every line that expects goods back (it has quantityReceived) has them all. */
static bool all_received(json_object *ra)
{
    json_object *item, *lines, *q, *r;
    if (!json_object_object_get_ex(ra, "item", &item) || !json_object_object_get_ex(item, "items", &lines) ||
        !json_object_is_type(lines, json_type_array))
        return false;
    size_t expecting = 0;
    for (size_t i = 0; i < json_object_array_length(lines); i++) {
        json_object *l = json_object_array_get_idx(lines, i);
        if (!json_object_object_get_ex(l, "quantityReceived", &r))
            continue;
        expecting++;
        if (!json_object_object_get_ex(l, "quantity", &q) || json_object_get_int64(r) < json_object_get_int64(q))
            return false;
    }
    return expecting > 0;
}

static void await_receipt(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *id = o2c_step_string(step, netsuite_param(step, "id_key", "return_auth_id"));
    if (!id || !netsuite_id_ok(id)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.await_receipt needs the return authorization's internal id (got \"%s\")",
                           id ? id : "");
        return;
    }
    char path[200], what[120];
    snprintf(path, sizeof path, RECORD_PATH "returnAuthorization/%s?expandSubResources=true", id);
    snprintf(what, sizeof what, "read returnAuthorization %s", id);
    struct o2c_http_response res;
    if (!netsuite_send(step, "GET", path, NULL, what, NULL, &res, out))
        return;
    json_object *ra = netsuite_parse_object(&res), *v;
    if (!ra) {
        netsuite_classify(&res, what, out);
        if (strcmp(out->name, "retry") != 0)
            o2c_outcome_retry(out, "NetSuite answered %s with a body that is not a record", what);
        o2c_http_response_free(&res);
        return;
    }
    const char *status = json_object_object_get_ex(ra, "orderStatus", &v) ? json_object_get_string(v) : "";
    bool received = strcmp(status, "Pending Refund") == 0 || strcmp(status, "Refunded") == 0 || all_received(ra);
    if (received) {
        o2c_outcome_named(out, "received");
    } else {
        o2c_outcome_named(out, "waiting");
        json_object *wait;
        int64_t ms = json_object_object_get_ex(o2c_step_params(step), "wait_ms", &wait) && json_object_is_type(wait, json_type_int)
                         ? json_object_get_int64(wait) : 60000;
        out->delay_ms = ms > 0 && ms <= 86400000 ? (int)ms : 60000;
        o2c_outcome_patch(out, "receipt_checks", json_object_new_int64(o2c_step_int(step, "receipt_checks", 0) + 1));
    }
    o2c_outcome_patch(out, "return_status", json_object_new_string(status));
    json_object_put(ra);
    o2c_http_response_free(&res);
}

const struct o2c_action o2c_netsuite_return_actions[] = {
    {"netsuite.transform", transform, false,
     "makes one NetSuite record from another by transform, once by external id; patch result_key"},
    {"netsuite.await_receipt", await_receipt, false,
     "received when a return authorization's goods are all back, else waiting (due again after wait_ms)"},
    {NULL, NULL, false, NULL},
};
