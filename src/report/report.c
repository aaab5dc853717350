/*
 * report.c — report_write: checks the options, reads the figures and runs
 * the lifecycle of every workbook (SPEC §5, "complete or absent"):
 *
 *   1. folders: --out (created 0700), a private folder in it for the main
 *      workbook, one in cso/ for the new per-CSO set, and one under TMPDIR
 *      for libxlsxwriter's temporary files (report_files.c);
 *   2. each workbook: its sheets (report_sheets.c), workbook_close, then
 *      the record of libxlsxwriter's temporary files (scratch.c), then the
 *      checks and the read-back (report_files.c, verify.c);
 *   3. only when every workbook is whole: the main workbook renamed onto
 *      its final name, then cso/<period> swapped for the new set;
 *   4. whatever happened: every private folder removed with what is left
 *      in it.
 *
 * A signal (interrupt.h) is polled between workbooks and while reading
 * back, and stops SQLite inside the sheets (db_open's progress handler);
 * libxlsxwriter's workbook_close cannot be interrupted, so a signal during
 * it is seen when it returns. Any failure takes the same path as an
 * interruption: nothing is renamed, everything private is removed.
 */
#include "report_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "db.h"
#include "interrupt.h"
#include "segments.h"
#include "splice.h"

/* Every folder and descriptor of one report_write. */
typedef struct rpt_files {
    int out;         /* --out */
    int cso;         /* --out/cso, -1 without per_cso */
    rpt_dir work;    /* in --out: the main workbook until renamed */
    rpt_dir set;     /* in cso/: the new per-CSO set until swapped in */
    rpt_dir scratch; /* under TMPDIR: libxlsxwriter's temporary files */
} rpt_files;

static ta_status status_of(lxw_error e)
{
    switch (e) {
    case LXW_ERROR_CREATING_XLSX_FILE:
    case LXW_ERROR_CREATING_TMPFILE:
        return TA_E_CANTCREAT;
    case LXW_ERROR_MEMORY_MALLOC_FAILED:
        return TA_E_NOMEM;
    default:
        return TA_E_IO;
    }
}

/* What became of a workbook: s from its sheets, e and the errno saved
 * from workbook_close. A signal explains any failure; a failed temporary
 * file explains one, and fails a workbook libxlsxwriter thought whole. */
static ta_status book_status(rpt_ctx *c, const rpt_files *f, const char *shown,
                             ta_status s, lxw_error e, int saved)
{
    if (interrupt_pending())
        return TA_E_INTERRUPTED;
    int te = rpt_scratch_error();
    if (te) {
        ta_errf(c->err, c->errlen,
                "%s: cannot write the report: its temporary files in %s: "
                "%s; %s, or set TMPDIR to another (a report needs about "
                "100 MB there per million findings)",
                shown, f->scratch.path, strerror(te),
                te == ENOSPC || te == EDQUOT ? "free some disk space there"
                                             : rpt_advice(te));
        return rpt_status_of_errno(te);
    }
    if (s != TA_OK)
        return s;
    if (e != LXW_NO_ERROR) {
        /* libxlsxwriter's codes name no cause; the errno it leaves does
         * when the disk is full */
        if (saved == ENOSPC || saved == EDQUOT || saved == EFBIG) {
            ta_errf(c->err, c->errlen,
                    "%s: cannot write the report: %s; %s", shown,
                    strerror(saved),
                    saved == EFBIG ? rpt_advice(saved)
                                   : "check the free space of the folder: "
                                     "free some, or choose another --out");
            return TA_E_CANTCREAT;
        }
        ta_errf(c->err, c->errlen,
                "%s: cannot write the report: %s (libxlsxwriter); check the "
                "free space and permissions of the folder",
                shown, lxw_strerror(e));
        return status_of(e);
    }
    return TA_OK;
}

/* Writes one workbook as dir/name and checks it (it stays there: the
 * caller renames it). shown is its final path, for messages. On failure
 * nothing of it is left. */
static ta_status write_book(rpt_ctx *c, rpt_files *f, const rpt_dir *dir,
                            const char *name, const char *shown)
{
    char lxw[RPT_PATH_BYTES + REPORT_NAME_BYTES + 16];
    if ((size_t)snprintf(lxw, sizeof lxw, "%s/%s", dir->lxw, name) >=
        sizeof lxw) {
        ta_errf(c->err, c->errlen, "%s: %s; choose a shorter --out", shown,
                "the path is too long");
        return TA_E_CANTCREAT;
    }
    ta_status s = rpt_file_create(dir, name, shown, c->err, c->errlen);
    if (s != TA_OK)
        return s;
    rpt_scratch_reset();
    rpt_segments_reset();
    lxw_workbook_options o = {.constant_memory = LXW_TRUE,
                              .tmpdir = f->scratch.lxw,
                              .use_zip64 = LXW_TRUE};
    lxw_error e = LXW_NO_ERROR;
    int saved = 0;
    c->wb = workbook_new_opt(lxw, &o);
    if (!c->wb) {
        ta_errf(c->err, c->errlen, "%s: %s", shown,
                "out of memory starting the workbook");
        s = TA_E_NOMEM;
    } else {
        c->path = shown;
        s = rpt_write_sheets(c);
        if (s != TA_OK) {
            lxw_workbook_free(c->wb);
        } else {
            errno = 0;
            e = workbook_close(c->wb);
            saved = errno;
        }
        c->wb = NULL;
    }
    /* every sheet's spliced rows must have found their marker; none may
     * outlive the workbook whichever way it ended */
    size_t lost = rpt_splice_settle();
    if (s == TA_OK && e == LXW_NO_ERROR && lost > 0) {
        ta_errf(c->err, c->errlen,
                "%s: cannot write the report: the rows of %zu sheet(s) did "
                "not reach the workbook (its zip writer is not the one this "
                "program expects); build it with -DTA_FAST_DEFLATE=OFF",
                shown, lost);
        s = TA_E_IO;
    }
    s = book_status(c, f, shown, s, e, saved);
    if (s == TA_OK)
        s = rpt_file_seal(dir, name, shown, c->err, c->errlen);
    rpt_segments_reset();
    if (s != TA_OK)
        unlinkat(dir->fd, name, 0);
    return s;
}

/* The per-CSO workbooks each list one CSO's findings: rather than scan
 * the whole table twice per CSO, the period's findings are indexed once by
 * CSO in a temporary table (on disk past SQLite's page cache, so memory
 * stays flat), which report_sheets.c's per-CSO query walks. */
static ta_status index_findings(rpt_ctx *c, const rpt_stats *st)
{
    sqlite3_stmt *q = NULL;
    ta_status s = db_exec(c->db, "DROP TABLE IF EXISTS temp.rpt_cso",
                          "indexing the findings", c->err, c->errlen);
    if (s == TA_OK)
        s = db_prepare(c->db,
                       "CREATE TEMP TABLE rpt_cso AS SELECT cso, status, "
                       "date, source, ticket_id, rowid AS rid FROM tickets "
                       "WHERE +period BETWEEN ?1 AND ?2 AND +status IN "
                       "('violation', 'exempt')",
                       &q, c->err, c->errlen);
    if (s == TA_OK) {
        int bound = SQLITE_OK;
        db_bound(&bound,
                 sqlite3_bind_text(q, 1, st->first, -1, SQLITE_STATIC));
        db_bound(&bound, sqlite3_bind_text(q, 2, st->last, -1, SQLITE_STATIC));
        if (bound != SQLITE_OK || sqlite3_step(q) != SQLITE_DONE)
            s = db_fail(c->db, "indexing the findings", c->err, c->errlen);
    }
    sqlite3_finalize(q);
    if (s == TA_OK)
        s = db_exec(c->db,
                    "CREATE INDEX temp.rpt_cso_key ON rpt_cso(cso, status, "
                    "date, source, ticket_id)",
                    "indexing the findings", c->err, c->errlen);
    return s;
}

/* The per-CSO workbooks, into the private folder f->set of cso/. */
static ta_status write_per_cso(rpt_ctx *c, rpt_files *f, const rpt_stats *st,
                               const char *period, const char *setpath)
{
    char dir[RPT_PATH_BYTES], shown[RPT_PATH_BYTES + 2 * REPORT_NAME_BYTES];
    if ((size_t)snprintf(dir, sizeof dir, "%s/cso", c->opt->out_dir) >=
        sizeof dir) {
        ta_errf(c->err, c->errlen, "%s: %s; choose a shorter --out",
                c->opt->out_dir, "the path is too long");
        return TA_E_CANTCREAT;
    }
    ta_status s = rpt_sub_dir(f->out, c->opt->out_dir, "cso", &f->cso,
                              c->err, c->errlen);
    if (s == TA_OK)
        s = rpt_dir_private(f->cso, dir, setpath, &f->set, c->err,
                            c->errlen);
    if (s == TA_OK)
        s = index_findings(c, st);
    if (s != TA_OK)
        return s;
    const char **list = calloc(st->ncso + 1, sizeof *list);
    char(*names)[REPORT_NAME_BYTES] = NULL;
    if (!list) {
        ta_errf(c->err, c->errlen,
                "out of memory preparing the per-CSO workbooks");
        s = TA_E_NOMEM;
    }
    for (size_t i = 0; s == TA_OK && i < st->ncso; i++)
        list[i] = st->cso[i].name;
    if (s == TA_OK)
        s = report_cso_names(list, st->ncso, c->L == rpt_lang_get(1), &names,
                             c->err, c->errlen);
    for (size_t i = 0; s == TA_OK && i < st->ncso; i++) {
        if (interrupt_pending()) {
            s = TA_E_INTERRUPTED;
            break;
        }
        char file[REPORT_NAME_BYTES + 8];
        snprintf(file, sizeof file, "%s.xlsx", names[i]);
        if ((size_t)snprintf(shown, sizeof shown, "%s/%s/%s", dir, period,
                             file) >= sizeof shown) {
            ta_errf(c->err, c->errlen, "%s: %s; choose a shorter --out", dir,
                    "the path is too long");
            s = TA_E_CANTCREAT;
            break;
        }
        /* This CSO's view of the figures: itself as the only row and as
         * the totals. Shallow: nothing here is freed. */
        rpt_stats one = *st;
        one.cso = &st->cso[i];
        one.ncso = 1;
        one.all = st->cso[i];
        c->st = &one;
        c->cso = st->cso[i].name;
        if (c->opt->progress)
            c->opt->progress(c->opt->progress_ctx, shown, NULL, i + 1,
                             st->ncso + 1);
        s = write_book(c, f, &f->set, file, shown);
    }
    c->st = st;
    c->cso = NULL;
    free(names);
    free(list);
    sqlite3_exec(c->db, "DROP TABLE IF EXISTS temp.rpt_cso", NULL, NULL, NULL);
    return s;
}

ta_status report_write(sqlite3 *db, const report_options *opt, char *path_out,
                       size_t pathlen, char *err, size_t errlen)
{
    if (path_out && pathlen)
        path_out[0] = '\0';
    if (!opt || !opt->out_dir || !opt->out_dir[0]) {
        ta_errf(err, errlen, "report: give the output folder with --out");
        return TA_E_USAGE;
    }
    if (opt->period && !date_period_valid(opt->period)) {
        ta_errf(err, errlen, "--period %s: %s", opt->period,
                "expected YYYY-MM, e.g. 2026-10");
        return TA_E_USAGE;
    }
    const char *lang = opt->lang ? opt->lang : "id";
    if (strcmp(lang, "id") != 0 && strcmp(lang, "en") != 0) {
        ta_errf(err, errlen, "--lang %s: %s", lang, "expected id or en");
        return TA_E_USAGE;
    }
    rpt_stats *st = NULL;
    ta_status s = rpt_stats_load(db, opt->period, &st, err, errlen);
    if (s != TA_OK)
        return s;
    rpt_ctx c = {.db = db,
                 .opt = opt,
                 .L = rpt_lang_get(strcmp(lang, "en") == 0),
                 .st = st,
                 .target = opt->target > 0 ? opt->target : 90.0,
                 .err = err,
                 .errlen = errlen};
    c.limit = opt->max_rows >= 2 && opt->max_rows < RPT_EXCEL_ROWS
                  ? (lxw_row_t)opt->max_rows
                  : (lxw_row_t)RPT_EXCEL_ROWS;
    rpt_files f = {.out = -1, .cso = -1};
    int installed = 0;
    rpt_dir_init(&f.work);
    rpt_dir_init(&f.set);
    rpt_dir_init(&f.scratch);
    char path[RPT_PATH_BYTES], period[16], name[32];
    /* the period as in the main workbook's name, also cso/<period> */
    if (strcmp(st->first, st->last) == 0)
        snprintf(period, sizeof period, "%s", st->first);
    else
        snprintf(period, sizeof period, "%s_%s", st->first, st->last);
    snprintf(name, sizeof name, "audit-%s.xlsx", period);
    if ((size_t)snprintf(path, sizeof path, "%s/%s", opt->out_dir, name) >=
        sizeof path) {
        ta_errf(err, errlen, "%s: %s; choose a shorter --out", opt->out_dir,
                "the path is too long");
        s = TA_E_CANTCREAT;
        goto done;
    }
    c.text = malloc(RPT_TEXT_MAX + 8);
    c.mask = malloc(2 * RPT_TEXT_MAX);
    if (!c.text || !c.mask) {
        ta_errf(err, errlen, "out of memory preparing the report");
        s = TA_E_NOMEM;
        goto done;
    }
    s = rpt_out_dir(opt->out_dir, &f.out, err, errlen);
    if (s == TA_OK)
        s = rpt_dir_private(f.out, opt->out_dir, path, &f.work, err,
                            errlen);
    if (s == TA_OK)
        s = rpt_dir_scratch(&f.scratch, err, errlen);
    if (s == TA_OK && opt->progress)
        opt->progress(opt->progress_ctx, path, NULL, 0,
                      opt->per_cso ? st->ncso + 1 : 1);
    if (s == TA_OK)
        s = write_book(&c, &f, &f.work, name, path);
    char setpath[RPT_PATH_BYTES + 32];
    snprintf(setpath, sizeof setpath, "%s/cso/%s", opt->out_dir, period);
    if (s == TA_OK && opt->per_cso)
        s = write_per_cso(&c, &f, st, period, setpath);
    /* Every workbook is whole: now, and only now, they are put in place. */
    if (s == TA_OK && interrupt_pending())
        s = TA_E_INTERRUPTED;
    if (s == TA_OK)
        s = rpt_file_install(&f.work, name, f.out, name, path, err, errlen);
    installed = s == TA_OK;
    if (s == TA_OK && opt->per_cso)
        s = rpt_dir_swap(&f.set, period, setpath, err, errlen);
    if (s == TA_OK && path_out && pathlen)
        snprintf(path_out, pathlen, "%s", path);
done:
    if (s != TA_OK && !installed && interrupt_pending()) {
        s = TA_E_INTERRUPTED;
        ta_errf(err, errlen,
                "interrupted: %s was not written (nor any per-CSO "
                "workbook); nothing was left behind",
                path);
    }
    rpt_dir_remove(&f.set);
    rpt_dir_remove(&f.work);
    rpt_dir_remove(&f.scratch);
    if (f.cso >= 0)
        close(f.cso);
    if (f.out >= 0)
        close(f.out);
    free(c.text);
    free(c.mask);
    rpt_stats_free(st);
    return s;
}
