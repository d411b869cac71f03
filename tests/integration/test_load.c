/* test_load.c - loading into shards, whose writers work in parallel.
 *
 * 1. The shards that `vp_load_jsonl_shards` writes at the same time hold
 *    exactly what a serial build of each shard holds: the offerings that
 *    vp_shard_of routes there, no other, each stored the same.
 * 2. A writer that fails mid-load (a file size limit makes one shard's
 *    write fail) fails the whole load: the indexer exits non-zero naming
 *    the shard, does not hang, and `--switch` leaves the link on the index
 *    it pointed at before.
 * 3. A bad line in a sharded load is reported as FILE:LINE and makes the
 *    exit status 1, the other lines indexed.
 *
 * usage: test_load BINDIR SAMPLE.jsonl VOCABULARY */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "proc.h"
#include "vindplaats/index.h"
#include "vindplaats/load.h"
#include "vindplaats/vocabulary.h"

#define SHARDS 3
#define MAX_SOURCES 1024

/* The distinct sources of the sample, to list an index's ids by. */
static char *sources[MAX_SOURCES];
static size_t n_sources;

static void note_source(const char *s)
{
    for (size_t i = 0; i < n_sources; i++)
        if (strcmp(sources[i], s) == 0)
            return;
    if (n_sources < MAX_SOURCES)
        sources[n_sources++] = strdup(s);
    else
        CHECK(!"more sources than MAX_SOURCES");
}

/* Splits the sample into one file per shard, by vp_shard_of; returns the
 * number of lines per shard in counts. */
static int split_sample(const char *sample, const char *dir, size_t counts[SHARDS])
{
    FILE *in = fopen(sample, "r");
    FILE *out[SHARDS] = {0};
    char path[1200];
    for (int k = 0; k < SHARDS; k++) {
        snprintf(path, sizeof path, "%s/part-%d.jsonl", dir, k);
        out[k] = fopen(path, "w");
        counts[k] = 0;
    }
    if (!in || !out[0] || !out[1] || !out[2])
        return -1;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, in) > 0) {
        json_t *o = json_loads(line, 0, NULL);
        if (!o)
            continue;
        const char *id = json_string_value(json_object_get(o, "id"));
        const char *work = json_string_value(json_object_get(o, "work_key"));
        note_source(json_string_value(json_object_get(o, "source")));
        size_t k = vp_shard_of(work, id, SHARDS);
        fputs(line, out[k]);
        counts[k]++;
        json_decref(o);
    }
    free(line);
    fclose(in);
    for (int k = 0; k < SHARDS; k++)
        fclose(out[k]);
    return 0;
}

static vp_index *open_writer(const char *path, const vp_vocabulary *voc)
{
    vp_index *idx = NULL;
    if (vp_index_open(path, VP_INDEX_WRITE, voc, &idx, NULL) != VP_OK)
        return NULL;
    vp_index_set_clock(idx, 1764576000); /* 2025-12-01: a fixed "now" */
    return idx;
}

/* Every id of `idx`, over the sample's sources. */
static size_t ids_of(vp_index *idx, char ***out)
{
    size_t total = 0;
    char **all = NULL;
    for (size_t s = 0; s < n_sources; s++) {
        char **ids = NULL;
        size_t n = 0;
        if (vp_index_source_ids(idx, sources[s], &ids, &n, NULL) != VP_OK)
            continue;
        char **grown = realloc(all, (total + n + 1) * sizeof *all);
        if (!grown)
            break;
        all = grown;
        memcpy(all + total, ids, n * sizeof *ids);
        total += n;
        free(ids);
    }
    *out = all;
    return total;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1: the parallel shards against serial builds of each shard. */
static void test_same_as_serial(const char *dir, const char *sample, const vp_vocabulary *voc)
{
    size_t counts[SHARDS];
    CHECK(split_sample(sample, dir, counts) == 0);
    CHECK(n_sources > 1);

    vp_index *par[SHARDS];
    char path[1200];
    for (int k = 0; k < SHARDS; k++) {
        snprintf(path, sizeof path, "%s/parallel-%d", dir, k);
        par[k] = open_writer(path, voc);
        CHECK(par[k] != NULL);
        if (!par[k])
            return;
    }
    FILE *in = fopen(sample, "r");
    vp_load_stats stats;
    char *err = NULL;
    CHECK(in && vp_load_jsonl_shards(par, SHARDS, voc, in, sample, stderr, &stats, &err) == VP_OK);
    if (err)
        fprintf(stderr, "parallel load: %s\n", err);
    free(err);
    if (in)
        fclose(in);
    CHECK(stats.rejected == 0);
    CHECK(stats.indexed == counts[0] + counts[1] + counts[2]);

    for (int k = 0; k < SHARDS; k++) {
        snprintf(path, sizeof path, "%s/serial-%d", dir, k);
        vp_index *ser = open_writer(path, voc);
        snprintf(path, sizeof path, "%s/part-%d.jsonl", dir, k);
        in = fopen(path, "r");
        CHECK(ser && in && vp_load_jsonl(ser, voc, in, path, stderr, &stats, NULL) == VP_OK);
        if (in)
            fclose(in);
        if (!ser)
            continue;

        uint64_t docs_par = 0, docs_ser = 0;
        CHECK(vp_index_stats(par[k], NULL, &docs_par, NULL) == VP_OK);
        CHECK(vp_index_stats(ser, NULL, &docs_ser, NULL) == VP_OK);
        CHECK(docs_par == counts[k]);
        CHECK(docs_par == docs_ser);
        CHECK(counts[k] > 0);

        char **a = NULL, **b = NULL;
        size_t na = ids_of(par[k], &a), nb = ids_of(ser, &b);
        CHECK(na == docs_par);
        CHECK(na == nb);
        if (a && b && na == nb) {
            qsort(a, na, sizeof *a, cmp_str);
            qsort(b, nb, sizeof *b, cmp_str);
            size_t same = 0, same_data = 0;
            for (size_t i = 0; i < na; i++) {
                if (strcmp(a[i], b[i]) != 0)
                    continue;
                same++;
                char *ja = NULL, *jb = NULL;
                if (vp_index_get(par[k], a[i], &ja, NULL) == VP_OK &&
                    vp_index_get(ser, b[i], &jb, NULL) == VP_OK && strcmp(ja, jb) == 0)
                    same_data++;
                free(ja);
                free(jb);
            }
            CHECK(same == na);
            CHECK(same_data == na);
        }
        for (size_t i = 0; i < na; i++)
            free(a[i]);
        for (size_t i = 0; i < nb; i++)
            free(b[i]);
        free(a);
        free(b);
        vp_index_close(ser);
    }
    for (int k = 0; k < SHARDS; k++)
        vp_index_close(par[k]);
}

/* Runs argv with every file it writes limited to `bytes` (SIGXFSZ ignored,
 * so a write past it fails with EFBIG instead of killing the process). */
static int run_limited(char *const argv[], rlim_t bytes, char **out)
{
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = bytes;
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &lim);
    int rc = proc_run(argv, out);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, was);
    return rc;
}

/* 2 and 3: the indexer program. */
static void test_failures(const char *bindir, const char *dir, const char *sample,
                          const char *voc)
{
    char indexer[1200], gen1[1200], gen2[1200], gen3[1200], live[1200], bad[1200];
    snprintf(indexer, sizeof indexer, "%s/vindplaats-indexer", bindir);
    snprintf(gen1, sizeof gen1, "%s/gen-1", dir);
    snprintf(gen2, sizeof gen2, "%s/gen-2", dir);
    snprintf(gen3, sizeof gen3, "%s/gen-3", dir);
    snprintf(live, sizeof live, "%s/live", dir);
    snprintf(bad, sizeof bad, "%s/bad.jsonl", dir);
    char *out = NULL;

    /* A small good generation, switched in. */
    snprintf(bad, sizeof bad, "%s/part-0.jsonl", dir);
    char *first[] = {indexer, "load", bad, "--index", gen1, "--shards", "2", "--vocabulary",
                     (char *)voc, "--switch", live, NULL};
    CHECK(proc_run(first, &out) == 0);
    free(out);
    char target[1200] = "";
    ssize_t n = readlink(live, target, sizeof target - 1);
    CHECK(n > 0 && strstr(target, "gen-1") != NULL);

    /* A writer fails: every file may hold at most 512 KB and Xapian writes
     * its changes out every 200 documents, so one shard's table outgrows
     * the limit in the middle of the load. */
    setenv("XAPIAN_FLUSH_THRESHOLD", "200", 1);
    char *failing[] = {indexer, "load", (char *)sample, "--index", gen2, "--shards", "2",
                       "--vocabulary", (char *)voc, "--switch", live, NULL};
    int rc = run_limited(failing, 512 * 1024, &out);
    unsetenv("XAPIAN_FLUSH_THRESHOLD");
    CHECK(rc == 1);
    CHECK_CONTAINS(out, "load failed: shard ");
    CHECK_CONTAINS(out, "not switched");
    if (rc != 1)
        fprintf(stderr, "indexer said: %s\n", out ? out : "");
    free(out);
    memset(target, 0, sizeof target);
    n = readlink(live, target, sizeof target - 1);
    CHECK(n > 0 && strstr(target, "gen-1") != NULL);

    /* A bad line among good ones, into shards: FILE:LINE, exit 1. */
    snprintf(bad, sizeof bad, "%s/bad.jsonl", dir);
    FILE *f = fopen(bad, "w");
    if (!f)
        return;
    fputs("{\"id\":\"t:1\",\"type\":\"event\",\"title\":\"Goed\",\"source\":\"t\"}\n"
          "{\"id\":\"t:2\",\"type\":\"book\",\"title\":\"Ook goed\",\"source\":\"t\"}\n"
          "{\"id\":\"t:3\",\"type\":\"kursus\",\"title\":\"Fout\",\"source\":\"t\"}\n"
          "{\"id\":\"t:4\",\"type\":\"book\",\"title\":\"Nog een\",\"source\":\"t\"}\n",
          f);
    fclose(f);
    char *badload[] = {indexer, "load", bad, "--index", gen3, "--shards", "2", "--vocabulary",
                       (char *)voc, NULL};
    CHECK(proc_run(badload, &out) == 1);
    char expect[1300];
    snprintf(expect, sizeof expect, "%s:3: type: unknown value \"kursus\"", bad);
    CHECK_CONTAINS(out, expect);
    CHECK_CONTAINS(out, "read 4, indexed 3, rejected 1");
    free(out);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: test_load BINDIR SAMPLE.jsonl VOCABULARY\n");
        return 2;
    }
    char dir[] = "/tmp/vp-test-load-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    vp_vocabulary *voc = NULL;
    CHECK(vp_vocabulary_load(argv[3], &voc, NULL) == VP_OK);
    if (voc) {
        test_same_as_serial(dir, argv[2], voc);
        test_failures(argv[1], dir, argv[2], argv[3]);
    }
    vp_vocabulary_destroy(voc);
    for (size_t i = 0; i < n_sources; i++)
        free(sources[i]);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done();
}
