/*
 * test_report.c — the workbook of SPEC §5 read back by another reader
 * (openpyxl, through tests/xlsx_dump.py): sheet names and order in both
 * languages, the Per CSO bands, labels and figures against SQL over
 * audit_results, the signals in Per CSO, its chart and each CSO's own
 * workbook, numeric and date cells, the local time, the period's files,
 * worded reasons, wrapped text and row heights, masking on and off, data
 * that looks like a formula kept as text, sheets continuing past a
 * (forced) row limit, the per-CSO file names, atomic writing, and the
 * error statuses. The QA decision columns are test_report_review.c's, the
 * words of each language test_report_words.c's.
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
#include <time.h>

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

#define exec tu_exec

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
            " email_state, hp_state, evidence, audit_id, fingerprint) VALUES"
            " ('crm', ?1, 1, 2, ?2, substr(?2, 1, 7), 'Keluhan', ?5, ?6, ?3,"
            " ?7, ?4, ?8, 'keluhan', 'valid', 'valid',"
            " CASE WHEN ?8 = 'EX_URGENT' THEN 'EX_URGENT: urgency \"Urgent\"'"
            " WHEN ?4 = 'exempt' THEN 'EX_ANGRY: notes \"marah\"' ELSE '' END,"
            " 1, lower(hex(substr(?1 || 'xxxxxx', 1, 6))))",
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
         "INSERT INTO rejects(import_id, file, line, reason, field, raw,"
         " reason_code, reason_args, ticket_id) VALUES (1, 'crm-okt.csv', 7,"
         " '4 fields, the header has 9', NULL,"
         " 'T9,2026-10-01,Budi,budi.s@gmail.com,081234567890',"
         " 'field_count', '{\"fields\":4,\"header\":9}', 'T9'),"
         " (1, 'crm-okt.csv', 9, 'ticket_id is empty', 'ticket_id',"
         " ',2026-10-02,Ani,ani@yahoo.co.id,+62 812-1111-2222',"
         " 'ticket_id_empty', '{}', NULL);");
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

static char *dump(fx *f, const char *xlsx)
{
    return tu_xlsx_dump(f->dir, xlsx);
}

#define has_line tu_has_line

#define assert_line(d, ...)                                                   \
    do {                                                                      \
        char l_[1024];                                                        \
        snprintf(l_, sizeof l_, __VA_ARGS__);                                 \
        if (!has_line((d), l_))                                               \
            fail_msg("missing line: %s", l_);                                 \
    } while (0)

#define cell tu_xlsx_cell

/* The cell of column col beside the label in column A of Ringkasan. */
static const char *beside(const char *d, const char *sheet, const char *label,
                          char col, char *buf, size_t len)
{
    int row = tu_xlsx_row_of(d, sheet, 'A', label);
    if (!row)
        fail_msg("no row '%s' in %s", label, sheet);
    char ref[16];
    snprintf(ref, sizeof ref, "%c%d", col, row);
    return cell(d, sheet, ref, buf, len);
}

#define sheets tu_xlsx_sheets

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
    assert_string_equal(s, "Ringkasan|Per CSO|Temuan|Pengecualian|Ditolak|"
                           "Indikasi|Tinjauan|");
    assert_line(d, "CHARTS\t3"); /* codes, CSOs, months */
    assert_line(d, "P\tTemuan\tC2"); /* source and ticket stay */
    assert_line(d, "A\tTemuan\tA1:M6");
    /* the QA decision columns end the sheet; a drop-down list over the
     * rows; no green "number stored as text" triangles */
    assert_line(d, "C\tTemuan\tJ1\ts\tKeputusan QA");
    assert_line(d, "C\tTemuan\tM1\ts\tKunci");
    assert_line(d, "V\tTemuan\tJ2:J6\tlist\t\"Sah,Batal\"\tNone");
    assert_line(d, "I\tTemuan\tA1:XFD1048576");
    assert_line(d, "I\tPer CSO\tA1:XFD1048576");
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

/* n violations L1..Ln with notes of ~190 bytes, in rowid order after
 * the fixture's own: sheets of ~450 bytes a row. */
static void add_numbered(sqlite3 *db, int n)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db,
         "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n"
         " WHERE x < ?1)"
         " INSERT INTO tickets(source, ticket_id, import_id, line, date,"
         " period, type, email, hp, cso, notes, status, codes, category,"
         " email_state, hp_state, evidence, audit_id, fingerprint)"
         " SELECT 'crm', 'L' || x, 1, 100 + x, '2026-10-07', '2026-10',"
         " 'Keluhan', '', '', 'CSO ' || (x % 7),"
         " 'Pelanggan melaporkan padam sejak pagi ' || x || ', MCB sudah"
         " dinaikkan, tetap padam. Tetangga juga padam, gardu di ujung gang,"
         " mohon segera ditindaklanjuti oleh petugas yantek setempat.',"
         " 'violation', 'EMAIL_MISSING', 'keluhan', 'missing', 'missing', '',"
         " 1, printf('%012x', x) FROM n",
                           -1, &q, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_bind_int(q, 1, n), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
}

/* A part larger than deflate_level.c's chunk (1 MiB): 6,000 findings with
 * notes of ~250 bytes make a Temuan sheet of ~3 MB, deflated by the worker
 * threads in chunks. The workbook is kept only when every part inflates
 * to its size and CRC-32 (verify.c), and openpyxl reads it back whole:
 * the last finding's cells are there, with their text. */
static void large_sheet_in_chunks(void **state)
{
    fx *f = *state;
    add_numbered(f->db, 6000);
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    assert_non_null(strstr(d, "\ts\tL6000\n"));
    assert_non_null(strstr(d, "\ts\tPelanggan melaporkan padam sejak pagi "
                              "6000, MCB"));
#if TA_FAST_DEFLATE
    assert_line(d, "ZIPLEVEL\tsuperfast");
#endif
    free(d);
}

/* Rows spliced (src/report/splice.c): past 1 MiB of a sheet's rows the
 * rest is deflated as it is written and put in the sheet's place in the
 * zip. 9,000 findings at 4,000 rows a sheet make two sheets that splice
 * and a third too short to: each finding is read back by openpyxl once,
 * in order, on its sheet, the rows before and after each splice point
 * included. */
static void spliced_sheets_past_row_limit(void **state)
{
    fx *f = *state;
    add_numbered(f->db, 9000);
    report_options o = {.period = "2026-10", .max_rows = 4000};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    /* the dump lists the cells row by row, sheet by sheet: the ticket
     * numbers of column B in order, across the three sheets, with the
     * fixture's own 3 violations first (rowid order) */
    static const char *const sheet[] = {"Temuan", "Temuan (2)",
                                        "Temuan (3)"};
    long seen = 0, want = 1, other = -3; /* the headers */
    for (int k = 0; k < 3; k++) {
        char pat[64];
        int n = snprintf(pat, sizeof pat, "\nC\t%s\tB", sheet[k]);
        long rows = 0;
        for (const char *p = strstr(d, pat); p; p = strstr(p + 1, pat)) {
            const char *q = strchr(p + n, '\t');
            rows++;
            if (!q || strncmp(q, "\ts\tL", 4) != 0) {
                other++;
                continue;
            }
            assert_int_equal(strtol(q + 4, NULL, 10), want);
            want++;
            seen++;
        }
        /* the header and 3,999 rows a sheet, the rest on the third */
        if (k < 2)
            assert_int_equal(rows, 4000);
        else
            assert_int_equal(rows, 9000 + other - 2 * 3999 + 1);
    }
    assert_in_range(other, 1, 10);
    assert_int_equal(seen, 9000);
    assert_non_null(strstr(d, "\ts\tPelanggan melaporkan padam sejak pagi "
                              "9000, MCB"));
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
        s, "Summary|By CSO|Findings|Exemptions|Rejected|Signals|Review|");
    const char *head[] = {"CSO",          "Tickets",
                          "Compliant",    "Exempt",
                          "Violations",   "Out of scope",
                          "Compliance (%)", "Compliance after review (%)"};
    for (int i = 0; i < 8; i++)
        assert_line(d, "C\tBy CSO\t%c2\ts\t%s", 'A' + i, head[i]);
    assert_line(d, "C\tBy CSO\tA7\ts\t(unknown)");
    assert_line(d, "C\tSignals\tA1\ts\tNo signals (reused contacts, "
                   "exemption outliers, cross-system mismatches) were found "
                   "for this period.");
    assert_line(d, "C\tReview\tA1\ts\tNo QA decisions on this period's "
                   "tickets yet.");
    assert_line(d, "C\tFindings\tJ1\ts\tQA decision");
    assert_line(d, "V\tFindings\tJ2:J6\tlist\t\"Upheld,Overturned\"\tNone");
    free(d);
}

/* SPEC §5's Per CSO header: the fixed columns, compliance after review,
 * the codes headed by their labels (violations, then exemptions, each
 * under a band), the signals; numbers right-aligned under right-aligned
 * headers; a compact header (no rotated names). */
static void by_cso_header_and_order(void **state)
{
    fx *f = *state;
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    const char *head[] = {"CSO",
                          "Total Tiket",
                          "Patuh",
                          "Dikecualikan",
                          "Melanggar",
                          "Di Luar Cakupan",
                          "Kepatuhan (%)",
                          "Kepatuhan setelah tinjauan (%)",
                          "Email kosong",
                          "Email tidak sah",
                          "HP kosong",
                          "HP tidak sah",
                          "Keadaan darurat",
                          "Pelanggan marah",
                          "Kontak dipakai berulang",
                          "Pencilan pengecualian",
                          "Ketidakcocokan antar sistem",
                          "Ada indikasi",
                          "Kepatuhan bulan lalu (%)",
                          "Perubahan (poin)"};
    for (int i = 0; i < 20; i++)
        assert_line(d, "C\tPer CSO\t%c2\ts\t%s", 'A' + i, head[i]);
    assert_false(has_line(d, "R\tPer CSO\tA2"));
    for (int i = 1; i < 17; i++)
        assert_line(d, "R\tPer CSO\t%c2", 'A' + i);
    /* the bands over the codes, the signals and the history */
    assert_line(d, "C\tPer CSO\tI1\ts\tPelanggaran");
    assert_line(d, "G\tPer CSO\tI1:L1");
    assert_line(d, "C\tPer CSO\tM1\ts\tPengecualian");
    assert_line(d, "G\tPer CSO\tM1:N1");
    assert_line(d, "C\tPer CSO\tO1\ts\tIndikasi");
    assert_line(d, "G\tPer CSO\tO1:R1");
    assert_line(d, "C\tPer CSO\tS1\ts\tRiwayat");
    assert_line(d, "P\tPer CSO\tB3");
    char b[256];
    assert_string_equal(cell(d, "Per CSO", "U2", b, sizeof b), "");
    const char *hp = strstr(d, "\nH\tPer CSO\t2\t");
    assert_non_null(hp);
    double h = strtod(hp + strlen("\nH\tPer CSO\t2\t"), NULL);
    assert_true(h >= 30 && h <= 60);
    /* worst first, ties by name, blank compliance last */
    const char *order[] = {"../../etc/passwd",  HYPER, "Ani", "Budi",
                           "(tidak diketahui)", "CON", "a/b", "a:b"};
    for (int i = 0; i < 8; i++)
        assert_line(d, "C\tPer CSO\tA%d\ts\t%s", i + 3, order[i]);
    assert_line(d, "C\tPer CSO\tG5\tn\t33.33");
    assert_line(d, "C\tPer CSO\tH5\tn\t33.33"); /* no decision */
    /* Ani: EMAIL_MISSING 0, EMAIL_INVALID 1, HP_MISSING 1, HP_INVALID 1 */
    assert_line(d, "C\tPer CSO\tI5\tn\t0.0");
    assert_line(d, "C\tPer CSO\tJ5\tn\t1.0");
    assert_line(d, "C\tPer CSO\tK5\tn\t1.0");
    assert_line(d, "C\tPer CSO\tL5\tn\t1.0");
    /* Budi: EX_ANGRY under Pelanggan marah */
    assert_line(d, "C\tPer CSO\tN6\tn\t1.0");
    assert_string_equal(cell(d, "Per CSO", "G8", b, sizeof b), "n\t100.0");
    assert_string_equal(cell(d, "Per CSO", "G9", b, sizeof b), "");
    /* below the 90% target: highlighted; at 100: not */
    assert_line(d, "F\tPer CSO\tG5\tFFC7CE");
    assert_line(d, "F\tPer CSO\tG6\tFFC7CE");
    assert_false(has_line(d, "F\tPer CSO\tG8\tFFC7CE"));
    /* no signal at all: no CSO marked */
    assert_null(strstr(d, "\nL\tPer CSO\t"));
    assert_null(strstr(d, "\ts\tYa\n"));
    /* summary totals are numbers: 15 tickets in 2026-10 */
    assert_string_equal(beside(d, "Ringkasan", "Total Tiket", 'B', b, sizeof b),
                        "n\t15.0");
    assert_string_equal(
        beside(d, "Ringkasan", "Kepatuhan (%)", 'B', b, sizeof b), "n\t58.33");
    assert_string_equal(beside(d, "Ringkasan",
                               "Kepatuhan setelah tinjauan (%)", 'B', b,
                               sizeof b),
                        "n\t58.33");
    free(d);
}

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
    assert_line(d, "C\tBy CSO\tS2\ts\tPrevious month (%%)");
    assert_line(d, "C\tBy CSO\tT2\ts\tChange (points)");
    assert_line(d, "C\tBy CSO\tS1\ts\tHistory");
    /* Budi: 80 % in October, 50 % in September (not 100 % of August) */
    assert_line(d, "C\tBy CSO\tA6\ts\tBudi");
    assert_line(d, "C\tBy CSO\tG6\tn\t80.0");
    assert_line(d, "C\tBy CSO\tS6\tn\t50.0");
    assert_line(d, "C\tBy CSO\tT6\tn\t30.0");
    /* Ani: nothing in scope in September; Old: not in October at all */
    assert_line(d, "C\tBy CSO\tA5\ts\tAni");
    assert_string_equal(cell(d, "By CSO", "S5", b, sizeof b), "");
    assert_string_equal(cell(d, "By CSO", "T5", b, sizeof b), "");
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
    assert_string_equal(cell(d, "By CSO", "S2", b, sizeof b), "");
    assert_string_equal(cell(d, "By CSO", "S1", b, sizeof b), "");
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
         " '{\"crm_cso\":\"=HYPERLINK(1)\",\"fields\":[\"email\",\"hp\"]}'),"
         " ('2026-10', 'cross_system_mismatch', 'Budi', 'K2', 'T2',"
         " 'budi@x.id', 'budi@x.id', '081211112222', '',"
         " '{\"crm_cso\":\"Ani\",\"fields\":[\"hp\"]}'),"
         " ('2026-10', 'cross_system_mismatch', 'Budi', 'K3', 'T3',"
         " '', 'b@y.id', '081233334444', '081233334444',"
         " '{\"crm_cso\":\"Ani\",\"fields\":[\"email\"]}');");
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
    /* the codes with their labels, most first */
    assert_line(d, "C\t%s\tH8\ts\tKeadaan darurat: 3, Pelanggan marah: 1", S);
    assert_line(d,
                "C\t%s\tA10\ts\tKetidakcocokan antar sistem (APKT dan "
                "CRM untuk laporan yang sama), per CSO APKT, terbanyak dulu",
                S);
    assert_line(d, "C\t%s\tB11\ts\tTiket APKT", S);
    /* grouped by CSO, the one with most first: a line with its counts,
     * then its rows */
    assert_line(d, "C\t%s\tA12\ts\tBudi: 2 ketidakcocokan (email 1, HP 1)", S);
    assert_line(d, "G\t%s\tA12:J12", S);
    assert_line(d, "C\t%s\tB13\ts\tK2", S);
    assert_line(d, "C\t%s\tJ13\ts\tHP", S);
    assert_line(d, "C\t%s\tB14\ts\tK3", S);
    assert_line(d, "C\t%s\tJ14\ts\tEmail", S);
    assert_line(d, "C\t%s\tA15\ts\tAni: 1 ketidakcocokan (email 1, HP 1)", S);
    assert_line(d, "C\t%s\tB16\ts\tK1", S);
    assert_line(d, "C\t%s\tC16\ts\tT1", S);
    assert_line(d, "C\t%s\tD16\ts\ta***@yahoo.co.id", S);
    assert_line(d, "C\t%s\tE16\ts\ta***@yahoo.co.id", S);
    assert_line(d, "C\t%s\tF16\ts\t0812****8888", S);
    assert_line(d, "C\t%s\tG16\ts\t0812****7777", S);
    assert_line(d, "C\t%s\tH16\ts\tAni", S);
    assert_line(d, "C\t%s\tI16\ts\t=HYPERLINK(1)", S); /* text */
    assert_line(d, "C\t%s\tJ16\ts\tEmail, HP", S);
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
    assert_line(d, "C\tSignals\tH8\ts\tEmergency: 3, Angry customer: 1");
    assert_line(d, "C\tSignals\tA15\ts\tAni: 1 mismatch (email 1, HP 1)");
    assert_line(d, "C\tSignals\tE16\ts\tani2@yahoo.co.id");
    assert_line(d, "C\tSignals\tI11\ts\tCRM CSO");
    free(d);

    /* a kind without signals says so; the others still show */
    exec(f->db, "DELETE FROM signals WHERE kind = 'exemption_outlier'");
    assert_int_equal(run(f, &o), TA_OK);
    d = dump(f, f->path);
    assert_line(d, "C\t%s\tA8\ts\tTidak ada.", S);
    assert_line(d, "C\t%s\tB16\ts\tK1", S);
    free(d);
}

/* Per CSO counts each CSO's signals and marks a CSO with any; so do the
 * chart's bars and Ringkasan's totals. */
static void signals_in_by_cso(void **state)
{
    fx *f = *state;
    add_signals(f->db);
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    char b[256];
    /* rows: passwd 3, HYPER 4, Ani 5, Budi 6, (tidak diketahui) 7, CON 8 */
    assert_line(d, "C\tPer CSO\tA5\ts\tAni");
    assert_line(d, "C\tPer CSO\tO5\tn\t1.0"); /* the reused email */
    assert_line(d, "C\tPer CSO\tP5\tn\t0.0");
    assert_line(d, "C\tPer CSO\tQ5\tn\t1.0"); /* K1 */
    assert_line(d, "C\tPer CSO\tR5\ts\tYa");
    assert_line(d, "C\tPer CSO\tO6\tn\t1.0"); /* the reused HP */
    assert_line(d, "C\tPer CSO\tP6\tn\t1.0"); /* the outlier */
    assert_line(d, "C\tPer CSO\tQ6\tn\t2.0"); /* K2, K3 */
    assert_line(d, "C\tPer CSO\tR6\ts\tYa");
    assert_line(d, "C\tPer CSO\tO7\tn\t1.0");
    assert_line(d, "C\tPer CSO\tR7\ts\tYa");
    assert_line(d, "C\tPer CSO\tO8\tn\t0.0");
    assert_string_equal(cell(d, "Per CSO", "R8", b, sizeof b), "");
    assert_line(d, "F\tPer CSO\tQ6\tFCE4D6");
    assert_false(has_line(d, "F\tPer CSO\tP5\tFCE4D6"));
    /* the name marked, with the below-target fill kept */
    assert_line(d, "L\tPer CSO\tA5\tthick");
    assert_line(d, "F\tPer CSO\tA5\tFFC7CE");
    assert_line(d, "L\tPer CSO\tA6\tthick");
    assert_line(d, "L\tPer CSO\tA7\tthick");
    assert_false(has_line(d, "L\tPer CSO\tA8\tthick"));
    assert_false(has_line(d, "L\tPer CSO\tA3\tthick"));
    /* the chart: a bar per CSO with a compliance, orange with signals,
     * every name labelled */
    assert_line(d, "CHART\tchart3.xml\tskip\t1\tpoints\t6\tcolours\t"
                   "4472C4,4472C4,ED7D31,ED7D31,ED7D31,4472C4");
    assert_line(d, "CHART\tchart1.xml\tskip\t1\tpoints\t0\tcolours\t");
    /* Ringkasan: the period's signals */
    assert_string_equal(
        beside(d, "Ringkasan", "Kontak dipakai berulang", 'B', b, sizeof b),
        "n\t2.0");
    assert_string_equal(
        beside(d, "Ringkasan", "Pencilan pengecualian", 'B', b, sizeof b),
        "n\t1.0");
    assert_string_equal(beside(d, "Ringkasan", "Ketidakcocokan antar sistem",
                               'B', b, sizeof b),
                        "n\t3.0");
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
            " nullif(sum(status <> 'out_of_scope'), 0), 2),"
            " round(sum(final_status IN ('compliant', 'exempt')) * 100.0 /"
            " nullif(sum(final_status <> 'out_of_scope'), 0), 2)"
            " FROM reviewed_results WHERE period = '2026-10' GROUP BY cso",
            -1, &q, NULL),
        SQLITE_OK);
    int rows = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        int row = tu_xlsx_row_of(d, "Per CSO", 'A', name);
        if (!row)
            fail_msg("no row for CSO %s", name);
        for (int i = 1; i <= 7; i++) {
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
    add(f->db, "N1", "2026-10-12", "Budi", "exempt", "EX_NO_EMAIL",
        "tidak punya email", "0812", "");
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
    /* a cell without an address or a number is shown as it is */
    assert_line(d, "C\tTemuan\tH3\ts\t021555");
    assert_line(d, "C\tTemuan\tG4\ts\tani");
    int row = tu_xlsx_row_of(d, "Pengecualian", 'B', "N1");
    assert_line(d, "C\tPengecualian\tH%d\ts\ttidak punya email", row);
    assert_line(d, "C\tDitolak\tE2\ts\tT9,2026-10-01,Budi,b***@gmail.com,"
                   "0812****7890");
    assert_line(d, "C\tDitolak\tC2\tn\t7.0");
    free(d);
}

/* The codes, categories and evidence in the report's language; the codes
 * as stored beside their labels. */
static void codes_and_evidence_worded(void **state)
{
    fx *f = *state;
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    assert_line(d, "C\tTemuan\tF1\ts\tPelanggaran");
    assert_line(d, "C\tTemuan\tE2\ts\tkeluhan");
    assert_line(d, "C\tTemuan\tF4\ts\tEmail tidak sah (EMAIL_INVALID); HP "
                   "kosong (HP_MISSING)");
    assert_line(d, "C\tPengecualian\tF2\ts\tPelanggan marah (EX_ANGRY)");
    assert_line(d, "C\tPengecualian\tG1\ts\tBukti");
    assert_line(d, "C\tPengecualian\tG2\ts\tPelanggan marah (Catatan: "
                   "\"marah\")");
    assert_line(d, "C\tPengecualian\tG3\ts\tKeadaan darurat (Urgensi: "
                   "\"Urgent\")");
    free(d);
    report_options en = {.period = "2026-10", .lang = "en"};
    assert_int_equal(run(f, &en), TA_OK);
    d = dump(f, f->path);
    assert_line(d, "C\tFindings\tE2\ts\tcomplaint");
    assert_line(d, "C\tFindings\tF4\ts\tInvalid email (EMAIL_INVALID); HP "
                   "missing (HP_MISSING)");
    assert_line(d, "C\tExemptions\tG2\ts\tAngry customer (Notes: "
                   "\"marah\")");
    assert_line(d, "C\tExemptions\tG3\ts\tEmergency (Urgency: \"Urgent\")");
    free(d);
}

/* Dates are date cells (Excel's filter groups them by year and month);
 * the source as a name. */
static void dates_are_date_cells(void **state)
{
    fx *f = *state;
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    assert_line(d, "C\tTemuan\tC2\td\t2026-10-04");
    assert_line(d, "N\tTemuan\tC2\tyyyy-mm-dd");
    assert_line(d, "C\tPengecualian\tC2\td\t2026-10-05");
    assert_line(d, "C\tTemuan\tA2\ts\tCRM");
    free(d);
}

/* The workbook's time is the local time with its offset (documents'
 * properties stay UTC, as libxlsxwriter writes them). */
static void generated_in_local_time(void **state)
{
    fx *f = *state;
    char keep[128];
    tu_tz_set("WIB-7", keep, sizeof keep); /* POSIX form: no zone files */
    report_options o = {.period = "2026-10"};
    ta_status st = run(f, &o);
    tu_tz_restore(keep);
    assert_int_equal(st, TA_OK);
    char *d = dump(f, f->path);
    char b[256];
    beside(d, "Ringkasan", "Dibuat pada", 'B', b, sizeof b);
    /* "s\t2026-12-01 14:05 +07:00 (waktu setempat)" */
    assert_int_equal(strlen(b), 2 + 23 + 17);
    assert_string_equal(b + 2 + 16, " +07:00 (waktu setempat)");
    assert_string_equal(beside(d, "Ringkasan", "Aturan", 'B', b, sizeof b),
                        "s\tbawaan (audit 2026-11-01 07:00 +07:00)");
    free(d);
}

/* The Files table lists the imports of the period's tickets (and those
 * that imported nothing); Ditolak their rejected rows. A file is shown by
 * name, its path in a note (Ringkasan) or a column (Ditolak). */
static void files_of_the_period(void **state)
{
    fx *f = *state;
    exec(f->db,
         "INSERT INTO imports(id, file, size, sha256, source, encoding,"
         " delimiter, header_line, rows_read, rows_imported, rows_rejected,"
         " imported_at, program_version) VALUES"
         " (2, 'arsip/september/crm-sep.csv', 1, 'def', 'crm', 'utf-8', ',',"
         " 1, 2, 1, 1, '2026-10-01T00:00:00Z', '0.1.0'),"
         " (3, '/data/rusak.csv', 1, 'ghi', 'apkt', 'utf-8', ',', 1, 1, 0, 1,"
         " '2026-11-02T00:00:00Z', '0.1.0');"
         "UPDATE tickets SET import_id = 2 WHERE ticket_id = 'O1';"
         "INSERT INTO rejects(import_id, file, line, reason, raw) VALUES"
         " (2, 'arsip/september/crm-sep.csv', 3, 'x', 'SEP,row'),"
         " (3, '/data/rusak.csv', 2, 'x', 'BAD,row');");
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    assert_true(tu_xlsx_row_of(d, "Ringkasan", 'A', "crm-okt.csv") > 0);
    assert_true(tu_xlsx_row_of(d, "Ringkasan", 'A', "rusak.csv") > 0);
    assert_int_equal(tu_xlsx_row_of(d, "Ringkasan", 'A', "crm-sep.csv"), 0);
    int row = tu_xlsx_row_of(d, "Ringkasan", 'A', "rusak.csv");
    assert_line(d, "M\tRingkasan\tA%d\t/data/rusak.csv", row);
    assert_null(strstr(d, "SEP,row"));
    assert_line(d, "C\tDitolak\tA4\ts\trusak.csv");
    assert_line(d, "C\tDitolak\tE4\ts\tBAD,row");
    assert_line(d, "C\tDitolak\tF4\ts\t/data/rusak.csv");
    assert_line(d, "C\tDitolak\tA2\ts\tcrm-okt.csv");
    char b[64];
    assert_string_equal(cell(d, "Ditolak", "F2", b, sizeof b), "");
    free(d);
    /* every period: September's import too */
    report_options all = {0};
    assert_int_equal(run(f, &all), TA_OK);
    d = dump(f, f->path);
    assert_true(tu_xlsx_row_of(d, "Ringkasan", 'A', "crm-sep.csv") > 0);
    assert_non_null(strstr(d, "\ts\tSEP,row\n"));
    free(d);
}

/* Reasons are worded from their code in the report's language (the stored
 * English reason only when there is no code, as in old databases); the
 * row's ticket ids stay unmasked. */
static void reject_reasons_worded(void **state)
{
    fx *f = *state;
    exec(f->db,
         "DELETE FROM rejects;"
         "INSERT INTO rejects(import_id, file, line, reason, raw, reason_code,"
         " reason_args, ticket_id, crm_ticket) VALUES"
         " (1, 'a.csv', 2, 'r', '52610230000026,x,081234567890',"
         "  'field_count', '{\"fields\":14,\"header\":15}', '52610230000026',"
         "  NULL),"
         " (1, 'a.csv', 3, 'r', 'x', 'beyond_header', '{\"column\":\"Q\"}',"
         "  NULL, NULL),"
         " (1, 'a.csv', 4, 'r', 'L26102300000044,30-FEB-26,K2610230000484',"
         "  'date_invalid', '{\"value\":\"30-FEB-26\"}', 'L26102300000044',"
         "  'K2610230000484'),"
         " (1, 'a.csv', 5, 'r', 'x', 'date_empty', '{}', NULL, NULL),"
         " (1, 'a.csv', 6, 'r', 'x', 'ticket_id_empty', '{}', NULL, NULL),"
         " (1, 'a.csv', 7, 'r', 'x', 'open_quote', '{}', NULL, NULL),"
         " (1, 'a.csv', 8, 'old reason kept', 'x', NULL, NULL, NULL, NULL),"
         " (1, 'a.csv', 9, 'r', 'x', 'field_count', 'not json', NULL, NULL);");
    const char *id[] = {
        "14 kolom, baris judul berisi 15",
        "ada isian di kolom Q, di kanan kolom terakhir baris judul",
        "tanggal \"30-FEB-26\" tidak dalam bentuk yang dikenal atau bukan "
        "tanggal yang ada",
        "tanggal kosong",
        "nomor tiket kosong",
        "berkas berakhir di dalam isian berkutip yang dimulai di baris ini "
        "(ekspor terpotong?)",
        "old reason kept",
        "0 kolom, baris judul berisi 0"};
    const char *en[] = {
        "14 fields, the header has 15",
        "a value in column Q, right of the header's last column",
        "date \"30-FEB-26\" is not a date in a known form or not a real "
        "calendar date",
        "the date is empty",
        "the ticket id is empty",
        "the file ends inside a quoted field that starts on this line "
        "(truncated export?)",
        "old reason kept",
        "0 fields, the header has 0"};
    for (int lang = 0; lang < 2; lang++) {
        report_options o = {.period = "2026-10", .lang = lang ? "en" : "id"};
        assert_int_equal(run(f, &o), TA_OK);
        char *d = dump(f, f->path);
        const char *S = lang ? "Rejected" : "Ditolak";
        for (int i = 0; i < 8; i++)
            assert_line(d, "C\t%s\tD%d\ts\t%s", S, i + 2,
                        lang ? en[i] : id[i]);
        /* the ticket ids as they are, the phone number masked */
        assert_line(d, "C\t%s\tE2\ts\t52610230000026,x,0812****7890", S);
        assert_line(d, "C\t%s\tE4\ts\tL26102300000044,30-FEB-26,"
                       "K2610230000484", S);
        free(d);
    }
}

/* Long text wraps and its row is as tall as it needs (LibreOffice does
 * not fit rows itself); a line break starts a line. */
static void text_wraps_rows_fit(void **state)
{
    fx *f = *state;
    add(f->db, "L1", "2026-10-11", "Budi", "violation", "EMAIL_MISSING", "",
        "", "baris satu\nbaris dua\nbaris tiga");
    report_options o = {.period = "2026-10"};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    int row = tu_xlsx_row_of(d, "Temuan", 'B', "L1");
    assert_true(row > 0);
    assert_line(d, "W\tTemuan\tI%d", row);
    assert_line(d, "H\tTemuan\t%d\t45.0", row);
    /* a one-line row keeps the default height */
    row = tu_xlsx_row_of(d, "Temuan", 'B', "A2");
    char pat[64];
    snprintf(pat, sizeof pat, "\nH\tTemuan\t%d\t", row);
    assert_null(strstr(d, pat));
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
    cell(d, "Ditolak", "E4", b, 40000);
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
    assert_line(d, "C\tDitolak\tE3\ts\t,2026-10-02,Ani,ani@yahoo.co.id,"
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
    assert_line(d, "C\tPer CSO\tA4\ts\t" HYPER);
    assert_line(d, "C\tTemuan\tD5\ts\t" HYPER);
    assert_line(d, "C\tTemuan\tI5\ts\t" HYPER);
    free(d);
}

static void sheet_continues_past_row_limit(void **state)
{
    fx *f = *state;
    /* 4 rows a sheet: Per CSO's band and header and 2 CSOs, a header and
     * 3 violations */
    report_options o = {.period = "2026-10", .max_rows = 4};
    assert_int_equal(run(f, &o), TA_OK);
    char *d = dump(f, f->path);
    char s[512];
    sheets(d, s, sizeof s);
    assert_string_equal(s, "Ringkasan|Per CSO|Per CSO (2)|Per CSO (3)|"
                           "Per CSO (4)|Temuan|Temuan (2)|Pengecualian|"
                           "Ditolak|Indikasi|Tinjauan|");
    assert_line(d, "C\tPer CSO (4)\tA2\ts\tCSO");
    assert_line(d, "C\tPer CSO (4)\tI1\ts\tPelanggaran");
    assert_line(d, "C\tTemuan (2)\tA1\ts\tSumber");
    assert_line(d, "C\tTemuan (2)\tB3\ts\tP1");
    assert_line(d, "P\tTemuan (2)\tC2");
    /* each part has its drop-down list over its own rows */
    assert_line(d, "V\tTemuan\tJ2:J4\tlist\t\"Sah,Batal\"\tNone");
    assert_line(d, "V\tTemuan (2)\tJ2:J3\tlist\t\"Sah,Batal\"\tNone");
    char b[64];
    assert_string_equal(cell(d, "Temuan (2)", "B4", b, sizeof b), "");
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
    assert_true(tu_xlsx_row_of(d, "Per CSO", 'A', "Old") > 0);
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
    assert_string_equal(s,
                        "Ringkasan|Temuan|Pengecualian|Indikasi|Tinjauan|");
    assert_line(d, "C\tRingkasan\tB2\ts\tBudi");
    assert_line(d, "C\tTemuan\tB2\ts\tB4");
    assert_line(d, "C\tPengecualian\tB2\ts\tB5");
    char b[64];
    assert_string_equal(cell(d, "Temuan", "B3", b, sizeof b), "");
    free(d);
}

/* A CSO's own workbook: where it is (cso/, or cso/<period>/ once the
 * folder is per period). */
static void cso_book(fx *f, const char *name, char *path, size_t len)
{
    struct stat sb;
    snprintf(path, len, "%s/cso/2026-10/%s.xlsx", f->out, name);
    if (stat(path, &sb) != 0)
        snprintf(path, len, "%s/cso/%s.xlsx", f->out, name);
}

/* Each CSO's workbook shows the CSO's figures beside the team's, its rank
 * and its signals, and a sheet of them. */
static void per_cso_team_rank_signals(void **state)
{
    fx *f = *state;
    add_signals(f->db);
    report_options o = {.period = "2026-10", .per_cso = 1};
    assert_int_equal(run(f, &o), TA_OK);
    char path[800], b[256];
    cso_book(f, "Budi", path, sizeof path);
    char *d = dump(f, path);
    const char *S = "Ringkasan";
    int row = tu_xlsx_row_of(d, S, 'A', "Status");
    assert_true(row > 0);
    assert_line(d, "C\t%s\tB%d\ts\tCSO ini", S, row);
    assert_line(d, "C\t%s\tC%d\ts\tTim", S, row);
    assert_string_equal(beside(d, S, "Total Tiket", 'B', b, sizeof b),
                        "n\t5.0");
    assert_string_equal(beside(d, S, "Total Tiket", 'C', b, sizeof b),
                        "n\t15.0");
    assert_string_equal(beside(d, S, "Kepatuhan (%)", 'B', b, sizeof b),
                        "n\t80.0");
    assert_string_equal(beside(d, S, "Kepatuhan (%)", 'C', b, sizeof b),
                        "n\t58.33");
    /* 6 CSOs have a compliance; Ani 33.33, two at 0, two at 100 */
    assert_string_equal(beside(d, S, "Peringkat kepatuhan", 'B', b, sizeof b),
                        "s\t3 dari 6 (1 = tertinggi)");
    assert_true(tu_xlsx_row_of(d, S, 'A', "Indikasi untuk CSO ini") > 0);
    assert_string_equal(
        beside(d, S, "Kontak dipakai berulang", 'B', b, sizeof b), "n\t1.0");
    assert_string_equal(
        beside(d, S, "Pencilan pengecualian", 'B', b, sizeof b), "n\t1.0");
    assert_string_equal(beside(d, S, "Ketidakcocokan antar sistem", 'B', b,
                               sizeof b),
                        "n\t2.0");
    /* Indikasi: Budi's reused HP, not Ani's email; Budi's outlier and
     * mismatches */
    assert_non_null(strstr(d, "\tIndikasi\tC3\ts\t0812****7890\n"));
    assert_null(strstr(d, "\tIndikasi\tB4\ts\tEmail\n"));
    assert_line(d, "C\tIndikasi\tB7\ts\tBudi");
    assert_line(d, "C\tIndikasi\tA11\ts\tBudi: 2 ketidakcocokan (email 1, "
                   "HP 1)");
    assert_null(strstr(d, "\ts\tK1\n"));
    free(d);
    /* a CSO without signals: each section says so */
    cso_book(f, "_CON", path, sizeof path);
    d = dump(f, path);
    assert_line(d, "C\tIndikasi\tA3\ts\tTidak ada.");
    assert_string_equal(beside(d, S, "Peringkat kepatuhan", 'B', b, sizeof b),
                        "s\t1 dari 6 (1 = tertinggi)");
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
        cmocka_unit_test_setup_teardown(large_sheet_in_chunks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(deflate_level_per_build, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(sheet_order_en, setup, teardown),
        cmocka_unit_test_setup_teardown(by_cso_header_and_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(by_cso_matches_sql, setup, teardown),
        cmocka_unit_test_setup_teardown(history_previous_month, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(signals_sheet, setup, teardown),
        cmocka_unit_test_setup_teardown(signals_in_by_cso, setup, teardown),
        cmocka_unit_test_setup_teardown(codes_and_evidence_worded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(dates_are_date_cells, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(generated_in_local_time, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(files_of_the_period, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(reject_reasons_worded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(text_wraps_rows_fit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(masked_by_default, setup, teardown),
        cmocka_unit_test_setup_teardown(long_text_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(unmasked_with_no_mask, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(formula_stays_text, setup, teardown),
        cmocka_unit_test_setup_teardown(spliced_sheets_past_row_limit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(sheet_continues_past_row_limit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(every_period_and_names, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(nothing_audited_is_data_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unwritable_folder_is_cantcreat, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(per_cso_files_safe, setup, teardown),
        cmocka_unit_test_setup_teardown(per_cso_team_rank_signals, setup,
                                        teardown),
        cmocka_unit_test(safe_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
