/*
 * cells.c — the one way text and numbers reach a cell of the report
 * (report_internal.h): text from the data is always a string cell (never
 * a formula or a number Excel guessed), valid UTF-8 without control
 * characters, cut to fit a cell, masked unless --no-mask; a
 * libxlsxwriter error becomes a status with the workbook's name. Every
 * sheet writer (report_sheets.c, report_signals.c) goes through here, so
 * neither needs the other.
 */
#include "report_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "mask.h"
#include "utf8.h"

ta_status rpt_xlsx_fail(rpt_ctx *c, lxw_error e)
{
    ta_errf(c->err, c->errlen, "%s: cannot write the workbook: %s", c->path,
            lxw_strerror(e));
    return e == LXW_ERROR_MEMORY_MALLOC_FAILED ? TA_E_NOMEM : TA_E_IO;
}

/* Copies valid UTF-8 into c->text: each maximal invalid subpart becomes
 * U+FFFD (utf8.h's rule), control characters (but tab and line feed) a
 * space, a CR before LF goes; cut on a character boundary at RPT_TEXT_MAX
 * bytes. */
static size_t clean_text(rpt_ctx *c, const char *s, size_t len)
{
    size_t n = 0, i = 0;
    char *out = c->text;
    while (i < len) {
        unsigned char b = (unsigned char)s[i];
        if (b >= 0x20 && b < 0x7F) {
            /* a run of printable ASCII, most text: copied whole */
            size_t j = i + 1;
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

ta_status rpt_put_text(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                       lxw_col_t col, const char *s, size_t len, lxw_format *f)
{
    if (!s || (len == 0 && !f))
        return TA_OK;
    clean_text(c, s, len);
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

/* A piece of personal data: masked with fn unless --no-mask. */
ta_status rpt_put_masked(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                         lxw_col_t col, const char *s, size_t len,
                         size_t (*fn)(const char *, size_t, char *, size_t))
{
    if (!s || c->opt->no_mask)
        return rpt_put_text(c, ws, r, col, s, len, NULL);
    if (len > RPT_TEXT_MAX)
        len = RPT_TEXT_MAX;
    size_t n = fn(s, len, c->mask, 2 * RPT_TEXT_MAX);
    return rpt_put_text(c, ws, r, col, c->mask, n, NULL);
}

/* The first RPT_EXCERPT_CHARS characters of the notes, masked before the
 * cut so that nothing is half masked. */
ta_status rpt_put_excerpt(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                          lxw_col_t col, const char *s, size_t len)
{
    if (!s)
        return TA_OK;
    const char *src = s;
    size_t n = len;
    if (!c->opt->no_mask) {
        n = mask_text(s, len < RPT_EXCERPT_SCAN ? len : RPT_EXCERPT_SCAN,
                      c->mask, 2 * RPT_TEXT_MAX);
        src = c->mask;
    }
    size_t cut = utf8_cut_chars(src, n, RPT_EXCERPT_CHARS);
    if (cut < n || (src == c->mask && len > RPT_EXCERPT_SCAN)) {
        /* mark the cut; src has room: cut < n <= 2 * RPT_TEXT_MAX - 4 */
        if (src != c->mask) {
            if (cut > RPT_TEXT_MAX)
                cut = RPT_TEXT_MAX;
            memcpy(c->mask, s, cut);
        }
        memcpy(c->mask + cut, "\xE2\x80\xA6", 3);
        return rpt_put_text(c, ws, r, col, c->mask, cut + 3, NULL);
    }
    return rpt_put_text(c, ws, r, col, src, cut, NULL);
}

const char *rpt_col_text(sqlite3_stmt *q, int i, size_t *len)
{
    const char *s = (const char *)sqlite3_column_text(q, i);
    *len = s ? (size_t)sqlite3_column_bytes(q, i) : 0;
    return s;
}

/* Printing (and PDF export): landscape A4, as many pages down as needed
 * but one page wide, so that a sheet's columns and charts stay together. */
void rpt_print_setup(lxw_worksheet *ws, int header_row)
{
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_set_margins(ws, 0.4, 0.4, 0.5, 0.5);
    worksheet_fit_to_pages(ws, 1, 0);
    if (header_row)
        worksheet_repeat_rows(ws, 0, 0);
}
