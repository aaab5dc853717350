/*
 * cellfmt.c — how a cell's value becomes its text (SPEC §3 "Cell text"),
 * shared by the .xlsx and .xls readers; see cellfmt.h.
 *
 * Choices SPEC leaves open, documented in docs/workbooks.md:
 *   - exponents are written E+n / E-n without leading zeros (1E-100,
 *     1.2E+20), as Excel writes them in its XML;
 *   - 1900 serial 0 is "1900-01-00" and 60 "1900-02-29" (what Excel shows;
 *     neither is a real date, so the importer's date rule rejects them);
 *   - serials past 9999-12-31 (Excel's last date) stay numbers;
 *   - a time-only format shows the time of day of any serial >= 0.
 */
#include "cellfmt.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

cf_kind cf_builtin_kind(unsigned long id)
{
    if ((id >= 14 && id <= 17) || id == 22)
        return CF_DATE;
    if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47))
        return CF_TIME;
    return CF_NUMBER;
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Length of "AM/PM" or "A/P" (either case) at s[i..n), or 0. */
static size_t ampm_len(const char *s, size_t i, size_t n)
{
    static const char *const forms[] = {"am/pm", "a/p"};
    for (size_t f = 0; f < 2; f++) {
        size_t k = strlen(forms[f]);
        if (n - i < k)
            continue;
        size_t j = 0;
        while (j < k && lower((unsigned char)s[i + j]) == forms[f][j])
            j++;
        if (j == k)
            return k;
    }
    return 0;
}

cf_kind cf_code_kind(const char *code, size_t n)
{
    /* The date/time tokens in order, one letter per run ("yyyy" -> 'y'),
     * to tell minutes from months afterwards. */
    char tok[64];
    size_t nt = 0;
    int any = 0, ampm = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)code[i];
        if (c == '"') {
            const char *q = memchr(code + i + 1, '"', n - i - 1);
            i = q ? (size_t)(q - code) + 1 : n;
            continue;
        }
        if (c == '[') {
            const char *q = memchr(code + i + 1, ']', n - i - 1);
            i = q ? (size_t)(q - code) + 1 : n;
            continue;
        }
        if (c == '\\' || c == '_' || c == '*') {
            i++;
            if (i < n) { /* the escaped character, whole if multi-byte */
                size_t k = utf8_seq((const unsigned char *)code + i, n - i,
                                    NULL, NULL);
                i += k ? k : 1;
            }
            continue;
        }
        size_t al = ampm_len(code, i, n);
        if (al) {
            ampm = any = 1;
            i += al;
            continue;
        }
        int lc = lower(c);
        if (lc == 'd' || lc == 'm' || lc == 'y' || lc == 'h' || lc == 's') {
            any = 1;
            if (nt == 0 || tok[nt - 1] != lc ||
                (i > 0 && lower((unsigned char)code[i - 1]) != lc)) {
                if (nt < sizeof tok)
                    tok[nt++] = (char)lc;
            }
        }
        i++;
    }
    if (!any)
        return CF_NUMBER;
    int time_only = 1;
    for (size_t k = 0; k < nt && time_only; k++) {
        char t = tok[k];
        if (t == 'd' || t == 'y')
            time_only = 0;
        else if (t == 'm') {
            int minutes = (k > 0 && tok[k - 1] == 'h') ||
                          (k + 1 < nt && tok[k + 1] == 's');
            if (!minutes)
                time_only = 0;
        }
    }
    (void)ampm;
    return time_only ? CF_TIME : CF_DATE;
}

static int is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Checks the XML number syntax of s[0..n) after trimming; returns the
 * trimmed bounds. */
static int number_syntax(const char *s, size_t n, size_t *b, size_t *e)
{
    size_t i = 0;
    while (i < n && is_xml_space(s[i]))
        i++;
    while (n > i && is_xml_space(s[n - 1]))
        n--;
    *b = i;
    *e = n;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    size_t digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0)
        return -1;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            ed++;
        }
        if (ed == 0)
            return -1;
    }
    return i == n ? 0 : -1;
}

int cf_parse_number(const char *s, size_t n, double *out)
{
    size_t b, e;
    if (number_syntax(s, n, &b, &e) != 0)
        return -1;
    char tmp[1024];
    if (e - b >= sizeof tmp)
        return -1;
    memcpy(tmp, s + b, e - b);
    tmp[e - b] = '\0';
    errno = 0;
    char *end;
    double v = strtod(tmp, &end);
    if (*end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* The shortest %.{14,15,16}e of x that reads back as x, split into its
 * significant digits (no trailing zeros) and decimal exponent. A normal
 * double has 53 bits: no two 15-digit decimals read back as the same one,
 * so when one of 15 digits or fewer reads back, %.14e finds it. A
 * subnormal has fewer bits: every precision from 1 digit is tried. */
static void shortest_digits(double x, char digits[40], size_t *nd, int *exp10)
{
    char buf[40];
    for (int prec = fabs(x) < DBL_MIN ? 0 : 14; prec <= 16; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec, x);
        if (prec == 16 || strtod(buf, NULL) == x)
            break;
    }
    /* buf is "[-]d.ddddde[+-]xx" */
    const char *p = buf;
    if (*p == '-')
        p++;
    size_t k = 0;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && k < 19)
            digits[k++] = *p;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    *nd = k;
    *exp10 = (*p == 'e') ? (int)strtol(p + 1, NULL, 10) : 0;
}

int cf_double_text(double x, ta_buf *out)
{
    if (x == 0)
        return buf_addc(out, '0');
    double ax = fabs(x);
    if (ax < 9007199254740992.0 && x == floor(x)) {
        /* an integer below 2^53: in full */
        char b[20];
        size_t k = sizeof b;
        unsigned long long u = (unsigned long long)ax;
        do
            b[--k] = (char)('0' + u % 10);
        while ((u /= 10) > 0);
        if (x < 0)
            b[--k] = '-';
        return buf_add(out, b + k, sizeof b - k);
    }
    char d[40];
    size_t nd;
    int e;
    shortest_digits(x, d, &nd, &e);
    if (x < 0 && buf_addc(out, '-'))
        return -1;
    if (ax >= 1e-4 && ax < 1e15) {
        if (e >= 0) {
            size_t ip = (size_t)e + 1; /* digits before the point */
            for (size_t i = 0; i < ip; i++)
                if (buf_addc(out, i < nd ? d[i] : '0'))
                    return -1;
            if (nd > ip) {
                if (buf_addc(out, '.') || buf_add(out, d + ip, nd - ip))
                    return -1;
            }
            return 0;
        }
        if (buf_add(out, "0.", 2))
            return -1;
        for (int i = 0; i < -e - 1; i++)
            if (buf_addc(out, '0'))
                return -1;
        return buf_add(out, d, nd);
    }
    if (buf_addc(out, d[0]))
        return -1;
    if (nd > 1 && (buf_addc(out, '.') || buf_add(out, d + 1, nd - 1)))
        return -1;
    return buf_printf(out, "E%c%d", e < 0 ? '-' : '+', e < 0 ? -e : e);
}

/* Plain decimals of at most 15 significant digits, the bulk of what
 * workbooks hold, are their own shortest form once leading and trailing
 * zeros go (DBL_DIG is 15: such a decimal reads back unchanged). Returns 1
 * when handled, 0 to take the general path, -1 memory. */
static int number_fast(const char *s, size_t n, ta_buf *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && s[i] == '-') {
        neg = 1;
        i++;
    }
    size_t ib = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t ie = i;
    if (ie == ib)
        return 0;
    size_t fb = ie, fe = ie;
    if (i < n && s[i] == '.') {
        fb = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        fe = i;
        if (fe == fb)
            return 0;
    }
    if (i != n)
        return 0;
    while (ib < ie - 1 && s[ib] == '0')
        ib++;
    while (fe > fb && s[fe - 1] == '0')
        fe--;
    int int_zero = (ie - ib == 1 && s[ib] == '0');
    size_t sig;
    if (!int_zero)
        sig = (ie - ib) + (fe - fb);
    else {
        size_t z = fb;
        while (z < fe && s[z] == '0')
            z++;
        if (z == fe)
            return buf_addc(out, '0') ? -1 : 1; /* zero, -0 included */
        if (z - fb > 3)
            return 0; /* below 1e-4: exponent form */
        sig = fe - z;
    }
    if (sig > 15)
        return 0;
    if (neg && buf_addc(out, '-'))
        return -1;
    if (buf_add(out, s + ib, ie - ib))
        return -1;
    if (fe > fb && (buf_addc(out, '.') || buf_add(out, s + fb, fe - fb)))
        return -1;
    return 1;
}

int cf_number_text(const char *s, size_t n, ta_buf *out)
{
    int f = number_fast(s, n, out);
    if (f)
        return f < 0 ? -1 : 0;
    double v;
    if (cf_parse_number(s, n, &v) != 0)
        return -2;
    return cf_double_text(v, out);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm), and back. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

/* Dates and times are the bulk of a workbook's numbers: written by hand,
 * not with printf. */
static int put_date(ta_buf *out, long y, unsigned m, unsigned d)
{
    if (y < 0 || y > 9999)
        return buf_printf(out, "%04ld-%02u-%02u", y, m, d);
    char b[10] = {(char)('0' + y / 1000),
                  (char)('0' + y / 100 % 10),
                  (char)('0' + y / 10 % 10),
                  (char)('0' + y % 10),
                  '-',
                  (char)('0' + m / 10),
                  (char)('0' + m % 10),
                  '-',
                  (char)('0' + d / 10),
                  (char)('0' + d % 10)};
    return buf_add(out, b, sizeof b);
}

static int put_time(ta_buf *out, long secs)
{
    long h = secs / 3600, mi = secs / 60 % 60, s = secs % 60;
    if (h > 99)
        return buf_printf(out, "%02ld:%02ld:%02ld", h, mi, s);
    char b[8] = {(char)('0' + h / 10),  (char)('0' + h % 10),  ':',
                 (char)('0' + mi / 10), (char)('0' + mi % 10), ':',
                 (char)('0' + s / 10),  (char)('0' + s % 10)};
    return buf_add(out, b, sizeof b);
}

/* Excel's last date, 9999-12-31, as a 1900-system serial. */
#define CF_MAX_SERIAL_1900 2958465L
#define CF_1904_OFFSET 1462L /* 1904-01-01 is 1900 serial 1462 */

int cf_serial_text(double serial, int date1904, cf_kind kind, ta_buf *out)
{
    long max =
        date1904 ? CF_MAX_SERIAL_1900 - CF_1904_OFFSET : CF_MAX_SERIAL_1900;
    if (!isfinite(serial) || serial < 0 || serial >= (double)max + 1)
        return 0;
    double fl = floor(serial);
    long days = (long)fl;
    long secs = (long)floor((serial - fl) * 86400.0 + 0.5);
    if (secs >= 86400) {
        secs -= 86400;
        days++;
    }
    if (kind == CF_TIME)
        return put_time(out, secs) ? -1 : 1;
    if (days > max)
        return 0;
    int rc;
    if (date1904) {
        long y;
        unsigned m, d;
        civil_from_days(days_from_civil(1904, 1, 1) + days, &y, &m, &d);
        rc = put_date(out, y, m, d);
    } else if (days == 0)
        rc = buf_adds(out, "1900-01-00");
    else if (days == 60)
        rc = buf_adds(out, "1900-02-29");
    else {
        /* Excel counts 1900 as a leap year: from serial 61 on, day 0 is
         * 1899-12-30; before it, 1899-12-31. */
        long base = days_from_civil(1899, 12, days < 60 ? 31 : 30);
        long y;
        unsigned m, d;
        civil_from_days(base + days, &y, &m, &d);
        rc = put_date(out, y, m, d);
    }
    if (rc == 0 && secs != 0)
        rc = buf_addc(out, ' ') || put_time(out, secs);
    return rc ? -1 : 1;
}

/* Reads exactly k digits at s[*i]; -1 when they are not there. */
static long digits_at(const char *s, size_t n, size_t *i, size_t k)
{
    if (n - *i < k)
        return -1;
    long v = 0;
    for (size_t j = 0; j < k; j++) {
        char c = s[*i + j];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *i += k;
    return v;
}

/* HH:MM[:SS[.fff]] at s[*i]: the seconds since midnight, rounded half up
 * (86400 possible), or -1. */
static long iso_time(const char *s, size_t n, size_t *i)
{
    long h = digits_at(s, n, i, 2);
    if (h < 0 || h > 23 || *i >= n || s[*i] != ':')
        return -1;
    (*i)++;
    long mi = digits_at(s, n, i, 2);
    if (mi < 0 || mi > 59)
        return -1;
    long sec = 0;
    int up = 0;
    if (*i < n && s[*i] == ':') {
        (*i)++;
        sec = digits_at(s, n, i, 2);
        if (sec < 0 || sec > 59)
            return -1;
        if (*i < n && (s[*i] == '.' || s[*i] == ',')) {
            (*i)++;
            size_t fd = *i;
            while (*i < n && s[*i] >= '0' && s[*i] <= '9')
                (*i)++;
            if (*i == fd)
                return -1;
            up = s[fd] >= '5';
        }
    }
    return h * 3600 + mi * 60 + sec + up;
}

/* Z, +hh[:mm] or -hh[:mm] at s[*i] (skipped: Excel keeps no zone). */
static int iso_zone(const char *s, size_t n, size_t *i)
{
    if (*i < n && s[*i] == 'Z') {
        (*i)++;
        return 0;
    }
    if (*i < n && (s[*i] == '+' || s[*i] == '-')) {
        (*i)++;
        if (digits_at(s, n, i, 2) < 0)
            return -1;
        if (*i < n && s[*i] == ':')
            (*i)++;
        if (*i < n && digits_at(s, n, i, 2) < 0)
            return -1;
    }
    return 0;
}

int cf_iso_text(const char *s, size_t n, ta_buf *out)
{
    size_t b = 0;
    while (b < n && is_xml_space(s[b]))
        b++;
    while (n > b && is_xml_space(s[n - 1]))
        n--;
    size_t i = b;
    if (n - b >= 3 && s[b + 2] == ':') { /* time only */
        long t = iso_time(s, n, &i);
        if (t < 0 || iso_zone(s, n, &i) || i != n)
            return 0;
        return put_time(out, t % 86400) ? -1 : 1;
    }
    long y = digits_at(s, n, &i, 4);
    if (y < 0 || i >= n || s[i] != '-')
        return 0;
    i++;
    long m = digits_at(s, n, &i, 2);
    if (m < 1 || m > 12 || i >= n || s[i] != '-')
        return 0;
    i++;
    long d = digits_at(s, n, &i, 2);
    if (d < 1)
        return 0;
    long days = days_from_civil(y, (unsigned)m, (unsigned)d);
    long yy;
    unsigned mm, dd;
    civil_from_days(days, &yy, &mm, &dd);
    if (yy != y || mm != (unsigned)m || dd != (unsigned)d)
        return 0; /* not a real calendar date (2021-02-30) */
    long t = 0;
    if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
        i++;
        t = iso_time(s, n, &i);
        if (t < 0 || iso_zone(s, n, &i))
            return 0;
    }
    if (i != n)
        return 0;
    if (t >= 86400) {
        t -= 86400;
        civil_from_days(days + 1, &yy, &mm, &dd);
    }
    if (put_date(out, yy, mm, dd))
        return -1;
    if (t != 0 && (buf_addc(out, ' ') || put_time(out, t)))
        return -1;
    return 1;
}

size_t cf_utf16_units(const char *s, size_t n)
{
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            u += c >= 0xF0 ? 2 : 1;
    }
    return u;
}

int cf_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The code point of an _xHHHH_ escape at s[i], or -1. */
static long x_escape(const char *s, size_t n, size_t i)
{
    if (n - i < 7 || s[i] != '_' || s[i + 1] != 'x' || s[i + 6] != '_')
        return -1;
    long v = 0;
    for (size_t k = 2; k < 6; k++) {
        int h = cf_hexval(s[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static int is_trim(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

#define CF_ONES 0x0101010101010101ULL
#define CF_HIGHS 0x8080808080808080ULL
#define CF_HASZERO(w) (((w)-CF_ONES) & ~(w)&CF_HIGHS)
#define CF_HASLESS(w, k) (((w)-CF_ONES * (k)) & ~(w)&CF_HIGHS)

/* 1 when s[0..n) is printable ASCII without '_': nothing to decode or
 * replace (most cells). */
static int plain_ascii(const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w & CF_HIGHS) || CF_HASLESS(w, 0x20) ||
            CF_HASZERO(w ^ (CF_ONES * '_')) ||
            CF_HASZERO(w ^ (CF_ONES * 0x7F)))
            return 0;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7F || c == '_')
            return 0;
    }
    return 1;
}

int cf_text(const char *s, size_t n, int xesc, ta_buf *out, size_t *units)
{
    if (plain_ascii(s, n)) {
        if (units)
            *units = n;
        size_t lead = 0;
        while (lead < n && s[lead] == ' ')
            lead++;
        while (n > lead && s[n - 1] == ' ')
            n--;
        return buf_add(out, s + lead, n - lead);
    }
    /* Decoding never makes the text longer: an escape (7 bytes) is at most
     * 4 bytes, a C1 control (2 bytes) one space. */
    if (buf_reserve(out, n))
        return -1;
    size_t start = out->len;
    char *w = out->p + start;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != 0x7F && c != '_' && c != 0xC2) {
            *w++ = (char)c;
            i++;
            continue;
        }
        if (c == '_') {
            long cp = xesc ? x_escape(s, n, i) : -1;
            if (cp < 0) {
                *w++ = '_';
                i++;
                continue;
            }
            i += 7;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                long lo = x_escape(s, n, i);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 7;
                } else
                    cp = 0xFFFD;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF)
                cp = 0xFFFD;
            if (cp < 0x20 && cp != '\t' && cp != '\r' && cp != '\n')
                cp = ' ';
            else if (cp >= 0x7F && cp <= 0x9F)
                cp = ' ';
            char enc[4];
            size_t k = utf8_encode((uint32_t)cp, enc);
            memcpy(w, enc, k);
            w += k;
            continue;
        }
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9F) {
            *w++ = ' '; /* a C1 control */
            i += 2;
            continue;
        }
        if (c == 0xC2) {
            *w++ = (char)c;
            i++;
            continue;
        }
        /* C0 control or DEL */
        *w++ = (c == '\t' || c == '\r' || c == '\n') ? (char)c : ' ';
        i++;
    }
    size_t len = (size_t)(w - (out->p + start));
    if (units)
        *units = cf_utf16_units(out->p + start, len);
    char *t = out->p + start;
    size_t lead = 0;
    while (lead < len && is_trim(t[lead]))
        lead++;
    while (len > lead && is_trim(t[len - 1]))
        len--;
    if (lead)
        memmove(t, t + lead, len - lead);
    out->len = start + (len - lead);
    out->p[out->len] = '\0';
    return 0;
}
