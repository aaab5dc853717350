/*
 * signals_merge.h — private to signals.c: reading the feed's sorted
 * records back on two threads while the caller writes.
 *
 * Once the feed has ended (signals_feed.h), merge_start reads its two
 * external sorts on two threads of its own:
 *
 * - the pairing thread meets each APKT report with the CRM ticket it
 *   names (a CRM record sorts before the reports naming it) and passes
 *   every pair whose contacts may differ through a small queue, so the
 *   caller inserts mismatches while pairing goes on;
 * - the grouping thread counts each contact's customers by hash and keeps
 *   the records of the contacts that may reach the minimum, in a
 *   temporary file the caller reads once the mismatches are written.
 *
 * The caller still compares the strings of everything it writes: these
 * threads only discard what cannot be a signal. Memory: the sorts' merge
 * windows, four 256 KiB queue blocks, and one contact's records up to
 * 4 MiB (a larger contact goes to the file as it comes).
 */
#ifndef TICKET_AUDIT_SIGNALS_MERGE_H
#define TICKET_AUDIT_SIGNALS_MERGE_H

#include "extsort.h"

typedef struct sig_merge sig_merge;

/* Starts the threads on reuse (grouped against min_customers) and cross
 * (NULL: no pairing). Both sorts are the threads' until merge_free.
 * NULL with errno set on failure. */
sig_merge *merge_start(extsort *reuse, extsort *cross,
                       unsigned long min_customers);

/* The next (CRM ticket, APKT report) pair: 1, 0 at the end, -1 with
 * errno. The records' k1/k2 are not set; their bytes are valid until the
 * next call. */
int merge_next_pair(sig_merge *m, extsort_rec *crm, extsort_rec *apkt);

/* The next record of a contact that may be reused, contact after contact
 * (r->k1 the contact's key, r->k2 the customer's hash): 1, 0 at the end,
 * -1 with errno. Waits for the grouping thread on the first call. */
int merge_next_reused(sig_merge *m, extsort_rec *r);

/* Stops the threads (whatever they were doing) and frees. */
void merge_free(sig_merge *m);

#endif
