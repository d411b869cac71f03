/* answer_cache.c - finished answers of searches, per index version (see
 * answer_cache.h).
 *
 * One lock over a chained hash table and a least-recently-used list: a hit
 * is a hash, a comparison of keys and one copy of the answer, all of it
 * short next to the search it saves, so two workers rarely wait on each
 * other. The table is sized once from the byte budget and counted in it. */
#include "vindplaats/answer_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vindplaats/hash.h"
#include "vindplaats/offering.h"

/* Every field of a request that can change its answer must be in its key.
 * A field added to vp_search_request or vp_ranking fails here until
 * vp_answer_key below names it (and the sizes here are brought along). */
#if defined(__x86_64__) || defined(__aarch64__)
_Static_assert(sizeof(vp_search_request) == 288,
               "a new field of vp_search_request: add it to vp_answer_key");
_Static_assert(sizeof(vp_ranking) == 72, "a new field of vp_ranking: add it to vp_answer_key");
#endif

#define BYTES_PER_BUCKET 2048 /* the table: one bucket per this much budget */
#define MIN_BUCKETS 16

typedef struct entry {
    struct entry *chain;       /* next in the bucket */
    struct entry *newer, *older;
    uint64_t hash;
    int64_t stale_at;
    size_t key_len, len;
    char *key;                 /* both in the same allocation as the entry */
    char *value;
} entry;

struct vp_answer_cache {
    pthread_mutex_t lock;
    entry **buckets;
    size_t n_buckets;          /* a power of two */
    entry *newest, *oldest;
    size_t bytes, max_bytes;
    int has_version;
    vp_index_version version;  /* every entry's */
    vp_answer_cache_stats stats;
};

/* Keys hold any byte. A chain stays short however the keys are chosen:
 * the cache holds at most a few thousand answers. */
static uint64_t key_hash(const char *key, size_t len)
{
    return vp_hash_add(VP_HASH_INIT, key, len);
}

static size_t entry_bytes(size_t key_len, size_t len)
{
    return sizeof(entry) + key_len + len + 1;
}

vp_answer_cache *vp_answer_cache_create(size_t max_bytes)
{
    vp_answer_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    size_t n = MIN_BUCKETS;
    while (n < max_bytes / BYTES_PER_BUCKET)
        n *= 2;
    c->buckets = calloc(n, sizeof *c->buckets);
    if (!c->buckets) {
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    c->n_buckets = n;
    c->bytes = sizeof *c + n * sizeof *c->buckets;
    c->max_bytes = max_bytes;
    return c;
}

static void unlink_entry(vp_answer_cache *c, entry *e)
{
    entry **p = &c->buckets[e->hash & (c->n_buckets - 1)];
    while (*p != e)
        p = &(*p)->chain;
    *p = e->chain;
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    c->bytes -= entry_bytes(e->key_len, e->len);
    c->stats.entries--;
    free(e);
}

static void drop_all(vp_answer_cache *c)
{
    while (c->oldest) {
        unlink_entry(c, c->oldest);
        c->stats.invalidations++;
    }
}

void vp_answer_cache_destroy(vp_answer_cache *c)
{
    if (!c)
        return;
    while (c->oldest)
        unlink_entry(c, c->oldest);
    pthread_mutex_destroy(&c->lock);
    free(c->buckets);
    free(c);
}

/* Compares `v` with the version the entries belong to: 0 the same, 1 newer
 * (another index, or more commits of this one: the entries are dropped and
 * `v` becomes the cache's), -1 older (a worker that has not seen the
 * newest commit yet: it neither reads nor writes). */
static int adopt(vp_answer_cache *c, const vp_index_version *v)
{
    if (c->has_version && v->exact == c->version.exact && v->identity == c->version.identity)
        return 0;
    if (c->has_version && v->identity == c->version.identity &&
        v->revision < c->version.revision)
        return -1;
    drop_all(c);
    c->version = *v;
    c->has_version = 1;
    return 1;
}

static entry *find(vp_answer_cache *c, uint64_t h, const char *key, size_t key_len)
{
    for (entry *e = c->buckets[h & (c->n_buckets - 1)]; e; e = e->chain)
        if (e->hash == h && e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
            return e;
    return NULL;
}

/* Puts `e`, linked in no list, at the newest end. */
static void link_newest(vp_answer_cache *c, entry *e)
{
    e->newer = NULL;
    e->older = c->newest;
    if (c->newest)
        c->newest->newer = e;
    c->newest = e;
    if (!c->oldest)
        c->oldest = e;
}

static void make_newest(vp_answer_cache *c, entry *e)
{
    if (c->newest == e)
        return;
    /* Not the newest: it has a newer one. */
    e->newer->older = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    link_newest(c, e);
}

int vp_answer_cache_get(vp_answer_cache *c, const vp_index_version *v, const char *key,
                        size_t key_len, int64_t now, char **value, size_t *len)
{
    if (!c)
        return 0;
    uint64_t h = key_hash(key, key_len);
    int hit = 0;
    pthread_mutex_lock(&c->lock);
    entry *e = adopt(c, v) == 0 ? find(c, h, key, key_len) : NULL;
    if (e && now >= e->stale_at) {
        unlink_entry(c, e);
        c->stats.stale++;
        e = NULL;
    }
    if (e) {
        char *copy = malloc(e->len + 1);
        if (copy) {
            memcpy(copy, e->value, e->len + 1);
            *value = copy;
            *len = e->len;
            make_newest(c, e);
            hit = 1;
        }
    }
    if (hit)
        c->stats.hits++;
    else
        c->stats.misses++;
    pthread_mutex_unlock(&c->lock);
    return hit;
}

vp_status vp_answer_cache_put(vp_answer_cache *c, const vp_index_version *v, const char *key,
                              size_t key_len, const char *value, size_t len, int64_t stale_at)
{
    if (!c)
        return VP_OK;
    size_t need = entry_bytes(key_len, len);
    if (need > c->max_bytes / 8)
        return VP_OK;
    entry *fresh = malloc(need);
    if (!fresh)
        return VP_ERR_NOMEM;
    memset(fresh, 0, sizeof *fresh);
    fresh->hash = key_hash(key, key_len);
    fresh->stale_at = stale_at;
    fresh->key_len = key_len;
    fresh->len = len;
    fresh->key = (char *)(fresh + 1);
    fresh->value = fresh->key + key_len;
    memcpy(fresh->key, key, key_len);
    memcpy(fresh->value, value, len);
    fresh->value[len] = '\0';

    pthread_mutex_lock(&c->lock);
    if (adopt(c, v) < 0) {
        pthread_mutex_unlock(&c->lock);
        free(fresh);
        return VP_OK;
    }
    /* Another worker may have answered the same search meanwhile. */
    entry *old = find(c, fresh->hash, key, key_len);
    if (old)
        unlink_entry(c, old);
    while (c->oldest && c->bytes + need > c->max_bytes) {
        unlink_entry(c, c->oldest);
        c->stats.evictions++;
    }
    if (c->bytes + need > c->max_bytes) {
        pthread_mutex_unlock(&c->lock);
        free(fresh);
        return VP_OK;
    }
    entry **bucket = &c->buckets[fresh->hash & (c->n_buckets - 1)];
    fresh->chain = *bucket;
    *bucket = fresh;
    link_newest(c, fresh);
    c->bytes += need;
    c->stats.entries++;
    pthread_mutex_unlock(&c->lock);
    return VP_OK;
}

void vp_answer_cache_stats_get(vp_answer_cache *c, vp_answer_cache_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    out->bytes = c->bytes;
    out->max_bytes = c->max_bytes;
    pthread_mutex_unlock(&c->lock);
}

/* ---- the canonical key ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void vp_answer_canonical_values(vp_search_request *req, vp_search_values *storage)
{
    for (int f = 0; f < VP_FIELD_COUNT; f++) {
        size_t n = req->n_values[f];
        if (n < 2 || req->values[f] != storage->values[f])
            continue;
        const char **v = storage->values[f];
        qsort(v, n, sizeof *v, cmp_str);
        size_t k = 1;
        for (size_t i = 1; i < n; i++)
            if (strcmp(v[i], v[k - 1]) != 0)
                v[k++] = v[i];
        req->n_values[f] = k;
    }
}

/* A string as LENGTH:BYTES, so no byte of it can pass for a separator. */
static vp_status put_string(vp_buf *b, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    vp_status st = vp_buf_printf(b, "%zu:", len);
    return st == VP_OK && len ? vp_buf_append(b, s, len) : st;
}

vp_status vp_answer_key(const vp_search_request *req, vp_buf *b)
{
    const vp_ranking *rk = req->ranking ? req->ranking : &vp_ranking_default;
    int64_t now = req->now ? req->now : (int64_t)time(NULL);
    /* Doubles in C99's hexadecimal form: exact, one spelling per value. */
    vp_status st = vp_buf_puts(b, "search|q=");
    if (st == VP_OK)
        st = put_string(b, req->q);
    for (int f = 0; st == VP_OK && f < VP_FIELD_COUNT; f++) {
        size_t n = req->n_values[f];
        if (!n)
            continue;
        /* Sorted and without repeats, whatever order they came in. */
        const char **v = malloc(n * sizeof *v);
        if (!v)
            return VP_ERR_NOMEM;
        memcpy(v, req->values[f], n * sizeof *v);
        qsort(v, n, sizeof *v, cmp_str);
        st = vp_buf_printf(b, "|%s=", vp_field_name((vp_field)f));
        for (size_t i = 0; st == VP_OK && i < n; i++)
            if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
                st = put_string(b, v[i]);
        free(v);
    }
    if (st == VP_OK)
        st = vp_buf_printf(b, "|from=%d|to=%d|sort=%d|page=%u|per_page=%u|facets=%u|past=%d"
                              "|day=%d|without=%u|available=%d|all=%d",
                           req->from_day, req->to_day, (int)req->sort, req->page, req->per_page,
                           req->facets, req->include_past != 0, vp_nl_day(now), req->without,
                           req->list_available != 0, req->all_offerings != 0);
    if (st == VP_OK && req->has_near)
        st = vp_buf_printf(b, "|near=%a,%a|radius=%a", req->near_lat, req->near_lon,
                           req->radius_km);
    /* The place is echoed in the answer by the name it resolved to. */
    if (st == VP_OK && req->place) {
        st = vp_buf_puts(b, "|place=");
        if (st == VP_OK)
            st = put_string(b, req->place);
    }
    if (st == VP_OK && req->free_only)
        st = vp_buf_puts(b, "|free=1");
    if (st == VP_OK && req->prefer_library) {
        st = vp_buf_puts(b, "|prefer=");
        if (st == VP_OK)
            st = put_string(b, req->prefer_library);
    }
    if (st == VP_OK)
        st = vp_buf_printf(b, "|ranking=%a,%a,%u,%a,%a,%a,%a,%a,%a", rk->prefer_library,
                           rk->upcoming, rk->upcoming_days, rk->nearby, rk->nearby_half_km,
                           rk->type_intent, rk->popularity, rk->understood, rk->title_phrase);
    /* The popular offerings boost what they name, by their use. */
    for (size_t i = 0; st == VP_OK && i < req->n_popular; i++) {
        st = vp_buf_puts(b, i ? "," : "|popular=");
        if (st == VP_OK)
            st = put_string(b, req->popular[i].key);
        if (st == VP_OK)
            st = vp_buf_printf(b, "=%a", req->popular[i].score);
    }
    return st;
}
