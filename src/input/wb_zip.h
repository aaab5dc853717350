/*
 * wb_zip.h — the ZIP container of an .xlsx, read from a file descriptor
 * with minizip (directory, local headers) and zlib (inflating), every
 * entry's sizes checked as it streams. Private to src/input/.
 *
 * The archive is read with pread only; one entry is open at a time.
 * Limits (SPEC "Damage and limits"), judged on the declared sizes when an
 * entry is opened and on the bytes actually inflated as they come:
 *   - more than 4 GiB, or more than 1,000 times the compressed size;
 *   - more bytes than the declared size, or fewer (CRCs are not checked);
 *   - encrypted entries, methods other than stored and deflated.
 * Errors are ta_status values with a message in the caller's buffer, which
 * names what went wrong but not the file (the caller adds it).
 */
#ifndef TICKET_AUDIT_WB_ZIP_H
#define TICKET_AUDIT_WB_ZIP_H

#include <stddef.h>

#include "ta.h"

#define WZ_MAX_ENTRIES 65536u
#define WZ_MAX_SIZE (4ULL << 30) /* 4 GiB */
#define WZ_MAX_RATIO 1000ULL

typedef struct wz_archive wz_archive;
typedef struct wz_entry wz_entry;

/* Reads the central directory of the archive in fd. TA_E_DATA when it is
 * not a readable archive, TA_E_IO, TA_E_NOMEM; message in err. */
ta_status wz_open(int fd, wz_archive **out, char *err, size_t errlen) TA_WUR;
void wz_close(wz_archive *a);

/* Whether entries are inflated on a second thread while the caller reads
 * (a pipeline: inflating is a third of the time of reading a sheet): 0,
 * the default, for entries of 1 MiB and more; 1 always; -1 never. */
void wz_set_threads(wz_archive *a, int mode);

size_t wz_count(const wz_archive *a);
const char *wz_name(const wz_archive *a, size_t i);
/* The entry called name (ASCII case ignored, as OPC part names compare),
 * or -1. */
long wz_find(const wz_archive *a, const char *name);
/* The declared (uncompressed) size of entry i. */
unsigned long long wz_size(const wz_archive *a, size_t i);

/* Opens entry i for reading (closing any entry open before). */
ta_status wz_entry_open(wz_archive *a, size_t i, wz_entry **out, char *err,
                        size_t errlen) TA_WUR;

/* Reads up to cap inflated bytes: > 0 bytes, 0 at the end of the entry
 * (after checking its size), -1 on error (wz_entry_status and
 * wz_entry_err say what). */
long wz_entry_read(wz_entry *e, void *buf, size_t cap);
ta_status wz_entry_status(const wz_entry *e);
const char *wz_entry_err(const wz_entry *e);
/* Inflated bytes so far, and the declared size. */
unsigned long long wz_entry_done(const wz_entry *e);
unsigned long long wz_entry_size(const wz_entry *e);
void wz_entry_close(wz_entry *e);

#endif
