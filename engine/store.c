/* store.c - the signal store's common part (see store.h): kind names and
 * weights, input validation, the decay arithmetic, and dispatch to the back
 * end chosen at open through a table of function pointers (store_backend.h).
 *
 * All arithmetic happens here, so both back ends give the same answers for
 * the same signals: an event at time t adds
 *   inc = weight(kind) * exp2((t - VP_STORE_EPOCH) / half_life)
 * (computed once, in C, and handed to the back end as that exact double),
 * and a raw sum read back is multiplied by exp2(-(now - EPOCH) / half_life).
 *
 * What one event adds (vp_store_add_signals):
 *   - inc to the offering in the everyone set;
 *   - inc to the offering in its segment's set, when it has a segment;
 *   - 1 to counter "campaign" / "<campaign>:<kind name>", when it has one;
 *   - co-use, for events of the same batch that share a query_id: when an
 *     event for offering B follows (in the batch) events of the same
 *     query_id for other offerings A1..Ak, each pair (Ai, B) gets B's inc in
 *     both directions (co[Ai][B] and co[B][Ai]), once per distinct Ai. Only
 *     the first CO_MAX_PER_QUERY distinct offerings of a query_id in a batch
 *     take part, and a batch adds at most CO_MAX_PAIRS pairs: a result page
 *     holds tens of offerings, and the work must stay bounded.
 * The increments a batch makes to one number are summed (in batch order)
 * before they are sent, one command per number.
 * An `at` of 0 means "now"; so does a `now` of 0 in the readers. */
#include "vindplaats/store.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_backend.h"

#define DEFAULT_HALF_LIFE_DAYS 30.0
#define MAX_HALF_LIFE_DAYS 36500.0
#define DEFAULT_TIMEOUT_MS 200
#define MAX_TIMEOUT_MS 60000
#define MAX_LIMIT 10000               /* top and co-used lists are clamped to this */
#define CO_MAX_PER_QUERY 32
#define CO_MAX_PAIRS 5000
#define STR(x) #x
#define XSTR(x) STR(x)

struct vp_store {
    const store_backend *be;
    void *impl;
    double half_life_s;
};

static const char *const kind_names[VP_SIGNAL_KIND_COUNT] = {
    [VP_SIGNAL_VIEW] = "view",     [VP_SIGNAL_CLICK] = "click", [VP_SIGNAL_SIGNUP] = "signup",
    [VP_SIGNAL_LOAN] = "loan",     [VP_SIGNAL_SHARE] = "share",
};
static const double kind_weights[VP_SIGNAL_KIND_COUNT] = {
    [VP_SIGNAL_VIEW] = 1, [VP_SIGNAL_CLICK] = 2, [VP_SIGNAL_SIGNUP] = 5,
    [VP_SIGNAL_LOAN] = 5, [VP_SIGNAL_SHARE] = 3,
};

const char *vp_signal_kind_name(vp_signal_kind k)
{
    if ((int)k < 0 || k >= VP_SIGNAL_KIND_COUNT)
        return NULL;
    return kind_names[k];
}

int vp_signal_kind_by_name(const char *name)
{
    if (!name)
        return -1;
    for (int k = 0; k < VP_SIGNAL_KIND_COUNT; k++)
        if (strcmp(kind_names[k], name) == 0)
            return k;
    return -1;
}

double vp_signal_weight(vp_signal_kind k)
{
    if ((int)k < 0 || k >= VP_SIGNAL_KIND_COUNT)
        return 0;
    return kind_weights[k];
}

/* NULL when `s` is an acceptable key, else why not. */
static const char *key_problem(const char *s, int required)
{
    if (!s)
        return required ? "missing" : NULL;
    size_t len = strnlen(s, VP_STORE_MAX_KEY + 1);
    if (len == 0)
        return "empty";
    if (len > VP_STORE_MAX_KEY)
        return "longer than " XSTR(VP_STORE_MAX_KEY) " bytes";
    return NULL;
}

static vp_status check_key(const char *what, const char *s, int required, vp_error *err)
{
    const char *p = key_problem(s, required);
    if (p)
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.path = what}, "%s", p);
    return VP_OK;
}

static int64_t now_or(int64_t t)
{
    return t ? t : (int64_t)time(NULL);
}

static double decay_factor(const vp_store *st, int64_t now)
{
    return exp2(-(double)(now - VP_STORE_EPOCH) / st->half_life_s);
}

vp_status vp_store_open(const vp_store_config *cfg, vp_store **out, vp_error *err)
{
    vp_store *st = NULL;
    vp_status rc = VP_OK;
    if (!cfg || !out)
        return vp_error_set(err, VP_ERR_INVALID, NULL, "store: no configuration");
    *out = NULL;
    double hl = cfg->half_life_days == 0 ? DEFAULT_HALF_LIFE_DAYS : cfg->half_life_days;
    if (!(hl > 0 && hl <= MAX_HALF_LIFE_DAYS))
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.path = "half_life_days"},
                            "must be above 0 and at most 36500");
    if (cfg->timeout_ms > MAX_TIMEOUT_MS)
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.path = "timeout_ms"},
                            "at most 60000");
    vp_store_config c = *cfg;
    c.half_life_days = hl;
    c.timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;

    st = calloc(1, sizeof *st);
    if (!st) {
        rc = VP_ERR_NOMEM;
        goto cleanup;
    }
    st->half_life_s = hl * 86400.0;
    st->be = c.redis_url ? &vp_store_redis_backend : &vp_store_embedded_backend;
    rc = st->be->open(&c, &st->impl, err);
    if (rc == VP_OK) {
        *out = st;
        st = NULL;
    }
cleanup:
    free(st);
    return rc;
}

void vp_store_close(vp_store *st)
{
    if (!st)
        return;
    st->be->close(st->impl);
    free(st);
}

const char *vp_store_backend(const vp_store *st)
{
    return st ? st->be->name : NULL;
}

int vp_store_available(vp_store *st)
{
    return st ? st->be->available(st->impl) : 0;
}

/* A growing list of increments, and the strings made for it. */
typedef struct op_list {
    store_incr *ops;
    size_t n, alloc;
    char **owned;
    size_t n_owned;
} op_list;

static vp_status op_add(op_list *l, store_set target, const char *scope, const char *member,
                        double by)
{
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 64;
        store_incr *p = realloc(l->ops, na * sizeof *p);
        if (!p)
            return VP_ERR_NOMEM;
        l->ops = p;
        l->alloc = na;
    }
    l->ops[l->n++] = (store_incr){target, scope, member, by};
    return VP_OK;
}

typedef struct indexed_op {
    store_incr op;
    size_t index;
} indexed_op;

static int cmp_op(const void *a, const void *b)
{
    const indexed_op *x = a, *y = b;
    if (x->op.target != y->op.target)
        return x->op.target < y->op.target ? -1 : 1;
    int c = strcmp(x->op.scope ? x->op.scope : "", y->op.scope ? y->op.scope : "");
    if (c == 0)
        c = strcmp(x->op.member, y->op.member);
    if (c == 0)
        c = x->index < y->index ? -1 : x->index > y->index;
    return c;
}

/* Merges the increments of one number into one, summed in batch order, so
 * a back end gets one command per number. Both back ends get the merged
 * list, so they still add the very same doubles. */
static vp_status merge_ops(op_list *l)
{
    if (l->n < 2)
        return VP_OK;
    indexed_op *t = malloc(l->n * sizeof *t);
    if (!t)
        return VP_ERR_NOMEM;
    for (size_t i = 0; i < l->n; i++)
        t[i] = (indexed_op){l->ops[i], i};
    qsort(t, l->n, sizeof *t, cmp_op);
    size_t m = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (m && l->ops[m - 1].target == t[i].op.target &&
            strcmp(l->ops[m - 1].scope ? l->ops[m - 1].scope : "",
                   t[i].op.scope ? t[i].op.scope : "") == 0 &&
            strcmp(l->ops[m - 1].member, t[i].op.member) == 0)
            l->ops[m - 1].by += t[i].op.by;
        else
            l->ops[m++] = t[i].op;
    }
    l->n = m;
    free(t);
    return VP_OK;
}

/* For each event of a batch: the index of the first event with the same
 * query_id and offering (co_first), and the rank of that offering among the
 * distinct offerings of its query_id in batch order (co_rank). */
static void co_ranks(const vp_signal *ev, size_t n, size_t *co_first, size_t *co_rank)
{
    for (size_t i = 0; i < n; i++) {
        co_first[i] = i;
        co_rank[i] = 0;
        if (!ev[i].query_id)
            continue;
        size_t distinct = 0;
        for (size_t k = 0; k < i; k++) {
            if (!ev[k].query_id || co_first[k] != k || strcmp(ev[k].query_id, ev[i].query_id))
                continue;
            if (strcmp(ev[k].offering, ev[i].offering) == 0) {
                co_first[i] = k;
                break;
            }
            distinct++;
        }
        co_rank[i] = co_first[i] == i ? distinct : co_rank[co_first[i]];
    }
}

/* VP_ERR_INVALID for a field of events[i]: the path "events[I].FIELD". */
VP_PRINTF(4, 5) static vp_status event_fail(vp_error *err, size_t i, const char *field,
                                            const char *fmt, ...)
{
    char path[64], msg[256];
    va_list ap;
    snprintf(path, sizeof path, "events[%zu].%s", i, field);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.path = path}, "%s", msg);
}

vp_status vp_store_add_signals(vp_store *st, const vp_signal *events, size_t n, vp_error *err)
{
    op_list l = {0};
    size_t *co_first = NULL, *co_rank = NULL;
    double *inc = NULL;
    vp_status rc = VP_OK;
    if (!st)
        return vp_error_set(err, VP_ERR_INVALID, NULL, "store: missing");
    if (n == 0)
        return VP_OK;
    if (!events)
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.path = "events"}, "missing");
    if (n > VP_STORE_MAX_BATCH)
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.path = "events"},
                            "%zu in one batch, at most %d", n, VP_STORE_MAX_BATCH);
    inc = malloc(n * sizeof *inc);
    co_first = malloc(n * sizeof *co_first);
    co_rank = malloc(n * sizeof *co_rank);
    l.owned = calloc(n, sizeof *l.owned);
    if (!inc || !co_first || !co_rank || !l.owned) {
        rc = VP_ERR_NOMEM;
        goto cleanup;
    }
    int64_t now = 0;
    for (size_t i = 0; i < n; i++) {
        const vp_signal *e = &events[i];
        static const char *const field[] = {"offering", "segment", "query_id", "campaign"};
        const char *val[] = {e->offering, e->segment, e->query_id, e->campaign};
        if ((int)e->kind < 0 || e->kind >= VP_SIGNAL_KIND_COUNT) {
            rc = event_fail(err, i, "kind", "unknown (%d)", (int)e->kind);
            goto cleanup;
        }
        for (size_t f = 0; f < sizeof field / sizeof *field; f++) {
            const char *p = key_problem(val[f], f == 0);
            if (p) {
                rc = event_fail(err, i, field[f], "%s", p);
                goto cleanup;
            }
        }
        int64_t at = e->at;
        if (at == 0) {
            if (now == 0)
                now = (int64_t)time(NULL);
            at = now;
        }
        inc[i] = kind_weights[e->kind] * exp2((double)(at - VP_STORE_EPOCH) / st->half_life_s);
        if (!isfinite(inc[i])) {
            rc = event_fail(err, i, "at", "too far from 2026 for this half-life");
            goto cleanup;
        }
    }
    co_ranks(events, n, co_first, co_rank);

    size_t pairs = 0;
    for (size_t j = 0; j < n && rc == VP_OK; j++) {
        const vp_signal *e = &events[j];
        rc = op_add(&l, VP_SET_ALL, NULL, e->offering, inc[j]);
        if (rc == VP_OK && e->segment)
            rc = op_add(&l, VP_SET_SEG, e->segment, e->offering, inc[j]);
        if (rc == VP_OK && e->campaign) {
            const char *kn = kind_names[e->kind];
            size_t len = strlen(e->campaign) + 1 + strlen(kn) + 1;
            char *key = malloc(len);
            if (!key) {
                rc = VP_ERR_NOMEM;
                break;
            }
            snprintf(key, len, "%s:%s", e->campaign, kn);
            l.owned[l.n_owned++] = key;
            rc = op_add(&l, VP_SET_COUNT, "campaign", key, 1);
        }
        if (!e->query_id || co_rank[j] >= CO_MAX_PER_QUERY)
            continue;
        for (size_t i = 0; i < j && rc == VP_OK && pairs < CO_MAX_PAIRS; i++) {
            if (!events[i].query_id || co_first[i] != i || co_rank[i] >= CO_MAX_PER_QUERY ||
                strcmp(events[i].query_id, e->query_id) ||
                strcmp(events[i].offering, e->offering) == 0)
                continue;
            rc = op_add(&l, VP_SET_CO, events[i].offering, e->offering, inc[j]);
            if (rc == VP_OK)
                rc = op_add(&l, VP_SET_CO, e->offering, events[i].offering, inc[j]);
            pairs++;
        }
    }
    if (rc == VP_OK)
        rc = merge_ops(&l);
    if (rc == VP_OK)
        rc = st->be->incr(st->impl, l.ops, l.n, err);
cleanup:
    if (l.owned)
        for (size_t i = 0; i < l.n_owned; i++)
            free(l.owned[i]);
    free(l.owned);
    free(l.ops);
    free(inc);
    free(co_first);
    free(co_rank);
    return rc;
}

/* The `limit` best of a set, decayed to `now`; `what` names the scope
 * parameter for errors (required: it must be given). */
static vp_status top_of(vp_store *st, const char *what, const char *scope, int required,
                        store_set target, int64_t now, size_t limit, vp_scored **out,
                        size_t *n, vp_error *err)
{
    if (!st || !out || !n)
        return vp_error_set(err, VP_ERR_INVALID, NULL, "store: missing argument");
    *out = NULL;
    *n = 0;
    vp_status rc = check_key(what, scope, required, err);
    if (rc != VP_OK || limit == 0)
        return rc;
    if (limit > MAX_LIMIT)
        limit = MAX_LIMIT;
    rc = st->be->top(st->impl, target, scope, limit, out, n, err);
    if (rc != VP_OK)
        return rc;
    double f = decay_factor(st, now_or(now));
    for (size_t i = 0; i < *n; i++)
        (*out)[i].score *= f;
    return VP_OK;
}

vp_status vp_store_top(vp_store *st, const char *segment, int64_t now, size_t limit,
                       vp_scored **out, size_t *n, vp_error *err)
{
    return top_of(st, "segment", segment, 0, segment ? VP_SET_SEG : VP_SET_ALL, now, limit,
                  out, n, err);
}

vp_status vp_store_co_used(vp_store *st, const char *offering, int64_t now, size_t limit,
                           vp_scored **out, size_t *n, vp_error *err)
{
    return top_of(st, "offering", offering, 1, VP_SET_CO, now, limit, out, n, err);
}

/* An offering id that cannot have been stored simply scores 0. */
vp_status vp_store_scores(vp_store *st, const char *segment, const char *const *offerings,
                          size_t n, int64_t now, double *scores, vp_error *err)
{
    const char **ids = NULL;
    vp_status rc = VP_OK;
    if (!st || (n && (!offerings || !scores)))
        return vp_error_set(err, VP_ERR_INVALID, NULL, "store: missing argument");
    rc = check_key("segment", segment, 0, err);
    if (rc != VP_OK || n == 0)
        return rc;
    if (n > STORE_MAX_LIST)
        return vp_error_set(err, VP_ERR_TOO_BIG, &(vp_where){.path = "offerings"},
                            "%zu, at most %d", n, STORE_MAX_LIST);
    ids = malloc(n * sizeof *ids);
    if (!ids)
        return VP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        ids[i] = key_problem(offerings[i], 1) ? NULL : offerings[i];
    rc = st->be->scores(st->impl, segment ? VP_SET_SEG : VP_SET_ALL, segment, ids, n, scores,
                        err);
    if (rc == VP_OK) {
        double f = decay_factor(st, now_or(now));
        for (size_t i = 0; i < n; i++)
            scores[i] *= f;
    }
    free(ids);
    return rc;
}

vp_status store_list_add(store_list *l, const char *key, size_t len, double score,
                         vp_error *err)
{
    if (l->n == l->alloc) {
        if (l->n >= STORE_MAX_LIST)
            return vp_error_set(err, VP_ERR_TOO_BIG, NULL, "store: more than %d entries",
                                STORE_MAX_LIST);
        size_t na = l->alloc ? l->alloc * 2 : 16;
        if (na > STORE_MAX_LIST)
            na = STORE_MAX_LIST;
        vp_scored *p = realloc(l->items, na * sizeof *p);
        if (!p)
            return VP_ERR_NOMEM;
        l->items = p;
        l->alloc = na;
    }
    char *copy = strndup(key, len);
    if (!copy)
        return VP_ERR_NOMEM;
    l->items[l->n++] = (vp_scored){copy, score};
    return VP_OK;
}

vp_status store_list_done(store_list *l, vp_status rc, vp_scored **out, size_t *n)
{
    if (rc == VP_OK) {
        *out = l->items;
        *n = l->n;
    } else {
        vp_scored_free(l->items, l->n);
    }
    l->items = NULL;
    l->n = l->alloc = 0;
    return rc;
}

vp_status store_not_found(vp_error *err, const char *ns, const char *key)
{
    size_t len = strlen(ns) + 1 + strlen(key) + 1;
    char *record = err ? malloc(len) : NULL;
    if (record)
        snprintf(record, len, "%s/%s", ns, key);
    vp_error_set(err, VP_ERR_NOT_FOUND, &(vp_where){.path = record}, "not found");
    free(record);
    return VP_ERR_NOT_FOUND;
}

vp_status store_io_fail(vp_error *err, const char *what, const char *path, int errnum)
{
    char buf[128];
    if (strerror_r(errnum, buf, sizeof buf) != 0)
        snprintf(buf, sizeof buf, "error %d", errnum);
    return vp_error_set(err, VP_ERR_IO, &(vp_where){path}, "%s: %s", what, buf);
}

int64_t store_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int store_wait_until(pthread_cond_t *cond, pthread_mutex_t *mu, int64_t deadline_ms)
{
    int64_t left = deadline_ms - store_now_ms();
    if (left <= 0)
        return -1;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += left / 1000;
    until.tv_nsec += (left % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(cond, mu, &until);
    return 0;
}

void vp_scored_free(vp_scored *s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i].key);
    free(s);
}

/* The store, namespace and key of a record or counter call. */
static vp_status check_ns_key(const vp_store *st, const char *ns, const char *key,
                              vp_error *err)
{
    if (!st)
        return vp_error_set(err, VP_ERR_INVALID, NULL, "store: missing");
    vp_status rc = check_key("ns", ns, 1, err);
    if (rc == VP_OK)
        rc = check_key("key", key, 1, err);
    return rc;
}

vp_status vp_store_put(vp_store *st, const char *ns, const char *key, const char *value,
                       vp_error *err)
{
    vp_status rc = check_ns_key(st, ns, key, err);
    if (rc != VP_OK)
        return rc;
    if (!value)
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.path = "value"}, "missing");
    if (strnlen(value, STORE_MAX_VALUE + 1) > STORE_MAX_VALUE)
        return vp_error_set(err, VP_ERR_TOO_BIG, &(vp_where){.path = "value"},
                            "longer than %d bytes", STORE_MAX_VALUE);
    return st->be->put(st->impl, ns, key, value, err);
}

vp_status vp_store_get(vp_store *st, const char *ns, const char *key, char **value,
                       vp_error *err)
{
    if (!st || !value)
        return vp_error_set(err, VP_ERR_INVALID, NULL, "store: missing argument");
    vp_status rc = check_ns_key(st, ns, key, err);
    if (rc != VP_OK)
        return rc;
    return st->be->get(st->impl, ns, key, value, err);
}

vp_status vp_store_delete(vp_store *st, const char *ns, const char *key, vp_error *err)
{
    vp_status rc = check_ns_key(st, ns, key, err);
    if (rc != VP_OK)
        return rc;
    return st->be->del(st->impl, ns, key, err);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

vp_status vp_store_keys(vp_store *st, const char *ns, char ***keys, size_t *n, vp_error *err)
{
    store_list l = {0};
    if (!st || !keys || !n)
        return vp_error_set(err, VP_ERR_INVALID, NULL, "store: missing argument");
    *keys = NULL;
    *n = 0;
    vp_status rc = check_key("ns", ns, 1, err);
    if (rc == VP_OK)
        rc = st->be->keys(st->impl, ns, &l, err);
    char **r = rc == VP_OK && l.n ? malloc(l.n * sizeof *r) : NULL;
    if (rc == VP_OK && l.n && !r)
        rc = VP_ERR_NOMEM;
    if (rc != VP_OK) {
        vp_scored_free(l.items, l.n);
        return rc;
    }
    for (size_t i = 0; i < l.n; i++)
        r[i] = l.items[i].key;
    free(l.items);
    if (l.n > 1)
        qsort(r, l.n, sizeof *r, cmp_str);
    *keys = r;
    *n = l.n;
    return VP_OK;
}

vp_status vp_store_count(vp_store *st, const char *ns, const char *key, double by,
                         vp_error *err)
{
    vp_status rc = check_ns_key(st, ns, key, err);
    if (rc != VP_OK)
        return rc;
    if (!isfinite(by))
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.path = "by"}, "not a finite number");
    store_incr op = {VP_SET_COUNT, ns, key, by};
    return st->be->incr(st->impl, &op, 1, err);
}

vp_status vp_store_count_many(vp_store *st, const vp_count *counts, size_t n, vp_error *err)
{
    if (!st || (n && !counts))
        return vp_error_set(err, VP_ERR_INVALID, NULL, "store: missing argument");
    if (n == 0)
        return VP_OK;
    if (n > VP_STORE_MAX_BATCH)
        return vp_error_set(err, VP_ERR_TOO_BIG, &(vp_where){.path = "counts"},
                            "more than %d counts in one call", VP_STORE_MAX_BATCH);
    store_incr *ops = malloc(n * sizeof *ops);
    if (!ops)
        return vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    vp_status rc = VP_OK;
    for (size_t i = 0; rc == VP_OK && i < n; i++) {
        const char *field = "ns", *problem = key_problem(counts[i].ns, 1);
        if (!problem) {
            field = "key";
            problem = key_problem(counts[i].key, 1);
        }
        if (!problem && !isfinite(counts[i].by)) {
            field = "by";
            problem = "not a finite number";
        }
        if (problem) {
            char at[48];
            snprintf(at, sizeof at, "counts[%zu].%s", i, field);
            rc = vp_error_set(err, VP_ERR_INVALID, &(vp_where){.path = at}, "%s", problem);
        }
        ops[i] = (store_incr){VP_SET_COUNT, counts[i].ns, counts[i].key, counts[i].by};
    }
    if (rc == VP_OK)
        rc = st->be->incr(st->impl, ops, n, err);
    free(ops);
    return rc;
}

/* Greatest first, ties by key. */
static int cmp_counter(const void *a, const void *b)
{
    const vp_scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Sorted greatest count first, ties by key in byte order. */
vp_status vp_store_counters(vp_store *st, const char *ns, vp_scored **out, size_t *n,
                            vp_error *err)
{
    if (!st || !out || !n)
        return vp_error_set(err, VP_ERR_INVALID, NULL, "store: missing argument");
    *out = NULL;
    *n = 0;
    vp_status rc = check_key("ns", ns, 1, err);
    if (rc != VP_OK)
        return rc;
    rc = st->be->all(st->impl, VP_SET_COUNT, ns, out, n, err);
    if (rc == VP_OK && *n > 1)
        qsort(*out, *n, sizeof **out, cmp_counter);
    return rc;
}
