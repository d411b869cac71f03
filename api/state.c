/* state.c - what the server's handlers share between requests: the write
 * rate limiter, the service map cache and the query log (their own files
 * hold the last two), the answer cache and the most used offerings.
 *
 * The rate limiter is a token bucket per client address, in memory, per
 * server process (replicas each count their own). Addresses are not kept:
 * a slot holds 64 bits of a salted SHA-256 of the address, the salt drawn
 * at start, so the table says nothing about who called. The table has a
 * fixed size; each address may use one of two slots, and a newcomer takes
 * over a slot whose bucket is full again (an idle client) or else the one
 * used least recently, so the memory never grows. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "api.h"
#include "sha256.h"
#include "vindplaats/answer_cache.h"

#define RL_SLOTS 4096
#define DEFAULT_WRITE_LIMIT 600

typedef struct rl_slot {
    uint64_t tag;      /* 0: free */
    double tokens;
    double at;         /* monotonic seconds of the last refill */
    double used;       /* monotonic seconds of the last write taken */
} rl_slot;

struct api_state {
    pthread_mutex_t lock;
    unsigned char salt[16];
    double rate;       /* tokens a second */
    double burst;      /* bucket size */
    rl_slot *slots;
    struct services_cache *services; /* borrowed: the server owns them */
    struct insights_log *insights;
    vp_answer_cache *answers;  /* NULL: no answer cache */
    /* The most used offerings, for the popularity boost of searches: read
     * from the store at most every POPULAR_SECONDS, not on every search. */
    vp_scored *popular;
    size_t n_popular;
    double popular_at;
};

#define POPULAR_SECONDS 30.0

api_state *api_state_create(const vp_server_config *cfg, struct services_cache *services,
                            struct insights_log *insights)
{
    api_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    pthread_mutex_init(&st->lock, NULL);
    unsigned limit = cfg->write_limit ? cfg->write_limit : DEFAULT_WRITE_LIMIT;
    st->rate = limit / 60.0;
    st->burst = limit;
    if (getrandom(st->salt, sizeof st->salt, 0) != (ssize_t)sizeof st->salt) {
        double t = api_now();
        memcpy(st->salt, &t, sizeof t);
    }
    st->slots = calloc(RL_SLOTS, sizeof *st->slots);
    st->services = services;
    st->insights = insights;
    size_t cache_mb = cfg->cache_mb == VP_SERVER_CACHE_OFF ? 0
                      : cfg->cache_mb                      ? cfg->cache_mb
                                                           : VP_ANSWER_CACHE_DEFAULT_MB;
    if (cache_mb)
        st->answers = vp_answer_cache_create(cache_mb << 20);
    if (!st->slots || (cache_mb && !st->answers)) {
        api_state_destroy(st);
        return NULL;
    }
    return st;
}

size_t api_state_popular(api_state *st, vp_store *store, int64_t now, vp_scored **out)
{
    *out = NULL;
    if (!st || !store)
        return 0;
    pthread_mutex_lock(&st->lock);
    double t = api_now();
    if (st->popular_at == 0 || t - st->popular_at >= POPULAR_SECONDS) {
        vp_scored *fresh = NULL;
        size_t n = 0;
        /* Redis being away costs the boost, never the search. */
        if (vp_store_top(store, NULL, now, VP_SEARCH_MAX_POPULAR, &fresh, &n, NULL) == VP_OK) {
            vp_scored_free(st->popular, st->n_popular);
            st->popular = fresh;
            st->n_popular = n;
        }
        st->popular_at = t;
    }
    size_t n = 0;
    vp_scored *copy = st->n_popular ? calloc(st->n_popular, sizeof *copy) : NULL;
    for (size_t i = 0; copy && i < st->n_popular; i++) {
        copy[i].key = strdup(st->popular[i].key);
        copy[i].score = st->popular[i].score;
        if (copy[i].key)
            n = i + 1;
        else
            break;
    }
    pthread_mutex_unlock(&st->lock);
    if (copy && n == 0) {
        free(copy);
        copy = NULL;
    }
    *out = copy;
    return n;
}

void api_state_destroy(api_state *st)
{
    if (!st)
        return;
    vp_answer_cache_destroy(st->answers);
    vp_scored_free(st->popular, st->n_popular);
    free(st->slots);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

struct services_cache *api_state_services(api_state *st)
{
    return st->services;
}

struct insights_log *api_state_insights(api_state *st)
{
    return st->insights;
}

vp_answer_cache *api_state_answers(api_state *st)
{
    return st->answers;
}

static void refill(const api_state *st, rl_slot *s, double now)
{
    if (now > s->at) {
        s->tokens = fmin(st->burst, s->tokens + (now - s->at) * st->rate);
        s->at = now;
    }
}

uint64_t api_salted_tag(const unsigned char *salt, size_t salt_len, const void *addr, size_t len)
{
    unsigned char d[SHA256_LEN];
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, salt_len, salt);
    sha256_update(&c, len, addr);
    sha256_digest(&c, SHA256_LEN, d);
    uint64_t tag = 0;
    for (int i = 0; i < 8; i++)
        tag = tag << 8 | d[i];
    return tag ? tag : 1;
}

unsigned api_rate_limit(api_state *st, const void *addr, size_t len)
{
    uint64_t tag = api_salted_tag(st->salt, sizeof st->salt, addr, len);
    size_t i1 = (size_t)(tag % RL_SLOTS), i2 = (size_t)((tag >> 32) % RL_SLOTS);
    double now = api_now();
    unsigned wait = 0;
    pthread_mutex_lock(&st->lock);
    rl_slot *a = &st->slots[i1], *b = &st->slots[i2], *s;
    if (a->tag == tag) {
        s = a;
    } else if (b->tag == tag) {
        s = b;
    } else {
        refill(st, a, now);
        refill(st, b, now);
        if (!a->tag || a->tokens >= st->burst)
            s = a;
        else if (!b->tag || b->tokens >= st->burst)
            s = b;
        else
            s = a->used <= b->used ? a : b;
        s->tag = tag;
        s->tokens = st->burst;
        s->at = now;
    }
    refill(st, s, now);
    s->used = now;
    if (s->tokens >= 1.0)
        s->tokens -= 1.0;
    else
        wait = (unsigned)ceil((1.0 - s->tokens) / st->rate);
    pthread_mutex_unlock(&st->lock);
    return wait;
}


int api_store_answers(vp_store *store)
{
    char *v = NULL;
    vp_status ss = store ? vp_store_get(store, "health", "ping", &v, NULL) : VP_ERR_IO;
    free(v);
    return ss == VP_OK || ss == VP_ERR_NOT_FOUND;
}
