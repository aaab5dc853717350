/*
 * test_report_words.c — SPEC §5 "Words": every text the program writes
 * into a workbook is in the report's language. The label tables
 * (src/report/labels.c) are complete in both languages, every code of
 * SPEC §4 has a label and a meaning, and the composed texts (codes,
 * evidence, reasons, ranks) are worded as documented. Then, on workbooks
 * made from data whose words belong to neither language, every text cell
 * of every sheet (main and per-CSO workbooks, Indonesian and English) is
 * checked against the other language's vocabulary: no word found only in
 * the other language's labels may appear.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "report.h"
#include "report/report_internal.h"
#include "testutil.h"

/* ---- the tables ------------------------------------------------------ */

#define MAXWORDS 512

/* Every label of both languages is given and not empty; the two
 * languages' tables hold the same number of texts. */
static void labels_complete(void **state)
{
    (void)state;
    const char *w[2][MAXWORDS];
    size_t n[2];
    for (int en = 0; en < 2; en++) {
        n[en] = rpt_lang_words(rpt_lang_get(en), w[en], MAXWORDS);
        assert_true(n[en] > 100 && n[en] <= MAXWORDS);
        for (size_t i = 0; i < n[en]; i++) {
            if (!w[en][i] || !w[en][i][0])
                fail_msg("%s text %zu is missing", en ? "English" : "Indonesian",
                         i);
        }
    }
    assert_int_equal(n[0], n[1]);
}

/* SPEC §4's codes, each with a label and a meaning in both languages, in
 * the legend's order: violations, then exemptions. */
static void every_code_labelled(void **state)
{
    (void)state;
    static const char *const codes[] = {
        "EMAIL_MISSING",     "EMAIL_PLACEHOLDER", "EMAIL_INVALID",
        "HP_MISSING",        "HP_PLACEHOLDER",    "HP_INVALID",
        "HP_IN_PHONE_FIELD", "EXEMPTION_INVALID", "EX_URGENT",
        "EX_ANGRY",          "EX_NOT_RESPONSIBLE", "EX_NO_EMAIL"};
    assert_int_equal(rpt_code_count(), 12);
    for (size_t i = 0; i < 12; i++) {
        assert_string_equal(rpt_code_at(i), codes[i]);
        for (int en = 0; en < 2; en++) {
            const rpt_lang *L = rpt_lang_get(en);
            assert_non_null(rpt_code_label(L, codes[i], strlen(codes[i])));
            assert_non_null(rpt_code_meaning(L, codes[i], strlen(codes[i])));
        }
        assert_int_equal(rpt_code_is_exemption(codes[i], strlen(codes[i])),
                         i >= 8);
    }
    assert_null(rpt_code_at(12));
    assert_null(rpt_code_label(rpt_lang_get(0), "EX_OTHER", 8));
    assert_string_equal(
        rpt_code_label(rpt_lang_get(0), "HP_IN_PHONE_FIELD", 17),
        "HP dicatat di kolom telepon");
    assert_string_equal(
        rpt_code_label(rpt_lang_get(1), "HP_IN_PHONE_FIELD", 17),
        "HP recorded in the phone column");
}

/* The categories and statuses, from the identifiers the database keeps. */
static void identifiers_worded(void **state)
{
    (void)state;
    static const char *const cat[5][3] = {
        {"gangguan", "gangguan", "outage"},
        {"keluhan", "keluhan", "complaint"},
        {"informasi", "informasi", "information"},
        {"niaga", "niaga", "commercial"},
        {"unknown", "tidak diketahui", "unknown"}};
    for (int i = 0; i < 5; i++)
        for (int en = 0; en < 2; en++)
            assert_string_equal(rpt_category_word(rpt_lang_get(en), cat[i][0],
                                                  strlen(cat[i][0])),
                                cat[i][1 + en]);
    assert_null(rpt_category_word(rpt_lang_get(0), "lain", 4));
    assert_string_equal(rpt_status_word(rpt_lang_get(0), "violation"),
                        "Melanggar");
    assert_string_equal(rpt_status_word(rpt_lang_get(1), "out_of_scope"),
                        "Out of scope");
    assert_null(rpt_status_word(rpt_lang_get(1), "other"));
    char b[64];
    assert_int_equal(rpt_source_word("ap2t", 4, b), 4);
    assert_string_equal(b, "AP2T");
}

/* The stored evidence (docs/schema.md) in each language; what does not
 * parse is shown as it is; a cut entry keeps what it has. */
static void evidence_worded(void **state)
{
    (void)state;
    static const struct {
        const char *in, *id, *en;
    } cases[] = {
        {"EX_URGENT: urgency \"Urgent\"; EX_NO_EMAIL: notes \"tidak punya "
         "email\"",
         "Keadaan darurat (Urgensi: \"Urgent\"); Pelanggan tidak punya email "
         "(Catatan: \"tidak punya email\")",
         "Emergency (Urgency: \"Urgent\"); Customer has no email (Notes: "
         "\"tidak punya email\")"},
        {"EX_NOT_RESPONSIBLE: relation \"tetangga; b***@x.id\"",
         "Pelapor bukan penanggung jawab (Hubungan: \"tetangga; b***@x.id\")",
         "Caller not the account holder (Relation: \"tetangga; b***@x.id\")"},
        {"EX_ANGRY: emotion \"Marah\"", "Pelanggan marah (Emosi: \"Marah\")",
         "Angry customer (Emotion: \"Marah\")"},
        {"EXEMPTION_INVALID: urgency \"darurat\"",
         "Klaim mendesak tidak berlaku (Urgensi: \"darurat\")",
         "Invalid urgency claim (Urgency: \"darurat\")"},
        {"EX_NEW: field \"x\"", "EX_NEW (field: \"x\")",
         "EX_NEW (field: \"x\")"},
        {"EX_ANGRY: notes \"mar", "Pelanggan marah (Catatan: \"mar\")",
         "Angry customer (Notes: \"mar\")"},
        {"notes: \"marah\"", "notes: \"marah\"", "notes: \"marah\""},
        {"", "", ""},
    };
    char out[512];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        for (int en = 0; en < 2; en++) {
            rpt_word_evidence(rpt_lang_get(en), cases[i].in,
                              strlen(cases[i].in), out, sizeof out);
            if (strcmp(out, en ? cases[i].en : cases[i].id) != 0)
                fail_msg("case %zu (%s): '%s'", i, en ? "en" : "id", out);
        }
    /* bounded: a small buffer is filled, NUL-terminated */
    size_t n = rpt_word_evidence(rpt_lang_get(0), cases[0].in,
                                 strlen(cases[0].in), out, 20);
    assert_true(n < 20);
    assert_int_equal(strlen(out), n);
}

static void composed_words(void **state)
{
    (void)state;
    char out[256];
    const rpt_lang *id = rpt_lang_get(0), *en = rpt_lang_get(1);
    rpt_word_codes(id, "EMAIL_MISSING HP_INVALID", 24, out, sizeof out);
    assert_string_equal(out,
                        "Email kosong (EMAIL_MISSING); HP tidak sah (HP_INVALID)");
    rpt_word_codes(en, "EX_ANGRY X_NEW", 14, out, sizeof out);
    assert_string_equal(out, "Angry customer (EX_ANGRY); X_NEW");
    rpt_word_rank(id, 3, 40, out, sizeof out);
    assert_string_equal(out, "3 dari 40 (1 = tertinggi)");
    rpt_word_rank(en, 3, 40, out, sizeof out);
    assert_string_equal(out, "3 of 40 (1 = highest)");
    rpt_word_fields(id, "email,hp", 8, out, sizeof out);
    assert_string_equal(out, "Email, HP");
    rpt_word_code_counts(en, "EX_URGENT 3,EX_ANGRY 1", 22, out, sizeof out);
    assert_string_equal(out, "Emergency: 3, Angry customer: 1");
    rpt_word_mismatch_block(en, "Ani", 1, 1, 0, out, sizeof out);
    assert_string_equal(out, "Ani: 1 mismatch (email 1, HP 0)");
    rpt_word_mismatch_block(id, "Ani", 2, 1, 2, out, sizeof out);
    assert_string_equal(out, "Ani: 2 ketidakcocokan (email 1, HP 2)");
}

/* ---- the workbooks ------------------------------------------------- */

/* A set of lower-cased words (letters: ASCII letters and any byte of a
 * multi-byte character). */
typedef struct wordset {
    char w[2048][32];
    size_t n;
} wordset;

static int is_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int set_has(const wordset *s, const char *w)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->w[i], w) == 0)
            return 1;
    return 0;
}

/* Calls fn on each word of text (of 2 letters or more); the dump's
 * escapes \n, \t, \\ separate words. */
static void each_word(const char *text, size_t len,
                      void (*fn)(void *, const char *), void *ctx)
{
    char w[32];
    size_t k = 0;
    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)text[i] : ' ';
        if (c == '\\' && i + 1 < len) {
            i++;
            c = ' ';
        }
        if (is_letter(c)) {
            if (k < sizeof w - 1)
                w[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            continue;
        }
        w[k] = '\0';
        if (k >= 2)
            fn(ctx, w);
        k = 0;
    }
}

static void add_word(void *ctx, const char *w)
{
    wordset *s = ctx;
    if (!set_has(s, w) && s->n < sizeof s->w / sizeof *s->w)
        snprintf(s->w[s->n++], sizeof s->w[0], "%s", w);
}

/* The words of every text of a language: its tables and what labels.c
 * composes. */
static void vocabulary(int en, wordset *s)
{
    const rpt_lang *L = rpt_lang_get(en);
    const char *w[MAXWORDS];
    size_t n = rpt_lang_words(L, w, MAXWORDS);
    for (size_t i = 0; i < n; i++)
        each_word(w[i], strlen(w[i]), add_word, s);
    static const char *const reasons[] = {"field_count", "beyond_header",
                                          "ticket_id_empty", "date_empty",
                                          "date_invalid", "open_quote"};
    char b[512];
    for (size_t i = 0; i < 6; i++) {
        rpt_word_reason(L, reasons[i], 1, 2, "", "", NULL, b, sizeof b);
        each_word(b, strlen(b), add_word, s);
    }
    rpt_word_rank(L, 2, 9, b, sizeof b);
    each_word(b, strlen(b), add_word, s);
    rpt_word_mismatch_block(L, "", 1, 1, 1, b, sizeof b);
    each_word(b, strlen(b), add_word, s);
    rpt_word_mismatch_block(L, "", 2, 1, 1, b, sizeof b);
    each_word(b, strlen(b), add_word, s);
}

typedef struct check {
    const wordset *foreign; /* words of the other language only */
    const char *where;      /* "sheet\tref" of the cell checked */
    size_t hits;
    char first[256];
    int verbose; /* list every word found (WORDS_ALL=1) */
} check;

static void check_word(void *ctx, const char *w)
{
    check *k = ctx;
    if (!set_has(k->foreign, w))
        return;
    if (k->hits++ == 0)
        snprintf(k->first, sizeof k->first, "'%s' in %s", w, k->where);
    if (k->verbose)
        fprintf(stderr, "  '%s' in %s\n", w, k->where);
}

/* Blanks every occurrence of name in buf. */
static void blank_all(char *buf, const char *name)
{
    size_t n = strlen(name);
    for (char *p = strstr(buf, name); p; p = strstr(p + n, name))
        memset(p, ' ', n);
}

/* Checks every text cell and sheet name of a dump against foreign. */
static void check_dump(const char *d, check *k)
{
    for (const char *p = d; (p = strchr(p, '\n')) != NULL;) {
        p++;
        const char *text = NULL;
        char where[128] = "";
        if (strncmp(p, "S\t", 2) == 0) {
            text = p + 2;
            snprintf(where, sizeof where, "a sheet name");
        } else if (strncmp(p, "C\t", 2) == 0) {
            /* C sheet ref type value: text cells only */
            const char *t1 = strchr(p + 2, '\t');
            const char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
            if (!t2 || strncmp(t2, "\ts\t", 3) != 0)
                continue;
            snprintf(where, sizeof where, "%.*s", (int)(t2 - p - 2), p + 2);
            text = t2 + 3;
        } else {
            continue;
        }
        size_t len = strcspn(text, "\n");
        /* the program's name is a name, the codes of SPEC §4 are
         * identifiers (shown beside their labels) */
        char buf[4096];
        snprintf(buf, sizeof buf, "%.*s", (int)len, text);
        blank_all(buf, "ticket-audit");
        for (size_t i = 0; i < rpt_code_count(); i++)
            blank_all(buf, rpt_code_at(i));
        k->where = where;
        each_word(buf, strlen(buf), check_word, k);
        k->where = NULL; /* where ends with this iteration */
    }
}

/* Data that says nothing in either language: names, "zq..." words. */
static void fill_neutral(sqlite3 *db)
{
    char *msg = NULL;
    const char *sql =
        "INSERT INTO imports(id, file, size, sha256, source, encoding,"
        " delimiter, header_line, rows_read, rows_imported, rows_rejected,"
        " imported_at, program_version) VALUES (1, 'zq/zq.csv', 1, 'a',"
        " 'crm', 'utf-8', ',', 1, 30, 24, 6, '2026-11-01T00:00:00Z', '0.1.0');"
        "INSERT INTO audits VALUES (1, 'import', '2026-11-01T00:00:00Z', NULL,"
        " 'default', '0.1.0', 24);"
        "WITH t(id, cso, status, codes, cat, ev) AS (VALUES"
        " ('T1', 'Budi', 'violation', 'EMAIL_MISSING HP_MISSING', 'gangguan',"
        "  ''),"
        " ('T2', 'Budi', 'violation', 'EMAIL_PLACEHOLDER HP_PLACEHOLDER',"
        "  'keluhan', ''),"
        " ('T3', 'Ani', 'violation', 'EMAIL_INVALID HP_INVALID', 'informasi',"
        "  ''),"
        " ('T4', 'Ani', 'violation', 'EXEMPTION_INVALID HP_IN_PHONE_FIELD',"
        "  'niaga', 'EXEMPTION_INVALID: urgency \"zqu\"'),"
        " ('T5', '', 'violation', 'EMAIL_MISSING', 'unknown', ''),"
        " ('E1', 'Budi', 'exempt', 'EX_ANGRY EX_URGENT', 'gangguan',"
        "  'EX_URGENT: urgency \"zqx\"; EX_ANGRY: notes \"zqy\"'),"
        " ('E2', 'Ani', 'exempt', 'EX_NOT_RESPONSIBLE EX_NO_EMAIL', 'niaga',"
        "  'EX_NOT_RESPONSIBLE: relation \"zqz\"; EX_NO_EMAIL: email"
        "  \"zqw\"'),"
        " ('C1', 'Budi', 'compliant', '', 'keluhan', ''),"
        " ('O1', 'Ani', 'out_of_scope', '', 'unknown', ''),"
        " ('S1', 'Budi', 'violation', 'EMAIL_MISSING', 'niaga', ''))"
        " INSERT INTO tickets(source, ticket_id, import_id, line, date,"
        " period, type, email, hp, cso, notes, status, codes, category,"
        " email_state, hp_state, evidence, audit_id, fingerprint)"
        " SELECT 'crm', id, 1, 2, CASE id WHEN 'S1' THEN '2026-09-01' ELSE"
        " '2026-10-01' END, CASE id WHEN 'S1' THEN '2026-09' ELSE '2026-10'"
        " END, 'zq', 'zq@zq.zq', '081299990000', cso, 'zqv zqv', status,"
        " codes, cat, 'valid', 'valid', ev, 1, '0123456789ab' FROM t;"
        "INSERT INTO rejects(import_id, file, line, reason, raw, reason_code,"
        " reason_args, ticket_id) VALUES"
        " (1, 'zq/zq.csv', 2, 'r', 'zq,zq', 'field_count',"
        "  '{\"fields\":3,\"header\":4}', 'zq'),"
        " (1, 'zq/zq.csv', 3, 'r', 'zq', 'beyond_header',"
        "  '{\"column\":\"Q\"}', NULL),"
        " (1, 'zq/zq.csv', 4, 'r', 'zq', 'ticket_id_empty', '{}', NULL),"
        " (1, 'zq/zq.csv', 5, 'r', 'zq', 'date_empty', '{}', NULL),"
        " (1, 'zq/zq.csv', 6, 'r', 'zq', 'date_invalid',"
        "  '{\"value\":\"30-ZQ-26\"}', NULL),"
        " (1, 'zq/zq.csv', 7, 'r', 'zq', 'open_quote', '{}', NULL);"
        "INSERT INTO signals(period, kind, contact_kind, contact, customers,"
        " tickets, detail) VALUES ('2026-10', 'reused_contact', 'hp',"
        " '081299990000', 5, 6,"
        " '{\"csos\":[{\"cso\":\"Budi\",\"tickets\":5},{\"cso\":\"\","
        "\"tickets\":1}]}');"
        "INSERT INTO signals(period, kind, cso, tickets, rate, team_rate,"
        " threshold, detail) VALUES ('2026-10', 'exemption_outlier', 'Ani',"
        " 30, 50.0, 5.0, 8.0,"
        " '{\"codes\":{\"EX_NO_EMAIL\":9,\"EX_NOT_RESPONSIBLE\":6},"
        "\"exempt\":15}');"
        "INSERT INTO signals(period, kind, cso, apkt_ticket, crm_ticket,"
        " apkt_email, crm_email, apkt_hp, crm_hp, detail) VALUES"
        " ('2026-10', 'cross_system_mismatch', 'Ani', 'K1', 'T1', 'zq@zq.zq',"
        " '', '081299990000', '081299990001',"
        " '{\"crm_cso\":\"Budi\",\"fields\":[\"email\",\"hp\"]}');"
        "INSERT INTO reviews(source, ticket_id, fingerprint, status, decision,"
        " note, reviewer, file, sheet, row, decided_at, log_id) VALUES"
        " ('crm', 'T1', '0123456789ab', 'violation', 'upheld', 'zqn', 'Zqr',"
        "  'zq.xlsx', 'Zq', 2, '2026-11-03T10:15:00+07:00', 1),"
        " ('crm', 'E1', 'ffffffffffff', 'exempt', 'overturned', 'zqn', 'Zqr',"
        "  'zq.xlsx', 'Zq', 3, '2026-11-03T10:16:00+07:00', 2);";
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s", msg);
}

/* Every workbook a report wrote: the main one and each CSO's. */
static size_t books(const char *out, char paths[][1024], size_t max)
{
    size_t n = 0;
    snprintf(paths[n++], 1024, "%s/audit-2026-10.xlsx", out);
    const char *dirs[] = {"cso", "cso/2026-10"};
    for (int k = 0; k < 2; k++) {
        char dir[640];
        snprintf(dir, sizeof dir, "%s/%s", out, dirs[k]);
        DIR *dp = opendir(dir);
        if (!dp)
            continue;
        struct dirent *e;
        while ((e = readdir(dp)) && n < max) {
            size_t l = strlen(e->d_name);
            if (l > 5 && strcmp(e->d_name + l - 5, ".xlsx") == 0)
                snprintf(paths[n++], 1024, "%s/%s", dir, e->d_name);
        }
        closedir(dp);
    }
    return n;
}

static void words_stay_in_language(void **state)
{
    (void)state;
    char dir[512], dbp[600], out[600], err[2048], path[4096];
    assert_int_equal(tu_tmpdir(dir, sizeof dir), 0);
    snprintf(dbp, sizeof dbp, "%s/t.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(db_open(dbp, &db, err, sizeof err), TA_OK);
    fill_neutral(db);
    static wordset vocab[2], foreign[2];
    for (int en = 0; en < 2; en++)
        vocabulary(en, &vocab[en]);
    /* Words both languages use, by design: names, loanwords, the option
     * --no-mask, the examples of the legend. A word found in both label
     * sets that is not here is an English word in the Indonesian labels
     * or the reverse, and fails. */
    static const char *const shared[] = {
        "cso", "hp",  "email", "apkt", "crm",  "median", "audit", "pln",
        "\xe2\x80\x94", "program", "status", "target", "no", "mask", "data",
        "qa",  "xxx", "test",  "co",   "id",   "gmial",  "com",   "xxxxxxx"};
    wordset *allowed = calloc(1, sizeof *allowed);
    assert_non_null(allowed);
    for (size_t i = 0; i < sizeof shared / sizeof *shared; i++)
        add_word(allowed, shared[i]);
    for (size_t i = 0; i < vocab[0].n; i++)
        if (set_has(&vocab[1], vocab[0].w[i]) &&
            !set_has(allowed, vocab[0].w[i]))
            fail_msg("'%s' is a word of both languages' labels",
                     vocab[0].w[i]);
    for (int en = 0; en < 2; en++) {
        foreign[en].n = 0;
        for (size_t i = 0; i < vocab[!en].n; i++)
            if (!set_has(allowed, vocab[!en].w[i]))
                add_word(&foreign[en], vocab[!en].w[i]);
        assert_true(foreign[en].n > 50);
    }
    free(allowed);
    for (int en = 0; en < 2; en++) {
        snprintf(out, sizeof out, "%s/%s", dir, en ? "en" : "id");
        report_options o = {.out_dir = out,
                            .period = "2026-10",
                            .lang = en ? "en" : "id",
                            .per_cso = 1};
        assert_int_equal(report_write(db, &o, path, sizeof path, err,
                                      sizeof err),
                         TA_OK);
        char paths[16][1024];
        size_t nb = books(out, paths, 16);
        assert_int_equal(nb, 4); /* main, Budi, Ani, the unknown CSO */
        for (size_t b = 0; b < nb; b++) {
            char *d = tu_xlsx_dump(dir, paths[b]);
            check k = {.foreign = &foreign[en],
                       .verbose = getenv("WORDS_ALL") != NULL};
            check_dump(d, &k);
            if (k.hits)
                fail_msg("%s: %zu word(s) of the other language, first %s",
                         paths[b], k.hits, k.first);
            /* the check sees words: its own language's are everywhere */
            check self = {.foreign = &foreign[!en]};
            check_dump(d, &self);
            assert_true(self.hits > 10);
            free(d);
        }
    }
    db_close(db);
    if (!getenv("KEEP"))
        tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(labels_complete),
        cmocka_unit_test(every_code_labelled),
        cmocka_unit_test(identifiers_worded),
        cmocka_unit_test(evidence_worded),
        cmocka_unit_test(composed_words),
        cmocka_unit_test(words_stay_in_language),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
