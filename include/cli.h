/*
 * cli.h — the command line of SPEC §2: subcommands and options parsed with
 * getopt_long into one struct, and every value checked before any file is
 * opened (so a usage error is always exit status 2).
 */
#ifndef TICKET_AUDIT_CLI_H
#define TICKET_AUDIT_CLI_H

#include <stddef.h>

#include "ta.h"

typedef enum cli_command {
    CLI_NONE = 0,
    CLI_RUN,
    CLI_IMPORT,
    CLI_AUDIT,
    CLI_REPORT,
    CLI_CHECK,
    CLI_REVIEW,
    CLI_HELP,
    CLI_VERSION
} cli_command;

typedef struct cli_options {
    cli_command command;
    const char *db;     /* --db, default "ticket-audit.db" */
    const char *out;    /* --out, default "reports" */
    int source;         /* ta_source; TA_SRC_NONE = detect */
    const char *period; /* --period YYYY-MM or NULL */
    const char *rules;  /* --rules FILE or NULL */
    const char *lang;   /* "id" or "en" */
    int per_cso, no_mask, json, quiet;
    int has_fail_under;
    double fail_under; /* --fail-under PCT */
    int has_max_rejected;
    unsigned long max_rejected; /* --max-rejected N */
    double target;              /* --target PCT for highlighting, default 90 */
    const char *junit;          /* --junit FILE */
    int encoding;               /* csv_encoding; 0 = detect */
    const char *sheet;          /* --sheet NAME of a workbook, or NULL */
    char **files;
    int nfiles;
} cli_options;

/* Parses argv. Returns TA_OK (with opt->command CLI_HELP or CLI_VERSION
 * for those), or TA_E_USAGE with a message in err that says what is wrong
 * and how to get help. */
ta_status cli_parse(int argc, char **argv, cli_options *opt, char *err,
                    size_t errlen) TA_WUR;

/* The --help text (static, never NULL). */
const char *cli_usage(void);

#endif
