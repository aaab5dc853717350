/*
 * report_name.c — file names for the per-CSO workbooks. A CSO name comes
 * from the data, so it is made safe for every file system the workbooks
 * may be copied to (Windows included) and can never name a path outside
 * the output folder: see report_safe_name in report.h.
 */
#include "report_internal.h"

#include <string.h>

#include "utf8.h"

#define NAME_MAX_BYTES 100

static int forbidden(unsigned char c)
{
    return c < 0x20 || c == 0x7F || (c && strchr("/\\:*?\"<>|", c));
}

static int ascii_upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 32 : c;
}

/* CON, PRN, AUX, NUL, COM1-9, LPT1-9 as the part before the first dot
 * (and before trailing spaces, which Windows ignores). */
static int reserved(const char *s)
{
    size_t n = strcspn(s, ".");
    while (n > 0 && s[n - 1] == ' ')
        n--;
    char b[5];
    if (n != 3 && n != 4)
        return 0;
    for (size_t i = 0; i < n; i++)
        b[i] = (char)ascii_upper((unsigned char)s[i]);
    b[n] = '\0';
    if (n == 3)
        return !strcmp(b, "CON") || !strcmp(b, "PRN") || !strcmp(b, "AUX") ||
               !strcmp(b, "NUL");
    return (!strncmp(b, "COM", 3) || !strncmp(b, "LPT", 3)) && b[3] >= '1' &&
           b[3] <= '9';
}

static void trim_end(char *s, size_t *n)
{
    while (*n > 0 && (s[*n - 1] == '.' || s[*n - 1] == ' '))
        (*n)--;
    s[*n] = '\0';
}

void report_safe_name(const char *cso, int en, char *out, size_t outlen)
{
    char buf[NAME_MAX_BYTES + 8];
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)(cso ? cso : "");
    size_t left = strlen((const char *)p);
    while (left > 0) {
        /* Invalid UTF-8 (overlong forms and surrogates included) is
         * one '_' per maximal invalid subpart, as utf8.h repairs it. */
        size_t bad = 1;
        size_t k = utf8_seq(p, left, &bad, NULL);
        const char *piece = (const char *)p;
        size_t plen = k;
        if (k == 0 || (k == 1 && forbidden(*p))) {
            piece = "_";
            plen = 1;
            k = k ? 1 : bad;
        } else if (k == 1 && *p == '.' && (n == 0 || buf[n - 1] == '.')) {
            piece = ""; /* no leading dot, no ".." */
            plen = 0;
        } else if (k == 1 && *p == ' ' && n == 0) {
            piece = "";
            plen = 0;
        }
        /* +1 leaves room for the '_' of a reserved name */
        if (n + plen > NAME_MAX_BYTES - 1)
            break;
        memcpy(buf + n, piece, plen);
        n += plen;
        p += k;
        left -= k;
    }
    trim_end(buf, &n);
    if (n > 0 && reserved(buf)) {
        memmove(buf + 1, buf, n + 1);
        buf[0] = '_';
        n++;
    }
    if (n == 0)
        n = (size_t)snprintf(buf, sizeof buf, "%s",
                             rpt_lang_get(en)->unknown_file);
    if (outlen == 0)
        return;
    /* cut for the caller's buffer on a character boundary */
    size_t m = utf8_cut(buf, n, outlen - 1);
    memcpy(out, buf, m);
    out[m] = '\0';
}
