/*
 * import.c — one export file into the database (see import.h).
 *
 * The hot loop binds each row's fields straight from the csv reader's
 * buffers (SQLITE_STATIC: they live until the next row) into statements
 * prepared once per file, inside a single transaction, so a million rows
 * cost no allocation per row and one journal commit. The file's SHA-256
 * is computed during the reader's first pass (the UTF-8 check), so the
 * duplicate test costs no extra read.
 */
#include "import.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "sha256.h"

#define IMPORT_NAME_MAX 256
/* Rows between progress callbacks. */
#define IMPORT_PROGRESS_EVERY 8192

static const ta_field required_fields[] = {TA_F_TICKET_ID, TA_F_DATE,
                                           TA_F_EMAIL, TA_F_HP};

typedef struct import_ctx {
    const rules *rs;
    sha256_ctx sha;
    char norm[IMPORT_NAME_MAX];
} import_ctx;

static void hash_bytes(void *ctx, const unsigned char *buf, size_t len)
{
    sha256_update(&((import_ctx *)ctx)->sha, buf, len);
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
    case CSV_ROW: return TA_OK;
    case CSV_E_NOENT: return TA_E_NOINPUT;
    case CSV_E_IO: return TA_E_IO;
    case CSV_E_NOMEM: return TA_E_NOMEM;
    default: return TA_E_DATA;
    }
}

/* Copies s with runs of white space collapsed to one space (SPEC §3:
 * ticket_id and cso compare exactly after trimming and collapsing). The
 * input is already trimmed. Returns the length written. */
static size_t collapse_spaces(const char *s, size_t len, char *out,
                              size_t outlen)
{
    size_t n = 0;
    int in_space = 0;
    for (size_t i = 0; i < len && n + 1 < outlen; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            in_space = 1;
            continue;
        }
        if (in_space && n > 0)
            out[n++] = ' ';
        in_space = 0;
        if (n + 1 < outlen)
            out[n++] = (char)c;
    }
    out[n] = '\0';
    return n;
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

typedef struct file_state {
    sqlite3_stmt *ins_ticket, *ins_reject, *ins_import, *upd_import;
    int col[TA_F_COUNT];  /* column index of each field, -1 if absent */
    size_t ncols;
    long long import_id;
    const char *path;
    char ticket[512], cso[512], datebuf[11], period[8];
} file_state;

static void finalize_all(file_state *fs)
{
    sqlite3_finalize(fs->ins_ticket);
    sqlite3_finalize(fs->ins_reject);
    sqlite3_finalize(fs->ins_import);
    sqlite3_finalize(fs->upd_import);
}

static ta_status add_reject(sqlite3 *db, file_state *fs, const csv_row *row,
                            const char *reason, const char *field, char *err,
                            size_t errlen)
{
    sqlite3_stmt *st = fs->ins_reject;
    sqlite3_bind_int64(st, 1, fs->import_id);
    sqlite3_bind_text(st, 2, fs->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)row->line);
    sqlite3_bind_text(st, 4, reason, -1, SQLITE_TRANSIENT);
    if (field)
        sqlite3_bind_text(st, 5, field, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 5);
    sqlite3_bind_text(st, 6, row->raw, (int)row->raw_len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, "storing a rejected row", err, errlen);
    return TA_OK;
}

/* Judges the shape of one row; returns NULL when it can be imported, else
 * the reason (written into reason) and the field at fault in *field. */
static const char *check_row(file_state *fs, const csv_row *row,
                             ta_date *date, char *reason, size_t rlen,
                             const char **field)
{
    *field = NULL;
    if (row->open_quote) {
        snprintf(reason, rlen,
                 "the file ends inside a quoted field that starts on this "
                 "line (truncated export?)");
        return reason;
    }
    if (row->nfields != fs->ncols) {
        snprintf(reason, rlen, "%zu fields, the header has %zu",
                 row->nfields, fs->ncols);
        return reason;
    }
    int tc = fs->col[TA_F_TICKET_ID];
    if (row->lens[tc] == 0) {
        *field = "ticket_id";
        snprintf(reason, rlen, "ticket_id is empty");
        return reason;
    }
    int dc = fs->col[TA_F_DATE];
    if (!date_parse(row->fields[dc], row->lens[dc], date)) {
        *field = "date";
        if (row->lens[dc] == 0)
            snprintf(reason, rlen, "date is empty");
        else
            snprintf(reason, rlen,
                     "date \"%.40s\" is not a date in a known form or not "
                     "a real calendar date",
                     row->fields[dc]);
        return reason;
    }
    return NULL;
}

static ta_status insert_ticket(sqlite3 *db, file_state *fs,
                               const csv_row *row, const ta_date *date,
                               char *err, size_t errlen)
{
    sqlite3_stmt *st = fs->ins_ticket;
    int tc = fs->col[TA_F_TICKET_ID];
    size_t tlen = collapse_spaces(row->fields[tc], row->lens[tc], fs->ticket,
                                  sizeof fs->ticket);
    date_format(date, fs->datebuf);
    memcpy(fs->period, fs->datebuf, 7);
    fs->period[7] = '\0';

    sqlite3_bind_text(st, 2, fs->ticket, (int)tlen, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)row->line);
    sqlite3_bind_text(st, 5, fs->datebuf, 10, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, fs->period, 7, SQLITE_STATIC);
    /* Parameters 7.. follow the order of ta_field from TA_F_CRM_TICKET,
     * skipping ticket_id and date which are bound above. */
    int p = 7;
    for (int f = 0; f < TA_F_COUNT; f++) {
        if (f == TA_F_TICKET_ID || f == TA_F_DATE)
            continue;
        int c = fs->col[f];
        if (f == TA_F_CSO) {
            size_t n = c < 0 ? 0
                             : collapse_spaces(row->fields[c], row->lens[c],
                                               fs->cso, sizeof fs->cso);
            if (c < 0)
                fs->cso[0] = '\0';
            sqlite3_bind_text(st, p, fs->cso, (int)n, SQLITE_STATIC);
        } else if (c < 0) {
            sqlite3_bind_null(st, p);
        } else {
            sqlite3_bind_text(st, p, row->fields[c], (int)row->lens[c],
                              SQLITE_STATIC);
        }
        p++;
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, "storing a ticket", err, errlen);
    return TA_OK;
}

static const char ins_ticket_sql[] =
    "INSERT OR REPLACE INTO tickets(source, ticket_id, import_id, line, "
    "date, period, crm_ticket, type, name, email, hp, phone, cso, urgency, "
    "emotion, relation, idpel, notes, media) VALUES "
    "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)";

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
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(db, "looking up earlier imports", err, errlen);
    return TA_OK;
}

static ta_status prepare_file(sqlite3 *db, file_state *fs, char *err,
                              size_t errlen)
{
    ta_status s = db_prepare(db, ins_ticket_sql, &fs->ins_ticket, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db,
                       "INSERT INTO rejects(import_id, file, line, reason, "
                       "field, raw) VALUES (?1,?2,?3,?4,?5,?6)",
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
    sqlite3_bind_text(st, 1, fs->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)res->size);
    sqlite3_bind_text(st, 3, res->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ta_source_name(res->source), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, csv_encoding_name(res->encoding), -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 6, delim, 1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)res->header_line);
    sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, TA_VERSION, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return db_fail(db, "recording the import", err, errlen);
    fs->import_id = sqlite3_last_insert_rowid(db);
    return TA_OK;
}

static ta_status load_rows(sqlite3 *db, csv_reader *r, file_state *fs,
                           const import_options *opt, import_result *res,
                           char *err, size_t errlen)
{
    sqlite3_bind_text(fs->ins_ticket, 1, ta_source_name(res->source), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(fs->ins_ticket, 3, fs->import_id);
    const csv_row *row = NULL;
    csv_status cs;
    char reason[200];
    ta_status s = TA_OK;
    while (s == TA_OK && (cs = csv_next(r, &row)) == CSV_ROW) {
        ta_date date;
        const char *field = NULL;
        res->rows_read++;
        if (check_row(fs, row, &date, reason, sizeof reason, &field)) {
            s = add_reject(db, fs, row, reason, field, err, errlen);
            res->rows_rejected++;
        } else {
            s = insert_ticket(db, fs, row, &date, err, errlen);
            res->rows_imported++;
        }
        if (opt->progress && res->rows_read % IMPORT_PROGRESS_EVERY == 0)
            opt->progress(opt->progress_ctx, fs->path, csv_offset(r),
                          csv_size(r), res->rows_read);
    }
    if (s != TA_OK)
        return s;
    if (cs != CSV_OK) {
        snprintf(err, errlen, "%s", csv_errmsg(r));
        return csv_to_status(cs);
    }
    if (opt->progress)
        opt->progress(opt->progress_ctx, fs->path, csv_size(r), csv_size(r),
                      res->rows_read);
    sqlite3_stmt *st = fs->upd_import;
    sqlite3_bind_int64(st, 1, fs->import_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)res->rows_read);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)res->rows_imported);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)res->rows_rejected);
    if (sqlite3_step(st) != SQLITE_DONE)
        return db_fail(db, "recording the row counts", err, errlen);
    return TA_OK;
}

ta_status import_file(sqlite3 *db, const rules *rs, const char *path,
                      const import_options *opt, import_result *res,
                      char *err, size_t errlen)
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
    unsigned char digest[32];
    sha256_final(&ic.sha, digest);
    sha256_hex(digest, res->sha256);
    res->size = csv_size(r);
    res->encoding = csv_encoding_used(r);
    res->delimiter = csv_delimiter(r);
    const csv_row *h = csv_header(r);
    res->header_line = h->line;

    file_state fs = {.path = path};
    ta_status s = TA_OK;
    res->source = opt->source;
    if (res->source == TA_SRC_NONE) {
        const char *names[512];
        char normbuf[512][64];
        size_t n = h->nfields < 512 ? h->nfields : 512;
        for (size_t i = 0; i < n; i++) {
            rules_normalize_header(h->fields[i], h->lens[i], normbuf[i],
                                   sizeof normbuf[i]);
            names[i] = normbuf[i];
        }
        res->source = rules_detect_source(rs, names, n);
        if (res->source == TA_SRC_NONE) {
            char found[768];
            list_headers(h, found, sizeof found);
            snprintf(err, errlen,
                     "%s:%lu: cannot tell whether this is a CRM, APKT or "
                     "AP2T export (no 'ID Tiket'/'Resume', 'No Laporan'/'HP "
                     "Pelapor' or 'No Agenda'/'Jenis Permohonan' column); "
                     "headers found: %s. Give --source crm|apkt|ap2t",
                     path, h->line, found);
            s = TA_E_DATA;
        }
    }
    if (s == TA_OK)
        s = map_header(rs, h, res->source, &fs, path, err, errlen);
    if (s == TA_OK)
        s = find_previous(db, res->sha256, &res->import_id, err, errlen);
    if (s == TA_OK && res->import_id) {
        res->already_imported = 1;
        csv_close(r);
        return TA_OK;
    }
    if (s == TA_OK)
        s = db_exec(db, "BEGIN IMMEDIATE", "starting the import", err,
                    errlen);
    if (s != TA_OK) {
        csv_close(r);
        return s;
    }
    s = prepare_file(db, &fs, err, errlen);
    if (s == TA_OK)
        s = insert_import_row(db, &fs, res, err, errlen);
    if (s == TA_OK)
        s = load_rows(db, r, &fs, opt, res, err, errlen);
    finalize_all(&fs);
    csv_close(r);
    if (s == TA_OK)
        s = db_exec(db, "COMMIT", "committing the import", err, errlen);
    if (s != TA_OK) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return s;
    }
    res->import_id = fs.import_id;
    return TA_OK;
}
