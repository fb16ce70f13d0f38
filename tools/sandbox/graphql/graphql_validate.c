/* Validation (spec §5) of a parsed document against a schema: the rules a client actually trips
 * over — operation selection and names, fields on types, arguments (unknown, duplicate, missing,
 * wrong literal types), leaf/composite selections, fragments (unknown, unused, cyclic, not
 * applicable), variables (undefined, unused, non-input, incompatible position), directives
 * (@skip/@include only). Every error carries the location of the offending token. */
#include "tools/sandbox/graphql/graphql_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct var_usage {
    const char *name;
    const gq_type_ref *expected;
    bool location_has_default;
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

static const gq_fragment *find_fragment(const gq_document *doc, const char *name)
{
    for (size_t i = 0; i < doc->n_frags; i++)
        if (strcmp(doc->frags[i].name, name) == 0)
            return &doc->frags[i];
    return NULL;
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
        for (size_t i = 0; i < v->n; i++) {
            for (size_t j = 0; j < i; j++)
                if (strcmp(v->keys[i], v->keys[j]) == 0)
                    ERR(c, v->items[i]->line, v->items[i]->column,
                        "There can be only one input field named \"%s\".", v->keys[i]);
            const gq_input_def *f = gq_type_input(type, v->keys[i]);
            if (!f)
                ERR(c, v->items[i]->line, v->items[i]->column,
                    "Field \"%s\" is not defined by type \"%s\".", v->keys[i], type->name);
            else
                check_literal(c, v->items[i], f->type, f->default_value != NULL);
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
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(args[i].name, args[j].name) == 0)
                ERR(c, args[i].line, args[i].column, "There can be only one argument named \"%s\".",
                    args[i].name);
        const gq_input_def *d = NULL;
        for (size_t k = 0; k < n_defs; k++)
            if (strcmp(defs[k].name, args[i].name) == 0)
                d = &defs[k];
        if (!d) {
            ERR(c, args[i].line, args[i].column, "Unknown argument \"%s\" on %s \"%s\".",
                args[i].name, is_directive ? "directive" : "field", owner_desc);
            continue;
        }
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

static gq_type_ref bool_named = {GQ_T_NAMED, "Boolean", NULL};
static gq_type_ref bool_nonnull = {GQ_T_NON_NULL, NULL, &bool_named};
static gq_input_def if_arg[] = {{"if", &bool_nonnull, NULL}};

static void check_directives(vctx *c, const gq_directive *ds, size_t n, const char *location)
{
    for (size_t i = 0; i < n; i++) {
        const gq_directive *d = &ds[i];
        bool known = strcmp(d->name, "skip") == 0 || strcmp(d->name, "include") == 0;
        if (!known) {
            ERR(c, d->line, d->column, "Unknown directive \"@%s\".", d->name);
            continue;
        }
        if (strcmp(location, "FIELD") != 0 && strcmp(location, "FRAGMENT_SPREAD") != 0 &&
            strcmp(location, "INLINE_FRAGMENT") != 0) {
            ERR(c, d->line, d->column, "Directive \"@%s\" may not be used on %s.", d->name, location);
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(ds[j].name, d->name) == 0)
                ERR(c, d->line, d->column,
                    "The directive \"@%s\" can only be used once at this location.", d->name);
        char desc[64];
        snprintf(desc, sizeof desc, "@%s", d->name);
        check_arguments(c, d->args, d->n_args, if_arg, 1, desc, desc, true, d->line, d->column);
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
    const gq_field_def *f = gq_type_field(parent, s->name);
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

static const char *response_key(const gq_selection *s) { return s->alias ? s->alias : s->name; }

/* Two selections of one field merge only when their arguments are the same (by printed value). */
static bool same_arguments(const gq_selection *a, const gq_selection *b)
{
    if (a->n_args != b->n_args)
        return false;
    for (size_t i = 0; i < a->n_args; i++) {
        const gq_argument *match = NULL;
        for (size_t j = 0; j < b->n_args; j++)
            if (strcmp(a->args[i].name, b->args[j].name) == 0)
                match = &b->args[j];
        if (!match)
            return false;
        char va[256], vb[256];
        if (strcmp(pv(a->args[i].value, va, sizeof va), pv(match->value, vb, sizeof vb)) != 0)
            return false;
    }
    return true;
}

static void walk_set(vctx *c, const gq_selection_set *set, const gq_type *parent)
{
    for (size_t i = 0; i < set->n; i++) {
        const gq_selection *s = &set->items[i];
        switch (s->kind) {
        case GQ_SEL_FIELD:
            walk_field(c, s, parent);
            /* Same response key for two different fields cannot be merged. */
            for (size_t j = 0; j < i; j++) {
                const gq_selection *o = &set->items[j];
                if (o->kind != GQ_SEL_FIELD || strcmp(response_key(o), response_key(s)) != 0)
                    continue;
                if (strcmp(o->name, s->name) != 0)
                    ERR(c, s->line, s->column,
                        "Fields \"%s\" conflict because \"%s\" and \"%s\" are different fields. Use "
                        "different aliases on the fields to fetch both if this was intentional.",
                        response_key(s), o->name, s->name);
                else if (!same_arguments(o, s))
                    ERR(c, s->line, s->column,
                        "Fields \"%s\" conflict because they have differing arguments. Use different "
                        "aliases on the fields to fetch both if this was intentional.",
                        response_key(s));
            }
            break;
        case GQ_SEL_SPREAD: {
            check_directives(c, s->directives, s->n_directives, "FRAGMENT_SPREAD");
            const gq_fragment *f = find_fragment(c->doc, s->name);
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

static bool spreads_reach(const gq_document *doc, const gq_selection_set *set, const gq_fragment *target,
                          bool *seen, int depth)
{
    if (!set || depth > GQ_MAX_DEPTH)
        return false;
    for (size_t i = 0; i < set->n; i++) {
        const gq_selection *s = &set->items[i];
        if (s->kind == GQ_SEL_SPREAD) {
            const gq_fragment *f = find_fragment(doc, s->name);
            if (!f)
                continue;
            if (f == target)
                return true;
            size_t idx = fragment_index(doc, f);
            if (seen[idx])
                continue;
            seen[idx] = true;
            if (spreads_reach(doc, f->set, target, seen, depth + 1))
                return true;
        } else if (spreads_reach(doc, s->set, target, seen, depth + 1)) {
            return true;
        }
    }
    return false;
}

static void mark_used(const gq_document *doc, const gq_selection_set *set, bool *used, int depth)
{
    if (!set || depth > GQ_MAX_DEPTH)
        return;
    for (size_t i = 0; i < set->n; i++) {
        const gq_selection *s = &set->items[i];
        if (s->kind == GQ_SEL_SPREAD) {
            const gq_fragment *f = find_fragment(doc, s->name);
            if (f && !used[fragment_index(doc, f)]) {
                used[fragment_index(doc, f)] = true;
                mark_used(doc, f->set, used, depth + 1);
            }
        } else {
            mark_used(doc, s->set, used, depth + 1);
        }
    }
}

static void check_fragments(vctx *c)
{
    const gq_document *doc = c->doc;
    bool *used = gq_alloc(c->arena, doc->n_frags + 1);
    bool *seen = gq_alloc(c->arena, doc->n_frags + 1);
    for (size_t i = 0; i < doc->n_ops; i++)
        mark_used(doc, doc->ops[i].set, used, 0);
    for (size_t i = 0; i < doc->n_frags; i++) {
        const gq_fragment *f = &doc->frags[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(doc->frags[j].name, f->name) == 0)
                ERR(c, f->line, f->column, "There can be only one fragment named \"%s\".", f->name);
        if (!used[i])
            ERR(c, f->line, f->column, "Fragment \"%s\" is never used.", f->name);
        memset(seen, 0, doc->n_frags + 1);
        if (spreads_reach(doc, f->set, f, seen, 0)) {
            ERR(c, f->line, f->column, "Cannot spread fragment \"%s\" within itself.", f->name);
            continue;
        }
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
}

/* ---- entry ----------------------------------------------------------------------------------- */

const gq_operation *gq_validate(const gq_schema *schema, const gq_document *doc,
                                const char *operation_name, gq_errors *errors)
{
    vctx c = {.schema = schema, .doc = doc, .errors = errors, .report = true};
    c.arena = gq_arena_new();
    size_t before = gq_error_count(errors);

    for (size_t i = 0; i < doc->n_ops; i++) {
        const gq_operation *op = &doc->ops[i];
        if (!op->name && doc->n_ops > 1)
            ERR(&c, op->line, op->column, "This anonymous operation must be the only defined operation.");
        for (size_t j = 0; op->name && j < i; j++)
            if (doc->ops[j].name && strcmp(doc->ops[j].name, op->name) == 0)
                ERR(&c, op->line, op->column, "There can be only one operation named \"%s\".", op->name);
    }
    /* Fragment cycles first: walking operations must never recurse through a cycle. */
    check_fragments(&c);
    bool cyclic = gq_error_count(errors) > before;
    for (size_t i = 0; i < doc->n_ops && !cyclic; i++) {
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
