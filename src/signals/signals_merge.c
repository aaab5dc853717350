/*
 * signals_merge.c — the pairing and grouping threads (signals_internal.h).
 */
#include "signals_internal.h"
#include "tempfile.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

#define BLOCK (256u << 10)
/* Up to CROSS_GROUP CRM tickets share an id hash (different ids: a
 * collision); more would need several 64-bit collisions at once, so the
 * rest are ignored. */
#define CROSS_GROUP 4
#define GROUP_MAX (4u << 20)

/* One part of the contacts (signals_internal.h, REUSE_PARTS): grouped on
 * a thread of its own into a file of its own. */
typedef struct group_part {
    struct sig_merge *m;
    extsort *sort;
    FILE *groups;
    int gerr;
    pthread_t thread;
    int running;
} group_part;

struct sig_merge {
    extsort *cross;
    group_part part[REUSE_PARTS];
    int gpart; /* the part the caller reads, REUSE_PARTS at the end */
    unsigned long min_customers;
    const long long *dead; /* rowids replaced since they were fed, sorted */
    size_t ndead;
    pthread_t pthread; /* the pairing, when there is a cross sort */
    int prunning;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int abandon; /* the caller is gone: stop early */

    /* The pairs go through a temporary file in blocks (a 32-bit length,
     * then whole pairs), so the pairing never waits for the caller and
     * can hand over to the grouping at once; `committed` is the end of
     * the last block written, `pdone` set after the last one. */
    int pfd;
    unsigned char *pb; /* the block being filled */
    size_t pbn;
    off_t woff, committed;
    int pdone, perr;
    unsigned char *cb; /* the caller's block */
    size_t cbn, cpos;
    off_t roff;

    unsigned char *gbuf; /* one contact record read back */
};

static int gone(sig_merge *m)
{
    pthread_mutex_lock(&m->mu);
    int g = m->abandon;
    pthread_mutex_unlock(&m->mu);
    return g;
}

/* ---- the pairs
 * ------------------------------------------------------------------ */

/* Writes the filled block and tells the caller. */
static int p_flush(sig_merge *m)
{
    if (m->pbn == 0)
        return 0;
    uint32_t n = (uint32_t)m->pbn;
    if (tempfile_pwrite_all(m->pfd, &n, 4, m->woff) != 0 ||
        tempfile_pwrite_all(m->pfd, m->pb, m->pbn, m->woff + 4) != 0)
        return -1;
    m->woff += 4 + (off_t)m->pbn;
    m->pbn = 0;
    pthread_mutex_lock(&m->mu);
    m->committed = m->woff;
    int g = m->abandon;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    return g ? -1 : 0;
}

static int p_put(sig_merge *m, const extsort_rec *k, const extsort_rec *a)
{
    size_t need = 8 + k->len + a->len;
    if (m->pbn + need > BLOCK && p_flush(m) != 0)
        return -1;
    unsigned char *o = m->pb + m->pbn;
    uint32_t kl = (uint32_t)k->len, al = (uint32_t)a->len;
    memcpy(o, &kl, 4);
    memcpy(o + 4, k->data, k->len);
    memcpy(o + 4 + k->len, &al, 4);
    memcpy(o + 8 + k->len, a->data, a->len);
    m->pbn += need;
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

/* 1 when rowid was replaced after it was fed (SQLite never gives a
 * rowid again: the replacing row's is larger than every earlier one). */
static int is_dead(const sig_merge *m, long long rowid)
{
    size_t lo = 0, hi = m->ndead;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->dead[mid] == rowid)
            return 1;
        if (m->dead[mid] < rowid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Meets each APKT report with the CRM ticket it names (a CRM record
 * sorts before the reports naming it). */
static void pair_up(sig_merge *m)
{
    unsigned char *keep[CROSS_GROUP] = {NULL};
    extsort_rec crm[CROSS_GROUP];
    size_t ncrm = 0;
    uint64_t key = 0;
    int rc = 0, started = 0, failed = 0;
    for (size_t i = 0; i < CROSS_GROUP && !failed; i++)
        failed = (keep[i] = malloc(EXTSORT_MAX_PAYLOAD)) == NULL;
    extsort_rec r;
    while (!failed && (rc = extsort_next(m->cross, &r)) == 1) {
        if (m->ndead && is_dead(m, (long long)(r.k2 & ~CROSS_APKT)))
            continue; /* a ticket replaced by a later row */
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
                failed = p_put(m, &crm[i], &r) != 0;
    }
    if (!failed && rc < 0)
        failed = 1;
    if (!failed)
        failed = p_flush(m) != 0;
    int e = failed ? (errno ? errno : EIO) : 0;
    for (size_t i = 0; i < CROSS_GROUP; i++)
        free(keep[i]);
    pthread_mutex_lock(&m->mu);
    m->perr = e;
    m->pdone = 1;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
}

/* The caller's next block: 1, 0 after the last, -1 with errno. */
static int c_next_block(sig_merge *m)
{
    pthread_mutex_lock(&m->mu);
    while (m->committed == m->roff && !m->pdone)
        pthread_cond_wait(&m->cv, &m->mu);
    off_t end = m->committed;
    int err = m->perr;
    pthread_mutex_unlock(&m->mu);
    if (err) {
        errno = err;
        return -1;
    }
    if (end == m->roff)
        return 0;
    uint32_t n;
    if (tempfile_pread_all(m->pfd, &n, 4, m->roff) != 0)
        return -1;
    if (n > BLOCK) {
        errno = EIO;
        return -1;
    }
    if (tempfile_pread_all(m->pfd, m->cb, n, m->roff + 4) != 0)
        return -1;
    m->roff += 4 + (off_t)n;
    m->cbn = n;
    m->cpos = 0;
    return 1;
}

static int c_take(sig_merge *m, extsort_rec *r)
{
    uint32_t len;
    if (m->cbn - m->cpos < 4)
        goto bad;
    memcpy(&len, m->cb + m->cpos, 4);
    if (m->cbn - m->cpos - 4 < len)
        goto bad;
    r->k1 = r->k2 = 0;
    r->data = m->cb + m->cpos + 4;
    r->len = len;
    m->cpos += 4 + len;
    return 0;
bad:
    errno = EIO; /* a pair cut across blocks cannot happen */
    return -1;
}

int merge_next_pair(sig_merge *m, extsort_rec *crm, extsort_rec *apkt)
{
    if (!m->cross)
        return 0;
    if (m->cpos == m->cbn) {
        int rc = c_next_block(m);
        if (rc != 1)
            return rc;
    }
    if (c_take(m, crm) != 0 || c_take(m, apkt) != 0)
        return -1;
    return 1;
}

/* ---- the grouping thread
 * ----------------------------------------------------- */

typedef struct group {
    uint64_t key, last;
    unsigned long customers; /* by hash */
    ta_buf b;                /* (k2, length, payload) ... */
    int through;             /* past GROUP_MAX: written as it comes */
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

static int group_write(group_part *gp, group *g)
{
    const unsigned char *p = (const unsigned char *)g->b.p;
    for (size_t o = 0; o < g->b.len;) {
        uint64_t k2;
        uint32_t len;
        memcpy(&k2, p + o, 8);
        memcpy(&len, p + o + 8, 4);
        if (put_rec(gp->groups, g->key, k2, p + o + 12, len) != 0)
            return -1;
        o += 12 + len;
    }
    buf_reset(&g->b);
    return 0;
}

static int group_add(group_part *gp, group *g, const extsort_rec *r)
{
    if (r->k2 != 0 && r->k2 != g->last) {
        g->customers++;
        g->last = r->k2;
    }
    if (g->through)
        return put_rec(gp->groups, r->k1, r->k2, r->data, (uint32_t)r->len);
    size_t need = 12 + r->len;
    if (g->b.len + need > GROUP_MAX) {
        g->through = 1;
        if (group_write(gp, g) != 0)
            return -1;
        return put_rec(gp->groups, r->k1, r->k2, r->data, (uint32_t)r->len);
    }
    uint32_t len = (uint32_t)r->len;
    if (buf_add(&g->b, &r->k2, 8) != 0 || buf_add(&g->b, &len, 4) != 0 ||
        buf_add(&g->b, r->data, r->len) != 0)
        return -1;
    return 0;
}

/* A contact is complete: kept when its customer hashes reach the
 * minimum (a contact written through is kept whatever its count). */
static int group_end(group_part *gp, group *g)
{
    if (!g->through && g->customers >= gp->m->min_customers)
        return group_write(gp, g);
    return 0;
}

/* Counts each contact's customers by hash and keeps the contacts that
 * may reach the minimum. */
static void group_up(group_part *gp)
{
    sig_merge *m = gp->m;
    group g;
    memset(&g, 0, sizeof g);
    extsort_rec r;
    int rc = 0, failed = 0, any = 0;
    unsigned long n = 0;
    while (!failed && (rc = extsort_next(gp->sort, &r)) == 1) {
        if (m->ndead && r.len >= 9 && (r.data[0] == 1 || r.data[0] == 2)) {
            uint64_t id;
            memcpy(&id, r.data + 1, 8);
            if (is_dead(m, (long long)id))
                continue; /* a ticket replaced by a later row */
        }
        if (!any || r.k1 != g.key) {
            if (any)
                failed = group_end(gp, &g) != 0;
            g.key = r.k1;
            g.last = 0;
            g.customers = 0;
            buf_reset(&g.b);
            g.through = 0;
            any = 1;
        }
        if (!failed)
            failed = group_add(gp, &g, &r) != 0;
        if (++n % 65536 == 0 && gone(m))
            break;
    }
    if (!failed && rc < 0)
        failed = 1;
    if (!failed && any)
        failed = group_end(gp, &g) != 0;
    if (!failed && fflush(gp->groups) != 0)
        failed = 1;
    if (failed)
        gp->gerr = errno ? errno : EIO;
    buf_free(&g.b);
}

/* The threads: the pairs and each part of the contacts read independent
 * sorts, so each has a core of its own when there is one; the caller
 * writes the pairs as they come and reads the contacts at the end. */
static void *pair_run(void *arg)
{
    pair_up(arg);
    return NULL;
}

static void *group_run(void *arg)
{
    group_up(arg);
    return NULL;
}

int merge_next_reused(sig_merge *m, extsort_rec *r)
{
    /* the parts one after the other: together, every contact in key
     * order */
    for (; m->gpart < REUSE_PARTS; m->gpart++) {
        group_part *gp = &m->part[m->gpart];
        if (gp->running) {
            pthread_join(gp->thread, NULL);
            gp->running = 0;
            if (gp->gerr) {
                errno = gp->gerr;
                return -1;
            }
            rewind(gp->groups);
        }
        uint32_t len;
        if (fread(&r->k1, 8, 1, gp->groups) != 1) {
            if (!feof(gp->groups))
                return -1;
            continue;
        }
        if (fread(&r->k2, 8, 1, gp->groups) != 1 ||
            fread(&len, 4, 1, gp->groups) != 1 || len > EXTSORT_MAX_PAYLOAD ||
            fread(m->gbuf, 1, len, gp->groups) != len) {
            errno = EIO;
            return -1;
        }
        r->data = m->gbuf;
        r->len = len;
        return 1;
    }
    return 0;
}

/* ---- start and stop
 * ------------------------------------------------------------ */

sig_merge *merge_start(extsort *const reuse[REUSE_PARTS], extsort *cross,
                       unsigned long min_customers, const long long *dead,
                       size_t ndead)
{
    sig_merge *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->dead = dead;
    m->ndead = ndead;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    m->cross = cross;
    m->min_customers = min_customers;
    m->pfd = -1;
    int ok = (m->gbuf = malloc(EXTSORT_MAX_PAYLOAD)) != NULL;
    for (int i = 0; ok && i < REUSE_PARTS; i++) {
        group_part *gp = &m->part[i];
        gp->m = m;
        gp->sort = reuse[i];
        int fd = tempfile_open("groups");
        ok = fd >= 0 && (gp->groups = fdopen(fd, "w+b")) != NULL;
        if (fd >= 0 && !gp->groups)
            close(fd);
    }
    if (ok && cross)
        ok = (m->pb = malloc(BLOCK)) != NULL &&
             (m->cb = malloc(BLOCK)) != NULL &&
             (m->pfd = tempfile_open("pairs")) >= 0;
    if (ok && cross) {
        ok = pthread_create(&m->pthread, NULL, pair_run, m) == 0;
        m->prunning = ok;
    }
    for (int i = 0; ok && i < REUSE_PARTS; i++) {
        group_part *gp = &m->part[i];
        ok = pthread_create(&gp->thread, NULL, group_run, gp) == 0;
        gp->running = ok;
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
    for (int i = 0; i < REUSE_PARTS; i++) {
        group_part *gp = &m->part[i];
        if (gp->running)
            pthread_join(gp->thread, NULL);
        if (gp->groups)
            fclose(gp->groups);
    }
    if (m->prunning)
        pthread_join(m->pthread, NULL);
    if (m->pfd >= 0)
        close(m->pfd);
    free(m->pb);
    free(m->cb);
    free(m->gbuf);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    free(m);
}
