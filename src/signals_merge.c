/*
 * signals_merge.c — the pairing and grouping threads (signals_merge.h).
 */
#include "signals_merge.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signals_feed.h"

#define QBLOCKS 4
#define QBLOCK (256u << 10)
/* A pair is two payloads and their lengths. */
#define PAIR_MAX (2 * (4 + EXTSORT_MAX_PAYLOAD))
/* Up to CROSS_GROUP CRM tickets share an id hash (different ids: a
 * collision); more would need several 64-bit collisions at once, so the
 * rest are ignored. */
#define CROSS_GROUP 4
#define GROUP_MAX (4u << 20)

struct sig_merge {
    extsort *reuse, *cross;
    unsigned long min_customers;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int abandon; /* the caller is gone: stop */

    /* the pair queue: the pairer fills q[put], the caller reads q[get] */
    unsigned char *q[QBLOCKS];
    size_t qlen[QBLOCKS];
    int qfull[QBLOCKS];
    int put, get, qdone, qerr;
    size_t qpos; /* the caller's place in q[get] */
    pthread_t pairer;
    int pairing;

    /* the grouper's file */
    FILE *groups;
    pthread_t grouper;
    int grouping, gerr, greading;
    unsigned char *gbuf; /* one record read back */
};

/* ---- the pair queue
 * --------------------------------------------------------- */

/* Hands the filled block to the caller and waits for the next one; -1
 * when the caller abandoned. */
static int q_push(sig_merge *m)
{
    pthread_mutex_lock(&m->mu);
    m->qfull[m->put] = 1;
    m->put = (m->put + 1) % QBLOCKS;
    pthread_cond_broadcast(&m->cv);
    while (m->qfull[m->put] && !m->abandon)
        pthread_cond_wait(&m->cv, &m->mu);
    int gone = m->abandon;
    pthread_mutex_unlock(&m->mu);
    m->qlen[m->put] = 0;
    return gone ? -1 : 0;
}

static int q_put_pair(sig_merge *m, const extsort_rec *k, const extsort_rec *a)
{
    size_t need = 8 + k->len + a->len;
    if (m->qlen[m->put] + need > QBLOCK && q_push(m) != 0)
        return -1;
    unsigned char *o = m->q[m->put] + m->qlen[m->put];
    uint32_t kl = (uint32_t)k->len, al = (uint32_t)a->len;
    memcpy(o, &kl, 4);
    memcpy(o + 4, k->data, k->len);
    memcpy(o + 4 + k->len, &al, 4);
    memcpy(o + 8 + k->len, a->data, a->len);
    m->qlen[m->put] += need;
    return 0;
}

/* 1 when the APKT report a may differ from the CRM ticket k: same id and
 * different contacts, or strings not at hand (by reference: the caller
 * decides). */
static int may_differ(const extsort_rec *k, const extsort_rec *a)
{
    long long id;
    signals_text kf[CROSS_FIELDS], af[CROSS_FIELDS];
    if (feed_unpack(k, CROSS_FIELDS, &id, kf) != 1 ||
        feed_unpack(a, CROSS_FIELDS, &id, af) != 1)
        return 1;
    if (kf[X_TICKET].n != af[X_CRM_TICKET].n ||
        memcmp(kf[X_TICKET].p, af[X_CRM_TICKET].p, kf[X_TICKET].n) != 0)
        return 0;
    return kf[X_EMAIL].n != af[X_EMAIL].n || kf[X_HP].n != af[X_HP].n ||
           memcmp(kf[X_EMAIL].p, af[X_EMAIL].p, kf[X_EMAIL].n) != 0 ||
           memcmp(kf[X_HP].p, af[X_HP].p, kf[X_HP].n) != 0;
}

static void *pair_up(void *arg)
{
    sig_merge *m = arg;
    unsigned char *keep[CROSS_GROUP] = {NULL};
    extsort_rec crm[CROSS_GROUP];
    size_t ncrm = 0;
    uint64_t key = 0;
    int rc = 0, started = 0, failed = 0;
    for (size_t i = 0; i < CROSS_GROUP && !failed; i++)
        failed = (keep[i] = malloc(EXTSORT_MAX_PAYLOAD)) == NULL;
    extsort_rec r;
    while (!failed && (rc = extsort_next(m->cross, &r)) == 1) {
        if (!started || r.k1 != key) {
            key = r.k1;
            ncrm = 0;
            started = 1;
        }
        if (!(r.k2 & CROSS_APKT)) {
            if (ncrm < CROSS_GROUP) {
                /* the record's bytes go with the next read: copy */
                memcpy(keep[ncrm], r.data, r.len);
                crm[ncrm] = r;
                crm[ncrm].data = keep[ncrm];
                ncrm++;
            }
            continue;
        }
        for (size_t i = 0; i < ncrm && !failed; i++)
            if (may_differ(&crm[i], &r))
                failed = q_put_pair(m, &crm[i], &r) != 0;
    }
    int e = failed || rc < 0 ? (errno ? errno : EIO) : 0;
    for (size_t i = 0; i < CROSS_GROUP; i++)
        free(keep[i]);
    pthread_mutex_lock(&m->mu);
    if (e && !m->abandon)
        m->qerr = e;
    if (!e && m->qlen[m->put] > 0) {
        m->qfull[m->put] = 1; /* the last, partial block */
        m->put = (m->put + 1) % QBLOCKS;
    }
    m->qdone = 1;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

static int q_get(sig_merge *m, size_t n, const unsigned char **p)
{
    if (m->qpos + n > m->qlen[m->get]) {
        errno = EIO; /* a pair cut across blocks cannot happen */
        return -1;
    }
    *p = m->q[m->get] + m->qpos;
    m->qpos += n;
    return 0;
}

int merge_next_pair(sig_merge *m, extsort_rec *crm, extsort_rec *apkt)
{
    if (!m->cross)
        return 0;
    pthread_mutex_lock(&m->mu);
    if (m->qfull[m->get] && m->qpos == m->qlen[m->get]) {
        /* this block is read: give it back */
        m->qfull[m->get] = 0;
        m->qpos = 0;
        m->get = (m->get + 1) % QBLOCKS;
        pthread_cond_broadcast(&m->cv);
    }
    while (!m->qfull[m->get] && !m->qdone)
        pthread_cond_wait(&m->cv, &m->mu);
    int full = m->qfull[m->get], err = m->qerr;
    pthread_mutex_unlock(&m->mu);
    if (err) {
        errno = err;
        return -1;
    }
    if (!full)
        return 0;
    const unsigned char *p;
    uint32_t len;
    extsort_rec *out[2] = {crm, apkt};
    for (int i = 0; i < 2; i++) {
        if (q_get(m, 4, &p) != 0)
            return -1;
        memcpy(&len, p, 4);
        if (q_get(m, len, &p) != 0)
            return -1;
        out[i]->k1 = out[i]->k2 = 0;
        out[i]->data = p;
        out[i]->len = len;
    }
    return 1;
}

/* ---- the grouping thread
 * ----------------------------------------------------- */

typedef struct group {
    uint64_t key, last;
    unsigned long customers; /* by hash */
    unsigned char *b;        /* (k2, length, payload) ... */
    size_t n, cap;
    int through; /* past GROUP_MAX: written as it comes */
} group;

/* A record in the file: k1, k2, 32-bit length, payload. */
static int put_rec(FILE *out, uint64_t k1, uint64_t k2, const void *p,
                   uint32_t len)
{
    return fwrite(&k1, 8, 1, out) == 1 && fwrite(&k2, 8, 1, out) == 1 &&
                   fwrite(&len, 4, 1, out) == 1 &&
                   fwrite(p, 1, len, out) == len
               ? 0
               : -1;
}

static int group_write(sig_merge *m, group *g)
{
    for (size_t o = 0; o < g->n;) {
        uint64_t k2;
        uint32_t len;
        memcpy(&k2, g->b + o, 8);
        memcpy(&len, g->b + o + 8, 4);
        if (put_rec(m->groups, g->key, k2, g->b + o + 12, len) != 0)
            return -1;
        o += 12 + len;
    }
    g->n = 0;
    return 0;
}

static int group_add(sig_merge *m, group *g, const extsort_rec *r)
{
    if (r->k2 != 0 && r->k2 != g->last) {
        g->customers++;
        g->last = r->k2;
    }
    if (g->through)
        return put_rec(m->groups, r->k1, r->k2, r->data, (uint32_t)r->len);
    size_t need = 12 + r->len;
    if (g->n + need > GROUP_MAX) {
        g->through = 1;
        if (group_write(m, g) != 0)
            return -1;
        return put_rec(m->groups, r->k1, r->k2, r->data, (uint32_t)r->len);
    }
    if (g->n + need > g->cap) {
        size_t cap = g->cap ? g->cap : 4096;
        while (cap < g->n + need)
            cap *= 2;
        unsigned char *nb = realloc(g->b, cap);
        if (!nb)
            return -1;
        g->b = nb;
        g->cap = cap;
    }
    uint32_t len = (uint32_t)r->len;
    memcpy(g->b + g->n, &r->k2, 8);
    memcpy(g->b + g->n + 8, &len, 4);
    memcpy(g->b + g->n + 12, r->data, r->len);
    g->n += need;
    return 0;
}

/* A contact is complete: kept when its customer hashes reach the
 * minimum (a contact written through is kept whatever its count). */
static int group_end(sig_merge *m, group *g)
{
    if (!g->through && g->customers >= m->min_customers)
        return group_write(m, g);
    return 0;
}

static void *group_up(void *arg)
{
    sig_merge *m = arg;
    group g;
    memset(&g, 0, sizeof g);
    extsort_rec r;
    int rc, failed = 0, any = 0;
    while (!failed && (rc = extsort_next(m->reuse, &r)) == 1) {
        if (!any || r.k1 != g.key) {
            if (any)
                failed = group_end(m, &g) != 0;
            g.key = r.k1;
            g.last = 0;
            g.customers = 0;
            g.n = 0;
            g.through = 0;
            any = 1;
        }
        if (!failed)
            failed = group_add(m, &g, &r) != 0;
    }
    if (!failed && rc < 0)
        failed = 1;
    if (!failed && any)
        failed = group_end(m, &g) != 0;
    if (!failed && fflush(m->groups) != 0)
        failed = 1;
    if (failed)
        m->gerr = errno ? errno : EIO;
    free(g.b);
    return NULL;
}

static FILE *temp_file(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/ticket-audit-groups.XXXXXX",
                     dir && *dir ? dir : "/tmp");
    if (n < 0 || (size_t)n >= sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    unlink(path); /* gone when closed, even after a crash */
    FILE *fp = fdopen(fd, "w+b");
    if (!fp)
        close(fd);
    return fp;
}

int merge_next_reused(sig_merge *m, extsort_rec *r)
{
    if (m->grouping) {
        pthread_join(m->grouper, NULL);
        m->grouping = 0;
        if (m->gerr) {
            errno = m->gerr;
            return -1;
        }
        rewind(m->groups);
        m->greading = 1;
    }
    if (!m->greading)
        return 0;
    uint32_t len;
    if (fread(&r->k1, 8, 1, m->groups) != 1)
        return feof(m->groups) ? 0 : -1;
    if (fread(&r->k2, 8, 1, m->groups) != 1 ||
        fread(&len, 4, 1, m->groups) != 1 || len > EXTSORT_MAX_PAYLOAD ||
        fread(m->gbuf, 1, len, m->groups) != len) {
        errno = EIO;
        return -1;
    }
    r->data = m->gbuf;
    r->len = len;
    return 1;
}

/* ---- start and stop
 * ------------------------------------------------------------ */

sig_merge *merge_start(extsort *reuse, extsort *cross,
                       unsigned long min_customers)
{
    sig_merge *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    m->reuse = reuse;
    m->cross = cross;
    m->min_customers = min_customers;
    int ok = (m->gbuf = malloc(EXTSORT_MAX_PAYLOAD)) != NULL &&
             (m->groups = temp_file()) != NULL;
    for (int i = 0; ok && cross && i < QBLOCKS; i++)
        ok = (m->q[i] = malloc(QBLOCK)) != NULL;
    if (ok && cross) {
        ok = pthread_create(&m->pairer, NULL, pair_up, m) == 0;
        m->pairing = ok;
    }
    if (ok) {
        ok = pthread_create(&m->grouper, NULL, group_up, m) == 0;
        m->grouping = ok;
    }
    if (!ok) {
        int e = errno ? errno : ENOMEM;
        merge_free(m);
        errno = e;
        return NULL;
    }
    return m;
}

void merge_free(sig_merge *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    m->abandon = 1;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    if (m->pairing)
        pthread_join(m->pairer, NULL);
    if (m->grouping)
        pthread_join(m->grouper, NULL);
    if (m->groups)
        fclose(m->groups);
    for (int i = 0; i < QBLOCKS; i++)
        free(m->q[i]);
    free(m->gbuf);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    free(m);
}
