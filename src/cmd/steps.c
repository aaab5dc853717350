/*
 * steps.c — the steps the subcommands are made of (cmd_internal.h):
 * opening, importing, auditing with the signals, the summary, the
 * workbooks, check's verdict and reading the QA decisions back. Each
 * calls one or two modules and turns what they return into lines for the
 * output; none prints or holds SQL.
 */
#include "cmd_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit.h"
#include "buf.h"
#include "interrupt.h"
#include "junit.h"
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

ta_status cmd_open(cmd_ctx *c, const cli_options *o, const cmd_output *out,
                   const char *dbpath)
{
    char err[ERRLEN];
    c->o = o;
    c->out = out;
    c->rs = NULL;
    c->db = NULL;
    c->first = TA_OK;
    ta_status s = rules_load(o->rules, &c->rs, err, sizeof err);
    if (s == TA_OK)
        s = db_open(dbpath, &c->db, err, sizeof err);
    return s == TA_OK ? TA_OK : fail(c, s, err);
}

ta_status cmd_close(cmd_ctx *c)
{
    db_close(c->db);
    rules_free(c->rs);
    c->db = NULL;
    c->rs = NULL;
    return c->first;
}

/* ---- import --------------------------------------------------------- */

static void show_reject(void *ctx, const char *file, long long line,
                        const char *reason)
{
    const cmd_ctx *c = ctx;
    char msg[LINELEN];
    snprintf(msg, sizeof msg, "%s:%lld: row rejected: %s", file, line, reason);
    c->out->error(c->out->ctx, msg);
}

/* The first rejected rows of a file, and how many more there are. */
static void show_rejects(cmd_ctx *c, const import_result *r)
{
    char err[ERRLEN];
    /* A courtesy on the terminal: the rows are in the database and the
     * workbook whatever happens here, so a failure to list them is not
     * the import's failure. */
    if (import_list_rejects(c->db, r->import_id, SHOW_REJECTS, show_reject, c,
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
             "%s: %s export, %lu rows read, %lu imported, %lu rejected "
             "(%s, delimiter '%s', header on line %lu)",
             file, ta_source_name(r->source), r->rows_read, r->rows_imported,
             r->rows_rejected, csv_encoding_name(r->encoding),
             r->delimiter == '\t' ? "TAB" : (char[2]){r->delimiter, 0},
             r->header_line);
    c->out->info(c->out->ctx, line);
    if (r->rows_rejected)
        show_rejects(c, r);
}

ta_status step_import(cmd_ctx *c)
{
    const cli_options *o = c->o;
    import_options io = {0};
    io.source = (ta_source)o->source;
    io.encoding = (csv_encoding)o->encoding;
    io.progress = c->out->progress;
    io.progress_ctx = c->out->ctx;
    ta_status first = TA_OK;
    char err[ERRLEN];
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
        ta_status s =
            import_file(c->db, c->rs, o->files[i], &io, &r, err, sizeof err);
        if (s != TA_OK) {
            fail(c, s, err);
            if (first == TA_OK)
                first = s;
            continue;
        }
        if (!o->quiet)
            show_imported(c, o->files[i], &r);
    }
    return first;
}

int step_goes_on(ta_status s)
{
    return s != TA_E_IO && s != TA_E_CANTCREAT && s != TA_E_NOMEM &&
           s != TA_E_INTERRUPTED;
}

/* ---- audit and signals ---------------------------------------------- */

ta_status step_audit(cmd_ctx *c, int only_stale)
{
    char err[ERRLEN];
    const char *period = c->o->period;
    /* An audit that judges the tickets feeds the signals as it reads them;
     * one that judged nothing (import did) leaves them a scan of their
     * own, or nothing at all when they are up to date. */
    signals_feed *sig = signals_feed_new(c->rs, period);
    if (!sig)
        return fail(c, TA_E_NOMEM, "out of memory preparing the audit");
    /* One transaction: the verdicts and their signals commit together,
     * and once. */
    audit_summary sum;
    signals_counts n;
    ta_status s = db_begin(c->db, "starting the audit", err, sizeof err);
    if (s == TA_OK)
        s = audit_run(c->db, c->rs, period, only_stale, signals_feed_on_ticket,
                      sig, &sum, err, sizeof err);
    if (s == TA_OK && sum.audit_id != 0)
        s = signals_feed_write(sig, c->db, &n, err, sizeof err);
    else if (s == TA_OK)
        s = signals_compute(c->db, c->rs, period, &n, err, sizeof err);
    if (s == TA_OK)
        s = db_commit(c->db, "committing the audit", err, sizeof err);
    else
        db_rollback(c->db);
    signals_feed_free(sig);
    return s == TA_OK ? TA_OK : fail(c, s, err);
}

/* ---- outputs -------------------------------------------------------- */

ta_status step_summary(cmd_ctx *c)
{
    const cli_options *o = c->o;
    char err[ERRLEN];
    char *text = NULL;
    ta_status s = TA_OK;
    if (o->json)
        s = summary_json(c->db, o->period, &text, err, sizeof err);
    else if (!o->quiet)
        s = summary_text(c->db, o->period, 5, &text, err, sizeof err);
    if (s == TA_OK && text)
        c->out->summary(c->out->ctx, text, o->json);
    free(text);
    return s == TA_OK ? TA_OK : fail(c, s, err);
}

ta_status step_report(cmd_ctx *c)
{
    const cli_options *o = c->o;
    char err[ERRLEN], path[4096];
    report_options ro = {0};
    ro.out_dir = o->out;
    ro.period = o->period;
    ro.lang = o->lang;
    ro.per_cso = o->per_cso;
    ro.no_mask = o->no_mask;
    ro.target = o->target;
    ta_status s = report_write(c->db, &ro, path, sizeof path, err, sizeof err);
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
    char err[ERRLEN], why[512];
    summary_totals t;
    ta_status s = summary_get_totals(c->db, o->period, &t, err, sizeof err);
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

ta_status step_db_exists(const cli_options *o, const cmd_output *out)
{
    char msg[LINELEN];
    struct stat sb;
    if (stat(o->db, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return TA_OK;
    if (stat(o->db, &sb) == 0)
        snprintf(msg, sizeof msg,
                 "%s: is a folder, not a database; give the database file "
                 "with --db",
                 o->db);
    else if (errno == ENOENT)
        snprintf(msg, sizeof msg,
                 "%s: no such database; import exports into it first "
                 "('ticket-audit import --db %s FILE...'), or give the right "
                 "file with --db",
                 o->db, o->db);
    else
        snprintf(msg, sizeof msg,
                 "%s: cannot open the database: %s; check the path given "
                 "with --db",
                 o->db, strerror(errno));
    out->error(out->ctx, msg);
    return TA_E_NOINPUT;
}

static void show_notice(void *ctx, const char *msg)
{
    const cmd_ctx *c = ctx;
    c->out->error(c->out->ctx, msg);
}

/* On main's import progress line, which says "importing WHAT: N%  ROWS
 * rows" and clears itself once done reaches total. */
static void show_review_progress(void *ctx, const char *file,
                                 review_phase phase, unsigned long long done,
                                 unsigned long long total, unsigned long rows)
{
    const cmd_ctx *c = ctx;
    char what[LINELEN];
    snprintf(what, sizeof what, "decisions from %s%s", file,
             phase == REVIEW_STORING ? " (storing)" : "");
    if (phase == REVIEW_DONE)
        done = total = 1;
    else if (done >= total)
        done = total ? total - 1 : 0; /* not cleared before the end */
    c->out->progress(c->out->ctx, what, done, total ? total : 1, rows);
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
        /* as step_import */
        if (interrupt_pending()) {
            if (first == TA_OK)
                first = fail(c, TA_E_INTERRUPTED,
                             "interrupted: the remaining files were not "
                             "read");
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
