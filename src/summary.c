/*
 * summary.c — the --json object, the human summary and check's figures
 * (see summary.h), read from the imports and audit_results tables.
 *
 * The JSON is built by SQLite's own JSON functions, so quoting and control
 * characters are escaped by the same code that analysts' queries use. Two
 * things SQLite leaves to us: it copies bytes that are not valid UTF-8
 * into its output unchanged (and json_valid() still says 1), and a
 * subquery's result loses its "this is JSON" mark, so every nested
 * subquery is wrapped in json() to be embedded rather than re-quoted. The
 * finished text is therefore passed through utf8_clean (utf8.h): invalid
 * bytes can only sit inside JSON strings (all structure is ASCII), so
 * replacing them keeps the document valid.
 */
#include "summary.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "buf.h"
#include "mask.h"
#include "tally.h"
#include "utf8.h"

/* The signals naming each CSO in period ?1 (all when NULL), each signal
 * once per CSO (UNION): the CSOs of a reused contact's detail, an
 * outlier's CSO, both sides of a cross-system mismatch. Columns gcso,
 * gr (reused contacts), go (exemption outliers), gm (mismatches). */
#define SIG_CSO_SQL                                                           \
    "SELECT gcso, sum(k = 0) AS gr, sum(k = 1) AS go, sum(k = 2) AS gm "      \
    "FROM (SELECT s.id, json_extract(j.value, '$.cso') AS gcso, 0 AS k "      \
    "  FROM signals s, json_each(s.detail, '$.csos') j"                       \
    "  WHERE s.kind = 'reused_contact' AND (?1 IS NULL OR s.period = ?1)"     \
    " UNION SELECT id, cso, 1 FROM signals"                                   \
    "  WHERE kind = 'exemption_outlier' AND (?1 IS NULL OR period = ?1)"      \
    " UNION SELECT id, cso, 2 FROM signals"                                   \
    "  WHERE kind = 'cross_system_mismatch' AND (?1 IS NULL OR period = ?1)"  \
    " UNION SELECT id, json_extract(detail, '$.crm_cso'), 2 FROM signals"     \
    "  WHERE kind = 'cross_system_mismatch' AND (?1 IS NULL OR period = ?1)"  \
    "  AND json_extract(detail, '$.crm_cso') IS NOT NULL) GROUP BY gcso"

/* Counts by final_status (reviewed_results, SPEC §5 "Review") per CSO of
 * period ?1; nothing at all while ?4 (some decision is stored) is 0, so
 * that a database without decisions pays no join of a million tickets. */
#define REV_CSO_SQL                                                           \
    "SELECT cso AS rcso, sum(final_status = 'compliant') AS rc,"              \
    " sum(final_status = 'exempt') AS re,"                                    \
    " sum(final_status = 'violation') AS rvi FROM reviewed_results"           \
    " WHERE ?4 AND (?1 IS NULL OR period = ?1) GROUP BY cso"

/* The tickets counted by period, CSO, status and codes: a few thousand
 * rows where tickets has a million. Every figure below is a sum over it
 * (weighted by n), so that the JSON reads the tickets once rather than
 * once per figure, and without sorting them: count_groups (below) counts
 * them in a hash table (tally.h) into temp.summary_groups, whose rows
 * repeat a group only when the table was full (docs/benchmarks.md,
 * "Pipeline"). The CTE agg of the statements that use it. */
#define AGG_SQL                                                               \
    "agg AS MATERIALIZED (SELECT period, cso, status, codes, sum(n) AS n "    \
    "FROM temp.summary_groups GROUP BY period, cso, status, codes)"

/* Per-CSO counts and compliance (hundredths: ta_centi, which is
 * summary_centi) of period ?1, all periods when ?1 is NULL, with the
 * signals naming the CSO and its compliance after review (= its
 * compliance while ?4, "some decision is stored", is 0), from agg.
 * Shared by the JSON and by summary_each_cso so both list the same
 * figures in the same order. */
#define CSO_SQL                                                               \
    "SELECT b.cso AS cso, n, c, e, v, o, centi,"                              \
    " coalesce(g.gr, 0) AS reused, coalesce(g.go, 0) AS outliers,"            \
    " coalesce(g.gm, 0) AS mismatches,"                                       \
    " CASE WHEN rv.rcso IS NULL THEN centi"                                   \
    "  ELSE ta_centi(rv.rc + rv.re, rv.rc + rv.re + rv.rvi) END AS rcenti "   \
    "FROM (SELECT cso, n, c, e, v, o, ta_centi(c + e, c + e + v) AS centi "   \
    "FROM (SELECT cso, sum(n) AS n, sum((status = 'compliant') * n) AS c, "   \
    "sum((status = 'exempt') * n) AS e, sum((status = 'violation') * n) AS v, " \
    "sum((status = 'out_of_scope') * n) AS o FROM agg "                       \
    "WHERE ?1 IS NULL OR period = ?1 GROUP BY cso)) b "                       \
    "LEFT JOIN (" SIG_CSO_SQL ") g ON g.gcso = b.cso "                        \
    "LEFT JOIN (" REV_CSO_SQL ") rv ON rv.rcso = b.cso"
/* The one CSO order, in SQL: summary_cso_cmp below says the same in C
 * (the workbook sorts with it); tests/test_cso_order.c holds them to it. */
#define CSO_ORDER " ORDER BY centi IS NULL, centi, v DESC, cso"

/* Compliance in hundredths per CSO (columns <x>cso, <x>centi) in the
 * one period the SQL expression p gives; nothing when p is NULL. */
#define PERIOD_CSO_SQL(p, x)                                                  \
    "SELECT cso AS " x "cso, ta_centi(c + e, c + e + v) AS " x "centi "       \
    "FROM (SELECT cso, sum((status = 'compliant') * n) AS c, "                \
    "sum((status = 'exempt') * n) AS e, sum((status = 'violation') * n) AS v " \
    "FROM agg WHERE period = " p " GROUP BY cso)"

/* The signals of period ?1 (all when NULL), contacts masked by the
 * ta_mask_email / ta_mask_phone functions summary_json registers. */
#define SIGNALS_JSON_SQL                                                      \
    " 'signals', json_object("                                                \
    "  'reused_contacts', json((SELECT json_group_array(json_object("         \
    "   'period', period, 'contact_kind', contact_kind,"                      \
    "   'contact', CASE contact_kind WHEN 'hp' THEN ta_mask_phone(contact)"   \
    "     ELSE ta_mask_email(contact) END,"                                   \
    "   'customers', customers, 'tickets', tickets,"                          \
    "   'csos', json(coalesce(json_extract(detail, '$.csos'), '[]'))))"       \
    "   FROM (SELECT * FROM signals WHERE kind = 'reused_contact'"            \
    "     AND (?1 IS NULL OR period = ?1)"                                    \
    "     ORDER BY period, customers DESC, tickets DESC, contact_kind,"       \
    "     contact))),"                                                        \
    "  'exemption_outliers', json((SELECT json_group_array(json_object("      \
    "   'period', period, 'cso', cso, 'rate', round(rate, 2),"                \
    "   'team_median', round(team_rate, 2),"                                  \
    "   'threshold', round(threshold, 2), 'in_scope', tickets,"               \
    "   'exempt', json_extract(detail, '$.exempt'),"                          \
    "   'codes', json(coalesce(json_extract(detail, '$.codes'), '{}'))))"     \
    "   FROM (SELECT * FROM signals WHERE kind = 'exemption_outlier'"         \
    "     AND (?1 IS NULL OR period = ?1)"                                    \
    "     ORDER BY period, rate DESC, cso))),"                                \
    "  'cross_system_mismatches', json((SELECT json_group_array(json_object(" \
    "   'period', period, 'apkt_ticket', apkt_ticket,"                        \
    "   'crm_ticket', crm_ticket, 'apkt_cso', cso,"                           \
    "   'crm_cso', json_extract(detail, '$.crm_cso'),"                        \
    "   'apkt_email', ta_mask_email(apkt_email),"                             \
    "   'crm_email', ta_mask_email(crm_email),"                               \
    "   'apkt_hp', ta_mask_phone(apkt_hp), 'crm_hp', ta_mask_phone(crm_hp),"  \
    "   'fields', json(coalesce(json_extract(detail, '$.fields'), '[]'))))"   \
    "   FROM (SELECT * FROM signals WHERE kind = 'cross_system_mismatch'"     \
    "     AND (?1 IS NULL OR period = ?1)"                                    \
    "     ORDER BY period, apkt_ticket))))"

/* The decisions on the tickets of period ?1 and the counts by
 * final_status: one row, zeros while ?4 is 0. */
#define REVIEWED_SQL                                                          \
    "SELECT count(stored_decision) AS d,"                                     \
    " coalesce(sum(decision = 'upheld'), 0) AS u,"                            \
    " coalesce(sum(decision = 'overturned'), 0) AS ov,"                       \
    " coalesce(sum(stale), 0) AS st,"                                         \
    " coalesce(sum(final_status = 'compliant'), 0) AS c,"                     \
    " coalesce(sum(final_status = 'exempt'), 0) AS e,"                        \
    " coalesce(sum(final_status = 'violation'), 0) AS v"                      \
    " FROM reviewed_results WHERE ?4 AND (?1 IS NULL OR period = ?1)"

/* clang-format off */
static const char json_sql[] =
    "WITH RECURSIVE " AGG_SQL ","
    /* history: the period summarized (--period, else the latest) and the
     * latest one before it */
    "hist AS (SELECT coalesce(?1, (SELECT max(period) FROM agg)) AS sp),"
    "prev AS (SELECT (SELECT max(t.period) FROM agg t, hist"
    "  WHERE t.period < hist.sp) AS pp),"
    "r AS (SELECT status, codes, n FROM agg "
    "      WHERE ?1 IS NULL OR period = ?1),"
    "tot AS (SELECT coalesce(sum(n), 0) AS n,"
    "  coalesce(sum((status = 'compliant') * n), 0) AS c,"
    "  coalesce(sum((status = 'exempt') * n), 0) AS e,"
    "  coalesce(sum((status = 'violation') * n), 0) AS v,"
    "  coalesce(sum((status = 'out_of_scope') * n), 0) AS o FROM r),"
    "imp AS (SELECT coalesce(sum(rows_read), 0) AS rr,"
    "  coalesce(sum(rows_imported), 0) AS ri,"
    "  coalesce(sum(rows_rejected), 0) AS rj FROM imports),"
    "rvt AS (" REVIEWED_SQL "),"
    /* codes are space-separated: peel one off per step (n tickets
     * carry each) */
    "split(rest, code, n) AS ("
    "  SELECT codes || ' ', '', n FROM r WHERE codes <> ''"
    "  UNION ALL SELECT substr(rest, instr(rest, ' ') + 1),"
    "    substr(rest, 1, instr(rest, ' ') - 1), n FROM split"
    "  WHERE rest <> '')"
    "SELECT json_object("
    " 'json_version', ?2, 'version', ?3,"
    " 'period', ?1,"
    " 'periods', json((SELECT json_group_array(period) FROM ("
    "   SELECT DISTINCT period FROM agg ORDER BY 1))),"
    " 'tickets', tot.n, 'compliant', tot.c, 'exempt', tot.e,"
    " 'violation', tot.v, 'out_of_scope', tot.o,"
    " 'compliance_pct',"
    "   ta_centi(tot.c + tot.e, tot.c + tot.e + tot.v) / 100.0,"
    " 'rows_read', imp.rr, 'rows_imported', imp.ri,"
    " 'rows_rejected', imp.rj,"
    " 'files', json((SELECT json_group_array(json_object("
    "   'file', file, 'source', source, 'rows_read', rows_read,"
    "   'rows_imported', rows_imported, 'rows_rejected', rows_rejected,"
    "   'sha256', sha256)) FROM (SELECT * FROM imports ORDER BY id))),"
    " 'by_cso', json((SELECT json_group_array(json_object("
    "   'cso', cso, 'tickets', n, 'compliant', c, 'exempt', e,"
    "   'violation', v, 'out_of_scope', o,"
    "   'compliance_pct', centi / 100.0,"
    "   'compliance_pct_reviewed', rcenti / 100.0,"
    "   'reused_contacts', reused, 'exemption_outliers', outliers,"
    "   'cross_system_mismatches', mismatches,"
    "   'previous_period', (SELECT pp FROM prev),"
    "   'previous_compliance_pct', pcenti / 100.0,"
    "   'change', (scenti - pcenti) / 100.0))"
    "   FROM (SELECT * FROM (" CSO_SQL ") b"
    "   LEFT JOIN (" PERIOD_CSO_SQL("(SELECT pp FROM prev)", "p") ") p"
    "     ON p.pcso = b.cso"
    "   LEFT JOIN (" PERIOD_CSO_SQL("(SELECT sp FROM hist)", "s") ") s"
    "     ON s.scso = b.cso" CSO_ORDER "))),"
    " 'codes', json((SELECT json_group_object(code, n) FROM ("
    "   SELECT code, sum(n) AS n FROM split WHERE code <> ''"
    "   GROUP BY code ORDER BY code)))," SIGNALS_JSON_SQL ","
    " 'reviewed', json_object('decisions', rvt.d, 'upheld', rvt.u,"
    "   'overturned', rvt.ov, 'stale', rvt.st, 'compliance_pct',"
    "   CASE WHEN ?4 THEN ta_centi(rvt.c + rvt.e, rvt.c + rvt.e + rvt.v)"
    "   ELSE ta_centi(tot.c + tot.e, tot.c + tot.e + tot.v) END / 100.0))"
    " FROM tot, imp, rvt";
/* clang-format on */

static const char totals_sql[] =
    "WITH " AGG_SQL " "
    "SELECT coalesce(sum(n), 0), coalesce(sum((status = 'compliant') * n), 0),"
    " coalesce(sum((status = 'exempt') * n), 0),"
    " coalesce(sum((status = 'violation') * n), 0),"
    " coalesce(sum((status = 'out_of_scope') * n), 0),"
    " (SELECT count(*) FROM imports),"
    " (SELECT coalesce(sum(rows_read), 0) FROM imports),"
    " (SELECT coalesce(sum(rows_imported), 0) FROM imports),"
    " (SELECT coalesce(sum(rows_rejected), 0) FROM imports),"
    " (SELECT count(*) FROM signals WHERE kind = 'reused_contact'"
    "   AND (?1 IS NULL OR period = ?1)),"
    " (SELECT count(*) FROM signals WHERE kind = 'exemption_outlier'"
    "   AND (?1 IS NULL OR period = ?1)),"
    " (SELECT count(*) FROM signals WHERE kind = 'cross_system_mismatch'"
    "   AND (?1 IS NULL OR period = ?1))"
    " FROM agg WHERE ?1 IS NULL OR period = ?1";

/* ?4 of REVIEWED_SQL is bound as 1 here: only run when decisions exist */
static const char reviewed_sql[] = REVIEWED_SQL;

/* (the distinct periods of the tickets, from the counted groups) */
static const char periods_sql[] =
    "SELECT count(DISTINCT period), min(period), max(period) FROM "
    "temp.summary_groups";

long long summary_centi(unsigned long long num, unsigned long long den)
{
    /* round(10000 * num / den) half up = floor((20000 num + den) / 2 den) */
    return (long long)((20000ULL * num + den) / (2ULL * den));
}

int summary_cso_cmp(const summary_cso *a, const summary_cso *b)
{
    if (a->has_compliance != b->has_compliance)
        return a->has_compliance ? -1 : 1;
    if (a->has_compliance && a->compliance_centi != b->compliance_centi)
        return a->compliance_centi < b->compliance_centi ? -1 : 1;
    if (a->violation != b->violation)
        return a->violation > b->violation ? -1 : 1;
    size_t n = a->cso_len < b->cso_len ? a->cso_len : b->cso_len;
    int c = n ? memcmp(a->cso, b->cso, n) : 0;
    if (c != 0)
        return c < 0 ? -1 : 1;
    return (a->cso_len > b->cso_len) - (a->cso_len < b->cso_len);
}

/* ta_centi(ok, in_scope): summary_centi for SQL, NULL when nothing is in
 * scope, so that every figure of compliance comes from one computation. */
static void sql_centi(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_int64 ok = sqlite3_value_int64(argv[0]);
    sqlite3_int64 den = sqlite3_value_int64(argv[1]);
    if (den <= 0 || ok < 0 || ok > den) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_int64(
        ctx, summary_centi((unsigned long long)ok, (unsigned long long)den));
}

/* ta_mask_email(x) / ta_mask_phone(x) for the JSON: mask.h's rules, so
 * the JSON shows contacts as the workbook does. NULL stays NULL. */
static void sql_mask(sqlite3_context *ctx, sqlite3_value *v,
                     size_t (*fn)(const char *, size_t, char *, size_t))
{
    if (sqlite3_value_type(v) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *in = (const char *)sqlite3_value_text(v);
    size_t len = in ? (size_t)sqlite3_value_bytes(v) : 0;
    /* a masked address grows by at most 3 bytes per piece */
    size_t cap = 4 * len + 16;
    char *buf = malloc(cap);
    if (!buf) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    size_t n = fn(in ? in : "", len, buf, cap);
    sqlite3_result_text(ctx, buf, (int)n, free);
}

static void sql_mask_email(sqlite3_context *ctx, int argc,
                           sqlite3_value **argv)
{
    (void)argc;
    sql_mask(ctx, argv[0], mask_email);
}

static void sql_mask_phone(sqlite3_context *ctx, int argc,
                           sqlite3_value **argv)
{
    (void)argc;
    sql_mask(ctx, argv[0], mask_phone);
}

/* The SQL functions this file's queries call (what names the work in a
 * message). */
static ta_status register_functions(sqlite3 *db, const char *what, char *err,
                                    size_t errlen)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(db, "ta_centi", 2, flags, NULL, sql_centi,
                                NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "ta_mask_email", 1, flags, NULL,
                                sql_mask_email, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "ta_mask_phone", 1, flags, NULL,
                                sql_mask_phone, NULL, NULL) != SQLITE_OK)
        return db_fail(db, what, err, errlen);
    return TA_OK;
}

/* ---- the tickets counted by group ------------------------------------ */

/* Groups held at once, and bytes of their names: past either, what is
 * counted goes to the table and counting starts again (tally.h), so
 * memory stays flat whatever the data holds. */
#define GROUPS_HELD 3072
#define GROUP_BYTES (1u << 20)

/* Writes the groups counted so far into temp.summary_groups, each with
 * its count times sign, and forgets them. */
static ta_status groups_flush(sqlite3 *db, tally *t, sqlite3_stmt *ins,
                              int sign, char *err, size_t errlen)
{
    for (size_t i = 0; i < tally_groups(t); i++) {
        tally_group g = tally_at(t, i);
        int bound = SQLITE_OK;
        for (int k = 0; k < 4; k++)
            db_bound(&bound, sqlite3_bind_text(ins, k + 1, g.key.t[k],
                                               (int)g.key.n[k],
                                               SQLITE_STATIC));
        db_bound(&bound,
                 sqlite3_bind_int64(ins, 5, sign * (sqlite3_int64)g.count));
        int rc = bound == SQLITE_OK ? sqlite3_step(ins) : bound;
        sqlite3_reset(ins);
        if (rc != SQLITE_DONE)
            return db_fail(db, "counting the tickets", err, errlen);
    }
    tally_clear(t);
    return TA_OK;
}

/* temp.summary_groups stands for the tickets while the connection has
 * changed no row since it was filled (sqlite3_total_changes) and no other
 * connection has committed (PRAGMA data_version). The mark saying so is a
 * row of temp.summary_counted, written with the groups and in the same
 * transaction: a rollback takes both back. */
static const char mark_table_sql[] =
    "CREATE TEMP TABLE IF NOT EXISTS summary_groups(period TEXT, "
    "cso TEXT, status TEXT, codes TEXT, n INTEGER);"
    "CREATE TEMP TABLE IF NOT EXISTS summary_counted(changes INTEGER, "
    "data_version INTEGER);"
    "DELETE FROM temp.summary_counted;"
    "DELETE FROM temp.summary_groups";

static ta_status data_version(sqlite3 *db, sqlite3_int64 *v, char *err,
                              size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db, "PRAGMA data_version", &st, err, errlen);
    if (s == TA_OK && sqlite3_step(st) == SQLITE_ROW)
        *v = sqlite3_column_int64(st, 0);
    else if (s == TA_OK)
        s = db_fail(db, "counting the tickets", err, errlen);
    sqlite3_finalize(st);
    return s;
}

/* Writes the mark (the groups are in): the change count it records is the
 * one after its own row. */
static ta_status mark_counted(sqlite3 *db, char *err, size_t errlen)
{
    sqlite3_int64 dv = 0;
    sqlite3_stmt *st = NULL;
    ta_status s = data_version(db, &dv, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db, "INSERT INTO temp.summary_counted VALUES (?1, ?2)",
                       &st, err, errlen);
    if (s != TA_OK)
        return s;
    /* one row inserted, no trigger: exactly one change more */
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_int64(st, 1, sqlite3_total_changes(db) + 1));
    db_bound(&bound, sqlite3_bind_int64(st, 2, dv));
    if (bound != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
        s = db_fail(db, "counting the tickets", err, errlen);
    sqlite3_finalize(st);
    return s;
}

/* 1 when temp.summary_groups stands for the tickets as they are now. */
static int still_counted(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    sqlite3_int64 dv = -1;
    char err[8];
    int yes = 0;
    if (data_version(db, &dv, err, sizeof err) != TA_OK)
        return 0;
    /* prepared only if the table exists: no error to clear otherwise */
    if (sqlite3_prepare_v2(db,
                           "SELECT changes, data_version FROM "
                           "temp.summary_counted",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return 0;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        yes = sqlite3_column_int64(st, 0) == sqlite3_total_changes(db) &&
              sqlite3_column_int64(st, 1) == dv;
    sqlite3_finalize(st);
    return yes;
}

/* Makes or empties temp.summary_groups and its mark, and prepares the
 * insert of a group into it. */
static ta_status groups_begin(sqlite3 *db, sqlite3_stmt **ins, char *err,
                              size_t errlen)
{
    ta_status s = db_exec(db, mark_table_sql, "counting the tickets", err,
                          errlen);
    if (s == TA_OK)
        s = db_prepare(db,
                       "INSERT INTO temp.summary_groups VALUES (?1,?2,?3,?4,"
                       "?5)",
                       ins, err, errlen);
    return s;
}

/* Fills temp.summary_groups (made or emptied) from every ticket, in one
 * scan in storage order, unless it still holds them (still_counted). A
 * NULL is counted as "", as the table stores it. */
static ta_status count_groups(sqlite3 *db, char *err, size_t errlen)
{
    if (still_counted(db))
        return TA_OK;
    tally *t = tally_new(GROUPS_HELD, GROUP_BYTES);
    sqlite3_stmt *sel = NULL, *ins = NULL;
    if (!t) {
        snprintf(err, errlen, "counting the tickets: out of memory");
        return TA_E_NOMEM;
    }
    ta_status s = groups_begin(db, &ins, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db,
                       "SELECT period, cso, status, codes FROM audit_results",
                       &sel, err, errlen);
    int rc = SQLITE_DONE;
    while (s == TA_OK && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
        tally_key key = {.k = 0};
        for (int k = 0; k < 4; k++) {
            const char *v = (const char *)sqlite3_column_text(sel, k);
            key.t[k] = v ? v : "";
            key.n[k] = v ? (size_t)sqlite3_column_bytes(sel, k) : 0;
        }
        int r = tally_add(t, &key, 0);
        if (r == 1) {
            /* full: into the table, and this one into the empty tally */
            s = groups_flush(db, t, ins, 1, err, errlen);
            r = s == TA_OK ? tally_add(t, &key, 0) : 0;
        }
        if (r != 0) {
            snprintf(err, errlen, "counting the tickets: out of memory");
            s = TA_E_NOMEM;
        }
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(db, "counting the tickets", err, errlen);
    if (s == TA_OK)
        s = groups_flush(db, t, ins, 1, err, errlen);
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    tally_free(t);
    if (s == TA_OK)
        s = mark_counted(db, err, errlen);
    return s;
}

/* ---- counted as the tickets are stored ------------------------------ */

struct summary_feed {
    tally *t[2]; /* the tickets stored, those replaced */
    int broken;
};

summary_feed *summary_feed_new(void)
{
    summary_feed *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->t[0] = tally_new(GROUPS_HELD, GROUP_BYTES);
    f->t[1] = tally_new(GROUPS_HELD, GROUP_BYTES);
    if (!f->t[0] || !f->t[1]) {
        summary_feed_free(f);
        return NULL;
    }
    return f;
}

void summary_feed_free(summary_feed *f)
{
    if (!f)
        return;
    tally_free(f->t[0]);
    tally_free(f->t[1]);
    free(f);
}

void summary_feed_count(summary_feed *f, int replaced, const char *period,
                        size_t period_len, const char *cso, size_t cso_len,
                        const char *status, const char *codes)
{
    if (f->broken)
        return;
    tally_key key = {.k = 0};
    key.t[0] = period;
    key.n[0] = period_len;
    key.t[1] = cso ? cso : "";
    key.n[1] = cso ? cso_len : 0;
    key.t[2] = status;
    key.n[2] = strlen(status);
    key.t[3] = codes ? codes : "";
    key.n[3] = codes ? strlen(codes) : 0;
    /* full (a hostile export's thousands of CSOs) or out of memory: the
     * scan counts them instead */
    if (tally_add(f->t[replaced ? 1 : 0], &key, 0) != 0)
        f->broken = 1;
}

ta_status summary_feed_use(summary_feed *f, sqlite3 *db, char *err,
                           size_t errlen)
{
    if (f->broken)
        return TA_OK;
    sqlite3_stmt *ins = NULL;
    ta_status s = db_exec(db, "SAVEPOINT summary_feed", "counting the tickets",
                          err, errlen);
    if (s != TA_OK)
        return s;
    s = groups_begin(db, &ins, err, errlen);
    if (s == TA_OK)
        s = groups_flush(db, f->t[0], ins, 1, err, errlen);
    /* a replaced ticket counts nowhere: its group taken back, and a group
     * left with none dropped, as a scan would never have seen it */
    if (s == TA_OK && tally_groups(f->t[1]) > 0) {
        s = groups_flush(db, f->t[1], ins, -1, err, errlen);
        if (s == TA_OK)
            s = db_exec(db,
                        "CREATE TEMP TABLE summary_net AS SELECT period, cso, "
                        "status, codes, sum(n) AS n FROM temp.summary_groups "
                        "GROUP BY period, cso, status, codes HAVING sum(n) > 0;"
                        "DELETE FROM temp.summary_groups;"
                        "INSERT INTO temp.summary_groups SELECT * FROM "
                        "temp.summary_net;"
                        "DROP TABLE temp.summary_net",
                        "counting the tickets", err, errlen);
    }
    sqlite3_finalize(ins);
    if (s == TA_OK)
        s = mark_counted(db, err, errlen);
    if (s == TA_OK)
        return db_exec(db, "RELEASE summary_feed", "counting the tickets", err,
                       errlen);
    sqlite3_exec(db, "ROLLBACK TO summary_feed; RELEASE summary_feed", NULL,
                 NULL, NULL);
    return s;
}

static unsigned long col_count(sqlite3_stmt *st, int i)
{
    sqlite3_int64 v = sqlite3_column_int64(st, i);
    return v > 0 ? (unsigned long)v : 0;
}

/* *any = 1 when some QA decision is stored (then compliance after review
 * is worth a join of every ticket with the reviews). */
static ta_status any_review(sqlite3 *db, int *any, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db, "SELECT EXISTS (SELECT 1 FROM reviews)", &st,
                             err, errlen);
    if (s != TA_OK)
        return s;
    if (sqlite3_step(st) == SQLITE_ROW)
        *any = sqlite3_column_int(st, 0);
    else
        s = db_fail(db, "reading the QA decisions", err, errlen);
    sqlite3_finalize(st);
    return s;
}

/* The decisions and compliance after review of t's period; t's
 * compliance fields are set. */
static ta_status get_reviewed(sqlite3 *db, const char *period,
                              summary_totals *t, char *err, size_t errlen)
{
    int any = 0;
    t->reviewed_centi = t->compliance_centi;
    t->reviewed_pct = t->compliance_pct;
    ta_status s = any_review(db, &any, err, errlen);
    if (s != TA_OK || !any)
        return s;
    sqlite3_stmt *st = NULL;
    s = db_prepare(db, reviewed_sql, &st, err, errlen);
    if (s != TA_OK)
        return s;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_int(st, 4, 1));
    if (bound != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        s = db_fail(db, "reading the QA decisions", err, errlen);
        sqlite3_finalize(st);
        return s;
    }
    t->decisions = col_count(st, 0);
    t->upheld = col_count(st, 1);
    t->overturned = col_count(st, 2);
    t->stale = col_count(st, 3);
    unsigned long ok = col_count(st, 4) + col_count(st, 5);
    unsigned long in_scope = ok + col_count(st, 6);
    sqlite3_finalize(st);
    if (in_scope > 0) {
        t->reviewed_centi = summary_centi(ok, in_scope);
        t->reviewed_pct = (double)t->reviewed_centi / 100.0;
    }
    return TA_OK;
}

/* summary_get_totals once temp.summary_groups is filled (count_groups). */
static ta_status totals_counted(sqlite3 *db, const char *period,
                                summary_totals *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db, totals_sql, &st, err, errlen);
    if (s != TA_OK)
        return s;
    if (sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        s = db_fail(db, "reading the audit totals", err, errlen);
        sqlite3_finalize(st);
        return s;
    }
    unsigned long *dst[] = {&t->tickets,
                            &t->compliant,
                            &t->exempt,
                            &t->violation,
                            &t->out_of_scope,
                            &t->files,
                            &t->rows_read,
                            &t->rows_imported,
                            &t->rows_rejected,
                            &t->reused_contacts,
                            &t->exemption_outliers,
                            &t->cross_system_mismatches};
    for (int i = 0; i < (int)(sizeof dst / sizeof dst[0]); i++)
        *dst[i] = col_count(st, i);
    sqlite3_finalize(st);
    unsigned long in_scope = t->compliant + t->exempt + t->violation;
    if (in_scope > 0) {
        t->has_compliance = 1;
        t->compliance_centi =
            summary_centi(t->compliant + t->exempt, in_scope);
        t->compliance_pct = (double)t->compliance_centi / 100.0;
    }
    return get_reviewed(db, period, t, err, errlen);
}

ta_status summary_get_totals(sqlite3 *db, const char *period,
                             summary_totals *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    ta_status s = count_groups(db, err, errlen);
    return s == TA_OK ? totals_counted(db, period, t, err, errlen) : s;
}

/* summary_each_cso once temp.summary_groups is filled (count_groups). */
static ta_status each_cso_counted(sqlite3 *db, const char *period,
                                  summary_cso_fn fn, void *ctx, char *err,
                                  size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s =
        register_functions(db, "reading the figures per CSO", err, errlen);
    int any = 0;
    if (s == TA_OK)
        s = any_review(db, &any, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db, "WITH " AGG_SQL " " CSO_SQL CSO_ORDER, &st, err,
                       errlen);
    if (s != TA_OK)
        return s;
    if (sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int(st, 4, any) != SQLITE_OK) {
        s = db_fail(db, "reading the figures per CSO", err, errlen);
        sqlite3_finalize(st);
        return s;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        summary_cso row;
        memset(&row, 0, sizeof row);
        const unsigned char *name = sqlite3_column_text(st, 0);
        row.cso = name ? (const char *)name : "";
        row.cso_len = name ? (size_t)sqlite3_column_bytes(st, 0) : 0;
        row.tickets = col_count(st, 1);
        row.compliant = col_count(st, 2);
        row.exempt = col_count(st, 3);
        row.violation = col_count(st, 4);
        row.out_of_scope = col_count(st, 5);
        if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
            row.has_compliance = 1;
            row.compliance_centi = sqlite3_column_int64(st, 6);
            row.compliance_pct = (double)row.compliance_centi / 100.0;
            row.reviewed_centi = sqlite3_column_int64(st, 10);
            row.reviewed_pct = (double)row.reviewed_centi / 100.0;
        }
        row.reused_contacts = col_count(st, 7);
        row.exemption_outliers = col_count(st, 8);
        row.cross_system_mismatches = col_count(st, 9);
        if (fn(ctx, &row) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        s = db_fail(db, "reading the figures per CSO", err, errlen);
    sqlite3_finalize(st);
    return s;
}

ta_status summary_each_cso(sqlite3 *db, const char *period, summary_cso_fn fn,
                           void *ctx, char *err, size_t errlen)
{
    ta_status s = count_groups(db, err, errlen);
    return s == TA_OK ? each_cso_counted(db, period, fn, ctx, err, errlen)
                      : s;
}

ta_status summary_json(sqlite3 *db, const char *period, char **out, char *err,
                       size_t errlen)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    ta_status s =
        register_functions(db, "building the JSON summary", err, errlen);
    if (s != TA_OK)
        return s;
    int any = 0;
    s = any_review(db, &any, err, errlen);
    if (s == TA_OK)
        s = count_groups(db, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db, json_sql, &st, err, errlen);
    if (s != TA_OK)
        return s;
    if (sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int(st, 2, SUMMARY_JSON_VERSION) != SQLITE_OK ||
        sqlite3_bind_int(st, 4, any) != SQLITE_OK ||
        sqlite3_bind_text(st, 3, TA_VERSION, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        s = db_fail(db, "building the JSON summary", err, errlen);
        goto done;
    }
    const char *text = (const char *)sqlite3_column_text(st, 0);
    if (!text) {
        s = db_fail(db, "building the JSON summary", err, errlen);
        goto done;
    }
    *out = utf8_clean(text, (size_t)sqlite3_column_bytes(st, 0), NULL);
    if (!*out) {
        snprintf(err, errlen, "building the JSON summary: out of memory");
        s = TA_E_NOMEM;
    }
done:
    sqlite3_finalize(st);
    return s;
}

/* Appends a name from the data for a terminal: valid UTF-8, and no
 * control character (C0, DEL, C1) that could move the cursor or start an
 * escape sequence. 0, or -1 when out of memory. */
static int add_display(ta_buf *b, const char *s, size_t n)
{
    size_t clen = 0;
    char *clean = utf8_clean(s, n, &clen);
    if (!clean)
        return -1;
    int rc = 0;
    for (size_t i = 0, k; i < clen && rc == 0; i += k) {
        uint32_t cp = utf8_decode(clean + i, clen - i, &k);
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
            rc = buf_add(b, UTF8_REPLACEMENT, 3);
        else
            rc = buf_add(b, clean + i, k);
    }
    free(clean);
    return rc;
}

/* Bytes of a CSO name shown in the text summary. */
#define SUMMARY_NAME_MAX 80

/* "2 reused contacts, 1 exemption outlier" of the nonzero counts; 0, or
 * -1 when out of memory. Nothing when all three are 0. */
static int add_signal_counts(ta_buf *b, unsigned long reused,
                             unsigned long outliers, unsigned long mismatches)
{
    const struct {
        unsigned long n;
        const char *one, *many;
    } k[] = {{reused, "reused contact", "reused contacts"},
             {outliers, "exemption outlier", "exemption outliers"},
             {mismatches, "cross-system mismatch", "cross-system mismatches"}};
    int rc = 0, first = 1;
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        if (k[i].n == 0)
            continue;
        rc |= buf_printf(b, "%s%lu %s", first ? "" : ", ", k[i].n,
                         k[i].n == 1 ? k[i].one : k[i].many);
        first = 0;
    }
    return rc;
}

static unsigned long cso_signals(const summary_cso *row)
{
    return row->reused_contacts + row->exemption_outliers +
           row->cross_system_mismatches;
}

/* One CSO's line: compliance, name, violations, and its signals. */
static int add_cso_line(ta_buf *b, const summary_cso *row)
{
    int rc = row->has_compliance
                 ? buf_printf(b, "  %6.2f%%  ", row->compliance_pct)
                 : buf_adds(b, "      n/a  ");
    if (row->cso_len == 0) {
        rc |= buf_adds(b, "(unknown)");
    } else {
        /* A name is shown whole up to SUMMARY_NAME_MAX bytes, else cut at
         * a character boundary: a 1 MiB "name" must not flood a log. */
        size_t n = utf8_cut(row->cso, row->cso_len, SUMMARY_NAME_MAX);
        rc |= add_display(b, row->cso, n);
        if (n < row->cso_len)
            rc |= buf_adds(b, "\xe2\x80\xa6"); /* U+2026 ... */
    }
    rc |= buf_printf(b, " (%lu violations of %lu in scope)", row->violation,
                     row->compliant + row->exempt + row->violation);
    if (cso_signals(row) > 0) {
        /* the mark: a CSO at 100% may still be the one to look at */
        rc |= buf_adds(b, "  ! signals: ");
        rc |=
            add_signal_counts(b, row->reused_contacts, row->exemption_outliers,
                              row->cross_system_mismatches);
    }
    rc |= buf_addc(b, '\n');
    return rc;
}

typedef struct worst_ctx {
    ta_buf *b;
    int worst_n;        /* CSOs listed as the worst */
    int seen;           /* rows seen so far */
    int listed;         /* CSOs with signals listed after the worst */
    unsigned long more; /* ... and those not listed */
    int second;         /* the pass of the CSOs with signals */
    int oom;
} worst_ctx;

/* First pass: the worst_n CSOs with a compliance. Second: the CSOs with
 * signals that the first did not show (at most worst_n of them). */
static int add_worst(void *ctx, const summary_cso *row)
{
    worst_ctx *w = ctx;
    int shown = w->seen < w->worst_n && row->has_compliance;
    w->seen++;
    int rc = 0;
    if (!w->second) {
        if (!shown)
            return 1; /* the rest are better, or have no compliance */
        rc = add_cso_line(w->b, row);
    } else if (!shown && cso_signals(row) > 0) {
        if (w->listed < w->worst_n) {
            if (w->listed == 0)
                rc |= buf_adds(w->b, "other CSOs with signals:\n");
            rc |= add_cso_line(w->b, row);
            w->listed++;
        } else {
            w->more++;
        }
    }
    if (rc != 0) {
        w->oom = 1;
        return 1;
    }
    return 0;
}

/* The period line; TA_E_NOMEM when b cannot grow (no message: the caller
 * writes it). */
static ta_status describe_period(sqlite3 *db, const char *period, ta_buf *b,
                                 char *err, size_t errlen)
{
    if (period)
        return buf_adds(b, "period ") ||
                       add_display(b, period, strlen(period)) ||
                       buf_addc(b, '\n')
                   ? TA_E_NOMEM
                   : TA_OK;
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db, periods_sql, &st, err, errlen);
    if (s != TA_OK)
        return s;
    if (sqlite3_step(st) != SQLITE_ROW) {
        s = db_fail(db, "reading the periods", err, errlen);
        sqlite3_finalize(st);
        return s;
    }
    unsigned long n = col_count(st, 0);
    const char *lo = (const char *)sqlite3_column_text(st, 1);
    const char *hi = (const char *)sqlite3_column_text(st, 2);
    int rc;
    if (n == 0 || !lo || !hi) {
        rc = buf_adds(b, "all periods (none in the data)\n");
    } else {
        rc = buf_adds(b, "all periods (");
        rc |= add_display(b, lo, strlen(lo));
        if (n > 1) {
            rc |= buf_adds(b, " to ");
            rc |= add_display(b, hi, strlen(hi));
        }
        rc |= buf_printf(b, ", %lu month%s)\n", n, n == 1 ? "" : "s");
    }
    sqlite3_finalize(st);
    return rc ? TA_E_NOMEM : TA_OK;
}

/* The lines after compliance: after review (when decisions exist) and
 * the signals. */
static int add_review_and_signals(ta_buf *b, const summary_totals *t)
{
    int rc = 0;
    if (t->decisions > 0) {
        if (t->has_compliance)
            rc |= buf_printf(b, "compliance after review: %.2f%%",
                             t->reviewed_pct);
        else
            rc |= buf_adds(b, "compliance after review: none");
        rc |= buf_printf(b,
                         " (%lu QA decisions: %lu upheld, %lu overturned, "
                         "%lu stale)\n",
                         t->decisions, t->upheld, t->overturned, t->stale);
    }
    if (t->reused_contacts + t->exemption_outliers +
            t->cross_system_mismatches ==
        0)
        return rc | buf_adds(b, "signals: none\n");
    rc |= buf_adds(b, "signals: ");
    rc |= add_signal_counts(b, t->reused_contacts, t->exemption_outliers,
                            t->cross_system_mismatches);
    rc |= buf_addc(b, '\n');
    return rc;
}

ta_status summary_text(sqlite3 *db, const char *period, int worst_n,
                       char **out, char *err, size_t errlen)
{
    *out = NULL;
    summary_totals t;
    /* one count of the tickets for every figure below */
    ta_status s = count_groups(db, err, errlen);
    if (s == TA_OK)
        s = totals_counted(db, period, &t, err, errlen);
    if (s != TA_OK)
        return s;
    ta_buf b;
    buf_init(&b, 0);
    s = describe_period(db, period, &b, err, errlen);
    if (s != TA_OK)
        goto fail;
    int rc = buf_printf(
        &b, "files: %lu; rows read %lu, imported %lu, rejected %lu\n", t.files,
        t.rows_read, t.rows_imported, t.rows_rejected);
    rc |= buf_printf(&b,
                     "tickets: %lu: %lu compliant, %lu exempt, %lu "
                     "violations, %lu out of scope\n",
                     t.tickets, t.compliant, t.exempt, t.violation,
                     t.out_of_scope);
    if (t.has_compliance)
        rc |= buf_printf(&b, "compliance: %.2f%% (%lu of %lu in scope)\n",
                         t.compliance_pct, t.compliant + t.exempt,
                         t.compliant + t.exempt + t.violation);
    else
        rc |= buf_adds(&b, "compliance: none (no ticket in scope)\n");
    rc |= add_review_and_signals(&b, &t);
    if (rc == 0 && worst_n > 0 && t.tickets > 0) {
        worst_ctx w = {.b = &b, .worst_n = worst_n};
        if (t.compliant + t.exempt + t.violation > 0) {
            rc = buf_adds(&b, "worst CSOs:\n");
            s = each_cso_counted(db, period, add_worst, &w, err, errlen);
        }
        /* the CSOs with signals the worst did not show: SPEC §5 wants
         * a CSO with any signal marked, whatever its compliance */
        if (s == TA_OK && t.reused_contacts + t.exemption_outliers +
                                  t.cross_system_mismatches >
                              0) {
            w.second = 1;
            w.seen = 0;
            s = each_cso_counted(db, period, add_worst, &w, err, errlen);
        }
        if (s != TA_OK)
            goto fail;
        if (w.more > 0)
            rc |= buf_printf(&b, "  ... and %lu more CSOs with signals\n",
                             w.more);
        rc |= w.oom;
    }
    if (rc != 0) {
        s = TA_E_NOMEM;
        goto fail;
    }
    *out = buf_take(&b);
    return TA_OK;
fail:
    if (s == TA_E_NOMEM)
        snprintf(err, errlen, "building the summary: out of memory");
    buf_free(&b);
    return s;
}

ta_status summary_months(sqlite3 *db, const char *period, int *has,
                         char **months, char *err, size_t errlen)
{
    *has = 0;
    *months = NULL;
    sqlite3_stmt *st = NULL;
    ta_status s =
        db_prepare(db,
                   "SELECT EXISTS (SELECT 1 FROM tickets WHERE ?1 IS NULL OR "
                   "period = ?1)",
                   &st, err, errlen);
    if (s != TA_OK)
        return s;
    if (sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        s = db_fail(db, "reading the months", err, errlen);
    else
        *has = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (s != TA_OK || *has)
        return s;
    s = db_prepare(db,
                   "SELECT coalesce(group_concat(period, ', '), '') FROM "
                   "(SELECT DISTINCT period FROM tickets ORDER BY 1)",
                   &st, err, errlen);
    if (s != TA_OK)
        return s;
    if (sqlite3_step(st) != SQLITE_ROW) {
        s = db_fail(db, "reading the months", err, errlen);
    } else {
        const char *m = (const char *)sqlite3_column_text(st, 0);
        *months = utf8_clean(
            m ? m : "", m ? (size_t)sqlite3_column_bytes(st, 0) : 0, NULL);
        if (!*months) {
            snprintf(err, errlen, "reading the months: out of memory");
            s = TA_E_NOMEM;
        }
    }
    sqlite3_finalize(st);
    return s;
}

/* Appends one reason to why, "; "-separated, cut to fit. */
static void add_reason(char *why, size_t whylen, const char *reason)
{
    if (!why || whylen == 0)
        return;
    size_t used = strlen(why);
    if (used >= whylen - 1)
        return;
    snprintf(why + used, whylen - used, "%s%s", used ? "; " : "", reason);
}

int summary_check_fails(const summary_totals *t, int has_fail_under,
                        double fail_under, int has_max_rejected,
                        unsigned long max_rejected, char *why, size_t whylen)
{
    int fails = 0;
    char reason[256];
    if (why && whylen)
        why[0] = '\0';
    /* Compare hundredths to hundredths: the rounded figure that is shown
     * is the one judged, so "66.67% is below 66.67%" never happens. */
    if (has_fail_under && !t->has_compliance) {
        fails = 1;
        snprintf(reason, sizeof reason,
                 "nothing in scope to judge for --fail-under: %lu tickets, "
                 "none compliant, exempt or a violation (%lu out of scope, "
                 "%lu rows rejected)",
                 t->tickets, t->out_of_scope, t->rows_rejected);
        add_reason(why, whylen, reason);
    }
    if (has_fail_under && t->has_compliance && fail_under > 0.0) {
        long long limit = (long long)(fail_under * 100.0 + 0.5);
        if (t->compliance_centi < limit) {
            fails = 1;
            snprintf(reason, sizeof reason,
                     "compliance %.2f%% is below --fail-under %g%%",
                     t->compliance_pct, fail_under);
            add_reason(why, whylen, reason);
        }
    }
    if (has_max_rejected && t->rows_rejected > max_rejected) {
        fails = 1;
        snprintf(reason, sizeof reason,
                 "%lu rows rejected, more than --max-rejected %lu",
                 t->rows_rejected, max_rejected);
        add_reason(why, whylen, reason);
    }
    return fails;
}
