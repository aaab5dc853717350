/*
 * sha256.h — the SHA-256 of imports (SPEC §3: identical content imported
 * again is a no-op) and of rules files, as 64 lower-case hex digits.
 *
 * The hashing itself is Debian's nettle (nettle-dev, <nettle/sha2.h>),
 * whose sha256_* pick the CPU's SHA instructions at run time (a "fat"
 * build); this header only adds the hex form every caller stores. Use
 * nettle's own calls to hash:
 *
 *     struct sha256_ctx c;
 *     char hex[SHA256_HEX_SIZE];
 *     sha256_init(&c);
 *     sha256_update(&c, len, (const uint8_t *)data);   (any number of times)
 *     sha256_hex(&c, hex);
 */
#ifndef TICKET_AUDIT_SHA256_H
#define TICKET_AUDIT_SHA256_H

#include <nettle/sha2.h>
#include <stddef.h>
#include <stdint.h>

/* The hex digest and its NUL. */
#define SHA256_HEX_SIZE (2 * SHA256_DIGEST_SIZE + 1)

/* Finishes c (which nettle then resets for a new message) and writes its
 * digest as lower-case hex digits and a NUL. */
static inline void sha256_hex(struct sha256_ctx *c, char out[SHA256_HEX_SIZE])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(c, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * SHA256_DIGEST_SIZE] = '\0';
}

#endif
