/*
 * fuzz_rules.c — libFuzzer target for the rules-file parser (src/rules.c).
 * rules_load takes a path, so the input is written to a temporary file
 * (one per process, removed at exit). A file that loads is then used once:
 * its column names and one ticket judged with it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char rulfz_path[64];

static void rulfz_cleanup(void)
{
    if (rulfz_path[0])
        unlink(rulfz_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rulfz_path[0]) {
        snprintf(rulfz_path, sizeof rulfz_path, "/tmp/fuzz_rules.%ld.rules",
                 (long)getpid());
        atexit(rulfz_cleanup);
    }
    FILE *f = fopen(rulfz_path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    char err[512];
    rules *rs = NULL;
    ta_status st = rules_load(rulfz_path, &rs, err, sizeof err);
    if (st != TA_OK) {
        if (rs || !memchr(err, 0, sizeof err) || !err[0])
            __builtin_trap(); /* an error always has a message */
        return 0;
    }
    const char *names[3] = {"idtiket", "nolaporan", "email"};
    (void)rules_detect_source(rs, names, 3);
    (void)rules_is_known_column(rs, "hp");
    rules_judge *j = rules_judge_new(rs);
    if (j) {
        rules_ticket t;
        memset(&t, 0, sizeof t);
        t.source = TA_SRC_CRM;
        t.v[TA_F_EMAIL] = "budi@gmial.com";
        t.v[TA_F_HP] = "0812";
        t.v[TA_F_TYPE] = "gangguan";
        t.v[TA_F_URGENCY] = "darurat";
        t.v[TA_F_NOTES] = "pelanggan marah, tidak punya email";
        t.v[TA_F_RELATION] = "tetangga";
        rules_verdict v;
        /* A fuzzed pattern may not finish: then it must say why. */
        if (rules_judge_ticket(j, &t, &v) != TA_OK &&
            rules_judge_errmsg(j)[0] == '\0')
            __builtin_trap();
        rules_judge_free(j);
    }
    rules_free(rs);
    return 0;
}
