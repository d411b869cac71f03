/* recommendations.c - the routes of recommendations and signals:
 * GET /v1/recommend, GET /v1/offerings/{id}/related, POST /v1/signals and
 * GET /v1/segments. Signals carry no personal data: the body may hold only
 * the documented fields, a postcode is turned into its largest segment at
 * once and never stored. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "vindplaats/geo.h"
#include "vindplaats/recommend.h"
#include "vindplaats/segments.h"
#include "vindplaats/store.h"

#define MAX_EXCLUDE_TEXT 8192

static int64_t clock_of(const api_request *req)
{
    return req->cfg->now ? req->cfg->now : (int64_t)time(NULL);
}

/* A segment in a recommend answer: its id only. Names are the network's
 * marketing knowledge (GET /v1/segments, for staff); an answer that a page
 * shows a resident carries none. */
static json_t *segment_json(const vp_segment *s, double share)
{
    json_t *o = json_pack("{s:s}", "id", s->id);
    if (o && share >= 0)
        json_object_set_new(o, "share", json_real((double)(long)(share * 1000 + 0.5) / 1000));
    return o;
}

static json_t *items_json(const vp_recommend_result *res, const vp_vocabulary *voc, int64_t now)
{
    json_t *list = json_array();
    for (size_t i = 0; i < res->n; i++) {
        const vp_recommendation *r = &res->items[i];
        json_t *o = api_result_doc(r->id, r->doc, NULL, r->score, r->distance_km, voc, now, NULL);
        json_t *factors = json_array();
        for (size_t f = 0; f < r->n_factors; f++)
            json_array_append_new(factors, json_pack("{s:s, s:f}", "name", r->factors[f].name,
                                                     "weight",
                                                     (double)(long)(r->factors[f].weight * 1000 + 0.5) / 1000));
        if (o)
            json_object_set_new(o, "reason", json_pack("{s:s, s:o}", "text", r->reason, "factors",
                                                       factors));
        else
            json_decref(factors);
        json_array_append_new(list, o);
    }
    return list;
}

void api_handle_recommend(api_request *req, api_reply *r)
{
    int twice = 0;
    const char *segment = api_param_take(req->params, "segment", &twice);
    const char *limit_s = api_param_take(req->params, "limit", &twice);
    /* exclude: repeatable or comma-separated. */
    static const char *const search_only[] = {"q", "sort", "page", "per_page", "facets",
                                              "include_past", "prefer_library"};
    for (size_t i = 0; i < sizeof search_only / sizeof search_only[0]; i++)
        for (size_t k = 0; k < req->params->count; k++)
            if (strcmp(req->params->items[k].key, search_only[i]) == 0) {
                char msg[128];
                snprintf(msg, sizeof msg, "unknown parameter \"%s\" (a search parameter)",
                         search_only[i]);
                api_error(r, 400, "unknown_parameter", msg, search_only[i]);
                return;
            }
    char excluded[MAX_EXCLUDE_TEXT] = "";
    const char *ex_ids[VP_RECOMMEND_MAX_EXCLUDE];
    size_t n_ex = 0;
    for (size_t k = 0; k < req->params->count; k++) {
        if (strcmp(req->params->items[k].key, "exclude") != 0)
            continue;
        req->params->items[k].used = 1;
        size_t have = strlen(excluded);
        if (have + strlen(req->params->items[k].value) + 2 >= sizeof excluded) {
            api_error(r, 400, "invalid_parameter", "exclude: too long", "exclude");
            return;
        }
        snprintf(excluded + have, sizeof excluded - have, "%s%s", have ? "," : "",
                 req->params->items[k].value);
    }
    for (char *save = NULL, *id = strtok_r(excluded, ",", &save); id;
         id = strtok_r(NULL, ",", &save)) {
        if (n_ex == VP_RECOMMEND_MAX_EXCLUDE) {
            api_error(r, 400, "invalid_parameter", "exclude: at most 100 offerings", "exclude");
            return;
        }
        ex_ids[n_ex++] = id;
    }
    if (twice) {
        api_error(r, 400, "invalid_parameter", "segment or limit: given more than once", "segment");
        return;
    }
    vp_recommend_request rr;
    memset(&rr, 0, sizeof rr);
    api_search_storage storage;
    if (api_search_request(req->params, req->voc, req->cfg->postcodes, &rr.filters, &storage, r) != 0 ||
        api_reject_unused(req->params, r) != 0)
        return;
    rr.filters.now = clock_of(req);
    rr.limit = 10;
    if (api_param_limit(limit_s, VP_RECOMMEND_MAX_LIMIT, &rr.limit, r) != VP_OK)
        return;
    const vp_segments *segs = req->cfg->segments;
    if (segment && *segment) {
        const vp_segment *s = vp_segments_get(segs, segment);
        if (!s) {
            char msg[512];
            snprintf(msg, sizeof msg, "segment: unknown segment \"%.100s\" (see /v1/segments)",
                     segment);
            api_error(r, 400, "invalid_parameter", msg, "segment");
            return;
        }
        rr.segments[0] = s;
        rr.shares[0] = 1;
        rr.n_segments = 1;
    } else {
        /* A postcode mixes its segments by their shares. */
        const char *pc = api_param_take(req->params, "postcode", &twice);
        if (pc && strlen(pc) >= 4) {
            char pc4[5];
            memcpy(pc4, pc, 4);
            pc4[4] = '\0';
            rr.n_segments = vp_segments_for_postcode(segs, pc4, rr.segments, rr.shares,
                                                     VP_RECOMMEND_MAX_SEGMENTS);
            rr.segments_of_place = 1;
        }
    }
    rr.exclude = ex_ids;
    rr.n_exclude = n_ex;
    rr.store = req->cfg->store;
    vp_recommend_result *res = NULL;
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_recommend(req->index, &rr, &res, &e);
    if (st == VP_ERR_INVALID && e.parameter)
        api_param_error(r, &e);
    else if (st == VP_ERR_INVALID)
        api_error(r, 400, "invalid_parameter", e.message ? e.message : "invalid", "limit");
    else if (st != VP_OK)
        api_unavailable(r, st, &e);
    vp_error_clear(&e);
    if (st != VP_OK)
        return;
    json_t *mix = json_array();
    for (size_t i = 0; i < rr.n_segments; i++)
        json_array_append_new(mix, segment_json(rr.segments[i], rr.shares[i]));
    api_reply_json(r,
                   json_pack("{s:o, s:o, s:s, s:o, s:f}", "segment",
                             rr.n_segments ? segment_json(rr.segments[0], -1) : json_null(),
                             "segments", mix, "signals", res->signals ? "ok" : "unavailable",
                             "results", items_json(res, req->voc, rr.filters.now), "took_ms",
                             api_took_ms(req->started)),
                   NULL);
    vp_recommend_result_destroy(res);
}

void api_handle_related(api_request *req, api_reply *r)
{
    int twice = 0;
    const char *limit_s = api_param_take(req->params, "limit", &twice);
    if (api_reject_unused(req->params, r) != 0)
        return;
    unsigned limit = 6;
    if (limit_s && *limit_s) {
        char *end;
        unsigned long v = strtoul(limit_s, &end, 10);
        if (twice || *end || limit_s[0] < '0' || limit_s[0] > '9' || v < 1 ||
            v > VP_RECOMMEND_MAX_LIMIT) {
            api_error(r, 400, "invalid_parameter", "limit: must be a whole number from 1 to 50",
                      "limit");
            return;
        }
        limit = (unsigned)v;
    }
    vp_recommend_result *res = NULL;
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_related(req->index, req->tail, limit, clock_of(req), req->cfg->store, &res,
                              &e);
    if (st == VP_ERR_NOT_FOUND) {
        api_offering_not_found(r, req->tail);
    } else if (st != VP_OK) {
        api_unavailable(r, st, &e);
    } else {
        api_reply_json(r,
                       json_pack("{s:s, s:s, s:o, s:f}", "offering", req->tail, "signals",
                                 res->signals ? "ok" : "unavailable", "results",
                                 items_json(res, req->voc, clock_of(req)), "took_ms",
                                 api_took_ms(req->started)),
                       NULL);
    }
    vp_recommend_result_destroy(res);
    vp_error_clear(&e);
}

void api_handle_segments(api_request *req, api_reply *r)
{
    if (api_reject_unused(req->params, r) != 0)
        return;
    json_t *list = json_array();
    const vp_segments *segs = req->cfg->segments;
    for (size_t i = 0; i < vp_segments_count(segs); i++) {
        const vp_segment *s = vp_segments_at(segs, i);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s?}", "id", s->id, "name", s->name,
                                              "description", s->description));
    }
    api_reply_json(r, json_pack("{s:o}", "segments", list), NULL);
}

/* One event of the body into `ev`; 0, or -1 with a 400 reply naming the field. */
static int parse_event(api_request *req, json_t *e, size_t i, vp_signal *ev, api_reply *r)
{
    static const char *const allowed[] = {"kind", "offering", "segment", "postcode", "query_id",
                                          "campaign", NULL};
    char path[64], msg[512];
    snprintf(path, sizeof path, "events[%zu]", i);
    if (!json_is_object(e)) {
        snprintf(msg, sizeof msg, "%s: must be an object", path);
        api_error(r, 400, "invalid_parameter", msg, "events");
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(e, key, v) {
        int known = 0;
        for (size_t k = 0; allowed[k]; k++)
            known |= strcmp(allowed[k], key) == 0;
        if (!known) {
            /* No user ids, addresses or anything else personal is taken. */
            snprintf(msg, sizeof msg, "%s.%.100s: unknown field (signals take only kind, "
                     "offering, segment, postcode, query_id, campaign)", path, key);
            api_error(r, 400, "invalid_parameter", msg, "events");
            return -1;
        }
        if (!json_is_string(v) && !json_is_null(v)) {
            snprintf(msg, sizeof msg, "%s.%.100s: must be a string", path, key);
            api_error(r, 400, "invalid_parameter", msg, "events");
            return -1;
        }
    }
    const char *kind = json_string_value(json_object_get(e, "kind"));
    int k = kind ? vp_signal_kind_by_name(kind) : -1;
    if (k < 0) {
        snprintf(msg, sizeof msg, "%s.kind: unknown kind \"%.50s\" (allowed: view, click, "
                 "signup, loan, share)", path, kind ? kind : "");
        api_error(r, 400, "invalid_parameter", msg, "events");
        return -1;
    }
    const char *offering = json_string_value(json_object_get(e, "offering"));
    char *data = NULL;
    vp_status found = offering && strlen(offering) <= VP_STORE_MAX_KEY
                          ? vp_index_get(req->index, offering, &data, NULL)
                          : VP_ERR_NOT_FOUND;
    if (found != VP_OK && found != VP_ERR_NOT_FOUND) {
        api_error(r, 503, "unavailable", "the index cannot be read", NULL);
        return -1;
    }
    if (found == VP_ERR_NOT_FOUND) {
        snprintf(msg, sizeof msg, "%s.offering: unknown offering \"%.200s\"", path,
                 offering ? offering : "");
        api_error(r, 400, "invalid_parameter", msg, "events");
        return -1;
    }
    free(data);
    ev->kind = (vp_signal_kind)k;
    ev->offering = offering;
    ev->segment = json_string_value(json_object_get(e, "segment"));
    if (ev->segment && !vp_segments_get(req->cfg->segments, ev->segment)) {
        snprintf(msg, sizeof msg, "%s.segment: unknown segment \"%.100s\"", path, ev->segment);
        api_error(r, 400, "invalid_parameter", msg, "events");
        return -1;
    }
    const char *pc = json_string_value(json_object_get(e, "postcode"));
    if (pc && !ev->segment) {
        const vp_segment *seg[1];
        double share[1];
        char pc4[5] = "";
        if (strlen(pc) >= 4)
            memcpy(pc4, pc, 4);
        if (vp_segments_for_postcode(req->cfg->segments, pc4, seg, share, 1) == 1)
            ev->segment = seg[0]->id;
    }
    ev->query_id = json_string_value(json_object_get(e, "query_id"));
    ev->campaign = json_string_value(json_object_get(e, "campaign"));
    ev->at = clock_of(req);
    return 0;
}

void api_handle_signals(api_request *req, api_reply *r)
{
    if (api_reject_unused(req->params, r) != 0)
        return;
    /* See the indexer's newest commit before checking the offerings. */
    if (vp_index_refresh(req->index, NULL) != VP_OK) {
        api_error(r, 503, "unavailable", "the index cannot be read", NULL);
        return;
    }
    if (!req->cfg->store) {
        api_error(r, 503, "unavailable", "this server keeps no signals", NULL);
        return;
    }
    json_error_t jerr;
    json_t *body = req->body ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr)
                             : NULL;
    if (!body) {
        char msg[256];
        snprintf(msg, sizeof msg, "body: not JSON (%s)", req->body ? jerr.text : "empty");
        api_error(r, 400, "invalid_parameter", msg, "body");
        return;
    }
    /* {"events":[...]}, a bare array, or one event object. */
    json_t *events = json_is_array(body) ? body : json_object_get(body, "events");
    if (json_is_object(body) && events) {
        const char *key;
        json_t *v;
        json_object_foreach(body, key, v) {
            if (strcmp(key, "events") != 0) {
                char msg[256];
                snprintf(msg, sizeof msg, "%.100s: unknown field (the body holds only events)", key);
                api_error(r, 400, "invalid_parameter", msg, "body");
                json_decref(body);
                return;
            }
        }
    }
    size_t n = events ? json_array_size(events) : 1;
    if ((events && !json_is_array(events)) || n == 0 || n > VP_STORE_MAX_BATCH) {
        api_error(r, 400, "invalid_parameter", "events: an array of 1 to 1000 events", "events");
        json_decref(body);
        return;
    }
    vp_signal *evs = calloc(n, sizeof *evs);
    if (!evs) {
        json_decref(body);
        api_error(r, 503, "unavailable", "out of memory", NULL);
        return;
    }
    int ok = 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = parse_event(req, events ? json_array_get(events, i) : body, i, &evs[i], r) == 0;
    if (ok) {
        vp_error err = VP_ERROR_INIT;
        vp_status st = vp_store_add_signals(req->cfg->store, evs, n, &err);
        char *why = st == VP_ERR_INVALID ? vp_error_text(&err) : NULL;
        if (st == VP_OK) {
            api_insights_signals(req, evs, n);
            r->status = 202;
            r->json = json_pack("{s:I}", "accepted", (json_int_t)n);
        } else if (st == VP_ERR_INVALID) {
            api_error(r, 400, "invalid_parameter", why ? why : "invalid events", "events");
        } else {
            api_error(r, 503, "unavailable", "the signal store is unavailable; try again later",
                      NULL);
        }
        free(why);
        vp_error_clear(&err);
    }
    free(evs);
    json_decref(body);
}
