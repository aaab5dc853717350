/*
 * summary.h — the figures of an audited database as the CI-facing outputs
 * need them: the --json object of SPEC §5, a short human summary, the
 * totals main uses to choose check's exit status, and the per-CSO rows the
 * JUnit writer reports.
 *
 * Everything is read from the database after import + audit (tables
 * imports and audit_results, docs/schema.md); nothing here writes to the
 * database (only to temporary tables of the connection), prints or exits.
 * Every figure is a sum over the tickets counted once by period, CSO,
 * status and codes, and that count is kept for the next call while the
 * database has not changed. Strings handed back are malloc'd and valid
 * UTF-8 whatever bytes the data holds (each maximal invalid subpart
 * becomes one U+FFFD, utf8.h's rule).
 *
 * Compliance (SPEC §4) = (compliant + exempt) / (compliant + exempt +
 * violation) in percent, rounded half up to two decimals with integer
 * arithmetic (so 2/3 is exactly 66.67 and no binary-float surprise moves a
 * value across a --fail-under boundary); undefined when nothing is in
 * scope.
 */
#ifndef TICKET_AUDIT_SUMMARY_H
#define TICKET_AUDIT_SUMMARY_H

#include <stddef.h>

#include "ta.h"

typedef struct sqlite3 sqlite3;

/* Version of the --json layout (key "json_version"); raised only when a
 * key is removed or changes meaning — new keys may appear at any time. */
#define SUMMARY_JSON_VERSION 1

/* Totals of one period (or all). Row counts are over every import: a
 * rejected row has no reliable period, so they are never filtered. */
typedef struct summary_totals {
    unsigned long tickets; /* audited tickets (audit_results rows) */
    unsigned long compliant, exempt, violation, out_of_scope;
    unsigned long files; /* rows of imports */
    unsigned long rows_read, rows_imported, rows_rejected;
    int has_compliance;         /* 0 when compliant+exempt+violation = 0 */
    long long compliance_centi; /* hundredths of a percent (6667) */
    double compliance_pct;      /* compliance_centi / 100.0 (66.67) */
    /* the signals of the period (rows of `signals`, by kind) */
    unsigned long reused_contacts, exemption_outliers, cross_system_mismatches;
    /* the QA review (SPEC §5 "Review"): the stored decisions on the
     * period's tickets, those that apply (upheld, overturned) and those
     * that no longer do (stale), and compliance over final_status of
     * reviewed_results (equal to compliance_centi while no decision
     * applies) */
    unsigned long decisions, upheld, overturned, stale;
    long long reviewed_centi; /* valid when has_compliance */
    double reviewed_pct;
} summary_totals;

/* One CSO's figures, as handed to a summary_each_cso callback. */
typedef struct summary_cso {
    const char *cso; /* as imported, "" for none; raw bytes, may be
                        invalid UTF-8; valid only during the callback */
    size_t cso_len;  /* bytes of cso (it may hold NUL bytes) */
    unsigned long tickets, compliant, exempt, violation, out_of_scope;
    int has_compliance;
    long long compliance_centi;
    double compliance_pct;
    /* signals naming this CSO in the period: reused contacts it entered
     * on a ticket, its exemption outliers, cross-system mismatches whose
     * APKT report or CRM ticket it entered (each signal once) */
    unsigned long reused_contacts, exemption_outliers, cross_system_mismatches;
    long long reviewed_centi; /* compliance after review, valid when
                                 has_compliance */
    double reviewed_pct;
} summary_cso;

/* Callback of summary_each_cso: return 0 to go on, non-zero to stop. */
typedef int (*summary_cso_fn)(void *ctx, const summary_cso *row);

/* Fills *t for period ("YYYY-MM") or for all periods when period is NULL.
 * TA_E_IO with a message in err on a database error. (Not named
 * summary_totals: C gives the type and a function one name space.) */
ta_status summary_get_totals(sqlite3 *db, const char *period,
                             summary_totals *t, char *err,
                             size_t errlen) TA_WUR;

/* Calls fn for each CSO of period (NULL: all) in the order of
 * summary_cso_cmp. */
ta_status summary_each_cso(sqlite3 *db, const char *period, summary_cso_fn fn,
                           void *ctx, char *err, size_t errlen) TA_WUR;

/* The --json object (docs/json.md) for period or all (NULL), as a
 * malloc'd NUL-terminated string without a trailing newline; the caller
 * frees it. Built with SQLite's JSON functions, then made valid UTF-8. */
ta_status summary_json(sqlite3 *db, const char *period, char **out, char *err,
                       size_t errlen) TA_WUR;

/* A short human summary (period, files and row counts, totals by status,
 * compliance, the worst_n CSOs with their compliance), several lines each
 * ending in '\n', malloc'd; the caller frees it and main prints it.
 * Control characters from the data are shown as U+FFFD. */
ta_status summary_text(sqlite3 *db, const char *period, int worst_n,
                       char **out, char *err, size_t errlen) TA_WUR;

/* The exit decision of `check`: returns 1 when t's compliance (rounded to
 * two decimals) is below fail_under (given when has_fail_under), or when
 * t->rows_rejected exceeds max_rejected (given when has_max_rejected);
 * else 0. Undefined compliance (no ticket in scope: every row rejected or
 * out of scope) fails --fail-under whatever its value (SPEC §2: nothing
 * in scope to judge is no pass); --max-rejected applies as ever. When
 * failing, why (if not NULL) receives one line per reason, joined by
 * "; ", e.g. "compliance 66.67% is below --fail-under 90%". */
int summary_check_fails(const summary_totals *t, int has_fail_under,
                        double fail_under, int has_max_rejected,
                        unsigned long max_rejected, char *why, size_t whylen);

/* The months (YYYY-MM) that hold tickets. Sets *has to 1 when period
 * (NULL: any month) holds a ticket, else 0; then, and only then (it
 * reads the whole table), *months receives the months that do, ascending
 * and joined by ", " ("" when none), malloc'd for the caller to free;
 * otherwise *months is NULL. For the message of a --period without
 * tickets (SPEC §2, exit 65). */
ta_status summary_months(sqlite3 *db, const char *period, int *has,
                         char **months, char *err, size_t errlen) TA_WUR;

/* Compliance in hundredths of a percent of num/den, rounded half up;
 * den must be > 0. summary_centi(2, 3) = 6667. The one computation of
 * compliance: the JSON, the text summary, JUnit and the workbook all
 * take their figures from it. */
long long summary_centi(unsigned long long num, unsigned long long den);

/* The one CSO order of every output (the workbook's Per CSO sheet and its
 * chart, --json's by_cso, JUnit, the text summary's worst CSOs): worst
 * compliance first (compliance_centi ascending), CSOs with no ticket in
 * scope last, then most violations, then the name in byte order (cso,
 * cso_len). Uses has_compliance, compliance_centi, violation, cso and
 * cso_len only. <0, 0 or >0, as qsort wants. */
int summary_cso_cmp(const summary_cso *a, const summary_cso *b);

/* ---- counted as the tickets are stored -------------------------------
 *
 * Counting the tickets is one scan of them. An import into a database
 * without tickets can count them as it stores them instead, and the
 * figures then need no scan (docs/benchmarks.md, "Pipeline"):
 *
 *     summary_feed *f = summary_feed_new();
 *     each ticket stored:   summary_feed_count(f, 0, its stored columns);
 *     each one replaced:    summary_feed_count(f, 1, its stored columns);
 *     once every ticket in db is one f counted, as it is stored now:
 *         summary_feed_use(f, db, err, errlen);
 *     summary_feed_free(f);
 *
 * The counts stand for the scan until the database changes. */
typedef struct summary_feed summary_feed;

/* NULL when out of memory. */
summary_feed *summary_feed_new(void);
void summary_feed_free(summary_feed *f);

/* Counts one ticket stored (replaced 0) or one replaced by a later row
 * (replaced 1: it counts nowhere), by its columns as stored: period,
 * cso ('' for none), status and codes (NUL-terminated). Past the groups
 * a feed keeps (a hostile export's thousands of CSOs), or out of memory,
 * the feed gives up and summary_feed_use does nothing. */
void summary_feed_count(summary_feed *f, int replaced, const char *period,
                        size_t period_len, const char *cso, size_t cso_len,
                        const char *status, const char *codes);

/* Makes the feed's counts the ones the figures read. TA_OK also when the
 * feed gave up (the figures then scan). Errors: TA_E_IO (database). */
ta_status summary_feed_use(summary_feed *f, sqlite3 *db, char *err,
                           size_t errlen) TA_WUR;

#endif
