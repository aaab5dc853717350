/*
 * fuzz_date.c — libFuzzer target for date_parse (src/date.c). A date it
 * accepts must be a real calendar date in the documented year range
 * (0001-9999), and must format back to a string date_parse reads as the
 * same date.
 */
#include <stdint.h>
#include <string.h>

#include "date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ta_date d;
    if (!date_parse((const char *)data, size, &d))
        return 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d.year < 1 || d.year > 9999 || d.month < 1 || d.month > 12 ||
        d.day < 1 || d.day > mdays[d.month - 1])
        __builtin_trap();
    char buf[11], per[8];
    date_format(&d, buf);
    date_period(&d, per);
    ta_date back;
    if (!date_parse(buf, strlen(buf), &back) || back.year != d.year ||
        back.month != d.month || back.day != d.day)
        __builtin_trap();
    return 0;
}
