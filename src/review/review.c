/*
 * review.c — reading one decisions file into the database (review.h):
 * open it, hash it, tell a workbook from a CSV file by its content
 * (wb_sniff, as the importer does), and run the reading
 * (review_read.c) and the storing (review_stage.c) in one transaction;
 * and the periods the files decided.
 *
 * It does not judge anything: which decision applies and what it makes
 * of a ticket's status is the view reviewed_results (docs/schema.md).
 */
#include "review_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "db.h"
#include "sha256.h"
#include "workbook.h"

/* Bytes hashed per read. */
#define RV_HASH_CHUNK (1u << 20)

struct review_run {
    sqlite3 *db;
    review_options opt;
    char (*period)[8];
    size_t nperiods, cap;
};

ta_status review_run_new(sqlite3 *db, const review_options *opt,
                         review_run **out)
{
    static const review_options none;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return TA_E_NOMEM;
    (*out)->db = db;
    (*out)->opt = opt ? *opt : none;
    return TA_OK;
}

void review_run_free(review_run *rr)
{
    if (!rr)
        return;
    free(rr->period);
    free(rr);
}

size_t review_run_periods(const review_run *rr)
{
    return rr->nperiods;
}

const char *review_run_period(const review_run *rr, size_t i)
{
    return i < rr->nperiods ? rr->period[i] : NULL;
}

/* Adds a period to the sorted list, once. */
static ta_status add_period(void *ctx, const char *period)
{
    review_run *rr = ctx;
    size_t i = 0;
    while (i < rr->nperiods && strcmp(rr->period[i], period) < 0)
        i++;
    if (i < rr->nperiods && strcmp(rr->period[i], period) == 0)
        return TA_OK;
    if (buf_grow_array(&rr->period, &rr->cap, rr->nperiods + 1,
                       sizeof *rr->period))
        return TA_E_NOMEM;
    memmove(rr->period + i + 1, rr->period + i,
            (rr->nperiods - i) * sizeof *rr->period);
    snprintf(rr->period[i], sizeof rr->period[i], "%s", period);
    rr->nperiods++;
    return TA_OK;
}

/* Opens path for reading: TA_E_NOINPUT naming it when it is missing, a
 * folder or unreadable. */
static ta_status open_input(const char *path, int *fd, struct stat *sb,
                            char *err, size_t errlen)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
        ta_errf(err, errlen, "%s: %s; check the name of the decisions file",
                path, errno == ENOENT ? "no such file" : strerror(errno));
        return TA_E_NOINPUT;
    }
    if (fstat(*fd, sb) != 0 || S_ISDIR(sb->st_mode)) {
        ta_errf(err, errlen, "%s: %s; give a workbook or a CSV file", path,
                S_ISDIR(sb->st_mode) ? "is a folder" : strerror(errno));
        close(*fd);
        *fd = -1;
        return TA_E_NOINPUT;
    }
    return TA_OK;
}

/* The SHA-256 of the whole file (for a workbook: the CSV reader hashes
 * its input as it reads it). */
static ta_status hash_fd(int fd, const char *path, char hex[65], char *err,
                         size_t errlen)
{
    unsigned char *chunk = malloc(RV_HASH_CHUNK);
    if (!chunk) {
        ta_errf(err, errlen, "%s: out of memory", path);
        return TA_E_NOMEM;
    }
    struct sha256_ctx c;
    sha256_init(&c);
    off_t at = 0;
    ssize_t n;
    while ((n = pread(fd, chunk, RV_HASH_CHUNK, at)) > 0) {
        sha256_update(&c, (size_t)n, chunk);
        at += n;
    }
    free(chunk);
    if (n < 0) {
        ta_errf(err, errlen, "%s: read error: %s", path, strerror(errno));
        return TA_E_IO;
    }
    sha256_hex(&c, hex);
    return TA_OK;
}

/* TA_E_IO when the file is no longer what was read (SPEC §2: a file that
 * changed while it was read). */
static ta_status unchanged_since(int fd, const struct stat *was,
                                 const char *path, char *err, size_t errlen)
{
    struct stat now;
    if (fstat(fd, &now) == 0 && now.st_size == was->st_size &&
        now.st_mtim.tv_sec == was->st_mtim.tv_sec &&
        now.st_mtim.tv_nsec == was->st_mtim.tv_nsec)
        return TA_OK;
    ta_errf(err, errlen,
            "%s: the file changed while it was read; nothing of it was "
            "stored: read it again once it is saved",
            path);
    return TA_E_IO;
}

/* Reads and stores, inside the transaction. */
static ta_status read_and_store(review_run *rr, const char *path, int fd,
                                const struct stat *sb, wb_kind kind,
                                review_result *res, char *err, size_t errlen)
{
    rv_stage *st = NULL;
    ta_status s = rv_stage_new(rr->db, path, &st, err, errlen);
    if (s != TA_OK)
        return s;
    if (kind == WB_KIND_TEXT) {
        s = rv_read_csv(path, st, &rr->opt, res, err, errlen);
    } else {
        s = rv_read_workbook(fd, path, st, &rr->opt, res, err, errlen);
        if (s == TA_OK)
            s = unchanged_since(fd, sb, path, err, errlen);
    }
    char when[32];
    date_iso_local(rr->opt.now ? rr->opt.now : (long long)time(NULL), when);
    if (s == TA_OK)
        s = rv_stage_apply(st, res->sha256, when, &rr->opt, add_period, rr,
                           res, err, errlen);
    if (s == TA_E_NOMEM && !*err)
        ta_errf(err, errlen, "%s: out of memory", path);
    rv_stage_free(st);
    return s;
}

ta_status review_run_file(review_run *rr, const char *path, review_result *res,
                          char *err, size_t errlen)
{
    static const review_result empty;
    *res = empty;
    res->format = "";
    if (errlen)
        err[0] = '\0';
    int fd = -1;
    struct stat sb;
    ta_status s = open_input(path, &fd, &sb, err, errlen);
    if (s != TA_OK)
        return s;
    unsigned char head[512];
    ssize_t n = pread(fd, head, sizeof head, 0);
    wb_kind kind = wb_sniff(head, n > 0 ? (size_t)n : 0);
    if (n < 0) {
        ta_errf(err, errlen, "%s: read error: %s", path, strerror(errno));
        s = TA_E_IO;
    }
    if (s == TA_OK && kind != WB_KIND_TEXT)
        s = hash_fd(fd, path, res->sha256, err, errlen);
    size_t had = rr->nperiods;
    if (s == TA_OK)
        s = db_begin(rr->db, "starting to store the decisions", err, errlen);
    if (s == TA_OK) {
        s = read_and_store(rr, path, fd, &sb, kind, res, err, errlen);
        if (s == TA_OK)
            s = db_commit(rr->db, "committing the decisions", err, errlen);
        /* a failed COMMIT leaves the transaction open */
        if (s != TA_OK)
            db_rollback(rr->db);
    }
    close(fd);
    if (rr->opt.progress)
        rr->opt.progress(rr->opt.ctx, path, REVIEW_DONE, 0, 0, 0);
    if (s != TA_OK) {
        const char *format = res->format;
        *res = empty;
        res->format = format;
        rr->nperiods = had;
    }
    return s;
}
