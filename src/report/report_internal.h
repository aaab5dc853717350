/*
 * report_internal.h — what the files of src/report/ share (not a public
 * interface: see include/report.h).
 *
 *   report.c          report_write: options, the lifecycle of each
 *                     workbook (written in a private folder, checked,
 *                     renamed into place; cso/<period> swapped whole);
 *   report_files.c    the report's folders and files: modes, private
 *                     folders, no links followed, the final renames;
 *   scratch.c         libxlsxwriter's temporary files, every write checked;
 *   verify.c          reading a workbook back before it is kept;
 *   report_stats.c    the aggregate figures, read once;
 *   report_sheets.c   the sheets, in order (the Signals sheet aside);
 *   report_signals.c  the Indikasi / Signals sheet;
 *   report_name.c     the per-CSO file names (safe, unique);
 *   cells.c           writing a cell (every sheet writer goes through it);
 *   labels.c          the words, Indonesian and English;
 *   deflate_level.c   the zip level libxlsxwriter deflates with.
 *
 * The calls run one way: report.c -> sheets -> cells, labels. A new sheet
 * is a file beside report_signals.c that writes through cells.c and is
 * called from rpt_write_sheets.
 */
#ifndef TICKET_AUDIT_REPORT_INTERNAL_H
#define TICKET_AUDIT_REPORT_INTERNAL_H

#include <stddef.h>
#include <xlsxwriter.h>

#include "report.h"

typedef struct sqlite3_stmt sqlite3_stmt;

/* Statuses in the order of the Per CSO columns. */
enum { RPT_COMPLIANT, RPT_EXEMPT, RPT_VIOLATION, RPT_OUT, RPT_NSTATUS };

/* Excel's rows per sheet, the header included. */
#define RPT_EXCEL_ROWS 1048576UL
/* Longest text written to a cell, in bytes (Excel's limit is 32,767
 * characters). */
#define RPT_TEXT_MAX 32000
/* Notes excerpts: characters shown, and bytes masked before cutting (so a
 * number or address across the cut is masked whole, never half shown). */
#define RPT_EXCERPT_CHARS 200
#define RPT_EXCERPT_SCAN 2048
/* CSOs shown in the compliance chart (the worst ones). */
#define RPT_CHART_CSOS 50

/* Tickets ok (compliant or exempt) and in violation in one period. */
typedef struct rpt_period_n {
    char period[8]; /* "YYYY-MM" */
    long long ok, bad;
} rpt_period_n;

/* One CSO's figures (or the totals). */
typedef struct rpt_cso {
    char *name;                /* as in tickets; "" for none */
    long long n[RPT_NSTATUS];  /* tickets per status */
    long long *codes;          /* tickets per code, parallel to codes */
    int has_pct;               /* 0 when no ticket is in scope */
    long long centi;           /* compliance in hundredths (summary_centi) */
    double pct;                /* the same as shown: centi / 100 */
    int has_last, has_prev;    /* in scope in the last / previous period */
    double last_pct, prev_pct; /* their compliance, rounded likewise */
    rpt_period_n *per;         /* every period in which the CSO has
                                  tickets, oldest first */
    size_t nper;
} rpt_cso;

/* Overall compliance of one period of the database. */
typedef struct rpt_month {
    char period[8]; /* "YYYY-MM" */
    long long ok, bad;
    int has_pct;
    double pct;
} rpt_month;

typedef struct rpt_stats {
    char first[8], last[8]; /* periods covered, "YYYY-MM" */
    long long audit_id;     /* latest audit that wrote a result shown */
    char **codes;           /* every code that occurs, byte order */
    size_t ncodes, codes_cap;
    rpt_cso *cso; /* in the one CSO order (summary_cso_cmp) */
    size_t ncso;
    rpt_cso all;       /* totals */
    char prev[8];      /* the period before last in the
                          database, "" when there is none */
    rpt_month *months; /* every period of the database, oldest
                          first */
    size_t nmonths;
} rpt_stats;

/* Loads the figures of the periods first..last (period NULL: every
 * period); TA_E_DATA when nothing was audited. */
ta_status rpt_stats_load(sqlite3 *db, const char *period, rpt_stats **out,
                         char *err, size_t errlen);
void rpt_stats_free(rpt_stats *st);

/* Labels in the report's language. */
typedef struct rpt_lang {
    const char *sheet[6]; /* summary, by cso, findings, exemptions,
                             rejected, signals */
    const char *unknown_cso, *unknown_file;
    const char *title, *title_cso, *period, *generated, *rules, *program, *cso,
        *files, *file, *source, *read, *imported, *rejected, *status, *tickets,
        *status_names[RPT_NSTATUS], *compliance, *target, *code, *codes_head,
        *no_codes, *chart_cso, *chart_codes, *ticket, *date, *category, *codes,
        *evidence, *email, *hp, *notes, *line, *reason, *raw, *signals_none,
        *all_periods_to, *masked_note, *unmasked_note, *prev_month, *change,
        *months_head, *chart_months;
} rpt_lang;

/* The labels of --lang en (en != 0) or Indonesian (labels.c). */
const rpt_lang *rpt_lang_get(int en);

/* Everything a sheet writer needs. */
typedef struct rpt_ctx {
    sqlite3 *db;
    const report_options *opt;
    const rpt_lang *L;
    const rpt_stats *st; /* whole report, or one CSO's view */
    const char *cso;     /* NULL for the main workbook */
    lxw_workbook *wb;
    lxw_format *f_title, *f_head, *f_pct, *f_pct_low, *f_low, *f_bold,
        *f_change, *f_head_rot, *f_head_wrap;
    lxw_row_t limit; /* rows per sheet, header included */
    double target;
    const char *path; /* the workbook's final path, for messages */
    char *text;       /* RPT_TEXT_MAX + 8 bytes: a cell's text */
    char *mask;       /* 2 * RPT_TEXT_MAX bytes: masked text */
    char *err;
    size_t errlen;
} rpt_ctx;

/* Cells (cells.c). Text from the data goes through rpt_put_text
 * only: always a string cell, valid UTF-8 without control characters, cut
 * to fit a cell. rpt_put_str takes a NUL-terminated string; rpt_put_masked
 * masks with fn (mask_email, mask_phone, mask_text) unless --no-mask.
 * Each returns TA_OK or a status with the message in c->err. */
ta_status rpt_put_text(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                       lxw_col_t col, const char *s, size_t len,
                       lxw_format *f) TA_WUR;
ta_status rpt_put_str(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                      lxw_col_t col, const char *s, lxw_format *f) TA_WUR;
ta_status rpt_put_num(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                      lxw_col_t col, double v, lxw_format *f) TA_WUR;
ta_status rpt_put_masked(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                         lxw_col_t col, const char *s, size_t len,
                         size_t (*fn)(const char *, size_t, char *,
                                      size_t)) TA_WUR;
/* The first RPT_EXCERPT_CHARS characters of notes s[0..len), masked
 * before the cut (unless --no-mask) so that nothing is half masked, with
 * an ellipsis when cut. */
ta_status rpt_put_excerpt(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                          lxw_col_t col, const char *s, size_t len) TA_WUR;
/* Landscape A4, one page wide; header_row repeats row 1 on every page. */
void rpt_print_setup(lxw_worksheet *ws, int header_row);
/* A libxlsxwriter error as a status (TA_E_NOMEM for its memory error,
 * which sheets also use when an allocation of theirs fails; else
 * TA_E_IO), with the message in c->err. */
ta_status rpt_xlsx_fail(rpt_ctx *c, lxw_error e);
/* Column i of a row as text and its length (NULL, 0 for NULL). */
const char *rpt_col_text(sqlite3_stmt *q, int i, size_t *len);

/* Writes the Indikasi / Signals sheet from the signals table
 * (report_signals.c). */
ta_status rpt_write_signals(rpt_ctx *c) TA_WUR;

/* Adds the formats and writes every sheet of the workbook (main or, with
 * ctx->cso set, one CSO's). */
ta_status rpt_write_sheets(rpt_ctx *c) TA_WUR;

/* ---- the workbooks' files (report_files.c, scratch.c, verify.c) ---- */

/* Longest path handled. */
#define RPT_PATH_BYTES 4096
/* Names of the report's private folders: in --out and in cso/ (the
 * workbooks being written), and under TMPDIR (libxlsxwriter's temporary
 * files). A folder of this name that no report holds is a leftover of a
 * killed one, which the next report removes. */
#define RPT_WORK_PREFIX ".ticket-audit-"
#define RPT_SCRATCH_PREFIX "ticket-audit-report-"

/* A private folder: created 0700 with a random name, open, locked. */
typedef struct rpt_dir {
    int fd;                   /* -1 when none */
    int parent;               /* the folder it is in */
    int own_parent;           /* parent is closed with it */
    int unlocked;             /* flock failed (not on this file system) */
    char name[64];            /* its name in parent */
    char path[RPT_PATH_BYTES]; /* its path, for messages */
    char lxw[RPT_PATH_BYTES];  /* its path for libxlsxwriter: through
                                  /proc/self/fd when /proc is there */
} rpt_dir;

/* The status of a failed system call's errno (73 for most: no room,
 * read-only, not permitted, in the way; 74 for EIO; TA_E_NOMEM), and
 * what to do, as a phrase. */
ta_status rpt_status_of_errno(int e);
const char *rpt_advice(int e);

/* --out as mkdir -p (the folders created 0700), opened: *fd. */
ta_status rpt_out_dir(const char *path, int *fd, char *err,
                      size_t errlen) TA_WUR;
/* parent/name as a real folder (created 0700 if missing; a link or a file
 * there is refused), opened: *fd. */
ta_status rpt_sub_dir(int parent, const char *parent_path, const char *name,
                      int *fd, char *err, size_t errlen) TA_WUR;

void rpt_dir_init(rpt_dir *d);
/* A private folder RPT_WORK_PREFIX... in parent (leftovers of killed
 * reports removed first); shown names what it is for in messages. */
ta_status rpt_dir_private(int parent, const char *parent_path,
                          const char *shown, rpt_dir *d, char *err,
                          size_t errlen) TA_WUR;
/* The private folder for libxlsxwriter's temporary files, in the first of
 * $SQLITE_TMPDIR, $TMPDIR, /var/tmp, /usr/tmp, /tmp, . that takes one. */
ta_status rpt_dir_scratch(rpt_dir *d, char *err, size_t errlen) TA_WUR;
/* Removes the folder and everything in it (never following a link), and
 * closes it; a no-op on one never made. */
void rpt_dir_remove(rpt_dir *d);
/* Closes it, leaving it in place. */
void rpt_dir_close(rpt_dir *d);
/* parent/name and everything in it, never following a link. */
void rpt_remove_tree(int parent, const char *name);
/* Removes the folders named prefix... in parent that are ours and that no
 * running report holds. */
void rpt_remove_stale(int parent, const char *prefix);
/* The swap of SPEC §5: d (a private folder holding the new set) becomes
 * d's parent/final, atomically where the file system can exchange two
 * names; the previous final is removed. On failure the previous set stays
 * whole and d is left for the caller to remove. */
ta_status rpt_dir_swap(rpt_dir *d, const char *final, const char *shown,
                       char *err, size_t errlen) TA_WUR;

/* An empty file name in d, mode 0600, not through a link. shown names
 * the workbook in messages (its final path). */
ta_status rpt_file_create(const rpt_dir *d, const char *name,
                          const char *shown, char *err, size_t errlen) TA_WUR;
/* The checks before a rename: name in d, opened without following a
 * link, is a regular file of ours with one link; mode 0600; fsync; read
 * back (rpt_verify_xlsx). */
ta_status rpt_file_seal(const rpt_dir *d, const char *name, const char *shown,
                        char *err, size_t errlen) TA_WUR;
/* Renames d/name onto to/to_name (replacing a file or link there). */
ta_status rpt_file_install(const rpt_dir *d, const char *name, int to,
                           const char *to_name, const char *shown, char *err,
                           size_t errlen) TA_WUR;

/* The archive at fd reads back: its zip directory, every entry inflating
 * to its declared size with a matching CRC-32, none empty, every XML part
 * ending with '>'. TA_E_INTERRUPTED on a signal; TA_E_IO otherwise. */
ta_status rpt_verify_xlsx(int fd, const char *shown, char *err,
                          size_t errlen) TA_WUR;

/* libxlsxwriter's temporary files (scratch.c): the errno of the first
 * failed read, write, seek, close or creation since rpt_scratch_reset (0
 * while none), and how many files were opened through the override (0:
 * libxlsxwriter calls its own, e.g. when linked statically). */
void rpt_scratch_reset(void);
int rpt_scratch_error(void);
unsigned long rpt_scratch_opened(void);

#endif
