/*
 * segments.h — which independent deflate streams each large part of the
 * workbook being zipped is made of (segments.c): the zip override
 * (deflate_level.c) records them, the read-back (verify.c) inflates them
 * side by side.
 *
 * A segment starts on a byte boundary with no reference back into an
 * earlier one: the pool's chunks, a splice's chunks, and what the calling
 * thread deflated between two of them. Only the parts of two segments or
 * more are kept; the rest is read back as one stream.
 */
#ifndef TA_SEGMENTS_H
#define TA_SEGMENTS_H

#include <stddef.h>

typedef struct rpt_seg {
    unsigned long long clen; /* deflated bytes */
    unsigned long long ulen; /* what they inflate to */
} rpt_seg;

/* Forgets every part: a new workbook starts. */
void rpt_segments_reset(void);
/* The part now zipped starts (its name), has one more segment, ends
 * (kept when it had two segments or more). Out of memory, the part is
 * not kept: it is read back as one stream, only slower. */
void rpt_segments_begin(const char *name);
void rpt_segments_add(unsigned long long clen, unsigned long long ulen);
void rpt_segments_end(void);
/* The part now zipped is not to be kept (some of it went unrecorded). */
void rpt_segments_drop(void);
/* The segments of the named part of the last workbook, in order, or NULL
 * (then *n is 0). */
const rpt_seg *rpt_segments_of(const char *name, size_t *n);

#endif
