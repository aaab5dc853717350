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
 * the XML: at 1M findings inflating ~650 MB is the whole cost
 * (docs/report.md, "Speed and memory").
 */
#include "report_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unzip.h>

#include "interrupt.h"

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
