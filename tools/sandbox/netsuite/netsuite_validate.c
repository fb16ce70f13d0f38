/* Request bodies checked as strictly as NetSuite checks them: every field must exist on the
 * record type (NONEXISTENT_FIELD), have the right JSON type, and every reference must point at
 * something that exists (INVALID_CONTENT with o:errorPath such as item.items[0].item). Journal
 * entries must balance to the cent: amounts are parsed from their decimal text, never as floats. */
#include "tools/sandbox/framework/money.h"
#include "tools/sandbox/netsuite/netsuite.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Error paths and messages go into fixed buffers; cutting an absurdly long path short is intended. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define MAX_TEXT 4000
#define MAX_LINES 10000

bool ns_valid_external_id(const char *s)
{
    if (!s || !*s || strlen(s) > 255)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return false;
    return true;
}

int ns_item_index(ns_state *ns, const char *item_id)
{
    ns_record *rec = ns_store_find(ns, &NS_INVENTORY_ITEM, item_id);
    return rec ? rec->seed_item : -1;
}

static bool bad(sb_response *res, const char *code, const char *path, const char *detail)
{
    ns_error(res, 400, code, path, "%s", detail);
    return false;
}

static bool bad_value(sb_response *res, const char *path, const char *what)
{
    char detail[300];
    snprintf(detail, sizeof detail, "Invalid value for the resource or sub-resource field '%s'. %s", path, what);
    return bad(res, "INVALID_CONTENT", path, detail);
}

/* Resolves a reference object {"id": "…"} or {"externalId": "…"} and rewrites it to {"id": "…"}. */
static bool check_ref(ns_state *ns, const ns_field *f, json_object *value, const char *path, sb_response *res)
{
    if (!json_object_is_type(value, json_type_object))
        return bad_value(res, path, "A reference must be an object such as {\"id\": \"12\"}.");
    json_object *id = NULL, *eid = NULL;
    json_object_object_get_ex(value, "id", &id);
    json_object_object_get_ex(value, "externalId", &eid);
    json_object_object_foreach(value, member, v) {
        (void)v;
        if (strcmp(member, "id") != 0 && strcmp(member, "externalId") != 0 && strcmp(member, "refName") != 0 &&
            strcmp(member, "links") != 0) {
            char p[300];
            snprintf(p, sizeof p, "%s.%s", path, member);
            return bad(res, "NONEXISTENT_FIELD", p, "Invalid field name in a reference.");
        }
    }
    if ((!id && !eid) || (id && !json_object_is_type(id, json_type_string) && !json_object_is_type(id, json_type_int)) ||
        (eid && !json_object_is_type(eid, json_type_string)))
        return bad_value(res, path, "A reference needs an id (string or integer) or an externalId.");
    char key[300];
    if (id)
        snprintf(key, sizeof key, "%s", json_object_get_string(id));
    else
        snprintf(key, sizeof key, "eid:%s", json_object_get_string(eid));
    const char *resolved = NULL;
    const sb_seed *seed = ns->seed;
    ns_record *rec = NULL;
    switch (f->ref) {
    case R_CUSTOMER: rec = ns_store_find(ns, &NS_CUSTOMER, key); break;
    case R_ITEM: rec = ns_find_item(ns, key); break;
    case R_DISCOUNT_ITEM: rec = ns_store_find(ns, &NS_DISCOUNT_ITEM, key); break;
    case R_SALES_ORDER: rec = ns_store_find(ns, &NS_SALES_ORDER, key); break;
    case R_RETURN_AUTHORIZATION: rec = ns_store_find(ns, &NS_RETURN_AUTHORIZATION, key); break;
    case R_CREDIT_MEMO: rec = ns_store_find(ns, &NS_CREDIT_MEMO, key); break;
    case R_LOCATION:
        if (id && sb_seed_location_index_by_netsuite_id(seed, key) >= 0) resolved = key;
        break;
    case R_CURRENCY:
        if (id && sb_seed_currency_index_by_netsuite_id(seed, key) >= 0) resolved = key;
        break;
    case R_TAX_CODE:
        if (id && sb_seed_tax_code_by_netsuite_id(seed, key)) resolved = key;
        break;
    case R_ACCOUNT:
        if (id && sb_seed_account_by_netsuite_id(seed, key)) resolved = key;
        break;
    case R_PAYMENT_METHOD:
        if (id && sb_seed_payment_method_by_netsuite_id(seed, key)) resolved = key;
        break;
    case R_SUBSIDIARY:
        if (id && strcmp(key, seed->subsidiary_id) == 0) resolved = key;
        break;
    default: break;
    }
    if (rec)
        resolved = rec->id;
    if (!resolved) {
        char what[300];
        snprintf(what, sizeof what, "Invalid reference key %s.", key);
        return bad_value(res, path, what);
    }
    if (eid || json_object_is_type(id, json_type_int)) {
        char copy[64];
        snprintf(copy, sizeof copy, "%s", resolved);
        json_object_object_del(value, "externalId");
        json_object_object_add(value, "id", json_object_new_string(copy));
    }
    return true;
}

static bool check_fields(ns_state *ns, const ns_type *type, const ns_field *fields, json_object *obj,
                         const char *prefix, bool full, sb_response *res);

static bool check_value(ns_state *ns, const ns_type *type, const ns_field *f, json_object *v,
                        const char *path, bool full, sb_response *res)
{
    int64_t n;
    switch (f->kind) {
    case F_STRING:
        if (!json_object_is_type(v, json_type_string))
            return bad_value(res, path, "The value must be a string.");
        if (json_object_get_string_len(v) > MAX_TEXT)
            return bad_value(res, path, "The value exceeds the maximum length.");
        return true;
    case F_DATE:
        if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) != 10 ||
            sb_parse_time(json_object_get_string(v)) < 0)
            return bad_value(res, path, "The value must be a date in the format YYYY-MM-DD.");
        return true;
    case F_BOOL:
        if (!json_object_is_type(v, json_type_boolean))
            return bad_value(res, path, "The value must be a boolean.");
        return true;
    case F_NUMBER:
        if ((!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double)) ||
            !sb_money_from_json(v, 6, &n))
            return bad_value(res, path, "The value must be a number.");
        return true;
    case F_REF:
        return check_ref(ns, f, v, path, res);
    case F_ADDRESS: {
        static const char *const ADDRESS[] = {"addr1", "addr2", "addr3", "city", "state", "zip",
                                              "country", "addressee", "attention", "addrPhone", NULL};
        if (!json_object_is_type(v, json_type_object))
            return bad_value(res, path, "An address must be an object.");
        json_object_object_foreach(v, key, part) {
            char p[300];
            snprintf(p, sizeof p, "%s.%s", path, key);
            bool known = false;
            for (size_t i = 0; ADDRESS[i]; i++)
                known |= strcmp(ADDRESS[i], key) == 0;
            if (!known)
                return bad(res, "NONEXISTENT_FIELD", p, "Invalid field name for an address.");
            if (!json_object_is_type(part, json_type_string))
                return bad_value(res, p, "The value must be a string.");
            const char *s = json_object_get_string(part);
            if (strcmp(key, "country") == 0 &&
                (strlen(s) != 2 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1])))
                return bad_value(res, p, "The country must be a two-letter ISO code such as SE.");
        }
        return true;
    }
    case F_SUBLIST: {
        json_object *items = NULL;
        if (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, "items", &items) ||
            !json_object_is_type(items, json_type_array))
            return bad_value(res, path, "A sublist must be an object {\"items\": [...]}.");
        json_object_object_foreach(v, key, ignored) {
            (void)ignored;
            if (strcmp(key, "items") != 0 && strcmp(key, "links") != 0) {
                char p[300];
                snprintf(p, sizeof p, "%s.%s", path, key);
                return bad(res, "NONEXISTENT_FIELD", p, "Invalid field name for a sublist.");
            }
        }
        size_t count = json_object_array_length(items);
        if (count > MAX_LINES)
            return bad_value(res, path, "Too many lines.");
        for (size_t i = 0; i < count; i++) {
            char p[300];
            snprintf(p, sizeof p, "%s.items[%zu]", path, i);
            json_object *line = json_object_array_get_idx(items, i);
            if (!json_object_is_type(line, json_type_object))
                return bad_value(res, p, "A line must be an object.");
            if (!check_fields(ns, type, f->line, line, p, full, res))
                return false;
        }
        return true;
    }
    }
    return true;
}

static bool check_fields(ns_state *ns, const ns_type *type, const ns_field *fields, json_object *obj,
                         const char *prefix, bool full, sb_response *res)
{
    json_object_object_foreach(obj, key, value) {
        char path[300];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
        const ns_field *f = ns_field_find(fields, key);
        if (!f) {
            bool custom = !*prefix && strncmp(key, type->custom_prefix, strlen(type->custom_prefix)) == 0;
            if (!custom && !*prefix && strcmp(key, "custcol") == 0)
                custom = true;
            if (*prefix && strncmp(key, "custcol", 7) == 0)
                custom = true;
            if (custom)
                continue;
            char detail[300];
            snprintf(detail, sizeof detail, "Invalid field name '%s' for record type %s.", path, type->name);
            return bad(res, "NONEXISTENT_FIELD", path, detail);
        }
        if (json_object_is_type(value, json_type_null))
            continue; /* null clears a field on patch */
        if (!check_value(ns, type, f, value, path, full, res))
            return false;
    }
    if (full) {
        for (const ns_field *f = fields; f->name; f++) {
            json_object *v = NULL;
            if (f->required && (!json_object_object_get_ex(obj, f->name, &v) || json_object_is_type(v, json_type_null))) {
                char path[300], detail[300];
                snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", f->name);
                snprintf(detail, sizeof detail, "Please enter value(s) for: %s", f->name);
                return bad(res, "USER_ERROR", path, detail);
            }
        }
    }
    return true;
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static json_object *sublist(json_object *body, const char *name)
{
    json_object *s = get(body, name);
    return s ? get(s, "items") : NULL;
}

/* The digits of the record's currency: its own, else its customer's (what a new sales order gets),
 * else the first currency's. */
static int currency_exponent(ns_state *ns, json_object *body)
{
    json_object *cur = get(body, "currency");
    if (!cur) {
        ns_record *customer = ns_store_find(ns, &NS_CUSTOMER, json_object_get_string(get(get(body, "entity"), "id")));
        cur = customer ? get(customer->body, "currency") : NULL;
    }
    int idx = cur ? sb_seed_currency_index_by_netsuite_id(ns->seed, json_object_get_string(get(cur, "id"))) : 0;
    return ns->seed->currencies[idx >= 0 ? idx : 0].exponent;
}

static bool check_journal(ns_state *ns, json_object *body, sb_response *res)
{
    json_object *lines = sublist(body, "line");
    size_t n = lines ? json_object_array_length(lines) : 0;
    if (n < 2)
        return bad(res, "USER_ERROR", "line", "A journal entry needs at least two lines.");
    /* NetSuite posts a transaction in the accounting period of its date; a closed one refuses it. */
    json_object *td = get(body, "tranDate");
    const char *date = td && json_object_is_type(td, json_type_string) ? json_object_get_string(td) : NULL;
    if (ns_period_closed(ns, date)) {
        char detail[200];
        snprintf(detail, sizeof detail,
                 "The accounting period of %.10s is closed; choose a date in an open period or reopen the period.",
                 date ? date : "today");
        return bad(res, "USER_ERROR", "tranDate", detail);
    }
    int exp = currency_exponent(ns, body);
    int64_t debits = 0, credits = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *line = json_object_array_get_idx(lines, i);
        json_object *d = get(line, "debit"), *c = get(line, "credit");
        char path[64];
        snprintf(path, sizeof path, "line.items[%zu].%s", i, d ? "debit" : "credit");
        if ((d && c) || (!d && !c))
            return bad_value(res, path, "Each line needs either a debit or a credit.");
        int64_t amount;
        if (!sb_money_from_json(d ? d : c, exp, &amount) || amount < 0)
            return bad_value(res, path, "The amount must be a non-negative number with no more decimals than the currency has.");
        if (d)
            debits += amount;
        else
            credits += amount;
    }
    if (debits != credits) {
        char dt[32], ct[32], detail[200];
        sb_money_format(debits, exp, dt, sizeof dt);
        sb_money_format(credits, exp, ct, sizeof ct);
        snprintf(detail, sizeof detail,
                 "This transaction is not in balance: total debits %s must equal total credits %s.", dt, ct);
        return bad(res, "USER_ERROR", "line", detail);
    }
    return true;
}

/* A customer deposit: a positive payment with no more decimals than the currency has, from the
 * customer the sales order belongs to (NetSuite refuses a deposit of another customer's order). */
static bool check_deposit(ns_state *ns, json_object *body, sb_response *res)
{
    int exp = currency_exponent(ns, body);
    int64_t amount;
    json_object *payment = get(body, "payment");
    if (!payment || !sb_money_from_json(payment, exp, &amount) || amount <= 0)
        return bad_value(res, "payment", "The payment must be a positive number with no more decimals than the currency has.");
    ns_record *order = ns_store_find(ns, &NS_SALES_ORDER, json_object_get_string(get(get(body, "salesOrder"), "id")));
    const char *customer = json_object_get_string(get(get(body, "customer"), "id"));
    const char *order_customer = order ? json_object_get_string(get(get(order->body, "entity"), "id")) : NULL;
    if (!order || !customer || !order_customer || strcmp(customer, order_customer) != 0)
        return bad(res, "USER_ERROR", "salesOrder", "The sales order does not belong to this customer.");
    return true;
}

/* Money on an item line. amount and tax1Amt have the currency's digits at most (rate may have
 * six, as a unit price). Only a discount line takes money off, so only it may be negative. A tax
 * amount needs a tax code: legacy tax has no tax without one. */
static bool check_line_money(ns_state *ns, json_object *line, const char *name, size_t i, int exp,
                             sb_response *res)
{
    static const struct { const char *field; bool currency_digits; } MONEY[] = {
        {"amount", true}, {"rate", false}, {"tax1Amt", true},
    };
    bool discount = ns_line_is_discount(ns, line);
    char path[64];
    for (size_t k = 0; k < sizeof MONEY / sizeof MONEY[0]; k++) {
        json_object *v = get(line, MONEY[k].field);
        int64_t minor;
        if (!v)
            continue;
        snprintf(path, sizeof path, "%s.items[%zu].%s", name, i, MONEY[k].field);
        if (!sb_money_from_json(v, MONEY[k].currency_digits ? exp : 6, &minor))
            return bad_value(res, path, "The value must be a number with no more decimals than the currency has.");
        if (minor < 0 && !discount)
            return bad_value(res, path, "The value must not be negative: only a discount item line takes money off.");
    }
    if (get(line, "tax1Amt") && !get(line, "taxCode")) {
        snprintf(path, sizeof path, "%s.items[%zu].tax1Amt", name, i);
        return bad(res, "USER_ERROR", path, "A line with a tax amount (tax1Amt) needs a tax code (taxCode).");
    }
    return true;
}

/* Lines of sales orders, returns and credit memos. full: the whole record (create, or a patch
 * merged into the stored record), when the currency and every line are known. */
static bool check_lines(ns_state *ns, json_object *body, const char *name, bool full, sb_response *res)
{
    json_object *lines = sublist(body, name);
    size_t n = lines ? json_object_array_length(lines) : 0;
    if (full && n == 0)
        return bad(res, "USER_ERROR", name, "You must enter at least one line item for this transaction.");
    int exp = currency_exponent(ns, body);
    for (size_t i = 0; i < n; i++) {
        json_object *line = json_object_array_get_idx(lines, i);
        json_object *q = get(line, "quantity");
        int64_t qty;
        if (q && (!sb_money_from_json(q, 6, &qty) || qty <= 0)) {
            char path[64];
            snprintf(path, sizeof path, "%s.items[%zu].quantity", name, i);
            return bad_value(res, path, "The quantity must be greater than zero.");
        }
        if (full && !check_line_money(ns, line, name, i, exp, res))
            return false;
    }
    return true;
}

/* shippingCost goes into the total, so it must be exact money too. */
static bool check_shipping_cost(ns_state *ns, json_object *body, sb_response *res)
{
    json_object *v = get(body, "shippingCost");
    int64_t minor;
    if (v && (!sb_money_from_json(v, currency_exponent(ns, body), &minor) || minor < 0))
        return bad_value(res, "shippingCost",
                         "The value must be a non-negative number with no more decimals than the currency has.");
    return true;
}

bool ns_validate(ns_state *ns, const ns_type *type, json_object *body, bool full, sb_response *res)
{
    if (!json_object_is_type(body, json_type_object))
        return bad(res, "INVALID_CONTENT", NULL, "The request body must be a JSON object.");
    if (!check_fields(ns, type, type->fields, body, "", full, res))
        return false;
    json_object *eid = get(body, "externalId");
    if (eid && !ns_valid_external_id(json_object_get_string(eid)))
        return bad_value(res, "externalId",
                         "An external ID may contain only letters, digits, underscores and hyphens.");
    if (type == &NS_JOURNAL_ENTRY && (full || get(body, "line")))
        return check_journal(ns, body, res);
    if (type == &NS_CUSTOMER && full) {
        json_object *person = get(body, "isPerson");
        if (person && json_object_get_boolean(person)) {
            if (!get(body, "firstName") || !get(body, "lastName"))
                return bad(res, "USER_ERROR", get(body, "firstName") ? "lastName" : "firstName",
                           "Please enter value(s) for: First Name, Last Name");
        } else if (!get(body, "companyName")) {
            return bad(res, "USER_ERROR", "companyName", "Please enter value(s) for: Company Name");
        }
    }
    if (type == &NS_CUSTOMER_DEPOSIT && full)
        return check_deposit(ns, body, res);
    if (type == &NS_SALES_ORDER && full && !check_shipping_cost(ns, body, res))
        return false;
    if (type == &NS_SALES_ORDER || type == &NS_RETURN_AUTHORIZATION || type == &NS_CREDIT_MEMO)
        return check_lines(ns, body, "item", full, res);
    return true;
}

/* ---- totals ---------------------------------------------------------------------------------- */

static json_object *money_json(int64_t minor, int exp)
{
    char text[40];
    sb_money_format(minor, exp, text, sizeof text);
    return json_object_new_double_s(0, text); /* prints exactly `text` */
}

static int64_t scale(int exp)
{
    int64_t s = 1;
    while (exp-- > 0)
        s *= 10;
    return s;
}

/* A line's amount: as given, else rate × quantity (both to six decimals) rounded half away from
 * zero to the currency's digits, and then stored on the line. False when neither is known. */
static bool line_amount(json_object *line, int exp, int64_t *amount)
{
    int64_t rate = 0, qty = 0;
    if (sb_money_from_json(get(line, "amount"), exp, amount))
        return true;
    if (!sb_money_from_json(get(line, "rate"), 6, &rate) || !sb_money_from_json(get(line, "quantity"), 6, &qty))
        return false;
    __int128 micro2 = (__int128)rate * qty; /* 12 decimals */
    __int128 div = (__int128)scale(12 - exp);
    *amount = (int64_t)((micro2 + (micro2 >= 0 ? div / 2 : -div / 2)) / div);
    json_object_object_add(line, "amount", money_json(*amount, exp));
    return true;
}

/* A line's tax. A given tax1Amt is the tax, to the cent: the storefront computed it and the ERP
 * must not re-round it. Without one, amount × the tax code's rate, rounded half away from zero,
 * stored as tax1Amt so a reader sees every line's tax. No tax code, no tax. */
static int64_t line_tax(ns_state *ns, json_object *line, int64_t amount, int exp)
{
    json_object *tc = get(line, "taxCode");
    const sb_tax_code *code = tc ? sb_seed_tax_code_by_netsuite_id(ns->seed, json_object_get_string(get(tc, "id"))) : NULL;
    int64_t tax = 0;
    if (!code)
        return 0;
    if (sb_money_from_json(get(line, "tax1Amt"), exp, &tax))
        return tax;
    tax = (amount * code->rate_bp + (amount >= 0 ? 5000 : -5000)) / 10000;
    json_object_object_add(line, "tax1Amt", money_json(tax, exp));
    return tax;
}

void ns_compute_totals(ns_state *ns, json_object *body)
{
    json_object *lines = sublist(body, "item");
    if (!lines)
        return;
    int exp = currency_exponent(ns, body);
    int64_t subtotal = 0, tax = 0;
    for (size_t i = 0; i < json_object_array_length(lines); i++) {
        json_object *line = json_object_array_get_idx(lines, i);
        int64_t amount = 0;
        if (line_amount(line, exp, &amount))
            subtotal += amount;
        tax += line_tax(ns, line, amount, exp);
    }
    int64_t shipping = 0;
    json_object *sc = get(body, "shippingCost");
    if (sc)
        sb_money_from_json(sc, exp, &shipping);
    json_object_object_add(body, "subtotal", money_json(subtotal, exp));
    json_object_object_add(body, "taxTotal", money_json(tax, exp));
    json_object_object_add(body, "total", money_json(subtotal + shipping + tax, exp));
}
