/*
 * test_review.c — the QA review read back (SPEC §5 "Review", review.h):
 * the parsing pieces table by table (decision values, keys, column names,
 * header rows, the places messages name, the time stamp), then whole
 * files through review_run_file into a database holding a small export:
 * CSV decision files, workbooks written here with libxlsxwriter (title
 * rows, hidden and other sheets, repeated headers, copies), the invalid
 * cases with their messages and nothing stored, unknown tickets, the
 * same file again, a later decision, stale keys, the figures after
 * review, audit_results untouched, and every allocation failing once.
 * Case names follow the SPEC's clauses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#include "alloc_fail.h"
#include "date.h"
#include "db.h"
#include "import.h"
#include "review.h"
#include "review/review_internal.h"
#include "rules.h"
#include "testutil.h"

/* ---- the parsing pieces --------------------------------------------- */

static void values_either_language_any_case_trimmed(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        rv_value want;
    } cases[] = {
        {"Sah", RV_UPHELD},
        {"sah", RV_UPHELD},
        {"SAH", RV_UPHELD},
        {"  Sah\t", RV_UPHELD},
        {"Upheld", RV_UPHELD},
        {"UPHELD", RV_UPHELD},
        {"upHeld", RV_UPHELD},
        {"Batal", RV_OVERTURNED},
        {"batal", RV_OVERTURNED},
        {"BATAL ", RV_OVERTURNED},
        {"Overturned", RV_OVERTURNED},
        {"overturned", RV_OVERTURNED},
        {"\nOVERTURNED\r\n", RV_OVERTURNED},
        {"", RV_EMPTY},
        {"   ", RV_EMPTY},
        {"\t", RV_EMPTY},
        {"Sahh", RV_INVALID},
        {"Sa", RV_INVALID},
        {"Sah Batal", RV_INVALID},
        {"Sah.", RV_INVALID},
        {"S ah", RV_INVALID},
        {"yes", RV_INVALID},
        {"1", RV_INVALID},
        {"Batalkan", RV_INVALID},
        {"Overturn", RV_INVALID},
        {"S\xc3\xa1h", RV_INVALID},
        {"\xc5\x9e"
         "AH",
         RV_INVALID},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rv_value got = rv_parse_value(cases[i].in, strlen(cases[i].in));
        if (got != cases[i].want)
            fail_msg("value \"%s\": %d, want %d", cases[i].in, (int)got,
                     (int)cases[i].want);
    }
    assert_string_equal(rv_value_name(RV_UPHELD), "upheld");
    assert_string_equal(rv_value_name(RV_OVERTURNED), "overturned");
    assert_null(rv_value_name(RV_EMPTY));
}

static void key_split_on_first_and_last_colon(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int ok;
        ta_source src;
        const char *ticket, *fp;
    } cases[] = {
        {"crm:T-1:0123456789ab", 1, TA_SRC_CRM, "T-1", "0123456789ab"},
        {"apkt:5261:abcdefabcdef", 1, TA_SRC_APKT, "5261", "abcdefabcdef"},
        {"ap2t:A-9:000000000000", 1, TA_SRC_AP2T, "A-9", "000000000000"},
        /* a ticket_id holding ':' itself */
        {"crm:A:1:B:85dea07c2b67", 1, TA_SRC_CRM, "A:1:B", "85dea07c2b67"},
        {"crm::::85dea07c2b67", 1, TA_SRC_CRM, "::", "85dea07c2b67"},
        /* case of source and fingerprint; white space at the ends */
        {"CRM:T-1:0123456789AB", 1, TA_SRC_CRM, "T-1", "0123456789ab"},
        {"  Apkt:T 1:ABCDEF012345\t", 1, TA_SRC_APKT, "T 1", "abcdef012345"},
        {"crm: T-1 :0123456789ab", 1, TA_SRC_CRM, "T-1", "0123456789ab"},
        /* malformed */
        {"", 0, TA_SRC_NONE, NULL, NULL},
        {"crm", 0, TA_SRC_NONE, NULL, NULL},
        {"crm:T-1", 0, TA_SRC_NONE, NULL, NULL},
        {"crm:0123456789ab", 0, TA_SRC_NONE, NULL, NULL},
        {"crm::0123456789ab", 0, TA_SRC_NONE, NULL, NULL},
        {"crm: :0123456789ab", 0, TA_SRC_NONE, NULL, NULL},
        {"sap:T-1:0123456789ab", 0, TA_SRC_NONE, NULL, NULL},
        {":T-1:0123456789ab", 0, TA_SRC_NONE, NULL, NULL},
        {"crmx:T-1:0123456789ab", 0, TA_SRC_NONE, NULL, NULL},
        {"crm:T-1:", 0, TA_SRC_NONE, NULL, NULL},
        {"crm:T-1:0123456789a", 0, TA_SRC_NONE, NULL, NULL},
        {"crm:T-1:0123456789abc", 0, TA_SRC_NONE, NULL, NULL},
        {"crm:T-1:0123456789ag", 0, TA_SRC_NONE, NULL, NULL},
        {"crm:T-1:01234 6789ab", 0, TA_SRC_NONE, NULL, NULL},
        {"crm:T-1:0123456789ab:", 0, TA_SRC_NONE, NULL, NULL},
        {"T-1:0123456789ab", 0, TA_SRC_NONE, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rv_key k;
        int rc = rv_parse_key(cases[i].in, strlen(cases[i].in), &k);
        if ((rc == 0) != cases[i].ok)
            fail_msg("key \"%s\": %s", cases[i].in,
                     rc == 0 ? "accepted" : "refused");
        if (!cases[i].ok)
            continue;
        assert_int_equal(k.source, cases[i].src);
        if (k.ticket_len != strlen(cases[i].ticket) ||
            memcmp(k.ticket_id, cases[i].ticket, k.ticket_len) != 0)
            fail_msg("key \"%s\": ticket \"%.*s\", want \"%s\"", cases[i].in,
                     (int)k.ticket_len, k.ticket_id, cases[i].ticket);
        assert_string_equal(k.fingerprint, cases[i].fp);
    }
}

static void columns_found_by_name_either_language(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int want;
    } cases[] = {
        {"Kunci", RV_COL_KEY},
        {"KUNCI", RV_COL_KEY},
        {" Key ", RV_COL_KEY},
        {"Keputusan QA", RV_COL_DECISION},
        {"keputusan_qa", RV_COL_DECISION},
        {"QA decision", RV_COL_DECISION},
        {"QA-Decision", RV_COL_DECISION},
        {"Catatan QA", RV_COL_NOTE},
        {"QA note", RV_COL_NOTE},
        {"Peninjau", RV_COL_REVIEWER},
        {"REVIEWER", RV_COL_REVIEWER},
        /* a CSV decisions file */
        {"source", RV_COL_SOURCE},
        {"ticket_id", RV_COL_TICKET},
        {"Ticket ID", RV_COL_TICKET},
        {"decision", RV_COL_DECISION},
        {"note", RV_COL_NOTE},
        {"reviewer", RV_COL_REVIEWER},
        /* other columns of the report */
        {"Tiket", -1},
        {"Sumber", -1},
        {"Keputusan", -1},
        {"Kunci QA", -1},
        {"Catatan (cuplikan)", -1},
        {"", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = rv_column(cases[i].in, strlen(cases[i].in));
        if (got != cases[i].want)
            fail_msg("column \"%s\": %d, want %d", cases[i].in, got,
                     cases[i].want);
    }
    char longname[200];
    memset(longname, 'k', sizeof longname);
    assert_int_equal(rv_column(longname, sizeof longname), -1);
}

/* Maps the '|'-separated names of line as a header. */
static int map_line(const char *line, rv_map *m, size_t *score)
{
    static char copy[512];
    char *cells[32];
    size_t lens[32], n = 0;
    snprintf(copy, sizeof copy, "%s", line);
    for (char *p = copy;; n++) {
        char *bar = strchr(p, '|');
        cells[n] = p;
        lens[n] = bar ? (size_t)(bar - p) : strlen(p);
        if (!bar)
            break;
        *bar = '\0';
        p = bar + 1;
    }
    n++;
    *score = rv_header_score(cells, lens, n);
    return rv_map_header(cells, lens, n, m);
}

static void header_rows_key_or_source_and_ticket(void **state)
{
    (void)state;
    rv_map m;
    size_t score;
    assert_int_equal(map_line("Sumber|Tiket|Keputusan QA|Catatan QA|"
                              "Peninjau|Kunci",
                              &m, &score),
                     1);
    assert_true(m.by_key);
    assert_int_equal(m.col[RV_COL_DECISION], 2);
    assert_int_equal(m.col[RV_COL_NOTE], 3);
    assert_int_equal(m.col[RV_COL_REVIEWER], 4);
    assert_int_equal(m.col[RV_COL_KEY], 5);
    /* note and reviewer are optional; the first of two names counts */
    assert_int_equal(map_line("Key|x|QA decision|Key", &m, &score), 1);
    assert_int_equal(m.col[RV_COL_KEY], 0);
    assert_int_equal(m.col[RV_COL_NOTE], RV_ABSENT);
    assert_int_equal(score, 3); /* key + decision pass the CSV reader's 3 */
    assert_int_equal(
        map_line("source|ticket_id|decision|note|reviewer", &m, &score), 1);
    assert_false(m.by_key);
    assert_int_equal(score, 5);
    /* neither */
    assert_int_equal(map_line("Kunci|Catatan QA|Peninjau", &m, &score), 0);
    assert_int_equal(map_line("source|decision|note", &m, &score), 0);
    assert_int_equal(map_line("Sumber|Tiket|Keputusan", &m, &score), 0);
    assert_int_equal(score, 0);
}

static void places_name_file_sheet_and_cell(void **state)
{
    (void)state;
    static const struct {
        const char *file, *sheet;
        unsigned long row;
        size_t col;
        const char *want;
    } cases[] = {
        {"d.xlsx", "Temuan", 17, 17, "d.xlsx:Temuan!R17"},
        {"d.xlsx", "Data 2026", 1, 0, "d.xlsx:'Data 2026'!A1"},
        {"d.csv", NULL, 17, 0, "d.csv:17"},
        {NULL, "Temuan", 4, 27, "Temuan!AB4"},
        {NULL, NULL, 9, 0, "line 9"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ta_buf b;
        buf_init(&b, 0);
        assert_int_equal(rv_where(&b, cases[i].file, cases[i].sheet,
                                  cases[i].row, cases[i].col),
                         0);
        assert_string_equal(b.p, cases[i].want);
        buf_free(&b);
    }
}

static void decided_at_local_time_with_offset(void **state)
{
    (void)state;
    /* 2026-12-01T07:05:09Z; POSIX TZ strings need no zone files */
    static const struct {
        const char *tz, *want;
    } cases[] = {
        {"WIB-7", "2026-12-01T14:05:09+07:00"},
        {"UTC0", "2026-12-01T07:05:09+00:00"},
        {"NST+3:30", "2026-12-01T03:35:09-03:30"},
    };
    const char *old = getenv("TZ");
    char saved[64] = "";
    if (old)
        snprintf(saved, sizeof saved, "%s", old);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        setenv("TZ", cases[i].tz, 1);
        tzset();
        date_iso_local(1796108709LL, buf);
        assert_string_equal(buf, cases[i].want);
    }
    if (old)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
}

/* ---- whole files ---------------------------------------------------- */

/* An export of six tickets: October T001 compliant, T002, T003 and T006
 * violations, T005 exempt (compliance 2/5 = 40 %); November A:1:B a
 * violation. */
static const char export_csv[] =
    "ID Tiket,Tanggal,Jenis Transaksi,Nama,Email,HP,CSO,Resume,Media\n"
    "T001,2026-10-01,Gangguan,Budi,budi@gmail.com,081234567801,Ani,Lampu "
    "padam,Contact Center PLN 123\n"
    "T002,2026-10-02,Keluhan,Siti,,081234567802,Ani,Tagihan naik,Contact "
    "Center PLN 123\n"
    "T003,2026-10-03,Gangguan,Joko,joko@yahoo.co.id,,Rudi,Lampu padam,123\n"
    "A:1:B,2026-11-04,Keluhan,Rina,,081234567804,Rudi,Tagihan naik,123\n"
    "T005,2026-10-05,Keluhan,Dodi,,081234567805,Ani,Pelanggan marah "
    "sekali,123\n"
    "T006,2026-10-06,Informasi,Eka,,,Ani,Tanya tarif,123\n";

typedef struct progress_log {
    int reading, done, last_phase;
    unsigned long long last_step;
    unsigned long rows;
    int in_order;
} progress_log;

typedef struct fx {
    tu_db base;
    char dir[512];
    char path[1024]; /* the last file written */
    char err[4096];
    review_run *rr;
    review_options opt;
    char notices[8][1024];
    int nnotices;
    progress_log prog;
} fx;

static void on_notice(void *ctx, const char *msg)
{
    fx *f = ctx;
    if (f->nnotices < 8)
        snprintf(f->notices[f->nnotices], sizeof f->notices[0], "%s", msg);
    f->nnotices++;
}

/* Writes name in the test's folder (f->path) with content. */
static const char *put_file(fx *f, const char *name, const char *content)
{
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    assert_int_equal(tu_write_file(f->path, content, strlen(content)), 0);
    return f->path;
}

static void import_text(fx *f, const char *name, const char *content)
{
    import_options io = {.source = TA_SRC_NONE};
    import_result r;
    put_file(f, name, content);
    if (import_file(f->base.db, f->base.rs, f->path, &io, &r, f->err,
                    sizeof f->err) != TA_OK)
        fail_msg("import: %s", f->err);
}

static int setup(void **state)
{
    static fx f;
    memset(&f, 0, sizeof f);
    void *base = NULL;
    tu_db_setup(&base);
    f.base = *(tu_db *)base;
    assert_int_equal(tu_tmpdir(f.dir, sizeof f.dir), 0);
    import_text(&f, "export.csv", export_csv);
    f.opt.notice = on_notice;
    f.opt.ctx = &f;
    f.opt.now = 1796108709LL;
    assert_int_equal(review_run_new(f.base.db, &f.opt, &f.rr), TA_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    review_run_free(f->rr);
    void *base = &f->base;
    tu_db_teardown(&base);
    tu_rmtree(f->dir);
    return 0;
}

static long long q_int(fx *f, const char *sql)
{
    return tu_q_int(f->base.db, sql);
}

static const char *q_text(fx *f, const char *sql, char *buf, size_t len)
{
    return tu_q_text(f->base.db, sql, buf, len);
}

/* The current key of ticket id of CRM. */
static const char *key_of(fx *f, const char *id, char *buf, size_t len)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT source || ':' || ticket_id || ':' || fingerprint FROM "
             "tickets WHERE source = 'crm' AND ticket_id = '%s'",
             id);
    return q_text(f, sql, buf, len);
}

static ta_status read_file(fx *f, const char *path, review_result *res)
{
    return review_run_file(f->rr, path, res, f->err, sizeof f->err);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("\"%s\" lacks \"%s\"", hay, needle);
}

/* A workbook sheet: rows of '|'-separated cells, NULL-terminated; a row
 * "" is left empty. */
typedef struct xsheet {
    const char *name;
    int hidden;
    const char *const *rows;
} xsheet;

static const char *put_xlsx(fx *f, const char *name, const xsheet *sheets,
                            size_t n)
{
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    lxw_workbook *wb = workbook_new(f->path);
    assert_non_null(wb);
    for (size_t s = 0; s < n; s++) {
        lxw_worksheet *ws = workbook_add_worksheet(wb, sheets[s].name);
        assert_non_null(ws);
        for (lxw_row_t r = 0; sheets[s].rows[r]; r++) {
            char cell[512];
            const char *p = sheets[s].rows[r];
            for (lxw_col_t c = 0; *p;) {
                const char *bar = strchr(p, '|');
                size_t len = bar ? (size_t)(bar - p) : strlen(p);
                snprintf(cell, sizeof cell, "%.*s", (int)len, p);
                if (len)
                    assert_int_equal(
                        worksheet_write_string(ws, r, c, cell, NULL),
                        LXW_NO_ERROR);
                if (!bar)
                    break;
                p = bar + 1;
                c++;
            }
        }
        if (sheets[s].hidden)
            worksheet_hide(ws);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    return f->path;
}

/* The fingerprints of the tickets, for the keys below. */
static void keys(fx *f, char k[6][64])
{
    static const char *const ids[] = {"T001",  "T002", "T003",
                                      "A:1:B", "T005", "T006"};
    for (int i = 0; i < 6; i++)
        key_of(f, ids[i], k[i], 64);
}

static void csv_file_applies_to_ticket_as_it_is_now(void **state)
{
    fx *f = *state;
    review_result r;
    char buf[256];
    put_file(f, "d.csv",
             "source,ticket_id,decision,note,reviewer\n"
             "crm,T002,Batal,\"pelanggan menolak, tercatat\",Rina\n"
             "CRM, A:1:B ,upheld,,Budi\n"
             "crm,T003,,would be no decision,Rina\n"
             ",,Sahh,a row without a key,\n");
    assert_int_equal(read_file(f, f->path, &r), TA_OK);
    assert_string_equal(r.format, "csv");
    assert_int_equal(r.sheets, 0);
    assert_int_equal(r.decisions, 2);
    assert_int_equal(r.upheld, 1);
    assert_int_equal(r.overturned, 1);
    assert_int_equal(r.stored, 2);
    assert_int_equal(r.unknown + r.unchanged + r.stale, 0);
    assert_int_equal(strlen(r.sha256), 64);
    assert_int_equal(q_int(f, "SELECT count(*) FROM reviews"), 2);
    /* the ticket's current fingerprint, the CSV line, sheet NULL */
    assert_int_equal(q_int(f, "SELECT count(*) FROM reviews r JOIN tickets "
                              "t USING (source, ticket_id) WHERE "
                              "r.fingerprint = t.fingerprint"),
                     2);
    assert_string_equal(q_text(f,
                               "SELECT decision || '|' || note || '|' || "
                               "reviewer || '|' || row || '|' || "
                               "coalesce(sheet, 'NULL') || '|' || status "
                               "FROM reviews WHERE ticket_id = 'T002'",
                               buf, sizeof buf),
                        "overturned|pelanggan menolak, tercatat|Rina|2|NULL|"
                        "violation");
    assert_string_equal(q_text(f,
                               "SELECT decided_at FROM reviews WHERE "
                               "ticket_id = 'A:1:B'",
                               buf, sizeof buf),
                        q_text(f, "SELECT decided_at FROM review_log LIMIT 1",
                               buf + 128, 128));
    assert_int_equal(q_int(f, "SELECT count(*) FROM review_log WHERE "
                              "file_sha256 IS NOT NULL AND length(file) > 0"),
                     2);
    assert_int_equal(q_int(f, "SELECT count(*) FROM reviewed_results WHERE "
                              "final_status = 'compliant'"),
                     2); /* T001, and T002 overturned */
    assert_int_equal(review_run_periods(f->rr), 2);
    assert_string_equal(review_run_period(f->rr, 0), "2026-10");
    assert_string_equal(review_run_period(f->rr, 1), "2026-11");
    assert_null(review_run_period(f->rr, 2));
}

static void csv_invalid_value_names_file_and_line_stores_nothing(void **state)
{
    fx *f = *state;
    review_result r;
    put_file(f, "bad.csv",
             "source,ticket_id,decision,note,reviewer\n"
             "crm,T002,Sah,,Rina\n"
             "crm,T003,Tolak 081234567899,,Rina\n"
             "crm,T006,maybe,,Rina\n");
    assert_int_equal(read_file(f, f->path, &r), TA_E_DATA);
    assert_contains(f->err, "bad.csv:3: \"Tolak 0812****7899\" is not a QA "
                            "decision");
    assert_contains(f->err, "Sah or Upheld");
    assert_contains(f->err, "Batal or Overturned");
    assert_contains(f->err, "and 1 more cells");
    assert_contains(f->err, "nothing of the file was stored");
    assert_int_equal(q_int(f, "SELECT count(*) FROM reviews"), 0);
    assert_int_equal(q_int(f, "SELECT count(*) FROM review_log"), 0);
    assert_int_equal(r.decisions, 0);
    /* a bad source, an empty ticket_id */
    put_file(f, "bad2.csv", "source,ticket_id,decision\nsap,T002,Sah\n");
    assert_int_equal(read_file(f, f->path, &r), TA_E_DATA);
    assert_contains(f->err, "bad2.csv:2: \"sap\" is not a source; the "
                            "allowed values are crm, apkt and ap2t");
    put_file(f, "bad3.csv", "source,ticket_id,decision\ncrm,,Sah\n");
    assert_int_equal(read_file(f, f->path, &r), TA_E_DATA);
    assert_contains(f->err, "bad3.csv:2: \"\" is not a ticket_id");
    /* no decisions header at all */
    put_file(f, "none.csv", "a,b,c\n1,2,3\n");
    assert_int_equal(read_file(f, f->path, &r), TA_E_DATA);
    assert_contains(f->err, "none.csv: not a decisions file");
    assert_int_equal(q_int(f, "SELECT count(*) FROM review_log"), 0);
    assert_int_equal(review_run_periods(f->rr), 0);
}

static void workbook_any_sheet_header_anywhere_rows_any_order(void **state)
{
    fx *f = *state;
    char k[6][64], rows[16][256];
    keys(f, k);
    snprintf(rows[0], sizeof rows[0], "crm|T003|x|Sah|dengar rekaman|Rina|%s",
             k[2]);
    snprintf(rows[1], sizeof rows[1], "crm|T002|x|BATAL||Rina|%s", k[1]);
    snprintf(rows[2], sizeof rows[2], "crm|T006|x||no decision|Rina|%s", k[5]);
    snprintf(rows[3], sizeof rows[3], "||x|Nope|no key: ignored||");
    const char *const temuan[] = {
        "Laporan audit Oktober 2026",
        "",
        "disusun otomatis",
        "Sumber|Tiket|Kode|Keputusan QA|Catatan QA|Peninjau|Kunci",
        rows[0],
        rows[1],
        rows[2],
        rows[3],
        NULL};
    /* a copy of rows with other columns around, English names, another
     * order, and a second table below with its own header */
    snprintf(rows[4], sizeof rows[4], "1|%s|extra|upheld|Joko|", k[4]);
    snprintf(rows[5], sizeof rows[5], "Overturned|%s|Budi|x", k[3]);
    const char *const copy[] = {"n|Key|other|QA decision|Reviewer|QA note",
                                rows[4],
                                "",
                                "QA decision|Key|Reviewer|x",
                                rows[5],
                                NULL};
    /* a hidden sheet with decisions is read too */
    snprintf(rows[6], sizeof rows[6], "%s|Sah", k[0]);
    const char *const hidden[] = {"Kunci|Keputusan QA", rows[6], NULL};
    /* a sheet whose header is past its 30th non-empty row is not one */
    static char late[40][64];
    const char *lates[40];
    for (int i = 0; i < 30; i++) {
        snprintf(late[i], sizeof late[i], "filler %d", i);
        lates[i] = late[i];
    }
    lates[30] = "Kunci|Keputusan QA";
    lates[31] = "crm:T002:0123456789ab|Sahh";
    lates[32] = NULL;
    const char *const other[] = {"Kunci|Catatan QA", "x|y", NULL};
    /* a second header whose decision column is empty under the first */
    snprintf(rows[7], sizeof rows[7], "%s||Sari|Batal", k[5]);
    const char *const two[] = {"Kunci|Keputusan QA",
                               "Kunci||Peninjau|Keputusan QA", rows[7], NULL};
    xsheet sheets[] = {{"Ringkasan", 0, other}, {"Temuan", 0, temuan},
                       {"Salinan", 0, copy},    {"Tersembunyi", 1, hidden},
                       {"Late", 0, lates},      {"Dua", 0, two}};
    review_result r;
    assert_int_equal(read_file(f, put_xlsx(f, "d.xlsx", sheets, 6), &r),
                     TA_OK);
    assert_string_equal(r.format, "xlsx");
    assert_int_equal(r.sheets, 4);
    assert_int_equal(r.decisions, 6);
    assert_int_equal(r.upheld, 3);
    assert_int_equal(r.overturned, 3);
    assert_int_equal(r.stored, 6);
    char buf[256];
    assert_string_equal(q_text(f,
                               "SELECT group_concat(ticket_id || '=' || "
                               "decision || '@' || sheet || '!' || row || "
                               "'/' || note || '/' || reviewer, ' ') FROM "
                               "(SELECT * FROM reviews ORDER BY ticket_id)",
                               buf, sizeof buf),
                        "A:1:B=overturned@Salinan!5//Budi "
                        "T001=upheld@Tersembunyi!2// "
                        "T002=overturned@Temuan!6//Rina "
                        "T003=upheld@Temuan!5/dengar rekaman/Rina "
                        "T005=upheld@Salinan!2//Joko "
                        "T006=overturned@Dua!3//Sari");
    /* one log row per ticket, in ticket order */
    assert_string_equal(q_text(f,
                               "SELECT group_concat(ticket_id, ' ') FROM "
                               "(SELECT ticket_id FROM review_log ORDER BY "
                               "id)",
                               buf, sizeof buf),
                        "A:1:B T001 T002 T003 T005 T006");
}

static void workbook_invalid_value_names_sheet_and_cell(void **state)
{
    fx *f = *state;
    char k[6][64], rows[4][256];
    keys(f, k);
    snprintf(rows[0], sizeof rows[0], "crm|T002|Sah|%s", k[1]);
    snprintf(rows[1], sizeof rows[1], "crm|T003|Ditolak|%s", k[2]);
    const char *const temuan[] = {"Sumber|Tiket|Keputusan QA|Kunci", rows[0],
                                  rows[1], NULL};
    xsheet sheets[] = {{"Temuan", 0, temuan}};
    review_result r;
    assert_int_equal(read_file(f, put_xlsx(f, "bad.xlsx", sheets, 1), &r),
                     TA_E_DATA);
    assert_contains(f->err, "bad.xlsx:Temuan!C3: \"Ditolak\" is not a QA "
                            "decision; the allowed values are Sah or Upheld");
    assert_int_equal(q_int(f, "SELECT count(*) FROM review_log"), 0);
    assert_int_equal(q_int(f, "SELECT count(*) FROM reviews"), 0);
}

static void workbook_malformed_key_names_its_cell(void **state)
{
    fx *f = *state;
    char k[6][64], rows[4][256];
    keys(f, k);
    snprintf(rows[0], sizeof rows[0], "Sah|%s", k[1]);
    /* a ticket number of 14 digits is an identifier: shown in full */
    snprintf(rows[1], sizeof rows[1], "Batal|crm:52610230000004:12345");
    const char *const temuan[] = {"Keputusan QA|Kunci", rows[0], rows[1],
                                  "|crm:T-1:garbage", NULL};
    xsheet sheets[] = {{"Data 2026", 0, temuan}};
    review_result r;
    assert_int_equal(read_file(f, put_xlsx(f, "key.xlsx", sheets, 1), &r),
                     TA_E_DATA);
    assert_contains(f->err, "key.xlsx:'Data 2026'!B3: "
                            "\"crm:52610230000004:12345\" is not a review key "
                            "<source>:<ticket_id>:<fingerprint>");
    /* the row without a decision is no decision: not an error */
    if (strstr(f->err, "more cells"))
        fail_msg("%s", f->err);
    assert_int_equal(q_int(f, "SELECT count(*) FROM review_log"), 0);
}

static void unknown_tickets_counted_named_not_stored(void **state)
{
    fx *f = *state;
    review_result r;
    put_file(f, "u.csv",
             "source,ticket_id,decision\n"
             "crm,T002,Sah\n"
             "crm,NOPE-1,Sah\n"
             "apkt,T002,Batal\n"
             "crm,NOPE-3,Sah\ncrm,NOPE-4,Sah\ncrm,NOPE-5,Sah\n"
             "crm,NOPE-6,Sah\ncrm,NOPE-7,Sah\n");
    assert_int_equal(read_file(f, f->path, &r), TA_OK);
    assert_int_equal(r.decisions, 8);
    assert_int_equal(r.unknown, 7);
    assert_int_equal(r.stored, 1);
    assert_int_equal(f->nnotices, REVIEW_SHOW_UNKNOWN + 1);
    assert_contains(f->notices[0], "u.csv:3: ticket crm:NOPE-1 is not in "
                                   "the database");
    assert_contains(f->notices[1], "u.csv:4: ticket apkt:T002 is not in");
    assert_contains(f->notices[REVIEW_SHOW_UNKNOWN],
                    "u.csv: ... and 2 more tickets not in the database");
    assert_int_equal(q_int(f, "SELECT count(*) FROM reviews"), 1);
    assert_int_equal(q_int(f, "SELECT count(*) FROM review_log"), 1);
    /* in a workbook the notice names the key's cell */
    const char *const temuan[] = {"x|Kunci|Keputusan QA",
                                  "1|crm:GONE:0123456789ab|Batal", NULL};
    xsheet sheets[] = {{"Temuan", 0, temuan}};
    f->nnotices = 0;
    assert_int_equal(read_file(f, put_xlsx(f, "u.xlsx", sheets, 1), &r),
                     TA_OK);
    assert_int_equal(r.unknown, 1);
    assert_int_equal(f->nnotices, 1);
    assert_contains(f->notices[0], "u.xlsx:Temuan!B2: ticket crm:GONE is "
                                   "not in the database");
}

static void same_file_again_changes_nothing(void **state)
{
    fx *f = *state;
    char k[6][64], rows[4][256];
    keys(f, k);
    snprintf(rows[0], sizeof rows[0], "Sah|catatan|Rina|%s", k[1]);
    snprintf(rows[1], sizeof rows[1], "Batal||Rina|%s", k[2]);
    const char *const temuan[] = {"Keputusan QA|Catatan QA|Peninjau|Kunci",
                                  rows[0], rows[1], NULL};
    xsheet sheets[] = {{"Temuan", 0, temuan}};
    review_result r;
    put_xlsx(f, "d.xlsx", sheets, 1);
    assert_int_equal(read_file(f, f->path, &r), TA_OK);
    assert_int_equal(r.stored, 2);
    char before[1024], after[1024];
    static const char dump[] =
        "SELECT group_concat(source || ticket_id || fingerprint || status || "
        "decision || note || reviewer || file || sheet || row || decided_at "
        "|| log_id, '/') FROM reviews";
    q_text(f, dump, before, sizeof before);
    f->opt.now += 3600; /* an hour later: a new row would show it */
    review_run_free(f->rr);
    assert_int_equal(review_run_new(f->base.db, &f->opt, &f->rr), TA_OK);
    assert_int_equal(read_file(f, f->path, &r), TA_OK);
    assert_int_equal(r.decisions, 2);
    assert_int_equal(r.unchanged, 2);
    assert_int_equal(r.stored, 0);
    q_text(f, dump, after, sizeof after);
    assert_string_equal(before, after);
    assert_int_equal(q_int(f, "SELECT count(*) FROM review_log"), 2);
    /* the periods decided still count the unchanged ones */
    assert_int_equal(review_run_periods(f->rr), 1);
}

static void later_decision_replaces_earlier_history_kept(void **state)
{
    fx *f = *state;
    review_result r;
    put_file(f, "week1.csv",
             "source,ticket_id,decision,note,reviewer\ncrm,T002,Sah,,Rina\n");
    assert_int_equal(read_file(f, f->path, &r), TA_OK);
    put_file(f, "week2.csv",
             "source,ticket_id,decision,note,reviewer\n"
             "crm,T002,Batal,banding diterima,Budi\n");
    assert_int_equal(read_file(f, f->path, &r), TA_OK);
    assert_int_equal(r.stored, 1);
    /* only the note changes: a new decision too */
    put_file(f, "week3.csv",
             "source,ticket_id,decision,note,reviewer\n"
             "crm,T002,Overturned,banding diterima (rekaman),Budi\n");
    assert_int_equal(read_file(f, f->path, &r), TA_OK);
    assert_int_equal(r.stored, 1);
    char buf[512];
    q_text(f,
           "SELECT decision || '|' || note || '|' || reviewer || '|' || "
           "file || '|' || log_id FROM reviews",
           buf, sizeof buf);
    assert_contains(buf, "overturned|banding diterima (rekaman)|Budi|");
    assert_contains(buf, "week3.csv|3");
    assert_string_equal(q_text(f,
                               "SELECT group_concat(decision || ':' || "
                               "reviewer, ' ') FROM (SELECT * FROM "
                               "review_log ORDER BY id)",
                               buf, sizeof buf),
                        "upheld:Rina overturned:Budi overturned:Budi");
    assert_int_equal(q_int(f, "SELECT count(*) FROM reviews"), 1);
}

static void same_ticket_twice_in_one_file(void **state)
{
    fx *f = *state;
    char k[6][64], rows[6][256];
    keys(f, k);
    /* an exact copy of a row (on another sheet) is one decision */
    snprintf(rows[0], sizeof rows[0], "sah|n|Rina|%s", k[1]);
    snprintf(rows[1], sizeof rows[1], "Upheld|n|Rina|%s", k[1]);
    const char *const a[] = {"Keputusan QA|Catatan QA|Peninjau|Kunci", rows[0],
                             NULL};
    const char *const b[] = {"QA decision|QA note|Reviewer|Key", rows[1],
                             NULL};
    xsheet sheets[] = {{"Temuan", 0, a}, {"Copy", 0, b}};
    review_result r;
    assert_int_equal(read_file(f, put_xlsx(f, "dup.xlsx", sheets, 2), &r),
                     TA_OK);
    assert_int_equal(r.decisions, 1);
    assert_int_equal(r.stored, 1);
    /* a different decision on the same ticket: refused, both places named,
     * whichever comes first */
    snprintf(rows[2], sizeof rows[2], "Batal|n|Rina|%s", k[2]);
    snprintf(rows[3], sizeof rows[3], "Sah|n|Rina|%s", k[2]);
    const char *const c[] = {"Keputusan QA|Catatan QA|Peninjau|Kunci", rows[3],
                             rows[2], NULL};
    xsheet one[] = {{"Temuan", 0, c}};
    assert_int_equal(read_file(f, put_xlsx(f, "conflict.xlsx", one, 1), &r),
                     TA_E_DATA);
    assert_contains(f->err, "conflict.xlsx:Temuan!D3: ticket crm:T003 has "
                            "two different decisions in this file, here and "
                            "at Temuan!D2");
    assert_int_equal(q_int(f, "SELECT count(*) FROM review_log"), 1);
    /* in a CSV file: lines */
    put_file(f, "conflict.csv",
             "source,ticket_id,decision,note\n"
             "crm,T006,Sah,\ncrm,T002,Sah,\ncrm,T006,Sah,other note\n");
    assert_int_equal(read_file(f, f->path, &r), TA_E_DATA);
    assert_contains(f->err, "conflict.csv:4: ticket crm:T006 has two "
                            "different decisions in this file, here and at "
                            "line 2");
    assert_int_equal(q_int(f, "SELECT count(*) FROM review_log"), 1);
    /* two versions of one ticket (a stale key beside the current one),
     * and a second conflicting ticket counted */
    snprintf(rows[4], sizeof rows[4], "Sah|%s", k[5]);
    const char *const d[] = {"Keputusan QA|Kunci",
                             rows[4],
                             "Sah|crm:T006:0123456789ab",
                             "Batal|crm:T005:0123456789ab",
                             rows[4],
                             "Sah|crm:T005:0123456789ab",
                             NULL};
    xsheet two[] = {{"Temuan", 0, d}};
    assert_int_equal(read_file(f, put_xlsx(f, "two.xlsx", two, 1), &r),
                     TA_E_DATA);
    assert_contains(f->err, "two.xlsx:Temuan!B6: ticket crm:T005 has two "
                            "different decisions in this file, here and at "
                            "Temuan!B4");
    assert_contains(f->err, "(and 1 more tickets with two decisions)");
    assert_int_equal(q_int(f, "SELECT count(*) FROM review_log"), 1);
    /* identical lines of a CSV file are one decision */
    put_file(f, "copies.csv",
             "source,ticket_id,decision\ncrm,T006,Sah\ncrm,T006,sah\n"
             "crm, T006,SAH\n");
    assert_int_equal(read_file(f, f->path, &r), TA_OK);
    assert_int_equal(r.decisions, 1);
    assert_int_equal(r.stored, 1);
    assert_int_equal(q_int(f, "SELECT row FROM reviews WHERE ticket_id = "
                              "'T006'"),
                     2);
}

static void stale_key_is_stored_stale(void **state)
{
    fx *f = *state;
    char k[6][64];
    keys(f, k);
    /* the key of T002 as it was before a re-import changed a field */
    const char *const rows[] = {"Kunci|Keputusan QA",
                                "crm:T002:0123456789ab|Batal", NULL};
    xsheet sheets[] = {{"Temuan", 0, rows}};
    review_result r;
    assert_int_equal(read_file(f, put_xlsx(f, "old.xlsx", sheets, 1), &r),
                     TA_OK);
    assert_int_equal(r.stored, 1);
    assert_int_equal(r.stale, 1);
    char buf[256];
    assert_string_equal(q_text(f,
                               "SELECT coalesce(decision, 'NULL') || '|' || "
                               "final_status || '|' || stale || '|' || "
                               "stored_decision FROM reviewed_results WHERE "
                               "ticket_id = 'T002'",
                               buf, sizeof buf),
                        "NULL|violation|1|overturned");
    review_figures fig;
    assert_int_equal(
        review_get_figures(f->base.db, "2026-10", &fig, f->err, sizeof f->err),
        TA_OK);
    assert_int_equal(fig.decisions, 1);
    assert_int_equal(fig.stale, 1);
    assert_int_equal(fig.upheld + fig.overturned, 0);
    assert_int_equal(fig.reviewed_centi, fig.compliance_centi);
    /* the same stale decision again changes nothing either */
    assert_int_equal(read_file(f, f->path, &r), TA_OK);
    assert_int_equal(r.unchanged, 1);
    assert_int_equal(r.stale, 0);
}

static void figures_after_review(void **state)
{
    fx *f = *state;
    char k[6][64], rows[6][256];
    keys(f, k);
    /* October: T002 overturned (-> compliant), T003 upheld, T005 exempt
     * overturned (-> violation), T006 stale; November: A:1:B overturned */
    snprintf(rows[0], sizeof rows[0], "Batal|%s", k[1]);
    snprintf(rows[1], sizeof rows[1], "Sah|%s", k[2]);
    snprintf(rows[2], sizeof rows[2], "Batal|%s", k[4]);
    snprintf(rows[3], sizeof rows[3], "Sah|crm:T006:abcdefabcdef");
    snprintf(rows[4], sizeof rows[4], "Batal|%s", k[3]);
    const char *const t[] = {"Keputusan QA|Kunci",
                             rows[0],
                             rows[1],
                             rows[2],
                             rows[3],
                             rows[4],
                             NULL};
    xsheet sheets[] = {{"Temuan", 0, t}};
    review_result r;
    assert_int_equal(read_file(f, put_xlsx(f, "d.xlsx", sheets, 1), &r),
                     TA_OK);
    review_figures fig;
    assert_int_equal(
        review_get_figures(f->base.db, "2026-10", &fig, f->err, sizeof f->err),
        TA_OK);
    assert_int_equal(fig.tickets, 5);
    assert_int_equal(fig.decisions, 4);
    assert_int_equal(fig.upheld, 1);
    assert_int_equal(fig.overturned, 2);
    assert_int_equal(fig.stale, 1);
    assert_int_equal(fig.upheld + fig.overturned + fig.stale, fig.decisions);
    assert_int_equal(fig.in_scope, 5);
    assert_true(fig.has_compliance);
    assert_int_equal(fig.compliance_centi, 4000); /* T001, T005 of 5 */
    assert_int_equal(fig.reviewed_centi, 4000);   /* T001, T002 of 5 */
    assert_int_equal(
        review_get_figures(f->base.db, "2026-11", &fig, f->err, sizeof f->err),
        TA_OK);
    assert_int_equal(fig.compliance_centi, 0);
    assert_int_equal(fig.reviewed_centi, 10000);
    assert_int_equal(
        review_get_figures(f->base.db, NULL, &fig, f->err, sizeof f->err),
        TA_OK);
    assert_int_equal(fig.decisions, 5);
    assert_int_equal(fig.compliance_centi, 3333); /* 2 of 6 */
    assert_int_equal(fig.reviewed_centi, 5000);   /* 3 of 6 */
    /* a period without tickets: nothing, no compliance */
    assert_int_equal(
        review_get_figures(f->base.db, "2020-01", &fig, f->err, sizeof f->err),
        TA_OK);
    assert_int_equal(fig.tickets + fig.decisions, 0);
    assert_false(fig.has_compliance);
}

static void audit_results_never_change(void **state)
{
    fx *f = *state;
    static const char dump[] =
        "SELECT group_concat(source || '|' || ticket_id || '|' || period || "
        "'|' || cso || '|' || status || '|' || codes || '|' || category || "
        "'|' || email_state || '|' || hp_state || '|' || evidence || '|' || "
        "audit_id || '|' || date || '|' || hp_norm || '|' || email_norm, "
        "char(10)) FROM (SELECT * FROM audit_results ORDER BY 1, 2)";
    char before[4096], after[4096];
    q_text(f, dump, before, sizeof before);
    review_result r;
    put_file(f, "d.csv",
             "source,ticket_id,decision\ncrm,T002,Batal\ncrm,T005,Batal\n"
             "crm,T001,Batal\n");
    assert_int_equal(read_file(f, f->path, &r), TA_OK);
    assert_int_equal(r.stored, 3);
    q_text(f, dump, after, sizeof after);
    assert_string_equal(before, after);
    /* a decision on a compliant ticket changes nothing of its status */
    assert_int_equal(q_int(f, "SELECT count(*) FROM reviewed_results WHERE "
                              "ticket_id = 'T001' AND final_status = "
                              "'compliant' AND decision = 'overturned'"),
                     1);
}

static void workbook_without_decision_columns_refused(void **state)
{
    fx *f = *state;
    const char *const rows[] = {"Sumber|Tiket|Kode", "crm|T002|X", NULL};
    xsheet sheets[] = {{"Temuan", 0, rows}};
    review_result r;
    assert_int_equal(read_file(f, put_xlsx(f, "plain.xlsx", sheets, 1), &r),
                     TA_E_DATA);
    assert_contains(f->err, "plain.xlsx: no sheet holds the decision columns");
    assert_int_equal(read_file(f, "/nonexistent/d.xlsx", &r), TA_E_NOINPUT);
    assert_contains(f->err, "/nonexistent/d.xlsx: no such file");
    assert_int_equal(read_file(f, f->dir, &r), TA_E_NOINPUT);
    assert_contains(f->err, "is a folder");
    /* a damaged workbook: the reader's message */
    put_file(f, "broken.xlsx", "PK\003\004 not really a zip archive");
    assert_int_equal(read_file(f, f->path, &r), TA_E_DATA);
    assert_contains(f->err, "broken.xlsx");
}

static void on_progress(void *ctx, const char *file, review_phase phase,
                        unsigned long long done, unsigned long long total,
                        unsigned long rows)
{
    progress_log *p = &((fx *)ctx)->prog;
    (void)file;
    (void)total;
    if (phase == REVIEW_READING) {
        p->reading++;
        p->in_order &= p->last_phase == REVIEW_READING;
    } else if (phase == REVIEW_STORING) {
        p->in_order &=
            p->last_phase != REVIEW_DONE &&
            (p->last_phase == REVIEW_READING || done >= p->last_step);
        p->last_step = done;
        p->rows = rows;
    } else {
        p->done++;
    }
    p->last_phase = (int)phase;
}

static void progress_reading_storing_done(void **state)
{
    fx *f = *state;
    progress_log *p = &f->prog;
    p->in_order = 1;
    p->last_phase = REVIEW_READING;
    f->opt.progress = on_progress;
    review_run_free(f->rr);
    assert_int_equal(review_run_new(f->base.db, &f->opt, &f->rr), TA_OK);
    ta_buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_adds(&b, "source,ticket_id,decision\n"), 0);
    for (int i = 0; i < 5000; i++)
        assert_int_equal(buf_printf(&b, "crm,U%d,Sah\n", i), 0);
    review_result r;
    put_file(f, "many.csv", b.p);
    buf_free(&b);
    assert_int_equal(read_file(f, f->path, &r), TA_OK);
    assert_int_equal(r.unknown, 5000);
    assert_int_equal(p->reading, 1); /* every 4096 rows */
    assert_int_equal(p->last_step, 6);
    assert_int_equal(p->rows, 5000);
    assert_int_equal(p->done, 1);
    assert_true(p->in_order);
    /* a refused file ends its progress too */
    put_file(f, "bad.csv", "source,ticket_id,decision\ncrm,T002,x\n");
    assert_int_equal(read_file(f, f->path, &r), TA_E_DATA);
    assert_int_equal(p->done, 2);
}

/* Every allocation of reading a workbook and a CSV file fails once: the
 * status says so and nothing is stored; then the file reads whole. */
static void walk(fx *f, const char *path, long long want_log)
{
    for (unsigned long n = 1; n < 20000; n++) {
        review_result r;
        alloc_fail_at(n);
        ta_status s = read_file(f, path, &r);
        int failed = alloc_failed();
        alloc_fail_at(0);
        if (!failed) {
            assert_int_equal(s, TA_OK);
            assert_int_equal(q_int(f, "SELECT count(*) FROM review_log"),
                             want_log);
            return;
        }
        if (s != TA_E_NOMEM)
            fail_msg("allocation %lu failed: status %d (%s)", n, (int)s,
                     f->err);
        assert_true(f->err[0] != '\0');
        assert_int_equal(q_int(f, "SELECT count(*) FROM review_log"),
                         want_log - 2);
    }
    fail_msg("the walk did not end");
}

static void oom_every_allocation(void **state)
{
    fx *f = *state;
    char k[6][64], rows[4][256];
    keys(f, k);
    snprintf(rows[0], sizeof rows[0], "Sah|%s", k[1]);
    snprintf(rows[1], sizeof rows[1], "Batal|crm:NOPE:0123456789ab");
    snprintf(rows[2], sizeof rows[2], "Batal|%s", k[2]);
    const char *const t[] = {"Keputusan QA|Kunci", rows[0], rows[1], rows[2],
                             NULL};
    xsheet sheets[] = {{"Temuan", 0, t}};
    walk(f, put_xlsx(f, "d.xlsx", sheets, 1), 2);
    put_file(f, "d.csv",
             "source,ticket_id,decision\ncrm,T005,Sah\n"
             "crm,T006,Batal\ncrm,NOPE,Sah\n");
    walk(f, f->path, 4);
    review_run *rr = NULL;
    alloc_fail_at(1);
    assert_int_equal(review_run_new(f->base.db, NULL, &rr), TA_E_NOMEM);
    alloc_fail_at(0);
    assert_null(rr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values_either_language_any_case_trimmed),
        cmocka_unit_test(key_split_on_first_and_last_colon),
        cmocka_unit_test(columns_found_by_name_either_language),
        cmocka_unit_test(header_rows_key_or_source_and_ticket),
        cmocka_unit_test(places_name_file_sheet_and_cell),
        cmocka_unit_test(decided_at_local_time_with_offset),
        cmocka_unit_test_setup_teardown(
            csv_file_applies_to_ticket_as_it_is_now, setup, teardown),
        cmocka_unit_test_setup_teardown(
            csv_invalid_value_names_file_and_line_stores_nothing, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            workbook_any_sheet_header_anywhere_rows_any_order, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            workbook_invalid_value_names_sheet_and_cell, setup, teardown),
        cmocka_unit_test_setup_teardown(workbook_malformed_key_names_its_cell,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            unknown_tickets_counted_named_not_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(same_file_again_changes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            later_decision_replaces_earlier_history_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(same_ticket_twice_in_one_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stale_key_is_stored_stale, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(figures_after_review, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_results_never_change, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            workbook_without_decision_columns_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(progress_reading_storing_done, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(oom_every_allocation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
