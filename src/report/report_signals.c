/*
 * report_signals.c — the Indikasi / Signals sheet: what the memo does not
 * forbid but a QA lead wants to see, read from the signals table
 * (docs/schema.md) for the periods reported. Three sections one under the
 * other — reused contacts, exemption outliers, cross-system mismatches —
 * each a title, a header row and its rows; one line when the table holds
 * no signal for the periods. The mismatches are grouped by (APKT) CSO,
 * most first: a line with the CSO's counts, then its rows. In a CSO's own
 * workbook, the signals naming that CSO. The JSON detail column is read
 * with SQLite's json_each/json_extract, so nothing here parses JSON; the
 * codes and fields it names are worded by labels.c. Contacts are masked
 * like the Findings sheet unless --no-mask. This file computes nothing:
 * the signals are written by the audit.
 */
#include "report_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "mask.h"

/* ?1, ?2: the periods; ?3: the label of an empty CSO; ?4: the CSO of a
 * CSO's workbook, NULL for all. */
static const char reused_sql[] =
    "SELECT period, CASE contact_kind WHEN 'hp' THEN 'HP'"
    " WHEN 'email' THEN 'Email' ELSE contact_kind END, contact, customers,"
    " tickets,"
    " (SELECT group_concat(x, ', ') FROM (SELECT CASE"
    "   WHEN coalesce(json_extract(j.value, '$.cso'), '') = '' THEN ?3"
    "   ELSE json_extract(j.value, '$.cso') END"
    "   || ' (' || coalesce(json_extract(j.value, '$.tickets'), 0) || ')'"
    "   AS x FROM json_each(s.detail, '$.csos') j"
    "   ORDER BY json_extract(j.value, '$.tickets') DESC, j.key))"
    " FROM signals s WHERE kind = 'reused_contact'"
    " AND period BETWEEN ?1 AND ?2 AND json_valid(detail)"
    " AND (?4 IS NULL OR EXISTS (SELECT 1 FROM json_each(s.detail, '$.csos')"
    "   j WHERE coalesce(json_extract(j.value, '$.cso'), '') = ?4))"
    " ORDER BY period, tickets DESC, customers DESC, contact_kind, contact";

static const char outlier_sql[] =
    "SELECT period, CASE WHEN coalesce(cso, '') = '' THEN ?3 ELSE cso END,"
    " tickets, json_extract(detail, '$.exempt'), rate, team_rate,"
    " threshold,"
    " (SELECT group_concat(x, ',') FROM (SELECT j.key || ' ' || j.value"
    "   AS x FROM json_each(s.detail, '$.codes') j"
    "   ORDER BY j.value DESC, j.key))"
    " FROM signals s WHERE kind = 'exemption_outlier'"
    " AND period BETWEEN ?1 AND ?2 AND json_valid(detail)"
    " AND (?4 IS NULL OR coalesce(cso, '') = ?4)"
    " ORDER BY period, rate DESC, cso";

/* Grouped by the APKT CSO, the CSO with most mismatches first; columns
 * 10-13 are the group's key and counts (all, email, HP), for the line
 * above each group. */
static const char mismatch_sql[] =
    "SELECT period, apkt_ticket, crm_ticket, apkt_email, crm_email, apkt_hp,"
    " crm_hp, CASE WHEN coalesce(cso, '') = '' THEN ?3 ELSE cso END,"
    " CASE WHEN coalesce(json_extract(detail, '$.crm_cso'), '') = ''"
    "   THEN ?3 ELSE json_extract(detail, '$.crm_cso') END,"
    " (SELECT group_concat(j.value, ',')"
    "   FROM json_each(s.detail, '$.fields') j),"
    " coalesce(cso, ''), count(*) OVER w,"
    " sum(EXISTS (SELECT 1 FROM json_each(s.detail, '$.fields') j"
    "   WHERE j.value = 'email')) OVER w,"
    " sum(EXISTS (SELECT 1 FROM json_each(s.detail, '$.fields') j"
    "   WHERE j.value = 'hp')) OVER w"
    " FROM signals s WHERE kind = 'cross_system_mismatch'"
    " AND period BETWEEN ?1 AND ?2 AND json_valid(detail)"
    " AND (?4 IS NULL OR coalesce(cso, '') = ?4)"
    " WINDOW w AS (PARTITION BY coalesce(cso, ''))"
    " ORDER BY count(*) OVER w DESC, coalesce(cso, ''), period, apkt_ticket,"
    " crm_ticket";

/* How a column of a section is shown. */
enum {
    SC_TEXT,
    SC_NUM,
    SC_PCT,
    SC_EMAIL,
    SC_HP,
    SC_CONTACT,
    SC_CODES,
    SC_FIELDS
};

typedef struct sig_section {
    int title; /* label index */
    const char *sql;
    int ncols;
    int head[10]; /* label index per column */
    int kind[10]; /* SC_* per column */
    int grouped;  /* columns ncols.. are a group's key and counts */
} sig_section;

static const sig_section sections[] = {
    {SG_REUSED,
     reused_sql,
     6,
     {SG_PERIOD, SG_KIND, SG_CONTACT, SG_CUSTOMERS, SG_TICKETS, SG_CSOS},
     {SC_TEXT, SC_TEXT, SC_CONTACT, SC_NUM, SC_NUM, SC_TEXT},
     0},
    {SG_OUTLIERS,
     outlier_sql,
     8,
     {SG_PERIOD, SG_CSO, SG_IN_SCOPE, SG_EXEMPT, SG_RATE, SG_TEAM,
      SG_THRESHOLD, SG_EX_CODES},
     {SC_TEXT, SC_TEXT, SC_NUM, SC_NUM, SC_PCT, SC_PCT, SC_PCT, SC_CODES},
     0},
    {SG_MISMATCH,
     mismatch_sql,
     10,
     {SG_PERIOD, SG_APKT_TICKET, SG_CRM_TICKET, SG_APKT_EMAIL, SG_CRM_EMAIL,
      SG_APKT_HP, SG_CRM_HP, SG_APKT_CSO, SG_CRM_CSO, SG_FIELDS},
     {SC_TEXT, SC_TEXT, SC_TEXT, SC_EMAIL, SC_EMAIL, SC_HP, SC_HP, SC_TEXT,
      SC_TEXT, SC_FIELDS},
     1},
};

/* One value of a signal row. A reused contact is masked as what it is
 * (the previous column says hp or email). */
static ta_status put_value(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r, int col,
                           int kind, sqlite3_stmt *q,
                           lxw_format *const fnum[2])
{
    lxw_col_t x = (lxw_col_t)col;
    if (sqlite3_column_type(q, col) == SQLITE_NULL)
        return TA_OK;
    if (kind == SC_NUM || kind == SC_PCT)
        return rpt_put_num(c, ws, r, x, sqlite3_column_double(q, col),
                           fnum[kind == SC_PCT]);
    size_t len;
    const char *v = rpt_col_text(q, col, &len);
    if (kind == SC_CONTACT) {
        const char *what = (const char *)sqlite3_column_text(q, col - 1);
        kind = what && strcmp(what, "Email") == 0 ? SC_EMAIL : SC_HP;
    }
    if (kind == SC_EMAIL)
        return rpt_put_masked(c, ws, r, x, v, len, mask_email, c->f.text);
    if (kind == SC_HP)
        return rpt_put_masked(c, ws, r, x, v, len, mask_phone, c->f.text);
    if (kind == SC_CODES || kind == SC_FIELDS) {
        char buf[RPT_COMPOSE_MAX];
        size_t n = kind == SC_CODES
                       ? rpt_word_code_counts(c->L, v, len, buf, sizeof buf)
                       : rpt_word_fields(c->L, v, len, buf, sizeof buf);
        return rpt_put_text(c, ws, r, x, buf, n, c->f.text);
    }
    return rpt_put_text(c, ws, r, x, v, len, c->f.text);
}

/* The line above a CSO's group of mismatches: the CSO and its counts. */
static ta_status group_line(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r,
                            const sig_section *sec, sqlite3_stmt *q)
{
    int k = sec->ncols;
    size_t len;
    const char *v = rpt_col_text(q, k, &len);
    char buf[RPT_COMPOSE_MAX];
    rpt_word_mismatch_block(c->L, len ? v : c->L->unknown_cso,
                            sqlite3_column_int64(q, k + 1),
                            sqlite3_column_int64(q, k + 2),
                            sqlite3_column_int64(q, k + 3), buf, sizeof buf);
    ta_status s = rpt_put_merged(c, ws, *r, 0, (lxw_col_t)(sec->ncols - 1),
                                 buf, c->f.block);
    (*r)++;
    return s;
}

/* 1 when the row's group key (column k) differs from the previous row's,
 * whose key is kept in prev (its first RPT_COMPOSE_MAX bytes). */
static int new_group(sqlite3_stmt *q, int k, char *prev, size_t *prevlen,
                     int *have)
{
    size_t len;
    const char *v = rpt_col_text(q, k, &len);
    if (len > RPT_COMPOSE_MAX)
        len = RPT_COMPOSE_MAX; /* a longer CSO name compares on its start */
    if (*have && *prevlen == len && memcmp(prev, v, len) == 0)
        return 0;
    if (len)
        memcpy(prev, v, len);
    *prevlen = len;
    *have = 1;
    return 1;
}

/* Writes one section from row *r, which it leaves after a blank row. */
static ta_status write_section(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r,
                               const sig_section *sec,
                               lxw_format *const fnum[2])
{
    const char *const *lb = c->L->sig;
    ta_status s = rpt_put_str(c, ws, (*r)++, 0, lb[sec->title], c->f.bold);
    for (int i = 0; s == TA_OK && i < sec->ncols; i++)
        s = rpt_put_str(c, ws, *r, (lxw_col_t)i, lb[sec->head[i]],
                        sec->kind[i] == SC_NUM || sec->kind[i] == SC_PCT
                            ? c->f.head_num
                            : c->f.head);
    (*r)++;
    sqlite3_stmt *q = NULL;
    if (s == TA_OK)
        s = db_prepare(c->db, sec->sql, &q, c->err, c->errlen);
    if (s == TA_OK) {
        int bound = SQLITE_OK;
        db_bound(&bound,
                 sqlite3_bind_text(q, 1, c->st->first, -1, SQLITE_STATIC));
        db_bound(&bound,
                 sqlite3_bind_text(q, 2, c->st->last, -1, SQLITE_STATIC));
        db_bound(&bound, sqlite3_bind_text(q, 3, c->L->unknown_cso, -1,
                                           SQLITE_STATIC));
        db_bound(&bound, c->cso ? sqlite3_bind_text(q, 4, c->cso, -1,
                                                    SQLITE_STATIC)
                                : sqlite3_bind_null(q, 4));
        if (bound != SQLITE_OK)
            s = db_fail(c->db, "reading the signals", c->err, c->errlen);
    }
    long long n = 0;
    int rc = SQLITE_DONE, have = 0;
    char prev[RPT_COMPOSE_MAX];
    size_t prevlen = 0;
    /* a sheet holds c->limit rows; signals are few, but never more */
    while (s == TA_OK && *r + 3 < c->limit &&
           (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (sec->grouped &&
            new_group(q, sec->ncols, prev, &prevlen, &have))
            s = group_line(c, ws, r, sec, q);
        for (int i = 0; s == TA_OK && i < sec->ncols; i++)
            s = put_value(c, ws, *r, i, sec->kind[i], q, fnum);
        if (s == TA_OK)
            s = rpt_fit_row(c, ws, *r);
        (*r)++;
        n++;
    }
    if (s == TA_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        s = db_fail(c->db, "reading the signals", c->err, c->errlen);
    sqlite3_finalize(q);
    if (s == TA_OK && n == 0)
        s = rpt_put_str(c, ws, (*r)++, 0, lb[SG_NONE_HERE], NULL);
    (*r)++;
    return s;
}

/* Whether the periods reported have any signal (one indexed probe). A
 * CSO's workbook shows its sections whatever: each says when it has
 * none. */
static ta_status any_signal(rpt_ctx *c, int *any)
{
    sqlite3_stmt *q = NULL;
    ta_status s = db_prepare(c->db,
                             "SELECT 1 FROM signals WHERE period BETWEEN ?1"
                             " AND ?2 AND kind IN ('reused_contact',"
                             " 'exemption_outlier', 'cross_system_mismatch')"
                             " LIMIT 1",
                             &q, c->err, c->errlen);
    if (s != TA_OK)
        return s;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_text(q, 1, c->st->first, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(q, 2, c->st->last, -1, SQLITE_STATIC));
    int rc = bound == SQLITE_OK ? sqlite3_step(q) : bound;
    *any = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        s = db_fail(c->db, "reading the signals", c->err, c->errlen);
    sqlite3_finalize(q);
    return s;
}

ta_status rpt_write_signals(rpt_ctx *c)
{
    lxw_worksheet *ws =
        workbook_add_worksheet(c->wb, c->L->sheet[RPT_SH_SIGNALS]);
    if (!ws)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    rpt_print_setup(ws, 0);
    static const double widths[10] = {10, 22, 20, 24, 24, 18, 18, 24, 22, 22};
    int any = 0;
    ta_status s = any_signal(c, &any);
    if (s != TA_OK)
        return s;
    if (!any) {
        lxw_error e = worksheet_set_column(ws, 0, 0, 110, NULL);
        if (e != LXW_NO_ERROR)
            return rpt_xlsx_fail(c, e);
        return rpt_put_str(c, ws, 0, 0, c->L->signals_none, NULL);
    }
    for (lxw_col_t i = 0; i < 10; i++) {
        lxw_error e = worksheet_set_column(ws, i, i, widths[i], NULL);
        if (e != LXW_NO_ERROR)
            return rpt_xlsx_fail(c, e);
    }
    /* numbers at the top of their row, as the wrapped text beside them */
    lxw_format *fnum[2] = {workbook_add_format(c->wb),
                           workbook_add_format(c->wb)};
    if (!fnum[0] || !fnum[1])
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    format_set_align(fnum[0], LXW_ALIGN_VERTICAL_TOP);
    format_set_align(fnum[1], LXW_ALIGN_VERTICAL_TOP);
    format_set_num_format(fnum[1], "0.00");
    lxw_row_t r = 0;
    c->widths = widths;
    c->nwidths = 10;
    c->row_lines = 0;
    for (size_t k = 0; s == TA_OK && k < sizeof sections / sizeof *sections;
         k++)
        s = write_section(c, ws, &r, &sections[k], fnum);
    c->widths = NULL;
    if (s == TA_OK) {
        lxw_error e = worksheet_ignore_errors(
            ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT, "A1:XFD1048576");
        if (e != LXW_NO_ERROR)
            s = rpt_xlsx_fail(c, e);
    }
    return s;
}
