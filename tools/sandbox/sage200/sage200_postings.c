/* Postings of the Sage 200 sandbox: sales credit notes (sales.json) and cash-book receipts and
 * payments (cash-book.json). Sage posts them as transactions, so the POST answers only a URN and
 * the posting is found afterwards in /sales_posted_transactions or /bank_posted_transactions (by
 * its reference, the only key a client controls). Rules, as Sage applies them:
 *   credit note   the customer exists and is not open in the desktop client; a goods value; the
 *                 tax analysis items' goods_amount and tax_amount add up to document_goods_value
 *                 and document_tax_value, their tax codes exist; the nominal analysis items'
 *                 values add up to document_goods_value, their codes exist
 *   bank receipt  the bank exists; at least one nominal analysis item; each one's code exists, its
 *   and payment   gross_value is goods_value + tax_value, a tax value only with a tax code that
 *                 exists; the cheque value is the items' gross; the bank's balance moves by it
 * Banks: 1 "1000" (the operating account), 2 "1199" (a clearing account o2c posts payouts
 * through). Nominal codes: the seed's chart of accounts by number, and the banks' own. */
#include "tools/sandbox/sage200/sage200.h"
#include "tools/sandbox/framework/money.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static json_object *pence(int64_t minor)
{
    char buf[64];
    sb_money_format(minor, 2, buf, sizeof buf);
    return json_object_new_double_s((double)minor / 100.0, buf);
}

/* A money member in pence (0 when absent). */
static int64_t amount(json_object *o, const char *k)
{
    int64_t v = 0;
    if (member(o, k))
        sb_money_from_json(member(o, k), 2, &v);
    return v;
}

static void add_code(sg_state *sg, const char *code, const char *name)
{
    json_object *n = json_object_new_object();
    json_object_object_add(n, "id", json_object_new_int64((int64_t)json_object_array_length(sg->records[SG_NOMINAL_CODES]) + 1));
    json_object_object_add(n, "code", json_object_new_string(code));
    json_object_object_add(n, "name", json_object_new_string(name));
    json_object_array_add(sg->records[SG_NOMINAL_CODES], n);
}

void sg_postings_init(sg_state *sg)
{
    static const struct { int64_t id; const char *code, *name; } banks[] = {
        {1, "1000", "Bank - operating account"}, {2, "1199", "o2c payout clearing"}};
    for (size_t i = 0; i < sizeof banks / sizeof banks[0]; i++) {
        json_object *b = json_object_new_object();
        json_object_object_add(b, "id", json_object_new_int64(banks[i].id));
        json_object_object_add(b, "code", json_object_new_string(banks[i].code));
        json_object_object_add(b, "description", json_object_new_string(banks[i].name));
        json_object_object_add(b, "balance", pence(0));
        json_object_object_add(b, "bank_account_nominal_reference", json_object_new_string(banks[i].code));
        json_object_array_add(sg->records[SG_BANKS], b);
    }
    const sb_seed *seed = sg->opts->seed;
    for (size_t i = 0; seed && i < seed->n_accounts; i++)
        if (strlen(seed->accounts[i].number) <= 8)
            add_code(sg, seed->accounts[i].number, seed->accounts[i].name);
    add_code(sg, "1199", "o2c payout clearing");
}

static bool nominal_exists(sg_state *sg, const char *code)
{
    json_object *all = sg->records[SG_NOMINAL_CODES];
    for (size_t i = 0; code && i < json_object_array_length(all); i++)
        if (strcmp(member_str(json_object_array_get_idx(all, i), "code"), code) == 0)
            return true;
    return false;
}

/* Every nominal analysis item names a code that exists; the sum of `field` in *sum. */
static bool check_nominal(sg_state *sg, json_object *items, const char *field, int64_t *sum, sb_response *res)
{
    *sum = 0;
    for (size_t i = 0; items && i < json_object_array_length(items); i++) {
        json_object *it = json_object_array_get_idx(items, i);
        char path[64];
        snprintf(path, sizeof path, "nominal_analysis_items[%zu].code", i);
        if (!nominal_exists(sg, member_str(it, "code"))) {
            sg_error(res, 400, path, "The nominal code '%s' does not exist.", member_str(it, "code") ? member_str(it, "code") : "");
            return false;
        }
        *sum += amount(it, field);
    }
    return true;
}

static bool posted(sg_state *sg, enum sg_collection into, json_object *record, sb_response *res)
{
    int64_t id = ++sg->next_id;
    char now[32], urn[24];
    sb_iso8601(sb_now(), now, sizeof now);
    snprintf(urn, sizeof urn, "%" PRId64, id);
    json_object_object_add(record, "id", json_object_new_int64(id));
    json_object_object_add(record, "urn", json_object_new_int64(id));
    json_object_object_add(record, "posted_date", json_object_new_string(now));
    json_object_object_add(record, "date_time_created", json_object_new_string(now));
    json_object_object_add(record, "date_time_updated", json_object_new_string(now));
    if (!member(record, "transaction_date"))
        json_object_object_add(record, "transaction_date", json_object_new_string(now));
    json_object_array_add(sg->records[into], record);
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "urn", json_object_new_string(urn));
    sb_respond_json(res, 200, answer);
    json_object_put(answer);
    return true;
}

static void copy(json_object *to, json_object *from, const char *k)
{
    if (member(from, k))
        json_object_object_add(to, k, json_object_get(member(from, k)));
}

static bool credit_note(sg_state *sg, json_object *body, sb_response *res)
{
    int64_t cid = json_object_get_int64(member(body, "customer_id"));
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
    if (!member(body, "document_goods_value")) {
        sg_error(res, 400, "document_goods_value", "A credit note must have a goods value.");
        return false;
    }
    int64_t goods = amount(body, "document_goods_value"), tax = amount(body, "document_tax_value");
    if (goods < 0 || tax < 0) {
        sg_error(res, 400, "document_goods_value", "A credit note's values cannot be negative.");
        return false;
    }
    json_object *taxes = member(body, "tax_analysis_items");
    int64_t tax_goods = 0, tax_tax = 0;
    for (size_t i = 0; taxes && i < json_object_array_length(taxes); i++) {
        json_object *it = json_object_array_get_idx(taxes, i);
        if (!sg_find(sg, SG_TAX_CODES, json_object_get_int64(member(it, "id")))) {
            char path[64];
            snprintf(path, sizeof path, "tax_analysis_items[%zu].id", i);
            sg_error(res, 400, path, "The tax code with Id %" PRId64 " does not exist.", json_object_get_int64(member(it, "id")));
            return false;
        }
        tax_goods += amount(it, "goods_amount");
        tax_tax += amount(it, "tax_amount");
    }
    if (taxes && (tax_goods != goods || tax_tax != tax)) {
        sg_error(res, 400, "tax_analysis_items", "The tax analysis does not add up to the credit note: goods %" PRId64
                 " against %" PRId64 ", tax %" PRId64 " against %" PRId64 " (pence).", tax_goods, goods, tax_tax, tax);
        return false;
    }
    int64_t nominal;
    if (!check_nominal(sg, member(body, "nominal_analysis_items"), "value", &nominal, res))
        return false;
    if (member(body, "nominal_analysis_items") && nominal != goods) {
        sg_error(res, 400, "nominal_analysis_items", "The nominal analysis does not add up to the goods value: %" PRId64
                 " against %" PRId64 " (pence).", nominal, goods);
        return false;
    }
    json_object *rec = json_object_new_object();
    json_object_object_add(rec, "customer_id", json_object_new_int64(cid));
    json_object_object_add(rec, "trader_transaction_type", json_object_new_string("TradingAccountEntryTypeCreditNote"));
    copy(rec, body, "reference");
    copy(rec, body, "second_reference");
    copy(rec, body, "transaction_date");
    json_object_object_add(rec, "document_goods_value", pence(goods));
    json_object_object_add(rec, "document_tax_value", pence(tax));
    json_object_object_add(rec, "document_gross_value", pence(goods + tax));
    copy(rec, body, "tax_analysis_items");
    copy(rec, body, "nominal_analysis_items");
    return posted(sg, SG_SALES_POSTED, rec, res);
}

static bool bank_entry(sg_state *sg, bool receipt, json_object *body, sb_response *res)
{
    json_object *bank = sg_find(sg, SG_BANKS, json_object_get_int64(member(body, "bank_id")));
    if (!bank) {
        sg_error(res, 400, "bank_id", "The bank account with Id %" PRId64 " does not exist.",
                 json_object_get_int64(member(body, "bank_id")));
        return false;
    }
    json_object *items = member(body, "nominal_analysis_items");
    if (!items || json_object_array_length(items) == 0) {
        sg_error(res, 400, "nominal_analysis_items", "At least one nominal analysis item is required.");
        return false;
    }
    int64_t gross = 0;
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *it = json_object_array_get_idx(items, i);
        char path[64];
        snprintf(path, sizeof path, "nominal_analysis_items[%zu].gross_value", i);
        int64_t g = amount(it, "gross_value"), n = amount(it, "goods_value"), t = amount(it, "tax_value");
        if (!member(it, "gross_value"))
            g = n + t;
        if (g <= 0 || (member(it, "goods_value") && g != n + t)) {
            sg_error(res, 400, path, "The gross value must be positive and the goods value plus the tax value.");
            return false;
        }
        if (t != 0 && !sg_find(sg, SG_TAX_CODES, json_object_get_int64(member(it, "tax_code_id")))) {
            snprintf(path, sizeof path, "nominal_analysis_items[%zu].tax_code_id", i);
            sg_error(res, 400, path, "A tax value needs a tax code that exists.");
            return false;
        }
        gross += g;
    }
    int64_t ignored;
    if (!check_nominal(sg, items, "gross_value", &ignored, res))
        return false;
    int64_t balance = amount(bank, "balance") + (receipt ? gross : -gross);
    json_object_object_add(bank, "balance", pence(balance));
    json_object *rec = json_object_new_object();
    json_object_object_add(rec, "bank_id", json_object_get(member(body, "bank_id")));
    json_object_object_add(rec, "bank_transaction_type",
                           json_object_new_string(receipt ? "BankAccountEntryTypeReceipt" : "BankAccountEntryTypePayment"));
    copy(rec, body, "reference");
    copy(rec, body, "second_reference");
    copy(rec, body, "transaction_date");
    if (member(body, "narrative"))
        json_object_object_add(rec, "entry_description", json_object_get(member(body, "narrative")));
    json_object_object_add(rec, "cheque_value", pence(gross));
    copy(rec, body, "nominal_analysis_items");
    return posted(sg, SG_BANK_POSTED, rec, res);
}

bool sg_post(sg_state *sg, enum sg_collection c, json_object *body, sb_response *res)
{
    if (!sg_check_body(sg_collection_entity(c), body, "", NULL, res))
        return false;
    if (c == SG_CREDIT_NOTES)
        return credit_note(sg, body, res);
    return bank_entry(sg, c == SG_BANK_RECEIPTS, body, res);
}

/* Postings of `type` beyond the first per reference. */
static long duplicates(json_object *all, const char *type_field)
{
    json_object *seen = json_object_new_object();
    long n = 0;
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        json_object *r = json_object_array_get_idx(all, i);
        const char *ref = member_str(r, "reference");
        if (!ref || !*ref)
            continue;
        char key[128];
        snprintf(key, sizeof key, "%s/%s", member_str(r, type_field) ? member_str(r, type_field) : "", ref);
        if (member(seen, key))
            n++;
        else
            json_object_object_add(seen, key, json_object_new_boolean(1));
    }
    json_object_put(seen);
    return n;
}

void sg_postings_stats(sg_state *sg, json_object *out)
{
    json_object_object_add(out, "duplicate_credit_note_references",
                           json_object_new_int64(duplicates(sg->records[SG_SALES_POSTED], "trader_transaction_type")));
    json_object_object_add(out, "duplicate_bank_references",
                           json_object_new_int64(duplicates(sg->records[SG_BANK_POSTED], "bank_transaction_type")));
}
