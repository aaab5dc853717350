/*
 * report.c — report_write: checks the options, reads the figures, creates
 * the folders and writes each workbook under a temporary name that is
 * renamed into place only once libxlsxwriter has closed it without error.
 * The sheets themselves are in report_sheets.c; the zip level
 * libxlsxwriter deflates with is set in deflate_level.c.
 */
#include "report_internal.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "db.h"
#include "utf8.h"

#define PATH_BYTES 4096

/* ---- files ---------------------------------------------------------- */

/* mkdir -p: creates every missing folder of path. */
static ta_status make_dirs(const char *path, char *err, size_t errlen)
{
    char buf[PATH_BYTES];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        ta_errf(err, errlen,
                "%s: the output folder name is %s; choose "
                "another with --out",
                path, n ? "too long" : "empty");
        return TA_E_CANTCREAT;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char keep = buf[i];
        buf[i] = '\0';
        struct stat sb;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            ta_errf(err, errlen,
                    "%s: cannot create the output folder: %s; "
                    "choose another with --out",
                    buf, strerror(errno));
            return TA_E_CANTCREAT;
        }
        if (stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            ta_errf(err, errlen,
                    "%s: cannot create the output folder: %s; "
                    "choose another with --out",
                    buf, "a file of that name is in the way");
            return TA_E_CANTCREAT;
        }
        buf[i] = keep;
    }
    return TA_OK;
}

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

/* Writes one workbook to path: sheets into dir/.name.tmp-XXXXXX, then a
 * rename. The temporary file is created by mkstemp (mode 0600: the
 * workbook holds personal data), and removed on any failure. */
static ta_status write_book(rpt_ctx *c, const char *dir, const char *path)
{
    char tmp[PATH_BYTES];
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s/.%s.tmp-XXXXXX", dir, base) >=
        sizeof tmp) {
        ta_errf(c->err, c->errlen, "%s: %s; choose a shorter --out", path,
                "the path is too long");
        return TA_E_CANTCREAT;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        ta_errf(c->err, c->errlen,
                "%s: cannot create the report: %s; check "
                "that the folder is writable or choose another with --out",
                path, strerror(errno));
        return TA_E_CANTCREAT;
    }
    close(fd);
    lxw_workbook_options o = {.constant_memory = LXW_TRUE,
                              .use_zip64 = LXW_TRUE};
    c->wb = workbook_new_opt(tmp, &o);
    if (!c->wb) {
        unlink(tmp);
        ta_errf(c->err, c->errlen, "%s: %s", path,
                "out of memory starting the workbook");
        return TA_E_NOMEM;
    }
    c->path = path;
    ta_status s = rpt_write_sheets(c);
    if (s != TA_OK) {
        lxw_workbook_free(c->wb);
        c->wb = NULL;
        unlink(tmp);
        return s;
    }
    lxw_error e = workbook_close(c->wb);
    c->wb = NULL;
    if (e != LXW_NO_ERROR) {
        unlink(tmp);
        ta_errf(c->err, c->errlen,
                "%s: cannot write the report: %s; check "
                "the free space and permissions of the folder",
                path, lxw_strerror(e));
        return status_of(e);
    }
    if (rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        ta_errf(c->err, c->errlen,
                "%s: cannot put the report in place: %s; "
                "check that no folder of that name is in the way",
                path, strerror(saved));
        return TA_E_CANTCREAT;
    }
    return TA_OK;
}

/* A name (without .xlsx) unused so far among used[0..n): name, name-2,
 * name-3, ... compared ignoring ASCII case, as Windows and macOS do. */
static void unique_name(char (*used)[112], size_t n, const char *safe,
                        char *out)
{
    snprintf(out, 112, "%s", safe);
    for (unsigned k = 2;; k++) {
        size_t i = 0;
        while (i < n && strcasecmp(used[i], out) != 0)
            i++;
        if (i == n)
            return;
        char suffix[16];
        int sl = snprintf(suffix, sizeof suffix, "-%u", k);
        size_t keep = utf8_cut(safe, strlen(safe), 100 - (size_t)sl);
        snprintf(out, 112, "%.*s%s", (int)keep, safe, suffix);
    }
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

static ta_status write_per_cso(rpt_ctx *c, const rpt_stats *st)
{
    char dir[PATH_BYTES], path[PATH_BYTES];
    if ((size_t)snprintf(dir, sizeof dir, "%s/cso", c->opt->out_dir) >=
        sizeof dir) {
        ta_errf(c->err, c->errlen, "%s: %s; choose a shorter --out",
                c->opt->out_dir, "the path is too long");
        return TA_E_CANTCREAT;
    }
    ta_status s = make_dirs(dir, c->err, c->errlen);
    if (s != TA_OK)
        return s;
    s = index_findings(c, st);
    if (s != TA_OK)
        return s;
    char(*used)[112] = calloc(st->ncso + 1, sizeof *used);
    if (!used) {
        ta_errf(c->err, c->errlen,
                "out of memory preparing the per-CSO "
                "workbooks");
        return TA_E_NOMEM;
    }
    int en = c->L == rpt_lang_get(1);
    for (size_t i = 0; s == TA_OK && i < st->ncso; i++) {
        char safe[112];
        report_safe_name(st->cso[i].name, en, safe, sizeof safe);
        unique_name(used, i, safe, used[i]);
        if ((size_t)snprintf(path, sizeof path, "%s/%s.xlsx", dir, used[i]) >=
            sizeof path) {
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
        s = write_book(c, dir, path);
    }
    c->st = st;
    c->cso = NULL;
    free(used);
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
    c.text = malloc(RPT_TEXT_MAX + 8);
    c.mask = malloc(2 * RPT_TEXT_MAX);
    char path[PATH_BYTES];
    if (!c.text || !c.mask) {
        ta_errf(err, errlen, "out of memory preparing the report");
        s = TA_E_NOMEM;
        goto done;
    }
    s = make_dirs(opt->out_dir, err, errlen);
    if (s != TA_OK)
        goto done;
    char name[64];
    if (strcmp(st->first, st->last) == 0)
        snprintf(name, sizeof name, "audit-%s.xlsx", st->first);
    else
        snprintf(name, sizeof name, "audit-%s_%s.xlsx", st->first, st->last);
    if ((size_t)snprintf(path, sizeof path, "%s/%s", opt->out_dir, name) >=
        sizeof path) {
        ta_errf(err, errlen, "%s: %s; choose a shorter --out", opt->out_dir,
                "the path is too long");
        s = TA_E_CANTCREAT;
        goto done;
    }
    s = write_book(&c, opt->out_dir, path);
    if (s == TA_OK && opt->per_cso)
        s = write_per_cso(&c, st);
    if (s == TA_OK && path_out && pathlen)
        snprintf(path_out, pathlen, "%s", path);
done:
    free(c.text);
    free(c.mask);
    rpt_stats_free(st);
    return s;
}
