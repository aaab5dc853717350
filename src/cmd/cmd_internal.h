/*
 * cmd_internal.h — the steps the subcommands of cmd.c are made of
 * (steps.c), shared by the files of src/cmd/ only.
 *
 * A command opens a cmd_ctx, runs steps in order and closes it. Every
 * step reports its own failure through the output and keeps the first
 * failure in ctx->first, which cmd_close returns; the status a step
 * returns only tells the command whether the next steps can go on.
 */
#ifndef TICKET_AUDIT_CMD_INTERNAL_H
#define TICKET_AUDIT_CMD_INTERNAL_H

#include "cmd.h"
#include "db.h"
#include "rules.h"

typedef struct cmd_ctx {
    const cli_options *o;
    const cmd_output *out;
    rules *rs;
    sqlite3 *db;
    ta_status first; /* the first failure, TA_OK while none */
} cmd_ctx;

/* Loads the rules and opens the database at dbpath ("" for SQLite's
 * private temporary one). TA_OK, or the failure (already reported and
 * kept); cmd_close is due either way. */
ta_status cmd_open(cmd_ctx *c, const cli_options *o, const cmd_output *out,
                   const char *dbpath);

/* Closes what cmd_open opened; returns the first failure. */
ta_status cmd_close(cmd_ctx *c);

/* Imports every file given, reporting each; the status of the first that
 * failed. */
ta_status step_import(cmd_ctx *c);

/* 1 when the commands may go on after an import that returned s: a
 * missing or unreadable export still lets the others be audited, a
 * database failure stops everything. */
int step_goes_on(ta_status s);

/* Judges again (everything, or with only_stale only what other rules or
 * another version judged) and computes the signals, in one transaction. */
ta_status step_audit(cmd_ctx *c, int only_stale);

/* The summary: JSON with --json, else the human lines unless --quiet. */
ta_status step_summary(cmd_ctx *c);

/* The workbooks (--out, --per-cso, ...). */
ta_status step_report(cmd_ctx *c);

/* TA_OK when --db names an existing file, else TA_E_NOINPUT, reported
 * (for the commands that never create a database). */
ta_status step_db_exists(const cli_options *o, const cmd_output *out);

/* Reads the decisions of every file given (review.h), a line for each,
 * then the totals and compliance after review of the periods decided;
 * the status of the first file that failed. */
ta_status step_review(cmd_ctx *c);

/* check's verdict: the JUnit file, then TA_E_BELOW under --fail-under or
 * over --max-rejected. */
ta_status step_check(cmd_ctx *c);

#endif
