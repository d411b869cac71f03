/* load.h - loading offerings in their JSON form, one per line (JSONL).
 *
 * A bad line never stops a load: it is reported as "NAME:LINE: path:
 * message", skipped and counted, and what the index already held is kept
 * (offerings are replaced by id, never dropped wholesale). */
#ifndef VINDPLAATS_LOAD_H
#define VINDPLAATS_LOAD_H

#include <stdint.h>
#include <stdio.h>
#include "vindplaats/index.h"
#include "vindplaats/status.h"
#include "vindplaats/vocabulary.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VP_LOAD_MAX_LINE (1024 * 1024)   /* longer lines are rejected */
#define VP_LOAD_COMMIT_EVERY 50000       /* records per intermediate commit */
/* Documents Xapian buffers before it writes them into its tables within a
 * commit (its XAPIAN_FLUSH_THRESHOLD, 10,000 by default), as text for the
 * environment. Smaller buffers of our documents (about 150 terms each) stay
 * in the CPU caches: a load costs less CPU and half the memory, and the
 * index is the same. */
#define VP_LOAD_FLUSH_EVERY "2000"

typedef struct vp_load_stats {
    uint64_t read;      /* non-blank lines */
    uint64_t indexed;
    uint64_t rejected;
    double seconds;
} vp_load_stats;

/* Reads `in` (called `name` in reports) into the writable `idx`, writing
 * one report line per problem to `report` in the one text form
 * ("NAME:LINE: PATH: message", vp_error_print), and commits. Returns VP_OK
 * even when lines were rejected (see stats->rejected); an error only when
 * the input could not be read (VP_ERR_IO, `name` as the file of *err) or
 * the index not written (*err, may be NULL, says which). */
vp_status vp_load_jsonl(vp_index *idx, const vp_vocabulary *voc, FILE *in, const char *name,
                        FILE *report, vp_load_stats *stats, vp_error *err) VP_NOEXCEPT;

/* The same into `n` shards: each offering goes to the shard its work key
 * (or else its id) hashes to (vp_shards_routing, vp_shard_of), so a
 * re-load or a re-harvest updates the same shard. With
 * n > 1 every shard is written by a thread of its own while the calling
 * thread reads and builds the documents; every shard commits at the same
 * points, after all of them have written what came before. When one shard
 * cannot be written the whole load stops and fails (*err names the
 * shard), and what no shard had committed yet is left uncommitted. A
 * handle in `shards` is used by one thread at a time during the call. */
vp_status vp_load_jsonl_shards(vp_index *const *shards, size_t n, const vp_vocabulary *voc,
                               FILE *in, const char *name, FILE *report, vp_load_stats *stats,
                               vp_error *err) VP_NOEXCEPT;
/* How the offerings of a sharded index are spread over its shards. An
 * offering's key is its work key, else its id; a key always lands on the
 * same shard, so a re-load or a harvest updates the copy it wrote before.
 * VP_ROUTING_FNV sent the keys by FNV-1a modulo n, whose lowest bit is
 * the parity of the key's bytes: every ISBN-13 work key went to one shard
 * of two. VP_ROUTING_MIXED stirs the hash first (vp_hash_mix) and spreads
 * keys evenly. Shards begun empty are marked VP_ROUTING_MIXED in their
 * metadata (VP_META_ROUTING, with the number of shards); shards written
 * before the mark existed keep VP_ROUTING_FNV until they are rebuilt. */
typedef enum vp_routing { VP_ROUTING_FNV = 0, VP_ROUTING_MIXED = 1 } vp_routing;
#define VP_META_ROUTING "vindplaats:routing"

/* The routing of the writable `shards` (n > 1): VP_ROUTING_MIXED when all
 * are empty (each is then marked; the mark is committed with the shard's
 * next commit) or every shard that holds offerings is marked; else
 * VP_ROUTING_FNV. VP_ERR_INVALID (*err, may be NULL, says why) for a mark of another
 * number of shards or one this version does not know: writing on would
 * put offerings where no update finds them. With n <= 1, VP_ROUTING_MIXED
 * (one shard takes everything) and nothing is marked. */
vp_status vp_shards_routing(vp_index *const *shards, size_t n, vp_routing *out,
                            vp_error *err) VP_NOEXCEPT;
/* The shard (0..n-1) of an offering with this work key (may be NULL or
 * empty) and id under routing `r`. */
size_t vp_shard_of(vp_routing r, const char *work_key, const char *id, size_t n) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
