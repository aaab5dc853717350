/*
 * segments.c — the deflate streams of each large part (segments.h).
 *
 * The record is the calling thread's, as libxlsxwriter zips a workbook on
 * the thread that closes it and report_files.c reads it back on the same
 * one right after. Memory: 16 bytes per MiB of a large part; a part of
 * one stream (every small one) allocates nothing. Out of memory, a part
 * is simply not recorded: verify.c reads it in one pass.
 */
#include "segments.h"

#include <stdlib.h>
#include <string.h>

#define NAME_MAX_BYTES 256

typedef struct entry {
    char name[NAME_MAX_BYTES];
    rpt_seg first; /* a part of one segment allocates nothing */
    rpt_seg *seg;  /* from the second segment on: all of them */
    size_t n, cap;
} entry;

typedef struct record {
    entry *e;
    size_t n, cap;
    entry cur; /* the part being zipped */
    int open, bad;
} record;

static _Thread_local record R;

static void entry_free(entry *e)
{
    free(e->seg);
    memset(e, 0, sizeof *e);
}

void rpt_segments_reset(void)
{
    for (size_t i = 0; i < R.n; i++)
        entry_free(&R.e[i]);
    free(R.e);
    entry_free(&R.cur);
    memset(&R, 0, sizeof R);
}

void rpt_segments_begin(const char *name)
{
    entry_free(&R.cur);
    size_t n = name ? strlen(name) : 0;
    R.open = 1;
    R.bad = n >= NAME_MAX_BYTES; /* no xlsx part has such a name */
    if (!R.bad)
        memcpy(R.cur.name, name, n + 1);
}

void rpt_segments_add(unsigned long long clen, unsigned long long ulen)
{
    if (!R.open || R.bad)
        return;
    rpt_seg g = {clen, ulen};
    if (R.cur.n == 0) {
        R.cur.first = g;
        R.cur.n = 1;
        return;
    }
    if (R.cur.n >= R.cur.cap) {
        size_t cap = R.cur.cap ? 2 * R.cur.cap : 64;
        rpt_seg *s = realloc(R.cur.seg, cap * sizeof *s);
        if (!s) {
            R.bad = 1;
            return;
        }
        if (!R.cur.seg)
            s[0] = R.cur.first;
        R.cur.seg = s;
        R.cur.cap = cap;
    }
    R.cur.seg[R.cur.n++] = g;
}

void rpt_segments_drop(void)
{
    R.bad = 1;
}

void rpt_segments_end(void)
{
    if (!R.open)
        return;
    R.open = 0;
    if (R.bad || R.cur.n < 2) {
        entry_free(&R.cur);
        return;
    }
    if (R.n == R.cap) {
        size_t cap = R.cap ? 2 * R.cap : 8;
        entry *e = realloc(R.e, cap * sizeof *e);
        if (!e) {
            entry_free(&R.cur);
            return;
        }
        R.e = e;
        R.cap = cap;
    }
    R.e[R.n++] = R.cur;
    memset(&R.cur, 0, sizeof R.cur);
}

const rpt_seg *rpt_segments_of(const char *name, size_t *n)
{
    for (size_t i = R.n; i-- > 0;)
        if (strcmp(R.e[i].name, name) == 0) {
            *n = R.e[i].n;
            return R.e[i].seg;
        }
    *n = 0;
    return NULL;
}
