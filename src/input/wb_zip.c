/*
 * wb_zip.c — an .xlsx's ZIP container over a file descriptor (wb_zip.h).
 *
 * minizip reads the central directory and the local headers through an
 * I/O layer of preads on the caller's descriptor (with a 4 KiB cache:
 * minizip reads headers a few bytes at a time); each entry is opened raw
 * and inflated here with zlib, so the bytes actually produced can be
 * counted against the limits as they come (minizip's own inflating stops
 * quietly at the declared size, which would hide an entry that inflates
 * past it). Central-directory sizes are used, so entries written with data
 * descriptors (LibreOffice, Google Sheets) read like any other.
 *
 * CRC-32s are not checked: SPEC asks for none, it cost 5 % of reading a
 * large sheet, and damage that matters shows anyway as a broken deflate
 * stream, a size that does not match or XML that is not well-formed.
 */
#include "wb_zip.h"

#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unzip.h>
#include <zlib.h>

#define WZ_CACHE 4096u
#define WZ_IN ((size_t)64 * 1024)
#define WZ_NAME_MAX 1024u
#define WZ_PIPE_BUFS 4u
#define WZ_PIPE_BUF ((size_t)256 * 1024)
#define WZ_PIPE_MIN ((unsigned long long)1 << 20) /* entries worth a thread   \
                                                   */

/* Inflating on a second thread: a ring of WZ_PIPE_BUFS filled buffers. */
typedef struct wz_pipe {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* any change of count, eof, err or stop */
    unsigned char *buf[WZ_PIPE_BUFS];
    size_t len[WZ_PIPE_BUFS];
    size_t head, tail, count; /* filled buffers: tail .. head-1 */
    size_t rd;                /* bytes of buf[tail] already handed out */
    int eof, err, stop;
    unsigned long long delivered;
} wz_pipe;

typedef struct wz_io {
    int fd;
    unsigned long long pos, size;
    int err; /* errno of the last failed read, 0 if none */
    unsigned char cache[WZ_CACHE];
    unsigned long long cache_off;
    size_t cache_len;
} wz_io;

typedef struct wz_ent {
    char *name;
    unz64_file_pos pos;
    unsigned long long csize, usize;
    unsigned long flag, method;
} wz_ent;

struct wz_archive {
    wz_io io;
    unzFile uz;
    wz_ent *ents;
    size_t n;
    size_t *by_name; /* entry indexes sorted by name, ASCII case ignored */
    wz_entry *open;
    int threads; /* see wz_set_threads */
};

void wz_set_threads(wz_archive *a, int mode)
{
    a->threads = mode;
}

struct wz_entry {
    wz_archive *a;
    size_t idx;
    unsigned long long csize, usize, done;
    int method;
    z_stream zs;
    int zinit;
    int raw_end; /* minizip has no more compressed bytes */
    int ended;   /* the entry was read to its end and checked */
    ta_status st;
    char err[256];
    wz_pipe *pipe; /* NULL: inflated on the caller's thread */
    unsigned char in[WZ_IN];
};

/* pread of up to len bytes at off, retrying short reads and EINTR; the
 * bytes read, or -1 with errno. */
static long long pread_full(int fd, void *buf, size_t len,
                            unsigned long long off)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r =
            pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (long long)got;
}

static voidpf ZCALLBACK io_open(voidpf opaque, const void *filename, int mode)
{
    (void)filename;
    if (mode & ZLIB_FILEFUNC_MODE_WRITE)
        return NULL;
    return opaque;
}

static uLong ZCALLBACK io_read(voidpf opaque, voidpf stream, void *buf,
                               uLong size)
{
    (void)opaque;
    wz_io *io = stream;
    if (io->pos >= io->size || size == 0)
        return 0;
    if (size <= WZ_CACHE / 4) {
        if (io->pos < io->cache_off ||
            io->pos + size > io->cache_off + io->cache_len) {
            long long r = pread_full(io->fd, io->cache, WZ_CACHE, io->pos);
            if (r < 0) {
                io->err = errno ? errno : EIO;
                return 0;
            }
            io->cache_off = io->pos;
            io->cache_len = (size_t)r;
        }
        size_t avail = (size_t)(io->cache_off + io->cache_len - io->pos);
        size_t k = size < avail ? (size_t)size : avail;
        memcpy(buf, io->cache + (io->pos - io->cache_off), k);
        io->pos += k;
        return (uLong)k;
    }
    long long r = pread_full(io->fd, buf, (size_t)size, io->pos);
    if (r < 0) {
        io->err = errno ? errno : EIO;
        return 0;
    }
    io->pos += (unsigned long long)r;
    return (uLong)r;
}

static uLong ZCALLBACK io_write(voidpf opaque, voidpf stream, const void *buf,
                                uLong size)
{
    (void)opaque;
    (void)stream;
    (void)buf;
    (void)size;
    return 0;
}

static ZPOS64_T ZCALLBACK io_tell(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((wz_io *)stream)->pos;
}

static long ZCALLBACK io_seek(voidpf opaque, voidpf stream, ZPOS64_T offset,
                              int origin)
{
    (void)opaque;
    wz_io *io = stream;
    unsigned long long base;
    switch (origin) {
    case ZLIB_FILEFUNC_SEEK_SET:
        base = 0;
        break;
    case ZLIB_FILEFUNC_SEEK_CUR:
        base = io->pos;
        break;
    case ZLIB_FILEFUNC_SEEK_END:
        base = io->size;
        break;
    default:
        return -1;
    }
    if (offset > io->size || base + offset > io->size)
        return -1;
    io->pos = base + offset;
    return 0;
}

static int ZCALLBACK io_close(voidpf opaque, voidpf stream)
{
    (void)opaque;
    (void)stream;
    return 0; /* the descriptor is the caller's */
}

static int ZCALLBACK io_error(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((wz_io *)stream)->err;
}

static int name_cmp(const void *x, const void *y, void *ctx)
{
    const wz_archive *a = ctx;
    const char *p = a->ents[*(const size_t *)x].name;
    const char *q = a->ents[*(const size_t *)y].name;
    int c = strcasecmp(p, q);
    if (c)
        return c;
    /* the first of two equal names wins a lookup */
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    return i < j ? -1 : i > j;
}

/* A merge sort of entry indexes (qsort takes no context in C11). */
static void sort_names(wz_archive *a, size_t *v, size_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_names(a, v, tmp, h);
    sort_names(a, v + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = name_cmp(&v[i], &v[j], a) <= 0 ? v[i++] : v[j++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

/* Debian's minizip 1.1 compares 32-bit sizes with (unsigned long)-1 and so
 * never reads the zip64 extra field on a 64-bit machine: read the real
 * sizes from the entry's central header here (they matter to the limits;
 * archives past 4 GiB, whose offsets need zip64 too, are not readable). */
static void zip64_sizes(wz_archive *a, wz_ent *e, const unz_file_info64 *fi)
{
    size_t n = 46 + fi->size_filename + fi->size_file_extra;
    unsigned char *h = malloc(n);
    if (!h)
        return;
    if (pread_full(a->io.fd, h, n, e->pos.pos_in_zip_directory) !=
            (long long)n ||
        memcmp(h, "PK\1\2", 4) != 0) {
        free(h);
        return;
    }
    const unsigned char *x = h + 46 + fi->size_filename;
    size_t xn = fi->size_file_extra;
    for (size_t i = 0; i + 4 <= xn;) {
        unsigned id = (unsigned)x[i] | (unsigned)x[i + 1] << 8;
        size_t len = (size_t)x[i + 2] | (size_t)x[i + 3] << 8;
        if (i + 4 + len > xn)
            break;
        if (id == 1) {
            const unsigned char *p = x + i + 4;
            size_t k = 0;
            unsigned long long *fields[2] = {&e->usize, &e->csize};
            for (int f = 0; f < 2; f++) {
                if (*fields[f] != 0xFFFFFFFFULL || k + 8 > len)
                    continue;
                unsigned long long v = 0;
                for (int b = 7; b >= 0; b--)
                    v = v << 8 | p[k + (size_t)b];
                *fields[f] = v;
                k += 8;
            }
            break;
        }
        i += 4 + len;
    }
    free(h);
}

static ta_status read_directory(wz_archive *a, char *err, size_t errlen)
{
    size_t cap = 0;
    int rc = unzGoToFirstFile(a->uz);
    char name[WZ_NAME_MAX];
    while (rc == UNZ_OK) {
        if (a->n >= WZ_MAX_ENTRIES) {
            ta_errf(err, errlen, "the archive holds more than %u entries",
                    WZ_MAX_ENTRIES);
            return TA_E_DATA;
        }
        unz_file_info64 fi;
        rc = unzGetCurrentFileInfo64(a->uz, &fi, name, sizeof name, NULL, 0,
                                     NULL, 0);
        if (rc != UNZ_OK)
            break;
        if (buf_grow_array(&a->ents, &cap, a->n + 1, sizeof *a->ents))
            return TA_E_NOMEM;
        wz_ent *e = &a->ents[a->n];
        memset(e, 0, sizeof *e);
        /* A name longer than the buffer is cut: it names no part we look
         * for, so it simply never matches. */
        name[sizeof name - 1] = '\0';
        e->name = strdup(name);
        if (!e->name)
            return TA_E_NOMEM;
        a->n++;
        e->csize = fi.compressed_size;
        e->usize = fi.uncompressed_size;
        e->flag = fi.flag;
        e->method = fi.compression_method;
        rc = unzGetFilePos64(a->uz, &e->pos);
        if (rc != UNZ_OK)
            break;
        if (e->usize == 0xFFFFFFFFULL || e->csize == 0xFFFFFFFFULL)
            zip64_sizes(a, e, &fi);
        rc = unzGoToNextFile(a->uz);
    }
    if (a->io.err) {
        ta_errf(err, errlen, "read error: %s", strerror(a->io.err));
        return TA_E_IO;
    }
    if (rc != UNZ_END_OF_LIST_OF_FILE) {
        ta_errf(err, errlen,
                "the archive's directory is damaged (minizip error %d)", rc);
        return TA_E_DATA;
    }
    a->by_name = malloc((a->n ? a->n : 1) * sizeof *a->by_name);
    size_t *tmp = malloc((a->n ? a->n : 1) * sizeof *tmp);
    if (!a->by_name || !tmp) {
        free(tmp);
        return TA_E_NOMEM;
    }
    for (size_t i = 0; i < a->n; i++)
        a->by_name[i] = i;
    sort_names(a, a->by_name, tmp, a->n);
    free(tmp);
    return TA_OK;
}

ta_status wz_open(int fd, wz_archive **out, char *err, size_t errlen)
{
    *out = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        ta_errf(err, errlen, "cannot read the file: %s", strerror(errno));
        return TA_E_IO;
    }
    wz_archive *a = calloc(1, sizeof *a);
    if (!a)
        return TA_E_NOMEM;
    a->io.fd = fd;
    a->io.size = (unsigned long long)st.st_size;
    a->io.cache_off = (unsigned long long)-1;
    zlib_filefunc64_def ff;
    memset(&ff, 0, sizeof ff);
    ff.zopen64_file = io_open;
    ff.zread_file = io_read;
    ff.zwrite_file = io_write;
    ff.ztell64_file = io_tell;
    ff.zseek64_file = io_seek;
    ff.zclose_file = io_close;
    ff.zerror_file = io_error;
    ff.opaque = &a->io;
    a->uz = unzOpen2_64(&a->io, &ff);
    ta_status s;
    if (!a->uz) {
        if (a->io.err) {
            ta_errf(err, errlen, "read error: %s", strerror(a->io.err));
            s = TA_E_IO;
        } else {
            ta_errf(err, errlen,
                    "not a readable ZIP archive (truncated or damaged: its "
                    "central directory cannot be found)");
            s = TA_E_DATA;
        }
        goto fail;
    }
    s = read_directory(a, err, errlen);
    if (s != TA_OK)
        goto fail;
    *out = a;
    return TA_OK;
fail:
    wz_close(a);
    return s;
}

void wz_close(wz_archive *a)
{
    if (!a)
        return;
    wz_entry_close(a->open);
    if (a->uz)
        (void)unzClose(a->uz);
    for (size_t i = 0; i < a->n; i++)
        free(a->ents[i].name);
    free(a->ents);
    free(a->by_name);
    free(a);
}

size_t wz_count(const wz_archive *a)
{
    return a->n;
}

const char *wz_name(const wz_archive *a, size_t i)
{
    return i < a->n ? a->ents[i].name : NULL;
}

unsigned long long wz_size(const wz_archive *a, size_t i)
{
    return i < a->n ? a->ents[i].usize : 0;
}

long wz_find(const wz_archive *a, const char *name)
{
    size_t lo = 0, hi = a->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcasecmp(a->ents[a->by_name[mid]].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < a->n && strcasecmp(a->ents[a->by_name[lo]].name, name) == 0)
        return (long)a->by_name[lo];
    return -1;
}

static long fail(wz_entry *e, ta_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static long fail(wz_entry *e, ta_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err, sizeof e->err, fmt, ap);
    va_end(ap);
    e->st = st;
    return -1;
}

static int pipe_start(wz_entry *e);

ta_status wz_entry_open(wz_archive *a, size_t i, wz_entry **out, char *err,
                        size_t errlen)
{
    *out = NULL;
    wz_entry_close(a->open);
    const wz_ent *en = &a->ents[i];
    if (en->flag & 1u) {
        ta_errf(err, errlen,
                "the entry is encrypted (a password-protected ZIP)");
        return TA_E_DATA;
    }
    if (en->method != 0 && en->method != Z_DEFLATED) {
        ta_errf(err, errlen,
                "the entry uses compression method %lu (only stored "
                "and deflated are read)",
                en->method);
        return TA_E_DATA;
    }
    if (en->usize > WZ_MAX_SIZE) {
        ta_errf(err, errlen, "the entry declares %llu bytes, more than 4 GiB",
                en->usize);
        return TA_E_DATA;
    }
    if (en->usize > WZ_MAX_RATIO * en->csize) {
        ta_errf(err, errlen,
                "the entry declares %llu bytes from %llu compressed, "
                "more than 1,000 times its compressed size (a "
                "decompression bomb)",
                en->usize, en->csize);
        return TA_E_DATA;
    }
    if (en->method == 0 && en->csize != en->usize) {
        ta_errf(err, errlen, "a stored entry whose sizes differ (%llu, %llu)",
                en->csize, en->usize);
        return TA_E_DATA;
    }
    wz_entry *e = calloc(1, sizeof *e);
    if (!e)
        return TA_E_NOMEM;
    e->a = a;
    e->idx = i;
    e->csize = en->csize;
    e->usize = en->usize;
    e->st = TA_OK;
    int rc = unzGoToFilePos64(a->uz, &en->pos);
    int method = 0, level = 0;
    if (rc == UNZ_OK)
        rc = unzOpenCurrentFile2(a->uz, &method, &level, 1);
    if (rc != UNZ_OK) {
        int ioerr = a->io.err;
        free(e);
        if (ioerr) {
            ta_errf(err, errlen, "read error: %s", strerror(ioerr));
            return TA_E_IO;
        }
        ta_errf(err, errlen,
                "the entry's local header is damaged (minizip "
                "error %d)",
                rc);
        return TA_E_DATA;
    }
    e->method = method;
    if (method == Z_DEFLATED) {
        if (inflateInit2(&e->zs, -MAX_WBITS) != Z_OK) {
            (void)unzCloseCurrentFile(a->uz);
            free(e);
            return TA_E_NOMEM;
        }
        e->zinit = 1;
    }
    a->open = e;
    *out = e;
    /* A large entry is inflated on a second thread while the caller
     * parses; when the thread cannot start, on this one. */
    if (a->threads > 0 || (a->threads == 0 && en->usize >= WZ_PIPE_MIN))
        (void)pipe_start(e);
    return TA_OK;
}

/* Checks the bytes produced so far against the limits. */
static long check_growth(wz_entry *e)
{
    if (e->done > e->usize)
        return fail(e, TA_E_DATA,
                    "the entry inflates past its declared size of %llu "
                    "bytes",
                    e->usize);
    if (e->done > WZ_MAX_SIZE)
        return fail(e, TA_E_DATA, "the entry inflates past 4 GiB");
    /* against the declared compressed size, and against the compressed
     * bytes actually consumed (64 KiB of slack for tiny entries) */
    if (e->done > WZ_MAX_RATIO * e->csize ||
        (e->zinit && e->done > WZ_MAX_RATIO * e->zs.total_in + 65536))
        return fail(e, TA_E_DATA,
                    "the entry inflates past 1,000 times its "
                    "compressed size (a decompression bomb)");
    return 0;
}

static long finish(wz_entry *e)
{
    if (e->done != e->usize)
        return fail(e, TA_E_DATA,
                    "the entry holds %llu bytes where its header says %llu "
                    "(truncated or damaged)",
                    e->done, e->usize);
    e->ended = 1;
    return 0;
}

/* Compressed bytes from minizip: > 0, 0 at their end, -1 on error. */
static long raw_read(wz_entry *e, void *buf, size_t cap)
{
    int n = unzReadCurrentFile(e->a->uz, buf, (unsigned)cap);
    if (n < 0) {
        if (e->a->io.err)
            return fail(e, TA_E_IO, "read error: %s", strerror(e->a->io.err));
        return fail(e, TA_E_DATA,
                    "the entry's data cannot be read "
                    "(truncated archive?)");
    }
    return n;
}

/* Inflates up to cap bytes on the calling thread (see wz_entry_read). */
static long read_sync(wz_entry *e, void *buf, size_t cap)
{
    if (e->st != TA_OK)
        return -1;
    if (e->ended || cap == 0)
        return 0;
    if (cap > (1u << 30))
        cap = 1u << 30;
    if (e->method == 0) {
        long n = raw_read(e, buf, cap);
        if (n < 0)
            return -1;
        if (n == 0)
            return finish(e);
        e->done += (unsigned long long)n;
        if (check_growth(e))
            return -1;
        return n;
    }
    for (;;) {
        if (e->zs.avail_in == 0 && !e->raw_end) {
            long n = raw_read(e, e->in, sizeof e->in);
            if (n < 0)
                return -1;
            if (n == 0)
                e->raw_end = 1;
            e->zs.next_in = e->in;
            e->zs.avail_in = (uInt)n;
        }
        e->zs.next_out = buf;
        e->zs.avail_out = (uInt)cap;
        int zr = inflate(&e->zs, Z_NO_FLUSH);
        size_t got = cap - e->zs.avail_out;
        e->done += got;
        if (check_growth(e))
            return -1;
        if (zr == Z_STREAM_END) {
            if (got)
                return (long)got; /* finish on the next call */
            return finish(e);
        }
        if (zr == Z_MEM_ERROR)
            return fail(e, TA_E_NOMEM, "out of memory inflating");
        if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT || zr == Z_STREAM_ERROR)
            return fail(e, TA_E_DATA,
                        "the entry's compressed data is "
                        "damaged");
        if (got)
            return (long)got;
        if (zr == Z_BUF_ERROR && e->raw_end && e->zs.avail_in == 0)
            return fail(e, TA_E_DATA,
                        "the entry's compressed data ends "
                        "early (truncated archive?)");
    }
}

static void *pipe_main(void *arg)
{
    wz_entry *e = arg;
    wz_pipe *p = e->pipe;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->count == WZ_PIPE_BUFS && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        int stop = p->stop;
        size_t slot = p->head;
        pthread_mutex_unlock(&p->mu);
        if (stop)
            return NULL;
        /* fill the slot whole (the consumer never sees a partial one) */
        size_t got = 0;
        long n = 1;
        while (got < WZ_PIPE_BUF &&
               (n = read_sync(e, p->buf[slot] + got, WZ_PIPE_BUF - got)) > 0)
            got += (size_t)n;
        pthread_mutex_lock(&p->mu);
        if (got) {
            p->len[slot] = got;
            p->head = (p->head + 1) % WZ_PIPE_BUFS;
            p->count++;
        }
        if (n == 0)
            p->eof = 1;
        else if (n < 0)
            p->err = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (n <= 0)
            return NULL;
    }
}

/* Starts inflating e on a second thread; 0, or -1 (e stays synchronous). */
static int pipe_start(wz_entry *e)
{
    wz_pipe *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    for (size_t i = 0; i < WZ_PIPE_BUFS; i++) {
        p->buf[i] = malloc(WZ_PIPE_BUF);
        if (!p->buf[i])
            goto fail;
    }
    if (pthread_mutex_init(&p->mu, NULL))
        goto fail;
    if (pthread_cond_init(&p->cv, NULL)) {
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    e->pipe = p;
    if (pthread_create(&p->th, NULL, pipe_main, e)) {
        e->pipe = NULL;
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    return 0;
fail:
    for (size_t i = 0; i < WZ_PIPE_BUFS; i++)
        free(p->buf[i]);
    free(p);
    return -1;
}

static void pipe_stop(wz_entry *e)
{
    wz_pipe *p = e->pipe;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->th, NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    for (size_t i = 0; i < WZ_PIPE_BUFS; i++)
        free(p->buf[i]);
    free(p);
    e->pipe = NULL;
}

long wz_entry_read(wz_entry *e, void *buf, size_t cap)
{
    wz_pipe *p = e->pipe;
    if (!p)
        return read_sync(e, buf, cap);
    pthread_mutex_lock(&p->mu);
    while (p->count == 0 && !p->eof && !p->err)
        pthread_cond_wait(&p->cv, &p->mu);
    long n = 0;
    if (p->count > 0) {
        size_t avail = p->len[p->tail] - p->rd;
        size_t k = avail < cap ? avail : cap;
        memcpy(buf, p->buf[p->tail] + p->rd, k);
        p->rd += k;
        if (p->rd == p->len[p->tail]) {
            p->rd = 0;
            p->tail = (p->tail + 1) % WZ_PIPE_BUFS;
            p->count--;
            pthread_cond_broadcast(&p->cv);
        }
        p->delivered += k;
        n = (long)k;
    } else if (p->err)
        n = -1; /* e->st and e->err were set before err, under the lock */
    pthread_mutex_unlock(&p->mu);
    return n;
}

ta_status wz_entry_status(const wz_entry *e)
{
    return e->st;
}

const char *wz_entry_err(const wz_entry *e)
{
    return e->err;
}

unsigned long long wz_entry_done(const wz_entry *e)
{
    if (e->pipe) {
        pthread_mutex_lock(&e->pipe->mu);
        unsigned long long d = e->pipe->delivered;
        pthread_mutex_unlock(&e->pipe->mu);
        return d;
    }
    return e->done;
}

unsigned long long wz_entry_size(const wz_entry *e)
{
    return e->usize;
}

void wz_entry_close(wz_entry *e)
{
    if (!e)
        return;
    if (e->pipe)
        pipe_stop(e);
    if (e->zinit)
        (void)inflateEnd(&e->zs);
    /* Raw reads have no CRC for minizip to check: nothing to learn here. */
    (void)unzCloseCurrentFile(e->a->uz);
    if (e->a->open == e)
        e->a->open = NULL;
    free(e);
}
