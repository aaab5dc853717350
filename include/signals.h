/*
 * signals.h — what the memo does not forbid but a QA lead wants to see
 * (SPEC §4 "Beyond the memo"): contacts reused across many customers, CSOs
 * who exempt far more often than their team, and APKT reports whose
 * contacts disagree with the CRM ticket they name.
 *
 * Signals are computed from the verdicts already stored in `tickets`
 * (status, codes, hp_state/email_state, hp_norm/email_norm) and written to
 * the `signals` table (docs/schema.md). They never change a ticket's
 * status. The reasoning, the choices the spec left open and the measured
 * cost are in docs/signals.md.
 *
 * Usage, right after audit_run:
 *     signals_counts n;
 *     if (signals_compute(db, rs, period, &n, err, sizeof err) != TA_OK)
 *         ... err names what failed ...
 */
#ifndef TICKET_AUDIT_SIGNALS_H
#define TICKET_AUDIT_SIGNALS_H

#include <stddef.h>

#include "audit.h"
#include "rules.h"
#include "ta.h"

typedef struct sqlite3 sqlite3;

/* Signals written, per kind. */
typedef struct signals_counts {
    unsigned long reused_contacts;         /* kind reused_contact */
    unsigned long exemption_outliers;      /* kind exemption_outlier */
    unsigned long cross_system_mismatches; /* kind cross_system_mismatch */
} signals_counts;

/* Deletes the `signals` rows of period ("YYYY-MM"), or of every period
 * when period is NULL, and computes them again from `tickets` with the
 * parameters of rs (rules_reused_min_customers, rules_outlier_mad_factor,
 * rules_outlier_min_tickets). Runs inside one SAVEPOINT, so it can be
 * called inside or outside a transaction: on error nothing changed.
 * out (if not NULL) receives the counts. Errors: TA_E_IO / TA_E_CANTCREAT
 * (database) or TA_E_NOMEM, with a message in err. */
ta_status signals_compute(sqlite3 *db, const rules *rs, const char *period,
                          signals_counts *out, char *err,
                          size_t errlen) TA_WUR;

/* ---- feeding the signals from a scan already under way ----------------
 *
 * signals_compute reads the tickets once itself. A caller that reads every
 * ticket of the scope anyway (audit_run judging them) can instead hand each
 * one to a feed, then write the signals from what the feed gathered, which
 * saves that read (docs/signals.md, "Cost"). The feed keeps counts per CSO
 * and month and hashed keys in external sorts: its memory does not grow
 * with the number of tickets.
 *
 *     signals_feed *f = signals_feed_new(rs, period);
 *     for each ticket of the scope: signals_feed_add(f, &row, err, errlen);
 *     signals_feed_write(f, db, &counts, err, errlen);
 *     signals_feed_free(f);
 *
 * or, fed by the audit's own reading of the tickets:
 *
 *     audit_run(db, rs, period, 0, signals_feed_on_ticket, f, &sum, ...);
 *     if (sum.audit_id != 0) signals_feed_write(f, db, &counts, ...);
 *
 * The strings of a row are only read during the call. */
typedef struct signals_text {
    const char *p; /* NULL is read as "" */
    size_t n;
} signals_text;

typedef struct signals_row {
    long long rowid;
    ta_source source;
    signals_text period, cso, idpel, name, ticket_id, crm_ticket;
    signals_text hp_norm, email_norm;      /* the stored normalized contacts */
    int hp_placeholder, email_placeholder; /* already a violation */
    int in_scope, exempt;                  /* from the ticket's status */
    const char *codes;                     /* its codes, "" when none */
} signals_row;

/* The row of a ticket, made the one way whoever hands it (the import as
 * it stores a ticket, the audit as it judges one): its fields as the
 * rules read them (v, len: NULL absent), its period, its verdict's
 * states and its normalized contacts and codes (NUL-terminated). The
 * strings are pointed to, not copied. */
signals_row signals_row_of(long long rowid, ta_source source,
                           const char *period, size_t period_len,
                           const char *const v[TA_F_COUNT],
                           const size_t len[TA_F_COUNT], rules_status status,
                           rules_hp_state hp, rules_email_state email,
                           const char *hp_norm, const char *email_norm,
                           const char *codes);

typedef struct signals_feed signals_feed;

/* A feed for the tickets of period (NULL: every period) judged with rs,
 * which must outlive the feed. NULL when out of memory. */
signals_feed *signals_feed_new(const rules *rs, const char *period);
void signals_feed_free(signals_feed *f);

/* Takes one ticket. Errors: TA_E_NOMEM, TA_E_CANTCREAT (temporary file). */
ta_status signals_feed_add(signals_feed *f, const signals_row *r, char *err,
                           size_t errlen) TA_WUR;

/* ---- fed as the tickets are stored -------------------------------------
 *
 * An import can feed each ticket as it stores it (the import's on_ticket,
 * wired by the command), so that no one reads them again for the signals.
 * A later row of the same ticket replaces the earlier one (SPEC §3): the
 * feed is then told with signals_feed_remove, and the replaced ticket
 * counts nowhere. signals_feed_set_stored, before the first ticket, makes
 * the reused-contact records carry the row's rowid, so that the merge can
 * leave out those of replaced tickets (SQLite never gives a rowid again:
 * the replacing row's is larger). */
void signals_feed_set_stored(signals_feed *f);

/* The ticket r (rowid, period, cso, in_scope, exempt and codes are read)
 * fed earlier was replaced. Errors: TA_E_NOMEM, also when more tickets
 * were replaced than the feed keeps (SIGNALS_MAX_REMOVED): the feed must
 * then be given up (the signals computed from a scan instead). */
#define SIGNALS_MAX_REMOVED 65536
ta_status signals_feed_remove(signals_feed *f, const signals_row *r,
                              char *err, size_t errlen) TA_WUR;

/* An audit_ticket_fn (audit.h) that hands each ticket audit_run judges
 * to the feed given as ctx, as signals_feed_add. */
ta_status signals_feed_on_ticket(void *feed, const audit_ticket *t, char *err,
                                 size_t errlen) TA_WUR;

/* Ends the feed (no ticket may be added after) and starts merging its
 * sorts on threads of their own, so that the merge runs while the caller
 * finishes something else, e.g. the import's commit waiting for the
 * disk. signals_feed_write calls it if the caller has not. Errors:
 * TA_E_NOMEM, TA_E_CANTCREAT (temporary file); the feed must then be
 * given up. */
ta_status signals_feed_finish(signals_feed *f, char *err,
                              size_t errlen) TA_WUR;

/* Replaces the scope's rows of `signals` with what the feed found, as
 * signals_compute does, and records them as up to date. The feed must
 * have seen every ticket of its scope as it is now in db. */
ta_status signals_feed_write(signals_feed *f, sqlite3 *db, signals_counts *out,
                             char *err, size_t errlen) TA_WUR;

/* A phase of the signals ("sorting the contacts", "cross-system
 * mismatches", ...), told as it starts, for a progress line on a
 * terminal. */
typedef void (*signals_progress_fn)(void *ctx, const char *phase);

/* Tells fn (NULL: nobody) each phase of signals_feed_write and
 * signals_feed_compute. */
void signals_feed_set_progress(signals_feed *f, signals_progress_fn fn,
                               void *ctx);

/* signals_compute with the feed f (new, fed nothing, of the scope and
 * rules wanted) instead of one of its own: its progress callback is
 * told. The feed is spent afterwards; free it. SIGINT / SIGTERM stop it
 * (TA_E_INTERRUPTED, nothing changed), as they stop signals_feed_write
 * and signals_compute. */
ta_status signals_feed_compute(signals_feed *f, sqlite3 *db,
                               signals_counts *out, char *err,
                               size_t errlen) TA_WUR;

/* The spread used for the outlier threshold, in percentage points, from
 * the median absolute deviation of the CSOs' rates: 1.4826 x mad, but
 * never less than SIGNALS_MIN_SPREAD (docs/signals.md: a team whose rates
 * are all equal has MAD 0, and one more exemption must not make an
 * outlier). threshold = median + factor x signals_spread(mad). */
#define SIGNALS_MIN_SPREAD 1.0
double signals_spread(double mad);

/* Median of n values (sorted in place); 0 when n is 0. */
double signals_median(double *v, size_t n);

#endif
