/* harvest.c - running the sources into the index (harvest.h, harvest_run.h).
 *
 * Records a connector emits are normalised into a pending batch;
 * vp_run_checkpoint() writes the batch, the deletions and the source's
 * record ("harvest:NAME" metadata: its state, last harvest, counts, last
 * error) in one commit. OAI-PMH checkpoints after every page; a file-like
 * source (iCalendar, JSON-LD, feed, CSV) once, with everything it sent and
 * the removal of what it no longer lists, so it is harvested whole or not
 * at all; a snapshot that lost more than half of its records is refused
 * (check_shrink) unless the source allows it. */
#define _DEFAULT_SOURCE /* strcasecmp */
#include "harvest_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "vindplaats/buf.h"
#include "vindplaats/hash.h"
#include "vindplaats/load.h"
#include "vindplaats/csv.h"
#include "vindplaats/feed.h"
#include "vindplaats/filedir.h"
#include "vindplaats/ical.h"
#include "vindplaats/jsonld.h"
#include "vindplaats/marc.h"
#include "vindplaats/onix.h"

/* An offering waiting for the checkpoint, with the document it was made
 * of (vp_offering_from_json), which holdings that come apart from it are
 * merged into. The document is kept where the batch is one page (sources
 * harvested page by page, such as OAI-PMH); a snapshot's batch is the
 * whole source, and its connectors merge a record's holdings before they
 * emit it (the MARC file sends apart only the holdings of records it does
 * not hold). */
typedef struct pending_item {
    vp_offering *o;
    json_t *doc;   /* owned; NULL in a snapshot's batch */
} pending_item;

typedef struct pending {
    pending_item *items;
    size_t n, cap;
    char **deletes;
    size_t n_del, cap_del;
} pending;

/* A set of strings (the ids a snapshot source sent this time). */
typedef struct strset {
    char **slots;
    size_t cap, n;
} strset;

struct vp_harvest_run {
    const vp_source *src;
    vp_index *const *shards;
    size_t n_shards;
    vp_routing routing;       /* how offerings are spread over the shards */
    const vp_normaliser *norm;
    const vp_harvest_options *opt;
    vp_emit emit;
    json_t *state;
    const char *url;          /* the page being read */
    pending pend;
    strset seen;
    int track_seen;
    vp_harvest_stats *stats;
    double started, last_progress;
    vp_fetch_options fetch;   /* the run's, with the source's allowances and deadline */
    vp_status fatal;          /* out of memory, the index or the report failed in a callback */
    char fatal_msg[200];      /* why, when it was not out of memory */
    int incomplete;           /* a page broke off: the source is not whole */
};

static int strset_add(strset *s, const char *key)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        char **slots = calloc(cap, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i]) {
                size_t k = vp_hash_str(s->slots[i]) & (cap - 1);
                while (slots[k])
                    k = (k + 1) & (cap - 1);
                slots[k] = s->slots[i];
            }
        free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    size_t k = vp_hash_str(key) & (s->cap - 1);
    while (s->slots[k]) {
        if (strcmp(s->slots[k], key) == 0)
            return 0;
        k = (k + 1) & (s->cap - 1);
    }
    s->slots[k] = strdup(key);
    if (!s->slots[k])
        return -1;
    s->n++;
    return 0;
}

static int strset_has(const strset *s, const char *key)
{
    if (!s->cap)
        return 0;
    size_t k = vp_hash_str(key) & (s->cap - 1);
    while (s->slots[k]) {
        if (strcmp(s->slots[k], key) == 0)
            return 1;
        k = (k + 1) & (s->cap - 1);
    }
    return 0;
}

static void strset_free(strset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slots[i]);
    free(s->slots);
    memset(s, 0, sizeof *s);
}

static void pending_clear(pending *p)
{
    for (size_t i = 0; i < p->n; i++) {
        vp_offering_destroy(p->items[i].o);
        json_decref(p->items[i].doc);
    }
    for (size_t i = 0; i < p->n_del; i++)
        free(p->deletes[i]);
    p->n = p->n_del = 0;
}

static void pending_free(pending *p)
{
    pending_clear(p);
    free(p->items);
    free(p->deletes);
    memset(p, 0, sizeof *p);
}

/* --- reporting ---------------------------------------------------------- */

static void progress(vp_harvest_run *run, int final)
{
    if (!run->opt->progress)
        return;
    double t = vp_fetch_clock();
    if (!final && t - run->last_progress < 0.25)
        return;
    run->last_progress = t;
    double el = t - run->started;
    uint64_t recs = run->stats->added + run->stats->updated + run->stats->unchanged;
    fprintf(stderr, "\r%-24.24s %9llu records %8.0f/s %7.1f s%s", run->src->name,
            (unsigned long long)recs, el > 0 ? (double)recs / el : 0.0, el, final ? "\n" : "");
    fflush(stderr);
}

vp_status vp_run_report(vp_harvest_run *run, const char *where, const char *message)
{
    run->stats->rejected++;
    if (!run->opt->report)
        return VP_OK;
    if (run->opt->progress)
        fputc('\n', stderr);
    /* Every line of a multi-line message gets the full position. */
    const char *m = message ? message : "rejected";
    int bad = 0;
    do {
        size_t n = strcspn(m, "\n");
        bad |= fprintf(run->opt->report, "%s: %s: %s: %.*s\n", run->src->name,
                       run->url ? run->url : run->src->url, where ? where : "-", (int)n, m) < 0;
        m += n;
        if (*m == '\n')
            m++;
    } while (*m);
    if (bad || fflush(run->opt->report) != 0) {
        /* What the operator asked to see is lost: the source stops, as
         * when memory runs out. */
        if (!run->fatal) {
            run->fatal = VP_ERR_IO;
            snprintf(run->fatal_msg, sizeof run->fatal_msg, "the report cannot be written");
        }
        return VP_ERR_IO;
    }
    return VP_OK;
}

/* Reports with vp_run_report from a callback that cannot return a status:
 * a failure is kept in run->fatal, which stops the run. */
static void report(vp_harvest_run *run, const char *where, const char *message)
{
    (void)vp_run_report(run, where, message);
}

/* --- the emit ---------------------------------------------------------- */

static int add_holdings(json_t *fields, json_t *more);
static void report(vp_harvest_run *run, const char *where, const char *message);

static int on_record(void *ctx, const char *local_id, json_t *fields, const char *where)
{
    vp_harvest_run *run = ctx;
    if (run->fatal) {
        json_decref(fields);
        return 1;
    }
    run->stats->records++;
    /* holdings delivered apart from their record (marc.h), kept in the
     * source's state: added every time the record comes */
    json_t *held = local_id ? json_object_get(json_object_get(run->state, "holdings"), local_id) : NULL;
    if (held && json_is_object(fields)) {
        json_t *copy = json_deep_copy(held);
        if (!copy || vp_normalise_holdings(run->norm, json_object_get(fields, "holdings"), NULL) ||
            vp_normalise_holdings(run->norm, copy, NULL) || add_holdings(fields, copy)) {
            json_decref(copy);
            json_decref(fields);
            run->fatal = VP_ERR_NOMEM;
            return 1;
        }
        json_decref(copy);
    }
    vp_offering *o = NULL;
    vp_error why = VP_ERROR_INIT;
    vp_status st = json_is_object(fields) ? vp_normalise(run->norm, run->src, local_id, fields, &o, &why)
                                          : VP_ERR_INVALID;
    /* `fields` is now the offering's document (as stored). */
    json_t *doc = st == VP_OK && !run->track_seen ? fields : NULL;
    if (!doc)
        json_decref(fields);
    if (st == VP_ERR_NOMEM) {
        run->fatal = st;
        vp_error_clear(&why);
        return 1;
    }
    if (st != VP_OK) {
        char w[600];
        snprintf(w, sizeof w, "%s (%s)", where ? where : "record", local_id ? local_id : "no id");
        char *text = why.status != VP_OK ? vp_error_text(&why) : NULL;
        report(run, w, text ? text : "not an offering");
        free(text);
        vp_error_clear(&why);
        /* What the index holds of it stays: a record that went bad at the
         * source does not delete its last good version. */
        char *id = local_id && *local_id ? vp_normalise_id(run->src->name, local_id) : NULL;
        if (id && run->track_seen && strset_add(&run->seen, id) != 0)
            run->fatal = VP_ERR_NOMEM;
        free(id);
        return run->fatal ? 1 : 0;
    }
    pending *p = &run->pend;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        pending_item *items = realloc(p->items, cap * sizeof *items);
        if (!items) {
            vp_offering_destroy(o);
            json_decref(doc);
            run->fatal = VP_ERR_NOMEM;
            return 1;
        }
        p->items = items;
        p->cap = cap;
    }
    if (run->track_seen && strset_add(&run->seen, o->id) != 0) {
        vp_offering_destroy(o);
        json_decref(doc);
        run->fatal = VP_ERR_NOMEM;
        return 1;
    }
    p->items[p->n++] = (pending_item){o, doc};
    progress(run, 0);
    return 0;
}

static int add_delete(vp_harvest_run *run, const char *id)
{
    pending *p = &run->pend;
    if (p->n_del == p->cap_del) {
        size_t cap = p->cap_del ? p->cap_del * 2 : 64;
        char **d = realloc(p->deletes, cap * sizeof *d);
        if (!d)
            return -1;
        p->deletes = d;
        p->cap_del = cap;
    }
    p->deletes[p->n_del] = strdup(id);
    if (!p->deletes[p->n_del])
        return -1;
    p->n_del++;
    return 0;
}

static int on_deleted(void *ctx, const char *local_id, const char *where)
{
    vp_harvest_run *run = ctx;
    (void)where;
    if (!local_id || !*local_id)
        return 0;
    size_t n = strlen(run->src->name) + strlen(local_id) + 2;
    char *id = malloc(n);
    if (!id || (snprintf(id, n, "%s:%s", run->src->name, local_id), add_delete(run, id) != 0)) {
        free(id);
        run->fatal = VP_ERR_NOMEM;
        return 1;
    }
    free(id);
    return 0;
}

static void on_reject(void *ctx, const char *where, const char *message)
{
    report(ctx, where, message);
}

static void on_broken(void *ctx, const vp_error *why)
{
    vp_harvest_run *run = ctx;
    run->incomplete = 1;
    report(run, why->path, why->message ? why->message : vp_status_str(why->status));
}

/* Appends the holdings entries `more` to fields' "holdings", each one
 * only once (a holdings record harvested again adds nothing). -1 when
 * out of memory. */
static int add_holdings(json_t *fields, json_t *more)
{
    json_t *list = json_object_get(fields, "holdings");
    if (!json_is_array(list)) {
        list = json_array();
        if (json_object_set_new(fields, "holdings", list) != 0)
            return -1;
    }
    size_t i, k;
    json_t *h, *have;
    json_array_foreach(more, i, h) {
        int dup = 0;
        json_array_foreach(list, k, have) dup |= json_equal(have, h);
        if (!dup && json_array_append(list, h) != 0)
            return -1;
    }
    return 0;
}

/* The offering `id` as the run last has it: pending in this run (taken out
 * of the batch with its document), else in the index; its JSON form, or
 * NULL. A pending one without its document (a snapshot's) stays as it is:
 * the holdings kept in the source's state join it when it comes again. */
static json_t *current_offering(vp_harvest_run *run, const char *id)
{
    pending *p = &run->pend;
    for (size_t i = p->n; i-- > 0;) {
        if (strcmp(p->items[i].o->id, id) != 0)
            continue;
        json_t *f = p->items[i].doc;
        if (!f)
            return NULL;
        vp_offering_destroy(p->items[i].o);
        memmove(p->items + i, p->items + i + 1, (p->n - i - 1) * sizeof *p->items);
        p->n--;
        return f;
    }
    for (size_t s = 0; s < run->n_shards; s++) {
        char *json = NULL, *why = NULL;
        json_t *f = NULL;
        if (vp_index_get(run->shards[s], id, &json, NULL) == VP_OK)
            f = json_loads(json, 0, NULL);
        free(json);
        free(why);
        if (f)
            return f;
    }
    return NULL;
}

/* Holdings of a record the page does not hold: kept in the source's state
 * (added to the record every time it comes, on_record) and added to the
 * record now when the run or the index has it. */
static int on_holding(void *ctx, const char *local_id, json_t *holdings, const char *where)
{
    vp_harvest_run *run = ctx;
    json_t *kept = json_object_get(run->state, "holdings");
    if (!json_is_object(kept)) {
        kept = json_object();
        if (!kept || json_object_set_new(run->state, "holdings", kept) != 0) {
            json_decref(holdings);
            run->fatal = VP_ERR_NOMEM;
            return 1;
        }
    }
    json_t *list = json_object_get(kept, local_id);
    if (!list) {
        json_object_set_new(kept, local_id, holdings);
    } else {
        json_t *box = json_pack("{s:O}", "holdings", list);
        int bad = !box || add_holdings(box, holdings) != 0 ||
                  json_object_set(kept, local_id, json_object_get(box, "holdings")) != 0;
        json_decref(box);
        json_decref(holdings);
        if (bad) {
            run->fatal = VP_ERR_NOMEM;
            return 1;
        }
    }
    char *id = vp_normalise_id(run->src->name, local_id);
    json_t *have = id ? current_offering(run, id) : NULL;
    free(id);
    return have ? on_record(run, local_id, have, where) : 0;
}

const vp_emit *vp_run_emit(vp_harvest_run *run)
{
    return &run->emit;
}

void vp_run_set_url(vp_harvest_run *run, const char *url)
{
    run->url = url;
}

json_t *vp_run_state(vp_harvest_run *run)
{
    return run->state;
}

int vp_run_full(vp_harvest_run *run)
{
    return run->opt->full;
}

vp_status vp_run_fetch(vp_harvest_run *run, const char *url, const char *etag,
                       const char *last_modified, vp_fetch_result *out, vp_error *err)
{
    vp_status st = vp_fetch(url, &run->fetch, etag, last_modified, out, err);
    if (st == VP_OK) {
        run->stats->fetched++;
        run->stats->bytes += out->len;
    }
    return st;
}

void vp_run_discard(vp_harvest_run *run)
{
    pending_clear(&run->pend);
}

/* The metadata key of a source's harvest record. */
static void meta_key(const char *source, char *out, size_t cap)
{
    snprintf(out, cap, "harvest:%s", source);
}

static void iso_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Writes the pending records and deletions into their shards, and the
 * source's record (state, time, counts) with them; commits every shard,
 * the first one last, so a crash between commits only repeats work. */
static vp_status write_pending(vp_harvest_run *run, json_t *record, vp_error *err)
{
    pending *p = &run->pend;
    vp_status st = VP_OK;
    for (size_t i = 0; st == VP_OK && i < p->n; i++) {
        vp_offering *o = p->items[i].o;
        vp_index *idx = run->shards[vp_shard_of(run->routing, o->work_key, o->id, run->n_shards)];
        char *old = NULL, *why = NULL;
        vp_status g = vp_index_get(idx, o->id, &old, NULL);
        free(why);
        if (g == VP_OK && strcmp(old, o->json) == 0) {
            run->stats->unchanged++;
            free(old);
            continue;
        }
        free(old);
        st = vp_index_put(idx, o, err);
        if (st == VP_ERR_INVALID) {
            /* A value the index cannot hold: this record only. */
            char *msg = err ? vp_error_text(err) : NULL;
            vp_error_clear(err);
            st = vp_run_report(run, o->id, msg ? msg : "rejected by the index");
            free(msg);
            if (st != VP_OK)
                st = vp_error_set(err, st, NULL, "%s", run->fatal_msg);
            continue;
        }
        if (st == VP_OK) {
            if (g == VP_OK)
                run->stats->updated++;
            else
                run->stats->added++;
        }
    }
    for (size_t i = 0; st == VP_OK && i < p->n_del; i++) {
        const char *id = p->deletes[i];
        /* Without the work key the shard is not known: ask every one. */
        int gone = 0;
        for (size_t s = 0; st == VP_OK && s < run->n_shards; s++) {
            vp_status d = vp_index_delete(run->shards[s], id, err);
            if (d == VP_OK)
                gone = 1;
            else if (d == VP_ERR_NOT_FOUND)
                vp_error_clear(err); /* not in this shard */
            else
                st = d;
        }
        if (gone)
            run->stats->deleted++;
    }
    char key[300];
    meta_key(run->src->name, key, sizeof key);
    char *value = st == VP_OK ? json_dumps(record, JSON_COMPACT) : NULL;
    if (st == VP_OK && !value)
        st = vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    for (size_t s = 0; st == VP_OK && s < run->n_shards; s++)
        st = vp_index_set_meta(run->shards[s], key, value, err);
    free(value);
    for (size_t s = run->n_shards; st == VP_OK && s-- > 0;)
        st = vp_index_commit(run->shards[s], err);
    pending_clear(p);
    return st;
}

/* The source's harvest record as stored, or a new one. */
static json_t *load_record(vp_index *idx, const char *source)
{
    char key[300];
    meta_key(source, key, sizeof key);
    char *value = NULL, *why = NULL;
    json_t *rec = NULL;
    if (vp_index_get_meta(idx, key, &value, NULL) == VP_OK && value && *value)
        rec = json_loads(value, 0, NULL);
    free(value);
    free(why);
    if (!json_is_object(rec)) {
        json_decref(rec);
        rec = json_object();
    }
    return rec;
}

static json_t *current_record(vp_harvest_run *run, json_t *state)
{
    json_t *rec = load_record(run->shards[0], run->src->name);
    json_object_set(rec, "state", state);
    json_object_set_new(rec, "kind", json_string(run->src->kind));
    json_object_set_new(rec, "url", json_string(run->src->url));
    return rec;
}

/* Fills *err with why the run had to stop in a callback. */
static vp_status fatal_error(vp_harvest_run *run, vp_error *err)
{
    return vp_error_set(err, run->fatal, NULL, "%s",
                        run->fatal_msg[0] ? run->fatal_msg : vp_status_str(run->fatal));
}

vp_status vp_run_checkpoint(vp_harvest_run *run, json_t *state, vp_error *err)
{
    if (run->fatal) {
        json_decref(state);
        return fatal_error(run, err);
    }
    /* holdings kept for their records stay with the source */
    json_t *kept = json_object_get(run->state, "holdings");
    if (json_object_size(kept) && json_is_object(state) && !json_object_get(state, "holdings"))
        json_object_set(state, "holdings", kept);
    json_t *rec = current_record(run, state);
    vp_status st = write_pending(run, rec, err);
    json_decref(rec);
    if (st == VP_OK) {
        json_decref(run->state);
        run->state = state;
    } else {
        json_decref(state);
    }
    progress(run, 0);
    return st;
}

/* --- file-like sources ---------------------------------------------------- */

static const char *state_str(json_t *state, const char *key)
{
    return json_string_value(json_object_get(state, key));
}

/* Parses one fetched page with the source's connector. */
static vp_status parse_page(vp_harvest_run *run, const vp_fetch_result *page, const char *url,
                            vp_error *err)
{
    const vp_source *src = run->src;
    const vp_emit *emit = &run->emit;
    if (!strcmp(src->kind, "ical")) {
        vp_ical_options o = {0};
        long long now = run->opt->now ? run->opt->now : (long long)time(NULL);
        const char *days = vp_source_option(src, "window_days");
        long d = days ? strtol(days, NULL, 10) : 365;
        if (d <= 0 || d > 3660)
            d = 365;
        o.window_start = now;
        o.window_end = now + (long long)d * 86400;
        o.default_tzid = vp_source_option(src, "timezone");
        return vp_ical_parse(page->body, page->len, &o, emit, err);
    }
    if (!strcmp(src->kind, "feed"))
        return vp_feed_parse(page->body, page->len, url, emit, err);
    if (!strcmp(src->kind, "onix"))
        return vp_onix_parse(page->body, page->len, emit, err);
    if (!strcmp(src->kind, "marc")) {
        vp_marc_options o = {vp_source_option(src, "encoding")};
        return vp_marc_parse(page->body, page->len, &o, emit, err);
    }
    if (!strcmp(src->kind, "jsonld"))
        return vp_jsonld_parse(page->body, page->len, url, emit, err);
    if (!strcmp(src->kind, "csv")) {
        vp_csv_options o;
        memset(&o, 0, sizeof o);
        vp_status st = vp_csv_options_from(&o, (const char *const *)src->option_keys,
                                           (const char *const *)src->option_values, src->n_options,
                                           err);
        if (st == VP_OK)
            st = vp_csv_parse(page->body, page->len, &o, emit, err);
        vp_csv_options_clear(&o);
        return st;
    }
    return vp_error_set(err, VP_ERR_INVALID, NULL, "no parser for this kind");
}

typedef struct url_list {
    char **urls;
    size_t n, cap, max;
    int indexes;
} url_list;

static int on_url(void *ctx, const char *url, int is_index)
{
    url_list *l = ctx;
    if (l->n >= l->max)
        return 1;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **u = realloc(l->urls, cap * sizeof *u);
        if (!u)
            return 1;
        l->urls = u;
        l->cap = cap;
    }
    l->urls[l->n] = strdup(url);
    if (!l->urls[l->n])
        return 1;
    l->n++;
    l->indexes += is_index;
    return 0;
}

/* Pages of a sitemap or URL list fetched at once: enough to hide a
 * platform's latency, few enough to stay polite. */
#define VP_PAGES_IN_FLIGHT 4

typedef struct page_walk {
    vp_harvest_run *run;
    url_list *list;
    size_t base;              /* list->urls[base + i] is page i */
    int sitemaps;             /* the pages are sitemaps (their URLs join the list) */
    size_t failed;            /* pages (or sitemaps) not fetched or not read */
    vp_error error;           /* the deadline passed: why the source stops */
} page_walk;

/* One page of a sitemap or URL list, in list order (vp_fetch_many). */
static int on_page(void *ctx, size_t i, vp_status st, vp_fetch_result *res, const vp_error *why)
{
    page_walk *w = ctx;
    vp_harvest_run *run = w->run;
    if (st == VP_OK) {
        run->stats->fetched++;
        run->stats->bytes += res->len;
    }
    vp_run_set_url(run, w->list->urls[w->base + i]);
    if (st != VP_OK && run->fetch.deadline > 0 && vp_fetch_clock() >= run->fetch.deadline) {
        /* Out of time: the source stops here, whatever it has done. */
        vp_where at = {why->file, why->line, why->path, NULL};
        vp_error_set(&w->error, VP_ERR_IO, &at, "%s",
                     why->message ? why->message : "the source's deadline passed");
        if (!w->error.message)
            run->fatal = VP_ERR_NOMEM;
        return 1;
    }
    vp_error msg = VP_ERROR_INIT;
    vp_status read = st;
    if (st == VP_OK && w->sitemaps)
        read = vp_sitemap_parse(res->body, res->len, on_url, w->list, &msg);
    else if (st == VP_OK)
        read = parse_page(run, res, res->final_url, &msg);
    if (read == VP_ERR_NOMEM) {
        run->fatal = VP_ERR_NOMEM;
    } else if (read != VP_OK) {
        /* One page that fails does not cost the source (see harvest_files). */
        w->failed++;
        char *text = vp_error_text(st != VP_OK ? why : &msg);
        report(run, w->sitemaps ? "sitemap" : "page", text);
        free(text);
    }
    vp_error_clear(&msg);
    return run->fatal ? 1 : 0;
}

/* Deletes what the source no longer sends. */
static vp_status queue_vanished(vp_harvest_run *run, vp_error *err)
{
    for (size_t s = 0; s < run->n_shards; s++) {
        char **ids = NULL;
        size_t n = 0;
        vp_status st = vp_index_source_ids(run->shards[s], run->src->name, &ids, &n, err);
        if (st != VP_OK)
            return st;
        for (size_t i = 0; i < n; i++) {
            if (st == VP_OK && !strset_has(&run->seen, ids[i]) && add_delete(run, ids[i]) != 0)
                st = VP_ERR_NOMEM;
            free(ids[i]);
        }
        free(ids);
        if (st != VP_OK)
            return vp_error_set(err, st, NULL, "out of memory");
    }
    return VP_OK;
}

/* A snapshot with no records, or fewer than half of the offerings the
 * source has in the index, is far more often a broken export or a
 * platform having a bad day than a library closing its agenda: the
 * offerings stay and the source reports the error, unless the config
 * (allow_shrink) or --full says the shrink is real. */
static vp_status check_shrink(vp_harvest_run *run, vp_error *err)
{
    if (run->opt->full || run->src->allow_shrink)
        return VP_OK;
    uint64_t had = 0;
    for (size_t s = 0; s < run->n_shards; s++) {
        uint64_t n = 0;
        vp_status st = vp_index_source_count(run->shards[s], run->src->name, &n, err);
        if (st != VP_OK)
            return st;
        had += n;
    }
    uint64_t sent = run->seen.n;
    if (had == 0 || sent * 2 >= had)
        return VP_OK;
    vp_where at = {run->src->url, 0, NULL, NULL};
    return vp_error_set(err, VP_ERR_INVALID, &at,
                        "sent %llu record%s where the index has %llu of this source: its offerings "
                        "are kept (allow_shrink = yes, or --full, when the shrink is real)",
                        (unsigned long long)sent, sent == 1 ? "" : "s", (unsigned long long)had);
}

/* A catalogue delivered as a directory of files (file:// only, filedir.h):
 * every file is one page of the source. */
static vp_status harvest_dir(vp_harvest_run *run, char **names, size_t n, vp_error *err)
{
    vp_status st = VP_OK;
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        vp_fetch_result res;
        vp_error why = VP_ERROR_INIT;
        vp_run_set_url(run, names[i]);
        vp_status got = vp_run_fetch(run, names[i], NULL, NULL, &res, &why);
        if (got == VP_OK) {
            got = parse_page(run, &res, names[i], &why);
            vp_fetch_result_free(&res);
        }
        if (got != VP_OK) {
            char *text = vp_error_text(&why);
            report(run, "file", text);
            free(text);
            run->incomplete = 1;
        }
        vp_error_clear(&why);
        if (run->fatal)
            st = fatal_error(run, err);
    }
    vp_run_set_url(run, run->src->url);
    if (st == VP_OK && !run->incomplete)
        st = check_shrink(run, err);
    if (st == VP_OK && !run->incomplete)
        st = queue_vanished(run, err);
    return st == VP_OK ? vp_run_checkpoint(run, json_object(), err) : st;
}

static vp_status harvest_files(vp_harvest_run *run, vp_error *err)
{
    const vp_source *src = run->src;
    json_t *state = run->state;
    const int full = run->opt->full;
    vp_status st;
    run->track_seen = 1;
    /* JSON-LD pages listed by a sitemap or a URL list. */
    const char *sitemap = vp_source_option(src, "sitemap");
    const char *urls = vp_source_option(src, "urls");
    int listed = !strcmp(src->kind, "jsonld") &&
                 ((sitemap && !strcasecmp(sitemap, "yes")) || (urls && !strcasecmp(urls, "yes")));
    if (listed) {
        const char *max_s = vp_source_option(src, "max_pages");
        url_list list = {0};
        list.max = max_s ? (size_t)strtoul(max_s, NULL, 10) : 10000;
        vp_fetch_result res;
        vp_run_set_url(run, src->url);
        st = vp_run_fetch(run, src->url, NULL, NULL, &res, err);
        if (st == VP_OK)
            st = vp_sitemap_parse(res.body, res.len, on_url, &list, err);
        vp_fetch_result_free(&res);
        /* A sitemap index: one level of the sitemaps it lists. */
        size_t first = 0;
        page_walk walk = {run, &list, 0, 1, 0, VP_ERROR_INIT};
        if (st == VP_OK && list.indexes) {
            /* The sitemaps' pages join the list while it is walked: walk a
             * copy of the sitemaps' part. */
            size_t n = list.n;
            char **sitemaps = malloc(n * sizeof *sitemaps);
            if (sitemaps) {
                memcpy(sitemaps, list.urls, n * sizeof *sitemaps);
                st = vp_fetch_many((const char *const *)sitemaps, n, VP_PAGES_IN_FLIGHT, &run->fetch,
                                   on_page, &walk, err);
                free(sitemaps);
            } else {
                st = VP_ERR_NOMEM;
            }
            first = n;
        }
        walk.sitemaps = 0;
        walk.base = first;
        if (st == VP_OK && walk.error.status == VP_OK && list.n > first)
            st = vp_fetch_many((const char *const *)list.urls + first, list.n - first, VP_PAGES_IN_FLIGHT,
                               &run->fetch, on_page, &walk, err);
        if (st == VP_OK && run->fatal)
            st = fatal_error(run, err);
        if (st == VP_OK && walk.error.status != VP_OK) {
            st = walk.error.status;
            if (err) {
                vp_error_clear(err);
                *err = walk.error;
                walk.error = (vp_error)VP_ERROR_INIT;
            }
        }
        vp_error_clear(&walk.error);
        /* What is reported from here on is about the source as a whole
         * (and the page URLs are about to go). */
        vp_run_set_url(run, src->url);
        for (size_t i = 0; i < list.n; i++)
            free(list.urls[i]);
        free(list.urls);
        if (st != VP_OK)
            return st;
        st = check_shrink(run, err);
        /* The offerings of a page that could not be read are not known:
         * nothing is removed until a harvest reads every page. */
        if (st == VP_OK && walk.failed) {
            char note[200];
            snprintf(note, sizeof note, "%zu page%s could not be read: no offering of this source is "
                     "removed this time", walk.failed, walk.failed == 1 ? "" : "s");
            st = vp_run_report(run, "pages", note);
            if (st != VP_OK)
                st = fatal_error(run, err);
        } else if (st == VP_OK) {
            st = queue_vanished(run, err);
        }
        return st == VP_OK ? vp_run_checkpoint(run, json_object(), err) : st;
    }
    char **files = NULL;
    size_t n_files = 0;
    int listed_dir = (!strcmp(src->kind, "onix") || !strcmp(src->kind, "marc"))
                         ? vp_file_dir_urls(src->url, src->allow_file, &files, &n_files) : 0;
    if (listed_dir) {
        vp_where at = {src->url, 0, NULL, NULL};
        st = listed_dir > 0 ? harvest_dir(run, files, n_files, err)
                            : vp_error_set(err, VP_ERR_IO, &at, "the directory cannot be read");
        vp_file_dir_free(files, n_files);
        return st;
    }
    vp_fetch_result res;
    vp_run_set_url(run, src->url);
    st = vp_run_fetch(run, src->url, full ? NULL : state_str(state, "etag"),
                      full ? NULL : state_str(state, "last_modified"), &res, err);
    if (st != VP_OK)
        return st;
    if (res.not_modified) {
        run->stats->not_modified = 1;
        vp_fetch_result_free(&res);
        /* Nothing changed: keep the documents, note the harvest. */
        return vp_run_checkpoint(run, json_deep_copy(state), err);
    }
    json_t *next = json_object();
    if (res.etag)
        json_object_set_new(next, "etag", json_string(res.etag));
    if (res.last_modified)
        json_object_set_new(next, "last_modified", json_string(res.last_modified));
    const char *page_url = res.final_url ? res.final_url : src->url;
    st = parse_page(run, &res, page_url, err);
    if (st != VP_OK && err && !err->file) {
        /* the page as a whole was refused: say which page */
        err->file = strdup(page_url);
        err->line = 0;
    }
    vp_fetch_result_free(&res);
    if (st == VP_OK && run->fatal)
        st = fatal_error(run, err);
    if (st == VP_OK && run->incomplete) {
        /* The page broke off: keep what it had whole, delete nothing it
         * did not get to, and fetch it again next time (no validators). */
        json_object_del(next, "etag");
        json_object_del(next, "last_modified");
    } else if (st == VP_OK) {
        st = check_shrink(run, err);
        if (st == VP_OK)
            st = queue_vanished(run, err);
    }
    if (st != VP_OK) {
        json_decref(next);
        return st;
    }
    return vp_run_checkpoint(run, next, err);
}

/* --- running sources ------------------------------------------------------ */

static void store_outcome(vp_harvest_run *run, const char *error)
{
    /* Discard what the failed run left uncommitted, then note the outcome
     * (time, error, counts) in a commit of its own. */
    pending_clear(&run->pend);
    for (size_t s = 0; s < run->n_shards; s++)
        vp_index_discard(run->shards[s], NULL);
    json_t *rec = load_record(run->shards[0], run->src->name);
    char when[32];
    iso_now(when);
    json_object_set_new(rec, "last_harvest", json_string(when));
    json_object_set_new(rec, "kind", json_string(run->src->kind));
    json_object_set_new(rec, "url", json_string(run->src->url));
    json_object_set_new(rec, "last_error", error ? json_string(error) : json_null());
    if (!error)
        json_object_set_new(rec, "last_success", json_string(when));
    uint64_t total = 0;
    for (size_t s = 0; s < run->n_shards; s++) {
        uint64_t n = 0;
        if (vp_index_source_count(run->shards[s], run->src->name, &n, NULL) == VP_OK)
            total += n;
    }
    run->stats->total = total;
    json_object_set_new(rec, "records", json_integer((json_int_t)total));
    json_object_set_new(rec, "last_stats", vp_harvest_stats_json(run->stats));
    char *value = json_dumps(rec, JSON_COMPACT);
    char key[300];
    meta_key(run->src->name, key, sizeof key);
    for (size_t s = 0; value && s < run->n_shards; s++)
        vp_index_set_meta(run->shards[s], key, value, NULL);
    for (size_t s = run->n_shards; s-- > 0;)
        vp_index_commit(run->shards[s], NULL);
    free(value);
    json_decref(rec);
}

json_t *vp_harvest_stats_json(const vp_harvest_stats *s)
{
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:f, s:o}", "source",
                     s->source ? s->source : "", "fetched", (json_int_t)s->fetched, "records",
                     (json_int_t)s->records, "added", (json_int_t)s->added, "updated",
                     (json_int_t)s->updated, "unchanged", (json_int_t)s->unchanged, "deleted",
                     (json_int_t)s->deleted, "rejected", (json_int_t)s->rejected, "total",
                     (json_int_t)s->total, "not_modified", s->not_modified, "seconds", s->seconds,
                     "error", s->error ? json_string(s->error) : json_null());
}

vp_status vp_harvest_source(vp_index *const *shards, size_t n_shards, const vp_normaliser *norm,
                            const vp_source *src, const vp_harvest_options *opt,
                            vp_harvest_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    stats->source = src->name;
    vp_harvest_run run;
    memset(&run, 0, sizeof run);
    run.src = src;
    run.shards = shards;
    run.n_shards = n_shards;
    run.norm = norm;
    run.opt = opt;
    run.stats = stats;
    run.emit.ctx = &run;
    run.emit.record = on_record;
    run.emit.deleted = on_deleted;
    run.emit.reject = on_reject;
    run.started = vp_fetch_clock();
    run.fetch = opt->fetch;
    run.fetch.allow_file = src->allow_file;
    run.fetch.allow_private = &src->allow_private;
    run.fetch.deadline_s = src->deadline_s > 0 ? src->deadline_s
                           : opt->deadline_s > 0 ? opt->deadline_s : VP_DEFAULT_DEADLINE_S;
    run.fetch.deadline = run.started + (double)run.fetch.deadline_s;
    run.emit.broken = on_broken;
    run.emit.holding = on_holding;
    json_t *rec = load_record(shards[0], src->name);
    json_t *state = json_object_get(rec, "state");
    /* A source whose kind or URL changed starts over. */
    int same = json_is_object(state) && !opt->full &&
               !strcmp(json_string_value(json_object_get(rec, "kind")) ? json_string_value(json_object_get(rec, "kind")) : "", src->kind) &&
               !strcmp(json_string_value(json_object_get(rec, "url")) ? json_string_value(json_object_get(rec, "url")) : "", src->url);
    run.state = same ? json_deep_copy(state) : json_object();
    json_decref(rec);
    vp_error err = VP_ERROR_INIT;
    /* Nothing is fetched that could not be written where updates find it. */
    vp_status st = vp_shards_routing(shards, n_shards, &run.routing, &err);
    if (st == VP_OK && !strcmp(src->kind, "oai-pmh"))
        st = vp_oai_harvest(&run, src, &err);
    else if (st == VP_OK)
        st = harvest_files(&run, &err);
    if (st == VP_OK && run.fatal)
        st = fatal_error(&run, &err);
    stats->seconds = vp_fetch_clock() - run.started;
    if (st != VP_OK) {
        /* the one text form: stored with the source and printed */
        if (err.status == VP_OK)
            vp_error_set(&err, st, NULL, "%s", vp_status_str(st));
        stats->error = vp_error_text(&err);
    }
    progress(&run, 1);
    store_outcome(&run, stats->error);
    vp_error_clear(&err);
    json_decref(run.state);
    pending_free(&run.pend);
    strset_free(&run.seen);
    return st;
}

void vp_harvest_stats_clear(vp_harvest_stats *s)
{
    free(s->error);
    s->error = NULL;
}
