/*
 * fingerprint.c — a ticket's fingerprint (see fingerprint.h).
 */
#include "fingerprint.h"

#include <sqlite3.h>
#include <stdint.h>

#include "sha256.h"

static void put_field(struct sha256_ctx *c, const char *v, size_t len)
{
    if (!v) {
        sha256_update(c, 1, (const uint8_t *)"-");
        return;
    }
    uint8_t head[9];
    head[0] = '=';
    uint64_t n = len;
    for (int i = 0; i < 8; i++)
        head[1 + i] = (uint8_t)(n >> (8 * i));
    sha256_update(c, sizeof head, head);
    if (len)
        sha256_update(c, len, (const uint8_t *)v);
}

void fingerprint_ticket(ta_source src, const char *const v[TA_F_COUNT],
                        const size_t len[TA_F_COUNT],
                        char out[FINGERPRINT_SIZE])
{
    static const char digits[] = "0123456789abcdef";
    struct sha256_ctx c;
    sha256_init(&c);
    const char *name = ta_source_name(src);
    size_t nlen = 0;
    while (name[nlen])
        nlen++;
    put_field(&c, name, nlen);
    for (int f = 0; f < TA_F_COUNT; f++)
        put_field(&c, v[f], v[f] ? len[f] : 0);
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&c, sizeof d, d);
    for (size_t i = 0; i < (FINGERPRINT_SIZE - 1) / 2; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[FINGERPRINT_SIZE - 1] = '\0';
}

static void sql_fingerprint(sqlite3_context *ctx, int argc,
                            sqlite3_value **argv)
{
    if (argc != 1 + TA_F_COUNT) {
        sqlite3_result_error(ctx, "ta_fingerprint: wrong number of columns",
                             -1);
        return;
    }
    ta_source src =
        ta_source_parse((const char *)sqlite3_value_text(argv[0]));
    const char *v[TA_F_COUNT];
    size_t len[TA_F_COUNT];
    for (int f = 0; f < TA_F_COUNT; f++) {
        sqlite3_value *a = argv[1 + f];
        if (sqlite3_value_type(a) == SQLITE_NULL) {
            v[f] = NULL;
            len[f] = 0;
            continue;
        }
        v[f] = (const char *)sqlite3_value_text(a);
        len[f] = (size_t)sqlite3_value_bytes(a);
        if (!v[f]) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
    }
    char out[FINGERPRINT_SIZE];
    fingerprint_ticket(src, v, len, out);
    sqlite3_result_text(ctx, out, FINGERPRINT_SIZE - 1, SQLITE_TRANSIENT);
}

int fingerprint_register_sql(sqlite3 *db)
{
    return sqlite3_create_function(db, "ta_fingerprint", 1 + TA_F_COUNT,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                   sql_fingerprint, NULL, NULL) == SQLITE_OK
               ? 0
               : -1;
}
