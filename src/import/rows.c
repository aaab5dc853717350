/*
 * rows.c — the rows of one file, from either reader, into the database.
 *
 * Two threads share the work, so both cores are busy: a reader thread
 * takes rows from the CSV reader or the workbook's sheets, checks their
 * shape and date, judges each ticket with the rules and copies what the
 * database needs into a batch; the calling thread binds batches into the
 * statements of store.c and steps SQLite, inside the caller's transaction.
 * Batches are a few fixed buffers reused round-robin, so a million rows
 * cost no allocation per row and memory stays flat.
 *
 * A row is rejected (SPEC §3 "Rejected rows") for its shape (a CSV row's
 * field count; a workbook row's value right of the header's last column;
 * a file ending inside quotes), an empty ticket_id or a date that cannot
 * be read; a rules pattern that cannot finish on a field (SPEC §4) stops
 * the file instead.
 */
#include "import_shared.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "db.h"
#include "interrupt.h"
#include "text.h"
#include "utf8.h"

ta_status import_csv_status(csv_status cs)
{
    switch (cs) {
    case CSV_OK:
    case CSV_ROW:
        return TA_OK;
    case CSV_E_NOENT:
        return TA_E_NOINPUT;
    case CSV_E_IO:
    case CSV_E_CHANGED:
        return TA_E_IO;
    case CSV_E_NOMEM:
        return TA_E_NOMEM;
    default:
        return TA_E_DATA;
    }
}

/* Makes room for need more bytes in the arena; 0 on success. */
static int reserve(batch *b, size_t need)
{
    return buf_reserve(&b->arena, need);
}

/* Appends len bytes and a NUL; returns the offset. Room was reserved
 * (the strings are written in place: buf_add would end each with the
 * buffer's own NUL, which is the same byte). */
static size_t put(batch *b, const char *s, size_t len)
{
    size_t off = b->arena.len;
    if (len)
        memcpy(b->arena.p + off, s, len);
    b->arena.p[off + len] = '\0';
    b->arena.len += len + 1;
    return off;
}

/* Appends s collapsed (SPEC §3: ticket_id and cso compare after trimming
 * and collapsing white space); room was reserved. */
static size_t put_collapsed(batch *b, const char *s, size_t len, size_t *out)
{
    size_t off = b->arena.len;
    *out = text_collapse(s, len, b->arena.p + off, len + 1);
    b->arena.len += *out + 1;
    return off;
}

/* "FILE:LINE" or "FILE:Sheet!C17" for messages about a row (sheet -1:
 * a text file; col -1: no cell). scratch is the calling thread's. */
static void row_where(const file_state *fs, int sheet, unsigned long line,
                      int col, ta_buf *scratch, char *buf, size_t len)
{
    if (sheet < 0 || col < 0) {
        snprintf(buf, len, "%s:%lu", fs->path, line);
        return;
    }
    buf_reset(scratch);
    if (sheets_cell(fs->wb, sheet, line, (size_t)col, scratch) != 0) {
        snprintf(buf, len, "%s:%lu", fs->path, line);
        return;
    }
    snprintf(buf, len, "%s:%s", fs->path, scratch->p);
}

/* Why a row is rejected: a code for the reports (which word it in their
 * language), the English reason the database and the terminal show, and
 * what the reason quotes. */
typedef struct reject_why {
    const char *code; /* NULL: the row can be imported */
    char reason[200];
    long long n1, n2;  /* field_count: the row's fields, the header's */
    const char *value; /* date_invalid: the date field (in the row) */
    size_t value_len;
    const char *field; /* the canonical field at fault, or NULL */
    int col;           /* workbook: the column of the cell at fault */
} reject_why;

/* Judges the shape of one row; returns 0 when it can be imported, else 1
 * with w filled in. */
static int check_row(const file_state *fs, const in_row *row, ta_date *date,
                     reject_why *w)
{
    w->code = NULL;
    w->field = NULL;
    w->value = NULL;
    w->value_len = 0;
    w->n1 = w->n2 = 0;
    w->col = -1;
    if (row->open_quote) {
        w->code = "open_quote";
        snprintf(w->reason, sizeof w->reason,
                 "the file ends inside a quoted field that starts on this "
                 "line (truncated export?)");
        return 1;
    }
    if (row->sheet < 0 && row->n != fs->ncols) {
        w->code = "field_count";
        w->n1 = (long long)row->n;
        w->n2 = (long long)fs->ncols;
        snprintf(w->reason, sizeof w->reason, "%zu fields, the header has %zu",
                 row->n, fs->ncols);
        return 1;
    }
    if (row->sheet >= 0) {
        size_t ncols = sheets_at(fs->wb, (size_t)row->sheet)->ncols;
        if (row->n > ncols) {
            /* SPEC §3: in a workbook, a value right of the header's last
             * column (the row ends at its last non-empty cell). */
            size_t c = ncols;
            while (c < row->n && row->len[c] == 0)
                c++;
            char at[8], last[8];
            wb_col_letters(c, at, sizeof at);
            wb_col_letters(ncols - 1, last, sizeof last);
            w->code = "beyond_header";
            w->col = (int)c;
            snprintf(w->reason, sizeof w->reason,
                     "a value in column %s, right of the header's last "
                     "column %s",
                     at, last);
            return 1;
        }
    }
    int tc = fs->map.col[TA_F_TICKET_ID];
    size_t tl;
    (void)in_text(row, tc, &tl);
    if (tl == 0) {
        w->code = "ticket_id_empty";
        w->field = "ticket_id";
        w->col = tc;
        snprintf(w->reason, sizeof w->reason, "ticket_id is empty");
        return 1;
    }
    int dc = fs->map.col[TA_F_DATE];
    size_t dl;
    const char *d = in_text(row, dc, &dl);
    if (!date_parse(d, dl, date)) {
        w->field = "date";
        w->col = dc;
        if (dl == 0) {
            w->code = "date_empty";
            snprintf(w->reason, sizeof w->reason, "date is empty");
        } else {
            w->code = "date_invalid";
            w->value = d;
            w->value_len = utf8_cut(d, dl, 40);
            snprintf(w->reason, sizeof w->reason,
                     "date \"%.*s\" is not a date in a known form or not "
                     "a real calendar date",
                     (int)w->value_len, d);
        }
        return 1;
    }
    return 0;
}

/* Copies a rejected row into the batch; 0, or -1 out of memory. */
static int add_reject(file_state *fs, batch *b, brow *br, const in_row *row,
                      const reject_why *w)
{
    const char *raw = row->raw;
    size_t raw_len = row->raw_len;
    if (row->wb) {
        buf_reset(&fs->scratch);
        if (wb_row_raw(row->wb, &fs->scratch) != 0)
            return -1;
        raw = fs->scratch.p ? fs->scratch.p : "";
        raw_len = fs->scratch.len;
    }
    size_t rl = strlen(w->reason);
    /* The identifiers of a rejected row, where its shape lets them be
     * found: the reports show them unmasked (SPEC §5). */
    size_t tl, cl;
    const char *t = in_text(row, fs->map.col[TA_F_TICKET_ID], &tl);
    const char *c = in_text(row, fs->map.col[TA_F_CRM_TICKET], &cl);
    if (reserve(b, rl + raw_len + w->value_len + tl + cl + 8))
        return -1;
    br->rejected = 1;
    br->field = w->field;
    br->reason_code = w->code;
    br->n1 = w->n1;
    br->n2 = w->n2;
    /* reason_args' column: the one a value right of the header stands
     * in (the field's column is known from the header for the others). */
    br->column[0] = '\0';
    if (row->sheet >= 0 && strcmp(w->code, "beyond_header") == 0)
        wb_col_letters((size_t)w->col, br->column, sizeof br->column);
    br->reason_off = put(b, w->reason, rl);
    br->raw_off = put(b, raw, raw_len);
    br->raw_len = raw_len;
    br->value_off = NO_FIELD;
    br->value_len = 0;
    if (w->value) {
        br->value_len = w->value_len;
        br->value_off = put(b, w->value, w->value_len);
    }
    br->rtid_off = br->rcrm_off = NO_FIELD;
    br->rtid_len = br->rcrm_len = 0;
    if (tl)
        br->rtid_off = put_collapsed(b, t, tl, &br->rtid_len);
    if (cl) {
        br->rcrm_len = cl;
        br->rcrm_off = put(b, c, cl);
    }
    b->n++;
    return 0;
}

/* Judges row br of batch b with judge j and adds the verdict's strings
 * to the arena. TA_OK; TA_E_NOMEM; or the judge's error (a pattern that
 * cannot finish), with the message in err naming the row's line or the
 * cell of the field at fault. Runs on whichever thread owns the batch. */
static ta_status judge_row(const file_state *fs, rules_judge *j, batch *b,
                           brow *br, ta_buf *scratch, char *err,
                           size_t errlen)
{
    if (reserve(b, RULES_CODES_MAX + RULES_EVIDENCE_MAX +
                       2 * RULES_NORM_MAX + 4)) {
        snprintf(err, errlen, "%s:%lu: out of memory judging this row",
                 fs->path, br->line);
        return TA_E_NOMEM;
    }
    rules_ticket t;
    t.source = fs->map.source;
    for (int f = 0; f < TA_F_COUNT; f++) {
        t.v[f] = br->off[f] == NO_FIELD ? NULL : b->arena.p + br->off[f];
        t.len[f] = br->len[f];
    }
    rules_verdict v;
    ta_status s = rules_judge_ticket(j, &t, &v);
    if (s != TA_OK) {
        /* The arena's copy of this row is abandoned with the batch. */
        int ef = rules_judge_errfield(j);
        char where[600];
        row_where(fs, br->sheet, br->line, ef >= 0 ? fs->map.col[ef] : -1,
                  scratch, where, sizeof where);
        snprintf(err, errlen, "%s: %s; nothing of this file was stored",
                 where, rules_judge_errmsg(j));
        return s;
    }
    br->judged = 1;
    br->status = v.status;
    br->category = v.category;
    br->email = v.email;
    br->hp = v.hp;
    /* the lengths kept, so that binding them measures nothing again */
    br->codes_len = strnlen(v.codes, sizeof v.codes);
    br->evidence_len = strnlen(v.evidence, sizeof v.evidence);
    br->hp_norm_len = strnlen(v.hp_norm, sizeof v.hp_norm);
    br->email_norm_len = strnlen(v.email_norm, sizeof v.email_norm);
    br->codes_off = put(b, v.codes, br->codes_len);
    br->evidence_off = put(b, v.evidence, br->evidence_len);
    br->hp_norm_off = put(b, v.hp_norm, br->hp_norm_len);
    br->email_norm_off = put(b, v.email_norm, br->email_norm_len);
    return TA_OK;
}

/* Copies one row into the batch, judged unless the inserting thread
 * judges (fs->judge_on_main). TA_OK; TA_E_NOMEM; or the judge's error,
 * with the message in err. Runs on the reader thread. */
static ta_status add_row(file_state *fs, batch *b, const in_row *row,
                         char *err, size_t errlen)
{
    brow *br = &b->rows[b->n];
    reject_why w;
    ta_date date;
    br->line = row->line;
    br->sheet = row->sheet;
    if (check_row(fs, row, &date, &w)) {
        if (add_reject(fs, b, br, row, &w) == 0)
            return TA_OK;
        snprintf(err, errlen, "%s:%lu: out of memory reading this row",
                 fs->path, row->line);
        return TA_E_NOMEM;
    }
    br->rejected = 0;
    size_t need =
        RULES_CODES_MAX + RULES_EVIDENCE_MAX + 2 * RULES_NORM_MAX + TA_F_COUNT;
    for (int f = 0; f < TA_F_COUNT; f++) {
        size_t len;
        (void)in_text(row, fs->map.col[f], &len);
        need += len + 1;
    }
    if (reserve(b, need)) {
        snprintf(err, errlen, "%s:%lu: out of memory reading this row",
                 fs->path, row->line);
        return TA_E_NOMEM;
    }
    for (int f = 0; f < TA_F_COUNT; f++) {
        int c = fs->map.col[f];
        if (c < 0) {
            br->off[f] = NO_FIELD;
            br->len[f] = 0;
            continue;
        }
        size_t len;
        const char *s = in_text(row, c, &len);
        if (f == TA_F_TICKET_ID || f == TA_F_CSO) {
            br->off[f] = put_collapsed(b, s, len, &br->len[f]);
        } else {
            br->off[f] = put(b, s, len);
            br->len[f] = len;
        }
    }
    date_format(&date, br->date);
    memcpy(br->period, br->date, 7);
    br->period[7] = '\0';

    /* The fingerprint is of the fields as stored: the date normalized,
     * an absent cso column as ''. */
    const char *fv[TA_F_COUNT];
    size_t fl[TA_F_COUNT];
    for (int f = 0; f < TA_F_COUNT; f++) {
        fv[f] = br->off[f] == NO_FIELD ? NULL : b->arena.p + br->off[f];
        fl[f] = br->len[f];
    }
    fv[TA_F_DATE] = br->date;
    fl[TA_F_DATE] = 10;
    if (!fv[TA_F_CSO]) {
        fv[TA_F_CSO] = "";
        fl[TA_F_CSO] = 0;
    }
    if (fs->figures_only) /* check: nothing reads it */
        br->fingerprint[0] = '\0';
    else
        fingerprint_ticket(fs->map.source, fv, fl, br->fingerprint);
    br->judged = 0;
    if (!fs->judge_on_main) {
        ta_status s =
            judge_row(fs, fs->judge, b, br, &fs->scratch, err, errlen);
        if (s != TA_OK)
            return s;
    }
    b->n++;
    return TA_OK;
}

/* The next row of the input; *end = 1 after the last. */
static ta_status next_row(file_state *fs, in_row *row, int *end, char *err,
                          size_t errlen)
{
    if (!fs->csv)
        return sheets_next(fs->wb, row, end, err, errlen);
    const csv_row *cr = NULL;
    csv_status cs = csv_next(fs->csv, &cr);
    *end = 0;
    if (cs == CSV_ROW) {
        row->n = cr->nfields;
        row->f = cr->fields;
        row->len = cr->lens;
        row->line = cr->line;
        row->open_quote = cr->open_quote;
        row->raw = cr->raw;
        row->raw_len = cr->raw_len;
        row->wb = NULL;
        row->sheet = -1;
        return TA_OK;
    }
    if (cs == CSV_OK) {
        *end = 1;
        return TA_OK;
    }
    snprintf(err, errlen, "%s%s", csv_errmsg(fs->csv),
             cs == CSV_E_CHANGED ? "; nothing of it was stored" : "");
    return import_csv_status(cs);
}

static void progress_of(const file_state *fs, unsigned long long *done,
                        unsigned long long *total)
{
    if (fs->csv) {
        *done = csv_offset(fs->csv);
        *total = csv_size(fs->csv);
    } else {
        sheets_progress(fs->wb, done, total);
    }
}

/* The reader thread: fills batches until the end of the input, an error,
 * or the inserting side asks it to stop. */
static void *read_rows(void *arg)
{
    file_state *fs = arg;
    for (size_t k = 0;; k = (k + 1) % NBATCH) {
        batch *b = &fs->b[k];
        pthread_mutex_lock(&fs->mu);
        while (fs->full[k] && !fs->abort)
            pthread_cond_wait(&fs->cv, &fs->mu);
        int stop = fs->abort;
        pthread_mutex_unlock(&fs->mu);
        if (stop)
            return NULL;
        b->n = 0;
        buf_reset(&b->arena);
        b->end = 0;
        b->end_status = TA_OK;
        while (b->n < BATCH_ROWS && b->arena.len < BATCH_BYTES) {
            in_row row;
            int end = 0;
            ta_status s =
                next_row(fs, &row, &end, b->errmsg, sizeof b->errmsg);
            if (s == TA_OK && !end)
                s = add_row(fs, b, &row, b->errmsg, sizeof b->errmsg);
            if (s != TA_OK || end) {
                b->end = 1;
                b->end_status = s;
                break;
            }
        }
        progress_of(fs, &b->done, &b->total);
        pthread_mutex_lock(&fs->mu);
        fs->full[k] = 1;
        pthread_cond_broadcast(&fs->cv);
        pthread_mutex_unlock(&fs->mu);
        if (b->end)
            return NULL;
    }
}

/* Inserts one batch (judging its rows first when this thread judges);
 * TA_OK or the first error. */
static ta_status store_batch(sqlite3 *db, file_state *fs, batch *b,
                             import_result *res, char *err, size_t errlen)
{
    ta_status s = TA_OK;
    for (size_t i = 0; i < b->n && s == TA_OK; i++) {
        brow *br = &b->rows[i];
        if (!br->rejected && !br->judged) {
            s = judge_row(fs, fs->judge_main, b, br, &fs->scratch_main, err,
                          errlen);
            if (s != TA_OK)
                break;
        }
        res->rows_read++;
        if (br->rejected) {
            const char *sheet =
                br->sheet >= 0 ? sheets_name(fs->wb, (size_t)br->sheet) : NULL;
            s = store_reject(db, &fs->st, fs->import_id, fs->path, sheet, b, br,
                             err, errlen);
            res->rows_rejected++;
        } else {
            s = store_ticket(db, &fs->st, b, br, err, errlen);
            res->rows_imported++;
        }
    }
    return s;
}

/* The inserting side: takes the reader's batches in order until the end.
 * On any error it tells the reader to stop and returns the error. */
static ta_status load_rows(sqlite3 *db, file_state *fs,
                           const import_options *opt, import_result *res,
                           char *err, size_t errlen)
{
    ta_status s = TA_OK;
    for (size_t k = 0;; k = (k + 1) % NBATCH) {
        batch *b = &fs->b[k];
        pthread_mutex_lock(&fs->mu);
        while (!fs->full[k])
            pthread_cond_wait(&fs->cv, &fs->mu);
        pthread_mutex_unlock(&fs->mu);
        s = store_batch(db, fs, b, res, err, errlen);
        if (interrupt_pending()) {
            snprintf(err, errlen,
                     "%s: interrupted; nothing of this file was stored",
                     fs->path);
            s = TA_E_INTERRUPTED;
        }
        int end = b->end;
        if (s == TA_OK && end && b->end_status != TA_OK) {
            snprintf(err, errlen, "%s", b->errmsg);
            s = b->end_status;
        }
        if (s == TA_OK && opt->progress)
            opt->progress(opt->progress_ctx, fs->path, b->done, b->total,
                          res->rows_read);
        pthread_mutex_lock(&fs->mu);
        fs->full[k] = 0;
        if (s != TA_OK)
            fs->abort = 1;
        pthread_cond_broadcast(&fs->cv);
        pthread_mutex_unlock(&fs->mu);
        if (s != TA_OK || end)
            break;
    }
    if (s != TA_OK)
        return s;
    s = store_counts(db, &fs->st, fs->import_id, res, err, errlen);
    if (s == TA_OK)
        s = db_finish_audit(db, fs->audit_id, res->rows_imported, err, errlen);
    return s;
}

static void free_batches(file_state *fs)
{
    for (int k = 0; k < NBATCH; k++) {
        free(fs->b[k].rows);
        fs->b[k].rows = NULL;
        buf_free(&fs->b[k].arena);
    }
}

ta_status rows_pipe(sqlite3 *db, file_state *fs, const import_options *opt,
                    import_result *res, char *err, size_t errlen)
{
    ta_status s = store_begin_tickets(db, &fs->st, res, fs->import_id,
                                      fs->audit_id, err, errlen);
    if (s != TA_OK)
        return s;
    for (int k = 0; k < NBATCH; k++) {
        fs->b[k].rows = calloc(BATCH_ROWS, sizeof(brow));
        /* one batch's bytes and a long row: no regrowth in steady state */
        if (!fs->b[k].rows ||
            reserve(&fs->b[k], BATCH_BYTES + (BATCH_BYTES >> 2))) {
            free_batches(fs);
            snprintf(err, errlen, "%s: out of memory", fs->path);
            return TA_E_NOMEM;
        }
    }
    fs->judge = rules_judge_new(fs->rs);
    fs->judge_main = fs->judge_on_main ? rules_judge_new(fs->rs) : NULL;
    if (!fs->judge || (fs->judge_on_main && !fs->judge_main)) {
        rules_judge_free(fs->judge);
        rules_judge_free(fs->judge_main);
        fs->judge = fs->judge_main = NULL;
        free_batches(fs);
        snprintf(err, errlen, "%s: out of memory", fs->path);
        return TA_E_NOMEM;
    }
    buf_init(&fs->scratch, (size_t)64 << 20);
    buf_init(&fs->scratch_main, (size_t)64 << 20);
    pthread_mutex_init(&fs->mu, NULL);
    pthread_cond_init(&fs->cv, NULL);
    pthread_t reader;
    if (pthread_create(&reader, NULL, read_rows, fs) != 0) {
        snprintf(err, errlen, "%s: cannot start a thread", fs->path);
        s = TA_E_NOMEM;
    } else {
        s = load_rows(db, fs, opt, res, err, errlen);
        pthread_join(reader, NULL);
    }
    pthread_cond_destroy(&fs->cv);
    pthread_mutex_destroy(&fs->mu);
    rules_judge_free(fs->judge);
    rules_judge_free(fs->judge_main);
    fs->judge = fs->judge_main = NULL;
    buf_free(&fs->scratch);
    buf_free(&fs->scratch_main);
    free_batches(fs);
    return s;
}
