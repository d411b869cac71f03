/* store_backend.h - what store.c asks of a signal store back end (private).
 *
 * store.c validates every input, does all the arithmetic (increments and
 * decay) and hands the back ends plain operations on named numbers, so the
 * embedded and the Redis back end cannot disagree on a score: they only add
 * the doubles they are given, in the order given, and return raw sums.
 *
 * A back end sees four kinds of number sets, each identified by a target
 * and a scope string:
 *   VP_SET_ALL    scope NULL       members: offerings, everyone
 *   VP_SET_SEG    scope segment    members: offerings, that segment
 *   VP_SET_CO     scope offering   members: offerings used with it
 *   VP_SET_COUNT  scope namespace  members: counter keys (vp_store_count)
 * plus string records per namespace (put/get/delete/keys).
 *
 * Every string handed over is NUL-terminated, 1..VP_STORE_MAX_KEY bytes
 * (counter keys may be a little longer: "<campaign>:<kind>"); values are at
 * most STORE_MAX_VALUE bytes. An answer holds at most STORE_MAX_LIST
 * entries (more is VP_ERR_TOO_BIG). Back ends fill *err (may be NULL) on
 * failure only, with vp_error_set (status.h), like every public function:
 * the place as fields (the database file, the record, the journal row),
 * and propagate a callee's error unchanged. */
#ifndef VINDPLAATS_STORE_BACKEND_H
#define VINDPLAATS_STORE_BACKEND_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include "vindplaats/store.h"

#define STORE_MAX_VALUE (64 * 1024)   /* bytes of a vp_store_put value */
#define STORE_MAX_LIST 100000         /* entries a keys/counters/top answer may hold */

typedef enum store_set {
    VP_SET_ALL = 0,
    VP_SET_SEG,
    VP_SET_CO,
    VP_SET_COUNT,
    VP_SET_KIND_COUNT
} store_set;

/* One increment: number[target][scope][member] += by. */
typedef struct store_incr {
    store_set target;
    const char *scope;
    const char *member;
    double by;
} store_incr;

/* A list a back end builds for top/all/keys (store.c). */
typedef struct store_list {
    vp_scored *items;
    size_t n, alloc;
} store_list;

/* Appends a copy of key[0..len) with `score`. VP_ERR_TOO_BIG (with *err)
 * past STORE_MAX_LIST entries, VP_ERR_NOMEM. */
vp_status store_list_add(store_list *l, const char *key, size_t len, double score,
                         vp_error *err);
/* Hands the list over as *out and *n when rc is VP_OK, else frees it;
 * returns rc. */
vp_status store_list_done(store_list *l, vp_status rc, vp_scored **out, size_t *n);
/* VP_ERR_NOT_FOUND for the record `key` of `ns`: its path "NS/KEY", the
 * message "not found". */
vp_status store_not_found(vp_error *err, const char *ns, const char *key);
/* VP_ERR_IO for the file `path` (err->file), the message
 * "WHAT: strerror(errnum)" ("open: Permission denied"). */
vp_status store_io_fail(vp_error *err, const char *what, const char *path, int errnum);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t store_now_ms(void);
/* Waits on `cond` (made with CLOCK_MONOTONIC, `mu` held) until signalled or
 * `deadline_ms` passes; -1 without waiting when it has passed already. The
 * connection pools of both back ends wait for a free connection with it. */
int store_wait_until(pthread_cond_t *cond, pthread_mutex_t *mu, int64_t deadline_ms);

typedef struct store_backend {
    const char *name;
    vp_status (*open)(const vp_store_config *cfg, void **impl, vp_error *err);
    void (*close)(void *impl);
    int (*available)(void *impl);
    /* Applies all of `ops` in order, as one unit where the back end can. */
    vp_status (*incr)(void *impl, const store_incr *ops, size_t n, vp_error *err);
    /* The `limit` greatest raw sums of a set, greatest first; ties by member
     * in descending byte order (what Redis' ZREVRANGE gives). *out NULL when
     * empty. */
    vp_status (*top)(void *impl, store_set target, const char *scope, size_t limit,
                     vp_scored **out, size_t *n, vp_error *err);
    /* Raw sum of each member (0 when absent); a NULL member is absent. */
    vp_status (*scores)(void *impl, store_set target, const char *scope,
                        const char *const *members, size_t n, double *raw, vp_error *err);
    /* Every member of a set with its raw sum, in no particular order. */
    vp_status (*all)(void *impl, store_set target, const char *scope, vp_scored **out,
                     size_t *n, vp_error *err);
    vp_status (*put)(void *impl, const char *ns, const char *key, const char *value,
                     vp_error *err);
    vp_status (*get)(void *impl, const char *ns, const char *key, char **value, vp_error *err);
    vp_status (*del)(void *impl, const char *ns, const char *key, vp_error *err);
    /* The keys of a namespace in no particular order, added to `keys`
     * (their scores unused). */
    vp_status (*keys)(void *impl, const char *ns, store_list *keys, vp_error *err);
} store_backend;

extern const store_backend vp_store_embedded_backend;
extern const store_backend vp_store_redis_backend;

#endif
