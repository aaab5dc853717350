/*
 * report_stats.c — the aggregate figures of a report: the periods covered,
 * the codes that occur, per CSO the tickets per status and per code and
 * the compliance, and the history (compliance of every period of the
 * database, and per CSO in the last and the previous period); the imports
 * that hold the periods' tickets; per CSO the compliance after review and
 * the counts of decisions (reviewed_results), and the signals naming it.
 *
 * One scan of the whole tickets table, counted per CSO, period, status,
 * code set and import in a hash table (groups_scan below; the grouped
 * query when there are too many groups). Memory grows with the number
 * of CSOs, periods, code sets and imports, never with the number of
 * tickets; the table is scanned once (at 1M tickets each scan costs
 * ~0.3 s, and this used to take four). The decisions are read from the
 * reviews (one probe of tickets per decision, not a scan) and the signals
 * from their table, both grouped by CSO.
 */
#include "report_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "interrupt.h"
#include "summary.h"
#include "tally.h"

static const char grouped_sql[] =
    "SELECT cso, period, status, codes, count(*), max(audit_id), import_id"
    " FROM tickets GROUP BY cso, period, status, codes, import_id"
    " ORDER BY cso, period, status, codes, import_id";

/* The decided tickets of the periods, by CSO and what review made of
 * them (reviewed_results: the one rule of final_status and stale). The
 * CROSS JOIN makes SQLite read the (few) reviews and find each ticket
 * through the UNIQUE (source, ticket_id) index, instead of scanning every
 * ticket for its review. */
static const char reviews_sql[] =
    "SELECT v.cso, v.status, v.final_status, v.decision, v.stale, count(*)"
    " FROM reviews r CROSS JOIN reviewed_results v ON v.source = r.source"
    " AND v.ticket_id = r.ticket_id WHERE v.period BETWEEN ?1 AND ?2"
    " GROUP BY 1, 2, 3, 4, 5";

/* The signals of the periods by kind and CSO: an outlier's CSO, a
 * mismatch's APKT CSO, and every CSO who entered a reused contact. */
static const char signals_sql[] =
    "SELECT kind, coalesce(cso, ''), count(*) FROM signals"
    " WHERE period BETWEEN ?1 AND ?2 AND json_valid(detail)"
    " AND kind IN ('exemption_outlier', 'cross_system_mismatch')"
    " GROUP BY 1, 2"
    " UNION ALL SELECT 'reused_contact',"
    " coalesce(json_extract(j.value, '$.cso'), ''), count(DISTINCT s.id)"
    " FROM signals s, json_each(CASE WHEN json_valid(s.detail)"
    " THEN s.detail ELSE '{}' END, '$.csos') j"
    " WHERE s.kind = 'reused_contact' AND s.period BETWEEN ?1 AND ?2"
    " GROUP BY 2"
    " UNION ALL SELECT '#' || kind, NULL, count(*) FROM signals"
    " WHERE period BETWEEN ?1 AND ?2 AND json_valid(detail) GROUP BY kind";

static void cso_clear(rpt_cso *c)
{
    free(c->name);
    free(c->codes);
    free(c->per);
}

void rpt_stats_free(rpt_stats *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->ncodes; i++)
        free(st->codes[i]);
    free(st->codes);
    for (size_t i = 0; i < st->ncso; i++)
        cso_clear(&st->cso[i]);
    free(st->cso);
    free(st->all.codes);
    free(st->months);
    free(st->imports_json);
    free(st);
}

static int status_index(const char *s)
{
    static const char *const names[RPT_NSTATUS] = {
        "compliant", "exempt", "violation", "out_of_scope"};
    for (int i = 0; i < RPT_NSTATUS; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* The next space-separated code of *p (advanced past it), length in *len;
 * NULL at the end. */
static const char *next_code(const char **p, size_t *len)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    if (!*s)
        return NULL;
    const char *e = s;
    while (*e && *e != ' ')
        e++;
    *len = (size_t)(e - s);
    *p = e;
    return s;
}

/* Index of a code, or -(insertion point) - 1. */
static long code_find(const rpt_stats *st, const char *s, size_t len)
{
    size_t lo = 0, hi = st->ncodes;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(st->codes[mid], s, len);
        if (c == 0 && st->codes[mid][len])
            c = 1;
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

/* Makes room for one more code in every counter array (codes_cap). */
static ta_status codes_grow(rpt_stats *st)
{
    if (st->ncodes < st->codes_cap)
        return TA_OK;
    size_t cap = st->codes_cap ? st->codes_cap * 2 : 16;
    char **nc = realloc(st->codes, cap * sizeof *nc);
    if (!nc)
        return TA_E_NOMEM;
    st->codes = nc;
    for (size_t i = 0; i <= st->ncso; i++) {
        rpt_cso *c = i < st->ncso ? &st->cso[i] : &st->all;
        long long *n = realloc(c->codes, cap * sizeof *n);
        if (!n)
            return TA_E_NOMEM;
        c->codes = n;
    }
    st->codes_cap = cap;
    return TA_OK;
}

/* The column of a code, added (in byte order, every CSO's count 0) the
 * first time it is seen. */
static ta_status code_col(rpt_stats *st, const char *s, size_t len,
                          size_t *col)
{
    long at = code_find(st, s, len);
    if (at >= 0) {
        *col = (size_t)at;
        return TA_OK;
    }
    size_t pos = (size_t)(-at - 1);
    ta_status e = codes_grow(st);
    if (e != TA_OK)
        return e;
    char *copy = malloc(len + 1);
    if (!copy)
        return TA_E_NOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    size_t tail = st->ncodes - pos;
    memmove(st->codes + pos + 1, st->codes + pos, tail * sizeof *st->codes);
    st->codes[pos] = copy;
    for (size_t i = 0; i <= st->ncso; i++) {
        rpt_cso *c = i < st->ncso ? &st->cso[i] : &st->all;
        memmove(c->codes + pos + 1, c->codes + pos, tail * sizeof *c->codes);
        c->codes[pos] = 0;
    }
    st->ncodes++;
    *col = pos;
    return TA_OK;
}

/* Compliance of ok tickets among ok + violations in hundredths, by
 * summary_centi (the one computation of every output), and as the
 * 2-decimal figure shown; 0 when nothing is in scope. */
static int pct_of(long long ok, long long violations, long long *centi,
                  double *pct)
{
    long long den = ok + violations;
    *centi = den > 0 ? summary_centi((unsigned long long)ok,
                                     (unsigned long long)den)
                     : 0;
    *pct = (double)*centi / 100.0;
    return den > 0;
}

static void set_pct(rpt_cso *c)
{
    c->has_pct = pct_of(c->n[RPT_COMPLIANT] + c->n[RPT_EXEMPT],
                        c->n[RPT_VIOLATION], &c->centi, &c->pct);
}

/* The one CSO order (summary_cso_cmp), on the CSO's figures. */
static summary_cso order_key(const rpt_cso *c)
{
    summary_cso k;
    memset(&k, 0, sizeof k);
    k.cso = c->name;
    k.cso_len = strlen(c->name);
    k.violation = (unsigned long)c->n[RPT_VIOLATION];
    k.has_compliance = c->has_pct;
    k.compliance_centi = c->centi;
    return k;
}

static int cso_cmp(const void *a, const void *b)
{
    summary_cso x = order_key(a), y = order_key(b);
    return summary_cso_cmp(&x, &y);
}

/* A new CSO (counters zero, one code column per code known). */
static ta_status cso_add(rpt_stats *st, size_t *cap, const char *name)
{
    if (st->ncso == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        rpt_cso *nc = realloc(st->cso, ncap * sizeof *nc);
        if (!nc)
            return TA_E_NOMEM;
        st->cso = nc;
        *cap = ncap;
    }
    rpt_cso *c = &st->cso[st->ncso];
    memset(c, 0, sizeof *c);
    c->name = strdup(name);
    c->codes = calloc(st->codes_cap + 1, sizeof *c->codes);
    st->ncso++;
    return c->name && c->codes ? TA_OK : TA_E_NOMEM;
}

/* The entry of period in a sorted array of n entries of size sz whose
 * first member is the period, added (zeroed) if missing. */
static void *period_entry(void **arr, size_t *n, size_t sz, const char *period)
{
    char *a = *arr;
    size_t lo = 0, hi = *n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(a + mid * sz, period);
        if (c == 0)
            return a + mid * sz;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* grows one entry at a time: periods are few */
    char *na = realloc(a, (*n + 1) * sz);
    if (!na)
        return NULL;
    memmove(na + (lo + 1) * sz, na + lo * sz, (*n - lo) * sz);
    memset(na + lo * sz, 0, sz);
    memcpy(na + lo * sz, period, 8);
    *arr = na;
    (*n)++;
    return na + lo * sz;
}

/* The imports holding tickets of the periods: a sorted set of ids. */
typedef struct id_set {
    long long *v;
    size_t n, cap;
} id_set;

static ta_status id_add(id_set *s, long long id)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->v[mid] == id)
            return TA_OK;
        if (s->v[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        long long *nv = realloc(s->v, cap * sizeof *nv);
        if (!nv)
            return TA_E_NOMEM;
        s->v = nv;
        s->cap = cap;
    }
    memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof *s->v);
    s->v[lo] = id;
    s->n++;
    return TA_OK;
}

/* "[1,4,5]", for json_each in the Files and Ditolak queries. */
static char *id_json(const id_set *s)
{
    size_t cap = 3 + s->n * 21, o = 0;
    char *j = malloc(cap);
    if (!j)
        return NULL;
    j[o++] = '[';
    for (size_t i = 0; i < s->n; i++)
        o += (size_t)snprintf(j + o, cap - o, "%s%lld", i ? "," : "",
                              s->v[i]);
    snprintf(j + o, cap - o, "]");
    return j;
}

/* Adds one grouped row. lo..hi are the periods reported. */
/* One group of tickets: CSO, period, status, code set and import (a
 * NULL text as NULL), how many and the latest audit. */
typedef struct grp {
    const char *cso, *period, *status, *codes;
    long long n, audit, import;
} grp;

static ta_status add_group(rpt_stats *st, size_t *cap, const grp *g,
                           const char *lo, const char *hi, id_set *imports)
{
    const char *name = g->cso;
    const char *period = g->period;
    const char *status = g->status;
    const char *codes = g->codes;
    long long n = g->n;
    int si = status_index(status ? status : "");
    name = name ? name : "";
    if (!period || strlen(period) != 7 || si < 0)
        return TA_OK; /* not a period or status of SPEC §4 */
    ta_status s = TA_OK;
    if (st->ncso == 0 || strcmp(st->cso[st->ncso - 1].name, name) != 0)
        s = cso_add(st, cap, name);
    if (s != TA_OK)
        return s;
    rpt_cso *c = &st->cso[st->ncso - 1];
    void *arr = c->per;
    rpt_period_n *pn = period_entry(&arr, &c->nper, sizeof *pn, period);
    c->per = arr;
    arr = st->months;
    rpt_month *m = period_entry(&arr, &st->nmonths, sizeof *m, period);
    st->months = arr;
    if (!pn || !m)
        return TA_E_NOMEM;
    if (si == RPT_COMPLIANT || si == RPT_EXEMPT) {
        pn->ok += n;
        m->ok += n;
    } else if (si == RPT_VIOLATION) {
        pn->bad += n;
        m->bad += n;
    }
    if (strcmp(period, lo) < 0 || strcmp(period, hi) > 0)
        return TA_OK;
    if (!st->first[0] || strcmp(period, st->first) < 0)
        memcpy(st->first, period, 8);
    if (strcmp(period, st->last) > 0)
        memcpy(st->last, period, 8);
    if (g->audit > st->audit_id)
        st->audit_id = g->audit;
    s = id_add(imports, g->import);
    if (s != TA_OK)
        return s;
    c->n[si] += n;
    st->all.n[si] += n;
    const char *p = codes ? codes : "";
    size_t len, col;
    const char *code;
    while (s == TA_OK && (code = next_code(&p, &len))) {
        s = code_col(st, code, len, &col);
        if (s == TA_OK) {
            st->cso[st->ncso - 1].codes[col] += n;
            st->all.codes[col] += n;
        }
    }
    return s;
}

/* After the query: the previous period, per CSO the compliance in the
 * last and previous periods; CSOs without a ticket in the periods
 * reported are dropped. */
static void finish(rpt_stats *st)
{
    for (size_t i = 0; i < st->nmonths; i++) {
        rpt_month *m = &st->months[i];
        long long centi;
        m->has_pct = pct_of(m->ok, m->bad, &centi, &m->pct);
        if (strcmp(m->period, st->last) < 0)
            memcpy(st->prev, m->period, 8);
    }
    size_t kept = 0;
    for (size_t i = 0; i < st->ncso; i++) {
        rpt_cso *c = &st->cso[i];
        long long total = 0;
        for (int k = 0; k < RPT_NSTATUS; k++)
            total += c->n[k];
        if (total == 0) {
            cso_clear(c);
            continue;
        }
        for (size_t k = 0; k < c->nper; k++) {
            const rpt_period_n *pn = &c->per[k];
            long long centi;
            if (strcmp(pn->period, st->last) == 0)
                c->has_last = pct_of(pn->ok, pn->bad, &centi, &c->last_pct);
            else if (strcmp(pn->period, st->prev) == 0)
                c->has_prev = pct_of(pn->ok, pn->bad, &centi, &c->prev_pct);
        }
        set_pct(c);
        memcpy(c->rn, c->n, sizeof c->rn);
        st->cso[kept++] = *c;
    }
    st->ncso = kept;
    set_pct(&st->all);
    memcpy(st->all.rn, st->all.n, sizeof st->all.rn);
    if (st->ncso > 1)
        qsort(st->cso, st->ncso, sizeof *st->cso, cso_cmp);
}

static int status_word_index(const unsigned char *s)
{
    return status_index(s ? (const char *)s : "");
}

static int cso_ptr_cmp(const void *a, const void *b)
{
    return strcmp((*(rpt_cso *const *)a)->name, (*(rpt_cso *const *)b)->name);
}

/* The CSO named name in idx (sorted by name), or NULL. */
static rpt_cso *cso_named(rpt_cso **idx, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(idx[mid]->name, name);
        if (c == 0)
            return idx[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static ta_status bind_periods(sqlite3_stmt *q, const rpt_stats *st)
{
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_text(q, 1, st->first, -1, SQLITE_STATIC));
    db_bound(&bound, sqlite3_bind_text(q, 2, st->last, -1, SQLITE_STATIC));
    return bound == SQLITE_OK ? TA_OK : TA_E_IO;
}

/* One group of decided tickets: what review made of them. */
static void add_review(rpt_cso *c, sqlite3_stmt *q)
{
    int was = status_word_index(sqlite3_column_text(q, 1));
    int now = status_word_index(sqlite3_column_text(q, 2));
    const char *d = (const char *)sqlite3_column_text(q, 3);
    long long k = sqlite3_column_int64(q, 5);
    if (was >= 0 && now >= 0) {
        c->rn[was] -= k;
        c->rn[now] += k;
    }
    if (d && strcmp(d, "upheld") == 0)
        c->upheld += k;
    else if (d && strcmp(d, "overturned") == 0)
        c->overturned += k;
    if (sqlite3_column_int(q, 4))
        c->stale += k;
}

static int signal_index(const char *kind)
{
    static const char *const kinds[RPT_NSIG] = {
        "reused_contact", "exemption_outlier", "cross_system_mismatch"};
    for (int i = 0; kind && i < RPT_NSIG; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return i;
    return -1;
}

/* Reads the decisions and the signals of the periods into the CSOs (and
 * the totals). */
static ta_status add_reviews_signals(sqlite3 *db, rpt_stats *st, char *err,
                                     size_t errlen)
{
    rpt_cso **idx = malloc((st->ncso + 1) * sizeof *idx);
    if (!idx)
        return TA_E_NOMEM;
    for (size_t i = 0; i < st->ncso; i++)
        idx[i] = &st->cso[i];
    qsort(idx, st->ncso, sizeof *idx, cso_ptr_cmp);
    sqlite3_stmt *q = NULL;
    ta_status s = db_prepare(db, reviews_sql, &q, err, errlen);
    if (s == TA_OK && bind_periods(q, st) != TA_OK)
        s = db_fail(db, "reading the QA decisions", err, errlen);
    int rc = SQLITE_DONE;
    while (s == TA_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        rpt_cso *c = cso_named(idx, st->ncso, name ? name : "");
        if (c)
            add_review(c, q);
        add_review(&st->all, q);
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(db, "reading the QA decisions", err, errlen);
    sqlite3_finalize(q);
    q = NULL;
    if (s == TA_OK)
        s = db_prepare(db, signals_sql, &q, err, errlen);
    if (s == TA_OK && bind_periods(q, st) != TA_OK)
        s = db_fail(db, "reading the signals", err, errlen);
    rc = SQLITE_DONE;
    while (s == TA_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(q, 0);
        long long k = sqlite3_column_int64(q, 2);
        if (kind && kind[0] == '#') {
            int i = signal_index(kind + 1);
            if (i >= 0)
                st->sig_total[i] = k;
            continue;
        }
        const char *name = (const char *)sqlite3_column_text(q, 1);
        rpt_cso *c = cso_named(idx, st->ncso, name ? name : "");
        int i = signal_index(kind);
        if (c && i >= 0)
            c->sig[i] += k;
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(db, "reading the signals", err, errlen);
    sqlite3_finalize(q);
    free(idx);
    return s;
}

/* Compliance after review, from the final statuses. */
static void set_rpct(rpt_cso *c)
{
    c->has_rpct = pct_of(c->rn[RPT_COMPLIANT] + c->rn[RPT_EXEMPT],
                         c->rn[RPT_VIOLATION], &c->rcenti, &c->rpct);
}

size_t rpt_stats_rank(const rpt_stats *whole, const rpt_cso *x, size_t *of)
{
    size_t above = 0, n = 0;
    for (size_t i = 0; i < whole->ncso; i++) {
        const rpt_cso *y = &whole->cso[i];
        if (!y->has_pct)
            continue;
        n++;
        if (y->centi > x->centi)
            above++;
    }
    *of = n;
    return x->has_pct ? above + 1 : 0;
}

/* ---- the groups, counted in a hash table ------------------------------
 *
 * The GROUP BY of grouped_sql sorts every ticket (SQLite has no hash
 * aggregate): at 1M tickets 2.5 s of the report's one thread before any
 * sheet, against 0.2 s for the scan alone (docs/report.md). So the
 * tickets are scanned in rowid order and counted per group in a tally
 * (tally.h, the summaries' too), and the groups (a few per CSO and
 * period) sorted as the ORDER BY sorts them.
 * Past GROUPS_MAX groups (a database of many imports and code sets) the
 * table is dropped and the grouped query does it, so that memory stays
 * bounded whatever the data. */

#define GROUPS_MAX 200000

static const char scan_sql[] =
    "SELECT cso, period, status, codes, audit_id, import_id FROM tickets";

/* SQLite's order of the ORDER BY (BINARY collation, NULL first). */
static int text_cmp(const char *a, const char *b)
{
    if (!a || !b)
        return a ? 1 : b ? -1 : 0;
    return strcmp(a, b);
}

/* grouped_sql's ORDER BY: CSO, period, status, codes, import. */
static int grp_cmp(const tally_group *a, const tally_group *b)
{
    for (int i = 0; i < 4; i++) {
        int c = text_cmp(a->key.t[i], b->key.t[i]);
        if (c)
            return c;
    }
    return a->key.k < b->key.k ? -1 : a->key.k > b->key.k;
}

/* A group of the tally as grouped_sql's row would give it. */
static grp grp_of(const tally_group *g)
{
    grp x = {g->key.t[0], g->key.t[1],        g->key.t[2], g->key.t[3],
             (long long)g->count, g->max, g->key.k};
    return x;
}

/* The groups of every ticket (by CSO, period, status, codes and import:
 * their count and latest audit) into *out, sorted. TA_OK; TA_E_NOMEM; or
 * TA_E_DATA when there are more than GROUPS_MAX (*out NULL then). */
static ta_status groups_scan(sqlite3 *db, tally **out, char *err,
                             size_t errlen)
{
    *out = NULL;
    tally *t = tally_new(GROUPS_MAX, 0);
    if (!t)
        return TA_E_NOMEM;
    sqlite3_stmt *q = NULL;
    ta_status s = db_prepare(db, scan_sql, &q, err, errlen);
    int rc = SQLITE_DONE;
    while (s == TA_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        tally_key key;
        for (int i = 0; i < 4; i++) {
            key.t[i] = (const char *)sqlite3_column_text(q, i);
            key.n[i] = (size_t)sqlite3_column_bytes(q, i);
        }
        key.k = sqlite3_column_int64(q, 5);
        int r = tally_add(t, &key, sqlite3_column_int64(q, 4));
        if (r < 0)
            s = TA_E_NOMEM;
        else if (r > 0)
            s = TA_E_DATA;
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(db, "reading the audit results", err, errlen);
    sqlite3_finalize(q);
    /* A scan short enough to end before SQLite's progress handler looks
     * at a signal (the sort of the grouped query never was) still stops
     * here, before anything is written. */
    if (s == TA_OK && interrupt_pending()) {
        ta_errf(err, errlen, "reading the audit results: interrupted");
        s = TA_E_INTERRUPTED;
    }
    if (s != TA_OK) {
        tally_free(t);
        return s;
    }
    tally_sort(t, grp_cmp);
    *out = t;
    return TA_OK;
}

/* A row of grouped_sql as a group. */
static grp grp_of_row(sqlite3_stmt *q)
{
    grp g = {(const char *)sqlite3_column_text(q, 0),
             (const char *)sqlite3_column_text(q, 1),
             (const char *)sqlite3_column_text(q, 2),
             (const char *)sqlite3_column_text(q, 3),
             sqlite3_column_int64(q, 4),
             sqlite3_column_int64(q, 5),
             sqlite3_column_int64(q, 6)};
    return g;
}

ta_status rpt_stats_load(sqlite3 *db, const char *period, rpt_stats **out,
                         char *err, size_t errlen)
{
    *out = NULL;
    rpt_stats *st = calloc(1, sizeof *st);
    if (!st) {
        ta_errf(err, errlen,
                "out of memory while reading the audit results "
                "for the report");
        return TA_E_NOMEM;
    }
    st->all.codes = calloc(1, sizeof *st->all.codes);
    sqlite3_stmt *q = NULL;
    tally *G = NULL;
    ta_status s = st->all.codes ? groups_scan(db, &G, err, errlen)
                                : TA_E_NOMEM;
    const char *lo = period ? period : "", *hi = period ? period : "~";
    size_t cap = 0;
    id_set imports = {0};
    if (s == TA_OK) {
        for (size_t i = 0; s == TA_OK && i < tally_groups(G); i++) {
            tally_group g = tally_at(G, i);
            grp x = grp_of(&g);
            s = add_group(st, &cap, &x, lo, hi, &imports);
        }
        tally_free(G);
    } else if (s == TA_E_DATA) {
        /* too many groups to hold: SQLite's sorter, on disk */
        s = db_prepare(db, grouped_sql, &q, err, errlen);
        int rc = SQLITE_DONE;
        while (s == TA_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            grp g = grp_of_row(q);
            s = add_group(st, &cap, &g, lo, hi, &imports);
        }
        if (s == TA_OK && rc != SQLITE_DONE)
            s = db_fail(db, "reading the audit results", err, errlen);
        sqlite3_finalize(q);
    }
    if (s == TA_OK && !st->first[0]) {
        if (err && errlen)
            snprintf(err, errlen,
                     "nothing audited%s%s in the database: import the "
                     "exports and run 'ticket-audit audit' (or 'run') first",
                     period ? " for period " : "", period ? period : "");
        s = TA_E_DATA;
    }
    if (s == TA_OK) {
        st->imports_json = id_json(&imports);
        if (!st->imports_json)
            s = TA_E_NOMEM;
    }
    free(imports.v);
    if (s == TA_OK) {
        finish(st);
        s = add_reviews_signals(db, st, err, errlen);
    }
    if (s == TA_OK) {
        for (size_t i = 0; i < st->ncso; i++)
            set_rpct(&st->cso[i]);
        set_rpct(&st->all);
    }
    if (s == TA_E_NOMEM && err && errlen)
        snprintf(err, errlen,
                 "out of memory while reading the audit "
                 "results for the report");
    if (s != TA_OK) {
        rpt_stats_free(st);
        return s;
    }
    st->whole = st;
    *out = st;
    return TA_OK;
}
