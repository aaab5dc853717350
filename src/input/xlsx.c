/*
 * xlsx.c — the .xlsx back end: finds the workbook in the package and its
 * sheets, then streams worksheets through xlsx_sheet.c.
 *
 * The package is read the way Office does, never by guessing part names:
 * _rels/.rels names the workbook (the officeDocument relationship;
 * [Content_Types].xml's main part when it does not), the workbook's
 * relationships name each sheet's part, the shared strings and the styles.
 * Targets may be relative or absolute (/xl/worksheets/sheet1.xml),
 * namespaces transitional or Strict, under any prefix. [Content_Types].xml
 * also tells a Word or PowerPoint file, an .xlsb and an OpenDocument file
 * from a workbook, so that the message can say what the file is.
 */
#include "xlsx_shared.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define XLSX_MAX_RELS 65536u
#define XLSX_MAX_OVERRIDES 65536u

/* ---- part names --------------------------------------------------------- */

/* The part a relationship target names, resolved against the folder of
 * the part whose relationships hold it (base_dir: "" or "xl/"):
 * percent-escapes decoded, "." and ".." applied, into *res (malloc'd; NULL
 * when the target climbs above the package root). 0, or -1 when out of
 * memory. */
static int resolve(const char *base_dir, const char *target, char **res)
{
    *res = NULL;
    size_t bl = strlen(base_dir), tl = strlen(target);
    char *joined = malloc(bl + tl + 2);
    char *out = malloc(bl + tl + 2);
    if (!joined || !out) {
        free(joined);
        free(out);
        return -1;
    }
    size_t k = 0;
    if (target[0] != '/') {
        memcpy(joined, base_dir, bl);
        k = bl;
    }
    for (size_t i = 0; i < tl; i++) {
        if (target[i] == '%' && i + 2 < tl && cf_hexval(target[i + 1]) >= 0 &&
            cf_hexval(target[i + 2]) >= 0) {
            joined[k++] = (char)(cf_hexval(target[i + 1]) * 16 +
                                 cf_hexval(target[i + 2]));
            i += 2;
        } else
            joined[k++] = target[i] == '\\' ? '/' : target[i];
    }
    joined[k] = '\0';
    /* segments, "." and ".." */
    size_t o = 0;
    const char *s = joined;
    while (*s) {
        while (*s == '/')
            s++;
        const char *e = strchr(s, '/');
        size_t sl = e ? (size_t)(e - s) : strlen(s);
        if (sl == 0)
            break;
        if (sl == 1 && s[0] == '.') {
        } else if (sl == 2 && s[0] == '.' && s[1] == '.') {
            if (o == 0) {
                free(joined);
                free(out);
                return 0;
            }
            o--; /* drop the trailing '/' then the segment */
            while (o > 0 && out[o - 1] != '/')
                o--;
        } else {
            memcpy(out + o, s, sl);
            o += sl;
            if (e)
                out[o++] = '/';
        }
        s += sl;
    }
    out[o] = '\0';
    free(joined);
    *res = out;
    return 0;
}

/* "xl/workbook.xml" -> "xl/" (malloc'd). */
static char *dir_of(const char *part)
{
    const char *sl = strrchr(part, '/');
    size_t n = sl ? (size_t)(sl - part) + 1 : 0;
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, part, n);
    d[n] = '\0';
    return d;
}

/* "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels" (malloc'd). */
static char *rels_of(const char *part)
{
    const char *sl = strrchr(part, '/');
    size_t dn = sl ? (size_t)(sl - part) + 1 : 0;
    const char *base = part + dn;
    size_t n = dn + strlen("_rels/") + strlen(base) + strlen(".rels") + 1;
    char *r = malloc(n);
    if (!r)
        return NULL;
    snprintf(r, n, "%.*s_rels/%s.rels", (int)dn, part, base);
    return r;
}

/* The last segment of a relationship type or namespace URI. */
static const char *type_tail(const char *type)
{
    const char *sl = strrchr(type, '/');
    return sl ? sl + 1 : type;
}

/* ---- [Content_Types].xml -------------------------------------------------
 */

typedef struct ct_ctx {
    wb_reader *r;
    ta_status st;
    char *main_part; /* the spreadsheet's main part */
    int word, ppt, xlsb;
    char *sst_part, *styles_part;
} ct_ctx;

static int is_sheet_main(const char *ct)
{
    return strstr(ct, "spreadsheetml.sheet.main") ||
           strstr(ct, "spreadsheetml.template.main") ||
           strstr(ct, "ms-excel.sheet.macroEnabled.main") ||
           strstr(ct, "ms-excel.template.macroEnabled.main") ||
           strstr(ct, "ms-excel.addin.macroEnabled.main");
}

static int set_str(char **dst, const char *v)
{
    if (*dst)
        return 0;
    *dst = strdup(v[0] == '/' ? v + 1 : v);
    return *dst ? 0 : -1;
}

static int ct_start(void *ctx, const char *name, size_t nlen, const wx_attr *a,
                    size_t na)
{
    ct_ctx *c = ctx;
    if (!WX_IS(name, nlen, "Override"))
        return WX_GO;
    const wx_attr *pn = XLSX_ATTR(a, na, "PartName");
    const wx_attr *ty = XLSX_ATTR(a, na, "ContentType");
    if (!pn || !ty)
        return WX_GO;
    const char *t = ty->val;
    int rc = 0;
    if (is_sheet_main(t))
        rc = set_str(&c->main_part, pn->val);
    else if (strstr(t, "ms-excel.sheet.binary"))
        c->xlsb = 1;
    else if (strstr(t, "wordprocessingml.document") ||
             strstr(t, "ms-word.document"))
        c->word = 1;
    else if (strstr(t, "presentationml.presentation") ||
             strstr(t, "ms-powerpoint.presentation"))
        c->ppt = 1;
    else if (strstr(t, "spreadsheetml.sharedStrings"))
        rc = set_str(&c->sst_part, pn->val);
    else if (strstr(t, "spreadsheetml.styles"))
        rc = set_str(&c->styles_part, pn->val);
    if (rc) {
        c->st = wb_fail(c->r, TA_E_NOMEM, "out of memory");
        return WX_FAIL;
    }
    return WX_GO;
}

static int no_end(void *ctx, const char *name, size_t nlen)
{
    (void)ctx;
    (void)name;
    (void)nlen;
    return WX_GO;
}

static int no_text(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    (void)s;
    (void)n;
    return WX_GO;
}

static const wx_handler ct_handler = {ct_start, no_end, no_text};

/* ---- relationships --------------------------------------------------------
 */

typedef struct rel {
    char *id, *type, *target;
    int external;
} rel;

typedef struct rels_ctx {
    wb_reader *r;
    ta_status st;
    rel *v;
    size_t n, cap;
} rels_ctx;

static void rels_free(rels_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].id);
        free(c->v[i].type);
        free(c->v[i].target);
    }
    free(c->v);
    c->v = NULL;
    c->n = c->cap = 0;
}

static int rels_start(void *ctx, const char *name, size_t nlen,
                      const wx_attr *a, size_t na)
{
    rels_ctx *c = ctx;
    if (!WX_IS(name, nlen, "Relationship"))
        return WX_GO;
    const wx_attr *id = XLSX_ATTR(a, na, "Id");
    const wx_attr *ty = XLSX_ATTR(a, na, "Type");
    const wx_attr *tg = XLSX_ATTR(a, na, "Target");
    const wx_attr *mode = XLSX_ATTR(a, na, "TargetMode");
    if (!id || !ty || !tg)
        return WX_GO;
    if (c->n >= XLSX_MAX_RELS) {
        c->st = wb_fail(c->r, TA_E_DATA,
                        "more than %u relationships in one part; %s",
                        XLSX_MAX_RELS, WB_RESAVE);
        return WX_FAIL;
    }
    if (buf_grow_array(&c->v, &c->cap, c->n + 1, sizeof *c->v))
        goto nomem;
    rel *e = &c->v[c->n];
    e->id = strdup(id->val);
    e->type = strdup(ty->val);
    e->target = strdup(tg->val);
    e->external = mode && strcasecmp(mode->val, "External") == 0;
    c->n++;
    if (!e->id || !e->type || !e->target)
        goto nomem;
    return WX_GO;
nomem:
    c->st = wb_fail(c->r, TA_E_NOMEM, "out of memory");
    return WX_FAIL;
}

static const wx_handler rels_handler = {rels_start, no_end, no_text};

/* Parses the relationships part rp when it exists (a missing one is an
 * empty list). */
static ta_status load_rels(wb_reader *r, xlsx *x, const char *rp, rels_ctx *c)
{
    memset(c, 0, sizeof *c);
    c->r = r;
    if (wz_find(x->zip, rp) < 0)
        return TA_OK;
    return xlsx_parse_part(r, x, rp, WX_EXPAT, &rels_handler, c, &c->st);
}

static const rel *rel_by_type(const rels_ctx *c, const char *tail)
{
    for (size_t i = 0; i < c->n; i++)
        if (!c->v[i].external && strcmp(type_tail(c->v[i].type), tail) == 0)
            return &c->v[i];
    return NULL;
}

static const rel *rel_by_id(const rels_ctx *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].id, id) == 0)
            return &c->v[i];
    return NULL;
}

/* ---- workbook.xml --------------------------------------------------------
 */

typedef struct wsheet {
    char *name;
    char *rid;
    int hidden;
} wsheet;

typedef struct wbk_ctx {
    wb_reader *r;
    ta_status st;
    int date1904;
    int seen_workbook;
    wsheet *v;
    size_t n, cap;
    /* prefixes bound to a relationships namespace (xmlns:r=...) */
    char prefixes[8][32];
    size_t nprefix;
} wbk_ctx;

static int truthy(const char *v)
{
    return strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
           strcasecmp(v, "on") == 0;
}

static int is_rel_prefix(const wbk_ctx *c, const char *p, size_t n)
{
    for (size_t i = 0; i < c->nprefix; i++)
        if (strlen(c->prefixes[i]) == n && memcmp(c->prefixes[i], p, n) == 0)
            return 1;
    return 0;
}

/* The relationship id of a <sheet>: the attribute "id" under a prefix bound
 * to a relationships namespace (r:id, ns:id ...), else under any prefix. */
static const wx_attr *sheet_rid(const wbk_ctx *c, const wx_attr *a, size_t na)
{
    const wx_attr *any = NULL;
    for (size_t i = 0; i < na; i++) {
        const char *colon = memchr(a[i].name, ':', a[i].nlen);
        if (!colon)
            continue;
        size_t pl = (size_t)(colon - a[i].name);
        if (!WX_IS(colon + 1, a[i].nlen - pl - 1, "id"))
            continue;
        if (is_rel_prefix(c, a[i].name, pl))
            return &a[i];
        if (!any)
            any = &a[i];
    }
    return any;
}

static int wbk_start(void *ctx, const char *name, size_t nlen,
                     const wx_attr *a, size_t na)
{
    wbk_ctx *c = ctx;
    for (size_t i = 0; i < na; i++) {
        if (a[i].nlen > 6 && memcmp(a[i].name, "xmlns:", 6) == 0 &&
            strstr(a[i].val, "relationships") && c->nprefix < 8 &&
            a[i].nlen - 6 < sizeof c->prefixes[0]) {
            memcpy(c->prefixes[c->nprefix], a[i].name + 6, a[i].nlen - 6);
            c->prefixes[c->nprefix][a[i].nlen - 6] = '\0';
            c->nprefix++;
        }
    }
    if (WX_IS(name, nlen, "workbook"))
        c->seen_workbook = 1;
    else if (WX_IS(name, nlen, "workbookPr")) {
        const wx_attr *d = XLSX_ATTR(a, na, "date1904");
        if (d)
            c->date1904 = truthy(d->val);
    } else if (WX_IS(name, nlen, "sheet")) {
        const wx_attr *nm = XLSX_ATTR(a, na, "name");
        const wx_attr *state = XLSX_ATTR(a, na, "state");
        const wx_attr *rid = sheet_rid(c, a, na);
        if (buf_grow_array(&c->v, &c->cap, c->n + 1, sizeof *c->v))
            goto nomem;
        wsheet *s = &c->v[c->n];
        s->name = strdup(nm ? nm->val : "");
        s->rid = rid ? strdup(rid->val) : NULL;
        s->hidden = state && (strcmp(state->val, "hidden") == 0 ||
                              strcmp(state->val, "veryHidden") == 0);
        c->n++;
        if (!s->name || (rid && !s->rid))
            goto nomem;
    }
    return WX_GO;
nomem:
    c->st = wb_fail(c->r, TA_E_NOMEM, "out of memory");
    return WX_FAIL;
}

static const wx_handler wbk_handler = {wbk_start, no_end, no_text};

static void wbk_free(wbk_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].name);
        free(c->v[i].rid);
    }
    free(c->v);
}

/* ---- the back end --------------------------------------------------------
 */

static ta_status xlsx_sheet_open(wb_reader *r, size_t i);
static ta_status xlsx_next_row(wb_reader *r, int *got);
static void xlsx_sheet_close(wb_reader *r);
static void xlsx_destroy(wb_reader *r);

static const wb_backend xlsx_backend = {"xlsx", xlsx_sheet_open, xlsx_next_row,
                                        xlsx_sheet_close, xlsx_destroy};

/* A few bytes of an entry (the OpenDocument "mimetype"). */
static int entry_head(xlsx *x, long i, char *buf, size_t cap)
{
    char zerr[128];
    wz_entry *e = NULL;
    if (wz_entry_open(x->zip, (size_t)i, &e, zerr, sizeof zerr) != TA_OK)
        return -1;
    long n = wz_entry_read(e, buf, cap - 1);
    wz_entry_close(e);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

/* Says what a ZIP archive without a workbook is. */
static ta_status not_a_workbook(wb_reader *r, xlsx *x, const ct_ctx *ct)
{
    long mt = wz_find(x->zip, "mimetype");
    char head[128];
    if (mt >= 0 && entry_head(x, mt, head, sizeof head) == 0 &&
        strstr(head, "opendocument.spreadsheet"))
        return wb_fail(r, TA_E_DATA,
                       "this is an OpenDocument spreadsheet (.ods), not an "
                       "Excel workbook; save it as .xlsx or CSV");
    if (mt >= 0 && entry_head(x, mt, head, sizeof head) == 0 &&
        strstr(head, "opendocument"))
        return wb_fail(r, TA_E_DATA,
                       "this is an OpenDocument file, not a spreadsheet");
    if (ct->xlsb)
        return wb_fail(r, TA_E_DATA,
                       "this is an Excel binary workbook (.xlsb), which is "
                       "not read; save it from Excel as .xlsx or CSV");
    if (ct->word)
        return wb_fail(r, TA_E_DATA,
                       "this is a Word document, not a spreadsheet");
    if (ct->ppt)
        return wb_fail(r, TA_E_DATA,
                       "this is a PowerPoint presentation, not a spreadsheet");
    return wb_fail(r, TA_E_DATA,
                   "a ZIP archive that holds no Excel workbook (no "
                   "spreadsheet part in it): not a spreadsheet");
}

static ta_status find_workbook(wb_reader *r, xlsx *x, ct_ctx *ct,
                               char **wb_part)
{
    *wb_part = NULL;
    ta_status st;
    if (wz_find(x->zip, "[Content_Types].xml") >= 0) {
        st = xlsx_parse_part(r, x, "[Content_Types].xml", WX_EXPAT,
                             &ct_handler, ct, &ct->st);
        if (st != TA_OK)
            return st;
    }
    rels_ctx pr;
    st = load_rels(r, x, "_rels/.rels", &pr);
    if (st != TA_OK) {
        rels_free(&pr);
        return st;
    }
    const rel *od = rel_by_type(&pr, "officeDocument");
    char *cand = NULL;
    int rc = od ? resolve("", od->target, &cand) : 0;
    rels_free(&pr);
    if (rc)
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    if (cand && wz_find(x->zip, cand) < 0) {
        free(cand);
        cand = NULL;
    }
    const char *fallback = NULL;
    if (ct->main_part && wz_find(x->zip, ct->main_part) >= 0)
        fallback = ct->main_part;
    else if (!ct->word && !ct->ppt && !ct->xlsb &&
             wz_find(x->zip, "xl/workbook.xml") >= 0)
        fallback = "xl/workbook.xml";
    if (!cand && fallback && !(cand = strdup(fallback)))
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    if (cand && ct->main_part == NULL && (ct->word || ct->ppt || ct->xlsb)) {
        free(cand);
        cand = NULL;
    }
    if (!cand)
        return not_a_workbook(r, x, ct);
    *wb_part = cand;
    return TA_OK;
}

static wb_sheet_kind kind_of(const char *type)
{
    const char *t = type_tail(type);
    if (strcmp(t, "worksheet") == 0)
        return WB_SHEET_WORKSHEET;
    if (strcmp(t, "chartsheet") == 0)
        return WB_SHEET_CHART;
    return WB_SHEET_OTHER;
}

ta_status xlsx_open(wb_reader *r)
{
    xlsx *x = calloc(1, sizeof *x);
    if (!x)
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    r->impl = x;
    r->be = &xlsx_backend;
    char zerr[256];
    ta_status st = wz_open(r->fd, &x->zip, zerr, sizeof zerr);
    if (st != TA_OK) {
        if (st == TA_E_NOMEM)
            return wb_fail(r, st, "out of memory");
        return wb_fail(r, st, "%s; %s", zerr,
                       st == TA_E_DATA ? WB_RESAVE : "check the disk");
    }
    wz_set_threads(x->zip, r->opt.inflate_thread);
    if (wz_count(x->zip) == 0)
        return wb_fail(r, TA_E_DATA,
                       "an empty ZIP archive: not a spreadsheet");

    ct_ctx ct;
    memset(&ct, 0, sizeof ct);
    ct.r = r;
    char *wbp = NULL, *dir = NULL, *rp = NULL;
    wbk_ctx wk;
    memset(&wk, 0, sizeof wk);
    wk.r = r;
    rels_ctx wr;
    memset(&wr, 0, sizeof wr);
    st = find_workbook(r, x, &ct, &wbp);
    if (st != TA_OK)
        goto done;
    st = xlsx_parse_part(r, x, wbp, WX_EXPAT, &wbk_handler, &wk, &wk.st);
    if (st != TA_OK)
        goto done;
    if (!wk.seen_workbook) {
        st = wb_fail_part(r, TA_E_DATA, wbp,
                          "the workbook part holds no <workbook>; %s",
                          WB_RESAVE);
        goto done;
    }
    r->date1904 = wk.date1904;
    dir = dir_of(wbp);
    rp = rels_of(wbp);
    if (!dir || !rp) {
        st = wb_fail(r, TA_E_NOMEM, "out of memory");
        goto done;
    }
    st = load_rels(r, x, rp, &wr);
    if (st != TA_OK)
        goto done;
    for (size_t i = 0; i < wk.n; i++) {
        const rel *e = wk.v[i].rid ? rel_by_id(&wr, wk.v[i].rid) : NULL;
        char *part = NULL;
        wb_sheet_kind k = e ? kind_of(e->type) : WB_SHEET_WORKSHEET;
        int rc = (e && !e->external) ? resolve(dir, e->target, &part) : 0;
        if (rc == 0)
            rc = wb_add_sheet(r, wk.v[i].name, strlen(wk.v[i].name),
                              wk.v[i].hidden, k, part, 0);
        free(part);
        if (rc) {
            st = wb_fail(r, TA_E_NOMEM,
                         "out of memory (or more than "
                         "65,536 sheets)");
            goto done;
        }
    }
    const rel *se = rel_by_type(&wr, "sharedStrings");
    const rel *ye = rel_by_type(&wr, "styles");
    if ((se && resolve(dir, se->target, &x->sst_part)) ||
        (ye && resolve(dir, ye->target, &x->styles_part)) ||
        (!x->sst_part && ct.sst_part &&
         !(x->sst_part = strdup(ct.sst_part))) ||
        (!x->styles_part && ct.styles_part &&
         !(x->styles_part = strdup(ct.styles_part)))) {
        st = wb_fail(r, TA_E_NOMEM, "out of memory");
        goto done;
    }
    st = TA_OK;
done:
    rels_free(&wr);
    wbk_free(&wk);
    free(ct.main_part);
    free(ct.sst_part);
    free(ct.styles_part);
    free(wbp);
    free(dir);
    free(rp);
    return st;
}

static ta_status xlsx_sheet_open(wb_reader *r, size_t i)
{
    xlsx *x = r->impl;
    const wb_sheet *s = &r->sheets[i];
    ta_status st;
    if (!x->parts_loaded) {
        st = xlsx_load_styles(r, x);
        if (st == TA_OK)
            st = xlsx_load_sst(r, x);
        if (st != TA_OK)
            return st;
        x->parts_loaded = 1;
    }
    if (!s->part)
        return wb_fail(r, TA_E_DATA,
                       "the workbook's relationships name no part for sheet "
                       "\"%s\"; %s",
                       s->name, WB_RESAVE);
    long e = wz_find(x->zip, s->part);
    if (e < 0)
        return wb_fail_part(r, TA_E_DATA, s->part,
                            "the part of sheet \"%s\" is missing from the "
                            "archive; %s",
                            s->name, WB_RESAVE);
    char zerr[256];
    st = wz_entry_open(x->zip, (size_t)e, &x->ent, zerr, sizeof zerr);
    if (st != TA_OK) {
        if (st == TA_E_NOMEM)
            return wb_fail(r, st, "out of memory");
        return wb_fail_part(r, st, s->part, "%s; %s", zerr,
                            st == TA_E_DATA ? WB_RESAVE : "check the disk");
    }
    x->part = s->part;
    x->sh = xsheet_new(r, x);
    x->xp =
        x->sh ? wx_new(x->ent, xlsx_engine(r), &xsheet_handler, x->sh) : NULL;
    if (!x->xp) {
        xlsx_sheet_close(r);
        return wb_fail(r, TA_E_NOMEM, "out of memory");
    }
    r->prog_total = wz_entry_size(x->ent);
    return TA_OK;
}

static ta_status xlsx_next_row(wb_reader *r, int *got)
{
    xlsx *x = r->impl;
    *got = 0;
    for (;;) {
        int rc = wx_run(x->xp);
        r->prog_done = wz_entry_done(x->ent);
        switch (rc) {
        case WX_R_PAUSE:
            if (xsheet_take_row(x->sh)) {
                *got = 1;
                return TA_OK;
            }
            continue;
        case WX_R_DONE:
            return TA_OK;
        case WX_R_FAIL:
            return xsheet_status(x->sh);
        case WX_R_BAD:
            return wb_fail_part(r, TA_E_DATA, x->part, "%s; %s",
                                wx_errmsg(x->xp), WB_RESAVE);
        case WX_R_SRC: {
            ta_status st = wz_entry_status(x->ent);
            return wb_fail_part(r, st, x->part, "%s; %s", wz_entry_err(x->ent),
                                st == TA_E_DATA ? WB_RESAVE
                                                : "check the disk");
        }
        default:
            return wb_fail(r, TA_E_NOMEM, "out of memory");
        }
    }
}

static void xlsx_sheet_close(wb_reader *r)
{
    xlsx *x = r->impl;
    if (!x)
        return;
    wx_free(x->xp);
    x->xp = NULL;
    xsheet_free(x->sh);
    x->sh = NULL;
    wz_entry_close(x->ent);
    x->ent = NULL;
    x->part = NULL;
}

static void xlsx_destroy(wb_reader *r)
{
    xlsx *x = r->impl;
    if (!x)
        return;
    xlsx_sheet_close(r);
    wz_close(x->zip);
    free(x->sst_part);
    free(x->styles_part);
    free(x->xf_kind);
    sst_free(x->sst);
    free(x);
    r->impl = NULL;
}
