/* Unit tests of the GraphQL library (tools/sandbox/graphql/): lexing and parsing of every value
 * kind, validation errors with their messages and locations, execution returning only what was
 * selected, variables and coercion, and robustness against random and truncated input. */
#include "tests/support/harness.h"
#include "tools/sandbox/centra/centra.h"
#include "tools/sandbox/graphql/graphql.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *SDL =
    "\"\"\"A test schema\"\"\"\n"
    "schema { query: Query mutation: Mutation }\n"
    "directive @requires(permission: String!) on FIELD_DEFINITION\n"
    "scalar DateTimeTz\n"
    "enum Status { PENDING SHIPPED }\n"
    "type Currency { code: String! }\n"
    "type Money { value: Float! currency: Currency! formattedValue: String! }\n"
    "type Line { id: Int! sku: String quantity: Int! }\n"
    "type Order {\n"
    "  id: Int!\n"
    "  number: Int!\n"
    "  status: Status!\n"
    "  total: Money!\n"
    "  lines: [Line!]!\n"
    "  secret: String @requires(permission: \"Secret:read\")\n"
    "  broken: Int!\n"
    "}\n"
    "input Range { from: DateTimeTz to: DateTimeTz }\n"
    "input Filter { status: [Status!] number: Int created: Range name: String = \"x\" }\n"
    "input Req { id: Int! note: String }\n"
    "type Query {\n"
    "  order(id: Int, number: Int): Order\n"
    "  orders(first: Int = 10, where: Filter): [Order!]!\n"
    "  echo(s: String, f: Float, b: Boolean, i: ID, e: Status, l: [Int!], o: Filter): String\n"
    "  req(r: Req!): Int\n"
    "  mustFail: Order!\n"
    "}\n"
    "type Mutation { bump(id: Int!): Order }\n";

static gq_schema *schema;

static json_object *order_json(int id)
{
    char buf[512];
    snprintf(buf, sizeof buf,
             "{\"id\":%d,\"number\":%d,\"status\":\"SHIPPED\",\"secret\":\"s\",\"broken\":null,"
             "\"total\":{\"value\":12.5,\"currency\":{\"code\":\"SEK\"},\"formattedValue\":\"12.50 SEK\"},"
             "\"lines\":[{\"id\":1,\"sku\":\"A\",\"quantity\":2},{\"id\":2,\"sku\":\"B\",\"quantity\":1}]}",
             id, 1000 + id);
    return json_tokener_parse(buf);
}

static json_object *resolve(const gq_field_info *info, bool *handled)
{
    const char *f = info->field->name;
    if (strcmp(info->parent_type->name, "Query") == 0 || strcmp(info->parent_type->name, "Mutation") == 0) {
        if (strcmp(f, "order") == 0 || strcmp(f, "bump") == 0) {
            json_object *id;
            if (json_object_object_get_ex(info->args, "id", &id) && id)
                return order_json(json_object_get_int(id));
            return order_json(1);
        }
        if (strcmp(f, "orders") == 0) {
            json_object *arr = json_object_new_array();
            int n = json_object_get_int(json_object_object_get(info->args, "first"));
            for (int i = 1; i <= n && i <= 3; i++)
                json_object_array_add(arr, order_json(i));
            return arr;
        }
        if (strcmp(f, "echo") == 0 || strcmp(f, "req") == 0) {
            const char *s = json_object_to_json_string_ext(info->args, JSON_C_TO_STRING_PLAIN);
            return strcmp(f, "req") == 0 ? json_object_new_int(7) : json_object_new_string(s);
        }
        if (strcmp(f, "mustFail") == 0) {
            gq_field_error(info, "business", "nope");
            return NULL;
        }
    }
    *handled = false;
    return NULL;
}

static bool permitted(void *ctx, const char *perm)
{
    (void)ctx;
    return strcmp(perm, "Secret:read") != 0;
}

/* Runs a request; returns the response as a compact JSON string (static buffer). */
static const char *run(const char *query, const char *vars, const char *opname)
{
    static char out[8192];
    json_object *v = vars ? json_tokener_parse(vars) : NULL;
    gq_run_request r = {.schema = schema, .query = query, .query_len = strlen(query),
                        .operation_name = opname, .variables = v, .resolve = resolve,
                        .permitted = permitted};
    json_object *resp = gq_run(&r);
    snprintf(out, sizeof out, "%s", json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN));
    json_object_put(resp);
    json_object_put(v);
    return out;
}

#define CONTAINS(hay, needle)                                                                     \
    do {                                                                                          \
        const char *h_ = (hay);                                                                   \
        if (!strstr(h_, needle))                                                                  \
            fprintf(stderr, "\n  expected %s\n  in %s\n", needle, h_);                            \
        CU_ASSERT_PTR_NOT_NULL(strstr(h_, needle));                                               \
    } while (0)

#define EQUALS(got, want)                                                                         \
    do {                                                                                          \
        const char *g_ = (got);                                                                   \
        if (strcmp(g_, want) != 0)                                                                \
            fprintf(stderr, "\n  expected %s\n  got      %s\n", want, g_);                        \
        CU_ASSERT_STRING_EQUAL(g_, want);                                                         \
    } while (0)

static int setup(void)
{
    gq_errors e = {0};
    schema = gq_schema_parse(SDL, &e);
    if (!schema)
        fprintf(stderr, "schema: %s\n", json_object_to_json_string(e.list));
    gq_errors_clear(&e);
    return schema ? 0 : 1;
}

static int teardown(void)
{
    gq_schema_free(schema);
    return 0;
}

/* ---- parsing ---- */

static void test_parse_all_value_kinds(void)
{
    const char *q = "query Q($a: Int = 3, $b: [Int!]! = [7]) {\n"
                    "  echo(s: \"tab\\t\\\"q\\\" \\u00e9 \\uD83D\\uDE00\", f: -1.5e3, b: true, i: 42, e: SHIPPED,\n"
                    "       l: [1, 2, $a], o: {status: [PENDING], number: null, created: {from: \"2026-01-01\"}})\n"
                    "  x: echo(s: \"\"\"\n      block\n        indented \\\"\"\"\n    \"\"\")\n"
                    "  y: echo(l: 5)\n"
                    "  z: echo(l: $b)\n"
                    "}";
    const char *r = run(q, NULL, NULL);
    CONTAINS(r, "\\\"s\\\":\\\"tab\\\\t\\\\\\\"q\\\\\\\" é 😀\\\"");
    CONTAINS(r, "\\\"f\\\":-1.5e3");
    CONTAINS(r, "\\\"l\\\":[1,2,3]");
    CONTAINS(r, "\\\"o\\\":{\\\"status\\\":[\\\"PENDING\\\"],\\\"number\\\":null,\\\"created\\\":{\\\"from\\\":\\\"2026-01-01\\\"},\\\"name\\\":\\\"x\\\"}");
    CONTAINS(r, "\"x\":\"{\\\"s\\\":\\\"block\\\\n  indented \\\\\\\"\\\\\\\"\\\\\\\"\\\"}\"");
    CONTAINS(r, "\"y\":\"{\\\"l\\\":[5]}\""); /* a single value where a list is expected */
    CU_ASSERT_PTR_NULL(strstr(r, "\"errors\""));
}

static void test_syntax_errors(void)
{
    EQUALS(run("{ order(id: 1) { id }", NULL, NULL),
           "{\"errors\":[{\"message\":\"Syntax Error: Expected Name, found <EOF>.\",\"extensions\":"
           "{\"category\":\"graphql\"},\"locations\":[{\"line\":1,\"column\":22}]}]}");
    CONTAINS(run("{ echo(s: \"abc) }", NULL, NULL), "Syntax Error: Unterminated string.");
    CONTAINS(run("{ echo(s: \"\\q\") }", NULL, NULL), "Syntax Error: Invalid character escape sequence");
    CONTAINS(run("{ echo(i: 01) }", NULL, NULL), "Syntax Error: Invalid number, unexpected digit after 0");
    CONTAINS(run("{ echo(f: 1.) }", NULL, NULL), "Syntax Error: Invalid number, expected digit");
    CONTAINS(run("", NULL, NULL), "Syntax Error: Unexpected <EOF>.");
    CONTAINS(run("{ }", NULL, NULL), "Syntax Error: Expected Name, found \\\"}\\\".");
    CONTAINS(run("{ a ? }", NULL, NULL), "Syntax Error: Unexpected character: \\\"?\\\".");
    CONTAINS(run("type Foo { a: Int }", NULL, NULL), "The \\\"type\\\" definition is not executable.");
    /* Location of a token on the third line. */
    CONTAINS(run("query {\n  order(id: 1) {\n    id ]\n  }\n}", NULL, NULL),
             "\"locations\":[{\"line\":3,\"column\":8}]");
}

static void test_deep_nesting_refused(void)
{
    char q[2100];
    size_t o = 0;
    o += (size_t)snprintf(q + o, sizeof q - o, "{ echo(l: ");
    for (int i = 0; i < 500; i++)
        q[o++] = '[';
    q[o] = 0;
    CONTAINS(run(q, NULL, NULL), "Syntax Error: Document nesting exceeds");
}

/* ---- validation ---- */

static void test_unknown_field(void)
{
    EQUALS(run("{ order(id: 1) { id foo } }", NULL, NULL),
           "{\"errors\":[{\"message\":\"Cannot query field \\\"foo\\\" on type \\\"Order\\\".\","
           "\"extensions\":{\"category\":\"graphql\"},\"locations\":[{\"line\":1,\"column\":21}]}]}");
}

static void test_argument_errors(void)
{
    CONTAINS(run("{ order(idd: 1) { id } }", NULL, NULL),
             "Unknown argument \\\"idd\\\" on field \\\"Query.order\\\".");
    CONTAINS(run("{ bump(id: 1) { id } }", NULL, NULL), "Cannot query field \\\"bump\\\" on type \\\"Query\\\".");
    CONTAINS(run("mutation { bump { id } }", NULL, NULL),
             "Field \\\"bump\\\" argument \\\"id\\\" of type \\\"Int!\\\" is required, but it was not provided.");
    CONTAINS(run("{ order(id: \"1\") { id } }", NULL, NULL), "Int cannot represent non-integer value: \\\"1\\\"");
    CONTAINS(run("{ order(id: 1, id: 2) { id } }", NULL, NULL), "There can be only one argument named \\\"id\\\".");
    CONTAINS(run("{ order(id: 99999999999) { id } }", NULL, NULL), "non 32-bit signed integer");
    CONTAINS(run("{ echo(e: SENT) }", NULL, NULL), "Value \\\"SENT\\\" does not exist in \\\"Status\\\" enum.");
    CONTAINS(run("{ echo(e: \"SHIPPED\") }", NULL, NULL), "Enum \\\"Status\\\" cannot represent non-enum value");
    CONTAINS(run("{ echo(o: {nope: 1}) }", NULL, NULL), "Field \\\"nope\\\" is not defined by type \\\"Filter\\\".");
    CONTAINS(run("{ req(r: {note: \"n\"}) }", NULL, NULL),
             "Field \\\"Req.id\\\" of required type \\\"Int!\\\" was not provided.");
    CONTAINS(run("{ echo(o: 5) }", NULL, NULL), "Expected value of type \\\"Filter\\\", found 5.");
    CONTAINS(run("{ req(r: null) }", NULL, NULL), "Expected value of type \\\"Req!\\\", found null.");
}

static void test_selection_rules(void)
{
    CONTAINS(run("{ order(id: 1) }", NULL, NULL),
             "Field \\\"order\\\" of type \\\"Order\\\" must have a selection of subfields.");
    CONTAINS(run("{ order(id: 1) { id { x } } }", NULL, NULL),
             "Field \\\"id\\\" must not have a selection since type \\\"Int!\\\" has no subfields.");
    CONTAINS(run("{ order(id: 1) { id: number id } }", NULL, NULL), "Fields \\\"id\\\" conflict");
    CONTAINS(run("{ order(id: 1) { id } order(id: 2) { id } }", NULL, NULL),
             "Fields \\\"order\\\" conflict because they have differing arguments.");
    EQUALS(run("{ order(id: 1) { id } order(id: 1) { number } }", NULL, NULL),
           "{\"data\":{\"order\":{\"id\":1,\"number\":1001}}}");
}

static void test_fragment_rules(void)
{
    CONTAINS(run("{ order(id: 1) { ...Nope } }", NULL, NULL), "Unknown fragment \\\"Nope\\\".");
    CONTAINS(run("{ order(id: 1) { id } } fragment F on Order { id }", NULL, NULL),
             "Fragment \\\"F\\\" is never used.");
    CONTAINS(run("{ order(id: 1) { ...A } } fragment A on Order { ...B } fragment B on Order { ...A }", NULL, NULL),
             "Cannot spread fragment \\\"A\\\" within itself.");
    CONTAINS(run("{ order(id: 1) { ... on Line { id } } }", NULL, NULL),
             "Fragment cannot be spread here as objects of type \\\"Order\\\" can never be of type \\\"Line\\\".");
    CONTAINS(run("{ order(id: 1) { ... on Nope { id } } }", NULL, NULL), "Unknown type \\\"Nope\\\".");
    CONTAINS(run("{ order(id: 1) { ...F } } fragment F on Money { value }", NULL, NULL),
             "Fragment \\\"F\\\" cannot be spread here");
}

static void test_variable_rules(void)
{
    CONTAINS(run("query Q { order(id: $x) { id } }", NULL, NULL),
             "Variable \\\"$x\\\" is not defined by operation \\\"Q\\\".");
    CONTAINS(run("query Q($x: Int) { order(id: 1) { id } }", NULL, NULL),
             "Variable \\\"$x\\\" is never used in operation \\\"Q\\\".");
    CONTAINS(run("query Q($x: String) { order(id: $x) { id } }", NULL, NULL),
             "Variable \\\"$x\\\" of type \\\"String\\\" used in position expecting type \\\"Int\\\".");
    CONTAINS(run("mutation M($x: Int) { bump(id: $x) { id } }", NULL, NULL),
             "Variable \\\"$x\\\" of type \\\"Int\\\" used in position expecting type \\\"Int!\\\".");
    CONTAINS(run("query Q($x: Order) { order(id: 1) { id } }", NULL, NULL),
             "Variable \\\"$x\\\" cannot be non-input type \\\"Order\\\".");
    CONTAINS(run("query Q($x: Nope) { order(id: 1) { id } }", NULL, NULL), "Unknown type \\\"Nope\\\".");
    /* Used only inside a fragment: still counts as used and defined. */
    const char *r = run("query Q($x: Int!) { order(id: 1) { ...F } } fragment F on Order { lines { id } total { value } number } ",
                        "{\"x\":1}", NULL);
    CONTAINS(r, "Variable \\\"$x\\\" is never used");
    r = run("query Q($x: Int!) { ...R } fragment R on Query { order(id: $x) { id } }", "{\"x\":5}", NULL);
    EQUALS(r, "{\"data\":{\"order\":{\"id\":5}}}");
}

static void test_directive_rules(void)
{
    CONTAINS(run("{ order(id: 1) { id @nope } }", NULL, NULL), "Unknown directive \\\"@nope\\\".");
    CONTAINS(run("{ order(id: 1) { id @skip } }", NULL, NULL),
             "Directive \\\"@skip\\\" argument \\\"if\\\" of type \\\"Boolean!\\\" is required");
    CONTAINS(run("query @skip(if: true) { order(id: 1) { id } }", NULL, NULL),
             "Directive \\\"@skip\\\" may not be used on QUERY.");
}

static void test_operation_selection(void)
{
    const char *two = "query A { order(id: 1) { id } } query B { order(id: 2) { id } }";
    CONTAINS(run(two, NULL, NULL), "Must provide operation name if query contains multiple operations.");
    EQUALS(run(two, NULL, "B"), "{\"data\":{\"order\":{\"id\":2}}}");
    CONTAINS(run(two, NULL, "C"), "Unknown operation named \\\"C\\\".");
    CONTAINS(run("{ order(id: 1) { id } } query B { order(id: 2) { id } }", NULL, NULL),
             "This anonymous operation must be the only defined operation.");
    CONTAINS(run("query A { order(id: 1) { id } } query A { order(id: 2) { id } }", NULL, "A"),
             "There can be only one operation named \\\"A\\\".");
    CONTAINS(run("subscription { order(id: 1) { id } }", NULL, NULL),
             "Schema is not configured to execute subscription operation.");
}

/* ---- execution ---- */

static void test_only_selected_fields(void)
{
    EQUALS(run("{ order(id: 3) { number total { currency { code } } } }", NULL, NULL),
           "{\"data\":{\"order\":{\"number\":1003,\"total\":{\"currency\":{\"code\":\"SEK\"}}}}}");
}

static void test_aliases_fragments_typename(void)
{
    const char *q = "query { a: order(id: 1) { ...F n: number __typename }"
                    " b: order(id: 2) { ... on Order { id } ... { status } lines { sku } } }"
                    " fragment F on Order { id lines { q: quantity } }";
    EQUALS(run(q, NULL, NULL),
           "{\"data\":{\"a\":{\"id\":1,\"lines\":[{\"q\":2},{\"q\":1}],\"n\":1001,\"__typename\":\"Order\"},"
           "\"b\":{\"id\":2,\"status\":\"SHIPPED\",\"lines\":[{\"sku\":\"A\"},{\"sku\":\"B\"}]}}}");
    /* The same response key twice merges sub-selections. */
    EQUALS(run("{ order(id: 1) { total { value } total { formattedValue } } }", NULL, NULL),
           "{\"data\":{\"order\":{\"total\":{\"value\":12.5,\"formattedValue\":\"12.50 SEK\"}}}}");
}

static void test_skip_include(void)
{
    EQUALS(run("query Q($s: Boolean!) { order(id: 1) { id @skip(if: $s) number @include(if: $s) } }",
               "{\"s\":true}", NULL),
           "{\"data\":{\"order\":{\"number\":1001}}}");
    EQUALS(run("{ order(id: 1) { id @include(if: false) ... @skip(if: false) { number } } }", NULL, NULL),
           "{\"data\":{\"order\":{\"number\":1001}}}");
}

static void test_variables_and_defaults(void)
{
    EQUALS(run("query($n: Int = 2) { orders(first: $n) { id } }", NULL, NULL),
           "{\"data\":{\"orders\":[{\"id\":1},{\"id\":2}]}}");
    EQUALS(run("query($n: Int) { orders(first: $n) { id } }", "{}", NULL),
           "{\"data\":{\"orders\":[{\"id\":1},{\"id\":2},{\"id\":3}]}}"); /* absent → argument default */
    CONTAINS(run("query($n: Int!) { orders(first: $n) { id } }", "{}", NULL),
             "Variable \\\"$n\\\" of required type \\\"Int!\\\" was not provided.");
    CONTAINS(run("query($n: Int!) { orders(first: $n) { id } }", "{\"n\":\"x\"}", NULL),
             "Variable \\\"$n\\\" got invalid value \\\"x\\\"; Int cannot represent non-integer value");
    CONTAINS(run("query($n: Int!) { orders(first: $n) { id } }", "{\"n\":null}", NULL),
             "must not be null");
    CONTAINS(run("query($w: Filter) { orders(where: $w) { id } }", "{\"w\":{\"bad\":1}}", NULL),
             "Field \\\"bad\\\" is not defined by type \\\"Filter\\\".");
    const char *r = run("query($w: Filter, $e: [Status!]) { echo(o: $w) x: echo(o: {status: $e}) }",
                        "{\"w\":{\"status\":\"PENDING\"},\"e\":[\"SHIPPED\"]}", NULL);
    CONTAINS(r, "\"echo\":\"{\\\"o\\\":{\\\"status\\\":[\\\"PENDING\\\"],\\\"name\\\":\\\"x\\\"}}\"");
    CONTAINS(r, "\"x\":\"{\\\"o\\\":{\\\"status\\\":[\\\"SHIPPED\\\"],\\\"name\\\":\\\"x\\\"}}\"");
}

static void test_field_errors_and_null_propagation(void)
{
    /* Permission refused on a nullable field: null plus an authorization error with a path. */
    const char *r = run("{ order(id: 1) { id secret } }", NULL, NULL);
    CONTAINS(r, "\"data\":{\"order\":{\"id\":1,\"secret\":null}}");
    CONTAINS(r, "You need Secret:read permission to access this field.");
    CONTAINS(r, "\"path\":[\"order\",\"secret\"]");
    CONTAINS(r, "\"category\":\"authorization\"");
    /* A null in a non-null field nulls the nearest nullable parent. */
    r = run("{ order(id: 1) { id broken } }", NULL, NULL);
    CONTAINS(r, "\"data\":{\"order\":null}");
    CONTAINS(r, "Cannot return null for non-nullable field Order.broken.");
    /* A resolver's own error on a non-null root field: data null, only that error. */
    EQUALS(run("{ mustFail { id } }", NULL, NULL),
           "{\"data\":null,\"errors\":[{\"message\":\"nope\",\"path\":[\"mustFail\"],"
           "\"extensions\":{\"category\":\"business\"}}]}");
}

static void test_complexity(void)
{
    json_object *vars = json_object_new_object();
    gq_errors e = {0};
    const char *q = "{ orders(first: 3) { id lines { id } } }";
    gq_document *doc = gq_parse(q, strlen(q), &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_EQUAL(gq_complexity(doc, &doc->ops[0], vars), 1 + 3 * (1 + 1 + 1));
    gq_document_free(doc);
    json_object_put(vars);
    gq_errors_clear(&e);
}

/* ---- fidelity (issue 9) and bounded work (issue 15 item 12) ---- */

static void test_introspection_answers_schema_type_and_typename(void)
{
    const char *out = run("{ __typename __type(name: \"Order\") { kind name fields { name type { kind ofType { name } } } } "
                          "__schema { queryType { name } mutationType { name } } }", NULL, NULL);
    CONTAINS(out, "\"__typename\":\"Query\"");
    CONTAINS(out, "\"kind\":\"OBJECT\",\"name\":\"Order\"");
    CONTAINS(out, "{\"name\":\"lines\",\"type\":{\"kind\":\"NON_NULL\",\"ofType\":{\"name\":null}}}");
    CONTAINS(out, "\"queryType\":{\"name\":\"Query\"},\"mutationType\":{\"name\":\"Mutation\"}");
    /* Introspection needs no permission and never reaches the service's resolver. */
    CONTAINS(run("{ __type(name: \"Order\") { fields { name } } }", NULL, NULL), "\"secret\"");
    EQUALS(run("{ __type(name: \"Nope\") { name } }", NULL, NULL), "{\"data\":{\"__type\":null}}");
    CONTAINS(run("{ order(id: 1) { __schema { description } } }", NULL, NULL),
             "Cannot query field \\\"__schema\\\" on type \\\"Order\\\".");
}

static void test_conflicting_response_keys_through_fragments_are_refused(void)
{
    /* Before: accepted, and one of the two fields silently dropped. */
    CONTAINS(run("{ order(id: 1) { x: id ...F } } fragment F on Order { x: number }", NULL, NULL),
             "Fields \\\"x\\\" conflict because \\\"id\\\" and \\\"number\\\" are different fields.");
    CONTAINS(run("{ order(id: 1) { ...A ...B } } fragment A on Order { lines { k: id } } "
                 "fragment B on Order { lines { k: quantity } }", NULL, NULL),
             "Fields \\\"lines\\\" conflict because subfields \\\"k\\\" conflict because \\\"id\\\" and "
             "\\\"quantity\\\" are different fields.");
    CONTAINS(run("{ order(id: 1) { id } ...Q } fragment Q on Query { order(id: 2) { number } }", NULL, NULL),
             "they have differing arguments");
    /* Mergeable selections still merge. */
    EQUALS(run("{ order(id: 1) { lines { id } } ...Q } fragment Q on Query { order(id: 1) { lines { sku } } }", NULL, NULL),
           "{\"data\":{\"order\":{\"lines\":[{\"id\":1,\"sku\":\"A\"},{\"id\":2,\"sku\":\"B\"}]}}}");
}

static void test_directives_on_variable_definitions_are_refused(void)
{
    CONTAINS(run("query Q($n: Int @skip(if: true)) { order(id: $n) { id } }", NULL, NULL),
             "Directive \\\"@skip\\\" may not be used on VARIABLE_DEFINITION.");
    CONTAINS(run("query Q($n: Int @deprecated) { order(id: $n) { id } }", NULL, NULL),
             "Directive \\\"@deprecated\\\" may not be used on VARIABLE_DEFINITION.");
    CONTAINS(run("{ order(id: 1) { id @requires(permission: \"x\") } }", NULL, NULL),
             "Directive \\\"@requires\\\" may not be used on FIELD.");
}

static void test_an_int_variable_may_be_a_whole_number_float(void)
{
    const char *q = "query Q($n: Int) { order(id: $n) { id } }";
    EQUALS(run(q, "{\"n\": 1001.0}", NULL), "{\"data\":{\"order\":{\"id\":1001}}}");
    EQUALS(run(q, "{\"n\": 1e3}", NULL), "{\"data\":{\"order\":{\"id\":1000}}}");
    CONTAINS(run(q, "{\"n\": 1001.5}", NULL), "Int cannot represent non-integer value: 1001.5");
    CONTAINS(run(q, "{\"n\": 3e9}", NULL), "Int cannot represent non 32-bit signed integer value");
    /* In the document, 1001.0 is a Float literal: graphql-js refuses it for an Int, and so do we. */
    CONTAINS(run("{ order(id: 1001.0) { id } }", NULL, NULL), "Int cannot represent non-integer value: 1001.0");
}

static void test_an_sdl_must_declare_the_directives_it_uses(void)
{
    gq_errors e = {0};
    CU_ASSERT_PTR_NULL(gq_schema_parse("type Query { a: Int @requires(permission: \"x\") }", &e));
    CONTAINS(json_object_to_json_string(e.list), "Unknown directive \\\"@requires\\\".");
    gq_errors_clear(&e);
    CU_ASSERT_PTR_NULL(gq_schema_parse("type Query { __a: Int }", &e));
    CONTAINS(json_object_to_json_string(e.list), "reserved by GraphQL introspection");
    gq_errors_clear(&e);
    gq_schema *s = gq_schema_parse("directive @requires(permission: String!) on FIELD_DEFINITION\n"
                                   "type Query { a: Int @requires(permission: \"x\") b: Int @deprecated(reason: \"old\") }", &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(gq_type_field(s->query, "a")->permission, "x");
    CU_ASSERT_STRING_EQUAL(gq_type_field(s->query, "b")->deprecation, "old");
    gq_schema_free(s);
}

/* A document of n fragments, each spreading the one before twice (`twice`: in one set, which
 * execution merges; else under two aliases one level down): its expansion doubles per level. */
static char *doubling_document(int n, bool twice, size_t *len)
{
    size_t cap = 64 + (size_t)n * 128;
    char *doc = malloc(cap);
    size_t o = (size_t)snprintf(doc, cap, "{ order(id: 1) { ...F%d } }\nfragment F0 on Order { id number }\n", n);
    for (int i = 1; i <= n; i++)
        o += (size_t)snprintf(doc + o, cap - o,
                              twice ? "fragment F%d on Order { ...F%d ...F%d }\n"
                                    : "fragment F%d on Order { a: shipments { order { ...F%d } } b: shipments { order { ...F%d } } }\n",
                              i, i - 1, i - 1);
    *len = o;
    return doc;
}

static void test_fragment_spreads_are_measured_once_each(void)
{
    gq_errors e = {0};
    gq_schema *centra_schema = gq_schema_parse(centra_schema_sdl, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(centra_schema);
    size_t len;
    /* 60 levels: counting each spread would take 2^60 steps. Spread twice in one set, each
     * fragment is one selection: cost 1 (order) + 2 (id, number). */
    char *doc = doubling_document(60, true, &len);
    gq_document *d = gq_parse(doc, len, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_PTR_NOT_NULL(gq_validate(centra_schema, d, NULL, &e));
    CU_ASSERT_EQUAL(gq_complexity(d, &d->ops[0], NULL), 3);
    CU_ASSERT_EQUAL(gq_depth(d, &d->ops[0], 1000), 2);
    gq_document_free(d);
    free(doc);
    /* Under aliases the expansion really doubles: the cost saturates instead of overflowing,
     * the depth is counted through the fragments, and the request is refused before it runs. */
    doc = doubling_document(62, false, &len);
    d = gq_parse(doc, len, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_PTR_NOT_NULL(gq_validate(centra_schema, d, NULL, &e));
    CU_ASSERT_EQUAL(gq_complexity(d, &d->ops[0], NULL), INT64_MAX);
    CU_ASSERT_EQUAL(gq_depth(d, &d->ops[0], 1000), 1 + 62 * 2 + 1);
    gq_document_free(d);
    CU_ASSERT_EQUAL(gq_error_count(&e), 0);
    gq_run_request r = {.schema = centra_schema, .query = doc, .query_len = len, .max_depth = 32};
    json_object *resp = gq_run(&r);
    CONTAINS(json_object_to_json_string(resp), "Max query depth should be 32 but got ");
    CU_ASSERT_FALSE(r.executed);
    json_object_put(resp);
    free(doc);
    /* Shallow but costly: refused by the complexity limit, before execution. */
    const char *costly = "{ orders(limit: 10000) { id number status storeId createdAt updatedAt "
                         "lines { id quantity size } shipments { id } returns { id } currency { code } "
                         "customer { id email firstName lastName } billingAddress { city zipCode } "
                         "totals { grandTotal { value } } } }";
    gq_run_request c = {.schema = centra_schema, .query = costly, .query_len = strlen(costly),
                        .max_complexity = 250000, .max_depth = 32};
    resp = gq_run(&c);
    CONTAINS(json_object_to_json_string(resp), "Max query complexity should be 250000 but got 270001.");
    CU_ASSERT_FALSE(c.executed);
    json_object_put(resp);
    gq_schema_free(centra_schema);
    gq_errors_clear(&e);
}

static void test_documents_beyond_the_token_limit_are_refused(void)
{
    size_t n = GQ_MAX_TOKENS + 10;
    char *doc = malloc(n * 3 + 16);
    size_t o = 0;
    doc[o++] = '{';
    for (size_t i = 0; i < n; i++) {
        memcpy(doc + o, " id", 3);
        o += 3;
    }
    doc[o++] = '}';
    gq_errors e = {0};
    CU_ASSERT_PTR_NULL(gq_parse(doc, o, &e));
    CONTAINS(json_object_to_json_string(e.list), "Parsing aborted.");
    gq_errors_clear(&e);
    free(doc);
}

static void test_schema_errors(void)
{
    gq_errors e = {0};
    CU_ASSERT_PTR_NULL(gq_schema_parse("type Query { a: Nope }", &e));
    CU_ASSERT_EQUAL(gq_error_count(&e), 1);
    gq_errors_clear(&e);
    CU_ASSERT_PTR_NULL(gq_schema_parse("type Query { a(x: Query): Int }", &e));
    CU_ASSERT_EQUAL(gq_error_count(&e), 1);
    gq_errors_clear(&e);
    CU_ASSERT_PTR_NULL(gq_schema_parse("type Foo { a: Int }", &e));
    CONTAINS(json_object_to_json_string(e.list), "Query root type must be provided.");
    gq_errors_clear(&e);
}

/* ---- robustness ---- */

static void test_fuzz_random_and_truncated(void)
{
    /* Random bytes, random token soup, and every prefix of a document that uses most syntax. */
    static const char *const pieces[] = {"{", "}", "(", ")", "[", "]", ":", "$", "@", "...", "on",
                                         "query", "mutation", "fragment", "order", "id", "\"s\"",
                                         "\"\"\"", "1", "-2.5e3", "true", "null", "SHIPPED", "!",
                                         "=", "#c\n", "\\u", "\"\\", "F", "Order", "skip", "if"};
    unsigned seed = 12345;
    char buf[600];
    for (int round = 0; round < 3000; round++) {
        size_t n = 0;
        if (round % 2 == 0) {
            size_t len = (size_t)(rand_r(&seed) % 200);
            for (size_t i = 0; i < len; i++)
                buf[n++] = (char)(rand_r(&seed) % 256);
        } else {
            int k = rand_r(&seed) % 40;
            for (int i = 0; i < k && n < 500; i++) {
                const char *p = pieces[rand_r(&seed) % (sizeof pieces / sizeof *pieces)];
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s ", p);
            }
        }
        buf[n] = 0;
        json_object *v = json_tokener_parse("{\"x\":[1,{\"a\":null}],\"s\":true}");
        gq_run_request r = {.schema = schema, .query = buf, .query_len = n, .variables = v,
                            .resolve = resolve, .permitted = permitted};
        json_object *resp = gq_run(&r);
        CU_ASSERT_PTR_NOT_NULL(resp);
        json_object_put(resp);
        json_object_put(v);
    }
    const char *doc = "query Q($a: Int = 3, $w: Filter = {status: [PENDING]}) {\n"
                      "  a: order(id: $a) { ...F @skip(if: false) ... on Order { total { value } } }\n"
                      "  echo(s: \"x\\u0041\\n\", l: [1, 2], o: {name: \"\"\"b\"\"\"}, f: 1.5) w: echo(o: $w)\n"
                      "}\nfragment F on Order { id lines { sku quantity } }\n";
    size_t len = strlen(doc);
    for (size_t cut = 0; cut <= len; cut++) {
        gq_run_request r = {.schema = schema, .query = doc, .query_len = cut, .resolve = resolve};
        json_object *resp = gq_run(&r);
        CU_ASSERT_PTR_NOT_NULL(resp);
        /* Only the full document is valid. */
        if (cut < len - 1)
            CU_ASSERT_TRUE(json_object_object_get_ex(resp, "errors", NULL));
        json_object_put(resp);
    }
    gq_run_request r = {.schema = schema, .query = doc, .query_len = len, .resolve = resolve};
    json_object *resp = gq_run(&r);
    if (json_object_object_get_ex(resp, "errors", NULL))
        fprintf(stderr, "%s\n", json_object_to_json_string(resp));
    CU_ASSERT_FALSE(json_object_object_get_ex(resp, "errors", NULL));
    json_object_put(resp);
}

static CU_TestInfo parse_tests[] = {
    {"all value kinds", test_parse_all_value_kinds},
    {"syntax errors", test_syntax_errors},
    {"deep nesting refused", test_deep_nesting_refused},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo validate_tests[] = {
    {"unknown field", test_unknown_field},
    {"argument errors", test_argument_errors},
    {"selection rules", test_selection_rules},
    {"fragment rules", test_fragment_rules},
    {"variable rules", test_variable_rules},
    {"directive rules", test_directive_rules},
    {"operation selection", test_operation_selection},
    {"schema errors", test_schema_errors},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo exec_tests[] = {
    {"only selected fields", test_only_selected_fields},
    {"aliases, fragments, __typename", test_aliases_fragments_typename},
    {"@skip and @include", test_skip_include},
    {"variables and defaults", test_variables_and_defaults},
    {"field errors and null propagation", test_field_errors_and_null_propagation},
    {"complexity", test_complexity},
    {"fuzz: random and truncated documents", test_fuzz_random_and_truncated},
    {"introspection answers __schema, __type and __typename", test_introspection_answers_schema_type_and_typename},
    {"conflicting response keys through fragments are refused", test_conflicting_response_keys_through_fragments_are_refused},
    {"directives on variable definitions are refused", test_directives_on_variable_definitions_are_refused},
    {"an Int variable may be a whole-number float, an Int literal may not", test_an_int_variable_may_be_a_whole_number_float},
    {"an SDL must declare the directives it uses", test_an_sdl_must_declare_the_directives_it_uses},
    {"fragment spreads are measured once each, and limits refuse before execution", test_fragment_spreads_are_measured_once_each},
    {"documents beyond the token limit are refused", test_documents_beyond_the_token_limit_are_refused},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    CU_SuiteInfo suites[] = {
        {"graphql parse", setup, teardown, NULL, NULL, parse_tests},
        {"graphql validate", setup, teardown, NULL, NULL, validate_tests},
        {"graphql execute", setup, teardown, NULL, NULL, exec_tests},
        CU_SUITE_INFO_NULL,
    };
    return tsup_run_suites("sandbox/test_graphql", suites);
}
