/*
 * csv.c — the streaming CSV reader of SPEC §3 (see csv.h and docs/csv.md).
 *
 * Two passes. The first reads the whole input once in 64 KiB blocks: it
 * hashes it (SHA-256) and feeds the caller's byte callback, validates UTF-8
 * strictly, looks for BOMs, NUL bytes and control bytes, and decides the
 * encoding. The second pass of a file reads exactly as many bytes as the
 * first, hashes them too, and at the end compares: a file that changed in
 * between (SPEC §3 "Duplicates and re-imports") is CSV_E_CHANGED, so the
 * encoding decision, the hash and the rows all come from the same bytes.
 * The second pass streams rows out of a "window": a buffer of UTF-8 text
 * (transcoded on the fly from Windows-1252 when needed) that always holds
 * the whole current row, so a row can be parsed again from its start with
 * another delimiter (delimiter detection) and row->raw can point straight
 * into it. The window grows geometrically only when one row does not fit,
 * up to max_row_bytes; in steady state nothing is allocated per row.
 *
 * It knows nothing of tickets, SQLite or rules; it never prints.
 */
#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "mask.h"
#include "sha256.h"
#include "utf8.h"

#define CSV_BLOCK ((size_t)64 * 1024)
#define CSV_SAMPLE ((size_t)4096)
#define CSV_WINDOW0 ((size_t)256 * 1024)
#define CSV_DEFAULT_MAX_ROW ((size_t)16 * 1024 * 1024)
#define CSV_HEADER_ROWS 30
#define CSV_HEADER_MIN_SCORE 3

/* How bytes of the input become UTF-8 in the window. */
typedef enum xform {
    XF_NONE,    /* valid UTF-8 (or plain ASCII): used as is */
    XF_CP1252,  /* Windows-1252, every byte >= 0x80 transcoded */
    XF_SANITIZE /* forced UTF-8 over invalid input: bad sequences -> FFFD */
} xform;

/* Outcome of parsing one row out of the window. */
typedef enum parse_res {
    PR_DONE,
    PR_MORE,    /* the row runs past the window's end: fill and retry */
    PR_TOOLONG, /* longer than max_row_bytes */
    PR_TOOMANY, /* more than CSV_MAX_FIELDS fields */
    PR_NOMEM
} parse_res;

struct csv_reader {
    char *name;
    int fd;     /* the file (pread only), or -1 for memory input */
    int own_fd; /* csv_open_file opened it: closed by csv_close */
    const unsigned char *mem; /* memory input (not owned) */
    size_t mem_len, mem_pos;
    int from_mem;

    xform xf;
    csv_encoding enc;
    int bom;
    char delim;
    size_t max_row;
    csv_score_fn score;
    void *score_ctx;
    unsigned long long size;
    /* The SHA-256 of the first pass, and of the second as it is read. */
    char sha_hex[SHA256_HEX_SIZE];
    struct sha256_ctx sha2;

    /* The window: win[0..wlen) is UTF-8 text, pos the next unread byte. */
    const char *win;
    char *wbuf; /* owned storage of win (NULL when win is the caller's) */
    size_t wcap, wlen, pos;
    int eof;                 /* nothing more will be appended */
    unsigned long long base; /* raw offset of win[0] (XF_NONE) */

    /* Raw staging block for transcoding. */
    unsigned char *rbuf;
    size_t rpos, rlen;
    int src_eof;
    unsigned long long raw_in;   /* raw bytes taken from the source */
    unsigned long long replaced; /* invalid UTF-8 sequences -> U+FFFD */

    unsigned long line;          /* physical line number at pos */
    unsigned long long progress; /* csv_offset */

    /* The current row: fields unquoted into fb, each NUL-terminated (fb
     * is filled through buf_reserve and fb.len, not buf_add: the fields
     * are written in place as the row is parsed). */
    ta_buf fb;
    size_t *foff, *flen;
    char **fptr;
    size_t fldcap, nf;
    int open_quote;
    size_t pend;           /* window index after the row's line break */
    size_t praw_end;       /* window index of the row's end (no break) */
    unsigned long pbreaks; /* line breaks the row spans, final one too */
    csv_row row;

    /* The header, deep-copied so it outlives csv_next. */
    int has_hdr;
    csv_row hdr;
    char *hbuf;
    char **hfields;
    size_t *hlens;

    csv_status err;
    char msg[1024];
};

/* ---- names ---------------------------------------------------------- */

const char *csv_encoding_name(csv_encoding enc)
{
    switch (enc) {
    case CSV_ENC_UTF8:
        return "utf-8";
    case CSV_ENC_CP1252:
        return "windows-1252";
    default:
        return "auto";
    }
}

int csv_encoding_parse(const char *name)
{
    if (!name)
        return -1;
    if (!strcasecmp(name, "utf-8") || !strcasecmp(name, "utf8"))
        return CSV_ENC_UTF8;
    if (!strcasecmp(name, "windows-1252") || !strcasecmp(name, "cp1252"))
        return CSV_ENC_CP1252;
    if (!strcasecmp(name, "auto"))
        return CSV_ENC_AUTO;
    return -1;
}

/* ---- errors ---------------------------------------------------------- */

static csv_status set_err(csv_reader *r, csv_status st, unsigned long line,
                          const char *fmt, ...) TA_PRINTF(4, 5);

/* Stores "NAME: line N: what" (line 0: no line part) and the status. */
static csv_status set_err(csv_reader *r, csv_status st, unsigned long line,
                          const char *fmt, ...)
{
    int n;
    if (line > 0)
        n = snprintf(r->msg, sizeof r->msg, "%s: line %lu: ", r->name, line);
    else
        n = snprintf(r->msg, sizeof r->msg, "%s: ", r->name);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof r->msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->msg + n, sizeof r->msg - (size_t)n, fmt, ap);
        va_end(ap);
    }
    r->err = st;
    return st;
}

/* ---- second pass: transcoding --------------------------------------- */

/* Windows-1252 0x80..0x9F. The five bytes Windows leaves undefined (0x81
 * 0x8D 0x8F 0x90 0x9D) map to the C1 control of the same value, as the
 * WHATWG Encoding Standard and Windows' own converter do: no byte is lost
 * and the mapping stays reversible. */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

/* Transcodes all n bytes; out holds at least 3 * n bytes. */
static size_t cp1252_decode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = in[i];
        if (b < 0x80)
            out[o++] = (char)b;
        else if (b < 0xA0)
            o += utf8_encode(cp1252_c1[b - 0x80], out + o);
        else
            o += utf8_encode(b, out + o);
    }
    return o;
}

/* ---- reading the file ------------------------------------------------ */

/* Reads up to max bytes at offset off, retrying short reads and EINTR;
 * the count read (less than max only at the end of the file), or -1 with
 * errno set. */
static long long read_at(int fd, unsigned char *dst, size_t max,
                         unsigned long long off)
{
    size_t got = 0;
    while (got < max) {
        ssize_t n = pread(fd, dst + got, max - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (long long)got;
}

/* The end of the second pass of a file: it must have given exactly the
 * first pass's bytes. A file cut short gives fewer; one appended to has a
 * byte at the old end; one rewritten hashes differently. */
static csv_status pass2_end(csv_reader *r)
{
    unsigned char extra;
    long long more = read_at(r->fd, &extra, 1, r->size);
    char hex[SHA256_HEX_SIZE];
    sha256_hex(&r->sha2, hex);
    if (more < 0)
        return set_err(r, CSV_E_IO, 0, "read error: %s", strerror(errno));
    if (r->raw_in != r->size || more > 0 || strcmp(hex, r->sha_hex) != 0)
        return set_err(
            r, CSV_E_CHANGED, 0,
            "the file changed while it was read (%llu bytes at first, %s "
            "on the second reading); an export still being written, or a "
            "copy over it: import it again once it is complete",
            r->size,
            r->raw_in < r->size ? "fewer"
            : more > 0          ? "more"
                                : "other bytes");
    return CSV_OK;
}

/* ---- second pass: the window ---------------------------------------- */

/* Reads up to max raw bytes from the source: from a file, never past the
 * first pass's size, hashing what it reads. -1 on a read error (errno). */
static long long source_read(csv_reader *r, unsigned char *dst, size_t max)
{
    size_t got;
    if (r->from_mem) {
        got = r->mem_len - r->mem_pos;
        if (got > max)
            got = max;
        memcpy(dst, r->mem + r->mem_pos, got);
        r->mem_pos += got;
    } else {
        if (max > r->size - r->raw_in)
            max = (size_t)(r->size - r->raw_in);
        long long n = max ? read_at(r->fd, dst, max, r->raw_in) : 0;
        if (n < 0)
            return -1;
        got = (size_t)n;
        sha256_update(&r->sha2, got, dst);
    }
    r->raw_in += got;
    return (long long)got;
}

/* source_read's end: for a file, the check of pass2_end. */
static csv_status source_end(csv_reader *r)
{
    return r->from_mem ? CSV_OK : pass2_end(r);
}

/* Tops the raw staging block up to CSV_BLOCK bytes, keeping what is left
 * of it (an incomplete UTF-8 sequence in sanitize mode). */
static csv_status raw_more(csv_reader *r)
{
    size_t left = r->rlen - r->rpos;
    memmove(r->rbuf, r->rbuf + r->rpos, left);
    r->rpos = 0;
    r->rlen = left;
    long long got = source_read(r, r->rbuf + left, CSV_BLOCK - left);
    if (got < 0)
        return set_err(r, CSV_E_IO, r->line, "read error: %s",
                       strerror(errno));
    r->rlen += (size_t)got;
    if (got == 0) {
        r->src_eof = 1;
        return source_end(r);
    }
    return CSV_OK;
}

/* Appends input to the window, dropping the bytes before pos first and
 * doubling the window when the row being read fills more than half of it
 * (up to max_row and 128 KiB).
 * Sets eof when the input is exhausted. */
static csv_status fill(csv_reader *r)
{
    if (r->pos > 0) {
        memmove(r->wbuf, r->wbuf + r->pos, r->wlen - r->pos);
        r->wlen -= r->pos;
        r->base += r->pos;
        r->pos = 0;
    }
    /* Never more than a longest row and a little: an endless line is
     * refused at max_row bytes without the window doubling past it. */
    size_t limit = r->max_row + ((size_t)1 << 17);
    if (r->wlen > r->wcap / 2 && r->wcap < limit) {
        size_t ncap = r->wcap * 2 < limit ? r->wcap * 2 : limit;
        char *nb = realloc(r->wbuf, ncap);
        if (!nb)
            return set_err(r, CSV_E_NOMEM, r->line, "out of memory");
        r->wbuf = nb;
        r->wcap = ncap;
    }
    r->win = r->wbuf;
    if (r->xf == XF_NONE) {
        size_t room = r->wcap - r->wlen;
        long long got =
            source_read(r, (unsigned char *)r->wbuf + r->wlen, room);
        if (got < 0)
            return set_err(r, CSV_E_IO, r->line, "read error: %s",
                           strerror(errno));
        r->wlen += (size_t)got;
        if (got == 0) {
            r->eof = 1;
            return source_end(r);
        }
        return CSV_OK;
    }
    while (r->wcap - r->wlen >= 16) {
        size_t avail = r->rlen - r->rpos;
        if (avail < 4 && !r->src_eof) {
            csv_status st = raw_more(r);
            if (st != CSV_OK)
                return st;
            continue;
        }
        if (avail == 0) {
            r->eof = 1;
            break;
        }
        size_t take = (r->wcap - r->wlen) / 3;
        if (take > avail)
            take = avail;
        size_t used = take, out, nbad = 0;
        if (r->xf == XF_CP1252)
            out = cp1252_decode(r->rbuf + r->rpos, take, r->wbuf + r->wlen);
        else
            out = utf8_repair_part((const char *)r->rbuf + r->rpos, take,
                                   r->src_eof && take == avail,
                                   r->wbuf + r->wlen, &used, &nbad);
        r->replaced += nbad;
        r->wlen += out;
        r->rpos += used;
        if (used == 0) {
            if (r->src_eof) { /* cannot happen: eof flushes everything */
                r->eof = 1;
                break;
            }
            csv_status st = raw_more(r);
            if (st != CSV_OK)
                return st;
        }
    }
    return CSV_OK;
}

/* ---- second pass: rows ---------------------------------------------- */

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* SPEC §3: fields are trimmed of spaces, tabs, CR and LF, so a stray line
 * break at either end of a quoted cell goes too. */
static int is_trimmed(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Makes room for extra more bytes in fb. Past fb's ceiling (a row longer
 * than max_row, a field per byte) the row is too long. */
static parse_res fb_reserve(csv_reader *r, size_t extra)
{
    if (r->fb.len + extra > r->fb.max)
        return PR_TOOLONG;
    return buf_reserve(&r->fb, extra) == 0 ? PR_DONE : PR_NOMEM;
}

/* Starts a new field at fb's end. */
static parse_res field_begin(csv_reader *r)
{
    if (r->nf >= CSV_MAX_FIELDS)
        return PR_TOOMANY;
    if (r->nf >= r->fldcap) {
        size_t ncap = r->fldcap ? r->fldcap * 2 : 64;
        if (ncap > CSV_MAX_FIELDS)
            ncap = CSV_MAX_FIELDS;
        size_t *no = realloc(r->foff, ncap * sizeof *no);
        if (!no)
            return PR_NOMEM;
        r->foff = no;
        size_t *nl = realloc(r->flen, ncap * sizeof *nl);
        if (!nl)
            return PR_NOMEM;
        r->flen = nl;
        char **np = realloc(r->fptr, ncap * sizeof *np);
        if (!np)
            return PR_NOMEM;
        r->fptr = np;
        r->fldcap = ncap;
    }
    r->foff[r->nf] = r->fb.len;
    return PR_DONE;
}

/* Ends the current field: trims spaces, tabs, CR and LF at both ends and
 * NUL-terminates it (room for the NUL was reserved with the bytes). */
static void field_end(csv_reader *r)
{
    size_t s = r->foff[r->nf], e = r->fb.len;
    while (s < e && is_trimmed(r->fb.p[s]))
        s++;
    while (e > s && is_trimmed(r->fb.p[e - 1]))
        e--;
    r->fb.p[e] = '\0';
    r->foff[r->nf] = s;
    r->flen[r->nf] = e - s;
    r->fb.len = e + 1;
    r->nf++;
}

/* Counts line breaks in p[0..n): CR, LF and CRLF each count one. */
static unsigned long count_breaks(const char *p, size_t n)
{
    unsigned long c = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n')
            c++;
        else if (p[i] == '\r' && (i + 1 >= n || p[i + 1] != '\n'))
            c++;
    }
    return c;
}

/* Parses the row starting at pos with delimiter d into fb/foff/flen,
 * without moving pos: delimiter detection parses a row several times.
 * On PR_DONE, pend/praw_end/pbreaks/open_quote describe the row. */
static parse_res parse_row(csv_reader *r, char d)
{
    const char *p = r->win;
    size_t n = r->wlen, i = r->pos;
    unsigned long breaks = 0;
    parse_res pr;

    r->nf = 0;
    r->fb.len = 0;
    r->open_quote = 0;
    for (;;) {
        if ((pr = field_begin(r)) != PR_DONE)
            return pr;
        if (i < n && p[i] == '"') {
            i++;
            for (;;) {
                const char *q = memchr(p + i, '"', n - i);
                size_t k = q ? (size_t)(q - p) : n;
                if (!q && !r->eof)
                    return PR_MORE;
                if ((pr = fb_reserve(r, k - i + 2)) != PR_DONE)
                    return pr;
                memcpy(r->fb.p + r->fb.len, p + i, k - i);
                r->fb.len += k - i;
                breaks += count_breaks(p + i, k - i);
                if (!q) { /* end of input inside the quotes */
                    r->open_quote = 1;
                    i = n;
                    field_end(r);
                    goto row_end;
                }
                size_t j = k + 1;
                if (j >= n) {
                    if (!r->eof)
                        return PR_MORE;
                    i = n;
                    field_end(r);
                    goto row_end;
                }
                char c = p[j];
                if (c == '"') { /* "" is one quote */
                    r->fb.p[r->fb.len++] = '"';
                    i = j + 1;
                } else if (c == d) {
                    i = j + 1;
                    field_end(r);
                    goto next_field;
                } else if (c == '\r' || c == '\n') {
                    i = j;
                    field_end(r);
                    goto row_end;
                } else { /* a lone quote is literal; still quoted */
                    r->fb.p[r->fb.len++] = '"';
                    i = j;
                }
            }
        } else {
            /* Not beginning with a quote: literal up to d or line end. */
            size_t k = i;
            while (k < n && p[k] != d && p[k] != '\n' && p[k] != '\r')
                k++;
            if (k >= n && !r->eof)
                return PR_MORE;
            if ((pr = fb_reserve(r, k - i + 1)) != PR_DONE)
                return pr;
            memcpy(r->fb.p + r->fb.len, p + i, k - i);
            r->fb.len += k - i;
            field_end(r);
            if (k < n && p[k] == d) {
                i = k + 1;
                goto next_field;
            }
            i = k;
            goto row_end;
        }
    next_field:
        if (i - r->pos > r->max_row)
            return PR_TOOLONG;
    }
row_end:
    r->praw_end = i;
    if (i < n && p[i] == '\r') {
        if (i + 1 >= n && !r->eof)
            return PR_MORE; /* CR or CRLF? */
        i += (i + 1 < n && p[i + 1] == '\n') ? 2 : 1;
        breaks++;
    } else if (i < n && p[i] == '\n') {
        i++;
        breaks++;
    }
    r->pend = i;
    r->pbreaks = breaks;
    return PR_DONE;
}

/* Skips blank lines (empty or spaces/tabs only) at pos, counting them.
 * Returns CSV_ROW at the start of a row, CSV_OK at end of input. */
static csv_status skip_blank(csv_reader *r)
{
    for (;;) {
        size_t k = r->pos;
        while (k < r->wlen && is_blank(r->win[k]))
            k++;
        if (k >= r->wlen || (r->win[k] == '\r' && k + 1 >= r->wlen)) {
            if (!r->eof) {
                csv_status st = fill(r);
                if (st != CSV_OK)
                    return st;
                continue;
            }
            if (k >= r->wlen) {
                r->pos = r->wlen;
                return CSV_OK;
            }
        }
        if (r->win[k] == '\n') {
            r->pos = k + 1;
        } else if (r->win[k] == '\r') {
            r->pos = k + 1 + (k + 1 < r->wlen && r->win[k + 1] == '\n');
        } else {
            return CSV_ROW;
        }
        r->line++;
    }
}

/* Reads the row at pos with delimiter d into r->row, filling the window
 * as needed, without consuming it (see commit_row). */
static csv_status peek_row(csv_reader *r, char d)
{
    csv_status st = skip_blank(r);
    if (st != CSV_ROW)
        return st;
    for (;;) {
        parse_res pr = parse_row(r, d);
        if (pr == PR_MORE) {
            if (r->wlen - r->pos > r->max_row)
                pr = PR_TOOLONG;
            else {
                st = fill(r);
                if (st != CSV_OK)
                    return st;
                continue;
            }
        }
        if (pr == PR_DONE && r->praw_end - r->pos > r->max_row)
            pr = PR_TOOLONG;
        switch (pr) {
        case PR_DONE:
            break;
        case PR_TOOLONG:
            return set_err(r, CSV_E_TOOLONG, r->line,
                           "a row longer than %zu bytes (often a quote "
                           "left open, which makes the rest of the file one "
                           "field); check the quotes around this line",
                           r->max_row);
        case PR_TOOMANY:
            return set_err(r, CSV_E_TOOLONG, r->line,
                           "a row with more than %d fields; check that "
                           "this is a CSV export with a sensible delimiter",
                           CSV_MAX_FIELDS);
        default:
            return set_err(r, CSV_E_NOMEM, r->line, "out of memory");
        }
        for (size_t i = 0; i < r->nf; i++)
            r->fptr[i] = r->fb.p + r->foff[i];
        r->row.nfields = r->nf;
        r->row.fields = r->fptr;
        r->row.lens = r->flen;
        r->row.line = r->line;
        r->row.open_quote = r->open_quote;
        r->row.raw = r->win + r->pos;
        r->row.raw_len = r->praw_end - r->pos;
        return CSV_ROW;
    }
}

static void commit_row(csv_reader *r)
{
    r->pos = r->pend;
    r->line += r->pbreaks;
}

/* The delimiter of the row at pos: the one of , ; TAB | splitting it into
 * the most fields (ties in that order; none splits -> ','). Each is tried
 * with the real parser, so "outside quotes" means what it means when
 * reading. Leaves r->row parsed with the chosen delimiter. */
static csv_status detect_row(csv_reader *r, char *out)
{
    static const char cands[4] = {',', ';', '\t', '|'};
    size_t best = 0;
    char bd = ',';
    for (int c = 0; c < 4; c++) {
        csv_status st = peek_row(r, cands[c]);
        if (st != CSV_ROW)
            return st;
        if (r->nf - 1 > best) {
            best = r->nf - 1;
            bd = cands[c];
        }
    }
    *out = bd;
    return peek_row(r, bd);
}

/* Excel's "sep=X" first line names the delimiter; consumed if present. */
static csv_status sep_line(csv_reader *r, int *found)
{
    *found = 0;
    csv_status st = skip_blank(r);
    if (st != CSV_ROW)
        return st;
    while (r->wlen - r->pos < 7 && !r->eof) {
        if ((st = fill(r)) != CSV_OK)
            return st;
    }
    const char *p = r->win + r->pos;
    size_t n = r->wlen - r->pos;
    if (n < 5 || memcmp(p, "sep=", 4) != 0 ||
        !(p[4] == ',' || p[4] == ';' || p[4] == '\t' || p[4] == '|'))
        return CSV_OK;
    if (n > 5 && p[5] != '\r' && p[5] != '\n')
        return CSV_OK;
    r->delim = p[4];
    *found = 1;
    r->pos += 5;
    if (n > 5) {
        r->pos += (p[5] == '\r' && n > 6 && p[6] == '\n') ? 2 : 1;
        r->line++;
    }
    return CSV_OK;
}

/* Appends a short, quoted view of the row's first fields to buf. The row
 * is whatever came first — often a ticket with its customer's email and
 * HP — so each field is masked (mask.h) before it is cut: a cut never
 * shows a digit the whole mask would hide. */
static void row_summary(const csv_row *row, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < row->nfields && i < 6; i++) {
        char masked[2 * 256 + 1];
        size_t ml = mask_text(row->fields[i],
                              utf8_cut(row->fields[i], row->lens[i], 256),
                              masked, sizeof masked);
        size_t fl = utf8_cut(masked, ml, 24);
        int cut = fl < ml || row->lens[i] > 256;
        int n = snprintf(buf + o, len - o, "%s\"%.*s%s\"", i ? ", " : "",
                         (int)fl, masked, cut ? "..." : "");
        if (n < 0 || (size_t)n >= len - o)
            return;
        o += (size_t)n;
    }
    if (row->nfields > 6)
        snprintf(buf + o, len - o, ", ... (%zu fields)", row->nfields);
}

/* Deep-copies r->row as the header. */
static csv_status keep_header(csv_reader *r)
{
    const csv_row *row = &r->row;
    size_t n = row->nfields ? row->nfields : 1;
    r->hbuf = malloc(row->raw_len + 1 + r->fb.len + 1);
    r->hfields = malloc(n * sizeof *r->hfields);
    r->hlens = malloc(n * sizeof *r->hlens);
    if (!r->hbuf || !r->hfields || !r->hlens)
        return set_err(r, CSV_E_NOMEM, row->line, "out of memory");
    memcpy(r->hbuf, row->raw, row->raw_len);
    r->hbuf[row->raw_len] = '\0';
    char *fb = r->hbuf + row->raw_len + 1;
    memcpy(fb, r->fb.p, r->fb.len);
    for (size_t i = 0; i < row->nfields; i++) {
        r->hfields[i] = fb + r->foff[i];
        r->hlens[i] = row->lens[i];
    }
    r->hdr = *row;
    r->hdr.raw = r->hbuf;
    r->hdr.fields = r->hfields;
    r->hdr.lens = r->hlens;
    r->has_hdr = 1;
    return CSV_OK;
}

/* Finds the delimiter and, with a scorer, the header (SPEC §3). */
static csv_status find_header(csv_reader *r)
{
    int fixed;
    csv_status st = sep_line(r, &fixed);
    if (st != CSV_OK)
        return st;
    if (!r->score) {
        char d;
        if (fixed)
            return CSV_OK;
        st = detect_row(r, &d);
        if (st == CSV_ROW)
            r->delim = d;
        return st == CSV_ROW ? CSV_OK : st;
    }
    char first[400] = "";
    unsigned long first_line = 0;
    int rows = 0;
    for (; rows < CSV_HEADER_ROWS; rows++) {
        char d = r->delim;
        st = fixed ? peek_row(r, d) : detect_row(r, &d);
        if (st == CSV_OK)
            break;
        if (st != CSV_ROW)
            return st;
        if (rows == 0) {
            row_summary(&r->row, first, sizeof first);
            first_line = r->row.line;
        }
        size_t score = r->score(r->score_ctx, &r->row);
        commit_row(r);
        if (score >= CSV_HEADER_MIN_SCORE) {
            r->delim = d;
            return keep_header(r);
        }
    }
    if (rows == 0)
        return set_err(r, CSV_E_EMPTY, 0,
                       "no rows to read; export the data again");
    return set_err(r, CSV_E_NOHEADER, first_line,
                   "no header row found in the first %d non-blank rows "
                   "(the first row read: %s); expected a header row with "
                   "at least %d known column names; check that the file is "
                   "an export of a supported system, saved as CSV",
                   CSV_HEADER_ROWS, first, CSV_HEADER_MIN_SCORE);
}

/* ---- first pass ----------------------------------------------------- */

typedef struct pass1 {
    utf8_stream u8;
    unsigned long long total;
    unsigned long long nul_at; /* offset of the first NUL + 1, or 0 */
    int nonws;                 /* a byte other than space/tab/CR/LF seen */
    unsigned char sample[CSV_SAMPLE];
    size_t nsample;
} pass1;

static void pass1_block(pass1 *s, const unsigned char *p, size_t n)
{
    if (s->nsample < CSV_SAMPLE) {
        size_t k = CSV_SAMPLE - s->nsample;
        if (k > n)
            k = n;
        memcpy(s->sample + s->nsample, p, k);
        s->nsample += k;
    }
    if (!s->nul_at) {
        const unsigned char *z = memchr(p, 0, n);
        if (z)
            s->nul_at = s->total + (size_t)(z - p) + 1;
    }
    if (!s->nonws) {
        for (size_t i = 0; i < n; i++) {
            unsigned char c = p[i];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                /* the bytes of a UTF-8 BOM do not count as content */
                if (!(s->total + i < 3 && s->sample[0] == 0xEF &&
                      s->nsample >= 3 && s->sample[1] == 0xBB &&
                      s->sample[2] == 0xBF)) {
                    s->nonws = 1;
                    break;
                }
            }
        }
    }
    utf8_stream_feed(&s->u8, p, n);
    s->total += n;
}

/* Judges the first pass: UTF-16/32, binary, empty; sets encoding. */
static csv_status pass1_judge(csv_reader *r, const pass1 *s, csv_encoding want)
{
    const unsigned char *b = s->sample;
    size_t n = s->nsample;
    static const char utf16_msg[] =
        "the file is %s; save it as \"CSV UTF-8 (Comma delimited)\" "
        "(or any UTF-8 or Windows-1252 CSV) and try again";

    if (s->total == 0)
        return set_err(r, CSV_E_EMPTY, 0,
                       "the file is empty; export the data again");
    if (n >= 4 && ((b[0] == 0xFF && b[1] == 0xFE && !b[2] && !b[3]) ||
                   (!b[0] && !b[1] && b[2] == 0xFE && b[3] == 0xFF)))
        return set_err(r, CSV_E_UTF16, 0, utf16_msg,
                       "UTF-32 encoded (byte order mark)");
    if (n >= 2 &&
        ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
        return set_err(r, CSV_E_UTF16, 0, utf16_msg,
                       "UTF-16 encoded (byte order mark)");
    if (n >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4)
        return set_err(r, CSV_E_BINARY, 0,
                       "this is a ZIP archive or an Excel workbook "
                       "(.xlsx), not CSV; save it from Excel as "
                       "\"CSV UTF-8 (Comma delimited)\"");
    if (s->nul_at) {
        /* UTF-16/32 text without BOM: ASCII characters leave NULs on
         * every other (or every 2-3 of 4) byte. */
        size_t even = 0, odd = 0;
        for (size_t i = 0; i < n; i++)
            if (!b[i])
                (i & 1) ? odd++ : even++;
        if (n >= 4 && (odd * 10 >= (n / 2) * 4 || even * 10 >= (n / 2) * 4))
            return set_err(r, CSV_E_UTF16, 0, utf16_msg,
                           "UTF-16 or UTF-32 encoded (NUL byte pattern)");
        return set_err(r, CSV_E_BINARY, 0,
                       "binary content (a NUL byte at offset %llu), not a "
                       "CSV text file; check that the right file was given",
                       s->nul_at - 1);
    }
    size_t ctrl = 0;
    for (size_t i = 0; i < n; i++)
        if ((b[i] < 0x20 && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' &&
             b[i] != '\f') ||
            b[i] == 0x7F)
            ctrl++;
    if (ctrl >= 4 && ctrl * 50 > n)
        return set_err(r, CSV_E_BINARY, 0,
                       "binary content (%zu control bytes in the first "
                       "%zu), not a CSV text file; check that the right "
                       "file was given",
                       ctrl, n);
    if (!s->nonws)
        return set_err(r, CSV_E_EMPTY, 0,
                       "the file holds only blank lines; export the data "
                       "again");

    int valid = utf8_stream_valid(&s->u8);
    r->bom = n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF;
    if (want == CSV_ENC_CP1252 || (want == CSV_ENC_AUTO && !valid)) {
        r->enc = CSV_ENC_CP1252;
        r->xf = XF_CP1252;
    } else {
        r->enc = CSV_ENC_UTF8;
        r->xf = valid ? XF_NONE : XF_SANITIZE;
    }
    return CSV_OK;
}

static void update_progress(csv_reader *r, int at_end);

/* ---- open / close --------------------------------------------------- */

static csv_reader *reader_new(const char *name, const csv_options *opt)
{
    csv_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    size_t nl = strlen(name);
    r->name = malloc(nl + 1);
    if (!r->name) {
        free(r);
        return NULL;
    }
    memcpy(r->name, name, nl + 1);
    r->fd = -1;
    r->delim = ',';
    r->line = 1;
    r->max_row = CSV_DEFAULT_MAX_ROW;
    if (opt) {
        if (opt->max_row_bytes)
            r->max_row = opt->max_row_bytes;
        r->score = opt->score_header;
        r->score_ctx = opt->score_ctx;
    }
    /* A row's fields hold at most its bytes and a NUL each. */
    buf_init(&r->fb, r->max_row + 2 * (size_t)CSV_MAX_FIELDS + 16);
    return r;
}

/* Sets up the second pass at the start of the input (after any BOM) and
 * finds the header. */
static csv_status start_rows(csv_reader *r)
{
    size_t skip = r->bom ? 3 : 0;
    if (r->from_mem && r->xf == XF_NONE) {
        r->win = (const char *)r->mem + skip;
        r->wlen = r->mem_len - skip;
        r->eof = 1;
        r->base = skip;
    } else {
        r->wcap = CSV_WINDOW0;
        r->wbuf = malloc(r->wcap);
        if (r->xf != XF_NONE)
            r->rbuf = malloc(CSV_BLOCK);
        if (!r->wbuf || (r->xf != XF_NONE && !r->rbuf))
            return set_err(r, CSV_E_NOMEM, 0, "out of memory");
        r->win = r->wbuf;
        r->base = skip;
        if (r->from_mem) {
            r->mem_pos = skip;
            r->raw_in = skip;
        } else {
            /* The BOM is read again too: the second pass hashes every
             * byte the first did. */
            unsigned char bom[3];
            sha256_init(&r->sha2);
            if (skip && source_read(r, bom, skip) < 0)
                return set_err(r, CSV_E_IO, 0, "read error: %s",
                               strerror(errno));
            r->raw_in = skip;
        }
    }
    return find_header(r);
}

const char *csv_file_kind(unsigned m)
{
    if (S_ISREG(m))
        return NULL;
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO (named pipe)";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

csv_status csv_open_fd(int fd, const char *name, const csv_options *opt,
                       csv_reader **out)
{
    csv_reader *r = reader_new(name, opt);
    *out = r;
    if (!r)
        return CSV_E_NOMEM;
    r->fd = fd;
    csv_status st;
    pass1 *s = NULL;
    unsigned char *blk = NULL;
    struct stat sb;

    /* Checked before the first read: a FIFO or /dev/zero would block or
     * never end, and the second pass needs a file that can be read
     * again. */
    if (fstat(fd, &sb) != 0)
        return set_err(r, CSV_E_NOENT, 0, "cannot read: %s; check the path",
                       strerror(errno));
    const char *kind = csv_file_kind(sb.st_mode);
    if (kind)
        return set_err(r, CSV_E_NOENT, 0,
                       "is %s: a regular file is required; give the export "
                       "file itself",
                       kind);
    s = calloc(1, sizeof *s);
    blk = malloc(CSV_BLOCK);
    if (!s || !blk) {
        st = set_err(r, CSV_E_NOMEM, 0, "out of memory");
        goto done;
    }
    utf8_stream_init(&s->u8);
    struct sha256_ctx sha;
    sha256_init(&sha);
    for (;;) {
        long long got = read_at(fd, blk, CSV_BLOCK, s->total);
        if (got < 0) {
            st = set_err(r, CSV_E_IO, 0, "read error: %s", strerror(errno));
            goto done;
        }
        if (got == 0)
            break;
        sha256_update(&sha, (size_t)got, blk);
        if (opt && opt->on_bytes)
            opt->on_bytes(opt->bytes_ctx, blk, (size_t)got);
        pass1_block(s, blk, (size_t)got);
    }
    sha256_hex(&sha, r->sha_hex);
    r->size = s->total;
    st = pass1_judge(r, s, opt ? opt->encoding : CSV_ENC_AUTO);
    if (st == CSV_OK)
        st = start_rows(r);
done:
    free(s);
    free(blk);
    return st;
}

csv_status csv_open_file(const char *path, const csv_options *opt,
                         csv_reader **out)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; csv_open_fd
     * refuses it at once. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        csv_reader *r = reader_new(path, opt);
        *out = r;
        if (!r)
            return CSV_E_NOMEM;
        return set_err(r, CSV_E_NOENT, 0, "cannot open: %s; check the path",
                       strerror(e));
    }
    csv_status st = csv_open_fd(fd, path, opt, out);
    if (*out)
        (*out)->own_fd = 1;
    else
        close(fd);
    return st;
}

csv_status csv_open_memory(const char *name, const char *data, size_t len,
                           const csv_options *opt, csv_reader **out)
{
    csv_reader *r = reader_new(name, opt);
    *out = r;
    if (!r)
        return CSV_E_NOMEM;
    pass1 *s = calloc(1, sizeof *s);
    if (!s)
        return set_err(r, CSV_E_NOMEM, 0, "out of memory");
    r->from_mem = 1;
    r->mem = (const unsigned char *)data;
    r->mem_len = len;
    r->size = len;
    utf8_stream_init(&s->u8);
    struct sha256_ctx sha;
    sha256_init(&sha);
    if (len > 0) {
        sha256_update(&sha, len, r->mem);
        if (opt && opt->on_bytes)
            opt->on_bytes(opt->bytes_ctx, r->mem, len);
        pass1_block(s, r->mem, len);
    }
    sha256_hex(&sha, r->sha_hex);
    csv_status st = pass1_judge(r, s, opt ? opt->encoding : CSV_ENC_AUTO);
    free(s);
    if (st == CSV_OK)
        st = start_rows(r);
    return st;
}

csv_status csv_next(csv_reader *r, const csv_row **row)
{
    *row = NULL;
    if (r->err)
        return r->err;
    csv_status st = peek_row(r, r->delim);
    if (st != CSV_ROW) {
        if (st == CSV_OK)
            update_progress(r, 1);
        return st;
    }
    commit_row(r);
    update_progress(r, 0);
    *row = &r->row;
    return CSV_ROW;
}

const csv_row *csv_header(const csv_reader *r)
{
    return r && r->has_hdr ? &r->hdr : NULL;
}

char csv_delimiter(const csv_reader *r)
{
    return r->delim;
}

csv_encoding csv_encoding_used(const csv_reader *r)
{
    return r->enc;
}

int csv_had_bom(const csv_reader *r)
{
    return r->bom;
}

unsigned long long csv_size(const csv_reader *r)
{
    return r->size;
}

unsigned long long csv_replaced(const csv_reader *r)
{
    return r ? r->replaced : 0;
}

unsigned long long csv_offset(const csv_reader *r)
{
    return r->progress;
}

void csv_sha256(const csv_reader *r, char hex[65])
{
    memcpy(hex, r->sha_hex, SHA256_HEX_SIZE);
}

/* Updates progress after a row: exact without transcoding, an estimate
 * (kept monotonic) with it. */
static void update_progress(csv_reader *r, int at_end)
{
    unsigned long long off;
    if (r->xf == XF_NONE) {
        off = r->base + r->pos;
    } else {
        /* Transcoded: raw bytes taken minus what still waits, counting
         * waiting window bytes as one raw byte each (an estimate). */
        unsigned long long wait =
            (unsigned long long)(r->rlen - r->rpos) + (r->wlen - r->pos);
        off = r->raw_in > wait ? r->raw_in - wait : 0;
    }
    if (off > r->size || at_end)
        off = r->size;
    if (off > r->progress)
        r->progress = off;
}

const char *csv_errmsg(const csv_reader *r)
{
    if (!r)
        return "out of memory";
    return r->err ? r->msg : "no error";
}

void csv_close(csv_reader *r)
{
    if (!r)
        return;
    if (r->own_fd && r->fd >= 0)
        close(r->fd);
    free(r->name);
    free(r->wbuf);
    free(r->rbuf);
    buf_free(&r->fb);
    free(r->foff);
    free(r->flen);
    free(r->fptr);
    free(r->hbuf);
    free(r->hfields);
    free(r->hlens);
    free(r);
}
