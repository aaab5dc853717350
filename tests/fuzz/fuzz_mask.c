/*
 * fuzz_mask.c — libFuzzer target for mask_text, mask_text_keep, mask_email
 * and mask_phone (src/mask.c). The first byte picks a small output size
 * (1..256) so cuts at every position are tried; the second byte % 17 is
 * the length of a kept identifier taken from the bytes after it; the rest
 * is the text. For each function:
 *   - the whole result is at most 2 * len bytes, NUL-terminated, of the
 *     returned length, and valid UTF-8 when the input was;
 *   - a cut result is shorter than its buffer and a prefix of the whole
 *     one (it never shows what the whole result hides);
 *   - no run of 7 or more digits (ASCII or full-width) of the input
 *     survives, unless it is inside the kept identifier or is the fraction
 *     of an Excel serial date that date_parse reads ("46300.1234567").
 * Outputs go to exactly-sized heap buffers so an overrun is caught.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "mask.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct maskfz_case {
    const char *in;
    size_t len;
    const mask_keep *keep; /* NULL: no identifier */
    int fn;                /* 0 text, 1 email, 2 phone, 3 text_keep */
    int valid, has_nul;
} maskfz_case;

static size_t maskfz_call(const maskfz_case *c, char *out, size_t outlen)
{
    switch (c->fn) {
    case 0:
        return mask_text(c->in, c->len, out, outlen);
    case 1:
        return mask_email(c->in, c->len, out, outlen);
    case 2:
        return mask_phone(c->in, c->len, out, outlen);
    default:
        return mask_text_keep(c->in, c->len, c->keep, c->keep ? 1 : 0, out,
                              outlen);
    }
}

/* Length of the digit (ASCII or full-width) at s[0..n), else 0. */
static size_t maskfz_digit(const char *s, size_t n)
{
    if (*s >= '0' && *s <= '9')
        return 1;
    if (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBC &&
        (unsigned char)s[2] >= 0x90 && (unsigned char)s[2] <= 0x99)
        return 3;
    return 0;
}

/* 1 when out[s..e) lies inside an occurrence of the kept identifier. */
static int maskfz_in_keep(const char *out, size_t n, size_t s, size_t e,
                          const mask_keep *keep)
{
    if (!keep || keep->len == 0 || keep->len > n)
        return 0;
    for (size_t p = 0; p + keep->len <= n; p++)
        if (p <= s && e <= p + keep->len &&
            memcmp(out + p, keep->s, keep->len) == 0)
            return 1;
    return 0;
}

/* 1 when out[s..e), ASCII digits, is the fraction of a serial date:
 * preceded by '.' and the serial's digits, the whole read by date_parse. */
static int maskfz_serial_fraction(const char *out, size_t s, size_t e)
{
    if (s < 2 || out[s - 1] != '.')
        return 0;
    size_t b = s - 1;
    while (b > 0 && out[b - 1] >= '0' && out[b - 1] <= '9')
        b--;
    ta_date d;
    return date_parse(out + b, e - b, &d);
}

static void maskfz_digits_hidden(const char *out, size_t n,
                                 const mask_keep *keep)
{
    size_t i = 0;
    while (i < n) {
        size_t s = i, count = 0, k;
        int ascii = 1;
        while (i < n && (k = maskfz_digit(out + i, n - i)) != 0) {
            ascii &= k == 1;
            count++;
            i += k;
        }
        if (count >= 7 && !maskfz_in_keep(out, n, s, i, keep) &&
            !(ascii && maskfz_serial_fraction(out, s, i)))
            __builtin_trap();
        if (count == 0)
            i++;
    }
}

static void maskfz_run(const maskfz_case *c, size_t outlen)
{
    /* room for more than the promised 2 * len, so that a longer result
     * would show */
    size_t cap = 4 * c->len + 16;
    char *whole = malloc(cap);
    char *cut = malloc(outlen);
    if (!whole || !cut)
        goto done;
    size_t n = maskfz_call(c, whole, cap);
    /* A NUL inside the input is copied like any byte (fields from the CSV
     * reader never hold one), so strlen only holds without it. */
    if (n > 2 * c->len || whole[n] != 0 || (!c->has_nul && strlen(whole) != n))
        __builtin_trap();
    if (c->valid && !utf8_valid(whole, n))
        __builtin_trap();
    maskfz_digits_hidden(whole, n, c->keep);
    size_t m = maskfz_call(c, cut, outlen);
    if (m >= outlen || cut[m] != 0 || m > n || memcmp(cut, whole, m) != 0)
        __builtin_trap();
    if (c->valid && !utf8_valid(cut, m))
        __builtin_trap();
done:
    free(whole);
    free(cut);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t outlen = (size_t)data[0] + 1;
    size_t klen = data[1] % 17;
    if (klen > size - 2)
        klen = size - 2;
    size_t len = size - 2 - klen;
    char *id = malloc(klen ? klen : 1);
    char *in = malloc(len ? len : 1);
    if (!id || !in)
        goto done;
    memcpy(id, data + 2, klen);
    memcpy(in, data + 2 + klen, len);
    mask_keep keep = {id, klen};
    maskfz_case c = {in,
                     len,
                     NULL,
                     0,
                     utf8_valid(in, len),
                     len && memchr(in, 0, len) != NULL};
    for (c.fn = 0; c.fn < 4; c.fn++) {
        c.keep = c.fn == 3 && klen ? &keep : NULL;
        maskfz_run(&c, outlen);
    }
done:
    free(id);
    free(in);
    return 0;
}
