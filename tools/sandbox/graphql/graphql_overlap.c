/* The "fields can be merged" rule (spec §5.3.2, graphql-js OverlappingFieldsCanBeMergedRule):
 * two selections with one response key, wherever they come from — the same set, a fragment
 * spread into it, an inline fragment, or sub-selections of fields merged into one — must name the
 * same field with the same arguments (unless their parent types can never be the same object)
 * and return types of the same shape, recursively. Without it the executor would silently keep
 * one of them.
 *
 * Cost: each selection set's fields (fragments expanded, each fragment once per set) are
 * collected once and kept sorted by response key; each pair of field selections is compared at
 * most once (memoised, with the exclusivity it was compared under), so fragments spread in many
 * places are not walked again for every place. A work budget bounds what a hostile document can
 * make it do; past it the document is refused with an error rather than checked for minutes. */
#include "tools/sandbox/graphql/graphql_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORK_BUDGET 4000000

typedef struct fref {
    const gq_selection *sel;
    const gq_type *parent;
    const gq_type_ref *type;   /* the field's type (String! for __typename) */
    const char *key;           /* response key */
} fref;

typedef struct expansion {
    const gq_selection_set *set;
    fref *items;
    size_t n;
} expansion;

typedef struct pair_memo {
    const gq_selection *a, *b;
    bool exclusive, used, reported;
    const char *reason;        /* NULL: no conflict */
} pair_memo;

typedef struct octx {
    const gq_schema *schema;
    const gq_document *doc;
    gq_errors *errors;
    gq_arena *arena;
    expansion *exps;           /* open addressing by set pointer */
    size_t exp_cap, exp_n;
    pair_memo *pairs;          /* open addressing by (a, b, exclusive) */
    size_t pair_cap, pair_n;
    unsigned *stamp;           /* per fragment: the expansion that last took it */
    unsigned generation;
    long work;
    bool over_budget;
} octx;

static gq_type_ref string_named = {GQ_T_NAMED, "String", NULL};
static gq_type_ref string_nonnull = {GQ_T_NON_NULL, NULL, &string_named};

static const char *named(const gq_type_ref *t)
{
    while (t && t->kind != GQ_T_NAMED)
        t = t->of;
    return t ? t->name : NULL;
}

static bool spend(octx *c, long units)
{
    c->work += units;
    if (c->work > WORK_BUDGET && !c->over_budget) {
        c->over_budget = true;
        gq_error_add(c->errors, 0, 0, "graphql",
                     "The document has too many overlapping selections to check that they can be merged.");
    }
    return !c->over_budget;
}

static size_t hash_ptr(const void *p, size_t salt)
{
    size_t h = (size_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
    return h ^ (salt * 0xC2B2AE3D27D4EB4Full) ^ (h >> 29);
}

/* ---- collecting a set's fields ------------------------------------------------------------- */

static void collect(octx *c, const gq_selection_set *set, const gq_type *parent, fref **out, size_t *n)
{
    if (!set || !parent || c->over_budget)
        return;
    for (size_t i = 0; i < set->n; i++) {
        const gq_selection *s = &set->items[i];
        if (!spend(c, 1))
            return;
        if (s->kind == GQ_SEL_FIELD) {
            const gq_field_def *f = gq_schema_field(c->schema, parent, s->name);
            const gq_type_ref *t = f ? f->type : strcmp(s->name, "__typename") == 0 ? &string_nonnull : NULL;
            if (!t)
                continue;
            fref *r = gq_push(c->arena, (void **)out, n, sizeof *r);
            *r = (fref){s, parent, t, s->alias ? s->alias : s->name};
        } else if (s->kind == GQ_SEL_INLINE) {
            const gq_type *t = s->type_condition ? gq_schema_type(c->schema, s->type_condition) : parent;
            collect(c, s->set, t, out, n);
        } else if (s->fragment) {
            size_t idx = (size_t)(s->fragment - c->doc->frags);
            if (c->stamp[idx] == c->generation)
                continue; /* spread twice into one set: its fields are already here */
            c->stamp[idx] = c->generation;
            collect(c, s->fragment->set, gq_schema_type(c->schema, s->fragment->type_condition), out, n);
        }
    }
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const fref *)a)->key, ((const fref *)b)->key);
}

static void grow_exps(octx *c);

static const expansion *expand(octx *c, const gq_selection_set *set, const gq_type *parent)
{
    if (c->exp_n * 2 >= c->exp_cap)
        grow_exps(c);
    size_t mask = c->exp_cap - 1, i = hash_ptr(set, 0) & mask;
    while (c->exps[i].set && c->exps[i].set != set)
        i = (i + 1) & mask;
    expansion *e = &c->exps[i];
    if (e->set)
        return e;
    fref *items = NULL;
    size_t n = 0;
    c->generation++;
    collect(c, set, parent, &items, &n);
    qsort(items, n, sizeof *items, by_key);
    /* Growing the table may have moved the slot: look it up again. */
    i = hash_ptr(set, 0) & mask;
    while (c->exps[i].set && c->exps[i].set != set)
        i = (i + 1) & mask;
    c->exps[i] = (expansion){set, items, n};
    c->exp_n++;
    return &c->exps[i];
}

static void grow_exps(octx *c)
{
    size_t cap = c->exp_cap ? c->exp_cap * 2 : 64;
    expansion *fresh = gq_alloc(c->arena, cap * sizeof *fresh);
    for (size_t i = 0; i < c->exp_cap; i++) {
        if (!c->exps[i].set)
            continue;
        size_t j = hash_ptr(c->exps[i].set, 0) & (cap - 1);
        while (fresh[j].set)
            j = (j + 1) & (cap - 1);
        fresh[j] = c->exps[i];
    }
    c->exps = fresh;
    c->exp_cap = cap;
}

/* ---- comparing two fields ------------------------------------------------------------------ */

static pair_memo *memo_slot(octx *c, const gq_selection *a, const gq_selection *b, bool exclusive)
{
    if (a > b) {
        const gq_selection *t = a;
        a = b;
        b = t;
    }
    if (c->pair_n * 2 >= c->pair_cap) {
        size_t cap = c->pair_cap ? c->pair_cap * 2 : 256;
        pair_memo *fresh = gq_alloc(c->arena, cap * sizeof *fresh);
        for (size_t i = 0; i < c->pair_cap; i++) {
            if (!c->pairs[i].used)
                continue;
            size_t j = hash_ptr(c->pairs[i].a, (size_t)(uintptr_t)c->pairs[i].b + c->pairs[i].exclusive) & (cap - 1);
            while (fresh[j].used)
                j = (j + 1) & (cap - 1);
            fresh[j] = c->pairs[i];
        }
        c->pairs = fresh;
        c->pair_cap = cap;
    }
    size_t mask = c->pair_cap - 1, i = hash_ptr(a, (size_t)(uintptr_t)b + exclusive) & mask;
    while (c->pairs[i].used && !(c->pairs[i].a == a && c->pairs[i].b == b && c->pairs[i].exclusive == exclusive))
        i = (i + 1) & mask;
    return &c->pairs[i];
}

static bool same_arguments(octx *c, const gq_selection *a, const gq_selection *b)
{
    if (a->n_args != b->n_args)
        return false;
    /* Arguments are known and unique here (validated), so few: a nested loop is fine. */
    for (size_t i = 0; i < a->n_args; i++) {
        const gq_argument *match = NULL;
        for (size_t j = 0; j < b->n_args && !match; j++)
            if (strcmp(a->args[i].name, b->args[j].name) == 0)
                match = &b->args[j];
        if (!match || strcmp(gq_print_value(c->arena, a->args[i].value),
                             gq_print_value(c->arena, match->value)) != 0)
            return false;
    }
    return true;
}

static bool is_leaf(const gq_schema *s, const gq_type_ref *t)
{
    const gq_type *type = gq_schema_type(s, named(t));
    return type && (type->kind == GQ_SCALAR || type->kind == GQ_ENUM);
}

static bool types_conflict(const gq_schema *s, const gq_type_ref *a, const gq_type_ref *b)
{
    if (a->kind == GQ_T_LIST || b->kind == GQ_T_LIST)
        return a->kind != b->kind || types_conflict(s, a->of, b->of);
    if (a->kind == GQ_T_NON_NULL || b->kind == GQ_T_NON_NULL)
        return a->kind != b->kind || types_conflict(s, a->of, b->of);
    if (is_leaf(s, a) || is_leaf(s, b))
        return strcmp(a->name, b->name) != 0;
    return false;
}

static const char *compare_sets(octx *c, const fref *a, const fref *b, bool exclusive);

/* Why two selections of one response key cannot be merged, or NULL when they can. */
static const char *compare(octx *c, const fref *a, const fref *b, bool parents_exclusive)
{
    if (a->sel == b->sel || !spend(c, 1))
        return NULL;
    /* Two different object types can never describe the same object. */
    bool exclusive = parents_exclusive || a->parent != b->parent;
    pair_memo *m = memo_slot(c, a->sel, b->sel, exclusive);
    if (m->used)
        return m->reason;
    *m = (pair_memo){a->sel < b->sel ? a->sel : b->sel, a->sel < b->sel ? b->sel : a->sel, exclusive, true,
                     false, NULL};
    c->pair_n++;
    char tb1[256], tb2[256];
    const char *reason = NULL;
    if (!exclusive && strcmp(a->sel->name, b->sel->name) != 0) {
        size_t len = strlen(a->sel->name) + strlen(b->sel->name) + 40;
        char *r = gq_alloc(c->arena, len);
        snprintf(r, len, "\"%s\" and \"%s\" are different fields", a->sel->name, b->sel->name);
        reason = r;
    } else if (!exclusive && !same_arguments(c, a->sel, b->sel)) {
        reason = "they have differing arguments";
    } else if (types_conflict(c->schema, a->type, b->type)) {
        gq_type_ref_str(a->type, tb1, sizeof tb1);
        gq_type_ref_str(b->type, tb2, sizeof tb2);
        size_t len = strlen(tb1) + strlen(tb2) + 48;
        char *r = gq_alloc(c->arena, len);
        snprintf(r, len, "they return conflicting types \"%s\" and \"%s\"", tb1, tb2);
        reason = r;
    } else if (a->sel->set && b->sel->set) {
        reason = compare_sets(c, a, b, exclusive);
    }
    /* The table may have grown while comparing sub-selections: find the slot again. */
    m = memo_slot(c, a->sel, b->sel, exclusive);
    m->reason = reason;
    return reason;
}

/* Sub-selections of two fields merged into one: every pair with one response key across them. */
static const char *compare_sets(octx *c, const fref *a, const fref *b, bool exclusive)
{
    const expansion *ea = expand(c, a->sel->set, gq_schema_type(c->schema, named(a->type)));
    fref *ia = ea->items;
    size_t na = ea->n;
    const expansion *eb = expand(c, b->sel->set, gq_schema_type(c->schema, named(b->type)));
    fref *ib = eb->items;
    size_t nb = eb->n;
    size_t i = 0, j = 0;
    while (i < na && j < nb && !c->over_budget) {
        int cmp = strcmp(ia[i].key, ib[j].key);
        if (cmp < 0) {
            i++;
            continue;
        }
        if (cmp > 0) {
            j++;
            continue;
        }
        size_t i_end = i, j_end = j;
        while (i_end < na && strcmp(ia[i_end].key, ia[i].key) == 0)
            i_end++;
        while (j_end < nb && strcmp(ib[j_end].key, ib[j].key) == 0)
            j_end++;
        for (size_t x = i; x < i_end; x++)
            for (size_t y = j; y < j_end; y++) {
                const char *why = compare(c, &ia[x], &ib[y], exclusive);
                if (why) {
                    size_t len = strlen(ia[x].key) + strlen(why) + 48;
                    char *r = gq_alloc(c->arena, len);
                    snprintf(r, len, "subfields \"%s\" conflict because %s", ia[x].key, why);
                    return r;
                }
            }
        i = i_end;
        j = j_end;
    }
    return NULL;
}

/* ---- every selection set of the document --------------------------------------------------- */

static void check_set(octx *c, const gq_selection_set *set, const gq_type *parent)
{
    if (!set || !parent || c->over_budget)
        return;
    const expansion *e = expand(c, set, parent);
    fref *items = e->items;
    size_t n = e->n;
    for (size_t i = 0; i < n && !c->over_budget;) {
        size_t end = i;
        while (end < n && strcmp(items[end].key, items[i].key) == 0)
            end++;
        for (size_t x = i; x < end; x++)
            for (size_t y = x + 1; y < end; y++) {
                const char *why = compare(c, &items[x], &items[y], false);
                pair_memo *m = memo_slot(c, items[x].sel, items[y].sel,
                                         items[x].parent != items[y].parent);
                if (why && !m->reported) {
                    m->reported = true;
                    gq_error_add(c->errors, items[y].sel->line, items[y].sel->column, "graphql",
                                 "Fields \"%s\" conflict because %s. Use different aliases on the fields "
                                 "to fetch both if this was intentional.", items[x].key, why);
                }
            }
        i = end;
    }
    /* Then the sets nested in this one, as written (spreads are checked where defined). */
    for (size_t i = 0; i < set->n && !c->over_budget; i++) {
        const gq_selection *s = &set->items[i];
        if (s->kind == GQ_SEL_FIELD && s->set) {
            const gq_field_def *f = gq_schema_field(c->schema, parent, s->name);
            if (f)
                check_set(c, s->set, gq_schema_type(c->schema, named(f->type)));
        } else if (s->kind == GQ_SEL_INLINE) {
            check_set(c, s->set, s->type_condition ? gq_schema_type(c->schema, s->type_condition) : parent);
        }
    }
}

void gq_validate_overlaps(const gq_schema *schema, const gq_document *doc, gq_errors *errors)
{
    octx c = {.schema = schema, .doc = doc, .errors = errors};
    c.arena = gq_arena_new();
    c.stamp = gq_alloc(c.arena, (doc->n_frags + 1) * sizeof *c.stamp);
    for (size_t i = 0; i < doc->n_ops; i++) {
        const gq_operation *op = &doc->ops[i];
        check_set(&c, op->set, op->kind == GQ_OP_MUTATION ? schema->mutation : schema->query);
    }
    for (size_t i = 0; i < doc->n_frags; i++)
        check_set(&c, doc->frags[i].set, gq_schema_type(schema, doc->frags[i].type_condition));
    gq_arena_free(c.arena);
}
