/*
 * tickets_sheet.c — the Temuan / Findings and Pengecualian / Exemptions
 * sheets (one row per ticket in violation, or exempt) and Ditolak /
 * Rejected (one row per rejected row of the listed imports).
 *
 * A ticket's row: source, ticket, date (a date cell), CSO, category, its
 * codes each with its label in the report's language, for an exemption
 * the worded evidence, the masked email and HP, the notes
 * excerpt, then the QA decision columns (SPEC §5 "Review"): the decision
 * (a drop-down list), the note and the reviewer, highlighted as the only
 * cells to type in and already holding the decision that applies to the
 * ticket, and the key source:ticket_id:fingerprint that `ticket-audit
 * review` reads them back by.
 *
 * Speed (docs/report.md): each sheet is one statement read once; the
 * decisions come from a LEFT JOIN in it (and it is left out when no
 * decision applies to the tickets shown), labels are looked up in small
 * tables and composed into fixed buffers: no query and no allocation per
 * row.
 */
#include "report_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "mask.h"

/* The main workbook reads every finding of the period in the order the
 * rows were imported (rowid order: a sequential scan, nothing sorted, so
 * neither a sorter's memory nor its temporary files grow with the number
 * of findings). Exports list tickets by date, so this is by date within
 * each import; the filter sorts by CSO. Measured at 1M findings: 0.4 s
 * against 2.2 s sorted by CSO and 3.4 s through the audit_results view
 * (docs/report.md). The unary + keeps SQLite off any index on period or
 * status: through an index every row would be a random page read. */
#define TICKET_COLS                                                           \
    "t.source, t.ticket_id, t.date, t.cso, t.category, t.codes,"              \
    " t.evidence, t.email, t.hp, t.notes, t.fingerprint, "
#define NO_REVIEW "NULL, NULL, NULL"
#define REVIEW "v.decision, v.note, v.reviewer"
/* the decision that applies: of the same fingerprint */
#define REVIEW_JOIN                                                           \
    " LEFT JOIN reviews v ON v.source = t.source AND"                         \
    " v.ticket_id = t.ticket_id AND v.fingerprint = t.fingerprint"
#define ALL_WHERE " WHERE +t.period BETWEEN ?1 AND ?2 AND +t.status = ?3"

static const char *const tickets_sql[2] = {
    "SELECT " TICKET_COLS NO_REVIEW " FROM tickets t" ALL_WHERE,
    "SELECT " TICKET_COLS REVIEW " FROM tickets t" REVIEW_JOIN ALL_WHERE};

/* One CSO's findings, sorted by date, through the temporary index that
 * report.c builds once for all the per-CSO workbooks (temp.rpt_cso: the
 * period's findings, so ?1 and ?2 were applied there). */
#define CSO_FROM " FROM temp.rpt_cso r JOIN tickets t ON t.rowid = r.rid"
#define CSO_WHERE                                                             \
    " WHERE r.cso = ?4 AND r.status = ?3 AND ?1 <= ?2"                        \
    " ORDER BY r.date, r.source, r.ticket_id"

static const char *const cso_tickets_sql[2] = {
    "SELECT " TICKET_COLS NO_REVIEW CSO_FROM CSO_WHERE,
    "SELECT " TICKET_COLS REVIEW CSO_FROM REVIEW_JOIN CSO_WHERE};

enum {
    Q_SOURCE,
    Q_TICKET,
    Q_DATE,
    Q_CSO,
    Q_CATEGORY,
    Q_CODES,
    Q_EVIDENCE,
    Q_EMAIL,
    Q_HP,
    Q_NOTES,
    Q_FINGERPRINT,
    Q_DECISION,
    Q_NOTE,
    Q_REVIEWER
};

/* What preparing a ticket's row needs, on the producer thread: read-only
 * words and options, and scratch buffers of its own. */
typedef struct ticket_prep {
    const rpt_lang *L;
    int no_mask, exempt;
    char compose[RPT_COMPOSE_MAX]; /* codes, evidence, the key */
    char *mask;                    /* 2 * RPT_TEXT_MAX bytes */
} ticket_prep;

/* The row's cells after the ticket's own: decision, note, reviewer (the
 * input cells, highlighted by the table; an empty one is not written)
 * and the key. */
static ta_status review_cells(ticket_prep *tp, sqlite3_stmt *q, rpt_prep *p,
                              lxw_col_t col)
{
    const rpt_lang *L = tp->L;
    const char *d = (const char *)sqlite3_column_text(q, Q_DECISION);
    const char *word = !d                            ? ""
                       : strcmp(d, "upheld") == 0     ? L->upheld
                       : strcmp(d, "overturned") == 0 ? L->overturned
                                                      : d;
    ta_status s = rpt_prep_cell(p, col, RPT_CELL_WRAP, word, strlen(word));
    size_t len;
    const char *v = rpt_col_text(q, Q_NOTE, &len);
    if (s == TA_OK)
        s = rpt_prep_cell(p, col + 1, RPT_CELL_WRAP, v, len);
    v = rpt_col_text(q, Q_REVIEWER, &len);
    if (s == TA_OK)
        s = rpt_prep_cell(p, col + 2, RPT_CELL_WRAP, v, len);
    size_t sl, tl, fl;
    const char *src = rpt_col_text(q, Q_SOURCE, &sl);
    const char *tid = rpt_col_text(q, Q_TICKET, &tl);
    const char *fp = rpt_col_text(q, Q_FINGERPRINT, &fl);
    /* source:ticket_id:fingerprint, cut to the buffer (printf's
     * machinery was a tenth of preparing a row) */
    const char *part[3] = {src, tid, fp};
    size_t plen[3] = {src ? sl : 0, tid ? tl : 0, fp ? fl : 0}, n = 0;
    for (int i = 0; i < 3; i++) {
        size_t room = sizeof tp->compose - 1 - n;
        size_t k = plen[i] < room ? plen[i] : room;
        if (k)
            memcpy(tp->compose + n, part[i], k);
        n += k;
        if (i < 2 && n < sizeof tp->compose - 1)
            tp->compose[n++] = ':';
    }
    tp->compose[n] = '\0';
    if (s == TA_OK)
        s = rpt_prep_cell(p, col + 3, RPT_CELL_TEXT, tp->compose, n);
    return s;
}

/* A ticket's row (rpt_prepare_fn). Identifiers and words that never wrap
 * get no format: a format is an attribute of every cell, ~4 % of a
 * million-row sheet's time. */
static ta_status ticket_row(void *ctx, sqlite3_stmt *q, rpt_prep *p)
{
    ticket_prep *tp = ctx;
    const rpt_lang *L = tp->L;
    size_t len;
    const char *v = rpt_col_text(q, Q_SOURCE, &len);
    char src[16];
    size_t n = rpt_source_word(v, len, src);
    ta_status s = rpt_prep_cell(p, 0, RPT_CELL_TEXT, src, n);
    v = rpt_col_text(q, Q_TICKET, &len);
    if (s == TA_OK)
        s = rpt_prep_cell(p, 1, RPT_CELL_TEXT, v, len);
    v = rpt_col_text(q, Q_DATE, &len);
    if (s == TA_OK)
        s = rpt_prep_cell(p, 2, RPT_CELL_DATE, v, len);
    v = rpt_col_text(q, Q_CSO, &len);
    if (s == TA_OK)
        s = len ? rpt_prep_cell(p, 3, RPT_CELL_WRAP, v, len)
                : rpt_prep_cell(p, 3, RPT_CELL_WRAP, L->unknown_cso,
                                strlen(L->unknown_cso));
    v = rpt_col_text(q, Q_CATEGORY, &len);
    const char *cat = v ? rpt_category_word(L, v, len) : NULL;
    if (s == TA_OK)
        s = cat ? rpt_prep_cell(p, 4, RPT_CELL_TEXT, cat, strlen(cat))
                : rpt_prep_cell(p, 4, RPT_CELL_WRAP, v, len);
    v = rpt_col_text(q, Q_CODES, &len);
    if (s == TA_OK && v) {
        n = rpt_word_codes(L, v, len, tp->compose, sizeof tp->compose);
        s = rpt_prep_cell(p, 5, RPT_CELL_WRAP, tp->compose, n);
    }
    lxw_col_t col = 6;
    if (tp->exempt) {
        v = rpt_col_text(q, Q_EVIDENCE, &len);
        if (s == TA_OK && v) {
            n = rpt_word_evidence(L, v, len, tp->compose, sizeof tp->compose);
            s = rpt_prep_cell(p, col, RPT_CELL_WRAP, tp->compose, n);
        }
        col++;
    }
    v = rpt_col_text(q, Q_EMAIL, &len);
    v = rpt_mask_into(tp->no_mask, mask_email, v, &len, tp->mask);
    if (s == TA_OK)
        s = rpt_prep_cell(p, col++, RPT_CELL_WRAP, v, len);
    v = rpt_col_text(q, Q_HP, &len);
    v = rpt_mask_into(tp->no_mask, mask_phone, v, &len, tp->mask);
    if (s == TA_OK)
        s = rpt_prep_cell(p, col++, RPT_CELL_WRAP, v, len);
    v = rpt_col_text(q, Q_NOTES, &len);
    if (v)
        v = rpt_excerpt_into(tp->no_mask, v, len, tp->mask, &len);
    if (s == TA_OK)
        s = rpt_prep_cell(p, col++, RPT_CELL_WRAP, v, len);
    if (s == TA_OK)
        s = review_cells(tp, q, p, col);
    return s;
}

ta_status rpt_write_tickets(rpt_ctx *c, int exempt)
{
    const rpt_lang *L = c->L;
    const rpt_cso *all = &c->st->all;
    rpt_col cols[14];
    lxw_col_t n = 0;
    cols[n++] = (rpt_col){L->source, 8, 0};
    cols[n++] = (rpt_col){L->ticket, 16, 0};
    cols[n++] = (rpt_col){L->date, 12, 0};
    cols[n++] = (rpt_col){L->cso, 22, 0};
    cols[n++] = (rpt_col){L->category, 13, 0};
    /* the codes with their labels, one cell (a column each would cost a
     * million-row report a second) */
    cols[n++] =
        (rpt_col){exempt ? L->exemption_col : L->violation_col, 52, 0};
    if (exempt)
        cols[n++] = (rpt_col){L->evidence, 52, 0};
    cols[n++] = (rpt_col){L->email, 24, 0};
    cols[n++] = (rpt_col){L->hp, 18, 0};
    /* a 200-character excerpt on two lines at most */
    cols[n++] = (rpt_col){L->notes, 110, 0};
    lxw_col_t decision = n;
    cols[n++] = (rpt_col){L->qa_decision, 13, 0};
    cols[n++] = (rpt_col){L->qa_note, 28, 0};
    cols[n++] = (rpt_col){L->reviewer, 16, 0};
    cols[n++] = (rpt_col){L->key, 36, 0};
    rpt_table t;
    rpt_table_init(&t, c, L->sheet[exempt ? RPT_SH_EXEMPTIONS : RPT_SH_FINDINGS],
                   cols, n);
    t.decision_col = (int)decision;
    t.freeze_col = 2; /* the source and ticket stay in view */
    t.pages_wide = 3;
    ta_status s = rpt_table_sheet(&t);
    sqlite3_stmt *q = NULL;
    /* none to list: spare the scan of the whole table; no decision that
     * applies: spare the join */
    long long want = all->n[exempt ? RPT_EXEMPT : RPT_VIOLATION];
    int joined = all->upheld + all->overturned > 0;
    if (s == TA_OK && want > 0)
        s = db_prepare(c->db,
                       c->cso ? cso_tickets_sql[joined] : tickets_sql[joined],
                       &q, c->err, c->errlen);
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
    ticket_prep *tp = NULL;
    if (s == TA_OK && q) {
        tp = calloc(1, sizeof *tp);
        char *mask = malloc(2 * RPT_TEXT_MAX);
        if (!tp || !mask) {
            free(mask);
            s = rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        } else {
            *tp = (ticket_prep){.L = L,
                                .no_mask = c->opt->no_mask,
                                .exempt = exempt,
                                .mask = mask};
            s = rpt_rows_write(c, &t, q, "reading the audit results",
                               ticket_row, tp);
        }
    }
    if (tp)
        free(tp->mask);
    free(tp);
    sqlite3_finalize(q);
    if (s == TA_OK)
        s = rpt_table_end(&t);
    return s;
}

/* ---- Ditolak ------------------------------------------------------ */

/* The rejected rows of the imports listed on Ringkasan, with the reason's
 * code and arguments (reason_args is JSON; a value that is not is
 * ignored rather than failing the query). */
static const char rejects_sql[] =
    "SELECT file, sheet, line, reason_code,"
    " CASE WHEN json_valid(reason_args) THEN"
    "   json_extract(reason_args, '$.fields') END,"
    " CASE WHEN json_valid(reason_args) THEN"
    "   json_extract(reason_args, '$.header') END,"
    " CASE WHEN json_valid(reason_args) THEN"
    "   json_extract(reason_args, '$.value') END,"
    " CASE WHEN json_valid(reason_args) THEN"
    "   json_extract(reason_args, '$.column') END,"
    " reason, raw, ticket_id, crm_ticket FROM rejects"
    " WHERE import_id IN (SELECT value FROM json_each(?1))"
    " OR import_id IN (SELECT id FROM imports WHERE rows_imported = 0)"
    " ORDER BY import_id, line, id";

static ta_status rejected_row(rpt_ctx *c, rpt_table *t, sqlite3_stmt *q,
                              char *buf, size_t buflen)
{
    lxw_worksheet *ws = t->ws;
    lxw_row_t r = t->cur;
    lxw_format *tx = c->f.text;
    size_t len, flen, bl = 0;
    const char *file = rpt_col_text(q, 0, &flen);
    const char *base = file ? rpt_base_name(file, flen, &bl) : NULL;
    ta_status s = rpt_put_text(c, ws, r, 0, base, base ? bl : 0, tx);
    const char *v = rpt_col_text(q, 1, &len);
    if (s == TA_OK)
        s = rpt_put_text(c, ws, r, 1, v, len, tx);
    if (s == TA_OK)
        s = rpt_put_num(c, ws, r, 2, (double)sqlite3_column_int64(q, 2),
                        NULL);
    const char *tid = (const char *)sqlite3_column_text(q, 10);
    const char *crm = (const char *)sqlite3_column_text(q, 11);
    size_t n = rpt_word_reason(
        c->L, (const char *)sqlite3_column_text(q, 3),
        sqlite3_column_int64(q, 4), sqlite3_column_int64(q, 5),
        (const char *)sqlite3_column_text(q, 6),
        (const char *)sqlite3_column_text(q, 7),
        (const char *)sqlite3_column_text(q, 8), buf, buflen);
    if (s == TA_OK)
        s = rpt_put_masked_keep(c, ws, r, 3, buf, n, tid, crm, tx);
    v = rpt_col_text(q, 9, &len);
    if (s == TA_OK)
        s = rpt_put_masked_keep(c, ws, r, 4, v, len, tid, crm, tx);
    if (s == TA_OK && base && bl != flen)
        s = rpt_put_text(c, ws, r, 5, file, flen, tx);
    return s;
}

ta_status rpt_write_rejected(rpt_ctx *c)
{
    const rpt_lang *L = c->L;
    const rpt_col cols[] = {{L->file, 24, 0},   {L->sheet_col, 12, 0},
                            {L->line, 8, 1},    {L->reason, 44, 0},
                            {L->raw, 80, 0},    {L->file_path, 40, 0}};
    rpt_table t;
    rpt_table_init(&t, c, L->sheet[RPT_SH_REJECTED], cols, 6);
    ta_status s = rpt_table_sheet(&t);
    sqlite3_stmt *q = NULL;
    if (s == TA_OK)
        s = db_prepare(c->db, rejects_sql, &q, c->err, c->errlen);
    if (s == TA_OK &&
        sqlite3_bind_text(q, 1, c->st->imports_json, -1, SQLITE_STATIC) !=
            SQLITE_OK)
        s = db_fail(c->db, "reading the rejected rows", c->err, c->errlen);
    char buf[RPT_COMPOSE_MAX];
    int rc = SQLITE_DONE;
    while (s == TA_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        s = rpt_table_row(&t);
        if (s == TA_OK)
            s = rejected_row(c, &t, q, buf, sizeof buf);
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(c->db, "reading the rejected rows", c->err, c->errlen);
    sqlite3_finalize(q);
    if (s == TA_OK)
        s = rpt_table_end(&t);
    return s;
}
