/*
 * report_stats.c — the aggregate figures of a report: the periods covered,
 * the codes that occur, and per CSO the tickets per status and per code
 * and the compliance. Read with one grouped query (one row per CSO,
 * status and code set), so memory grows with the number of CSOs and code
 * sets, never with the number of tickets.
 */
#include "report_internal.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

static const char grouped_sql[] =
    "SELECT cso, status, codes, count(*) FROM tickets"
    " WHERE period BETWEEN ?1 AND ?2"
    " GROUP BY cso, status, codes ORDER BY cso";

static void cso_clear(rpt_cso *c)
{
    free(c->name);
    free(c->codes);
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
    free(st);
}

static int status_index(const char *s)
{
    static const char *const names[RPT_NSTATUS] = {"compliant", "exempt",
                                                   "violation", "out_of_scope"};
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

static ta_status code_add(rpt_stats *st, const char *s, size_t len)
{
    long at = code_find(st, s, len);
    if (at >= 0)
        return TA_OK;
    size_t pos = (size_t)(-at - 1);
    char **nc = realloc(st->codes, (st->ncodes + 1) * sizeof *nc);
    if (!nc)
        return TA_E_NOMEM;
    st->codes = nc;
    char *copy = malloc(len + 1);
    if (!copy)
        return TA_E_NOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    memmove(nc + pos + 1, nc + pos, (st->ncodes - pos) * sizeof *nc);
    nc[pos] = copy;
    st->ncodes++;
    return TA_OK;
}

/* Compliance in % of ok tickets among ok + violations, rounded to 2
 * decimals here once, so that sorts, differences and cells agree. */
static int pct_of(long long ok, long long violations, double *pct)
{
    long long den = ok + violations;
    *pct = den > 0 ? round((double)ok * 10000.0 / (double)den) / 100.0 : 0;
    return den > 0;
}

static void set_pct(rpt_cso *c)
{
    c->has_pct = pct_of(c->n[RPT_COMPLIANT] + c->n[RPT_EXEMPT],
                        c->n[RPT_VIOLATION], &c->pct);
}

/* Worst compliance first, blank compliance last, ties by name. */
static int cso_cmp(const void *a, const void *b)
{
    const rpt_cso *x = a, *y = b;
    if (x->has_pct != y->has_pct)
        return x->has_pct ? -1 : 1;
    if (x->has_pct && x->pct != y->pct)
        return x->pct < y->pct ? -1 : 1;
    return strcmp(x->name, y->name);
}

static ta_status read_periods(sqlite3 *db, const char *period, rpt_stats *st,
                              char *err, size_t errlen)
{
    sqlite3_stmt *q = NULL;
    ta_status s = db_prepare(db,
                             "SELECT min(period), max(period) FROM "
                             "tickets WHERE ?1 IS NULL OR period = ?1",
                             &q, err, errlen);
    if (s != TA_OK)
        return s;
    if (period)
        sqlite3_bind_text(q, 1, period, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        s = db_fail(db, "reading the audited periods", err, errlen);
    } else if (sqlite3_column_type(q, 0) == SQLITE_NULL) {
        if (err && errlen)
            snprintf(err, errlen,
                     "nothing audited%s%s in the database: import the "
                     "exports and run 'ticket-audit audit' (or 'run') first",
                     period ? " for period " : "", period ? period : "");
        s = TA_E_DATA;
    } else {
        snprintf(st->first, sizeof st->first, "%s",
                 (const char *)sqlite3_column_text(q, 0));
        snprintf(st->last, sizeof st->last, "%s",
                 (const char *)sqlite3_column_text(q, 1));
    }
    sqlite3_finalize(q);
    return s;
}

/* Adds one grouped row's tickets to a CSO (and its codes). */
static void add_row(rpt_stats *st, rpt_cso *c, int status, const char *codes,
                    long long n)
{
    c->n[status] += n;
    st->all.n[status] += n;
    const char *p = codes;
    size_t len;
    const char *code;
    while ((code = next_code(&p, &len))) {
        long at = code_find(st, code, len);
        if (at >= 0) {
            c->codes[at] += n;
            st->all.codes[at] += n;
        }
    }
}

static ta_status read_groups(sqlite3 *db, rpt_stats *st, char *err,
                             size_t errlen)
{
    sqlite3_stmt *q = NULL;
    ta_status s = db_prepare(db, grouped_sql, &q, err, errlen);
    if (s != TA_OK)
        return s;
    sqlite3_bind_text(q, 1, st->first, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, st->last, -1, SQLITE_STATIC);
    /* Pass 1 learns the codes (the columns); pass 2 counts. */
    int rc = SQLITE_DONE;
    while (s == TA_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(q, 2);
        size_t len;
        const char *code;
        while (s == TA_OK && p && (code = next_code(&p, &len)))
            s = code_add(st, code, len);
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(db, "reading the audit results", err, errlen);
    if (s == TA_OK) {
        sqlite3_reset(q);
        st->all.codes = calloc(st->ncodes + 1, sizeof *st->all.codes);
        if (!st->all.codes)
            s = TA_E_NOMEM;
    }
    size_t cap = 0;
    while (s == TA_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        const char *status = (const char *)sqlite3_column_text(q, 1);
        const char *codes = (const char *)sqlite3_column_text(q, 2);
        int si = status_index(status ? status : "");
        if (si < 0)
            continue; /* not a status of SPEC §4: nothing to count */
        name = name ? name : "";
        if (st->ncso == 0 || strcmp(st->cso[st->ncso - 1].name, name) != 0) {
            if (st->ncso == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                rpt_cso *nc = realloc(st->cso, ncap * sizeof *nc);
                if (!nc) {
                    s = TA_E_NOMEM;
                    break;
                }
                st->cso = nc;
                cap = ncap;
            }
            rpt_cso *c = &st->cso[st->ncso];
            memset(c, 0, sizeof *c);
            c->name = strdup(name);
            c->codes = calloc(st->ncodes + 1, sizeof *c->codes);
            st->ncso++;
            if (!c->name || !c->codes) {
                s = TA_E_NOMEM;
                break;
            }
        }
        add_row(st, &st->cso[st->ncso - 1], si, codes ? codes : "",
                sqlite3_column_int64(q, 3));
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(db, "reading the audit results", err, errlen);
    sqlite3_finalize(q);
    return s;
}

/* The history: compliance of every period of the database (Ringkasan's
 * chart) and, per CSO, in the last period reported and the period before
 * it (Per CSO's previous month and change). One grouped query, one row per
 * period and CSO. */
static const char history_sql[] =
    "SELECT period, cso, sum(status IN ('compliant', 'exempt')),"
    " sum(status = 'violation') FROM tickets GROUP BY period, cso";

static int cso_name_cmp(const void *a, const void *b)
{
    const rpt_cso *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static ta_status read_history(sqlite3 *db, rpt_stats *st, char *err,
                              size_t errlen)
{
    rpt_cso **by_name = calloc(st->ncso + 1, sizeof *by_name);
    if (!by_name)
        return TA_E_NOMEM;
    for (size_t i = 0; i < st->ncso; i++)
        by_name[i] = &st->cso[i];
    qsort(by_name, st->ncso, sizeof *by_name, cso_name_cmp);
    sqlite3_stmt *q = NULL;
    ta_status s = db_prepare(db, history_sql, &q, err, errlen);
    long long ok = 0, bad = 0;
    size_t cap = 0;
    int rc = SQLITE_DONE;
    while (s == TA_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *period = (const char *)sqlite3_column_text(q, 0);
        const char *name = (const char *)sqlite3_column_text(q, 1);
        long long rok = sqlite3_column_int64(q, 2);
        long long rbad = sqlite3_column_int64(q, 3);
        if (!period || strlen(period) != 7)
            continue;
        rpt_month *m = st->nmonths ? &st->months[st->nmonths - 1] : NULL;
        if (!m || strcmp(m->period, period) != 0) {
            if (m)
                m->has_pct = pct_of(ok, bad, &m->pct);
            ok = bad = 0;
            if (st->nmonths == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                rpt_month *nm = realloc(st->months, ncap * sizeof *nm);
                if (!nm) {
                    s = TA_E_NOMEM;
                    break;
                }
                st->months = nm;
                cap = ncap;
            }
            m = &st->months[st->nmonths++];
            memset(m, 0, sizeof *m);
            memcpy(m->period, period, 8);
            /* rows come oldest first: the last period before st->last
             * seen so far is the previous one */
            if (strcmp(period, st->last) < 0) {
                memcpy(st->prev, period, 8);
                for (size_t i = 0; i < st->ncso; i++)
                    st->cso[i].has_prev = 0;
            }
        }
        ok += rok;
        bad += rbad;
        int is_last = strcmp(period, st->last) == 0;
        int is_prev = strcmp(period, st->prev) == 0;
        if (!is_last && !is_prev)
            continue;
        rpt_cso key = {.name = (char *)(name ? name : "")};
        rpt_cso *kp = &key;
        rpt_cso **hit = bsearch(&kp, by_name, st->ncso, sizeof *by_name,
                                cso_name_cmp);
        if (!hit)
            continue; /* not among the CSOs reported */
        if (is_last)
            (*hit)->has_last = pct_of(rok, rbad, &(*hit)->last_pct);
        else
            (*hit)->has_prev = pct_of(rok, rbad, &(*hit)->prev_pct);
    }
    if (s == TA_OK && rc != SQLITE_DONE)
        s = db_fail(db, "reading the compliance per period", err, errlen);
    if (s == TA_OK && st->nmonths)
        st->months[st->nmonths - 1].has_pct =
            pct_of(ok, bad, &st->months[st->nmonths - 1].pct);
    sqlite3_finalize(q);
    free(by_name);
    return s;
}

ta_status rpt_stats_load(sqlite3 *db, const char *period, rpt_stats **out,
                         char *err, size_t errlen)
{
    *out = NULL;
    rpt_stats *st = calloc(1, sizeof *st);
    if (!st)
        return TA_E_NOMEM;
    ta_status s = read_periods(db, period, st, err, errlen);
    if (s == TA_OK)
        s = read_groups(db, st, err, errlen);
    if (s == TA_OK)
        s = read_history(db, st, err, errlen);
    if (s == TA_E_NOMEM && err && errlen)
        snprintf(err, errlen, "out of memory while reading the audit "
                              "results for the report");
    if (s != TA_OK) {
        rpt_stats_free(st);
        return s;
    }
    for (size_t i = 0; i < st->ncso; i++)
        set_pct(&st->cso[i]);
    set_pct(&st->all);
    if (st->ncso > 1)
        qsort(st->cso, st->ncso, sizeof *st->cso, cso_cmp);
    *out = st;
    return TA_OK;
}
