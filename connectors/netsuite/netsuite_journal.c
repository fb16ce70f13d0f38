/* netsuite.upsert_journal: one settlement journal entry, upserted by its external id
 * (PUT journalEntry/eid:<id>), so a re-run after a crash, a timeout or a cut-off answer finds the
 * journal it made instead of posting a second one.
 *
 * Context key journal_key (default journal), as o2c_action.settlement_next_journal lays it out:
 *   {"external_id", "tran_date": "YYYY-MM-DD", "subsidiary_id", "currency_id", "memo",
 *    "lines": [{"account_id", "debit": "12.50" | "credit": "12.50", "memo"}]}
 * Amounts are decimal text, sent to NetSuite as JSON numbers with exactly that text (never through
 * a binary float). Before anything is sent the journal is checked here: at least two lines, each
 * with one non-negative amount of at most four decimals, debits equal to credits in integer
 * units. A journal that fails the check is failed bad_input (engineering: o2c built it wrongly)
 * and never reaches NetSuite, which would refuse it anyway.
 *
 * Answers are classified like every NetSuite call (netsuite_send → connectors/common/classify.h):
 * 429 throttled, 5xx/timeouts retried, a refusal failed remote_rejected with NetSuite's words and
 * field — unless params.refusals names it (as netsuite.upsert: {"tranDate": "refused"} makes a
 * 400 about the date, such as a closed period, the named outcome `refused` with patch
 * {"refusal": NetSuite's words}, for the pipeline to hand to finance). ok: patch {result_key
 * (default journal_erp_id): the journal's internal id}. */
#include "connectors/netsuite/netsuite.h"
#include "connectors/common/connector.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* "123.45" → 1234500 (units of 10^-4). False for anything else: signs, exponents, five decimals,
 * more than 14 integer digits. */
static bool ten_thousandths(const char *text, int64_t *out)
{
    int64_t whole = 0, frac = 0;
    int int_digits = 0, frac_digits = 0;
    const char *p = text;
    while (*p >= '0' && *p <= '9') {
        if (++int_digits > 14)
            return false;
        whole = whole * 10 + (*p++ - '0');
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (++frac_digits > 4)
                return false;
            frac = frac * 10 + (*p++ - '0');
        }
        if (frac_digits == 0)
            return false;
    }
    if (*p || int_digits == 0)
        return false;
    for (int i = frac_digits; i < 4; i++)
        frac *= 10;
    *out = whole * 10000 + frac;
    return true;
}

static const char *member_text(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static json_object *ref(const char *id)
{
    json_object *r = json_object_new_object();
    json_object_object_add(r, "id", json_object_new_string(id));
    return r;
}

/* The NetSuite body of a journal from o2c's layout, checked; NULL with the reason in why. */
static json_object *journal_body(json_object *j, char *why, size_t why_len)
{
    const char *subsidiary = member_text(j, "subsidiary_id"), *currency = member_text(j, "currency_id");
    const char *date = member_text(j, "tran_date"), *memo = member_text(j, "memo");
    json_object *lines;
    if (!subsidiary || !*subsidiary || !currency || !*currency || !date || strlen(date) != 10) {
        snprintf(why, why_len, "needs subsidiary_id, currency_id and tran_date (YYYY-MM-DD)");
        return NULL;
    }
    if (!json_object_object_get_ex(j, "lines", &lines) || !json_object_is_type(lines, json_type_array) ||
        json_object_array_length(lines) < 2) {
        snprintf(why, why_len, "needs at least two lines");
        return NULL;
    }
    json_object *items = json_object_new_array();
    int64_t debits = 0, credits = 0;
    for (size_t i = 0; i < json_object_array_length(lines); i++) {
        json_object *l = json_object_array_get_idx(lines, i);
        const char *account = member_text(l, "account_id"), *debit = member_text(l, "debit");
        const char *credit = member_text(l, "credit"), *line_memo = member_text(l, "memo");
        const char *amount = debit ? debit : credit;
        int64_t units;
        if (!account || !*account || (debit && credit) || !amount || !ten_thousandths(amount, &units)) {
            snprintf(why, why_len, "line %zu needs account_id and one of debit or credit as decimal text (got %s)", i + 1,
                     amount ? amount : "none");
            json_object_put(items);
            return NULL;
        }
        if (units > INT64_MAX / 2 - debits - credits) {
            snprintf(why, why_len, "line %zu: amounts too large", i + 1);
            json_object_put(items);
            return NULL;
        }
        *(debit ? &debits : &credits) += units;
        json_object *item = json_object_new_object();
        json_object_object_add(item, "account", ref(account));
        json_object_object_add(item, debit ? "debit" : "credit", json_object_new_double_s((double)units / 10000.0, amount));
        if (line_memo)
            json_object_object_add(item, "memo", json_object_new_string(line_memo));
        json_object_array_add(items, item);
    }
    if (debits != credits) {
        snprintf(why, why_len, "does not balance: debits %lld.%04lld, credits %lld.%04lld", (long long)(debits / 10000),
                 (long long)(debits % 10000), (long long)(credits / 10000), (long long)(credits % 10000));
        json_object_put(items);
        return NULL;
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "subsidiary", ref(subsidiary));
    json_object_object_add(body, "currency", ref(currency));
    json_object_object_add(body, "tranDate", json_object_new_string(date));
    if (memo)
        json_object_object_add(body, "memo", json_object_new_string(memo));
    json_object *line = json_object_new_object();
    json_object_object_add(line, "items", items);
    json_object_object_add(body, "line", line);
    return body;
}

static void upsert_journal(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *key = netsuite_param(step, "journal_key", "journal");
    json_object *j;
    if (!json_object_object_get_ex(o2c_step_context(step), key, &j) || !json_object_is_type(j, json_type_object)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "netsuite.upsert_journal needs \"%s\", a JSON object", key);
        return;
    }
    const char *eid = member_text(j, "external_id");
    if (!netsuite_valid_external_id(eid)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT,
                           "netsuite.upsert_journal needs an external_id of letters, digits, _ and - (got \"%s\")",
                           eid ? eid : "");
        return;
    }
    char why[200];
    json_object *body = journal_body(j, why, sizeof why);
    if (!body) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "journal %s %s; nothing was sent to NetSuite", eid, why);
        return;
    }
    netsuite_upsert_by_external_id(step, "journalEntry", eid, body, "journal_erp_id", out);
    json_object_put(body);
}

const struct o2c_action o2c_netsuite_journal_actions[] = {
    {"netsuite.upsert_journal", upsert_journal, false,
     "upserts one balanced journal entry by external id (checked before sending); patch journal_erp_id"},
    {NULL, NULL, false, NULL},
};
