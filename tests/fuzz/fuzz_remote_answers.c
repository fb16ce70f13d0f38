/* libFuzzer: what the connectors read of a remote answer — NetSuite's error bodies and Centra's
 * GraphQL answers, under every HTTP status — becomes an outcome, never a crash. The first byte
 * picks the status and headers; the rest is the body. */
#include "connectors/centra/centra.h"
#include "connectors/common/http.h"
#include "connectors/netsuite/netsuite.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long statuses[] = {200, 201, 204, 400, 401, 403, 404, 409, 423, 429, 500, 503, 0, 302, 418, 599};
    if (size == 0)
        return 0;
    struct o2c_http_response res;
    memset(&res, 0, sizeof res);
    res.status = statuses[data[0] & 15];
    res.retry_after_s = (data[0] & 16) ? (long)(data[0] >> 5) * 1000 : -1;
    res.body = malloc(size);
    if (!res.body)
        return 0;
    memcpy(res.body, data + 1, size - 1);
    res.body[size - 1] = '\0';
    res.body_len = size - 1;
    struct o2c_outcome out;
    memset(&out, 0, sizeof out);
    netsuite_classify(&res, "fuzz", &out);
    o2c_outcome_clear(&out);
    (void)netsuite_is_not_found(&res);
    json_tokener *tok = json_tokener_new();
    json_object *root = tok ? json_tokener_parse_ex(tok, res.body, (int)res.body_len) : NULL;
    if (tok)
        json_tokener_free(tok);
    memset(&out, 0, sizeof out);
    centra_classify(&res, root, "fuzz", &out);
    o2c_outcome_clear(&out);
    json_object_put(root);
    free(res.body);
    return 0;
}
