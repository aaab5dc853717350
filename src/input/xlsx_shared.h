/*
 * xlsx_shared.h — what the .xlsx back end's files share: xlsx.c (the
 * package: content types, relationships, workbook), xlsx_parts.c (styles
 * and shared strings), xlsx_sheet.c (streaming a worksheet) and
 * xlsx_xml.c (the XML helpers all three use). Private to src/input/.
 */
#ifndef TICKET_AUDIT_XLSX_SHARED_H
#define TICKET_AUDIT_XLSX_SHARED_H

#include <stddef.h>

#include "cellfmt.h"
#include "wb_sst.h"
#include "wb_xml.h"
#include "wb_zip.h"
#include "workbook_internal.h"

/* The longest raw text (before _xHHHH_ decoding) a cell may gather: an
 * escape is 7 bytes for one UTF-16 unit, so anything longer is certainly
 * over Excel's 32,767 units and need not be kept to be refused. */
#define XLSX_RAW_MAX ((size_t)WB_MAX_CELL_UNITS * 7 + 16)

typedef struct xsheet xsheet;

typedef struct xlsx {
    wz_archive *zip;
    char *sst_part;    /* NULL: the workbook has no shared strings */
    char *styles_part; /* NULL: no styles (every number is General) */
    int parts_loaded;
    unsigned char *xf_kind; /* cf_kind of each cellXfs entry */
    size_t nxf;
    sst *sst;
    /* the open sheet */
    wz_entry *ent;
    wx_parser *xp;
    xsheet *sh;
    const char *part; /* the open sheet's part name */
} xlsx;

/* ---- xlsx_xml.c ---- */

/* The engine for worksheets and shared strings. */
wx_engine xlsx_engine(const wb_reader *r);

/* Parses a whole part with h (pauses are ignored). TA_OK, or the status
 * with the message set (naming the part). */
ta_status xlsx_parse_part(wb_reader *r, xlsx *x, const char *part,
                          wx_engine engine, const wx_handler *h, void *ctx,
                          ta_status *handler_status);

/* Reads styles.xml and sharedStrings.xml (xlsx_parts.c). */
ta_status xlsx_load_styles(wb_reader *r, xlsx *x);
ta_status xlsx_load_sst(wb_reader *r, xlsx *x);

/* The kind of number format of cell style s. */
cf_kind xlsx_style_kind(const xlsx *x, unsigned long s);

/* Streams the open sheet (xlsx_sheet.c). */
xsheet *xsheet_new(wb_reader *r, xlsx *x);
void xsheet_free(xsheet *s);
extern const wx_handler xsheet_handler;
/* 1 when a row is ready in r->rb (and clears it). */
int xsheet_take_row(xsheet *s);
/* The status a failed handler left. */
ta_status xsheet_status(const xsheet *s);

/* The attribute called name[0..len) (as written, prefix included), or
 * NULL; XLSX_ATTR takes a string literal. */
const wx_attr *xlsx_attr(const wx_attr *a, size_t na, const char *name,
                         size_t len);
#define XLSX_ATTR(a, na, lit) xlsx_attr((a), (na), (lit), sizeof(lit) - 1)

/* Parses a decimal unsigned number (XML white space around it allowed);
 * 0, or -1 when v is not one or is above max. */
int xlsx_ulong(const char *v, size_t n, unsigned long max, unsigned long *out);

#endif
