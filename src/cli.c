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
#include <stddef.h>
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
    {{"json", no_argument, NULL, OPT_JSON},
     C(CLI_RUN) | C(CLI_REPORT) | C(CLI_CHECK)},
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
    "Audits the exports of PLN 123's CRM, APKT and AP2T against the memo\n"
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
    "Options (before or after the command and the files):\n"
    "  --db FILE            database file (default: ticket-audit.db); only\n"
    "                       run and import create it\n"
    "  --out DIR            folder for the workbooks (default: reports)\n"
    "  --source SYSTEM      crm, apkt or ap2t (default: detected from the "
    "header)\n"
    "  --period YYYY-MM     only this month (one that holds tickets)\n"
    "  --rules FILE         rules file replacing the built-in rules\n"
    "  --lang id|en         report language (default: id, Indonesian)\n"
    "  --per-cso            also write one workbook per CSO in OUT/cso/\n"
    "  --no-mask            show full email addresses and phone numbers\n"
    "  --target PCT         compliance target highlighted in reports (default "
    "90)\n"
    "  --json               print a JSON summary on stdout (run, report, "
    "check)\n"
    "  --fail-under PCT     check: exit 1 when compliance is below PCT, or\n"
    "                       when no ticket is in scope\n"
    "  --max-rejected N     check: exit 1 when more than N rows were "
    "rejected\n"
    "  --junit FILE         check: write a JUnit XML file, one test per CSO\n"
    "  --encoding ENC       utf-8 or windows-1252 (default: detected)\n"
    "  --sheet NAME         read this worksheet of a workbook\n"
    "  --quiet              print only errors and warnings\n"
    "  -h, --help           show this help and exit\n"
    "  --version            show the version and exit\n"
    "\n"
    "Exit status: 0 success, 1 check below --fail-under (or nothing in\n"
    "scope) or over --max-rejected, 2 usage error, 65 data error (an input\n"
    "could not be read as an export, or --period names a month without\n"
    "tickets), 66 input file or database missing, 73 cannot create output,\n"
    "74 I/O error, 130 and 143 interrupted (SIGINT, SIGTERM).\n"
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
#define NCOMMANDS (sizeof commands / sizeof commands[0])

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
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].cmd == c)
            return commands[i].name;
    return "";
}

static ta_status usage_error(char *err, size_t errlen, const char *fmt, ...)
    TA_PRINTF(3, 4);

/* What is wrong, and where to look: every usage error ends so. */
static ta_status usage_error(char *err, size_t errlen, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s\nTry 'ticket-audit --help'.", msg);
    return TA_E_USAGE;
}

/* ---- suggestions ---------------------------------------------------- */

/* Names longer than this are never near anything (and the table below
 * stays on the stack). */
#define NAME_MAX_NEAR 32

/* The optimal string alignment distance of a[0..an) and b[0..bn)
 * (Levenshtein plus the swap of two neighbours, Damerau's commonest
 * typo): the number of single-character edits from one to the other. */
static size_t edit_distance(const char *a, size_t an, const char *b, size_t bn)
{
    if (an > NAME_MAX_NEAR || bn > NAME_MAX_NEAR)
        return (size_t)-1;
    size_t d[NAME_MAX_NEAR + 1][NAME_MAX_NEAR + 1];
    for (size_t i = 0; i <= an; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= bn; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= an; i++) {
        for (size_t j = 1; j <= bn; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[an][bn];
}

/* s[0..n) without its hyphens into out (NAME_MAX_NEAR + 1 bytes); the
 * length, or (size_t)-1 when too long to compare. Users drop or misplace
 * hyphens more than letters: "perso" is one edit from "per-cso" so. */
static size_t unhyphen(const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-')
            continue;
        if (k == NAME_MAX_NEAR)
            return (size_t)-1;
        out[k++] = s[i];
    }
    out[k] = '\0';
    return k;
}

/* The name nearest to typed[0..n), or NULL when none is near enough:
 * one edit away (hyphens aside), else (at least three letters typed) the
 * one name that holds it ("mask" of "no-mask", "cso" of "per-cso"), else
 * two edits away and fewer edits than the typed name has letters. The
 * names are read through get(i); of two as near, the first. */
static const char *nearest(const char *typed, size_t n, size_t count,
                           const char *(*get)(size_t))
{
    const char *best = NULL, *within = NULL;
    size_t best_d = 3, nwithin = 0;
    char t[NAME_MAX_NEAR + 1], m[NAME_MAX_NEAR + 1];
    size_t tn = unhyphen(typed, n, t);
    if (tn == (size_t)-1 || tn == 0)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        const char *name = get(i);
        size_t mn = unhyphen(name, strlen(name), m);
        size_t d = mn == (size_t)-1 ? (size_t)-1 : edit_distance(t, tn, m, mn);
        if (d < best_d && d < tn) {
            best = name;
            best_d = d;
        }
        if (tn >= 3 && strstr(m, t)) {
            within = name;
            nwithin++;
        }
    }
    if (best && best_d <= 1)
        return best;
    return nwithin == 1 ? within : best;
}

static const char *option_name_at(size_t i)
{
    return options[i].opt.name;
}

static const char *command_name_at(size_t i)
{
    return commands[i].name;
}

/* The message for an option getopt refused: arg is the command-line
 * word that held it (for a short option, the cluster). */
static ta_status bad_option(const char *arg, int missing_value, char *err,
                            size_t errlen)
{
    if (missing_value)
        return usage_error(err, errlen, "option '%s' needs a value", arg);
    const char *name = arg;
    while (*name == '-')
        name++;
    size_t n = strcspn(name, "=");
    /* --json=1: a known option that takes no value */
    for (size_t i = 0; i < NOPTIONS; i++)
        if (name[n] == '=' && strlen(options[i].opt.name) == n &&
            memcmp(options[i].opt.name, name, n) == 0 &&
            options[i].opt.has_arg == no_argument)
            return usage_error(err, errlen, "option '--%s' takes no value",
                               options[i].opt.name);
    /* --per: the start of several names (getopt takes the start of one) */
    char list[300] = "";
    size_t nstart = 0, used = 0;
    for (size_t i = 0; i < NOPTIONS && arg[1] == '-'; i++) {
        if (n > 0 && strncmp(options[i].opt.name, name, n) == 0) {
            int w = snprintf(list + used, sizeof list - used, "%s--%s",
                             nstart ? " or " : "", options[i].opt.name);
            if (w > 0 && (size_t)w < sizeof list - used)
                used += (size_t)w;
            nstart++;
        }
    }
    if (nstart > 1)
        return usage_error(err, errlen,
                           "option '%.*s' is ambiguous: did you mean %s?",
                           (int)(name - arg + (ptrdiff_t)n), arg, list);
    const char *near = nearest(name, n, NOPTIONS, option_name_at);
    if (near)
        return usage_error(
            err, errlen, "unknown option '%s'; did you mean --%s?", arg, near);
    return usage_error(err, errlen, "unknown option '%s'", arg);
}

/* ---- values --------------------------------------------------------- */

/* A file or folder option's value: never empty (an unset variable in a
 * script, `--db "$DB"`, must not silently pick a throw-away file). */
static ta_status path_value(const char *name, const char *arg,
                            const char **dst, char *err, size_t errlen)
{
    if (arg[0] == '\0')
        return usage_error(err, errlen,
                           "--%s '': the value is empty (an unset variable "
                           "in a script?); give a %s",
                           name,
                           strcmp(name, "out") == 0 ? "folder" : "file name");
    *dst = arg;
    return TA_OK;
}

static ta_status check_value(int code, const char *arg, cli_options *opt,
                             char *err, size_t errlen)
{
    char *end = NULL;
    switch (code) {
    case OPT_DB:
        return path_value("db", arg, &opt->db, err, errlen);
    case OPT_OUT:
        return path_value("out", arg, &opt->out, err, errlen);
    case OPT_RULES:
        return path_value("rules", arg, &opt->rules, err, errlen);
    case OPT_JUNIT:
        return path_value("junit", arg, &opt->junit, err, errlen);
    case OPT_SHEET:
        if (arg[0] == '\0')
            return usage_error(err, errlen,
                               "--sheet '': the value is empty (an unset "
                               "variable in a script?); give the name of a "
                               "worksheet");
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

/* The command-line word getopt was reading when it refused an option:
 * the one before optind, except for a short option inside a cluster
 * ("-db", refused at its 'd'), which leaves optind on the cluster. */
static const char *refused_word(int argc, char **argv)
{
    const char *prev = optind > 1 ? argv[optind - 1] : NULL;
    if (optopt <= 0 || optopt >= 128)
        return prev ? prev : "?";
    size_t plen = prev ? strlen(prev) : 0;
    if (prev && prev[0] == '-' && prev[1] != '-' && plen > 1 &&
        prev[plen - 1] == optopt)
        return prev;
    if (optind < argc && argv[optind][0] == '-' && argv[optind][1] != '-' &&
        strchr(argv[optind] + 1, optopt))
        return argv[optind];
    return prev ? prev : "?";
}

/* The command named by word, or a usage error with the nearest name. */
static ta_status find_command(const char *word, cli_command *cmd, char *err,
                              size_t errlen)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(word, commands[i].name) == 0) {
            *cmd = commands[i].cmd;
            return TA_OK;
        }
    const char *near = nearest(word, strlen(word), NCOMMANDS, command_name_at);
    if (near)
        return usage_error(err, errlen,
                           "unknown command '%s'; did you mean '%s'? "
                           "(expected run, import, audit, report, check or "
                           "review)",
                           word, near);
    return usage_error(err, errlen,
                       "unknown command '%s': expected run, import, audit, "
                       "report, check or review",
                       word);
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

    /* getopt_long permutes, so options may stand before the command,
     * between it and the files, and after them, as users type: the first
     * word left over is the command. Which options apply to it is
     * checked once it is known. */
    optind = 0; /* glibc: 0 resets getopt's state fully (a second parse) */
    opterr = 0;
    int c, help = 0, version = 0;
    unsigned long long seen = 0; /* bit i: options[i] was given */
    for (;;) {
        optopt = 0;
        c = getopt_long(argc, argv, ":h", longopts, NULL);
        if (c == -1)
            break;
        if (c == '?' || c == ':')
            return bad_option(refused_word(argc, argv), c == ':', err, errlen);
        if (c == 'h')
            c = OPT_HELP;
        for (size_t i = 0; i < NOPTIONS; i++)
            if (options[i].opt.val == c)
                seen |= 1ULL << i;
        if (c == OPT_HELP) {
            help = 1;
            continue;
        }
        if (c == OPT_VERSION) {
            version = 1;
            continue;
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
    if (optind >= argc)
        return usage_error(err, errlen, "no command given");
    ta_status s = find_command(argv[optind], &opt->command, err, errlen);
    if (s != TA_OK)
        return s;
    for (size_t i = 0; i < NOPTIONS; i++)
        if ((seen >> i & 1) && !(options[i].applies & C(opt->command)))
            return usage_error(
                err, errlen, "option '--%s' does not apply to '%s'",
                options[i].opt.name, command_name(opt->command));
    opt->files = argv + optind + 1;
    opt->nfiles = argc - optind - 1;
    int wants_files = opt->command == CLI_RUN || opt->command == CLI_IMPORT ||
                      opt->command == CLI_CHECK || opt->command == CLI_REVIEW;
    if (wants_files && opt->nfiles == 0)
        return usage_error(err, errlen,
                           "'%s' needs at least one export FILE (CSV or "
                           "workbook)",
                           command_name(opt->command));
    if (!wants_files && opt->nfiles > 0)
        return usage_error(err, errlen,
                           "'%s' takes no FILE ('%s'); it works on the "
                           "database given by --db",
                           command_name(opt->command), opt->files[0]);
    return TA_OK;
}
