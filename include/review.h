/*
 * review.h — the QA review read back (SPEC §5 "Review", docs/review.md):
 * the decisions the QA team typed into edited workbooks, or listed in CSV
 * files, stored in the database's `reviews` and `review_log`; and the
 * figures after review that every output shows.
 *
 * A file is read whole, in one transaction (nothing of it is stored when
 * any of its decisions is invalid), with the streaming workbook reader
 * (workbook.h) or the CSV reader (csv.h), which one decided by the
 * content (wb_sniff). Memory does not grow with the file: each decision
 * goes to a temporary table of SQLite's, which spills to a temporary file.
 *
 * The module knows nothing of the report's layout beyond the names of the
 * decision columns, and never writes a workbook; it prints nothing and
 * hands its messages back (err, review_options.notice).
 *
 * Usage:
 *
 *     review_run *rr = NULL;
 *     ta_status s = review_run_new(db, &opt, &rr);       (TA_E_NOMEM)
 *     for each FILE:
 *         review_result res;
 *         s = review_run_file(rr, path, &res, err, sizeof err);
 *         ... say what res counts, or err ...
 *     for (size_t i = 0; i < review_run_periods(rr); i++)
 *         review_get_figures(db, review_run_period(rr, i), &fig, ...);
 *     review_run_free(rr);
 */
#ifndef TICKET_AUDIT_REVIEW_H
#define TICKET_AUDIT_REVIEW_H

#include <stddef.h>

#include "ta.h"

typedef struct sqlite3 sqlite3;

/* How many tickets not in the database are named, per file, before the
 * rest are only counted. */
#define REVIEW_SHOW_UNKNOWN 5

/* What a file's progress is about. */
typedef enum review_phase {
    REVIEW_READING, /* done, total: bytes of the sheet being read (of the
                       file, for CSV); rows: rows read so far */
    REVIEW_STORING, /* done, total: statements run of all (checking,
                       counting, storing); rows: the rows with a decision */
    REVIEW_DONE     /* the file is over (read, refused or failed): the
                       progress line can go */
} review_phase;

/* Progress of one file, called every few thousand rows while reading and
 * between the statements that store (each takes a second or more on a
 * million decisions). */
typedef void (*review_progress_fn)(void *ctx, const char *file,
                                   review_phase phase, unsigned long long done,
                                   unsigned long long total,
                                   unsigned long rows);

/* A warning that does not fail the file: a ticket that is not in the
 * database ("d.xlsx:Temuan!M17: ... not in the database ..."), at most
 * REVIEW_SHOW_UNKNOWN of them a file, then one line with how many more.
 * msg is valid during the call. */
typedef void (*review_notice_fn)(void *ctx, const char *msg);

typedef struct review_options {
    review_progress_fn progress; /* NULL: none */
    review_notice_fn notice;     /* NULL: unknown tickets are only counted */
    void *ctx;                   /* handed to both */
    long long now; /* the time stored as decided_at, seconds since the
                      epoch; 0: the time each file is read (tests set it) */
} review_options;

/* What one file held. Of the decisions, unknown + unchanged + stored =
 * decisions; stale counts among the stored ones those whose key names
 * another version of the ticket than the one in the database. */
typedef struct review_result {
    const char *format;      /* "xlsx", "xls" or "csv" (static) */
    unsigned long sheets;    /* sheets with the decision columns (0: CSV) */
    unsigned long decisions; /* rows with a key and a decision; rows of the
                                same ticket with the same decision (a copy)
                                count once */
    unsigned long upheld, overturned; /* of decisions */
    unsigned long unknown;   /* their ticket is not in the database: not
                                stored */
    unsigned long unchanged; /* the same as the ticket's stored decision
                                (value, note, reviewer, fingerprint):
                                nothing stored, nothing logged */
    unsigned long stored;    /* rows added to review_log (and reviews) */
    unsigned long stale;     /* of stored: stored as stale */
    char sha256[65];         /* of the file's bytes (review_log.file_sha256) */
} review_result;

typedef struct review_run review_run;

/* Prepares to read decision files into db (opened with db_open, schema
 * version 2). opt may be NULL (no progress, no notices, the current
 * time); it is copied. TA_OK or TA_E_NOMEM; *out is then NULL. */
ta_status review_run_new(sqlite3 *db, const review_options *opt,
                         review_run **out) TA_WUR;

/* Reads the decisions of the file at path (a workbook or a CSV file, the
 * content decides) in one transaction and fills *res. Returns TA_OK (the
 * decisions stored; unknown tickets named through opt->notice), or with
 * nothing of the file stored and err saying "FILE[:Sheet!Cell|:LINE]:
 * what; what to do": TA_E_NOINPUT (missing or unreadable), TA_E_DATA (not
 * a readable workbook or CSV, no decision columns, an invalid decision
 * value or key — the message lists the allowed values —, two different
 * decisions on one ticket), TA_E_IO (the file changed while it was read;
 * a database error), TA_E_CANTCREAT, TA_E_NOMEM, TA_E_INTERRUPTED. */
ta_status review_run_file(review_run *rr, const char *path, review_result *res,
                          char *err, size_t errlen) TA_WUR;

/* The periods ("YYYY-MM", in order) of the tickets decided in the files
 * read so far (stored, unchanged or stale), and the i-th of them (NULL
 * past the end; valid until the next review_run_file or review_run_free). */
size_t review_run_periods(const review_run *rr);
const char *review_run_period(const review_run *rr, size_t i);

/* Frees; NULL is a no-op. */
void review_run_free(review_run *rr);

/* The figures after review of one period (NULL: all periods), from
 * reviewed_results: of the stored decisions on the period's tickets,
 * upheld and overturned count those that apply and stale those that no
 * longer do (upheld + overturned + stale = decisions); compliance (SPEC
 * §4) over status and, after review, over final_status, in hundredths of
 * a percent computed by summary_centi. The one definition the JSON, the
 * text summary and the workbooks are to share. */
typedef struct review_figures {
    unsigned long tickets;   /* the period's tickets */
    unsigned long decisions; /* stored decisions on them */
    unsigned long upheld, overturned, stale;
    unsigned long in_scope;     /* compliant + exempt + violation (the same
                                   before and after review) */
    int has_compliance;         /* 0 when in_scope is 0: both undefined */
    long long compliance_centi; /* over status (6667 = 66.67 %) */
    long long reviewed_centi;   /* over final_status */
} review_figures;

ta_status review_get_figures(sqlite3 *db, const char *period,
                             review_figures *f, char *err,
                             size_t errlen) TA_WUR;

#endif
