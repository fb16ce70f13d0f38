/* centra.ship_fulfilment: shows one ERP fulfilment in Centra as one completed shipment, and the
 * shopper gets the "your order has shipped" notification once.
 *
 * Context (from the fulfilment's map step): order_number, shipment_lines [{"order_line_id",
 * "quantity"}], carrier, service, tracking_number, shipped_at (ISO 8601).
 *
 * Exactly once without an idempotency key (Centra's createShipment has none): read the order's
 * shipments first and take the one this fulfilment already made — same tracking number and the
 * same lines — so a run whose createShipment answer was lost finds its shipment instead of making
 * a second. With none found the shipment is created shipped, with carrier, service, tracking,
 * shipped time and sendEmail, in one mutation (Centra allows 20 mutations per 10 s). One found not
 * yet completed (made by a run that crashed between Centra's create and complete, or by hand) is
 * completed with sendEmail. Either way the notification rides on the one act that ships the
 * shipment, which happens once: a shipment already shipped is taken as it is.
 *
 * Outcomes: ok, patch {centra_shipment_id, centra_shipment_number, notified_at}. Centra refusing
 * the shipment (order cancelled, more units than are left to ship, unknown order) → failed,
 * category rejected_by_storefront, owner cx, with Centra's own words. */
#include "connectors/centra/centra.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const ORDER_SHIPMENTS =
    "query FulfilmentOrder($number: Int!) { order(number: $number) { id number status "
    "shipments { id number isShipped shipmentInfo { trackingNumber } lines { orderLineId quantity } } } }";

static const char *const CREATE_SHIPMENT =
    "mutation CreateShipment($input: ShipmentCreateInput!) { createShipment(input: $input) { "
    "shipment { id number isShipped } userErrors { message path } } }";

static const char *const COMPLETE_SHIPMENT =
    "mutation CompleteShipment($id: Int!, $input: ShipmentCompleteInput!) { completeShipment(id: $id, input: $input) { "
    "shipment { id number isShipped } userErrors { message path } } }";

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *text(json_object *o, const char *key)
{
    json_object *v = member(o, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* The fulfilment's lines as read from the context, checked. */
struct wanted {
    size_t n;
    int line[64], qty[64];
};

static bool read_lines(json_object *lines, struct wanted *w)
{
    w->n = 0;
    if (!lines || !json_object_is_type(lines, json_type_array) || json_object_array_length(lines) == 0 ||
        json_object_array_length(lines) > 64)
        return false;
    for (size_t i = 0; i < json_object_array_length(lines); i++) {
        json_object *l = json_object_array_get_idx(lines, i);
        int id = json_object_get_int(member(l, "order_line_id")), q = json_object_get_int(member(l, "quantity"));
        if (id <= 0 || q <= 0)
            return false;
        w->line[w->n] = id;
        w->qty[w->n++] = q;
    }
    return true;
}

/* Units per order line of a shipment equal the fulfilment's (in any order). */
static bool same_lines(json_object *lines, const struct wanted *w)
{
    if (!lines || !json_object_is_type(lines, json_type_array))
        return false;
    size_t n = json_object_array_length(lines);
    long total_have = 0, total_want = 0;
    for (size_t i = 0; i < n; i++)
        total_have += json_object_get_int(member(json_object_array_get_idx(lines, i), "quantity"));
    for (size_t k = 0; k < w->n; k++)
        total_want += w->qty[k];
    if (total_have != total_want)
        return false;
    for (size_t k = 0; k < w->n; k++) {
        long have = 0, want = 0;
        for (size_t i = 0; i < n; i++) {
            json_object *l = json_object_array_get_idx(lines, i);
            if (json_object_get_int(member(l, "orderLineId")) == w->line[k])
                have += json_object_get_int(member(l, "quantity"));
        }
        for (size_t j = 0; j < w->n; j++)
            if (w->line[j] == w->line[k])
                want += w->qty[j];
        if (have != want)
            return false;
    }
    return true;
}

/* Centra's userErrors as one sentence; false when there are none. */
static bool user_errors(json_object *payload, char *buf, size_t len)
{
    json_object *errors = member(payload, "userErrors");
    size_t n = errors && json_object_is_type(errors, json_type_array) ? json_object_array_length(errors) : 0;
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used + 1 < len; i++) {
        const char *m = text(json_object_array_get_idx(errors, i), "message");
        int k = snprintf(buf + used, len - used, "%s%s", i ? " " : "", m ? m : "(no message)");
        if (k < 0)
            break;
        used += (size_t)k;
    }
    return n > 0;
}

static json_object *shipment_info(struct o2c_step *step)
{
    json_object *info = json_object_new_object();
    const char *carrier = o2c_step_string(step, "carrier"), *service = o2c_step_string(step, "service");
    const char *tracking = o2c_step_string(step, "tracking_number");
    json_object_object_add(info, "carrier", json_object_new_string(carrier && *carrier ? carrier : "unknown"));
    if (service && *service)
        json_object_object_add(info, "service", json_object_new_string(service));
    if (tracking && *tracking)
        json_object_object_add(info, "trackingNumber", json_object_new_string(tracking));
    return info;
}

static void done(struct o2c_outcome *out, json_object *shipment)
{
    char now[96];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(now, sizeof now, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    o2c_outcome_ok(out);
    o2c_outcome_patch(out, "centra_shipment_id", json_object_new_string(json_object_get_string(member(shipment, "id"))));
    o2c_outcome_patch(out, "centra_shipment_number", json_object_new_string(text(shipment, "number") ? text(shipment, "number") : ""));
    o2c_outcome_patch(out, "notified_at", json_object_new_string(now));
}

/* The shipment of this order that this fulfilment made already, or NULL. */
static json_object *find_made(json_object *order, const char *tracking, const struct wanted *w)
{
    json_object *shipments = member(order, "shipments");
    for (size_t i = 0; shipments && i < json_object_array_length(shipments); i++) {
        json_object *s = json_object_array_get_idx(shipments, i);
        const char *t = text(member(s, "shipmentInfo"), "trackingNumber");
        bool same_tracking = tracking && *tracking ? t && strcmp(t, tracking) == 0 : !t || !*t;
        if (same_tracking && same_lines(member(s, "lines"), w))
            return s;
    }
    return NULL;
}

/* The Centra order number from the context: the canonical order keeps storefront numbers as text
 * (they may exceed int64 elsewhere), Centra's are positive ints. 0 when it is neither. */
static int64_t order_number(struct o2c_step *step)
{
    const char *s = o2c_step_string(step, "order_number");
    if (!s)
        return o2c_step_int(step, "order_number", 0);
    char *end = NULL;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && n > 0 && n <= INT32_MAX ? (int64_t)n : 0;
}

static void ship_fulfilment(struct o2c_step *step, struct o2c_outcome *out)
{
    int64_t number = order_number(step);
    const char *tracking = o2c_step_string(step, "tracking_number");
    struct wanted w;
    if (number <= 0 || !read_lines(member(o2c_step_context(step), "shipment_lines"), &w)) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "centra.ship_fulfilment needs context order_number and shipment_lines "
                           "[{order_line_id, quantity}] with positive values (1 to 64 lines)");
        return;
    }
    char what[160];
    snprintf(what, sizeof what, "read order %lld and its shipments", (long long)number);
    json_object *vars = json_object_new_object(), *root = NULL;
    json_object_object_add(vars, "number", json_object_new_int64(number));
    if (!centra_graphql(step, what, ORDER_SHIPMENTS, vars, &root, out))
        return;
    json_object *order = member(member(root, "data"), "order");
    if (!order || !json_object_is_type(order, json_type_object)) {
        o2c_outcome_failed(out, O2C_FAIL_REJECTED_BY_STOREFRONT, "Centra has no order %lld, so NetSuite's fulfilment cannot be shown to the shopper",
                           (long long)number);
        json_object_put(root);
        return;
    }
    json_object *shipment = find_made(order, tracking, &w);
    json_object *created = NULL;
    char errors[1024];
    if (!shipment) {
        json_object *input = json_object_new_object(), *ref = json_object_new_object(), *lines = json_object_new_array();
        json_object_object_add(ref, "number", json_object_new_int64(number));
        json_object_object_add(input, "order", ref);
        for (size_t k = 0; k < w.n; k++) {
            json_object *l = json_object_new_object(), *ol = json_object_new_object();
            json_object_object_add(ol, "id", json_object_new_int(w.line[k]));
            json_object_object_add(l, "orderLine", ol);
            json_object_object_add(l, "quantity", json_object_new_int(w.qty[k]));
            json_object_array_add(lines, l);
        }
        json_object_object_add(input, "lines", lines);
        json_object_object_add(input, "isGoodToGo", json_object_new_boolean(1));
        json_object_object_add(input, "isShipped", json_object_new_boolean(1));
        const char *at = o2c_step_string(step, "shipped_at");
        if (at && *at)
            json_object_object_add(input, "shippedAt", json_object_new_string(at));
        json_object_object_add(input, "shipmentInfo", shipment_info(step));
        json_object_object_add(input, "sendEmail", json_object_new_boolean(1));
        json_object *v = json_object_new_object();
        json_object_object_add(v, "input", input);
        snprintf(what, sizeof what, "create the shipment of order %lld", (long long)number);
        if (!centra_graphql(step, what, CREATE_SHIPMENT, v, &created, out)) {
            json_object_put(root);
            return;
        }
        json_object *payload = member(member(created, "data"), "createShipment");
        if (user_errors(payload, errors, sizeof errors) || !member(payload, "shipment")) {
            o2c_outcome_failed(out, O2C_FAIL_REJECTED_BY_STOREFRONT, "Centra refused the shipment of order %lld (tracking %s): %s", (long long)number,
                               tracking && *tracking ? tracking : "none", errors[0] ? errors : "no shipment in its answer");
            json_object_put(created);
            json_object_put(root);
            return;
        }
        shipment = member(payload, "shipment");
    }
    if (json_object_get_boolean(member(shipment, "isShipped"))) {
        done(out, shipment); /* shipped (and the shopper told) by this run's create or an earlier run */
        json_object_put(created);
        json_object_put(root);
        return;
    }
    json_object *input = json_object_new_object(), *v = json_object_new_object(), *completed = NULL;
    const char *shipped_at = o2c_step_string(step, "shipped_at");
    if (shipped_at && *shipped_at)
        json_object_object_add(input, "shippedAt", json_object_new_string(shipped_at));
    json_object_object_add(input, "shipmentInfo", shipment_info(step));
    json_object_object_add(input, "sendEmail", json_object_new_boolean(1));
    json_object_object_add(v, "id", json_object_new_int(json_object_get_int(member(shipment, "id"))));
    json_object_object_add(v, "input", input);
    snprintf(what, sizeof what, "complete shipment %s of order %lld", json_object_get_string(member(shipment, "id")),
             (long long)number);
    if (centra_graphql(step, what, COMPLETE_SHIPMENT, v, &completed, out)) {
        json_object *payload = member(member(completed, "data"), "completeShipment");
        if (user_errors(payload, errors, sizeof errors) && !strstr(errors, "already completed"))
            o2c_outcome_failed(out, O2C_FAIL_REJECTED_BY_STOREFRONT, "Centra refused to complete shipment %s of order %lld: %s",
                               json_object_get_string(member(shipment, "id")), (long long)number, errors);
        else
            done(out, shipment);
        json_object_put(completed);
    }
    json_object_put(created);
    json_object_put(root);
}

const struct o2c_action o2c_centra_shipment_actions[] = {
    {"centra.ship_fulfilment", ship_fulfilment, false,
     "shows one ERP fulfilment as one completed Centra shipment; the shopper is notified once"},
    {NULL, NULL, false, NULL},
};
