/*
 * audit.c — judging the tickets again (see audit.h).
 *
 * The tickets are read in chunks of AUDIT_CHUNK rows by rowid, judged, and
 * the chunk's verdicts written back with one prepared UPDATE, so the SELECT
 * is never open while its own table changes, memory stays at one chunk,
 * and judging allocates nothing per ticket. A ticket whose verdict did not
 * change and that was judged with the same rules is not written again;
 * with only_stale, a ticket judged with the same rules and program
 * version is not even read back into the judge (SQLite skips it).
 * Between two chunks the audit tells its progress and stops on SIGINT or
 * SIGTERM (interrupt.h).
 */
#include "audit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interrupt.h"

#define AUDIT_CHUNK 4096

/* Columns after rowid, in the order of ta_field (ticket_id .. media). */
static const char select_sql[] =
    "SELECT rowid, source, ticket_id, crm_ticket, date, type, name, email, "
    "hp, phone, cso, urgency, emotion, relation, idpel, notes, media, "
    "category || '|' || status || '|' || codes || '|' || email_state || "
    "'|' || hp_state || '|' || evidence || '|' || hp_norm || '|' || "
    "email_norm, audit_id IN (SELECT id FROM audits WHERE rules = ?4 AND "
    "program_version = ?5), period "
    "FROM tickets WHERE rowid > ?1 AND (?2 IS NULL OR period = ?2) "
    "AND (?6 = 0 OR audit_id NOT IN (SELECT id FROM audits WHERE rules = ?4 "
    "AND program_version = ?5)) ORDER BY rowid LIMIT ?3";

/* Column of the stored verdict as one string, and of "judged with these
 * rules already". */
#define COL_OLD (2 + TA_F_COUNT)
#define COL_SAME_RULES (3 + TA_F_COUNT)
#define COL_PERIOD (4 + TA_F_COUNT)

static const char update_sql[] =
    "UPDATE tickets SET category=?1, status=?2, codes=?3, email_state=?4, "
    "hp_state=?5, evidence=?6, audit_id=?7, hp_norm=?9, email_norm=?10 "
    "WHERE rowid=?8";

/* Only when some judging run used other rules is it worth scanning the
 * tickets to see whether any of theirs are left (audits has a row per
 * run, tickets a million). */
static const char stale_sql[] =
    "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM audits WHERE "
    "rules <> ?2 OR program_version <> ?3) THEN 0 "
    "ELSE EXISTS (SELECT 1 FROM tickets t JOIN audits a ON a.id = "
    "t.audit_id WHERE (?1 IS NULL OR t.period = ?1) AND (a.rules <> ?2 OR "
    "a.program_version <> ?3)) END";

/* Whether some ticket of the scope is current (judged with these rules
 * and this program version): then only the others are judged. On a
 * database imported with these rules the first row answers. */
static const char current_sql[] =
    "SELECT EXISTS (SELECT 1 FROM tickets WHERE (?1 IS NULL OR period = ?1) "
    "AND audit_id IN (SELECT id FROM audits WHERE rules = ?2 AND "
    "program_version = ?3))";

typedef struct chunk {
    sqlite3_int64 rowid[AUDIT_CHUNK];
    rules_verdict v[AUDIT_CHUNK];
    unsigned char unchanged[AUDIT_CHUNK];
    size_t n;
    char buf[2 * RULES_NORM_MAX + RULES_CODES_MAX + RULES_EVIDENCE_MAX + 64];
} chunk;

/* 1 when the stored verdict (old, as selected) equals v: re-auditing
 * with the same rules then writes nothing, so it costs a read, not a
 * rewrite of every row. */
static int same_verdict(chunk *c, const rules_verdict *v, const char *old)
{
    if (!old)
        return 0;
    int n = snprintf(
        c->buf, sizeof c->buf, "%s|%s|%s|%s|%s|%s|%s|%s",
        rules_category_name(v->category), rules_status_name(v->status),
        v->codes, rules_email_state_name(v->email), rules_hp_state_name(v->hp),
        v->evidence, v->hp_norm, v->email_norm);
    return n >= 0 && (size_t)n < sizeof c->buf && strcmp(c->buf, old) == 0;
}

static void count(audit_summary *sum, rules_status st)
{
    sum->tickets++;
    switch (st) {
    case RULES_COMPLIANT:
        sum->compliant++;
        break;
    case RULES_EXEMPT:
        sum->exempt++;
        break;
    case RULES_VIOLATION:
        sum->violation++;
        break;
    case RULES_OUT_OF_SCOPE:
        sum->out_of_scope++;
        break;
    }
}

/* The callbacks of audit_run_with and their contexts. */
typedef struct audit_cb {
    audit_ticket_fn fn; /* NULL: none */
    void *ctx;
    audit_progress_fn progress; /* NULL: none */
    void *progress_ctx;
    unsigned long long last_rowid; /* the table's, for the progress */
} audit_cb;

/* Reads and judges up to AUDIT_CHUNK tickets after *last, handing each to
 * the callback when there is one. */
static ta_status judge_chunk(sqlite3 *db, sqlite3_stmt *sel, rules_judge *j,
                             const audit_cb *cb, sqlite3_int64 *last, chunk *c,
                             char *err, size_t errlen)
{
    ta_status s = TA_OK;
    c->n = 0;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_int64(sel, 1, *last));
    if (bound != SQLITE_OK)
        return db_fail(db, "reading the tickets", err, errlen);
    int rc;
    rules_ticket t;
    while (s == TA_OK && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
        t.source = ta_source_parse((const char *)sqlite3_column_text(sel, 1));
        for (int f = 0; f < TA_F_COUNT; f++) {
            t.v[f] = (const char *)sqlite3_column_text(sel, 2 + f);
            t.len[f] = (size_t)sqlite3_column_bytes(sel, 2 + f);
        }
        c->rowid[c->n] = sqlite3_column_int64(sel, 0);
        /* SPEC §4: a pattern that cannot finish is an error naming the
         * key and the ticket; the caller rolls the audit back, so every
         * verdict stays as it was. */
        s = rules_judge_ticket(j, &t, &c->v[c->n]);
        if (s != TA_OK) {
            snprintf(err, errlen,
                     "audit: ticket %s:%.*s: %s; no verdict was changed",
                     ta_source_name(t.source), (int)t.len[TA_F_TICKET_ID],
                     t.v[TA_F_TICKET_ID] ? t.v[TA_F_TICKET_ID] : "",
                     rules_judge_errmsg(j));
            break;
        }
        c->unchanged[c->n] =
            sqlite3_column_int(sel, COL_SAME_RULES) &&
            same_verdict(c, &c->v[c->n],
                         (const char *)sqlite3_column_text(sel, COL_OLD));
        if (cb->fn) {
            audit_ticket at = {
                .rowid = c->rowid[c->n],
                .period = (const char *)sqlite3_column_text(sel, COL_PERIOD),
                .period_len = (size_t)sqlite3_column_bytes(sel, COL_PERIOD),
                .ticket = &t,
                .verdict = &c->v[c->n]};
            s = cb->fn(cb->ctx, &at, err, errlen);
        }
        *last = c->rowid[c->n];
        c->n++;
    }
    sqlite3_reset(sel);
    if (s == TA_OK && rc != SQLITE_DONE)
        return db_fail(db, "reading the tickets", err, errlen);
    return s;
}

static ta_status store_chunk(sqlite3 *db, sqlite3_stmt *upd, const chunk *c,
                             audit_summary *sum, char *err, size_t errlen)
{
    for (size_t i = 0; i < c->n; i++) {
        const rules_verdict *v = &c->v[i];
        count(sum, v->status);
        if (c->unchanged[i])
            continue;
        int bound = SQLITE_OK;
        db_bound(&bound,
                 sqlite3_bind_text(upd, 1, rules_category_name(v->category),
                                   -1, SQLITE_STATIC));
        db_bound(&bound,
                 sqlite3_bind_text(upd, 2, rules_status_name(v->status), -1,
                                   SQLITE_STATIC));
        db_bound(&bound,
                 sqlite3_bind_text(upd, 3, v->codes, -1, SQLITE_STATIC));
        db_bound(&bound,
                 sqlite3_bind_text(upd, 4, rules_email_state_name(v->email),
                                   -1, SQLITE_STATIC));
        db_bound(&bound, sqlite3_bind_text(upd, 5, rules_hp_state_name(v->hp),
                                           -1, SQLITE_STATIC));
        db_bound(&bound,
                 sqlite3_bind_text(upd, 6, v->evidence, -1, SQLITE_STATIC));
        db_bound(&bound, sqlite3_bind_int64(upd, 8, c->rowid[i]));
        db_bound(&bound,
                 sqlite3_bind_text(upd, 9, v->hp_norm, -1, SQLITE_STATIC));
        db_bound(&bound,
                 sqlite3_bind_text(upd, 10, v->email_norm, -1, SQLITE_STATIC));
        /* a bind's message goes with the next call: say it now */
        if (bound != SQLITE_OK)
            return db_fail(db, "storing an audit result", err, errlen);
        int rc = sqlite3_step(upd);
        sqlite3_reset(upd);
        if (rc != SQLITE_DONE)
            return db_fail(db, "storing an audit result", err, errlen);
    }
    return TA_OK;
}

/* Runs stale_sql or current_sql, whose one value goes to *yes. */
static ta_status ask(sqlite3 *db, const char *sql, const rules *rs,
                     const char *period, int *yes, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db, sql, &st, err, errlen);
    if (s != TA_OK)
        return s;
    int bound = SQLITE_OK;
    if (period)
        db_bound(&bound, sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 2, rules_fingerprint(rs), -1,
                                       SQLITE_TRANSIENT));
    db_bound(&bound, sqlite3_bind_text(st, 3, TA_VERSION, -1, SQLITE_STATIC));
    int rc = bound == SQLITE_OK ? sqlite3_step(st) : bound;
    *yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    if (rc != SQLITE_ROW) /* before finalize, which forgets a bind's error */
        s = db_fail(db, "checking earlier audits", err, errlen);
    sqlite3_finalize(st);
    return s;
}

/* Judges the scope's tickets; with skip_current, only those judged with
 * other rules or another program version. */
static ta_status judge_all(sqlite3 *db, const rules *rs, const char *period,
                           int skip_current, const audit_cb *cb,
                           audit_summary *sum, char *err, size_t errlen)
{
    sqlite3_stmt *sel = NULL, *upd = NULL;
    rules_judge *j = rules_judge_new(rs);
    chunk *c = malloc(sizeof *c);
    ta_status s = TA_OK;
    if (!j || !c) {
        snprintf(err, errlen, "out of memory preparing the audit");
        s = TA_E_NOMEM;
        goto done;
    }
    s = db_prepare(db, select_sql, &sel, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db, update_sql, &upd, err, errlen);
    if (s != TA_OK)
        goto done;
    int bound = SQLITE_OK;
    if (period)
        db_bound(&bound, sqlite3_bind_text(sel, 2, period, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_int(sel, 3, AUDIT_CHUNK));
    db_bound(&bound, sqlite3_bind_text(sel, 4, rules_fingerprint(rs), -1,
                                       SQLITE_TRANSIENT));
    db_bound(&bound, sqlite3_bind_text(sel, 5, TA_VERSION, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_int(sel, 6, skip_current));
    db_bound(&bound, sqlite3_bind_int64(upd, 7, sum->audit_id));
    if (bound != SQLITE_OK) {
        s = db_fail(db, "preparing the audit", err, errlen);
        goto done;
    }
    sqlite3_int64 last = -1; /* rowids are positive */
    if (cb->progress)
        cb->progress(cb->progress_ctx, 0, 0, cb->last_rowid);
    do {
        s = judge_chunk(db, sel, j, cb, &last, c, err, errlen);
        if (s == TA_OK)
            s = store_chunk(db, upd, c, sum, err, errlen);
        if (s == TA_OK && interrupt_pending()) {
            snprintf(err, errlen,
                     "the audit was interrupted; nothing of "
                     "it was stored");
            s = TA_E_INTERRUPTED;
        }
        if (s == TA_OK && cb->progress)
            cb->progress(cb->progress_ctx, sum->tickets,
                         c->n == AUDIT_CHUNK ? (unsigned long long)last
                                             : cb->last_rowid,
                         cb->last_rowid);
    } while (s == TA_OK && c->n == AUDIT_CHUNK);
done:
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    rules_judge_free(j);
    free(c);
    return s;
}

/* The largest rowid of tickets (0 when empty): the total of the
 * progress, read from the end of the table's B-tree at once. */
static ta_status last_rowid(sqlite3 *db, unsigned long long *out, char *err,
                            size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db, "SELECT coalesce(max(rowid), 0) FROM tickets",
                             &st, err, errlen);
    if (s != TA_OK)
        return s;
    if (sqlite3_step(st) == SQLITE_ROW) {
        sqlite3_int64 v = sqlite3_column_int64(st, 0);
        *out = v > 0 ? (unsigned long long)v : 0;
    } else {
        s = db_fail(db, "reading the tickets", err, errlen);
    }
    sqlite3_finalize(st);
    return s;
}

ta_status audit_run(sqlite3 *db, const rules *rs, const char *period,
                    int only_stale, audit_ticket_fn on_ticket, void *ctx,
                    audit_summary *sum, char *err, size_t errlen)
{
    const audit_options o = {
        .only_stale = only_stale, .on_ticket = on_ticket, .ticket_ctx = ctx};
    return audit_run_with(db, rs, period, &o, sum, err, errlen);
}

ta_status audit_run_with(sqlite3 *db, const rules *rs, const char *period,
                         const audit_options *o, audit_summary *sum, char *err,
                         size_t errlen)
{
    static const audit_options none;
    if (!o)
        o = &none;
    audit_cb cb = {o->on_ticket, o->ticket_ctx, o->progress, o->progress_ctx,
                   0};
    int only_stale = o->only_stale;
    memset(sum, 0, sizeof *sum);
    /* Inside the caller's transaction (the signals then commit with the
     * verdicts they were computed from), else in one of its own. */
    int outer = !sqlite3_get_autocommit(db);
    ta_status s = db_exec(db, outer ? "SAVEPOINT audit" : "BEGIN IMMEDIATE",
                          "starting the audit", err, errlen);
    if (s != TA_OK)
        return s;
    /* SPEC §6: a verdict is a function of the ticket and the rules, so
     * only_stale judges again only the tickets judged with other rules or
     * another program version; right after an import, none. */
    int stale = 1, current = 0;
    if (only_stale)
        s = ask(db, stale_sql, rs, period, &stale, err, errlen);
    if (s == TA_OK && stale && only_stale)
        s = ask(db, current_sql, rs, period, &current, err, errlen);
    /* Some tickets skipped: the callback would not see the whole scope,
     * so it sees nothing (sum->whole_scope says which). */
    if (current)
        cb.fn = NULL;
    if (s == TA_OK && stale && cb.progress)
        s = last_rowid(db, &cb.last_rowid, err, errlen);
    if (s == TA_OK && stale) {
        s = db_record_audit(db, "audit", period, rules_fingerprint(rs),
                            &sum->audit_id, err, errlen);
        if (s == TA_OK)
            s = judge_all(db, rs, period, current, &cb, sum, err, errlen);
        sum->whole_scope = !current;
        if (s == TA_OK)
            s = db_finish_audit(db, sum->audit_id, sum->tickets, err, errlen);
    }
    if (s == TA_OK)
        s = db_exec(db, outer ? "RELEASE audit" : "COMMIT",
                    "committing the audit", err, errlen);
    else
        sqlite3_exec(db,
                     outer ? "ROLLBACK TO audit; RELEASE audit" : "ROLLBACK",
                     NULL, NULL, NULL);
    return s;
}
