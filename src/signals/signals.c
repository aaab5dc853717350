/*
 * signals.c — the three signals of SPEC §4 "Beyond the memo", written from
 * what a feed gathered into `signals` (see signals.h, docs/signals.md).
 *
 * The feed (signals_feed.c) has turned every ticket of the scope into
 * sorted records and per-CSO counts, on a worker thread beside the loop
 * that read the tickets (the audit's own, or feed_from_table here). This
 * file writes, while a merging thread (signals_merge.c) reads the sorts:
 *
 * - cross-system mismatches: (CRM ticket, APKT report) pairs whose
 *   contacts may differ, inserted as the merging thread finds them; for
 *   one period, one SQL join instead (the CRM ticket may be of another);
 * - exemption outliers: from the feed's counts per (period, CSO), or one
 *   SQL GROUP BY when there were too many CSO-months to count (hostile);
 * - reused contacts: the contacts whose customer hashes reached the
 *   minimum, checked string for string, with their CSOs.
 *
 * Every string written is compared with its group's: a hash collision
 * can hide a signal, never invent one. Nothing here changes a ticket,
 * prints or exits.
 */
#include "signals.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "interrupt.h"
#include "signals_internal.h"

/* Tells the feed's progress callback that a phase starts. */
static void phase(const signals_feed *f, const char *what)
{
    if (f->progress)
        f->progress(f->progress_ctx, what);
}

/* SIGINT / SIGTERM between two records of a loop that may run long
 * without a statement (the progress handler stops those). */
static ta_status interrupted(char *err, size_t errlen)
{
    snprintf(err, errlen,
             "computing the signals: interrupted; nothing "
             "of them was stored");
    return TA_E_INTERRUPTED;
}

/* The bytes of b equal data[0..len). */
static int str_eq(const ta_buf *b, const void *data, size_t len)
{
    return b->len == len && (len == 0 || memcmp(b->p, data, len) == 0);
}

/* One CSO of a contact group, or one CSO of a period (outliers). */
typedef struct sig_cso {
    ta_buf name;
    unsigned long n;      /* tickets (group) / in scope (period) */
    unsigned long exempt; /* outliers only */
    unsigned long codes[FEED_EX_CODES];
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
        buf_free(&c->v[i].name);
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

/* A record's fields, pointing into its payload, or into own[] when they
 * were read back from `tickets` (get: the rowid as ?1, kind as ?2). */
typedef struct fields {
    signals_text f[FEED_MAX_FIELDS];
    ta_buf own[FEED_MAX_FIELDS];
    long long rowid;
} fields;

static void fields_free(fields *x)
{
    for (int i = 0; i < FEED_MAX_FIELDS; i++)
        buf_free(&x->own[i]);
}

/* 1 with x filled, 0 when the ticket is gone (by reference only), -1 on a
 * database error or a malformed record, -2 out of memory. */
static int unpack(const extsort_rec *r, int nfields, sqlite3_stmt *get,
                  int kind, fields *x)
{
    int rc = feed_unpack(r, nfields, &x->rowid, x->f);
    if (rc != 0)
        return rc;
    sqlite3_reset(get);
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_int64(get, 1, x->rowid));
    db_bound(&bound, sqlite3_bind_int(get, 2, kind));
    rc = bound == SQLITE_OK ? sqlite3_step(get) : bound;
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return -1;
    for (int i = 0; i < nfields; i++) {
        const void *t = sqlite3_column_text(get, i);
        if (buf_set(&x->own[i], t ? t : "",
                    (size_t)sqlite3_column_bytes(get, i)) != 0)
            return -2;
        x->f[i].p = x->own[i].p;
        x->f[i].n = x->own[i].len;
    }
    return 1;
}

/* An external sort failed: its temporary file, or memory. */
static ta_status sort_error(char *err, size_t errlen)
{
    return feed_fail(errno, err, errlen);
}

static int same(signals_text a, signals_text b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* ---- reused contacts ------------------------------------------------- */

static const char *const reuse_kind[2] = {"hp", "email"};

typedef struct reuse_ctx {
    sqlite3 *db;
    sqlite3_stmt *ins, *ins_cso, *get;
    const char *kind;
    unsigned long min_customers;
    ta_buf period, contact;
    unsigned long tickets, customers;
    sig_csos csos;
    unsigned long written;
    uint64_t last_cust;
} reuse_ctx;

static int reuse_count_cso(reuse_ctx *c, const void *cso, size_t len)
{
    for (size_t i = 0; i < c->csos.n; i++)
        if (str_eq(&c->csos.v[i].name, cso, len)) {
            c->csos.v[i].n++;
            return 0;
        }
    sig_cso *e = csos_add(&c->csos);
    if (!e || buf_set(&e->name, cso, len) != 0)
        return -1;
    e->n = 1;
    return 0;
}

/* Writes the group just checked when it reaches the minimum. */
static ta_status reuse_flush(reuse_ctx *c, char *err, size_t errlen)
{
    if (c->tickets == 0 || c->customers < c->min_customers)
        return TA_OK;
    sqlite3_stmt *st = c->ins;
    sqlite3_reset(st);
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_text(st, 1, c->period.p, (int)c->period.len,
                                       SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 2, c->kind, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 3, c->contact.p,
                                       (int)c->contact.len, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_int64(st, 4, (sqlite3_int64)c->customers));
    db_bound(&bound, sqlite3_bind_int64(st, 5, (sqlite3_int64)c->tickets));
    if (bound != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
        return db_fail(c->db, "writing a reused contact", err, errlen);
    sqlite3_int64 id = sqlite3_last_insert_rowid(c->db);
    for (size_t i = 0; i < c->csos.n; i++) {
        sqlite3_stmt *cs = c->ins_cso;
        sqlite3_reset(cs);
        db_bound(&bound, sqlite3_bind_int64(cs, 1, id));
        db_bound(&bound,
                 sqlite3_bind_text(cs, 2, c->csos.v[i].name.p,
                                   (int)c->csos.v[i].name.len, SQLITE_STATIC));
        db_bound(&bound,
                 sqlite3_bind_int64(cs, 3, (sqlite3_int64)c->csos.v[i].n));
        if (bound != SQLITE_OK || sqlite3_step(cs) != SQLITE_DONE)
            return db_fail(c->db, "writing a reused contact", err, errlen);
    }
    c->written++;
    return TA_OK;
}

/* One record of the current group. The first sets the group's period and
 * contact; a record whose strings differ shares only the hash (a
 * collision) and is left out, so a collision can hide a signal but never
 * invent one. Records come in customer-hash order, so distinct customers
 * are changes of the hash. */
static ta_status reuse_take(reuse_ctx *c, const extsort_rec *r, fields *x,
                            char *err, size_t errlen)
{
    int rc = unpack(r, REUSE_FIELDS, c->get, (int)(r->k1 & 1), x);
    if (rc == 0)
        return TA_OK;
    if (rc == -2)
        return nomem(err, errlen);
    if (rc < 0)
        return db_fail(c->db, "reading a reused contact", err, errlen);
    signals_text per = x->f[0], con = x->f[1], cso = x->f[2];
    if (c->tickets == 0) {
        if (buf_set(&c->period, per.p, per.n) != 0 ||
            buf_set(&c->contact, con.p, con.n) != 0)
            return nomem(err, errlen);
    } else if (!str_eq(&c->period, per.p, per.n) ||
               !str_eq(&c->contact, con.p, con.n)) {
        return TA_OK;
    }
    c->tickets++;
    if (r->k2 != 0 && r->k2 != c->last_cust) {
        c->customers++;
        c->last_cust = r->k2;
    }
    if (reuse_count_cso(c, cso.p ? cso.p : "", cso.n) != 0)
        return nomem(err, errlen);
    return TA_OK;
}

/* Writes the contacts the grouping thread kept, a contact at a time. */
static ta_status reused_contacts(signals_feed *f, sig_merge *m, sqlite3 *db,
                                 unsigned long *count, char *err,
                                 size_t errlen)
{
    reuse_ctx c;
    memset(&c, 0, sizeof c);
    c.db = db;
    int min = rules_reused_min_customers(f->rs);
    c.min_customers = min > 1 ? (unsigned long)min : 1;
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
    if (s == TA_OK)
        s = db_prepare(db,
                       "SELECT period, CASE ?2 WHEN 0 THEN hp_norm ELSE "
                       "email_norm END, cso FROM tickets WHERE rowid = ?1",
                       &c.get, err, errlen);
    fields x;
    memset(&x, 0, sizeof x);
    extsort_rec r;
    uint64_t key = 0;
    int rc = 0, any = 0;
    while (s == TA_OK && (rc = merge_next_reused(m, &r)) == 1) {
        if (interrupt_pending()) {
            s = interrupted(err, errlen);
            break;
        }
        if (!any || r.k1 != key) {
            s = reuse_flush(&c, err, errlen);
            key = r.k1;
            c.kind = reuse_kind[key & 1];
            c.tickets = c.customers = 0;
            c.last_cust = 0;
            c.csos.n = 0;
            any = 1;
        }
        if (s == TA_OK)
            s = reuse_take(&c, &r, &x, err, errlen);
    }
    if (s == TA_OK && rc < 0)
        s = sort_error(err, errlen);
    if (s == TA_OK)
        s = reuse_flush(&c, err, errlen);
    sqlite3_finalize(c.ins);
    sqlite3_finalize(c.ins_cso);
    sqlite3_finalize(c.get);
    buf_free(&c.period);
    buf_free(&c.contact);
    fields_free(&x);
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

/* clang-format off */
static const char rates_sql[] =
    "SELECT period, cso, sum(" IN_SCOPE "), sum(status = 'exempt'), "
    HAS_CODE("EX_ANGRY") ", " HAS_CODE("EX_NOT_RESPONSIBLE") ", "
    HAS_CODE("EX_NO_EMAIL") ", " HAS_CODE("EX_URGENT") " "
    "FROM tickets WHERE (?1 IS NULL OR period = ?1) AND cso <> '' "
    "GROUP BY period, cso ORDER BY period, cso";
/* clang-format on */

static const char outlier_ins_sql[] =
    "INSERT INTO signals(period, kind, cso, tickets, rate, team_rate, "
    "threshold, detail) VALUES (?1, 'exemption_outlier', ?2, ?3, ?4, ?5, "
    "?6, json_object('codes', json(?7), 'exempt', ?8))";

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
        for (int k = 0; k < FEED_EX_CODES; k++) {
            if (e->codes[k] == 0)
                continue;
            int w = snprintf(codes + o, sizeof codes - o, "%s\"%s\":%lu",
                             o > 1 ? "," : "", feed_ex_codes[k], e->codes[k]);
            if (w > 0 && (size_t)w < sizeof codes - o)
                o += (size_t)w;
        }
        snprintf(codes + o, sizeof codes - o, "}");
        sqlite3_reset(ins);
        int bound = SQLITE_OK;
        db_bound(&bound, sqlite3_bind_text(ins, 1, period, -1, SQLITE_STATIC));
        db_bound(&bound, sqlite3_bind_text(ins, 2, e->name.p, (int)e->name.len,
                                           SQLITE_STATIC));
        db_bound(&bound, sqlite3_bind_int64(ins, 3, (sqlite3_int64)e->n));
        db_bound(&bound, sqlite3_bind_double(ins, 4, e->rate));
        db_bound(&bound, sqlite3_bind_double(ins, 5, median));
        db_bound(&bound, sqlite3_bind_double(ins, 6, threshold));
        db_bound(&bound,
                 sqlite3_bind_text(ins, 7, codes, -1, SQLITE_TRANSIENT));
        db_bound(&bound, sqlite3_bind_int64(ins, 8, (sqlite3_int64)e->exempt));
        if (bound != SQLITE_OK || sqlite3_step(ins) != SQLITE_DONE)
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
    ta_buf cur;
    buf_init(&cur, 0);
    sqlite3_stmt *sel = NULL, *ins = NULL;
    ta_status s = db_prepare(db, outlier_ins_sql, &ins, err, errlen);
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
            if (buf_set(&cur, per, per_len) != 0) {
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
        if (!e || buf_set(&e->name, name ? name : "",
                          (size_t)sqlite3_column_bytes(sel, 1)) != 0) {
            s = nomem(err, errlen);
            break;
        }
        e->n = (unsigned long)in_scope;
        e->exempt = (unsigned long)sqlite3_column_int64(sel, 3);
        for (int k = 0; k < FEED_EX_CODES; k++)
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
    buf_free(&cur);
    return s;
}

/* The outliers from the feed's counts: the eligible CSO-months in period
 * order, judged a period at a time. */
static ta_status outliers_from_feed(signals_feed *f, sqlite3 *db,
                                    unsigned long *count, char *err,
                                    size_t errlen)
{
    int min = rules_outlier_min_tickets(f->rs);
    unsigned long min_tickets = min > 1 ? (unsigned long)min : 1;
    double factor = rules_outlier_mad_factor(f->rs);
    size_t n;
    feed_month **v = feed_months(f, min_tickets, &n);
    if (!v)
        return n ? nomem(err, errlen) : TA_OK;
    sig_csos c = {0};
    sqlite3_stmt *ins = NULL;
    ta_status s = db_prepare(db, outlier_ins_sql, &ins, err, errlen);
    for (size_t i = 0; i < n && s == TA_OK;) {
        size_t j = i;
        c.n = 0;
        for (; j < n && strcmp(v[j]->period, v[i]->period) == 0; j++) {
            sig_cso *e = csos_add(&c);
            if (!e || buf_set(&e->name, v[j]->cso, v[j]->cso_len) != 0) {
                s = nomem(err, errlen);
                break;
            }
            e->n = v[j]->in_scope;
            e->exempt = v[j]->exempt;
            memcpy(e->codes, v[j]->codes, sizeof e->codes);
            e->rate = 100.0 * (double)e->exempt / (double)e->n;
        }
        if (s == TA_OK)
            s = outliers_of_period(db, ins, v[i]->period, &c, factor, count,
                                   err, errlen);
        i = j;
    }
    sqlite3_finalize(ins);
    csos_free(&c);
    free(v);
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

static const char mismatch_ins_sql[] =
    "INSERT INTO signals(period, kind, cso, apkt_ticket, crm_ticket, "
    "apkt_email, crm_email, apkt_hp, crm_hp, detail) VALUES (?1, "
    "'cross_system_mismatch', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

static int bind_text(sqlite3_stmt *st, int i, signals_text t)
{
    return sqlite3_bind_text(st, i, t.p ? t.p : "", (int)t.n, SQLITE_STATIC);
}

/* Appends t to j as a JSON string, escaped as SQLite's json_object
 * escapes text (quote, backslash and control characters; other bytes as
 * they are), so that a mismatch written from the feed carries the same
 * detail as one written by the SQL join of a single period. Each
 * mismatch is still one INSERT; only this value is built here. */
static int json_string(ta_buf *j, signals_text t)
{
    static const char hex[] = "0123456789abcdef";
    if (t.n > ((size_t)-1 - 2) / 6 || buf_reserve(j, 6 * t.n + 2) != 0)
        return -1;
    char *o = j->p + j->len;
    *o++ = '"';
    for (size_t i = 0; i < t.n; i++) {
        unsigned char ch = (unsigned char)t.p[i];
        if (ch == '"' || ch == '\\') {
            *o++ = '\\';
            *o++ = (char)ch;
        } else if (ch < 0x20) {
            static const char short_esc[] = "btn\0fr";
            if (ch >= 8 && ch <= 13 && ch != 11) {
                *o++ = '\\';
                *o++ = short_esc[ch - 8];
            } else {
                memcpy(o, "\\u00", 4);
                o[4] = hex[ch >> 4];
                o[5] = hex[ch & 15];
                o += 6;
            }
        } else {
            *o++ = (char)ch;
        }
    }
    *o++ = '"';
    *o = '\0';
    j->len = (size_t)(o - j->p);
    return 0;
}

typedef struct cross_ctx {
    sqlite3 *db;
    sqlite3_stmt *ins, *get;
    fields crm, apkt;
    ta_buf detail;
    unsigned long written;
} cross_ctx;

/* A pair from the pairing thread: a mismatch when the report names this
 * CRM ticket and their contacts differ (compared as stored, normalized). */
static ta_status cross_check(cross_ctx *c, const extsort_rec *kr,
                             const extsort_rec *ar, char *err, size_t errlen)
{
    int rk = unpack(kr, CROSS_FIELDS, c->get, 0, &c->crm);
    int ra = rk == 1 ? unpack(ar, CROSS_FIELDS, c->get, 0, &c->apkt) : rk;
    if (ra == -2)
        return nomem(err, errlen);
    if (ra < 0)
        return db_fail(c->db, "reading a cross-system pair", err, errlen);
    if (ra == 0)
        return TA_OK;
    const fields *k = &c->crm, *a = &c->apkt;
    if (!same(a->f[X_CRM_TICKET], k->f[X_TICKET]))
        return TA_OK;
    int email = !same(a->f[X_EMAIL], k->f[X_EMAIL]);
    int hp = !same(a->f[X_HP], k->f[X_HP]);
    if (!email && !hp)
        return TA_OK;
    if (buf_set(&c->detail, "{\"crm_cso\":", 11) != 0 ||
        json_string(&c->detail, k->f[X_CSO]) != 0)
        return nomem(err, errlen);
    signals_text tail;
    tail.p = email && hp ? ",\"fields\":[\"email\",\"hp\"]}"
             : email     ? ",\"fields\":[\"email\"]}"
                         : ",\"fields\":[\"hp\"]}";
    tail.n = strlen(tail.p);
    if (buf_add(&c->detail, tail.p, tail.n) != 0)
        return nomem(err, errlen);
    sqlite3_stmt *st = c->ins;
    sqlite3_reset(st);
    int bound = SQLITE_OK;
    db_bound(&bound, bind_text(st, 1, a->f[X_PERIOD]));
    db_bound(&bound, bind_text(st, 2, a->f[X_CSO]));
    db_bound(&bound, bind_text(st, 3, a->f[X_TICKET]));
    db_bound(&bound, bind_text(st, 4, k->f[X_TICKET]));
    db_bound(&bound, bind_text(st, 5, a->f[X_EMAIL]));
    db_bound(&bound, bind_text(st, 6, k->f[X_EMAIL]));
    db_bound(&bound, bind_text(st, 7, a->f[X_HP]));
    db_bound(&bound, bind_text(st, 8, k->f[X_HP]));
    db_bound(&bound, sqlite3_bind_text(st, 9, c->detail.p, (int)c->detail.len,
                                       SQLITE_STATIC));
    if (bound != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
        return db_fail(c->db, "writing a cross-system mismatch", err, errlen);
    c->written++;
    return TA_OK;
}

/* Writes the pairs the pairing thread found, as it finds them. */
static ta_status mismatches_from_feed(sig_merge *m, sqlite3 *db,
                                      unsigned long *count, char *err,
                                      size_t errlen)
{
    cross_ctx c;
    memset(&c, 0, sizeof c);
    c.db = db;
    ta_status s = db_prepare(db, mismatch_ins_sql, &c.ins, err, errlen);
    if (s == TA_OK)
        s = db_prepare(db,
                       "SELECT period, ticket_id, crm_ticket, cso, "
                       "email_norm, hp_norm FROM tickets WHERE rowid = ?1 "
                       "AND ?2 = ?2", /* ?2: the kind, unused here */
                       &c.get, err, errlen);
    extsort_rec k, a;
    int rc = 0;
    while (s == TA_OK && (rc = merge_next_pair(m, &k, &a)) == 1)
        s = interrupt_pending() ? interrupted(err, errlen)
                                : cross_check(&c, &k, &a, err, errlen);
    if (s == TA_OK && rc < 0)
        s = sort_error(err, errlen);
    sqlite3_finalize(c.ins);
    sqlite3_finalize(c.get);
    fields_free(&c.crm);
    fields_free(&c.apkt);
    buf_free(&c.detail);
    *count = c.written;
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
    int bound = SQLITE_OK;
    if (period)
        db_bound(&bound, sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(st, 2, rules_fingerprint(rs), -1,
                                       SQLITE_TRANSIENT));
    int rc = bound == SQLITE_OK ? sqlite3_step(st) : bound;
    if (fresh)
        *fresh = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    if (rc != (fresh ? SQLITE_ROW : SQLITE_DONE)) /* before finalize */
        s = db_fail(db, "checking the signals", err, errlen);
    sqlite3_finalize(st);
    return s;
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
    int bound = SQLITE_OK;
    if (period)
        db_bound(&bound, sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC));
    if (bound == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
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

ta_status signals_feed_finish(signals_feed *f, char *err, size_t errlen)
{
    if (f->merge)
        return TA_OK;
    if (f->finished) { /* ended, and the merge failed or was written */
        snprintf(err, errlen,
                 "computing the signals: the feed was already written");
        return TA_E_IO;
    }
    f->finished = 1;
    ta_status s = feed_end(f, err, errlen);
    if (s != TA_OK)
        return s;
    /* the merging threads read the sorts while the caller goes on */
    int min = rules_reused_min_customers(f->rs);
    f->merge = merge_start(f->reuse, f->cross,
                           min > 1 ? (unsigned long)min : 1, f->dead,
                           f->nremoved);
    return f->merge ? TA_OK : sort_error(err, errlen);
}

ta_status signals_feed_write(signals_feed *f, sqlite3 *db, signals_counts *out,
                             char *err, size_t errlen)
{
    signals_counts n = {0, 0, 0};
    if (out)
        *out = n;
    const char *period = f->period;
    if (!f->merge)
        phase(f, "sorting");
    ta_status s = signals_feed_finish(f, err, errlen);
    if (s == TA_OK && interrupt_pending())
        s = interrupted(err, errlen);
    if (s != TA_OK)
        return s;
    sig_merge *m = f->merge;
    f->merge = NULL; /* this call's now: freed below whatever happens */
    s = db_exec(db, "SAVEPOINT signals", "computing the signals", err, errlen);
    if (s != TA_OK) {
        merge_free(m);
        return s;
    }
    s = db_exec(db,
                "CREATE TEMP TABLE IF NOT EXISTS signals_csos("
                "id INTEGER, cso TEXT, n INTEGER, PRIMARY KEY (id, cso)) "
                "WITHOUT ROWID;"
                "DELETE FROM temp.signals_csos",
                "computing the signals", err, errlen);
    /* Every period: without a WHERE, SQLite drops the pages instead of
     * deleting row by row, and the index is built once at the end rather
     * than kept up to date through a hundred thousand inserts. Debian's
     * SQLite zeroes every freed page (SECURE_DELETE); the old signals
     * only repeat contacts `tickets` holds anyway, so FAST (zero within
     * pages, not whole free pages) is enough and ten times quicker. */
    sqlite3_stmt *del = NULL;
    if (s == TA_OK && !period)
        s = db_exec(db,
                    "PRAGMA secure_delete = FAST; "
                    "DROP INDEX IF EXISTS signals_period; "
                    "DELETE FROM signals; "
                    "PRAGMA secure_delete = ON",
                    "clearing the signals", err, errlen);
    if (s == TA_OK && period)
        s = db_prepare(db, "DELETE FROM signals WHERE period = ?1", &del, err,
                       errlen);
    if (s == TA_OK && period)
        s = bind_period(db, del, 1, period, err, errlen);
    if (s == TA_OK && period && sqlite3_step(del) != SQLITE_DONE)
        s = db_fail(db, "clearing the signals", err, errlen);
    sqlite3_finalize(del);
    /* The mismatches first: they come as the merging thread pairs them.
     * Then what needs no thread (the index, the outliers) while it
     * groups the contacts, and the reused contacts last. */
    if (s == TA_OK)
        phase(f, "cross-system mismatches");
    if (s == TA_OK)
        s = f->cross ? mismatches_from_feed(m, db, &n.cross_system_mismatches,
                                            err, errlen)
                     : mismatches(db, period, &n.cross_system_mismatches, err,
                                  errlen);
    if (s == TA_OK && !period)
        s = db_exec(db, DB_SIGNALS_INDEX, "indexing the signals", err, errlen);
    if (s == TA_OK)
        phase(f, "exemption outliers");
    if (s == TA_OK)
        s = f->months_full
                ? exemption_outliers(db, f->rs, period, &n.exemption_outliers,
                                     err, errlen)
                : outliers_from_feed(f, db, &n.exemption_outliers, err,
                                     errlen);
    if (s == TA_OK)
        phase(f, "reused contacts");
    if (s == TA_OK)
        s = reused_contacts(f, m, db, &n.reused_contacts, err, errlen);
    merge_free(m);
    if (s == TA_OK)
        s = db_exec(db, "DROP TABLE temp.signals_csos",
                    "computing the signals", err, errlen);
    if (s == TA_OK)
        s = state_step(db, mark_sql, f->rs, period, NULL, err, errlen);
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

/* What a feed needs of each ticket, when no audit is reading them. */
static const char scan_sql[] =
    "SELECT rowid, source, period, cso, idpel, name, ticket_id, crm_ticket, "
    "hp_norm, email_norm, hp_state = 'HP_PLACEHOLDER', "
    "email_state = 'EMAIL_PLACEHOLDER', "
    "status IN ('compliant', 'exempt', 'violation'), status = 'exempt', "
    "codes FROM tickets WHERE ?1 IS NULL OR period = ?1";

static signals_text col_text(sqlite3_stmt *st, int i)
{
    signals_text t;
    t.p = (const char *)sqlite3_column_text(st, i);
    t.n = (size_t)sqlite3_column_bytes(st, i);
    return t;
}

static ta_status feed_from_table(signals_feed *f, sqlite3 *db,
                                 const char *period, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db, scan_sql, &st, err, errlen);
    if (s == TA_OK)
        s = bind_period(db, st, 1, period, err, errlen);
    int rc = SQLITE_DONE;
    signals_row r;
    while (s == TA_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        r.rowid = sqlite3_column_int64(st, 0);
        r.source = ta_source_parse((const char *)sqlite3_column_text(st, 1));
        r.period = col_text(st, 2);
        r.cso = col_text(st, 3);
        r.idpel = col_text(st, 4);
        r.name = col_text(st, 5);
        r.ticket_id = col_text(st, 6);
        r.crm_ticket = col_text(st, 7);
        r.hp_norm = col_text(st, 8);
        r.email_norm = col_text(st, 9);
        r.hp_placeholder = sqlite3_column_int(st, 10);
        r.email_placeholder = sqlite3_column_int(st, 11);
        r.in_scope = sqlite3_column_int(st, 12);
        r.exempt = sqlite3_column_int(st, 13);
        r.codes = (const char *)sqlite3_column_text(st, 14);
        s = signals_feed_add(f, &r, err, errlen);
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(db, "reading the tickets for the signals", err, errlen);
    sqlite3_finalize(st);
    return s;
}

ta_status signals_feed_compute(signals_feed *f, sqlite3 *db,
                               signals_counts *out, char *err, size_t errlen)
{
    signals_counts n = {0, 0, 0};
    if (out)
        *out = n;
    int fresh = 0;
    ta_status s =
        state_step(db, fresh_sql, f->rs, f->period, &fresh, err, errlen);
    if (s != TA_OK)
        return s;
    if (fresh) {
        s = count_stored(db, f->period, &n, err, errlen);
        if (s == TA_OK && out)
            *out = n;
        return s;
    }
    phase(f, "reading the tickets");
    s = feed_from_table(f, db, f->period, err, errlen);
    if (s == TA_OK)
        s = signals_feed_write(f, db, out, err, errlen);
    return s;
}

ta_status signals_compute(sqlite3 *db, const rules *rs, const char *period,
                          signals_counts *out, char *err, size_t errlen)
{
    if (out)
        *out = (signals_counts){0, 0, 0};
    signals_feed *f = signals_feed_new(rs, period);
    if (!f)
        return nomem(err, errlen);
    ta_status s = signals_feed_compute(f, db, out, err, errlen);
    signals_feed_free(f);
    return s;
}
