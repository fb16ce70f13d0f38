/* Input coercion (spec §3.5, §5.8, §6.1.2): request variables from JSON, and argument literals
 * (with variables substituted and defaults applied) into json-c values for resolvers. Ints stay
 * exact (int64); Floats keep their source text so nothing downstream depends on binary rounding. */
#include "tools/sandbox/graphql/graphql_coerce.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *named(const gq_type_ref *t)
{
    while (t && t->kind != GQ_T_NAMED)
        t = t->of;
    return t ? t->name : NULL;
}

static json_object *float_from_text(const char *text)
{
    return json_object_new_double_s(strtod(text, NULL), text);
}

/* ---- variables from JSON --------------------------------------------------------------------- */

static bool coerce_json(const gq_schema *s, json_object *in, const gq_type_ref *t, json_object **out,
                        char *why, size_t whylen, int depth)
{
    char tb[256];
    *out = NULL;
    if (depth > GQ_MAX_DEPTH) {
        snprintf(why, whylen, "value nested too deeply");
        return false;
    }
    if (t->kind == GQ_T_NON_NULL) {
        if (!in) {
            snprintf(why, whylen, "Expected non-nullable type \"%s\" not to be null.",
                     gq_type_ref_str(t, tb, sizeof tb));
            return false;
        }
        return coerce_json(s, in, t->of, out, why, whylen, depth + 1);
    }
    if (!in)
        return true;
    if (t->kind == GQ_T_LIST) {
        json_object *arr = json_object_new_array();
        if (json_object_is_type(in, json_type_array)) {
            size_t n = json_object_array_length(in);
            for (size_t i = 0; i < n; i++) {
                json_object *item;
                if (!coerce_json(s, json_object_array_get_idx(in, i), t->of, &item, why, whylen, depth + 1)) {
                    json_object_put(arr);
                    return false;
                }
                json_object_array_add(arr, item);
            }
        } else {
            json_object *item;
            if (!coerce_json(s, in, t->of, &item, why, whylen, depth + 1)) {
                json_object_put(arr);
                return false;
            }
            json_object_array_add(arr, item);
        }
        *out = arr;
        return true;
    }
    const gq_type *type = gq_schema_type(s, t->name);
    if (!type) {
        snprintf(why, whylen, "Unknown type \"%s\".", t->name);
        return false;
    }
    const char *js = json_object_to_json_string_ext(in, JSON_C_TO_STRING_PLAIN);
    switch (type->kind) {
    case GQ_SCALAR: {
        const char *n = type->name;
        json_type jt = json_object_get_type(in);
        if (strcmp(n, "Int") == 0) {
            /* A JSON number is a number: 1001.0 or 1e3 is the integer it equals, as graphql-js
             * and graphql-php coerce variables (a literal 1001.0 in the document stays refused). */
            int64_t v = 0;
            bool whole = jt == json_type_int, in_range = false;
            if (jt == json_type_int) {
                v = json_object_get_int64(in);
                in_range = v >= -2147483648LL && v <= 2147483647LL;
            } else if (jt == json_type_double) {
                double d = json_object_get_double(in);
                whole = d == floor(d) && d - d == 0; /* not NaN, not infinite */
                in_range = whole && d >= -2147483648.0 && d <= 2147483647.0;
                v = in_range ? (int64_t)d : 0;
            }
            if (!in_range) {
                if (whole)
                    snprintf(why, whylen, "Int cannot represent non 32-bit signed integer value: %.200s", js);
                else
                    snprintf(why, whylen, "Int cannot represent non-integer value: %.200s", js);
                return false;
            }
            *out = json_object_new_int64(v);
        } else if (strcmp(n, "Float") == 0) {
            if (jt == json_type_int)
                *out = json_object_new_int64(json_object_get_int64(in));
            else if (jt == json_type_double)
                *out = json_object_new_double_s(json_object_get_double(in), js);
            else {
                snprintf(why, whylen, "Float cannot represent non numeric value: %.200s", js);
                return false;
            }
        } else if (strcmp(n, "String") == 0) {
            if (jt != json_type_string) {
                snprintf(why, whylen, "String cannot represent a non string value: %.200s", js);
                return false;
            }
            *out = json_object_get(in);
        } else if (strcmp(n, "Boolean") == 0) {
            if (jt != json_type_boolean) {
                snprintf(why, whylen, "Boolean cannot represent a non boolean value: %.200s", js);
                return false;
            }
            *out = json_object_get(in);
        } else if (strcmp(n, "ID") == 0) {
            if (jt == json_type_string)
                *out = json_object_get(in);
            else if (jt == json_type_int)
                *out = json_object_new_string(json_object_get_string(in));
            else {
                snprintf(why, whylen, "ID cannot represent value: %.200s", js);
                return false;
            }
        } else {
            if (jt != json_type_string && jt != json_type_int) {
                snprintf(why, whylen, "Expected value of type \"%s\", found %.200s.", n, js);
                return false;
            }
            *out = json_object_get(in);
        }
        return true;
    }
    case GQ_ENUM:
        if (json_object_is_type(in, json_type_string)) {
            const char *v = json_object_get_string(in);
            for (size_t i = 0; i < type->n_enum_values; i++)
                if (strcmp(type->enum_values[i], v) == 0) {
                    *out = json_object_get(in);
                    return true;
                }
            snprintf(why, whylen, "Value \"%.100s\" does not exist in \"%s\" enum.", v, type->name);
            return false;
        }
        snprintf(why, whylen, "Enum \"%s\" cannot represent non-string value: %.200s.", type->name, js);
        return false;
    case GQ_INPUT_OBJECT: {
        if (!json_object_is_type(in, json_type_object)) {
            snprintf(why, whylen, "Expected type \"%s\" to be an object.", type->name);
            return false;
        }
        json_object_object_foreach(in, key, val) {
            (void)val;
            if (!gq_type_input(type, key)) {
                snprintf(why, whylen, "Field \"%.100s\" is not defined by type \"%s\".", key, type->name);
                return false;
            }
        }
        json_object *obj = json_object_new_object();
        for (size_t i = 0; i < type->n_inputs; i++) {
            const gq_input_def *f = &type->inputs[i];
            json_object *fv;
            bool present = json_object_object_get_ex(in, f->name, &fv);
            if (!present) {
                if (f->default_value) {
                    json_object_object_add(obj, f->name, gq_literal_to_json(s, f->default_value, f->type, NULL));
                } else if (f->type->kind == GQ_T_NON_NULL) {
                    snprintf(why, whylen, "Field \"%s.%s\" of required type \"%s\" was not provided.",
                             type->name, f->name, gq_type_ref_str(f->type, tb, sizeof tb));
                    json_object_put(obj);
                    return false;
                }
                continue;
            }
            json_object *cv;
            if (!coerce_json(s, fv, f->type, &cv, why, whylen, depth + 1)) {
                json_object_put(obj);
                return false;
            }
            json_object_object_add(obj, f->name, cv);
        }
        *out = obj;
        return true;
    }
    case GQ_OBJECT:
        break;
    }
    snprintf(why, whylen, "not an input type");
    return false;
}

json_object *gq_coerce_variables(const gq_schema *schema, const gq_operation *op,
                                 json_object *variables, gq_errors *errors)
{
    char tb[256], why[512];
    json_object *out = json_object_new_object();
    size_t before = gq_error_count(errors);
    for (size_t i = 0; i < op->n_vars; i++) {
        const gq_variable_def *v = &op->vars[i];
        json_object *in = NULL;
        bool present = variables && json_object_object_get_ex(variables, v->name, &in);
        if (!present) {
            if (v->default_value)
                json_object_object_add(out, v->name, gq_literal_to_json(schema, v->default_value, v->type, NULL));
            else if (v->type->kind == GQ_T_NON_NULL)
                gq_error_add(errors, v->line, v->column, "graphql",
                             "Variable \"$%s\" of required type \"%s\" was not provided.", v->name,
                             gq_type_ref_str(v->type, tb, sizeof tb));
            continue;
        }
        if (!in && v->type->kind == GQ_T_NON_NULL) {
            gq_error_add(errors, v->line, v->column, "graphql",
                         "Variable \"$%s\" of non-null type \"%s\" must not be null.", v->name,
                         gq_type_ref_str(v->type, tb, sizeof tb));
            continue;
        }
        json_object *cv;
        if (!coerce_json(schema, in, v->type, &cv, why, sizeof why, 0)) {
            gq_error_add(errors, v->line, v->column, "graphql", "Variable \"$%s\" got invalid value %.200s; %s",
                         v->name, json_object_to_json_string_ext(in, JSON_C_TO_STRING_PLAIN), why);
            continue;
        }
        json_object_object_add(out, v->name, cv);
    }
    (void)named;
    if (gq_error_count(errors) > before) {
        json_object_put(out);
        return NULL;
    }
    return out;
}

/* ---- literals -------------------------------------------------------------------------------- */

/* Literal → JSON for a (validated) literal of type t. Variables come from `vars` (coerced). An
 * absent variable inside a list or object becomes null; at argument level the caller omits it. */
json_object *gq_literal_to_json(const gq_schema *s, const gq_value *v, const gq_type_ref *t,
                                json_object *vars)
{
    if (v->kind == GQ_V_VARIABLE) {
        json_object *val = NULL;
        if (vars && json_object_object_get_ex(vars, v->text, &val))
            return json_object_get(val);
        return NULL;
    }
    while (t && t->kind == GQ_T_NON_NULL)
        t = t->of;
    if (t && t->kind == GQ_T_LIST && v->kind != GQ_V_LIST && v->kind != GQ_V_NULL) {
        /* Input coercion: a single value where a list is expected is a list of one. */
        json_object *arr = json_object_new_array();
        json_object_array_add(arr, gq_literal_to_json(s, v, t->of, vars));
        return arr;
    }
    switch (v->kind) {
    case GQ_V_NULL: return NULL;
    case GQ_V_BOOLEAN: return json_object_new_boolean(v->boolean);
    case GQ_V_STRING:
    case GQ_V_ENUM: return json_object_new_string(v->text);
    case GQ_V_INT: {
        const char *tn = named(t);
        if (tn && strcmp(tn, "ID") == 0)
            return json_object_new_string(v->text);
        if (tn && strcmp(tn, "Float") == 0)
            return float_from_text(v->text);
        errno = 0;
        long long n = strtoll(v->text, NULL, 10);
        return json_object_new_int64(n);
    }
    case GQ_V_FLOAT: return float_from_text(v->text);
    case GQ_V_LIST: {
        const gq_type_ref *item = t && t->kind == GQ_T_LIST ? t->of : t;
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < v->n; i++)
            json_object_array_add(arr, gq_literal_to_json(s, v->items[i], item, vars));
        return arr;
    }
    case GQ_V_OBJECT: {
        const gq_type *type = gq_schema_type(s, named(t));
        json_object *obj = json_object_new_object();
        for (size_t i = 0; i < v->n; i++) {
            const gq_input_def *f = gq_type_input(type, v->keys[i]);
            if (v->items[i]->kind == GQ_V_VARIABLE &&
                !(vars && json_object_object_get_ex(vars, v->items[i]->text, NULL)))
                continue; /* an absent variable leaves the field absent */
            json_object_object_add(obj, v->keys[i],
                                   gq_literal_to_json(s, v->items[i], f ? f->type : NULL, vars));
        }
        for (size_t i = 0; type && i < type->n_inputs; i++) {
            const gq_input_def *f = &type->inputs[i];
            if (f->default_value && !json_object_object_get_ex(obj, f->name, NULL))
                json_object_object_add(obj, f->name, gq_literal_to_json(s, f->default_value, f->type, NULL));
        }
        return obj;
    }
    case GQ_V_VARIABLE: break;
    }
    return NULL;
}

json_object *gq_coerce_arguments(const gq_schema *s, const gq_input_def *defs, size_t n_defs,
                                 const gq_argument *args, size_t n_args, json_object *vars)
{
    json_object *out = json_object_new_object();
    for (size_t k = 0; k < n_defs; k++) {
        const gq_input_def *d = &defs[k];
        const gq_argument *a = NULL;
        for (size_t i = 0; i < n_args; i++)
            if (strcmp(args[i].name, d->name) == 0)
                a = &args[i];
        bool present = a != NULL;
        if (a && a->value->kind == GQ_V_VARIABLE)
            present = vars && json_object_object_get_ex(vars, a->value->text, NULL);
        if (present)
            json_object_object_add(out, d->name, gq_literal_to_json(s, a->value, d->type, vars));
        else if (d->default_value)
            json_object_object_add(out, d->name, gq_literal_to_json(s, d->default_value, d->type, NULL));
    }
    return out;
}
