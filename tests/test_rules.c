/*
 * test_rules.c — SPEC §4 (the rules) and the column names of SPEC §3,
 * clause by clause. Each table row is one cmocka test named after the
 * clause it proves (email_step2_declined_tidak_ada, hp_step5_sequential,
 * ...), so a failure names the clause.
 *
 * Also: every ISEMAIL_ERR address of the is_email sets is refused by email
 * step 4 (tests/conformance, generated include), and the rules file
 * (defaults, overrides, errors with file, line and PCRE2's message).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <time.h>

#include "alloc_fail.h"
#include "rules.h"
#include "testutil.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static rules *g_rs;
static rules_judge *g_j;

static int group_setup(void **state)
{
    char err[512];
    (void)state;
    if (rules_load(NULL, &g_rs, err, sizeof err) != TA_OK) {
        fprintf(stderr, "default rules: %s\n", err);
        return -1;
    }
    g_j = rules_judge_new(g_rs);
    return g_j ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    rules_judge_free(g_j);
    rules_free(g_rs);
    return 0;
}

/* ---- email states ---------------------------------------------------- */

typedef struct email_case {
    const char *name, *in;
    rules_email_state want;
} email_case;

static const email_case email_cases[] = {
    {"email_step1_empty", "", RULES_EMAIL_MISSING},
    {"email_step1_blank_is_empty", "  \t\r\n ", RULES_EMAIL_MISSING},
    {"email_step2_declined_tidak_ada", "tidak ada", RULES_EMAIL_DECLINED},
    {"email_step2_declined_tdk_punya", "Tdk punya email",
     RULES_EMAIL_DECLINED},
    {"email_step2_declined_menolak", "pelanggan menolak",
     RULES_EMAIL_DECLINED},
    {"email_step2_declined_no_email", "No E-mail", RULES_EMAIL_DECLINED},
    {"email_step2_declined_tanpa_email", "tanpa email", RULES_EMAIL_DECLINED},
    {"email_step2_declined_line_break", "tidak\r\nada", RULES_EMAIL_DECLINED},
    {"email_step2_not_with_at", "menolak@gmail.com", RULES_EMAIL_VALID},
    {"email_step2_declined_tidakada_no_space", "tidakada",
     RULES_EMAIL_DECLINED},
    {"email_step3_placeholder_dash", "-", RULES_EMAIL_PLACEHOLDER},
    {"email_step3_placeholder_dot", ".", RULES_EMAIL_PLACEHOLDER},
    {"email_step3_placeholder_zero", "0", RULES_EMAIL_PLACEHOLDER},
    {"email_step3_placeholder_NA_case", "N/A", RULES_EMAIL_PLACEHOLDER},
    {"email_step3_placeholder_null", " NULL ", RULES_EMAIL_PLACEHOLDER},
    {"email_step3_placeholder_xxx", "XXX", RULES_EMAIL_PLACEHOLDER},
    {"email_step4_valid", "budi.santoso@gmail.com", RULES_EMAIL_VALID},
    {"email_step4_uppercase_lowered", "Budi.Santoso@GMAIL.COM",
     RULES_EMAIL_VALID},
    {"email_step4_plus_tag", "budi+pln@yahoo.co.id", RULES_EMAIL_VALID},
    {"email_step4_several_addresses", "budi@gmail.com; siti@yahoo.com",
     RULES_EMAIL_VALID},
    {"email_step4_several_first_bad", "budi@gmail, siti@yahoo.com",
     RULES_EMAIL_INVALID},
    {"email_step4_several_slash", "budi@gmail.com/siti@x", RULES_EMAIL_VALID},
    {"email_step4_leading_separator", ", budi@gmail.com", RULES_EMAIL_VALID},
    {"email_step4_space_inside", "budi @gmail.com", RULES_EMAIL_INVALID},
    {"email_step4_no_at", "budigmail.com", RULES_EMAIL_INVALID},
    {"email_step4_no_tld", "budi@gmail", RULES_EMAIL_INVALID},
    {"email_step4_double_dot", "budi..s@gmail.com", RULES_EMAIL_INVALID},
    {"email_step4_two_at", "budi@@gmail.com", RULES_EMAIL_INVALID},
    {"email_step4_non_ascii",
     "b\xc3\xbc"
     "di@gmail.com",
     RULES_EMAIL_INVALID},
    {"email_step4_local_64_ok",
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab@gmail."
     "com",
     RULES_EMAIL_VALID},
    {"email_step4_local_65_invalid",
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab@gmail."
     "com",
     RULES_EMAIL_INVALID},
    {"email_step4_label_64_invalid",
     "budi@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
     "com",
     RULES_EMAIL_INVALID},
    {"email_step4_label_63_ok",
     "budi@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
     "com",
     RULES_EMAIL_VALID},
    {"email_step5_typo_gmial", "budi@gmial.com", RULES_EMAIL_INVALID},
    {"email_step5_typo_gmail_con", "budi@GMAIL.CON", RULES_EMAIL_INVALID},
    {"email_step5_typo_yahoo_co", "budi@yahoo.co", RULES_EMAIL_INVALID},
    {"email_step6_fake_tidakada_gmail", "tidakada@gmail.com",
     RULES_EMAIL_PLACEHOLDER},
    {"email_step6_fake_test", "test@gmail.com", RULES_EMAIL_PLACEHOLDER},
    {"email_step6_fake_no_email", "no_email@yahoo.com",
     RULES_EMAIL_PLACEHOLDER},
    {"email_step6_all_x", "xxxxx@gmail.com", RULES_EMAIL_PLACEHOLDER},
    {"email_step6_placeholder_domain", "budi@example.com",
     RULES_EMAIL_PLACEHOLDER},
    {"email_step6_own_domain_pln", "budi@pln.co.id", RULES_EMAIL_PLACEHOLDER},
    {"email_step6_own_subdomain_pln", "budi@uid.pln.co.id",
     RULES_EMAIL_PLACEHOLDER},
    {"email_step6_not_own_xpln", "budi@xpln.co.id", RULES_EMAIL_VALID},
    {"email_step7_valid_xavier", "xavier@gmail.com", RULES_EMAIL_VALID},
};

static void run_email_case(void **state)
{
    const email_case *c = *state;
    rules_email_state got = rules_email_state_of(g_j, c->in, strlen(c->in));
    if (got != c->want)
        fail_msg("%s: '%s' -> %s, want %s", c->name, c->in,
                 rules_email_state_name(got), rules_email_state_name(c->want));
}

/* ---- HP states ------------------------------------------------------- */

typedef struct hp_case {
    const char *name, *in;
    rules_hp_state want;
    const char *norm; /* NULL: not checked */
} hp_case;

static const hp_case hp_cases[] = {
    {"hp_step1_empty", "", RULES_HP_MISSING, NULL},
    {"hp_step2_placeholder_dash", "-", RULES_HP_PLACEHOLDER, NULL},
    {"hp_step2_placeholder_tidak_ada", "Tidak Ada", RULES_HP_PLACEHOLDER,
     NULL},
    {"hp_step2_placeholder_000", "000", RULES_HP_PLACEHOLDER, NULL},
    {"hp_step2_masked_0878xxx", "0878xxxxxxx", RULES_HP_PLACEHOLDER, NULL},
    {"hp_step2_masked_star", "0812****7890", RULES_HP_PLACEHOLDER, NULL},
    {"hp_step2_masked_X", "0812XXXX7890", RULES_HP_PLACEHOLDER, NULL},
    {"hp_step3_spaces_dashes", "0813-9876 5432", RULES_HP_VALID,
     "081398765432"},
    {"hp_step3_parens_dots_slash", "(0813).9876/5432", RULES_HP_VALID,
     "081398765432"},
    {"hp_step3_plus62", "+62 813-9876-5432", RULES_HP_VALID, "081398765432"},
    {"hp_step3_62", "6281398765432", RULES_HP_VALID, "081398765432"},
    {"hp_step3_lost_zero", "81398765432", RULES_HP_VALID, "081398765432"},
    {"hp_step3_lost_zero_9_digits", "813987654", RULES_HP_VALID, "0813987654"},
    {"hp_step3_13_digits_no_zero_added", "8139876543210", RULES_HP_INVALID,
     "8139876543210"},
    {"hp_step4_excel_exponent", "8.12346E+10", RULES_HP_INVALID, NULL},
    {"hp_step4_nothing_left", "()", RULES_HP_INVALID, ""},
    {"hp_step4_letters", "0813abc", RULES_HP_INVALID, NULL},
    {"hp_step4_plus_elsewhere", "+0813987654", RULES_HP_INVALID, NULL},
    {"hp_step5_all_zeros", "0000000000", RULES_HP_PLACEHOLDER, NULL},
    {"hp_step5_same_digit", "081111111111", RULES_HP_PLACEHOLDER, NULL},
    {"hp_step5_same_digit_short", "0888", RULES_HP_PLACEHOLDER, NULL},
    {"hp_step5_sequential", "08123456789", RULES_HP_PLACEHOLDER, NULL},
    {"hp_step5_sequential_7", "081234567", RULES_HP_PLACEHOLDER, NULL},
    {"hp_step5_sequential_10", "081234567890", RULES_HP_PLACEHOLDER, NULL},
    {"hp_step5_libphonenumber_example", "0812345678", RULES_HP_PLACEHOLDER,
     NULL},
    {"hp_step5_sequential_6_not_placeholder", "08123456", RULES_HP_INVALID,
     NULL},
    {"hp_step5_not_prefix_too_long", "081234567890123", RULES_HP_INVALID,
     NULL},
    {"hp_step6_landline", "0211234567", RULES_HP_INVALID, NULL},
    {"hp_step6_084_unallocated", "0841234567", RULES_HP_INVALID, NULL},
    {"hp_step6_too_short", "081398765", RULES_HP_INVALID, NULL},
    {"hp_step6_too_long", "08139876543210", RULES_HP_INVALID, NULL},
    {"hp_step6_toll_free", "0800123456", RULES_HP_INVALID, NULL},
    {"hp_step7_shortest", "0813987654", RULES_HP_VALID, NULL},
    {"hp_step7_longest", "0859123456789", RULES_HP_VALID, NULL},
    {"hp_step7_indosat", "08991234567", RULES_HP_VALID, NULL},
};

static void run_hp_case(void **state)
{
    const hp_case *c = *state;
    char norm[64];
    rules_hp_state got =
        rules_hp_state_of(g_j, c->in, strlen(c->in), norm, sizeof norm);
    if (got != c->want)
        fail_msg("%s: '%s' -> %s, want %s", c->name, c->in,
                 rules_hp_state_name(got), rules_hp_state_name(c->want));
    if (c->norm && strcmp(norm, c->norm) != 0)
        fail_msg("%s: normalized '%s', want '%s'", c->name, norm, c->norm);
}

/* ---- whole tickets --------------------------------------------------- */

#define OK_EMAIL "budi.santoso@gmail.com"
#define OK_HP "081398765432"

typedef struct ticket_case {
    const char *name;
    ta_source src;
    const char *type, *media, *email, *hp, *phone, *urgency, *emotion,
        *relation, *notes;
    rules_status status;
    const char *codes;
    int category;         /* -1: not checked */
    const char *evidence; /* substring expected; NULL: not checked */
} ticket_case;

#define T(n, src, type, media, email, hp, phone, urg, emo, rel, notes, st,    \
          codes, cat, ev)                                                     \
    {                                                                         \
        n, src, type, media, email, hp, phone, urg, emo, rel, notes, st,      \
            codes, cat, ev                                                    \
    }

static const ticket_case ticket_cases[] = {
    /* Scope */
    T("scope_media_whatsapp_out", TA_SRC_CRM, "Gangguan", "WhatsApp", "", "",
      "", "", "", "", "", RULES_OUT_OF_SCOPE, "", -1, ""),
    T("scope_media_123_in", TA_SRC_CRM, "Gangguan", "PLN 123", OK_EMAIL, OK_HP,
      "", "", "", "", "", RULES_COMPLIANT, "", -1, NULL),
    T("scope_media_contact_center_in", TA_SRC_CRM, "Gangguan",
      "Contact  Center", OK_EMAIL, OK_HP, "", "", "", "", "", RULES_COMPLIANT,
      "", -1, NULL),
    T("scope_media_call_centre_in", TA_SRC_CRM, "Gangguan", "call centre", "",
      OK_HP, "", "", "", "", "", RULES_VIOLATION, "EMAIL_MISSING", -1, NULL),
    T("scope_media_empty_in", TA_SRC_CRM, "Gangguan", "", "", OK_HP, "", "",
      "", "", "", RULES_VIOLATION, "EMAIL_MISSING", -1, NULL),
    /* Category */
    T("category_gangguan", TA_SRC_APKT, "GANGGUAN TEKNIS", "", OK_EMAIL, OK_HP,
      "", "", "", "", "", RULES_COMPLIANT, "", RULES_CAT_GANGGUAN, NULL),
    T("category_keluhan_pengaduan", TA_SRC_APKT, "Pengaduan tagihan", "",
      OK_EMAIL, OK_HP, "", "", "", "", "", RULES_COMPLIANT, "",
      RULES_CAT_KELUHAN, NULL),
    T("category_keluhan_komplain", TA_SRC_CRM, "komplain", "", OK_EMAIL, OK_HP,
      "", "", "", "", "", RULES_COMPLIANT, "", RULES_CAT_KELUHAN, NULL),
    T("category_informasi_info", TA_SRC_CRM, "Info Tagihan", "", OK_EMAIL,
      OK_HP, "", "", "", "", "", RULES_COMPLIANT, "", RULES_CAT_INFORMASI,
      NULL),
    T("category_informasi_not_infox", TA_SRC_CRM, "Infoxx", "", OK_EMAIL,
      OK_HP, "", "", "", "", "", RULES_COMPLIANT, "", RULES_CAT_UNKNOWN, NULL),
    T("category_niaga_pb", TA_SRC_AP2T, "PB", "", OK_EMAIL, OK_HP, "", "", "",
      "", "", RULES_COMPLIANT, "", RULES_CAT_NIAGA, NULL),
    T("category_niaga_penambahan_daya", TA_SRC_AP2T, "Penambahan Daya", "",
      OK_EMAIL, OK_HP, "", "", "", "", "", RULES_COMPLIANT, "",
      RULES_CAT_NIAGA, NULL),
    T("category_first_match_wins", TA_SRC_CRM, "Keluhan gangguan", "",
      OK_EMAIL, OK_HP, "", "", "", "", "", RULES_COMPLIANT, "",
      RULES_CAT_GANGGUAN, NULL),
    T("category_ap2t_empty_type_niaga", TA_SRC_AP2T, "", "", OK_EMAIL, OK_HP,
      "", "", "", "", "", RULES_COMPLIANT, "", RULES_CAT_NIAGA, NULL),
    T("category_crm_empty_type_unknown", TA_SRC_CRM, "", "", OK_EMAIL, OK_HP,
      "", "", "", "", "", RULES_COMPLIANT, "", RULES_CAT_UNKNOWN, NULL),
    T("category_unmatched_unknown", TA_SRC_APKT, "Lain-lain", "", OK_EMAIL,
      OK_HP, "", "", "", "", "", RULES_COMPLIANT, "", RULES_CAT_UNKNOWN, NULL),
    /* HP in the phone field */
    T("hp_in_phone_field", TA_SRC_CRM, "Gangguan", "", OK_EMAIL, "",
      "0813-9876-5432", "", "", "", "", RULES_VIOLATION, "HP_IN_PHONE_FIELD",
      -1, NULL),
    T("hp_in_phone_field_landline_is_missing", TA_SRC_CRM, "Gangguan", "",
      OK_EMAIL, "", "021-1234567", "", "", "", "", RULES_VIOLATION,
      "HP_MISSING", -1, NULL),
    T("hp_in_phone_field_only_when_hp_empty", TA_SRC_CRM, "Gangguan", "",
      OK_EMAIL, "0211234567", "081398765432", "", "", "", "", RULES_VIOLATION,
      "HP_INVALID", -1, NULL),
    /* EX_URGENT */
    T("ex_urgent_urgency", TA_SRC_APKT, "Gangguan", "", "", "", "", "Urgent",
      "", "", "", RULES_EXEMPT, "EX_URGENT", -1,
      "EX_URGENT: urgency \"Urgent\""),
    T("ex_urgent_urgency_darurat", TA_SRC_APKT, "Keluhan", "", "", "", "",
      "DARURAT", "", "", "", RULES_EXEMPT, "EX_URGENT", -1, NULL),
    T("ex_urgent_negated_tidak_urgent", TA_SRC_APKT, "Gangguan", "", "", "",
      "", "Tidak Urgent", "", "", "", RULES_VIOLATION,
      "EMAIL_MISSING HP_MISSING", -1, NULL),
    T("ex_urgent_negated_non_urgent", TA_SRC_APKT, "Gangguan", "", "", "", "",
      "Non Urgent", "", "", "", RULES_VIOLATION, "EMAIL_MISSING HP_MISSING",
      -1, NULL),
    T("ex_urgent_negated_non_dash", TA_SRC_APKT, "Gangguan", "", "", "", "",
      "non-urgent", "", "", "", RULES_VIOLATION, "EMAIL_MISSING HP_MISSING",
      -1, NULL),
    T("ex_urgent_notes_korsleting", TA_SRC_APKT, "Gangguan", "", "", "", "",
      "", "", "", "ada korsleting di MCB", RULES_EXEMPT, "EX_URGENT", -1,
      "EX_URGENT: notes \"korsleting\""),
    T("ex_urgent_notes_kabel_putus_line_break", TA_SRC_APKT, "Gangguan", "",
      "", "", "", "", "", "", "kabel\r\nputus depan rumah", RULES_EXEMPT,
      "EX_URGENT", -1, "notes \"kabel putus\""),
    T("ex_urgent_notes_negated_tidak_bahaya", TA_SRC_APKT, "Gangguan", "", "",
      "", "", "", "", "", "kondisi tidak bahaya", RULES_VIOLATION,
      "EMAIL_MISSING HP_MISSING", -1, NULL),
    T("ex_urgent_covers_only_gangguan_keluhan", TA_SRC_CRM, "Informasi", "",
      "", "", "", "", "", "", "kebakaran", RULES_VIOLATION,
      "EMAIL_MISSING HP_MISSING", -1, NULL),
    /* EX_ANGRY */
    T("ex_angry_emotion", TA_SRC_CRM, "Informasi", "", "", "", "", "", "Marah",
      "", "", RULES_EXEMPT, "EX_ANGRY", -1, "EX_ANGRY: emotion \"Marah\""),
    T("ex_angry_notes_kecewa", TA_SRC_AP2T, "PB", "", "", "", "", "", "", "",
      "Pelanggan sangat kecewa", RULES_EXEMPT, "EX_ANGRY", -1, NULL),
    T("ex_angry_tidak_marah", TA_SRC_CRM, "Informasi", "", "", "", "", "",
      "tidak marah", "", "", RULES_VIOLATION, "EMAIL_MISSING HP_MISSING", -1,
      NULL),
    T("ex_angry_notes_tdk_kesal", TA_SRC_CRM, "Informasi", "", "", "", "", "",
      "", "", "plg tdk kesal", RULES_VIOLATION, "EMAIL_MISSING HP_MISSING", -1,
      NULL),
    /* EX_NOT_RESPONSIBLE */
    T("ex_not_responsible_tetangga", TA_SRC_APKT, "Gangguan", "", "", "", "",
      "", "", "Tetangga", "", RULES_EXEMPT, "EX_NOT_RESPONSIBLE", -1,
      "EX_NOT_RESPONSIBLE: relation \"Tetangga\""),
    T("ex_not_responsible_bukan_pelanggan", TA_SRC_APKT, "Gangguan", "", "",
      "", "", "", "", "Bukan Pelanggan", "", RULES_EXEMPT,
      "EX_NOT_RESPONSIBLE", -1, NULL),
    T("ex_not_responsible_pelanggan_not_exempt", TA_SRC_APKT, "Gangguan", "",
      "", "", "", "", "", "Pelanggan", "", RULES_VIOLATION,
      "EMAIL_MISSING HP_MISSING", -1, NULL),
    T("ex_not_responsible_penyewa_not_exempt", TA_SRC_CRM, "Gangguan", "", "",
      "", "", "", "", "penyewa", "", RULES_VIOLATION,
      "EMAIL_MISSING HP_MISSING", -1, NULL),
    T("ex_not_responsible_penanggung_jawab", TA_SRC_CRM, "Gangguan", "", "",
      "", "", "", "", "Penanggung  Jawab", "", RULES_VIOLATION,
      "EMAIL_MISSING HP_MISSING", -1, NULL),
    T("ex_not_responsible_ybs_not_exempt", TA_SRC_CRM, "Gangguan", "", "", "",
      "", "", "", "YBS", "", RULES_VIOLATION, "EMAIL_MISSING HP_MISSING", -1,
      NULL),
    T("ex_not_responsible_empty_not_exempt", TA_SRC_CRM, "Gangguan", "", "",
      "", "", "", "", "  ", "", RULES_VIOLATION, "EMAIL_MISSING HP_MISSING",
      -1, NULL),
    /* EX_NO_EMAIL */
    T("ex_no_email_declined", TA_SRC_CRM, "Informasi", "", "tidak punya",
      OK_HP, "", "", "", "", "", RULES_EXEMPT, "EX_NO_EMAIL", -1,
      "EX_NO_EMAIL: email \"tidak punya\""),
    T("ex_no_email_notes", TA_SRC_CRM, "Informasi", "", "", OK_HP, "", "", "",
      "", "Pelanggan tidak punya alamat email", RULES_EXEMPT, "EX_NO_EMAIL",
      -1, "EX_NO_EMAIL: notes \"tidak punya alamat email\""),
    T("ex_no_email_notes_keberatan", TA_SRC_CRM, "Informasi", "", "-", OK_HP,
      "", "", "", "", "keberatan memberikan e-mail", RULES_EXEMPT,
      "EX_NO_EMAIL", -1, NULL),
    T("ex_no_email_does_not_cover_hp", TA_SRC_CRM, "Informasi", "",
      "tidak ada", "", "", "", "", "", "", RULES_VIOLATION, "HP_MISSING", -1,
      NULL),
    T("ex_no_email_beside_valid_email", TA_SRC_CRM, "Informasi", "", OK_EMAIL,
      "", "", "", "marah", "", "tanpa email", RULES_EXEMPT,
      "EX_ANGRY EX_NO_EMAIL", -1, NULL),
    /* Invalid claim */
    T("invalid_claim_urgent_on_niaga", TA_SRC_AP2T, "PB", "", "", OK_HP, "",
      "Urgent", "", "", "", RULES_VIOLATION, "EMAIL_MISSING EXEMPTION_INVALID",
      RULES_CAT_NIAGA, "EXEMPTION_INVALID: urgency \"Urgent\""),
    T("invalid_claim_urgent_on_unknown", TA_SRC_CRM, "Lainnya", "", "", OK_HP,
      "", "darurat", "", "", "", RULES_VIOLATION,
      "EMAIL_MISSING EXEMPTION_INVALID", -1, NULL),
    T("invalid_claim_notes_ignored_on_niaga", TA_SRC_AP2T, "PB", "", "", OK_HP,
      "", "", "", "", "kabel putus", RULES_VIOLATION, "EMAIL_MISSING", -1,
      NULL),
    T("invalid_claim_with_other_exemption_is_exempt", TA_SRC_AP2T, "PD", "",
      "", "", "", "Urgent", "marah", "", "", RULES_EXEMPT, "EX_ANGRY", -1,
      NULL),
    /* Status and codes */
    T("status_precedence_compliant_no_codes", TA_SRC_CRM, "Gangguan", "",
      OK_EMAIL, OK_HP, "", "Urgent", "marah", "tetangga", "", RULES_COMPLIANT,
      "", -1, ""),
    T("status_precedence_exempt_lists_all_valid", TA_SRC_APKT, "Gangguan", "",
      "", "", "", "Urgent", "kesal", "Tetangga", "tidak punya email",
      RULES_EXEMPT, "EX_ANGRY EX_NOT_RESPONSIBLE EX_NO_EMAIL EX_URGENT", -1,
      NULL),
    T("status_precedence_partial_cover_violation", TA_SRC_CRM, "Informasi", "",
      "x", "0812", "", "", "", "", "tanpa email", RULES_VIOLATION,
      "HP_INVALID", -1, NULL),
    T("status_precedence_email_placeholder_hp_valid", TA_SRC_CRM, "Informasi",
      "", "-", OK_HP, "", "", "", "", "", RULES_VIOLATION, "EMAIL_PLACEHOLDER",
      -1, NULL),
    T("codes_sorted", TA_SRC_CRM, "PB", "", "budi@gmial.com", "0878xxxxxxx",
      "", "Urgent", "", "", "", RULES_VIOLATION,
      "EMAIL_INVALID EXEMPTION_INVALID HP_PLACEHOLDER", -1, NULL),
    /* evidence (docs/schema.md): `CODE: field "words"`, the words masked
     * by the one masking rule (mask_text) */
    T("evidence_masks_contacts", TA_SRC_CRM, "Gangguan", "", "", "", "", "",
      "", "tetangga budi@gmail.com 081398765432", "", RULES_EXEMPT,
      "EX_NOT_RESPONSIBLE", -1,
      "EX_NOT_RESPONSIBLE: relation \"tetangga b***@gmail.com "
      "0813****5432\""),
    T("evidence_quote_in_words_becomes_apostrophe", TA_SRC_CRM, "Gangguan", "",
      "", "", "", "", "", "adik \"ipar\"", "", RULES_EXEMPT,
      "EX_NOT_RESPONSIBLE", -1,
      "EX_NOT_RESPONSIBLE: relation \"adik 'ipar'\""),
    T("evidence_many_addresses_bounded", TA_SRC_CRM, "Gangguan", "", "", "",
      "", "", "",
      "a@b a@b a@b a@b a@b a@b a@b a@b a@b a@b a@b a@b a@b a@b a@b a@b",
      "", RULES_EXEMPT, "EX_NOT_RESPONSIBLE", -1,
      "EX_NOT_RESPONSIBLE: relation \"a***@b a***@b"),
    T("evidence_declined_email_as_written", TA_SRC_CRM, "Gangguan", "",
      "tidak punya email", OK_HP, "", "", "", "", "", RULES_EXEMPT,
      "EX_NO_EMAIL", -1, "EX_NO_EMAIL: email \"tidak punya\""),
};

static void fill(rules_ticket *t, ta_field f, const char *s)
{
    t->v[f] = s;
    t->len[f] = s ? strlen(s) : 0;
}

/* Evidence is whole entries `CODE: field "words"` joined by "; ", the
 * words free of '"' (docs/schema.md), so the report can parse it. */
static void assert_evidence_whole(const char *ev)
{
    const char *p = ev;
    while (*p) {
        size_t code = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
        if (code == 0 || strncmp(p + code, ": ", 2) != 0)
            fail_msg("evidence '%s': no code at '%s'", ev, p);
        p += code + 2;
        size_t field = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
        if (field == 0 || strncmp(p + field, " \"", 2) != 0)
            fail_msg("evidence '%s': no field at '%s'", ev, p);
        const char *end = strchr(p + field + 2, '"');
        if (!end)
            fail_msg("evidence '%s': words not closed", ev);
        p = end + 1;
        if (*p && strncmp(p, "; ", 2) != 0)
            fail_msg("evidence '%s': no '; ' at '%s'", ev, p);
        if (*p)
            p += 2;
    }
}

static void run_ticket_case(void **state)
{
    const ticket_case *c = *state;
    rules_ticket t;
    rules_verdict v;
    memset(&t, 0, sizeof t);
    t.source = c->src;
    fill(&t, TA_F_TYPE, c->type);
    fill(&t, TA_F_MEDIA, c->media);
    fill(&t, TA_F_EMAIL, c->email);
    fill(&t, TA_F_HP, c->hp);
    fill(&t, TA_F_PHONE, c->phone);
    fill(&t, TA_F_URGENCY, c->urgency);
    fill(&t, TA_F_EMOTION, c->emotion);
    fill(&t, TA_F_RELATION, c->relation);
    fill(&t, TA_F_NOTES, c->notes);
    assert_int_equal(rules_judge_ticket(g_j, &t, &v), TA_OK);
    if (v.status != c->status || strcmp(v.codes, c->codes) != 0)
        fail_msg("%s: %s [%s], want %s [%s] (evidence: %s)", c->name,
                 rules_status_name(v.status), v.codes,
                 rules_status_name(c->status), c->codes, v.evidence);
    if (c->category >= 0 && (int)v.category != c->category)
        fail_msg("%s: category %s, want %s", c->name,
                 rules_category_name(v.category),
                 rules_category_name((rules_category)c->category));
    assert_evidence_whole(v.evidence);
    if (c->evidence &&
        !(c->evidence[0] ? strstr(v.evidence, c->evidence) != NULL
                         : v.evidence[0] == '\0'))
        fail_msg("%s: evidence '%s', want '%s'", c->name, v.evidence,
                 c->evidence);
}

/* ---- single tests ---------------------------------------------------- */

/* The judge does not keep fields of the previous ticket. */
static void judge_no_leak_between_tickets(void **state)
{
    rules_ticket t;
    rules_verdict v;
    (void)state;
    memset(&t, 0, sizeof t);
    t.source = TA_SRC_CRM;
    t.v[TA_F_EMAIL] = OK_EMAIL; /* len 0 with v set: a C string */
    t.v[TA_F_HP] = OK_HP;
    assert_int_equal(rules_judge_ticket(g_j, &t, &v), TA_OK);
    assert_int_equal(v.status, RULES_COMPLIANT);
    memset(&t, 0, sizeof t);
    assert_int_equal(rules_judge_ticket(g_j, &t, &v), TA_OK);
    assert_int_equal(v.status, RULES_VIOLATION);
    assert_string_equal(v.codes, "EMAIL_MISSING HP_MISSING");
}

/* Fields of 100,000 bytes everywhere: judged whole, safely. */
static void judge_long_fields(void **state)
{
    size_t n = 100000;
    char *big = malloc(n + 1);
    rules_ticket t;
    rules_verdict v;
    (void)state;
    assert_non_null(big);
    memset(big, 'a', n);
    memcpy(big + 50, " marah ", 7);
    big[n] = '\0';
    memset(&t, 0, sizeof t);
    t.source = TA_SRC_CRM;
    fill(&t, TA_F_NOTES, big);
    fill(&t, TA_F_EMAIL, big);
    fill(&t, TA_F_HP, big);
    fill(&t, TA_F_RELATION, big);
    assert_int_equal(rules_judge_ticket(g_j, &t, &v), TA_OK);
    assert_int_equal(v.status, RULES_EXEMPT);
    assert_true(strlen(v.evidence) < RULES_EVIDENCE_MAX);
    assert_evidence_whole(v.evidence);
    free(big);
}

/* Random bytes (NUL, CR, high bytes included) in every field: no crash,
 * no sanitizer report, codes and evidence terminated. */
static void judge_random_bytes(void **state)
{
    static char buf[TA_F_COUNT][300];
    static const char alphabet[] = "aAxX*@.,;/ -+0123456789\r\n\t\0\xc3\xa9"
                                   "()#tidak marah urgent 62 08";
    uint32_t seed = 12345;
    rules_ticket t;
    rules_verdict v;
    (void)state;
    for (int round = 0; round < 3000; round++) {
        memset(&t, 0, sizeof t);
        t.source = (ta_source)(round % 3);
        for (int f = 0; f < TA_F_COUNT; f++) {
            seed = seed * 1103515245u + 12345u;
            size_t n = (seed >> 16) % sizeof buf[f];
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                buf[f][i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
            }
            t.v[f] = n ? buf[f] : NULL;
            t.len[f] = n;
        }
        assert_int_equal(rules_judge_ticket(g_j, &t, &v), TA_OK);
        assert_true(strlen(v.codes) < RULES_CODES_MAX);
        assert_true(strlen(v.evidence) < RULES_EVIDENCE_MAX);
        assert_evidence_whole(v.evidence);
        assert_true(v.status <= RULES_OUT_OF_SCOPE);
    }
}

static void state_names(void **state)
{
    (void)state;
    assert_string_equal(rules_email_state_name(RULES_EMAIL_DECLINED),
                        "declined");
    assert_string_equal(rules_hp_state_name(RULES_HP_IN_PHONE_FIELD),
                        "HP_IN_PHONE_FIELD");
    assert_string_equal(rules_status_name(RULES_OUT_OF_SCOPE), "out_of_scope");
    assert_string_equal(rules_category_name(RULES_CAT_UNKNOWN), "unknown");
}

/* ---- is_email conformance -------------------------------------------- */

typedef struct isemail_case {
    const char *set, *id, *addr;
    size_t len;
    int is_err;
} isemail_case;

static const isemail_case isemail_cases[] = {
#include "conformance/isemail_cases.inc"
};

/* Every ISEMAIL_ERR / err* address fails email step 4, including
 * "test@iana.org\n" (the pattern ends in \z, not $). */
static void conformance_isemail_err_rejected(void **state)
{
    size_t errs = 0;
    (void)state;
    for (size_t i = 0; i < sizeof isemail_cases / sizeof isemail_cases[0];
         i++) {
        const isemail_case *c = &isemail_cases[i];
        if (!c->is_err)
            continue;
        errs++;
        if (rules_email_address_ok(g_j, c->addr, c->len))
            fail_msg("%s #%s: ISEMAIL_ERR address accepted", c->set, c->id);
    }
    assert_int_equal(errs, 66 + 88 + 91);
}

static void conformance_isemail_plain_valid_accepted(void **state)
{
    static const char *const ok[] = {"test@iana.org", "a@iana.org",
                                     "test.test@iana.org",
                                     "test@nominet.org.uk"};
    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_true(rules_email_address_ok(g_j, ok[i], strlen(ok[i])));
    assert_false(rules_email_address_ok(g_j, "test@iana.org\n", 14));
}

/* ---- the rules file -------------------------------------------------- */

static void rules_file_default_loads(void **state)
{
    (void)state;
    assert_string_equal(rules_fingerprint(g_rs), "default");
    assert_int_equal(rules_reused_min_customers(g_rs), 5);
    assert_true(rules_outlier_mad_factor(g_rs) == 3.0);
    assert_int_equal(rules_outlier_min_tickets(g_rs), 30);
    assert_non_null(strstr(rules_default_text(), "[exemptions]"));
}

/* Loads text written to a temporary file; returns the status. */
static ta_status load_text(const char *text, rules **out, char *err,
                           size_t errlen, char *path, size_t pathlen)
{
    char dir[256];
    assert_int_equal(tu_tmpdir(dir, sizeof dir), 0);
    snprintf(path, pathlen, "%s/t.rules", dir);
    assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
    ta_status st = rules_load(path, out, err, errlen);
    remove(path);
    tu_rmtree(dir);
    return st;
}

static void rules_file_replaces_one_key(void **state)
{
    char err[512], path[300], fp[65];
    rules *rs = NULL;
    (void)state;
    assert_int_equal(load_text("# only what changes\n[signals]\n"
                               "reused_min_customers = 7\n"
                               "[email]\nown_domains = pln.co.id | plnx.id\n",
                               &rs, err, sizeof err, path, sizeof path),
                     TA_OK);
    assert_int_equal(rules_reused_min_customers(rs), 7);
    assert_int_equal(rules_outlier_min_tickets(rs), 30);
    snprintf(fp, sizeof fp, "%s", rules_fingerprint(rs));
    assert_int_equal(strlen(fp), 64);
    assert_int_equal(strspn(fp, "0123456789abcdef"), 64);
    rules_judge *j = rules_judge_new(rs);
    assert_non_null(j);
    assert_int_equal(rules_email_state_of(j, "a.b@plnx.id", 11),
                     RULES_EMAIL_PLACEHOLDER);
    assert_int_equal(rules_hp_state_of(j, "081398765432", 12, NULL, 0),
                     RULES_HP_VALID);
    rules_judge_free(j);
    rules_free(rs);
}

/* {NEG} takes the neg of the file even when only neg changes. */
static void rules_file_neg_override(void **state)
{
    char err[512], path[300];
    rules *rs = NULL;
    rules_ticket t;
    rules_verdict v;
    (void)state;
    assert_int_equal(load_text("[exemptions]\nneg = (?<!\\bsedikit )\n", &rs,
                               err, sizeof err, path, sizeof path),
                     TA_OK);
    rules_judge *j = rules_judge_new(rs);
    memset(&t, 0, sizeof t);
    t.source = TA_SRC_CRM;
    fill(&t, TA_F_EMOTION, "sedikit marah");
    assert_int_equal(rules_judge_ticket(j, &t, &v), TA_OK);
    assert_int_equal(v.status, RULES_VIOLATION);
    fill(&t, TA_F_EMOTION, "tidak marah"); /* no longer negated */
    assert_int_equal(rules_judge_ticket(j, &t, &v), TA_OK);
    assert_int_equal(v.status, RULES_EXEMPT);
    rules_judge_free(j);
    rules_free(rs);
}

/* BOM, comments, '#' inside a value, repeated key (last wins), empty
 * list, keys and sections in any case. */
static void rules_file_syntax_details(void **state)
{
    char err[512], path[300];
    rules *rs = NULL;
    (void)state;
    assert_int_equal(load_text("\xEF\xBB\xBF# comment\n\n  # indented "
                               "comment\n[SIGNALS]\n"
                               "Reused_Min_Customers = 9\n"
                               "reused_min_customers = 6\n"
                               "[hp]\nplaceholders =\n"
                               "[email]\nplaceholders = a#b | tidak ada \n",
                               &rs, err, sizeof err, path, sizeof path),
                     TA_OK);
    assert_int_equal(rules_reused_min_customers(rs), 6);
    rules_judge *j = rules_judge_new(rs);
    assert_int_equal(rules_hp_state_of(j, "-", 1, NULL, 0), RULES_HP_INVALID);
    assert_int_equal(rules_email_state_of(j, "A#B", 3),
                     RULES_EMAIL_PLACEHOLDER);
    rules_judge_free(j);
    rules_free(rs);
}

typedef struct bad_case {
    const char *name, *fixture;
    int line;
    const char *needle, *needle2;
} bad_case;

static const bad_case bad_cases[] = {
    {"rules_file_malformed_line", "tests/rules/malformed.rules", 4,
     "malformed line", NULL},
    {"rules_file_unknown_key", "tests/rules/unknown_key.rules", 3,
     "unknown key 'placeholdrs'", NULL},
    {"rules_file_unknown_section", "tests/rules/unknown_section.rules", 2,
     "unknown section [emails]", NULL},
    {"rules_file_bad_pattern", "tests/rules/bad_pattern.rules", 5,
     "missing closing parenthesis", "offset"},
    {"rules_file_bad_pattern_after_neg", "tests/rules/bad_neg.rules", 3,
     "lookbehind", "offset"},
    {"rules_file_bad_number", "tests/rules/bad_number.rules", 2,
     "bad number 'lima'", NULL},
    {"rules_file_key_outside_section", "tests/rules/no_section.rules", 1,
     "outside any [section]", NULL},
};

static void run_bad_case(void **state)
{
    const bad_case *c = *state;
    char path[512], err[512], want[600];
    rules *rs = NULL;
    tu_path(path, sizeof path, c->fixture);
    assert_int_equal(rules_load(path, &rs, err, sizeof err), TA_E_DATA);
    assert_null(rs);
    snprintf(want, sizeof want, "%s:%d: ", path, c->line);
    if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, c->needle) ||
        (c->needle2 && !strstr(err, c->needle2)))
        fail_msg("%s: message '%s', want '%s...%s'", c->name, err, want,
                 c->needle);
}

static void rules_file_missing(void **state)
{
    char err[512];
    rules *rs = NULL;
    (void)state;
    assert_int_equal(
        rules_load("/nonexistent/dir/x.rules", &rs, err, sizeof err),
        TA_E_NOINPUT);
    assert_null(rs);
    assert_non_null(strstr(err, "/nonexistent/dir/x.rules"));
}

static void rules_file_default_copy_loads(void **state)
{
    char path[512], err[512];
    rules *rs = NULL;
    (void)state;
    tu_path(path, sizeof path, "rules/default.rules");
    assert_int_equal(rules_load(path, &rs, err, sizeof err), TA_OK);
    assert_int_equal(strlen(rules_fingerprint(rs)), 64);
    rules_free(rs);
}

/* ---- column names ---------------------------------------------------- */

static int norm_field(ta_source src, const char *name)
{
    char n[128];
    rules_normalize_header(name, strlen(name), n, sizeof n);
    return rules_column_field(g_rs, src, n);
}

static void columns_normalize(void **state)
{
    char n[64];
    (void)state;
    static const char *const same[] = {"Telp. Rumah", "telp rumah",
                                       "TELP_RUMAH", " Telp-Rumah: "};
    for (size_t i = 0; i < 4; i++) {
        rules_normalize_header(same[i], strlen(same[i]), n, sizeof n);
        assert_string_equal(n, "telprumah");
    }
    rules_normalize_header("HP *", 4, n, sizeof n);
    assert_string_equal(n, "hp");
    rules_normalize_header("E-mail", 6, n, sizeof n);
    assert_string_equal(n, "email");
    rules_normalize_header("Nama\tCSO\r\n", 10, n, sizeof n);
    assert_string_equal(n, "namacso");
    rules_normalize_header("ID\xc2\xa0Tiket", 9, n, sizeof n); /* NBSP */
    assert_string_equal(n, "idtiket");
    rules_normalize_header("abcdef", 6, n, 4); /* truncated, terminated */
    assert_string_equal(n, "abc");
}

static void columns_lookup_per_source(void **state)
{
    (void)state;
    assert_int_equal(norm_field(TA_SRC_CRM, "HP"), TA_F_HP);
    assert_int_equal(norm_field(TA_SRC_CRM, "Telp. Rumah"), TA_F_PHONE);
    assert_int_equal(norm_field(TA_SRC_CRM, "Tiket CRM"), TA_F_TICKET_ID);
    assert_int_equal(norm_field(TA_SRC_APKT, "Tiket CRM"), TA_F_CRM_TICKET);
    assert_int_equal(norm_field(TA_SRC_APKT, "HP Pelapor"), TA_F_HP);
    assert_int_equal(norm_field(TA_SRC_APKT, "Email Pelapor"), TA_F_EMAIL);
    assert_int_equal(norm_field(TA_SRC_APKT, "Email"), -1);
    assert_int_equal(norm_field(TA_SRC_AP2T, "Hp"), TA_F_HP);
    assert_int_equal(norm_field(TA_SRC_AP2T, "Jenis Permohonan"), TA_F_TYPE);
    assert_int_equal(norm_field(TA_SRC_AP2T, "No Agenda"), TA_F_TICKET_ID);
    assert_int_equal(norm_field(TA_SRC_CRM, "Resume"), TA_F_NOTES);
    assert_int_equal(norm_field(TA_SRC_APKT, "Nama CSO"), TA_F_CSO);
    assert_int_equal(norm_field(TA_SRC_AP2T, "Dibuat Oleh"), TA_F_CSO);
    assert_int_equal(norm_field(TA_SRC_CRM, "ID Pelanggan"), TA_F_IDPEL);
    assert_int_equal(norm_field(TA_SRC_CRM, "Id Caller"), -1);
    assert_int_equal(norm_field(TA_SRC_NONE, "Media"), TA_F_MEDIA);
}

static void columns_known(void **state)
{
    (void)state;
    assert_true(rules_is_known_column(g_rs, "hppelapor"));
    assert_true(rules_is_known_column(g_rs, "noagenda"));
    assert_true(rules_is_known_column(g_rs, "kategori"));
    assert_true(rules_is_known_column(g_rs, "channel"));
    assert_false(rules_is_known_column(g_rs, "idcaller"));
    assert_false(rules_is_known_column(g_rs, ""));
}

static void detect_source_order(void **state)
{
    (void)state;
    const char *apkt[] = {"tiketcrm", "nolaporan", "resume"};
    const char *apkt2[] = {"idtiket", "hppelapor"};
    const char *ap2t[] = {"nama", "jenispermohonan", "resume"};
    const char *crm[] = {"idtiket", "email", "hp"};
    const char *crm2[] = {"resume"};
    const char *none[] = {"email", "hp", "nama"};
    assert_int_equal(rules_detect_source(g_rs, apkt, 3), TA_SRC_APKT);
    assert_int_equal(rules_detect_source(g_rs, apkt2, 2), TA_SRC_APKT);
    assert_int_equal(rules_detect_source(g_rs, ap2t, 3), TA_SRC_AP2T);
    assert_int_equal(rules_detect_source(g_rs, crm, 3), TA_SRC_CRM);
    assert_int_equal(rules_detect_source(g_rs, crm2, 1), TA_SRC_CRM);
    assert_int_equal(rules_detect_source(g_rs, none, 3), TA_SRC_NONE);
}

/* A column name added by a rules file is normalized like a header. */
static void columns_from_rules_file(void **state)
{
    char err[512], path[300];
    rules *rs = NULL;
    (void)state;
    assert_int_equal(load_text("[columns.crm]\nhp = No. HP | HP_Pelanggan\n",
                               &rs, err, sizeof err, path, sizeof path),
                     TA_OK);
    assert_int_equal(rules_column_field(rs, TA_SRC_CRM, "hppelanggan"),
                     TA_F_HP);
    assert_int_equal(rules_column_field(rs, TA_SRC_CRM, "nohp"), TA_F_HP);
    assert_int_equal(rules_column_field(rs, TA_SRC_CRM, "handphone"), -1);
    rules_free(rs);
}


/* ---- SPEC §4: patterns apply to the whole field, however long -------- */

/* A ticket that is not compliant (so exemptions are looked for): no
 * email, a valid HP. */
static void noncompliant(rules_ticket *t)
{
    memset(t, 0, sizeof *t);
    t->source = TA_SRC_CRM;
    fill(t, TA_F_HP, OK_HP);
    fill(t, TA_F_TYPE, "Gangguan");
}

/* Filler of n bytes of ordinary words (no exemption word, nobody
 * responsible), then tail. */
static char *filler_then(size_t n, const char *tail)
{
    size_t tl = strlen(tail);
    char *s = malloc(n + tl + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = "warga menelepon soal tagihan listrik "[i % 37];
    memcpy(s + n, tail, tl + 1);
    return s;
}

/* issue 13: only the first 8,191 bytes of the notes were judged, so the
 * words of a pasted chat transcript that come late counted for nothing. */
static void rules4_whole_field_notes_exemption_late(void **state)
{
    (void)state;
    static const size_t at[] = {8190, 8191, 8192, 20000, 1000000};
    for (size_t i = 0; i < COUNT_OF(at); i++) {
        char *notes = filler_then(at[i], " lalu pelanggan marah sekali");
        rules_ticket t;
        rules_verdict v;
        noncompliant(&t);
        fill(&t, TA_F_NOTES, notes);
        assert_int_equal(rules_judge_ticket(g_j, &t, &v), TA_OK);
        if (v.status != RULES_EXEMPT || strcmp(v.codes, "EX_ANGRY") != 0)
            fail_msg("notes with 'marah' after %zu bytes: %s [%s]", at[i],
                     rules_status_name(v.status), v.codes);
        assert_non_null(strstr(v.evidence, "EX_ANGRY: notes \"marah\""));
        /* ... and the negation guard still applies there */
        free(notes);
        notes = filler_then(at[i], " pelanggan tidak marah");
        fill(&t, TA_F_NOTES, notes);
        assert_int_equal(rules_judge_ticket(g_j, &t, &v), TA_OK);
        assert_int_equal(v.status, RULES_VIOLATION);
        free(notes);
    }
}

/* issue 13: a relation field longer than 1,023 bytes was judged on its
 * start, so "... pemilik" at its end gave a false EX_NOT_RESPONSIBLE. */
static void rules4_whole_field_relation_no_false_not_responsible(void **state)
{
    (void)state;
    char *rel = filler_then(5000, " yaitu pemilik rumah");
    rules_ticket t;
    rules_verdict v;
    noncompliant(&t);
    fill(&t, TA_F_RELATION, rel);
    assert_int_equal(rules_judge_ticket(g_j, &t, &v), TA_OK);
    assert_int_equal(v.status, RULES_VIOLATION);
    assert_string_equal(v.codes, "EMAIL_MISSING");
    free(rel);
    /* one that names nobody responsible, however long, is exempt */
    rel = filler_then(5000, " tetangga");
    fill(&t, TA_F_RELATION, rel);
    assert_int_equal(rules_judge_ticket(g_j, &t, &v), TA_OK);
    assert_int_equal(v.status, RULES_EXEMPT);
    assert_string_equal(v.codes, "EX_NOT_RESPONSIBLE");
    free(rel);
}

/* Long email and HP fields: white space collapsed first, then the whole
 * field judged (a placeholder 'x' after 2,000 bytes still counts). */
static void rules4_whole_field_email_hp(void **state)
{
    (void)state;
    size_t n = 3000;
    char *hp = malloc(n + 32), *em = malloc(n + 32);
    assert_non_null(hp);
    assert_non_null(em);
    memset(hp, ' ', n);
    memcpy(hp + n, "0812-3456-7891", 15);
    memset(em, ' ', n);
    memcpy(em + n, "budi@gmail.com", 15);
    rules_ticket t;
    rules_verdict v;
    memset(&t, 0, sizeof t);
    t.source = TA_SRC_CRM;
    fill(&t, TA_F_HP, hp);
    fill(&t, TA_F_EMAIL, em);
    assert_int_equal(rules_judge_ticket(g_j, &t, &v), TA_OK);
    assert_int_equal(v.status, RULES_COMPLIANT);
    assert_string_equal(v.hp_norm, "081234567891");
    memset(hp, '1', n);
    memcpy(hp + n, "x", 2);
    fill(&t, TA_F_HP, hp);
    assert_int_equal(rules_judge_ticket(g_j, &t, &v), TA_OK);
    assert_int_equal(v.hp, RULES_HP_PLACEHOLDER);
    assert_int_equal(rules_hp_state_of(g_j, hp, strlen(hp), NULL, 0),
                     RULES_HP_PLACEHOLDER);
    free(hp);
    free(em);
}

/* The judge's scratch grows with the longest ticket and is then reused:
 * no allocation per ticket in the steady state. */
static void rules4_no_allocation_per_ticket(void **state)
{
    (void)state;
    rules_judge *j = rules_judge_new(g_rs);
    assert_non_null(j);
    char *notes = filler_then(100000, " marah");
    rules_ticket t;
    rules_verdict v;
    noncompliant(&t);
    fill(&t, TA_F_NOTES, notes);
    assert_int_equal(rules_judge_ticket(j, &t, &v), TA_OK);
    alloc_fail_at(0);
    unsigned long before = alloc_count();
    for (int i = 0; i < 1000; i++) {
        fill(&t, TA_F_NOTES, notes + (i * 97) % 90000);
        assert_int_equal(rules_judge_ticket(j, &t, &v), TA_OK);
    }
    assert_int_equal(alloc_count(), before);
    /* memory that cannot grow is an error, not a truncated judgement */
    char *longer = filler_then(400000, " marah");
    fill(&t, TA_F_NOTES, longer);
    alloc_fail_at(1);
    assert_int_equal(rules_judge_ticket(j, &t, &v), TA_E_NOMEM);
    alloc_fail_at(0);
    assert_non_null(strstr(rules_judge_errmsg(j), "out of memory"));
    assert_int_equal(rules_judge_ticket(j, &t, &v), TA_OK);
    assert_int_equal(v.status, RULES_EXEMPT);
    free(longer);
    free(notes);
    rules_judge_free(j);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SPEC §4 and issue 14: a pattern PCRE2 cannot finish on a field is an
 * error naming the rules key (and where it was set) and the field, never
 * a non-match; the limits make it fail in well under a second. */
static void rules4_pattern_cannot_finish_is_an_error(void **state)
{
    char err[512], path[300];
    rules *rs = NULL;
    (void)state;
    assert_int_equal(load_text("[exemptions]\n# a user's pattern\n"
                               "angry_notes = (\\w+\\s?)+$\n",
                               &rs, err, sizeof err, path, sizeof path),
                     TA_OK);
    rules_judge *j = rules_judge_new(rs);
    assert_non_null(j);
    /* words, then a character that makes the end anchor fail */
    char *notes = filler_then(20000, " !");
    rules_ticket t;
    rules_verdict v;
    noncompliant(&t);
    fill(&t, TA_F_NOTES, notes);
    double t0 = now_s();
    assert_int_equal(rules_judge_ticket(j, &t, &v), TA_E_DATA);
    double took = now_s() - t0;
    if (took > 1.0)
        fail_msg("a catastrophic pattern took %.2f s on one field", took);
    const char *m = rules_judge_errmsg(j);
    assert_non_null(strstr(m, "[exemptions] angry_notes"));
    assert_non_null(strstr(m, "t.rules:3"));
    assert_non_null(strstr(m, "notes field"));
    assert_non_null(strstr(m, "limit"));
    assert_int_equal(rules_judge_errfield(j), TA_F_NOTES);
    /* the judge is usable again: a short field finishes */
    fill(&t, TA_F_NOTES, "pelanggan marah");
    assert_int_equal(rules_judge_ticket(j, &t, &v), TA_OK);
    assert_int_equal(v.status, RULES_EXEMPT);
    free(notes);
    rules_judge_free(j);
    rules_free(rs);
}

/* Every limit a pattern can reach is an error: match limit (backtracking
 * without end), and a pattern whose recursion outgrows the JIT stack or,
 * without JIT, the heap limit. */
static void rules4_every_limit_is_an_error(void **state)
{
    char err[512], path[300];
    rules *rs = NULL;
    (void)state;
    assert_int_equal(load_text("[scope]\nmedia = (a|b|c|\\s|\\w)*z\n", &rs,
                               err, sizeof err, path, sizeof path),
                     TA_OK);
    rules_judge *j = rules_judge_new(rs);
    assert_non_null(j);
    size_t n = 4u << 20;
    char *media = malloc(n + 1);
    assert_non_null(media);
    for (size_t i = 0; i < n; i++)
        media[i] = "abc "[i % 4];
    media[n] = '\0';
    rules_ticket t;
    rules_verdict v;
    memset(&t, 0, sizeof t);
    t.source = TA_SRC_CRM;
    fill(&t, TA_F_MEDIA, media);
    assert_int_equal(rules_judge_ticket(j, &t, &v), TA_E_DATA);
    assert_non_null(strstr(rules_judge_errmsg(j), "[scope] media"));
    assert_non_null(strstr(rules_judge_errmsg(j), "media field"));
    assert_int_equal(rules_judge_errfield(j), TA_F_MEDIA);
    free(media);
    rules_judge_free(j);
    rules_free(rs);
}

/* The default rules finish on a field of 16 MiB (the longest row), in
 * every field a pattern reads. */
static void rules4_default_rules_finish_on_16_mib(void **state)
{
    (void)state;
    char *big = filler_then(((size_t)16 << 20) - 64, " tidak punya email");
    static const ta_field fields[] = {TA_F_NOTES, TA_F_RELATION,
                                      TA_F_URGENCY, TA_F_EMOTION, TA_F_TYPE,
                                      TA_F_MEDIA, TA_F_EMAIL};
    for (size_t i = 0; i < COUNT_OF(fields); i++) {
        rules_ticket t;
        rules_verdict v;
        noncompliant(&t);
        fill(&t, fields[i], big);
        if (rules_judge_ticket(g_j, &t, &v) != TA_OK)
            fail_msg("%s of 16 MiB: %s", ta_field_name(fields[i]),
                     rules_judge_errmsg(g_j));
    }
    rules_ticket t;
    rules_verdict v;
    noncompliant(&t);
    fill(&t, TA_F_NOTES, big);
    assert_int_equal(rules_judge_ticket(g_j, &t, &v), TA_OK);
    assert_int_equal(v.status, RULES_EXEMPT);
    assert_string_equal(v.codes, "EX_NO_EMAIL");
    free(big);
}

/* ---- SPEC §3: every column name of its tables ------------------------ */

typedef struct spec_name {
    ta_source src; /* TA_SRC_NONE: the table "the same for every source" */
    ta_field field;
    const char *name;
} spec_name;

/* SPEC §3 "Canonical fields and default names", both tables, row by row:
 * each name must map to its field in the default rules. */
static const spec_name spec_names[] = {
    {TA_SRC_CRM, TA_F_TICKET_ID, "ID Tiket"},
    {TA_SRC_CRM, TA_F_TICKET_ID, "No Tiket"},
    {TA_SRC_CRM, TA_F_TICKET_ID, "Tiket CRM"},
    {TA_SRC_CRM, TA_F_TICKET_ID, "Ticket ID"},
    {TA_SRC_APKT, TA_F_TICKET_ID, "No Laporan"},
    {TA_SRC_APKT, TA_F_TICKET_ID, "No Lapor"},
    {TA_SRC_APKT, TA_F_TICKET_ID, "ID Laporan"},
    {TA_SRC_AP2T, TA_F_TICKET_ID, "No Agenda"},
    {TA_SRC_AP2T, TA_F_TICKET_ID, "No Permohonan"},
    {TA_SRC_AP2T, TA_F_TICKET_ID, "ID Permohonan"},
    {TA_SRC_APKT, TA_F_CRM_TICKET, "Tiket CRM"},
    {TA_SRC_CRM, TA_F_DATE, "Tanggal"},
    {TA_SRC_CRM, TA_F_DATE, "Tgl"},
    {TA_SRC_CRM, TA_F_DATE, "Tanggal Transaksi"},
    {TA_SRC_CRM, TA_F_DATE, "Waktu"},
    {TA_SRC_APKT, TA_F_DATE, "Tgl Lapor"},
    {TA_SRC_APKT, TA_F_DATE, "Tgl/Jam Lapor"},
    {TA_SRC_APKT, TA_F_DATE, "Tanggal Lapor"},
    {TA_SRC_APKT, TA_F_DATE, "Tanggal"},
    {TA_SRC_APKT, TA_F_DATE, "Waktu Lapor"},
    {TA_SRC_AP2T, TA_F_DATE, "Tgl Mohon"},
    {TA_SRC_AP2T, TA_F_DATE, "Tanggal Permohonan"},
    {TA_SRC_AP2T, TA_F_DATE, "Tanggal"},
    {TA_SRC_CRM, TA_F_TYPE, "Jenis Transaksi"},
    {TA_SRC_CRM, TA_F_TYPE, "Kategori"},
    {TA_SRC_APKT, TA_F_TYPE, "Jenis Laporan"},
    {TA_SRC_APKT, TA_F_TYPE, "Jenis"},
    {TA_SRC_AP2T, TA_F_TYPE, "Jenis Permohonan"},
    {TA_SRC_AP2T, TA_F_TYPE, "Jenis"},
    {TA_SRC_CRM, TA_F_NAME, "Nama"},
    {TA_SRC_APKT, TA_F_NAME, "Nama Pelapor"},
    {TA_SRC_AP2T, TA_F_NAME, "Nama"},
    {TA_SRC_AP2T, TA_F_NAME, "Nama Pemohon"},
    {TA_SRC_CRM, TA_F_EMAIL, "Email"},
    {TA_SRC_CRM, TA_F_EMAIL, "Alamat Email"},
    {TA_SRC_APKT, TA_F_EMAIL, "Email Pelapor"},
    {TA_SRC_AP2T, TA_F_EMAIL, "Email"},
    {TA_SRC_CRM, TA_F_HP, "HP"},
    {TA_SRC_CRM, TA_F_HP, "No HP"},
    {TA_SRC_CRM, TA_F_HP, "Handphone"},
    {TA_SRC_CRM, TA_F_HP, "Nomor HP"},
    {TA_SRC_APKT, TA_F_HP, "HP Pelapor"},
    {TA_SRC_AP2T, TA_F_HP, "Hp"},
    {TA_SRC_AP2T, TA_F_HP, "No HP"},
    {TA_SRC_CRM, TA_F_PHONE, "Telp Rumah"},
    {TA_SRC_CRM, TA_F_PHONE, "Telepon"},
    {TA_SRC_CRM, TA_F_PHONE, "No Telepon"},
    {TA_SRC_APKT, TA_F_PHONE, "Telepon Pelapor"},
    {TA_SRC_APKT, TA_F_PHONE, "No Telp Pelapor"},
    {TA_SRC_AP2T, TA_F_PHONE, "Telepon"},
    {TA_SRC_NONE, TA_F_CSO, "CSO"},
    {TA_SRC_NONE, TA_F_CSO, "Petugas"},
    {TA_SRC_NONE, TA_F_CSO, "Nama CSO"},
    {TA_SRC_NONE, TA_F_CSO, "User"},
    {TA_SRC_NONE, TA_F_CSO, "User Input"},
    {TA_SRC_NONE, TA_F_CSO, "Agent"},
    {TA_SRC_NONE, TA_F_CSO, "Dibuat Oleh"},
    {TA_SRC_NONE, TA_F_URGENCY, "Prioritas"},
    {TA_SRC_NONE, TA_F_URGENCY, "Urgensi"},
    {TA_SRC_NONE, TA_F_URGENCY, "Tingkat Urgensi"},
    {TA_SRC_NONE, TA_F_URGENCY, "Sifat"},
    {TA_SRC_NONE, TA_F_EMOTION, "Emosi Pelanggan"},
    {TA_SRC_NONE, TA_F_EMOTION, "Emosi"},
    {TA_SRC_NONE, TA_F_EMOTION, "Sentimen"},
    {TA_SRC_NONE, TA_F_EMOTION, "Kondisi Pelanggan"},
    {TA_SRC_NONE, TA_F_RELATION, "Hubungan Pelapor"},
    {TA_SRC_NONE, TA_F_RELATION, "Status Pelapor"},
    {TA_SRC_NONE, TA_F_RELATION, "Hubungan"},
    {TA_SRC_NONE, TA_F_RELATION, "Hubungan Pemohon"},
    {TA_SRC_NONE, TA_F_RELATION, "Status Pemohon"},
    {TA_SRC_NONE, TA_F_IDPEL, "ID Pelanggan"},
    {TA_SRC_NONE, TA_F_IDPEL, "IDPEL"},
    {TA_SRC_NONE, TA_F_IDPEL, "Id Pel"},
    {TA_SRC_NONE, TA_F_IDPEL, "IDPEL/No Meter"},
    {TA_SRC_NONE, TA_F_NOTES, "Resume"},
    {TA_SRC_NONE, TA_F_NOTES, "Keterangan"},
    {TA_SRC_NONE, TA_F_NOTES, "Catatan"},
    {TA_SRC_NONE, TA_F_NOTES, "Uraian"},
    {TA_SRC_NONE, TA_F_NOTES, "Isi Laporan"},
    {TA_SRC_NONE, TA_F_NOTES, "Keterangan Pelapor"},
    {TA_SRC_NONE, TA_F_MEDIA, "Media"},
    {TA_SRC_NONE, TA_F_MEDIA, "Channel"},
    {TA_SRC_NONE, TA_F_MEDIA, "Sumber Lapor"},
};

/* SPEC §3's two tables in the default rules; a common name is a field in
 * every source, and each is known (it scores for the header). */
static void spec3_every_table_name_in_default_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT_OF(spec_names); i++) {
        const spec_name *c = &spec_names[i];
        char n[64];
        rules_normalize_header(c->name, strlen(c->name), n, sizeof n);
        if (!rules_is_known_column(g_rs, n))
            fail_msg("'%s' is not a known column name", c->name);
        for (int src = 0; src < TA_SRC_COUNT; src++) {
            if (c->src != TA_SRC_NONE && c->src != src)
                continue;
            int got = rules_column_field(g_rs, (ta_source)src, n);
            if (got != (int)c->field)
                fail_msg("'%s' in %s: field %d, want %s", c->name,
                         ta_source_name((ta_source)src), got,
                         ta_field_name(c->field));
        }
    }
}

/* SPEC §3 "Source detection", every name, and the written forms. */
static void spec3_source_detection_names(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        ta_source src;
    } t[] = {
        {"No Laporan", TA_SRC_APKT},      {"No Lapor", TA_SRC_APKT},
        {"HP Pelapor", TA_SRC_APKT},      {"No Agenda", TA_SRC_AP2T},
        {"Jenis Permohonan", TA_SRC_AP2T}, {"ID Tiket", TA_SRC_CRM},
        {"Resume", TA_SRC_CRM},           {"NO. LAPOR", TA_SRC_APKT},
        {"no_lapor", TA_SRC_APKT},
    };
    for (size_t i = 0; i < COUNT_OF(t); i++) {
        char n[64];
        rules_normalize_header(t[i].name, strlen(t[i].name), n, sizeof n);
        const char *names[] = {"email", n};
        if (rules_detect_source(g_rs, names, 2) != t[i].src)
            fail_msg("'%s' should detect %s", t[i].name,
                     ta_source_name(t[i].src));
    }
}

/* SPEC §3: header names ignore all white space, Unicode's too. */
static void spec3_header_names_ignore_all_white_space(void **state)
{
    (void)state;
    static const char *const same[] = {
        "No Lapor",        "NoLapor",         " no  lapor ",
        "No\tLapor",       "No\r\nLapor",      "No\xc2\xa0Lapor",
        "No\xe2\x80\xafLapor", "No\xe3\x80\x80Lapor", "\xef\xbb\xbfNo Lapor",
        "No\xe2\x80\x8bLapor", "No\xe2\x80\x83Lapor",
    };
    for (size_t i = 0; i < COUNT_OF(same); i++) {
        char n[64];
        rules_normalize_header(same[i], strlen(same[i]), n, sizeof n);
        if (strcmp(n, "nolapor") != 0)
            fail_msg("header %zu normalized to '%s'", i, n);
    }
}

/* ---- main ------------------------------------------------------------ */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
    static const struct CMUnitTest singles[] = {
        cmocka_unit_test(judge_no_leak_between_tickets),
        cmocka_unit_test(judge_long_fields),
        cmocka_unit_test(judge_random_bytes),
        cmocka_unit_test(state_names),
        cmocka_unit_test(conformance_isemail_err_rejected),
        cmocka_unit_test(conformance_isemail_plain_valid_accepted),
        cmocka_unit_test(rules_file_default_loads),
        cmocka_unit_test(rules_file_replaces_one_key),
        cmocka_unit_test(rules_file_neg_override),
        cmocka_unit_test(rules_file_missing),
        cmocka_unit_test(rules_file_syntax_details),
        cmocka_unit_test(rules_file_default_copy_loads),
        cmocka_unit_test(columns_normalize),
        cmocka_unit_test(columns_lookup_per_source),
        cmocka_unit_test(columns_known),
        cmocka_unit_test(detect_source_order),
        cmocka_unit_test(columns_from_rules_file),
        cmocka_unit_test(rules4_whole_field_notes_exemption_late),
        cmocka_unit_test(rules4_whole_field_relation_no_false_not_responsible),
        cmocka_unit_test(rules4_whole_field_email_hp),
        cmocka_unit_test(rules4_no_allocation_per_ticket),
        cmocka_unit_test(rules4_pattern_cannot_finish_is_an_error),
        cmocka_unit_test(rules4_every_limit_is_an_error),
        cmocka_unit_test(rules4_default_rules_finish_on_16_mib),
        cmocka_unit_test(spec3_every_table_name_in_default_rules),
        cmocka_unit_test(spec3_source_detection_names),
        cmocka_unit_test(spec3_header_names_ignore_all_white_space),
    };
    size_t n = COUNT(singles) + COUNT(email_cases) + COUNT(hp_cases) +
               COUNT(ticket_cases) + COUNT(bad_cases);
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    size_t k = 0;
    if (!tests)
        return 1;
    for (size_t i = 0; i < COUNT(email_cases); i++)
        tests[k++] = (struct CMUnitTest){email_cases[i].name, run_email_case,
                                         NULL, NULL, (void *)&email_cases[i]};
    for (size_t i = 0; i < COUNT(hp_cases); i++)
        tests[k++] = (struct CMUnitTest){hp_cases[i].name, run_hp_case, NULL,
                                         NULL, (void *)&hp_cases[i]};
    for (size_t i = 0; i < COUNT(ticket_cases); i++)
        tests[k++] = (struct CMUnitTest){ticket_cases[i].name, run_ticket_case,
                                         NULL, NULL, (void *)&ticket_cases[i]};
    for (size_t i = 0; i < COUNT(bad_cases); i++)
        tests[k++] = (struct CMUnitTest){bad_cases[i].name, run_bad_case, NULL,
                                         NULL, (void *)&bad_cases[i]};
    for (size_t i = 0; i < COUNT(singles); i++)
        tests[k++] = singles[i];
    int rc = _cmocka_run_group_tests("rules", tests, k, group_setup,
                                     group_teardown);
    free(tests);
    return rc;
}
