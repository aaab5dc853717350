/*
 * cmd.c — the six subcommands (cmd.h), each the sequence of its steps
 * (steps.c). What may follow a failure is decided here: a bad export
 * still lets the other files be audited and reported; a --period without
 * tickets or a failed audit stops what would show its results; the
 * summary and the workbooks (or check's verdict) are each tried whatever
 * the other did. Only import and run create a database; audit, report
 * and review need one that exists (SPEC §2).
 */
#include "cmd_internal.h"

/* A step keeps its failure in the context for cmd_close to return; its
 * status here only decides what may follow, so the last steps' is not
 * looked at. */

ta_status cmd_import(const cli_options *o, const cmd_output *out)
{
    cmd_ctx c;
    if (cmd_open(&c, o, out, CMD_DB_CREATE) == TA_OK &&
        step_goes_on(step_import(&c)))
        step_fed_signals(&c);
    return cmd_close(&c);
}

ta_status cmd_audit(const cli_options *o, const cmd_output *out)
{
    cmd_ctx c;
    if (cmd_open(&c, o, out, CMD_DB_EXISTING) == TA_OK &&
        step_period(&c, 0) == TA_OK && step_audit(&c, 1) == TA_OK)
        step_summary(&c, 1);
    return cmd_close(&c);
}

/* The summary and the workbooks, of one read snapshot (SPEC §5): the
 * first output opens it, cmd_close ends it (steps.c). */
static void outputs(cmd_ctx *c, int text_summary)
{
    step_summary(c, text_summary);
    step_report(c);
}

ta_status cmd_report(const cli_options *o, const cmd_output *out)
{
    cmd_ctx c;
    if (cmd_open(&c, o, out, CMD_DB_EXISTING) != TA_OK ||
        step_period(&c, 1) != TA_OK)
        return cmd_close(&c);
    /* Stale verdicts and the signals are brought up to date first, but a
     * database it may only read is reported as it stands. */
    if (db_is_readonly(c.db) || step_audit(&c, 1) == TA_OK)
        outputs(&c, 0);
    return cmd_close(&c);
}

ta_status cmd_run(const cli_options *o, const cmd_output *out)
{
    cmd_ctx c;
    if (cmd_open(&c, o, out, CMD_DB_CREATE) != TA_OK)
        return cmd_close(&c);
    /* the import counts the figures a summary reads, if one is printed */
    c.count_summary = o->json || !o->quiet;
    if (step_goes_on(step_import(&c)) && step_period(&c, 0) == TA_OK &&
        step_audit(&c, 1) == TA_OK)
        outputs(&c, 1);
    return cmd_close(&c);
}

ta_status cmd_check(const cli_options *o, const cmd_output *out)
{
    cmd_ctx c;
    if (cmd_open(&c, o, out, CMD_DB_PRIVATE) != TA_OK)
        return cmd_close(&c);
    /* the import counts the figures the summary and the verdict read */
    c.count_summary = 1;
    if (step_goes_on(step_import(&c)) && step_period(&c, 0) == TA_OK &&
        step_audit(&c, 1) == TA_OK) {
        step_summary(&c, 1);
        step_check(&c);
    }
    return cmd_close(&c);
}

ta_status cmd_review(const cli_options *o, const cmd_output *out)
{
    cmd_ctx c;
    /* review stores into an existing database: only import and run
     * create one (SPEC §2) */
    if (cmd_open(&c, o, out, CMD_DB_EXISTING) == TA_OK)
        step_review(&c);
    return cmd_close(&c);
}
