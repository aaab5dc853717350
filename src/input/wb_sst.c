/*
 * wb_sst.c — the shared-strings store (wb_sst.h).
 *
 * Small tables stay in memory: the texts one after another, a 32-bit start
 * offset per string (a string's end is the next one's start). A table over
 * the budget goes to an unlinked temporary file (the offsets stay in memory
 * while they take at most WS_IDX_MEM, else they go to a second file).
 *
 * Reading a spilled table is shaped by how exports use their strings
 * (measured on the 1M-row benchmark, docs/workbooks.md): new strings are
 * met in table order (ticket ids, dates: each used once, just past the
 * highest string read so far), a few values are used all the time (the
 * CSOs, the categories: all near the start), and contact data repeats at
 * random places of the table (a customer's e-mail, HP). So:
 *   - a direct-mapped cache of 16 KiB pages serves the frontier (a page is
 *     read when the string lies at or past the highest page read) and the
 *     hot first pages;
 *   - a string behind the frontier whose page is not cached is read alone
 *     (one pread of its bytes) into a cache of single strings, an 8 MiB
 *     ring with a hash of the strings it holds, which the repeated values
 *     soon fill.
 * A string over Excel's 32,767 units is stored as the one byte 0x01 (no
 * cleaned text holds a control character) and reported as too long.
 */
#include "wb_sst.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tempfile.h"

#define WS_DEFAULT_MEM ((size_t)8 << 20)
#define WS_IDX_MEM ((size_t)8 << 20) /* offsets kept in memory when spilled   \
                                      */
#define WS_PAGE ((size_t)16384)
#define WS_PAGES 64u     /* 1 MiB of text pages */
#define WS_IDX_PAGES 64u /* 1 MiB of offset pages */
#define WS_WBUF ((size_t)64 * 1024)
#define WS_SC_BITS 18u                /* 262,144 cached strings at most */
#define WS_SC_ARENA ((size_t)8 << 20) /* their bytes */
#define WS_SC_PROBE 8u
#define WS_TOOLONG '\x01'
#define WS_HOT 2048u /* short strings in the hot cache (64 KiB) */
#define WS_HOT_LEN 26u

/* The values every row repeats (CSOs, categories, media) are a handful of
 * short strings: a small direct-mapped copy of the last short strings
 * read keeps them in the processor's caches, whatever the table's size. */
typedef struct ws_hot {
    uint32_t idx1; /* string index + 1, 0: empty */
    uint16_t len;
    char text[WS_HOT_LEN];
} ws_hot;

typedef struct ws_pages {
    int fd;
    size_t slots;
    unsigned char *mem;
    uint64_t *tag; /* page in each slot, UINT64_MAX: none */
    size_t *valid; /* its bytes that exist */
    uint64_t high; /* highest page read, +1 (0: none yet) */
    uint64_t size; /* bytes written to the file */
} ws_pages;

typedef struct ws_sc_ent {
    uint32_t idx1; /* string index + 1, 0: empty */
    uint32_t len;
    uint64_t pos; /* where its bytes start in the ring's history */
} ws_sc_ent;

struct sst {
    size_t mem_bytes;
    size_t n;
    int spilled;
    /* offsets: in memory (off) or in a file (ifd, through ic) */
    uint32_t *off;
    size_t offcap;
    int idx_spilled;
    ws_pages ic;
    uint32_t *ibuf;
    size_t ibuf_len;
    uint64_t iflushed; /* offsets written to the file */
    /* texts: in memory (data) or in a file (through dc) */
    ta_buf data;
    ws_pages dc;
    uint64_t dlen, dflushed;
    unsigned char *dbuf;
    size_t dbuf_len;
    ws_hot *hot;
    /* the single-string cache */
    ws_sc_ent *sc;
    unsigned char *arena;
    uint64_t head;
};

sst *sst_new(size_t mem_bytes)
{
    sst *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->mem_bytes = mem_bytes ? mem_bytes : WS_DEFAULT_MEM;
    s->hot = calloc(WS_HOT, sizeof *s->hot);
    if (!s->hot) {
        free(s);
        return NULL;
    }
    buf_init(&s->data, 0);
    s->dc.fd = s->ic.fd = -1;
    return s;
}

static void pages_free(ws_pages *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->mem);
    free(c->tag);
    free(c->valid);
}

void sst_free(sst *s)
{
    if (!s)
        return;
    free(s->off);
    pages_free(&s->ic);
    free(s->ibuf);
    buf_free(&s->data);
    pages_free(&s->dc);
    free(s->dbuf);
    free(s->sc);
    free(s->arena);
    free(s->hot);
    free(s);
}

size_t sst_count(const sst *s)
{
    return s->n;
}

int sst_spilled(const sst *s)
{
    return s->spilled;
}

static int pages_init(ws_pages *c, size_t slots, const char *what)
{
    c->slots = slots;
    c->mem = malloc(slots * WS_PAGE);
    c->tag = malloc(slots * sizeof *c->tag);
    c->valid = calloc(slots, sizeof *c->valid);
    if (!c->mem || !c->tag || !c->valid)
        return -1;
    for (size_t i = 0; i < slots; i++)
        c->tag[i] = UINT64_MAX;
    c->fd = tempfile_open(what);
    return c->fd < 0 ? -2 : 0;
}

/* The slot holding page pg, read from the file when it is not cached;
 * NULL on a read error (errno set). */
static unsigned char *page(ws_pages *c, uint64_t pg, size_t *valid)
{
    size_t slot = (size_t)(pg % c->slots);
    unsigned char *m = c->mem + slot * WS_PAGE;
    if (c->tag[slot] != pg) {
        uint64_t at = pg * WS_PAGE;
        size_t got = at >= c->size            ? 0
                     : c->size - at < WS_PAGE ? (size_t)(c->size - at)
                                              : WS_PAGE;
        c->tag[slot] = UINT64_MAX;
        if (got && tempfile_pread_all(c->fd, m, got, (off_t)at))
            return NULL;
        c->tag[slot] = pg;
        c->valid[slot] = got;
        if (pg + 1 > c->high)
            c->high = pg + 1;
    }
    *valid = c->valid[slot];
    return m;
}

static int cached(const ws_pages *c, uint64_t pg)
{
    return c->tag[pg % c->slots] == pg;
}

/* n bytes at off through the page cache. */
static int pages_read(ws_pages *c, uint64_t off, unsigned char *dst, size_t n)
{
    while (n > 0) {
        size_t valid;
        unsigned char *m = page(c, off / WS_PAGE, &valid);
        if (!m)
            return -2;
        size_t in = (size_t)(off % WS_PAGE);
        size_t k = WS_PAGE - in;
        if (k > n)
            k = n;
        if (in + k > valid) {
            errno = EIO;
            return -2;
        }
        memcpy(dst, m + in, k);
        dst += k;
        off += k;
        n -= k;
    }
    return 0;
}

static int write_at(int fd, const void *p, size_t n, uint64_t off)
{
    return tempfile_pwrite_all(fd, p, n, (off_t)off) ? -2 : 0;
}

static int flush_data(sst *s)
{
    if (s->dbuf_len == 0)
        return 0;
    if (write_at(s->dc.fd, s->dbuf, s->dbuf_len, s->dflushed))
        return -2;
    s->dflushed += s->dbuf_len;
    s->dc.size = s->dflushed;
    s->dbuf_len = 0;
    return 0;
}

static int flush_index(sst *s)
{
    if (s->ibuf_len == 0)
        return 0;
    if (write_at(s->ic.fd, s->ibuf, s->ibuf_len * sizeof *s->ibuf,
                 s->iflushed * sizeof *s->ibuf))
        return -2;
    s->iflushed += s->ibuf_len;
    s->ic.size = s->iflushed * sizeof *s->ibuf;
    s->ibuf_len = 0;
    return 0;
}

static int put_data(sst *s, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n > 0) {
        size_t k = WS_WBUF - s->dbuf_len;
        if (k > n)
            k = n;
        memcpy(s->dbuf + s->dbuf_len, b, k);
        s->dbuf_len += k;
        b += k;
        n -= k;
        s->dlen += k;
        if (s->dbuf_len == WS_WBUF && flush_data(s))
            return -2;
    }
    return 0;
}

/* Moves the offsets to their file (when they outgrow WS_IDX_MEM). */
static int spill_index(sst *s)
{
    s->ibuf = malloc(WS_WBUF);
    if (!s->ibuf)
        return -1;
    int rc = pages_init(&s->ic, WS_IDX_PAGES, "sst-index");
    if (rc)
        return rc;
    if (s->n && write_at(s->ic.fd, s->off, s->n * sizeof *s->off, 0))
        return -2;
    s->iflushed = s->n;
    s->ic.size = s->n * sizeof *s->off;
    free(s->off);
    s->off = NULL;
    s->offcap = 0;
    s->idx_spilled = 1;
    return 0;
}

static int put_offset(sst *s, uint32_t v)
{
    if (!s->idx_spilled && (s->n + 1) * sizeof *s->off > WS_IDX_MEM &&
        s->spilled) {
        int rc = spill_index(s);
        if (rc)
            return rc;
    }
    if (s->idx_spilled) {
        s->ibuf[s->ibuf_len++] = v;
        if (s->ibuf_len == WS_WBUF / sizeof *s->ibuf)
            return flush_index(s);
        return 0;
    }
    if (s->n + 1 > s->offcap &&
        buf_grow_array(&s->off, &s->offcap, s->n + 1, sizeof *s->off))
        return -1;
    s->off[s->n] = v;
    return 0;
}

/* Moves the texts to their file. */
static int spill(sst *s)
{
    s->dbuf = malloc(WS_WBUF);
    s->sc = calloc((size_t)1 << WS_SC_BITS, sizeof *s->sc);
    s->arena = malloc(WS_SC_ARENA);
    if (!s->dbuf || !s->sc || !s->arena)
        return -1;
    int rc = pages_init(&s->dc, WS_PAGES, "sst");
    if (rc)
        return rc;
    s->spilled = 1;
    if (s->data.len && put_data(s, s->data.p, s->data.len))
        return -2;
    buf_free(&s->data);
    return 0;
}

int sst_add(sst *s, const char *text, size_t len, int toolong)
{
    if (toolong) {
        text = "\x01";
        len = 1;
    }
    if (!s->spilled && s->data.len + len + 4 * (s->n + 1) > s->mem_bytes) {
        int rc = spill(s);
        if (rc)
            return rc;
    }
    uint64_t start = s->spilled ? s->dlen : s->data.len;
    if (start + len > UINT32_MAX) {
        errno = EFBIG;
        return -3;
    }
    int rc = put_offset(s, (uint32_t)start);
    if (rc)
        return rc;
    if (s->spilled)
        rc = put_data(s, text, len);
    else if (len && buf_add(&s->data, text, len))
        rc = -1;
    if (rc)
        return rc;
    s->n++;
    return 0;
}

/* The start offset of string i. */
static int offset(sst *s, size_t i, uint64_t *out)
{
    if (!s->idx_spilled) {
        *out = s->off[i];
        return 0;
    }
    if (flush_index(s))
        return -2;
    uint32_t v;
    if (pages_read(&s->ic, (uint64_t)i * 4, (unsigned char *)&v, 4))
        return -2;
    *out = v;
    return 0;
}

static size_t sc_home(size_t i)
{
    return (size_t)(((uint32_t)i * 2654435761u) >> (32 - WS_SC_BITS));
}

static int sc_valid(const sst *s, const ws_sc_ent *e)
{
    return e->idx1 && s->head - e->pos <= WS_SC_ARENA;
}

/* Copies string i from the single-string cache; 1 when it was there. */
static int sc_get(sst *s, size_t i, unsigned char *dst, size_t len)
{
    size_t mask = ((size_t)1 << WS_SC_BITS) - 1;
    size_t h = sc_home(i);
    for (size_t k = 0; k < WS_SC_PROBE; k++) {
        ws_sc_ent *e = &s->sc[(h + k) & mask];
        if (e->idx1 == (uint32_t)(i + 1) && e->len == len && sc_valid(s, e)) {
            size_t at = (size_t)(e->pos % WS_SC_ARENA);
            size_t first = WS_SC_ARENA - at < len ? WS_SC_ARENA - at : len;
            memcpy(dst, s->arena + at, first);
            memcpy(dst + first, s->arena, len - first);
            return 1;
        }
    }
    return 0;
}

static void sc_put(sst *s, size_t i, const unsigned char *src, size_t len)
{
    if (len > WS_SC_ARENA / 64)
        return; /* a long text would flush too many short ones */
    size_t mask = ((size_t)1 << WS_SC_BITS) - 1;
    size_t h = sc_home(i);
    ws_sc_ent *victim = &s->sc[h & mask];
    for (size_t k = 0; k < WS_SC_PROBE; k++) {
        ws_sc_ent *e = &s->sc[(h + k) & mask];
        if (!sc_valid(s, e)) {
            victim = e;
            break;
        }
        if (e->pos < victim->pos)
            victim = e;
    }
    size_t at = (size_t)(s->head % WS_SC_ARENA);
    size_t first = WS_SC_ARENA - at < len ? WS_SC_ARENA - at : len;
    memcpy(s->arena + at, src, first);
    memcpy(s->arena, src + first, len - first);
    victim->idx1 = (uint32_t)(i + 1);
    victim->len = (uint32_t)len;
    victim->pos = s->head;
    s->head += len;
}

/* The bytes [a, a+len) of string i of a spilled table into dst. */
static int spilled_text(sst *s, size_t i, uint64_t a, size_t len,
                        unsigned char *dst)
{
    uint64_t pa = a / WS_PAGE, pb = (a + len - 1) / WS_PAGE;
    int all_cached = 1;
    for (uint64_t p = pa; p <= pb && all_cached; p++)
        all_cached = cached(&s->dc, p);
    /* at or past the frontier (or cached): through the pages */
    if (all_cached || pb + 2 >= s->dc.high)
        return pages_read(&s->dc, a, dst, len);
    if (sc_get(s, i, dst, len))
        return 0;
    if (tempfile_pread_all(s->dc.fd, dst, len, (off_t)a))
        return -2;
    sc_put(s, i, dst, len);
    return 0;
}

static int get_text(sst *s, size_t i, ta_buf *out, int *toolong);

int sst_get(sst *s, size_t i, ta_buf *out, int *toolong)
{
    ws_hot *h = &s->hot[i % WS_HOT];
    if (h->idx1 == (uint32_t)(i + 1)) {
        *toolong = 0;
        return buf_add(out, h->text, h->len) ? -1 : 0;
    }
    size_t start = out->len;
    int rc = get_text(s, i, out, toolong);
    size_t len = out->len - start;
    if (rc == 0 && !*toolong && len <= WS_HOT_LEN) {
        h->idx1 = (uint32_t)(i + 1);
        h->len = (uint16_t)len;
        if (len)
            memcpy(h->text, out->p + start, len);
    }
    return rc;
}

static int get_text(sst *s, size_t i, ta_buf *out, int *toolong)
{
    uint64_t a, b;
    if (!s->spilled) {
        a = s->off[i];
        b = i + 1 < s->n ? s->off[i + 1] : s->data.len;
        *toolong = b - a == 1 && s->data.p[a] == WS_TOOLONG;
        if (*toolong || b == a)
            return 0;
        return buf_add(out, s->data.p + a, (size_t)(b - a)) ? -1 : 0;
    }
    if (flush_data(s))
        return -2;
    if (offset(s, i, &a))
        return -2;
    if (i + 1 < s->n) {
        if (offset(s, i + 1, &b))
            return -2;
    } else
        b = s->dlen;
    if (b < a) {
        errno = EIO;
        return -2;
    }
    size_t len = (size_t)(b - a);
    *toolong = 0;
    if (len == 0)
        return 0;
    if (buf_reserve(out, len))
        return -1;
    unsigned char *dst = (unsigned char *)out->p + out->len;
    if (spilled_text(s, i, a, len, dst))
        return -2;
    if (len == 1 && dst[0] == WS_TOOLONG) {
        *toolong = 1;
        out->p[out->len] = '\0';
        return 0;
    }
    out->len += len;
    out->p[out->len] = '\0';
    return 0;
}
