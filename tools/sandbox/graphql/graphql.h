/* A small, strict GraphQL implementation (no HTTP): lexer and parser for executable documents
 * and for schema SDL, a schema model, validation and execution against resolvers that produce
 * json-c values. It follows the GraphQL specification (October 2021) closely enough that a
 * sandbox built on it rejects what a real server rejects: unknown fields and arguments, wrong
 * value types, undefined variables, bad fragments. Messages follow graphql-js/graphql-php, which
 * is what Centra (webonyx/graphql-php) answers.
 *
 * Memory: a document and a schema each own an arena; everything they hold dies with them.
 * Errors are gq_errors (a JSON array in the GraphQL response shape) and never abort. Nothing
 * here keeps global state, so all of it is thread-safe as long as each document is used by one
 * thread (a schema, once built, is read-only and may be shared). */
#ifndef O2C_SANDBOX_GRAPHQL_H
#define O2C_SANDBOX_GRAPHQL_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- arena ---------------------------------------------------------------------------------- */

typedef struct gq_arena gq_arena;
gq_arena *gq_arena_new(void);
void *gq_alloc(gq_arena *a, size_t n);               /* zeroed; aborts on out-of-memory */
char *gq_strndup(gq_arena *a, const char *s, size_t n);
void gq_arena_free(gq_arena *a);

/* ---- errors --------------------------------------------------------------------------------- */

/* A list of GraphQL errors: {"message", "locations":[{line,column}], "path":[...],
 * "extensions":{"category":...}}. */
typedef struct gq_errors {
    json_object *list; /* json array, NULL while empty */
} gq_errors;

void gq_error_add(gq_errors *e, int line, int column, const char *category, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Adds an error with a path (array of field names / indexes, taken over) and no location. */
void gq_error_add_path(gq_errors *e, json_object *path, const char *category, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
size_t gq_error_count(const gq_errors *e);
json_object *gq_errors_take(gq_errors *e); /* hands the array over (or NULL) */
void gq_errors_clear(gq_errors *e);

/* ---- AST ------------------------------------------------------------------------------------ */

typedef enum gq_value_kind {
    GQ_V_VARIABLE, GQ_V_INT, GQ_V_FLOAT, GQ_V_STRING, GQ_V_BOOLEAN, GQ_V_NULL, GQ_V_ENUM,
    GQ_V_LIST, GQ_V_OBJECT
} gq_value_kind;

typedef struct gq_value {
    gq_value_kind kind;
    char *text;              /* variable name, int/float source text, decoded string, enum name */
    bool boolean;
    struct gq_value **items; /* list items or object field values */
    char **keys;             /* object field names */
    size_t n;
    int line, column;
} gq_value;

typedef enum gq_type_kind { GQ_T_NAMED, GQ_T_LIST, GQ_T_NON_NULL } gq_type_kind;

typedef struct gq_type_ref {
    gq_type_kind kind;
    char *name;              /* GQ_T_NAMED */
    struct gq_type_ref *of;  /* list / non-null */
} gq_type_ref;

typedef struct gq_argument {
    char *name;
    gq_value *value;
    int line, column;
} gq_argument;

typedef struct gq_directive {
    char *name;
    gq_argument *args;
    size_t n_args;
    int line, column;
} gq_directive;

typedef enum gq_selection_kind { GQ_SEL_FIELD, GQ_SEL_SPREAD, GQ_SEL_INLINE } gq_selection_kind;

struct gq_selection_set;

typedef struct gq_selection {
    gq_selection_kind kind;
    char *alias;             /* field: NULL when none */
    char *name;              /* field name, or fragment name for a spread */
    char *type_condition;    /* inline fragment: NULL when none */
    gq_argument *args;
    size_t n_args;
    gq_directive *directives;
    size_t n_directives;
    struct gq_selection_set *set; /* NULL for leaf fields and spreads */
    const struct gq_fragment *fragment; /* spread: the fragment of that name, NULL when unknown */
    int line, column;
} gq_selection;

typedef struct gq_selection_set {
    gq_selection *items;
    size_t n;
    int line, column;
} gq_selection_set;

typedef struct gq_variable_def {
    char *name;
    gq_type_ref *type;
    gq_value *default_value; /* NULL when none */
    gq_directive *directives; /* kept so validation can refuse them (no schema directive allows them) */
    size_t n_directives;
    int line, column;
} gq_variable_def;

typedef enum gq_op_kind { GQ_OP_QUERY, GQ_OP_MUTATION, GQ_OP_SUBSCRIPTION } gq_op_kind;

typedef struct gq_operation {
    gq_op_kind kind;
    char *name;              /* NULL when anonymous */
    gq_variable_def *vars;
    size_t n_vars;
    gq_directive *directives;
    size_t n_directives;
    gq_selection_set *set;
    int line, column;
} gq_operation;

typedef struct gq_fragment {
    char *name;
    char *type_condition;
    gq_directive *directives;
    size_t n_directives;
    gq_selection_set *set;
    int line, column;
} gq_fragment;

typedef struct gq_document {
    gq_arena *arena;
    gq_operation *ops;
    size_t n_ops;
    gq_fragment *frags;
    size_t n_frags;
} gq_document;

/* Parses an executable document. NULL with one "Syntax Error: ..." in errors on failure. A
 * type-system definition in an executable document is refused as a validation error, as
 * graphql-js does. Nesting deeper than 64 levels is refused (stack safety), and so is a document
 * of more than GQ_MAX_TOKENS tokens (graphql-js's maxTokens message): it bounds the work every
 * later step does, whatever the document. Fragment spreads are resolved to their fragment. */
#define GQ_MAX_TOKENS 15000
gq_document *gq_parse(const char *source, size_t len, gq_errors *errors);
void gq_document_free(gq_document *doc);

/* ---- schema --------------------------------------------------------------------------------- */

typedef enum gq_kind { GQ_SCALAR, GQ_OBJECT, GQ_INPUT_OBJECT, GQ_ENUM } gq_kind;

typedef struct gq_input_def {     /* an argument definition or an input-object field */
    char *name;
    gq_type_ref *type;
    gq_value *default_value;
    char *description;            /* NULL when none */
    char *deprecation;            /* @deprecated reason; NULL when not deprecated */
} gq_input_def;

typedef struct gq_field_def {
    char *name;
    gq_type_ref *type;
    gq_input_def *args;
    size_t n_args;
    char *permission;             /* from @requires(permission: "Order:read"); NULL = none */
    char *description;
    char *deprecation;
} gq_field_def;

typedef struct gq_type {
    char *name;
    gq_kind kind;
    char *description;
    char *specified_by;           /* scalar: @specifiedBy(url:); NULL when none */
    bool one_of;                  /* input object marked @oneOf */
    bool builtin;                 /* a built-in scalar or an introspection type */
    bool listed;                  /* appears in __schema.types (built-in scalars only when used) */
    gq_field_def *fields;         /* object */
    size_t n_fields;
    gq_input_def *inputs;         /* input object */
    size_t n_inputs;
    char **enum_values;           /* enum */
    char **enum_descriptions;     /* parallel to enum_values; entries may be NULL */
    char **enum_deprecations;     /* parallel to enum_values; NULL = not deprecated */
    size_t n_enum_values;
} gq_type;

/* Where a directive may appear (spec §3.13), as introspection names them. */
extern const char *const gq_directive_location_names[];
enum { GQ_N_DIRECTIVE_LOCATIONS = 21 };

typedef struct gq_directive_def {
    char *name;
    char *description;
    gq_input_def *args;
    size_t n_args;
    unsigned locations;           /* bit i = gq_directive_location_names[i] */
    unsigned char location_order[GQ_N_DIRECTIVE_LOCATIONS]; /* as declared (introspection) */
    size_t n_locations;
    bool repeatable;
} gq_directive_def;

typedef struct gq_schema {
    gq_arena *arena;
    char *description;
    gq_type *types;
    size_t n_types;
    const gq_type *query;
    const gq_type *mutation;
    gq_directive_def *directives; /* the built-in ones (@skip, @include, @deprecated,
                                     @specifiedBy, @oneOf) first, then the SDL's */
    size_t n_directives;
    gq_field_def meta_schema;     /* __schema: __Schema! and __type(name: String!): __Type, */
    gq_field_def meta_type;       /* implicit fields of the query root type */
} gq_schema;

/* Builds a schema from SDL: `schema {query: Q mutation: M}` (with a description), `type`,
 * `input`, `enum`, `scalar`, `directive` definitions, descriptions, `# comments`, the built-in
 * directives @deprecated(reason:), @specifiedBy(url:) and @oneOf, and any directive the SDL
 * declares, such as the field directive @requires(permission: "X") Centra's schema declares for
 * its per-field permissions (read into gq_field_def.permission). A directive used but not
 * declared is an error, as in graphql-js. Built-in scalars Int, Float, String, Boolean and ID
 * and the introspection types (__Schema, __Type, ...) exist without being declared. NULL with
 * messages in errors when invalid (unknown types, duplicates, output types used as inputs...). */
gq_schema *gq_schema_parse(const char *sdl, gq_errors *errors);
void gq_schema_free(gq_schema *schema);
const gq_type *gq_schema_type(const gq_schema *schema, const char *name);
const gq_field_def *gq_type_field(const gq_type *type, const char *name);
/* A field as a selection sees it: gq_type_field, plus __schema and __type on the query root. */
const gq_field_def *gq_schema_field(const gq_schema *schema, const gq_type *type, const char *name);
const gq_directive_def *gq_schema_directive(const gq_schema *schema, const char *name);
const gq_input_def *gq_type_input(const gq_type *type, const char *name);
/* Renders a type reference the GraphQL way ("[OrderSort!]") into buf. */
const char *gq_type_ref_str(const gq_type_ref *t, char *buf, size_t len);

/* ---- validation and execution --------------------------------------------------------------- */

/* Validates the document against the schema (all rules this library knows) and picks the
 * operation: operation_name may be NULL when the document has a single operation. Returns the
 * operation, or NULL with errors (category "graphql"). */
const gq_operation *gq_validate(const gq_schema *schema, const gq_document *doc,
                                const char *operation_name, gq_errors *errors);

/* Coerces the request's variables (a JSON object or NULL) for the operation: defaults applied,
 * types checked. Returns a new JSON object, or NULL with errors. */
json_object *gq_coerce_variables(const gq_schema *schema, const gq_operation *op,
                                 json_object *variables, gq_errors *errors);

/* What a resolver sees. */
typedef struct gq_field_info {
    const gq_type *parent_type;
    const gq_field_def *field;
    json_object *parent;        /* the parent's source value (NULL at the root) */
    json_object *args;          /* coerced arguments: a JSON object, defaults applied */
    void *context;              /* the caller's context */
    void *exec_;                /* private to the executor */
} gq_field_info;

/* Resolves a field. Return a new reference (NULL = null). To report an error (e.g.
 * authorization), call gq_field_error and return NULL. Set *handled = false to fall back to the
 * default resolver: parent[field name] of the parent's JSON object. */
typedef json_object *(*gq_resolver)(const gq_field_info *info, bool *handled);

/* Checks a field's permission before it resolves; return false to refuse (the executor then
 * reports "You need <permission> permission to access this field." with category
 * "authorization" and the field's path). NULL = everything allowed. */
typedef bool (*gq_permission_check)(void *context, const char *permission);

typedef struct gq_exec_request {
    const gq_schema *schema;
    const gq_document *doc;
    const gq_operation *op;
    json_object *variables;       /* coerced (gq_coerce_variables) */
    gq_resolver resolve;
    gq_permission_check permitted;
    void *context;
    gq_errors *errors;            /* field errors are added here */
    json_object *permissions_used; /* optional array: every permission checked is appended once */
} gq_exec_request;

/* Executes the operation; returns the "data" object (or NULL when a non-null root field failed).
 * Mutations' root fields run in document order. */
json_object *gq_execute(const gq_exec_request *req);

/* Reports a field error with the current path and the given category ("graphql" when NULL). */
void gq_field_error(const gq_field_info *info, const char *category, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A static cost estimate of the operation: one point per field, multiplied below any argument
 * named first/limit (taken from literals or variables, default 1). Used for extensions.complexity.
 * Linear in the document: each fragment's cost is computed once (a fragment spread many times
 * is not walked again), and the sum saturates at INT64_MAX instead of overflowing. Needs a
 * validated document (no fragment cycles). */
int64_t gq_complexity(const gq_document *doc, const gq_operation *op, json_object *variables);
/* The deepest field nesting of the operation, counted through fragments (a field at the root is
 * depth 1); linear as gq_complexity. Stops counting past `limit`+1. */
int gq_depth(const gq_document *doc, const gq_operation *op, int limit);

/* Introspection (graphql_introspect.c): answers __schema, __type and the fields of the
 * introspection types; false when the field is not one of them. */
bool gq_introspect(const gq_schema *schema, const gq_type *parent, const gq_field_def *field,
                   json_object *source, json_object *args, json_object **out);


/* ---- one request, end to end ---------------------------------------------------------------- */

typedef struct gq_run_request {
    const gq_schema *schema;
    const char *query;
    size_t query_len;
    const char *operation_name;   /* NULL when not given */
    json_object *variables;       /* NULL when not given */
    gq_resolver resolve;
    gq_permission_check permitted;
    void *context;
    json_object *permissions_used; /* optional, see gq_exec_request */
    /* Optional: runs after validation and variable coercion, before execution. Return false to
     * stop; the hook may then set *stop (a whole response, taken over). Used for per-operation
     * rate limits (mutations). */
    bool (*before_execute)(void *context, const gq_operation *op, int64_t complexity,
                           json_object **stop);
    /* Optional: held around before_execute and execution only — parsing, validation and the
     * cost count never run under it, so a hostile document cannot stall other requests. */
    pthread_mutex_t *execute_lock;
    /* Limits (0 = none): an operation costlier or deeper than these is refused before it runs,
     * with graphql-php's QueryComplexity / QueryDepth messages. */
    int64_t max_complexity;
    int max_depth;
    int64_t complexity;           /* out: gq_complexity of the operation (0 when not reached) */
    bool executed;                /* out: execution ran */
} gq_run_request;

/* Parses, validates, coerces and executes; returns the response object: {"data":...} and/or
 * {"errors":[...]} (a request error gives no "data" key, as the spec says). Never NULL. */
json_object *gq_run(gq_run_request *req);

#endif
