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
    struct timespec last; /* when the progress line was last drawn */
} term;

static void print_error(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "ticket-audit: %s\n", msg);
}

/* With --json, stdout carries the JSON alone: the human lines go to
 * stderr then. */
static void print_info(void *ctx, const char *line)
{
    const term *t = ctx;
    fprintf(t->json ? stderr : stdout, "%s\n", line);
}

static void print_summary(void *ctx, const char *text, int json)
{
    (void)ctx;
    if (json)
        puts(text);
    else
        fputs(text, stdout);
}

/* The progress line, redrawn at most five times a second. */
static void print_progress(void *ctx, const char *file,
                           unsigned long long done, unsigned long long total,
                           unsigned long rows)
{
    term *t = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double since = (double)(now.tv_sec - t->last.tv_sec) +
                   (double)(now.tv_nsec - t->last.tv_nsec) / 1e9;
    if (done < total && since < 0.2)
        return;
    t->last = now;
    double pct = total ? 100.0 * (double)done / (double)total : 100.0;
    fprintf(stderr, "\r\033[Kimporting %s: %3.0f%%  %lu rows", file, pct,
            rows);
    if (done >= total)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

static ta_status run(const cli_options *o)
{
    term t = {.json = o->json};
    cmd_output out = {.ctx = &t,
                      .error = print_error,
                      .info = print_info,
                      .summary = print_summary};
    /* Progress only on a terminal: nothing of it in a pipe or a CI log. */
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
