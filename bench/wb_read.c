/*
 * wb_read.c — reads every row of every worksheet of a workbook with the
 * workbook reader (include/workbook.h) and prints rows/s; a benchmark and
 * debugging tool, not part of the program.
 *
 *     wb_read [--dump] [--expat] [--sst-mem BYTES] [--threads N] FILE...
 *
 * --dump prints each row (row number, then the cells joined as the rejects'
 * raw text); --expat parses worksheets with expat instead of the fast
 * scanner; --sst-mem sets the shared strings' memory budget; --threads
 * -1 inflates on the reading thread, 1 always on a second one (0, the
 * default: entries of 1 MiB and more).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workbook.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int dump = 0;
    wb_options opt;
    memset(&opt, 0, sizeof opt);
    int a = 1;
    for (; a < argc && strncmp(argv[a], "--", 2) == 0; a++) {
        if (strcmp(argv[a], "--dump") == 0)
            dump = 1;
        else if (strcmp(argv[a], "--expat") == 0)
            opt.xml_reference = 1;
        else if (strcmp(argv[a], "--sst-mem") == 0 && a + 1 < argc)
            opt.sst_mem_bytes = (size_t)strtoull(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "--threads") == 0 && a + 1 < argc)
            opt.inflate_thread = (int)strtol(argv[++a], NULL, 10);
        else {
            fprintf(stderr, "usage: wb_read [--dump] [--expat] [--sst-mem "
                            "BYTES] [--threads N] FILE...\n");
            return 2;
        }
    }
    int status = 0;
    ta_buf raw;
    buf_init(&raw, 0);
    for (; a < argc; a++) {
        int fd = open(argv[a], O_RDONLY);
        if (fd < 0) {
            perror(argv[a]);
            status = 1;
            continue;
        }
        double t0 = now();
        wb_reader *r = NULL;
        ta_status st = wb_open_fd(fd, argv[a], &opt, &r);
        if (st != TA_OK) {
            printf("OPEN ERROR %d: %s\n", (int)st, wb_errmsg(r));
            wb_free(r);
            close(fd);
            status = 1;
            continue;
        }
        unsigned long rows = 0;
        unsigned long long cells = 0;
        for (size_t i = 0; i < wb_sheet_count(r); i++) {
            if (dump)
                printf("SHEET %zu \"%s\"%s%s\n", i, wb_sheet_name(r, i),
                       wb_sheet_hidden(r, i) ? " hidden" : "",
                       wb_sheet_type(r, i) == WB_SHEET_WORKSHEET ? ""
                       : wb_sheet_type(r, i) == WB_SHEET_CHART   ? " chart"
                                                                 : " other");
            if (wb_sheet_type(r, i) != WB_SHEET_WORKSHEET)
                continue;
            st = wb_sheet_open(r, i);
            const wb_row *row = NULL;
            while (st == TA_OK && (st = wb_next_row(r, &row)) == TA_OK &&
                   row) {
                rows++;
                cells += row->ncells;
                if (dump) {
                    buf_reset(&raw);
                    if (wb_row_raw(row, &raw) == 0)
                        printf("%lu: %s\n", row->number, raw.p ? raw.p : "");
                }
            }
            if (st != TA_OK) {
                printf("SHEET ERROR %d: %s\n", (int)st, wb_errmsg(r));
                status = 1;
            }
        }
        double t1 = now();
        fprintf(stderr,
                "%s: %s, %zu sheets, %lu rows, %llu cells, %.2f s, "
                "%.0f rows/s%s\n",
                argv[a], wb_format(r), wb_sheet_count(r), rows, cells, t1 - t0,
                (double)rows / (t1 - t0 > 0 ? t1 - t0 : 1e-9),
                wb_date1904(r) ? ", 1904 dates" : "");
        wb_free(r);
        close(fd);
    }
    buf_free(&raw);
    return status;
}
