/*
 * header.c — a header row of an export (SPEC §3 "Header row", "Source
 * detection", "Canonical fields"): how many known names it holds, which
 * system it comes from, where each canonical field is, and the messages
 * that quote it. The same for a CSV header and a worksheet's.
 *
 * A "header" may be any row of a file that has none, so every name quoted
 * in a message is masked (mask.h): the first row of a headerless export is
 * often a ticket with its customer's email and HP.
 */
#include "import_shared.h"

#include <stdio.h>
#include <string.h>

#include "mask.h"
#include "utf8.h"

static const ta_field required_fields[] = {TA_F_TICKET_ID, TA_F_DATE,
                                           TA_F_EMAIL, TA_F_HP};

size_t header_score(const rules *rs, char *const *f, const size_t *len,
                    size_t n)
{
    char norm[IMPORT_NAME_MAX];
    size_t known = 0;
    for (size_t i = 0; i < n; i++) {
        if (len[i] == 0)
            continue;
        rules_normalize_header(f[i], len[i], norm, sizeof norm);
        if (norm[0] && rules_is_known_column(rs, norm))
            known++;
    }
    return known;
}

/* The first 256 bytes of a cell, masked (then cut by the caller: a cut
 * of the masked text never shows a digit the mask hides). */
static size_t masked_prefix(const char *s, size_t len, char *out,
                            size_t outlen)
{
    return mask_text(s, utf8_cut(s, len, 256), out, outlen);
}

void header_quote_row(char *const *f, const size_t *len, size_t n,
                      char *out, size_t outlen)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && i < 6; i++) {
        char masked[2 * 256 + 1];
        size_t ml = masked_prefix(f[i], len[i], masked, sizeof masked);
        size_t fl = utf8_cut(masked, ml, 24);
        int w = snprintf(out + o, outlen - o, "%s\"%.*s%s\"", i ? ", " : "",
                         (int)fl, masked,
                         fl < ml || len[i] > 256 ? "..." : "");
        if (w < 0 || (size_t)w >= outlen - o)
            return;
        o += (size_t)w;
    }
    if (n > 6)
        snprintf(out + o, outlen - o, ", ... (%zu fields)", n);
}

/* The header's names for a message: "A", "B", ... (each cut to 60
 * bytes, masked; "..." when the list does not fit). */
static void list_headers(char *const *f, const size_t *len, size_t n,
                         char *buf, size_t buflen)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (len[i] == 0)
            continue;
        char masked[2 * 256 + 1];
        size_t ml = masked_prefix(f[i], len[i], masked, sizeof masked);
        int w = snprintf(buf + o, buflen - o, "%s\"%.*s\"", o ? ", " : "",
                         (int)utf8_cut(masked, ml, 60), masked);
        if (w < 0 || (size_t)w >= buflen - o) {
            if (buflen > 4)
                memcpy(buf + buflen - 4, "...", 4);
            return;
        }
        o += (size_t)w;
    }
}

ta_status header_map_row(const rules *rs, ta_source given, char *const *f,
                         const size_t *len, size_t n, header_map *m,
                         char *why, size_t whylen)
{
    char found[768];
    /* At most this many names take part: no export has more columns, and
     * a row past it is no header (the readers allow 4096 / 16384). */
    enum { MAX_NAMES = 512 };
    char normbuf[MAX_NAMES][64];
    const char *names[MAX_NAMES];
    size_t nn = n < MAX_NAMES ? n : MAX_NAMES;
    for (size_t i = 0; i < nn; i++) {
        rules_normalize_header(f[i], len[i], normbuf[i], sizeof normbuf[i]);
        names[i] = normbuf[i];
    }
    ta_source src = given;
    if (src == TA_SRC_NONE)
        src = rules_detect_source(rs, names, nn);
    if (src == TA_SRC_NONE) {
        list_headers(f, len, n, found, sizeof found);
        snprintf(why, whylen,
                 "cannot tell whether this is a CRM, APKT or AP2T export (no "
                 "'ID Tiket'/'Resume', 'No Laporan'/'No Lapor'/'HP Pelapor' "
                 "or 'No Agenda'/'Jenis Permohonan' column); headers found: "
                 "%s. Give --source crm|apkt|ap2t",
                 found);
        return TA_E_DATA;
    }
    m->source = src;
    for (int k = 0; k < TA_F_COUNT; k++)
        m->col[k] = -1;
    for (size_t i = 0; i < nn; i++) {
        int k = names[i][0] ? rules_column_field(rs, src, names[i]) : -1;
        /* The first column of a field wins: a later duplicate (say both
         * "Tanggal" and "Waktu") is ignored, as documented. */
        if (k >= 0 && m->col[k] < 0)
            m->col[k] = (int)i;
    }
    for (size_t k = 0; k < sizeof required_fields / sizeof *required_fields;
         k++) {
        ta_field rf = required_fields[k];
        if (m->col[rf] < 0) {
            list_headers(f, len, n, found, sizeof found);
            snprintf(why, whylen,
                     "the %s export has no column for the required field "
                     "'%s'; headers found: %s. Rename the column or add its "
                     "name to a rules file (--rules)",
                     ta_source_name(src), ta_field_name(rf), found);
            return TA_E_DATA;
        }
    }
    return TA_OK;
}
