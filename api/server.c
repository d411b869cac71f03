/* server.c - the libmicrohttpd daemon: limits, routing, the pool of index
 * handles, sending replies and the access log.
 *
 * libmicrohttpd runs a pool of worker threads. Xapian handles are not
 * thread-safe, so the server keeps one index handle per worker in a pool:
 * a request borrows a handle for its duration and gives it back. */
#include "vindplaats/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "api.h"
#include "vindplaats/index.h"

#define CONNECTION_TIMEOUT_S 15
#define CONNECTION_LIMIT 1024
#define PER_IP_CONNECTION_LIMIT 64
#define CONNECTION_MEMORY_LIMIT (64 * 1024)
#define MAX_UPLOAD (64 * 1024)

/* Every route once: its path (a prefix when `prefix`, with an optional
 * suffix), its name in the OpenAPI description, its handler, whether it
 * needs an index handle, its methods, and who may call it (PUBLIC: anyone,
 * from any origin; ADMIN: an admin API key, see auth.h). Requests with a
 * method that writes (PUT, POST, DELETE) are rate-limited per client. */
#define PUBLIC 0
#define ADMIN 1
#define ROUTES(X)                                                                        \
    X("/", 0, NULL, "/", api_handle_static, 0, "GET, HEAD", PUBLIC)                      \
    X("/widget.js", 0, NULL, "/widget.js", api_handle_static, 0, "GET, HEAD", PUBLIC)    \
    X("/widget.css", 0, NULL, "/widget.css", api_handle_static, 0, "GET, HEAD", PUBLIC)  \
    X("/opensearch.xml", 0, NULL, "/opensearch.xml", api_handle_static, 0, "GET, HEAD", PUBLIC) \
    X("/opensearch/suggest", 0, NULL, "/opensearch/suggest", api_handle_opensearch_suggest, 1, \
      "GET, HEAD", PUBLIC)                                                               \
    X("/healthz", 0, NULL, "/healthz", api_handle_health, 1, "GET, HEAD", PUBLIC)        \
    X("/v1/search", 0, NULL, "/v1/search", api_handle_search, 1, "GET, HEAD", PUBLIC)    \
    X("/v1/suggest", 0, NULL, "/v1/suggest", api_handle_suggest, 1, "GET, HEAD", PUBLIC) \
    X("/v1/offerings/", 1, "/related", "/v1/offerings/{id}/related", api_handle_related, 1, \
      "GET, HEAD", PUBLIC)                                                               \
    X("/v1/offerings/", 1, NULL, "/v1/offerings/{id}", api_handle_offering, 1, "GET, HEAD", \
      PUBLIC)                                                                            \
    X("/v1/recommend", 0, NULL, "/v1/recommend", api_handle_recommend, 1, "GET, HEAD", PUBLIC) \
    X("/v1/signals", 0, NULL, "/v1/signals", api_handle_signals, 1, "POST", PUBLIC)      \
    X("/v1/segments", 0, NULL, "/v1/segments", api_handle_segments, 0, "GET, HEAD", PUBLIC) \
    X("/v1/openapi.yaml", 0, NULL, "/v1/openapi.yaml", api_handle_static, 0, "GET, HEAD", \
      PUBLIC)                                                                            \
    X("/v1/queries", 0, NULL, "/v1/queries", api_handle_queries, 0, "GET, HEAD", ADMIN)  \
    X("/v1/queries/", 1, NULL, "/v1/queries/{slug}", api_handle_query, 1,                \
      "GET, HEAD, PUT, DELETE", ADMIN)                                                   \
    X("/q/", 1, "/click", "/q/{slug}/click", api_handle_landing_click, 1, "GET, HEAD", PUBLIC) \
    X("/q/", 1, ".atom", "/q/{slug}.atom", api_handle_landing_feed, 1, "GET, HEAD", PUBLIC) \
    X("/q/", 1, NULL, "/q/{slug}", api_handle_landing, 1, "GET, HEAD", PUBLIC)           \
    X("/v1/insights/queries", 0, NULL, "/v1/insights/queries", api_handle_insights_queries, 0, \
      "GET, HEAD", PUBLIC)                                                               \
    X("/v1/insights/days", 0, NULL, "/v1/insights/days", api_handle_insights_days, 0,    \
      "GET, HEAD", PUBLIC)                                                               \
    X("/v1/insights/propositions", 0, NULL, "/v1/insights/propositions",                 \
      api_handle_insights_propositions, 0, "GET, HEAD", PUBLIC)                          \
    X("/v1/insights/filters", 0, NULL, "/v1/insights/filters", api_handle_insights_filters, 0, \
      "GET, HEAD", PUBLIC)                                                               \
    X("/v1/insights/campaigns", 0, NULL, "/v1/insights/campaigns",                       \
      api_handle_insights_campaigns, 0, "GET, HEAD", PUBLIC)                             \
    X("/v1/insights/segments", 0, NULL, "/v1/insights/segments", api_handle_insights_segments, \
      0, "GET, HEAD", PUBLIC)                                                            \
    X("/insights", 0, NULL, "/insights", api_handle_insights_page, 0, "GET, HEAD", ADMIN) \
    X("/v1/propositions", 0, NULL, "/v1/propositions", api_handle_propositions, 1,       \
      "GET, HEAD", PUBLIC)                                                               \
    X("/v1/propositions/", 1, "/libraries", "/v1/propositions/{id}/libraries",           \
      api_handle_proposition_libraries, 1, "GET, HEAD", PUBLIC)                          \
    X("/v1/libraries", 0, NULL, "/v1/libraries", api_handle_libraries, 1, "GET, HEAD", PUBLIC) \
    X("/v1/libraries/", 1, NULL, "/v1/libraries/{id}", api_handle_library, 1, "GET, HEAD", \
      PUBLIC)                                                                            \
    X("/services", 0, NULL, "/services", api_handle_services_page, 1, "GET, HEAD", PUBLIC) \
    X("/o/", 1, NULL, "/o/{id}", api_handle_offering_page, 1, "GET, HEAD", PUBLIC)       \
    X("/sitemap.xml", 0, NULL, "/sitemap.xml", api_handle_sitemap, 1, "GET, HEAD", PUBLIC) \
    X("/robots.txt", 0, NULL, "/robots.txt", api_handle_robots, 0, "GET, HEAD", PUBLIC)  \
    X("/metrics", 0, NULL, "/metrics", api_handle_metrics, 1, "GET, HEAD", PUBLIC)       \
    X("/sru", 0, NULL, "/sru", api_handle_sru, 1, "GET, HEAD, POST", PUBLIC)

typedef struct route {
    const char *path;
    int prefix;
    const char *suffix;  /* with prefix: the path also ends with this */
    api_handler handler;
    int needs_index;
    const char *methods;
    int access;          /* PUBLIC or ADMIN */
} route;

#define ROUTE_ENTRY(path, prefix, suffix, openapi, handler, idx, methods, access) \
    {path, prefix, suffix, handler, idx, methods, access},
#define ROUTE_INFO(path, prefix, suffix, openapi, handler, idx, methods, access) {openapi, methods},
static const route routes[] = {ROUTES(ROUTE_ENTRY)};
static const vp_route_info route_info[] = {ROUTES(ROUTE_INFO)};
#define N_ROUTES (sizeof routes / sizeof routes[0])

struct vp_server {
    struct MHD_Daemon *daemon;
    vp_server_config cfg;
    char *index_path;
    unsigned port;
    pthread_mutex_t lock;
    pthread_cond_t available;
    vp_index **handles;      /* free handles; NULL slots are not opened yet */
    size_t n_free;
    size_t n_handles;
    api_state *state;
    api_metrics *metrics;
};

/* Per-request state, from the first callback to the completion notice. */
typedef struct request_ctx {
    double started;
    int seen;            /* the access handler ran once already */
    unsigned status;
    size_t uploaded;
    int too_large;
    char *body;          /* the request body, for routes that take one */
    int route;           /* index in the route table; -1 before or without one */
    char method[16];
    char path[512];      /* without the query string, for the access log */
} request_ctx;

const vp_route_info *vp_server_routes(size_t *count)
{
    *count = N_ROUTES;
    return route_info;
}

/* ---- the pool of index handles ---- */

static vp_index *borrow_index(vp_server *s, char **errmsg, vp_status *st)
{
    pthread_mutex_lock(&s->lock);
    while (s->n_free == 0)
        pthread_cond_wait(&s->available, &s->lock);
    vp_index *idx = s->handles[--s->n_free];
    pthread_mutex_unlock(&s->lock);
    *st = VP_OK;
    if (!idx) {
        *st = vp_index_open(s->index_path, VP_INDEX_READ, s->cfg.vocabulary, &idx, errmsg);
        if (*st == VP_OK)
            vp_index_set_lexicon(idx, s->cfg.lexicon);
        if (*st != VP_OK) {
            idx = NULL;
            /* Give the slot back unopened; the next request tries again. */
            pthread_mutex_lock(&s->lock);
            s->handles[s->n_free++] = NULL;
            pthread_cond_signal(&s->available);
            pthread_mutex_unlock(&s->lock);
        }
    }
    return idx;
}

static void return_index(vp_server *s, vp_index *idx)
{
    pthread_mutex_lock(&s->lock);
    s->handles[s->n_free++] = idx;
    pthread_cond_signal(&s->available);
    pthread_mutex_unlock(&s->lock);
}

/* ---- replies ---- */

static enum MHD_Result send_reply(struct MHD_Connection *conn, request_ctx *ctx, api_reply *r)
{
    struct MHD_Response *resp;
    if (r->owned_body) {
        resp = MHD_create_response_from_buffer_with_free_callback(r->body_len, r->owned_body, free);
        if (!resp)
            return MHD_NO;
        r->owned_body = NULL; /* the response frees it now */
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    } else if (r->json) {
        char *text = json_dumps(r->json, JSON_COMPACT | JSON_REAL_PRECISION(15));
        if (!text)
            return MHD_NO;
        size_t len = strlen(text);
        resp = MHD_create_response_from_buffer_with_free_callback(len, text, free);
        if (!resp) {
            free(text);
            return MHD_NO;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "application/json; charset=utf-8");
    } else {
        resp = MHD_create_response_from_buffer(r->body_len, (void *)r->body,
                                               MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    }
    /* Read endpoints are public: library websites call them from browsers.
     * Admin endpoints take a key in a header, never a cookie, so another
     * origin gains nothing it could not do without a browser. */
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
    MHD_add_response_header(resp, "Access-Control-Expose-Headers", "Retry-After, Location");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->cache_control)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache_control);
    for (size_t i = 0; i < r->n_headers; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
    ctx->status = r->status;
    enum MHD_Result ret = MHD_queue_response(conn, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    api_params *p = cls;
    if (p->count == API_MAX_PARAMS) {
        p->overflow = 1;
        return MHD_NO;
    }
    p->items[p->count].key = key;
    p->items[p->count].value = value ? value : "";
    p->items[p->count].used = 0;
    p->count++;
    return MHD_YES;
}

/* The route of `url`; *tail is what a prefix route's path leaves (without
 * its suffix, copied into the caller's buffer `tail_buf`). */
static const route *find_route(const char *url, const char **tail, char *tail_buf, size_t cap)
{
    size_t ul = strlen(url);
    for (size_t i = 0; i < N_ROUTES; i++) {
        const route *rt = &routes[i];
        size_t n = strlen(rt->path);
        if (!rt->prefix) {
            if (strcmp(url, rt->path) == 0) {
                *tail = "";
                return rt;
            }
            continue;
        }
        if (strncmp(url, rt->path, n) != 0 || !url[n])
            continue;
        size_t sl = rt->suffix ? strlen(rt->suffix) : 0;
        if (sl && (ul < n + sl + 1 || strcmp(url + ul - sl, rt->suffix) != 0))
            continue;
        size_t tl = ul - n - sl;
        if (tl >= cap)
            continue;
        memcpy(tail_buf, url + n, tl);
        tail_buf[tl] = '\0';
        *tail = tail_buf;
        return rt;
    }
    return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    vp_server *s = cls;
    request_ctx *ctx = *con_cls;
    if (!ctx)
        return MHD_NO; /* on_uri ran out of memory */
    if (!ctx->seen) {
        ctx->seen = 1;
        snprintf(ctx->method, sizeof ctx->method, "%s", method);
        return MHD_YES;
    }
    /* A body is kept up to MAX_UPLOAD (only POST routes read it). */
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        if (!ctx->too_large && ctx->uploaded + n <= MAX_UPLOAD) {
            char *grown = realloc(ctx->body, ctx->uploaded + n + 1);
            if (!grown)
                return MHD_NO;
            memcpy(grown + ctx->uploaded, upload_data, n);
            grown[ctx->uploaded + n] = '\0';
            ctx->body = grown;
        } else {
            ctx->too_large = 1;
        }
        ctx->uploaded += n;
        *upload_data_size = 0;
        return MHD_YES;
    }

    api_reply reply = {0};
    api_params *params = calloc(1, sizeof *params);
    if (!params)
        return MHD_NO;
    const char *tail = "";
    char tail_buf[1024];
    const route *rt = find_route(url, &tail, tail_buf, sizeof tail_buf);
    if (rt)
        ctx->route = (int)(rt - routes);
    /* "GET, HEAD" or "POST": the route's methods, matched as whole words. */
    int allowed = 0;
    if (rt) {
        size_t ml = strlen(method);
        for (const char *m = strstr(rt->methods, method); m; m = strstr(m + 1, method))
            if ((m == rt->methods || m[-1] == ' ') && (m[ml] == ',' || m[ml] == '\0'))
                allowed = 1;
    }
    const char *authorization =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    /* An SRU POST is a search sent as a form, not a write. */
    int writes = (strcmp(method, "PUT") == 0 || strcmp(method, "POST") == 0 ||
                  strcmp(method, "DELETE") == 0) && !(rt && rt->handler == api_handle_sru);
    unsigned wait_s = 0;
    vp_auth_result auth = VP_AUTH_OK;
    if (rt && allowed && writes) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *sa = ci ? ci->client_addr : NULL;
        if (sa && sa->sa_family == AF_INET)
            wait_s = api_rate_limit(s->state, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        else if (sa && sa->sa_family == AF_INET6)
            wait_s = api_rate_limit(s->state, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    }
    if (rt && allowed && rt->access == ADMIN)
        auth = vp_admin_keys_check(s->cfg.admin_keys, authorization);
    if (ctx->too_large) {
        api_error(&reply, 413, "request_too_large", "request body too large", NULL);
    } else if (!rt) {
        char msg[512];
        snprintf(msg, sizeof msg, "no such route: %.300s", url);
        api_error(&reply, 404, "not_found", msg, NULL);
    } else if (strcmp(method, "OPTIONS") == 0) {
        /* A CORS preflight: what a page on another origin may send here. */
        char methods[64];
        snprintf(methods, sizeof methods, "%s, OPTIONS", rt->methods);
        reply.status = 204;
        reply.body = "";
        reply.content_type = "text/plain";
        reply.allow = rt->methods;
        api_reply_header(&reply, "Access-Control-Allow-Methods", methods);
        api_reply_header(&reply, "Access-Control-Allow-Headers",
                         rt->access == ADMIN ? "Authorization, Content-Type" : "Content-Type");
        api_reply_header(&reply, "Access-Control-Max-Age", "86400");
    } else if (!allowed) {
        char msg[128];
        snprintf(msg, sizeof msg, "method %.20s not allowed here; use %s", method, rt->methods);
        api_error(&reply, 405, "method_not_allowed", msg, NULL);
        reply.allow = rt->methods;
    } else if (wait_s) {
        char msg[160], after[16];
        snprintf(msg, sizeof msg, "too many write requests from your address; try again in %u s",
                 wait_s);
        snprintf(after, sizeof after, "%u", wait_s);
        api_error(&reply, 429, "too_many_requests", msg, NULL);
        api_reply_header(&reply, "Retry-After", after);
    } else if (auth != VP_AUTH_OK) {
        /* Pages get a password prompt in the browser (the key as password). */
        int page = strncmp(url, "/v1/", 4) != 0;
        api_reply_header(&reply, "WWW-Authenticate",
                         page ? "Basic realm=\"Vindplaats staff\", charset=\"UTF-8\""
                              : "Bearer realm=\"Vindplaats\"");
        if (auth == VP_AUTH_MISSING)
            api_error(&reply, 401, "unauthorized",
                      page ? "this page needs an admin API key: give it as the password"
                           : "this endpoint needs an admin API key: Authorization: Bearer KEY",
                      NULL);
        else
            api_error(&reply, 403, "forbidden", "this API key is not valid here", NULL);
    } else {
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_param, params);
        api_request req = {NULL, s->cfg.vocabulary, &s->cfg, params, url, tail,
                           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
                           ctx->started, ctx->body, ctx->uploaded,
                           MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                       MHD_HTTP_HEADER_CONTENT_TYPE),
                           s->state, method,
                           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT),
                           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_REFERER),
                           MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                       MHD_HTTP_HEADER_USER_AGENT),
                           s->metrics};
        int needs_index = rt->needs_index;
        if (needs_index) {
            char *err = NULL;
            vp_status st;
            req.index = borrow_index(s, &err, &st);
            if (!req.index) {
                api_error(&reply, 503, "unavailable", err ? err : vp_status_str(st), NULL);
                free(err);
            }
        }
        if (!needs_index || req.index)
            rt->handler(&req, &reply);
        if (req.index)
            return_index(s, req.index);
    }
    if (!reply.json && !reply.body && !reply.owned_body)
        api_error(&reply, 500, "internal_error", "no reply", NULL);
    enum MHD_Result ret = send_reply(conn, ctx, &reply);
    json_decref(reply.json);
    free(reply.owned_body);
    free(params);
    return ret;
}

/* Runs first for every request: its result becomes the request's context. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    request_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->started = api_now();
    ctx->route = -1;
    size_t n = strcspn(uri, "?");
    if (n >= sizeof ctx->path)
        n = sizeof ctx->path - 1;
    memcpy(ctx->path, uri, n);
    return ctx;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    vp_server *s = cls;
    request_ctx *ctx = *con_cls;
    if (!ctx)
        return;
    api_metrics_record(s->metrics, ctx->route, ctx->status, api_now() - ctx->started);
    if (s->cfg.access_log) {
        double us = (api_now() - ctx->started) * 1e6;
        /* One write per line so lines of concurrent requests do not mix. */
        char line[700];
        int n = snprintf(line, sizeof line, "%s %s %u %.0f%s\n",
                         ctx->method[0] ? ctx->method : "-", ctx->path, ctx->status, us,
                         toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
        if (n > 0)
            fwrite(line, 1, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1,
                   s->cfg.access_log);
        fflush(s->cfg.access_log);
    }
    *con_cls = NULL;
    free(ctx->body);
    free(ctx);
}

static void destroy(vp_server *s)
{
    if (!s)
        return;
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    api_state_destroy(s->state);
    api_metrics_destroy(s->metrics);
    for (size_t i = 0; i < s->n_free; i++)
        vp_index_close(s->handles[i]);
    free(s->handles);
    free(s->index_path);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->available);
    free(s);
}

vp_status vp_server_start(const vp_server_config *cfg, vp_server **out, char **errmsg)
{
    vp_status st = VP_OK;
    vp_server *s = calloc(1, sizeof *s);
    if (!s)
        return VP_ERR_NOMEM;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->available, NULL);
    s->cfg = *cfg;
    if (!s->cfg.threads)
        s->cfg.threads = 2;
    s->index_path = strdup(cfg->index_path);
    s->n_handles = s->cfg.threads;
    s->handles = calloc(s->n_handles, sizeof *s->handles);
    s->state = api_state_create(&s->cfg);
    s->metrics = api_metrics_create(N_ROUTES);
    if (!s->index_path || !s->handles || !s->state) {
        st = VP_ERR_NOMEM;
        goto fail;
    }
    /* Open every worker's handle now, so a wrong path fails at start. */
    for (size_t i = 0; i < s->n_handles; i++) {
        st = vp_index_open(s->index_path, VP_INDEX_READ, cfg->vocabulary, &s->handles[i],
                           errmsg);
        if (st != VP_OK)
            goto fail;
        vp_index_set_lexicon(s->handles[i], cfg->lexicon);
        s->n_free++;
    }

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    const char *bind_to = cfg->bind_address ? cfg->bind_address : "127.0.0.1";
    if (inet_pton(AF_INET, bind_to, &addr.sin_addr) != 1) {
        st = VP_ERR_INVALID;
        if (errmsg) {
            size_t n = strlen(bind_to) + 64;
            *errmsg = malloc(n);
            if (*errmsg)
                snprintf(*errmsg, n, "not an IPv4 address: %s", bind_to);
        }
        goto fail;
    }
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY | MHD_USE_ERROR_LOG,
        (uint16_t)cfg->port, NULL, NULL, on_request, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)s->cfg.threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONNECTION_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONNECTION_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)PER_IP_CONNECTION_LIMIT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY_LIMIT,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        st = VP_ERR_IO;
        if (errmsg) {
            *errmsg = malloc(128);
            if (*errmsg)
                snprintf(*errmsg, 128, "cannot listen on %s:%u", bind_to, cfg->port);
        }
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : cfg->port;
    *out = s;
    return VP_OK;
fail:
    destroy(s);
    return st;
}

unsigned vp_server_port(const vp_server *s)
{
    return s->port;
}

void vp_server_stop(vp_server *s)
{
    destroy(s);
}
