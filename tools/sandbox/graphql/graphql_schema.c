/* Schema from SDL: the sandbox describes the API it imitates in GraphQL's own schema language
 * (a reviewer can diff it against the vendor's published schema, and graphql-js can check it)
 * instead of C tables. Supports what the services need: schema/type/input/enum/scalar/directive
 * definitions, descriptions, arguments with defaults, @deprecated, @specifiedBy, @oneOf and the
 * directives the SDL declares (Centra's @requires(permission: "...") on fields). Interfaces and
 * unions are refused. The introspection types and built-in directives (graphql_meta.c) are
 * parsed into every schema first, so introspection is validated and executed like any field. */
#include "tools/sandbox/graphql/graphql_internal.h"

#include <stdlib.h>
#include <string.h>

const char *const gq_directive_location_names[GQ_N_DIRECTIVE_LOCATIONS] = {
    "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT", "VARIABLE_DEFINITION", "FRAGMENT_VARIABLE_DEFINITION", "SCHEMA", "SCALAR",
    "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INTERFACE", "UNION", "ENUM", "ENUM_VALUE",
    "INPUT_OBJECT", "INPUT_FIELD_DEFINITION", "DIRECTIVE_DEFINITION",
};

/* The built-in scalars with graphql-js's descriptions (introspection answers them). */
static const char *const builtin_scalars[][2] = {
    {"Int", "The `Int` scalar type represents non-fractional signed whole numeric values. Int can "
            "represent values between -(2^31) and 2^31 - 1."},
    {"Float", "The `Float` scalar type represents signed double-precision fractional values as specified "
              "by [IEEE 754](https://en.wikipedia.org/wiki/IEEE_floating_point)."},
    {"String", "The `String` scalar type represents textual data, represented as UTF-8 character "
               "sequences. The String type is most often used by GraphQL to represent free-form "
               "human-readable text."},
    {"Boolean", "The `Boolean` scalar type represents `true` or `false`."},
    {"ID", "The `ID` scalar type represents a unique identifier, often used to refetch an object or as "
           "key for a cache. The ID type appears in a JSON response as a String; however, it is not "
           "intended to be human-readable. When expected as an input type, any string (such as `\"4\"`) "
           "or integer (such as `4`) input value will be accepted as an ID."},
};

/* A directive written in the SDL, checked once every definition is known. */
typedef struct sdl_use {
    const gq_directive *d;
    const char *location;
} sdl_use;

typedef struct sdl {
    gq_schema *s;
    gq_lexer lx;
    gq_errors *errors;
    bool builtin;        /* parsing the meta SDL: "__" names allowed */
    sdl_use *uses;
    size_t n_uses;
} sdl;

static char *description(sdl *p)
{
    if (gq_peek(&p->lx, GQ_TOK_STRING) || gq_peek(&p->lx, GQ_TOK_BLOCK_STRING)) {
        char *d = p->lx.tok.value;
        gq_lex_next(&p->lx);
        return d;
    }
    return NULL;
}

static char *def_name(sdl *p)
{
    int line = p->lx.tok.line, column = p->lx.tok.column;
    char *n = gq_parse_name(&p->lx);
    if (n && !p->builtin && strncmp(n, "__", 2) == 0)
        gq_error_add(p->errors, line, column, "graphql",
                     "Name \"%s\" must not begin with \"__\", which is reserved by GraphQL introspection.", n);
    return n;
}

static const gq_directive *directives(sdl *p, const char *location, size_t *n)
{
    gq_directive *ds = gq_parse_directives(&p->lx, true, n);
    for (size_t i = 0; i < *n; i++) {
        sdl_use *u = gq_push(p->s->arena, (void **)&p->uses, &p->n_uses, sizeof *u);
        u->d = &ds[i];
        u->location = location;
    }
    return ds;
}

static const gq_value *directive_arg(const gq_directive *ds, size_t n, const char *dname, const char *arg,
                                     bool *present)
{
    *present = false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ds[i].name, dname) != 0)
            continue;
        *present = true;
        for (size_t j = 0; j < ds[i].n_args; j++)
            if (strcmp(ds[i].args[j].name, arg) == 0)
                return ds[i].args[j].value;
    }
    return NULL;
}

static char *string_arg(const gq_directive *ds, size_t n, const char *dname, const char *arg,
                        const char *dflt)
{
    bool present;
    const gq_value *v = directive_arg(ds, n, dname, arg, &present);
    if (!present)
        return NULL;
    if (v && v->kind == GQ_V_STRING)
        return v->text;
    return (char *)dflt;
}

static bool parse_input_defs(sdl *p, gq_tok_kind open, gq_tok_kind close, const char *location,
                             gq_input_def **out, size_t *n)
{
    gq_lexer *lx = &p->lx;
    if (!gq_expect(lx, open))
        return false;
    while (!lx->failed && !gq_peek(lx, close)) {
        gq_input_def d = {0};
        d.description = description(p);
        d.name = def_name(p);
        if (!d.name || !gq_expect(lx, GQ_TOK_COLON))
            return false;
        d.type = gq_parse_type(lx);
        if (!d.type)
            return false;
        if (gq_peek(lx, GQ_TOK_EQUALS)) {
            gq_lex_next(lx);
            d.default_value = gq_parse_value(lx, true);
        }
        size_t nd;
        const gq_directive *ds = directives(p, location, &nd);
        if (lx->failed)
            return false;
        d.deprecation = string_arg(ds, nd, "deprecated", "reason", "No longer supported");
        *(gq_input_def *)gq_push(lx->arena, (void **)out, n, sizeof d) = d;
    }
    return gq_expect(lx, close);
}

static bool parse_fields(sdl *p, gq_type *t)
{
    gq_lexer *lx = &p->lx;
    if (!gq_expect(lx, GQ_TOK_LBRACE))
        return false;
    while (!lx->failed && !gq_peek(lx, GQ_TOK_RBRACE)) {
        gq_field_def f = {0};
        f.description = description(p);
        f.name = def_name(p);
        if (!f.name)
            return false;
        if (gq_peek(lx, GQ_TOK_LPAREN) &&
            !parse_input_defs(p, GQ_TOK_LPAREN, GQ_TOK_RPAREN, "ARGUMENT_DEFINITION", &f.args, &f.n_args))
            return false;
        if (!gq_expect(lx, GQ_TOK_COLON))
            return false;
        f.type = gq_parse_type(lx);
        size_t nd = 0;
        const gq_directive *ds = directives(p, "FIELD_DEFINITION", &nd);
        if (lx->failed)
            return false;
        f.permission = string_arg(ds, nd, "requires", "permission", NULL);
        f.deprecation = string_arg(ds, nd, "deprecated", "reason", "No longer supported");
        *(gq_field_def *)gq_push(lx->arena, (void **)&t->fields, &t->n_fields, sizeof f) = f;
    }
    return gq_expect(lx, GQ_TOK_RBRACE);
}

static bool parse_directive_def(sdl *p, char *desc, int line, int column)
{
    gq_lexer *lx = &p->lx;
    gq_directive_def d = {.description = desc};
    if (!gq_expect(lx, GQ_TOK_AT))
        return false;
    d.name = def_name(p);
    if (!d.name)
        return false;
    if (gq_peek(lx, GQ_TOK_LPAREN) &&
        !parse_input_defs(p, GQ_TOK_LPAREN, GQ_TOK_RPAREN, "ARGUMENT_DEFINITION", &d.args, &d.n_args))
        return false;
    if (gq_peek_name(lx, "repeatable")) {
        d.repeatable = true;
        gq_lex_next(lx);
    }
    if (!gq_peek_name(lx, "on")) {
        gq_syntax_error(lx, lx->tok.line, lx->tok.column, "Expected \"on\".");
        return false;
    }
    gq_lex_next(lx);
    if (gq_peek(lx, GQ_TOK_PIPE))
        gq_lex_next(lx);
    do {
        int l = lx->tok.line, c = lx->tok.column;
        char *loc = gq_parse_name(lx);
        if (!loc)
            return false;
        int found = -1;
        for (int i = 0; i < GQ_N_DIRECTIVE_LOCATIONS; i++)
            if (strcmp(gq_directive_location_names[i], loc) == 0)
                found = i;
        if (found < 0) {
            gq_syntax_error(lx, l, c, "Unexpected Name \"%s\".", loc);
            return false;
        }
        if (!(d.locations & (1u << found)))
            d.location_order[d.n_locations++] = (unsigned char)found;
        d.locations |= 1u << found;
    } while (gq_peek(lx, GQ_TOK_PIPE) && (gq_lex_next(lx), true));
    if (gq_schema_directive(p->s, d.name)) {
        gq_error_add(p->errors, line, column, "graphql", "Directive \"@%s\" already exists in the schema.",
                     d.name);
        return false;
    }
    *(gq_directive_def *)gq_push(lx->arena, (void **)&p->s->directives, &p->s->n_directives, sizeof d) = d;
    return true;
}

const gq_type *gq_schema_type(const gq_schema *schema, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < schema->n_types; i++)
        if (strcmp(schema->types[i].name, name) == 0)
            return &schema->types[i];
    return NULL;
}

const gq_field_def *gq_type_field(const gq_type *type, const char *name)
{
    if (!type)
        return NULL;
    for (size_t i = 0; i < type->n_fields; i++)
        if (strcmp(type->fields[i].name, name) == 0)
            return &type->fields[i];
    return NULL;
}

const gq_field_def *gq_schema_field(const gq_schema *schema, const gq_type *type, const char *name)
{
    if (type && type == schema->query && name[0] == '_' && name[1] == '_') {
        if (strcmp(name, "__schema") == 0)
            return &schema->meta_schema;
        if (strcmp(name, "__type") == 0)
            return &schema->meta_type;
    }
    return gq_type_field(type, name);
}

const gq_directive_def *gq_schema_directive(const gq_schema *schema, const char *name)
{
    for (size_t i = 0; i < schema->n_directives; i++)
        if (strcmp(schema->directives[i].name, name) == 0)
            return &schema->directives[i];
    return NULL;
}

const gq_input_def *gq_type_input(const gq_type *type, const char *name)
{
    if (!type)
        return NULL;
    for (size_t i = 0; i < type->n_inputs; i++)
        if (strcmp(type->inputs[i].name, name) == 0)
            return &type->inputs[i];
    return NULL;
}

static const char *named(const gq_type_ref *t)
{
    while (t && t->kind != GQ_T_NAMED)
        t = t->of;
    return t ? t->name : NULL;
}

static void check_input_refs(gq_schema *s, const gq_input_def *defs, size_t n, const char *owner,
                             const char *field, gq_errors *errors)
{
    for (size_t a = 0; a < n; a++) {
        const gq_type *at = gq_schema_type(s, named(defs[a].type));
        if (!at)
            gq_error_add(errors, 0, 0, "graphql", "Unknown type \"%s\".", named(defs[a].type));
        else if (at->kind == GQ_OBJECT)
            gq_error_add(errors, 0, 0, "graphql", "The type of %s%s%s(%s:) must be Input Type.", owner,
                         field ? "." : "", field ? field : "", defs[a].name);
        else
            ((gq_type *)at)->listed = true;
        if (defs[a].deprecation && defs[a].type->kind == GQ_T_NON_NULL && !defs[a].default_value)
            gq_error_add(errors, 0, 0, "graphql",
                         "Required argument %s.%s cannot be deprecated.", owner, defs[a].name);
    }
}

/* Every referenced type exists; arguments and input fields are input types; fields are output
 * types; directives are used where they are declared to be. Marks the built-in scalars in use. */
static void check_refs(sdl *p)
{
    gq_schema *s = p->s;
    gq_errors *errors = p->errors;
    for (size_t i = 0; i < s->n_types; i++) {
        gq_type *t = &s->types[i];
        if (!t->builtin || t->name[0] == '_')
            t->listed = true;
    }
    for (size_t i = 0; i < s->n_types; i++) {
        const gq_type *t = &s->types[i];
        for (size_t f = 0; f < t->n_fields; f++) {
            const gq_type *ft = gq_schema_type(s, named(t->fields[f].type));
            if (!ft)
                gq_error_add(errors, 0, 0, "graphql", "Unknown type \"%s\".", named(t->fields[f].type));
            else if (ft->kind == GQ_INPUT_OBJECT)
                gq_error_add(errors, 0, 0, "graphql", "The type of %s.%s must be Output Type.",
                             t->name, t->fields[f].name);
            else
                ((gq_type *)ft)->listed = true;
            check_input_refs(s, t->fields[f].args, t->fields[f].n_args, t->name, t->fields[f].name, errors);
        }
        for (size_t f = 0; f < t->n_inputs; f++) {
            const gq_type *it = gq_schema_type(s, named(t->inputs[f].type));
            if (!it)
                gq_error_add(errors, 0, 0, "graphql", "Unknown type \"%s\".", named(t->inputs[f].type));
            else if (it->kind == GQ_OBJECT)
                gq_error_add(errors, 0, 0, "graphql", "The type of %s.%s must be Input Type.",
                             t->name, t->inputs[f].name);
            else
                ((gq_type *)it)->listed = true;
            if (t->one_of && (t->inputs[f].type->kind == GQ_T_NON_NULL || t->inputs[f].default_value))
                gq_error_add(errors, 0, 0, "graphql",
                             "OneOf input field %s.%s must be nullable and have no default value.",
                             t->name, t->inputs[f].name);
        }
        if (t->kind == GQ_OBJECT && t->n_fields == 0)
            gq_error_add(errors, 0, 0, "graphql", "Type %s must define one or more fields.", t->name);
    }
    for (size_t i = 0; i < s->n_directives; i++)
        check_input_refs(s, s->directives[i].args, s->directives[i].n_args, s->directives[i].name, NULL, errors);
    for (size_t u = 0; u < p->n_uses; u++) {
        const gq_directive *d = p->uses[u].d;
        const gq_directive_def *def = gq_schema_directive(s, d->name);
        if (!def) {
            gq_error_add(errors, d->line, d->column, "graphql", "Unknown directive \"@%s\".", d->name);
            continue;
        }
        unsigned bit = 0;
        for (int i = 0; i < GQ_N_DIRECTIVE_LOCATIONS; i++)
            if (strcmp(gq_directive_location_names[i], p->uses[u].location) == 0)
                bit = 1u << i;
        if (!(def->locations & bit))
            gq_error_add(errors, d->line, d->column, "graphql", "Directive \"@%s\" may not be used on %s.",
                         d->name, p->uses[u].location);
        for (size_t a = 0; a < d->n_args; a++) {
            bool known = false;
            for (size_t k = 0; k < def->n_args; k++)
                known |= strcmp(def->args[k].name, d->args[a].name) == 0;
            if (!known)
                gq_error_add(errors, d->args[a].line, d->args[a].column, "graphql",
                             "Unknown argument \"%s\" on directive \"@%s\".", d->args[a].name, d->name);
        }
        for (size_t k = 0; k < def->n_args; k++) {
            if (def->args[k].type->kind != GQ_T_NON_NULL || def->args[k].default_value)
                continue;
            bool given = false;
            for (size_t a = 0; a < d->n_args; a++)
                given |= strcmp(def->args[k].name, d->args[a].name) == 0;
            char tb[256];
            if (!given)
                gq_error_add(errors, d->line, d->column, "graphql",
                             "Argument \"@%s(%s:)\" of type \"%s\" is required, but it was not provided.",
                             d->name, def->args[k].name, gq_type_ref_str(def->args[k].type, tb, sizeof tb));
        }
    }
}

/* Parses one SDL text into the schema. */
static void parse_sdl(sdl *p, const char *text, const char **query_name, const char **mutation_name)
{
    gq_schema *s = p->s;
    gq_lexer *lx = &p->lx;
    gq_errors *errors = p->errors;
    gq_lexer_init(lx, s->arena, text, strlen(text), errors);
    while (!lx->failed && !gq_peek(lx, GQ_TOK_EOF)) {
        char *desc = description(p);
        int line = lx->tok.line, column = lx->tok.column;
        char *kw = gq_parse_name(lx);
        if (!kw)
            break;
        if (strcmp(kw, "schema") == 0) {
            s->description = desc;
            size_t nd;
            directives(p, "SCHEMA", &nd);
            gq_expect(lx, GQ_TOK_LBRACE);
            while (!lx->failed && !gq_peek(lx, GQ_TOK_RBRACE)) {
                char *which = gq_parse_name(lx);
                gq_expect(lx, GQ_TOK_COLON);
                char *tn = gq_parse_name(lx);
                if (!which || !tn)
                    break;
                if (strcmp(which, "query") == 0)
                    *query_name = tn;
                else if (strcmp(which, "mutation") == 0)
                    *mutation_name = tn;
                else {
                    gq_error_add(errors, line, column, "graphql", "Unsupported root operation \"%s\".", which);
                    return;
                }
            }
            gq_expect(lx, GQ_TOK_RBRACE);
            continue;
        }
        if (strcmp(kw, "directive") == 0) {
            if (!parse_directive_def(p, desc, line, column))
                break;
            continue;
        }
        gq_type t = {.description = desc, .builtin = p->builtin};
        const char *location;
        if (strcmp(kw, "type") == 0)
            t.kind = GQ_OBJECT, location = "OBJECT";
        else if (strcmp(kw, "input") == 0)
            t.kind = GQ_INPUT_OBJECT, location = "INPUT_OBJECT";
        else if (strcmp(kw, "enum") == 0)
            t.kind = GQ_ENUM, location = "ENUM";
        else if (strcmp(kw, "scalar") == 0)
            t.kind = GQ_SCALAR, location = "SCALAR";
        else {
            gq_error_add(errors, line, column, "graphql", "Unsupported definition \"%s\".", kw);
            break;
        }
        t.name = def_name(p);
        if (!t.name)
            break;
        if (gq_schema_type(s, t.name)) {
            gq_error_add(errors, line, column, "graphql", "There can be only one type named \"%s\".",
                         t.name);
            break;
        }
        size_t nd;
        const gq_directive *ds = directives(p, location, &nd);
        bool present;
        if (t.kind == GQ_SCALAR)
            t.specified_by = string_arg(ds, nd, "specifiedBy", "url", NULL);
        if (t.kind == GQ_INPUT_OBJECT)
            directive_arg(ds, nd, "oneOf", "", &present), t.one_of = present;
        bool ok = true;
        if (t.kind == GQ_OBJECT)
            ok = parse_fields(p, &t);
        else if (t.kind == GQ_INPUT_OBJECT)
            ok = parse_input_defs(p, GQ_TOK_LBRACE, GQ_TOK_RBRACE, "INPUT_FIELD_DEFINITION", &t.inputs,
                                  &t.n_inputs);
        else if (t.kind == GQ_ENUM) {
            ok = gq_expect(lx, GQ_TOK_LBRACE);
            size_t nd_, nds = 0, ndp = 0;
            while (ok && !lx->failed && !gq_peek(lx, GQ_TOK_RBRACE)) {
                char *vdesc = description(p);
                char *v = def_name(p);
                if (!v) {
                    ok = false;
                    break;
                }
                const gq_directive *vd = directives(p, "ENUM_VALUE", &nd_);
                char *dep = string_arg(vd, nd_, "deprecated", "reason", "No longer supported");
                *(char **)gq_push(s->arena, (void **)&t.enum_values, &t.n_enum_values, sizeof v) = v;
                *(char **)gq_push(s->arena, (void **)&t.enum_descriptions, &nds, sizeof v) = vdesc;
                *(char **)gq_push(s->arena, (void **)&t.enum_deprecations, &ndp, sizeof v) = dep;
            }
            ok = ok && gq_expect(lx, GQ_TOK_RBRACE);
        }
        if (!ok)
            break;
        *(gq_type *)gq_push(s->arena, (void **)&s->types, &s->n_types, sizeof t) = t;
    }
}

static gq_type_ref *type_ref(gq_arena *a, const char *name, bool non_null)
{
    gq_type_ref *t = gq_alloc(a, sizeof *t);
    t->kind = GQ_T_NAMED;
    t->name = (char *)name;
    if (!non_null)
        return t;
    gq_type_ref *nn = gq_alloc(a, sizeof *nn);
    nn->kind = GQ_T_NON_NULL;
    nn->of = t;
    return nn;
}

gq_schema *gq_schema_parse(const char *text, gq_errors *errors)
{
    gq_schema *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->arena = gq_arena_new();
    for (size_t i = 0; i < sizeof builtin_scalars / sizeof *builtin_scalars; i++) {
        gq_type *t = gq_push(s->arena, (void **)&s->types, &s->n_types, sizeof *t);
        t->name = (char *)builtin_scalars[i][0];
        t->description = (char *)builtin_scalars[i][1];
        t->kind = GQ_SCALAR;
        t->builtin = true;
    }
    s->meta_schema = (gq_field_def){.name = "__schema", .type = type_ref(s->arena, "__Schema", true),
                                    .description = "Access the current type schema of this server."};
    s->meta_type = (gq_field_def){.name = "__type", .type = type_ref(s->arena, "__Type", false),
                                  .description = "Request the type information of a single type."};
    gq_input_def *name_arg = gq_alloc(s->arena, sizeof *name_arg);
    *name_arg = (gq_input_def){.name = "name", .type = type_ref(s->arena, "String", true)};
    s->meta_type.args = name_arg;
    s->meta_type.n_args = 1;

    const char *query_name = "Query", *mutation_name = "Mutation";
    size_t before = gq_error_count(errors);
    sdl p = {.s = s, .errors = errors, .builtin = true};
    parse_sdl(&p, gq_meta_sdl, &query_name, &mutation_name);
    p.builtin = false;
    if (gq_error_count(errors) == before)
        parse_sdl(&p, text, &query_name, &mutation_name);
    if (gq_error_count(errors) == before) {
        check_refs(&p);
        s->query = gq_schema_type(s, query_name);
        s->mutation = gq_schema_type(s, mutation_name);
        if (!s->query || s->query->kind != GQ_OBJECT)
            gq_error_add(errors, 0, 0, "graphql", "Query root type must be provided.");
    }
    if (gq_error_count(errors) > before) {
        gq_schema_free(s);
        return NULL;
    }
    return s;
}

void gq_schema_free(gq_schema *schema)
{
    if (!schema)
        return;
    gq_arena_free(schema->arena);
    free(schema);
}
