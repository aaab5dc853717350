/*
 * review_stage.c — one file's decisions, first in a temporary table, then
 * stored in review_log and reviews (docs/schema.md, docs/review.md).
 *
 * Why a table and not memory: a workbook may hold a million decisions,
 * and the checks need all of them at once — the rows of one ticket in one
 * file must say the same thing whatever their order, and each decision is
 * compared with the ticket's stored one. SQLite's temporary database
 * spills to a temporary file past its small cache, so memory stays flat.
 *
 * Why this shape: rows are appended as read (a B-tree keyed by the ticket
 * would take them in random order, a random page of a temporary file per
 * row: reading a million took 18 s instead of 6), then one index sorts
 * them (an external merge sort) and carries every column, so that one
 * pass walks them in ticket order, probing tickets and reviews in that
 * order too, page after page, and leaves one row per ticket with all that
 * is to be known of it (review_one: its current fingerprint, status and
 * period, how many rows it has, whether it is its stored decision). Each
 * later statement is a scan of that table (probing the tickets once per
 * statement instead cost twice the time): the file's decisions are
 * checked, counted and stored by a few set-wise statements instead of a
 * million round trips.
 *
 * Everything runs inside the caller's transaction: the table is created
 * in it and dropped before its commit (a rollback drops it as well).
 */
#include "review_internal.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "text.h"

/* The CSV readers' and the workbook reader's longest cell is far below
 * this; a ticket_id longer than any export's is cut to it (and then
 * matches no ticket). */
#define RV_TICKET_MAX 4096

struct rv_stage {
    sqlite3 *db;
    const char *file;
    sqlite3_stmt *ins;
    unsigned long staged; /* rows put, for the progress */
    char ticket[RV_TICKET_MAX];
};

/* seq (the rowid) is the order read. */
static const char create_sql[] =
    "DROP TABLE IF EXISTS temp.review_stage;"
    "DROP TABLE IF EXISTS temp.review_one;"
    "CREATE TEMP TABLE review_stage (seq INTEGER PRIMARY KEY,"
    " source TEXT NOT NULL, ticket_id TEXT NOT NULL, fingerprint TEXT,"
    " decision TEXT NOT NULL, note TEXT NOT NULL, reviewer TEXT NOT NULL,"
    " sheet TEXT, row INTEGER NOT NULL, col INTEGER NOT NULL)";

static const char ins_sql[] =
    "INSERT INTO temp.review_stage (source, ticket_id, fingerprint,"
    " decision, note, reviewer, sheet, row, col)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/* Every column, so that no statement below reads the table itself. */
static const char index_sql[] =
    "CREATE INDEX temp.review_stage_ticket ON review_stage (source,"
    " ticket_id, fingerprint, decision, note, reviewer, sheet, row, col)";

/* One row per ticket, the first read of its rows (the bare columns of an
 * aggregate with one min() come from the row of that min), in ticket
 * order: the fingerprint of its key (key; NULL for a CSV file of
 * source,ticket_id, whose fingerprint is then the ticket's current one),
 * how many rows it has (n), the ticket as it is now (current is NULL when
 * it is not in the database), and whether the decision is the ticket's
 * stored one (unchanged). */
static const char one_sql[] =
    "CREATE TEMP TABLE review_one AS SELECT s.source, s.ticket_id,"
    " s.fingerprint AS key, coalesce(s.fingerprint, t.fingerprint) AS"
    " fingerprint, s.decision, s.note, s.reviewer, s.sheet, s.row, s.col,"
    " min(s.seq) AS seq, count(*) AS n, t.fingerprint AS current, t.status,"
    " t.period, r.source IS NOT NULL AS unchanged"
    " FROM temp.review_stage s"
    " LEFT JOIN tickets t ON t.source = s.source AND t.ticket_id = s.ticket_id"
    " LEFT JOIN reviews r ON r.source = s.source AND r.ticket_id = s.ticket_id"
    "  AND r.fingerprint = coalesce(s.fingerprint, t.fingerprint)"
    "  AND r.decision = s.decision AND r.note = s.note"
    "  AND r.reviewer = s.reviewer"
    " GROUP BY s.source, s.ticket_id";

ta_status rv_stage_new(sqlite3 *db, const char *file, rv_stage **out,
                       char *err, size_t errlen)
{
    *out = NULL;
    rv_stage *st = calloc(1, sizeof *st);
    if (!st) {
        ta_errf(err, errlen, "%s: out of memory", file);
        return TA_E_NOMEM;
    }
    st->db = db;
    st->file = file;
    ta_status s = db_exec(db, create_sql, "preparing to read the decisions",
                          err, errlen);
    if (s == TA_OK)
        s = db_prepare(db, ins_sql, &st->ins, err, errlen);
    if (s != TA_OK) {
        rv_stage_free(st);
        return s;
    }
    *out = st;
    return TA_OK;
}

void rv_stage_free(rv_stage *st)
{
    if (!st)
        return;
    sqlite3_finalize(st->ins);
    /* Inside the transaction: a rollback would undo it anyway, and a
     * failure here leaves only a temporary table of this connection. */
    (void)sqlite3_exec(st->db,
                       "DROP TABLE IF EXISTS temp.review_stage;"
                       "DROP TABLE IF EXISTS temp.review_one",
                       NULL, NULL, NULL);
    free(st);
}

ta_status rv_stage_put(rv_stage *st, const rv_decision *d, char *err,
                       size_t errlen)
{
    size_t tlen = text_collapse(d->ticket_id, d->ticket_len, st->ticket,
                                sizeof st->ticket);
    sqlite3_stmt *ins = st->ins;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_text(ins, 1, ta_source_name(d->source), -1,
                                       SQLITE_STATIC));
    db_bound(&bound,
             sqlite3_bind_text(ins, 2, st->ticket, (int)tlen, SQLITE_STATIC));
    if (d->fingerprint)
        db_bound(&bound,
                 sqlite3_bind_text(ins, 3, d->fingerprint, -1, SQLITE_STATIC));
    else
        db_bound(&bound, sqlite3_bind_null(ins, 3));
    db_bound(&bound, sqlite3_bind_text(ins, 4, rv_value_name(d->value), -1,
                                       SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(ins, 5, d->note, (int)d->note_len,
                                       SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(ins, 6, d->reviewer,
                                       (int)d->reviewer_len, SQLITE_STATIC));
    if (d->sheet)
        db_bound(&bound,
                 sqlite3_bind_text(ins, 7, d->sheet, -1, SQLITE_STATIC));
    else
        db_bound(&bound, sqlite3_bind_null(ins, 7));
    db_bound(&bound, sqlite3_bind_int64(ins, 8, (sqlite3_int64)d->row));
    db_bound(&bound, sqlite3_bind_int64(ins, 9, (sqlite3_int64)d->col));
    ta_status s = TA_OK;
    if (bound != SQLITE_OK || sqlite3_step(ins) != SQLITE_DONE)
        s = db_fail(st->db, "staging a decision", err, errlen);
    sqlite3_reset(ins);
    st->staged++;
    return s;
}

/* ---- two decisions on one ticket ------------------------------------ */

/* The tickets of several rows of which one says something else than the
 * first (only these are looked at: copies are rare). */
static const char conflicts_sql[] =
    "SELECT o.source, o.ticket_id FROM temp.review_one o WHERE o.n > 1"
    " AND EXISTS (SELECT 1 FROM temp.review_stage s"
    "  WHERE s.source = o.source AND s.ticket_id = o.ticket_id"
    "  AND (s.fingerprint IS NOT o.key OR s.decision <> o.decision"
    "   OR s.note <> o.note OR s.reviewer <> o.reviewer))";

static const char rows_sql[] =
    "SELECT coalesce(fingerprint, ''), decision, note, reviewer, sheet, row,"
    " col FROM temp.review_stage WHERE source = ?1 AND ticket_id = ?2"
    " ORDER BY seq";

/* 1 when the columns 0-3 of two rows say the same. */
static int same_decision(sqlite3_value *const a[4], sqlite3_stmt *b)
{
    for (int i = 0; i < 4; i++) {
        int n = sqlite3_value_bytes(a[i]);
        if (n != sqlite3_column_bytes(b, i))
            return 0;
        if (n > 0 && memcmp(sqlite3_value_blob(a[i]),
                            sqlite3_column_blob(b, i), (size_t)n) != 0)
            return 0;
    }
    return 1;
}

/* The message of the first ticket of conflicts_sql: its first row and the
 * first that differs from it; more tickets are counted. */
static ta_status conflict_message(rv_stage *st, const char *source,
                                  const char *ticket, unsigned long more,
                                  char *err, size_t errlen)
{
    sqlite3_stmt *q = NULL;
    sqlite3_value *first[4] = {NULL, NULL, NULL, NULL};
    ta_buf where0, b;
    buf_init(&where0, 0);
    buf_init(&b, 0);
    ta_status s = db_prepare(st->db, rows_sql, &q, err, errlen);
    if (s != TA_OK)
        return s;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(q, 2, ticket, -1, SQLITE_STATIC));
    int mem = 0, found = 0;
    while (!found && bound == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) {
        const char *sheet = (const char *)sqlite3_column_text(q, 4);
        unsigned long row = (unsigned long)sqlite3_column_int64(q, 5);
        size_t col = (size_t)sqlite3_column_int64(q, 6);
        if (!first[0]) {
            for (int i = 0; i < 4; i++)
                mem |= !(first[i] =
                             sqlite3_value_dup(sqlite3_column_value(q, i)));
            mem |= rv_where(&where0, NULL, sheet, row, col);
        } else if (!same_decision(first, q)) {
            found = 1;
            mem |= rv_where(&b, st->file, sheet, row, col);
        }
        if (mem)
            break;
    }
    if (!mem && found)
        mem |= buf_printf(&b,
                          ": ticket %s:%s has two different decisions in "
                          "this file, here and at %s (value, note, reviewer "
                          "or key differ); one file holds one decision per "
                          "ticket: make the rows the same or delete one",
                          source, ticket, where0.p);
    if (!mem && found && more)
        mem |=
            buf_printf(&b, " (and %lu more tickets with two decisions)", more);
    if (mem) {
        ta_errf(err, errlen, "%s: out of memory", st->file);
        s = TA_E_NOMEM;
    } else if (!found) {
        /* a database error (the rows were there a moment ago) */
        s = db_fail(st->db, "checking the decisions", err, errlen);
    } else {
        ta_errf(err, errlen, "%s", b.p);
        s = TA_E_DATA;
    }
    for (int i = 0; i < 4; i++)
        sqlite3_value_free(first[i]);
    sqlite3_finalize(q);
    buf_free(&where0);
    buf_free(&b);
    return s;
}

/* TA_E_DATA naming the places when some ticket has two different
 * decisions in the file. */
static ta_status check_conflicts(rv_stage *st, char *err, size_t errlen)
{
    sqlite3_stmt *q = NULL;
    ta_status s = db_prepare(st->db, conflicts_sql, &q, err, errlen);
    if (s != TA_OK)
        return s;
    char *source = NULL, *ticket = NULL;
    unsigned long n = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n++ == 0) {
            source = strdup((const char *)sqlite3_column_text(q, 0));
            ticket = strdup((const char *)sqlite3_column_text(q, 1));
        }
    }
    if (rc != SQLITE_DONE)
        s = db_fail(st->db, "checking the decisions", err, errlen);
    sqlite3_finalize(q);
    if (s == TA_OK && n && (!source || !ticket)) {
        ta_errf(err, errlen, "%s: out of memory", st->file);
        s = TA_E_NOMEM;
    } else if (s == TA_OK && n) {
        s = conflict_message(st, source, ticket, n - 1, err, errlen);
    }
    free(source);
    free(ticket);
    return s;
}

/* ---- storing -------------------------------------------------------- */

/* The decisions of the file's tickets that say something new (not the
 * ticket's stored decision, fingerprint included), in ticket order. */
static const char log_sql[] =
    "INSERT INTO review_log (source, ticket_id, fingerprint, status,"
    " decision, note, reviewer, file, sheet, row, decided_at, file_sha256)"
    " SELECT source, ticket_id, fingerprint, status, decision, note,"
    " reviewer, ?1, sheet, row, ?2, ?3 FROM temp.review_one"
    " WHERE current IS NOT NULL AND NOT unchanged ORDER BY rowid";

static const char reviews_sql[] =
    "INSERT OR REPLACE INTO reviews (source, ticket_id, fingerprint, status,"
    " decision, note, reviewer, file, sheet, row, decided_at, log_id)"
    " SELECT source, ticket_id, fingerprint, status, decision, note,"
    " reviewer, file, sheet, row, decided_at, id FROM review_log"
    " WHERE id > ?1 ORDER BY id";

/* What the file decided: decisions, upheld, overturned, unknown tickets,
 * unchanged, stale among those stored, and tickets of several rows. */
static const char counts_sql[] =
    "SELECT count(*), coalesce(sum(decision = 'upheld'), 0),"
    " coalesce(sum(decision = 'overturned'), 0),"
    " coalesce(sum(current IS NULL), 0),"
    " coalesce(sum(current IS NOT NULL AND unchanged), 0),"
    " coalesce(sum(current IS NOT NULL AND NOT unchanged"
    "  AND fingerprint <> current), 0),"
    " coalesce(sum(n > 1), 0)"
    " FROM temp.review_one";

/* The first unknown tickets in the order read. */
static const char unknown_sql[] =
    "SELECT source, ticket_id, sheet, row, col FROM temp.review_one"
    " WHERE current IS NULL ORDER BY seq LIMIT ?1";

static const char periods_sql[] =
    "SELECT DISTINCT period FROM temp.review_one WHERE period IS NOT NULL"
    " ORDER BY 1";

/* Runs a statement to its end: its text parameters ?1..?3 from text (NULL
 * for none), or with pass_id its one integer parameter ?1 = id; the first
 * nvals columns of its (last) row go to vals. */
static ta_status run_sql(rv_stage *st, const char *sql, const char *what,
                         const char *const text[3], long long id, int pass_id,
                         unsigned long *vals, int nvals, char *err,
                         size_t errlen)
{
    sqlite3_stmt *stmt = NULL;
    ta_status s = db_prepare(st->db, sql, &stmt, err, errlen);
    if (s != TA_OK)
        return s;
    int bound = SQLITE_OK;
    for (int i = 0; text && i < 3; i++)
        if (text[i])
            db_bound(&bound, sqlite3_bind_text(stmt, i + 1, text[i], -1,
                                               SQLITE_STATIC));
    if (pass_id)
        db_bound(&bound, sqlite3_bind_int64(stmt, 1, id));
    int rc = bound;
    if (bound == SQLITE_OK)
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
            for (int i = 0; i < nvals; i++)
                vals[i] = (unsigned long)sqlite3_column_int64(stmt, i);
    if (rc != SQLITE_DONE)
        s = db_fail(st->db, what, err, errlen);
    sqlite3_finalize(stmt);
    return s;
}

/* Names the first unknown tickets, and how many more there are. */
static ta_status name_unknown(rv_stage *st, unsigned long unknown,
                              review_notice_fn notice, void *ctx, char *err,
                              size_t errlen)
{
    sqlite3_stmt *stmt = NULL;
    ta_status s = db_prepare(st->db, unknown_sql, &stmt, err, errlen);
    if (s != TA_OK)
        return s;
    int bound = sqlite3_bind_int(stmt, 1, REVIEW_SHOW_UNKNOWN);
    int rc = bound;
    ta_buf b;
    buf_init(&b, 0);
    int mem = 0;
    while (bound == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        buf_reset(&b);
        mem |=
            rv_where(&b, st->file, (const char *)sqlite3_column_text(stmt, 2),
                     (unsigned long)sqlite3_column_int64(stmt, 3),
                     (size_t)sqlite3_column_int64(stmt, 4));
        mem |= buf_printf(&b,
                          ": ticket %s:%s is not in the database: its "
                          "decision is not stored (import the export that "
                          "holds it, then read this file again)",
                          (const char *)sqlite3_column_text(stmt, 0),
                          (const char *)sqlite3_column_text(stmt, 1));
        if (mem)
            break;
        notice(ctx, b.p);
    }
    if (!mem && rc == SQLITE_DONE && unknown > REVIEW_SHOW_UNKNOWN) {
        buf_reset(&b);
        mem |= buf_printf(&b,
                          "%s: ... and %lu more tickets not in the "
                          "database, their decisions not stored",
                          st->file, unknown - REVIEW_SHOW_UNKNOWN);
        if (!mem)
            notice(ctx, b.p);
    }
    if (mem) {
        ta_errf(err, errlen, "%s: out of memory", st->file);
        s = TA_E_NOMEM;
    } else if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        s = db_fail(st->db, "listing the unknown tickets", err, errlen);
    }
    buf_free(&b);
    sqlite3_finalize(stmt);
    return s;
}

static ta_status each_period(rv_stage *st, rv_period_fn fn, void *ctx,
                             char *err, size_t errlen)
{
    sqlite3_stmt *stmt = NULL;
    ta_status s = db_prepare(st->db, periods_sql, &stmt, err, errlen);
    if (s != TA_OK)
        return s;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && s == TA_OK)
        s = fn(ctx, (const char *)sqlite3_column_text(stmt, 0));
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(st->db, "listing the periods decided", err, errlen);
    sqlite3_finalize(stmt);
    return s;
}

/* The statements of rv_stage_apply, for its progress. */
#define RV_STEPS 6

static void storing(rv_stage *st, const review_options *opt, int step)
{
    if (opt->progress)
        opt->progress(opt->ctx, st->file, REVIEW_STORING,
                      (unsigned long long)step, RV_STEPS, st->staged);
}

ta_status rv_stage_apply(rv_stage *st, const char *sha256,
                         const char *decided_at, const review_options *opt,
                         rv_period_fn period, void *period_ctx,
                         review_result *res, char *err, size_t errlen)
{
    unsigned long v[7] = {0, 0, 0, 0, 0, 0, 0}, before = 0;
    storing(st, opt, 0);
    ta_status s =
        db_exec(st->db, index_sql, "sorting the decisions", err, errlen);
    storing(st, opt, 1);
    if (s == TA_OK)
        s = db_exec(st->db, one_sql, "checking the decisions", err, errlen);
    storing(st, opt, 2);
    if (s == TA_OK)
        s = run_sql(st, counts_sql, "counting the decisions", NULL, 0, 0, v, 7,
                    err, errlen);
    if (s == TA_OK && v[6])
        s = check_conflicts(st, err, errlen);
    if (s != TA_OK)
        return s;
    res->decisions = v[0];
    res->upheld = v[1];
    res->overturned = v[2];
    res->unknown = v[3];
    res->unchanged = v[4];
    res->stale = v[5];
    storing(st, opt, 3);
    if (res->unknown && opt->notice)
        s = name_unknown(st, res->unknown, opt->notice, opt->ctx, err, errlen);
    if (s == TA_OK)
        s = run_sql(st, "SELECT coalesce(max(id), 0) FROM review_log",
                    "reading the decisions' log", NULL, 0, 0, &before, 1, err,
                    errlen);
    const char *text[3] = {st->file, decided_at, sha256};
    if (s == TA_OK)
        s = run_sql(st, log_sql, "storing the decisions", text, 0, 0, NULL, 0,
                    err, errlen);
    if (s == TA_OK)
        res->stored = (unsigned long)sqlite3_changes(st->db);
    storing(st, opt, 4);
    if (s == TA_OK && res->stored)
        s = run_sql(st, reviews_sql, "storing the decisions", NULL,
                    (long long)before, 1, NULL, 0, err, errlen);
    storing(st, opt, 5);
    if (s == TA_OK && period)
        s = each_period(st, period, period_ctx, err, errlen);
    storing(st, opt, RV_STEPS);
    return s;
}
