/* Static cost and depth of an operation, computed before it runs. Both are linear in the
 * document: a fragment's cost and depth are computed once and reused for every spread of it, so
 * a small document of fragments spreading fragments (whose expansion doubles at every level)
 * costs microseconds to measure — and its astronomical cost, saturated at INT64_MAX, is what a
 * complexity limit then refuses. The validator has refused cycles and over-deep nesting, which
 * bounds the recursion. */
#include "tools/sandbox/graphql/graphql_internal.h"

#include <stdlib.h>
#include <string.h>

static int64_t sat_add(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }
static int64_t sat_mul(int64_t a, int64_t b) { return b != 0 && a > INT64_MAX / b ? INT64_MAX : a * b; }

static int64_t arg_multiplier(const gq_selection *s, json_object *vars)
{
    for (size_t i = 0; i < s->n_args; i++) {
        if (strcmp(s->args[i].name, "first") != 0 && strcmp(s->args[i].name, "limit") != 0)
            continue;
        const gq_value *v = s->args[i].value;
        int64_t n = 1;
        if (v->kind == GQ_V_INT)
            n = strtoll(v->text, NULL, 10);
        else if (v->kind == GQ_V_VARIABLE) {
            json_object *val;
            if (vars && json_object_object_get_ex(vars, v->text, &val))
                n = json_object_get_int64(val);
        }
        return n < 1 ? 1 : n > 10000 ? 10000 : n;
    }
    return 1;
}

typedef struct measure {
    const gq_document *doc;
    json_object *vars;
    int64_t *cost;       /* per fragment, -1 = not yet */
    unsigned *seen;      /* per fragment: the set that last counted it */
    unsigned generation;
    int *depth;          /* per fragment, -1 = not yet */
    int limit;
} measure;

/* A set's cost: its fields, and each fragment it spreads counted once however often it is
 * spread there (execution merges them too). `seen` stamps fragments with the set's number. */
static int64_t cost_in(measure *m, const gq_selection_set *set, unsigned gen);

static int64_t cost_set(measure *m, const gq_selection_set *set)
{
    return cost_in(m, set, ++m->generation);
}

static int64_t cost_in(measure *m, const gq_selection_set *set, unsigned gen)
{
    int64_t total = 0;
    for (size_t i = 0; set && i < set->n; i++) {
        const gq_selection *s = &set->items[i];
        if (s->kind == GQ_SEL_FIELD) {
            total = sat_add(total, sat_add(1, sat_mul(arg_multiplier(s, m->vars), cost_set(m, s->set))));
        } else if (s->kind == GQ_SEL_INLINE) {
            total = sat_add(total, cost_in(m, s->set, gen));
        } else if (s->fragment) {
            size_t idx = (size_t)(s->fragment - m->doc->frags);
            if (m->seen[idx] == gen)
                continue;
            m->seen[idx] = gen;
            if (m->cost[idx] < 0) {
                m->cost[idx] = 0; /* in progress: a cycle (refused by validation) adds nothing */
                m->cost[idx] = cost_set(m, s->fragment->set);
            }
            total = sat_add(total, m->cost[idx]);
        }
    }
    return total;
}

static int depth_set(measure *m, const gq_selection_set *set, int at);

/* Depth below (and including) a selection, stopping once past the limit. */
static int depth_sel(measure *m, const gq_selection *s, int at)
{
    if (s->kind == GQ_SEL_FIELD)
        return 1 + (s->set ? depth_set(m, s->set, at + 1) : 0);
    if (s->kind == GQ_SEL_INLINE)
        return depth_set(m, s->set, at);
    if (!s->fragment)
        return 0;
    size_t idx = (size_t)(s->fragment - m->doc->frags);
    if (m->depth[idx] < 0) {
        m->depth[idx] = 0;
        m->depth[idx] = depth_set(m, s->fragment->set, at);
    }
    return m->depth[idx];
}

static int depth_set(measure *m, const gq_selection_set *set, int at)
{
    int best = 0;
    for (size_t i = 0; set && i < set->n; i++) {
        int d = depth_sel(m, &set->items[i], at);
        if (d > best)
            best = d;
        if (at + best > m->limit + 1)
            break;
    }
    return best;
}

static measure *measure_new(const gq_document *doc, json_object *vars, int limit)
{
    measure *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    m->doc = doc;
    m->vars = vars;
    m->limit = limit;
    m->cost = malloc((doc->n_frags + 1) * sizeof *m->cost);
    m->depth = malloc((doc->n_frags + 1) * sizeof *m->depth);
    m->seen = calloc(doc->n_frags + 1, sizeof *m->seen);
    if (!m->cost || !m->depth || !m->seen)
        abort();
    for (size_t i = 0; i < doc->n_frags; i++) {
        m->cost[i] = -1;
        m->depth[i] = -1;
    }
    return m;
}

static void measure_free(measure *m)
{
    free(m->cost);
    free(m->depth);
    free(m->seen);
    free(m);
}

int64_t gq_complexity(const gq_document *doc, const gq_operation *op, json_object *variables)
{
    measure *m = measure_new(doc, variables, 0);
    int64_t total = cost_set(m, op->set);
    measure_free(m);
    return total;
}

int gq_depth(const gq_document *doc, const gq_operation *op, int limit)
{
    measure *m = measure_new(doc, NULL, limit);
    int d = depth_set(m, op->set, 0);
    measure_free(m);
    return d;
}
