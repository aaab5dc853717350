/*
 * report_sheets.c — the sheets of a workbook, written in order
 * (libxlsxwriter's constant-memory mode accepts rows only top to bottom):
 * Ringkasan, Per CSO, Temuan, Pengecualian, Ditolak, Indikasi, or for one
 * CSO's workbook its summary, findings and exemptions (the Indikasi sheet
 * is report_signals.c's).
 *
 * Every cell is written through cells.c (text from the data is always a
 * string cell, clean UTF-8, masked unless --no-mask). Long sheets stream
 * from one prepared statement and continue on "Name (2)", ... when a
 * sheet is full (rpt_table).
 */
#include "report_internal.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "mask.h"

/* ---- tables that continue on a next sheet ------------------------ */

typedef struct rpt_table {
    rpt_ctx *c;
    const char *base;
    const char *const *heads;
    const double *widths;
    lxw_col_t ncols;
    lxw_col_t rot_from, rot_to; /* headers written upwards (codes) */
    lxw_worksheet *ws;
    unsigned part;
    lxw_row_t next; /* next free row */
    lxw_row_t cur;  /* the row being written */
} rpt_table;

static ta_status table_sheet(rpt_table *t)
{
    rpt_ctx *c = t->c;
    char name[64];
    if (t->part == 1)
        snprintf(name, sizeof name, "%s", t->base);
    else
        snprintf(name, sizeof name, "%s (%u)", t->base, t->part);
    t->ws = workbook_add_worksheet(c->wb, name);
    if (!t->ws) {
        if (c->err && c->errlen)
            snprintf(c->err, c->errlen, "%s: cannot add the sheet '%s'",
                     c->path, name);
        return TA_E_IO;
    }
    int tall = t->rot_to > t->rot_from;
    if (tall) {
        /* room for the longest name written upwards: ~7.5 pt a letter */
        size_t longest = 12;
        for (lxw_col_t i = t->rot_from; i < t->rot_to; i++)
            if (strlen(t->heads[i]) > longest)
                longest = strlen(t->heads[i]);
        double h = 12.0 + 7.5 * (double)longest;
        lxw_error e = worksheet_set_row(t->ws, 0, h < 400 ? h : 400, NULL);
        if (e != LXW_NO_ERROR)
            return rpt_xlsx_fail(c, e);
    }
    for (lxw_col_t i = 0; i < t->ncols; i++) {
        lxw_error e = worksheet_set_column(t->ws, i, i, t->widths[i], NULL);
        if (e != LXW_NO_ERROR)
            return rpt_xlsx_fail(c, e);
        lxw_format *f = !tall                               ? c->f_head
                        : i >= t->rot_from && i < t->rot_to ? c->f_head_rot
                                                            : c->f_head_wrap;
        ta_status s = rpt_put_str(c, t->ws, 0, i, t->heads[i], f);
        if (s != TA_OK)
            return s;
    }
    worksheet_freeze_panes(t->ws, 1, 0);
    rpt_print_setup(t->ws, 1);
    t->next = 1;
    return TA_OK;
}

static ta_status table_end_sheet(rpt_table *t)
{
    lxw_error e = worksheet_autofilter(t->ws, 0, 0, t->next - 1,
                                       (lxw_col_t)(t->ncols - 1));
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(t->c, e);
}

/* Sets up t; table_sheet then adds its first sheet. */
static void table_init(rpt_table *t, rpt_ctx *c, const char *base,
                       const char *const *heads, const double *widths,
                       lxw_col_t ncols)
{
    memset(t, 0, sizeof *t);
    t->c = c;
    t->base = base;
    t->heads = heads;
    t->widths = widths;
    t->ncols = ncols;
    t->part = 1;
}

static ta_status table_open(rpt_table *t, rpt_ctx *c, const char *base,
                            const char *const *heads, const double *widths,
                            lxw_col_t ncols)
{
    table_init(t, c, base, heads, widths, ncols);
    return table_sheet(t);
}

/* Makes t->cur the row to write, on a next sheet when this one is full. */
static ta_status table_row(rpt_table *t)
{
    if (t->next >= t->c->limit) {
        ta_status s = table_end_sheet(t);
        if (s != TA_OK)
            return s;
        t->part++;
        s = table_sheet(t);
        if (s != TA_OK)
            return s;
    }
    t->cur = t->next++;
    return TA_OK;
}

/* ---- Ringkasan ---------------------------------------------------- */

static ta_status summary_files(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r)
{
    const rpt_lang *L = c->L;
    const char *heads[] = {L->file, L->source, L->read, L->imported,
                           L->rejected};
    ta_status s = rpt_put_str(c, ws, *r, 0, L->files, c->f_bold);
    (*r)++;
    for (lxw_col_t i = 0; s == TA_OK && i < 5; i++)
        s = rpt_put_str(c, ws, *r, i, heads[i], c->f_head);
    (*r)++;
    sqlite3_stmt *q = NULL;
    if (s == TA_OK)
        s = db_prepare(c->db,
                       "SELECT file, source, rows_read, rows_imported, "
                       "rows_rejected FROM imports ORDER BY id",
                       &q, c->err, c->errlen);
    int rc = SQLITE_DONE;
    while (s == TA_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        size_t len;
        const char *v;
        v = rpt_col_text(q, 0, &len);
        s = rpt_put_text(c, ws, *r, 0, v, len, NULL);
        v = rpt_col_text(q, 1, &len);
        if (s == TA_OK)
            s = rpt_put_text(c, ws, *r, 1, v, len, NULL);
        for (int i = 2; s == TA_OK && i < 5; i++)
            s = rpt_put_num(c, ws, *r, (lxw_col_t)i,
                            (double)sqlite3_column_int64(q, i), NULL);
        (*r)++;
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(c->db, "reading the imports", c->err, c->errlen);
    sqlite3_finalize(q);
    (*r)++;
    return s;
}

static ta_status summary_head(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r)
{
    const rpt_lang *L = c->L;
    const rpt_stats *st = c->st;
    char buf[256];
    ta_status s = rpt_put_str(c, ws, (*r)++, 0,
                              c->cso ? L->title_cso : L->title, c->f_title);
    if (s == TA_OK && c->cso) {
        s = rpt_put_str(c, ws, *r, 0, L->cso, c->f_bold);
        if (s == TA_OK)
            s = rpt_put_str(c, ws, (*r)++, 1,
                            c->cso[0] ? c->cso : L->unknown_cso, NULL);
    }
    if (strcmp(st->first, st->last) == 0)
        snprintf(buf, sizeof buf, "%s", st->first);
    else
        snprintf(buf, sizeof buf, "%s %s %s", st->first, L->all_periods_to,
                 st->last);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 0, L->period, c->f_bold);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, (*r)++, 1, buf, NULL);
    char now[32];
    db_now(now);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 0, L->generated, c->f_bold);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, (*r)++, 1, now, NULL);

    /* The rules of the latest audit that wrote a result shown here. */
    sqlite3_stmt *q = NULL;
    if (s == TA_OK)
        s = db_prepare(c->db,
                       "SELECT rules, program_version, run_at FROM audits "
                       "WHERE id = ?1",
                       &q, c->err, c->errlen);
    if (s == TA_OK) {
        int bound = SQLITE_OK;
        db_bound(&bound, sqlite3_bind_int64(q, 1, st->audit_id));
        int rc = bound == SQLITE_OK ? sqlite3_step(q) : bound;
        if (rc == SQLITE_ROW) {
            snprintf(buf, sizeof buf, "%s (audit %s)",
                     (const char *)sqlite3_column_text(q, 0),
                     (const char *)sqlite3_column_text(q, 2));
            s = rpt_put_str(c, ws, *r, 0, L->rules, c->f_bold);
            if (s == TA_OK)
                s = rpt_put_str(c, ws, (*r)++, 1, buf, NULL);
            snprintf(buf, sizeof buf, "ticket-audit %s",
                     (const char *)sqlite3_column_text(q, 1));
            if (s == TA_OK)
                s = rpt_put_str(c, ws, *r, 0, L->program, c->f_bold);
            if (s == TA_OK)
                s = rpt_put_str(c, ws, (*r)++, 1, buf, NULL);
        } else if (rc != SQLITE_DONE) {
            s = db_fail(c->db, "reading the audits", c->err, c->errlen);
        }
    }
    sqlite3_finalize(q);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, (*r)++, 0,
                        c->opt->no_mask ? L->unmasked_note : L->masked_note,
                        NULL);
    (*r)++;
    return s;
}

/* A compliance cell: 2 decimals, highlighted below target, blank when
 * no ticket is in scope. */
static ta_status put_pct(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                         lxw_col_t col, const rpt_cso *x)
{
    if (!x->has_pct)
        return TA_OK;
    return rpt_put_num(c, ws, r, col, x->pct,
                       x->pct < c->target ? c->f_pct_low : c->f_pct);
}

static ta_status summary_status(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r)
{
    const rpt_lang *L = c->L;
    const rpt_cso *all = &c->st->all;
    ta_status s = rpt_put_str(c, ws, *r, 0, L->status, c->f_head);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, (*r)++, 1, L->tickets, c->f_head);
    long long total = 0;
    for (int i = 0; i < RPT_NSTATUS; i++)
        total += all->n[i];
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 0, L->tickets, c->f_bold);
    if (s == TA_OK)
        s = rpt_put_num(c, ws, (*r)++, 1, (double)total, NULL);
    for (int i = 0; s == TA_OK && i < RPT_NSTATUS; i++) {
        s = rpt_put_str(c, ws, *r, 0, L->status_names[i], NULL);
        if (s == TA_OK)
            s = rpt_put_num(c, ws, (*r)++, 1, (double)all->n[i], NULL);
    }
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 0, L->compliance, c->f_bold);
    if (s == TA_OK)
        s = put_pct(c, ws, (*r)++, 1, all);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 0, L->target, NULL);
    if (s == TA_OK)
        s = rpt_put_num(c, ws, (*r)++, 1, c->target, c->f_pct);
    (*r)++;
    return s;
}

static int is_exemption(const char *code)
{
    return strncmp(code, "EX_", 3) == 0;
}

/* The violations-by-code table, and its chart beside the summary. */
static ta_status summary_codes(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r,
                               const char *sheet)
{
    const rpt_lang *L = c->L;
    const rpt_stats *st = c->st;
    ta_status s = rpt_put_str(c, ws, (*r)++, 0, L->codes_head, c->f_bold);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 0, L->code, c->f_head);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, (*r)++, 1, L->tickets, c->f_head);
    lxw_row_t first = *r;
    for (size_t i = 0; s == TA_OK && i < st->ncodes; i++) {
        if (is_exemption(st->codes[i]) || st->all.codes[i] == 0)
            continue;
        s = rpt_put_str(c, ws, *r, 0, st->codes[i], NULL);
        if (s == TA_OK)
            s = rpt_put_num(c, ws, (*r)++, 1, (double)st->all.codes[i], NULL);
    }
    if (s != TA_OK)
        return s;
    if (*r == first)
        return rpt_put_str(c, ws, (*r)++, 0, L->no_codes, NULL);
    lxw_chart *ch = workbook_add_chart(c->wb, LXW_CHART_COLUMN);
    if (!ch)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
    if (!se)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    chart_series_set_categories(se, sheet, first, 0, *r - 1, 0);
    chart_series_set_values(se, sheet, first, 1, *r - 1, 1);
    chart_title_set_name(ch, L->chart_codes);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
    lxw_chart_options o = {.x_offset = 10, .y_offset = 10};
    lxw_error e = worksheet_insert_chart_opt(ws, 1, 6, ch, &o);
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

/* Compliance of the worst CSOs, read from the Per CSO sheet. */
static ta_status summary_cso_chart(rpt_ctx *c, lxw_worksheet *ws)
{
    size_t k = 0;
    while (k < c->st->ncso && k < RPT_CHART_CSOS && c->st->cso[k].has_pct)
        k++;
    if (k == 0)
        return TA_OK;
    lxw_chart *ch = workbook_add_chart(c->wb, LXW_CHART_BAR);
    if (!ch)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
    if (!se)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    const char *sheet = c->L->sheet[1];
    chart_series_set_categories(se, sheet, 1, 0, (lxw_row_t)k, 0);
    chart_series_set_values(se, sheet, 1, 6, (lxw_row_t)k, 6);
    chart_title_set_name(ch, c->L->chart_cso);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
    /* In a bar chart x is the value axis, y the category axis. */
    chart_axis_set_min(ch->x_axis, 0);
    chart_axis_set_max(ch->x_axis, 100);
    chart_axis_set_reverse(ch->y_axis); /* worst at the top */
    /* below the code and month charts (15 rows each), tall enough for a
     * readable label per CSO (about 15 px each) */
    double scale = (60.0 + 15.0 * (double)k) / 288.0;
    lxw_chart_options o = {.x_offset = 10,
                           .y_offset = 10,
                           .x_scale = 1.25,
                           .y_scale = scale > 1.0 ? scale : 1.0};
    lxw_error e = worksheet_insert_chart_opt(ws, 33, 6, ch, &o);
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

/* Overall compliance of every period in the database, and a line chart of
 * it when there are two or more. */
static ta_status summary_months(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r,
                                const char *sheet)
{
    const rpt_lang *L = c->L;
    const rpt_stats *st = c->st;
    (*r)++;
    ta_status s = rpt_put_str(c, ws, (*r)++, 0, L->months_head, c->f_bold);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 0, L->period, c->f_head);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, (*r)++, 1, L->compliance, c->f_head);
    lxw_row_t first = *r;
    for (size_t i = 0; s == TA_OK && i < st->nmonths; i++) {
        const rpt_month *m = &st->months[i];
        s = rpt_put_str(c, ws, *r, 0, m->period, NULL);
        if (s == TA_OK && m->has_pct)
            s = rpt_put_num(c, ws, *r, 1, m->pct, c->f_pct);
        (*r)++;
    }
    if (s != TA_OK || st->nmonths < 2)
        return s;
    lxw_chart *ch = workbook_add_chart(c->wb, LXW_CHART_LINE);
    if (!ch)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
    if (!se)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    chart_series_set_categories(se, sheet, first, 0, *r - 1, 0);
    chart_series_set_values(se, sheet, first, 1, *r - 1, 1);
    chart_series_set_marker_type(se, LXW_CHART_MARKER_CIRCLE);
    chart_title_set_name(ch, L->chart_months);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
    chart_axis_set_max(ch->y_axis, 100);
    lxw_chart_options o = {.x_offset = 10, .y_offset = 10};
    lxw_error e = worksheet_insert_chart_opt(ws, 17, 6, ch, &o);
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

static ta_status write_summary(rpt_ctx *c)
{
    const char *name = c->L->sheet[0];
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, name);
    if (!ws)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    lxw_error e = worksheet_set_column(ws, 0, 0, 34, NULL);
    if (e == LXW_NO_ERROR)
        e = worksheet_set_column(ws, 1, 1, 16, NULL);
    if (e == LXW_NO_ERROR)
        e = worksheet_set_column(ws, 2, 4, 12, NULL);
    if (e != LXW_NO_ERROR)
        return rpt_xlsx_fail(c, e);
    rpt_print_setup(ws, 0);
    lxw_row_t r = 0;
    ta_status s = summary_head(c, ws, &r);
    if (s == TA_OK && !c->cso)
        s = summary_files(c, ws, &r);
    if (s == TA_OK)
        s = summary_status(c, ws, &r);
    if (s == TA_OK)
        s = summary_codes(c, ws, &r, name);
    if (s == TA_OK && !c->cso)
        s = summary_months(c, ws, &r, name);
    if (s == TA_OK && !c->cso)
        s = summary_cso_chart(c, ws);
    return s;
}

/* ---- Per CSO ------------------------------------------------------ */

#define CSO_FIXED 7

static ta_status write_by_cso(rpt_ctx *c)
{
    const rpt_lang *L = c->L;
    const rpt_stats *st = c->st;
    /* the previous month and the change, after the codes, when the
     * database holds a period before the last one reported */
    int hist = st->prev[0] != '\0';
    lxw_col_t nfix = (lxw_col_t)(CSO_FIXED + st->ncodes);
    lxw_col_t ncols = (lxw_col_t)(nfix + (hist ? 2 : 0));
    const char **heads = calloc(ncols, sizeof *heads);
    double *widths = calloc(ncols, sizeof *widths);
    ta_status s = TA_OK;
    if (!heads || !widths) {
        s = rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        goto done;
    }
    const char *fixed[CSO_FIXED] = {L->cso,
                                    L->tickets,
                                    L->status_names[RPT_COMPLIANT],
                                    L->status_names[RPT_EXEMPT],
                                    L->status_names[RPT_VIOLATION],
                                    L->status_names[RPT_OUT],
                                    L->compliance};
    for (lxw_col_t i = 0; i < nfix; i++) {
        heads[i] = i < CSO_FIXED ? fixed[i] : st->codes[i - CSO_FIXED];
        widths[i] = i == 0 ? 30 : i < CSO_FIXED ? 13 : 6;
    }
    if (hist) {
        heads[nfix] = L->prev_month;
        heads[nfix + 1] = L->change;
        widths[nfix] = 13;
        widths[nfix + 1] = 13;
    }
    rpt_table t;
    table_init(&t, c, L->sheet[1], heads, widths, ncols);
    t.rot_from = CSO_FIXED;
    t.rot_to = nfix;
    s = table_sheet(&t);
    for (size_t k = 0; s == TA_OK && k < st->ncso; k++) {
        const rpt_cso *x = &st->cso[k];
        s = table_row(&t);
        if (s != TA_OK)
            break;
        int low = x->has_pct && x->pct < c->target;
        s = rpt_put_str(c, t.ws, t.cur, 0,
                        x->name[0] ? x->name : L->unknown_cso,
                        low ? c->f_low : NULL);
        long long total = 0;
        for (int i = 0; i < RPT_NSTATUS; i++)
            total += x->n[i];
        if (s == TA_OK)
            s = rpt_put_num(c, t.ws, t.cur, 1, (double)total, NULL);
        for (int i = 0; s == TA_OK && i < RPT_NSTATUS; i++)
            s = rpt_put_num(c, t.ws, t.cur, (lxw_col_t)(2 + i),
                            (double)x->n[i], NULL);
        if (s == TA_OK)
            s = put_pct(c, t.ws, t.cur, 6, x);
        for (size_t i = 0; s == TA_OK && i < st->ncodes; i++)
            s = rpt_put_num(c, t.ws, t.cur, (lxw_col_t)(CSO_FIXED + i),
                            (double)x->codes[i], NULL);
        if (s == TA_OK && hist && x->has_prev)
            s = rpt_put_num(c, t.ws, t.cur, nfix, x->prev_pct, c->f_pct);
        /* in points, between the rounded figures shown */
        if (s == TA_OK && hist && x->has_prev && x->has_last)
            s = rpt_put_num(c, t.ws, t.cur, (lxw_col_t)(nfix + 1),
                            round((x->last_pct - x->prev_pct) * 100.0) / 100.0,
                            c->f_change);
    }
    if (s == TA_OK)
        s = table_end_sheet(&t);
done:
    free(heads);
    free(widths);
    return s;
}

/* ---- Temuan and Pengecualian -------------------------------------- */

/* The main workbook reads every finding of the period in the order the
 * rows were imported (rowid order: a sequential scan, nothing sorted, so
 * neither a sorter's memory nor its temporary files grow with the number
 * of findings). Exports list tickets by date, so this is by date within
 * each import; the filter sorts by CSO. Measured at 1M findings: 0.4 s
 * against 2.2 s sorted by CSO and 3.4 s through the audit_results view
 * (docs/report.md). The unary + keeps SQLite off any index on period or
 * status: through an index every row would be a random page read. */
static const char tickets_sql[] =
    "SELECT source, ticket_id, date, cso, category, codes, evidence, email,"
    " hp, notes FROM tickets"
    " WHERE +period BETWEEN ?1 AND ?2 AND +status = ?3";

/* One CSO's findings, sorted by date, through the temporary index that
 * report.c builds once for all the per-CSO workbooks (temp.rpt_cso: the
 * period's findings, so ?1 and ?2 were applied there). */
static const char cso_tickets_sql[] =
    "SELECT t.source, t.ticket_id, t.date, t.cso, t.category, t.codes,"
    " t.evidence, t.email, t.hp, t.notes FROM temp.rpt_cso r"
    " JOIN tickets t ON t.rowid = r.rid"
    " WHERE r.cso = ?4 AND r.status = ?3 AND ?1 <= ?2"
    " ORDER BY r.date, r.source, r.ticket_id";

static ta_status ticket_row(rpt_ctx *c, rpt_table *t, sqlite3_stmt *q,
                            int evidence)
{
    lxw_worksheet *ws = t->ws;
    lxw_row_t r = t->cur;
    size_t len;
    const char *v;
    ta_status s = TA_OK;
    lxw_col_t col = 0;
    for (int i = 0; s == TA_OK && i < 7; i++) {
        if (i == 6 && !evidence)
            break;
        v = rpt_col_text(q, i, &len);
        if (i == 3 && len == 0) {
            v = c->L->unknown_cso;
            len = strlen(v);
        }
        s = rpt_put_text(c, ws, r, col++, v, len, NULL);
    }
    v = rpt_col_text(q, 7, &len);
    if (s == TA_OK)
        s = rpt_put_masked(c, ws, r, col++, v, len, mask_email);
    v = rpt_col_text(q, 8, &len);
    if (s == TA_OK)
        s = rpt_put_masked(c, ws, r, col++, v, len, mask_phone);
    v = rpt_col_text(q, 9, &len);
    if (s == TA_OK)
        s = rpt_put_excerpt(c, ws, r, col, v, len);
    return s;
}

static ta_status write_tickets(rpt_ctx *c, int exempt)
{
    const rpt_lang *L = c->L;
    const char *heads[] = {L->source,   L->ticket, L->date,     L->cso,
                           L->category, L->codes,  L->evidence, L->email,
                           L->hp,       L->notes};
    const double widths[] = {8, 18, 11, 24, 11, 30, 36, 24, 17, 70};
    const char *h[10];
    double w[10];
    lxw_col_t n = 0;
    for (int i = 0; i < 10; i++) {
        if (i == 6 && !exempt)
            continue;
        h[n] = heads[i];
        w[n++] = widths[i];
    }
    rpt_table t;
    ta_status s = table_open(&t, c, L->sheet[exempt ? 3 : 2], h, w, n);
    sqlite3_stmt *q = NULL;
    /* none to list: spare the scan of the whole table */
    long long want = c->st->all.n[exempt ? RPT_EXEMPT : RPT_VIOLATION];
    if (s == TA_OK && want > 0)
        s = db_prepare(c->db, c->cso ? cso_tickets_sql : tickets_sql, &q,
                       c->err, c->errlen);
    if (s == TA_OK && q) {
        int bound = SQLITE_OK;
        db_bound(&bound,
                 sqlite3_bind_text(q, 1, c->st->first, -1, SQLITE_STATIC));
        db_bound(&bound,
                 sqlite3_bind_text(q, 2, c->st->last, -1, SQLITE_STATIC));
        db_bound(&bound,
                 sqlite3_bind_text(q, 3, exempt ? "exempt" : "violation", -1,
                                   SQLITE_STATIC));
        if (c->cso)
            db_bound(&bound,
                     sqlite3_bind_text(q, 4, c->cso, -1, SQLITE_STATIC));
        if (bound != SQLITE_OK)
            s = db_fail(c->db, "reading the audit results", c->err, c->errlen);
    }
    int rc = SQLITE_DONE;
    while (s == TA_OK && q && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        s = table_row(&t);
        if (s == TA_OK)
            s = ticket_row(c, &t, q, exempt);
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(c->db, "reading the audit results", c->err, c->errlen);
    sqlite3_finalize(q);
    if (s == TA_OK)
        s = table_end_sheet(&t);
    return s;
}

/* ---- Ditolak ------------------------------------------------------ */

static ta_status write_rejected(rpt_ctx *c)
{
    const rpt_lang *L = c->L;
    const char *heads[] = {L->file, L->line, L->reason, L->raw};
    const double widths[] = {30, 8, 50, 90};
    rpt_table t;
    ta_status s = table_open(&t, c, L->sheet[4], heads, widths, 4);
    sqlite3_stmt *q = NULL;
    if (s == TA_OK)
        s = db_prepare(c->db,
                       "SELECT file, line, reason, raw FROM rejects"
                       " ORDER BY import_id, line, id",
                       &q, c->err, c->errlen);
    int rc = SQLITE_DONE;
    while (s == TA_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        size_t len;
        const char *v;
        s = table_row(&t);
        v = rpt_col_text(q, 0, &len);
        if (s == TA_OK)
            s = rpt_put_text(c, t.ws, t.cur, 0, v, len, NULL);
        if (s == TA_OK)
            s = rpt_put_num(c, t.ws, t.cur, 1,
                            (double)sqlite3_column_int64(q, 1), NULL);
        v = rpt_col_text(q, 2, &len);
        if (s == TA_OK)
            s = rpt_put_masked(c, t.ws, t.cur, 2, v, len, mask_text);
        v = rpt_col_text(q, 3, &len);
        if (s == TA_OK)
            s = rpt_put_masked(c, t.ws, t.cur, 3, v, len, mask_text);
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(c->db, "reading the rejected rows", c->err, c->errlen);
    sqlite3_finalize(q);
    if (s == TA_OK)
        s = table_end_sheet(&t);
    return s;
}

/* ---- the workbook -------------------------------------------------- */

static ta_status add_formats(rpt_ctx *c)
{
    c->f_title = workbook_add_format(c->wb);
    c->f_head = workbook_add_format(c->wb);
    c->f_bold = workbook_add_format(c->wb);
    c->f_pct = workbook_add_format(c->wb);
    c->f_pct_low = workbook_add_format(c->wb);
    c->f_low = workbook_add_format(c->wb);
    c->f_change = workbook_add_format(c->wb);
    c->f_head_rot = workbook_add_format(c->wb);
    c->f_head_wrap = workbook_add_format(c->wb);
    if (!c->f_change || !c->f_head_rot || !c->f_head_wrap || !c->f_title ||
        !c->f_head || !c->f_bold || !c->f_pct || !c->f_pct_low || !c->f_low)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    format_set_bold(c->f_title);
    format_set_font_size(c->f_title, 14);
    format_set_bold(c->f_head);
    format_set_bg_color(c->f_head, 0xD9E1F2);
    format_set_bottom(c->f_head, LXW_BORDER_THIN);
    /* Per CSO's header row is tall: codes upwards, other names wrapped */
    lxw_format *tall[2] = {c->f_head_rot, c->f_head_wrap};
    for (int i = 0; i < 2; i++) {
        format_set_bold(tall[i]);
        format_set_bg_color(tall[i], 0xD9E1F2);
        format_set_bottom(tall[i], LXW_BORDER_THIN);
        format_set_align(tall[i], LXW_ALIGN_VERTICAL_BOTTOM);
    }
    format_set_rotation(c->f_head_rot, 90);
    format_set_text_wrap(c->f_head_wrap);
    format_set_bold(c->f_bold);
    format_set_num_format(c->f_pct, "0.00");
    format_set_num_format(c->f_pct_low, "0.00");
    format_set_num_format(c->f_change, "+0.00;-0.00;0.00");
    /* Excel's "light red fill with dark red text" */
    format_set_bg_color(c->f_pct_low, 0xFFC7CE);
    format_set_font_color(c->f_pct_low, 0x9C0006);
    format_set_bg_color(c->f_low, 0xFFC7CE);
    format_set_font_color(c->f_low, 0x9C0006);
    return TA_OK;
}

ta_status rpt_write_sheets(rpt_ctx *c)
{
    ta_status s = add_formats(c);
    if (s == TA_OK)
        s = write_summary(c);
    if (s == TA_OK && !c->cso)
        s = write_by_cso(c);
    if (s == TA_OK)
        s = write_tickets(c, 0);
    if (s == TA_OK)
        s = write_tickets(c, 1);
    if (s == TA_OK && !c->cso)
        s = write_rejected(c);
    if (s == TA_OK && !c->cso)
        s = rpt_write_signals(c);
    return s;
}
