/*
 * import.h — loading one export file into the database (SPEC §3, §5).
 *
 * For each file: read it with the csv module, find and map its header with
 * the rules' column names, detect its source, and in ONE transaction write
 * the `imports` row, every ticket (a later row replaces an earlier one with
 * the same source and ticket_id) and every rejected row with its reason.
 * A file whose SHA-256 was already imported is skipped and said so.
 * For every file: rows read = rows imported + rows rejected.
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

typedef struct import_options {
    ta_source source;            /* TA_SRC_NONE: detect from the header */
    csv_encoding encoding;       /* CSV_ENC_AUTO: detect */
    import_progress_fn progress; /* NULL: none */
    void *progress_ctx;
} import_options;

typedef struct import_result {
    int already_imported; /* same SHA-256 found: nothing was changed */
    long long import_id;  /* imports.id (of the earlier import when
                             already_imported) */
    ta_source source;
    csv_encoding encoding;
    char delimiter;
    unsigned long header_line;
    unsigned long rows_read, rows_imported, rows_rejected;
    unsigned long long size;
    char sha256[65];
    unsigned long long invalid_utf8; /* invalid UTF-8 sequences replaced
                                        by U+FFFD (only when UTF-8 was
                                        forced on a file that is not) */
} import_result;

/* Imports the file at path. On error nothing of the file is left in the
 * database and err holds "FILE[:LINE]: what; what to do". Statuses:
 * TA_E_NOINPUT (missing/unreadable), TA_E_DATA (not an export: empty,
 * binary, UTF-16, no header, unknown source, a required column missing),
 * TA_E_IO / TA_E_CANTCREAT (database). */
ta_status import_file(sqlite3 *db, const rules *rs, const char *path,
                      const import_options *opt, import_result *res, char *err,
                      size_t errlen) TA_WUR;

/* Called by import_list_rejects for each rejected row: the file as
 * imported, the row's line and the reason (valid during the call). */
typedef void (*import_reject_fn)(void *ctx, const char *file, long long line,
                                 const char *reason);

/* Calls fn for the first max rejected rows of import import_id
 * (import_result.import_id), in the order they were read. The rows are
 * in the rejects table whatever this shows. TA_E_IO with a message in
 * err on a database error. */
ta_status import_list_rejects(sqlite3 *db, long long import_id, int max,
                              import_reject_fn fn, void *ctx, char *err,
                              size_t errlen) TA_WUR;

#endif
