/*
 * workbook.c — the format-independent part of the workbook reader
 * (workbook.h): sniffing a file's kind, dispatching to the .xlsx or .xls
 * back end, the sheet list, the row builder, the messages, cell
 * references and the raw text of a row.
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
#define WB_MAX_SHEETS 65536u

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

/* ---- messages ---------------------------------------------------------- */

static void vset(wb_reader *r, const char *prefix, const char *fmt, va_list ap)
{
    int n = snprintf(r->err, sizeof r->err, "%s", prefix);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof r->err)
        vsnprintf(r->err + n, sizeof r->err - (size_t)n, fmt, ap);
}

ta_status wb_fail(wb_reader *r, ta_status st, const char *fmt, ...)
{
    char pre[300];
    snprintf(pre, sizeof pre, "%s: ", r->name);
    va_list ap;
    va_start(ap, fmt);
    vset(r, pre, fmt, ap);
    va_end(ap);
    return st;
}

ta_status wb_fail_part(wb_reader *r, ta_status st, const char *part,
                       const char *fmt, ...)
{
    char pre[600];
    snprintf(pre, sizeof pre, "%s: %s: ", r->name, part);
    va_list ap;
    va_start(ap, fmt);
    vset(r, pre, fmt, ap);
    va_end(ap);
    return st;
}

/* "NAME:Sheet" (quoted as Excel would) into pre. */
static void sheet_prefix(const wb_reader *r, char *pre, size_t len)
{
    ta_buf b;
    buf_init(&b, 0);
    const char *sn = (r->cur >= 0) ? r->sheets[r->cur].name : "?";
    if (wb_sheet_ref(sn, &b) != 0)
        snprintf(pre, len, "%s:%s", r->name, sn);
    else
        snprintf(pre, len, "%s:%s", r->name, b.p);
    buf_free(&b);
}

ta_status wb_fail_sheet(wb_reader *r, ta_status st, const char *fmt, ...)
{
    char pre[600];
    sheet_prefix(r, pre, sizeof pre - 3);
    size_t l = strlen(pre);
    memcpy(pre + l, ": ", 3);
    va_list ap;
    va_start(ap, fmt);
    vset(r, pre, fmt, ap);
    va_end(ap);
    return st;
}

ta_status wb_fail_cell(wb_reader *r, ta_status st, unsigned long row,
                       size_t col, const char *fmt, ...)
{
    char pre[600], ref[16];
    sheet_prefix(r, pre, sizeof pre - 20);
    wb_cell_ref(row, col, ref);
    size_t l = strlen(pre);
    snprintf(pre + l, sizeof pre - l, "!%s: ", ref);
    va_list ap;
    va_start(ap, fmt);
    vset(r, pre, fmt, ap);
    va_end(ap);
    return st;
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

int wb_add_sheet(wb_reader *r, const char *name, size_t nlen, int hidden,
                 wb_sheet_kind kind, const char *part, unsigned long long pos)
{
    if (r->nsheets >= WB_MAX_SHEETS)
        return -1;
    if (buf_grow_array(&r->sheets, &r->sheets_cap, r->nsheets + 1,
                       sizeof *r->sheets))
        return -1;
    wb_sheet *s = &r->sheets[r->nsheets];
    memset(s, 0, sizeof *s);
    s->name = malloc(nlen + 1);
    if (!s->name)
        return -1;
    memcpy(s->name, name, nlen);
    s->name[nlen] = '\0';
    if (part) {
        s->part = strdup(part);
        if (!s->part) {
            free(s->name);
            return -1;
        }
    }
    s->hidden = hidden;
    s->kind = kind;
    s->pos = pos;
    r->nsheets++;
    return 0;
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

ta_status wb_check_row_size(wb_reader *r, unsigned long row, size_t col)
{
    if (r->rb.text.len > r->opt.max_row_bytes)
        return wb_fail_cell(r, TA_E_DATA, row, col,
                            "the row holds more than %zu MiB of text "
                            "(refused as damaged or hostile)",
                            r->opt.max_row_bytes >> 20);
    return TA_OK;
}

/* ---- the row builder --------------------------------------------------- */

void rb_init(wb_rowbuf *rb)
{
    memset(rb, 0, sizeof *rb);
    buf_init(&rb->text, 0);
}

void rb_free(wb_rowbuf *rb)
{
    buf_free(&rb->text);
    free(rb->off);
    free(rb->len);
    free(rb->cells);
    memset(rb, 0, sizeof *rb);
}

int rb_begin(wb_rowbuf *rb, unsigned long number)
{
    buf_reset(&rb->text);
    rb->ncols = 0;
    rb->last = 0;
    rb->row.number = number;
    rb->row.ncells = 0;
    /* offset 0: the empty string that missing cells point to */
    return buf_addc(&rb->text, '\0');
}

size_t rb_mark(const wb_rowbuf *rb)
{
    return rb->text.len;
}

void rb_drop(wb_rowbuf *rb, size_t start)
{
    if (rb->text.len > start) {
        rb->text.len = start;
        rb->text.p[start] = '\0';
    }
}

int rb_commit(wb_rowbuf *rb, size_t col, size_t start)
{
    if (rb->text.len <= start) {
        /* an empty text: the column is (again) a missing cell */
        if (col < rb->ncols) {
            rb->off[col] = 0;
            rb->len[col] = 0;
        }
        return 0;
    }
    if (col >= rb->cap) {
        size_t ocap = rb->cap, lcap = rb->cap;
        if (buf_grow_array(&rb->off, &ocap, col + 1, sizeof *rb->off) ||
            buf_grow_array(&rb->len, &lcap, col + 1, sizeof *rb->len))
            return -1;
        rb->cap = ocap;
    }
    for (size_t c = rb->ncols; c < col; c++) {
        rb->off[c] = 0;
        rb->len[c] = 0;
    }
    if (col >= rb->ncols)
        rb->ncols = col + 1;
    rb->off[col] = start;
    rb->len[col] = rb->text.len - start;
    return buf_addc(&rb->text, '\0');
}

int rb_finish(wb_rowbuf *rb)
{
    size_t last = rb->ncols;
    while (last > 0 && rb->len[last - 1] == 0)
        last--;
    rb->last = last;
    if (last == 0)
        return 0;
    if (last > rb->cells_cap &&
        buf_grow_array(&rb->cells, &rb->cells_cap, last, sizeof *rb->cells))
        return -1;
    for (size_t c = 0; c < last; c++)
        rb->cells[c] = rb->text.p + rb->off[c];
    rb->row.ncells = last;
    rb->row.cells = rb->cells;
    rb->row.lens = rb->len;
    return 1;
}

/* ---- references and raw text ------------------------------------------- */

void wb_cell_ref(unsigned long row, size_t col, char out[16])
{
    char letters[8];
    size_t n = 0;
    size_t c = col + 1;
    while (c > 0 && n < sizeof letters) {
        c--;
        letters[n++] = (char)('A' + c % 26);
        c /= 26;
    }
    size_t k = 0;
    while (n > 0 && k < 7)
        out[k++] = letters[--n];
    snprintf(out + k, 16 - k, "%lu", row);
}

int wb_sheet_ref(const char *sheet, ta_buf *out)
{
    int plain = sheet[0] != '\0' && !(sheet[0] >= '0' && sheet[0] <= '9');
    for (const char *p = sheet; *p && plain; p++) {
        unsigned char c = (unsigned char)*p;
        if (!(isalnum(c) || c == '_' || c == '.' || c >= 0x80))
            plain = 0;
    }
    if (plain)
        return buf_adds(out, sheet);
    if (buf_addc(out, '\''))
        return -1;
    for (const char *p = sheet; *p; p++) {
        if (*p == '\'' && buf_addc(out, '\''))
            return -1;
        if (buf_addc(out, *p))
            return -1;
    }
    return buf_addc(out, '\'');
}

int wb_row_raw(const wb_row *row, ta_buf *out)
{
    for (size_t i = 0; i < row->ncells; i++) {
        const char *s = row->cells[i];
        size_t n = row->lens[i];
        if (i && buf_addc(out, ','))
            return -1;
        int quote = 0;
        for (size_t k = 0; k < n && !quote; k++)
            if (s[k] == ',' || s[k] == '"' || s[k] == '\r' || s[k] == '\n')
                quote = 1;
        if (!quote) {
            if (buf_add(out, s, n))
                return -1;
            continue;
        }
        if (buf_addc(out, '"'))
            return -1;
        for (size_t k = 0; k < n; k++) {
            if (s[k] == '"' && buf_addc(out, '"'))
                return -1;
            if (buf_addc(out, s[k]))
                return -1;
        }
        if (buf_addc(out, '"'))
            return -1;
    }
    return 0;
}
