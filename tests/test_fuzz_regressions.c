/*
 * test_fuzz_regressions.c — replays, through the fuzz targets' own entry
 * points (tests/fuzz/fuzz_*.c, included here with their entry point
 * renamed), every input kept under tests/fuzz/regressions/<target>/ and
 * every seed under tests/fuzz/seeds/<target>/. A target traps (abort) on
 * a broken invariant, and the sanitizer build catches memory errors, so a
 * case passes when it simply returns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define LLVMFuzzerTestOneInput fuzz_csv_one
#include "fuzz/fuzz_csv.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_date_one
#include "fuzz/fuzz_date.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_validators_one
#include "fuzz/fuzz_validators.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_rules_one
#include "fuzz/fuzz_rules.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_mask_one
#include "fuzz/fuzz_mask.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_workbook_one
#include "fuzz/fuzz_workbook.c"
#undef LLVMFuzzerTestOneInput

typedef int (*fuzz_entry)(const uint8_t *, size_t);

/* Runs every file of tests/fuzz/<kind>/<target>/ through fn; returns how
 * many were run (a missing folder is 0). */
static size_t replay_dir(const char *kind, const char *target, fuzz_entry fn)
{
    char rel[256], dir[1024], file[2048];
    snprintf(rel, sizeof rel, "tests/fuzz/%s/%s", kind, target);
    tu_path(dir, sizeof dir, rel);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        size_t len = 0;
        char *data = tu_read_file(file, &len);
        assert_non_null(data);
        /* An exact-size copy, so a read past the end is caught. */
        uint8_t *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        memcpy(copy, data, len);
        free(data);
        print_message("replay %s/%s/%s\n", kind, target, e->d_name);
        fn(copy, len);
        free(copy);
        n++;
    }
    closedir(d);
    return n;
}

static void replay(const char *target, fuzz_entry fn)
{
    size_t n = replay_dir("regressions", target, fn);
    n += replay_dir("seeds", target, fn);
    assert_true(n > 0); /* every target has seeds */
}

static void fuzz_csv_replay(void **state)
{
    (void)state;
    replay("csv", fuzz_csv_one);
}

static void fuzz_date_replay(void **state)
{
    (void)state;
    replay("date", fuzz_date_one);
}

static void fuzz_validators_replay(void **state)
{
    (void)state;
    replay("validators", fuzz_validators_one);
}

static void fuzz_rules_replay(void **state)
{
    (void)state;
    replay("rules", fuzz_rules_one);
}

static void fuzz_mask_replay(void **state)
{
    (void)state;
    replay("mask", fuzz_mask_one);
}

static void fuzz_workbook_replay(void **state)
{
    (void)state;
    replay("workbook", fuzz_workbook_one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fuzz_csv_replay),
        cmocka_unit_test(fuzz_date_replay),
        cmocka_unit_test(fuzz_validators_replay),
        cmocka_unit_test(fuzz_rules_replay),
        cmocka_unit_test(fuzz_mask_replay),
        cmocka_unit_test(fuzz_workbook_replay),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rules_judge_free(valfz_judge);
    rules_free(valfz_rules);
    return rc;
}
