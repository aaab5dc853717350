/*
 * signals_feed.c — gathering the signals' inputs while another loop reads
 * the tickets (signals.h, signals_internal.h).
 *
 * The caller's thread only copies each ticket's few strings into a batch
 * (the audit's thread is the busy one: PCRE2 and SQLite). A worker thread
 * takes full batches and does the rest beside it: the hashes, the counts
 * per CSO and month, and the records of the two external sorts, whose
 * runs it also sorts and writes. Four batches of 1 MiB travel between the
 * two threads, so memory stays the same whatever the number of tickets.
 *
 * A ticket too large for a batch (hostile fields) is handled on the
 * caller's thread once the worker has caught up.
 */
#include "signals_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

const char *const feed_ex_codes[FEED_EX_CODES] = {
    "EX_ANGRY", "EX_NOT_RESPONSIBLE", "EX_NO_EMAIL", "EX_URGENT"};

/* ---- hashing ------------------------------------------------------------ */

#define H_K1 0x9E3779B97F4A7C15ULL
#define H_K2 0xC2B2AE3D27D4EB4FULL
/* Seeds that keep the kinds of key apart (an IDPEL never equals a name). */
#define SEED_PERIOD 0x243F6A8885A308D3ULL
#define SEED_HP 0x13198A2E03707344ULL
#define SEED_EMAIL 0xA4093822299F31D0ULL
#define SEED_IDPEL 0x082EFA98EC4E6C89ULL
#define SEED_NAME 0x452821E638D01377ULL
#define SEED_TICKET 0xBE5466CF34E90C6CULL

static inline uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t fmix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* ASCII A-Z to a-z in eight bytes at once, other bytes (UTF-8 included)
 * unchanged: SQLite's lower() without ICU, as docs/signals.md defines the
 * customer key. */
static inline uint64_t lower8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;
    uint64_t b7 = w & ~high;
    uint64_t ge_a = b7 + ones * (0x80 - 'A');
    uint64_t gt_z = b7 + ones * (0x80 - 'Z' - 1);
    return w | (((ge_a & ~gt_z & ~w) & high) >> 2);
}

/* A 64-bit hash of a string, eight bytes at a time; lower folds ASCII
 * case. Not cryptographic: it only groups, and the writer compares the
 * strings of everything it writes. */
static uint64_t hash_text(signals_text t, uint64_t seed, int lower)
{
    const char *p = t.p;
    size_t n = p ? t.n : 0;
    uint64_t h = seed ^ ((uint64_t)n * H_K1), w;
    for (; n >= 8; p += 8, n -= 8) {
        memcpy(&w, p, 8);
        if (lower)
            w = lower8(w);
        h = rotl64(h ^ (w * H_K2), 29) * H_K1;
    }
    if (n) {
        w = 0;
        memcpy(&w, p, n);
        if (lower)
            w = lower8(w);
        h = rotl64(h ^ (w * H_K2), 29) * H_K1;
    }
    return fmix64(h);
}

/* ---- the feed's state ------------------------------------------------------
 */

/* Beyond this many CSO-months the counts are left to SQL (signals.c). */
#define OUTLIER_MAX 65536

/* A ticket in a batch: this header, then its texts one after another. */
enum {
    T_PERIOD,
    T_CSO,
    T_IDPEL,
    T_NAME,
    T_TICKET,
    T_CRM_TICKET,
    T_HP,
    T_EMAIL,
    T_COUNT
};
#define F_HP_PLACEHOLDER 1u
#define F_EMAIL_PLACEHOLDER 2u
#define F_IN_SCOPE 4u
#define F_EXEMPT 8u

typedef struct row_head {
    int64_t rowid;
    int32_t source;
    uint8_t flags, codes, pad[2];
    uint32_t len[T_COUNT];
} row_head;

#define BATCH_BYTES (1u << 20)

signals_feed *signals_feed_new(const rules *rs, const char *period)
{
    signals_feed *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->rs = rs;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    for (int i = 0; i < REUSE_PARTS; i++)
        f->reuse[i] = extsort_new(REUSE_RUN_BYTES / REUSE_PARTS);
    /* For one period the cross-system join is SQL's (signals.c). */
    f->cross = period ? NULL : extsort_new(0);
    f->months_cap = 256;
    f->months = calloc(f->months_cap, sizeof *f->months);
    if (period)
        f->period = strdup(period);
    int ok = (period || f->cross) && f->months && (!period || f->period);
    for (int i = 0; i < REUSE_PARTS; i++)
        ok = ok && f->reuse[i];
    for (int i = 0; ok && i < FEED_NBATCH; i++)
        ok = (f->batch[i].b = malloc(BATCH_BYTES)) != NULL;
    if (!ok) {
        signals_feed_free(f);
        return NULL;
    }
    return f;
}

void signals_feed_set_progress(signals_feed *f, signals_progress_fn fn,
                               void *ctx)
{
    f->progress = fn;
    f->progress_ctx = ctx;
}

static void stop_worker(signals_feed *f);

void signals_feed_free(signals_feed *f)
{
    if (!f)
        return;
    stop_worker(f);
    merge_free(f->merge); /* before the sorts its threads read */
    for (int i = 0; i < REUSE_PARTS; i++)
        extsort_free(f->reuse[i]);
    extsort_free(f->cross);
    if (f->months)
        for (size_t i = 0; i < f->months_cap; i++)
            free((char *)f->months[i].m.cso);
    free(f->months);
    free(f->period);
    for (int i = 0; i < FEED_NBATCH; i++)
        free(f->batch[i].b);
    free(f->removed);
    free(f->dead);

    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f);
}

/* ---- counts per CSO and month ---------------------------------------- */

static int text_eq(const char *a, size_t an, signals_text b)
{
    size_t bn = b.p ? b.n : 0;
    return an == bn && (an == 0 || memcmp(a, b.p, an) == 0);
}

static int months_grow(signals_feed *f)
{
    size_t cap = f->months_cap * 2;
    feed_slot *nm = calloc(cap, sizeof *nm);
    if (!nm)
        return -1;
    for (size_t i = 0; i < f->months_cap; i++) {
        if (!f->months[i].h)
            continue;
        size_t j = f->months[i].h & (cap - 1);
        while (nm[j].h)
            j = (j + 1) & (cap - 1);
        nm[j] = f->months[i];
    }
    free(f->months);
    f->months = nm;
    f->months_cap = cap;
    return 0;
}

/* The counts of (period, cso), created on first sight; NULL when the
 * table is full (months_full set) or out of memory (*oom set). */
static feed_month *month_of(signals_feed *f, signals_text period,
                            signals_text cso, int *oom)
{
    size_t plen = period.p ? period.n : 0;
    uint64_t h = hash_text(cso, hash_text(period, SEED_PERIOD, 0), 0);
    if (!h)
        h = 1;
    for (;;) {
        size_t mask = f->months_cap - 1, i = h & mask;
        for (; f->months[i].h; i = (i + 1) & mask) {
            feed_month *m = &f->months[i].m;
            if (f->months[i].h == h &&
                text_eq(m->period, strlen(m->period), period) &&
                text_eq(m->cso, m->cso_len, cso))
                return m;
        }
        if (f->months_n >= OUTLIER_MAX ||
            plen >= sizeof f->months[0].m.period) {
            f->months_full = 1;
            return NULL;
        }
        if (2 * (f->months_n + 1) <= f->months_cap) {
            char *name = malloc(cso.n + 1);
            if (!name) {
                *oom = 1;
                return NULL;
            }
            memcpy(name, cso.p, cso.n);
            name[cso.n] = '\0';
            feed_month *m = &f->months[i].m;
            m->cso = name;
            m->cso_len = cso.n;
            if (plen)
                memcpy(m->period, period.p, plen);
            m->period[plen] = '\0';
            f->months[i].h = h;
            f->months_n++;
            return m;
        }
        if (months_grow(f) != 0) {
            *oom = 1;
            return NULL;
        }
    }
}

static int cmp_month(const void *a, const void *b)
{
    const feed_month *x = *(const feed_month *const *)a;
    const feed_month *y = *(const feed_month *const *)b;
    int c = strcmp(x->period, y->period);
    if (c)
        return c;
    size_t n = x->cso_len < y->cso_len ? x->cso_len : y->cso_len;
    c = n ? memcmp(x->cso, y->cso, n) : 0;
    return c ? c : (x->cso_len > y->cso_len) - (x->cso_len < y->cso_len);
}

feed_month **feed_months(signals_feed *f, unsigned long min_in_scope,
                         size_t *n)
{
    *n = 0;
    feed_month **v = malloc((f->months_n + 1) * sizeof *v);
    if (!v) {
        *n = 1;
        return NULL;
    }
    for (size_t i = 0; i < f->months_cap; i++)
        if (f->months[i].h && f->months[i].m.in_scope >= min_in_scope)
            v[(*n)++] = &f->months[i].m;
    if (*n == 0) {
        free(v);
        return NULL;
    }
    qsort(v, *n, sizeof *v, cmp_month);
    return v;
}

/* ---- records ------------------------------------------------------------ */

/* Layout, inline: a 0 byte, then each field as its length (one byte
 * under 255, else 255 and four bytes) and its bytes. Inline with its
 * rowid (keep_rowid: fed as stored, so that the merge can leave out a
 * replaced ticket's): a 2 byte, the rowid (8 bytes), then the fields. By
 * reference: a 1 byte and the rowid. Compact because every byte is
 * written to and read back from the sorts' temporary file. Returns the
 * length. */
static size_t pack(unsigned char *b, long long rowid, const signals_text *f,
                   int nfields, int keep_rowid)
{
    size_t need = keep_rowid ? 9 : 1;
    for (int i = 0; i < nfields; i++)
        need += 5 + f[i].n;
    if (need > EXTSORT_MAX_PAYLOAD) {
        uint64_t id = (uint64_t)rowid;
        b[0] = 1;
        memcpy(b + 1, &id, 8);
        return 9;
    }
    size_t n = 0;
    b[n++] = keep_rowid ? 2 : 0;
    if (keep_rowid) {
        uint64_t id = (uint64_t)rowid;
        memcpy(b + n, &id, 8);
        n += 8;
    }
    for (int i = 0; i < nfields; i++) {
        uint32_t len = (uint32_t)f[i].n;
        if (len < 255) {
            b[n++] = (unsigned char)len;
        } else {
            b[n++] = 255;
            memcpy(b + n, &len, 4);
            n += 4;
        }
        if (len)
            memcpy(b + n, f[i].p, len);
        n += len;
    }
    return n;
}

int feed_unpack(const extsort_rec *r, int nfields, long long *rowid,
                signals_text *out)
{
    const unsigned char *p = r->data, *end = r->data + r->len;
    if (r->len < 1)
        return -1;
    if (p[0] == 1) {
        uint64_t id;
        if (r->len != 9)
            return -1;
        memcpy(&id, p + 1, 8);
        *rowid = (long long)id;
        return 0;
    }
    *rowid = 0;
    if (p[0] == 2) {
        uint64_t id;
        if (r->len < 9)
            return -1;
        memcpy(&id, p + 1, 8);
        *rowid = (long long)id;
        p += 8;
    }
    p++;
    for (int i = 0; i < nfields; i++) {
        uint32_t len;
        if (p == end)
            return -1;
        len = *p++;
        if (len == 255) {
            if (end - p < 4)
                return -1;
            memcpy(&len, p, 4);
            p += 4;
        }
        if ((size_t)(end - p) < len)
            return -1;
        out[i].p = (const char *)p;
        out[i].n = len;
        p += len;
    }
    return p == end ? 1 : -1;
}

/* Everything a ticket contributes; errno on failure (ENOMEM, or the
 * temporary file's error). */
static int feed_row(signals_feed *f, long long rowid, int source,
                    unsigned flags, unsigned codes, const signals_text *t)
{
    /* exemption rates: the empty CSO is several people (docs/signals.md) */
    if (!f->months_full && t[T_CSO].n > 0) {
        int oom = 0;
        feed_month *m = month_of(f, t[T_PERIOD], t[T_CSO], &oom);
        if (oom) {
            errno = ENOMEM;
            return -1;
        }
        if (m && (flags & F_IN_SCOPE)) {
            m->in_scope++;
            if (flags & F_EXEMPT) {
                m->exempt++;
                for (int k = 0; k < FEED_EX_CODES; k++)
                    if (codes & (1u << k))
                        m->codes[k]++;
            }
        }
    }
    /* reused contacts: one record per contact worth counting */
    uint64_t per = 0, cust = 0;
    int have_per = 0;
    for (int kind = 0; kind < 2; kind++) {
        signals_text c = t[kind ? T_EMAIL : T_HP];
        if (c.n == 0 ||
            (flags & (kind ? F_EMAIL_PLACEHOLDER : F_HP_PLACEHOLDER)))
            continue;
        if (!have_per) {
            per = hash_text(t[T_PERIOD], SEED_PERIOD, 0);
            if (t[T_IDPEL].n)
                cust = hash_text(t[T_IDPEL], SEED_IDPEL, 0);
            else if (t[T_NAME].n)
                cust = hash_text(t[T_NAME], SEED_NAME, 1);
            if (cust == 0 && (t[T_IDPEL].n || t[T_NAME].n))
                cust = 1; /* 0 means "no customer" */
            have_per = 1;
        }
        uint64_t key = hash_text(c, per ^ (kind ? SEED_EMAIL : SEED_HP), 0);
        key = (key & ~(uint64_t)1) | (uint64_t)kind;
        signals_text fields[REUSE_FIELDS] = {t[T_PERIOD], c, t[T_CSO]};
        /* fed as stored: with the rowid, so that the merge leaves out
         * a replaced ticket's record */
        size_t n = pack(f->pk, rowid, fields, REUSE_FIELDS, f->stored);
        if (extsort_add(f->reuse[REUSE_PART(key)], key, cust, f->pk, n) != 0)
            return -1;
    }
    /* cross-system mismatches: CRM tickets and the APKT reports naming one */
    if (f->cross) {
        signals_text id = {NULL, 0};
        uint64_t tag = 0;
        if (source == TA_SRC_CRM) {
            id = t[T_TICKET];
        } else if (source == TA_SRC_APKT) {
            id = t[T_CRM_TICKET];
            tag = CROSS_APKT;
        }
        if (id.n) {
            signals_text fields[CROSS_FIELDS];
            /* a CRM ticket's period and crm_ticket are never shown */
            signals_text none = {"", 0};
            fields[X_PERIOD] = tag ? t[T_PERIOD] : none;
            fields[X_TICKET] = t[T_TICKET];
            fields[X_CRM_TICKET] = tag ? t[T_CRM_TICKET] : none;
            fields[X_CSO] = t[T_CSO];
            fields[X_EMAIL] = t[T_EMAIL];
            fields[X_HP] = t[T_HP];
            size_t n = pack(f->pk, rowid, fields, CROSS_FIELDS, 0);
            if (extsort_add(f->cross, hash_text(id, SEED_TICKET, 0),
                            tag | (uint64_t)rowid, f->pk, n) != 0)
                return -1;
        }
    }
    return 0;
}

/* ---- the two threads ---------------------------------------------------- */

static int take_batch(signals_feed *f, const feed_batch *b)
{
    size_t o = 0;
    while (o < b->n) {
        row_head h;
        memcpy(&h, b->b + o, sizeof h);
        o += sizeof h;
        signals_text t[T_COUNT];
        for (int i = 0; i < T_COUNT; i++) {
            t[i].p = (const char *)b->b + o;
            t[i].n = h.len[i];
            o += h.len[i];
        }
        if (feed_row(f, h.rowid, h.source, h.flags, h.codes, t) != 0)
            return -1;
    }
    return 0;
}

static void *work(void *arg)
{
    signals_feed *f = arg;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->ready[f->take] && !f->closing)
            pthread_cond_wait(&f->cv, &f->mu);
        if (!f->ready[f->take])
            break; /* closing and nothing left */
        feed_batch *b = &f->batch[f->take];
        int failed = f->werr != 0;
        pthread_mutex_unlock(&f->mu);
        int rc = failed ? 0 : take_batch(f, b);
        int e = errno;
        pthread_mutex_lock(&f->mu);
        if (rc != 0 && f->werr == 0)
            f->werr = e ? e : EIO;
        b->n = 0;
        f->ready[f->take] = 0;
        f->take = (f->take + 1) % FEED_NBATCH;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

static void stop_worker(signals_feed *f)
{
    if (!f->started)
        return;
    pthread_mutex_lock(&f->mu);
    f->closing = 1;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->worker, NULL);
    f->started = 0;
}

ta_status feed_fail(int e, char *err, size_t errlen)
{
    if (e == ENOMEM) {
        snprintf(err, errlen, "computing the signals: out of memory");
        return TA_E_NOMEM;
    }
    snprintf(err, errlen,
             "computing the signals: temporary file: %s (folders tried: "
             "$TMPDIR, /var/tmp, /tmp, the current folder)",
             strerror(e ? e : EIO));
    return TA_E_CANTCREAT;
}

static ta_status worker_error(signals_feed *f, char *err, size_t errlen)
{
    return feed_fail(f->werr, err, errlen);
}

/* Hands the batch being filled to the worker and waits for the next one
 * to be free. */
static ta_status hand_over(signals_feed *f, char *err, size_t errlen)
{
    pthread_mutex_lock(&f->mu);
    if (f->batch[f->fill].n > 0) {
        f->ready[f->fill] = 1;
        f->fill = (f->fill + 1) % FEED_NBATCH;
        pthread_cond_broadcast(&f->cv);
    }
    while (f->ready[f->fill])
        pthread_cond_wait(&f->cv, &f->mu);
    int e = f->werr;
    pthread_mutex_unlock(&f->mu);
    return e ? worker_error(f, err, errlen) : TA_OK;
}

/* Waits until the worker has fed every batch handed over. */
static ta_status drain(signals_feed *f, char *err, size_t errlen)
{
    ta_status s = hand_over(f, err, errlen);
    pthread_mutex_lock(&f->mu);
    for (int i = 0; i < FEED_NBATCH; i++)
        while (f->ready[i])
            pthread_cond_wait(&f->cv, &f->mu);
    int e = f->werr;
    pthread_mutex_unlock(&f->mu);
    if (s == TA_OK && e)
        s = worker_error(f, err, errlen);
    return s;
}

/* A ticket after signals_feed_finish: the sorts are the merge's now. */
static ta_status finished(char *err, size_t errlen)
{
    snprintf(err, errlen,
             "computing the signals: a ticket was given after the feed "
             "ended");
    return TA_E_IO;
}

ta_status signals_feed_add(signals_feed *f, const signals_row *r, char *err,
                           size_t errlen)
{
    if (f->finished)
        return finished(err, errlen);
    if (!f->started) {
        if (pthread_create(&f->worker, NULL, work, f) != 0) {
            snprintf(err, errlen,
                     "computing the signals: cannot start a thread");
            return TA_E_NOMEM;
        }
        f->started = 1;
    }
    signals_text t[T_COUNT] = {r->period,  r->cso,       r->idpel,
                               r->name,    r->ticket_id, r->crm_ticket,
                               r->hp_norm, r->email_norm};
    row_head h;
    memset(&h, 0, sizeof h);
    size_t need = sizeof h;
    for (int i = 0; i < T_COUNT; i++) {
        if (!t[i].p)
            t[i].n = 0;
        h.len[i] = (uint32_t)t[i].n;
        need += t[i].n;
    }
    h.rowid = r->rowid;
    h.source = r->source;
    h.flags =
        (uint8_t)((r->hp_placeholder ? F_HP_PLACEHOLDER : 0) |
                  (r->email_placeholder ? F_EMAIL_PLACEHOLDER : 0) |
                  (r->in_scope ? F_IN_SCOPE : 0) | (r->exempt ? F_EXEMPT : 0));
    if (r->exempt && r->codes)
        for (int k = 0; k < FEED_EX_CODES; k++)
            if (strstr(r->codes, feed_ex_codes[k]))
                h.codes |= (uint8_t)(1u << k);
    if (need > BATCH_BYTES) {
        /* too large to travel: feed it here, alone */
        ta_status s = drain(f, err, errlen);
        if (s == TA_OK &&
            feed_row(f, h.rowid, h.source, h.flags, h.codes, t) != 0) {
            f->werr = errno ? errno : EIO;
            s = worker_error(f, err, errlen);
        }
        return s;
    }
    feed_batch *b = &f->batch[f->fill];
    if (b->n + need > BATCH_BYTES) {
        ta_status s = hand_over(f, err, errlen);
        if (s != TA_OK)
            return s;
        b = &f->batch[f->fill];
    }
    memcpy(b->b + b->n, &h, sizeof h);
    b->n += sizeof h;
    for (int i = 0; i < T_COUNT; i++) {
        if (t[i].n)
            memcpy(b->b + b->n, t[i].p, t[i].n);
        b->n += t[i].n;
    }
    return TA_OK;
}

signals_row signals_row_of(long long rowid, ta_source source,
                           const char *period, size_t period_len,
                           const char *const v[TA_F_COUNT],
                           const size_t len[TA_F_COUNT], rules_status status,
                           rules_hp_state hp, rules_email_state email,
                           const char *hp_norm, const char *email_norm,
                           const char *codes)
{
    signals_row r;
    r.rowid = rowid;
    r.source = source;
    r.period = (signals_text){period, period_len};
    r.cso = (signals_text){v[TA_F_CSO], len[TA_F_CSO]};
    r.idpel = (signals_text){v[TA_F_IDPEL], len[TA_F_IDPEL]};
    r.name = (signals_text){v[TA_F_NAME], len[TA_F_NAME]};
    r.ticket_id = (signals_text){v[TA_F_TICKET_ID], len[TA_F_TICKET_ID]};
    r.crm_ticket = (signals_text){v[TA_F_CRM_TICKET], len[TA_F_CRM_TICKET]};
    r.hp_norm = (signals_text){hp_norm, strlen(hp_norm)};
    r.email_norm = (signals_text){email_norm, strlen(email_norm)};
    r.hp_placeholder = hp == RULES_HP_PLACEHOLDER;
    r.email_placeholder = email == RULES_EMAIL_PLACEHOLDER;
    r.in_scope = status != RULES_OUT_OF_SCOPE;
    r.exempt = status == RULES_EXEMPT;
    r.codes = codes;
    return r;
}

ta_status signals_feed_on_ticket(void *feed, const audit_ticket *t, char *err,
                                 size_t errlen)
{
    const rules_ticket *k = t->ticket;
    const rules_verdict *v = t->verdict;
    signals_row r = signals_row_of(t->rowid, k->source, t->period,
                                   t->period_len, k->v, k->len, v->status,
                                   v->hp, v->email, v->hp_norm, v->email_norm,
                                   v->codes);
    return signals_feed_add(feed, &r, err, errlen);
}

/* A ticket replaced after it was fed: what its counts per CSO-month
 * took, undone by feed_end once the worker is done with them. */
typedef struct feed_removed {
    long long rowid;
    char period[8];
    char cso[96]; /* a longer name: the feed is given up */
    size_t cso_len;
    uint8_t flags, codes;
} feed_removed;

void signals_feed_set_stored(signals_feed *f)
{
    f->stored = 1;
}

ta_status signals_feed_remove(signals_feed *f, const signals_row *r,
                              char *err, size_t errlen)
{
    if (f->finished)
        return finished(err, errlen);
    if (f->nremoved >= SIGNALS_MAX_REMOVED ||
        r->cso.n >= sizeof f->removed->cso || r->period.n >= 8) {
        snprintf(err, errlen,
                 "computing the signals: too many tickets replaced to "
                 "follow");
        return TA_E_NOMEM;
    }
    if (f->nremoved == f->removed_cap &&
        buf_grow_array(&f->removed, &f->removed_cap, f->nremoved + 1,
                       sizeof *f->removed) != 0)
        return feed_fail(ENOMEM, err, errlen);
    feed_removed *d = &f->removed[f->nremoved++];
    memset(d, 0, sizeof *d);
    d->rowid = r->rowid;
    if (r->period.n)
        memcpy(d->period, r->period.p, r->period.n);
    if (r->cso.n)
        memcpy(d->cso, r->cso.p, r->cso.n);
    d->cso_len = r->cso.n;
    d->flags = (uint8_t)((r->in_scope ? F_IN_SCOPE : 0) |
                         (r->exempt ? F_EXEMPT : 0));
    if (r->exempt && r->codes)
        for (int k = 0; k < FEED_EX_CODES; k++)
            if (strstr(r->codes, feed_ex_codes[k]))
                d->codes |= (uint8_t)(1u << k);
    return TA_OK;
}

static int cmp_rowid(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Takes back what the replaced tickets counted (as feed_row counted it)
 * and sorts their rowids for the merge. */
static int apply_removed(signals_feed *f)
{
    if (f->nremoved == 0)
        return 0;
    f->dead = malloc(f->nremoved * sizeof *f->dead);
    if (!f->dead)
        return -1;
    for (size_t i = 0; i < f->nremoved; i++) {
        const feed_removed *d = &f->removed[i];
        f->dead[i] = d->rowid;
        if (f->months_full || d->cso_len == 0 || !(d->flags & F_IN_SCOPE))
            continue;
        signals_text per = {d->period, strlen(d->period)};
        signals_text cso = {d->cso, d->cso_len};
        int oom = 0;
        feed_month *m = month_of(f, per, cso, &oom);
        if (oom)
            return -1;
        if (!m || m->in_scope == 0)
            continue;
        m->in_scope--;
        if (d->flags & F_EXEMPT) {
            m->exempt--;
            for (int k = 0; k < FEED_EX_CODES; k++)
                if (d->codes & (1u << k))
                    m->codes[k]--;
        }
    }
    qsort(f->dead, f->nremoved, sizeof *f->dead, cmp_rowid);
    return 0;
}

ta_status feed_end(signals_feed *f, char *err, size_t errlen)
{
    ta_status s = TA_OK;
    if (f->started) {
        s = drain(f, err, errlen);
        stop_worker(f);
    }
    if (s == TA_OK && apply_removed(f) != 0)
        s = feed_fail(ENOMEM, err, errlen);
    return s;
}
