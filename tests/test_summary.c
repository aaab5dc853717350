/*
 * test_summary.c — the CI-facing outputs (summary.h, junit.h) against
 * databases built by hand with SQL: the --json keys and figures compared
 * with SQL over the same tables (SPEC §5), compliance rounding and null
 * (SPEC §4), hostile strings in CSO and file names, the check exit rule,
 * the human summary, and the JUnit file read back by Python's XML parser.
 */
/* cmocka needs these first, in this order */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "junit.h"
#include "summary.h"
#include "testutil.h"
#include "utf8.h"

#define PY "/usr/bin/python3"

typedef struct fx {
    sqlite3 *db;
    char err[2048];
    char tmp[512];
} fx;

static int setup(void **state)
{
    static fx f;
    memset(&f, 0, sizeof f);
    assert_int_equal(db_open(":memory:", &f.db, f.err, sizeof f.err), TA_OK);
    assert_int_equal(tu_tmpdir(f.tmp, sizeof f.tmp), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    db_close(f->db);
    tu_rmtree(f->tmp);
    return 0;
}

/* One audited ticket; cso given with its length so it may hold NUL. */
static void add_result_n(fx *f, const char *id, const char *period,
                         const char *cso, int cso_len, const char *status,
                         const char *codes)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(f->db,
                           "INSERT INTO tickets (source, ticket_id, "
                           "import_id, line, date, period, cso, status, "
                           "codes, category, email_state, hp_state, "
                           "evidence, audit_id) VALUES ('crm', ?1, 1, 2, "
                           "?2 || '-01', ?2, ?3, ?4, ?5, 'keluhan', "
                           "'valid', 'valid', '', 1)",
                           -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(st, 2, period, -1, SQLITE_TRANSIENT),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(st, 3, cso, cso_len, SQLITE_TRANSIENT),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(st, 4, status, -1, SQLITE_TRANSIENT),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(st, 5, codes, -1, SQLITE_TRANSIENT),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

static void add_result(fx *f, const char *id, const char *period,
                       const char *cso, const char *status, const char *codes)
{
    add_result_n(f, id, period, cso, -1, status, codes);
}

static void add_import(fx *f, const char *file, const char *sha,
                       const char *source, long read, long imported,
                       long rejected)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(f->db,
                           "INSERT INTO imports (file, size, sha256, source, "
                           "encoding, delimiter, header_line, rows_read, "
                           "rows_imported, rows_rejected, imported_at, "
                           "program_version) VALUES (?1, 100, ?2, ?3, "
                           "'utf-8', ',', 1, ?4, ?5, ?6, "
                           "'2026-11-01T00:00:00Z', '0.1.0')",
                           -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(st, 1, file, -1, SQLITE_TRANSIENT),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(st, 2, sha, -1, SQLITE_TRANSIENT),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(st, 3, source, -1, SQLITE_TRANSIENT),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_int64(st, 4, read), SQLITE_OK);
    assert_int_equal(sqlite3_bind_int64(st, 5, imported), SQLITE_OK);
    assert_int_equal(sqlite3_bind_int64(st, 6, rejected), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

/* sql with ?1 bound to json (text); first column as int64 / text. */
static long long jq_int(fx *f, const char *json, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_bind_parameter_count(st) > 0) /* some queries take none */
        assert_int_equal(sqlite3_bind_text(st, 1, json, -1, SQLITE_TRANSIENT),
                         SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static const char *jq_text(fx *f, const char *json, const char *sql, char *buf,
                           size_t len)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_bind_parameter_count(st) > 0) /* some queries take none */
        assert_int_equal(sqlite3_bind_text(st, 1, json, -1, SQLITE_TRANSIENT),
                         SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(buf, len, "%s", t ? (const char *)t : "(null)");
    sqlite3_finalize(st);
    return buf;
}

static long long q_int(fx *f, const char *sql)
{
    return jq_int(f, "", sql);
}

/* The value at JSON path as text; "(null)" for JSON null. */
static const char *jget(fx *f, const char *json, const char *path, char *buf,
                        size_t len)
{
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT json_extract(?1, '%s')", path);
    return jq_text(f, json, sql, buf, len);
}

static long long jnum(fx *f, const char *json, const char *path)
{
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT json_extract(?1, '%s')", path);
    return jq_int(f, json, sql);
}

static const char *jtype(fx *f, const char *json, const char *path, char *buf,
                         size_t len)
{
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT json_type(?1, '%s')", path);
    return jq_text(f, json, sql, buf, len);
}

/* Valid JSON by SQLite and by a strict parser that also insists on
 * UTF-8 (SQLite's json_valid does not look at the bytes of strings). */
static void assert_json_strict(fx *f, const char *json)
{
    assert_int_equal(jq_int(f, json, "SELECT json_valid(?1)"), 1);
    size_t n = strlen(json), cn = 0;
    char *clean = utf8_clean(json, n, &cn);
    assert_non_null(clean);
    assert_int_equal(cn, n);
    assert_memory_equal(clean, json, n);
    free(clean);
    char path[700], cmd[1600];
    snprintf(path, sizeof path, "%s/out.json", f->tmp);
    assert_int_equal(tu_write_file(path, json, n), 0);
    snprintf(cmd, sizeof cmd,
             PY " -c 'import json,sys; json.load(open(sys.argv[1], "
                "encoding=\"utf-8\", errors=\"strict\"))' '%s'",
             path);
    assert_int_equal(system(cmd), 0);
}

static char *json_of(fx *f, const char *period)
{
    char *out = NULL;
    ta_status s = summary_json(f->db, period, &out, f->err, sizeof f->err);
    if (s != TA_OK)
        fail_msg("summary_json: %s", f->err);
    assert_non_null(out);
    assert_json_strict(f, out);
    return out;
}

/* Two periods, three CSOs (one empty), every status. */
static void fill_basic(fx *f)
{
    add_import(f, "crm.csv", "aa", "crm", 10, 8, 2);
    add_import(f, "apkt.csv", "bb", "apkt", 5, 5, 0);
    add_result(f, "1", "2026-10", "Budi", "compliant", "");
    add_result(f, "2", "2026-10", "Budi", "violation",
               "EMAIL_MISSING HP_INVALID");
    add_result(f, "3", "2026-10", "Budi", "exempt", "EX_ANGRY");
    add_result(f, "4", "2026-10", "Sari", "compliant", "");
    add_result(f, "5", "2026-10", "Sari", "out_of_scope", "");
    add_result(f, "6", "2026-09", "Sari", "violation", "EMAIL_MISSING");
    add_result(f, "7", "2026-09", "", "violation",
               "EMAIL_PLACEHOLDER EXEMPTION_INVALID HP_MISSING");
    add_result(f, "8", "2026-09", "", "exempt", "EX_NO_EMAIL EX_URGENT");
}

/* SPEC §5 --json: every key, each figure equal to SQL over the tables. */
static void json_totals_match_sql(void **state)
{
    fx *f = *state;
    char b[256];
    fill_basic(f);
    char *j = json_of(f, NULL);
    static const char *const status[] = {"compliant", "exempt", "violation",
                                         "out_of_scope"};
    for (size_t i = 0; i < 4; i++) {
        char sql[200], path[64];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM audit_results WHERE status = '%s'",
                 status[i]);
        snprintf(path, sizeof path, "$.%s", status[i]);
        assert_int_equal(jnum(f, j, path), q_int(f, sql));
    }
    assert_int_equal(jnum(f, j, "$.tickets"),
                     q_int(f, "SELECT count(*) FROM audit_results"));
    assert_int_equal(jnum(f, j, "$.rows_read"),
                     q_int(f, "SELECT sum(rows_read) FROM imports"));
    assert_int_equal(jnum(f, j, "$.rows_imported"), 13);
    assert_int_equal(jnum(f, j, "$.rows_rejected"), 2);
    /* (2 compliant + 2 exempt) / 7 in scope = 57.142... */
    assert_string_equal(jget(f, j, "$.compliance_pct", b, sizeof b), "57.14");
    assert_string_equal(jtype(f, j, "$.compliance_pct", b, sizeof b), "real");
    assert_string_equal(jtype(f, j, "$.period", b, sizeof b), "null");
    assert_string_equal(jget(f, j, "$.periods", b, sizeof b),
                        "[\"2026-09\",\"2026-10\"]");
    assert_int_equal(jnum(f, j, "$.json_version"), SUMMARY_JSON_VERSION);
    assert_int_equal(jq_int(f, j, "SELECT json_array_length(?1, '$.files')"),
                     2);
    assert_string_equal(jget(f, j, "$.files[0].file", b, sizeof b), "crm.csv");
    assert_string_equal(jget(f, j, "$.files[0].source", b, sizeof b), "crm");
    assert_string_equal(jget(f, j, "$.files[0].sha256", b, sizeof b), "aa");
    assert_int_equal(jnum(f, j, "$.files[0].rows_read"), 10);
    assert_int_equal(jnum(f, j, "$.files[0].rows_imported"), 8);
    assert_int_equal(jnum(f, j, "$.files[0].rows_rejected"), 2);
    assert_string_equal(jget(f, j, "$.files[1].file", b, sizeof b),
                        "apkt.csv");
    static const char *const sig[] = {"reused_contacts", "exemption_outliers",
                                      "cross_system_mismatches"};
    for (size_t i = 0; i < 3; i++) {
        char path[80];
        snprintf(path, sizeof path, "$.signals.%s", sig[i]);
        assert_string_equal(jget(f, j, path, b, sizeof b), "[]");
    }
    free(j);
}

/* More groups (CSO x status x codes) than the summary's counting table
 * holds at once (4096 slots, docs/benchmarks.md "Pipeline"): the JSON's
 * figures are still every ticket's, each CSO once. */
static void json_many_groups(void **state)
{
    fx *f = *state;
    fill_basic(f);
    char *e = NULL;
    assert_int_equal(
        sqlite3_exec(f->db,
                     "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                     "FROM k WHERE i < 6000) INSERT INTO tickets (source, "
                     "ticket_id, import_id, line, date, period, cso, status, "
                     "codes, category, email_state, hp_state, evidence, "
                     "audit_id) SELECT 'apkt', 'G' || i, 1, 2, '2026-10-01', "
                     "'2026-10', 'CSO ' || (i % 2500), CASE i % 3 WHEN 0 THEN "
                     "'compliant' ELSE 'violation' END, CASE i % 3 WHEN 0 "
                     "THEN '' WHEN 1 THEN 'HP_MISSING' ELSE 'EMAIL_MISSING "
                     "HP_MISSING' END, 'keluhan', 'valid', 'valid', '', 1 "
                     "FROM k",
                     NULL, NULL, &e),
        SQLITE_OK);
    char *j = json_of(f, NULL);
    assert_int_equal(jnum(f, j, "$.tickets"),
                     q_int(f, "SELECT count(*) FROM tickets"));
    assert_int_equal(jnum(f, j, "$.violation"),
                     q_int(f, "SELECT count(*) FROM tickets WHERE status = "
                              "'violation'"));
    assert_int_equal(jnum(f, j, "$.codes.HP_MISSING"),
                     q_int(f, "SELECT count(*) FROM tickets WHERE codes LIKE "
                              "'%HP_MISSING%'"));
    assert_int_equal(jq_int(f, j, "SELECT json_array_length(?1, '$.by_cso')"),
                     q_int(f, "SELECT count(DISTINCT cso) FROM tickets"));
    assert_int_equal(
        jq_int(f, j,
               "SELECT count(*) FROM json_each(?1, '$.by_cso') WHERE "
               "json_extract(value, '$.cso') = 'CSO 7' AND "
               "json_extract(value, '$.tickets') = 3"),
        1);
    free(j);
}

/* §5: by_cso has the same figures per CSO, worst compliance first. */
static void json_by_cso_worst_first(void **state)
{
    fx *f = *state;
    char b[256];
    fill_basic(f);
    add_result(f, "9", "2026-10", "Zed", "out_of_scope", "");
    char *j = json_of(f, NULL);
    assert_int_equal(jq_int(f, j, "SELECT json_array_length(?1, '$.by_cso')"),
                     4);
    /* Sari 1/2 = 50.00, "" 1/2 = 50.00 (tie: same violations, "" < Sari),
     * Budi 2/3 = 66.67, Zed nothing in scope: null, last */
    assert_string_equal(jget(f, j, "$.by_cso[0].cso", b, sizeof b), "");
    assert_string_equal(jget(f, j, "$.by_cso[1].cso", b, sizeof b), "Sari");
    assert_string_equal(jget(f, j, "$.by_cso[2].cso", b, sizeof b), "Budi");
    assert_string_equal(jget(f, j, "$.by_cso[2].compliance_pct", b, sizeof b),
                        "66.67");
    assert_string_equal(jget(f, j, "$.by_cso[3].cso", b, sizeof b), "Zed");
    assert_string_equal(jtype(f, j, "$.by_cso[3].compliance_pct", b, sizeof b),
                        "null");
    assert_int_equal(jnum(f, j, "$.by_cso[1].tickets"), 3);
    assert_int_equal(jnum(f, j, "$.by_cso[1].compliant"), 1);
    assert_int_equal(jnum(f, j, "$.by_cso[1].violation"), 1);
    assert_int_equal(jnum(f, j, "$.by_cso[1].out_of_scope"), 1);
    assert_int_equal(jnum(f, j, "$.by_cso[0].exempt"), 1);
    /* per-CSO tickets add up to the total */
    assert_int_equal(
        jq_int(f, j,
               "SELECT sum(json_extract(value, '$.tickets')) FROM "
               "json_each(?1, '$.by_cso')"),
        jnum(f, j, "$.tickets"));
    free(j);
}

/* codes: code -> number of tickets carrying it, split from codes. */
static void json_codes_counted(void **state)
{
    fx *f = *state;
    char b[512];
    fill_basic(f);
    char *j = json_of(f, NULL);
    assert_string_equal(
        jget(f, j, "$.codes", b, sizeof b),
        "{\"EMAIL_MISSING\":2,\"EMAIL_PLACEHOLDER\":1,\"EXEMPTION_INVALID\":1,"
        "\"EX_ANGRY\":1,\"EX_NO_EMAIL\":1,\"EX_URGENT\":1,\"HP_INVALID\":1,"
        "\"HP_MISSING\":1}");
    free(j);
}

/* --period: counts of that month only; period echoed; periods all. */
static void json_one_period(void **state)
{
    fx *f = *state;
    char b[256];
    fill_basic(f);
    char *j = json_of(f, "2026-09");
    assert_string_equal(jget(f, j, "$.period", b, sizeof b), "2026-09");
    assert_int_equal(jnum(f, j, "$.tickets"), 3);
    assert_int_equal(jnum(f, j, "$.violation"), 2);
    assert_int_equal(jnum(f, j, "$.exempt"), 1);
    assert_string_equal(jget(f, j, "$.compliance_pct", b, sizeof b), "33.33");
    assert_string_equal(jget(f, j, "$.periods", b, sizeof b),
                        "[\"2026-09\",\"2026-10\"]");
    /* row counts are over every import, whatever the period */
    assert_int_equal(jnum(f, j, "$.rows_rejected"), 2);
    assert_string_equal(jget(f, j, "$.codes", b, sizeof b),
                        "{\"EMAIL_MISSING\":1,\"EMAIL_PLACEHOLDER\":1,"
                        "\"EXEMPTION_INVALID\":1,\"EX_NO_EMAIL\":1,"
                        "\"EX_URGENT\":1,\"HP_MISSING\":1}");
    free(j);
}

/* §4: blank (null) compliance when nothing is in scope; empty database. */
static void json_null_compliance(void **state)
{
    fx *f = *state;
    char b[256];
    char *j = json_of(f, NULL);
    assert_string_equal(jtype(f, j, "$.compliance_pct", b, sizeof b), "null");
    assert_int_equal(jnum(f, j, "$.tickets"), 0);
    assert_int_equal(jnum(f, j, "$.rows_read"), 0);
    assert_string_equal(jget(f, j, "$.by_cso", b, sizeof b), "[]");
    assert_string_equal(jget(f, j, "$.files", b, sizeof b), "[]");
    assert_string_equal(jget(f, j, "$.periods", b, sizeof b), "[]");
    assert_string_equal(jget(f, j, "$.codes", b, sizeof b), "{}");
    free(j);
    add_result(f, "1", "2026-10", "Budi", "out_of_scope", "");
    j = json_of(f, NULL);
    assert_string_equal(jtype(f, j, "$.compliance_pct", b, sizeof b), "null");
    assert_int_equal(jnum(f, j, "$.out_of_scope"), 1);
    free(j);
    /* a period with no ticket at all */
    j = json_of(f, "2025-01");
    assert_int_equal(jnum(f, j, "$.tickets"), 0);
    assert_string_equal(jtype(f, j, "$.compliance_pct", b, sizeof b), "null");
    free(j);
}

/* §4: two decimals, never whole percents; 100 and 0 are numbers. */
static void json_rounding(void **state)
{
    fx *f = *state;
    char b[256];
    add_result(f, "1", "2026-10", "A", "compliant", "");
    add_result(f, "2", "2026-10", "A", "exempt", "EX_ANGRY");
    add_result(f, "3", "2026-10", "A", "violation", "HP_MISSING");
    add_result(f, "4", "2026-10", "B", "compliant", "");
    add_result(f, "5", "2026-10", "C", "violation", "HP_MISSING");
    char *j = json_of(f, "2026-10");
    assert_string_equal(jget(f, j, "$.by_cso[0].cso", b, sizeof b), "C");
    assert_int_equal(jnum(f, j, "$.by_cso[0].compliance_pct"), 0);
    assert_string_equal(jtype(f, j, "$.by_cso[0].compliance_pct", b, sizeof b),
                        "real");
    assert_string_equal(jget(f, j, "$.by_cso[1].compliance_pct", b, sizeof b),
                        "66.67");
    assert_int_equal(jnum(f, j, "$.by_cso[2].compliance_pct"), 100);
    assert_string_equal(jget(f, j, "$.compliance_pct", b, sizeof b), "60.0");
    free(j);
}

static void centi_table(void **state)
{
    (void)state;
    static const struct {
        unsigned long long n, d;
        long long want;
    } t[] = {
        {2, 3, 6667},
        {1, 3, 3333},
        {1, 8, 1250},
        {107, 4000, 268}, /* 2.675: half up, not binary-float 2.67 */
        {0, 5, 0},
        {5, 5, 10000},
        {1, 200000, 0},
        {1, 20000, 1},            /* 0.005 -> 0.01 */
        {999999, 1000000, 10000}, /* 99.9999 -> 100.00 */
        {99989, 100000, 9999},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        assert_int_equal(summary_centi(t[i].n, t[i].d), t[i].want);
}

/* Names with quotes, backslashes, line breaks, control characters and
 * bytes that are not UTF-8: valid JSON, and valid names round-trip. */
static const char *const hostile[] = {
    "Ana \"the\" CSO",
    "back\\slash\\",
    "line\nbreak\r\ttab",
    "ctl\x01\x1f",
    "</testcase><x a='1'>&amp;",
    "D\xc3\xa9wi \xf0\x9f\x98\x80",
    "\xe2\x80\xa8",
};

static void json_hostile_names(void **state)
{
    fx *f = *state;
    char b[512];
    char id[16];
    size_t n = sizeof hostile / sizeof hostile[0];
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "h%zu", i);
        add_result(f, id, "2026-10", hostile[i], "violation", "HP_MISSING");
        char sha[16];
        snprintf(sha, sizeof sha, "s%zu", i);
        add_import(f, hostile[i], sha, "crm", 1, 1, 0);
    }
    add_result(f, "bad", "2026-10",
               "a\xff\xfe"
               "b",
               "compliant", "");
    add_result(f, "bad2", "2026-10", "x\xc0\x80\xed\xa0\x80\xe2\x82",
               "compliant", "");
    add_result_n(f, "nul", "2026-10", "nul\0byte", 8, "compliant", "");
    add_import(f, "file\xff.csv", "sbad", "crm", 1, 1, 0);
    char *j = json_of(f, NULL);
    /* every valid name is found back exactly, in by_cso and in files */
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = NULL;
        assert_int_equal(
            sqlite3_prepare_v2(f->db,
                               "SELECT (SELECT count(*) FROM json_each(?1, "
                               "'$.by_cso') WHERE json_extract(value, "
                               "'$.cso') = ?2), (SELECT count(*) FROM "
                               "json_each(?1, '$.files') WHERE "
                               "json_extract(value, '$.file') = ?2)",
                               -1, &st, NULL),
            SQLITE_OK);
        assert_int_equal(sqlite3_bind_text(st, 1, j, -1, SQLITE_STATIC),
                         SQLITE_OK);
        assert_int_equal(
            sqlite3_bind_text(st, 2, hostile[i], -1, SQLITE_STATIC),
            SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        if (sqlite3_column_int(st, 0) != 1 || sqlite3_column_int(st, 1) != 1)
            fail_msg("name %zu did not round-trip", i);
        sqlite3_finalize(st);
    }
    /* invalid bytes become U+FFFD, one per byte */
    assert_int_equal(
        jq_int(f, j,
               "SELECT count(*) FROM json_each(?1, '$.by_cso') WHERE "
               "json_extract(value, '$.cso') = "
               "'a' || char(65533) || char(65533) || 'b'"),
        1);
    assert_int_equal(
        jq_int(f, j,
               "SELECT count(*) FROM json_each(?1, '$.files') WHERE "
               "json_extract(value, '$.file') = "
               "'file' || char(65533) || '.csv'"),
        1);
    assert_non_null(strstr(j, "nul\\u0000byte"));
    assert_int_equal(jnum(f, j, "$.tickets"), (long long)n + 3);
    (void)b;
    free(j);
}

/* The exit rule of check: below --fail-under (rounded), over
 * --max-rejected; with --fail-under, nothing in scope to judge fails
 * (SPEC §2), whatever the threshold. */
static void check_fails_thresholds(void **state)
{
    fx *f = *state;
    char why[300];
    add_import(f, "crm.csv", "aa", "crm", 4, 3, 1);
    add_result(f, "1", "2026-10", "A", "compliant", "");
    add_result(f, "2", "2026-10", "A", "exempt", "EX_ANGRY");
    add_result(f, "3", "2026-10", "A", "violation", "HP_MISSING");
    summary_totals t;
    assert_int_equal(
        summary_get_totals(f->db, NULL, &t, f->err, sizeof f->err), TA_OK);
    assert_int_equal(t.tickets, 3);
    assert_int_equal(t.compliant, 1);
    assert_int_equal(t.exempt, 1);
    assert_int_equal(t.violation, 1);
    assert_int_equal(t.files, 1);
    assert_int_equal(t.rows_read, 4);
    assert_int_equal(t.rows_rejected, 1);
    assert_true(t.has_compliance);
    assert_int_equal(t.compliance_centi, 6667);
    assert_true(t.compliance_pct == 66.67);

    assert_int_equal(summary_check_fails(&t, 0, 0, 0, 0, why, sizeof why), 0);
    assert_string_equal(why, "");
    assert_int_equal(summary_check_fails(&t, 1, 66.67, 0, 0, why, sizeof why),
                     0);
    assert_int_equal(summary_check_fails(&t, 1, 66.66, 0, 0, why, sizeof why),
                     0);
    assert_int_equal(summary_check_fails(&t, 1, 66.68, 0, 0, why, sizeof why),
                     1);
    assert_string_equal(why, "compliance 66.67% is below --fail-under 66.68%");
    /* 66.666...% rounds to 66.67, so 66.67 passes though the exact value
     * is below it: the figure shown is the figure judged */
    assert_int_equal(summary_check_fails(&t, 1, 90, 0, 0, NULL, 0), 1);
    assert_int_equal(summary_check_fails(&t, 1, 0, 0, 0, why, sizeof why), 0);
    assert_int_equal(summary_check_fails(&t, 0, 0, 1, 1, why, sizeof why), 0);
    assert_int_equal(summary_check_fails(&t, 0, 0, 1, 0, why, sizeof why), 1);
    assert_string_equal(why, "1 rows rejected, more than --max-rejected 0");
    assert_int_equal(summary_check_fails(&t, 1, 90, 1, 0, why, sizeof why), 1);
    assert_string_equal(why,
                        "compliance 66.67% is below --fail-under 90%; 1 rows "
                        "rejected, more than --max-rejected 0");
    char tiny[8];
    assert_int_equal(summary_check_fails(&t, 1, 90, 1, 0, tiny, sizeof tiny),
                     1);
    assert_int_equal(strlen(tiny), 7);

    /* nothing in scope: any --fail-under fails, 0 included; without it
     * nothing fails but --max-rejected */
    assert_int_equal(
        summary_get_totals(f->db, "2025-01", &t, f->err, sizeof f->err),
        TA_OK);
    assert_false(t.has_compliance);
    assert_int_equal(t.tickets, 0);
    assert_int_equal(summary_check_fails(&t, 1, 100, 0, 0, why, sizeof why),
                     1);
    assert_non_null(strstr(why, "nothing in scope to judge"));
    assert_int_equal(summary_check_fails(&t, 1, 0, 0, 0, why, sizeof why), 1);
    assert_int_equal(summary_check_fails(&t, 0, 0, 0, 0, why, sizeof why), 0);
    assert_int_equal(summary_check_fails(&t, 0, 0, 1, 0, why, sizeof why), 1);
    assert_string_equal(why, "1 rows rejected, more than --max-rejected 0");
    /* 100% passes --fail-under 100 */
    summary_totals full = {.compliant = 2,
                           .has_compliance = 1,
                           .compliance_centi = 10000,
                           .compliance_pct = 100};
    assert_int_equal(summary_check_fails(&full, 1, 100, 0, 0, NULL, 0), 0);
}

/* The human summary: totals, compliance, the worst N CSOs, and no
 * terminal control character from the data. */
static void text_summary(void **state)
{
    fx *f = *state;
    fill_basic(f);
    add_result(f, "9", "2026-10", "Evil\x1b[2J\x07\xc2\x9b", "violation",
               "HP_MISSING");
    char *s = NULL;
    assert_int_equal(summary_text(f->db, NULL, 2, &s, f->err, sizeof f->err),
                     TA_OK);
    assert_non_null(s);
    assert_non_null(strstr(s, "all periods (2026-09 to 2026-10, 2 months)"));
    assert_non_null(strstr(s, "rows read 15, imported 13, rejected 2"));
    assert_non_null(strstr(s, "tickets: 9: 2 compliant, 2 exempt, 4 "
                              "violations, 1 out of scope"));
    assert_non_null(strstr(s, "compliance: 50.00% (4 of 8 in scope)"));
    assert_non_null(strstr(s, "worst CSOs:\n"));
    assert_non_null(strstr(s, "    0.00%  Evil\xef\xbf\xbd[2J"));
    assert_non_null(strstr(s, " 50.00%  (unknown) (1 violations of 2"));
    assert_null(strstr(s, "Budi")); /* only the worst 2 */
    assert_null(strchr(s, '\x1b'));
    assert_null(strchr(s, '\x07'));
    assert_null(strstr(s, "\xc2\x9b"));
    free(s);

    assert_int_equal(
        summary_text(f->db, "2026-10", 10, &s, f->err, sizeof f->err), TA_OK);
    assert_non_null(strstr(s, "period 2026-10\n"));
    assert_non_null(strstr(s, "Budi"));
    assert_null(strstr(s, "(unknown)")); /* only in 2026-09 */
    free(s);

    db_close(f->db);
    assert_int_equal(db_open(":memory:", &f->db, f->err, sizeof f->err),
                     TA_OK);
    assert_int_equal(summary_text(f->db, NULL, 5, &s, f->err, sizeof f->err),
                     TA_OK);
    assert_non_null(strstr(s, "compliance: none (no ticket in scope)"));
    assert_null(strstr(s, "worst"));
    free(s);
}

/* A very long CSO name is cut in the text summary, at a character
 * boundary, with an ellipsis: it must not flood a CI log. */
static void text_summary_long_name_cut(void **state)
{
    fx *f = *state;
    char name[2001];
    for (size_t i = 0; i < 1000; i++) /* "é" a thousand times */
        memcpy(name + 2 * i, "\xc3\xa9", 2);
    name[2000] = '\0';
    add_result(f, "1", "2026-10", name, "violation", "HP_MISSING");
    char *s = NULL;
    assert_int_equal(summary_text(f->db, NULL, 5, &s, f->err, sizeof f->err),
                     TA_OK);
    const char *p = strstr(s, "\xc3\xa9");
    assert_non_null(p);
    const char *e = strstr(p, "\xe2\x80\xa6 (1 violations");
    assert_non_null(e);
    assert_int_equal((size_t)(e - p), 80); /* 40 whole characters */
    free(s);
}

/* Counts of a substring in a file. */
static int count_in(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static int files_in(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    if (d)
        closedir(d);
    return n;
}

/* JUnit: one test case per CSO, a failure under the threshold, skipped
 * when nothing in scope; read back by an XML parser. */
static void junit_cases_and_failures(void **state)
{
    fx *f = *state;
    fill_basic(f);
    add_result(f, "9", "2026-10", "Zed", "out_of_scope", "");
    char path[700], cmd[2000];
    snprintf(path, sizeof path, "%s/junit.xml", f->tmp);
    assert_int_equal(
        junit_write(f->db, NULL, 60.0, path, f->err, sizeof f->err), TA_OK);
    size_t len = 0;
    char *x = tu_read_file(path, &len);
    assert_non_null(x);
    /* "", Sari (50.00) fail; Budi (66.67) passes; Zed skipped */
    assert_int_equal(count_in(x, "<testcase "), 4);
    assert_int_equal(count_in(x, "<failure "), 2);
    assert_int_equal(count_in(x, "<skipped "), 1);
    assert_non_null(strstr(x, "name=\"(unknown)\""));
    assert_non_null(strstr(x, "classname=\"ticket-audit.compliance\""));
    assert_non_null(strstr(x, "tests=\"4\" failures=\"2\""));
    assert_non_null(strstr(x, "compliance 50.00% is below 60.00%"));
    free(x);
    snprintf(
        cmd, sizeof cmd,
        PY " -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); "
           "t = d.getElementsByTagName(\"testcase\"); "
           "assert len(t) == 4, len(t); "
           "assert len(d.getElementsByTagName(\"failure\")) == 2; "
           "assert [c.getAttribute(\"name\") for c in t] == "
           "[\"(unknown)\", \"Sari\", \"Budi\", \"Zed\"]' '%s'",
        path);
    assert_int_equal(system(cmd), 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0644);
    assert_int_equal(files_in(f->tmp), 1); /* no temporary file left */

    /* the same threshold as --fail-under: 66.67 passes, 66.68 fails */
    assert_int_equal(
        junit_write(f->db, "2026-10", 66.67, path, f->err, sizeof f->err),
        TA_OK);
    x = tu_read_file(path, &len);
    assert_int_equal(count_in(x, "<failure "), 0);
    free(x);
    assert_int_equal(
        junit_write(f->db, "2026-10", 66.68, path, f->err, sizeof f->err),
        TA_OK);
    x = tu_read_file(path, &len);
    assert_int_equal(count_in(x, "<failure "), 1);
    assert_non_null(
        strstr(x, "<property name=\"period\" value=\"2026-10\"/>"));
    free(x);
}

static void junit_hostile_names(void **state)
{
    fx *f = *state;
    size_t n = sizeof hostile / sizeof hostile[0];
    char id[16];
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "h%zu", i);
        add_result(f, id, "2026-10", hostile[i], "violation", "HP_MISSING");
    }
    add_result(f, "bad", "2026-10",
               "a\xff\xfe"
               "b\xef\xbf\xbe",
               "violation", "");
    add_result_n(f, "nul", "2026-10", "nul\0byte", 8, "violation", "");
    char path[700], cmd[2000];
    snprintf(path, sizeof path, "%s/j.xml", f->tmp);
    assert_int_equal(
        junit_write(f->db, NULL, 90.0, path, f->err, sizeof f->err), TA_OK);
    /* names that XML can hold come back exactly (attribute values keep
     * TAB/LF/CR because they are written as character references) */
    snprintf(
        cmd, sizeof cmd,
        PY " -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); "
           "names = [c.getAttribute(\"name\") for c in "
           "d.getElementsByTagName(\"testcase\")]; "
           "want = {\"Ana \\\"the\\\" CSO\", \"back\\\\slash\\\\\", "
           "\"line\\nbreak\\r\\ttab\", \"</testcase><x a=\\x271\\x27>&amp;\", "
           "\"D\\u00e9wi \\U0001F600\", \"\\u2028\", "
           "\"ctl\\ufffd\\ufffd\", \"a\\ufffd\\ufffdb\\ufffd\", "
           "\"nul\\ufffdbyte\"}; "
           "assert set(names) == want, names; "
           "assert len(d.getElementsByTagName(\"failure\")) == %zu' '%s'",
        n + 2, path);
    assert_int_equal(system(cmd), 0);
}

/* An output that cannot be created: TA_E_CANTCREAT naming the file, and
 * nothing left behind; a directory in the way is not replaced. */
static void junit_unwritable(void **state)
{
    fx *f = *state;
    fill_basic(f);
    char path[700];
    snprintf(path, sizeof path, "%s/no/such/dir/j.xml", f->tmp);
    assert_int_equal(
        junit_write(f->db, NULL, 90.0, path, f->err, sizeof f->err),
        TA_E_CANTCREAT);
    assert_non_null(strstr(f->err, path));
    assert_non_null(strstr(f->err, "cannot create"));

    snprintf(path, sizeof path, "%s/adir", f->tmp);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(
        junit_write(f->db, NULL, 90.0, path, f->err, sizeof f->err),
        TA_E_CANTCREAT);
    assert_non_null(strstr(f->err, path));
    assert_int_equal(files_in(f->tmp), 1); /* only adir: no temp file */
}

/* A database error is reported, not hidden: TA_E_IO with a message. */
static void db_error_reported(void **state)
{
    fx *f = *state;
    assert_int_equal(db_exec(f->db, "DROP VIEW audit_results", "drop", f->err,
                             sizeof f->err),
                     TA_OK);
    char *out = (char *)1;
    summary_totals t;
    assert_int_equal(summary_json(f->db, NULL, &out, f->err, sizeof f->err),
                     TA_E_IO);
    assert_null(out);
    assert_non_null(strstr(f->err, "audit_results"));
    assert_int_equal(
        summary_get_totals(f->db, NULL, &t, f->err, sizeof f->err), TA_E_IO);
    assert_int_equal(summary_text(f->db, NULL, 3, &out, f->err, sizeof f->err),
                     TA_E_IO);
    char path[700];
    snprintf(path, sizeof path, "%s/j.xml", f->tmp);
    assert_int_equal(
        junit_write(f->db, NULL, 90.0, path, f->err, sizeof f->err), TA_E_IO);
    assert_int_equal(files_in(f->tmp), 0);
}

/* A file database (as `run --json` reads it) gives the same JSON. */
static void json_from_file_db(void **state)
{
    fx *f = *state;
    char path[700];
    snprintf(path, sizeof path, "%s/t.db", f->tmp);
    sqlite3 *db = NULL;
    assert_int_equal(db_open(path, &db, f->err, sizeof f->err), TA_OK);
    sqlite3 *mem = f->db;
    f->db = db;
    fill_basic(f);
    char *j = json_of(f, NULL);
    f->db = mem;
    db_close(db);
    assert_int_equal(jnum(f, j, "$.tickets"), 8);
    free(j);
}

/* Signals and QA decisions on fill_basic's October: a reused contact
 * entered by Budi and Sari, an outlier Budi, two mismatches whose APKT
 * side is Sari's (one with Budi's CRM ticket); Budi's violation
 * overturned, his exemption upheld, Sari's compliant ticket decided on
 * an older fingerprint (stale). */
static void fill_signals_and_reviews(fx *f)
{
    fill_basic(f);
    char *e = NULL;
    int rc = sqlite3_exec(
        f->db,
        "INSERT INTO signals(period, kind, contact_kind, contact, customers,"
        " tickets, detail) VALUES ('2026-10', 'reused_contact', 'hp',"
        " '081234567890', 6, 9, '{\"csos\":[{\"cso\":\"Budi\",\"tickets\":8},"
        "{\"cso\":\"Sari\",\"tickets\":1}]}');"
        "INSERT INTO signals(period, kind, cso, tickets, rate, team_rate,"
        " threshold, detail) VALUES ('2026-10', 'exemption_outlier', 'Budi',"
        " 3, 33.3, 10, 20, '{\"codes\":{\"EX_ANGRY\":1},\"exempt\":1}');"
        "INSERT INTO signals(period, kind, cso, apkt_ticket, crm_ticket,"
        " detail) VALUES ('2026-10', 'cross_system_mismatch', 'Sari', 'A1',"
        " '1', '{\"crm_cso\":\"Budi\",\"fields\":[\"hp\"]}'),"
        " ('2026-10', 'cross_system_mismatch', 'Sari', 'A2', '4',"
        " '{\"crm_cso\":\"Sari\",\"fields\":[\"email\"]}'),"
        " ('2026-09', 'cross_system_mismatch', '', 'A3', '7',"
        " '{\"crm_cso\":\"\",\"fields\":[\"email\"]}');"
        "INSERT INTO reviews(source, ticket_id, fingerprint, status,"
        " decision, file, row, decided_at, log_id) VALUES"
        " ('crm', '2', '', 'violation', 'overturned', 'r.xlsx', 2, 'x', 1),"
        " ('crm', '3', '', 'exempt', 'upheld', 'r.xlsx', 3, 'x', 2),"
        " ('crm', '4', 'older', 'compliant', 'upheld', 'r.xlsx', 4, 'x', 3);",
        NULL, NULL, &e);
    if (rc != SQLITE_OK)
        fail_msg("%s", e);
}

/* SPEC §5 --json: by_cso counts each signal naming the CSO (each signal
 * once) and has compliance after review; 'reviewed' counts the decisions
 * (upheld + overturned + stale = decisions). */
static void json_signals_and_reviewed(void **state)
{
    fx *f = *state;
    char b[200];
    fill_basic(f);
    /* no decision yet: the reviewed figure is compliance, counts zero */
    char *j = json_of(f, "2026-10");
    assert_string_equal(jget(f, j, "$.by_cso[0].cso", b, sizeof b), "Budi");
    assert_string_equal(
        jget(f, j, "$.by_cso[0].compliance_pct_reviewed", b, sizeof b),
        "66.67");
    assert_int_equal(jnum(f, j, "$.by_cso[0].reused_contacts"), 0);
    assert_int_equal(jnum(f, j, "$.reviewed.decisions"), 0);
    assert_int_equal(jnum(f, j, "$.reviewed.stale"), 0);
    assert_string_equal(jget(f, j, "$.reviewed.compliance_pct", b, sizeof b),
                        "75.0");
    free(j);

    db_close(f->db);
    assert_int_equal(db_open(":memory:", &f->db, f->err, sizeof f->err),
                     TA_OK);
    fill_signals_and_reviews(f);
    j = json_of(f, "2026-10");
    /* Budi: 66.67 -> 100 after review, first; then Sari */
    assert_string_equal(jget(f, j, "$.by_cso[0].cso", b, sizeof b), "Budi");
    assert_string_equal(jget(f, j, "$.by_cso[0].compliance_pct", b, sizeof b),
                        "66.67");
    assert_string_equal(
        jget(f, j, "$.by_cso[0].compliance_pct_reviewed", b, sizeof b),
        "100.0");
    assert_int_equal(jnum(f, j, "$.by_cso[0].reused_contacts"), 1);
    assert_int_equal(jnum(f, j, "$.by_cso[0].exemption_outliers"), 1);
    assert_int_equal(jnum(f, j, "$.by_cso[0].cross_system_mismatches"), 1);
    assert_string_equal(jget(f, j, "$.by_cso[1].cso", b, sizeof b), "Sari");
    assert_int_equal(jnum(f, j, "$.by_cso[1].reused_contacts"), 1);
    assert_int_equal(jnum(f, j, "$.by_cso[1].exemption_outliers"), 0);
    assert_int_equal(jnum(f, j, "$.by_cso[1].cross_system_mismatches"), 2);
    assert_string_equal(
        jget(f, j, "$.by_cso[1].compliance_pct_reviewed", b, sizeof b),
        "100.0");
    assert_int_equal(jnum(f, j, "$.reviewed.decisions"), 3);
    assert_int_equal(jnum(f, j, "$.reviewed.upheld"), 1);
    assert_int_equal(jnum(f, j, "$.reviewed.overturned"), 1);
    assert_int_equal(jnum(f, j, "$.reviewed.stale"), 1);
    assert_string_equal(jget(f, j, "$.compliance_pct", b, sizeof b), "75.0");
    assert_string_equal(jget(f, j, "$.reviewed.compliance_pct", b, sizeof b),
                        "100.0");
    free(j);

    /* all periods: the September mismatch counts for the empty CSO */
    j = json_of(f, NULL);
    assert_string_equal(jget(f, j, "$.by_cso[0].cso", b, sizeof b), "");
    assert_int_equal(jnum(f, j, "$.by_cso[0].cross_system_mismatches"), 1);
    assert_int_equal(jnum(f, j, "$.reviewed.decisions"), 3);
    free(j);

    /* the same figures through summary_get_totals */
    summary_totals t;
    assert_int_equal(
        summary_get_totals(f->db, "2026-10", &t, f->err, sizeof f->err),
        TA_OK);
    assert_int_equal(t.reused_contacts, 1);
    assert_int_equal(t.exemption_outliers, 1);
    assert_int_equal(t.cross_system_mismatches, 2);
    assert_int_equal(t.decisions, 3);
    assert_int_equal(t.upheld + t.overturned + t.stale, t.decisions);
    assert_int_equal(t.compliance_centi, 7500);
    assert_int_equal(t.reviewed_centi, 10000);
}

/* The text summary counts the signals, marks the CSOs that have some
 * among the worst, lists the others, and shows compliance after review
 * once decisions exist (issue 15 item 1). */
static void text_summary_signals(void **state)
{
    fx *f = *state;
    fill_signals_and_reviews(f);
    char *s = NULL;
    assert_int_equal(
        summary_text(f->db, "2026-10", 1, &s, f->err, sizeof f->err), TA_OK);
    assert_non_null(strstr(s, "signals: 1 reused contact, 1 exemption "
                              "outlier, 2 cross-system mismatches\n"));
    assert_non_null(strstr(s, "compliance after review: 100.00% (3 QA "
                              "decisions: 1 upheld, 1 overturned, 1 "
                              "stale)\n"));
    assert_non_null(strstr(s, "worst CSOs:\n   66.67%  Budi (1 violations "
                              "of 3 in scope)  ! signals: 1 reused contact, "
                              "1 exemption outlier, 1 cross-system "
                              "mismatch\n"));
    /* Sari, at 100%, is not among the worst 1 but has signals */
    assert_non_null(strstr(s, "other CSOs with signals:\n  100.00%  Sari "
                              "(0 violations of 1 in scope)  ! signals: 1 "
                              "reused contact, 2 cross-system "
                              "mismatches\n"));
    free(s);
    /* without signals or decisions: one line says so, no mark */
    assert_int_equal(
        summary_text(f->db, "2026-08", 5, &s, f->err, sizeof f->err), TA_OK);
    assert_non_null(strstr(s, "signals: none\n"));
    assert_null(strstr(s, "after review"));
    assert_null(strstr(s, "!"));
    free(s);
}

/* JUnit: a CSO with signals gets them as properties and in its output,
 * and still passes (signals judge no ticket). */
static void junit_signals_not_failures(void **state)
{
    fx *f = *state;
    fill_signals_and_reviews(f);
    char path[700];
    snprintf(path, sizeof path, "%s/junit.xml", f->tmp);
    assert_int_equal(
        junit_write(f->db, "2026-10", 50.0, path, f->err, sizeof f->err),
        TA_OK);
    size_t len = 0;
    char *x = tu_read_file(path, &len);
    assert_non_null(x);
    assert_int_equal(count_in(x, "<failure "), 0);
    assert_int_equal(count_in(x, "<property name=\"reused_contacts\""), 2);
    assert_non_null(strstr(x, "<property name=\"cross_system_mismatches\" "
                              "value=\"2\"/>"));
    assert_non_null(strstr(x, "; signals: 1 reused contacts, 1 exemption "
                              "outliers, 1 cross-system mismatches"));
    free(x);
    char cmd[1000];
    snprintf(cmd, sizeof cmd,
             PY " -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "
                "'%s'",
             path);
    assert_int_equal(system(cmd), 0);
}

/* The months that hold tickets, for the message of a --period without
 * any (SPEC §2); listed only when it is missing. */
static void months_with_tickets(void **state)
{
    fx *f = *state;
    int has = -1;
    char *m = (char *)"x";
    assert_int_equal(
        summary_months(f->db, NULL, &has, &m, f->err, sizeof f->err), TA_OK);
    assert_int_equal(has, 0);
    assert_string_equal(m, "");
    free(m);
    fill_basic(f);
    assert_int_equal(
        summary_months(f->db, "2026-10", &has, &m, f->err, sizeof f->err),
        TA_OK);
    assert_int_equal(has, 1);
    assert_null(m);
    assert_int_equal(
        summary_months(f->db, "2026-11", &has, &m, f->err, sizeof f->err),
        TA_OK);
    assert_int_equal(has, 0);
    assert_string_equal(m, "2026-09, 2026-10");
    free(m);
}


/* ---- the count kept, and the count fed by the import -------------------- */

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* The figures are counted once and kept, but never past a change: one
 * of this connection, one rolled back, one committed by another. */
static void counted_again_after_a_change(void **state)
{
    fx *f = *state;
    char path[700];
    snprintf(path, sizeof path, "%s/c.db", f->tmp);
    sqlite3 *db = NULL, *other = NULL;
    assert_int_equal(db_open(path, &db, f->err, sizeof f->err), TA_OK);
    sqlite3 *mem = f->db;
    f->db = db;
    fill_basic(f);
    char *j = json_of(f, NULL);
    assert_int_equal(jnum(f, j, "$.compliant"), 2);
    free(j);
    /* this connection */
    exec_ok(db, "UPDATE tickets SET status = 'compliant', codes = '' "
                "WHERE ticket_id = '2'");
    j = json_of(f, NULL);
    assert_int_equal(jnum(f, j, "$.compliant"), 3);
    free(j);
    /* counted inside a transaction rolled back after */
    exec_ok(db, "BEGIN");
    add_result(f, "9", "2026-08", "Tono", "violation", "HP_MISSING");
    j = json_of(f, NULL);
    assert_int_equal(jnum(f, j, "$.tickets"), 9);
    free(j);
    exec_ok(db, "ROLLBACK");
    j = json_of(f, NULL);
    assert_int_equal(jnum(f, j, "$.tickets"), 8);
    free(j);
    /* another connection's commit */
    assert_int_equal(db_open(path, &other, f->err, sizeof f->err), TA_OK);
    exec_ok(other, "DELETE FROM tickets WHERE ticket_id = '1'");
    db_close(other);
    j = json_of(f, NULL);
    assert_int_equal(jnum(f, j, "$.tickets"), 7);
    assert_int_equal(jnum(f, j, "$.compliant"), 2);
    free(j);
    f->db = mem;
    db_close(db);
}

/* A feed given fill_basic's tickets as stored. */
static summary_feed *feed_basic(void)
{
    summary_feed *sf = summary_feed_new();
    assert_non_null(sf);
    static const char *const rows[][4] = {
        {"2026-10", "Budi", "compliant", ""},
        {"2026-10", "Budi", "violation", "EMAIL_MISSING HP_INVALID"},
        {"2026-10", "Budi", "exempt", "EX_ANGRY"},
        {"2026-10", "Sari", "compliant", ""},
        {"2026-10", "Sari", "out_of_scope", ""},
        {"2026-09", "Sari", "violation", "EMAIL_MISSING"},
        {"2026-09", "", "violation",
         "EMAIL_PLACEHOLDER EXEMPTION_INVALID HP_MISSING"},
        {"2026-09", "", "exempt", "EX_NO_EMAIL EX_URGENT"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        summary_feed_count(sf, 0, rows[i][0], 7, rows[i][1],
                           strlen(rows[i][1]), rows[i][2], rows[i][3]);
    return sf;
}

/* The import's counts stand for the scan: the same JSON, a ticket
 * replaced counting nowhere (its period and CSO gone), and no scan while
 * they hold; a feed past its groups gives up and the figures scan. */
static void fed_counts_stand_for_the_scan(void **state)
{
    fx *f = *state;
    fill_basic(f);
    char *scanned = json_of(f, NULL);

    /* what the import saw: fill_basic's tickets, and one more it stored
     * and then saw replaced by a later row (one of fill_basic's) */
    summary_feed *sf = feed_basic();
    summary_feed_count(sf, 0, "2026-08", 7, "Ghost", 5, "violation",
                       "HP_MISSING");
    summary_feed_count(sf, 1, "2026-08", 7, "Ghost", 5, "violation",
                       "HP_MISSING");
    assert_int_equal(summary_feed_use(sf, f->db, f->err, sizeof f->err),
                     TA_OK);
    summary_feed_free(sf);
    char *fed = json_of(f, NULL);
    assert_string_equal(fed, scanned);
    free(fed);

    /* no scan while the counts hold: a feed that missed a ticket shows
     * its own figures, until the database changes */
    sf = summary_feed_new();
    assert_non_null(sf);
    summary_feed_count(sf, 0, "2026-10", 7, "Budi", 4, "compliant", "");
    assert_int_equal(summary_feed_use(sf, f->db, f->err, sizeof f->err),
                     TA_OK);
    summary_feed_free(sf);
    summary_totals t;
    assert_int_equal(summary_get_totals(f->db, NULL, &t, f->err,
                                        sizeof f->err),
                     TA_OK);
    assert_int_equal(t.tickets, 1);
    exec_ok(f->db, "UPDATE tickets SET cso = cso WHERE ticket_id = '1'");
    assert_int_equal(summary_get_totals(f->db, NULL, &t, f->err,
                                        sizeof f->err),
                     TA_OK);
    assert_int_equal(t.tickets, 8);

    /* past the groups a feed keeps: given up, the figures scan */
    sf = feed_basic();
    char cso[16];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(cso, sizeof cso, "CSO %d", i);
        summary_feed_count(sf, 0, "2026-10", 7, cso, (size_t)n, "compliant",
                           "");
    }
    assert_int_equal(summary_feed_use(sf, f->db, f->err, sizeof f->err),
                     TA_OK);
    summary_feed_free(sf);
    fed = json_of(f, NULL);
    assert_string_equal(fed, scanned);
    free(fed);
    free(scanned);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(json_totals_match_sql),
        T(json_many_groups),
        T(json_by_cso_worst_first),
        T(json_codes_counted),
        T(json_one_period),
        T(json_null_compliance),
        T(json_rounding),
        T(centi_table),
        T(json_hostile_names),
        T(check_fails_thresholds),
        T(text_summary),
        T(text_summary_long_name_cut),
        T(junit_cases_and_failures),
        T(junit_hostile_names),
        T(junit_unwritable),
        T(db_error_reported),
        T(json_from_file_db),
        T(json_signals_and_reviewed),
        T(text_summary_signals),
        T(junit_signals_not_failures),
        T(months_with_tickets),
        T(counted_again_after_a_change),
        T(fed_counts_stand_for_the_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
