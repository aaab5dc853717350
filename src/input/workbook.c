/*
 * workbook.c — the format-independent part of the workbook reader
 * (workbook.h): sniffing a file's kind, opening it, dispatching to the
 * .xlsx or .xls back end, and the sheets it found. What the back ends share
 * (messages, the sheet list, the row builder) is in wb_backend.c, cell
 * references and raw rows in wb_ref.c.
 *
 * It does not parse any format itself, and it never prints.
 */
#include "workbook_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define WB_DEFAULT_MAX_ROW ((size_t)16 << 20)

/* ---- sniffing ---------------------------------------------------------- */

/* Case-insensitive search of an ASCII needle in h[0..n). */
static int contains_ci(const unsigned char *h, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && tolower(h[i + j]) == needle[j])
            j++;
        if (j == k)
            return 1;
    }
    return 0;
}

wb_kind wb_sniff(const unsigned char *head, size_t n)
{
    static const unsigned char ole2[8] = {0xD0, 0xCF, 0x11, 0xE0,
                                          0xA1, 0xB1, 0x1A, 0xE1};
    if (n >= 4 && head[0] == 'P' && head[1] == 'K' &&
        ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6) ||
         (head[2] == 7 && head[3] == 8)))
        return WB_KIND_ZIP;
    if (n >= 8 && memcmp(head, ole2, 8) == 0)
        return WB_KIND_OLE2;
    /* Markup: an ASCII view of the head (UTF-16 text keeps every other
     * byte), then a '<' after the BOM and white space. */
    unsigned char a[512];
    size_t an = 0, i = 0, step = 1;
    if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        i = 3;
    else if (n >= 2 && head[0] == 0xFF && head[1] == 0xFE)
        i = 2, step = 2; /* UTF-16LE: the low byte first */
    else if (n >= 2 && head[0] == 0xFE && head[1] == 0xFF)
        i = 3, step = 2;
    for (; i < n && an < sizeof a; i += step)
        a[an++] = head[i];
    size_t k = 0;
    while (k < an &&
           (a[k] == ' ' || a[k] == '\t' || a[k] == '\r' || a[k] == '\n'))
        k++;
    if (k >= an || a[k] != '<')
        return WB_KIND_TEXT;
    static const char *const marks[] = {
        "<html",
        "<!doctype html",
        "<table",
        "<head",
        "<body",
        "<meta",
        "urn:schemas-microsoft-com:office:spreadsheet",
        "progid=\"excel.sheet\""};
    for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++)
        if (contains_ci(a + k, an - k, marks[m]))
            return WB_KIND_HTML;
    return WB_KIND_TEXT;
}

const char *wb_errmsg(const wb_reader *r)
{
    return r ? r->err : "out of memory";
}

/* ---- the reader -------------------------------------------------------- */

ta_status wb_open_fd(int fd, const char *name, const wb_options *opt,
                     wb_reader **out)
{
    *out = NULL;
    wb_reader *r = calloc(1, sizeof *r);
    if (!r)
        return TA_E_NOMEM;
    r->fd = fd;
    r->cur = -1;
    r->name = strdup(name ? name : "workbook");
    if (!r->name) {
        free(r);
        return TA_E_NOMEM;
    }
    if (opt)
        r->opt = *opt;
    if (r->opt.max_row_bytes == 0)
        r->opt.max_row_bytes = WB_DEFAULT_MAX_ROW;
    rb_init(&r->rb);
    *out = r;

    unsigned char head[512];
    size_t n = 0;
    while (n < sizeof head) {
        ssize_t k = pread(fd, head + n, sizeof head - n, (off_t)n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return wb_fail(r, TA_E_IO, "cannot read the file: %s",
                           strerror(errno));
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    switch (wb_sniff(head, n)) {
    case WB_KIND_ZIP:
        return xlsx_open(r);
    case WB_KIND_OLE2:
        return xls_open(r);
    case WB_KIND_HTML:
        return wb_fail(r, TA_E_DATA,
                       "this is a web page (HTML) or an Excel 2003 XML "
                       "file saved under a spreadsheet name, not a "
                       "workbook; open it in Excel and save it from Excel "
                       "as .xlsx or CSV");
    case WB_KIND_TEXT:
    default:
        break;
    }
    return wb_fail(r, TA_E_DATA,
                   "not an Excel workbook (neither a ZIP archive nor an "
                   "OLE2 file); a text export is read as CSV");
}

void wb_free(wb_reader *r)
{
    if (!r)
        return;
    if (r->be) {
        if (r->cur >= 0)
            r->be->sheet_close(r);
        r->be->destroy(r);
    }
    for (size_t i = 0; i < r->nsheets; i++) {
        free(r->sheets[i].name);
        free(r->sheets[i].part);
    }
    free(r->sheets);
    rb_free(&r->rb);
    free(r->name);
    free(r);
}

const char *wb_format(const wb_reader *r)
{
    return r->be ? r->be->format : "";
}

int wb_date1904(const wb_reader *r)
{
    return r->date1904;
}

size_t wb_sheet_count(const wb_reader *r)
{
    return r->nsheets;
}

const char *wb_sheet_name(const wb_reader *r, size_t i)
{
    return i < r->nsheets ? r->sheets[i].name : NULL;
}

int wb_sheet_hidden(const wb_reader *r, size_t i)
{
    return i < r->nsheets ? r->sheets[i].hidden : 0;
}

wb_sheet_kind wb_sheet_type(const wb_reader *r, size_t i)
{
    return i < r->nsheets ? r->sheets[i].kind : WB_SHEET_OTHER;
}

long wb_sheet_find(const wb_reader *r, const char *name)
{
    for (size_t i = 0; i < r->nsheets; i++)
        if (strcmp(r->sheets[i].name, name) == 0)
            return (long)i;
    for (size_t i = 0; i < r->nsheets; i++)
        if (strcasecmp(r->sheets[i].name, name) == 0)
            return (long)i;
    return -1;
}

static void close_sheet(wb_reader *r)
{
    if (r->cur >= 0 && r->be)
        r->be->sheet_close(r);
    r->cur = -1;
    r->prog_done = r->prog_total = 0;
}

ta_status wb_sheet_open(wb_reader *r, size_t i)
{
    close_sheet(r);
    if (!r->be)
        return wb_fail(r, TA_E_DATA, "the workbook is not open");
    if (i >= r->nsheets)
        return wb_fail(r, TA_E_DATA, "there is no sheet %zu", i + 1);
    if (r->sheets[i].kind != WB_SHEET_WORKSHEET)
        return wb_fail(r, TA_E_DATA, "sheet \"%s\" is a %s, not a worksheet",
                       r->sheets[i].name,
                       r->sheets[i].kind == WB_SHEET_CHART
                           ? "chart sheet"
                           : "dialog, macro or module sheet");
    r->skipped = 0;
    r->last_row = 0;
    r->cur = (long)i;
    ta_status st = r->be->sheet_open(r, i);
    if (st != TA_OK)
        close_sheet(r);
    return st;
}

ta_status wb_next_row(wb_reader *r, const wb_row **row)
{
    *row = NULL;
    if (r->cur < 0)
        return TA_OK;
    int got = 0;
    ta_status st = r->be->next_row(r, &got);
    if (st != TA_OK || !got) {
        close_sheet(r);
        return st;
    }
    *row = &r->rb.row;
    return TA_OK;
}

unsigned long wb_rows_skipped(const wb_reader *r)
{
    return r->skipped;
}

void wb_progress(const wb_reader *r, unsigned long long *done,
                 unsigned long long *total)
{
    *done = r->prog_done;
    *total = r->prog_total;
}
