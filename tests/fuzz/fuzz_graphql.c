/* libFuzzer target for the GraphQL engine (tools/sandbox/graphql/): every input is a document
 * parsed, validated against the Centra schema, and — when valid — given null-returning
 * resolvers and executed, and measured (complexity, depth), as the Centra sandbox would do with
 * a request. The first line may carry JSON variables after "#v " so variable coercion is
 * fuzzed too. A crash, a sanitizer report, a leak or a hang is a bug; so is an answer with
 * neither data nor errors.
 *
 * Built by `make fuzz` (clang -fsanitize=fuzzer,address,undefined); seeds in
 * tests/fuzz/corpus/graphql/. By hand, with every .c file of tools/sandbox/graphql/ as $GQ:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. -I/usr/include/json-c
 *     tests/fuzz/fuzz_graphql.c $GQ tools/sandbox/centra/centra_schema.c -ljson-c -lm -o fuzz_graphql
 *   ./fuzz_graphql -max_total_time=60 -timeout=10 tests/fuzz/corpus/graphql */
#include "tools/sandbox/centra/centra.h"
#include "tools/sandbox/graphql/graphql.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gq_schema *schema;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!schema) {
        gq_errors e = {0};
        schema = gq_schema_parse(centra_schema_sdl, &e);
        if (!schema)
            abort(); /* the schema itself must always build */
        gq_errors_clear(&e);
    }
    json_object *vars = NULL;
    const char *query = (const char *)data;
    size_t len = size;
    if (size > 3 && memcmp(data, "#v ", 3) == 0) {
        const char *nl = memchr(data, '\n', size);
        size_t vlen = nl ? (size_t)(nl - query) - 3 : size - 3;
        char *vtext = strndup(query + 3, vlen);
        vars = vtext ? json_tokener_parse(vtext) : NULL;
        free(vtext);
        if (vars && !json_object_is_type(vars, json_type_object)) {
            json_object_put(vars);
            vars = NULL;
        }
    }
    gq_run_request r = {.schema = schema, .query = query, .query_len = len, .variables = vars,
                        .max_complexity = CENTRA_MAX_COMPLEXITY, .max_depth = CENTRA_MAX_DEPTH};
    json_object *resp = gq_run(&r);
    if (!resp || (!json_object_object_get_ex(resp, "data", NULL) &&
                  !json_object_object_get_ex(resp, "errors", NULL)))
        abort();
    json_object_put(resp);
    json_object_put(vars);
    return 0;
}
