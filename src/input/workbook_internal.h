/*
 * workbook_internal.h — what the workbook reader's files share: the reader
 * itself (workbook.c), the two format back ends (.xlsx in xlsx*.c, .xls in
 * xls.c), and what the back ends use: the messages, the sheet list and the
 * row builder (wb_backend.c). Private to src/input/.
 */
#ifndef TICKET_AUDIT_WORKBOOK_INTERNAL_H
#define TICKET_AUDIT_WORKBOOK_INTERNAL_H

#include <stddef.h>

#include "buf.h"
#include "workbook.h"

typedef struct wb_sheet {
    char *name;
    int hidden;
    wb_sheet_kind kind;
    char *part;             /* .xlsx: its zip part, NULL when unresolved */
    unsigned long long pos; /* .xls: its BOF's offset in the Workbook stream */
} wb_sheet;

/* One row being built: cell texts one after another in text (offset 0 is
 * an empty string, which missing cells point to), per column its offset
 * and length. Cells may come in any column order; a later cell of the same
 * column replaces an earlier one. */
typedef struct wb_rowbuf {
    ta_buf text;
    size_t *off, *len;
    size_t cap;   /* columns allocated */
    size_t ncols; /* columns recorded: the highest column + 1 */
    size_t last;  /* the last non-empty column + 1 */
    char **cells;
    size_t cells_cap;
    wb_row row;
} wb_rowbuf;

/* A format back end. next_row reads on until a row with text is in r->rb
 * (TA_OK, *got = 1), the sheet ends (TA_OK, *got = 0) or an error (the
 * message set with wb_fail*). */
typedef struct wb_backend {
    const char *format;
    ta_status (*sheet_open)(wb_reader *r, size_t i);
    ta_status (*next_row)(wb_reader *r, int *got);
    void (*sheet_close)(wb_reader *r);
    void (*destroy)(wb_reader *r);
} wb_backend;

struct wb_reader {
    char *name;
    int fd;
    wb_options opt;
    const wb_backend *be;
    void *impl;
    int date1904;
    wb_sheet *sheets;
    size_t nsheets, sheets_cap;
    long cur; /* the open sheet, -1 when none */
    unsigned long skipped;
    unsigned long last_row; /* number of the last row element read */
    unsigned long long prog_done, prog_total;
    wb_rowbuf rb;
    char err[1024];
};

/* Sets the message "NAME: what" and returns st. */
ta_status wb_fail(wb_reader *r, ta_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "NAME: part: what". */
ta_status wb_fail_part(wb_reader *r, ta_status st, const char *part,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "NAME:Sheet!C17: what" for the open sheet (row 1-based, col 0-based). */
ta_status wb_fail_cell(wb_reader *r, ta_status st, unsigned long row,
                       size_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* "NAME:Sheet: what" for the open sheet. */
ta_status wb_fail_sheet(wb_reader *r, ta_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends a sheet; name is copied (nlen bytes), part too (may be NULL).
 * 0 or -1 (memory). */
int wb_add_sheet(wb_reader *r, const char *name, size_t nlen, int hidden,
                 wb_sheet_kind kind, const char *part, unsigned long long pos);

/* The row builder. */
void rb_init(wb_rowbuf *rb);
void rb_free(wb_rowbuf *rb);
/* Starts an empty row; 0 or -1 (memory). */
int rb_begin(wb_rowbuf *rb, unsigned long number);
/* Where the next cell's text starts in rb->text: append the text there,
 * then rb_commit. */
size_t rb_mark(const wb_rowbuf *rb);
/* Records the text appended since start as column col (an empty text
 * records nothing). 0 or -1 (memory). */
int rb_commit(wb_rowbuf *rb, size_t col, size_t start);
/* Drops what was appended since start. */
void rb_drop(wb_rowbuf *rb, size_t start);
/* Builds rb->row: 1 when it has text, 0 when it has none, -1 memory. */
int rb_finish(wb_rowbuf *rb);

/* Checks a finished cell: the row's text over max_row_bytes is refused. */
ta_status wb_check_row_size(wb_reader *r, unsigned long row, size_t col);

/* The back ends' open functions: fill r's sheets and date system. */
ta_status xlsx_open(wb_reader *r);
ta_status xls_open(wb_reader *r);

/* What to tell the user about damage. */
#define WB_RESAVE                                                             \
    "open it in Excel and save it again as .xlsx, or export it as CSV"

#endif
