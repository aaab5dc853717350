/*
 * test_splice.c — the rows of a long sheet deflated while written and
 * spliced into the zip (src/report/splice.c, deflate_level.c), through
 * minizip's own API as libxlsxwriter calls it: a part holding a marker
 * inflates (read back by minizip's unzip, which checks the CRC-32) to the
 * part with the rows in the marker's place, wherever the part's writes
 * cut the marker; text that only starts like a marker stays as it is; a
 * marker no splice stands for fails the part; the registry counts ready
 * splices the zip never claimed. And the read-back (verify.c) of such a
 * part through its recorded streams (segments.c) side by side: whole, it
 * passes; one byte changed on disk, or a record whose boundaries are one
 * byte off, and it fails; without a record it is read in one pass. With
 * TA_FAST_DEFLATE off there is no override and nothing to test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unzip.h>
#include <zip.h>

#include <fcntl.h>
#include <unistd.h>

#include "report/report_internal.h"
#include "report/segments.h"
#include "report/splice.h"
#include "testutil.h"

#if TA_FAST_DEFLATE

typedef struct fx {
    char dir[512];
    char zip[600];
    char *rows; /* ~3 MB of rows' XML: several of the pool's chunks */
    size_t nrows;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(tu_tmpdir(f->dir, sizeof f->dir), 0);
    snprintf(f->zip, sizeof f->zip, "%s/t.zip", f->dir);
    f->rows = malloc(4u << 20);
    assert_non_null(f->rows);
    unsigned long long s = 7;
    for (int r = 1; f->nrows < (3u << 20); r++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        f->nrows += (size_t)snprintf(
            f->rows + f->nrows, 256,
            "<row r=\"%d\"><c r=\"A%d\" t=\"inlineStr\"><is><t>T%llu &lt;"
            " padam %llx</t></is></c></row>",
            r, r, s >> 40, s >> 13);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    free(f->rows);
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

/* A splice of the rows, ended; its marker into mark. */
static rpt_splice *rows_splice(fx *f, char *mark)
{
    rpt_splice *s = rpt_splice_new(f->dir, mark);
    assert_non_null(s);
    /* in uneven pieces, as the rows' batches come */
    for (size_t i = 0; i < f->nrows; i += 70001) {
        size_t n = f->nrows - i < 70001 ? f->nrows - i : 70001;
        assert_int_equal(rpt_splice_write(s, f->rows + i, n), 0);
    }
    assert_int_equal(rpt_splice_end(s), 0);
    return s;
}

/* One part named x.xml, written in the given pieces; ZIP_OK or the
 * first error. */
static int write_part(fx *f, const char *const *piece, const size_t *len,
                      int n)
{
    zipFile z = zipOpen64(f->zip, APPEND_STATUS_CREATE);
    assert_non_null(z);
    zip_fileinfo zi;
    memset(&zi, 0, sizeof zi);
    int rc = zipOpenNewFileInZip4_64(z, "x.xml", &zi, NULL, 0, NULL, 0, NULL,
                                     Z_DEFLATED, Z_DEFAULT_COMPRESSION, 0,
                                     -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, NULL,
                                     0, 0, 0, 1);
    assert_int_equal(rc, ZIP_OK);
    for (int i = 0; rc == ZIP_OK && i < n; i++)
        rc = zipWriteInFileInZip(z, piece[i], (unsigned)len[i]);
    int closed = zipCloseFileInZip(z);
    if (rc == ZIP_OK)
        rc = closed;
    assert_int_equal(zipClose(z, NULL), ZIP_OK);
    return rc;
}

/* x.xml read back whole (minizip checks its CRC-32 at the end). */
static char *read_part(fx *f, size_t *len)
{
    unzFile z = unzOpen64(f->zip);
    assert_non_null(z);
    assert_int_equal(unzLocateFile(z, "x.xml", 1), UNZ_OK);
    unz_file_info64 fi;
    assert_int_equal(
        unzGetCurrentFileInfo64(z, &fi, NULL, 0, NULL, 0, NULL, 0), UNZ_OK);
    char *buf = malloc(fi.uncompressed_size + 1);
    assert_non_null(buf);
    assert_int_equal(unzOpenCurrentFile(z), UNZ_OK);
    size_t got = 0;
    int r;
    while ((r = unzReadCurrentFile(z, buf + got, 1 << 16)) > 0)
        got += (size_t)r;
    assert_int_equal(r, 0);
    assert_int_equal(unzCloseCurrentFile(z), UNZ_OK); /* the CRC-32 */
    unzClose(z);
    assert_int_equal(got, fi.uncompressed_size);
    buf[got] = 0;
    *len = got;
    return buf;
}

/* The part around the marker: what libxlsxwriter writes before and after
 * a sheet's rows, with text that starts like a marker and is none. */
static const char head[] =
    "<?xml version=\"1.0\"?><worksheet><!--ta-rows-0000zz--><sheetData>";
static const char tail[] = "</sheetData><!--ta-rows-</worksheet><!--ta-rows-";

static void marker_cut_anywhere(void **state)
{
    fx *f = *state;
    /* a write that ends in what could start a marker, and the next one
     * that shows it is none */
    static const char cut1[] = "<x/><!--ta-ro", cut2[] = "ws-q-->";
    size_t want_len = strlen(head) + f->nrows + strlen(cut1) + strlen(cut2) +
                      strlen(tail);
    char *want = malloc(want_len + 1);
    assert_non_null(want);
    snprintf(want, want_len + 1, "%s%.*s%s%s%s", head, (int)f->nrows,
             f->rows, cut1, cut2, tail);
    /* the marker whole in one write, and cut after each of its bytes */
    for (size_t cut = 0; cut < RPT_SPLICE_MARK; cut++) {
        char mark[RPT_SPLICE_MARK];
        rows_splice(f, mark);
        char a[256], b[256];
        size_t al = (size_t)snprintf(a, sizeof a, "%s%.*s", head, (int)cut,
                                     mark);
        size_t bl = (size_t)snprintf(b, sizeof b, "%.*s%s",
                                     (int)(RPT_SPLICE_MARK - cut), mark + cut,
                                     cut1);
        char c[256];
        size_t cl = (size_t)snprintf(c, sizeof c, "%s%s", cut2, tail);
        const char *piece[] = {a, b, c};
        size_t len[] = {al, bl, cl};
        assert_int_equal(write_part(f, piece, len, 3), ZIP_OK);
        size_t got;
        char *back = read_part(f, &got);
        assert_int_equal(got, want_len);
        assert_memory_equal(back, want, want_len);
        free(back);
        assert_int_equal(rpt_splice_settle(), 0); /* claimed */
    }
    free(want);
}

/* A part of its own past the pool's first chunk before the marker, and
 * two splices in one part (two sheets' worth): still the rows in place. */
static void two_splices_after_a_long_head(void **state)
{
    fx *f = *state;
    char m1[RPT_SPLICE_MARK], m2[RPT_SPLICE_MARK];
    rows_splice(f, m1);
    rows_splice(f, m2);
    const char *piece[] = {f->rows, m1, "<mid/>", m2, tail};
    size_t len[] = {f->nrows, RPT_SPLICE_MARK, 6, RPT_SPLICE_MARK,
                    strlen(tail)};
    assert_int_equal(write_part(f, piece, len, 5), ZIP_OK);
    size_t got;
    char *back = read_part(f, &got);
    assert_int_equal(got, 3 * f->nrows + 6 + strlen(tail));
    assert_memory_equal(back, f->rows, f->nrows);
    assert_memory_equal(back + f->nrows, f->rows, f->nrows);
    assert_memory_equal(back + 2 * f->nrows, "<mid/>", 6);
    assert_memory_equal(back + 2 * f->nrows + 6, f->rows, f->nrows);
    free(back);
    assert_int_equal(rpt_splice_settle(), 0);
}

/* A marker no splice stands for fails the part; a ready splice whose
 * marker never came is counted, then freed. */
static void unknown_marker_and_unclaimed_splice(void **state)
{
    fx *f = *state;
    char mark[RPT_SPLICE_MARK];
    rows_splice(f, mark);
    const char *bogus = "<!--ta-rows-00000000ffffffff-->";
    const char *piece[] = {head, bogus};
    size_t len[] = {strlen(head), RPT_SPLICE_MARK};
    assert_int_not_equal(write_part(f, piece, len, 2), ZIP_OK);
    assert_int_equal(rpt_splice_settle(), 1);
    assert_int_equal(rpt_splice_settle(), 0);
}

/* The part of a spliced sheet as verify.c reads it back. */
static void spliced_part(fx *f)
{
    char mark[RPT_SPLICE_MARK];
    rows_splice(f, mark);
    static const char end[] = "</sheetData></worksheet>";
    const char *piece[] = {head, mark, end};
    size_t len[] = {strlen(head), RPT_SPLICE_MARK, strlen(end)};
    rpt_segments_reset();
    assert_int_equal(write_part(f, piece, len, 3), ZIP_OK);
}

static ta_status verify_zip(fx *f, char *err, size_t errlen)
{
    int fd = open(f->zip, O_RDONLY);
    assert_true(fd >= 0);
    ta_status s = rpt_verify_xlsx(fd, f->zip, err, errlen);
    close(fd);
    return s;
}

static void read_back_by_segments(void **state)
{
    fx *f = *state;
    char err[1024];
    spliced_part(f);
    size_t n;
    const rpt_seg *seg = rpt_segments_of("x.xml", &n);
    assert_non_null(seg);
    assert_true(n >= 4); /* the head, the rows' chunks, the end */
    assert_int_equal(verify_zip(f, err, sizeof err), TA_OK);
    /* a record one byte off at one boundary (the same totals): a
     * segment no longer ends where a stream does */
    rpt_seg *bad = malloc(n * sizeof *bad);
    assert_non_null(bad);
    memcpy(bad, seg, n * sizeof *bad);
    bad[1].clen -= 1;
    bad[2].clen += 1;
    rpt_segments_reset();
    rpt_segments_begin("x.xml");
    for (size_t i = 0; i < n; i++)
        rpt_segments_add(bad[i].clen, bad[i].ulen);
    rpt_segments_end();
    assert_int_equal(verify_zip(f, err, sizeof err), TA_E_IO);
    assert_non_null(strstr(err, "x.xml does not inflate"));
    /* no record: one pass, and it passes */
    rpt_segments_reset();
    assert_int_equal(verify_zip(f, err, sizeof err), TA_OK);
    free(bad);
}

static void read_back_sees_a_changed_byte(void **state)
{
    fx *f = *state;
    char err[1024];
    spliced_part(f);
    /* a byte in the middle of the rows' deflated bytes */
    int fd = open(f->zip, O_RDWR);
    assert_true(fd >= 0);
    off_t size = lseek(fd, 0, SEEK_END);
    unsigned char b;
    assert_int_equal(pread(fd, &b, 1, size / 2), 1);
    b ^= 0x5A;
    assert_int_equal(pwrite(fd, &b, 1, size / 2), 1);
    close(fd);
    assert_int_equal(verify_zip(f, err, sizeof err), TA_E_IO);
    assert_non_null(strstr(err, "does not read back"));
    rpt_segments_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(marker_cut_anywhere, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(two_splices_after_a_long_head, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unknown_marker_and_unclaimed_splice,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(read_back_by_segments, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(read_back_sees_a_changed_byte, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void)
{
    return 0;
}

#endif
