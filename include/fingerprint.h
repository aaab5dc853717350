/*
 * fingerprint.h — a ticket's fingerprint, the third part of the review key
 * `<source>:<ticket_id>:<fingerprint>` (SPEC §5 "Review", docs/review.md).
 *
 * It is computed from the ticket's imported fields alone — source and
 * every canonical field of SPEC §3 as stored in `tickets` (trimmed,
 * ticket_id and cso with white space collapsed), an absent column (NULL)
 * told apart from an empty cell — and never from its file, line, import or
 * verdict. So a re-import that changes any field changes it, and a
 * re-import of the same values (another file, another export layout that
 * carries the same columns) does not.
 *
 * The value: the first 6 bytes of SHA-256 over the fields, each written as
 * a tag byte ('-' for NULL, '=' followed by its length as 8 bytes little
 * endian and its bytes otherwise), as 12 lower-case hex digits. 48 bits:
 * the chance that a changed ticket keeps its fingerprint is 2^-48.
 */
#ifndef TICKET_AUDIT_FINGERPRINT_H
#define TICKET_AUDIT_FINGERPRINT_H

#include <stddef.h>

#include "ta.h"

/* Hex digits of a fingerprint and its NUL. */
#define FINGERPRINT_SIZE 13

/* Writes the fingerprint of a ticket of source src whose field f holds
 * v[f][0..len[f]) (v[f] NULL: no such column; the cso column is stored as
 * '' when absent, so pass "" for it then). */
void fingerprint_ticket(ta_source src, const char *const v[TA_F_COUNT],
                        const size_t len[TA_F_COUNT],
                        char out[FINGERPRINT_SIZE]);

/* Registers the SQL function ta_fingerprint(source, ticket_id,
 * crm_ticket, date, type, name, email, hp, phone, cso, urgency, emotion,
 * relation, idpel, notes, media) on db (the columns in ta_field order,
 * date as stored), which returns the same value; used to fill the
 * fingerprints of tickets imported before they existed. 0 on success. */
typedef struct sqlite3 sqlite3;
int fingerprint_register_sql(sqlite3 *db);

#endif
