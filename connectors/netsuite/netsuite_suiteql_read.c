/* Paged SuiteQL reads shared by the NetSuite pollers (stock, items, customers): one page per
 * call, the answer's shape checked, the cursor shape o2c writes into SuiteQL checked. */
#include "connectors/netsuite/netsuite.h"

#include <stdio.h>
#include <string.h>

bool netsuite_cursor_ok(const char *c)
{
    static const char shape[] = "dddd-dd-dd dd:dd:dd";
    if (!c || strlen(c) != sizeof shape - 1)
        return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (c[i] < '0' || c[i] > '9') : c[i] != shape[i])
            return false;
    return true;
}

bool netsuite_id_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 20)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

const char *netsuite_row_text(json_object *row, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(row, key, &v) || !v)
        return NULL;
    if (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_int))
        return NULL;
    return json_object_get_string(v);
}

bool netsuite_suiteql_page(struct o2c_step *step, json_object *body, long offset, const char *what,
                           json_object **answer, json_object **items, bool *more, struct o2c_outcome *out)
{
    char path[128];
    snprintf(path, sizeof path, "/services/rest/query/v1/suiteql?limit=%d&offset=%ld", NETSUITE_SUITEQL_PAGE, offset);
    const struct netsuite_options opt = {.header = "Prefer: transient"};
    struct o2c_http_response res;
    *answer = NULL;
    *items = NULL;
    *more = false;
    if (!netsuite_send(step, "POST", path, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), what, &opt,
                       &res, out))
        return false;
    json_object *a = netsuite_parse_object(&res), *m;
    bool ok = false;
    if (!a)
        netsuite_classify(&res, what, out);
    else if (!json_object_object_get_ex(a, "items", items) || !json_object_is_type(*items, json_type_array))
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_DATA, "NetSuite's answer to %s has no items (%.200s)", what, res.body);
    else {
        *more = json_object_object_get_ex(a, "hasMore", &m) && json_object_get_boolean(m);
        ok = true;
    }
    o2c_http_response_free(&res);
    if (ok)
        *answer = a;
    else {
        *items = NULL;
        json_object_put(a);
    }
    return ok;
}
