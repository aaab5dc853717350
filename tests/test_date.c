/*
 * test_date.c — SPEC §3 "Dates", one case per form and per rejection,
 * each named after the clause it proves. The table is the test: every row
 * becomes one cmocka test under its own name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"

struct date_case {
    const char *name;
    const char *input;
    int ok;               /* expected return of date_parse */
    const char *expected; /* YYYY-MM-DD when ok */
};

static const struct date_case cases[] = {
    /* YYYY-MM-DD and YYYY/MM/DD, with a time after a space or 'T'. */
    {"date_iso", "2026-03-15", 1, "2026-03-15"},
    {"date_iso_with_space_time", "2026-03-15 08:30:00", 1, "2026-03-15"},
    {"date_iso_with_T_time", "2026-03-15T08:30:00", 1, "2026-03-15"},
    {"date_iso_with_T_time_zone", "2026-03-15T08:30:00+07:00", 1,
     "2026-03-15"},
    {"date_iso_one_digit_month_day", "2026-3-5", 1, "2026-03-05"},
    {"date_ymd_slash", "2026/03/15", 1, "2026-03-15"},
    {"date_ymd_slash_with_T_time", "2026/03/15T23:59", 1, "2026-03-15"},
    {"date_ymd_slash_with_space_time", "2026/10/01 00:00", 1, "2026-10-01"},
    {"date_iso_feb29_leap", "2024-02-29", 1, "2024-02-29"},
    {"date_iso_feb29_2000", "2000-02-29", 1, "2000-02-29"},
    {"date_iso_year_1900", "1900-01-01", 1, "1900-01-01"},
    {"date_iso_year_2099", "2099-12-31", 1, "2099-12-31"},
    {"date_iso_lowercase_t_time", "2026-03-15t08:30:00", 1, "2026-03-15"},
    {"date_ymd_slash_lowercase_t_time", "2026/03/15t08:30", 1, "2026-03-15"},
    /* SPEC §3: any real calendar date is read, whatever its year. */
    {"date_any_year_dmy_2206", "15/11/2206", 1, "2206-11-15"},
    {"date_any_year_iso_2100", "2100-01-01", 1, "2100-01-01"},
    {"date_any_year_iso_1899", "1899-12-31", 1, "1899-12-31"},
    {"date_any_year_dmy_0026", "15/03/0026", 1, "0026-03-15"},
    {"date_any_year_min_0001", "0001-01-01", 1, "0001-01-01"},
    {"date_any_year_max_9999", "31-12-9999", 1, "9999-12-31"},
    {"date_any_year_mon_1850", "15-MAR-1850", 1, "1850-03-15"},
    {"date_any_year_month_name_2150", "1 Januari 2150", 1, "2150-01-01"},
    {"date_any_year_feb29_2400", "29/02/2400", 1, "2400-02-29"},
    /* DD/MM/YYYY and DD-MM-YYYY. */
    {"date_dmy_slash", "15/03/2026", 1, "2026-03-15"},
    {"date_dmy_slash_one_digit", "5/3/2026", 1, "2026-03-05"},
    {"date_dmy_slash_with_time", "15/03/2026 08:30:00", 1, "2026-03-15"},
    {"date_dmy_dash", "15-03-2026", 1, "2026-03-15"},
    {"date_dmy_dash_one_digit", "1-1-2026", 1, "2026-01-01"},
    {"date_dmy_day_before_month", "03/04/2026", 1, "2026-04-03"},
    /* DD-MON-YY[YY]. */
    {"date_mon_english_yy", "15-MAR-26", 1, "2026-03-15"},
    {"date_mon_english_yyyy", "15-MAR-2026", 1, "2026-03-15"},
    {"date_mon_lower_case", "15-mar-26", 1, "2026-03-15"},
    {"date_mon_mixed_case", "15-Oct-26", 1, "2026-10-15"},
    {"date_mon_one_digit_day", "5-JAN-26", 1, "2026-01-05"},
    {"date_mon_with_time", "15-MAR-26 08.30.00.000000 AM", 1, "2026-03-15"},
    {"date_mon_english_may", "01-MAY-26", 1, "2026-05-01"},
    {"date_mon_indonesian_mei", "01-MEI-26", 1, "2026-05-01"},
    {"date_mon_english_aug", "17-AUG-26", 1, "2026-08-17"},
    {"date_mon_indonesian_agu", "17-AGU-26", 1, "2026-08-17"},
    {"date_mon_indonesian_agt", "17-AGT-26", 1, "2026-08-17"},
    {"date_mon_indonesian_okt", "10-OKT-2026", 1, "2026-10-10"},
    {"date_mon_indonesian_des", "25-DES-26", 1, "2026-12-25"},
    {"date_mon_english_dec", "25-DEC-26", 1, "2026-12-25"},
    {"date_mon_older_spelling_peb", "15-PEB-26", 1, "2026-02-15"},
    {"date_mon_older_spelling_nop", "15-nop-2026", 1, "2026-11-15"},
    {"date_mon_two_digit_year_is_20yy", "01-JAN-99", 1, "2099-01-01"},
    {"date_mon_two_digit_year_00", "29-FEB-00", 1, "2000-02-29"},
    /* DD Month YYYY with Indonesian month names. */
    {"date_month_name_indonesian", "15 Maret 2026", 1, "2026-03-15"},
    {"date_month_name_upper_case", "17 AGUSTUS 2026", 1, "2026-08-17"},
    {"date_month_name_lower_case", "1 januari 2026", 1, "2026-01-01"},
    {"date_month_name_with_time", "15 Oktober 2026 08:30", 1, "2026-10-15"},
    {"date_month_name_desember", "31 Desember 2026", 1, "2026-12-31"},
    {"date_month_name_mei", "2 Mei 2026", 1, "2026-05-02"},
    {"date_month_name_runs_of_spaces", "15  Maret  2026", 1, "2026-03-15"},
    {"date_month_name_older_spelling_pebruari", "29 Pebruari 2028", 1,
     "2028-02-29"},
    {"date_month_name_older_spelling_nopember", "10 NOPEMBER 2026", 1,
     "2026-11-10"},
    /* Excel serial day numbers. */
    {"date_excel_serial", "46096", 1, "2026-03-15"},
    {"date_excel_serial_fraction", "46096.354166", 1, "2026-03-15"},
    {"date_excel_serial_with_time", "46096 08:30", 1, "2026-03-15"},
    {"date_excel_serial_min", "20000", 1, "1954-10-03"},
    {"date_excel_serial_max", "80000", 1, "2119-01-11"},
    {"date_excel_serial_leap_day", "45351", 1, "2024-02-29"},
    /* Rejections: not a calendar date. */
    {"date_reject_apr31", "31/04/2026", 0, NULL},
    {"date_reject_feb29_2025", "29/02/2025", 0, NULL},
    {"date_reject_feb29_1900", "1900-02-29", 0, NULL},
    {"date_reject_feb30_leap", "30/02/2024", 0, NULL},
    {"date_reject_feb31", "31/02/2026", 0, NULL},
    {"date_reject_month13", "15/13/2026", 0, NULL},
    {"date_reject_month0", "2026-00-15", 0, NULL},
    {"date_reject_day0", "00/03/2026", 0, NULL},
    {"date_reject_day32", "2026-01-32", 0, NULL},
    {"date_reject_month_before_day", "2026-15-03", 0, NULL},
    {"date_reject_mon_apr31", "31-APR-26", 0, NULL},
    {"date_reject_month_name_feb30", "30 Februari 2026", 0, NULL},
    /* Rejections: years that are no calendar year or not four digits
     * (docs/dates.md). */
    {"date_reject_year_0000", "0000-01-01", 0, NULL},
    {"date_reject_year_0000_dmy", "15/03/0000", 0, NULL},
    {"date_reject_feb29_2100", "29/02/2100", 0, NULL},
    {"date_reject_five_digit_year_iso", "20260-03-15", 0, NULL},
    {"date_reject_mon_five_digit_year", "15-MAR-20260", 0, NULL},
    {"date_reject_month_name_five_digit_year", "15 Maret 20260", 0, NULL},
    /* Rejections: wrong shape. */
    {"date_reject_empty", "", 0, NULL},
    {"date_reject_garbage", "kemarin", 0, NULL},
    {"date_reject_dash", "-", 0, NULL},
    {"date_reject_trailing_junk", "2026-03-15x", 0, NULL},
    {"date_reject_trailing_junk_dmy", "15/03/2026x", 0, NULL},
    {"date_reject_trailing_comma", "15/03/2026,08:30", 0, NULL},
    {"date_reject_T_after_dmy", "15/03/2026T08:30", 0, NULL},
    {"date_reject_mixed_separators", "2026-03/15", 0, NULL},
    {"date_reject_mixed_separators_dmy", "15/03-2026", 0, NULL},
    {"date_reject_three_digit_day", "015/03/2026", 0, NULL},
    {"date_reject_three_digit_month", "2026-003-15", 0, NULL},
    {"date_reject_two_digit_year_dmy", "15/03/26", 0, NULL},
    {"date_reject_five_digit_year", "15/03/20260", 0, NULL},
    {"date_reject_iso_incomplete", "2026-03", 0, NULL},
    {"date_reject_iso_no_day", "2026-03-", 0, NULL},
    {"date_reject_year_only", "2026", 0, NULL},
    {"date_reject_compact_yyyymmdd", "20260315", 0, NULL},
    {"date_reject_leading_space", " 2026-03-15", 0, NULL},
    {"date_reject_sign", "+2026-03-15", 0, NULL},
    {"date_reject_month_first_us", "03/31/2026", 0, NULL},
    {"date_reject_mon_unknown", "15-XYZ-26", 0, NULL},
    {"date_reject_mon_full_name", "15-March-26", 0, NULL},
    {"date_reject_mon_slash", "15/MAR/2026", 0, NULL},
    {"date_reject_mon_three_digit_year", "15-MAR-202", 0, NULL},
    {"date_reject_mon_trailing_junk", "15-MAR-26x", 0, NULL},
    {"date_reject_month_name_english", "15 March 2026", 0, NULL},
    {"date_reject_month_name_abbrev", "15 Mar 2026", 0, NULL},
    {"date_reject_month_name_no_year", "15 Maret", 0, NULL},
    {"date_reject_month_name_short_year", "15 Maret 26", 0, NULL},
    {"date_reject_month_name_glued_year", "15 Maret2026", 0, NULL},
    {"date_reject_month_name_junk", "15 Maret 2026x", 0, NULL},
    /* Rejections: serials. */
    {"date_reject_serial_below_range", "19999", 0, NULL},
    {"date_reject_serial_above_range", "80001", 0, NULL},
    {"date_reject_serial_six_digits", "100000", 0, NULL},
    {"date_reject_serial_four_digits", "4609", 0, NULL},
    {"date_reject_serial_bare_point", "46096.", 0, NULL},
    {"date_reject_serial_comma_fraction", "46096,5", 0, NULL},
    {"date_reject_serial_junk", "46096.5x", 0, NULL},
    {"date_reject_serial_negative", "-46096", 0, NULL},
    {"date_reject_serial_exponent", "4.6096E+04", 0, NULL},
    {"date_reject_long_digits", "123456789012345678901234567890", 0, NULL},
};

static void run_case(void **state)
{
    const struct date_case *c = *state;
    ta_date d = {-1, -1, -1};
    char buf[11];
    int ok = date_parse(c->input, strlen(c->input), &d);
    if (ok != c->ok)
        print_error("input \"%s\": got %d, expected %d\n", c->input, ok,
                    c->ok);
    assert_int_equal(ok, c->ok);
    if (ok) {
        date_format(&d, buf);
        assert_string_equal(buf, c->expected);
    } else {
        /* A failed parse leaves *out alone. */
        assert_int_equal(d.year, -1);
    }
}

/* Only s[0..len) is read: a date followed by junk beyond len is fine. */
static void date_reads_only_len_bytes(void **state)
{
    (void)state;
    ta_date d;
    const char *s = "2026-03-15x";
    assert_int_equal(date_parse(s, 10, &d), 1);
    assert_int_equal(d.day, 15);
    assert_int_equal(date_parse(s, 9, &d), 1); /* "2026-03-1" */
    assert_int_equal(d.day, 1);
    assert_int_equal(date_parse("2026-03-15", 0, &d), 0);
}

/* Every prefix of every case, copied to a heap buffer of exactly that
 * size (no NUL), parses without reading past it (AddressSanitizer
 * watches) and accepts only what the table's forms allow. */
static void date_prefixes_stay_in_bounds(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].input);
        for (size_t k = 0; k <= len; k++) {
            char *buf = malloc(k ? k : 1);
            ta_date d;
            assert_non_null(buf);
            memcpy(buf, cases[i].input, k);
            int ok = date_parse(buf, k, &d);
            if (ok) {
                assert_in_range(d.month, 1, 12);
                assert_in_range(d.day, 1, 31);
            }
            free(buf);
        }
    }
}

static void date_format_and_period(void **state)
{
    (void)state;
    ta_date d = {2026, 3, 5};
    char buf[11], per[8];
    date_format(&d, buf);
    assert_string_equal(buf, "2026-03-05");
    date_period(&d, per);
    assert_string_equal(per, "2026-03");
}

/* Every serial in range agrees with the day count of a calendar walk. */
static void date_excel_serial_every_day(void **state)
{
    (void)state;
    ta_date walk = {1954, 10, 3}; /* serial 20000 */
    static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    for (int serial = 20000; serial <= 80000; serial++) {
        char in[8], got[11], want[11];
        ta_date d;
        snprintf(in, sizeof in, "%d", serial);
        assert_int_equal(date_parse(in, strlen(in), &d), 1);
        date_format(&d, got);
        date_format(&walk, want);
        assert_string_equal(got, want);
        int leap = (walk.year % 4 == 0 && walk.year % 100 != 0) ||
                   walk.year % 400 == 0;
        int dim = mdays[walk.month - 1] + (walk.month == 2 && leap);
        if (++walk.day > dim) {
            walk.day = 1;
            if (++walk.month > 12) {
                walk.month = 1;
                walk.year++;
            }
        }
    }
}

/* Every ISO date of the years 0001-9999 that parses formats back to
 * itself, and the count of accepted days is the number of days in those
 * 9,999 years of the proleptic Gregorian calendar. */
static void date_iso_round_trip_all_days(void **state)
{
    (void)state;
    long accepted = 0;
    for (int y = 1; y <= 9999; y++)
        for (int m = 1; m <= 12; m++)
            for (int dd = 1; dd <= 31; dd++) {
                char in[16], out[11];
                ta_date d;
                snprintf(in, sizeof in, "%04d-%02d-%02d", y, m, dd);
                if (date_parse(in, strlen(in), &d)) {
                    accepted++;
                    date_format(&d, out);
                    assert_string_equal(out, in);
                }
            }
    /* Leap years in 1..9999: 2499 multiples of 4, less 99 of 100, plus 24
     * of 400. */
    assert_int_equal(accepted, 9999L * 365 + 2499 - 99 + 24);
}

/* The one period check (--period, report_options.period): "YYYY-MM",
 * any four-digit year, month 01-12, nothing before or after. */
static void date_period_valid_table(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int ok;
    } t[] = {
        {"2026-10", 1},    {"2026-01", 1}, {"2026-12", 1},  {"0001-06", 1},
        {"9999-09", 1},    {"2026-00", 0}, {"2026-13", 0},  {"2026-1", 0},
        {"2026-100", 0},   {"26-10", 0},   {"2026/10", 0},  {"2026-1a", 0},
        {"20x6-10", 0},    {"", 0},        {" 2026-10", 0}, {"2026-10 ", 0},
        {"2026-10-01", 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (date_period_valid(t[i].s) != t[i].ok)
            fail_msg("'%s': expected %d", t[i].s, t[i].ok);
}

int main(void)
{
    enum { NCASES = sizeof cases / sizeof cases[0], NEXTRA = 6 };
    struct CMUnitTest tests[NCASES + NEXTRA];
    size_t n = 0;
    for (size_t i = 0; i < NCASES; i++) {
        tests[n].name = cases[i].name;
        tests[n].test_func = run_case;
        tests[n].setup_func = NULL;
        tests[n].teardown_func = NULL;
        tests[n].initial_state = (void *)&cases[i];
        n++;
    }
    const struct CMUnitTest extra[NEXTRA] = {
        cmocka_unit_test(date_reads_only_len_bytes),
        cmocka_unit_test(date_prefixes_stay_in_bounds),
        cmocka_unit_test(date_format_and_period),
        cmocka_unit_test(date_excel_serial_every_day),
        cmocka_unit_test(date_iso_round_trip_all_days),
        cmocka_unit_test(date_period_valid_table),
    };
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        tests[n++] = extra[i];
    return _cmocka_run_group_tests("date", tests, n, NULL, NULL);
}
