/* latency.c - vindplaats-bench-engine: the query mix through the engine's
 * C API, in process, with 1..N threads (each with its own index handle, as
 * the server's workers have). Prints and writes p50/p95/p99 latency and
 * queries per second for searches and for suggestions.
 *
 * usage: vindplaats-bench-engine --index DIR --queries FILE [--suggest FILE]
 *        [--threads N] [--rounds R] [--now ISO] [--json FILE] [data files] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    int rounds;
    int64_t now;
    unsigned without;
    int include_past;
    double *latency_ms;      /* one per query per round, indexed globally */
    size_t errors;
} job;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
                vp_search_result *res = NULL;
                st = vp_search_run(idx, &req, &res, NULL);
                vp_search_result_destroy(res);
            }
            jb->latency_ms[(size_t)r * jb->n + i] = (now_s() - t0) * 1000.0;
            if (st != VP_OK)
                jb->errors++;
        }
    vp_index_close(idx);
    return NULL;
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
                              "data/lexicon/stopwords-nl.txt", "data/lexicon/types.tsv"};
    int max_threads = 2, rounds = 1, slowest = 0, include_past = 0;
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
        else {
            fprintf(stderr, "vindplaats-bench-engine: unknown option %s\n", a);
            return 2;
        }
    }
    if (!index || !queries || max_threads < 1 || max_threads > 64 || rounds < 1) {
        fprintf(stderr, "usage: vindplaats-bench-engine --index DIR --queries FILE [--suggest FILE]\n"
                        "       [--threads N] [--rounds R] [--json FILE] [--label TEXT]\n");
        return 2;
    }
    vp_datetime now;
    vp_vocabulary *voc = NULL;
    vp_lexicon *lex = NULL;
    vp_postcodes *pcs = NULL;
    char *err = NULL;
    if (vp_datetime_parse(now_iso, &now) != 0 || vp_vocabulary_load(vocab, &voc, &err) != VP_OK ||
        vp_lexicon_load(&files, voc, &lex, &err) != VP_OK ||
        vp_postcodes_load(postcodes_path, &pcs, &err) != VP_OK) {
        fprintf(stderr, "vindplaats-bench-engine: %s\n", err ? err : "bad --now");
        return 1;
    }
    size_t nq = 0, ns = 0;
    char **lines = read_lines(queries, "/v1/search?", &nq);
    vp_search_params **parsed = calloc(nq, sizeof *parsed);
    for (size_t i = 0; i < nq; i++) {
        vp_param_error perr;
        if (vp_search_params_parse_query(lines[i], voc, pcs, &parsed[i], &perr) != VP_OK) {
            fprintf(stderr, "%s:%zu: %s\n", queries, i + 1, perr.message);
            return 1;
        }
    }
    char **prefixes = suggest ? read_lines(suggest, "/v1/suggest?q=", &ns) : NULL;
    for (size_t i = 0; i < ns; i++)
        decode(prefixes[i]);

    job tmpl = {index, voc, lex, parsed, prefixes, nq, 0, 1, 0, rounds, now.utc, without,
                include_past, NULL, 0};
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
    /* A warm-up round so every system starts with the same page cache. */
    run(&tmpl, 1);
    for (int t = 1; t <= max_threads; t *= 2) {
        figures s = run(&tmpl, t);
        printf("engine search %-8s threads %d: %zu queries, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, "
               "%.0f queries/s, %zu errors\n", label, t, s.count, s.p50, s.p95, s.p99, s.qps, s.errors);
        if (jf)
            fprintf(jf, "{\"system\":\"vindplaats-engine\",\"label\":\"%s\",\"what\":\"search\",\"threads\":%d,"
                        "\"queries\":%zu,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"qps\":%.1f,\"errors\":%zu}\n",
                    label, t, s.count, s.p50, s.p95, s.p99, s.qps, s.errors);
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
