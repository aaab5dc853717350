/*
 * wb_sst.h — the shared-strings table of a workbook, in memory while it is
 * small and in an unlinked temporary file when it is not. Private to
 * src/input/.
 *
 * A million-row export can carry 50 MB of shared strings; holding them
 * would break SPEC's flat memory. Strings are added in table order; once
 * their bytes plus 4 bytes per string pass the memory budget, the texts
 * move to an unlinked temporary file (tempfile_open), and the 32-bit
 * offsets too when they pass 8 MiB; they are read back with pread through
 * caches shaped by how exports use their strings (wb_sst.c).
 */
#ifndef TICKET_AUDIT_WB_SST_H
#define TICKET_AUDIT_WB_SST_H

#include <stddef.h>

#include "buf.h"

typedef struct sst sst;

/* A table that stays in memory up to mem_bytes (0: 8 MiB). NULL when out
 * of memory. */
sst *sst_new(size_t mem_bytes);
void sst_free(sst *s);

/* Adds the next string (already cleaned). toolong marks a string over
 * 32,767 UTF-16 units, kept as a mark so that the cell using it can be
 * named in the error. 0, -1 out of memory, -2 temporary-file error
 * (errno set), -3 the texts pass 4 GiB. */
int sst_add(sst *s, const char *text, size_t len, int toolong);

size_t sst_count(const sst *s);

/* 1 when the strings went to a temporary file. */
int sst_spilled(const sst *s);

/* Appends string i to out; *toolong gets its mark. 0, -1 when out could
 * not grow, -2 temporary-file error (errno set). i must be < count, and
 * every sst_add must come before the first sst_get. */
int sst_get(sst *s, size_t i, ta_buf *out, int *toolong);

#endif
