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
 * vp_suggestions_free) and set on success only. On failure fills `err`
 * (may be NULL; see status.h): VP_ERR_INVALID naming the parameter "q"
 * for a prefix shorter than two characters (after folding), "limit" for a
 * limit outside 1..20; the index library's status and message when the
 * index cannot be read; VP_ERR_NOMEM. */
vp_status vp_suggest(vp_index *idx, const char *prefix, unsigned limit, vp_suggestion **out,
                     size_t *n, vp_error *err) VP_NOEXCEPT;
void vp_suggestions_free(vp_suggestion *s, size_t n) VP_NOEXCEPT;

/* Process-wide counts of lookups of two- and three-character prefixes in
 * the completion tables (see below): a hit finds the table of the version
 * read already built, a miss built it, waited for it or had none; either
 * may be NULL. */
void vp_suggest_cache_counts(uint64_t *hits, uint64_t *misses) VP_NOEXCEPT;

/* Completions are answered from a table per index version read, built by
 * the first vp_suggest at that version (on any handle of the process) and
 * shared by every handle that reads it; a writer's handle, an index too big
 * for the table (256 MB) or vp_suggest_set_table(idx, 0) reads the
 * completion terms instead, with the same answers, slower. */
void vp_suggest_set_table(vp_index *idx, int on) VP_NOEXCEPT;

/* Moves `idx` to the newest version and builds (or finds) its table now,
 * so that no suggestion waits for it: what a server does after a commit.
 * Not a lookup for vp_suggest_cache_counts. Fails as vp_suggest does when
 * the index cannot be read (`err` may be NULL); a table that cannot be
 * built is no failure (the terms answer). */
vp_status vp_suggest_prepare(vp_index *idx, vp_error *err) VP_NOEXCEPT;

/* What the table of the version `idx` read at its last vp_suggest holds. */
typedef struct vp_suggest_table_stats {
    uint64_t terms;       /* completion terms read */
    uint64_t completions; /* one per key and kind */
    uint64_t prefixes;    /* prefixes of 2 and 3 characters ranked in advance */
    size_t bytes;         /* memory it takes */
    double build_ms;      /* how long it took to build */
} vp_suggest_table_stats;
/* VP_ERR_NOT_FOUND when the handle has no table. */
vp_status vp_suggest_table_info(vp_index *idx, vp_suggest_table_stats *out) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
