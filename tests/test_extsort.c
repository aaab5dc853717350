/*
 * test_extsort.c — the external sort of the signals
 * (src/signals/signals_internal.h): records come back in (k1, k2) order
 * with their payloads byte for byte, whether they stayed in memory or
 * went through many runs of the temporary file;
 * every duplicate comes back; the edge payloads (empty, exactly
 * EXTSORT_MAX_PAYLOAD) pass; the documented errors (a payload too long,
 * adding after reading, a temporary file that cannot be created) are
 * reported with errno.
 *
 * The check compares multisets: what was added and what came back are
 * both sorted by (k1, k2, payload) and compared element by element, after
 * asserting that what came back was already in (k1, k2) order. Records
 * with equal keys may come back in any order (the sort is not stable and
 * need not be).
 */
/* cmocka needs these first, in this order */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signals/signals_internal.h"
#include "testutil.h"

/* ---- a record list ------------------------------------------------------ */

typedef struct xrec {
    uint64_t k1, k2;
    unsigned char *data;
    size_t len;
} xrec;

typedef struct xlist {
    xrec *v;
    size_t n, cap;
} xlist;

static void xl_add(xlist *l, uint64_t k1, uint64_t k2, const void *data,
                   size_t len)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        assert_non_null(l->v);
    }
    xrec *r = &l->v[l->n++];
    r->k1 = k1;
    r->k2 = k2;
    r->len = len;
    r->data = malloc(len ? len : 1);
    assert_non_null(r->data);
    if (len)
        memcpy(r->data, data, len);
}

static void xl_free(xlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].data);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int cmp_full(const void *a, const void *b)
{
    const xrec *x = a, *y = b;
    if (x->k1 != y->k1)
        return x->k1 < y->k1 ? -1 : 1;
    if (x->k2 != y->k2)
        return x->k2 < y->k2 ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(x->data, y->data, n) : 0;
    if (c)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

/* Adds to both the sorter and the expected list. */
static void add_both(extsort *s, xlist *want, uint64_t k1, uint64_t k2,
                     const void *data, size_t len)
{
    if (extsort_add(s, k1, k2, data, len) != 0)
        fail_msg("extsort_add(len %zu): %s", len, strerror(errno));
    xl_add(want, k1, k2, data, len);
}

/* Reads everything back, asserts (k1, k2) order and that the multiset of
 * records equals want; returns the count read. */
static size_t drain_and_check(extsort *s, xlist *want)
{
    xlist got = {0};
    extsort_rec r;
    int rc;
    while ((rc = extsort_next(s, &r)) == 1) {
        if (got.n > 0) {
            const xrec *p = &got.v[got.n - 1];
            if (r.k1 < p->k1 || (r.k1 == p->k1 && r.k2 < p->k2))
                fail_msg("record %zu out of order: (%llx,%llx) after "
                         "(%llx,%llx)",
                         got.n, (unsigned long long)r.k1,
                         (unsigned long long)r.k2, (unsigned long long)p->k1,
                         (unsigned long long)p->k2);
        }
        assert_true(r.len <= EXTSORT_MAX_PAYLOAD);
        xl_add(&got, r.k1, r.k2, r.data, r.len);
    }
    assert_int_equal(rc, 0);
    /* the end stays the end */
    assert_int_equal(extsort_next(s, &r), 0);
    assert_int_equal(got.n, want->n);
    qsort(want->v, want->n, sizeof *want->v, cmp_full);
    qsort(got.v, got.n, sizeof *got.v, cmp_full);
    for (size_t i = 0; i < got.n; i++)
        if (cmp_full(&got.v[i], &want->v[i]) != 0)
            fail_msg("record %zu differs: got (%llx,%llx,len %zu), want "
                     "(%llx,%llx,len %zu)",
                     i, (unsigned long long)got.v[i].k1,
                     (unsigned long long)got.v[i].k2, got.v[i].len,
                     (unsigned long long)want->v[i].k1,
                     (unsigned long long)want->v[i].k2, want->v[i].len);
    size_t n = got.n;
    xl_free(&got);
    return n;
}

/* xorshift64*: deterministic, no libc rand state. */
static uint64_t rnd(uint64_t *st)
{
    uint64_t x = *st;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *st = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* A payload of len bytes that differs from record to record. */
static void fill(unsigned char *b, size_t len, uint64_t seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        b[i] = (unsigned char)(seed >> 56);
    }
}

/* The hand-picked cases, added to s: equal k1 with different k2 (added
 * in decreasing k2), equal (k1, k2) with different payloads and with the
 * same payload, empty payloads, payloads of exactly EXTSORT_MAX_PAYLOAD,
 * keys at 0 and UINT64_MAX, keys differing only in the low bits (the
 * same top-16-bit bucket) and only in the top bit. */
static void add_edges(extsort *s, xlist *want)
{
    static unsigned char big[EXTSORT_MAX_PAYLOAD];
    fill(big, sizeof big, 1);
    for (uint64_t k2 = 10; k2-- > 0;)
        add_both(s, want, 0x5555000000000000ULL, k2, "same k1", 7);
    for (int i = 0; i < 5; i++) {
        char p[16];
        int n = snprintf(p, sizeof p, "dup-%d", 4 - i);
        add_both(s, want, 42, 7, p, (size_t)n);
    }
    for (int i = 0; i < 3; i++)
        add_both(s, want, 42, 7, "twin", 4); /* identical records */
    add_both(s, want, 42, 6, "", 0);
    add_both(s, want, 42, 6, "", 0);
    add_both(s, want, 0, 0, "", 0);
    add_both(s, want, 42, 5, "b", 1);
    add_both(s, want, 42, 5, "a", 1);
    add_both(s, want, UINT64_MAX, UINT64_MAX, "last", 4);
    add_both(s, want, UINT64_MAX, 0, "", 0);
    add_both(s, want, 0x8000000000000000ULL, 1, "top bit", 7);
    add_both(s, want, 0x7fffffffffffffffULL, 1, "below top", 9);
    add_both(s, want, 0x1234000000000001ULL, 3, big, sizeof big);
    big[0] ^= 0xff;
    add_both(s, want, 0x1234000000000000ULL, 3, big, sizeof big);
    add_both(s, want, 0x1234000000000001ULL, 3, big, sizeof big);
}

/* ---- tests ------------------------------------------------------------ */

/* Few records: nothing is written to a file, and they come back sorted,
 * all of them, payloads intact. */
static void in_memory_sorted(void **state)
{
    (void)state;
    extsort *s = extsort_new(0);
    assert_non_null(s);
    xlist want = {0};
    add_edges(s, &want);
    uint64_t st = 7;
    unsigned char p[64];
    for (int i = 0; i < 200; i++) { /* also over 24: the bucket pass */
        uint64_t k1 = rnd(&st), k2 = rnd(&st) % 4;
        size_t len = 20 + rnd(&st) % 41;
        fill(p, len, k1 ^ (uint64_t)i);
        add_both(s, &want, k1, k2, p, len);
    }
    assert_int_equal(extsort_count(s), want.n);
    assert_int_equal(drain_and_check(s, &want), extsort_count(s));
    assert_int_equal(extsort_runs(s), 0);
    xl_free(&want);
    extsort_free(s);
}

/* 100,000 records of 20-60 bytes in the smallest buffer: many runs,
 * merged back in order, with the edge cases spread through them. */
static void spilled_sorted(void **state)
{
    (void)state;
    extsort *s = extsort_new(1); /* clamped to the minimum */
    assert_non_null(s);
    xlist want = {0};
    uint64_t st = 0x9E3779B97F4A7C15ULL;
    unsigned char p[64];
    for (int i = 0; i < 100000; i++) {
        if (i % 25000 == 0)
            add_edges(s, &want);
        uint64_t r = rnd(&st), k1;
        switch (r % 4) {
        case 0: /* anywhere */
            k1 = rnd(&st);
            break;
        case 1: /* few distinct values: many equal k1 across runs */
            k1 = (rnd(&st) % 64) << 50;
            break;
        case 2: /* one top-16-bit bucket, different low bits */
            k1 = 0xABCD000000000000ULL | (rnd(&st) % 5000);
            break;
        default: /* small values: all in bucket 0 */
            k1 = rnd(&st) % 1000;
            break;
        }
        uint64_t k2 = (r >> 8) % 3 == 0 ? rnd(&st) : (r >> 16) % 8;
        size_t len = 20 + rnd(&st) % 41;
        fill(p, len, r);
        add_both(s, &want, k1, k2, p, len);
    }
    assert_int_equal(extsort_count(s), want.n);
    assert_true(extsort_runs(s) > 1);
    size_t runs = extsort_runs(s);
    assert_int_equal(drain_and_check(s, &want), extsort_count(s));
    /* the last buffer became one more run when reading started */
    assert_true(extsort_runs(s) >= runs);
    xl_free(&want);
    extsort_free(s);
}

/* Only payloads of the largest size: two fill the smallest buffer, so
 * nearly every record is a run of its own. */
static void spilled_max_payloads(void **state)
{
    (void)state;
    extsort *s = extsort_new(1);
    assert_non_null(s);
    xlist want = {0};
    static unsigned char p[EXTSORT_MAX_PAYLOAD];
    uint64_t st = 99;
    for (int i = 0; i < 40; i++) {
        fill(p, sizeof p, (uint64_t)i);
        add_both(s, &want, rnd(&st) % 7, (uint64_t)(i % 3), p, sizeof p);
    }
    assert_true(extsort_runs(s) > 10);
    assert_int_equal(drain_and_check(s, &want), 40);
    xl_free(&want);
    extsort_free(s);
}

/* EXTSORT_MAX_PAYLOAD + 1 is refused with EINVAL and not counted; the
 * sorter still works afterwards. */
static void payload_too_long(void **state)
{
    (void)state;
    extsort *s = extsort_new(0);
    assert_non_null(s);
    unsigned char *p = calloc(1, EXTSORT_MAX_PAYLOAD + 1);
    assert_non_null(p);
    errno = 0;
    assert_int_equal(extsort_add(s, 1, 1, p, EXTSORT_MAX_PAYLOAD + 1), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(extsort_count(s), 0);
    assert_int_equal(extsort_add(s, 1, 1, p, EXTSORT_MAX_PAYLOAD), 0);
    assert_int_equal(extsort_count(s), 1);
    extsort_rec r;
    assert_int_equal(extsort_next(s, &r), 1);
    assert_int_equal(r.len, EXTSORT_MAX_PAYLOAD);
    assert_int_equal(extsort_next(s, &r), 0);
    free(p);
    extsort_free(s);
}

/* Adding after the first extsort_next is EINVAL, in memory and after a
 * spill, and what was added before still comes back whole. */
static void add_after_next(void **state)
{
    (void)state;
    for (int spilled = 0; spilled < 2; spilled++) {
        extsort *s = extsort_new(spilled ? 1 : 0);
        assert_non_null(s);
        size_t n = spilled ? 5000 : 3;
        for (size_t i = 0; i < n; i++) {
            uint64_t k = (uint64_t)(n - i);
            assert_int_equal(extsort_add(s, k, 0, &k, sizeof k), 0);
        }
        assert_int_equal(extsort_runs(s) > 0, spilled);
        extsort_rec r;
        assert_int_equal(extsort_next(s, &r), 1);
        assert_int_equal(r.k1, 1);
        errno = 0;
        assert_int_equal(extsort_add(s, 0, 0, "x", 1), -1);
        assert_int_equal(errno, EINVAL);
        assert_int_equal(extsort_count(s), n);
        size_t got = 1;
        uint64_t last = r.k1;
        while (extsort_next(s, &r) == 1) {
            uint64_t v;
            assert_int_equal(r.len, sizeof v);
            memcpy(&v, r.data, sizeof v);
            assert_int_equal(v, r.k1);
            assert_true(r.k1 == last + 1);
            last = r.k1;
            got++;
        }
        assert_int_equal(got, n);
        extsort_free(s);
    }
}

/* An empty sorter ends at once, and again. */
static void empty_sorter(void **state)
{
    (void)state;
    extsort *s = extsort_new(0);
    assert_non_null(s);
    extsort_rec r;
    assert_int_equal(extsort_next(s, &r), 0);
    assert_int_equal(extsort_next(s, &r), 0);
    assert_int_equal(extsort_count(s), 0);
    assert_int_equal(extsort_runs(s), 0);
    extsort_free(s);
    /* freeing a NULL is allowed too */
    extsort_free(NULL);
}

/* TMPDIR names a folder that does not exist: the first spill fails with
 * -1 and errno (ENOENT), and keeps failing; no record goes missing
 * silently. TMPDIR is put back afterwards. */
/* A TMPDIR that does not exist falls back to SQLite's other folders
 * (/var/tmp, /tmp, ...): the runs are written and read back whole. */
static void temp_dir_missing(void **state)
{
    (void)state;
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    assert_int_equal(setenv("TMPDIR", "/nonexistent-ta-test/no/such/dir", 1),
                     0);
    extsort *s = extsort_new(1);
    assert_non_null(s);
    unsigned char p[40];
    memset(p, 'x', sizeof p);
    int rc = 0;
    size_t i;
    for (i = 0; i < 20000 && rc == 0; i++)
        rc = extsort_add(s, (uint64_t)(20000 - i), 0, p, sizeof p);
    size_t runs = extsort_runs(s);
    extsort_rec r;
    size_t n = 0;
    uint64_t last = 0;
    int sorted = 1;
    while (extsort_next(s, &r) == 1) {
        sorted &= r.k1 >= last && r.len == sizeof p;
        last = r.k1;
        n++;
    }
    /* restore before asserting, so a failure leaves the environment as
     * it was */
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    assert_int_equal(rc, 0);
    assert_true(runs > 1);
    assert_int_equal(n, 20000);
    assert_true(sorted);
    extsort_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(in_memory_sorted),
        cmocka_unit_test(spilled_sorted),
        cmocka_unit_test(spilled_max_payloads),
        cmocka_unit_test(payload_too_long),
        cmocka_unit_test(add_after_next),
        cmocka_unit_test(empty_sorter),
        cmocka_unit_test(temp_dir_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
