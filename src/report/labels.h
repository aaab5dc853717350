/*
 * labels.h — the words of the workbooks (labels.c), private to
 * src/report/: the sheets, statuses and signals in their column order,
 * and every label, in Indonesian and English. Apart from
 * report_internal.h, which includes it, so that the words depend on
 * nothing else of the report.
 */
#ifndef TICKET_AUDIT_REPORT_LABELS_H
#define TICKET_AUDIT_REPORT_LABELS_H

#include <stddef.h>

/* Statuses in the order of the Per CSO columns. */
enum { RPT_COMPLIANT, RPT_EXEMPT, RPT_VIOLATION, RPT_OUT, RPT_NSTATUS };

/* The three signals (docs/signals.md), in the order of their columns. */
enum { RPT_SIG_REUSED, RPT_SIG_OUTLIER, RPT_SIG_MISMATCH, RPT_NSIG };

/* The sheets, in workbook order. */
enum {
    RPT_SH_SUMMARY,
    RPT_SH_BY_CSO,
    RPT_SH_FINDINGS,
    RPT_SH_EXEMPTIONS,
    RPT_SH_REJECTED,
    RPT_SH_SIGNALS,
    RPT_SH_REVIEW,
    RPT_NSHEETS
};

/* The labels of the Indikasi / Signals sheet. */
enum {
    SG_REUSED,
    SG_OUTLIERS,
    SG_MISMATCH,
    SG_NONE_HERE,
    SG_PERIOD,
    SG_KIND,
    SG_CONTACT,
    SG_CUSTOMERS,
    SG_TICKETS,
    SG_CSOS,
    SG_CSO,
    SG_IN_SCOPE,
    SG_EXEMPT,
    SG_RATE,
    SG_TEAM,
    SG_THRESHOLD,
    SG_EX_CODES,
    SG_APKT_TICKET,
    SG_CRM_TICKET,
    SG_APKT_EMAIL,
    SG_CRM_EMAIL,
    SG_APKT_HP,
    SG_CRM_HP,
    SG_APKT_CSO,
    SG_CRM_CSO,
    SG_FIELDS,
    SG_NLABELS
};

/* The single words and sentences of a workbook, by name. */
#define RPT_WORDS(X)                                                          \
    X(unknown_cso) X(unknown_file) X(title) X(title_cso) X(period)           \
    X(generated) X(rules) X(rules_default) X(program) X(cso) X(files)        \
    X(file) X(file_path) X(source) X(read) X(imported) X(rejected)           \
    X(status) X(tickets) X(compliance) X(compliance_rev) X(target) X(code)   \
    X(label) X(meaning) X(codes_head) X(no_codes) X(chart_cso)               \
    X(chart_codes) X(ticket) X(date) X(category) X(codes) X(violation_col)   \
    X(exemption_col) X(evidence) X(email) X(hp) X(notes) X(sheet_col)        \
    X(line) X(reason) X(raw) X(signals_none) X(all_periods_to)               \
    X(masked_note) X(unmasked_note) X(prev_month) X(change) X(months_head)   \
    X(chart_months) X(band_violations) X(band_exemptions) X(band_signals)    \
    X(band_history) X(sig_any) X(yes) X(legend_head) X(legend_low)           \
    X(legend_signal) X(legend_review) X(qa_decision) X(qa_note) X(reviewer)  \
    X(key) X(upheld) X(overturned) X(dv_title) X(dv_message) X(review_head)  \
    X(decisions) X(stale) X(stale_mark) X(status_then) X(decision)           \
    X(decided_at) X(row) X(review_none) X(team) X(this_cso) X(rank)          \
    X(sig_of_cso) X(see_signals) X(signals_head) X(mismatch_by_cso)          \
    X(local_time) X(count)

/* Labels in the report's language. */
typedef struct rpt_lang {
    int en;                          /* 1 for English */
    const char *sheet[RPT_NSHEETS];  /* in workbook order */
    const char *status_names[RPT_NSTATUS]; /* column heads (plural) */
    const char *status_one[RPT_NSTATUS];   /* one ticket's status */
    const char *sig_col[RPT_NSIG];   /* Per CSO's signal columns */
    const char *sig[SG_NLABELS];     /* the Signals sheet */
#define RPT_WORD_FIELD(n) const char *n;
    RPT_WORDS(RPT_WORD_FIELD)
#undef RPT_WORD_FIELD
} rpt_lang;

/* The labels of --lang en (en != 0) or Indonesian (labels.c). */
const rpt_lang *rpt_lang_get(int en);

/* Every text of a language's tables (the words above, the labels and
 * meanings of the codes, the categories, the field names), for the test
 * that no word of one language appears in the other's workbook. Stores up
 * to max pointers in out; returns how many there are. */
size_t rpt_lang_words(const rpt_lang *L, const char **out, size_t max);

/* The codes of SPEC §4 in the legend's order: violation codes, then
 * exemption codes. rpt_code_at(i) for i < rpt_code_count(); NULL after. */
size_t rpt_code_count(void);
const char *rpt_code_at(size_t i);
/* 1 for an exemption code (EX_...). */
int rpt_code_is_exemption(const char *code, size_t len);
/* The label and the one-line meaning of code[0..len) in L's language;
 * NULL for a code that is not of SPEC §4. */
const char *rpt_code_label(const rpt_lang *L, const char *code, size_t len);
const char *rpt_code_meaning(const rpt_lang *L, const char *code,
                             size_t len);
/* The category (SPEC §4 identifiers: gangguan, ..., unknown) in L's
 * language; NULL for another value. */
const char *rpt_category_word(const rpt_lang *L, const char *cat,
                              size_t len);
/* A source identifier as shown (crm -> CRM) in out; returns its length. */
size_t rpt_source_word(const char *s, size_t len, char out[16]);
/* A status identifier (compliant, ...) as one ticket's status; NULL for
 * another value. */
const char *rpt_status_word(const rpt_lang *L, const char *status);

/* Composed cells: each writes a NUL-terminated text of at most outlen - 1
 * bytes to out (cut on a UTF-8 boundary) and returns its length. */

/* The space-separated codes s[0..len) with their labels, joined by "; ":
 * "Email kosong (EMAIL_MISSING); HP tidak sah (HP_INVALID)" (a code
 * without a label alone). */
size_t rpt_word_codes(const rpt_lang *L, const char *s, size_t len,
                      char *out, size_t outlen);
/* The stored evidence (docs/schema.md: `CODE: field "words"; ...`) in L's
 * language: `label (Field: "words")` joined by "; ". What does not parse
 * is copied as it is. The quoted words are data: copied unchanged. */
size_t rpt_word_evidence(const rpt_lang *L, const char *s, size_t len,
                         char *out, size_t outlen);
/* A rejected row's reason from its code and arguments (fields, header:
 * field_count; value: date_invalid; column: beyond_header), or fallback
 * (the stored English reason) when code is NULL or unknown. */
size_t rpt_word_reason(const rpt_lang *L, const char *code, long long fields,
                       long long header, const char *value,
                       const char *column, const char *fallback, char *out,
                       size_t outlen);
/* "3 dari 40 (1 = tertinggi)" / "3 of 40 (1 = highest)". */
size_t rpt_word_rank(const rpt_lang *L, size_t rank, size_t of, char *out,
                     size_t outlen);
/* The summary line of one CSO's cross-system mismatches. */
size_t rpt_word_mismatch_block(const rpt_lang *L, const char *cso,
                               long long n, long long email, long long hp,
                               char *out, size_t outlen);
/* The fields of a mismatch (json list items "email", "hp" joined by
 * ", ") with their labels. */
size_t rpt_word_fields(const rpt_lang *L, const char *s, size_t len,
                       char *out, size_t outlen);
/* "label (CODE) n, ..." from "CODE n,CODE n" (an outlier's codes). */
size_t rpt_word_code_counts(const rpt_lang *L, const char *s, size_t len,
                            char *out, size_t outlen);

#endif
