/*
 * audit.h — (re)evaluating the rules on imported tickets (SPEC §4).
 *
 * Import already judges every row as it loads it, with the rules it was
 * given; `audit` judges again what is in the database — after the rules
 * changed, or for one period — and records in `audits` which rules were
 * used (the rules' fingerprint and the program version), so every report
 * can be traced to its rules. The verdict lives in the ticket's row; the
 * view audit_results (SPEC §5) shows one row per ticket.
 */
#ifndef TICKET_AUDIT_AUDIT_H
#define TICKET_AUDIT_AUDIT_H

#include <stddef.h>

#include "db.h"
#include "rules.h"
#include "signals.h"
#include "ta.h"

typedef struct audit_summary {
    long long audit_id; /* 0 when nothing was judged */
    unsigned long tickets, compliant, exempt, violation, out_of_scope;
} audit_summary;

/* Judges every ticket, or only those of period ("YYYY-MM") when period is
 * not NULL, and stores the verdicts. When only_stale is set, does nothing
 * unless some of those tickets were judged with other rules (another
 * fingerprint) or another program version. When sig is not NULL, every
 * ticket judged is also handed to it (signals.h), so that when
 * sum->audit_id is not 0 it has seen the whole scope and
 * signals_feed_write can follow without reading the tickets again.
 * Runs in a transaction of its own, or, when the caller has one open, in
 * a savepoint of it (then nothing is committed until the caller does).
 * Errors: TA_E_IO / TA_E_CANTCREAT (database), TA_E_NOMEM. */
ta_status audit_run(sqlite3 *db, const rules *rs, const char *period,
                    int only_stale, signals_feed *sig, audit_summary *sum,
                    char *err, size_t errlen) TA_WUR;

#endif
