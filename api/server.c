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
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "site.h"
#include "vindplaats/index.h"

/* Limits against slow and idle clients. libmicrohttpd's own timeout only
 * measures inactivity (a client sending a byte every few seconds stays), so
 * the server keeps a deadline of its own for receiving a whole request
 * (headers and body), counted from the connection's start or from the end
 * of its previous reply: past it the connection is closed. The inactivity
 * timeout (CONNECTION_TIMEOUT_S) is kept for making and sending a reply. Above
 * SOFT_CONNECTION_LIMIT connections the deadline shrinks to PRESSED_DEADLINE,
 * so that the room left under CONNECTION_LIMIT stays free for clients that
 * send their request at once. A request that has fully arrived but waits
 * unread in the kernel because its worker is busy with other requests is
 * the server's delay, not a slow client: the deadline spares it. */
#define CONNECTION_TIMEOUT_S 15
#define CONNECTION_LIMIT 1024
#define SOFT_CONNECTION_LIMIT 768
#define REQUEST_DEADLINE_S 10.0
#define PRESSED_DEADLINE_S 1.0
#define WATCH_INTERVAL_MS 250
#define PER_IP_CONNECTION_LIMIT 32
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
    X("/", 0, NULL, "/", api_handle_home, 1, "GET, HEAD", PUBLIC)                        \
    X("/widget.js", 0, NULL, "/widget.js", api_handle_static, 0, "GET, HEAD", PUBLIC)    \
    X("/widget.css", 0, NULL, "/widget.css", api_handle_static, 0, "GET, HEAD", PUBLIC)  \
    X("/site.css", 0, NULL, "/site.css", api_handle_site_css, 0, "GET, HEAD", PUBLIC)      \
    X("/og-default.png", 0, NULL, "/og-default.png", api_handle_static, 0, "GET, HEAD", PUBLIC) \
    X("/opensearch.xml", 0, NULL, "/opensearch.xml", api_handle_opensearch, 0, "GET, HEAD", PUBLIC) \
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
      "GET, HEAD", ADMIN)                                                                \
    X("/v1/insights/days", 0, NULL, "/v1/insights/days", api_handle_insights_days, 0,    \
      "GET, HEAD", ADMIN)                                                                \
    X("/v1/insights/propositions", 0, NULL, "/v1/insights/propositions",                 \
      api_handle_insights_propositions, 0, "GET, HEAD", ADMIN)                           \
    X("/v1/insights/filters", 0, NULL, "/v1/insights/filters", api_handle_insights_filters, 0, \
      "GET, HEAD", ADMIN)                                                                \
    X("/v1/insights/campaigns", 0, NULL, "/v1/insights/campaigns",                       \
      api_handle_insights_campaigns, 0, "GET, HEAD", ADMIN)                              \
    X("/v1/insights/segments", 0, NULL, "/v1/insights/segments", api_handle_insights_segments, \
      0, "GET, HEAD", ADMIN)                                                             \
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
    X("/p/", 1, NULL, "/p/{proposition}", api_handle_proposition_page, 1,                 \
      "GET, HEAD", PUBLIC)                                                               \
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

/* One open connection, for the request deadline (see above). */
typedef struct watched {
    int fd;
    double since;        /* when it started waiting for its next request */
    int receiving;       /* 1 from then until its request is complete */
    int closing;         /* shut down by the watch, not yet closed */
    struct watched *prev, *next;
} watched;

struct vp_server {
    struct MHD_Daemon *daemon;
    /* The connection watch: every open connection, and a thread that
     * closes the ones past their deadline. */
    pthread_mutex_t watch_lock;
    pthread_cond_t watch_wake;
    watched *conns;
    size_t n_conns;
    int watch_stop;
    int watch_running;
    pthread_t watch_thread;
    vp_server_config cfg;
    char *index_path;
    unsigned port;
    pthread_mutex_t lock;
    pthread_cond_t available;
    vp_index **handles;      /* free handles; NULL slots are not opened yet */
    size_t n_free;
    size_t n_handles;
    api_state *state;
    struct services_cache *services; /* the service map (services.c) */
    struct insights_log *insights;   /* the query log (insights.c) */
    api_metrics *metrics;
    api_site *site;          /* the pages' templates, read-only once loaded */
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
    api_refusal refusal; /* set when the request is refused before routing */
    int close;           /* close the connection after the reply */
} request_ctx;

const vp_route_info *vp_server_routes(size_t *count)
{
    *count = N_ROUTES;
    return route_info;
}

/* ---- the pool of index handles ---- */

/* A worker's index handle, opened when its slot has none yet; NULL with
 * *st and *err (why it could not be opened) otherwise. */
static vp_index *borrow_index(vp_server *s, vp_error *err, vp_status *st)
{
    pthread_mutex_lock(&s->lock);
    while (s->n_free == 0)
        pthread_cond_wait(&s->available, &s->lock);
    vp_index *idx = s->handles[--s->n_free];
    pthread_mutex_unlock(&s->lock);
    *st = VP_OK;
    if (!idx) {
        *st = vp_index_open(s->index_path, VP_INDEX_READ, s->cfg.vocabulary, &idx, err);
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

/* When not even an error reply could be built: a fixed one, so the client
 * never waits for an answer that will not come. */
static enum MHD_Result send_out_of_memory(struct MHD_Connection *conn, request_ctx *ctx)
{
    static const char body[] = "{\"error\":{\"code\":\"unavailable\",\"message\":\"out of memory\"}}";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    ctx->status = 503;
    enum MHD_Result ret = MHD_queue_response(conn, 503, resp);
    MHD_destroy_response(resp);
    return ret;
}

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
            return send_out_of_memory(conn, ctx);
        size_t len = strlen(text);
        resp = MHD_create_response_from_buffer_with_free_callback(len, text, free);
        if (!resp) {
            free(text);
            return MHD_NO;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "application/json; charset=utf-8");
    } else if (!r->body) {
        return send_out_of_memory(conn, ctx);
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
    if (ctx->close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
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
    if (api_param_ignored(key, strlen(key), value, value ? strlen(value) : 0))
        return MHD_YES;
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

/* One parameter at the entry (lengths from libmicrohttpd, so %00 shows). */
static enum MHD_Result check_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    api_refusal *f = cls;
    if (api_param_ignored(key, key_size, value, value_size))
        return MHD_YES;
    return api_param_check(key, key_size, value, value_size, f) == 0 ? MHD_YES : MHD_NO;
}

typedef struct framing {
    size_t lengths, encodings;
    int other_encoding;  /* a Transfer-Encoding other than "chunked" */
} framing;

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    framing *fr = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        fr->lengths++;
    if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        fr->encodings++;
        fr->other_encoding |= !value || strcasecmp(value, "chunked") != 0;
    }
    return MHD_YES;
}

/* A body framed twice (Content-Length and Transfer-Encoding, or either one
 * repeated) can be read one way here and another way by a proxy in front,
 * which then takes the rest of the body for a second request: refuse it,
 * and close the connection so nothing after it is read as a request. */
static int check_framing(struct MHD_Connection *conn, api_refusal *f)
{
    framing fr = {0, 0, 0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_framing, &fr);
    const char *msg = NULL;
    if (fr.lengths && fr.encodings)
        msg = "a request may not have both Content-Length and Transfer-Encoding";
    else if (fr.lengths > 1)
        msg = "Content-Length is given more than once";
    else if (fr.encodings > 1 || fr.other_encoding)
        msg = "Transfer-Encoding must be given once, as chunked";
    if (!msg)
        return 0;
    f->status = 400;
    f->code = "bad_request";
    f->parameter[0] = '\0';
    snprintf(f->message, sizeof f->message, "%s", msg);
    return -1;
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

/* A library client of /sru expects every problem as an SRU diagnostic. */
static int is_sru(const char *url)
{
    const char *tail;
    char tail_buf[16];
    const route *rt = find_route(url, &tail, tail_buf, sizeof tail_buf);
    return rt && rt->handler == api_handle_sru;
}

/* ---- the connection watch ---- */

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    vp_server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        watched *w = ci ? calloc(1, sizeof *w) : NULL;
        *socket_context = w;
        if (!w) {
            /* Not watched, it would have no deadline while it receives:
             * out of memory, refuse it (its worker sees the end and closes). */
            if (ci)
                shutdown(ci->connect_fd, SHUT_RDWR);
            return;
        }
        w->fd = ci->connect_fd;
        w->since = api_now();
        w->receiving = 1;
        pthread_mutex_lock(&s->watch_lock);
        w->next = s->conns;
        if (s->conns)
            s->conns->prev = w;
        s->conns = w;
        s->n_conns++;
        pthread_mutex_unlock(&s->watch_lock);
        return;
    }
    /* Closed: libmicrohttpd closes the socket after this returns, so the
     * watch never shuts down a descriptor that was given to another
     * connection. */
    watched *w = *socket_context;
    if (!w)
        return;
    pthread_mutex_lock(&s->watch_lock);
    if (w->prev)
        w->prev->next = w->next;
    else
        s->conns = w->next;
    if (w->next)
        w->next->prev = w->prev;
    s->n_conns--;
    pthread_mutex_unlock(&s->watch_lock);
    free(w);
    *socket_context = NULL;
}

/* The request on `conn` is complete (receiving 0), or its reply is sent and
 * the connection waits for the next one (receiving 1; `kept` when it stays
 * open for one). While a connection receives, the watch's deadline is its
 * only limit (libmicrohttpd's inactivity timeout is 0 then): that timeout
 * also counts the time a request that has arrived waits for a busy worker
 * (a worker reads it only when free), and closed such connections of
 * well-behaved clients once the queue was longer than the timeout. The
 * timeout applies while the reply is made and sent. */
static void mark_receiving(vp_server *s, struct MHD_Connection *conn, int receiving, int kept)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    watched *w = ci ? ci->socket_context : NULL;
    if (!w)
        return;
    pthread_mutex_lock(&s->watch_lock);
    w->receiving = receiving;
    w->since = api_now();
    pthread_mutex_unlock(&s->watch_lock);
    if (!receiving || kept)
        MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
                                  receiving ? 0u : (unsigned int)CONNECTION_TIMEOUT_S);
}

/* 1 when the head of a request (up to its blank line) waits on `fd`
 * unread: it arrived whole while the connection's worker was busy. */
static int request_waiting(int fd)
{
    char buf[API_MAX_URI + 4096];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    for (ssize_t i = 0; i + 3 < n; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
            return 1;
    return 0;
}

/* Shuts down (without closing: libmicrohttpd owns the descriptor) every
 * connection that has been receiving one request for too long, unless the
 * request is there and only waits for its worker; the worker then sees the
 * end of the stream and closes it. */
static void *watch(void *arg)
{
    vp_server *s = arg;
    pthread_mutex_lock(&s->watch_lock);
    while (!s->watch_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += WATCH_INTERVAL_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&s->watch_wake, &s->watch_lock, &until);
        double now = api_now();
        double deadline = s->n_conns > SOFT_CONNECTION_LIMIT ? PRESSED_DEADLINE_S
                                                              : REQUEST_DEADLINE_S;
        for (watched *w = s->conns; w; w = w->next) {
            if (!w->receiving || w->closing || now - w->since <= deadline ||
                request_waiting(w->fd))
                continue;
            shutdown(w->fd, SHUT_RDWR);
            w->closing = 1;
        }
    }
    pthread_mutex_unlock(&s->watch_lock);
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
        /* One pass over what the request carries, before any route: the
         * URI (on_uri), the framing of the body, every parameter. A refused
         * request is answered now, without reading its body. */
        api_refusal *f = &ctx->refusal;
        if (!f->status && check_framing(conn, f) != 0)
            ctx->close = 1;
        if (!f->status)
            MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, check_param, f);
        if (!f->status)
            return MHD_YES;
        mark_receiving(s, conn, 0, 0);
        api_reply reply = {0};
        if (f->status == 400 && f->parameter[0] && is_sru(url))
            api_sru_refused(MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "version"),
                            f, &reply);
        else
            api_refusal_reply(f, &reply);
        enum MHD_Result ret = send_reply(conn, ctx, &reply);
        json_decref(reply.json);
        free(reply.owned_body);
        return ret;
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

    mark_receiving(s, conn, 0, 0);
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
    vp_status auth = VP_OK;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (rt && allowed && writes) {
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
        vp_status hst = api_reply_header(&reply, "Access-Control-Allow-Methods", methods);
        if (hst == VP_OK)
            hst = api_reply_header(&reply, "Access-Control-Allow-Headers",
                                   rt->access == ADMIN ? "Authorization, Content-Type"
                                                       : "Content-Type");
        if (hst == VP_OK)
            hst = api_reply_header(&reply, "Access-Control-Max-Age", "86400");
        if (hst != VP_OK)
            api_status_error(&reply, hst, "too many reply headers");
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
        vp_status hst = api_reply_header(&reply, "Retry-After", after);
        if (hst != VP_OK)
            api_status_error(&reply, hst, "too many reply headers");
    } else if (auth != VP_OK) {
        /* Pages get a password prompt in the browser (the key as password). */
        int page = strncmp(url, "/v1/", 4) != 0;
        vp_status hst = api_reply_header(&reply, "WWW-Authenticate",
                                         page ? "Basic realm=\"Vindplaats staff\", charset=\"UTF-8\""
                                              : "Bearer realm=\"Vindplaats\"");
        if (hst != VP_OK)
            api_status_error(&reply, hst, "too many reply headers");
        else if (auth == VP_ERR_NOT_FOUND)
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
                           s->metrics, sa,
                           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For"),
                           s->site};
        int needs_index = rt->needs_index;
        if (needs_index) {
            vp_error err = VP_ERROR_INIT;
            vp_status st;
            req.index = borrow_index(s, &err, &st);
            if (!req.index)
                api_error(&reply, 503, "unavailable", err.message ? err.message : vp_status_str(st),
                          NULL);
            vp_error_clear(&err);
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
    if (!uri)
        uri = "";
    size_t args_at = 0;
    if (api_uri_check(uri, &ctx->refusal, &args_at) != 0 && args_at) {
        /* libmicrohttpd parses the query string right after this callback,
         * from this very buffer (its read buffer), into records in the
         * connection's memory pool; thousands of parameters exhaust the pool
         * and libmicrohttpd 0.9.75 then never answers. A refused query
         * string is therefore cut here, so that it is never parsed. */
        ((char *)uri)[args_at] = '\0';
    }
    size_t n = strcspn(uri, "?");
    if (n >= sizeof ctx->path)
        n = sizeof ctx->path - 1;
    memcpy(ctx->path, uri, n);
    return ctx;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    vp_server *s = cls;
    mark_receiving(s, conn, 1, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    request_ctx *ctx = *con_cls;
    if (!ctx)
        return;
    api_metrics_record(s->metrics, ctx->route, ctx->status, api_now() - ctx->started);
    if (s->cfg.access_log) {
        double us = (api_now() - ctx->started) * 1e6;
        /* One write per line so lines of concurrent requests do not mix; what
         * the client sent is escaped, so no control byte reaches a terminal. */
        char method[sizeof ctx->method * 4], path[sizeof ctx->path * 4];
        api_text_escape(method, sizeof method, ctx->method, strlen(ctx->method));
        api_text_escape(path, sizeof path, ctx->path, strlen(ctx->path));
        char line[sizeof method + sizeof path + 64];
        int n = snprintf(line, sizeof line, "%s %s %u %.0f%s\n",
                         method[0] ? method : "-", path, ctx->status, us,
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
    if (s->watch_running)
        api_thread_stop(s->watch_thread, &s->watch_lock, &s->watch_wake, &s->watch_stop);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    api_state_destroy(s->state);
    insights_log_destroy(s->insights);
    services_cache_destroy(s->services);
    api_metrics_destroy(s->metrics);
    api_site_destroy(s->site);
    for (size_t i = 0; i < s->n_free; i++)
        vp_index_close(s->handles[i]);
    free(s->handles);
    free(s->index_path);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->available);
    pthread_mutex_destroy(&s->watch_lock);
    pthread_cond_destroy(&s->watch_wake);
    free(s);
}

vp_status vp_server_start(const vp_server_config *cfg, vp_server **out, vp_error *err)
{
    vp_status st = VP_OK;
    vp_server *s = calloc(1, sizeof *s);
    if (!s)
        return vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->available, NULL);
    pthread_mutex_init(&s->watch_lock, NULL);
    pthread_cond_init(&s->watch_wake, NULL);
    s->cfg = *cfg;
    if (!s->cfg.threads)
        s->cfg.threads = 2;
    s->index_path = strdup(cfg->index_path);
    s->n_handles = s->cfg.threads;
    s->handles = calloc(s->n_handles, sizeof *s->handles);
    s->services = services_cache_create(&s->cfg);
    s->insights = cfg->store ? insights_log_create(cfg->store, cfg->vocabulary,
                                                   cfg->query_min_clients, cfg->trusted_proxies)
                             : NULL;
    s->state = s->services && (s->insights || !cfg->store)
                   ? api_state_create(&s->cfg, s->services, s->insights)
                   : NULL;
    s->metrics = api_metrics_create(route_info, N_ROUTES);
    if (!s->index_path || !s->handles || !s->state) {
        st = vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
        goto fail;
    }
    /* Every template parsed now: a broken one stops the start, FILE:LINE. */
    st = api_site_load(cfg->templates_dir, &s->site, err);
    if (st != VP_OK)
        goto fail;
    /* Open every worker's handle now, so a wrong path fails at start. */
    for (size_t i = 0; i < s->n_handles; i++) {
        st = vp_index_open(s->index_path, VP_INDEX_READ, cfg->vocabulary, &s->handles[i], err);
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
        st = vp_error_set(err, VP_ERR_INVALID, NULL, "not an IPv4 address: %s", bind_to);
        goto fail;
    }
    /* Behind a reverse proxy every client has the proxy's address: the
     * operator sets the limit there (docs/deploy.md). */
    unsigned int per_ip = !cfg->per_ip_limit                              ? PER_IP_CONNECTION_LIMIT
                          : cfg->per_ip_limit == VP_SERVER_PER_IP_UNLIMITED ? 0
                                                                            : cfg->per_ip_limit;
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY | MHD_USE_ERROR_LOG,
        (uint16_t)cfg->port, NULL, NULL, on_request, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)s->cfg.threads,
        MHD_OPTION_CONNECTION_TIMEOUT, 0u, /* per phase: see mark_receiving */
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONNECTION_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY_LIMIT,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        st = vp_error_set(err, VP_ERR_IO, NULL, "cannot listen on %s:%u", bind_to, cfg->port);
        goto fail;
    }
    if (pthread_create(&s->watch_thread, NULL, watch, s) != 0) {
        st = VP_ERR_NOMEM;
        goto fail;
    }
    s->watch_running = 1;
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
