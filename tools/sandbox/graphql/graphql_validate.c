/* Validation (spec §5) of a parsed document against a schema: every rule of graphql-js's
 * specifiedRules that applies to a schema without interfaces, unions or subscriptions —
 * operation selection and names, fields on types, arguments (unknown, duplicate, missing, wrong
 * literal types, @oneOf), leaf/composite selections, fragments (unknown, unused, cyclic, not
 * applicable), variables (undefined, unused, non-input, incompatible position), directives
 * (known, in an allowed location — none is allowed on a variable definition —, not repeated),
 * fields that cannot be merged (graphql_overlap.c) and the introspection depth bound. Every
 * error carries the location of the offending token. Each check is linear or bounded by the
 * parser's token limit: fragments are walked once each, never once per spread. */
#include "tools/sandbox/graphql/graphql_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct var_usage {
    const char *name;
    const gq_type_ref *expected;
    bool location_has_default;
    bool one_of_field;      /* the value of a @oneOf input object's field: must be non-null */
    int line, column;
} var_usage;

typedef struct vctx {
    const gq_schema *schema;
    const gq_document *doc;
    gq_errors *errors;
    gq_arena *arena;
    var_usage *usages;      /* usages of the operation being walked */
    size_t n_usages;
    bool *visited;          /* fragments already walked for this operation */
    bool collect;           /* collect variable usages */
    bool report;            /* report field errors (false while re-walking fragments) */
} vctx;

#define ERR(c, l, col, ...)                                                                        \
    do {                                                                                           \
        if ((c)->report)                                                                           \
            gq_error_add((c)->errors, l, col, "graphql", __VA_ARGS__);                             \
    } while (0)

static const char *named(const gq_type_ref *t)
{
    while (t && t->kind != GQ_T_NAMED)
        t = t->of;
    return t ? t->name : NULL;
}

static size_t fragment_index(const gq_document *doc, const gq_fragment *f)
{
    return (size_t)(f - doc->frags);
}

/* ---- printing values for messages ----------------------------------------------------------- */

static void put(char *buf, size_t len, size_t *o, const char *s)
{
    size_t n = strlen(s);
    if (*o + n >= len) {
        n = *o + 1 < len ? len - *o - 1 : 0;
    }
    memcpy(buf + *o, s, n);
    *o += n;
    buf[*o] = 0;
}

static void print_value(const gq_value *v, char *buf, size_t len, size_t *o, int depth)
{
    if (depth > 8) {
        put(buf, len, o, "...");
        return;
    }
    char tmp[96];
    switch (v->kind) {
    case GQ_V_VARIABLE: snprintf(tmp, sizeof tmp, "$%.80s", v->text); put(buf, len, o, tmp); break;
    case GQ_V_INT:
    case GQ_V_FLOAT:
    case GQ_V_ENUM: snprintf(tmp, sizeof tmp, "%.80s", v->text); put(buf, len, o, tmp); break;
    case GQ_V_STRING: snprintf(tmp, sizeof tmp, "\"%.80s\"", v->text); put(buf, len, o, tmp); break;
    case GQ_V_BOOLEAN: put(buf, len, o, v->boolean ? "true" : "false"); break;
    case GQ_V_NULL: put(buf, len, o, "null"); break;
    case GQ_V_LIST:
        put(buf, len, o, "[");
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                put(buf, len, o, ", ");
            print_value(v->items[i], buf, len, o, depth + 1);
        }
        put(buf, len, o, "]");
        break;
    case GQ_V_OBJECT:
        put(buf, len, o, "{");
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                put(buf, len, o, ", ");
            snprintf(tmp, sizeof tmp, "%.60s: ", v->keys[i]);
            put(buf, len, o, tmp);
            print_value(v->items[i], buf, len, o, depth + 1);
        }
        put(buf, len, o, "}");
        break;
    }
}

static const char *pv(const gq_value *v, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    print_value(v, buf, len, &o, 0);
    return buf;
}

/* ---- literal values -------------------------------------------------------------------------- */

static bool int32_text(const char *s)
{
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    return errno == 0 && *end == 0 && v >= -2147483648LL && v <= 2147483647LL;
}

static void check_literal(vctx *c, const gq_value *v, const gq_type_ref *t, bool has_default)
{
    char tb[256], vb[256];
    if (v->kind == GQ_V_VARIABLE) {
        if (c->collect) {
            var_usage *u = gq_push(c->arena, (void **)&c->usages, &c->n_usages, sizeof *u);
            u->name = v->text;
            u->expected = t;
            u->location_has_default = has_default;
            u->line = v->line;
            u->column = v->column;
        }
        return;
    }
    if (t->kind == GQ_T_NON_NULL) {
        if (v->kind == GQ_V_NULL) {
            ERR(c, v->line, v->column, "Expected value of type \"%s\", found null.",
                gq_type_ref_str(t, tb, sizeof tb));
            return;
        }
        check_literal(c, v, t->of, false);
        return;
    }
    if (v->kind == GQ_V_NULL)
        return;
    if (t->kind == GQ_T_LIST) {
        if (v->kind == GQ_V_LIST) {
            for (size_t i = 0; i < v->n; i++)
                check_literal(c, v->items[i], t->of, false);
        } else {
            check_literal(c, v, t->of, false); /* input coercion: a single item is a list of one */
        }
        return;
    }
    const gq_type *type = gq_schema_type(c->schema, t->name);
    if (!type)
        return; /* reported where the type was named */
    switch (type->kind) {
    case GQ_SCALAR: {
        const char *n = type->name;
        bool ok;
        if (strcmp(n, "Int") == 0) {
            ok = v->kind == GQ_V_INT && int32_text(v->text);
            if (!ok) {
                if (v->kind == GQ_V_INT)
                    ERR(c, v->line, v->column,
                        "Int cannot represent non 32-bit signed integer value: %s", pv(v, vb, sizeof vb));
                else
                    ERR(c, v->line, v->column, "Int cannot represent non-integer value: %s",
                        pv(v, vb, sizeof vb));
            }
        } else if (strcmp(n, "Float") == 0) {
            if (v->kind != GQ_V_INT && v->kind != GQ_V_FLOAT)
                ERR(c, v->line, v->column, "Float cannot represent non numeric value: %s",
                    pv(v, vb, sizeof vb));
        } else if (strcmp(n, "String") == 0) {
            if (v->kind != GQ_V_STRING)
                ERR(c, v->line, v->column, "String cannot represent a non string value: %s",
                    pv(v, vb, sizeof vb));
        } else if (strcmp(n, "Boolean") == 0) {
            if (v->kind != GQ_V_BOOLEAN)
                ERR(c, v->line, v->column, "Boolean cannot represent a non boolean value: %s",
                    pv(v, vb, sizeof vb));
        } else if (strcmp(n, "ID") == 0) {
            if (v->kind != GQ_V_STRING && v->kind != GQ_V_INT)
                ERR(c, v->line, v->column, "ID cannot represent a non-string and non-integer value: %s",
                    pv(v, vb, sizeof vb));
        } else if (v->kind != GQ_V_STRING && v->kind != GQ_V_INT) {
            /* Custom scalars (DateTimeTz, ...) travel as strings or integers. */
            ERR(c, v->line, v->column, "Expected value of type \"%s\", found %s.", n,
                pv(v, vb, sizeof vb));
        }
        break;
    }
    case GQ_ENUM: {
        bool found = false;
        if (v->kind == GQ_V_ENUM)
            for (size_t i = 0; i < type->n_enum_values; i++)
                if (strcmp(type->enum_values[i], v->text) == 0)
                    found = true;
        if (!found) {
            if (v->kind == GQ_V_ENUM)
                ERR(c, v->line, v->column, "Value \"%s\" does not exist in \"%s\" enum.", v->text,
                    type->name);
            else
                ERR(c, v->line, v->column, "Enum \"%s\" cannot represent non-enum value: %s.",
                    type->name, pv(v, vb, sizeof vb));
        }
        break;
    }
    case GQ_INPUT_OBJECT:
        if (v->kind != GQ_V_OBJECT) {
            ERR(c, v->line, v->column, "Expected value of type \"%s\", found %s.", type->name,
                pv(v, vb, sizeof vb));
            break;
        }
        {
            /* Duplicates counted per defined field: linear however many keys are given. */
            bool *seen = gq_alloc(c->arena, type->n_inputs + 1);
            for (size_t i = 0; i < v->n; i++) {
                const gq_input_def *f = gq_type_input(type, v->keys[i]);
                if (!f) {
                    ERR(c, v->items[i]->line, v->items[i]->column,
                        "Field \"%s\" is not defined by type \"%s\".", v->keys[i], type->name);
                    continue;
                }
                size_t k = (size_t)(f - type->inputs);
                if (seen[k])
                    ERR(c, v->items[i]->line, v->items[i]->column,
                        "There can be only one input field named \"%s\".", v->keys[i]);
                seen[k] = true;
                check_literal(c, v->items[i], f->type, f->default_value != NULL);
            }
        }
        if (type->one_of) {
            if (v->n != 1)
                ERR(c, v->line, v->column, "OneOf Input Object \"%s\" must specify exactly one key.",
                    type->name);
            else if (v->items[0]->kind == GQ_V_NULL)
                ERR(c, v->line, v->column, "Field \"%s.%s\" must be non-null.", type->name, v->keys[0]);
            else if (v->items[0]->kind == GQ_V_VARIABLE && c->collect) {
                /* The variable must be of a non-null type: checked with the usages. */
                c->usages[c->n_usages - 1].one_of_field = true;
            }
        }
        for (size_t k = 0; k < type->n_inputs; k++) {
            const gq_input_def *f = &type->inputs[k];
            if (f->type->kind != GQ_T_NON_NULL || f->default_value)
                continue;
            bool given = false;
            for (size_t i = 0; i < v->n; i++)
                if (strcmp(v->keys[i], f->name) == 0)
                    given = true;
            if (!given)
                ERR(c, v->line, v->column,
                    "Field \"%s.%s\" of required type \"%s\" was not provided.", type->name, f->name,
                    gq_type_ref_str(f->type, tb, sizeof tb));
        }
        break;
    case GQ_OBJECT:
        break;
    }
}

/* ---- arguments and directives ---------------------------------------------------------------- */

static void check_arguments(vctx *c, const gq_argument *args, size_t n, const gq_input_def *defs,
                            size_t n_defs, const char *owner_desc, const char *short_name,
                            bool is_directive, int line, int column)
{
    char tb[256];
    bool *seen = gq_alloc(c->arena, n_defs + 1);
    for (size_t i = 0; i < n; i++) {
        const gq_input_def *d = NULL;
        for (size_t k = 0; k < n_defs && !d; k++)
            if (strcmp(defs[k].name, args[i].name) == 0)
                d = &defs[k];
        if (!d) {
            ERR(c, args[i].line, args[i].column, "Unknown argument \"%s\" on %s \"%s\".",
                args[i].name, is_directive ? "directive" : "field", owner_desc);
            continue;
        }
        /* Duplicates counted per definition: linear however many arguments are given. */
        if (seen[d - defs])
            ERR(c, args[i].line, args[i].column, "There can be only one argument named \"%s\".",
                args[i].name);
        seen[d - defs] = true;
        check_literal(c, args[i].value, d->type, d->default_value != NULL);
    }
    for (size_t k = 0; k < n_defs; k++) {
        if (defs[k].type->kind != GQ_T_NON_NULL || defs[k].default_value)
            continue;
        bool given = false;
        for (size_t i = 0; i < n; i++)
            if (strcmp(args[i].name, defs[k].name) == 0)
                given = true;
        if (!given)
            ERR(c, line, column,
                "%s \"%s\" argument \"%s\" of type \"%s\" is required, but it was not provided.",
                is_directive ? "Directive" : "Field", short_name, defs[k].name,
                gq_type_ref_str(defs[k].type, tb, sizeof tb));
    }
}

static void check_directives(vctx *c, const gq_directive *ds, size_t n, const char *location)
{
    unsigned bit = 0;
    for (int i = 0; i < GQ_N_DIRECTIVE_LOCATIONS; i++)
        if (strcmp(gq_directive_location_names[i], location) == 0)
            bit = 1u << i;
    for (size_t i = 0; i < n; i++) {
        const gq_directive *d = &ds[i];
        const gq_directive_def *def = gq_schema_directive(c->schema, d->name);
        if (!def) {
            ERR(c, d->line, d->column, "Unknown directive \"@%s\".", d->name);
            continue;
        }
        if (!(def->locations & bit)) {
            ERR(c, d->line, d->column, "Directive \"@%s\" may not be used on %s.", d->name, location);
            continue;
        }
        /* Only the first repetition is reported; the directives at one location are few unless
         * hostile, and the token limit bounds them. */
        for (size_t j = 0; j < i && !def->repeatable; j++)
            if (strcmp(ds[j].name, d->name) == 0) {
                ERR(c, d->line, d->column,
                    "The directive \"@%s\" can only be used once at this location.", d->name);
                break;
            }
        char desc[160];
        snprintf(desc, sizeof desc, "@%.150s", d->name);
        check_arguments(c, d->args, d->n_args, def->args, def->n_args, desc, desc, true, d->line,
                        d->column);
    }
}

/* ---- selections ------------------------------------------------------------------------------ */

static void walk_set(vctx *c, const gq_selection_set *set, const gq_type *parent);

static bool applies(const gq_type *parent, const gq_type *cond)
{
    /* Only object types exist in these schemas, so a condition applies iff it names the type. */
    return parent == cond;
}

static void walk_fragment_for_usages(vctx *c, const gq_fragment *f)
{
    size_t idx = fragment_index(c->doc, f);
    /* Recursion follows chains of spreads; check_fragments refused nesting deeper than
     * GQ_MAX_EFFECTIVE_DEPTH, so the stack stays bounded. */
    if (!c->visited || c->visited[idx])
        return;
    c->visited[idx] = true;
    const gq_type *t = gq_schema_type(c->schema, f->type_condition);
    if (!t || t->kind != GQ_OBJECT)
        return;
    bool saved = c->report;
    c->report = false;
    walk_set(c, f->set, t);
    c->report = saved;
}

static void walk_field(vctx *c, const gq_selection *s, const gq_type *parent)
{
    char tb[256];
    check_directives(c, s->directives, s->n_directives, "FIELD");
    if (strcmp(s->name, "__typename") == 0) {
        if (s->n_args)
            ERR(c, s->args[0].line, s->args[0].column,
                "Unknown argument \"%s\" on field \"%s.__typename\".", s->args[0].name, parent->name);
        if (s->set)
            ERR(c, s->line, s->column,
                "Field \"__typename\" must not have a selection since type \"String!\" has no subfields.");
        return;
    }
    const gq_field_def *f = gq_schema_field(c->schema, parent, s->name);
    if (!f) {
        ERR(c, s->line, s->column, "Cannot query field \"%s\" on type \"%s\".", s->name, parent->name);
        return;
    }
    char desc[256];
    snprintf(desc, sizeof desc, "%s.%s", parent->name, f->name);
    check_arguments(c, s->args, s->n_args, f->args, f->n_args, desc, f->name, false, s->line,
                    s->column);
    const gq_type *ft = gq_schema_type(c->schema, named(f->type));
    if (!ft)
        return;
    if (ft->kind == GQ_OBJECT) {
        if (!s->set)
            ERR(c, s->line, s->column,
                "Field \"%s\" of type \"%s\" must have a selection of subfields. Did you mean \"%s { ... }\"?",
                s->name, gq_type_ref_str(f->type, tb, sizeof tb), s->name);
        else
            walk_set(c, s->set, ft);
    } else if (s->set) {
        ERR(c, s->set->line, s->set->column,
            "Field \"%s\" must not have a selection since type \"%s\" has no subfields.", s->name,
            gq_type_ref_str(f->type, tb, sizeof tb));
    }
}

static void walk_set(vctx *c, const gq_selection_set *set, const gq_type *parent)
{
    for (size_t i = 0; i < set->n; i++) {
        const gq_selection *s = &set->items[i];
        switch (s->kind) {
        case GQ_SEL_FIELD:
            walk_field(c, s, parent);
            break;
        case GQ_SEL_SPREAD: {
            check_directives(c, s->directives, s->n_directives, "FRAGMENT_SPREAD");
            const gq_fragment *f = s->fragment;
            if (!f) {
                ERR(c, s->line, s->column, "Unknown fragment \"%s\".", s->name);
                break;
            }
            const gq_type *t = gq_schema_type(c->schema, f->type_condition);
            if (t && t->kind == GQ_OBJECT && !applies(parent, t))
                ERR(c, s->line, s->column,
                    "Fragment \"%s\" cannot be spread here as objects of type \"%s\" can never be of type \"%s\".",
                    s->name, parent->name, t->name);
            if (c->collect)
                walk_fragment_for_usages(c, f);
            break;
        }
        case GQ_SEL_INLINE: {
            check_directives(c, s->directives, s->n_directives, "INLINE_FRAGMENT");
            const gq_type *t = parent;
            if (s->type_condition) {
                t = gq_schema_type(c->schema, s->type_condition);
                if (!t) {
                    ERR(c, s->line, s->column, "Unknown type \"%s\".", s->type_condition);
                    break;
                }
                if (t->kind != GQ_OBJECT) {
                    ERR(c, s->line, s->column,
                        "Fragment cannot condition on non composite type \"%s\".", t->name);
                    break;
                }
                if (!applies(parent, t)) {
                    ERR(c, s->line, s->column,
                        "Fragment cannot be spread here as objects of type \"%s\" can never be of type \"%s\".",
                        parent->name, t->name);
                    break;
                }
            }
            walk_set(c, s->set, t);
            break;
        }
        }
    }
}

/* ---- variables ------------------------------------------------------------------------------- */

static bool subtype(const gq_type_ref *a, const gq_type_ref *b)
{
    if (b->kind == GQ_T_NON_NULL)
        return a->kind == GQ_T_NON_NULL && subtype(a->of, b->of);
    if (a->kind == GQ_T_NON_NULL)
        return subtype(a->of, b);
    if (b->kind == GQ_T_LIST)
        return a->kind == GQ_T_LIST && subtype(a->of, b->of);
    if (a->kind == GQ_T_LIST)
        return false;
    return strcmp(a->name, b->name) == 0;
}

static void check_variables(vctx *c, const gq_operation *op)
{
    char tb[256], tb2[256];
    for (size_t i = 0; i < op->n_vars; i++) {
        const gq_variable_def *v = &op->vars[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(op->vars[j].name, v->name) == 0)
                ERR(c, v->line, v->column, "There can be only one variable named \"$%s\".", v->name);
        check_directives(c, v->directives, v->n_directives, "VARIABLE_DEFINITION");
        const gq_type *t = gq_schema_type(c->schema, named(v->type));
        if (!t) {
            ERR(c, v->line, v->column, "Unknown type \"%s\".", named(v->type));
            continue;
        }
        if (t->kind == GQ_OBJECT) {
            ERR(c, v->line, v->column, "Variable \"$%s\" cannot be non-input type \"%s\".", v->name,
                gq_type_ref_str(v->type, tb, sizeof tb));
            continue;
        }
        if (v->default_value)
            check_literal(c, v->default_value, v->type, false);
    }
    for (size_t u = 0; u < c->n_usages; u++) {
        const var_usage *use = &c->usages[u];
        const gq_variable_def *def = NULL;
        for (size_t i = 0; i < op->n_vars; i++)
            if (strcmp(op->vars[i].name, use->name) == 0)
                def = &op->vars[i];
        if (!def) {
            if (op->name)
                ERR(c, use->line, use->column, "Variable \"$%s\" is not defined by operation \"%s\".",
                    use->name, op->name);
            else
                ERR(c, use->line, use->column, "Variable \"$%s\" is not defined.", use->name);
            continue;
        }
        const gq_type_ref *vt = def->type;
        const gq_type_ref *lt = use->expected;
        if (use->one_of_field && vt->kind != GQ_T_NON_NULL) {
            ERR(c, use->line, use->column,
                "Variable \"$%s\" is of type \"%s\" but must be non-nullable to be used for OneOf Input Object field.",
                use->name, gq_type_ref_str(vt, tb, sizeof tb));
            continue;
        }
        if (lt->kind == GQ_T_NON_NULL && vt->kind != GQ_T_NON_NULL) {
            bool var_default = def->default_value && def->default_value->kind != GQ_V_NULL;
            if (!var_default && !use->location_has_default) {
                ERR(c, use->line, use->column,
                    "Variable \"$%s\" of type \"%s\" used in position expecting type \"%s\".",
                    use->name, gq_type_ref_str(vt, tb, sizeof tb), gq_type_ref_str(lt, tb2, sizeof tb2));
                continue;
            }
            lt = lt->of;
        }
        if (!subtype(vt, lt))
            ERR(c, use->line, use->column,
                "Variable \"$%s\" of type \"%s\" used in position expecting type \"%s\".", use->name,
                gq_type_ref_str(vt, tb, sizeof tb), gq_type_ref_str(lt, tb2, sizeof tb2));
    }
    for (size_t i = 0; i < op->n_vars; i++) {
        bool used = false;
        for (size_t u = 0; u < c->n_usages; u++)
            if (strcmp(c->usages[u].name, op->vars[i].name) == 0)
                used = true;
        if (!used) {
            if (op->name)
                ERR(c, op->vars[i].line, op->vars[i].column,
                    "Variable \"$%s\" is never used in operation \"%s\".", op->vars[i].name, op->name);
            else
                ERR(c, op->vars[i].line, op->vars[i].column, "Variable \"$%s\" is never used.",
                    op->vars[i].name);
        }
    }
}

/* ---- fragments ------------------------------------------------------------------------------- */

/* How deep selections may nest counting through fragment spreads (the parser bounds only the
 * nesting written in one place): deeper documents are refused before any walk that follows
 * spreads, so no walk can exhaust the stack. */
#define GQ_MAX_EFFECTIVE_DEPTH 512

enum { WHITE, GREY, BLACK };

typedef struct graph {
    vctx *c;
    unsigned char *color;   /* per fragment: WHITE unvisited, GREY on the path, BLACK done */
    int *height;            /* per BLACK fragment: its nesting, spreads followed */
    bool *used;
    bool too_deep;
} graph;

/* Depth-first through spreads: marks what is reachable, reports a spread back into a fragment
 * on the current path as a cycle, and returns the nesting below the set. Each fragment is
 * expanded once (its height memoised): linear. */
static int visit_set(graph *g, const gq_selection_set *set, int depth);

static void too_deep(graph *g, const gq_selection *at)
{
    if (!g->too_deep)
        ERR(g->c, at->line, at->column, "Selections nest more than %d levels deep through fragments.",
            GQ_MAX_EFFECTIVE_DEPTH);
    g->too_deep = true;
}

static int visit_fragment(graph *g, const gq_fragment *f, const gq_selection *at, int depth)
{
    size_t idx = fragment_index(g->c->doc, f);
    g->used[idx] = true;
    if (g->color[idx] == GREY) {
        ERR(g->c, at->line, at->column, "Cannot spread fragment \"%s\" within itself.", f->name);
        return 0;
    }
    if (g->color[idx] == WHITE) {
        g->color[idx] = GREY;
        g->height[idx] = visit_set(g, f->set, depth);
        g->color[idx] = BLACK;
    }
    if (depth + g->height[idx] > GQ_MAX_EFFECTIVE_DEPTH)
        too_deep(g, at);
    return g->height[idx];
}

static int visit_set(graph *g, const gq_selection_set *set, int depth)
{
    if (!set)
        return 0;
    int height = 1;
    for (size_t i = 0; i < set->n && !g->too_deep; i++) {
        const gq_selection *s = &set->items[i];
        int h;
        if (depth + 1 > GQ_MAX_EFFECTIVE_DEPTH) {
            too_deep(g, s);
            break;
        }
        if (s->kind == GQ_SEL_SPREAD)
            h = s->fragment ? visit_fragment(g, s->fragment, s, depth + 1) : 0;
        else
            h = visit_set(g, s->set, depth + 1);
        if (h + 1 > height)
            height = h + 1;
    }
    return height;
}

static int by_name(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return strcmp(x, y);
}

/* Names that occur more than once, each reported once; n log n. */
static void report_duplicates(vctx *c, const char **names, size_t n, const char *fmt_kind)
{
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 1; i < n; i++)
        if (strcmp(names[i], names[i - 1]) == 0 && (i < 2 || strcmp(names[i], names[i - 2]) != 0))
            ERR(c, 0, 0, "There can be only one %s named \"%s\".", fmt_kind, names[i]);
}

static bool check_fragments(vctx *c)
{
    const gq_document *doc = c->doc;
    graph g = {.c = c};
    g.color = gq_alloc(c->arena, doc->n_frags + 1);
    g.height = gq_alloc(c->arena, (doc->n_frags + 1) * sizeof *g.height);
    g.used = gq_alloc(c->arena, doc->n_frags + 1);
    const char **names = gq_alloc(c->arena, (doc->n_frags + 1) * sizeof *names);
    for (size_t i = 0; i < doc->n_frags; i++)
        names[i] = doc->frags[i].name;
    report_duplicates(c, names, doc->n_frags, "fragment");
    /* Reachability from the operations first (unused fragments), then every fragment (cycles
     * among unused fragments are reported too, as graphql-js does). */
    for (size_t i = 0; i < doc->n_ops && !g.too_deep; i++)
        visit_set(&g, doc->ops[i].set, 0);
    bool *from_ops = gq_alloc(c->arena, doc->n_frags + 1);
    memcpy(from_ops, g.used, doc->n_frags + 1);
    for (size_t i = 0; i < doc->n_frags && !g.too_deep; i++)
        if (g.color[i] == WHITE) {
            g.color[i] = GREY;
            g.height[i] = visit_set(&g, doc->frags[i].set, 0);
            g.color[i] = BLACK;
        }
    if (g.too_deep)
        return false;
    for (size_t i = 0; i < doc->n_frags; i++) {
        const gq_fragment *f = &doc->frags[i];
        if (!from_ops[i])
            ERR(c, f->line, f->column, "Fragment \"%s\" is never used.", f->name);
        const gq_type *t = gq_schema_type(c->schema, f->type_condition);
        if (!t) {
            ERR(c, f->line, f->column, "Unknown type \"%s\".", f->type_condition);
            continue;
        }
        if (t->kind != GQ_OBJECT) {
            ERR(c, f->line, f->column, "Fragment \"%s\" cannot condition on non composite type \"%s\".",
                f->name, t->name);
            continue;
        }
        check_directives(c, f->directives, f->n_directives, "FRAGMENT_DEFINITION");
        walk_set(c, f->set, t);
    }
    return true;
}

/* ---- introspection depth (graphql-js MaxIntrospectionDepthRule) ------------------------------- */

/* The most fields named fields/interfaces/possibleTypes/inputFields on one path below a set,
 * counted up to 3; each fragment's count is memoised (fragment graph checked acyclic). */
static int list_depth_set(vctx *c, const gq_selection_set *set, signed char *memo);

static int list_depth_sel(vctx *c, const gq_selection *s, signed char *memo)
{
    if (s->kind == GQ_SEL_SPREAD) {
        if (!s->fragment)
            return 0;
        size_t idx = fragment_index(c->doc, s->fragment);
        if (memo[idx] < 0) {
            memo[idx] = 0; /* in progress: a cycle (already reported) counts nothing */
            memo[idx] = (signed char)list_depth_set(c, s->fragment->set, memo);
        }
        return memo[idx];
    }
    int below = list_depth_set(c, s->set, memo);
    if (s->kind == GQ_SEL_FIELD &&
        (strcmp(s->name, "fields") == 0 || strcmp(s->name, "interfaces") == 0 ||
         strcmp(s->name, "possibleTypes") == 0 || strcmp(s->name, "inputFields") == 0))
        below++;
    return below > 3 ? 3 : below;
}

static int list_depth_set(vctx *c, const gq_selection_set *set, signed char *memo)
{
    int best = 0;
    for (size_t i = 0; set && i < set->n && best < 3; i++) {
        int d = list_depth_sel(c, &set->items[i], memo);
        if (d > best)
            best = d;
    }
    return best;
}

static void introspection_depth_in(vctx *c, const gq_selection_set *set, signed char *memo)
{
    for (size_t i = 0; set && i < set->n; i++) {
        const gq_selection *s = &set->items[i];
        if (s->kind == GQ_SEL_FIELD &&
            (strcmp(s->name, "__schema") == 0 || strcmp(s->name, "__type") == 0) &&
            list_depth_set(c, s->set, memo) >= 3)
            ERR(c, s->line, s->column, "Maximum introspection depth exceeded");
        if (s->kind != GQ_SEL_SPREAD)
            introspection_depth_in(c, s->set, memo);
    }
}

static void check_introspection_depth(vctx *c)
{
    signed char *memo = gq_alloc(c->arena, c->doc->n_frags + 1);
    memset(memo, -1, c->doc->n_frags + 1);
    for (size_t i = 0; i < c->doc->n_ops; i++)
        introspection_depth_in(c, c->doc->ops[i].set, memo);
    for (size_t i = 0; i < c->doc->n_frags; i++)
        introspection_depth_in(c, c->doc->frags[i].set, memo);
}

/* ---- entry ----------------------------------------------------------------------------------- */

const gq_operation *gq_validate(const gq_schema *schema, const gq_document *doc,
                                const char *operation_name, gq_errors *errors)
{
    vctx c = {.schema = schema, .doc = doc, .errors = errors, .report = true};
    c.arena = gq_arena_new();
    size_t before = gq_error_count(errors);

    const char **names = gq_alloc(c.arena, (doc->n_ops + 1) * sizeof *names);
    size_t n_named = 0;
    for (size_t i = 0; i < doc->n_ops; i++) {
        const gq_operation *op = &doc->ops[i];
        if (!op->name && doc->n_ops > 1)
            ERR(&c, op->line, op->column, "This anonymous operation must be the only defined operation.");
        if (op->name)
            names[n_named++] = op->name;
    }
    report_duplicates(&c, names, n_named, "operation");
    /* Fragment cycles and depth first: walking operations must never recurse through a cycle. */
    bool walkable = check_fragments(&c);
    bool cyclic = gq_error_count(errors) > before;
    for (size_t i = 0; i < doc->n_ops && walkable && !cyclic; i++) {
        const gq_operation *op = &doc->ops[i];
        const gq_type *root = op->kind == GQ_OP_QUERY ? schema->query
                              : op->kind == GQ_OP_MUTATION ? schema->mutation : NULL;
        if (!root) {
            ERR(&c, op->line, op->column, "Schema is not configured to execute %s operation.",
                op->kind == GQ_OP_MUTATION ? "mutation" : "subscription");
            continue;
        }
        const char *loc = op->kind == GQ_OP_QUERY ? "QUERY" : "MUTATION";
        check_directives(&c, op->directives, op->n_directives, loc);
        c.usages = NULL;
        c.n_usages = 0;
        c.visited = gq_alloc(c.arena, doc->n_frags + 1);
        c.collect = true;
        walk_set(&c, op->set, root);
        check_variables(&c, op);
        c.collect = false;
    }
    if (walkable && !cyclic)
        check_introspection_depth(&c);
    /* Merging is only meaningful once every field is known to exist. */
    if (gq_error_count(errors) == before)
        gq_validate_overlaps(schema, doc, errors);

    const gq_operation *chosen = NULL;
    if (gq_error_count(errors) == before) {
        if (operation_name && *operation_name) {
            for (size_t i = 0; i < doc->n_ops; i++)
                if (doc->ops[i].name && strcmp(doc->ops[i].name, operation_name) == 0)
                    chosen = &doc->ops[i];
            if (!chosen)
                gq_error_add(errors, 0, 0, "graphql", "Unknown operation named \"%s\".", operation_name);
        } else if (doc->n_ops == 1) {
            chosen = &doc->ops[0];
        } else {
            gq_error_add(errors, 0, 0, "graphql",
                         "Must provide operation name if query contains multiple operations.");
        }
    }
    gq_arena_free(c.arena);
    return chosen;
}
