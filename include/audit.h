/*
 * audit.h — (re)evaluating the rules on imported tickets (SPEC §4).
 *
 * Import already judges every row as it loads it, with the rules it was
 * given; `audit` judges again what is in the database whose verdict is
 * stale — after the rules or the program changed, for all periods or one —
 * and records in `audits` which rules were
 * used (the rules' fingerprint and the program version), so every report
 * can be traced to its rules. The verdict lives in the ticket's row; the
 * view audit_results (SPEC §5) shows one row per ticket.
 */
#ifndef TICKET_AUDIT_AUDIT_H
#define TICKET_AUDIT_AUDIT_H

#include <stddef.h>

#include "db.h"
#include "rules.h"
#include "ta.h"

typedef struct audit_summary {
    long long audit_id; /* 0 when nothing was judged */
    /* tickets judged, by the status reached */
    unsigned long tickets, compliant, exempt, violation, out_of_scope;
    /* 1 when every ticket of the scope was judged (and handed to the
     * callback); 0 when only the stale ones were, or none */
    int whole_scope;
} audit_summary;

/* One ticket as audit_run has just judged it. Everything it points to is
 * valid only during the callback. */
typedef struct audit_ticket {
    long long rowid;              /* the ticket's rowid in `tickets` */
    const char *period;           /* its period as stored, "YYYY-MM" */
    size_t period_len;            /* bytes of period */
    const rules_ticket *ticket;   /* its canonical fields */
    const rules_verdict *verdict; /* the verdict just reached */
} audit_ticket;

/* Called for every ticket audit_run judges, in rowid order (the pattern of
 * csv's callbacks): TA_OK to go on; any other status stops the audit,
 * which rolls back and returns it (the callback's message in err). */
typedef ta_status (*audit_ticket_fn)(void *ctx, const audit_ticket *t,
                                     char *err, size_t errlen);

/* Progress of an audit, for a terminal: tickets judged so far, and how
 * far through the table the audit has read, done of total (rowids: the
 * tickets are read in rowid order, so with a --period this counts the
 * tickets skipped too). Called once before the first ticket and after
 * each chunk of a few thousand. */
typedef void (*audit_progress_fn)(void *ctx, unsigned long tickets,
                                  unsigned long long done,
                                  unsigned long long total);

/* What audit_run_with may be given besides the scope. */
typedef struct audit_options {
    int only_stale;            /* as audit_run's only_stale */
    audit_ticket_fn on_ticket; /* NULL: none */
    void *ticket_ctx;
    audit_progress_fn progress; /* NULL: none */
    void *progress_ctx;
} audit_options;

/* Judges every ticket, or only those of period ("YYYY-MM") when period is
 * not NULL, and stores the verdicts. When only_stale is set, judges only
 * the tickets of that scope judged with other rules (another fingerprint)
 * or another program version (SPEC §6), and does nothing (no `audits`
 * row, sum->audit_id 0) when there are none. When on_ticket is not NULL
 * and the audit judges the whole scope (sum->whole_scope), every ticket
 * is also handed to it with ctx (the signals are fed this way:
 * signals_feed_on_ticket in signals.h); when only_stale skips some
 * current tickets, it is handed none, and the caller reads what it needs
 * of the scope itself (signals_feed_compute).
 * Runs in a transaction of its own, or, when the caller has one open, in
 * a savepoint of it (then nothing is committed until the caller does).
 * Errors: TA_E_IO / TA_E_CANTCREAT (database), TA_E_NOMEM,
 * TA_E_INTERRUPTED, or the callback's status. */
ta_status audit_run(sqlite3 *db, const rules *rs, const char *period,
                    int only_stale, audit_ticket_fn on_ticket, void *ctx,
                    audit_summary *sum, char *err, size_t errlen) TA_WUR;

/* audit_run with its options in o (NULL: all off), and the progress
 * callback. SIGINT / SIGTERM stop it between two chunks, or inside a
 * statement (interrupt.h): TA_E_INTERRUPTED, everything rolled back. */
ta_status audit_run_with(sqlite3 *db, const rules *rs, const char *period,
                         const audit_options *o, audit_summary *sum, char *err,
                         size_t errlen) TA_WUR;

#endif
