#include "connectors/common/text.h"

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static int valid_sequence(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    int len;
    unsigned int min, cp;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2; min = 0x80; cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3; min = 0x800; cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4; min = 0x10000; cp = c & 0x07;
    } else {
        return 0;
    }
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int o2c_utf8_sanitize(char *text)
{
    int replaced = 0;
    unsigned char *s = (unsigned char *)text;
    while (*s) {
        int len = valid_sequence(s);
        if (len == 0) {
            *s++ = '?';
            replaced++;
        } else {
            s += len;
        }
    }
    return replaced;
}
