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
#include "runner/action.h"

#include <stdbool.h>

/* Sends one signed request to path (e.g. "/services/rest/record/v1/salesOrder/eid:X") on the
 * step's connection. Returns true with *res filled on a 2xx answer; otherwise false with the
 * step's outcome set (and *res freed). `what` names the call in messages ("upsert salesOrder X"). */
bool netsuite_call(struct o2c_step *step, const char *method, const char *path, const char *body,
                   const char *what, struct o2c_http_response *res, struct o2c_outcome *out);

/* Turns a non-2xx answer (or no answer: status 0) into an outcome. */
void netsuite_classify(const struct o2c_http_response *res, const char *what, struct o2c_outcome *out);

/* Letters, digits, '_' and '-' only, 1..190 characters: what NetSuite allows in an external id. */
bool netsuite_valid_external_id(const char *id);

extern const struct o2c_action o2c_netsuite_actions[];

#endif
