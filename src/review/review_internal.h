/*
 * review_internal.h — the pieces of the review reader (review.h), shared
 * by the files of src/review/ and their test only.
 *
 * review.c opens a file, hashes it and runs one transaction around
 * review_read.c (the rows of a workbook or a CSV file, checked) and
 * review_stage.c (each decision into a temporary table, then stored);
 * review_parse.c holds the words: decision values, keys, column names,
 * and the places messages name. The calls run down that list, never back.
 */
#ifndef TICKET_AUDIT_REVIEW_INTERNAL_H
#define TICKET_AUDIT_REVIEW_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>

#include "buf.h"
#include "fingerprint.h"
#include "review.h"

/* Messages are built in buffers of this size. */
#define RV_ERRLEN 2048

/* ---- review_parse.c ------------------------------------------------- */

/* A decision cell's value. */
typedef enum rv_value {
    RV_EMPTY = 0,  /* no decision */
    RV_UPHELD,     /* Sah / Upheld: the finding or exemption stands */
    RV_OVERTURNED, /* Batal / Overturned */
    RV_INVALID     /* anything else: an error */
} rv_value;

/* What a message lists as the allowed values. */
#define RV_ALLOWED                                                            \
    "the allowed values are Sah or Upheld (the finding or exemption "         \
    "stands) and Batal or Overturned (it is overturned), in any case, or an " \
    "empty cell for no decision"

/* The value of a decision cell: compared after trimming white space,
 * ignoring ASCII case, in either language. */
rv_value rv_parse_value(const char *s, size_t len);

/* "upheld" or "overturned", as stored (NULL for the others). */
const char *rv_value_name(rv_value v);

/* A key `<source>:<ticket_id>:<fingerprint>` split: the source before the
 * first ':' (crm, apkt or ap2t, any case), the fingerprint after the last
 * (12 hex digits, any case; stored lower-case), the ticket_id between
 * (it may hold ':' itself), trimmed and not empty. ticket_id points into
 * the key. */
typedef struct rv_key {
    ta_source source;
    const char *ticket_id;
    size_t ticket_len;
    char fingerprint[FINGERPRINT_SIZE];
} rv_key;

/* 0 and *k filled, or -1 when s[0..len) is not a key (trimmed first). */
int rv_parse_key(const char *s, size_t len, rv_key *k);

/* The columns a decisions header may hold. */
typedef enum rv_col {
    RV_COL_KEY = 0,  /* Kunci / Key */
    RV_COL_DECISION, /* Keputusan QA / QA decision; a CSV's decision */
    RV_COL_NOTE,     /* Catatan QA / QA note; note */
    RV_COL_REVIEWER, /* Peninjau / Reviewer; reviewer */
    RV_COL_SOURCE,   /* a CSV's source */
    RV_COL_TICKET,   /* a CSV's ticket_id */
    RV_NCOLS
} rv_col;

/* The column a header name means (rv_col), or -1. Names are compared as
 * the exports' header names are (rules_normalize_header: ASCII case,
 * white space and . _ - * : ignored), in either language. */
int rv_column(const char *name, size_t len);

#define RV_ABSENT ((size_t)-1)

/* Where each column of a header row is (RV_ABSENT when it has none; the
 * first of two with one name), and whether decisions are found by their
 * key (by_key) or by source and ticket_id. */
typedef struct rv_map {
    size_t col[RV_NCOLS];
    int by_key;
} rv_map;

/* Maps a row of n cells as a header. 1 when it is a decisions header —
 * it holds the key and decision columns, or source, ticket_id and
 * decision (then by_key is 0) —, else 0. */
int rv_map_header(char *const *cells, const size_t *lens, size_t n, rv_map *m);

/* How many of the n cells are decisions column names, for the CSV
 * reader's header detection (which wants 3): a row holding both the key
 * and the decision columns counts at least 3. */
size_t rv_header_score(char *const *cells, const size_t *lens, size_t n);

/* Appends the place a message names: "file.xlsx:Temuan!M17" (sheet not
 * NULL; col 0-based) or "file.csv:17"; without the file (NULL),
 * "Temuan!M17" or "line 17". 0 or -1 (memory). */
int rv_where(ta_buf *b, const char *file, const char *sheet, unsigned long row,
             size_t col) TA_WUR;

/* ---- review_stage.c ------------------------------------------------- */

/* One decision as read. The texts need not be NUL-terminated. */
typedef struct rv_decision {
    ta_source source;
    const char *ticket_id; /* as read: trimmed and collapsed when staged */
    size_t ticket_len;
    const char *fingerprint; /* 12 lower-case hex digits and a NUL, or NULL
                                for the ticket's current one (a CSV file
                                of source,ticket_id) */
    rv_value value;          /* RV_UPHELD or RV_OVERTURNED */
    const char *note, *reviewer;
    size_t note_len, reviewer_len;
    const char *sheet; /* NULL for a CSV file */
    unsigned long row; /* the sheet's row, or the CSV line */
    size_t col;        /* the key's column (0-based) in a sheet */
} rv_decision;

typedef struct rv_stage rv_stage;

/* Creates the temporary table of one file's decisions (file names it in
 * messages); to be called inside the file's transaction. */
ta_status rv_stage_new(sqlite3 *db, const char *file, rv_stage **out,
                       char *err, size_t errlen) TA_WUR;

/* Adds a decision (rows of the same ticket are checked by
 * rv_stage_apply). */
ta_status rv_stage_put(rv_stage *st, const rv_decision *d, char *err,
                       size_t errlen) TA_WUR;

/* Called by rv_stage_apply for each period of the decided tickets. */
typedef ta_status (*rv_period_fn)(void *ctx, const char *period);

/* Stores what was staged. Rows of one ticket must say the same
 * (fingerprint, value, note, reviewer: copies count once), else TA_E_DATA
 * with err naming two places and nothing stored. Every decision whose
 * ticket is in the database and that differs from its stored one goes to
 * review_log (with file_sha256 and decided_at) and replaces the ticket's
 * row of reviews; counts into res; names the first REVIEW_SHOW_UNKNOWN
 * unknown tickets through opt->notice (and then how many more), shows
 * its progress through opt->progress; hands each period decided to
 * period. */
ta_status rv_stage_apply(rv_stage *st, const char *sha256,
                         const char *decided_at, const review_options *opt,
                         rv_period_fn period, void *period_ctx,
                         review_result *res, char *err, size_t errlen) TA_WUR;

/* Finalizes the statements and drops the table (inside the transaction,
 * before its commit); NULL is a no-op. */
void rv_stage_free(rv_stage *st);

/* ---- review_read.c -------------------------------------------------- */

/* Reads every worksheet of the workbook held by fd (hidden ones too)
 * whose first 30 non-empty rows hold a decisions header, and stages its
 * decisions. res->format and res->sheets are set. A data error does not
 * stop the reading (the others are counted for the message); the first
 * one is returned with err. */
ta_status rv_read_workbook(int fd, const char *path, rv_stage *st,
                           const review_options *opt, review_result *res,
                           char *err, size_t errlen) TA_WUR;

/* The same for a CSV file, hashing its bytes into sha256 (hex) as the
 * reader's first pass reads them. */
ta_status rv_read_csv(const char *path, rv_stage *st,
                      const review_options *opt, review_result *res, char *err,
                      size_t errlen) TA_WUR;

#endif
