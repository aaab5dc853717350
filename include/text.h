/*
 * text.h — the one white-space rule (STYLE: "one of each rule").
 *
 * White space is ASCII's: space, tab, CR, LF, vertical tab and form feed
 * (C's isspace in the C locale). SPEC §3 compares ticket_id and cso
 * "after trimming and collapsing runs of spaces" and names spaces, tabs,
 * CR and LF; SPEC §4 judges fields after collapsing white space "line
 * breaks included". One function does both, on the union of what the
 * two sections name (docs/decisions.md, "White space"). Trimming a CSV
 * field (spaces and tabs at its ends, csv.h) is the reader's own rule,
 * not this one. Nothing here allocates.
 */
#ifndef TICKET_AUDIT_TEXT_H
#define TICKET_AUDIT_TEXT_H

#include <stddef.h>

/* 1 when c is white space as above. */
int text_is_space(unsigned char c);

/* Copies in[0..len) to out with white space trimmed at both ends and
 * every run inside replaced by one space; out receives at most cap - 1
 * bytes and a NUL (cap > 0). Returns the length written, never more than
 * len. */
size_t text_collapse(const char *in, size_t len, char *out, size_t cap);

#endif
