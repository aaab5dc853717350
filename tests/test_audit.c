/*
 * test_audit.c — judging again what is in the database (audit.h): every
 * ticket gets one verdict, a re-audit with the same rules changes nothing
 * and, with only_stale, does not run at all; with only_stale, only the
 * tickets judged with other rules or another program version are judged
 * again (SPEC §6), and the callback sees the scope whole or not at all;
 * other rules re-judge and are recorded by their SHA-256; --period limits the audit to one month; the
 * per-ticket callback sees every ticket judged, once, with its verdict,
 * and a callback's error stops the audit and leaves nothing of it.
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
    assert_int_equal(audit_run(f->db, f->rs, NULL, 1, NULL, NULL, &s, f->err,
                               sizeof f->err),
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
    assert_int_equal(audit_run(f->db, f->rs, NULL, 0, NULL, NULL, &s, f->err,
                               sizeof f->err),
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
    assert_int_equal(audit_run(f->db, other, NULL, 1, NULL, NULL, &s, f->err,
                               sizeof f->err),
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
    assert_int_equal(audit_run(f->db, f->rs, NULL, 1, NULL, NULL, &s, f->err,
                               sizeof f->err),
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
    assert_int_equal(audit_run(f->db, f->rs, "2026-08", 0, NULL, NULL, &s,
                               f->err, sizeof f->err),
                     TA_OK);
    assert_int_equal(s.tickets, 1);
    assert_int_equal(
        q_int(f, "SELECT count(*) FROM audits WHERE period='2026-08'"), 1);
}

/* SPEC §6: another program version makes a verdict stale. When every
 * ticket is stale, all are judged and the callback sees the whole scope. */
static ta_status count_calls(void *ctx, const audit_ticket *t, char *err,
                             size_t errlen)
{
    (void)t;
    (void)err;
    (void)errlen;
    (*(int *)ctx)++;
    return TA_OK;
}

static void exec_ok(fx *f, const char *sql)
{
    if (db_exec(f->db, sql, "test", f->err, sizeof f->err) != TA_OK)
        fail_msg("%s: %s", sql, f->err);
}

static void audit_other_version_rejudges_all(void **state)
{
    fx *f = *state;
    exec_ok(f, "UPDATE audits SET program_version = '0.0.1'");
    audit_summary s;
    int calls = 0;
    assert_int_equal(audit_run(f->db, f->rs, NULL, 1, count_calls, &calls, &s,
                               f->err, sizeof f->err),
                     TA_OK);
    assert_true(s.audit_id > 0);
    assert_true(s.whole_scope);
    assert_int_equal(s.tickets, 15);
    assert_int_equal(calls, 15);
    assert_int_equal(q_int(f, "SELECT count(*) FROM tickets t JOIN audits a "
                              "ON a.id = t.audit_id WHERE a.kind = 'audit'"),
                     15);
    /* and now they are current: nothing more to do */
    calls = 0;
    assert_int_equal(audit_run(f->db, f->rs, NULL, 1, count_calls, &calls, &s,
                               f->err, sizeof f->err),
                     TA_OK);
    assert_int_equal(s.audit_id, 0);
    assert_int_equal(s.tickets, 0);
    assert_false(s.whole_scope);
    assert_int_equal(calls, 0);
}

/* Only the stale tickets are judged again, the current ones keep the
 * import's verdict row untouched, and the callback (which could not see
 * the whole scope) sees nothing. */
static void audit_only_stale_judges_only_stale(void **state)
{
    fx *f = *state;
    /* the second file's import ran "with another program version" */
    exec_ok(f, "UPDATE audits SET program_version = '0.0.1' WHERE id = "
               "(SELECT max(id) FROM audits)");
    long long stale = q_int(f, "SELECT count(*) FROM tickets WHERE audit_id "
                               "= (SELECT max(id) FROM audits)");
    long long first = q_int(f, "SELECT min(id) FROM audits");
    assert_true(stale > 0 && stale < 15);
    /* a current ticket's verdict changed behind the audit's back: being
     * current, it is not judged again (what only_stale 0 is for) */
    exec_ok(f, "UPDATE tickets SET codes = 'X' WHERE ticket_id = 'T001'");
    audit_summary s;
    int calls = 0;
    assert_int_equal(audit_run(f->db, f->rs, NULL, 1, count_calls, &calls, &s,
                               f->err, sizeof f->err),
                     TA_OK);
    assert_true(s.audit_id > 0);
    assert_false(s.whole_scope);
    assert_int_equal((long long)s.tickets, stale);
    assert_int_equal(calls, 0);
    assert_int_equal(q_int(f, "SELECT tickets FROM audits WHERE kind='audit'"),
                     stale);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM tickets WHERE audit_id = %lld", first);
    assert_int_equal(q_int(f, sql), 15 - stale);
    assert_int_equal(q_int(f, "SELECT count(*) FROM tickets WHERE audit_id "
                              "= (SELECT max(id) FROM audits)"),
                     stale);
    assert_int_equal(
        q_int(f, "SELECT count(*) FROM tickets WHERE codes = 'X'"), 1);
    /* the full audit judges it again */
    assert_int_equal(audit_run(f->db, f->rs, NULL, 0, count_calls, &calls, &s,
                               f->err, sizeof f->err),
                     TA_OK);
    assert_true(s.whole_scope);
    assert_int_equal(calls, 15);
    assert_int_equal(
        q_int(f, "SELECT count(*) FROM tickets WHERE codes = 'X'"), 0);
}

/* What the callback saw. */
typedef struct seen {
    int calls, stop_at;
    long long last_rowid;
    int in_order, periods_ok, status_ok;
    sqlite3 *db;
} seen;

static ta_status on_ticket(void *ctx, const audit_ticket *t, char *err,
                           size_t errlen)
{
    seen *w = ctx;
    w->calls++;
    if (t->rowid <= w->last_rowid)
        w->in_order = 0;
    w->last_rowid = t->rowid;
    char sql[200], buf[64];
    snprintf(sql, sizeof sql, "SELECT period FROM tickets WHERE rowid = %lld",
             t->rowid);
    tu_q_text(w->db, sql, buf, sizeof buf);
    if (t->period_len != strlen(buf) || memcmp(t->period, buf, t->period_len))
        w->periods_ok = 0;
    snprintf(sql, sizeof sql, "SELECT status FROM tickets WHERE rowid = %lld",
             t->rowid);
    tu_q_text(w->db, sql, buf, sizeof buf);
    if (strcmp(buf, rules_status_name(t->verdict->status)) != 0)
        w->status_ok = 0;
    if (w->calls == w->stop_at) {
        snprintf(err, errlen, "stopped by the callback");
        return TA_E_CANTCREAT;
    }
    return TA_OK;
}

/* Every ticket judged reaches the callback once, in rowid order, with its
 * period and the verdict (the same rules: the status already stored). */
static void audit_callback_sees_every_ticket(void **state)
{
    fx *f = *state;
    audit_summary s;
    seen w = {.in_order = 1, .periods_ok = 1, .status_ok = 1, .db = f->db};
    assert_int_equal(audit_run(f->db, f->rs, NULL, 0, on_ticket, &w, &s,
                               f->err, sizeof f->err),
                     TA_OK);
    assert_int_equal(w.calls, 15);
    assert_int_equal((long long)s.tickets, 15);
    assert_true(w.in_order);
    assert_true(w.periods_ok);
    assert_true(w.status_ok);
}

/* A callback's status ends the audit: returned as is, with its message,
 * and the audit's row rolled back. */
static void audit_callback_error_rolls_back(void **state)
{
    fx *f = *state;
    audit_summary s;
    seen w = {.stop_at = 3, .in_order = 1, .db = f->db};
    assert_int_equal(audit_run(f->db, f->rs, NULL, 0, on_ticket, &w, &s,
                               f->err, sizeof f->err),
                     TA_E_CANTCREAT);
    assert_string_equal(f->err, "stopped by the callback");
    assert_int_equal(w.calls, 3);
    assert_int_equal(
        q_int(f, "SELECT count(*) FROM audits WHERE kind='audit'"), 0);
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
        cmocka_unit_test_setup_teardown(audit_other_version_rejudges_all,
                                        setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(audit_only_stale_judges_only_stale,
                                        setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(audit_callback_sees_every_ticket,
                                        setup, tu_db_teardown),
        cmocka_unit_test_setup_teardown(audit_callback_error_rolls_back, setup,
                                        tu_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
