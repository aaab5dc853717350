/*
 * summary_sheet.c — the Ringkasan / Summary sheet: what was audited
 * (period, time, rules, the imports of the period's tickets), the totals
 * by status, compliance before and after review and the QA decisions, the
 * signals, violations by code, the legend of every code and mark, and the
 * compliance per month; on the right the charts (violations by code,
 * compliance by month, the worst CSOs with those with signals in orange).
 *
 * A CSO's own workbook shows the CSO's figures beside the team's, the
 * CSO's rank and signals, and its codes; no file list, no CSO chart.
 *
 * Rows are written top to bottom (constant-memory mode); the tables take
 * columns A-F, the charts start at column H.
 */
#include "report_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"

#define CHART_COL 7  /* H */
#define LEGEND_LAST 5 /* F: a meaning spans C-F */

/* A label and a value on row *r, which it advances. */
static ta_status pair_str(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r,
                          const char *label, const char *value)
{
    ta_status s = rpt_put_str(c, ws, *r, 0, label, c->f.bold);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 1, value, NULL);
    (*r)++;
    return s;
}

static ta_status summary_files(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r)
{
    const rpt_lang *L = c->L;
    const char *heads[] = {L->file, L->source, L->read, L->imported,
                           L->rejected};
    ta_status s = rpt_put_str(c, ws, (*r)++, 0, L->files, c->f.bold);
    for (lxw_col_t i = 0; s == TA_OK && i < 5; i++)
        s = rpt_put_str(c, ws, *r, i, heads[i], i ? c->f.head_num : c->f.head);
    (*r)++;
    sqlite3_stmt *q = NULL;
    /* the imports holding the period's tickets, and those that imported
     * nothing (they have no period; hiding them would hide their rejected
     * rows) */
    if (s == TA_OK)
        s = db_prepare(c->db,
                       "SELECT file, source, rows_read, rows_imported, "
                       "rows_rejected FROM imports WHERE id IN (SELECT "
                       "value FROM json_each(?1)) OR rows_imported = 0 "
                       "ORDER BY id",
                       &q, c->err, c->errlen);
    if (s == TA_OK &&
        sqlite3_bind_text(q, 1, c->st->imports_json, -1, SQLITE_STATIC) !=
            SQLITE_OK)
        s = db_fail(c->db, "reading the imports", c->err, c->errlen);
    int rc = SQLITE_DONE;
    while (s == TA_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        size_t len, bl, sl;
        const char *file = rpt_col_text(q, 0, &len);
        file = file ? file : "";
        const char *base = rpt_base_name(file, len, &bl);
        const char *sv = rpt_col_text(q, 1, &sl);
        char src[16];
        rpt_source_word(sv, sl, src);
        /* the name; the whole path as the cell's note */
        s = rpt_put_text(c, ws, *r, 0, base, bl, c->f.text);
        if (s == TA_OK && bl != len)
            s = rpt_put_note(c, ws, *r, 0, file);
        if (s == TA_OK)
            s = rpt_put_str(c, ws, *r, 1, src, NULL);
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

/* "bawaan (audit 2026-11-01 07:00 +07:00)" and the program's version. */
static ta_status summary_rules(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r)
{
    const rpt_lang *L = c->L;
    sqlite3_stmt *q = NULL;
    ta_status s = db_prepare(c->db,
                             "SELECT rules, program_version, run_at FROM "
                             "audits WHERE id = ?1",
                             &q, c->err, c->errlen);
    if (s != TA_OK)
        return s;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_int64(q, 1, c->st->audit_id));
    int rc = bound == SQLITE_OK ? sqlite3_step(q) : bound;
    if (rc == SQLITE_ROW) {
        char buf[256], when[32];
        const char *rules = (const char *)sqlite3_column_text(q, 0);
        rpt_local_stamp((const char *)sqlite3_column_text(q, 2), when);
        snprintf(buf, sizeof buf, "%s (audit %s)",
                 rules && strcmp(rules, "default") == 0 ? L->rules_default
                                                         : rules ? rules : "",
                 when);
        s = pair_str(c, ws, r, L->rules, buf);
        snprintf(buf, sizeof buf, "ticket-audit %s",
                 (const char *)sqlite3_column_text(q, 1));
        if (s == TA_OK)
            s = pair_str(c, ws, r, L->program, buf);
    } else if (rc != SQLITE_DONE) {
        s = db_fail(c->db, "reading the audits", c->err, c->errlen);
    }
    sqlite3_finalize(q);
    return s;
}

static ta_status summary_head(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r)
{
    const rpt_lang *L = c->L;
    const rpt_stats *st = c->st;
    char buf[256];
    ta_status s = rpt_put_str(c, ws, (*r)++, 0,
                              c->cso ? L->title_cso : L->title, c->f.title);
    if (s == TA_OK && c->cso)
        s = pair_str(c, ws, r, L->cso, c->cso[0] ? c->cso : L->unknown_cso);
    if (strcmp(st->first, st->last) == 0)
        snprintf(buf, sizeof buf, "%s", st->first);
    else
        snprintf(buf, sizeof buf, "%s %s %s", st->first, L->all_periods_to,
                 st->last);
    if (s == TA_OK)
        s = pair_str(c, ws, r, L->period, buf);
    char now[32];
    rpt_local_time((long long)time(NULL), now);
    snprintf(buf, sizeof buf, "%s (%s)", now, L->local_time);
    if (s == TA_OK)
        s = pair_str(c, ws, r, L->generated, buf);
    if (s == TA_OK)
        s = summary_rules(c, ws, r);
    if (s == TA_OK)
        s = rpt_put_merged(c, ws, (*r)++, 0, LEGEND_LAST,
                           c->opt->no_mask ? L->unmasked_note
                                           : L->masked_note,
                           c->f.text);
    (*r)++;
    return s;
}

/* One row of the status table: a label, the CSO's (or the whole
 * report's) value and, in a CSO's workbook, the team's. */
static ta_status status_line(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r,
                             const char *label, lxw_format *fl, double v,
                             double team)
{
    ta_status s = rpt_put_str(c, ws, *r, 0, label, fl);
    if (s == TA_OK)
        s = rpt_put_num(c, ws, *r, 1, v, NULL);
    if (s == TA_OK && c->cso)
        s = rpt_put_num(c, ws, *r, 2, team, NULL);
    (*r)++;
    return s;
}

static long long total_of(const rpt_cso *x)
{
    long long t = 0;
    for (int i = 0; i < RPT_NSTATUS; i++)
        t += x->n[i];
    return t;
}

static ta_status summary_status(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r)
{
    const rpt_lang *L = c->L;
    const rpt_cso *all = &c->st->all, *team = &c->st->whole->all;
    ta_status s = rpt_put_str(c, ws, *r, 0, L->status, c->f.head);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 1, c->cso ? L->this_cso : L->count,
                        c->f.head_num);
    if (s == TA_OK && c->cso)
        s = rpt_put_str(c, ws, *r, 2, L->team, c->f.head_num);
    (*r)++;
    if (s == TA_OK)
        s = status_line(c, ws, r, L->tickets, c->f.bold,
                        (double)total_of(all), (double)total_of(team));
    for (int i = 0; s == TA_OK && i < RPT_NSTATUS; i++)
        s = status_line(c, ws, r, L->status_names[i], NULL, (double)all->n[i],
                        (double)team->n[i]);
    const char *pl[2] = {L->compliance, L->compliance_rev};
    for (int k = 0; s == TA_OK && k < 2; k++) {
        s = rpt_put_str(c, ws, *r, 0, pl[k], c->f.bold);
        if (s == TA_OK)
            s = k ? rpt_put_pct(c, ws, *r, 1, all->has_rpct, all->rpct)
                  : rpt_put_pct(c, ws, *r, 1, all->has_pct, all->pct);
        if (s == TA_OK && c->cso)
            s = k ? rpt_put_pct(c, ws, *r, 2, team->has_rpct, team->rpct)
                  : rpt_put_pct(c, ws, *r, 2, team->has_pct, team->pct);
        (*r)++;
    }
    if (s == TA_OK && c->cso) {
        size_t of, rank = rpt_stats_rank(c->st->whole, all, &of);
        char buf[64];
        if (rank) {
            rpt_word_rank(c->L, rank, of, buf, sizeof buf);
            s = pair_str(c, ws, r, L->rank, buf);
        }
    }
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 0, L->target, NULL);
    if (s == TA_OK)
        s = rpt_put_num(c, ws, (*r)++, 1, c->target, c->f.pct);
    (*r)++;
    return s;
}

/* The QA decisions on the tickets shown: upheld + overturned + stale =
 * decisions. */
static ta_status summary_decisions(rpt_ctx *c, lxw_worksheet *ws,
                                   lxw_row_t *r)
{
    const rpt_lang *L = c->L;
    const rpt_cso *all = &c->st->all;
    const char *labels[4] = {L->decisions, L->upheld, L->overturned,
                             L->stale};
    double v[4] = {(double)(all->upheld + all->overturned + all->stale),
                   (double)all->upheld, (double)all->overturned,
                   (double)all->stale};
    ta_status s = rpt_put_str(c, ws, (*r)++, 0, L->review_head, c->f.bold);
    for (int i = 0; s == TA_OK && i < 4; i++) {
        s = rpt_put_str(c, ws, *r, 0, labels[i], i ? NULL : c->f.bold);
        if (s == TA_OK)
            s = rpt_put_num(c, ws, (*r)++, 1, v[i], NULL);
    }
    (*r)++;
    return s;
}

/* The signals of the periods (or naming the CSO), and where to read
 * them. */
static ta_status summary_signals(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r)
{
    const rpt_lang *L = c->L;
    const long long *n = c->cso ? c->st->all.sig : c->st->sig_total;
    ta_status s = rpt_put_str(c, ws, (*r)++, 0,
                              c->cso ? L->sig_of_cso : L->signals_head,
                              c->f.bold);
    for (int i = 0; s == TA_OK && i < RPT_NSIG; i++) {
        s = rpt_put_str(c, ws, *r, 0, L->sig_col[i], NULL);
        if (s == TA_OK)
            s = rpt_put_num(c, ws, *r, 1, (double)n[i],
                            n[i] > 0 ? c->f.sig : NULL);
        (*r)++;
    }
    if (s == TA_OK)
        s = rpt_put_str(c, ws, (*r)++, 0, L->see_signals, NULL);
    (*r)++;
    return s;
}

/* A chart of one series: categories in column cat and values in column
 * val of rows first..last of sheet, titled, without a legend. */
static ta_status one_series_chart(rpt_ctx *c, uint8_t type, const char *sheet,
                                  lxw_row_t first, lxw_row_t last,
                                  lxw_col_t cat, lxw_col_t val,
                                  const char *title, lxw_chart **ch,
                                  lxw_chart_series **se)
{
    *ch = workbook_add_chart(c->wb, type);
    *se = *ch ? chart_add_series(*ch, NULL, NULL) : NULL;
    if (!*se)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    chart_series_set_categories(*se, sheet, first, cat, last, cat);
    chart_series_set_values(*se, sheet, first, val, last, val);
    chart_title_set_name(*ch, title);
    chart_legend_set_position(*ch, LXW_CHART_LEGEND_NONE);
    return TA_OK;
}

/* The violations-by-code table (label, tickets, code) and its chart. */
static ta_status summary_codes(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r,
                               const char *sheet)
{
    const rpt_lang *L = c->L;
    const rpt_stats *st = c->st;
    ta_status s = rpt_put_str(c, ws, (*r)++, 0, L->codes_head, c->f.bold);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 0, L->label, c->f.head);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 1, L->count, c->f.head_num);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 2, L->code, c->f.head_indent);
    (*r)++;
    lxw_row_t first = *r;
    /* in the legend's order */
    for (size_t k = 0; s == TA_OK && k < rpt_code_count(); k++) {
        const char *code = rpt_code_at(k);
        if (rpt_code_is_exemption(code, strlen(code)))
            continue;
        for (size_t i = 0; s == TA_OK && i < st->ncodes; i++) {
            if (strcmp(st->codes[i], code) != 0 || st->all.codes[i] == 0)
                continue;
            s = rpt_put_str(c, ws, *r, 0, rpt_code_label(L, code,
                                                         strlen(code)),
                            NULL);
            if (s == TA_OK)
                s = rpt_put_num(c, ws, *r, 1, (double)st->all.codes[i], NULL);
            if (s == TA_OK)
                s = rpt_put_str(c, ws, (*r)++, 2, code, c->f.indent);
        }
    }
    if (s != TA_OK)
        return s;
    if (*r == first) {
        s = rpt_put_str(c, ws, (*r)++, 0, L->no_codes, NULL);
        (*r)++;
        return s;
    }
    lxw_chart *ch;
    lxw_chart_series *se;
    s = one_series_chart(c, LXW_CHART_COLUMN, sheet, first, *r - 1, 0, 1,
                         L->chart_codes, &ch, &se);
    if (s != TA_OK)
        return s;
    chart_axis_set_interval_unit(ch->x_axis, 1);
    lxw_chart_options o = {.x_offset = 10, .y_offset = 10, .x_scale = 1.25};
    lxw_error e = worksheet_insert_chart_opt(ws, 1, CHART_COL, ch, &o);
    (*r)++;
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

/* A row whose merged cell holds text s: tall enough for its lines (a
 * merged cell does not grow by itself). */
static lxw_error legend_height(lxw_worksheet *ws, lxw_row_t r,
                               const char *text, double width)
{
    int lines = rpt_text_lines(text, strlen(text), width);
    return lines > 1 ? worksheet_set_row(ws, r, 15.0 * lines, NULL)
                     : LXW_NO_ERROR;
}

/* Every code with its label and meaning, violations first, then what the
 * colours and marks mean. */
static ta_status summary_legend(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r,
                                double meaning_width, double full_width)
{
    const rpt_lang *L = c->L;
    ta_status s = rpt_put_str(c, ws, (*r)++, 0, L->legend_head, c->f.bold);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 0, L->code, c->f.head);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 1, L->label, c->f.head);
    if (s == TA_OK)
        s = rpt_put_merged(c, ws, *r, 2, LEGEND_LAST, L->meaning, c->f.head);
    (*r)++;
    for (int ex = 0; s == TA_OK && ex < 2; ex++) {
        s = rpt_put_merged(c, ws, (*r)++, 0, LEGEND_LAST,
                           ex ? L->band_exemptions : L->band_violations,
                           c->f.band);
        for (size_t k = 0; s == TA_OK && k < rpt_code_count(); k++) {
            const char *code = rpt_code_at(k);
            size_t len = strlen(code);
            if (rpt_code_is_exemption(code, len) != ex)
                continue;
            const char *m = rpt_code_meaning(L, code, len);
            lxw_error e = legend_height(ws, *r, m, meaning_width);
            if (e != LXW_NO_ERROR)
                return rpt_xlsx_fail(c, e);
            s = rpt_put_str(c, ws, *r, 0, code, c->f.legend);
            if (s == TA_OK)
                s = rpt_put_str(c, ws, *r, 1, rpt_code_label(L, code, len),
                                c->f.legend);
            if (s == TA_OK)
                s = rpt_put_merged(c, ws, (*r)++, 2, LEGEND_LAST, m,
                                   c->f.legend);
        }
    }
    const char *marks[3] = {L->legend_low, L->legend_signal, L->legend_review};
    for (int i = 0; s == TA_OK && i < 3; i++) {
        if (i == 1 && c->cso)
            continue; /* no Per CSO sheet, no CSO chart */
        lxw_error e = legend_height(ws, *r, marks[i], full_width);
        if (e != LXW_NO_ERROR)
            return rpt_xlsx_fail(c, e);
        s = rpt_put_merged(c, ws, (*r)++, 0, LEGEND_LAST, marks[i],
                           c->f.legend);
    }
    (*r)++;
    return s;
}

/* Compliance of the worst CSOs, read from the Per CSO sheet; a CSO with
 * signals has an orange bar. From row at, beside the legend, both on a
 * second printed page (the figures and the other charts on the first),
 * so that the chart is never split between two pages. */
static ta_status summary_cso_chart(rpt_ctx *c, lxw_worksheet *ws,
                                   lxw_row_t at)
{
    size_t k = 0;
    while (k < c->st->ncso && k < RPT_CHART_CSOS && c->st->cso[k].has_pct)
        k++;
    if (k == 0)
        return TA_OK;
    lxw_chart *ch;
    lxw_chart_series *se;
    /* Per CSO's rows start under its band and header rows */
    ta_status s = one_series_chart(c, LXW_CHART_BAR,
                                   c->L->sheet[RPT_SH_BY_CSO], 2,
                                   (lxw_row_t)(k + 1), 0, 6, c->L->chart_cso,
                                   &ch, &se);
    if (s != TA_OK)
        return s;
    lxw_chart_fill fills[2] = {{.color = 0x4472C4}, {.color = 0xED7D31}};
    lxw_chart_point pts[RPT_CHART_CSOS];
    lxw_chart_point *pp[RPT_CHART_CSOS + 1];
    for (size_t i = 0; i < k; i++) {
        const rpt_cso *x = &c->st->cso[i];
        int sig = x->sig[0] > 0 || x->sig[1] > 0 || x->sig[2] > 0;
        memset(&pts[i], 0, sizeof pts[i]);
        pts[i].fill = &fills[sig];
        pp[i] = &pts[i];
    }
    pp[k] = NULL;
    lxw_error e = chart_series_set_points(se, pp);
    if (e != LXW_NO_ERROR)
        return rpt_xlsx_fail(c, e);
    /* In a bar chart x is the value axis, y the category axis. */
    chart_axis_set_min(ch->x_axis, 0);
    chart_axis_set_max(ch->x_axis, 100);
    chart_axis_set_reverse(ch->y_axis); /* worst at the top */
    chart_axis_set_interval_unit(ch->y_axis, 1); /* every CSO labelled */
    lxw_chart_font font = {.size = 8};
    chart_axis_set_num_font(ch->y_axis, &font);
    /* 12 px a CSO: 50 CSOs fit one printed page */
    double scale = (70.0 + 12.0 * (double)k) / 288.0;
    lxw_chart_options o = {.x_offset = 10,
                           .y_offset = 10,
                           .x_scale = 1.25,
                           .y_scale = scale > 1.0 ? scale : 1.0};
    e = worksheet_insert_chart_opt(ws, at, CHART_COL, ch, &o);
    if (e == LXW_NO_ERROR) {
        lxw_row_t breaks[] = {at, 0};
        e = worksheet_set_h_pagebreaks(ws, breaks);
    }
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

/* Overall compliance of every period in the database, and a line chart of
 * it when there are two or more. */
static ta_status summary_months(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r,
                                const char *sheet)
{
    const rpt_lang *L = c->L;
    const rpt_stats *st = c->st;
    ta_status s = rpt_put_str(c, ws, (*r)++, 0, L->months_head, c->f.bold);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, *r, 0, L->period, c->f.head);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, (*r)++, 1, L->compliance, c->f.head_num);
    lxw_row_t first = *r;
    for (size_t i = 0; s == TA_OK && i < st->nmonths; i++) {
        const rpt_month *m = &st->months[i];
        s = rpt_put_str(c, ws, *r, 0, m->period, NULL);
        if (s == TA_OK && m->has_pct)
            s = rpt_put_num(c, ws, *r, 1, m->pct, c->f.pct);
        (*r)++;
    }
    if (s != TA_OK || st->nmonths < 2)
        return s;
    lxw_chart *ch;
    lxw_chart_series *se;
    s = one_series_chart(c, LXW_CHART_LINE, sheet, first, *r - 1, 0, 1,
                         L->chart_months, &ch, &se);
    if (s != TA_OK)
        return s;
    chart_series_set_marker_type(se, LXW_CHART_MARKER_CIRCLE);
    chart_axis_set_max(ch->y_axis, 100);
    lxw_chart_options o = {.x_offset = 10, .y_offset = 10, .x_scale = 1.25};
    lxw_error e = worksheet_insert_chart_opt(ws, 17, CHART_COL, ch, &o);
    return e == LXW_NO_ERROR ? TA_OK : rpt_xlsx_fail(c, e);
}

ta_status rpt_write_summary(rpt_ctx *c)
{
    const char *name = c->L->sheet[RPT_SH_SUMMARY];
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, name);
    if (!ws)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    /* A: labels, codes; B: values, labels; C-F: figures, meanings */
    static const double widths[] = {34, 32, 13, 13, 13, 13, 3};
    double meaning = widths[2] + widths[3] + widths[4] + widths[5];
    double full = meaning + widths[0] + widths[1];
    for (lxw_col_t i = 0; i < sizeof widths / sizeof *widths; i++) {
        lxw_error e = worksheet_set_column(ws, i, i, widths[i], NULL);
        if (e != LXW_NO_ERROR)
            return rpt_xlsx_fail(c, e);
    }
    rpt_print_setup(ws, 0);
    lxw_row_t r = 0;
    ta_status s = summary_head(c, ws, &r);
    if (s == TA_OK && !c->cso)
        s = summary_files(c, ws, &r);
    if (s == TA_OK)
        s = summary_status(c, ws, &r);
    if (s == TA_OK)
        s = summary_decisions(c, ws, &r);
    if (s == TA_OK)
        s = summary_signals(c, ws, &r);
    if (s == TA_OK)
        s = summary_codes(c, ws, &r, name);
    lxw_row_t legend = r;
    if (s == TA_OK)
        s = summary_legend(c, ws, &r, meaning, full);
    if (s == TA_OK && !c->cso)
        s = summary_months(c, ws, &r, name);
    if (s == TA_OK && !c->cso)
        s = summary_cso_chart(c, ws, legend);
    return s;
}
