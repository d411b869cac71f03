/* recommend.c - recommendations with reasons (see recommend.h).
 *
 * Two steps. Retrieval: one Xapian query whose weights come from fixed-
 * weight boosts on boolean terms (each affinity of each segment, scaled by
 * the segment's share, and the offerings the segments used most), under the
 * search filters and "not yet past". Scoring: each of the best candidates
 * is scored in C from its stored JSON and the store, factor by factor, so
 * the factors that chose it can be named; then a greedy pass keeps the
 * list diverse. */
#include "vindplaats/recommend.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schema.h"
#include "vindplaats/analysis.h"
#include "vindplaats/arena.h"
#include "vindplaats/buf.h"
#include "vindplaats/geo.h"
#include "vindplaats/offering.h"
#include "xapian_c.h"

#define CANDIDATES_MIN 400
#define POPULAR_PER_SEGMENT 200
#define RETRIEVAL_SCALE 10.0  /* affinity boosts in BM25-like units */

const vp_recommend_weights vp_recommend_weights_default = {
    .affinity = 0.2,
    .popularity = 0.7,
    .upcoming = 0.1,
    .nearby = 0.1,
    .per_proposition = 3,
    .per_online = 5,
};

/* What each field of an affinity counts towards the affinity factor. */
static const double field_weight[VP_AFFINITY_FIELD_COUNT] = {
    [VP_AFFINITY_PROPOSITION] = 1.0, [VP_AFFINITY_TASK] = 0.4, [VP_AFFINITY_TYPE] = 0.6,
    [VP_AFFINITY_AUDIENCE] = 0.6,    [VP_AFFINITY_CHANNEL] = 0.3,
};
static const vp_field affinity_prefix_field[VP_AFFINITY_FIELD_COUNT] = {
    [VP_AFFINITY_PROPOSITION] = VP_FIELD_PROPOSITION, [VP_AFFINITY_TASK] = VP_FIELD_SOCIETAL_TASK,
    [VP_AFFINITY_TYPE] = VP_FIELD_TYPE, [VP_AFFINITY_AUDIENCE] = VP_FIELD_AUDIENCE,
    [VP_AFFINITY_CHANNEL] = VP_FIELD_CHANNEL,
};

/* Room in *parts (alloc entries) for one more after the n there are. */
static vp_status make_room(vpx_query ***parts, size_t n, size_t *alloc)
{
    if (n < *alloc)
        return VP_OK;
    size_t na = *alloc ? *alloc * 2 : 64;
    vpx_query **p = realloc(*parts, na * sizeof *p);
    if (!p)
        return VP_ERR_NOMEM;
    *parts = p;
    *alloc = na;
    return VP_OK;
}

/* The retrieval boosts, gathered before the query is built: a term, the
 * group it belongs to (an affinity field, or GROUP_ID for the offerings
 * the segments used) and its weight. Segments of one postcode share most
 * terms: each term enters the query once, with the weights summed. */
#define GROUP_ID VP_AFFINITY_FIELD_COUNT
typedef struct boost_term {
    char *term;
    int group;
    double w;
} boost_term;

typedef struct boost_set {
    boost_term *t;
    size_t n, alloc;
} boost_set;

static vp_status boost_add(boost_set *b, int group, const char *term, double w)
{
    if (w <= 0)
        return VP_OK;
    boost_term *t = vp_grow(b->t, &b->alloc, b->n + 1, sizeof *t);
    if (!t)
        return VP_ERR_NOMEM;
    b->t = t;
    char *copy = strdup(term);
    if (!copy)
        return VP_ERR_NOMEM;
    b->t[b->n++] = (boost_term){copy, group, w};
    return VP_OK;
}

static void boost_free(boost_set *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->t[i].term);
    free(b->t);
    memset(b, 0, sizeof *b);
}

static int cmp_boost(const void *a, const void *b)
{
    const boost_term *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return strcmp(x->term, y->term);
}

/* The retrieval query: per group the MAX of its scaled terms, the groups
 * OR-ed. Retrieval weighs with CoordWeight (a matching term counts 1), so
 * a term scaled by w weighs w: posting lists only, where a fixed-weight
 * source filtered by the term would walk every document. An offering has
 * one proposition, task, type, channel and id, so MAX weighs it as OR
 * would, but tells the matcher the truth about the bound: an OR of ten
 * propositions claims the sum of ten weights, which no offering reaches,
 * and the matcher could skip nothing. With exact bounds, once the best
 * candidates are found it skips the offerings that cannot beat them. For
 * audiences (several per offering) MAX counts the best one, as the
 * affinity factor does. *out NULL when there is no boost. */
static vp_status boost_query(boost_set *b, vpx_query **out, vp_error *err)
{
    *out = NULL;
    if (!b->n)
        return VP_OK;
    qsort(b->t, b->n, sizeof *b->t, cmp_boost);
    size_t m = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (m && b->t[m - 1].group == b->t[i].group && strcmp(b->t[m - 1].term, b->t[i].term) == 0) {
            b->t[m - 1].w += b->t[i].w;
            free(b->t[i].term);
            continue;
        }
        b->t[m++] = b->t[i];
    }
    b->n = m;
    vpx_query **terms = calloc(m, sizeof *terms), *groups[GROUP_ID + 1] = {0};
    vp_status st = terms ? VP_OK : VP_ERR_NOMEM;
    for (size_t i = 0, first = 0; st == VP_OK && i < m; i++) {
        vpx_query *t = NULL;
        st = vpx_query_term(b->t[i].term, &t, err);
        if (st == VP_OK)
            st = vpx_query_scale(t, b->t[i].w, &terms[i], err);
        vpx_query_destroy(t);
        if (st == VP_OK && (i + 1 == m || b->t[i + 1].group != b->t[i].group)) {
            st = vpx_query_combine(VPX_OP_MAX, terms + first, i + 1 - first,
                                   &groups[b->t[i].group], err);
            first = i + 1;
        }
    }
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_OR, groups, GROUP_ID + 1, out, err);
    for (size_t i = 0; terms && i < m; i++)
        vpx_query_destroy(terms[i]);
    for (int g = 0; g <= GROUP_ID; g++)
        vpx_query_destroy(groups[g]);
    free(terms);
    return st;
}

/* FILTER(fixed(w), term) appended to parts: a boost that works under BM25
 * (for the related list, whose similarity is BM25 over the offering's
 * terms; it walks every document, so only for a few dozen terms). */
static vp_status add_fixed_boost(vpx_query ***parts, size_t *n, size_t *alloc, const char *term,
                                 double w, vp_error *err)
{
    if (w <= 0)
        return VP_OK;
    if (make_room(parts, *n, alloc) != VP_OK)
        return VP_ERR_NOMEM;
    vpx_query *fixed = NULL, *t = NULL;
    vp_status st = vpx_query_fixed_weight(w, &fixed, err);
    if (st == VP_OK)
        st = vpx_query_term(term, &t, err);
    vpx_query *pair[2] = {fixed, t};
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_FILTER, pair, 2, &(*parts)[*n], err);
    if (st == VP_OK)
        (*n)++;
    vpx_query_destroy(fixed);
    vpx_query_destroy(t);
    return st;
}

/* Per candidate: the score of each factor, 0..1. */
typedef struct candidate {
    json_t *doc;
    const char *id;
    double factor[4];  /* affinity, popularity, upcoming, nearby */
    double score;
    double distance_km;
    double segment_use;            /* what its segments used of it (before normalising) */
    int64_t next;                  /* start of its next occurrence (UTC), -1 when undated */
    char *series;                  /* folded title: the sessions of one series share it */
    int picked;
    int over;                      /* every occurrence has ended */
} candidate;

static const char *const factor_names[4] = {"affinity", "popularity", "upcoming", "nearby"};

/* When an occurrence is over: its end, or without one the end of its local
 * day (as the API's "next" reckons it). */
static int64_t over_at(const vp_datetime *start, const vp_datetime *end)
{
    if (end && end->set)
        return end->all_day ? end->utc + 86399 : end->utc;
    return (vp_day_to_epoch(vp_datetime_local_day(start)) + 1) * 86400 -
           (int64_t)start->offset_min * 60;
}

/* The next occurrence's start (UTC) that is not over at `now`, or -1. */
static int64_t next_start(json_t *doc, int64_t now, const char **text)
{
    json_t *occ = json_object_get(doc, "occurrences");
    json_t *self = NULL;
    if (!json_array_size(occ) && json_is_string(json_object_get(doc, "start"))) {
        self = json_array();
        json_array_append_new(self, json_pack("{s:O, s:O}", "start", json_object_get(doc, "start"),
                                              "end", json_object_get(doc, "end") ? json_object_get(doc, "end") : json_null()));
        occ = self;
    }
    int64_t best = -1;
    size_t i;
    json_t *o;
    json_array_foreach(occ, i, o) {
        vp_datetime s, e = {0};
        const char *st = json_string_value(json_object_get(o, "start"));
        if (vp_datetime_parse(st, &s) != 0)
            continue;
        json_t *je = json_object_get(o, "end");
        if (json_is_string(je))
            vp_datetime_parse(json_string_value(je), &e);
        if (over_at(&s, &e) >= now && (best < 0 || s.utc < best)) {
            best = s.utc;
            *text = st;
        }
    }
    json_decref(self);
    return best;
}

static void score_affinity(candidate *c, const vp_recommend_request *req,
                           const vp_vocabulary *voc)
{
    const char *values[VP_AFFINITY_FIELD_COUNT] = {
        json_string_value(json_object_get(c->doc, "proposition")),
        json_string_value(json_object_get(c->doc, "societal_task")),
        json_string_value(json_object_get(c->doc, "type")),
        NULL,
        json_string_value(json_object_get(c->doc, "channel")),
    };
    const vp_proposition *prop = vp_vocabulary_get(voc, values[VP_AFFINITY_PROPOSITION]);
    if (!values[VP_AFFINITY_TASK] && prop)
        values[VP_AFFINITY_TASK] = prop->societal_task;
    double total = 0, norm = 0;
    for (int f = 0; f < VP_AFFINITY_FIELD_COUNT; f++)
        norm += field_weight[f];
    for (size_t s = 0; s < req->n_segments; s++) {
        const vp_segment *seg = req->segments[s];
        double sum = 0;
        for (int f = 0; f < VP_AFFINITY_FIELD_COUNT; f++) {
            double w = 0;
            if (f == VP_AFFINITY_AUDIENCE) {
                json_t *g;
                size_t i;
                json_array_foreach(json_object_get(json_object_get(c->doc, "audience"), "groups"), i, g) {
                    double a = vp_segment_affinity(seg, VP_AFFINITY_AUDIENCE, json_string_value(g));
                    if (a > w)
                        w = a;
                }
            } else if (values[f]) {
                w = vp_segment_affinity(seg, (vp_affinity_field)f, values[f]);
            }
            sum += field_weight[f] * w;
        }
        total += req->shares[s] * sum / norm;
    }
    c->factor[0] = total;
}

static int cmp_score(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return strcmp(x->id, y->id);
}

/* Reasons name facts a resident can check on the offering itself: where
 * and when it is, whom it is for, that it is online, that it is chosen
 * often. Never the segment: segments are the network's marketing
 * knowledge, not a label to put on a visitor. */
enum fact { FACT_NEAR, FACT_WHEN, FACT_AUDIENCE, FACT_ONLINE, FACT_POPULAR, FACT_COUNT };

/* The fact of kind `k` about `c` into text[size]; 0 when there is none. */
static int fact_text(const candidate *c, const vp_recommend_request *req, int64_t now, int k,
                     char *text, size_t size)
{
    json_t *doc = c->doc;
    const char *channel = json_string_value(json_object_get(doc, "channel"));
    int online = channel && strcmp(channel, "online") == 0;
    int hybrid = channel && strcmp(channel, "hybrid") == 0;
    switch (k) {
    case FACT_NEAR:
        if (c->distance_km < 0 || online)
            return 0;
        {
            /* Dutch decimals: "3,2 km". */
            long tenths = lround(c->distance_km * 10);
            if (tenths < 10)
                snprintf(text, size, "Bij u in de buurt (minder dan 1 km)");
            else if (c->distance_km <= 10)
                snprintf(text, size, "Bij u in de buurt (%ld,%ld km)", tenths / 10, tenths % 10);
            else
                snprintf(text, size, "Op %ld km van u", lround(c->distance_km));
        }
        return 1;
    case FACT_WHEN: {
        if (c->next < 0)
            return 0;
        if (c->next < now) {
            snprintf(text, size, "Nu bezig");
            return 1;
        }
        /* Calendar days where the residents live: 10:00 today is today. */
        long days = (long)(vp_day_to_epoch(vp_nl_day(c->next)) - vp_day_to_epoch(vp_nl_day(now)));
        if (days <= 0)
            snprintf(text, size, "Vandaag");
        else if (days == 1)
            snprintf(text, size, "Morgen");
        else if (days == 2)
            snprintf(text, size, "Overmorgen");
        else
            snprintf(text, size, "Over %ld dagen", days);
        return 1;
    }
    case FACT_AUDIENCE: {
        /* Only an age range says something checkable; adults-only says little. */
        json_t *aud = json_object_get(doc, "audience");
        json_t *jmin = json_object_get(aud, "min_age"), *jmax = json_object_get(aud, "max_age");
        if (!json_is_integer(jmax) || json_integer_value(jmax) > 18)
            return 0;
        long lo = json_is_integer(jmin) ? (long)json_integer_value(jmin) : 0;
        long hi = (long)json_integer_value(jmax);
        if (hi <= 12 && lo > 0)
            snprintf(text, size, "Voor kinderen van %ld-%ld jaar", lo, hi);
        else if (hi <= 12)
            snprintf(text, size, "Voor kinderen tot %ld jaar", hi);
        else if (lo > 0)
            snprintf(text, size, "Voor %ld tot %ld jaar", lo, hi);
        else
            snprintf(text, size, "Tot %ld jaar", hi);
        return 1;
    }
    case FACT_ONLINE:
        if (online && c->next < 0)
            snprintf(text, size, "Online, wanneer het u uitkomt");
        else if (online)
            snprintf(text, size, "Online te volgen");
        else if (hybrid)
            snprintf(text, size, "Ook online te volgen");
        else
            return 0;
        return 1;
    case FACT_POPULAR:
        /* Only what was really used: the segments' own signals, or everyone's. */
        if (c->factor[1] < 0.2)
            return 0;
        if (c->segment_use > 0 && req->segments_of_place && req->filters.has_near)
            snprintf(text, size, "Veel gekozen in uw buurt");
        else
            snprintf(text, size, "Veel gekozen");
        return 1;
    }
    return 0;
}

static char *reason_for(const candidate *c, const vp_recommend_request *req, int64_t now)
{
    /* The factor that contributed most decides which facts come first. */
    static const int order[4][FACT_COUNT] = {
        {FACT_AUDIENCE, FACT_ONLINE, FACT_NEAR, FACT_WHEN, FACT_POPULAR},  /* affinity */
        {FACT_POPULAR, FACT_WHEN, FACT_NEAR, FACT_ONLINE, FACT_AUDIENCE},  /* popularity */
        {FACT_WHEN, FACT_ONLINE, FACT_NEAR, FACT_AUDIENCE, FACT_POPULAR},  /* upcoming */
        {FACT_NEAR, FACT_ONLINE, FACT_WHEN, FACT_AUDIENCE, FACT_POPULAR},  /* nearby */
    };
    const vp_recommend_weights *w = req->weights ? req->weights : &vp_recommend_weights_default;
    double contrib[4] = {w->affinity * c->factor[0], w->popularity * c->factor[1],
                         w->upcoming * c->factor[2], w->nearby * c->factor[3]};
    int top = 0;
    for (int i = 1; i < 4; i++)
        if (contrib[i] > contrib[top])
            top = i;
    /* At most two facts: "Bij u in de buurt (3,2 km) · Morgen". */
    char text[256] = "", one[96];
    int n = 0;
    for (int i = 0; i < FACT_COUNT && n < 2; i++) {
        if (!fact_text(c, req, now, order[top][i], one, sizeof one))
            continue;
        size_t len = strlen(text);
        snprintf(text + len, sizeof text - len, "%s%s", n ? " \xc2\xb7 " : "", one);
        n++;
    }
    if (!n)
        snprintf(text, sizeof text, "Uit het aanbod van de bibliotheek");
    return strdup(text);
}

static void free_items(vp_recommendation *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i].id);
        json_decref(items[i].doc);
        free(items[i].reason);
    }
    free(items);
}

void vp_recommend_result_destroy(vp_recommend_result *res)
{
    if (!res)
        return;
    free_items(res->items, res->n);
    free(res);
}

/* Scores, ranks and diversifies the candidates of `ms`; fills `res`. */
static vp_status finish(vp_index *idx, const vp_recommend_request *req, const vpx_mset *ms,
                        vp_recommend_result *res, vp_error *err)
{
    const vp_recommend_weights *w = req->weights ? req->weights : &vp_recommend_weights_default;
    int64_t now = req->filters.now ? req->filters.now : (int64_t)time(NULL);
    size_t n = vpx_mset_size(ms);
    candidate *c = calloc(n + 1, sizeof *c);
    const char **ids = calloc(n + 1, sizeof *ids);
    double *pop = calloc(n + 1, sizeof *pop), *seg_pop = calloc(n + 1, sizeof *seg_pop);
    vp_status st = c && ids && pop && seg_pop ? VP_OK : VP_ERR_NOMEM;
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        c[i].doc = json_loads(vpx_mset_data(ms, i), 0, NULL);
        c[i].id = json_string_value(json_object_get(c[i].doc, "id"));
        c[i].distance_km = -1;
        ids[i] = c[i].id ? c[i].id : "";
    }
    /* Popularity: what each segment used, and everyone, decayed; normalised. */
    res->signals = 0;
    if (st == VP_OK && req->store && n) {
        int ok = vp_store_scores(req->store, NULL, ids, n, now, pop, NULL) == VP_OK;
        for (size_t s = 0; ok && s < req->n_segments; s++) {
            double *tmp = calloc(n + 1, sizeof *tmp);
            ok = tmp && vp_store_scores(req->store, req->segments[s]->id, ids, n, now, tmp, NULL) == VP_OK;
            for (size_t i = 0; ok && i < n; i++)
                seg_pop[i] += req->shares[s] * tmp[i];
            free(tmp);
        }
        res->signals = ok;
        if (ok) {
            double max_all = 0, max_seg = 0;
            for (size_t i = 0; i < n; i++) {
                if (pop[i] > max_all)
                    max_all = pop[i];
                if (seg_pop[i] > max_seg)
                    max_seg = seg_pop[i];
            }
            for (size_t i = 0; i < n; i++) {
                double a = max_all > 0 ? pop[i] / max_all : 0;
                double b = max_seg > 0 ? seg_pop[i] / max_seg : 0;
                c[i].factor[1] = req->n_segments ? 0.75 * b + 0.25 * a : a;
                c[i].segment_use = seg_pop[i];
            }
        }
    }
    const vp_vocabulary *voc = vp_index_vocabulary(idx);
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        score_affinity(&c[i], req, voc);
        const char *when = NULL;
        int64_t next = next_start(c[i].doc, now, &when);
        /* The index hides what ended before today; what ended earlier
         * today is over too. */
        if (next < 0 && (json_array_size(json_object_get(c[i].doc, "occurrences")) ||
                         json_is_string(json_object_get(c[i].doc, "start")))) {
            c[i].over = 1;
            continue;
        }
        double days = next < 0 ? -1 : (double)(next - now) / 86400.0;
        c[i].next = next;
        c[i].factor[2] = next < 0 ? 0.3 : days <= 14 ? 1.0 : days <= 60 ? 0.5 : 0.2;
        json_t *loc = json_object_get(c[i].doc, "location");
        if (req->filters.has_near && json_is_number(json_object_get(loc, "lat"))) {
            c[i].distance_km = vp_geo_distance_km(req->filters.near_lat, req->filters.near_lon,
                                                  json_number_value(json_object_get(loc, "lat")),
                                                  json_number_value(json_object_get(loc, "lon")));
            c[i].factor[3] = exp(-c[i].distance_km / 10.0);
        } else if (req->filters.has_near) {
            const char *channel = json_string_value(json_object_get(c[i].doc, "channel"));
            c[i].factor[3] = channel && strcmp(channel, "online") == 0 ? 0.5 : 0;
        }
        c[i].score = w->affinity * c[i].factor[0] + w->popularity * c[i].factor[1] +
                     w->upcoming * c[i].factor[2] + w->nearby * c[i].factor[3];
    }
    if (st == VP_OK)
        qsort(c, n, sizeof *c, cmp_score);

    /* Diversity: at most per_proposition of a proposition per ten and,
     * with a place, at most per_online online offerings per ten (the same
     * everywhere, they would crowd out what is on nearby); both relaxed
     * only when the list would stay short. Never one work twice, nor two
     * offerings with the same folded title (the sessions of one series). */
    res->items = calloc(req->limit + 1, sizeof *res->items);
    if (st == VP_OK && !res->items)
        st = VP_ERR_NOMEM;
    unsigned cap = w->per_proposition ? w->per_proposition * ((req->limit + 9) / 10) : req->limit;
    unsigned online_cap = w->per_online && req->filters.has_near
                              ? w->per_online * ((req->limit + 9) / 10) : req->limit;
    size_t *picked = calloc(req->limit + 1, sizeof *picked), n_picked = 0;
    if (st == VP_OK && !picked)
        st = VP_ERR_NOMEM;
    for (int relax = 0; st == VP_OK && relax < 2 && res->n < req->limit; relax++)
        for (size_t i = 0; st == VP_OK && i < n && res->n < req->limit; i++) {
            if (c[i].picked || c[i].over || !c[i].id)
                continue;
            const char *prop = json_string_value(json_object_get(c[i].doc, "proposition"));
            const char *work = json_string_value(json_object_get(c[i].doc, "work_key"));
            if (!c[i].series) {
                const char *title = json_string_value(json_object_get(c[i].doc, "title"));
                c[i].series = vp_text_fold(title ? title : c[i].id, 1);
                if (!c[i].series) {
                    st = VP_ERR_NOMEM;
                    break;
                }
            }
            const char *channel = json_string_value(json_object_get(c[i].doc, "channel"));
            int online = channel && strcmp(channel, "online") == 0;
            unsigned same_prop = 0, n_online = 0;
            int dup = 0;
            /* Against the candidates already picked (their JSON is parsed). */
            for (size_t k = 0; k < n_picked; k++) {
                json_t *d = c[picked[k]].doc;
                const char *p2 = json_string_value(json_object_get(d, "proposition"));
                const char *w2 = json_string_value(json_object_get(d, "work_key"));
                const char *ch2 = json_string_value(json_object_get(d, "channel"));
                same_prop += prop && p2 && strcmp(prop, p2) == 0;
                n_online += ch2 && strcmp(ch2, "online") == 0;
                dup |= (work && w2 && strcmp(work, w2) == 0) ||
                       strcmp(c[i].series, c[picked[k]].series) == 0;
            }
            if (dup || (relax == 0 && ((prop && same_prop >= cap) || (online && n_online >= online_cap))))
                continue;
            vp_recommendation *r = &res->items[res->n];
            r->id = strdup(c[i].id);
            r->doc = json_incref(c[i].doc);
            r->score = c[i].score;
            r->distance_km = c[i].distance_km;
            r->reason = reason_for(&c[i], req, now);
            for (int f = 0; f < 4; f++) {
                double weights[4] = {w->affinity, w->popularity, w->upcoming, w->nearby};
                if (weights[f] * c[i].factor[f] > 0) {
                    r->factors[r->n_factors].name = factor_names[f];
                    r->factors[r->n_factors].weight = weights[f] * c[i].factor[f];
                    r->n_factors++;
                }
            }
            res->n++;
            c[i].picked = 1;
            picked[n_picked++] = i;
            if (!r->id || !r->doc || !r->reason)
                st = VP_ERR_NOMEM;
        }
    free(picked);
    for (size_t i = 0; c && i < n; i++) {
        json_decref(c[i].doc);
        free(c[i].series);
    }
    free(c);
    free(ids);
    free(pop);
    free(seg_pop);
    (void)err;
    return st;
}

/* AND_NOT of the excluded ids, appended to the filter. */
static vp_status exclude_query(const char *const *ids, size_t n, vpx_query **out, vp_error *err)
{
    *out = NULL;
    if (!n)
        return VP_OK;
    vpx_query **terms = calloc(n, sizeof *terms);
    if (!terms)
        return VP_ERR_NOMEM;
    vp_status st = VP_OK;
    vp_buf t;
    vp_buf_init(&t, 512);
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        t.len = 0;
        st = vp_buf_printf(&t, PFX_ID "%s", ids[i]);
        if (st == VP_OK)
            st = vpx_query_term(t.data, &terms[i], err);
    }
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_OR, terms, n, out, err);
    for (size_t i = 0; i < n; i++)
        vpx_query_destroy(terms[i]);
    free(terms);
    vp_buf_free(&t);
    return st;
}

/* Runs `weighted` under the filters minus the excluded; candidates into ms. */
static vp_status retrieve(vp_index *idx, const vp_recommend_request *req, vpx_query *weighted,
                          unsigned want, int coord, vpx_mset **ms, vp_error *err)
{
    vpx_db *db = vp_index_db(idx);
    vpx_query *filters = NULL, *excluded = NULL, *q = NULL, *kept = NULL;
    vp_search_request f = req->filters;
    f.include_past = 0; /* never recommend what has passed */
    f.q = NULL;
    /* With a place, only what a resident can reach: within the radius, or online. */
    if (f.has_near && f.radius_km <= 0)
        f.radius_km = VP_RECOMMEND_RADIUS_KM;
    vp_status st = vp_search_filter_query(idx, &f, &filters, err);
    if (st == VP_OK)
        st = exclude_query(req->exclude, req->n_exclude, &excluded, err);
    vpx_query *parts[2] = {weighted, filters};
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_FILTER, parts, 2, &q, err);
    vpx_query *cut[2] = {q, excluded};
    if (st == VP_OK)
        st = excluded ? vpx_query_combine(VPX_OP_AND_NOT, cut, 2, &kept, err) : VP_OK;
    vpx_enquire_opts eo = {.sort_slot = -1, .offset = 0, .limit = want, .check_at_least = 0,
                           .coord_weight = coord};
    if (st == VP_OK)
        st = vpx_enquire(db, kept ? kept : q, &eo, ms, err);
    vpx_query_destroy(filters);
    vpx_query_destroy(excluded);
    vpx_query_destroy(q);
    vpx_query_destroy(kept);
    return st;
}

vp_status vp_recommend(vp_index *idx, const vp_recommend_request *req, vp_recommend_result **out,
                       vp_error *err)
{
    if (req->limit < 1 || req->limit > VP_RECOMMEND_MAX_LIMIT)
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.parameter = "limit"},
                            "limit: must be from 1 to 50");
    if (req->n_segments > VP_RECOMMEND_MAX_SEGMENTS || req->n_exclude > VP_RECOMMEND_MAX_EXCLUDE)
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.parameter = "exclude"},
                            "exclude: at most 100 offerings");
    int64_t now = req->filters.now ? req->filters.now : (int64_t)time(NULL);
    vp_status st = vpx_db_reopen(vp_index_db(idx), err);
    vpx_query *weighted = NULL;
    boost_set boosts = {0};
    vp_buf t;
    vp_buf_init(&t, 512);
    /* Affinities of every segment, weighted by its share. */
    for (size_t s = 0; st == VP_OK && s < req->n_segments; s++)
        for (int f = 0; st == VP_OK && f < VP_AFFINITY_FIELD_COUNT; f++)
            for (size_t a = 0; st == VP_OK && a < req->segments[s]->n_affinities[f]; a++) {
                const vp_affinity *af = &req->segments[s]->affinities[f][a];
                t.len = 0;
                st = vp_buf_printf(&t, "%s%s", vp_field_prefix[affinity_prefix_field[f]], af->value);
                if (st == VP_OK)
                    st = boost_add(&boosts, f, t.data,
                                   RETRIEVAL_SCALE * req->shares[s] * field_weight[f] * af->weight);
            }
    /* What the segments (or everyone) used most. */
    int store_ok = 0;
    for (size_t s = 0; st == VP_OK && req->store && s <= req->n_segments; s++) {
        vp_scored *top = NULL;
        size_t nt = 0;
        const char *seg = s < req->n_segments ? req->segments[s]->id : NULL;
        if (vp_store_top(req->store, seg, now, POPULAR_PER_SEGMENT, &top, &nt, NULL) != VP_OK)
            break;
        store_ok = 1;
        double share = s < req->n_segments ? req->shares[s] : (req->n_segments ? 0.25 : 1.0);
        for (size_t i = 0; st == VP_OK && i < nt; i++) {
            t.len = 0;
            st = vp_buf_printf(&t, PFX_ID "%s", top[i].key);
            if (st == VP_OK && top[0].score > 0)
                st = boost_add(&boosts, GROUP_ID, t.data,
                               RETRIEVAL_SCALE * share * top[i].score / top[0].score);
        }
        vp_scored_free(top, nt);
    }
    vp_buf_free(&t);
    size_t n = boosts.n;
    if (st == VP_OK)
        st = n ? boost_query(&boosts, &weighted, err) : vpx_query_match_all(&weighted, err);
    boost_free(&boosts);

    vp_recommend_result *res = calloc(1, sizeof *res);
    vpx_mset *ms = NULL;
    unsigned want = req->limit * 30 > CANDIDATES_MIN ? req->limit * 30 : CANDIDATES_MIN;
    if (st == VP_OK && !res)
        st = VP_ERR_NOMEM;
    if (st == VP_OK)
        st = retrieve(idx, req, weighted, want, 1, &ms, err);
    /* Too few fit the affinities: fill from everything that is eligible. */
    if (st == VP_OK && vpx_mset_size(ms) < req->limit && n) {
        vpx_query *all = NULL;
        vpx_mset_destroy(ms);
        ms = NULL;
        st = vpx_query_match_all(&all, err);
        if (st == VP_OK)
            st = retrieve(idx, req, all, want, 1, &ms, err);
        vpx_query_destroy(all);
    }
    if (st == VP_OK)
        st = finish(idx, req, ms, res, err);
    if (res)
        res->signals = res->signals || store_ok;
    vpx_mset_destroy(ms);
    vpx_query_destroy(weighted);
    if (st != VP_OK) {
        vp_recommend_result_destroy(res);
        return st;
    }
    *out = res;
    return VP_OK;
}

vp_status vp_related(vp_index *idx, const char *id, unsigned limit, int64_t now, vp_store *store,
                     vp_recommend_result **out, vp_error *err)
{
    if (limit < 1 || limit > VP_RECOMMEND_MAX_LIMIT)
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.parameter = "limit"},
                            "limit: must be from 1 to 50");
    vpx_db *db = vp_index_db(idx);
    vp_buf uid;
    vp_buf_init(&uid, 512);
    vpx_query *like = NULL, *co = NULL, *weighted = NULL;
    vp_status st = vpx_db_reopen(db, err);
    if (st == VP_OK)
        st = vp_buf_printf(&uid, PFX_ID "%s", id);
    if (st == VP_OK)
        st = vpx_query_like(db, uid.data, 20, &like, err);
    /* Used together with it: boosts on those offerings. */
    vpx_query **parts = NULL;
    size_t n = 0, alloc = 0;
    int store_ok = 0;
    vp_scored *co_used = NULL;
    size_t n_co = 0;
    if (st == VP_OK && store && vp_store_co_used(store, id, now ? now : (int64_t)time(NULL), 50,
                                                 &co_used, &n_co, NULL) == VP_OK) {
        store_ok = 1;
        vp_buf t;
        vp_buf_init(&t, 512);
        for (size_t i = 0; st == VP_OK && i < n_co; i++) {
            t.len = 0;
            st = vp_buf_printf(&t, PFX_ID "%s", co_used[i].key);
            if (st == VP_OK && co_used[0].score > 0)
                st = add_fixed_boost(&parts, &n, &alloc, t.data,
                                     RETRIEVAL_SCALE * co_used[i].score / co_used[0].score, err);
        }
        vp_buf_free(&t);
    }
    if (st == VP_OK && n)
        st = vpx_query_combine(VPX_OP_OR, parts, n, &co, err);
    vpx_query *both[2] = {like, co};
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_OR, both, 2, &weighted, err);
    for (size_t i = 0; i < n; i++)
        vpx_query_destroy(parts[i]);
    free(parts);

    vp_recommend_request req;
    memset(&req, 0, sizeof req);
    req.filters.now = now;
    req.limit = limit;
    const char *self[1] = {id};
    req.exclude = self;
    req.n_exclude = 1;
    vpx_mset *ms = NULL;
    vp_recommend_result *res = calloc(1, sizeof *res);
    if (st == VP_OK && !res)
        st = VP_ERR_NOMEM;
    if (st == VP_OK)
        st = retrieve(idx, &req, weighted, limit * 3, 0, &ms, err);
    /* Related lists keep Xapian's order: similarity is the reason. */
    for (size_t i = 0; st == VP_OK && ms && i < vpx_mset_size(ms) && res->n < limit; i++) {
        if (!res->items && !(res->items = calloc(limit + 1, sizeof *res->items))) {
            st = VP_ERR_NOMEM;
            break;
        }
        json_t *doc = json_loads(vpx_mset_data(ms, i), 0, NULL);
        vp_recommendation *r = &res->items[res->n++];
        r->id = strdup(json_string_value(json_object_get(doc, "id")) ? json_string_value(json_object_get(doc, "id")) : "");
        r->doc = doc;
        r->score = vpx_mset_weight(ms, i);
        r->distance_km = -1;
        int together = 0;
        for (size_t k = 0; k < n_co && !together; k++)
            together = strcmp(co_used[k].key, r->id) == 0;
        r->reason = strdup(together ? "Lijkt hierop, en wordt vaak samen gekozen" : "Lijkt hierop");
        r->factors[0].name = "similarity";
        r->factors[0].weight = r->score;
        r->n_factors = 1;
        if (!r->id || !r->doc || !r->reason)
            st = VP_ERR_NOMEM;
    }
    if (res)
        res->signals = store_ok;
    vp_scored_free(co_used, n_co);
    vpx_mset_destroy(ms);
    vpx_query_destroy(like);
    vpx_query_destroy(co);
    vpx_query_destroy(weighted);
    vp_buf_free(&uid);
    if (st != VP_OK) {
        vp_recommend_result_destroy(res);
        return st;
    }
    *out = res;
    return VP_OK;
}
