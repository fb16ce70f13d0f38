#include "tools/sandbox/sandbox.h"
#include <stdlib.h>
static void *create(const sb_options *opts, char *err, size_t errlen) { (void)opts; (void)err; (void)errlen; return calloc(1, 1); }
static const char *handle(void *svc, const sb_request *req, sb_response *res) { (void)svc; (void)req; sb_respond_empty(res, 204); return "stub"; }
static void destroy(void *svc) { free(svc); }
const sb_service sb_netsuite_service = { .name = "netsuite", .create = create, .handle = handle, .destroy = destroy, .concurrency_limited = true };
