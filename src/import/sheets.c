/*
 * sheets.c — an Excel workbook as the importer reads it (SPEC §3 "Excel
 * workbooks", docs/workbooks.md "Which sheet is read").
 *
 * The sheet: without --sheet, the first visible worksheet in the
 * workbook's order whose header row — the first of its first 30 non-empty
 * rows holding at least 3 known column names — maps every required field;
 * then each further visible worksheet whose header maps the same canonical
 * fields to the same columns continues it (an export past Excel's
 * 1,048,576 rows). With --sheet NAME that sheet alone, hidden or not.
 * The rows of the sheets read come out one after the other, the header
 * and what stands above it left out.
 *
 * The workbook reader preads the file in whatever order its parts need,
 * so the bytes imported are hashed in a pass of their own before (the
 * SHA-256 recorded) and again after the last row: a file that changed
 * meanwhile is refused (SPEC §3 "Duplicates and re-imports").
 */
#include "import_shared.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"

#define HASH_BLOCK ((size_t)1 << 20)

struct wb_input {
    int fd;
    const char *path;
    wb_reader *r;
    unsigned long long size;
    char sha[SHA256_HEX_SIZE];
    sheet_read *sheets; /* the sheets read: the chosen one first */
    size_t n, cap;
    size_t cur;      /* the sheet being streamed */
    int open;        /* cur is open */
};

/* Hashes the whole file (pread: the descriptor's offset is not moved). */
static ta_status hash_file(int fd, const char *path, unsigned long long *size,
                           char hex[SHA256_HEX_SIZE], char *err, size_t errlen)
{
    unsigned char *blk = malloc(HASH_BLOCK);
    if (!blk) {
        snprintf(err, errlen, "%s: out of memory", path);
        return TA_E_NOMEM;
    }
    struct sha256_ctx c;
    sha256_init(&c);
    unsigned long long off = 0;
    for (;;) {
        ssize_t n = pread(fd, blk, HASH_BLOCK, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
            free(blk);
            return TA_E_IO;
        }
        if (n == 0)
            break;
        sha256_update(&c, (size_t)n, blk);
        off += (unsigned long long)n;
    }
    free(blk);
    sha256_hex(&c, hex);
    *size = off;
    return TA_OK;
}

static ta_status reader_error(const wb_input *w, ta_status s, char *err,
                              size_t errlen)
{
    snprintf(err, errlen, "%s", w->r ? wb_errmsg(w->r) : "out of memory");
    return s;
}

/* Why a sheet was not chosen, for the messages. */
typedef enum scan_result {
    SCAN_OK = 0,  /* a header mapping every required field */
    SCAN_EMPTY,   /* no non-empty row */
    SCAN_NONE,    /* no header in its first 30 non-empty rows */
    SCAN_UNMAPPED /* a header, but a required field or the source missing */
} scan_result;

/* Reads the first rows of sheet i and looks for its header (given: the
 * source to map it as, TA_SRC_NONE to detect). *res says what was found;
 * why what is wrong with it (no file or sheet in it, masked). */
static ta_status scan_sheet(wb_input *w, size_t i, const rules *rs,
                            ta_source given, header_map *m, sheet_read *sr,
                            scan_result *res, char *why, size_t whylen,
                            char *err, size_t errlen)
{
    ta_status s = wb_sheet_open(w->r, i);
    if (s != TA_OK)
        return reader_error(w, s, err, errlen);
    char first[400] = "";
    unsigned long first_row = 0;
    for (int k = 0; k < IMPORT_HEADER_ROWS; k++) {
        const wb_row *row = NULL;
        s = wb_next_row(w->r, &row);
        if (s != TA_OK)
            return reader_error(w, s, err, errlen);
        if (!row)
            break;
        if (k == 0) {
            header_quote_row(row->cells, row->lens, row->ncells, first,
                             sizeof first);
            first_row = row->number;
        }
        if (header_score(rs, row->cells, row->lens, row->ncells) <
            IMPORT_MIN_SCORE)
            continue;
        sr->index = i;
        sr->header_row = row->number;
        sr->ncols = row->ncells;
        char reason[1200];
        if (header_map_row(rs, given, row->cells, row->lens, row->ncells, m,
                           reason, sizeof reason) == TA_OK) {
            *res = SCAN_OK;
            return TA_OK;
        }
        *res = SCAN_UNMAPPED;
        snprintf(why, whylen, "header on row %lu: %s", row->number, reason);
        return TA_OK;
    }
    if (first_row == 0) {
        *res = SCAN_EMPTY;
        snprintf(why, whylen, "no non-empty row");
    } else {
        *res = SCAN_NONE;
        snprintf(why, whylen,
                 "no header row in its first %d non-empty rows (the first, "
                 "row %lu: %s)",
                 IMPORT_HEADER_ROWS, first_row, first);
    }
    return TA_OK;
}

static int add_sheet(wb_input *w, const sheet_read *sr)
{
    if (buf_grow_array(&w->sheets, &w->cap, w->n + 1, sizeof *w->sheets))
        return -1;
    w->sheets[w->n++] = *sr;
    return 0;
}

/* The sheet's name as a reference, quoted as Excel quotes it. */
static int add_ref(ta_buf *b, const char *name)
{
    return buf_addc(b, '\'') || buf_adds(b, name) || buf_addc(b, '\'');
}

/* What a sheet is when it is not a visible worksheet ("" when it is). */
static const char *sheet_note(const wb_reader *r, size_t i)
{
    switch (wb_sheet_type(r, i)) {
    case WB_SHEET_CHART:
        return "a chart sheet";
    case WB_SHEET_OTHER:
        return "not a worksheet";
    default:
        return wb_sheet_hidden(r, i) ? "hidden" : "";
    }
}

/* Every sheet of the workbook for a message: 'A', 'B' (hidden), ... */
static int list_sheets(const wb_reader *r, ta_buf *b)
{
    for (size_t i = 0; i < wb_sheet_count(r); i++) {
        const char *note = sheet_note(r, i);
        if ((i && buf_adds(b, ", ")) || add_ref(b, wb_sheet_name(r, i)) ||
            (note[0] && buf_printf(b, " (%s)", note)))
            return -1;
    }
    return 0;
}

/* Copies the composed message b to err, or says out of memory. */
static ta_status give(ta_buf *b, int failed, ta_status s, const char *path,
                      char *err, size_t errlen)
{
    if (failed || !b->p)
        snprintf(err, errlen, "%s: out of memory", path);
    else
        snprintf(err, errlen, "%s", b->p);
    buf_free(b);
    return failed ? TA_E_NOMEM : s;
}

/* --sheet NAME: that sheet only, which must have a header. */
static ta_status choose_named(wb_input *w, const rules *rs,
                              const import_options *opt, header_map *m,
                              char *err, size_t errlen)
{
    ta_buf b;
    buf_init(&b, 0);
    long idx = wb_sheet_find(w->r, opt->sheet);
    if (idx < 0) {
        int bad = buf_printf(&b,
                             "%s: the workbook has no sheet named '%s' "
                             "(--sheet); its sheets: ",
                             w->path, opt->sheet) ||
                  list_sheets(w->r, &b);
        return give(&b, bad, TA_E_DATA, w->path, err, errlen);
    }
    size_t i = (size_t)idx;
    if (wb_sheet_type(w->r, i) != WB_SHEET_WORKSHEET) {
        int bad = buf_printf(&b,
                             "%s: sheet '%s' is %s, not a worksheet with "
                             "rows; give a worksheet's name to --sheet: ",
                             w->path, wb_sheet_name(w->r, i),
                             sheet_note(w->r, i)) ||
                  list_sheets(w->r, &b);
        return give(&b, bad, TA_E_DATA, w->path, err, errlen);
    }
    sheet_read sr;
    scan_result res;
    char why[1400];
    ta_status s = scan_sheet(w, i, rs, opt->source, m, &sr, &res, why,
                             sizeof why, err, errlen);
    if (s != TA_OK)
        return s;
    if (res != SCAN_OK) {
        int bad = buf_printf(&b, "%s:", w->path) ||
                  wb_sheet_ref(wb_sheet_name(w->r, i), &b) ||
                  buf_printf(&b, ": %s; check that this is the sheet of the "
                                 "export (--sheet)",
                             why);
        return give(&b, bad, TA_E_DATA, w->path, err, errlen);
    }
    if (add_sheet(w, &sr)) {
        snprintf(err, errlen, "%s: out of memory", w->path);
        return TA_E_NOMEM;
    }
    return TA_OK;
}

/* 1 when two headers put the same canonical fields in the same columns. */
static int same_map(const header_map *a, const header_map *b)
{
    return a->source == b->source &&
           memcmp(a->col, b->col, sizeof a->col) == 0;
}

/* Without --sheet: the first visible worksheet with a header, then its
 * continuations. Appends to not_read the sheets left out (for the import
 * line). */
static ta_status choose_first(wb_input *w, const rules *rs,
                              const import_options *opt, header_map *m,
                              ta_buf *not_read, char *err, size_t errlen)
{
    size_t n = wb_sheet_count(w->r), chosen = n;
    ta_buf checked, skipped;
    buf_init(&checked, 0);
    buf_init(&skipped, 0);
    int bad = 0;
    char why[1400];
    ta_status s = TA_OK;
    for (size_t i = 0; i < n && chosen == n && s == TA_OK && !bad; i++) {
        const char *note = sheet_note(w->r, i);
        if (note[0]) {
            bad = (skipped.len && buf_adds(&skipped, ", ")) ||
                  add_ref(&skipped, wb_sheet_name(w->r, i)) ||
                  buf_printf(&skipped, " (%s)", note);
            continue;
        }
        sheet_read sr;
        scan_result res;
        s = scan_sheet(w, i, rs, opt->source, m, &sr, &res, why, sizeof why,
                       err, errlen);
        if (s != TA_OK)
            break;
        if (res == SCAN_OK) {
            chosen = i;
            bad = add_sheet(w, &sr);
            break;
        }
        bad = (checked.len && buf_adds(&checked, "; ")) ||
              add_ref(&checked, wb_sheet_name(w->r, i)) ||
              buf_printf(&checked, ": %s", why);
    }
    if (s == TA_OK && !bad && chosen == n) {
        ta_buf b;
        buf_init(&b, 0);
        bad = buf_printf(&b,
                         "%s: no worksheet has a header row mapping the "
                         "required fields (ticket_id, date, email, hp) "
                         "within its first %d non-empty rows; ",
                         w->path, IMPORT_HEADER_ROWS) ||
              (checked.len
                   ? buf_printf(&b, "sheets checked: %s", checked.p)
                   : buf_adds(&b, "the workbook has no visible worksheet")) ||
              (skipped.len &&
               buf_printf(&b, "; not read: %s (name one with --sheet NAME)",
                          skipped.p)) ||
              buf_adds(&b, ". Check that this is an export of a supported "
                           "system");
        buf_free(&checked);
        buf_free(&skipped);
        return give(&b, bad, TA_E_DATA, w->path, err, errlen);
    }
    /* The sheets before the chosen one that were not read. */
    if (s == TA_OK && !bad) {
        for (size_t i = 0; i < chosen && !bad; i++) {
            const char *note = sheet_note(w->r, i);
            bad = (not_read->len && buf_adds(not_read, ", ")) ||
                  add_ref(not_read, wb_sheet_name(w->r, i)) ||
                  buf_printf(not_read, " (%s)",
                             note[0] ? note : "no header");
        }
    }
    /* Continuations: each further visible worksheet whose header maps the
     * same fields to the same columns, read as the chosen sheet's source. */
    for (size_t i = chosen + 1; i < n && s == TA_OK && !bad; i++) {
        const char *note = sheet_note(w->r, i);
        if (!note[0]) {
            sheet_read sr;
            scan_result res;
            header_map other;
            s = scan_sheet(w, i, rs, m->source, &other, &sr, &res, why,
                           sizeof why, err, errlen);
            if (s != TA_OK)
                break;
            if (res == SCAN_OK && same_map(m, &other)) {
                bad = add_sheet(w, &sr);
                continue;
            }
            note = res == SCAN_OK || res == SCAN_UNMAPPED ? "another header"
                                                          : "no header";
        }
        bad = (not_read->len && buf_adds(not_read, ", ")) ||
              add_ref(not_read, wb_sheet_name(w->r, i)) ||
              buf_printf(not_read, " (%s)", note);
    }
    buf_free(&checked);
    buf_free(&skipped);
    if (s == TA_OK && bad) {
        snprintf(err, errlen, "%s: out of memory", w->path);
        s = TA_E_NOMEM;
    }
    return s;
}

/* Appends to res->how, cut with "..." when it is full (no allocation:
 * the description never fails an import). */
static void how_add(import_result *res, const char *fmt, ...) TA_PRINTF(2, 3);

static void how_add(import_result *res, const char *fmt, ...)
{
    size_t n = strlen(res->how), cap = sizeof res->how;
    if (n + 4 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(res->how + n, cap - n, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= cap - n)
        memcpy(res->how + cap - 4, "...", 4);
}

/* res->how: "xlsx workbook, sheet 'Data', header on row 16; ...". */
static void describe(const wb_input *w, const import_options *opt,
                     const ta_buf *not_read, import_result *res)
{
    res->how[0] = '\0';
    how_add(res, "%s workbook, sheet '%s'%s, header on row %lu",
            wb_format(w->r), sheets_name(w, 0),
            opt->sheet ? " (--sheet)" : "", w->sheets[0].header_row);
    for (size_t i = 1; i < w->n; i++)
        how_add(res, "%s'%s' (header on row %lu)",
                i == 1 ? "; continued in " : ", ", sheets_name(w, i),
                w->sheets[i].header_row);
    if (not_read->len)
        how_add(res, "; not read: %s", not_read->p);
    if (opt->encoding != CSV_ENC_AUTO)
        how_add(res, "; --encoding does not apply to workbooks (always "
                     "UTF-8)");
}

ta_status sheets_open(int fd, const char *path, const rules *rs,
                      const import_options *opt, header_map *m,
                      import_result *res, wb_input **out, char *err,
                      size_t errlen)
{
    wb_input *w = calloc(1, sizeof *w);
    *out = w;
    if (!w) {
        snprintf(err, errlen, "%s: out of memory", path);
        return TA_E_NOMEM;
    }
    w->fd = fd;
    w->path = path;
    ta_status s = hash_file(fd, path, &w->size, w->sha, err, errlen);
    if (s != TA_OK)
        return s;
    s = wb_open_fd(fd, path, NULL, &w->r);
    if (s != TA_OK)
        return reader_error(w, s, err, errlen);
    ta_buf not_read;
    buf_init(&not_read, 0);
    s = opt->sheet ? choose_named(w, rs, opt, m, err, errlen)
                   : choose_first(w, rs, opt, m, &not_read, err, errlen);
    if (s == TA_OK) {
        memcpy(res->sha256, w->sha, sizeof res->sha256);
        res->size = w->size;
        /* the result outlives the reader: a literal of our own */
        res->format = strcmp(wb_format(w->r), "xls") == 0 ? "xls" : "xlsx";
        res->source = m->source;
        res->encoding = CSV_ENC_UTF8;
        res->delimiter = '\0';
        res->header_line = w->sheets[0].header_row;
        res->nsheets = (unsigned)w->n;
        for (int f = 0; f < TA_F_COUNT; f++) {
            res->columns[f][0] = '\0';
            if (m->col[f] >= 0)
                wb_col_letters((size_t)m->col[f], res->columns[f],
                               sizeof res->columns[f]);
        }
        describe(w, opt, &not_read, res);
    }
    buf_free(&not_read);
    return s;
}

size_t sheets_count(const wb_input *w)
{
    return w->n;
}

const sheet_read *sheets_at(const wb_input *w, size_t i)
{
    return &w->sheets[i];
}

const char *sheets_name(const wb_input *w, size_t i)
{
    return wb_sheet_name(w->r, w->sheets[i].index);
}

int sheets_cell(const wb_input *w, int i, unsigned long row, size_t col,
                ta_buf *out)
{
    char ref[16];
    wb_cell_ref(row, col, ref);
    if (wb_sheet_ref(sheets_name(w, (size_t)i), out) || buf_addc(out, '!'))
        return -1;
    return buf_adds(out, ref);
}

ta_status sheets_verify(wb_input *w, char *err, size_t errlen)
{
    unsigned long long size;
    char hex[SHA256_HEX_SIZE];
    ta_status s = hash_file(w->fd, w->path, &size, hex, err, errlen);
    if (s != TA_OK)
        return s;
    if (size != w->size || strcmp(hex, w->sha) != 0) {
        snprintf(err, errlen,
                 "%s: the file changed while it was read (%llu bytes at "
                 "first, %llu at the end%s); an export still being written, "
                 "or a copy over it: import it again once it is complete; "
                 "nothing of it was stored",
                 w->path, w->size, size,
                 size == w->size ? ", other bytes" : "");
        return TA_E_IO;
    }
    return TA_OK;
}

ta_status sheets_next(wb_input *w, in_row *row, int *end, char *err,
                      size_t errlen)
{
    *end = 0;
    for (;;) {
        if (w->cur >= w->n) {
            *end = 1;
            return sheets_verify(w, err, errlen);
        }
        const sheet_read *sr = &w->sheets[w->cur];
        ta_status s;
        if (!w->open) {
            s = wb_sheet_open(w->r, sr->index);
            if (s != TA_OK)
                return reader_error(w, s, err, errlen);
            w->open = 1;
        }
        const wb_row *wr = NULL;
        s = wb_next_row(w->r, &wr);
        if (s != TA_OK)
            return reader_error(w, s, err, errlen);
        if (!wr) {
            w->open = 0;
            w->cur++;
            continue;
        }
        if (wr->number <= sr->header_row)
            continue; /* the title block and the header */
        row->n = wr->ncells;
        row->f = wr->cells;
        row->len = wr->lens;
        row->line = wr->number;
        row->open_quote = 0;
        row->raw = NULL;
        row->raw_len = 0;
        row->wb = wr;
        row->sheet = (int)w->cur;
        return TA_OK;
    }
}

void sheets_progress(const wb_input *w, unsigned long long *done,
                     unsigned long long *total)
{
    *total = w->size;
    if (w->n == 0 || w->cur >= w->n) {
        *done = w->size;
        return;
    }
    unsigned long long d = 0, t = 0;
    if (w->open)
        wb_progress(w->r, &d, &t);
    double frac = ((double)w->cur + (t ? (double)d / (double)t : 0.0)) /
                  (double)w->n;
    *done = (unsigned long long)(frac * (double)w->size);
}

int sheets_json(const wb_input *w, ta_buf *out)
{
    if (buf_addc(out, '['))
        return -1;
    for (size_t i = 0; i < w->n; i++) {
        if ((i && buf_addc(out, ',')) || buf_addc(out, '"'))
            return -1;
        for (const unsigned char *p =
                 (const unsigned char *)sheets_name(w, i);
             *p; p++) {
            int r = *p == '"' || *p == '\\' ? buf_addc(out, '\\') ||
                                                  buf_addc(out, (char)*p)
                    : *p < 0x20 ? buf_printf(out, "\\u%04x", *p)
                                : buf_addc(out, (char)*p);
            if (r)
                return -1;
        }
        if (buf_addc(out, '"'))
            return -1;
    }
    return buf_addc(out, ']');
}

void sheets_free(wb_input *w)
{
    if (!w)
        return;
    wb_free(w->r);
    free(w->sheets);
    free(w);
}
