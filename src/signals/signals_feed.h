/*
 * signals_feed.h — private to signals.c and signals_feed.c: how
 * the feed of include/signals.h hands what it gathered to the writer.
 *
 * The feed turns every ticket into sorted records (extsort.h) and counts
 * per CSO and month. A record's payload holds the strings its signal will
 * show, so writing needs no look-up; a record whose strings would not fit
 * EXTSORT_MAX_PAYLOAD holds its ticket's rowid only ("by reference") and
 * the writer reads the strings back.
 */
#ifndef TICKET_AUDIT_SIGNALS_FEED_H
#define TICKET_AUDIT_SIGNALS_FEED_H

#include <stdint.h>

#include "extsort.h"
#include "signals.h"

/* The exemption codes of SPEC §4, in byte order (the order of `codes`). */
#define FEED_EX_CODES 4
extern const char *const feed_ex_codes[FEED_EX_CODES];

/* Reused-contact records: k1 = hash of period, kind and contact with the
 * kind (0 hp, 1 email) in bit 0; k2 = hash of the customer, 0 for none.
 * Fields: period, contact, cso. */
#define REUSE_FIELDS 3
/* Cross-system records: k1 = hash of the CRM ticket id (the CRM ticket's
 * ticket_id, the APKT report's crm_ticket); k2 = rowid, with CROSS_APKT
 * set for a report, so a CRM ticket sorts before the reports naming it. */
#define CROSS_FIELDS 6
#define CROSS_APKT (1ULL << 63)
enum { X_PERIOD, X_TICKET, X_CRM_TICKET, X_CSO, X_EMAIL, X_HP };
#define FEED_MAX_FIELDS 6

/* Decodes a record: its nfields strings, pointing into the record (1), or
 * the rowid of a record by reference (0: read the strings back); -1 when
 * it is malformed. A CRM ticket's X_PERIOD and X_CRM_TICKET are empty. */
int feed_unpack(const extsort_rec *r, int nfields, long long *rowid,
                signals_text *out);

/* The counts of one CSO in one period. */
typedef struct feed_month {
    char period[8];
    const char *cso;
    size_t cso_len;
    unsigned long in_scope, exempt, codes[FEED_EX_CODES];
} feed_month;

/* Ends the feeding: waits for the worker thread and reports its error, if
 * any. Then the accessors below may be used. */
ta_status feed_end(signals_feed *f, char *err, size_t errlen) TA_WUR;

/* The status and message for a failure with errno e of the feed or the
 * sorts: out of memory, or a temporary file that could not be made or
 * written (TA_E_CANTCREAT). */
ta_status feed_fail(int e, char *err, size_t errlen) TA_WUR;

const rules *feed_rules(const signals_feed *f);
const char *feed_period(const signals_feed *f); /* NULL: every period */
extsort *feed_reuse(signals_feed *f);
/* NULL for one period: then the mismatches are SQL's */
extsort *feed_cross(signals_feed *f);

/* 1 when there were more CSO-months than the feed keeps (a hostile
 * export): the writer then counts them in SQL. */
int feed_months_full(const signals_feed *f);

/* The CSO-months with at least min_in_scope tickets in scope, sorted by
 * period then CSO, in an array the caller frees (its entries belong to
 * the feed); NULL with *n = 0 when none, NULL with *n = 1 when out of
 * memory. */
feed_month **feed_months(signals_feed *f, unsigned long min_in_scope,
                         size_t *n);

#endif
