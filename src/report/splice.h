/*
 * splice.h — the rows of a long sheet deflated while they are written,
 * then spliced into the sheet's part when libxlsxwriter zips it
 * (splice.c, deflate_level.c).
 *
 * The rows' XML goes through a deflate pool into a temporary file, and the
 * sheet's row file gets only a marker, an XML comment no cell can contain
 * (cells escape '<'): "<!--ta-rows-" 16 hex digits "-->". When the sheet
 * part passes through the zip override, the marker is replaced by the
 * deflated rows, copied as they are, with their CRC-32 and length.
 */
#ifndef TA_SPLICE_H
#define TA_SPLICE_H

#include <stddef.h>
#include <zlib.h>

#define RPT_SPLICE_MARK 31 /* bytes of a marker */

typedef struct rpt_splice rpt_splice;

/* Whether libxlsxwriter's zip calls reach deflate_level.c, so that a
 * marker is replaced: found once per process with a one-sheet workbook
 * in tmpdir. Without the override (TA_FAST_DEFLATE off, a libxlsxwriter
 * with its own minizip) nothing is spliced and rows go to the row file. */
int rpt_splice_usable(const char *tmpdir);

/* A splice, its temporary file in tmpdir, and its marker into mark
 * (RPT_SPLICE_MARK bytes, not terminated); NULL when none can be had (the
 * caller writes its rows as before). The splice is the registry's:
 * rpt_splice_settle frees what the zip did not take. */
rpt_splice *rpt_splice_new(const char *tmpdir, char *mark);
/* More rows' XML. 0, or -1 (deflate, or the temporary file: scratch.c
 * records its cause). */
int rpt_splice_write(rpt_splice *s, const void *p, size_t n);
/* The end of the rows: deflated to a byte boundary, ready for the zip. */
int rpt_splice_end(rpt_splice *s);

/* ---- the zip override's side (deflate_level.c) ---- */

/* Whether any splice waits for its marker. */
int rpt_splice_waiting(void);
/* Is s[0..n) the start of a marker (n < RPT_SPLICE_MARK) or a whole one?
 * 1, or 0. */
int rpt_splice_mark_prefix(const unsigned char *s, size_t n);
/* The ready splice of a whole marker, taken out of the registry; NULL
 * when the marker is not one of ours. */
rpt_splice *rpt_splice_claim(const unsigned char *mark);
/* Its deflated bytes to out, in order, and the CRC-32 and length of what
 * they inflate to. 0, or -1 (out failed, or the temporary file). */
int rpt_splice_copy(rpt_splice *s, int (*out)(void *, const void *, size_t),
                    void *ctx, uLong *crc, unsigned long long *len);
/* Its chunks, each an independent deflate stream (segments.h); NULL
 * when they could not be recorded (out of memory). */
const struct rpt_seg *rpt_splice_segments(const rpt_splice *s, size_t *n);
void rpt_splice_free(rpt_splice *s);

/* Counts the zip override's parts (deflate_level.c): the probe's
 * witness. */
void rpt_splice_zip_seen(void);

/* After workbook_close (or lxw_workbook_free): frees every splice left in
 * the registry and returns how many were ready but never claimed (rows a
 * workbook would lack). */
size_t rpt_splice_settle(void);

#endif
