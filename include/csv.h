/*
 * csv.h — the streaming CSV reader of SPEC §3.
 *
 * It turns bytes into rows of trimmed UTF-8 fields and knows nothing of
 * tickets, SQLite or rules. It does, in order:
 *   1. a first pass over the whole input: its SHA-256, UTF-8 validity
 *      (SPEC: a file that is valid UTF-8 is UTF-8, otherwise Windows-1252),
 *      refusal of binary, UTF-16 and UTF-32 input; every byte is also
 *      handed to an optional callback;
 *   2. header detection: among the first 30 non-blank rows, each split with
 *      its own most frequent delimiter, the first whose score (the number of
 *      known column names, computed by the caller's callback) is >= 3; the
 *      rows above it are skipped and not counted;
 *   3. streaming of the data rows: quoted fields with delimiters and line
 *      breaks, "" escapes, the lenient literal-quote rules, LF/CRLF/CR mixed,
 *      blank lines skipped, physical start line of every row, a row left
 *      open at end of file flagged. For a file this second pass reads the
 *      same number of bytes as the first and hashes them: a file that
 *      changed in between ends with CSV_E_CHANGED, never with rows of other
 *      bytes than the ones hashed and judged for their encoding.
 * Memory does not grow with the file: one row is held at a time, in
 * buffers reused from row to row.
 *
 * Usage:
 *     csv_options opt = {0};
 *     opt.score_header = my_score; opt.score_ctx = ctx;
 *     csv_reader *r = NULL;
 *     csv_status st = csv_open_file("crm.csv", &opt, &r);
 *     if (st != CSV_OK) { fprintf(stderr, "%s\n", csv_errmsg(r)); ... }
 *     const csv_row *row;
 *     while ((st = csv_next(r, &row)) == CSV_ROW) { ... }
 *     csv_close(r);
 */
#ifndef TICKET_AUDIT_CSV_H
#define TICKET_AUDIT_CSV_H

#include <stddef.h>

#include "ta.h"

typedef struct csv_reader csv_reader;

/* The most fields a row may have; a row with more is refused with
 * CSV_E_TOOLONG (a wrong delimiter or a corrupt file, never an export). */
#define CSV_MAX_FIELDS 4096

typedef enum csv_encoding {
    CSV_ENC_AUTO = 0, /* detect: valid UTF-8 -> UTF-8, else Windows-1252 */
    CSV_ENC_UTF8,
    CSV_ENC_CP1252
} csv_encoding;

/* "utf-8" / "windows-1252" ("auto" for CSV_ENC_AUTO). */
const char *csv_encoding_name(csv_encoding enc);

/* Parses "utf-8"/"utf8"/"windows-1252"/"cp1252" (and "auto" ->
 * CSV_ENC_AUTO), case-insensitive; returns -1 when unknown. */
int csv_encoding_parse(const char *name);

/* One row. Everything it points to belongs to the reader and stays valid
 * only until the next csv_next or csv_close. */
typedef struct csv_row {
    size_t nfields;
    char **fields;      /* nfields NUL-terminated UTF-8 strings, unquoted
                           and trimmed (space, tab; not inner white space) */
    const size_t *lens; /* byte length of each field */
    unsigned long line; /* physical line where the row starts, 1-based;
                           every CR, LF or CRLF counts one line break */
    int open_quote;     /* 1 when the input ended inside a quoted field
                           (a truncated export); the fields are then what
                           was read */
    const char *raw;    /* the row's text as read (after transcoding to
                           UTF-8), without its final line break */
    size_t raw_len;
} csv_row;

/* Called once per input byte block in the first pass (e.g. to hash it). */
typedef void (*csv_bytes_fn)(void *ctx, const unsigned char *buf, size_t len);

/* Scores a header candidate: returns how many of row's fields are known
 * column names. */
typedef size_t (*csv_score_fn)(void *ctx, const csv_row *row);

typedef struct csv_options {
    csv_encoding encoding;     /* CSV_ENC_AUTO to detect */
    csv_score_fn score_header; /* NULL: no header detection, every non-blank
                                  row is a data row (used by conformance
                                  tests); the delimiter is then chosen from
                                  the first non-blank row */
    void *score_ctx;
    csv_bytes_fn on_bytes; /* optional, see above */
    void *bytes_ctx;
    size_t max_row_bytes; /* 0: default (16 MiB). A longer row is an
                             error of the reader (CSV_E_TOOLONG) */
} csv_options;

typedef enum csv_status {
    CSV_ROW = 1,         /* csv_next: a row is in *row */
    CSV_OK = 0,          /* csv_open: ready; csv_next: end of input */
    CSV_E_NOENT = -1,    /* file missing or unreadable, or not a regular
                            file (a FIFO, a device, a directory) (exit 66) */
    CSV_E_IO = -2,       /* read error (exit 74) */
    CSV_E_EMPTY = -3,    /* empty, or only blank lines (exit 65) */
    CSV_E_BINARY = -4,   /* NUL bytes or other binary content (exit 65) */
    CSV_E_UTF16 = -5,    /* UTF-16 or UTF-32 (BOM or NUL pattern) (exit 65) */
    CSV_E_NOHEADER = -6, /* no row in the first 30 scored >= 3 (exit 65) */
    CSV_E_TOOLONG = -7,  /* a row longer than max_row_bytes (exit 65) */
    CSV_E_NOMEM = -8,
    CSV_E_CHANGED = -9 /* csv_next at the end of a file: its bytes on the
                          second pass were not the first pass's (cut short,
                          appended to, rewritten) (exit 74) */
} csv_status;

/* Opens a file and runs the first pass and header detection. On any
 * status but CSV_OK *out still receives a reader (unless out of memory)
 * whose csv_errmsg says what went wrong, naming the file; close it. A
 * FIFO, a device or a directory is refused at once (CSV_E_NOENT, "a
 * regular file is required"): it is opened without blocking. */
csv_status csv_open_file(const char *path, const csv_options *opt,
                         csv_reader **out) TA_WUR;

/* NULL when st_mode m (struct stat's) is a regular file's, else what the
 * file is for a message: "a FIFO (named pipe)", "a character device", "a
 * directory", ... An export must be a regular file: a FIFO or /dev/zero
 * would block or never end, and it is read twice. The importer asks
 * before it knows whether the file is text or a workbook. */
const char *csv_file_kind(unsigned m);

/* The same over the caller's descriptor, which must be a regular file: it
 * is read with pread from offset 0 (its offset is neither used nor moved)
 * and stays open after csv_close. name is used in messages. */
csv_status csv_open_fd(int fd, const char *name, const csv_options *opt,
                       csv_reader **out) TA_WUR;

/* The same over a memory buffer (not copied: it must outlive the
 * reader). name is used in messages. */
csv_status csv_open_memory(const char *name, const char *data, size_t len,
                           const csv_options *opt, csv_reader **out) TA_WUR;

/* The header row (NULL when opt.score_header was NULL). */
const csv_row *csv_header(const csv_reader *r);

/* Next data row: CSV_ROW with *row set, CSV_OK at end of input, or an
 * error status (message in csv_errmsg). */
csv_status csv_next(csv_reader *r, const csv_row **row) TA_WUR;

char csv_delimiter(const csv_reader *r);             /* ',' ';' '\t' '|' */
csv_encoding csv_encoding_used(const csv_reader *r); /* UTF8 or CP1252 */
int csv_had_bom(const csv_reader *r);
/* The SHA-256 of the input's bytes as the first pass read them, as 64
 * lower-case hex digits and a NUL: once csv_next has returned CSV_OK at
 * the end, the rows came from exactly these bytes. */
void csv_sha256(const csv_reader *r, char hex[65]);
unsigned long long csv_size(const csv_reader *r); /* input size in bytes */
/* Bytes consumed so far by csv_next (for progress). */
unsigned long long csv_offset(const csv_reader *r);
/* Invalid UTF-8 sequences replaced by U+FFFD so far (each maximal
 * invalid subpart counts one): only ever more than 0 when UTF-8 was
 * forced (CSV_ENC_UTF8) on input that is not valid UTF-8. */
unsigned long long csv_replaced(const csv_reader *r);

/* The last error's message: "FILE: line N: what happened; what to do". */
const char *csv_errmsg(const csv_reader *r);

/* Frees the reader; NULL is a no-op. */
void csv_close(csv_reader *r);

#endif
