/* recommend.h - recommendations for a segment, and offerings like one.
 *
 * Candidates come from the index through a weighted query (the segments'
 * affinities for proposition, task, type, audience and channel terms, and
 * what the segments used recently); each candidate is then scored in C
 * from named factors, so every recommendation can say why it was chosen,
 * and the list is made diverse (at most a few per proposition, no work
 * twice). Past offerings are never recommended. */
#ifndef VINDPLAATS_RECOMMEND_H
#define VINDPLAATS_RECOMMEND_H

#include <stddef.h>
#include <stdint.h>
#include "vindplaats/index.h"
#include "vindplaats/search.h"
#include "vindplaats/segments.h"
#include "vindplaats/status.h"
#include "vindplaats/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VP_RECOMMEND_MAX_LIMIT 50
#define VP_RECOMMEND_MAX_SEGMENTS 16
#define VP_RECOMMEND_MAX_EXCLUDE 100
/* With a place (filters.has_near) and no radius_km: offline offerings
 * within this many km, and online ones. */
#define VP_RECOMMEND_RADIUS_KM 25.0

/* The blend, documented in docs/segments.md. */
typedef struct vp_recommend_weights {
    double affinity;    /* how well it fits the segments' affinities */
    double popularity;  /* what the segments used recently (decayed signals) */
    double upcoming;    /* takes place soon */
    double nearby;      /* near `near` */
    unsigned per_proposition; /* most items of one proposition in a list of 10 */
    unsigned per_online;      /* with a place: most online items in a list of 10 */
} vp_recommend_weights;

extern const vp_recommend_weights vp_recommend_weights_default;

typedef struct vp_recommend_request {
    const vp_segment *segments[VP_RECOMMEND_MAX_SEGMENTS]; /* none: network-wide */
    double shares[VP_RECOMMEND_MAX_SEGMENTS];
    size_t n_segments;
    int segments_of_place;  /* the segments are those of the place's postcode
                               area (a reason may then say "in uw buurt") */
    /* Filters, place and clock as for search (q, paging, sort and facets
     * are ignored; past offerings are always hidden). With a place,
     * offerings beyond radius_km (VP_RECOMMEND_RADIUS_KM when 0) are
     * hidden unless they are online. */
    vp_search_request filters;
    unsigned limit;                   /* 1..VP_RECOMMEND_MAX_LIMIT */
    const char *const *exclude;       /* offering ids not to recommend */
    size_t n_exclude;
    vp_store *store;                  /* NULL or unavailable: no signals */
    const vp_recommend_weights *weights; /* NULL: the defaults */
} vp_recommend_request;

typedef struct vp_factor {
    const char *name;  /* "affinity", "popularity", "upcoming", "nearby" */
    double weight;     /* its contribution to the score */
} vp_factor;

typedef struct vp_recommendation {
    char *id;
    struct json_t *doc;  /* the offering's JSON form, parsed: owned by the result */
    double score;
    double distance_km;  /* negative when unknown */
    char *reason;        /* one short Dutch sentence of facts a resident can
                            check (place, day, age, online, use); never a
                            segment */
    vp_factor factors[4];
    size_t n_factors;
} vp_recommendation;

typedef struct vp_recommend_result {
    vp_recommendation *items;
    size_t n;
    int signals;         /* 1 when the store answered */
} vp_recommend_result;

/* Recommends for `req`. VP_ERR_INVALID with err->parameter "limit" (out
 * of 1..VP_RECOMMEND_MAX_LIMIT) or "exclude" (more than 100 ids); the
 * index's errors otherwise. `err` (may be NULL) is filled on failure only.
 * The caller owns *out (vp_recommend_result_destroy). */
vp_status vp_recommend(vp_index *idx, const vp_recommend_request *req,
                       vp_recommend_result **out, vp_error *err) VP_NOEXCEPT;

/* Offerings like `id` (Xapian's relevance-set expansion over its terms),
 * blended with what was used together with it (store, may be NULL).
 * VP_ERR_NOT_FOUND when `id` is not in the index, VP_ERR_INVALID (parameter
 * "limit") for a bad limit. */
vp_status vp_related(vp_index *idx, const char *id, unsigned limit, int64_t now,
                     vp_store *store, vp_recommend_result **out, vp_error *err) VP_NOEXCEPT;

void vp_recommend_result_destroy(vp_recommend_result *res) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
