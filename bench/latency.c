/* latency.c - vindplaats-bench-engine: the query mix through the engine's
 * C API, in process, with 1..N threads (each with its own index handle, as
 * the server's workers have). Prints and writes p50/p95/p99 latency and
 * queries per second for searches and for suggestions.
 *
 * Without the answer cache unless told: every search runs in the engine, so
 * a repeated query never passes a cache hit off as the engine's speed.
 * --cache MB measures the cached path as well, apart, from an empty cache:
 * the server's way (the canonical key, the index version, the answer
 * stored as JSON). --zipf S replays, instead of the mix in its order,
 * --draws N queries drawn from it with Zipf's law (exponent S, the mix's
 * first line the most asked), as campaign links and top queries repeat;
 * --zipf-out FILE writes that sequence for the HTTP benchmark.
 * --searches 0 leaves the searches out: the suggestions only, or (without
 * --suggest) just the Zipfian sequence written.
 *
 * usage: vindplaats-bench-engine --index DIR --queries FILE [--suggest FILE]
 *        [--threads N] [--rounds R] [--now ISO] [--json FILE]
 *        [--cache MB] [--zipf S [--draws N] [--zipf-out FILE]] [--warm-up 0|1]
 *        [--searches 0|1] [--answers FILE] [--suggest-answers FILE] [data files]
 *
 * --suggest-answers FILE: one pass, one thread, the completions of every
 * prefix of --suggest at limits 8 and 20 (text, kind, count), so two builds
 * can be compared prefix by prefix. --suggest-table 0 answers them by
 * reading the completion terms instead of the table (vp_suggest_set_table).
 * Before the suggestions are timed, one is asked on a handle of its own:
 * the table of the index's version is built then, and its build time and
 * size are printed. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "vindplaats/answer_cache.h"
#include "vindplaats/geo.h"
#include "vindplaats/index.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "vindplaats/suggest.h"

typedef struct job {
    const char *index_path;
    const vp_vocabulary *voc;
    const vp_lexicon *lex;
    vp_search_params **queries;
    char **prefixes;
    size_t n, first, step;   /* this thread takes first, first+step, ... */
    int suggest;
    int suggest_table; /* 0: vp_suggest_set_table(idx, 0) */
    int rounds;
    int64_t now;
    unsigned without;
    int include_past;
    double *latency_ms;      /* one per query per round, indexed globally */
    size_t errors;
    vp_answer_cache *cache;  /* NULL: every search runs */
} job;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the cached path keeps of a result, as the server keeps its body:
 * the results and facets as JSON text (malloc()ed; NULL when out of memory). */
static char *answer_text(const vp_search_result *res)
{
    json_t *hits = json_array();
    for (size_t i = 0; i < res->n_hits; i++)
        json_array_append_new(hits, json_pack("{s:s, s:f, s:s?, s:s?}", "id", res->hits[i].id,
                                              "score", res->hits[i].score, "snippet",
                                              res->hits[i].snippet, "json", res->hits[i].json));
    json_t *facets = json_object();
    for (int f = 0; f < VP_FACET_COUNT; f++) {
        json_t *vals = json_array();
        for (size_t i = 0; i < res->n_facets[f]; i++)
            json_array_append_new(vals, json_pack("{s:s, s:I}", "value", res->facets[f][i].value,
                                                  "count", (json_int_t)res->facets[f][i].count));
        json_object_set_new(facets, vp_field_name((vp_field)f), vals);
    }
    json_t *all = json_pack("{s:I, s:o, s:o}", "total", (json_int_t)res->total, "results", hits,
                            "facets", facets);
    char *text = all ? json_dumps(all, JSON_COMPACT) : NULL;
    json_decref(all);
    return text;
}

/* One search the server's way: from the cache at the index's version, or
 * run and kept. */
static vp_status cached_search(vp_index *idx, vp_answer_cache *cache, const vp_search_request *req)
{
    vp_buf key;
    vp_buf_init(&key, 1 << 20);
    vp_index_version v;
    vp_status st = vp_answer_key(req, &key);
    if (st == VP_OK)
        st = vp_index_refresh(idx, NULL);
    if (st == VP_OK)
        st = vp_index_version_get(idx, &v, NULL);
    char *answer = NULL;
    size_t len = 0;
    if (st == VP_OK && vp_answer_cache_get(cache, &v, key.data, key.len, req->now, &answer, &len)) {
        free(answer);
    } else if (st == VP_OK) {
        vp_search_result *res = NULL;
        st = vp_search_execute(idx, req, &res, NULL);
        if (st == VP_OK)
            answer = answer_text(res);
        if (answer && vp_index_version_get(idx, &v, NULL) == VP_OK)
            vp_answer_cache_put(cache, &v, key.data, key.len, answer, strlen(answer),
                                VP_ANSWER_NEVER_STALE);
        free(answer);
        vp_search_result_destroy(res);
    }
    vp_buf_free(&key);
    return st;
}

static void *worker(void *arg)
{
    job *jb = arg;
    vp_index *idx = NULL;
    if (vp_index_open(jb->index_path, VP_INDEX_READ, jb->voc, &idx, NULL) != VP_OK) {
        jb->errors = jb->n;
        return NULL;
    }
    vp_index_set_lexicon(idx, jb->lex);
    vp_suggest_set_table(idx, jb->suggest_table);
    for (int r = 0; r < jb->rounds; r++)
        for (size_t i = jb->first; i < jb->n; i += jb->step) {
            double t0 = now_s();
            vp_status st;
            if (jb->suggest) {
                vp_suggestion *s = NULL;
                size_t n = 0;
                st = vp_suggest(idx, jb->prefixes[i], 8, &s, &n, NULL);
                vp_suggestions_free(s, n);
            } else {
                vp_search_request req = *vp_search_params_request(jb->queries[i]);
                req.now = jb->now;
                req.without |= jb->without;
                req.include_past |= jb->include_past;
                if (jb->cache) {
                    st = cached_search(idx, jb->cache, &req);
                } else {
                    vp_search_result *res = NULL;
                    st = vp_search_execute(idx, &req, &res, NULL);
                    vp_search_result_destroy(res);
                }
            }
            jb->latency_ms[(size_t)r * jb->n + i] = (now_s() - t0) * 1000.0;
            if (st != VP_OK)
                jb->errors++;
        }
    vp_index_close(idx);
    return NULL;
}

/* The file `path` written anew (*f) and a reader of the index, for the
 * --answers options; NULL (nothing left open) when either fails. */
static vp_index *open_answers(const job *tmpl, const char *path, FILE **f)
{
    *f = fopen(path, "w");
    vp_index *idx = NULL;
    if (!*f || vp_index_open(tmpl->index_path, VP_INDEX_READ, tmpl->voc, &idx, NULL) != VP_OK) {
        perror(path);
        if (*f)
            fclose(*f);
        *f = NULL;
        return NULL;
    }
    return idx;
}

/* --answers FILE: one pass, one thread, each query's answer on a line
 * (answer_text, then the offerings and whether the total is exact), so
 * two builds can be compared answer by answer. */
static int write_answers(const job *tmpl, const char *path)
{
    FILE *f = NULL;
    vp_index *idx = open_answers(tmpl, path, &f);
    if (!idx)
        return 1;
    vp_index_set_lexicon(idx, tmpl->lex);
    for (size_t i = 0; i < tmpl->n; i++) {
        vp_search_request req = *vp_search_params_request(tmpl->queries[i]);
        req.now = tmpl->now;
        req.without |= tmpl->without;
        req.include_past |= tmpl->include_past;
        vp_search_result *res = NULL;
        vp_error e = VP_ERROR_INIT;
        vp_status st = vp_search_execute(idx, &req, &res, &e);
        char *text = st == VP_OK ? answer_text(res) : NULL;
        if (st == VP_OK) {
            fprintf(f, "%zu %s offerings=%llu exact=%d\n", i + 1, text ? text : "(no memory)",
                    (unsigned long long)res->total_offerings, res->total_exact);
        } else {
            if (e.status == VP_OK)
                e.status = st;
            fprintf(f, "%zu error ", i + 1);
            vp_error_print(f, NULL, &e);
        }
        free(text);
        vp_error_clear(&e);
        vp_search_result_destroy(res);
    }
    vp_index_close(idx);
    return fclose(f) == 0 ? 0 : 1;
}

/* --suggest-answers FILE: see the top of this file. */
static int write_suggest_answers(const job *tmpl, const char *path)
{
    FILE *f = NULL;
    vp_index *idx = open_answers(tmpl, path, &f);
    if (!idx)
        return 1;
    static const unsigned limits[] = {8, VP_SUGGEST_MAX_LIMIT};
    for (size_t i = 0; i < tmpl->n; i++)
        for (size_t l = 0; l < 2; l++) {
            vp_suggestion *s = NULL;
            size_t n = 0;
            vp_error err = VP_ERROR_INIT;
            vp_status st = vp_suggest(idx, tmpl->prefixes[i], limits[l], &s, &n, &err);
            fprintf(f, "%zu limit=%u q=%s", i + 1, limits[l], tmpl->prefixes[i]);
            if (st != VP_OK)
                fprintf(f, " error %s", err.message ? err.message : vp_status_str(st));
            for (size_t k = 0; k < n; k++)
                fprintf(f, " | %s (%s %llu)", s[k].text, vp_suggest_kind_name(s[k].kind),
                        (unsigned long long)s[k].count);
            fputc('\n', f);
            vp_error_clear(&err);
            vp_suggestions_free(s, n);
        }
    vp_index_close(idx);
    return fclose(f) == 0 ? 0 : 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct figures {
    double p50, p95, p99, qps;
    size_t errors, count;
} figures;

static figures run(job *tmpl, int threads)
{
    size_t total = tmpl->n * (size_t)tmpl->rounds;
    double *lat = calloc(total, sizeof *lat);
    pthread_t tid[64];
    job jobs[64];
    double t0 = now_s();
    for (int t = 0; t < threads; t++) {
        jobs[t] = *tmpl;
        jobs[t].first = (size_t)t;
        jobs[t].step = (size_t)threads;
        jobs[t].latency_ms = lat;
        jobs[t].errors = 0;
        pthread_create(&tid[t], NULL, worker, &jobs[t]);
    }
    figures f = {0, 0, 0, 0, 0, total};
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        f.errors += jobs[t].errors;
    }
    double elapsed = now_s() - t0;
    qsort(lat, total, sizeof *lat, cmp_double);
    f.p50 = lat[total / 2];
    f.p95 = lat[(size_t)((double)total * 0.95)];
    f.p99 = lat[(size_t)((double)total * 0.99)];
    f.qps = (double)total / elapsed;
    free(lat);
    return f;
}

static char **read_lines(const char *path, const char *strip, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    size_t alloc = 1024;
    char **lines = malloc(alloc * sizeof *lines);
    char buf[8192];
    *n = 0;
    while (fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\r\n")] = '\0';
        const char *s = strncmp(buf, strip, strlen(strip)) == 0 ? buf + strlen(strip) : buf;
        if (!*s)
            continue;
        if (*n == alloc)
            lines = realloc(lines, (alloc *= 2) * sizeof *lines);
        lines[(*n)++] = strdup(s);
    }
    fclose(f);
    return lines;
}

/* splitmix64: a fixed seed gives the same draws on every machine. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* `draws` indexes into n queries, rank r (0-based) drawn with weight
 * 1/(r+1)^s. */
static size_t *zipf_draws(size_t n, double s, size_t draws)
{
    double *cdf = malloc(n * sizeof *cdf);
    size_t *out = malloc(draws * sizeof *out);
    if (!cdf || !out)
        exit(1);
    double sum = 0;
    for (size_t r = 0; r < n; r++)
        cdf[r] = (sum += 1.0 / pow((double)(r + 1), s));
    uint64_t state = 42;
    for (size_t i = 0; i < draws; i++) {
        double u = (double)(next_random(&state) >> 11) / 9007199254740992.0 * sum;
        size_t lo = 0, hi = n - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cdf[mid] < u)
                lo = mid + 1;
            else
                hi = mid;
        }
        out[i] = lo;
    }
    free(cdf);
    return out;
}

/* %XX and '+' decoded in place (suggest prefixes are taken from paths). */
static void decode(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '+')
            *o++ = ' ';
        else if (*p == '%' && p[1] && p[2]) {
            char hex[3] = {p[1], p[2], 0};
            *o++ = (char)strtol(hex, NULL, 16);
            p += 2;
        } else
            *o++ = *p;
    }
    *o = '\0';
}

int main(int argc, char **argv)
{
    const char *index = NULL, *queries = NULL, *suggest = NULL, *json_out = NULL;
    const char *vocab = "data/vocabulary/propositions.tsv", *postcodes_path = "data/reference/nl_pc4_geonames.json";
    const char *now_iso = "2026-12-01T08:00:00+01:00", *label = "";
    vp_lexicon_files files = {"/usr/share/dict/dutch", "data/lexicon/synonyms.tsv",
                              "data/lexicon/stopwords-nl.txt", "data/lexicon/types.tsv",
                              "data/lexicon/schoolvakanties.tsv"};
    int max_threads = 2, rounds = 1, slowest = 0, include_past = 0;
    unsigned cache_mb = 0;
    double zipf = 0;
    size_t draws = 20000;
    int warm_up = 1, searches = 1, suggest_table = 1;
    const char *zipf_out = NULL;
    const char *answers_out = NULL, *suggest_answers_out = NULL;
    unsigned without = 0; /* VP_WITHOUT_* bits, to see what a feature costs */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "vindplaats-bench-engine: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--index") == 0) index = v;
        else if (strcmp(a, "--queries") == 0) queries = v;
        else if (strcmp(a, "--suggest") == 0) suggest = v;
        else if (strcmp(a, "--threads") == 0) max_threads = atoi(v);
        else if (strcmp(a, "--rounds") == 0) rounds = atoi(v);
        else if (strcmp(a, "--now") == 0) now_iso = v;
        else if (strcmp(a, "--json") == 0) json_out = v;
        else if (strcmp(a, "--label") == 0) label = v;
        else if (strcmp(a, "--slowest") == 0) slowest = atoi(v);
        else if (strcmp(a, "--without") == 0) without = (unsigned)atoi(v);
        else if (strcmp(a, "--include-past") == 0) include_past = atoi(v);
        else if (strcmp(a, "--vocabulary") == 0) vocab = v;
        else if (strcmp(a, "--postcodes") == 0) postcodes_path = v;
        else if (strcmp(a, "--words") == 0) files.words = v;
        else if (strcmp(a, "--cache") == 0) cache_mb = (unsigned)atoi(v);
        else if (strcmp(a, "--zipf") == 0) zipf = atof(v);
        else if (strcmp(a, "--draws") == 0) draws = (size_t)atol(v);
        else if (strcmp(a, "--zipf-out") == 0) zipf_out = v;
        else if (strcmp(a, "--warm-up") == 0) warm_up = atoi(v);
        else if (strcmp(a, "--searches") == 0) searches = atoi(v);
        else if (strcmp(a, "--answers") == 0) answers_out = v;
        else if (strcmp(a, "--suggest-answers") == 0) suggest_answers_out = v;
        else if (strcmp(a, "--suggest-table") == 0) suggest_table = atoi(v);
        else {
            fprintf(stderr, "vindplaats-bench-engine: unknown option %s\n", a);
            return 2;
        }
    }
    if (!index || !queries || max_threads < 1 || max_threads > 64 || rounds < 1 || zipf < 0 ||
        zipf > 5 || draws < 1) {
        fprintf(stderr, "usage: vindplaats-bench-engine --index DIR --queries FILE [--suggest FILE]\n"
                        "       [--threads N] [--rounds R] [--json FILE] [--label TEXT]\n"
                        "       [--cache MB] [--zipf S [--draws N] [--zipf-out FILE]]\n");
        return 2;
    }
    vp_datetime now;
    vp_vocabulary *voc = NULL;
    vp_lexicon *lex = NULL;
    vp_postcodes *pcs = NULL;
    if (vp_datetime_parse(now_iso, &now) != 0) {
        fprintf(stderr, "vindplaats-bench-engine: bad --now\n");
        return 1;
    }
    vp_error err = VP_ERROR_INIT;
    if (vp_vocabulary_load(vocab, &voc, &err) != VP_OK ||
        vp_lexicon_load(&files, voc, &lex, &err) != VP_OK ||
        vp_postcodes_load(postcodes_path, &pcs, &err) != VP_OK) {
        vp_error_print(stderr, "vindplaats-bench-engine", &err);
        vp_error_clear(&err);
        return 1;
    }
    size_t nq = 0, ns = 0;
    char **lines = read_lines(queries, "/v1/search?", &nq);
    vp_search_params **parsed = calloc(nq, sizeof *parsed);
    for (size_t i = 0; i < nq; i++) {
        vp_error perr = VP_ERROR_INIT;
        if (vp_search_params_parse_query(lines[i], voc, pcs, &parsed[i], &perr) != VP_OK) {
            perr.file = strdup(queries);
            perr.line = (unsigned)(i + 1);
            vp_error_print(stderr, NULL, &perr);
            vp_error_clear(&perr);
            return 1;
        }
    }
    /* The Zipfian sequence: the parsed queries again, by reference. */
    const char *what = "search";
    vp_search_params **parsed_seq = parsed;
    size_t n_seq = nq;
    if (zipf > 0 && nq > 0) {
        size_t *order = zipf_draws(nq, zipf, draws);
        vp_search_params **seq = malloc(draws * sizeof *seq);
        FILE *zf = zipf_out ? fopen(zipf_out, "w") : NULL;
        if (!seq || (zipf_out && !zf)) {
            perror(zipf_out ? zipf_out : "malloc");
            return 1;
        }
        for (size_t i = 0; i < draws; i++) {
            seq[i] = parsed[order[i]];
            if (zf)
                fprintf(zf, "/v1/search?%s\n", lines[order[i]]);
        }
        if (zf)
            fclose(zf);
        free(order);
        /* The sequence is measured; the mix's own lists are freed below. */
        parsed_seq = seq;
        n_seq = draws;
        what = "search-zipf";
    }
    char **prefixes = suggest ? read_lines(suggest, "/v1/suggest?q=", &ns) : NULL;
    for (size_t i = 0; i < ns; i++)
        decode(prefixes[i]);

    job tmpl = {index, voc, lex, parsed_seq, prefixes, n_seq, 0, 1, 0, suggest_table, rounds, now.utc,
                without, include_past, NULL, 0, NULL};
    if (answers_out)
        return write_answers(&tmpl, answers_out);
    if (suggest_answers_out) {
        job st = tmpl;
        st.n = ns;
        return write_suggest_answers(&st, suggest_answers_out);
    }
    if (slowest > 0) {
        /* Which queries cost most: one pass, one thread, printed slowest first. */
        double *lat = calloc(nq, sizeof *lat);
        job one = tmpl;
        one.rounds = 1;
        one.latency_ms = lat;
        worker(&one);
        for (int k = 0; k < slowest && k < (int)nq; k++) {
            size_t worst = 0;
            for (size_t i = 1; i < nq; i++)
                if (lat[i] > lat[worst])
                    worst = i;
            printf("%8.2f ms  %s\n", lat[worst], lines[worst]);
            lat[worst] = -1;
        }
        free(lat);
        return 0;
    }
    FILE *jf = json_out ? fopen(json_out, "a") : NULL;
    if (ns && suggest_table) {
        /* The table of this version, built by the first suggestion. */
        vp_index *idx = NULL;
        vp_suggestion *s = NULL;
        size_t n = 0;
        vp_suggest_table_stats ts;
        double t0 = now_s();
        if (vp_index_open(index, VP_INDEX_READ, voc, &idx, NULL) == VP_OK &&
            vp_suggest(idx, prefixes[0], 8, &s, &n, NULL) == VP_OK &&
            vp_suggest_table_info(idx, &ts) == VP_OK) {
            double first_ms = (now_s() - t0) * 1000.0;
            printf("engine suggest-table %-6s %llu terms, %llu completions, %llu short prefixes, "
                   "%.1f MB, built in %.1f ms (first suggestion %.1f ms)\n",
                   label, (unsigned long long)ts.terms, (unsigned long long)ts.completions,
                   (unsigned long long)ts.prefixes, (double)ts.bytes / (1 << 20), ts.build_ms,
                   first_ms);
            if (jf)
                fprintf(jf, "{\"system\":\"vindplaats-engine\",\"label\":\"%s\",\"what\":\"suggest-table\","
                            "\"terms\":%llu,\"completions\":%llu,\"prefixes\":%llu,\"bytes\":%zu,"
                            "\"build_ms\":%.1f}\n",
                        label, (unsigned long long)ts.terms, (unsigned long long)ts.completions,
                        (unsigned long long)ts.prefixes, ts.bytes, ts.build_ms);
        }
        vp_suggestions_free(s, n);
        vp_index_close(idx);
    }
    /* A warm-up round so every system starts with the same page cache
     * (--warm-up 0: none, when the page cache is known to be warm). */
    if (warm_up && searches)
        run(&tmpl, 1);
    for (int t = 1; t <= max_threads && (searches || ns); t *= 2) {
        if (!searches)
            goto suggestions;
        figures s = run(&tmpl, t);
        printf("engine %s %-8s threads %d: %zu queries, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, "
               "%.0f queries/s, %zu errors\n", what, label, t, s.count, s.p50, s.p95, s.p99, s.qps,
               s.errors);
        if (jf)
            fprintf(jf, "{\"system\":\"vindplaats-engine\",\"label\":\"%s\",\"what\":\"%s\",\"threads\":%d,"
                        "\"queries\":%zu,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"qps\":%.1f,\"errors\":%zu}\n",
                    label, what, t, s.count, s.p50, s.p95, s.p99, s.qps, s.errors);
        if (cache_mb) {
            /* The same sequence through the answer cache, from empty. */
            job cached = tmpl;
            cached.cache = vp_answer_cache_create((size_t)cache_mb << 20);
            if (!cached.cache)
                return 1;
            figures c = run(&cached, t);
            vp_answer_cache_stats cs;
            vp_answer_cache_stats_get(cached.cache, &cs);
            vp_answer_cache_destroy(cached.cache);
            double ratio = cs.hits + cs.misses ? 100.0 * (double)cs.hits / (double)(cs.hits + cs.misses) : 0;
            printf("engine %s-cached %-8s threads %d: %zu queries, p50 %.3f ms, p95 %.3f ms, "
                   "p99 %.3f ms, %.0f queries/s, %zu errors; %.1f%% hits, %llu evictions, %.1f MB\n",
                   what, label, t, c.count, c.p50, c.p95, c.p99, c.qps, c.errors, ratio,
                   (unsigned long long)cs.evictions, (double)cs.bytes / (1 << 20));
            if (jf)
                fprintf(jf, "{\"system\":\"vindplaats-engine\",\"label\":\"%s\",\"what\":\"%s-cached\","
                            "\"threads\":%d,\"queries\":%zu,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,"
                            "\"qps\":%.1f,\"errors\":%zu,\"cache_mb\":%u,\"hit_percent\":%.1f}\n",
                        label, what, t, c.count, c.p50, c.p95, c.p99, c.qps, c.errors, cache_mb, ratio);
        }
    suggestions:
        if (ns) {
            job st = tmpl;
            st.n = ns;
            st.suggest = 1;
            figures g = run(&st, t);
            printf("engine suggest %-7s threads %d: %zu prefixes, p50 %.3f ms, p95 %.3f ms, p99 %.3f ms, "
                   "%.0f/s, %zu errors\n", label, t, g.count, g.p50, g.p95, g.p99, g.qps, g.errors);
            if (jf)
                fprintf(jf, "{\"system\":\"vindplaats-engine\",\"label\":\"%s\",\"what\":\"suggest\",\"threads\":%d,"
                            "\"queries\":%zu,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"qps\":%.1f,\"errors\":%zu}\n",
                        label, t, g.count, g.p50, g.p95, g.p99, g.qps, g.errors);
        }
        if (t * 2 > max_threads)
            break;
    }
    if (jf)
        fclose(jf);
    for (size_t i = 0; i < nq; i++) {
        vp_search_params_destroy(parsed[i]);
        free(lines[i]);
    }
    if (parsed_seq != parsed)
        free(parsed_seq);
    free(parsed);
    free(lines);
    for (size_t i = 0; i < ns; i++)
        free(prefixes[i]);
    free(prefixes);
    vp_postcodes_destroy(pcs);
    vp_lexicon_destroy(lex);
    vp_vocabulary_destroy(voc);
    return 0;
}
