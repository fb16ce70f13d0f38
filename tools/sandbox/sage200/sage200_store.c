/* The Sage 200 sandbox's records: built from the shared seed, written through the spec's fields
 * (sage200_schema.c), with the totals Sage computes itself and the locks of the desktop client. */
#include "tools/sandbox/sage200/sage200.h"
#include "tools/sandbox/framework/money.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const NAMES[SG_N_COLLECTIONS] = {
    "customers", "products", "warehouses", "tax_codes", "sop_additional_charges", "sop_orders",
    "warehouse_holdings", "sop_order_despatch_views", "sop_order_despatch_line_views", "sales_posted_transactions",
    "banks", "bank_posted_transactions", "nominal_codes", "sales_credit_notes", "bank_receipt", "bank_payment",
};

const char *sg_collection_name(enum sg_collection c) { return NAMES[c]; }

int sg_collection_by_name(const char *name)
{
    for (int i = 0; i < SG_N_COLLECTIONS; i++)
        if (strcmp(NAMES[i], name) == 0)
            return i;
    return -1;
}

/* The fields of the collections whose schemas are outside the spec files o2c holds. */
static const sg_field small_fields[] = {
    {"id", SG_INTEGER, 0, -1, true, false},
    {"code", SG_STRING, 30, -1, false, true},
    {"name", SG_STRING, 60, -1, false, true},
    {"rate", SG_NUMBER, 0, 2, false, false},
    {NULL, SG_OTHER, 0, -1, false, false},
};
static const sg_entity small_entity = {"lookup", small_fields};
/* cash-book.json's bank, as far as the sandbox keeps it. */
static const sg_field bank_fields[] = {
    {"id", SG_INTEGER, 0, -1, true, false},
    {"code", SG_STRING, 8, -1, false, true},
    {"description", SG_STRING, 60, -1, false, false},
    {"balance", SG_NUMBER, 0, 2, true, false},
    {"bank_account_nominal_reference", SG_STRING, 8, -1, false, false},
    {NULL, SG_OTHER, 0, -1, false, false},
};
static const sg_entity bank_entity = {"bank", bank_fields};

const sg_entity *sg_collection_entity(enum sg_collection c)
{
    switch (c) {
    case SG_CUSTOMERS: return &sg_customer_entity;
    case SG_PRODUCTS: return &sg_product_entity;
    case SG_SOP_ORDERS: return &sg_sop_order_entity;
    case SG_WAREHOUSE_HOLDINGS: return &sg_warehouse_holding_entity;
    case SG_DESPATCH_VIEWS: return &sg_sop_order_despatch_view_entity;
    case SG_DESPATCH_LINE_VIEWS: return &sg_sop_order_despatch_line_view_entity;
    case SG_SALES_POSTED: return &sg_sales_posted_transaction_entity;
    case SG_BANK_POSTED: return &sg_bank_posted_transaction_entity;
    case SG_BANKS: return &bank_entity;
    case SG_CREDIT_NOTES: return &sg_sales_credit_note_entity;
    case SG_BANK_RECEIPTS: return &sg_bank_receipt_entity;
    case SG_BANK_PAYMENTS: return &sg_bank_payment_entity;
    default: return &small_entity;
    }
}

const sg_field *sg_field_find(const sg_entity *e, const char *name)
{
    for (const sg_field *f = e->fields; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

void sg_error(sb_response *res, int status, const char *field, const char *fmt, ...)
{
    char words[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(words, sizeof words, fmt, ap);
    va_end(ap);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "Message", json_object_new_string(words));
    if (field) {
        json_object *ms = json_object_new_object(), *list = json_object_new_array();
        json_object_array_add(list, json_object_new_string(words));
        json_object_object_add(ms, field, list);
        json_object_object_add(body, "ModelState", ms);
    }
    sb_respond_json(res, status, body);
    json_object_put(body);
}

static json_object *entity(int64_t id)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(id));
    return o;
}

static void add_str(json_object *o, const char *k, const char *v) { json_object_object_add(o, k, json_object_new_string(v ? v : "")); }

static json_object *money(int64_t minor, int exponent)
{
    char buf[64];
    sb_money_format(minor, exponent, buf, sizeof buf);
    return json_object_new_double_s((double)minor / (exponent == 5 ? 100000.0 : 100.0), buf);
}

bool sg_store_init(sg_state *sg)
{
    const sb_seed *seed = sg->opts->seed;
    for (int i = 0; i < SG_N_COLLECTIONS; i++)
        sg->records[i] = json_object_new_array();
    sg->locks = json_object_new_object();
    sg->next_id = 100000;
    for (size_t i = 0; seed && i < seed->n_items; i++) {
        json_object *p = entity(strtoll(seed->items[i].netsuite_item_id, NULL, 10));
        add_str(p, "code", seed->items[i].sku);
        add_str(p, "name", seed->items[i].name);
        json_object_array_add(sg->records[SG_PRODUCTS], p);
    }
    for (size_t i = 0; seed && i < seed->n_locations; i++) {
        json_object *w = entity(strtoll(seed->locations[i].netsuite_id, NULL, 10));
        add_str(w, "code", seed->locations[i].name);
        add_str(w, "name", seed->locations[i].name);
        json_object_array_add(sg->records[SG_WAREHOUSES], w);
    }
    for (size_t i = 0; seed && i < seed->n_tax_codes; i++) {
        json_object *t = entity(strtoll(seed->tax_codes[i].netsuite_id, NULL, 10));
        add_str(t, "code", seed->tax_codes[i].name);
        add_str(t, "name", seed->tax_codes[i].name);
        json_object_object_add(t, "rate", money(seed->tax_codes[i].rate_bp, 2));
        json_object_object_add(t, "country", json_object_new_string(seed->tax_codes[i].country));
        json_object_array_add(sg->records[SG_TAX_CODES], t);
    }
    json_object *charge = entity(1);
    add_str(charge, "code", "CARRIAGE");
    add_str(charge, "name", "Carriage");
    json_object_array_add(sg->records[SG_CHARGES], charge);
    for (size_t i = 0; seed && i < seed->n_customers; i++) {
        json_object *c = entity(strtoll(seed->customers[i].netsuite_id, NULL, 10));
        char ref[16];
        snprintf(ref, sizeof ref, "C%.7s", seed->customers[i].centra_id);
        add_str(c, "reference", ref);
        char name[128];
        snprintf(name, sizeof name, "%s %s", seed->customers[i].first_name, seed->customers[i].last_name);
        add_str(c, "name", name);
        json_object_array_add(sg->records[SG_CUSTOMERS], c);
    }
    sg_holdings_init(sg);
    sg_postings_init(sg);
    return true;
}

void sg_store_free(sg_state *sg)
{
    for (int i = 0; i < SG_N_COLLECTIONS; i++)
        json_object_put(sg->records[i]);
    json_object_put(sg->locks);
}

static int64_t id_of(json_object *o)
{
    json_object *v;
    return json_object_object_get_ex(o, "id", &v) ? json_object_get_int64(v) : -1;
}

json_object *sg_find(sg_state *sg, enum sg_collection c, int64_t id)
{
    size_t n = json_object_array_length(sg->records[c]);
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(sg->records[c], i);
        if (id_of(o) == id)
            return o;
    }
    return NULL;
}

const char *sg_locked_by(sg_state *sg, enum sg_collection c, int64_t id)
{
    char key[96];
    snprintf(key, sizeof key, "%s/%" PRId64, NAMES[c], id);
    json_object *v;
    return json_object_object_get_ex(sg->locks, key, &v) ? json_object_get_string(v) : NULL;
}

/* ---- checking a body against the spec's fields ------------------------------------------------ */

/* Checks one value against its field; false with a 400 naming `path`. */
static bool check_value(const sg_field *f, json_object *v, const char *path, sb_response *res)
{
    if (json_object_is_type(v, json_type_null))
        return true;
    switch (f->kind) {
    case SG_STRING:
    case SG_DATE:
        if (!json_object_is_type(v, json_type_string)) {
            sg_error(res, 400, path, "The value for %s must be a string.", path);
            return false;
        }
        if (f->kind == SG_DATE && sb_parse_time(json_object_get_string(v)) < 0) {
            sg_error(res, 400, path, "The value '%s' for %s is not a valid date.", json_object_get_string(v), path);
            return false;
        }
        if (f->max_length > 0) {
            /* Characters, not bytes: UTF-8 continuation bytes do not count. */
            int chars = 0;
            for (const unsigned char *p = (const unsigned char *)json_object_get_string(v); *p; p++)
                chars += (*p & 0xC0) != 0x80;
            if (chars > f->max_length) {
                sg_error(res, 400, path, "The field %s must be a string with a maximum length of %d.", path, f->max_length);
                return false;
            }
        }
        return true;
    case SG_INTEGER:
        if (!json_object_is_type(v, json_type_int)) {
            sg_error(res, 400, path, "The value for %s must be an integer.", path);
            return false;
        }
        return true;
    case SG_NUMBER: {
        int64_t minor;
        if (!(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) ||
            !sb_money_from_json(v, f->decimals < 0 ? 5 : f->decimals, &minor)) {
            sg_error(res, 400, path, "The value %s for %s is not a number with at most %d decimal places.",
                     json_object_to_json_string(v), path, f->decimals < 0 ? 5 : f->decimals);
            return false;
        }
        return true;
    }
    case SG_BOOLEAN:
        if (!json_object_is_type(v, json_type_boolean)) {
            sg_error(res, 400, path, "The value for %s must be true or false.", path);
            return false;
        }
        return true;
    default:
        return true;
    }
}

/* Every member of body is a writable field of e with a value of its kind; every required field
 * is there (except those the caller checks itself); the items of an array the spec describes
 * are checked the same way. prefix: "" or "lines[3]." */
bool sg_check_body(const sg_entity *e, json_object *body, const char *prefix, const char *const *not_required,
                   sb_response *res)
{
    char path[160];
    if (!json_object_is_type(body, json_type_object)) {
        sg_error(res, 400, NULL, "The request is invalid: %s must be a JSON object.", *prefix ? prefix : "the body");
        return false;
    }
    json_object_object_foreach(body, key, v) {
        snprintf(path, sizeof path, "%s%s", prefix, key);
        const sg_field *f = sg_field_find(e, key);
        if (!f) {
            sg_error(res, 400, path, "Could not find a property named '%s' on type '%s'.", key, e->name);
            return false;
        }
        if (f->read_only) {
            sg_error(res, 400, path, "The property '%s' is read-only and cannot be set.", path);
            return false;
        }
        if (f->items) {
            if (!json_object_is_type(v, json_type_array)) {
                sg_error(res, 400, path, "The value for %s must be an array.", path);
                return false;
            }
            for (size_t i = 0; i < json_object_array_length(v); i++) {
                char item[200];
                snprintf(item, sizeof item, "%s[%zu].", path, i);
                if (!sg_check_body(f->items, json_object_array_get_idx(v, i), item, NULL, res))
                    return false;
            }
            continue;
        }
        if (f->kind == SG_OTHER && strcmp(key, "lines") != 0) {
            sg_error(res, 400, path, "The sandbox does not accept %s on %s.", path, e->name);
            return false;
        }
        if (!check_value(f, v, path, res))
            return false;
    }
    for (const sg_field *f = e->fields; f->name; f++) {
        bool waived = false;
        for (const char *const *n = not_required; n && *n; n++)
            waived |= strcmp(*n, f->name) == 0;
        json_object *given;
        if (f->required && !waived &&
            (!json_object_object_get_ex(body, f->name, &given) || json_object_is_type(given, json_type_null) ||
             (json_object_is_type(given, json_type_string) && json_object_get_string_len(given) == 0))) {
            snprintf(path, sizeof path, "%s%s", prefix, f->name);
            sg_error(res, 400, path, "The %s field is required.", path);
            return false;
        }
    }
    return true;
}

static json_object *member(json_object *o, const char *k)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *member_str(json_object *o, const char *k)
{
    json_object *v = member(o, k);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void round_div(__int128 value, int64_t by, int64_t *out)
{
    /* Half away from zero, as Sage rounds money. */
    __int128 q = value / by, r = value % by;
    if (2 * (r < 0 ? -r : r) >= by)
        q += value < 0 ? -1 : 1;
    *out = (int64_t)q;
}

/* A sales order's lines checked and priced: each line gains line_tax_value and
 * line_total_value, the header its subtotals and totals (in pence). */
static bool price_order(sg_state *sg, json_object *order, sb_response *res)
{
    json_object *lines = member(order, "lines");
    if (!lines || !json_object_is_type(lines, json_type_array) || json_object_array_length(lines) == 0) {
        sg_error(res, 400, "lines", "A sales order must have at least one line.");
        return false;
    }
    int64_t goods = 0, discount = 0, charge_net = 0, charge_tax = 0, tax_total = 0;
    for (size_t i = 0; i < json_object_array_length(lines); i++) {
        json_object *l = json_object_array_get_idx(lines, i);
        char prefix[32], path[96];
        snprintf(prefix, sizeof prefix, "lines[%zu].", i);
        const char *type = member_str(l, "line_type");
        bool standard = type && strcmp(type, "EnumLineTypeStandard") == 0;
        bool charge = type && strcmp(type, "EnumLineTypeCharge") == 0;
        bool free_text = type && strcmp(type, "EnumLineTypeFreeText") == 0;
        bool comment = type && strcmp(type, "EnumLineTypeComment") == 0;
        bool text = free_text || comment;
        /* The spec lists product_id and warehouse_id as required, and says they are required for
         * standard lines: other lines have neither. */
        static const char *const other_lines[] = {"product_id", "warehouse_id", "code", "line_quantity", NULL};
        if (!sg_check_body(&sg_sop_order_line_entity, l, prefix, standard ? NULL : other_lines, res))
            return false;
        if (!standard && !charge && !text) {
            snprintf(path, sizeof path, "%sline_type", prefix);
            sg_error(res, 400, path, "The line type '%s' is not one of EnumLineTypeStandard, EnumLineTypeFreeText, "
                     "EnumLineTypeCharge, EnumLineTypeComment.", type ? type : "");
            return false;
        }
        if (standard) {
            int64_t pid = json_object_get_int64(member(l, "product_id"));
            json_object *product = sg_find(sg, SG_PRODUCTS, pid);
            if (!product) {
                snprintf(path, sizeof path, "%sproduct_id", prefix);
                sg_error(res, 400, path, "The product with Id %" PRId64 " does not exist.", pid);
                return false;
            }
            if (strcmp(member_str(l, "code"), member_str(product, "code")) != 0) {
                snprintf(path, sizeof path, "%scode", prefix);
                sg_error(res, 400, path, "The code '%s' is not the code of product %" PRId64 ".", member_str(l, "code"), pid);
                return false;
            }
            int64_t wid = json_object_get_int64(member(l, "warehouse_id"));
            if (!sg_find(sg, SG_WAREHOUSES, wid)) {
                snprintf(path, sizeof path, "%swarehouse_id", prefix);
                sg_error(res, 400, path, "The warehouse with Id %" PRId64 " does not exist.", wid);
                return false;
            }
        }
        if (charge) {
            const char *code = member_str(l, "code");
            bool known = false;
            for (size_t k = 0; code && k < json_object_array_length(sg->records[SG_CHARGES]); k++)
                known |= strcmp(member_str(json_object_array_get_idx(sg->records[SG_CHARGES], k), "code"), code) == 0;
            if (!known) {
                snprintf(path, sizeof path, "%scode", prefix);
                sg_error(res, 400, path, "The additional charge '%s' does not exist.", code ? code : "");
                return false;
            }
            if (member(l, "unit_discount_value") || member(l, "product_id")) {
                snprintf(path, sizeof path, "%sunit_discount_value", prefix);
                sg_error(res, 400, path, "A charge line can carry no product and no discount.");
                return false;
            }
        }
        if (comment)
            continue;
        /* Money in 1/100000 (prices) and pence (values). */
        int64_t qty5 = 100000, price5 = 0, disc5 = 0, rate = 0;
        if (member(l, "line_quantity"))
            sb_money_from_json(member(l, "line_quantity"), 5, &qty5);
        if (member(l, "selling_unit_price"))
            sb_money_from_json(member(l, "selling_unit_price"), 5, &price5);
        if (member(l, "unit_discount_value"))
            sb_money_from_json(member(l, "unit_discount_value"), 5, &disc5);
        /* A free-text line may take money off (a negative price); stock and charges may not. */
        if (qty5 <= 0 || (price5 < 0 && !free_text) || disc5 < 0 || (disc5 > 0 && disc5 > price5) ||
            qty5 > 100000LL * 1000000) {
            snprintf(path, sizeof path, "%sline_quantity", prefix);
            sg_error(res, 400, path, "The line's quantity must be positive and its price and discount not negative.");
            return false;
        }
        json_object *tc = member(l, "tax_code_id");
        if (tc) {
            json_object *code = sg_find(sg, SG_TAX_CODES, json_object_get_int64(tc));
            if (!code) {
                snprintf(path, sizeof path, "%stax_code_id", prefix);
                sg_error(res, 400, path, "The tax code with Id %" PRId64 " does not exist.", json_object_get_int64(tc));
                return false;
            }
            sb_money_from_json(member(code, "rate"), 2, &rate);
        }
        int64_t line_goods, line_disc, line_tax;
        /* qty (5 dp) × price (5 dp) = 10 dp; to pence: ÷ 10^8. */
        round_div((__int128)qty5 * price5, 100000000, &line_goods);
        round_div((__int128)qty5 * disc5, 100000000, &line_disc);
        int64_t net = line_goods - line_disc;
        round_div((__int128)net * rate, 10000, &line_tax);
        json_object_object_add(l, "line_tax_value", money(line_tax, 2));
        json_object_object_add(l, "line_total_value", money(net, 2));
        if (charge) {
            charge_net += net;
            charge_tax += line_tax;
        } else {
            goods += line_goods;
            discount += line_disc;
        }
        tax_total += line_tax;
    }
    int64_t total_net = goods - discount + charge_net;
    json_object_object_add(order, "subtotal_goods_value", money(goods, 2));
    json_object_object_add(order, "subtotal_discount_value", money(discount, 2));
    json_object_object_add(order, "subtotal_charge_net_value", money(charge_net, 2));
    json_object_object_add(order, "subtotal_charge_tax_value", money(charge_tax, 2));
    json_object_object_add(order, "total_net_value", money(total_net, 2));
    json_object_object_add(order, "total_tax_value", money(tax_total, 2));
    json_object_object_add(order, "total_gross_value", money(total_net + tax_total, 2));
    return true;
}

static bool check_order(sg_state *sg, json_object *body, bool creating, sb_response *res)
{
    if (!sg_check_body(&sg_sop_order_entity, body, "", creating ? NULL : (const char *const[]){"customer_id", "document_no", NULL}, res))
        return false;
    json_object *cust = member(body, "customer_id");
    if (cust) {
        int64_t cid = json_object_get_int64(cust);
        if (!sg_find(sg, SG_CUSTOMERS, cid)) {
            sg_error(res, 400, "customer_id", "The customer with Id %" PRId64 " does not exist.", cid);
            return false;
        }
        const char *user = sg_locked_by(sg, SG_CUSTOMERS, cid);
        if (user) {
            sg->locked_refusals++;
            sg_error(res, 400, NULL, "The customer account %" PRId64 " is in use by %s and cannot be updated. "
                     "Close the record in Sage 200 and try again.", cid, user);
            return false;
        }
    }
    if (sg->required_field[0]) {
        const char *v = member_str(body, sg->required_field);
        if (creating && (!v || !*v)) {
            sg_error(res, 400, sg->required_field, "The %s field is required by this company's settings.", sg->required_field);
            return false;
        }
    }
    return true;
}

bool sg_create(sg_state *sg, enum sg_collection c, json_object *body, sb_response *res)
{
    if (c == SG_CUSTOMERS) {
        if (!sg_check_body(&sg_customer_entity, body, "", NULL, res))
            return false;
        const char *ref = member_str(body, "reference");
        for (size_t i = 0; i < json_object_array_length(sg->records[c]); i++)
            if (strcmp(member_str(json_object_array_get_idx(sg->records[c], i), "reference"), ref) == 0) {
                sg->existing_key_refusals++;
                sg_error(res, 400, "reference", "A customer with the reference '%s' already exists.", ref);
                return false;
            }
    } else if (c == SG_SOP_ORDERS) {
        if (!check_order(sg, body, true, res))
            return false;
    } else if (c == SG_CREDIT_NOTES || c == SG_BANK_RECEIPTS || c == SG_BANK_PAYMENTS) {
        return sg_post(sg, c, body, res);
    } else {
        sg_error(res, 405, NULL, "The requested resource does not support http method 'POST'.");
        return false;
    }
    json_object *copy = NULL;
    json_object_deep_copy(body, &copy, NULL);
    int64_t id = ++sg->next_id;
    json_object_object_add(copy, "id", json_object_new_int64(id));
    char now[32];
    sb_iso8601(sb_now(), now, sizeof now);
    json_object_object_add(copy, "date_time_created", json_object_new_string(now));
    json_object_object_add(copy, "date_time_updated", json_object_new_string(now));
    if (c == SG_SOP_ORDERS) {
        char no[24];
        /* The company numbers its orders itself: a document_no sent is ignored. */
        snprintf(no, sizeof no, "%010" PRId64, id);
        json_object_object_add(copy, "document_no", json_object_new_string(no));
        json_object_object_add(copy, "document_status", json_object_new_string("EnumDocumentStatusLive"));
        if (!price_order(sg, copy, res)) {
            json_object_put(copy);
            sg->next_id--;
            return false;
        }
        json_object *lines = member(copy, "lines");
        for (size_t i = 0; i < json_object_array_length(lines); i++) {
            json_object *l = json_object_array_get_idx(lines, i);
            json_object_object_add(l, "id", json_object_new_int64(++sg->next_id));
            json_object_object_add(l, "sop_order_id", json_object_new_int64(id));
        }
        sg_holdings_allocate_order(sg, copy);
    }
    json_object_array_add(sg->records[c], copy);
    sb_respond_json(res, 200, copy);
    return true;
}

bool sg_update(sg_state *sg, enum sg_collection c, int64_t id, json_object *body, sb_response *res)
{
    json_object *rec = sg_find(sg, c, id);
    if (!rec) {
        sg_error(res, 404, NULL, "The %s with Id %" PRId64 " was not found.", NAMES[c], id);
        return false;
    }
    const char *user = sg_locked_by(sg, c, id);
    if (user) {
        sg->locked_refusals++;
        sg_error(res, 400, NULL, "The %s record %" PRId64 " is in use by %s and cannot be updated. "
                 "Close the record in Sage 200 and try again.", c == SG_SOP_ORDERS ? "sales order" : "customer", id, user);
        return false;
    }
    if (c == SG_CUSTOMERS) {
        static const char *const partial[] = {"name", "reference", NULL};
        if (!sg_check_body(&sg_customer_entity, body, "", partial, res))
            return false;
    } else if (c == SG_SOP_ORDERS) {
        if (!check_order(sg, body, false, res))
            return false;
    } else {
        sg_error(res, 405, NULL, "The requested resource does not support http method 'PUT'.");
        return false;
    }
    json_object *next = NULL;
    json_object_deep_copy(rec, &next, NULL);
    json_object_object_foreach(body, key, v) json_object_object_add(next, key, json_object_get(v));
    if (c == SG_SOP_ORDERS && member(body, "lines") && !price_order(sg, next, res)) {
        json_object_put(next);
        return false;
    }
    char now[32];
    sb_iso8601(sb_now(), now, sizeof now);
    json_object_object_add(next, "date_time_updated", json_object_new_string(now));
    size_t n = json_object_array_length(sg->records[c]);
    for (size_t i = 0; i < n; i++)
        if (json_object_array_get_idx(sg->records[c], i) == rec) {
            json_object_array_put_idx(sg->records[c], i, next);
            break;
        }
    sb_respond_json(res, 200, next);
    return true;
}

bool sg_delete(sg_state *sg, enum sg_collection c, int64_t id, sb_response *res)
{
    if (c != SG_SOP_ORDERS) {
        sg_error(res, 405, NULL, "The requested resource does not support http method 'DELETE'.");
        return false;
    }
    json_object *rec = sg_find(sg, c, id);
    if (!rec) {
        sg_error(res, 404, NULL, "The %s with Id %" PRId64 " was not found.", NAMES[c], id);
        return false;
    }
    const char *user = sg_locked_by(sg, c, id);
    if (user) {
        sg->locked_refusals++;
        sg_error(res, 400, NULL, "The sales order record %" PRId64 " is in use by %s and cannot be deleted. "
                 "Close the record in Sage 200 and try again.", id, user);
        return false;
    }
    json_object *despatches = sg->records[SG_DESPATCH_VIEWS];
    for (size_t i = 0; i < json_object_array_length(despatches); i++)
        if (json_object_get_int64(member(json_object_array_get_idx(despatches, i), "sop_order_id")) == id) {
            sg_error(res, 400, NULL, "The sales order %s has been despatched and cannot be deleted.",
                     member_str(rec, "document_no"));
            return false;
        }
    sg_holdings_release_order(sg, rec);
    size_t n = json_object_array_length(sg->records[c]);
    for (size_t i = 0; i < n; i++)
        if (json_object_array_get_idx(sg->records[c], i) == rec) {
            json_object_array_del_idx(sg->records[c], i, 1);
            break;
        }
    sg->deleted_orders++;
    sb_respond_text(res, 200, "application/json", "");
    return true;
}

void sg_store_stats(sg_state *sg, json_object *out)
{
    json_object *records = json_object_new_object();
    for (int i = 0; i < SG_N_COLLECTIONS; i++)
        json_object_object_add(records, NAMES[i], json_object_new_int64((int64_t)json_object_array_length(sg->records[i])));
    json_object_object_add(out, "records", records);
    /* Orders beyond the first per customer_document_no: what exactly-once must keep at 0. */
    json_object *seen = json_object_new_object();
    long duplicates = 0;
    json_object *orders = sg->records[SG_SOP_ORDERS];
    for (size_t i = 0; i < json_object_array_length(orders); i++) {
        const char *no = member_str(json_object_array_get_idx(orders, i), "customer_document_no");
        if (!no || !*no)
            continue;
        if (member(seen, no))
            duplicates++;
        else
            json_object_object_add(seen, no, json_object_new_boolean(1));
    }
    json_object_put(seen);
    json_object_object_add(out, "duplicate_customer_document_nos", json_object_new_int64(duplicates));
    json_object_object_add(out, "locked_refusals", json_object_new_int64(sg->locked_refusals));
    json_object_object_add(out, "tunnel_refusals", json_object_new_int64(sg->tunnel_refusals));
    json_object_object_add(out, "lost_answers", json_object_new_int64(sg->lost_answers));
    json_object_object_add(out, "lost_order_answers", json_object_new_int64(sg->lost_order_answers));
    json_object_object_add(out, "refused_writes", json_object_new_int64(sg->refused_writes));
    json_object_object_add(out, "existing_key_refusals", json_object_new_int64(sg->existing_key_refusals));
    json_object_object_add(out, "deleted_orders", json_object_new_int64(sg->deleted_orders));
    sg_postings_stats(sg, out);
}

json_object *sg_seed_json(sg_state *sg)
{
    json_object *out = json_object_new_object();
    static const enum sg_collection parts[] = {SG_PRODUCTS, SG_WAREHOUSES, SG_TAX_CODES, SG_CHARGES, SG_CUSTOMERS,
                                               SG_BANKS, SG_NOMINAL_CODES};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        json_object_object_add(out, NAMES[parts[i]], json_object_get(sg->records[parts[i]]));
    return out;
}
