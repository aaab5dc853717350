/*
 * xls.c — the .xls back end: Excel 97-2003 workbooks (BIFF8) in an OLE2
 * compound file, read record by record.
 *
 * The workbook globals give the sheets (BOUNDSHEET: name, hidden state,
 * kind, where the sheet starts), the date system (DATEMODE), the number
 * formats (FORMAT, XF) and the shared strings (SST with its CONTINUE
 * records, into the same wb_sst store as .xlsx). A sheet is then streamed
 * from its BOF: LABELSST, LABEL, NUMBER, RK, MULRK, BOOLERR and FORMULA
 * (with the STRING record holding a text result) become cells, rows are
 * handed over as soon as a cell of a later row comes. Nothing but one row
 * and the shared strings (spilled when large) is held.
 *
 * Not read: BIFF5 and older (Excel 95: refused with what to do), encrypted
 * files (FILEPASS: refused), rich text formatting runs and phonetic data
 * (skipped; only the text counts).
 *
 * Why not libfreexl (docs/workbooks.md): it builds a rows x columns grid in
 * memory (up to 256 MB for one sheet), converts date serials with a loop
 * of one step per day (a crafted serial of 10^9 takes seconds per cell),
 * gives dates as text without their time of day or Excel's 1900 quirks,
 * and does not expose hidden sheets.
 */
#include "workbook_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellfmt.h"
#include "cfb.h"
#include "utf8.h"
#include "wb_sst.h"

#define BIFF_MAX_REC 8224u
#define BIFF_BUF ((size_t)64 * 1024)
#define XLS_MAX_XF 65536u
#define XLS_MAX_ROWS 65536UL
#define XLS_MAX_COLS 256u

enum {
    R_FORMULA = 0x0006,
    R_EOF = 0x000A,
    R_FILEPASS = 0x002F,
    R_DATEMODE = 0x0022,
    R_CONTINUE = 0x003C,
    R_BOUNDSHEET = 0x0085,
    R_MULRK = 0x00BD,
    R_XF = 0x00E0,
    R_SST = 0x00FC,
    R_LABELSST = 0x00FD,
    R_NUMBER = 0x0203,
    R_LABEL = 0x0204,
    R_BOOLERR = 0x0205,
    R_STRING = 0x0207,
    R_RK = 0x027E,
    R_FORMAT = 0x041E,
    R_BOF = 0x0809
};

/* A record reader over the Workbook stream. */
typedef struct biff {
    cfb_stream *st;
    unsigned long long size;
    unsigned long long next; /* offset of the next record's header */
    unsigned char *buf;      /* read-ahead */
    unsigned long long buf_off;
    size_t buf_len;
    unsigned type, len;
    size_t at; /* cursor in data */
    unsigned char data[BIFF_MAX_REC + 4];
    int err; /* errno of a read error, EIO for damage */
} biff;

typedef struct xls {
    cfb *cf;
    biff b;
    sst *sst;
    unsigned *xf_fmt;       /* format id of each XF */
    unsigned char *xf_kind; /* its cf_kind, once the globals are read */
    size_t nxf;
    struct {
        unsigned id;
        cf_kind kind;
    } * fmts;
    size_t nfmt, fcap;
    /* the open sheet */
    int in_sheet;
    int have_row;
    unsigned long row;
    int replay;      /* the current record starts the next row: use it again */
    int want_string; /* a FORMULA with a string result waits for STRING */
    unsigned long ws_row;
    size_t ws_col;
    int sheet_end;
    int depth; /* BOF/EOF pairs of charts embedded in the sheet */
    ta_buf tmp;
} xls;

/* ---- records ------------------------------------------------------------ */

static unsigned le16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Copies n stream bytes at off through the read-ahead buffer; 0, -1. */
static int biff_get(biff *b, unsigned long long off, void *dst, size_t n)
{
    unsigned char *d = dst;
    while (n > 0) {
        if (off < b->buf_off || off >= b->buf_off + b->buf_len) {
            long r = cfb_read_at(b->st, off, b->buf, BIFF_BUF);
            if (r <= 0) {
                b->err = r < 0 ? errno : EIO;
                return -1;
            }
            b->buf_off = off;
            b->buf_len = (size_t)r;
        }
        size_t in = (size_t)(off - b->buf_off);
        size_t k = b->buf_len - in;
        if (k > n)
            k = n;
        memcpy(d, b->buf + in, k);
        d += k;
        off += k;
        n -= k;
    }
    return 0;
}

/* The next record: 1, 0 at the stream's end, -1 on error. */
static int biff_next(biff *b)
{
    if (b->next + 4 > b->size)
        return 0;
    unsigned char h[4];
    if (biff_get(b, b->next, h, 4))
        return -1;
    b->type = le16(h);
    b->len = le16(h + 2);
    if (b->len > BIFF_MAX_REC || b->next + 4 + b->len > b->size) {
        b->err = EIO;
        return -1;
    }
    if (b->len && biff_get(b, b->next + 4, b->data, b->len))
        return -1;
    memset(b->data + b->len, 0, 4);
    b->next += 4 + b->len;
    b->at = 0;
    return 1;
}

/* Moves into the next record, which must be a CONTINUE. 0, -1. */
static int biff_continue(biff *b)
{
    int r = biff_next(b);
    if (r <= 0 || b->type != R_CONTINUE) {
        if (r >= 0)
            b->err = EIO;
        return -1;
    }
    return 0;
}

/* n bytes from the cursor, crossing into CONTINUE records. */
static int biff_bytes(biff *b, void *dst, size_t n)
{
    unsigned char *d = dst;
    while (n > 0) {
        if (b->at >= b->len && biff_continue(b))
            return -1;
        size_t k = b->len - b->at;
        if (k > n)
            k = n;
        if (d) {
            memcpy(d, b->data + b->at, k);
            d += k;
        }
        b->at += k;
        n -= k;
    }
    return 0;
}

/* cch characters of an XLUnicodeString body (high: 2-byte characters), as
 * UTF-8 onto out; a CONTINUE in the middle starts with a new flags byte. */
static int biff_chars(biff *b, size_t cch, int high, ta_buf *out)
{
    uint32_t pending_hi = 0; /* a high surrogate waiting for its pair */
    while (cch > 0) {
        if (b->at >= b->len) {
            if (biff_continue(b))
                return -1;
            if (b->len == 0) {
                b->err = EIO;
                return -1;
            }
            high = b->data[0] & 1;
            b->at = 1;
            continue;
        }
        uint32_t u;
        if (high) {
            if (b->at + 2 > b->len) {
                b->err = EIO;
                return -1;
            }
            u = le16(b->data + b->at);
            b->at += 2;
        } else
            u = b->data[b->at++];
        cch--;
        char enc[4];
        size_t k;
        if (pending_hi) {
            if (u >= 0xDC00 && u <= 0xDFFF) {
                k = utf8_encode(0x10000 + ((pending_hi - 0xD800) << 10) +
                                    (u - 0xDC00),
                                enc);
                pending_hi = 0;
                if (buf_add(out, enc, k))
                    return -2;
                continue;
            }
            k = utf8_encode(0xFFFD, enc);
            pending_hi = 0;
            if (buf_add(out, enc, k))
                return -2;
        }
        if (u >= 0xD800 && u <= 0xDBFF) {
            pending_hi = u;
            continue;
        }
        k = utf8_encode(u, enc); /* a lone low surrogate becomes FFFD */
        if (buf_add(out, enc, k))
            return -2;
    }
    if (pending_hi) {
        char enc[4];
        size_t k = utf8_encode(0xFFFD, enc);
        if (buf_add(out, enc, k))
            return -2;
    }
    return 0;
}

/* An XLUnicodeString (cch16: 2-byte length; else 1-byte) or, with rich,
 * an XLUnicodeRichExtendedString (SST): its text onto out, formatting runs
 * and phonetic data skipped. 0, -1 damage, -2 memory. */
static int biff_string(biff *b, int cch16, int rich, ta_buf *out)
{
    unsigned char h[3];
    if (biff_bytes(b, h, cch16 ? 3 : 2))
        return -1;
    size_t cch = cch16 ? le16(h) : h[0];
    unsigned flags = cch16 ? h[2] : h[1];
    unsigned long runs = 0, ext = 0;
    if (rich && (flags & 0x08)) {
        unsigned char r2[2];
        if (biff_bytes(b, r2, 2))
            return -1;
        runs = le16(r2);
    }
    if (rich && (flags & 0x04)) {
        unsigned char e4[4];
        if (biff_bytes(b, e4, 4))
            return -1;
        ext = le32(e4);
    }
    int rc = biff_chars(b, cch, flags & 1, out);
    if (rc)
        return rc;
    if (runs && biff_bytes(b, NULL, runs * 4))
        return -1;
    if (ext && biff_bytes(b, NULL, ext))
        return -1;
    return 0;
}

/* ---- messages ------------------------------------------------------------
 */

static ta_status damaged(wb_reader *r, const char *where)
{
    xls *x = r->impl;
    if (x->b.err && x->b.err != EIO)
        return wb_fail(r, TA_E_IO, "read error: %s", strerror(x->b.err));
    return wb_fail(r, TA_E_DATA,
                   "the Workbook stream is damaged or truncated (%s); %s",
                   where, WB_RESAVE);
}

/* ---- the globals ---------------------------------------------------------
 */

static cf_kind fmt_kind(const xls *x, unsigned id)
{
    cf_kind k = cf_builtin_kind(id);
    if (k != CF_NUMBER)
        return k;
    for (size_t i = x->nfmt; i > 0; i--)
        if (x->fmts[i - 1].id == id)
            return x->fmts[i - 1].kind;
    return CF_NUMBER;
}

static ta_status read_sst(wb_reader *r, xls *x)
{
    biff *b = &x->b;
    unsigned char h[8];
    if (biff_bytes(b, h, 8))
        return damaged(r, "shared strings");
    uint32_t n = le32(h + 4);
    ta_buf raw, clean;
    buf_init(&raw, 0);
    buf_init(&clean, 0);
    ta_status st = TA_OK;
    for (uint32_t i = 0; i < n; i++) {
        /* Tables may announce more strings than they hold: stop at the
         * record's end when nothing continues it. */
        if (b->at >= b->len) {
            unsigned long long save = b->next;
            unsigned char hd[4];
            if (save + 4 > b->size || biff_get(b, save, hd, 4) ||
                le16(hd) != R_CONTINUE)
                break;
        }
        buf_reset(&raw);
        int rc = biff_string(b, 1, 1, &raw);
        if (rc) {
            st = rc == -2 ? wb_fail(r, TA_E_NOMEM, "out of memory")
                          : damaged(r, "shared strings");
            break;
        }
        buf_reset(&clean);
        size_t units = 0;
        if (raw.len && cf_text(raw.p, raw.len, 0, &clean, &units)) {
            st = wb_fail(r, TA_E_NOMEM, "out of memory");
            break;
        }
        int toolong = units > WB_MAX_CELL_UNITS;
        rc = sst_add(x->sst, toolong ? "" : (clean.p ? clean.p : ""),
                     toolong ? 0 : clean.len, toolong);
        if (rc) {
            st = rc == -1   ? wb_fail(r, TA_E_NOMEM, "out of memory")
                 : rc == -3 ? wb_fail(r, TA_E_DATA,
                                      "the shared strings pass 4 GiB of "
                                      "text; %s",
                                      WB_RESAVE)
                            : wb_fail(r, TA_E_IO,
                                      "cannot write the shared strings to a "
                                      "temporary file: %s (set TMPDIR to a "
                                      "folder with room)",
                                      strerror(errno));
            break;
        }
    }
    buf_free(&raw);
    buf_free(&clean);
    return st;
}

static ta_status add_format(wb_reader *r, xls *x)
{
    biff *b = &x->b;
    if (b->len < 5)
        return TA_OK;
    unsigned id = le16(b->data);
    b->at = 2;
    ta_buf code;
    buf_init(&code, 0);
    int rc = biff_string(b, 1, 0, &code);
    if (rc) {
        buf_free(&code);
        return rc == -2 ? wb_fail(r, TA_E_NOMEM, "out of memory")
                        : damaged(r, "number formats");
    }
    if (buf_grow_array(&x->fmts, &x->fcap, x->nfmt + 1, sizeof *x->fmts)) {
        buf_free(&code);
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    }
    x->fmts[x->nfmt].id = id;
    x->fmts[x->nfmt].kind = cf_code_kind(code.p ? code.p : "", code.len);
    x->nfmt++;
    buf_free(&code);
    return TA_OK;
}

static ta_status add_boundsheet(wb_reader *r, xls *x)
{
    biff *b = &x->b;
    if (b->len < 8)
        return damaged(r, "sheet list");
    uint32_t pos = le32(b->data);
    unsigned state = b->data[4] & 3;
    unsigned dt = b->data[5];
    b->at = 6;
    ta_buf name;
    buf_init(&name, 0);
    int rc = biff_string(b, 0, 0, &name);
    if (rc) {
        buf_free(&name);
        return rc == -2 ? wb_fail(r, TA_E_NOMEM, "out of memory")
                        : damaged(r, "sheet list");
    }
    wb_sheet_kind k = dt == 0   ? WB_SHEET_WORKSHEET
                      : dt == 2 ? WB_SHEET_CHART
                                : WB_SHEET_OTHER;
    rc = wb_add_sheet(r, name.p ? name.p : "", name.len, state != 0, k, NULL,
                      pos);
    buf_free(&name);
    return rc ? wb_fail(r, TA_E_NOMEM,
                        "out of memory (or more than 65,536 "
                        "sheets)")
              : TA_OK;
}

static ta_status read_globals(wb_reader *r, xls *x)
{
    biff *b = &x->b;
    int rc = biff_next(b);
    if (rc <= 0 || b->type != R_BOF || b->len < 4)
        return wb_fail(r, TA_E_DATA,
                       "the Workbook stream does not start with a BIFF "
                       "header; %s",
                       WB_RESAVE);
    unsigned vers = le16(b->data);
    if (vers != 0x0600)
        return wb_fail(r, TA_E_DATA,
                       "this is an Excel 5.0/95 workbook (BIFF%s), which is "
                       "not read; open it in Excel and save it as .xlsx",
                       vers == 0x0500 ? "5" : "4 or older");
    size_t xcap = 0;
    while ((rc = biff_next(b)) == 1) {
        ta_status st = TA_OK;
        switch (b->type) {
        case R_EOF:
            goto done;
        case R_FILEPASS:
            return wb_fail(r, TA_E_DATA,
                           "the workbook is password-protected (encrypted); "
                           "open it in Excel, remove the password (File > "
                           "Info > Protect Workbook) and save it again");
        case R_DATEMODE:
            if (b->len >= 2)
                r->date1904 = le16(b->data) == 1;
            break;
        case R_BOUNDSHEET:
            st = add_boundsheet(r, x);
            break;
        case R_FORMAT:
            st = add_format(r, x);
            break;
        case R_XF:
            if (b->len < 4)
                break;
            if (x->nxf >= XLS_MAX_XF)
                return wb_fail(r, TA_E_DATA, "more than %u cell formats; %s",
                               XLS_MAX_XF, WB_RESAVE);
            if (buf_grow_array(&x->xf_fmt, &xcap, x->nxf + 1,
                               sizeof *x->xf_fmt))
                return wb_fail(r, TA_E_NOMEM, "out of memory");
            x->xf_fmt[x->nxf++] = le16(b->data + 2);
            break;
        case R_SST:
            st = read_sst(r, x);
            break;
        default:
            break;
        }
        if (st != TA_OK)
            return st;
    }
    if (rc < 0)
        return damaged(r, "workbook globals");
done:
    /* FORMAT records may come after the XFs that use them: settle the
     * kinds now */
    x->xf_kind = malloc(x->nxf ? x->nxf : 1);
    if (!x->xf_kind)
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    for (size_t i = 0; i < x->nxf; i++)
        x->xf_kind[i] = (unsigned char)fmt_kind(x, x->xf_fmt[i]);
    return TA_OK;
}

/* ---- the back end --------------------------------------------------------
 */

static ta_status xls_sheet_open(wb_reader *r, size_t i);
static ta_status xls_next_row(wb_reader *r, int *got);
static void xls_sheet_close(wb_reader *r);
static void xls_destroy(wb_reader *r);

static const wb_backend xls_backend = {"xls", xls_sheet_open, xls_next_row,
                                       xls_sheet_close, xls_destroy};

/* Says what an OLE2 file without a Workbook stream is. */
static ta_status not_a_workbook(wb_reader *r, const cfb *c)
{
    if (cfb_find(c, "EncryptedPackage") >= 0)
        return wb_fail(r, TA_E_DATA,
                       "this is a password-protected (encrypted) .xlsx "
                       "workbook; open it in Excel, remove the password "
                       "(File > Info > Protect Workbook) and save it again");
    if (cfb_find(c, "WordDocument") >= 0)
        return wb_fail(r, TA_E_DATA,
                       "this is a Word document, not a spreadsheet");
    if (cfb_find(c, "PowerPoint Document") >= 0)
        return wb_fail(r, TA_E_DATA,
                       "this is a PowerPoint presentation, not a "
                       "spreadsheet");
    return wb_fail(r, TA_E_DATA,
                   "an OLE2 file without a Workbook stream: not an Excel "
                   "97-2003 workbook");
}

ta_status xls_open(wb_reader *r)
{
    xls *x = calloc(1, sizeof *x);
    if (!x)
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    r->impl = x;
    r->be = &xls_backend;
    buf_init(&x->tmp, 0);
    char err[256];
    ta_status st = cfb_open(r->fd, &x->cf, err, sizeof err);
    if (st != TA_OK) {
        if (st == TA_E_NOMEM)
            return wb_fail(r, st, "out of memory");
        return wb_fail(r, st, "%s; %s", err,
                       st == TA_E_DATA ? WB_RESAVE : "check the disk");
    }
    long e = cfb_find(x->cf, "Workbook");
    if (e < 0) {
        long book = cfb_find(x->cf, "Book");
        if (book < 0)
            return not_a_workbook(r, x->cf);
        e = book; /* BIFF5: read_globals says so */
    }
    st = cfb_stream_open(x->cf, e, &x->b.st, err, sizeof err);
    if (st != TA_OK) {
        if (st == TA_E_NOMEM)
            return wb_fail(r, st, "out of memory");
        return wb_fail(r, st, "%s; %s", err, WB_RESAVE);
    }
    x->b.size = cfb_stream_size(x->b.st);
    x->b.buf = malloc(BIFF_BUF);
    x->sst = sst_new(r->opt.sst_mem_bytes);
    if (!x->b.buf || !x->sst)
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    x->b.buf_off = (unsigned long long)-1;
    return read_globals(r, x);
}

static ta_status xls_sheet_open(wb_reader *r, size_t i)
{
    xls *x = r->impl;
    biff *b = &x->b;
    b->next = r->sheets[i].pos;
    int rc = biff_next(b);
    if (rc <= 0 || b->type != R_BOF)
        return wb_fail(r, TA_E_DATA,
                       "sheet \"%s\" does not start where the workbook says "
                       "(damaged); %s",
                       r->sheets[i].name, WB_RESAVE);
    x->in_sheet = 1;
    x->have_row = 0;
    x->replay = 0;
    x->want_string = 0;
    x->sheet_end = 0;
    x->depth = 0;
    r->prog_total = b->size;
    return TA_OK;
}

static cf_kind xf_kind(const xls *x, unsigned xf)
{
    return xf < x->nxf ? (cf_kind)x->xf_kind[xf] : CF_NUMBER;
}

/* Appends the text of a number cell with format xf. */
static int number_text(wb_reader *r, xls *x, double v, unsigned xf)
{
    ta_buf *out = &r->rb.text;
    cf_kind k = xf_kind(x, xf);
    if (k != CF_NUMBER) {
        int rc = cf_serial_text(v, r->date1904, k, out);
        if (rc)
            return rc < 0 ? -1 : 0;
    }
    return cf_double_text(v, out);
}

static double rk_value(uint32_t rk)
{
    double v;
    if (rk & 2)
        v = (double)((int32_t)rk >> 2);
    else {
        uint64_t bits = (uint64_t)(rk & 0xFFFFFFFCu) << 32;
        memcpy(&v, &bits, sizeof v);
    }
    return (rk & 1) ? v / 100 : v;
}

static double le_double(const unsigned char *p)
{
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--)
        bits = bits << 8 | p[i];
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* Starts or continues the row of a cell at (row, col). Returns 1 when the
 * cell belongs to a later row and the row built so far has text (the
 * caller hands it over and replays the record), 0 to add the cell, -1 on
 * an error (set). */
static int cell_row(wb_reader *r, xls *x, unsigned long row, size_t col,
                    ta_status *st)
{
    if (row >= XLS_MAX_ROWS || col >= XLS_MAX_COLS) {
        *st = wb_fail_sheet(r, TA_E_DATA,
                            "a cell outside the .xls grid (row %lu, column "
                            "%zu); %s",
                            row + 1, col + 1, WB_RESAVE);
        return -1;
    }
    unsigned long number = row + 1;
    if (x->have_row && number == x->row)
        return 0;
    if (x->have_row && number < x->row) {
        *st = wb_fail_sheet(r, TA_E_DATA,
                            "row %lu comes after row %lu (the file lists its "
                            "cells out of row order); %s",
                            number, x->row, WB_RESAVE);
        return -1;
    }
    if (x->have_row) {
        x->have_row = 0;
        r->last_row = x->row;
        int f = rb_finish(&r->rb);
        if (f < 0) {
            *st = wb_fail(r, TA_E_NOMEM, "out of memory");
            return -1;
        }
        if (f > 0)
            return 1;
        r->skipped++;
    }
    if (rb_begin(&r->rb, number)) {
        *st = wb_fail(r, TA_E_NOMEM, "out of memory");
        return -1;
    }
    x->have_row = 1;
    x->row = number;
    return 0;
}

/* Cleans the string appended since start; refuses one over the limit. */
static ta_status clean_cell(wb_reader *r, xls *x, size_t start, size_t col)
{
    wb_rowbuf *rb = &r->rb;
    buf_reset(&x->tmp);
    if (buf_add(&x->tmp, rb->text.p + start, rb->text.len - start))
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    rb_drop(rb, start);
    size_t units = 0;
    if (x->tmp.len && cf_text(x->tmp.p, x->tmp.len, 0, &rb->text, &units))
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    if (units > WB_MAX_CELL_UNITS) {
        rb_drop(rb, start);
        return wb_fail_cell(r, TA_E_DATA, x->row, col,
                            "the cell holds more than Excel's 32,767 "
                            "characters (refused as damaged or hostile)");
    }
    return TA_OK;
}

static ta_status commit(wb_reader *r, xls *x, size_t col, size_t start)
{
    if (rb_commit(&r->rb, col, start))
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    return wb_check_row_size(r, x->row, col);
}

static const char *error_text(unsigned code)
{
    switch (code) {
    case 0x00:
        return "#NULL!";
    case 0x07:
        return "#DIV/0!";
    case 0x0F:
        return "#VALUE!";
    case 0x17:
        return "#REF!";
    case 0x1D:
        return "#NAME?";
    case 0x24:
        return "#NUM!";
    case 0x2A:
        return "#N/A";
    default:
        return "#GETTING_DATA";
    }
}

/* One cell record (the current record); *row_done when a finished row is
 * ready instead (the record is kept for replay). */
static ta_status cell_record(wb_reader *r, xls *x, int *row_done)
{
    biff *b = &x->b;
    const unsigned char *d = b->data;
    ta_status st = TA_OK;
    *row_done = 0;
    unsigned t = b->type;
    if (t == R_STRING) {
        if (!x->want_string)
            return TA_OK;
        x->want_string = 0;
        int c = cell_row(r, x, x->ws_row, x->ws_col, &st);
        if (c)
            return c < 0 ? st : TA_OK; /* cannot be a new row */
        size_t start = rb_mark(&r->rb);
        b->at = 0;
        int rc = biff_string(b, 1, 0, &r->rb.text);
        if (rc)
            return rc == -2 ? wb_fail(r, TA_E_NOMEM, "out of memory")
                            : damaged(r, "a formula's text");
        st = clean_cell(r, x, start, x->ws_col);
        return st == TA_OK ? commit(r, x, x->ws_col, start) : st;
    }
    if (t != R_LABELSST && t != R_LABEL && t != R_NUMBER && t != R_RK &&
        t != R_MULRK && t != R_BOOLERR && t != R_FORMULA)
        return TA_OK;
    if (b->len < 6)
        return damaged(r, "a cell record");
    unsigned long row = le16(d);
    size_t col = le16(d + 2);
    int c = cell_row(r, x, row, col, &st);
    if (c < 0)
        return st;
    if (c > 0) {
        *row_done = 1;
        x->replay = 1;
        return TA_OK;
    }
    x->want_string = 0;
    if (t == R_MULRK) {
        /* rw, colFirst, (ixfe, rk)*, colLast */
        if (b->len < 12)
            return damaged(r, "a cell record");
        size_t n = (b->len - 6) / 6;
        for (size_t k = 0; k < n; k++) {
            size_t cc = col + k;
            if (cc >= XLS_MAX_COLS)
                break;
            size_t start = rb_mark(&r->rb);
            const unsigned char *p = d + 4 + 6 * k;
            if (number_text(r, x, rk_value(le32(p + 2)), le16(p)))
                return wb_fail(r, TA_E_NOMEM, "out of memory");
            st = commit(r, x, cc, start);
            if (st != TA_OK)
                return st;
        }
        return TA_OK;
    }
    unsigned xf = le16(d + 4);
    size_t start = rb_mark(&r->rb);
    ta_buf *out = &r->rb.text;
    int rc = 0;
    switch (t) {
    case R_LABELSST: {
        if (b->len < 10)
            return damaged(r, "a cell record");
        uint32_t idx = le32(d + 6);
        if (idx >= sst_count(x->sst))
            return wb_fail_cell(r, TA_E_DATA, x->row, col,
                                "the cell names shared string %lu, but the "
                                "table holds %zu; %s",
                                (unsigned long)idx, sst_count(x->sst),
                                WB_RESAVE);
        int toolong = 0;
        rc = sst_get(x->sst, idx, out, &toolong);
        if (rc == -2)
            return wb_fail(r, TA_E_IO,
                           "cannot read the shared strings' temporary "
                           "file: %s",
                           strerror(errno));
        if (toolong)
            return wb_fail_cell(r, TA_E_DATA, x->row, col,
                                "the cell holds more than Excel's 32,767 "
                                "characters (refused as damaged or "
                                "hostile)");
        break;
    }
    case R_LABEL:
        b->at = 6;
        rc = biff_string(b, 1, 0, out);
        if (rc == -1)
            return damaged(r, "a text cell");
        if (rc == 0) {
            st = clean_cell(r, x, start, col);
            if (st != TA_OK)
                return st;
        }
        break;
    case R_NUMBER:
        if (b->len < 14)
            return damaged(r, "a cell record");
        rc = number_text(r, x, le_double(d + 6), xf);
        break;
    case R_RK:
        if (b->len < 10)
            return damaged(r, "a cell record");
        rc = number_text(r, x, rk_value(le32(d + 6)), xf);
        break;
    case R_BOOLERR:
        if (b->len < 8)
            return damaged(r, "a cell record");
        rc =
            buf_adds(out, d[7] ? error_text(d[6]) : (d[6] ? "TRUE" : "FALSE"));
        break;
    case R_FORMULA:
        if (b->len < 20)
            return damaged(r, "a formula record");
        if (le16(d + 12) != 0xFFFF) {
            rc = number_text(r, x, le_double(d + 6), xf);
            break;
        }
        switch (d[6]) {
        case 0: /* the text comes in the STRING record that follows */
            x->want_string = 1;
            x->ws_row = row;
            x->ws_col = col;
            break;
        case 1:
            rc = buf_adds(out, d[8] ? "TRUE" : "FALSE");
            break;
        case 2:
            rc = buf_adds(out, error_text(d[8]));
            break;
        default: /* 3: an empty string */
            break;
        }
        break;
    default:
        break;
    }
    if (rc)
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    return commit(r, x, col, start);
}

static ta_status xls_next_row(wb_reader *r, int *got)
{
    xls *x = r->impl;
    biff *b = &x->b;
    *got = 0;
    if (x->sheet_end)
        return TA_OK;
    for (;;) {
        if (!x->replay) {
            int rc = biff_next(b);
            if (rc <= 0)
                return damaged(r, "a sheet");
        }
        x->replay = 0;
        r->prog_done = b->next;
        if (b->type == R_BOF) {
            x->depth++;
            continue;
        }
        if (b->type == R_EOF) {
            if (x->depth > 0) {
                x->depth--;
                continue;
            }
            x->sheet_end = 1;
            if (x->have_row) {
                x->have_row = 0;
                r->last_row = x->row;
                int f = rb_finish(&r->rb);
                if (f < 0)
                    return wb_fail(r, TA_E_NOMEM, "out of memory");
                if (f > 0) {
                    *got = 1;
                    return TA_OK;
                }
                r->skipped++;
            }
            return TA_OK;
        }
        if (x->depth > 0)
            continue;
        int row_done = 0;
        ta_status st = cell_record(r, x, &row_done);
        if (st != TA_OK)
            return st;
        if (row_done) {
            *got = 1;
            return TA_OK;
        }
    }
}

static void xls_sheet_close(wb_reader *r)
{
    xls *x = r->impl;
    if (x)
        x->in_sheet = 0;
}

static void xls_destroy(wb_reader *r)
{
    xls *x = r->impl;
    if (!x)
        return;
    cfb_stream_close(x->b.st);
    free(x->b.buf);
    cfb_close(x->cf);
    sst_free(x->sst);
    free(x->xf_fmt);
    free(x->xf_kind);
    free(x->fmts);
    buf_free(&x->tmp);
    free(x);
    r->impl = NULL;
}
