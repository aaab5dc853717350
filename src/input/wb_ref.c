/*
 * wb_ref.c — cell and sheet references as Excel writes them (C17,
 * 'My sheet') and a row's raw text as one CSV line (workbook.h): what
 * messages and the rejected rows show of a workbook.
 */
#include "workbook.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void wb_cell_ref(unsigned long row, size_t col, char out[16])
{
    char letters[8];
    size_t n = 0;
    size_t c = col + 1;
    while (c > 0 && n < sizeof letters) {
        c--;
        letters[n++] = (char)('A' + c % 26);
        c /= 26;
    }
    size_t k = 0;
    while (n > 0 && k < 7)
        out[k++] = letters[--n];
    snprintf(out + k, 16 - k, "%lu", row);
}

void wb_col_letters(size_t col, char *out, size_t len)
{
    char ref[16];
    wb_cell_ref(1, col, ref);
    snprintf(out, len, "%.*s", (int)strcspn(ref, "0123456789"), ref);
}

int wb_sheet_ref(const char *sheet, ta_buf *out)
{
    int plain = sheet[0] != '\0' && !(sheet[0] >= '0' && sheet[0] <= '9');
    for (const char *p = sheet; *p && plain; p++) {
        unsigned char c = (unsigned char)*p;
        if (!(isalnum(c) || c == '_' || c == '.' || c >= 0x80))
            plain = 0;
    }
    if (plain)
        return buf_adds(out, sheet);
    if (buf_addc(out, '\''))
        return -1;
    for (const char *p = sheet; *p; p++) {
        if (*p == '\'' && buf_addc(out, '\''))
            return -1;
        if (buf_addc(out, *p))
            return -1;
    }
    return buf_addc(out, '\'');
}

int wb_row_raw(const wb_row *row, ta_buf *out)
{
    for (size_t i = 0; i < row->ncells; i++) {
        const char *s = row->cells[i];
        size_t n = row->lens[i];
        if (i && buf_addc(out, ','))
            return -1;
        int quote = 0;
        for (size_t k = 0; k < n && !quote; k++)
            if (s[k] == ',' || s[k] == '"' || s[k] == '\r' || s[k] == '\n')
                quote = 1;
        if (!quote) {
            if (buf_add(out, s, n))
                return -1;
            continue;
        }
        if (buf_addc(out, '"'))
            return -1;
        for (size_t k = 0; k < n; k++) {
            if (s[k] == '"' && buf_addc(out, '"'))
                return -1;
            if (buf_addc(out, s[k]))
                return -1;
        }
        if (buf_addc(out, '"'))
            return -1;
    }
    return 0;
}
