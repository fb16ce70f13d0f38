/* The Sage 200 actions. Sage 200 has no upsert and no external id, so exactly-once rests on
 * searching by a key field before every create attempt:
 *
 *   sage200.find_or_create  params: collection ("customers", "sop_orders"), key_field (the field
 *       that names the record for good: "reference", "customer_document_no"), key_key (the
 *       context key holding its value), result_key (the context key the record's id goes to),
 *       body_key (the context key holding the body to create, an object or its JSON text; absent:
 *       find only), refs
 *       ({"<body field>": "<context key>"}: ids from earlier steps, sent as integers),
 *       expect_total_key (a context key holding the gross total the record must have, to the
 *       penny: Sage computes its own totals), total_field (the record's field holding it:
 *       default total_gross_value), found_outcome and created_outcome (the outcomes to answer:
 *       default "ok" for both; "found" when finding only), post_to (a posting resource such as
 *       "sales_credit_notes" or "bank_receipt": the body is POSTed there, Sage answers only a
 *       URN, and the posted transaction is then found in the collection by its key).
 *     Searches GET /<collection>?$filter=<key_field> eq '<value>'; found → found_outcome; else
 *     POST the body → created_outcome; find only and none → "not_found". A create whose answer
 *     was lost is found by the next attempt's search. The id goes to result_key as text.
 *     A total that differs → failed total_mismatch, naming the record (its id is kept).
 *
 *   sage200.delete_found  params: collection ("sop_orders"), key_field, key_key (as above).
 *     Searches by the key; none → "not_found"; found → DELETE /<collection>/{id} → ok (patch
 *     deleted_id). A record a user has open answers "in use" → locked (retried on the state's lock
 *     budget, then an exception for ops naming the record and the user); Sage refusing (an order
 *     already despatched) → failed remote_rejected with its words. A delete whose answer was lost
 *     is found gone by the retry's search: "not_found" then means "not there any more". */
#include "connectors/sage200/sage200.h"


#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool plain_name(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

/* The context value of key as text (a string, or an integer written out); NULL when absent. */
static const char *context_text(struct o2c_step *step, const char *key, char *buf, size_t len)
{
    json_object *v = NULL;
    if (!key || !json_object_object_get_ex(o2c_step_context(step), key, &v) || !v)
        return NULL;
    if (json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    if (json_object_is_type(v, json_type_int)) {
        snprintf(buf, len, "%" PRId64, json_object_get_int64(v));
        return buf;
    }
    return NULL;
}

/* The record's id, and whether its total is what was expected. False when it has no id. */
static bool read_record(json_object *rec, int64_t *id)
{
    json_object *v;
    if (!rec || !json_object_is_type(rec, json_type_object) || !json_object_object_get_ex(rec, "id", &v) ||
        !json_object_is_type(v, json_type_int))
        return false;
    *id = json_object_get_int64(v);
    return *id > 0;
}

/* The record's field holding the total the step checks (param total_field; a plain name). */
static const char *total_field_of(struct o2c_step *step)
{
    const char *f = o2c_step_param(step, "total_field");
    return f && plain_name(f) ? f : "total_gross_value";
}

/* Sets ok-ish outcome `name` with the id, or failed total_mismatch when the total differs. */
static void settle(struct o2c_step *step, json_object *rec, int64_t id, const char *name, const char *what,
                   struct o2c_outcome *out)
{
    const char *result_key = o2c_step_param(step, "result_key");
    const char *total_key = o2c_step_param(step, "expect_total_key");
    const char *total_field = total_field_of(step);
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%" PRId64, id);
    if (total_key) {
        json_object *want_v = NULL, *got_v = NULL;
        json_object_object_get_ex(o2c_step_context(step), total_key, &want_v);
        json_object_object_get_ex(rec, total_field, &got_v);
        int64_t want, got;
        if (!sage200_decimal(want_v, 2, &want)) {
            o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "context %s holds no amount to check %s against", total_key, what);
            return;
        }
        if (!sage200_decimal(got_v, 2, &got)) {
            o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Sage 200 answered %s (id %s) without a readable %s",
                               what, id_text, total_field);
            return;
        }
        if (want != got) {
            int64_t diff = want - got, mag = diff < 0 ? -diff : diff;
            o2c_outcome_failed(out, O2C_FAIL_TOTAL_MISMATCH,
                               "Sage 200 holds %s as record %s with a gross total of %s, but the order charged %s "
                               "(difference %s%" PRId64 ".%02" PRId64 "); check the order in Sage 200",
                               what, id_text, json_object_get_string(got_v), json_object_get_string(want_v),
                               diff < 0 ? "-" : "", mag / 100, mag % 100);
            o2c_outcome_patch(out, result_key, json_object_new_string(id_text));
            return;
        }
    }
    o2c_outcome_named(out, name);
    o2c_outcome_patch(out, result_key, json_object_new_string(id_text));
}

/* Searches the collection for the record whose key_field is the value (literal: encoded); the
 * lowest id first, so two copies made by someone else still give one answer. 1: found (outcome
 * set; with id_only, *id_only set and no outcome unless it has no id), 0: none, -1: the search
 * failed (outcome set). */
static int search(struct o2c_step *step, const char *collection, const char *key_field, const char *literal,
                  bool with_total, const char *what, int64_t *id_only, struct o2c_outcome *out)
{
    char path[1400];
    snprintf(path, sizeof path, "/%s?%%24filter=%s%%20eq%%20%%27%s%%27&%%24orderby=id&%%24top=2&%%24select=id,%s%s%s",
             collection, key_field, literal, key_field, with_total ? "," : "", with_total ? total_field_of(step) : "");
    struct o2c_http_response res;
    if (!sage200_call(step, "GET", path, NULL, what, &res, out))
        return -1;
    json_object *found = json_tokener_parse(res.body);
    if (!found || !json_object_is_type(found, json_type_array)) {
        json_object_put(found);
        /* A 200 that is not an array: most likely cut off in transit. */
        sage200_classify(&res, what, out);
        o2c_http_response_free(&res);
        return -1;
    }
    o2c_http_response_free(&res);
    int answer = 0;
    if (json_object_array_length(found) > 0) {
        int64_t id;
        json_object *rec = json_object_array_get_idx(found, 0);
        const char *name = o2c_step_param(step, "found_outcome");
        if (!read_record(rec, &id))
            o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Sage 200 found %s but answered no record id", what);
        else if (id_only)
            *id_only = id;
        else
            settle(step, rec, id, name ? name : o2c_step_param(step, "body_key") ? "ok" : "found", what, out);
        answer = 1;
    }
    json_object_put(found);
    return answer;
}

/* The key that names a record for good, read from the context (key_key), with the words that
 * name it in messages and its OData literal. False with the outcome set when it is missing or
 * cannot be searched for. */
struct record_key {
    const char *value;
    char number[32], what[256], literal[1024];
};

static bool read_key(struct o2c_step *step, const char *collection, const char *key_field, const char *key_key,
                     const char *verb, struct record_key *k, struct o2c_outcome *out)
{
    k->value = context_text(step, key_key, k->number, sizeof k->number);
    if (!k->value || !*k->value) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "context %s is missing: nothing names the %s record to %s", key_key,
                           collection, verb);
        return false;
    }
    snprintf(k->what, sizeof k->what, "%s %s '%s'", collection, key_field, k->value);
    if (!sage200_filter_literal(k->value, k->literal, sizeof k->literal)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "%s: the value cannot be searched for (a control character, or too long)",
                           k->what);
        return false;
    }
    return true;
}

static void find_or_create(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *collection = o2c_step_param(step, "collection");
    const char *key_field = o2c_step_param(step, "key_field");
    const char *key_key = o2c_step_param(step, "key_key");
    const char *result_key = o2c_step_param(step, "result_key");
    const char *body_key = o2c_step_param(step, "body_key");
    const char *total_key = o2c_step_param(step, "expect_total_key");
    const char *post_to = o2c_step_param(step, "post_to");
    if (!plain_name(collection) || !plain_name(key_field) || !key_key || !result_key || !*result_key ||
        (post_to && !plain_name(post_to))) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "sage200.find_or_create needs params collection, key_field, key_key "
                           "and result_key (collection, key_field and post_to in a-z, 0-9 and _)");
        return;
    }
    struct record_key k;
    if (!read_key(step, collection, key_field, key_key, "find", &k, out))
        return;
    const char *key = k.value, *what = k.what, *literal = k.literal;
    /* The search, before every create attempt. */
    int found = search(step, collection, key_field, literal, total_key != NULL, what, NULL, out);
    if (found != 0)
        return;
    if (!body_key) {
        o2c_outcome_named(out, "not_found");
        return;
    }

    json_object *given = o2c_step_document(step, body_key);
    if (!given) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "context %s holds no body to create %s with", body_key, what);
        return;
    }
    json_object *body = NULL;
    json_object_deep_copy(given, &body, NULL);
    /* The key the record is found by is the key it is made with. */
    json_object *kv = NULL;
    if (!json_object_object_get_ex(body, key_field, &kv) || !json_object_is_type(kv, json_type_string) ||
        strcmp(json_object_get_string(kv), key) != 0) {
        json_object_put(body);
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "the body in %s does not carry %s = '%s': it could never be found again",
                           body_key, key_field, key);
        return;
    }
    json_object *refs = json_object_object_get(o2c_step_params(step), "refs");
    if (refs && json_object_is_type(refs, json_type_object)) {
        json_object_object_foreach(refs, field, ctx_key) {
            char buf[32];
            const char *ref = context_text(step, json_object_get_string(ctx_key), buf, sizeof buf);
            char *end = NULL;
            long long v = ref ? strtoll(ref, &end, 10) : 0;
            if (!ref || !*ref || *end || v <= 0) {
                json_object_put(body);
                o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "context %s holds no Sage 200 id for %s of %s",
                                   json_object_get_string(ctx_key), field, what);
                return;
            }
            json_object_object_add(body, field, json_object_new_int64(v));
        }
    }
    struct o2c_http_response res;
    char post_path[128];
    snprintf(post_path, sizeof post_path, "/%s", post_to ? post_to : collection);
    char create_what[300];
    snprintf(create_what, sizeof create_what, "create %s", what);
    bool sent = sage200_call(step, "POST", post_path, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN),
                             create_what, &res, out);
    json_object_put(body);
    if (!sent) {
        /* Made meanwhile under the same key (a customer reference is unique: two orders of one new
         * shopper raced): Sage refuses the create naming the key; the record is there, so find it. */
        json_object *field = NULL;
        if (strcmp(out->name, "failed") == 0 && out->detail &&
            json_object_object_get_ex(out->detail, "remote_field", &field) &&
            strcmp(json_object_get_string(field), key_field) == 0) {
            o2c_outcome_clear(out);
            if (search(step, collection, key_field, literal, total_key != NULL, what, NULL, out) == 0)
                o2c_outcome_retry(out, "Sage 200 says %s exists already, yet its search does not find it", what);
        }
        return;
    }
    json_object *made = json_tokener_parse(res.body);
    int64_t id;
    json_object *urn = NULL;
    if (post_to && made && json_object_object_get_ex(made, "urn", &urn)) {
        /* Posted: the transaction is found by its key, like one an earlier attempt posted. */
        o2c_http_response_free(&res);
        json_object_put(made);
        if (search(step, collection, key_field, literal, total_key != NULL, what, NULL, out) == 0)
            o2c_outcome_retry(out, "Sage 200 posted %s (URN answered), yet its search does not find it yet", what);
        return;
    }
    if (!read_record(made, &id))
        /* Cut off in transit, most likely: the record may exist; the retry's search finds it. */
        sage200_classify(&res, create_what, out);
    else
        settle(step, made, id, o2c_step_param(step, "created_outcome") ? o2c_step_param(step, "created_outcome") : "ok",
               what, out);
    json_object_put(made);
    o2c_http_response_free(&res);
}

static void delete_found(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *collection = o2c_step_param(step, "collection");
    const char *key_field = o2c_step_param(step, "key_field");
    const char *key_key = o2c_step_param(step, "key_key");
    if (!plain_name(collection) || !plain_name(key_field) || !key_key) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "sage200.delete_found needs params collection, key_field and key_key "
                           "(collection and key_field in a-z, 0-9 and _)");
        return;
    }
    struct record_key k;
    if (!read_key(step, collection, key_field, key_key, "delete", &k, out))
        return;
    const char *what = k.what, *literal = k.literal;
    int64_t id = 0;
    int found = search(step, collection, key_field, literal, false, what, &id, out);
    if (found < 0 || (found == 1 && id <= 0))
        return;
    if (found == 0) {
        o2c_outcome_named(out, "not_found");
        return;
    }
    char path[160], delete_what[300];
    snprintf(path, sizeof path, "/%s/%" PRId64, collection, id);
    snprintf(delete_what, sizeof delete_what, "delete %s (record %" PRId64 ")", what, id);
    struct o2c_http_response res;
    if (!sage200_call(step, "DELETE", path, NULL, delete_what, &res, out))
        return;
    o2c_http_response_free(&res);
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%" PRId64, id);
    o2c_outcome_named(out, "ok");
    o2c_outcome_patch(out, "deleted_id", json_object_new_string(id_text));
}

const struct o2c_action o2c_sage200_actions[] = {
    {"sage200.find_or_create", find_or_create, false,
     "finds a Sage 200 record by a key field (customer reference, customer_document_no), or creates it", false},
    {"sage200.delete_found", delete_found, false,
     "finds a Sage 200 record by a key field and deletes it (a sales order cancelled in the storefront)", false},
    {NULL, NULL, false, NULL, false},
};
