/*
 * scratch.c — libxlsxwriter's temporary files, with every write checked.
 *
 * Why: libxlsxwriter writes each part of a workbook (the sheet XML above
 * all, but for a long sheet's rows, which splice.c deflates as they are
 * written) to a temporary file before it zips it, and ignores write
 * errors there ("There is no easy way to raise error", worksheet.c). With
 * the temporary folder full it zipped what was left and workbook_close
 * returned no error: a valid archive of truncated sheets, exit 0 (issue
 * 14). Checking the archive afterwards cannot see
 * this, as its CRCs match the truncated parts.
 *
 * How: this file defines libxlsxwriter's own lxw_tmpfile (public in
 * xlsxwriter/utility.h), to which the dynamic linker binds the library's
 * calls, as deflate_level.c does for minizip. Each temporary file is an
 * unnamed file (O_TMPFILE; else a name removed at once) in the folder
 * libxlsxwriter passes, i.e. the report's private scratch folder
 * (report_files.c), behind a stdio stream (fopencookie) whose read, write,
 * seek and close check every system call. The first failure is recorded
 * here, and report.c reads it after workbook_close: libxlsxwriter hands
 * its temporary files no context of ours, so the record is process state,
 * like the interrupt flag (interrupt.h) — the report runs on one thread.
 * tests/test_report_files.c checks that the override is the one called.
 *
 * Left as it is: when a sheet fails before workbook_close,
 * lxw_workbook_free does not close the sheets' temporary files, so their
 * descriptors (unnamed files: nothing to remove) live until the process
 * ends, which for the command line is at once.
 */
#define _GNU_SOURCE /* fopencookie, O_TMPFILE */
#include "report_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* stdio's buffer for each file: fewer system calls than the default 8 KiB
 * over what a large report writes and reads back. */
#define SCRATCH_BUFFER (64 * 1024)

static int scratch_errno;          /* first failure, 0 while none */
static unsigned long scratch_opened; /* files opened through here */

static void note(int e)
{
    if (!scratch_errno)
        scratch_errno = e ? e : EIO;
}

void rpt_scratch_reset(void)
{
    scratch_errno = 0;
}

int rpt_scratch_error(void)
{
    return scratch_errno;
}

unsigned long rpt_scratch_opened(void)
{
    return scratch_opened;
}

/* The cookie is the descriptor itself: nothing to allocate. */
static int fd_of(void *cookie)
{
    return (int)(intptr_t)cookie;
}

static ssize_t scratch_read(void *cookie, char *buf, size_t n)
{
    for (;;) {
        ssize_t r = read(fd_of(cookie), buf, n);
        if (r >= 0)
            return r;
        if (errno != EINTR) {
            note(errno);
            return -1;
        }
    }
}

static ssize_t scratch_write(void *cookie, const char *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd_of(cookie), buf + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        note(w < 0 ? errno : ENOSPC);
        return 0; /* fopencookie(3): 0 is the error */
    }
    return (ssize_t)n;
}

static int scratch_seek(void *cookie, off64_t *pos, int whence)
{
    off_t r = lseek(fd_of(cookie), (off_t)*pos, whence);
    if (r < 0) {
        note(errno);
        return -1;
    }
    *pos = (off64_t)r;
    return 0;
}

static int scratch_close(void *cookie)
{
    if (close(fd_of(cookie)) != 0) {
        note(errno);
        return -1;
    }
    return 0;
}

/* An unnamed file in dir, or -1 with errno. */
static int unnamed_file(const char *dir)
{
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR &&
                    errno != EINVAL && errno != ENOSYS))
        return fd;
    /* A file system without O_TMPFILE: a private name, removed at once. */
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/.lxw-XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0)
        unlink(path);
    return fd;
}

FILE *lxw_tmpfile(char *tmpdir)
{
    const char *dir = tmpdir && *tmpdir ? tmpdir : getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    scratch_opened++;
    int fd = unnamed_file(dir);
    if (fd < 0) {
        note(errno);
        return NULL;
    }
    static const cookie_io_functions_t io = {.read = scratch_read,
                                             .write = scratch_write,
                                             .seek = scratch_seek,
                                             .close = scratch_close};
    FILE *f = fopencookie((void *)(intptr_t)fd, "w+", io);
    if (!f) {
        note(errno ? errno : ENOMEM);
        close(fd);
        return NULL;
    }
    /* glibc allocates the buffer itself; failing, it keeps its own. */
    (void)setvbuf(f, NULL, _IOFBF, SCRATCH_BUFFER);
    return f;
}
