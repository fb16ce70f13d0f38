#include "tests/support/centra_shop.h"
#include "connectors/centra/centra.h"
#include "tests/support/proc.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long tsup_centra_place_orders(const tsb_sandbox *centra, int n, double unknown_sku_rate)
{
    char body[128];
    snprintf(body, sizeof body, "{\"count\":%d,\"unknown_sku_rate\":%g}", n, unknown_sku_rate);
    json_object *answer = tsb_control(centra, "/_sandbox/orders", body), *orders;
    long last = 0;
    if (answer && json_object_object_get_ex(answer, "orders", &orders) && json_object_array_length(orders) > 0)
        last = json_object_get_int64(json_object_array_get_idx(orders, json_object_array_length(orders) - 1));
    json_object_put(answer);
    return last;
}

char *tsup_centra_orders_json(const tsb_sandbox *centra)
{
    json_object *all = json_object_new_array();
    char url[128], *after = NULL;
    snprintf(url, sizeof url, "%s/graphql", centra->base);
    const char *h[] = {"Content-Type: application/json", "Authorization: Bearer sandbox-centra-token", NULL};
    for (int tries = 0; tries < 500; tries++) {
        json_object *req = json_object_new_object(), *vars = json_object_new_object();
        json_object_object_add(req, "query", json_object_new_string(centra_poll_orders_document));
        json_object_object_add(vars, "first", json_object_new_int(200));
        if (after)
            json_object_object_add(vars, "after", json_object_new_string(after));
        json_object_object_add(req, "variables", vars);
        const char *body = json_object_to_json_string(req);
        tsb_response res;
        json_object *answer = NULL, *conn = NULL, *edges = NULL, *page = NULL;
        if (tsb_http("POST", url, h, body, strlen(body), &res) == 0 && res.status == 200)
            answer = tsb_json(&res);
        tsb_response_free(&res);
        json_object_put(req);
        json_object *data = answer ? json_object_object_get(answer, "data") : NULL;
        if (!data || !json_object_object_get_ex(data, "orderConnection", &conn) ||
            !json_object_object_get_ex(conn, "edges", &edges) || !json_object_object_get_ex(conn, "pageInfo", &page)) {
            json_object_put(answer); /* a fault: ask again */
            tproc_sleep_ms(50);
            continue;
        }
        for (size_t i = 0; i < json_object_array_length(edges); i++)
            json_object_array_add(all, json_object_get(json_object_object_get(json_object_array_get_idx(edges, i), "node")));
        bool more = json_object_get_boolean(json_object_object_get(page, "hasNextPage"));
        free(after);
        after = more ? strdup(json_object_get_string(json_object_object_get(page, "endCursor"))) : NULL;
        json_object_put(answer);
        if (!more)
            break;
    }
    free(after);
    char *text = strdup(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN));
    json_object_put(all);
    return text;
}
