/*
 * test_sha256.c — the SHA-256 the program computes (nettle's, through
 * include/sha256.h's hex form) against the NIST test vectors (FIPS 180-4
 * examples and the "one million a" long message), fed whole, byte by
 * byte and in odd-sized chunks, plus the padding boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"

static void hash_hex(const void *data, size_t len, char out[65])
{
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, len, data);
    sha256_hex(&c, out);
}

/* Hashes msg fed in chunks of the given size. */
static void hash_chunked(const char *msg, size_t len, size_t chunk,
                         char out[65])
{
    struct sha256_ctx c;
    sha256_init(&c);
    for (size_t off = 0; off < len; off += chunk)
        sha256_update(&c, len - off < chunk ? len - off : chunk,
                      (const uint8_t *)msg + off);
    sha256_hex(&c, out);
}

static void sha256_nist_empty(void **state)
{
    (void)state;
    char hex[65];
    hash_hex("", 0, hex);
    assert_string_equal(
        hex,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void sha256_nist_abc(void **state)
{
    (void)state;
    char hex[65];
    hash_hex("abc", 3, hex);
    assert_string_equal(
        hex,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static const char msg448[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char hex448[] =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

static void sha256_nist_448_bits(void **state)
{
    (void)state;
    char hex[65];
    assert_int_equal(strlen(msg448), 56);
    hash_hex(msg448, 56, hex);
    assert_string_equal(hex, hex448);
}

/* Every chunk size 1..64 gives the same digest: the buffering of partial
 * blocks is right at every boundary. */
static void sha256_nist_448_bits_every_chunk_size(void **state)
{
    (void)state;
    char hex[65];
    for (size_t chunk = 1; chunk <= 64; chunk++) {
        hash_chunked(msg448, 56, chunk, hex);
        assert_string_equal(hex, hex448);
    }
}

static void sha256_nist_896_bits(void **state)
{
    (void)state;
    static const char msg[] =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
        "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    char hex[65];
    hash_hex(msg, strlen(msg), hex);
    assert_string_equal(
        hex,
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* One million 'a', fed in odd-sized chunks (prime sizes that straddle the
 * block boundary differently each time). */
static void sha256_nist_million_a_odd_chunks(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 3, 7, 13, 63, 65, 127, 1000, 4099};
    const size_t total = 1000000;
    char *a = malloc(total);
    assert_non_null(a);
    memset(a, 'a', total);
    struct sha256_ctx c;
    char hex[65];
    size_t off = 0, k = 0;
    sha256_init(&c);
    while (off < total) {
        size_t n = sizes[k++ % (sizeof sizes / sizeof sizes[0])];
        if (n > total - off)
            n = total - off;
        sha256_update(&c, n, (const uint8_t *)a + off);
        off += n;
    }
    sha256_hex(&c, hex);
    assert_string_equal(
        hex,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    hash_hex(a, total, hex);
    assert_string_equal(
        hex,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

/* Messages of 55, 56, 63, 64 and 65 bytes pad into one or two blocks;
 * digests computed with sha256sum(1). */
static void sha256_padding_boundaries(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        const char *hex;
    } v[] = {
        {55,
         "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56,
         "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63,
         "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64,
         "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {65,
         "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
    };
    char buf[65], hex[65];
    memset(buf, 'a', sizeof buf);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        hash_hex(buf, v[i].len, hex);
        assert_string_equal(hex, v[i].hex);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_nist_empty),
        cmocka_unit_test(sha256_nist_abc),
        cmocka_unit_test(sha256_nist_448_bits),
        cmocka_unit_test(sha256_nist_448_bits_every_chunk_size),
        cmocka_unit_test(sha256_nist_896_bits),
        cmocka_unit_test(sha256_nist_million_a_odd_chunks),
        cmocka_unit_test(sha256_padding_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
