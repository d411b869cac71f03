/* store_memory.h - the embedded store's numbers in memory (private).
 *
 * Every number of the embedded store (the everyone, segment, co-use and
 * counter sets of store_backend.h) is held here as well as in SQLite, so
 * that reads never go to SQLite: a score is one hash lookup, a top list
 * one pass over a set. The store is one process per directory (its lock
 * file), so what this process committed is all there is.
 *
 * A write is staged, then committed or rolled back: staging finds or makes
 * the numbers it will change (new ones "pending", invisible to reads) and
 * reserves what marking them changed needs, so that it is the only step
 * that can fail (VP_ERR_NOMEM); the caller then makes the write durable
 * and either adds the increments (store_mem_add, cannot fail) and commits,
 * or rolls back, which removes the numbers the stage made.
 *
 * Numbers changed since the last store_mem_folded are kept in a list, for
 * the fold (store_embedded.c) that writes them into SQLite's tables.
 *
 * Not thread-safe: the caller guards it (one writer, many readers). */
#ifndef VINDPLAATS_STORE_MEMORY_H
#define VINDPLAATS_STORE_MEMORY_H

#include <stddef.h>
#include "store_backend.h"

typedef struct store_mem store_mem;
typedef struct store_num store_num;

vp_status store_mem_new(store_mem **out);
void store_mem_free(store_mem *m);

/* Starts a stage. */
void store_mem_begin(store_mem *m);
/* The numbers `ops` will change, into slots[0..n); VP_ERR_NOMEM. */
vp_status store_mem_stage(store_mem *m, const store_incr *ops, size_t n, store_num **slots);
/* Adds `by` to a staged number; a sum that would stop being finite keeps
 * its value (as SQLite's table did). Marks it changed. */
void store_mem_add(store_mem *m, store_num *slot, double by);
/* Makes the numbers of the stage visible / removes them. */
void store_mem_commit(store_mem *m);
void store_mem_rollback(store_mem *m);

/* Sets a number as read from SQLite at open (not marked changed). */
vp_status store_mem_load(store_mem *m, store_set target, const char *scope, const char *member,
                         double value);

/* The numbers changed since the last fold, *n of them (the array is the
 * store's, valid until the next write). */
store_num *const *store_mem_changed(store_mem *m, size_t *n);
/* A number: its set, member, value, and whether SQLite's tables have a
 * row for it (loaded from them, or folded since). */
void store_mem_num(const store_num *x, store_set *target, const char **scope,
                   const char **member, double *value, int *stored);
/* All changed numbers are in SQLite's tables now. */
void store_mem_folded(store_mem *m);

/* The readers, as store_backend.h has them. */
vp_status store_mem_top(const store_mem *m, store_set target, const char *scope, size_t limit,
                        store_list *out, vp_error *err);
void store_mem_scores(const store_mem *m, store_set target, const char *scope,
                      const char *const *members, size_t n, double *raw);
vp_status store_mem_all(const store_mem *m, store_set target, const char *scope, store_list *out,
                        vp_error *err);

#endif
