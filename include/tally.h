/*
 * tally.h — rows counted by a key in a hash table of bounded size
 * (tally.c): the groups of tickets that the summaries (summary.c) and the
 * report's figures (src/report/report_stats.c) count in one scan, since
 * SQLite's GROUP BY sorts every row first (it has no hash aggregate).
 *
 *     tally *t = tally_new(max_groups, max_bytes);
 *     for each row: r = tally_add(t, &key, value);
 *         r == 1: the tally is full: empty it somewhere (tally_at, then
 *                 tally_clear) and add again, or give up on it
 *     tally_sort(t, cmp); for i < tally_groups(t): tally_at(t, i) ...
 *     tally_free(t);
 *
 * A key is four texts (NULL differs from every text, "" included) and an
 * integer; each group keeps its count and the largest value added.
 */
#ifndef TICKET_AUDIT_TALLY_H
#define TICKET_AUDIT_TALLY_H

#include <stddef.h>

#include "ta.h"

#define TALLY_TEXTS 4

typedef struct tally_key {
    const char *t[TALLY_TEXTS]; /* NULL: no text */
    size_t n[TALLY_TEXTS];
    long long k;
} tally_key;

typedef struct tally_group {
    tally_key key; /* texts NUL-terminated, the tally's own: valid until
                      the next tally_add, tally_clear or tally_free */
    unsigned long long count;
    long long max; /* the largest value added */
} tally_group;

typedef struct tally tally;

/* A tally of at most max_groups groups whose texts take at most
 * max_bytes (0: no bound); NULL when out of memory. */
tally *tally_new(size_t max_groups, size_t max_bytes);
void tally_free(tally *t);

/* Counts one row of key with value v. 0; 1 when key is a new group and
 * the tally is full (nothing was counted); -1 out of memory (nothing
 * was counted). */
int tally_add(tally *t, const tally_key *key, long long v) TA_WUR;

size_t tally_groups(const tally *t);
/* Group i, in the order the groups were first counted, or in cmp's order
 * after tally_sort. */
tally_group tally_at(const tally *t, size_t i);
/* Sorts the groups by cmp (a qsort comparator of two tally_group). More
 * rows may be counted after. */
void tally_sort(tally *t, int (*cmp)(const tally_group *, const tally_group *));
/* Forgets every group (memory kept for the next). */
void tally_clear(tally *t);

#endif
