/* libFuzzer: the OAuth 1.0a Authorization header parser (connectors/common/oauth1.h), which the
 * NetSuite sandbox runs on every request it receives: never a crash, never a leak. */
#include "connectors/common/oauth1.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    o2c_oauth1_header h;
    char err[256];
    memset(&h, 0, sizeof h);
    o2c_oauth1_parse(text, &h, err, sizeof err);
    o2c_oauth1_header_free(&h); /* in every case, as its contract says */
    o2c_oauth1_params p = {0};
    o2c_oauth1_params_add_form(&p, text, size);
    char *base = o2c_oauth1_base_string("POST", "https://1234567.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql", &p);
    free(base);
    o2c_oauth1_params_free(&p);
    free(text);
    return 0;
}
