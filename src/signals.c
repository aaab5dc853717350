/*
 * signals.c — the three signals of SPEC §4 "Beyond the memo", computed
 * from `tickets` into `signals` (see signals.h, docs/signals.md).
 *
 * Reused contacts: one sorted scan per contact kind, ORDER BY period,
 * contact, customer, streamed here: a group of equal (period, contact)
 * rows counts its tickets, its distinct customers (a change of the sorted
 * customer key) and its CSOs (a small reused array), and is written only
 * when it reaches the minimum. One sort is the least work SQLite can do
 * without an index on the contact, and the stream keeps memory bounded
 * (SQLite's sorter spills to temporary files).
 *
 * Exemption outliers: one GROUP BY period, cso in SQL; the median and the
 * median absolute deviation of a period's few dozen rates are taken here.
 *
 * Cross-system mismatches: one INSERT ... SELECT joining each APKT report
 * to its CRM ticket through the UNIQUE (source, ticket_id) index.
 *
 * Nothing here changes a ticket, prints or exits.
 */
#include "signals.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

/* The exemption codes of SPEC §4, in byte order (the order of `codes`). */
static const char *const ex_codes[] = {"EX_ANGRY", "EX_NOT_RESPONSIBLE",
                                       "EX_NO_EMAIL", "EX_URGENT"};
#define EX_CODES 4

/* ---- small growable buffers ------------------------------------------ */

typedef struct sig_str {
    char *p;
    size_t len, cap;
} sig_str;

static int str_set(sig_str *s, const void *data, size_t len)
{
    if (len + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 64;
        while (cap < len + 1)
            cap *= 2;
        char *np = realloc(s->p, cap);
        if (!np)
            return -1;
        s->p = np;
        s->cap = cap;
    }
    if (len)
        memcpy(s->p, data, len);
    s->p[len] = '\0';
    s->len = len;
    return 0;
}

static int str_eq(const sig_str *s, const void *data, size_t len)
{
    return s->len == len && (len == 0 || memcmp(s->p, data, len) == 0);
}

/* One CSO of a contact group, or one CSO of a period (outliers). */
typedef struct sig_cso {
    sig_str name;
    unsigned long n;      /* tickets (group) / in scope (period) */
    unsigned long exempt; /* outliers only */
    unsigned long codes[EX_CODES];
    double rate;
} sig_cso;

typedef struct sig_csos {
    sig_cso *v;
    size_t n, cap; /* v[n..cap) keep their name buffers for reuse */
} sig_csos;

static sig_cso *csos_add(sig_csos *c)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        sig_cso *nv = realloc(c->v, cap * sizeof *nv);
        if (!nv)
            return NULL;
        memset(nv + c->cap, 0, (cap - c->cap) * sizeof *nv);
        c->v = nv;
        c->cap = cap;
    }
    sig_cso *e = &c->v[c->n++];
    e->n = e->exempt = 0;
    memset(e->codes, 0, sizeof e->codes);
    e->rate = 0;
    return e;
}

static void csos_free(sig_csos *c)
{
    for (size_t i = 0; i < c->cap; i++)
        free(c->v[i].name.p);
    free(c->v);
}

/* ---- helpers ------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double signals_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double signals_spread(double mad)
{
    double s = 1.4826 * mad;
    return s < SIGNALS_MIN_SPREAD ? SIGNALS_MIN_SPREAD : s;
}

static ta_status bind_period(sqlite3 *db, sqlite3_stmt *st, int i,
                             const char *period, char *err, size_t errlen)
{
    int rc = period ? sqlite3_bind_text(st, i, period, -1, SQLITE_STATIC)
                    : sqlite3_bind_null(st, i);
    return rc == SQLITE_OK ? TA_OK
                           : db_fail(db, "computing the signals", err, errlen);
}

static ta_status nomem(char *err, size_t errlen)
{
    snprintf(err, errlen, "computing the signals: out of memory");
    return TA_E_NOMEM;
}

/* ---- reused contacts ------------------------------------------------- */

/* The customer key: IDPEL when there is one, else the name lower-cased
 * (ASCII: "EKO" and "Eko" are one person); NULL when neither is known, so
 * such tickets count as tickets but never as a customer. Prefixed so that
 * an IDPEL never equals a name. */
#define CUSTOMER_KEY                                                          \
    "CASE WHEN coalesce(idpel, '') <> '' THEN 'i:' || idpel "                 \
    "WHEN coalesce(name, '') <> '' THEN 'n:' || lower(name) END"

static const char *const reuse_sql[2] = {
    "SELECT period, hp_norm, " CUSTOMER_KEY " AS cust, cso FROM tickets "
    "WHERE (?1 IS NULL OR period = ?1) AND hp_norm <> '' "
    "AND hp_state <> 'HP_PLACEHOLDER' ORDER BY period, hp_norm, cust",
    "SELECT period, email_norm, " CUSTOMER_KEY " AS cust, cso FROM tickets "
    "WHERE (?1 IS NULL OR period = ?1) AND email_norm <> '' "
    "AND email_state <> 'EMAIL_PLACEHOLDER' ORDER BY period, email_norm, "
    "cust"};
static const char *const reuse_kind[2] = {"hp", "email"};

typedef struct reuse_ctx {
    sqlite3 *db;
    sqlite3_stmt *ins, *ins_cso;
    const char *kind;
    unsigned long min_customers;
    sig_str period, contact, cust;
    int have_cust;
    unsigned long tickets, customers;
    sig_csos csos;
    unsigned long written;
} reuse_ctx;

static int reuse_count_cso(reuse_ctx *c, const void *cso, size_t len)
{
    for (size_t i = 0; i < c->csos.n; i++)
        if (str_eq(&c->csos.v[i].name, cso, len)) {
            c->csos.v[i].n++;
            return 0;
        }
    sig_cso *e = csos_add(&c->csos);
    if (!e || str_set(&e->name, cso, len) != 0)
        return -1;
    e->n = 1;
    return 0;
}

/* Writes the group just finished when it reaches the minimum. */
static ta_status reuse_flush(reuse_ctx *c, char *err, size_t errlen)
{
    if (c->tickets == 0 || c->customers < c->min_customers)
        return TA_OK;
    sqlite3_stmt *st = c->ins;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, c->period.p, (int)c->period.len, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->contact.p, (int)c->contact.len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)c->customers);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)c->tickets);
    if (sqlite3_step(st) != SQLITE_DONE)
        return db_fail(c->db, "writing a reused contact", err, errlen);
    sqlite3_int64 id = sqlite3_last_insert_rowid(c->db);
    for (size_t i = 0; i < c->csos.n; i++) {
        sqlite3_stmt *cs = c->ins_cso;
        sqlite3_reset(cs);
        sqlite3_bind_int64(cs, 1, id);
        sqlite3_bind_text(cs, 2, c->csos.v[i].name.p,
                          (int)c->csos.v[i].name.len, SQLITE_STATIC);
        sqlite3_bind_int64(cs, 3, (sqlite3_int64)c->csos.v[i].n);
        if (sqlite3_step(cs) != SQLITE_DONE)
            return db_fail(c->db, "writing a reused contact", err, errlen);
    }
    c->written++;
    return TA_OK;
}

static ta_status reused_contacts(sqlite3 *db, const rules *rs,
                                 const char *period, unsigned long *count,
                                 char *err, size_t errlen)
{
    reuse_ctx c;
    memset(&c, 0, sizeof c);
    c.db = db;
    int min = rules_reused_min_customers(rs);
    c.min_customers = min > 1 ? (unsigned long)min : 1;
    sqlite3_stmt *sel = NULL;
    ta_status s = db_prepare(db,
                             "INSERT INTO signals(period, kind, "
                             "contact_kind, contact, customers, tickets) "
                             "VALUES (?1, 'reused_contact', ?2, ?3, ?4, ?5)",
                             &c.ins, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db,
                       "INSERT INTO temp.signals_csos(id, cso, n) "
                       "VALUES (?1, ?2, ?3)",
                       &c.ins_cso, err, errlen);
    for (int k = 0; k < 2 && s == TA_OK; k++) {
        c.kind = reuse_kind[k];
        c.tickets = c.customers = 0;
        c.csos.n = 0;
        s = db_prepare(db, reuse_sql[k], &sel, err, errlen);
        if (s == TA_OK)
            s = bind_period(db, sel, 1, period, err, errlen);
        int rc = SQLITE_DONE;
        while (s == TA_OK && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
            const void *per = sqlite3_column_text(sel, 0);
            size_t per_len = (size_t)sqlite3_column_bytes(sel, 0);
            const void *con = sqlite3_column_text(sel, 1);
            size_t con_len = (size_t)sqlite3_column_bytes(sel, 1);
            if (c.tickets == 0 || !str_eq(&c.contact, con, con_len) ||
                !str_eq(&c.period, per, per_len)) {
                s = reuse_flush(&c, err, errlen);
                if (s != TA_OK)
                    break;
                if (str_set(&c.period, per, per_len) != 0 ||
                    str_set(&c.contact, con, con_len) != 0) {
                    s = nomem(err, errlen);
                    break;
                }
                c.tickets = c.customers = 0;
                c.have_cust = 0;
                c.csos.n = 0;
            }
            c.tickets++;
            if (sqlite3_column_type(sel, 2) != SQLITE_NULL) {
                const void *cu = sqlite3_column_text(sel, 2);
                size_t cu_len = (size_t)sqlite3_column_bytes(sel, 2);
                if (!c.have_cust || !str_eq(&c.cust, cu, cu_len)) {
                    if (str_set(&c.cust, cu, cu_len) != 0) {
                        s = nomem(err, errlen);
                        break;
                    }
                    c.have_cust = 1;
                    c.customers++;
                }
            }
            const void *cso = sqlite3_column_text(sel, 3);
            if (reuse_count_cso(&c, cso ? cso : "",
                                (size_t)sqlite3_column_bytes(sel, 3)) != 0)
                s = nomem(err, errlen);
        }
        if (s == TA_OK && rc != SQLITE_DONE)
            s = db_fail(db, "finding reused contacts", err, errlen);
        if (s == TA_OK)
            s = reuse_flush(&c, err, errlen);
        sqlite3_finalize(sel);
        sel = NULL;
    }
    sqlite3_finalize(c.ins);
    sqlite3_finalize(c.ins_cso);
    free(c.period.p);
    free(c.contact.p);
    free(c.cust.p);
    csos_free(&c.csos);
    if (s == TA_OK)
        s = db_exec(db,
                    "UPDATE signals SET detail = (SELECT json_object('csos', "
                    "json_group_array(json_object('cso', cso, 'tickets', n)))"
                    " FROM (SELECT cso, n FROM temp.signals_csos c "
                    "WHERE c.id = signals.id ORDER BY n DESC, cso)) "
                    "WHERE id IN (SELECT id FROM temp.signals_csos)",
                    "writing the CSOs of reused contacts", err, errlen);
    *count = c.written;
    return s;
}

/* ---- exemption outliers ---------------------------------------------- */

#define IN_SCOPE "status IN ('compliant', 'exempt', 'violation')"
#define HAS_CODE(c) "sum(status = 'exempt' AND instr(codes, '" c "') > 0)"

static const char rates_sql
    [] = "SELECT period, cso, sum(" IN_SCOPE
         "), sum(status = 'exempt'), " HAS_CODE("EX_ANGRY") ", " HAS_CODE("EX_"
                                                                          "NOT"
                                                                          "_RE"
                                                                          "SPO"
                                                                          "NSI"
                                                                          "BL"
                                                                          "E") ", " HAS_CODE(
             "EX_NO_EMAIL") ", " HAS_CODE("EX_URGENT") " FROM tickets WHERE "
                                                       "(?1 IS NULL OR period "
                                                       "= ?1) AND cso <> '' "
                                                       "GROUP BY period, cso "
                                                       "ORDER BY period, cso";

/* Judges the eligible CSOs of one period (c holds them) and writes the
 * outliers. */
static ta_status outliers_of_period(sqlite3 *db, sqlite3_stmt *ins,
                                    const char *period, sig_csos *c,
                                    double factor, unsigned long *count,
                                    char *err, size_t errlen)
{
    if (c->n == 0)
        return TA_OK;
    double *v = malloc(c->n * sizeof *v);
    if (!v)
        return nomem(err, errlen);
    for (size_t i = 0; i < c->n; i++)
        v[i] = c->v[i].rate;
    double median = signals_median(v, c->n);
    for (size_t i = 0; i < c->n; i++)
        v[i] = fabs(c->v[i].rate - median);
    double mad = signals_median(v, c->n);
    free(v);
    double threshold = median + factor * signals_spread(mad);
    for (size_t i = 0; i < c->n; i++) {
        sig_cso *e = &c->v[i];
        if (!(e->rate > threshold))
            continue;
        char codes[256];
        size_t o = 0;
        codes[o++] = '{';
        for (int k = 0; k < EX_CODES; k++) {
            if (e->codes[k] == 0)
                continue;
            int w = snprintf(codes + o, sizeof codes - o, "%s\"%s\":%lu",
                             o > 1 ? "," : "", ex_codes[k], e->codes[k]);
            if (w > 0 && (size_t)w < sizeof codes - o)
                o += (size_t)w;
        }
        snprintf(codes + o, sizeof codes - o, "}");
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, period, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, e->name.p, (int)e->name.len, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, (sqlite3_int64)e->n);
        sqlite3_bind_double(ins, 4, e->rate);
        sqlite3_bind_double(ins, 5, median);
        sqlite3_bind_double(ins, 6, threshold);
        sqlite3_bind_text(ins, 7, codes, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 8, (sqlite3_int64)e->exempt);
        if (sqlite3_step(ins) != SQLITE_DONE)
            return db_fail(db, "writing an exemption outlier", err, errlen);
        (*count)++;
    }
    return TA_OK;
}

static ta_status exemption_outliers(sqlite3 *db, const rules *rs,
                                    const char *period, unsigned long *count,
                                    char *err, size_t errlen)
{
    int min = rules_outlier_min_tickets(rs);
    unsigned long min_tickets = min > 1 ? (unsigned long)min : 1;
    double factor = rules_outlier_mad_factor(rs);
    sig_csos c = {0};
    sig_str cur = {0};
    sqlite3_stmt *sel = NULL, *ins = NULL;
    ta_status s = db_prepare(
        db,
        "INSERT INTO signals(period, kind, cso, tickets, rate, team_rate, "
        "threshold, detail) VALUES (?1, 'exemption_outlier', ?2, ?3, ?4, ?5, "
        "?6, json_object('codes', json(?7), 'exempt', ?8))",
        &ins, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db, rates_sql, &sel, err, errlen);
    if (s == TA_OK)
        s = bind_period(db, sel, 1, period, err, errlen);
    int rc = SQLITE_DONE, started = 0;
    while (s == TA_OK && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
        const void *per = sqlite3_column_text(sel, 0);
        size_t per_len = (size_t)sqlite3_column_bytes(sel, 0);
        if (!started || !str_eq(&cur, per, per_len)) {
            if (started)
                s = outliers_of_period(db, ins, cur.p, &c, factor, count, err,
                                       errlen);
            if (s != TA_OK)
                break;
            if (str_set(&cur, per, per_len) != 0) {
                s = nomem(err, errlen);
                break;
            }
            started = 1;
            c.n = 0;
        }
        sqlite3_int64 in_scope = sqlite3_column_int64(sel, 2);
        if (in_scope < (sqlite3_int64)min_tickets)
            continue;
        sig_cso *e = csos_add(&c);
        const void *name = sqlite3_column_text(sel, 1);
        if (!e || str_set(&e->name, name ? name : "",
                          (size_t)sqlite3_column_bytes(sel, 1)) != 0) {
            s = nomem(err, errlen);
            break;
        }
        e->n = (unsigned long)in_scope;
        e->exempt = (unsigned long)sqlite3_column_int64(sel, 3);
        for (int k = 0; k < EX_CODES; k++)
            e->codes[k] = (unsigned long)sqlite3_column_int64(sel, 4 + k);
        e->rate = 100.0 * (double)e->exempt / (double)e->n;
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(db, "computing exemption rates", err, errlen);
    if (s == TA_OK && started)
        s = outliers_of_period(db, ins, cur.p, &c, factor, count, err, errlen);
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    csos_free(&c);
    free(cur.p);
    return s;
}

/* ---- cross-system mismatches ----------------------------------------- */

static const char mismatch_sql[] =
    "INSERT INTO signals(period, kind, cso, apkt_ticket, crm_ticket, "
    "apkt_email, crm_email, apkt_hp, crm_hp, detail) "
    "SELECT a.period, 'cross_system_mismatch', a.cso, a.ticket_id, "
    "c.ticket_id, a.email_norm, c.email_norm, a.hp_norm, c.hp_norm, "
    "json_object('crm_cso', c.cso, 'fields', json(CASE "
    "WHEN a.email_norm <> c.email_norm AND a.hp_norm <> c.hp_norm "
    "THEN '[\"email\",\"hp\"]' "
    "WHEN a.email_norm <> c.email_norm THEN '[\"email\"]' "
    "ELSE '[\"hp\"]' END)) "
    "FROM tickets a JOIN tickets c "
    "ON c.source = 'crm' AND c.ticket_id = a.crm_ticket "
    "WHERE a.source = 'apkt' AND (?1 IS NULL OR a.period = ?1) "
    "AND (a.email_norm <> c.email_norm OR a.hp_norm <> c.hp_norm) "
    "ORDER BY a.period, a.ticket_id";

static ta_status mismatches(sqlite3 *db, const char *period,
                            unsigned long *count, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db, mismatch_sql, &st, err, errlen);
    if (s == TA_OK)
        s = bind_period(db, st, 1, period, err, errlen);
    if (s == TA_OK) {
        if (sqlite3_step(st) != SQLITE_DONE)
            s = db_fail(db, "finding cross-system mismatches", err, errlen);
        else
            *count = (unsigned long)sqlite3_changes(db);
    }
    sqlite3_finalize(st);
    return s;
}

/* ---- the whole ---------------------------------------------------------- */

/* The signals are a function of the tickets and the rules' parameters:
 * when no import or audit ran since they were computed for this scope (or
 * for all periods) with the same rules, they still hold, and `report` or
 * a repeated `run` need not sort a million tickets again. */
static const char fresh_sql[] =
    "SELECT EXISTS (SELECT 1 FROM signals_state WHERE scope IN "
    "(coalesce(?1, ''), '') AND rules = ?2 AND audit_id = "
    "(SELECT coalesce(max(id), 0) FROM audits))";
static const char mark_sql[] =
    "INSERT OR REPLACE INTO signals_state(scope, rules, audit_id) VALUES "
    "(coalesce(?1, ''), ?2, (SELECT coalesce(max(id), 0) FROM audits))";

/* Runs fresh_sql (want_row) or mark_sql. */
static ta_status state_step(sqlite3 *db, const char *sql, const rules *rs,
                            const char *period, int *fresh, char *err,
                            size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db, sql, &st, err, errlen);
    if (s != TA_OK)
        return s;
    if (period)
        sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rules_fingerprint(rs), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (fresh)
        *fresh = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != (fresh ? SQLITE_ROW : SQLITE_DONE))
        return db_fail(db, "checking the signals", err, errlen);
    return TA_OK;
}

/* Counts the stored signals of the scope, for a caller that skipped the
 * computation. */
static ta_status count_stored(sqlite3 *db, const char *period,
                              signals_counts *n, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(
        db,
        "SELECT sum(kind = 'reused_contact'), sum(kind = "
        "'exemption_outlier'), sum(kind = 'cross_system_mismatch') FROM "
        "signals WHERE ?1 IS NULL OR period = ?1",
        &st, err, errlen);
    if (s != TA_OK)
        return s;
    if (period)
        sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        n->reused_contacts = (unsigned long)sqlite3_column_int64(st, 0);
        n->exemption_outliers = (unsigned long)sqlite3_column_int64(st, 1);
        n->cross_system_mismatches =
            (unsigned long)sqlite3_column_int64(st, 2);
    } else {
        s = db_fail(db, "counting the signals", err, errlen);
    }
    sqlite3_finalize(st);
    return s;
}

ta_status signals_compute(sqlite3 *db, const rules *rs, const char *period,
                          signals_counts *out, char *err, size_t errlen)
{
    signals_counts n = {0, 0, 0};
    if (out)
        *out = n;
    int fresh = 0;
    ta_status s0 = state_step(db, fresh_sql, rs, period, &fresh, err, errlen);
    if (s0 != TA_OK)
        return s0;
    if (fresh) {
        s0 = count_stored(db, period, &n, err, errlen);
        if (s0 == TA_OK && out)
            *out = n;
        return s0;
    }
    ta_status s =
        db_exec(db, "SAVEPOINT signals", "computing the signals", err, errlen);
    if (s != TA_OK)
        return s;
    s = db_exec(db,
                "CREATE TEMP TABLE IF NOT EXISTS signals_csos("
                "id INTEGER, cso TEXT, n INTEGER);"
                "DELETE FROM temp.signals_csos",
                "computing the signals", err, errlen);
    sqlite3_stmt *del = NULL;
    if (s == TA_OK)
        s = db_prepare(db,
                       "DELETE FROM signals WHERE ?1 IS NULL OR "
                       "period = ?1",
                       &del, err, errlen);
    if (s == TA_OK)
        s = bind_period(db, del, 1, period, err, errlen);
    if (s == TA_OK && sqlite3_step(del) != SQLITE_DONE)
        s = db_fail(db, "clearing the signals", err, errlen);
    sqlite3_finalize(del);
    if (s == TA_OK)
        s = reused_contacts(db, rs, period, &n.reused_contacts, err, errlen);
    if (s == TA_OK)
        s = exemption_outliers(db, rs, period, &n.exemption_outliers, err,
                               errlen);
    if (s == TA_OK)
        s = mismatches(db, period, &n.cross_system_mismatches, err, errlen);
    if (s == TA_OK)
        s = db_exec(db, "DROP TABLE temp.signals_csos",
                    "computing the signals", err, errlen);
    if (s == TA_OK)
        s = state_step(db, mark_sql, rs, period, NULL, err, errlen);
    if (s == TA_OK)
        s = db_exec(db, "RELEASE signals", "computing the signals", err,
                    errlen);
    if (s != TA_OK) {
        sqlite3_exec(db, "ROLLBACK TO signals; RELEASE signals", NULL, NULL,
                     NULL);
        return s;
    }
    if (out)
        *out = n;
    return TA_OK;
}
