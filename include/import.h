/*
 * import.h — loading one export file into the database (SPEC §3, §5).
 *
 * For each file: decide from its content whether it is text (the csv
 * module) or an Excel workbook (the workbook module: .xlsx or .xls), find
 * and map its header with the rules' column names (in a workbook: choose
 * the sheet and its continuations), detect its source, and in ONE
 * transaction write the `imports` row, every ticket (a later row replaces
 * an earlier one with the same source and ticket_id) and every rejected
 * row with its reason. A file whose SHA-256 was already imported is
 * skipped and said so — looked up inside the write transaction, so a
 * second process importing the same file waits for the first and then
 * says so. A file that changes while it is read is refused with nothing
 * stored. For every file: rows read = rows imported + rows rejected.
 * docs/csv.md and docs/workbooks.md say how each kind is read.
 */
#ifndef TICKET_AUDIT_IMPORT_H
#define TICKET_AUDIT_IMPORT_H

#include <stddef.h>

#include "csv.h"
#include "db.h"
#include "rules.h"
#include "ta.h"

/* Progress of one file: bytes done of total. Called at most a few times a
 * second. */
typedef void (*import_progress_fn)(void *ctx, const char *file,
                                   unsigned long long done,
                                   unsigned long long total,
                                   unsigned long rows);

/* A ticket as the import has just stored it (everything points into the
 * import's own buffers: valid during the call only). */
typedef struct import_ticket {
    long long rowid;               /* its rowid in `tickets` */
    ta_source source;
    const char *period;            /* "YYYY-MM", 7 bytes */
    const char *v[TA_F_COUNT];     /* the fields as stored; NULL: absent */
    size_t len[TA_F_COUNT];
    rules_status status;
    rules_email_state email;
    rules_hp_state hp;
    const char *codes, *hp_norm, *email_norm; /* NUL-terminated */
} import_ticket;

/* A ticket stored earlier that a later row of the same source and ticket
 * number has just replaced (SPEC §3); its columns as they were stored. */
typedef struct import_replaced {
    long long rowid;
    const char *period, *cso, *status, *codes; /* NUL-terminated */
    size_t period_len, cso_len;
} import_replaced;

/* Called for each ticket stored, and for each one replaced, on the
 * thread that inserts (import_file's caller's). Any status but TA_OK
 * from on_ticket stops the import, which rolls the file back; on_replaced
 * cannot fail (it is called from inside SQLite). */
typedef ta_status (*import_ticket_fn)(void *ctx, const import_ticket *t,
                                      char *err, size_t errlen);
typedef void (*import_replaced_fn)(void *ctx, const import_replaced *r);

typedef struct import_options {
    ta_source source;            /* TA_SRC_NONE: detect from the header */
    csv_encoding encoding;       /* CSV_ENC_AUTO: detect. Text files only:
                                    a workbook is always UTF-8 (the import
                                    line then says --encoding was not
                                    applied) */
    const char *sheet;           /* --sheet NAME: read that worksheet of a
                                    workbook only (hidden too), without
                                    continuation; NULL: chosen as SPEC §3
                                    says. Not applied to text files (the
                                    import line says so) */
    import_progress_fn progress; /* NULL: none */
    void *progress_ctx;
    int figures_only; /* check's private database, thrown away after: the
                         columns that no figure, signal or summary reads
                         (the free text, the raw contacts, the evidence,
                         the fingerprint) are stored NULL or '' and the
                         fingerprint is not computed. Rows, rejects,
                         verdicts, normalized contacts and the replace
                         rule are as always */
    import_ticket_fn on_ticket;     /* NULL: none */
    import_replaced_fn on_replaced; /* NULL: none */
    /* NULL: none. Called once every row of the file is stored, just
     * before the commit (which waits for the disk): work that needs every
     * ticket can start on other threads meanwhile. The commit may still
     * fail, and the file is then rolled back. */
    void (*on_stored)(void *ctx);
    void *ticket_ctx;
} import_options;

typedef struct import_result {
    int already_imported; /* same SHA-256 found: nothing was changed */
    long long import_id;  /* imports.id (of the earlier import when
                             already_imported) */
    ta_source source;
    csv_encoding encoding;
    char delimiter;   /* '\0' for a workbook */
    const char *format; /* "csv", "xlsx" or "xls" (imports.format) */
    unsigned nsheets;   /* worksheets read (0 for a text file) */
    char how[1024];     /* how the file was read, for the import line:
                           "utf-8, delimiter ';', header on line 4" or
                           "xlsx workbook, sheet 'Data', header on row 16;
                           continued in 'Data (2)'; not read: 'Rekap'
                           (hidden)" */
    char columns[TA_F_COUNT][4]; /* workbook: each field's column ("C"),
                                    "" when it has none (for messages) */
    unsigned long header_line;   /* for a workbook, the header's row */
    unsigned long rows_read, rows_imported, rows_rejected;
    unsigned long long size;
    char sha256[65];
    unsigned long long invalid_utf8; /* invalid UTF-8 sequences replaced
                                        by U+FFFD (only when UTF-8 was
                                        forced on a file that is not) */
} import_result;

/* Imports the file at path. On error nothing of the file is left in the
 * database and err holds "FILE[:LINE]: what; what to do" (for a workbook
 * "FILE:Sheet!C17: ..." or "FILE: part: ..."), personal data in it
 * masked. Statuses: TA_E_NOINPUT (missing or unreadable, or not a regular
 * file: a FIFO, a device, a directory is refused at once), TA_E_DATA (not
 * an export: empty, binary, UTF-16, a damaged or hostile workbook, an HTML
 * page, no header, no such --sheet, unknown source, a required column
 * missing; a rules pattern that cannot finish on a field), TA_E_IO (a
 * read error, a file that changed while it was read, the database),
 * TA_E_CANTCREAT (the database cannot be written: full, read-only). When
 * the database could not even roll back (its disk full), the message says
 * to keep the database's -journal file beside it. */
ta_status import_file(sqlite3 *db, const rules *rs, const char *path,
                      const import_options *opt, import_result *res, char *err,
                      size_t errlen) TA_WUR;

/* Called by import_list_rejects for each rejected row: where it is
 * ("crm.csv:17", "apkt.xlsx:Laporan!B17" for a workbook, naming the cell
 * at fault) and the reason, masked for the terminal (valid during the
 * call). */
typedef void (*import_reject_fn)(void *ctx, const char *where,
                                 const char *reason);

/* Calls fn for the first max rejected rows of the import res describes
 * (res->import_id; res->columns name a workbook row's cell), in the order
 * they were read. The rows are in the rejects table whatever this shows.
 * TA_E_IO with a message in err on a database error. */
ta_status import_list_rejects(sqlite3 *db, const import_result *res, int max,
                              import_reject_fn fn, void *ctx, char *err,
                              size_t errlen) TA_WUR;

#endif
