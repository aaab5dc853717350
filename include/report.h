/*
 * report.h — the Excel workbooks of SPEC §5, written from the database
 * (tickets, which hold the audit's verdicts, and imports, rejects, audits,
 * signals).
 *
 * One workbook per call, <out>/audit-<period>.xlsx, with the sheets
 * Ringkasan, Per CSO, Temuan, Pengecualian, Ditolak, Indikasi, Tinjauan
 * (Summary, By CSO, Findings, Exemptions, Rejected, Signals, Review in
 * English), and with per_cso one more workbook per CSO in <out>/cso/.
 * Layout, words, masking and file naming are described in
 * docs/report.md.
 *
 * Workbooks stream from SQLite in libxlsxwriter's constant-memory mode,
 * so memory stays flat whatever the number of findings. Each file is
 * written under a temporary name in its folder and renamed into place,
 * so no half-written workbook is ever left behind. This module changes
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

typedef struct report_options {
    const char *out_dir;    /* --out; created if missing (mkdir -p) */
    const char *period;     /* "YYYY-MM", or NULL for every period audited */
    const char *lang;       /* "id" (default, also for NULL) or "en" */
    int per_cso;            /* also write <out>/cso/<name>.xlsx per CSO */
    int no_mask;            /* show full email/HP and unmasked text */
    double target;          /* compliance target %; CSOs below it are
                               highlighted. 0 or less means 90 */
    unsigned long max_rows; /* FOR TESTS: rows per sheet, header
                               included, before a sheet continues on the
                               next; 0 means Excel's 1,048,576 */
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

/* The file name (without folder and without ".xlsx") used for a CSO's own
 * workbook: characters that some file system refuses (/ \ : * ? " < > |,
 * control bytes, invalid UTF-8) become '_', runs of dots become one dot,
 * leading dots and spaces and trailing dots and spaces go, Windows
 * reserved device names (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with or
 * without an extension) get a leading '_', the result is cut to at most
 * 100 bytes on a UTF-8 boundary, and an empty result becomes
 * "tidak-diketahui" ("unknown" when en). Never contains a '/' or "..",
 * so it cannot leave its folder. Writes at most outlen - 1 bytes. */
void report_safe_name(const char *cso, int en, char *out, size_t outlen);

#endif
