/*
 * rules_internal.h — the layout of the loaded rules, shared by the files
 * of the rules module only (src/rules/rules.c loads them,
 * src/rules/rules_judge.c applies them). Not for other modules: they use
 * rules.h.
 */
#ifndef TICKET_AUDIT_RULES_INTERNAL_H
#define TICKET_AUDIT_RULES_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rules.h"

/* Every key of the rules file. The column keys come last: one per
 * canonical field for each of the four column sections. */
enum rules_key {
    RK_NEG = 0,
    RK_SCOPE_MEDIA,
    RK_CAT_GANGGUAN,
    RK_CAT_KELUHAN,
    RK_CAT_INFORMASI,
    RK_CAT_NIAGA,
    RK_EMAIL_DECLINED,
    RK_EMAIL_PLACEHOLDERS,
    RK_EMAIL_PATTERN,
    RK_EMAIL_MAX_LOCAL,
    RK_EMAIL_MAX_LABEL,
    RK_EMAIL_MAX_LENGTH,
    RK_EMAIL_TYPO_DOMAINS,
    RK_EMAIL_PH_LOCALS,
    RK_EMAIL_PH_DOMAINS,
    RK_EMAIL_OWN_DOMAINS,
    RK_HP_PLACEHOLDERS,
    RK_HP_SEQUENCE,
    RK_HP_SEQUENCE_MIN,
    RK_HP_PATTERN,
    RK_EX_URGENT_URGENCY,
    RK_EX_URGENT_NOTES,
    RK_EX_ANGRY_EMOTION,
    RK_EX_ANGRY_NOTES,
    RK_EX_RESPONSIBLE,
    RK_EX_NO_EMAIL_NOTES,
    RK_SIG_REUSED_MIN,
    RK_SIG_MAD_FACTOR,
    RK_SIG_MIN_TICKETS,
    RK_DETECT_APKT,
    RK_DETECT_AP2T,
    RK_DETECT_CRM,
    RK_COLUMNS, /* [columns] field, then .crm .apkt .ap2t */
    RK_COUNT = RK_COLUMNS + 4 * TA_F_COUNT
};

/* The column section of a key: 0 common, 1 + ta_source otherwise. */
#define RK_COLUMN_KEY(scope, field) (RK_COLUMNS + (scope)*TA_F_COUNT + (field))

/* A |-separated list, split once at load time. Items point into buf. */
typedef struct rules_list {
    char *buf;
    const char **item;
    size_t *len;
    size_t n;
} rules_list;

struct rules {
    char *value[RK_COUNT];     /* raw value of each key (malloc'd) */
    pcre2_code *re[RK_COUNT];  /* compiled patterns, NULL for others */
    rules_list list[RK_COUNT]; /* split lists, empty for others */
    long num[RK_COUNT];        /* whole numbers */
    double mad_factor;         /* outlier_mad_factor */
    unsigned ovector_pairs;    /* largest capture count + 1 */
    char fingerprint[65];      /* "default" or SHA-256 hex */
    char *path;                /* the --rules file, NULL for the defaults */
    int line[RK_COUNT];        /* line of path that set each key, 0 when
                                  the key kept its default */
};

/* The name of key k as a message says it ("[exemptions] angry_notes")
 * into key, and where it was set (" (my.rules:12)", "" for a default)
 * into where. */
void rules_key_label(const rules *rs, int k, char *key, size_t keylen,
                     char *where, size_t wherelen);

/* Whether item list l holds s[0..len) compared case-insensitively. */
int rules_list_has(const rules_list *l, const char *s, size_t len);

#endif
