/*
 * db.h — the SQLite database of SPEC §5: opening (created with mode 0600,
 * since it holds personal data), the schema (see docs/schema.md) and the
 * few helpers the importer and auditor share.
 *
 * The schema is the documented interface analysts query directly; this
 * module is the only place that writes its DDL.
 */
#ifndef TICKET_AUDIT_DB_H
#define TICKET_AUDIT_DB_H

#include <sqlite3.h>
#include <stddef.h>

#include "ta.h"

/* The index on signals, part of the schema; the signals writer drops it
 * while it rewrites every period and runs this again (signals.c). */
#define DB_SIGNALS_INDEX                                                      \
    "CREATE INDEX IF NOT EXISTS signals_period ON signals(period, kind)"

/* Told while this process waits for another's lock on the database (an
 * import holding the write lock, a report reading): path, the whole
 * seconds waited so far (1, 2, ...: a wait under a second is never
 * told), and over = 0 while waiting; once the lock is had, over = 1 with
 * the seconds it took (only after a wait that was told). Called from
 * inside SQLite: it must not use the connection. */
typedef void (*db_wait_fn)(void *ctx, const char *path, unsigned long seconds,
                           int over);

typedef struct db_open_options {
    int must_exist;     /* 1: a missing file is TA_E_NOINPUT, never
                           created (audit, report, review) */
    db_wait_fn on_wait; /* NULL: wait without a word */
    void *wait_ctx;
} db_open_options;

/* Opens the database at path — ":memory:" for an in-memory one, "" for
 * SQLite's private temporary database (gone when closed; unlike
 * ":memory:" it spills to a temporary file, so memory stays flat on big
 * inputs) — creating it unless o->must_exist, and creates the schema
 * when missing. A new file is created with mode 0600; an existing file
 * that is not a ticket-audit database, or not SQLite at all, is refused.
 * o may be NULL (create; wait silently).
 *
 * Locks: when another process holds the database, the connection waits
 * as long as it takes (SPEC §5: a writer never fails only because a
 * report is running), telling o->on_wait; SIGINT and SIGTERM end the
 * wait (TA_E_INTERRUPTED, interrupt.h) as they stop any statement.
 *
 * On error returns TA_E_NOINPUT (must_exist and there is no such file),
 * TA_E_CANTCREAT (cannot create), TA_E_DATA (not our database),
 * TA_E_INTERRUPTED or TA_E_IO, with a message in err naming the file. */
ta_status db_open_with(const char *path, const db_open_options *o,
                       sqlite3 **out, char *err, size_t errlen) TA_WUR;

/* db_open_with(path, NULL, ...): creating the file if needed. */
ta_status db_open(const char *path, sqlite3 **out, char *err,
                  size_t errlen) TA_WUR;

/* Process-wide SQLite settings; call once at start-up, before any other
 * database call (main does). Turns off SQLite's memory statistics, whose
 * global mutex is taken on every allocation. */
void db_init_library(void);

/* Closes; NULL is a no-op. */
void db_close(sqlite3 *db);

/* SQLite's version, e.g. "3.40.1" (static). */
const char *db_library_version(void);

/* 1 when the database may only be read (a read-only file or folder),
 * else 0. */
int db_is_readonly(sqlite3 *db);

/* A write transaction (BEGIN IMMEDIATE: the write lock is taken now,
 * waiting for it here rather than halfway), its COMMIT, and its ROLLBACK
 * (which cannot fail in a way the caller could act on; it also ends a
 * read transaction). what names the work in a message ("starting the
 * audit"). */
ta_status db_begin(sqlite3 *db, const char *what, char *err,
                   size_t errlen) TA_WUR;
ta_status db_commit(sqlite3 *db, const char *what, char *err,
                    size_t errlen) TA_WUR;
void db_rollback(sqlite3 *db);

/* A read snapshot (SPEC §5: all that one command writes comes from one
 * state of the database): db_read_begin opens a read transaction and takes
 * its shared lock at once, so every later read sees that state even while
 * another process commits; db_read_end closes it. A writer meanwhile waits
 * for db_read_end to commit (its busy handler). Writes to SQLite's temp
 * schema are allowed inside and are discarded by db_read_end. */
ta_status db_read_begin(sqlite3 *db, const char *what, char *err,
                        size_t errlen) TA_WUR;
void db_read_end(sqlite3 *db);

/* Runs one or more SQL statements without parameters. On error writes
 * "what: sqlite message" to err and returns TA_E_IO. */
ta_status db_exec(sqlite3 *db, const char *sql, const char *what, char *err,
                  size_t errlen) TA_WUR;

/* Every sqlite3_bind_* result is checked (a failed bind with
 * SQLITE_STATIC would silently keep the previous row's value): each bind
 * of a statement goes through db_bound, which keeps the first failure in
 * *bound (SQLITE_OK to start with), and the caller tests it once, before
 * sqlite3_step. Inline: the importer binds 28 values a row.
 *
 *     int bound = SQLITE_OK;
 *     db_bound(&bound, sqlite3_bind_int64(st, 1, id));
 *     db_bound(&bound, sqlite3_bind_text(st, 2, s, -1, SQLITE_STATIC));
 *     if (bound != SQLITE_OK)
 *         return db_fail(db, "storing x", err, errlen);
 */
static inline void db_bound(int *bound, int bind_result)
{
    if (*bound == SQLITE_OK)
        *bound = bind_result;
}

/* Prepares a statement; on error writes a message and returns TA_E_IO. */
ta_status db_prepare(sqlite3 *db, const char *sql, void *stmt_out, char *err,
                     size_t errlen) TA_WUR;

/* Writes "what: <sqlite3_errmsg>" to err and returns TA_E_IO (or
 * TA_E_CANTCREAT for a full disk / read-only database). */
ta_status db_fail(sqlite3 *db, const char *what, char *err, size_t errlen);

/* Records in `audits` that tickets are about to be judged: kind "import"
 * or "audit", the period (NULL for all), the rules' fingerprint. Sets *id
 * to the new row's id. */
ta_status db_record_audit(sqlite3 *db, const char *kind, const char *period,
                          const char *rules_fingerprint, long long *id,
                          char *err, size_t errlen) TA_WUR;

/* Sets audits.tickets of row id. */
ta_status db_finish_audit(sqlite3 *db, long long id, unsigned long tickets,
                          char *err, size_t errlen) TA_WUR;

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ". */
void db_now(char buf[32]);

#endif
