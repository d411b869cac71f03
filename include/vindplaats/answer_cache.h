/* answer_cache.h - finished answers of searches, per index version.
 *
 * A bounded, thread-safe map from the canonical form of a search
 * (vp_answer_key) to the bytes a caller made of its answer (the server: the
 * response body). Every answer belongs to the index version it was computed
 * on (vp_index_version): the cache holds answers of one version only, the
 * newest it has been shown, and drops them all when a newer one appears (a
 * commit, a rebuild switched in, a shard lost or back). A lookup at any
 * other version misses, so no answer of an older revision is ever served.
 * An answer may also carry the moment it goes stale (an event it shows as
 * "next" ends). Beyond its byte budget the least recently used answers go.
 *
 * Answers are copied in and out: the cache never lends its memory. */
#ifndef VINDPLAATS_ANSWER_CACHE_H
#define VINDPLAATS_ANSWER_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include "vindplaats/buf.h"
#include "vindplaats/index.h"
#include "vindplaats/search.h"
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_answer_cache vp_answer_cache;

#define VP_ANSWER_CACHE_DEFAULT_MB 32
#define VP_ANSWER_NEVER_STALE INT64_MAX

/* A cache of at most `max_bytes` (keys, answers and the cache's own
 * bookkeeping); NULL when out of memory. A cache of 0 bytes keeps nothing. */
vp_answer_cache *vp_answer_cache_create(size_t max_bytes) VP_NOEXCEPT;
void vp_answer_cache_destroy(vp_answer_cache *c) VP_NOEXCEPT;

/* Appends to `key` the canonical form of `req`: every part of the request
 * that can change its answer, and nothing else. Parameter order, defaults
 * given or left out (page=1), postcode or the place it stands for, the
 * order and repetition of filter values, facets named in any order: the
 * same search has the same key. q counts byte for byte (the answer repeats
 * it). The clock counts as its day in the Netherlands (which offerings are
 * past, what is upcoming); the popular offerings and the ranking count as
 * given. VP_ERR_TOO_BIG when `key`'s cap is reached, VP_ERR_NOMEM. */
vp_status vp_answer_key(const vp_search_request *req, vp_buf *key) VP_NOEXCEPT;

/* Sorts the values of each filter of `req` and drops repeated ones, in
 * `storage` (the arrays req->values point into, as vp_search_request_parse
 * leaves them): what the answer then repeats of the request is the same
 * for every request with the same key. */
void vp_answer_canonical_values(vp_search_request *req, vp_search_values *storage) VP_NOEXCEPT;

/* The answer stored under `key` at version `v`, when it is not stale at
 * `now` (UTC seconds): 1 with *value malloc()ed (NUL-terminated, *len
 * bytes without the NUL). 0 on a miss (also when out of memory). */
int vp_answer_cache_get(vp_answer_cache *c, const vp_index_version *v, const char *key,
                        size_t key_len, int64_t now, char **value, size_t *len) VP_NOEXCEPT;

/* Stores a copy of `value` under `key` at version `v`, stale from
 * `stale_at` (UTC seconds; VP_ANSWER_NEVER_STALE). An answer of an older
 * version than the cache holds, or larger than an eighth of the cache, is
 * not kept (VP_OK all the same); VP_ERR_NOMEM leaves the cache as it was. */
vp_status vp_answer_cache_put(vp_answer_cache *c, const vp_index_version *v, const char *key,
                              size_t key_len, const char *value, size_t len,
                              int64_t stale_at) VP_NOEXCEPT;

typedef struct vp_answer_cache_stats {
    uint64_t hits;
    uint64_t misses;
    uint64_t evictions;     /* answers dropped for room (least recently used) */
    uint64_t invalidations; /* answers dropped because the index changed */
    uint64_t stale;         /* answers dropped because their time had passed */
    uint64_t entries;
    uint64_t bytes;         /* held now, as counted against max_bytes */
    uint64_t max_bytes;
} vp_answer_cache_stats;

void vp_answer_cache_stats_get(vp_answer_cache *c, vp_answer_cache_stats *out) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
