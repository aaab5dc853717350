/*
 * workbook.h — the streaming Excel workbook reader of SPEC §3 ("Excel
 * workbooks"): .xlsx/.xlsm (Office Open XML, transitional and Strict) and
 * .xls (BIFF8, Excel 97-2003).
 *
 * It turns a workbook into its sheets and each sheet into rows of trimmed
 * UTF-8 cell texts, following SPEC's "Cell text" rules (shared, inline and
 * rich strings, _xHHHH_ escapes, shortest round-trip numbers, date and time
 * formats in the 1900 and 1904 systems, booleans, errors, cached formula
 * values). It knows nothing of tickets, headers, SQLite or rules: choosing
 * the sheet and the header row is the importer's job (docs/workbooks.md).
 *
 * Memory is bounded whatever the workbook: one row is held at a time; the
 * shared-strings table goes to an unlinked temporary file (TMPDIR, see
 * extsort_temp_fd) when it outgrows opt->sst_mem_bytes; every zip entry is
 * inflated as a stream with its sizes checked as it goes.
 *
 * Usage (the importer owns the descriptor, hashes it and checks it did not
 * change; the reader only preads it and never moves its offset):
 *
 *     unsigned char head[512];
 *     ssize_t n = pread(fd, head, sizeof head, 0);
 *     wb_kind k = wb_sniff(head, n > 0 ? (size_t)n : 0);
 *     if (k == WB_KIND_TEXT) ... read it as CSV ...
 *     wb_reader *r = NULL;
 *     ta_status st = wb_open_fd(fd, "apkt.xlsx", NULL, &r);   (HTML too:
 *         it refuses it with the message to show)
 *     if (st != TA_OK) { show wb_errmsg(r) (r may be NULL: out of memory);
 *                        wb_free(r); ... }
 *     for (size_t i = 0; i < wb_sheet_count(r); i++) {
 *         if (wb_sheet_type(r, i) != WB_SHEET_WORKSHEET || wb_sheet_hidden(r,
 * i)) continue; st = wb_sheet_open(r, i); const wb_row *row; while ((st =
 * wb_next_row(r, &row)) == TA_OK && row) ... ; if (st != TA_OK) ...
 * wb_errmsg(r) names file, sheet and cell ...
 *     }
 *     wb_free(r);
 */
#ifndef TICKET_AUDIT_WORKBOOK_H
#define TICKET_AUDIT_WORKBOOK_H

#include <stddef.h>

#include "buf.h"
#include "ta.h"

/* What the first bytes of a file say it is (content decides, never the
 * name). */
typedef enum wb_kind {
    WB_KIND_TEXT = 0, /* anything else: read it as CSV/text */
    WB_KIND_ZIP,      /* a ZIP archive (PK\3\4, or an empty archive PK\5\6):
                         .xlsx/.xlsm, or something wb_open_fd refuses */
    WB_KIND_OLE2,     /* an OLE2 compound file (D0 CF 11 E0 A1 B1 1A E1):
                         .xls, or an encrypted .xlsx, a Word file ... */
    WB_KIND_HTML      /* an HTML page or an Excel 2003 XML spreadsheet, as
                         web applications write under an .xls name:
                         wb_open_fd refuses it with what to do */
} wb_kind;

/* Decides from the first n bytes (512 are plenty; fewer are fine) what a
 * file is. Never fails. */
wb_kind wb_sniff(const unsigned char *head, size_t n);

/* The largest row, column and cell Excel has; larger ones are damage. */
#define WB_MAX_ROWS 1048576UL
#define WB_MAX_COLS 16384u
#define WB_MAX_CELL_UNITS 32767u /* UTF-16 code units of a cell's text */

typedef struct wb_options {
    size_t max_row_bytes; /* 0: 16 MiB (as the CSV reader). A row whose
                             texts together are longer is refused */
    size_t sst_mem_bytes; /* 0: 8 MiB. A shared-strings table larger than
                             this (texts + 4 bytes per string) is moved to a
                             temporary file read through a small cache */
    int xml_reference;    /* 1: parse worksheets and shared strings with
                             expat too (tests and fuzzing compare the two;
                             see docs/workbooks.md). 0: the fast scanner */
    int inflate_thread;   /* .xlsx entries of 1 MiB and more are inflated on
                             a second thread while rows are parsed (0); 1:
                             every entry, -1: none (tests) */
} wb_options;

typedef struct wb_reader wb_reader;

/* One row of a sheet. Everything belongs to the reader and stays valid only
 * until the next wb_next_row, wb_sheet_open or wb_free. */
typedef struct wb_row {
    unsigned long number; /* 1-based row number in the sheet (its line) */
    size_t ncells;        /* column A up to the last non-empty cell (>= 1) */
    char **cells;         /* ncells NUL-terminated UTF-8 texts, trimmed;
                             a missing or empty cell is "" */
    const size_t *lens;   /* byte length of each cell text */
} wb_row;

typedef enum wb_sheet_kind {
    WB_SHEET_WORKSHEET = 0, /* a grid of cells: the only kind rows come from */
    WB_SHEET_CHART,         /* a chart sheet */
    WB_SHEET_OTHER          /* a dialog sheet, an Excel 4 macro sheet, a
                               VBA module */
} wb_sheet_kind;

/* Opens the workbook held by fd (pread only: the offset is not used and
 * not moved; fd stays the caller's). name is the file name for messages
 * ("apkt.xlsx: ..."). opt may be NULL for the defaults.
 * Returns TA_OK, or TA_E_DATA (not a readable workbook: damaged, hostile,
 * password-protected, an Excel 95 book, a Word document, an HTML page;
 * the message says which and what to do), TA_E_IO (read error),
 * TA_E_NOMEM. On error *out still receives a reader, when memory allowed,
 * whose wb_errmsg says what went wrong; wb_free it. */
ta_status wb_open_fd(int fd, const char *name, const wb_options *opt,
                     wb_reader **out) TA_WUR;

/* "xlsx" or "xls". */
const char *wb_format(const wb_reader *r);

/* 1 when the workbook counts dates from 1904 (workbookPr date1904, the
 * BIFF DATEMODE record). */
int wb_date1904(const wb_reader *r);

/* The sheets in the workbook's order (workbook.xml <sheets>, the BIFF
 * BOUNDSHEET records), chart and other sheets included. */
size_t wb_sheet_count(const wb_reader *r);
/* The sheet's name (UTF-8); NULL when i is out of range. */
const char *wb_sheet_name(const wb_reader *r, size_t i);
/* 1 when the sheet is hidden or very hidden, else 0. */
int wb_sheet_hidden(const wb_reader *r, size_t i);
wb_sheet_kind wb_sheet_type(const wb_reader *r, size_t i);
/* The index of the sheet called name (exactly as written, case
 * sensitive first, then ignoring ASCII case), or -1. */
long wb_sheet_find(const wb_reader *r, const char *name);

/* Starts reading sheet i from its first row (again, when it was read
 * before). TA_E_DATA when i is not a worksheet or its part is missing or
 * damaged (message names the part); the shared strings and styles are
 * read on the first call. */
ta_status wb_sheet_open(wb_reader *r, size_t i) TA_WUR;

/* The next row of the open sheet that has text in at least one cell after
 * trimming (rows without any are skipped and not returned: every row
 * returned is a "non-empty row" of SPEC). TA_OK with *row set, TA_OK with
 * *row == NULL at the end of the sheet, or an error (TA_E_DATA with the
 * message naming file, sheet and cell: "apkt.xlsx:Sheet1!C17: ...";
 * TA_E_IO; TA_E_NOMEM). After an error the sheet is closed. Rows come in
 * increasing row number. */
ta_status wb_next_row(wb_reader *r, const wb_row **row) TA_WUR;

/* Rows of the open sheet skipped because no cell had text, so far
 * (for statistics; SPEC does not count them). */
unsigned long wb_rows_skipped(const wb_reader *r);

/* Progress of the open sheet: bytes of its part read so far and in all
 * (inflated sizes for .xlsx; 0, 0 when no sheet is open). */
void wb_progress(const wb_reader *r, unsigned long long *done,
                 unsigned long long *total);

/* The last error's message, never NULL ("" when none). */
const char *wb_errmsg(const wb_reader *r);

/* Frees the reader and its temporary files; NULL is a no-op. */
void wb_free(wb_reader *r);

/* The A1-style reference of a cell: row 1-based, col 0-based (0 -> A,
 * 25 -> Z, 26 -> AA, 16383 -> XFD): wb_cell_ref(17, 2, b) -> "C17". */
void wb_cell_ref(unsigned long row, size_t col, char out[16]);

/* The letters of column col alone (0 -> A, 16383 -> XFD) into out (len
 * bytes, cut to fit; 4 hold every column a workbook may have). */
void wb_col_letters(size_t col, char *out, size_t len);

/* A sheet name as a reference prefix, Excel's way: Sheet1 as is, names with
 * other characters than letters, digits, '_' and '.' in single quotes with
 * inner quotes doubled ('Data 2026'). Appends to out; 0 or -1 (memory). */
int wb_sheet_ref(const char *sheet, ta_buf *out) TA_WUR;

/* The raw text of a row as SPEC's rejects store it: the cell texts from
 * column A to the last non-empty one joined with ',', a text holding ',',
 * '"', CR or LF quoted with '"' and inner quotes doubled. Appends to out;
 * 0, or -1 when out of memory or past out's ceiling. */
int wb_row_raw(const wb_row *row, ta_buf *out) TA_WUR;

#endif
