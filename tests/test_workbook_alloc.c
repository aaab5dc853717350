/*
 * test_workbook_alloc.c — the workbook reader when memory runs out: the
 * N-th allocation fails, for every N until a whole read needs no more.
 * Each time the reader must return TA_E_NOMEM (or succeed, when what
 * failed had a way around it), never crash, and leak nothing (the
 * sanitizer build checks leaks at exit).
 *
 * The failures come from the shared hook (tests/alloc_fail.h): every
 * allocation of ta_core and of this file is counted; the libraries' own
 * (zlib, expat, minizip) are not, and never fail.
 */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_fail.h"
#include "testutil.h"
#include "workbook.h"

static char last_msg[1200];

/* Opens and reads every worksheet; the first status that is not TA_OK. */
static ta_status read_all(const char *rel, const wb_options *opt)
{
    char path[1024];
    tu_path(path, sizeof path, rel);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    wb_reader *r = NULL;
    ta_status st = wb_open_fd(fd, rel, opt, &r);
    ta_buf raw;
    buf_init(&raw, 0);
    for (size_t i = 0; st == TA_OK && i < wb_sheet_count(r); i++) {
        if (wb_sheet_type(r, i) != WB_SHEET_WORKSHEET)
            continue;
        st = wb_sheet_open(r, i);
        const wb_row *row;
        while (st == TA_OK && (st = wb_next_row(r, &row)) == TA_OK && row) {
            buf_reset(&raw);
            if (wb_row_raw(row, &raw))
                st = TA_E_NOMEM;
        }
    }
    if (st != TA_OK)
        snprintf(last_msg, sizeof last_msg, "%s", wb_errmsg(r));
    buf_free(&raw);
    wb_free(r);
    close(fd);
    return st;
}

static void sweep(const char *rel, const wb_options *opt)
{
    alloc_fail_at(0);
    assert_int_equal(read_all(rel, opt), TA_OK);
    for (unsigned long n = 1;; n++) {
        alloc_fail_at(n);
        ta_status st = read_all(rel, opt);
        int hit = alloc_failed();
        alloc_fail_at(0);
        if (!hit)
            break; /* the whole read needed fewer allocations: done */
        if (st != TA_OK && st != TA_E_NOMEM)
            fail_msg("%s: allocation %lu failing gave status %d: %s", rel, n,
                     (int)st, last_msg);
        if (n > 100000)
            fail_msg("%s: no end to the sweep", rel);
    }
}

static void alloc_fail_xlsx_shared_strings(void **state)
{
    (void)state;
    wb_options o;
    memset(&o, 0, sizeof o);
    o.inflate_thread = -1;
    sweep("tests/conformance/xlsx/poi_51519.xlsx", &o);
}

static void alloc_fail_xlsx_spilled_and_threaded(void **state)
{
    (void)state;
    wb_options o;
    memset(&o, 0, sizeof o);
    o.sst_mem_bytes = 64;
    o.inflate_thread = 1;
    sweep("tests/conformance/xlsx/lxw_shared_strings01.xlsx", &o);
}

static void alloc_fail_xlsx_expat(void **state)
{
    (void)state;
    wb_options o;
    memset(&o, 0, sizeof o);
    o.xml_reference = 1;
    o.inflate_thread = -1;
    sweep("fixtures/xlsx/xw_apkt_title_block.xlsx", &o);
}

static void alloc_fail_xls(void **state)
{
    (void)state;
    wb_options o;
    memset(&o, 0, sizeof o);
    sweep("fixtures/xlsx/lo_apkt_title_block.xls", &o);
    o.sst_mem_bytes = 64;
    sweep("tests/conformance/xlsx/calamine_sst_continue.xls", &o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_fail_xlsx_shared_strings),
        cmocka_unit_test(alloc_fail_xlsx_spilled_and_threaded),
        cmocka_unit_test(alloc_fail_xlsx_expat),
        cmocka_unit_test(alloc_fail_xls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
