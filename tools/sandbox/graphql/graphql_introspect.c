/* Introspection (spec §4): __schema, __type(name:) and every field of the introspection types,
 * answered from the schema model — what clients and code generators send (graphql-js's
 * getIntrospectionQuery, with descriptions, deprecation, specifiedByURL, isOneOf, isRepeatable).
 * A __Type travels between resolvers as {"__ref": "[Order!]!"} and is described only when a
 * field of it is selected, so nested ofType/fields selections cost what they select. Fields,
 * arguments, enum values and directives are plain JSON objects the default lookup reads. */
#include "tools/sandbox/graphql/graphql_internal.h"

#include <stdio.h>
#include <string.h>

static const char *kind_name(gq_kind k)
{
    switch (k) {
    case GQ_SCALAR: return "SCALAR";
    case GQ_OBJECT: return "OBJECT";
    case GQ_INPUT_OBJECT: return "INPUT_OBJECT";
    case GQ_ENUM: return "ENUM";
    }
    return "SCALAR";
}

static json_object *str_or_null(const char *s) { return s ? json_object_new_string(s) : NULL; }

static json_object *ref_json(const gq_type_ref *t)
{
    char buf[512];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "__ref", json_object_new_string(gq_type_ref_str(t, buf, sizeof buf)));
    return o;
}

static json_object *named_ref_json(const char *name)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "__ref", json_object_new_string(name));
    return o;
}

static void add_deprecation(json_object *o, const char *reason)
{
    json_object_object_add(o, "isDeprecated", json_object_new_boolean(reason != NULL));
    json_object_object_add(o, "deprecationReason", str_or_null(reason));
}

static json_object *input_value_json(const gq_input_def *d)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(d->name));
    json_object_object_add(o, "description", str_or_null(d->description));
    json_object_object_add(o, "type", ref_json(d->type));
    if (d->default_value) {
        gq_arena *a = gq_arena_new();
        json_object_object_add(o, "defaultValue", json_object_new_string(gq_print_value(a, d->default_value)));
        gq_arena_free(a);
    } else {
        json_object_object_add(o, "defaultValue", NULL);
    }
    add_deprecation(o, d->deprecation);
    return o;
}

static json_object *input_values_json(const gq_input_def *defs, size_t n, bool include_deprecated)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        if (include_deprecated || !defs[i].deprecation)
            json_object_array_add(arr, input_value_json(&defs[i]));
    return arr;
}

static json_object *field_json(const gq_field_def *f)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(f->name));
    json_object_object_add(o, "description", str_or_null(f->description));
    json_object_object_add(o, "args", input_values_json(f->args, f->n_args, true));
    json_object_object_add(o, "type", ref_json(f->type));
    add_deprecation(o, f->deprecation);
    return o;
}

static json_object *directive_json(const gq_directive_def *d)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(d->name));
    json_object_object_add(o, "description", str_or_null(d->description));
    json_object_object_add(o, "isRepeatable", json_object_new_boolean(d->repeatable));
    json_object *locs = json_object_new_array();
    for (size_t i = 0; i < d->n_locations; i++)
        json_object_array_add(locs, json_object_new_string(gq_directive_location_names[d->location_order[i]]));
    json_object_object_add(o, "locations", locs);
    json_object_object_add(o, "args", input_values_json(d->args, d->n_args, true));
    add_deprecation(o, NULL);
    return o;
}

static bool include_deprecated(json_object *args)
{
    json_object *v;
    return args && json_object_object_get_ex(args, "includeDeprecated", &v) && json_object_get_boolean(v);
}

/* "[Order!]!" → its outermost wrapper and what it wraps ("[Order!]"), or the named type. */
static const char *unwrap(const char *ref, char *inner, size_t len, const char **wrapper)
{
    size_t n = strlen(ref);
    *wrapper = NULL;
    if (n > 1 && ref[n - 1] == '!') {
        *wrapper = "NON_NULL";
        snprintf(inner, len, "%.*s", (int)(n - 1), ref);
    } else if (n > 2 && ref[0] == '[' && ref[n - 1] == ']') {
        *wrapper = "LIST";
        snprintf(inner, len, "%.*s", (int)(n - 2), ref + 1);
    } else {
        snprintf(inner, len, "%s", ref);
    }
    return inner;
}

static json_object *describe_type(const gq_schema *s, const char *ref, const char *field, json_object *args)
{
    char inner[512];
    const char *wrapper;
    unwrap(ref, inner, sizeof inner, &wrapper);
    if (wrapper) {
        if (strcmp(field, "kind") == 0)
            return json_object_new_string(wrapper);
        if (strcmp(field, "ofType") == 0)
            return named_ref_json(inner);
        return NULL; /* every other field of a wrapper is null */
    }
    const gq_type *t = gq_schema_type(s, inner);
    if (!t)
        return NULL;
    bool all = include_deprecated(args);
    if (strcmp(field, "kind") == 0)
        return json_object_new_string(kind_name(t->kind));
    if (strcmp(field, "name") == 0)
        return json_object_new_string(t->name);
    if (strcmp(field, "description") == 0)
        return str_or_null(t->description);
    if (strcmp(field, "specifiedByURL") == 0)
        return t->kind == GQ_SCALAR ? str_or_null(t->specified_by) : NULL;
    if (strcmp(field, "isOneOf") == 0)
        return t->kind == GQ_INPUT_OBJECT ? json_object_new_boolean(t->one_of) : NULL;
    if (strcmp(field, "interfaces") == 0)
        return t->kind == GQ_OBJECT ? json_object_new_array() : NULL;
    if (strcmp(field, "fields") == 0 && t->kind == GQ_OBJECT) {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < t->n_fields; i++)
            if (all || !t->fields[i].deprecation)
                json_object_array_add(arr, field_json(&t->fields[i]));
        return arr;
    }
    if (strcmp(field, "inputFields") == 0 && t->kind == GQ_INPUT_OBJECT)
        return input_values_json(t->inputs, t->n_inputs, all);
    if (strcmp(field, "enumValues") == 0 && t->kind == GQ_ENUM) {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < t->n_enum_values; i++) {
            if (!all && t->enum_deprecations[i])
                continue;
            json_object *o = json_object_new_object();
            json_object_object_add(o, "name", json_object_new_string(t->enum_values[i]));
            json_object_object_add(o, "description", str_or_null(t->enum_descriptions[i]));
            add_deprecation(o, t->enum_deprecations[i]);
            json_object_array_add(arr, o);
        }
        return arr;
    }
    return NULL; /* possibleTypes (no abstract types here), and lists of other kinds */
}

static json_object *describe_schema(const gq_schema *s, const char *field, json_object *args)
{
    if (strcmp(field, "description") == 0)
        return str_or_null(s->description);
    if (strcmp(field, "queryType") == 0)
        return named_ref_json(s->query->name);
    if (strcmp(field, "mutationType") == 0)
        return s->mutation ? named_ref_json(s->mutation->name) : NULL;
    if (strcmp(field, "subscriptionType") == 0)
        return NULL;
    if (strcmp(field, "types") == 0) {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < s->n_types; i++)
            if (s->types[i].listed)
                json_object_array_add(arr, named_ref_json(s->types[i].name));
        return arr;
    }
    if (strcmp(field, "directives") == 0) {
        (void)args; /* no directive is deprecated */
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < s->n_directives; i++)
            json_object_array_add(arr, directive_json(&s->directives[i]));
        return arr;
    }
    return NULL;
}

bool gq_introspect(const gq_schema *schema, const gq_type *parent, const gq_field_def *field,
                   json_object *source, json_object *args, json_object **out)
{
    *out = NULL;
    if (field == &schema->meta_schema) {
        *out = json_object_new_object();
        return true;
    }
    if (field == &schema->meta_type) {
        json_object *name;
        const gq_type *t = json_object_object_get_ex(args, "name", &name)
                               ? gq_schema_type(schema, json_object_get_string(name)) : NULL;
        *out = t && t->listed ? named_ref_json(t->name) : NULL;
        return true;
    }
    if (!parent->builtin)
        return false;
    if (strcmp(parent->name, "__Schema") == 0) {
        *out = describe_schema(schema, field->name, args);
        return true;
    }
    json_object *ref;
    if (strcmp(parent->name, "__Type") == 0) {
        if (source && json_object_object_get_ex(source, "__ref", &ref))
            *out = describe_type(schema, json_object_get_string(ref), field->name, args);
        return true;
    }
    json_object *v;
    if (!source || !json_object_object_get_ex(source, field->name, &v) || !v)
        return true;
    if (strcmp(field->name, "args") == 0 && !include_deprecated(args)) {
        /* __Field.args / __Directive.args: deprecated arguments only when asked for. */
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            json_object *a = json_object_array_get_idx(v, i), *dep;
            if (!(json_object_object_get_ex(a, "isDeprecated", &dep) && json_object_get_boolean(dep)))
                json_object_array_add(arr, json_object_get(a));
        }
        *out = arr;
        return true;
    }
    *out = json_object_get(v);
    return true;
}
