/*
 * test_mask.c — masking of personal data (include/mask.h, SPEC section 5:
 * "Email and HP are masked ..."), table-driven: each case names the clause
 * or the written form it proves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "mask.h"
#include "utf8.h"

typedef size_t (*mask_fn)(const char *, size_t, char *, size_t);

typedef struct mcase {
    const char *name, *in, *want;
} mcase;

static void check_one(const char *name, const char *in, const char *want,
                      const char *out, size_t len)
{
    if (strcmp(out, want) != 0 || len != strlen(out))
        fail_msg("%s: '%s' -> '%s', want '%s'", name, in, out, want);
}

static void run_table(mask_fn fn, const mcase *c, size_t n)
{
    char out[512];
    for (size_t i = 0; i < n; i++) {
        size_t len = fn(c[i].in, strlen(c[i].in), out, sizeof out);
        check_one(c[i].name, c[i].in, c[i].want, out, len);
    }
}

/* The Email cell (SPEC §5; §4 for the pieces separated by , ; / spaces). */
static void email_cases(void **state)
{
    (void)state;
    static const mcase c[] = {
        {"email_spec_example", "budi.s@gmail.com", "b***@gmail.com"},
        {"email_one_char_local", "a@b.co", "a***@b.co"},
        {"email_empty", "", ""},
        {"email_cell_placeholder_dash_shown_as_is", "-", "-"},
        {"email_cell_placeholder_na_shown_as_is", "n/a", "n/a"},
        {"email_cell_declined_shown_as_is", "tidak punya email",
         "tidak punya email"},
        {"email_cell_declined_tidak_ada_shown_as_is", "tidak ada",
         "tidak ada"},
        {"email_cell_no_at_shown_as_is", "budi.gmail.com", "budi.gmail.com"},
        {"email_cell_nothing_before_at_shown_as_is", "@gmail.com",
         "@gmail.com"},
        {"email_cell_nothing_after_at_shown_as_is", "budi@", "budi@"},
        {"email_several_semicolon", "a.b@x.com; c.d@y.org",
         "a***@x.com; c***@y.org"},
        {"email_several_comma", "a.b@x.com,c.d@y.org",
         "a***@x.com,c***@y.org"},
        {"email_several_slash", "a.b@x.com/c.d@y.org",
         "a***@x.com/c***@y.org"},
        {"email_two_at_last_splits", "a@b@c.com", "a***@c.com"},
        {"email_utf8_first_character", "\xC3\xA9lo@x.id", "\xC3\xA9***@x.id"},
        {"email_non_ascii_domain_umlaut",
         "budi@b\xC3\xBC"
         "cher.de",
         "b***@b\xC3\xBC"
         "cher.de"},
        {"email_non_ascii_domain_japanese", "siti@\xE4\xBE\x8B\xE3\x81\x88.jp",
         "s***@\xE4\xBE\x8B\xE3\x81\x88.jp"},
        {"email_cell_number_masked", "081234567890", "0812****7890"},
        {"email_cell_word_beside_address", "budi@gmail.com (kantor)",
         "b***@gmail.com (kantor)"},
    };
    run_table(mask_email, c, sizeof c / sizeof *c);
}

/* The HP cell: a number as in text, at least 7 digits. */
static void phone_cases(void **state)
{
    (void)state;
    static const mcase c[] = {
        {"hp_spec_example", "081234567890", "0812****7890"},
        {"hp_13_digits", "0812345678901", "0812*****8901"},
        {"hp_plus62_first_four_are_6281", "+62 812 3456 7890",
         "+62 81* **** 7890"},
        {"hp_11_digits_4_and_3", "08123456789", "0812****789"},
        {"hp_8_digits_2_and_2", "02155512", "02****12"},
        {"hp_7_digits_2_and_1", "5551234", "55****4"},
        {"hp_fewer_than_7_digits_shown_as_is", "021555", "021555"},
        {"hp_empty", "", ""},
        {"hp_cell_placeholder_dash_shown_as_is", "-", "-"},
        {"hp_cell_tidak_ada_shown_as_is", "tidak ada", "tidak ada"},
        {"hp_cell_already_masked_shown_as_is", "0878xxxxxxx", "0878xxxxxxx"},
        {"hp_fullwidth_digits",
         "\xEF\xBC\x90\xEF\xBC\x98\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93"
         "\xEF\xBC\x94\xEF\xBC\x95\xEF\xBC\x96\xEF\xBC\x97\xEF\xBC\x98"
         "\xEF\xBC\x99\xEF\xBC\x90",
         "\xEF\xBC\x90\xEF\xBC\x98\xEF\xBC\x91\xEF\xBC\x92****"
         "\xEF\xBC\x97\xEF\xBC\x98\xEF\xBC\x99\xEF\xBC\x90"},
        {"hp_number_typed_in_excel", "81234567890", "8123****890"},
        {"hp_two_numbers", "0812345678, 0813456789", "081****678, 081****789"},
        {"hp_dashes", "0812-3456-7890", "0812-****-7890"},
    };
    run_table(mask_phone, c, sizeof c / sizeof *c);
}

/* Free text: a word, an address, a number, a date (SPEC §5). */
static void text_cases(void **state)
{
    (void)state;
    static const mcase c[] = {
        {"text_plain_kept", "pelanggan marah", "pelanggan marah"},
        {"text_declined_email_shown_as_is", "pelanggan tidak punya email",
         "pelanggan tidak punya email"},
        /* an address: a word holding @ with something on each side */
        {"text_email", "kirim ke budi.s@gmail.com ya",
         "kirim ke b***@gmail.com ya"},
        {"text_email_end_of_sentence_dot_kept", "email: ani@x.co.id.",
         "email: a***@x.co.id."},
        {"text_email_in_parentheses", "email (ani@x.co.id) ya",
         "email (a***@x.co.id) ya"},
        {"text_email_in_angle_brackets_then_comma", "Ani <ani@x.id>, ok",
         "Ani <a***@x.id>, ok"},
        {"text_email_words_split_by_comma_semicolon", "a@x.id,b@y.id;c@z.id",
         "a***@x.id,b***@y.id;c***@z.id"},
        {"text_email_non_ascii_domain",
         "ke budi@b\xC3\xBC"
         "cher.de sore",
         "ke b***@b\xC3\xBC"
         "cher.de sore"},
        {"text_email_non_ascii_domain_japanese",
         "siti@\xE4\xBE\x8B\xE3\x81\x88.jp",
         "s***@\xE4\xBE\x8B\xE3\x81\x88.jp"},
        {"text_email_shortest", "a@b", "a***@b"},
        {"text_email_number_in_domain_masked", "budi@081234567890.id",
         "b***@0812****7890.id"},
        {"text_email_needs_something_after_at", "budi@ sedang",
         "budi@ sedang"},
        {"text_email_needs_something_before_at", "lihat @budi", "lihat @budi"},
        /* a number: 7 digits or more, groups and separators */
        {"text_phone", "hubungi 081234567890 sore",
         "hubungi 0812****7890 sore"},
        {"text_phone_parentheses_area_code", "telp (021) 5551234",
         "telp (021) ****234"},
        {"text_phone_parentheses_mobile", "(0812) 3456-7891",
         "(0812) ****-7891"},
        {"text_phone_parentheses_country_code", "(+62) 812 3456 7890",
         "(+62) 81* **** 7890"},
        {"text_phone_parentheses_middle_group", "0812(3456)7890",
         "0812(****)7890"},
        {"text_phone_dots", "0812.3456.7891", "0812.****.7891"},
        {"text_phone_slashes", "0812/3456/7891", "0812/****/7891"},
        {"text_phone_en_dashes",
         "0812\xE2\x80\x93"
         "3456\xE2\x80\x93"
         "7891",
         "0812\xE2\x80\x93****\xE2\x80\x93"
         "7891"},
        {"text_phone_double_spaces", "0812  3456  7891", "0812  ****  7891"},
        {"text_phone_tabs", "0812\t3456\t7891", "0812\t****\t7891"},
        {"text_phone_separator_with_spaces_around", "0812 - 3456 - 7891",
         "0812 - **** - 7891"},
        {"text_phone_no_break_space",
         "0812\xC2\xA0"
         "3456\xC2\xA0"
         "7891",
         "0812\xC2\xA0****\xC2\xA0"
         "7891"},
        {"text_phone_plus62_first_four_are_6281", "hp +62 812-3456-7890.",
         "hp +62 81*-****-7890."},
        {"text_phone_fullwidth_digits",
         "hp \xEF\xBC\x90\xEF\xBC\x98\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93"
         "\xEF\xBC\x94\xEF\xBC\x95\xEF\xBC\x96\xEF\xBC\x97",
         "hp \xEF\xBC\x90\xEF\xBC\x98\xEF\xBC\x91****\xEF\xBC\x96"
         "\xEF\xBC\x97"},
        {"text_phone_glued_to_word", "hp081234567890", "hp0812****7890"},
        {"text_phone_two_separators_end_it", "0812--3456789", "0812--34****9"},
        {"text_six_digits_not_masked", "kode 123456", "kode 123456"},
        {"text_seven_digits_masked", "meter 1234567", "meter 12****7"},
        {"text_two_numbers_joined_by_slash_are_one", "0811111111 / 0822222222",
         "0811****** / ******2222"},
        {"text_two_numbers_by_comma", "0811111111, 0822222222",
         "081****111, 082****222"},
        {"text_serial_shaped_group_inside_number", "0812 34567 8901",
         "0812 ***** 8901"},
        /* a date in a form section 3 reads is not a number */
        {"text_date_iso_not_phone", "tgl 2026-10-05 jam 10",
         "tgl 2026-10-05 jam 10"},
        {"text_date_dmy_dash_not_phone", "tgl 05-10-2026", "tgl 05-10-2026"},
        {"text_date_dmy_slash_not_phone", "tgl 05/10/2026.",
         "tgl 05/10/2026."},
        {"text_date_ymd_slash_time_not_phone", "2026/10/05 08:30:00",
         "2026/10/05 08:30:00"},
        {"text_date_iso_t_time_not_phone", "2026-10-05T08:30:00",
         "2026-10-05T08:30:00"},
        {"text_date_mon_abbrev_ends_number", "hp 0812345 05-OKT-2026",
         "hp 08****5 05-OKT-2026"},
        {"text_date_month_name_ends_number", "hp 0812345 5 Oktober 2026",
         "hp 08****5 5 Oktober 2026"},
        {"text_date_before_number", "2026-10-05 081234567890",
         "2026-10-05 0812****7890"},
        {"text_date_after_number", "081234567890 2026-10-05",
         "0812****7890 2026-10-05"},
        {"text_excel_serial_not_phone", "serial 46300.5", "serial 46300.5"},
        {"text_excel_serial_with_time_not_phone", "46300.520833",
         "46300.520833"},
        {"text_date_running_on_into_fullwidth_digits_masked",
         "5 Oktober 2026\xEF\xBC\x98\xEF\xBC\x99"
         "1",
         "5 Oktober 20****1"},
        {"text_iso_date_running_on_into_fullwidth_digits_masked",
         "2026-10-05\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93",
         "2026-**-**\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93"},
        {"text_not_a_calendar_date_masked", "2026-13-45", "20**-**-45"},
        {"text_csv_row", "T9,2026-10-01,Budi,budi.s@gmail.com,081234567890",
         "T9,2026-10-01,Budi,b***@gmail.com,0812****7890"},
        {"text_utf8_kept",
         "Pak D\xC3\xA9"
         "d\xC3\xA9 (0812 3456 7890)",
         "Pak D\xC3\xA9"
         "d\xC3\xA9 (0812 **** 7890)"},
        {"text_message_quotes_cell", "line 7: date '081234567890' unreadable",
         "line 7: date '0812****7890' unreadable"},
    };
    run_table(mask_text, c, sizeof c / sizeof *c);
}

/* A mistyped year (15-11-2206) is a date for SPEC §3; whether it is one is
 * date_parse's to say, and masking follows it. */
static void text_date_any_year_follows_date_parse(void **state)
{
    (void)state;
    static const char *const in[] = {"15-11-2206", "15/11/2206"};
    static const char *const masked[] = {"15-**-**06", "15/**/**06"};
    char out[64];
    for (size_t i = 0; i < 2; i++) {
        ta_date d;
        size_t n = strlen(in[i]);
        const char *want = date_parse(in[i], n, &d) ? in[i] : masked[i];
        size_t len = mask_text(in[i], n, out, sizeof out);
        check_one("text_date_any_year_follows_date_parse", in[i], want, out,
                  len);
    }
}

/* Ticket numbers are identifiers: shown in full (mask_text_keep). */
static void keep_cases(void **state)
{
    (void)state;
    static const mask_keep ids[] = {
        {"1234567890123", 13}, {"CRM-0012345678", 14}, {"7654321", 7}};
    static const mcase c[] = {
        {"keep_ticket_id_in_raw_row",
         "1234567890123,2026-10-01,Budi,budi.s@gmail.com,081234567890",
         "1234567890123,2026-10-01,Budi,b***@gmail.com,0812****7890"},
        {"keep_crm_ticket_quoted", "\"CRM-0012345678\",x,081234567890",
         "\"CRM-0012345678\",x,0812****7890"},
        {"keep_crm_ticket_in_parentheses", "lihat (CRM-0012345678).",
         "lihat (CRM-0012345678)."},
        {"keep_digits_inside_word", "tiket no.7654321 hp 081234567890",
         "tiket no.7654321 hp 0812****7890"},
        {"keep_before_number_in_run", "7654321 081234567890",
         "7654321 0812****7890"},
        {"keep_after_number_in_run", "081234567890 7654321",
         "0812****7890 7654321"},
        {"keep_not_a_prefix_of_longer_number", "76543210", "76****10"},
        {"keep_other_numbers_masked", "1234567890124", "1234*****0124"},
        {"keep_email_still_masked", "1234567890123 budi@x.id",
         "1234567890123 b***@x.id"},
    };
    char out[512];
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        size_t len =
            mask_text_keep(c[i].in, strlen(c[i].in), ids, 3, out, sizeof out);
        check_one(c[i].name, c[i].in, c[i].want, out, len);
    }
    /* an identifier that ends inside a character is not where the text
     * holds only that character's first byte (fuzz_mask regression
     * keep_id_ends_inside_fullwidth_digit) */
    static const mask_keep lead[] = {{"\xEF", 1}};
    static const char fw[] =
        "\xEF\xBC\x90\xEF\xBC\x98\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93"
        "\xEF\xBC\x94\xEF\xBC\x95";
    size_t fwlen = mask_text_keep(fw, sizeof fw - 1, lead, 1, out, sizeof out);
    check_one("keep_id_ending_inside_a_character", fw,
              "\xEF\xBC\x90\xEF\xBC\x98****\xEF\xBC\x95", out, fwlen);
    /* no identifiers: mask_text */
    size_t len = mask_text_keep("7654321", 7, NULL, 0, out, sizeof out);
    check_one("keep_none_is_mask_text", "7654321", "76****1", out, len);
}

/* How much a number shows, for every digit count: at most its first 4 and
 * last 4 digits, at least 4 hidden; head = min(4, ceil((d-4)/2)),
 * tail = min(4, floor((d-4)/2)); one '*' per hidden digit, ASCII or
 * full-width, counted over the digits as written. */
static void show_at_most_4_and_4_hide_at_least_4(void **state)
{
    (void)state;
    for (size_t d = 7; d <= 20; d++) {
        size_t head = (d - 3) / 2 > 4 ? 4 : (d - 3) / 2;
        size_t tail = (d - 4) / 2 > 4 ? 4 : (d - 4) / 2;
        for (int wide = 0; wide < 2; wide++) {
            char in[128], out[128], want[128];
            size_t n = 0, w = 0;
            /* "+6" then digits in groups of 3: "+6 123 456 ..." */
            in[n++] = '+';
            want[w++] = '+';
            for (size_t k = 0; k < d; k++) {
                if (k == 1 || (k > 1 && (k - 1) % 3 == 0)) {
                    in[n++] = ' ';
                    want[w++] = ' ';
                }
                char dig = (char)('0' + (k * 7 + 6) % 10);
                int shown = k < head || k >= d - tail;
                if (wide) {
                    const char fw[3] = {'\xEF', '\xBC',
                                        (char)(0x90 + dig - '0')};
                    memcpy(in + n, fw, 3);
                    n += 3;
                    if (shown) {
                        memcpy(want + w, fw, 3);
                        w += 3;
                    }
                } else {
                    in[n++] = dig;
                    if (shown)
                        want[w++] = dig;
                }
                if (!shown)
                    want[w++] = '*';
            }
            in[n] = want[w] = '\0';
            assert_true(head + tail <= 8 && d - head - tail >= 4);
            size_t len = mask_phone(in, n, out, sizeof out);
            check_one("show_at_most_4_and_4_hide_at_least_4", in, want, out,
                      len);
            len = mask_text(in, n, out, sizeof out);
            check_one("show_at_most_4_and_4_hide_at_least_4_text", in, want,
                      out, len);
        }
    }
}

/* A small buffer cuts the result on a character boundary and never shows
 * what the whole result would hide: every cut is a prefix of the whole. */
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

    static const char *const texts[] = {
        "hp +62 812-3456-7890, budi.s@gmail.com (kantor)",
        "\xEF\xBC\x90\xEF\xBC\x98\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93"
        "\xEF\xBC\x94\xEF\xBC\x95\xEF\xBC\x96 siti@\xE4\xBE\x8B.jp",
    };
    for (size_t t = 0; t < 2; t++) {
        char whole[256], cut[256];
        size_t len = strlen(texts[t]);
        size_t wn = mask_text(texts[t], len, whole, sizeof whole);
        for (size_t outlen = 1; outlen <= wn + 1; outlen++) {
            size_t cn = mask_text(texts[t], len, cut, outlen);
            assert_true(cn < outlen);
            assert_memory_equal(cut, whole, cn);
            assert_true(utf8_valid(cut, cn));
        }
    }
}

/* The whole result is at most 2 * len bytes: the shortest address grows
 * from 3 bytes to 6. */
static void result_at_most_twice_the_input(void **state)
{
    (void)state;
    char out[64];
    const char in[] = "a@b,a@b;a@b a@b";
    size_t n = mask_text(in, sizeof in - 1, out, sizeof out);
    assert_string_equal(out, "a***@b,a***@b;a***@b a***@b");
    assert_true(n <= 2 * (sizeof in - 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(email_cases),
        cmocka_unit_test(phone_cases),
        cmocka_unit_test(text_cases),
        cmocka_unit_test(text_date_any_year_follows_date_parse),
        cmocka_unit_test(keep_cases),
        cmocka_unit_test(show_at_most_4_and_4_hide_at_least_4),
        cmocka_unit_test(bounded_output),
        cmocka_unit_test(result_at_most_twice_the_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
