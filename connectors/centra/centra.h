/* Centra's Integration API (GraphQL over HTTPS) for pipeline actions.
 *
 * One call = POST <base_url>/graphql with `Authorization: Bearer <token>` and a JSON body
 * {"query": document, "variables": {...}} built with json-c. The token is the connection's secret
 * `token` (the environment variable o2c.connection.secret_env names, default CENTRA_TOKEN); it is
 * never logged or put in a message.
 *
 * Every answer becomes an engine outcome:
 *   HTTP 429 (rate limit)                        → throttled, Retry-After seconds as delay_ms
 *   GraphQL error THROTTLED / category throttled  → throttled (Retry-After if any, else 1 s)
 *   5xx, no answer (timeout, reset, refused), a 2xx body that is not a JSON object
 *                                                → retry (Retry-After honoured on 5xx)
 *   401 or GraphQL category "authentication"     → failed remote_auth, critical, engineering
 *   403 or GraphQL category "authorization"      → failed remote_permission, high, engineering
 *   any other GraphQL error (syntax, validation) or 4xx
 *                                                → failed workflow_error, high, engineering: the
 *                                                  query we sent is wrong, retrying cannot help
 * Messages name the call ("orderConnection after cursor 2026-…") and quote Centra's message. */
#ifndef O2C_CENTRA_H
#define O2C_CENTRA_H

#include "connectors/common/http.h"
#include "connectors/common/connector.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* Runs one GraphQL operation on the step's connection. `variables` may be NULL (ownership taken).
 * On success returns true and *root holds the parsed response (caller puts it; its "data" member
 * is a JSON object). Otherwise returns false with the outcome set and *root NULL. */
bool centra_graphql(struct o2c_step *step, const char *what, const char *document, json_object *variables,
                    json_object **root, struct o2c_outcome *out);

/* Turns an answer into an outcome. `root` is the parsed body or NULL. Returns true (outcome left
 * untouched) only for a 2xx answer whose body is an object with no "errors" and an object "data". */
bool centra_classify(const struct o2c_http_response *res, json_object *root, const char *what,
                     struct o2c_outcome *out);

/* Parses Centra's DateTimeTz ("2026-11-23T10:01:06+00:00", also "Z", "+0100" and fractional
 * seconds) into microseconds since the epoch, UTC. False for anything else. */
bool centra_parse_time(const char *text, int64_t *us);

/* The orderConnection query of centra.poll_orders (variables $first, $after, $where). */
extern const char *const centra_poll_orders_document;
/* The same page with nothing but each order's number, updatedAt and cursor. */
extern const char *const centra_poll_order_keys_document;

/* centra.poll_orders (see centra_actions.c). */
extern const struct o2c_action o2c_centra_actions[];
extern const struct o2c_action o2c_centra_shipment_actions[]; /* centra_shipments.c */
/* centra.set_stock (centra_stock.c). */
extern const struct o2c_action o2c_centra_stock_actions[];
/* centra.upsert_item (centra_items.c). */
extern const struct o2c_action o2c_centra_item_actions[];

#endif
