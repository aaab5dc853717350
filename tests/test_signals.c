/*
 * test_signals.c — the signals of SPEC §4 "Beyond the memo" (signals.h):
 * the fixtures of fixtures/signals/ go through the real importer (which
 * judges them), then signals_compute, and the whole `signals` table is
 * compared with rows written by hand — each signal with a positive case
 * and a near miss. Then the --json `signals` object (summary_json) read
 * back with SQLite's json_extract: keys, masking, the CSOs named.
 */
/* cmocka needs these first, in this order */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "import.h"
#include "rules.h"
#include "signals.h"
#include "summary.h"
#include "testutil.h"

typedef tu_db fx;

static void import(fx *f, const char *name)
{
    char rel[256];
    import_result r;
    snprintf(rel, sizeof rel, "fixtures/signals/%s", name);
    if (tu_import(f, rel, &r) != TA_OK)
        fail_msg("%s", f->err);
    assert_int_equal(r.rows_rejected, 0);
}

static signals_counts compute(fx *f, const char *period)
{
    signals_counts n;
    ta_status s =
        signals_compute(f->db, f->rs, period, &n, f->err, sizeof f->err);
    if (s != TA_OK)
        fail_msg("%s", f->err);
    return n;
}

/* The first column of sql's first row as text ("(null)" for NULL), with
 * ?1 bound to arg when given. */
static char *q_text(fx *f, const char *sql, const char *arg)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(f->db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(f->db));
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    char *out = strdup(t ? (const char *)t : "(null)");
    sqlite3_finalize(st);
    assert_non_null(out);
    return out;
}

static void assert_q(fx *f, const char *sql, const char *arg, const char *want)
{
    char *got = q_text(f, sql, arg);
    if (strcmp(got, want) != 0) {
        print_error("query: %s\nwant:\n%s\ngot:\n%s\n", sql, want, got);
        free(got);
        fail();
    }
    free(got);
}

#define REUSED_ROWS                                                           \
    "SELECT group_concat(r, char(10)) FROM (SELECT period || '|' || "         \
    "contact_kind || '|' || contact || '|' || customers || '|' || tickets "   \
    "|| '|' || detail AS r FROM signals WHERE kind = 'reused_contact' "       \
    "ORDER BY period, contact_kind, contact)"

#define OUTLIER_ROWS                                                          \
    "SELECT group_concat(r, char(10)) FROM (SELECT period || '|' || cso || "  \
    "'|' || tickets || '|' || printf('%.4f|%.4f|%.4f', rate, team_rate, "     \
    "threshold) || '|' || detail AS r FROM signals "                          \
    "WHERE kind = 'exemption_outlier' ORDER BY period, cso)"

#define MISMATCH_ROWS                                                         \
    "SELECT group_concat(r, char(10)) FROM (SELECT period || '|' || "         \
    "apkt_ticket || '|' || crm_ticket || '|' || cso || '|' || apkt_email || " \
    "'|' || crm_email || '|' || apkt_hp || '|' || crm_hp || '|' || detail "   \
    "AS r FROM signals WHERE kind = 'cross_system_mismatch' "                 \
    "ORDER BY period, apkt_ticket)"

/* §4 reused contact: one HP written five ways on 5 customers is a signal,
 * an HP on 4 customers is not; an email on 5 customers known by name only
 * (Eko = EKO) is, one on 4 is not; placeholders and empty contacts on 6
 * customers are not. */
static void reused_contact_five_not_four(void **state)
{
    fx *f = *state;
    import(f, "crm-reuse.csv");
    signals_counts n = compute(f, NULL);
    assert_int_equal(n.reused_contacts, 2);
    assert_int_equal(n.exemption_outliers, 0);
    assert_int_equal(n.cross_system_mismatches, 0);
    assert_q(f, REUSED_ROWS, NULL,
             "2026-10|email|sama@gmail.com|5|6|{\"csos\":[{\"cso\":\"Rudi\","
             "\"tickets\":5},{\"cso\":\"Sari\",\"tickets\":1}]}\n"
             "2026-10|hp|081380041234|5|6|{\"csos\":[{\"cso\":\"Maya "
             "Anggraeni\",\"tickets\":4},{\"cso\":\"Budi\",\"tickets\":2}]}");
    assert_q(f, "SELECT count(*) FROM signals", NULL, "2");
}

/* The minimum comes from the rules: with 4, the near misses count too. */
static void reused_contact_minimum_from_rules(void **state)
{
    fx *f = *state;
    char path[1024];
    tu_path(path, sizeof path, "fixtures/signals/crm-reuse.csv");
    rules *four = NULL;
    char rpath[] = "/tmp/ta-signals-rules-XXXXXX";
    int fd = mkstemp(rpath);
    assert_true(fd >= 0);
    const char text[] = "[signals]\nreused_min_customers = 4\n";
    assert_int_equal(tu_write_file(rpath, text, sizeof text - 1), 0);
    ta_status s = rules_load(rpath, &four, f->err, sizeof f->err);
    remove(rpath);
    if (s != TA_OK)
        fail_msg("%s", f->err);
    import(f, "crm-reuse.csv");
    signals_counts n;
    assert_int_equal(
        signals_compute(f->db, four, NULL, &n, f->err, sizeof f->err), TA_OK);
    rules_free(four);
    assert_int_equal(n.reused_contacts, 4);
    assert_q(f,
             "SELECT group_concat(contact, ' ') FROM (SELECT contact FROM "
             "signals ORDER BY contact)",
             NULL,
             "081380041234 085733221100 hampir@yahoo.com sama@gmail.com");
}

/* §4 exemption outlier: rates 5 10 15 20 25 60 75 % (40 in scope each):
 * median 20, MAD 10, threshold 20 + 3 x 1.4826 x 10 = 64.478: Lukman
 * (75 %) is an outlier, Sari (60 %, high but ordinary) is not, and a new
 * hire exempting all of 29 in-scope tickets is below the minimum of 30. */
static void exemption_outlier_mad(void **state)
{
    fx *f = *state;
    import(f, "crm-outlier.csv");
    signals_counts n = compute(f, NULL);
    assert_int_equal(n.exemption_outliers, 1);
    assert_int_equal(n.reused_contacts, 0);
    assert_q(f, OUTLIER_ROWS, NULL,
             "2026-11|Lukman Hakim|40|75.0000|20.0000|64.4780|{\"codes\":{"
             "\"EX_ANGRY\":10,\"EX_URGENT\":24},\"exempt\":30}");
}

/* MAD = 0 (every rate equal): the spread falls back to 1 point, so one
 * exemption more is no outlier but a rate 3 points above is. */
static void exemption_outlier_spread_floor(void **state)
{
    (void)state;
    assert_true(signals_spread(0) == SIGNALS_MIN_SPREAD);
    assert_true(signals_spread(0.5) == SIGNALS_MIN_SPREAD);
    assert_true(signals_spread(10) > 14.825 && signals_spread(10) < 14.827);
    double v[] = {3, 1, 2, 10};
    assert_true(signals_median(v, 4) == 2.5);
    double w[] = {7, 1, 5};
    assert_true(signals_median(w, 3) == 5);
    assert_true(signals_median(NULL, 0) == 0);
}

/* §4 cross-system mismatch: the same contacts written differently
 * (+62 813... vs 0813..., Budi@Gmail.com vs budi@gmail.com) are not a
 * mismatch; a different HP, an email on one side only, or both differing
 * are; a CRM ticket not in the database, or none, is never. */
static void cross_system_mismatch(void **state)
{
    fx *f = *state;
    import(f, "crm-cross.csv");
    import(f, "apkt-cross.csv");
    signals_counts n = compute(f, NULL);
    assert_int_equal(n.cross_system_mismatches, 3);
    assert_q(f, MISMATCH_ROWS, NULL,
             "2026-12|LX002|KX002|Intan|ani@gmail.com|ani@gmail.com|"
             "081377002999|081377002002|{\"crm_cso\":\"Rina\",\"fields\":["
             "\"hp\"]}\n"
             "2026-12|LX003|KX003|Intan||siti@gmail.com|081377003003|"
             "081377003003|{\"crm_cso\":\"Rina\",\"fields\":[\"email\"]}\n"
             "2026-12|LX004|KX004|Joko|dodi.lain@yahoo.com|dodi@gmail.com|"
             "081299004004|081377004004|{\"crm_cso\":\"Rina\",\"fields\":["
             "\"email\",\"hp\"]}");
}

/* A period's signals are replaced, other periods' kept; running twice
 * gives the same rows; no ticket's verdict changes. */
static void period_replaces_only_its_rows(void **state)
{
    fx *f = *state;
    import(f, "crm-reuse.csv");
    import(f, "crm-outlier.csv");
    import(f, "crm-cross.csv");
    import(f, "apkt-cross.csv");
    const char verdicts[] =
        "SELECT sum(length(status || codes || ticket_id) * rowid) "
        "FROM tickets";
    char *before = q_text(f, verdicts, NULL);
    signals_counts n = compute(f, NULL);
    assert_int_equal(n.reused_contacts, 2);
    assert_int_equal(n.exemption_outliers, 1);
    assert_int_equal(n.cross_system_mismatches, 3);
    char *all = q_text(f,
                       "SELECT group_concat(period || kind, ',') FROM "
                       "(SELECT * FROM signals ORDER BY period, kind, "
                       "contact, apkt_ticket)",
                       NULL);
    n = compute(f, "2026-11");
    assert_int_equal(n.reused_contacts, 0);
    assert_int_equal(n.exemption_outliers, 1);
    assert_int_equal(n.cross_system_mismatches, 0);
    assert_q(f,
             "SELECT group_concat(period || kind, ',') FROM (SELECT * FROM "
             "signals ORDER BY period, kind, contact, apkt_ticket)",
             NULL, all);
    n = compute(f, NULL);
    assert_q(f, "SELECT count(*) FROM signals", NULL, "6");
    assert_q(f, verdicts, NULL, before);
    free(before);
    free(all);
}

/* The signals still hold while no import or audit ran since they were
 * computed with the same rules: they are not computed again (rows removed
 * behind its back stay removed), and the counts come from what is stored;
 * a new import makes them be computed again. */
static void computed_again_only_after_a_change(void **state)
{
    fx *f = *state;
    import(f, "crm-cross.csv");
    signals_counts n = compute(f, NULL);
    assert_int_equal(n.cross_system_mismatches, 0);
    import(f, "apkt-cross.csv");
    n = compute(f, NULL);
    assert_int_equal(n.cross_system_mismatches, 3);
    n = compute(f, NULL); /* nothing changed: stored counts */
    assert_int_equal(n.cross_system_mismatches, 3);
    assert_int_equal(db_exec(f->db, "DELETE FROM signals", "t", f->err,
                             sizeof f->err),
                     TA_OK);
    n = compute(f, "2026-12"); /* covered by the all-periods run */
    assert_int_equal(n.cross_system_mismatches, 0);
    assert_q(f, "SELECT count(*) FROM signals", NULL, "0");
    import(f, "crm-reuse.csv"); /* a change: computed again */
    n = compute(f, NULL);
    assert_int_equal(n.cross_system_mismatches, 3);
    assert_int_equal(n.reused_contacts, 2);
}

/* Errors are values: a database without the schema gives TA_E_IO and a
 * message, and leaves no transaction open. */
static void error_without_schema(void **state)
{
    fx *f = *state;
    sqlite3 *raw = NULL;
    assert_int_equal(sqlite3_open(":memory:", &raw), SQLITE_OK);
    signals_counts n;
    assert_int_equal(
        signals_compute(raw, f->rs, NULL, &n, f->err, sizeof f->err), TA_E_IO);
    assert_non_null(strstr(f->err, "signals"));
    assert_int_equal(sqlite3_get_autocommit(raw), 1);
    assert_int_equal(n.reused_contacts + n.exemption_outliers +
                         n.cross_system_mismatches,
                     0);
    sqlite3_close(raw);
}

static char *json_of(fx *f, const char *period)
{
    char *j = NULL;
    ta_status s = summary_json(f->db, period, &j, f->err, sizeof f->err);
    if (s != TA_OK)
        fail_msg("%s", f->err);
    return j;
}

static void assert_j(fx *f, const char *json, const char *path,
                     const char *want)
{
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT json_extract(?1, '%s')", path);
    char *got = q_text(f, sql, json);
    if (strcmp(got, want) != 0) {
        print_error("%s: want %s, got %s\n", path, want, got);
        free(got);
        fail();
    }
    free(got);
}

/* §5 --json signals: each list names the CSOs, contacts masked as in the
 * workbook, no unmasked contact anywhere in the text. */
static void json_signals_named_and_masked(void **state)
{
    fx *f = *state;
    import(f, "crm-reuse.csv");
    import(f, "crm-outlier.csv");
    import(f, "crm-cross.csv");
    import(f, "apkt-cross.csv");
    (void)compute(f, NULL);
    char *j = json_of(f, NULL);
    assert_j(f, j, "$.signals.reused_contacts[0].contact_kind", "email");
    assert_j(f, j, "$.signals.reused_contacts[0].contact", "s***@gmail.com");
    assert_j(f, j, "$.signals.reused_contacts[0].period", "2026-10");
    assert_j(f, j, "$.signals.reused_contacts[0].customers", "5");
    assert_j(f, j, "$.signals.reused_contacts[0].tickets", "6");
    assert_j(f, j, "$.signals.reused_contacts[0].csos",
             "[{\"cso\":\"Rudi\",\"tickets\":5},{\"cso\":\"Sari\","
             "\"tickets\":1}]");
    assert_j(f, j, "$.signals.reused_contacts[1].contact", "0813****1234");
    assert_j(f, j, "$.signals.reused_contacts[1].csos[0].cso",
             "Maya Anggraeni");
    assert_q(f,
             "SELECT json_array_length(?1, '$.signals.reused_contacts') || "
             "json_array_length(?1, '$.signals.exemption_outliers') || "
             "json_array_length(?1, '$.signals.cross_system_mismatches')",
             j, "213");
    assert_j(f, j, "$.signals.exemption_outliers[0]",
             "{\"period\":\"2026-11\",\"cso\":\"Lukman Hakim\",\"rate\":75.0,"
             "\"team_median\":20.0,\"threshold\":64.48,\"in_scope\":40,"
             "\"exempt\":30,\"codes\":{\"EX_ANGRY\":10,\"EX_URGENT\":24}}");
    assert_j(f, j, "$.signals.cross_system_mismatches[0]",
             "{\"period\":\"2026-12\",\"apkt_ticket\":\"LX002\","
             "\"crm_ticket\":\"KX002\",\"apkt_cso\":\"Intan\",\"crm_cso\":"
             "\"Rina\",\"apkt_email\":\"a***@gmail.com\",\"crm_email\":"
             "\"a***@gmail.com\",\"apkt_hp\":\"0813****2999\",\"crm_hp\":"
             "\"0813****2002\",\"fields\":[\"hp\"]}");
    assert_j(f, j, "$.signals.cross_system_mismatches[1].apkt_email", "");
    assert_j(f, j, "$.signals.cross_system_mismatches[2].apkt_cso", "Joko");
    assert_j(f, j, "$.signals.cross_system_mismatches[2].fields",
             "[\"email\",\"hp\"]");
    const char *raw[] = {"sama@gmail.com", "081380041234", "ani@gmail.com",
                         "081377002999", "dodi.lain@yahoo.com"};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
        if (strstr(j, raw[i]))
            fail_msg("unmasked %s in the JSON", raw[i]);
    free(j);

    /* --period keeps the signals of that period only */
    j = json_of(f, "2026-11");
    assert_q(f,
             "SELECT json_array_length(?1, '$.signals.reused_contacts') || "
             "json_array_length(?1, '$.signals.exemption_outliers') || "
             "json_array_length(?1, '$.signals.cross_system_mismatches')",
             j, "010");
    free(j);
}

/* History: by_cso compares the summarized period with the one before
 * (Sari: 1 violation in 2026-10, everything compliant or exempt in
 * 2026-11); the earliest period has nothing to compare with. */
static void json_history_from_fixtures(void **state)
{
    fx *f = *state;
    import(f, "crm-reuse.csv");
    import(f, "crm-outlier.csv");
    import(f, "crm-cross.csv");
    char *j = json_of(f, "2026-11");
    assert_q(f,
             "SELECT json_extract(value, '$.previous_period') || ' ' || "
             "coalesce(json_extract(value, '$.previous_compliance_pct'), "
             "'null') || ' ' || coalesce(json_extract(value, '$.change'), "
             "'null') FROM json_each(?1, '$.by_cso') WHERE "
             "json_extract(value, '$.cso') = 'Sari'",
             j, "2026-10 0.0 100.0");
    free(j);
    j = json_of(f, "2026-10");
    char *n = q_text(f, "SELECT json_array_length(?1, '$.by_cso')", j);
    assert_q(f,
             "SELECT count(*) FROM json_each(?1, '$.by_cso') WHERE "
             "json_type(value, '$.previous_period') = 'null' AND "
             "json_type(value, '$.change') = 'null'",
             j, n);
    free(n);
    free(j);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_db_setup, tu_db_teardown)
    const struct CMUnitTest tests[] = {
        T(reused_contact_five_not_four), T(reused_contact_minimum_from_rules),
        T(exemption_outlier_mad),        T(exemption_outlier_spread_floor),
        T(cross_system_mismatch),        T(period_replaces_only_its_rows),
        T(error_without_schema),         T(json_signals_named_and_masked),
        T(json_history_from_fixtures),   T(computed_again_only_after_a_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
