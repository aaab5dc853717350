/*
 * cfb.c — OLE2 compound files (cfb.h), after [MS-CFB].
 *
 * The FAT is gathered from the header's 109 DIFAT slots and the DIFAT
 * chain; the directory and the mini FAT are read whole (capped); a stream
 * is a list of sectors built once from its chain, so reads at any offset
 * are preads of runs of consecutive sectors. Every sector number is
 * checked against the file's size and every chain against loops.
 */
#include "cfb.h"

#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CFB_ENDOFCHAIN 0xFFFFFFFEu
#define CFB_FREESECT 0xFFFFFFFFu
#define CFB_MAXREGSECT 0xFFFFFFFAu
#define CFB_NOSTREAM 0xFFFFFFFFu
#define CFB_MAX_DIR 65536u /* entries: real files have a dozen */

typedef struct cfb_dirent {
    char name[32]; /* ASCII view of the UTF-16 name ('?' for others) */
    unsigned type; /* 1 storage, 2 stream, 5 root */
    uint32_t left, right, child, start;
    unsigned long long size;
} cfb_dirent;

struct cfb {
    int fd;
    unsigned long long fsize;
    unsigned shift, ssize; /* sector size */
    uint32_t nsect;        /* sectors the file holds */
    uint32_t *fat;
    uint32_t nfat;
    uint32_t *minifat;
    uint32_t nminifat;
    uint32_t cutoff;
    cfb_dirent *dir;
    uint32_t ndir;
    cfb_stream *ministream; /* the root's stream, holding mini sectors */
};

struct cfb_stream {
    cfb *c;
    unsigned long long size;
    int mini;
    uint32_t *sect; /* sectors (mini sectors when mini) in order */
    uint32_t nsect;
};

static ta_status say(char *err, size_t errlen, ta_status st, const char *fmt,
                     ...) __attribute__((format(printf, 4, 5)));
static ta_status say(char *err, size_t errlen, ta_status st, const char *fmt,
                     ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return st;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static unsigned le16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static int pread_exact(int fd, void *buf, size_t n, unsigned long long off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0) {
            errno = EIO;
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

static int read_sector(const cfb *c, uint32_t s, void *buf)
{
    if (s >= c->nsect) {
        errno = EIO;
        return -1;
    }
    return pread_exact(c->fd, buf, c->ssize,
                       ((unsigned long long)s + 1) << c->shift);
}

/* Follows a chain in table t (n entries) from start; the sectors in order
 * (malloc'd) in *out, their count in *len. limit: most sectors the chain
 * may have. 0, -1 damaged (a loop, a sector out of range), -2 memory. */
static int chain(const uint32_t *t, uint32_t n, uint32_t start, uint32_t limit,
                 uint32_t **out, uint32_t *len)
{
    size_t cap = 0;
    uint32_t k = 0;
    uint32_t *v = NULL;
    uint32_t s = start;
    while (s != CFB_ENDOFCHAIN) {
        if (s >= n || k >= limit) {
            free(v);
            return -1;
        }
        if (buf_grow_array(&v, &cap, (size_t)k + 1, sizeof *v)) {
            free(v);
            return -2;
        }
        v[k++] = s;
        s = t[s];
    }
    if (!v && !(v = malloc(sizeof *v)))
        return -2; /* an empty chain: an empty list all the same */
    *out = v;
    *len = k;
    return 0;
}

static ta_status load_fat(cfb *c, const unsigned char *hdr, char *err,
                          size_t errlen)
{
    uint32_t nfatsect = le32(hdr + 0x2C);
    uint32_t difat = le32(hdr + 0x44);
    uint32_t ndifat = le32(hdr + 0x48);
    if (nfatsect == 0 || nfatsect > c->nsect)
        return say(err, errlen, TA_E_DATA,
                   "the OLE2 file's allocation table size is impossible");
    uint32_t per = c->ssize / 4;
    uint32_t *fs = malloc((size_t)nfatsect * sizeof *fs);
    unsigned char *sec = malloc(c->ssize);
    if (!fs || !sec) {
        free(fs);
        free(sec);
        return TA_E_NOMEM;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < 109 && k < nfatsect; i++)
        fs[k++] = le32(hdr + 0x4C + 4 * i);
    uint32_t steps = 0;
    while (k < nfatsect && difat != CFB_ENDOFCHAIN && difat != CFB_FREESECT) {
        if (++steps > ndifat + 1 || read_sector(c, difat, sec)) {
            free(fs);
            free(sec);
            return say(err, errlen, TA_E_DATA,
                       "the OLE2 file's DIFAT chain is damaged");
        }
        for (uint32_t i = 0; i < per - 1 && k < nfatsect; i++)
            fs[k++] = le32(sec + 4 * i);
        difat = le32(sec + 4 * (per - 1));
    }
    if (k < nfatsect) {
        free(fs);
        free(sec);
        return say(err, errlen, TA_E_DATA,
                   "the OLE2 file's allocation table is incomplete");
    }
    c->nfat = nfatsect * per;
    c->fat = malloc((size_t)c->nfat * sizeof *c->fat);
    if (!c->fat) {
        free(fs);
        free(sec);
        return TA_E_NOMEM;
    }
    for (uint32_t i = 0; i < nfatsect; i++) {
        if (read_sector(c, fs[i], sec)) {
            int e = errno;
            free(fs);
            free(sec);
            if (e == EIO)
                return say(err, errlen, TA_E_DATA,
                           "the OLE2 file is truncated (allocation table)");
            return say(err, errlen, TA_E_IO, "read error: %s", strerror(e));
        }
        for (uint32_t j = 0; j < per; j++)
            c->fat[(size_t)i * per + j] = le32(sec + 4 * j);
    }
    free(fs);
    free(sec);
    return TA_OK;
}

static ta_status load_dir(cfb *c, uint32_t first, char *err, size_t errlen)
{
    uint32_t *secs = NULL, n = 0;
    int rc = chain(c->fat, c->nfat, first, c->nsect, &secs, &n);
    if (rc == -2)
        return TA_E_NOMEM;
    if (rc || n == 0)
        return say(err, errlen, TA_E_DATA,
                   "the OLE2 file's directory chain is damaged");
    uint32_t per = c->ssize / 128;
    uint64_t total = (uint64_t)n * per;
    if (total > CFB_MAX_DIR)
        total = CFB_MAX_DIR;
    c->dir = calloc((size_t)total, sizeof *c->dir);
    unsigned char *sec = malloc(c->ssize);
    if (!c->dir || !sec) {
        free(secs);
        free(sec);
        return TA_E_NOMEM;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < n && k < total; i++) {
        if (read_sector(c, secs[i], sec)) {
            free(secs);
            free(sec);
            return say(err, errlen, TA_E_DATA,
                       "the OLE2 file's directory is truncated");
        }
        for (uint32_t j = 0; j < per && k < total; j++, k++) {
            const unsigned char *e = sec + 128 * j;
            cfb_dirent *d = &c->dir[k];
            unsigned nl = le16(e + 0x40);
            if (nl > 64)
                nl = 64;
            size_t q = 0;
            for (unsigned u = 0; u + 1 < nl && q < sizeof d->name - 1;
                 u += 2) {
                unsigned ch = le16(e + u);
                if (ch == 0)
                    break;
                d->name[q++] = ch < 128 ? (char)ch : '?';
            }
            d->name[q] = '\0';
            d->type = e[0x42];
            d->left = le32(e + 0x44);
            d->right = le32(e + 0x48);
            d->child = le32(e + 0x4C);
            d->start = le32(e + 0x74);
            d->size = le32(e + 0x78);
            if (c->shift == 12)
                d->size |= (unsigned long long)le32(e + 0x7C) << 32;
        }
    }
    c->ndir = k;
    free(secs);
    free(sec);
    if (c->ndir == 0 || c->dir[0].type != 5)
        return say(err, errlen, TA_E_DATA,
                   "the OLE2 file has no root directory entry");
    return TA_OK;
}

ta_status cfb_open(int fd, cfb **out, char *err, size_t errlen)
{
    *out = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0)
        return say(err, errlen, TA_E_IO, "cannot read the file: %s",
                   strerror(errno));
    unsigned char hdr[512];
    if (st.st_size < 512 || pread_exact(fd, hdr, sizeof hdr, 0))
        return say(err, errlen, TA_E_DATA,
                   "the OLE2 file is truncated (no complete header)");
    unsigned major = le16(hdr + 0x1A), shift = le16(hdr + 0x1E);
    if (le16(hdr + 0x1C) != 0xFFFE ||
        !((major == 3 && shift == 9) || (major == 4 && shift == 12)) ||
        le16(hdr + 0x20) != 6)
        return say(err, errlen, TA_E_DATA,
                   "the OLE2 header is damaged (version %u, sector shift "
                   "%u)",
                   major, shift);
    cfb *c = calloc(1, sizeof *c);
    if (!c)
        return TA_E_NOMEM;
    c->fd = fd;
    c->fsize = (unsigned long long)st.st_size;
    c->shift = shift;
    c->ssize = 1u << shift;
    unsigned long long ns = (c->fsize - 1) / c->ssize; /* minus the header */
    c->nsect = ns > CFB_MAXREGSECT ? CFB_MAXREGSECT : (uint32_t)ns;
    c->cutoff = le32(hdr + 0x38);
    ta_status s = load_fat(c, hdr, err, errlen);
    if (s == TA_OK)
        s = load_dir(c, le32(hdr + 0x30), err, errlen);
    if (s == TA_OK && le32(hdr + 0x40) > 0 &&
        le32(hdr + 0x3C) != CFB_ENDOFCHAIN) {
        uint32_t *ms = NULL, n = 0;
        int rc = chain(c->fat, c->nfat, le32(hdr + 0x3C), c->nsect, &ms, &n);
        if (rc == -2)
            s = TA_E_NOMEM;
        else if (rc)
            s = say(err, errlen, TA_E_DATA,
                    "the OLE2 file's mini allocation table is damaged");
        else {
            uint32_t per = c->ssize / 4;
            c->nminifat = n * per;
            c->minifat =
                malloc(((size_t)c->nminifat + 1) * sizeof *c->minifat);
            unsigned char *sec = malloc(c->ssize);
            if (!c->minifat || !sec)
                s = TA_E_NOMEM;
            for (uint32_t i = 0; s == TA_OK && i < n; i++) {
                if (read_sector(c, ms[i], sec))
                    s = say(err, errlen, TA_E_DATA,
                            "the OLE2 file's mini allocation table is "
                            "truncated");
                else
                    for (uint32_t j = 0; j < per; j++)
                        c->minifat[(size_t)i * per + j] = le32(sec + 4 * j);
            }
            free(sec);
            free(ms);
        }
    }
    if (s == TA_OK && c->dir[0].start != CFB_ENDOFCHAIN &&
        c->dir[0].size > 0) {
        /* the root entry's stream holds the mini sectors */
        cfb_stream *m = calloc(1, sizeof *m);
        if (!m)
            s = TA_E_NOMEM;
        else {
            m->c = c;
            m->size = c->dir[0].size;
            int rc = chain(c->fat, c->nfat, c->dir[0].start, c->nsect,
                           &m->sect, &m->nsect);
            if (rc == -2)
                s = TA_E_NOMEM;
            else if (rc)
                s = say(err, errlen, TA_E_DATA,
                        "the OLE2 file's mini stream chain is damaged");
            if (s == TA_OK &&
                (unsigned long long)m->nsect * c->ssize < m->size)
                m->size = (unsigned long long)m->nsect * c->ssize;
            c->ministream = m;
        }
    }
    if (s != TA_OK) {
        cfb_close(c);
        return s;
    }
    *out = c;
    return TA_OK;
}

void cfb_close(cfb *c)
{
    if (!c)
        return;
    cfb_stream_close(c->ministream);
    free(c->fat);
    free(c->minifat);
    free(c->dir);
    free(c);
}

static int name_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'a' && x <= 'z')
            x = (char)(x - 32);
        if (y >= 'a' && y <= 'z')
            y = (char)(y - 32);
        if (x != y)
            return 0;
    }
    return *a == *b;
}

long cfb_find(const cfb *c, const char *name)
{
    /* the root's children form a tree through left/right siblings */
    uint32_t stack[64];
    size_t sp = 0;
    uint32_t visited = 0;
    if (c->dir[0].child < c->ndir)
        stack[sp++] = c->dir[0].child;
    while (sp > 0) {
        uint32_t i = stack[--sp];
        if (++visited > c->ndir)
            break; /* a cycle */
        const cfb_dirent *d = &c->dir[i];
        if (d->type == 2 && name_eq(d->name, name))
            return (long)i;
        if (d->left < c->ndir && sp < 64)
            stack[sp++] = d->left;
        if (d->right < c->ndir && sp < 64)
            stack[sp++] = d->right;
    }
    return -1;
}

ta_status cfb_stream_open(cfb *c, long entry, cfb_stream **out, char *err,
                          size_t errlen)
{
    *out = NULL;
    const cfb_dirent *d = &c->dir[entry];
    cfb_stream *s = calloc(1, sizeof *s);
    if (!s)
        return TA_E_NOMEM;
    s->c = c;
    s->size = d->size;
    int rc = 0;
    if (d->size == 0)
        rc = 0;
    else if (d->size < c->cutoff) {
        s->mini = 1;
        if (!c->minifat || !c->ministream)
            rc = -1;
        else
            rc = chain(c->minifat, c->nminifat, d->start,
                       (uint32_t)(c->ministream->size / 64 + 1), &s->sect,
                       &s->nsect);
        if (rc == 0 && (unsigned long long)s->nsect * 64 < s->size)
            rc = -1;
    } else {
        rc = chain(c->fat, c->nfat, d->start, c->nsect, &s->sect, &s->nsect);
        if (rc == 0 && (unsigned long long)s->nsect * c->ssize < s->size)
            rc = -1;
    }
    if (rc) {
        free(s->sect);
        free(s);
        if (rc == -2)
            return TA_E_NOMEM;
        return say(err, errlen, TA_E_DATA,
                   "the stream \"%s\" is damaged or truncated", d->name);
    }
    *out = s;
    return TA_OK;
}

unsigned long long cfb_stream_size(const cfb_stream *s)
{
    return s->size;
}

long cfb_read_at(cfb_stream *s, unsigned long long off, void *buf, size_t n)
{
    if (off >= s->size)
        return 0;
    if (n > s->size - off)
        n = (size_t)(s->size - off);
    unsigned char *d = buf;
    size_t done = 0;
    unsigned unit = s->mini ? 64u : s->c->ssize;
    while (done < n) {
        unsigned long long pos = off + done;
        uint32_t k = (uint32_t)(pos / unit);
        size_t in = (size_t)(pos % unit);
        size_t take = unit - in;
        uint32_t sec = s->sect[k];
        /* runs of consecutive sectors in one read */
        for (uint32_t j = k; !s->mini && take < n - done && j + 1 < s->nsect &&
                             s->sect[j + 1] == s->sect[j] + 1;
             j++)
            take += unit;
        if (take > n - done)
            take = n - done;
        if (s->mini) {
            if (cfb_read_at(s->c->ministream,
                            (unsigned long long)sec * 64 + in, d + done,
                            take) != (long)take) {
                errno = EIO;
                return -1;
            }
        } else {
            unsigned long long fo =
                (((unsigned long long)sec + 1) << s->c->shift) + in;
            if (fo + take > s->c->fsize) {
                errno = EIO;
                return -1;
            }
            if (pread_exact(s->c->fd, d + done, take, fo))
                return -1;
        }
        done += take;
    }
    return (long)done;
}

void cfb_stream_close(cfb_stream *s)
{
    if (!s)
        return;
    free(s->sect);
    free(s);
}
