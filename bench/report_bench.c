/*
 * report_bench.c — the report half of SPEC §6's speed bar: a database of
 * N findings (violations), then report_write timed on it.
 *
 *   report_bench gen DB N [NCSO]        build DB with N violations over
 *                                       NCSO CSOs (default 200; not timed)
 *   report_bench report DB OUT [per-cso] write OUT/audit-2026-10.xlsx
 *                                       (and with per-cso OUT/cso/...),
 *                                       print seconds
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

/* Call notes as CSOs type them (SPEC §6: "notes of realistic length,
 * 100-300 characters"): an opening, then sentences drawn from the lists
 * below until the note reaches a length drawn evenly from 100..300 bytes
 * (mean ~200), with a callback number in half of them, an email address
 * in a quarter and a date in a fifth, so that masking meets what it meets
 * in real exports. Deterministic (a fixed LCG). */
static const char *const openings[] = {
    "Pelanggan melaporkan padam sejak pukul 07.00 pagi, satu rumah.",
    "Pelanggan keberatan dengan tagihan bulan ini, naik hampir dua kali lipat.",
    "Lampu berkedip dan tegangan turun naik sejak kemarin sore.",
    "Menanyakan rincian tagihan dan denda keterlambatan, sudah dijelaskan.",
    "Permohonan tambah daya dari 900 VA ke 2200 VA untuk rumah tinggal.",
    "Token sudah diisi tetapi kWh meter menampilkan Periksa.",
    "Padam sebagian, tetangga juga padam, gardu di ujung gang.",
    "Stand meter tidak sesuai dengan foto petugas pencatat meter.",
};
static const char *const sentences[] = {
    " MCB sudah dinaikkan, tetap padam.",
    " Pelanggan minta petugas segera datang ke lokasi.",
    " Sudah dijelaskan prosedur pengecekan oleh petugas yantek.",
    " Alamat: Jl. Melati No. 5, RT 03/RW 07, Kel. Sukamaju.",
    " Pelanggan sangat kecewa, sudah lapor tiga kali minggu ini.",
    " Laporan diteruskan ke posko gangguan UP3 setempat.",
    " Pelanggan tidak bersedia menyebutkan alamat email.",
    " Mohon dilakukan pengecekan ulang stand meter.",
    " Kabel SR di depan rumah terlihat kendor.",
    " Pelanggan menunggu konfirmasi jadwal kunjungan petugas.",
    " Info tarif dan biaya penyambungan sudah disampaikan.",
    " Pelanggan emosi karena padam berulang saat hujan.",
};

static unsigned lcg(unsigned long long *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(*s >> 33);
}

/* The note of ticket x into out (at least 301 bytes); its length. */
static size_t make_note(long long x, unsigned long long *seed, char *out)
{
    size_t target = 100 + lcg(seed) % 201, n = 0;
    const char *o = openings[lcg(seed) % (sizeof openings / sizeof *openings)];
    n = (size_t)snprintf(out, 301, "%s", o);
    unsigned r = lcg(seed);
    char extra[96];
    if (r % 2 == 0) {
        snprintf(extra, sizeof extra, " Minta dihubungi di 0813%08lld.",
                 x % 100000000);
        if (n + strlen(extra) <= 300)
            n += (size_t)snprintf(out + n, 301 - n, "%s", extra);
    }
    if (r % 4 == 1) {
        snprintf(extra, sizeof extra, " Email alternatif p%lld@yahoo.co.id.",
                 x);
        if (n + strlen(extra) <= 300)
            n += (size_t)snprintf(out + n, 301 - n, "%s", extra);
    }
    if (r % 5 == 2 && n + 28 <= 300)
        n += (size_t)snprintf(out + n, 301 - n, " Lapor ulang %02lld-10-2026.",
                              1 + x % 28);
    while (n < target) {
        const char *t =
            sentences[lcg(seed) % (sizeof sentences / sizeof *sentences)];
        size_t tl = strlen(t);
        if (n + tl > 300) {
            /* the last words cut to the target, as a CSO stops typing */
            tl = target - n;
        }
        memcpy(out + n, t, tl);
        n += tl;
    }
    out[n] = '\0';
    return n;
}

static const char head_sql[] =
    "INSERT INTO imports(id, file, size, sha256, source, encoding, delimiter,"
    " header_line, rows_read, rows_imported, rows_rejected, imported_at,"
    " program_version) VALUES (1, 'bench.csv', 0, 'bench', 'crm', 'utf-8',"
    " ',', 1, ?1, ?1, 0, '2026-11-01T00:00:00Z', '0.1.0');"
    "INSERT INTO audits VALUES (1, 'import', '2026-11-01T00:00:00Z', NULL,"
    " 'default', '0.1.0', ?1);";

static const char row_sql[] =
    "INSERT INTO tickets(source, ticket_id, import_id, line, date, period,"
    " type, email, hp, cso, notes, category, status, codes, email_state,"
    " hp_state, evidence, audit_id, fingerprint)"
    " VALUES ('crm', 'T' || ?1, 1, ?1 + 1, printf('2026-10-%02d', 1 + ?1 % 28),"
    " '2026-10', 'Keluhan', 'pelanggan' || ?1 || '@gmail.com',"
    " printf('0812%08d', ?1), 'CSO ' || (?1 % ?3), ?2, 'keluhan', 'violation',"
    " CASE WHEN ?1 % 3 = 0 THEN 'EMAIL_INVALID' ELSE"
    " 'EMAIL_MISSING HP_INVALID' END, 'EMAIL_INVALID', 'HP_INVALID', '', 1,"
    " printf('%012x', ?1))";

/* N violations of October 2026 spread over ncso CSOs. */
static int gen(sqlite3 *db, long long n, long long ncso)
{
    sqlite3_stmt *q = NULL;
    const char *tail = head_sql;
    int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK;
    while (!rc && tail && *tail) {
        if (sqlite3_prepare_v2(db, tail, -1, &q, &tail) != SQLITE_OK)
            return 1;
        if (!q)
            break;
        rc = sqlite3_bind_int64(q, 1, n) != SQLITE_OK ||
             sqlite3_step(q) != SQLITE_DONE;
        sqlite3_finalize(q);
    }
    if (rc || sqlite3_prepare_v2(db, row_sql, -1, &q, NULL) != SQLITE_OK)
        return 1;
    unsigned long long seed = 7;
    char note[512];
    size_t total = 0;
    for (long long x = 1; !rc && x <= n; x++) {
        size_t len = make_note(x, &seed, note);
        total += len;
        rc = sqlite3_bind_int64(q, 1, x) != SQLITE_OK ||
             sqlite3_bind_text(q, 2, note, (int)len, SQLITE_STATIC) !=
                 SQLITE_OK ||
             sqlite3_bind_int64(q, 3, ncso) != SQLITE_OK ||
             sqlite3_step(q) != SQLITE_DONE || sqlite3_reset(q) != SQLITE_OK;
    }
    sqlite3_finalize(q);
    if (!rc)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK;
    if (!rc && n > 0)
        fprintf(stderr, "report_bench: %lld findings, %lld CSOs, notes of "
                        "%.0f bytes on average\n",
                n, ncso, (double)total / (double)n);
    return rc;
}

int main(int argc, char **argv)
{
    char err[2048];
    sqlite3 *db = NULL;
    if (argc < 4 || argc > 5 ||
        (strcmp(argv[1], "gen") && strcmp(argv[1], "report"))) {
        fprintf(stderr, "usage: report_bench gen DB N [NCSO] | "
                        "report DB OUT [per-cso]\n");
        return 2;
    }
    if (db_open(argv[2], &db, err, sizeof err) != TA_OK) {
        fprintf(stderr, "report_bench: %s\n", err);
        return 1;
    }
    int rc = 0;
    if (strcmp(argv[1], "gen") == 0) {
        long long n = strtoll(argv[3], NULL, 10);
        long long ncso = argc == 5 ? strtoll(argv[4], NULL, 10) : 200;
        rc = gen(db, n, ncso > 0 ? ncso : 200);
        if (rc)
            fprintf(stderr, "report_bench: %s\n", sqlite3_errmsg(db));
    } else {
        report_options o = {.out_dir = argv[3],
                            .period = "2026-10",
                            .per_cso = argc == 5 &&
                                       strcmp(argv[4], "per-cso") == 0};
        char path[4096];
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        /* as report and run call it: in one read snapshot */
        ta_status s = db_read_begin(db, "reading the database", err, sizeof err);
        if (s == TA_OK)
            s = report_write(db, &o, path, sizeof path, err, sizeof err);
        db_read_end(db);
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
