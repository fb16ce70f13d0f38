/* The item master's NetSuite reads (workflows/item_master.sql).
 *
 * netsuite.read_items  one round of the item poller: inventory items changed since the cursor,
 *   read with SuiteQL (item: id, itemid, displayname, isinactive, the brand's custitem_o2c_product
 *   and custitem_o2c_size, lastmodifieddate), oldest first, up to max_rows (default 5000) a round.
 *   Each item starts its own workflow (param child_workflow, default item_to_storefront) with
 *   business key item:<connection>:<itemid>:<modified>:<hash of the row> and input {"item": row},
 *   in the same transaction that moves the cursor: a change is taken exactly once, and one bad
 *   item never stops the others. The cursor's own second is read again (>=): NetSuite stamps
 *   changes to the second; an item read twice has the same key and starts nothing new. Known
 *   limit: a change of prices alone, in the same second as an earlier change of the item, has the
 *   same key (prices are read per item, after) and waits for the item's next change.
 *   Context: cursor ("YYYY-MM-DD HH24:MI:SS", UTC; absent: from the start), poll_interval_ms
 *   (default 900000, 15 minutes). Patch: cursor. Ok, next round after poll_interval_ms, or at
 *   once while there is more to read.
 * netsuite.read_item_prices  the base price level of one item in every currency (SuiteQL pricing:
 *   currency, unitprice where item = context item.id). Patch: prices [{currency, unitprice}],
 *   NetSuite's currency ids and amounts as text. */
#include "connectors/netsuite/netsuite.h"
#include "connectors/common/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void read_items(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *cursor = o2c_step_string(step, "cursor");
    if (cursor && !netsuite_cursor_ok(cursor)) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "netsuite.read_items: context.cursor \"%.40s\" is not "
                           "YYYY-MM-DD HH24:MI:SS", cursor);
        return;
    }
    const char *child = o2c_step_param(step, "child_workflow");
    const char *max_text = o2c_step_param(step, "max_rows");
    long max_rows = max_text ? strtol(max_text, NULL, 10) : 5000;
    if (max_rows < NETSUITE_SUITEQL_PAGE)
        max_rows = NETSUITE_SUITEQL_PAGE;
    int64_t interval = o2c_step_int(step, "poll_interval_ms", 900000);
    if (interval < 0 || interval > 86400000)
        interval = 900000;

    struct o2c_strbuf q = {0};
    o2c_strbuf_str(&q, "SELECT id, itemid, displayname, isinactive, custitem_o2c_product, custitem_o2c_size, "
                       "TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified FROM item "
                       "WHERE itemtype = 'InvtPart'");
    if (cursor) { /* checked above: digits, '-', ':' and a space, nothing to escape */
        o2c_strbuf_str(&q, " AND lastmodifieddate >= TO_TIMESTAMP('");
        o2c_strbuf_str(&q, cursor);
        o2c_strbuf_str(&q, "', 'YYYY-MM-DD HH24:MI:SS')");
    }
    o2c_strbuf_str(&q, " ORDER BY lastmodifieddate, id");
    if (q.failed) {
        free(q.s);
        o2c_outcome_retry(out, "netsuite.read_items: out of memory");
        return;
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "q", json_object_new_string(q.s));
    free(q.s);

    char newest[32];
    snprintf(newest, sizeof newest, "%s", cursor ? cursor : "");
    const char *conn = step->connection && *step->connection ? step->connection : NULL;
    bool ok = true, more = false;
    long offset = 0;
    for (; ok && offset < max_rows; offset += NETSUITE_SUITEQL_PAGE) {
        char what[96];
        snprintf(what, sizeof what, "read items changed since %s (offset %ld)", cursor ? cursor : "the start", offset);
        json_object *answer = NULL, *items = NULL;
        ok = netsuite_suiteql_page(step, body, offset, what, &answer, &items, &more, out);
        for (size_t i = 0; ok && i < json_object_array_length(items); i++) {
            json_object *row = json_object_array_get_idx(items, i);
            const char *id = netsuite_row_text(row, "id"), *sku = netsuite_row_text(row, "itemid"), *modified = netsuite_row_text(row, "modified");
            if (!netsuite_id_ok(id) || !sku || !*sku || !netsuite_cursor_ok(modified)) {
                o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "NetSuite's item row %zu lacks an id, itemid or change "
                                   "time: %.200s", i, json_object_to_json_string(row));
                ok = false;
                break;
            }
            /* The row's content joins the key: two changes in one second (NetSuite's grain) are
             * two changes; the same row read again is the same key and starts nothing. */
            const char *row_text = json_object_to_json_string_ext(row, JSON_C_TO_STRING_PLAIN);
            uint64_t h = 1469598103934665603ULL; /* FNV-1a */
            for (const unsigned char *c = (const unsigned char *)row_text; *c; c++)
                h = (h ^ *c) * 1099511628211ULL;
            char key[512];
            snprintf(key, sizeof key, "item:%s:%.300s:%s:%016llx", conn ? conn : "netsuite", sku, modified,
                     (unsigned long long)h);
            json_object *input = json_object_new_object();
            json_object_object_add(input, "item", json_object_get(row));
            o2c_outcome_start(out, child ? child : "item_to_storefront", key, input); /* takes input */
            if (strcmp(modified, newest) > 0)
                snprintf(newest, sizeof newest, "%s", modified);
        }
        json_object_put(answer);
        if (!more)
            break;
    }
    json_object_put(body);
    if (!ok)
        return;
    o2c_outcome_ok(out);
    if (newest[0])
        o2c_outcome_patch(out, "cursor", json_object_new_string(newest));
    /* More than a round may read: come back at once, else after the interval. */
    out->delay_ms = more ? 0 : (int)interval;
}

static void read_item_prices(struct o2c_step *step, struct o2c_outcome *out)
{
    json_object *item = NULL, *idv = NULL;
    const char *id = json_object_object_get_ex(o2c_step_context(step), "item", &item) &&
                     json_object_object_get_ex(item, "id", &idv) ? json_object_get_string(idv) : NULL;
    if (!netsuite_id_ok(id)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.read_item_prices needs context item.id, NetSuite's "
                           "internal id (digits)");
        return;
    }
    char q[256], what[96];
    snprintf(q, sizeof q, "SELECT currency, unitprice FROM pricing WHERE item = %s AND pricelevel = 1 ORDER BY currency", id);
    snprintf(what, sizeof what, "read the prices of item %s", id);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "q", json_object_new_string(q));
    json_object *answer = NULL, *items = NULL;
    bool more = false;
    bool ok = netsuite_suiteql_page(step, body, 0, what, &answer, &items, &more, out);
    json_object_put(body);
    if (!ok)
        return;
    json_object *prices = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *row = json_object_array_get_idx(items, i);
        const char *currency = netsuite_row_text(row, "currency"), *price = netsuite_row_text(row, "unitprice");
        if (!netsuite_id_ok(currency) || !price) {
            o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "NetSuite's price row %zu of item %s lacks a currency or "
                               "price: %.200s", i, id, json_object_to_json_string(row));
            json_object_put(prices);
            json_object_put(answer);
            return;
        }
        json_object *p = json_object_new_object();
        json_object_object_add(p, "currency", json_object_new_string(currency));
        json_object_object_add(p, "unitprice", json_object_new_string(price));
        json_object_array_add(prices, p);
    }
    json_object_put(answer);
    o2c_outcome_ok(out);
    o2c_outcome_patch(out, "prices", prices);
}

const struct o2c_action o2c_netsuite_item_actions[] = {
    {"netsuite.read_items", read_items, false, "one round of the item poller: items changed since the cursor (SuiteQL), one workflow each"},
    {"netsuite.read_item_prices", read_item_prices, false, "an item's base prices per currency (SuiteQL pricing)"},
    {NULL, NULL, false, NULL},
};
