/*
 * wb_xml.c — the two XML engines behind wb_xml.h.
 *
 * The fast engine keeps a window of the inflated part in one buffer and
 * scans it with memchr: text runs up to the next '<', tags attribute by
 * attribute (a '>' may stand inside a quoted value). A token that runs past
 * the window's end is scanned again after the window is refilled (grown up
 * to WX_MAX_TOKEN if it must be), so nothing is ever held but the current
 * token. Text is handed over in place unless it holds a reference or a CR;
 * attribute values are decoded into a scratch buffer sized to the tag.
 *
 * It is not a validating parser, and it is more lenient than expat on
 * things that do not change the events (names are not checked against
 * XML's name characters; stray control bytes pass and become spaces later),
 * but it is strict where the events would differ: end tags must match,
 * references must be known, text must be UTF-8. tests/test_workbook.c and
 * tests/fuzz/fuzz_workbook.c compare it with expat on every input.
 */
#include "wb_xml.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>

#include "buf.h"
#include "utf8.h"

#define WX_CHUNK ((size_t)256 * 1024)
#define WX_NEED 100 /* internal: the token runs past the window */

struct wx_parser {
    wz_entry *src;
    const wx_handler *h;
    void *ctx;
    wx_engine engine;
    int started;
    int finished; /* a final result is known: result */
    int result;
    char err[256];

    /* the window (fast engine; also the bytes handed to expat on
     * fallback) */
    char *buf;
    size_t cap, pos, len;
    int eof;
    unsigned long long base; /* offset in the part of buf[0] */

    /* open elements (fast engine) */
    char *names;
    size_t nlen_used, ncap;
    size_t *noff;
    size_t depth, dcap;
    int root_seen;

    wx_attr *attrs;
    size_t acap;
    size_t *aoff; /* per attribute: name off, name len, val off, val len */
    size_t aoffcap;
    char *vbuf;
    size_t vcap;
    ta_buf tbuf; /* decoded text */

    /* expat */
    XML_Parser xp;
    int xp_suspended, xp_final;
    size_t pending; /* window bytes not yet given to expat */
    unsigned long long fed;
    long long last_event;
};

static int bad(wx_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int bad(wx_parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, sizeof p->err, fmt, ap);
    va_end(ap);
    p->finished = 1;
    p->result = WX_R_BAD;
    return WX_R_BAD;
}

static int finish(wx_parser *p, int r)
{
    p->finished = 1;
    p->result = r;
    return r;
}

const char *wx_local(const char *name, size_t nlen, size_t *llen)
{
    const char *c = memchr(name, ':', nlen);
    if (!c) {
        *llen = nlen;
        return name;
    }
    *llen = nlen - (size_t)(c + 1 - name);
    return c + 1;
}

wx_parser *wx_new(wz_entry *src, wx_engine engine, const wx_handler *h,
                  void *ctx)
{
    wx_parser *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->src = src;
    p->engine = engine;
    p->h = h;
    p->ctx = ctx;
    buf_init(&p->tbuf, 0);
    p->cap = WX_CHUNK;
    p->buf = malloc(p->cap);
    if (!p->buf) {
        free(p);
        return NULL;
    }
    return p;
}

wx_engine wx_engine_used(const wx_parser *p)
{
    return p->engine;
}

const char *wx_errmsg(const wx_parser *p)
{
    return p->err;
}

void wx_free(wx_parser *p)
{
    if (!p)
        return;
    if (p->xp)
        XML_ParserFree(p->xp);
    free(p->buf);
    free(p->names);
    free(p->noff);
    free(p->attrs);
    free(p->aoff);
    free(p->vbuf);
    buf_free(&p->tbuf);
    free(p);
}

/* Handler results, shared by both engines: WX_GO/WX_PAUSE pass through,
 * anything else ends the parse. */
static int handler_result(wx_parser *p, int r)
{
    if (r == WX_STOP)
        return finish(p, WX_R_DONE);
    if (r == WX_FAIL)
        return finish(p, WX_R_FAIL);
    return r == WX_PAUSE ? WX_PAUSE : WX_GO;
}

/* ---- the fast engine ---------------------------------------------------- */

/* Moves the unread bytes to the front and reads more; grows the window
 * when the current token fills it. 0, or a WX_R_ result. */
static int fill(wx_parser *p)
{
    if (p->pos > 0) {
        memmove(p->buf, p->buf + p->pos, p->len - p->pos);
        p->base += p->pos;
        p->len -= p->pos;
        p->pos = 0;
    }
    if (p->len == p->cap) {
        if (p->cap >= WX_MAX_TOKEN + WX_CHUNK)
            return bad(p,
                       "an XML tag, comment or CDATA section longer "
                       "than %zu MiB",
                       WX_MAX_TOKEN >> 20);
        size_t nc = p->cap * 2;
        if (nc > WX_MAX_TOKEN + WX_CHUNK)
            nc = WX_MAX_TOKEN + WX_CHUNK;
        char *nb = realloc(p->buf, nc);
        if (!nb)
            return finish(p, WX_R_NOMEM);
        p->buf = nb;
        p->cap = nc;
    }
    long n = wz_entry_read(p->src, p->buf + p->len, p->cap - p->len);
    if (n < 0)
        return finish(p, WX_R_SRC);
    if (n == 0)
        p->eof = 1;
    p->len += (size_t)n;
    return 0;
}

/* The first needle[0..k) in h[0..n), or NULL (memmem is not POSIX). */
static char *find(const char *h, size_t n, const char *needle, size_t k)
{
    while (n >= k) {
        const char *c = memchr(h, needle[0], n - k + 1);
        if (!c)
            return NULL;
        if (memcmp(c, needle, k) == 0)
            return (char *)c;
        n -= (size_t)(c + 1 - h);
        h = c + 1;
    }
    return NULL;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Decodes the reference at s[0..n) (s[0] == '&'): its length in *used and
 * the code point, or -1 when malformed; -2 when it may be cut by the
 * window's end. */
static long reference(const char *s, size_t n, size_t *used)
{
    const char *semi = memchr(s, ';', n < 16 ? n : 16);
    if (!semi)
        return n < 16 ? -2 : -1;
    size_t k = (size_t)(semi - s) + 1;
    *used = k;
    const char *b = s + 1;
    size_t bl = k - 2;
    if (bl == 2 && memcmp(b, "lt", 2) == 0)
        return '<';
    if (bl == 2 && memcmp(b, "gt", 2) == 0)
        return '>';
    if (bl == 3 && memcmp(b, "amp", 3) == 0)
        return '&';
    if (bl == 4 && memcmp(b, "quot", 4) == 0)
        return '"';
    if (bl == 4 && memcmp(b, "apos", 4) == 0)
        return '\'';
    if (bl < 2 || b[0] != '#')
        return -1;
    long v = 0;
    size_t i = 1;
    int hex = 0;
    if (b[1] == 'x') {
        hex = 1;
        i = 2;
        if (bl == 2)
            return -1;
    }
    for (; i < bl; i++) {
        char c = b[i];
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (hex && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * (hex ? 16 : 10) + d;
        if (v > 0x10FFFF)
            return -1;
    }
    /* XML's Char production */
    if (v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) ||
        (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF))
        return v;
    return -1;
}

/* Decodes text s[0..n) (references unless cdata, line ends) onto out. 0, or
 * -1 malformed reference, -3 memory. */
static int decode_text(const char *s, size_t n, int cdata, ta_buf *out)
{
    if (buf_reserve(out, n))
        return -3;
    char *w = out->p + out->len;
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '&' && !cdata) {
            size_t used = 0;
            long cp = reference(s + i, n - i, &used);
            if (cp < 0)
                return -1;
            char enc[4];
            size_t k = utf8_encode((uint32_t)cp, enc);
            memcpy(w, enc, k);
            w += k;
            i += used;
        } else if (c == '\r') {
            *w++ = '\n';
            i++;
            if (i < n && s[i] == '\n')
                i++;
        } else {
            *w++ = c;
            i++;
        }
    }
    out->len = (size_t)(w - out->p);
    out->p[out->len] = '\0';
    return 0;
}

#define WX_ONES 0x0101010101010101ULL
#define WX_HIGHS 0x8080808080808080ULL
/* Nonzero when a byte of w is zero (the classic bit trick). */
#define WX_HASZERO(w) (((w)-WX_ONES) & ~(w)&WX_HIGHS)

/* What a text run holds, in one pass: bit 0 a '&' or CR (it needs
 * decoding), bit 1 a byte >= 0x80 (it needs UTF-8 validation). */
static unsigned text_kind(const char *s, size_t n)
{
    unsigned f = 0;
    size_t i = 0;
    for (; i + 8 <= n && f != 3; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & WX_HIGHS)
            f |= 2;
        if (WX_HASZERO(w ^ (WX_ONES * '&')) ||
            WX_HASZERO(w ^ (WX_ONES * '\r')))
            f |= 1;
    }
    for (; i < n && f != 3; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80)
            f |= 2;
        if (c == '&' || c == '\r')
            f |= 1;
    }
    return f;
}

static int deliver_text(wx_parser *p, const char *s, size_t n, int cdata)
{
    if (n == 0)
        return WX_GO;
    unsigned kind = text_kind(s, n);
    if ((kind & 2) && !utf8_valid(s, n))
        return bad(p, "not valid UTF-8 (near byte %llu)",
                   p->base + (unsigned long long)(s - p->buf));
    if (p->depth == 0) {
        for (size_t i = 0; i < n; i++)
            if (!is_ws(s[i]))
                return bad(p,
                           "text outside the root element (near byte "
                           "%llu)",
                           p->base + (unsigned long long)(s - p->buf));
        return WX_GO;
    }
    int need = (kind & 1) &&
               (memchr(s, '\r', n) != NULL || (!cdata && memchr(s, '&', n)));
    int r;
    if (!need)
        r = p->h->text(p->ctx, s, n);
    else {
        buf_reset(&p->tbuf);
        int d = decode_text(s, n, cdata, &p->tbuf);
        if (d == -3)
            return finish(p, WX_R_NOMEM);
        if (d < 0)
            return bad(p,
                       "a malformed or unknown entity reference (near "
                       "byte %llu)",
                       p->base + (unsigned long long)(s - p->buf));
        r = p->h->text(p->ctx, p->tbuf.p, p->tbuf.len);
    }
    r = handler_result(p, r);
    return r == WX_PAUSE ? WX_GO : r; /* no pause on text */
}

/* The longest prefix of s[0..n) that does not end in a UTF-8 sequence the
 * window's end has cut (the rest comes with the next fill). */
static size_t whole_chars(const char *s, size_t n)
{
    size_t i = n, back = 0;
    while (i > 0 && back < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
        i--;
        back++;
    }
    if (i == 0 || (unsigned char)s[i - 1] < 0xC0)
        return n;
    int incomplete = 0;
    if (utf8_seq((const unsigned char *)s + i - 1, n - (i - 1), NULL,
                 &incomplete) == 0 &&
        incomplete)
        return i - 1;
    return n;
}

/* A text run at pos: up to the next '<', or as much as is safe to hand
 * over when the window ends first. */
static int scan_text(wx_parser *p)
{
    char *b = p->buf + p->pos;
    size_t avail = p->len - p->pos;
    char *q = memchr(b, '<', avail);
    size_t cut;
    if (q)
        cut = (size_t)(q - b);
    else if (p->eof)
        cut = avail;
    else {
        cut = avail;
        /* keep a reference, a CR (an LF may follow) or a UTF-8 sequence
         * that the window's end may cut */
        size_t back = cut > 16 ? cut - 16 : 0;
        for (size_t i = cut; i > back; i--)
            if (b[i - 1] == '&') {
                if (!memchr(b + i, ';', cut - i))
                    cut = i - 1;
                break;
            }
        if (cut > 0 && b[cut - 1] == '\r')
            cut--;
        cut = whole_chars(b, cut);
        if (cut == 0)
            return WX_NEED;
    }
    int r = deliver_text(p, b, cut, 0);
    p->pos += cut;
    return r;
}

static int push_name(wx_parser *p, const char *name, size_t n)
{
    if ((p->depth + 2 > p->dcap &&
         buf_grow_array(&p->noff, &p->dcap, p->depth + 2, sizeof *p->noff)) ||
        (p->nlen_used + n > p->ncap &&
         buf_grow_array(&p->names, &p->ncap, p->nlen_used + n, 1)))
        return -1;
    p->noff[p->depth] = p->nlen_used;
    memcpy(p->names + p->nlen_used, name, n);
    p->nlen_used += n;
    p->depth++;
    p->noff[p->depth] = p->nlen_used;
    return 0;
}

static int end_tag(wx_parser *p)
{
    char *b = p->buf + p->pos;
    size_t avail = p->len - p->pos;
    char *gt = memchr(b + 2, '>', avail - 2);
    if (!gt)
        return WX_NEED;
    size_t n = (size_t)(gt - (b + 2));
    while (n > 0 && is_ws(b[2 + n - 1]))
        n--;
    if (p->depth == 0)
        return bad(p, "an end tag without a start tag (near byte %llu)",
                   p->base + p->pos);
    size_t off = p->noff[p->depth - 1];
    size_t tl = p->nlen_used - off;
    if (tl != n || memcmp(p->names + off, b + 2, n) != 0)
        return bad(p, "mismatched end tag (near byte %llu)", p->base + p->pos);
    p->depth--;
    p->nlen_used = off;
    p->pos += (size_t)(gt - b) + 1;
    size_t ll;
    const char *local = wx_local(b + 2, n, &ll);
    int r = handler_result(p, p->h->end(p->ctx, local, ll));
    if (r == WX_GO && p->depth == 0)
        return finish(p, WX_R_DONE);
    if (r == WX_PAUSE && p->depth == 0)
        p->finished = 1, p->result = WX_R_DONE;
    return r;
}

/* Decodes an attribute value (references, white space as XML normalizes
 * it) into w; returns its length or -1. */
static long attr_value(const char *s, size_t n, char *w)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '&') {
            size_t used = 0;
            long cp = reference(s + i, n - i, &used);
            if (cp < 0)
                return -1;
            char enc[4];
            size_t e = utf8_encode((uint32_t)cp, enc);
            memcpy(w + k, enc, e);
            k += e;
            i += used;
        } else if (c == '<')
            return -1;
        else if (c == '\r') {
            w[k++] = ' ';
            i++;
            if (i < n && s[i] == '\n')
                i++;
        } else {
            w[k++] = (c == '\t' || c == '\n') ? ' ' : c;
            i++;
        }
    }
    w[k] = '\0';
    return (long)k;
}

static int grow_attrs(wx_parser *p, size_t na)
{
    if (na * 4 + 4 <= p->aoffcap)
        return 0;
    return buf_grow_array(&p->aoff, &p->aoffcap, na * 4 + 4, sizeof *p->aoff);
}

static int start_tag(wx_parser *p)
{
    char *b = p->buf + p->pos;
    size_t avail = p->len - p->pos;
    size_t i = 1;
    while (i < avail && !is_ws(b[i]) && b[i] != '/' && b[i] != '>')
        i++;
    if (i == avail)
        return WX_NEED;
    size_t nlen = i - 1;
    if (nlen == 0)
        return bad(p, "a '<' that starts no tag (near byte %llu)",
                   p->base + p->pos);
    size_t na = 0;
    int empty = 0;
    for (;;) {
        while (i < avail && is_ws(b[i]))
            i++;
        if (i == avail)
            return WX_NEED;
        if (b[i] == '>') {
            i++;
            break;
        }
        if (b[i] == '/') {
            if (i + 1 == avail)
                return WX_NEED;
            if (b[i + 1] != '>')
                return bad(p, "a malformed tag (near byte %llu)",
                           p->base + p->pos);
            i += 2;
            empty = 1;
            break;
        }
        size_t an = i;
        while (i < avail && !is_ws(b[i]) && b[i] != '=' && b[i] != '>' &&
               b[i] != '/')
            i++;
        if (i == avail)
            return WX_NEED;
        size_t anl = i - an;
        while (i < avail && is_ws(b[i]))
            i++;
        if (i == avail)
            return WX_NEED;
        if (anl == 0 || b[i] != '=')
            return bad(p, "a malformed attribute (near byte %llu)",
                       p->base + p->pos);
        i++;
        while (i < avail && is_ws(b[i]))
            i++;
        if (i == avail)
            return WX_NEED;
        char quote = b[i];
        if (quote != '"' && quote != '\'')
            return bad(p,
                       "an attribute value without quotes (near byte "
                       "%llu)",
                       p->base + p->pos);
        char *qe = memchr(b + i + 1, quote, avail - i - 1);
        if (!qe)
            return WX_NEED;
        if (grow_attrs(p, na + 1))
            return finish(p, WX_R_NOMEM);
        p->aoff[na * 4] = an;
        p->aoff[na * 4 + 1] = anl;
        p->aoff[na * 4 + 2] = i + 1;
        p->aoff[na * 4 + 3] = (size_t)(qe - (b + i + 1));
        na++;
        i = (size_t)(qe - b) + 1;
    }
    /* The whole tag is in the window: decode the values. */
    /* decoding never lengthens a value: the tag's size is room enough */
    if ((i + 1 + na > p->vcap &&
         buf_grow_array(&p->vbuf, &p->vcap, i + 1 + na, 1)) ||
        (na > p->acap &&
         buf_grow_array(&p->attrs, &p->acap, na, sizeof *p->attrs)))
        return finish(p, WX_R_NOMEM);
    size_t w = 0;
    for (size_t k = 0; k < na; k++) {
        char *v = b + p->aoff[k * 4 + 2];
        size_t vl = p->aoff[k * 4 + 3];
        int plain = 1, high = 0;
        for (size_t j = 0; j < vl; j++) {
            unsigned char c = (unsigned char)v[j];
            if (c >= 0x80)
                high = 1;
            else if (c == '&' || c == '<' || c == '\t' || c == '\n' ||
                     c == '\r')
                plain = 0;
        }
        if (high && !utf8_valid(v, vl))
            return bad(p, "not valid UTF-8 (near byte %llu)",
                       p->base + p->pos);
        p->attrs[k].name = b + p->aoff[k * 4];
        p->attrs[k].nlen = p->aoff[k * 4 + 1];
        if (plain) {
            /* in place: the closing quote becomes the NUL (the tag is
             * never scanned again) */
            v[vl] = '\0';
            p->attrs[k].val = v;
            p->attrs[k].vlen = vl;
            continue;
        }
        long dl = attr_value(v, vl, p->vbuf + w);
        if (dl < 0)
            return bad(p, "a malformed attribute value (near byte %llu)",
                       p->base + p->pos);
        p->attrs[k].val = p->vbuf + w;
        p->attrs[k].vlen = (size_t)dl;
        w += (size_t)dl + 1;
    }
    if (p->depth == 0 && p->root_seen)
        return bad(p, "a second root element (near byte %llu)",
                   p->base + p->pos);
    if (p->depth >= WX_MAX_DEPTH)
        return bad(p, "elements nested deeper than %u", WX_MAX_DEPTH);
    if (!empty && push_name(p, b + 1, nlen))
        return finish(p, WX_R_NOMEM);
    p->root_seen = 1;
    p->pos += i;
    size_t ll;
    const char *local = wx_local(b + 1, nlen, &ll);
    int r = handler_result(p, p->h->start(p->ctx, local, ll, p->attrs, na));
    if (r < 0 || p->finished)
        return r;
    if (empty) {
        r = handler_result(p, p->h->end(p->ctx, local, ll));
        if (r == WX_GO && p->depth == 0)
            return finish(p, WX_R_DONE);
        if (r == WX_PAUSE && p->depth == 0)
            p->finished = 1, p->result = WX_R_DONE;
        return r;
    }
    return WX_GO;
}

static int has_prefix(const char *b, size_t avail, const char *lit, int *need)
{
    size_t k = strlen(lit);
    size_t m = avail < k ? avail : k;
    if (memcmp(b, lit, m) != 0)
        return 0;
    *need = avail < k;
    return 1;
}

/* Markup at pos that is not a tag: comments, PIs, CDATA, the DTD. */
static int other_markup(wx_parser *p)
{
    char *b = p->buf + p->pos;
    size_t avail = p->len - p->pos;
    int need = 0;
    if (b[1] == '?') {
        char *e = avail > 3 ? find(b + 2, avail - 2, "?>", 2) : NULL;
        if (!e)
            return WX_NEED;
        p->pos += (size_t)(e - b) + 2;
        return WX_GO;
    }
    if (has_prefix(b, avail, "<!--", &need)) {
        if (need)
            return WX_NEED;
        char *e = avail > 6 ? find(b + 4, avail - 4, "-->", 3) : NULL;
        if (!e)
            return WX_NEED;
        p->pos += (size_t)(e - b) + 3;
        return WX_GO;
    }
    if (has_prefix(b, avail, "<![CDATA[", &need)) {
        if (need)
            return WX_NEED;
        char *e = avail > 11 ? find(b + 9, avail - 9, "]]>", 3) : NULL;
        if (!e)
            return WX_NEED;
        if (p->depth == 0)
            return bad(p, "a CDATA section outside the root element");
        int r = deliver_text(p, b + 9, (size_t)(e - (b + 9)), 1);
        p->pos += (size_t)(e - b) + 3;
        return r;
    }
    if (has_prefix(b, avail, "<!DOCTYPE", &need)) {
        if (need)
            return WX_NEED;
        return bad(p, "the part declares a DTD (refused: entity "
                      "declarations are a known attack)");
    }
    if (avail < 9)
        return WX_NEED;
    return bad(p, "malformed markup '<!' (near byte %llu)", p->base + p->pos);
}

/* The first bytes decide whether the fast engine can read the part: UTF-8
 * (with or without its BOM) and no other declared encoding. */
static int fast_can_read(const char *b, size_t n)
{
    if (n >= 2 &&
        (((unsigned char)b[0] == 0xFE && (unsigned char)b[1] == 0xFF) ||
         ((unsigned char)b[0] == 0xFF && (unsigned char)b[1] == 0xFE)))
        return 0;
    if (n >= 2 && (b[0] == '\0' || b[1] == '\0'))
        return 0;
    size_t i = 0;
    if (n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    if (n - i < 5 || memcmp(b + i, "<?xml", 5) != 0)
        return 1;
    const char *e = find(b + i, n - i, "?>", 2);
    if (!e)
        return 0; /* a declaration too long to judge: let expat do it */
    const char *enc = find(b + i, (size_t)(e - (b + i)), "encoding", 8);
    if (!enc)
        return 1;
    const char *q = enc + 8;
    while (q < e && (is_ws(*q) || *q == '='))
        q++;
    if (q >= e || (*q != '"' && *q != '\''))
        return 0;
    char quote = *q++;
    const char *qe = memchr(q, quote, (size_t)(e - q));
    if (!qe)
        return 0;
    size_t l = (size_t)(qe - q);
    return (l == 5 && strncasecmp(q, "utf-8", 5) == 0) ||
           (l == 4 && strncasecmp(q, "utf8", 4) == 0);
}

static int run_expat(wx_parser *p);

static int start_expat(wx_parser *p);

static int run_fast(wx_parser *p)
{
    if (!p->started) {
        p->started = 1;
        while (!p->eof && p->len < 256) {
            int r = fill(p);
            if (r)
                return r;
        }
        if (!fast_can_read(p->buf, p->len)) {
            p->engine = WX_EXPAT;
            p->pending = p->len;
            int r = start_expat(p);
            if (r)
                return r;
            return run_expat(p);
        }
        if (p->len >= 3 && memcmp(p->buf, "\xEF\xBB\xBF", 3) == 0)
            p->pos = 3;
    }
    for (;;) {
        if (p->pos >= p->len) {
            if (p->eof) {
                if (!p->root_seen)
                    return bad(p, "no XML element (an empty part)");
                return bad(p, "the part ends inside an element (truncated)");
            }
            int r = fill(p);
            if (r)
                return r;
            continue;
        }
        char *b = p->buf + p->pos;
        int r;
        if (*b != '<')
            r = scan_text(p);
        else if (p->len - p->pos < 2)
            r = WX_NEED;
        else if (b[1] == '/')
            r = end_tag(p);
        else if (b[1] == '?' || b[1] == '!')
            r = other_markup(p);
        else
            r = start_tag(p);
        if (r == WX_NEED) {
            if (p->eof) {
                if (!p->root_seen)
                    return bad(p, "no XML element");
                return bad(p, "the part ends inside a tag (truncated)");
            }
            r = fill(p);
            if (r)
                return r;
            continue;
        }
        if (p->finished)
            return r == WX_PAUSE ? WX_R_PAUSE : p->result;
        if (r == WX_PAUSE)
            return WX_R_PAUSE;
        if (r < 0)
            return r;
    }
}

/* ---- the expat engine --------------------------------------------------- */

static void stop_expat(wx_parser *p, int result)
{
    if (!p->finished)
        finish(p, result);
    (void)XML_StopParser(p->xp, XML_FALSE);
}

static void note_event(wx_parser *p)
{
    p->last_event = (long long)XML_GetCurrentByteIndex(p->xp);
}

static void XMLCALL x_start(void *ud, const XML_Char *name,
                            const XML_Char **atts)
{
    wx_parser *p = ud;
    if (p->finished)
        return;
    note_event(p);
    if (p->depth >= WX_MAX_DEPTH) {
        bad(p, "elements nested deeper than %u", WX_MAX_DEPTH);
        (void)XML_StopParser(p->xp, XML_FALSE);
        return;
    }
    p->depth++;
    size_t na = 0;
    while (atts[na * 2])
        na++;
    if (buf_grow_array(&p->attrs, &p->acap, na, sizeof *p->attrs)) {
        stop_expat(p, WX_R_NOMEM);
        return;
    }
    for (size_t k = 0; k < na; k++) {
        p->attrs[k].name = atts[k * 2];
        p->attrs[k].nlen = strlen(atts[k * 2]);
        p->attrs[k].val = atts[k * 2 + 1];
        p->attrs[k].vlen = strlen(atts[k * 2 + 1]);
    }
    size_t ll;
    const char *local = wx_local(name, strlen(name), &ll);
    int r = handler_result(p, p->h->start(p->ctx, local, ll, p->attrs, na));
    if (p->finished)
        (void)XML_StopParser(p->xp, XML_FALSE);
    (void)r;
}

static void XMLCALL x_end(void *ud, const XML_Char *name)
{
    wx_parser *p = ud;
    if (p->finished)
        return;
    note_event(p);
    p->depth--;
    size_t ll;
    const char *local = wx_local(name, strlen(name), &ll);
    int r = handler_result(p, p->h->end(p->ctx, local, ll));
    if (p->finished) {
        (void)XML_StopParser(p->xp, XML_FALSE);
        return;
    }
    if (p->depth == 0) {
        /* the root closed: nothing after it is read (as the fast engine) */
        finish(p, WX_R_DONE);
        if (r == WX_PAUSE) {
            (void)XML_StopParser(p->xp, XML_TRUE);
            p->xp_suspended = 1;
        } else
            (void)XML_StopParser(p->xp, XML_FALSE);
        return;
    }
    if (r == WX_PAUSE) {
        (void)XML_StopParser(p->xp, XML_TRUE);
        p->xp_suspended = 1;
    }
}

static void XMLCALL x_text(void *ud, const XML_Char *s, int len)
{
    wx_parser *p = ud;
    if (p->finished || len <= 0)
        return;
    note_event(p);
    (void)handler_result(p, p->h->text(p->ctx, s, (size_t)len));
    if (p->finished)
        (void)XML_StopParser(p->xp, XML_FALSE);
}

static void XMLCALL x_doctype(void *ud, const XML_Char *name,
                              const XML_Char *sysid, const XML_Char *pubid,
                              int has_internal_subset)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    wx_parser *p = ud;
    bad(p, "the part declares a DTD (refused: entity declarations are a "
           "known attack)");
    (void)XML_StopParser(p->xp, XML_FALSE);
}

static void XMLCALL x_entity(void *ud, const XML_Char *name, int is_param,
                             const XML_Char *value, int value_length,
                             const XML_Char *base, const XML_Char *sysid,
                             const XML_Char *pubid, const XML_Char *notation)
{
    (void)name;
    (void)is_param;
    (void)value;
    (void)value_length;
    (void)base;
    (void)sysid;
    (void)pubid;
    (void)notation;
    wx_parser *p = ud;
    bad(p, "the part declares an entity (refused)");
    (void)XML_StopParser(p->xp, XML_FALSE);
}

static void XMLCALL x_misc(void *ud, const XML_Char *data)
{
    (void)data;
    note_event(ud);
}

static void XMLCALL x_pi(void *ud, const XML_Char *target,
                         const XML_Char *data)
{
    (void)target;
    (void)data;
    note_event(ud);
}

static int start_expat(wx_parser *p)
{
    p->xp = XML_ParserCreate(NULL);
    if (!p->xp)
        return finish(p, WX_R_NOMEM);
    XML_SetUserData(p->xp, p);
    XML_SetElementHandler(p->xp, x_start, x_end);
    XML_SetCharacterDataHandler(p->xp, x_text);
    XML_SetStartDoctypeDeclHandler(p->xp, x_doctype);
    XML_SetEntityDeclHandler(p->xp, x_entity);
    XML_SetCommentHandler(p->xp, x_misc);
    XML_SetProcessingInstructionHandler(p->xp, x_pi);
    /* Never read external entities or parameter entities (expat's
     * default; said here so nobody changes it by accident). */
    if (!XML_SetParamEntityParsing(p->xp, XML_PARAM_ENTITY_PARSING_NEVER))
        return finish(p, WX_R_NOMEM);
    p->started = 1;
    return 0;
}

/* After XML_ParseBuffer/XML_ResumeParser: a result to return, or 0 to go
 * on feeding. */
static int after_parse(wx_parser *p, enum XML_Status st)
{
    if (st == XML_STATUS_SUSPENDED) {
        p->xp_suspended = 1;
        return WX_R_PAUSE;
    }
    if (p->finished)
        return p->result;
    if (st == XML_STATUS_ERROR)
        return bad(p, "not well-formed XML (line %lu): %s",
                   (unsigned long)XML_GetCurrentLineNumber(p->xp),
                   XML_ErrorString(XML_GetErrorCode(p->xp)));
    if (p->xp_final)
        return finish(p, WX_R_DONE);
    return 0;
}

static int run_expat(wx_parser *p)
{
    if (!p->started) {
        int r = start_expat(p);
        if (r)
            return r;
    }
    if (p->xp_suspended) {
        p->xp_suspended = 0;
        if (p->finished)
            return p->result; /* paused at the root's end */
        int r = after_parse(p, XML_ResumeParser(p->xp));
        if (r)
            return r;
    }
    for (;;) {
        if (p->finished)
            return p->result;
        void *b = XML_GetBuffer(p->xp, (int)WX_CHUNK);
        if (!b)
            return finish(p, WX_R_NOMEM);
        long n;
        if (p->pending) {
            n = (long)p->pending;
            memcpy(b, p->buf, p->pending);
            p->pending = 0;
        } else if (p->eof)
            n = 0;
        else {
            n = wz_entry_read(p->src, b, WX_CHUNK);
            if (n < 0)
                return finish(p, WX_R_SRC);
            if (n == 0)
                p->eof = 1;
        }
        p->fed += (unsigned long long)n;
        if (n == 0)
            p->xp_final = 1;
        int r = after_parse(p, XML_ParseBuffer(p->xp, (int)n, n == 0));
        if (r)
            return r;
        if (p->fed > (unsigned long long)p->last_event + WX_MAX_TOKEN)
            return bad(p,
                       "an XML tag, comment or CDATA section longer than "
                       "%zu MiB",
                       WX_MAX_TOKEN >> 20);
    }
}

int wx_run(wx_parser *p)
{
    if (p->finished && !(p->engine == WX_EXPAT && p->xp_suspended))
        return p->result;
    if (p->engine == WX_EXPAT)
        return run_expat(p);
    return run_fast(p);
}
