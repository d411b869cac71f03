/* index.h - the shared Xapian index of offerings.
 *
 * One writer at a time (the indexer); any number of readers. A reader handle
 * is not thread-safe: give each thread its own. Readers call
 * vp_index_refresh() (cheap) to see the writer's newest commit; searches do
 * that themselves. Documents are keyed by offering id, so putting the same
 * id again replaces it.
 *
 * Every fallible function returns a vp_status and fills `err` (may be
 * NULL; status.h) on failure only, with Xapian's message when the index
 * library failed; the caller clears it. */
#ifndef VINDPLAATS_INDEX_H
#define VINDPLAATS_INDEX_H

#include <stdint.h>
#include "vindplaats/status.h"
#include "vindplaats/offering.h"
#include "vindplaats/vocabulary.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_index vp_index;

typedef enum vp_index_mode {
    VP_INDEX_READ = 0,
    VP_INDEX_WRITE = 1 /* creates the index when absent; takes the lock */
} vp_index_mode;

/* Opens the index at `path`. `voc` (borrowed, may be NULL) names the
 * propositions in results and is kept for the handle's life. Returns
 * VP_ERR_LOCKED when another writer holds the lock, VP_ERR_NOT_FOUND when a
 * reader finds no index, VP_ERR_IO/VP_ERR_INDEX otherwise; err->file is
 * `path` when it could not be opened. The caller owns *out and closes it
 * with vp_index_close(). */
vp_status vp_index_open(const char *path, vp_index_mode mode, const vp_vocabulary *voc,
                        vp_index **out, vp_error *err) VP_NOEXCEPT;
/* Closing a writer commits nothing: uncommitted changes are discarded. */
void vp_index_close(vp_index *idx) VP_NOEXCEPT;

/* Writers: add or replace the offering with o->id. VP_ERR_INVALID when
 * `idx` is a reader, or when the index cannot hold one of the offering's
 * values (a filter value over Xapian's term limit): err->path then names
 * the field ("work_key", "isbn[1]"). */
vp_status vp_index_put(vp_index *idx, const vp_offering *o, vp_error *err) VP_NOEXCEPT;
/* vp_index_put in two steps, for a loader that builds documents on one
 * thread while each writer writes on its own: vp_index_doc_build makes the
 * document of `o` as `idx` would write it without touching the database
 * (VP_ERR_INVALID when the index cannot hold one of its values, err->path
 * naming the field, as vp_index_put). *out is the caller's, for vp_index_put_doc, which writes it
 * into `idx` and takes it whatever it returns, or vp_index_doc_destroy. A
 * document is used by one thread at a time, and so is the building of a
 * writer's documents (vp_index_doc_build, vp_index_put, refreshing): it
 * shares one term generator and stem cache per handle, while
 * vp_index_put_doc may run on another thread meanwhile. */
typedef struct vp_index_doc vp_index_doc;
vp_status vp_index_doc_build(const vp_index *idx, const vp_offering *o, vp_index_doc **out,
                             vp_error *err) VP_NOEXCEPT;
vp_status vp_index_put_doc(vp_index *idx, vp_index_doc *doc, vp_error *err) VP_NOEXCEPT;
void vp_index_doc_destroy(vp_index_doc *doc) VP_NOEXCEPT;
/* Removes the offering with `id`; VP_ERR_NOT_FOUND when there was none. */
vp_status vp_index_delete(vp_index *idx, const char *id, vp_error *err) VP_NOEXCEPT;
/* Stores `value` under `key` with the next commit (harvest checkpoints). */
vp_status vp_index_set_meta(vp_index *idx, const char *key, const char *value,
                            vp_error *err) VP_NOEXCEPT;
/* A sharded index's spelling table for servers whose shards are remote
 * (Xapian's remote backend has none): the union of the spelling data of
 * the local databases `shards`, written as DIR/spelling, beside the shard
 * list DIR/XAPIANDB, where a server opening DIR (or a shard list file in
 * DIR) finds it. The indexer writes it after every sharded load, harvest
 * and refresh. */
vp_status vp_index_merge_spelling(const char *const *shards, size_t n, const char *dir,
                                  vp_error *err) VP_NOEXCEPT;
/* Drops every change since the last commit. */
vp_status vp_index_discard(vp_index *idx, vp_error *err) VP_NOEXCEPT;
/* The ids of the offerings harvested from `source` (their "source" field),
 * as committed plus this writer's changes: a malloc()ed NULL-terminated
 * array of malloc()ed strings, *n of them. */
vp_status vp_index_source_ids(vp_index *idx, const char *source, char ***ids, size_t *n,
                              vp_error *err) VP_NOEXCEPT;
/* How many offerings `source` has in the index (cheap: a term count). */
vp_status vp_index_source_count(vp_index *idx, const char *source, uint64_t *n,
                                vp_error *err) VP_NOEXCEPT;
/* Makes every change since the last commit visible at once, atomically. */
vp_status vp_index_commit(vp_index *idx, vp_error *err) VP_NOEXCEPT;

/* Readers and writers. *value is malloc()ed ("" when unset). */
vp_status vp_index_get_meta(vp_index *idx, const char *key, char **value,
                            vp_error *err) VP_NOEXCEPT;
/* The JSON form of offering `id`, malloc()ed; VP_ERR_NOT_FOUND when absent. */
vp_status vp_index_get(vp_index *idx, const char *id, char **json, vp_error *err) VP_NOEXCEPT;
/* The same, parsed once here: *doc is a new reference the caller owns.
 * VP_ERR_NOT_FOUND when absent, VP_ERR_INDEX when the stored form is not a
 * JSON object (err names the offering in `path`), VP_ERR_NOMEM. */
struct json_t;
vp_status vp_index_get_doc(vp_index *idx, const char *id, struct json_t **doc,
                           vp_error *err) VP_NOEXCEPT;
vp_status vp_index_stats(vp_index *idx, uint64_t *revision, uint64_t *documents,
                         vp_error *err) VP_NOEXCEPT;
/* What a reader sees, for caches of answers (answer_cache.h). Two reads of
 * one index with equal `exact` read the same data. `identity` names the
 * index behind the path (a rebuild switched in is another one) and, for a
 * sharded index, which shards answer; while it stays the same, `revision`
 * grows with every commit (of a sharded index: the sum over its shards). */
typedef struct vp_index_version {
    uint64_t identity;
    uint64_t revision;
    uint64_t exact;
} vp_index_version;
/* The version the reader reads now (as of its last refresh or search).
 * Fails like vp_index_stats. */
vp_status vp_index_version_get(vp_index *idx, vp_index_version *out, vp_error *err) VP_NOEXCEPT;
/* Moves a reader to the newest commit. */
vp_status vp_index_refresh(vp_index *idx, vp_error *err) VP_NOEXCEPT;

/* A sharded index (opened from a shard list): how many shards it has (0 for
 * one database) and, in *down_names when not NULL, the names of those that
 * are down (a malloc()ed NULL-terminated array of malloc()ed strings). */
size_t vp_index_shards(vp_index *idx, size_t *down, char ***down_names) VP_NOEXCEPT;

/* One shard of a sharded index, as vp_index_shard_stats() reports it. */
typedef struct vp_shard_stats {
    char *name;          /* as the shard list names it: the path, or "HOST:PORT" */
    int up;              /* 1 when it answers */
    uint64_t revision;   /* 0 when down; a remote shard's is its commit count */
    uint64_t documents;  /* 0 when down */
} vp_shard_stats;

/* Per shard of a sharded index, in the order of its shard list, as of the
 * last vp_index_refresh(); a shard that stops answering while being read
 * is reported down. *out is malloc()ed (free it with
 * vp_index_shard_stats_free()); NULL with *n 0 for a single database and
 * on error. */
vp_status vp_index_shard_stats(vp_index *idx, vp_shard_stats **out, size_t *n,
                               vp_error *err) VP_NOEXCEPT;
void vp_index_shard_stats_free(vp_shard_stats *s, size_t n) VP_NOEXCEPT;

/* Gives the handle a lexicon (borrowed; must outlive it): writers split
 * compound words with it, searches rewrite queries with it. */
struct vp_lexicon;
void vp_index_set_lexicon(vp_index *idx, const struct vp_lexicon *lex) VP_NOEXCEPT;
const struct vp_lexicon *vp_index_lexicon(const vp_index *idx) VP_NOEXCEPT;

/* Writers: with on = 0, offerings are put without their series key (no
 * series term, the id as collapse value), as a writer did before series
 * existed, so tests and benchmarks can build such an index and check that
 * searches still answer on it (each date a result of its own). Default 1. */
void vp_index_set_series_keys(vp_index *idx, int on) VP_NOEXCEPT;
/* Writers: with on = 0, an occurrence gets a day term for every day it
 * spans, as a writer did before whole-month and whole-block date terms,
 * so tests can check that date filters still find long occurrences in
 * such an index. Default 1: a whole month or block it spans is one term. */
void vp_index_set_whole_date_terms(vp_index *idx, int on) VP_NOEXCEPT;
/* Writers: with on = 0, offerings of a series are put with their key but
 * without the compact record of their dates, as a writer did before it
 * existed: searches then read each date's document, as they did, with the
 * same answers. Default 1. */
void vp_index_set_series_dates(vp_index *idx, int on) VP_NOEXCEPT;

/* Fixes the clock used for "next occurrence" (tests, demos); 0: real time. */
void vp_index_set_clock(vp_index *idx, int64_t now) VP_NOEXCEPT;
/* Writers: re-indexes every dated offering whose next occurrence (the date
 * order's key) has passed, so sort=date keeps meaning soonest upcoming;
 * run it daily (vindplaats-indexer refresh). *moved counts them. Commit
 * afterwards. */
vp_status vp_index_refresh_dates(vp_index *idx, uint64_t *moved, vp_error *err) VP_NOEXCEPT;

/* Borrowed; NULL when the index was opened without a vocabulary. */
const vp_vocabulary *vp_index_vocabulary(const vp_index *idx) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
