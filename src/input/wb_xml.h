/*
 * wb_xml.h — SAX parsing of one zip entry of an .xlsx, with a pause after
 * any end tag so a worksheet can be streamed a row at a time. Private to
 * src/input/.
 *
 * Two engines deliver the same events to the same handler:
 *   WX_EXPAT  expat (every encoding it knows, the reference);
 *   WX_FAST   a scanner of UTF-8 XML written for worksheets and shared
 *             strings: reading a sheet with it takes half the time it takes
 *             on expat (expat alone takes longer on a million-row sheet
 *             than the whole CSV import; docs/workbooks.md). A part that
 *             is not UTF-8 goes to expat.
 * Both refuse a DTD (so no entity can be declared), nesting deeper than
 * WX_MAX_DEPTH and a single tag, comment or CDATA section longer than
 * WX_MAX_TOKEN; both decode the predefined entities and character
 * references, normalize line ends (CR LF and CR become LF) and attribute
 * white space as XML says, and deliver valid UTF-8.
 *
 * Events: element names come without their namespace prefix; attribute
 * names as written (the workbook's r:id needs its prefix). Text may come in
 * several pieces. A handler returns WX_GO, WX_PAUSE (from end only: stop
 * after this event; wx_run returns WX_R_PAUSE and the next wx_run goes on),
 * WX_STOP (the rest of the part is not needed) or WX_FAIL (its own error).
 * Parsing ends when the root element closes.
 */
#ifndef TICKET_AUDIT_WB_XML_H
#define TICKET_AUDIT_WB_XML_H

#include <stddef.h>
#include <string.h>

#include "wb_zip.h"

#define WX_MAX_DEPTH 256u
#define WX_MAX_TOKEN ((size_t)4 << 20)

typedef struct wx_attr {
    const char *name;
    size_t nlen;
    const char *val; /* decoded, NUL-terminated */
    size_t vlen;
} wx_attr;

enum { WX_FAIL = -1, WX_GO = 0, WX_PAUSE = 1, WX_STOP = 2 };

typedef struct wx_handler {
    int (*start)(void *ctx, const char *name, size_t nlen, const wx_attr *a,
                 size_t na);
    int (*end)(void *ctx, const char *name, size_t nlen);
    int (*text)(void *ctx, const char *s, size_t n);
} wx_handler;

typedef enum wx_engine { WX_FAST = 0, WX_EXPAT = 1 } wx_engine;

/* Results of wx_run. */
enum {
    WX_R_NOMEM = -4,
    WX_R_SRC = -3,  /* the zip entry failed: see wz_entry_status/err */
    WX_R_BAD = -2,  /* not well-formed, a DTD, too deep, too long:
                       wx_errmsg */
    WX_R_FAIL = -1, /* a handler returned WX_FAIL */
    WX_R_DONE = 0,  /* the root element closed, or a handler stopped */
    WX_R_PAUSE = 1  /* a handler paused */
};

typedef struct wx_parser wx_parser;

/* A parser of the open entry src (not owned). NULL when out of memory. */
wx_parser *wx_new(wz_entry *src, wx_engine engine, const wx_handler *h,
                  void *ctx);

/* Parses on until a pause, the end, or an error (see above). */
int wx_run(wx_parser *p);

/* What was wrong (WX_R_BAD): "not well-formed XML (line 3): mismatched tag".
 */
const char *wx_errmsg(const wx_parser *p);

/* The engine that parses this part (WX_FAST falls back to WX_EXPAT for a
 * part not in UTF-8). */
wx_engine wx_engine_used(const wx_parser *p);

void wx_free(wx_parser *p);

/* The name without its prefix ("x:row" -> "row"). */
const char *wx_local(const char *name, size_t nlen, size_t *llen);

/* 1 when name[0..nlen) is exactly the string literal lit. */
#define WX_IS(name, nlen, lit)                                                \
    ((nlen) == sizeof(lit) - 1 && memcmp((name), (lit), sizeof(lit) - 1) == 0)

#endif
