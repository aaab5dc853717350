/*
 * xlsx_xml.c — the XML helpers the .xlsx back end's files share
 * (xlsx_shared.h): the parser engine, parsing a whole part, attributes,
 * numbers. Below xlsx.c, xlsx_parts.c and xlsx_sheet.c, so that none of
 * them needs another for these.
 */
#include "xlsx_shared.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wx_engine xlsx_engine(const wb_reader *r)
{
    return r->opt.xml_reference ? WX_EXPAT : WX_FAST;
}

const wx_attr *xlsx_attr(const wx_attr *a, size_t na, const char *name,
                         size_t len)
{
    for (size_t i = 0; i < na; i++)
        if (a[i].nlen == len && memcmp(a[i].name, name, len) == 0)
            return &a[i];
    return NULL;
}

int xlsx_ulong(const char *v, size_t n, unsigned long max, unsigned long *out)
{
    size_t i = 0;
    while (i < n &&
           (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n'))
        i++;
    while (n > i && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' ||
                     v[n - 1] == '\n'))
        n--;
    if (i == n)
        return -1;
    unsigned long x = 0;
    for (; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        unsigned d = (unsigned)(v[i] - '0');
        if (x > (max - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *out = x;
    return 0;
}

/* ---- parsing a part ----------------------------------------------------- */

ta_status xlsx_parse_part(wb_reader *r, xlsx *x, const char *part,
                          wx_engine engine, const wx_handler *h, void *ctx,
                          ta_status *handler_status)
{
    long i = wz_find(x->zip, part);
    if (i < 0)
        return wb_fail_part(
            r, TA_E_DATA, part,
            "the part is missing from the archive; " WB_RESAVE);
    char zerr[256];
    wz_entry *e = NULL;
    ta_status st = wz_entry_open(x->zip, (size_t)i, &e, zerr, sizeof zerr);
    if (st != TA_OK) {
        if (st == TA_E_NOMEM)
            return wb_fail(r, st, "out of memory");
        return wb_fail_part(r, st, part, "%s; %s", zerr,
                            st == TA_E_DATA ? WB_RESAVE : "check the disk");
    }
    wx_parser *p = wx_new(e, engine, h, ctx);
    if (!p) {
        wz_entry_close(e);
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    }
    int rc;
    do
        rc = wx_run(p);
    while (rc == WX_R_PAUSE);
    switch (rc) {
    case WX_R_DONE:
        st = TA_OK;
        break;
    case WX_R_FAIL:
        st = *handler_status;
        break;
    case WX_R_BAD:
        st = wb_fail_part(r, TA_E_DATA, part, "%s; %s", wx_errmsg(p),
                          WB_RESAVE);
        break;
    case WX_R_SRC:
        st = wz_entry_status(e);
        st = wb_fail_part(r, st, part, "%s; %s", wz_entry_err(e),
                          st == TA_E_DATA ? WB_RESAVE : "check the disk");
        break;
    default:
        st = wb_fail(r, TA_E_NOMEM, "out of memory reading %s", part);
        break;
    }
    wx_free(p);
    wz_entry_close(e);
    return st;
}
