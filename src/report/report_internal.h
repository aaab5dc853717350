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
 *   report_stats.c    the aggregate figures, read once: per CSO, after
 *                     review, signals per CSO, the period's imports;
 *   report_sheets.c   the formats and the sheets in order; Per CSO;
 *   summary_sheet.c   the Ringkasan / Summary sheet;
 *   tickets_sheet.c   Temuan / Findings, Pengecualian / Exemptions (with
 *                     the QA decision columns) and Ditolak / Rejected;
 *   report_signals.c  the Indikasi / Signals sheet;
 *   review_sheet.c    the Tinjauan / Review sheet;
 *   table.c           a table sheet: header, widths, filter, continuing
 *                     on "Name (2)" when full;
 *   rows.c            rows prepared on a second thread;
 *   report_name.c     the per-CSO file names (safe, unique);
 *   cells.c           writing a cell (every sheet writer goes through it);
 *   labels.c          the words, Indonesian and English (labels.h): labels of codes,
 *                     categories, statuses, fields, reasons, evidence;
 *   deflate_level.c   the zip level libxlsxwriter deflates with, and its
 *                     large parts on every core (deflate_pool.c), long
 *                     sheets' rows spliced in (splice.c), each part's
 *                     deflate streams recorded (segments.c).
 *
 * The calls run one way: report.c -> report_sheets.c -> the sheet files
 * -> table.c -> cells.c, labels.c. A new sheet is a file beside
 * report_signals.c that writes through cells.c (and table.c) and is
 * called from rpt_write_sheets.
 */
#ifndef TICKET_AUDIT_REPORT_INTERNAL_H
#define TICKET_AUDIT_REPORT_INTERNAL_H

#include <stddef.h>
#include <xlsxwriter.h>

#include "labels.h"
#include "report.h"

typedef struct sqlite3_stmt sqlite3_stmt;

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
/* Bytes of a composed cell (codes with their labels, worded evidence, a
 * worded reason): RULES_CODES_MAX and RULES_EVIDENCE_MAX words fit. */
#define RPT_COMPOSE_MAX 4096

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
    long long rn[RPT_NSTATUS]; /* after review: tickets per final status
                                  (reviewed_results.final_status) */
    int has_rpct;              /* compliance after review, likewise */
    long long rcenti;
    double rpct;
    long long upheld, overturned, stale; /* decisions on its tickets */
    long long sig[RPT_NSIG];   /* signals naming it (docs/report.md) */
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
    long long sig_total[RPT_NSIG]; /* signals of the periods */
    char *imports_json; /* "[1,4,5]": the imports holding tickets of the
                           periods (for the Files table and Ditolak) */
    const struct rpt_stats *whole; /* the whole report's figures: itself,
                                      and still them in a per-CSO view
                                      copied from it (report.c) */
} rpt_stats;

/* Loads the figures of the periods first..last (period NULL: every
 * period); TA_E_DATA when nothing was audited. */
ta_status rpt_stats_load(sqlite3 *db, const char *period, rpt_stats **out,
                         char *err, size_t errlen);
void rpt_stats_free(rpt_stats *st);

/* A CSO's rank by compliance among the CSOs of the whole report with a
 * ticket in scope: 1 + the number with a higher compliance (ties share a
 * rank), of *of. 0 when x has nothing in scope. */
size_t rpt_stats_rank(const rpt_stats *whole, const rpt_cso *x, size_t *of);

/* ---- the context of one workbook ------------------------------------ */

/* Formats, added once per workbook (report_sheets.c). */
typedef struct rpt_formats {
    lxw_format *title, *head, *head_num, *head_mark, *head_indent, *indent,
        *band, *mark, *bold, *pct, *pct_low,
        *name_low, *name_sig, *name_low_sig, *change, *text, *legend,
        *date, *stamp, *input, *sig, *block, *stale;
} rpt_formats;

/* Everything a sheet writer needs. */
typedef struct rpt_ctx {
    sqlite3 *db;
    const report_options *opt;
    const rpt_lang *L;
    const rpt_stats *st; /* whole report, or one CSO's view */
    const char *cso;     /* NULL for the main workbook */
    lxw_workbook *wb;
    rpt_formats f;
    lxw_row_t limit; /* rows per sheet, header included */
    const double *widths; /* the columns of the table being written, for
                             the height of a row of wrapped text; NULL
                             outside tables */
    lxw_col_t nwidths;
    int row_lines; /* lines the current row's wrapped text needs */
    double target;
    const char *path; /* the workbook's final path, for messages */
    char *text;       /* RPT_TEXT_MAX + 8 bytes: a cell's text */
    char *mask;       /* 2 * RPT_TEXT_MAX bytes: masked text */
    char *err;
    size_t errlen;
} rpt_ctx;

/* ---- cells (cells.c) ------------------------------------------------- */

/* Text from the data goes through rpt_put_text only: always a string
 * cell, valid UTF-8 without control characters, cut to fit a cell. In a
 * table, wrapped text (formats text, input, stale) counts the lines its
 * row needs (c->row_lines), which the table sets as the row's height.
 * rpt_put_str takes a NUL-terminated string; rpt_put_masked masks with fn
 * (mask_email, mask_phone, mask_text) unless --no-mask. Each returns
 * TA_OK or a status with the message in c->err. An empty text writes
 * nothing unless f is given (a formatted blank). */
ta_status rpt_put_text(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                       lxw_col_t col, const char *s, size_t len,
                       lxw_format *f) TA_WUR;
ta_status rpt_put_str(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                      lxw_col_t col, const char *s, lxw_format *f) TA_WUR;
ta_status rpt_put_num(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                      lxw_col_t col, double v, lxw_format *f) TA_WUR;
ta_status rpt_put_masked(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                         lxw_col_t col, const char *s, size_t len,
                         size_t (*fn)(const char *, size_t, char *, size_t),
                         lxw_format *f) TA_WUR;
/* Text already made cell-ready (rpt_clean_text, NUL-terminated). */
ta_status rpt_put_ready(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                        lxw_col_t col, const char *s, lxw_format *f) TA_WUR;
/* s[0..len) made valid UTF-8 (each maximal invalid subpart U+FFFD),
 * control characters but tab and LF as spaces, a CR before LF dropped,
 * cut on a character boundary at RPT_TEXT_MAX bytes, into out (RPT_TEXT_MAX
 * + 1 bytes, NUL-terminated). Returns its length. */
size_t rpt_clean_text(const char *s, size_t len, char *out);
/* s[0..*len) masked with fn into buf (2 * RPT_TEXT_MAX bytes) unless
 * no_mask; returns the text to show and its length in *len. */
const char *rpt_mask_into(int no_mask,
                          size_t (*fn)(const char *, size_t, char *, size_t),
                          const char *s, size_t *len, char *buf);
/* The notes excerpt of s[0..len) (see rpt_put_excerpt) in buf (2 *
 * RPT_TEXT_MAX bytes) or s; returns it and its length in *outlen. */
const char *rpt_excerpt_into(int no_mask, const char *s, size_t len,
                             char *buf, size_t *outlen);
/* Raw text masked with mask_text_keep, the row's identifiers kept (NULL
 * or empty ones ignored), unless --no-mask. */
ta_status rpt_put_masked_keep(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                              lxw_col_t col, const char *s, size_t len,
                              const char *id1, const char *id2,
                              lxw_format *f) TA_WUR;
/* The first RPT_EXCERPT_CHARS characters of notes s[0..len), masked
 * before the cut (unless --no-mask) so that nothing is half masked, with
 * an ellipsis when cut. */
ta_status rpt_put_excerpt(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                          lxw_col_t col, const char *s, size_t len,
                          lxw_format *f) TA_WUR;
/* A compliance cell: 2 decimals, light red below the target, nothing
 * when has is 0 (no ticket in scope). */
ta_status rpt_put_pct(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                      lxw_col_t col, int has, double pct) TA_WUR;
/* A date "YYYY-MM-DD..." as a date cell (format f); a value that is not
 * such a date is written as text. */
ta_status rpt_put_date(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                       lxw_col_t col, const char *s, size_t len,
                       lxw_format *f) TA_WUR;
/* An ISO 8601 time with its offset ("2026-11-03T10:15:00+07:00", or
 * "...Z") as a date-time cell in the local time of the machine writing
 * the report; text when it does not parse. */
ta_status rpt_put_stamp(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                        lxw_col_t col, const char *s, lxw_format *f) TA_WUR;
/* A note (comment) on a cell: text shown when pointing at it. */
ta_status rpt_put_note(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                       lxw_col_t col, const char *s) TA_WUR;
/* Text across columns first..last of row r (a merged cell). */
ta_status rpt_put_merged(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                         lxw_col_t first, lxw_col_t last, const char *s,
                         lxw_format *f) TA_WUR;
/* The local time t as "2026-12-01 14:05 +07:00" (buf of 32 bytes). */
void rpt_local_time(long long t, char buf[32]);
/* An ISO 8601 UTC or offset time as rpt_local_time shows it; the text as
 * it is when it does not parse. */
void rpt_local_stamp(const char *iso, char buf[32]);
/* Landscape A4, one page wide; header_rows repeat on every page. */
void rpt_print_setup(lxw_worksheet *ws, lxw_row_t header_rows);
/* A libxlsxwriter error as a status (TA_E_NOMEM for its memory error,
 * which sheets also use when an allocation of theirs fails; else
 * TA_E_IO), with the message in c->err. */
ta_status rpt_xlsx_fail(rpt_ctx *c, lxw_error e);
/* Column i of a row as text and its length (NULL, 0 for NULL). */
const char *rpt_col_text(sqlite3_stmt *q, int i, size_t *len);
/* The file name of path[0..len) (after its last / or \), its length in
 * *blen. */
const char *rpt_base_name(const char *path, size_t len, size_t *blen);
/* Row r as tall as the lines counted in c->row_lines since the last
 * call (a viewer that does not fit rows itself, LibreOffice, would draw
 * wrapped text over the next row or cut it); r must still be the row
 * being written (constant-memory mode). Resets the count. */
ta_status rpt_fit_row(rpt_ctx *c, lxw_worksheet *ws, lxw_row_t r) TA_WUR;
/* Lines that text s[0..n) takes wrapped in a column width characters
 * wide (an estimate erring on more: a line break starts a line, words
 * wrap before the edge). */
int rpt_text_lines(const char *s, size_t n, double width);
/* Width in characters that shows s on one line, between lo and hi. */
double rpt_text_width(const char *s, double lo, double hi);

/* ---- tables that continue on a next sheet (table.c) ----------------- */

typedef struct rpt_col {
    const char *head;
    double width;
    int num; /* 1: numbers, header right-aligned; 2: a mark, centred */
} rpt_col;

/* A band above the header (Per CSO: "Pelanggaran" over the code
 * columns). */
typedef struct rpt_band {
    lxw_col_t from, to; /* inclusive */
    const char *name;
} rpt_band;

typedef struct rpt_table {
    rpt_ctx *c;
    const char *base;
    const rpt_col *cols;
    lxw_col_t ncols;
    double widths[32];    /* the columns' widths (at most 32 are sized) */
    const rpt_band *bands; /* with nbands > 0: a band row above the header */
    size_t nbands;
    double head_height;   /* the header row's height, 0: the default */
    lxw_col_t freeze_col; /* columns kept in view (Per CSO: the name),
                             also repeated on each printed page */
    unsigned pages_wide;  /* printed pages across, 0: one */
    int decision_col;     /* >= 0: the QA decision column (a drop-down
                             list of the two values over the rows) */
    lxw_worksheet *ws;
    unsigned part;
    lxw_row_t head_row; /* the header row (0, or 1 under a band row) */
    lxw_row_t next;     /* next free row */
    lxw_row_t cur;      /* the row being written */
    int raw;            /* rows written as XML (rpt_table_raw) */
    struct rpt_splice *splice; /* the rows deflated as written (splice.h) */
    int no_splice;             /* none to be had: rows to the row file */
    unsigned long long raw_bytes; /* rows' XML written to this sheet */
} rpt_table;

/* Sets up t (fields after ncols zero, decision_col -1); set the others,
 * then rpt_table_sheet adds the first sheet. */
void rpt_table_init(rpt_table *t, rpt_ctx *c, const char *base,
                    const rpt_col *cols, lxw_col_t ncols);
ta_status rpt_table_sheet(rpt_table *t) TA_WUR;
/* Makes t->cur the row to write, on a next sheet when this one is full. */
ta_status rpt_table_row(rpt_table *t) TA_WUR;
/* The filter, the drop-down list and the ignored "number stored as text"
 * warnings of the sheet being written. */
ta_status rpt_table_end(rpt_table *t) TA_WUR;
/* From here on the rows of t (and of its next sheets) are written as XML
 * straight into the sheet's row file (rpt_raw_row), not cell by cell
 * through libxlsxwriter: its header row is flushed first, and
 * rpt_table_end tells libxlsxwriter where the rows end. */
void rpt_table_raw(rpt_table *t);
/* n bytes of rows' XML for the sheet being written: into its row file
 * while the sheet is short, past RPT_SPLICE_FROM bytes deflated as they
 * come (splice.h) where that can be had. */
ta_status rpt_table_raw_write(rpt_table *t, const void *p, size_t n) TA_WUR;

/* ---- rows prepared on a second thread (rows.c) ----------------------- */

#define RPT_PROW_MAX 16 /* cells of a prepared row */

/* How a prepared cell is written: text without a format, wrapped text
 * (f.text, counted for the row's height), a date "YYYY-MM-DD". */
enum { RPT_CELL_TEXT, RPT_CELL_WRAP, RPT_CELL_DATE };

typedef struct rpt_pcell {
    size_t off, len; /* the text in its batch's arena */
    lxw_col_t col;
    unsigned char kind;
} rpt_pcell;

typedef struct rpt_prow {
    rpt_pcell cell[RPT_PROW_MAX];
    unsigned n;
    int lines; /* the row's height in lines */
} rpt_prow;

typedef struct ta_buf ta_buf;

/* What a row's callback fills (through rpt_prep_cell). */
typedef struct rpt_prep {
    rpt_prow *row;
    ta_buf *arena;
    const double *widths; /* the table's columns */
    lxw_col_t nwidths;
} rpt_prep;

/* Turns the statement's current row into cells (rpt_prep_cell), on the
 * producer thread: no libxlsxwriter call, nothing shared but read-only
 * data. TA_OK or TA_E_NOMEM. */
typedef ta_status (*rpt_prepare_fn)(void *ctx, sqlite3_stmt *q,
                                    rpt_prep *p);

/* Appends to out the XML of a prepared row as sheet row r, exactly as
 * libxlsxwriter's constant_memory mode writes the same cells through
 * rpt_put_ready / rpt_put_date and the height through rpt_fit_row
 * (inline strings, f.text on wrapped text, f.date on dates), at a
 * fraction of its cost per cell (docs/report.md). TA_OK or TA_E_NOMEM. */
ta_status rpt_raw_row(rpt_ctx *c, lxw_row_t r, const rpt_prow *row,
                      const char *arena, ta_buf *out) TA_WUR;

/* Adds a cell of s[0..len) (made valid UTF-8 without control characters
 * and cut, as rpt_put_text does) to the row; NULL or empty: no cell. */
ta_status rpt_prep_cell(rpt_prep *p, lxw_col_t col, int kind, const char *s,
                        size_t len) TA_WUR;

/* Steps q to its end on a second thread, fn preparing each row, and
 * writes the rows into t's sheet(s) on this one. what names the reading
 * in messages ("reading the audit results"). q is not finalized. */
ta_status rpt_rows_write(rpt_ctx *c, rpt_table *t, sqlite3_stmt *q,
                         const char *what, rpt_prepare_fn fn,
                         void *ctx) TA_WUR;

/* ---- the sheets ------------------------------------------------------ */

/* Ringkasan / Summary (summary_sheet.c). */
ta_status rpt_write_summary(rpt_ctx *c) TA_WUR;
/* Temuan (exempt 0) or Pengecualian (exempt 1), and Ditolak
 * (tickets_sheet.c). */
ta_status rpt_write_tickets(rpt_ctx *c, int exempt) TA_WUR;
ta_status rpt_write_rejected(rpt_ctx *c) TA_WUR;
/* Indikasi / Signals from the signals table (report_signals.c): all of
 * the periods', or with c->cso set that CSO's. */
ta_status rpt_write_signals(rpt_ctx *c) TA_WUR;
/* Tinjauan / Review: every decision on the periods' tickets (or the
 * CSO's), stale ones marked (review_sheet.c). */
ta_status rpt_write_review(rpt_ctx *c) TA_WUR;

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
