/* Unit tests of engine pieces that need no database: UTF-8 clean-up of remote text, named
 * queries, outcome builders and the built-in actions. */
#include "runner/action.h"
#include "runner/completion.h"
#include "runner/queries.h"
#include "connectors/common/text.h"
#include "tests/support/harness.h"

#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void test_utf8_sanitize(void)
{
    char ok[] = "Ångström – 東京 🙂";
    CU_ASSERT_EQUAL(o2c_utf8_sanitize(ok), 0);
    CU_ASSERT_STRING_EQUAL(ok, "Ångström – 東京 🙂");

    char latin1[] = "caf\xe9 au lait";          /* ISO-8859-1 é */
    CU_ASSERT_EQUAL(o2c_utf8_sanitize(latin1), 1);
    CU_ASSERT_STRING_EQUAL(latin1, "caf? au lait");

    char overlong[] = "a\xc0\xafz";              /* overlong '/' */
    CU_ASSERT_EQUAL(o2c_utf8_sanitize(overlong), 2);
    CU_ASSERT_STRING_EQUAL(overlong, "a??z");

    char surrogate[] = "x\xed\xa0\x80y";         /* U+D800 */
    CU_ASSERT_EQUAL(o2c_utf8_sanitize(surrogate), 3);
    CU_ASSERT_STRING_EQUAL(surrogate, "x???y");

    char truncated[] = "end\xe6\x9d";            /* cut in the middle of a character */
    CU_ASSERT_EQUAL(o2c_utf8_sanitize(truncated), 2);
    CU_ASSERT_STRING_EQUAL(truncated, "end??");
}

static void test_named_queries(void)
{
    const char *claim = o2c_query("step", "claim");
    CU_ASSERT_PTR_NOT_NULL_FATAL(claim);
    CU_ASSERT(strncmp(claim, "select", 6) == 0);
    CU_ASSERT(strstr(claim, "o2c.claim($1, $2, $3, $4::text[], $5, $6::bigint[])") != NULL);
    /* A statement ends before the comment that introduces the next one. */
    CU_ASSERT(strstr(claim, "-- name:") == NULL);
    CU_ASSERT_PTR_NULL(o2c_query("step", "nosuch"));
    CU_ASSERT_PTR_NULL(o2c_query("nosuch", "claim"));
}

static struct o2c_step *step_with_context(const char *action, const char *context)
{
    struct o2c_step *s = calloc(1, sizeof *s);
    s->action = strdup(action);
    s->state = strdup("a");
    s->workflow = strdup("w");
    s->context_json = strdup(context);
    s->impl = o2c_action_find(action);
    s->outcome.delay_ms = -1;
    return s;
}

static const char *detail_string(const struct o2c_outcome *out, const char *key)
{
    json_object *v;
    if (!out->detail || !json_object_object_get_ex(out->detail, key, &v))
        return NULL;
    return json_object_get_string(v);
}

static void test_core_fail_counts_down_then_succeeds(void)
{
    struct o2c_step *s = step_with_context("core.fail", "{\"fail_as\":\"retry\",\"fail_times\":2,\"message\":\"503\"}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->impl);
    s->impl->run(s, &s->outcome);
    CU_ASSERT_STRING_EQUAL(s->outcome.name, "retry");
    CU_ASSERT_STRING_EQUAL(detail_string(&s->outcome, "message"), "503");
    json_object *left;
    CU_ASSERT_FATAL(json_object_object_get_ex(s->outcome.patch, "fail_times", &left));
    CU_ASSERT_EQUAL(json_object_get_int(left), 1);
    o2c_step_free(s);

    s = step_with_context("core.fail", "{\"fail_times\":0}");
    s->impl->run(s, &s->outcome);
    CU_ASSERT_STRING_EQUAL(s->outcome.name, "ok");
    o2c_step_free(s);

    s = step_with_context("core.fail", "{\"category\":\"unmapped_sku\",\"owner\":\"ops\",\"message\":\"SKU X\"}");
    s->impl->run(s, &s->outcome);
    CU_ASSERT_STRING_EQUAL(s->outcome.name, "failed");
    CU_ASSERT_STRING_EQUAL(detail_string(&s->outcome, "category"), "unmapped_sku");
    CU_ASSERT_STRING_EQUAL(detail_string(&s->outcome, "owner"), "ops");
    o2c_step_free(s);

    s = step_with_context("core.fail", "{\"fail_as\":\"explode\"}");
    s->impl->run(s, &s->outcome);
    CU_ASSERT_STRING_EQUAL(s->outcome.name, "failed");
    CU_ASSERT_STRING_EQUAL(detail_string(&s->outcome, "category"), "bad_input");
    o2c_step_free(s);
}

static void test_bad_context_reads_as_empty(void)
{
    struct o2c_step *s = step_with_context("core.sleep", "not json at all");
    CU_ASSERT_EQUAL(o2c_step_int(s, "ms", 7), 7);
    CU_ASSERT_PTR_NULL(o2c_step_string(s, "x"));
    o2c_step_free(s);

    s = step_with_context("core.sleep", "{\"ms\": -5}");
    s->impl->run(s, &s->outcome);
    CU_ASSERT_STRING_EQUAL(s->outcome.name, "failed");
    o2c_step_free(s);
}

static void test_documents_read_as_objects_or_their_text(void)
{
    struct o2c_step *s = step_with_context("core.sleep",
        "{\"as_object\": {\"a\": 1}, \"as_text\": \"{\\\"items\\\": [1, 2]}\", "
        "\"text_of_a_list\": \"[1]\", \"not_json\": \"{oops\", \"number\": 3}");
    json_object *d = o2c_step_document(s, "as_object");
    CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(d, "a")), 1);
    d = o2c_step_document(s, "as_text");
    CU_ASSERT_EQUAL(json_object_array_length(json_object_object_get(d, "items")), 2);
    /* Parsed once: the object replaced the text in the context, and is what a second read gives. */
    CU_ASSERT_PTR_EQUAL(o2c_step_document(s, "as_text"), d);
    CU_ASSERT_TRUE(json_object_is_type(json_object_object_get(o2c_step_context(s), "as_text"), json_type_object));
    CU_ASSERT_PTR_NULL(o2c_step_document(s, "text_of_a_list"));
    CU_ASSERT_PTR_NULL(o2c_step_document(s, "not_json"));
    CU_ASSERT_PTR_NULL(o2c_step_document(s, "number"));
    CU_ASSERT_PTR_NULL(o2c_step_document(s, "absent"));
    o2c_step_free(s);
}

static void test_outcome_messages_are_valid_utf8(void)
{
    struct o2c_outcome out = {.delay_ms = -1};
    o2c_outcome_retry(&out, "remote said: %s", "d\xe9j\xe0 vu");
    CU_ASSERT_STRING_EQUAL(detail_string(&out, "message"), "remote said: d?j? vu");
    o2c_outcome_clear(&out);
}

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* Element i of a one-dimensional array literal as PostgreSQL's array_in reads it, into out:
 * a quoted element unescaped, an unquoted one as it stands ("NULL" for a null). */
static const char *element(const char *array, int i, char *out, size_t size)
{
    const char *p = array + 1; /* past '{' */
    for (;;) {
        size_t n = 0;
        if (*p == '"') {
            for (p++; *p != '"'; p++) {
                if (*p == '\\')
                    p++;
                if (n + 1 < size)
                    out[n++] = *p;
            }
            p++;
        } else {
            for (; *p != ',' && *p != '}'; p++)
                if (n + 1 < size)
                    out[n++] = *p;
        }
        out[n] = '\0';
        if (i-- == 0)
            return out;
        if (*p++ != ',')
            return NULL;
    }
}

static void test_completion_carries_every_result_as_written(void)
{
    struct o2c_step *plain = step_with_context("core.noop", "{}");
    plain->workflow_id = 9007199254740993LL; /* beyond a double's exact integers */
    plain->lease_token = 42;
    plain->duration_ms = 3;
    o2c_outcome_ok(&plain->outcome);

    struct o2c_step *rich = step_with_context("core.noop", "{}");
    rich->workflow_id = 7;
    rich->lease_token = -1;
    rich->duration_ms = INT64_MIN; /* the longest number there is */
    o2c_outcome_named(&rich->outcome, "said \"no\"\\\n\x01, {NULL}");
    rich->outcome.patch = json_tokener_parse("{\"cursor\":\"a/b\",\"n\":1.5}");
    rich->outcome.detail = json_tokener_parse("{\"message\":\"Ångström\\there \\\"x\\\" \\\\ {,}\"}");
    rich->outcome.start = json_tokener_parse("[{\"workflow\":\"w\",\"business_key\":\"k\"}]");
    rich->outcome.delay_ms = 0;

    struct o2c_step *steps[] = {plain, rich};
    struct o2c_completion c;
    CU_ASSERT_EQUAL_FATAL(o2c_completion_build(steps, 2, &c), 0);
    CU_ASSERT_STRING_EQUAL(c.arg[O2C_COMPLETION_IDS], "{9007199254740993,7}");
    CU_ASSERT_STRING_EQUAL(c.arg[O2C_COMPLETION_TOKENS], "{42,-1}");
    CU_ASSERT_STRING_EQUAL(c.arg[O2C_COMPLETION_DURATIONS], "{3,-9223372036854775808}");
    CU_ASSERT_STRING_EQUAL(c.arg[O2C_COMPLETION_DELAYS], "{NULL,0}"); /* -1: the engine's default */

    char buf[256];
    CU_ASSERT_STRING_EQUAL(element(c.arg[O2C_COMPLETION_OUTCOMES], 0, buf, sizeof buf), "ok");
    CU_ASSERT_STRING_EQUAL(element(c.arg[O2C_COMPLETION_OUTCOMES], 1, buf, sizeof buf), "said \"no\"\\\n\x01, {NULL}");
    /* Patches, details and starts: JSON arrays, null where a step has none. */
    json_object *patches = json_tokener_parse(c.arg[O2C_COMPLETION_PATCHES]);
    json_object *details = json_tokener_parse(c.arg[O2C_COMPLETION_DETAILS]);
    json_object *starts = json_tokener_parse(c.arg[O2C_COMPLETION_STARTS]);
    CU_ASSERT_FATAL(patches && details && starts);
    CU_ASSERT_EQUAL(json_object_array_length(patches), 2);
    CU_ASSERT_PTR_NULL(json_object_array_get_idx(patches, 0));
    CU_ASSERT_PTR_NULL(json_object_array_get_idx(details, 0));
    CU_ASSERT_PTR_NULL(json_object_array_get_idx(starts, 0));
    json_object *patch = json_object_array_get_idx(patches, 1);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(member(patch, "cursor")), "a/b");
    CU_ASSERT_DOUBLE_EQUAL(json_object_get_double(member(patch, "n")), 1.5, 1e-9);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(member(json_object_array_get_idx(details, 1), "message")),
                           "Ångström\there \"x\" \\ {,}");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(member(json_object_array_get_idx(json_object_array_get_idx(starts, 1), 0),
                                                         "workflow")), "w");
    json_object_put(patches);
    json_object_put(details);
    json_object_put(starts);
    o2c_completion_free(&c);

    /* Nobody has a delay, patch, detail or start: those arguments are null altogether. */
    CU_ASSERT_EQUAL_FATAL(o2c_completion_build(steps, 1, &c), 0);
    CU_ASSERT_STRING_EQUAL(c.arg[O2C_COMPLETION_OUTCOMES], "{\"ok\"}");
    CU_ASSERT_PTR_NULL(c.arg[O2C_COMPLETION_DELAYS]);
    CU_ASSERT_PTR_NULL(c.arg[O2C_COMPLETION_PATCHES]);
    CU_ASSERT_PTR_NULL(c.arg[O2C_COMPLETION_DETAILS]);
    CU_ASSERT_PTR_NULL(c.arg[O2C_COMPLETION_STARTS]);
    o2c_completion_free(&c);

    CU_ASSERT_EQUAL_FATAL(o2c_completion_build(steps, 0, &c), 0);
    CU_ASSERT_STRING_EQUAL(c.arg[O2C_COMPLETION_IDS], "{}");
    CU_ASSERT_STRING_EQUAL(c.arg[O2C_COMPLETION_TOKENS], "{}");
    CU_ASSERT_PTR_NULL(c.arg[O2C_COMPLETION_PATCHES]);
    o2c_completion_free(&c);
    o2c_step_free(plain);
    o2c_step_free(rich);
}

static CU_TestInfo tests[] = {
    {"invalid UTF-8 from remote systems is replaced", test_utf8_sanitize},
    {"named queries are found and end where they should", test_named_queries},
    {"core.fail fails as told, counts down, then succeeds", test_core_fail_counts_down_then_succeeds},
    {"an unreadable context reads as empty; bad sleep input fails clearly", test_bad_context_reads_as_empty},
    {"a document reads the same given as an object or as its JSON text", test_documents_read_as_objects_or_their_text},
    {"outcome messages are valid UTF-8", test_outcome_messages_are_valid_utf8},
    {"the completion arrays carry every result exactly as the action wrote it", test_completion_carries_every_result_as_written},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"engine units", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("unit/test_engine_units", suites); }
