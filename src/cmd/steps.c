/*
 * steps.c — the steps the subcommands are made of (cmd_internal.h):
 * opening, importing, auditing with the signals, the summary, the
 * workbooks and check's verdict. Each calls one or two modules and turns
 * what they return into lines for the output; none prints or holds SQL.
 */
#include "cmd_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "interrupt.h"
#include "junit.h"
#include "report.h"
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

ta_status step_import(cmd_ctx *c)
{
    const cli_options *o = c->o;
    import_options io = {.sheet = o->sheet};
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
