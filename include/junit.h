/*
 * junit.h — check's JUnit XML file (--junit FILE): one test case per CSO,
 * failed when that CSO's compliance is below the threshold, so CI servers
 * (GitLab, GitHub Actions, Jenkins) show which agents pulled the figure
 * down.
 *
 * The figures come from summary_each_cso (summary.h); this module only
 * turns them into XML and writes the file.
 */
#ifndef TICKET_AUDIT_JUNIT_H
#define TICKET_AUDIT_JUNIT_H

#include <stddef.h>

#include "ta.h"

typedef struct sqlite3 sqlite3;

/* Writes the JUnit XML of period (NULL: all periods) to path: a
 * <testsuite name="ticket-audit.compliance"> holding one <testcase> per CSO
 * (classname "ticket-audit.compliance", name the CSO, "(unknown)" when
 * empty), in the order of summary_each_cso (worst first). A CSO whose
 * compliance, rounded to two decimals, is below threshold (a percentage)
 * gets a <failure> with its compliance and counts; a CSO with no ticket in
 * scope gets <skipped>. Text from the data is made valid UTF-8 and XML
 * 1.0: & < > " ' are escaped, forbidden control characters and U+FFFE/
 * U+FFFF become U+FFFD.
 *
 * The file is written to a temporary file beside path (mode 0644) and
 * renamed over it, so a reader never sees half a file. Returns
 * TA_E_CANTCREAT when the file cannot be created (missing folder, no
 * permission), TA_E_IO on a write or database error, each with a message
 * in err naming path. */
ta_status junit_write(sqlite3 *db, const char *period, double threshold,
                      const char *path, char *err, size_t errlen) TA_WUR;

#endif
