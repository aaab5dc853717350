/*
 * junit.c — the JUnit XML file of `check --junit` (see junit.h).
 *
 * Two passes over the per-CSO figures: the first counts tests and
 * failures for the <testsuite> attributes (CI servers read them there),
 * the second writes the test cases. The pass/fail rule is
 * summary_check_fails's, so a CSO fails JUnit exactly when a check of that
 * CSO alone would fail --fail-under.
 */
#include "junit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interrupt.h"
#include "summary.h"
#include "utf8.h"

#define JUNIT_CLASS "ticket-audit.compliance"

typedef struct junit_ctx {
    FILE *f; /* NULL in the counting pass */
    double threshold;
    unsigned long tests, failures, skipped;
    int oom;
} junit_ctx;

/* Writes n bytes of data-derived text as XML character data or attribute
 * value: valid UTF-8, the five special characters as entities, TAB/LF/CR
 * as character references (so attribute values keep them), and what XML
 * 1.0 forbids (other C0 controls, U+FFFE, U+FFFF) as U+FFFD. */
static int xml_put(FILE *f, const char *s, size_t n)
{
    size_t clen = 0;
    char *clean = utf8_clean(s, n, &clen);
    if (!clean)
        return -1;
    const unsigned char *p = (const unsigned char *)clean;
    for (size_t i = 0, k; i < clen; i += k) {
        uint32_t cp = utf8_decode(clean + i, clen - i, &k);
        switch (cp) {
        case '&':
            fputs("&amp;", f);
            continue;
        case '<':
            fputs("&lt;", f);
            continue;
        case '>':
            fputs("&gt;", f);
            continue;
        case '"':
            fputs("&quot;", f);
            continue;
        case '\'':
            fputs("&apos;", f);
            continue;
        case '\t':
            fputs("&#9;", f);
            continue;
        case '\n':
            fputs("&#10;", f);
            continue;
        case '\r':
            fputs("&#13;", f);
            continue;
        default:
            break;
        }
        /* U+FFFE and U+FFFF are not characters in XML 1.0 either */
        if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF)
            fputs(UTF8_REPLACEMENT, f);
        else
            fwrite(p + i, 1, k, f);
    }
    free(clean);
    return 0;
}

static int xml_puts(FILE *f, const char *s)
{
    return xml_put(f, s, strlen(s));
}

/* A CSO with nothing in scope is skipped, not failed: check's own
 * verdict is the one that fails when nothing at all is in scope. */
static int cso_fails(const summary_cso *row, double threshold)
{
    if (!row->has_compliance)
        return 0;
    summary_totals t;
    memset(&t, 0, sizeof t);
    t.has_compliance = row->has_compliance;
    t.compliance_centi = row->compliance_centi;
    t.compliance_pct = row->compliance_pct;
    return summary_check_fails(&t, 1, threshold, 0, 0, NULL, 0);
}

static int on_cso(void *vctx, const summary_cso *row)
{
    junit_ctx *c = vctx;
    int fails = cso_fails(row, c->threshold);
    if (!c->f) {
        c->tests++;
        c->failures += (unsigned long)fails;
        c->skipped += (unsigned long)!row->has_compliance;
        return 0;
    }
    FILE *f = c->f;
    fputs("    <testcase classname=\"" JUNIT_CLASS "\" name=\"", f);
    int rc = row->cso_len ? xml_put(f, row->cso, row->cso_len)
                          : xml_puts(f, "(unknown)");
    if (rc != 0) {
        c->oom = 1;
        return 1;
    }
    fputs("\" time=\"0\">\n", f);
    unsigned long in_scope = row->compliant + row->exempt + row->violation;
    /* Signals are not failures (they judge no ticket) but a QA lead must
     * see them: as properties, and in the test case's output. */
    char sig[200] = "";
    if (row->reused_contacts + row->exemption_outliers +
            row->cross_system_mismatches >
        0) {
        fprintf(f,
                "      <properties>\n"
                "        <property name=\"reused_contacts\" value=\"%lu\"/>\n"
                "        <property name=\"exemption_outliers\" "
                "value=\"%lu\"/>\n"
                "        <property name=\"cross_system_mismatches\" "
                "value=\"%lu\"/>\n"
                "      </properties>\n",
                row->reused_contacts, row->exemption_outliers,
                row->cross_system_mismatches);
        snprintf(sig, sizeof sig,
                 "; signals: %lu reused contacts, %lu exemption outliers, "
                 "%lu cross-system mismatches (sheet Indikasi / Signals)",
                 row->reused_contacts, row->exemption_outliers,
                 row->cross_system_mismatches);
    }
    char counts[200];
    snprintf(counts, sizeof counts,
             "%lu tickets: %lu compliant, %lu exempt, %lu violations, %lu "
             "out of scope",
             row->tickets, row->compliant, row->exempt, row->violation,
             row->out_of_scope);
    if (!row->has_compliance) {
        fprintf(f, "      <skipped message=\"no ticket in scope (%s)\"/>\n",
                counts);
        if (sig[0])
            fprintf(f, "      <system-out>%s</system-out>\n", sig + 2);
    } else if (fails) {
        fprintf(f,
                "      <failure type=\"compliance\" message=\"compliance "
                "%.2f%% is below %.2f%% (%s)\">compliance %.2f%% = (%lu "
                "compliant + %lu exempt) / %lu in scope; threshold "
                "%.2f%%</failure>\n",
                row->compliance_pct, c->threshold, counts, row->compliance_pct,
                row->compliant, row->exempt, in_scope, c->threshold);
        if (sig[0])
            fprintf(f, "      <system-out>%s</system-out>\n", sig + 2);
    } else {
        fprintf(f, "      <system-out>compliance %.2f%% (%s)%s</system-out>\n",
                row->compliance_pct, counts, sig);
    }
    fputs("    </testcase>\n", f);
    return 0;
}

static ta_status write_xml(sqlite3 *db, const char *period, junit_ctx *c,
                           char *err, size_t errlen)
{
    FILE *f = c->f;
    c->f = NULL;
    ta_status s = summary_each_cso(db, period, on_cso, c, err, errlen);
    if (s != TA_OK)
        return s;
    c->f = f;
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"ticket-audit\" tests=\"%lu\" failures=\"%lu\" "
            "errors=\"0\" skipped=\"%lu\">\n"
            "  <testsuite name=\"" JUNIT_CLASS "\" tests=\"%lu\" "
            "failures=\"%lu\" errors=\"0\" skipped=\"%lu\" time=\"0\">\n"
            "    <properties>\n"
            "      <property name=\"threshold\" value=\"%.2f\"/>\n"
            "      <property name=\"period\" value=\"",
            c->tests, c->failures, c->skipped, c->tests, c->failures,
            c->skipped, c->threshold);
    if (xml_puts(f, period ? period : "all") != 0)
        c->oom = 1;
    fputs("\"/>\n"
          "      <property name=\"version\" value=\"" TA_VERSION "\"/>\n"
          "    </properties>\n",
          f);
    s = summary_each_cso(db, period, on_cso, c, err, errlen);
    if (s != TA_OK)
        return s;
    if (c->oom) {
        snprintf(err, errlen, "writing the JUnit file: out of memory");
        return TA_E_NOMEM;
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
    return TA_OK;
}

ta_status junit_write(sqlite3 *db, const char *period, double threshold,
                      const char *path, char *err, size_t errlen)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    if (!tmp) {
        snprintf(err, errlen, "%s: out of memory", path);
        return TA_E_NOMEM;
    }
    snprintf(tmp, plen + 8, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen,
                 "%s: cannot create the JUnit file: %s; check the folder "
                 "exists and is writable, or give another --junit FILE",
                 path, strerror(errno));
        free(tmp);
        return TA_E_CANTCREAT;
    }
    /* mkstemp makes it 0600; a CI artifact is for the pipeline to read */
    (void)fchmod(fd, 0644);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write the JUnit file: %s", path,
                 strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return TA_E_IO;
    }
    junit_ctx c = {.f = f, .threshold = threshold};
    ta_status s = write_xml(db, period, &c, err, errlen);
    int werr = ferror(f);
    if (fclose(f) != 0 || werr) {
        if (s == TA_OK) {
            snprintf(err, errlen, "%s: cannot write the JUnit file: %s", path,
                     werr ? "write error" : strerror(errno));
            s = TA_E_IO;
        }
    }
    /* SIGINT / SIGTERM: the command ends with 130 / 143, and leaves no
     * JUnit file it did not finish reporting (interrupt.h) */
    if (s == TA_OK && interrupt_pending()) {
        snprintf(err, errlen,
                 "%s: interrupted; the JUnit file was not "
                 "written",
                 path);
        s = TA_E_INTERRUPTED;
    }
    if (s == TA_OK && rename(tmp, path) != 0) {
        snprintf(err, errlen,
                 "%s: cannot create the JUnit file: %s; give another "
                 "--junit FILE",
                 path, strerror(errno));
        s = TA_E_CANTCREAT;
    }
    if (s != TA_OK)
        unlink(tmp);
    free(tmp);
    return s;
}
