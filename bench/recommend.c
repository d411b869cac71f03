/* recommend.c - vindplaats-bench-recommend: does the recommender find what
 * each segment uses? Interactions are generated from a planted ground
 * truth, 80% are fed to the signal store, and the held-out 20% judge the
 * recommendations of Vindplaats against two baselines: most popular
 * overall, and random.
 *
 * The planted truth of a segment: three propositions, two of them its
 * strongest configured affinities (the model is partly right, as a real
 * Mosaic profile is) and one drawn at random (which only the signals can
 * reveal), and one preferred type; each offering has an appeal of its own
 * (log-normal), and a fifth of every segment's interactions are uniformly
 * random noise.
 *
 * Coverage: the distinct offerings recommended over a grid of lists, as
 * a website would ask for them: every segment with the place of every
 * --grid-step'th PC4 of the segment postcode table (segment=S&postcode=P),
 * and every such PC4's own mix of segments (postcode=P, with its place).
 *
 * usage: vindplaats-bench-recommend [--offerings FILE] [--events N] [--seed S]
 *        [--grid-step N] [--per-online N] [--json FILE] (other data files
 *        default to the repository's; --per-online replaces the default cap
 *        on online offerings in a list of ten with a place, 0: none) */
#define _GNU_SOURCE /* qsort_r */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vindplaats/geo.h"
#include "vindplaats/index.h"
#include "vindplaats/load.h"
#include "vindplaats/offering.h"
#include "vindplaats/recommend.h"
#include "vindplaats/segments.h"
#include "vindplaats/store.h"

#define K 10

static uint64_t rng;

static uint64_t next_random(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double uniform(void)
{
    return (double)(next_random() >> 11) / 9007199254740992.0;
}

typedef struct item {
    char *id;
    char *proposition;
    char *type;
    char *work;      /* work_key or title */
    int eligible;    /* not past at the clock */
} item;

static item *items;
static size_t n_items;

static int upcoming(json_t *doc, int64_t now)
{
    json_t *occ = json_object_get(doc, "occurrences");
    if (!json_array_size(occ))
        return !json_is_string(json_object_get(doc, "start"));
    size_t i;
    json_t *o;
    json_array_foreach(occ, i, o) {
        vp_datetime s, e;
        if (vp_datetime_parse(json_string_value(json_object_get(o, "start")), &s) != 0)
            continue;
        e = s;
        if (json_is_string(json_object_get(o, "end")))
            vp_datetime_parse(json_string_value(json_object_get(o, "end")), &e);
        if (e.utc >= now)
            return 1;
    }
    return 0;
}

typedef struct metrics {
    double recall, ndcg, past, dup;
    size_t lists;
} metrics;

static int cmp_unsigned_desc(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x < y) - (x > y);
}

/* Scores a list against the held-out uses of one segment: an offering's
 * gain is how often the segment used it in the held-out part, so the
 * uniform noise (single uses) weighs little. recall@10 is the share of the
 * held-out uses the list covers, relative to the best possible ten. */
static void judge(metrics *m, const char *const *ids, size_t n, const unsigned *held,
                  size_t n_relevant, int64_t now)
{
    (void)now;
    (void)n_relevant;
    double dcg = 0, idcg = 0, covered = 0, best = 0;
    unsigned *sorted = malloc(n_items * sizeof *sorted);
    memcpy(sorted, held, n_items * sizeof *sorted);
    qsort(sorted, n_items, sizeof *sorted, cmp_unsigned_desc);
    for (size_t i = 0; i < K; i++) {
        best += sorted[i];
        idcg += sorted[i] / log2((double)i + 2);
    }
    free(sorted);
    for (size_t i = 0; i < n && i < K; i++) {
        size_t k = 0;
        while (k < n_items && strcmp(items[k].id, ids[i]) != 0)
            k++;
        if (k == n_items)
            continue;
        if (!items[k].eligible)
            m->past += 1.0 / (double)n;
        for (size_t j = 0; j < i; j++) {
            size_t k2 = 0;
            while (k2 < n_items && strcmp(items[k2].id, ids[j]) != 0)
                k2++;
            if (k2 < n_items && strcmp(items[k2].work, items[k].work) == 0) {
                m->dup += 1.0 / (double)n;
                break;
            }
        }
        covered += held[k];
        dcg += held[k] / log2((double)i + 2);
    }
    m->recall += best > 0 ? covered / best : 0;
    m->ndcg += idcg > 0 ? dcg / idcg : 0;
    m->lists++;
}

static int cmp_count_desc(const void *a, const void *b, void *ctx)
{
    const unsigned *c = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (c[x] != c[y])
        return c[x] < c[y] ? 1 : -1;
    return x < y ? -1 : x > y;
}

/* Adds a copy of `id` to the distinct ids list[0..*n). */
static void remember(const char ***list, size_t *n, const char *id)
{
    for (size_t k = 0; k < *n; k++)
        if (strcmp((*list)[k], id) == 0)
            return;
    if (*n % 1024 == 0) {
        const char **more = realloc(*list, (*n + 1024) * sizeof *more);
        if (!more)
            return;
        *list = more;
    }
    (*list)[(*n)++] = strdup(id);
}

int main(int argc, char **argv)
{
    const char *offerings = "data/sample/offerings.jsonl", *vocab = "data/vocabulary/propositions.tsv";
    const char *segs_path = "data/segments/segments.json", *pc_path = "data/segments/pc4-segments.csv";
    const char *json_out = NULL, *now_iso = "2026-12-01T08:00:00+01:00";
    const char *places_path = "data/reference/nl_pc4_geonames.json";
    long events = 20000, seed = 11, grid_step = 20, per_online = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--offerings") == 0) offerings = argv[i + 1];
        else if (strcmp(argv[i], "--events") == 0) events = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--seed") == 0) seed = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--json") == 0) json_out = argv[i + 1];
        else if (strcmp(argv[i], "--grid-step") == 0) grid_step = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--per-online") == 0) per_online = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--segments") == 0) segs_path = argv[i + 1];
        else {
            fprintf(stderr, "vindplaats-bench-recommend: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    rng = (uint64_t)seed;
    vp_datetime now;
    vp_datetime_parse(now_iso, &now);
    vp_vocabulary *voc = NULL;
    vp_segments *segs = NULL;
    vp_postcodes *places = NULL;
    if (grid_step < 1) {
        fprintf(stderr, "vindplaats-bench-recommend: --grid-step must be 1 or more\n");
        return 2;
    }
    vp_error verr = VP_ERROR_INIT;
    if (vp_vocabulary_load(vocab, &voc, &verr) != VP_OK ||
        vp_segments_load(segs_path, pc_path, voc, &segs, &verr) != VP_OK ||
        vp_postcodes_load(places_path, &places, &verr) != VP_OK) {
        vp_error_print(stderr, "vindplaats-bench-recommend", &verr);
        vp_error_clear(&verr);
        return 1;
    }
    /* The catalogue. */
    FILE *f = fopen(offerings, "r");
    if (!f) {
        perror(offerings);
        return 1;
    }
    static char line[1 << 20];
    size_t alloc = 8192, eligible = 0;
    items = calloc(alloc, sizeof *items);
    while (fgets(line, sizeof line, f)) {
        json_t *d = json_loads(line, 0, NULL);
        if (!d)
            continue;
        if (n_items == alloc)
            items = realloc(items, (alloc *= 2) * sizeof *items);
        item *it = &items[n_items++];
        const char *p = json_string_value(json_object_get(d, "proposition"));
        const char *w = json_string_value(json_object_get(d, "work_key"));
        it->id = strdup(json_string_value(json_object_get(d, "id")));
        it->proposition = strdup(p ? p : "");
        it->type = strdup(json_string_value(json_object_get(d, "type")));
        it->work = strdup(w ? w : json_string_value(json_object_get(d, "title")));
        it->eligible = upcoming(d, now.utc);
        eligible += (size_t)it->eligible;
        json_decref(d);
    }
    fclose(f);

    char dir[] = "/tmp/vp-bench-recommend-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[512];
    snprintf(path, sizeof path, "%s/index", dir);
    vp_index *w = NULL;
    FILE *in = fopen(offerings, "r");
    vp_load_stats ls;
    vp_error lerr = VP_ERROR_INIT;
    if (vp_index_open(path, VP_INDEX_WRITE, voc, &w, &lerr) != VP_OK ||
        vp_load_jsonl(w, voc, in, offerings, stderr, &ls, &lerr) != VP_OK) {
        vp_error_print(stderr, "vindplaats-bench-recommend", &lerr);
        return 1;
    }
    fclose(in);
    vp_index_close(w);
    vp_index *idx = NULL;
    vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL);
    snprintf(path, sizeof path, "%s/store", dir);
    vp_store_config sc = {NULL, path, 30, 200};
    vp_store *store = NULL;
    vp_error serr = VP_ERROR_INIT;
    if (vp_store_open(&sc, &store, &serr) != VP_OK) {
        vp_error_print(stderr, "vindplaats-bench-recommend: store", &serr);
        vp_error_clear(&serr);
        return 1;
    }

    /* Planted truth and interactions. */
    size_t ns = vp_segments_count(segs);
    unsigned **held = calloc(ns, sizeof *held);
    unsigned *global = calloc(n_items, sizeof *global);
    double *pref = calloc(n_items, sizeof *pref);
    double *appeal = calloc(n_items, sizeof *appeal);
    for (size_t i = 0; i < n_items; i++) {
        /* Log-normal appeal: a few offerings draw many residents. */
        double u1 = uniform() + 1e-12, u2 = uniform();
        appeal[i] = exp(sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2));
    }
    size_t fed = 0, kept_out = 0;
    vp_signal *batch = calloc(VP_STORE_MAX_BATCH, sizeof *batch);
    for (size_t s = 0; s < ns; s++) {
        const vp_segment *seg = vp_segments_at(segs, s);
        held[s] = calloc(n_items, sizeof **held);
        /* Three preferred propositions, two from the configured affinities
         * (strongest first) and one at random, and one preferred type
         * among the agenda and digital types; every offering has its own
         * appeal (the same for every segment), so uses concentrate. */
        const char *liked[3] = {NULL, NULL, NULL};
        size_t n_aff = seg->n_affinities[VP_AFFINITY_PROPOSITION];
        for (size_t a2 = 0; a2 < 2 && a2 < n_aff; a2++)
            liked[a2] = seg->affinities[VP_AFFINITY_PROPOSITION][a2].value;
        do
            liked[2] = items[next_random() % n_items].proposition;
        while (!*liked[2]);
        static const char *const types[] = {"course", "event", "activity", "ebook", "audiobook"};
        const char *liked_type = types[next_random() % 5];
        double total = 0;
        for (size_t i = 0; i < n_items; i++) {
            double p = 0;
            if (items[i].eligible) {
                p = 0.02;
                for (int r = 0; r < 3; r++)
                    if (liked[r] && strcmp(items[i].proposition, liked[r]) == 0)
                        p = 1.0;
                if (strcmp(items[i].type, liked_type) == 0)
                    p += 0.3;
                p *= appeal[i];
            }
            pref[i] = p;
            total += p;
        }
        size_t nb = 0;
        long per_segment = events / (long)ns;
        for (long e = 0; e < per_segment; e++) {
            size_t pick = 0;
            if (uniform() < 0.2) {
                do
                    pick = next_random() % n_items;
                while (!items[pick].eligible);
            } else {
                double u = uniform() * total, acc = 0;
                for (pick = 0; pick < n_items - 1; pick++) {
                    acc += pref[pick];
                    if (u <= acc)
                        break;
                }
            }
            if (uniform() < 0.2) {
                held[s][pick]++;
                kept_out++;
                continue;
            }
            global[pick]++;
            vp_signal *ev = &batch[nb++];
            ev->kind = uniform() < 0.7 ? VP_SIGNAL_CLICK : VP_SIGNAL_SIGNUP;
            ev->offering = items[pick].id;
            ev->segment = seg->id;
            ev->at = now.utc - (int64_t)(uniform() * 60 * 86400);
            fed++;
            if (nb == VP_STORE_MAX_BATCH) {
                vp_store_add_signals(store, batch, nb, NULL);
                nb = 0;
            }
        }
        if (nb)
            vp_store_add_signals(store, batch, nb, NULL);
    }

    /* Evaluate per segment. */
    metrics vp = {0}, pop = {0}, rnd = {0};
    size_t *order = calloc(n_items, sizeof *order);
    for (size_t i = 0; i < n_items; i++)
        order[i] = i;
    qsort_r(order, n_items, sizeof *order, cmp_count_desc, global);
    const char **seen = NULL;
    size_t n_seen = 0;
    for (size_t s = 0; s < ns; s++) {
        size_t relevant = 0;
        for (size_t i = 0; i < n_items; i++)
            relevant += held[s][i] > 0;
        vp_recommend_request rr;
        memset(&rr, 0, sizeof rr);
        rr.segments[0] = vp_segments_at(segs, s);
        rr.shares[0] = 1;
        rr.n_segments = 1;
        rr.filters.now = now.utc;
        rr.limit = K;
        rr.store = store;
        vp_recommend_result *res = NULL;
        vp_error e = VP_ERROR_INIT;
        vp_status rst = vp_recommend(idx, &rr, &res, &e);
        if (rst != VP_OK) {
            vp_error_print(stderr, "recommend", &e);
            vp_error_clear(&e);
            return 1;
        }
        const char *ids[K];
        for (size_t i = 0; i < res->n; i++) {
            ids[i] = res->items[i].id;
            remember(&seen, &n_seen, ids[i]);
        }
        judge(&vp, ids, res->n, held[s], relevant, now.utc);
        /* Most popular overall (from the same 80%), eligible only. */
        const char *pids[K];
        size_t np = 0;
        for (size_t i = 0; i < n_items && np < K; i++)
            if (items[order[i]].eligible)
                pids[np++] = items[order[i]].id;
        judge(&pop, pids, np, held[s], relevant, now.utc);
        const char *rids[K];
        for (size_t i = 0; i < K; i++) {
            size_t k;
            do
                k = next_random() % n_items;
            while (!items[k].eligible);
            rids[i] = items[k].id;
        }
        judge(&rnd, rids, K, held[s], relevant, now.utc);
        vp_recommend_result_destroy(res);
    }
    vp_recommend_weights weights = vp_recommend_weights_default;
    if (per_online >= 0)
        weights.per_online = (unsigned)per_online;
    size_t pc_lists = 0;
    FILE *pcf = fopen(pc_path, "r");
    char pcline[65536];
    /* The grid: each segment at the place of every grid_step'th PC4, and
     * that PC4's own mix at its place, as /v1/recommend answers
     * segment=S&postcode=P and postcode=P. */
    const char **grid_seen = NULL;
    size_t n_grid_seen = 0, grid_lists = 0, grid_short = 0, grid_far = 0, row = 0;
    while (pcf && fgets(pcline, sizeof pcline, pcf)) {
        if (pcline[0] < '0' || pcline[0] > '9')
            continue;
        pc_lists++;
        if (row++ % (size_t)grid_step != 0)
            continue;
        char pc4[5];
        memcpy(pc4, pcline, 4);
        pc4[4] = '\0';
        double lat, lon;
        if (vp_postcodes_find(places, pc4, &lat, &lon) != 0)
            continue;
        for (size_t s = 0; s <= ns; s++) {
            vp_recommend_request rr;
            memset(&rr, 0, sizeof rr);
            if (s < ns) {
                rr.segments[0] = vp_segments_at(segs, s);
                rr.shares[0] = 1;
                rr.n_segments = 1;
            } else {
                rr.n_segments = vp_segments_for_postcode(segs, pc4, rr.segments, rr.shares,
                                                         VP_RECOMMEND_MAX_SEGMENTS);
                rr.segments_of_place = 1;
            }
            rr.filters.now = now.utc;
            rr.filters.has_near = 1;
            rr.filters.near_lat = lat;
            rr.filters.near_lon = lon;
            rr.limit = K;
            rr.store = store;
            rr.weights = &weights;
            vp_recommend_result *res = NULL;
            if (vp_recommend(idx, &rr, &res, NULL) != VP_OK)
                continue;
            grid_lists++;
            grid_short += res->n < K;
            for (size_t i = 0; i < res->n; i++) {
                remember(&grid_seen, &n_grid_seen, res->items[i].id);
                /* In person and farther than the default radius: out of reach. */
                grid_far += res->items[i].distance_km > 25.0;
            }
            vp_recommend_result_destroy(res);
        }
    }
    if (pcf)
        fclose(pcf);
    metrics *all[3] = {&vp, &pop, &rnd};
    for (int i = 0; i < 3; i++) {
        all[i]->recall /= (double)all[i]->lists;
        all[i]->ndcg /= (double)all[i]->lists;
        all[i]->past /= (double)all[i]->lists;
        all[i]->dup /= (double)all[i]->lists;
    }
    double coverage = (double)n_seen / (double)eligible;
    double grid_coverage = (double)n_grid_seen / (double)eligible;
    printf("%zu segments, %zu interactions fed, %zu held out, %zu eligible offerings\n", ns, fed,
           kept_out, eligible);
    printf("| recommender | recall@10 | nDCG@10 | past | duplicate |\n|---|---|---|---|---|\n");
    const char *names[3] = {"Vindplaats (segment-aware)", "most popular overall", "random"};
    for (int i = 0; i < 3; i++)
        printf("| %s | %.3f | %.3f | %.3f | %.3f |\n", names[i], all[i]->recall, all[i]->ndcg,
               all[i]->past, all[i]->dup);
    printf("catalogue coverage of the %zu segment lists: %.3f (%zu distinct of %zu eligible)\n",
           ns, coverage, n_seen, eligible);
    printf("catalogue coverage over the segment x postcode grid (%zu lists: %zu segments and "
           "the mix of every %ld. PC4 of %zu, at its place): %.3f (%zu distinct of %zu "
           "eligible); %zu lists shorter than %d; %zu in-person results beyond 25 km\n",
           grid_lists, ns, grid_step, pc_lists, grid_coverage, n_grid_seen, eligible, grid_short,
           K, grid_far);
    if (json_out) {
        FILE *jf = fopen(json_out, "w");
        if (jf) {
            fprintf(jf, "{\"segments\":%zu,\"fed\":%zu,\"held_out\":%zu,\"results\":[", ns, fed, kept_out);
            for (int i = 0; i < 3; i++)
                fprintf(jf, "%s{\"recommender\":\"%s\",\"recall_at_10\":%.4f,\"ndcg_at_10\":%.4f,"
                            "\"share_past\":%.4f,\"share_duplicate\":%.4f}",
                        i ? "," : "", names[i], all[i]->recall, all[i]->ndcg, all[i]->past, all[i]->dup);
            fprintf(jf, "],\"coverage\":%.4f,\"grid\":{\"lists\":%zu,\"step\":%ld,"
                        "\"distinct\":%zu,\"coverage\":%.4f,\"short_lists\":%zu,"
                        "\"beyond_25_km\":%zu}}\n",
                    coverage, grid_lists, grid_step, n_grid_seen, grid_coverage, grid_short,
                    grid_far);
            fclose(jf);
        }
    }
    int rc = vp.past > 0 || vp.dup > 0 ? 1 : 0;
    for (size_t i = 0; i < n_seen; i++)
        free((char *)seen[i]);
    for (size_t i = 0; i < n_grid_seen; i++)
        free((char *)grid_seen[i]);
    free(seen);
    free(grid_seen);
    vp_postcodes_destroy(places);
    vp_store_close(store);
    vp_index_close(idx);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
