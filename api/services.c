/* services.c - the service map: which library offers which proposition,
 * under which local name, where and when next. /v1/propositions,
 * /v1/propositions/{id}/libraries, /v1/libraries, /v1/libraries/{id} and
 * the /services page.
 *
 * The map comes from the index (what is on offer now: past offerings do
 * not count) and the network file (names and branches of the libraries):
 *   1. one search over everything with facets per proposition and library;
 *   2. per proposition one search with the library facet (exact counts);
 *   3. per proposition and library one search of the 50 soonest offerings,
 *      whose local names, branches and next dates the map shows.
 * That is a few hundred searches (11.7 s at 1,000,000 offerings), so it is
 * never built on a request's time: a builder thread of its own, with an
 * index handle of its own, builds the map when the server starts and again
 * when the index has a new revision (and the map is a minute old, so an
 * indexer committing often does not keep it busy) or the map is an hour
 * old; it looks every few seconds. Requests answer from the map there is,
 * the previous one while a new one is built. Before the first map exists a
 * request waits for it at most WAIT_S, then answers 503 with Retry-After
 * (so a cold start at 1,000,000 offerings never holds a worker for long).
 * A snapshot is never changed once built: requests read it without the
 * lock and copy what they answer with, and the last reader frees an old
 * one. Lookups are counted for /metrics (services_cache_counts). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "site.h"
#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "vindplaats/suggest.h"

#define MAX_AGE_S 3600.0
#define MIN_REBUILD_S 60.0   /* a new index revision waits this long for a rebuild */
#define POLL_S 5.0           /* how often the builder looks at the index's revision */
#define WAIT_S 2.0           /* the longest a request waits for the first map */
#define RETRY_AFTER "5"      /* seconds, in the 503 before the first map */
#define SAMPLE 50            /* offerings looked at per proposition and library */
#define NEXT_DATES 3

typedef struct snapshot {
    json_t *data;            /* {"propositions": [...], "libraries": [...]} */
    uint64_t revision;
    double built;
    int refs;                /* readers, plus 1 while it is the current one */
} snapshot;

struct services_cache {
    pthread_mutex_t lock;    /* guards cur, refs, stop, error */
    pthread_cond_t changed;  /* a map was published, or the builder is to stop */
    snapshot *cur;
    int stop;
    char *error;             /* why the last build failed (malloc()ed); NULL when it did not */
    const vp_server_config *cfg;
    char *index_path;
    pthread_t builder;
    int running;
    /* Per request that could read the map: a hit found a map at once (the
     * current one, also while a newer one is built); a miss found none yet
     * and waited for the first, or was answered 503. */
    _Atomic uint64_t hits, misses;
    _Atomic int stopping;    /* stop, for the build's loops without the lock */
    unsigned delay_ms;       /* tests: the builder sleeps this long before each build */
};

static void release(struct services_cache *c, snapshot *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&c->lock);
    int last = --s->refs == 0;
    pthread_mutex_unlock(&c->lock);
    if (last) {
        json_decref(s->data);
        free(s);
    }
}

void services_cache_counts(struct services_cache *c, uint64_t *hits, uint64_t *misses)
{
    *hits = c ? atomic_load_explicit(&c->hits, memory_order_relaxed) : 0;
    *misses = c ? atomic_load_explicit(&c->misses, memory_order_relaxed) : 0;
}

static void *builder(void *arg);

struct services_cache *services_cache_create(const vp_server_config *cfg)
{
    struct services_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->changed, NULL);
    c->cfg = cfg;
    /* A test hook: a slow build without an index of a million offerings. */
    const char *delay = getenv("VINDPLAATS_SERVICES_BUILD_DELAY_MS");
    c->delay_ms = delay ? (unsigned)strtoul(delay, NULL, 10) : 0;
    c->index_path = cfg && cfg->index_path ? strdup(cfg->index_path) : NULL;
    if (c->index_path && pthread_create(&c->builder, NULL, builder, c) == 0)
        c->running = 1;
    if (!c->running) {
        services_cache_destroy(c);
        return NULL;
    }
    return c;
}

void services_cache_destroy(struct services_cache *c)
{
    if (!c)
        return;
    if (c->running) {
        pthread_mutex_lock(&c->lock);
        c->stop = 1;
        atomic_store(&c->stopping, 1);
        pthread_cond_broadcast(&c->changed);
        pthread_mutex_unlock(&c->lock);
        pthread_join(c->builder, NULL);
    }
    if (c->cur)
        release(c, c->cur);
    free(c->error);
    free(c->index_path);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->changed);
    free(c);
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The member of `list` whose "id" is `id`, NULL when there is none. */
static json_t *by_id(json_t *list, const char *id)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) {
        const char *oid = jstr(o, "id");
        if (oid && strcmp(oid, id) == 0)
            return o;
    }
    return NULL;
}

static vp_status search(api_request *req, const char *prop, const char *lib, unsigned facets,
                        unsigned per_page, vp_sort sort, vp_search_result **res)
{
    vp_search_request sr = {.page = 1, .per_page = per_page, .facets = facets, .sort = sort};
    const char *p[1] = {prop}, *l[1] = {lib};
    api_search_filter(&sr, VP_FIELD_PROPOSITION, p);
    api_search_filter(&sr, VP_FIELD_LIBRARY, l);
    return api_search_run(req, &sr, res, NULL);
}

static uint64_t facet_count(const vp_search_result *res, vp_field f, const char *value)
{
    for (size_t i = 0; i < res->n_facets[f]; i++)
        if (strcmp(res->facets[f][i].value, value) == 0)
            return res->facets[f][i].count;
    return 0;
}

/* Adds `name` to a list of {name, count}, keeping it sorted by count. */
static void tally_name(json_t *list, const char *name)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) {
        if (strcmp(jstr(o, "name"), name) == 0) {
            json_object_set_new(o, "count",
                                json_integer(json_integer_value(json_object_get(o, "count")) + 1));
            while (i > 0 && json_integer_value(json_object_get(json_array_get(list, i - 1), "count")) <
                                json_integer_value(json_object_get(o, "count"))) {
                json_t *prev = json_incref(json_array_get(list, i - 1));
                json_array_set(list, i - 1, o);
                json_array_set_new(list, i, prev);
                i--;
            }
            return;
        }
    }
    json_array_append_new(list, json_pack("{s:s, s:i}", "name", name, "count", 1));
}

static const char *library_name(api_request *req, const char *id, json_t *seen_names)
{
    const vp_library_info *li = vp_network_get(req->cfg->network, id);
    if (li)
        return li->name;
    const char *n = jstr(seen_names, id);
    return n ? n : id;
}

/* What one proposition looks like at one library (step 3). */
static json_t *at_library(api_request *req, const char *prop, const char *lib, uint64_t count,
                          json_t *seen_names, vp_status *st)
{
    vp_search_result *res = NULL;
    *st = search(req, prop, lib, 0, SAMPLE, VP_SORT_DATE, &res);
    if (*st != VP_OK)
        return NULL;
    json_t *names = json_array(), *branches = json_object(), *next = json_array();
    int64_t now = api_clock(req);
    for (size_t i = 0; i < res->n_hits; i++) {
        json_t *r = api_hit_json(&res->hits[i], 0, req->voc, now);
        if (!r)
            continue;
        const char *ln = jstr(r, "local_name");
        tally_name(names, ln ? ln : json_string_value(json_object_get(r, "proposition_name"))
                                        ? jstr(r, "proposition_name")
                                        : prop);
        const char *b = jstr(r, "branch");
        if (b && !json_object_get(branches, b)) {
            const vp_branch_info *bi = vp_network_branch(req->cfg->network, b, NULL);
            json_object_set_new(branches, b,
                                json_pack("{s:s, s:s, s:s?}", "id", b, "name",
                                          bi ? bi->name : jstr(r, "branch_name") ? jstr(r, "branch_name") : b,
                                          "municipality",
                                          bi && bi->municipality ? bi->municipality
                                                                 : jstr(r, "municipality")));
        }
        if (jstr(r, "library_name") && !json_object_get(seen_names, lib))
            json_object_set_new(seen_names, lib, json_string(jstr(r, "library_name")));
        json_t *nx = json_object_get(r, "next");
        if (json_is_object(nx) && json_array_size(next) < NEXT_DATES)
            json_array_append_new(next, json_pack("{s:O, s:O, s:s, s:s?, s:s?}", "start",
                                                  json_object_get(nx, "start"), "end",
                                                  json_object_get(nx, "end"), "offering",
                                                  res->hits[i].id, "title", jstr(r, "title"),
                                                  "branch", b));
        json_decref(r);
    }
    vp_search_result_destroy(res);
    json_t *local = json_array(), *blist = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(names, i, o) {
        json_array_append(local, json_object_get(o, "name"));
    }
    json_decref(names);
    const char *k;
    json_object_foreach(branches, k, o) {
        json_array_append(blist, o);
    }
    json_decref(branches);
    return json_pack("{s:s, s:s, s:I, s:o, s:o, s:o}", "id", lib, "name",
                     library_name(req, lib, seen_names), "offerings", (json_int_t)count,
                     "local_names", local, "branches", blist, "next", next);
}

static json_t *branches_json(const vp_library_info *li)
{
    json_t *list = json_array();
    for (size_t i = 0; li && i < li->n_branches; i++) {
        const vp_branch_info *b = &li->branches[i];
        json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "id", b->id, "name", b->name,
                              "municipality", b->municipality, "province", b->province,
                              "postcode", b->postcode);
        if (o && b->has_location)
            json_object_set_new(o, "location", json_pack("{s:f, s:f}", "lat", b->lat, "lon", b->lon));
        json_array_append_new(list, o);
    }
    return list;
}

/* The map from the index behind `req`; NULL with *st set when it fails
 * or the server stops meanwhile. */
static json_t *build(api_request *req, struct services_cache *c, vp_status *st)
{
    vp_search_result *all = NULL;
    *st = search(req, NULL, NULL, (1u << VP_FIELD_PROPOSITION) | (1u << VP_FIELD_LIBRARY), 1,
                 VP_SORT_RELEVANCE, &all);
    if (*st != VP_OK)
        return NULL;
    json_t *props = json_array(), *libs = json_object(), *seen_names = json_object();
    /* Every library of the network, also those that offer nothing now. */
    for (size_t i = 0; i < vp_network_count(req->cfg->network); i++) {
        const vp_library_info *li = vp_network_at(req->cfg->network, i);
        json_object_set_new(libs, li->id, json_pack("{s:s, s:s, s:o, s:I, s:o}", "id", li->id,
                                                    "name", li->name, "branches", branches_json(li),
                                                    "offerings", (json_int_t)0, "propositions",
                                                    json_array()));
    }
    for (size_t i = 0; i < all->n_facets[VP_FIELD_LIBRARY]; i++) {
        const vp_facet_value *f = &all->facets[VP_FIELD_LIBRARY][i];
        json_t *o = json_object_get(libs, f->value);
        if (!o) {
            o = json_pack("{s:s, s:s, s:o, s:I, s:o}", "id", f->value, "name", f->value,
                          "branches", json_array(), "offerings", (json_int_t)0, "propositions",
                          json_array());
            json_object_set_new(libs, f->value, o);
        }
        json_object_set_new(o, "offerings", json_integer((json_int_t)f->count));
    }
    for (size_t i = 0; i < vp_vocabulary_count(req->voc) && *st == VP_OK; i++) {
        if (atomic_load(&c->stopping)) {
            *st = VP_ERR_INTERNAL;
            break;
        }
        const vp_proposition *p = vp_vocabulary_at(req->voc, i);
        uint64_t count = facet_count(all, VP_FIELD_PROPOSITION, p->id);
        json_t *at = json_array();
        if (count > 0) {
            vp_search_result *per = NULL;
            *st = search(req, p->id, NULL, 1u << VP_FIELD_LIBRARY, 1, VP_SORT_RELEVANCE, &per);
            for (size_t k = 0; *st == VP_OK && k < per->n_facets[VP_FIELD_LIBRARY] &&
                               !atomic_load(&c->stopping);
                 k++) {
                const vp_facet_value *f = &per->facets[VP_FIELD_LIBRARY][k];
                json_t *one = at_library(req, p->id, f->value, f->count, seen_names, st);
                if (one)
                    json_array_append_new(at, one);
            }
            vp_search_result_destroy(per);
        }
        json_array_append_new(props, json_pack("{s:s, s:s, s:s, s:I, s:o}", "id", p->id, "name",
                                               p->name, "societal_task", p->societal_task,
                                               "offerings", (json_int_t)count, "libraries", at));
    }
    vp_search_result_destroy(all);
    if (*st != VP_OK) {
        json_decref(props);
        json_decref(libs);
        json_decref(seen_names);
        return NULL;
    }
    /* The libraries' side: what each offers, by proposition. */
    size_t i, k;
    json_t *p, *l;
    json_array_foreach(props, i, p) {
        json_array_foreach(json_object_get(p, "libraries"), k, l) {
            json_t *lib = json_object_get(libs, jstr(l, "id"));
            if (!lib)
                continue;
            if (!vp_network_get(req->cfg->network, jstr(l, "id")))
                json_object_set_new(lib, "name", json_string(jstr(l, "name")));
            json_array_append_new(json_object_get(lib, "propositions"),
                                  json_pack("{s:O, s:O, s:O, s:O, s:O}", "id",
                                            json_object_get(p, "id"), "name",
                                            json_object_get(p, "name"), "societal_task",
                                            json_object_get(p, "societal_task"), "local_names",
                                            json_object_get(l, "local_names"), "offerings",
                                            json_object_get(l, "offerings")));
        }
    }
    /* Libraries sorted by name. */
    json_t *list = json_array();
    const char *key;
    json_object_foreach(libs, key, l) {
        size_t pos = json_array_size(list);
        while (pos > 0 && strcmp(jstr(json_array_get(list, pos - 1), "name"), jstr(l, "name")) > 0)
            pos--;
        json_array_insert(list, pos, l);
    }
    json_decref(libs);
    json_decref(seen_names);
    return json_pack("{s:o, s:o}", "propositions", props, "libraries", list);
}

/* 1 when `s` needs no rebuild at `revision`. */
static int fresh(const snapshot *s, uint64_t revision)
{
    if (!s)
        return 0;
    double age = api_now() - s->built;
    return s->revision == revision ? age < MAX_AGE_S : age < MIN_REBUILD_S;
}

/* The CLOCK_REALTIME moment `seconds` from now, for pthread_cond_timedwait. */
static struct timespec deadline_in(double seconds)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    double t = (double)until.tv_sec + until.tv_nsec / 1e9 + seconds;
    until.tv_sec = (time_t)t;
    until.tv_nsec = (long)((t - (double)until.tv_sec) * 1e9);
    return until;
}

/* Waits on c->changed (lock held) until stop or `seconds` have passed. */
static void nap(struct services_cache *c, double seconds)
{
    struct timespec until = deadline_in(seconds);
    while (!c->stop && pthread_cond_timedwait(&c->changed, &c->lock, &until) == 0)
        ;
}

/* Keeps why a build failed with `st` (*err, may be empty, is cleared): its
 * message, for clients; the file read stays out, as in every reply. */
static void set_error(struct services_cache *c, vp_status st, vp_error *err)
{
    char msg[300];
    snprintf(msg, sizeof msg, "the service map cannot be built: %.250s",
             err->status != VP_OK && err->message ? err->message : vp_status_str(st));
    vp_error_clear(err);
    pthread_mutex_lock(&c->lock);
    free(c->error);
    c->error = strdup(msg);
    pthread_mutex_unlock(&c->lock);
}

/* The builder thread: opens its own index handle (Xapian handles are not
 * shared between threads), then every POLL_S looks at the revision and
 * builds a new map when the current one is not fresh. A failed open or
 * build is kept as the error requests see until the next try succeeds. */
static void *builder(void *arg)
{
    struct services_cache *c = arg;
    vp_index *idx = NULL;
    pthread_mutex_lock(&c->lock);
    while (!c->stop) {
        pthread_mutex_unlock(&c->lock);
        vp_error err = VP_ERROR_INIT;
        vp_status st = VP_OK;
        uint64_t revision = 0;
        if (!idx) {
            st = vp_index_open(c->index_path, VP_INDEX_READ, c->cfg->vocabulary, &idx, &err);
            if (st == VP_OK)
                vp_index_set_lexicon(idx, c->cfg->lexicon);
            else
                idx = NULL;
        }
        if (st == VP_OK)
            st = vp_index_refresh(idx, &err);
        /* The completion table of a new version, before a suggestion asks. */
        if (st == VP_OK)
            vp_suggest_prepare(idx, NULL);
        if (st == VP_OK)
            st = vp_index_stats(idx, &revision, NULL, &err);
        pthread_mutex_lock(&c->lock);
        int stale = st == VP_OK && !fresh(c->cur, revision);
        if (stale && c->delay_ms)
            nap(c, c->delay_ms / 1000.0);
        pthread_mutex_unlock(&c->lock);
        if (stale && !atomic_load(&c->stopping)) {
            api_request req;
            memset(&req, 0, sizeof req);
            req.index = idx;
            req.voc = c->cfg->vocabulary;
            req.cfg = c->cfg;
            json_t *data = build(&req, c, &st);
            snapshot *n = data ? calloc(1, sizeof *n) : NULL;
            if (n) {
                n->data = data;
                n->revision = revision;
                n->built = api_now();
                n->refs = 1;
                pthread_mutex_lock(&c->lock);
                snapshot *old = c->cur;
                c->cur = n;
                free(c->error);
                c->error = NULL;
                pthread_cond_broadcast(&c->changed);
                pthread_mutex_unlock(&c->lock);
                release(c, old);
            } else {
                json_decref(data);
                if (st == VP_OK)
                    st = VP_ERR_NOMEM;
            }
        }
        if (st != VP_OK && !atomic_load(&c->stopping))
            set_error(c, st, &err);
        else
            vp_error_clear(&err);
        pthread_mutex_lock(&c->lock);
        nap(c, POLL_S);
    }
    pthread_mutex_unlock(&c->lock);
    vp_index_close(idx);
    return NULL;
}

/* Waits on c->changed (lock held) until a map or an error is there, the
 * builder stops, or `seconds` have passed. */
static void nap_until_map(struct services_cache *c, double seconds)
{
    struct timespec until = deadline_in(seconds);
    while (!c->cur && !c->error && !c->stop &&
           pthread_cond_timedwait(&c->changed, &c->lock, &until) == 0)
        ;
}

/* The current map (release it after use), or NULL with a 503 in `r`: no
 * map has been built yet within WAIT_S, or building it fails. */
static snapshot *acquire_or_reply(api_request *req, api_reply *r)
{
    if (api_reject_unused(req->params, r) != 0)
        return NULL;
    struct services_cache *c = api_state_services(req->state);
    pthread_mutex_lock(&c->lock);
    snapshot *s = c->cur;
    atomic_fetch_add_explicit(s ? &c->hits : &c->misses, 1, memory_order_relaxed);
    if (!s && !c->error)
        nap_until_map(c, WAIT_S);
    s = c->cur;
    if (s)
        s->refs++;
    char msg[300];
    snprintf(msg, sizeof msg, "%s",
             c->error ? c->error
                      : "the service map is being built (the server started a moment ago); "
                        "try again in a few seconds");
    pthread_mutex_unlock(&c->lock);
    if (!s) {
        api_error(r, 503, "unavailable", msg, NULL);
        vp_status st = api_reply_header(r, "Retry-After", RETRY_AFTER);
        if (st != VP_OK)
            api_status_error(r, st, "too many reply headers");
    }
    return s;
}

/* Where /services and /v1/libraries are narrowed to: a municipality and
 * a province of the network file's branches (each at most once; empty is
 * absent; letter case and accents do not count). */
typedef struct place_filter {
    const char *municipality;
    const char *province;
} place_filter;

/* Takes municipality and province from the request; -1 with a 400 reply
 * when one is given twice or is not UTF-8. */
static int take_place(api_request *req, place_filter *pf, api_reply *r)
{
    static const char *const keys[2] = {"municipality", "province"};
    const char *val[2] = {NULL, NULL};
    for (size_t i = 0; i < req->params->count; i++)
        for (int k = 0; k < 2; k++) {
            if (strcmp(req->params->items[i].key, keys[k]) != 0)
                continue;
            req->params->items[i].used = 1;
            if (!*req->params->items[i].value)
                continue;
            char msg[96];
            if (val[k]) {
                snprintf(msg, sizeof msg, "%s: give it once", keys[k]);
                api_error(r, 400, "invalid_parameter", msg, keys[k]);
                return -1;
            }
            val[k] = req->params->items[i].value;
            json_t *probe = json_string(val[k]);
            if (!probe || strlen(val[k]) > 200) {
                json_decref(probe);
                snprintf(msg, sizeof msg, "%s: a name of at most 200 bytes of UTF-8", keys[k]);
                api_error(r, 400, "invalid_parameter", msg, keys[k]);
                return -1;
            }
            json_decref(probe);
        }
    pf->municipality = val[0];
    pf->province = val[1];
    return 0;
}

/* The map, narrowed to the place the request asks for (take_place); NULL
 * when it has replied with the error (acquire_or_reply). */
static snapshot *acquire_in_place(api_request *req, place_filter *pf, api_reply *r)
{
    return take_place(req, pf, r) == 0 ? acquire_or_reply(req, r) : NULL;
}

/* 1 when `a` and `b` are the same name, letter case and accents aside. */
static int same_name(const char *a, const char *b)
{
    char *fa = a ? vp_text_fold(a, 1) : NULL, *fb = b ? vp_text_fold(b, 1) : NULL;
    int same = fa && fb && strcmp(fa, fb) == 0;
    free(fa);
    free(fb);
    return same;
}

/* 1 when library `l` (of the snapshot) has a branch in the place. */
static int in_place(json_t *l, const place_filter *pf)
{
    if (!pf->municipality && !pf->province)
        return 1;
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(l, "branches"), i, b) {
        if ((!pf->municipality || same_name(jstr(b, "municipality"), pf->municipality)) &&
            (!pf->province || same_name(jstr(b, "province"), pf->province)))
            return 1;
    }
    return 0;
}

static void answer(api_reply *r, json_t *j)
{
    api_reply_json(r, j, "public, max-age=300");
}

static const char *const TASKS[] = {"geletterdheid", "informatiesamenleving",
                                    "leven-lang-ontwikkelen", "cultuur"};

static json_t *tasks_json(json_t *props)
{
    json_t *list = json_array();
    for (size_t t = 0; t < 4; t++) {
        json_t *ids = json_array();
        size_t i;
        json_t *p;
        json_array_foreach(props, i, p) {
            if (strcmp(jstr(p, "societal_task"), TASKS[t]) == 0)
                json_array_append(ids, json_object_get(p, "id"));
        }
        json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "id", TASKS[t], "name",
                                              api_task_name(TASKS[t]), "propositions", ids));
    }
    return list;
}

void api_handle_propositions(api_request *req, api_reply *r)
{
    snapshot *s = acquire_or_reply(req, r);
    if (!s)
        return;
    json_t *props = json_object_get(s->data, "propositions");
    json_t *list = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(props, i, p) {
        json_array_append_new(list, json_pack("{s:O, s:O, s:O, s:I, s:I}", "id",
                                              json_object_get(p, "id"), "name",
                                              json_object_get(p, "name"), "societal_task",
                                              json_object_get(p, "societal_task"), "libraries",
                                              (json_int_t)json_array_size(json_object_get(p, "libraries")),
                                              "offerings",
                                              json_integer_value(json_object_get(p, "offerings"))));
    }
    answer(r, json_pack("{s:o, s:o}", "propositions", list, "societal_tasks", tasks_json(props)));
    release(api_state_services(req->state), s);
}

void api_handle_proposition_libraries(api_request *req, api_reply *r)
{
    const vp_proposition *prop = vp_vocabulary_get(req->voc, req->tail);
    if (!prop) {
        if (api_reject_unused(req->params, r) != 0)
            return;
        char msg[400];
        snprintf(msg, sizeof msg, "no proposition \"%.200s\" (see /v1/propositions)", req->tail);
        api_error(r, 404, "not_found", msg, NULL);
        return;
    }
    snapshot *s = acquire_or_reply(req, r);
    if (!s)
        return;
    json_t *found = by_id(json_object_get(s->data, "propositions"), prop->id);
    answer(r, json_pack("{s:{s:s, s:s, s:s}, s:I, s:o}", "proposition", "id", prop->id, "name",
                        prop->name, "societal_task", prop->societal_task, "offerings",
                        (json_int_t)json_integer_value(json_object_get(found, "offerings")),
                        "libraries",
                        found ? json_deep_copy(json_object_get(found, "libraries")) : json_array()));
    release(api_state_services(req->state), s);
}

void api_handle_libraries(api_request *req, api_reply *r)
{
    place_filter pf;
    snapshot *s = acquire_in_place(req, &pf, r);
    if (!s)
        return;
    json_t *list = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(s->data, "libraries"), i, l) {
        if (!in_place(l, &pf))
            continue;
        json_array_append_new(list, json_pack("{s:O, s:O, s:I, s:O, s:I}", "id",
                                              json_object_get(l, "id"), "name",
                                              json_object_get(l, "name"), "branches",
                                              (json_int_t)json_array_size(json_object_get(l, "branches")),
                                              "offerings", json_object_get(l, "offerings"),
                                              "propositions",
                                              (json_int_t)json_array_size(json_object_get(l, "propositions"))));
    }
    answer(r, json_pack("{s:o}", "libraries", list));
    release(api_state_services(req->state), s);
}

void api_handle_library(api_request *req, api_reply *r)
{
    snapshot *s = acquire_or_reply(req, r);
    if (!s)
        return;
    json_t *found = by_id(json_object_get(s->data, "libraries"), req->tail);
    if (!found) {
        char msg[400];
        snprintf(msg, sizeof msg, "no library \"%.200s\" (see /v1/libraries)", req->tail);
        api_error(r, 404, "not_found", msg, NULL);
    } else {
        json_t *o = json_deep_copy(found);
        /* The gaps: propositions of the vocabulary it does not offer now. */
        json_t *missing = json_array();
        for (size_t k = 0; k < vp_vocabulary_count(req->voc); k++) {
            const vp_proposition *p = vp_vocabulary_at(req->voc, k);
            if (!by_id(json_object_get(found, "propositions"), p->id))
                json_array_append_new(missing, json_string(p->id));
        }
        if (o)
            json_object_set_new(o, "not_offered", missing);
        else
            json_decref(missing);
        answer(r, o);
    }
    release(api_state_services(req->state), s);
}

/* The keys of `set`, sorted, as a JSON array of {"name", "selected"}; the
 * one equal to `selected` (letter case and accents aside) is selected.
 * NULL `selected`: none. */
static json_t *options(json_t *set, const char *selected)
{
    size_t n = json_object_size(set), k = 0;
    const char **keys = calloc(n + 1, sizeof *keys);
    const char *key;
    json_t *v;
    json_object_foreach(set, key, v) {
        if (!keys)
            break;
        size_t pos = k++;
        while (pos > 0 && strcmp(keys[pos - 1], key) > 0) {
            keys[pos] = keys[pos - 1];
            pos--;
        }
        keys[pos] = key;
    }
    json_t *out = json_array();
    for (size_t i = 0; keys && i < n; i++)
        json_array_append_new(out, json_pack("{s:s, s:b}", "name", keys[i], "selected",
                                             selected && same_name(keys[i], selected)));
    free(keys);
    return out;
}

/* The form that narrows the map: a municipality (with the network's
 * municipalities to choose from) and a province. */
static void place_form(json_t *v, json_t *libs, const place_filter *pf)
{
    json_t *municipalities = json_object(), *provinces = json_object();
    size_t i, k;
    json_t *l, *br;
    json_array_foreach(libs, i, l) {
        json_array_foreach(json_object_get(l, "branches"), k, br) {
            if (jstr(br, "municipality"))
                json_object_set_new(municipalities, jstr(br, "municipality"), json_true());
            if (jstr(br, "province"))
                json_object_set_new(provinces, jstr(br, "province"), json_true());
        }
    }
    if (pf->municipality)
        json_object_set_new(v, "municipality", json_string(pf->municipality));
    json_object_set_new(v, "municipalities", options(municipalities, NULL));
    json_object_set_new(v, "provinces", options(provinces, pf->province));
    json_decref(municipalities);
    json_decref(provinces);
}

/* One library's row: a cell per column (its local name and count, or not
 * offered) and how many of the columns it offers. */
static json_t *library_row(json_t *l, json_t *props, const size_t *order, size_t n)
{
    json_t *offered = json_object_get(l, "propositions");
    json_t *cells = json_array();
    size_t count = 0;
    for (size_t c = 0; c < n; c++) {
        const char *pid = jstr(json_array_get(props, order[c]), "id");
        json_t *hit = pid ? by_id(offered, pid) : NULL;
        if (!hit) {
            json_array_append_new(cells, json_pack("{s:b}", "yes", 0));
            continue;
        }
        count++;
        json_t *names = json_object_get(hit, "local_names");
        json_array_append_new(cells, json_pack("{s:b, s:s?, s:I}", "yes", 1, "local_name",
                                               json_string_value(json_array_get(names, 0)),
                                               "offerings",
                                               json_integer_value(json_object_get(hit, "offerings"))));
    }
    return json_pack("{s:s?, s:o, s:I}", "name", jstr(l, "name"), "cells", cells, "count",
                     (json_int_t)count);
}

void api_handle_services_page(api_request *req, api_reply *r)
{
    place_filter pf;
    snapshot *s = acquire_in_place(req, &pf, r);
    if (!s)
        return;
    json_t *props = json_object_get(s->data, "propositions");
    json_t *libs = json_object_get(s->data, "libraries");
    /* Columns: the propositions of each task in turn. */
    size_t np = json_array_size(props), order[256], n = 0, per_task[4] = {0, 0, 0, 0};
    for (size_t t = 0; t < 4; t++)
        for (size_t i = 0; i < np && n < 256; i++)
            if (strcmp(jstr(json_array_get(props, i), "societal_task"), TASKS[t]) == 0) {
                order[n++] = i;
                per_task[t]++;
            }
    json_t *view = api_page_view(req, "Welke bibliotheek biedt wat?", "/services",
                                 "Het aanbod van de openbare bibliotheken per bibliotheek en per "
                                 "soort aanbod, met de eigen namen die bibliotheken ervoor "
                                 "gebruiken.");
    json_t *v = json_pack("{s:I}", "of", (json_int_t)n);
    if (view && v && json_object_set(view, "services", v) == 0) {
        place_form(v, libs, &pf);
        vp_buf cap;
        vp_buf_init(&cap, 1024);
        vp_buf_puts(&cap, "Aanbod per bibliotheek");
        if (pf.municipality) {
            vp_buf_puts(&cap, " in gemeente ");
            vp_buf_puts(&cap, pf.municipality);
        }
        if (pf.province) {
            vp_buf_puts(&cap, pf.municipality ? " (provincie " : " in provincie ");
            vp_buf_puts(&cap, pf.province);
            vp_buf_puts(&cap, pf.municipality ? ")" : "");
        }
        json_object_set_new(v, "caption", json_string(cap.data ? cap.data : ""));
        vp_buf_free(&cap);
        json_t *tasks = json_array(), *columns = json_array(), *rows = json_array();
        for (size_t t = 0; t < 4; t++)
            if (per_task[t])
                json_array_append_new(tasks, json_pack("{s:s, s:I}", "name", api_task_name(TASKS[t]),
                                                       "span", (json_int_t)per_task[t]));
        for (size_t c = 0; c < n; c++) {
            json_t *p = json_array_get(props, order[c]);
            vp_buf href;
            vp_buf_init(&href, 1024);
            vp_status st = vp_buf_puts(&href, "/p/");
            if (st == VP_OK)
                st = api_buf_url(&href, jstr(p, "id"), 0);
            json_array_append_new(columns, json_pack("{s:s, s:s?}", "href",
                                                     st == VP_OK ? href.data : "", "name",
                                                     jstr(p, "name")));
            vp_buf_free(&href);
        }
        size_t i;
        json_t *l;
        json_array_foreach(libs, i, l) {
            if (in_place(l, &pf))
                json_array_append_new(rows, library_row(l, props, order, n));
        }
        json_object_set_new(v, "tasks", tasks);
        json_object_set_new(v, "columns", columns);
        json_object_set_new(v, "rows", rows);
    }
    json_decref(v);
    r->cache_control = "public, max-age=300";
    api_render(r, req, 200, "services", view);
    json_decref(view);
    release(api_state_services(req->state), s);
}
