/*
 * cmd.c — the six subcommands (cmd.h), each the sequence of its steps
 * (steps.c). What may follow a failure is decided here: a bad export
 * still lets the other files be audited and reported; a failed audit
 * stops what would show its results; the summary and the workbooks (or
 * check's verdict) are each tried whatever the other did.
 */
#include "cmd_internal.h"

/* A step keeps its failure in the context for cmd_close to return; its
 * status here only decides what may follow, so the last steps' is not
 * looked at. */

ta_status cmd_import(const cli_options *o, const cmd_output *out)
{
    cmd_ctx c;
    if (cmd_open(&c, o, out, o->db) == TA_OK)
        step_import(&c);
    return cmd_close(&c);
}

ta_status cmd_audit(const cli_options *o, const cmd_output *out)
{
    cmd_ctx c;
    if (cmd_open(&c, o, out, o->db) == TA_OK && step_audit(&c, 0) == TA_OK)
        step_summary(&c);
    return cmd_close(&c);
}

ta_status cmd_report(const cli_options *o, const cmd_output *out)
{
    cmd_ctx c;
    if (cmd_open(&c, o, out, o->db) != TA_OK)
        return cmd_close(&c);
    /* Stale verdicts and the signals are brought up to date first, but a
     * database it may only read is reported as it stands. */
    if (db_is_readonly(c.db) || step_audit(&c, 1) == TA_OK)
        step_report(&c);
    return cmd_close(&c);
}

ta_status cmd_run(const cli_options *o, const cmd_output *out)
{
    cmd_ctx c;
    if (cmd_open(&c, o, out, o->db) == TA_OK &&
        step_goes_on(step_import(&c)) && step_audit(&c, 1) == TA_OK) {
        step_summary(&c);
        step_report(&c);
    }
    return cmd_close(&c);
}

ta_status cmd_check(const cli_options *o, const cmd_output *out)
{
    cmd_ctx c;
    /* check keeps nothing: SQLite's private temporary database, which
     * unlike ":memory:" pages out to a temporary file on big exports. */
    if (cmd_open(&c, o, out, "") == TA_OK && step_goes_on(step_import(&c)) &&
        step_audit(&c, 1) == TA_OK) {
        step_summary(&c);
        step_check(&c);
    }
    return cmd_close(&c);
}

ta_status cmd_review(const cli_options *o, const cmd_output *out)
{
    cmd_ctx c;
    /* review stores into an existing database: only import and run
     * create one (SPEC §2) */
    ta_status s = step_db_exists(o, out);
    if (s != TA_OK)
        return s;
    if (cmd_open(&c, o, out, o->db) == TA_OK)
        step_review(&c);
    return cmd_close(&c);
}
