/*
 * sha256.h — SHA-256 (FIPS 180-4), streaming. Used for the provenance of
 * imports (SPEC §3: identical content imported again is a no-op) and the
 * fingerprint of a rules file. No allocation.
 */
#ifndef TICKET_AUDIT_SHA256_H
#define TICKET_AUDIT_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t bits;
    unsigned char buf[64];
    size_t used;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
/* Writes the 32-byte digest. */
void sha256_final(sha256_ctx *c, unsigned char out[32]);
/* Writes the 64 lower-case hex digits and a NUL. */
void sha256_hex(const unsigned char digest[32], char out[65]);

#endif
