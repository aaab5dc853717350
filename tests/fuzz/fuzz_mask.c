/*
 * fuzz_mask.c — libFuzzer target for mask_text, mask_email and mask_phone
 * (src/mask.c). The first byte picks the output size (1..256) so cuts at
 * every position are tried; the output must be NUL-terminated, shorter than
 * outlen, of the returned length, and valid UTF-8 when the input was.
 * Outputs go to exactly-sized heap buffers so an overrun is caught.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int maskfz_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned min;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xC2 && c <= 0xDF) { k = 1; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { k = 2; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF4) { k = 3; min = 0x10000; }
        else return 0;
        if (i + k >= n)
            return 0; /* cut by the end */
        unsigned cp = c & (0x3F >> k);
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

typedef size_t (*maskfz_fn)(const char *, size_t, char *, size_t);

static void maskfz_run(maskfz_fn fn, const char *in, size_t len, size_t outlen,
                int valid, int has_nul)
{
    char *out = malloc(outlen);
    if (!out)
        return;
    size_t n = fn(in, len, out, outlen);
    /* A NUL inside the input is copied like any byte (fields from the CSV
     * reader never hold one), so strlen only holds without it. */
    if (n >= outlen || out[n] != 0 || (!has_nul && strlen(out) != n))
        __builtin_trap();
    if (valid && !maskfz_utf8_valid((const unsigned char *)out, n))
        __builtin_trap();
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t outlen = (size_t)data[0] + 1;
    size_t len = size - 1;
    char *in = malloc(len ? len : 1);
    if (!in)
        return 0;
    memcpy(in, data + 1, len);
    int valid = maskfz_utf8_valid((const unsigned char *)in, len);
    int has_nul = len && memchr(in, 0, len) != NULL;
    static const maskfz_fn fns[] = {mask_text, mask_email, mask_phone};
    for (size_t i = 0; i < 3; i++) {
        maskfz_run(fns[i], in, len, outlen, valid, has_nul);
        maskfz_run(fns[i], in, len, len * 2 + 16, valid, has_nul);
    }
    free(in);
    return 0;
}
