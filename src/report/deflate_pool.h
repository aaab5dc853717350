/*
 * deflate_pool.h — a long stream deflated on worker threads, pigz-style
 * (deflate_pool.c): the zip override's large parts (deflate_level.c) and
 * the rows of a long sheet deflated while they are written (splice.c).
 */
#ifndef TA_DEFLATE_POOL_H
#define TA_DEFLATE_POOL_H

#include <stddef.h>
#include <zlib.h>

#define RPT_DEFLATE_LEVEL 1        /* Z_BEST_SPEED */
#define RPT_POOL_CHUNK (1u << 20)  /* bytes of input per chunk */

typedef struct rpt_pool rpt_pool;

/* Takes the next chunk, in order: n deflated bytes, of nin bytes of
 * input. 0, or -1 to fail the pool. */
typedef int (*rpt_pool_sink)(void *ctx, const unsigned char *p, size_t n,
                             size_t nin);

/* Threads for work split across cores: one per core, 1 to max. */
int rpt_cores(int max);

/* A pool with one worker per core (at most 4), or NULL (no memory, no
 * thread): the caller then deflates on its own thread. */
rpt_pool *rpt_pool_new(rpt_pool_sink sink, void *ctx);
/* n more bytes of input. 0, or -1 when a deflate or the sink failed. */
int rpt_pool_write(rpt_pool *p, const void *buf, size_t n);
/* Ends the chunk being filled — with last, the deflate stream (Z_FINISH,
 * even when no byte is pending); else on a byte boundary, not final (a
 * sync flush), so that more can follow — and returns once every chunk is
 * through the sink. 0 or -1. */
int rpt_pool_flush(rpt_pool *p, int last);
/* The CRC-32 and the length of the input flushed since the last call
 * (call after rpt_pool_flush); the count starts again. */
void rpt_pool_take(rpt_pool *p, uLong *crc, unsigned long long *n);
void rpt_pool_free(rpt_pool *p);

#endif
