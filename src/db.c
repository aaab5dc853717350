/*
 * db.c — opening the database and its schema (docs/schema.md).
 *
 * The file is created by open(2) with mode 0600 before SQLite touches it,
 * so there is no moment when another user could read it. The schema is
 * versioned in PRAGMA user_version; a file with another application id is
 * refused rather than written into.
 */
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fingerprint.h"
#include "interrupt.h"

/* "TAUD" — marks a database as ticket-audit's (PRAGMA application_id). */
#define DB_APP_ID 0x54415544
#define DB_SCHEMA_VERSION 2
#ifndef DB_PAGE_SIZE
#define DB_PAGE_SIZE "16384"
#endif

static const char schema_sql[] =
    "PRAGMA application_id = 1413567812;\n" /* DB_APP_ID */
    "CREATE TABLE IF NOT EXISTS imports (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  file TEXT NOT NULL,\n"
    "  size INTEGER NOT NULL,\n"
    "  sha256 TEXT NOT NULL,\n"
    "  source TEXT NOT NULL,\n"
    "  encoding TEXT NOT NULL,\n"
    "  delimiter TEXT NOT NULL,\n"
    "  header_line INTEGER NOT NULL,\n"
    "  rows_read INTEGER NOT NULL,\n"
    "  rows_imported INTEGER NOT NULL,\n"
    "  rows_rejected INTEGER NOT NULL,\n"
    "  imported_at TEXT NOT NULL,\n"
    "  program_version TEXT NOT NULL\n"
    ");\n"
    "CREATE UNIQUE INDEX IF NOT EXISTS imports_sha256 ON imports(sha256);\n"
    "CREATE TABLE IF NOT EXISTS rejects (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  import_id INTEGER NOT NULL REFERENCES imports(id),\n"
    "  file TEXT NOT NULL,\n"
    "  line INTEGER NOT NULL,\n"
    "  reason TEXT NOT NULL,\n"
    "  field TEXT,\n"
    "  raw TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS tickets (\n"
    "  source TEXT NOT NULL,\n"
    "  ticket_id TEXT NOT NULL,\n"
    "  import_id INTEGER NOT NULL REFERENCES imports(id),\n"
    "  line INTEGER NOT NULL,\n"
    "  date TEXT NOT NULL,\n"
    "  period TEXT NOT NULL,\n"
    "  crm_ticket TEXT,\n"
    "  type TEXT,\n"
    "  name TEXT,\n"
    "  email TEXT,\n"
    "  hp TEXT,\n"
    "  phone TEXT,\n"
    "  cso TEXT NOT NULL,\n"
    "  urgency TEXT,\n"
    "  emotion TEXT,\n"
    "  relation TEXT,\n"
    "  idpel TEXT,\n"
    "  notes TEXT,\n"
    "  media TEXT,\n"
    "  category TEXT NOT NULL,\n"
    "  status TEXT NOT NULL,\n"
    "  codes TEXT NOT NULL,\n"
    "  email_state TEXT NOT NULL,\n"
    "  hp_state TEXT NOT NULL,\n"
    "  evidence TEXT NOT NULL,\n"
    "  hp_norm TEXT NOT NULL DEFAULT '',\n"
    "  email_norm TEXT NOT NULL DEFAULT '',\n"
    "  audit_id INTEGER NOT NULL REFERENCES audits(id),\n"
    "  UNIQUE (source, ticket_id)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS audits (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  kind TEXT NOT NULL,\n"
    "  run_at TEXT NOT NULL,\n"
    "  period TEXT,\n"
    "  rules TEXT NOT NULL,\n"
    "  program_version TEXT NOT NULL,\n"
    "  tickets INTEGER NOT NULL\n"
    ");\n"
    "CREATE VIEW IF NOT EXISTS audit_results AS\n"
    "  SELECT source, ticket_id, period, cso, status, codes, category,\n"
    "         email_state, hp_state, evidence, audit_id, date, hp_norm,\n"
    "         email_norm\n"
    "  FROM tickets;\n"
    "CREATE TABLE IF NOT EXISTS signals (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  period TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  cso TEXT,\n"
    "  contact_kind TEXT,\n"
    "  contact TEXT,\n"
    "  customers INTEGER,\n"
    "  tickets INTEGER,\n"
    "  rate REAL,\n"
    "  team_rate REAL,\n"
    "  threshold REAL,\n"
    "  apkt_ticket TEXT,\n"
    "  crm_ticket TEXT,\n"
    "  apkt_email TEXT,\n"
    "  crm_email TEXT,\n"
    "  apkt_hp TEXT,\n"
    "  crm_hp TEXT,\n"
    "  detail TEXT NOT NULL DEFAULT '{}'\n"
    ");\n" DB_SIGNALS_INDEX ";\n"
    "CREATE TABLE IF NOT EXISTS signals_state (\n"
    "  scope TEXT PRIMARY KEY,\n"
    "  rules TEXT NOT NULL,\n"
    "  audit_id INTEGER NOT NULL\n"
    ");\n"
    "PRAGMA user_version = 1;\n";

/* Version 2: workbooks (the sheet of a rejected row, the format and the
 * sheets of an import), the tickets' fingerprints and the QA review
 * (SPEC §5 "Review", docs/review.md). A new database runs version 1 and
 * then this, so old and new files take the same path. Needs the SQL
 * function ta_fingerprint (fingerprint.h). */
static const char schema_v2_sql[] =
    "ALTER TABLE rejects ADD COLUMN sheet TEXT;\n"
    "ALTER TABLE rejects ADD COLUMN reason_code TEXT;\n"
    "ALTER TABLE rejects ADD COLUMN reason_args TEXT;\n"
    "ALTER TABLE rejects ADD COLUMN ticket_id TEXT;\n"
    "ALTER TABLE rejects ADD COLUMN crm_ticket TEXT;\n"
    "ALTER TABLE imports ADD COLUMN format TEXT NOT NULL DEFAULT 'csv';\n"
    "ALTER TABLE imports ADD COLUMN sheets TEXT;\n"
    "ALTER TABLE tickets ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';\n"
    "UPDATE tickets SET fingerprint = ta_fingerprint(source, ticket_id,\n"
    "  crm_ticket, date, type, name, email, hp, phone, cso, urgency,\n"
    "  emotion, relation, idpel, notes, media);\n"
    "CREATE TABLE IF NOT EXISTS reviews (\n"
    "  source TEXT NOT NULL,\n"
    "  ticket_id TEXT NOT NULL,\n"
    "  fingerprint TEXT NOT NULL,\n"
    "  status TEXT,\n"
    "  decision TEXT NOT NULL CHECK (decision IN ('upheld', 'overturned')),\n"
    "  note TEXT NOT NULL DEFAULT '',\n"
    "  reviewer TEXT NOT NULL DEFAULT '',\n"
    "  file TEXT NOT NULL,\n"
    "  sheet TEXT,\n"
    "  row INTEGER NOT NULL,\n"
    "  decided_at TEXT NOT NULL,\n"
    "  log_id INTEGER NOT NULL,\n"
    "  PRIMARY KEY (source, ticket_id)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS review_log (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  source TEXT NOT NULL,\n"
    "  ticket_id TEXT NOT NULL,\n"
    "  fingerprint TEXT NOT NULL,\n"
    "  status TEXT,\n"
    "  decision TEXT NOT NULL CHECK (decision IN ('upheld', 'overturned')),\n"
    "  note TEXT NOT NULL DEFAULT '',\n"
    "  reviewer TEXT NOT NULL DEFAULT '',\n"
    "  file TEXT NOT NULL,\n"
    "  sheet TEXT,\n"
    "  row INTEGER NOT NULL,\n"
    "  decided_at TEXT NOT NULL,\n"
    "  file_sha256 TEXT\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS review_log_ticket ON review_log(source,\n"
    "  ticket_id);\n"
    /* A decision applies while the ticket is the one reviewed (same
     * fingerprint); otherwise it is stale: kept, shown, not applied. */
    "CREATE VIEW IF NOT EXISTS reviewed_results AS\n"
    "  SELECT t.source, t.ticket_id, t.period, t.cso, t.status,\n"
    "    CASE WHEN r.fingerprint = t.fingerprint THEN r.decision END\n"
    "      AS decision,\n"
    "    CASE WHEN r.fingerprint = t.fingerprint\n"
    "              AND r.decision = 'overturned' THEN\n"
    "      CASE t.status WHEN 'violation' THEN 'compliant'\n"
    "                    WHEN 'exempt' THEN 'violation'\n"
    "                    ELSE t.status END\n"
    "    ELSE t.status END AS final_status,\n"
    "    (r.decision IS NOT NULL AND r.fingerprint <> t.fingerprint)\n"
    "      AS stale,\n"
    "    r.decision AS stored_decision, r.note, r.reviewer,\n"
    "    t.fingerprint\n"
    "  FROM tickets t LEFT JOIN reviews r\n"
    "    ON r.source = t.source AND r.ticket_id = t.ticket_id;\n"
    "PRAGMA user_version = 2;\n";

/* What to do about an SQLite error, by its primary code ("" when the
 * message says enough). */
static const char *fail_hint(int code)
{
    switch (code) {
    case SQLITE_FULL:
        return "; free some disk space, or choose another file with --db";
    case SQLITE_READONLY:
        return "; the database or its folder is read-only: choose another "
               "file with --db";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return "; another program is using the database: wait until it "
               "ends (or close it) and try again";
    case SQLITE_CANTOPEN:
        return "; check the folder exists and is writable, or choose "
               "another file with --db";
    case SQLITE_IOERR:
        return "; check the disk, or choose another file with --db";
    default:
        return "";
    }
}

ta_status db_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    int code = db ? sqlite3_errcode(db) & 0xff : SQLITE_ERROR;
    /* a wait for another process's lock given up on SIGINT / SIGTERM */
    if (code == SQLITE_BUSY && interrupt_pending()) {
        const char *file = sqlite3_db_filename(db, "main");
        ta_errf(err, errlen,
                "%s: %s: interrupted while waiting for another program to "
                "finish with the database",
                file && *file ? file : "the database", what);
        return TA_E_INTERRUPTED;
    }
    /* Name the database file unless `what` already does. */
    const char *file = db ? sqlite3_db_filename(db, "main") : NULL;
    if (err && errlen) {
        if (file && *file && !strstr(what, file) && !strstr(file, what))
            snprintf(err, errlen, "%s: %s: %s%s", file, what,
                     sqlite3_errmsg(db), fail_hint(code));
        else
            snprintf(err, errlen, "%s: %s%s", what,
                     db ? sqlite3_errmsg(db) : "cannot open database",
                     fail_hint(code));
    }
    /* a statement stopped on a signal */
    if (code == SQLITE_INTERRUPT && interrupt_pending())
        return TA_E_INTERRUPTED;
    if (code == SQLITE_FULL || code == SQLITE_READONLY ||
        code == SQLITE_CANTOPEN)
        return TA_E_CANTCREAT;
    return TA_E_IO;
}

ta_status db_exec(sqlite3 *db, const char *sql, const char *what, char *err,
                  size_t errlen)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, what, err, errlen);
    return TA_OK;
}

ta_status db_prepare(sqlite3 *db, const char *sql, void *stmt_out, char *err,
                     size_t errlen)
{
    sqlite3_stmt **st = stmt_out;
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return db_fail(db, "preparing a statement", err, errlen);
    return TA_OK;
}

void db_now(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

ta_status db_record_audit(sqlite3 *db, const char *kind, const char *period,
                          const char *rules_fingerprint, long long *id,
                          char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db,
                             "INSERT INTO audits(kind, run_at, period, rules, "
                             "program_version, tickets) "
                             "VALUES (?1,?2,?3,?4,?5,0)",
                             &st, err, errlen);
    if (s != TA_OK)
        return s;
    char now[32];
    db_now(now);
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT));
    if (period)
        db_bound(&bound, sqlite3_bind_text(st, 3, period, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 4, rules_fingerprint, -1,
                                       SQLITE_TRANSIENT));
    db_bound(&bound, sqlite3_bind_text(st, 5, TA_VERSION, -1, SQLITE_STATIC));
    /* the message before finalize, which forgets a failed bind's */
    if (bound != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
        s = db_fail(db, "recording the audit", err, errlen);
    else
        *id = sqlite3_last_insert_rowid(db);
    sqlite3_finalize(st);
    return s;
}

ta_status db_finish_audit(sqlite3 *db, long long id, unsigned long tickets,
                          char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db, "UPDATE audits SET tickets=?2 WHERE id=?1",
                             &st, err, errlen);
    if (s != TA_OK)
        return s;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_int64(st, 1, id));
    db_bound(&bound, sqlite3_bind_int64(st, 2, (sqlite3_int64)tickets));
    if (bound != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
        s = db_fail(db, "recording the audit", err, errlen);
    sqlite3_finalize(st);
    return s;
}

/* Creates the file with mode 0600 if it does not exist yet, so SQLite
 * never creates it with the umask's wider mode. */
static ta_status create_private(const char *path, int *created, char *err,
                                size_t errlen)
{
    *created = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        *created = 1;
        return TA_OK;
    }
    if (errno == EEXIST)
        return TA_OK;
    ta_errf(err, errlen,
            "%s: cannot create the database: %s; check the folder exists "
            "and is writable, or choose another file with --db",
            path, strerror(errno));
    return TA_E_CANTCREAT;
}

/* Removes a database file db_open created itself and could not finish
 * (a full disk, say), so a failed open leaves nothing behind. */
static void discard_created(const char *path, int created)
{
    char journal[4096];
    if (!created)
        return;
    unlink(path);
    if (snprintf(journal, sizeof journal, "%s-journal", path) <
        (int)sizeof journal)
        unlink(journal);
}

/* ---- waiting for another process's lock ------------------------------
 *
 * SQLite's busy timeout gives up after a fixed time; SPEC §5 wants a
 * writer to wait for a report however long it reads, so a busy handler
 * of ours waits without limit, sleeping a little longer each time (as
 * SQLite's own does, up to 100 ms), and tells the caller once a second.
 * The handler is not called when the lock is had, so the end of a wait
 * is noticed by the progress handler (which runs as soon as the
 * statement goes on), by the next wait, or at the latest when the
 * connection closes. The waiter is freed with the connection: it is the
 * user data of an SQL function, whose destructor SQLite calls on close
 * (SQLite 3.40 has no other per-connection data a caller can hang on
 * it). */

typedef struct db_waiter {
    db_wait_fn fn; /* NULL: wait silently */
    void *ctx;
    int waiting;           /* a wait began and its end is not told yet */
    struct timespec start; /* when it began */
    struct timespec last;  /* the end of its latest sleep */
    unsigned long told;    /* whole seconds told so far */
    char path[];
} db_waiter;

static double seconds_between(const struct timespec *a,
                              const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) +
           (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* The end of a wait: told when its start was. */
static void wait_over(db_waiter *w, const struct timespec *end)
{
    if (!w->waiting)
        return;
    w->waiting = 0;
    if (w->fn && w->told > 0)
        w->fn(w->ctx, w->path, (unsigned long)seconds_between(&w->start, end),
              1);
}

static int on_busy(void *p, int count)
{
    static const int delay_ms[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50};
    db_waiter *w = p;
    /* SIGINT / SIGTERM: give up; db_fail turns the busy error into
     * TA_E_INTERRUPTED. */
    if (interrupt_pending()) {
        w->waiting = 0; /* given up, not over: nothing more to tell */
        return 0;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (count == 0) {
        /* a new lock event: the one before it, if any, is over */
        wait_over(w, &w->last);
        w->waiting = 1;
        w->start = now;
        w->told = 0;
    }
    unsigned long secs = (unsigned long)seconds_between(&w->start, &now);
    if (w->fn && secs > w->told) {
        w->told = secs;
        w->fn(w->ctx, w->path, secs, 0);
    }
    size_t n = sizeof delay_ms / sizeof delay_ms[0];
    int ms = (size_t)count < n ? delay_ms[count] : 100;
    struct timespec d = {0, (long)ms * 1000000L};
    nanosleep(&d, NULL); /* a signal cuts it short: checked next time */
    clock_gettime(CLOCK_MONOTONIC, &w->last);
    return 1;
}

/* The progress handler: SIGINT / SIGTERM stop a long statement within a
 * few thousand virtual-machine steps (interrupt.h), and a statement that
 * runs has its lock, so a wait before it is over. */
static int on_progress(void *p)
{
    db_waiter *w = p;
    if (w->waiting) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        wait_over(w, &now);
    }
    return interrupt_pending() != 0;
}

static void waiter_free(void *p)
{
    db_waiter *w = p;
    if (w)
        wait_over(w, &w->last);
    free(w);
}

static void waiter_sql(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_null(ctx);
}

/* Installs the busy and progress handlers with a waiter for path. 0, or
 * -1 when out of memory. */
static int install_waiter(sqlite3 *db, const char *path,
                          const db_open_options *o)
{
    size_t n = strlen(path);
    db_waiter *w = calloc(1, sizeof *w + n + 1);
    if (!w)
        return -1;
    memcpy(w->path, path, n + 1);
    if (o) {
        w->fn = o->on_wait;
        w->ctx = o->wait_ctx;
    }
    /* SQLite calls the destructor also when creating the function fails */
    if (sqlite3_create_function_v2(db, "ta_lock_waiter", 0, SQLITE_UTF8, w,
                                   waiter_sql, NULL, NULL,
                                   waiter_free) != SQLITE_OK)
        return -1;
    sqlite3_busy_handler(db, on_busy, w);
    sqlite3_progress_handler(db, 4096, on_progress, w);
    return 0;
}

static int read_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* For a database that must exist: TA_OK when path is a file, else
 * TA_E_NOINPUT naming it. */
static ta_status must_exist(const char *path, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT)
            ta_errf(err, errlen,
                    "%s: no such database; import exports into it first "
                    "('ticket-audit import --db %s FILE...'), or give the "
                    "right file with --db",
                    path, path);
        else
            ta_errf(err, errlen,
                    "%s: cannot open the database: %s; check the path "
                    "given with --db",
                    path, strerror(errno));
        return TA_E_NOINPUT;
    }
    if (S_ISDIR(sb.st_mode)) {
        ta_errf(err, errlen,
                "%s: is a folder, not a database; give the database file "
                "with --db",
                path);
        return TA_E_NOINPUT;
    }
    return TA_OK;
}

ta_status db_open(const char *path, sqlite3 **out, char *err, size_t errlen)
{
    return db_open_with(path, NULL, out, err, errlen);
}

ta_status db_open_with(const char *path, const db_open_options *o,
                       sqlite3 **out, char *err, size_t errlen)
{
    *out = NULL;
    /* ":memory:" and "" (SQLite's private temporary database, deleted on
     * close, spilling to a temp file so memory stays flat) are never
     * files of ours to create. */
    int memory = strcmp(path, ":memory:") == 0 || path[0] == '\0';
    int created = 0;
    if (!memory && o && o->must_exist) {
        ta_status st = must_exist(path, err, errlen);
        if (st != TA_OK)
            return st;
    } else if (!memory) {
        ta_status st = create_private(path, &created, err, errlen);
        if (st != TA_OK)
            return st;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                            (memory ? SQLITE_OPEN_CREATE : 0),
                        NULL) != SQLITE_OK) {
        ta_status st = db_fail(db, path, err, errlen);
        sqlite3_close(db);
        discard_created(path, created);
        return st == TA_E_IO ? TA_E_CANTCREAT : st;
    }
    /* Another process holding the database: wait for it, however long;
     * SIGINT / SIGTERM stop a wait or a long statement. */
    if (install_waiter(db, path, o) != 0) {
        ta_errf(err, errlen, "%s: out of memory opening the database", path);
        sqlite3_close(db);
        discard_created(path, created);
        return TA_E_NOMEM;
    }

    int app = 0, version = 0, objects = 0;
    if (read_int(db, "PRAGMA application_id", &app) != SQLITE_OK ||
        read_int(db, "PRAGMA user_version", &version) != SQLITE_OK ||
        read_int(db, "SELECT count(*) FROM sqlite_schema", &objects) !=
            SQLITE_OK) {
        int code = sqlite3_errcode(db) & 0xff;
        ta_status st = TA_E_DATA;
        if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
            ta_errf(err, errlen,
                    "%s: this file is not an SQLite database (%s); give "
                    "another file with --db",
                    path, sqlite3_errmsg(db));
        else
            st = db_fail(db, "cannot read the database", err, errlen);
        sqlite3_close(db);
        discard_created(path, created);
        return st;
    }
    if (objects > 0 && app != DB_APP_ID) {
        ta_errf(err, errlen,
                "%s: this SQLite database was not made by ticket-audit; "
                "give another file with --db",
                path);
        sqlite3_close(db);
        return TA_E_DATA;
    }
    if (version > DB_SCHEMA_VERSION) {
        ta_errf(err, errlen,
                "%s: the database was made by a newer ticket-audit; "
                "upgrade ticket-audit",
                path);
        sqlite3_close(db);
        return TA_E_DATA;
    }
    ta_status st = db_exec(db,
                           "PRAGMA foreign_keys = OFF;"
                           "PRAGMA synchronous = NORMAL;"
                           /* 4 MB: as fast on bulk imports as 16 MB, and
                            * peak memory stays far under 64 MiB. */
                           "PRAGMA cache_size = -4000;",
                           path, err, errlen);
    /* Bigger pages mean fewer B-tree splits and writes on bulk imports;
     * the size can only be chosen before the first table exists. */
    if (st == TA_OK && objects == 0)
        st =
            db_exec(db, "PRAGMA page_size = " DB_PAGE_SIZE, path, err, errlen);
    if (st == TA_OK && version < DB_SCHEMA_VERSION) {
        st = db_exec(db, "BEGIN IMMEDIATE", path, err, errlen);
        /* Another process may have created or upgraded the schema while
         * this one waited for the lock. */
        if (st == TA_OK &&
            read_int(db, "PRAGMA user_version", &version) != SQLITE_OK)
            st = db_fail(db, "reading the schema version", err, errlen);
        if (st == TA_OK && version < 1)
            st = db_exec(db, schema_sql, "creating the schema", err, errlen);
        if (st == TA_OK && fingerprint_register_sql(db) != 0)
            st = db_fail(db, "preparing the schema's upgrade", err, errlen);
        if (st == TA_OK && version < 2)
            st = db_exec(db, schema_v2_sql,
                         "upgrading the schema to version 2", err, errlen);
        if (st == TA_OK)
            st = db_exec(db, "COMMIT", path, err, errlen);
        else
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    if (st != TA_OK) {
        sqlite3_close(db);
        discard_created(path, created);
        return st;
    }
    *out = db;
    return TA_OK;
}

void db_init_library(void)
{
    /* Fails only when SQLite is already initialised: then nothing to do. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void db_close(sqlite3 *db)
{
    if (db)
        sqlite3_close(db);
}

const char *db_library_version(void)
{
    return sqlite3_libversion();
}

int db_is_readonly(sqlite3 *db)
{
    return sqlite3_db_readonly(db, "main") == 1;
}

ta_status db_begin(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    return db_exec(db, "BEGIN IMMEDIATE", what, err, errlen);
}

ta_status db_commit(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    return db_exec(db, "COMMIT", what, err, errlen);
}

void db_rollback(sqlite3 *db)
{
    /* Fails only when no transaction is open: nothing left to undo. */
    (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

ta_status db_read_begin(sqlite3 *db, const char *what, char *err,
                        size_t errlen)
{
    /* A deferred BEGIN reads nothing yet: the SELECT takes the shared
     * lock now, which fixes the snapshot until db_read_end. */
    ta_status s = db_exec(db, "BEGIN DEFERRED", what, err, errlen);
    if (s == TA_OK) {
        s = db_exec(db, "SELECT count(*) FROM sqlite_master", what, err,
                    errlen);
        if (s != TA_OK)
            db_rollback(db);
    }
    return s;
}

void db_read_end(sqlite3 *db)
{
    /* Ends a read (and the temp schema's writes): nothing to keep, so
     * ROLLBACK, which cannot fail in a way that matters. */
    db_rollback(db);
}
