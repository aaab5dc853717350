/*
 * test_import_wb.c — SPEC §3 "Excel workbooks" through the importer: the
 * input's kind by its content, the sheet chosen (first visible worksheet
 * with a header; continuations; --sheet), rows and rejects with sheet,
 * row number and cell, the refusals, and the same rows as CSV, .xlsx and
 * .xls (three producers, both date systems) giving identical audit
 * results and rejects. Fixtures: fixtures/import_xlsx/ (written by
 * tools/gen_import_workbooks.py) and fixtures/xlsx/.
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
#include <xlsxwriter.h>

#include "buf.h"
#include "db.h"
#include "import.h"
#include "rules.h"
#include "testutil.h"

typedef tu_db fx;

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static ta_status import_with(fx *f, const char *rel, const char *sheet,
                             csv_encoding enc, import_result *res)
{
    char path[1024];
    tu_path(path, sizeof path, rel);
    import_options o = {.source = TA_SRC_NONE, .sheet = sheet,
                        .encoding = enc};
    return import_file(f->db, f->rs, path, &o, res, f->err, sizeof f->err);
}

static ta_status import_wb(fx *f, const char *name, import_result *res)
{
    char rel[256];
    snprintf(rel, sizeof rel, "fixtures/import_xlsx/%s", name);
    return import_with(f, rel, NULL, CSV_ENC_AUTO, res);
}

#define TEXT(f, sql) tu_q_text((f)->db, (sql), tbuf, sizeof tbuf)

/* Every row of a query, one per line, columns joined by '|' (NULL as
 * "<null>"), into a malloc'd string. */
static char *rows_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    ta_buf b;
    buf_init(&b, 0);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const unsigned char *t = sqlite3_column_text(st, i);
            if ((i && buf_addc(&b, '|')) ||
                buf_adds(&b, t ? (const char *)t : "<null>"))
                fail_msg("out of memory");
        }
        if (buf_addc(&b, '\n'))
            fail_msg("out of memory");
    }
    sqlite3_finalize(st);
    if (!b.p && buf_adds(&b, ""))
        fail_msg("out of memory");
    return buf_take(&b);
}

/* ---- the same rows as CSV, .xlsx and .xls ------------------------------ */

static const char audit_sql[] =
    "SELECT * FROM audit_results ORDER BY source, ticket_id";
/* Every column of rejects but the sheet (and the ids and the file name,
 * which differ by construction). */
static const char rejects_sql[] =
    "SELECT line, reason, field, raw, reason_code, reason_args, ticket_id, "
    "crm_ticket FROM rejects ORDER BY id";

static void wb3_same_rows_as_csv_identical_results(void **state)
{
    (void)state;
    static const char *const books[] = {
        "xw_apkt_same.xlsx",        "xw_apkt_same_1904.xlsx",
        "xw_apkt_same_inline.xlsx", "opx_apkt_same.xlsx",
        "opx_apkt_same_1904.xlsx",  "lo_apkt_same.xlsx",
        "lo_apkt_same.xls",         "lo_apkt_same_1904.xls",
    };
    fx *f = NULL;
    void *st = NULL;
    import_result r;
    tu_db_setup(&st);
    f = st;
    assert_int_equal(import_wb(f, "apkt_same.csv", &r), TA_OK);
    assert_int_equal(r.rows_read, 16);
    assert_int_equal(r.rows_rejected, 4);
    char *want_audit = rows_of(f->db, audit_sql);
    char *want_rejects = rows_of(f->db, rejects_sql);
    tu_db_teardown(&st);
    for (size_t i = 0; i < COUNT_OF(books); i++) {
        tu_db_setup(&st);
        f = st;
        if (import_wb(f, books[i], &r) != TA_OK)
            fail_msg("%s: %s", books[i], f->err);
        char *audit = rows_of(f->db, audit_sql);
        char *rejects = rows_of(f->db, rejects_sql);
        if (strcmp(audit, want_audit) != 0)
            fail_msg("%s: audit_results differ from the CSV's:\n%s\nCSV:\n%s",
                     books[i], audit, want_audit);
        if (strcmp(rejects, want_rejects) != 0)
            fail_msg("%s: rejects differ from the CSV's:\n%s\nCSV:\n%s",
                     books[i], rejects, want_rejects);
        /* ... and the sheet is the workbook's */
        assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM rejects "
                                         "WHERE sheet = 'Laporan'"),
                         4);
        free(audit);
        free(rejects);
        tu_db_teardown(&st);
    }
    free(want_audit);
    free(want_rejects);
}

/* The rows of that export, read as SPEC §3 says: dates as date cells, as
 * serials in General cells and as text of any year, HP typed as numbers. */
static void wb3_cells_read_as_spec_says(void **state)
{
    fx *f = *state;
    import_result r;
    char tbuf[512];
    assert_int_equal(import_wb(f, "xw_apkt_same.xlsx", &r), TA_OK);
    assert_int_equal(r.source, TA_SRC_APKT);
    assert_int_equal(r.header_line, 16);
    assert_string_equal(r.format, "xlsx");
    assert_int_equal(r.nsheets, 1);
    assert_string_equal(r.how, "xlsx workbook, sheet 'Laporan', header on "
                               "row 16");
    assert_string_equal(
        TEXT(f, "SELECT format||'|'||sheets||'|'||encoding||'|'||delimiter||"
                "'|'||header_line||'|'||rows_read FROM imports"),
        "xlsx|[\"Laporan\"]|utf-8||16|16");
    /* a date cell with a time; a serial in a General cell; text */
    assert_string_equal(
        TEXT(f, "SELECT group_concat(date||' '||line, ',') FROM (SELECT * FROM "
                "tickets WHERE ticket_id IN ('P4426100500002', "
                "'P4426100500004', 'P4426100500005', 'P4426100500011') ORDER "
                "BY ticket_id)"),
        "2026-10-05 18,2026-10-05 20,2026-10-07 21,2206-11-15 27");
    /* an HP typed as a number lost its zero: the rules put it back */
    assert_string_equal(
        TEXT(f, "SELECT hp||' '||hp_norm||' '||hp_state FROM tickets WHERE "
                "ticket_id = 'P4426100500004'"),
        "81311112222 081311112222 valid");
    /* a later row of the same ticket replaced the earlier one */
    assert_string_equal(
        TEXT(f, "SELECT line||' '||date FROM tickets WHERE ticket_id = "
                "'P4426100500001'"),
        "31 2026-10-14");
    assert_string_equal(
        TEXT(f, "SELECT idpel FROM tickets WHERE ticket_id = "
                "'P4426100500001'"),
        "512345678901");
}

/* SPEC §3 *Rows*: a rejected row's line is its row number, its sheet
 * named, its raw text its cells as one CSV line. */
static void wb3_rejects_row_number_sheet_raw(void **state)
{
    fx *f = *state;
    import_result r;
    char tbuf[1024];
    assert_int_equal(import_wb(f, "opx_apkt_same.xlsx", &r), TA_OK);
    assert_string_equal(
        TEXT(f, "SELECT group_concat(sheet||'!'||line||':'||reason_code, ',') "
                "FROM (SELECT * FROM rejects ORDER BY id)"),
        "Laporan!23:ticket_id_empty,Laporan!24:date_invalid,"
        "Laporan!25:date_invalid,Laporan!26:date_empty");
    assert_string_equal(
        TEXT(f, "SELECT raw FROM rejects WHERE line = 23"),
        ",2026-10-09 10:00:00,Gangguan,Tanpa Nomor,,81234500001,x@gmail.com,"
        "baris tanpa nomor laporan,Call Center 123,Ani,512345678907");
    assert_string_equal(
        TEXT(f, "SELECT ticket_id||'|'||reason_args FROM rejects WHERE line "
                "= 24"),
        "P4426100500008|{\"value\":\"siti.rahma@gmail.com\"}");
}

/* Messages name the cell of the field at fault: Laporan!A23 for an empty
 * No Lapor, B24 for the date; the value quoted is masked. */
typedef struct listed {
    char lines[8][512];
    int n;
} listed;

static void collect(void *ctx, const char *where, const char *reason)
{
    listed *l = ctx;
    if (l->n < 8)
        snprintf(l->lines[l->n++], sizeof l->lines[0], "%s: %s", where,
                 reason);
}

static void wb3_messages_name_the_cell(void **state)
{
    fx *f = *state;
    import_result r;
    char err[512];
    assert_int_equal(import_wb(f, "xw_apkt_same.xlsx", &r), TA_OK);
    listed l = {.n = 0};
    assert_int_equal(import_list_rejects(f->db, &r, 8, collect, &l, err,
                                         sizeof err),
                     TA_OK);
    assert_int_equal(l.n, 4);
    char path[1024];
    tu_path(path, sizeof path, "fixtures/import_xlsx/xw_apkt_same.xlsx");
    char want[1200];
    snprintf(want, sizeof want, "%s:Laporan!A23: ticket_id is empty", path);
    assert_string_equal(l.lines[0], want);
    snprintf(want, sizeof want,
             "%s:Laporan!B24: date \"s***@gmail.com\" is not a date", path);
    assert_memory_equal(l.lines[1], want, strlen(want));
    assert_null(strstr(l.lines[1], "siti.rahma"));
    assert_null(strstr(l.lines[2], "3456 7890"));
    snprintf(want, sizeof want, "%s:Laporan!B26: date is empty", path);
    assert_string_equal(l.lines[3], want);
}

/* SPEC §3 *Sheet*: the first visible worksheet in the workbook's order
 * with a header mapping every required field (a hidden one with a header
 * before it is not read; a notes sheet and a chart sheet are passed);
 * each further visible one with the same fields in the same columns
 * continues it (an extra unknown column too); other sheets are ignored,
 * and the import line says which. */
static void wb3_sheet_choice_and_continuations(void **state)
{
    fx *f = *state;
    static const char *const books[] = {"xw_apkt_sheets.xlsx",
                                        "opx_apkt_sheets.xlsx",
                                        "lo_apkt_sheets.xls"};
    char tbuf[1024];
    for (size_t i = 0; i < COUNT_OF(books); i++) {
        import_result r;
        if (import_wb(f, books[i], &r) != TA_OK)
            fail_msg("%s: %s", books[i], f->err);
        assert_int_equal(r.nsheets, 3);
        assert_int_equal(r.rows_read, 7);
        assert_int_equal(r.rows_rejected, 1);
        assert_non_null(strstr(r.how, "sheet 'Laporan', header on row 16; "
                                      "continued in 'Laporan (2)' (header "
                                      "on row 1), 'Laporan (3)' (header on "
                                      "row 1); not read: 'Rekap' (hidden), "
                                      "'Catatan' (no header), 'Grafik' ("));
        assert_non_null(strstr(r.how, "'Ringkasan' (another header), "
                                      "'Pindah' (another header)"));
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT sheets FROM imports WHERE id = %lld", r.import_id);
        assert_string_equal(TEXT(f, sql),
                            "[\"Laporan\",\"Laporan (2)\",\"Laporan (3)\"]");
        /* the hidden sheet's row was not read */
        assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM tickets WHERE "
                                         "ticket_id = 'P9000000000001'"),
                         0);
        snprintf(sql, sizeof sql,
                 "SELECT group_concat(ticket_id||'@'||line, ',') FROM (SELECT "
                 "* FROM tickets WHERE import_id = %lld ORDER BY ticket_id)",
                 r.import_id);
        assert_string_equal(TEXT(f, sql),
                            "P4426100500001@17,P4426100500002@18,"
                            "P4426100500003@19,P4426100500004@2,"
                            "P4426100500005@3,P4426100500006@2");
        /* a value right of the continuation's own header */
        snprintf(sql, sizeof sql,
                 "SELECT sheet||'!'||line||' '||reason_code||' '||reason_args||"
                 "' '||ticket_id FROM rejects WHERE import_id = %lld",
                 r.import_id);
        assert_string_equal(TEXT(f, sql), "Laporan (3)!3 beyond_header "
                                          "{\"column\":\"M\"} P4426100500013");
    }
}

/* --sheet NAME reads that sheet only, hidden too, with no continuation;
 * the name matched exactly, then ignoring case. */
static void wb3_sheet_named_only_that_one(void **state)
{
    fx *f = *state;
    import_result r;
    char tbuf[256];
    assert_int_equal(import_with(f, "fixtures/import_xlsx/xw_apkt_sheets.xlsx",
                                 "rekap", CSV_ENC_AUTO, &r),
                     TA_OK);
    assert_int_equal(r.nsheets, 1);
    assert_int_equal(r.rows_read, 1);
    assert_string_equal(r.how, "xlsx workbook, sheet 'Rekap' (--sheet), "
                               "header on row 1");
    assert_string_equal(TEXT(f, "SELECT ticket_id FROM tickets"),
                        "P9000000000001");
    assert_string_equal(TEXT(f, "SELECT sheets FROM imports"), "[\"Rekap\"]");
    assert_int_equal(import_with(f,
                                 "fixtures/import_xlsx/opx_apkt_sheets.xlsx",
                                 "Laporan (2)", CSV_ENC_AUTO, &r),
                     TA_OK);
    assert_int_equal(r.nsheets, 1);
    assert_int_equal(r.rows_read, 2);
}

/* A missing --sheet, a chart sheet, a sheet without a header: exit 65
 * with the sheets listed or the sheet's own trouble. */
static void wb3_sheet_named_refusals(void **state)
{
    fx *f = *state;
    import_result r;
    const char *book = "fixtures/import_xlsx/xw_apkt_sheets.xlsx";
    assert_int_equal(import_with(f, book, "Data", CSV_ENC_AUTO, &r),
                     TA_E_DATA);
    assert_non_null(strstr(f->err, "no sheet named 'Data' (--sheet); its "
                                   "sheets: 'Rekap' (hidden), 'Catatan', "
                                   "'Laporan', 'Grafik' (a chart sheet), "
                                   "'Laporan (2)', 'Laporan (3)', "
                                   "'Ringkasan', 'Pindah'"));
    assert_int_equal(import_with(f, book, "Grafik", CSV_ENC_AUTO, &r),
                     TA_E_DATA);
    assert_non_null(strstr(f->err, "sheet 'Grafik' is a chart sheet, not a "
                                   "worksheet"));
    assert_int_equal(import_with(f, book, "Catatan", CSV_ENC_AUTO, &r),
                     TA_E_DATA);
    assert_non_null(strstr(f->err, "xw_apkt_sheets.xlsx:Catatan: no header "
                                   "row in its first 30 non-empty rows"));
    assert_int_equal(import_with(f, book, "Ringkasan", CSV_ENC_AUTO, &r),
                     TA_E_DATA);
    assert_non_null(strstr(f->err, "Ringkasan: header on row 1: the apkt "
                                   "export has no column for the required "
                                   "field 'date'"));
    assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM imports"), 0);
}

/* No sheet with a header: exit 65 naming each sheet checked, why, the
 * hidden ones not read; the first rows quoted masked. */
static void wb3_no_sheet_with_header_names_each(void **state)
{
    fx *f = *state;
    static const char *const books[] = {"xw_no_header.xlsx",
                                        "opx_no_header.xlsx",
                                        "lo_no_header.xls"};
    for (size_t i = 0; i < COUNT_OF(books); i++) {
        import_result r;
        assert_int_equal(import_wb(f, books[i], &r), TA_E_DATA);
        const char *m = f->err;
        assert_non_null(strstr(m, "no worksheet has a header row mapping the "
                                  "required fields"));
        assert_non_null(strstr(m, "'Sheet1': no header row in its first 30 "
                                  "non-empty rows (the first, row 1: "));
        assert_non_null(strstr(m, "'Data Lain': no header row"));
        assert_non_null(strstr(m, "'Kosong': no non-empty row"));
        assert_non_null(strstr(m, "not read: 'Arsip' (hidden)"));
        assert_null(strstr(m, "budi.santoso@"));
        assert_null(strstr(m, "3456-7891"));
        assert_null(strstr(m, "5551234"));
        assert_non_null(strstr(m, "b***@gmail.com"));
    }
    import_result r;
    assert_int_equal(import_wb(f, "xw_missing_email.xlsx", &r), TA_E_DATA);
    assert_non_null(strstr(f->err, "'Laporan': header on row 3: the apkt "
                                   "export has no column for the required "
                                   "field 'email'"));
    assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM imports"), 0);
}

/* The title block of an APKT export of the reader's fixtures (15 rows,
 * header on 16), by XlsxWriter and LibreOffice (.xlsx and .xls). */
static void wb3_apkt_title_block_reader_fixtures(void **state)
{
    fx *f = *state;
    static const char *const books[] = {
        "fixtures/xlsx/xw_apkt_title_block.xlsx",
        "fixtures/xlsx/lo_apkt_title_block.xlsx",
        "fixtures/xlsx/lo_apkt_title_block.xls"};
    for (size_t i = 0; i < COUNT_OF(books); i++) {
        import_result r;
        if (import_with(f, books[i], NULL, CSV_ENC_AUTO, &r) != TA_OK)
            fail_msg("%s: %s", books[i], f->err);
        assert_int_equal(r.header_line, 16);
        assert_int_equal(r.rows_imported, 4);
        assert_int_equal(r.nsheets, 2);
        assert_int_equal(r.source, TA_SRC_APKT);
    }
    char tbuf[256];
    assert_string_equal(
        TEXT(f, "SELECT date||' '||hp_norm FROM tickets WHERE ticket_id = "
                "'P4426100600004'"),
        "2026-10-06 081311112222");
}

/* The content decides, never the name: a workbook named .csv is read as
 * one; a text file named .xls as CSV; an HTML page named .xls is refused
 * with what to do; an OLE2 file that is no workbook says what it is. */
static void wb3_kind_by_content(void **state)
{
    fx *f = *state;
    import_result r;
    char dir[512], path[600];
    assert_int_equal(tu_tmpdir(dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/export.csv", dir);
    char src[1024];
    tu_path(src, sizeof src, "fixtures/import_xlsx/xw_apkt_same.xlsx");
    size_t n;
    char *bytes = tu_read_file(src, &n);
    assert_non_null(bytes);
    assert_int_equal(tu_write_file(path, bytes, n), 0);
    free(bytes);
    import_options o = {.source = TA_SRC_NONE};
    assert_int_equal(
        import_file(f->db, f->rs, path, &o, &r, f->err, sizeof f->err),
        TA_OK);
    assert_string_equal(r.format, "xlsx");
    /* the same text named .xls */
    tu_path(src, sizeof src, "fixtures/import_xlsx/apkt_same.csv");
    bytes = tu_read_file(src, &n);
    assert_non_null(bytes);
    snprintf(path, sizeof path, "%s/export.xls", dir);
    assert_int_equal(tu_write_file(path, bytes, n), 0);
    free(bytes);
    assert_int_equal(
        import_file(f->db, f->rs, path, &o, &r, f->err, sizeof f->err),
        TA_OK);
    assert_string_equal(r.format, "csv");
    assert_int_equal(r.rows_read, 16);
    tu_rmtree(dir);
    static const struct {
        const char *file, *says;
    } refused[] = {
        {"fixtures/xlsx/hostile/html_table.xls",
         "save it from Excel as .xlsx or CSV"},
        {"fixtures/xlsx/hostile/xml_spreadsheet_2003.xls",
         "save it from Excel as .xlsx or CSV"},
        {"fixtures/xlsx/hostile/word_document.doc", "Word document"},
        {"fixtures/xlsx/hostile/encrypted.xlsx", "password-protected"},
        {"fixtures/xlsx/hostile/excel95.xls", "Excel 5.0/95"},
        {"fixtures/xlsx/hostile/spreadsheet.ods", "OpenDocument"},
        {"fixtures/xlsx/hostile/word.docx", "xlsx"},
        {"fixtures/xlsx/hostile/truncated.xlsx", "truncated"},
        {"fixtures/xlsx/hostile/dtd_in_sheet.xlsx", "DTD"},
        {"fixtures/xlsx/hostile/bomb_ratio_lying.xlsx", "1,000 times"},
        {"fixtures/xlsx/hostile/malformed_sheet.xlsx", "sheet1.xml"},
        {"fixtures/xlsx/xw_cell_32768_units.xlsx", "32,767"},
    };
    for (size_t i = 0; i < COUNT_OF(refused); i++) {
        ta_status s = import_with(f, refused[i].file, NULL, CSV_ENC_AUTO, &r);
        if (s != TA_E_DATA || !strstr(f->err, refused[i].says))
            fail_msg("%s: status %d, message: %s", refused[i].file, (int)s,
                     f->err);
    }
    assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM imports"), 2);
}

/* --encoding does not apply to a workbook (always UTF-8): read as
 * UTF-8 all the same, and the import line says so. */
static void wb3_encoding_does_not_apply(void **state)
{
    fx *f = *state;
    import_result r;
    char tbuf[128];
    assert_int_equal(import_with(f, "fixtures/import_xlsx/xw_apkt_same.xlsx",
                                 NULL, CSV_ENC_CP1252, &r),
                     TA_OK);
    assert_int_equal(r.encoding, CSV_ENC_UTF8);
    assert_non_null(strstr(r.how, "; --encoding does not apply to workbooks "
                                  "(always UTF-8)"));
    assert_string_equal(TEXT(f, "SELECT encoding FROM imports"), "utf-8");
}

/* SPEC §4 in a workbook: a rules pattern that cannot finish names the
 * cell of the field it ran on, the key and where it was set; nothing of
 * the file is stored. (The judging runs on the inserting thread for a
 * workbook: its error takes the same path.) */
static void wb3_rules_pattern_cannot_finish_names_the_cell(void **state)
{
    fx *f = *state;
    char dir[512], book[600], rpath[600];
    assert_int_equal(tu_tmpdir(dir, sizeof dir), 0);
    snprintf(book, sizeof book, "%s/apkt.xlsx", dir);
    snprintf(rpath, sizeof rpath, "%s/slow.rules", dir);
    static const char rtext[] = "[exemptions]\nangry_notes = (\\w+\\s?)+$\n";
    assert_int_equal(tu_write_file(rpath, rtext, strlen(rtext)), 0);
    lxw_workbook *wb = workbook_new(book);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Data Laporan");
    const char *h[] = {"No Lapor", "Tgl Lapor", "Email Pelapor", "HP Pelapor",
                       "Keterangan Pelapor"};
    for (int c = 0; c < 5; c++)
        worksheet_write_string(ws, 2, (lxw_col_t)c, h[c], NULL);
    ta_buf notes;
    buf_init(&notes, 0);
    for (int i = 0; i < 2000; i++)
        assert_int_equal(buf_adds(&notes, "kata "), 0);
    assert_int_equal(buf_adds(&notes, "!"), 0);
    for (int r = 3; r < 3000; r++) {
        char id[32];
        snprintf(id, sizeof id, "L%06d", r);
        worksheet_write_string(ws, (lxw_row_t)r, 0, id, NULL);
        worksheet_write_string(ws, (lxw_row_t)r, 1, "2026-10-05", NULL);
        worksheet_write_number(ws, (lxw_row_t)r, 3, 81398765432.0, NULL);
        worksheet_write_string(ws, (lxw_row_t)r, 4,
                               r == 2500 ? notes.p : "pendek", NULL);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    buf_free(&notes);
    rules *rs = NULL;
    char err[512];
    assert_int_equal(rules_load(rpath, &rs, err, sizeof err), TA_OK);
    import_options o = {.source = TA_SRC_NONE};
    import_result r;
    assert_int_equal(
        import_file(f->db, rs, book, &o, &r, f->err, sizeof f->err),
        TA_E_DATA);
    char want[1400];
    snprintf(want, sizeof want,
             "%s:'Data Laporan'!E2501: the rules pattern [exemptions] "
             "angry_notes (%s:2) cannot finish on the notes field",
             book, rpath);
    if (!strstr(f->err, want))
        fail_msg("message: %s", f->err);
    assert_non_null(strstr(f->err, "nothing of this file was stored"));
    assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM imports"), 0);
    assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM tickets"), 0);
    rules_free(rs);
    tu_rmtree(dir);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, tu_db_setup, tu_db_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wb3_same_rows_as_csv_identical_results),
        T(wb3_cells_read_as_spec_says),
        T(wb3_rejects_row_number_sheet_raw),
        T(wb3_messages_name_the_cell),
        T(wb3_sheet_choice_and_continuations),
        T(wb3_sheet_named_only_that_one),
        T(wb3_sheet_named_refusals),
        T(wb3_no_sheet_with_header_names_each),
        T(wb3_apkt_title_block_reader_fixtures),
        T(wb3_kind_by_content),
        T(wb3_encoding_does_not_apply),
        T(wb3_rules_pattern_cannot_finish_names_the_cell),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
