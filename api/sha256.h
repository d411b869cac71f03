/* sha256.h - SHA-256 (FIPS 180-4), for hashing admin keys. Private to api/.
 *
 * A compact, portable implementation: keys are short and hashed once per
 * admin request, so speed does not matter; correctness is checked against
 * the FIPS test vectors in tests/unit/test_auth.c. */
#ifndef VINDPLAATS_API_SHA256_H
#define VINDPLAATS_API_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t total;          /* bytes hashed so far */
    unsigned char block[64];
    size_t used;             /* bytes waiting in `block` */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
/* Writes the digest and wipes the context. */
void sha256_final(sha256_ctx *c, unsigned char out[SHA256_LEN]);
/* The digest of `len` bytes in one call. */
void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);

#endif
