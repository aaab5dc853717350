/*
 * utf8.c — UTF-8 validation, repair, cutting and encoding (see utf8.h).
 */
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad, int *incomplete)
{
    if (incomplete)
        *incomplete = 0;
    if (bad)
        *bad = 1;
    if (n == 0)
        return 0;
    unsigned char b = s[0];
    if (b < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (b >= 0xC2 && b <= 0xDF)
        len = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        if (b == 0xE0)
            lo = 0xA0; /* overlong */
        else if (b == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        if (b == 0xF0)
            lo = 0x90; /* overlong */
        else if (b == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else
        return 0;
    for (size_t k = 1; k < len; k++) {
        if (k >= n) {
            if (incomplete)
                *incomplete = 1;
            if (bad)
                *bad = k;
            return 0;
        }
        if (s[k] < lo || s[k] > hi) {
            if (bad)
                *bad = k;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return len;
}

int utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        /* ASCII runs dominate exports: skip them 8 bytes at a time. */
        while (i + 8 <= n) {
            unsigned long long w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t len = utf8_seq(p + i, n - i, NULL, NULL);
        if (len == 0)
            return 0;
        i += len;
    }
    return 1;
}

size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    /* Step back over continuation bytes to the start of the sequence that
     * max would split, at most 3 of them. */
    size_t back = 0;
    while (k > 0 && back < 3 && ((unsigned char)s[k] & 0xC0) == 0x80) {
        k--;
        back++;
    }
    if (((unsigned char)s[k] & 0xC0) == 0x80)
        return max; /* not UTF-8 here: cut where asked */
    return k;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = 0xFFFD;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

uint32_t utf8_decode(const char *s, size_t n, size_t *adv)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t bad = 1;
    size_t len = utf8_seq(p, n, &bad, NULL);
    if (len == 0) {
        *adv = bad;
        return 0xFFFD;
    }
    *adv = len;
    switch (len) {
    case 1:
        return p[0];
    case 2:
        return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    case 3:
        return ((uint32_t)(p[0] & 0x0F) << 12) |
               ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    default:
        return ((uint32_t)(p[0] & 0x07) << 18) |
               ((uint32_t)(p[1] & 0x3F) << 12) |
               ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    }
}

size_t utf8_cut_chars(const char *s, size_t n, size_t max_chars)
{
    if (n <= max_chars)
        return n; /* every character is a byte at least */
    /* an ASCII start, most text, eight bytes at a time: as many
     * characters as bytes */
    size_t cut = 0;
    while (cut + 8 <= max_chars) {
        uint64_t v;
        memcpy(&v, s + cut, 8);
        if (v & 0x8080808080808080ULL)
            break;
        cut += 8;
    }
    for (size_t chars = cut; cut < n && chars < max_chars; chars++) {
        cut++;
        while (cut < n && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut++;
    }
    return cut;
}

/* The repair loop of utf8_repair and utf8_repair_part. */
static size_t repair(const char *s, size_t n, int last, char *out,
                     size_t *used, size_t *nbad)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0, bads = 0;
    while (i < n) {
        size_t bad = 1;
        int incomplete = 0;
        size_t len = utf8_seq(p + i, n - i, &bad, &incomplete);
        if (len == 0 && incomplete && !last)
            break; /* the next piece may finish it */
        if (len == 0) {
            /* One U+FFFD per maximal invalid subpart (Unicode's
             * recommended practice), so a bad sequence is one mark. */
            memcpy(out + o, UTF8_REPLACEMENT, 3);
            o += 3;
            i += bad;
            bads++;
            continue;
        }
        memcpy(out + o, p + i, len);
        o += len;
        i += len;
    }
    if (used)
        *used = i;
    if (nbad)
        *nbad = bads;
    return o;
}

size_t utf8_repair(const char *s, size_t n, char *out, size_t *nbad)
{
    size_t o = repair(s, n, 1, out, NULL, nbad);
    out[o] = '\0';
    return o;
}

size_t utf8_repair_part(const char *s, size_t n, int last, char *out,
                        size_t *used, size_t *nbad)
{
    return repair(s, n, last, out, used, nbad);
}

void utf8_stream_init(utf8_stream *v)
{
    v->need = 0;
    v->lo = 0x80;
    v->hi = 0xBF;
    v->valid = 1;
}

void utf8_stream_feed(utf8_stream *v, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t i = 0;
    if (!v->valid)
        return;
    while (i < n) {
        if (v->need == 0) {
            /* ASCII runs dominate exports: skip them 8 bytes at a time. */
            while (i + 8 <= n) {
                uint64_t w;
                memcpy(&w, p + i, 8);
                if (w & UINT64_C(0x8080808080808080))
                    break;
                i += 8;
            }
            if (i >= n)
                break;
            unsigned char b = p[i++];
            if (b < 0x80)
                continue;
            /* The same table as utf8_seq (Unicode's Table 3-7), one byte
             * at a time so that a sequence may end in the next piece. */
            v->lo = 0x80;
            v->hi = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                v->need = 1;
            } else if (b == 0xE0) {
                v->need = 2;
                v->lo = 0xA0;
            } else if (b == 0xED) {
                v->need = 2;
                v->hi = 0x9F;
            } else if (b >= 0xE1 && b <= 0xEF) {
                v->need = 2;
            } else if (b == 0xF0) {
                v->need = 3;
                v->lo = 0x90;
            } else if (b >= 0xF1 && b <= 0xF3) {
                v->need = 3;
            } else if (b == 0xF4) {
                v->need = 3;
                v->hi = 0x8F;
            } else {
                v->valid = 0;
                return;
            }
        } else {
            unsigned char b = p[i++];
            if (b < v->lo || b > v->hi) {
                v->valid = 0;
                return;
            }
            v->need--;
            v->lo = 0x80;
            v->hi = 0xBF;
        }
    }
}

int utf8_stream_valid(const utf8_stream *v)
{
    return v->valid && v->need == 0;
}

char *utf8_clean(const char *s, size_t n, size_t *outlen)
{
    if (n > ((size_t)-1 - 1) / 3)
        return NULL;
    char *out = malloc(3 * n + 1);
    if (!out)
        return NULL;
    size_t len = utf8_repair(s, n, out, NULL);
    if (outlen)
        *outlen = len;
    return out;
}
