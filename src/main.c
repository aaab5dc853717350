/*
 * main.c — the ticket-audit program: parses the command line, hands it to
 * the subcommand's function (cmd.h), prints what the command has to say,
 * and turns its status into the exit status of SPEC §2.
 *
 * This is the only file that prints or exits (STYLE §5): the commands
 * report through the cmd_output below, so every line, its stream and its
 * prefix are decided here. It holds no SQL and calls no module but cli,
 * cmd and db's process-wide set-up.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "db.h"
#include "interrupt.h"
#include "ta.h"

#define ERRLEN 2048

/* What the output callbacks need. */
typedef struct term {
    int json;             /* --json: stdout carries the JSON alone */
    int drawn;            /* a progress line is on the screen */
    struct timespec last; /* when the progress line was last drawn */
} term;

/* A line printed while a progress line is drawn would be appended to
 * it: the progress line goes first. */
static void clear_progress(term *t)
{
    if (t && t->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        t->drawn = 0;
    }
}

static void print_error(void *ctx, const char *msg)
{
    clear_progress(ctx);
    fprintf(stderr, "ticket-audit: %s\n", msg);
}

/* With --json, stdout carries the JSON alone: the human lines go to
 * stderr then. */
static void print_info(void *ctx, const char *line)
{
    term *t = ctx;
    clear_progress(t);
    fprintf(t->json ? stderr : stdout, "%s\n", line);
}

static void print_summary(void *ctx, const char *text, int json)
{
    clear_progress(ctx);
    if (json)
        puts(text);
    else
        fputs(text, stdout);
}

/* The progress line on the terminal, redrawn in place at most five times
 * a second unless a new step asks for it now. */
static void print_progress(void *ctx, const char *line, int now)
{
    term *t = ctx;
    if (!line) {
        clear_progress(t);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double since = (double)(ts.tv_sec - t->last.tv_sec) +
                   (double)(ts.tv_nsec - t->last.tv_nsec) / 1e9;
    if (!now && t->drawn && since < 0.2)
        return;
    t->last = ts;
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
    t->drawn = 1;
}

static ta_status run(const cli_options *o)
{
    term t = {.json = o->json, .drawn = 0, .last = {0, 0}};
    cmd_output out = {.ctx = &t,
                      .error = print_error,
                      .info = print_info,
                      .summary = print_summary};
    /* Progress only on a terminal: nothing of it in a pipe or a CI log
     * (SPEC §2). */
    if (!o->quiet && isatty(STDERR_FILENO))
        out.progress = print_progress;
    switch (o->command) {
    case CLI_RUN:
        return cmd_run(o, &out);
    case CLI_IMPORT:
        return cmd_import(o, &out);
    case CLI_AUDIT:
        return cmd_audit(o, &out);
    case CLI_REPORT:
        return cmd_report(o, &out);
    case CLI_CHECK:
        return cmd_check(o, &out);
    case CLI_REVIEW:
        return cmd_review(o, &out);
    default:
        return TA_E_USAGE; /* cli_parse returns no other command */
    }
}

int main(int argc, char **argv)
{
    cli_options o;
    char err[ERRLEN];
    /* Keep stdout and stderr lines in order when both go to one log. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    db_init_library();
    if (interrupt_install() != 0) {
        print_error(NULL, "cannot install the signal handlers");
        return ta_exit_status(TA_E_IO);
    }
    ta_status s = cli_parse(argc, argv, &o, err, sizeof err);
    if (s != TA_OK) {
        print_error(NULL, err);
        return ta_exit_status(s);
    }
    if (o.command == CLI_HELP) {
        fputs(cli_usage(), stdout);
        return 0;
    }
    if (o.command == CLI_VERSION) {
        printf("ticket-audit %s (SQLite %s)\n", TA_VERSION,
               db_library_version());
        return 0;
    }
    return ta_exit_status(run(&o));
}
