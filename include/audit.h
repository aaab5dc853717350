/*
 * audit.h — evaluating the rules on every imported ticket (SPEC §4) and
 * storing one row per ticket in audit_results (SPEC §5).
 *
 * It reads tickets from the database, asks the rules module for each
 * verdict, and writes the results in one transaction, recording in
 * `audits` which rules were used (the rules' fingerprint and the program
 * version) so that every report can be traced to its rules.
 */
#ifndef TICKET_AUDIT_AUDIT_H
#define TICKET_AUDIT_AUDIT_H

#include <stddef.h>

#include "db.h"
#include "rules.h"
#include "ta.h"

typedef struct audit_summary {
    long long audit_id;
    unsigned long tickets, compliant, exempt, violation, out_of_scope;
} audit_summary;

/* Evaluates every ticket, or only those of period ("YYYY-MM") when period
 * is not NULL, replacing their earlier results. Errors: TA_E_IO /
 * TA_E_CANTCREAT (database), TA_E_NOMEM. */
ta_status audit_run(sqlite3 *db, const rules *rs, const char *period,
                    audit_summary *sum, char *err, size_t errlen) TA_WUR;

#endif
