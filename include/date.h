/*
 * date.h — the date forms of SPEC §3 ("Dates"), day before month always.
 *
 * Reads the start of a field: YYYY-MM-DD, YYYY/MM/DD (optionally followed
 * by a space or 'T'/'t' and anything), DD/MM/YYYY, DD-MM-YYYY,
 * DD-MON-YY[YY] with English or Indonesian month abbreviations (PEB and NOP
 * too), "DD Month YYYY" with Indonesian month names (Pebruari and Nopember
 * too), and Excel serial day numbers 20000-80000 with an optional
 * fraction. Whatever follows the first space (for DD Month YYYY, the first
 * three words) is not read. Pure functions, no allocation.
 *
 * Choices the spec left open (docs/dates.md has the full list):
 * - any real calendar date whatever its year: a written year has exactly
 *   four digits, 0001-9999 (0000 and five-digit years are refused; two-digit
 *   years are 20YY); Excel serials keep their own range 20000-80000
 *   (1954-10-03..2119-01-11);
 * - day and month take one or two digits in every numeric form, ISO
 *   included ("2026-3-5"); a year takes exactly four digits (two or four
 *   in DD-MON-YY[YY]); a serial exactly five, fraction ".digits" only;
 * - the separators of one date must be the same ("2026-03/15" is refused);
 * - in "DD Month YYYY" the words may be separated by runs of spaces.
 */
#ifndef TICKET_AUDIT_DATE_H
#define TICKET_AUDIT_DATE_H

#include <stddef.h>

/* A calendar date. */
typedef struct ta_date {
    int year, month, day;
} ta_date;

/* Parses s[0..len) (already trimmed). Returns 1 and fills *out when the
 * field holds one of the forms above and is a real calendar date
 * (leap years included), 0 otherwise (*out is then left untouched). */
int date_parse(const char *s, size_t len, ta_date *out);

/* Writes "YYYY-MM-DD" (11 bytes with NUL) to buf. */
void date_format(const ta_date *d, char buf[11]);

/* Writes the period "YYYY-MM" (8 bytes with NUL) to buf. */
void date_period(const ta_date *d, char buf[8]);

/* 1 when s is a period as --period takes it: exactly "YYYY-MM", four
 * digits, a dash, a month 01-12 (any year: a period names the month of
 * the data, whatever the date forms accept). The one check of the
 * command line and the report. */
int date_period_valid(const char *s);

/* Writes the moment t (seconds since the epoch) as local time in ISO 8601
 * with its UTC offset, "2026-12-01T14:05:09+07:00" (26 bytes with the
 * NUL; "+00:00" in UTC), as SPEC §5 wants the time a decision was read
 * and a workbook was made. The only function here that reads the time
 * zone (TZ, /etc/localtime). */
void date_iso_local(long long t, char buf[32]);

#endif
