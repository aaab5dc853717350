/*
 * ta.c — status strings, exit statuses and the names of sources and fields.
 */
#include "ta.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "interrupt.h"

static const char *const status_text[] = {
    [TA_OK] = "success",
    [TA_E_USAGE] = "usage error",
    [TA_E_DATA] = "data error",
    [TA_E_NOINPUT] = "input file missing",
    [TA_E_CANTCREAT] = "cannot create output",
    [TA_E_IO] = "input/output error",
    [TA_E_NOMEM] = "out of memory",
    [TA_E_BELOW] = "below threshold",
    [TA_E_INTERRUPTED] = "interrupted",
};

const char *ta_strerror(ta_status st)
{
    if ((unsigned)st < sizeof status_text / sizeof status_text[0])
        return status_text[st];
    return "unknown error";
}

int ta_exit_status(ta_status st)
{
    switch (st) {
    case TA_OK:
        return 0;
    case TA_E_BELOW:
        return 1;
    case TA_E_USAGE:
        return 2;
    case TA_E_DATA:
        return 65;
    case TA_E_NOINPUT:
        return 66;
    case TA_E_CANTCREAT:
        return 73;
    case TA_E_IO:
    case TA_E_NOMEM:
        return 74;
    case TA_E_INTERRUPTED:
        /* 128 + the signal, as a shell reports a process it killed. */
        return 128 + (interrupt_pending() ? interrupt_pending() : SIGINT);
    }
    return 74;
}

static const char *const source_names[TA_SRC_COUNT] = {"crm", "apkt", "ap2t"};

const char *ta_source_name(ta_source src)
{
    if (src >= 0 && src < TA_SRC_COUNT)
        return source_names[src];
    return "";
}

ta_source ta_source_parse(const char *name)
{
    for (int i = 0; i < TA_SRC_COUNT; i++)
        if (name && strcasecmp(name, source_names[i]) == 0)
            return (ta_source)i;
    return TA_SRC_NONE;
}

static const char *const field_names[TA_F_COUNT] = {
    "ticket_id", "crm_ticket", "date",  "type",  "name",
    "email",     "hp",         "phone", "cso",   "urgency",
    "emotion",   "relation",   "idpel", "notes", "media",
};

const char *ta_field_name(ta_field f)
{
    if (f >= 0 && f < TA_F_COUNT)
        return field_names[f];
    return "";
}

int ta_field_parse(const char *name)
{
    for (int i = 0; i < TA_F_COUNT; i++)
        if (name && strcasecmp(name, field_names[i]) == 0)
            return i;
    return -1;
}

void ta_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}
