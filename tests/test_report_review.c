/*
 * test_report_review.c — the QA review in the workbooks (SPEC §5
 * "Review", issue 16 item 1), read back by openpyxl: the decision columns
 * at the end of Temuan and Pengecualian (a drop-down list of the two
 * values of the report's language, the only highlighted cells, the key
 * source:ticket_id:fingerprint), each ticket's applying
 * decision carried over into its row, stale ones left out there and
 * marked in the Tinjauan sheet, the counts of decisions and the
 * compliance after review on Ringkasan and per CSO (against SQL over
 * reviewed_results), and a CSO's own workbook. Decisions are written into
 * `reviews` directly: reading them back is the review command's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "db.h"
#include "report.h"
#include "testutil.h"

typedef struct fx {
    char dir[512];
    char out[600];
    sqlite3 *db;
    char err[2048];
    char path[4096];
} fx;

#define exec tu_exec

/* October: Budi V1 (upheld), V2 (overturned), E1 (upheld), C1; Ani V3
 * (reviewed, then changed: stale), E2 (overturned), C2. September: a
 * decision on Budi's O1, not of October. */
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
         "INSERT INTO imports(id, file, size, sha256, source, encoding,"
         " delimiter, header_line, rows_read, rows_imported, rows_rejected,"
         " imported_at, program_version) VALUES (1, 'crm.csv', 1, 'a',"
         " 'crm', 'utf-8', ',', 1, 8, 8, 0, '2026-11-01T00:00:00Z', '0.1.0');"
         "INSERT INTO audits VALUES (1, 'import', '2026-11-01T00:00:00Z',"
         " NULL, 'default', '0.1.0', 8);"
         "WITH t(id, date, cso, status, codes, evidence) AS (VALUES"
         " ('V1', '2026-10-01', 'Budi', 'violation', 'EMAIL_MISSING', ''),"
         " ('V2', '2026-10-02', 'Budi', 'violation', 'HP_MISSING', ''),"
         " ('V3', '2026-10-03', 'Ani', 'violation', 'EMAIL_INVALID', ''),"
         " ('E1', '2026-10-04', 'Budi', 'exempt', 'EX_ANGRY',"
         "  'EX_ANGRY: notes \"marah\"'),"
         " ('E2', '2026-10-05', 'Ani', 'exempt', 'EX_URGENT',"
         "  'EX_URGENT: urgency \"Urgent\"'),"
         " ('C1', '2026-10-06', 'Budi', 'compliant', '', ''),"
         " ('C2', '2026-10-07', 'Ani', 'compliant', '', ''),"
         " ('O1', '2026-09-30', 'Budi', 'violation', 'EMAIL_MISSING', ''))"
         " INSERT INTO tickets(source, ticket_id, import_id, line, date,"
         " period, type, email, hp, cso, notes, status, codes, category,"
         " email_state, hp_state, evidence, audit_id, fingerprint)"
         " SELECT 'crm', id, 1, 2, date, substr(date, 1, 7), 'Keluhan', '',"
         " '', cso, '', status, codes, 'keluhan', 'valid', 'valid', evidence,"
         " 1, printf('%012x', unicode(id) * 1000 + unicode(substr(id, 2)))"
         " FROM t;"
         "WITH v(id, d, n, r, k, t) AS (VALUES"
         "  ('V1', 'upheld', 'dengar rekaman', 'Rina', 2,"
         "   '2026-11-03T10:15:00+07:00'),"
         "  ('V2', 'overturned', 'nomor ada di catatan', 'Rina', 3,"
         "   '2026-11-03T10:20:00+07:00'),"
         "  ('V3', 'upheld', '', 'Sari', 4, '2026-11-02T09:00:00+07:00'),"
         "  ('E1', 'upheld', '', 'Sari', 2, '2026-11-04T08:00:00Z'),"
         "  ('E2', 'overturned', 'tidak darurat', 'Sari', 3,"
         "   '2026-11-04T08:30:00Z'),"
         "  ('O1', 'upheld', '', 'Rina', 9, '2026-10-05T08:00:00Z'))"
         " INSERT INTO reviews(source, ticket_id, fingerprint, status,"
         " decision, note, reviewer, file, sheet, row, decided_at, log_id)"
         " SELECT 'crm', ticket_id, CASE ticket_id WHEN 'V3' THEN"
         " 'bbbbbbbbbbbb' ELSE fingerprint END, status, d, n, r,"
         " 'qa/audit-2026-10.xlsx', CASE WHEN ticket_id LIKE 'E%' THEN"
         " 'Pengecualian' ELSE 'Temuan' END, k, t, k FROM tickets JOIN v"
         " ON v.id = ticket_id;");
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

#define assert_line(d, ...)                                                   \
    do {                                                                      \
        char l_[1024];                                                        \
        snprintf(l_, sizeof l_, __VA_ARGS__);                                 \
        if (!tu_has_line((d), l_))                                            \
            fail_msg("missing line: %s", l_);                                 \
    } while (0)

/* Writes the report in a known time zone (the Tinjauan times are local
 * times) and reads the main workbook back. */
static char *report(fx *f, const char *lang, int per_cso)
{
    char keep[128];
    tu_tz_set("WIB-7", keep, sizeof keep);
    report_options o = {.out_dir = f->out,
                        .period = "2026-10",
                        .lang = lang,
                        .per_cso = per_cso};
    ta_status s =
        report_write(f->db, &o, f->path, sizeof f->path, f->err, sizeof f->err);
    tu_tz_restore(keep);
    assert_int_equal(s, TA_OK);
    return tu_xlsx_dump(f->dir, f->path);
}

static const char *beside(const char *d, const char *sheet, const char *label,
                          char col, char *buf, size_t len)
{
    int row = tu_xlsx_row_of(d, sheet, 'A', label);
    if (!row)
        fail_msg("no row '%s' in %s", label, sheet);
    char ref[16];
    snprintf(ref, sizeof ref, "%c%d", col, row);
    return tu_xlsx_cell(d, sheet, ref, buf, len);
}

/* The four columns end both sheets; the decision is a drop-down list of
 * Sah / Batal, anything else refused; the three input cells of every row
 * are highlighted, nothing else is. */
static void decision_columns(void **state)
{
    fx *f = *state;
    char *d = report(f, "id", 0);
    const char *heads[] = {"Keputusan QA", "Catatan QA", "Peninjau", "Kunci"};
    for (int i = 0; i < 4; i++) {
        assert_line(d, "C\tTemuan\t%c1\ts\t%s", 'J' + i, heads[i]);
        assert_line(d, "C\tPengecualian\t%c1\ts\t%s", 'K' + i, heads[i]);
    }
    assert_line(d, "V\tTemuan\tJ2:J4\tlist\t\"Sah,Batal\"\tNone");
    assert_line(d, "V\tPengecualian\tK2:K3\tlist\t\"Sah,Batal\"\tNone");
    /* highlighted: one conditional format over the rows' three input
     * columns, no format of their own (an empty one is not written) */
    assert_line(d, "K\tTemuan\tJ2:L4\texpression\tTRUE\tFFF2CC");
    assert_line(d, "K\tPengecualian\tK2:M3\texpression\tTRUE\tFFF2CC");
    char b[256];
    size_t fills = 0;
    for (const char *p = strstr(d, "FFF2CC"); p; p = strstr(p + 1, "FFF2CC"))
        fills++;
    assert_int_equal(fills, 2); /* the two conditional formats only */
    assert_string_equal(tu_xlsx_cell(d, "Temuan", "J4", b, sizeof b), "");
    /* the key: source:ticket_id:fingerprint, outside the highlight */
    tu_xlsx_cell(d, "Temuan", "M2", b, sizeof b);
    assert_string_equal(b, "s\tcrm:V1:000000015021");
    free(d);
    d = report(f, "en", 0);
    assert_line(d, "V\tFindings\tJ2:J4\tlist\t\"Upheld,Overturned\"\tNone");
    assert_line(d, "C\tFindings\tJ1\ts\tQA decision");
    assert_line(d, "C\tExemptions\tN1\ts\tKey");
    free(d);
}

/* A decision that applies is already in its ticket's row, in the report's
 * language; a stale one is not (the ticket changed: decide again). */
static void decisions_carried_over(void **state)
{
    fx *f = *state;
    char *d = report(f, "id", 0);
    assert_line(d, "C\tTemuan\tB2\ts\tV1");
    assert_line(d, "C\tTemuan\tJ2\ts\tSah");
    assert_line(d, "C\tTemuan\tK2\ts\tdengar rekaman");
    assert_line(d, "C\tTemuan\tL2\ts\tRina");
    assert_line(d, "C\tTemuan\tJ3\ts\tBatal");
    assert_line(d, "C\tTemuan\tK3\ts\tnomor ada di catatan");
    assert_line(d, "C\tTemuan\tB4\ts\tV3");
    char b[256];
    assert_string_equal(tu_xlsx_cell(d, "Temuan", "J4", b, sizeof b), "");
    assert_string_equal(tu_xlsx_cell(d, "Temuan", "L4", b, sizeof b), "");
    assert_line(d, "C\tPengecualian\tK2\ts\tSah");
    assert_line(d, "C\tPengecualian\tK3\ts\tBatal");
    assert_line(d, "C\tPengecualian\tL3\ts\ttidak darurat");
    free(d);
    d = report(f, "en", 0);
    assert_line(d, "C\tFindings\tJ2\ts\tUpheld");
    assert_line(d, "C\tFindings\tJ3\ts\tOverturned");
    assert_line(d, "C\tExemptions\tK3\ts\tOverturned");
    free(d);
}

/* Ringkasan: compliance after review beside compliance, and the
 * decisions: upheld + overturned + stale = decisions. Per CSO: each CSO's
 * compliance after review, as SQL over reviewed_results has it. */
static void figures_after_review(void **state)
{
    fx *f = *state;
    char *d = report(f, "id", 0);
    char b[256];
    const char *S = "Ringkasan";
    assert_string_equal(beside(d, S, "Kepatuhan (%)", 'B', b, sizeof b),
                        "n\t57.14");
    assert_string_equal(
        beside(d, S, "Kepatuhan setelah tinjauan (%)", 'B', b, sizeof b),
        "n\t57.14");
    assert_string_equal(beside(d, S, "Keputusan", 'B', b, sizeof b), "n\t5.0");
    assert_string_equal(beside(d, S, "Sah", 'B', b, sizeof b), "n\t2.0");
    assert_string_equal(beside(d, S, "Batal", 'B', b, sizeof b), "n\t2.0");
    assert_string_equal(beside(d, S, "Usang (tiket berubah sejak ditinjau)",
                               'B', b, sizeof b),
                        "n\t1.0");
    /* Budi: V2 overturned -> compliant: 3 of 4; Ani: E2 overturned ->
     * violation: 1 of 3, her stale V3 unchanged */
    sqlite3_stmt *q = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(f->db,
                           "SELECT cso, round(sum(status IN ('compliant',"
                           " 'exempt')) * 100.0 / count(*), 2),"
                           " round(sum(final_status IN ('compliant',"
                           " 'exempt')) * 100.0 / count(*), 2)"
                           " FROM reviewed_results WHERE period = '2026-10'"
                           " GROUP BY cso",
                           -1, &q, NULL),
        SQLITE_OK);
    int n = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *cso = (const char *)sqlite3_column_text(q, 0);
        int row = tu_xlsx_row_of(d, "Per CSO", 'A', cso);
        assert_true(row > 0);
        assert_line(d, "C\tPer CSO\tG%d\tn\t%s", row,
                    (const char *)sqlite3_column_text(q, 1));
        assert_line(d, "C\tPer CSO\tH%d\tn\t%s", row,
                    (const char *)sqlite3_column_text(q, 2));
        n++;
    }
    sqlite3_finalize(q);
    assert_int_equal(n, 2);
    int budi = tu_xlsx_row_of(d, "Per CSO", 'A', "Budi");
    assert_line(d, "C\tPer CSO\tH%d\tn\t75.0", budi);
    int ani = tu_xlsx_row_of(d, "Per CSO", 'A', "Ani");
    assert_line(d, "C\tPer CSO\tG%d\tn\t66.67", ani);
    assert_line(d, "C\tPer CSO\tH%d\tn\t33.33", ani);
    free(d);
}

/* Tinjauan: every decision on the period's tickets, oldest first, with
 * the status then, in the report's words; the time a date-time cell in
 * local time; the stale one marked. */
static void review_sheet(void **state)
{
    fx *f = *state;
    char *d = report(f, "id", 0);
    const char *S = "Tinjauan";
    const char *heads[] = {"Sumber", "Tiket",   "CSO",   "Status saat ditinjau",
                           "Keputusan", "Peninjau", "Catatan QA", "Berkas",
                           "Lembar", "Baris",  "Waktu", "usang"};
    for (int i = 0; i < 12; i++)
        assert_line(d, "C\t%s\t%c1\ts\t%s", S, 'A' + i, heads[i]);
    /* V3 (stale, 2 Nov), V1, V2 (3 Nov), E1, E2 (4 Nov); not O1 */
    const char *order[] = {"V3", "V1", "V2", "E1", "E2"};
    for (int i = 0; i < 5; i++)
        assert_line(d, "C\t%s\tB%d\ts\t%s", S, i + 2, order[i]);
    assert_null(strstr(d, "\ts\tO1\n"));
    assert_line(d, "C\t%s\tA2\ts\tCRM", S);
    assert_line(d, "C\t%s\tC2\ts\tAni", S);
    assert_line(d, "C\t%s\tD2\ts\tMelanggar", S);
    assert_line(d, "C\t%s\tE2\ts\tSah", S);
    assert_line(d, "C\t%s\tL2\ts\tusang", S);
    assert_line(d, "C\t%s\tE4\ts\tBatal", S);
    assert_line(d, "C\t%s\tD5\ts\tDikecualikan", S);
    char b[64];
    assert_string_equal(tu_xlsx_cell(d, S, "L3", b, sizeof b), "");
    assert_line(d, "C\t%s\tG4\ts\tnomor ada di catatan", S);
    assert_line(d, "C\t%s\tH3\ts\tqa/audit-2026-10.xlsx", S);
    assert_line(d, "C\t%s\tI3\ts\tTemuan", S);
    assert_line(d, "C\t%s\tJ3\tn\t2.0", S);
    /* +07:00 as written, in a +07:00 zone; Z moved to it */
    assert_line(d, "C\t%s\tK3\td\t2026-11-03 10:15", S);
    assert_line(d, "N\t%s\tK3\tyyyy-mm-dd hh:mm", S);
    assert_line(d, "C\t%s\tK5\td\t2026-11-04 15:00", S);
    free(d);
    d = report(f, "en", 0);
    assert_line(d, "C\tReview\tL2\ts\tstale");
    assert_line(d, "C\tReview\tD2\ts\tViolation");
    assert_line(d, "C\tReview\tE4\ts\tOverturned");
    free(d);
}

/* A CSO's workbook: its tickets' decisions carried over, its own counts
 * and compliance after review, its decisions in Tinjauan. */
static void per_cso_workbook(void **state)
{
    fx *f = *state;
    free(report(f, "id", 1));
    char path[800];
    struct stat sb;
    snprintf(path, sizeof path, "%s/cso/2026-10/Budi.xlsx", f->out);
    if (stat(path, &sb) != 0)
        snprintf(path, sizeof path, "%s/cso/Budi.xlsx", f->out);
    char *d = tu_xlsx_dump(f->dir, path);
    char b[256];
    assert_line(d, "C\tTemuan\tB2\ts\tV1");
    assert_line(d, "C\tTemuan\tJ2\ts\tSah");
    assert_line(d, "C\tTemuan\tJ3\ts\tBatal");
    assert_line(d, "V\tTemuan\tJ2:J3\tlist\t\"Sah,Batal\"\tNone");
    assert_line(d, "C\tPengecualian\tK2\ts\tSah");
    assert_string_equal(beside(d, "Ringkasan", "Kepatuhan setelah tinjauan (%)",
                               'B', b, sizeof b),
                        "n\t75.0");
    assert_string_equal(beside(d, "Ringkasan", "Kepatuhan setelah tinjauan (%)",
                               'C', b, sizeof b),
                        "n\t57.14");
    assert_string_equal(beside(d, "Ringkasan", "Keputusan", 'B', b, sizeof b),
                        "n\t3.0");
    assert_line(d, "C\tTinjauan\tB2\ts\tV1");
    assert_line(d, "C\tTinjauan\tB4\ts\tE1");
    assert_string_equal(tu_xlsx_cell(d, "Tinjauan", "B5", b, sizeof b), "");
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(decision_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(decisions_carried_over, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(figures_after_review, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(review_sheet, setup, teardown),
        cmocka_unit_test_setup_teardown(per_cso_workbook, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
