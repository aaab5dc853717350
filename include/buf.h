/*
 * buf.h — the one growable byte buffer (curl's dynbuf idea): every module
 * that builds a string of unknown length uses it instead of its own
 * realloc loop.
 *
 * A buffer has a ceiling (max bytes, 0 for none): growing past it fails
 * like running out of memory, so hostile input cannot make it grow without
 * bound. The content is always NUL-terminated once anything was added.
 *
 *     ta_buf b;
 *     buf_init(&b, 1 << 20);
 *     if (buf_add(&b, "a", 1) || buf_printf(&b, "%d", 42))
 *         ... out of memory or over the ceiling ...
 *     use b.p, b.len; buf_free(&b);
 */
#ifndef TICKET_AUDIT_BUF_H
#define TICKET_AUDIT_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "ta.h"

typedef struct ta_buf {
    char *p;    /* the bytes, NUL-terminated; NULL until the first add */
    size_t len; /* bytes used, without the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* ceiling of len, 0 for none */
} ta_buf;

/* An empty buffer with a ceiling of max bytes (0: none). Allocates
 * nothing. */
void buf_init(ta_buf *b, size_t max);

/* Makes room for n more bytes (and the NUL). 0, or -1 when out of memory
 * or over the ceiling (the content is then unchanged). */
int buf_reserve(ta_buf *b, size_t n) TA_WUR;

/* Appends n bytes; 0 or -1 as buf_reserve. */
int buf_add(ta_buf *b, const void *s, size_t n) TA_WUR;

/* Replaces the content with n bytes (memory kept for reuse); 0 or -1 as
 * buf_reserve (the content is then empty). */
int buf_set(ta_buf *b, const void *s, size_t n) TA_WUR;

/* Appends a NUL-terminated string; 0 or -1. */
int buf_adds(ta_buf *b, const char *s) TA_WUR;

/* Appends one byte; 0 or -1. */
int buf_addc(ta_buf *b, char c) TA_WUR;

/* Appends printf-formatted text; 0 or -1. */
int buf_printf(ta_buf *b, const char *fmt, ...) TA_WUR TA_PRINTF(2, 3);
int buf_vprintf(ta_buf *b, const char *fmt, va_list ap) TA_WUR TA_PRINTF(2, 0);

/* Makes room for n elements of size bytes in the array *pp (pp is the
 * address of the array's pointer; *cap its capacity in elements, NULL and
 * 0 to start), doubling from 16 as needed. 0, or -1 when out of memory or
 * the size would overflow (*pp and *cap are then unchanged). */
int buf_grow_array(void *pp, size_t *cap, size_t n, size_t size) TA_WUR;

/* Empties the buffer, keeping its memory for reuse. */
void buf_reset(ta_buf *b);

/* Hands the bytes over to the caller (who frees them) and leaves the
 * buffer empty; NULL when nothing was added. */
char *buf_take(ta_buf *b);

/* Frees the bytes; NULL-safe, and the buffer may be used again. */
void buf_free(ta_buf *b);

#endif
