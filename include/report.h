/*
 * report.h — the Excel workbooks of SPEC §5, written from the database
 * (tickets, which hold the audit's verdicts, and imports, rejects, audits,
 * signals).
 *
 * One workbook per call, <out>/audit-<period>.xlsx, with the sheets
 * Ringkasan, Per CSO, Temuan, Pengecualian, Ditolak, Indikasi, Tinjauan
 * (Summary, By CSO, Findings, Exemptions, Rejected, Signals, Review in
 * English), and with per_cso one more workbook per CSO in
 * <out>/cso/<period>/, a folder that then holds exactly that report's
 * per-CSO workbooks. Layout, words, masking, files, folders and file
 * naming are described in docs/report.md.
 *
 * Workbooks stream from SQLite in libxlsxwriter's constant-memory mode,
 * so memory stays flat whatever the number of findings. A workbook is
 * complete or absent: written in a private folder of the report's own
 * (its temporary files in another, under TMPDIR), every write checked,
 * read back, and only then renamed into place; cso/<period> is replaced
 * whole. SIGINT / SIGTERM (interrupt.h) stop it with TA_E_INTERRUPTED and
 * nothing left behind. It reads the database in the caller's transaction:
 * the caller opens one read transaction around everything it writes from
 * the database (SPEC §5: one snapshot). This module changes
 * none of the database's tables: it reads them, and for the per-CSO
 * workbooks it builds a temporary table and index of the period's
 * findings in SQLite's temp schema (dropped before it returns), so a
 * read-only database file can be reported. Bringing the verdicts and
 * signals up to date first is the report command's job (cmd.h), not
 * this module's. It prints nothing. The rows of the long sheets are read
 * and prepared on a second thread of its own, which alone uses db while
 * they are (one thread at a time: db may be opened SQLITE_OPEN_NOMUTEX);
 * the caller does not use db from another thread during the call.
 */
#ifndef TICKET_AUDIT_REPORT_H
#define TICKET_AUDIT_REPORT_H

#include <stddef.h>

#include "ta.h"

typedef struct sqlite3 sqlite3;

/* Progress of report_write, for a terminal: the workbook being written
 * (its path), the sheet just started in it (NULL when the workbook
 * starts), and done workbooks of total written before it (total counts
 * the per-CSO workbooks; 0 while not known). Called when each workbook
 * and each sheet starts; it only draws a line, and must not use db. */
typedef void (*report_progress_fn)(void *ctx, const char *workbook,
                                   const char *sheet, unsigned long done,
                                   unsigned long total);

typedef struct report_options {
    const char *out_dir;    /* --out; created if missing (mkdir -p) */
    const char *period;     /* "YYYY-MM", or NULL for every period audited */
    const char *lang;       /* "id" (default, also for NULL) or "en" */
    int per_cso;            /* also write <out>/cso/<period>/<name>.xlsx
                               per CSO */
    int no_mask;            /* show full email/HP and unmasked text */
    double target;          /* compliance target %; CSOs below it are
                               highlighted. 0 or less means 90 */
    unsigned long max_rows; /* FOR TESTS: rows per sheet, header
                               included, before a sheet continues on the
                               next; 0 means Excel's 1,048,576 */
    report_progress_fn progress; /* NULL: none */
    void *progress_ctx;
} report_options;

/* Writes the workbook(s) for opt->period (or every period audited). On success
 * returns TA_OK and the main workbook's path in path_out (pathlen bytes, may
 * be NULL). On failure returns TA_E_USAGE     a malformed period or language,
 *   TA_E_DATA      nothing audited for the period (no tickets in it),
 *   TA_E_CANTCREAT the folder or a file cannot be created,
 *   TA_E_IO        a database or write error,
 *   TA_E_NOMEM     out of memory,
 * with a message in err naming the file and saying what to do; no
 * partial workbook is left behind.
 *
 *     report_options o = {.out_dir = "reports", .period = "2026-10"};
 *     char path[4096], err[1024];
 *     if (report_write(db, &o, path, sizeof path, err, sizeof err) != TA_OK)
 *         fprintf(stderr, "ticket-audit: %s\n", err);
 */
ta_status report_write(sqlite3 *db, const report_options *opt, char *path_out,
                       size_t pathlen, char *err, size_t errlen) TA_WUR;

/* The file name (without folder and without ".xlsx") a CSO's workbook is
 * based on: characters that some file system refuses (/ \ : * ? " < > |,
 * control characters, C1 controls, U+2028/2029, invalid UTF-8) become '_';
 * invisible format characters (bidirectional embeddings, overrides,
 * isolates and marks U+202A-202E, U+2066-2069, U+200E/200F, U+061C;
 * zero-width ones, the soft hyphen, the BOM, tags: Unicode's Cf) are
 * dropped; runs of dots become one dot; leading dots and spaces and
 * trailing dots and spaces go; Windows reserved device names (CON, PRN,
 * AUX, NUL, COM1-9, LPT1-9, with or without an extension) and a leading
 * '-' get a leading '_'; the result is cut to at most 100 bytes on a
 * UTF-8 boundary. The empty CSO becomes "tidak-diketahui" ("unknown" when
 * en); a CSO whose name leaves nothing ("...", invisible characters) gets
 * '_' and its first 49 bytes in hex ("..." -> "_2e2e2e"). Never contains a
 * '/' or "..", so it cannot leave its folder. Writes at most outlen - 1
 * bytes. */
void report_safe_name(const char *cso, int en, char *out, size_t outlen);

/* Bytes of a per-CSO file name, the NUL included: 100 and a "-N". */
#define REPORT_NAME_BYTES 112

/* The file names (without ".xlsx") of the per-CSO workbooks of the n
 * CSOs cso[0..n): report_safe_name of each, made unique as a
 * case-insensitive file system compares names (ASCII, Latin-1, Latin
 * Extended-A, Greek and Cyrillic case): among names alike, the one that
 * is its CSO's own name unchanged keeps it, then the others in byte order
 * of the CSOs' names get "-2", "-3", ... (skipping any name another CSO
 * has), so the result depends on the set of names, not their order.
 * O(n log n). *names_out is one allocation of n names, freed with free().
 * TA_OK, or TA_E_NOMEM with a message in err. */
ta_status report_cso_names(const char *const *cso, size_t n, int en,
                           char (**names_out)[REPORT_NAME_BYTES], char *err,
                           size_t errlen) TA_WUR;

#endif
