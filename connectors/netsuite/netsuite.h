/* NetSuite over SuiteTalk REST with token-based authentication (OAuth 1.0a, HMAC-SHA256).
 *
 * Every answer becomes an engine outcome: CONCURRENCY_LIMIT_EXCEEDED (429, or 400 as some
 * accounts report it) and other 429s → throttled; record locks (RCRD_HAS_BEEN_CHANGED,
 * SSS_RECORD_LOCKED) → locked; 5xx, timeouts, resets, truncated bodies → retry; a refused login →
 * failed (credentials, engineering); any other refusal → failed with NetSuite's own message and
 * the field it names, for ops to fix. Credentials come from the environment variables the
 * connection names in o2c.connection.secret_env (defaults NETSUITE_ACCOUNT, NETSUITE_CONSUMER_KEY,
 * NETSUITE_CONSUMER_SECRET, NETSUITE_TOKEN_ID, NETSUITE_TOKEN_SECRET), never from the database. */
#ifndef O2C_NETSUITE_H
#define O2C_NETSUITE_H

#include "connectors/common/http.h"
#include "connectors/common/connector.h"

#include <stdbool.h>

/* Sends one signed request to path (e.g. "/services/rest/record/v1/salesOrder/eid:X") on the
 * step's connection. Returns true with *res filled on a 2xx answer; otherwise false with the
 * step's outcome set (and *res freed). `what` names the call in messages ("upsert salesOrder X"). */
bool netsuite_call(struct o2c_step *step, const char *method, const char *path, const char *body,
                   const char *what, struct o2c_http_response *res, struct o2c_outcome *out);

/* What a caller needs beyond netsuite_call's defaults. */
struct netsuite_options {
    const char *header;  /* one more request header ("Prefer: transient" for SuiteQL); NULL for none */
    bool not_found_ok;   /* a 404 saying the record does not exist comes back as true with
                            res->status 404, for actions to which "not there" is an answer */
    json_object *refusals; /* borrowed, may be NULL: {"DUP_RCRD": "duplicate", "entity": "x"}; a 400
                              whose error code, or the first part of whose error path, is a key
                              becomes that named outcome (patch "refusal": NetSuite's words)
                              instead of a failure: for pipelines to which that refusal is an
                              answer (netsuite_refusal_outcome) */
};

/* netsuite_call with options (opt may be NULL). */
bool netsuite_send(struct o2c_step *step, const char *method, const char *path, const char *body,
                   const char *what, const struct netsuite_options *opt, struct o2c_http_response *res,
                   struct o2c_outcome *out);

/* The answer's body as a JSON object; NULL when it is not one, down to the last byte (a body cut
 * off in transit is NULL, not a shorter object). Caller puts it. */
json_object *netsuite_parse_object(const struct o2c_http_response *res);

/* Turns a non-2xx answer (or no answer: status 0) into an outcome. */
void netsuite_classify(const struct o2c_http_response *res, const char *what, struct o2c_outcome *out);

/* A 404 whose o:errorCode says the record does not exist (NONEXISTENT_ID, RECORD_NOT_FOUND).
 * Other 404s (an unknown record type, a wrong base URL answered by a proxy) are not "not found":
 * they mean our request is wrong, and must not pass as a record that is gone. */
bool netsuite_is_not_found(const struct o2c_http_response *res);

/* The named outcome `refusals` (see netsuite_options) gives this answer: when it is a 400 whose
 * o:errorCode, or whose o:errorPath up to the first '.' or '[', is a key of refusals, sets that
 * outcome with patch {"refusal": "<code> <path>: <NetSuite's detail>"} and returns true. */
bool netsuite_refusal_outcome(const struct o2c_http_response *res, json_object *refusals, const char *what,
                              struct o2c_outcome *out);

/* Letters, digits, '_' and '-' only, 1..190 characters: what NetSuite allows in an external id. */
bool netsuite_valid_external_id(const char *id);

/* SuiteQL text built safely from untrusted values (netsuite_suiteql.c, pure functions). */

/* A SuiteQL name (table or column) as the actions accept it: a-z only, 1..64 characters
 * (upper_ok also allows A-Z: record names may be written camel-case, SuiteQL ignores case). */
bool netsuite_suiteql_name(const char *name, bool upper_ok);

/* False when value is NULL or holds a control character: no value we look up by has one. */
bool netsuite_suiteql_value_ok(const char *value);

/* value as a SuiteQL string literal: in single quotes, each quote doubled. NULL when the value is
 * not netsuite_suiteql_value_ok (or memory ran out). malloc'd; caller frees. */
char *netsuite_suiteql_literal(const char *value);

/* "SELECT id FROM <table> WHERE c1 = 'v1' AND … ORDER BY <order_by>" for n > 0 columns and
 * values. Where ignore_case[i] (ignore_case may be NULL: none), the predicate is
 * "UPPER(ci) = 'VI'", the value upper-cased (ASCII letters only; other bytes, UTF-8 included, as
 * they are) before its quotes are doubled. NULL with the reason in err when a name or value is
 * refused. malloc'd. */
char *netsuite_suiteql_find_query(const char *table, size_t n, const char *const *columns,
                                  const char *const *values, const bool *ignore_case, const char *order_by,
                                  char *err, size_t err_len);

/* Paged SuiteQL reads for the pollers (netsuite_suiteql_read.c). */
#define NETSUITE_SUITEQL_PAGE 1000
/* POSTs SuiteQL body {"q": …} for one page of NETSUITE_SUITEQL_PAGE rows at offset. True with
 * *answer (caller puts it), *items (its row array, borrowed from *answer) and *more (NetSuite's
 * hasMore); otherwise false with the step's outcome set and nothing to put. `what` names the read
 * in messages. */
bool netsuite_suiteql_page(struct o2c_step *step, json_object *body, long offset, const char *what,
                           json_object **answer, json_object **items, bool *more, struct o2c_outcome *out);
/* "YYYY-MM-DD HH24:MI:SS", digits where digits belong: the shape of o2c's SuiteQL time cursors,
 * safe to write into a query as it is. */
bool netsuite_cursor_ok(const char *c);
/* 1..20 digits: a NetSuite internal id, safe to write into a query as it is. */
bool netsuite_id_ok(const char *s);
/* A SuiteQL row's member as text when it is a string or an integer (SuiteQL answers strings);
 * NULL when absent or of another type. */
const char *netsuite_row_text(json_object *row, const char *key);
/* PUTs body as the record of `type` with external id eid (checked by the caller: a valid record
 * type and netsuite_valid_external_id), creating or updating it; ok with patch <result_key>
 * (param, else default_result_key): NetSuite's internal id from Location. The param "refusals"
 * names refusals that are answers (netsuite_options). Every other answer is classified. */
void netsuite_upsert_by_external_id(struct o2c_step *step, const char *type, const char *eid, json_object *body,
                                    const char *default_result_key, struct o2c_outcome *out);
/* A state param, or fallback when the state has none. */
const char *netsuite_param(struct o2c_step *step, const char *key, const char *fallback);

/* The actions (documented in netsuite_actions.c). */
void netsuite_find(struct o2c_step *step, struct o2c_outcome *out);
void netsuite_close_sales_order(struct o2c_step *step, struct o2c_outcome *out);
void netsuite_change_sales_order_lines(struct o2c_step *step, struct o2c_outcome *out);

extern const struct o2c_action o2c_netsuite_actions[];
extern const struct o2c_action o2c_netsuite_fulfil_actions[]; /* netsuite_fulfil.c */
/* netsuite.read_stock (netsuite_stock.c). */
extern const struct o2c_action o2c_netsuite_stock_actions[];
/* netsuite.read_items, netsuite.read_item_prices (netsuite_items.c). */
extern const struct o2c_action o2c_netsuite_item_actions[];
/* netsuite.read_customers (netsuite_customers.c). */
extern const struct o2c_action o2c_netsuite_customer_actions[];
/* netsuite.upsert_journal (netsuite_journal.c): settlement journals. */
extern const struct o2c_action o2c_netsuite_journal_actions[];

#endif
