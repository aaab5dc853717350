/*
 * audit.c — tickets -> rules -> audit_results (see audit.h).
 *
 * One SELECT walks the tickets while one prepared INSERT writes each
 * verdict; both live in a single transaction, and the field texts are
 * handed to the rules straight from SQLite's column buffers, so judging a
 * ticket allocates nothing.
 */
#include "audit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* Columns selected, in the order of ta_field (ticket_id .. media), after
 * source and period. */
static const char select_sql[] =
    "SELECT source, period, ticket_id, crm_ticket, date, type, name, email, "
    "hp, phone, cso, urgency, emotion, relation, idpel, notes, media "
    "FROM tickets WHERE ?1 IS NULL OR period = ?1";

static const char insert_sql[] =
    "INSERT OR REPLACE INTO audit_results(source, ticket_id, period, cso, "
    "status, codes, category, email_state, hp_state, evidence, audit_id) "
    "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)";

static ta_status record_audit(sqlite3 *db, const rules *rs,
                              const char *period, long long *id, char *err,
                              size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db,
                             "INSERT INTO audits(run_at, period, rules, "
                             "program_version, tickets) VALUES (?1,?2,?3,?4,0)",
                             &st, err, errlen);
    if (s != TA_OK)
        return s;
    char now[32];
    db_now(now);
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    if (period)
        sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, rules_fingerprint(rs), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, TA_VERSION, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, "recording the audit", err, errlen);
    *id = sqlite3_last_insert_rowid(db);
    return TA_OK;
}

static void count(audit_summary *sum, rules_status st)
{
    sum->tickets++;
    switch (st) {
    case RULES_COMPLIANT: sum->compliant++; break;
    case RULES_EXEMPT: sum->exempt++; break;
    case RULES_VIOLATION: sum->violation++; break;
    case RULES_OUT_OF_SCOPE: sum->out_of_scope++; break;
    }
}

static ta_status judge_all(sqlite3 *db, rules_judge *j, const char *period,
                           audit_summary *sum, char *err, size_t errlen)
{
    sqlite3_stmt *sel = NULL, *ins = NULL;
    ta_status s = db_prepare(db, select_sql, &sel, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db, insert_sql, &ins, err, errlen);
    if (s != TA_OK)
        goto done;
    if (period)
        sqlite3_bind_text(sel, 1, period, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 11, sum->audit_id);

    int rc;
    rules_ticket t;
    rules_verdict v;
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        const char *src = (const char *)sqlite3_column_text(sel, 0);
        t.source = ta_source_parse(src);
        for (int f = 0; f < TA_F_COUNT; f++) {
            t.v[f] = (const char *)sqlite3_column_text(sel, 2 + f);
            t.len[f] = (size_t)sqlite3_column_bytes(sel, 2 + f);
        }
        rules_judge_ticket(j, &t, &v);
        count(sum, v.status);
        sqlite3_bind_text(ins, 1, src, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, t.v[TA_F_TICKET_ID], (int)t.len[TA_F_TICKET_ID],
                          SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, (const char *)sqlite3_column_text(sel, 1),
                          -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, t.v[TA_F_CSO] ? t.v[TA_F_CSO] : "",
                          (int)t.len[TA_F_CSO], SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, rules_status_name(v.status), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, v.codes, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 7, rules_category_name(v.category), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(ins, 8, rules_email_state_name(v.email), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(ins, 9, rules_hp_state_name(v.hp), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(ins, 10, v.evidence, -1, SQLITE_STATIC);
        int irc = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (irc != SQLITE_DONE) {
            s = db_fail(db, "storing an audit result", err, errlen);
            goto done;
        }
    }
    if (rc != SQLITE_DONE)
        s = db_fail(db, "reading the tickets", err, errlen);
done:
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return s;
}

ta_status audit_run(sqlite3 *db, const rules *rs, const char *period,
                    audit_summary *sum, char *err, size_t errlen)
{
    memset(sum, 0, sizeof *sum);
    rules_judge *j = rules_judge_new(rs);
    if (!j) {
        snprintf(err, errlen, "out of memory preparing the rules");
        return TA_E_NOMEM;
    }
    ta_status s = db_exec(db, "BEGIN IMMEDIATE", "starting the audit", err,
                          errlen);
    if (s != TA_OK) {
        rules_judge_free(j);
        return s;
    }
    s = record_audit(db, rs, period, &sum->audit_id, err, errlen);
    if (s == TA_OK) {
        sqlite3_stmt *del = NULL;
        s = db_prepare(db,
                       "DELETE FROM audit_results WHERE ?1 IS NULL OR "
                       "period = ?1",
                       &del, err, errlen);
        if (s == TA_OK) {
            if (period)
                sqlite3_bind_text(del, 1, period, -1, SQLITE_STATIC);
            if (sqlite3_step(del) != SQLITE_DONE)
                s = db_fail(db, "clearing earlier results", err, errlen);
        }
        sqlite3_finalize(del);
    }
    if (s == TA_OK)
        s = judge_all(db, j, period, sum, err, errlen);
    if (s == TA_OK) {
        char sql[96];
        snprintf(sql, sizeof sql, "UPDATE audits SET tickets = %lu WHERE id = %lld",
                 sum->tickets, sum->audit_id);
        s = db_exec(db, sql, "recording the audit", err, errlen);
    }
    if (s == TA_OK)
        s = db_exec(db, "COMMIT", "committing the audit", err, errlen);
    else
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    rules_judge_free(j);
    return s;
}
