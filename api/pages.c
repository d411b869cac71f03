/* pages.c - the search page / (index.html), the offering page /o/{id}
 * (offering.html) with its schema.org JSON-LD, and what makes offerings
 * findable from ordinary web search: /sitemap.xml (sitemap-index.xml,
 * sitemap.xml) and /robots.txt. Every string from the index goes into a
 * view model as text for the template to escape (site.h); the escaping
 * suits XML as well as HTML. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "site.h"
#include "vindplaats/buf.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"

/* Past offerings keep their page this long after their last date (with a
 * notice and noindex), then answer 410 Gone so search engines drop them. */
#define GONE_AFTER_DAYS 30
#define SITEMAP_PER_PAGE 100
#define MAX_OCC 1000
#define DATES_SHOWN 3 /* an offering page's dates in view */
#define DATES_MAX 10  /* ... and with the folded ones */

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* ---- /o/{id} ---- */

/* The view of an offering page: the frame's fields, then the offering. */
static json_t *offering_view(api_request *req, json_t *doc, json_t *res, int ended,
                             const char *path, json_t *ld)
{
    const char *id = jstr(doc, "id"), *title = jstr(doc, "title"), *d = jstr(doc, "description");
    char *desc = NULL;
    if (d) {
        /* A description for search results and shared links: at most 200
         * bytes, a longer text cut after its last whole word (with "…"
         * unless that ends a sentence). */
        size_t len = strlen(d), n = len > 200 ? 200 : len;
        while (n > 0 && n < len && ((unsigned char)d[n] & 0xC0) == 0x80)
            n--;
        if (n < len) {
            size_t w = n;
            while (w > 0 && d[w] != ' ')
                w--;
            if (w > 0)
                n = w;
            while (n > 0 && strchr(" ,;:", d[n - 1]))
                n--;
        }
        desc = malloc(n + 4);
        if (desc) {
            memcpy(desc, d, n);
            /* a cut after a whole sentence needs no "…" */
            strcpy(desc + n, n > 0 && n < len && d[n - 1] != '.' ? "…" : "");
        }
    }
    json_t *view = api_page_view(req, title ? title : id, path, desc);
    free(desc);
    if (!view)
        return NULL;
    vp_buf b;
    vp_buf_init(&b, 4096);
    vp_status bst = vp_buf_puts(&b, "/v1/offerings/");
    if (bst == VP_OK)
        bst = api_buf_url(&b, id, 1);
    if (bst == VP_OK)
        api_page_alternate(view, "application/json", NULL, b.data);
    vp_buf_free(&b);
    if (ended)
        api_page_robots(view, "noindex");
    api_page_share(view, req, doc, jstr(doc, "library"));
    api_page_jsonld(view, ld);

    json_t *o = json_pack("{s:s, s:s?, s:s, s:b, s:s?}", "type_label",
                          api_type_label(jstr(doc, "type")), "channel_label",
                          api_channel_label(jstr(doc, "channel")), "title", title ? title : id,
                          "ended", ended, "description", d);
    if (!o || json_object_set_new(view, "offering", o) != 0) {
        json_decref(view);
        return NULL;
    }
    const char *ln = jstr(res, "local_name"), *pn = jstr(res, "proposition_name");
    json_t *prop = ln || pn ? json_pack("{s:s, s:s?}", "name", ln ? ln : pn, "also",
                                        ln && pn && strcmp(ln, pn) != 0 ? pn : NULL)
                            : NULL;
    if (prop && jstr(doc, "proposition") && vp_vocabulary_get(req->voc, jstr(doc, "proposition"))) {
        /* The proposition's page: in the offering's municipality while it is on. */
        vp_buf_init(&b, 1024);
        api_buf_proposition_path(&b, req, jstr(doc, "proposition"),
                                 ended ? NULL : jstr(doc, "municipality"));
        if (b.data)
            json_object_set_new(prop, "href", json_string(b.data));
        vp_buf_free(&b);
    }
    if (prop)
        json_object_set_new(o, "prop", prop);
    /* The next DATES_SHOWN dates in view, the others up to DATES_MAX
     * folded behind "Nog N data": a long course does not push the place
     * and the sign-up button off a phone's screen. */
    json_t *dates = json_array(), *later = json_array();
    json_t *st[MAX_OCC], *en[MAX_OCC];
    size_t n = api_occurrences(doc, st, en, MAX_OCC), shown = 0;
    int64_t now = api_clock(req);
    for (size_t i = 0; i < n && shown < DATES_MAX; i++) {
        if (!ended && api_occurrence_until(st[i], en[i]) < now)
            continue;
        json_array_append_new(shown < DATES_SHOWN ? dates : later,
                              json_pack("{s:b, s:O, s:o}", "first", shown == 0, "start", st[i],
                                        "text",
                                        api_when_json(json_string_value(st[i]),
                                                      json_string_value(en[i]))));
        shown++;
    }
    json_object_set_new(o, "dates", dates);
    json_object_set_new(o, "has_dates", json_boolean(shown > 0));
    if (json_array_size(later)) {
        char text[32];
        size_t k = json_array_size(later);
        snprintf(text, sizeof text, k == 1 ? "Nog %zu datum" : "Nog %zu data", k);
        json_object_set_new(o, "later", json_pack("{s:s, s:o}", "text", text, "dates", later));
    } else {
        json_decref(later);
    }
    json_t *series = api_series_view(json_object_get(res, "series"), VP_SEARCH_MAX_SERIES);
    if (series)
        json_object_set_new(o, "series", series);
    if (jstr(doc, "branch_name") || jstr(doc, "library_name") || jstr(doc, "library")) {
        vp_buf_init(&b, 4096);
        bst = api_buf_where(&b, doc);
        const char *mun = jstr(doc, "municipality"), *branch = jstr(doc, "branch_name");
        if (mun && !(branch && strstr(branch, mun))) {
            vp_buf_adds(&b, &bst, ", ");
            vp_buf_adds(&b, &bst, mun);
        }
        if (bst == VP_OK && b.data)
            json_object_set_new(o, "where", json_string(b.data));
        vp_buf_free(&b);
    }
    /* The place on a map, for what is not only online. */
    json_t *loc = json_object_get(doc, "location");
    json_t *lat = json_object_get(loc, "lat"), *lon = json_object_get(loc, "lon");
    const char *channel = jstr(doc, "channel");
    if (json_is_number(lat) && json_is_number(lon) && !(channel && strcmp(channel, "online") == 0)) {
        char map[160];
        double y = json_number_value(lat), x = json_number_value(lon);
        snprintf(map, sizeof map,
                 "https://www.openstreetmap.org/?mlat=%.5f&mlon=%.5f#map=17/%.5f/%.5f", y, x, y, x);
        json_object_set_new(o, "map", json_string(map));
    }
    vp_buf_init(&b, 256);
    bst = api_buf_price(&b, json_object_get(doc, "price"));
    if (bst == VP_OK && b.data)
        json_object_set_new(o, "price", json_string(b.data));
    vp_buf_free(&b);
    json_t *creators = json_object_get(doc, "creators");
    if (json_array_size(creators)) {
        vp_buf_init(&b, 1 << 16);
        size_t i;
        json_t *c;
        json_array_foreach(creators, i, c) {
            if (i)
                vp_buf_puts(&b, ", ");
            if (json_is_string(c))
                vp_buf_puts(&b, json_string_value(c));
        }
        if (b.data)
            json_object_set_new(o, "creators", json_string(b.data));
        vp_buf_free(&b);
    }
    const char *url = jstr(doc, "url"), *lib = jstr(doc, "library_name");
    if (url && !ended && (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0)) {
        vp_buf_init(&b, 1024);
        vp_buf_puts(&b, "Meer informatie en aanmelden");
        if (lib) {
            vp_buf_puts(&b, " bij ");
            vp_buf_puts(&b, lib);
        }
        json_object_set_new(o, "act", json_pack("{s:s, s:s}", "href", url, "label",
                                                b.data ? b.data : ""));
        vp_buf_free(&b);
    }
    json_object_set_new(view, "find_label",
                        json_string("Zoek meer in het aanbod van alle bibliotheken"));
    return view;
}

static void offering_page(api_request *req, api_reply *r, json_t *doc, json_t *res, int ended)
{
    char base[512];
    api_base_url(req, base, sizeof base);
    const char *id = jstr(doc, "id");
    vp_buf path;
    vp_buf_init(&path, 4096);
    vp_status st = api_buf_offering_url(&path, "", id);
    char *page_url = st == VP_OK ? malloc(strlen(base) + path.len + 1) : NULL;
    if (!page_url) {
        vp_buf_free(&path);
        api_status_error(r, st == VP_OK ? VP_ERR_NOMEM : st, NULL);
        return;
    }
    sprintf(page_url, "%s%s", base, path.data);
    json_t *ld = api_offering_jsonld(doc, page_url, api_clock(req));
    json_t *view = offering_view(req, doc, res, ended, path.data, ld);
    r->cache_control = "public, max-age=300";
    api_render(r, req, 200, "offering", view);
    json_decref(view);
    json_decref(ld);
    free(page_url);
    vp_buf_free(&path);
}

void api_handle_offering_page(api_request *req, api_reply *r)
{
    /* Links from elsewhere carry utm_*, fbclid and the like: ignored. */
    json_t *doc = NULL;
    vp_error e = VP_ERROR_INIT;
    vp_status st = api_offering_doc(req, req->tail, &doc, &e);
    if (st == VP_ERR_NOT_FOUND) {
        api_reply_friendly(r, req, 404, "Dit aanbod bestaat niet (meer)",
                           "We kunnen deze pagina niet vinden. Misschien is het aanbod verplaatst "
                           "of verwijderd. Zoek hieronder naar wat er nu is.");
    } else if (st != VP_OK) {
        api_unavailable(r, st, &e);
    } else {
        int64_t now = api_clock(req);
        json_t *res = api_result_doc(req->tail, doc, NULL, 0, -1, req->voc, now, NULL);
        /* The other dates of the same activity; none when they cannot be had. */
        vp_search_date *dates = NULL;
        size_t n_dates = 0;
        if (res && vp_search_series(req->index, req->tail, now, &dates, &n_dates, NULL) == VP_OK)
            json_object_set_new(res, "series", api_series_json(dates, n_dates, n_dates));
        vp_search_dates_free(dates, n_dates);
        if (!doc || !res)
            api_error(r, 503, "unavailable", "out of memory", NULL);
        else if (api_offering_ended(doc, now - (int64_t)GONE_AFTER_DAYS * 86400))
            api_reply_friendly(r, req, 410, "Dit aanbod is voorbij",
                               "Deze activiteit heeft al plaatsgevonden. Zoek hieronder naar wat er "
                               "nu is.");
        else
            offering_page(req, r, doc, res, api_offering_ended(doc, now));
        json_decref(res);
    }
    json_decref(doc);
    vp_error_clear(&e);
}

/* ---- / ---- */

/* The choices of the search form: the radius around a place and the order. */
static const char *const RADII[] = {"5", "10", "25", "50", "100"};
static const char *const SORTS[][2] = {
    {"relevance", "Best passend"}, {"date", "Eerstvolgende datum"}, {"distance", "Dichtstbij"}};

/* The value of `key` among the parameters (the last one), or "". */
static const char *given(const api_request *req, const char *key)
{
    const char *v = "";
    for (size_t i = 0; i < req->params->count; i++)
        if (strcmp(req->params->items[i].key, key) == 0)
            v = req->params->items[i].value;
    return v;
}

/* What the form shows: the search as given, so a shared address shows
 * its own choices. */
static json_t *home_form(const api_request *req)
{
    const char *radius = given(req, "radius_km"), *sort = given(req, "sort");
    json_t *radii = json_array(), *sorts = json_array();
    for (size_t i = 0; i < sizeof RADII / sizeof RADII[0]; i++) {
        char label[32];
        snprintf(label, sizeof label, "binnen %s km", RADII[i]);
        int sel = *radius ? strcmp(radius, RADII[i]) == 0 : strcmp(RADII[i], "25") == 0;
        json_array_append_new(radii, json_pack("{s:s, s:s, s:b}", "value", RADII[i], "label",
                                               label, "selected", sel));
    }
    for (size_t i = 0; i < sizeof SORTS / sizeof SORTS[0]; i++)
        json_array_append_new(sorts, json_pack("{s:s, s:s, s:b}", "value", SORTS[i][0], "label",
                                               SORTS[i][1], "selected",
                                               strcmp(sort, SORTS[i][0]) == 0));
    const char *free_ = given(req, "free");
    return json_pack("{s:s, s:s, s:o, s:o, s:b}", "q", given(req, "q"), "place",
                     given(req, "place"), "radii", radii, "sorts", sorts, "free",
                     strcmp(free_, "true") == 0 || strcmp(free_, "1") == 0);
}

/* A refused search in the words of the page, for the field it names. */
static const char *home_problem(const vp_error *err)
{
    const char *parameter = err->parameter ? err->parameter : "";
    if (strcmp(parameter, "place") == 0 || strcmp(parameter, "postcode") == 0)
        return "Deze plaats kennen we niet, of er zijn meer plaatsen met deze naam. Vul een "
               "postcode in (bijvoorbeeld 3811) of een andere plaatsnaam.";
    if (strcmp(parameter, "sort") == 0)
        return "Sorteren op afstand kan alleen met een postcode of plaats.";
    if (strcmp(parameter, "radius_km") == 0)
        return "Kies een afstand uit de lijst.";
    return NULL;
}

/* The address of the same search on page `page`: the search parameters
 * the engine took, in the order given. */
static char *home_page_url(const api_request *req, unsigned page)
{
    vp_buf b;
    vp_buf_init(&b, 8192);
    vp_buf_puts(&b, "/?");
    int first = 1;
    for (size_t i = 0; i < req->params->count; i++) {
        const api_param *p = &req->params->items[i];
        if (!p->used || !*p->value || strcmp(p->key, "page") == 0)
            continue;
        if (!first)
            vp_buf_puts(&b, "&");
        first = 0;
        api_buf_url(&b, p->key, 0);
        vp_buf_puts(&b, "=");
        api_buf_url(&b, p->value, 0);
    }
    vp_buf_printf(&b, "%spage=%u", first ? "" : "&", page);
    return vp_buf_steal(&b);
}

/* The results of a search without JavaScript, as cards. */
static void home_results(api_request *req, json_t *home, vp_search_request *sr)
{
    vp_search_result *res = NULL;
    sr->now = api_clock(req);
    sr->ranking = req->cfg->ranking;
    /* A facet makes the engine count every match: an exact total. */
    sr->facets = 1u << VP_FIELD_TYPE;
    vp_error perr = VP_ERROR_INIT;
    vp_status st = vp_search_execute(req->index, sr, &res, &perr);
    if (st != VP_OK) {
        json_object_set_new(home, "error",
                            json_string(st == VP_ERR_INVALID && home_problem(&perr)
                                            ? home_problem(&perr)
                                            : "Zoeken lukt nu niet. Probeer het zo opnieuw."));
        vp_error_clear(&perr);
        return;
    }
    /* A search made without JavaScript is a search like any other for
     * what residents look for and do not find. */
    char qid[17];
    api_insights_log(req, sr, res, NULL, qid);
    json_t *cards = json_array();
    for (size_t i = 0; i < res->n_hits; i++) {
        json_t *o = api_hit_json(&res->hits[i], 1, req->voc, sr->now);
        if (!o)
            continue;
        json_object_set_new(o, "series", api_series_json(res->hits[i].series, res->hits[i].n_series,
                                                         res->hits[i].series_count));
        json_array_append_new(cards, api_card_view(o, NULL, 3));
        json_decref(o);
    }
    char text[160];
    if (res->total == 0)
        snprintf(text, sizeof text, "Geen resultaten");
    else if (res->total == 1)
        snprintf(text, sizeof text, "1 resultaat");
    else
        snprintf(text, sizeof text, "%llu resultaten", (unsigned long long)res->total);
    json_object_set_new(home, "count_text", json_string(text));
    if (res->total_offerings > res->total) {
        snprintf(text, sizeof text, "%llu keer aangeboden: een resultaat kan meer data of "
                 "edities hebben", (unsigned long long)res->total_offerings);
        json_object_set_new(home, "offered_text", json_string(text));
    }
    json_object_set_new(home, "empty", json_boolean(res->total == 0));
    json_object_set_new(home, "results", cards);
    unsigned long shown_to = (unsigned long)(sr->page - 1) * sr->per_page + res->n_hits;
    if (res->total > sr->per_page || sr->page > 1) {
        snprintf(text, sizeof text, "%lu–%lu van %llu",
                 res->n_hits ? (unsigned long)(sr->page - 1) * sr->per_page + 1 : 0, shown_to,
                 (unsigned long long)res->total);
        json_object_set_new(home, "shown", json_string(text));
    }
    if (res->n_hits == sr->per_page && shown_to < res->total &&
        (unsigned long)(sr->page + 1) * sr->per_page <= VP_SEARCH_MAX_WINDOW) {
        char *next = home_page_url(req, sr->page + 1);
        if (next)
            json_object_set_new(home, "next", json_string(next));
        free(next);
    }
    vp_search_result_destroy(res);
}

void api_handle_home(api_request *req, api_reply *r)
{
    /* With JavaScript the widget reads the query string (?q=, filters,
     * place) and searches itself; without it, the same address is
     * answered here with the results as cards. Parameters the search does
     * not know (utm_source, ...) are left alone. */
    json_t *view = api_page_view(req, "Zoeken in het aanbod van alle bibliotheken", "/",
                                 "Eén zoekvak voor cursussen, activiteiten, e-books en diensten "
                                 "van de openbare bibliotheken.");
    api_page_script(view, "/widget.js");
    json_t *home = home_form(req);
    if (view && home)
        json_object_set(view, "home", home);
    /* The form always sends its radius: without a place it means nothing. */
    if (!*given(req, "place") && !*given(req, "postcode") && !*given(req, "near"))
        for (size_t i = 0; i < req->params->count; i++)
            if (strcmp(req->params->items[i].key, "radius_km") == 0)
                req->params->items[i].value = "";
    vp_search_request sr;
    api_search_storage storage;
    vp_error perr = VP_ERROR_INIT;
    unsigned status = 200;
    int searched = 0;
    if (vp_search_request_parse(req->params->items, req->params->count, req->voc,
                                req->cfg->postcodes, &sr, &storage, &perr) != VP_OK) {
        status = 400;
        const char *problem = home_problem(&perr);
        char msg[600];
        if (!problem) {
            snprintf(msg, sizeof msg, "Deze zoekopdracht kunnen we niet uitvoeren (%.500s).",
                     perr.message ? perr.message : vp_status_str(perr.status));
            problem = msg;
        }
        if (home)
            json_object_set_new(home, "error", json_string(problem));
        vp_error_clear(&perr);
    } else {
        for (size_t i = 0; i < req->params->count; i++)
            if (req->params->items[i].used && *req->params->items[i].value &&
                strcmp(req->params->items[i].key, "page") != 0)
                searched = 1;
    }
    if (searched && home) {
        json_object_set_new(home, "searched", json_true());
        home_results(req, home, &sr);
    }
    if (searched || status != 200)
        api_page_robots(view, "noindex, follow");
    r->cache_control = searched || status != 200 ? "no-cache" : "public, max-age=300";
    api_render(r, req, status, "index", view);
    json_decref(home);
    json_decref(view);
}

/* ---- /sitemap.xml ---- */

static const char *param(api_request *req, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; i < req->params->count; i++)
        if (strcmp(req->params->items[i].key, key) == 0) {
            v = req->params->items[i].value;
            req->params->items[i].used = 1;
        }
    return v;
}

static int id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= 200 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == n;
}

/* A search over everything current, with a library (and type) filter:
 * every offering, not one per work, since each has its own page. */
static vp_status run(api_request *req, const char *library, const char *type, unsigned facets,
                     unsigned page, unsigned per_page, vp_search_result **res, vp_error *err)
{
    vp_search_request sr = {
        .all_offerings = 1, .page = page, .per_page = per_page, .facets = facets};
    const char *lib[1] = {library}, *ty[1] = {type};
    api_search_filter(&sr, VP_FIELD_LIBRARY, lib);
    api_search_filter(&sr, VP_FIELD_TYPE, ty);
    return api_search_run(req, &sr, res, err);
}

#define SITEMAP_CAP (64u << 20)
#define SITEMAP_TYPE "application/xml; charset=utf-8"

/* Appends base + path (+ query) to a list of sitemap addresses. */
/* Adds the sitemap at base + loc_path + extra_query (may be NULL) to
 * `list`; nothing when `st` holds a failure of building extra_query. */
static void sitemap_entry(json_t *list, const char *base, const char *loc_path,
                          const char *extra_query, vp_status st)
{
    vp_buf u;
    vp_buf_init(&u, 8192);
    vp_buf_adds(&u, &st, base);
    vp_buf_adds(&u, &st, loc_path);
    if (extra_query)
        vp_buf_adds(&u, &st, extra_query);
    if (st == VP_OK)
        json_array_append_new(list, json_string(u.data));
    vp_buf_free(&u);
}

static void sitemap_index(api_request *req, api_reply *r, const char *base)
{
    vp_search_result *res = NULL;
    vp_error err = VP_ERROR_INIT;
    vp_status st = run(req, NULL, NULL, 1u << VP_FIELD_LIBRARY, 1, 1, &res, &err);
    if (st != VP_OK) {
        api_unavailable(r, st, &err);
        vp_error_clear(&err);
        return;
    }
    vp_buf q;
    vp_buf_init(&q, 1024);
    json_t *maps = json_array();
    sitemap_entry(maps, base, "/sitemap.xml?part=pages", NULL, VP_OK);
    for (size_t i = 0; i < res->n_facets[VP_FIELD_LIBRARY]; i++) {
        const vp_facet_value *f = &res->facets[VP_FIELD_LIBRARY][i];
        if (!id_ok(f->value))
            continue;
        if (f->count <= VP_SEARCH_MAX_WINDOW) {
            vp_buf_free(&q);
            vp_status qst = vp_buf_puts(&q, "&library=");
            if (qst == VP_OK)
                qst = api_buf_url(&q, f->value, 0);
            sitemap_entry(maps, base, "/sitemap.xml?part=offerings", q.data, qst);
            continue;
        }
        /* A search shows at most 10,000: a large library gets one per type. */
        vp_search_result *t = NULL;
        if (run(req, f->value, NULL, 1u << VP_FIELD_TYPE, 1, 1, &t, NULL) != VP_OK)
            continue;
        for (size_t k = 0; k < t->n_facets[VP_FIELD_TYPE]; k++) {
            vp_buf_free(&q);
            vp_status qst = vp_buf_puts(&q, "&library=");
            if (qst == VP_OK)
                qst = api_buf_url(&q, f->value, 0);
            vp_buf_adds(&q, &qst, "&type=");
            if (qst == VP_OK)
                qst = api_buf_url(&q, t->facets[VP_FIELD_TYPE][k].value, 0);
            sitemap_entry(maps, base, "/sitemap.xml?part=offerings", q.data, qst);
        }
        vp_search_result_destroy(t);
    }
    vp_search_result_destroy(res);
    vp_buf_free(&q);
    json_t *view = json_pack("{s:o}", "sitemaps", maps);
    r->cache_control = "public, max-age=3600";
    api_render_doc(r, req, "sitemap-index", view, SITEMAP_TYPE, SITEMAP_CAP);
    json_decref(view);
}

/* Appends a page's address (and when it last changed, when that is a
 * date) to a list of sitemap URLs. */
static void url_entry(json_t *urls, const char *base, const char *path_escaped,
                      const char *lastmod)
{
    vp_datetime dt;
    vp_buf u;
    vp_buf_init(&u, 8192);
    vp_buf_puts(&u, base);
    vp_buf_puts(&u, path_escaped);
    if (u.data)
        json_array_append_new(urls, json_pack("{s:s, s:s?}", "loc", u.data, "lastmod",
                                              lastmod && vp_datetime_parse(lastmod, &dt) == 0
                                                  ? lastmod
                                                  : NULL));
    vp_buf_free(&u);
}

static void sitemap_pages(api_request *req, api_reply *r, const char *base)
{
    json_t *urls = json_array();
    url_entry(urls, base, "/", NULL);
    url_entry(urls, base, "/services", NULL);
    /* A sitemap that leaves pages out tells crawlers they are gone: when
     * one part cannot be listed whole, no sitemap is served (503, try again). */
    vp_status st = urls ? api_campaigns_sitemap(req, urls, base) : VP_ERR_NOMEM;
    if (st == VP_OK)
        st = api_propositions_sitemap(req, urls, base);
    if (st != VP_OK) {
        json_decref(urls);
        api_status_error(r, st, "the sitemap cannot be made now");
        return;
    }
    json_t *view = json_pack("{s:o}", "urls", urls);
    r->cache_control = "public, max-age=3600";
    api_render_doc(r, req, "sitemap", view, SITEMAP_TYPE, SITEMAP_CAP);
    json_decref(view);
}

static void sitemap_offerings(api_request *req, api_reply *r, const char *base, const char *library,
                              const char *type)
{
    vp_buf path;
    vp_buf_init(&path, 4096);
    json_t *urls = json_array();
    vp_status st = VP_OK;
    vp_error err = VP_ERROR_INIT;
    for (unsigned page = 1; page * SITEMAP_PER_PAGE <= VP_SEARCH_MAX_WINDOW; page++) {
        vp_search_result *res = NULL;
        st = run(req, library, type, 0, page, SITEMAP_PER_PAGE, &res, &err);
        if (st != VP_OK)
            break;
        for (size_t i = 0; i < res->n_hits; i++) {
            vp_buf_free(&path);
            if (api_buf_offering_url(&path, "", res->hits[i].id) == VP_OK)
                url_entry(urls, base, path.data, jstr(res->hits[i].doc, "updated"));
        }
        size_t got = res->n_hits;
        vp_search_result_destroy(res);
        if (got < SITEMAP_PER_PAGE)
            break;
    }
    vp_buf_free(&path);
    if (st != VP_OK) {
        api_unavailable(r, st, &err);
        vp_error_clear(&err);
        json_decref(urls);
        return;
    }
    json_t *view = json_pack("{s:o}", "urls", urls);
    r->cache_control = "public, max-age=3600";
    api_render_doc(r, req, "sitemap", view, SITEMAP_TYPE, SITEMAP_CAP);
    json_decref(view);
}

void api_handle_sitemap(api_request *req, api_reply *r)
{
    const char *part = param(req, "part"), *library = param(req, "library"),
               *type = param(req, "type");
    if (api_reject_unused(req->params, r) != 0)
        return;
    char base[512];
    api_base_url(req, base, sizeof base);
    vp_error e = VP_ERROR_INIT;
    if (vp_index_refresh(req->index, &e) != VP_OK) {
        api_error(r, 503, "unavailable", e.message ? e.message : "index unavailable", NULL);
        vp_error_clear(&e);
        return;
    }
    if (!part && !library && !type) {
        sitemap_index(req, r, base);
    } else if (part && strcmp(part, "pages") == 0 && !library && !type) {
        sitemap_pages(req, r, base);
    } else if (part && strcmp(part, "offerings") == 0 && library && id_ok(library)) {
        if (type && !vp_in_list(type, vp_offering_types)) {
            api_error(r, 400, "invalid_parameter",
                      "type: one of course, event, activity, ebook, audiobook, book, service",
                      "type");
            return;
        }
        sitemap_offerings(req, r, base, library, type);
    } else {
        api_error(r, 400, "invalid_parameter",
                  "part: pages, or offerings with library=ID (and type=TYPE); "
                  "/sitemap.xml without parameters lists them all",
                  "part");
    }
}

void api_handle_opensearch(api_request *req, api_reply *r)
{
    if (api_reject_unused(req->params, r) != 0)
        return;
    /* --public-url when set (https behind a proxy), else the Host header. */
    char base[512];
    api_base_url(req, base, sizeof base);
    json_t *view = json_pack("{s:s}", "base", base);
    r->cache_control = "public, max-age=300";
    api_render_doc(r, req, "opensearch", view, "application/opensearchdescription+xml; charset=utf-8",
                   1u << 16);
    json_decref(view);
}

void api_handle_robots(api_request *req, api_reply *r)
{
    if (api_reject_unused(req->params, r) != 0)
        return;
    char base[512];
    api_base_url(req, base, sizeof base);
    vp_buf b;
    vp_buf_init(&b, 4096);
    vp_buf_printf(&b,
                  "# Vindplaats: offerings (/o/) and campaign pages (/q/) are for everyone.\n"
                  "User-agent: *\n"
                  "Disallow: /v1/\n"
                  "Disallow: /opensearch/\n"
                  "Disallow: /insights\n"
                  "Disallow: /q/*/click\n"
                  "Allow: /\n"
                  "\n"
                  "Sitemap: %s/sitemap.xml\n",
                  base);
    api_reply_buf(r, 200, &b, "text/plain; charset=utf-8", "public, max-age=3600");
    vp_buf_free(&b);
}
