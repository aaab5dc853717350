/*
 * xlsx_sheet.c — streaming one worksheet part: <sheetData>'s rows and
 * cells become wb_rows (SPEC §3 "Cell text"), one at a time.
 *
 * The handler pauses the parser at each </row> that has text, so a sheet
 * of a million rows is read with one row in memory. Rows and cells without
 * an r attribute are numbered on from the previous one (.NET writers omit
 * them all, SpreadsheetGear writes them only after a gap); rows must come
 * in increasing order; a cell's column comes from its r (its row digits
 * are checked but the row's number wins).
 */
#include "xlsx_shared.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most <c> elements one row may hold (Excel has 16,384 columns; a
 * column written twice is allowed, a row of millions of cells is not). */
#define XS_MAX_CELLS 65536u

typedef enum ctype {
    CT_NUM,
    CT_SST,
    CT_STR,
    CT_INLINE,
    CT_BOOL,
    CT_ERR,
    CT_DATE
} ctype;

struct xsheet {
    wb_reader *r;
    xlsx *x;
    ta_status st;
    int in_data, in_row, in_c, in_is;
    int collect; /* 0 none, 1 <v>, 2 <t> of <is> */
    int rph;
    int row_ready;
    unsigned long row;
    size_t next_col, ncells;
    /* the cell */
    size_t col;
    ctype type;
    unsigned long style;
    int have_v, have_is, toolong;
    ta_buf v, is;
};

xsheet *xsheet_new(wb_reader *r, xlsx *x)
{
    xsheet *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->r = r;
    s->x = x;
    buf_init(&s->v, 0);
    buf_init(&s->is, 0);
    return s;
}

void xsheet_free(xsheet *s)
{
    if (!s)
        return;
    buf_free(&s->v);
    buf_free(&s->is);
    free(s);
}

int xsheet_take_row(xsheet *s)
{
    int r = s->row_ready;
    s->row_ready = 0;
    return r;
}

ta_status xsheet_status(const xsheet *s)
{
    return s->st;
}

static int fail_cell(xsheet *s, ta_status st, const char *what)
{
    s->st = wb_fail_cell(s->r, st, s->row, s->col, "%s", what);
    return WX_FAIL;
}

static int nomem(xsheet *s)
{
    s->st = wb_fail(s->r, TA_E_NOMEM, "out of memory");
    return WX_FAIL;
}

/* "AB12" -> column 27 (0-based); -1 when not a cell of Excel's grid. */
static long parse_ref(const char *v, size_t n)
{
    size_t i = 0;
    unsigned long col = 0;
    while (i < n && i < 4) {
        char c = v[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c < 'A' || c > 'Z')
            break;
        col = col * 26 + (unsigned long)(c - 'A' + 1);
        i++;
    }
    if (i == 0 || col > WB_MAX_COLS)
        return -1;
    unsigned long row;
    if (i == n || v[i] == '0' || xlsx_ulong(v + i, n - i, WB_MAX_ROWS, &row) ||
        row == 0)
        return -1;
    return (long)(col - 1);
}

static int start_row(xsheet *s, const wx_attr *a, size_t na)
{
    wb_reader *r = s->r;
    const wx_attr *ra = XLSX_ATTR(a, na, "r");
    unsigned long n;
    if (ra) {
        if (xlsx_ulong(ra->val, ra->vlen, WB_MAX_ROWS, &n) || n == 0) {
            s->st = wb_fail_sheet(r, TA_E_DATA,
                                  "a row numbered \"%.20s\", outside Excel's "
                                  "1-1,048,576; %s",
                                  ra->val, WB_RESAVE);
            return WX_FAIL;
        }
        if (n <= r->last_row) {
            s->st = wb_fail_sheet(r, TA_E_DATA,
                                  "row %lu comes after row %lu (rows out of "
                                  "order); %s",
                                  n, r->last_row, WB_RESAVE);
            return WX_FAIL;
        }
    } else {
        n = r->last_row + 1;
        if (n > WB_MAX_ROWS) {
            s->st = wb_fail_sheet(r, TA_E_DATA, "more than 1,048,576 rows; %s",
                                  WB_RESAVE);
            return WX_FAIL;
        }
    }
    s->row = n;
    s->in_row = 1;
    s->next_col = 0;
    s->ncells = 0;
    if (rb_begin(&r->rb, n))
        return nomem(s);
    return WX_GO;
}

/* The cell type of a t attribute; -1 when unknown. */
static int cell_type(const char *v, size_t n)
{
    if (WX_IS(v, n, "s"))
        return CT_SST;
    if (WX_IS(v, n, "n"))
        return CT_NUM;
    if (WX_IS(v, n, "str"))
        return CT_STR;
    if (WX_IS(v, n, "inlineStr"))
        return CT_INLINE;
    if (WX_IS(v, n, "b"))
        return CT_BOOL;
    if (WX_IS(v, n, "e"))
        return CT_ERR;
    if (WX_IS(v, n, "d"))
        return CT_DATE;
    return -1;
}

static int start_cell(xsheet *s, const wx_attr *a, size_t na)
{
    s->col = s->next_col;
    if (++s->ncells > XS_MAX_CELLS) {
        s->st = wb_fail_sheet(s->r, TA_E_DATA,
                              "row %lu holds more than %u cells; %s", s->row,
                              XS_MAX_CELLS, WB_RESAVE);
        return WX_FAIL;
    }
    const wx_attr *ra = NULL, *ta = NULL, *sa = NULL;
    for (size_t i = 0; i < na; i++) {
        if (a[i].nlen != 1)
            continue;
        switch (a[i].name[0]) {
        case 'r':
            ra = &a[i];
            break;
        case 't':
            ta = &a[i];
            break;
        case 's':
            sa = &a[i];
            break;
        default:
            break;
        }
    }
    if (ra) {
        long c = parse_ref(ra->val, ra->vlen);
        if (c < 0) {
            s->st = wb_fail_sheet(s->r, TA_E_DATA,
                                  "row %lu: the cell reference \"%.20s\" is "
                                  "outside Excel's grid (A1:XFD1048576); %s",
                                  s->row, ra->val, WB_RESAVE);
            return WX_FAIL;
        }
        s->col = (size_t)c;
    }
    if (s->col >= WB_MAX_COLS) {
        s->st = wb_fail_sheet(s->r, TA_E_DATA,
                              "row %lu has a cell past column XFD (16,384 "
                              "columns); %s",
                              s->row, WB_RESAVE);
        return WX_FAIL;
    }
    s->next_col = s->col + 1;
    s->type = CT_NUM;
    if (ta) {
        int t = cell_type(ta->val, ta->vlen);
        if (t < 0)
            return fail_cell(s, TA_E_DATA,
                             "the cell has an unknown type; " WB_RESAVE);
        s->type = (ctype)t;
    }
    s->style = 0;
    if (sa && xlsx_ulong(sa->val, sa->vlen, 0xFFFFFFFFUL, &s->style))
        s->style = 0;
    s->in_c = 1;
    s->have_v = s->have_is = s->toolong = 0;
    buf_reset(&s->v);
    buf_reset(&s->is);
    return WX_GO;
}

static int is_blank(const ta_buf *b)
{
    for (size_t i = 0; i < b->len; i++)
        if (b->p[i] != ' ' && b->p[i] != '\t' && b->p[i] != '\r' &&
            b->p[i] != '\n')
            return 0;
    return 1;
}

/* Appends a cleaned string; refuses one over Excel's limit. */
static int put_string(xsheet *s, const ta_buf *src, int xesc, size_t start)
{
    size_t units = 0;
    ta_buf *out = &s->r->rb.text;
    if (src->len && cf_text(src->p, src->len, xesc, out, &units))
        return nomem(s);
    if (units > WB_MAX_CELL_UNITS) {
        rb_drop(&s->r->rb, start);
        return fail_cell(s, TA_E_DATA,
                         "the cell holds more than Excel's 32,767 "
                         "characters (refused as damaged or hostile)");
    }
    return WX_GO;
}

static int put_sst(xsheet *s)
{
    unsigned long idx;
    if (xlsx_ulong(s->v.p, s->v.len, 0xFFFFFFFFUL, &idx))
        return fail_cell(
            s, TA_E_DATA,
            "the shared-string index is not a number; " WB_RESAVE);
    size_t n = s->x->sst ? sst_count(s->x->sst) : 0;
    if (idx >= n) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "the cell names shared string %lu, but the table holds "
                 "%zu; " WB_RESAVE,
                 idx, n);
        return fail_cell(s, TA_E_DATA, msg);
    }
    int toolong = 0;
    int rc = sst_get(s->x->sst, idx, &s->r->rb.text, &toolong);
    if (rc == -1)
        return nomem(s);
    if (rc) {
        s->st = wb_fail(s->r, TA_E_IO,
                        "cannot read the shared strings' temporary file: %s",
                        strerror(errno));
        return WX_FAIL;
    }
    if (toolong)
        return fail_cell(s, TA_E_DATA,
                         "the cell holds more than Excel's 32,767 "
                         "characters (refused as damaged or hostile)");
    return WX_GO;
}

static int put_number(xsheet *s)
{
    ta_buf *out = &s->r->rb.text;
    cf_kind k = xlsx_style_kind(s->x, s->style);
    if (k != CF_NUMBER) {
        double d;
        if (cf_parse_number(s->v.p, s->v.len, &d))
            return fail_cell(s, TA_E_DATA,
                             "the number cell holds no number; " WB_RESAVE);
        int rc = cf_serial_text(d, s->r->date1904, k, out);
        if (rc < 0)
            return nomem(s);
        if (rc == 0 && cf_double_text(d, out))
            return nomem(s);
        return WX_GO;
    }
    int rc = cf_number_text(s->v.p, s->v.len, out);
    if (rc == -2)
        return fail_cell(s, TA_E_DATA,
                         "the number cell holds no number; " WB_RESAVE);
    return rc ? nomem(s) : WX_GO;
}

static int end_cell(xsheet *s)
{
    wb_rowbuf *rb = &s->r->rb;
    s->in_c = 0;
    s->in_is = 0;
    s->collect = 0;
    s->rph = 0;
    if (s->toolong)
        return fail_cell(s, TA_E_DATA,
                         "the cell holds more than Excel's 32,767 "
                         "characters (refused as damaged or hostile)");
    size_t start = rb_mark(rb);
    int rc = WX_GO;
    ta_buf *out = &rb->text;
    switch (s->type) {
    case CT_NUM:
        if (s->have_v && !is_blank(&s->v))
            rc = put_number(s);
        break;
    case CT_SST:
        if (s->have_v && !is_blank(&s->v))
            rc = put_sst(s);
        break;
    case CT_INLINE:
        rc = put_string(s, s->have_is ? &s->is : &s->v, 1, start);
        break;
    case CT_STR:
        rc = put_string(s, &s->v, 1, start);
        break;
    case CT_ERR:
        rc = put_string(s, &s->v, 0, start);
        break;
    case CT_BOOL:
        if (!s->have_v || is_blank(&s->v))
            break;
        {
            unsigned long b;
            const char *t = s->v.p;
            if (xlsx_ulong(t, s->v.len, 1, &b) == 0)
                rc = buf_adds(out, b ? "TRUE" : "FALSE") ? nomem(s) : WX_GO;
            else if (WX_IS(t, s->v.len, "true"))
                rc = buf_adds(out, "TRUE") ? nomem(s) : WX_GO;
            else if (WX_IS(t, s->v.len, "false"))
                rc = buf_adds(out, "FALSE") ? nomem(s) : WX_GO;
            else
                rc = fail_cell(
                    s, TA_E_DATA,
                    "the boolean cell is neither 0 nor 1; " WB_RESAVE);
        }
        break;
    case CT_DATE:
        if (!s->have_v || is_blank(&s->v))
            break;
        {
            int d = cf_iso_text(s->v.p, s->v.len, out);
            if (d < 0)
                rc = nomem(s);
            else if (d == 0) /* not an ISO date: its text as written */
                rc = put_string(s, &s->v, 0, start);
        }
        break;
    }
    if (rc != WX_GO)
        return rc;
    if (rb_commit(rb, s->col, start))
        return nomem(s);
    if (wb_check_row_size(s->r, s->row, s->col) != TA_OK) {
        s->st = TA_E_DATA;
        return WX_FAIL;
    }
    return WX_GO;
}

static int xs_start(void *ctx, const char *name, size_t nlen, const wx_attr *a,
                    size_t na)
{
    xsheet *s = ctx;
    if (!s->in_data) {
        if (WX_IS(name, nlen, "sheetData"))
            s->in_data = 1;
        return WX_GO;
    }
    if (s->in_c) {
        if (WX_IS(name, nlen, "v")) {
            s->collect = 1;
            s->have_v = 1;
        } else if (WX_IS(name, nlen, "is")) {
            s->in_is = 1;
            s->have_is = 1;
        } else if (s->in_is && WX_IS(name, nlen, "rPh"))
            s->rph++;
        else if (s->in_is && s->rph == 0 && WX_IS(name, nlen, "t"))
            s->collect = 2;
        return WX_GO;
    }
    if (s->in_row && WX_IS(name, nlen, "c"))
        return start_cell(s, a, na);
    if (!s->in_row && WX_IS(name, nlen, "row"))
        return start_row(s, a, na);
    return WX_GO;
}

static int xs_end(void *ctx, const char *name, size_t nlen)
{
    xsheet *s = ctx;
    if (!s->in_data)
        return WX_GO;
    if (s->in_c) {
        if (WX_IS(name, nlen, "c"))
            return end_cell(s);
        if (WX_IS(name, nlen, "v") || WX_IS(name, nlen, "t"))
            s->collect = 0;
        else if (WX_IS(name, nlen, "rPh")) {
            if (s->rph > 0)
                s->rph--;
        } else if (WX_IS(name, nlen, "is"))
            s->in_is = 0;
        return WX_GO;
    }
    if (s->in_row && WX_IS(name, nlen, "row")) {
        wb_reader *r = s->r;
        s->in_row = 0;
        r->last_row = s->row;
        int f = rb_finish(&r->rb);
        if (f < 0)
            return nomem(s);
        if (f == 0) {
            r->skipped++;
            return WX_GO;
        }
        s->row_ready = 1;
        return WX_PAUSE;
    }
    if (WX_IS(name, nlen, "sheetData"))
        return WX_STOP;
    return WX_GO;
}

static int xs_text(void *ctx, const char *t, size_t n)
{
    xsheet *s = ctx;
    if (!s->collect || s->toolong)
        return WX_GO;
    ta_buf *b = s->collect == 1 ? &s->v : &s->is;
    if (b->len + n > XLSX_RAW_MAX) {
        s->toolong = 1;
        return WX_GO;
    }
    if (buf_add(b, t, n))
        return nomem(s);
    return WX_GO;
}

const wx_handler xsheet_handler = {xs_start, xs_end, xs_text};
