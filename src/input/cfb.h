/*
 * cfb.h — the OLE2 compound file ([MS-CFB]) that holds an .xls: its
 * directory and its streams, read with pread from a file descriptor.
 * Private to src/input/.
 *
 * Only what the .xls reader needs: the streams directly under the root
 * storage, found by name, read at any offset. Sector chains are checked
 * (in the file, no loops); the tables are bounded by the file's size.
 */
#ifndef TICKET_AUDIT_CFB_H
#define TICKET_AUDIT_CFB_H

#include <stddef.h>

#include "ta.h"

typedef struct cfb cfb;
typedef struct cfb_stream cfb_stream;

/* Reads the header, the allocation tables and the directory. TA_E_DATA
 * when damaged, TA_E_IO, TA_E_NOMEM; message in err. */
ta_status cfb_open(int fd, cfb **out, char *err, size_t errlen) TA_WUR;
void cfb_close(cfb *c);

/* The entry of the stream called name directly under the root storage
 * (ASCII case ignored), or -1. */
long cfb_find(const cfb *c, const char *name);

/* Opens a stream found by cfb_find. */
ta_status cfb_stream_open(cfb *c, long entry, cfb_stream **out, char *err,
                          size_t errlen) TA_WUR;
unsigned long long cfb_stream_size(const cfb_stream *s);
/* Reads up to n bytes at off: the bytes read (fewer only at the stream's
 * end), or -1 (errno set: EIO for damage). */
long cfb_read_at(cfb_stream *s, unsigned long long off, void *buf, size_t n);
void cfb_stream_close(cfb_stream *s);

#endif
