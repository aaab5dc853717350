/*
 * import.c — one export file into the database (see import.h).
 *
 * Two threads share the work, so both cores are busy: a reader thread
 * parses rows, checks their shape and date, and judges each ticket with
 * the rules, copying what the database needs into a batch; the calling
 * thread binds batches into statements prepared once per file and steps
 * SQLite, inside a single transaction. Batches are a few fixed buffers
 * reused round-robin, so a million rows cost no allocation per row and
 * memory stays flat. The file's SHA-256 is computed during the reader's
 * first pass (the UTF-8 check), so the duplicate test costs no extra read.
 */
#include "import.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "date.h"
#include "fingerprint.h"
#include "interrupt.h"
#include "sha256.h"
#include "text.h"
#include "utf8.h"

#define IMPORT_NAME_MAX 256
/* A batch is handed over when it holds this many rows or bytes. */
#define BATCH_ROWS 2048
#define BATCH_BYTES (1u << 20)
/* Batches in flight: one being filled, one being inserted, one spare. */
#define NBATCH 3
#define NO_FIELD SIZE_MAX

static const ta_field required_fields[] = {TA_F_TICKET_ID, TA_F_DATE,
                                           TA_F_EMAIL, TA_F_HP};

typedef struct import_ctx {
    const rules *rs;
    struct sha256_ctx sha;
    char norm[IMPORT_NAME_MAX];
} import_ctx;

static void hash_bytes(void *ctx, const unsigned char *buf, size_t len)
{
    sha256_update(&((import_ctx *)ctx)->sha, len, buf);
}

static size_t score_header(void *ctx, const csv_row *row)
{
    import_ctx *ic = ctx;
    size_t known = 0;
    for (size_t i = 0; i < row->nfields; i++) {
        rules_normalize_header(row->fields[i], row->lens[i], ic->norm,
                               sizeof ic->norm);
        if (ic->norm[0] && rules_is_known_column(ic->rs, ic->norm))
            known++;
    }
    return known;
}

static ta_status csv_to_status(csv_status cs)
{
    switch (cs) {
    case CSV_OK:
    case CSV_ROW:
        return TA_OK;
    case CSV_E_NOENT:
        return TA_E_NOINPUT;
    case CSV_E_IO:
        return TA_E_IO;
    case CSV_E_NOMEM:
        return TA_E_NOMEM;
    default:
        return TA_E_DATA;
    }
}

/* Lists the header's names for an error message: "A, B, C". */
static void list_headers(const csv_row *h, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < h->nfields && n + 4 < len; i++) {
        int w = snprintf(buf + n, len - n, "%s\"%.60s\"", i ? ", " : "",
                         h->fields[i]);
        if (w < 0)
            break;
        n += (size_t)w;
    }
    if (n >= len - 1 && len > 4)
        memcpy(buf + len - 4, "...", 4);
}

/* One row of a batch: offsets into the batch's arena. */
typedef struct brow {
    unsigned long line;
    size_t off[TA_F_COUNT], len[TA_F_COUNT]; /* off NO_FIELD: no column */
    char date[11], period[8];
    char fingerprint[FINGERPRINT_SIZE];
    const char *field; /* rejected: the field at fault or NULL */
    size_t reason_off, raw_off, raw_len; /* rejected rows */
    const char *reason_code;             /* rejected: reject_why.code */
    long long n1, n2;                    /* rejected: reject_why.n1, n2 */
    size_t value_off, value_len;         /* rejected: NO_FIELD or the date */
    size_t rtid_off, rtid_len, rcrm_off, rcrm_len; /* rejected: NO_FIELD or
                                            its ticket_id, crm_ticket */
    int rejected;
    rules_status status;
    rules_category category;
    rules_email_state email;
    rules_hp_state hp;
    size_t codes_off, evidence_off, hp_norm_off, email_norm_off;
} brow;

typedef struct batch {
    brow *rows;
    size_t n;
    ta_buf arena; /* the rows' strings, each NUL-terminated; a row keeps
                     offsets, not pointers, so the arena may move */
    unsigned long long offset; /* bytes of the file read after this batch */
    int end;                   /* the reader stopped after this batch */
    csv_status end_status;
    char errmsg[1024];
} batch;

typedef struct file_state {
    sqlite3_stmt *ins_ticket, *ins_reject, *ins_import, *upd_import;
    int col[TA_F_COUNT]; /* column index of each field, -1 if absent */
    size_t ncols;
    long long import_id, audit_id;
    const char *path;
    ta_source source;
    /* the reader thread's side */
    csv_reader *reader;
    rules_judge *judge;
    /* the hand-over */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch b[NBATCH];
    int full[NBATCH];
    int abort;
} file_state;

static void finalize_all(file_state *fs)
{
    sqlite3_finalize(fs->ins_ticket);
    sqlite3_finalize(fs->ins_reject);
    sqlite3_finalize(fs->ins_import);
    sqlite3_finalize(fs->upd_import);
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

/* Why a row is rejected: a code for the reports (which word it in their
 * language), the English reason the database and the terminal show, and
 * the figures or the value the reason quotes. */
typedef struct reject_why {
    const char *code; /* NULL: the row can be imported */
    char reason[200];
    long long n1, n2;     /* field_count: the row's fields, the header's */
    const char *value;    /* date_invalid: the date field (in the row) */
    size_t value_len;
    const char *field;    /* the canonical field at fault, or NULL */
} reject_why;

/* Judges the shape of one row; returns 0 when it can be imported, else 1
 * with w filled in. */
static int check_row(const file_state *fs, const csv_row *row, ta_date *date,
                     reject_why *w)
{
    w->code = NULL;
    w->field = NULL;
    w->value = NULL;
    w->value_len = 0;
    w->n1 = w->n2 = 0;
    if (row->open_quote) {
        w->code = "open_quote";
        snprintf(w->reason, sizeof w->reason,
                 "the file ends inside a quoted field that starts on this "
                 "line (truncated export?)");
        return 1;
    }
    if (row->nfields != fs->ncols) {
        w->code = "field_count";
        w->n1 = (long long)row->nfields;
        w->n2 = (long long)fs->ncols;
        snprintf(w->reason, sizeof w->reason, "%zu fields, the header has %zu",
                 row->nfields, fs->ncols);
        return 1;
    }
    int tc = fs->col[TA_F_TICKET_ID];
    if (row->lens[tc] == 0) {
        w->code = "ticket_id_empty";
        w->field = "ticket_id";
        snprintf(w->reason, sizeof w->reason, "ticket_id is empty");
        return 1;
    }
    int dc = fs->col[TA_F_DATE];
    if (!date_parse(row->fields[dc], row->lens[dc], date)) {
        w->field = "date";
        if (row->lens[dc] == 0) {
            w->code = "date_empty";
            snprintf(w->reason, sizeof w->reason, "date is empty");
        } else {
            w->code = "date_invalid";
            w->value = row->fields[dc];
            w->value_len = utf8_cut(row->fields[dc], row->lens[dc], 40);
            snprintf(w->reason, sizeof w->reason,
                     "date \"%.*s\" is not a date in a known form or not "
                     "a real calendar date",
                     (int)w->value_len, row->fields[dc]);
        }
        return 1;
    }
    return 0;
}

/* Copies one csv row into the batch, judged; 0 on success, -1 out of
 * memory. Runs on the reader thread. */
static int add_row(file_state *fs, batch *b, const csv_row *row)
{
    if (b->n == BATCH_ROWS)
        return -1; /* cannot happen: the caller hands the batch over */
    brow *br = &b->rows[b->n];
    reject_why w;
    ta_date date;
    br->line = row->line;
    if (check_row(fs, row, &date, &w)) {
        size_t rl = strlen(w.reason);
        /* The identifiers of a rejected row, where its shape lets them be
         * found: the reports show them unmasked (SPEC §5). */
        int tc = fs->col[TA_F_TICKET_ID], cc = fs->col[TA_F_CRM_TICKET];
        size_t tl = tc >= 0 && (size_t)tc < row->nfields ? row->lens[tc] : 0;
        size_t cl = cc >= 0 && (size_t)cc < row->nfields ? row->lens[cc] : 0;
        if (reserve(b, rl + row->raw_len + w.value_len + tl + cl + 8))
            return -1;
        br->rejected = 1;
        br->field = w.field;
        br->reason_code = w.code;
        br->n1 = w.n1;
        br->n2 = w.n2;
        br->reason_off = put(b, w.reason, rl);
        br->raw_off = put(b, row->raw, row->raw_len);
        br->raw_len = row->raw_len;
        br->value_off = NO_FIELD;
        br->value_len = 0;
        if (w.value) {
            br->value_len = w.value_len;
            br->value_off = put(b, w.value, w.value_len);
        }
        br->rtid_off = br->rcrm_off = NO_FIELD;
        br->rtid_len = br->rcrm_len = 0;
        if (tl) {
            br->rtid_off = b->arena.len;
            br->rtid_len = text_collapse(row->fields[tc], tl,
                                         b->arena.p + b->arena.len, tl + 1);
            b->arena.len += br->rtid_len + 1;
        }
        if (cl) {
            br->rcrm_len = cl;
            br->rcrm_off = put(b, row->fields[cc], cl);
        }
        b->n++;
        return 0;
    }
    br->rejected = 0;
    size_t need =
        RULES_CODES_MAX + RULES_EVIDENCE_MAX + 2 * RULES_NORM_MAX + TA_F_COUNT;
    for (int f = 0; f < TA_F_COUNT; f++)
        if (fs->col[f] >= 0)
            need += row->lens[fs->col[f]] + 1;
    if (reserve(b, need))
        return -1;
    for (int f = 0; f < TA_F_COUNT; f++) {
        int c = fs->col[f];
        if (c < 0) {
            br->off[f] = NO_FIELD;
            br->len[f] = 0;
            continue;
        }
        if (f == TA_F_TICKET_ID || f == TA_F_CSO) {
            /* SPEC §3: ticket_id and cso compare exactly after trimming
             * and collapsing white space */
            br->off[f] = b->arena.len;
            br->len[f] =
                text_collapse(row->fields[c], row->lens[c],
                              b->arena.p + b->arena.len, row->lens[c] + 1);
            b->arena.len += br->len[f] + 1;
        } else {
            br->off[f] = put(b, row->fields[c], row->lens[c]);
            br->len[f] = row->lens[c];
        }
    }
    date_format(&date, br->date);
    memcpy(br->period, br->date, 7);
    br->period[7] = '\0';

    rules_ticket t;
    t.source = fs->source;
    for (int f = 0; f < TA_F_COUNT; f++) {
        t.v[f] = br->off[f] == NO_FIELD ? NULL : b->arena.p + br->off[f];
        t.len[f] = br->len[f];
    }
    /* The fingerprint is of the fields as stored: the date normalized,
     * an absent cso column as ''. */
    const char *fv[TA_F_COUNT];
    size_t fl[TA_F_COUNT];
    for (int f = 0; f < TA_F_COUNT; f++) {
        fv[f] = t.v[f];
        fl[f] = t.len[f];
    }
    fv[TA_F_DATE] = br->date;
    fl[TA_F_DATE] = 10;
    if (!fv[TA_F_CSO]) {
        fv[TA_F_CSO] = "";
        fl[TA_F_CSO] = 0;
    }
    fingerprint_ticket(fs->source, fv, fl, br->fingerprint);
    rules_verdict v;
    if (rules_judge_ticket(fs->judge, &t, &v) != TA_OK)
        return -1;
    br->status = v.status;
    br->category = v.category;
    br->email = v.email;
    br->hp = v.hp;
    br->codes_off = put(b, v.codes, strnlen(v.codes, sizeof v.codes));
    br->evidence_off =
        put(b, v.evidence, strnlen(v.evidence, sizeof v.evidence));
    br->hp_norm_off = put(b, v.hp_norm, strnlen(v.hp_norm, sizeof v.hp_norm));
    br->email_norm_off =
        put(b, v.email_norm, strnlen(v.email_norm, sizeof v.email_norm));
    b->n++;
    return 0;
}

/* The reader thread: fills batches until the end of the file, an error,
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
        while (b->n < BATCH_ROWS && b->arena.len < BATCH_BYTES) {
            const csv_row *row = NULL;
            csv_status cs = csv_next(fs->reader, &row);
            if (cs != CSV_ROW) {
                b->end = 1;
                b->end_status = cs;
                if (cs != CSV_OK)
                    snprintf(b->errmsg, sizeof b->errmsg, "%s",
                             csv_errmsg(fs->reader));
                break;
            }
            if (add_row(fs, b, row) != 0) {
                b->end = 1;
                b->end_status = CSV_E_NOMEM;
                snprintf(b->errmsg, sizeof b->errmsg,
                         "%s:%lu: out of memory reading this row", fs->path,
                         row->line);
                break;
            }
        }
        b->offset = csv_offset(fs->reader);
        pthread_mutex_lock(&fs->mu);
        fs->full[k] = 1;
        pthread_cond_broadcast(&fs->cv);
        pthread_mutex_unlock(&fs->mu);
        if (b->end)
            return NULL;
    }
}

static ta_status add_reject(sqlite3 *db, file_state *fs, const batch *b,
                            const brow *br, char *err, size_t errlen)
{
    sqlite3_stmt *st = fs->ins_reject;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_int64(st, 1, fs->import_id));
    db_bound(&bound, sqlite3_bind_text(st, 2, fs->path, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_int64(st, 3, (sqlite3_int64)br->line));
    db_bound(&bound, sqlite3_bind_text(st, 4, b->arena.p + br->reason_off, -1,
                                       SQLITE_STATIC));
    if (br->field)
        db_bound(&bound,
                 sqlite3_bind_text(st, 5, br->field, -1, SQLITE_STATIC));
    else
        db_bound(&bound, sqlite3_bind_null(st, 5));
    db_bound(&bound, sqlite3_bind_text(st, 6, b->arena.p + br->raw_off,
                                       (int)br->raw_len, SQLITE_STATIC));
    db_bound(&bound,
             sqlite3_bind_text(st, 7, br->reason_code, -1, SQLITE_STATIC));
    if (br->reason_code && strcmp(br->reason_code, "field_count") == 0) {
        db_bound(&bound, sqlite3_bind_int64(st, 8, br->n1));
        db_bound(&bound, sqlite3_bind_int64(st, 9, br->n2));
    } else {
        db_bound(&bound, sqlite3_bind_null(st, 8));
        db_bound(&bound, sqlite3_bind_null(st, 9));
    }
    db_bound(&bound, br->value_off == NO_FIELD
                         ? sqlite3_bind_null(st, 10)
                         : sqlite3_bind_text(st, 10, b->arena.p + br->value_off,
                                             (int)br->value_len,
                                             SQLITE_STATIC));
    db_bound(&bound, br->rtid_off == NO_FIELD
                         ? sqlite3_bind_null(st, 11)
                         : sqlite3_bind_text(st, 11, b->arena.p + br->rtid_off,
                                             (int)br->rtid_len,
                                             SQLITE_STATIC));
    db_bound(&bound, br->rcrm_off == NO_FIELD
                         ? sqlite3_bind_null(st, 12)
                         : sqlite3_bind_text(st, 12, b->arena.p + br->rcrm_off,
                                             (int)br->rcrm_len,
                                             SQLITE_STATIC));
    if (bound != SQLITE_OK)
        return db_fail(db, "storing a rejected row", err, errlen);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, "storing a rejected row", err, errlen);
    return TA_OK;
}

/* Parameters of ins_ticket from 7 on follow ta_field order, without
 * ticket_id and date (bound as 2 and 5). */
static const char ins_ticket_sql[] =
    "INSERT OR REPLACE INTO tickets(source, ticket_id, import_id, line, "
    "date, period, crm_ticket, type, name, email, hp, phone, cso, urgency, "
    "emotion, relation, idpel, notes, media, category, status, codes, "
    "email_state, hp_state, evidence, audit_id, hp_norm, email_norm, "
    "fingerprint) VALUES "
    "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,"
    "?20,?21,?22,?23,?24,?25,?26,?27,?28,?29)";

static ta_status insert_ticket(sqlite3 *db, file_state *fs, const batch *b,
                               const brow *br, char *err, size_t errlen)
{
    sqlite3_stmt *st = fs->ins_ticket;
    const char *a = b->arena.p;
    int bound = SQLITE_OK;
    db_bound(&bound,
             sqlite3_bind_text(st, 2, a + br->off[TA_F_TICKET_ID],
                               (int)br->len[TA_F_TICKET_ID], SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_int64(st, 4, (sqlite3_int64)br->line));
    db_bound(&bound, sqlite3_bind_text(st, 5, br->date, 10, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 6, br->period, 7, SQLITE_STATIC));
    int p = 7;
    for (int f = 0; f < TA_F_COUNT; f++) {
        if (f == TA_F_TICKET_ID || f == TA_F_DATE)
            continue;
        if (br->off[f] != NO_FIELD)
            db_bound(&bound,
                     sqlite3_bind_text(st, p, a + br->off[f], (int)br->len[f],
                                       SQLITE_STATIC));
        else if (f == TA_F_CSO)
            db_bound(&bound, sqlite3_bind_text(st, p, "", 0, SQLITE_STATIC));
        else
            db_bound(&bound, sqlite3_bind_null(st, p));
        p++;
    }
    db_bound(&bound,
             sqlite3_bind_text(st, 20, rules_category_name(br->category), -1,
                               SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 21, rules_status_name(br->status),
                                       -1, SQLITE_STATIC));
    db_bound(&bound,
             sqlite3_bind_text(st, 22, a + br->codes_off, -1, SQLITE_STATIC));
    db_bound(&bound,
             sqlite3_bind_text(st, 23, rules_email_state_name(br->email), -1,
                               SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 24, rules_hp_state_name(br->hp), -1,
                                       SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 25, a + br->evidence_off, -1,
                                       SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 27, a + br->hp_norm_off, -1,
                                       SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 28, a + br->email_norm_off, -1,
                                       SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 29, br->fingerprint,
                                       FINGERPRINT_SIZE - 1, SQLITE_STATIC));
    if (bound != SQLITE_OK)
        return db_fail(db, "storing a ticket", err, errlen);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, "storing a ticket", err, errlen);
    return TA_OK;
}

/* Maps the header's columns to fields and checks the required ones. */
static ta_status map_header(const rules *rs, const csv_row *h, ta_source src,
                            file_state *fs, const char *path, char *err,
                            size_t errlen)
{
    char norm[IMPORT_NAME_MAX];
    for (int f = 0; f < TA_F_COUNT; f++)
        fs->col[f] = -1;
    fs->ncols = h->nfields;
    for (size_t i = 0; i < h->nfields; i++) {
        rules_normalize_header(h->fields[i], h->lens[i], norm, sizeof norm);
        int f = norm[0] ? rules_column_field(rs, src, norm) : -1;
        /* The first column of a field wins: a later duplicate (say both
         * "Tanggal" and "Waktu") is ignored, as documented. */
        if (f >= 0 && fs->col[f] < 0)
            fs->col[f] = (int)i;
    }
    for (size_t k = 0; k < sizeof required_fields / sizeof *required_fields;
         k++) {
        ta_field f = required_fields[k];
        if (fs->col[f] < 0) {
            char found[768];
            list_headers(h, found, sizeof found);
            snprintf(err, errlen,
                     "%s:%lu: the %s export has no column for the required "
                     "field '%s'; headers found: %s. Rename the column or "
                     "add its name to a rules file (--rules)",
                     path, h->line, ta_source_name(src), ta_field_name(f),
                     found);
            return TA_E_DATA;
        }
    }
    return TA_OK;
}

static ta_status find_previous(sqlite3 *db, const char *sha, long long *id,
                               char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db, "SELECT id FROM imports WHERE sha256 = ?1",
                             &st, err, errlen);
    if (s != TA_OK)
        return s;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC));
    int rc = bound == SQLITE_OK ? sqlite3_step(st) : bound;
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) /* before finalize forgets */
        s = db_fail(db, "looking up earlier imports", err, errlen);
    sqlite3_finalize(st);
    return s;
}

static ta_status prepare_file(sqlite3 *db, file_state *fs, char *err,
                              size_t errlen)
{
    ta_status s = db_prepare(db, ins_ticket_sql, &fs->ins_ticket, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db,
                       "INSERT INTO rejects(import_id, file, line, reason, "
                       "field, raw, reason_code, reason_args, ticket_id, "
                       "crm_ticket) VALUES (?1,?2,?3,?4,?5,?6,?7,"
                       /* json_patch drops the keys that are NULL */
                       "json_patch('{}', json_object('fields', ?8, 'header', "
                       "?9, 'value', ?10)),?11,?12)",
                       &fs->ins_reject, err, errlen);
    if (s == TA_OK)
        s = db_prepare(
            db,
            "INSERT INTO imports(file, size, sha256, source, encoding, "
            "delimiter, header_line, rows_read, rows_imported, "
            "rows_rejected, imported_at, program_version) VALUES "
            "(?1,?2,?3,?4,?5,?6,?7,0,0,0,?8,?9)",
            &fs->ins_import, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db,
                       "UPDATE imports SET rows_read=?2, rows_imported=?3, "
                       "rows_rejected=?4 WHERE id=?1",
                       &fs->upd_import, err, errlen);
    return s;
}

static ta_status insert_import_row(sqlite3 *db, file_state *fs,
                                   const import_result *res, char *err,
                                   size_t errlen)
{
    char now[32], delim[2] = {res->delimiter, '\0'};
    db_now(now);
    sqlite3_stmt *st = fs->ins_import;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_text(st, 1, fs->path, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_int64(st, 2, (sqlite3_int64)res->size));
    db_bound(&bound, sqlite3_bind_text(st, 3, res->sha256, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 4, ta_source_name(res->source), -1,
                                       SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 5, csv_encoding_name(res->encoding),
                                       -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 6, delim, 1, SQLITE_TRANSIENT));
    db_bound(&bound,
             sqlite3_bind_int64(st, 7, (sqlite3_int64)res->header_line));
    db_bound(&bound, sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT));
    db_bound(&bound, sqlite3_bind_text(st, 9, TA_VERSION, -1, SQLITE_STATIC));
    if (bound != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
        return db_fail(db, "recording the import", err, errlen);
    fs->import_id = sqlite3_last_insert_rowid(db);
    return TA_OK;
}

/* Inserts one batch; TA_OK or the database's error. */
static ta_status store_batch(sqlite3 *db, file_state *fs, const batch *b,
                             import_result *res, char *err, size_t errlen)
{
    ta_status s = TA_OK;
    for (size_t i = 0; i < b->n && s == TA_OK; i++) {
        const brow *br = &b->rows[i];
        res->rows_read++;
        if (br->rejected) {
            s = add_reject(db, fs, b, br, err, errlen);
            res->rows_rejected++;
        } else {
            s = insert_ticket(db, fs, b, br, err, errlen);
            res->rows_imported++;
        }
    }
    return s;
}

/* The inserting side: takes the reader's batches in order until the end.
 * On a database error it tells the reader to stop and returns the error. */
static ta_status load_rows(sqlite3 *db, file_state *fs,
                           const import_options *opt, import_result *res,
                           char *err, size_t errlen)
{
    /* the values every row of the file shares */
    int bound = SQLITE_OK;
    db_bound(&bound,
             sqlite3_bind_text(fs->ins_ticket, 1, ta_source_name(res->source),
                               -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_int64(fs->ins_ticket, 3, fs->import_id));
    db_bound(&bound, sqlite3_bind_int64(fs->ins_ticket, 26, fs->audit_id));
    if (bound != SQLITE_OK)
        return db_fail(db, "storing a ticket", err, errlen);
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
        if (s == TA_OK && end && b->end_status != CSV_OK) {
            snprintf(err, errlen, "%s", b->errmsg);
            s = csv_to_status(b->end_status);
        }
        if (s == TA_OK && opt->progress)
            opt->progress(opt->progress_ctx, fs->path, b->offset,
                          csv_size(fs->reader), res->rows_read);
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
    sqlite3_stmt *st = fs->upd_import;
    db_bound(&bound, sqlite3_bind_int64(st, 1, fs->import_id));
    db_bound(&bound, sqlite3_bind_int64(st, 2, (sqlite3_int64)res->rows_read));
    db_bound(&bound,
             sqlite3_bind_int64(st, 3, (sqlite3_int64)res->rows_imported));
    db_bound(&bound,
             sqlite3_bind_int64(st, 4, (sqlite3_int64)res->rows_rejected));
    if (bound != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
        return db_fail(db, "recording the row counts", err, errlen);
    return db_finish_audit(db, fs->audit_id, res->rows_imported, err, errlen);
}

static void free_batches(file_state *fs)
{
    for (int k = 0; k < NBATCH; k++) {
        free(fs->b[k].rows);
        buf_free(&fs->b[k].arena);
    }
}

/* Runs the reader thread beside load_rows. */
static ta_status pipe_rows(sqlite3 *db, const rules *rs, file_state *fs,
                           const import_options *opt, import_result *res,
                           char *err, size_t errlen)
{
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
    fs->judge = rules_judge_new(rs);
    if (!fs->judge) {
        free_batches(fs);
        snprintf(err, errlen, "%s: out of memory", fs->path);
        return TA_E_NOMEM;
    }
    pthread_mutex_init(&fs->mu, NULL);
    pthread_cond_init(&fs->cv, NULL);
    pthread_t reader;
    ta_status s;
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
    free_batches(fs);
    return s;
}

/* Finds the source from the header unless it was given. */
static ta_status detect_source(const rules *rs, const csv_row *h,
                               const char *path, ta_source *src, char *err,
                               size_t errlen)
{
    if (*src != TA_SRC_NONE)
        return TA_OK;
    const char *names[512];
    char normbuf[512][64];
    size_t n = h->nfields < 512 ? h->nfields : 512;
    for (size_t i = 0; i < n; i++) {
        rules_normalize_header(h->fields[i], h->lens[i], normbuf[i],
                               sizeof normbuf[i]);
        names[i] = normbuf[i];
    }
    *src = rules_detect_source(rs, names, n);
    if (*src != TA_SRC_NONE)
        return TA_OK;
    char found[768];
    list_headers(h, found, sizeof found);
    snprintf(err, errlen,
             "%s:%lu: cannot tell whether this is a CRM, APKT or AP2T export "
             "(no 'ID Tiket'/'Resume', 'No Laporan'/'HP Pelapor' or 'No "
             "Agenda'/'Jenis Permohonan' column); headers found: %s. Give "
             "--source crm|apkt|ap2t",
             path, h->line, found);
    return TA_E_DATA;
}

ta_status import_file(sqlite3 *db, const rules *rs, const char *path,
                      const import_options *opt, import_result *res, char *err,
                      size_t errlen)
{
    memset(res, 0, sizeof *res);
    import_ctx ic = {.rs = rs};
    sha256_init(&ic.sha);
    csv_options co = {0};
    co.encoding = opt->encoding;
    co.score_header = score_header;
    co.score_ctx = &ic;
    co.on_bytes = hash_bytes;
    co.bytes_ctx = &ic;

    csv_reader *r = NULL;
    csv_status cs = csv_open_file(path, &co, &r);
    if (cs != CSV_OK) {
        snprintf(err, errlen, "%s",
                 r ? csv_errmsg(r) : "out of memory opening the file");
        csv_close(r);
        return csv_to_status(cs);
    }
    sha256_hex(&ic.sha, res->sha256);
    res->size = csv_size(r);
    res->encoding = csv_encoding_used(r);
    res->delimiter = csv_delimiter(r);
    const csv_row *h = csv_header(r);
    res->header_line = h->line;
    res->source = opt->source;

    static const file_state empty;
    file_state *fs = malloc(sizeof *fs);
    if (!fs) {
        csv_close(r);
        snprintf(err, errlen, "%s: out of memory", path);
        return TA_E_NOMEM;
    }
    *fs = empty;
    fs->path = path;
    fs->reader = r;
    ta_status s = detect_source(rs, h, path, &res->source, err, errlen);
    fs->source = res->source;
    if (s == TA_OK)
        s = map_header(rs, h, res->source, fs, path, err, errlen);
    if (s == TA_OK)
        s = find_previous(db, res->sha256, &res->import_id, err, errlen);
    if (s == TA_OK && res->import_id) {
        res->already_imported = 1;
        goto done;
    }
    if (s == TA_OK)
        s = db_exec(db, "BEGIN IMMEDIATE", "starting the import", err, errlen);
    if (s != TA_OK)
        goto done;
    s = prepare_file(db, fs, err, errlen);
    if (s == TA_OK)
        s = insert_import_row(db, fs, res, err, errlen);
    if (s == TA_OK)
        s = db_record_audit(db, "import", NULL, rules_fingerprint(rs),
                            &fs->audit_id, err, errlen);
    if (s == TA_OK)
        s = pipe_rows(db, rs, fs, opt, res, err, errlen);
    finalize_all(fs);
    if (s == TA_OK)
        s = db_exec(db, "COMMIT", "committing the import", err, errlen);
    if (s != TA_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    else
        res->import_id = fs->import_id;
done:
    csv_close(r);
    free(fs);
    return s;
}

ta_status import_list_rejects(sqlite3 *db, long long import_id, int max,
                              import_reject_fn fn, void *ctx, char *err,
                              size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db,
                             "SELECT file, line, reason FROM rejects WHERE "
                             "import_id = ?1 ORDER BY id LIMIT ?2",
                             &st, err, errlen);
    if (s != TA_OK)
        return s;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_int64(st, 1, import_id));
    db_bound(&bound, sqlite3_bind_int(st, 2, max));
    int rc = bound;
    while (bound == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *file = (const char *)sqlite3_column_text(st, 0);
        const char *reason = (const char *)sqlite3_column_text(st, 2);
        fn(ctx, file ? file : "", (long long)sqlite3_column_int64(st, 1),
           reason ? reason : "");
    }
    if (rc != SQLITE_DONE)
        s = db_fail(db, "listing the rejected rows", err, errlen);
    sqlite3_finalize(st);
    return s;
}
