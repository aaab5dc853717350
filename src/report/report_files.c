/*
 * report_files.c — the report's folders and files, so that a workbook is
 * complete or absent and never lands outside --out (SPEC §5).
 *
 * Folders the report creates get mode 0700 whatever the umask. Each
 * workbook is written into a private folder of the report's own (0700, a
 * random name made with mkdirat relative to the folder's descriptor),
 * which libxlsxwriter reaches through /proc/self/fd/N when /proc is there,
 * so that renaming the folder or planting a link in its place cannot send
 * the file elsewhere. Before a workbook is put in place it is opened
 * without following links, checked to be a regular file of ours with one
 * link, set to 0600, flushed to the disk (fsync) and read back
 * (verify.c); only then is it renamed, by descriptor, onto its final name
 * (a link planted there is replaced, never followed). The per-CSO folder
 * cso/<period> is swapped whole (renameat2 RENAME_EXCHANGE where the file
 * system has it). Every private folder is locked (flock) while in use, so
 * that one left by a killed report can be told from a running one's and
 * removed by the next report. Removal never follows a link.
 *
 * It writes no workbook itself (report.c, through libxlsxwriter) and reads
 * no database.
 */
#define _GNU_SOURCE /* renameat2, RENAME_EXCHANGE */
#include "report_internal.h"
#include "tempfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Folders nested deeper than this inside a folder being removed are left
 * (only an old per-CSO folder a user filled by hand can be deep). */
#define REMOVE_DEPTH 8
/* A private folder younger than this is never taken for a leftover. */
#define STALE_SECONDS 60

/* ---- statuses and advice -------------------------------------------- */

ta_status rpt_status_of_errno(int e)
{
    switch (e) {
    case ENOMEM:
        return TA_E_NOMEM;
    case EIO:
        return TA_E_IO;
    default: /* no room, read-only, not permitted, in the way, ... */
        return TA_E_CANTCREAT;
    }
}

const char *rpt_advice(int e)
{
    switch (e) {
    case ENOSPC:
    case EDQUOT:
        return "free some disk space there, or choose another folder";
    case EFBIG:
        return "a file-size limit (ulimit -f) stops it: raise the limit";
    case EROFS:
        return "the file system is read-only: choose another folder";
    case EACCES:
    case EPERM:
        return "check the folder's permissions, or choose another folder";
    case ENOTDIR:
    case EEXIST:
    case EISDIR:
    case ENOTEMPTY:
        return "something of that name is in the way: move it, or choose "
               "another folder";
    case EIO:
        return "the disk reports an error: check it";
    default:
        return "check the folder, or choose another";
    }
}

/* ---- folders -------------------------------------------------------- */

/* 0700 on a folder just created, whatever the umask left of it. */
static int own_mode(int fd)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return -1;
    if ((sb.st_mode & 07777) == 0700)
        return 0;
    return fchmod(fd, 0700);
}

ta_status rpt_out_dir(const char *path, int *fd, char *err, size_t errlen)
{
    char buf[RPT_PATH_BYTES];
    size_t n = strlen(path);
    *fd = -1;
    if (n == 0 || n >= sizeof buf) {
        ta_errf(err, errlen,
                "%s: the output folder name is %s; choose another with "
                "--out",
                path, n ? "too long" : "empty");
        return TA_E_CANTCREAT;
    }
    memcpy(buf, path, n + 1);
    /* mkdir -p: each missing folder is created 0700; the user's own
     * folders (links included: the path is theirs) are left as they are */
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char keep = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0700) == 0) {
            int d = open(buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            int bad = d < 0 || own_mode(d) != 0;
            int e = errno;
            if (d >= 0)
                close(d);
            if (bad) {
                ta_errf(err, errlen,
                        "%s: cannot create the output folder: %s; choose "
                        "another with --out",
                        buf, strerror(e));
                return rpt_status_of_errno(e);
            }
        } else if (errno != EEXIST) {
            int e = errno;
            ta_errf(err, errlen,
                    "%s: cannot create the output folder: %s; %s with "
                    "--out",
                    buf, strerror(e), rpt_advice(e));
            return rpt_status_of_errno(e);
        }
        buf[i] = keep;
    }
    *fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*fd < 0) {
        int e = errno;
        ta_errf(err, errlen,
                "%s: cannot create the output folder: %s; choose another "
                "with --out",
                path,
                e == ENOTDIR ? "a file of that name is in the way"
                             : strerror(e));
        return rpt_status_of_errno(e);
    }
    return TA_OK;
}

ta_status rpt_sub_dir(int parent, const char *parent_path, const char *name,
                      int *fd, char *err, size_t errlen)
{
    int made = mkdirat(parent, name, 0700) == 0;
    int e = errno;
    *fd = -1;
    if (made || e == EEXIST) {
        *fd = openat(parent, name,
                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        e = errno;
        if (*fd >= 0 && made && own_mode(*fd) != 0) {
            e = errno;
            close(*fd);
            *fd = -1;
        }
    }
    if (*fd >= 0)
        return TA_OK;
    struct stat sb;
    if (fstatat(parent, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(sb.st_mode)) {
        /* A link could send the workbooks anywhere: refused, not followed
         * and not replaced (it may be the user's, pointing at a share). */
        ta_errf(err, errlen,
                "%s/%s is a symbolic link: the per-CSO workbooks are "
                "written only into a real folder inside --out; remove the "
                "link (or put a folder in its place), or choose another "
                "--out",
                parent_path, name);
        return TA_E_CANTCREAT;
    }
    ta_errf(err, errlen, "%s/%s: cannot create the folder: %s; %s", parent_path,
            name,
            e == ENOTDIR || e == EEXIST ? "a file of that name is in the way"
                                        : strerror(e),
            rpt_advice(e));
    return rpt_status_of_errno(e);
}

/* A random suffix of 12 letters and digits. */
static int random_suffix(char out[13])
{
    static const char set[] = "abcdefghijklmnopqrstuvwxyz"
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char r[12];
    if (getentropy(r, sizeof r) != 0)
        return -1;
    for (size_t i = 0; i < sizeof r; i++)
        out[i] = set[r[i] % (sizeof set - 1)];
    out[12] = '\0';
    return 0;
}

/* The path libxlsxwriter is given for a folder: through the descriptor
 * when /proc shows it (the very folder, whatever its name becomes), else
 * the name. */
static void lxw_path_of(rpt_dir *d)
{
    struct stat a, b;
    snprintf(d->lxw, sizeof d->lxw, "/proc/self/fd/%d", d->fd);
    if (stat(d->lxw, &a) == 0 && fstat(d->fd, &b) == 0 &&
        a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return;
    snprintf(d->lxw, sizeof d->lxw, "%s", d->path);
}

void rpt_dir_init(rpt_dir *d)
{
    memset(d, 0, sizeof *d);
    d->fd = -1;
    d->parent = -1;
}

/* Creates prefix<random> in parent (0700), opens and locks it: 0, or the
 * errno of what failed (nothing left behind). */
static int make_private(int parent, const char *parent_path,
                        const char *prefix, rpt_dir *d)
{
    rpt_dir_init(d);
    int e = EEXIST;
    for (int tries = 0; tries < 100 && e == EEXIST; tries++) {
        char sfx[13];
        if (random_suffix(sfx) != 0)
            return errno;
        if ((size_t)snprintf(d->name, sizeof d->name, "%s%s", prefix, sfx) >=
            sizeof d->name)
            return ENAMETOOLONG;
        e = mkdirat(parent, d->name, 0700) == 0 ? 0 : errno;
    }
    if (e)
        return e;
    d->parent = parent;
    if ((size_t)snprintf(d->path, sizeof d->path, "%s/%s", parent_path,
                         d->name) >= sizeof d->path)
        e = ENAMETOOLONG;
    if (!e) {
        d->fd = openat(parent, d->name,
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (d->fd < 0 || own_mode(d->fd) != 0)
            e = errno ? errno : EIO;
        /* Locked while in use. Where the file system has no flock (some
         * network ones) it goes unlocked, and is then never taken for a
         * leftover either, as rpt_remove_stale cannot lock it. */
        else if (flock(d->fd, LOCK_EX | LOCK_NB) != 0)
            d->unlocked = 1;
    }
    if (e) {
        rpt_dir_remove(d);
        return e;
    }
    lxw_path_of(d);
    return 0;
}

ta_status rpt_dir_private(int parent, const char *parent_path,
                          const char *shown, rpt_dir *d, char *err,
                          size_t errlen)
{
    rpt_remove_stale(parent, RPT_WORK_PREFIX);
    int e = make_private(parent, parent_path, RPT_WORK_PREFIX, d);
    if (e) {
        ta_errf(err, errlen,
                "%s: cannot create the report: %s (making its temporary "
                "folder in %s); %s",
                shown, strerror(e), parent_path, rpt_advice(e));
        return rpt_status_of_errno(e);
    }
    return TA_OK;
}

ta_status rpt_dir_scratch(rpt_dir *d, char *err, size_t errlen)
{
    /* Where every temporary file of the program goes (tempfile.h). */
    const char *dirs[TEMPFILE_MAX_DIRS];
    size_t ndirs = tempfile_dirs(dirs);
    char tried[1024] = "";
    size_t k = 0;
    int last = ENOENT;
    for (size_t i = 0; i < ndirs; i++) {
        int p = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        last = p < 0 ? errno : 0;
        if (p >= 0) {
            rpt_remove_stale(p, RPT_SCRATCH_PREFIX);
            last = make_private(p, dirs[i], RPT_SCRATCH_PREFIX, d);
            if (!last) {
                d->own_parent = 1;
                return TA_OK;
            }
            close(p);
        }
        if (k < sizeof tried)
            k += (size_t)snprintf(tried + k, sizeof tried - k, "%s%s",
                                  k ? ", " : "", dirs[i]);
    }
    ta_errf(err, errlen,
            "cannot create the report's temporary folder (tried %s): %s; "
            "set TMPDIR to a writable folder with free space",
            tried, strerror(last));
    return rpt_status_of_errno(last);
}

/* Removes everything in folder fd, not following links. */
static void empty_tree(int fd, int depth)
{
    DIR *dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (unlinkat(fd, e->d_name, 0) == 0 || (errno != EISDIR &&
                                                 errno != EPERM))
            continue;
        if (depth >= REMOVE_DEPTH)
            continue;
        int sub = openat(fd, e->d_name,
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0)
            continue;
        empty_tree(sub, depth + 1);
        unlinkat(fd, e->d_name, AT_REMOVEDIR);
    }
    closedir(dir); /* closes fd */
}

void rpt_remove_tree(int parent, const char *name)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                      O_CLOEXEC);
    if (fd < 0) {
        unlinkat(parent, name, 0); /* a file, or a link (never followed) */
        return;
    }
    empty_tree(fd, 0);
    unlinkat(parent, name, AT_REMOVEDIR);
}

void rpt_dir_remove(rpt_dir *d)
{
    if (d->parent >= 0 && d->name[0])
        rpt_remove_tree(d->parent, d->name);
    rpt_dir_close(d);
}

void rpt_dir_close(rpt_dir *d)
{
    if (d->fd >= 0)
        close(d->fd); /* and its lock */
    if (d->own_parent && d->parent >= 0)
        close(d->parent);
    rpt_dir_init(d);
}

void rpt_remove_stale(int parent, const char *prefix)
{
    int fd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dir) {
        if (fd >= 0)
            close(fd);
        return;
    }
    size_t plen = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (strncmp(e->d_name, prefix, plen) != 0)
            continue;
        int d = openat(parent, e->d_name,
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (d < 0)
            continue;
        struct stat sb;
        /* ours, not just made (a report locks its folder right after
         * making it), and no running report holds it */
        int stale = fstat(d, &sb) == 0 && sb.st_uid == geteuid() &&
                    sb.st_mtime < time(NULL) - STALE_SECONDS &&
                    flock(d, LOCK_EX | LOCK_NB) == 0;
        close(d);
        if (stale)
            rpt_remove_tree(parent, e->d_name);
    }
    closedir(dir);
}

/* ---- files ---------------------------------------------------------- */

ta_status rpt_file_create(const rpt_dir *d, const char *name, const char *shown,
                          char *err, size_t errlen)
{
    int fd = openat(d->fd, name,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    0600);
    if (fd < 0 || close(fd) != 0) {
        int e = errno;
        ta_errf(err, errlen, "%s: cannot create the report: %s; %s", shown,
                strerror(e), rpt_advice(e));
        return rpt_status_of_errno(e);
    }
    return TA_OK;
}

ta_status rpt_file_seal(const rpt_dir *d, const char *name, const char *shown,
                        char *err, size_t errlen)
{
    int fd = openat(d->fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        ta_errf(err, errlen, "%s: the report written cannot be opened: %s",
                shown, strerror(e));
        return TA_E_IO;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_uid != geteuid() || sb.st_nlink != 1) {
        close(fd);
        ta_errf(err, errlen,
                "%s: the report written was replaced in its temporary folder "
                "(not a file of ours); it was not kept: check who else "
                "writes in the output folder",
                shown);
        return TA_E_CANTCREAT;
    }
    int e = 0;
    if ((sb.st_mode & 07777) != 0600 && fchmod(fd, 0600) != 0)
        e = errno;
    /* An error of the delayed write-back shows only here. */
    if (!e && fsync(fd) != 0)
        e = errno;
    if (e) {
        close(fd);
        ta_errf(err, errlen, "%s: cannot write the report: %s; %s", shown,
                strerror(e), rpt_advice(e));
        return rpt_status_of_errno(e);
    }
    ta_status s = rpt_verify_xlsx(fd, shown, err, errlen);
    close(fd);
    return s;
}

ta_status rpt_file_install(const rpt_dir *d, const char *name, int to,
                           const char *to_name, const char *shown, char *err,
                           size_t errlen)
{
    if (renameat(d->fd, name, to, to_name) != 0) {
        int e = errno;
        ta_errf(err, errlen,
                "%s: cannot put the report in place: %s; %s", shown,
                strerror(e),
                e == EISDIR || e == ENOTEMPTY || e == EEXIST
                    ? "a folder of that name is in the way: move it"
                    : rpt_advice(e));
        return rpt_status_of_errno(e);
    }
    (void)fsync(to); /* the rename itself: best effort, it is done */
    return TA_OK;
}

ta_status rpt_dir_swap(rpt_dir *d, const char *final, const char *shown,
                       char *err, size_t errlen)
{
    int parent = d->parent;
    int e = 0;
    if (renameat2(parent, d->name, parent, final, RENAME_EXCHANGE) == 0) {
        /* d->name now holds the previous set */
        rpt_remove_tree(parent, d->name);
    } else if (errno == ENOENT) {
        if (renameat(parent, d->name, parent, final) != 0)
            e = errno;
    } else if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
        /* No exchange on this file system: the previous set is moved
         * aside, the new one put in, and the previous one put back if
         * that fails. A reader may find no folder for that instant. */
        char old[80];
        snprintf(old, sizeof old, "%s.old", d->name);
        if (renameat(parent, final, parent, old) != 0) {
            e = errno;
        } else if (renameat(parent, d->name, parent, final) != 0) {
            e = errno;
            (void)renameat(parent, old, parent, final);
        } else {
            rpt_remove_tree(parent, old);
        }
    } else {
        e = errno;
    }
    if (e) {
        ta_errf(err, errlen,
                "%s: cannot put the per-CSO workbooks in place: %s; %s "
                "(the previous ones are kept)",
                shown, strerror(e), rpt_advice(e));
        return rpt_status_of_errno(e);
    }
    (void)fsync(parent);
    /* The folder is in place under its final name: only close it. */
    rpt_dir_close(d);
    return TA_OK;
}
