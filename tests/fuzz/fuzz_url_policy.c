/* libFuzzer: URL policy and Retry-After reading (connectors/common/http.h) on any bytes: never a
 * crash; plain http allowed only where curl itself reads a loopback host, never with a user name
 * or password; a Retry-After never outside 0 .. the cap. */
#include "connectors/common/http.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An independent reading of what curl will connect to. */
static void check_allowed_http(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
        abort(); /* allowed, yet curl cannot read it */
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u, CURLUPART_HOST, &host, 0);
    curl_url_get(u, CURLUPART_USER, &user, 0);
    curl_url_get(u, CURLUPART_PASSWORD, &password, 0);
    if (user || password || !scheme || !host)
        abort();
    if (strcmp(scheme, "http") == 0 && strcasecmp(host, "localhost") != 0 && strncmp(host, "127.", 4) != 0 &&
        host[0] != '[')
        abort(); /* plain http to a host that is not loopback */
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(password);
    curl_url_cleanup(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char why[512];
    if (o2c_http_url_allowed(text, why, sizeof why))
        check_allowed_http(text);
    long s = o2c_http_parse_retry_after(text, 1796000000);
    if (s < -1 || s > O2C_HTTP_RETRY_AFTER_MAX_S)
        abort();
    free(text);
    return 0;
}
