/*
 * store.c — the SQL of one import (docs/schema.md): the `imports` row and
 * its counts, every ticket, every rejected row, the look-up of an earlier
 * import of the same content. Statements are prepared once per file and
 * every bind is checked (db_bound). The transaction itself is import.c's.
 */
#include "import_shared.h"

#include <stdio.h>
#include <string.h>

#include "db.h"

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

/* ins_ticket_sql as INSERT OR IGNORE, for an import that must be told
 * which rows a later one replaces (import_options.on_replaced): a row it
 * ignores is stored again with REPLACE, after its earlier row is read. */
#define OR_REPLACE_AT 10 /* offset of "REPLACE" in ins_ticket_sql */

static const char get_old_sql[] =
    "SELECT rowid, period, cso, status, codes FROM tickets WHERE "
    "source = ?1 AND ticket_id = ?2";

static const char ins_reject_sql[] =
    "INSERT INTO rejects(import_id, file, line, reason, field, raw, "
    "reason_code, reason_args, ticket_id, crm_ticket, sheet) VALUES "
    "(?1,?2,?3,?4,?5,?6,?7,"
    /* json_patch drops the keys that are NULL */
    "json_patch('{}', json_object('fields', ?8, 'header', ?9, 'value', ?10, "
    "'column', ?13)),?11,?12,?14)";

static const char ins_import_sql[] =
    "INSERT INTO imports(file, size, sha256, source, encoding, delimiter, "
    "header_line, rows_read, rows_imported, rows_rejected, imported_at, "
    "program_version, format, sheets) VALUES "
    "(?1,?2,?3,?4,?5,?6,?7,0,0,0,?8,?9,?10,?11)";

static const char upd_import_sql[] =
    "UPDATE imports SET rows_read=?2, rows_imported=?3, rows_rejected=?4 "
    "WHERE id=?1";

ta_status store_prepare(sqlite3 *db, store *st, char *err, size_t errlen)
{
    ta_status s = db_prepare(db, ins_ticket_sql, &st->ins_ticket, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db, ins_reject_sql, &st->ins_reject, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db, ins_import_sql, &st->ins_import, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db, upd_import_sql, &st->upd_import, err, errlen);
    return s;
}

void store_finalize(store *st)
{
    sqlite3_finalize(st->ins_ignore);
    sqlite3_finalize(st->get_old);
    sqlite3_finalize(st->ins_ticket);
    sqlite3_finalize(st->ins_reject);
    sqlite3_finalize(st->ins_import);
    sqlite3_finalize(st->upd_import);
    memset(st, 0, sizeof *st);
}

ta_status store_import_row(sqlite3 *db, store *st, const char *path,
                           const import_result *res, const char *sheets_json,
                           long long *id, char *err, size_t errlen)
{
    char now[32], delim[2] = {res->delimiter, '\0'};
    db_now(now);
    sqlite3_stmt *s = st->ins_import;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_int64(s, 2, (sqlite3_int64)res->size));
    db_bound(&bound, sqlite3_bind_text(s, 3, res->sha256, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(s, 4, ta_source_name(res->source), -1,
                                       SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(s, 5, csv_encoding_name(res->encoding),
                                       -1, SQLITE_STATIC));
    /* A workbook has no delimiter: '' (the column is NOT NULL). */
    db_bound(&bound, sqlite3_bind_text(s, 6, delim, res->delimiter ? 1 : 0,
                                       SQLITE_TRANSIENT));
    db_bound(&bound, sqlite3_bind_int64(s, 7, (sqlite3_int64)res->header_line));
    db_bound(&bound, sqlite3_bind_text(s, 8, now, -1, SQLITE_TRANSIENT));
    db_bound(&bound, sqlite3_bind_text(s, 9, TA_VERSION, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(s, 10, res->format, -1, SQLITE_STATIC));
    db_bound(&bound, sheets_json ? sqlite3_bind_text(s, 11, sheets_json, -1,
                                                     SQLITE_STATIC)
                                 : sqlite3_bind_null(s, 11));
    if (bound != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE)
        return db_fail(db, "recording the import", err, errlen);
    *id = sqlite3_last_insert_rowid(db);
    return TA_OK;
}

ta_status store_begin_tickets(sqlite3 *db, store *st, const import_result *res,
                              long long import_id, long long audit_id,
                              char *err, size_t errlen)
{
    if (st->on_replaced && !st->ins_ignore) {
        char sql[sizeof ins_ticket_sql];
        memcpy(sql, ins_ticket_sql, sizeof sql);
        memcpy(sql + OR_REPLACE_AT, "IGNORE ", 7); /* "REPLACE" -> "IGNORE " */
        ta_status s = db_prepare(db, sql, &st->ins_ignore, err, errlen);
        if (s == TA_OK)
            s = db_prepare(db, get_old_sql, &st->get_old, err, errlen);
        if (s != TA_OK)
            return s;
    }
    int bound = SQLITE_OK;
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *ins = k ? st->ins_ignore : st->ins_ticket;
        if (!ins)
            continue;
        db_bound(&bound, sqlite3_bind_text(ins, 1, ta_source_name(res->source),
                                           -1, SQLITE_STATIC));
        db_bound(&bound, sqlite3_bind_int64(ins, 3, import_id));
        db_bound(&bound, sqlite3_bind_int64(ins, 26, audit_id));
    }
    if (st->get_old)
        db_bound(&bound,
                 sqlite3_bind_text(st->get_old, 1, ta_source_name(res->source),
                                   -1, SQLITE_STATIC));
    if (bound != SQLITE_OK)
        return db_fail(db, "storing a ticket", err, errlen);
    return TA_OK;
}

/* Binds arena text at off (NO_FIELD: NULL). */
static int bind_opt(sqlite3_stmt *s, int i, const batch *b, size_t off,
                    size_t len)
{
    if (off == NO_FIELD)
        return sqlite3_bind_null(s, i);
    return sqlite3_bind_text(s, i, b->arena.p + off, (int)len, SQLITE_STATIC);
}

ta_status store_reject(sqlite3 *db, store *st, long long import_id,
                       const char *path, const char *sheet, const batch *b,
                       const brow *br, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->ins_reject;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_int64(s, 1, import_id));
    db_bound(&bound, sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_int64(s, 3, (sqlite3_int64)br->line));
    db_bound(&bound, sqlite3_bind_text(s, 4, b->arena.p + br->reason_off, -1,
                                       SQLITE_STATIC));
    db_bound(&bound, br->field ? sqlite3_bind_text(s, 5, br->field, -1,
                                                   SQLITE_STATIC)
                               : sqlite3_bind_null(s, 5));
    db_bound(&bound, sqlite3_bind_text(s, 6, b->arena.p + br->raw_off,
                                       (int)br->raw_len, SQLITE_STATIC));
    db_bound(&bound,
             sqlite3_bind_text(s, 7, br->reason_code, -1, SQLITE_STATIC));
    if (strcmp(br->reason_code, "field_count") == 0) {
        db_bound(&bound, sqlite3_bind_int64(s, 8, br->n1));
        db_bound(&bound, sqlite3_bind_int64(s, 9, br->n2));
    } else {
        db_bound(&bound, sqlite3_bind_null(s, 8));
        db_bound(&bound, sqlite3_bind_null(s, 9));
    }
    db_bound(&bound, bind_opt(s, 10, b, br->value_off, br->value_len));
    db_bound(&bound, bind_opt(s, 11, b, br->rtid_off, br->rtid_len));
    db_bound(&bound, bind_opt(s, 12, b, br->rcrm_off, br->rcrm_len));
    db_bound(&bound, br->column[0] ? sqlite3_bind_text(s, 13, br->column, -1,
                                                       SQLITE_STATIC)
                                   : sqlite3_bind_null(s, 13));
    db_bound(&bound, sheet ? sqlite3_bind_text(s, 14, sheet, -1, SQLITE_STATIC)
                           : sqlite3_bind_null(s, 14));
    if (bound != SQLITE_OK)
        return db_fail(db, "storing a rejected row", err, errlen);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return db_fail(db, "storing a rejected row", err, errlen);
    return TA_OK;
}

/* The fields a figure reads: the JSON, the text summary and JUnit read
 * period, CSO, status and codes; the signals also the ticket numbers, the
 * customer (ID pelanggan, name) and the normalized contacts. The rest is
 * shown only by the workbooks, which check does not write. */
static int figure_field(int f)
{
    return f == TA_F_CRM_TICKET || f == TA_F_NAME || f == TA_F_CSO ||
           f == TA_F_IDPEL;
}

/* A binding survives sqlite3_reset, so a NULL or a static name bound to
 * the same parameter for the row before is kept rather than bound again
 * (a third of a row's binds; binding was a fifth of the inserting
 * thread's time). held[i]: what parameter i holds, NULL when it is not
 * known (arena text, which moves). */
static const char null_held[1];

static int bind_kept_null(sqlite3_stmt *s, const void **held, int i)
{
    if (held[i] == null_held)
        return SQLITE_OK;
    held[i] = null_held;
    return sqlite3_bind_null(s, i);
}

static int bind_kept_name(sqlite3_stmt *s, const void **held, int i,
                          const char *name)
{
    if (held[i] == name)
        return SQLITE_OK;
    held[i] = name;
    return sqlite3_bind_text(s, i, name, -1, SQLITE_STATIC);
}

static int bind_arena(sqlite3_stmt *s, const void **held, int i,
                      const char *p, size_t len)
{
    held[i] = NULL;
    return sqlite3_bind_text(s, i, p, (int)len, SQLITE_STATIC);
}

/* Binds the row's own values (the file's are store_begin_tickets'). */
static int bind_ticket(sqlite3_stmt *s, store *st, const batch *b,
                       const brow *br)
{
    const char *a = b->arena.p;
    const void **held = st->held[s == st->ins_ignore];
    int bound = SQLITE_OK;
    db_bound(&bound,
             sqlite3_bind_text(s, 2, a + br->off[TA_F_TICKET_ID],
                               (int)br->len[TA_F_TICKET_ID], SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_int64(s, 4, (sqlite3_int64)br->line));
    db_bound(&bound, sqlite3_bind_text(s, 5, br->date, 10, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(s, 6, br->period, 7, SQLITE_STATIC));
    int p = 7;
    for (int f = 0; f < TA_F_COUNT; f++) {
        if (f == TA_F_TICKET_ID || f == TA_F_DATE)
            continue;
        if (st->figures_only && !figure_field(f))
            db_bound(&bound, bind_kept_null(s, held, p));
        else if (br->off[f] != NO_FIELD)
            db_bound(&bound,
                     bind_arena(s, held, p, a + br->off[f], br->len[f]));
        else if (f == TA_F_CSO)
            db_bound(&bound, bind_kept_name(s, held, p, ""));
        else
            db_bound(&bound, bind_kept_null(s, held, p));
        p++;
    }
    db_bound(&bound,
             bind_kept_name(s, held, 20, rules_category_name(br->category)));
    db_bound(&bound, bind_kept_name(s, held, 21, rules_status_name(br->status)));
    db_bound(&bound, bind_arena(s, held, 22, a + br->codes_off, br->codes_len));
    db_bound(&bound,
             bind_kept_name(s, held, 23, rules_email_state_name(br->email)));
    db_bound(&bound, bind_kept_name(s, held, 24, rules_hp_state_name(br->hp)));
    db_bound(&bound, bind_arena(s, held, 25, a + br->evidence_off,
                                st->figures_only ? 0 : br->evidence_len));
    db_bound(&bound,
             bind_arena(s, held, 27, a + br->hp_norm_off, br->hp_norm_len));
    db_bound(&bound, bind_arena(s, held, 28, a + br->email_norm_off,
                                br->email_norm_len));
    db_bound(&bound,
             sqlite3_bind_text(s, 29, br->fingerprint,
                               st->figures_only ? 0 : FINGERPRINT_SIZE - 1,
                               SQLITE_STATIC));
    return bound;
}

/* Reads the earlier row of the ticket (about to be replaced) and tells
 * on_replaced; nothing when there is none (another constraint ignored the
 * row: REPLACE then decides, as always). */
static ta_status tell_replaced(sqlite3 *db, store *st, const batch *b,
                               const brow *br, char *err, size_t errlen)
{
    sqlite3_stmt *g = st->get_old;
    int bound = SQLITE_OK;
    db_bound(&bound,
             sqlite3_bind_text(g, 2, b->arena.p + br->off[TA_F_TICKET_ID],
                               (int)br->len[TA_F_TICKET_ID], SQLITE_STATIC));
    int rc = bound == SQLITE_OK ? sqlite3_step(g) : bound;
    if (rc == SQLITE_ROW) {
        import_replaced r;
        r.rowid = sqlite3_column_int64(g, 0);
        r.period = (const char *)sqlite3_column_text(g, 1);
        r.period_len = (size_t)sqlite3_column_bytes(g, 1);
        r.cso = (const char *)sqlite3_column_text(g, 2);
        r.cso_len = (size_t)sqlite3_column_bytes(g, 2);
        r.status = (const char *)sqlite3_column_text(g, 3);
        r.codes = (const char *)sqlite3_column_text(g, 4);
        if (!r.period)
            r.period = "";
        if (!r.cso)
            r.cso = "";
        if (!r.status)
            r.status = "";
        if (!r.codes)
            r.codes = "";
        st->on_replaced(st->ticket_ctx, &r);
    }
    sqlite3_reset(g);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(db, "storing a ticket", err, errlen);
    return TA_OK;
}

ta_status store_ticket(sqlite3 *db, store *st, const batch *b, const brow *br,
                       char *err, size_t errlen)
{
    const char *a = b->arena.p;
    /* told of replacements: INSERT OR IGNORE first, which stores every
     * ticket not seen before (nearly all); a row it ignored is stored
     * with REPLACE once the earlier one is told */
    sqlite3_stmt *s = st->ins_ignore ? st->ins_ignore : st->ins_ticket;
    if (bind_ticket(s, st, b, br) != SQLITE_OK)
        return db_fail(db, "storing a ticket", err, errlen);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_DONE && s == st->ins_ignore && sqlite3_changes(db) == 0) {
        ta_status ts = tell_replaced(db, st, b, br, err, errlen);
        if (ts != TA_OK)
            return ts;
        s = st->ins_ticket;
        if (bind_ticket(s, st, b, br) != SQLITE_OK)
            return db_fail(db, "storing a ticket", err, errlen);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
    }
    if (rc != SQLITE_DONE)
        return db_fail(db, "storing a ticket", err, errlen);
    if (!st->on_ticket)
        return TA_OK;
    import_ticket t;
    t.rowid = sqlite3_last_insert_rowid(db);
    t.source = st->source;
    t.period = br->period;
    for (int f = 0; f < TA_F_COUNT; f++) {
        t.v[f] = br->off[f] == NO_FIELD ? NULL : a + br->off[f];
        t.len[f] = br->off[f] == NO_FIELD ? 0 : br->len[f];
    }
    if (!t.v[TA_F_CSO])
        t.v[TA_F_CSO] = ""; /* stored as '' */
    t.status = br->status;
    t.email = br->email;
    t.hp = br->hp;
    t.codes = a + br->codes_off;
    t.hp_norm = a + br->hp_norm_off;
    t.email_norm = a + br->email_norm_off;
    return st->on_ticket(st->ticket_ctx, &t, err, errlen);
}

ta_status store_counts(sqlite3 *db, store *st, long long import_id,
                       const import_result *res, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->upd_import;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_int64(s, 1, import_id));
    db_bound(&bound, sqlite3_bind_int64(s, 2, (sqlite3_int64)res->rows_read));
    db_bound(&bound,
             sqlite3_bind_int64(s, 3, (sqlite3_int64)res->rows_imported));
    db_bound(&bound,
             sqlite3_bind_int64(s, 4, (sqlite3_int64)res->rows_rejected));
    if (bound != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE)
        return db_fail(db, "recording the row counts", err, errlen);
    return TA_OK;
}

ta_status store_find_previous(sqlite3 *db, const char *sha, long long *id,
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
