/*
 * deflate_level.c — how the workbooks are deflated: at zlib level 1
 * (Z_BEST_SPEED) instead of libxlsxwriter's fixed 6, and a large part
 * (the sheet XML of a long Temuan) on every core instead of one.
 *
 * Why: libxlsxwriter zips every part of the workbook through minizip at
 * zlib's default level (6), on the thread that calls workbook_close, and
 * offers no option for either. At 1M findings the sheet XML is ~1 GB:
 * deflating it at level 6 was 40 % of the report's time; level 1 halves
 * that for a file 17 % larger (docs/report.md, "Speed and memory"). What
 * is left of it still ran on one core while the other had nothing to do
 * (the rows are all written by then): so a part is cut into chunks of
 * 1 MiB that worker threads deflate side by side, as pigz does, and the
 * calling thread writes them into the zip in order.
 *
 * How: this file defines minizip's entry points zipOpenNewFileInZip4_64,
 * zipWriteInFileInZip and zipCloseFileInZip itself. The dynamic linker
 * resolves libxlsxwriter's calls to these definitions (the executable
 * comes first in the lookup order), which call minizip's own (dlsym
 * RTLD_NEXT). A part is opened in minizip's raw mode (we hand it deflated
 * bytes, with the CRC-32 and size at the close) and deflated here:
 *
 *   - on the calling thread, as minizip would, while the part is small
 *     (every part but the big sheets) — no thread, no buffer of ours;
 *   - past the first CHUNK bytes, by a pool of worker threads: each chunk
 *     is a deflate stream of its own ended by a sync flush (byte-aligned,
 *     not final), the last one by Z_FINISH, so their concatenation is one
 *     valid deflate stream (RFC 1951: blocks simply follow each other);
 *     what the calling thread had deflated itself is ended by a sync flush
 *     too and comes first.
 *
 * The bytes inflate to exactly what libxlsxwriter wrote (verify.c checks
 * every part's size and CRC-32 before a workbook is kept); only the
 * compressed form differs from a single stream, by a few bytes per MiB.
 * When the pool cannot be had (no memory, no thread), the part is
 * deflated on the calling thread to its end: the same content, only
 * slower, and no allocation of ours can fail the report. The state of the
 * part being written is the calling thread's own (thread-local): minizip
 * writes one part at a time per zip, and a workbook is one thread's.
 *
 * Where libxlsxwriter carries a private minizip these functions are
 * simply not called and the level stays 6 on one core: only the speed
 * differs, never the content. Nothing calls this file, so the build asks
 * the linker for the symbol (-u) to bring it out of the static library;
 * the CMake option TA_FAST_DEFLATE (ON by default) leaves the file out
 * of the build when OFF. tests/test_report.c reads the level minizip
 * recorded in the zip, and a 6,000-finding sheet (chunks) read back.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#define RPT_DEFLATE_LEVEL 1 /* Z_BEST_SPEED */
#define CHUNK (1u << 20)    /* bytes of XML per chunk */
#define NSLOT 6             /* chunks in flight: 2-3 per worker */
#define MAXWORKERS 4
/* room for a chunk deflated: zlib's bound, and the sync flush's marker */
#define OUT_BYTES (compressBound(CHUNK) + 1024)

typedef int (*zip_open_fn)(zipFile, const char *, const zip_fileinfo *,
                           const void *, uInt, const void *, uInt,
                           const char *, int, int, int, int, int, int,
                           const char *, uLong, uLong, uLong, int);
typedef int (*zip_write_fn)(zipFile, const void *, unsigned);
typedef int (*zip_close_fn)(zipFile);
typedef int (*zip_close_raw_fn)(zipFile, ZPOS64_T, uLong);

enum { SLOT_FREE, SLOT_FILL, SLOT_READY, SLOT_BUSY, SLOT_DONE };

typedef struct slot {
    unsigned char *in, *out;
    size_t nin, nout;
    uLong crc; /* of the chunk's input, by the worker */
    unsigned long seq; /* order in the part */
    int state, last, failed;
} slot;

typedef struct pool {
    slot s[NSLOT];
    pthread_t th[MAXWORKERS];
    int nth;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a slot changed state, or stop */
    int stop;
    unsigned long next_seq;  /* of the next chunk filled */
    unsigned long write_seq; /* of the next chunk written to the zip */
    int fill;                /* the slot being filled, -1 none */
} pool;

/* The part being written by this thread. */
typedef struct part {
    zipFile file; /* NULL: no part of ours open */
    z_stream zs;  /* the calling thread's own stream */
    int zs_open;
    uLong crc;
    ZPOS64_T size;
    int failed;  /* a deflate or zip write failed */
    int no_pool; /* the pool could not be had: all on this thread */
    pool *p;
} part;

static _Thread_local part P;

static void *next_fn(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    return f;
}

/* Deflates n bytes of in through zs with flush, handing the output to
 * minizip's own write. */
static int stream_out(zipFile file, z_stream *zs, const void *in, size_t n,
                      int flush)
{
    zip_write_fn wr;
    *(void **)&wr = next_fn("zipWriteInFileInZip");
    if (!wr)
        return -1;
    unsigned char out[16384];
    zs->next_in = (Bytef *)(uintptr_t)in;
    zs->avail_in = (uInt)n;
    for (;;) {
        zs->next_out = out;
        zs->avail_out = sizeof out;
        int rc = deflate(zs, flush);
        if (rc == Z_STREAM_ERROR)
            return -1;
        size_t got = sizeof out - zs->avail_out;
        if (got && wr(file, out, (unsigned)got) != ZIP_OK)
            return -1;
        if (zs->avail_in == 0 && zs->avail_out != 0)
            return 0;
    }
}

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
    pool *p = arg;
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

static void pool_free(pool *p)
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

/* The pool for this part: its buffers and one worker per core (at most
 * MAXWORKERS), or NULL. */
static pool *pool_new(void)
{
    pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    for (int i = 0; i < NSLOT; i++) {
        p->s[i].in = malloc(CHUNK);
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
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int want = cores < 1 ? 1 : cores > MAXWORKERS ? MAXWORKERS : (int)cores;
    while (p->nth < want &&
           pthread_create(&p->th[p->nth], NULL, worker, p) == 0)
        p->nth++;
    if (p->nth == 0) {
        pool_free(p);
        return NULL;
    }
    return p;
}

/* Writes the chunks deflated so far, in order, into the zip; with wait,
 * waits until the chunk due next is deflated (and, with all, until every
 * chunk handed out is written). Called with p->mu held. */
static int pool_drain(part *pt, int wait, int all)
{
    pool *p = pt->p;
    zip_write_fn wr;
    *(void **)&wr = next_fn("zipWriteInFileInZip");
    for (;;) {
        slot *due = NULL;
        int pending = 0;
        for (int i = 0; i < NSLOT; i++) {
            if (p->s[i].state != SLOT_FREE && i != p->fill)
                pending = 1;
            if (p->s[i].state != SLOT_FREE && p->s[i].seq == p->write_seq &&
                i != p->fill)
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
        int bad = due->failed || !wr ||
                  (due->nout && wr(pt->file, due->out,
                                   (unsigned)due->nout) != ZIP_OK);
        pthread_mutex_lock(&p->mu);
        /* the part's CRC-32, chunk by chunk in order */
        pt->crc = crc32_combine(pt->crc, due->crc, (z_off_t)due->nin);
        due->state = SLOT_FREE;
        p->write_seq++;
        if (bad)
            return -1;
        if (!all)
            wait = 0; /* one slot free is enough */
    }
}

/* A free slot to fill, or -1 (failure). Called with p->mu held. */
static int pool_slot(part *pt)
{
    pool *p = pt->p;
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
        if (pool_drain(pt, 1, 0) != 0)
            return -1;
    }
}

/* Hands the slot being filled to the workers. Called with p->mu held. */
static void pool_submit(pool *p, int last)
{
    slot *s = &p->s[p->fill];
    s->last = last;
    s->state = SLOT_READY;
    p->fill = -1;
    pthread_cond_broadcast(&p->cv);
}

/* n more bytes of the part into the pool's chunks. */
static int pool_write(part *pt, const unsigned char *buf, size_t n)
{
    pool *p = pt->p;
    int rc = 0;
    pthread_mutex_lock(&p->mu);
    while (rc == 0 && n > 0) {
        if (p->fill < 0) {
            /* write what is done first: keeps the slots turning */
            rc = pool_drain(pt, 0, 0);
            int i = rc == 0 ? pool_slot(pt) : -1;
            if (i < 0) {
                rc = -1;
                break;
            }
            p->fill = i;
        }
        slot *s = &p->s[p->fill];
        size_t k = CHUNK - s->nin < n ? CHUNK - s->nin : n;
        pthread_mutex_unlock(&p->mu);
        memcpy(s->in + s->nin, buf, k);
        pthread_mutex_lock(&p->mu);
        s->nin += k;
        buf += k;
        n -= k;
        if (s->nin == CHUNK)
            pool_submit(p, 0);
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* The end of the part through the pool: the last chunk (perhaps empty)
 * ends the stream. */
static int pool_finish(part *pt)
{
    pool *p = pt->p;
    pthread_mutex_lock(&p->mu);
    int rc = 0;
    if (p->fill < 0) {
        int i = pool_slot(pt);
        if (i < 0)
            rc = -1;
        else
            p->fill = i;
    }
    if (rc == 0) {
        pool_submit(p, 1);
        rc = pool_drain(pt, 1, 1);
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

static void part_end(part *pt)
{
    if (pt->zs_open)
        deflateEnd(&pt->zs);
    pool_free(pt->p);
    memset(pt, 0, sizeof *pt);
}

int zipOpenNewFileInZip4_64(zipFile file, const char *filename,
                            const zip_fileinfo *zipfi,
                            const void *extrafield_local,
                            uInt size_extrafield_local,
                            const void *extrafield_global,
                            uInt size_extrafield_global, const char *comment,
                            int method, int level, int raw, int windowBits,
                            int memLevel, int strategy, const char *password,
                            uLong crcForCrypting, uLong versionMadeBy,
                            uLong flagBase, int zip64)
{
    zip_open_fn next;
    /* POSIX's way to turn dlsym's void * into a function pointer */
    *(void **)&next = next_fn("zipOpenNewFileInZip4_64");
    if (!next)
        return ZIP_INTERNALERROR;
    if (!raw && (level < 0 || level > RPT_DEFLATE_LEVEL))
        level = RPT_DEFLATE_LEVEL;
    /* ours to deflate: a deflated part without a password, as
     * libxlsxwriter writes every part */
    int ours = !raw && method == Z_DEFLATED && !password;
    if (ours) {
        if (P.file)
            part_end(&P); /* a part left open: minizip closes it itself */
        if (deflateInit2(&P.zs, level, Z_DEFLATED, -MAX_WBITS,
                         memLevel > 0 ? memLevel : 8,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
            memset(&P, 0, sizeof P);
            ours = 0;
        } else {
            P.zs_open = 1;
        }
    }
    /* the level still goes to minizip: it records it in the zip */
    int rc = next(file, filename, zipfi, extrafield_local,
                  size_extrafield_local, extrafield_global,
                  size_extrafield_global, comment, method, level,
                  ours ? 1 : raw, windowBits, memLevel, strategy, password,
                  crcForCrypting, versionMadeBy, flagBase, zip64);
    if (ours) {
        if (rc == ZIP_OK) {
            P.file = file;
            P.crc = crc32(0L, Z_NULL, 0);
        } else {
            part_end(&P);
        }
    }
    return rc;
}

int zipWriteInFileInZip(zipFile file, const void *buf, unsigned len)
{
    if (!P.file || P.file != file) {
        zip_write_fn next;
        *(void **)&next = next_fn("zipWriteInFileInZip");
        return next ? next(file, buf, len) : ZIP_INTERNALERROR;
    }
    if (P.failed)
        return ZIP_INTERNALERROR;
    P.size += len;
    int rc = 0;
    if (!P.p && !P.no_pool && P.size > CHUNK) {
        /* a large part: what this thread deflated so far ends on a byte
         * boundary, the rest goes to the workers */
        P.p = pool_new();
        if (!P.p)
            P.no_pool = 1;
        else
            rc = stream_out(file, &P.zs, NULL, 0, Z_SYNC_FLUSH);
    }
    if (rc == 0 && !P.p)
        P.crc = crc32(P.crc, buf, len); /* the pool's by its workers */
    if (rc == 0)
        rc = P.p ? pool_write(&P, buf, len)
                 : stream_out(file, &P.zs, buf, len, Z_NO_FLUSH);
    if (rc != 0) {
        P.failed = 1;
        return ZIP_INTERNALERROR;
    }
    return ZIP_OK;
}

int zipCloseFileInZip(zipFile file)
{
    if (!P.file || P.file != file) {
        zip_close_fn next;
        *(void **)&next = next_fn("zipCloseFileInZip");
        return next ? next(file) : ZIP_INTERNALERROR;
    }
    zip_close_raw_fn close_raw;
    *(void **)&close_raw = next_fn("zipCloseFileInZipRaw64");
    int rc = P.failed ? -1
             : P.p    ? pool_finish(&P)
                      : stream_out(file, &P.zs, NULL, 0, Z_FINISH);
    ZPOS64_T size = P.size;
    uLong crc = P.crc;
    part_end(&P);
    /* closed in any case, so that minizip's state is whole; the part's
     * failure is the result */
    int closed = close_raw ? close_raw(file, size, crc) : ZIP_INTERNALERROR;
    return rc != 0 ? ZIP_INTERNALERROR : closed;
}
