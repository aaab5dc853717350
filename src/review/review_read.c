/*
 * review_read.c — the rows of an edited workbook or of a CSV decisions
 * file, checked and handed to the stage (review_stage.c).
 *
 * A workbook: every worksheet, hidden ones too (SPEC: "any sheet"), whose
 * first 30 non-empty rows hold a decisions header; below it each row with
 * a key and a decision is one decision, wherever the row stands and
 * whatever else it holds. A header row met again further down (two
 * tables pasted one under the other) maps the columns anew. A CSV file:
 * its header row (the CSV reader's detection, scored with the decision
 * column names) and every row after it.
 *
 * A data error — a value that is no decision, a key that is no key, two
 * decisions on one ticket — does not stop the reading: the first is kept
 * for the message and the rest counted, so the user learns how many cells
 * to correct; nothing more is staged once one was found (the file's
 * transaction is rolled back anyway).
 */
#include "review_internal.h"

#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "interrupt.h"
#include "mask.h"
#include "sha256.h"
#include "utf8.h"
#include "workbook.h"

/* How many non-empty rows of a sheet may stand above its header (SPEC:
 * "the header anywhere in the sheet's first 30 non-empty rows"). */
#define RV_HEADER_ROWS 30
/* Progress and interrupts are looked at every so many rows. */
#define RV_POLL_ROWS 4096u
/* A cell quoted in a message is cut to this many bytes. */
#define RV_QUOTE_MAX 60

typedef struct rv_reading {
    const char *path;
    rv_stage *st;
    const review_options *opt;
    unsigned long rows; /* rows read, for the progress */
    ta_status first;    /* the first data error, TA_OK while none */
    unsigned long more; /* data errors after it */
    char first_err[RV_ERRLEN];
    char err[RV_ERRLEN];
    ta_buf msg;
} rv_reading;

/* Keeps a data error (TA_E_DATA) and goes on; any other failure stops
 * the file. */
static ta_status data_error(rv_reading *rd, ta_status s, const char *msg)
{
    if (s != TA_E_DATA)
        return s;
    if (rd->first == TA_OK) {
        rd->first = s;
        snprintf(rd->first_err, sizeof rd->first_err, "%s", msg);
    } else {
        rd->more++;
    }
    return TA_OK;
}

/* Appends a cell's text to a message, cut short and masked (SPEC §2:
 * messages mask personal data) unless it is a key (SPEC §5: identifiers,
 * shown in full). */
static int quote(ta_buf *b, const char *s, size_t len, int is_key)
{
    char masked[4 * RV_QUOTE_MAX + 16];
    size_t cut = utf8_cut(s, len, RV_QUOTE_MAX);
    size_t n = cut;
    if (is_key)
        memcpy(masked, s, cut);
    else
        n = mask_text(s, cut, masked, sizeof masked);
    return buf_printf(b, "\"%.*s%s\"", (int)n, masked, cut < len ? "..." : "");
}

/* Reports a bad cell: "PLACE: "value" what". */
static ta_status bad_cell(rv_reading *rd, const char *sheet, unsigned long row,
                          size_t col, const char *s, size_t len, int is_key,
                          const char *what)
{
    ta_buf *b = &rd->msg;
    buf_reset(b);
    if (rv_where(b, rd->path, sheet, row, col) || buf_adds(b, ": ") ||
        quote(b, s, len, is_key) || buf_printf(b, " %s", what)) {
        snprintf(rd->err, sizeof rd->err, "%s: out of memory", rd->path);
        return TA_E_NOMEM;
    }
    return data_error(rd, TA_E_DATA, b->p);
}

/* One row below a header, mapped by *m: a decision staged, a row without
 * one passed over, a bad cell reported. A row that is a header again
 * (holding the column names) maps the columns anew. */
static ta_status take_row(rv_reading *rd, rv_map *m, char *const *cells,
                          const size_t *lens, size_t n, const char *sheet,
                          unsigned long row)
{
    static const char *const nothing = "";
    const char *v[RV_NCOLS];
    size_t len[RV_NCOLS];
    for (int c = 0; c < RV_NCOLS; c++) {
        size_t i = m->col[c];
        v[c] = i < n ? cells[i] : nothing;
        len[c] = i < n ? lens[i] : 0;
    }
    /* a row without a key is no decision, whatever else it holds */
    if (m->by_key ? len[RV_COL_KEY] == 0
                  : len[RV_COL_SOURCE] == 0 && len[RV_COL_TICKET] == 0)
        return TA_OK;
    rv_decision d = {.note = v[RV_COL_NOTE],
                     .note_len = len[RV_COL_NOTE],
                     .reviewer = v[RV_COL_REVIEWER],
                     .reviewer_len = len[RV_COL_REVIEWER],
                     .sheet = sheet,
                     .row = row};
    rv_key key;
    int bad = RV_NCOLS; /* the cell at fault, if any */
    if (m->by_key) {
        if (rv_parse_key(v[RV_COL_KEY], len[RV_COL_KEY], &key) == 0) {
            d.source = key.source;
            d.ticket_id = key.ticket_id;
            d.ticket_len = key.ticket_len;
            d.fingerprint = key.fingerprint;
            d.col = m->col[RV_COL_KEY];
        } else {
            bad = RV_COL_KEY;
        }
    } else {
        char src[8] = "";
        if (len[RV_COL_SOURCE] < sizeof src)
            memcpy(src, v[RV_COL_SOURCE], len[RV_COL_SOURCE] + 1);
        d.source = ta_source_parse(src);
        d.ticket_id = v[RV_COL_TICKET];
        d.ticket_len = len[RV_COL_TICKET];
        if (d.source == TA_SRC_NONE)
            bad = RV_COL_SOURCE;
        else if (len[RV_COL_TICKET] == 0)
            bad = RV_COL_TICKET;
    }
    d.value = rv_parse_value(v[RV_COL_DECISION], len[RV_COL_DECISION]);
    if (d.value == RV_INVALID)
        bad = RV_COL_DECISION;
    if (bad != RV_NCOLS) {
        rv_map again;
        if (rv_map_header(cells, lens, n, &again)) {
            *m = again;
            return TA_OK;
        }
    }
    /* an empty decision is no decision: its key is not looked at */
    if (d.value == RV_EMPTY)
        return TA_OK;
    if (bad != RV_NCOLS) {
        static const char *const what[RV_NCOLS] = {
            [RV_COL_KEY] =
                "is not a review key <source>:<ticket_id>:<fingerprint> "
                "(source crm, apkt or ap2t, the fingerprint 12 hex digits, "
                "as the report writes it in the Kunci / Key column); copy "
                "the key back from the report, or clear the decision",
            [RV_COL_DECISION] = "is not a QA decision; " RV_ALLOWED,
            [RV_COL_SOURCE] = "is not a source; the allowed values are crm, "
                              "apkt and ap2t",
            [RV_COL_TICKET] = "is not a ticket_id; give the ticket as the "
                              "export has it",
        };
        return bad_cell(rd, sheet, row, m->col[bad], v[bad], len[bad],
                        bad == RV_COL_KEY, what[bad]);
    }
    /* once the file is known to be refused, only its errors are counted */
    if (rd->first != TA_OK)
        return TA_OK;
    return rv_stage_put(rd->st, &d, rd->err, sizeof rd->err);
}

/* Every RV_POLL_ROWS rows: the progress, and SIGINT / SIGTERM. */
static ta_status poll(rv_reading *rd, unsigned long long done,
                      unsigned long long total)
{
    if (++rd->rows % RV_POLL_ROWS)
        return TA_OK;
    if (interrupt_pending()) {
        snprintf(rd->err, sizeof rd->err,
                 "%s: interrupted; nothing of the file was stored", rd->path);
        return TA_E_INTERRUPTED;
    }
    if (rd->opt->progress)
        rd->opt->progress(rd->opt->ctx, rd->path, REVIEW_READING, done, total,
                          rd->rows);
    return TA_OK;
}

/* The file's outcome: a failure's message, or the first data error with
 * how many more the file holds. */
static ta_status finish(rv_reading *rd, ta_status s, char *err, size_t errlen)
{
    buf_free(&rd->msg);
    if (s != TA_OK) {
        ta_errf(err, errlen, "%s", rd->err);
        return s;
    }
    if (rd->first == TA_OK)
        return TA_OK;
    if (rd->more)
        ta_errf(err, errlen,
                "%s (and %lu more cells of the file to correct); nothing of "
                "the file was stored",
                rd->first_err, rd->more);
    else
        ta_errf(err, errlen, "%s; nothing of the file was stored",
                rd->first_err);
    return rd->first;
}

/* ---- workbooks ------------------------------------------------------ */

/* Reads sheet i: its header within the first rows, then its decisions. */
static ta_status read_sheet(rv_reading *rd, wb_reader *r, size_t i, int *found)
{
    const char *sheet = wb_sheet_name(r, i);
    *found = 0;
    ta_status s = wb_sheet_open(r, i);
    rv_map m;
    unsigned long above = 0;
    const wb_row *row = NULL;
    while (s == TA_OK && (s = wb_next_row(r, &row)) == TA_OK && row) {
        unsigned long long done, total;
        wb_progress(r, &done, &total);
        s = poll(rd, done, total);
        if (s != TA_OK)
            return s;
        if (!*found) {
            *found = rv_map_header(row->cells, row->lens, row->ncells, &m);
            if (!*found && ++above >= RV_HEADER_ROWS)
                return TA_OK;
            continue;
        }
        s = take_row(rd, &m, row->cells, row->lens, row->ncells, sheet,
                     row->number);
        if (s != TA_OK)
            return s;
    }
    if (s != TA_OK)
        snprintf(rd->err, sizeof rd->err, "%s", wb_errmsg(r));
    return s;
}

ta_status rv_read_workbook(int fd, const char *path, rv_stage *st,
                           const review_options *opt, review_result *res,
                           char *err, size_t errlen)
{
    rv_reading rd = {.path = path, .st = st, .opt = opt};
    buf_init(&rd.msg, 0);
    wb_reader *r = NULL;
    ta_status s = wb_open_fd(fd, path, NULL, &r);
    if (s != TA_OK) {
        snprintf(rd.err, sizeof rd.err, "%s",
                 r ? wb_errmsg(r) : "out of memory opening the workbook");
        wb_free(r);
        return finish(&rd, s, err, errlen);
    }
    res->format = strcmp(wb_format(r), "xls") == 0 ? "xls" : "xlsx";
    for (size_t i = 0; i < wb_sheet_count(r) && s == TA_OK; i++) {
        int found = 0;
        if (wb_sheet_type(r, i) != WB_SHEET_WORKSHEET)
            continue;
        s = read_sheet(&rd, r, i, &found);
        res->sheets += (unsigned long)found;
    }
    wb_free(r);
    if (s == TA_OK && res->sheets == 0) {
        snprintf(rd.err, sizeof rd.err,
                 "%s: no sheet holds the decision columns (a header row "
                 "with Kunci or Key and Keputusan QA or QA decision within "
                 "its first %d non-empty rows); give a workbook written by "
                 "'ticket-audit report', or rows copied from one with their "
                 "header",
                 path, RV_HEADER_ROWS);
        s = TA_E_DATA;
    }
    return finish(&rd, s, err, errlen);
}

/* ---- CSV ------------------------------------------------------------ */

static size_t score_header(void *ctx, const csv_row *row)
{
    (void)ctx;
    return rv_header_score(row->fields, row->lens, row->nfields);
}

static void hash_bytes(void *ctx, const unsigned char *buf, size_t len)
{
    sha256_update(ctx, len, buf);
}

static ta_status csv_failed(rv_reading *rd, const csv_reader *r, csv_status cs)
{
    if (cs == CSV_E_NOHEADER) {
        snprintf(rd->err, sizeof rd->err,
                 "%s: not a decisions file: no header row source,ticket_id,"
                 "decision,note,reviewer (or Kunci/Key and Keputusan QA/QA "
                 "decision) in its first rows; write that header on the "
                 "first line",
                 rd->path);
        return TA_E_DATA;
    }
    snprintf(rd->err, sizeof rd->err, "%s",
             r ? csv_errmsg(r) : "out of memory opening the file");
    return cs == CSV_E_NOENT   ? TA_E_NOINPUT
           : cs == CSV_E_IO    ? TA_E_IO
           : cs == CSV_E_NOMEM ? TA_E_NOMEM
                               : TA_E_DATA;
}

ta_status rv_read_csv(const char *path, rv_stage *st,
                      const review_options *opt, review_result *res, char *err,
                      size_t errlen)
{
    rv_reading rd = {.path = path, .st = st, .opt = opt};
    buf_init(&rd.msg, 0);
    struct sha256_ctx sha;
    sha256_init(&sha);
    csv_options co = {0};
    co.score_header = score_header;
    co.on_bytes = hash_bytes;
    co.bytes_ctx = &sha;
    csv_reader *r = NULL;
    csv_status cs = csv_open_file(path, &co, &r);
    ta_status s = TA_OK;
    if (cs != CSV_OK) {
        s = csv_failed(&rd, r, cs);
        csv_close(r);
        return finish(&rd, s, err, errlen);
    }
    res->format = "csv";
    sha256_hex(&sha, res->sha256);
    const csv_row *h = csv_header(r);
    rv_map m;
    if (!rv_map_header(h->fields, h->lens, h->nfields, &m)) {
        snprintf(rd.err, sizeof rd.err,
                 "%s:%lu: the header lacks the decision columns: it needs "
                 "source, ticket_id and decision (note and reviewer may "
                 "follow), or Kunci/Key and Keputusan QA/QA decision",
                 path, h->line);
        s = TA_E_DATA;
    }
    const csv_row *row;
    while (s == TA_OK && (cs = csv_next(r, &row)) == CSV_ROW) {
        s = poll(&rd, csv_offset(r), csv_size(r));
        if (s == TA_OK && row->open_quote) {
            snprintf(rd.err, sizeof rd.err,
                     "%s:%lu: the file ends inside a quoted field (a "
                     "truncated file?); save it again as CSV",
                     path, row->line);
            s = TA_E_DATA;
        }
        if (s == TA_OK)
            s = take_row(&rd, &m, row->fields, row->lens, row->nfields, NULL,
                         row->line);
    }
    if (s == TA_OK && cs != CSV_OK)
        s = csv_failed(&rd, r, cs);
    csv_close(r);
    return finish(&rd, s, err, errlen);
}
