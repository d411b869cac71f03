/* sha256.h - SHA-256 for api/ (admin keys, salted client tags, query ids),
 * computed by Nettle: security code comes from a well-kept library, not
 * from our own hands. Private to api/.
 *
 * Streaming use is Nettle's own API (struct sha256_ctx, sha256_init,
 * sha256_update(ctx, length, data), sha256_digest); this header adds the
 * one-call form. tests/unit/test_auth.c checks the FIPS 180-4 examples. */
#ifndef VINDPLAATS_API_SHA256_H
#define VINDPLAATS_API_SHA256_H

#include <stddef.h>

#include <nettle/sha2.h>

#define SHA256_LEN SHA256_DIGEST_SIZE

/* The digest of `len` bytes at `data` into out. */
static inline void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, len, data);
    sha256_digest(&c, SHA256_LEN, out); /* resets the context */
}

#endif
