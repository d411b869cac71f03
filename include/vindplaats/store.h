/* store.h - the signal store: what residents use, as aggregates only.
 *
 * Two back ends behind one interface: embedded (in process, an SQLite
 * database under a data directory) and Redis (through hiredis, shared by
 * server replicas).
 * No personal data is accepted or stored: no user ids, no addresses, only
 * counts per offering, segment, query and campaign.
 *
 * Scores decay with a half-life. They are kept as a sum of
 *   weight(kind) * 2^((t - VP_STORE_EPOCH) / half_life)
 * so that adding is one atomic increment (Redis ZINCRBY) and every score of
 * a set decays by the same factor: ranking needs no decay at all, and the
 * decayed value at time T is sum * 2^(-(T - VP_STORE_EPOCH) / half_life).
 * Both back ends do the same arithmetic in the same order, so the same
 * signals give the same answers from either.
 *
 * A store handle is thread-safe. Every call may fail with VP_ERR_IO when
 * the back end is unreachable; callers answer without signals then
 * ("signals":"unavailable"), they never fail a search for it.
 *
 * Errors (status.h): every fallible call takes a `vp_error *err` (may be
 * NULL) that it fills on failure only, the place as fields:
 *   - a refused argument: its name in `path` ("segment", "key", "value",
 *     "redis_url", "half_life_days"), an event's field as
 *     "events[I].FIELD" ("events[1].offering: missing" in the text form);
 *   - a record that is not there (VP_ERR_NOT_FOUND): `path` "NS/KEY";
 *   - embedded: the file at fault in `file` (the directory, its lock, the
 *     database dir/store.db, an old-format file with its `line`), SQLite's
 *     or the system's words in the message, a damaged row of the journal
 *     as `path` "journal row ID";
 *   - Redis: the server (HOST:PORT) and what it said, in the message. */
#ifndef VINDPLAATS_STORE_H
#define VINDPLAATS_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VP_STORE_EPOCH 1767225600      /* 2026-01-01T00:00:00Z */
#define VP_STORE_MAX_BATCH 1000        /* events per vp_store_add_signals call */
#define VP_STORE_MAX_KEY 200           /* bytes of an offering id, segment, query id, campaign */

typedef struct vp_store vp_store;

typedef enum vp_signal_kind {
    VP_SIGNAL_VIEW = 0,
    VP_SIGNAL_CLICK,
    VP_SIGNAL_SIGNUP,
    VP_SIGNAL_LOAN,
    VP_SIGNAL_SHARE,
    VP_SIGNAL_KIND_COUNT
} vp_signal_kind;

/* "view", "click", "signup", "loan", "share"; and back (-1 when unknown). */
const char *vp_signal_kind_name(vp_signal_kind k) VP_NOEXCEPT;
int vp_signal_kind_by_name(const char *name) VP_NOEXCEPT;
/* The weight of one event of a kind: view 1, click 2, share 3, signup 5, loan 5. */
double vp_signal_weight(vp_signal_kind k) VP_NOEXCEPT;

typedef struct vp_signal {
    vp_signal_kind kind;
    const char *offering;   /* required */
    const char *segment;    /* NULL: unknown */
    const char *query_id;   /* NULL: not from a search */
    const char *campaign;   /* NULL: not from a campaign */
    int64_t at;             /* UTC seconds */
} vp_signal;

typedef struct vp_scored {
    char *key;              /* offering id */
    double score;           /* decayed to the `now` of the call */
} vp_scored;

typedef struct vp_store_config {
    const char *redis_url;  /* "redis://127.0.0.1:6379/0"; NULL: embedded */
    const char *dir;        /* embedded: where it persists; NULL: memory only */
    double half_life_days;  /* 0: 30 */
    unsigned timeout_ms;    /* Redis connect and command timeout; 0: 200 */
} vp_store_config;

/* Opens the store. Embedded: opens (creating) dir/store.db; the files of
 * the embedded store before SQLite found in `dir` are read into it once and
 * moved to dir/before-sqlite/. Redis: a first connection is tried but its
 * failure is not an error: the store reconnects by itself when Redis is
 * reachable (vp_store_available tells). VP_ERR_INVALID for a bad URL,
 * VP_ERR_IO for an unreadable `dir` or old files damaged beyond a torn last
 * line (nothing is changed then), VP_ERR_LOCKED when another process has
 * `dir` open. */
vp_status vp_store_open(const vp_store_config *cfg, vp_store **out, vp_error *err) VP_NOEXCEPT;
/* Closes the connections (embedded: the write-ahead log is folded into
 * store.db) and frees everything. */
void vp_store_close(vp_store *st) VP_NOEXCEPT;
/* "embedded" or "redis". */
const char *vp_store_backend(const vp_store *st) VP_NOEXCEPT;
/* 1 when the last operation reached the back end (always 1 embedded). */
int vp_store_available(vp_store *st) VP_NOEXCEPT;

/* Adds a batch: per offering overall and per segment, co-use of offerings
 * clicked from the same query_id, and per-campaign counts. */
vp_status vp_store_add_signals(vp_store *st, const vp_signal *events, size_t n,
                               vp_error *err) VP_NOEXCEPT;

/* The `limit` most used offerings for `segment` (NULL: everyone), decayed
 * to `now`, best first. *out is malloc()ed; free with vp_scored_free. */
vp_status vp_store_top(vp_store *st, const char *segment, int64_t now, size_t limit,
                       vp_scored **out, size_t *n, vp_error *err) VP_NOEXCEPT;
/* The decayed score of each of `offerings` for `segment` (0 when none). */
vp_status vp_store_scores(vp_store *st, const char *segment, const char *const *offerings,
                          size_t n, int64_t now, double *scores, vp_error *err) VP_NOEXCEPT;
/* Offerings used together with `offering` (same query_id), best first. */
vp_status vp_store_co_used(vp_store *st, const char *offering, int64_t now, size_t limit,
                           vp_scored **out, size_t *n, vp_error *err) VP_NOEXCEPT;
void vp_scored_free(vp_scored *s, size_t n) VP_NOEXCEPT;

/* Generic small records for saved queries and the query log (campaigns,
 * insights): a string value per key in a namespace, and counters.
 * vp_store_get returns VP_ERR_NOT_FOUND when absent; *value malloc()ed. */
vp_status vp_store_put(vp_store *st, const char *ns, const char *key, const char *value,
                       vp_error *err) VP_NOEXCEPT;
vp_status vp_store_get(vp_store *st, const char *ns, const char *key, char **value,
                       vp_error *err) VP_NOEXCEPT;
vp_status vp_store_delete(vp_store *st, const char *ns, const char *key,
                          vp_error *err) VP_NOEXCEPT;
/* All keys of a namespace, sorted; malloc()ed array of malloc()ed strings. */
vp_status vp_store_keys(vp_store *st, const char *ns, char ***keys, size_t *n,
                        vp_error *err) VP_NOEXCEPT;
/* counter[ns][key] += by (no decay); vp_store_counters lists them all. */
vp_status vp_store_count(vp_store *st, const char *ns, const char *key, double by,
                         vp_error *err) VP_NOEXCEPT;
/* One counter to add to: counter[ns][key] += by. */
typedef struct vp_count {
    const char *ns;
    const char *key;
    double by;
} vp_count;
/* The `n` counts of `counts` in one write (one commit of the embedded
 * store, one round trip to Redis), all or none: a bad entry (its index in
 * err->path, "counts[I].key") refuses the whole call before anything is
 * written. At most VP_STORE_MAX_BATCH per call (VP_ERR_TOO_BIG). The query
 * log's writer counts a batch of searches this way. */
vp_status vp_store_count_many(vp_store *st, const vp_count *counts, size_t n,
                              vp_error *err) VP_NOEXCEPT;
vp_status vp_store_counters(vp_store *st, const char *ns, vp_scored **out, size_t *n,
                            vp_error *err) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
