/* GraphQL requests to Centra on behalf of a step. */
#include "connectors/centra/centra.h"

#include <stdio.h>
#include <string.h>

bool centra_graphql(struct o2c_step *step, const char *what, const char *document, json_object *variables,
                    json_object **root, struct o2c_outcome *out)
{
    *root = NULL;
    const char *token = o2c_step_secret(step, "token", "CENTRA_TOKEN");
    if (!token || !*token) {
        json_object_put(variables);
        o2c_outcome_failed(out, O2C_FAIL_CONFIGURATION, "Centra connection \"%s\" has no API token: set the environment variable its "
                           "secret_env names for \"token\" (default CENTRA_TOKEN) where the runners run",
                           step->connection);
        return false;
    }
    const char *base = step->connection_base_url;
    if (!base || !*base) {
        json_object_put(variables);
        o2c_outcome_failed(out, O2C_FAIL_CONFIGURATION, "Centra connection \"%s\" has no base_url in o2c.connection", step->connection);
        return false;
    }
    size_t base_len = strlen(base);
    while (base_len > 0 && base[base_len - 1] == '/')
        base_len--;
    char url[2048];
    if ((size_t)snprintf(url, sizeof url, "%.*s/graphql", (int)base_len, base) >= sizeof url) {
        json_object_put(variables);
        o2c_outcome_failed(out, O2C_FAIL_CONFIGURATION, "Centra connection \"%s\" has a base_url longer than %zu characters",
                           step->connection, sizeof url - 16);
        return false;
    }

    /* The body is built as JSON, never pasted together: values (cursors, dates) come from the
     * remote side and from the context, and must not be able to change the document. */
    json_object *body = json_object_new_object();
    json_object_object_add(body, "query", json_object_new_string(document));
    json_object_object_add(body, "variables", variables ? variables : json_object_new_object());
    const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);

    char auth[4096];
    if ((size_t)snprintf(auth, sizeof auth, "Authorization: Bearer %s", token) >= sizeof auth) {
        json_object_put(body);
        o2c_outcome_failed(out, O2C_FAIL_CONFIGURATION, "the Centra token of connection \"%s\" is implausibly long", step->connection);
        return false;
    }
    const char *headers[] = {auth, "Content-Type: application/json", "Accept: application/json", NULL};
    struct o2c_http_request req = {
        .method = "POST",
        .url = url,
        .headers = headers,
        .body = text,
        .body_len = strlen(text),
        .timeout_ms = 60000,
    };
    struct o2c_http_response res;
    o2c_http_send(&req, &res);
    json_object_put(body);

    json_object *parsed = NULL;
    if (res.status != 0 && res.body_len > 0) {
        /* Parsed with the length and checked to the last byte: a truncated body is an error, and
         * so is anything but whitespace after the object (json_tokener_parse would ignore it). */
        json_tokener *tok = json_tokener_new();
        if (tok) {
            parsed = json_tokener_parse_ex(tok, res.body, (int)res.body_len);
            size_t end = json_tokener_get_parse_end(tok);
            while (end < res.body_len && strchr(" \t\r\n", res.body[end]))
                end++;
            if (json_tokener_get_error(tok) != json_tokener_success || end != res.body_len) {
                json_object_put(parsed);
                parsed = NULL;
            }
            json_tokener_free(tok);
        }
    }
    bool ok = centra_classify(&res, parsed, what, out);
    o2c_http_response_free(&res);
    if (!ok) {
        json_object_put(parsed);
        return false;
    }
    *root = parsed;
    return true;
}
