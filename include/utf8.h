/*
 * utf8.h — the one place that knows UTF-8 (STYLE: "one of each rule").
 *
 * Well-formed means Unicode's Table 3-7: no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence. Every
 * module that validates, repairs, cuts or encodes UTF-8 calls these; none
 * allocates except utf8_clean.
 */
#ifndef TICKET_AUDIT_UTF8_H
#define TICKET_AUDIT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The replacement character U+FFFD as UTF-8 (3 bytes). */
#define UTF8_REPLACEMENT "\xEF\xBF\xBD"

/* Length (1-4) of the well-formed sequence at s[0..n), or 0 when s does
 * not start one (n == 0 included). When incomplete is not NULL it is set
 * to 1 when s[0..n) is a valid but unfinished prefix (more bytes could
 * complete it), else 0. When bad is not NULL and 0 is returned, *bad is
 * the length of the maximal invalid subpart (>= 1; Unicode's practice of
 * one U+FFFD per subpart). */
size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad,
                int *incomplete);

/* 1 when s[0..n) is entirely well-formed UTF-8. */
int utf8_valid(const char *s, size_t n);

/* The longest prefix of s[0..n) that is at most max bytes and does not end
 * inside a sequence (s assumed well-formed; a stray byte counts as one). */
size_t utf8_cut(const char *s, size_t n, size_t max);

/* Encodes code point cp (a surrogate or a value above U+10FFFF becomes
 * U+FFFD) into out; returns the bytes written (1-4). */
size_t utf8_encode(uint32_t cp, char out[4]);

/* Decodes the sequence at s[0..n): returns its code point and sets *adv
 * to the bytes it took; an invalid sequence returns 0xFFFD with *adv the
 * maximal invalid subpart. n must be > 0. */
uint32_t utf8_decode(const char *s, size_t n, size_t *adv);

/* The bytes of the first max_chars characters of s[0..n) (s assumed
 * well-formed; a stray byte counts as one character). */
size_t utf8_cut_chars(const char *s, size_t n, size_t max_chars);

/* Copies s[0..n) to out, each maximal invalid subpart replaced by U+FFFD.
 * out must hold 3 * n + 1 bytes; returns the length written (out is
 * NUL-terminated). Returns the number of replacements in *nbad when nbad
 * is not NULL. */
size_t utf8_repair(const char *s, size_t n, char *out, size_t *nbad);

/* utf8_repair of a piece of a longer text, for streams: a valid but
 * unfinished sequence at the end of s[0..n) is left unconsumed (the next
 * piece may complete it) unless last is set, when it becomes one U+FFFD.
 * *used receives the bytes consumed; out (3 * n bytes) is not
 * NUL-terminated; returns the length written. The number of replacements
 * goes to *nbad when nbad is not NULL. */
size_t utf8_repair_part(const char *s, size_t n, int last, char *out,
                        size_t *used, size_t *nbad);

/* Validating a text that arrives in pieces (a file read in blocks): a
 * sequence may straddle two pieces. Plain ASCII is checked 8 bytes at a
 * time, so a whole export costs little more than reading it.
 *
 *     utf8_stream v;
 *     utf8_stream_init(&v);
 *     while (more) utf8_stream_feed(&v, block, len);
 *     if (utf8_stream_valid(&v)) ... the whole text is well-formed ...
 */
typedef struct utf8_stream {
    unsigned need;        /* continuation bytes still expected */
    unsigned char lo, hi; /* range of the next continuation byte */
    int valid;            /* 0 once anything was malformed */
} utf8_stream;

void utf8_stream_init(utf8_stream *v);
void utf8_stream_feed(utf8_stream *v, const void *p, size_t n);
/* 1 when everything fed so far is well-formed and no sequence is left
 * unfinished. */
int utf8_stream_valid(const utf8_stream *v);

/* A malloc'd, NUL-terminated utf8_repair of s[0..n); *outlen (if not
 * NULL) gets its length. NULL when out of memory. */
char *utf8_clean(const char *s, size_t n, size_t *outlen);

#endif
