/* Internal: literal and argument coercion shared by the executor and variable coercion. */
#ifndef O2C_SANDBOX_GRAPHQL_COERCE_H
#define O2C_SANDBOX_GRAPHQL_COERCE_H

#include "tools/sandbox/graphql/graphql_internal.h"

/* A validated literal of type t as JSON (new reference; NULL = null). */
json_object *gq_literal_to_json(const gq_schema *s, const gq_value *v, const gq_type_ref *t,
                                json_object *vars);
/* Arguments of a field or directive as a JSON object: given values, defaults for the rest;
 * an argument bound to an absent variable is left out. */
json_object *gq_coerce_arguments(const gq_schema *s, const gq_input_def *defs, size_t n_defs,
                                 const gq_argument *args, size_t n_args, json_object *vars);

#endif
