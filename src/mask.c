/*
 * mask.c — masking of email addresses and phone numbers (see mask.h for
 * the rules). Output goes left to right into the caller's buffer through
 * a small bounded writer; nothing here allocates or keeps state.
 */
#include "mask.h"

#include <string.h>

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

static void out_put(mask_out *o, const char *s, size_t len)
{
    if (o->full)
        return;
    if (len > o->cap - o->n) {
        len = o->cap - o->n;
        o->full = 1;
    }
    memcpy(o->buf + o->n, s, len);
    o->n += len;
}

static void out_byte(mask_out *o, char c)
{
    out_put(o, &c, 1);
}

/* NUL-terminates; a result cut short loses a trailing partial UTF-8
 * sequence so that the text stays valid. */
static size_t out_finish(mask_out *o)
{
    if (!o->room)
        return 0;
    if (o->full && o->n > 0) {
        size_t p = o->n;
        size_t back = 0;
        while (p > 0 && back < 4 &&
               ((unsigned char)o->buf[p - 1] & 0xC0) == 0x80) {
            p--;
            back++;
        }
        if (p > 0) {
            unsigned char lead = (unsigned char)o->buf[p - 1];
            size_t need = lead < 0x80    ? 1
                          : lead >= 0xF0 ? 4
                          : lead >= 0xE0 ? 3
                          : lead >= 0xC0 ? 2
                                         : 1;
            if (need > back + 1)
                o->n = p - 1;
        }
    }
    o->buf[o->n] = '\0';
    return o->n;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Characters of an address's local part (RFC 5322 atext and dots). */
static int is_local(unsigned char c)
{
    return is_alnum(c) || (c && strchr("!#$%&'*+/=?^_`{|}~.-", c));
}

static int is_domain(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '-';
}

/* Length of the UTF-8 sequence starting at s (1 for a stray byte). */
static size_t utf8_len(const char *s, size_t avail)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return n > avail ? avail : n;
}

/* Writes a phone number with its hidden digits starred; other characters
 * (+, spaces, dashes, letters) are kept. */
static void put_phone(mask_out *o, const char *in, size_t len)
{
    size_t digits = 0;
    for (size_t i = 0; i < len; i++)
        digits += is_digit((unsigned char)in[i]);
    size_t head, tail;
    if (digits >= 12) {
        head = 4;
        tail = 4;
    } else if (digits >= 8) {
        head = 4;
        tail = 2;
    } else {
        head = 1;
        tail = 0;
    }
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit((unsigned char)in[i])) {
            out_byte(o, in[i]);
            continue;
        }
        k++;
        out_byte(o, (k <= head || k > digits - tail) ? in[i] : '*');
    }
}

/* One piece of an email field (no separators inside). */
static void put_email_piece(mask_out *o, const char *in, size_t len)
{
    const char *at = NULL;
    for (size_t i = len; i > 0; i--)
        if (in[i - 1] == '@') {
            at = in + i - 1;
            break;
        }
    if (!at) {
        if (len <= 4) {
            out_put(o, in, len);
        } else {
            out_put(o, in, utf8_len(in, len));
            out_put(o, "***", 3);
        }
        return;
    }
    if (at > in)
        out_put(o, in, utf8_len(in, (size_t)(at - in)));
    out_put(o, "***", 3);
    out_put(o, at, len - (size_t)(at - in));
}

static int is_email_sep(char c)
{
    return c == ',' || c == ';' || c == '/' || c == ' ' || c == '\t' ||
           c == '\n' || c == '\r';
}

size_t mask_email(const char *in, size_t len, char *out, size_t outlen)
{
    mask_out o;
    out_init(&o, out, outlen);
    size_t i = 0;
    while (i < len) {
        if (is_email_sep(in[i])) {
            out_byte(&o, in[i++]);
            continue;
        }
        size_t j = i;
        while (j < len && !is_email_sep(in[j]))
            j++;
        put_email_piece(&o, in + i, j - i);
        i = j;
    }
    return out_finish(&o);
}

size_t mask_phone(const char *in, size_t len, char *out, size_t outlen)
{
    mask_out o;
    out_init(&o, out, outlen);
    put_phone(&o, in, len);
    return out_finish(&o);
}

/* If an email address starts at in[i] (a local part, '@', a domain with
 * at least one character), returns its end; else 0. */
static size_t email_end(const char *in, size_t len, size_t i)
{
    size_t j = i;
    while (j < len && is_local((unsigned char)in[j]))
        j++;
    if (j == i || j >= len || in[j] != '@')
        return 0;
    size_t d = j + 1;
    size_t e = d;
    while (e < len && is_domain((unsigned char)in[e]))
        e++;
    while (e > d && (in[e - 1] == '.' || in[e - 1] == '-'))
        e--; /* "write to budi@x.com." ends the sentence, not the domain */
    return e > d ? e : 0;
}

/* A date written with dashes: 2026-10-05 or 05-10-2026, at in[i]. */
static int is_dash_date(const char *in, size_t len, size_t i)
{
    static const char *const shapes[] = {"dddd-dd-dd", "dd-dd-dddd"};
    for (size_t s = 0; s < 2; s++) {
        size_t k = 0;
        for (; shapes[s][k] && i + k < len; k++) {
            unsigned char c = (unsigned char)in[i + k];
            if (shapes[s][k] == 'd' ? !is_digit(c) : c != '-')
                break;
        }
        if (shapes[s][k])
            continue;
        /* the date must not run on into more digits */
        if (i + k == len || !is_digit((unsigned char)in[i + k]))
            return 1;
    }
    return 0;
}

/* If a phone-like run of 8 digits or more starts at in[i], returns its end
 * (after its last digit); else 0. */
static size_t phone_end(const char *in, size_t len, size_t i)
{
    size_t j = i;
    if (in[j] == '+')
        j++;
    if (j >= len || !is_digit((unsigned char)in[j]))
        return 0;
    size_t digits = 0, end = j;
    while (j < len) {
        if (is_digit((unsigned char)in[j])) {
            digits++;
            j++;
            end = j;
            continue;
        }
        if ((in[j] == ' ' || in[j] == '-') && j + 1 < len &&
            is_digit((unsigned char)in[j + 1])) {
            j++;
            continue;
        }
        break;
    }
    return digits >= 8 ? end : 0;
}

size_t mask_text(const char *in, size_t len, char *out, size_t outlen)
{
    mask_out o;
    out_init(&o, out, outlen);
    size_t i = 0;
    while (i < len && !o.full) {
        unsigned char c = (unsigned char)in[i];
        int token_start = i == 0 || !is_local((unsigned char)in[i - 1]);
        size_t end;
        if (token_start && is_local(c) && (end = email_end(in, len, i))) {
            put_email_piece(&o, in + i, end - i);
            i = end;
            continue;
        }
        if ((is_digit(c) || c == '+') &&
            (i == 0 || !is_digit((unsigned char)in[i - 1]))) {
            if (is_dash_date(in, len, i)) {
                out_put(&o, in + i, 10);
                i += 10;
                continue;
            }
            if ((end = phone_end(in, len, i))) {
                put_phone(&o, in + i, end - i);
                i = end;
                continue;
            }
        }
        size_t n = utf8_len(in + i, len - i);
        out_put(&o, in + i, n);
        i += n;
    }
    return out_finish(&o);
}
