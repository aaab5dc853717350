/*
 * test_tally.c — rows counted by a key (src/tally.c), one case per
 * promise of tally.h: a group per distinct key, its count and largest
 * value; NULL is not ""; the integer is part of the key; texts are
 * compared by their bytes, past a NUL too; full by groups or by bytes
 * (the existing groups still count, a first group always goes in);
 * sorted by the caller's order, and counting on after the sort; cleared;
 * thousands of groups past the first slots. Both users (summary.c and the
 * report's figures) are checked against SQL by their own tests
 * (test_summary, e2e_differential, test_report).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally.h"

/* A key of four C strings (NULL: none) and an integer. */
static tally_key key4(const char *a, const char *b, const char *c,
                      const char *d, long long k)
{
    tally_key x = {{a, b, c, d}, {0, 0, 0, 0}, k};
    for (int i = 0; i < 4; i++)
        x.n[i] = x.t[i] ? strlen(x.t[i]) : 0;
    return x;
}

/* The group of key, or fails. */
static tally_group find(const tally *t, const tally_key *k)
{
    for (size_t i = 0; i < tally_groups(t); i++) {
        tally_group g = tally_at(t, i);
        int same = g.key.k == k->k;
        for (int j = 0; same && j < 4; j++)
            same = (!g.key.t[j] && !k->t[j]) ||
                   (g.key.t[j] && k->t[j] && g.key.n[j] == k->n[j] &&
                    memcmp(g.key.t[j], k->t[j], k->n[j]) == 0);
        if (same)
            return g;
    }
    fail_msg("no group for the key");
    tally_group none = {0};
    return none;
}

static void counts_and_largest_value(void **state)
{
    (void)state;
    tally *t = tally_new(100, 0);
    assert_non_null(t);
    tally_key a = key4("CSO A", "2026-10", "violation", "EMAIL_MISSING", 1);
    tally_key b = key4("CSO B", "2026-10", "compliant", "", 1);
    const long long va[] = {5, 9, 2};
    for (int i = 0; i < 3; i++)
        assert_int_equal(tally_add(t, &a, va[i]), 0);
    assert_int_equal(tally_add(t, &b, -3), 0);
    assert_int_equal(tally_groups(t), 2);
    tally_group g = find(t, &a);
    assert_int_equal(g.count, 3);
    assert_int_equal(g.max, 9);
    assert_string_equal(g.key.t[0], "CSO A"); /* NUL-terminated */
    g = find(t, &b);
    assert_int_equal(g.count, 1);
    assert_int_equal(g.max, -3);
    tally_free(t);
}

static void null_is_not_empty_and_integer_is_key(void **state)
{
    (void)state;
    tally *t = tally_new(100, 0);
    tally_key k[] = {key4("x", NULL, "s", "c", 1), key4("x", "", "s", "c", 1),
                     key4("x", "", "s", "c", 2)};
    for (int i = 0; i < 3; i++)
        assert_int_equal(tally_add(t, &k[i], 0), 0);
    assert_int_equal(tally_groups(t), 3);
    assert_null(find(t, &k[0]).key.t[1]);
    assert_non_null(find(t, &k[1]).key.t[1]);
    tally_free(t);
}

static void bytes_past_a_nul(void **state)
{
    (void)state;
    tally *t = tally_new(100, 0);
    tally_key a = {{"ab\0x", "p", "s", "c"}, {4, 1, 1, 1}, 0};
    tally_key b = {{"ab\0y", "p", "s", "c"}, {4, 1, 1, 1}, 0};
    assert_int_equal(tally_add(t, &a, 0), 0);
    assert_int_equal(tally_add(t, &b, 0), 0);
    assert_int_equal(tally_groups(t), 2);
    tally_free(t);
}

static void full_by_groups(void **state)
{
    (void)state;
    tally *t = tally_new(2, 0);
    tally_key k[] = {key4("a", "p", "s", "c", 0), key4("b", "p", "s", "c", 0),
                     key4("c", "p", "s", "c", 0)};
    assert_int_equal(tally_add(t, &k[0], 0), 0);
    assert_int_equal(tally_add(t, &k[1], 0), 0);
    assert_int_equal(tally_add(t, &k[2], 0), 1); /* a third: full */
    assert_int_equal(tally_add(t, &k[0], 0), 0); /* the others count on */
    assert_int_equal(tally_groups(t), 2);
    assert_int_equal(find(t, &k[0]).count, 2);
    tally_clear(t);
    assert_int_equal(tally_groups(t), 0);
    assert_int_equal(tally_add(t, &k[2], 0), 0);
    assert_int_equal(find(t, &k[2]).count, 1);
    tally_free(t);
}

static void full_by_bytes(void **state)
{
    (void)state;
    char big[200];
    memset(big, 'n', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    tally *t = tally_new(1000, 64);
    tally_key first = key4(big, "p", "s", "c", 0); /* longer than 64 */
    tally_key other = key4("b", "p", "s", "c", 0);
    assert_int_equal(tally_add(t, &first, 0), 0); /* the first goes in */
    assert_int_equal(tally_add(t, &other, 0), 1);
    assert_int_equal(tally_add(t, &first, 0), 0);
    assert_int_equal(find(t, &first).count, 2);
    tally_free(t);
}

static int by_first_text_desc(const tally_group *a, const tally_group *b)
{
    return -strcmp(a->key.t[0], b->key.t[0]);
}

static void sorted_then_counting_on(void **state)
{
    (void)state;
    tally *t = tally_new(100, 0);
    const char *names[] = {"m", "c", "x", "a", "q"};
    for (int i = 0; i < 5; i++) {
        tally_key k = key4(names[i], "p", "s", "c", 0);
        assert_int_equal(tally_add(t, &k, i), 0);
    }
    tally_sort(t, by_first_text_desc);
    const char *want[] = {"x", "q", "m", "c", "a"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(tally_at(t, i).key.t[0], want[i]);
    tally_key c = key4("c", "p", "s", "c", 0);
    assert_int_equal(tally_add(t, &c, 7), 0);
    assert_int_equal(tally_groups(t), 5);
    assert_int_equal(tally_at(t, 3).count, 2);
    assert_int_equal(tally_at(t, 3).max, 7);
    tally_free(t);
}

static void thousands_of_groups(void **state)
{
    (void)state;
    tally *t = tally_new(10000, 0);
    char name[32];
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 5000; i++) {
            snprintf(name, sizeof name, "CSO %d", i);
            tally_key k = key4(name, "2026-10", "violation", "", i % 3);
            assert_int_equal(tally_add(t, &k, round), 0);
        }
    assert_int_equal(tally_groups(t), 5000);
    for (size_t i = 0; i < 5000; i++) {
        tally_group g = tally_at(t, i);
        assert_int_equal(g.count, 3);
        assert_int_equal(g.max, 2);
        snprintf(name, sizeof name, "CSO %zu", i); /* first-counted order */
        assert_string_equal(g.key.t[0], name);
    }
    tally_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_and_largest_value),
        cmocka_unit_test(null_is_not_empty_and_integer_is_key),
        cmocka_unit_test(bytes_past_a_nul),
        cmocka_unit_test(full_by_groups),
        cmocka_unit_test(full_by_bytes),
        cmocka_unit_test(sorted_then_counting_on),
        cmocka_unit_test(thousands_of_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
