/*
 * cli.c — parsing and checking the command line (see cli.h).
 *
 * Every option is checked here, before main opens anything: a value out of
 * range, an option given to a subcommand it does not apply to, or a
 * missing/extra FILE is a usage error (exit 2) with a message that says
 * what to type instead.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "date.h"

enum {
    OPT_DB = 256,
    OPT_OUT,
    OPT_SOURCE,
    OPT_PERIOD,
    OPT_RULES,
    OPT_LANG,
    OPT_PER_CSO,
    OPT_NO_MASK,
    OPT_JSON,
    OPT_FAIL_UNDER,
    OPT_MAX_REJECTED,
    OPT_ENCODING,
    OPT_QUIET,
    OPT_TARGET,
    OPT_JUNIT,
    OPT_SHEET,
    OPT_HELP,
    OPT_VERSION
};

/* Which subcommands each option applies to (bit per cli_command). */
#define C(x) (1u << (x))
#define ALL                                                                   \
    (C(CLI_RUN) | C(CLI_IMPORT) | C(CLI_AUDIT) | C(CLI_REPORT) |              \
     C(CLI_CHECK) | C(CLI_REVIEW))
#define READS (C(CLI_RUN) | C(CLI_IMPORT) | C(CLI_CHECK))
#define WRITES_REPORT (C(CLI_RUN) | C(CLI_REPORT))

static const struct {
    struct option opt;
    unsigned applies;
} options[] = {
    {{"db", required_argument, NULL, OPT_DB},
     C(CLI_RUN) | C(CLI_IMPORT) | C(CLI_AUDIT) | C(CLI_REPORT) |
         C(CLI_REVIEW)},
    {{"out", required_argument, NULL, OPT_OUT}, WRITES_REPORT},
    {{"source", required_argument, NULL, OPT_SOURCE}, READS},
    {{"period", required_argument, NULL, OPT_PERIOD},
     C(CLI_RUN) | C(CLI_AUDIT) | C(CLI_REPORT) | C(CLI_CHECK)},
    {{"rules", required_argument, NULL, OPT_RULES}, ALL},
    {{"lang", required_argument, NULL, OPT_LANG},
     WRITES_REPORT | C(CLI_CHECK)},
    {{"per-cso", no_argument, NULL, OPT_PER_CSO}, WRITES_REPORT},
    {{"no-mask", no_argument, NULL, OPT_NO_MASK},
     WRITES_REPORT | C(CLI_CHECK)},
    {{"json", no_argument, NULL, OPT_JSON}, C(CLI_RUN) | C(CLI_CHECK)},
    {{"fail-under", required_argument, NULL, OPT_FAIL_UNDER}, C(CLI_CHECK)},
    {{"max-rejected", required_argument, NULL, OPT_MAX_REJECTED},
     C(CLI_CHECK)},
    {{"encoding", required_argument, NULL, OPT_ENCODING}, READS},
    {{"quiet", no_argument, NULL, OPT_QUIET}, ALL},
    {{"target", required_argument, NULL, OPT_TARGET}, WRITES_REPORT},
    {{"junit", required_argument, NULL, OPT_JUNIT}, C(CLI_CHECK)},
    {{"sheet", required_argument, NULL, OPT_SHEET}, READS},
    {{"help", no_argument, NULL, OPT_HELP}, ALL},
    {{"version", no_argument, NULL, OPT_VERSION}, ALL},
};
#define NOPTIONS (sizeof options / sizeof options[0])

static const char usage_text[] =
    "Usage: ticket-audit COMMAND [OPTIONS] [FILE...]\n"
    "\n"
    "Audits the CSV exports of PLN 123's CRM, APKT and AP2T against the memo\n"
    "that makes the caller's email and mobile number (HP) mandatory, and\n"
    "reports per CSO which tickets break it without a valid exemption.\n"
    "\n"
    "Commands:\n"
    "  run    [options] FILE...   import + audit + report in one go\n"
    "  import [options] FILE...   load exports into the database\n"
    "  audit  [options]           (re)evaluate the rules on the database\n"
    "  report [options]           write the Excel workbooks\n"
    "  check  [options] FILE...   CI mode: in-memory audit, summary, exit "
    "status\n"
    "  review [options] FILE...   read the QA team's decisions back from "
    "workbooks\n"
    "\n"
    "Options:\n"
    "  --db FILE            database file (default: ticket-audit.db)\n"
    "  --out DIR            folder for the workbooks (default: reports)\n"
    "  --source SYSTEM      crm, apkt or ap2t (default: detected from the "
    "header)\n"
    "  --period YYYY-MM     only this month\n"
    "  --rules FILE         rules file replacing the built-in rules\n"
    "  --lang id|en         report language (default: id, Indonesian)\n"
    "  --per-cso            also write one workbook per CSO in OUT/cso/\n"
    "  --no-mask            show full email addresses and phone numbers\n"
    "  --target PCT         compliance target highlighted in reports (default "
    "90)\n"
    "  --json               print a JSON summary on stdout (run, check)\n"
    "  --fail-under PCT     check: exit 1 when compliance is below PCT\n"
    "  --max-rejected N     check: exit 1 when more than N rows were "
    "rejected\n"
    "  --junit FILE         check: write a JUnit XML file, one test per CSO\n"
    "  --encoding ENC       utf-8 or windows-1252 (default: detected)\n"
    "  --sheet NAME         read this worksheet of a workbook\n"
    "  --quiet              print only errors\n"
    "  --help               show this help and exit\n"
    "  --version            show the version and exit\n"
    "\n"
    "Exit status: 0 success, 1 check below --fail-under or over\n"
    "--max-rejected, 2 usage error, 65 data error (an input could not be\n"
    "read as an export), 66 input file missing, 73 cannot create output,\n"
    "74 I/O error.\n"
    "\n"
    "Example:\n"
    "  ticket-audit run --period 2026-10 crm.csv apkt.csv ap2t.csv\n"
    "  ticket-audit check --fail-under 85 --json crm.csv\n";

const char *cli_usage(void)
{
    return usage_text;
}

static const struct {
    const char *name;
    cli_command cmd;
} commands[] = {
    {"run", CLI_RUN},       {"import", CLI_IMPORT}, {"audit", CLI_AUDIT},
    {"report", CLI_REPORT}, {"check", CLI_CHECK},   {"review", CLI_REVIEW},
};

static int parse_pct(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !(v >= 0.0 && v <= 100.0))
        return 0;
    *out = v;
    return 1;
}

static const char *command_name(cli_command c)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].cmd == c)
            return commands[i].name;
    return "";
}

static ta_status usage_error(char *err, size_t errlen, const char *fmt, ...)
    TA_PRINTF(3, 4);

/* What is wrong, and where to look: every usage error ends so. */
static ta_status usage_error(char *err, size_t errlen, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s\nTry 'ticket-audit --help'.", msg);
    return TA_E_USAGE;
}

static ta_status check_value(int code, const char *arg, cli_options *opt,
                             char *err, size_t errlen)
{
    char *end = NULL;
    switch (code) {
    case OPT_DB:
        opt->db = arg;
        break;
    case OPT_OUT:
        opt->out = arg;
        break;
    case OPT_RULES:
        opt->rules = arg;
        break;
    case OPT_JUNIT:
        opt->junit = arg;
        break;
    case OPT_SHEET:
        opt->sheet = arg;
        break;
    case OPT_SOURCE:
        opt->source = ta_source_parse(arg);
        if (opt->source == TA_SRC_NONE)
            return usage_error(
                err, errlen, "--source '%s': expected crm, apkt or ap2t", arg);
        break;
    case OPT_PERIOD:
        if (!date_period_valid(arg))
            return usage_error(err, errlen,
                               "--period '%s': expected a month as YYYY-MM, "
                               "e.g. 2026-10",
                               arg);
        opt->period = arg;
        break;
    case OPT_LANG:
        if (strcmp(arg, "id") != 0 && strcmp(arg, "en") != 0)
            return usage_error(err, errlen,
                               "--lang '%s': expected id (Indonesian) or en "
                               "(English)",
                               arg);
        opt->lang = arg;
        break;
    case OPT_ENCODING: {
        int e = csv_encoding_parse(arg);
        if (e <= 0)
            return usage_error(err, errlen,
                               "--encoding '%s': expected utf-8 or "
                               "windows-1252",
                               arg);
        opt->encoding = e;
        break;
    }
    case OPT_FAIL_UNDER:
        if (!parse_pct(arg, &opt->fail_under))
            return usage_error(err, errlen,
                               "--fail-under '%s': expected a percentage "
                               "from 0 to 100, e.g. 85 or 92.5",
                               arg);
        opt->has_fail_under = 1;
        break;
    case OPT_TARGET:
        if (!parse_pct(arg, &opt->target))
            return usage_error(err, errlen,
                               "--target '%s': expected a percentage from 0 "
                               "to 100",
                               arg);
        break;
    case OPT_MAX_REJECTED: {
        errno = 0;
        unsigned long long v = strtoull(arg, &end, 10);
        if (errno || end == arg || *end != '\0' || arg[0] == '-' ||
            v > 1000000000000ULL)
            return usage_error(err, errlen,
                               "--max-rejected '%s': expected a whole number "
                               "of rows, 0 or more",
                               arg);
        opt->max_rejected = (unsigned long)v;
        opt->has_max_rejected = 1;
        break;
    }
    case OPT_PER_CSO:
        opt->per_cso = 1;
        break;
    case OPT_NO_MASK:
        opt->no_mask = 1;
        break;
    case OPT_JSON:
        opt->json = 1;
        break;
    case OPT_QUIET:
        opt->quiet = 1;
        break;
    default:
        break;
    }
    return TA_OK;
}

ta_status cli_parse(int argc, char **argv, cli_options *opt, char *err,
                    size_t errlen)
{
    memset(opt, 0, sizeof *opt);
    opt->db = "ticket-audit.db";
    opt->out = "reports";
    opt->source = TA_SRC_NONE;
    opt->lang = "id";
    opt->target = 90.0;

    struct option longopts[NOPTIONS + 1];
    for (size_t i = 0; i < NOPTIONS; i++)
        longopts[i] = options[i].opt;
    longopts[NOPTIONS] = (struct option){0};

    if (argc < 2)
        return usage_error(err, errlen, "no command given");
    int first = 1;
    if (argv[1][0] != '-') {
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(argv[1], commands[i].name) == 0)
                opt->command = commands[i].cmd;
        if (opt->command == CLI_NONE)
            return usage_error(err, errlen,
                               "unknown command '%s': expected run, import, "
                               "audit, report, check or review",
                               argv[1]);
        first = 2;
    }

    /* getopt_long permutes so options may follow files, as users type. */
    optind = first;
    opterr = 0;
    int c, help = 0, version = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        if (c == '?' || c == ':') {
            const char *bad = argv[optind - 1];
            return usage_error(err, errlen,
                               c == ':' ? "option '%s' needs a value"
                                        : "unknown option '%s'",
                               bad ? bad : "?");
        }
        if (c == OPT_HELP) {
            help = 1;
            continue;
        }
        if (c == OPT_VERSION) {
            version = 1;
            continue;
        }
        if (opt->command != CLI_NONE) {
            for (size_t i = 0; i < NOPTIONS; i++)
                if (options[i].opt.val == c &&
                    !(options[i].applies & C(opt->command)))
                    return usage_error(
                        err, errlen, "option '--%s' does not apply to '%s'",
                        options[i].opt.name, command_name(opt->command));
        }
        ta_status s = check_value(c, optarg, opt, err, errlen);
        if (s != TA_OK)
            return s;
    }
    if (help) {
        opt->command = CLI_HELP;
        return TA_OK;
    }
    if (version) {
        opt->command = CLI_VERSION;
        return TA_OK;
    }
    if (opt->command == CLI_NONE)
        return usage_error(err, errlen, "no command given");
    opt->files = argv + optind;
    opt->nfiles = argc - optind;
    int wants_files = opt->command == CLI_RUN || opt->command == CLI_IMPORT ||
                      opt->command == CLI_CHECK || opt->command == CLI_REVIEW;
    if (wants_files && opt->nfiles == 0)
        return usage_error(err, errlen,
                           "'%s' needs at least one export FILE (CSV)",
                           command_name(opt->command));
    if (!wants_files && opt->nfiles > 0)
        return usage_error(err, errlen,
                           "'%s' takes no FILE ('%s'); it works on the "
                           "database given by --db",
                           command_name(opt->command), opt->files[0]);
    return TA_OK;
}
