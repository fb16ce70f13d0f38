#include "connectors/common/connector.h"

#include "connectors/common/text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_object *o2c_step_context(struct o2c_step *step)
{
    if (!step->context) {
        step->context = step->context_json ? json_tokener_parse(step->context_json) : NULL;
        if (!step->context || !json_object_is_type(step->context, json_type_object)) {
            json_object_put(step->context);
            step->context = json_object_new_object();
        }
        /* In a chain, the patches of the states before this one, not stored yet. */
        if (step->chain_patch) {
            json_object_object_foreach(step->chain_patch, key, value)
                json_object_object_add(step->context, key, json_object_get(value));
        }
    }
    return step->context;
}

json_object *o2c_step_params(struct o2c_step *step)
{
    if (!step->params) {
        step->params = step->params_json ? json_tokener_parse(step->params_json) : NULL;
        if (!step->params || !json_object_is_type(step->params, json_type_object)) {
            json_object_put(step->params);
            step->params = json_object_new_object();
        }
    }
    return step->params;
}

const char *o2c_step_param(struct o2c_step *step, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o2c_step_params(step), key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

const char *o2c_step_string(struct o2c_step *step, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o2c_step_context(step), key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

int64_t o2c_step_int(struct o2c_step *step, const char *key, int64_t fallback)
{
    json_object *v;
    if (!json_object_object_get_ex(o2c_step_context(step), key, &v) || !json_object_is_type(v, json_type_int))
        return fallback;
    return json_object_get_int64(v);
}

json_object *o2c_step_document(struct o2c_step *step, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o2c_step_context(step), key, &v))
        return NULL;
    if (json_object_is_type(v, json_type_string)) {
        json_object *parsed = json_tokener_parse(json_object_get_string(v));
        if (!parsed || !json_object_is_type(parsed, json_type_object)) {
            json_object_put(parsed);
            return NULL;
        }
        json_object_object_add(step->context, key, parsed); /* frees the string */
        return parsed;
    }
    return json_object_is_type(v, json_type_object) ? v : NULL;
}

void o2c_step_free(struct o2c_step *step)
{
    if (!step)
        return;
    if (step->claimed_strings) {
        free(step->claimed_strings);
    } else {
        free(step->workflow);
        free(step->state);
        free(step->action);
        free(step->business_key);
        free(step->connection);
        free(step->lane);
        free(step->context_json);
        free(step->params_json);
    }
    free(step->connection_system);
    free(step->connection_base_url);
    free(step->connection_secrets);
    json_object_put(step->context);
    json_object_put(step->params);
    for (int i = 0; i < step->nlinks; i++)
        json_object_put(step->links[i].detail);
    free(step->links);
    json_object_put(step->chain_patch);
    o2c_outcome_clear(&step->outcome);
    free(step);
}

void o2c_outcome_clear(struct o2c_outcome *out)
{
    json_object_put(out->patch);
    json_object_put(out->detail);
    json_object_put(out->start);
    memset(out, 0, sizeof *out);
    out->delay_ms = -1;
}

static void set_name(struct o2c_outcome *out, const char *name)
{
    snprintf(out->name, sizeof out->name, "%s", name);
}

static void set_message(struct o2c_outcome *out, const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    o2c_utf8_sanitize(msg); /* remote error text is not always UTF-8, and jsonb insists */
    if (!out->detail)
        out->detail = json_object_new_object();
    json_object_object_add(out->detail, "message", json_object_new_string(msg));
}

void o2c_outcome_ok(struct o2c_outcome *out) { set_name(out, "ok"); }

void o2c_outcome_named(struct o2c_outcome *out, const char *name) { set_name(out, name); }

void o2c_outcome_retry(struct o2c_outcome *out, const char *fmt, ...)
{
    set_name(out, "retry");
    va_list ap;
    va_start(ap, fmt);
    set_message(out, fmt, ap);
    va_end(ap);
}

void o2c_outcome_throttled(struct o2c_outcome *out, int delay_ms, const char *fmt, ...)
{
    set_name(out, "throttled");
    out->delay_ms = delay_ms;
    va_list ap;
    va_start(ap, fmt);
    set_message(out, fmt, ap);
    va_end(ap);
}

void o2c_outcome_locked(struct o2c_outcome *out, const char *fmt, ...)
{
    set_name(out, "locked");
    va_list ap;
    va_start(ap, fmt);
    set_message(out, fmt, ap);
    va_end(ap);
}

void o2c_outcome_failed(struct o2c_outcome *out, enum o2c_failure category, const char *fmt, ...)
{
    set_name(out, "failed");
    va_list ap;
    va_start(ap, fmt);
    set_message(out, fmt, ap);
    va_end(ap);
    const struct o2c_failure_info *f = o2c_failure_info(category);
    json_object_object_add(out->detail, "category", json_object_new_string(f->category));
    json_object_object_add(out->detail, "severity", json_object_new_string(f->severity));
    json_object_object_add(out->detail, "owner", json_object_new_string(f->owner));
}

void o2c_outcome_patch(struct o2c_outcome *out, const char *key, json_object *value)
{
    if (!out->patch)
        out->patch = json_object_new_object();
    json_object_object_add(out->patch, key, value);
}

void o2c_outcome_start(struct o2c_outcome *out, const char *workflow, const char *business_key, json_object *input)
{
    if (!out->start)
        out->start = json_object_new_array();
    json_object *child = json_object_new_object();
    json_object_object_add(child, "workflow", json_object_new_string(workflow));
    json_object_object_add(child, "business_key", json_object_new_string(business_key));
    json_object_object_add(child, "input", input ? input : json_object_new_object());
    json_object_array_add(out->start, child);
}

/* Does `env` begin with the connection system's own prefix (NETSUITE_, CENTRA_, …)? A connection
 * may not name any other variable (DATABASE_URL, another system's token) as a secret. */
static bool own_prefix(const char *system, const char *env)
{
    if (!system || !*system)
        return false;
    size_t n = strlen(system);
    for (size_t i = 0; i < n; i++)
        if (toupper((unsigned char)system[i]) != env[i])
            return false;
    return env[n] == '_';
}

const char *o2c_step_secret(struct o2c_step *step, const char *key, const char *default_env)
{
    const char *env = default_env;
    json_object *names = step->connection_secrets ? json_tokener_parse(step->connection_secrets) : NULL, *v;
    if (names && json_object_object_get_ex(names, key, &v) && json_object_is_type(v, json_type_string))
        env = json_object_get_string(v);
    const char *value = env && own_prefix(step->connection_system, env) ? getenv(env) : NULL;
    json_object_put(names);
    return value;
}
