/*
 * main.c — the ticket-audit program: parse the command line, run one
 * pipeline per subcommand, print messages, choose the exit status.
 *
 * This is the only file that prints or exits (STYLE §5). Data flows one
 * way: files -> import -> database -> audit -> report.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "db.h"
#include "import.h"
#include "junit.h"
#include "report.h"
#include "rules.h"
#include "signals.h"
#include "summary.h"
#include "ta.h"

#define ERRLEN 2048

/* How many rejected rows of a file are shown on stderr; the rest are in
 * the database's rejects table. */
#define SHOW_REJECTS 5

typedef struct progress {
    int enabled;
    struct timespec last;
} progress;

static void show_progress(void *ctx, const char *file, unsigned long long done,
                          unsigned long long total, unsigned long rows)
{
    progress *p = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double since = (double)(now.tv_sec - p->last.tv_sec) +
                   (double)(now.tv_nsec - p->last.tv_nsec) / 1e9;
    if (done < total && since < 0.2)
        return;
    p->last = now;
    double pct = total ? 100.0 * (double)done / (double)total : 100.0;
    fprintf(stderr, "\r\033[Kimporting %s: %3.0f%%  %lu rows", file, pct,
            rows);
    if (done >= total)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

static void print_error(const char *msg)
{
    fprintf(stderr, "ticket-audit: %s\n", msg);
}

/* stdout carries the JSON alone with --json: the human lines go to
 * stderr then. */
static FILE *info_stream(const cli_options *o)
{
    return o->json ? stderr : stdout;
}

static void show_rejects(sqlite3 *db, const import_result *r)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT file, line, reason FROM rejects WHERE "
                           "import_id = ?1 ORDER BY id LIMIT ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, r->import_id);
    sqlite3_bind_int(st, 2, SHOW_REJECTS);
    while (sqlite3_step(st) == SQLITE_ROW)
        fprintf(stderr, "ticket-audit: %s:%lld: row rejected: %s\n",
                (const char *)sqlite3_column_text(st, 0),
                (long long)sqlite3_column_int64(st, 1),
                (const char *)sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    if (r->rows_rejected > SHOW_REJECTS)
        fprintf(stderr,
                "ticket-audit: ... and %lu more rejected rows (table "
                "'rejects' in the database, sheet 'Ditolak' in the report)\n",
                r->rows_rejected - SHOW_REJECTS);
}

/* A later status replaces an earlier one only when the earlier was OK:
 * the first failure decides the exit status. */
static void keep_first(ta_status *first, ta_status s)
{
    if (*first == TA_OK)
        *first = s;
}

/* Imports every file; returns the status of the first file that failed
 * (after trying all of them), TA_OK when all were read. */
static ta_status import_all(const cli_options *o, sqlite3 *db, const rules *rs)
{
    progress prog = {0};
    prog.enabled = !o->quiet && isatty(STDERR_FILENO);
    import_options io = {0};
    io.source = (ta_source)o->source;
    io.encoding = (csv_encoding)o->encoding;
    io.progress = prog.enabled ? show_progress : NULL;
    io.progress_ctx = &prog;
    ta_status first = TA_OK;
    char err[ERRLEN];
    for (int i = 0; i < o->nfiles; i++) {
        import_result r;
        ta_status s =
            import_file(db, rs, o->files[i], &io, &r, err, sizeof err);
        if (s != TA_OK) {
            print_error(err);
            keep_first(&first, s);
            continue;
        }
        if (o->quiet)
            continue;
        if (r.already_imported) {
            fprintf(info_stream(o),
                    "%s: already imported (same content, SHA-256 %.12s...); "
                    "nothing changed\n",
                    o->files[i], r.sha256);
            continue;
        }
        fprintf(info_stream(o),
                "%s: %s export, %lu rows read, %lu imported, %lu rejected "
                "(%s, delimiter '%s', header on line %lu)\n",
                o->files[i], ta_source_name(r.source), r.rows_read,
                r.rows_imported, r.rows_rejected,
                csv_encoding_name(r.encoding),
                r.delimiter == '\t' ? "TAB" : (char[2]){r.delimiter, 0},
                r.header_line);
        if (r.rows_rejected)
            show_rejects(db, &r);
    }
    return first;
}

static ta_status load_rules(const cli_options *o, rules **rs)
{
    char err[ERRLEN];
    ta_status s = rules_load(o->rules, rs, err, sizeof err);
    if (s != TA_OK)
        print_error(err);
    return s;
}

static ta_status open_db(const char *path, sqlite3 **db)
{
    char err[ERRLEN];
    ta_status s = db_open(path, db, err, sizeof err);
    if (s != TA_OK)
        print_error(err);
    return s;
}

/* Judges again what needs it — everything for `audit`, only tickets judged
 * with other rules for `run` and `check` (import judged the new rows) —
 * then finds the signals. */
static ta_status run_audit(const cli_options *o, sqlite3 *db, const rules *rs)
{
    char err[ERRLEN];
    audit_summary sum;
    /* An audit that judges the tickets feeds the signals as it reads them;
     * one that judged nothing (import did) leaves them a scan of their
     * own, or nothing at all when they are up to date. */
    signals_feed *sig = signals_feed_new(rs, o->period);
    if (!sig) {
        print_error("out of memory preparing the audit");
        return TA_E_NOMEM;
    }
    /* One transaction: the verdicts and their signals commit together,
     * and once. */
    ta_status s =
        db_exec(db, "BEGIN IMMEDIATE", "starting the audit", err, sizeof err);
    if (s == TA_OK)
        s = audit_run(db, rs, o->period, o->command != CLI_AUDIT,
                      signals_feed_on_ticket, sig, &sum, err, sizeof err);
    signals_counts n;
    if (s == TA_OK && sum.audit_id != 0)
        s = signals_feed_write(sig, db, &n, err, sizeof err);
    else if (s == TA_OK)
        s = signals_compute(db, rs, o->period, &n, err, sizeof err);
    if (s == TA_OK)
        s = db_exec(db, "COMMIT", "committing the audit", err, sizeof err);
    else
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    signals_feed_free(sig);
    if (s != TA_OK)
        print_error(err);
    return s;
}

/* The summary on stdout: JSON with --json, else the human lines. */
static ta_status print_summary(const cli_options *o, sqlite3 *db)
{
    char err[ERRLEN];
    char *text = NULL;
    ta_status s = TA_OK;
    if (o->json) {
        s = summary_json(db, o->period, &text, err, sizeof err);
        if (s == TA_OK)
            puts(text);
    } else if (!o->quiet) {
        s = summary_text(db, o->period, 5, &text, err, sizeof err);
        if (s == TA_OK)
            fputs(text, stdout);
    }
    free(text);
    if (s != TA_OK)
        print_error(err);
    return s;
}

static ta_status write_report(const cli_options *o, sqlite3 *db)
{
    char err[ERRLEN], path[4096];
    report_options ro = {0};
    ro.out_dir = o->out;
    ro.period = o->period;
    ro.lang = o->lang;
    ro.per_cso = o->per_cso;
    ro.no_mask = o->no_mask;
    ro.target = o->target;
    ta_status s = report_write(db, &ro, path, sizeof path, err, sizeof err);
    if (s != TA_OK)
        print_error(err);
    else if (!o->quiet)
        fprintf(info_stream(o), "report written: %s%s\n", path,
                o->per_cso ? " (and one workbook per CSO in cso/)" : "");
    return s;
}

/* check's verdict: 1 under --fail-under or over --max-rejected. */
static ta_status check_limits(const cli_options *o, sqlite3 *db)
{
    char err[ERRLEN], why[512];
    summary_totals t;
    ta_status s = summary_get_totals(db, o->period, &t, err, sizeof err);
    if (s != TA_OK) {
        print_error(err);
        return s;
    }
    if (o->junit) {
        s = junit_write(db, o->period,
                        o->has_fail_under ? o->fail_under : o->target,
                        o->junit, err, sizeof err);
        if (s != TA_OK) {
            print_error(err);
            return s;
        }
    }
    if (summary_check_fails(&t, o->has_fail_under, o->fail_under,
                            o->has_max_rejected, o->max_rejected, why,
                            sizeof why)) {
        print_error(why);
        return TA_E_BELOW;
    }
    return TA_OK;
}

static int run(const cli_options *o)
{
    rules *rs = NULL;
    sqlite3 *db = NULL;
    ta_status s = load_rules(o, &rs);
    if (s != TA_OK)
        return ta_exit_status(s);
    /* check keeps nothing: SQLite's private temporary database, which
     * unlike ":memory:" pages out to a temporary file on big exports. */
    const char *dbpath = o->command == CLI_CHECK ? "" : o->db;
    ta_status first = open_db(dbpath, &db);
    int reads = o->command == CLI_RUN || o->command == CLI_IMPORT ||
                o->command == CLI_CHECK;
    if (first == TA_OK && reads)
        first = import_all(o, db, rs);
    /* A missing or unreadable export still lets the others be audited;
     * a database failure stops everything. */
    int go = db && first != TA_E_IO && first != TA_E_CANTCREAT &&
             first != TA_E_NOMEM;
    /* report brings stale verdicts and the signals up to date first, but
     * a database it may only read is reported as it stands. */
    int writable = db && !sqlite3_db_readonly(db, "main");
    if (go && o->command != CLI_IMPORT &&
        (o->command != CLI_REPORT || writable)) {
        s = run_audit(o, db, rs);
        keep_first(&first, s);
        go = s == TA_OK;
    }
    if (go && o->command != CLI_IMPORT && o->command != CLI_REPORT)
        keep_first(&first, print_summary(o, db));
    if (go && (o->command == CLI_RUN || o->command == CLI_REPORT))
        keep_first(&first, write_report(o, db));
    if (go && o->command == CLI_CHECK)
        keep_first(&first, check_limits(o, db));
    db_close(db);
    rules_free(rs);
    return ta_exit_status(first);
}

int main(int argc, char **argv)
{
    cli_options o;
    char err[ERRLEN];
    /* Keep stdout and stderr lines in order when both go to one log. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    db_init_library();
    ta_status s = cli_parse(argc, argv, &o, err, sizeof err);
    if (s != TA_OK) {
        print_error(err);
        return ta_exit_status(s);
    }
    if (o.command == CLI_HELP) {
        fputs(cli_usage(), stdout);
        return 0;
    }
    if (o.command == CLI_VERSION) {
        printf("ticket-audit %s (SQLite %s)\n", TA_VERSION,
               sqlite3_libversion());
        return 0;
    }
    return run(&o);
}
