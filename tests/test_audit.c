/*
 * test_audit.c — judging again what is in the database (audit.h): every
 * ticket gets one verdict, a re-audit with the same rules changes nothing
 * and, with only_stale, does not run at all; other rules re-judge and are
 * recorded by their SHA-256; --period limits the audit to one month.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "import.h"
#include "rules.h"
#include "testutil.h"

typedef tu_db fx;

static int setup(void **state)
{
    tu_db_setup(state);
    fx *f = *state;
    const char *files[] = {"fixtures/import/crm_basic.csv",
                           "fixtures/import/date_forms.csv"};
    for (size_t i = 0; i < 2; i++)
        if (tu_import(f, files[i], NULL) != TA_OK)
            fail_msg("%s", f->err);
    return 0;
}

static long long q_int(fx *f, const char *sql)
{
    return tu_q_int(f->db, sql);
}

static const char *q_text(fx *f, const char *sql, char *buf, size_t len)
{
    return tu_q_text(f->db, sql, buf, len);
}

/* SPEC §5: audit_results holds one row per ticket, judged at import. */
static void audit_results_one_row_per_ticket(void **state)
{
    fx *f = *state;
    char buf[256];
    assert_int_equal(q_int(f, "SELECT count(*) FROM audit_results"),
                     q_int(f, "SELECT count(*) FROM tickets"));
    assert_int_equal(q_int(f, "SELECT count(*) FROM audit_results"), 15);
    /* T002 of crm_basic.csv has no email: EMAIL_MISSING, no exemption */
    assert_string_equal(q_text(f,
                               "SELECT status||' '||codes FROM audit_results "
                               "WHERE ticket_id='T002'",
                               buf, sizeof buf),
                        "violation EMAIL_MISSING");
    assert_string_equal(
        q_text(f, "SELECT status FROM audit_results WHERE ticket_id='T001'",
               buf, sizeof buf),
        "compliant");
}

static void audit_same_rules_only_stale_does_nothing(void **state)
{
    fx *f = *state;
    audit_summary s;
    assert_int_equal(
        audit_run(f->db, f->rs, NULL, 1, NULL, &s, f->err, sizeof f->err),
        TA_OK);
    assert_int_equal(s.audit_id, 0);
    assert_int_equal(s.tickets, 0);
    assert_int_equal(
        q_int(f, "SELECT count(*) FROM audits WHERE kind='audit'"), 0);
}

static void audit_full_rejudges_and_counts(void **state)
{
    fx *f = *state;
    audit_summary s;
    long long before = q_int(f, "SELECT sum(status='compliant') FROM tickets");
    assert_int_equal(
        audit_run(f->db, f->rs, NULL, 0, NULL, &s, f->err, sizeof f->err),
        TA_OK);
    assert_true(s.audit_id > 0);
    assert_int_equal(s.tickets, 15);
    assert_int_equal(s.compliant + s.exempt + s.violation + s.out_of_scope,
                     15);
    assert_int_equal((long long)s.compliant, before);
    assert_int_equal(q_int(f, "SELECT tickets FROM audits WHERE kind='audit'"),
                     15);
}

static void audit_other_rules_recorded_by_sha256(void **state)
{
    fx *f = *state;
    char path[1024], buf[256];
    snprintf(path, sizeof path, "%s/fixtures/rules/only_walk_in.rules",
             TA_SOURCE_DIR);
    rules *other = NULL;
    assert_int_equal(rules_load(path, &other, f->err, sizeof f->err), TA_OK);
    audit_summary s;
    assert_int_equal(
        audit_run(f->db, other, NULL, 1, NULL, &s, f->err, sizeof f->err),
        TA_OK);
    assert_int_equal(s.tickets, 15);
    /* every ticket has a media that is not "walk in": all out of scope */
    assert_int_equal(s.out_of_scope, 15);
    assert_int_equal(q_int(f, "SELECT count(*) FROM audit_results WHERE "
                              "status='out_of_scope' AND codes=''"),
                     15);
    q_text(f, "SELECT rules FROM audits WHERE kind='audit'", buf, sizeof buf);
    assert_string_equal(buf, rules_fingerprint(other));
    assert_int_equal(strlen(buf), 64);
    assert_int_equal(q_int(f, "SELECT count(*) FROM tickets t JOIN audits a "
                              "ON a.id=t.audit_id WHERE a.kind='audit'"),
                     15);
    /* back to the defaults: stale again, judged again */
    assert_int_equal(
        audit_run(f->db, f->rs, NULL, 1, NULL, &s, f->err, sizeof f->err),
        TA_OK);
    assert_int_equal(s.tickets, 15);
    assert_int_equal(
        q_int(
            f,
            "SELECT count(*) FROM audit_results WHERE status='out_of_scope'"),
        0);
    rules_free(other);
}

static void audit_period_limits_the_tickets(void **state)
{
    fx *f = *state;
    audit_summary s;
    /* date_forms.csv has one ticket in 2026-08 and one in 2028-02 */
    assert_int_equal(
        audit_run(f->db, f->rs, "2026-08", 0, NULL, &s, f->err, sizeof f->err),
        TA_OK);
    assert_int_equal(s.tickets, 1);
    assert_int_equal(
        q_int(f, "SELECT count(*) FROM audits WHERE period='2026-08'"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(audit_results_one_row_per_ticket,
                                        setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(
            audit_same_rules_only_stale_does_nothing, setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(audit_full_rejudges_and_counts, setup,
                                        tu_db_teardown),
        cmocka_unit_test_setup_teardown(audit_other_rules_recorded_by_sha256,
                                        setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(audit_period_limits_the_tickets, setup,
                                        tu_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
