/* The sandbox's GraphQL engine against the reference implementation. graphql-js (installed from
 * the npm registry by tools/install-graphql-js into var/npm) judges every document of
 * tests/sandbox/graphql-corpus/ against the Centra schema as `o2c-sandbox centra --print-schema`
 * prints it; the engine judges the same documents against the same SDL. They must agree on
 * every document: valid or not (validation, and variable coercion when the case gives
 * variables), and for a valid one the data executing it gives when every field resolves to null
 * — which for introspection is the whole answer, descriptions and all.
 *
 * If graphql-js cannot be installed (no node/npm, registry unreachable) the first test fails,
 * naming the reason, and the comparison fails with it: this test never skips. */
#include "tests/support/harness.h"
#include "tools/sandbox/graphql/graphql.h"

#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CORPUS "tests/sandbox/graphql-corpus"

static char *sdl;              /* as the sandbox prints it */
static json_object *verdicts;  /* graphql-js's, by case name */
static bool installed;

static char *read_stream(FILE *f)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (!bigger) {
                free(buf);
                return NULL;
            }
            buf = bigger;
        }
    }
    if (buf)
        buf[n] = 0;
    return buf;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = read_stream(f);
    fclose(f);
    return text;
}

static int setup(void)
{
    installed = system("tools/install-graphql-js") == 0;
    char bin[512], cmd[1024];
    snprintf(cmd, sizeof cmd, "%s centra --print-schema", tsup_bin("o2c-sandbox", bin, sizeof bin));
    FILE *p = popen(cmd, "r");
    sdl = p ? read_stream(p) : NULL;
    if (p && pclose(p) != 0) {
        free(sdl);
        sdl = NULL;
    }
    if (!sdl || !installed)
        return 0;
    char path[] = "/tmp/o2c-centra-schema.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    FILE *f = fdopen(fd, "w");
    fputs(sdl, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "node " CORPUS "/judge.js %s " CORPUS, path);
    p = popen(cmd, "r");
    char *out = p ? read_stream(p) : NULL;
    if (p)
        pclose(p);
    unlink(path);
    verdicts = out ? json_tokener_parse(out) : NULL;
    free(out);
    return 0;
}

static int teardown(void)
{
    free(sdl);
    json_object_put(verdicts);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b, *nx, *ny;
    json_object_object_get_ex(x, "name", &nx);
    json_object_object_get_ex(y, "name", &ny);
    return strcmp(json_object_get_string(nx), json_object_get_string(ny));
}

/* As judge.js does: __schema.types and __schema.directives sorted by name. */
static void normalise(json_object *v)
{
    if (json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(v); i++)
            normalise(json_object_array_get_idx(v, i));
    } else if (json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, key, val) {
            normalise(val);
            if ((strcmp(key, "types") == 0 || strcmp(key, "directives") == 0) &&
                json_object_is_type(val, json_type_array)) {
                bool named = true;
                for (size_t i = 0; i < json_object_array_length(val); i++)
                    named &= json_object_object_get_ex(json_object_array_get_idx(val, i), "name", NULL);
                if (named)
                    json_object_array_sort(val, by_name);
            }
        }
    }
}

static char *header(const char *text, const char *key)
{
    char tag[64];
    snprintf(tag, sizeof tag, "# %s: ", key);
    for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, tag, strlen(tag)) == 0) {
            const char *v = line + strlen(tag);
            return strndup(v, strcspn(v, "\r\n"));
        }
    }
    return NULL;
}

static int corpus_filter(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 8 && strcmp(d->d_name + n - 8, ".graphql") == 0;
}

static void test_graphql_js_is_installed_from_the_npm_registry(void)
{
    if (!installed)
        fprintf(stderr, "graphql-js is not installed: tools/install-graphql-js failed (see its message above); "
                        "the conformance comparison cannot run\n");
    CU_ASSERT_TRUE(installed);
    CU_ASSERT_PTR_NOT_NULL(sdl);
    CU_ASSERT_PTR_NOT_NULL(verdicts);
}

static void test_graphql_js_and_the_sandbox_agree_on_every_corpus_document(void)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(sdl);
    CU_ASSERT_PTR_NOT_NULL_FATAL(verdicts);
    gq_errors e = {0};
    gq_schema *schema = gq_schema_parse(sdl, &e);
    if (!schema)
        fprintf(stderr, "the printed schema does not parse: %s\n", json_object_to_json_string(e.list));
    gq_errors_clear(&e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(schema);

    struct dirent **names;
    int n = scandir(CORPUS, &names, corpus_filter, alphasort);
    CU_ASSERT_FATAL(n >= 60);
    int agreed = 0, valid = 0;
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, CORPUS "/%s", names[i]->d_name);
        char *text = read_file(path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        char *expect = header(text, "expect"), *vars_text = header(text, "variables"),
             *opname = header(text, "operation");
        json_object *vars = vars_text ? json_tokener_parse(vars_text) : NULL;
        gq_run_request r = {.schema = schema, .query = text, .query_len = strlen(text),
                            .operation_name = opname, .variables = vars};
        json_object *resp = gq_run(&r);
        json_object *data = NULL, *js = NULL, *js_valid = NULL, *js_data = NULL;
        bool ours = json_object_object_get_ex(resp, "data", &data);
        json_object_object_get_ex(verdicts, names[i]->d_name, &js);
        json_object_object_get_ex(js, "valid", &js_valid);
        json_object_object_get_ex(js, "data", &js_data);
        bool theirs = json_object_get_boolean(js_valid);
        normalise(data);
        bool same = js && ours == theirs && (!ours || json_object_equal(data, js_data));
        bool as_expected = expect && strcmp(expect, theirs ? "valid" : "invalid") == 0;
        if (!same)
            fprintf(stderr, "DISAGREE %s:\n  graphql-js: %.3000s\n  sandbox:    %.3000s\n", names[i]->d_name,
                    json_object_to_json_string(js), json_object_to_json_string(resp));
        if (!as_expected)
            fprintf(stderr, "CORPUS %s: says \"expect: %s\" but graphql-js finds it %s\n", names[i]->d_name,
                    expect ? expect : "(nothing)", theirs ? "valid" : "invalid");
        CU_ASSERT_TRUE(same);
        CU_ASSERT_TRUE(as_expected);
        agreed += same;
        valid += theirs;
        json_object_put(resp);
        json_object_put(vars);
        free(expect);
        free(vars_text);
        free(opname);
        free(text);
        free(names[i]);
    }
    free(names);
    printf("\n  graphql-js and the sandbox agree on %d of %d documents (%d valid)\n", agreed, n, valid);
    /* Both kinds are represented, so agreeing cannot be trivial. */
    CU_ASSERT_TRUE(valid >= 20 && n - valid >= 20);
    gq_schema_free(schema);
}

int main(void)
{
    static CU_TestInfo tests[] = {
        {"graphql-js is installed from the npm registry", test_graphql_js_is_installed_from_the_npm_registry},
        {"graphql-js and the sandbox agree on every corpus document",
         test_graphql_js_and_the_sandbox_agree_on_every_corpus_document},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"graphql conformance", setup, teardown, NULL, NULL, tests},
        CU_SUITE_INFO_NULL,
    };
    return tsup_run_suites("sandbox/test_graphql_conformance", suites);
}
