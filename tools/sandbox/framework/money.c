/* Decimal text ↔ integer minor units without floating point. */
#include "tools/sandbox/framework/money.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

bool sb_money_parse(const char *text, int exponent, int64_t *minor)
{
    if (!text || exponent < 0 || exponent > 6)
        return false;
    const char *p = text;
    bool negative = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
        return false;
    int64_t value = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (value > (INT64_MAX - 9) / 10)
            return false;
        value = value * 10 + (*p - '0');
    }
    int frac = 0;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        for (; isdigit((unsigned char)*p); p++) {
            if (frac < exponent) {
                if (value > (INT64_MAX - 9) / 10)
                    return false;
                value = value * 10 + (*p - '0');
                frac++;
            } else if (*p != '0') {
                return false; /* more precision than the currency has */
            }
        }
    }
    if (*p != '\0')
        return false;
    for (; frac < exponent; frac++) {
        if (value > INT64_MAX / 10)
            return false;
        value *= 10;
    }
    *minor = negative ? -value : value;
    return true;
}

bool sb_money_from_json(json_object *value, int exponent, int64_t *minor)
{
    if (!value)
        return false;
    json_type t = json_object_get_type(value);
    if (t != json_type_int && t != json_type_double && t != json_type_string)
        return false;
    /* For numbers json-c returns the source text it parsed, so no binary rounding happens. */
    return sb_money_parse(json_object_get_string(value), exponent, minor);
}

void sb_money_format(int64_t minor, int exponent, char *buf, size_t len)
{
    uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t scale = 1;
    for (int i = 0; i < exponent; i++)
        scale *= 10;
    if (exponent == 0)
        snprintf(buf, len, "%s%llu", minor < 0 ? "-" : "", (unsigned long long)mag);
    else
        snprintf(buf, len, "%s%llu.%0*llu", minor < 0 ? "-" : "", (unsigned long long)(mag / scale),
                 exponent, (unsigned long long)(mag % scale));
}
