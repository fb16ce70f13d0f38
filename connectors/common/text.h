/* Text that crosses into PostgreSQL must be valid UTF-8 (jsonb refuses anything else), and
 * remote systems do not always send it. */
#ifndef O2C_TEXT_H
#define O2C_TEXT_H

/* Replaces, in place, every byte that is not part of a valid UTF-8 sequence (overlong forms and
 * surrogates included) with '?'. Returns how many bytes it replaced. */
int o2c_utf8_sanitize(char *text);

#endif
