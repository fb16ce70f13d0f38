/* Despatches of the Sage 200 sandbox: what the warehouse does in the desktop client (confirm a
 * despatch of some or all of a sales order's lines), recorded through the control path
 * POST /_sandbox/sage200/despatch and visible through the API as sop.json's read-only views
 * sop_order_despatch_views (one row per despatch) and sop_order_despatch_line_views (one row per
 * despatched line), newest first unless $orderby says otherwise, as the spec documents.
 *
 * Body: {"customer_document_no": "…" | "sop_order_id": N,
 *        "lines": [{"line": <1-based position of the order line>, "quantity": N}]  (absent: every
 *                  standard line's quantity not yet despatched),
 *        "courier": "DPD", "consignment_no": "…" (absent: one is made up)}
 * A line that is not a standard line, or more units than are left to despatch on it → 400, and
 * nothing is recorded. Answers {"despatch": the view row, "lines": the line view rows}. */
#include "tools/sandbox/sage200/sage200.h"
#include "tools/sandbox/framework/money.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT 100000 /* one unit in 5 decimal places */

static json_object *member(json_object *o, const char *k)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *member_str(json_object *o, const char *k)
{
    json_object *v = member(o, k);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static json_object *quantity(int64_t fifths)
{
    char buf[64];
    sb_money_format(fifths, 5, buf, sizeof buf);
    return json_object_new_double_s((double)fifths / UNIT, buf);
}

static json_object *the_order(sg_state *sg, json_object *body)
{
    json_object *id = member(body, "sop_order_id");
    if (id)
        return sg_find(sg, SG_SOP_ORDERS, json_object_get_int64(id));
    const char *no = member_str(body, "customer_document_no");
    json_object *orders = sg->records[SG_SOP_ORDERS];
    for (size_t i = 0; *no && i < json_object_array_length(orders); i++)
        if (strcmp(member_str(json_object_array_get_idx(orders, i), "customer_document_no"), no) == 0)
            return json_object_array_get_idx(orders, i);
    return NULL;
}

/* Units of the order line already despatched (5 dp). */
static int64_t despatched(sg_state *sg, int64_t line_id)
{
    int64_t sum = 0, q;
    json_object *rows = sg->records[SG_DESPATCH_LINE_VIEWS];
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        json_object *r = json_object_array_get_idx(rows, i);
        if (json_object_get_int64(member(r, "sop_order_line_id")) == line_id &&
            sb_money_from_json(member(r, "sop_despatch_line_quantity"), 5, &q))
            sum += q;
    }
    return sum;
}

static void error(sb_response *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void error(sb_response *res, const char *fmt, ...)
{
    char words[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(words, sizeof words, fmt, ap);
    va_end(ap);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "error", json_object_new_string(words));
    sb_respond_json(res, 400, o);
    json_object_put(o);
}

bool sg_despatch(sg_state *sg, json_object *body, sb_response *res)
{
    json_object *order = the_order(sg, body);
    if (!order) {
        error(res, "no sales order '%s'", member_str(body, "customer_document_no"));
        return false;
    }
    json_object *lines = member(order, "lines"), *asked = member(body, "lines");
    size_t n_lines = json_object_array_length(lines);
    int64_t *take = calloc(n_lines ? n_lines : 1, sizeof *take);
    bool any = false;
    for (size_t i = 0; asked && i < json_object_array_length(asked); i++) {
        json_object *a = json_object_array_get_idx(asked, i);
        int64_t pos = json_object_get_int64(member(a, "line")), q = 0;
        if (pos < 1 || (size_t)pos > n_lines || !sb_money_from_json(member(a, "quantity"), 5, &q) || q <= 0 ||
            strcmp(member_str(json_object_array_get_idx(lines, (size_t)pos - 1), "line_type"), "EnumLineTypeStandard") != 0) {
            free(take);
            error(res, "lines[%zu] is not a standard line of the order with a positive quantity", i);
            return false;
        }
        take[pos - 1] += q;
    }
    for (size_t i = 0; i < n_lines; i++) {
        json_object *l = json_object_array_get_idx(lines, i);
        if (strcmp(member_str(l, "line_type"), "EnumLineTypeStandard") != 0)
            continue;
        int64_t ordered = 0;
        sb_money_from_json(member(l, "line_quantity"), 5, &ordered);
        int64_t left = ordered - despatched(sg, json_object_get_int64(member(l, "id")));
        if (!asked)
            take[i] = left;
        if (take[i] > left) {
            free(take);
            error(res, "line %zu: more units than are left to despatch", i + 1);
            return false;
        }
        any |= take[i] > 0;
    }
    if (!any) {
        free(take);
        error(res, "nothing left to despatch on order %s", member_str(order, "customer_document_no"));
        return false;
    }

    int64_t despatch_id = ++sg->next_id, order_id = json_object_get_int64(member(order, "id"));
    json_object *customer = sg_find(sg, SG_CUSTOMERS, json_object_get_int64(member(order, "customer_id")));
    char now[32], doc[24], consignment[64];
    sb_iso8601(sb_now(), now, sizeof now);
    snprintf(doc, sizeof doc, "DES%07" PRId64, despatch_id % 10000000);
    snprintf(consignment, sizeof consignment, "%s", *member_str(body, "consignment_no") ? member_str(body, "consignment_no")
                                                                                       : doc);
    const char *courier = *member_str(body, "courier") ? member_str(body, "courier") : "DPD";

    json_object *view = json_object_new_object();
    json_object_object_add(view, "sop_despatch_id", json_object_new_int64(despatch_id));
    json_object_object_add(view, "sop_despatch_document_no", json_object_new_string(doc));
    json_object_object_add(view, "sop_despatch_date", json_object_new_string(now));
    json_object_object_add(view, "sop_despatch_courier_name", json_object_new_string(courier));
    json_object_object_add(view, "sop_despatch_consignment_no", json_object_new_string(consignment));
    json_object_object_add(view, "sop_despatch_user_name", json_object_new_string("WAREHOUSE"));
    json_object_object_add(view, "sop_order_id", json_object_new_int64(order_id));
    json_object_object_add(view, "sop_order_document_no", json_object_new_string(member_str(order, "document_no")));
    json_object_object_add(view, "sop_order_customer_document_no", json_object_new_string(member_str(order, "customer_document_no")));
    json_object_object_add(view, "customer_id", json_object_get(member(order, "customer_id")));
    json_object_object_add(view, "customer_reference", json_object_new_string(member_str(customer, "reference")));
    json_object_object_add(view, "customer_name", json_object_new_string(member_str(customer, "name")));
    json_object_array_add(sg->records[SG_DESPATCH_VIEWS], view);

    json_object *made = json_object_new_array();
    for (size_t i = 0; i < n_lines; i++) {
        if (take[i] <= 0)
            continue;
        json_object *l = json_object_array_get_idx(lines, i), *row = json_object_new_object();
        int64_t line_id = json_object_get_int64(member(l, "id"));
        int64_t before = despatched(sg, line_id);
        json_object_object_add(row, "sop_despatch_line_id", json_object_new_int64(++sg->next_id));
        json_object_object_add(row, "sop_despatch_line_quantity", quantity(take[i]));
        json_object_object_add(row, "sop_despatch_line_is_invoiced", json_object_new_boolean(0));
        json_object_object_add(row, "sop_despatch_id", json_object_new_int64(despatch_id));
        json_object_object_add(row, "sop_despatch_document_no", json_object_new_string(doc));
        json_object_object_add(row, "sop_despatch_date", json_object_new_string(now));
        json_object_object_add(row, "sop_order_line_id", json_object_new_int64(line_id));
        json_object_object_add(row, "sop_order_line_item_code", json_object_new_string(member_str(l, "code")));
        json_object_object_add(row, "sop_order_line_print_sequence_number", json_object_new_int((int)i + 1));
        json_object_object_add(row, "sop_order_line_quantity", json_object_get(member(l, "line_quantity")));
        json_object_object_add(row, "sop_order_line_despatch_quantity", quantity(before + take[i]));
        json_object_object_add(row, "sop_order_id", json_object_new_int64(order_id));
        json_object_object_add(row, "sop_order_customer_document_no", json_object_new_string(member_str(order, "customer_document_no")));
        json_object_object_add(row, "product_id", json_object_get(member(l, "product_id")));
        json_object_object_add(row, "product_code", json_object_new_string(member_str(l, "code")));
        json_object_object_add(row, "warehouse_id", json_object_get(member(l, "warehouse_id")));
        json_object_object_add(row, "sop_despatch_courier_name", json_object_new_string(courier));
        json_object_object_add(row, "sop_despatch_consignment_no", json_object_new_string(consignment));
        json_object_object_add(row, "date_time_updated", json_object_new_string(now));
        json_object_array_add(sg->records[SG_DESPATCH_LINE_VIEWS], row);
        json_object_array_add(made, json_object_get(row));
    }
    free(take);
    json_object *out = json_object_new_object();
    json_object_object_add(out, "despatch", json_object_get(view));
    json_object_object_add(out, "lines", made);
    sb_respond_json(res, 200, out);
    json_object_put(out);
    return true;
}
