/*
 * xlsx_parts.c — the two parts a worksheet's cells refer to: styles.xml
 * (which cell styles format numbers as dates or times) and
 * sharedStrings.xml (the strings of t="s" cells, cleaned once here and kept
 * in the wb_sst store).
 *
 * Only what cell text needs is read: from styles, cellXfs' numFmtId and the
 * numFmts' codes (cellStyleXfs, fonts and fills are skipped); from the
 * shared strings, the <t> texts of each <si>, runs joined, phonetic runs
 * (<rPh>) left out. The table's count attributes are never trusted.
 */
#include "xlsx_shared.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define XLSX_MAX_XF 1048576u
#define XLSX_MAX_NUMFMT 65536u

/* ---- styles ------------------------------------------------------------- */

typedef struct numfmt {
    unsigned long id;
    cf_kind kind;
} numfmt;

typedef struct sty_ctx {
    wb_reader *r;
    ta_status st;
    int in_numfmts, in_cellxfs;
    numfmt *fmts;
    size_t nfmt, fcap;
    unsigned long *xf_id;
    size_t nxf, xcap;
} sty_ctx;

static int sty_start(void *ctx, const char *name, size_t nlen,
                     const wx_attr *a, size_t na)
{
    sty_ctx *c = ctx;
    if (WX_IS(name, nlen, "numFmts"))
        c->in_numfmts = 1;
    else if (WX_IS(name, nlen, "cellXfs"))
        c->in_cellxfs = 1;
    else if (c->in_numfmts && WX_IS(name, nlen, "numFmt")) {
        const wx_attr *id = XLSX_ATTR(a, na, "numFmtId");
        const wx_attr *code = XLSX_ATTR(a, na, "formatCode");
        unsigned long v;
        if (!id || !code || xlsx_ulong(id->val, id->vlen, 0xFFFFFFFFUL, &v))
            return WX_GO;
        if (c->nfmt >= XLSX_MAX_NUMFMT) {
            c->st = wb_fail(c->r, TA_E_DATA,
                            "styles: more than %u number formats; %s",
                            XLSX_MAX_NUMFMT, WB_RESAVE);
            return WX_FAIL;
        }
        if (buf_grow_array(&c->fmts, &c->fcap, c->nfmt + 1, sizeof *c->fmts))
            goto nomem;
        c->fmts[c->nfmt].id = v;
        c->fmts[c->nfmt].kind = cf_code_kind(code->val, code->vlen);
        c->nfmt++;
    } else if (c->in_cellxfs && WX_IS(name, nlen, "xf")) {
        const wx_attr *id = XLSX_ATTR(a, na, "numFmtId");
        unsigned long v = 0;
        if (id && xlsx_ulong(id->val, id->vlen, 0xFFFFFFFFUL, &v))
            v = 0;
        if (c->nxf >= XLSX_MAX_XF) {
            c->st = wb_fail(c->r, TA_E_DATA,
                            "styles: more than %u cell formats; %s",
                            XLSX_MAX_XF, WB_RESAVE);
            return WX_FAIL;
        }
        if (buf_grow_array(&c->xf_id, &c->xcap, c->nxf + 1, sizeof *c->xf_id))
            goto nomem;
        c->xf_id[c->nxf++] = v;
    }
    return WX_GO;
nomem:
    c->st = wb_fail(c->r, TA_E_NOMEM, "out of memory");
    return WX_FAIL;
}

static int sty_end(void *ctx, const char *name, size_t nlen)
{
    sty_ctx *c = ctx;
    if (WX_IS(name, nlen, "numFmts"))
        c->in_numfmts = 0;
    else if (WX_IS(name, nlen, "cellXfs"))
        c->in_cellxfs = 0;
    return WX_GO;
}

static int sty_text(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    (void)s;
    (void)n;
    return WX_GO;
}

static const wx_handler sty_handler = {sty_start, sty_end, sty_text};

/* The kind of format id: a built-in date/time id always is one (Excel shows
 * them in the locale's form whatever code a file writes for them); other
 * ids by the file's code for them. */
static cf_kind id_kind(const sty_ctx *c, unsigned long id)
{
    cf_kind k = cf_builtin_kind(id);
    if (k != CF_NUMBER)
        return k;
    for (size_t i = c->nfmt; i > 0; i--)
        if (c->fmts[i - 1].id == id)
            return c->fmts[i - 1].kind;
    return CF_NUMBER;
}

ta_status xlsx_load_styles(wb_reader *r, xlsx *x)
{
    free(x->xf_kind); /* a failed load is tried again: start afresh */
    x->xf_kind = NULL;
    x->nxf = 0;
    if (!x->styles_part || wz_find(x->zip, x->styles_part) < 0)
        return TA_OK; /* no styles: every number is General */
    sty_ctx c;
    memset(&c, 0, sizeof c);
    c.r = r;
    ta_status st = xlsx_parse_part(r, x, x->styles_part, WX_EXPAT,
                                   &sty_handler, &c, &c.st);
    if (st == TA_OK && c.nxf) {
        x->xf_kind = malloc(c.nxf);
        if (!x->xf_kind)
            st = wb_fail(r, TA_E_NOMEM, "out of memory");
        else {
            for (size_t i = 0; i < c.nxf; i++)
                x->xf_kind[i] = (unsigned char)id_kind(&c, c.xf_id[i]);
            x->nxf = c.nxf;
        }
    }
    free(c.fmts);
    free(c.xf_id);
    return st;
}

cf_kind xlsx_style_kind(const xlsx *x, unsigned long s)
{
    return s < x->nxf ? (cf_kind)x->xf_kind[s] : CF_NUMBER;
}

/* ---- shared strings ------------------------------------------------------
 */

typedef struct sst_ctx {
    wb_reader *r;
    xlsx *x;
    ta_status st;
    int in_si, in_t;
    int rph; /* depth inside <rPh> */
    int toolong;
    ta_buf acc, clean;
} sst_ctx;

static int sst_fail_io(sst_ctx *c, int rc)
{
    if (rc == -1)
        c->st = wb_fail(c->r, TA_E_NOMEM, "out of memory");
    else if (rc == -3)
        c->st = wb_fail_part(c->r, TA_E_DATA, c->x->sst_part,
                             "the shared strings pass 4 GiB of text; %s",
                             WB_RESAVE);
    else
        c->st = wb_fail(c->r, TA_E_IO,
                        "cannot write the shared strings to a temporary "
                        "file: %s (set TMPDIR to a folder with room)",
                        strerror(errno));
    return WX_FAIL;
}

static int sst_start(void *ctx, const char *name, size_t nlen,
                     const wx_attr *a, size_t na)
{
    (void)a;
    (void)na;
    sst_ctx *c = ctx;
    if (WX_IS(name, nlen, "si")) {
        c->in_si = 1;
        c->toolong = 0;
        buf_reset(&c->acc);
    } else if (c->in_si && WX_IS(name, nlen, "rPh"))
        c->rph++;
    else if (c->in_si && c->rph == 0 && WX_IS(name, nlen, "t"))
        c->in_t = 1;
    return WX_GO;
}

static int sst_end(void *ctx, const char *name, size_t nlen)
{
    sst_ctx *c = ctx;
    if (WX_IS(name, nlen, "t"))
        c->in_t = 0;
    else if (WX_IS(name, nlen, "rPh")) {
        if (c->rph > 0)
            c->rph--;
    } else if (c->in_si && WX_IS(name, nlen, "si")) {
        c->in_si = 0;
        c->in_t = 0;
        c->rph = 0;
        buf_reset(&c->clean);
        size_t units = 0;
        if (!c->toolong && c->acc.len &&
            cf_text(c->acc.p, c->acc.len, 1, &c->clean, &units))
            return sst_fail_io(c, -1);
        if (units > WB_MAX_CELL_UNITS)
            c->toolong = 1;
        int rc = c->toolong ? sst_add(c->x->sst, "", 0, 1)
                            : sst_add(c->x->sst, c->clean.p ? c->clean.p : "",
                                      c->clean.len, 0);
        if (rc)
            return sst_fail_io(c, rc);
    }
    return WX_GO;
}

static int sst_text(void *ctx, const char *s, size_t n)
{
    sst_ctx *c = ctx;
    if (!c->in_t || c->toolong)
        return WX_GO;
    if (c->acc.len + n > XLSX_RAW_MAX) {
        c->toolong = 1;
        return WX_GO;
    }
    if (buf_add(&c->acc, s, n))
        return sst_fail_io(c, -1);
    return WX_GO;
}

static const wx_handler sst_handler = {sst_start, sst_end, sst_text};

ta_status xlsx_load_sst(wb_reader *r, xlsx *x)
{
    sst_free(x->sst); /* a failed load is tried again: start afresh */
    x->sst = sst_new(r->opt.sst_mem_bytes);
    if (!x->sst)
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    if (!x->sst_part || wz_find(x->zip, x->sst_part) < 0)
        return TA_OK; /* no shared strings: a t="s" cell is damage */
    sst_ctx c;
    memset(&c, 0, sizeof c);
    c.r = r;
    c.x = x;
    buf_init(&c.acc, 0);
    buf_init(&c.clean, 0);
    ta_status st = xlsx_parse_part(r, x, x->sst_part, xlsx_engine(r),
                                   &sst_handler, &c, &c.st);
    buf_free(&c.acc);
    buf_free(&c.clean);
    return st;
}
