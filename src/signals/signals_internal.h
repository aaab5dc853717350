/*
 * signals_internal.h — what the files of src/signals/ share (not a public
 * interface: other modules use include/signals.h).
 *
 *   extsort.c        sorting more records than memory should hold;
 *   signals_feed.c   the feed: every ticket of the scope turned into
 *                    sorted records and counts per CSO and month, on a
 *                    worker thread beside the loop that reads them;
 *   signals_merge.c  reading the feed's two sorts back on two threads
 *                    while signals.c writes;
 *   signals.c        writing the three signals into `signals`.
 *
 * The feed's layout is here, so the writer reads what the feed gathered
 * straight from it once feed_end has returned.
 */
#ifndef TICKET_AUDIT_SIGNALS_INTERNAL_H
#define TICKET_AUDIT_SIGNALS_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "signals.h"

/* ---- the external sort (extsort.c) -------------------------------------
 *
 * The signals group a million tickets by a hashed key (docs/signals.md).
 * Each record is a key of two 64-bit words and a payload of bytes (the
 * strings the signal will need, so that nothing has to be looked up again
 * afterwards). When the run buffer is full it is sorted and written to an
 * unlinked temporary file (tempfile.h), so memory stays at one buffer
 * whatever the number of records; reading back merges the runs in (k1, k2)
 * order.
 *
 *     extsort *s = extsort_new(0);
 *     extsort_add(s, k1, k2, data, len) ...   (0, or -1 with errno)
 *     extsort_rec r;
 *     while ((rc = extsort_next(s, &r)) == 1) ... r in (k1, k2) order ...
 *     extsort_free(s);
 * Adding after the first extsort_next is an error (EINVAL). */

/* The largest payload extsort_add takes; longer ones fail with EINVAL.
 * (Runs store lengths in 16 bits.) */
#define EXTSORT_MAX_PAYLOAD 16384u

typedef struct extsort_rec {
    uint64_t k1, k2;           /* the sort key */
    const unsigned char *data; /* the payload, valid until the next call */
    size_t len;
} extsort_rec;

typedef struct extsort extsort;

/* A sorter whose run buffer holds run_bytes bytes of payload (0: the
 * default, 4 MiB). NULL when out of memory. */
extsort *extsort_new(size_t run_bytes);
void extsort_free(extsort *s);

/* Adds a record (the payload is copied). 0, or -1 with errno set:
 * writing a run failed, or EINVAL for a payload over EXTSORT_MAX_PAYLOAD. */
int extsort_add(extsort *s, uint64_t k1, uint64_t k2, const void *data,
                size_t len);

/* The next record in (k1, k2) order: 1, 0 at the end, -1 with errno. */
int extsort_next(extsort *s, extsort_rec *out);

/* Records added, and runs written to the temporary file so far. */
size_t extsort_count(const extsort *s);
size_t extsort_runs(const extsort *s);

/* ---- the feed's records (signals_feed.c) -------------------------------
 *
 * A record's payload holds the strings its signal will show, so writing
 * needs no look-up; a record whose strings would not fit
 * EXTSORT_MAX_PAYLOAD holds its ticket's rowid only ("by reference") and
 * the writer reads the strings back. */

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

/* ---- the feed's state (signals_feed.c) -------------------------------- */

/* The counts of one CSO in one period. */
typedef struct feed_month {
    char period[8];
    const char *cso;
    size_t cso_len;
    unsigned long in_scope, exempt, codes[FEED_EX_CODES];
} feed_month;

/* A slot of the open-addressing table of CSO-months. */
typedef struct feed_slot {
    uint64_t h; /* 0: free */
    feed_month m;
} feed_slot;

/* A batch of tickets on its way to the worker thread. */
typedef struct feed_batch {
    unsigned char *b;
    size_t n;
} feed_batch;

#define FEED_NBATCH 4

/* The reused-contact records are split by their key's top bits into
 * REUSE_PARTS sorts, each grouped on a thread of its own: the parts read
 * one after the other give every key in order. Each part's run buffer is
 * a share of REUSE_RUN_BYTES, so memory is that of one sort. */
#define REUSE_PART_BITS 1
#define REUSE_PARTS (1 << REUSE_PART_BITS)
#define REUSE_PART(key) ((int)((key) >> (64 - REUSE_PART_BITS)))
#define REUSE_RUN_BYTES (4u << 20)

struct signals_feed {
    const rules *rs;   /* the parameters of the signals */
    char *period;      /* the scope, NULL for every period */
    extsort *reuse[REUSE_PARTS]; /* reused-contact records, by part */
    extsort *cross;    /* cross-system records; NULL for one period: then
                          the mismatches are SQL's (signals.c) */
    feed_slot *months; /* counts per CSO-month */
    size_t months_cap, months_n;
    int months_full; /* more CSO-months than the feed keeps (a hostile
                        export): the writer then counts them in SQL */
    unsigned char pk[EXTSORT_MAX_PAYLOAD]; /* the record being built */

    /* batches: the caller fills batch[fill]; the worker takes them in the
     * same order. ready[i] is set while batch i waits for or is in the
     * worker's hands. */
    feed_batch batch[FEED_NBATCH];
    int ready[FEED_NBATCH];
    int fill, take;
    int started, closing;
    pthread_t worker;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int werr; /* the worker's first error, an errno value */
    /* fed as stored (signals_feed_set_stored): the reused-contact records
     * carry their rowid; the tickets replaced since, applied by feed_end */
    int stored;
    struct feed_removed *removed;
    size_t nremoved, removed_cap;
    long long *dead; /* their rowids, sorted by feed_end */
    signals_progress_fn progress; /* NULL: none */
    void *progress_ctx;
    /* signals_feed_finish: the feed ended and its merging threads at
     * work (NULL once signals_feed_write has taken them) */
    int finished;
    struct sig_merge *merge;
};

/* Ends the feeding: waits for the worker thread and reports its error, if
 * any. Then the writer may read the feed's members. */
ta_status feed_end(signals_feed *f, char *err, size_t errlen) TA_WUR;

/* The status and message for a failure with errno e of the feed or the
 * sorts: out of memory, or a temporary file that could not be made or
 * written (TA_E_CANTCREAT). */
ta_status feed_fail(int e, char *err, size_t errlen) TA_WUR;

/* The CSO-months with at least min_in_scope tickets in scope, sorted by
 * period then CSO, in an array the caller frees (its entries belong to
 * the feed); NULL with *n = 0 when none, NULL with *n = 1 when out of
 * memory. */
feed_month **feed_months(signals_feed *f, unsigned long min_in_scope,
                         size_t *n);

/* ---- the merging threads (signals_merge.c) -----------------------------
 *
 * Once the feed has ended (signals_feed_finish, which the import calls
 * before its commit so that this runs while the commit waits for the
 * disk), merge_start reads the feed's sorts on threads of their own:
 *
 * - the pairing thread meets each APKT report with the CRM ticket it
 *   names (a CRM record sorts before the reports naming it) and passes
 *   every pair whose contacts may differ through a small queue, so the
 *   caller inserts mismatches while pairing goes on;
 * - one grouping thread per part of the contacts (REUSE_PARTS) counts
 *   each contact's customers by hash and keeps the records of the
 *   contacts that may reach the minimum, in a temporary file of its own
 *   that the caller reads, part after part, once the mismatches are
 *   written.
 *
 * The caller still compares the strings of everything it writes: these
 * threads only discard what cannot be a signal. Memory: the sorts' merge
 * windows, four 256 KiB queue blocks, and per grouping thread one
 * contact's records up to 4 MiB (a larger contact goes to the file as it
 * comes). */

typedef struct sig_merge sig_merge;

/* Starts the threads on the parts of reuse (grouped against
 * min_customers) and cross (NULL: no pairing). The sorts are the
 * threads' until merge_free.
 * NULL with errno set on failure. */
sig_merge *merge_start(extsort *const reuse[REUSE_PARTS], extsort *cross,
                       unsigned long min_customers, const long long *dead,
                       size_t ndead);

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
