/* The "fields can be merged" rule (spec §5.3.2, graphql-js OverlappingFieldsCanBeMergedRule):
 * two selections with one response key, wherever they come from — the same set, a fragment
 * spread into it, an inline fragment, or sub-selections of fields merged into one — must name the
 * same field with the same arguments (unless their parent types can never be the same object)
 * and return types of the same shape, recursively. Without it the executor would silently keep
 * one of them.
 *
 * Cost, as graphql-js keeps it: a selection set is seen as its own fields (inline fragments
 * included) plus the fragments it spreads. A fragment's fields are collected once; a fragment is
 * never compared with itself (its own conflicts are found where it is defined); pairs of
 * fragments and pairs of fields with sub-selections are compared once each (memoised with the
 * exclusivity they were compared under). So a fragment spread in many places is not walked again
 * for every place. A work budget bounds what a hostile document can make it do; past it the
 * document is refused with an error rather than checked for minutes. */
#include "tools/sandbox/graphql/graphql_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORK_BUDGET 2000000
#define MAX_REPORTED 100

typedef struct fref {
    const gq_selection *sel;
    const gq_type *parent;
    const gq_type_ref *type;   /* the field's type (String! for __typename) */
    const char *key;           /* response key */
} fref;

typedef struct flist {
    fref *items;               /* sorted by response key */
    size_t n;
} flist;

typedef struct expansion {
    const gq_selection_set *set;
    flist direct;              /* its fields, inline fragments included */
    size_t *frags;             /* the fragments it spreads (indices, each once) */
    size_t n_frags;
} expansion;

typedef struct pair_memo {
    const void *a, *b;         /* two selections, or two fragments */
    bool exclusive, used, done, reported;
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
    flist **full;              /* per fragment: every field it brings, nested spreads included */
    unsigned *stamp;           /* per fragment: the collection that last took it */
    unsigned generation;
    long work;
    bool stop;                 /* over budget, or enough conflicts reported */
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
    if (c->work > WORK_BUDGET && !c->stop) {
        c->stop = true;
        gq_error_add(c->errors, 0, 0, "graphql",
                     "The document has too many overlapping selections to check that they can be merged.");
    }
    return !c->stop;
}

static size_t hash_ptr(const void *p, size_t salt)
{
    size_t h = (size_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
    return h ^ (salt * 0xC2B2AE3D27D4EB4Full) ^ (h >> 29);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const fref *)a)->key, ((const fref *)b)->key);
}

/* ---- collecting fields ---------------------------------------------------------------------- */

/* Fields of a set (through inline fragments); spreads are listed in frags, or — when `deep` —
 * followed (each fragment once per collection). */
static void collect(octx *c, const gq_selection_set *set, const gq_type *parent, bool deep, fref **out,
                    size_t *n, size_t **frags, size_t *n_frags)
{
    if (!set || !parent || c->stop)
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
            collect(c, s->set, t, deep, out, n, frags, n_frags);
        } else if (s->fragment) {
            size_t idx = (size_t)(s->fragment - c->doc->frags);
            if (c->stamp[idx] == c->generation)
                continue; /* spread twice: once is enough */
            c->stamp[idx] = c->generation;
            if (deep)
                collect(c, s->fragment->set, gq_schema_type(c->schema, s->fragment->type_condition), deep,
                        out, n, frags, n_frags);
            else
                *(size_t *)gq_push(c->arena, (void **)frags, n_frags, sizeof idx) = idx;
        }
    }
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

/* A set's own fields and the fragments it spreads; computed once per set. Returned by value:
 * the table may move. */
static expansion expand(octx *c, const gq_selection_set *set, const gq_type *parent)
{
    if (c->exp_n * 2 >= c->exp_cap)
        grow_exps(c);
    size_t mask = c->exp_cap - 1, i = hash_ptr(set, 0) & mask;
    while (c->exps[i].set && c->exps[i].set != set)
        i = (i + 1) & mask;
    if (c->exps[i].set)
        return c->exps[i];
    expansion e = {.set = set};
    c->generation++;
    collect(c, set, parent, false, &e.direct.items, &e.direct.n, &e.frags, &e.n_frags);
    if (e.direct.n > 1)
        qsort(e.direct.items, e.direct.n, sizeof *e.direct.items, by_key);
    c->exps[i] = e;
    c->exp_n++;
    return e;
}

/* Every field a fragment brings, nested spreads included; computed once per fragment. */
static const flist *full(octx *c, size_t idx)
{
    if (c->full[idx])
        return c->full[idx];
    flist *l = gq_alloc(c->arena, sizeof *l);
    const gq_fragment *f = &c->doc->frags[idx];
    size_t *unused = NULL, n_unused = 0;
    c->generation++;
    c->stamp[idx] = c->generation;
    collect(c, f->set, gq_schema_type(c->schema, f->type_condition), true, &l->items, &l->n, &unused, &n_unused);
    if (l->n > 1)
        qsort(l->items, l->n, sizeof *l->items, by_key);
    c->full[idx] = l;
    return l;
}

/* ---- comparing ------------------------------------------------------------------------------ */

static pair_memo *memo_slot(octx *c, const void *a, const void *b, bool exclusive)
{
    if ((uintptr_t)a > (uintptr_t)b) {
        const void *t = a;
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
    if (!c->pairs[i].used) {
        c->pairs[i] = (pair_memo){.a = a, .b = b, .exclusive = exclusive, .used = true};
        c->pair_n++;
    }
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

static char *because(octx *c, const char *fmt, const char *x, const char *y)
{
    size_t len = strlen(fmt) + strlen(x) + strlen(y) + 1;
    char *r = gq_alloc(c->arena, len);
    snprintf(r, len, fmt, x, y);
    return r;
}

/* Why two selections of one response key cannot be merged, or NULL when they can. */
static const char *compare(octx *c, const fref *a, const fref *b, bool parents_exclusive)
{
    if (a->sel == b->sel || !spend(c, 1))
        return NULL;
    /* Two different object types can never describe the same object. */
    bool exclusive = parents_exclusive || a->parent != b->parent;
    char tb1[256], tb2[256];
    if (!exclusive && strcmp(a->sel->name, b->sel->name) != 0)
        return because(c, "\"%s\" and \"%s\" are different fields", a->sel->name, b->sel->name);
    if (!exclusive && !same_arguments(c, a->sel, b->sel))
        return "they have differing arguments";
    if (types_conflict(c->schema, a->type, b->type))
        return because(c, "they return conflicting types \"%s\" and \"%s\"", gq_type_ref_str(a->type, tb1, sizeof tb1),
                       gq_type_ref_str(b->type, tb2, sizeof tb2));
    if (!a->sel->set || !b->sel->set)
        return NULL;
    /* Sub-selections: compared once per pair of fields. */
    pair_memo *m = memo_slot(c, a->sel, b->sel, exclusive);
    if (m->done)
        return m->reason;
    m->done = true;
    const char *reason = compare_sets(c, a, b, exclusive);
    memo_slot(c, a->sel, b->sel, exclusive)->reason = reason; /* the table may have grown */
    return reason;
}

/* Every pair with one response key across two lists: the first reason found, or NULL. With
 * `report`, each conflicting pair is reported (once) instead. */
static const char *between(octx *c, const flist *x, const flist *y, bool exclusive, bool report)
{
    size_t i = 0, j = 0;
    spend(c, (long)(x->n + y->n) / 8);
    while (i < x->n && j < y->n && !c->stop) {
        int cmp = strcmp(x->items[i].key, y->items[j].key);
        if (cmp) {
            cmp < 0 ? i++ : j++;
            continue;
        }
        size_t i_end = i, j_end = j;
        while (i_end < x->n && strcmp(x->items[i_end].key, x->items[i].key) == 0)
            i_end++;
        while (j_end < y->n && strcmp(y->items[j_end].key, y->items[j].key) == 0)
            j_end++;
        for (size_t a = i; a < i_end && !c->stop; a++)
            for (size_t b = j; b < j_end && !c->stop; b++) {
                const char *why = compare(c, &x->items[a], &y->items[b], exclusive);
                if (!why)
                    continue;
                if (!report)
                    return because(c, "subfields \"%s\" conflict because %s", x->items[a].key, why);
                pair_memo *m = memo_slot(c, x->items[a].sel, y->items[b].sel, false);
                if (m->reported)
                    continue;
                m->reported = true;
                gq_error_add(c->errors, y->items[b].sel->line, y->items[b].sel->column, "graphql",
                             "Fields \"%s\" conflict because %s. Use different aliases on the fields to "
                             "fetch both if this was intentional.", x->items[a].key, why);
                if (gq_error_count(c->errors) >= MAX_REPORTED)
                    c->stop = true;
            }
        i = i_end;
        j = j_end;
    }
    return NULL;
}

/* Two fragments' fields against each other, once per pair (a fragment never against itself). */
static const char *between_fragments(octx *c, size_t f, size_t g, bool exclusive, bool report)
{
    if (f == g)
        return NULL;
    const gq_fragment *ff = &c->doc->frags[f], *fg = &c->doc->frags[g];
    pair_memo *m = memo_slot(c, ff, fg, exclusive);
    if (m->done && (!report || m->reported || !m->reason))
        return m->reason;
    m->done = true;
    if (report)
        m->reported = true;
    const flist *lf = full(c, f), *lg = full(c, g);
    const char *reason = between(c, lf, lg, exclusive, report);
    memo_slot(c, ff, fg, exclusive)->reason = reason;
    return reason;
}

/* Sub-selections of two fields merged into one: their own fields against each other, each against
 * the other's fragments, and the fragments pairwise. */
static const char *compare_sets(octx *c, const fref *a, const fref *b, bool exclusive)
{
    expansion ea = expand(c, a->sel->set, gq_schema_type(c->schema, named(a->type)));
    expansion eb = expand(c, b->sel->set, gq_schema_type(c->schema, named(b->type)));
    const char *why = between(c, &ea.direct, &eb.direct, exclusive, false);
    for (size_t g = 0; !why && g < eb.n_frags && !c->stop; g++)
        why = between(c, &ea.direct, full(c, eb.frags[g]), exclusive, false);
    for (size_t f = 0; !why && f < ea.n_frags && !c->stop; f++)
        why = between(c, full(c, ea.frags[f]), &eb.direct, exclusive, false);
    for (size_t f = 0; !why && f < ea.n_frags && !c->stop; f++)
        for (size_t g = 0; !why && g < eb.n_frags && !c->stop; g++)
            why = between_fragments(c, ea.frags[f], eb.frags[g], exclusive, false);
    return why;
}

/* ---- every selection set of the document --------------------------------------------------- */

static void check_set(octx *c, const gq_selection_set *set, const gq_type *parent)
{
    if (!set || !parent || c->stop)
        return;
    expansion e = expand(c, set, parent);
    /* Its own fields pairwise (each group of one response key), ... */
    const flist *d = &e.direct;
    for (size_t i = 0; i < d->n && !c->stop;) {
        size_t end = i;
        while (end < d->n && strcmp(d->items[end].key, d->items[i].key) == 0)
            end++;
        for (size_t x = i; x < end && !c->stop; x++) {
            flist one = {&d->items[x], 1}, rest = {&d->items[x + 1], end - x - 1};
            between(c, &one, &rest, false, true);
        }
        i = end;
    }
    /* ... against each fragment it spreads, and those fragments pairwise. */
    for (size_t f = 0; f < e.n_frags && !c->stop; f++)
        between(c, d, full(c, e.frags[f]), false, true);
    for (size_t f = 0; f < e.n_frags && !c->stop; f++)
        for (size_t g = f + 1; g < e.n_frags && !c->stop; g++)
            between_fragments(c, e.frags[f], e.frags[g], false, true);
    /* Then the sets nested in this one, as written (a fragment is checked where it is defined). */
    for (size_t i = 0; i < set->n && !c->stop; i++) {
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
    c.full = gq_alloc(c.arena, (doc->n_frags + 1) * sizeof *c.full);
    for (size_t i = 0; i < doc->n_ops && !c.stop; i++) {
        const gq_operation *op = &doc->ops[i];
        check_set(&c, op->set, op->kind == GQ_OP_MUTATION ? schema->mutation : schema->query);
    }
    for (size_t i = 0; i < doc->n_frags && !c.stop; i++)
        check_set(&c, doc->frags[i].set, gq_schema_type(schema, doc->frags[i].type_condition));
    gq_arena_free(c.arena);
}
