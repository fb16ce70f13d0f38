/* netsuite.read_stock: NetSuite's stock per item and location changed since a cursor, read with
 * SuiteQL from inventoryitemlocations (quantityonhand, quantitycommitted,
 * lastquantityavailablechange), every page of it in one step.
 *
 * Context in:  cursor   "YYYY-MM-DD HH24:MI:SS" (UTC), the newest change time already recorded;
 *                       absent on the first round (then everything is read). The cursor's own
 *                       second is read again (>=): NetSuite stamps changes to the second, and a
 *                       second change within it must not be skipped. Reading a row twice is
 *                       harmless: sql.stock_record keeps the newest reading.
 * Params:      full     "true": ignore the cursor (a full comparison reads everything)
 *              max_rows the most rows one step reads (default 20000); the rest comes next round
 * Patch out:   levels   [{item, location, on_hand, committed, as_of}] (numbers as NetSuite's text)
 *              read_at  when the answer came, UTC with microseconds: breaks ties between two
 *                       readings stamped in the same second (the later one saw more)
 * A row without item, location or quantities is NetSuite's bad data: failed remote_data. */
#include "connectors/netsuite/netsuite.h"
#include "connectors/common/stock_read.h"
#include "connectors/common/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool numeric_text(const char *s)
{
    if (!s || !*s)
        return false;
    char *end;
    (void)strtod(s, &end);
    return *end == '\0';
}

/* Appends the page's rows to levels; false (outcome set) when a row is not NetSuite's shape. */
static bool take_rows(json_object *items, json_object *levels, char *newest, size_t newest_len, struct o2c_outcome *out)
{
    size_t n = json_object_array_length(items);
    for (size_t i = 0; i < n; i++) {
        json_object *row = json_object_array_get_idx(items, i);
        const char *item = netsuite_row_text(row, "item"), *loc = netsuite_row_text(row, "location");
        const char *on_hand = netsuite_row_text(row, "quantityonhand"), *committed = netsuite_row_text(row, "quantitycommitted");
        const char *changed = netsuite_row_text(row, "changed");
        if (!item || !loc || !numeric_text(on_hand) || !netsuite_cursor_ok(changed) ||
            (committed && !numeric_text(committed))) {
            o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA,
                               "NetSuite's stock row %zu (item %s, location %s) lacks a number or change time: %.200s",
                               i, item ? item : "?", loc ? loc : "?", json_object_to_json_string(row));
            return false;
        }
        json_object *l = json_object_new_object();
        json_object_object_add(l, "item", json_object_new_string(item));
        json_object_object_add(l, "location", json_object_new_string(loc));
        json_object_object_add(l, "on_hand", json_object_new_string(on_hand));
        json_object_object_add(l, "committed", json_object_new_string(committed ? committed : "0"));
        json_object_object_add(l, "as_of", json_object_new_string(changed));
        json_object_array_add(levels, l);
        if (strcmp(changed, newest) > 0)
            snprintf(newest, newest_len, "%s", changed);
    }
    return true;
}

static void read_stock(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *full = o2c_step_param(step, "full");
    const char *cursor = full && strcmp(full, "true") == 0 ? NULL : o2c_step_string(step, "cursor");
    if (cursor && !netsuite_cursor_ok(cursor)) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "netsuite.read_stock: context.cursor \"%.40s\" is not "
                           "YYYY-MM-DD HH24:MI:SS", cursor);
        return;
    }
    const char *max_text = o2c_step_param(step, "max_rows");
    long max_rows = max_text ? strtol(max_text, NULL, 10) : 20000;
    if (max_rows < NETSUITE_SUITEQL_PAGE)
        max_rows = NETSUITE_SUITEQL_PAGE;

    struct o2c_strbuf q = {0};
    o2c_strbuf_str(&q, "SELECT item, location, quantityonhand, quantitycommitted, "
                       "TO_CHAR(lastquantityavailablechange, 'YYYY-MM-DD HH24:MI:SS') AS changed "
                       "FROM inventoryitemlocations");
    if (cursor) { /* checked above: digits, '-', ':' and a space, nothing to escape */
        o2c_strbuf_str(&q, " WHERE lastquantityavailablechange >= TO_TIMESTAMP('");
        o2c_strbuf_str(&q, cursor);
        o2c_strbuf_str(&q, "', 'YYYY-MM-DD HH24:MI:SS')");
    }
    o2c_strbuf_str(&q, " ORDER BY lastquantityavailablechange");
    if (q.failed) {
        free(q.s);
        o2c_outcome_retry(out, "netsuite.read_stock: out of memory");
        return;
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "q", json_object_new_string(q.s));
    free(q.s);

    json_object *levels = json_object_new_array();
    char newest[32] = "";
    bool ok = true;
    for (long offset = 0; ok && offset < max_rows; offset += NETSUITE_SUITEQL_PAGE) {
        char what[96];
        snprintf(what, sizeof what, "read stock changed since %s (offset %ld)", cursor ? cursor : "the start", offset);
        json_object *answer, *items;
        bool more;
        ok = netsuite_suiteql_page(step, body, offset, what, &answer, &items, &more, out) &&
             take_rows(items, levels, newest, sizeof newest, out);
        json_object_put(answer);
        if (!more)
            break;
    }
    json_object_put(body);
    if (!ok) {
        json_object_put(levels);
        return;
    }
    o2c_outcome_stock_levels(out, levels);
}

const struct o2c_action o2c_netsuite_stock_actions[] = {
    {"netsuite.read_stock", read_stock, false, "reads NetSuite stock per item and location changed since the cursor (SuiteQL)"},
    {NULL, NULL, false, NULL},
};
