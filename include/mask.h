/*
 * mask.h — masking of personal data (email addresses and phone numbers)
 * before it is shown: the workbooks, the JSON, messages on the terminal.
 *
 * Every function reads len bytes of in (which need not be NUL-terminated)
 * and writes a NUL-terminated result of at most outlen - 1 bytes to out,
 * cut at a UTF-8 boundary when it does not fit (nothing is written when
 * outlen is 0). None allocates. The whole result is at most 2 * len bytes
 * (an address grows by "***", and an address takes at least 3 bytes), so
 * an out of 2 * len + 1 bytes is never cut. Masked output is produced left
 * to right, so a cut result is a prefix of the whole result: it never
 * shows a digit or letter that the whole result would have hidden. The
 * result is valid UTF-8 when the input is.
 *
 * The rules (SPEC section 5; docs/report.md, "Masking", has the table):
 *   word    a run of characters delimited by white space, ',' or ';'
 *           (in an Email cell also '/', which separates its addresses).
 *   email   a word holding '@' with something on each side. It keeps the
 *           first character of its local part and its domain:
 *           budi.s@gmail.com -> b***@gmail.com. ASCII brackets and quotes
 *           before it and brackets, quotes and . , : ! ? after it are kept
 *           as punctuation: (budi@x.id). -> (b***@x.id). A phone number
 *           inside the domain is masked too.
 *   phone   a run of at least 7 digits (ASCII or full-width), perhaps after
 *           '+', whose groups are separated by a run of spaces or tabs
 *           (any Unicode space), or by one - – . / (also the other dashes,
 *           the minus sign and the full-width forms) with or without
 *           spaces around it, or put in parentheses; a line break ends
 *           it. A number of d digits shows its first min(4, ceil((d-4)/2))
 *           and last min(4, floor((d-4)/2)) digits, counted over the
 *           digits as written (+62 812... starts 6281), and hides at least
 *           4, one '*' per hidden digit; separators, '+' and parentheses
 *           keep their place.
 *   date    a date that date_parse (include/date.h) reads is not a phone
 *           number: 2026-10-05, 05/10/2026, 05-OKT-2026, 5 Oktober 2026,
 *           and an Excel serial such as 46300.5 when it stands alone.
 *   other   text that holds no address and no number is shown as it is
 *           (tidak punya email, -, 021555).
 *
 * Messages on the terminal (errors, reasons of rejected rows) are masked
 * with mask_text, or with mask_text_keep when they quote a ticket number.
 */
#ifndef TICKET_AUDIT_MASK_H
#define TICKET_AUDIT_MASK_H

#include <stddef.h>

/* An identifier that is shown as it is (SPEC section 5: ticket_id,
 * crm_ticket, the review key): s[0..len), compared byte for byte. */
typedef struct mask_keep {
    const char *s;
    size_t len;
} mask_keep;

/* Masks an Email cell: every address and number in it, the cell read as
 * text whose words are also separated by '/'. A cell with neither (-,
 * tidak punya email) is copied. Returns the length written to out. */
size_t mask_email(const char *in, size_t len, char *out, size_t outlen);

/* Masks an HP cell: every phone number in it (081234567890 ->
 * 0812****7890), the cell read as text. A cell with no number of 7 digits
 * or more (-, tidak ada, 0878xxxxxxx) is copied. Returns the length
 * written to out. */
size_t mask_phone(const char *in, size_t len, char *out, size_t outlen);

/* Masks every email address and phone number inside free text (a notes
 * excerpt, the raw text of a rejected row, a message). Returns the length
 * written to out. */
size_t mask_text(const char *in, size_t len, char *out, size_t outlen);

/* mask_text, except that the nkeep identifiers of keep (keep may be NULL
 * when nkeep is 0) are copied unmasked wherever they stand as a word (the
 * word perhaps in brackets or quotes) or where a number would start, not
 * followed by a letter or digit. For the raw text of a rejected row, pass
 * its ticket_id and crm_ticket:
 *
 *     mask_keep ids[] = {{tid, strlen(tid)}, {crm, strlen(crm)}};
 *     n = mask_text_keep(raw, rawlen, ids, 2, buf, sizeof buf);
 *
 * Returns the length written to out. */
size_t mask_text_keep(const char *in, size_t len, const mask_keep *keep,
                      size_t nkeep, char *out, size_t outlen);

#endif
