/*
 * cellfmt.h — SPEC §3 "Cell text" for both workbook formats: numbers in
 * their shortest round-trip form, Excel serials as dates and times, number
 * format codes classified as date/time, ISO dates of t="d" cells, and the
 * cleaning every string gets (_xHHHH_ escapes, control characters, trim,
 * the 32,767 UTF-16 unit count). Private to src/input/.
 *
 * Every function appends to a ta_buf and returns 0, or -1 when the buffer
 * could not grow (out of memory or over its ceiling: the caller tells the
 * two apart by the ceiling). Nothing here knows XML, zip or BIFF.
 */
#ifndef TICKET_AUDIT_CELLFMT_H
#define TICKET_AUDIT_CELLFMT_H

#include <stddef.h>

#include "buf.h"

/* What a number format makes of a number. */
typedef enum cf_kind {
    CF_NUMBER = 0, /* shown as a number */
    CF_DATE,       /* a date, with its time of day when it has one */
    CF_TIME        /* a time of day only (no day, month or year part) */
} cf_kind;

/* The kind of a built-in number format id: 14-17, 22 dates; 18-21,
 * 45-47 times; anything else CF_NUMBER. */
cf_kind cf_builtin_kind(unsigned long id);

/* The kind of a format code (SPEC: d, m, y, h or s in either case outside
 * "...", [...] and characters escaped by \, _ or *). A code is CF_TIME when
 * its only date/time tokens are h, s, AM/PM, A/P and m next to h or s
 * (minutes). */
cf_kind cf_code_kind(const char *code, size_t n);

/* Parses an XML number (optional sign, digits, optional fraction, optional
 * exponent, surrounding XML white space allowed; no hex, inf or nan) into
 * *out. 0, or -1 when s is not such a number or is out of double range. */
int cf_parse_number(const char *s, size_t n, double *out);

/* Appends x in SPEC's form: an integer below 2^53 in full; otherwise the
 * shortest of 15, 16, 17 significant digits that reads back as x, without
 * exponent when 1e-4 <= |x| < 1e15, else as d[.ddd]E+n / E-n (exponent
 * with sign, no leading zeros: 1E-100, 1.2E+20). -0 is "0". */
int cf_double_text(double x, ta_buf *out);

/* Appends the number text of an XML value s (cf_parse_number then
 * cf_double_text, with a fast path for plain decimals). 0, -1 memory, -2
 * not a number. */
int cf_number_text(const char *s, size_t n, ta_buf *out);

/* Appends an Excel serial as a date or time (kind CF_DATE or CF_TIME) in
 * the 1900 (date1904 == 0) or 1904 system: YYYY-MM-DD, plus " HH:MM:SS"
 * rounded to the nearest second when there is a time of day; HH:MM:SS
 * alone for CF_TIME. 1900 serial 0 is "1900-01-00" and 60 "1900-02-29",
 * as Excel shows them. Returns 1 when appended, 0 when the serial is no
 * date (negative, past 9999-12-31, not finite: the caller shows the number
 * instead), -1 memory. */
int cf_serial_text(double serial, int date1904, cf_kind kind, ta_buf *out);

/* Appends the text of an ISO 8601 cell (t="d"): YYYY-MM-DD[THH:MM[:SS[.f]]]
 * [Z|+hh:mm] or HH:MM[:SS[.f]], read like a date-formatted number (time
 * rounded to the second, 00:00:00 left out after a date). Returns 1 when
 * converted, 0 when s is not such a date (nothing appended), -1 memory. */
int cf_iso_text(const char *s, size_t n, ta_buf *out);

/* Appends a cell string: _xHHHH_ escapes decoded when xesc (one left to
 * right pass; a surrogate pair of escapes is one character, a lone
 * surrogate U+FFFD), every control character but TAB, CR and LF (C0, DEL,
 * C1) made a space, then spaces, tabs, CR and LF trimmed at both ends.
 * s must be valid UTF-8. *units (when not NULL) gets the UTF-16 length of
 * the decoded text before trimming. */
int cf_text(const char *s, size_t n, int xesc, ta_buf *out, size_t *units);

/* The UTF-16 length of valid UTF-8 s. */
size_t cf_utf16_units(const char *s, size_t n);

/* The value of a hexadecimal digit (either case), or -1. */
int cf_hexval(char c);

#endif
