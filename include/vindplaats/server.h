/* server.h - the HTTP search server (libmicrohttpd + jansson).
 *
 * vp_server_start() binds, opens one index handle per worker thread and
 * serves until vp_server_stop(). Every answer is JSON except the pages;
 * errors share one shape: {"error":{"code","message","parameter"?}}. */
#ifndef VINDPLAATS_SERVER_H
#define VINDPLAATS_SERVER_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "vindplaats/auth.h"
#include "vindplaats/geo.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/network.h"
#include "vindplaats/search.h"
#include "vindplaats/segments.h"
#include "vindplaats/status.h"
#include "vindplaats/store.h"
#include "vindplaats/vocabulary.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_server_config {
    const char *index_path;
    const vp_vocabulary *vocabulary;  /* borrowed; must outlive the server */
    const vp_lexicon *lexicon;        /* borrowed; NULL: no compounds or synonyms */
    const vp_postcodes *postcodes;    /* borrowed; NULL: postcode= is refused */
    const vp_ranking *ranking;        /* borrowed; NULL: vp_ranking_default */
    int64_t now;                      /* fixed clock (UTC seconds) for demos and tests; 0: real */
    const vp_segments *segments;      /* borrowed; NULL: no segments */
    vp_store *store;                  /* borrowed; NULL: no signals */
    const char *bind_address;         /* IPv4 literal; NULL: 127.0.0.1 */
    unsigned port;                    /* 0: any free port */
    unsigned threads;                 /* workers; 0: 2 */
    FILE *access_log;                 /* NULL: no access log */
    const vp_network *network;        /* borrowed; NULL: libraries known by their ids only */
    const vp_admin_keys *admin_keys;  /* borrowed; NULL: every admin request is refused (403) */
    unsigned write_limit;             /* write requests (PUT, POST, DELETE) a minute per
                                       * client address, in memory per process; 0: 600 */
    const char *public_url;           /* "https://vindplaats.example.nl", no trailing '/':
                                       * canonical links, sitemaps, feeds; NULL: http://HOST */
    unsigned per_ip_limit;            /* open connections per client address; 0: 32;
                                       * VP_SERVER_PER_IP_UNLIMITED: none (behind a proxy) */
    unsigned query_min_clients;       /* the insights show a query's text once this many
                                       * different clients searched it on one day (per
                                       * process, see docs/privacy.md); 0: 3, at most
                                       * VP_QUERY_MIN_CLIENTS_MAX */
    const char *trusted_proxies;      /* "10.0.0.10,::1": reverse proxies whose last
                                       * X-Forwarded-For entry names the client, for
                                       * counting clients in the query log; NULL: none */
    unsigned cache_mb;                /* the answer cache of searches, in MB (answer_cache.h);
                                       * 0: 32; VP_SERVER_CACHE_OFF: none */
    const char *templates_dir;        /* page templates and site.css overriding the
                                       * embedded ones (docs/site.md); NULL: none */
} vp_server_config;
#define VP_SERVER_PER_IP_UNLIMITED 0xffffffffu
#define VP_SERVER_CACHE_OFF 0xffffffffu
#define VP_SERVER_CACHE_MAX_MB 65536

#define VP_QUERY_MIN_CLIENTS_DEFAULT 3
#define VP_QUERY_MIN_CLIENTS_MAX 20

typedef struct vp_server vp_server;

/* Returns VP_ERR_IO when the address cannot be bound or the index not
 * opened, VP_ERR_INVALID for a bind address that is not IPv4 or a
 * template that does not parse (its file and line as the fields of
 * *err), VP_ERR_NOMEM; *err (may be NULL) says which. The caller owns
 * *out. */
vp_status vp_server_start(const vp_server_config *cfg, vp_server **out, vp_error *err) VP_NOEXCEPT;
unsigned vp_server_port(const vp_server *srv) VP_NOEXCEPT;
/* Stops accepting, finishes running requests, frees everything. */
void vp_server_stop(vp_server *srv) VP_NOEXCEPT;

/* A search written as a query string ("q=cursus&type=course&page=2"),
 * validated exactly as GET /v1/search validates it:
 * vp_search_params_parse_query is the engine's (search.h). */

/* The routes the server answers, for documentation checks. */
typedef struct vp_route_info {
    const char *path;     /* OpenAPI form: "/v1/offerings/{id}" */
    const char *methods;  /* "GET, HEAD" */
} vp_route_info;
const vp_route_info *vp_server_routes(size_t *count) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
