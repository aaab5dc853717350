/*
 * test_signals.c — the signals of SPEC §4 "Beyond the memo" (signals.h):
 * the fixtures of fixtures/signals/ go through the real importer (which
 * judges them), then signals_compute, and the whole `signals` table is
 * compared with rows written by hand — each signal with a positive case
 * and a near miss. Then the --json `signals` object (summary_json) read
 * back with SQLite's json_extract: keys, masking, the CSOs named.
 * Then the two ways of computing them agree (the audit's feed and
 * signals_compute's own scan), tickets too long for a sort record travel
 * by reference, and more CSO-months than the feed counts fall back to SQL.
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

#include "audit.h"
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
        assert_int_equal(sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT),
                         SQLITE_OK);
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
    assert_int_equal(
        db_exec(f->db, "DELETE FROM signals", "t", f->err, sizeof f->err),
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

/* ---- the feed against the scan ------------------------------------------ */

/* The whole `signals` table, every column but id, one row a line in a
 * fixed order; quote() keeps NULL and '' apart and every digit of a REAL. */
#define ALL_SIGNALS                                                           \
    "SELECT coalesce(group_concat(r, char(10)), '') FROM (SELECT "            \
    "quote(period) || '|' || quote(kind) || '|' || quote(cso) || '|' || "     \
    "quote(contact_kind) || '|' || quote(contact) || '|' || "                 \
    "quote(customers) || '|' || quote(tickets) || '|' || quote(rate) || '|' " \
    "|| quote(team_rate) || '|' || quote(threshold) || '|' || "               \
    "quote(apkt_ticket) || '|' || quote(crm_ticket) || '|' || "               \
    "quote(apkt_email) || '|' || quote(crm_email) || '|' || quote(apkt_hp) "  \
    "|| '|' || quote(crm_hp) || '|' || quote(detail) AS r FROM signals "      \
    "ORDER BY r)"

static void exec_ok(fx *f, const char *sql)
{
    if (db_exec(f->db, sql, "test", f->err, sizeof f->err) != TA_OK)
        fail_msg("%s: %s", sql, f->err);
}

/* audit_run judging every ticket of period (NULL: all) and feeding a
 * signals_feed, then signals_feed_write: the way `ticket-audit audit`
 * computes the signals. early: the feed ended (signals_feed_finish)
 * before the signals are written, as the import does before its commit,
 * the merge running meanwhile; a second finish changes nothing and a
 * ticket after it is refused. */
static signals_counts audit_fed_as(fx *f, const char *period, int early)
{
    signals_feed *feed = signals_feed_new(f->rs, period);
    assert_non_null(feed);
    audit_summary sum;
    if (audit_run(f->db, f->rs, period, 0, signals_feed_on_ticket, feed, &sum,
                  f->err, sizeof f->err) != TA_OK)
        fail_msg("audit_run: %s", f->err);
    assert_true(sum.audit_id != 0);
    assert_true(sum.tickets > 0);
    if (early) {
        assert_int_equal(signals_feed_finish(feed, f->err, sizeof f->err),
                         TA_OK);
        assert_int_equal(signals_feed_finish(feed, f->err, sizeof f->err),
                         TA_OK);
        signals_row late;
        memset(&late, 0, sizeof late);
        late.rowid = 1;
        assert_int_not_equal(
            signals_feed_add(feed, &late, f->err, sizeof f->err), TA_OK);
        assert_non_null(strstr(f->err, "after the feed ended"));
    }
    signals_counts n;
    if (signals_feed_write(feed, f->db, &n, f->err, sizeof f->err) != TA_OK)
        fail_msg("signals_feed_write: %s", f->err);
    signals_feed_free(feed);
    return n;
}

static signals_counts audit_fed(fx *f, const char *period)
{
    return audit_fed_as(f, period, 0);
}

/* signals_compute from its own scan, made to compute for real: the
 * state that would let it reuse the stored rows is deleted, and so are
 * the rows of its scope (had it done nothing, they would be missing). */
static signals_counts scan_again(fx *f, const char *period)
{
    exec_ok(f, "DELETE FROM signals_state");
    if (period) {
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(f->db,
                                            "DELETE FROM signals WHERE "
                                            "period = ?1",
                                            -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
    } else {
        exec_ok(f, "DELETE FROM signals");
    }
    return compute(f, period);
}

static void assert_same_counts(signals_counts a, signals_counts b)
{
    assert_int_equal(a.reused_contacts, b.reused_contacts);
    assert_int_equal(a.exemption_outliers, b.exemption_outliers);
    assert_int_equal(a.cross_system_mismatches, b.cross_system_mismatches);
}

static void assert_same_text(const char *what, const char *a, const char *b)
{
    if (strcmp(a, b) != 0) {
        size_t i = 0;
        while (a[i] && a[i] == b[i])
            i++;
        print_error("%s: the tables differ from byte %zu\nfed:  %.300s\n"
                    "scan: %.300s\n",
                    what, i, a + (i > 100 ? i - 100 : 0),
                    b + (i > 100 ? i - 100 : 0));
        fail();
    }
}

/* The signals the audit feeds equal those signals_compute finds from its
 * own scan of `tickets`, to the last column: on the four signal fixtures
 * and the realistic sample set (CRM, APKT naming CRM tickets, AP2T), for
 * every period and for one period at a time. */
static void fed_equals_scan(void **state)
{
    fx *f = *state;
    import(f, "crm-reuse.csv");
    import(f, "crm-outlier.csv");
    import(f, "crm-cross.csv");
    import(f, "apkt-cross.csv");
    const char *sample[] = {"crm-2026-10.csv", "apkt-2026-10.csv",
                            "ap2t-2026-10.csv"};
    for (size_t i = 0; i < 3; i++) {
        char rel[256];
        import_result r;
        snprintf(rel, sizeof rel, "fixtures/sample/%s", sample[i]);
        if (tu_import(f, rel, &r) != TA_OK)
            fail_msg("%s", f->err);
        assert_true(r.rows_imported > 100);
    }

    signals_counts fed = audit_fed(f, NULL);
    char *by_feed = q_text(f, ALL_SIGNALS, NULL);
    /* the fixtures' own signals at least, and the sample's APKT reports
     * add over a hundred mismatches, so that equality means something */
    assert_true(fed.reused_contacts >= 2);
    assert_true(fed.exemption_outliers >= 1);
    assert_true(fed.cross_system_mismatches > 100);
    assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM signals"),
                     fed.reused_contacts + fed.exemption_outliers +
                         fed.cross_system_mismatches);
    signals_counts scan = scan_again(f, NULL);
    char *by_scan = q_text(f, ALL_SIGNALS, NULL);
    assert_same_counts(fed, scan);
    assert_same_text("all periods", by_feed, by_scan);
    free(by_scan);

    /* ended before it is written, the merge running meanwhile */
    signals_counts early = audit_fed_as(f, NULL, 1);
    char *by_early = q_text(f, ALL_SIGNALS, NULL);
    assert_same_counts(fed, early);
    assert_same_text("ended early", by_feed, by_early);
    free(by_early);
    free(by_feed);

    /* one period at a time: the reused contacts (2026-10, with the
     * sample), the outliers (2026-11), the mismatches (2026-12) */
    const char *periods[] = {"2026-10", "2026-11", "2026-12"};
    for (size_t i = 0; i < 3; i++) {
        fed = audit_fed(f, periods[i]);
        assert_true(fed.reused_contacts + fed.exemption_outliers +
                        fed.cross_system_mismatches >
                    0);
        by_feed = q_text(f, ALL_SIGNALS, NULL);
        scan = scan_again(f, periods[i]);
        by_scan = q_text(f, ALL_SIGNALS, NULL);
        assert_same_counts(fed, scan);
        assert_same_text(periods[i], by_feed, by_scan);
        free(by_feed);
        free(by_scan);
    }
}

/* ---- tickets too long for a record ----------------------------------------
 */

#define LONG_CSO 20000

static void import_path(fx *f, const char *path)
{
    import_result r;
    import_options o = {.source = TA_SRC_NONE};
    if (import_file(f->db, f->rs, path, &o, &r, f->err, sizeof f->err) !=
        TA_OK)
        fail_msg("%s", f->err);
    assert_int_equal(r.rows_rejected, 0);
    assert_true(r.rows_imported > 0);
}

/* The reused contact and the two mismatches of by_reference, with the long
 * CSO's name checked in full (bound, not pasted into the SQL). */
static void assert_long_cso_signals(fx *f, const char *cso)
{
    /* reused contact: 5 customers, 5 tickets, the long CSO among its CSOs
     * with its whole name */
    assert_q(f,
             "SELECT customers || '|' || tickets || '|' || "
             "json_array_length(detail, '$.csos') FROM signals WHERE kind = "
             "'reused_contact' AND contact = '081399887766'",
             NULL, "5|5|2");
    assert_q(f,
             "SELECT json_extract(detail, '$.csos[0].cso') || '|' || "
             "json_extract(detail, '$.csos[0].tickets') || '|' || "
             "length(json_extract(detail, '$.csos[1].cso')) || '|' || "
             "(json_extract(detail, '$.csos[1].cso') = ?1) || '|' || "
             "json_extract(detail, '$.csos[1].tickets') FROM signals WHERE "
             "kind = 'reused_contact' AND contact = '081399887766'",
             cso, "Rina|4|20000|1|1");
    assert_q(f, "SELECT count(*) FROM signals WHERE kind = 'reused_contact'",
             NULL, "1");
    /* the report by the long CSO: `cso` is the APKT side's, whole */
    assert_q(f,
             "SELECT length(cso) || '|' || (cso = ?1) || '|' || crm_ticket "
             "|| '|' || apkt_hp || '|' || crm_hp || '|' || detail FROM "
             "signals WHERE kind = 'cross_system_mismatch' AND apkt_ticket "
             "= 'LL001'",
             cso,
             "20000|1|KL010|081322220000|081311110000|{\"crm_cso\":\"Rina\","
             "\"fields\":[\"hp\"]}");
    /* the CRM ticket by the long CSO: its name in the detail */
    assert_q(f,
             "SELECT cso || '|' || crm_ticket || '|' || "
             "length(json_extract(detail, '$.crm_cso')) || '|' || "
             "(json_extract(detail, '$.crm_cso') = ?1) || '|' || "
             "json_extract(detail, '$.fields') FROM signals WHERE kind = "
             "'cross_system_mismatch' AND apkt_ticket = 'LL002'",
             cso, "Intan|KL020|20000|1|[\"email\"]");
    assert_q(f,
             "SELECT count(*) FROM signals WHERE kind = "
             "'cross_system_mismatch'",
             NULL, "2");
}

/* A CSO name of 20,000 characters does not fit a record
 * (EXTSORT_MAX_PAYLOAD = 16,384), so its tickets travel by reference and
 * the writer reads their strings back: the reused contact (5 customers on
 * one HP, one ticket entered by that CSO) names the CSO in full, the
 * mismatch of the report the CSO entered carries the whole name in `cso`,
 * and the one against a CRM ticket the CSO entered carries it in the
 * detail. Through the audit's feed and through signals_compute's scan. */
static void by_reference(void **state)
{
    fx *f = *state;
    char dir[512], crm[600], apkt[600];
    assert_int_equal(tu_tmpdir(dir, sizeof dir), 0);
    snprintf(crm, sizeof crm, "%s/crm-long.csv", dir);
    snprintf(apkt, sizeof apkt, "%s/apkt-long.csv", dir);

    char *cso = malloc(LONG_CSO + 1);
    assert_non_null(cso);
    for (size_t i = 0; i < LONG_CSO; i++)
        cso[i] = (char)('a' + (i * 7) % 26);
    memcpy(cso, "Petugas", 7);
    memcpy(cso + LONG_CSO - 5, "Akhir", 5); /* the end must survive too */
    cso[LONG_CSO] = '\0';

    size_t cap = 4 * LONG_CSO + 4096, n = 0;
    char *csv = malloc(cap);
    assert_non_null(csv);
#define ADD(...) n += (size_t)snprintf(csv + n, cap - n, __VA_ARGS__)
    ADD("ID Tiket,Tanggal,Jenis Transaksi,Nama,Email,HP,CSO,Prioritas,"
        "Emosi Pelanggan,Hubungan Pelapor,ID Pelanggan,Media\n");
    for (int i = 1; i <= 5; i++)
        ADD("KL00%d,2026-09-0%d,Informasi Tagihan,Pelanggan %d,,"
            "081399887766,%s,,,Pelanggan,52000000000%d,Contact Center PLN "
            "123\n",
            i, i, i, i == 3 ? cso : "Rina", i);
    ADD("KL010,2026-09-10,Gangguan,Tono,tono@gmail.com,081311110000,Rina,,,"
        "Pelanggan,520000000010,Contact Center PLN 123\n");
    ADD("KL020,2026-09-11,Gangguan,Wati,wati@gmail.com,081344440000,%s,,,"
        "Pelanggan,520000000020,Contact Center PLN 123\n",
        cso);
    assert_true(n < cap);
    assert_int_equal(tu_write_file(crm, csv, n), 0);
    n = 0;
    ADD("No Laporan,Tiket CRM,Tgl Lapor,Jenis Laporan,Nama Pelapor,"
        "Email Pelapor,HP Pelapor,Petugas,IDPEL,Media\n");
    ADD("LL001,KL010,12-SEP-26,Gangguan Padam,Tono,tono@gmail.com,"
        "081322220000,%s,520000000010,Contact Center PLN 123\n",
        cso);
    ADD("LL002,KL020,12-SEP-26,Gangguan Padam,Wati,wati.lain@gmail.com,"
        "081344440000,Intan,520000000020,Contact Center PLN 123\n");
#undef ADD
    assert_true(n < cap);
    assert_int_equal(tu_write_file(apkt, csv, n), 0);
    free(csv);

    import_path(f, crm);
    import_path(f, apkt);
    tu_rmtree(dir);
    assert_q(f,
             "SELECT count(*) FROM tickets WHERE length(cso) = 20000 AND "
             "cso = ?1",
             cso, "3");

    signals_counts fed = audit_fed(f, NULL);
    assert_int_equal(fed.reused_contacts, 1);
    assert_int_equal(fed.cross_system_mismatches, 2);
    assert_long_cso_signals(f, cso);
    char *by_feed = q_text(f, ALL_SIGNALS, NULL);

    signals_counts scan = scan_again(f, NULL);
    assert_same_counts(fed, scan);
    assert_long_cso_signals(f, cso);
    char *by_scan = q_text(f, ALL_SIGNALS, NULL);
    assert_same_text("by reference", by_feed, by_scan);
    free(by_feed);
    free(by_scan);

    /* one period: the mismatches are SQL's then, the contacts still by
     * reference */
    fed = audit_fed(f, "2026-09");
    assert_long_cso_signals(f, cso);
    scan = scan_again(f, "2026-09");
    assert_same_counts(fed, scan);
    assert_long_cso_signals(f, cso);
    free(cso);
}

/* ---- more CSO-months than the feed counts ----------------------------------
 */

/* Tickets written straight into `tickets` as judged ones (the import and
 * audit rows they point to exist; foreign keys are off anyway). */
static void synthetic_base(fx *f)
{
    exec_ok(f, "INSERT INTO imports(id, file, size, sha256, source, encoding, "
               "delimiter, header_line, rows_read, rows_imported, "
               "rows_rejected, imported_at, program_version) VALUES (9001, "
               "'synthetic', 0, 'synthetic', 'crm', 'utf-8', ',', 1, 0, 0, 0, "
               "'2026-06-01T00:00:00Z', 'test');"
               "INSERT INTO audits(id, kind, run_at, period, rules, "
               "program_version, tickets) VALUES (9001, 'import', "
               "'2026-06-01T00:00:00Z', NULL, 'synthetic', 'test', 0)");
}

#define TICKET_COLS                                                           \
    "INSERT INTO tickets(source, ticket_id, import_id, line, date, period, "  \
    "name, idpel, cso, category, status, codes, email_state, hp_state, "      \
    "evidence, hp_norm, email_norm, audit_id) "

/* 70,000 CSOs with one compliant ticket each in 2026-05. */
static void insert_single_csos(fx *f)
{
    exec_ok(f, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
               "FROM n WHERE i < 70000) " TICKET_COLS
               "SELECT 'crm', 'KS' || i, 9001, i + 1, '2026-05-15', "
               "'2026-05', 'Pelanggan ' || i, '', 'Petugas ' || i, "
               "'informasi', 'compliant', '', 'EMAIL_MISSING', 'valid', '', "
               "'', '', 9001 FROM n");
}

/* Eight CSOs with 40 in-scope tickets each in 2026-05, exempting 2, 4, 6,
 * 8, 10, 4, 6 and 32 of them (5, 10, 15, 20, 25, 10, 15 and 80 %): median
 * 15, MAD 5, threshold 15 + 3 x 1.4826 x 5 = 37.239, so Hana (80 %) is
 * the one outlier. Her exempt tickets are EX_URGENT, 8 of them also
 * EX_ANGRY; she also has 5 out-of-scope tickets, which do not count. */
static void insert_team(fx *f)
{
    exec_ok(f,
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
            "WHERE i < 39), team(k, cso, ex) AS (VALUES (1, 'Ayu', 2), "
            "(2, 'Bayu', 4), (3, 'Citra', 6), (4, 'Dedi', 8), (5, 'Eka', 10), "
            "(6, 'Fajar', 4), (7, 'Gita', 6), (8, 'Hana', 32)) " TICKET_COLS
            "SELECT 'crm', 'KT' || k || '-' || i, 9001, 100000 + 40 * k + i, "
            "'2026-05-20', '2026-05', 'Pelanggan T' || i, '', cso, "
            "'gangguan', CASE WHEN i < ex THEN 'exempt' ELSE 'compliant' END, "
            "CASE WHEN i >= ex THEN '' WHEN k = 8 AND i < 8 THEN "
            "'EX_ANGRY EX_URGENT' ELSE 'EX_URGENT' END, 'valid', 'valid', "
            "'', '', '', 9001 FROM team, n;"
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
            "WHERE i < 4) " TICKET_COLS
            "SELECT 'crm', 'KU' || i, 9001, 200000 + i, '2026-05-21', "
            "'2026-05', 'Pelanggan U' || i, '', 'Hana', 'niaga', "
            "'out_of_scope', '', 'valid', 'valid', '', '', '', 9001 FROM n");
}

#define HANA_ROW                                                              \
    "2026-05|Hana|40|80.0000|15.0000|37.2390|{\"codes\":{\"EX_ANGRY\":8,"     \
    "\"EX_URGENT\":32},\"exempt\":32}"

/* The feed counts per CSO and month in a table that stops at 65,536
 * CSO-months; beyond, SQL counts. With 70,000 one-ticket CSOs besides the
 * team (and the team's tickets read after the table filled up), the
 * outlier is the same row as without them, for every period and for the
 * period alone. */
static void many_cso_months(void **state)
{
    fx *f = *state;
    synthetic_base(f);
    insert_team(f);
    signals_counts n = compute(f, NULL);
    assert_int_equal(n.exemption_outliers, 1);
    assert_int_equal(n.reused_contacts + n.cross_system_mismatches, 0);
    assert_q(f, OUTLIER_ROWS, NULL, HANA_ROW);
    char *few = q_text(f, ALL_SIGNALS, NULL);

    /* again with the 70,000 first, so the team comes after the table is
     * full */
    exec_ok(f, "DELETE FROM tickets");
    insert_single_csos(f);
    insert_team(f);
    assert_int_equal(tu_q_int(f->db, "SELECT count(DISTINCT period || cso) "
                                     "FROM tickets"),
                     70008);
    n = scan_again(f, NULL);
    assert_int_equal(n.exemption_outliers, 1);
    assert_int_equal(n.reused_contacts + n.cross_system_mismatches, 0);
    assert_q(f, OUTLIER_ROWS, NULL, HANA_ROW);
    char *many = q_text(f, ALL_SIGNALS, NULL);
    assert_same_text("70,000 more CSOs", few, many);
    free(many);

    n = scan_again(f, "2026-05");
    assert_int_equal(n.exemption_outliers, 1);
    many = q_text(f, ALL_SIGNALS, NULL);
    assert_same_text("70,000 more CSOs, one period", few, many);
    free(many);
    free(few);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_db_setup, tu_db_teardown)
    const struct CMUnitTest tests[] = {
        T(reused_contact_five_not_four),
        T(reused_contact_minimum_from_rules),
        T(exemption_outlier_mad),
        T(exemption_outlier_spread_floor),
        T(cross_system_mismatch),
        T(period_replaces_only_its_rows),
        T(error_without_schema),
        T(json_signals_named_and_masked),
        T(json_history_from_fixtures),
        T(computed_again_only_after_a_change),
        T(fed_equals_scan),
        T(by_reference),
        T(many_cso_months),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
