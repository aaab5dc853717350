/*
 * cmd_internal.h — the steps the subcommands of cmd.c are made of
 * (steps.c), shared by the files of src/cmd/ only.
 *
 * A command opens a cmd_ctx, runs steps in order and closes it. Every
 * step reports its own failure through the output and keeps the first
 * failure in ctx->first, which cmd_close returns; the status a step
 * returns only tells the command whether the next steps can go on. A
 * step started after SIGINT or SIGTERM does nothing and returns
 * TA_E_INTERRUPTED.
 */
#ifndef TICKET_AUDIT_CMD_INTERNAL_H
#define TICKET_AUDIT_CMD_INTERNAL_H

#include "cmd.h"
#include "db.h"
#include "rules.h"

/* An input that failed, for the last line of a command. */
typedef struct cmd_failed {
    int file; /* index in o->files */
    ta_status status;
} cmd_failed;

typedef struct cmd_ctx {
    const cli_options *o;
    const cmd_output *out;
    rules *rs;
    sqlite3 *db;
    int in_memory;      /* check's private database: no file to name */
    ta_status first;    /* the first failure, TA_OK while none */
    cmd_failed *failed; /* the inputs that failed (NULL: none yet) */
    int nfailed;
    int snapshot; /* a read snapshot is open (steps.c) */
    /* The signals fed by the import as it stores each ticket, when the
     * database held none before (then the feed sees every ticket of the
     * scope, and no step reads them again for the signals); NULL when
     * not fed, or once spent. fed_broken: a file rolled back, or the
     * feed failed: the signals come from a scan instead. */
    struct signals_feed *fed;
    int fed_broken;
    unsigned long fed_rows;
    int last_file; /* the file being imported is the last one given */
    /* The figures counted by the import as it stores each ticket, under
     * the same condition as fed (cmd.c asks for it when a summary or a
     * verdict follows: count_summary); NULL when not counted, or given up
     * (a file rolled back, or the audit judged tickets again). */
    int count_summary;
    struct summary_feed *sumfed;
} cmd_ctx;

/* How cmd_open opens the database. */
typedef enum cmd_db_mode {
    CMD_DB_CREATE,   /* import, run: created when missing */
    CMD_DB_EXISTING, /* audit, report, review: missing is TA_E_NOINPUT */
    CMD_DB_PRIVATE   /* check: SQLite's private temporary database */
} cmd_db_mode;

/* Loads the rules and opens the database o->db (or check's private
 * one), waiting for another process's lock as long as it takes and
 * saying so on the terminal. TA_OK, or the failure (already reported
 * and kept); cmd_close is due either way. */
ta_status cmd_open(cmd_ctx *c, const cli_options *o, const cmd_output *out,
                   cmd_db_mode mode);

/* Closes what cmd_open opened, says which inputs failed when there were
 * several files, and returns the first failure. */
ta_status cmd_close(cmd_ctx *c);

/* Imports every file given, reporting each; the status of the first that
 * failed. Into a database without tickets, the import feeds the signals
 * as it stores the tickets (cmd_ctx.fed). */
ta_status step_import(cmd_ctx *c);

/* import alone: writes the signals the import fed (when it did), so that
 * the audit that follows finds them up to date and reads nothing again. */
ta_status step_fed_signals(cmd_ctx *c);

/* 1 when the commands may go on after an import that returned s: a
 * missing or unreadable export still lets the others be audited, a
 * database failure stops everything. */
int step_goes_on(ta_status s);

/* SPEC §2: a --period that holds no ticket is a data error whose message
 * lists the months that do; with need_tickets (report) so is a database
 * without any ticket, with or without --period. */
ta_status step_period(cmd_ctx *c, int need_tickets);

/* Judges again (everything, or with only_stale only what other rules or
 * another version judged) and computes the signals, in one transaction. */
ta_status step_audit(cmd_ctx *c, int only_stale);

/* The summary: JSON with --json, else the human lines unless --quiet (or
 * unless text is 0: report prints only the JSON). */
ta_status step_summary(cmd_ctx *c, int text);

/* The workbooks (--out, --per-cso, ...). */
ta_status step_report(cmd_ctx *c);

/* Reads the decisions of every file given (review.h), a line for each,
 * then the totals and compliance after review of the periods decided;
 * the status of the first file that failed. */
ta_status step_review(cmd_ctx *c);

/* check's verdict: the JUnit file, then TA_E_BELOW under --fail-under
 * (also when nothing is in scope) or over --max-rejected. */
ta_status step_check(cmd_ctx *c);

#endif
