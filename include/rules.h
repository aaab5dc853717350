/*
 * rules.h — the rules of SPEC §4 and the column names of SPEC §3, loaded
 * from a rules file (the default one is compiled into the binary; see
 * rules/default.rules), compiled once with PCRE2 (JIT where available), and
 * applied to one ticket at a time.
 *
 * This module knows nothing of files of exports or of databases: the
 * importer asks it which column names it knows, the auditor hands it one
 * ticket's fields and gets a verdict back.
 *
 * Two objects:
 *   rules       — the loaded, compiled rules; immutable after loading, so
 *                 one can be shared by several threads;
 *   rules_judge — per-thread scratch (PCRE2 match data, buffers) to judge
 *                 tickets without allocating per ticket.
 *
 * Usage:
 *     char err[512];
 *     rules *rs = NULL;
 *     if (rules_load(NULL, &rs, err, sizeof err) != TA_OK) { puts(err); }
 *     rules_judge *j = rules_judge_new(rs);
 *     rules_ticket t = {.source = TA_SRC_CRM};
 *     t.v[TA_F_EMAIL] = "budi@gmail.com"; ... (NULL or "" = empty)
 *     rules_verdict v;
 *     if (rules_judge_ticket(j, &t, &v) != TA_OK)   // v.status, v.codes ...
 *         puts(rules_judge_errmsg(j));
 *     rules_judge_free(j); rules_free(rs);
 */
#ifndef TICKET_AUDIT_RULES_H
#define TICKET_AUDIT_RULES_H

#include <stddef.h>

#include "ta.h"

typedef struct rules rules;
typedef struct rules_judge rules_judge;

/* Loads the rules: the default rules compiled into the binary when path is
 * NULL, else the file at path, which replaces the defaults (a key the file
 * does not set keeps its default). On error returns TA_E_NOINPUT (missing
 * file) or TA_E_DATA (malformed file, unknown key, a pattern PCRE2
 * refuses) with a message in err naming the file, the line and, for a
 * pattern, PCRE2's own message and offset. */
ta_status rules_load(const char *path, rules **out, char *err,
                     size_t errlen) TA_WUR;

/* Frees; NULL is a no-op. */
void rules_free(rules *rs);

/* The text of the default rules file compiled into the binary. */
const char *rules_default_text(void);

/* "default" for the compiled-in rules, else the SHA-256 (hex) of the
 * rules file. */
const char *rules_fingerprint(const rules *rs);

/* ---- column names (SPEC §3) ---------------------------------------- */

/* Normalizes a header name for matching: lower-case ASCII, drops
 * . _ - * : and all white space. Writes a NUL-terminated string of at
 * most outlen-1 bytes to out. */
void rules_normalize_header(const char *in, size_t len, char *out,
                            size_t outlen);

/* 1 when the normalized name is a name of any field of any source, or a
 * source-detection name; 0 otherwise. */
int rules_is_known_column(const rules *rs, const char *normalized);

/* The source a header belongs to from its normalized names (SPEC §3
 * "Source detection": APKT, then AP2T, then CRM); TA_SRC_NONE when none
 * of the marker names is present. */
ta_source rules_detect_source(const rules *rs, const char *const *normalized,
                              size_t n);

/* The canonical field (a ta_field) a normalized column name means in a
 * given source, or -1 when the column is not a canonical field there. */
int rules_column_field(const rules *rs, ta_source src, const char *normalized);

/* ---- judging (SPEC §4) ---------------------------------------------- */

typedef enum rules_status {
    RULES_COMPLIANT = 0,
    RULES_EXEMPT,
    RULES_VIOLATION,
    RULES_OUT_OF_SCOPE
} rules_status;

/* "compliant", "exempt", "violation", "out_of_scope". */
const char *rules_status_name(rules_status st);

typedef enum rules_category {
    RULES_CAT_GANGGUAN = 0,
    RULES_CAT_KELUHAN,
    RULES_CAT_INFORMASI,
    RULES_CAT_NIAGA,
    RULES_CAT_UNKNOWN
} rules_category;

/* "gangguan", "keluhan", "informasi", "niaga", "unknown". */
const char *rules_category_name(rules_category c);

typedef enum rules_email_state {
    RULES_EMAIL_VALID = 0,
    RULES_EMAIL_MISSING,
    RULES_EMAIL_DECLINED,
    RULES_EMAIL_PLACEHOLDER,
    RULES_EMAIL_INVALID
} rules_email_state;

typedef enum rules_hp_state {
    RULES_HP_VALID = 0,
    RULES_HP_MISSING,
    RULES_HP_PLACEHOLDER,
    RULES_HP_INVALID,
    RULES_HP_IN_PHONE_FIELD
} rules_hp_state;

/* "valid", "EMAIL_MISSING", "declined", ... the code of a state, or
 * "valid"/"declined" for the states that have none. */
const char *rules_email_state_name(rules_email_state s);
const char *rules_hp_state_name(rules_hp_state s);

/* One ticket's canonical fields. v[f] may be NULL or "" for an empty
 * field; len[f] is its length (0 with v[f] NULL; 0 with v[f] set means
 * v[f] is a NUL-terminated string). Not modified. */
typedef struct rules_ticket {
    ta_source source;
    const char *v[TA_F_COUNT];
    size_t len[TA_F_COUNT];
} rules_ticket;

#define RULES_CODES_MAX 256
#define RULES_NORM_MAX 128
#define RULES_EVIDENCE_MAX 512

typedef struct rules_verdict {
    rules_status status;
    rules_category category;
    rules_email_state email;
    rules_hp_state hp;
    int invalid_claim;                 /* urgency claimed on a non-gangguan/
                                          keluhan ticket (0 when compliant
                                          or out of scope) */
    char codes[RULES_CODES_MAX];       /* sorted codes joined by one space,
                                          "" when none */
    char evidence[RULES_EVIDENCE_MAX]; /* for each exemption found: which
                                          field matched and the matched
                                          text, e.g. `EX_URGENT: urgency
                                          "Urgent"; EX_ANGRY: notes
                                          "marah"` (docs/schema.md), the
                                          text masked with mask_text;
                                          "" for compliant and out_of_scope
                                          tickets */
    char hp_norm[RULES_NORM_MAX];      /* the HP after step 3 (+62/62/lost
                                          zero -> 0..., separators removed)
                                          when that left only digits, else
                                          the collapsed field lower-cased;
                                          "" when empty. For the signals:
                                          the same number written two ways
                                          compares equal */
    char email_norm[RULES_NORM_MAX];   /* the first address of the email
                                          field (step 4), lower-cased; ""
                                          when empty */
} rules_verdict;

/* The limits every pattern runs under (SPEC §4: a pattern PCRE2 cannot
 * finish on a field is an error, never a non-match; docs/rules.md,
 * "Limits"). PCRE2's own match limit, made explicit: a catastrophic
 * pattern such as (\w+\s?)+$ fails on a long field in about 0.03 s with
 * JIT, 0.25 s without, while the default rules stay far below it on a
 * 16 MiB field. The depth and heap limits bind the interpreter only (no
 * JIT); the JIT stack grows to its maximum as a pattern needs it. */
#define RULES_MATCH_LIMIT 10000000
#define RULES_DEPTH_LIMIT 1000000
#define RULES_HEAP_LIMIT_KIB 65536
#define RULES_JIT_STACK_MAX (8 * 1024 * 1024)
/* The most bytes a ticket's fields may hold together to be judged: four
 * times the importer's row limit (16 MiB), reached only by a database
 * edited by hand. */
#define RULES_TICKET_MAX (64 * 1024 * 1024)

/* Scratch for one thread; NULL when out of memory. */
rules_judge *rules_judge_new(const rules *rs);
void rules_judge_free(rules_judge *j);

/* Judges one ticket. Email and HP states and the category are set for
 * every ticket; exemptions (codes, evidence, invalid_claim) are evaluated
 * only for in-scope tickets that are not compliant. Every pattern applies
 * to its whole field, however long, after collapsing white space (SPEC
 * §4); the judge's scratch grows to the longest ticket seen, so judging
 * allocates nothing in the steady state.
 * Returns TA_OK; TA_E_DATA when a pattern could not finish on a field
 * (the limits above) — rules_judge_errmsg names the rules key and the
 * field, rules_judge_errfield gives the field — or TA_E_NOMEM when the
 * scratch cannot grow (or the fields hold more than RULES_TICKET_MAX).
 * On error *out must not be used. */
ta_status rules_judge_ticket(rules_judge *j, const rules_ticket *t,
                             rules_verdict *out) TA_WUR;

/* Why the last rules_judge_ticket failed: "the rules pattern [exemptions]
 * angry_notes (my.rules:12) cannot finish on the notes field: it reached
 * the match limit (10000000) ..." (no field text: nothing personal). */
const char *rules_judge_errmsg(const rules_judge *j);

/* The ta_field the last failure happened on, or -1 (out of memory). */
int rules_judge_errfield(const rules_judge *j);

/* The email state of a field (SPEC §4 email steps 1-7). The single-field
 * functions below are for tests and callers judging one value: a pattern
 * that cannot finish, or scratch that cannot grow, gives the invalid
 * state. */
rules_email_state rules_email_state_of(rules_judge *j, const char *s,
                                       size_t len);

/* Email step 4 on one address exactly as given (no trimming, collapsing
 * or splitting): 1 when, lower-cased, it matches the email pattern as a
 * whole and respects the length limits, else 0. Used by the conformance
 * tests (is_email sets) and by callers judging a lone address. */
int rules_email_address_ok(rules_judge *j, const char *s, size_t len);

/* The HP state of a field (SPEC §4 HP steps 1-7, without the
 * HP_IN_PHONE_FIELD substitution). When norm is not NULL it receives the
 * number after step 3 (NUL-terminated, truncated to normlen-1). */
rules_hp_state rules_hp_state_of(rules_judge *j, const char *s, size_t len,
                                 char *norm, size_t normlen);

/* ---- parameters of the signals (SPEC §4 "Beyond the memo") ---------- */
int rules_reused_min_customers(const rules *rs);  /* default 5 */
double rules_outlier_mad_factor(const rules *rs); /* default 3 */
int rules_outlier_min_tickets(const rules *rs);   /* default 30 */

#endif
