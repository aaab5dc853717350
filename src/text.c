/*
 * text.c — the white-space rule (see text.h).
 */
#include "text.h"

int text_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

size_t text_collapse(const char *in, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    int pending = 0;
    for (size_t i = 0; i < len && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)in[i];
        if (text_is_space(c)) {
            pending = o > 0;
            continue;
        }
        if (pending) {
            out[o++] = ' ';
            pending = 0;
            if (o + 1 >= cap)
                break;
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return o;
}
