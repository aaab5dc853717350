/*
 * test_cellfmt.c — SPEC §3 "Cell text", clause by clause, on the
 * functions both workbook readers share (src/input/cellfmt.c): numbers in
 * their shortest round-trip form, Excel serials as dates and times in the
 * 1900 and 1904 systems, number format codes classified as date or time,
 * ISO dates of t="d" cells, and the cleaning of every string. Each table
 * row is one clause or one edge of it; the expected texts were worked out
 * by hand (and the numbers cross-checked with Python's repr).
 */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../src/input/cellfmt.h"

static void text_is(const ta_buf *b, const char *want, const char *what)
{
    const char *got = b->p ? b->p : "";
    if (strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", what, got, want);
}

/* SPEC: "A number is its shortest decimal form that reads back as the same
 * number: an integer below 2^53 in full, other numbers without an exponent
 * when 10^-4 <= |x| < 10^15 and with one otherwise (1E-100)". */
static void number_shortest_round_trip(void **state)
{
    (void)state;
    static const struct {
        double x;
        const char *want;
    } cases[] = {
        {0, "0"},
        {-0.0, "0"},
        {1, "1"},
        {-1, "-1"},
        {81234567890.0, "81234567890"}, /* an HP typed as a number */
        {6281234567890.0, "6281234567890"},
        {9007199254740991.0, "9007199254740991"},      /* 2^53 - 1: in full */
        {9007199254740992.0, "9.007199254740992E+15"}, /* 2^53 */
        {1e15, "1000000000000000"}, /* an integer below 2^53 */
        {1e15 + 0.5, "1.0000000000000005E+15"},
        {1.5e20, "1.5E+20"},
        {1.2e20, "1.2E+20"},
        {-1.2e20, "-1.2E+20"},
        {1e100, "1E+100"},
        {1e-100, "1E-100"},
        {1.2e-20, "1.2E-20"},
        {0.1, "0.1"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1e-5, "1E-5"},
        {0.0001, "0.0001"},
        {0.00012, "0.00012"},
        {1.0 / 3, "0.3333333333333333"},
        {123456789012345.6, "123456789012345.6"},
        {999999999999999.9, "999999999999999.9"},
        {-1234.5, "-1234.5"},
        {42354.458333333343, "42354.45833333334"},
        {1.0032134017094001, "1.0032134017094"},
        {5e-324, "5E-324"},
        {1.7976931348623157e308, "1.7976931348623157E+308"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ta_buf b;
        buf_init(&b, 0);
        assert_int_equal(cf_double_text(cases[i].x, &b), 0);
        char what[64];
        snprintf(what, sizeof what, "%.17g", cases[i].x);
        text_is(&b, cases[i].want, what);
        buf_free(&b);
    }
}

/* The same from the <v> text as workbooks write it (the fast path for
 * plain decimals must agree with the general one), and what is no number. */
static void number_from_xml_text(void **state)
{
    (void)state;
    static const struct {
        const char *v;
        int rc;
        const char *want;
    } cases[] = {
        {"1.0", 0, "1"}, /* Google Sheets, POI */
        {"0.134500000", 0, "0.1345"},
        {"007", 0, "7"},
        {"-0", 0, "0"},
        {"-0.000", 0, "0"},
        {"+3", 0, "3"},
        {".5", 0, "0.5"},
        {"5.", 0, "5"},
        {"1e5", 0, "100000"},
        {"1.2E+20", 0, "1.2E+20"},
        {"1E-100", 0, "1E-100"},
        {"0.00001", 0, "1E-5"},
        {"0.0001", 0, "0.0001"},
        {"0.00010", 0, "0.0001"},
        {"42354.458333333343", 0, "42354.45833333334"},
        {"123456789012345678", 0, "1.2345678901234568E+17"},
        {"9007199254740993", 0, "9.007199254740992E+15"},
        {"999999999999999", 0, "999999999999999"},
        {"1000000000000000", 0, "1000000000000000"},
        {" 5 ", 0, "5"},
        {"abc", -2, ""},
        {"12abc", -2, ""},
        {"0x1A", -2, ""},
        {"inf", -2, ""},
        {"nan", -2, ""},
        {"1e400", -2, ""},
        {"1,5", -2, ""},
        {"-", -2, ""},
        {"", -2, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ta_buf b;
        buf_init(&b, 0);
        int rc = cf_number_text(cases[i].v, strlen(cases[i].v), &b);
        if (rc != cases[i].rc)
            fail_msg("\"%s\": rc %d, want %d", cases[i].v, rc, cases[i].rc);
        if (rc == 0)
            text_is(&b, cases[i].want, cases[i].v);
        buf_free(&b);
    }
}

/* SPEC: "... is the date YYYY-MM-DD, then HH:MM:SS (rounded to the nearest
 * second) when it has a time of day, in the workbook's 1900 or 1904 date
 * system, read as Excel shows it (1900 serial 1 is 1900-01-01); a
 * time-only format gives HH:MM:SS alone, and a negative serial stays a
 * number." */
static void serial_dates_and_times(void **state)
{
    (void)state;
    static const struct {
        double serial;
        int date1904;
        cf_kind kind;
        int rc;
        const char *want;
    } cases[] = {
        {1, 0, CF_DATE, 1, "1900-01-01"},
        {59, 0, CF_DATE, 1, "1900-02-28"},
        {60, 0, CF_DATE, 1, "1900-02-29"}, /* Excel's fictitious day */
        {61, 0, CF_DATE, 1, "1900-03-01"},
        {0, 0, CF_DATE, 1, "1900-01-00"}, /* what Excel shows */
        {0.5, 0, CF_DATE, 1, "1900-01-00 12:00:00"},
        {1000, 0, CF_DATE, 1, "1902-09-26"},
        {46300, 0, CF_DATE, 1, "2026-10-05"},
        {46300.5, 0, CF_DATE, 1, "2026-10-05 12:00:00"},
        {46300.00390625, 0, CF_DATE, 1, "2026-10-05 00:05:38"},  /* 337.5 s */
        {46300.001953125, 0, CF_DATE, 1, "2026-10-05 00:02:49"}, /* 168.75 */
        {46300.999999, 0, CF_DATE, 1, "2026-10-06"}, /* rounds to midnight */
        {42354.458333333343, 0, CF_DATE, 1, "2015-12-16 11:00:00"},
        {73415, 0, CF_DATE, 1, "2100-12-31"}, /* 2100 is no leap year */
        {2958465, 0, CF_DATE, 1, "9999-12-31"},
        {2958465.99999, 0, CF_DATE, 1, "9999-12-31 23:59:59"},
        {2958465.999999999, 0, CF_DATE, 0, ""}, /* rounds past Excel's end */
        {2958466, 0, CF_DATE, 0, ""},
        {-1, 0, CF_DATE, 0, ""},
        {-0.5, 0, CF_TIME, 0, ""},
        {0, 1, CF_DATE, 1, "1904-01-01"},
        {1, 1, CF_DATE, 1, "1904-01-02"},
        {1.0032134017094, 1, CF_DATE, 1, "1904-01-02 00:04:38"},
        {35064, 1, CF_DATE, 1, "2000-01-01"},
        {1000000, 1, CF_DATE, 1, "4641-11-27"},
        {2957003, 1, CF_DATE, 1, "9999-12-31"},
        {2957004, 1, CF_DATE, 0, ""},
        {0.75, 0, CF_TIME, 1, "18:00:00"},
        {46300.25, 0, CF_TIME, 1, "06:00:00"},
        {0, 0, CF_TIME, 1, "00:00:00"},
        {1.5, 0, CF_TIME, 1, "12:00:00"},
        {0.999999, 0, CF_TIME, 1, "00:00:00"},
        {0.75, 1, CF_TIME, 1, "18:00:00"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ta_buf b;
        buf_init(&b, 0);
        int rc = cf_serial_text(cases[i].serial, cases[i].date1904,
                                cases[i].kind, &b);
        char what[80];
        snprintf(what, sizeof what, "serial %.17g (%s, %s)", cases[i].serial,
                 cases[i].date1904 ? "1904" : "1900",
                 cases[i].kind == CF_TIME ? "time" : "date");
        if (rc != cases[i].rc)
            fail_msg("%s: rc %d, want %d", what, rc, cases[i].rc);
        if (rc == 1)
            text_is(&b, cases[i].want, what);
        buf_free(&b);
    }
    ta_buf b;
    buf_init(&b, 0);
    assert_int_equal(cf_serial_text(NAN, 0, CF_DATE, &b), 0);
    assert_int_equal(cf_serial_text(INFINITY, 0, CF_DATE, &b), 0);
    buf_free(&b);
}

/* SPEC: "built-in formats 14-22 and 45-47, or a custom format with d, m,
 * y, h or s in either case outside "...", [...] and characters escaped by
 * \, _ or *". Time-only: h, s, AM/PM and m next to h or s only. */
static void format_codes_date_or_time(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        cf_kind kind;
    } cases[] = {
        {"General", CF_NUMBER},
        {"0.00", CF_NUMBER},
        {"#,##0", CF_NUMBER},
        {"0.00E+00", CF_NUMBER},
        {"@", CF_NUMBER},
        {"[Red]0.00", CF_NUMBER},
        {"[$-409]0", CF_NUMBER},
        {"0\\d", CF_NUMBER},
        {"0_d", CF_NUMBER},
        {"0*d", CF_NUMBER},
        {"0\\\xC3\xA9", CF_NUMBER}, /* an escaped multi-byte character */
        {"0\" days\"", CF_NUMBER},
        {"\"Rp\"#,##0", CF_NUMBER},
        {"_-* #,##0_-;\\-* #,##0_-;_-* \"-\"_-;_-@_-", CF_NUMBER},
        {"dd/mm/yyyy", CF_DATE},
        {"DD/MM/YYYY", CF_DATE},
        {"dd/mm/yyyy hh:mm", CF_DATE},
        {"yyyy\\-mm\\-dd\\ h:mm", CF_DATE},
        {"d\\-m\\-yyyy", CF_DATE},
        {"mmm-yy", CF_DATE},
        {"mmmm\" \"yyyy", CF_DATE},
        {"[$-411]ggge\"\xE5\xB9\xB4\"m\"\xE6\x9C\x88\"d\"\xE6\x97\xA5\";@",
         CF_DATE},
        {"\"Tanggal: \"dd-mm-yyyy", CF_DATE},
        {"[Blue]d", CF_DATE},
        {"m", CF_DATE}, /* a month alone */
        {"mm", CF_DATE},
        {"yyyy", CF_DATE},
        {"mmm d yyyy hh:mm AM/PM", CF_DATE},
        {"h:mm", CF_TIME},
        {"hh:mm:ss", CF_TIME},
        {"HH:MM:SS", CF_TIME},
        {"h:mm AM/PM", CF_TIME},
        {"h:mm:ss A/P", CF_TIME},
        {"[h]:mm:ss", CF_TIME},
        {"[mm]:ss", CF_TIME},
        {"mm:ss", CF_TIME},
        {"mm:ss.0", CF_TIME},
        {"h:mm:ss.000", CF_TIME},
        {"ss", CF_TIME},
        {"h", CF_TIME},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cf_kind k = cf_code_kind(cases[i].code, strlen(cases[i].code));
        if (k != cases[i].kind)
            fail_msg("\"%s\": kind %d, want %d", cases[i].code, (int)k,
                     (int)cases[i].kind);
    }
    for (unsigned long id = 0; id < 200; id++) {
        cf_kind want = CF_NUMBER;
        if ((id >= 14 && id <= 17) || id == 22)
            want = CF_DATE;
        else if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47))
            want = CF_TIME;
        assert_int_equal(cf_builtin_kind(id), want);
    }
}

/* SPEC: "A cell stored as an ISO date (t="d") is read like a
 * date-formatted number." */
static void iso_date_cells(void **state)
{
    (void)state;
    static const struct {
        const char *v;
        int rc;
        const char *want;
    } cases[] = {
        {"2021-01-01", 1, "2021-01-01"},
        {"2021-01-01T10:10:10", 1, "2021-01-01 10:10:10"},
        {"2021-01-01T00:00:00", 1, "2021-01-01"},
        {"10:10:10", 1, "10:10:10"},
        {"2021-01-01T10:10:10.5", 1, "2021-01-01 10:10:11"},
        {"2021-01-01T23:59:59.7", 1, "2021-01-02"},
        {"23:59:59.9", 1, "00:00:00"},
        {"2021-01-01T10:10:10Z", 1, "2021-01-01 10:10:10"},
        {"2021-01-01T10:10:10+07:00", 1, "2021-01-01 10:10:10"},
        {"2021-01-01 10:10", 1, "2021-01-01 10:10:00"},
        {"1990-01-01", 1, "1990-01-01"},
        {"2024-02-29", 1, "2024-02-29"},
        {"2021-02-29", 0, ""},
        {"2021-13-01", 0, ""},
        {"2021-01-01T25:00:00", 0, ""},
        {"2021-01-01T10:10:10 junk", 0, ""},
        {"abc", 0, ""},
        {"", 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ta_buf b;
        buf_init(&b, 0);
        int rc = cf_iso_text(cases[i].v, strlen(cases[i].v), &b);
        if (rc != cases[i].rc)
            fail_msg("\"%s\": rc %d, want %d", cases[i].v, rc, cases[i].rc);
        if (rc == 1)
            text_is(&b, cases[i].want, cases[i].v);
        buf_free(&b);
    }
}

/* SPEC: "_xHHHH_ escapes decoded ... Control characters other than TAB, CR
 * and LF become a space. The text is then trimmed" (spaces, tabs, CR, LF);
 * and the 32,767 UTF-16 units count is of the decoded text. */
static void string_cleaning(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int xesc;
        const char *want;
        size_t units;
    } cases[] = {
        {"  a b  ", 1, "a b", 7},
        {"\t\r\na\n", 1, "a", 5},
        {"a\x01"
         "b",
         1, "a b", 3},
        {"a\x1f"
         "b",
         1, "a b", 3},
        {"a\x7f"
         "b",
         1, "a b", 3},
        {"a\xc2\x85"
         "b",
         1, "a b", 3}, /* C1 NEL */
        {"a\xc2\xa0"
         "b",
         1,
         "a\xc2\xa0"
         "b",
         3}, /* NBSP is text */
        {"\xc2\xa0", 1, "\xc2\xa0", 1},
        {"a\tb", 1, "a\tb", 3},
        {"_x000D_", 1, "", 1},
        {"a_x000D_b", 1, "a\rb", 3},
        {"a_x000d_b", 1, "a\rb", 3}, /* lower-case hex is an escape */
        {"ABC_x000D_\nDEF", 1, "ABC\r\nDEF", 8},
        {"_X000D_", 1, "_X000D_", 7}, /* upper-case X is not */
        {"_x000G_", 1, "_x000G_", 7},
        {"_x0041", 1, "_x0041", 6},
        {"_x005F_x0000_", 1, "_x0000_", 7}, /* one pass, left to right */
        {"_x005F_x005F_", 1, "_x005F_", 7},
        {"_x0000_", 1, "", 1},
        {"a_x0000_b", 1, "a b", 3},
        {"a_x0001_b", 1, "a b", 3},
        {"a_x0009_b", 1, "a\tb", 3},
        {"_xD83D__xDE00_", 1, "\xF0\x9F\x98\x80", 2},
        {"_xD83D_", 1, "\xEF\xBF\xBD", 1},
        {"_xDE00_a", 1,
         "\xEF\xBF\xBD"
         "a",
         2},
        {"a_x000D_b", 0, "a_x000D_b", 9}, /* .xls and error texts: none */
        {"\xF0\x9F\x98\x80"
         "a",
         1,
         "\xF0\x9F\x98\x80"
         "a",
         3},
        {"\xC3\xA9", 1, "\xC3\xA9", 1},
        {"plain ascii text", 1, "plain ascii text", 16},
        {"   ", 1, "", 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ta_buf b;
        buf_init(&b, 0);
        size_t units = 0;
        assert_int_equal(
            cf_text(cases[i].s, strlen(cases[i].s), cases[i].xesc, &b, &units),
            0);
        text_is(&b, cases[i].want, cases[i].s);
        if (units != cases[i].units)
            fail_msg("\"%s\": %zu units, want %zu", cases[i].s, units,
                     cases[i].units);
        assert_int_equal(b.len, strlen(cases[i].want));
        buf_free(&b);
    }
    /* appending keeps what the buffer held */
    ta_buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_adds(&b, "x"), 0);
    assert_int_equal(cf_text(" y ", 3, 1, &b, NULL), 0);
    text_is(&b, "xy", "append");
    buf_free(&b);
    assert_int_equal(cf_utf16_units("\xF0\x9F\x98\x80\xC3\xA9z", 7), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(number_shortest_round_trip),
        cmocka_unit_test(number_from_xml_text),
        cmocka_unit_test(serial_dates_and_times),
        cmocka_unit_test(format_codes_date_or_time),
        cmocka_unit_test(iso_date_cells),
        cmocka_unit_test(string_cleaning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
