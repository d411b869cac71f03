/* hash.h - the one non-cryptographic string hash of the project: 64-bit
 * FNV-1a (Fowler, Noll, Vo). Fast and stable across runs and machines, so
 * it may name things that are stored (ids, shard numbers); never use it
 * where an adversary picks keys to collide (admin keys take SHA-256).
 *
 * Values are fixed: changing them would move offerings between shards and
 * change the ids of records harvested without one (tests/unit/test_base.c
 * pins them). */
#ifndef VINDPLAATS_HASH_H
#define VINDPLAATS_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The hash of nothing: where a hash built with vp_hash_add starts. */
#define VP_HASH_INIT 14695981039346656037ULL

/* `h` continued over `len` bytes at `data` (FNV-1a). */
uint64_t vp_hash_add(uint64_t h, const void *data, size_t len) VP_NOEXCEPT;
/* The hash of the NUL-terminated `s` (NULL hashes as ""). */
uint64_t vp_hash_str(const char *s) VP_NOEXCEPT;
/* `h` with every bit stirred into every other (the 64-bit finaliser of
 * MurmurHash3). FNV-1a's low bits are weak: its lowest is the parity of
 * the low bits of the bytes, the same for every ISBN-13, so take
 * `vp_hash_mix(h) % n`, never `h % n`, to spread keys over n buckets. */
uint64_t vp_hash_mix(uint64_t h) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
