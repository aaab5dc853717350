/*
 * alloc_fail.c — the allocation-failure hook (alloc_fail.h): the wrappers
 * the linker puts in front of malloc, calloc, realloc and strdup
 * (--wrap=SYMBOL turns the program's calls of SYMBOL into calls of
 * __wrap_SYMBOL, and __real_SYMBOL into the real one).
 */
#include "alloc_fail.h"

#include <errno.h>
#include <execinfo.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static atomic_ulong fail_at; /* 0: off */
static atomic_ulong counted; /* allocations since alloc_fail_at */
static atomic_int failed;    /* the planned failure happened */

void alloc_fail_at(unsigned long n)
{
    atomic_store(&fail_at, 0);
    atomic_store(&counted, 0);
    atomic_store(&failed, 0);
    atomic_store(&fail_at, n);
}

unsigned long alloc_count(void)
{
    return atomic_load(&counted);
}

int alloc_failed(void)
{
    return atomic_load(&failed);
}

/* Counts one allocation; 1 when it is the one that must fail. */
static int must_fail(void)
{
    unsigned long at = atomic_load(&fail_at);
    if (at == 0)
        return 0;
    if (atomic_fetch_add(&counted, 1) + 1 != at)
        return 0;
    atomic_store(&failed, 1);
    /* ALLOC_FAIL_TRACE=1: where the failing allocation was asked for
     * (addresses; addr2line -e BINARY turns them into lines) */
    if (getenv("ALLOC_FAIL_TRACE")) {
        void *frames[16];
        int nf = backtrace(frames, 16);
        backtrace_symbols_fd(frames, nf, STDERR_FILENO);
    }
    errno = ENOMEM;
    return 1;
}

void *__wrap_malloc(size_t n)
{
    return must_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return must_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return must_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return must_fail() ? NULL : __real_strdup(s);
}
