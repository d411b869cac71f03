/* campaigns.c - saved queries ("campaign links") and their landing pages.
 *
 * A saved query is a record in the store, namespace "queries", key the
 * slug, value its JSON definition:
 *   {"slug","title","intro","search","pinned":[ids],"valid_from",
 *    "valid_until","created","updated"}
 * "search" is a query string of /v1/search parameters, checked with
 * vp_search_params_parse_query when it is saved, so a typo is a 400 for the
 * marketer, never an empty page for a resident. Deleting leaves a
 * tombstone in "queries-deleted" so old links answer 410 Gone rather than
 * 404. The landing page /q/{slug} runs the query live on every visit (next
 * week's link shows next week's offerings), server-rendered so it works
 * without JavaScript; /widget.js, when it runs, loads more results and
 * refines the search in place. Its links to offerings go through
 * /q/{slug}/click, which counts the click for the campaign and redirects
 * to the offering's own page at the library. Visits, searches and clicks
 * are counted per campaign and per utm_source/utm_medium/utm_campaign
 * (insights.c); crawlers and link previewers are not counted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"
#include "vindplaats/buf.h"
#include "vindplaats/offering.h"
#include "vindplaats/store.h"

#define MAX_TITLE 200
#define MAX_INTRO 2000
#define MAX_SEARCH 4000
#define MAX_PINNED 20
#define MAX_REFINE 200
#define FEED_ENTRIES 20
#define FEED_WINDOW 100

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void iso_utc(int64_t t, char out[32])
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int ymd = vp_day_from_epoch(days);
    int64_t s = t - days * 86400;
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", ymd / 10000, ymd / 100 % 100, ymd % 100,
             (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
}

/* ---- loading ---- */

static void add_links(api_request *req, json_t *o, const char *slug)
{
    char base[512], url[700];
    api_base_url(req, base, sizeof base);
    snprintf(url, sizeof url, "%s/q/%s", base, slug);
    json_object_set_new(o, "url", json_string(url));
    snprintf(url, sizeof url, "%s/q/%s.atom", base, slug);
    json_object_set_new(o, "feed", json_string(url));
}

/* The definition as the admin API shows it: with status and links. */
static json_t *public_def(api_request *req, json_t *def)
{
    json_t *o = json_deep_copy(def);
    if (!o)
        return NULL;
    json_object_set_new(o, "status", json_string(api_saved_status_name(api_saved_status_at(def, api_clock(req)))));
    add_links(req, o, jstr(def, "slug"));
    return o;
}


/* ---- the admin API ---- */

static void store_down(api_reply *r)
{
    api_error(r, 503, "unavailable", "the store is unavailable; try again later", NULL);
}

void api_handle_queries(api_request *req, api_reply *r)
{
    if (api_reject_unused(req->params, r) != 0)
        return;
    vp_store *store = req->cfg->store;
    if (!store) {
        api_error(r, 503, "unavailable", "this server has no store for saved queries", NULL);
        return;
    }
    char **keys = NULL;
    size_t n = 0;
    if (vp_store_keys(store, API_SAVED_NS, &keys, &n, NULL) != VP_OK) {
        store_down(r);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *def = NULL;
        if (api_saved_load(store, keys[i], &def) == VP_OK) {
            json_t *o = public_def(req, def);
            /* The list is an overview: the full definition is one GET away. */
            json_object_del(o, "intro");
            json_object_del(o, "pinned");
            json_array_append_new(list, o);
        }
        json_decref(def);
        free(keys[i]);
    }
    free(keys);
    api_reply_json(r, json_pack("{s:o}", "queries", list), "no-store");
}

static void bad(api_reply *r, const char *param, const char *fmt, const char *arg)
{
    char msg[1200];
    snprintf(msg, sizeof msg, fmt, arg);
    api_error(r, 400, "invalid_parameter", msg, param);
}

/* Appends "key=value" percent-encoded to a query string, only while *st
 * is VP_OK, leaving the first failure there (as vp_buf_add does). */
static void qs_add(vp_buf *b, vp_status *st, const char *key, const char *value)
{
    if (b->len)
        vp_buf_adds(b, st, "&");
    if (*st == VP_OK)
        *st = api_buf_url(b, key, 0);
    vp_buf_adds(b, st, "=");
    if (*st == VP_OK)
        *st = api_buf_url(b, value, 0);
}

/* The search of a PUT body as a query string (malloc()ed), or NULL with a
 * 400 reply. A string may be a whole link ("https://…/?q=…"); an object
 * maps parameters to a string, number, boolean or an array of strings. */
static char *search_of(json_t *v, api_reply *r)
{
    vp_buf b;
    vp_buf_init(&b, MAX_SEARCH);
    if (!v || json_is_null(v)) {
        return strdup("");
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        const char *q = strchr(s, '?');
        if (q)
            s = q + 1;
        char *hash = strchr(s, '#');
        if (vp_buf_append(&b, s, hash ? (size_t)(hash - s) : strlen(s)) != VP_OK) {
            bad(r, "search", "search: longer than %s bytes", "4000");
            vp_buf_free(&b);
            return NULL;
        }
    } else if (json_is_object(v)) {
        const char *key;
        json_t *val;
        vp_status st = VP_OK;
        json_object_foreach(v, key, val) {
            char num[64];
            if (json_is_array(val)) {
                size_t i;
                json_t *item;
                json_array_foreach(val, i, item) {
                    if (!json_is_string(item)) {
                        bad(r, "search", "search.%s: an array may hold only strings", key);
                        vp_buf_free(&b);
                        return NULL;
                    }
                    qs_add(&b, &st, key, json_string_value(item));
                }
                continue;
            }
            const char *text = NULL;
            if (json_is_string(val))
                text = json_string_value(val);
            else if (json_is_boolean(val))
                text = json_is_true(val) ? "true" : "false";
            else if (json_is_integer(val)) {
                snprintf(num, sizeof num, "%lld", (long long)json_integer_value(val));
                text = num;
            } else if (json_is_real(val)) {
                snprintf(num, sizeof num, "%.10g", json_real_value(val));
                text = num;
            } else {
                bad(r, "search", "search.%s: must be a string, number, boolean or array", key);
                vp_buf_free(&b);
                return NULL;
            }
            qs_add(&b, &st, key, text);
        }
        if (st != VP_OK || b.len >= MAX_SEARCH) {
            bad(r, "search", "search: longer than %s bytes", "4000");
            vp_buf_free(&b);
            return NULL;
        }
    } else {
        bad(r, "search", "search: a query string (as /v1/search takes) or an object of %s",
            "parameters");
        return NULL;
    }
    char *out = vp_buf_steal(&b);
    vp_buf_free(&b);
    return out;
}

/* Checks the parsed PUT body; 0, or -1 with a 400 reply. */
static int check_def(api_request *req, const char *slug, json_t *body, char **search,
                     api_reply *r)
{
    static const char *const allowed[] = {"slug", "title", "intro", "search", "pinned",
                                          "valid_from", "valid_until", NULL};
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) {
        if (!vp_in_list(key, allowed)) {
            char msg[300];
            snprintf(msg, sizeof msg,
                     "%.100s: unknown field (a saved query takes title, intro, search, pinned, "
                     "valid_from, valid_until)",
                     key);
            api_error(r, 400, "invalid_parameter", msg, key);
            return -1;
        }
    }
    json_t *s = json_object_get(body, "slug");
    if (s && (!json_is_string(s) || strcmp(json_string_value(s), slug) != 0)) {
        bad(r, "slug", "slug: the body names another slug than the path (%s)", slug);
        return -1;
    }
    json_t *title = json_object_get(body, "title");
    if (!json_is_string(title) || json_string_length(title) == 0 ||
        strspn(json_string_value(title), " \t\r\n") == json_string_length(title)) {
        bad(r, "title", "title: required, the heading of the landing page%s", "");
        return -1;
    }
    if (json_string_length(title) > MAX_TITLE) {
        bad(r, "title", "title: at most %s bytes", "200");
        return -1;
    }
    json_t *intro = json_object_get(body, "intro");
    if (intro && !json_is_null(intro) &&
        (!json_is_string(intro) || json_string_length(intro) > MAX_INTRO)) {
        bad(r, "intro", "intro: a text of at most %s bytes", "2000");
        return -1;
    }
    *search = search_of(json_object_get(body, "search"), r);
    if (!*search)
        return -1;
    /* Its values reach the landing page as /v1/search values do: UTF-8
     * without control characters, checked as the server's entry checks them. */
    api_refusal f;
    if (api_query_check(*search, &f) != 0) {
        if (f.status == 400)
            bad(r, "search", "search: %s", f.message);
        else
            api_refusal_reply(&f, r);
        return -1;
    }
    vp_search_params *sp = NULL;
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_search_params_parse_query(*search, req->voc, req->cfg->postcodes, &sp, &e);
    if (st != VP_OK) {
        bad(r, "search", "search: %s", e.message ? e.message : vp_status_str(st));
        vp_error_clear(&e);
        return -1;
    }
    int has_page = vp_search_params_request(sp)->page != 1;
    vp_search_params_destroy(sp);
    if (has_page) {
        bad(r, "search", "search: page is not part of a saved query (the landing page pages "
                         "itself; per_page sets how many it shows)%s", "");
        return -1;
    }
    json_t *pinned = json_object_get(body, "pinned");
    if (pinned && !json_is_null(pinned)) {
        if (!json_is_array(pinned) || json_array_size(pinned) > MAX_PINNED) {
            bad(r, "pinned", "pinned: an array of at most %s offering ids", "20");
            return -1;
        }
        size_t i;
        json_t *id;
        json_array_foreach(pinned, i, id) {
            char path[32];
            snprintf(path, sizeof path, "pinned[%zu]", i);
            char *json = NULL;
            if (!json_is_string(id) || json_string_length(id) > VP_OFFERING_MAX_ID ||
                vp_index_get(req->index, json_string_value(id), &json, NULL) != VP_OK) {
                char msg[400];
                snprintf(msg, sizeof msg, "%s: unknown offering \"%.200s\"", path,
                         json_is_string(id) ? json_string_value(id) : "");
                api_error(r, 400, "invalid_parameter", msg, "pinned");
                free(json);
                return -1;
            }
            free(json);
            for (size_t k = 0; k < i; k++)
                if (json_equal(json_array_get(pinned, k), id)) {
                    char msg[400];
                    snprintf(msg, sizeof msg, "%s: \"%.200s\" is pinned twice", path,
                             json_string_value(id));
                    api_error(r, 400, "invalid_parameter", msg, "pinned");
                    return -1;
                }
        }
    }
    const char *names[2] = {"valid_from", "valid_until"};
    int64_t b[2] = {-1, -1};
    for (int k = 0; k < 2; k++) {
        json_t *d = json_object_get(body, names[k]);
        if (!d || json_is_null(d))
            continue;
        b[k] = json_is_string(d) ? api_saved_bound(json_string_value(d), k) : -1;
        if (b[k] < 0) {
            bad(r, names[k],
                "%s: a date (2026-12-31) or a date-time with offset (2026-12-31T18:00:00+01:00)",
                names[k]);
            return -1;
        }
    }
    if (b[0] >= 0 && b[1] >= 0 && b[1] <= b[0]) {
        bad(r, "valid_until", "valid_until: must be after valid_from%s", "");
        return -1;
    }
    return 0;
}

static void put_query(api_request *req, api_reply *r, const char *slug)
{
    vp_store *store = req->cfg->store;
    json_error_t jerr;
    json_t *body = req->body ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr)
                             : NULL;
    if (!json_is_object(body)) {
        char msg[300];
        snprintf(msg, sizeof msg, "body: a JSON object is needed (%s)",
                 !req->body ? "the body is empty" : body ? "not an object" : jerr.text);
        api_error(r, 400, "invalid_parameter", msg, "body");
        json_decref(body);
        return;
    }
    char *search = NULL;
    if (check_def(req, slug, body, &search, r) != 0) {
        json_decref(body);
        free(search);
        return;
    }
    json_t *old = NULL;
    vp_status st = api_saved_load(store, slug, &old);
    if (st != VP_OK && st != VP_ERR_NOT_FOUND) {
        json_decref(body);
        free(search);
        store_down(r);
        return;
    }
    char now[32];
    iso_utc(api_clock(req), now);
    json_t *def = json_object();
    static const char *const optional[] = {"intro", "valid_from", "valid_until"};
    json_object_set_new(def, "slug", json_string(slug));
    json_object_set(def, "title", json_object_get(body, "title"));
    json_object_set_new(def, "search", json_string(search));
    json_t *pinned = json_object_get(body, "pinned");
    json_object_set_new(def, "pinned", json_is_array(pinned) ? json_incref(pinned) : json_array());
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(body, optional[i]);
        json_object_set_new(def, optional[i], v ? json_incref(v) : json_null());
    }
    json_object_set_new(def, "created",
                        json_string(old && jstr(old, "created") ? jstr(old, "created") : now));
    json_object_set_new(def, "updated", json_string(now));
    free(search);
    json_decref(body);
    char *text = def ? json_dumps(def, JSON_COMPACT) : NULL;
    st = text ? vp_store_put(store, API_SAVED_NS, slug, text, NULL) : VP_ERR_NOMEM;
    free(text);
    if (st == VP_OK) {
        vp_store_delete(store, API_SAVED_NS_DELETED, slug, NULL);
        r->status = old ? 200 : 201;
        r->json = public_def(req, def);
        r->cache_control = "no-store";
        if (!old) {
            char loc[200];
            snprintf(loc, sizeof loc, "/v1/queries/%s", slug);
            st = api_reply_header(r, "Location", loc);
            if (st != VP_OK)
                api_status_error(r, st, "the saved query's address does not fit a header");
        }
    } else if (st == VP_ERR_TOO_BIG) {
        api_error(r, 400, "invalid_parameter", "the saved query is too large", "body");
    } else {
        store_down(r);
    }
    json_decref(def);
    json_decref(old);
}

static json_t *counts_of(vp_store *store, const char *slug)
{
    double v[3] = {0, 0, 0};
    static const char *const kinds[] = {"visit", "search", "click"};
    vp_scored *c = NULL;
    size_t n = 0;
    if (vp_store_counters(store, "campaign", &c, &n, NULL) == VP_OK) {
        size_t sl = strlen(slug);
        for (size_t i = 0; i < n; i++)
            for (int k = 0; k < 3; k++)
                if (strncmp(c[i].key, slug, sl) == 0 && c[i].key[sl] == ':' &&
                    strcmp(c[i].key + sl + 1, kinds[k]) == 0)
                    v[k] += c[i].score;
        vp_scored_free(c, n);
    }
    return json_pack("{s:I, s:I, s:I}", "visits", (json_int_t)v[0], "searches",
                     (json_int_t)v[1], "clicks", (json_int_t)v[2]);
}

void api_handle_query(api_request *req, api_reply *r)
{
    if (api_reject_unused(req->params, r) != 0)
        return;
    const char *slug = req->tail;
    if (!api_slug_ok(slug)) {
        bad(r, "slug",
            "slug: lower-case letters and digits in words joined by single hyphens, at most 64 "
            "(\"gratis-digitale-cursussen-amersfoort\"), not \"%.100s\"",
            slug);
        return;
    }
    vp_store *store = req->cfg->store;
    if (!store) {
        api_error(r, 503, "unavailable", "this server has no store for saved queries", NULL);
        return;
    }
    if (strcmp(req->method, "PUT") == 0) {
        put_query(req, r, slug);
        return;
    }
    json_t *def = NULL;
    vp_status st = api_saved_load(store, slug, &def);
    if (st == VP_ERR_NOT_FOUND) {
        char msg[200];
        snprintf(msg, sizeof msg, "no saved query \"%s\"", slug);
        api_error(r, 404, "not_found", msg, NULL);
        return;
    }
    if (st != VP_OK) {
        store_down(r);
        return;
    }
    if (strcmp(req->method, "DELETE") == 0) {
        char now[32];
        iso_utc(api_clock(req), now);
        if (vp_store_put(store, API_SAVED_NS_DELETED, slug, now, NULL) == VP_OK &&
            vp_store_delete(store, API_SAVED_NS, slug, NULL) == VP_OK) {
            r->status = 204;
            r->body = "";
            r->content_type = "text/plain";
        } else {
            store_down(r);
        }
    } else {
        r->status = 200;
        r->cache_control = "no-store";
        r->json = public_def(req, def);
        if (r->json)
            json_object_set_new(r->json, "stats", counts_of(store, slug));
    }
    json_decref(def);
}

/* ---- the landing page ---- */

typedef struct landing {
    const char *slug;
    const char *refine;      /* the resident's own words, or NULL */
    unsigned page;
    const char *utm[3];      /* source, medium, campaign; NULL when absent */
    char qid[17];            /* of a refined search, "" otherwise */
} landing;

static const char *const UTM[3] = {"utm_source", "utm_medium", "utm_campaign"};

/* Reads q, page and utm_*; every other parameter (fbclid, gclid, ...) is
 * ignored, since platforms add their own to every link. -1: 400 reply. */
static int landing_params(api_request *req, api_reply *r, landing *l)
{
    memset(l, 0, sizeof *l);
    l->slug = req->tail;
    l->page = 1;
    for (size_t i = 0; i < req->params->count; i++) {
        const char *k = req->params->items[i].key, *v = req->params->items[i].value;
        if (strcmp(k, "q") == 0) {
            l->refine = *v ? v : NULL;
        } else if (strcmp(k, "page") == 0 && *v) {
            char *end;
            unsigned long p = strtoul(v, &end, 10);
            if (*end || v[0] < '0' || v[0] > '9' || p < 1 || p > 1000) {
                if (r)
                    api_error(r, 400, "invalid_parameter", "page: a whole number from 1 to 1000",
                              "page");
                return -1;
            }
            l->page = (unsigned)p;
        } else {
            for (int u = 0; u < 3; u++)
                if (strcmp(k, UTM[u]) == 0 && *v)
                    l->utm[u] = v;
        }
    }
    if (l->refine && strlen(l->refine) > MAX_REFINE) {
        if (r)
            api_error(r, 400, "invalid_parameter", "q: at most 200 bytes", "q");
        return -1;
    }
    return 0;
}

/* "utm_source=…&utm_medium=…" of the visit, for links that keep it. */
static void utm_query(vp_buf *b, vp_status *st, const landing *l)
{
    for (int u = 0; u < 3; u++)
        if (l->utm[u])
            qs_add(b, st, UTM[u], l->utm[u]);
}

/* A landing URL (path and query), for a page or the click of an offering;
 * NULL when it cannot be built (out of memory, too long). */
static char *landing_url(const landing *l, const char *suffix, const char *offering,
                         unsigned page, int with_refine)
{
    vp_buf b, q;
    vp_buf_init(&b, 8192);
    vp_buf_init(&q, 8192);
    vp_status st = VP_OK;
    vp_buf_adds(&b, &st, "/q/");
    vp_buf_adds(&b, &st, l->slug);
    if (suffix)
        vp_buf_adds(&b, &st, suffix);
    if (offering)
        qs_add(&q, &st, "offering", offering);
    if (with_refine && l->refine)
        qs_add(&q, &st, "q", l->refine);
    if (page > 1) {
        char p[16];
        snprintf(p, sizeof p, "%u", page);
        qs_add(&q, &st, "page", p);
    }
    if (offering && l->qid[0])
        qs_add(&q, &st, "qid", l->qid);
    utm_query(&q, &st, l);
    if (q.len) {
        vp_buf_adds(&b, &st, "?");
        vp_buf_adds(&b, &st, q.data);
    }
    vp_buf_free(&q);
    char *out = st == VP_OK ? vp_buf_steal(&b) : NULL;
    vp_buf_free(&b);
    return out;
}

/* Loads an active saved query or answers 404/410 (a friendly page, or
 * JSON when `json`). */
static json_t *active_or_reply(api_request *req, api_reply *r, const char *slug, int json)
{
    json_t *def = NULL;
    vp_status st = api_slug_ok(slug) ? api_saved_load(req->cfg->store, slug, &def) : VP_ERR_NOT_FOUND;
    if (st != VP_OK && st != VP_ERR_NOT_FOUND) {
        store_down(r);
        return NULL;
    }
    int gone = 0;
    if (st == VP_ERR_NOT_FOUND)
        gone = api_slug_ok(slug) && api_saved_deleted(req->cfg->store, slug);
    else {
        api_saved_status s = api_saved_status_at(def, api_clock(req));
        if (s != API_SAVED_ACTIVE) {
            gone = s == API_SAVED_EXPIRED;
            json_decref(def);
            def = NULL;
            st = VP_ERR_NOT_FOUND;
        }
    }
    if (def)
        return def;
    if (json) {
        if (gone)
            api_error(r, 410, "gone", "this campaign has ended", NULL);
        else
            api_error(r, 404, "not_found", "no such campaign", NULL);
    } else if (gone) {
        api_reply_friendly(r, req, 410, "Deze actie is afgelopen",
                           "De pagina van deze campagne bestaat niet meer. Het aanbod van de "
                           "bibliotheken is er nog wel: zoek hieronder wat u zoekt.");
    } else {
        api_reply_friendly(r, req, 404, "Deze pagina bestaat niet",
                           "We kunnen deze pagina niet vinden. Misschien is de link niet helemaal "
                           "goed overgenomen. Zoek hieronder in het aanbod van alle bibliotheken.");
    }
    return NULL;
}

/* Runs the saved search for page `page` (with extra words `refine`).
 * *sp is kept alive by the caller while *sr is used. */
/* q of `sr` and `refine` as one query, in *qtext (malloc()ed). */
static vp_status refined(vp_search_request *sr, const char *refine, char **qtext)
{
    size_t n = (sr->q ? strlen(sr->q) : 0) + strlen(refine) + 2;
    *qtext = malloc(n);
    if (!*qtext)
        return VP_ERR_NOMEM;
    snprintf(*qtext, n, "%s%s%s", sr->q ? sr->q : "", sr->q && *sr->q ? " " : "", refine);
    sr->q = *qtext;
    return VP_OK;
}

/* A saved query's search as a landing page or its feed runs it: what
 * run_saved() made, all freed by saved_run_free(). */
typedef struct saved_run {
    json_t *def;             /* the definition; NULL: none (its reply is set) */
    vp_search_params *sp;
    vp_search_request sr;
    vp_search_result *res;
    char *qtext;
    vp_error err;            /* why the search failed */
} saved_run;

static void saved_run_free(saved_run *run)
{
    vp_search_result_destroy(run->res);
    vp_search_params_destroy(run->sp);
    free(run->qtext);
    vp_error_clear(&run->err);
    json_decref(run->def);
}

/* Runs run->def's search, narrowed by `refine` (may be NULL), at `page`;
 * on failure a 503 reply. */
static vp_status run_saved(api_request *req, api_reply *r, const char *refine, unsigned page,
                           unsigned per_page_override, saved_run *run)
{
    vp_search_request *sr = &run->sr;
    const char *search = jstr(run->def, "search");
    vp_status st = vp_search_params_parse_query(search ? search : "", req->voc,
                                                req->cfg->postcodes, &run->sp, &run->err);
    if (st == VP_OK) {
        *sr = *vp_search_params_request(run->sp);
        st = refine ? refined(sr, refine, &run->qtext) : VP_OK;
    }
    if (st != VP_OK) {
        api_unavailable(r, st, &run->err);
        return st;
    }
    if (per_page_override)
        sr->per_page = per_page_override;
    /* With a facet the engine counts every match: residents see an exact total. */
    if (!sr->facets)
        sr->facets = 1u << VP_FIELD_TYPE;
    if ((unsigned long)page * sr->per_page > VP_SEARCH_MAX_WINDOW)
        page = VP_SEARCH_MAX_WINDOW / sr->per_page;
    sr->page = page;
    st = api_search_run(req, sr, &run->res, &run->err);
    if (st != VP_OK)
        api_unavailable(r, st, &run->err);
    return st;
}

/* The pinned offerings still current, as results. */
static json_t *pinned_results(api_request *req, json_t *def)
{
    json_t *list = json_array();
    size_t i;
    json_t *id;
    int64_t now = api_clock(req);
    json_array_foreach(json_object_get(def, "pinned"), i, id) {
        json_t *doc = NULL;
        if (vp_index_get_doc(req->index, json_string_value(id), &doc, NULL) != VP_OK)
            continue;
        if (!api_offering_ended(doc, now))
            json_array_append_new(list, api_result_doc(json_string_value(id), doc, NULL, 0, -1,
                                                       req->voc, now, NULL));
        json_decref(doc);
    }
    return list;
}

/* Adds click_url and page_url to a result. */
static void add_result_links(json_t *res, const landing *l)
{
    const char *id = jstr(res, "id");
    if (!id)
        return;
    char *click = landing_url(l, "/click", id, 0, 0);
    if (click)
        json_object_set_new(res, "click_url", json_string(click));
    free(click);
    vp_buf b;
    vp_buf_init(&b, 4096);
    if (api_buf_offering_url(&b, "", id) == VP_OK)
        json_object_set_new(res, "page_url", json_string(b.data));
    vp_buf_free(&b);
}

static void count_visit(api_request *req, const landing *l)
{
    if (strcmp(req->method, "GET") != 0 || api_is_bot(req->user_agent))
        return;
    if (l->refine)
        api_insights_campaign(req, l->slug, "search", l->utm[0], l->utm[1], l->utm[2]);
    else if (l->page == 1)
        api_insights_campaign(req, l->slug, "visit", l->utm[0], l->utm[1], l->utm[2]);
}

/* Cards for a list of results, linked through their click_url. */
static json_t *cards(json_t *list)
{
    json_t *out = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it) {
        json_array_append_new(out, api_card_view(it, jstr(it, "click_url"), 3));
    }
    return out;
}

static void landing_html(api_request *req, api_reply *r, const landing *l, json_t *def,
                         json_t *pinned, json_t *results, const vp_search_result *res,
                         const vp_search_request *sr)
{
    char base[512];
    api_base_url(req, base, sizeof base);
    const char *title = jstr(def, "title"), *intro = jstr(def, "intro");
    char path[128];
    snprintf(path, sizeof path, "/q/%s", l->slug);
    json_t *view = api_page_view(req, title ? title : l->slug, path, intro);
    /* ItemList of what the page shows: pinned first, then the results. */
    json_t *items = json_array();
    size_t i, pos = 0;
    json_t *it;
    json_t *both[2] = {pinned, results};
    for (int k = 0; k < 2; k++)
        json_array_foreach(both[k], i, it) {
            vp_buf u;
            vp_buf_init(&u, 4096);
            /* An item whose address cannot be written is left out. */
            if (jstr(it, "id") && api_buf_offering_url(&u, base, jstr(it, "id")) == VP_OK)
                json_array_append_new(items, json_pack("{s:s, s:I, s:s, s:s?}", "@type",
                                                       "ListItem", "position", (json_int_t)++pos,
                                                       "url", u.data, "name", jstr(it, "title")));
            vp_buf_free(&u);
        }
    char canonical[700];
    snprintf(canonical, sizeof canonical, "%s/q/%s", base, l->slug);
    json_t *ld = json_pack("{s:s, s:s, s:s, s:s, s:I, s:o}", "@context", "https://schema.org",
                           "@type", "ItemList", "name", title ? title : l->slug, "url", canonical,
                           "numberOfItems", (json_int_t)pos, "itemListElement", items);
    if (ld && intro)
        json_object_set_new(ld, "description", json_string(intro));
    char feed[128];
    snprintf(feed, sizeof feed, "/q/%s.atom", l->slug);
    api_page_alternate(view, "application/atom+xml", title, feed);
    if (l->refine || l->page > 1)
        api_page_robots(view, "noindex, follow");
    api_page_share(view, req, NULL, NULL);
    api_page_jsonld(view, ld);
    api_page_script(view, "/widget.js");
    json_decref(ld);

    json_t *v = json_pack("{s:s, s:s?, s:s?, s:s?, s:b}", "slug", l->slug, "title", title,
                          "intro", intro, "refine", l->refine, "refine_given", l->refine != NULL);
    if (view && v && json_object_set(view, "landing", v) == 0) {
        json_t *utm = json_array();
        for (int u = 0; u < 3; u++)
            if (l->utm[u])
                json_array_append_new(utm, json_pack("{s:s, s:s}", "name", UTM[u], "value",
                                                     l->utm[u]));
        json_object_set_new(v, "utm", utm);
        json_object_set_new(v, "has_pinned", json_boolean(json_array_size(pinned) > 0));
        json_object_set_new(v, "pinned", cards(pinned));
        json_object_set_new(v, "results", cards(results));
        uint64_t total = res->total;
        char text[96];
        if (total == 0)
            snprintf(text, sizeof text, "Geen resultaten");
        else if (total == 1)
            snprintf(text, sizeof text, "1 resultaat");
        else
            snprintf(text, sizeof text, "%s%llu resultaten", res->total_exact ? "" : "ongeveer ",
                     (unsigned long long)total);
        json_object_set_new(v, "count_text", json_string(text));
        json_object_set_new(v, "empty", json_boolean(total == 0));
        unsigned long shown_to =
            (unsigned long)(sr->page - 1) * sr->per_page + json_array_size(results);
        int more = res->n_hits == sr->per_page && shown_to < total &&
                   (unsigned long)(sr->page + 1) * sr->per_page <= VP_SEARCH_MAX_WINDOW;
        if (total > sr->per_page || sr->page > 1) {
            snprintf(text, sizeof text, "%lu–%lu van %llu",
                     json_array_size(results) ? (unsigned long)(sr->page - 1) * sr->per_page + 1
                                              : 0,
                     shown_to, (unsigned long long)total);
            json_object_set_new(v, "shown", json_string(text));
        }
        if (more) {
            char *next = landing_url(l, NULL, NULL, sr->page + 1, 1);
            if (next)
                json_object_set_new(v, "next", json_string(next));
            free(next);
        }
        vp_buf all;
        vp_buf_init(&all, 1024);
        vp_status st = VP_OK;
        vp_buf_adds(&all, &st, "/");
        if (l->refine) {
            vp_buf_adds(&all, &st, "?q=");
            if (st == VP_OK)
                st = api_buf_url(&all, l->refine, 0);
        }
        json_object_set_new(v, "all_href", json_string(st == VP_OK ? all.data : "/"));
        vp_buf_free(&all);
    }
    json_decref(v);
    r->cache_control = "no-cache";
    api_render(r, req, 200, "landing", view);
    json_decref(view);
}

void api_handle_landing(api_request *req, api_reply *r)
{
    int json = api_wants_json(req);
    landing l;
    if (landing_params(req, json ? r : NULL, &l) != 0) {
        if (!json)
            api_reply_friendly(r, req, 400, "Deze link klopt niet helemaal",
                               "Er staat iets in de link dat we niet begrijpen. Zoek hieronder in "
                               "het aanbod van alle bibliotheken.");
        return;
    }
    /* One address, two forms: caches must keep them apart. */
    vp_status hst = api_reply_header(r, "Vary", "Accept");
    saved_run run = {hst == VP_OK ? active_or_reply(req, r, l.slug, json) : NULL};
    if (hst != VP_OK)
        api_status_error(r, hst, "too many reply headers");
    if (!run.def)
        return;
    if (run_saved(req, r, l.refine, l.page, 0, &run) != VP_OK)
        goto done;
    vp_search_result *res = run.res;
    json_t *def = run.def;
    count_visit(req, &l);
    /* A resident's own words are a search of the query log too. */
    if (l.refine && strcmp(req->method, "GET") == 0) {
        vp_search_request logged = run.sr;
        logged.q = l.refine;
        api_insights_log(req, &logged, res, l.slug, l.qid);
    }
    json_t *pinned = l.page == 1 && !l.refine ? pinned_results(req, def) : json_array();
    json_t *results = json_array();
    int64_t now = api_clock(req);
    for (size_t i = 0; i < res->n_hits; i++) {
        int dup = 0;
        size_t k;
        json_t *p;
        json_array_foreach(pinned, k, p) {
            dup |= strcmp(jstr(p, "id"), res->hits[i].id) == 0;
        }
        json_t *o = dup ? NULL
                        : api_hit_json(&res->hits[i], 1, req->voc, now);
        if (o)
            json_object_set_new(o, "series", api_series_json(res->hits[i].series,
                                                             res->hits[i].n_series,
                                                             res->hits[i].series_count));
        if (!dup)
            json_array_append_new(results, o);
    }
    size_t i;
    json_t *it;
    json_array_foreach(pinned, i, it) {
        add_result_links(it, &l);
    }
    json_array_foreach(results, i, it) {
        add_result_links(it, &l);
    }
    if (json) {
        unsigned long shown_to = (unsigned long)(run.sr.page - 1) * run.sr.per_page + res->n_hits;
        int more = res->n_hits == run.sr.per_page && shown_to < res->total &&
                   (unsigned long)(run.sr.page + 1) * run.sr.per_page <= VP_SEARCH_MAX_WINDOW;
        char *next = more ? landing_url(&l, NULL, NULL, run.sr.page + 1, 1) : NULL;
        json_t *o = json_pack("{s:s, s:O, s:O, s:s, s:s?, s:I, s:b, s:i, s:i, s:o, s:o, s:s?}",
                              "slug", l.slug, "title", json_object_get(def, "title"), "intro",
                              json_object_get(def, "intro") ? json_object_get(def, "intro")
                                                            : json_null(),
                              "search", jstr(def, "search") ? jstr(def, "search") : "", "q",
                              l.refine, "total", (json_int_t)res->total, "total_exact",
                              res->total_exact, "page", (int)run.sr.page, "per_page",
                              (int)run.sr.per_page, "pinned", pinned, "results", results, "next",
                              next);
        free(next);
        if (o) {
            add_links(req, o, l.slug);
            json_object_set_new(o, "total_offerings", json_integer((json_int_t)res->total_offerings));
            json_object_set_new(o, "valid_from", json_incref(json_object_get(def, "valid_from")));
            json_object_set_new(o, "valid_until", json_incref(json_object_get(def, "valid_until")));
            if (l.qid[0])
                json_object_set_new(o, "query_id", json_string(l.qid));
        }
        api_reply_json(r, o, "no-cache");
    } else {
        landing_html(req, r, &l, def, pinned, results, res, &run.sr);
        json_decref(pinned);
        json_decref(results);
    }
done:
    saved_run_free(&run);
}

/* ---- following a campaign: Atom ---- */

static int64_t updated_of(json_t *doc)
{
    vp_datetime dt;
    int64_t t = 0;
    if (vp_datetime_parse(jstr(doc, "updated"), &dt) == 0)
        t = dt.utc;
    return t;
}

typedef struct entry {
    size_t hit;
    int64_t updated;
} entry;

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->updated != y->updated)
        return x->updated > y->updated ? -1 : 1;
    return x->hit < y->hit ? -1 : x->hit > y->hit;
}

void api_handle_landing_feed(api_request *req, api_reply *r)
{
    landing l;
    if (landing_params(req, r, &l) != 0)
        return;
    saved_run run = {active_or_reply(req, r, l.slug, 1)};
    if (!run.def)
        return;
    if (run_saved(req, r, NULL, 1, FEED_WINDOW, &run) != VP_OK)
        goto done;
    vp_search_result *res = run.res;
    json_t *def = run.def;
    entry *e = calloc(res->n_hits + 1, sizeof *e);
    if (!e) {
        api_error(r, 503, "unavailable", "out of memory", NULL);
        goto done;
    }
    for (size_t i = 0; i < res->n_hits; i++) {
        e[i].hit = i;
        e[i].updated = updated_of(res->hits[i].doc);
    }
    qsort(e, res->n_hits, sizeof *e, cmp_entry);
    size_t n = res->n_hits < FEED_ENTRIES ? res->n_hits : FEED_ENTRIES;
    char base[512], stamp[32];
    api_base_url(req, base, sizeof base);
    vp_datetime dt;
    int64_t newest = vp_datetime_parse(jstr(def, "updated"), &dt) == 0 ? dt.utc : 0;
    if (n && e[0].updated > newest)
        newest = e[0].updated;
    iso_utc(newest, stamp);
    char self[700], page[700];
    snprintf(page, sizeof page, "%s/q/%s", base, l.slug);
    snprintf(self, sizeof self, "%s/q/%s.atom", base, l.slug);
    json_t *entries = json_array();
    json_t *view = json_pack("{s:s?, s:s?, s:s, s:s, s:s, s:o}", "title", jstr(def, "title"),
                             "subtitle", jstr(def, "intro"), "id", page, "self", self, "updated",
                             stamp, "entries", entries);
    int64_t now = api_clock(req);
    for (size_t k = 0; view && k < n; k++) {
        const vp_search_hit *h = &res->hits[e[k].hit];
        json_t *doc = h->doc; /* borrowed from the result */
        json_t *rj = api_hit_json(h, 0, req->voc, now);
        vp_buf u;
        vp_buf_init(&u, 4096);
        vp_status ust = api_buf_offering_url(&u, base, h->id);
        iso_utc(e[k].updated ? e[k].updated : newest, stamp);
        /* The summary a feed reader shows: when, where, what. */
        vp_buf s;
        vp_buf_init(&s, 1 << 16);
        vp_status sst = VP_OK;
        json_t *next = json_object_get(rj, "next");
        if (json_is_object(next)) {
            sst = api_buf_when(&s, jstr(next, "start"), jstr(next, "end"));
            vp_buf_adds(&s, &sst, " · ");
        }
        if (jstr(doc, "branch_name") || jstr(doc, "library_name")) {
            vp_buf_adds(&s, &sst, jstr(doc, "branch_name") ? jstr(doc, "branch_name")
                                                           : jstr(doc, "library_name"));
            vp_buf_adds(&s, &sst, " · ");
        }
        /* A description too long for the summary is left out of it. */
        if (jstr(doc, "description") && sst == VP_OK)
            vp_buf_puts(&s, jstr(doc, "description"));
        /* An entry needs its address; one that cannot be written is left out. */
        if (ust == VP_OK)
            json_array_append_new(entries,
                                  json_pack("{s:s, s:s, s:s, s:s?}", "title",
                                            jstr(doc, "title") ? jstr(doc, "title") : h->id, "id",
                                            u.data, "updated", stamp, "summary",
                                            sst == VP_OK ? s.data : NULL));
        vp_buf_free(&s);
        vp_buf_free(&u);
        json_decref(rj);
    }
    free(e);
    r->cache_control = "public, max-age=900";
    api_render_doc(r, req, "feed", view, "application/atom+xml; charset=utf-8", API_PAGE_CAP);
    json_decref(view);
done:
    saved_run_free(&run);
}

/* ---- a click from the landing page ---- */

void api_handle_landing_click(api_request *req, api_reply *r)
{
    landing l;
    landing_params(req, NULL, &l);
    const char *offering = NULL, *qid = NULL;
    for (size_t i = 0; i < req->params->count; i++) {
        if (strcmp(req->params->items[i].key, "offering") == 0)
            offering = req->params->items[i].value;
        else if (strcmp(req->params->items[i].key, "qid") == 0)
            qid = req->params->items[i].value;
    }
    json_t *doc = NULL;
    if (!api_slug_ok(l.slug) || !offering || strlen(offering) > VP_OFFERING_MAX_ID ||
        vp_index_get_doc(req->index, offering, &doc, NULL) != VP_OK) {
        api_reply_friendly(r, req, 404, "Dit aanbod bestaat niet (meer)",
                           "We kunnen dit aanbod niet vinden. Zoek hieronder naar wat er nu is.");
        return;
    }
    /* Only the offering's own link: this never redirects anywhere else. A
     * link too long for a header goes to the offering's page here. */
    const char *url = jstr(doc, "url");
    vp_buf loc;
    vp_buf_init(&loc, 8192);
    vp_status st;
    if (url && (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0) &&
        !strpbrk(url, "\r\n") && strlen(url) < sizeof r->headers[0].value) {
        st = vp_buf_puts(&loc, url);
    } else {
        char base[512];
        api_base_url(req, base, sizeof base);
        st = api_buf_offering_url(&loc, base, offering);
    }
    json_decref(doc);
    json_t *def = NULL;
    int known = api_saved_load(req->cfg->store, l.slug, &def) == VP_OK;
    json_decref(def);
    if (known && strcmp(req->method, "GET") == 0 && !api_is_bot(req->user_agent)) {
        api_insights_campaign(req, l.slug, "click", l.utm[0], l.utm[1], l.utm[2]);
        /* Also a signal, so recommendations learn from campaign clicks. */
        vp_signal ev = {VP_SIGNAL_CLICK, offering, NULL, NULL, NULL, api_clock(req)};
        if (qid && strlen(qid) == 16 && strspn(qid, "0123456789abcdef") == 16)
            ev.query_id = qid;
        if (req->cfg->store)
            vp_store_add_signals(req->cfg->store, &ev, 1, NULL);
        api_insights_signals(req, &ev, 1);
    }
    r->status = 302;
    r->body = "";
    r->content_type = "text/plain";
    r->cache_control = "no-store";
    if (st == VP_OK)
        st = api_reply_header(r, "Location", loc.data);
    if (st == VP_OK)
        st = api_reply_header(r, "Referrer-Policy", "no-referrer");
    if (st != VP_OK)
        api_status_error(r, st, "the offering's address does not fit a header");
    vp_buf_free(&loc);
}

/* ---- the sitemap's share: live landing pages ---- */

vp_status api_campaigns_sitemap(api_request *req, json_t *urls, const char *base)
{
    vp_store *store = req->cfg->store;
    char **keys = NULL;
    size_t n = 0;
    if (!store)
        return VP_OK; /* no store: no landing pages */
    vp_status st = vp_store_keys(store, API_SAVED_NS, &keys, &n, NULL);
    int64_t now = api_clock(req);
    for (size_t i = 0; i < n; i++) {
        json_t *def = NULL;
        vp_status got = st == VP_OK ? api_saved_load(store, keys[i], &def) : st;
        if (got == VP_ERR_NOMEM || got == VP_ERR_IO)
            st = got;
        if (got == VP_OK && api_saved_status_at(def, now) == API_SAVED_ACTIVE && api_slug_ok(keys[i])) {
            char loc[700];
            snprintf(loc, sizeof loc, "%s/q/%s", base, keys[i]);
            if (json_array_append_new(urls, json_pack("{s:s, s:s?, s:s}", "loc", loc, "lastmod",
                                                      jstr(def, "updated"), "changefreq", "daily")))
                st = VP_ERR_NOMEM;
        }
        json_decref(def);
        free(keys[i]);
    }
    free(keys);
    return st;
}
