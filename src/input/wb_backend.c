/*
 * wb_backend.c — what the workbook reader offers its format back ends
 * (workbook_internal.h): the messages that name the file, part, sheet or
 * cell, the sheet list they fill, and the row builder they put cells in.
 *
 * It sits below workbook.c and the back ends alike, so that the reader can
 * call a back end and a back end these services without a circle.
 */
#include "workbook_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WB_MAX_SHEETS 65536u

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

/* ---- the sheet list ---------------------------------------------------- */

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
