/*
 * tempfile.h — the temporary files of every stage that spills to disk (the
 * signals' external sorts, the workbook reader's shared strings): unlinked
 * as soon as they are made, so nothing is left behind even after a crash,
 * and found where SQLite looks for its own, so one TMPDIR setting moves all
 * of them.
 */
#ifndef TICKET_AUDIT_TEMPFILE_H
#define TICKET_AUDIT_TEMPFILE_H

#include <stddef.h>
#include <sys/types.h>

/* The folders temporary files go to, in SQLite's order: $SQLITE_TMPDIR,
 * $TMPDIR, /var/tmp, /usr/tmp, /tmp, the current folder (unset or empty
 * variables left out). Fills out and returns how many. */
#define TEMPFILE_MAX_DIRS 6
size_t tempfile_dirs(const char *out[TEMPFILE_MAX_DIRS]);

/* An unlinked temporary file (named after what) in the first of
 * tempfile_dirs that takes one. The descriptor (mode 0600), or -1
 * with the last errno. */
int tempfile_open(const char *what);

/* pwrite/pread of exactly len bytes at off (retrying short transfers and
 * EINTR): 0, or -1 with errno (ENOSPC for a write of nothing, EIO for a
 * read past the end). */
int tempfile_pwrite_all(int fd, const void *p, size_t len, off_t off);
int tempfile_pread_all(int fd, void *p, size_t len, off_t off);

#endif
