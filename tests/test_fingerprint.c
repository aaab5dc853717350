/*
 * test_fingerprint.c — the ticket fingerprint of the review key (SPEC §5
 * "Review": computed from the ticket's imported fields alone, so it
 * changes when a re-import changes a field, and only then), and the
 * schema upgrade that fills it in for tickets imported before it existed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db.h"
#include "fingerprint.h"
#include "testutil.h"

static void fp_of(const char *cso, const char *email, const char *notes,
                  char out[FINGERPRINT_SIZE])
{
    const char *v[TA_F_COUNT] = {0};
    size_t len[TA_F_COUNT] = {0};
    v[TA_F_TICKET_ID] = "T-1";
    v[TA_F_DATE] = "2026-10-05";
    v[TA_F_CSO] = cso;
    v[TA_F_EMAIL] = email;
    v[TA_F_NOTES] = notes;
    for (int f = 0; f < TA_F_COUNT; f++)
        len[f] = v[f] ? strlen(v[f]) : 0;
    fingerprint_ticket(TA_SRC_CRM, v, len, out);
}

static void test_review_fingerprint_changes_with_any_field(void **state)
{
    (void)state;
    char a[FINGERPRINT_SIZE], b[FINGERPRINT_SIZE], c[FINGERPRINT_SIZE],
        d[FINGERPRINT_SIZE], e[FINGERPRINT_SIZE];
    fp_of("Budi", NULL, "x", a);
    fp_of("Budi", NULL, "x", b);
    assert_string_equal(a, b); /* same fields, same fingerprint */
    assert_int_equal(strlen(a), FINGERPRINT_SIZE - 1);
    fp_of("Budi", "budi@gmail.com", "x", c); /* the missing email added */
    assert_string_not_equal(a, c);
    fp_of("Budi", "", "x", d); /* an empty cell is not an absent column */
    assert_string_not_equal(a, d);
    fp_of("Bud", NULL, "ix", e); /* bytes moved between fields */
    assert_string_not_equal(a, e);
}

/* The fingerprint stored by the import is the one the SQL function
 * computes from the stored columns. */
static void test_review_fingerprint_import_matches_sql(void **state)
{
    tu_db *f = *state;
    assert_int_equal(tu_import(f, "fixtures/sample/crm-2026-10.csv", NULL),
                     0);
    assert_int_equal(fingerprint_register_sql(f->db), 0);
    long long n = tu_q_int(f->db, "SELECT count(*) FROM tickets");
    assert_true(n > 100);
    assert_int_equal(
        tu_q_int(f->db,
                 "SELECT count(*) FROM tickets WHERE fingerprint = "
                 "ta_fingerprint(source, ticket_id, crm_ticket, date, type, "
                 "name, email, hp, phone, cso, urgency, emotion, relation, "
                 "idpel, notes, media)"),
        n);
}

/* A version 1 database (no fingerprints, no review tables) is upgraded
 * when opened, its tickets' fingerprints filled in. */
static void test_review_schema_upgrade_from_version_1(void **state)
{
    (void)state;
    char dir[256], path[512], err[2048];
    assert_int_equal(tu_tmpdir(dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/v1.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(db_open(path, &db, err, sizeof err), TA_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "INSERT INTO imports(file,size,sha256,source,encoding,"
                     "delimiter,header_line,rows_read,rows_imported,"
                     "rows_rejected,imported_at,program_version) VALUES "
                     "('f',1,'x','crm','utf-8',',',1,1,1,0,'t','0');"
                     "INSERT INTO audits(kind,run_at,rules,program_version,"
                     "tickets) VALUES ('import','t','default','0',1);"
                     "INSERT INTO tickets(source,ticket_id,import_id,line,"
                     "date,period,cso,category,status,codes,email_state,"
                     "hp_state,evidence,audit_id,email) VALUES ('crm','T-1',"
                     "1,2,'2026-10-05','2026-10','Budi','unknown',"
                     "'violation','HP_MISSING','valid','HP_MISSING','',1,"
                     "'a@b.co');"
                     "DROP VIEW reviewed_results; DROP TABLE reviews;"
                     "DROP TABLE review_log;"
                     "ALTER TABLE tickets DROP COLUMN fingerprint;"
                     "ALTER TABLE rejects DROP COLUMN sheet;"
                     "ALTER TABLE rejects DROP COLUMN reason_code;"
                     "ALTER TABLE rejects DROP COLUMN reason_args;"
                     "ALTER TABLE rejects DROP COLUMN ticket_id;"
                     "ALTER TABLE rejects DROP COLUMN crm_ticket;"
                     "ALTER TABLE imports DROP COLUMN format;"
                     "ALTER TABLE imports DROP COLUMN sheets;"
                     "PRAGMA user_version = 1;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    db_close(db);
    assert_int_equal(db_open(path, &db, err, sizeof err), TA_OK);
    assert_int_equal(tu_q_int(db, "PRAGMA user_version"), 2);
    char got[64];
    tu_q_text(db, "SELECT fingerprint FROM tickets", got, sizeof got);
    const char *v[TA_F_COUNT] = {0};
    size_t len[TA_F_COUNT] = {0};
    v[TA_F_TICKET_ID] = "T-1";
    v[TA_F_DATE] = "2026-10-05";
    v[TA_F_CSO] = "Budi";
    v[TA_F_EMAIL] = "a@b.co";
    for (int f = 0; f < TA_F_COUNT; f++)
        len[f] = v[f] ? strlen(v[f]) : 0;
    char want[FINGERPRINT_SIZE];
    fingerprint_ticket(TA_SRC_CRM, v, len, want);
    assert_string_equal(got, want);
    assert_int_equal(
        tu_q_int(db, "SELECT count(*) FROM reviewed_results WHERE "
                     "final_status = 'violation' AND decision IS NULL"),
        1);
    db_close(db);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_review_fingerprint_changes_with_any_field),
        cmocka_unit_test_setup_teardown(
            test_review_fingerprint_import_matches_sql, tu_db_setup,
            tu_db_teardown),
        cmocka_unit_test(test_review_schema_upgrade_from_version_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
