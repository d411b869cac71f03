/* store_counters.c - what a counter costs the signal store, written one
 * call at a time (vp_store_count) against in batches (vp_store_count_many,
 * as the query log's writer writes what it gathered): CPU microseconds per
 * counter, user + system of the whole process (the store's threads
 * included), on a fresh embedded store in DIR.
 *
 * Usage: vindplaats-bench-counters DIR [N] [--out FILE.json]
 *   N counters (default 20000) per batch size 1, 10 and 50; the counters are
 *   the query log's: 28 days of namespaces, 500 query texts, Zipf-like. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "vindplaats/store.h"

#define MAX_BATCH 50

static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
           u.ru_stime.tv_usec / 1e6;
}

/* CPU microseconds per counter for `n` counters in batches of `batch`;
 * negative when the store refused one. */
static double run(const char *dir, int n, int batch)
{
    vp_store_config cfg = {0};
    cfg.dir = dir;
    vp_store *st = NULL;
    vp_error err = VP_ERROR_INIT;
    if (vp_store_open(&cfg, &st, &err) != VP_OK) {
        vp_error_print(stderr, "vindplaats-bench-counters", &err);
        vp_error_clear(&err);
        return -1;
    }
    char ns[MAX_BATCH][32], key[MAX_BATCH][32];
    vp_count counts[MAX_BATCH];
    unsigned seed = 42;
    int failed = 0;
    double t0 = cpu_seconds();
    for (int i = 0; i < n; i += batch) {
        for (int j = 0; j < batch; j++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 8) % 1000;
            snprintf(ns[j], sizeof ns[j], "iq:202612%02d", 1 + (i + j) % 28);
            snprintf(key[j], sizeof key[j], "zoekterm %u", r * r / 2000); /* skewed to 0 */
            counts[j] = (vp_count){ns[j], key[j], 1};
        }
        vp_status st_rc = batch == 1 ? vp_store_count(st, ns[0], key[0], 1, NULL)
                                     : vp_store_count_many(st, counts, (size_t)batch, NULL);
        failed += st_rc != VP_OK;
    }
    double spent = cpu_seconds() - t0;
    vp_store_close(st);
    return failed ? -1 : spent * 1e6 / n;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    int n = 20000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (!dir)
            dir = argv[i];
        else
            n = atoi(argv[i]);
    }
    if (!dir || n < MAX_BATCH) {
        fprintf(stderr, "usage: vindplaats-bench-counters DIR [N >= %d] [--out FILE.json]\n",
                MAX_BATCH);
        return 2;
    }
    FILE *json = out ? fopen(out, "w") : NULL;
    if (out && !json) {
        fprintf(stderr, "vindplaats-bench-counters: cannot write %s\n", out);
        return 1;
    }
    static const int batches[] = {1, 10, MAX_BATCH};
    int failed = 0;
    for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/batch-%d", dir, batches[b]);
        double us = run(sub, n, batches[b]);
        if (us < 0) {
            failed = 1;
            continue;
        }
        printf("counters in batches of %2d: %.2f CPU us per counter\n", batches[b], us);
        if (json)
            fprintf(json, "{\"batch\":%d,\"counters\":%d,\"cpu_us_per_counter\":%.3f}\n",
                    batches[b], n, us);
    }
    if (json)
        fclose(json);
    return failed;
}
