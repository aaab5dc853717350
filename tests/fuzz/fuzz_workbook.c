/*
 * fuzz_workbook.c — libFuzzer target for the workbook reader
 * (include/workbook.h, src/input/): the input becomes a file (memfd) that
 * wb_open_fd reads like any workbook, .xlsx, .xls or neither; every
 * worksheet is read to its end.
 *
 * The whole input is the file, so that real workbooks seed the corpus as
 * they are; two of its bytes choose the options (shared strings spilled to
 * a temporary file or not, entries inflated on a second thread or not, a
 * small row limit). Each workbook is read twice,
 * with the fast XML scanner and with expat: when expat reads a sheet to
 * its end, the scanner must give the same rows (it may refuse only what
 * expat refuses too, or run out of memory). Every row is checked for
 * SPEC's invariants: cells are trimmed UTF-8 without control characters
 * other than TAB, CR and LF, the last one is not empty, lengths match,
 * rows come in increasing order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "utf8.h"
#include "workbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void wbfz_check_row(const wb_row *row, unsigned long prev)
{
    if (row->ncells == 0 || row->number <= prev || row->number > WB_MAX_ROWS)
        __builtin_trap();
    for (size_t i = 0; i < row->ncells; i++) {
        const char *c = row->cells[i];
        size_t n = row->lens[i];
        if (strlen(c) != n || !utf8_valid(c, n))
            __builtin_trap();
        for (size_t k = 0; k < n; k++) {
            unsigned char b = (unsigned char)c[k];
            if ((b < 0x20 && b != '\t' && b != '\r' && b != '\n') || b == 0x7F)
                __builtin_trap();
        }
        if (n && (c[0] == ' ' || c[0] == '\t' || c[0] == '\r' ||
                  c[0] == '\n' || c[n - 1] == ' ' || c[n - 1] == '\t' ||
                  c[n - 1] == '\r' || c[n - 1] == '\n'))
            __builtin_trap();
    }
    if (row->lens[row->ncells - 1] == 0)
        __builtin_trap();
}

/* Reads every worksheet of fd; per sheet, its rows' raw text and its
 * final status, into out[sheet] (at most 64 sheets are compared). */
#define WBFZ_SHEETS 64
typedef struct wbfz_read {
    ta_status open;
    size_t nsheets;
    ta_buf rows[WBFZ_SHEETS];
    ta_status st[WBFZ_SHEETS];
} wbfz_read;

static void wbfz_run(int fd, const wb_options *opt, wbfz_read *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < WBFZ_SHEETS; i++)
        buf_init(&out->rows[i], 1 << 20);
    wb_reader *r = NULL;
    out->open = wb_open_fd(fd, "fuzz.xlsx", opt, &r);
    if (r && strlen(wb_errmsg(r)) > 2048)
        __builtin_trap();
    if (out->open != TA_OK) {
        wb_free(r);
        return;
    }
    out->nsheets = wb_sheet_count(r);
    for (size_t i = 0; i < wb_sheet_count(r); i++) {
        (void)wb_sheet_name(r, i);
        (void)wb_sheet_hidden(r, i);
        if (wb_sheet_type(r, i) != WB_SHEET_WORKSHEET)
            continue;
        ta_status st = wb_sheet_open(r, i);
        const wb_row *row = NULL;
        unsigned long prev = 0;
        while (st == TA_OK && (st = wb_next_row(r, &row)) == TA_OK && row) {
            wbfz_check_row(row, prev);
            prev = row->number;
            if (i < WBFZ_SHEETS) {
                ta_buf *b = &out->rows[i];
                /* a full buffer stops the same way for both engines */
                if (buf_printf(b, "%lu:", row->number) == 0 &&
                    wb_row_raw(row, b) == 0 && buf_addc(b, '\n') != 0)
                    b->max = b->len;
            }
        }
        if (i < WBFZ_SHEETS)
            out->st[i] = st;
        unsigned long long done, total;
        wb_progress(r, &done, &total);
    }
    wb_free(r);
}

static void wbfz_free(wbfz_read *x)
{
    for (size_t i = 0; i < WBFZ_SHEETS; i++)
        buf_free(&x->rows[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = (unsigned)(data[size / 2] ^ data[size - 1]);
    (void)wb_sniff(data, size);
    int fd = (int)syscall(SYS_memfd_create, "fuzz-workbook", 0);
    if (fd < 0)
        return 0;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            close(fd);
            return 0;
        }
        off += (size_t)w;
    }
    wb_options opt;
    memset(&opt, 0, sizeof opt);
    if (mode & 1)
        opt.sst_mem_bytes = 64; /* spilled: pages and single strings */
    opt.inflate_thread = (mode & 2) ? 1 : -1;
    if (mode & 4)
        opt.max_row_bytes = 256 + (mode >> 3) * 64;
    static wbfz_read fast, ref;
    wbfz_run(fd, &opt, &fast);
    opt.xml_reference = 1;
    wbfz_run(fd, &opt, &ref);
    /* the small parts are read by expat either way */
    if (fast.open != ref.open && fast.open != TA_E_NOMEM &&
        ref.open != TA_E_NOMEM)
        __builtin_trap();
    if (fast.open == TA_OK && ref.open == TA_OK) {
        for (size_t i = 0; i < ref.nsheets && i < WBFZ_SHEETS; i++) {
            if (ref.st[i] != TA_OK || fast.st[i] == TA_E_NOMEM)
                continue;
            if (fast.st[i] != TA_OK)
                __builtin_trap(); /* the scanner refused what expat read */
            const ta_buf *a = &fast.rows[i], *b = &ref.rows[i];
            if (a->len != b->len || (a->len && memcmp(a->p, b->p, a->len)))
                __builtin_trap(); /* the two engines disagree */
        }
    }
    wbfz_free(&fast);
    wbfz_free(&ref);
    close(fd);
    return 0;
}
