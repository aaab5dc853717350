/*
 * splice.c — the rows of a long sheet deflated while they are written
 * (splice.h).
 *
 * Why: libxlsxwriter keeps a constant-memory sheet's rows in a temporary
 * file, copies them into a second temporary file when it assembles the
 * sheet's XML, reads that back and deflates it at workbook_close, on one
 * thread, after every row is written. At 1M findings that is ~1 GB
 * written twice and read twice through the kernel (a fifth of the
 * report's CPU in the profile, docs/benchmarks.md) and a deflate of 1 GB
 * that starts only once the rows are done. Here the rows are deflated by
 * the pool's workers while the next rows are prepared, into a temporary
 * file of ~90 MB, and the zip override (deflate_level.c) copies those
 * bytes in place of the marker.
 *
 * The registry: every splice from rpt_splice_new until the zip claims it
 * or rpt_splice_settle frees it, so that nothing outlives a workbook,
 * whichever way it ends. A mutex guards it, though today one thread
 * writes a workbook and zips it.
 */
#include "splice.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <xlsxwriter/utility.h>

#include "deflate_pool.h"
#include "segments.h"

#define MARK_HEAD "<!--ta-rows-"
#define MARK_HEAD_LEN 12
#define MARK_TAIL "-->"
#define COPY_BYTES (64 * 1024)

struct rpt_splice {
    struct rpt_splice *next; /* in the registry */
    unsigned long long id;
    FILE *f;             /* the deflated rows (scratch.c: checked) */
    rpt_pool *pool;      /* while rows come */
    int ready, failed;
    unsigned long long clen; /* deflated bytes in f */
    uLong crc;               /* of the rows' XML */
    unsigned long long len;  /* its length */
    rpt_seg *seg;            /* its chunks, for the read-back */
    size_t nseg, capseg;
    int noseg; /* out of memory for them: the read-back goes in one pass */
};

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static rpt_splice *reg;
static unsigned long long reg_next = 1;
static atomic_ulong zip_seen;
static int usable = -1; /* not probed yet */

void rpt_splice_zip_seen(void)
{
    atomic_fetch_add(&zip_seen, 1);
}

/* A one-sheet workbook written through libxlsxwriter: do its parts reach
 * the override? 1 or 0; -1 when it could not be written (no memory, a
 * full folder): not an answer, the next sheet asks again. */
static int probe(const char *tmpdir)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/.ta-probe-%ld.xlsx",
                     tmpdir && *tmpdir ? tmpdir : ".", (long)getpid());
    if (n < 0 || (size_t)n >= sizeof path)
        return -1;
    unsigned long before = atomic_load(&zip_seen);
    lxw_workbook_options o = {.constant_memory = LXW_TRUE,
                              .tmpdir = (char *)tmpdir};
    lxw_workbook *wb = workbook_new_opt(path, &o);
    if (!wb)
        return -1;
    int ok = workbook_add_worksheet(wb, NULL) != NULL;
    ok = workbook_close(wb) == LXW_NO_ERROR && ok;
    unlink(path);
    if (!ok)
        return -1;
    return atomic_load(&zip_seen) > before;
}

int rpt_splice_usable(const char *tmpdir)
{
    if (usable < 0)
        usable = probe(tmpdir);
    return usable > 0;
}

static int to_file(void *ctx, const unsigned char *p, size_t n, size_t nin)
{
    rpt_splice *s = ctx;
    if (!s->noseg && s->nseg == s->capseg) {
        size_t cap = s->capseg ? 2 * s->capseg : 64;
        rpt_seg *g = realloc(s->seg, cap * sizeof *g);
        if (g) {
            s->seg = g;
            s->capseg = cap;
        } else {
            s->noseg = 1;
        }
    }
    if (fwrite(p, 1, n, s->f) != n)
        return -1;
    if (!s->noseg)
        s->seg[s->nseg++] = (rpt_seg){n, nin};
    s->clen += n;
    return 0;
}

rpt_splice *rpt_splice_new(const char *tmpdir, char *mark)
{
    rpt_splice *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->f = lxw_tmpfile((char *)tmpdir);
    s->pool = s->f ? rpt_pool_new(to_file, s) : NULL;
    if (!s->pool) {
        if (s->f)
            fclose(s->f);
        free(s);
        return NULL;
    }
    pthread_mutex_lock(&reg_mu);
    s->id = reg_next++;
    s->next = reg;
    reg = s;
    pthread_mutex_unlock(&reg_mu);
    char m[RPT_SPLICE_MARK + 1];
    snprintf(m, sizeof m, MARK_HEAD "%016llx" MARK_TAIL, s->id);
    memcpy(mark, m, RPT_SPLICE_MARK);
    return s;
}

int rpt_splice_write(rpt_splice *s, const void *p, size_t n)
{
    if (s->failed || rpt_pool_write(s->pool, p, n) != 0) {
        s->failed = 1;
        return -1;
    }
    return 0;
}

int rpt_splice_end(rpt_splice *s)
{
    if (s->failed || rpt_pool_flush(s->pool, 0) != 0 || fflush(s->f) != 0) {
        s->failed = 1;
        return -1;
    }
    rpt_pool_take(s->pool, &s->crc, &s->len);
    rpt_pool_free(s->pool);
    s->pool = NULL;
    pthread_mutex_lock(&reg_mu);
    s->ready = 1;
    pthread_mutex_unlock(&reg_mu);
    return 0;
}

int rpt_splice_waiting(void)
{
    pthread_mutex_lock(&reg_mu);
    int any = 0;
    for (rpt_splice *s = reg; s && !any; s = s->next)
        any = s->ready;
    pthread_mutex_unlock(&reg_mu);
    return any;
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int rpt_splice_mark_prefix(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n && i < RPT_SPLICE_MARK; i++) {
        int ok = i < MARK_HEAD_LEN ? s[i] == (unsigned char)MARK_HEAD[i]
                 : i < MARK_HEAD_LEN + 16
                     ? is_hex(s[i])
                     : s[i] == (unsigned char)
                                   MARK_TAIL[i - MARK_HEAD_LEN - 16];
        if (!ok)
            return 0;
    }
    return 1;
}

rpt_splice *rpt_splice_claim(const unsigned char *mark)
{
    if (!rpt_splice_mark_prefix(mark, RPT_SPLICE_MARK))
        return NULL;
    unsigned long long id = 0;
    for (int i = 0; i < 16; i++) {
        unsigned char c = mark[MARK_HEAD_LEN + i];
        id = id << 4 | (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    pthread_mutex_lock(&reg_mu);
    rpt_splice **pp = &reg;
    while (*pp && !((*pp)->id == id && (*pp)->ready))
        pp = &(*pp)->next;
    rpt_splice *s = *pp;
    if (s)
        *pp = s->next;
    pthread_mutex_unlock(&reg_mu);
    return s;
}

int rpt_splice_copy(rpt_splice *s, int (*out)(void *, const void *, size_t),
                    void *ctx, uLong *crc, unsigned long long *len)
{
    *crc = s->crc;
    *len = s->len;
    if (fseeko(s->f, 0, SEEK_SET) != 0)
        return -1;
    unsigned char *buf = malloc(COPY_BYTES);
    if (!buf)
        return -1;
    unsigned long long left = s->clen;
    int rc = 0;
    while (rc == 0 && left > 0) {
        size_t want = left < COPY_BYTES ? (size_t)left : COPY_BYTES;
        size_t got = fread(buf, 1, want, s->f);
        if (got != want)
            rc = -1; /* cut short: scratch.c has the cause if any */
        else if (out(ctx, buf, got) != 0)
            rc = -1;
        left -= got;
    }
    free(buf);
    return rc;
}

const rpt_seg *rpt_splice_segments(const rpt_splice *s, size_t *n)
{
    *n = s->noseg ? 0 : s->nseg;
    return s->noseg ? NULL : s->seg;
}

void rpt_splice_free(rpt_splice *s)
{
    if (!s)
        return;
    free(s->seg);
    rpt_pool_free(s->pool);
    if (s->f)
        fclose(s->f);
    free(s);
}

size_t rpt_splice_settle(void)
{
    pthread_mutex_lock(&reg_mu);
    rpt_splice *s = reg;
    reg = NULL;
    pthread_mutex_unlock(&reg_mu);
    size_t lost = 0;
    while (s) {
        rpt_splice *next = s->next;
        lost += (size_t)s->ready;
        rpt_splice_free(s);
        s = next;
    }
    return lost;
}
