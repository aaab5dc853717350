/*
 * rows.c — the rows of a long table sheet prepared on a second thread.
 *
 * A million-row Temuan sheet spends about a third of its time on our side
 * of each row: SQLite's step, masking, wording the codes and evidence,
 * cleaning the text and measuring it for the row's height. libxlsxwriter
 * (not thread-safe) needs the rest, on one thread. So a producer thread
 * steps the statement and has the sheet's callback turn each row into
 * cell-ready texts, in batches; the calling thread takes the batches in
 * order and writes the rows. It writes them as XML itself (rpt_raw_row,
 * into the sheet's row file, rpt_table_raw), byte for byte what
 * libxlsxwriter's constant_memory mode writes for the same cells:
 * libxlsxwriter's per-cell path (a copy of the string, its length in
 * characters, a control-character scan and escape copy, a cell
 * allocated, a row of attribute lists, fprintf per cell) was 40 % of a
 * million-row report, ours is a fifth of that (docs/report.md). The
 * database connection is the producer's alone while it runs: the caller
 * does not touch it until rpt_rows_write returns.
 *
 * Memory is bounded: a few batches of at most ROWS_BATCH rows and about
 * ROWS_ARENA bytes of text each travel between the two threads, whatever
 * the number of rows. When no thread can be started the rows are
 * prepared on the calling thread, batch by batch, with the same result.
 */
#include "report_internal.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"

#define ROWS_BATCH 512
#define ROWS_ARENA (1u << 20)
#define ROWS_NBATCH 4

typedef struct batch {
    rpt_prow *rows;
    size_t n;
    ta_buf arena;     /* the texts, each NUL-terminated */
    int full;         /* handed to the writer */
    int end;          /* the last batch: done or failed */
    ta_status status; /* of the producer, with its message */
    char err[1024];
} batch;

typedef struct rows_run {
    sqlite3_stmt *q;
    sqlite3 *db;
    const char *what;
    rpt_prepare_fn fn;
    void *ctx;
    rpt_prep prep; /* the producer's: widths and scratch */
    batch b[ROWS_NBATCH];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop; /* the writer failed: the producer ends */
    ta_buf xml; /* the writer's: a batch's rows as XML */
} rows_run;

ta_status rpt_prep_cell(rpt_prep *p, lxw_col_t col, int kind, const char *s,
                        size_t len)
{
    rpt_prow *row = p->row;
    if (!s || row->n >= RPT_PROW_MAX)
        return TA_OK;
    /* cleaned straight into the arena: one copy of the text, not two */
    if (buf_reserve(p->arena, RPT_TEXT_MAX + 1))
        return TA_E_NOMEM;
    size_t off = p->arena->len;
    char *text = p->arena->p + off;
    size_t n = rpt_clean_text(s, len, text);
    if (n == 0)
        return TA_OK;
    if (kind == RPT_CELL_WRAP && col < p->nwidths) {
        int k = rpt_text_lines(text, n, p->widths[col]);
        if (k > row->lines)
            row->lines = k;
        /* text that fits its line needs no wrap format: one attribute
         * less in most cells of a million-row sheet */
        if (k == 1)
            kind = RPT_CELL_TEXT;
    }
    p->arena->len += n + 1; /* its NUL, rpt_clean_text's, included */
    p->arena->p[p->arena->len] = '\0';
    row->cell[row->n++] = (rpt_pcell){off, n, col, (unsigned char)kind};
    return TA_OK;
}

/* Fills b with the next rows of the statement. */
static void fill(rows_run *R, batch *b)
{
    b->n = 0;
    buf_reset(&b->arena);
    R->prep.arena = &b->arena;
    while (b->n < ROWS_BATCH && b->arena.len < ROWS_ARENA) {
        int rc = sqlite3_step(R->q);
        if (rc == SQLITE_DONE) {
            b->end = 1;
            return;
        }
        if (rc != SQLITE_ROW) {
            b->end = 1;
            b->status = db_fail(R->db, R->what, b->err, sizeof b->err);
            return;
        }
        rpt_prow *row = &b->rows[b->n];
        row->n = 0;
        row->lines = 1;
        R->prep.row = row;
        ta_status s = R->fn(R->ctx, R->q, &R->prep);
        if (s != TA_OK) {
            b->end = 1;
            b->status = s;
            snprintf(b->err, sizeof b->err, "out of memory %s", R->what);
            return;
        }
        b->n++;
    }
}

static void *produce(void *arg)
{
    rows_run *R = arg;
    for (size_t i = 0;; i = (i + 1) % ROWS_NBATCH) {
        batch *b = &R->b[i];
        pthread_mutex_lock(&R->mu);
        while (b->full && !R->stop)
            pthread_cond_wait(&R->cv, &R->mu);
        int stop = R->stop;
        pthread_mutex_unlock(&R->mu);
        if (stop)
            return NULL;
        fill(R, b);
        int end = b->end;
        pthread_mutex_lock(&R->mu);
        b->full = 1;
        pthread_cond_broadcast(&R->cv);
        pthread_mutex_unlock(&R->mu);
        if (end)
            return NULL;
    }
}

/* Hands the rows' XML gathered so far to the sheet's row file. */
static ta_status flush_xml(rpt_table *t, ta_buf *xml)
{
    ta_status s = rpt_table_raw_write(t, xml->p, xml->len);
    buf_reset(xml);
    return s;
}

/* Writes one batch's rows: their XML (rpt_raw_row) into the sheet's row
 * file, a sheet at a time. */
static ta_status write_batch(rpt_ctx *c, rpt_table *t, const batch *b,
                             ta_buf *xml)
{
    ta_status s = TA_OK;
    for (size_t i = 0; s == TA_OK && i < b->n; i++) {
        const rpt_prow *row = &b->rows[i];
        /* the rows so far belong to this sheet, before a next one */
        if (t->next >= c->limit)
            s = flush_xml(t, xml);
        if (s == TA_OK)
            s = rpt_table_row(t);
        if (s == TA_OK)
            s = rpt_raw_row(c, t->cur, row, b->arena.p, xml);
        if (s == TA_E_NOMEM)
            ta_errf(c->err, c->errlen, "%s: out of memory writing the sheet",
                    c->path);
    }
    if (s == TA_OK)
        s = flush_xml(t, xml);
    return s;
}

static void run_free(rows_run *R)
{
    for (int i = 0; i < ROWS_NBATCH; i++) {
        free(R->b[i].rows);
        buf_free(&R->b[i].arena);
    }
    buf_free(&R->xml);
    free(R);
}

ta_status rpt_rows_write(rpt_ctx *c, rpt_table *t, sqlite3_stmt *q,
                         const char *what, rpt_prepare_fn fn, void *ctx)
{
    rows_run *R = calloc(1, sizeof *R);
    if (!R)
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    R->q = q;
    R->db = sqlite3_db_handle(q);
    R->what = what;
    R->fn = fn;
    R->ctx = ctx;
    R->prep.widths = t->widths;
    R->prep.nwidths = t->ncols < 32 ? t->ncols : 32;
    buf_init(&R->xml, 0);
    int ok = 1;
    for (int i = 0; ok && i < ROWS_NBATCH; i++) {
        buf_init(&R->b[i].arena, 0);
        R->b[i].rows = malloc(ROWS_BATCH * sizeof *R->b[i].rows);
        ok = R->b[i].rows != NULL;
    }
    if (!ok) {
        run_free(R);
        return rpt_xlsx_fail(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
    }
    rpt_table_raw(t);
    pthread_mutex_init(&R->mu, NULL);
    pthread_cond_init(&R->cv, NULL);
    pthread_t th;
    int threaded = pthread_create(&th, NULL, produce, R) == 0;
    ta_status s = TA_OK;
    for (size_t i = 0;; i = (i + 1) % ROWS_NBATCH) {
        batch *b = &R->b[i];
        if (threaded) {
            pthread_mutex_lock(&R->mu);
            while (!b->full)
                pthread_cond_wait(&R->cv, &R->mu);
            pthread_mutex_unlock(&R->mu);
        } else {
            fill(R, b);
        }
        s = write_batch(c, t, b, &R->xml);
        int end = b->end;
        if (s == TA_OK && end && b->status != TA_OK) {
            s = b->status;
            snprintf(c->err, c->errlen, "%s", b->err);
        }
        pthread_mutex_lock(&R->mu);
        b->full = 0;
        if (s != TA_OK)
            R->stop = 1;
        pthread_cond_broadcast(&R->cv);
        pthread_mutex_unlock(&R->mu);
        if (s != TA_OK || end)
            break;
    }
    if (threaded)
        pthread_join(th, NULL);
    pthread_mutex_destroy(&R->mu);
    pthread_cond_destroy(&R->cv);
    run_free(R);
    return s;
}
