/*
 * report_name.c — file names for the per-CSO workbooks. A CSO name comes
 * from the data, so it is made safe for every file system the workbooks
 * may be copied to (Windows included), can never name a path outside the
 * output folder, shows no invisible or direction-changing characters, and
 * is unique among the report's names as a case-insensitive file system
 * compares them: see report_safe_name and report_cso_names in report.h.
 */
#include "report_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define NAME_MAX_BYTES 100
/* Bytes of a nameless CSO's name shown in hex ("_2e2e2e"). */
#define HEX_BYTES ((NAME_MAX_BYTES - 1) / 2)

static int forbidden(unsigned char c)
{
    return c < 0x20 || c == 0x7F || (c && strchr("/\\:*?\"<>|", c));
}

/* Invisible format characters (Unicode's Cf): bidirectional embeddings,
 * overrides, isolates and marks, zero-width characters, the soft hyphen,
 * the BOM, tags. Dropped: a name could otherwise show "xlsx.exe" as
 * "exe.xlsx", or two names look alike. */
static int invisible(uint32_t cp)
{
    return cp == 0x00AD || (cp >= 0x0600 && cp <= 0x0605) || cp == 0x061C ||
           cp == 0x06DD || cp == 0x070F || cp == 0x08E2 || cp == 0x180E ||
           (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x206F) ||
           cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) || cp == 0x110BD ||
           cp == 0x110CD || (cp >= 0x13430 && cp <= 0x1343F) ||
           (cp >= 0x1BCA0 && cp <= 0x1BCA3) ||
           (cp >= 0x1D173 && cp <= 0x1D17A) ||
           (cp >= 0xE0000 && cp <= 0xE007F);
}

/* C1 controls and the line and paragraph separators: like control bytes. */
static int control(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
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
        uint32_t cp = 0;
        if (k > 1) {
            size_t adv;
            cp = utf8_decode((const char *)p, left, &adv);
        }
        if (k == 0 || (k == 1 && forbidden(*p)) || (k > 1 && control(cp))) {
            piece = "_";
            plen = 1;
            k = k ? k : bad;
        } else if (k > 1 && invisible(cp)) {
            plen = 0;
        } else if (k == 1 && *p == '.' && (n == 0 || buf[n - 1] == '.')) {
            plen = 0; /* no leading dot, no ".." */
        } else if (k == 1 && *p == ' ' && n == 0) {
            plen = 0;
        }
        /* +1 leaves room for the '_' of a reserved name or a leading '-' */
        if (n + plen > NAME_MAX_BYTES - 1)
            break;
        memcpy(buf + n, piece, plen);
        n += plen;
        p += k;
        left -= k;
    }
    trim_end(buf, &n);
    if (n > 0 && (reserved(buf) || buf[0] == '-')) {
        /* a device name on Windows; an option to a command line tool */
        memmove(buf + 1, buf, n + 1);
        buf[0] = '_';
        n++;
    }
    if (n == 0 && cso && cso[0]) {
        /* A name that is nothing but dots, spaces or invisible characters
         * is not the empty CSO: "_" and its bytes in hex, distinct from
         * "tidak-diketahui" and from each other. */
        static const char hex[] = "0123456789abcdef";
        const unsigned char *s = (const unsigned char *)cso;
        buf[n++] = '_';
        for (size_t i = 0; s[i] && i < HEX_BYTES; i++) {
            buf[n++] = hex[s[i] >> 4];
            buf[n++] = hex[s[i] & 15];
        }
        buf[n] = '\0';
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

/* ---- unique names ---------------------------------------------------- */

/* Lower case as case-insensitive file systems compare (NTFS, APFS): ASCII,
 * Latin-1, Latin Extended-A, Greek and Cyrillic capitals. */
static uint32_t fold(uint32_t c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
        (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) || (c >= 0x410 && c <= 0x42F))
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    if (c == 0x130)
        return 'i';
    if (c == 0x178)
        return 0xFF;
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
        return c | 1;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1) ? c + 1 : c;
    return c;
}

/* The key names are compared by: s with every letter folded, as UTF-8
 * (never longer than s: no fold lengthens a character). */
static void fold_key(const char *s, char out[REPORT_NAME_BYTES])
{
    size_t n = strlen(s), k = 0;
    while (n > 0 && k + 4 < REPORT_NAME_BYTES) {
        size_t adv = 1;
        uint32_t c = utf8_decode(s, n, &adv);
        k += utf8_encode(fold(c), out + k);
        s += adv;
        n -= adv;
    }
    out[k] = '\0';
}

static uint64_t key_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3u;
    }
    return h;
}

/* One CSO in the order names are given out. */
typedef struct name_sort {
    size_t idx;       /* in the caller's arrays */
    const char *orig; /* the CSO */
    const char *key;  /* its safe name folded (until numbered) */
    int exact;        /* 0 when the safe name is the CSO itself */
    int first;        /* the first of names alike */
} name_sort;

static int by_name(const void *pa, const void *pb)
{
    const name_sort *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    if (a->exact != b->exact)
        return a->exact - b->exact;
    c = strcmp(a->orig, b->orig);
    if (c)
        return c;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* An open-addressing set of names, by their folded keys (indexes into
 * keys). */
typedef struct name_set {
    size_t *slot; /* index + 1, 0 for empty */
    size_t mask;
    char (*keys)[REPORT_NAME_BYTES];
} name_set;

/* 1 when key is in the set; else adds idx (whose key it is) when add. */
static int set_has(name_set *set, const char *key, size_t idx, int add)
{
    size_t i = (size_t)key_hash(key) & set->mask;
    while (set->slot[i]) {
        if (strcmp(set->keys[set->slot[i] - 1], key) == 0)
            return 1;
        i = (i + 1) & set->mask;
    }
    if (add)
        set->slot[i] = idx + 1;
    return 0;
}

ta_status report_cso_names(const char *const *cso, size_t n, int en,
                           char (**out)[REPORT_NAME_BYTES], char *err,
                           size_t errlen)
{
    *out = NULL;
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    char(*names)[REPORT_NAME_BYTES] = calloc(n + 1, sizeof *names);
    char(*keys)[REPORT_NAME_BYTES] = calloc(n + 1, sizeof *keys);
    name_sort *order = calloc(n + 1, sizeof *order);
    size_t *slot = calloc(cap, sizeof *slot);
    ta_status s = TA_OK;
    if (!names || !keys || !order || !slot) {
        ta_errf(err, errlen, "out of memory naming the per-CSO workbooks");
        s = TA_E_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const char *c = cso[i] ? cso[i] : "";
        report_safe_name(c, en, names[i], sizeof names[i]);
        fold_key(names[i], keys[i]);
        order[i] = (name_sort){i, c, keys[i], strcmp(names[i], c) != 0, 0};
    }
    /* Deterministic whatever the CSOs' order (which follows their
     * compliance): among names alike, one that is the CSO's own name
     * keeps it, then byte order; the others are numbered. */
    qsort(order, n, sizeof *order, by_name);
    name_set set = {slot, cap - 1, keys};
    /* First every group's plain name, so that no number takes one... */
    for (size_t i = 0; i < n; i++) {
        order[i].first = i == 0 || strcmp(order[i - 1].key, order[i].key);
        if (order[i].first)
            (void)set_has(&set, keys[order[i].idx], order[i].idx, 1);
    }
    /* ...then -2, -3, ... for the rest, each group counting on from its
     * last number, so that n names alike cost n look-ups, not n². */
    unsigned k = 2;
    for (size_t i = 0; i < n; i++) {
        if (order[i].first) {
            k = 2;
            continue;
        }
        size_t idx = order[i].idx;
        char base[REPORT_NAME_BYTES];
        snprintf(base, sizeof base, "%s", names[idx]);
        for (;; k++) {
            char suffix[16];
            int sl = snprintf(suffix, sizeof suffix, "-%u", k);
            size_t keep =
                utf8_cut(base, strlen(base), NAME_MAX_BYTES - (size_t)sl);
            snprintf(names[idx], sizeof names[idx], "%.*s%s", (int)keep, base,
                     suffix);
            fold_key(names[idx], keys[idx]);
            if (!set_has(&set, keys[idx], idx, 1))
                break;
        }
        k++;
    }
    *out = names;
    names = NULL;
done:
    free(names);
    free(keys);
    free(order);
    free(slot);
    return s;
}
