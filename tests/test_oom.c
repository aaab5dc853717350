/*
 * test_oom.c — the out-of-memory paths (STYLE §7: "let a test force
 * failures"). For each operation, the allocation-failure hook
 * (alloc_fail.h) makes the 1st, then the 2nd, ... allocation fail until
 * the operation runs without reaching the planned one, so every
 * allocation of the program's own code on that path has failed once.
 * Each failing run must either return the out-of-memory status with a
 * message and leave nothing half done (no rows of a failed import, no
 * half workbook, no signals of a failed audit), or — where the code has a
 * slower way that needs no memory (the external sort's counting pass) —
 * succeed with the same result as a run without failures. In the
 * sanitizer build it must also leak nothing and never touch freed or
 * unowned memory.
 *
 * Walked: the CSV reader (memory and file input, UTF-8, Windows-1252 and
 * forced-UTF-8 repair), the importer (with rejected rows), the audit with
 * its signals (threads of their own), the rules, the summaries and the
 * workbook (with per-CSO workbooks).
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

#include "alloc_fail.h"
#include "audit.h"
#include "csv.h"
#include "db.h"
#include "import.h"
#include "report.h"
#include "rules.h"
#include "signals.h"
#include "summary.h"
#include "testutil.h"

/* More would mean an operation that allocates without bound. */
#define MAX_WALK 20000

/* Ends a failing run's check: the planned failure happened (else the walk
 * is over), and the status says so. */
#define EXPECT_NOMEM(s, what, n)                                              \
    do {                                                                      \
        if ((s) != TA_E_NOMEM)                                                \
            fail_msg("%s: allocation %lu failed but the status is %d", what,  \
                     (n), (int)(s));                                          \
    } while (0)

/* ---- the CSV reader ------------------------------------------------- */

/* Reads all of data (opened from memory, or from path when not NULL).
 * CSV_OK at the end, or the first error. */
static csv_status read_all(const char *path, const char *data, size_t len,
                           csv_encoding enc, unsigned long *rows)
{
    csv_options o = {0};
    o.encoding = enc;
    csv_reader *r = NULL;
    csv_status st = path ? csv_open_file(path, &o, &r)
                         : csv_open_memory("mem.csv", data, len, &o, &r);
    *rows = 0;
    const csv_row *row;
    if (st == CSV_OK)
        while ((st = csv_next(r, &row)) == CSV_ROW)
            (*rows)++;
    if (st == CSV_E_NOMEM && r)
        assert_non_null(strstr(csv_errmsg(r), "out of memory"));
    csv_close(r);
    return st;
}

static void walk_csv(const char *path, const char *data, size_t len,
                     csv_encoding enc, unsigned long want_rows)
{
    for (unsigned long n = 1; n < MAX_WALK; n++) {
        unsigned long rows;
        alloc_fail_at(n);
        csv_status st = read_all(path, data, len, enc, &rows);
        int failed = alloc_failed();
        alloc_fail_at(0);
        if (!failed) {
            assert_int_equal(st, CSV_OK);
            assert_int_equal(rows, want_rows);
            print_message("csv %s: %lu allocations walked\n",
                          path ? "file" : "memory", n - 1);
            return;
        }
        if (st != CSV_E_NOMEM)
            fail_msg("csv: allocation %lu failed, status %d", n, (int)st);
    }
    fail_msg("csv: more than %d allocations", MAX_WALK);
}

static void oom_csv_reader(void **state)
{
    (void)state;
    /* UTF-8 from memory (no window: the input is read in place) */
    static const char utf8[] = "a,b,c\n1,\"two\nlines\",3\n4,5,\"6\"\"\"\n";
    walk_csv(NULL, utf8, sizeof utf8 - 1, CSV_ENC_AUTO, 3);
    /* Windows-1252, transcoded through the window */
    static const char cp[] = "nama;kota\nJos\xe9;\x93Medan\x94\n";
    walk_csv(NULL, cp, sizeof cp - 1, CSV_ENC_AUTO, 2);
    /* forced UTF-8 over invalid bytes: repaired through the window */
    walk_csv(NULL, cp, sizeof cp - 1, CSV_ENC_UTF8, 2);
    /* a file: the first pass, the window, the header row */
    char path[1024];
    tu_path(path, sizeof path, "fixtures/sample/crm-2026-10.csv");
    unsigned long rows;
    assert_int_equal(read_all(path, NULL, 0, CSV_ENC_AUTO, &rows), CSV_OK);
    walk_csv(path, NULL, 0, CSV_ENC_AUTO, rows);
}

/* ---- the importer --------------------------------------------------- */

static void walk_import(tu_db *f, const char *rel)
{
    char path[1024];
    tu_path(path, sizeof path, rel);
    import_options io = {.source = TA_SRC_NONE};
    for (unsigned long n = 1; n < MAX_WALK; n++) {
        import_result r;
        f->err[0] = '\0';
        alloc_fail_at(n);
        ta_status s =
            import_file(f->db, f->rs, path, &io, &r, f->err, sizeof f->err);
        int failed = alloc_failed();
        alloc_fail_at(0);
        if (!failed) {
            if (s != TA_OK)
                fail_msg("%s: %s", rel, f->err);
            print_message("import %s: %lu allocations walked\n", rel, n - 1);
            return;
        }
        EXPECT_NOMEM(s, rel, n);
        assert_true(f->err[0] != '\0');
        /* one transaction per file: nothing of it stays */
        assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM imports"), 0);
        assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM tickets"), 0);
        assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM rejects"), 0);
    }
    fail_msg("%s: more than %d allocations", rel, MAX_WALK);
}

static void oom_import(void **state)
{
    tu_db *f = *state;
    walk_import(f, "fixtures/import/ragged.csv"); /* rejected rows */
    assert_int_equal(db_exec(f->db,
                             "DELETE FROM tickets; DELETE FROM rejects; "
                             "DELETE FROM imports; DELETE FROM audits",
                             "t", f->err, sizeof f->err),
                     TA_OK);
    walk_import(f, "fixtures/import/cp1252.csv"); /* transcoded */
    assert_int_equal(db_exec(f->db,
                             "DELETE FROM tickets; DELETE FROM rejects; "
                             "DELETE FROM imports; DELETE FROM audits",
                             "t", f->err, sizeof f->err),
                     TA_OK);
    /* a workbook: the sheet choice, continuations, a value right of the
     * header (its raw text), the hash before and after */
    walk_import(f, "fixtures/import_xlsx/xw_apkt_sheets.xlsx");
}

/* ---- the audit and its signals -------------------------------------- */

/* What `ticket-audit audit` does: judge every ticket, feeding the
 * signals, and write them, in one transaction. */
static ta_status audit_with_signals(tu_db *f)
{
    signals_feed *sig = signals_feed_new(f->rs, NULL);
    if (!sig) {
        snprintf(f->err, sizeof f->err, "out of memory");
        return TA_E_NOMEM;
    }
    audit_summary sum;
    signals_counts n;
    ta_status s = db_begin(f->db, "t", f->err, sizeof f->err);
    if (s == TA_OK)
        s = audit_run(f->db, f->rs, NULL, 0, signals_feed_on_ticket, sig, &sum,
                      f->err, sizeof f->err);
    if (s == TA_OK)
        s = signals_feed_write(sig, f->db, &n, f->err, sizeof f->err);
    if (s == TA_OK)
        s = db_commit(f->db, "t", f->err, sizeof f->err);
    else
        db_rollback(f->db);
    signals_feed_free(sig);
    return s;
}

static void oom_audit_and_signals(void **state)
{
    tu_db *f = *state;
    const char *files[] = {"fixtures/sample/crm-2026-10.csv",
                           "fixtures/sample/apkt-2026-10.csv"};
    for (int i = 0; i < 2; i++)
        if (tu_import(f, files[i], NULL) != TA_OK)
            fail_msg("%s", f->err);
    /* the reference: the signals a run without failures writes */
    static const char signals_sql[] =
        "SELECT count(*) || ' ' || total(customers) || ' ' || total(tickets)"
        " || ' ' || group_concat(kind || coalesce(contact, '') ||"
        " coalesce(cso, '') || coalesce(apkt_ticket, ''), ',') FROM "
        "(SELECT * FROM signals ORDER BY kind, contact, cso, apkt_ticket)";
    char want[8192], got[8192];
    assert_int_equal(audit_with_signals(f), TA_OK);
    tu_q_text(f->db, signals_sql, want, sizeof want);
    assert_true(tu_q_int(f->db, "SELECT count(*) FROM signals") > 0);
    assert_int_equal(db_exec(f->db,
                             "DELETE FROM signals; DELETE FROM signals_state",
                             "t", f->err, sizeof f->err),
                     TA_OK);
    long long audits = tu_q_int(f->db, "SELECT count(*) FROM audits");
    for (unsigned long n = 1; n < MAX_WALK; n++) {
        alloc_fail_at(n);
        ta_status s = audit_with_signals(f);
        int failed = alloc_failed();
        alloc_fail_at(0);
        if (s == TA_OK) {
            tu_q_text(f->db, signals_sql, got, sizeof got);
            if (strcmp(got, want) != 0)
                fail_msg("audit: allocation %lu failed and the signals "
                         "differ",
                         n);
            if (!failed) {
                print_message("audit and signals: %lu allocations walked\n",
                              n - 1);
                return;
            }
            /* recovered: undo it for the next run */
            assert_int_equal(db_exec(f->db,
                                     "DELETE FROM signals; DELETE FROM "
                                     "signals_state",
                                     "t", f->err, sizeof f->err),
                             TA_OK);
            audits = tu_q_int(f->db, "SELECT count(*) FROM audits");
            continue;
        }
        if (!failed)
            fail_msg("audit: %s", f->err);
        EXPECT_NOMEM(s, "audit and signals", n);
        /* rolled back whole: no audit row, no signals */
        assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM audits"),
                         audits);
        assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM signals"), 0);
    }
    fail_msg("audit: more than %d allocations", MAX_WALK);
}

/* ---- the rules and the summaries ------------------------------------ */

static void oom_rules(void **state)
{
    (void)state;
    char path[1024], err[1024];
    tu_path(path, sizeof path, "rules/default.rules");
    const char *paths[] = {NULL, path};
    for (int k = 0; k < 2; k++) {
        for (unsigned long n = 1; n < MAX_WALK; n++) {
            rules *rs = NULL;
            alloc_fail_at(n);
            ta_status s = rules_load(paths[k], &rs, err, sizeof err);
            int failed = alloc_failed();
            alloc_fail_at(0);
            if (!failed) {
                assert_int_equal(s, TA_OK);
                rules_free(rs);
                print_message("rules: %lu allocations walked\n", n - 1);
                break;
            }
            EXPECT_NOMEM(s, "rules", n);
            assert_null(rs);
            assert_true(err[0] != '\0');
        }
    }
}

static void oom_summaries(void **state)
{
    tu_db *f = *state;
    if (tu_import(f, "fixtures/sample/crm-2026-10.csv", NULL) != TA_OK)
        fail_msg("%s", f->err);
    for (int json = 0; json < 2; json++) {
        for (unsigned long n = 1; n < MAX_WALK; n++) {
            char *out = NULL;
            alloc_fail_at(n);
            ta_status s =
                json ? summary_json(f->db, NULL, &out, f->err, sizeof f->err)
                     : summary_text(f->db, NULL, 5, &out, f->err,
                                    sizeof f->err);
            int failed = alloc_failed();
            alloc_fail_at(0);
            if (!failed) {
                assert_int_equal(s, TA_OK);
                assert_non_null(out);
                free(out);
                print_message("%s: %lu allocations walked\n",
                              json ? "summary_json" : "summary_text", n - 1);
                break;
            }
            EXPECT_NOMEM(s, json ? "summary_json" : "summary_text", n);
            assert_null(out);
        }
    }
}

/* ---- the workbook --------------------------------------------------- */

/* 1 when a temporary workbook (".NAME.tmp-XXXXXX") is left in dir. */
static int tmp_left(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int left = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp-") ||
            !strncmp(e->d_name, ".ticket-audit-", 14)) /* report_files.c */
            left = 1;
    closedir(d);
    return left;
}

static void oom_report(void **state)
{
    tu_db *f = *state;
    /* a few CSOs, so the per-CSO workbooks stay quick */
    const char *files[] = {"fixtures/import/crm_basic.csv",
                           "fixtures/import/date_forms.csv"};
    for (int i = 0; i < 2; i++)
        if (tu_import(f, files[i], NULL) != TA_OK)
            fail_msg("%s", f->err);
    assert_int_equal(
        signals_compute(f->db, f->rs, NULL, NULL, f->err, sizeof f->err),
        TA_OK);
    char dir[512], out[600], cso[700];
    assert_int_equal(tu_tmpdir(dir, sizeof dir), 0);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(cso, sizeof cso, "%s/cso", out);
    report_options o = {.out_dir = out, .per_cso = 1};
    for (unsigned long n = 1; n < MAX_WALK; n++) {
        char path[4096];
        f->err[0] = '\0';
        alloc_fail_at(n);
        ta_status s =
            report_write(f->db, &o, path, sizeof path, f->err, sizeof f->err);
        int failed = alloc_failed();
        alloc_fail_at(0);
        if (!failed) {
            if (s != TA_OK)
                fail_msg("report: %s", f->err);
            print_message("report: %lu allocations walked\n", n - 1);
            break;
        }
        EXPECT_NOMEM(s, "report", n);
        assert_true(f->err[0] != '\0');
        if (tmp_left(out) || tmp_left(cso))
            fail_msg("report: allocation %lu left a temporary workbook", n);
    }
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(oom_csv_reader),
        cmocka_unit_test_setup_teardown(oom_import, tu_db_setup,
                                        tu_db_teardown),
        cmocka_unit_test_setup_teardown(oom_audit_and_signals, tu_db_setup,
                                        tu_db_teardown),
        cmocka_unit_test(oom_rules),
        cmocka_unit_test_setup_teardown(oom_summaries, tu_db_setup,
                                        tu_db_teardown),
        cmocka_unit_test_setup_teardown(oom_report, tu_db_setup,
                                        tu_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
