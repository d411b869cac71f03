/* store_redis.c - the signal store back end on Redis, through hiredis
 * (store_backend.h). Several server replicas share one Redis.
 *
 * Keys (every user string goes in through %s/%b, never into a format):
 *   vp:sig:all             sorted set: offering -> raw sum, everyone
 *   vp:sig:seg:<segment>   sorted set: offering -> raw sum, one segment
 *   vp:co:<offering>       sorted set: offering -> raw sum, used together
 *   vp:cnt:<ns>            hash: key -> counter (HINCRBYFLOAT)
 *   vp:kv:<ns>             hash: key -> value
 * Increments arrive as doubles computed by store.c and are sent with %.17g
 * (in the C locale), which Redis parses back to the very same double, so
 * ZINCRBY adds exactly what the embedded store adds. Counters are the one
 * exception: HINCRBYFLOAT sums in long double and prints 17 decimals, which
 * is exact for the whole-number counts the store keeps and within 1e-15
 * relative otherwise.
 *
 * Connections: a pool of POOL_SIZE contexts, one per concurrent caller,
 * checked out and in under a mutex (a caller finding all busy waits, at
 * most its timeout). Every call has one deadline, `timeout_ms` from its
 * start, that bounds the connect and every socket read and write (the
 * socket timeouts are set to what remains before each reply). A context
 * is dead after any error: it is freed and the store marked unavailable.
 * A call takes a free live context, else the first free empty slot, which
 * connects again; but a slot tries at most once per RECONNECT_MS, and while
 * the store is unavailable only one connect per RECONNECT_MS is tried for
 * the whole pool, so a dead Redis costs callers one connect timeout per
 * half second and otherwise fails them at once with VP_ERR_IO.
 * Host names are resolved by the system resolver, which no timeout bounds:
 * give an IPv4 literal where that matters. SIGPIPE is blocked in the
 * calling thread while it talks to Redis and a pending one discarded. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "store_backend.h"

#define POOL_SIZE 32
#define RECONNECT_MS 500
#define MAX_HOST 253
#define TIMEOUT_SLACK_MS 5

typedef struct slot {
    redisContext *c;
    int in_use;
    int tried;              /* a connect was attempted at last_try_ms */
    int64_t last_try_ms;
} slot;

typedef struct rds {
    pthread_mutex_t mu;
    pthread_cond_t freed;
    char host[MAX_HOST + 1];
    int port, db;
    unsigned timeout_ms;
    locale_t c_locale;
    atomic_int available;
    int tried;              /* some slot tried to connect at last_try_ms */
    int64_t last_try_ms;
    slot slots[POOL_SIZE];
} rds;

/* One call's hold on a connection. */
typedef struct call {
    rds *r;
    slot *s;
    int64_t deadline_ms;
    int dead;               /* the context failed: free it at the end */
    int64_t timeout_set_ms; /* when the socket timeouts were last set */
    sigset_t old_mask;
    int sigpipe_was_pending;
} call;

static struct timeval ms_tv(int64_t ms)
{
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
    return tv;
}

/* ---- the URL: redis://HOST:PORT/DB and nothing else ---- */

static int parse_uint(const char *s, size_t len, unsigned max, unsigned *out)
{
    if (len == 0 || len > 5)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

static int valid_host(const char *h, size_t len)
{
    if (len == 0 || len > MAX_HOST || h[0] == '-' || h[0] == '.' || h[len - 1] == '.')
        return 0;
    int dotted_digits = 1, dots = 0;
    for (size_t i = 0; i < len; i++) {
        char c = h[i];
        if (c == '.') {
            dots++;
            if (i + 1 < len && h[i + 1] == '.')
                return 0;
        } else if (c >= '0' && c <= '9') {
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-') {
            dotted_digits = 0;
        } else {
            return 0;
        }
    }
    if (!dotted_digits)
        return 1;
    /* All digits and dots: it must be an IPv4 literal. */
    if (dots != 3)
        return 0;
    const char *p = h, *end = h + len;
    for (int part = 0; part < 4; part++) {
        const char *q = memchr(p, '.', (size_t)(end - p));
        if (!q)
            q = end;
        unsigned v;
        if ((size_t)(q - p) > 3 || parse_uint(p, (size_t)(q - p), 255, &v) != 0)
            return 0;
        p = q + 1;
    }
    return 1;
}

static vp_status parse_url(rds *r, const char *url, vp_error *err)
{
    static const char scheme[] = "redis://";
    const char *host, *colon, *slash;
    unsigned port, db;
    if (strncmp(url, scheme, sizeof scheme - 1) != 0)
        goto bad;
    host = url + sizeof scheme - 1;
    colon = strchr(host, ':');
    if (!colon || !valid_host(host, (size_t)(colon - host)))
        goto bad;
    slash = strchr(colon, '/');
    if (!slash || parse_uint(colon + 1, (size_t)(slash - colon - 1), 65535, &port) != 0 ||
        port == 0 || parse_uint(slash + 1, strlen(slash + 1), 9999, &db) != 0)
        goto bad;
    memcpy(r->host, host, (size_t)(colon - host));
    r->host[colon - host] = '\0';
    r->port = (int)port;
    r->db = (int)db;
    return VP_OK;
bad:
    return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.path = "redis_url"},
                        "expected redis://HOST:PORT/DB (a host name or IPv4 address, a port, "
                        "a database number), got \"%.300s\"", url);
}

/* ---- numbers, always in the C locale ---- */

static void fmt_double(const rds *r, double d, char *buf, size_t len)
{
    locale_t old = uselocale(r->c_locale);
    snprintf(buf, len, "%.17g", d);
    uselocale(old);
}

static int parse_double(const rds *r, const char *s, double *d)
{
    locale_t old = uselocale(r->c_locale);
    char *end;
    errno = 0;
    *d = strtod(s, &end);
    int ok = end != s && *end == '\0' && isfinite(*d);
    uselocale(old);
    return ok ? 0 : -1;
}

/* ---- the pool ---- */

static void sigpipe_block(call *k)
{
    sigset_t set, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, &k->old_mask);
    sigpending(&pending);
    k->sigpipe_was_pending = sigismember(&pending, SIGPIPE) == 1;
}

static void sigpipe_restore(call *k)
{
    sigset_t set, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigpending(&pending);
    if (!k->sigpipe_was_pending && sigismember(&pending, SIGPIPE) == 1) {
        struct timespec zero = {0, 0};
        sigtimedwait(&set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &k->old_mask, NULL);
}

static vp_status set_timeout(call *k, vp_error *err)
{
    int64_t left = k->deadline_ms - store_now_ms();
    if (left <= 0) {
        k->dead = 1;
        return vp_error_set(err, VP_ERR_IO, NULL, "redis: timed out");
    }
    if (redisSetTimeout(k->s->c, ms_tv(left)) != REDIS_OK) {
        k->dead = 1;
        return vp_error_set(err, VP_ERR_IO, NULL, "redis: %s", k->s->c->errstr);
    }
    k->timeout_set_ms = k->deadline_ms - left;
    return VP_OK;
}

/* Connects the call's slot (its context is NULL) and selects the database. */
static vp_status connect_slot(call *k, vp_error *err)
{
    rds *r = k->r;
    slot *s = k->s;
    redisReply *rep = NULL;
    vp_status rc = VP_OK;
    int64_t left = k->deadline_ms - store_now_ms();
    if (left <= 0)
        return vp_error_set(err, VP_ERR_IO, NULL, "redis: timed out");
    s->c = redisConnectWithTimeout(r->host, r->port, ms_tv(left));
    if (!s->c) {
        rc = vp_error_set(err, VP_ERR_IO, NULL, "redis %s:%d: cannot connect", r->host, r->port);
        goto cleanup;
    }
    if (s->c->err) {
        rc = vp_error_set(err, VP_ERR_IO, NULL, "redis %s:%d: %s", r->host, r->port,
                           s->c->errstr);
        goto cleanup;
    }
    redisEnableKeepAlive(s->c);
    rc = set_timeout(k, err);
    if (rc != VP_OK || r->db == 0)
        goto cleanup;
    rep = redisCommand(s->c, "SELECT %d", r->db);
    if (!rep) {
        rc = vp_error_set(err, VP_ERR_IO, NULL, "redis %s:%d: %s", r->host, r->port,
                           s->c->errstr);
    } else if (rep->type != REDIS_REPLY_STATUS) {
        rc = vp_error_set(err, VP_ERR_IO, NULL, "redis %s:%d: SELECT %d: %s", r->host, r->port,
                           r->db, rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
    }
cleanup:
    if (rep)
        freeReplyObject(rep);
    if (rc != VP_OK && s->c) {
        redisFree(s->c);
        s->c = NULL;
    }
    return rc;
}

/* Checks a connection out for one call, connecting when needed and
 * allowed. On failure nothing is held. */
static vp_status call_begin(rds *r, call *k, vp_error *err)
{
    vp_status rc = VP_OK;
    memset(k, 0, sizeof *k);
    k->r = r;
    k->deadline_ms = store_now_ms() + r->timeout_ms;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        int64_t now = store_now_ms();
        slot *live = NULL, *empty = NULL;
        for (int i = 0; i < POOL_SIZE && !live; i++) {
            slot *s = &r->slots[i];
            if (s->in_use)
                continue;
            if (s->c)
                live = s;
            else if (!empty)
                empty = s;
        }
        if (live) {
            k->s = live;
            live->in_use = 1;
            break;
        }
        if (empty) {
            /* Connect only when this slot and, while Redis is unreachable,
             * the whole store have not tried within RECONNECT_MS. */
            int slot_may = !empty->tried || now - empty->last_try_ms >= RECONNECT_MS;
            int store_may = atomic_load(&r->available) || !r->tried ||
                            now - r->last_try_ms >= RECONNECT_MS;
            if (!slot_may || !store_may) {
                rc = vp_error_set(err, VP_ERR_IO, NULL, "redis %s:%d: unavailable, reconnecting",
                                   r->host, r->port);
                break;
            }
            empty->tried = r->tried = 1;
            empty->last_try_ms = r->last_try_ms = now;
            empty->in_use = 1;
            k->s = empty;
            break;
        }
        if (store_wait_until(&r->freed, &r->mu, k->deadline_ms) != 0) {
            rc = vp_error_set(err, VP_ERR_IO, NULL, "redis: all %d connections busy", POOL_SIZE);
            break;
        }
    }
    pthread_mutex_unlock(&r->mu);
    if (rc != VP_OK)
        return rc;
    sigpipe_block(k);
    if (!k->s->c) {
        rc = connect_slot(k, err);
    } else {
        rc = set_timeout(k, err);
    }
    if (rc != VP_OK) {
        k->dead = 1;
        sigpipe_restore(k);
        pthread_mutex_lock(&r->mu);
        if (k->s->c) {
            redisFree(k->s->c);
            k->s->c = NULL;
        }
        k->s->in_use = 0;
        pthread_cond_signal(&r->freed);
        pthread_mutex_unlock(&r->mu);
        atomic_store(&r->available, 0);
        k->s = NULL;
    }
    return rc;
}

/* Returns the connection; frees it when the call found it dead. */
static void call_end(call *k)
{
    if (!k->s)
        return;
    rds *r = k->r;
    sigpipe_restore(k);
    pthread_mutex_lock(&r->mu);
    if (k->dead && k->s->c) {
        redisFree(k->s->c);
        k->s->c = NULL;
    }
    k->s->in_use = 0;
    pthread_cond_signal(&r->freed);
    pthread_mutex_unlock(&r->mu);
    atomic_store(&r->available, k->dead ? 0 : 1);
    k->s = NULL;
}

/* Reads the next reply within the call's deadline. On a connection error
 * the context is marked dead and no reply is returned. */
static vp_status call_read(call *k, redisReply **reply, vp_error *err)
{
    void *rep = NULL;
    *reply = NULL;
    if (k->dead)
        return VP_ERR_IO;
    /* Most replies of a pipeline are read from hiredis' buffer: the socket
     * timeouts are renewed every few ms, not for each of them, which lets
     * a call overrun its deadline by at most TIMEOUT_SLACK_MS. */
    if (store_now_ms() - k->timeout_set_ms >= TIMEOUT_SLACK_MS) {
        vp_status rc = set_timeout(k, err);
        if (rc != VP_OK)
            return rc;
    }
    if (redisGetReply(k->s->c, &rep) != REDIS_OK || !rep) {
        k->dead = 1;
        const char *why = k->s->c->err ? k->s->c->errstr : "no reply";
        return vp_error_set(err, VP_ERR_IO, NULL, "redis %s:%d: %s", k->r->host, k->r->port, why);
    }
    *reply = rep;
    return VP_OK;
}

/* The next reply of a pipeline, its problem kept in *rc unless one is
 * there already (the first one counts); -1 when nothing could be read
 * (the connection is dead: stop reading). */
static int pipeline_read(call *k, redisReply **reply, vp_status *rc, vp_error *err)
{
    vp_status r1 = call_read(k, reply, *rc == VP_OK ? err : NULL);
    if (r1 == VP_OK)
        return 0;
    if (*rc == VP_OK)
        *rc = r1;
    return -1;
}

/* An appended command that could not even be buffered (out of memory). */
static vp_status append_failed(call *k, vp_error *err)
{
    k->dead = 1;
    return vp_error_set(err, VP_ERR_NOMEM, NULL, "redis: cannot buffer the command");
}

static vp_status reply_error(const redisReply *rep, vp_error *err)
{
    if (rep->type == REDIS_REPLY_ERROR)
        return vp_error_set(err, VP_ERR_IO, NULL, "redis: %s", rep->str);
    return vp_error_set(err, VP_ERR_IO, NULL, "redis: unexpected reply (type %d)", rep->type);
}

/* The Redis key of a number set; buf holds KEY_MAX bytes. */
#define KEY_MAX (16 + VP_STORE_MAX_KEY + 1)
static const char *key_of(store_set target, const char *scope, char *buf)
{
    static const char *const prefix[VP_SET_KIND_COUNT] = {
        [VP_SET_ALL] = "vp:sig:all", [VP_SET_SEG] = "vp:sig:seg:", [VP_SET_CO] = "vp:co:",
        [VP_SET_COUNT] = "vp:cnt:",
    };
    snprintf(buf, KEY_MAX, "%s%s", prefix[target], target == VP_SET_ALL ? "" : scope);
    return buf;
}

/* ---- the back end ---- */

static void rds_free(rds *r)
{
    if (!r)
        return;
    for (int i = 0; i < POOL_SIZE; i++)
        if (r->slots[i].c)
            redisFree(r->slots[i].c);
    if (r->c_locale)
        freelocale(r->c_locale);
    pthread_cond_destroy(&r->freed);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

static vp_status rds_open(const vp_store_config *cfg, void **impl, vp_error *err)
{
    pthread_condattr_t ca;
    vp_status rc = VP_OK;
    rds *r = calloc(1, sizeof *r);
    if (!r)
        return VP_ERR_NOMEM;
    if (pthread_mutex_init(&r->mu, NULL) != 0) {
        free(r);
        return VP_ERR_NOMEM;
    }
    if (pthread_condattr_init(&ca) != 0) {
        pthread_mutex_destroy(&r->mu);
        free(r);
        return VP_ERR_NOMEM;
    }
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int cond_ok = pthread_cond_init(&r->freed, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!cond_ok) {
        pthread_mutex_destroy(&r->mu);
        free(r);
        return VP_ERR_NOMEM;
    }
    atomic_init(&r->available, 0);
    r->timeout_ms = cfg->timeout_ms;
    r->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (!r->c_locale) {
        rc = VP_ERR_NOMEM;
        goto cleanup;
    }
    rc = parse_url(r, cfg->redis_url, err);
    if (rc != VP_OK)
        goto cleanup;
    /* A first connection; failing is not an error, the store reconnects. */
    call k;
    if (call_begin(r, &k, NULL) == VP_OK)
        call_end(&k);
cleanup:
    if (rc == VP_OK) {
        *impl = r;
        r = NULL;
    }
    rds_free(r);
    return rc;
}

static void rds_close(void *impl)
{
    rds_free(impl);
}

static int rds_available(void *impl)
{
    rds *r = impl;
    return atomic_load(&r->available);
}

/* Appends the command that adds op->by to one number. */
static int append_incr(call *k, const store_incr *op)
{
    char by[40], key[KEY_MAX];
    fmt_double(k->r, op->by, by, sizeof by);
    key_of(op->target, op->scope, key);
    if (op->target == VP_SET_COUNT)
        return redisAppendCommand(k->s->c, "HINCRBYFLOAT %s %s %s", key, op->member, by);
    return redisAppendCommand(k->s->c, "ZINCRBY %s %s %s", key, by, op->member);
}

/* One batch as MULTI ... EXEC, pipelined: all or nothing when the
 * connection drops before EXEC. */
static vp_status rds_incr(void *impl, const store_incr *ops, size_t n, vp_error *err)
{
    call k;
    redisReply *rep = NULL;
    vp_status rc = call_begin(impl, &k, err);
    if (rc != VP_OK)
        return rc;
    if (redisAppendCommand(k.s->c, "MULTI") != REDIS_OK) {
        rc = append_failed(&k, err);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        if (append_incr(&k, &ops[i]) != REDIS_OK) {
            rc = append_failed(&k, err);
            goto cleanup;
        }
    if (redisAppendCommand(k.s->c, "EXEC") != REDIS_OK) {
        rc = append_failed(&k, err);
        goto cleanup;
    }
    /* Read every reply, keeping the first problem. */
    for (size_t i = 0; i < n + 2; i++) {
        if (pipeline_read(&k, &rep, &rc, err) != 0)
            goto cleanup;
        if (rc == VP_OK) {
            if (i == n + 1) {
                if (rep->type != REDIS_REPLY_ARRAY)
                    rc = reply_error(rep, err);
                for (size_t j = 0; rc == VP_OK && j < rep->elements; j++)
                    if (rep->element[j]->type == REDIS_REPLY_ERROR)
                        rc = reply_error(rep->element[j], err);
            } else if (rep->type != REDIS_REPLY_STATUS) {
                rc = reply_error(rep, err);
            }
        }
        freeReplyObject(rep);
        rep = NULL;
    }
cleanup:
    call_end(&k);
    return rc;
}

/* Runs one command, formatted as redisCommand formats (user strings through
 * %s only); *reply its answer, which is not an error reply. */
static vp_status run_command(rds *r, redisReply **reply, vp_error *err, const char *fmt, ...)
{
    call k;
    va_list ap;
    *reply = NULL;
    vp_status rc = call_begin(r, &k, err);
    if (rc != VP_OK)
        return rc;
    va_start(ap, fmt);
    int ok = redisvAppendCommand(k.s->c, fmt, ap);
    va_end(ap);
    if (ok != REDIS_OK)
        rc = append_failed(&k, err);
    else
        rc = call_read(&k, reply, err);
    if (rc == VP_OK && (*reply)->type == REDIS_REPLY_ERROR) {
        rc = reply_error(*reply, err);
        freeReplyObject(*reply);
        *reply = NULL;
    }
    call_end(&k);
    return rc;
}

/* Adds the strings of an array reply to `l`: pairs of (key, number) when
 * `pairs`, else keys alone. */
static vp_status reply_to_list(const rds *r, const redisReply *rep, int pairs, store_list *l,
                               vp_error *err)
{
    size_t step = pairs ? 2 : 1;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements % step)
        return reply_error(rep, err);
    vp_status rc = VP_OK;
    for (size_t i = 0; i < rep->elements && rc == VP_OK; i += step) {
        const redisReply *k = rep->element[i], *v = pairs ? rep->element[i + 1] : NULL;
        double score = 0;
        if (k->type != REDIS_REPLY_STRING ||
            (v && (v->type != REDIS_REPLY_STRING || parse_double(r, v->str, &score) != 0)))
            rc = vp_error_set(err, VP_ERR_IO, NULL, "redis: unexpected reply");
        else
            rc = store_list_add(l, k->str, k->len, score, err);
    }
    return rc;
}

/* Runs a command that answers pairs of (member, number): on a hash, or on
 * a sorted set's ranks 0 to `stop` (ranged). */
static vp_status pairs_command(rds *r, vp_scored **out, size_t *n, vp_error *err,
                               const char *cmd, const char *key, int ranged, long long stop)
{
    redisReply *rep;
    store_list l = {0};
    vp_status rc = !ranged ? run_command(r, &rep, err, "%s %s", cmd, key)
                           : run_command(r, &rep, err, "%s %s 0 %lld WITHSCORES", cmd, key,
                                         stop);
    if (rc == VP_OK)
        rc = reply_to_list(r, rep, 1, &l, err);
    if (rep)
        freeReplyObject(rep);
    return store_list_done(&l, rc, out, n);
}

/* Redis gives equal scores in reverse member order, like the embedded store. */
static vp_status rds_top(void *impl, store_set target, const char *scope, size_t limit,
                         vp_scored **out, size_t *n, vp_error *err)
{
    char key[KEY_MAX];
    return pairs_command(impl, out, n, err, "ZREVRANGE", key_of(target, scope, key), 1,
                         (long long)limit - 1);
}

static vp_status rds_all(void *impl, store_set target, const char *scope, vp_scored **out,
                         size_t *n, vp_error *err)
{
    char key[KEY_MAX];
    key_of(target, scope, key);
    if (target == VP_SET_COUNT)
        return pairs_command(impl, out, n, err, "HGETALL", key, 0, 0);
    return pairs_command(impl, out, n, err, "ZRANGE", key, 1, -1);
}

static vp_status rds_scores(void *impl, store_set target, const char *scope,
                            const char *const *members, size_t n, double *raw, vp_error *err)
{
    call k;
    redisReply *rep = NULL;
    char key[KEY_MAX];
    size_t sent = 0;
    vp_status rc = call_begin(impl, &k, err);
    if (rc != VP_OK)
        return rc;
    key_of(target, scope, key);
    for (size_t i = 0; i < n; i++) {
        raw[i] = 0;
        if (!members[i])
            continue;
        if (redisAppendCommand(k.s->c, "ZSCORE %s %s", key, members[i]) != REDIS_OK) {
            rc = append_failed(&k, err);
            goto cleanup;
        }
        sent++;
    }
    for (size_t i = 0; i < n && sent; i++) {
        if (!members[i])
            continue;
        sent--;
        if (pipeline_read(&k, &rep, &rc, err) != 0)
            goto cleanup;
        if (rc == VP_OK) {
            if (rep->type == REDIS_REPLY_STRING) {
                if (parse_double(k.r, rep->str, &raw[i]) != 0)
                    rc = vp_error_set(err, VP_ERR_IO, NULL, "redis: unexpected score");
            } else if (rep->type != REDIS_REPLY_NIL) {
                rc = reply_error(rep, err);
            }
        }
        freeReplyObject(rep);
        rep = NULL;
    }
cleanup:
    call_end(&k);
    return rc;
}

static vp_status rds_put(void *impl, const char *ns, const char *key, const char *value,
                         vp_error *err)
{
    redisReply *rep;
    vp_status rc = run_command(impl, &rep, err, "HSET vp:kv:%s %s %s", ns, key, value);
    if (rc == VP_OK && rep->type != REDIS_REPLY_INTEGER)
        rc = reply_error(rep, err);
    if (rep)
        freeReplyObject(rep);
    return rc;
}

static vp_status rds_get(void *impl, const char *ns, const char *key, char **value,
                         vp_error *err)
{
    redisReply *rep;
    vp_status rc = run_command(impl, &rep, err, "HGET vp:kv:%s %s", ns, key);
    if (rc != VP_OK)
        return rc;
    char *copy = rep->type == REDIS_REPLY_STRING ? strdup(rep->str) : NULL;
    if (rep->type == REDIS_REPLY_NIL)
        rc = store_not_found(err, ns, key);
    else if (rep->type != REDIS_REPLY_STRING)
        rc = reply_error(rep, err);
    else if (!copy)
        rc = VP_ERR_NOMEM;
    else
        *value = copy;
    freeReplyObject(rep);
    return rc;
}

static vp_status rds_del(void *impl, const char *ns, const char *key, vp_error *err)
{
    redisReply *rep;
    vp_status rc = run_command(impl, &rep, err, "HDEL vp:kv:%s %s", ns, key);
    if (rc != VP_OK)
        return rc;
    if (rep->type != REDIS_REPLY_INTEGER)
        rc = reply_error(rep, err);
    else if (rep->integer == 0)
        rc = store_not_found(err, ns, key);
    freeReplyObject(rep);
    return rc;
}

static vp_status rds_keys(void *impl, const char *ns, store_list *keys, vp_error *err)
{
    redisReply *rep;
    vp_status rc = run_command(impl, &rep, err, "HKEYS vp:kv:%s", ns);
    if (rc != VP_OK)
        return rc;
    rc = reply_to_list(impl, rep, 0, keys, err);
    freeReplyObject(rep);
    return rc;
}

const store_backend vp_store_redis_backend = {
    .name = "redis",
    .open = rds_open,
    .close = rds_close,
    .available = rds_available,
    .incr = rds_incr,
    .top = rds_top,
    .scores = rds_scores,
    .all = rds_all,
    .put = rds_put,
    .get = rds_get,
    .del = rds_del,
    .keys = rds_keys,
};
