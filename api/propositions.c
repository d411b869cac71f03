/* propositions.c - the pages that make the network's propositions
 * findable in ordinary web search, nationally and locally:
 *   /p/{proposition}                 what it is, under its uniform name and
 *                                    the local names, which libraries offer
 *                                    it, in which municipalities, what is on
 *                                    next (proposition.html);
 *   /p/{proposition}/{municipality}  "Taalcafé in Amersfoort": what is on
 *                                    there, nearby and online;
 * and their entries in /sitemap.xml. Everything comes from the index (what
 * is on now: past offerings do not count) and the network file (the
 * municipalities of the branches, their places); the vocabulary gives the
 * names.
 *
 * A municipality is named in the path by its slug: its name folded to
 * lower-case ASCII, every run of other characters one '-' ("Den Haag" ->
 * "den-haag", "'s-Hertogenbosch" -> "s-hertogenbosch"). Only municipalities
 * of the network file have pages, and only while the proposition is on
 * offer there: a combination with nothing on answers 410 Gone when the
 * index still holds past offerings of it (it had a page, which search
 * engines should drop), else 404. A proposition's own page exists for
 * every proposition of the vocabulary; with nothing on it says so and is
 * noindex (and is left out of the sitemap).
 *
 * The counts of every proposition in every municipality take one search per
 * municipality of the network; they are kept in the server's answer cache
 * for the index version (COUNTS_TTL_S at most), so a page costs a few
 * searches for its lists. Pages are cacheable for 5 minutes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"
#include "vindplaats/analysis.h"
#include "vindplaats/answer_cache.h"
#include "vindplaats/buf.h"
#include "vindplaats/geo.h"
#include "vindplaats/search.h"

#define MAX_PLACES 2000
#define NEXT_COUNT 10        /* dates listed on a proposition's page */
#define THERE_COUNT 20       /* on a municipality's page */
#define NEARBY_COUNT 6
#define NEARBY_KM 25.0
#define ONLINE_COUNT 6

/* A municipality of the network file: its name as written there, its
 * slug, and the middle of its branches (when they have places). */
typedef struct place {
    const char *name;
    const char *province;
    char slug[128];
    double lat, lon;
    int n_loc;
} place;

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The slug of a municipality's name into out[cap]; 0, or -1 when it is
 * empty or does not fit. */
static int place_slug(const char *name, char *out, size_t cap)
{
    char *f = vp_text_fold(name, 1);
    size_t n = 0;
    int dash = 0;
    for (const char *p = f; p && *p; p++) {
        char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && n > 0 && n + 1 < cap)
                out[n++] = '-';
            dash = 0;
            if (n + 1 >= cap) {
                free(f);
                return -1;
            }
            out[n++] = c;
        } else {
            dash = 1;
        }
    }
    free(f);
    out[n] = '\0';
    return n ? 0 : -1;
}

/* The municipalities of the network file's branches, by slug (the first
 * spelling met), at most `cap`; returns how many. */
static size_t network_places(const vp_network *net, place *pl, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < vp_network_count(net); i++) {
        const vp_library_info *li = vp_network_at(net, i);
        for (size_t k = 0; k < li->n_branches; k++) {
            const vp_branch_info *b = &li->branches[k];
            char slug[128];
            if (!b->municipality || place_slug(b->municipality, slug, sizeof slug) != 0)
                continue;
            size_t j = 0;
            while (j < n && strcmp(pl[j].slug, slug) != 0)
                j++;
            if (j == n) {
                if (n == cap)
                    continue;
                memset(&pl[n], 0, sizeof pl[n]);
                pl[n].name = b->municipality;
                pl[n].province = b->province;
                memcpy(pl[n].slug, slug, sizeof slug);
                n++;
            }
            if (b->has_location) {
                pl[j].lat += b->lat;
                pl[j].lon += b->lon;
                pl[j].n_loc++;
            }
        }
    }
    for (size_t j = 0; j < n; j++)
        if (pl[j].n_loc) {
            pl[j].lat /= pl[j].n_loc;
            pl[j].lon /= pl[j].n_loc;
        }
    /* by name, for the lists on the pages */
    for (size_t j = 1; j < n; j++)
        for (size_t k = j; k > 0 && strcmp(pl[k - 1].slug, pl[k].slug) > 0; k--) {
            place t = pl[k];
            pl[k] = pl[k - 1];
            pl[k - 1] = t;
        }
    return n;
}

/* What a page searches for: a proposition, optionally a municipality, a
 * channel, a place to be near. */
typedef struct want {
    const char *prop;
    const char *municipality;
    const char *channel;
    const place *near;
    unsigned facets;
    vp_sort sort;
    unsigned per_page;
    int include_past;
    int all_offerings;
} want;

static vp_status find(api_request *req, const want *w, vp_search_result **res, vp_error *err)
{
    vp_search_request sr;
    memset(&sr, 0, sizeof sr);
    const char *p[1] = {w->prop}, *m[1] = {w->municipality}, *c[1] = {w->channel};
    if (w->prop) {
        sr.values[VP_FIELD_PROPOSITION] = p;
        sr.n_values[VP_FIELD_PROPOSITION] = 1;
    }
    if (w->municipality) {
        sr.values[VP_FIELD_MUNICIPALITY] = m;
        sr.n_values[VP_FIELD_MUNICIPALITY] = 1;
    }
    if (w->channel) {
        sr.values[VP_FIELD_CHANNEL] = c;
        sr.n_values[VP_FIELD_CHANNEL] = 1;
    }
    if (w->near && w->near->n_loc) {
        sr.has_near = 1;
        sr.near_lat = w->near->lat;
        sr.near_lon = w->near->lon;
        sr.radius_km = NEARBY_KM;
    }
    sr.page = 1;
    sr.per_page = w->per_page ? w->per_page : 1;
    sr.facets = w->facets;
    sr.sort = w->sort;
    sr.include_past = w->include_past;
    sr.all_offerings = w->all_offerings;
    return api_search_run(req, &sr, res, err);
}

static uint64_t facet_count(const vp_search_result *res, vp_field f, const char *value)
{
    for (size_t i = 0; res && i < res->n_facets[f]; i++)
        if (strcmp(res->facets[f][i].value, value) == 0)
            return res->facets[f][i].count;
    return 0;
}

/* The offerings of proposition `prop` (NULL: every proposition, into
 * `per_prop` by the vocabulary's order) in municipality `pl` that are on
 * now, or with `include_past` also those that ended. */
static vp_status place_count(api_request *req, const place *pl, const char *prop, int include_past,
                             uint64_t *count, uint64_t *per_prop, vp_error *err)
{
    vp_search_result *res = NULL;
    want w = {.municipality = pl->name, .facets = 1u << VP_FIELD_PROPOSITION,
              .include_past = include_past, .all_offerings = 1};
    vp_status st = find(req, &w, &res, err);
    if (st != VP_OK)
        return st;
    if (prop)
        *count = facet_count(res, VP_FIELD_PROPOSITION, prop);
    for (size_t i = 0; per_prop && i < vp_vocabulary_count(req->voc); i++)
        per_prop[i] = facet_count(res, VP_FIELD_PROPOSITION, vp_vocabulary_at(req->voc, i)->id);
    vp_search_result_destroy(res);
    return VP_OK;
}

/* How long the counts of every proposition in every municipality are kept
 * (in the server's answer cache, for one index version): offerings end as
 * time passes, so not longer than the pages' own caching. */
#define COUNTS_TTL_S 300
static const char COUNTS_KEY[] = "\x01propositions-by-municipality";

/* The offerings on now of each proposition (by the vocabulary's order) in
 * each of the `n_pl` municipalities: counts[i * n_voc + k] (calloc()ed,
 * the caller frees). One search per municipality, or none when the answer
 * cache holds them for this index version. */
static vp_status place_counts(api_request *req, const place *pl, size_t n_pl, uint64_t **out,
                              vp_error *err)
{
    size_t n_voc = vp_vocabulary_count(req->voc), n = n_pl * n_voc;
    uint64_t *counts = calloc(n + 1, sizeof *counts);
    if (!counts)
        return VP_ERR_NOMEM;
    struct vp_answer_cache *cache = api_state_answers(req->state);
    vp_index_version v;
    int have_v = cache && vp_index_version_get(req->index, &v, NULL) == VP_OK;
    int64_t now = api_clock(req);
    char *blob = NULL;
    size_t len = 0;
    if (have_v && vp_answer_cache_get(cache, &v, COUNTS_KEY, sizeof COUNTS_KEY - 1, now, &blob,
                                      &len) &&
        len == n * sizeof *counts) {
        memcpy(counts, blob, len);
        free(blob);
        *out = counts;
        return VP_OK;
    }
    free(blob);
    vp_status st = VP_OK;
    for (size_t i = 0; st == VP_OK && i < n_pl; i++)
        st = place_count(req, &pl[i], NULL, 0, NULL, counts + i * n_voc, err);
    if (st != VP_OK) {
        free(counts);
        return st;
    }
    /* The municipalities are the network file's, the same at every call. */
    if (have_v)
        vp_answer_cache_put(cache, &v, COUNTS_KEY, sizeof COUNTS_KEY - 1, (const char *)counts,
                            n * sizeof *counts, now + COUNTS_TTL_S);
    *out = counts;
    return VP_OK;
}

/* "/p/ID" or "/p/ID/SLUG" onto `b`. */
static vp_status page_path(vp_buf *b, const char *prop, const char *slug)
{
    vp_status st = vp_buf_puts(b, "/p/");
    if (st == VP_OK)
        st = api_buf_url(b, prop, 0);
    if (st == VP_OK && slug)
        st = vp_buf_puts(b, "/");
    if (st == VP_OK && slug)
        st = vp_buf_puts(b, slug);
    return st;
}

/* The hits of a search as cards (heading level 3) and, when `ld_items` is
 * given, as schema.org ListItems of their Event, Course, ... data. Skips
 * hits in municipality `skip` (NULL: none); at most `max`. */
static json_t *cards(api_request *req, const vp_search_result *res, const char *skip, size_t max,
                     json_t *ld_items)
{
    char base[512];
    api_base_url(req, base, sizeof base);
    int64_t now = api_clock(req);
    json_t *out = json_array();
    char *fskip = skip ? vp_text_fold(skip, 1) : NULL;
    for (size_t i = 0; out && res && i < res->n_hits && json_array_size(out) < max; i++) {
        json_t *doc = res->hits[i].doc;
        json_t *r = api_result_doc(res->hits[i].id, doc, NULL, 0, res->hits[i].distance_km,
                                   req->voc, now, NULL);
        if (!r)
            continue;
        char *fm = skip && jstr(r, "municipality") ? vp_text_fold(jstr(r, "municipality"), 1) : NULL;
        int same = fskip && fm && strcmp(fskip, fm) == 0;
        free(fm);
        if (!same) {
            json_array_append_new(out, api_card_view(r, NULL, 3));
            if (ld_items) {
                vp_buf u;
                vp_buf_init(&u, 8192);
                vp_buf_puts(&u, base);
                vp_buf_puts(&u, "/o/");
                api_buf_url(&u, res->hits[i].id, 1);
                json_t *item = u.data ? api_offering_jsonld(doc, u.data, now) : NULL;
                if (item) {
                    json_object_del(item, "@context");
                    json_array_append_new(ld_items,
                                          json_pack("{s:s, s:I, s:s, s:o}", "@type", "ListItem",
                                                    "position",
                                                    (json_int_t)json_array_size(ld_items) + 1,
                                                    "url", u.data, "item", item));
                }
                vp_buf_free(&u);
            }
        }
        json_decref(r);
    }
    free(fskip);
    return out;
}

/* "1 keer" / "12 keer" onto a new JSON string. */
static json_t *times_json(uint64_t n)
{
    char t[48];
    snprintf(t, sizeof t, "%llu keer", (unsigned long long)n);
    return json_string(t);
}

/* The frame of both pages: title, canonical path, description, the
 * picture for shared links, JSON-LD (an ItemList of `items`, stolen). */
static json_t *frame(api_request *req, const char *title, const char *path, const char *desc,
                     json_t *items, const char *library)
{
    json_t *view = api_page_view(req, title, path, desc);
    if (!view) {
        json_decref(items);
        return NULL;
    }
    api_page_share(view, req, NULL, library);
    char base[512];
    api_base_url(req, base, sizeof base);
    vp_buf u;
    vp_buf_init(&u, 8192);
    vp_buf_puts(&u, base);
    vp_buf_puts(&u, path);
    json_t *ld = json_pack("{s:s, s:s, s:s, s:s?, s:I, s:o}", "@context", "https://schema.org",
                           "@type", "ItemList", "name", title, "url", u.data,
                           "numberOfItems", (json_int_t)json_array_size(items),
                           "itemListElement", items);
    vp_buf_free(&u);
    if (ld && desc)
        json_object_set_new(ld, "description", json_string(desc));
    api_page_jsonld(view, ld);
    json_decref(ld);
    json_object_set_new(view, "find_label", json_string("Zoek in het aanbod van alle bibliotheken"));
    return view;
}

/* The proposition's names: {id, name, task, aliases ("Taalcafe,
 * Praatcafé, ..."), search_href}. */
static json_t *prop_json(const vp_proposition *p)
{
    vp_buf a;
    vp_buf_init(&a, 8192);
    for (size_t i = 0; p->aliases && p->aliases[i]; i++) {
        if (strcmp(p->aliases[i], p->name) == 0)
            continue;
        if (a.len)
            vp_buf_puts(&a, ", ");
        vp_buf_puts(&a, p->aliases[i]);
    }
    vp_buf s;
    vp_buf_init(&s, 1024);
    vp_buf_puts(&s, "/?proposition=");
    api_buf_url(&s, p->id, 0);
    json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "id", p->id, "name", p->name, "task",
                          api_task_name(p->societal_task), "aliases", a.len ? a.data : NULL,
                          "search_href", s.data);
    vp_buf_free(&a);
    vp_buf_free(&s);
    return o;
}

/* The 503 of a search that failed with `st` and *err (cleared). */
static void fail(api_reply *r, vp_status st, vp_error *err)
{
    api_unavailable(r, st, err);
    vp_error_clear(err);
}

/* Renders proposition.html with `view` and its `proposition` part `v`
 * (both stolen; either may be NULL when memory ran out). */
static void render(api_request *req, api_reply *r, json_t *view, json_t *v)
{
    if (view && v)
        json_object_set(view, "proposition", v);
    json_decref(v);
    r->cache_control = "public, max-age=300";
    api_render(r, req, 200, "proposition", view);
    json_decref(view);
}

/* ---- /p/{proposition} ---- */

static void proposition_page(api_request *req, api_reply *r, const vp_proposition *p, place *pl,
                             size_t n_pl)
{
    vp_error err = VP_ERROR_INIT;
    vp_search_result *libs = NULL, *next = NULL, *online = NULL;
    want wl = {.prop = p->id, .facets = 1u << VP_FIELD_LIBRARY, .all_offerings = 1};
    want wn = {.prop = p->id, .sort = VP_SORT_DATE, .per_page = NEXT_COUNT};
    want wo = {.prop = p->id, .channel = "online", .sort = VP_SORT_DATE, .per_page = ONLINE_COUNT};
    vp_status st = find(req, &wl, &libs, &err);
    if (st == VP_OK)
        st = find(req, &wn, &next, &err);
    if (st == VP_OK)
        st = find(req, &wo, &online, &err);
    uint64_t *counts = NULL;
    if (st == VP_OK)
        st = place_counts(req, pl, n_pl, &counts, &err);
    size_t n_voc = vp_vocabulary_count(req->voc), at = 0;
    while (at < n_voc && vp_vocabulary_at(req->voc, at) != p)
        at++;
    json_t *places = json_array();
    for (size_t i = 0; st == VP_OK && i < n_pl && at < n_voc; i++) {
        uint64_t n = counts[i * n_voc + at];
        if (n == 0)
            continue;
        vp_buf h;
        vp_buf_init(&h, 1024);
        page_path(&h, p->id, pl[i].slug);
        json_array_append_new(places, json_pack("{s:s, s:s?, s:o}", "name", pl[i].name, "href",
                                                h.data, "count", times_json(n)));
        vp_buf_free(&h);
    }
    free(counts);
    if (st != VP_OK) {
        fail(r, st, &err);
        goto done;
    }
    json_t *lib_list = json_array();
    for (size_t i = 0; i < libs->n_facets[VP_FIELD_LIBRARY]; i++) {
        const vp_facet_value *f = &libs->facets[VP_FIELD_LIBRARY][i];
        const vp_library_info *li = vp_network_get(req->cfg->network, f->value);
        json_array_append_new(lib_list, json_pack("{s:s, s:o}", "name", li ? li->name : f->value,
                                                  "count", times_json(f->count)));
    }
    uint64_t total = libs->total_offerings;
    size_t n_libs = libs->n_facets[VP_FIELD_LIBRARY];
    char desc[600];
    if (total)
        snprintf(desc, sizeof desc,
                 "%s bij de openbare bibliotheek: nu %llu keer op het programma bij %zu "
                 "bibliothe%s, met de data en plaatsen.",
                 p->name, (unsigned long long)total, n_libs, n_libs == 1 ? "ek" : "ken");
    else
        snprintf(desc, sizeof desc, "%s bij de openbare bibliotheek.", p->name);
    json_t *items = json_array();
    json_t *next_cards = cards(req, next, NULL, NEXT_COUNT, items);
    json_t *online_cards = cards(req, online, NULL, ONLINE_COUNT, NULL);
    vp_buf path;
    vp_buf_init(&path, 1024);
    page_path(&path, p->id, NULL);
    json_t *view = frame(req, p->name, path.data ? path.data : "/", desc, items, NULL);
    vp_buf_free(&path);
    if (view && !total)
        api_page_robots(view, "noindex, follow");
    int has_places = json_array_size(places) > 0, has_online = json_array_size(online_cards) > 0,
        has_upcoming = json_array_size(next_cards) > 0;
    json_t *v = json_pack("{s:o, s:s, s:b, s:I, s:o, s:o, s:o, s:o, s:b, s:b, s:b, s:b}", "prop",
                          prop_json(p), "title", p->name, "empty", total == 0, "total",
                          (json_int_t)total, "libraries", lib_list, "places", places, "upcoming",
                          next_cards, "online", online_cards, "has_places", has_places,
                          "has_online", has_online, "has_upcoming", has_upcoming,
                          "has_libraries", n_libs > 0);
    places = NULL;
    render(req, r, view, v);
done:
    json_decref(places);
    vp_search_result_destroy(libs);
    vp_search_result_destroy(next);
    vp_search_result_destroy(online);
}

/* ---- /p/{proposition}/{municipality} ---- */

static void municipality_page(api_request *req, api_reply *r, const vp_proposition *p,
                              const place *pl)
{
    vp_error err = VP_ERROR_INIT;
    vp_search_result *there = NULL, *near = NULL, *online = NULL;
    want wt = {.prop = p->id, .municipality = pl->name, .sort = VP_SORT_DATE,
               .per_page = THERE_COUNT, .facets = 1u << VP_FIELD_LIBRARY};
    vp_status st = find(req, &wt, &there, &err);
    if (st == VP_OK && there->total == 0) {
        /* Nothing on: gone when it had offerings, else never a page. */
        uint64_t past = 0;
        st = place_count(req, pl, p->id, 1, &past, NULL, &err);
        if (st == VP_OK) {
            char title[600], text[900];
            snprintf(title, sizeof title, "%s in %s: nu niets op het programma", p->name, pl->name);
            snprintf(text, sizeof text,
                     past ? "Er is op dit moment geen %s in %s. Kijk hieronder in het aanbod "
                            "van alle bibliotheken, of op de pagina over %s."
                          : "Er is geen %s in %s. Kijk hieronder in het aanbod van alle "
                            "bibliotheken, of op de pagina over %s.",
                     p->name, pl->name, p->name);
            api_reply_friendly(r, req, past ? 410 : 404, title, text);
        }
    }
    if (st != VP_OK) {
        fail(r, st, &err);
        goto done;
    }
    if (there->total == 0)
        goto done;
    want wn = {.prop = p->id, .near = pl, .sort = VP_SORT_DISTANCE, .per_page = 30};
    want wo = {.prop = p->id, .channel = "online", .sort = VP_SORT_DATE, .per_page = ONLINE_COUNT};
    if (pl->n_loc)
        st = find(req, &wn, &near, &err);
    if (st == VP_OK)
        st = find(req, &wo, &online, &err);
    if (st != VP_OK) {
        fail(r, st, &err);
        goto done;
    }
    char title[600], desc[900];
    snprintf(title, sizeof title, "%s in %s", p->name, pl->name);
    snprintf(desc, sizeof desc,
             "%s bij de bibliotheek in %s: wat er op het programma staat, met data en plaatsen, "
             "en wat er in de buurt en online is.",
             p->name, pl->name);
    json_t *items = json_array();
    json_t *there_cards = cards(req, there, NULL, THERE_COUNT, items);
    json_t *near_cards = cards(req, near, pl->name, NEARBY_COUNT, NULL);
    json_t *online_cards = cards(req, online, NULL, ONLINE_COUNT, NULL);
    /* The library whose picture a shared link shows: the one that offers most there. */
    const char *lib = there->n_facets[VP_FIELD_LIBRARY] ? there->facets[VP_FIELD_LIBRARY][0].value
                                                        : NULL;
    vp_buf path, back;
    vp_buf_init(&path, 1024);
    vp_buf_init(&back, 1024);
    page_path(&path, p->id, pl->slug);
    page_path(&back, p->id, NULL);
    json_t *view = frame(req, title, path.data ? path.data : "/", desc, items, lib);
    int has_nearby = json_array_size(near_cards) > 0, has_online = json_array_size(online_cards) > 0,
        has_upcoming = json_array_size(there_cards) > 0;
    json_t *v = json_pack("{s:o, s:s, s:{s:s, s:s?}, s:o, s:I, s:o, s:o, s:o, s:b, s:b, s:b, "
                          "s:s?, s:i}",
                          "prop", prop_json(p), "title", title, "place", "name", pl->name,
                          "province", pl->province, "count", times_json(there->total_offerings),
                          "total", (json_int_t)there->total, "upcoming", there_cards, "nearby",
                          near_cards, "online", online_cards, "has_nearby", has_nearby,
                          "has_online", has_online, "has_upcoming", has_upcoming, "back_href",
                          back.data, "radius", (int)NEARBY_KM);
    vp_buf_free(&path);
    vp_buf_free(&back);
    render(req, r, view, v);
done:
    vp_search_result_destroy(there);
    vp_search_result_destroy(near);
    vp_search_result_destroy(online);
}

void api_handle_proposition_page(api_request *req, api_reply *r)
{
    /* Links from elsewhere carry utm_*, fbclid and the like: ignored. */
    char id[128], slug[128];
    const char *tail = req->tail, *slash = strchr(tail, '/');
    size_t idn = slash ? (size_t)(slash - tail) : strlen(tail);
    const vp_proposition *p = NULL;
    if (idn < sizeof id) {
        memcpy(id, tail, idn);
        id[idn] = '\0';
        p = vp_vocabulary_get(req->voc, id);
    }
    const char *want_slug = slash ? slash + 1 : NULL;
    if (!p || (want_slug && (!*want_slug || strchr(want_slug, '/') ||
                             strlen(want_slug) >= sizeof slug))) {
        api_reply_friendly(r, req, 404, "Deze pagina bestaat niet",
                           "We kennen dit aanbod niet. Zoek hieronder naar wat er is, of bekijk "
                           "welke bibliotheek wat aanbiedt.");
        return;
    }
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_index_refresh(req->index, &err);
    if (st != VP_OK) {
        fail(r, st, &err);
        return;
    }
    place *pl = calloc(MAX_PLACES, sizeof *pl);
    if (!pl) {
        api_error(r, 503, "unavailable", "out of memory", NULL);
        return;
    }
    size_t n_pl = network_places(req->cfg->network, pl, MAX_PLACES);
    if (!want_slug) {
        proposition_page(req, r, p, pl, n_pl);
    } else {
        /* "Amersfoort", "den haag" find their page too: sent on to its address. */
        int found = place_slug(want_slug, slug, sizeof slug) == 0;
        size_t i = 0;
        while (found && i < n_pl && strcmp(pl[i].slug, slug) != 0)
            i++;
        if (!found || i == n_pl) {
            api_reply_friendly(r, req, 404, "Deze pagina bestaat niet",
                               "Deze gemeente kennen we niet. Zoek hieronder naar wat er is, of "
                               "bekijk welke bibliotheek wat aanbiedt.");
        } else if (strcmp(want_slug, slug) != 0) {
            char base[512];
            api_base_url(req, base, sizeof base);
            vp_buf loc;
            vp_buf_init(&loc, 2048);
            vp_buf_puts(&loc, base);
            page_path(&loc, p->id, slug);
            r->status = 301;
            r->body = "";
            r->body_len = 0;
            r->content_type = "text/plain; charset=utf-8";
            r->cache_control = "public, max-age=3600";
            api_reply_header(r, "Location", loc.data ? loc.data : "/");
            vp_buf_free(&loc);
        } else {
            municipality_page(req, r, p, &pl[i]);
        }
    }
    free(pl);
}

vp_status api_buf_proposition_path(vp_buf *b, const api_request *req, const char *prop,
                                   const char *municipality)
{
    char slug[128];
    int local = 0;
    if (municipality && place_slug(municipality, slug, sizeof slug) == 0) {
        const vp_network *net = req->cfg->network;
        for (size_t i = 0; !local && i < vp_network_count(net); i++) {
            const vp_library_info *li = vp_network_at(net, i);
            for (size_t k = 0; !local && k < li->n_branches; k++) {
                char other[128];
                local = li->branches[k].municipality &&
                        place_slug(li->branches[k].municipality, other, sizeof other) == 0 &&
                        strcmp(other, slug) == 0;
            }
        }
    }
    return page_path(b, prop, local ? slug : NULL);
}

/* Appends base + /p/PROP[/SLUG] to a list of sitemap entries. */
static vp_status sitemap_loc(json_t *urls, const char *base, const char *prop, const char *slug)
{
    vp_buf u;
    vp_buf_init(&u, 8192);
    vp_status st = vp_buf_puts(&u, base);
    if (st == VP_OK)
        st = page_path(&u, prop, slug);
    if (st == VP_OK && (!u.data || json_array_append_new(urls, json_pack("{s:s}", "loc", u.data))))
        st = VP_ERR_NOMEM;
    vp_buf_free(&u);
    return st;
}

vp_status api_propositions_sitemap(api_request *req, json_t *urls, const char *base)
{
    size_t n_voc = vp_vocabulary_count(req->voc);
    /* A proposition's own page when it is on anywhere (online too). */
    vp_search_result *all = NULL;
    want w = {.facets = 1u << VP_FIELD_PROPOSITION, .all_offerings = 1};
    vp_status st = find(req, &w, &all, NULL);
    for (size_t k = 0; st == VP_OK && k < n_voc; k++) {
        const char *id = vp_vocabulary_at(req->voc, k)->id;
        if (facet_count(all, VP_FIELD_PROPOSITION, id))
            st = sitemap_loc(urls, base, id, NULL);
    }
    vp_search_result_destroy(all);
    /* Each municipality's page of each proposition on there now. */
    place *pl = st == VP_OK ? calloc(MAX_PLACES, sizeof *pl) : NULL;
    uint64_t *counts = NULL;
    if (st == VP_OK && !pl)
        st = VP_ERR_NOMEM;
    size_t n_pl = pl ? network_places(req->cfg->network, pl, MAX_PLACES) : 0;
    if (st == VP_OK)
        st = place_counts(req, pl, n_pl, &counts, NULL);
    for (size_t i = 0; st == VP_OK && i < n_pl; i++)
        for (size_t k = 0; st == VP_OK && k < n_voc; k++)
            if (counts[i * n_voc + k])
                st = sitemap_loc(urls, base, vp_vocabulary_at(req->voc, k)->id, pl[i].slug);
    free(counts);
    free(pl);
    return st;
}
