/*
 * ta.h — the few definitions every ticket-audit module shares: the status
 * codes that travel up to main (which alone turns them into exit statuses),
 * the three source systems and the canonical ticket fields of SPEC §3.
 *
 * Nothing here allocates or does I/O.
 */
#ifndef TICKET_AUDIT_TA_H
#define TICKET_AUDIT_TA_H

#include <stddef.h>

#define TA_VERSION "0.1.0"

#if defined(__GNUC__)
#define TA_WUR __attribute__((warn_unused_result))
/* A printf-like function: argument f is the format, the values start at
 * argument a (0 for a va_list), so the compiler checks every call. */
#define TA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TA_WUR
#define TA_PRINTF(f, a)
#endif

/* Status of an operation. Each maps to one exit status of SPEC §2
 * (see ta_exit_status). The detailed message lives on the object or in
 * the error buffer the caller passed. */
typedef enum ta_status {
    TA_OK = 0,      /* success */
    TA_E_USAGE,     /* bad command line or option value            -> 2  */
    TA_E_DATA,      /* input is not a readable export / bad rules  -> 65 */
    TA_E_NOINPUT,   /* an input file is missing or unreadable      -> 66 */
    TA_E_CANTCREAT, /* cannot create an output file or database    -> 73 */
    TA_E_IO,        /* read/write error, database error             -> 74 */
    TA_E_NOMEM,     /* out of memory                                -> 74 */
    TA_E_BELOW,     /* check: compliance or rejects beyond limits   -> 1  */
    TA_E_INTERRUPTED /* SIGINT / SIGTERM received (interrupt.h)   -> 130/143 */
} ta_status;

/* A short English description of a status, never NULL. */
const char *ta_strerror(ta_status st);

/* The process exit status of SPEC §2 for a status. */
int ta_exit_status(ta_status st);

/* Writes a printf-formatted message to err (errlen bytes, cut to fit);
 * nothing when err is NULL or errlen 0. The error formatter of the
 * modules that keep their message in the caller's buffer. */
void ta_errf(char *err, size_t errlen, const char *fmt, ...) TA_PRINTF(3, 4);

/* The three systems whose exports are read. */
typedef enum ta_source {
    TA_SRC_NONE = -1,
    TA_SRC_CRM = 0,
    TA_SRC_APKT = 1,
    TA_SRC_AP2T = 2,
    TA_SRC_COUNT = 3
} ta_source;

/* "crm", "apkt", "ap2t" (or "" for TA_SRC_NONE). */
const char *ta_source_name(ta_source src);

/* Parses "crm"/"apkt"/"ap2t" (case-insensitive); TA_SRC_NONE otherwise. */
ta_source ta_source_parse(const char *name);

/* The canonical fields of SPEC §3, in the order of the tickets table. */
typedef enum ta_field {
    TA_F_TICKET_ID = 0,
    TA_F_CRM_TICKET,
    TA_F_DATE,
    TA_F_TYPE,
    TA_F_NAME,
    TA_F_EMAIL,
    TA_F_HP,
    TA_F_PHONE,
    TA_F_CSO,
    TA_F_URGENCY,
    TA_F_EMOTION,
    TA_F_RELATION,
    TA_F_IDPEL,
    TA_F_NOTES,
    TA_F_MEDIA,
    TA_F_COUNT
} ta_field;

/* Snake-case column name of a field ("ticket_id", "crm_ticket", ...). */
const char *ta_field_name(ta_field f);

/* Parses a field name as ta_field_name spells it; -1 when unknown. */
int ta_field_parse(const char *name);

#endif
