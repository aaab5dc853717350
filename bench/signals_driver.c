/*
 * signals_driver.c — times what the signals add to an audit, in one
 * process, on a database already imported (bench/signals_bench.sh builds
 * it against libta_core.a).
 *
 *     signals_driver DB MODE
 *
 * MODE audit:   audit_run judging every ticket, no signals;
 *      fed:     audit_run feeding the signals, then signals_feed_write;
 *      scan:    signals_compute alone (its own scan of the tickets).
 * Each in one transaction, committed, as main.c does.
 * Prints: seconds-of-audit seconds-of-signals reused outliers mismatches
 * peak-RSS-MiB (for fed, the signals' seconds include the commit).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "audit.h"
#include "db.h"
#include "rules.h"
#include "signals.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int f_mode_fed(const char *mode)
{
    return strcmp(mode, "fed") == 0;
}

int main(int argc, char **argv)
{
    char err[1024];
    sqlite3 *db = NULL;
    rules *rs = NULL;
    db_init_library(); /* as main.c: the same SQLite settings */
    if (argc != 3 || rules_load(NULL, &rs, err, sizeof err) != TA_OK ||
        db_open(argv[1], &db, err, sizeof err) != TA_OK) {
        fprintf(stderr, "signals_driver: %s\n",
                argc != 3 ? "usage: signals_driver DB audit|fed|scan" : err);
        return 2;
    }
    const char *mode = argv[2];
    signals_counts n = {0, 0, 0};
    audit_summary sum;
    ta_status s = TA_OK;
    double t0 = now(), t1 = t0, t2 = t0;
    /* the stored signals must not be reused */
    sqlite3_exec(db, "DELETE FROM signals_state", NULL, NULL, NULL);
    /* as main.c: one transaction for the audit and its signals */
    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (strcmp(mode, "scan") == 0) {
        s = signals_compute(db, rs, NULL, &n, err, sizeof err);
    } else {
        signals_feed *f =
            strcmp(mode, "fed") == 0 ? signals_feed_new(rs, NULL) : NULL;
        s = audit_run(db, rs, NULL, 0, f ? signals_feed_on_ticket : NULL, f,
                      &sum, err, sizeof err);
        t1 = now();
        if (s == TA_OK && f)
            s = signals_feed_write(f, db, &n, err, sizeof err);
        signals_feed_free(f);
    }
    if (s == TA_OK &&
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        s = TA_E_IO;
    t2 = now();
    if (!f_mode_fed(mode))
        t1 = strcmp(mode, "scan") == 0 ? t0 : t2;
    if (s != TA_OK) {
        fprintf(stderr, "signals_driver: %s\n", err);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%.3f %.3f %lu %lu %lu %ld\n", t1 - t0, t2 - t1, n.reused_contacts,
           n.exemption_outliers, n.cross_system_mismatches,
           ru.ru_maxrss / 1024);
    db_close(db);
    rules_free(rs);
    return 0;
}
