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
 *   - past the first MiB, by a pool of worker threads (deflate_pool.c):
 *     each chunk is a deflate stream of its own ended by a sync flush
 *     (byte-aligned, not final), the last one by Z_FINISH, so their
 *     concatenation is one valid deflate stream (RFC 1951: blocks simply
 *     follow each other);
 *     what the calling thread had deflated itself is ended by a sync flush
 *     too and comes first.
 *
 * A part may hold splice markers (splice.h): the rows of a long sheet,
 * deflated by the pool while they were written. Where one passes, what
 * this thread deflated so far ends on a byte boundary, the rows' deflated
 * bytes are copied in as they are (independent chunks, ended by sync
 * flushes), their CRC-32 is combined into the part's, and the stream goes
 * on afresh (deflateReset: nothing after refers back across the rows).
 *
 * The bytes inflate to exactly what libxlsxwriter wrote, the rows in
 * place of their markers (verify.c checks every part's size and CRC-32
 * before a workbook is kept); only the compressed form differs from a
 * single stream, by a few bytes per MiB.
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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#include <zlib.h>

#include "deflate_pool.h"
#include "segments.h"
#include "splice.h"

typedef int (*zip_open_fn)(zipFile, const char *, const zip_fileinfo *,
                           const void *, uInt, const void *, uInt,
                           const char *, int, int, int, int, int, int,
                           const char *, uLong, uLong, uLong, int);
typedef int (*zip_write_fn)(zipFile, const void *, unsigned);
typedef int (*zip_close_fn)(zipFile);
typedef int (*zip_close_raw_fn)(zipFile, ZPOS64_T, uLong);

/* The part being written by this thread. */
typedef struct part {
    zipFile file; /* NULL: no part of ours open */
    z_stream zs;  /* the calling thread's own stream */
    int zs_open;
    uLong crc;      /* of the input so far (the pool's: when taken) */
    ZPOS64_T size;  /* bytes of input, the rows spliced in included */
    ZPOS64_T direct; /* bytes of input through emit */
    unsigned long long zc, zu; /* out of and into zs since its last
                                  boundary (segments.h) */
    int failed;  /* a deflate or zip write failed */
    int no_pool; /* the pool could not be had: all on this thread */
    rpt_pool *p;
    int scan; /* splices wait: look for their markers */
    unsigned char hold[RPT_SPLICE_MARK]; /* the start of a marker, perhaps */
    size_t nhold;
} part;

static _Thread_local part P;

static void *next_fn(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    return f;
}

/* n deflated bytes to minizip's own write (raw mode). */
static int zip_out(void *file, const void *buf, size_t n)
{
    /* looked up once: this runs for every 16 KiB deflated */
    static _Thread_local zip_write_fn wr;
    if (!wr)
        *(void **)&wr = next_fn("zipWriteInFileInZip");
    return wr && wr(file, buf, (unsigned)n) == ZIP_OK ? 0 : -1;
}

static int pool_sink(void *file, const unsigned char *buf, size_t n,
                     size_t nin)
{
    rpt_segments_add(n, nin);
    return zip_out(file, buf, n);
}

/* Deflates n bytes of in through the part's own stream with flush,
 * handing the output to minizip's own write. */
static int stream_out(part *pt, const void *in, size_t n, int flush)
{
    zipFile file = pt->file;
    z_stream *zs = &pt->zs;
    pt->zu += n;
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
        pt->zc += got;
        if (got && zip_out(file, out, got) != 0)
            return -1;
        if (zs->avail_in == 0 && zs->avail_out != 0)
            return 0;
    }
}

/* What this thread deflated since its last boundary, just ended by a
 * sync flush or the finish, is a segment of the part. */
static void zs_segment(part *pt)
{
    rpt_segments_add(pt->zc, pt->zu);
    pt->zc = pt->zu = 0;
}

/* The CRC-32 of what the pool deflated since the last take, into the
 * part's. */
static void take_pool(part *pt)
{
    uLong c;
    unsigned long long n;
    rpt_pool_take(pt->p, &c, &n);
    pt->crc = crc32_combine(pt->crc, c, (z_off_t)n);
}

/* n bytes of the part's own XML, deflated: on this thread while the part
 * is small, by the pool past the first chunk. */
static int emit(part *pt, const unsigned char *buf, size_t n)
{
    if (n == 0)
        return 0;
    pt->size += n;
    pt->direct += n;
    int rc = 0;
    if (!pt->p && !pt->no_pool && pt->direct > RPT_POOL_CHUNK) {
        /* a large part: what this thread deflated so far ends on a byte
         * boundary, the rest goes to the workers */
        pt->p = rpt_pool_new(pool_sink, pt->file);
        if (!pt->p)
            pt->no_pool = 1;
        else
            rc = stream_out(pt, NULL, 0, Z_SYNC_FLUSH);
        if (pt->p)
            zs_segment(pt);
    }
    if (rc != 0)
        return rc;
    if (pt->p)
        return rpt_pool_write(pt->p, buf, n);
    pt->crc = crc32(pt->crc, buf, (uInt)n);
    return stream_out(pt, buf, n, Z_NO_FLUSH);
}

/* A whole marker: the rows' deflated bytes in its place. */
static int splice_in(part *pt, const unsigned char *mark)
{
    rpt_splice *s = rpt_splice_claim(mark);
    if (!s)
        return -1; /* not ours: the rows it stands for are not here */
    int rc;
    if (pt->p) {
        rc = rpt_pool_flush(pt->p, 0);
        take_pool(pt);
    } else {
        rc = stream_out(pt, NULL, 0, Z_SYNC_FLUSH);
        zs_segment(pt);
        if (rc == 0 && deflateReset(&pt->zs) != Z_OK)
            rc = -1;
    }
    uLong c = 0;
    unsigned long long n = 0;
    if (rc == 0)
        rc = rpt_splice_copy(s, zip_out, pt->file, &c, &n);
    size_t ns;
    const rpt_seg *seg = rpt_splice_segments(s, &ns);
    if (!seg)
        rpt_segments_drop(); /* the part is read back in one pass */
    for (size_t i = 0; i < ns; i++)
        rpt_segments_add(seg[i].clen, seg[i].ulen);
    rpt_splice_free(s);
    pt->crc = crc32_combine(pt->crc, c, (z_off_t)n);
    pt->size += n;
    return rc;
}

/* The first offset of buf[0..n) where a marker starts, or could start
 * and run past n; n when none. */
static size_t find_mark(const unsigned char *buf, size_t n)
{
    for (size_t i = 0; i < n;) {
        const unsigned char *q = memchr(buf + i, '<', n - i);
        if (!q)
            return n;
        i = (size_t)(q - buf);
        size_t avail = n - i < RPT_SPLICE_MARK ? n - i : RPT_SPLICE_MARK;
        if (rpt_splice_mark_prefix(q, avail))
            return i;
        i++;
    }
    return n;
}

/* n more bytes of the part from libxlsxwriter, markers replaced. A marker
 * may be cut between two writes: its start is held back until the next
 * write tells. */
static int scan_write(part *pt, const unsigned char *buf, size_t n)
{
    int rc = 0;
    while (rc == 0 && n > 0) {
        if (pt->nhold) {
            size_t k = RPT_SPLICE_MARK - pt->nhold;
            if (k > n)
                k = n;
            memcpy(pt->hold + pt->nhold, buf, k);
            if (!rpt_splice_mark_prefix(pt->hold, pt->nhold + k)) {
                /* not a marker: '<' starts none inside one, so the held
                 * bytes are plain XML and buf is looked at afresh */
                rc = emit(pt, pt->hold, pt->nhold);
                pt->nhold = 0;
                continue;
            }
            pt->nhold += k;
            buf += k;
            n -= k;
            if (pt->nhold == RPT_SPLICE_MARK) {
                rc = splice_in(pt, pt->hold);
                pt->nhold = 0;
            }
            continue;
        }
        size_t i = find_mark(buf, n);
        rc = emit(pt, buf, i);
        if (rc == 0 && i < n) {
            /* a marker, or its start: the held bytes decide */
            pt->hold[0] = buf[i];
            pt->nhold = 1;
            i++;
        }
        buf += i;
        n -= i;
    }
    return rc;
}

static void part_end(part *pt)
{
    if (pt->zs_open)
        deflateEnd(&pt->zs);
    rpt_pool_free(pt->p);
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
    rpt_splice_zip_seen();
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
            P.scan = rpt_splice_waiting();
            rpt_segments_begin(filename);
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
    int rc = P.scan ? scan_write(&P, buf, len) : emit(&P, buf, len);
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
    /* the start of a marker at the very end was none */
    int rc = P.failed ? -1 : emit(&P, P.hold, P.nhold);
    if (rc == 0 && P.p) {
        rc = rpt_pool_flush(P.p, 1);
        take_pool(&P);
    } else if (rc == 0) {
        rc = stream_out(&P, NULL, 0, Z_FINISH);
        zs_segment(&P);
    }
    rpt_segments_end();
    ZPOS64_T size = P.size;
    uLong crc = P.crc;
    part_end(&P);
    /* closed in any case, so that minizip's state is whole; the part's
     * failure is the result */
    int closed = close_raw ? close_raw(file, size, crc) : ZIP_INTERNALERROR;
    return rc != 0 ? ZIP_INTERNALERROR : closed;
}
