/*
 * import_shared.h — what the files of the importer share (src/import/),
 * and nothing for other modules (they use import.h):
 *
 *   import.c  import_file: the input's kind, its hash, the transaction,
 *             the checks that the file did not change; the rejects listing
 *   header.c  a header row: its score, its source, its columns, and the
 *             messages that quote it (masked)
 *   sheets.c  a workbook: the sheet with a header, its continuations, the
 *             rows of all of them in turn, the hash before and after
 *   rows.c    the rows: checked, judged and copied into batches on a
 *             reader thread, inserted by the calling thread
 *   store.c   the SQL of one import
 *
 * Data flows import.c -> (header.c, sheets.c) -> rows.c -> store.c.
 */
#ifndef TICKET_AUDIT_IMPORT_SHARED_H
#define TICKET_AUDIT_IMPORT_SHARED_H

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "csv.h"
#include "fingerprint.h"
#include "import.h"
#include "rules.h"
#include "workbook.h"

/* A normalized header name: longer names are no column name anyway. */
#define IMPORT_NAME_MAX 256
/* SPEC §3: the header is the first row, within the first 30 non-blank
 * rows, holding at least 3 known column names (the CSV reader applies the
 * same numbers on its side). */
#define IMPORT_HEADER_ROWS 30
#define IMPORT_MIN_SCORE 3
/* A batch is handed over when it holds this many rows or bytes. */
#define BATCH_ROWS 2048
#define BATCH_BYTES (1u << 20)
/* Batches in flight: one being filled, one being inserted, one spare. */
#define NBATCH 3
#define NO_FIELD SIZE_MAX
/* Messages the importer builds (file, part, reason, what to do). */
#define IMPORT_MSG_MAX 2048

/* ---- a row, from either reader ---------------------------------------- */

typedef struct in_row {
    size_t n;             /* fields (CSV) or cells A.. (workbook) */
    char *const *f;       /* n NUL-terminated UTF-8 texts */
    const size_t *len;    /* their lengths */
    unsigned long line;   /* CSV: physical line; workbook: row number */
    int open_quote;       /* CSV: the file ended inside quotes */
    const char *raw;      /* CSV: the row's text; NULL for a workbook */
    size_t raw_len;
    const wb_row *wb;     /* workbook: the row (for its raw text) */
    int sheet;            /* workbook: index in the sheets read; -1 */
} in_row;

/* The text of field i of a row ("" past its last cell: a workbook row
 * ends at its last non-empty cell). */
static inline const char *in_text(const in_row *r, int i, size_t *len)
{
    if (i < 0 || (size_t)i >= r->n) {
        *len = 0;
        return "";
    }
    *len = r->len[i];
    return r->f[i];
}

/* ---- header.c ---------------------------------------------------------- */

/* Where each canonical field is in a header (-1: no such column), and
 * the source the header was read as. */
typedef struct header_map {
    int col[TA_F_COUNT];
    ta_source source;
} header_map;

/* How many of the n names are known column names (SPEC §3 "Header
 * row"). */
size_t header_score(const rules *rs, char *const *f, const size_t *len,
                    size_t n);

/* Detects the source (unless given is not TA_SRC_NONE), maps the columns
 * and checks the required fields. TA_OK, or TA_E_DATA with why set to
 * what is wrong, without file or line ("the apkt export has no column
 * for the required field 'email'; headers found: ...; rename ..."), the
 * headers masked. */
ta_status header_map_row(const rules *rs, ta_source given, char *const *f,
                         const size_t *len, size_t n, header_map *m,
                         char *why, size_t whylen);

/* Appends to out the first names of a row, quoted and masked:
 * "a", "b", ... (at most 6, each cut to 24 bytes; "(N fields)" after). */
void header_quote_row(char *const *f, const size_t *len, size_t n,
                      char *out, size_t outlen);

/* ---- sheets.c ---------------------------------------------------------- */

/* A worksheet that is read: the chosen one, then its continuations. */
typedef struct sheet_read {
    size_t index;             /* in the workbook */
    unsigned long header_row; /* its header's row number */
    size_t ncols;             /* its header's cells (A.. last non-empty) */
} sheet_read;

typedef struct wb_input wb_input;

/* Opens the workbook on fd (a regular file of size bytes, already
 * sniffed as one), hashes it, and chooses the sheets (SPEC §3 "Excel
 * workbooks", *Sheet*): opt->sheet alone, else the first visible
 * worksheet whose header maps every required field and each further one
 * whose header maps the same fields to the same columns. Fills *m, and
 * res's sha256, format, header_line and how. TA_OK or an error with the
 * message in err (TA_E_DATA: not readable, no such sheet, no header; the
 * message names the file and each sheet checked). *out is set whenever
 * memory allowed; sheets_free it. */
ta_status sheets_open(int fd, const char *path, const rules *rs,
                      const import_options *opt, header_map *m,
                      import_result *res, wb_input **out, char *err,
                      size_t errlen) TA_WUR;

/* The sheets read, in order; their names. */
size_t sheets_count(const wb_input *w);
const sheet_read *sheets_at(const wb_input *w, size_t i);
const char *sheets_name(const wb_input *w, size_t i);

/* The next data row of the sheets read, in turn: TA_OK with *end = 0 and
 * *row set (valid until the next call), TA_OK with *end = 1 after the last
 * row of the last sheet — once the file was hashed again and found
 * unchanged — or an error with the message in err (TA_E_DATA damage,
 * TA_E_IO a read error or a file that changed). */
ta_status sheets_next(wb_input *w, in_row *row, int *end, char *err,
                      size_t errlen) TA_WUR;

/* The file hashed again: TA_OK when it is still the one hashed at the
 * start, TA_E_IO with "FILE: the file changed while it was read ..." in
 * err otherwise (or on a read error). */
ta_status sheets_verify(wb_input *w, char *err, size_t errlen) TA_WUR;

/* Progress through the sheets, scaled to the file's size. */
void sheets_progress(const wb_input *w, unsigned long long *done,
                     unsigned long long *total);

/* "Data!C17" / "'Data 2'!C17" for column col of row number row of the
 * sheets read's i-th sheet, appended to out; 0 or -1. */
int sheets_cell(const wb_input *w, int i, unsigned long row, size_t col,
                ta_buf *out) TA_WUR;

/* imports.sheets: the names of the sheets read as a JSON array. 0 or -1. */
int sheets_json(const wb_input *w, ta_buf *out) TA_WUR;

void sheets_free(wb_input *w);

/* ---- rows.c -------------------------------------------------------------- */

/* The status of a CSV reader's outcome (exit statuses of SPEC §2: a file
 * that changed is an I/O error). */
ta_status import_csv_status(csv_status cs);

/* One row of a batch: offsets into the batch's arena. */
typedef struct brow {
    unsigned long line;
    int sheet;                               /* -1 for CSV */
    size_t off[TA_F_COUNT], len[TA_F_COUNT]; /* off NO_FIELD: no column */
    char date[11], period[8];
    char fingerprint[FINGERPRINT_SIZE];
    const char *field;                   /* rejected: the field at fault */
    char column[8];                      /* rejected, workbook: its cell's
                                            column ("" otherwise) */
    size_t reason_off, raw_off, raw_len; /* rejected rows */
    const char *reason_code;             /* rejected: the code */
    long long n1, n2;                    /* rejected: field_count's figures */
    size_t value_off, value_len;         /* rejected: NO_FIELD or the date */
    size_t rtid_off, rtid_len, rcrm_off, rcrm_len; /* rejected: NO_FIELD or
                                            its ticket_id, crm_ticket */
    int rejected;
    int judged; /* the verdict below is set (else the inserting thread
                   judges the row first) */
    rules_status status;
    rules_category category;
    rules_email_state email;
    rules_hp_state hp;
    size_t codes_off, evidence_off, hp_norm_off, email_norm_off;
    size_t codes_len, evidence_len, hp_norm_len, email_norm_len;
} brow;

typedef struct batch {
    brow *rows;
    size_t n;
    ta_buf arena; /* the rows' strings, each NUL-terminated; a row keeps
                     offsets, not pointers, so the arena may move */
    unsigned long long done, total; /* progress after this batch */
    int end;                        /* the reader stopped after this batch */
    ta_status end_status;
    char errmsg[IMPORT_MSG_MAX];
} batch;

/* The statements of one import (store.c). */
#define STORE_TICKET_PARAMS 29
typedef struct store {
    sqlite3_stmt *ins_ticket, *ins_reject, *ins_import, *upd_import;
    int figures_only; /* import_options.figures_only */
    ta_source source;
    import_ticket_fn on_ticket; /* import_options.on_ticket, or NULL */
    import_replaced_fn on_replaced; /* import_options.on_replaced, or NULL */
    void *ticket_ctx;
    /* with on_replaced: the INSERT OR IGNORE tried first, and the earlier
     * row of a ticket, read before REPLACE deletes it */
    sqlite3_stmt *ins_ignore, *get_old;
    /* what each ticket statement (0 ins_ticket, 1 ins_ignore) holds bound
     * from the row before, where it can be kept (store.c, bind_kept) */
    const void *held[2][STORE_TICKET_PARAMS + 1];
} store;

/* Everything one file's import shares between its two threads. */
typedef struct file_state {
    const char *path;
    const rules *rs;
    header_map map;
    size_t ncols;     /* CSV: the header's fields */
    csv_reader *csv;  /* one of these two is the input */
    wb_input *wb;
    store st;
    long long import_id, audit_id;
    /* the reader thread's side */
    rules_judge *judge;
    ta_buf scratch; /* a workbook row's raw text, cell references */
    /* Who judges: the reader thread, which a CSV file leaves with time to
     * spare (SQLite's side is the longer one); for a workbook the
     * inserting thread, since reading XML and shared strings keeps the
     * reader busier than SQLite keeps the other (docs/benchmarks.md). */
    int judge_on_main;
    int figures_only; /* import_options.figures_only: no fingerprint */
    rules_judge *judge_main;
    ta_buf scratch_main;
    /* the hand-over */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch b[NBATCH];
    int full[NBATCH];
    int abort;
} file_state;

/* Reads every row of fs's input on a second thread, judging each, and
 * stores them through fs->st on this one; res's row counts are set. TA_OK
 * or the first error (the reader's, a judge's, the database's) with its
 * message in err. */
ta_status rows_pipe(sqlite3 *db, file_state *fs, const import_options *opt,
                    import_result *res, char *err, size_t errlen) TA_WUR;

/* ---- store.c ----------------------------------------------------------- */

ta_status store_prepare(sqlite3 *db, store *st, char *err,
                        size_t errlen) TA_WUR;
void store_finalize(store *st);

/* The imports row (counts 0); sets *id. sheets_json is NULL for a text
 * file. */
ta_status store_import_row(sqlite3 *db, store *st, const char *path,
                           const import_result *res, const char *sheets_json,
                           long long *id, char *err, size_t errlen) TA_WUR;

/* Binds what every ticket of the import shares. */
ta_status store_begin_tickets(sqlite3 *db, store *st, const import_result *res,
                              long long import_id, long long audit_id,
                              char *err, size_t errlen) TA_WUR;

ta_status store_ticket(sqlite3 *db, store *st, const batch *b, const brow *br,
                       char *err, size_t errlen) TA_WUR;

/* sheet: the worksheet's name, NULL for a text file. */
ta_status store_reject(sqlite3 *db, store *st, long long import_id,
                       const char *path, const char *sheet, const batch *b,
                       const brow *br, char *err, size_t errlen) TA_WUR;

ta_status store_counts(sqlite3 *db, store *st, long long import_id,
                       const import_result *res, char *err,
                       size_t errlen) TA_WUR;

/* The id of an earlier import of the same SHA-256, or 0. */
ta_status store_find_previous(sqlite3 *db, const char *sha, long long *id,
                              char *err, size_t errlen) TA_WUR;

#endif
