/*
 * review_figures.c — the figures after review of a period (review.h):
 * the stored decisions on its tickets (applying: upheld, overturned; no
 * longer applying: stale) and compliance before and after review, read
 * from the view reviewed_results in one pass.
 *
 * The view decides what applies (the fingerprint reviewed is the
 * ticket's) and what an overturned decision makes of a status; this file
 * only counts, and leaves the percentage to summary_centi, the one
 * computation of compliance.
 */
#include "review.h"

#include <sqlite3.h>

#include "db.h"
#include "summary.h"

static const char figures_sql[] =
    "SELECT count(*), count(stored_decision),"
    " coalesce(sum(decision = 'upheld'), 0),"
    " coalesce(sum(decision = 'overturned'), 0),"
    " coalesce(sum(stale), 0),"
    " coalesce(sum(status IN ('compliant', 'exempt', 'violation')), 0),"
    " coalesce(sum(status IN ('compliant', 'exempt')), 0),"
    " coalesce(sum(final_status IN ('compliant', 'exempt', 'violation')), 0),"
    " coalesce(sum(final_status IN ('compliant', 'exempt')), 0)"
    " FROM reviewed_results WHERE ?1 IS NULL OR period = ?1";

ta_status review_get_figures(sqlite3 *db, const char *period,
                             review_figures *f, char *err, size_t errlen)
{
    static const review_figures none;
    *f = none;
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db, figures_sql, &st, err, errlen);
    if (s != TA_OK)
        return s;
    int bound = SQLITE_OK;
    if (period)
        db_bound(&bound, sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC));
    if (bound != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        s = db_fail(db, "reading the figures after review", err, errlen);
        sqlite3_finalize(st);
        return s;
    }
    unsigned long v[9];
    for (int i = 0; i < 9; i++)
        v[i] = (unsigned long)sqlite3_column_int64(st, i);
    sqlite3_finalize(st);
    f->tickets = v[0];
    f->decisions = v[1];
    f->upheld = v[2];
    f->overturned = v[3];
    f->stale = v[4];
    f->in_scope = v[5];
    /* Overturning moves a ticket between compliant, exempt and
     * violation, never out of scope: both denominators are the same. */
    f->has_compliance = v[5] > 0 && v[7] > 0;
    if (f->has_compliance) {
        f->compliance_centi = summary_centi(v[6], v[5]);
        f->reviewed_centi = summary_centi(v[8], v[7]);
    }
    return TA_OK;
}
