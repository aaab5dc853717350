/*
 * mask.h — masking of personal data (email addresses and phone numbers)
 * before it is shown in a report: the workbook now, the JSON output later.
 *
 * Every function reads len bytes of in (which need not be NUL-terminated)
 * and writes a NUL-terminated result of at most outlen - 1 bytes to out,
 * cut at a UTF-8 boundary when it does not fit. None allocates. Because
 * masked output is produced left to right, a cut result never shows a
 * digit or letter that the whole result would have hidden.
 *
 * The rules (docs/report.md, "Masking"):
 *   email  each address keeps the first character of its local part and
 *          its domain: budi.s@gmail.com -> b***@gmail.com. A piece without
 *          '@' (the field may hold several, separated by , ; / or spaces)
 *          is kept when it is at most 4 bytes (placeholders: -, x, n/a,
 *          null) and is otherwise its first character followed by ***.
 *   phone  digits are starred, other characters kept: with 12 or more
 *          digits the first 4 and last 4 stay (081234567890 ->
 *          0812****7890); with 8 to 11 the first 4 and last 2; with 1 to 7
 *          only the first.
 *   text   every email address (a run of local-part characters, '@', a
 *          run of domain characters) is masked as above, and every
 *          phone-like run — a digit or '+', then digits with single
 *          spaces or dashes between them, 8 digits or more — as a phone.
 *          Runs shaped like a date (2026-10-05, 05-10-2026) are kept.
 */
#ifndef TICKET_AUDIT_MASK_H
#define TICKET_AUDIT_MASK_H

#include <stddef.h>

/* Masks an email field. Returns the length written to out. */
size_t mask_email(const char *in, size_t len, char *out, size_t outlen);

/* Masks a phone/HP field. Returns the length written to out. */
size_t mask_phone(const char *in, size_t len, char *out, size_t outlen);

/* Masks every email address and phone-like number inside free text.
 * Returns the length written to out. */
size_t mask_text(const char *in, size_t len, char *out, size_t outlen);

#endif
