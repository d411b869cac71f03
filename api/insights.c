/* insights.c - what residents look for and do not find, from aggregates
 * only: the query log, its reports (JSON and CSV) and the staff page.
 *
 * What one search leaves behind is a handful of counters in the store,
 * per Dutch calendar day D (namespaces; keys after the colon):
 *   id:D         n, z, c (searches, with zero results, with a click),
 *                zf (of the zero results, those that found nothing only
 *                because of a filter: without one of their filters they
 *                find something) and n:LIB, z:LIB, c:LIB, zf:LIB per
 *                library; r:0, r:1-9, r:10-99, r:100+ (searches by how
 *                many they found)
 *   iq:D, iz:D, ic:D          normalised query -> searches, zero results
 *                             (nothing in the offering: not those of zf),
 *                             clicked; iq:D:LIB ... the same per library
 *   ip:D         i:PROP, k:PROP: results shown and clicked per proposition
 *   if:D         FIELD=VALUE, near, dates, sort=...: filters used
 *   is:D         c:SEGMENT: clicks per segment (a segment comes with signals)
 *   insights-keys  KEY -> "D\tLIB\tQUERY": what a query id's last 8 hex
 *                  digits stand for, so a click can find its query
 * and per campaign (slug of a saved query), not per day:
 *   campaign      SLUG:visit, SLUG:search, SLUG:click (clicks also come
 *                 from signals that name the campaign)
 *   campaign-utm  SLUG|SOURCE|MEDIUM|CAMPAIGN:KIND
 * "LIB" is the library a search was made for: its one library filter, else
 * its prefer_library (what a library's own website widget sends). The
 * query text is folded (case, diacritics), its spaces collapsed, cut to
 * 100 bytes, and what could identify someone (e-mail addresses, also
 * written out; 6 or more digits however grouped; IBANs; postcodes with a
 * house number) is replaced by [e-mail], [nummer] and [adres] before it is
 * counted (vp_text_scrub). Nothing else about a search is kept.
 *
 * A query's text is stored only once min_clients different clients (by a
 * salted hash of their address, the salt drawn anew each day and kept in
 * memory) searched it on one day: until then the counters that name it
 * (iq:, iz:) wait in the writer's memory and its insights-keys record is
 * kept without the text; at the k-th client the store gets the mark
 *   ik:D         QUERY: the query reached k clients on day D
 * and what waited. Reports list only marked queries.
 *
 * Searches must not wait for the store, so logging is queued: a search
 * turns into a list of increments at once, and one thread per server
 * merges whatever has queued and writes it: every distinct counter once,
 * in one vp_store_count_many (one commit) per VP_STORE_MAX_BATCH counters.
 * It gathers a batch for GATHER_MS after the first
 * event: a batch of many searches costs the store about what one costs,
 * since the searches of a busy server repeat the same counters. When the
 * queue is full new events are dropped and counted in `dropped`. Reports
 * flush the queue first, and the writer does not wait for them, so what
 * a client did is in the next report it asks for. */
#include <math.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "site.h"
#include "sha256.h"
#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "vindplaats/hash.h"
#include "vindplaats/offering.h"
#include "vindplaats/segments.h"
#include "vindplaats/store.h"

#define MAX_QUEUE 20000         /* events waiting to be written */
#define MAX_QUERY 100           /* bytes of a normalised query */
#define MAX_LIB 80              /* bytes of a library id in a key */
#define MAX_VALUE 60            /* bytes of a filter value in a key */
#define MAX_OPS 48              /* increments of one search */
#define SEEN_CLICKS 4096        /* query ids remembered to count a search clicked once */
#define KNOWN_KEYS 8192         /* aggregate keys written lately (skip writing again) */
#define FLUSH_WAIT_S 5
#define GATHER_MS 250           /* a batch gathers this long after its first event */
#define DISTINCT_SLOTS 65536    /* queries told apart per day for counting clients */
#define MAX_PROXIES 16
#define MAX_HELD 100000         /* searches of queries below k held in memory */
#define MAX_DAYS 366
#define MAX_LIMIT 10000
#define CSV_CAP (64u << 20)

/* An IPv4 (len 4) or IPv6 (len 16) address, as bytes. */
typedef struct addr {
    size_t len;
    unsigned char b[16];
} addr;

/* An increment while it is being made: fixed buffers, on the stack. */
typedef struct incr {
    char ns[MAX_LIB + 24];
    char key[VP_STORE_MAX_KEY + 1];
    double by;
} incr;

/* The counters of one search that name its query (iq:, iz:), held in
 * memory while the query has fewer than k clients. */
typedef struct held {
    struct held *next;
    char *packed;   /* "ns\0key\0" pairs */
    double *by;
    size_t n;
    char *record;   /* its insights-keys record, with the query text */
    char key8[9];
} held;

/* An increment in a batch: strings borrowed from its event. */
typedef struct ref {
    const char *ns, *key;
    double by;
} ref;

enum { EV_OPS, EV_CLICK };

typedef struct event {
    struct event *next;
    int kind;
    /* EV_OPS: n_ops increments, packed as "ns\0key\0" after one another
     * with their amounts in `by`, and a record to put under key8. */
    char *packed;
    double *by;
    size_t n_ops;
    char key8[9];
    char *record;
    uint64_t client;            /* the client's tag of the day; 0: unknown */
    int shown;                  /* the writer's: its query's own counters may be stored */
    char query[MAX_QUERY + 1];  /* the normalised query ("": none) */
    /* EV_CLICK: what is known at once; its increments are made by the
     * writer (it needs the store), into `made`. */
    char qid[17];
    char prop[VP_STORE_MAX_KEY + 1];
    char segment[VP_STORE_MAX_KEY + 1];
    int day;
    incr *made;
} event;

struct insights_log {
    vp_store *store;
    const vp_vocabulary *voc;
    pthread_mutex_t lock;
    pthread_cond_t wake, idle;
    pthread_t thread;
    int started, stop;
    int flushing;               /* reports waiting for the queue to be written */
    event *head, *tail;
    size_t queued;
    uint64_t enqueued, written;
    uint64_t batches;           /* batches written */
    uint64_t dropped;
    unsigned min_clients;
    addr proxies[MAX_PROXIES];  /* trusted reverse proxies */
    size_t n_proxies;
    /* The salt of the client tags, under `lock`: drawn at the first search
     * of a day, replaced (and with it every tag) at the first of the next. */
    unsigned char salt[32];
    int salt_day;
    /* the writer thread's own */
    char seen[SEEN_CLICKS][17];
    size_t seen_next;
    uint32_t known[KNOWN_KEYS];
    /* Clients per query, for the day d_day only: open addressing on a
     * 64-bit hash of the query text (0: free slot); per slot up to
     * min_clients client tags in d_tags, d_n of them held. */
    int d_day;
    size_t d_used;
    uint64_t *d_query;
    uint64_t *d_tags;
    unsigned char *d_n;
    held **d_held;      /* per slot: the searches waiting for their query's k-th client */
    size_t n_held;
};

/* ---- the writer ---- */

static int cmp_ref(const void *a, const void *b)
{
    const ref *x = a, *y = b;
    int c = strcmp(x->ns, y->ns);
    return c ? c : strcmp(x->key, y->key);
}

/* Adds `by` to ns/key in `ops` (merging a repeat), while there is room. */
static void add(incr *ops, size_t *n, size_t cap, const char *ns, const char *key, double by)
{
    if (!key || !*key || strlen(key) > VP_STORE_MAX_KEY || strlen(ns) >= sizeof ops->ns)
        return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(ops[i].key, key) == 0 && strcmp(ops[i].ns, ns) == 0) {
            ops[i].by += by;
            return;
        }
    if (*n == cap)
        return;
    snprintf(ops[*n].ns, sizeof ops[*n].ns, "%s", ns);
    snprintf(ops[*n].key, sizeof ops[*n].key, "%s", key);
    ops[*n].by = by;
    (*n)++;
}

/* The increments as one buffer of "ns\0key\0" pairs, and their amounts. */
static char *pack(const incr *ops, size_t n, double **by)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen(ops[i].ns) + strlen(ops[i].key) + 2;
    char *p = malloc(len + 1), *o = p;
    *by = malloc((n + 1) * sizeof **by);
    if (!p || !*by) {
        free(p);
        free(*by);
        *by = NULL;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        size_t a = strlen(ops[i].ns) + 1, b = strlen(ops[i].key) + 1;
        memcpy(o, ops[i].ns, a);
        memcpy(o + a, ops[i].key, b);
        o += a + b;
        (*by)[i] = ops[i].by;
    }
    return p;
}

static int seen_click(struct insights_log *log, const char *qid)
{
    for (size_t i = 0; i < SEEN_CLICKS; i++)
        if (strcmp(log->seen[i], qid) == 0)
            return 1;
    snprintf(log->seen[log->seen_next], sizeof log->seen[0], "%s", qid);
    log->seen_next = (log->seen_next + 1) % SEEN_CLICKS;
    return 0;
}

/* The increments of a click: its query (when the key names one) and its
 * proposition and segment. */
static size_t click_ops(struct insights_log *log, const event *e, incr *ops, size_t cap)
{
    size_t n = 0;
    char ns[MAX_LIB + 24], day[16];
    snprintf(day, sizeof day, "%d", e->day);
    if (e->prop[0]) {
        char key[VP_STORE_MAX_KEY + 1];
        snprintf(key, sizeof key, "k:%.190s", e->prop);
        snprintf(ns, sizeof ns, "ip:%s", day);
        add(ops, &n, cap, ns, key, 1);
    }
    if (e->segment[0]) {
        char key[VP_STORE_MAX_KEY + 1];
        snprintf(key, sizeof key, "c:%.190s", e->segment);
        snprintf(ns, sizeof ns, "is:%s", day);
        add(ops, &n, cap, ns, key, 1);
    }
    if (strlen(e->qid) != 16 || seen_click(log, e->qid))
        return n;
    char *rec = NULL;
    if (vp_store_get(log->store, "insights-keys", e->qid + 8, &rec, NULL) != VP_OK)
        return n;
    /* "D\tLIB\tQUERY" */
    char *t1 = strchr(rec, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (t2) {
        *t1 = *t2 = '\0';
        const char *d = rec, *lib = t1 + 1, *q = t2 + 1;
        char key[VP_STORE_MAX_KEY + 1];
        snprintf(ns, sizeof ns, "id:%s", d);
        add(ops, &n, cap, ns, "c", 1);
        if (*lib) {
            snprintf(key, sizeof key, "c:%s", lib);
            add(ops, &n, cap, ns, key, 1);
        }
        if (*q) {
            snprintf(ns, sizeof ns, "ic:%s", d);
            add(ops, &n, cap, ns, q, 1);
            if (*lib) {
                snprintf(ns, sizeof ns, "ic:%s:%s", d, lib);
                add(ops, &n, cap, ns, q, 1);
            }
        }
    }
    free(rec);
    return n;
}

static int key_known(struct insights_log *log, const char *key8)
{
    uint32_t k = (uint32_t)strtoul(key8, NULL, 16) | 1u;
    uint32_t *slot = &log->known[k % KNOWN_KEYS];
    if (*slot == k)
        return 1;
    *slot = k;
    return 0;
}

#define CLICK_OPS 8

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

/* FNV-1a, for the query log's own tables. In the client count two queries
 * whose 64-bit hashes collide would count their clients together: with the
 * 65,536 queries a day the table holds, a chance of about 1 in 10^10 a day. */
static size_t hash_of(const char *s)
{
    return (size_t)vp_hash_str(s);
}

static int text_ns(const char *ns)
{
    return strncmp(ns, "iq:", 3) == 0 || strncmp(ns, "iz:", 3) == 0;
}

static void held_free(held *h)
{
    while (h) {
        held *next = h->next;
        if (h->record)
            wipe(h->record, strlen(h->record));
        free(h->record);
        free(h->packed);
        free(h->by);
        free(h);
        h = next;
    }
}

/* Drops every held search (their texts never reach the store). */
static void held_clear(struct insights_log *log)
{
    for (size_t i = 0; log->n_held && i < DISTINCT_SLOTS; i++) {
        held_free(log->d_held[i]);
        log->d_held[i] = NULL;
    }
    log->n_held = 0;
}

/* Keeps the query's own counters of `e` (and its record) in memory under
 * slot `i`; 0, or -1 when there is no room (they are dropped). */
static int hold(struct insights_log *log, size_t i, const event *e)
{
    if (log->n_held >= MAX_HELD || !e->packed)
        return -1;
    size_t n = 0, len = 0;
    const char *p = e->packed;
    for (size_t j = 0; j < e->n_ops; j++) {
        const char *key = p + strlen(p) + 1, *next = key + strlen(key) + 1;
        if (text_ns(p)) {
            n++;
            len += (size_t)(next - p);
        }
        p = next;
    }
    held *h = calloc(1, sizeof *h);
    if (!h)
        return -1;
    h->packed = malloc(len ? len : 1);
    h->by = malloc((n ? n : 1) * sizeof *h->by);
    h->record = e->record ? strdup(e->record) : NULL;
    if (!h->packed || !h->by || (e->record && !h->record)) {
        held_free(h);
        return -1;
    }
    char *o = h->packed;
    p = e->packed;
    for (size_t j = 0; j < e->n_ops; j++) {
        const char *key = p + strlen(p) + 1, *next = key + strlen(key) + 1;
        if (text_ns(p)) {
            memcpy(o, p, (size_t)(next - p));
            o += next - p;
            h->by[h->n++] = e->by[j];
        }
        p = next;
    }
    memcpy(h->key8, e->key8, sizeof h->key8);
    h->next = log->d_held[i];
    log->d_held[i] = h;
    log->n_held++;
    return 0;
}

/* Writes what slot `i` held: its query just reached k clients. */
static void release(struct insights_log *log, size_t i)
{
    for (held *h = log->d_held[i]; h; h = h->next) {
        const char *p = h->packed;
        for (size_t j = 0; j < h->n; j++) {
            const char *key = p + strlen(p) + 1;
            vp_store_count(log->store, p, key, h->by[j], NULL);
            p = key + strlen(key) + 1;
        }
        if (h->record)
            vp_store_put(log->store, "insights-keys", h->key8, h->record, NULL);
        log->n_held--;
    }
    held_free(log->d_held[i]);
    log->d_held[i] = NULL;
}

/* Counts the search's client for its query. The query's own counters (its
 * text) may be stored once min_clients different clients searched it on
 * its day: then the store gets a mark (ik:D/QUERY += 1) and whatever was
 * held for it, and e->shown is set. Before that they are held in memory
 * (hold). Nothing about clients leaves memory, and the tags and held
 * searches are wiped when the day changes. */
static void count_client(struct insights_log *log, event *e)
{
    e->shown = 0;
    if (!e->query[0] || !e->client || e->day < log->d_day)
        return;
    unsigned k = log->min_clients;
    if (e->day != log->d_day) {
        wipe(log->d_tags, (size_t)DISTINCT_SLOTS * k * sizeof *log->d_tags);
        memset(log->d_query, 0, DISTINCT_SLOTS * sizeof *log->d_query);
        memset(log->d_n, 0, DISTINCT_SLOTS);
        held_clear(log);
        log->d_used = 0;
        log->d_day = e->day;
    }
    uint64_t qh = (uint64_t)hash_of(e->query) | 1;
    size_t i = (size_t)qh & (DISTINCT_SLOTS - 1);
    while (log->d_query[i] && log->d_query[i] != qh)
        i = (i + 1) & (DISTINCT_SLOTS - 1);
    if (!log->d_query[i]) {
        /* Full: a query first seen now is not shown today. */
        if (log->d_used >= DISTINCT_SLOTS / 4 * 3)
            return;
        log->d_query[i] = qh;
        log->d_used++;
    }
    uint64_t *tags = log->d_tags + i * k;
    if (log->d_n[i] >= k) {
        e->shown = 1;
        return;
    }
    int known = 0;
    for (unsigned j = 0; j < log->d_n[i]; j++)
        known |= tags[j] == e->client;
    if (!known)
        tags[log->d_n[i]++] = e->client;
    if (log->d_n[i] < k) {
        hold(log, i, e);
        return;
    }
    char ns[32];
    snprintf(ns, sizeof ns, "ik:%d", e->day);
    vp_store_count(log->store, ns, e->query, 1, NULL);
    release(log, i);
    e->shown = 1;
}

/* The record of `e` without its query text: a click still counts for the
 * day and library. malloc()ed; NULL when out of memory. */
static char *record_without_text(const char *record)
{
    const char *t1 = strchr(record, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    return t2 ? strndup(record, (size_t)(t2 - record) + 1) : NULL;
}

static void write_batch(struct insights_log *log, event *list)
{
    size_t total = 0;
    for (event *e = list; e; e = e->next) {
        if (e->kind == EV_CLICK) {
            e->made = calloc(CLICK_OPS, sizeof *e->made);
            e->n_ops = e->made ? click_ops(log, e, e->made, CLICK_OPS) : 0;
        } else {
            count_client(log, e);
            if (e->record && e->shown && !key_known(log, e->key8)) {
                vp_store_put(log->store, "insights-keys", e->key8, e->record, NULL);
            } else if (e->record && !e->shown) {
                char *bare = record_without_text(e->record);
                if (bare)
                    vp_store_put(log->store, "insights-keys", e->key8, bare, NULL);
                free(bare);
            }
        }
        total += e->n_ops;
    }
    ref *all = total ? malloc(total * sizeof *all) : NULL;
    size_t n = 0;
    for (event *e = list; e && all; e = e->next) {
        if (e->kind == EV_CLICK) {
            for (size_t i = 0; i < e->n_ops; i++)
                all[n++] = (ref){e->made[i].ns, e->made[i].key, e->made[i].by};
            continue;
        }
        const char *p = e->packed;
        for (size_t i = 0; p && i < e->n_ops; i++) {
            const char *key = p + strlen(p) + 1;
            if (e->shown || !text_ns(p))
                all[n++] = (ref){p, key, e->by[i]};
            p = key + strlen(key) + 1;
        }
    }
    if (n > 1)
        qsort(all, n, sizeof *all, cmp_ref);
    /* Each counter once with its sum, as few writes as the store takes. */
    vp_count *counts = n ? malloc((n < VP_STORE_MAX_BATCH ? n : VP_STORE_MAX_BATCH) * sizeof *counts)
                         : NULL;
    size_t m = 0;
    for (size_t i = 0; counts && i < n;) {
        size_t k = i + 1;
        double by = all[i].by;
        while (k < n && cmp_ref(&all[i], &all[k]) == 0)
            by += all[k++].by;
        counts[m++] = (vp_count){all[i].ns, all[i].key, by};
        i = k;
        if (m == VP_STORE_MAX_BATCH || i == n) {
            /* A counter the store refuses costs only itself. */
            if (vp_store_count_many(log->store, counts, m, NULL) == VP_ERR_INVALID)
                for (size_t j = 0; j < m; j++)
                    vp_store_count(log->store, counts[j].ns, counts[j].key, counts[j].by, NULL);
            m = 0;
        }
    }
    free(counts);
    free(all);
}

static void free_events(event *e)
{
    while (e) {
        event *next = e->next;
        free(e->packed);
        free(e->by);
        free(e->record);
        free(e->made);
        free(e);
        e = next;
    }
}

static void *writer(void *arg)
{
    struct insights_log *log = arg;
    pthread_mutex_lock(&log->lock);
    for (;;) {
        while (!log->head && !log->stop)
            pthread_cond_wait(&log->wake, &log->lock);
        if (!log->head && log->stop)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += GATHER_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!log->stop && !log->flushing && log->queued < MAX_QUEUE / 2)
            if (pthread_cond_timedwait(&log->wake, &log->lock, &until) != 0)
                break;
        event *list = log->head;
        uint64_t upto = log->enqueued;
        log->head = log->tail = NULL;
        log->queued = 0;
        pthread_mutex_unlock(&log->lock);
        write_batch(log, list);
        free_events(list);
        pthread_mutex_lock(&log->lock);
        log->written = upto;
        log->batches++;
        pthread_cond_broadcast(&log->idle);
    }
    pthread_mutex_unlock(&log->lock);
    return NULL;
}

/* One address written as text (surrounding spaces allowed); 0 or -1. */
static int addr_parse(const char *s, size_t len, addr *out)
{
    char buf[INET6_ADDRSTRLEN + 1];
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET, buf, out->b) == 1) {
        out->len = 4;
        return 0;
    }
    if (inet_pton(AF_INET6, buf, out->b) == 1) {
        out->len = 16;
        return 0;
    }
    return -1;
}

/* Parses a comma-separated list into `out`; NULL, or why it is refused. */
static const char *proxies_parse(const char *list, addr *out, size_t *n)
{
    *n = 0;
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (*n == MAX_PROXIES)
            return "at most 16 addresses";
        if (addr_parse(p, len, &out[*n]) != 0)
            return "not an IPv4 or IPv6 address";
        (*n)++;
        p += len;
        if (*p == ',')
            p++;
    }
    return NULL;
}

const char *api_trusted_proxies_problem(const char *list)
{
    addr a[MAX_PROXIES];
    size_t n;
    return proxies_parse(list, a, &n);
}

struct insights_log *insights_log_create(vp_store *store, const vp_vocabulary *voc,
                                         unsigned min_clients, const char *trusted_proxies)
{
    if (!store)
        return NULL;
    if (min_clients == 0)
        min_clients = VP_QUERY_MIN_CLIENTS_DEFAULT;
    if (min_clients > VP_QUERY_MIN_CLIENTS_MAX)
        return NULL;
    struct insights_log *log = calloc(1, sizeof *log);
    if (!log)
        return NULL;
    log->store = store;
    log->voc = voc;
    log->min_clients = min_clients;
    if (proxies_parse(trusted_proxies, log->proxies, &log->n_proxies) != NULL) {
        free(log);
        return NULL;
    }
    log->d_query = calloc(DISTINCT_SLOTS, sizeof *log->d_query);
    log->d_tags = calloc((size_t)DISTINCT_SLOTS * min_clients, sizeof *log->d_tags);
    log->d_n = calloc(DISTINCT_SLOTS, 1);
    log->d_held = calloc(DISTINCT_SLOTS, sizeof *log->d_held);
    if (!log->d_query || !log->d_tags || !log->d_n || !log->d_held) {
        free(log->d_query);
        free(log->d_tags);
        free(log->d_n);
        free(log->d_held);
        free(log);
        return NULL;
    }
    pthread_mutex_init(&log->lock, NULL);
    pthread_cond_init(&log->wake, NULL);
    pthread_cond_init(&log->idle, NULL);
    if (pthread_create(&log->thread, NULL, writer, log) != 0) {
        insights_log_destroy(log);
        return NULL;
    }
    log->started = 1;
    return log;
}

/* Writes what is queued, then stops the thread. */
void insights_log_destroy(struct insights_log *log)
{
    if (!log)
        return;
    if (log->started)
        api_thread_stop(log->thread, &log->lock, &log->wake, &log->stop);
    free_events(log->head);
    wipe(log->d_tags, (size_t)DISTINCT_SLOTS * log->min_clients * sizeof *log->d_tags);
    wipe(log->salt, sizeof log->salt);
    held_clear(log);
    free(log->d_query);
    free(log->d_tags);
    free(log->d_n);
    free(log->d_held);
    pthread_mutex_destroy(&log->lock);
    pthread_cond_destroy(&log->wake);
    pthread_cond_destroy(&log->idle);
    free(log);
}

static void enqueue(struct insights_log *log, event *e)
{
    pthread_mutex_lock(&log->lock);
    if (log->queued >= MAX_QUEUE || log->stop) {
        log->dropped++;
        pthread_mutex_unlock(&log->lock);
        free_events(e);
        return;
    }
    e->next = NULL;
    if (log->tail)
        log->tail->next = e;
    else
        log->head = e;
    log->tail = e;
    log->queued++;
    log->enqueued++;
    /* The writer waits for the first event of a batch, or for a full half
     * of the queue while it gathers; no wake-up for the others. */
    if (log->queued == 1 || log->queued == MAX_QUEUE / 2)
        pthread_cond_signal(&log->wake);
    pthread_mutex_unlock(&log->lock);
}

void api_insights_counts(struct insights_log *log, uint64_t *written, uint64_t *batches,
                         uint64_t *dropped)
{
    *written = *batches = *dropped = 0;
    if (!log)
        return;
    pthread_mutex_lock(&log->lock);
    *written = log->written;
    *batches = log->batches;
    *dropped = log->dropped;
    pthread_mutex_unlock(&log->lock);
}

void api_insights_flush(struct insights_log *log)
{
    if (!log)
        return;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += FLUSH_WAIT_S;
    pthread_mutex_lock(&log->lock);
    uint64_t target = log->enqueued;
    /* The writer stops gathering while a report waits. */
    log->flushing++;
    pthread_cond_signal(&log->wake);
    while (log->written < target)
        if (pthread_cond_timedwait(&log->idle, &log->lock, &until) != 0)
            break;
    log->flushing--;
    pthread_mutex_unlock(&log->lock);
}

/* ---- logging a search ---- */

static int lib_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= MAX_LIB && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == n;
}

/* The query as it is counted (see the top of the file); malloc()ed. */
static char *normalise(const char *q)
{
    char *folded = q ? vp_text_fold(q, 1) : strdup("");
    char *scrubbed = folded ? vp_text_scrub(folded) : NULL;
    char *cut = scrubbed ? vp_text_cut(scrubbed, MAX_QUERY) : NULL;
    free(folded);
    free(scrubbed);
    return cut;
}

/* The tag that tells this client apart from others today: a salted hash
 * of its address, the salt drawn anew for every day. The address is the
 * peer's, or, when the peer is a trusted proxy, the last one its
 * X-Forwarded-For names (what the proxy saw). 0 when unknown. */
static uint64_t client_tag(struct insights_log *log, int day, const struct sockaddr *sa,
                           const char *forwarded_for)
{
    addr a = {0};
    if (sa && sa->sa_family == AF_INET) {
        memcpy(a.b, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        a.len = 4;
    } else if (sa && sa->sa_family == AF_INET6) {
        memcpy(a.b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        a.len = 16;
    }
    if (!a.len)
        return 0;
    for (size_t i = 0; i < log->n_proxies && forwarded_for; i++)
        if (log->proxies[i].len == a.len && memcmp(log->proxies[i].b, a.b, a.len) == 0) {
            const char *last = strrchr(forwarded_for, ',');
            last = last ? last + 1 : forwarded_for;
            addr client;
            if (addr_parse(last, strlen(last), &client) == 0)
                a = client;
            break;
        }
    pthread_mutex_lock(&log->lock);
    if (log->salt_day != day) {
        if (getrandom(log->salt, sizeof log->salt, 0) != (ssize_t)sizeof log->salt) {
            /* No entropy: a fresh but guessable salt still changes daily. */
            double t = api_now();
            memcpy(log->salt, &t, sizeof t);
        }
        log->salt_day = day;
    }
    uint64_t tag = api_salted_tag(log->salt, sizeof log->salt, a.b, a.len);
    pthread_mutex_unlock(&log->lock);
    return tag;
}

/* The library a search was made for, or "". */
static const char *library_of(const vp_search_request *sr)
{
    if (sr->n_values[VP_FIELD_LIBRARY] == 1 && lib_ok(sr->values[VP_FIELD_LIBRARY][0]))
        return sr->values[VP_FIELD_LIBRARY][0];
    if (sr->prefer_library && lib_ok(sr->prefer_library))
        return sr->prefer_library;
    return "";
}

void api_insights_log(api_request *req, const vp_search_request *sr, const vp_search_result *res,
                      const char *campaign, char qid[17])
{
    const char **shown = res->n_hits ? malloc(res->n_hits * sizeof *shown) : NULL;
    size_t n = shown ? res->n_hits : 0;
    for (size_t i = 0; i < n; i++)
        shown[i] = json_string_value(json_object_get(res->hits[i].doc, "proposition"));
    api_insights_log_shown(req, sr, res, shown, n, campaign, qid);
    free(shown);
}

void api_insights_log_shown(api_request *req, const vp_search_request *sr,
                            const vp_search_result *res, const char *const *shown, size_t n_shown,
                            const char *campaign, char qid[17])
{
    api_random_id(qid);
    struct insights_log *log = api_state_insights(req->state);
    if (!log)
        return;
    char *q = normalise(sr->q);
    event *e = calloc(1, sizeof *e);
    incr ops[MAX_OPS];
    if (!q || !e) {
        free(q);
        free(e);
        return;
    }
    int day = vp_nl_day(api_clock(req));
    const char *lib = library_of(sr);
    int zero = res->total == 0;
    /* Nothing only because of a filter: without one of them it finds something. */
    int by_filter = zero && res->relaxed >= 0 && res->relaxed_total > 0;
    snprintf(e->query, sizeof e->query, "%s", q);
    e->day = day;
    e->client = client_tag(log, day, req->client, req->forwarded_for);
    size_t n = 0;
    char ns[MAX_LIB + 24], key[VP_STORE_MAX_KEY + 1];
    snprintf(ns, sizeof ns, "id:%d", day);
    add(ops, &n, MAX_OPS, ns, "n", 1);
    if (zero)
        add(ops, &n, MAX_OPS, ns, "z", 1);
    if (by_filter)
        add(ops, &n, MAX_OPS, ns, "zf", 1);
    /* How many it found, in four sizes. */
    add(ops, &n, MAX_OPS, ns,
        res->total == 0 ? "r:0" : res->total < 10 ? "r:1-9" : res->total < 100 ? "r:10-99" : "r:100+",
        1);
    if (*lib) {
        snprintf(key, sizeof key, "n:%s", lib);
        add(ops, &n, MAX_OPS, ns, key, 1);
        if (zero) {
            snprintf(key, sizeof key, "z:%s", lib);
            add(ops, &n, MAX_OPS, ns, key, 1);
        }
        if (by_filter) {
            snprintf(key, sizeof key, "zf:%s", lib);
            add(ops, &n, MAX_OPS, ns, key, 1);
        }
    }
    if (*q) {
        for (int per_lib = 0; per_lib <= (*lib != 0); per_lib++) {
            const char *suffix = per_lib ? lib : NULL;
            snprintf(ns, sizeof ns, "iq:%d%s%s", day, suffix ? ":" : "", suffix ? suffix : "");
            add(ops, &n, MAX_OPS, ns, q, 1);
            /* Per query only what the offering lacks: a search that found
             * nothing only because of a filter counts in zf above. */
            if (zero && !by_filter) {
                snprintf(ns, sizeof ns, "iz:%d%s%s", day, suffix ? ":" : "", suffix ? suffix : "");
                add(ops, &n, MAX_OPS, ns, q, 1);
            }
        }
    }
    /* Filters used (their values only when short: they are controlled). */
    snprintf(ns, sizeof ns, "if:%d", day);
    for (int f = 0; f < VP_FIELD_COUNT; f++)
        for (size_t i = 0; i < sr->n_values[f] && i < 5; i++)
            if (strlen(sr->values[f][i]) <= MAX_VALUE) {
                snprintf(key, sizeof key, "%s=%s", vp_field_name((vp_field)f), sr->values[f][i]);
                add(ops, &n, MAX_OPS, ns, key, 1);
            }
    if (sr->has_near)
        add(ops, &n, MAX_OPS, ns, "near", 1);
    if (sr->from_day || sr->to_day)
        add(ops, &n, MAX_OPS, ns, "dates", 1);
    if (sr->sort != VP_SORT_RELEVANCE)
        add(ops, &n, MAX_OPS, ns, sr->sort == VP_SORT_DATE ? "sort=date" : "sort=distance", 1);
    if (campaign && *campaign) {
        snprintf(key, sizeof key, "campaign=%.180s", campaign);
        add(ops, &n, MAX_OPS, ns, key, 1);
    }
    /* Results shown per proposition: the denominator of click-through. */
    snprintf(ns, sizeof ns, "ip:%d", day);
    for (size_t i = 0; i < n_shown; i++) {
        const char *p = shown[i];
        size_t len = p ? strlen(p) : 0;
        if (len && len <= 190 && strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-_") == len) {
            snprintf(key, sizeof key, "i:%s", p);
            add(ops, &n, MAX_OPS, ns, key, 1);
        }
    }
    /* The query id names the aggregate its clicks count for. */
    unsigned char d[SHA256_LEN];
    char text[16 + MAX_LIB + MAX_QUERY + 4];
    int tl = snprintf(text, sizeof text, "%d|%s|%s", day, lib, q);
    sha256(text, (size_t)tl, d);
    snprintf(e->key8, sizeof e->key8, "%02x%02x%02x%02x", d[0], d[1], d[2], d[3]);
    memcpy(qid + 8, e->key8, 9);
    snprintf(text, sizeof text, "%d\t%s\t%s", day, lib, q);
    e->record = strdup(text);
    e->kind = EV_OPS;
    e->packed = pack(ops, n, &e->by);
    e->n_ops = e->packed ? n : 0;
    free(q);
    enqueue(log, e);
}

void api_insights_signals(api_request *req, const vp_signal *events, size_t n)
{
    struct insights_log *log = api_state_insights(req->state);
    if (!log)
        return;
    int day = vp_nl_day(api_clock(req));
    for (size_t i = 0; i < n; i++) {
        const vp_signal *s = &events[i];
        if (s->kind != VP_SIGNAL_CLICK || !s->offering)
            continue;
        event *e = calloc(1, sizeof *e);
        if (!e)
            return;
        e->kind = EV_CLICK;
        e->day = day;
        if (s->query_id && strlen(s->query_id) == 16 &&
            strspn(s->query_id, "0123456789abcdef") == 16)
            memcpy(e->qid, s->query_id, 17);
        if (s->segment)
            snprintf(e->segment, sizeof e->segment, "%s", s->segment);
        /* The proposition counts for click-through only from a search. */
        json_t *doc = NULL;
        if (e->qid[0] && req->index &&
            vp_index_get_doc(req->index, s->offering, &doc, NULL) == VP_OK) {
            const char *p = json_string_value(json_object_get(doc, "proposition"));
            if (p && strlen(p) <= 190)
                snprintf(e->prop, sizeof e->prop, "%s", p);
            json_decref(doc);
        }
        if (!e->qid[0] && !e->segment[0]) {
            free(e);
            continue;
        }
        enqueue(log, e);
    }
}

/* A utm value as a key part: at most 40 bytes, no '|' or control bytes. */
static void utm_part(char *out, size_t cap, const char *v)
{
    size_t o = 0;
    for (size_t i = 0; v && v[i] && o + 1 < cap && i < 40; i++) {
        unsigned char c = (unsigned char)v[i];
        out[o++] = c < 0x20 || c == '|' || c == 0x7f ? '_' : (char)c;
    }
    /* Do not leave half a UTF-8 character at the end. */
    if (v && strlen(v) > 40)
        while (o && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
            o--;
    if (o && ((unsigned char)out[o - 1] & 0xC0) == 0xC0)
        o--;
    out[o] = '\0';
}

void api_insights_campaign(api_request *req, const char *slug, const char *kind,
                           const char *utm_source, const char *utm_medium,
                           const char *utm_campaign)
{
    vp_store *store = req->cfg->store;
    if (!store || !slug || !api_slug_ok(slug))
        return;
    char key[VP_STORE_MAX_KEY + 1];
    snprintf(key, sizeof key, "%s:%s", slug, kind);
    vp_store_count(store, "campaign", key, 1, NULL);
    if ((utm_source && *utm_source) || (utm_medium && *utm_medium) ||
        (utm_campaign && *utm_campaign)) {
        char s[48], m[48], c[48];
        utm_part(s, sizeof s, utm_source);
        utm_part(m, sizeof m, utm_medium);
        utm_part(c, sizeof c, utm_campaign);
        snprintf(key, sizeof key, "%s|%s|%s|%s:%s", slug, s, m, c, kind);
        vp_store_count(store, "campaign-utm", key, 1, NULL);
    }
}

/* ---- reading the counters ---- */

typedef struct tally {
    char *key;
    double a, b, c;   /* searches, zero results, clicked (or what a report says) */
} tally;

typedef struct tallies {
    tally *t;
    size_t n, alloc;
    size_t *slots;     /* open addressing: index + 1, 0 empty; 2 * alloc of them */
} tallies;

/* The tally of `key`, NULL when there is none (before sorting only). */
static tally *tally_find(const tallies *ts, const char *key)
{
    if (ts->slots) {
        size_t mask = 2 * ts->alloc - 1;
        for (size_t i = hash_of(key) & mask; ts->slots[i]; i = (i + 1) & mask)
            if (strcmp(ts->t[ts->slots[i] - 1].key, key) == 0)
                return &ts->t[ts->slots[i] - 1];
    }
    return NULL;
}

static tally *tally_get(tallies *ts, const char *key)
{
    tally *found = tally_find(ts, key);
    if (found)
        return found;
    if (ts->n == ts->alloc) {
        size_t na = ts->alloc ? ts->alloc * 2 : 64;
        tally *p = realloc(ts->t, na * sizeof *p);
        if (!p)
            return NULL;
        ts->t = p;
        size_t *slots = calloc(2 * na, sizeof *slots);
        if (!slots)
            return NULL;
        free(ts->slots);
        ts->slots = slots;
        ts->alloc = na;
        for (size_t k = 0; k < ts->n; k++) {
            size_t i = hash_of(ts->t[k].key) & (2 * na - 1);
            while (slots[i])
                i = (i + 1) & (2 * na - 1);
            slots[i] = k + 1;
        }
    }
    tally *t = &ts->t[ts->n];
    t->key = strdup(key);
    if (!t->key)
        return NULL;
    t->a = t->b = t->c = 0;
    size_t mask = 2 * ts->alloc - 1, i = hash_of(key) & mask;
    while (ts->slots[i])
        i = (i + 1) & mask;
    ts->slots[i] = ++ts->n;
    return t;
}

/* Sorting invalidates the hash slots: after it only read t[0..n). */
static void tallies_sort(tallies *ts, int (*cmp)(const void *, const void *))
{
    free(ts->slots);
    ts->slots = NULL;
    if (ts->n > 1)
        qsort(ts->t, ts->n, sizeof *ts->t, cmp);
}

static void tallies_free(tallies *ts)
{
    for (size_t i = 0; i < ts->n; i++)
        free(ts->t[i].key);
    free(ts->t);
    free(ts->slots);
    memset(ts, 0, sizeof *ts);
}

/* Adds every counter of `ns` into field `which` (0 a, 1 b, 2 c) of `ts`,
 * for keys starting with `prefix` (stripped). */
static vp_status read_ns(vp_store *store, const char *ns, const char *prefix, int which,
                         tallies *ts)
{
    vp_scored *c = NULL;
    size_t n = 0;
    vp_status st = vp_store_counters(store, ns, &c, &n, NULL);
    if (st != VP_OK)
        return st;
    size_t pl = prefix ? strlen(prefix) : 0;
    for (size_t i = 0; i < n; i++) {
        if (pl && strncmp(c[i].key, prefix, pl) != 0)
            continue;
        tally *t = tally_get(ts, c[i].key + pl);
        if (!t) {
            st = VP_ERR_NOMEM;
            break;
        }
        (&t->a)[which] += c[i].score;
    }
    vp_scored_free(c, n);
    return st;
}

typedef struct window {
    int days;
    int day[MAX_DAYS];   /* oldest first */
    const char *library;
    const char *kind;
    unsigned limit;
    int csv;
} window;

/* Adds up "NS:D" (with library: "NS:D:LIB") of every day D of the window
 * into `ts`, as read_ns does. */
static vp_status read_days(vp_store *store, const window *w, const char *ns, const char *library,
                           const char *prefix, int which, tallies *ts)
{
    vp_status st = VP_OK;
    for (int i = 0; i < w->days && st == VP_OK; i++) {
        char name[MAX_LIB + 24];
        snprintf(name, sizeof name, "%s:%d%s%s", ns, w->day[i], library ? ":" : "",
                 library ? library : "");
        st = read_ns(store, name, prefix, which, ts);
    }
    return st;
}

/* A parameter that is a whole number from 1 to `max` into *out, left
 * alone when the parameter is absent or empty; -1 when it is not one. */
static int whole_number(const char *s, long max, long *out)
{
    if (!s || !*s)
        return 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || s[0] < '0' || s[0] > '9' || v < 1 || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Reads days, library, kind, limit and format as `allowed` ("dlkf") lists. */
static int window_of(api_request *req, api_reply *r, const char *allowed, window *w)
{
    int twice = 0;
    memset(w, 0, sizeof *w);
    const char *days = strchr(allowed, 'd') ? api_param_take(req->params, "days", &twice) : NULL;
    w->library = strchr(allowed, 'l') ? api_param_take(req->params, "library", &twice) : NULL;
    w->kind = strchr(allowed, 'k') ? api_param_take(req->params, "kind", &twice) : NULL;
    const char *limit = strchr(allowed, 'k') ? api_param_take(req->params, "limit", &twice) : NULL;
    const char *format = api_param_take(req->params, "format", &twice);
    if (api_reject_unused(req->params, r) != 0)
        return -1;
    if (twice) {
        api_error(r, 400, "invalid_parameter", "each parameter may be given once", NULL);
        return -1;
    }
    long v = 30;
    if (whole_number(days, MAX_DAYS, &v) != 0) {
        api_error(r, 400, "invalid_parameter", "days: a whole number from 1 to 366", "days");
        return -1;
    }
    w->days = (int)v;
    if (w->library && !*w->library)
        w->library = NULL;
    if (w->library && !lib_ok(w->library)) {
        api_error(r, 400, "invalid_parameter", "library: must be a library id", "library");
        return -1;
    }
    if (strchr(allowed, 'k')) {
        if (!w->kind || !*w->kind)
            w->kind = "top";
        if (strcmp(w->kind, "top") != 0 && strcmp(w->kind, "zero") != 0) {
            api_error(r, 400, "invalid_parameter", "kind: top or zero", "kind");
            return -1;
        }
        v = 20;
        if (whole_number(limit, MAX_LIMIT, &v) != 0) {
            api_error(r, 400, "invalid_parameter", "limit: a whole number from 1 to 10000",
                      "limit");
            return -1;
        }
        w->limit = (unsigned)v;
    }
    if (format && *format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
        api_error(r, 400, "invalid_parameter", "format: json or csv", "format");
        return -1;
    }
    w->csv = format && strcmp(format, "csv") == 0;
    if (!req->cfg->store) {
        api_error(r, 503, "unavailable", "this server keeps no query log (no store)", NULL);
        return -1;
    }
    int64_t today = vp_day_to_epoch(vp_nl_day(api_clock(req)));
    for (int i = 0; i < w->days; i++)
        w->day[i] = vp_day_from_epoch(today - (w->days - 1 - i));
    api_insights_flush(api_state_insights(req->state));
    return 0;
}

static unsigned min_clients_of(const api_request *req)
{
    const struct insights_log *log = api_state_insights(req->state);
    return log ? log->min_clients : VP_QUERY_MIN_CLIENTS_DEFAULT;
}

static json_t *date_json(int ymd)
{
    char s[16];
    snprintf(s, sizeof s, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
    return json_string(s);
}

static double ratio(double part, double whole)
{
    return whole > 0 ? round(part / whole * 1000) / 1000 : 0;
}

static void store_error(api_reply *r, vp_status st)
{
    if (st == VP_ERR_TOO_BIG)
        api_error(r, 503, "unavailable", "too many distinct counters to report; ask for fewer days",
                  NULL);
    else
        api_error(r, 503, "unavailable", "the store is unavailable; try again later", NULL);
}

/* ---- CSV ---- */

/* One field: quoted when it must be; a leading = + - @ gets a ' so that a
 * spreadsheet never runs query text as a formula. */
static void csv_field(vp_buf *b, const char *s, int last)
{
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    int guard = strchr("=+-@\t", s[0]) && s[0];
    if (quote)
        vp_buf_puts(b, "\"");
    if (guard)
        vp_buf_puts(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            vp_buf_puts(b, "\"\"");
        else
            vp_buf_append(b, p, 1);
    }
    if (quote)
        vp_buf_puts(b, "\"");
    vp_buf_puts(b, last ? "\r\n" : ",");
}

static void csv_num(vp_buf *b, double v, int last)
{
    if (v == floor(v) && fabs(v) < 1e15)
        vp_buf_printf(b, "%.0f%s", v, last ? "\r\n" : ",");
    else
        vp_buf_printf(b, "%.4g%s", v, last ? "\r\n" : ",");
}

/* A JSON array of flat objects as CSV with `cols` (NULL-terminated). */
static void reply_csv(api_reply *r, json_t *rows, const char *const *cols, const char *name)
{
    vp_buf b;
    vp_buf_init(&b, CSV_CAP);
    for (size_t c = 0; cols[c]; c++)
        csv_field(&b, cols[c], !cols[c + 1]);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        for (size_t c = 0; cols[c]; c++) {
            json_t *v = json_object_get(row, cols[c]);
            int last = !cols[c + 1];
            if (json_is_number(v))
                csv_num(&b, json_number_value(v), last);
            else
                csv_field(&b, json_is_string(v) ? json_string_value(v) : "", last);
        }
    }
    vp_status st = api_reply_buf(r, 200, &b, "text/csv; charset=utf-8; header=present", "no-cache");
    vp_buf_free(&b);
    if (st != VP_OK)
        return;
    char disp[128];
    snprintf(disp, sizeof disp, "attachment; filename=\"vindplaats-%s.csv\"", name);
    st = api_reply_header(r, "Content-Disposition", disp);
    if (st != VP_OK)
        api_status_error(r, st, "too many reply headers");
}

static void reply_json(api_reply *r, json_t *j)
{
    api_reply_json(r, j, "no-cache");
}

/* ---- the reports ---- */

static int cmp_top(const void *a, const void *b)
{
    const tally *x = a, *y = b;
    if (x->a != y->a)
        return x->a > y->a ? -1 : 1;
    return strcmp(x->key, y->key);
}

static int cmp_zero(const void *a, const void *b)
{
    const tally *x = a, *y = b;
    if (x->b != y->b)
        return x->b > y->b ? -1 : 1;
    return cmp_top(a, b);
}

/* Totals of the window: searches, zero results, clicked, zero results
 * only because of a filter (per library). */
static vp_status totals(vp_store *store, const window *w, double out[4], json_t *per_day)
{
    out[0] = out[1] = out[2] = out[3] = 0;
    for (int i = 0; i < w->days; i++) {
        char ns[32], k[4][MAX_LIB + 4];
        static const char *const names[4] = {"n", "z", "c", "zf"};
        snprintf(ns, sizeof ns, "id:%d", w->day[i]);
        for (int f = 0; f < 4; f++)
            snprintf(k[f], sizeof k[f], "%s%s%s", names[f], w->library ? ":" : "",
                     w->library ? w->library : "");
        vp_scored *c = NULL;
        size_t n = 0;
        vp_status st = vp_store_counters(store, ns, &c, &n, NULL);
        if (st != VP_OK)
            return st;
        static const char *const sizes[4] = {"r:0", "r:1-9", "r:10-99", "r:100+"};
        double v[4] = {0, 0, 0, 0}, sz[4] = {0, 0, 0, 0};
        for (size_t j = 0; j < n; j++) {
            for (int f = 0; f < 4; f++)
                if (strcmp(c[j].key, k[f]) == 0)
                    v[f] = c[j].score;
            for (int f = 0; f < 4 && !w->library; f++)
                if (strcmp(c[j].key, sizes[f]) == 0)
                    sz[f] = c[j].score;
        }
        vp_scored_free(c, n);
        for (int f = 0; f < 4; f++)
            out[f] += v[f];
        if (per_day) {
            json_t *d = json_pack("{s:o, s:f, s:f, s:f, s:f}", "date", date_json(w->day[i]),
                                  "searches", v[0], "zero_results", v[1], "zero_by_filters",
                                  v[3], "clicked", v[2]);
            /* Result sizes are kept for the whole network only. */
            if (d && !w->library) {
                json_object_set_new(d, "results_1_9", json_real(sz[1]));
                json_object_set_new(d, "results_10_99", json_real(sz[2]));
                json_object_set_new(d, "results_100_plus", json_real(sz[3]));
            }
            json_array_append_new(per_day, d);
        }
    }
    return VP_OK;
}

static json_t *window_json(const window *w)
{
    return json_pack("{s:i, s:o, s:o, s:s?}", "days", w->days, "from", date_json(w->day[0]),
                     "to", date_json(w->day[w->days - 1]), "library", w->library);
}

static json_t *as_ints(json_t *o)
{
    /* Counters are doubles in the store; whole numbers read better. */
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
            strcmp(k, "click_through") != 0)
            json_object_set_new(o, k, json_integer((json_int_t)json_real_value(v)));
    }
    return o;
}

/* A report: built from the counters of a window (or, for campaigns, of all
 * time); NULL with *st set when the store fails. */
typedef json_t *report_fn(api_request *req, const window *w, vp_status *st);

/* Reads the window (`allowed` as for window_of) and builds the report;
 * NULL when it has replied with the error. */
static json_t *report_of(api_request *req, api_reply *r, const char *allowed, report_fn *build,
                         window *w)
{
    if (window_of(req, r, allowed, w) != 0)
        return NULL;
    vp_status st = VP_OK;
    json_t *j = build(req, w, &st);
    if (!j)
        store_error(r, st);
    return j;
}

/* Replies with report `j` (stolen): as JSON, or as CSV of its member
 * `list` with `cols`, in a file vindplaats-NAME.csv. */
static void reply_report(api_reply *r, const window *w, json_t *j, const char *list,
                         const char *const *cols, const char *name)
{
    if (w->csv) {
        reply_csv(r, json_object_get(j, list), cols, name);
        json_decref(j);
    } else {
        reply_json(r, j);
    }
}

/* The window's dates with `list` (stolen) as member `name`. */
static json_t *window_report(const window *w, const char *name, json_t *list)
{
    json_t *out = window_json(w);
    json_object_set_new(out, name, list);
    return out;
}

/* Queries whose text may be shown: those that min_clients different
 * clients searched on one day of the window (ik:D, for the whole network;
 * the texts of others are not stored, but a store written by an older
 * version may hold some). The searches of all the others add up into
 * "other_queries": the totals less what is listed. */
static json_t *queries_report(api_request *req, const window *w, vp_status *st)
{
    vp_store *store = req->cfg->store;
    tallies ts = {0}, shown = {0};
    *st = read_days(store, w, "ik", NULL, NULL, 0, &shown);
    static const char *const prefixes[3] = {"iq", "iz", "ic"};
    for (int f = 0; f < 3 && *st == VP_OK; f++)
        *st = read_days(store, w, prefixes[f], w->library, NULL, f, &ts);
    double tot[4];
    if (*st == VP_OK)
        *st = totals(store, w, tot, NULL);
    if (*st != VP_OK) {
        tallies_free(&ts);
        tallies_free(&shown);
        return NULL;
    }
    /* Set the hidden ones apart (marked by a NaN in c) before sorting. */
    double other[3] = {tot[0], tot[1], tot[2]};
    for (size_t i = 0; i < ts.n; i++) {
        if (tally_find(&shown, ts.t[i].key)) {
            other[0] -= ts.t[i].a;
            other[1] -= ts.t[i].b;
            other[2] -= ts.t[i].c;
            continue;
        }
        ts.t[i].a = ts.t[i].b = 0;
        ts.t[i].c = NAN;
    }
    for (int f = 0; f < 3; f++)
        other[f] = other[f] > 0 ? other[f] : 0;
    tallies_free(&shown);
    int zero = strcmp(w->kind, "zero") == 0;
    tallies_sort(&ts, zero ? cmp_zero : cmp_top);
    json_t *list = json_array();
    for (size_t i = 0; i < ts.n && json_array_size(list) < w->limit; i++) {
        if (isnan(ts.t[i].c))
            continue;
        if (zero && ts.t[i].b <= 0)
            break;
        json_array_append_new(list, as_ints(json_pack("{s:s, s:f, s:f, s:f, s:f}", "query",
                                                      ts.t[i].key, "searches", ts.t[i].a,
                                                      "zero_results", ts.t[i].b, "clicked",
                                                      ts.t[i].c, "click_through",
                                                      ratio(ts.t[i].c, ts.t[i].a))));
    }
    tallies_free(&ts);
    json_t *out = window_json(w);
    json_object_set_new(out, "kind", json_string(w->kind));
    json_object_set_new(out, "totals",
                        as_ints(json_pack("{s:f, s:f, s:f, s:f}", "searches", tot[0],
                                          "zero_results", tot[1], "clicked", tot[2],
                                          "click_through", ratio(tot[2], tot[0]))));
    json_object_set_new(out, "queries", list);
    json_object_set_new(out, "min_clients", json_integer(min_clients_of(req)));
    json_object_set_new(out, "other_queries",
                        as_ints(json_pack("{s:f, s:f, s:f}", "searches", other[0],
                                          "zero_results", other[1], "clicked", other[2])));
    return out;
}

void api_handle_insights_queries(api_request *req, api_reply *r)
{
    static const char *const cols[] = {"query", "searches", "zero_results", "clicked",
                                       "click_through", NULL};
    window w;
    json_t *j = report_of(req, r, "dlk", queries_report, &w);
    if (j)
        reply_report(r, &w, j, "queries", cols,
                     strcmp(w.kind, "zero") == 0 ? "zero-queries" : "top-queries");
}

static json_t *days_report(api_request *req, const window *w, vp_status *st)
{
    json_t *list = json_array();
    double tot[4];
    *st = totals(req->cfg->store, w, tot, list);
    if (*st != VP_OK) {
        json_decref(list);
        return NULL;
    }
    size_t i;
    json_t *d;
    json_array_foreach(list, i, d) {
        as_ints(d);
    }
    json_t *out = window_json(w);
    json_object_set_new(out, "totals",
                        as_ints(json_pack("{s:f, s:f, s:f, s:f, s:f}", "searches", tot[0],
                                          "zero_results", tot[1], "zero_by_filters", tot[3],
                                          "clicked", tot[2],
                                          "click_through", ratio(tot[2], tot[0]))));
    json_object_set_new(out, "per_day", list);
    return out;
}

void api_handle_insights_days(api_request *req, api_reply *r)
{
    static const char *const cols[] = {"date", "searches", "zero_results", "zero_by_filters",
                                       "clicked", "results_1_9", "results_10_99",
                                       "results_100_plus", NULL};
    /* Result sizes are kept for the whole network only. */
    static const char *const lib_cols[] = {"date", "searches", "zero_results",
                                           "zero_by_filters", "clicked", NULL};
    window w;
    json_t *j = report_of(req, r, "dl", days_report, &w);
    if (j)
        reply_report(r, &w, j, "per_day", w.library ? lib_cols : cols, "days");
}

/* A report of one namespace of days: its counters added up over the
 * window, most first, one row a key. */
typedef struct daily {
    const char *ns;
    const char *prefix[2];   /* the keys counted into a and b (b: none when NULL) */
    const char *list;        /* the member of the report that holds the rows */
    json_t *(*row)(api_request *req, tally *t);
} daily;

static json_t *daily_report(api_request *req, const window *w, const daily *d, vp_status *st)
{
    tallies ts = {0};
    *st = read_days(req->cfg->store, w, d->ns, NULL, d->prefix[0], 0, &ts);
    if (*st == VP_OK && d->prefix[1])
        *st = read_days(req->cfg->store, w, d->ns, NULL, d->prefix[1], 1, &ts);
    if (*st != VP_OK) {
        tallies_free(&ts);
        return NULL;
    }
    tallies_sort(&ts, cmp_top);
    json_t *list = json_array();
    for (size_t i = 0; i < ts.n; i++)
        json_array_append_new(list, as_ints(d->row(req, &ts.t[i])));
    tallies_free(&ts);
    return window_report(w, d->list, list);
}

/* Builds the report and replies with it; CSV in vindplaats-LIST.csv. */
static void serve_daily(api_request *req, api_reply *r, report_fn *build, const char *list,
                        const char *const *cols)
{
    window w;
    json_t *j = report_of(req, r, "d", build, &w);
    if (j)
        reply_report(r, &w, j, list, cols, list);
}

static json_t *proposition_row(api_request *req, tally *t)
{
    const vp_proposition *p = vp_vocabulary_get(req->voc, t->key);
    return json_pack("{s:s, s:s?, s:s?, s:f, s:f, s:f}", "id", t->key, "name",
                     p ? p->name : NULL, "societal_task", p ? p->societal_task : NULL,
                     "impressions", t->a, "clicks", t->b, "click_through", ratio(t->b, t->a));
}

static json_t *propositions_report(api_request *req, const window *w, vp_status *st)
{
    static const daily d = {"ip", {"i:", "k:"}, "propositions", proposition_row};
    return daily_report(req, w, &d, st);
}

void api_handle_insights_propositions(api_request *req, api_reply *r)
{
    static const char *const cols[] = {"id", "name", "societal_task", "impressions",
                                       "clicks", "click_through", NULL};
    serve_daily(req, r, propositions_report, "propositions", cols);
}

/* FIELD=VALUE, or a filter without a value (near, dates). */
static json_t *filter_row(api_request *req, tally *t)
{
    (void)req;
    char *eq = strchr(t->key, '=');
    if (eq)
        *eq = '\0';
    return json_pack("{s:s, s:s?, s:f}", "filter", t->key, "value", eq ? eq + 1 : NULL,
                     "searches", t->a);
}

static json_t *filters_report(api_request *req, const window *w, vp_status *st)
{
    static const daily d = {"if", {NULL, NULL}, "filters", filter_row};
    return daily_report(req, w, &d, st);
}

void api_handle_insights_filters(api_request *req, api_reply *r)
{
    static const char *const cols[] = {"filter", "value", "searches", NULL};
    serve_daily(req, r, filters_report, "filters", cols);
}

static json_t *segment_row(api_request *req, tally *t)
{
    const vp_segment *seg = vp_segments_get(req->cfg->segments, t->key);
    return json_pack("{s:s, s:s?, s:f}", "id", t->key, "name", seg ? seg->name : NULL, "clicks",
                     t->a);
}

static json_t *segments_report(api_request *req, const window *w, vp_status *st)
{
    static const daily d = {"is", {"c:", NULL}, "segments", segment_row};
    return daily_report(req, w, &d, st);
}

void api_handle_insights_segments(api_request *req, api_reply *r)
{
    static const char *const cols[] = {"id", "name", "clicks", NULL};
    serve_daily(req, r, segments_report, "segments", cols);
}

/* Splits "SLUG:KIND" / "SLUG|S|M|C:KIND"; kind index or -1. */
static int kind_of(char *key)
{
    char *colon = strrchr(key, ':');
    if (!colon)
        return -1;
    *colon = '\0';
    const char *k = colon + 1;
    return strcmp(k, "visit") == 0 ? 0 : strcmp(k, "search") == 0 ? 1 : strcmp(k, "click") == 0 ? 2 : -1;
}

/* Adds counters "KEY:KIND" into field KIND (kind_of) of tally KEY. */
static void add_kinds(tallies *ts, vp_scored *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int k = kind_of(c[i].key);
        tally *t = k >= 0 ? tally_get(ts, c[i].key) : NULL;
        if (t)
            (&t->a)[k] += c[i].score;
    }
}

/* Campaigns count over all time: the window is not used. */
static json_t *campaigns_report(api_request *req, const window *w, vp_status *st)
{
    (void)w;
    vp_store *store = req->cfg->store;
    vp_scored *c = NULL, *u = NULL;
    size_t n = 0, nu = 0;
    *st = vp_store_counters(store, "campaign", &c, &n, NULL);
    if (*st == VP_OK)
        *st = vp_store_counters(store, "campaign-utm", &u, &nu, NULL);
    if (*st != VP_OK) {
        vp_scored_free(c, n);
        return NULL;
    }
    tallies slugs = {0}, sources = {0};
    add_kinds(&slugs, c, n);
    /* Saved queries nobody visited yet are campaigns too. */
    char **keys = NULL;
    size_t nk = 0;
    if (vp_store_keys(store, "queries", &keys, &nk, NULL) == VP_OK) {
        for (size_t i = 0; i < nk; i++) {
            tally_get(&slugs, keys[i]);
            free(keys[i]);
        }
        free(keys);
    }
    add_kinds(&sources, u, nu);
    vp_scored_free(c, n);
    vp_scored_free(u, nu);
    tallies_sort(&slugs, cmp_top);
    tallies_sort(&sources, cmp_top);
    json_t *list = json_array();
    for (size_t i = 0; i < slugs.n; i++) {
        const char *slug = slugs.t[i].key;
        json_t *o = as_ints(json_pack("{s:s, s:f, s:f, s:f, s:f}", "slug", slug, "visits",
                                      slugs.t[i].a, "searches", slugs.t[i].b, "clicks",
                                      slugs.t[i].c, "click_through",
                                      ratio(slugs.t[i].c, slugs.t[i].a)));
        json_t *sum = api_campaign_summary(req, slug);
        json_object_update(o, sum);
        json_decref(sum);
        json_t *srcs = json_array();
        size_t sl = strlen(slug);
        for (size_t k = 0; k < sources.n; k++) {
            const char *key = sources.t[k].key;
            if (strncmp(key, slug, sl) != 0 || key[sl] != '|')
                continue;
            char parts[3][64] = {"", "", ""};
            const char *p = key + sl + 1;
            for (int f = 0; f < 3; f++) {
                size_t m = strcspn(p, "|");
                snprintf(parts[f], sizeof parts[f], "%.*s", (int)(m < 63 ? m : 63), p);
                p += m + (p[m] == '|');
            }
            json_array_append_new(srcs, as_ints(json_pack(
                                            "{s:s, s:s, s:s, s:f, s:f, s:f}", "utm_source",
                                            parts[0], "utm_medium", parts[1], "utm_campaign",
                                            parts[2], "visits", sources.t[k].a, "searches",
                                            sources.t[k].b, "clicks", sources.t[k].c)));
        }
        json_object_set_new(o, "sources", srcs);
        json_array_append_new(list, o);
    }
    tallies_free(&slugs);
    tallies_free(&sources);
    return json_pack("{s:o}", "campaigns", list);
}

void api_handle_insights_campaigns(api_request *req, api_reply *r)
{
    window w;
    json_t *j = report_of(req, r, "", campaigns_report, &w);
    if (!j)
        return;
    if (!w.csv) {
        reply_json(r, j);
        return;
    }
    /* One row per campaign (scope "total") and per utm source of it. */
    json_t *rows = json_array();
    size_t i, k;
    json_t *c, *s;
    json_array_foreach(json_object_get(j, "campaigns"), i, c) {
        json_t *row = json_deep_copy(c);
        json_object_del(row, "sources");
        json_object_set_new(row, "scope", json_string("total"));
        json_array_append_new(rows, row);
        json_array_foreach(json_object_get(c, "sources"), k, s) {
            json_t *src = json_deep_copy(s);
            json_object_set_new(src, "slug", json_incref(json_object_get(c, "slug")));
            json_object_set_new(src, "scope", json_string("source"));
            json_array_append_new(rows, src);
        }
    }
    static const char *const cols[] = {"slug", "scope", "utm_source", "utm_medium", "utm_campaign",
                                       "visits", "searches", "clicks", NULL};
    reply_csv(r, rows, cols, "campaigns");
    json_decref(rows);
    json_decref(j);
}

/* ---- the staff page: charts drawn as inline SVG ----
 * The page is insights.html; here the charts' geometry is worked out into
 * its view model (every coordinate as text, so the template only places
 * it). */

/* A number as text, for the view model. */
static json_t *num1(double v)
{
    char t[48];
    snprintf(t, sizeof t, "%.1f", v);
    return json_string(t);
}

/* 12.345 with a point between thousands, as Dutch readers expect. */
static void nl_number(vp_buf *b, double v)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", v);
    size_t n = strlen(digits);
    for (size_t i = 0; i < n; i++) {
        vp_buf_append(b, &digits[i], 1);
        if (digits[0] != '-' && (n - 1 - i) % 3 == 0 && i + 1 < n)
            vp_buf_puts(b, ".");
    }
}

static json_t *nl_number_json(double v)
{
    vp_buf b;
    vp_buf_init(&b, 64);
    nl_number(&b, v);
    json_t *s = json_string(b.data ? b.data : "0");
    vp_buf_free(&b);
    return s;
}

static json_t *percent_json(double r)
{
    char t[32];
    snprintf(t, sizeof t, "%.0f%%", r * 100);
    return json_string(t);
}

/* A label cut for the picture (the title holds all of it). */
static json_t *cut_label(const char *l)
{
    char cut[40];
    size_t ln = l ? strlen(l) : 0;
    if (ln <= 30)
        return json_string(l ? l : "");
    size_t m = 28;
    while (m && ((unsigned char)l[m] & 0xC0) == 0x80)
        m--;
    snprintf(cut, sizeof cut, "%.*s…", (int)m, l);
    return json_string(cut);
}

#define BLUE "#0b5394"
#define ORANGE "#b34700"
#define GREEN "#2e7d32"

/* Horizontal bars: one row per item, label left, value right. */
typedef struct bar {
    const char *label;
    double value;       /* bar length */
    const char *text;   /* shown after the bar */
} bar;

static json_t *hbars(const char *id, const char *title, const char *desc, const bar *bars,
                     size_t n, double max, const char *color)
{
    const int row = 28, label_w = 270, bar_w = 260, width = 760;
    int height = (int)(n ? n : 1) * row + 10;
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++) {
        int y = (int)i * row + 4;
        double w = max > 0 ? bars[i].value / max * bar_w : 0;
        if (bars[i].value > 0 && w < 2)
            w = 2;
        const char *l = bars[i].label ? bars[i].label : "";
        json_array_append_new(rows, json_pack("{s:i, s:i, s:o, s:s, s:i, s:i, s:o, s:i, s:s, s:o}",
                                              "label_x", label_w - 8, "text_y", y + 17, "label",
                                              cut_label(l), "full_label", l, "bar_x", label_w,
                                              "bar_y", y + 3, "bar_w", num1(w), "bar_h", row - 10,
                                              "text", bars[i].text ? bars[i].text : "",
                                              "text_x", num1(label_w + w + 6)));
    }
    return json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:b, s:o}", "id", id, "title", title, "desc",
                     desc, "width", width, "height", height, "color", color, "empty", n == 0,
                     "rows", rows);
}

/* Columns per day: all searches, and the part that found nothing. */
static json_t *day_chart(json_t *per_day)
{
    size_t n = json_array_size(per_day);
    const int width = 760, height = 260, left = 50, bottom = 40, top = 20;
    double max = 0;
    size_t i;
    json_t *d;
    json_array_foreach(per_day, i, d) {
        double v = json_number_value(json_object_get(d, "searches"));
        if (v > max)
            max = v;
    }
    double scale_max = max > 0 ? max : 1;
    double slot = n ? (double)(width - left - 10) / (double)n : 1;
    double bw = slot * 0.7;
    int plot_h = height - top - bottom;
    json_t *first = json_array_get(per_day, 0), *last = json_array_get(per_day, n ? n - 1 : 0);
    vp_buf desc;
    vp_buf_init(&desc, 1024);
    vp_buf_puts(&desc, "Aantal zoekopdrachten per dag van ");
    const char *from = json_string_value(json_object_get(first, "date"));
    const char *until = json_string_value(json_object_get(last, "date"));
    vp_buf_puts(&desc, from ? from : "");
    vp_buf_puts(&desc, " tot en met ");
    vp_buf_puts(&desc, until ? until : "");
    vp_buf_puts(&desc, "; in oranje het deel dat niets vond. Het meeste op één dag: ");
    nl_number(&desc, max);
    vp_buf_puts(&desc, ".");
    size_t every = n > 14 ? (n + 6) / 7 : 1;
    json_t *bars = json_array();
    json_array_foreach(per_day, i, d) {
        double v = json_number_value(json_object_get(d, "searches"));
        double z = json_number_value(json_object_get(d, "zero_results"));
        double x = left + 5 + (double)i * slot;
        double hv = v / scale_max * plot_h, hz = z / scale_max * plot_h;
        const char *date = json_string_value(json_object_get(d, "date"));
        vp_buf t;
        vp_buf_init(&t, 256);
        vp_buf_puts(&t, date ? date : "");
        vp_buf_puts(&t, ": ");
        nl_number(&t, v);
        vp_buf_puts(&t, " zoekopdrachten, ");
        nl_number(&t, z);
        vp_buf_puts(&t, " zonder resultaat");
        json_t *col = json_pack("{s:o, s:o, s:o, s:o, s:s}", "x", num1(x), "y",
                                num1(top + plot_h - hv), "w", num1(bw), "h", num1(hv), "title",
                                t.data ? t.data : "");
        vp_buf_free(&t);
        if (col && z > 0)
            json_object_set_new(col, "zero", json_pack("{s:o, s:o}", "y", num1(top + plot_h - hz),
                                                       "h", num1(hz)));
        if (col && (i % every == 0 || i + 1 == n)) {
            /* "12-01" is enough under a bar */
            char day[8] = "";
            if (date && strlen(date) == 10)
                snprintf(day, sizeof day, "%.2s-%.2s", date + 8, date + 5);
            json_object_set_new(col, "label", json_pack("{s:o, s:i, s:s}", "x", num1(x + bw / 2),
                                                        "y", top + plot_h + 18, "text", day));
        }
        json_array_append_new(bars, col);
    }
    json_t *c = json_pack("{s:i, s:i, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:i, s:i, s:o}",
                          "width", width, "height", height, "desc", desc.data ? desc.data : "",
                          "left", left, "top", top, "base", top + plot_h, "right", width - 5,
                          "tick_x", left - 6, "max_y", top + 4, "max_text", nl_number_json(max),
                          "zero_y", top + plot_h + 4, "key_y", height - 14, "bars", bars);
    vp_buf_free(&desc);
    if (c) {
        json_object_set_new(c, "key_text_y", json_integer(height - 4));
        json_object_set_new(c, "key_all_x", json_integer(left + 18));
        json_object_set_new(c, "key_zero_x", json_integer(left + 180));
        json_object_set_new(c, "key_zero_text_x", json_integer(left + 198));
    }
    return c;
}

/* Three bars per campaign: visits, searches, clicks. */
static json_t *campaign_chart(json_t *list)
{
    size_t n = json_array_size(list);
    if (n > 15)
        n = 15;
    const int group = 3 * 18 + 14, label_w = 270, bar_w = 300, width = 760;
    int height = (int)(n ? n : 1) * group + 36;
    static const char *const keys[] = {"visits", "searches", "clicks"};
    static const char *const names[] = {"bezoeken", "zoekopdrachten", "doorkliks"};
    static const char *const colors[] = {BLUE, GREEN, ORANGE};
    double max = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(list, i);
        for (int f = 0; f < 3; f++)
            if (json_number_value(json_object_get(c, keys[f])) > max)
                max = json_number_value(json_object_get(c, keys[f]));
    }
    json_t *groups = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(list, i);
        int y = (int)i * group + 4;
        const char *label = json_string_value(json_object_get(c, "title"));
        if (!label)
            label = json_string_value(json_object_get(c, "slug"));
        json_t *bars = json_array();
        for (int f = 0; f < 3; f++) {
            double v = json_number_value(json_object_get(c, keys[f]));
            double w = max > 0 ? v / max * bar_w : 0;
            if (v > 0 && w < 2)
                w = 2;
            int by = y + f * 18;
            vp_buf t;
            vp_buf_init(&t, 128);
            nl_number(&t, v);
            vp_buf_printf(&t, " %s", names[f]);
            json_array_append_new(bars, json_pack("{s:i, s:o, s:s, s:s, s:o, s:i}", "y", by + 2,
                                                  "w", num1(w), "color", colors[f], "text",
                                                  t.data ? t.data : "", "text_x",
                                                  num1(label_w + w + 6), "text_y", by + 14));
            vp_buf_free(&t);
        }
        json_array_append_new(groups, json_pack("{s:i, s:o, s:o}", "label_y", y + 30, "label",
                                                cut_label(label), "bars", bars));
    }
    return json_pack("{s:i, s:i, s:i, s:i, s:b, s:o}", "width", width, "height", height,
                     "label_x", label_w - 8, "bar_x", label_w, "empty", n == 0, "groups", groups);
}

/* The CSV form of a report with the page's window, as a link. */
static json_t *csv_link(const char *path, const window *w, const char *what)
{
    vp_buf b;
    vp_buf_init(&b, 1024);
    vp_buf_puts(&b, path);
    vp_buf_printf(&b, "%sformat=csv&days=%d", strchr(path, '?') ? "&" : "?", w->days);
    vp_status st = VP_OK;
    if (w->library) {
        vp_buf_adds(&b, &st, "&library=");
        if (st == VP_OK)
            st = api_buf_url(&b, w->library, 0);
    }
    json_t *o = json_pack("{s:s, s:s}", "href", st == VP_OK && b.data ? b.data : path, "what",
                          what);
    vp_buf_free(&b);
    return o;
}

/* The top or zero-result queries as bars. */
static json_t *query_bars(json_t *list, int zero)
{
    size_t n = json_array_size(list);
    bar bars[10];
    char texts[10][96];
    double max = 0;
    for (size_t i = 0; i < n && i < 10; i++) {
        json_t *q = json_array_get(list, i);
        double v = json_number_value(json_object_get(q, zero ? "zero_results" : "searches"));
        double ct = json_number_value(json_object_get(q, "click_through"));
        bars[i].label = json_string_value(json_object_get(q, "query"));
        bars[i].value = v;
        if (zero)
            snprintf(texts[i], sizeof texts[i], "%.0f× niets gevonden", v);
        else
            snprintf(texts[i], sizeof texts[i], "%.0f× gezocht, %.0f%% klikte door", v, ct * 100);
        bars[i].text = texts[i];
        if (v > max)
            max = v;
    }
    if (zero)
        return hbars("niets", "Zoekwoorden zonder resultaat in het aanbod",
                     "De tien zoekwoorden die het vaakst niets vonden, met hoe vaak.", bars,
                     n < 10 ? n : 10, max, ORANGE);
    return hbars("top", "Meest gezocht",
                 "De tien vaakst gezochte zoekwoorden met hoe vaak ze gezocht zijn en welk deel "
                 "doorklikte naar een resultaat.",
                 bars, n < 10 ? n : 10, max, BLUE);
}

/* Click-through by proposition. */
static json_t *proposition_bars(json_t *props)
{
    json_t *pl = json_object_get(props, "propositions");
    size_t np = json_array_size(pl);
    bar pbars[24];
    char ptexts[24][96];
    size_t pn = 0;
    for (size_t i = 0; i < np && pn < 24; i++) {
        json_t *p = json_array_get(pl, i);
        double imp = json_number_value(json_object_get(p, "impressions"));
        double clicks = json_number_value(json_object_get(p, "clicks"));
        if (imp <= 0)
            continue;
        const char *name = json_string_value(json_object_get(p, "name"));
        pbars[pn].label = name ? name : json_string_value(json_object_get(p, "id"));
        pbars[pn].value = clicks / imp;
        snprintf(ptexts[pn], sizeof ptexts[pn], "%.0f%% (%.0f van %.0f getoond)",
                 clicks / imp * 100, clicks, imp);
        pbars[pn].text = ptexts[pn];
        pn++;
    }
    return hbars("doorklik", "Doorklikken per aanbod",
                 "Per soort aanbod: welk deel van de keren dat het getoond werd, er op geklikt is.",
                 pbars, pn, 1.0, GREEN);
}

/* The form's choices: the periods and the network's libraries. */
static void choices(json_t *v, const api_request *req, const window *w)
{
    static const int periods[] = {7, 30, 90, 365};
    json_t *ps = json_array(), *libs = json_array();
    for (size_t i = 0; i < 4; i++)
        json_array_append_new(ps, json_pack("{s:i, s:b}", "days", periods[i], "selected",
                                            periods[i] == w->days));
    for (size_t i = 0; i < vp_network_count(req->cfg->network); i++) {
        const vp_library_info *li = vp_network_at(req->cfg->network, i);
        json_array_append_new(libs, json_pack("{s:s, s:s, s:b}", "id", li->id, "name", li->name,
                                              "selected",
                                              w->library && strcmp(w->library, li->id) == 0));
    }
    json_object_set_new(v, "periods", ps);
    json_object_set_new(v, "libraries", libs);
}

static json_t *insights_view(api_request *req, const window *w, const window *pw, json_t *days,
                             json_t *top, json_t *zero, json_t *props, json_t *camps)
{
    json_t *view = api_page_view(req, "Wat zoeken inwoners?", NULL, NULL);
    api_page_robots(view, "noindex");
    json_t *v = json_object();
    if (!view || !v || json_object_set_new(view, "insights", v) != 0) {
        json_decref(view);
        return NULL;
    }
    json_t *t = json_object_get(days, "totals");
    double searches = json_number_value(json_object_get(t, "searches"));
    double zeros = json_number_value(json_object_get(t, "zero_results"));
    double by_filters = json_number_value(json_object_get(t, "zero_by_filters"));
    double clicked = json_number_value(json_object_get(t, "clicked"));
    json_object_set_new(v, "days", json_integer(w->days));
    if (w->library) {
        const vp_library_info *li = vp_network_get(req->cfg->network, w->library);
        json_object_set_new(v, "library_name", json_string(li ? li->name : w->library));
    }
    json_object_set_new(v, "searches", nl_number_json(searches));
    if (searches > 0)
        json_object_set_new(v, "shares",
                            json_pack("{s:o, s:o, s:o, s:o}", "zero", percent_json(zeros / searches),
                                      "zero_offer", percent_json((zeros - by_filters) / searches),
                                      "zero_filters", percent_json(by_filters / searches),
                                      "clicked", percent_json(clicked / searches)));
    choices(v, req, w);
    json_object_set_new(v, "day_chart", day_chart(json_object_get(days, "per_day")));
    json_object_set_new(v, "days_csv", csv_link("/v1/insights/days", w, "Per dag"));
    json_object_set_new(v, "top_chart", query_bars(json_object_get(top, "queries"), 0));
    json_object_set_new(v, "top_csv",
                        csv_link("/v1/insights/queries?kind=top", w, "De meest gezochte woorden"));
    json_object_set_new(v, "min_clients", json_integer(min_clients_of(req)));
    double hidden = json_number_value(json_object_get(json_object_get(top, "other_queries"),
                                                      "searches"));
    if (hidden > 0) {
        vp_buf b;
        vp_buf_init(&b, 128);
        nl_number(&b, hidden);
        vp_buf_puts(&b, hidden == 1 ? " zoekopdracht" : " zoekopdrachten");
        json_object_set_new(v, "hidden", json_string(b.data ? b.data : ""));
        vp_buf_free(&b);
    }
    json_object_set_new(v, "zero_chart", query_bars(json_object_get(zero, "queries"), 1));
    json_object_set_new(v, "zero_csv", csv_link("/v1/insights/queries?kind=zero", w,
                                                "De woorden zonder resultaat in het aanbod"));
    json_object_set_new(v, "props_chart", proposition_bars(props));
    json_object_set_new(v, "props_csv", csv_link("/v1/insights/propositions", pw,
                                                 "Doorklikken per aanbod"));
    json_object_set_new(v, "camp_chart", campaign_chart(json_object_get(camps, "campaigns")));
    return view;
}

void api_handle_insights_page(api_request *req, api_reply *r)
{
    window w;
    if (window_of(req, r, "dl", &w) != 0)
        return;
    vp_status st = VP_OK;
    window tw = w;
    tw.kind = "top";
    tw.limit = 10;
    window zw = tw;
    zw.kind = "zero";
    json_t *days = days_report(req, &w, &st);
    json_t *top = days ? queries_report(req, &tw, &st) : NULL;
    json_t *zero = top ? queries_report(req, &zw, &st) : NULL;
    window pw = w;
    pw.library = NULL;
    json_t *props = zero ? propositions_report(req, &pw, &st) : NULL;
    json_t *camps = props ? campaigns_report(req, &w, &st) : NULL;
    if (!camps) {
        json_decref(days);
        json_decref(top);
        json_decref(zero);
        json_decref(props);
        store_error(r, st);
        return;
    }
    json_t *view = insights_view(req, &w, &pw, days, top, zero, props, camps);
    r->cache_control = "private, no-store";
    api_render(r, req, 200, "insights", view);
    json_decref(view);
    json_decref(days);
    json_decref(top);
    json_decref(zero);
    json_decref(props);
    json_decref(camps);
}
