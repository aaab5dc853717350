/*
 * report_sheets.c — the sheets of a workbook, written in order
 * (libxlsxwriter's constant-memory mode accepts rows only top to bottom):
 * Ringkasan, Per CSO, Temuan, Pengecualian, Ditolak, Indikasi, Tinjauan,
 * or for one CSO's workbook its summary, findings, exemptions, signals
 * and decisions. This file adds the formats and writes Per CSO; the other
 * sheets are in summary_sheet.c, tickets_sheet.c, report_signals.c and
 * review_sheet.c.
 *
 * Per CSO has a band row over its groups of columns (the codes'
 * "Pelanggaran" / "Pengecualian", the signals, the history) above a
 * wrapped header row of labels, so the frozen header stays a few lines
 * tall whatever the labels.
 */
#include "report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Per CSO ------------------------------------------------------ */

#define CSO_FIXED 8

static int any_signal(const rpt_cso *x)
{
    for (int i = 0; i < RPT_NSIG; i++)
        if (x->sig[i] > 0)
            return 1;
    return 0;
}

/* The code columns: violation codes, then exemption codes, each group in
 * the legend's order (codes of no label after, byte order). Fills
 * order[0..ncodes) with indexes into st->codes; returns how many are
 * violation codes. */
static size_t code_order(const rpt_stats *st, size_t *order)
{
    size_t n = 0, nviol = 0;
    for (int ex = 0; ex < 2; ex++) {
        for (size_t k = 0; k <= rpt_code_count(); k++) {
            const char *known = rpt_code_at(k);
            for (size_t i = 0; i < st->ncodes; i++) {
                const char *code = st->codes[i];
                size_t len = strlen(code);
                if (rpt_code_is_exemption(code, len) != ex)
                    continue;
                int labelled = rpt_code_label(rpt_lang_get(0), code, len) !=
                               NULL;
                /* pass k < count: the known code k; the last pass: the
                 * codes without a label */
                if (known ? labelled && strcmp(code, known) == 0 : !labelled)
                    order[n++] = i;
            }
        }
        if (!ex)
            nviol = n;
    }
    return nviol;
}

/* The characters of the word at s (up to a space) in *w; its bytes. */
static size_t word_at(const char *s, double *w)
{
    size_t k = strcspn(s, " ");
    *w = 0;
    for (size_t i = 0; i < k; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            (*w)++;
    return k;
}

/* Lines a header of width w needs, words wrapped. */
static int head_lines(const char *s, double w)
{
    int lines = 1;
    double used = 0, wl;
    while (*s) {
        s += word_at(s, &wl);
        if (used > 0 && used + 1 + wl > w - 1) {
            lines++;
            used = wl;
        } else {
            used += (used > 0) + wl;
        }
        while (*s == ' ')
            s++;
    }
    return lines;
}

/* A column as wide as the longest word of its header (7 to 15). */
static double word_width(const char *s)
{
    double best = 0, w;
    while (*s) {
        s += word_at(s, &w);
        best = w > best ? w : best;
        while (*s == ' ')
            s++;
    }
    best += 2;
    return best < 7 ? 7 : best > 15 ? 15 : best;
}

static ta_status by_cso_row(rpt_ctx *c, rpt_table *t, const rpt_cso *x,
                            const size_t *order, lxw_col_t sig_col,
                            int hist)
{
    const rpt_lang *L = c->L;
    const rpt_stats *st = c->st;
    lxw_worksheet *ws = t->ws;
    lxw_row_t r = t->cur;
    int low = x->has_pct && x->pct < c->target, sig = any_signal(x);
    lxw_format *fname = low && sig ? c->f.name_low_sig
                        : low      ? c->f.name_low
                        : sig      ? c->f.name_sig
                                   : NULL;
    ta_status s =
        rpt_put_str(c, ws, r, 0, x->name[0] ? x->name : L->unknown_cso, fname);
    long long total = 0;
    for (int i = 0; i < RPT_NSTATUS; i++)
        total += x->n[i];
    if (s == TA_OK)
        s = rpt_put_num(c, ws, r, 1, (double)total, NULL);
    for (int i = 0; s == TA_OK && i < RPT_NSTATUS; i++)
        s = rpt_put_num(c, ws, r, (lxw_col_t)(2 + i), (double)x->n[i], NULL);
    if (s == TA_OK)
        s = rpt_put_pct(c, ws, r, 6, x->has_pct, x->pct);
    if (s == TA_OK)
        s = rpt_put_pct(c, ws, r, 7, x->has_rpct, x->rpct);
    for (size_t i = 0; s == TA_OK && i < st->ncodes; i++)
        s = rpt_put_num(c, ws, r, (lxw_col_t)(CSO_FIXED + i),
                        (double)x->codes[order[i]], NULL);
    for (int i = 0; s == TA_OK && i < RPT_NSIG; i++)
        s = rpt_put_num(c, ws, r, (lxw_col_t)(sig_col + i), (double)x->sig[i],
                        x->sig[i] > 0 ? c->f.sig : NULL);
    if (s == TA_OK && sig)
        s = rpt_put_str(c, ws, r, (lxw_col_t)(sig_col + RPT_NSIG), L->yes,
                        c->f.mark);
    lxw_col_t hc = (lxw_col_t)(sig_col + RPT_NSIG + 1);
    if (s == TA_OK && hist && x->has_prev)
        s = rpt_put_num(c, ws, r, hc, x->prev_pct, c->f.pct);
    /* in points, between the rounded figures shown */
    if (s == TA_OK && hist && x->has_prev && x->has_last)
        s = rpt_put_num(c, ws, r, (lxw_col_t)(hc + 1),
                        round((x->last_pct - x->prev_pct) * 100.0) / 100.0,
                        c->f.change);
    return s;
}

static ta_status write_by_cso(rpt_ctx *c)
{
    const rpt_lang *L = c->L;
    const rpt_stats *st = c->st;
    /* the previous month and the change, after the signals, when the
     * database holds a period before the last one reported */
    int hist = st->prev[0] != '\0';
    lxw_col_t sig_col = (lxw_col_t)(CSO_FIXED + st->ncodes);
    lxw_col_t ncols = (lxw_col_t)(sig_col + RPT_NSIG + 1 + (hist ? 2 : 0));
    rpt_col *cols = calloc(ncols, sizeof *cols);
    size_t *order = calloc(st->ncodes + 1, sizeof *order);
    ta_status s = TA_OK;
    if (!cols || !order) {
        s = rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        goto done;
    }
    double wname = 14;
    for (size_t k = 0; k < st->ncso; k++)
        wname = fmax(wname, rpt_text_width(st->cso[k].name[0]
                                               ? st->cso[k].name
                                               : L->unknown_cso,
                                           14, 40));
    const char *fixed[CSO_FIXED] = {L->cso,
                                    L->tickets,
                                    L->status_names[RPT_COMPLIANT],
                                    L->status_names[RPT_EXEMPT],
                                    L->status_names[RPT_VIOLATION],
                                    L->status_names[RPT_OUT],
                                    L->compliance,
                                    L->compliance_rev};
    cols[0] = (rpt_col){fixed[0], wname, 0};
    for (lxw_col_t i = 1; i < CSO_FIXED; i++)
        cols[i] = (rpt_col){fixed[i], 0, 1};
    size_t nviol = code_order(st, order);
    for (size_t i = 0; i < st->ncodes; i++) {
        const char *code = st->codes[order[i]];
        const char *lb = rpt_code_label(L, code, strlen(code));
        cols[CSO_FIXED + i] = (rpt_col){lb ? lb : code, 0, 1};
    }
    for (int i = 0; i < RPT_NSIG; i++)
        cols[sig_col + i] = (rpt_col){L->sig_col[i], 0, 1};
    cols[sig_col + RPT_NSIG] = (rpt_col){L->sig_any, 0, 2};
    if (hist) {
        cols[sig_col + RPT_NSIG + 1] = (rpt_col){L->prev_month, 0, 1};
        cols[sig_col + RPT_NSIG + 2] = (rpt_col){L->change, 0, 1};
    }
    /* narrow columns of numbers, as wide as the longest word of their
     * label, which wraps over a few lines */
    double total = 0;
    for (lxw_col_t i = 0; i < ncols; i++) {
        if (cols[i].width == 0)
            cols[i].width = word_width(cols[i].head);
        total += cols[i].width;
    }
    rpt_band bands[4];
    size_t nb = 0;
    if (nviol > 0)
        bands[nb++] = (rpt_band){CSO_FIXED,
                                 (lxw_col_t)(CSO_FIXED + nviol - 1),
                                 L->band_violations};
    if (st->ncodes > nviol)
        bands[nb++] = (rpt_band){(lxw_col_t)(CSO_FIXED + nviol),
                                 (lxw_col_t)(sig_col - 1), L->band_exemptions};
    bands[nb++] = (rpt_band){sig_col, (lxw_col_t)(sig_col + RPT_NSIG),
                             L->band_signals};
    if (hist)
        bands[nb++] = (rpt_band){(lxw_col_t)(sig_col + RPT_NSIG + 1),
                                 (lxw_col_t)(sig_col + RPT_NSIG + 2),
                                 L->band_history};
    int lines = 2;
    for (lxw_col_t i = 0; i < ncols; i++) {
        int k = head_lines(cols[i].head, cols[i].width);
        lines = k > lines ? k : lines;
    }
    rpt_table t;
    rpt_table_init(&t, c, L->sheet[RPT_SH_BY_CSO], cols, ncols);
    t.bands = bands;
    t.nbands = nb;
    t.head_height = 15.0 * (lines < 4 ? lines : 4);
    t.freeze_col = 1;
    t.pages_wide = total > 200 ? 2 : 1;
    s = rpt_table_sheet(&t);
    for (size_t k = 0; s == TA_OK && k < st->ncso; k++) {
        s = rpt_table_row(&t);
        if (s == TA_OK)
            s = by_cso_row(c, &t, &st->cso[k], order, sig_col, hist);
    }
    if (s == TA_OK)
        s = rpt_table_end(&t);
done:
    free(cols);
    free(order);
    return s;
}

/* ---- the workbook -------------------------------------------------- */

static lxw_format *head_format(lxw_workbook *wb, uint8_t align)
{
    lxw_format *f = workbook_add_format(wb);
    if (!f)
        return NULL;
    format_set_bold(f);
    format_set_bg_color(f, 0xD9E1F2);
    format_set_bottom(f, LXW_BORDER_THIN);
    /* a white line between two wrapped labels, so they do not read as
     * one */
    format_set_right(f, LXW_BORDER_THIN);
    format_set_right_color(f, 0xFFFFFF);
    format_set_text_wrap(f);
    format_set_align(f, LXW_ALIGN_VERTICAL_BOTTOM);
    if (align)
        format_set_align(f, align);
    return f;
}

/* Excel's "light red fill with dark red text". */
static void low_colours(lxw_format *f)
{
    format_set_bg_color(f, 0xFFC7CE);
    format_set_font_color(f, 0x9C0006);
}

/* A CSO with signals: a thick orange line left of the name, in bold. */
static void signal_mark(lxw_format *f)
{
    format_set_bold(f);
    format_set_left(f, LXW_BORDER_THICK);
    format_set_left_color(f, 0xED7D31);
}

/* One format per look: of two equal formats libxlsxwriter caches the
 * index of the first used only, and hashes the other at every cell (25 %
 * of a report's time, measured). */
static ta_status add_formats(rpt_ctx *c)
{
    rpt_formats *f = &c->f;
    lxw_workbook *wb = c->wb;
    lxw_format **all[] = {
        &f->title,  &f->bold,   &f->pct,          &f->pct_low, &f->name_low,
        &f->name_sig, &f->name_low_sig, &f->change, &f->text,  &f->legend,
        &f->date,   &f->stamp,  &f->input, &f->sig,
        &f->block,  &f->stale,  &f->band,         &f->indent,
        &f->mark};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (!(*all[i] = workbook_add_format(wb)))
            return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    f->head = head_format(wb, 0);
    f->head_num = head_format(wb, LXW_ALIGN_RIGHT);
    f->head_mark = head_format(wb, LXW_ALIGN_CENTER);
    f->head_indent = head_format(wb, 0);
    if (!f->head || !f->head_num || !f->head_mark || !f->head_indent)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    /* a code beside a right-aligned number */
    format_set_indent(f->indent, 1);
    format_set_indent(f->head_indent, 1);
    format_set_bold(f->title);
    format_set_font_size(f->title, 14);
    format_set_bold(f->bold);
    format_set_bold(f->band);
    format_set_bg_color(f->band, 0xB4C6E7);
    format_set_align(f->band, LXW_ALIGN_CENTER);
    format_set_align(f->band, LXW_ALIGN_VERTICAL_CENTER);
    format_set_num_format(f->pct, "0.00");
    format_set_num_format(f->pct_low, "0.00");
    low_colours(f->pct_low);
    low_colours(f->name_low);
    low_colours(f->name_low_sig);
    signal_mark(f->name_sig);
    signal_mark(f->name_low_sig);
    format_set_num_format(f->change, "+0.00;-0.00;0.00");
    /* text that may be long wraps (nothing is cut off), in a row as tall
     * as it needs (rpt_fit_row); the legend's rows read from the top */
    format_set_align(f->legend, LXW_ALIGN_VERTICAL_TOP);
    lxw_format *wrapped[] = {f->text, f->legend, f->stale};
    for (size_t i = 0; i < sizeof wrapped / sizeof *wrapped; i++)
        format_set_text_wrap(wrapped[i]);
    format_set_num_format(f->date, "yyyy-mm-dd");
    format_set_align(f->date, LXW_ALIGN_LEFT); /* beside the CSO's name */
    format_set_num_format(f->stamp, "yyyy-mm-dd hh:mm");
    /* the cells a reviewer types in: the only highlighted ones (a
     * conditional format's look: fill and border) */
    format_set_bg_color(f->input, 0xFFF2CC);
    format_set_border(f->input, LXW_BORDER_THIN);
    format_set_border_color(f->input, 0xBF9000);
    lxw_format *orange[] = {f->sig, f->mark};
    for (size_t i = 0; i < 2; i++) {
        format_set_bg_color(orange[i], 0xFCE4D6);
        format_set_font_color(orange[i], 0x833C0B);
    }
    format_set_align(f->mark, LXW_ALIGN_CENTER);
    format_set_bold(f->block);
    format_set_bg_color(f->block, 0xFCE4D6);
    format_set_italic(f->stale);
    format_set_font_color(f->stale, 0x7F7F7F);
    return TA_OK;
}

ta_status rpt_write_sheets(rpt_ctx *c)
{
    ta_status s = add_formats(c);
    if (s == TA_OK)
        s = rpt_write_summary(c);
    if (s == TA_OK && !c->cso)
        s = write_by_cso(c);
    if (s == TA_OK)
        s = rpt_write_tickets(c, 0);
    if (s == TA_OK)
        s = rpt_write_tickets(c, 1);
    if (s == TA_OK && !c->cso)
        s = rpt_write_rejected(c);
    if (s == TA_OK)
        s = rpt_write_signals(c);
    if (s == TA_OK)
        s = rpt_write_review(c);
    return s;
}
