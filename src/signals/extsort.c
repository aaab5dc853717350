/*
 * extsort.c — external sort of keyed records with a payload (see
 * signals_internal.h).
 *
 * A run is the payload bytes in an arena and an index of (k1, k2, offset,
 * length) entries. The index is sorted by one counting pass on the top 16
 * bits of k1 (the keys are hashes, so the 65,536 buckets hold a few
 * entries each) and a small sort of each bucket: two passes instead of the
 * eight of a full radix sort, and no comparison callback for the bulk.
 * Runs go, in order, to one unlinked temporary file as k1, k2, a 16-bit
 * length and the payload. The merge reads every run through its own window;
 * the windows share the memory the run buffers held, so memory stays the same
 * however many runs there are (until each window is down to MIN_WINDOW bytes).
 */
#include "signals_internal.h"

#include "tempfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_ARENA (4u << 20)
#define BUCKET_BITS 16
#define SMALL 24
#define HEADER 18 /* k1, k2, 16-bit length */
#define MIN_WINDOW (2 * (HEADER + EXTSORT_MAX_PAYLOAD))

typedef struct ent {
    uint64_t k1, k2;
    uint32_t off, len;
} ent;

typedef struct run {
    off_t off;          /* next byte of the run in the file */
    uint64_t left;      /* bytes of the run not yet read */
    unsigned char *w;   /* its window */
    size_t cap, lo, hi; /* bytes [lo, hi) of w are read, unconsumed */
    ent head;           /* the record at lo (off relative to w) */
} run;

struct extsort {
    unsigned char *arena;
    size_t arena_cap, arena_n;
    ent *idx, *tmp;
    size_t idx_cap, n, total;
    int fd; /* -1 until the first run is written */
    off_t end;
    run *runs;
    size_t nruns, runs_cap;
    int reading;
    size_t mem_i;
    unsigned char *windows;
    size_t *heap, heap_n;
};

static inline int less(const ent *a, const ent *b)
{
    return a->k1 < b->k1 || (a->k1 == b->k1 && a->k2 < b->k2);
}

static void insertion(ent *r, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        ent x = r[i];
        size_t j = i;
        while (j > 0 && less(&x, &r[j - 1])) {
            r[j] = r[j - 1];
            j--;
        }
        r[j] = x;
    }
}

static int cmp_ent(const void *a, const void *b)
{
    const ent *x = a, *y = b;
    return less(x, y) ? -1 : less(y, x);
}

/* Sorts n entries of r by (k1, k2), with tmp as scratch of n entries. */
static void sort_entries(ent *r, ent *tmp, size_t n)
{
    if (n <= SMALL) {
        insertion(r, n);
        return;
    }
    /* Without memory for the counts a plain qsort is still correct. */
    size_t *start = calloc((1u << BUCKET_BITS) + 1, sizeof *start);
    if (!start) {
        qsort(r, n, sizeof *r, cmp_ent);
        return;
    }
    for (size_t i = 0; i < n; i++)
        start[(r[i].k1 >> (64 - BUCKET_BITS)) + 1]++;
    for (size_t b = 1; b <= (1u << BUCKET_BITS); b++)
        start[b] += start[b - 1];
    for (size_t i = 0; i < n; i++)
        tmp[start[r[i].k1 >> (64 - BUCKET_BITS)]++] = r[i];
    /* start[b] is now the end of bucket b */
    size_t from = 0;
    for (size_t b = 0; b < (1u << BUCKET_BITS); b++) {
        size_t to = start[b], len = to - from;
        if (len > SMALL)
            qsort(tmp + from, len, sizeof *tmp, cmp_ent);
        else if (len > 1)
            insertion(tmp + from, len);
        from = to;
    }
    memcpy(r, tmp, n * sizeof *r);
    free(start);
}

extsort *extsort_new(size_t run_bytes)
{
    extsort *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->arena_cap = run_bytes ? run_bytes : DEFAULT_ARENA;
    if (s->arena_cap < MIN_WINDOW)
        s->arena_cap = MIN_WINDOW;
    s->idx_cap = s->arena_cap / 32; /* records are rarely under 32 bytes */
    s->fd = -1;
    s->arena = malloc(s->arena_cap);
    s->idx = malloc(s->idx_cap * sizeof *s->idx);
    s->tmp = malloc(s->idx_cap * sizeof *s->tmp);
    if (!s->arena || !s->idx || !s->tmp) {
        extsort_free(s);
        return NULL;
    }
    return s;
}

void extsort_free(extsort *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s->arena);
    free(s->idx);
    free(s->tmp);
    free(s->windows);
    free(s->runs);
    free(s->heap);
    free(s);
}

size_t extsort_count(const extsort *s)
{
    return s->total;
}
size_t extsort_runs(const extsort *s)
{
    return s->nruns;
}

static int open_temp(extsort *s)
{
    s->fd = tempfile_open("sort");
    return s->fd < 0 ? -1 : 0;
}

/* Sorts the buffer and appends it to the file as one run, serialized
 * through the scratch index's memory in blocks. */
static int spill(extsort *s)
{
    if (s->n == 0)
        return 0;
    if (s->fd < 0 && open_temp(s) != 0)
        return -1;
    if (s->nruns == s->runs_cap) {
        size_t cap = s->runs_cap ? s->runs_cap * 2 : 16;
        run *nr = realloc(s->runs, cap * sizeof *nr);
        if (!nr)
            return -1;
        s->runs = nr;
        s->runs_cap = cap;
    }
    sort_entries(s->idx, s->tmp, s->n);
    unsigned char *out = (unsigned char *)s->tmp;
    size_t out_cap = s->idx_cap * sizeof *s->tmp, o = 0;
    off_t start = s->end;
    for (size_t i = 0; i < s->n; i++) {
        const ent *e = &s->idx[i];
        if (o + HEADER + e->len > out_cap) {
            if (tempfile_pwrite_all(s->fd, out, o, s->end) != 0)
                return -1;
            s->end += (off_t)o;
            o = 0;
        }
        uint16_t len = (uint16_t)e->len;
        memcpy(out + o, &e->k1, 8);
        memcpy(out + o + 8, &e->k2, 8);
        memcpy(out + o + 16, &len, 2);
        memcpy(out + o + HEADER, s->arena + e->off, e->len);
        o += HEADER + e->len;
    }
    if (o > 0 && tempfile_pwrite_all(s->fd, out, o, s->end) != 0)
        return -1;
    s->end += (off_t)o;
    run *r = &s->runs[s->nruns++];
    memset(r, 0, sizeof *r);
    r->off = start;
    r->left = (uint64_t)(s->end - start);
    s->n = 0;
    s->arena_n = 0;
    return 0;
}

int extsort_add(extsort *s, uint64_t k1, uint64_t k2, const void *data,
                size_t len)
{
    if (s->reading || len > EXTSORT_MAX_PAYLOAD) {
        errno = EINVAL;
        return -1;
    }
    if ((s->n == s->idx_cap || s->arena_n + len > s->arena_cap) &&
        spill(s) != 0)
        return -1;
    ent *e = &s->idx[s->n++];
    e->k1 = k1;
    e->k2 = k2;
    e->off = (uint32_t)s->arena_n;
    e->len = (uint32_t)len;
    if (len)
        memcpy(s->arena + s->arena_n, data, len);
    s->arena_n += len;
    s->total++;
    return 0;
}

/* Makes the record at r->lo whole in the window, reading more of the run
 * when needed; 1 when there is one, 0 at the run's end, -1 on error. */
static int load_head(extsort *s, run *r)
{
    for (;;) {
        size_t have = r->hi - r->lo;
        if (have >= HEADER) {
            uint16_t len;
            memcpy(&len, r->w + r->lo + 16, 2);
            if (have >= HEADER + (size_t)len) {
                memcpy(&r->head.k1, r->w + r->lo, 8);
                memcpy(&r->head.k2, r->w + r->lo + 8, 8);
                r->head.len = len;
                r->head.off = (uint32_t)(r->lo + HEADER);
                return 1;
            }
        }
        if (r->left == 0) {
            if (have == 0)
                return 0;
            errno = EIO; /* a run ends inside a record */
            return -1;
        }
        memmove(r->w, r->w + r->lo, have);
        r->lo = 0;
        r->hi = have;
        size_t want = r->cap - r->hi;
        if (want > r->left)
            want = (size_t)r->left;
        ssize_t n = pread(s->fd, r->w + r->hi, want, r->off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO; /* the file is shorter than what was written */
            return -1;
        }
        r->off += n;
        r->left -= (uint64_t)n;
        r->hi += (size_t)n;
    }
}

static int head_less(const extsort *s, size_t a, size_t b)
{
    return less(&s->runs[a].head, &s->runs[b].head);
}

static void sift_down(extsort *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < s->heap_n && head_less(s, s->heap[l], s->heap[m]))
            m = l;
        if (l + 1 < s->heap_n && head_less(s, s->heap[l + 1], s->heap[m]))
            m = l + 1;
        if (m == i)
            return;
        size_t t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
}

/* Ends the adding: either everything is in the buffer (sort it there) or
 * the rest becomes the last run and the runs are merged through windows
 * cut from memory the size of the run buffers. */
static int start_reading(extsort *s)
{
    s->reading = 1;
    if (s->fd < 0) {
        sort_entries(s->idx, s->tmp, s->n);
        return 0;
    }
    if (spill(s) != 0)
        return -1;
    size_t total = s->arena_cap + 2 * s->idx_cap * sizeof *s->idx;
    free(s->arena);
    free(s->idx);
    free(s->tmp);
    s->arena = NULL;
    s->idx = s->tmp = NULL;
    size_t share = total / s->nruns;
    if (share < MIN_WINDOW)
        share = MIN_WINDOW;
    s->windows = malloc(share * s->nruns);
    s->heap = malloc(s->nruns * sizeof *s->heap);
    if (!s->windows || !s->heap)
        return -1;
    for (size_t i = 0; i < s->nruns; i++) {
        run *r = &s->runs[i];
        r->w = s->windows + i * share;
        r->cap = share;
        int rc = load_head(s, r);
        if (rc < 0)
            return -1;
        if (rc == 1)
            s->heap[s->heap_n++] = i;
    }
    for (size_t i = s->heap_n; i-- > 0;)
        sift_down(s, i);
    return 0;
}

int extsort_next(extsort *s, extsort_rec *out)
{
    if (!s->reading && start_reading(s) != 0)
        return -1;
    if (s->fd < 0) {
        if (s->mem_i == s->n)
            return 0;
        const ent *e = &s->idx[s->mem_i++];
        out->k1 = e->k1;
        out->k2 = e->k2;
        out->data = s->arena + e->off;
        out->len = e->len;
        return 1;
    }
    /* The record returned last time is consumed only now, so its bytes
     * stayed valid until this call. */
    if (s->mem_i && s->heap_n > 0) {
        s->mem_i = 0;
        run *r = &s->runs[s->heap[0]];
        r->lo = r->head.off + r->head.len;
        int rc = load_head(s, r);
        if (rc < 0)
            return -1;
        if (rc == 0)
            s->heap[0] = s->heap[--s->heap_n];
        if (s->heap_n > 0)
            sift_down(s, 0);
    }
    if (s->heap_n == 0)
        return 0;
    s->mem_i = 1;
    run *r = &s->runs[s->heap[0]];
    out->k1 = r->head.k1;
    out->k2 = r->head.k2;
    out->data = r->w + r->head.off;
    out->len = r->head.len;
    return 1;
}
