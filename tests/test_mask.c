/*
 * test_mask.c — masking of personal data (include/mask.h), table-driven:
 * each case names the rule it proves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mask.h"

typedef size_t (*mask_fn)(const char *, size_t, char *, size_t);

typedef struct mcase {
    const char *name, *in, *want;
} mcase;

static void run_table(mask_fn fn, const mcase *c, size_t n)
{
    char out[512];
    for (size_t i = 0; i < n; i++) {
        size_t len = fn(c[i].in, strlen(c[i].in), out, sizeof out);
        if (strcmp(out, c[i].want) != 0 || len != strlen(out))
            fail_msg("%s: '%s' -> '%s', want '%s'", c[i].name, c[i].in, out,
                     c[i].want);
    }
}

static void email_cases(void **state)
{
    (void)state;
    static const mcase c[] = {
        {"email_spec_example", "budi.s@gmail.com", "b***@gmail.com"},
        {"email_one_char_local", "a@b.co", "a***@b.co"},
        {"email_empty", "", ""},
        {"email_placeholder_kept", "-", "-"},
        {"email_short_kept", "n/a", "n/a"},
        {"email_word_starred", "tidak ada", "t*** ada"},
        {"email_no_at_long", "budi.gmail.com", "b***"},
        {"email_several", "a.b@x.com; c.d@y.org", "a***@x.com; c***@y.org"},
        {"email_no_local", "@gmail.com", "***@gmail.com"},
        {"email_two_at", "a@b@c.com", "a***@c.com"},
        {"email_utf8_first", "\xC3\xA9lo@x.id", "\xC3\xA9***@x.id"},
    };
    run_table(mask_email, c, sizeof c / sizeof *c);
}

static void phone_cases(void **state)
{
    (void)state;
    static const mcase c[] = {
        {"phone_spec_example", "081234567890", "0812****7890"},
        {"phone_13_digits", "0812345678901", "0812*****8901"},
        {"phone_formatted_kept", "+62 812 3456 7890", "+62 81* **** 7890"},
        {"phone_11_digits", "08123456789", "0812*****89"},
        {"phone_8_digits", "02155512", "0215**12"},
        {"phone_short_starred", "021555", "0*****"},
        {"phone_empty", "", ""},
        {"phone_placeholder_kept", "-", "-"},
        {"phone_masked_input", "0878xxxxxxx", "0***xxxxxxx"},
    };
    run_table(mask_phone, c, sizeof c / sizeof *c);
}

static void text_cases(void **state)
{
    (void)state;
    static const mcase c[] = {
        {"text_plain_kept", "pelanggan marah", "pelanggan marah"},
        {"text_email", "kirim ke budi.s@gmail.com ya",
         "kirim ke b***@gmail.com ya"},
        {"text_email_end_of_sentence", "email: ani@x.co.id.",
         "email: a***@x.co.id."},
        {"text_phone", "hubungi 081234567890 sore",
         "hubungi 0812****7890 sore"},
        {"text_phone_spaces_dashes", "hp +62 812-3456-7890.",
         "hp +62 81*-****-7890."},
        {"text_phone_glued", "hp081234567890", "hp0812****7890"},
        {"text_seven_digits_kept", "meter 1234567", "meter 1234567"},
        {"text_date_kept", "tgl 2026-10-05 jam 10", "tgl 2026-10-05 jam 10"},
        {"text_date_dmy_kept", "tgl 05-10-2026", "tgl 05-10-2026"},
        {"text_csv_row", "T9,2026-10-01,Budi,budi.s@gmail.com,081234567890",
         "T9,2026-10-01,Budi,b***@gmail.com,0812****7890"},
        {"text_two_numbers", "0811111111 / 0822222222",
         "0811****11 / 0822****22"},
        {"text_utf8_kept",
         "Pak D\xC3\xA9"
         "d\xC3\xA9 (0812 3456 7890)",
         "Pak D\xC3\xA9"
         "d\xC3\xA9 (0812 **** 7890)"},
        {"text_no_domain_kept", "budi@ sedang", "budi@ sedang"},
    };
    run_table(mask_text, c, sizeof c / sizeof *c);
}

/* A small buffer cuts the result on a character boundary and never shows
 * what the whole result would hide. */
static void bounded_output(void **state)
{
    (void)state;
    char out[8];
    size_t n = mask_phone("081234567890", 12, out, sizeof out);
    assert_int_equal(n, 7);
    assert_string_equal(out, "0812***");
    n = mask_text("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 8, out, sizeof out);
    assert_int_equal(n, 6);
    assert_string_equal(out, "\xC3\xA9\xC3\xA9\xC3\xA9");
    n = mask_email("budi.s@gmail.com", 16, out, 1);
    assert_int_equal(n, 0);
    assert_string_equal(out, "");
    out[0] = 'z';
    assert_int_equal(mask_text("abc", 3, out, 0), 0);
    assert_int_equal(out[0], 'z');
    /* not NUL-terminated input: only len bytes are read */
    const char raw[] = {'0', '8', '1', '2', '3', '4', '5', '6', '7', '8'};
    char big[32];
    mask_text(raw, 4, big, sizeof big);
    assert_string_equal(big, "0812");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(email_cases),
        cmocka_unit_test(phone_cases),
        cmocka_unit_test(text_cases),
        cmocka_unit_test(bounded_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
