/* Execution (spec §6): collects fields (honouring @skip/@include, fragments and aliases, merging
 * fields that share a response key), checks each field's permission, calls the service's
 * resolver (or reads the parent's JSON), and completes values against the field's type so the
 * answer holds exactly what was selected. Nulls in non-null positions propagate to the nearest
 * nullable parent with a "Cannot return null" error, as the spec requires. */
#include "tools/sandbox/graphql/graphql_coerce.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct path_elem {
    const char *key; /* NULL → index */
    size_t index;
} path_elem;

typedef struct exec {
    const gq_exec_request *req;
    gq_arena *arena;
    path_elem path[GQ_MAX_DEPTH * 2 + 8];
    int depth;
} exec;

typedef struct group {
    const char *key;
    const gq_type *owner;    /* the object type the field belongs to, for messages */
    const gq_selection **sels;
    size_t n;
} group;

static const char *named(const gq_type_ref *t)
{
    while (t && t->kind != GQ_T_NAMED)
        t = t->of;
    return t ? t->name : NULL;
}

static json_object *path_json(const exec *ex)
{
    json_object *p = json_object_new_array();
    for (int i = 0; i < ex->depth; i++) {
        if (ex->path[i].key)
            json_object_array_add(p, json_object_new_string(ex->path[i].key));
        else
            json_object_array_add(p, json_object_new_int64((int64_t)ex->path[i].index));
    }
    return p;
}

static void push_key(exec *ex, const char *key)
{
    if (ex->depth < (int)(sizeof ex->path / sizeof *ex->path))
        ex->path[ex->depth] = (path_elem){key, 0};
    ex->depth++;
}

static void push_index(exec *ex, size_t i)
{
    if (ex->depth < (int)(sizeof ex->path / sizeof *ex->path))
        ex->path[ex->depth] = (path_elem){NULL, i};
    ex->depth++;
}

static void exec_error(exec *ex, const gq_selection *at, const char *category, const char *msg)
{
    json_object *err = json_object_new_object();
    json_object_object_add(err, "message", json_object_new_string(msg));
    if (at) {
        json_object *loc = json_object_new_object();
        json_object_object_add(loc, "line", json_object_new_int(at->line));
        json_object_object_add(loc, "column", json_object_new_int(at->column));
        json_object *locs = json_object_new_array();
        json_object_array_add(locs, loc);
        json_object_object_add(err, "locations", locs);
    }
    json_object_object_add(err, "path", path_json(ex));
    json_object *ext = json_object_new_object();
    json_object_object_add(ext, "category", json_object_new_string(category ? category : "graphql"));
    json_object_object_add(err, "extensions", ext);
    gq_errors *e = ex->req->errors;
    if (!e->list)
        e->list = json_object_new_array();
    if (json_object_array_length(e->list) < 100)
        json_object_array_add(e->list, err);
    else
        json_object_put(err);
}

void gq_field_error(const gq_field_info *info, const char *category, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    exec_error(info->exec_, NULL, category, msg);
}

/* ---- field collection ------------------------------------------------------------------------ */

static bool directive_says_skip(const exec *ex, const gq_directive *ds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool is_skip = strcmp(ds[i].name, "skip") == 0;
        bool is_include = strcmp(ds[i].name, "include") == 0;
        if (!is_skip && !is_include)
            continue;
        bool cond = false;
        for (size_t a = 0; a < ds[i].n_args; a++) {
            if (strcmp(ds[i].args[a].name, "if") != 0)
                continue;
            const gq_value *v = ds[i].args[a].value;
            if (v->kind == GQ_V_BOOLEAN)
                cond = v->boolean;
            else if (v->kind == GQ_V_VARIABLE) {
                json_object *val;
                if (ex->req->variables && json_object_object_get_ex(ex->req->variables, v->text, &val))
                    cond = json_object_get_boolean(val);
            }
        }
        if ((is_skip && cond) || (is_include && !cond))
            return true;
    }
    return false;
}

static void collect(exec *ex, const gq_type *type, const gq_selection_set *set, group **groups,
                    size_t *n_groups, bool *visited, int depth)
{
    if (!set || depth > GQ_MAX_DEPTH)
        return;
    for (size_t i = 0; i < set->n; i++) {
        const gq_selection *s = &set->items[i];
        if (directive_says_skip(ex, s->directives, s->n_directives))
            continue;
        if (s->kind == GQ_SEL_FIELD) {
            const char *key = s->alias ? s->alias : s->name;
            group *g = NULL;
            for (size_t k = 0; k < *n_groups; k++)
                if (strcmp((*groups)[k].key, key) == 0)
                    g = &(*groups)[k];
            if (!g) {
                g = gq_push(ex->arena, (void **)groups, n_groups, sizeof *g);
                g->key = key;
            }
            *(const gq_selection **)gq_push(ex->arena, (void **)&g->sels, &g->n, sizeof s) = s;
        } else if (s->kind == GQ_SEL_SPREAD) {
            const gq_fragment *f = s->fragment;
            if (!f)
                continue;
            size_t idx = (size_t)(f - ex->req->doc->frags);
            if (visited[idx] || strcmp(f->type_condition, type->name) != 0)
                continue;
            visited[idx] = true;
            collect(ex, type, f->set, groups, n_groups, visited, depth + 1);
        } else {
            if (s->type_condition && strcmp(s->type_condition, type->name) != 0)
                continue;
            collect(ex, type, s->set, groups, n_groups, visited, depth + 1);
        }
    }
}

/* ---- completion ------------------------------------------------------------------------------ */

static int execute_set(exec *ex, const gq_type *type, const gq_selection **sels, size_t n_sels,
                       json_object *source, json_object **out);

/* Returns 0 with *out (NULL = null), or -1: null in a non-null position, the parent must be null. */
static int complete(exec *ex, const gq_type_ref *t, const group *g, json_object *value,
                    json_object **out)
{
    char msg[300];
    *out = NULL;
    if (t->kind == GQ_T_NON_NULL) {
        int rc = complete(ex, t->of, g, value, out);
        if (rc == 0 && *out == NULL) {
            snprintf(msg, sizeof msg, "Cannot return null for non-nullable field %s.%s.",
                     g->owner ? g->owner->name : "?", g->sels[0]->name);
            exec_error(ex, g->sels[0], "graphql", msg);
            return -1;
        }
        return rc;
    }
    if (!value || json_object_is_type(value, json_type_null))
        return 0;
    if (t->kind == GQ_T_LIST) {
        if (!json_object_is_type(value, json_type_array)) {
            exec_error(ex, g->sels[0], "graphql", "Expected Iterable, but did not find one for field.");
            return 0;
        }
        json_object *arr = json_object_new_array();
        size_t n = json_object_array_length(value);
        for (size_t i = 0; i < n; i++) {
            json_object *item;
            push_index(ex, i);
            int rc = complete(ex, t->of, g, json_object_array_get_idx(value, i), &item);
            ex->depth--;
            if (rc < 0) {
                json_object_put(arr);
                return 0; /* this list is nullable: it becomes null */
            }
            json_object_array_add(arr, item);
        }
        *out = arr;
        return 0;
    }
    const gq_type *type = gq_schema_type(ex->req->schema, t->name);
    if (!type)
        return 0;
    if (type->kind != GQ_OBJECT) {
        *out = json_object_get(value);
        return 0;
    }
    /* Merge the sub-selections of every selection sharing this response key. */
    const gq_selection **subs = gq_alloc(ex->arena, g->n * sizeof *subs);
    size_t n_subs = 0;
    for (size_t i = 0; i < g->n; i++)
        if (g->sels[i]->set)
            subs[n_subs++] = g->sels[i];
    json_object *obj;
    if (execute_set(ex, type, subs, n_subs, value, &obj) < 0)
        return 0; /* nullable object position: becomes null */
    *out = obj;
    return 0;
}

static void note_permission(exec *ex, const char *perm)
{
    json_object *used = ex->req->permissions_used;
    if (!used)
        return;
    size_t n = json_object_array_length(used);
    for (size_t i = 0; i < n; i++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(used, i)), perm) == 0)
            return;
    json_object_array_add(used, json_object_new_string(perm));
}

static int resolve_group(exec *ex, const gq_type *type, const group *g, json_object *source,
                         json_object **out)
{
    const gq_selection *first = g->sels[0];
    *out = NULL;
    if (strcmp(first->name, "__typename") == 0) {
        *out = json_object_new_string(type->name);
        return 0;
    }
    const gq_field_def *f = gq_schema_field(ex->req->schema, type, first->name);
    if (!f)
        return 0; /* validation guarantees this does not happen */
    if (type->builtin || f == &ex->req->schema->meta_schema || f == &ex->req->schema->meta_type) {
        /* Introspection: answered by the library from the schema, never by the service. */
        json_object *args = gq_coerce_arguments(ex->req->schema, f->args, f->n_args, first->args,
                                                first->n_args, ex->req->variables);
        json_object *value = NULL;
        gq_introspect(ex->req->schema, type, f, source, args, &value);
        int rc = complete(ex, f->type, g, value, out);
        json_object_put(value);
        json_object_put(args);
        return rc;
    }
    if (f->permission) {
        note_permission(ex, f->permission);
        if (ex->req->permitted && !ex->req->permitted(ex->req->context, f->permission)) {
            char msg[256];
            snprintf(msg, sizeof msg, "You need %s permission to access this field.", f->permission);
            exec_error(ex, first, "authorization", msg);
            return f->type->kind == GQ_T_NON_NULL ? -1 : 0;
        }
    }
    json_object *args = gq_coerce_arguments(ex->req->schema, f->args, f->n_args, first->args,
                                            first->n_args, ex->req->variables);
    gq_field_info info = {.parent_type = type, .field = f, .parent = source, .args = args,
                          .context = ex->req->context, .exec_ = ex};
    bool handled = false;
    json_object *value = NULL;
    size_t errors_before = gq_error_count(ex->req->errors);
    if (ex->req->resolve) {
        handled = true;
        value = ex->req->resolve(&info, &handled);
    }
    if (handled && !value && f->type->kind == GQ_T_NON_NULL &&
        gq_error_count(ex->req->errors) > errors_before) {
        /* The resolver already said why; no second "Cannot return null" error. */
        json_object_put(args);
        return -1;
    }
    if (!handled) {
        json_object *v;
        value = source && json_object_object_get_ex(source, f->name, &v) ? json_object_get(v) : NULL;
    }
    int rc = complete(ex, f->type, g, value, out);
    json_object_put(value);
    json_object_put(args);
    return rc;
}

static int execute_set(exec *ex, const gq_type *type, const gq_selection **sels, size_t n_sels,
                       json_object *source, json_object **out)
{
    group *groups = NULL;
    size_t n_groups = 0;
    bool *visited = gq_alloc(ex->arena, ex->req->doc->n_frags + 1);
    for (size_t i = 0; i < n_sels; i++)
        collect(ex, type, sels[i]->set, &groups, &n_groups, visited, 0);
    json_object *obj = json_object_new_object();
    for (size_t i = 0; i < n_groups; i++) {
        json_object *v;
        push_key(ex, groups[i].key);
        groups[i].owner = type;
        int rc = resolve_group(ex, type, &groups[i], source, &v);
        ex->depth--;
        if (rc < 0) {
            json_object_put(obj);
            *out = NULL;
            return -1;
        }
        json_object_object_add(obj, groups[i].key, v);
    }
    *out = obj;
    return 0;
}

json_object *gq_execute(const gq_exec_request *req)
{
    exec ex = {.req = req};
    ex.arena = gq_arena_new();
    const gq_type *root = req->op->kind == GQ_OP_MUTATION ? req->schema->mutation : req->schema->query;
    json_object *data = NULL;
    if (root) {
        /* The operation's selection set, wrapped as a pseudo-selection for execute_set. */
        gq_selection top = {.kind = GQ_SEL_FIELD, .name = "", .set = req->op->set};
        const gq_selection *tops[1] = {&top};
        execute_set(&ex, root, tops, 1, NULL, &data);
    }
    gq_arena_free(ex.arena);
    (void)named;
    return data;
}
