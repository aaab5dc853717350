/*
 * test_cso_order.c — one CSO order for every output (summary.h,
 * summary_cso_cmp): the workbook's Per CSO sheet (read back with
 * openpyxl), --json's by_cso, the JUnit test cases and the text summary's
 * worst CSOs list the same CSOs in the same order — worst compliance
 * first, CSOs with nothing in scope last, then most violations, then the
 * name in byte order — on data built for ties: equal compliance with
 * different violation counts, where the names alone would order them the
 * other way round.
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

#include "db.h"
#include "junit.h"
#include "report.h"
#include "summary.h"
#include "testutil.h"

#define MAXN 16

/* The expected order, and why each stands where it does. */
static const char *const want[] = {
    "Lima",  /* 2 of 6 = 33.33 %, 4 violations */
    "Kilo",  /* 1 of 3 = 33.33 %, 2 violations: fewer, so after Lima */
    "Beta",  /* 50 %, 2 violations */
    "Gamma", /* 50 %, 2 violations: the name decides, after Beta */
    "Alpha", /* 50 %, 1 violation: after both, whatever its name */
    "Delta", /* 75 % */
    "Aaron", /* nothing in scope: last, by name */
    "Omega",
};
#define NWANT (sizeof want / sizeof want[0])

typedef struct fx {
    char dir[512];
    sqlite3 *db;
    char err[2048];
} fx;

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

/* n tickets of cso with status in 2026-10. */
static void add(sqlite3 *db, const char *cso, const char *status, int n)
{
    static int next = 0;
    char sql[1024];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k "
             "WHERE i < %d) INSERT INTO tickets(source, ticket_id, import_id,"
             " line, date, period, cso, status, codes, category, email_state,"
             " hp_state, evidence, audit_id) SELECT 'crm', 'T%d-' || i, 1, 2,"
             " '2026-10-05', '2026-10', '%s', '%s', CASE '%s' WHEN "
             "'violation' THEN 'HP_MISSING' WHEN 'exempt' THEN 'EX_ANGRY' "
             "ELSE '' END, 'keluhan', 'valid', 'valid', '', 1 FROM k",
             n, next++, cso, status, status);
    exec(db, sql);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(tu_tmpdir(f->dir, sizeof f->dir), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/t.db", f->dir);
    assert_int_equal(db_open(path, &f->db, f->err, sizeof f->err), TA_OK);
    exec(f->db,
         "INSERT INTO imports(id, file, size, sha256, source, "
         "encoding, delimiter, header_line, rows_read, rows_imported, "
         "rows_rejected, imported_at, program_version) VALUES (1, 'crm.csv', 100, 'abc', 'crm',"
         " 'utf-8', ',', 1, 40, 40, 0, '2026-11-01T00:00:00Z', '0.1.0');"
         "INSERT INTO audits VALUES (1, 'import', '2026-11-01T00:00:00Z',"
         " NULL, 'default', '0.1.0', 40);");
    /* inserted in name order, so nothing but the sort can give want[] */
    add(f->db, "Aaron", "out_of_scope", 1);
    add(f->db, "Alpha", "compliant", 1);
    add(f->db, "Alpha", "violation", 1);
    add(f->db, "Beta", "compliant", 2);
    add(f->db, "Beta", "violation", 2);
    add(f->db, "Delta", "compliant", 3);
    add(f->db, "Delta", "violation", 1);
    add(f->db, "Gamma", "compliant", 1);
    add(f->db, "Gamma", "exempt", 1);
    add(f->db, "Gamma", "violation", 2);
    add(f->db, "Kilo", "compliant", 1);
    add(f->db, "Kilo", "violation", 2);
    add(f->db, "Lima", "compliant", 2);
    add(f->db, "Lima", "violation", 4);
    add(f->db, "Omega", "out_of_scope", 2);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    db_close(f->db);
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

static void assert_order(const char *what, char names[][64], size_t n)
{
    if (n != NWANT)
        fail_msg("%s: %zu CSOs, expected %zu", what, n, NWANT);
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], want[i]) != 0)
            fail_msg("%s: position %zu is %s, expected %s", what, i + 1,
                     names[i], want[i]);
}

/* The CSO names of by_cso, in order. */
static size_t json_order(fx *f, char names[][64])
{
    char *json = NULL;
    assert_int_equal(
        summary_json(f->db, "2026-10", &json, f->err, sizeof f->err), TA_OK);
    sqlite3_stmt *q = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(f->db,
                           "SELECT json_extract(value, '$.cso') FROM "
                           "json_each(?1, '$.by_cso') ORDER BY key",
                           -1, &q, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(q, 1, json, -1, SQLITE_STATIC),
                     SQLITE_OK);
    size_t n = 0;
    while (n < MAXN && sqlite3_step(q) == SQLITE_ROW)
        snprintf(names[n++], 64, "%s",
                 (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    free(json);
    return n;
}

/* The name="..." of each <testcase>, in order. */
static size_t junit_order(fx *f, char names[][64])
{
    char path[700];
    snprintf(path, sizeof path, "%s/j.xml", f->dir);
    assert_int_equal(
        junit_write(f->db, "2026-10", 90, path, f->err, sizeof f->err), TA_OK);
    char *xml = tu_read_file(path, NULL);
    assert_non_null(xml);
    size_t n = 0;
    const char *tag =
        "<testcase classname=\"ticket-audit.compliance\" name=\"";
    for (const char *p = strstr(xml, tag); p && n < MAXN; p = strstr(p, tag)) {
        p += strlen(tag);
        size_t k = strcspn(p, "\"");
        snprintf(names[n++], 64, "%.*s", (int)k, p);
    }
    free(xml);
    return n;
}

/* Column A of the Per CSO sheet from row 3 down (under the band and header rows). */
static size_t workbook_order(fx *f, char names[][64])
{
    char out[700], xlsx[800], txt[800], cmd[2400];
    snprintf(out, sizeof out, "%s/out", f->dir);
    report_options o = {.out_dir = out, .period = "2026-10"};
    assert_int_equal(
        report_write(f->db, &o, xlsx, sizeof xlsx, f->err, sizeof f->err),
        TA_OK);
    snprintf(txt, sizeof txt, "%s/dump.txt", f->dir);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/tests/xlsx_dump.py '%s' > '%s'",
             TA_SOURCE_DIR, xlsx, txt);
    assert_int_equal(system(cmd), 0);
    char *d = tu_read_file(txt, NULL);
    assert_non_null(d);
    size_t n = 0;
    for (; n < MAXN; n++) {
        char pat[64];
        snprintf(pat, sizeof pat, "\nC\tPer CSO\tA%zu\ts\t", n + 3);
        const char *p = strstr(d, pat);
        if (!p)
            break;
        p += strlen(pat);
        snprintf(names[n], 64, "%.*s", (int)strcspn(p, "\n"), p);
    }
    free(d);
    return n;
}

/* The worst CSOs of the text summary ("  33.33%  Lima (4 violations ...)");
 * it lists only CSOs with a compliance, so the two without come after. */
static size_t text_order(fx *f, char names[][64])
{
    char *text = NULL;
    assert_int_equal(
        summary_text(f->db, "2026-10", MAXN, &text, f->err, sizeof f->err),
        TA_OK);
    size_t n = 0;
    for (const char *p = strstr(text, "%  "); p && n < MAXN;
         p = strstr(p, "%  ")) {
        p += 3;
        size_t k = strcspn(p, " ");
        snprintf(names[n++], 64, "%.*s", (int)k, p);
    }
    free(text);
    /* the order of the rest is summary_each_cso's, as JUnit's */
    snprintf(names[n++], 64, "%s", "Aaron");
    snprintf(names[n++], 64, "%s", "Omega");
    return n;
}

typedef size_t (*order_fn)(fx *f, char names[][64]);

static void check_order(void **state, const char *what, order_fn get)
{
    fx *f = *state;
    char names[MAXN][64];
    size_t n = get(f, names);
    assert_order(what, names, n);
}

static void cso_order_json(void **state)
{
    check_order(state, "--json by_cso", json_order);
}

static void cso_order_junit(void **state)
{
    check_order(state, "JUnit", junit_order);
}

static void cso_order_workbook(void **state)
{
    check_order(state, "workbook Per CSO", workbook_order);
}

static void cso_order_text(void **state)
{
    check_order(state, "text summary", text_order);
}

/* The comparator itself, on the rules one by one. */
static void cso_order_cmp(void **state)
{
    (void)state;
    summary_cso a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.cso = "B";
    a.cso_len = 1;
    b.cso = "A";
    b.cso_len = 1;
    a.has_compliance = b.has_compliance = 1;
    a.compliance_centi = 5000;
    b.compliance_centi = 6000;
    assert_true(summary_cso_cmp(&a, &b) < 0); /* worse compliance first */
    b.compliance_centi = 5000;
    a.violation = 3;
    b.violation = 2;
    assert_true(summary_cso_cmp(&a, &b) < 0); /* then most violations */
    b.violation = 3;
    assert_true(summary_cso_cmp(&a, &b) > 0); /* then the name */
    b.has_compliance = 0;
    assert_true(summary_cso_cmp(&a, &b) < 0); /* nothing in scope: last */
    /* byte order, a prefix first; bytes as unsigned (é after z) */
    summary_cso x = a, y = a;
    x.cso = "ab";
    x.cso_len = 2;
    y.cso = "abc";
    y.cso_len = 3;
    assert_true(summary_cso_cmp(&x, &y) < 0);
    x.cso = "\xC3\xA9";
    y.cso = "z";
    y.cso_len = 1;
    assert_true(summary_cso_cmp(&x, &y) > 0);
    assert_int_equal(summary_cso_cmp(&x, &x), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(cso_order_json, setup, teardown),
        cmocka_unit_test_setup_teardown(cso_order_junit, setup, teardown),
        cmocka_unit_test_setup_teardown(cso_order_workbook, setup, teardown),
        cmocka_unit_test_setup_teardown(cso_order_text, setup, teardown),
        cmocka_unit_test(cso_order_cmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
