/* store.c - how fast the signal store takes writes and answers reads.
 *
 * Usage: vindplaats-bench-store [--dir DIR] [--redis URL] [--scale N]
 *                               [--out FILE.json]
 *
 * Runs, on a fresh embedded store in DIR (default: a new directory under
 * /tmp, removed at the end) or on Redis, the calls the server makes:
 *   signals     vp_store_add_signals with a result page's worth of events
 *               (10: views and clicks of one query_id, half with a segment,
 *               one in five from a campaign), one thread;
 *   signals x4  the same from 4 threads at once;
 *   counters    vp_store_count one at a time (the query log writes several
 *               per search);
 *   top         vp_store_top of a segment, 50 best;
 *   co-used     vp_store_co_used of an offering, 10 best;
 *   scores      vp_store_scores of 100 offerings for a segment;
 *   reopen      closing and opening the store with all of that in it.
 * Offerings are drawn from 5,000 ids with a Zipf-like skew, segments from 8.
 * Prints calls/s (and events/s for signals) and the CPU time of the whole
 * process per call (user + system, every thread of the store included:
 * on a machine that others load, calls/s fall with the CPU this process
 * gets, its CPU time per call much less); --out writes them as JSON.
 * --scale multiplies the number of calls (default 1: 2,000 signal calls).
 * --counters N runs only N counters, one thread, on the fresh store (no
 * signals before them, so no fold of theirs among them), and prints the
 * size the write-ahead log reached.
 * Uses only the public header, so the same source measures any store that
 * keeps the interface (bench/store-compare.sh): it passes no error detail
 * (NULL), which every revision accepts, whether it took the older message
 * pointer or takes a vp_error, and prints the status when a call fails. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vindplaats/store.h"

#define OFFERINGS 5000
#define SEGMENTS 8
#define PAGE 10

static char offering_id[OFFERINGS][24];
static char segment_id[SEGMENTS][16];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Seconds of CPU the process has used, user and system apart. */
static void cpu_s(double *user, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
    *sys = (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* The wall clock and CPU times at the start of a measure. */
typedef struct mark {
    double wall, user, sys;
} mark;

static mark start(void)
{
    mark m;
    cpu_s(&m.user, &m.sys);
    m.wall = now_s();
    return m;
}

/* xorshift64*, one state per thread */
static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* An offering index skewed to the low ones (the square of a uniform). */
static unsigned skewed(uint64_t *s)
{
    double u = (double)(next(s) >> 11) / 9007199254740992.0;
    return (unsigned)(u * u * OFFERINGS);
}

typedef struct job {
    vp_store *st;
    int calls;
    uint64_t seed;
    int failed;
} job;

static void *signal_calls(void *arg)
{
    job *j = arg;
    vp_signal ev[PAGE];
    char qid[32];
    for (int c = 0; c < j->calls; c++) {
        snprintf(qid, sizeof qid, "q%016llx", (unsigned long long)next(&j->seed));
        const char *seg = next(&j->seed) % 2 ? segment_id[next(&j->seed) % SEGMENTS] : NULL;
        const char *camp = next(&j->seed) % 5 == 0 ? "winteractie" : NULL;
        for (int i = 0; i < PAGE; i++) {
            ev[i] = (vp_signal){i % 3 ? VP_SIGNAL_VIEW : VP_SIGNAL_CLICK,
                                offering_id[skewed(&j->seed)], seg, qid, camp,
                                VP_STORE_EPOCH + 300 * 86400 + c};
        }
        vp_status rc = vp_store_add_signals(j->st, ev, PAGE, NULL);
        if (rc != VP_OK) {
            if (!j->failed)
                fprintf(stderr, "vindplaats-bench-store: signals: %s\n", vp_status_str(rc));
            j->failed++;
        }
    }
    return NULL;
}

typedef struct result {
    const char *name;
    int calls;
    double seconds;
    int per_call;   /* events per call, 0: not counted */
    double user, sys;   /* CPU seconds of the process during the measure */
} result;

/* The result of the measure begun at `m`. */
static result done(const char *name, int calls, int per_call, mark m)
{
    result r = {name, calls, 0, per_call, 0, 0};
    double user, sys;
    r.seconds = now_s() - m.wall;
    cpu_s(&user, &sys);
    r.user = user - m.user;
    r.sys = sys - m.sys;
    return r;
}

static void report(FILE *json, result *r, int first)
{
    double cps = r->calls / r->seconds;
    double cpu_us = (r->user + r->sys) * 1e6 / r->calls;
    printf("%-12s %8d calls %8.2f s %10.0f calls/s %9.1f us CPU/call (%.0f%% system)",
           r->name, r->calls, r->seconds, cps, cpu_us,
           r->user + r->sys > 0 ? 100 * r->sys / (r->user + r->sys) : 0);
    if (r->per_call)
        printf(" %8.0f events/s", cps * r->per_call);
    printf("\n");
    if (json)
        fprintf(json, "%s\n    {\"name\": \"%s\", \"calls\": %d, \"seconds\": %.4f, "
                      "\"calls_per_s\": %.1f, \"events_per_s\": %.1f, \"cpu_user_s\": %.4f, "
                      "\"cpu_sys_s\": %.4f, \"cpu_us_per_call\": %.2f}",
                first ? "" : ",", r->name, r->calls, r->seconds, cps,
                cps * (r->per_call ? r->per_call : 0), r->user, r->sys, cpu_us);
}

/* Counters, as the query log writes them, n of them; reports them and
 * returns how many failed. */
static int counter_calls(vp_store *st, int n, uint64_t *seed, FILE *json, int first)
{
    char key[32], ns[32];
    int failed = 0;
    mark t0 = start();
    for (int i = 0; i < n; i++) {
        snprintf(ns, sizeof ns, "iq:202612%02d", 1 + i % 28);
        snprintf(key, sizeof key, "zoekterm %u", skewed(seed) % 500);
        failed += vp_store_count(st, ns, key, 1, NULL) != VP_OK;
    }
    result r = done("counters", n, 0, t0);
    report(json, &r, first);
    return failed;
}

static int usage(void)
{
    fprintf(stderr, "usage: vindplaats-bench-store [--dir DIR] [--redis URL] [--scale N] "
                    "[--counters N] [--out FILE.json]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *redis = NULL, *out = NULL;
    int scale = 1, failed = 0, only_counters = 0;
    char tmp[] = "/tmp/vp-bench-store-XXXXXX";
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--dir") == 0)
            dir = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--redis") == 0)
            redis = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--out") == 0)
            out = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--scale") == 0)
            scale = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--counters") == 0)
            only_counters = atoi(argv[++i]);
        else
            return usage();
    }
    if (scale < 1 || scale > 1000 || only_counters < 0 || (only_counters && redis))
        return usage();
    if (!dir && !redis) {
        if (!mkdtemp(tmp)) {
            perror("mkdtemp");
            return 1;
        }
        dir = tmp;
    }
    for (int i = 0; i < OFFERINGS; i++)
        snprintf(offering_id[i], sizeof offering_id[i], "agenda-bench:%05d", i);
    for (int i = 0; i < SEGMENTS; i++)
        snprintf(segment_id[i], sizeof segment_id[i], "segment-%d", i);

    char sub[600];
    snprintf(sub, sizeof sub, "%s/store", dir ? dir : "");
    vp_store_config cfg = {0};
    cfg.dir = redis ? NULL : sub;
    cfg.redis_url = redis;
    cfg.timeout_ms = 5000;
    vp_store *st = NULL;
    vp_status rc = vp_store_open(&cfg, &st, NULL);
    if (rc != VP_OK) {
        fprintf(stderr, "vindplaats-bench-store: cannot open the store: %s\n",
                vp_status_str(rc));
        return 1;
    }
    FILE *json = out ? fopen(out, "w") : NULL;
    if (out && !json) {
        perror(out);
        return 1;
    }
    if (json)
        fprintf(json, "{\"store\": \"%s\", \"results\": [", vp_store_backend(st));
    printf("store: %s%s%s\n", vp_store_backend(st), redis ? " " : " in ", redis ? redis : sub);

    result r;
    mark t0;
    uint64_t seed = 42;

    if (only_counters) {
        failed += counter_calls(st, only_counters, &seed, json, 1);
        char wal[700];
        struct stat sb;
        snprintf(wal, sizeof wal, "%s/store.db-wal", sub);
        printf("store.db-wal: %lld bytes after the counters\n",
               stat(wal, &sb) == 0 ? (long long)sb.st_size : 0LL);
        vp_store_close(st);
        goto finish;
    }

    /* Signals, one thread. */
    job one = {st, 2000 * scale, 1, 0};
    t0 = start();
    signal_calls(&one);
    r = done("signals", one.calls, PAGE, t0);
    failed += one.failed;
    report(json, &r, 1);

    /* Signals, four threads. */
    job four[4];
    pthread_t th[4];
    t0 = start();
    for (int i = 0; i < 4; i++) {
        four[i] = (job){st, 500 * scale, (uint64_t)i + 2, 0};
        pthread_create(&th[i], NULL, signal_calls, &four[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        failed += four[i].failed;
    }
    r = done("signals x4", 4 * 500 * scale, PAGE, t0);
    report(json, &r, 0);

    failed += counter_calls(st, 20000 * scale, &seed, json, 0);

    /* Top 50 of a segment. */
    int n = 5000 * scale;
    t0 = start();
    for (int i = 0; i < n; i++) {
        vp_scored *top = NULL;
        size_t nt = 0;
        failed += vp_store_top(st, segment_id[i % SEGMENTS], 0, 50, &top, &nt, NULL) != VP_OK;
        vp_scored_free(top, nt);
    }
    r = done("top", n, 0, t0);
    report(json, &r, 0);

    /* Offerings used with one (the skew makes the first ones the most used). */
    n = 5000 * scale;
    t0 = start();
    for (int i = 0; i < n; i++) {
        vp_scored *co = NULL;
        size_t nc = 0;
        failed += vp_store_co_used(st, offering_id[skewed(&seed)], 0, 10, &co, &nc, NULL) !=
                  VP_OK;
        vp_scored_free(co, nc);
    }
    r = done("co-used", n, 0, t0);
    report(json, &r, 0);

    /* Scores of 100 offerings. */
    const char *ids[100];
    double sc[100];
    n = 2000 * scale;
    t0 = start();
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < 100; k++)
            ids[k] = offering_id[skewed(&seed)];
        failed += vp_store_scores(st, segment_id[i % SEGMENTS], ids, 100, 0, sc, NULL) != VP_OK;
    }
    r = done("scores", n, 0, t0);
    report(json, &r, 0);

    /* Close and open again with all of that in it. */
    t0 = start();
    vp_store_close(st);
    st = NULL;
    int reopened = vp_store_open(&cfg, &st, NULL) == VP_OK;
    r = done("reopen", 1, 0, t0);
    failed += !reopened;
    report(json, &r, 0);
    vp_store_close(st);

finish:
    if (json) {
        fprintf(json, "\n]}\n");
        fclose(json);
    }
    if (dir == tmp) {
        char cmd[700];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmp);
    }
    if (failed)
        fprintf(stderr, "vindplaats-bench-store: %d calls failed\n", failed);
    return failed ? 1 : 0;
}
