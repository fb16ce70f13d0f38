/* netsuite.read_customers: one round of the customer directory import (workflows/
 * customer_directory.sql). NetSuite's customers with an email, read with SuiteQL in pages of
 * 1,000 by internal id after context.after_id (absent: from the first), up to max_rows (param,
 * default 5000) a round. Internal ids only grow, so a round never skips a customer made while the
 * import runs, and thousands stamped in one second (a bulk import in NetSuite) page like any
 * others; a customer whose email changes later is found by order_to_cash's duplicate handling.
 *
 * Patch: customers [{id, email}] (the emails as NetSuite has them; o2c normalises), after_id (the
 * highest id read, unchanged when none), complete (true when NetSuite has nothing after it). */
#include "connectors/netsuite/netsuite.h"
#include "connectors/common/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void read_customers(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *after = o2c_step_string(step, "after_id");
    if (after && !netsuite_id_ok(after)) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "netsuite.read_customers: context.after_id \"%.40s\" is not "
                           "a NetSuite internal id", after);
        return;
    }
    const char *max_text = o2c_step_param(step, "max_rows");
    long max_rows = max_text ? strtol(max_text, NULL, 10) : 5000;
    if (max_rows < NETSUITE_SUITEQL_PAGE)
        max_rows = NETSUITE_SUITEQL_PAGE;

    struct o2c_strbuf q = {0};
    o2c_strbuf_str(&q, "SELECT id, email FROM customer WHERE email IS NOT NULL");
    if (after) { /* checked above: digits only */
        o2c_strbuf_str(&q, " AND id > ");
        o2c_strbuf_str(&q, after);
    }
    o2c_strbuf_str(&q, " ORDER BY id");
    if (q.failed) {
        free(q.s);
        o2c_outcome_retry(out, "netsuite.read_customers: out of memory");
        return;
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "q", json_object_new_string(q.s));
    free(q.s);

    json_object *customers = json_object_new_array();
    char last[24];
    snprintf(last, sizeof last, "%s", after ? after : "");
    bool ok = true, more = false;
    for (long offset = 0; ok && offset < max_rows; offset += NETSUITE_SUITEQL_PAGE) {
        char what[96];
        snprintf(what, sizeof what, "read customers after id %s (offset %ld)", after ? after : "0", offset);
        json_object *answer, *items;
        ok = netsuite_suiteql_page(step, body, offset, what, &answer, &items, &more, out);
        for (size_t i = 0; ok && i < json_object_array_length(items); i++) {
            json_object *row = json_object_array_get_idx(items, i);
            const char *id = netsuite_row_text(row, "id"), *email = netsuite_row_text(row, "email");
            if (!netsuite_id_ok(id)) {
                o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "NetSuite's customer row %zu has no internal id: %.200s", i,
                                   json_object_to_json_string(row));
                ok = false;
                break;
            }
            /* Ids grow with each row (ORDER BY id): the last one read is the highest. */
            snprintf(last, sizeof last, "%s", id);
            if (!email || !*email)
                continue;
            json_object *c = json_object_new_object();
            json_object_object_add(c, "id", json_object_new_string(id));
            json_object_object_add(c, "email", json_object_new_string(email));
            json_object_array_add(customers, c);
        }
        json_object_put(answer);
        if (!more)
            break;
    }
    json_object_put(body);
    if (!ok) {
        json_object_put(customers);
        return;
    }
    o2c_outcome_ok(out);
    o2c_outcome_patch(out, "customers", customers);
    if (last[0])
        o2c_outcome_patch(out, "after_id", json_object_new_string(last));
    o2c_outcome_patch(out, "complete", json_object_new_boolean(!more));
}

const struct o2c_action o2c_netsuite_customer_actions[] = {
    {"netsuite.read_customers", read_customers, false,
     "one round of the customer directory import: NetSuite customers with an email, by internal id (SuiteQL)"},
    {NULL, NULL, false, NULL},
};
