/*
 * test_report.c — the workbook of SPEC §5 read back by another reader
 * (openpyxl, through tests/xlsx_dump.py): sheet names and order in both
 * languages, the Per CSO header and figures against SQL over
 * audit_results, numeric cells, masking on and off, data that looks like a
 * formula kept as text, sheets continuing past a (forced) row limit, the
 * per-CSO file names, atomic writing, and the error statuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "report.h"
#include "testutil.h"
#include "utf8.h"

typedef struct fx {
    char dir[512];
    char out[600];
    sqlite3 *db;
    char err[2048];
    char path[4096];
} fx;

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

/* One ticket and its audit result. */
static void add(sqlite3 *db, const char *id, const char *date, const char *cso,
                const char *status, const char *codes, const char *email,
                const char *hp, const char *notes)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(
            db,
            "INSERT INTO tickets(source, ticket_id, import_id, line, date,"
            " period, type, email, hp, cso, notes, status, codes, category,"
            " email_state, hp_state, evidence, audit_id) VALUES ('crm', ?1,"
            " 1, 2, ?2, substr(?2, 1, 7), 'Keluhan', ?5, ?6, ?3, ?7, ?4, ?8,"
            " 'keluhan', 'valid', 'valid',"
            " CASE WHEN ?4 = 'exempt' THEN 'notes: \"marah\"' ELSE '' END,"
            " 1)",
            -1, &q, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(q, 2, date, -1, SQLITE_STATIC),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(q, 3, cso, -1, SQLITE_STATIC),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(q, 4, status, -1, SQLITE_STATIC),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(q, 5, email, -1, SQLITE_STATIC),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(q, 6, hp, -1, SQLITE_STATIC),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(q, 7, notes, -1, SQLITE_STATIC),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(q, 8, codes, -1, SQLITE_STATIC),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
}

#define HYPER "=HYPERLINK(\"http://x\")"

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(tu_tmpdir(f->dir, sizeof f->dir), 0);
    snprintf(f->out, sizeof f->out, "%s/out", f->dir);
    char dbp[600];
    snprintf(dbp, sizeof dbp, "%s/t.db", f->dir);
    assert_int_equal(db_open(dbp, &f->db, f->err, sizeof f->err), TA_OK);
    exec(f->db,
         "INSERT INTO imports(id, file, size, sha256, source, "
         "encoding, delimiter, header_line, rows_read, rows_imported, "
         "rows_rejected, imported_at, program_version) VALUES (1, 'crm-okt.csv', 100, 'abc', 'crm',"
         " 'utf-8', ',', 1, 19, 17, 2, '2026-11-01T00:00:00Z', '0.1.0');"
         "INSERT INTO audits VALUES (1, 'import', '2026-11-01T00:00:00Z',"
         " NULL, 'default', '0.1.0', 17);"
         "INSERT INTO rejects(import_id, file, line, reason, field, raw)"
         " VALUES (1, 'crm-okt.csv', 7, '4 fields, the header has 9', NULL,"
         " 'T9,2026-10-01,Budi,budi.s@gmail.com,081234567890'),"
         " (1, 'crm-okt.csv', 9, 'ticket_id is empty', 'ticket_id',"
         " ',2026-10-02,Ani,ani@yahoo.co.id,+62 812-1111-2222');");
    sqlite3 *db = f->db;
    add(db, "B1", "2026-10-01", "Budi", "compliant", "", "a@b.com", "0811",
        "");
    add(db, "B2", "2026-10-02", "Budi", "compliant", "", "", "", "");
    add(db, "B3", "2026-10-03", "Budi", "compliant", "", "", "", "");
    add(db, "B4", "2026-10-04", "Budi", "violation", "EMAIL_MISSING", "",
        "081234567890", "pelanggan minta dihubungi di 081299998888");
    add(db, "B5", "2026-10-05", "Budi", "exempt", "EX_ANGRY", "", "",
        "pelanggan marah, email budi.s@gmail.com");
    add(db, "A1", "2026-10-01", "Ani", "compliant", "", "", "", "");
    add(db, "A2", "2026-10-02", "Ani", "violation", "HP_INVALID",
        "ani@yahoo.co.id", "021555", "");
    add(db, "A3", "2026-10-03", "Ani", "violation", "EMAIL_INVALID HP_MISSING",
        "ani", "", "");
    add(db, "H1", "2026-10-06", HYPER, "violation", "EMAIL_MISSING",
        "budi.s@gmail.com", "+62 812 3456 7890", HYPER);
    add(db, "U1", "2026-10-07", "", "compliant", "", "", "", "");
    add(db, "U2", "2026-10-07", "", "out_of_scope", "", "", "", "");
    add(db, "P1", "2026-10-08", "../../etc/passwd", "violation", "HP_MISSING",
        "", "", "");
    add(db, "C1", "2026-10-09", "CON", "exempt", "EX_URGENT", "", "", "");
    add(db, "S1", "2026-10-10", "a/b", "out_of_scope", "", "", "", "");
    add(db, "S2", "2026-10-10", "a:b", "out_of_scope", "", "", "", "");
    add(db, "O1", "2026-09-30", "Old", "violation", "EMAIL_MISSING", "", "",
        "");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    db_close(f->db);
    if (!getenv("KEEP"))
        tu_rmtree(f->dir);
    free(f);
    return 0;
}

/* Dumps a workbook with openpyxl; returns "\n" + the dump (malloc'd). */
static char *dump(fx *f, const char *xlsx)
{
    char cmd[8192], txt[700];
    snprintf(txt, sizeof txt, "%s/dump.txt", f->dir);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/tests/xlsx_dump.py '%s' > '%s'",
             TA_SOURCE_DIR, xlsx, txt);
    assert_int_equal(system(cmd), 0);
    size_t len;
    char *body = tu_read_file(txt, &len);
    assert_non_null(body);
    char *d = malloc(len + 2);
    assert_non_null(d);
    d[0] = '\n';
    memcpy(d + 1, body, len + 1);
    free(body);
    return d;
}

static int has_line(const char *d, const char *line)
{
    char pat[1100];
    snprintf(pat, sizeof pat, "\n%s\n", line);
    return strstr(d, pat) != NULL;
}

#define assert_line(d, ...)                                                   \
    do {                                                                      \
        char l_[1024];                                                        \
        snprintf(l_, sizeof l_, __VA_ARGS__);                                 \
        if (!has_line((d), l_))                                               \
            fail_msg("missing line: %s", l_);                                 \
    } while (0)

/* The "type\tvalue" of a cell, in buf; "" when the cell is absent. */
static const char *cell(const char *d, const char *sheet, const char *ref,
                        char *buf, size_t len)
{
    char pat[256];
    int n = snprintf(pat, sizeof pat, "\nC\t%s\t%s\t", sheet, ref);
    const char *p = strstr(d, pat);
    buf[0] = '\0';
    if (!p)
        return buf;
    p += n;
    size_t k = strcspn(p, "\n");
    snprintf(buf, len, "%.*s", (int)k, p);
    return buf;
}

/* The sheet names, one per line, in order. */
static void sheets(const char *d, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (const char *p = strstr(d, "\nS\t"); p; p = strstr(p + 1, "\nS\t")) {
        size_t k = strcspn(p + 3, "\n");
        n += (size_t)snprintf(buf + n, len - n, "%.*s|", (int)k, p + 3);
    }
}

static ta_status run(fx *f, report_options *o)
{
    o->out_dir = o->out_dir ? o->out_dir : f->out;
    return report_write(f->db, o, f->path, sizeof f->path, f->err,
                        sizeof f->err);
}

static void sheet_order_id(void **state)
{
    fx *f = *state;
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char want[700];
    snprintf(want, sizeof want, "%s/audit-2026-10.xlsx", f->out);
    assert_string_equal(f->path, want);
    char *d = dump(f, f->path);
    char s[512];
    sheets(d, s, sizeof s);
    assert_string_equal(
        s, "Ringkasan|Per CSO|Temuan|Pengecualian|Ditolak|Indikasi|");
    assert_line(d, "CHARTS\t3"); /* codes, CSOs, months */
    assert_line(d, "P\tTemuan\tA2");
    assert_line(d, "A\tTemuan\tA1:I6");
    free(d);
}

/* src/report/deflate_level.c: with TA_FAST_DEFLATE (the default build)
 * the sheets are deflated at level 1, which minizip records as "super
 * fast"; without it at libxlsxwriter's own level 6 ("normal"). */
static void deflate_level_per_build(void **state)
{
    fx *f = *state;
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
#if TA_FAST_DEFLATE
    assert_line(d, "ZIPLEVEL\tsuperfast");
#else
    assert_line(d, "ZIPLEVEL\tnormal");
#endif
    free(d);
}

static void sheet_order_en(void **state)
{
    fx *f = *state;
    report_options o = {.period = "2026-10", .lang = "en"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    char s[512];
    sheets(d, s, sizeof s);
    assert_string_equal(
        s, "Summary|By CSO|Findings|Exemptions|Rejected|Signals|");
    const char *head[] = {"CSO",           "Tickets",    "Compliant",
                          "Exempt",        "Violations", "Out of scope",
                          "Compliance (%)"};
    for (int i = 0; i < 7; i++)
        assert_line(d, "C\tBy CSO\t%c1\ts\t%s", 'A' + i, head[i]);
    assert_line(d, "C\tBy CSO\tA6\ts\t(unknown)");
    assert_line(d, "C\tSignals\tA1\ts\tNo signals (reused contacts, "
                   "exemption outliers, cross-system mismatches) were found "
                   "for this period.");
    free(d);
}

static void by_cso_header_and_order(void **state)
{
    fx *f = *state;
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    const char *head[] = {"CSO",           "Total Tiket",   "Patuh",
                          "Dikecualikan",  "Melanggar",     "Di Luar Cakupan",
                          "Kepatuhan (%)", "EMAIL_INVALID", "EMAIL_MISSING",
                          "EX_ANGRY",      "EX_URGENT",     "HP_INVALID",
                          "HP_MISSING"};
    for (int i = 0; i < 13; i++)
        assert_line(d, "C\tPer CSO\t%c1\ts\t%s", 'A' + i, head[i]);
    char b[256];
    /* the history after the codes: 2026-09 is in the database */
    assert_line(d, "C\tPer CSO\tN1\ts\tKepatuhan bulan lalu (%%)");
    assert_line(d, "C\tPer CSO\tO1\ts\tPerubahan (poin)");
    assert_string_equal(cell(d, "Per CSO", "P1", b, sizeof b), "");
    /* worst first, ties by name, blank compliance last */
    const char *order[] = {"../../etc/passwd",  HYPER, "Ani", "Budi",
                           "(tidak diketahui)", "CON", "a/b", "a:b"};
    for (int i = 0; i < 8; i++)
        assert_line(d, "C\tPer CSO\tA%d\ts\t%s", i + 2, order[i]);
    assert_line(d, "C\tPer CSO\tG4\tn\t33.33");
    assert_string_equal(cell(d, "Per CSO", "G7", b, sizeof b), "n\t100.0");
    assert_string_equal(cell(d, "Per CSO", "G8", b, sizeof b), "");
    /* below the 90% target: highlighted; at 100: not */
    assert_line(d, "F\tPer CSO\tG4\tFFC7CE");
    assert_line(d, "F\tPer CSO\tG5\tFFC7CE");
    assert_false(has_line(d, "F\tPer CSO\tG7\tFFC7CE"));
    /* summary totals are numbers: 15 tickets in 2026-10 */
    assert_line(d, "C\tRingkasan\tA13\ts\tTotal Tiket");
    assert_line(d, "C\tRingkasan\tB13\tn\t15.0");
    assert_line(d, "C\tRingkasan\tB18\tn\t58.33");
    free(d);
}

/* Every CSO's row equals SQL over audit_results. */
/* Several periods: each CSO's compliance in the period before the last one
 * reported and the change in points; Ringkasan's compliance per month. */
static void history_previous_month(void **state)
{
    fx *f = *state;
    add(f->db, "B9A", "2026-09-10", "Budi", "compliant", "", "", "", "");
    add(f->db, "B9B", "2026-09-11", "Budi", "violation", "HP_MISSING", "", "",
        "");
    add(f->db, "B9C", "2026-09-12", "Budi", "out_of_scope", "", "", "", "");
    add(f->db, "A9", "2026-09-12", "Ani", "out_of_scope", "", "", "", "");
    add(f->db, "B8", "2026-08-01", "Budi", "compliant", "", "", "", "");
    report_options o = {.period = "2026-10", .lang = "en"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    char b[256];
    assert_line(d, "C\tBy CSO\tN1\ts\tPrevious month (%%)");
    assert_line(d, "C\tBy CSO\tO1\ts\tChange (points)");
    /* Budi: 80 % in October, 50 % in September (not 100 % of August) */
    assert_line(d, "C\tBy CSO\tA5\ts\tBudi");
    assert_line(d, "C\tBy CSO\tG5\tn\t80.0");
    assert_line(d, "C\tBy CSO\tN5\tn\t50.0");
    assert_line(d, "C\tBy CSO\tO5\tn\t30.0");
    /* Ani: nothing in scope in September; Old: not in October at all */
    assert_line(d, "C\tBy CSO\tA4\ts\tAni");
    assert_string_equal(cell(d, "By CSO", "N4", b, sizeof b), "");
    assert_string_equal(cell(d, "By CSO", "O4", b, sizeof b), "");
    assert_null(strstr(d, "\ts\tOld\n"));
    /* every period of the database, oldest first, with a line chart */
    const char *p = strstr(d, "\ts\tCompliance by month\n");
    assert_non_null(p);
    assert_non_null(strstr(p, "\ts\t2026-08\n"));
    assert_non_null(strstr(p, "\tn\t100.0\n"));
    assert_non_null(strstr(p, "\ts\t2026-09\n"));
    assert_non_null(strstr(p, "\tn\t33.33\n")); /* Budi 1/2, Old 0/1 */
    assert_non_null(strstr(p, "\ts\t2026-10\n"));
    assert_non_null(strstr(p, "\tn\t58.33\n"));
    assert_true(strstr(p, "2026-08") < strstr(p, "2026-10"));
    assert_line(d, "CHARTS\t3");
    free(d);

    /* one period in the database: no history columns, no month chart */
    exec(f->db, "DELETE FROM tickets WHERE period <> '2026-10'");
    assert_int_equal(run(f, &o), TA_OK);
    d = dump(f, f->path);
    assert_string_equal(cell(d, "By CSO", "N1", b, sizeof b), "");
    assert_line(d, "CHARTS\t2");
    free(d);
}

/* The three kinds of signal, as the audit stores them (docs/schema.md). */
static void add_signals(sqlite3 *db)
{
    exec(db,
         "INSERT INTO signals(period, kind, contact_kind, contact, customers,"
         " tickets, detail) VALUES"
         " ('2026-10', 'reused_contact', 'email', 'budi.s@gmail.com', 2, 2,"
         "  '{\"csos\":[{\"cso\":\"Ani\",\"tickets\":2}]}'),"
         " ('2026-10', 'reused_contact', 'hp', '081234567890', 3, 4,"
         "  '{\"csos\":[{\"cso\":\"\",\"tickets\":1},"
         "  {\"cso\":\"Budi\",\"tickets\":3}]}'),"
         " ('2026-09', 'reused_contact', 'hp', '081200000000', 9, 9,"
         "  '{\"csos\":[]}');"
         "INSERT INTO signals(period, kind, cso, tickets, rate, team_rate,"
         " threshold, detail) VALUES ('2026-10', 'exemption_outlier', 'Budi',"
         " 5, 40.0, 10.0, 25.5,"
         " '{\"codes\":{\"EX_ANGRY\":1,\"EX_URGENT\":3},\"exempt\":4}');"
         "INSERT INTO signals(period, kind, cso, apkt_ticket, crm_ticket,"
         " apkt_email, crm_email, apkt_hp, crm_hp, detail) VALUES"
         " ('2026-10', 'cross_system_mismatch', 'Ani', 'K1', 'T1',"
         " 'ani@yahoo.co.id', 'ani2@yahoo.co.id', '081299998888',"
         " '081299997777',"
         " '{\"crm_cso\":\"=HYPERLINK(1)\",\"fields\":[\"email\",\"hp\"]}');");
}

static void signals_sheet(void **state)
{
    fx *f = *state;
    add_signals(f->db);
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    char b[256];
    const char *S = "Indikasi";
    assert_line(d,
                "C\t%s\tA1\ts\tKontak dipakai berulang (satu HP/email "
                "untuk beberapa pelanggan)",
                S);
    assert_line(d, "C\t%s\tC2\ts\tKontak", S);
    /* most tickets first; contacts masked; CSOs with their tickets */
    assert_line(d, "C\t%s\tA3\ts\t2026-10", S);
    assert_line(d, "C\t%s\tB3\ts\tHP", S);
    assert_line(d, "C\t%s\tC3\ts\t0812****7890", S);
    assert_line(d, "C\t%s\tD3\tn\t3.0", S);
    assert_line(d, "C\t%s\tE3\tn\t4.0", S);
    assert_line(d, "C\t%s\tF3\ts\tBudi (3), (tidak diketahui) (1)", S);
    assert_line(d, "C\t%s\tB4\ts\tEmail", S);
    assert_line(d, "C\t%s\tC4\ts\tb***@gmail.com", S);
    assert_line(d, "C\t%s\tF4\ts\tAni (2)", S);
    /* another period's signal is not shown */
    assert_null(strstr(d, "0812****0000"));
    assert_string_equal(cell(d, S, "A5", b, sizeof b), "");
    assert_line(d,
                "C\t%s\tA6\ts\tPencilan pengecualian (tingkat "
                "pengecualian CSO jauh di atas tim)",
                S);
    assert_line(d, "C\t%s\tB8\ts\tBudi", S);
    assert_line(d, "C\t%s\tC8\tn\t5.0", S);
    assert_line(d, "C\t%s\tD8\tn\t4.0", S);
    assert_line(d, "C\t%s\tE8\tn\t40.0", S);
    assert_line(d, "C\t%s\tF8\tn\t10.0", S);
    assert_line(d, "C\t%s\tG8\tn\t25.5", S);
    assert_line(d, "C\t%s\tH8\ts\tEX_URGENT (3), EX_ANGRY (1)", S);
    assert_line(d,
                "C\t%s\tA10\ts\tKetidakcocokan antar sistem (APKT dan "
                "CRM untuk laporan yang sama)",
                S);
    assert_line(d, "C\t%s\tB11\ts\tTiket APKT", S);
    assert_line(d, "C\t%s\tB12\ts\tK1", S);
    assert_line(d, "C\t%s\tC12\ts\tT1", S);
    assert_line(d, "C\t%s\tD12\ts\ta***@yahoo.co.id", S);
    assert_line(d, "C\t%s\tE12\ts\ta***@yahoo.co.id", S);
    assert_line(d, "C\t%s\tF12\ts\t0812****8888", S);
    assert_line(d, "C\t%s\tG12\ts\t0812****7777", S);
    assert_line(d, "C\t%s\tH12\ts\tAni", S);
    assert_line(d, "C\t%s\tI12\ts\t=HYPERLINK(1)", S); /* text */
    assert_line(d, "C\t%s\tJ12\ts\temail, hp", S);
    assert_null(strstr(d, "\tf\t"));
    assert_null(strstr(d, "budi.s@gmail.com"));
    assert_null(strstr(d, "ani2@"));
    free(d);

    /* --no-mask shows them; English labels */
    report_options en = {.period = "2026-10", .lang = "en", .no_mask = 1};
    assert_int_equal(run(f, &en), TA_OK);
    d = dump(f, f->path);
    assert_line(d, "C\tSignals\tA1\ts\tReused contacts (one HP/email for "
                   "several customers)");
    assert_line(d, "C\tSignals\tC3\ts\t081234567890");
    assert_line(d, "C\tSignals\tF3\ts\tBudi (3), (unknown) (1)");
    assert_line(d, "C\tSignals\tE12\ts\tani2@yahoo.co.id");
    assert_line(d, "C\tSignals\tI11\ts\tCRM CSO");
    free(d);

    /* a kind without signals says so; the others still show */
    exec(f->db, "DELETE FROM signals WHERE kind = 'exemption_outlier'");
    assert_int_equal(run(f, &o), TA_OK);
    d = dump(f, f->path);
    assert_line(d, "C\t%s\tA8\ts\tTidak ada.", S);
    assert_line(d, "C\t%s\tB12\ts\tK1", S);
    free(d);
}

static void by_cso_matches_sql(void **state)
{
    fx *f = *state;
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    sqlite3_stmt *q = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(
            f->db,
            "SELECT CASE cso WHEN '' THEN '(tidak diketahui)' ELSE cso END,"
            " count(*), sum(status = 'compliant'), sum(status = 'exempt'),"
            " sum(status = 'violation'), sum(status = 'out_of_scope'),"
            " round(sum(status IN ('compliant', 'exempt')) * 100.0 /"
            " nullif(sum(status <> 'out_of_scope'), 0), 2)"
            " FROM audit_results WHERE period = '2026-10' GROUP BY cso",
            -1, &q, NULL),
        SQLITE_OK);
    int rows = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        int row = 0;
        for (int r = 2; r < 40 && !row; r++) {
            char want[512];
            snprintf(want, sizeof want, "C\tPer CSO\tA%d\ts\t%s", r, name);
            if (has_line(d, want))
                row = r;
        }
        if (!row)
            fail_msg("no row for CSO %s", name);
        for (int i = 1; i <= 6; i++) {
            char ref[8], b[256];
            snprintf(ref, sizeof ref, "%c%d", 'A' + i, row);
            cell(d, "Per CSO", ref, b, sizeof b);
            if (sqlite3_column_type(q, i) == SQLITE_NULL) {
                assert_string_equal(b, "");
                continue;
            }
            assert_memory_equal(b, "n\t", 2);
            assert_true(strtod(b + 2, NULL) == sqlite3_column_double(q, i));
        }
        rows++;
    }
    sqlite3_finalize(q);
    assert_int_equal(rows, 8);
    free(d);
}

static void masked_by_default(void **state)
{
    fx *f = *state;
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    assert_null(strstr(d, "budi.s@gmail.com"));
    assert_null(strstr(d, "081234567890"));
    assert_null(strstr(d, "3456 7890"));
    assert_null(strstr(d, "1111-2222"));
    assert_line(d, "C\tTemuan\tG5\ts\tb***@gmail.com");
    assert_line(d, "C\tTemuan\tH5\ts\t+62 81* **** 7890");
    assert_line(d, "C\tTemuan\tH2\ts\t0812****7890");
    assert_line(d, "C\tTemuan\tI2\ts\tpelanggan minta dihubungi di "
                   "0812****8888");
    assert_line(d, "C\tPengecualian\tJ2\ts\tpelanggan marah, email "
                   "b***@gmail.com");
    assert_line(d, "C\tPengecualian\tG2\ts\tnotes: \"marah\"");
    assert_line(d, "C\tDitolak\tD2\ts\tT9,2026-10-01,Budi,b***@gmail.com,"
                   "0812****7890");
    assert_line(d, "C\tDitolak\tB2\tn\t7.0");
    free(d);
}

/* A cell holds at most 32,000 bytes, cut on a character boundary. */
static void long_text_cut(void **state)
{
    fx *f = *state;
    exec(f->db, "INSERT INTO rejects(import_id, file, line, reason, field,"
                " raw) VALUES (1, 'crm-okt.csv', 11, 'long', NULL,"
                " printf('%.*c', 31999, 'x') || 'é' || printf('%.*c', 99,"
                " 'y'))");
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    char *b = malloc(40000);
    assert_non_null(b);
    cell(d, "Ditolak", "D4", b, 40000);
    assert_int_equal(strlen(b), 2 + 31999); /* "s\t" + the x's */
    assert_int_equal(strspn(b + 2, "x"), 31999);
    free(b);
    free(d);
}

static void unmasked_with_no_mask(void **state)
{
    fx *f = *state;
    report_options o = {.period = "2026-10", .no_mask = 1};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    assert_line(d, "C\tTemuan\tG5\ts\tbudi.s@gmail.com");
    assert_line(d, "C\tTemuan\tH5\ts\t+62 812 3456 7890");
    assert_line(d, "C\tDitolak\tD3\ts\t,2026-10-02,Ani,ani@yahoo.co.id,"
                   "+62 812-1111-2222");
    free(d);
}

/* Data never becomes a formula: every cell written is text or number. */
static void formula_stays_text(void **state)
{
    fx *f = *state;
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    assert_null(strstr(d, "\tf\t"));
    assert_line(d, "C\tPer CSO\tA3\ts\t" HYPER);
    assert_line(d, "C\tTemuan\tD5\ts\t" HYPER);
    assert_line(d, "C\tTemuan\tI5\ts\t" HYPER);
    free(d);
}

static void sheet_continues_past_row_limit(void **state)
{
    fx *f = *state;
    /* 5 violations, 2 rows per sheet after the header */
    report_options o = {.period = "2026-10", .max_rows = 3};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    char s[512];
    sheets(d, s, sizeof s);
    assert_string_equal(s, "Ringkasan|Per CSO|Per CSO (2)|Per CSO (3)|"
                           "Per CSO (4)|Temuan|Temuan (2)|Temuan (3)|"
                           "Pengecualian|Ditolak|Indikasi|");
    assert_line(d, "C\tTemuan (3)\tA1\ts\tSumber");
    assert_line(d, "C\tTemuan (3)\tB2\ts\tP1");
    assert_line(d, "P\tTemuan (2)\tA2");
    char b[64];
    assert_string_equal(cell(d, "Temuan (3)", "B3", b, sizeof b), "");
    free(d);
}

static void every_period_and_names(void **state)
{
    fx *f = *state;
    report_options o = {0};
    assert_int_equal(run(f, &o), TA_OK);
    char want[700];
    snprintf(want, sizeof want, "%s/audit-2026-09_2026-10.xlsx", f->out);
    assert_string_equal(f->path, want);
    char *d = dump(f, f->path);
    assert_line(d, "C\tRingkasan\tB2\ts\t2026-09 s.d. 2026-10");
    assert_line(d, "C\tPer CSO\tA4\ts\tOld");
    free(d);
}

static void nothing_audited_is_data_error(void **state)
{
    fx *f = *state;
    report_options o = {.period = "2025-01"};
    assert_int_equal(run(f, &o), TA_E_DATA);
    assert_non_null(strstr(f->err, "2025-01"));
    struct stat sb;
    assert_int_not_equal(stat(f->out, &sb), 0);
    report_options bad = {.period = "2026-13"};
    assert_int_equal(run(f, &bad), TA_E_USAGE);
}

static void unwritable_folder_is_cantcreat(void **state)
{
    fx *f = *state;
    char file[700], out[800];
    snprintf(file, sizeof file, "%s/a-file", f->dir);
    assert_int_equal(tu_write_file(file, "x", 1), 0);
    snprintf(out, sizeof out, "%s/x", file);
    report_options o = {.period = "2026-10", .out_dir = out};
    assert_int_equal(run(f, &o), TA_E_CANTCREAT);
    assert_non_null(strstr(f->err, file));
    assert_non_null(strstr(f->err, "--out"));
}

/* Lists a folder's entries, sorted, joined with '|'. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_dir(const char *path, char *buf, size_t len)
{
    DIR *dir = opendir(path);
    assert_non_null(dir);
    char *names[64];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(dir);
    qsort(names, n, sizeof *names, cmp_str);
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        k += (size_t)snprintf(buf + k, len - k, "%s|", names[i]);
        free(names[i]);
    }
}

static void per_cso_files_safe(void **state)
{
    fx *f = *state;
    report_options o = {.period = "2026-10", .per_cso = 1};
    assert_int_equal(run(f, &o), TA_OK);
    char got[2048], cso[700];
    list_dir(f->out, got, sizeof got);
    /* no temporary file left, nothing but the workbook and cso/ */
    assert_string_equal(got, "audit-2026-10.xlsx|cso|");
    snprintf(cso, sizeof cso, "%s/cso", f->out);
    list_dir(cso, got, sizeof got);
    assert_string_equal(got, "2026-10|");
    snprintf(cso, sizeof cso, "%s/cso/2026-10", f->out);
    list_dir(cso, got, sizeof got);
    assert_string_equal(got, "=HYPERLINK(_http___x_).xlsx|Ani.xlsx|"
                             "Budi.xlsx|_._etc_passwd.xlsx|_CON.xlsx|"
                             "a_b-2.xlsx|a_b.xlsx|tidak-diketahui.xlsx|");
    char path[800];
    snprintf(path, sizeof path, "%s/Budi.xlsx", cso);
    char *d = dump(f, path);
    char s[256];
    sheets(d, s, sizeof s);
    assert_string_equal(s, "Ringkasan|Temuan|Pengecualian|");
    assert_line(d, "C\tRingkasan\tB2\ts\tBudi");
    assert_line(d, "C\tTemuan\tB2\ts\tB4");
    assert_line(d, "C\tPengecualian\tB2\ts\tB5");
    char b[64];
    assert_string_equal(cell(d, "Temuan", "B3", b, sizeof b), "");
    free(d);
}

static void safe_names(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
        int en;
    } cases[] = {
        {"Budi Santoso", "Budi Santoso", 0},
        {"", "tidak-diketahui", 0},
        {"", "unknown", 1},
        {"../../etc/passwd", "_._etc_passwd", 0},
        {"..", "_2e2e", 0},
        {"a\\b:c*d?e\"f<g>h|i", "a_b_c_d_e_f_g_h_i", 0},
        {"tab\there", "tab_here", 0},
        {"CON", "_CON", 0},
        {"con.txt", "_con.txt", 0},
        {"Com1", "_Com1", 0},
        {"LPT9.x", "_LPT9.x", 0},
        {"COM0", "COM0", 0},
        {"CONSOLE", "CONSOLE", 0},
        {"name. . ", "name", 0},
        {" .hidden", "hidden", 0},
        {"a..b", "a.b", 0},
        {"bad\xff"
         "byte",
         "bad_byte", 0},
        {"Dédé", "Dédé", 0},
        /* not UTF-8, though shaped like it: overlong forms (of '/' and
         * '.'), a surrogate, a code point above U+10FFFF and a truncated
         * sequence are never copied into a file name (they were, once) */
        {"a\xC0\xAF"
         "b",
         "a__b", 0},
        {"a\xE0\x80\xAF"
         "b",
         "a___b", 0},
        {"x\xE0\x80\xAE\xE0\x80\xAE"
         "y",
         "x______y", 0},
        {"s\xED\xA0\x80"
         "t",
         "s___t", 0},
        {"u\xF4\x90\x80\x80"
         "v",
         "u____v", 0},
        {"end\xE2\x82", "end_", 0},
        {"\xF0\x9F\x98\x80 ok", "\xF0\x9F\x98\x80 ok", 0},
    };
    char out[128];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        report_safe_name(cases[i].in, cases[i].en, out, sizeof out);
        if (strcmp(out, cases[i].want) != 0)
            fail_msg("case %zu: '%s' -> '%s', want '%s'", i, cases[i].in, out,
                     cases[i].want);
        if (!utf8_valid(out, strlen(out)))
            fail_msg("case %zu: '%s' is not valid UTF-8", i, out);
    }
    /* 100 bytes at most, never cutting a UTF-8 sequence */
    char longname[400];
    size_t ln = 0;
    for (int i = 0; i < 60; i++) {
        memcpy(longname + ln, "é", 2);
        ln += 2;
    }
    longname[ln] = '\0';
    report_safe_name(longname, 0, out, sizeof out);
    assert_true(strlen(out) <= 100);
    assert_int_equal(strlen(out) % 2, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sheet_order_id, setup, teardown),
        cmocka_unit_test_setup_teardown(deflate_level_per_build, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(sheet_order_en, setup, teardown),
        cmocka_unit_test_setup_teardown(by_cso_header_and_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(by_cso_matches_sql, setup, teardown),
        cmocka_unit_test_setup_teardown(history_previous_month, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(signals_sheet, setup, teardown),
        cmocka_unit_test_setup_teardown(masked_by_default, setup, teardown),
        cmocka_unit_test_setup_teardown(long_text_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(unmasked_with_no_mask, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(formula_stays_text, setup, teardown),
        cmocka_unit_test_setup_teardown(sheet_continues_past_row_limit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(every_period_and_names, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(nothing_audited_is_data_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unwritable_folder_is_cantcreat, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(per_cso_files_safe, setup, teardown),
        cmocka_unit_test(safe_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
