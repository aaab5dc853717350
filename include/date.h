/*
 * date.h — the date forms of SPEC §3 ("Dates"), day before month always.
 *
 * Reads the start of a field: YYYY-MM-DD, YYYY/MM/DD (optionally followed
 * by a space or 'T' and anything), DD/MM/YYYY, DD-MM-YYYY, DD-MON-YY[YY]
 * with English or Indonesian month abbreviations, "DD Month YYYY" with
 * Indonesian month names, and Excel serial day numbers 20000-80000 with an
 * optional fraction. Whatever follows the first space (for DD Month YYYY,
 * the first three words) is not read. Pure functions, no allocation.
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
 * (leap years included), 0 otherwise. */
int date_parse(const char *s, size_t len, ta_date *out);

/* Writes "YYYY-MM-DD" (11 bytes with NUL) to buf. */
void date_format(const ta_date *d, char buf[11]);

#endif
