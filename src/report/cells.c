/*
 * cells.c — the one way text and numbers reach a cell of the report
 * (report_internal.h): text from the data is always a string cell (never
 * a formula or a number Excel guessed), valid UTF-8 without control
 * characters, cut to fit a cell, masked unless --no-mask; a
 * libxlsxwriter error becomes a status with the workbook's name. Dates
 * become date cells, times the local time of the machine writing the
 * report. Every sheet writer goes through here, so none needs another.
 */
#include "report_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "mask.h"
#include "utf8.h"

ta_status rpt_xlsx_fail(rpt_ctx *c, lxw_error e)
{
    ta_errf(c->err, c->errlen, "%s: cannot write the workbook: %s", c->path,
            lxw_strerror(e));
    return e == LXW_ERROR_MEMORY_MALLOC_FAILED ? TA_E_NOMEM : TA_E_IO;
}

/* Copies valid UTF-8 into out: each maximal invalid subpart becomes
 * U+FFFD (utf8.h's rule), control characters (but tab and line feed) a
 * space, a CR before LF goes; cut on a character boundary at RPT_TEXT_MAX
 * bytes. */
size_t rpt_clean_text(const char *s, size_t len, char *out)
{
    size_t n = 0, i = 0;
    while (i < len) {
        unsigned char b = (unsigned char)s[i];
        if (b >= 0x20 && b < 0x7F) {
            /* a run of printable ASCII, most text: copied whole, found
             * eight bytes at a time (no byte under 0x20, none of 0x7F and
             * up: v + 1 and v - 0x20 keep every high bit clear) */
            size_t j = i + 1;
            while (j + 8 <= len) {
                uint64_t v;
                memcpy(&v, s + j, 8);
                if ((v | (v - 0x2020202020202020ULL) |
                     (v + 0x0101010101010101ULL)) &
                    0x8080808080808080ULL)
                    break;
                j += 8;
            }
            while (j < len && (unsigned char)s[j] >= 0x20 &&
                   (unsigned char)s[j] < 0x7F)
                j++;
            size_t run = j - i;
            if (n + run > RPT_TEXT_MAX)
                run = RPT_TEXT_MAX - n;
            memcpy(out + n, s + i, run);
            n += run;
            i += run;
            if (n == RPT_TEXT_MAX)
                break;
            continue;
        }
        size_t bad = 1;
        size_t k = b < 0x80 ? 1
                            : utf8_seq((const unsigned char *)s + i, len - i,
                                       &bad, NULL);
        const char *piece = s + i;
        size_t plen = k;
        if (k == 0) {
            piece = UTF8_REPLACEMENT;
            plen = 3;
            k = bad;
        } else if (b == '\r' && i + 1 < len && s[i + 1] == '\n') {
            i++;
            continue;
        } else if ((b < 0x20 && b != '\t' && b != '\n') || b == 0x7F) {
            piece = " ";
        }
        if (n + plen > RPT_TEXT_MAX)
            break;
        memcpy(out + n, piece, plen);
        n += plen;
        i += k;
    }
    out[n] = '\0';
    return n;
}

/* A byte's width in twentieths of the unit of column widths (a digit of
 * the default font): narrow lower case (i, l, t narrower, m, w wider),
 * spaces and punctuation, wide capitals; 20 for a character beyond ASCII
 * (its first byte; 0 for the others); a line break is 255. One look-up a
 * byte: this runs on every long cell of a million-row sheet. */
#define LINE_BREAK 255
static const unsigned char byte_width[256] = {
     20,  20,  20,  20,  20,  20,  20,  20,  20,  20, 255,  20,  20,  20,  20,  20, /* 0_ */
     20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20, /* 1_ */
      9,  20,  14,  20,  20,  20,  20,   9,  11,  11,  14,  20,   9,  11,   9,  11, /* 2_ */
     20,  20,  20,  20,  20,  20,  20,  20,  20,  20,   9,   9,  20,  20,  20,  20, /* 3_ */
     32,  21,  21,  21,  21,  21,  21,  21,  21,  10,  21,  21,  21,  29,  21,  21, /* 4_ */
     21,  21,  21,  21,  21,  21,  21,  29,  21,  21,  21,  20,  20,  20,  20,  20, /* 5_ */
     20,  19,  19,  19,  19,  19,  13,  19,  19,   9,   9,  19,   9,  26,  19,  19, /* 6_ */
     19,  19,  13,  19,  13,  19,  19,  26,  19,  19,  19,  20,  20,  20,  20,  20, /* 7_ */
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, /* 8_ */
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, /* 9_ */
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, /* A_ */
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, /* B_ */
     20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20, /* C_ */
     20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20, /* D_ */
     20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20, /* E_ */
     20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20,  20, /* F_ */
};

int rpt_text_lines(const char *s, size_t n, double width)
{
    /* what fits a line, less a margin for the words that wrap early */
    unsigned per = width > 4 ? (unsigned)((width - 1) * 20) : 60;
    /* most cells: too short to wrap even in the widest characters */
    if (n * 32 <= per && !memchr(s, '\n', n))
        return 1;
    int lines = 1;
    unsigned used = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned w = byte_width[(unsigned char)s[i]];
        if (w == LINE_BREAK) {
            lines++;
            used = 0;
            continue;
        }
        used += w;
        if (used > per) {
            lines++;
            used = w + per * 3 / 20; /* the word carried */
        }
    }
    return lines;
}

ta_status rpt_fit_row(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r)
{
    int lines = c->row_lines;
    c->row_lines = 0;
    if (lines <= 1)
        return TA_OK;
    double h = 15.0 * lines;
    lxw_error e = worksheet_set_row(ws, r, h < 409 ? h : 409, NULL);
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

ta_status rpt_put_text(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                       lxw_col_t col, const char *s, size_t len, lxw_format *f)
{
    if (!s || (len == 0 && !f))
        return TA_OK;
    size_t n = rpt_clean_text(s, len, c->text);
    if (c->widths && col < c->nwidths && n > 0 &&
        (f == c->f.text || f == c->f.stale)) {
        int k = rpt_text_lines(c->text, n, c->widths[col]);
        if (k > c->row_lines)
            c->row_lines = k;
    }
    lxw_error e = worksheet_write_string(ws, r, col, c->text, f);
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

ta_status rpt_put_str(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                      lxw_col_t col, const char *s, lxw_format *f)
{
    return rpt_put_text(c, ws, r, col, s, s ? strlen(s) : 0, f);
}

ta_status rpt_put_num(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                      lxw_col_t col, double v, lxw_format *f)
{
    lxw_error e = worksheet_write_number(ws, r, col, v, f);
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

const char *rpt_mask_into(int no_mask,
                          size_t (*fn)(const char *, size_t, char *, size_t),
                          const char *s, size_t *len, char *buf)
{
    if (!s || no_mask)
        return s;
    size_t n = *len > RPT_TEXT_MAX ? RPT_TEXT_MAX : *len;
    *len = fn(s, n, buf, 2 * RPT_TEXT_MAX);
    return buf;
}

ta_status rpt_put_pct(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                      lxw_col_t col, int has, double pct)
{
    if (!has)
        return TA_OK;
    return rpt_put_num(c, ws, r, col, pct,
                       pct < c->target ? c->f.pct_low : c->f.pct);
}

/* A piece of personal data: masked with fn unless --no-mask. */
ta_status rpt_put_masked(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                         lxw_col_t col, const char *s, size_t len,
                         size_t (*fn)(const char *, size_t, char *, size_t),
                         lxw_format *f)
{
    const char *v = rpt_mask_into(c->opt->no_mask, fn, s, &len, c->mask);
    return rpt_put_text(c, ws, r, col, v, len, f);
}

ta_status rpt_put_masked_keep(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                              lxw_col_t col, const char *s, size_t len,
                              const char *id1, const char *id2,
                              lxw_format *f)
{
    if (!s || c->opt->no_mask)
        return rpt_put_text(c, ws, r, col, s, len, f);
    mask_keep keep[2];
    size_t nk = 0;
    if (id1 && *id1)
        keep[nk++] = (mask_keep){id1, strlen(id1)};
    if (id2 && *id2)
        keep[nk++] = (mask_keep){id2, strlen(id2)};
    if (len > RPT_TEXT_MAX)
        len = RPT_TEXT_MAX;
    size_t n = mask_text_keep(s, len, keep, nk, c->mask, 2 * RPT_TEXT_MAX);
    return rpt_put_text(c, ws, r, col, c->mask, n, f);
}

/* The first RPT_EXCERPT_CHARS characters of the notes, masked before the
 * cut so that nothing is half masked. */
const char *rpt_excerpt_into(int no_mask, const char *s, size_t len,
                             char *buf, size_t *outlen)
{
    const char *src = s;
    size_t n = len;
    if (!no_mask) {
        n = mask_text(s, len < RPT_EXCERPT_SCAN ? len : RPT_EXCERPT_SCAN, buf,
                      2 * RPT_TEXT_MAX);
        src = buf;
    }
    size_t cut = utf8_cut_chars(src, n, RPT_EXCERPT_CHARS);
    if (cut < n || (src == buf && len > RPT_EXCERPT_SCAN)) {
        /* mark the cut; buf has room: cut < n <= 2 * RPT_TEXT_MAX - 4 */
        if (src != buf) {
            if (cut > RPT_TEXT_MAX)
                cut = RPT_TEXT_MAX;
            memcpy(buf, s, cut);
        }
        memcpy(buf + cut, "\xE2\x80\xA6", 3);
        *outlen = cut + 3;
        return buf;
    }
    *outlen = cut;
    return src;
}

ta_status rpt_put_excerpt(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                          lxw_col_t col, const char *s, size_t len,
                          lxw_format *f)
{
    if (!s)
        return TA_OK;
    size_t n;
    const char *v = rpt_excerpt_into(c->opt->no_mask, s, len, c->mask, &n);
    return rpt_put_text(c, ws, r, col, v, n, f);
}

ta_status rpt_put_ready(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                        lxw_col_t col, const char *s, lxw_format *f)
{
    lxw_error e = worksheet_write_string(ws, r, col, s, f);
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

/* Two or four ASCII digits at s as a number; -1 when they are not. */
static int digits_at(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

ta_status rpt_put_date(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                       lxw_col_t col, const char *s, size_t len,
                       lxw_format *f)
{
    int y = len >= 10 ? digits_at(s, 4) : -1;
    int m = y >= 0 && s[4] == '-' ? digits_at(s + 5, 2) : -1;
    int d = m >= 0 && s[7] == '-' ? digits_at(s + 8, 2) : -1;
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31)
        return rpt_put_text(c, ws, r, col, s, len, f);
    lxw_datetime dt = {y, m, d, 0, 0, 0.0};
    lxw_error e = worksheet_write_datetime(ws, r, col, &dt, f);
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

/* Reads "YYYY-MM-DDTHH:MM[:SS][Z|+hh:mm|-hh:mm]" as seconds since the
 * epoch; 0 when it is not such a time. */
static int parse_iso(const char *s, long long *t)
{
    size_t len = s ? strlen(s) : 0;
    if (len < 16 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':')
        return 0;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = digits_at(s, 4) - 1900;
    tm.tm_mon = digits_at(s + 5, 2) - 1;
    tm.tm_mday = digits_at(s + 8, 2);
    tm.tm_hour = digits_at(s + 11, 2);
    tm.tm_min = digits_at(s + 14, 2);
    size_t i = 16;
    if (i + 3 <= len && s[i] == ':') {
        tm.tm_sec = digits_at(s + i + 1, 2);
        i += 3;
        while (i < len && (s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
            i++;
    }
    if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
        tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0 || s[4] != '-' ||
        s[7] != '-')
        return 0;
    long long off = 0;
    if (i < len && (s[i] == '+' || s[i] == '-') && i + 6 <= len &&
        s[i + 3] == ':') {
        int hh = digits_at(s + i + 1, 2), mm = digits_at(s + i + 4, 2);
        if (hh < 0 || mm < 0)
            return 0;
        off = (s[i] == '-' ? -1 : 1) * (hh * 3600LL + mm * 60LL);
    } else if (!(i < len && s[i] == 'Z')) {
        return 0;
    }
    *t = (long long)timegm(&tm) - off;
    return 1;
}

ta_status rpt_put_stamp(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                        lxw_col_t col, const char *s, lxw_format *f)
{
    long long t;
    if (!parse_iso(s, &t))
        return rpt_put_str(c, ws, r, col, s, NULL);
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    lxw_datetime dt = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour,        tm.tm_min,     tm.tm_sec};
    lxw_error e = worksheet_write_datetime(ws, r, col, &dt, f);
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

void rpt_local_time(long long t, char buf[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    char day[24];
    strftime(day, sizeof day, "%Y-%m-%d %H:%M", &tm);
    snprintf(buf, 32, "%.16s %c%02ld:%02ld", day, sign, (off / 60) % 100,
             off % 60);
}

void rpt_local_stamp(const char *iso, char buf[32])
{
    long long t;
    if (parse_iso(iso, &t))
        rpt_local_time(t, buf);
    else
        snprintf(buf, 32, "%s", iso ? iso : "");
}

ta_status rpt_put_note(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                       lxw_col_t col, const char *s)
{
    rpt_clean_text(s, strlen(s), c->text);
    lxw_error e = worksheet_write_comment(ws, r, col, c->text);
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

ta_status rpt_put_merged(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                         lxw_col_t first, lxw_col_t last, const char *s,
                         lxw_format *f)
{
    rpt_clean_text(s, strlen(s), c->text);
    lxw_error e = worksheet_merge_range(ws, r, first, r, last, c->text, f);
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

const char *rpt_base_name(const char *path, size_t len, size_t *blen)
{
    size_t b = 0;
    for (size_t i = 0; i < len; i++)
        if (path[i] == '/' || path[i] == '\\')
            b = i + 1;
    if (b == len)
        b = 0; /* "dir/": the whole, rather than nothing */
    *blen = len - b;
    return path + b;
}

double rpt_text_width(const char *s, double lo, double hi)
{
    /* characters, not bytes: a continuation byte adds nothing */
    double n = 0;
    for (; s && *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    n += 2; /* the cell's margins and the filter button */
    return n < lo ? lo : n > hi ? hi : n;
}

const char *rpt_col_text(sqlite3_stmt *q, int i, size_t *len)
{
    const char *s = (const char *)sqlite3_column_text(q, i);
    *len = s ? (size_t)sqlite3_column_bytes(q, i) : 0;
    return s;
}

/* Printing (and PDF export): landscape A4, as many pages down as needed
 * but one page wide, so that a sheet's columns and charts stay together. */
void rpt_print_setup(lxw_worksheet *ws, lxw_row_t header_rows)
{
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_set_margins(ws, 0.4, 0.4, 0.5, 0.5);
    worksheet_fit_to_pages(ws, 1, 0);
    if (header_rows)
        worksheet_repeat_rows(ws, 0, header_rows - 1);
}

/* ---- rows written as XML (rpt_raw_row) ------------------------------ */

/* A row's XML is written through a cursor into room reserved for the
 * whole row at once: a million-row sheet writes ~14 million cells, and a
 * bounds check and a terminating NUL per piece (buf_add) were half of the
 * writer's time. */
typedef struct xw {
    char *w;
} xw;

static void put(xw *x, const char *s, size_t n)
{
    memcpy(x->w, s, n);
    x->w += n;
}

#define PUT_LIT(x, lit) put((x), (lit), sizeof(lit) - 1)

/* s[0..n) with XML's three escapes in text (&, <, >), as libxlsxwriter's
 * lxw_escape_data: quotes stay as they are. At most 5 n bytes. */
static void put_escaped(xw *x, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch != '&' && ch != '<' && ch != '>')
            continue;
        put(x, s + run, i - run);
        if (ch == '&')
            PUT_LIT(x, "&amp;");
        else if (ch == '<')
            PUT_LIT(x, "&lt;");
        else
            PUT_LIT(x, "&gt;");
        run = i + 1;
    }
    put(x, s + run, n - run);
}

/* v in decimal into out (at least 21 bytes); its length. printf's
 * machinery was a third of a row's cost. */
static size_t put_uint(char *out, unsigned long long v)
{
    char tmp[24];
    size_t k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < k; i++)
        out[i] = tmp[k - 1 - i];
    return k;
}

static void put_num(xw *x, unsigned long long v)
{
    x->w += put_uint(x->w, v);
}

/* A double as libxlsxwriter prints it ("%.16G"): an integer (a date's
 * serial, a row's height) in decimal, anything else through printf. At
 * most 32 bytes. */
static void put_dbl(xw *x, double v)
{
    if (v >= 0 && v < 1e15 && v == (double)(unsigned long long)v) {
        put_num(x, (unsigned long long)v);
        return;
    }
    char d[40];
    int n = snprintf(d, sizeof d, "%.16G", v);
    put(x, d, n > 0 && (size_t)n < 32 ? (size_t)n : 0);
}

/* The cell's name ("C12"): libxlsxwriter's lxw_rowcol_to_cell; rn is the
 * row's number as text (r + 1). At most 24 bytes. */
static void put_cell_name(xw *x, const char *rn, size_t rl, lxw_col_t col)
{
    char letters[4];
    size_t k = 0;
    unsigned c = (unsigned)col + 1;
    while (c > 0 && k < sizeof letters) {
        unsigned rem = (c - 1) % 26;
        letters[k++] = (char)('A' + rem);
        c = (c - 1) / 26;
    }
    while (k > 0)
        *x->w++ = letters[--k];
    put(x, rn, rl);
}

/* isspace(3) in the C locale, which libxlsxwriter tests the first and
 * last byte of a string with */
static int c_space(char ch)
{
    return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/* Bytes of markup a cell may take besides its text: the tags, its name
 * and its format, the xml:space attribute. */
#define CELL_MARKUP 128

static void raw_text(xw *x, const char *rn, size_t rl, lxw_col_t col,
                     int32_t xf, const char *s, size_t n)
{
    int keep = n > 0 && (c_space(s[0]) || c_space(s[n - 1]));
    PUT_LIT(x, "<c r=\"");
    put_cell_name(x, rn, rl, col);
    if (xf > 0) {
        PUT_LIT(x, "\" s=\"");
        put_num(x, (unsigned long long)xf);
    }
    if (keep)
        PUT_LIT(x, "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">");
    else
        PUT_LIT(x, "\" t=\"inlineStr\"><is><t>");
    put_escaped(x, s, n);
    PUT_LIT(x, "</t></is></c>");
}

ta_status rpt_raw_row(rpt_ctx *c, lxw_row_t r, const rpt_prow *row,
                      const char *arena, ta_buf *out)
{
    if (row->n == 0 && row->lines <= 1)
        return TA_OK; /* libxlsxwriter writes no empty row */
    size_t room = CELL_MARKUP;
    for (unsigned k = 0; k < row->n; k++)
        room += CELL_MARKUP + 5 * row->cell[k].len;
    if (buf_reserve(out, room))
        return TA_E_NOMEM;
    xw x = {out->p + out->len};
    char rn[24];
    size_t rl = put_uint(rn, (unsigned long long)r + 1);
    PUT_LIT(&x, "<row r=\"");
    put(&x, rn, rl);
    PUT_LIT(&x, "\"");
    if (row->lines > 1) {
        /* rpt_fit_row's height, as libxlsxwriter prints a double */
        double h = 15.0 * row->lines;
        PUT_LIT(&x, " ht=\"");
        put_dbl(&x, h < 409 ? h : 409);
        PUT_LIT(&x, "\" customHeight=\"1\"");
    }
    if (row->n)
        PUT_LIT(&x, ">");
    else
        PUT_LIT(&x, "/>");
    int32_t xf_date = lxw_format_get_xf_index(c->f.date);
    int32_t xf_wrap = lxw_format_get_xf_index(c->f.text);
    for (unsigned k = 0; k < row->n; k++) {
        const rpt_pcell *p = &row->cell[k];
        const char *s = arena + p->off;
        if (p->kind == RPT_CELL_DATE) {
            int y = p->len >= 10 ? digits_at(s, 4) : -1;
            int m = y >= 0 && s[4] == '-' ? digits_at(s + 5, 2) : -1;
            int d = m >= 0 && s[7] == '-' ? digits_at(s + 8, 2) : -1;
            if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31) {
                /* as rpt_put_date: the text, in the date's format */
                raw_text(&x, rn, rl, p->col, xf_date, s, p->len);
                continue;
            }
            lxw_datetime dt = {y, m, d, 0, 0, 0.0};
            double v = lxw_datetime_to_excel_date_epoch(&dt, LXW_EPOCH_1900);
            PUT_LIT(&x, "<c r=\"");
            put_cell_name(&x, rn, rl, p->col);
            if (xf_date > 0) {
                PUT_LIT(&x, "\" s=\"");
                put_num(&x, (unsigned long long)xf_date);
            }
            PUT_LIT(&x, "\"><v>");
            put_dbl(&x, v);
            PUT_LIT(&x, "</v></c>");
            continue;
        }
        raw_text(&x, rn, rl, p->col, p->kind == RPT_CELL_WRAP ? xf_wrap : 0,
                 s, p->len);
    }
    if (row->n)
        PUT_LIT(&x, "</row>");
    out->len = (size_t)(x.w - out->p);
    out->p[out->len] = '\0';
    return TA_OK;
}
