/* One GraphQL request end to end: parse → validate → coerce variables → measure (depth and
 * complexity limits) → (hook) → execute, and the response shape of the spec §7: request errors
 * give {"errors"} without "data"; field errors give both. Only the hook and execution run under
 * the caller's execute_lock. */
#include "tools/sandbox/graphql/graphql.h"

json_object *gq_run(gq_run_request *r)
{
    gq_errors errors = {0};
    json_object *resp = json_object_new_object();
    r->complexity = 0;
    r->executed = false;
    gq_document *doc = gq_parse(r->query ? r->query : "", r->query ? r->query_len : 0, &errors);
    const gq_operation *op = doc ? gq_validate(r->schema, doc, r->operation_name, &errors) : NULL;
    json_object *vars = op ? gq_coerce_variables(r->schema, op, r->variables, &errors) : NULL;
    if (op && vars) {
        r->complexity = gq_complexity(doc, op, vars);
        int depth = r->max_depth ? gq_depth(doc, op, r->max_depth) : 0;
        if (r->max_depth && depth > r->max_depth) {
            gq_error_add(&errors, 0, 0, "graphql", "Max query depth should be %d but got %d.",
                         r->max_depth, depth);
        } else if (r->max_complexity && r->complexity > r->max_complexity) {
            gq_error_add(&errors, 0, 0, "graphql", "Max query complexity should be %lld but got %lld.",
                         (long long)r->max_complexity, (long long)r->complexity);
        } else {
            if (r->execute_lock)
                pthread_mutex_lock(r->execute_lock);
            json_object *stop = NULL;
            if (r->before_execute && !r->before_execute(r->context, op, r->complexity, &stop)) {
                json_object_put(resp);
                resp = stop ? stop : json_object_new_object();
            } else {
                gq_exec_request ex = {.schema = r->schema, .doc = doc, .op = op, .variables = vars,
                                      .resolve = r->resolve, .permitted = r->permitted,
                                      .context = r->context, .errors = &errors,
                                      .permissions_used = r->permissions_used};
                json_object *data = gq_execute(&ex);
                r->executed = true;
                json_object_object_add(resp, "data", data);
            }
            if (r->execute_lock)
                pthread_mutex_unlock(r->execute_lock);
        }
    }
    if (gq_error_count(&errors))
        json_object_object_add(resp, "errors", gq_errors_take(&errors));
    json_object_put(vars);
    gq_document_free(doc);
    return resp;
}
