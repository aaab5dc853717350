/*
 * cmd.h — the subcommands of SPEC §2, one function each (git's builtin/,
 * curl's tool_*): each takes the parsed command line, runs its pipeline
 * over the modules (rules, db, import, audit, signals, report, summary,
 * junit) and returns the status main turns into the exit status: the
 * first failure, after trying everything that could still be done.
 *
 * Nothing here prints and no SQL lives here. Every line meant for the
 * user goes through the cmd_output main hands in, so main alone decides
 * where and how text appears (stderr or stdout, the "ticket-audit: "
 * prefix, the progress line). With several files, a command that read
 * them ends with one line naming those that failed (SPEC §2):
 *
 *     cmd_output out = {.ctx = &term, .error = print_error,
 *                       .info = print_info, .summary = print_summary};
 *     return ta_exit_status(cmd_run(&opt, &out));
 */
#ifndef TICKET_AUDIT_CMD_H
#define TICKET_AUDIT_CMD_H

#include "cli.h"
#include "ta.h"

/* Where a command's messages go; main owns it and every callback gets
 * ctx. The strings are valid only during the call. */
typedef struct cmd_output {
    void *ctx;
    /* An error, a warning or a rejected row, "FILE[:LINE]: what; what to
     * do" (main adds the program's name and the line break). Personal
     * data quoted from the exports is already masked (mask.h). */
    void (*error)(void *ctx, const char *msg);
    /* A line of information: a file imported or already imported, the
     * report written, a wait for a lock that ended. Without its line
     * break; never with --quiet. */
    void (*info)(void *ctx, const char *line);
    /* The summary: with --json the JSON document (without a line break),
     * else the human lines, each ending in '\n'. */
    void (*summary)(void *ctx, const char *text, int json);
    /* The progress line of a long step (importing, auditing, the
     * signals, each workbook, a wait for a lock), or NULL for none: main
     * sets it only when stderr is a terminal and --quiet is not given
     * (SPEC §2). line is drawn in place of the previous one, without a
     * line break; now = 1 draws it at once (a new step or phase), else
     * main may skip it when it drew one a moment ago; line NULL clears
     * it (the step ended). */
    void (*progress)(void *ctx, const char *line, int now);
} cmd_output;

/* import + audit (only what other rules judged) + signals + summary +
 * the workbooks. */
ta_status cmd_run(const cli_options *o, const cmd_output *out) TA_WUR;

/* Loads every file given into the database. */
ta_status cmd_import(const cli_options *o, const cmd_output *out) TA_WUR;

/* Judges every ticket (of --period) again, the signals, the summary. The
 * database must exist (66), and a --period hold tickets (65). */
ta_status cmd_audit(const cli_options *o, const cmd_output *out) TA_WUR;

/* The workbooks (and with --json the summary, from the same snapshot),
 * after bringing stale verdicts and the signals up to date when the
 * database may be written. The database must exist (66) and hold
 * tickets, of --period when given (65). */
ta_status cmd_report(const cli_options *o, const cmd_output *out) TA_WUR;

/* CI mode: run's pipeline in a temporary database, the summary, the
 * JUnit file, and TA_E_BELOW under --fail-under or over --max-rejected. */
ta_status cmd_check(const cli_options *o, const cmd_output *out) TA_WUR;

/* Reads the QA team's decisions back from edited workbooks and CSV files
 * (SPEC §5 "Review") into the database, which must exist (66). */
ta_status cmd_review(const cli_options *o, const cmd_output *out) TA_WUR;

#endif
