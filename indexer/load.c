/* load.c - JSONL loading (see load.h).
 *
 * One thread reads and parses the lines in order, builds each offering's
 * document and routes it to its shard. With more than one shard, every
 * shard has a writer thread of its own (one WritableDatabase each, as
 * Xapian wants) fed through a short queue, so the shards are written at
 * the same time, and beside the building, on as many cores. What goes
 * where, the commit points and the reports (every one from the reading
 * thread, in line order) do not depend on the threads: the same input
 * gives the same shards. */
#include "vindplaats/load.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vindplaats/hash.h"
#include "vindplaats/offering.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads one line of at most `cap` bytes (without its "\n" or "\r\n") into
 * buf. Returns its length, -1 at the end of input, -2 when the line was
 * longer (the rest of it is consumed). NUL bytes are kept and counted. */
static long read_line(FILE *in, char *buf, size_t cap)
{
    size_t n = 0;
    int c, seen = 0, over = 0;
    while ((c = getc_unlocked(in)) != EOF) {
        seen = 1;
        if (c == '\n')
            break;
        if (n < cap + 1)
            buf[n++] = (char)c; /* one more than cap, for a "\r" */
        else
            over = 1;
    }
    if (!seen)
        return -1;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    if (over || n > cap)
        return -2;
    buf[n] = '\0';
    return (long)n;
}

/* Reports every problem of `why` (its paths kept) at NAME:LINE, in the
 * one text form, one line each. */
static void report_problems(FILE *report, const char *name, uint64_t line, vp_error *why)
{
    if (!report)
        return;
    for (vp_error *e = why; e; e = e->next) {
        free(e->file);
        e->file = strdup(name);
        e->line = (unsigned)line;
    }
    vp_error_print(report, NULL, why);
}

/* One problem of the line as a whole ("(line)"), reported as above. */
static void report_line(FILE *report, const char *name, uint64_t line, const char *message)
{
    vp_where at = {name, (unsigned)line, "(line)", NULL};
    vp_error e = VP_ERROR_INIT;
    vp_error_set(&e, VP_ERR_INVALID, &at, "%s", message);
    if (report)
        vp_error_print(report, NULL, &e);
    vp_error_clear(&e);
}

size_t vp_shard_of(vp_routing r, const char *work_key, const char *id, size_t n)
{
    const char *key = work_key && *work_key ? work_key : id;
    uint64_t h = vp_hash_str(key);
    if (r == VP_ROUTING_MIXED)
        h = vp_hash_mix(h);
    return n ? (size_t)(h % n) : 0;
}

#define ROUTING_MIXED_NAME "fnv1a-fmix64" /* + " N": the mark's value */

vp_status vp_shards_routing(vp_index *const *shards, size_t n, vp_routing *out, vp_error *err)
{
    *out = VP_ROUTING_MIXED;
    if (n <= 1)
        return VP_OK;
    char mine[64];
    snprintf(mine, sizeof mine, ROUTING_MIXED_NAME " %zu", n);
    size_t unmarked = 0, marked = 0;
    vp_status st = VP_OK;
    for (size_t k = 0; st == VP_OK && k < n; k++) {
        uint64_t docs = 0;
        char *mark = NULL;
        st = vp_index_stats(shards[k], NULL, &docs, err);
        if (st == VP_OK)
            st = vp_index_get_meta(shards[k], VP_META_ROUTING, &mark, err);
        /* What an empty shard says does not matter: nothing is routed yet. */
        if (st == VP_OK && mark && strcmp(mark, mine) == 0)
            marked++;
        if (st == VP_OK && docs > 0 && (!mark || !*mark))
            unmarked++;
        else if (st == VP_OK && docs > 0 && strcmp(mark, mine) != 0)
            st = vp_error_set(err, VP_ERR_INVALID, NULL,
                         "shard %zu of %zu: written with routing \"%s\", not \"%s\"; write it "
                         "with the number of shards it was made with, or rebuild it",
                         k, n, mark, mine);
        free(mark);
    }
    if (st != VP_OK)
        return st;
    if (unmarked) {
        *out = VP_ROUTING_FNV;
        return VP_OK;
    }
    for (size_t k = 0; st == VP_OK && marked < n && k < n; k++)
        st = vp_index_set_meta(shards[k], VP_META_ROUTING, mine, err);
    return st;
}

#define QUEUE_JOBS 64 /* documents waiting for one shard's writer, at most */

typedef struct pool pool;

/* One shard's writer thread and its queue (guarded by the pool's lock). */
typedef struct shard_writer {
    pool *pool;
    vp_index *idx;
    size_t shard;
    pthread_t thread;
    int started;
    vp_index_doc *queue[QUEUE_JOBS]; /* built documents; NULL: a commit point */
    size_t head, count;
    uint64_t indexed;
} shard_writer;

struct pool {
    pthread_mutex_t lock;
    pthread_cond_t changed;  /* a queue moved, a commit point opened, a failure */
    shard_writer *w;
    size_t n;
    int done;                /* no more documents will come */
    vp_status failed;        /* the first failure; VP_OK while none */
    vp_error failure;        /* what it was, when a writer said */
    size_t at_barrier;       /* writers waiting at the current commit point */
    uint64_t barrier_round;
};

/* Records the first failure and wakes everyone; takes *why (may be
 * NULL). Call locked. */
static void fail_locked(pool *p, vp_status st, vp_error *why)
{
    if (p->failed == VP_OK) {
        p->failed = st;
        if (why) {
            p->failure = *why;
            *why = (vp_error)VP_ERROR_INIT;
        }
    }
    vp_error_clear(why);
    pthread_cond_broadcast(&p->changed);
}

/* A commit point: a shard commits once every shard has written what came
 * before it, so the shards move on together. 0 to commit, -1 when a
 * writer failed meanwhile. Call locked. */
static int barrier_locked(pool *p)
{
    uint64_t round = p->barrier_round;
    if (++p->at_barrier == p->n) {
        p->at_barrier = 0;
        p->barrier_round++;
        pthread_cond_broadcast(&p->changed);
    } else {
        while (p->barrier_round == round && p->failed == VP_OK)
            pthread_cond_wait(&p->changed, &p->lock);
    }
    return p->failed == VP_OK ? 0 : -1;
}

static void *writer_main(void *arg)
{
    shard_writer *w = arg;
    pool *p = w->pool;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (w->count == 0 && !p->done && p->failed == VP_OK)
            pthread_cond_wait(&p->changed, &p->lock);
        if (p->failed != VP_OK || w->count == 0)
            break;
        vp_index_doc *doc = w->queue[w->head];
        w->head = (w->head + 1) % QUEUE_JOBS;
        w->count--;
        pthread_cond_broadcast(&p->changed);
        if (!doc && barrier_locked(p) != 0)
            break;
        pthread_mutex_unlock(&p->lock);
        vp_error e = VP_ERROR_INIT;
        vp_status st = doc ? vp_index_put_doc(w->idx, doc, &e) : vp_index_commit(w->idx, &e);
        if (st == VP_OK && doc)
            w->indexed++;
        /* The shard leads the message; the place stays in the fields. */
        vp_error named = VP_ERROR_INIT;
        if (st != VP_OK)
            vp_error_set(&named, st, &(vp_where){e.file, e.line, e.path, e.parameter},
                         "shard %zu: %s", w->shard,
                         e.status != VP_OK && e.message ? e.message : vp_status_str(st));
        vp_error_clear(&e);
        pthread_mutex_lock(&p->lock);
        if (st != VP_OK) {
            fail_locked(p, st, &named);
            break;
        }
    }
    /* After a failure nothing more is written: drop what is queued. */
    while (w->count) {
        vp_index_doc_destroy(w->queue[w->head]);
        w->head = (w->head + 1) % QUEUE_JOBS;
        w->count--;
    }
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Queues `doc` (NULL: a commit point) for writer `w`, taking it; waits
 * while the queue is full. VP_OK, or the failure of a writer. */
static vp_status enqueue(shard_writer *w, vp_index_doc *doc)
{
    pool *p = w->pool;
    pthread_mutex_lock(&p->lock);
    while (w->count == QUEUE_JOBS && p->failed == VP_OK)
        pthread_cond_wait(&p->changed, &p->lock);
    vp_status st = p->failed;
    if (st == VP_OK) {
        w->queue[(w->head + w->count) % QUEUE_JOBS] = doc;
        w->count++;
        pthread_cond_broadcast(&p->changed);
    }
    pthread_mutex_unlock(&p->lock);
    if (st != VP_OK)
        vp_index_doc_destroy(doc);
    return st;
}

/* A commit point for every writer: VP_OK, or the failure of a writer. */
static vp_status enqueue_commit(pool *p)
{
    vp_status st = VP_OK;
    for (size_t i = 0; st == VP_OK && i < p->n; i++)
        st = enqueue(&p->w[i], NULL);
    return st;
}

vp_status vp_load_jsonl(vp_index *idx, const vp_vocabulary *voc, FILE *in, const char *name,
                        FILE *report, vp_load_stats *stats, vp_error *err)
{
    vp_index *one[1] = {idx};
    return vp_load_jsonl_shards(one, 1, voc, in, name, report, stats, err);
}

/* Reads, parses and routes the lines: into the shards' writers `p`, or
 * with `p` NULL straight into shards[0] on this thread. Returns this
 * thread's own failure (reading, memory, the index); a writer's is the
 * pool's, and stops the reading. */
static vp_status read_all(vp_index *const *shards, size_t n_shards, vp_routing routing, pool *p,
                          const vp_vocabulary *voc, FILE *in, const char *name, FILE *report,
                          vp_load_stats *stats, vp_error *err)
{
    vp_status st = VP_OK;
    uint64_t lineno = 0, since_commit = 0;
    char *line = malloc(VP_LOAD_MAX_LINE + 2);
    if (!line)
        return vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    flockfile(in);
    long got;
    while ((got = read_line(in, line, VP_LOAD_MAX_LINE)) != -1) {
        lineno++;
        if (got == -2) {
            stats->read++;
            stats->rejected++;
            report_line(report, name, lineno, "longer than 1048576 bytes");
            continue;
        }
        size_t len = (size_t)got;
        if (lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            memmove(line, line + 3, len - 2);
            len -= 3;
        }
        if (len == strspn(line, " \t"))
            continue;
        stats->read++;
        if (memchr(line, '\0', len)) {
            stats->rejected++;
            report_line(report, name, lineno, "contains a NUL byte");
            continue;
        }
        vp_offering *o = NULL;
        vp_error problems = VP_ERROR_INIT;
        vp_status pst = vp_offering_parse(line, len, voc, &o, &problems);
        if (pst == VP_ERR_NOMEM) {
            vp_error_clear(&problems);
            st = vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
            break;
        }
        if (pst != VP_OK) {
            stats->rejected++;
            report_problems(report, name, lineno, &problems);
            vp_error_clear(&problems);
            continue;
        }
        size_t k = vp_shard_of(routing, o->work_key, o->id, n_shards);
        vp_error e = VP_ERROR_INIT;
        vp_index_doc *doc = NULL;
        if (p) {
            pst = vp_index_doc_build(shards[k], o, &doc, &e);
            if (pst == VP_OK) {
                /* Counted as indexed by its writer. */
                if (enqueue(&p->w[k], doc) != VP_OK) {
                    vp_offering_destroy(o);
                    break;
                }
            }
        } else {
            pst = vp_index_put(shards[k], o, &e);
            if (pst == VP_OK)
                stats->indexed++;
        }
        vp_offering_destroy(o);
        if (pst == VP_ERR_INVALID) {
            /* The index refused this record (a value it cannot hold). */
            stats->rejected++;
            char *why = vp_error_text(&e);
            report_line(report, name, lineno, why ? why : "rejected by the index");
            free(why);
            vp_error_clear(&e);
            continue;
        }
        if (pst != VP_OK) {
            st = pst;
            if (err)
                vp_error_append(err, &e);
            vp_error_clear(&e);
            break;
        }
        if (++since_commit == VP_LOAD_COMMIT_EVERY) {
            since_commit = 0;
            if (p && enqueue_commit(p) != VP_OK)
                break;
            if (!p) {
                st = vp_index_commit(shards[0], err);
                if (st != VP_OK)
                    break;
            }
        }
    }
    if (st == VP_OK && ferror(in))
        st = vp_error_set(err, VP_ERR_IO, &(vp_where){name, 0, NULL, NULL}, "read error");
    funlockfile(in);
    free(line);
    return st;
}

vp_status vp_load_jsonl_shards(vp_index *const *shards, size_t n_shards, const vp_vocabulary *voc,
                               FILE *in, const char *name, FILE *report, vp_load_stats *stats,
                               vp_error *err)
{
    double started = now_seconds();
    memset(stats, 0, sizeof *stats);
    if (n_shards <= 1) {
        vp_status st =
            read_all(shards, 1, VP_ROUTING_MIXED, NULL, voc, in, name, report, stats, err);
        if (st == VP_OK)
            st = vp_index_commit(shards[0], err);
        stats->seconds = now_seconds() - started;
        return st;
    }

    vp_routing routing;
    vp_status st = vp_shards_routing(shards, n_shards, &routing, err);
    if (st != VP_OK)
        return st;
    pool p;
    memset(&p, 0, sizeof p);
    p.n = n_shards;
    p.w = calloc(n_shards, sizeof *p.w);
    if (!p.w)
        return vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.changed, NULL);
    for (size_t i = 0; i < n_shards; i++) {
        p.w[i].pool = &p;
        p.w[i].idx = shards[i];
        p.w[i].shard = i;
    }
    for (size_t i = 0; st == VP_OK && i < n_shards; i++) {
        if (pthread_create(&p.w[i].thread, NULL, writer_main, &p.w[i]) != 0)
            st = vp_error_set(err, VP_ERR_INTERNAL, NULL, "cannot start the writer of shard %zu", i);
        else
            p.w[i].started = 1;
    }
    if (st == VP_OK)
        st = read_all(shards, n_shards, routing, &p, voc, in, name, report, stats, err);
    /* The last commit point, unless something failed: then every writer
     * stops, and what a shard took since its last commit is dropped when
     * it is closed. */
    if (st == VP_OK)
        enqueue_commit(&p);
    pthread_mutex_lock(&p.lock);
    if (st != VP_OK)
        fail_locked(&p, st, NULL);
    p.done = 1;
    pthread_cond_broadcast(&p.changed);
    pthread_mutex_unlock(&p.lock);
    for (size_t i = 0; i < n_shards; i++)
        if (p.w[i].started)
            pthread_join(p.w[i].thread, NULL);
    for (size_t i = 0; i < n_shards; i++)
        stats->indexed += p.w[i].indexed;
    if (st == VP_OK && p.failed != VP_OK) {
        st = p.failed;
        if (p.failure.status == VP_OK)
            vp_error_set(&p.failure, st, NULL, "%s", vp_status_str(st));
        if (err) {
            vp_error_clear(err);
            *err = p.failure;
            p.failure = (vp_error)VP_ERROR_INIT;
        }
    }
    vp_error_clear(&p.failure);
    pthread_cond_destroy(&p.changed);
    pthread_mutex_destroy(&p.lock);
    free(p.w);
    stats->seconds = now_seconds() - started;
    return st;
}
