/*
 * review_sheet.c — the Tinjauan / Review sheet: every QA decision stored
 * for the tickets of the periods (`reviews`, one per ticket, the latest;
 * docs/schema.md), with the ticket's status when it was reviewed, the
 * decision, reviewer, note, where it was read from and when, and the
 * stale ones (the ticket changed since: its fingerprint is no longer the
 * one reviewed) marked and greyed. In a CSO's workbook, the decisions on
 * that CSO's tickets. One line saying so when there is none.
 *
 * The decisions are few (typed by people), so one join from reviews to
 * the tickets (reviewed_results) through their unique index, sorted, is
 * cheap whatever the number of tickets. This sheet has no key column: it
 * is not read back.
 */
#include "report_internal.h"

#include <sqlite3.h>
#include <string.h>

#include "db.h"

/* From the reviews (CROSS JOIN: read first, each ticket found by its
 * index), stale as reviewed_results defines it. */
static const char review_sql[] =
    "SELECT r.source, r.ticket_id, v.cso, r.status, r.decision, r.reviewer,"
    " r.note, r.file, r.sheet, r.row, r.decided_at, v.stale"
    " FROM reviews r CROSS JOIN reviewed_results v ON v.source = r.source"
    " AND v.ticket_id = r.ticket_id"
    " WHERE v.period BETWEEN ?1 AND ?2 AND (?3 IS NULL OR v.cso = ?3)"
    " ORDER BY r.decided_at, r.source, r.ticket_id";

static ta_status review_row(rpt_ctx *c, rpt_table *t, sqlite3_stmt *q)
{
    const rpt_lang *L = c->L;
    lxw_worksheet *ws = t->ws;
    lxw_row_t r = t->cur;
    int stale = sqlite3_column_int(q, 11);
    lxw_format *tx = stale ? c->f.stale : c->f.text;
    size_t len;
    const char *v = rpt_col_text(q, 0, &len);
    char src[16];
    size_t n = rpt_source_word(v, len, src);
    ta_status s = rpt_put_text(c, ws, r, 0, src, n, tx);
    v = rpt_col_text(q, 1, &len);
    if (s == TA_OK)
        s = rpt_put_text(c, ws, r, 1, v, len, tx);
    v = rpt_col_text(q, 2, &len);
    if (s == TA_OK)
        s = len ? rpt_put_text(c, ws, r, 2, v, len, tx)
                : rpt_put_str(c, ws, r, 2, L->unknown_cso, tx);
    const char *st = (const char *)sqlite3_column_text(q, 3);
    const char *sw = rpt_status_word(L, st);
    if (s == TA_OK)
        s = rpt_put_str(c, ws, r, 3, sw ? sw : st, tx);
    const char *d = (const char *)sqlite3_column_text(q, 4);
    const char *dw = !d                            ? d
                     : strcmp(d, "upheld") == 0     ? L->upheld
                     : strcmp(d, "overturned") == 0 ? L->overturned
                                                    : d;
    if (s == TA_OK)
        s = rpt_put_str(c, ws, r, 4, dw, tx);
    for (int i = 5; s == TA_OK && i < 9; i++) {
        v = rpt_col_text(q, i, &len);
        s = rpt_put_text(c, ws, r, (lxw_col_t)i, v, len, tx);
    }
    if (s == TA_OK)
        s = rpt_put_num(c, ws, r, 9, (double)sqlite3_column_int64(q, 9),
                        NULL);
    if (s == TA_OK)
        s = rpt_put_stamp(c, ws, r, 10,
                          (const char *)sqlite3_column_text(q, 10),
                          c->f.stamp);
    if (s == TA_OK && stale)
        s = rpt_put_str(c, ws, r, 11, L->stale_mark, c->f.sig);
    return s;
}

ta_status rpt_write_review(rpt_ctx *c)
{
    const rpt_lang *L = c->L;
    const rpt_cso *all = &c->st->all;
    if (all->upheld + all->overturned + all->stale == 0) {
        lxw_worksheet *ws =
            workbook_add_worksheet(c->wb, L->sheet[RPT_SH_REVIEW]);
        if (!ws)
            return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        rpt_print_setup(ws, 0);
        lxw_error e = worksheet_set_column(ws, 0, 0, 80, NULL);
        if (e != LXW_NO_ERROR)
            return rpt_xlsx_fail(c, e);
        return rpt_put_str(c, ws, 0, 0, L->review_none, NULL);
    }
    const rpt_col cols[] = {
        {L->source, 8, 0},       {L->ticket, 16, 0},  {L->cso, 22, 0},
        {L->status_then, 14, 0}, {L->decision, 12, 0}, {L->reviewer, 16, 0},
        {L->qa_note, 36, 0},     {L->file, 30, 0},     {L->sheet_col, 14, 0},
        {L->row, 8, 1},          {L->decided_at, 17, 1},
        {L->stale_mark, 9, 0}};
    rpt_table t;
    rpt_table_init(&t, c, L->sheet[RPT_SH_REVIEW], cols,
                   (lxw_col_t)(sizeof cols / sizeof *cols));
    ta_status s = rpt_table_sheet(&t);
    sqlite3_stmt *q = NULL;
    if (s == TA_OK)
        s = db_prepare(c->db, review_sql, &q, c->err, c->errlen);
    if (s == TA_OK) {
        int bound = SQLITE_OK;
        db_bound(&bound,
                 sqlite3_bind_text(q, 1, c->st->first, -1, SQLITE_STATIC));
        db_bound(&bound,
                 sqlite3_bind_text(q, 2, c->st->last, -1, SQLITE_STATIC));
        db_bound(&bound, c->cso ? sqlite3_bind_text(q, 3, c->cso, -1,
                                                    SQLITE_STATIC)
                                : sqlite3_bind_null(q, 3));
        if (bound != SQLITE_OK)
            s = db_fail(c->db, "reading the QA decisions", c->err, c->errlen);
    }
    int rc = SQLITE_DONE;
    while (s == TA_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        s = rpt_table_row(&t);
        if (s == TA_OK)
            s = review_row(c, &t, q);
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(c->db, "reading the QA decisions", c->err, c->errlen);
    sqlite3_finalize(q);
    if (s == TA_OK)
        s = rpt_table_end(&t);
    return s;
}
