/* NetSuite actions for pipelines.
 *   netsuite.upsert  creates or updates one record by its external id (PUT <type>/eid:<id>), so
 *                    running it again after a crash finds the record it made instead of making a
 *                    second one. The state's params say where things are, so one pipeline can
 *                    upsert a customer and then its sales order:
 *                      type             record type (else context.netsuite_type), e.g. salesOrder
 *                      external_id_key  context key of the external id (default external_id)
 *                      body_key         context key of the record body, an object or its JSON text (default body)
 *                      result_key       context key the internal id is stored under (default netsuite_id)
 *                      refs             {"entity.id": "customer_id"}: before sending, put the value
 *                                       of context key customer_id at body path entity.id
 *                      refusals         {"DUP_RCRD": "duplicate", "entity": "customer_refused"}: a
 *                                       400 refusal with that error code, or at that field (the
 *                                       error path's first part), is the named outcome, with patch
 *                                       {"refusal": NetSuite's words}, not a failure: the pipeline
 *                                       has an answer to it (find the duplicate and use it; find
 *                                       the customer again)
 *   netsuite.find    finds one record's internal id by field values with SuiteQL (POST
 *                    query/v1/suiteql, Prefer: transient), e.g. an existing customer by email:
 *                      record           SuiteQL table, letters only, e.g. customer
 *                      where            {"email": "customer_email"}: column (a-z) → context key whose
 *                                       text it must equal; values go in as '…' literals with quotes
 *                                       doubled, a value with a control character is refused
 *                      result_key       context key the id is stored under (default netsuite_id)
 *                      order_by         column deciding which row is first (default id)
 *                      ignore_case      ["email"]: where columns matched in any case, as
 *                                       UPPER(col) = the value upper-cased (an ASCII-only value;
 *                                       any other is matched exactly, see netsuite_suiteql.c)
 *                    Outcomes: found, patch {result_key: id of the first row}; not_found. A missing,
 *                    empty or non-text context value is failed (bad_input, engineering).
 *   netsuite.close_sales_order
 *                    closes an open sales order whose storefront order was cancelled. It reads the
 *                    order (GET salesOrder/eid:<id>?expandSubResources=true) and then:
 *                      every line closed already → ok, nothing sent (a re-run sends no second PATCH,
 *                        and a re-drive after ops closed it by hand finds nothing to do);
 *                      any line shipped (quantityFulfilled > 0) → failed, category
 *                        cancelled_after_shipping, owner ops, naming the order and the units shipped
 *                        (nothing is closed: someone must stop the shipment or book a return);
 *                      otherwise PATCH salesOrder/<internal id> with every line as read and
 *                        isClosed true (a sublist in a PATCH replaces the whole sublist) → ok.
 *                    ok patch: {"sales_order_closed": true, "sales_order_id": "<internal id>"}.
 *                    No such order (404 NONEXISTENT_ID / RECORD_NOT_FOUND) → not_found. Params:
 *                      external_id_key  context key of the order's external id
 *                                       (default sales_order_external_id)
 *                      lines_key        context key of a list of line numbers ([2, 3]): only these
 *                                       lines are judged and closed, the others are sent back as
 *                                       they were (a partial cancellation); default: every line
 *   netsuite.change_sales_order_lines
 *                    changes the lines of a posted sales order after the store changed the order
 *                    (o2c_action.plan_order_cancellation says how). Context key changes_key
 *                    (default line_changes): [{"line": 2, "close": true}, {"line": 3, "set":
 *                    {"quantity": 1, "amount": 80, "tax1Amt": 20, …}}]. Reads the order like
 *                    close_sales_order; every change already in effect → ok, nothing sent; a change
 *                    taking units that shipped (closing a line with any shipped, or a quantity
 *                    below what shipped) → failed cancelled_after_shipping (ops), nothing changed;
 *                    otherwise one PATCH of the whole item sublist with the changed lines changed
 *                    → ok, patch {"sales_order_changed": true, "sales_order_id"}; 404 → not_found. */
#include "connectors/netsuite/netsuite.h"
#include "connectors/common/connector.h"

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

const char *netsuite_param(struct o2c_step *step, const char *key, const char *fallback)
{
    const char *v = o2c_step_param(step, key);
    return v ? v : fallback;
}

static void upsert(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *type = o2c_step_param(step, "type");
    if (!type)
        type = o2c_step_string(step, "netsuite_type");
    const char *eid = o2c_step_string(step, netsuite_param(step, "external_id_key", "external_id"));
    const char *body_key = netsuite_param(step, "body_key", "body");
    json_object *body = NULL;
    if (!valid_record_type(type)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.upsert needs \"netsuite_type\", a NetSuite record type such as salesOrder");
        return;
    }
    if (!netsuite_valid_external_id(eid)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.upsert needs \"external_id\" of letters, digits, _ and - (got \"%s\")",
                           eid ? eid : "");
        return;
    }
    if (!(body = o2c_step_document(step, body_key))) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.upsert needs \"%s\", a JSON object (or its text)", body_key);
        return;
    }
    json_object *refs;
    if (json_object_object_get_ex(o2c_step_params(step), "refs", &refs) && json_object_is_type(refs, json_type_object)) {
        json_object_object_foreach(refs, path, from) {
            json_object *value;
            const char *key = json_object_get_string(from);
            if (!json_object_object_get_ex(o2c_step_context(step), key, &value)) {
                o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "netsuite.upsert: %s should come from context key \"%s\", which is not there yet",
                                   path, key);
                return;
            }
            set_path(body, path, value);
        }
    }
    netsuite_upsert_by_external_id(step, type, eid, body, "netsuite_id", out);
}

void netsuite_upsert_by_external_id(struct o2c_step *step, const char *type, const char *eid, json_object *body,
                                    const char *default_result_key, struct o2c_outcome *out)
{
    char path[512], what[300];
    snprintf(path, sizeof path, "/services/rest/record/v1/%s/eid:%s", type, eid);
    snprintf(what, sizeof what, "upsert %s %s", type, eid);
    struct netsuite_options opt = {0};
    json_object_object_get_ex(o2c_step_params(step), "refusals", &opt.refusals);
    struct o2c_http_response res;
    if (!netsuite_send(step, "PUT", path, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), what, &opt, &res,
                       out))
        return;
    /* The new or existing record's internal id is the last segment of Location. */
    const char *slash = strrchr(res.location, '/');
    const char *id = slash ? slash + 1 : "";
    if (!*id || strncmp(id, "eid:", 4) == 0) {
        o2c_outcome_retry(out, "NetSuite accepted %s but sent no usable Location (\"%s\")", what, res.location);
    } else {
        o2c_outcome_ok(out);
        o2c_outcome_patch(out, netsuite_param(step, "result_key", default_result_key), json_object_new_string(id));
    }
    o2c_http_response_free(&res);
}

const struct o2c_action o2c_netsuite_actions[] = {
    {"netsuite.upsert", upsert, false, "creates or updates one NetSuite record by external id; patch netsuite_id"},
    {"netsuite.find", netsuite_find, false, "finds one NetSuite record's id by field values (SuiteQL); found/not_found"},
    {"netsuite.close_sales_order", netsuite_close_sales_order, false,
     "closes a cancelled order's NetSuite sales order; shipped lines stop it for ops; ok/not_found"},
    {"netsuite.change_sales_order_lines", netsuite_change_sales_order_lines, false,
     "closes or changes the lines of a posted sales order the store changed; shipped units stop it for ops; ok/not_found"},
    {NULL, NULL, false, NULL},
};
