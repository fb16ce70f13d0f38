/* Sage 200 despatches (sop.json's read-only views), the ERP half of the fulfilment flow:
 *
 *   sage200.poll_despatches
 *        one round of the despatch poller: reads the despatches whose sop_despatch_id is above
 *        context.cursor_id (Sage numbers records upwards; "0" or absent: from the start), oldest
 *        first ($orderby=sop_despatch_id: the view's own default is newest first), in pages of
 *        page_size (default 500; at most max_pages, default 10), and starts one workflow per
 *        despatch (param child_workflow, default fulfilment_to_storefront) with business key
 *        sage200:despatch:<id> and input {"erp": "sage200", "despatch_id", "sales_order_id",
 *        "sales_order_external_id"}. A despatch read twice starts nothing twice (o2c.start is
 *        idempotent on the key), so each round reads again from overlap_ids (default 100) below
 *        the cursor: a despatch whose id was allocated before the newest one read but whose
 *        transaction committed after that read is still seen. ok patch {"next_cursor_id", "despatches_seen"}; the starts
 *        commit with it, and a failed page starts nothing (the round is redone whole).
 *   sage200.read_despatch
 *        the despatch of context.despatch_id with its lines: GET sop_order_despatch_views and
 *        sop_order_despatch_line_views filtered on sop_despatch_id. ok patch {"despatch": the
 *        view row + "lines": the line rows, oldest line first}; a despatch Sage no longer
 *        shows → not_found. */
#include "connectors/sage200/sage200.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *member(json_object *o, const char *k)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* A positive integer id, from a JSON integer or digits; 0 when it is not one. */
static int64_t id_of(json_object *v)
{
    if (!v)
        return 0;
    if (json_object_is_type(v, json_type_int))
        return json_object_get_int64(v) > 0 ? json_object_get_int64(v) : 0;
    if (!json_object_is_type(v, json_type_string))
        return 0;
    char *end = NULL;
    long long n = strtoll(json_object_get_string(v), &end, 10);
    return *json_object_get_string(v) && !*end && n > 0 ? n : 0;
}

/* GET path; the answer as an array (caller puts) or NULL with the outcome set. */
static json_object *get_array(struct o2c_step *step, const char *path, const char *what, struct o2c_outcome *out)
{
    struct o2c_http_response res;
    if (!sage200_call(step, "GET", path, NULL, what, &res, out))
        return NULL;
    json_object *rows = json_tokener_parse(res.body);
    if (!rows || !json_object_is_type(rows, json_type_array)) {
        json_object_put(rows);
        rows = NULL;
        sage200_classify(&res, what, out); /* a 200 that is no array: cut off in transit */
    }
    o2c_http_response_free(&res);
    return rows;
}

static long param_long(struct o2c_step *step, const char *key, long fallback, long lo, long hi)
{
    const char *v = o2c_step_param(step, key);
    long n = v ? strtol(v, NULL, 10) : fallback;
    return n < lo || n > hi ? fallback : n;
}

static void poll_despatches(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *child = o2c_step_param(step, "child_workflow") ? o2c_step_param(step, "child_workflow")
                                                                : "fulfilment_to_storefront";
    json_object *cursor_v = member(o2c_step_context(step), "cursor_id");
    int64_t cursor = id_of(cursor_v);
    if (cursor_v && cursor == 0 && strcmp(json_object_get_string(cursor_v), "0") != 0) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "sage200.poll_despatches needs context.cursor_id as a despatch id (got \"%.40s\")",
                           json_object_get_string(cursor_v));
        return;
    }
    long page = param_long(step, "page_size", 500, 1, 5000), max_pages = param_long(step, "max_pages", 10, 1, 100);
    long overlap = param_long(step, "overlap_ids", 100, 0, 100000);
    int64_t newest = cursor, after = cursor > overlap ? cursor - overlap : 0;
    long seen = 0;
    for (long p = 0; p < max_pages; p++) {
        char path[400], what[128];
        snprintf(path, sizeof path, "/sop_order_despatch_views?%%24filter=sop_despatch_id%%20gt%%20%" PRId64
                 "&%%24orderby=sop_despatch_id&%%24top=%ld&%%24select=sop_despatch_id%%2Csop_order_id%%2Csop_order_customer_document_no",
                 after, page);
        snprintf(what, sizeof what, "read despatches after %" PRId64, after);
        json_object *rows = get_array(step, path, what, out);
        if (!rows) {
            json_object_put(out->start); /* the round is redone whole: start nothing from a part */
            out->start = NULL;
            return;
        }
        size_t n = json_object_array_length(rows);
        for (size_t i = 0; i < n; i++) {
            json_object *row = json_object_array_get_idx(rows, i);
            int64_t id = id_of(member(row, "sop_despatch_id")), so = id_of(member(row, "sop_order_id"));
            if (id <= after)
                continue; /* not a despatch row as Sage sends one; never blocks the poller */
            after = id;
            if (id > newest)
                newest = id;
            if (so == 0)
                continue;
            char key[64], text[32];
            snprintf(key, sizeof key, "sage200:despatch:%" PRId64, id);
            json_object *input = json_object_new_object();
            json_object_object_add(input, "erp", json_object_new_string("sage200"));
            snprintf(text, sizeof text, "%" PRId64, id);
            json_object_object_add(input, "despatch_id", json_object_new_string(text));
            snprintf(text, sizeof text, "%" PRId64, so);
            json_object_object_add(input, "sales_order_id", json_object_new_string(text));
            json_object *no = member(row, "sop_order_customer_document_no");
            if (no && json_object_is_type(no, json_type_string))
                json_object_object_add(input, "sales_order_external_id", json_object_get(no));
            o2c_outcome_start(out, child, key, input);
            seen++;
        }
        json_object_put(rows);
        if (n < (size_t)page)
            break;
    }
    char text[32];
    snprintf(text, sizeof text, "%" PRId64, newest);
    o2c_outcome_ok(out);
    o2c_outcome_patch(out, "next_cursor_id", json_object_new_string(text));
    o2c_outcome_patch(out, "despatches_seen", json_object_new_int64(seen));
}

static void read_despatch(struct o2c_step *step, struct o2c_outcome *out)
{
    int64_t id = id_of(member(o2c_step_context(step), "despatch_id"));
    if (id == 0) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "sage200.read_despatch needs context.despatch_id (a Sage 200 despatch id)");
        return;
    }
    char path[256], what[96];
    snprintf(what, sizeof what, "read despatch %" PRId64, id);
    snprintf(path, sizeof path, "/sop_order_despatch_views?%%24filter=sop_despatch_id%%20eq%%20%" PRId64, id);
    json_object *views = get_array(step, path, what, out);
    if (!views)
        return;
    if (json_object_array_length(views) == 0) {
        json_object_put(views);
        o2c_outcome_named(out, "not_found");
        return;
    }
    snprintf(path, sizeof path, "/sop_order_despatch_line_views?%%24filter=sop_despatch_id%%20eq%%20%" PRId64
             "&%%24orderby=sop_despatch_line_id&%%24top=5000", id);
    json_object *lines = get_array(step, path, what, out);
    if (!lines) {
        json_object_put(views);
        return;
    }
    json_object *despatch = json_object_get(json_object_array_get_idx(views, 0));
    json_object_put(views);
    json_object_object_add(despatch, "lines", lines);
    o2c_outcome_ok(out);
    o2c_outcome_patch(out, "despatch", despatch);
}

const struct o2c_action o2c_sage200_despatch_actions[] = {
    {"sage200.poll_despatches", poll_despatches, false,
     "one round of the despatch poller: starts one workflow per Sage 200 despatch after the cursor", false},
    {"sage200.read_despatch", read_despatch, false, "reads one Sage 200 despatch with its lines; ok/not_found", false},
    {NULL, NULL, false, NULL, false},
};
