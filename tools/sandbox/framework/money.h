/* Money as text ↔ integer minor units, never through a float. Accepts what JSON carries:
 * "12", "12.5", "-0.25", "1e2" is refused (no exponents). Used by both sandboxes. */
#ifndef O2C_SANDBOX_MONEY_H
#define O2C_SANDBOX_MONEY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a decimal with at most `exponent` fraction digits (more digits are refused unless they
 * are zeros). Returns false on anything else (empty, letters, overflow). */
bool sb_money_parse(const char *text, int exponent, int64_t *minor);
/* Parses a JSON number or numeric string exactly, using the number's source text (json-c keeps
 * it), so 0.1 stays 0.1. */
bool sb_money_from_json(json_object *value, int exponent, int64_t *minor);
/* Formats minor units as "123.45" (exponent digits after the point; none when exponent is 0). */
void sb_money_format(int64_t minor, int exponent, char *buf, size_t len);

#endif
