/*
 * testutil.h — small helpers shared by the cmocka tests: paths of the
 * source tree, reading whole files, temporary directories.
 */
#ifndef TICKET_AUDIT_TESTUTIL_H
#define TICKET_AUDIT_TESTUTIL_H

#include <stddef.h>

/* TA_SOURCE_DIR "/" rel, in a static buffer of the caller's. */
void tu_path(char *buf, size_t len, const char *rel);

/* Reads a whole file into a malloc'd NUL-terminated buffer; NULL on error. */
char *tu_read_file(const char *path, size_t *len);

/* Creates a fresh temporary directory (mkdtemp) into buf. Returns 0 on
 * success. */
int tu_tmpdir(char *buf, size_t len);

/* Writes len bytes to path; 0 on success. */
int tu_write_file(const char *path, const void *data, size_t len);

typedef struct sqlite3 sqlite3;
typedef struct rules rules;

/* A database fixture: the default rules and an empty in-memory database,
 * for cmocka's setup/teardown (state points to it). */
typedef struct tu_db {
    sqlite3 *db;
    rules *rs;
    char err[2048];
} tu_db;
int tu_db_setup(void **state);
int tu_db_teardown(void **state);

/* Imports the file at rel (relative to the source tree) into f's database;
 * returns import_file's status (message in f->err). res may be NULL. */
int tu_import(tu_db *f, const char *rel, void *res);

/* The first column of the first row of sql as an integer; fails the
 * running cmocka test when the query fails or returns no row. */
long long tu_q_int(sqlite3 *db, const char *sql);

/* The same as text ("" for NULL), copied into buf. Returns buf. */
const char *tu_q_text(sqlite3 *db, const char *sql, char *buf, size_t len);

/* Runs sql (several statements); fails the running test with SQLite's
 * message when it fails. */
void tu_exec(sqlite3 *db, const char *sql);

/* Sets the TZ environment variable (tzset), keeping the old value in
 * keep (len bytes) for tu_tz_restore. */
void tu_tz_set(const char *tz, char *keep, size_t len);
void tu_tz_restore(const char *keep);

/* A workbook read back by tests/xlsx_dump.py (openpyxl, an independent
 * reader), its text written in dir: "\n" followed by the dump's lines
 * (see the script for their form), malloc'd. Fails the running test when
 * the script fails. */
char *tu_xlsx_dump(const char *dir, const char *xlsx);

/* Whether the dump holds the whole line. */
int tu_has_line(const char *dump, const char *line);

/* The "type\tvalue" of a cell of the dump in buf, "" when the cell is
 * empty. Returns buf. */
const char *tu_xlsx_cell(const char *dump, const char *sheet, const char *ref,
                         char *buf, size_t len);

/* The row of the first cell of column col of sheet holding exactly the
 * text value, 0 when none does. */
int tu_xlsx_row_of(const char *dump, const char *sheet, char col,
                   const char *value);

/* The dump's sheet names in order, each followed by '|', in buf. */
void tu_xlsx_sheets(const char *dump, char *buf, size_t len);

/* Removes a directory tree (best effort). */
void tu_rmtree(const char *path);

#endif
