/* search.h - queries against the index: free text, filters, dates, facets.
 *
 * A vp_search_request only borrows its strings. vp_search_run() returns a
 * result the caller owns and frees with vp_search_result_destroy(). */
#ifndef VINDPLAATS_SEARCH_H
#define VINDPLAATS_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include "vindplaats/status.h"
#include "vindplaats/index.h"
#include "vindplaats/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VP_SEARCH_MAX_QUERY     1000   /* bytes of q; longer is cut */
#define VP_SEARCH_MAX_PER_PAGE  100
#define VP_SEARCH_MAX_WINDOW    10000  /* page * per_page */
#define VP_SEARCH_MAX_VALUES    50     /* values of one filter */

/* Filterable fields; the first VP_FACET_COUNT of them also have facets. */
typedef enum vp_field {
    VP_FIELD_TYPE = 0,
    VP_FIELD_LIBRARY,
    VP_FIELD_PROPOSITION,
    VP_FIELD_AUDIENCE,
    VP_FIELD_CHANNEL,
    VP_FIELD_BRANCH,
    VP_FIELD_MUNICIPALITY,
    VP_FIELD_SOCIETAL_TASK,
    VP_FIELD_LANGUAGE,
    VP_FIELD_COUNT
} vp_field;
#define VP_FACET_COUNT 5

/* The public parameter name of a field ("type", "library", ...). */
const char *vp_field_name(vp_field f) VP_NOEXCEPT;
/* The field called `name`, or -1. */
int vp_field_by_name(const char *name) VP_NOEXCEPT;

typedef enum vp_sort {
    VP_SORT_RELEVANCE = 0,
    VP_SORT_DATE,    /* soonest start first; undated last */
    VP_SORT_DISTANCE /* nearest first (needs has_near); without a place last */
} vp_sort;

/* The boosts added to the text relevance (BM25 over the weighted fields).
 * docs/ranking.md explains each one and its default. */
typedef struct vp_ranking {
    double prefer_library;   /* added to the preferred library's offerings */
    double upcoming;         /* at most added to a dated offering by how soon it takes place:
                                a quarter per window it has an occurrence in (7 days,
                                upcoming_days, to the end of next month, to the end of the
                                third month ahead) */
    unsigned upcoming_days;
    double nearby;           /* added at the centre of `near`, half at nearby_half_km */
    double nearby_half_km;
    double type_intent;      /* added to the types the words name ("cursus", "luisterboek") */
    double popularity;       /* added to the most used offerings, scaled by their use */
    double understood;       /* added for a place, day or age the words name (query-understanding.md) */
    double title_phrase;     /* added when two or more words stand in the title as typed, in
                                that order ("de avonden": the book De avonden) */
} vp_ranking;

extern const vp_ranking vp_ranking_default;

typedef struct vp_search_request {
    const char *q;                              /* may be NULL or empty */
    const char *const *values[VP_FIELD_COUNT];  /* per field, n_values[f] */
    size_t n_values[VP_FIELD_COUNT];
    int from_day;                               /* YYYYMMDD or 0 */
    int to_day;                                 /* YYYYMMDD or 0 */
    vp_sort sort;
    unsigned page;                              /* 1-based */
    unsigned per_page;
    unsigned facets;                            /* bit (1u << field) */
    int include_past;                           /* show offerings that have ended */
    int64_t now;                                /* UTC seconds; 0: the clock */
    int has_near;                               /* near_lat/near_lon are set */
    double near_lat, near_lon;
    double radius_km;                           /* with has_near; 0: no limit */
    const char *place;                          /* the place name resolved (place=), borrowed
                                                   from the postcode table; NULL otherwise */
    int free_only;                              /* only offerings without a price or at 0 */
    const char *prefer_library;                 /* boosted, not filtered; may be NULL */
    const vp_ranking *ranking;                  /* NULL: vp_ranking_default */
    unsigned without;                           /* VP_WITHOUT_* bits, for evaluation */
    /* The most used offerings (signals), best first, with their decayed use;
     * borrowed, may be empty: a popularity boost, never a filter. */
    const vp_scored *popular;
    size_t n_popular;
    /* Fill each hit's `available` (the offerings of its work); costs one
     * more match and the documents it finds. */
    int list_available;
    /* Every offering a hit of its own, totals counting offerings: for
     * callers that list offerings rather than works (the sitemap). */
    int all_offerings;
} vp_search_request;

#define VP_SEARCH_MAX_POPULAR 50

/* Switches features off, to measure what each one brings (make relevance). */
#define VP_WITHOUT_REWRITE  1u  /* no synonyms, local names or query-time compounds */
#define VP_WITHOUT_SPELLING 2u  /* no correction, no did_you_mean */
#define VP_WITHOUT_ANY_WORDS 4u /* no falling back to some of the words */
#define VP_WITHOUT_PLACE_WORDS 8u   /* "amersfoort" in q stays a word to match */
#define VP_WITHOUT_DAY_WORDS 16u    /* "zaterdag", "in de kerstvakantie" likewise */
#define VP_WITHOUT_AGE_WORDS 32u    /* "peuters", "van 5" likewise */
#define VP_WITHOUT_UNDERSTANDING (VP_WITHOUT_PLACE_WORDS | VP_WITHOUT_DAY_WORDS | VP_WITHOUT_AGE_WORDS)
#define VP_WITHOUT_COUNT_CACHE 64u  /* facet counts of broad matches counted anew, not kept */
#define VP_WITHOUT_COUNT_APART 128u /* the page match checks 1,000 candidates for the totals itself */
#define VP_WITHOUT_DAY_SPANS 256u   /* the soon boost on date terms, not the day spans value */

#define VP_SEARCH_MAX_AVAILABLE 100  /* offerings listed per work */

/* One offering of a hit's work: where else the same work can be had.
 * Fields the offering leaves out are NULL (id and type never are). */
typedef struct vp_search_offer {
    char *id;
    char *type;
    char *library;
    char *library_name;
    char *branch;
    char *branch_name;
    char *url;
    /* Where copies stand at this offering's library (its `holdings`: an
     * array of {library, branch, branch_name, call_number, shelf, note}),
     * a reference the result owns; NULL when the offering lists none. */
    struct json_t *holdings;
} vp_search_offer;

#define VP_SEARCH_MAX_SERIES 50  /* other dates listed per series */

/* One date of a series: an offering and its next occurrence (start and
 * end as its JSON writes them; end may be NULL). */
typedef struct vp_search_date {
    char *id;
    char *start;
    char *end;
} vp_search_date;

/* Results are works and series: of the offerings sharing a work_key only
 * the best-ranked one is a hit (the others are in its `available`); of
 * the dates of one activity (same title, same branch or library) the one
 * taking place next is the hit, ranked where the best-ranked of them
 * ranks, and the others are in its `series`. */
typedef struct vp_search_hit {
    char *id;
    double score;
    double distance_km;  /* from `near`; negative when unknown */
    char *json;      /* the offering's JSON form */
    /* The same, parsed once by the engine: borrowed, valid until the
     * result is destroyed; read it instead of parsing `json` again. */
    struct json_t *doc;
    char *snippet;   /* HTML-escaped, <mark> around matched words */
    /* With list_available and a work key: the work's offerings that have
     * not ended (or all, with include_past), whatever the filters, this
     * one always among them; by library name (else id), then offering id;
     * at most VP_SEARCH_MAX_AVAILABLE. NULL without a work key. */
    vp_search_offer *available;
    size_t n_available;
    uint64_t available_count; /* the work's offerings: n_available unless capped */
    /* The other dates of its series that the search matches too, soonest
     * first, at most VP_SEARCH_MAX_SERIES; NULL and 0 when it has none. */
    vp_search_date *series;
    size_t n_series;
    uint64_t series_count;    /* those dates: n_series unless capped */
} vp_search_hit;

typedef struct vp_facet_value {
    char *value;
    uint64_t count;
} vp_facet_value;

/* What the engine relaxed when nothing matched. */
#define VP_RELAX_DATES  (VP_FIELD_COUNT)      /* the from/to range */
#define VP_RELAX_NEAR   (VP_FIELD_COUNT + 1)  /* the radius around near */
#define VP_RELAX_FREE   (VP_FIELD_COUNT + 2)  /* free=true */

/* What the words of q named besides what to match (engine/understand.c):
 * removed from the words, a boost for what they name, never a filter. */
typedef enum vp_understood_kind {
    VP_UNDERSTOOD_PLACE = 0, /* value: the municipality as indexed (folded), or a place of
                              * the national list (near set) as its table writes it, folded */
    VP_UNDERSTOOD_DATE,      /* from_day..to_day */
    VP_UNDERSTOOD_AUDIENCE,  /* value: an audience group ("peuter") */
    VP_UNDERSTOOD_KIND_COUNT
} vp_understood_kind;

/* "place", "date", "audience". */
const char *vp_understood_kind_name(vp_understood_kind k) VP_NOEXCEPT;

#define VP_UNDERSTOOD_MAX 3
typedef struct vp_understood {
    vp_understood_kind kind;
    char text[128];  /* the words of q it took, folded, as typed */
    char value[64];
    char label[64];  /* place: its name as written ("Bergen op Zoom", "'s-Hertogenbosch"),
                      * for people; "" for the other kinds */
    char branch[64]; /* place: the branch the words named ("neude"), boosted instead of the
                      * municipality; "" otherwise */
    int near;        /* place: a place of the national list, boosted by distance from
                      * lat/lon rather than by municipality */
    double lat, lon;
    int from_day, to_day;
} vp_understood;

typedef struct vp_search_result {
    uint64_t total;           /* results: a work, a series counts once */
    uint64_t total_offerings; /* the offerings behind them (exact when total is) */
    int total_exact;
    int query_fallback;       /* q could not be parsed; plain words used */
    char *corrected_query;    /* q had no results; these are for this spelling */
    char *did_you_mean;       /* a spelling with clearly more results, or NULL */
    int any_words;            /* too few had every word: these have some of them */
    /* With any_words: the words of q that no offering (within the filters)
     * has, NULL-terminated, in the order typed; NULL when every word is
     * found somewhere (just never all together). */
    char **missing_words;
    char **missing_shards;    /* shards that did not answer (NULL-terminated), or NULL */
    int relaxed;              /* when total is 0: the field whose removal finds most, or -1 */
    uint64_t relaxed_total;   /* what the search finds without it */
    const char *suggested_proposition; /* the proposition q points to (borrowed), or NULL */
    vp_understood understood[VP_UNDERSTOOD_MAX]; /* at most one of each kind */
    size_t n_understood;
    vp_search_hit *hits;
    size_t n_hits;
    vp_facet_value *facets[VP_FACET_COUNT]; /* offerings (not works), count-descending, then value */
    size_t n_facets[VP_FACET_COUNT];
} vp_search_result;

/* ---- a request from its parameters (engine/request.c) ---- */

#define VP_SEARCH_MAX_PARAMS 200 /* parameters of one request */

/* One parameter as the caller decoded it; `used` is set by the parser for
 * every parameter it took (the rest are unknown to it). */
typedef struct vp_param {
    const char *key;
    const char *value; /* "" when the parameter had no '=' */
    int used;
} vp_param;

/* Why a request was refused is a vp_error (status.h): the parameter (NULL
 * when the request as a whole is at fault), the code ("invalid_parameter",
 * "unknown_parameter") and a message for people that starts with the
 * parameter's name. The caller starts from VP_ERROR_INIT and clears it. */

/* The filter values of a parsed request (req->values point into it). */
typedef struct vp_search_values {
    const char *values[VP_FIELD_COUNT][VP_SEARCH_MAX_VALUES];
} vp_search_values;

struct vp_postcodes;
struct vp_vocabulary;

/* The radius around a place when the request names none (radius_km). */
#define VP_SEARCH_RADIUS_KM 25.0

/* Validates the search parameters params[0..n) and turns them into *req:
 * q, the filters (values checked against the controlled lists and `voc`),
 * from/to, sort, page, per_page, facets, near/postcode/place (`postcodes`),
 * radius_km (VP_SEARCH_RADIUS_KM when a place is given without it), free,
 * include_past, prefer_library. Marks every parameter it took
 * as used. Strings stay borrowed from `params`, the filter arrays from
 * `storage`. Returns VP_OK, or VP_ERR_INVALID with *err filled. */
vp_status vp_search_request_parse(vp_param *params, size_t n, const struct vp_vocabulary *voc,
                                  const struct vp_postcodes *postcodes, vp_search_request *req,
                                  vp_search_values *storage, vp_error *err) VP_NOEXCEPT;

/* VP_ERR_INVALID with *err filled when a parameter was not used (unknown)
 * or `overflow` says there were more than VP_SEARCH_MAX_PARAMS. */
vp_status vp_search_params_reject_unused(const vp_param *params, size_t n, int overflow,
                                         vp_error *err) VP_NOEXCEPT;

/* The rules of vp_search_request_parse for a request a caller built
 * itself (page, per_page, dates, values per filter, facets, sort). */
vp_status vp_search_request_check(const vp_search_request *req, vp_error *err) VP_NOEXCEPT;

/* A search from a URL query string ("q=...&type=course"), outside a
 * request: decoded, validated (unknown parameters refused) and kept with
 * its strings. Used by saved searches and the benchmark. */
typedef struct vp_search_params vp_search_params;
vp_status vp_search_params_parse_query(const char *query_string, const struct vp_vocabulary *voc,
                                       const struct vp_postcodes *postcodes,
                                       vp_search_params **out, vp_error *err) VP_NOEXCEPT;
/* The request (borrowed: valid while `p` lives). */
const vp_search_request *vp_search_params_request(const vp_search_params *p) VP_NOEXCEPT;
void vp_search_params_destroy(vp_search_params *p) VP_NOEXCEPT;

/* ---- running a search ---- */

/* Checks `req` (vp_search_request_check: VP_ERR_INVALID with *perr
 * filled), refreshes the reader, runs the query. Other errors have their
 * message in *errmsg. `perr` may be NULL. */
vp_status vp_search_execute(vp_index *idx, const vp_search_request *req, vp_search_result **out,
                            vp_error *perr, char **errmsg) VP_NOEXCEPT;

/* vp_search_execute with a refused request's message in *errmsg. */
vp_status vp_search_run(vp_index *idx, const vp_search_request *req,
                        vp_search_result **out, char **errmsg) VP_NOEXCEPT;
void vp_search_result_destroy(vp_search_result *res) VP_NOEXCEPT;

/* The moment from which a result's dates are shown: the request's clock
 * (`now`, 0: the clock), or the start of its `from` day in Amsterdam when
 * that is later, so a search from 19 December shows each result's first
 * date from then on, not an earlier one of the same offering. */
int64_t vp_search_shown_from(const vp_search_request *req) VP_NOEXCEPT;

/* The other dates of the series of offering `id` that have not ended at
 * `now` (0: the clock), soonest first, at most VP_SEARCH_MAX_SERIES: *out
 * malloc()ed (NULL and *n 0 when there are none), freed with
 * vp_search_dates_free(). VP_ERR_NOT_FOUND when there is no such offering. */
vp_status vp_search_series(vp_index *idx, const char *id, int64_t now, vp_search_date **out,
                           size_t *n, char **errmsg) VP_NOEXCEPT;
void vp_search_dates_free(vp_search_date *d, size_t n) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
