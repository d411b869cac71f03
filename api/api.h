/* api.h - shared between the server's own files. Private to api/. */
#ifndef VINDPLAATS_API_H
#define VINDPLAATS_API_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include "vindplaats/search.h"
#include "vindplaats/vocabulary.h"

#define API_MAX_PARAMS VP_SEARCH_MAX_PARAMS
/* The longest request URI (path and query string) the server reads. */
#define API_MAX_URI 8192

/* One query-string parameter as libmicrohttpd decoded it (the engine's
 * vp_param: the engine validates search parameters). */
typedef vp_param api_param;

typedef struct api_params {
    api_param items[API_MAX_PARAMS];
    size_t count;
    int overflow;
} api_params;

/* A response being prepared: status, JSON body or raw body, content type. */
typedef struct api_reply {
    unsigned status;
    json_t *json;            /* owned; serialised when sent */
    const char *body;        /* static, when json and owned_body are NULL */
    size_t body_len;
    char *owned_body;        /* malloc()ed body, freed once sent */
    const char *cache_control;
    const char *content_type;
    const char *allow;       /* Allow header for 405 */
    struct {
        const char *name;    /* static */
        char value[2048];
    } headers[4];            /* more headers: Location, Retry-After, ... */
    size_t n_headers;
} api_reply;

/* Turns the search parameters into a request (vp_search_request_parse).
 * Strings stay borrowed from `params`; the arrays inside `req` are owned by
 * `storage`. On a bad parameter sets a 400 reply naming it and returns
 * VP_ERR_INVALID. */
typedef vp_search_values api_search_storage;
struct vp_postcodes;
vp_status api_search_request(api_params *params, const vp_vocabulary *voc,
                             const struct vp_postcodes *postcodes, vp_search_request *req,
                             api_search_storage *storage, api_reply *reply);

/* ---- reply.c: the bottom layer, calling no other file of api/ ---- */
/* Adds a header to the reply (the value copied): VP_ERR_TOO_BIG, and the
 * reply untouched, when it has 4 already or the value is longer than 2047
 * bytes. */
vp_status api_reply_header(api_reply *r, const char *name, const char *value);
/* The error reply of a failed operation: 503 "unavailable" when memory
 * ran out or the index or store could not be read (it may answer on the
 * next try), else 500 "internal_error"; `detail` (may be NULL) is the
 * message, else the status's own words. Fails as api_error. */
vp_status api_status_error(api_reply *r, vp_status st, const char *detail);
/* The error reply of an operation that failed with `st`, from the
 * vp_error `e` it filled (borrowed; NULL or empty: `st` alone): 400 with
 * its code and parameter when it names a refused parameter, else as
 * api_status_error with its message (led by its path when it has one; the
 * file read stays out). Fails as api_error. */
vp_status api_error_from(api_reply *r, vp_status st, const vp_error *e);
/* The 503 "unavailable" of a page or answer that cannot be made while the
 * index fails, whatever `st`: the message of `e` (may be NULL or empty),
 * else the status's own words. Fails as api_error. */
vp_status api_unavailable(api_reply *r, vp_status st, const vp_error *e);
/* Sets an error reply; `parameter` may be NULL. Whatever body the reply
 * had is dropped. VP_ERR_NOMEM when not even the error's JSON could be
 * built: the reply is then left with no body at all, which the server
 * answers with its fixed 503 {"error":{"code":"unavailable","message":
 * "out of memory"}} and Connection: close (send_reply in server.c), so a
 * caller has nothing more to do than to stop building its reply. */
vp_status api_error(api_reply *r, unsigned status, const char *code, const char *message,
                    const char *parameter);
/* A 200 reply of `j` (owned; NULL: memory ran out), with `cache_control`
 * (static; NULL: left as it is). VP_ERR_NOMEM for a NULL `j`: the reply
 * is then the 503 of api_error (or, failing that, no body, as there). */
vp_status api_reply_json(api_reply *r, json_t *j, const char *cache_control);
struct vp_buf;
/* A reply of `status` with the text in `b` (taken over; `b` is left
 * empty) of `content_type` (static) with `cache_control` (static; NULL:
 * left as it is); VP_ERR_NOMEM and a 503 when memory runs out. */
vp_status api_reply_buf(api_reply *r, unsigned status, struct vp_buf *b,
                        const char *content_type, const char *cache_control);
/* Monotonic seconds. */
double api_now(void);
/* Milliseconds since `started`, rounded to two decimals. */
double api_took_ms(double started);
/* 16 random hex digits (a query id: identifies a search, never a person). */
void api_random_id(char out[17]);
/* Stops a worker thread that waits on `wake` under `lock` until *stop:
 * sets *stop, wakes it, and waits until it has ended. */
void api_thread_stop(pthread_t thread, pthread_mutex_t *lock, pthread_cond_t *wake, int *stop);

/* ---- params.c: search parameters ---- */
/* The value of the parameter `key` (NULL when not given), marked used
 * before the search parameters are read; *twice set to 1 when it is given
 * more than once. */
const char *api_param_take(api_params *p, const char *key, int *twice);
/* The value of a `limit` parameter `s` (NULL or "": *limit as it is) into
 * *limit: a whole number from 1 to `max`, else VP_ERR_INVALID and a 400
 * naming it. */
vp_status api_param_limit(const char *s, unsigned max, unsigned *limit, api_reply *r);
/* Filters `sr` on the one value *value of `field` (borrowed; nothing when
 * *value is NULL). */
void api_search_filter(vp_search_request *sr, vp_field field, const char *const *value);

/* Sets the 400 reply of a refused request. */
void api_param_error(api_reply *r, const vp_error *err);

/* Rejects any parameter not marked used: VP_ERR_INVALID and a 400
 * unknown_parameter reply. */
vp_status api_reject_unused(const api_params *params, api_reply *reply);

/* ---- request.c: the checks at the server's entry ---- */
enum { API_TEXT_OK = 0, API_TEXT_NOT_UTF8, API_TEXT_CONTROL };
/* API_TEXT_OK when `len` bytes of `s` are valid UTF-8 without C0 control
 * characters (TAB allowed with `allow_tab`) or DEL; else which problem. */
int api_text_check(const char *s, size_t len, int allow_tab);
/* `len` bytes of `s` as printable ASCII: control bytes, bytes from 0x7f
 * and '\\' become \xHH; cut to fit `cap` (always NUL-terminated). */
void api_text_escape(char *out, size_t cap, const char *s, size_t len);

/* Why a request is refused before routing: the error reply to send. */
typedef struct api_refusal {
    unsigned status;     /* 0: not refused */
    const char *code;    /* static */
    char message[200];
    char parameter[64];  /* "" when no parameter is to blame */
} api_refusal;
/* The raw request URI (as the client sent it, percent-encoded): too long
 * (414), too many parameters (400), or a path whose decoded bytes are not
 * UTF-8 or hold a control character (404). VP_OK, or a failure (VP_ERR_TOO_BIG,
 * VP_ERR_INVALID, VP_ERR_NOMEM) with `f` filled; *args_at is then the
 * offset of the query string (after '?') whose parsing should be skipped,
 * 0 when there is none to skip. */
vp_status api_uri_check(const char *uri, api_refusal *f, size_t *args_at);
/* One decoded parameter (NULL value: given without '='): VP_ERR_INVALID
 * and a 400 in `f` when its name or value is not UTF-8 or holds a control
 * character. */
vp_status api_param_check(const char *key, size_t key_len, const char *value, size_t value_len,
                          api_refusal *f);
/* 1 for the empty piece of "?&q=x": ignored, as after a trailing '&'. */
int api_param_ignored(const char *key, size_t key_len, const char *value, size_t value_len);
/* Every parameter of a percent-encoded query string (no '?'), as
 * api_param_check checks it; the failure, with `f` set, when one fails. */
vp_status api_query_check(const char *query, api_refusal *f);
/* The error reply of a refusal. */
void api_refusal_reply(const api_refusal *f, api_reply *r);

/* Embedded files (generated from api/static and docs/). */
extern const unsigned char api_asset_openapi_yaml[];
extern const size_t api_asset_openapi_yaml_len;
extern const unsigned char api_asset_widget_js[];
extern const size_t api_asset_widget_js_len;
extern const unsigned char api_asset_widget_css[];
extern const size_t api_asset_widget_css_len;
/* The image of shared links when neither offering nor library has one. */
extern const unsigned char api_asset_og_default_png[];
extern const size_t api_asset_og_default_png_len;



/* What a handler gets: the worker's index handle, the vocabulary, the
 * parameters and the part of the path after the route's prefix. */
#include "vindplaats/index.h"
#include "vindplaats/server.h"
typedef struct api_state api_state;
struct sockaddr;

typedef struct api_request {
    vp_index *index;
    const vp_vocabulary *voc;
    const vp_server_config *cfg;
    api_params *params;
    const char *path;
    const char *tail;
    const char *host;  /* the Host header, for absolute links; may be NULL */
    double started;    /* monotonic seconds */
    const char *body;  /* the request body (POST), NUL-terminated; may be NULL */
    size_t body_len;
    const char *content_type;
    api_state *state;      /* the server's mutable state (caches, the query log) */
    const char *method;
    const char *accept;    /* request headers; each may be NULL */
    const char *referer;
    const char *user_agent;
    struct api_metrics *metrics; /* the server's counters (metrics.c) */
    const struct sockaddr *client; /* the peer's address; may be NULL. Never stored:
                                    * only salted hashes of it (state.c, insights.c) */
    const char *forwarded_for;     /* the X-Forwarded-For header; may be NULL */
    const struct api_site *site;   /* the pages' templates (site.h) */
} api_request;

typedef void (*api_handler)(api_request *req, api_reply *reply);

/* Request counters and latency histograms per route (metrics.c). */
typedef struct api_metrics api_metrics;
/* `routes` (borrowed, n_routes of them) name the routes in the output. */
api_metrics *api_metrics_create(const vp_route_info *routes, size_t n_routes);
void api_metrics_destroy(api_metrics *m);
/* route: index in the route table, or -1 for a request that matched none. */
void api_metrics_record(api_metrics *m, int route, unsigned status, double seconds);
void api_handle_metrics(api_request *req, api_reply *reply);

void api_handle_search(api_request *req, api_reply *reply);
void api_handle_suggest(api_request *req, api_reply *reply);
void api_handle_recommend(api_request *req, api_reply *reply);
void api_handle_signals(api_request *req, api_reply *reply);
void api_handle_segments(api_request *req, api_reply *reply);
void api_handle_related(api_request *req, api_reply *reply);
void api_handle_offering(api_request *req, api_reply *reply);
void api_handle_health(api_request *req, api_reply *reply);
void api_handle_static(api_request *req, api_reply *reply);
void api_handle_opensearch_suggest(api_request *req, api_reply *reply);
/* sru.c: SRU 1.2 and 2.0, GET and form POST (include/vindplaats/sru.h). */
void api_handle_sru(api_request *req, api_reply *reply);
/* A request to /sru refused at the server's entry for the parameter `f`
 * names: SRU diagnostic 6 in the envelope of `version` (the request's
 * version parameter, may be NULL); the JSON refusal when memory fails. */
void api_sru_refused(const char *version, const api_refusal *f, api_reply *reply);

/* ---- the server's mutable state (state.c) ----
 * One per server: what handlers share between requests. Every part is
 * thread-safe. */
struct services_cache;
struct insights_log;
/* `services` and `insights` (NULL without a store) are borrowed: the server
 * creates them before the state and destroys them after it. NULL: out of
 * memory. */
api_state *api_state_create(const vp_server_config *cfg, struct services_cache *services,
                            struct insights_log *insights);
void api_state_destroy(api_state *st);
/* Takes one write from the client at `addr` (`len` bytes of address):
 * 0 when allowed, else the seconds until the next write would be. */
unsigned api_rate_limit(api_state *st, const void *addr, size_t len);
/* 64 bits of SHA-256(salt, addr), never 0: what stands for a client
 * address wherever one must be told apart from another. Without the salt
 * it says nothing about the address. */
uint64_t api_salted_tag(const unsigned char *salt, size_t salt_len, const void *addr, size_t len);
struct services_cache *api_state_services(api_state *st);
/* The most used offerings (at most VP_SEARCH_MAX_POPULAR), from a copy
 * refreshed from the store every 30 s; *out malloc()ed (vp_scored_free),
 * NULL and 0 when there is no store or nothing used yet. */
size_t api_state_popular(api_state *st, vp_store *store, int64_t now, vp_scored **out);
struct insights_log *api_state_insights(api_state *st);
/* 1 when the signal store answers a read (a cheap one), 0 when it does not
 * or there is none: so a dead Redis shows in /healthz and /metrics. */
int api_store_answers(vp_store *store);
/* The answer cache of searches (answers.c); NULL when switched off. */
struct vp_answer_cache *api_state_answers(api_state *st);

/* ---- answers.c: GET /v1/search and /v1/suggest answered from the answer cache ----
 * A search's key and the index version it is looked up at, from
 * api_answer_find to api_answer_done. */
#include "vindplaats/buf.h"
typedef struct api_answer {
    vp_buf key;
    int usable;   /* the key is complete and the cache on: look up, keep */
} api_answer;
/* Looks the search `sr` (its values canonical: vp_answer_canonical_values)
 * up at the version the worker's index reads now. On a hit fills the reply
 * (with its own took_ms and query_id), logs the search as one that ran, and
 * returns 1; else 0. Either way `a` is set up: api_answer_done() it. */
int api_answer_find(api_request *req, const vp_search_request *sr, api_answer *a, api_reply *r);
/* After a search ran: logs it (insights.c), keeps the answer in r->json
 * for the next request with the same key (unless it is partial or stale at
 * once; stale_at as vp_answer_cache_put) and turns r->json into the body,
 * with took_ms and query_id. */
void api_answer_keep(api_request *req, const vp_search_request *sr, const vp_search_result *res,
                     api_answer *a, int64_t stale_at, api_reply *r);
/* The same for GET /v1/suggest: its key is q and limit; the reply gets
 * its own took_ms. */
int api_answer_find_suggest(api_request *req, const char *q, unsigned limit, api_answer *a,
                            api_reply *r);
void api_answer_keep_suggest(api_request *req, api_answer *a, api_reply *r);
void api_answer_done(api_answer *a);

/* ---- results.c: one result as every route shows it ---- */
/* Offering `id` as the newest commit has it (the reader refreshed first),
 * parsed by the engine: *doc a new reference, or NULL with the status
 * (VP_ERR_NOT_FOUND: no such offering) and *err. */
vp_status api_offering_doc(api_request *req, const char *id, json_t **doc, vp_error *err);
/* The 404 of an API route for an offering id that is not in the index. */
vp_status api_offering_not_found(api_reply *r, const char *id);
/* One result (search, recommend, related, landing pages, services) from
 * an offering's parsed document `doc` (borrowed; the engine's, never parsed
 * again here): the fields of the offering a client needs to decide, its
 * next occurrence at `now`, distance_km (negative: null) and score. NULL
 * when `doc` is NULL or memory runs out. Lowers *stale_at (may be NULL) to
 * the moment its "next" occurrence ends, when that is sooner. */
json_t *api_result_doc(const char *id, json_t *doc, const char *snippet, double score,
                       double distance_km, const vp_vocabulary *voc, int64_t now,
                       int64_t *stale_at);
/* The same for a search hit, from the document the engine parsed (h->doc):
 * nothing is parsed again. With `snippet` 0 the hit's snippet is left out
 * (null) and its score and distance too (0 and null), as feeds show it. */
json_t *api_hit_json(const vp_search_hit *h, int snippet, const vp_vocabulary *voc, int64_t now);
/* A result's `series`: {"count": the other dates, "next": [{id, start,
 * end}...] soonest first}, or null when it has no other dates. */
json_t *api_series_json(const vp_search_date *dates, size_t n, uint64_t count);

/* ---- saved.c: saved queries as the store keeps them ---- */
#define API_SAVED_NS "queries"                 /* slug -> JSON definition */
#define API_SAVED_NS_DELETED "queries-deleted" /* slug -> when it was deleted */
#define API_SAVED_MAX_SLUG 64
/* 1 when `s` is a valid slug: lower-case words of letters and digits joined by '-'. */
int api_slug_ok(const char *s);
/* The definition of `slug` (*def owned by the caller): VP_OK,
 * VP_ERR_NOT_FOUND, or a store error. */
vp_status api_saved_load(vp_store *store, const char *slug, json_t **def);
/* 1 when `slug` was deleted (its tombstone is in the store). */
int api_saved_deleted(vp_store *store, const char *slug);
/* A validity bound (valid_from, valid_until) as UTC seconds. A date alone
 * is the start of that day in the Netherlands (end: the end of it). -1 when
 * not a date. */
int64_t api_saved_bound(const char *s, int end);
typedef enum api_saved_status {
    API_SAVED_SCHEDULED,
    API_SAVED_ACTIVE,
    API_SAVED_EXPIRED
} api_saved_status;
/* Whether the definition `def` is live at `now` (UTC seconds), and its name. */
api_saved_status api_saved_status_at(json_t *def, int64_t now);
const char *api_saved_status_name(api_saved_status s);
/* The title and status of a saved query; NULL title when unknown. */
json_t *api_campaign_summary(api_request *req, const char *slug);

/* ---- campaigns.c: saved queries and their landing pages ---- */
void api_handle_queries(api_request *req, api_reply *reply);      /* GET /v1/queries */
void api_handle_query(api_request *req, api_reply *reply);        /* /v1/queries/{slug} */
void api_handle_landing(api_request *req, api_reply *reply);      /* GET /q/{slug} */
void api_handle_landing_feed(api_request *req, api_reply *reply); /* GET /q/{slug}.atom */
void api_handle_landing_click(api_request *req, api_reply *reply);/* GET /q/{slug}/click */
/* The sitemap entries ({"loc", "lastmod", "changefreq"}) of the landing
 * pages live now, appended to `urls`. VP_ERR_NOMEM, or the store's error
 * when its saved queries cannot be read: `urls` then lacks some, and a
 * sitemap made of it would tell crawlers the pages are gone. */
vp_status api_campaigns_sitemap(api_request *req, json_t *urls, const char *base);

/* ---- insights.c: the query log (aggregates only) and its reports ---- */
/* min_clients and trusted_proxies: see vp_server_config (min_clients 0:
 * the default). NULL when out of memory or a value is invalid. */
struct insights_log *insights_log_create(vp_store *store, const vp_vocabulary *voc,
                                         unsigned min_clients, const char *trusted_proxies);
/* Checks a --trusted-proxy list: NULL when it is fine, else why not. */
const char *api_trusted_proxies_problem(const char *list);
void insights_log_destroy(struct insights_log *log);
/* Counts the clicks among accepted signals for the queries they came from. */
struct vp_signal;
void api_insights_signals(api_request *req, const struct vp_signal *events, size_t n);
/* A campaign event: kind "visit", "search" or "click", with the utm_*
 * values (each may be NULL). Counted at once (not queued). */
void api_insights_campaign(api_request *req, const char *slug, const char *kind,
                           const char *utm_source, const char *utm_medium,
                           const char *utm_campaign);
void api_handle_insights_queries(api_request *req, api_reply *reply);
void api_handle_insights_days(api_request *req, api_reply *reply);
void api_handle_insights_propositions(api_request *req, api_reply *reply);
void api_handle_insights_filters(api_request *req, api_reply *reply);
void api_handle_insights_campaigns(api_request *req, api_reply *reply);
void api_handle_insights_segments(api_request *req, api_reply *reply);
void api_handle_insights_page(api_request *req, api_reply *reply);

/* ---- services.c: which library offers what ---- */
/* Starts the builder thread of the service map (its own handle on
 * cfg->index_path; `cfg` must outlive the cache). NULL when out of memory
 * or the thread cannot start. Destroying stops the builder, also mid-build. */
struct services_cache *services_cache_create(const vp_server_config *cfg);
void services_cache_destroy(struct services_cache *c);
/* How often requests found a service map at once (hits) or found none yet
 * and waited for the first or were answered 503 (misses); see services.c. */
void services_cache_counts(struct services_cache *c, uint64_t *hits, uint64_t *misses);
void api_handle_propositions(api_request *req, api_reply *reply);
void api_handle_proposition_libraries(api_request *req, api_reply *reply);
void api_handle_libraries(api_request *req, api_reply *reply);
void api_handle_library(api_request *req, api_reply *reply);
void api_handle_services_page(api_request *req, api_reply *reply);

/* ---- pages.c: server-rendered pages, findability ---- */
void api_handle_home(api_request *req, api_reply *reply);          /* GET / */
void api_handle_offering_page(api_request *req, api_reply *reply); /* GET /o/{id} */
void api_handle_sitemap(api_request *req, api_reply *reply);
void api_handle_opensearch(api_request *req, api_reply *reply);   /* GET /opensearch.xml */
void api_handle_robots(api_request *req, api_reply *reply);

/* ---- propositions.c: the pages of the propositions ---- */
/* GET /p/{proposition} and /p/{proposition}/{municipality}. */
void api_handle_proposition_page(api_request *req, api_reply *reply);
/* The page of proposition `prop` in `municipality` (may be NULL) onto
 * `b`: /p/PROP/SLUG when the network file has a branch there, else /p/PROP.
 * VP_ERR_NOMEM or VP_ERR_TOO_BIG when `b` could not take it. */
vp_status api_buf_proposition_path(struct vp_buf *b, const api_request *req, const char *prop,
                              const char *municipality);
/* The sitemap entries ({"loc"}) of the proposition pages with something
 * on now, appended to `urls`. VP_ERR_NOMEM, or the index's error when it
 * cannot be searched: `urls` then lacks some (see api_campaigns_sitemap). */
vp_status api_propositions_sitemap(api_request *req, json_t *urls, const char *base);

/* Logs a search with its campaign (NULL: none) and writes its query id
 * (16 hex digits: 8 random, 8 naming its aggregate) into qid. */
void api_insights_log(api_request *req, const vp_search_request *sr, const vp_search_result *res,
                      const char *campaign, char qid[17]);
/* The same with the propositions of the results shown given apart (an
 * element NULL or "": none), for a search answered from the answer cache:
 * of `res` only its totals and relaxation are read, not its hits. */
void api_insights_log_shown(api_request *req, const vp_search_request *sr,
                            const vp_search_result *res, const char *const *shown, size_t n_shown,
                            const char *campaign, char qid[17]);
/* Waits (at most a few seconds) until the log has written what was queued. */
void api_insights_flush(struct insights_log *log);
/* Events the log has written, in how many batches, and events dropped
 * with the queue full (all 0 without a log). */
void api_insights_counts(struct insights_log *log, uint64_t *written, uint64_t *batches,
                         uint64_t *dropped);

/* A card's line "Nog N data: " with the first `max` dates of a result's
 * `series` JSON, each a link to its /o/ page; nothing without one. */
void api_buf_series(struct vp_buf *b, json_t *series, size_t max);
#endif
