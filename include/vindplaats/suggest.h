/* suggest.h - completions for what a resident is typing.
 *
 * The indexer stores each offering's title, proposition and local name,
 * creators and subjects as completion terms (folded key + the text as
 * shown); a prefix of two or more characters, folded the same way, finds
 * the completions that start with it, one per word whatever its plural or
 * punctuation, ranked by how many offerings carry them weighed by kind
 * (propositions first, subjects last). */
#ifndef VINDPLAATS_SUGGEST_H
#define VINDPLAATS_SUGGEST_H

#include <stddef.h>
#include <stdint.h>
#include "vindplaats/index.h"
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VP_SUGGEST_MIN_PREFIX 2
#define VP_SUGGEST_MAX_PREFIX 100
#define VP_SUGGEST_MAX_LIMIT 20

typedef enum vp_suggest_kind {
    VP_SUGGEST_PROPOSITION = 0,
    VP_SUGGEST_TITLE,
    VP_SUGGEST_SUBJECT,
    VP_SUGGEST_CREATOR,
    VP_SUGGEST_KIND_COUNT
} vp_suggest_kind;

/* "proposition", "title", "subject", "creator". */
const char *vp_suggest_kind_name(vp_suggest_kind k) VP_NOEXCEPT;

typedef struct vp_suggestion {
    char *text;          /* as shown */
    vp_suggest_kind kind;
    uint64_t count;      /* offerings that carry it */
} vp_suggestion;

/* Up to `limit` completions of `prefix`; *out is malloc()ed (free with
 * vp_suggestions_free). VP_ERR_INVALID for a prefix shorter than two
 * characters (after folding; *err's parameter "q") or a limit outside
 * 1..20 (parameter "limit"); an index error as the index reports it.
 * *err (may be NULL) is filled on failure only. */
vp_status vp_suggest(vp_index *idx, const char *prefix, unsigned limit, vp_suggestion **out,
                     size_t *n, vp_error *err) VP_NOEXCEPT;
void vp_suggestions_free(vp_suggestion *s, size_t n) VP_NOEXCEPT;

/* Process-wide counts of lookups in the suggestion caches of every handle
 * (see suggest.c for what a hit and a miss are); either may be NULL. */
void vp_suggest_cache_counts(uint64_t *hits, uint64_t *misses) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
