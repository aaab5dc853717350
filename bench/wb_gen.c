/*
 * wb_gen.c — writes the rows of a CSV export as an .xlsx workbook, for the
 * workbook benchmark (bench/workbook_bench.sh).
 *
 *     wb_gen [--inline] IN.csv OUT.xlsx
 *
 * Every CSV row becomes a sheet row, every field a cell, so that the
 * workbook's cell texts (SPEC §3 "Cell text") are the CSV's fields:
 *   - a field of 1-15 digits not starting with 0 is a number cell
 *     (81234567890 reads back as 81234567890);
 *   - a field "YYYY-MM-DD HH:MM:SS" is a date-time number formatted
 *     yyyy-mm-dd hh:mm:ss (reads back as the same text);
 *   - anything else is a string cell.
 * Strings go to the shared-strings table (libxlsxwriter's default, as Excel
 * writes them) or, with --inline, are written as inline strings
 * (libxlsxwriter's constant_memory mode, as report generators write them).
 *
 * Uses the project's CSV reader (no header detection: every row is copied)
 * and libxlsxwriter. Not part of the program: a benchmark tool.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "csv.h"

static int all_digits(const char *s, size_t n)
{
    if (n == 0 || n > 15 || s[0] == '0')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* "YYYY-MM-DD HH:MM:SS" -> lxw_datetime; 0 when the field is not one. */
static int iso_datetime(const char *s, size_t n, lxw_datetime *dt)
{
    static const char pat[] = "dddd-dd-dd dd:dd:dd";
    if (n != sizeof pat - 1)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
            return 0;
    }
    dt->year = (int)strtol(s, NULL, 10);
    dt->month = (int)strtol(s + 5, NULL, 10);
    dt->day = (int)strtol(s + 8, NULL, 10);
    dt->hour = (int)strtol(s + 11, NULL, 10);
    dt->min = (int)strtol(s + 14, NULL, 10);
    dt->sec = (double)strtol(s + 17, NULL, 10);
    return dt->month >= 1 && dt->month <= 12 && dt->day >= 1 && dt->day <= 31;
}

int main(int argc, char **argv)
{
    int inl = 0;
    int a = 1;
    if (a < argc && strcmp(argv[a], "--inline") == 0) {
        inl = 1;
        a++;
    }
    if (argc - a != 2) {
        fprintf(stderr, "usage: wb_gen [--inline] IN.csv OUT.xlsx\n");
        return 2;
    }
    csv_options copt;
    memset(&copt, 0, sizeof copt);
    csv_reader *cr = NULL;
    if (csv_open_file(argv[a], &copt, &cr) != CSV_OK) {
        fprintf(stderr, "wb_gen: %s\n", cr ? csv_errmsg(cr) : "out of memory");
        csv_close(cr);
        return 1;
    }
    lxw_workbook_options wopt;
    memset(&wopt, 0, sizeof wopt);
    wopt.constant_memory = (uint8_t)inl;
    wopt.use_zip64 = 1;
    lxw_workbook *wb = workbook_new_opt(argv[a + 1], &wopt);
    if (!wb) {
        fprintf(stderr, "wb_gen: cannot create %s\n", argv[a + 1]);
        return 1;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Data");
    lxw_format *dfmt = workbook_add_format(wb);
    format_set_num_format(dfmt, "yyyy-mm-dd hh:mm:ss");
    const csv_row *row;
    csv_status st;
    lxw_row_t r = 0;
    int rc = 0;
    while ((st = csv_next(cr, &row)) == CSV_ROW) {
        for (size_t i = 0; i < row->nfields && rc == 0; i++) {
            const char *f = row->fields[i];
            size_t n = row->lens[i];
            lxw_col_t c = (lxw_col_t)i;
            lxw_datetime dt;
            lxw_error e = LXW_NO_ERROR;
            if (n == 0)
                continue;
            if (all_digits(f, n))
                e = worksheet_write_number(ws, r, c, strtod(f, NULL), NULL);
            else if (iso_datetime(f, n, &dt))
                e = worksheet_write_datetime(ws, r, c, &dt, dfmt);
            else
                e = worksheet_write_string(ws, r, c, f, NULL);
            if (e != LXW_NO_ERROR) {
                fprintf(stderr, "wb_gen: row %u: %s\n", (unsigned)r + 1,
                        lxw_strerror(e));
                rc = 1;
            }
        }
        if (rc)
            break;
        r++;
    }
    if (st != CSV_OK) {
        fprintf(stderr, "wb_gen: %s\n", csv_errmsg(cr));
        rc = 1;
    }
    csv_close(cr);
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR) {
        fprintf(stderr, "wb_gen: %s\n", lxw_strerror(e));
        rc = 1;
    }
    if (rc == 0)
        fprintf(stderr, "wb_gen: %u rows%s\n", (unsigned)r,
                inl ? " (inline strings)" : " (shared strings)");
    return rc;
}
