/* sage200.read_stock: Sage 200's warehouse holdings (stock.json, GET /warehouse_holdings) changed
 * since a cursor, every page of it in one step, as the stock level rows netsuite.read_stock
 * produces, so the inventory flow (sql.stock_record → centra.set_stock → sql.stock_confirm)
 * takes them unchanged.
 *
 * Context in:  cursor    "YYYY-MM-DD HH24:MI:SS" (UTC), the newest date_time_updated already
 *                        recorded; absent on the first round (then everything is read). Its own
 *                        second is read again (ge): two changes in one second are never split.
 * Params:      full      "true": ignore the cursor (a full comparison reads everything)
 *              page_size rows per request ($top, 1..5000; default 1000; context.page_size first)
 *              max_rows  the most rows one step reads (default 20000); the rest comes next round
 * Patch out:   levels    [{item, location, on_hand, committed, as_of}]: item the product_id,
 *                        location the warehouse_id, on_hand confirmed_qty_in_stock, committed
 *                        quantity_allocated + quantity_reserved (everything promised: the
 *                        formula leaves the storefront's own orders in), as_of date_time_updated
 *              read_at   when the last answer came, UTC with microseconds (ties within a second)
 *
 * Units: Centra sells whole units; a fractional Sage quantity (a product stocked by weight) is
 * rounded towards selling less: on hand down, committed up. Unconfirmed stock (booked in, not yet
 * confirmed) is not offered.
 *
 * Paging: $orderby=date_time_updated,id with the window's start moved to the last row's time
 * after each page, and $skip only past the rows already read at exactly that time. A holding
 * that changes while the pages are read moves past the window's end and is read again, so no
 * row shifts out of sight the way plain $skip paging would let it. Rows read twice are kept once.
 * A row without ids, a quantity or a readable time is Sage's bad data: failed remote_data. */
#include "connectors/sage200/sage200.h"
#include "connectors/common/stock_read.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIFTHS 100000 /* one unit in Sage's 5 decimal places */

/* "YYYY-MM-DD HH:MM:SS" exactly. */
static bool cursor_ok(const char *s)
{
    static const char shape[] = "dddd-dd-dd dd:dd:dd";
    if (!s || strlen(s) != sizeof shape - 1)
        return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return false;
    return true;
}

/* Sage's date-time ("2026-12-04T07:01:02Z", "…T07:01:02.123", "…+00:00") as "YYYY-MM-DD HH:MM:SS";
 * the fraction is dropped (read_at breaks ties). False unless UTC or unzoned. */
static bool as_of_text(const char *s, char *out, size_t len)
{
    if (!s || strlen(s) < 19 || s[10] != 'T' || len < 20)
        return false;
    memcpy(out, s, 19);
    out[10] = ' ';
    out[19] = '\0';
    if (!cursor_ok(out))
        return false;
    const char *rest = s + 19;
    if (*rest == '.')
        for (rest++; isdigit((unsigned char)*rest); rest++)
            ;
    return !*rest || strcmp(rest, "Z") == 0 || strcmp(rest, "+00:00") == 0;
}

/* Whole units of a 5-decimal quantity, rounded down (up when round_up). */
static bool whole_units(json_object *v, bool round_up, int64_t *out)
{
    int64_t fifths;
    if (!sage200_decimal(v, 5, &fifths))
        return false;
    int64_t q = fifths / FIFTHS, r = fifths % FIFTHS;
    if (r != 0 && (r > 0) == round_up)
        q += r > 0 ? 1 : -1;
    *out = q;
    return true;
}

static json_object *member(json_object *o, const char *k)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* One holding as a level row appended to levels (unless its id was seen); its time in as_of. */
static bool take_row(json_object *row, size_t i, json_object *levels, json_object *seen, char *as_of,
                     struct o2c_outcome *out)
{
    json_object *id = member(row, "id"), *product = member(row, "product_id"), *warehouse = member(row, "warehouse_id");
    int64_t on_hand, allocated, reserved = 0;
    bool ok = id && json_object_is_type(id, json_type_int) && product && json_object_is_type(product, json_type_int) &&
              warehouse && json_object_is_type(warehouse, json_type_int) &&
              whole_units(member(row, "confirmed_qty_in_stock"), false, &on_hand) &&
              whole_units(member(row, "quantity_allocated"), true, &allocated) &&
              (!member(row, "quantity_reserved") || whole_units(member(row, "quantity_reserved"), true, &reserved)) &&
              as_of_text(json_object_get_string(member(row, "date_time_updated")), as_of, 20);
    if (!ok) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "Sage 200's warehouse holding %zu of the page lacks an id, a quantity "
                           "or a readable date_time_updated: %.300s", i, json_object_to_json_string(row));
        return false;
    }
    char key[32];
    snprintf(key, sizeof key, "%" PRId64, json_object_get_int64(id));
    if (member(seen, key))
        return true;
    json_object_object_add(seen, key, json_object_new_boolean(1));
    char n[32];
    json_object *l = json_object_new_object();
    snprintf(n, sizeof n, "%" PRId64, json_object_get_int64(product));
    json_object_object_add(l, "item", json_object_new_string(n));
    snprintf(n, sizeof n, "%" PRId64, json_object_get_int64(warehouse));
    json_object_object_add(l, "location", json_object_new_string(n));
    snprintf(n, sizeof n, "%" PRId64, on_hand < 0 ? 0 : on_hand);
    json_object_object_add(l, "on_hand", json_object_new_string(n));
    snprintf(n, sizeof n, "%" PRId64, allocated + reserved < 0 ? 0 : allocated + reserved);
    json_object_object_add(l, "committed", json_object_new_string(n));
    json_object_object_add(l, "as_of", json_object_new_string(as_of));
    json_object_array_add(levels, l);
    return true;
}

/* GET one page of holdings updated at or after `from` (NULL: all), skipping `skip` rows. */
static bool read_page(struct o2c_step *step, const char *from, long skip, long top, json_object **rows,
                      struct o2c_outcome *out)
{
    char path[512], filter[96] = "", what[128];
    if (from) /* checked: digits, '-', ':' and a space */
        snprintf(filter, sizeof filter, "%%24filter=date_time_updated%%20ge%%20%.10sT%.2s%%3A%.2s%%3A%.2sZ&",
                 from, from + 11, from + 14, from + 17);
    snprintf(path, sizeof path, "/warehouse_holdings?%s%%24orderby=date_time_updated%%2Cid&%%24top=%ld&%%24skip=%ld"
             "&%%24select=id%%2Cproduct_id%%2Cwarehouse_id%%2Cconfirmed_qty_in_stock%%2Cquantity_allocated"
             "%%2Cquantity_reserved%%2Cdate_time_updated", filter, top, skip);
    snprintf(what, sizeof what, "read warehouse holdings changed since %s (skip %ld)", from ? from : "the start", skip);
    struct o2c_http_response res;
    if (!sage200_call(step, "GET", path, NULL, what, &res, out))
        return false;
    *rows = json_tokener_parse(res.body);
    if (!*rows || !json_object_is_type(*rows, json_type_array)) {
        json_object_put(*rows);
        *rows = NULL;
        sage200_classify(&res, what, out); /* a 200 that is no array: cut off in transit */
        o2c_http_response_free(&res);
        return false;
    }
    o2c_http_response_free(&res);
    return true;
}

static void read_stock(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *full = o2c_step_param(step, "full");
    const char *cursor = full && strcmp(full, "true") == 0 ? NULL : o2c_step_string(step, "cursor");
    if (cursor && !cursor_ok(cursor)) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "sage200.read_stock: context.cursor \"%.40s\" is not "
                           "YYYY-MM-DD HH24:MI:SS", cursor);
        return;
    }
    const char *page_text = o2c_step_string(step, "page_size") ? o2c_step_string(step, "page_size")
                                                                : o2c_step_param(step, "page_size");
    const char *max_text = o2c_step_param(step, "max_rows");
    long page = page_text ? strtol(page_text, NULL, 10) : 1000, max_rows = max_text ? strtol(max_text, NULL, 10) : 20000;
    if (page < 1 || page > 5000)
        page = 1000;
    if (max_rows < page)
        max_rows = page;

    json_object *levels = json_object_new_array(), *seen = json_object_new_object();
    char from[20] = "";
    if (cursor)
        snprintf(from, sizeof from, "%s", cursor);
    long skip = 0, read = 0;
    bool ok = true;
    while (ok && read < max_rows) {
        json_object *rows = NULL;
        ok = read_page(step, *from ? from : NULL, skip, page, &rows, out);
        size_t n = ok ? json_object_array_length(rows) : 0;
        char last[20] = "", at[20];
        long at_last = 0; /* rows of this page stamped with its last row's second */
        for (size_t i = 0; ok && i < n; i++) {
            ok = take_row(json_object_array_get_idx(rows, i), i, levels, seen, at, out);
            if (!ok)
                break;
            at_last = strcmp(at, last) == 0 ? at_last + 1 : 1;
            snprintf(last, sizeof last, "%s", at);
        }
        json_object_put(rows);
        read += (long)n;
        if (!ok || n < (size_t)page)
            break;
        /* The next window starts at the last row's second, past the rows of it read already:
         * rows are in time order, so every row of that second in the window is in this page
         * (and, when the whole page is that second, in the pages before it too). */
        skip = strcmp(last, from) == 0 ? skip + (long)n : at_last;
        snprintf(from, sizeof from, "%s", last);
    }
    json_object_put(seen);
    if (!ok) {
        json_object_put(levels);
        return;
    }
    o2c_outcome_stock_levels(out, levels);
}

const struct o2c_action o2c_sage200_stock_actions[] = {
    {"sage200.read_stock", read_stock, false,
     "reads Sage 200 warehouse holdings changed since the cursor, as stock level rows", false},
    {NULL, NULL, false, NULL, false},
};
