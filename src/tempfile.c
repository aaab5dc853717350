/*
 * tempfile.c — unlinked temporary files and whole-buffer positioned I/O
 * (see tempfile.h).
 */
#include "tempfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

size_t tempfile_dirs(const char *out[TEMPFILE_MAX_DIRS])
{
    const char *dirs[TEMPFILE_MAX_DIRS] = {getenv("SQLITE_TMPDIR"),
                                           getenv("TMPDIR"),
                                           "/var/tmp",
                                           "/usr/tmp",
                                           "/tmp",
                                           "."};
    size_t n = 0;
    for (size_t i = 0; i < TEMPFILE_MAX_DIRS; i++)
        if (dirs[i] && *dirs[i])
            out[n++] = dirs[i];
    return n;
}

int tempfile_open(const char *what)
{
    const char *dirs[TEMPFILE_MAX_DIRS];
    size_t ndirs = tempfile_dirs(dirs);
    int e = ENOENT;
    for (size_t i = 0; i < ndirs; i++) {
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/ticket-audit-%s.XXXXXX",
                         dirs[i], what);
        if (n < 0 || (size_t)n >= sizeof path) {
            e = ENAMETOOLONG;
            continue;
        }
        int fd = mkstemp(path);
        if (fd >= 0) {
            unlink(path); /* gone when closed, even after a crash */
            return fd;
        }
        e = errno;
    }
    errno = e;
    return -1;
}

int tempfile_pwrite_all(int fd, const void *p, size_t len, off_t off)
{
    const char *c = p;
    while (len > 0) {
        ssize_t w = pwrite(fd, c, len, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = ENOSPC;
            return -1;
        }
        c += w;
        len -= (size_t)w;
        off += w;
    }
    return 0;
}

int tempfile_pread_all(int fd, void *p, size_t len, off_t off)
{
    char *c = p;
    while (len > 0) {
        ssize_t n = pread(fd, c, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        c += n;
        len -= (size_t)n;
        off += n;
    }
    return 0;
}

