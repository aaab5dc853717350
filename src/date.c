/*
 * date.c — reads the date forms of SPEC §3 ("Dates") at the start of a
 * field. It runs once per imported row (a million rows and more), so it
 * reads the bytes once, left to right, without allocating, without locale
 * and without sscanf/strptime (which accept far more than the spec, e.g.
 * signs and leading spaces, and depend on the locale).
 *
 * It does not know which column it reads nor what a period is for; the
 * importer turns a failure into a rejected row. It also holds the one
 * check of a period written by a user (date_period_valid) and the one
 * local time stamp with its UTC offset (date_iso_local).
 */
#include "date.h"

#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* SPEC §3: any real calendar date is read, whatever its year (a mistyped
 * 15/11/2206 is audited in its own period). A written year has four
 * digits, so 0001-9999; year 0000 is refused, as the Gregorian calendar
 * people write has no year 0 (ISO 8601's 0000 is 1 BC: no export holds
 * it). Two-digit years (20YY) are always inside. */
#define DATE_YEAR_MIN 1
#define DATE_YEAR_MAX 9999

/* Excel serial day numbers accepted (SPEC §3), and the serial of
 * 1970-01-01 counted from day 0 = 1899-12-30. */
#define SERIAL_MIN 20000
#define SERIAL_MAX 80000
#define SERIAL_UNIX_EPOCH 25569

/* Digits beyond this many are counted but no longer accumulated, so a
 * long run of digits cannot overflow; every form rejects such a run. */
#define DIGITS_KEPT 9

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char to_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Reads a run of digits at *p, advances *p past it, stores its value in
 * *v and returns its length (0 when *p is not a digit). */
static size_t read_digits(const char **p, const char *end, int *v)
{
    size_t n = 0;
    int value = 0;
    while (*p < end && is_digit(**p)) {
        if (n < DIGITS_KEPT)
            value = value * 10 + (**p - '0');
        n++;
        (*p)++;
    }
    *v = value;
    return n;
}

/* A date ends at the end of the field or at a space; what follows the
 * space (a time, normally) is not read. */
static int at_date_end(const char *p, const char *end)
{
    return p == end || *p == ' ';
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30,
                                           31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Checks that (y, m, d) is a real calendar date in the accepted years and
 * stores it. */
static int make_date(int y, int m, int d, ta_date *out)
{
    if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX || m < 1 || m > 12 || d < 1 ||
        d > days_in_month(y, m))
        return 0;
    out->year = y;
    out->month = m;
    out->day = d;
    return 1;
}

/* The month of a three-letter abbreviation (English or Indonesian, with
 * the older spellings PEB and NOP), any case; 0 when it is none. The letters are packed into one integer so a
 * lookup is a few integer compares. */
static int month_abbrev(const char *w)
{
#define K(a, b, c)                                                            \
    (((uint32_t)(a) << 16) | ((uint32_t)(b) << 8) | (uint32_t)(c))
    static const struct {
        uint32_t key;
        int month;
    } abbrevs[] = {
        {K('j', 'a', 'n'), 1},  {K('f', 'e', 'b'), 2},  {K('p', 'e', 'b'), 2},
        {K('m', 'a', 'r'), 3},
        {K('a', 'p', 'r'), 4},  {K('m', 'a', 'y'), 5},  {K('m', 'e', 'i'), 5},
        {K('j', 'u', 'n'), 6},  {K('j', 'u', 'l'), 7},  {K('a', 'u', 'g'), 8},
        {K('a', 'g', 'u'), 8},  {K('a', 'g', 't'), 8},  {K('s', 'e', 'p'), 9},
        {K('o', 'c', 't'), 10}, {K('o', 'k', 't'), 10}, {K('n', 'o', 'v'), 11},
        {K('n', 'o', 'p'), 11}, {K('d', 'e', 'c'), 12}, {K('d', 'e', 's'), 12},
    };
    uint32_t key = K(to_lower(w[0]), to_lower(w[1]), to_lower(w[2]));
#undef K
    for (size_t i = 0; i < sizeof abbrevs / sizeof abbrevs[0]; i++)
        if (abbrevs[i].key == key)
            return abbrevs[i].month;
    return 0;
}

/* The month of a full Indonesian month name w[0..n), any case, with the
 * older spellings Pebruari and Nopember (SPEC §3); 0 when it is none. */
static int month_name(const char *w, size_t n)
{
    static const struct {
        const char *name;
        int month;
    } names[] = {
        {"januari", 1},   {"februari", 2}, {"pebruari", 2},  {"maret", 3},
        {"april", 4},     {"mei", 5},      {"juni", 6},      {"juli", 7},
        {"agustus", 8},   {"september", 9}, {"oktober", 10}, {"november", 11},
        {"nopember", 11}, {"desember", 12},
    };
    for (size_t m = 0; m < sizeof names / sizeof names[0]; m++) {
        const char *name = names[m].name;
        size_t i = 0;
        while (i < n && name[i] != '\0' && to_lower(w[i]) == name[i])
            i++;
        if (i == n && name[i] == '\0')
            return names[m].month;
    }
    return 0;
}

/* Turns days since 1970-01-01 into a civil date (proleptic Gregorian).
 * The algorithm is H. Hinnant's "days_from_civil" inverse; it needs no
 * table and no loop. Only called with day counts of the serial range,
 * which are far from overflow. */
static void civil_from_days(long z, ta_date *out)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097; /* 0..146096 */
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* 0..365 */
    long mp = (5 * doy + 2) / 153;                      /* March = 0 */
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    out->year = (int)(yoe + era * 400 + (m <= 2));
    out->month = (int)m;
    out->day = (int)d;
}

/* An Excel serial day number: five digits already read (value whole), at p
 * an optional ".digits" fraction (the time of day, not read), then the
 * end of the date. */
static int parse_serial(int whole, const char *p, const char *end,
                        ta_date *out)
{
    if (p < end && *p == '.') {
        int ignored;
        p++;
        if (read_digits(&p, end, &ignored) == 0)
            return 0;
    }
    if (!at_date_end(p, end) || whole < SERIAL_MIN || whole > SERIAL_MAX)
        return 0;
    civil_from_days((long)whole - SERIAL_UNIX_EPOCH, out);
    return 1;
}

/* YYYY-M-D or YYYY/M/D, the year already read, p just past the first
 * separator sep. The date may be followed by a space or a 'T' (a time). */
static int parse_ymd(int year, char sep, const char *p, const char *end,
                     ta_date *out)
{
    int month, day;
    size_t n = read_digits(&p, end, &month);
    if (n < 1 || n > 2 || p == end || *p != sep)
        return 0;
    p++;
    n = read_digits(&p, end, &day);
    if (n < 1 || n > 2)
        return 0;
    if (!at_date_end(p, end) && *p != 'T' && *p != 't')
        return 0;
    return make_date(year, month, day, out);
}

/* D/M/YYYY or D-M-YYYY (the day read, p just past sep) or D-MON-YY[YY]. */
static int parse_dmy(int day, char sep, const char *p, const char *end,
                     ta_date *out)
{
    int month, year;
    size_t n;
    if (p < end && is_digit(*p)) {
        n = read_digits(&p, end, &month);
        if (n > 2 || p == end || *p != sep)
            return 0;
        p++;
        n = read_digits(&p, end, &year);
        if (n != 4 || !at_date_end(p, end))
            return 0;
        return make_date(year, month, day, out);
    }
    /* DD-MON-YY[YY]: exactly three letters, then '-' (dashes only, as
     * Oracle's DD-MON-YY that these exports come from). */
    if (sep != '-' || end - p < 4 || !is_alpha(p[0]) || !is_alpha(p[1]) ||
        !is_alpha(p[2]) || p[3] != '-')
        return 0;
    month = month_abbrev(p);
    if (month == 0)
        return 0;
    p += 4;
    n = read_digits(&p, end, &year);
    if ((n != 2 && n != 4) || !at_date_end(p, end))
        return 0;
    if (n == 2)
        year += 2000;
    return make_date(year, month, day, out);
}

/* D Month YYYY, the day read, p at the first space after it. */
static int parse_named(int day, const char *p, const char *end, ta_date *out)
{
    int month, year;
    const char *word;
    while (p < end && *p == ' ')
        p++;
    word = p;
    while (p < end && is_alpha(*p))
        p++;
    month = month_name(word, (size_t)(p - word));
    if (month == 0 || p == end || *p != ' ')
        return 0;
    while (p < end && *p == ' ')
        p++;
    if (read_digits(&p, end, &year) != 4 || !at_date_end(p, end))
        return 0;
    return make_date(year, month, day, out);
}

int date_parse(const char *s, size_t len, ta_date *out)
{
    const char *p = s, *end = s + len;
    int first;
    ta_date tmp;
    int ok = 0;
    size_t n;

    if (s == NULL || out == NULL)
        return 0;
    /* Every form starts with a run of digits whose length tells which
     * form can follow: 4 a year, 1-2 a day, 5 a serial. */
    n = read_digits(&p, end, &first);
    if (n == 0)
        return 0;
    if (n == 5 && (at_date_end(p, end) || *p == '.')) {
        ok = parse_serial(first, p, end, &tmp);
    } else if (p < end && (*p == '-' || *p == '/')) {
        char sep = *p++;
        if (n == 4)
            ok = parse_ymd(first, sep, p, end, &tmp);
        else if (n <= 2)
            ok = parse_dmy(first, sep, p, end, &tmp);
    } else if (p < end && *p == ' ' && n <= 2) {
        ok = parse_named(first, p, end, &tmp);
    }
    if (ok)
        *out = tmp;
    return ok;
}

/* Writes v as exactly width decimal digits (v is clamped to what fits, so
 * a corrupt struct cannot overrun buf). */
static void put_digits(char *buf, int v, int width)
{
    int max = 1;
    for (int i = 0; i < width; i++)
        max *= 10;
    if (v < 0)
        v = 0;
    if (v >= max)
        v = max - 1;
    for (int i = width - 1; i >= 0; i--) {
        buf[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void date_format(const ta_date *d, char buf[11])
{
    put_digits(buf, d->year, 4);
    buf[4] = '-';
    put_digits(buf + 5, d->month, 2);
    buf[7] = '-';
    put_digits(buf + 8, d->day, 2);
    buf[10] = '\0';
}

void date_period(const ta_date *d, char buf[8])
{
    put_digits(buf, d->year, 4);
    buf[4] = '-';
    put_digits(buf + 5, d->month, 2);
    buf[7] = '\0';
}

int date_period_valid(const char *s)
{
    for (int i = 0; i < 7; i++) {
        if (i == 4 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0; /* also stops at the NUL of a shorter string */
    }
    if (s[7] != '\0')
        return 0;
    int month = (s[5] - '0') * 10 + (s[6] - '0');
    return month >= 1 && month <= 12;
}

void date_iso_local(long long t, char buf[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm)) {
        snprintf(buf, 32, "1970-01-01T00:00:00+00:00");
        return;
    }
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, 32 - n, "%c%02ld:%02ld", sign, off / 60, off % 60);
}
