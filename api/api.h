/* api.h - shared between the server's own files. Private to api/. */
#ifndef VINDPLAATS_API_H
#define VINDPLAATS_API_H

#include <jansson.h>
#include <stddef.h>
#include "vindplaats/search.h"
#include "vindplaats/vocabulary.h"

#define API_MAX_PARAMS 200

/* One query-string parameter as libmicrohttpd decoded it. */
typedef struct api_param {
    const char *key;
    const char *value;  /* "" when the parameter had no '=' */
    int used;
} api_param;

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
} api_reply;

/* Sets an error reply; `parameter` may be NULL. */
void api_error(api_reply *r, unsigned status, const char *code, const char *message,
               const char *parameter);

/* Turns the search parameters into a request. Strings stay borrowed from
 * `params`; the arrays inside `req` are owned by `storage` (free with
 * api_search_request_free). On a bad parameter sets a 400 reply and
 * returns -1. `truncated` tells whether q was cut. */
typedef struct api_search_storage {
    const char *values[VP_FIELD_COUNT][VP_SEARCH_MAX_VALUES];
} api_search_storage;
struct vp_postcodes;
int api_search_request(api_params *params, const vp_vocabulary *voc,
                       const struct vp_postcodes *postcodes, vp_search_request *req,
                       api_search_storage *storage, api_reply *reply);

/* Rejects any parameter not marked used: 400 unknown_parameter. */
int api_reject_unused(const api_params *params, api_reply *reply);

/* Embedded files (generated from api/static and docs/). */
extern const unsigned char api_asset_index_html[];
extern const size_t api_asset_index_html_len;
extern const unsigned char api_asset_openapi_yaml[];
extern const size_t api_asset_openapi_yaml_len;
extern const unsigned char api_asset_widget_js[];
extern const size_t api_asset_widget_js_len;
extern const unsigned char api_asset_widget_css[];
extern const size_t api_asset_widget_css_len;
extern const unsigned char api_asset_opensearch_xml[];
extern const size_t api_asset_opensearch_xml_len;



/* What a handler gets: the worker's index handle, the vocabulary, the
 * parameters and the part of the path after the route's prefix. */
#include "vindplaats/index.h"
#include "vindplaats/server.h"
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
} api_request;

typedef void (*api_handler)(api_request *req, api_reply *reply);

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

double api_now(void);

/* One result as the API shows it (search, recommend, related): the fields
 * of the offering a client needs to decide, its next occurrence at `now`,
 * distance_km (negative: null) and score. NULL when out of memory. */
json_t *api_result_json(const char *id, const char *doc_json, const char *snippet,
                        double score, double distance_km, const vp_vocabulary *voc, int64_t now);
/* 16 random hex digits (a query id: identifies a search, never a person). */
void api_random_id(char out[17]);
/* Milliseconds since `started`, rounded to two decimals. */
double api_took_ms(double started);
#endif
