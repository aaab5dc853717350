/*
 * extsort.h — sorting more records than memory should hold.
 *
 * The signals group a million tickets by a hashed key (docs/signals.md).
 * Each record is a key of two 64-bit words and a payload of bytes (the
 * strings the signal will need, so that nothing has to be looked up again
 * afterwards). When the run buffer is full it is sorted and written to an
 * unlinked temporary file (extsort_temp_fd), so memory stays at one buffer
 * whatever the number of records; reading back merges the runs in (k1, k2)
 * order.
 *
 * Usage:
 *     extsort *s = extsort_new(0);
 *     extsort_add(s, k1, k2, data, len) ...   (0, or -1 with errno)
 *     extsort_rec r;
 *     while ((rc = extsort_next(s, &r)) == 1) ... r in (k1, k2) order ...
 *     extsort_free(s);
 * Adding after the first extsort_next is an error (EINVAL).
 */
#ifndef TICKET_AUDIT_EXTSORT_H
#define TICKET_AUDIT_EXTSORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/* An unlinked temporary file (named after what) in the first folder that
 * takes one, in SQLite's order: $SQLITE_TMPDIR, $TMPDIR, /var/tmp,
 * /usr/tmp, /tmp, the current folder. The descriptor, or -1 with the
 * last errno. */
int extsort_temp_fd(const char *what);

/* pwrite/pread of exactly len bytes at off (retrying short transfers and
 * EINTR): 0, or -1 with errno (ENOSPC for a write of nothing, EIO for a
 * read past the end). */
int extsort_pwrite_all(int fd, const void *p, size_t len, off_t off);
int extsort_pread_all(int fd, void *p, size_t len, off_t off);

/* Records added, and runs written to the temporary file so far. */
size_t extsort_count(const extsort *s);
size_t extsort_runs(const extsort *s);

#endif
