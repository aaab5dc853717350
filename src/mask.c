/*
 * mask.c — masking of email addresses and phone numbers in cells and in
 * free text (mask.h has the rules). One left-to-right scan: words are
 * looked at once for '@' (an address) and for digits; a word with neither
 * is copied whole, which is most of the text. From a digit the phone
 * grammar is followed over groups, and date_parse decides what is a date,
 * so the date forms live in date.c only. Output goes into the caller's
 * buffer through a small bounded writer; nothing here allocates or keeps
 * state, and no regular expression is used (mask_text runs on every
 * notes excerpt of a report).
 *
 * It does not decide what is shown masked: the report calls mask_email,
 * mask_phone or mask_text per cell, or nothing under --no-mask.
 */
#include "mask.h"

#include <stdint.h>
#include <string.h>

#include "date.h"
#include "utf8.h"

/* A date written in text is short ("30 September 2026" is 17 bytes); a
 * longer candidate is not tried, so a long run of digit groups is not
 * read again from each of its groups. */
#define MASK_DATE_MAX 40

/* Digits a masked number may show at each end, and hides at least. */
#define MASK_SHOW_MAX 4
#define MASK_HIDE_MIN 4
#define MASK_PHONE_MIN 7

/* ---- output ---------------------------------------------------------- */

/* A bounded output buffer; once full, further bytes are dropped. */
typedef struct mask_out {
    char *buf;
    size_t cap; /* usable bytes: outlen - 1 */
    size_t n;
    int full;
    int room; /* 0 when outlen was 0: not even the NUL fits */
} mask_out;

static void out_init(mask_out *o, char *buf, size_t outlen)
{
    o->buf = buf;
    o->cap = outlen ? outlen - 1 : 0;
    o->n = 0;
    o->full = outlen == 0;
    o->room = outlen > 0;
}

/* Appends s[0..len); what does not fit is cut at a character boundary
 * and ends the output, so the result stays a prefix of the whole one. */
static void out_put(mask_out *o, const char *s, size_t len)
{
    if (o->full)
        return;
    if (len > o->cap - o->n) {
        len = utf8_cut(s, len, o->cap - o->n);
        o->full = 1;
    }
    memcpy(o->buf + o->n, s, len);
    o->n += len;
}

static size_t out_finish(mask_out *o)
{
    if (!o->room)
        return 0;
    o->buf[o->n] = '\0';
    return o->n;
}

/* ---- characters ------------------------------------------------------ */

/* What a character is to the grammar of mask.h. */
enum {
    K_OTHER,
    K_DIGIT, /* 0-9 and full-width ０-９ */
    K_PLUS,  /* + ＋ */
    K_OPEN,  /* ( （ */
    K_CLOSE, /* ) ） */
    K_SPACE, /* spaces and tab: separate words and a number's groups */
    K_SEP,   /* - . and dashes: one may separate a number's groups */
    K_SLASH, /* / likewise; in an Email cell it also ends a word */
    K_BREAK, /* line breaks and other white space: end a word only */
    K_DELIM, /* , ; */
    K_AT
};

/* What the word scan, which looks at every byte, needs of a kind: does
 * it end a word, is it '@' or a digit. */
enum { F_END = 1, F_AT = 2, F_DIGIT = 4, F_SLASH = 8 };

#define FLAGS_OF(k)                                                           \
    ((k) == K_DIGIT                                       ? F_DIGIT           \
     : (k) == K_AT                                        ? F_AT              \
     : (k) == K_SLASH                                     ? F_SLASH           \
     : (k) == K_SPACE || (k) == K_BREAK || (k) == K_DELIM ? F_END             \
                                                          : 0)

/* An ASCII byte's kind (low 4 bits) and its flags (high 4 bits). */
#define A(k) ((k) | FLAGS_OF(k) << 4)
static const unsigned char ascii_class[128] = {
    ['0'] = A(K_DIGIT),  ['1'] = A(K_DIGIT),  ['2'] = A(K_DIGIT),
    ['3'] = A(K_DIGIT),  ['4'] = A(K_DIGIT),  ['5'] = A(K_DIGIT),
    ['6'] = A(K_DIGIT),  ['7'] = A(K_DIGIT),  ['8'] = A(K_DIGIT),
    ['9'] = A(K_DIGIT),  ['+'] = A(K_PLUS),   ['('] = A(K_OPEN),
    [')'] = A(K_CLOSE),  [' '] = A(K_SPACE),  ['\t'] = A(K_SPACE),
    ['-'] = A(K_SEP),    ['.'] = A(K_SEP),    ['/'] = A(K_SLASH),
    ['\n'] = A(K_BREAK), ['\r'] = A(K_BREAK), ['\v'] = A(K_BREAK),
    ['\f'] = A(K_BREAK), [','] = A(K_DELIM),  [';'] = A(K_DELIM),
    ['@'] = A(K_AT),
};
#undef A

/* The kind of a code point above U+007F. Spaces are Unicode's space
 * separators (no-break, thin, ideographic ...); the dashes are the
 * hyphens and dashes U+2010-U+2014, the minus sign and the full-width
 * forms, which text written with full-width digits uses. */
static unsigned wide_kind(uint32_t cp)
{
    if (cp >= 0xFF10 && cp <= 0xFF19)
        return K_DIGIT;
    switch (cp) {
    case 0xFF0B:
        return K_PLUS;
    case 0xFF08:
        return K_OPEN;
    case 0xFF09:
        return K_CLOSE;
    case 0x00A0:
    case 0x1680:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return K_SPACE;
    case 0x2212:
    case 0xFF0D:
    case 0xFF0E:
    case 0xFF0F:
        return K_SEP;
    case 0x0085:
    case 0x2028:
    case 0x2029:
        return K_BREAK;
    default:
        break;
    }
    if (cp >= 0x2000 && cp <= 0x200A)
        return K_SPACE;
    if (cp >= 0x2010 && cp <= 0x2014)
        return K_SEP;
    return K_OTHER;
}

/* The scan: the input, the identifiers to keep, the output. */
typedef struct mask_ctx {
    const char *in;
    size_t len;
    const mask_keep *keep;
    size_t nkeep;
    int slash_words; /* '/' also ends a word (an Email cell) */
    mask_out o;
} mask_ctx;

/* The kind of the character at in[i] (i < lim); *adv is its length. An
 * invalid byte is K_OTHER of the length utf8_decode gives it. */
static inline unsigned kind_at(const mask_ctx *c, size_t i, size_t lim,
                               size_t *adv)
{
    unsigned char b = (unsigned char)c->in[i];
    if (b < 0x80) {
        *adv = 1;
        return ascii_class[b] & 0x0F;
    }
    return wide_kind(utf8_decode(c->in + i, lim - i, adv));
}

static inline int ends_word(const mask_ctx *c, unsigned k)
{
    return (FLAGS_OF(k) & F_END) || (k == K_SLASH && c->slash_words);
}

static int is_ascii_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static int is_ascii_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Punctuation around an address or an identifier that is not part of
 * it: the brackets and the final '.' of "(budi@x.id)." */
static int is_open_punct(char ch)
{
    return ch && strchr("([{<\"'", ch) != NULL;
}

static int is_close_punct(char ch)
{
    return ch && strchr(".,:;!?)]}>\"'", ch) != NULL;
}

/* ---- identifiers kept ------------------------------------------------ */

static int keep_equal(const mask_ctx *c, size_t s, size_t e)
{
    for (size_t k = 0; k < c->nkeep; k++)
        if (c->keep[k].len == e - s && e > s &&
            memcmp(c->keep[k].s, c->in + s, e - s) == 0)
            return 1;
    return 0;
}

/* 1 when the word in[s..e), or the word without the punctuation around
 * it, is a kept identifier. */
static int keep_word(const mask_ctx *c, size_t s, size_t e)
{
    if (keep_equal(c, s, e))
        return 1;
    while (s < e && is_open_punct(c->in[s]))
        s++;
    while (e > s && is_close_punct(c->in[e - 1]))
        e--;
    return keep_equal(c, s, e);
}

/* The length of a kept identifier starting at in[i] and not running on
 * into a letter or digit, nor ending inside a character (an identifier
 * "\xEF" is not the first byte of a full-width digit); 0 when there is
 * none. */
static size_t keep_at(const mask_ctx *c, size_t i, size_t lim)
{
    for (size_t k = 0; k < c->nkeep; k++) {
        size_t n = c->keep[k].len, adv;
        if (n == 0 || n > lim - i || memcmp(c->keep[k].s, c->in + i, n) != 0)
            continue;
        if (i + n == lim)
            return n;
        char next = c->in[i + n];
        if (((unsigned char)next & 0xC0) != 0x80 && !is_ascii_alpha(next) &&
            kind_at(c, i + n, lim, &adv) != K_DIGIT)
            return n;
    }
    return 0;
}

/* ---- dates ----------------------------------------------------------- */

/* The length of the run at in[i] of ASCII digits, '-', '/', '.' (and
 * letters when alpha), without trailing separators; 0 when the run is
 * longer than MASK_DATE_MAX: no date. */
static size_t date_token(const char *in, size_t i, size_t lim, int alpha)
{
    size_t e = i;
    while (e < lim && (is_ascii_digit(in[e]) || in[e] == '-' || in[e] == '/' ||
                       in[e] == '.' || (alpha && is_ascii_alpha(in[e])))) {
        if (e - i == MASK_DATE_MAX)
            return 0;
        e++;
    }
    while (e > i && (in[e - 1] == '-' || in[e - 1] == '/' || in[e - 1] == '.'))
        e--;
    return e - i;
}

/* 1 when in[i..e) is a date: date_parse reads it, and it does not run on
 * into a digit (a full-width one: the candidates take every ASCII digit
 * already). */
static int is_date(const mask_ctx *c, size_t i, size_t e, size_t lim)
{
    ta_date d;
    size_t adv;
    if (e == i || (e < lim && kind_at(c, e, lim, &adv) == K_DIGIT))
        return 0;
    return date_parse(c->in + i, e - i, &d);
}

/* If a date starts at in[i] (an ASCII digit), returns its end, with
 * *serial set when it is an Excel serial (digits and '.' only); else 0.
 * The candidates are cut by the shape of the date forms — numeric
 * (2026-10-05, 46300.5), with a month abbreviation (05-OKT-2026), three
 * words (5 Oktober 2026) — and date_parse decides. */
static size_t date_at(const mask_ctx *c, size_t i, size_t lim, int *serial)
{
    const char *in = c->in;
    size_t n = date_token(in, i, lim, 0);
    if (is_date(c, i, i + n, lim)) {
        *serial =
            memchr(in + i, '-', n) == NULL && memchr(in + i, '/', n) == NULL;
        return i + n;
    }
    *serial = 0;
    size_t na = date_token(in, i, lim, 1);
    if (na > n && is_date(c, i, i + na, lim))
        return i + na;
    /* digits, spaces, letters, spaces, digits */
    size_t e = i, max = lim - i < MASK_DATE_MAX ? lim : i + MASK_DATE_MAX;
    for (int word = 0; word < 3; word++) {
        size_t w = e;
        while (word > 0 && e < max && in[e] == ' ')
            e++;
        if (word > 0 && e == w)
            return 0;
        w = e;
        while (e < max &&
               (word == 1 ? is_ascii_alpha(in[e]) : is_ascii_digit(in[e])))
            e++;
        if (e == w || (word == 0 && (e == max || in[e] != ' ')))
            return 0;
    }
    return is_date(c, i, e, lim) ? e : 0;
}

/* ---- phone numbers --------------------------------------------------- */

/* A group of a number at in[i]: digits, or digits in parentheses (the
 * first perhaps after '+': "(+62)"). Returns its end and sets *digits and
 * *paren; 0 when none starts there. */
static size_t group_at(const mask_ctx *c, size_t i, size_t lim, size_t *digits,
                       int *paren)
{
    size_t adv, j = i, n = 0;
    unsigned k = kind_at(c, j, lim, &adv);
    int open = k == K_OPEN;
    if (open) {
        j += adv;
        if (j < lim && kind_at(c, j, lim, &adv) == K_PLUS)
            j += adv;
    } else if (k != K_DIGIT) {
        return 0;
    }
    while (j < lim && kind_at(c, j, lim, &adv) == K_DIGIT) {
        n++;
        j += adv;
    }
    if (n == 0)
        return 0;
    if (open) {
        if (j == lim || kind_at(c, j, lim, &adv) != K_CLOSE)
            return 0;
        j += adv;
    }
    *digits = n;
    *paren = open;
    return j;
}

/* Writes in[s..e), a number of digits digits, with the hidden digits
 * starred. */
static void put_phone(mask_ctx *c, size_t s, size_t e, size_t digits)
{
    size_t head = (digits - MASK_HIDE_MIN + 1) / 2;
    size_t tail = (digits - MASK_HIDE_MIN) / 2;
    if (head > MASK_SHOW_MAX)
        head = MASK_SHOW_MAX;
    if (tail > MASK_SHOW_MAX)
        tail = MASK_SHOW_MAX;
    size_t k = 0, adv;
    for (size_t i = s; i < e && !c->o.full; i += adv) {
        if (kind_at(c, i, e, &adv) == K_DIGIT && ++k > head &&
            k <= digits - tail)
            out_put(&c->o, "*", 1);
        else
            out_put(&c->o, c->in + i, adv);
    }
}

/* What starts at in[s] (a digit, '+' or '('): a kept identifier, a date,
 * a number, or a run of fewer than 7 digits, each written out; returns
 * its end. 0 (nothing written) when no group starts there. */
static size_t run_at(mask_ctx *c, size_t s, size_t lim)
{
    size_t adv, j = s, digits = 0, gd = 0, end, date_end = 0;
    int paren = 0, serial = 0;
    size_t kept = c->nkeep ? keep_at(c, s, lim) : 0;
    if (kept) {
        out_put(&c->o, c->in + s, kept);
        return s + kept;
    }
    unsigned k = kind_at(c, s, lim, &adv);
    if (k == K_PLUS) {
        j += adv;
        if (j == lim)
            return 0;
    } else if (k == K_DIGIT && adv == 1) {
        date_end = date_at(c, s, lim, &serial);
        if (date_end && !serial) {
            out_put(&c->o, c->in + s, date_end - s);
            return date_end;
        }
    }
    end = group_at(c, j, lim, &gd, &paren);
    if (!end)
        return 0;
    digits = gd;
    for (;;) {
        size_t g = end;
        int gap = 0;
        while (g < lim && kind_at(c, g, lim, &adv) == K_SPACE) {
            g += adv;
            gap = 1;
        }
        if (g < lim &&
            ((k = kind_at(c, g, lim, &adv)) == K_SEP || k == K_SLASH)) {
            g += adv;
            gap = 1;
            while (g < lim && kind_at(c, g, lim, &adv) == K_SPACE)
                g += adv;
        }
        if (g == lim)
            break;
        k = kind_at(c, g, lim, &adv);
        if (k == K_DIGIT) {
            int ser;
            size_t de;
            /* a date or a kept identifier after the number is not part
             * of it; a serial there is only a group of digits */
            if (!gap && !paren)
                break;
            if (c->nkeep && keep_at(c, g, lim))
                break;
            if (adv == 1 && (de = date_at(c, g, lim, &ser)) != 0 && !ser)
                break;
        } else if (k != K_OPEN) {
            break;
        }
        size_t ge = group_at(c, g, lim, &gd, &paren);
        if (!ge)
            break;
        digits += gd;
        end = ge;
    }
    if (digits < MASK_PHONE_MIN || (serial && date_end == end))
        out_put(&c->o, c->in + s, end - s);
    else
        put_phone(c, s, end, digits);
    return end;
}

/* Copies in[i..lim) with every number masked; with words set, stops at
 * the first character that ends a word (a number may run on past it). */
static size_t scan_chars(mask_ctx *c, size_t i, size_t lim, int words)
{
    size_t from = i; /* in[from..i) is copied as it is, in one piece */
    while (i < lim) {
        size_t adv;
        unsigned k = kind_at(c, i, lim, &adv);
        if (words && ends_word(c, k))
            break;
        if (k == K_DIGIT || k == K_PLUS || k == K_OPEN) {
            out_put(&c->o, c->in + from, i - from);
            size_t e = run_at(c, i, lim);
            if (e) {
                i = from = e;
                continue;
            }
            from = i;
        }
        i += adv;
    }
    out_put(&c->o, c->in + from, i - from);
    return i;
}

/* ---- addresses ------------------------------------------------------- */

/* The last '@' of in[s..e) with something on each side, or 0. */
static size_t split_at(const char *in, size_t s, size_t e)
{
    if (e - s < 3)
        return 0;
    for (size_t a = e - 2; a > s; a--)
        if (in[a] == '@')
            return a;
    return 0;
}

/* Where an address lies in the word in[ws..we): *s..*e without the
 * punctuation around it, split at *a. 0 when the word is no address. */
static int email_find(const char *in, size_t ws, size_t we, size_t *s,
                      size_t *e, size_t *a)
{
    *s = ws;
    *e = we;
    while (*s < *e && is_open_punct(in[*s]))
        (*s)++;
    while (*e > *s && is_close_punct(in[*e - 1]))
        (*e)--;
    *a = split_at(in, *s, *e);
    if (!*a) {
        *s = ws;
        *e = we;
        *a = split_at(in, ws, we);
    }
    return *a != 0;
}

/* Writes the word in[ws..we), an address at s..e split at a, masked. */
static void put_email_word(mask_ctx *c, size_t ws, size_t we, size_t s,
                           size_t e, size_t a)
{
    const char *in = c->in;
    size_t adv;
    (void)utf8_decode(in + s, a - s, &adv);
    out_put(&c->o, in + ws, s - ws);
    out_put(&c->o, in + s, adv);
    out_put(&c->o, "***@", 4);
    scan_chars(c, a + 1, e, 0);
    out_put(&c->o, in + e, we - e);
}

/* ---- the scan -------------------------------------------------------- */

static size_t mask_scan(const char *in, size_t len, const mask_keep *keep,
                        size_t nkeep, int slash_words, char *out,
                        size_t outlen)
{
    mask_ctx c = {.in = in,
                  .len = len,
                  .keep = keep,
                  .nkeep = keep ? nkeep : 0,
                  .slash_words = slash_words};
    out_init(&c.o, out, outlen);
    size_t i = 0, from = 0; /* in[from..i) is copied as it is */
    unsigned end_flags = F_END | (slash_words ? F_SLASH : 0);
    while (i < len) {
        /* one word (or one character that ends words) at in[i]; an ASCII
         * byte, nearly all of them, takes one table look-up */
        size_t we = i, adv;
        unsigned flags = 0;
        while (we < len) {
            unsigned char b = (unsigned char)in[we];
            unsigned f;
            if (b < 0x80) {
                f = (unsigned)ascii_class[b] >> 4;
                adv = 1;
            } else {
                unsigned k = kind_at(&c, we, len, &adv);
                f = FLAGS_OF(k);
            }
            if (f & end_flags) {
                if (we == i)
                    we += adv;
                break;
            }
            flags |= f;
            we += adv;
        }
        if (!(flags & (F_AT | F_DIGIT))) {
            i = we;
            continue;
        }
        int at = (flags & F_AT) != 0, digit = (flags & F_DIGIT) != 0;
        size_t es, ee, ea;
        int kept = c.nkeep && keep_word(&c, i, we);
        int email = !kept && at && email_find(in, i, we, &es, &ee, &ea);
        if (kept || (!email && !digit)) {
            i = we;
            continue;
        }
        out_put(&c.o, in + from, i - from);
        if (email) {
            put_email_word(&c, i, we, es, ee, ea);
            i = we;
        } else {
            i = scan_chars(&c, i, len, 1);
        }
        from = i;
        if (c.o.full)
            return out_finish(&c.o);
    }
    out_put(&c.o, in + from, i - from);
    return out_finish(&c.o);
}

size_t mask_email(const char *in, size_t len, char *out, size_t outlen)
{
    return mask_scan(in, len, NULL, 0, 1, out, outlen);
}

size_t mask_phone(const char *in, size_t len, char *out, size_t outlen)
{
    return mask_scan(in, len, NULL, 0, 0, out, outlen);
}

size_t mask_text(const char *in, size_t len, char *out, size_t outlen)
{
    return mask_scan(in, len, NULL, 0, 0, out, outlen);
}

size_t mask_text_keep(const char *in, size_t len, const mask_keep *keep,
                      size_t nkeep, char *out, size_t outlen)
{
    return mask_scan(in, len, keep, nkeep, 0, out, outlen);
}
