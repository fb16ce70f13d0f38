/* NetSuite REST's error body, the one shape every failure takes:
 * {"type":"https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1","title":"Bad Request",
 *  "status":400,"o:errorDetails":[{"detail":"…","o:errorCode":"…","o:errorPath":"…"}]} */
#include "tools/sandbox/netsuite/netsuite.h"

#include <stdarg.h>
#include <stdio.h>

static void status_text(int status, const char **type, const char **title)
{
    switch (status) {
    case 400: *type = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1"; *title = "Bad Request"; break;
    case 401: *type = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2"; *title = "Unauthorized"; break;
    case 403: *type = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.4"; *title = "Forbidden"; break;
    case 404: *type = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.5"; *title = "Not Found"; break;
    case 405: *type = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.6"; *title = "Method Not Allowed"; break;
    case 413: *type = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.14"; *title = "Request Entity Too Large"; break;
    case 415: *type = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.16"; *title = "Unsupported Media Type"; break;
    case 429: *type = "https://tools.ietf.org/html/rfc6585#section-4"; *title = "Too Many Requests"; break;
    case 503: *type = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.4"; *title = "Service Unavailable"; break;
    default: *type = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.1"; *title = "Internal Server Error"; break;
    }
}

void ns_error(sb_response *res, int status, const char *code, const char *path, const char *detail_fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, detail_fmt);
    vsnprintf(detail, sizeof detail, detail_fmt, ap);
    va_end(ap);
    const char *type, *title;
    status_text(status, &type, &title);

    json_object *body = json_object_new_object();
    json_object_object_add(body, "type", json_object_new_string(type));
    json_object_object_add(body, "title", json_object_new_string(title));
    json_object_object_add(body, "status", json_object_new_int(status));
    json_object *details = json_object_new_array();
    json_object *d = json_object_new_object();
    json_object_object_add(d, "detail", json_object_new_string(detail));
    json_object_object_add(d, "o:errorCode", json_object_new_string(code));
    if (path)
        json_object_object_add(d, "o:errorPath", json_object_new_string(path));
    json_object_array_add(details, d);
    json_object_object_add(body, "o:errorDetails", details);
    sb_respond_json(res, status, body);
    res->content_type = "application/vnd.oracle.resource+json; type=error";
    json_object_put(body);
}
