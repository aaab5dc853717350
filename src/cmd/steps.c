/*
 * steps.c — the steps the subcommands are made of (cmd_internal.h):
 * opening, importing, the period check, auditing with the signals, the
 * summary, the workbooks, check's verdict and reading the QA decisions
 * back. Each calls one or two modules and turns what they return into
 * lines for the output; none prints or holds SQL.
 *
 * The progress line (cmd_output.progress, set by main on a terminal
 * only) is fed here from each module's own callback: the import's bytes,
 * the audit's rows, the signals' phases, the workbooks, the decisions
 * read, a wait for the database's lock.
 */
#include "cmd_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "import.h"
#include "interrupt.h"
#include "junit.h"
#include "mask.h"
#include "report.h"
#include "review.h"
#include "signals.h"
#include "summary.h"

#define ERRLEN 2048
/* A line of information names at most a path (PATH_MAX) and figures. */
#define LINELEN 8192

/* How many rejected rows of a file are shown; the rest are in the
 * database's rejects table. */
#define SHOW_REJECTS 5

static void keep_first(cmd_ctx *c, ta_status s)
{
    if (c->first == TA_OK)
        c->first = s;
}

/* Reports a failure and keeps it; returns s. */
static ta_status fail(cmd_ctx *c, ta_status s, const char *msg)
{
    c->out->error(c->out->ctx, msg);
    keep_first(c, s);
    return s;
}

/* 1 when SIGINT or SIGTERM arrived: the step is not started, and the
 * interruption is said once (unless the step it cut short said it). */
static int interrupted(cmd_ctx *c, const char *step)
{
    if (!interrupt_pending())
        return 0;
    if (c->first != TA_E_INTERRUPTED) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "interrupted before %s; nothing more was "
                 "done",
                 step);
        fail(c, TA_E_INTERRUPTED, msg);
    }
    return 1;
}

static void progress(cmd_ctx *c, const char *line, int now)
{
    if (c->out->progress)
        c->out->progress(c->out->ctx, line, now);
}

/* The last part of a path, for a progress line that fits a terminal. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* ---- opening -------------------------------------------------------- */

/* db_wait_fn: a wait for another process's lock, on the terminal while
 * it lasts, and in one line once it is over. */
static void on_db_wait(void *ctx, const char *path, unsigned long seconds,
                       int over)
{
    cmd_ctx *c = ctx;
    char line[LINELEN];
    if (!over) {
        snprintf(line, sizeof line,
                 "waiting for another ticket-audit to finish with %s... "
                 "(%lu s)",
                 path, seconds);
        progress(c, line, 1);
        return;
    }
    progress(c, NULL, 1);
    if (!c->o->quiet) {
        snprintf(line, sizeof line,
                 "%s: waited %lu s for another program to finish with the "
                 "database",
                 path, seconds);
        c->out->info(c->out->ctx, line);
    }
}

ta_status cmd_open(cmd_ctx *c, const cli_options *o, const cmd_output *out,
                   cmd_db_mode mode)
{
    char err[ERRLEN];
    memset(c, 0, sizeof *c);
    c->o = o;
    c->out = out;
    c->first = TA_OK;
    c->snapshot = 0;
    c->in_memory = mode == CMD_DB_PRIVATE;
    ta_status s = rules_load(o->rules, &c->rs, err, sizeof err);
    db_open_options dbo = {.must_exist = mode == CMD_DB_EXISTING,
                           .on_wait = on_db_wait,
                           .wait_ctx = c};
    /* check keeps nothing: SQLite's private temporary database ("")
     * which, unlike ":memory:", pages out to a temporary file on big
     * exports. */
    if (s == TA_OK)
        s = db_open_with(c->in_memory ? "" : o->db, &dbo, &c->db, err,
                         sizeof err);
    return s == TA_OK ? TA_OK : fail(c, s, err);
}

/* SPEC §2: with several files, the command ends with a line that
 * repeats which inputs failed, since their messages have scrolled away
 * by then. */
static void show_failed(cmd_ctx *c)
{
    const cli_options *o = c->o;
    if (o->nfiles < 2 || c->nfailed == 0)
        return;
    char line[LINELEN];
    size_t used = 0;
    int n = snprintf(line, sizeof line, "%d of %d inputs failed: ", c->nfailed,
                     o->nfiles);
    used = n > 0 ? (size_t)n : 0;
    for (int i = 0; i < c->nfailed && used < sizeof line; i++) {
        ta_status st = c->failed[i].status;
        n = snprintf(line + used, sizeof line - used, "%s%s (exit %d, %s)",
                     i ? ", " : "", o->files[c->failed[i].file],
                     ta_exit_status(st), ta_strerror(st));
        if (n < 0)
            break;
        used += (size_t)n;
    }
    c->out->error(c->out->ctx, line);
}

ta_status cmd_close(cmd_ctx *c)
{
    progress(c, NULL, 1);
    if (c->snapshot)
        db_read_end(c->db);
    c->snapshot = 0;
    db_close(c->db);
    rules_free(c->rs);
    c->db = NULL;
    c->rs = NULL;
    signals_feed_free(c->fed);
    c->fed = NULL;
    summary_feed_free(c->sumfed);
    c->sumfed = NULL;
    show_failed(c);
    free(c->failed);
    c->failed = NULL;
    return c->first;
}

/* ---- the read snapshot ---------------------------------------------- */

/* SPEC §5: all that one command writes from the database (the summary,
 * the JSON, every workbook, JUnit) comes from one read snapshot, so the
 * figures agree while another process imports. It opens right after the
 * audit commits (or before the first output, when there was no audit) and
 * stays open until cmd_close; a writer meanwhile waits for it. */
static ta_status snapshot(cmd_ctx *c)
{
    char err[ERRLEN];
    if (c->snapshot)
        return TA_OK;
    ta_status s = db_read_begin(c->db, "reading the database", err,
                                sizeof err);
    if (s != TA_OK)
        return fail(c, s, err);
    c->snapshot = 1;
    return TA_OK;
}

/* ---- import --------------------------------------------------------- */

/* The import masks the reason (it quotes the cell that failed, often an
 * email or a phone number typed in the wrong column) and names the cell. */
static void show_reject(void *ctx, const char *where, const char *reason)
{
    const cmd_ctx *c = ctx;
    char msg[LINELEN];
    snprintf(msg, sizeof msg, "%s: row rejected: %s", where, reason);
    c->out->error(c->out->ctx, msg);
}

/* The first rejected rows of a file, and how many more there are. */
static void show_rejects(cmd_ctx *c, const import_result *r)
{
    char err[ERRLEN];
    /* A courtesy on the terminal: the rows are in the database and the
     * workbook whatever happens here, so a failure to list them is not
     * the import's failure. */
    if (import_list_rejects(c->db, r, SHOW_REJECTS, show_reject, c,
                            err, sizeof err) != TA_OK)
        return;
    if (r->rows_rejected > SHOW_REJECTS) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "... and %lu more rejected rows (table 'rejects' in the "
                 "database, sheet 'Ditolak' in the report)",
                 r->rows_rejected - SHOW_REJECTS);
        c->out->error(c->out->ctx, msg);
    }
}

/* What one imported file's line says. */
static void show_imported(cmd_ctx *c, const char *file, const import_result *r)
{
    char line[LINELEN];
    if (r->already_imported) {
        snprintf(line, sizeof line,
                 "%s: already imported (same content, SHA-256 %.12s...); "
                 "nothing changed",
                 file, r->sha256);
        c->out->info(c->out->ctx, line);
        return;
    }
    snprintf(line, sizeof line,
             "%s: %s export, %lu rows read, %lu imported, %lu rejected (%s)",
             file, ta_source_name(r->source), r->rows_read, r->rows_imported,
             r->rows_rejected, r->how);
    c->out->info(c->out->ctx, line);
    if (r->rows_rejected)
        show_rejects(c, r);
}

/* SPEC §3 reads a file that is not valid UTF-8 as Windows-1252; forced
 * to UTF-8 (--encoding utf-8), its bad bytes became U+FFFD, which is
 * worth a warning even with --quiet: names and notes were damaged. */
static void warn_replaced(cmd_ctx *c, const char *file, const import_result *r)
{
    if (r->already_imported || r->invalid_utf8 == 0)
        return;
    char msg[LINELEN];
    snprintf(msg, sizeof msg,
             "%s: warning: %llu invalid UTF-8 sequence%s replaced by U+FFFD "
             "(\xef\xbf\xbd): the file is not UTF-8 although --encoding "
             "utf-8 was given; it is probably windows-1252: leave --encoding "
             "out (it is detected) or give --encoding windows-1252, into a "
             "new --db",
             file, r->invalid_utf8, r->invalid_utf8 == 1 ? " was" : "s were");
    c->out->error(c->out->ctx, msg);
}

/* import_progress_fn: one file's bytes. */
static void import_progress(void *ctx, const char *file,
                            unsigned long long done, unsigned long long total,
                            unsigned long rows)
{
    cmd_ctx *c = ctx;
    char line[LINELEN];
    double pct = total ? 100.0 * (double)done / (double)total : 100.0;
    snprintf(line, sizeof line, "importing %s: %3.0f%%  %lu rows",
             base_name(file), pct, rows);
    progress(c, line, done >= total);
    if (done >= total)
        progress(c, NULL, 1);
}

/* ---- the signals fed by the import -------------------------------------- */

/* import_ticket_fn: every ticket of the scope stored goes to the feed,
 * as signals_feed_on_ticket hands an audited one (signals.h). A feed that
 * fails is given up (the signals then come from a scan), not the import. */
static ta_status feed_stored(void *ctx, const import_ticket *t, char *err,
                             size_t errlen)
{
    (void)err;
    (void)errlen;
    cmd_ctx *c = ctx;
    const char *period = c->o->period;
    if (c->sumfed)
        summary_feed_count(c->sumfed, 0, t->period, 7, t->v[TA_F_CSO],
                           t->len[TA_F_CSO], rules_status_name(t->status),
                           t->codes);
    if (!c->fed || c->fed_broken ||
        (period && memcmp(t->period, period, 8) != 0))
        return TA_OK;
    signals_row r = signals_row_of(t->rowid, t->source, t->period, 7, t->v,
                                   t->len, t->status, t->hp, t->email,
                                   t->hp_norm, t->email_norm, t->codes);
    char why[ERRLEN];
    if (signals_feed_add(c->fed, &r, why, sizeof why) != TA_OK)
        c->fed_broken = 1;
    else
        c->fed_rows++;
    return TA_OK;
}

/* import_replaced_fn: a ticket fed earlier, replaced by a later row. */
static void feed_replaced(void *ctx, const import_replaced *x)
{
    cmd_ctx *c = ctx;
    const char *period = c->o->period;
    if (c->sumfed)
        summary_feed_count(c->sumfed, 1, x->period, x->period_len, x->cso,
                           x->cso_len, x->status, x->codes);
    if (!c->fed || c->fed_broken || (period && strcmp(x->period, period)))
        return;
    signals_row r;
    memset(&r, 0, sizeof r);
    r.rowid = x->rowid;
    r.period.p = x->period;
    r.period.n = x->period_len;
    r.cso.p = x->cso;
    r.cso.n = x->cso_len;
    r.in_scope = strcmp(x->status, "out_of_scope") != 0;
    r.exempt = strcmp(x->status, "exempt") == 0;
    r.codes = x->codes;
    char why[ERRLEN];
    if (signals_feed_remove(c->fed, &r, why, sizeof why) != TA_OK)
        c->fed_broken = 1;
}

/* on_stored: after the last file's rows, the feed ends and its merge
 * starts, running while the import's commit waits for the disk. */
static void feed_finish(void *ctx)
{
    cmd_ctx *c = ctx;
    char why[ERRLEN];
    if (c->last_file && c->fed && !c->fed_broken && c->fed_rows > 0 &&
        signals_feed_finish(c->fed, why, sizeof why) != TA_OK)
        c->fed_broken = 1;
}

static void signals_progress(void *ctx, const char *phase);

/* The import feeds the signals only into a database without tickets:
 * then it sees every ticket the signals need (docs/benchmarks.md,
 * "Pipeline"). */
static void start_feed(cmd_ctx *c, import_options *io)
{
    char err[ERRLEN];
    int has = 1;
    char *months = NULL;
    if (summary_months(c->db, NULL, &has, &months, err, sizeof err) != TA_OK)
        has = 1;
    free(months);
    if (has)
        return;
    if (c->count_summary)
        c->sumfed = summary_feed_new(); /* NULL: the figures scan */
    c->fed = signals_feed_new(c->rs, c->o->period);
    if (c->fed) {
        signals_feed_set_stored(c->fed);
        if (c->out->progress)
            signals_feed_set_progress(c->fed, signals_progress, c);
    }
    if (!c->fed && !c->sumfed)
        return;
    io->on_ticket = feed_stored;
    io->on_replaced = feed_replaced;
    io->on_stored = feed_finish;
    io->ticket_ctx = c;
}

ta_status step_fed_signals(cmd_ctx *c)
{
    char err[ERRLEN];
    if (!c->fed || c->fed_broken || c->fed_rows == 0 ||
        interrupted(c, "the signals"))
        return TA_OK;
    signals_counts n;
    ta_status s = db_begin(c->db, "writing the signals", err, sizeof err);
    if (s == TA_OK)
        s = signals_feed_write(c->fed, c->db, &n, err, sizeof err);
    if (s == TA_OK)
        s = db_commit(c->db, "writing the signals", err, sizeof err);
    else
        db_rollback(c->db);
    signals_feed_free(c->fed);
    c->fed = NULL;
    progress(c, NULL, 1);
    /* The tickets are stored whatever happens here, and the next audit
     * or report computes the signals; only an interruption is said. */
    return s == TA_E_INTERRUPTED ? fail(c, s, err) : TA_OK;
}

/* Keeps the input that failed for the last line. */
static void keep_failed(cmd_ctx *c, int file, ta_status s)
{
    if (!c->failed) {
        c->failed = calloc((size_t)c->o->nfiles, sizeof *c->failed);
        if (!c->failed)
            return; /* only the last line is lost: each file said its own */
    }
    c->failed[c->nfailed].file = file;
    c->failed[c->nfailed].status = s;
    c->nfailed++;
}

ta_status step_import(cmd_ctx *c)
{
    const cli_options *o = c->o;
    /* check's private database is thrown away: only what its figures
     * read is stored */
    import_options io = {.sheet = o->sheet, .figures_only = c->in_memory};
    io.source = (ta_source)o->source;
    io.encoding = (csv_encoding)o->encoding;
    if (c->out->progress) {
        io.progress = import_progress;
        io.progress_ctx = c;
    }
    ta_status first = TA_OK;
    char err[ERRLEN];
    start_feed(c, &io);
    for (int i = 0; i < o->nfiles; i++) {
        import_result r;
        /* SIGINT / SIGTERM: the file being read was rolled back; the
         * files after it are not started. */
        if (interrupt_pending()) {
            if (first == TA_OK)
                first = fail(c, TA_E_INTERRUPTED,
                             "interrupted: the remaining files were not "
                             "imported");
            break;
        }
        c->last_file = i == o->nfiles - 1;
        ta_status s =
            import_file(c->db, c->rs, o->files[i], &io, &r, err, sizeof err);
        progress(c, NULL, 1);
        if (s != TA_OK) {
            /* rolled back: its tickets were fed */
            c->fed_broken = 1;
            summary_feed_free(c->sumfed);
            c->sumfed = NULL;
            fail(c, s, err);
            if (s != TA_E_INTERRUPTED)
                keep_failed(c, i, s);
            if (first == TA_OK)
                first = s;
            continue;
        }
        if (!o->quiet)
            show_imported(c, o->files[i], &r);
        warn_replaced(c, o->files[i], &r);
    }
    return first;
}

int step_goes_on(ta_status s)
{
    return s != TA_E_IO && s != TA_E_CANTCREAT && s != TA_E_NOMEM &&
           s != TA_E_INTERRUPTED;
}

/* ---- the period ----------------------------------------------------- */

ta_status step_period(cmd_ctx *c, int need_tickets)
{
    const cli_options *o = c->o;
    if (!o->period && !need_tickets)
        return TA_OK;
    if (interrupted(c, "checking the period"))
        return TA_E_INTERRUPTED;
    char err[ERRLEN], msg[LINELEN];
    int has = 0;
    char *months = NULL;
    ta_status s =
        summary_months(c->db, o->period, &has, &months, err, sizeof err);
    if (s != TA_OK)
        return fail(c, s, err);
    if (has)
        return TA_OK;
    const char *list = months && *months ? months : "none";
    if (o->period && c->in_memory) /* check: the files given, no file */
        snprintf(msg, sizeof msg,
                 "--period %s holds no ticket of the files given; months "
                 "with tickets: %s%s",
                 o->period, list,
                 *list != 'n' ? "; give one of them, or leave --period out"
                              : "");
    else if (o->period)
        snprintf(msg, sizeof msg,
                 "%s: --period %s holds no ticket; months with tickets: "
                 "%s; %s",
                 o->db, o->period, list,
                 *list != 'n' ? "give one of them, or leave --period out"
                              : "import exports first: ticket-audit import "
                                "--db DB FILE...");
    else
        snprintf(msg, sizeof msg,
                 "%s: the database holds no ticket (months with tickets: "
                 "none); import exports first: ticket-audit import --db %s "
                 "FILE...",
                 o->db, o->db);
    free(months);
    return fail(c, TA_E_DATA, msg);
}

/* ---- audit and signals ---------------------------------------------- */

/* audit_progress_fn */
static void audit_progress(void *ctx, unsigned long tickets,
                           unsigned long long done, unsigned long long total)
{
    cmd_ctx *c = ctx;
    char line[256];
    double pct = total ? 100.0 * (double)done / (double)total : 100.0;
    snprintf(line, sizeof line, "auditing: %3.0f%%  %lu tickets", pct,
             tickets);
    progress(c, line, done == 0);
}

/* signals_progress_fn */
static void signals_progress(void *ctx, const char *phase)
{
    cmd_ctx *c = ctx;
    char line[256];
    snprintf(line, sizeof line, "signals: %s...", phase);
    progress(c, line, 1);
}

ta_status step_audit(cmd_ctx *c, int only_stale)
{
    char err[ERRLEN];
    const char *period = c->o->period;
    if (interrupted(c, "the audit"))
        return TA_E_INTERRUPTED;
    /* An audit that judges every ticket of the scope feeds the signals as
     * it reads them; one that judged only the stale tickets, or nothing
     * (import did), leaves them a scan of their own (the stored contacts
     * and verdicts, not the whole rows), or nothing at all when they are
     * up to date. */
    signals_feed *sig = signals_feed_new(c->rs, period);
    if (!sig)
        return fail(c, TA_E_NOMEM, "out of memory preparing the audit");
    audit_options ao = {.only_stale = only_stale,
                        .on_ticket = signals_feed_on_ticket,
                        .ticket_ctx = sig};
    if (c->out->progress) {
        ao.progress = audit_progress;
        ao.progress_ctx = c;
        signals_feed_set_progress(sig, signals_progress, c);
    }
    /* One transaction: the verdicts and their signals commit together,
     * and once. */
    audit_summary sum;
    signals_counts n;
    ta_status s = db_begin(c->db, "starting the audit", err, sizeof err);
    if (s == TA_OK)
        s = audit_run_with(c->db, c->rs, period, &ao, &sum, err, sizeof err);
    /* the import's feed holds the scope's tickets as stored, judged with
     * these rules: good as long as the audit judged nothing */
    signals_feed *fed = c->fed && !c->fed_broken && c->fed_rows > 0
                            ? c->fed
                            : NULL;
    if (s == TA_OK && sum.audit_id != 0 && sum.whole_scope)
        s = signals_feed_write(sig, c->db, &n, err, sizeof err);
    else if (s == TA_OK && sum.audit_id == 0 && fed)
        s = signals_feed_write(fed, c->db, &n, err, sizeof err);
    else if (s == TA_OK)
        s = signals_feed_compute(sig, c->db, &n, err, sizeof err);
    if (s == TA_OK)
        s = db_commit(c->db, "committing the audit", err, sizeof err);
    else
        db_rollback(c->db);
    /* the import's counts hold while the audit judged nothing again; if
     * they cannot be used, the figures scan */
    if (s == TA_OK && sum.audit_id == 0 && c->sumfed &&
        summary_feed_use(c->sumfed, c->db, err, sizeof err) != TA_OK)
        err[0] = '\0';
    summary_feed_free(c->sumfed);
    c->sumfed = NULL;
    signals_feed_free(sig);
    signals_feed_free(c->fed);
    c->fed = NULL;
    progress(c, NULL, 1);
    return s == TA_OK ? snapshot(c) : fail(c, s, err);
}

/* ---- outputs -------------------------------------------------------- */

ta_status step_summary(cmd_ctx *c, int text_too)
{
    const cli_options *o = c->o;
    char err[ERRLEN];
    char *text = NULL;
    if (!o->json && (o->quiet || !text_too))
        return TA_OK;
    if (interrupted(c, "the summary"))
        return TA_E_INTERRUPTED;
    ta_status s = snapshot(c);
    if (s != TA_OK)
        return s;
    if (o->json)
        s = summary_json(c->db, o->period, &text, err, sizeof err);
    else
        s = summary_text(c->db, o->period, 5, &text, err, sizeof err);
    if (s != TA_OK) {
        free(text);
        return fail(c, s, err);
    }
    /* a signal while it was built: the command ends with 130 / 143, and
     * prints no summary of what it did not finish */
    if (!interrupted(c, "printing the summary") && text)
        c->out->summary(c->out->ctx, text, o->json);
    free(text);
    return c->first == TA_E_INTERRUPTED ? TA_E_INTERRUPTED : TA_OK;
}

/* report_progress_fn */
static void report_progress(void *ctx, const char *workbook, const char *sheet,
                            unsigned long done, unsigned long total)
{
    cmd_ctx *c = ctx;
    char line[LINELEN];
    int n = snprintf(line, sizeof line, "writing %s", base_name(workbook));
    if (n > 0 && sheet)
        n += snprintf(line + n, sizeof line - (size_t)n, ": %s", sheet);
    if (n > 0 && (size_t)n < sizeof line && total > 1)
        snprintf(line + n, sizeof line - (size_t)n, " (%lu of %lu workbooks)",
                 done + 1 > total ? total : done + 1, total);
    progress(c, line, sheet == NULL);
}

ta_status step_report(cmd_ctx *c)
{
    const cli_options *o = c->o;
    char err[ERRLEN], path[4096];
    if (interrupted(c, "the report"))
        return TA_E_INTERRUPTED;
    report_options ro = {0};
    ro.out_dir = o->out;
    ro.period = o->period;
    ro.lang = o->lang;
    ro.per_cso = o->per_cso;
    ro.no_mask = o->no_mask;
    ro.target = o->target;
    if (c->out->progress) {
        ro.progress = report_progress;
        ro.progress_ctx = c;
    }
    ta_status s = snapshot(c);
    if (s != TA_OK)
        return s;
    progress(c,
             o->per_cso ? "writing the workbooks (and one per CSO)..."
                        : "writing the workbook...",
             1);
    s = report_write(c->db, &ro, path, sizeof path, err, sizeof err);
    progress(c, NULL, 1);
    if (s != TA_OK)
        return fail(c, s, err);
    if (!o->quiet) {
        char line[LINELEN];
        snprintf(line, sizeof line, "report written: %s%s", path,
                 o->per_cso ? " (and one workbook per CSO in cso/)" : "");
        c->out->info(c->out->ctx, line);
    }
    return TA_OK;
}

ta_status step_check(cmd_ctx *c)
{
    const cli_options *o = c->o;
    char err[ERRLEN], why[768];
    summary_totals t;
    if (interrupted(c, "the verdict"))
        return TA_E_INTERRUPTED;
    ta_status s = snapshot(c);
    if (s != TA_OK)
        return s;
    s = summary_get_totals(c->db, o->period, &t, err, sizeof err);
    if (s == TA_OK && o->junit)
        s = junit_write(c->db, o->period,
                        o->has_fail_under ? o->fail_under : o->target,
                        o->junit, err, sizeof err);
    if (s != TA_OK)
        return fail(c, s, err);
    if (summary_check_fails(&t, o->has_fail_under, o->fail_under,
                            o->has_max_rejected, o->max_rejected, why,
                            sizeof why))
        return fail(c, TA_E_BELOW, why);
    return TA_OK;
}

/* ---- review --------------------------------------------------------- */

static void show_notice(void *ctx, const char *msg)
{
    const cmd_ctx *c = ctx;
    c->out->error(c->out->ctx, msg);
}

/* review_progress_fn: the decisions read, then stored, on the progress
 * line. */
static void show_review_progress(void *ctx, const char *file,
                                 review_phase phase, unsigned long long done,
                                 unsigned long long total, unsigned long rows)
{
    cmd_ctx *c = ctx;
    if (phase == REVIEW_DONE) {
        progress(c, NULL, 1);
        return;
    }
    char line[LINELEN];
    double pct = total ? 100.0 * (double)done / (double)total : 0.0;
    snprintf(line, sizeof line, "%s decisions from %s: %3.0f%%  %lu rows",
             phase == REVIEW_READING ? "reading" : "storing",
             base_name(file), pct, rows);
    progress(c, line, phase == REVIEW_STORING);
}

static void add_counts(review_result *t, const review_result *r)
{
    t->decisions += r->decisions;
    t->upheld += r->upheld;
    t->overturned += r->overturned;
    t->stale += r->stale;
    t->unknown += r->unknown;
    t->unchanged += r->unchanged;
    t->stored += r->stored;
}

/* "N decisions read (U upheld, O overturned), S stale, K unknown
 * tickets, C unchanged" */
static void format_counts(char *line, size_t len, const char *who,
                          const review_result *r)
{
    snprintf(line, len,
             "%s: %lu decisions read (%lu upheld, %lu overturned), %lu "
             "stale, %lu unknown tickets, %lu unchanged",
             who, r->decisions, r->upheld, r->overturned, r->stale, r->unknown,
             r->unchanged);
}

/* The totals, then each period decided: compliance before and after
 * review, and its decisions. */
static ta_status show_review_totals(cmd_ctx *c, review_run *rr,
                                    const review_result *t,
                                    unsigned long files)
{
    char err[ERRLEN], line[LINELEN], who[64];
    ta_buf b;
    buf_init(&b, 0);
    snprintf(who, sizeof who, "%lu file%s", files, files == 1 ? "" : "s");
    format_counts(line, sizeof line, who, t);
    int mem = buf_printf(&b, "%s; %lu stored\n", line, t->stored);
    ta_status s = TA_OK;
    for (size_t i = 0; s == TA_OK && i < review_run_periods(rr); i++) {
        const char *p = review_run_period(rr, i);
        review_figures f;
        s = review_get_figures(c->db, p, &f, err, sizeof err);
        if (s != TA_OK)
            break;
        if (f.has_compliance)
            mem |= buf_printf(&b, "%s: compliance %.2f%%, after review %.2f%%",
                              p, (double)f.compliance_centi / 100.0,
                              (double)f.reviewed_centi / 100.0);
        else
            mem |= buf_printf(&b, "%s: no ticket in scope", p);
        mem |= buf_printf(&b,
                          " (%lu decisions: %lu upheld, %lu overturned, %lu "
                          "stale)\n",
                          f.decisions, f.upheld, f.overturned, f.stale);
    }
    if (s == TA_OK && mem)
        s = fail(c, TA_E_NOMEM, "out of memory writing the review summary");
    else if (s != TA_OK)
        fail(c, s, err);
    else
        c->out->summary(c->out->ctx, b.p, 0);
    buf_free(&b);
    return s;
}

ta_status step_review(cmd_ctx *c)
{
    const cli_options *o = c->o;
    review_options ro = {.notice = show_notice, .ctx = c};
    if (c->out->progress)
        ro.progress = show_review_progress;
    review_run *rr = NULL;
    if (review_run_new(c->db, &ro, &rr) != TA_OK)
        return fail(c, TA_E_NOMEM, "out of memory reading the decisions");
    char err[ERRLEN], line[LINELEN];
    review_result total = {.format = ""};
    unsigned long files = 0;
    ta_status first = TA_OK;
    for (int i = 0; i < o->nfiles; i++) {
        if (interrupted(c, "reading the remaining files")) {
            if (first == TA_OK)
                first = TA_E_INTERRUPTED;
            break;
        }
        review_result r;
        ta_status s = review_run_file(rr, o->files[i], &r, err, sizeof err);
        if (s != TA_OK) {
            fail(c, s, err);
            if (first == TA_OK)
                first = s;
            if (!step_goes_on(s))
                break;
            continue;
        }
        files++;
        add_counts(&total, &r);
        if (!o->quiet) {
            format_counts(line, sizeof line, o->files[i], &r);
            c->out->info(c->out->ctx, line);
        }
    }
    if (files && !o->quiet)
        show_review_totals(c, rr, &total, files);
    review_run_free(rr);
    return first;
}
