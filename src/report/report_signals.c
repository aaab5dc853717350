/*
 * report_signals.c — the Indikasi / Signals sheet: what the memo does not
 * forbid but a QA lead wants to see, read from the signals table
 * (docs/schema.md) for the periods reported. Three sections one under the
 * other — reused contacts, exemption outliers, cross-system mismatches —
 * each a title, a header row and its rows; one line when the table holds
 * no signal for the periods. The JSON detail column is read with SQLite's
 * json_each/json_extract, so nothing here parses JSON. Contacts are masked
 * like the Findings sheet unless --no-mask. This file computes nothing:
 * the signals are written by the audit.
 */
#include "report_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "mask.h"

/* The labels of this sheet, Indonesian then English. */
enum {
    SG_REUSED,
    SG_OUTLIERS,
    SG_MISMATCH,
    SG_NONE_HERE,
    SG_PERIOD,
    SG_KIND,
    SG_CONTACT,
    SG_CUSTOMERS,
    SG_TICKETS,
    SG_CSOS,
    SG_CSO,
    SG_IN_SCOPE,
    SG_EXEMPT,
    SG_RATE,
    SG_TEAM,
    SG_THRESHOLD,
    SG_EX_CODES,
    SG_APKT_TICKET,
    SG_CRM_TICKET,
    SG_APKT_EMAIL,
    SG_CRM_EMAIL,
    SG_APKT_HP,
    SG_CRM_HP,
    SG_APKT_CSO,
    SG_CRM_CSO,
    SG_FIELDS,
    SG_NLABELS
};

static const char *const labels[2][SG_NLABELS] = {
    {"Kontak dipakai berulang (satu HP/email untuk beberapa pelanggan)",
     "Pencilan pengecualian (tingkat pengecualian CSO jauh di atas tim)",
     "Ketidakcocokan antar sistem (APKT dan CRM untuk laporan yang sama)",
     "Tidak ada.",
     "Periode",
     "Jenis",
     "Kontak",
     "Pelanggan",
     "Tiket",
     "CSO (tiket)",
     "CSO",
     "Tiket dalam cakupan",
     "Dikecualikan",
     "Tingkat pengecualian (%)",
     "Median tim (%)",
     "Ambang (%)",
     "Kode pengecualian (tiket)",
     "Tiket APKT",
     "Tiket CRM",
     "Email APKT",
     "Email CRM",
     "HP APKT",
     "HP CRM",
     "CSO APKT",
     "CSO CRM",
     "Berbeda"},
    {"Reused contacts (one HP/email for several customers)",
     "Exemption outliers (a CSO's exemption rate far above the team's)",
     "Cross-system mismatches (APKT and CRM for the same report)",
     "None.",
     "Period",
     "Kind",
     "Contact",
     "Customers",
     "Tickets",
     "CSOs (tickets)",
     "CSO",
     "Tickets in scope",
     "Exempt",
     "Exemption rate (%)",
     "Team median (%)",
     "Threshold (%)",
     "Exemption codes (tickets)",
     "APKT ticket",
     "CRM ticket",
     "APKT email",
     "CRM email",
     "APKT HP",
     "CRM HP",
     "APKT CSO",
     "CRM CSO",
     "Differs"}};

/* ?1, ?2: the periods; ?3: the label of an empty CSO. */
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
    " ORDER BY period, tickets DESC, customers DESC, contact_kind, contact";

static const char outlier_sql[] =
    "SELECT period, CASE WHEN coalesce(cso, '') = '' THEN ?3 ELSE cso END,"
    " tickets, json_extract(detail, '$.exempt'), rate, team_rate,"
    " threshold,"
    " (SELECT group_concat(x, ', ') FROM (SELECT j.key || ' (' || j.value"
    "   || ')' AS x FROM json_each(s.detail, '$.codes') j"
    "   ORDER BY j.value DESC, j.key))"
    " FROM signals s WHERE kind = 'exemption_outlier'"
    " AND period BETWEEN ?1 AND ?2 AND json_valid(detail)"
    " ORDER BY period, rate DESC, cso";

static const char mismatch_sql[] =
    "SELECT period, apkt_ticket, crm_ticket, apkt_email, crm_email, apkt_hp,"
    " crm_hp, CASE WHEN coalesce(cso, '') = '' THEN ?3 ELSE cso END,"
    " CASE WHEN coalesce(json_extract(detail, '$.crm_cso'), '') = ''"
    "   THEN ?3 ELSE json_extract(detail, '$.crm_cso') END,"
    " (SELECT group_concat(j.value, ', ')"
    "   FROM json_each(s.detail, '$.fields') j)"
    " FROM signals s WHERE kind = 'cross_system_mismatch'"
    " AND period BETWEEN ?1 AND ?2 AND json_valid(detail)"
    " ORDER BY period, apkt_ticket, crm_ticket";

/* How a column of a section is shown. */
enum { SC_TEXT, SC_NUM, SC_PCT, SC_EMAIL, SC_HP, SC_CONTACT };

typedef struct sig_section {
    int title; /* label index */
    const char *sql;
    int ncols;
    int head[10]; /* label index per column */
    int kind[10]; /* SC_* per column */
} sig_section;

static const sig_section sections[] = {
    {SG_REUSED,
     reused_sql,
     6,
     {SG_PERIOD, SG_KIND, SG_CONTACT, SG_CUSTOMERS, SG_TICKETS, SG_CSOS},
     {SC_TEXT, SC_TEXT, SC_CONTACT, SC_NUM, SC_NUM, SC_TEXT}},
    {SG_OUTLIERS,
     outlier_sql,
     8,
     {SG_PERIOD, SG_CSO, SG_IN_SCOPE, SG_EXEMPT, SG_RATE, SG_TEAM,
      SG_THRESHOLD, SG_EX_CODES},
     {SC_TEXT, SC_TEXT, SC_NUM, SC_NUM, SC_PCT, SC_PCT, SC_PCT, SC_TEXT}},
    {SG_MISMATCH,
     mismatch_sql,
     10,
     {SG_PERIOD, SG_APKT_TICKET, SG_CRM_TICKET, SG_APKT_EMAIL, SG_CRM_EMAIL,
      SG_APKT_HP, SG_CRM_HP, SG_APKT_CSO, SG_CRM_CSO, SG_FIELDS},
     {SC_TEXT, SC_TEXT, SC_TEXT, SC_EMAIL, SC_EMAIL, SC_HP, SC_HP, SC_TEXT,
      SC_TEXT, SC_TEXT}},
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
        return rpt_put_masked(c, ws, r, x, v, len, mask_email);
    if (kind == SC_HP)
        return rpt_put_masked(c, ws, r, x, v, len, mask_phone);
    return rpt_put_text(c, ws, r, x, v, len, NULL);
}

/* Writes one section from row *r, which it leaves after a blank row. */
static ta_status write_section(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t *r,
                               const sig_section *sec,
                               lxw_format *const fnum[2])
{
    const char *const *lb = labels[c->L == rpt_lang_get(1)];
    ta_status s = rpt_put_str(c, ws, (*r)++, 0, lb[sec->title], c->f_bold);
    for (int i = 0; s == TA_OK && i < sec->ncols; i++)
        s = rpt_put_str(c, ws, *r, (lxw_col_t)i, lb[sec->head[i]], c->f_head);
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
        if (bound != SQLITE_OK)
            s = db_fail(c->db, "reading the signals", c->err, c->errlen);
    }
    long long n = 0;
    int rc = SQLITE_DONE;
    /* a sheet holds c->limit rows; signals are few, but never more */
    while (s == TA_OK && *r + 2 < c->limit &&
           (rc = sqlite3_step(q)) == SQLITE_ROW) {
        for (int i = 0; s == TA_OK && i < sec->ncols; i++)
            s = put_value(c, ws, *r, i, sec->kind[i], q, fnum);
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

/* Whether the periods reported have any signal (one indexed probe). */
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
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, c->L->sheet[5]);
    if (!ws)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    rpt_print_setup(ws, 0);
    static const double widths[10] = {10, 22, 24, 24, 26, 18, 18, 26, 22, 30};
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
    /* numbers centred, so they do not run into the text beside them */
    lxw_format *fnum[2] = {workbook_add_format(c->wb),
                           workbook_add_format(c->wb)};
    if (!fnum[0] || !fnum[1])
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    format_set_align(fnum[0], LXW_ALIGN_CENTER);
    format_set_align(fnum[1], LXW_ALIGN_CENTER);
    format_set_num_format(fnum[1], "0.00");
    lxw_row_t r = 0;
    for (size_t k = 0; s == TA_OK && k < sizeof sections / sizeof *sections;
         k++)
        s = write_section(c, ws, &r, &sections[k], fnum);
    return s;
}
