/* store_memory.c - the embedded store's numbers in memory (store_memory.h).
 *
 * A hash table of sets (target and scope), each a hash table of numbers
 * (member -> sum), both chained, sized to a power of two, grown at one
 * entry per bucket. Keys are hashed with SipHash-2-4 under a seed drawn
 * at creation, so that keys that clients choose cannot pile up in one
 * bucket. A set also keeps its numbers in an array, and their sums in a
 * parallel array of doubles, so that a top list is one pass over
 * contiguous sums rather than a walk of the chains. */
#include "store_memory.h"

#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct store_num {
    store_num *next;
    struct nset *set;
    uint64_t h;
    size_t idx;            /* in its set's items and sums */
    unsigned char pending; /* made by the current stage, not yet visible */
    unsigned char changed; /* in the changed list */
    unsigned char stored;  /* has a row in SQLite's tables */
    char member[];
};

typedef struct nset {
    struct nset *next;
    store_set target;
    uint64_t h;
    store_num **b;
    size_t nb, count;
    store_num **items;     /* the numbers, count of them */
    double *sums;          /* their sums, items[i]'s at sums[i] */
    size_t alloc;
    int scoped;            /* 0: the everyone set, scope NULL */
    char scope[];
} nset;

struct store_mem {
    uint8_t seed[16];
    nset **b;
    size_t nb, count;
    store_num **made;      /* numbers the current stage made */
    size_t n_made, alloc_made;
    size_t staged;         /* numbers the current stage may mark changed */
    store_num **changed;
    size_t n_changed, alloc_changed;
};

/* ---- hashing ---- */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                   \
    do {                                                                           \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                  \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                     \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                     \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                  \
    } while (0)

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* SipHash-2-4 of `len` bytes under a 16-byte key, `tag` folded in first. */
static uint64_t siphash(const uint8_t *key, unsigned tag, const char *data, size_t len)
{
    uint64_t k0 = le64(key) ^ tag, k1 = le64(key + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
    const uint8_t *p = (const uint8_t *)data;
    size_t whole = len - len % 8;
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m = le64(p + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)len << 56;
    for (size_t i = 0; i < len % 8; i++)
        b |= (uint64_t)p[whole + i] << (8 * i);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static void make_seed(uint8_t seed[16], const void *salt)
{
    size_t got = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t r = read(fd, seed, 16);
        got = r > 0 ? (size_t)r : 0;
        close(fd);
    }
    if (got < 16) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t a = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)getpid();
        uint64_t b = (uint64_t)(uintptr_t)salt * 0x9e3779b97f4a7c15ULL;
        memcpy(seed, &a, 8);
        memcpy(seed + 8, &b, 8);
    }
}

/* ---- tables ---- */

/* Doubles a chained table of `*nb` buckets (16 when empty); -1 on NOMEM.
 * `next_of` and `hash_of` reach the chain link and hash of an entry. */
#define GROW(type, bp, nbp)                                                        \
    do {                                                                           \
        size_t nn = *(nbp) ? *(nbp) * 2 : 16;                                      \
        type **nb2 = calloc(nn, sizeof *nb2);                                      \
        if (!nb2)                                                                  \
            return -1;                                                             \
        for (size_t i = 0; i < *(nbp); i++)                                        \
            for (type *e = (*(bp))[i], *nx; e; e = nx) {                           \
                nx = e->next;                                                      \
                e->next = nb2[e->h & (nn - 1)];                                    \
                nb2[e->h & (nn - 1)] = e;                                          \
            }                                                                      \
        free(*(bp));                                                               \
        *(bp) = nb2;                                                               \
        *(nbp) = nn;                                                               \
    } while (0)

static int grow_sets(store_mem *m)
{
    GROW(nset, &m->b, &m->nb);
    return 0;
}

static int grow_nums(nset *s)
{
    GROW(store_num, &s->b, &s->nb);
    return 0;
}

static uint64_t set_hash(const store_mem *m, store_set target, const char *scope)
{
    return siphash(m->seed, 1u + (unsigned)target, scope ? scope : "", scope ? strlen(scope) : 0);
}

static nset *find_set(const store_mem *m, store_set target, const char *scope)
{
    if (!m->nb)
        return NULL;
    uint64_t h = set_hash(m, target, scope);
    for (nset *s = m->b[h & (m->nb - 1)]; s; s = s->next)
        if (s->h == h && s->target == target && s->scoped == (scope != NULL) &&
            (!scope || strcmp(s->scope, scope) == 0))
            return s;
    return NULL;
}

static nset *make_set(store_mem *m, store_set target, const char *scope)
{
    nset *s = find_set(m, target, scope);
    if (s)
        return s;
    if (m->count >= m->nb && grow_sets(m) != 0)
        return NULL;
    size_t len = scope ? strlen(scope) : 0;
    s = calloc(1, sizeof *s + len + 1);
    if (!s)
        return NULL;
    s->target = target;
    s->scoped = scope != NULL;
    memcpy(s->scope, scope ? scope : "", len + 1);
    s->h = set_hash(m, target, scope);
    s->next = m->b[s->h & (m->nb - 1)];
    m->b[s->h & (m->nb - 1)] = s;
    m->count++;
    return s;
}

static store_num *find_num(const store_mem *m, const nset *s, const char *member, uint64_t *hash)
{
    uint64_t h = siphash(m->seed, 0, member, strlen(member));
    if (hash)
        *hash = h;
    if (!s->nb)
        return NULL;
    for (store_num *x = s->b[h & (s->nb - 1)]; x; x = x->next)
        if (x->h == h && strcmp(x->member, member) == 0)
            return x;
    return NULL;
}

/* The number, made (pending when `pending`, *made set) when missing;
 * NULL on NOMEM. */
static store_num *make_num(store_mem *m, store_set target, const char *scope, const char *member,
                           int pending, int *made)
{
    uint64_t h;
    *made = 0;
    nset *s = make_set(m, target, target == VP_SET_ALL ? NULL : scope);
    if (!s)
        return NULL;
    store_num *x = find_num(m, s, member, &h);
    if (x)
        return x;
    if (s->count >= s->nb && grow_nums(s) != 0)
        return NULL;
    if (s->count == s->alloc) {
        size_t na = s->alloc ? s->alloc * 2 : 16;
        store_num **items = realloc(s->items, na * sizeof *items);
        if (items)
            s->items = items;
        double *sums = items ? realloc(s->sums, na * sizeof *sums) : NULL;
        if (sums)
            s->sums = sums;
        if (!items || !sums)
            return NULL;
        s->alloc = na;
    }
    size_t len = strlen(member);
    x = calloc(1, sizeof *x + len + 1);
    if (!x)
        return NULL;
    memcpy(x->member, member, len + 1);
    x->set = s;
    x->h = h;
    x->idx = s->count;
    s->items[x->idx] = x;
    s->sums[x->idx] = 0;
    x->pending = (unsigned char)pending;
    x->next = s->b[h & (s->nb - 1)];
    s->b[h & (s->nb - 1)] = x;
    s->count++;
    *made = 1;
    return x;
}

vp_status store_mem_new(store_mem **out)
{
    store_mem *m = calloc(1, sizeof *m);
    if (!m)
        return VP_ERR_NOMEM;
    make_seed(m->seed, m);
    *out = m;
    return VP_OK;
}

void store_mem_free(store_mem *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nb; i++)
        for (nset *s = m->b[i], *sn; s; s = sn) {
            sn = s->next;
            for (size_t k = 0; k < s->nb; k++)
                for (store_num *x = s->b[k], *xn; x; x = xn) {
                    xn = x->next;
                    free(x);
                }
            free(s->b);
            free(s->items);
            free(s->sums);
            free(s);
        }
    free(m->b);
    free(m->made);
    free(m->changed);
    free(m);
}

/* ---- writes ---- */

void store_mem_begin(store_mem *m)
{
    m->n_made = 0;
    m->staged = 0;
}

static int reserve(store_num ***a, size_t *alloc, size_t need)
{
    if (need <= *alloc)
        return 0;
    size_t na = *alloc ? *alloc : 64;
    while (na < need)
        na *= 2;
    store_num **p = realloc(*a, na * sizeof *p);
    if (!p)
        return -1;
    *a = p;
    *alloc = na;
    return 0;
}

vp_status store_mem_stage(store_mem *m, const store_incr *ops, size_t n, store_num **slots)
{
    if (reserve(&m->changed, &m->alloc_changed, m->n_changed + m->staged + n) != 0 ||
        reserve(&m->made, &m->alloc_made, m->n_made + n) != 0)
        return VP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        int made;
        store_num *x = make_num(m, ops[i].target, ops[i].scope, ops[i].member, 1, &made);
        if (!x)
            return VP_ERR_NOMEM;
        if (made)
            m->made[m->n_made++] = x;
        slots[i] = x;
    }
    m->staged += n;
    return VP_OK;
}

void store_mem_add(store_mem *m, store_num *x, double by)
{
    double sum = x->set->sums[x->idx] + by;
    if (fabs(sum) < INFINITY)
        x->set->sums[x->idx] = sum;
    if (!x->changed) {
        x->changed = 1;
        m->changed[m->n_changed++] = x;
    }
}

void store_mem_commit(store_mem *m)
{
    for (size_t i = 0; i < m->n_made; i++)
        m->made[i]->pending = 0;
    m->n_made = 0;
    m->staged = 0;
}

void store_mem_rollback(store_mem *m)
{
    for (size_t i = m->n_made; i-- > 0;) {
        store_num *x = m->made[i];
        nset *s = x->set;
        store_num **p = &s->b[x->h & (s->nb - 1)];
        while (*p != x)
            p = &(*p)->next;
        *p = x->next;
        s->count--;
        s->items[x->idx] = s->items[s->count];
        s->sums[x->idx] = s->sums[s->count];
        s->items[x->idx]->idx = x->idx;
        free(x);
    }
    m->n_made = 0;
    m->staged = 0;
}

vp_status store_mem_load(store_mem *m, store_set target, const char *scope, const char *member,
                         double value)
{
    int made;
    store_num *x = make_num(m, target, scope, member, 0, &made);
    if (!x)
        return VP_ERR_NOMEM;
    x->set->sums[x->idx] = value;
    x->stored = 1;
    return VP_OK;
}

store_num *const *store_mem_changed(store_mem *m, size_t *n)
{
    *n = m->n_changed;
    return m->changed;
}

void store_mem_num(const store_num *x, store_set *target, const char **scope,
                   const char **member, double *value, int *stored)
{
    *stored = x->stored;
    *target = x->set->target;
    *scope = x->set->scoped ? x->set->scope : NULL;
    *member = x->member;
    *value = x->set->sums[x->idx];
}

void store_mem_folded(store_mem *m)
{
    for (size_t i = 0; i < m->n_changed; i++) {
        m->changed[i]->changed = 0;
        m->changed[i]->stored = 1;
    }
    m->n_changed = 0;
}

/* ---- reads ---- */

/* Is number i of a set before number j in a top list: greater, or equal
 * and greater member. */
static int better(const nset *s, size_t i, size_t j)
{
    if (s->sums[i] != s->sums[j])
        return s->sums[i] > s->sums[j];
    return strcmp(s->items[i]->member, s->items[j]->member) > 0;
}

/* Min-heap of indexes on `better`: the worst kept number at the root. */
static void sift_down(const nset *s, size_t *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && better(s, h[w], h[l]))
            w = l;
        if (r < n && better(s, h[w], h[r]))
            w = r;
        if (w == i)
            return;
        size_t t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void sift_up(const nset *s, size_t *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!better(s, h[p], h[i]))
            return;
        size_t t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

vp_status store_mem_top(const store_mem *m, store_set target, const char *scope, size_t limit,
                        store_list *out, vp_error *err)
{
    const nset *s = find_set(m, target, target == VP_SET_ALL ? NULL : scope);
    if (!s || s->count == 0 || limit == 0)
        return VP_OK;
    if (limit > s->count)
        limit = s->count;
    size_t *heap = malloc(limit * sizeof *heap);
    if (!heap)
        return VP_ERR_NOMEM;
    size_t nh = 0;
    for (size_t i = 0; i < s->count; i++) {
        if (nh == limit && s->sums[i] < s->sums[heap[0]])
            continue;
        if (s->items[i]->pending)
            continue;
        if (nh < limit) {
            heap[nh++] = i;
            sift_up(s, heap, nh - 1);
        } else if (better(s, i, heap[0])) {
            heap[0] = i;
            sift_down(s, heap, nh, 0);
        }
    }
    /* Taking the worst off the heap in turn puts the list in place,
     * best first. */
    for (size_t k = nh; k > 1; k--) {
        size_t worst = heap[0];
        heap[0] = heap[k - 1];
        sift_down(s, heap, k - 1, 0);
        heap[k - 1] = worst;
    }
    vp_status rc = VP_OK;
    for (size_t i = 0; i < nh && rc == VP_OK; i++) {
        const store_num *x = s->items[heap[i]];
        rc = store_list_add(out, x->member, strlen(x->member), s->sums[heap[i]], err);
    }
    free(heap);
    return rc;
}

void store_mem_scores(const store_mem *m, store_set target, const char *scope,
                      const char *const *members, size_t n, double *raw)
{
    const nset *s = find_set(m, target, target == VP_SET_ALL ? NULL : scope);
    for (size_t i = 0; i < n; i++) {
        const store_num *x = s && members[i] ? find_num(m, s, members[i], NULL) : NULL;
        raw[i] = x && !x->pending ? s->sums[x->idx] : 0;
    }
}

vp_status store_mem_all(const store_mem *m, store_set target, const char *scope, store_list *out,
                        vp_error *err)
{
    const nset *s = find_set(m, target, target == VP_SET_ALL ? NULL : scope);
    vp_status rc = VP_OK;
    for (size_t i = 0; s && i < s->count && rc == VP_OK; i++)
        if (!s->items[i]->pending)
            rc = store_list_add(out, s->items[i]->member, strlen(s->items[i]->member),
                                s->sums[i], err);
    return rc;
}
