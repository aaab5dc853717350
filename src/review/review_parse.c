/*
 * review_parse.c — the words of SPEC §5 "Review": the decision values in
 * either language, the key `<source>:<ticket_id>:<fingerprint>`, the
 * names of the decision columns, and the place ("file.xlsx:Temuan!M17",
 * "file.csv:17") a message names.
 *
 * Pure functions over the texts the readers hand over; nothing here
 * touches a file or the database.
 */
#include "review_internal.h"

#include <string.h>

#include "rules.h"
#include "text.h"
#include "workbook.h"

/* s[0..*len) without the white space at its ends. */
static const char *trim(const char *s, size_t *len)
{
    while (*len && text_is_space((unsigned char)s[0])) {
        s++;
        (*len)--;
    }
    while (*len && text_is_space((unsigned char)s[*len - 1]))
        (*len)--;
    return s;
}

/* 1 when s[0..len) is word (lower-case ASCII) ignoring ASCII case; not the
 * locale's tolower, which could fold other bytes. */
static int same_word(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)word[i])
            return 0;
    }
    return 1;
}

rv_value rv_parse_value(const char *s, size_t len)
{
    static const struct {
        const char *word;
        rv_value value;
    } words[] = {{"sah", RV_UPHELD},
                 {"upheld", RV_UPHELD},
                 {"batal", RV_OVERTURNED},
                 {"overturned", RV_OVERTURNED}};
    s = trim(s, &len);
    if (len == 0)
        return RV_EMPTY;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (same_word(s, len, words[i].word))
            return words[i].value;
    return RV_INVALID;
}

const char *rv_value_name(rv_value v)
{
    return v == RV_UPHELD       ? "upheld"
           : v == RV_OVERTURNED ? "overturned"
                                : NULL;
}

int rv_parse_key(const char *s, size_t len, rv_key *k)
{
    static const char digits[] = "0123456789abcdef";
    s = trim(s, &len);
    const char *first = memchr(s, ':', len), *last = NULL;
    for (size_t i = len; i > 0 && !last; i--)
        if (s[i - 1] == ':')
            last = s + i - 1;
    if (!first || first == last)
        return -1;
    /* the source: "crm", "apkt" or "ap2t" */
    char src[5];
    size_t srclen = (size_t)(first - s);
    if (srclen == 0 || srclen >= sizeof src)
        return -1;
    memcpy(src, s, srclen);
    src[srclen] = '\0';
    k->source = ta_source_parse(src);
    if (k->source == TA_SRC_NONE)
        return -1;
    /* the fingerprint: exactly FINGERPRINT_SIZE - 1 hex digits */
    const char *fp = last + 1;
    if ((size_t)(s + len - fp) != FINGERPRINT_SIZE - 1)
        return -1;
    for (size_t i = 0; i < FINGERPRINT_SIZE - 1; i++) {
        char c = fp[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (c == '\0' || !memchr(digits, c, sizeof digits - 1))
            return -1;
        k->fingerprint[i] = c;
    }
    k->fingerprint[FINGERPRINT_SIZE - 1] = '\0';
    size_t tlen = (size_t)(last - first - 1);
    k->ticket_id = trim(first + 1, &tlen);
    k->ticket_len = tlen;
    return tlen ? 0 : -1;
}

int rv_column(const char *name, size_t len)
{
    /* normalized as rules_normalize_header writes them */
    static const struct {
        const char *name;
        rv_col col;
    } names[] = {
        {"kunci", RV_COL_KEY},
        {"key", RV_COL_KEY},
        {"keputusanqa", RV_COL_DECISION},
        {"qadecision", RV_COL_DECISION},
        {"decision", RV_COL_DECISION},
        {"catatanqa", RV_COL_NOTE},
        {"qanote", RV_COL_NOTE},
        {"note", RV_COL_NOTE},
        {"peninjau", RV_COL_REVIEWER},
        {"reviewer", RV_COL_REVIEWER},
        {"source", RV_COL_SOURCE},
        {"ticketid", RV_COL_TICKET},
    };
    char norm[64];
    /* a longer name is none of these (and is not cut to look like one) */
    if (len >= sizeof norm)
        return -1;
    rules_normalize_header(name, len, norm, sizeof norm);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(norm, names[i].name) == 0)
            return (int)names[i].col;
    return -1;
}

int rv_map_header(char *const *cells, const size_t *lens, size_t n, rv_map *m)
{
    for (size_t c = 0; c < RV_NCOLS; c++)
        m->col[c] = RV_ABSENT;
    for (size_t i = 0; i < n; i++) {
        int c = rv_column(cells[i], lens[i]);
        if (c >= 0 && m->col[c] == RV_ABSENT)
            m->col[c] = i;
    }
    if (m->col[RV_COL_DECISION] == RV_ABSENT)
        return 0;
    m->by_key = m->col[RV_COL_KEY] != RV_ABSENT;
    return m->by_key || (m->col[RV_COL_SOURCE] != RV_ABSENT &&
                         m->col[RV_COL_TICKET] != RV_ABSENT);
}

size_t rv_header_score(char *const *cells, const size_t *lens, size_t n)
{
    rv_map m;
    size_t known = 0;
    for (size_t i = 0; i < n; i++)
        known += rv_column(cells[i], lens[i]) >= 0;
    if (rv_map_header(cells, lens, n, &m) && known < 3)
        known = 3;
    return known;
}

int rv_where(ta_buf *b, const char *file, const char *sheet, unsigned long row,
             size_t col)
{
    if (file && buf_printf(b, "%s:", file))
        return -1;
    if (!sheet)
        return buf_printf(b, file ? "%lu" : "line %lu", row);
    char cell[16];
    wb_cell_ref(row, col, cell);
    if (wb_sheet_ref(sheet, b))
        return -1;
    return buf_printf(b, "!%s", cell);
}
