/*
 * buf.c — the growable byte buffer (see buf.h).
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(ta_buf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

int buf_reserve(ta_buf *b, size_t n)
{
    if (n > (size_t)-1 - b->len - 1)
        return -1;
    size_t need = b->len + n + 1;
    if (b->max && b->len + n > b->max)
        return -1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    char *np = realloc(b->p, cap);
    if (!np)
        return -1;
    b->p = np;
    b->cap = cap;
    return 0;
}

int buf_grow_array(void *pp, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < n) {
        if (nc > (size_t)-1 / 2 / (size ? size : 1))
            return -1;
        nc *= 2;
    }
    if (nc > (size_t)-1 / (size ? size : 1))
        return -1;
    void *old;
    memcpy(&old, pp, sizeof old);
    void *np = realloc(old, nc * size);
    if (!np)
        return -1;
    memcpy(pp, &np, sizeof np);
    *cap = nc;
    return 0;
}

int buf_add(ta_buf *b, const void *s, size_t n)
{
    if (buf_reserve(b, n))
        return -1;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int buf_set(ta_buf *b, const void *s, size_t n)
{
    buf_reset(b);
    return buf_add(b, s, n);
}

int buf_adds(ta_buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addc(ta_buf *b, char c)
{
    return buf_add(b, &c, 1);
}

int buf_vprintf(ta_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof tmp)
        return buf_add(b, tmp, (size_t)n);
    if (buf_reserve(b, (size_t)n))
        return -1;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_printf(ta_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

void buf_reset(ta_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

char *buf_take(ta_buf *b)
{
    char *p = b->p;
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

void buf_free(ta_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}
