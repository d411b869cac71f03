/* handlers.c - the answers of each route. A handler fills an api_reply;
 * server.c sends it, so no handler touches libmicrohttpd. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "site.h"
#include "vindplaats/answer_cache.h"
#include "vindplaats/buf.h"
#include "vindplaats/index.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "vindplaats/suggest.h"


static json_t *day_json(int day)
{
    if (!day)
        return json_null();
    char s[16];
    snprintf(s, sizeof s, "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
    return json_string(s);
}

/* The relaxations that are not a field's filter: the parameter they
 * leave out and what that means in the Dutch of the search page. */
static const struct relaxation {
    int relaxed;
    const char *parameter, *words;
} relaxations[] = {
    {VP_RELAX_DATES, "from/to", "de datum"},
    {VP_RELAX_NEAR, "radius_km", "de afstand"},
    {VP_RELAX_FREE, "free", "het filter gratis"},
};

static const struct relaxation *relaxation_of(int relaxed)
{
    for (size_t i = 0; i < sizeof relaxations / sizeof *relaxations; i++)
        if (relaxations[i].relaxed == relaxed)
            return &relaxations[i];
    return NULL;
}

/* What leaving the filter out means, in the Dutch of the search page. */
static const char *relaxed_words(int relaxed)
{
    static const char *const fields[VP_FIELD_COUNT] = {
        [VP_FIELD_TYPE] = "de soort", [VP_FIELD_LIBRARY] = "de bibliotheek",
        [VP_FIELD_PROPOSITION] = "het aanbod", [VP_FIELD_AUDIENCE] = "de doelgroep",
        [VP_FIELD_CHANNEL] = "online of op locatie", [VP_FIELD_BRANCH] = "de vestiging",
        [VP_FIELD_MUNICIPALITY] = "de gemeente", [VP_FIELD_SOCIETAL_TASK] = "het thema",
        [VP_FIELD_LANGUAGE] = "de taal",
    };
    const struct relaxation *x = relaxation_of(relaxed);
    if (x)
        return x->words;
    return relaxed >= 0 && relaxed < VP_FIELD_COUNT ? fields[relaxed] : "dit filter";
}

static const char *relaxed_name(int relaxed)
{
    const struct relaxation *x = relaxation_of(relaxed);
    return x ? x->parameter : vp_field_name((vp_field)relaxed);
}

/* The place, day and age words of q and what they were taken for:
 * [{"kind", "text", "value"}], value a municipality, an audience group or
 * {"from", "to"}; a place also has its "label", its name as people write
 * it. */
static json_t *understood_json(const vp_search_result *res)
{
    json_t *list = json_array();
    for (size_t i = 0; i < res->n_understood; i++) {
        const vp_understood *u = &res->understood[i];
        json_t *value = u->kind == VP_UNDERSTOOD_DATE
                            ? json_pack("{s:o, s:o}", "from", day_json(u->from_day), "to",
                                        day_json(u->to_day))
                            : json_string(u->value);
        json_t *it = json_pack("{s:s, s:s, s:o}", "kind", vp_understood_kind_name(u->kind),
                               "text", u->text, "value", value);
        if (it && u->kind == VP_UNDERSTOOD_PLACE)
            json_object_set_new(it, "label", json_string(u->label[0] ? u->label : u->value));
        json_array_append_new(list, it);
    }
    return list;
}

/* did_you_mean, corrected, and when nothing was found what a librarian
 * would offer instead. */
static void add_spelling_and_help(json_t *out, const vp_search_result *res, const char *q,
                                  const vp_vocabulary *voc)
{
    json_object_set_new(out, "did_you_mean",
                        res->did_you_mean ? json_string(res->did_you_mean) : json_null());
    json_object_set_new(out, "corrected_query",
                        res->corrected_query ? json_string(res->corrected_query) : json_null());
    /* Said in so many words, so that a page never shows a correction or a
     * some-of-the-words answer as if it were what was asked. */
    json_object_set_new(out, "corrected",
                        res->corrected_query
                            ? json_pack("{s:s, s:s}", "from", q ? q : "", "to", res->corrected_query)
                            : json_null());
    json_object_set_new(out, "matched", json_string(res->any_words ? "some" : "all"));
    json_t *missing = json_array();
    for (size_t i = 0; res->missing_words && res->missing_words[i]; i++)
        json_array_append_new(missing, json_string(res->missing_words[i]));
    json_object_set_new(out, "missing_words", missing);
    if (res->total > 0) {
        json_object_set_new(out, "help", json_null());
        return;
    }
    json_t *help = json_object();
    char msg[512];
    snprintf(msg, sizeof msg, "Niets gevonden.");
    if (res->relaxed >= 0) {
        json_object_set_new(help, "without_filter",
                            json_pack("{s:s, s:I}", "parameter", relaxed_name(res->relaxed),
                                      "total", (json_int_t)res->relaxed_total));
        snprintf(msg, sizeof msg, "Niets gevonden. Zonder %s vindt u %llu %s.",
                 relaxed_words(res->relaxed), (unsigned long long)res->relaxed_total,
                 res->relaxed_total == 1 ? "resultaat" : "resultaten");
    }
    const vp_proposition *p = vp_vocabulary_get(voc, res->suggested_proposition);
    if (p)
        json_object_set_new(help, "proposition",
                            json_pack("{s:s, s:s}", "id", p->id, "name", p->name));
    json_object_set_new(help, "message", json_string(msg));
    json_object_set_new(out, "help", help);
}

/* json_string() of `s`, or null. */
static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* available_at and available_count of a search result: the offerings of
 * its work, or null for an offering without a work key. */
static void add_available(json_t *o, const vp_search_hit *h)
{
    if (!o)
        return;
    if (!h->available) {
        json_object_set_new(o, "available_at", json_null());
        json_object_set_new(o, "available_count", json_null());
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < h->n_available; i++) {
        const vp_search_offer *a = &h->available[i];
        json_t *entry =
            json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "id", a->id, "type", a->type,
                      "library", string_or_null(a->library), "library_name",
                      string_or_null(a->library_name), "branch", string_or_null(a->branch),
                      "branch_name", string_or_null(a->branch_name), "url",
                      string_or_null(a->url));
        /* Where the copies of a catalogue record stand: branch, call
         * number and shelf. */
        if (entry && a->holdings)
            json_object_set(entry, "holdings", a->holdings);
        json_array_append_new(list, entry);
    }
    json_object_set_new(o, "available_at", list);
    json_object_set_new(o, "available_count", json_integer((json_int_t)h->available_count));
}


/* The reply of a search or suggestion that failed: for bad input a 400
 * naming the parameter `perr` names (may be NULL), else q; otherwise what
 * the status stands for. */
static void query_failed(api_reply *r, vp_status st, const vp_error *e)
{
    if (st == VP_ERR_INVALID && e->status == VP_ERR_INVALID && e->parameter)
        api_param_error(r, e);
    else if (st == VP_ERR_INVALID)
        api_error(r, 400, "invalid_parameter", e->message ? e->message : "invalid query", "q");
    else
        api_error_from(r, st, e);
}

void api_handle_search(api_request *req, api_reply *r)
{
    vp_search_request sr;
    api_search_storage storage;
    if (api_search_request(req->params, req->voc, req->cfg->postcodes, &sr, &storage, r) != 0 ||
        api_reject_unused(req->params, r) != 0)
        return;
    sr.now = req->cfg->now ? req->cfg->now : (int64_t)time(NULL);
    sr.ranking = req->cfg->ranking;
    vp_scored *popular = NULL;
    sr.n_popular = api_state_popular(req->state, req->cfg->store, sr.now, &popular);
    sr.popular = popular;
    vp_search_result *res = NULL;
    sr.list_available = 1;
    /* A search answered before at this index version costs a copy. */
    vp_answer_canonical_values(&sr, &storage);
    api_answer answer;
    int hit = api_answer_find(req, &sr, &answer, r);
    vp_error perr = VP_ERROR_INIT;
    vp_status st = hit ? VP_OK : vp_search_execute(req->index, &sr, &res, &perr);
    vp_scored_free(popular, sr.n_popular);
    sr.popular = NULL;
    if (hit || st != VP_OK)
        api_answer_done(&answer);
    if (hit)
        return;
    if (st != VP_OK) {
        query_failed(r, st, &perr);
        vp_error_clear(&perr);
        return;
    }
    json_t *filters = json_object();
    for (int f = 0; f < VP_FIELD_COUNT; f++) {
        if (!sr.n_values[f])
            continue;
        json_t *vals = json_array();
        for (size_t i = 0; i < sr.n_values[f]; i++)
            json_array_append_new(vals, json_string(sr.values[f][i]));
        json_object_set_new(filters, vp_field_name((vp_field)f), vals);
    }
    size_t qlen = sr.q ? strlen(sr.q) : 0;
    json_t *query = json_pack("{s:s, s:o, s:o, s:o, s:s, s:b}", "q", sr.q ? sr.q : "", "filters",
                              filters, "from", day_json(sr.from_day), "to", day_json(sr.to_day),
                              "sort", sr.sort == VP_SORT_DATE       ? "date"
                                      : sr.sort == VP_SORT_DISTANCE ? "distance"
                                                                    : "relevance",
                              "include_past", sr.include_past);
    if (query && sr.has_near) {
        json_object_set_new(query, "near", json_pack("{s:f, s:f}", "lat", sr.near_lat, "lon",
                                                     sr.near_lon));
        json_object_set_new(query, "radius_km", sr.radius_km > 0 ? json_real(sr.radius_km)
                                                                 : json_null());
        if (sr.place)
            json_object_set_new(query, "place", json_string(sr.place));
    }
    if (query)
        json_object_set_new(query, "free", json_boolean(sr.free_only));
    if (query && sr.prefer_library)
        json_object_set_new(query, "prefer_library", json_string(sr.prefer_library));
    if (query && qlen > VP_SEARCH_MAX_QUERY) {
        json_object_set_new(query, "truncated", json_true());
        json_object_set_new(query, "note",
                            json_string("q was cut to its first 1000 bytes"));
    }
    if (query)
        json_object_set_new(query, "any_words", json_boolean(res->any_words));
    if (query)
        json_object_set_new(query, "understood", understood_json(res));
    if (query && res->query_fallback)
        json_object_set_new(query, "fallback",
                            json_string("the query syntax could not be parsed; "
                                        "its words were searched as plain words"));
    json_t *results = json_array();
    int64_t stale_at = VP_ANSWER_NEVER_STALE;
    int64_t shown_from = vp_search_shown_from(&sr);
    for (size_t i = 0; i < res->n_hits; i++) {
        json_t *o = api_result_doc(res->hits[i].id, res->hits[i].doc, res->hits[i].snippet,
                                res->hits[i].score, res->hits[i].distance_km, req->voc,
                                shown_from, &stale_at);
        add_available(o, &res->hits[i]);
        if (o)
            json_object_set_new(o, "series", api_series_json(res->hits[i].series,
                                                             res->hits[i].n_series,
                                                             res->hits[i].series_count));
        json_array_append_new(results, o);
    }
    json_t *facets = json_object();
    for (int f = 0; f < VP_FACET_COUNT; f++) {
        if (!(sr.facets & (1u << f)))
            continue;
        json_t *vals = json_array();
        for (size_t i = 0; i < res->n_facets[f]; i++)
            json_array_append_new(vals, json_pack("{s:s, s:s, s:I}", "value",
                                                  res->facets[f][i].value, "label",
                                                  api_facet_label(req, f, res->facets[f][i].value),
                                                  "count",
                                                  (json_int_t)res->facets[f][i].count));
        json_object_set_new(facets, vp_field_name((vp_field)f), vals);
    }
    /* took_ms and query_id are added to the body for each request
     * (answers.c): the rest is the same for every request with its key. */
    r->status = 200;
    r->json = json_pack("{s:o, s:I, s:b, s:i, s:i, s:o, s:o}", "query", query, "total",
                        (json_int_t)res->total, "total_exact", res->total_exact, "page",
                        (int)sr.page, "per_page", (int)sr.per_page, "results", results,
                        "facets", facets);
    if (r->json) {
        json_object_set_new(r->json, "total_offerings",
                            json_integer((json_int_t)res->total_offerings));
        add_spelling_and_help(r->json, res, sr.q, req->voc);
        /* A shard that did not answer: the results are from the others. */
        json_t *missing = json_array();
        for (size_t i = 0; res->missing_shards && res->missing_shards[i]; i++)
            json_array_append_new(missing, json_string(res->missing_shards[i]));
        json_object_set_new(r->json, "partial", json_boolean(json_array_size(missing) > 0));
        json_object_set_new(r->json, "missing_shards", missing);
    }
    /* Logged (insights.c), kept for the next request with the same key,
     * and given its took_ms and query_id (answers.c). */
    api_answer_keep(req, &sr, res, &answer, stale_at, r);
    api_answer_done(&answer);
    vp_search_result_destroy(res);
    if (!r->json && !r->owned_body)
        api_error(r, 503, "unavailable", "out of memory", NULL);
}

void api_handle_offering(api_request *req, api_reply *r)
{
    if (api_reject_unused(req->params, r) != 0)
        return;
    json_t *doc = NULL;
    vp_error e = VP_ERROR_INIT;
    vp_status st = api_offering_doc(req, req->tail, &doc, &e);
    if (st == VP_ERR_NOT_FOUND) {
        api_offering_not_found(r, req->tail);
    } else if (st != VP_OK) {
        api_error_from(r, st, &e);
    } else {
        r->status = 200;
        r->json = doc;
    }
    vp_error_clear(&e);
}

void api_handle_health(api_request *req, api_reply *r)
{
    if (api_reject_unused(req->params, r) != 0)
        return;
    uint64_t revision = 0, documents = 0;
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_index_refresh(req->index, &e);
    if (st == VP_OK)
        st = vp_index_stats(req->index, &revision, &documents, &e);
    if (st != VP_OK) {
        /* Whatever failed, the index is not there to answer: 503. */
        api_unavailable(r, st, &e);
        vp_error_clear(&e);
        return;
    }
    /* Ask the store (a cheap read) so a dead Redis shows here at once. */
    vp_store *store = req->cfg->store;
    int signals_ok = !store || api_store_answers(store);
    /* Shards: which answer. */
    size_t down = 0;
    char **down_names = NULL;
    size_t n_shards = vp_index_shards(req->index, &down, &down_names);
    json_t *shards = json_pack("{s:I, s:I, s:[]}", "total", (json_int_t)n_shards, "down",
                               (json_int_t)down, "missing");
    for (size_t i = 0; down_names && down_names[i]; i++) {
        json_array_append_new(json_object_get(shards, "missing"), json_string(down_names[i]));
        free(down_names[i]);
    }
    free(down_names);
    api_reply_json(r,
                   json_pack("{s:s, s:I, s:I, s:s, s:s, s:o}", "status",
                             signals_ok && !down ? "ok" : "degraded", "revision",
                             (json_int_t)revision, "documents", (json_int_t)documents, "store",
                             store ? vp_store_backend(store) : "none", "signals",
                             !store ? "none" : signals_ok ? "ok" : "unavailable", "shards", shards),
                   NULL);
}

/* Files served as they are (embedded at build time). */
typedef struct static_file {
    const char *path;
    const unsigned char *data;
    const size_t *len;
    const char *type;
    int any_parameters;  /* the page reads its own query string */
} static_file;

static const static_file static_files[] = {
    {"/widget.js", api_asset_widget_js, &api_asset_widget_js_len,
     "text/javascript; charset=utf-8", 1},
    {"/widget.css", api_asset_widget_css, &api_asset_widget_css_len, "text/css; charset=utf-8", 1},
    {"/v1/openapi.yaml", api_asset_openapi_yaml, &api_asset_openapi_yaml_len,
     "application/yaml; charset=utf-8", 0},
    {"/og-default.png", api_asset_og_default_png, &api_asset_og_default_png_len, "image/png", 0},
};

void api_handle_static(api_request *req, api_reply *r)
{
    const static_file *f = NULL;
    for (size_t i = 0; i < sizeof static_files / sizeof static_files[0]; i++)
        if (strcmp(static_files[i].path, req->path) == 0)
            f = &static_files[i];
    if (!f) {
        api_error(r, 404, "not_found", "no such file", NULL);
        return;
    }
    if (!f->any_parameters && api_reject_unused(req->params, r) != 0)
        return;
    r->status = 200;
    r->content_type = f->type;
    r->cache_control = "public, max-age=300";
    r->body = (const char *)f->data;
    r->body_len = *f->len;
}

void api_handle_suggest(api_request *req, api_reply *r)
{
    const char *q = NULL, *limit_s = NULL;
    for (size_t i = 0; i < req->params->count; i++) {
        api_param *p = &req->params->items[i];
        const char **dst = strcmp(p->key, "q") == 0 ? &q : strcmp(p->key, "limit") == 0 ? &limit_s : NULL;
        if (!dst)
            continue;
        if (*dst) {
            char msg[64];
            snprintf(msg, sizeof msg, "%s: given more than once", p->key);
            api_error(r, 400, "invalid_parameter", msg, p->key);
            return;
        }
        *dst = p->value;
        p->used = 1;
    }
    if (api_reject_unused(req->params, r) != 0)
        return;
    unsigned limit = 8;
    if (api_param_limit(limit_s, VP_SUGGEST_MAX_LIMIT, &limit, r) != VP_OK)
        return;
    if (!q) {
        api_error(r, 400, "invalid_parameter", "q: required (at least 2 characters)", "q");
        return;
    }
    api_answer answer;
    int hit = api_answer_find_suggest(req, q, limit, &answer, r);
    vp_suggestion *s = NULL;
    size_t n = 0;
    vp_error err = VP_ERROR_INIT;
    vp_status st = hit ? VP_OK : vp_suggest(req->index, q, limit, &s, &n, &err);
    if (hit || st != VP_OK)
        api_answer_done(&answer);
    if (hit)
        return;
    if (st != VP_OK) {
        query_failed(r, st, &err);
        vp_error_clear(&err);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "text", s[i].text, "kind",
                                              vp_suggest_kind_name(s[i].kind), "count",
                                              (json_int_t)s[i].count));
    vp_suggestions_free(s, n);
    r->status = 200;
    r->json = json_pack("{s:s, s:o}", "query", q, "suggestions", list);
    /* Kept for the next request with q and limit; its own took_ms. */
    api_answer_keep_suggest(req, &answer, r);
    api_answer_done(&answer);
    if (!r->json && !r->owned_body)
        api_error(r, 503, "unavailable", "out of memory", NULL);
}

/* OpenSearch suggestions (application/x-suggestions+json): browsers that
 * added the network's search ask here while a resident types in the
 * address bar. Answers ["q", [completions]]; never an error for a short q. */
void api_handle_opensearch_suggest(api_request *req, api_reply *r)
{
    const char *q = "";
    for (size_t i = 0; i < req->params->count; i++)
        if (strcmp(req->params->items[i].key, "q") == 0) {
            q = req->params->items[i].value;
            req->params->items[i].used = 1;
        }
    if (api_reject_unused(req->params, r) != 0)
        return;
    json_t *list = json_array();
    vp_suggestion *s = NULL;
    size_t n = 0;
    if (vp_suggest(req->index, q, 8, &s, &n, NULL) == VP_OK) {
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, json_string(s[i].text));
        vp_suggestions_free(s, n);
    }
    api_reply_json(r, json_pack("[s, o]", q, list), NULL);
}


