/* Sage 200 (UK, accounts/v1 over the Sage ID / on-premise tunnel) for o2c.
 *
 * Requests carry `Authorization: Bearer <token>`, `X-Site` and `X-Company`, from the environment
 * variables the connection names in o2c.connection.secret_env (defaults SAGE200_TOKEN,
 * SAGE200_SITE, SAGE200_COMPANY), never from the database. Every answer becomes an engine outcome
 * through connectors/common/classify.h: a 400 whose message says the record is in use or locked
 * (a user has it open in the desktop client) → locked; 429 → throttled; 5xx (504: the on-premise
 * tunnel is down or timed out), timeouts, cut-off bodies → retry; 401 (token, X-Site or X-Company
 * wrong) → remote_auth; 403 → remote_permission; any other refusal → remote_rejected with Sage's
 * words and the field it names (ModelState). */
#ifndef O2C_SAGE200_H
#define O2C_SAGE200_H

#include "connectors/common/connector.h"
#include "connectors/common/http.h"

#include <stdbool.h>
#include <stdint.h>

/* Sends one request (path like "/customers?%24filter=…") on the step's connection. True with
 * *res filled on a 2xx answer; otherwise false with the step's outcome set (and *res freed). */
bool sage200_call(struct o2c_step *step, const char *method, const char *path, const char *body,
                  const char *what, struct o2c_http_response *res, struct o2c_outcome *out);

/* Turns a non-2xx answer (or no answer, or an unreadable 2xx) into an outcome. */
void sage200_classify(const struct o2c_http_response *res, const char *what, struct o2c_outcome *out);

/* Sage's error body {"Message", "ModelState": {"<field>": ["…"]}}: its words and first field. */
void sage200_error_words(const char *body, char *message, size_t message_len, char *field, size_t field_len);

/* A JSON number or numeric string as integer units of 10^-digits, exactly (the number's own text,
 * never through a double); false when it is not one or has more digits. */
bool sage200_decimal(json_object *value, int digits, int64_t *out);

/* The filter value percent-encoded inside an OData string literal ('' for a quote) into buf;
 * false when it does not fit or holds a control character. */
bool sage200_filter_literal(const char *value, char *buf, size_t len);

/* The actions (sage200_actions.c). */
extern const struct o2c_action o2c_sage200_actions[];
/* sage200.read_stock (sage200_stock.c): warehouse holdings as stock level rows. */
extern const struct o2c_action o2c_sage200_stock_actions[];
/* sage200.poll_despatches, sage200.read_despatch (sage200_despatch.c): the fulfilment flow's reads. */
extern const struct o2c_action o2c_sage200_despatch_actions[];

#endif
