/*
 * test_buf.c — the growable buffer: appending, formatting past the small
 * stack buffer, the ceiling, reset, take and set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"

static void test_buf_add_and_printf(void **state)
{
    (void)state;
    ta_buf b;
    buf_init(&b, 0);
    assert_null(b.p);
    assert_int_equal(buf_adds(&b, "abc"), 0);
    assert_int_equal(buf_addc(&b, '-'), 0);
    assert_int_equal(buf_printf(&b, "%d/%s", 42, "x"), 0);
    assert_string_equal(b.p, "abc-42/x");
    assert_int_equal(b.len, 8);
    /* Longer than the formatter's stack buffer. */
    char big[1000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(buf_printf(&b, "[%s]", big), 0);
    assert_int_equal(b.len, 8 + 2 + 999);
    assert_int_equal(b.p[b.len - 1], ']');
    assert_int_equal(b.p[b.len], '\0');
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.p, "");
    buf_free(&b);
    assert_null(b.p);
}

static void test_buf_ceiling(void **state)
{
    (void)state;
    ta_buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_add(&b, "12345678", 8), 0);
    assert_int_equal(buf_addc(&b, '9'), -1);
    assert_string_equal(b.p, "12345678"); /* unchanged by the failure */
    assert_int_equal(buf_printf(&b, "%s", "x"), -1);
    buf_free(&b);
}

static void test_buf_take(void **state)
{
    (void)state;
    ta_buf b;
    buf_init(&b, 0);
    assert_null(buf_take(&b));
    assert_int_equal(buf_add(&b, "hi", 2), 0);
    char *p = buf_take(&b);
    assert_string_equal(p, "hi");
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    free(p);
    buf_free(&b);
}

/* buf_set replaces the content, keeps the memory, and an empty set still
 * leaves a NUL-terminated buffer. */
static void test_buf_set(void **state)
{
    (void)state;
    ta_buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_set(&b, "", 0), 0);
    assert_non_null(b.p);
    assert_string_equal(b.p, "");
    assert_int_equal(buf_set(&b, "longer text", 11), 0);
    char *mem = b.p;
    assert_int_equal(buf_set(&b, "ab", 2), 0);
    assert_ptr_equal(b.p, mem);
    assert_string_equal(b.p, "ab");
    assert_int_equal(b.len, 2);
    buf_free(&b);
    buf_init(&b, 4);
    assert_int_equal(buf_set(&b, "12345", 5), -1);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

/* buf_grow_array: room for n elements, doubling from 16, the content kept;
 * a size that would overflow fails and leaves the array as it was. */
static void test_buf_grow_array(void **state)
{
    (void)state;
    long *v = NULL;
    size_t cap = 0;
    assert_int_equal(buf_grow_array(&v, &cap, 0, sizeof *v), 0);
    assert_null(v);
    assert_int_equal(buf_grow_array(&v, &cap, 1, sizeof *v), 0);
    assert_int_equal(cap, 16);
    for (long i = 0; i < 16; i++)
        v[i] = i;
    assert_int_equal(buf_grow_array(&v, &cap, 17, sizeof *v), 0);
    assert_int_equal(cap, 32);
    assert_int_equal(v[15], 15);
    long *keep = v;
    assert_int_equal(buf_grow_array(&v, &cap, 20, sizeof *v), 0);
    assert_ptr_equal(v, keep); /* enough room: nothing moves */
    assert_int_equal(buf_grow_array(&v, &cap, (size_t)-1 / 4, sizeof *v), -1);
    assert_ptr_equal(v, keep);
    assert_int_equal(cap, 32);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_add_and_printf),
        cmocka_unit_test(test_buf_ceiling),
        cmocka_unit_test(test_buf_take),
        cmocka_unit_test(test_buf_set),
        cmocka_unit_test(test_buf_grow_array),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
