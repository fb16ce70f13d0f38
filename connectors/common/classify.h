/* One set of rules for turning a remote system's answer into an outcome, whatever the system. A
 * connector reads its own error shape (NetSuite's o:errorDetails, Centra's GraphQL errors) into
 * struct o2c_remote_answer, naming what its vendor codes mean (hint); these rules decide, in this
 * order:
 *   a URL o2c refused, nothing sent            failed configuration (never retried)
 *   no answer                                  retry (transient); an answer too large to read is
 *                                              marked too_large in the detail, so a reader of
 *                                              pages can ask for fewer
 *   throttled (hint) or HTTP 429               throttled, waiting Retry-After (else jittered
 *                                              250-750 ms, so steps refused together do not
 *                                              return together)
 *   locked (hint) or HTTP 409/423              locked (record lock: own budget)
 *   HTTP 5xx                                   retry, waiting Retry-After when given
 *   auth (hint) or HTTP 401                    failed remote_auth
 *   permission (hint) or HTTP 403              failed remote_permission
 *   a 2xx whose body could not be read         retry (cut off in transit)
 *   bad request (hint)                         failed workflow_error: o2c asked wrongly
 *   any other refusal (hint or non-2xx)        failed remote_rejected, with the remote's own
 *                                              words, code and field in the message and detail
 *   otherwise                                  a success: the caller reads it */
#ifndef O2C_CLASSIFY_H
#define O2C_CLASSIFY_H

#include "connectors/common/connector.h"

#include <stdbool.h>

enum o2c_remote_hint {
    O2C_REMOTE_NO_HINT,      /* the vendor said nothing decisive: the HTTP status decides */
    O2C_REMOTE_THROTTLED,
    O2C_REMOTE_LOCKED,
    O2C_REMOTE_AUTH,
    O2C_REMOTE_PERMISSION,
    O2C_REMOTE_REJECTED,     /* a business refusal inside a 2xx (GraphQL userErrors) */
    O2C_REMOTE_BAD_REQUEST,  /* our request itself is wrong (a GraphQL query the schema refuses) */
};

struct o2c_remote_answer {
    const char *system;          /* "NetSuite", "Centra": for messages */
    const char *what;            /* the call, for messages: "salesOrder eid:CENTRA-1-1005" */
    long status;                 /* HTTP status; 0 when there was no answer */
    const char *transport_error; /* why there was no answer */
    bool refused_url;            /* nothing was sent: o2c refused the URL (o2c_http_url_allowed) */
    bool too_large;              /* the answer was larger than o2c reads: retry, detail too_large */
    long retry_after_s;          /* < 0: none */
    bool body_readable;          /* false: a body that could not be read (cut off, not JSON) */
    enum o2c_remote_hint hint;
    const char *code;            /* the remote's error code, "" or NULL when none */
    const char *message;         /* the remote's own words, "" or NULL when none */
    const char *field;           /* where the remote says the problem is, "" or NULL */
    const char *auth_advice;     /* appended to a remote_auth message: what to check */
};

/* True when the answer is a success for the caller to read; else `out` holds the outcome. */
bool o2c_classify_remote(const struct o2c_remote_answer *a, struct o2c_outcome *out);

#endif
