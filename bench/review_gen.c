/*
 * review_gen.c — writes a reviewed workbook for the review benchmark
 * (bench/review_bench.sh): one row per ticket of a database, laid out like
 * the report's Temuan sheet (SPEC §5: source, ticket, date, CSO, category,
 * codes, email, HP, notes excerpt, then Keputusan QA, Catatan QA, Peninjau
 * and Kunci), every row decided, in CSO order as the report sorts; and,
 * with --csv, the same decisions as a CSV decisions file.
 *
 *     review_gen [--inline] DB OUT.xlsx
 *     review_gen --csv DB OUT.csv
 *
 * Decisions cycle through Sah, Batal, Upheld, Overturned, batal, SAH; one
 * row in ten carries a note; five reviewers. Strings go to the shared
 * strings table (as Excel writes a workbook it saved) or, with --inline,
 * are inline strings (libxlsxwriter's constant_memory mode, as the report
 * writes them). Not part of the program: a benchmark tool.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <xlsxwriter.h>

static const char *const values[] = {"Sah",        "Batal", "Upheld",
                                     "Overturned", "batal", "SAH"};
static const char *const reviewers[] = {"Rina", "Budi", "Sari", "Joko",
                                        "Dewi"};
static const char *const head[] = {
    "Sumber", "Tiket",        "Tanggal",    "CSO",        "Kategori",
    "Kode",   "Email",        "HP",         "Catatan (cuplikan)",
    "Keputusan QA", "Catatan QA", "Peninjau", "Kunci"};

static const char query[] =
    "SELECT source, ticket_id, date, cso, category, codes,"
    " coalesce(email, ''), coalesce(hp, ''), substr(coalesce(notes, ''), 1,"
    " 80), source || ':' || ticket_id || ':' || fingerprint FROM tickets"
    " ORDER BY cso, source, ticket_id";

static int write_xlsx(sqlite3_stmt *st, const char *out, int inl)
{
    lxw_workbook_options wopt;
    memset(&wopt, 0, sizeof wopt);
    wopt.constant_memory = (uint8_t)inl;
    wopt.use_zip64 = 1;
    lxw_workbook *wb = workbook_new_opt(out, &wopt);
    if (!wb)
        return 1;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Temuan");
    lxw_error e = LXW_NO_ERROR;
    for (lxw_col_t c = 0; c < 13 && !e; c++)
        e = worksheet_write_string(ws, 0, c, head[c], NULL);
    lxw_row_t r = 1;
    int rc;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < 9 && !e; c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            if (v && *v)
                e = worksheet_write_string(ws, r, (lxw_col_t)c, v, NULL);
        }
        char note[32];
        snprintf(note, sizeof note, "rekaman %u", (unsigned)r);
        if (!e)
            e = worksheet_write_string(ws, r, 9, values[r % 6], NULL);
        if (!e && r % 10 == 0)
            e = worksheet_write_string(ws, r, 10, note, NULL);
        if (!e)
            e = worksheet_write_string(ws, r, 11, reviewers[r % 5], NULL);
        if (!e)
            e = worksheet_write_string(
                ws, r, 12, (const char *)sqlite3_column_text(st, 9), NULL);
        r++;
    }
    lxw_error ce = workbook_close(wb);
    if (e || ce) {
        fprintf(stderr, "review_gen: %s\n", lxw_strerror(e ? e : ce));
        return 1;
    }
    fprintf(stderr, "review_gen: %u decisions%s\n", (unsigned)r - 1,
            inl ? " (inline strings)" : " (shared strings)");
    return 0;
}

static int write_csv(sqlite3_stmt *st, const char *out)
{
    FILE *f = fopen(out, "w");
    if (!f)
        return 1;
    fputs("source,ticket_id,decision,note,reviewer\n", f);
    unsigned long r = 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char note[32] = "";
        if (r % 10 == 0)
            snprintf(note, sizeof note, "rekaman %lu", r);
        /* the generated ticket ids hold no comma or quote */
        fprintf(f, "%s,%s,%s,%s,%s\n", sqlite3_column_text(st, 0),
                sqlite3_column_text(st, 1), values[r % 6], note,
                reviewers[r % 5]);
        r++;
    }
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    int inl = 0, csv = 0, a = 1;
    if (a < argc && strcmp(argv[a], "--inline") == 0) {
        inl = 1;
        a++;
    } else if (a < argc && strcmp(argv[a], "--csv") == 0) {
        csv = 1;
        a++;
    }
    if (argc - a != 2) {
        fprintf(stderr, "usage: review_gen [--inline|--csv] DB OUT\n");
        return 2;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(argv[a], &db, SQLITE_OPEN_READONLY, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, query, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "review_gen: %s: %s\n", argv[a], sqlite3_errmsg(db));
        sqlite3_close(db);
        return 1;
    }
    int rc = csv ? write_csv(st, argv[a + 1])
                 : write_xlsx(st, argv[a + 1], inl);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
