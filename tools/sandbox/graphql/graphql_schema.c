/* Schema from SDL: the sandbox describes the API it imitates in GraphQL's own schema language
 * (a reviewer can diff it against the vendor's published schema) instead of C tables. Supports
 * what the services need: schema/type/input/enum/scalar definitions, descriptions, arguments
 * with defaults, and @requires(permission: "...") on fields. Interfaces and unions are refused. */
#include "tools/sandbox/graphql/graphql_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const builtin_scalars[] = {"Int", "Float", "String", "Boolean", "ID"};

static void skip_description(gq_lexer *lx)
{
    if (gq_peek(lx, GQ_TOK_STRING) || gq_peek(lx, GQ_TOK_BLOCK_STRING))
        gq_lex_next(lx);
}

static bool parse_input_defs(gq_lexer *lx, gq_tok_kind open, gq_tok_kind close, gq_input_def **out,
                             size_t *n)
{
    if (!gq_expect(lx, open))
        return false;
    while (!lx->failed && !gq_peek(lx, close)) {
        skip_description(lx);
        gq_input_def d = {0};
        d.name = gq_parse_name(lx);
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
        gq_parse_directives(lx, true, &nd);
        if (lx->failed)
            return false;
        *(gq_input_def *)gq_push(lx->arena, (void **)out, n, sizeof d) = d;
    }
    return gq_expect(lx, close);
}

static bool parse_fields(gq_lexer *lx, gq_type *t)
{
    if (!gq_expect(lx, GQ_TOK_LBRACE))
        return false;
    while (!lx->failed && !gq_peek(lx, GQ_TOK_RBRACE)) {
        skip_description(lx);
        gq_field_def f = {0};
        f.name = gq_parse_name(lx);
        if (!f.name)
            return false;
        if (gq_peek(lx, GQ_TOK_LPAREN) &&
            !parse_input_defs(lx, GQ_TOK_LPAREN, GQ_TOK_RPAREN, &f.args, &f.n_args))
            return false;
        if (!gq_expect(lx, GQ_TOK_COLON))
            return false;
        f.type = gq_parse_type(lx);
        size_t nd = 0;
        gq_directive *ds = gq_parse_directives(lx, true, &nd);
        if (lx->failed)
            return false;
        for (size_t i = 0; i < nd; i++)
            if (strcmp(ds[i].name, "requires") == 0)
                for (size_t j = 0; j < ds[i].n_args; j++)
                    if (strcmp(ds[i].args[j].name, "permission") == 0 &&
                        ds[i].args[j].value->kind == GQ_V_STRING)
                        f.permission = ds[i].args[j].value->text;
        *(gq_field_def *)gq_push(lx->arena, (void **)&t->fields, &t->n_fields, sizeof f) = f;
    }
    return gq_expect(lx, GQ_TOK_RBRACE);
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

/* Every referenced type exists; arguments and input fields are input types; fields are output
 * types. */
static void check_refs(gq_schema *s, gq_errors *errors)
{
    for (size_t i = 0; i < s->n_types; i++) {
        const gq_type *t = &s->types[i];
        for (size_t f = 0; f < t->n_fields; f++) {
            const gq_type *ft = gq_schema_type(s, named(t->fields[f].type));
            if (!ft)
                gq_error_add(errors, 0, 0, "graphql", "Unknown type \"%s\" of %s.%s.",
                             named(t->fields[f].type), t->name, t->fields[f].name);
            else if (ft->kind == GQ_INPUT_OBJECT)
                gq_error_add(errors, 0, 0, "graphql", "The type of %s.%s must be Output Type.",
                             t->name, t->fields[f].name);
            for (size_t a = 0; a < t->fields[f].n_args; a++) {
                const gq_type *at = gq_schema_type(s, named(t->fields[f].args[a].type));
                if (!at || at->kind == GQ_OBJECT)
                    gq_error_add(errors, 0, 0, "graphql",
                                 "The type of %s.%s(%s:) must be Input Type.", t->name,
                                 t->fields[f].name, t->fields[f].args[a].name);
            }
        }
        for (size_t f = 0; f < t->n_inputs; f++) {
            const gq_type *it = gq_schema_type(s, named(t->inputs[f].type));
            if (!it || it->kind == GQ_OBJECT)
                gq_error_add(errors, 0, 0, "graphql", "The type of %s.%s must be Input Type.",
                             t->name, t->inputs[f].name);
        }
    }
}

gq_schema *gq_schema_parse(const char *sdl, gq_errors *errors)
{
    gq_schema *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->arena = gq_arena_new();
    for (size_t i = 0; i < sizeof builtin_scalars / sizeof *builtin_scalars; i++) {
        gq_type *t = gq_push(s->arena, (void **)&s->types, &s->n_types, sizeof *t);
        t->name = gq_strndup(s->arena, builtin_scalars[i], strlen(builtin_scalars[i]));
        t->kind = GQ_SCALAR;
    }
    const char *query_name = "Query", *mutation_name = "Mutation";
    size_t before = gq_error_count(errors);
    gq_lexer lx;
    gq_lexer_init(&lx, s->arena, sdl, strlen(sdl), errors);
    while (!lx.failed && !gq_peek(&lx, GQ_TOK_EOF)) {
        skip_description(&lx);
        int line = lx.tok.line, column = lx.tok.column;
        char *kw = gq_parse_name(&lx);
        if (!kw)
            break;
        if (strcmp(kw, "schema") == 0) {
            gq_expect(&lx, GQ_TOK_LBRACE);
            while (!lx.failed && !gq_peek(&lx, GQ_TOK_RBRACE)) {
                char *which = gq_parse_name(&lx);
                gq_expect(&lx, GQ_TOK_COLON);
                char *tn = gq_parse_name(&lx);
                if (!which || !tn)
                    break;
                if (strcmp(which, "query") == 0)
                    query_name = tn;
                else if (strcmp(which, "mutation") == 0)
                    mutation_name = tn;
            }
            gq_expect(&lx, GQ_TOK_RBRACE);
            continue;
        }
        gq_type t = {0};
        if (strcmp(kw, "type") == 0)
            t.kind = GQ_OBJECT;
        else if (strcmp(kw, "input") == 0)
            t.kind = GQ_INPUT_OBJECT;
        else if (strcmp(kw, "enum") == 0)
            t.kind = GQ_ENUM;
        else if (strcmp(kw, "scalar") == 0)
            t.kind = GQ_SCALAR;
        else {
            gq_error_add(errors, line, column, "graphql", "Unsupported definition \"%s\".", kw);
            break;
        }
        t.name = gq_parse_name(&lx);
        if (!t.name)
            break;
        if (gq_schema_type(s, t.name)) {
            gq_error_add(errors, line, column, "graphql", "There can be only one type named \"%s\".",
                         t.name);
            break;
        }
        size_t nd;
        gq_parse_directives(&lx, true, &nd);
        bool ok = true;
        if (t.kind == GQ_OBJECT)
            ok = parse_fields(&lx, &t);
        else if (t.kind == GQ_INPUT_OBJECT)
            ok = parse_input_defs(&lx, GQ_TOK_LBRACE, GQ_TOK_RBRACE, &t.inputs, &t.n_inputs);
        else if (t.kind == GQ_ENUM) {
            ok = gq_expect(&lx, GQ_TOK_LBRACE);
            while (ok && !lx.failed && !gq_peek(&lx, GQ_TOK_RBRACE)) {
                skip_description(&lx);
                char *v = gq_parse_name(&lx);
                if (!v) {
                    ok = false;
                    break;
                }
                gq_parse_directives(&lx, true, &nd);
                *(char **)gq_push(s->arena, (void **)&t.enum_values, &t.n_enum_values, sizeof v) = v;
            }
            ok = ok && gq_expect(&lx, GQ_TOK_RBRACE);
        }
        if (!ok)
            break;
        *(gq_type *)gq_push(s->arena, (void **)&s->types, &s->n_types, sizeof t) = t;
    }
    if (gq_error_count(errors) == before) {
        check_refs(s, errors);
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
