/* NetSuite actions of the fulfilment and returns round trip.
 *
 *   netsuite.poll_fulfilments
 *        one round of the fulfilment poller: reads the item fulfilments (SuiteQL transaction.type
 *        'ItemShip', shipped: status 'C') whose last-modified time is at or after context.cursor
 *        ('YYYY-MM-DD HH24:MI:SS', UTC), oldest first, in SuiteQL pages of 1,000 (at
 *        most max_pages, default 10), and starts one workflow per fulfilment (param
 *        child_workflow, default fulfilment_to_storefront) with business key
 *        netsuite:fulfilment:<id> and input {"fulfilment_id", "sales_order_id", "netsuite_at"}.
 *        NetSuite keeps whole seconds, so the next round reads from the newest second seen again
 *        (>=): a fulfilment saved in that second after this read is not skipped, and one read
 *        twice starts nothing twice (o2c.start is idempotent on the business key). ok patch:
 *        {"next_cursor", "fulfilments_seen"}; the starts commit with it.
 *   netsuite.get_record
 *        reads one record with its sublists (GET <type>/<id>?expandSubResources=true). Params:
 *        type (record type), id_key (context key of the internal id; a dotted path such as
 *        fulfilment.createdFrom.id reaches into an object), result_key (default record). ok patch
 *        {result_key: the record}; a record NetSuite does not have → not_found.
 *   netsuite.transform
 *        creates a record from another exactly once: POST <from>/<id>/!transform/<to> with the
 *        body at context body_key, after looking for one already made with the external id the
 *        body carries (SuiteQL transaction.externalid). Params: from, to, id_key, body_key,
 *        result_key. ok patch {result_key: internal id}. */
#include "connectors/netsuite/netsuite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUITEQL "/services/rest/query/v1/suiteql"
#define RECORDS "/services/rest/record/v1/"

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* A context value by dotted path ("fulfilment.createdFrom.id"), as text; NULL when absent. */
static const char *context_path(struct o2c_step *step, const char *path)
{
    char copy[256];
    if (!path || strlen(path) >= sizeof copy)
        return NULL;
    snprintf(copy, sizeof copy, "%s", path);
    json_object *v = o2c_step_context(step);
    for (char *save = NULL, *part = strtok_r(copy, ".", &save); part && v; part = strtok_r(NULL, ".", &save))
        v = member(v, part);
    if (!v || !(json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_int)))
        return NULL;
    return json_object_get_string(v);
}

static bool record_type_ok(const char *t)
{
    return t && netsuite_suiteql_name(t, true);
}

/* ---- netsuite.poll_fulfilments --------------------------------------------------------------- */

static void poll_fulfilments(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *cursor = o2c_step_string(step, "cursor");
    const char *child = netsuite_param(step, "child_workflow", "fulfilment_to_storefront");
    int64_t max_pages = o2c_step_int(step, "max_pages", 10);
    if (!netsuite_cursor_ok(cursor)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.poll_fulfilments needs context.cursor as 'YYYY-MM-DD HH24:MI:SS' (got \"%s\")",
                           cursor ? cursor : "");
        return;
    }
    if (max_pages < 1 || max_pages > 100)
        max_pages = 10;
    char query[512];
    snprintf(query, sizeof query,
             "SELECT t.id, tl.createdfrom, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified "
             "FROM transaction t JOIN transactionline tl ON tl.transaction = t.id "
             "WHERE t.type = 'ItemShip' AND tl.mainline = 'T' AND t.status = 'C' "
             "AND t.lastmodifieddate >= TO_TIMESTAMP('%s', 'YYYY-MM-DD HH24:MI:SS') "
             "ORDER BY t.lastmodifieddate, t.id",
             cursor);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "q", json_object_new_string(query));
    char newest[32];
    snprintf(newest, sizeof newest, "%s", cursor);
    long seen = 0;
    bool more = true;
    for (int64_t page = 0; page < max_pages && more; page++) {
        char what[96];
        snprintf(what, sizeof what, "read item fulfilments since %s (page %lld)", cursor, (long long)page + 1);
        json_object *answer, *items;
        if (!netsuite_suiteql_page(step, body, (long)(page * NETSUITE_SUITEQL_PAGE), what, &answer, &items, &more, out)) {
            json_object_put(out->start); /* the round is redone whole: start nothing from a part */
            out->start = NULL;
            json_object_put(body);
            return;
        }
        for (size_t i = 0; i < json_object_array_length(items); i++) {
            json_object *row = json_object_array_get_idx(items, i);
            const char *id = json_object_get_string(member(row, "id"));
            const char *so = json_object_get_string(member(row, "createdfrom"));
            const char *modified = json_object_get_string(member(row, "modified"));
            if (!netsuite_id_ok(id) || !netsuite_cursor_ok(modified))
                continue; /* not a fulfilment row as SuiteQL sends one; never happens, never blocks */
            char key[64];
            snprintf(key, sizeof key, "netsuite:fulfilment:%s", id);
            json_object *input = json_object_new_object();
            json_object_object_add(input, "fulfilment_id", json_object_new_string(id));
            if (so)
                json_object_object_add(input, "sales_order_id", json_object_new_string(so));
            json_object_object_add(input, "netsuite_at", json_object_new_string(modified));
            o2c_outcome_start(out, child, key, input);
            if (strcmp(modified, newest) > 0)
                snprintf(newest, sizeof newest, "%s", modified);
            seen++;
        }
        json_object_put(answer);
    }
    json_object_put(body);
    o2c_outcome_ok(out);
    o2c_outcome_patch(out, "next_cursor", json_object_new_string(newest));
    o2c_outcome_patch(out, "fulfilments_seen", json_object_new_int64(seen));
}

/* ---- netsuite.get_record ------------------------------------------------------------------------ */

static void get_record(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *type = o2c_step_param(step, "type"), *id_key = o2c_step_param(step, "id_key");
    const char *id = context_path(step, id_key);
    if (!record_type_ok(type) || !id_key) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "netsuite.get_record needs params \"type\" (a record type) and \"id_key\" (a context key)");
        return;
    }
    if (!netsuite_id_ok(id)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.get_record: context %s is not a NetSuite internal id (\"%s\")", id_key,
                           id ? id : "");
        return;
    }
    char path[256], what[128];
    snprintf(path, sizeof path, RECORDS "%s/%s?expandSubResources=true", type, id);
    snprintf(what, sizeof what, "read %s %s", type, id);
    const struct netsuite_options opt = {.not_found_ok = true};
    struct o2c_http_response res;
    if (!netsuite_send(step, "GET", path, NULL, what, &opt, &res, out))
        return;
    if (res.status == 404) {
        o2c_outcome_named(out, "not_found");
    } else {
        json_object *record = netsuite_parse_object(&res);
        if (!record || !netsuite_id_ok(json_object_get_string(member(record, "id")))) {
            if (record)
                o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "NetSuite's answer to %s has no internal id (%.200s)", what, res.body);
            else
                netsuite_classify(&res, what, out);
            json_object_put(record);
        } else {
            json_object_object_del(record, "links");
            o2c_outcome_ok(out);
            o2c_outcome_patch(out, netsuite_param(step, "result_key", "record"), record);
        }
    }
    o2c_http_response_free(&res);
}

/* ---- netsuite.transform ------------------------------------------------------------------------- */

/* The internal id of a transaction with this external id: "" when there is none, NULL with the
 * outcome set when NetSuite did not answer usably. malloc'd. */
static char *transaction_by_external_id(struct o2c_step *step, const char *eid, struct o2c_outcome *out)
{
    char *literal = netsuite_suiteql_literal(eid);
    char query[400];
    snprintf(query, sizeof query, "SELECT t.id FROM transaction t WHERE t.externalid = %s ORDER BY t.id", literal);
    free(literal);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "q", json_object_new_string(query));
    char what[300];
    snprintf(what, sizeof what, "find transaction %s", eid);
    const struct netsuite_options opt = {.header = "Prefer: transient"};
    struct o2c_http_response res;
    char *found = NULL;
    if (netsuite_send(step, "POST", SUITEQL "?limit=1", json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN),
                      what, &opt, &res, out)) {
        json_object *answer = netsuite_parse_object(&res), *items = member(answer, "items");
        if (!answer || !items || !json_object_is_type(items, json_type_array))
            netsuite_classify(&res, what, out);
        else if (json_object_array_length(items) == 0)
            found = strdup("");
        else
            found = strdup(json_object_get_string(member(json_object_array_get_idx(items, 0), "id")));
        json_object_put(answer);
        o2c_http_response_free(&res);
    }
    json_object_put(body);
    return found;
}

static void transform(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *from = o2c_step_param(step, "from"), *to = o2c_step_param(step, "to");
    const char *id_key = o2c_step_param(step, "id_key");
    const char *result_key = netsuite_param(step, "result_key", "netsuite_id");
    json_object *body = o2c_step_document(step, netsuite_param(step, "body_key", "body"));
    const char *id = context_path(step, id_key);
    const char *eid = json_object_get_string(member(body, "externalId"));
    if (!record_type_ok(from) || !record_type_ok(to) || !id_key) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "netsuite.transform needs params \"from\", \"to\" (record types) and \"id_key\"");
        return;
    }
    if (!netsuite_id_ok(id) || !body || !json_object_is_type(body, json_type_object) || !netsuite_valid_external_id(eid)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.transform %s → %s needs the source's internal id at %s (\"%s\") and a body "
                           "with a valid externalId", from, to, id_key, id ? id : "");
        return;
    }
    /* Exactly once: a transform has no upsert, so look for the one a crashed run made first. */
    char *existing = transaction_by_external_id(step, eid, out);
    if (!existing)
        return;
    if (*existing) {
        o2c_outcome_ok(out);
        o2c_outcome_patch(out, result_key, json_object_new_string(existing));
        free(existing);
        return;
    }
    free(existing);
    char path[256], what[200];
    snprintf(path, sizeof path, RECORDS "%s/%s/!transform/%s", from, id, to);
    snprintf(what, sizeof what, "transform %s %s into %s %s", from, id, to, eid);
    struct o2c_http_response res;
    if (!netsuite_call(step, "POST", path, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), what, &res, out))
        return;
    const char *slash = strrchr(res.location, '/');
    const char *new_id = slash ? slash + 1 : "";
    if (!netsuite_id_ok(new_id)) {
        o2c_outcome_retry(out, "NetSuite accepted %s but sent no usable Location (\"%s\")", what, res.location);
    } else {
        o2c_outcome_ok(out);
        o2c_outcome_patch(out, result_key, json_object_new_string(new_id));
    }
    o2c_http_response_free(&res);
}

const struct o2c_action o2c_netsuite_fulfil_actions[] = {
    {"netsuite.poll_fulfilments", poll_fulfilments, false,
     "one round of the item fulfilment poller: starts one workflow per shipped fulfilment since the cursor"},
    {"netsuite.get_record", get_record, false, "reads one NetSuite record with its sublists; ok/not_found"},
    {"netsuite.transform", transform, false,
     "creates a record from another (salesOrder → returnAuthorization …) once, by the body's external id"},
    {NULL, NULL, false, NULL},
};
