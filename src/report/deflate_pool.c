/*
 * deflate_pool.c — a long stream deflated on every core, as pigz does.
 *
 * The input is cut into chunks of RPT_POOL_CHUNK bytes that worker
 * threads deflate side by side, each a raw deflate stream of its own
 * (no back-reference into another chunk) ended by a sync flush
 * (byte-aligned, not final), the last one of a stream by Z_FINISH: their
 * concatenation is one valid deflate stream (RFC 1951: blocks simply
 * follow each other). The calling thread hands the chunks to the sink in
 * order, and the CRC-32 of the input is computed by the workers, chunk by
 * chunk, and combined here (crc32_combine).
 *
 * Memory is bounded: NSLOT chunks of input and their output, whatever
 * the length of the stream. The compressed form differs from a single
 * stream by a few bytes per MiB; the bytes inflate to the same.
 */
#include "deflate_pool.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NSLOT 6 /* chunks in flight: 2-3 per worker */
#define MAXWORKERS 4
/* room for a chunk deflated: zlib's bound, and the sync flush's marker */
#define OUT_BYTES (compressBound(RPT_POOL_CHUNK) + 1024)

enum { SLOT_FREE, SLOT_FILL, SLOT_READY, SLOT_BUSY, SLOT_DONE };

typedef struct slot {
    unsigned char *in, *out;
    size_t nin, nout;
    uLong crc;         /* of the chunk's input, by the worker */
    unsigned long seq; /* order in the stream */
    int state, last, failed;
} slot;

struct rpt_pool {
    slot s[NSLOT];
    pthread_t th[MAXWORKERS];
    int nth;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a slot changed state, or stop */
    int stop;
    unsigned long next_seq;  /* of the next chunk filled */
    unsigned long write_seq; /* of the next chunk handed to the sink */
    int fill;                /* the slot being filled, -1 none */
    int failed;              /* a chunk or the sink failed */
    rpt_pool_sink sink;
    void *ctx;
    uLong crc; /* of the input handed to the sink since rpt_pool_take */
    unsigned long long nin;
};

/* One chunk deflated by a worker: a stream of its own. */
static void deflate_slot(z_stream *zs, slot *s)
{
    s->crc = crc32(crc32(0L, Z_NULL, 0), s->in, (uInt)s->nin);
    deflateReset(zs);
    zs->next_in = s->in;
    zs->avail_in = (uInt)s->nin;
    zs->next_out = s->out;
    zs->avail_out = (uInt)OUT_BYTES;
    int rc = deflate(zs, s->last ? Z_FINISH : Z_SYNC_FLUSH);
    /* a sync flush is whole only with room left after it */
    s->failed = s->last ? rc != Z_STREAM_END
                        : rc != Z_OK || zs->avail_in || !zs->avail_out;
    s->nout = (size_t)(zs->next_out - s->out);
}

static void *worker(void *arg)
{
    rpt_pool *p = arg;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    int ok = deflateInit2(&zs, RPT_DEFLATE_LEVEL, Z_DEFLATED, -MAX_WBITS, 8,
                          Z_DEFAULT_STRATEGY) == Z_OK;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        slot *pick = NULL;
        for (int i = 0; i < NSLOT; i++)
            if (p->s[i].state == SLOT_READY &&
                (!pick || p->s[i].seq < pick->seq))
                pick = &p->s[i];
        if (!pick) {
            if (p->stop)
                break;
            pthread_cond_wait(&p->cv, &p->mu);
            continue;
        }
        pick->state = SLOT_BUSY;
        pthread_mutex_unlock(&p->mu);
        if (ok)
            deflate_slot(&zs, pick);
        else
            pick->failed = 1;
        pthread_mutex_lock(&p->mu);
        pick->state = SLOT_DONE;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    if (ok)
        deflateEnd(&zs);
    return NULL;
}

int rpt_cores(int max)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > max ? max : (int)cores;
}

void rpt_pool_free(rpt_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nth; i++)
        pthread_join(p->th[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    for (int i = 0; i < NSLOT; i++) {
        free(p->s[i].in);
        free(p->s[i].out);
    }
    free(p);
}

rpt_pool *rpt_pool_new(rpt_pool_sink sink, void *ctx)
{
    rpt_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    for (int i = 0; i < NSLOT; i++) {
        p->s[i].in = malloc(RPT_POOL_CHUNK);
        p->s[i].out = malloc(OUT_BYTES);
        if (!p->s[i].in || !p->s[i].out) {
            for (int k = 0; k <= i; k++) {
                free(p->s[k].in);
                free(p->s[k].out);
            }
            free(p);
            return NULL;
        }
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->fill = -1;
    p->sink = sink;
    p->ctx = ctx;
    p->crc = crc32(0L, Z_NULL, 0);
    int want = rpt_cores(MAXWORKERS);
    while (p->nth < want &&
           pthread_create(&p->th[p->nth], NULL, worker, p) == 0)
        p->nth++;
    if (p->nth == 0) {
        rpt_pool_free(p);
        return NULL;
    }
    return p;
}

/* Hands the chunks deflated so far to the sink, in order; with wait,
 * waits until the chunk due next is deflated (and, with all, until every
 * chunk handed out is through). Called with p->mu held. */
static int drain(rpt_pool *p, int wait, int all)
{
    for (;;) {
        slot *due = NULL;
        int pending = 0;
        for (int i = 0; i < NSLOT; i++) {
            if (p->s[i].state == SLOT_FREE || i == p->fill)
                continue;
            pending = 1;
            if (p->s[i].seq == p->write_seq)
                due = &p->s[i];
        }
        if (!pending || (!due && !wait))
            return 0;
        if (!due || due->state != SLOT_DONE) {
            if (!wait)
                return 0;
            pthread_cond_wait(&p->cv, &p->mu);
            continue;
        }
        pthread_mutex_unlock(&p->mu);
        int bad = due->failed ||
                  p->sink(p->ctx, due->out, due->nout, due->nin) != 0;
        pthread_mutex_lock(&p->mu);
        p->crc = crc32_combine(p->crc, due->crc, (z_off_t)due->nin);
        p->nin += due->nin;
        due->state = SLOT_FREE;
        p->write_seq++;
        if (bad) {
            p->failed = 1;
            return -1;
        }
        if (!all)
            wait = 0; /* one slot free is enough */
    }
}

/* A free slot to fill, or -1 (failure). Called with p->mu held. */
static int free_slot(rpt_pool *p)
{
    for (;;) {
        for (int i = 0; i < NSLOT; i++)
            if (p->s[i].state == SLOT_FREE) {
                p->s[i].nin = 0;
                p->s[i].last = 0;
                p->s[i].failed = 0;
                p->s[i].seq = p->next_seq++;
                p->s[i].state = SLOT_FILL;
                return i;
            }
        if (drain(p, 1, 0) != 0)
            return -1;
    }
}

/* Hands the slot being filled to the workers. Called with p->mu held. */
static void submit(rpt_pool *p, int last)
{
    slot *s = &p->s[p->fill];
    s->last = last;
    s->state = SLOT_READY;
    p->fill = -1;
    pthread_cond_broadcast(&p->cv);
}

int rpt_pool_write(rpt_pool *p, const void *data, size_t n)
{
    const unsigned char *buf = data;
    pthread_mutex_lock(&p->mu);
    int rc = p->failed ? -1 : 0;
    while (rc == 0 && n > 0) {
        if (p->fill < 0) {
            /* hand on what is done first: keeps the slots turning */
            rc = drain(p, 0, 0);
            int i = rc == 0 ? free_slot(p) : -1;
            if (i < 0) {
                rc = -1;
                break;
            }
            p->fill = i;
        }
        slot *s = &p->s[p->fill];
        size_t k = RPT_POOL_CHUNK - s->nin < n ? RPT_POOL_CHUNK - s->nin : n;
        pthread_mutex_unlock(&p->mu);
        memcpy(s->in + s->nin, buf, k);
        pthread_mutex_lock(&p->mu);
        s->nin += k;
        buf += k;
        n -= k;
        if (s->nin == RPT_POOL_CHUNK)
            submit(p, 0);
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int rpt_pool_flush(rpt_pool *p, int last)
{
    pthread_mutex_lock(&p->mu);
    int rc = p->failed ? -1 : 0;
    if (rc == 0 && p->fill < 0 && last) {
        /* the stream's end needs a chunk, empty or not */
        int i = free_slot(p);
        if (i < 0)
            rc = -1;
        else
            p->fill = i;
    }
    if (rc == 0 && p->fill >= 0) {
        if (p->s[p->fill].nin == 0 && !last) {
            /* nothing to end: the slot goes back */
            p->s[p->fill].state = SLOT_FREE;
            p->next_seq--;
            p->fill = -1;
        } else {
            submit(p, last);
        }
    }
    if (rc == 0)
        rc = drain(p, 1, 1);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void rpt_pool_take(rpt_pool *p, uLong *crc, unsigned long long *n)
{
    pthread_mutex_lock(&p->mu);
    *crc = p->crc;
    *n = p->nin;
    p->crc = crc32(0L, Z_NULL, 0);
    p->nin = 0;
    pthread_mutex_unlock(&p->mu);
}
