/*
 * report_bench.c — the report half of SPEC §6's speed bar: a database of
 * N findings (violations), then report_write timed on it.
 *
 *   report_bench gen DB N       build DB with N violations (not timed)
 *   report_bench report DB OUT  write OUT/audit-2026-10.xlsx, print seconds
 *
 * Two commands so that /usr/bin/time -v measures the report's peak RSS
 * alone. Driven by bench/report_bench.sh.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "report.h"

static const char gen_sql[] =
    "BEGIN;"
    "INSERT INTO imports(id, file, size, sha256, source, encoding, delimiter,"
    " header_line, rows_read, rows_imported, rows_rejected, imported_at,"
    " program_version) VALUES (1, 'bench.csv', 0, 'bench', 'crm', 'utf-8',"
    " ',', 1, ?1, ?1, 0, '2026-11-01T00:00:00Z', '0.1.0');"
    "INSERT INTO audits VALUES (1, 'import', '2026-11-01T00:00:00Z', NULL,"
    " 'default', '0.1.0', ?1);"
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n"
    " WHERE x < ?1)"
    " INSERT INTO tickets(source, ticket_id, import_id, line, date, period,"
    " type, email, hp, cso, notes, category, status, codes, email_state,"
    " hp_state, evidence, audit_id, fingerprint)"
    " SELECT 'crm', 'T' || x, 1, x + 1,"
    " printf('2026-10-%02d', 1 + x % 28), '2026-10', 'Keluhan',"
    " 'pelanggan' || x || '@gmail.com', printf('0812%08d', x),"
    " 'CSO ' || (x % 200),"
    " 'Pelanggan melaporkan lampu padam sejak pagi, minta dihubungi di '"
    " || printf('0813%08d', x) || ' atau email p' || x || '@yahoo.co.id',"
    " 'keluhan', 'violation', CASE WHEN x % 3 = 0 THEN 'EMAIL_INVALID'"
    " ELSE 'EMAIL_MISSING HP_INVALID' END, 'EMAIL_INVALID', 'HP_INVALID',"
    " '', 1, printf('%012x', x) FROM n;"
    "COMMIT;";

int main(int argc, char **argv)
{
    char err[2048];
    sqlite3 *db = NULL;
    if (argc != 4 || (strcmp(argv[1], "gen") && strcmp(argv[1], "report"))) {
        fprintf(stderr, "usage: report_bench gen DB N | report DB OUT\n");
        return 2;
    }
    if (db_open(argv[2], &db, err, sizeof err) != TA_OK) {
        fprintf(stderr, "report_bench: %s\n", err);
        return 1;
    }
    int rc = 0;
    if (strcmp(argv[1], "gen") == 0) {
        char *end = NULL;
        long long n = strtoll(argv[3], &end, 10);
        sqlite3_stmt *q = NULL;
        const char *tail = gen_sql;
        while (rc == 0 && tail && *tail) {
            if (sqlite3_prepare_v2(db, tail, -1, &q, &tail) != SQLITE_OK) {
                rc = 1;
                break;
            }
            if (!q)
                break;
            if (sqlite3_bind_parameter_count(q) > 0 &&
                sqlite3_bind_int64(q, 1, n) != SQLITE_OK)
                rc = 1;
            else if (sqlite3_step(q) != SQLITE_DONE)
                rc = 1;
            sqlite3_finalize(q);
        }
        if (rc)
            fprintf(stderr, "report_bench: %s\n", sqlite3_errmsg(db));
    } else {
        report_options o = {.out_dir = argv[3], .period = "2026-10"};
        char path[4096];
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        ta_status s = report_write(db, &o, path, sizeof path, err, sizeof err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (s != TA_OK) {
            fprintf(stderr, "report_bench: %s\n", err);
            rc = 1;
        } else {
            printf("%s written in %.2f s\n", path,
                   (double)(t1.tv_sec - t0.tv_sec) +
                       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        }
    }
    db_close(db);
    return rc;
}
