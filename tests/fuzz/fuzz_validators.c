/*
 * fuzz_validators.c — libFuzzer target for the email and HP validators and
 * the whole judgement (src/rules_judge.c) with the default rules.
 *
 * The input is split on 0x1F (unit separator) into up to TA_F_COUNT
 * fields, given to rules_judge_ticket (first byte: source); the first
 * field also goes to rules_email_state_of, rules_email_address_ok and
 * rules_hp_state_of. The verdict's strings must be NUL-terminated within
 * their arrays.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rules *valfz_rules;
static rules_judge *valfz_judge;

static void valfz_check_str(const char *s, size_t cap)
{
    if (!memchr(s, 0, cap))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!valfz_rules) {
        char err[512];
        if (rules_load(NULL, &valfz_rules, err, sizeof err) != TA_OK)
            abort();
        valfz_judge = rules_judge_new(valfz_rules);
        if (!valfz_judge)
            abort();
    }
    if (size < 1)
        return 0;
    rules_ticket t;
    memset(&t, 0, sizeof t);
    t.source = (ta_source)(data[0] % 3);
    /* A copy, so reading past a field's end is caught by ASan. */
    char *buf = malloc(size);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, size - 1);
    size_t n = size - 1, start = 0;
    int f = 0;
    for (size_t i = 0; i <= n && f < TA_F_COUNT; i++) {
        if (i == n || buf[i] == 0x1f) {
            t.v[f] = buf + start;
            t.len[f] = i - start;
            if (t.len[f] == 0)
                t.v[f] = NULL;
            f++;
            start = i + 1;
        }
    }
    const char *first = t.v[0] ? t.v[0] : buf;
    size_t flen = t.len[0];
    (void)rules_email_state_of(valfz_judge, first, flen);
    (void)rules_email_address_ok(valfz_judge, first, flen);
    char norm[RULES_NORM_MAX];
    (void)rules_hp_state_of(valfz_judge, first, flen, norm, sizeof norm);
    valfz_check_str(norm, sizeof norm);
    char tiny[3];
    (void)rules_hp_state_of(valfz_judge, first, flen, tiny, sizeof tiny);
    valfz_check_str(tiny, sizeof tiny);
    rules_verdict v;
    ta_status st = rules_judge_ticket(valfz_judge, &t, &v);
    /* The default rules finish on any field: a limit reached would be a
     * pattern of theirs that backtracks without end. */
    if (st == TA_E_DATA)
        __builtin_trap();
    if (st != TA_OK) {
        free(buf);
        return 0;
    }
    valfz_check_str(v.codes, sizeof v.codes);
    valfz_check_str(v.evidence, sizeof v.evidence);
    valfz_check_str(v.hp_norm, sizeof v.hp_norm);
    valfz_check_str(v.email_norm, sizeof v.email_norm);
    free(buf);
    return 0;
}
