#include "connectors/common/classify.h"

#include "connectors/common/http.h"

#include <stdlib.h>

static const char *or_empty(const char *s) { return s ? s : ""; }

/* " (CODE at field)", " (CODE)", " (at field)" or "". */
static void where(const struct o2c_remote_answer *a, char *buf, size_t len)
{
    const char *code = or_empty(a->code), *field = or_empty(a->field);
    if (!*code && !*field)
        buf[0] = '\0';
    else
        snprintf(buf, len, " (%s%s%s)", code, *code && *field ? " at " : (*field ? "at " : ""), field);
}

static void add_status(const struct o2c_remote_answer *a, struct o2c_outcome *out)
{
    if (!out->detail)
        return;
    json_object_object_add(out->detail, "http_status", json_object_new_int((int)a->status));
    if (a->code && *a->code)
        json_object_object_add(out->detail, "remote_code", json_object_new_string(a->code));
    if (a->field && *a->field)
        json_object_object_add(out->detail, "remote_field", json_object_new_string(a->field));
}

bool o2c_classify_remote(const struct o2c_remote_answer *a, struct o2c_outcome *out)
{
    const char *sys = a->system, *what = a->what;
    const char *said = a->message && *a->message ? a->message : (a->code && *a->code ? a->code : "no message");
    char at[256];
    where(a, at, sizeof at);
    /* Seconds arrive capped (o2c_http_parse_retry_after); in milliseconds they still fit an int. */
    long capped = a->retry_after_s > O2C_HTTP_RETRY_AFTER_MAX_S ? O2C_HTTP_RETRY_AFTER_MAX_S : a->retry_after_s;
    int retry_after_ms = capped >= 0 ? (int)(capped * 1000) : -1;

    if (a->refused_url) {
        o2c_outcome_failed(out, O2C_FAIL_CONFIGURATION, "%s: nothing was sent for %s: %s", sys, what,
                           a->transport_error ? a->transport_error : "the URL was refused");
        return false;
    }
    if (a->status == 0) {
        o2c_outcome_retry(out, "no answer from %s to %s: %s", sys, what,
                          a->transport_error && *a->transport_error ? a->transport_error : "no response");
        if (a->too_large)
            json_object_object_add(out->detail, "too_large", json_object_new_boolean(1));
        return false;
    }
    if (a->hint == O2C_REMOTE_THROTTLED || a->status == 429) {
        o2c_outcome_throttled(out, retry_after_ms >= 0 ? retry_after_ms : 250 + (int)(random() % 500),
                              "%s throttled %s (HTTP %ld): %s%s", sys, what, a->status, said, at);
        /* With Retry-After the server said when to come back: the engine holds the connection
         * till then. Without it (NetSuite's CONCURRENCY_LIMIT_EXCEEDED) the account is busy,
         * perhaps with a neighbour's calls: the engine lowers its own concurrency instead. */
        json_object_object_add(out->detail, "retry_after", json_object_new_boolean(retry_after_ms >= 0));
    } else if (a->hint == O2C_REMOTE_LOCKED || a->status == 409 || a->status == 423) {
        o2c_outcome_locked(out, "%s record locked during %s: %s%s", sys, what, said, at);
    } else if (a->status >= 500) {
        o2c_outcome_retry(out, "%s answered HTTP %ld to %s: %s", sys, a->status, what, said);
        out->delay_ms = retry_after_ms;
    } else if (a->hint == O2C_REMOTE_AUTH || a->status == 401) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_AUTH, "%s refused the login for %s: %s%s", sys, what, said,
                           or_empty(a->auth_advice));
    } else if (a->hint == O2C_REMOTE_PERMISSION || a->status == 403) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_PERMISSION, "%s credentials lack a permission for %s: %s", sys,
                           what, said);
    } else if (a->status >= 200 && a->status < 300 && !a->body_readable) {
        o2c_outcome_retry(out, "%s's answer to %s could not be read (cut off in transit?)", sys, what);
    } else if (a->hint == O2C_REMOTE_BAD_REQUEST) {
        o2c_outcome_failed(out, O2C_FAIL_WORKFLOW_ERROR, "%s rejected our request %s (HTTP %ld): %s%s", sys, what,
                           a->status, said, at);
    } else if (a->hint == O2C_REMOTE_REJECTED || a->status < 200 || a->status >= 300) {
        o2c_outcome_failed(out, O2C_FAIL_REMOTE_REJECTED, "%s refused %s (HTTP %ld): %s%s", sys, what, a->status,
                           said, at);
    } else {
        return true;
    }
    add_status(a, out);
    return false;
}
