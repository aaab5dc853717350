/*
 * table.c — a table sheet of the report: an optional band row over
 * groups of columns, a header row (wrapped, right-aligned over numbers),
 * the column widths, frozen panes and a filter, and a continuation on
 * "Name (2)", "Name (3)", ... each with its own header when a sheet
 * reaches its row limit (Excel's 1,048,576 rows; tests lower it). A table
 * with QA decision columns gets the drop-down list of the two decisions
 * over its rows. The rows themselves are the sheet writer's.
 */
#include "report_internal.h"

#include <stdio.h>
#include <string.h>

#include "splice.h"

/* Rows' XML a sheet writes to its row file before the rest is deflated
 * as it comes: a short sheet is not worth a temporary file and a pool. */
#define RPT_SPLICE_FROM (1u << 20)

void rpt_table_init(rpt_table *t, rpt_ctx *c, const char *base,
                    const rpt_col *cols, lxw_col_t ncols)
{
    memset(t, 0, sizeof *t);
    t->c = c;
    t->base = base;
    t->cols = cols;
    t->ncols = ncols;
    for (lxw_col_t i = 0; i < ncols && i < 32; i++)
        t->widths[i] = cols[i].width;
    t->decision_col = -1;
    t->part = 1;
}

/* The band row: one merged, centred label over each group of columns, the
 * header's colour over the rest. */
static ta_status band_row(rpt_table *t)
{
    rpt_ctx *c = t->c;
    lxw_col_t col = 0;
    ta_status s = TA_OK;
    for (size_t b = 0; s == TA_OK && b <= t->nbands; b++) {
        lxw_col_t from = b < t->nbands ? t->bands[b].from : t->ncols;
        for (; s == TA_OK && col < from; col++)
            s = rpt_put_text(c, t->ws, 0, col, "", 0, c->f.band);
        if (s != TA_OK || b == t->nbands)
            break;
        const rpt_band *bd = &t->bands[b];
        s = bd->to > bd->from
                ? rpt_put_merged(c, t->ws, 0, bd->from, bd->to, bd->name,
                                 c->f.band)
                : rpt_put_str(c, t->ws, 0, bd->from, bd->name, c->f.band);
        col = (lxw_col_t)(bd->to + 1);
    }
    return s;
}

ta_status rpt_table_sheet(rpt_table *t)
{
    rpt_ctx *c = t->c;
    char name[64];
    if (t->part == 1)
        snprintf(name, sizeof name, "%s", t->base);
    else
        snprintf(name, sizeof name, "%s (%u)", t->base, t->part);
    t->ws = workbook_add_worksheet(c->wb, name);
    if (!t->ws) {
        ta_errf(c->err, c->errlen, "%s: cannot add the sheet '%s'", c->path,
                name);
        return TA_E_IO;
    }
    t->head_row = t->nbands > 0 ? 1 : 0;
    lxw_error e = LXW_NO_ERROR;
    for (lxw_col_t i = 0; e == LXW_NO_ERROR && i < t->ncols; i++)
        e = worksheet_set_column(t->ws, i, i, t->cols[i].width, NULL);
    if (e != LXW_NO_ERROR)
        return rpt_xlsx_fail(c, e);
    /* rows in order (constant memory): the band row before the header
     * row's height */
    ta_status s = t->nbands > 0 ? band_row(t) : TA_OK;
    if (s == TA_OK && t->head_height > 0) {
        e = worksheet_set_row(t->ws, t->head_row, t->head_height, NULL);
        if (e != LXW_NO_ERROR)
            return rpt_xlsx_fail(c, e);
    }
    for (lxw_col_t i = 0; s == TA_OK && i < t->ncols; i++)
        s = rpt_put_str(c, t->ws, t->head_row, i, t->cols[i].head,
                        t->cols[i].num == 2   ? c->f.head_mark
                        : t->cols[i].num == 1 ? c->f.head_num
                                              : c->f.head);
    if (s != TA_OK)
        return s;
    worksheet_freeze_panes(t->ws, t->head_row + 1, t->freeze_col);
    rpt_print_setup(t->ws, t->head_row + 1);
    if (t->pages_wide > 1) {
        /* a row is read across its pages: print them across, then down */
        worksheet_fit_to_pages(t->ws, (uint16_t)t->pages_wide, 0);
        worksheet_print_across(t->ws);
    }
    if (t->freeze_col > 0) {
        e = worksheet_repeat_columns(t->ws, 0, t->freeze_col - 1);
        if (e != LXW_NO_ERROR)
            return rpt_xlsx_fail(c, e);
    }
    t->next = t->head_row + 1;
    c->widths = t->widths;
    c->nwidths = t->ncols < 32 ? t->ncols : 32;
    c->row_lines = 0;
    return TA_OK;
}

/* The row just written, as tall as its wrapped text (rpt_fit_row). */
static ta_status fit_row(rpt_table *t)
{
    if (t->next <= t->head_row + 1) {
        t->c->row_lines = 0;
        return TA_OK;
    }
    return rpt_fit_row(t->c, t->ws, t->cur);
}

/* The drop-down list of the decision column over rows first..last: only
 * the two values of the report's language, anything else refused with a
 * message saying what to type; and the highlight of the input cells. */
static ta_status decision_list(rpt_table *t, lxw_row_t first, lxw_row_t last)
{
    const rpt_lang *L = t->c->L;
    char *values[] = {(char *)L->upheld, (char *)L->overturned, NULL};
    lxw_data_validation dv;
    memset(&dv, 0, sizeof dv);
    dv.validate = LXW_VALIDATION_TYPE_LIST;
    dv.value_list = values;
    dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    dv.error_title = (char *)L->dv_title;
    dv.error_message = (char *)L->dv_message;
    lxw_col_t col = (lxw_col_t)t->decision_col;
    lxw_error e =
        worksheet_data_validation_range(t->ws, first, col, last, col, &dv);
    /* The decision, note and reviewer cells highlighted: one conditional
     * format over the rows, not a format on each cell (three blank cells
     * a row would cost a million-row report ~20 % of its time). */
    lxw_conditional_format cf;
    memset(&cf, 0, sizeof cf);
    cf.type = LXW_CONDITIONAL_TYPE_FORMULA;
    cf.value_string = "=TRUE";
    cf.format = t->c->f.input;
    if (e == LXW_NO_ERROR)
        e = worksheet_conditional_format_range(t->ws, first, col, last,
                                               (lxw_col_t)(col + 2), &cf);
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(t->c, e);
}

void rpt_table_raw(rpt_table *t)
{
    /* the header row, still pending in libxlsxwriter's row, goes out
     * before the first row of ours */
    lxw_worksheet_write_single_row(t->ws);
    t->raw = 1;
}

ta_status rpt_table_raw_write(rpt_table *t, const void *p, size_t n)
{
    rpt_ctx *c = t->c;
    if (!t->splice && !t->no_splice && t->raw_bytes + n > RPT_SPLICE_FROM) {
        const char *tmp = c->wb->options.tmpdir;
        char mark[RPT_SPLICE_MARK];
        t->splice = rpt_splice_usable(tmp) ? rpt_splice_new(tmp, mark) : NULL;
        t->no_splice = !t->splice;
        /* the marker goes where the rows would have: the zip override
         * puts them back in its place */
        if (t->splice &&
            fwrite(mark, 1, sizeof mark, t->ws->file) != sizeof mark)
            goto fail;
    }
    t->raw_bytes += n;
    if (t->splice ? rpt_splice_write(t->splice, p, n) != 0
                  : n && fwrite(p, 1, n, t->ws->file) != n)
        goto fail;
    return TA_OK;
fail:
    /* scratch.c has the cause, which report.c reports */
    ta_errf(c->err, c->errlen, "%s: cannot write the sheet '%s'", c->path,
            t->base);
    return TA_E_IO;
}

/* The end of rows written as XML: their splice is ready for the zip,
 * libxlsxwriter learns the last row (the sheet's <dimension>), and its
 * pending row is that one, empty, so that nothing of its own follows
 * ours. */
static ta_status raw_end(rpt_table *t)
{
    lxw_worksheet *ws = t->ws;
    rpt_splice *sp = t->splice;
    t->splice = NULL; /* the registry's from here (splice.h) */
    t->no_splice = 0;
    t->raw_bytes = 0;
    if (sp && rpt_splice_end(sp) != 0) {
        ta_errf(t->c->err, t->c->errlen, "%s: cannot write the sheet '%s'",
                t->c->path, t->base);
        return TA_E_IO;
    }
    if (t->next > t->head_row + 1) {
        lxw_row_t last = t->next - 1;
        if (last > ws->dim_rowmax)
            ws->dim_rowmax = last;
        ws->optimize_row->row_num = last;
    }
    t->raw = 0;
    return TA_OK;
}

ta_status rpt_table_end(rpt_table *t)
{
    int raw = t->raw;
    ta_status s = raw ? raw_end(t) : TA_OK;
    if (s != TA_OK)
        return s;
    if (raw)
        t->c->row_lines = 0; /* the heights are in the rows' XML */
    s = fit_row(t);
    t->c->widths = NULL;
    if (s != TA_OK)
        return s;
    lxw_error e = worksheet_autofilter(t->ws, t->head_row, 0, t->next - 1,
                                       (lxw_col_t)(t->ncols - 1));
    /* ticket numbers and HPs are text that looks like a number: no green
     * warning triangle on each of them */
    if (e == LXW_NO_ERROR)
        e = worksheet_ignore_errors(t->ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT,
                                    "A1:XFD1048576");
    if (e != LXW_NO_ERROR)
        return rpt_xlsx_fail(t->c, e);
    if (t->decision_col >= 0 && t->next > t->head_row + 1)
        return decision_list(t, t->head_row + 1, t->next - 1);
    return TA_OK;
}

ta_status rpt_table_row(rpt_table *t)
{
    ta_status f = fit_row(t);
    if (f != TA_OK)
        return f;
    if (t->next >= t->c->limit) {
        int raw = t->raw;
        ta_status s = rpt_table_end(t);
        if (s != TA_OK)
            return s;
        t->part++;
        s = rpt_table_sheet(t);
        if (s != TA_OK)
            return s;
        if (raw)
            rpt_table_raw(t);
    }
    t->cur = t->next++;
    return TA_OK;
}
