/*
 * test_text.c — the one white-space rule (text.h): which bytes are white
 * space, and collapsing as SPEC §3 (ticket_id, cso) and §4 (every field
 * judged) both use it: trimmed, runs to one space, line breaks included,
 * cut to the output's size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void text_space_set(void **state)
{
    (void)state;
    const char *space = " \t\r\n\v\f";
    for (int c = 0; c < 256; c++) {
        int want = c != 0 && strchr(space, c) != NULL;
        if (text_is_space((unsigned char)c) != want)
            fail_msg("byte 0x%02x: expected %d", (unsigned)c, want);
    }
    /* a no-break space is not ASCII white space: header names drop it
     * themselves (rules_normalize_header) */
    assert_false(text_is_space(0xA0));
}

static void text_collapse_table(void **state)
{
    (void)state;
    static const struct {
        const char *name, *in, *want;
    } t[] = {
        {"spec3_trim_both_ends", "  K2610 \t", "K2610"},
        {"spec3_runs_of_spaces", "Hendra  Kurniawan", "Hendra Kurniawan"},
        {"spec4_line_breaks", "pelanggan\r\nmarah\nsekali",
         "pelanggan marah sekali"},
        {"spec4_mixed_run", "a \t\r\n\v\f b", "a b"},
        {"only_space", " \t\n", ""},
        {"empty", "", ""},
        {"inner_kept", "a.b-c", "a.b-c"},
        {"utf8_untouched", "Zo\xC3\xAB  Tanjung", "Zo\xC3\xAB Tanjung"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char out[64];
        size_t n = text_collapse(t[i].in, strlen(t[i].in), out, sizeof out);
        if (strcmp(out, t[i].want) != 0 || n != strlen(t[i].want))
            fail_msg("%s: got '%s'", t[i].name, out);
    }
}

/* At most cap - 1 bytes and a NUL; the input's length (not a NUL) ends
 * it. */
static void text_collapse_bounds(void **state)
{
    (void)state;
    char out[6];
    assert_int_equal(text_collapse("abcdefgh", 8, out, sizeof out), 5);
    assert_string_equal(out, "abcde");
    assert_int_equal(text_collapse("ab  cd", 3, out, sizeof out), 2);
    assert_string_equal(out, "ab");
    assert_int_equal(text_collapse("a\0b", 3, out, sizeof out), 3);
    assert_memory_equal(out, "a\0b", 4);
    char one[1];
    assert_int_equal(text_collapse("abc", 3, one, 1), 0);
    assert_string_equal(one, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_space_set),
        cmocka_unit_test(text_collapse_table),
        cmocka_unit_test(text_collapse_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
