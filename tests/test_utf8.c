/*
 * test_utf8.c — the one UTF-8 module: well-formedness as Unicode's Table
 * 3-7 defines it (overlong forms, surrogates, above U+10FFFF, truncated),
 * one U+FFFD per maximal invalid subpart, cutting at a boundary, encoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

typedef struct {
    const char *name;
    const char *s;
    size_t n;
    int valid;
} valid_case;

#define S(x) x, sizeof(x) - 1
static const valid_case valid_cases[] = {
    {"ascii", S("plain text"), 1},
    {"two_byte", S("caf\xC3\xA9"), 1},
    {"three_byte", S("\xE2\x82\xAC"), 1},
    {"four_byte", S("\xF0\x9F\x98\x80"), 1},
    {"max_code_point", S("\xF4\x8F\xBF\xBF"), 1},
    {"overlong_two_byte", S("\xC0\xAF"), 0},
    {"overlong_c1", S("\xC1\xBF"), 0},
    {"overlong_three_byte", S("\xE0\x80\xAF"), 0},
    {"overlong_four_byte", S("\xF0\x80\x80\xAF"), 0},
    {"surrogate_low", S("\xED\xA0\x80"), 0},
    {"surrogate_high", S("\xED\xBF\xBF"), 0},
    {"above_10ffff", S("\xF4\x90\x80\x80"), 0},
    {"f5_lead", S("\xF5\x80\x80\x80"), 0},
    {"lone_continuation", S("a\x80z"), 0},
    {"truncated_end", S("ab\xE2\x82"), 0},
    {"cp1252_byte", S("Zo\xEB"), 0},
    {"nul_is_valid", "a\0b", 3, 1},
    {"long_ascii_then_bad", S("0123456789abcdef0123\xFF"), 0},
};

static void test_utf8_valid_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof valid_cases / sizeof *valid_cases; i++) {
        const valid_case *c = &valid_cases[i];
        if (utf8_valid(c->s, c->n) != c->valid)
            fail_msg("case %s: expected %d", c->name, c->valid);
    }
}

static void test_utf8_seq_incomplete(void **state)
{
    (void)state;
    int inc = 0;
    size_t bad = 0;
    assert_int_equal(
        utf8_seq((const unsigned char *)"\xE2\x82", 2, &bad, &inc), 0);
    assert_int_equal(inc, 1);
    assert_int_equal(
        utf8_seq((const unsigned char *)"\xE2\x41", 2, &bad, &inc), 0);
    assert_int_equal(inc, 0);
    assert_int_equal(bad, 1);
    assert_int_equal(
        utf8_seq((const unsigned char *)"\xF0\x9F\x41", 3, &bad, &inc), 0);
    assert_int_equal(bad, 2);
}

static void test_utf8_repair_one_mark_per_subpart(void **state)
{
    (void)state;
    char out[64];
    size_t nbad = 0;
    /* F0 9F 41: the maximal subpart F0 9F is one mark, then 'A'. */
    size_t n = utf8_repair("\xF0\x9F\x41", 3, out, &nbad);
    assert_int_equal(n, 4);
    assert_memory_equal(out, UTF8_REPLACEMENT "A", 4);
    assert_int_equal(nbad, 1);
    n = utf8_repair("Zo\xEB Tanjung", 11, out, &nbad);
    assert_string_equal(out, "Zo" UTF8_REPLACEMENT " Tanjung");
    assert_int_equal(nbad, 1);
    assert_int_equal(n, strlen(out));
    /* Two stray bytes are two marks. */
    utf8_repair("\x80\x80", 2, out, &nbad);
    assert_int_equal(nbad, 2);
}

static void test_utf8_cut_boundary(void **state)
{
    (void)state;
    const char *s = "ab\xE2\x82\xAC"; /* "ab€", 5 bytes */
    assert_int_equal(utf8_cut(s, 5, 10), 5);
    assert_int_equal(utf8_cut(s, 5, 5), 5);
    assert_int_equal(utf8_cut(s, 5, 4), 2);
    assert_int_equal(utf8_cut(s, 5, 3), 2);
    assert_int_equal(utf8_cut(s, 5, 2), 2);
    assert_int_equal(utf8_cut(s, 5, 1), 1);
    assert_int_equal(utf8_cut("\xF0\x9F\x98\x80x", 5, 3), 0);
}

static void test_utf8_encode_decode_roundtrip(void **state)
{
    (void)state;
    const uint32_t cps[] = {0x41,   0x7F,   0x80,    0x7FF,   0x800,
                            0xFFFD, 0xFFFF, 0x10000, 0x10FFFF};
    for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
        char b[4];
        size_t n = utf8_encode(cps[i], b);
        assert_true(utf8_valid(b, n));
        size_t adv = 0;
        assert_int_equal(utf8_decode(b, n, &adv), cps[i]);
        assert_int_equal(adv, n);
    }
    char b[4];
    assert_int_equal(utf8_encode(0xD800, b), 3); /* surrogate -> U+FFFD */
    assert_memory_equal(b, UTF8_REPLACEMENT, 3);
    assert_int_equal(utf8_encode(0x110000, b), 3);
}

static void test_utf8_clean_allocates(void **state)
{
    (void)state;
    size_t n = 0;
    char *c = utf8_clean("a\xFF", 2, &n);
    assert_non_null(c);
    assert_int_equal(n, 4);
    assert_string_equal(c, "a" UTF8_REPLACEMENT);
    free(c);
}

/* The table summary.c's own copy used to be tested with, now through the
 * one module: overlongs, surrogates and code points above U+10FFFF are
 * replaced byte by byte (each byte is its own maximal subpart), a
 * truncated sequence is one mark. */
static void test_utf8_clean_table(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } t[] = {
        {"plain", "plain"},
        {"D\xc3\xa9wi", "D\xc3\xa9wi"},
        {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
        {"\xff", "\xef\xbf\xbd"},
        {"\xc0\x80", "\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong NUL */
        {"\xe0\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surr. */
        {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                             "\xef\xbf\xbd"}, /* > U+10FFFF */
        {"a\xe2\x82", "a\xef\xbf\xbd"},       /* truncated: one mark */
        {"\xe2\x82\xac", "\xe2\x82\xac"},     /* euro sign */
        {"\xc3"
         "\"",
         "\xef\xbf\xbd\""},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t len = 0;
        char *out = utf8_clean(t[i].in, strlen(t[i].in), &len);
        assert_non_null(out);
        assert_string_equal(out, t[i].want);
        assert_int_equal(len, strlen(t[i].want));
        free(out);
    }
}

/* Texts whose sequences straddle a piece boundary: fed in two pieces
 * split at every position, the stream says what utf8_valid says of the
 * whole. */
static void test_utf8_stream_any_split(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof valid_cases / sizeof valid_cases[0]; k++) {
        const char *s = valid_cases[k].s;
        size_t n = valid_cases[k].n;
        for (size_t cut = 0; cut <= n; cut++) {
            utf8_stream v;
            utf8_stream_init(&v);
            utf8_stream_feed(&v, s, cut);
            utf8_stream_feed(&v, s + cut, n - cut);
            if (utf8_stream_valid(&v) != valid_cases[k].valid)
                fail_msg("%s split at %zu", valid_cases[k].name, cut);
        }
    }
    utf8_stream v;
    utf8_stream_init(&v);
    utf8_stream_feed(&v, "\xE2\x82", 2); /* unfinished: not valid yet */
    assert_false(utf8_stream_valid(&v));
    utf8_stream_feed(&v, "\xAC", 1);
    assert_true(utf8_stream_valid(&v));
}

/* A text repaired piece by piece (what is left unconsumed carried to the
 * next piece) equals the text repaired whole, wherever it is cut. */
static void test_utf8_repair_part_any_split(void **state)
{
    (void)state;
    static const char text[] = "a\xE2\x82\xAC b\xF0\x9F\x98\x80 \xE2\x82"
                               "x \xC3\xA9\xFF\xED\xA0\x80 end\xF0\x9F";
    size_t n = sizeof text - 1;
    char whole[3 * sizeof text + 1];
    size_t wn = utf8_repair(text, n, whole, NULL);
    for (size_t cut = 0; cut <= n; cut++) {
        char out[3 * sizeof text + 8];
        size_t used = 0;
        size_t o = utf8_repair_part(text, cut, 0, out, &used, NULL);
        assert_true(used <= cut && cut - used <= 3);
        o += utf8_repair_part(text + used, n - used, 1, out + o, &used, NULL);
        if (o != wn || memcmp(out, whole, wn) != 0)
            fail_msg("repaired differently when cut at %zu", cut);
    }
}

static void test_utf8_cut_chars(void **state)
{
    (void)state;
    const char *s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
    assert_int_equal(utf8_cut_chars(s, 11, 0), 0);
    assert_int_equal(utf8_cut_chars(s, 11, 1), 1);
    assert_int_equal(utf8_cut_chars(s, 11, 2), 3);
    assert_int_equal(utf8_cut_chars(s, 11, 3), 6);
    assert_int_equal(utf8_cut_chars(s, 11, 4), 10);
    assert_int_equal(utf8_cut_chars(s, 11, 5), 11);
    assert_int_equal(utf8_cut_chars(s, 11, 99), 11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid_table),
        cmocka_unit_test(test_utf8_seq_incomplete),
        cmocka_unit_test(test_utf8_repair_one_mark_per_subpart),
        cmocka_unit_test(test_utf8_cut_boundary),
        cmocka_unit_test(test_utf8_encode_decode_roundtrip),
        cmocka_unit_test(test_utf8_clean_allocates),
        cmocka_unit_test(test_utf8_clean_table),
        cmocka_unit_test(test_utf8_stream_any_split),
        cmocka_unit_test(test_utf8_repair_part_any_split),
        cmocka_unit_test(test_utf8_cut_chars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
