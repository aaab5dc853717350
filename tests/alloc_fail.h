/*
 * alloc_fail.h — a test hook that makes the N-th allocation fail (Lua's
 * memory limit idea, SQLite's fault injector), so a test can walk every
 * out-of-memory path of an operation.
 *
 * Every test binary is linked with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc,--wrap=strdup (CMakeLists.txt): each call of those in
 * the program's own objects (libta_core.a and the test) goes through
 * tests/alloc_fail.c, which counts it and, when told, returns NULL with
 * errno ENOMEM instead. Allocations inside SQLite, PCRE2, libxlsxwriter,
 * cmocka or libc itself are not counted and never fail. Off unless a test
 * arms it; thread-safe (the importer and the signals allocate on threads
 * of their own).
 *
 * Walking every failure point of an operation:
 *
 *     for (unsigned long n = 1;; n++) {
 *         alloc_fail_at(n);                 // the n-th allocation fails
 *         ta_status s = operation(...);
 *         int failed = alloc_failed();
 *         alloc_fail_at(0);                 // off again
 *         if (!failed) {                    // fewer than n allocations:
 *             assert_int_equal(s, TA_OK);   // every point was walked
 *             break;
 *         }
 *         assert_int_equal(s, TA_E_NOMEM);  // or another clean error
 *         ... nothing half done, nothing leaked (ASan checks at exit) ...
 *     }
 */
#ifndef TICKET_AUDIT_ALLOC_FAIL_H
#define TICKET_AUDIT_ALLOC_FAIL_H

/* Arms the hook: the n-th counted allocation from now fails, once (n = 1:
 * the next one); n = 0 disarms it. Resets the count. */
void alloc_fail_at(unsigned long n);

/* Allocations counted since the last alloc_fail_at. */
unsigned long alloc_count(void);

/* 1 when the allocation planned by the last alloc_fail_at has failed. */
int alloc_failed(void);

#endif
