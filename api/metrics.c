/* metrics.c - GET /metrics in the Prometheus text format: requests by
 * route and status, a latency histogram per route, the index (revision,
 * documents, shards, and each shard of a sharded index), cache hits and
 * misses, and whether the signal store answers. Counters are C11 atomics,
 * updated by every worker without a lock. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "vindplaats/answer_cache.h"
#include "vindplaats/buf.h"
#include "vindplaats/server.h"
#include "vindplaats/suggest.h"

static const unsigned codes[] = {200, 202, 204, 301, 302, 303, 304, 400, 401, 403,
                                 404, 405, 410, 413, 429, 500, 503};
#define N_CODES (sizeof codes / sizeof codes[0])
#define OTHER_CODE N_CODES

static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                0.1,   0.25,   0.5,   1.0,  2.5};
#define N_BOUNDS (sizeof bounds / sizeof bounds[0])

typedef struct route_metrics {
    _Atomic uint64_t by_code[N_CODES + 1];
    _Atomic uint64_t buckets[N_BOUNDS + 1];  /* the last: above every bound */
    _Atomic uint64_t micros;                 /* sum of durations */
} route_metrics;

/* One allocation: the counters of every route follow the header. */
struct api_metrics {
    size_t n;                  /* routes, plus one for "no route" */
    const vp_route_info *info; /* the routes' names, n - 1 of them */
    route_metrics routes[];
};

api_metrics *api_metrics_create(const vp_route_info *routes, size_t n_routes)
{
    api_metrics *m = calloc(1, sizeof *m + (n_routes + 1) * sizeof m->routes[0]);
    if (m) {
        m->n = n_routes + 1;
        m->info = routes;
    }
    return m;
}

void api_metrics_destroy(api_metrics *m)
{
    free(m);
}

void api_metrics_record(api_metrics *m, int route, unsigned status, double seconds)
{
    if (!m)
        return;
    route_metrics *r = &m->routes[route >= 0 && (size_t)route < m->n - 1 ? (size_t)route : m->n - 1];
    size_t c = OTHER_CODE;
    for (size_t i = 0; i < N_CODES; i++)
        if (codes[i] == status)
            c = i;
    atomic_fetch_add_explicit(&r->by_code[c], 1, memory_order_relaxed);
    size_t b = N_BOUNDS;
    for (size_t i = 0; i < N_BOUNDS; i++)
        if (seconds <= bounds[i]) {
            b = i;
            break;
        }
    atomic_fetch_add_explicit(&r->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->micros, (uint64_t)(seconds * 1e6), memory_order_relaxed);
}

/* `name` as a label value: backslash, double quote and newline escaped. */
static void put_label(vp_buf *b, const char *name)
{
    for (const char *p = name; *p; p++) {
        if (*p == '\\')
            vp_buf_puts(b, "\\\\");
        else if (*p == '"')
            vp_buf_puts(b, "\\\"");
        else if (*p == '\n')
            vp_buf_puts(b, "\\n");
        else
            vp_buf_append(b, p, 1);
    }
}

/* Per shard of a sharded index: up, and revision and documents of those
 * that are up (a shard that is down has no revision or documents lines,
 * rather than zeros that would read as an empty shard). Nothing for a
 * single database. */
static void put_shards(vp_buf *b, vp_index *index)
{
    vp_shard_stats *sh = NULL;
    size_t n = 0;
    if (vp_index_shard_stats(index, &sh, &n, NULL) != VP_OK || n == 0)
        return;
    static const char *const series[3][2] = {
        {"up", "Whether a shard of a sharded index answers."},
        {"revision", "The revision of a shard (of a remote one: its commits)."},
        {"documents", "Documents in a shard."}};
    for (size_t k = 0; k < 3; k++) {
        vp_buf_printf(b, "# HELP vindplaats_shard_%s %s\n# TYPE vindplaats_shard_%s gauge\n",
                      series[k][0], series[k][1], series[k][0]);
        for (size_t i = 0; i < n; i++) {
            if (k > 0 && !sh[i].up)
                continue;
            uint64_t v = k == 0 ? (uint64_t)sh[i].up : k == 1 ? sh[i].revision : sh[i].documents;
            vp_buf_printf(b, "vindplaats_shard_%s{shard=\"", series[k][0]);
            put_label(b, sh[i].name);
            vp_buf_printf(b, "\"} %llu\n", (unsigned long long)v);
        }
    }
    vp_index_shard_stats_free(sh, n);
}

void api_handle_metrics(api_request *req, api_reply *r)
{
    if (api_reject_unused(req->params, r) != 0)
        return;
    api_metrics *m = req->metrics;
    size_t n_routes = m ? m->n - 1 : 0;
    const vp_route_info *info = m ? m->info : NULL;
    vp_buf b;
    vp_buf_init(&b, 4 << 20);
    vp_buf_puts(&b, "# HELP vindplaats_requests_total Requests answered, by route and status.\n"
                    "# TYPE vindplaats_requests_total counter\n");
    for (size_t i = 0; m && i < m->n; i++) {
        const char *route = i < n_routes ? info[i].path : "none";
        for (size_t c = 0; c <= N_CODES; c++) {
            uint64_t v = atomic_load_explicit(&m->routes[i].by_code[c], memory_order_relaxed);
            if (!v)
                continue;
            if (c < N_CODES)
                vp_buf_printf(&b, "vindplaats_requests_total{route=\"%s\",status=\"%u\"} %llu\n",
                              route, codes[c], (unsigned long long)v);
            else
                vp_buf_printf(&b, "vindplaats_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                              route, (unsigned long long)v);
        }
    }
    vp_buf_puts(&b, "# HELP vindplaats_request_duration_seconds Time from request to answer.\n"
                    "# TYPE vindplaats_request_duration_seconds histogram\n");
    for (size_t i = 0; m && i < m->n; i++) {
        const char *route = i < n_routes ? info[i].path : "none";
        uint64_t cumulative = 0;
        for (size_t k = 0; k <= N_BOUNDS; k++)
            cumulative += atomic_load_explicit(&m->routes[i].buckets[k], memory_order_relaxed);
        if (!cumulative)
            continue;
        uint64_t running = 0;
        for (size_t k = 0; k < N_BOUNDS; k++) {
            running += atomic_load_explicit(&m->routes[i].buckets[k], memory_order_relaxed);
            vp_buf_printf(&b, "vindplaats_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                          route, bounds[k], (unsigned long long)running);
        }
        vp_buf_printf(&b, "vindplaats_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                          "vindplaats_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                          "vindplaats_request_duration_seconds_count{route=\"%s\"} %llu\n",
                      route, (unsigned long long)cumulative, route,
                      (double)atomic_load_explicit(&m->routes[i].micros, memory_order_relaxed) / 1e6,
                      route, (unsigned long long)cumulative);
    }
    /* The index: revision and documents, and the shards that answer. */
    uint64_t revision = 0, documents = 0;
    int index_ok = vp_index_refresh(req->index, NULL) == VP_OK &&
                   vp_index_stats(req->index, &revision, &documents, NULL) == VP_OK;
    size_t down = 0;
    size_t shards = vp_index_shards(req->index, &down, NULL);
    vp_buf_printf(&b, "# HELP vindplaats_index_up Whether the index can be read.\n"
                      "# TYPE vindplaats_index_up gauge\nvindplaats_index_up %d\n"
                      "# HELP vindplaats_index_revision The revision the server reads.\n"
                      "# TYPE vindplaats_index_revision gauge\nvindplaats_index_revision %llu\n"
                      "# HELP vindplaats_index_documents Documents in the index.\n"
                      "# TYPE vindplaats_index_documents gauge\nvindplaats_index_documents %llu\n"
                      "# HELP vindplaats_shards Shards of a sharded index, by state.\n"
                      "# TYPE vindplaats_shards gauge\n"
                      "vindplaats_shards{state=\"up\"} %zu\nvindplaats_shards{state=\"down\"} %zu\n",
                  index_ok, (unsigned long long)revision, (unsigned long long)documents,
                  shards - down, down);
    put_shards(&b, req->index);
    /* The caches: hits and misses as suggest.c and services.c define them. */
    uint64_t hits[3] = {0, 0, 0}, misses[3] = {0, 0, 0};
    vp_suggest_cache_counts(&hits[0], &misses[0]);
    services_cache_counts(api_state_services(req->state), &hits[1], &misses[1]);
    vp_answer_cache_stats answers;
    vp_answer_cache_stats_get(api_state_answers(req->state), &answers);
    hits[2] = answers.hits;
    misses[2] = answers.misses;
    vp_buf_puts(&b, "# HELP vindplaats_cache_requests_total Cache lookups, by cache and result.\n"
                    "# TYPE vindplaats_cache_requests_total counter\n");
    static const char *const caches[3] = {"suggest", "services", "answers"};
    for (size_t k = 0; k < 3; k++)
        vp_buf_printf(&b, "vindplaats_cache_requests_total{cache=\"%s\",result=\"hit\"} %llu\n"
                          "vindplaats_cache_requests_total{cache=\"%s\",result=\"miss\"} %llu\n",
                      caches[k], (unsigned long long)hits[k], caches[k],
                      (unsigned long long)misses[k]);
    /* The answer cache of searches (answer_cache.h): why answers left it,
     * and how full it is (max 0: switched off). */
    vp_buf_printf(&b, "# HELP vindplaats_cache_dropped_total Answers dropped from the answer cache: "
                      "evicted for room, invalidated by a new index version, or stale.\n"
                      "# TYPE vindplaats_cache_dropped_total counter\n"
                      "vindplaats_cache_dropped_total{cache=\"answers\",reason=\"evicted\"} %llu\n"
                      "vindplaats_cache_dropped_total{cache=\"answers\",reason=\"invalidated\"} %llu\n"
                      "vindplaats_cache_dropped_total{cache=\"answers\",reason=\"stale\"} %llu\n"
                      "# HELP vindplaats_cache_entries Answers held in the answer cache.\n"
                      "# TYPE vindplaats_cache_entries gauge\n"
                      "vindplaats_cache_entries{cache=\"answers\"} %llu\n"
                      "# HELP vindplaats_cache_bytes Memory held by the answer cache.\n"
                      "# TYPE vindplaats_cache_bytes gauge\n"
                      "vindplaats_cache_bytes{cache=\"answers\"} %llu\n"
                      "# HELP vindplaats_cache_max_bytes The answer cache's budget (--cache-mb).\n"
                      "# TYPE vindplaats_cache_max_bytes gauge\n"
                      "vindplaats_cache_max_bytes{cache=\"answers\"} %llu\n",
                  (unsigned long long)answers.evictions, (unsigned long long)answers.invalidations,
                  (unsigned long long)answers.stale, (unsigned long long)answers.entries,
                  (unsigned long long)answers.bytes, (unsigned long long)answers.max_bytes);
    /* The query log (insights.c): events written in batches, or dropped. */
    uint64_t logged, batches, dropped;
    api_insights_counts(api_state_insights(req->state), &logged, &batches, &dropped);
    vp_buf_printf(&b, "# HELP vindplaats_insights_events_total Query log events: written to the "
                      "store, or dropped with the queue full.\n"
                      "# TYPE vindplaats_insights_events_total counter\n"
                      "vindplaats_insights_events_total{result=\"written\"} %llu\n"
                      "vindplaats_insights_events_total{result=\"dropped\"} %llu\n"
                      "# HELP vindplaats_insights_batches_total Batches the query log wrote.\n"
                      "# TYPE vindplaats_insights_batches_total counter\n"
                      "vindplaats_insights_batches_total %llu\n",
                  (unsigned long long)logged, (unsigned long long)dropped,
                  (unsigned long long)batches);
    /* The signal store (Redis or embedded): does it answer. */
    vp_store *store = req->cfg->store;
    int store_up = api_store_answers(store);
    vp_buf_printf(&b, "# HELP vindplaats_store_up Whether the signal store answers (%s).\n"
                      "# TYPE vindplaats_store_up gauge\nvindplaats_store_up %d\n",
                  store ? vp_store_backend(store) : "none", store_up);
    api_reply_buf(r, 200, &b, "text/plain; version=0.0.4; charset=utf-8", NULL);
    vp_buf_free(&b);
}
