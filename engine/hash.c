/* hash.c - 64-bit FNV-1a and a finaliser for bucketing (see hash.h). */
#include "vindplaats/hash.h"

#include <string.h>

uint64_t vp_hash_add(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

uint64_t vp_hash_str(const char *s)
{
    return vp_hash_add(VP_HASH_INIT, s ? s : "", s ? strlen(s) : 0);
}

uint64_t vp_hash_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}
