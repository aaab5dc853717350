/*
 * verify.c — reads a workbook just written back before it is put in
 * place (SPEC §5: "a workbook is complete or absent ... checked").
 *
 * Through minizip's unzip API, over the descriptor the caller checked (not
 * the name, which could have been swapped since): the central directory
 * must be readable; every entry must be stored or deflated, match its
 * local header, inflate to exactly its declared size with a matching
 * CRC-32, and not be empty; an XML part must end with '>'. The last two
 * are not zip rules: libxlsxwriter never writes an empty part, and a part
 * cut short by a full temporary folder ends inside a tag (scratch.c
 * catches that at the source; this is the second line). It does not parse
 * the XML: at 1M findings inflating ~830 MB is the whole cost
 * (docs/report.md, "Speed and memory").
 *
 * A large part made of independent deflate streams (segments.h: the
 * pool's and the splices' chunks) is inflated on every core, a segment
 * at a time each, from the bytes on disk. What makes that as strict as
 * one pass: the segments must tile the entry's compressed bytes exactly
 * and add up to its size; each must inflate from a fresh state (a
 * reference back into another segment is an error there), consume its
 * bytes exactly and give its length; every one but the last must end on
 * a byte-aligned block boundary outside a final block, the last with the
 * stream's end; and their CRC-32s, combined in order, must be the
 * entry's. A reader inflating the whole entry in one pass then sees the
 * same bytes. A record that does not tile the entry is not trusted: the
 * part is read in one pass.
 */
#include "report_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unzip.h>

#include "deflate_pool.h"
#include "interrupt.h"
#include "segments.h"

#define SEG_WORKERS 4 /* at most, one per core */

/* Bytes inflated per call. */
#define VERIFY_CHUNK (64 * 1024)

/* minizip's file functions over a descriptor, with pread. */
typedef struct vfile {
    int fd;
    ZPOS64_T off, size;
    int err; /* errno of the first failed read, 0 while none */
} vfile;

static voidpf ZCALLBACK v_open(voidpf opaque, const void *name, int mode)
{
    (void)name;
    (void)mode;
    return opaque;
}

static uLong ZCALLBACK v_read(voidpf opaque, voidpf stream, void *buf,
                              uLong size)
{
    (void)opaque;
    vfile *f = stream;
    size_t done = 0;
    while (done < size) {
        ssize_t r = pread(f->fd, (char *)buf + done, size - done,
                          (off_t)(f->off + done));
        if (r > 0) {
            done += (size_t)r;
            continue;
        }
        if (r == 0)
            break;
        if (errno == EINTR)
            continue;
        if (!f->err)
            f->err = errno;
        break;
    }
    f->off += done;
    return (uLong)done;
}

static uLong ZCALLBACK v_write(voidpf opaque, voidpf stream, const void *buf,
                               uLong size)
{
    (void)opaque;
    (void)stream;
    (void)buf;
    (void)size;
    return 0; /* read only */
}

static ZPOS64_T ZCALLBACK v_tell(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((vfile *)stream)->off;
}

static long ZCALLBACK v_seek(voidpf opaque, voidpf stream, ZPOS64_T offset,
                             int origin)
{
    (void)opaque;
    vfile *f = stream;
    ZPOS64_T base = origin == ZLIB_FILEFUNC_SEEK_SET   ? 0
                    : origin == ZLIB_FILEFUNC_SEEK_CUR ? f->off
                                                       : f->size;
    /* minizip passes negative offsets from the end as unsigned */
    f->off = base + offset;
    return 0;
}

static int ZCALLBACK v_close(voidpf opaque, voidpf stream)
{
    (void)opaque;
    (void)stream;
    return 0;
}

static int ZCALLBACK v_error(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((vfile *)stream)->err;
}

static int is_xml_part(const char *name)
{
    size_t n = strlen(name);
    return (n >= 4 && strcmp(name + n - 4, ".xml") == 0) ||
           (n >= 5 && strcmp(name + n - 5, ".rels") == 0);
}

/* Inflates the current entry to its end. TA_OK, or a status with what
 * went wrong in why. */
static ta_status check_entry(unzFile z, const unz_file_info64 *fi,
                             const char *name, unsigned char *buf,
                             char *why, size_t whylen)
{
    if (fi->compression_method != 0 && fi->compression_method != Z_DEFLATED) {
        ta_errf(why, whylen, "%s: unknown compression method %lu", name,
                fi->compression_method);
        return TA_E_IO;
    }
    if (fi->uncompressed_size == 0) {
        ta_errf(why, whylen, "%s is empty", name);
        return TA_E_IO;
    }
    int rc = unzOpenCurrentFile(z);
    if (rc != UNZ_OK) {
        ta_errf(why, whylen, "%s: its header does not read (minizip %d)",
                name, rc);
        return TA_E_IO;
    }
    ZPOS64_T total = 0;
    unsigned char last = 0;
    ta_status s = TA_OK;
    for (;;) {
        if (interrupt_pending()) {
            s = TA_E_INTERRUPTED;
            break;
        }
        int r = unzReadCurrentFile(z, buf, VERIFY_CHUNK);
        if (r < 0) {
            ta_errf(why, whylen, "%s does not inflate (minizip %d)", name, r);
            s = TA_E_IO;
            break;
        }
        if (r == 0)
            break;
        total += (ZPOS64_T)r;
        for (int i = r - 1; i >= 0; i--)
            if (buf[i] != '\n' && buf[i] != '\r' && buf[i] != ' ') {
                last = buf[i];
                break;
            }
    }
    rc = unzCloseCurrentFile(z);
    if (s != TA_OK)
        return s;
    if (total != fi->uncompressed_size) {
        ta_errf(why, whylen, "%s inflates to %llu bytes, not %llu", name,
                (unsigned long long)total,
                (unsigned long long)fi->uncompressed_size);
        return TA_E_IO;
    }
    if (rc == UNZ_CRCERROR) {
        ta_errf(why, whylen, "%s: CRC-32 mismatch", name);
        return TA_E_IO;
    }
    if (rc != UNZ_OK) {
        ta_errf(why, whylen, "%s: minizip %d at its end", name, rc);
        return TA_E_IO;
    }
    if (is_xml_part(name) && last != '>') {
        ta_errf(why, whylen, "%s ends inside its XML", name);
        return TA_E_IO;
    }
    return TA_OK;
}

/* ---- a part's segments inflated side by side ---------------------- */

typedef struct seg_job {
    int fd;
    ZPOS64_T data; /* offset of the entry's deflated bytes in the file */
    const rpt_seg *seg;
    const ZPOS64_T *at; /* each segment's offset from data */
    size_t n;
    uLong *crc;          /* each segment's CRC-32 */
    unsigned char *last; /* each one's last byte that is not white space */
    atomic_size_t next;
    atomic_int bad; /* 1: a segment failed, 2: interrupted */
    size_t bad_seg;
    pthread_mutex_t mu;
} seg_job;

static void job_fail(seg_job *j, int how, size_t i)
{
    pthread_mutex_lock(&j->mu);
    if (!atomic_load(&j->bad) || i < j->bad_seg) {
        j->bad_seg = i;
        atomic_store(&j->bad, how);
    }
    pthread_mutex_unlock(&j->mu);
}

/* Segment i from the bytes on disk; 0 when it is whole. */
static int inflate_seg(seg_job *j, size_t i, z_stream *zs, unsigned char *in,
                       unsigned char *out)
{
    const rpt_seg *g = &j->seg[i];
    int final = i + 1 == j->n;
    ZPOS64_T pos = j->data + j->at[i];
    unsigned long long left = g->clen, made = 0;
    uLong crc = crc32(0L, Z_NULL, 0);
    unsigned char last = 0;
    int ended = 0, tried = 0;
    if (inflateReset(zs) != Z_OK)
        return -1;
    zs->avail_in = 0;
    for (;;) {
        if (zs->avail_in == 0 && left > 0) {
            if (interrupt_pending())
                return 2;
            size_t k = left < VERIFY_CHUNK ? (size_t)left : VERIFY_CHUNK;
            ssize_t r;
            do
                r = pread(j->fd, in, k, (off_t)pos);
            while (r < 0 && errno == EINTR);
            if (r != (ssize_t)k)
                return -1;
            pos += k;
            left -= k;
            zs->next_in = in;
            zs->avail_in = (uInt)k;
        }
        zs->next_out = out;
        zs->avail_out = VERIFY_CHUNK;
        /* Z_BLOCK: inflate stops at each block's end, so that where the
         * bytes run out tells whether that is a block boundary */
        int rc = inflate(zs, Z_BLOCK);
        size_t got = VERIFY_CHUNK - zs->avail_out;
        if (got) {
            crc = crc32(crc, out, (uInt)got);
            made += got;
            for (size_t k = got; k-- > 0;)
                if (out[k] != '\n' && out[k] != '\r' && out[k] != ' ') {
                    last = out[k];
                    break;
                }
        }
        if (rc == Z_STREAM_END) {
            ended = 1;
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return -1;
        if (zs->avail_in == 0 && left == 0 && zs->avail_out > 0) {
            /* the bytes are through. Z_BLOCK leaves inflate at the final
             * block's end short of the stream's: one more call with no
             * input takes it there, and shows nothing follows */
            if (!final || tried)
                break;
            tried = 1;
        }
    }
    if (made != g->ulen || zs->avail_in != 0 || left != 0)
        return -1;
    /* the last ends the stream; any other ends on a byte-aligned block
     * boundary (128: at a block's start, no bit left over, not in the
     * final block) */
    if (final ? !ended : ended || zs->data_type != 128)
        return -1;
    j->crc[i] = crc;
    j->last[i] = last;
    return 0;
}

/* A worker's stream and buffers (2 * VERIFY_CHUNK bytes, the caller's). */
typedef struct seg_worker_arg {
    seg_job *j;
    unsigned char *buf;
    z_stream zs;
    int ok; /* its stream could be had */
} seg_worker_arg;

/* Takes segments until none is left; a worker whose stream could not be
 * had takes none (the others do its share). */
static void *seg_worker(void *arg)
{
    seg_worker_arg *a = arg;
    seg_job *j = a->j;
    if (!a->ok)
        return NULL;
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n || atomic_load(&j->bad))
            break;
        int r = inflate_seg(j, i, &a->zs, a->buf, a->buf + VERIFY_CHUNK);
        if (r != 0)
            job_fail(j, r == 2 ? 2 : 1, i);
    }
    return NULL;
}

/* The current entry through its segments: TA_OK, or a status with why;
 * *again set when the record does not tile the entry (read it in one
 * pass instead). */
static ta_status check_segments(int fd, unzFile z, const unz_file_info64 *fi,
                                const char *name, const rpt_seg *seg,
                                size_t n, int *again, char *why,
                                size_t whylen)
{
    *again = 1;
    unsigned long long clen = 0, ulen = 0;
    for (size_t i = 0; i < n; i++) {
        clen += seg[i].clen;
        ulen += seg[i].ulen;
    }
    if (fi->compression_method != Z_DEFLATED ||
        clen != fi->compressed_size || ulen != fi->uncompressed_size ||
        ulen == 0)
        return TA_OK;
    /* where its deflated bytes start: past the local header, as minizip
     * reads it */
    if (unzOpenCurrentFile(z) != UNZ_OK) {
        *again = 0;
        ta_errf(why, whylen, "%s: its header does not read", name);
        return TA_E_IO;
    }
    ZPOS64_T data = unzGetCurrentFileZStreamPos64(z);
    unzCloseCurrentFile(z);
    int want = rpt_cores(SEG_WORKERS);
    if ((size_t)want > n)
        want = (int)n;
    seg_job j = {.fd = fd, .data = data, .seg = seg, .n = n};
    ZPOS64_T *at = malloc(n * sizeof *at);
    j.crc = malloc(n * sizeof *j.crc);
    j.last = malloc(n);
    seg_worker_arg w[SEG_WORKERS];
    memset(w, 0, sizeof w);
    unsigned char *bufs = malloc((size_t)want * 2 * VERIFY_CHUNK);
    /* the calling thread works too: without its stream, one pass */
    int ok = at && j.crc && j.last && bufs &&
             inflateInit2(&w[0].zs, -MAX_WBITS) == Z_OK;
    if (!ok) {
        free(at);
        free(j.crc);
        free(j.last);
        free(bufs);
        return TA_OK;
    }
    *again = 0;
    for (int k = 0; k < want; k++) {
        w[k].j = &j;
        w[k].buf = bufs + (size_t)k * 2 * VERIFY_CHUNK;
        w[k].ok = k == 0 || inflateInit2(&w[k].zs, -MAX_WBITS) == Z_OK;
    }
    ZPOS64_T off = 0;
    for (size_t i = 0; i < n; i++) {
        at[i] = off;
        off += seg[i].clen;
    }
    j.at = at;
    atomic_init(&j.next, 0);
    atomic_init(&j.bad, 0);
    pthread_mutex_init(&j.mu, NULL);
    pthread_t th[SEG_WORKERS];
    int started[SEG_WORKERS] = {0};
    for (int k = 1; k < want; k++)
        started[k] = w[k].ok &&
                     pthread_create(&th[k], NULL, seg_worker, &w[k]) == 0;
    seg_worker(&w[0]);
    for (int k = 1; k < want; k++)
        if (started[k])
            pthread_join(th[k], NULL);
    for (int k = 0; k < want; k++)
        if (w[k].ok)
            inflateEnd(&w[k].zs);
    free(bufs);
    pthread_mutex_destroy(&j.mu);
    ta_status s = TA_OK;
    int bad = atomic_load(&j.bad);
    if (bad == 2) {
        s = TA_E_INTERRUPTED;
    } else if (bad) {
        ta_errf(why, whylen,
                "%s does not inflate (its stream %zu of %zu, at byte %llu)",
                name, j.bad_seg + 1, n,
                (unsigned long long)at[j.bad_seg]);
        s = TA_E_IO;
    } else {
        uLong crc = crc32(0L, Z_NULL, 0);
        unsigned char last = 0;
        for (size_t i = 0; i < n; i++) {
            crc = crc32_combine(crc, j.crc[i], (z_off_t)seg[i].ulen);
            if (j.last[i])
                last = j.last[i];
        }
        if (crc != fi->crc) {
            ta_errf(why, whylen, "%s: CRC-32 mismatch", name);
            s = TA_E_IO;
        } else if (is_xml_part(name) && last != '>') {
            ta_errf(why, whylen, "%s ends inside its XML", name);
            s = TA_E_IO;
        }
    }
    free(at);
    free(j.crc);
    free(j.last);
    return s;
}

ta_status rpt_verify_xlsx(int fd, const char *shown, char *err, size_t errlen)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        ta_errf(err, errlen, "%s: cannot check the report: %s", shown,
                strerror(errno));
        return TA_E_IO;
    }
    vfile vf = {.fd = fd, .size = (ZPOS64_T)sb.st_size};
    zlib_filefunc64_def io = {.zopen64_file = v_open,
                              .zread_file = v_read,
                              .zwrite_file = v_write,
                              .ztell64_file = v_tell,
                              .zseek64_file = v_seek,
                              .zclose_file = v_close,
                              .zerror_file = v_error,
                              .opaque = &vf};
    char why[512] = "";
    ta_status s = TA_OK;
    unzFile z = unzOpen2_64("", &io);
    unz_global_info64 gi;
    if (!z || unzGetGlobalInfo64(z, &gi) != UNZ_OK || gi.number_entry == 0) {
        snprintf(why, sizeof why, "%s", "its zip directory does not read");
        s = TA_E_IO;
    }
    unsigned char buf[VERIFY_CHUNK];
    ZPOS64_T seen = 0;
    int rc = s == TA_OK ? unzGoToFirstFile(z) : UNZ_OK;
    while (s == TA_OK && rc == UNZ_OK) {
        unz_file_info64 fi;
        char name[256];
        if (unzGetCurrentFileInfo64(z, &fi, name, sizeof name, NULL, 0, NULL,
                                    0) != UNZ_OK) {
            snprintf(why, sizeof why, "%s", "an entry of its directory");
            s = TA_E_IO;
            break;
        }
        size_t nseg;
        const rpt_seg *seg = rpt_segments_of(name, &nseg);
        int again = 1;
        if (seg)
            s = check_segments(fd, z, &fi, name, seg, nseg, &again, why,
                               sizeof why);
        if (again)
            s = check_entry(z, &fi, name, buf, why, sizeof why);
        seen++;
        if (s == TA_OK)
            rc = unzGoToNextFile(z);
    }
    if (s == TA_OK && rc != UNZ_END_OF_LIST_OF_FILE) {
        snprintf(why, sizeof why, "its directory ends early (minizip %d)", rc);
        s = TA_E_IO;
    }
    if (s == TA_OK && seen != gi.number_entry) {
        snprintf(why, sizeof why, "%llu entries of %llu listed",
                 (unsigned long long)seen,
                 (unsigned long long)gi.number_entry);
        s = TA_E_IO;
    }
    if (z)
        unzClose(z);
    if (s == TA_E_INTERRUPTED)
        return s;
    if (s != TA_OK)
        ta_errf(err, errlen,
                "%s: the workbook written does not read back (%s%s%s), so "
                "it was not kept; check the disk and its free space, and "
                "run the report again",
                shown, why, vf.err ? ": " : "", vf.err ? strerror(vf.err) : "");
    return s;
}
