/* netsuite.find: one record's internal id by field values, with SuiteQL (documented in
 * netsuite_actions.c). The values come from the workflow's context, so from other systems: they
 * go into the query only as escaped literals (netsuite_suiteql.c). */
#include "connectors/netsuite/netsuite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WHERE 8
#define SUITEQL_PATH "/services/rest/query/v1/suiteql?limit=1" /* only the first row is used */

struct lookup {
    const char *record, *order_by, *result_key;
    size_t n;
    const char *columns[MAX_WHERE], *keys[MAX_WHERE], *values[MAX_WHERE];
    bool ignore_case[MAX_WHERE]; /* compare UPPER(column) with the value upper-cased */
};

/* Param "ignore_case": the where columns NetSuite must match whatever their case, e.g. ["email"]
 * (a shopper's email arrives lowercased; the customer may have been typed in as
 * Anna.Berg@Example.se). Anything but a list of where's columns is the pipeline's mistake. */
static bool read_ignore_case(struct o2c_step *step, struct lookup *l, struct o2c_outcome *out)
{
    json_object *list;
    for (size_t i = 0; i < l->n; i++)
        l->ignore_case[i] = false;
    if (!json_object_object_get_ex(o2c_step_params(step), "ignore_case", &list))
        return true;
    if (!json_object_is_type(list, json_type_array)) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "netsuite.find: param \"ignore_case\" must be a list of where columns, e.g. [\"email\"] "
                           "(got %.100s)", json_object_to_json_string_ext(list, JSON_C_TO_STRING_PLAIN));
        return false;
    }
    for (size_t k = 0; k < json_object_array_length(list); k++) {
        json_object *item = json_object_array_get_idx(list, k);
        const char *column = json_object_is_type(item, json_type_string) ? json_object_get_string(item) : NULL;
        size_t i = 0;
        while (column && i < l->n && strcmp(l->columns[i], column) != 0)
            i++;
        if (!column || i == l->n) {
            o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "netsuite.find: param \"ignore_case\" names %.100s, which is not a column of \"where\" "
                               "(it must list where columns, e.g. [\"email\"])",
                               json_object_to_json_string_ext(item, JSON_C_TO_STRING_PLAIN));
            return false;
        }
        l->ignore_case[i] = true;
    }
    return true;
}

/* The state's params: which table, which columns, in which order. A mistake here is the
 * pipeline's, so it is engineering's to fix whatever the data. */
static bool read_params(struct o2c_step *step, struct lookup *l, struct o2c_outcome *out)
{
    l->record = o2c_step_param(step, "record");
    l->order_by = netsuite_param(step, "order_by", "id");
    l->result_key = netsuite_param(step, "result_key", "netsuite_id");
    json_object *where;
    if (!netsuite_suiteql_name(l->record, true) || !netsuite_suiteql_name(l->order_by, false)) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "netsuite.find needs params \"record\", a SuiteQL table of letters such as customer, and "
                           "\"order_by\" (default id), a column of a-z (got \"%s\", \"%s\")",
                           l->record ? l->record : "", l->order_by);
        return false;
    }
    if (!json_object_object_get_ex(o2c_step_params(step), "where", &where) ||
        !json_object_is_type(where, json_type_object) || json_object_object_length(where) == 0 ||
        json_object_object_length(where) > MAX_WHERE) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "netsuite.find needs param \"where\": 1 to %d columns, each naming the context key "
                           "whose value it must equal, e.g. {\"email\": \"customer_email\"}", MAX_WHERE);
        return false;
    }
    l->n = 0;
    json_object_object_foreach(where, column, key) {
        if (!netsuite_suiteql_name(column, false) || !json_object_is_type(key, json_type_string)) {
            o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "netsuite.find: where column \"%s\" must be a-z only and name a context key", column);
            return false;
        }
        l->columns[l->n] = column;
        l->keys[l->n] = json_object_get_string(key);
        l->n++;
    }
    return read_ignore_case(step, l, out);
}

/* The values to look for, from the context. An empty one would find nothing or, worse, the
 * wrong record, so it stops the workflow with the key that is missing; a control character means
 * the data was damaged on its way here, and is refused rather than sent. */
static bool read_values(struct o2c_step *step, struct lookup *l, struct o2c_outcome *out)
{
    for (size_t i = 0; i < l->n; i++) {
        json_object *v = NULL;
        bool present = json_object_object_get_ex(o2c_step_context(step), l->keys[i], &v);
        l->values[i] = o2c_step_string(step, l->keys[i]);
        if (!l->values[i] || !*l->values[i]) {
            const char *why = !present ? "is not in the context" : l->values[i] ? "is empty" : "is not text";
            o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.find: context key \"%s\" (the %s.%s to look for) %s", l->keys[i],
                               l->record, l->columns[i], why);
            return false;
        }
        if (!netsuite_suiteql_value_ok(l->values[i])) {
            o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.find: context key \"%s\" (the %s.%s to look for) holds a control "
                               "character, which no %s has: the value was damaged before it got here",
                               l->keys[i], l->record, l->columns[i], l->columns[i]);
            return false;
        }
    }
    return true;
}

/* The first row's id from SuiteQL's answer; "" when there are no rows, NULL when the answer is
 * not SuiteQL's shape. */
static const char *first_id(json_object *answer)
{
    json_object *items, *id;
    if (!json_object_object_get_ex(answer, "items", &items) || !json_object_is_type(items, json_type_array))
        return NULL;
    if (json_object_array_length(items) == 0)
        return "";
    json_object *row = json_object_array_get_idx(items, 0);
    if (!json_object_object_get_ex(row, "id", &id) ||
        !(json_object_is_type(id, json_type_string) || json_object_is_type(id, json_type_int)))
        return NULL;
    const char *s = json_object_get_string(id);
    return *s ? s : NULL;
}

static void report(const struct lookup *l, const struct o2c_http_response *res,
                   const char *what, struct o2c_outcome *out)
{
    json_object *answer = netsuite_parse_object(res);
    if (!answer) {
        netsuite_classify(res, what, out); /* a 2xx we cannot read: cut off in transit, try again */
        return;
    }
    const char *id = first_id(answer);
    if (!id) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "NetSuite's answer to %s has no items with an id (%.200s)", what, res->body);
    } else if (!*id) {
        o2c_outcome_named(out, "not_found");
    } else {
        o2c_outcome_named(out, "found");
        o2c_outcome_patch(out, l->result_key, json_object_new_string(id));
    }
    json_object_put(answer);
}

void netsuite_find(struct o2c_step *step, struct o2c_outcome *out)
{
    struct lookup l;
    if (!read_params(step, &l, out) || !read_values(step, &l, out))
        return;
    char err[200];
    char *query = netsuite_suiteql_find_query(l.record, l.n, l.columns, l.values, l.ignore_case, l.order_by, err,
                                              sizeof err);
    if (!query) { /* names and values were checked above: only memory can have run out */
        o2c_outcome_retry(out, "netsuite.find could not build its query: %s", err);
        return;
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "q", json_object_new_string(query));
    char what[200];
    snprintf(what, sizeof what, "find %s by %s%s", l.record, l.columns[0], l.n > 1 ? " and more" : "");
    const struct netsuite_options opt = {.header = "Prefer: transient"};
    struct o2c_http_response res;
    if (netsuite_send(step, "POST", SUITEQL_PATH, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), what,
                      &opt, &res, out)) {
        report(&l, &res, what, out);
        o2c_http_response_free(&res);
    }
    json_object_put(body);
    free(query);
}
