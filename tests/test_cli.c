/*
 * test_cli.c — the command line of SPEC §2 (cli.h), table-driven: options
 * before or after the command and the files, -h, an empty value of a
 * file or folder option, the option each command takes, and the
 * suggestion for a mistyped option or command (issue 15 item 11). Each
 * case is named after the clause it proves.
 */
/* cmocka needs these first, in this order */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <string.h>

#include "cli.h"

#define MAXARGS 16

/* The words parsed: o->files points into argv, so both outlive parse. */
typedef struct words {
    char *argv[MAXARGS + 1];
    char store[MAXARGS + 1][64];
} words;

/* Parses the words of line (split at spaces; '' stands for an empty
 * word) as argv after the program's name. */
static ta_status parse(const char *line, cli_options *o, char *err,
                       size_t errlen, words *wd)
{
    char **argv = wd->argv;
    int argc = 0;
    argv[argc++] = "ticket-audit";
    const char *p = line;
    while (*p && argc < MAXARGS) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, " ");
        char *w = wd->store[argc];
        snprintf(w, 64, "%.*s", (int)n, p);
        if (strcmp(w, "''") == 0)
            w[0] = '\0';
        argv[argc++] = w;
        p += n;
    }
    argv[argc] = NULL;
    err[0] = '\0';
    return cli_parse(argc, argv, o, err, errlen);
}

static void cli_table(void **state)
{
    (void)state;
    static const struct {
        const char *name, *line;
        ta_status want;
        cli_command cmd; /* when TA_OK */
        const char *msg; /* a part of the message, when an error */
    } t[] = {
        {"spec2_options_before_command", "--lang en run crm.csv", TA_OK,
         CLI_RUN, NULL},
        {"spec2_options_between_and_after", "--db x.db import a.csv --quiet",
         TA_OK, CLI_IMPORT, NULL},
        {"spec2_value_before_command", "--period 2026-10 audit --db x.db",
         TA_OK, CLI_AUDIT, NULL},
        {"spec2_dash_h_is_help", "-h", TA_OK, CLI_HELP, NULL},
        {"spec2_dash_h_after_command", "import -h", TA_OK, CLI_HELP, NULL},
        {"spec2_help_before_command", "--help run", TA_OK, CLI_HELP, NULL},
        {"spec2_json_applies_to_report", "report --json", TA_OK, CLI_REPORT,
         NULL},
        {"spec2_no_command", "--db x.db", TA_E_USAGE, CLI_NONE,
         "no command given"},
        {"spec2_option_checked_against_command_before_it",
         "--fail-under 50 import a.csv", TA_E_USAGE, CLI_NONE,
         "'--fail-under' does not apply to 'import'"},
        {"spec2_empty_db", "import --db '' a.csv", TA_E_USAGE, CLI_NONE,
         "--db '': the value is empty"},
        {"spec2_empty_db_equals", "import --db= a.csv", TA_E_USAGE, CLI_NONE,
         "--db '': the value is empty"},
        {"spec2_empty_out", "run --out '' a.csv", TA_E_USAGE, CLI_NONE,
         "--out '': the value is empty (an unset variable in a script?); "
         "give a folder"},
        {"spec2_empty_rules", "audit --rules ''", TA_E_USAGE, CLI_NONE,
         "--rules ''"},
        {"spec2_empty_junit", "check --junit '' a.csv", TA_E_USAGE, CLI_NONE,
         "--junit ''"},
        {"spec2_empty_sheet", "import --sheet '' a.xlsx", TA_E_USAGE, CLI_NONE,
         "--sheet ''"},
        {"issue15_11_perso_suggests_per_cso", "run --perso a.csv", TA_E_USAGE,
         CLI_NONE, "unknown option '--perso'; did you mean --per-cso?"},
        {"issue15_11_swap_suggests", "run --peroid 2026-10 a.csv", TA_E_USAGE,
         CLI_NONE, "did you mean --period?"},
        {"issue15_11_part_suggests", "report --mask", TA_E_USAGE, CLI_NONE,
         "did you mean --no-mask?"},
        {"issue15_11_single_dash_long", "run -db x a.csv", TA_E_USAGE,
         CLI_NONE, "unknown option '-db'; did you mean --db?"},
        {"issue15_11_ambiguous_start", "run --per a.csv", TA_E_USAGE, CLI_NONE,
         "ambiguous: did you mean --period or --per-cso?"},
        {"issue15_11_far_from_everything", "run --colour a.csv", TA_E_USAGE,
         CLI_NONE, "unknown option '--colour'\n"},
        {"issue15_11_value_to_flag", "run --json=1 a.csv", TA_E_USAGE,
         CLI_NONE, "option '--json' takes no value"},
        {"issue15_11_missing_value", "run a.csv --db", TA_E_USAGE, CLI_NONE,
         "option '--db' needs a value"},
        {"issue15_11_command_suggests", "imprt a.csv", TA_E_USAGE, CLI_NONE,
         "unknown command 'imprt'; did you mean 'import'?"},
        {"issue15_11_command_swap_suggests", "reprot", TA_E_USAGE, CLI_NONE,
         "did you mean 'report'?"},
        {"issue15_11_command_far", "frobnicate", TA_E_USAGE, CLI_NONE,
         "unknown command 'frobnicate': expected run"},
        {"spec2_files_wanted", "check --json", TA_E_USAGE, CLI_NONE,
         "'check' needs at least one export FILE"},
        {"spec2_no_files_for_report", "report a.csv", TA_E_USAGE, CLI_NONE,
         "'report' takes no FILE ('a.csv')"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        cli_options o;
        char err[1024];
        words store;
        ta_status s = parse(t[i].line, &o, err, sizeof err, &store);
        if (s != t[i].want)
            fail_msg("%s: status %d, want %d (%s)", t[i].name, s, t[i].want,
                     err);
        if (s == TA_OK && o.command != t[i].cmd)
            fail_msg("%s: command %d, want %d", t[i].name, o.command,
                     t[i].cmd);
        if (t[i].msg && !strstr(err, t[i].msg))
            fail_msg("%s: message \"%s\" lacks \"%s\"", t[i].name, err,
                     t[i].msg);
        if (s != TA_OK && !strstr(err, "Try 'ticket-audit --help'."))
            fail_msg("%s: no pointer to --help in \"%s\"", t[i].name, err);
    }
}

/* The values given before the command are kept, and the files are the
 * words after it, whatever stands between them. */
static void spec2_options_anywhere_values_and_files(void **state)
{
    (void)state;
    cli_options o;
    char err[1024];
    words store;
    assert_int_equal(parse("--lang en --db a.db run x.csv --per-cso y.csv "
                           "--period 2026-10",
                           &o, err, sizeof err, &store),
                     TA_OK);
    assert_int_equal(o.command, CLI_RUN);
    assert_string_equal(o.lang, "en");
    assert_string_equal(o.db, "a.db");
    assert_string_equal(o.period, "2026-10");
    assert_true(o.per_cso);
    assert_int_equal(o.nfiles, 2);
    assert_string_equal(o.files[0], "x.csv");
    assert_string_equal(o.files[1], "y.csv");
    /* a file named like a command is a file after the command */
    assert_int_equal(parse("import run", &o, err, sizeof err, &store), TA_OK);
    assert_int_equal(o.command, CLI_IMPORT);
    assert_int_equal(o.nfiles, 1);
    assert_string_equal(o.files[0], "run");
}

/* --help lists -h and the options in the man page's order; the exit
 * statuses of SPEC §2 are all in it. */
static void spec2_usage_text(void **state)
{
    (void)state;
    const char *u = cli_usage();
    assert_non_null(strstr(u, "-h, --help"));
    assert_non_null(strstr(u, "--json               print a JSON summary on "
                              "stdout (run, report, check)"));
    static const char *const st[] = {"0 success", "1 check",    "2 usage",
                                     "65 data",   "66 input",   "73 cannot",
                                     "74 I/O",    "130 and 143"};
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
        if (!strstr(u, st[i]))
            fail_msg("--help lacks exit status \"%s\"", st[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cli_table),
        cmocka_unit_test(spec2_options_anywhere_values_and_files),
        cmocka_unit_test(spec2_usage_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
