/*
 * fuzz_csv.c — libFuzzer target for the CSV reader (src/csv.c): the first
 * pass (encoding, binary and UTF-16 detection), header detection with a
 * score callback, transcoding and row streaming to the end of the input.
 *
 * The first input byte chooses the options (encoding forced or detected,
 * header detection on or off, a small max_row_bytes); the rest is the file.
 * Every returned field is read whole, so ASan sees any bad length.
 */
#include <stdint.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const csvfz_known[] = {"id tiket", "tanggal", "email", "hp",
                                    "cso",      "resume",  "nama",  "a",
                                    "b",        "c"};

static size_t csvfz_score(void *ctx, const csv_row *row)
{
    (void)ctx;
    size_t n = 0;
    for (size_t i = 0; i < row->nfields; i++) {
        if (strlen(row->fields[i]) != row->lens[i])
            __builtin_trap(); /* a field's length must match its text */
        for (size_t k = 0; k < sizeof csvfz_known / sizeof csvfz_known[0]; k++)
            if (strcmp(row->fields[i], csvfz_known[k]) == 0)
                n++;
    }
    return n;
}

static volatile size_t csvfz_sink;

static void csvfz_touch_row(const csv_row *row)
{
    size_t acc = 0;
    for (size_t i = 0; i < row->nfields; i++) {
        if (strlen(row->fields[i]) != row->lens[i])
            __builtin_trap();
        acc += row->lens[i];
    }
    for (size_t i = 0; i < row->raw_len; i++)
        acc += (unsigned char)row->raw[i];
    csvfz_sink = acc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    data++;
    size--;
    csv_options opt;
    memset(&opt, 0, sizeof opt);
    opt.encoding = (csv_encoding)(mode % 3);
    if ((mode >> 2) & 1)
        opt.score_header = NULL;
    else
        opt.score_header = csvfz_score;
    if ((mode >> 3) & 1)
        opt.max_row_bytes = 64 + (mode >> 4) * 16;
    csv_reader *r = NULL;
    csv_status st = csv_open_memory("fuzz.csv", (const char *)data, size,
                                    &opt, &r);
    if (st == CSV_OK) {
        const csv_row *h = csv_header(r);
        if (h)
            csvfz_touch_row(h);
        const csv_row *row;
        while ((st = csv_next(r, &row)) == CSV_ROW)
            csvfz_touch_row(row);
        (void)csv_delimiter(r);
        (void)csv_offset(r);
    }
    if (r)
        csvfz_sink = strlen(csv_errmsg(r));
    csv_close(r);
    return 0;
}
