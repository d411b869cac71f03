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
 * 4. Routing: the sample's keys (work keys, ISBN-13 ones among them, and
 *    ids) spread evenly over 2 and 3 shards; fresh shards are marked and
 *    a re-load updates each offering in its shard; shards written by the
 *    old routing (FNV-1a modulo n, no mark) keep it, so a re-load still
 *    finds every offering where it is; a marked index loaded as another
 *    number of shards is refused.
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
#include "vindplaats/hash.h"
#include "vindplaats/load.h"
#include "vindplaats/offering.h"
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
        size_t k = vp_shard_of(VP_ROUTING_MIXED, work, id, SHARDS);
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
    vp_error err = VP_ERROR_INIT;
    CHECK(in && vp_load_jsonl_shards(par, SHARDS, voc, in, sample, stderr, &stats, &err) == VP_OK);
    if (err.status != VP_OK)
        vp_error_print(stderr, "parallel load", &err);
    vp_error_clear(&err);
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

/* The routing key of every line of `sample` (work key, else id), in order;
 * *n of them. */
static char **sample_keys(const char *sample, size_t *n)
{
    FILE *in = fopen(sample, "r");
    char **keys = NULL, *line = NULL;
    size_t cap = 0, have = 0;
    *n = 0;
    while (in && getline(&line, &cap, in) > 0) {
        json_t *o = json_loads(line, 0, NULL);
        const char *work = json_string_value(json_object_get(o, "work_key"));
        const char *id = json_string_value(json_object_get(o, "id"));
        const char *key = work && *work ? work : id;
        if (key && *n == have) {
            char **grown = realloc(keys, (have = have ? 2 * have : 1024) * sizeof *keys);
            if (!grown)
                break;
            keys = grown;
        }
        if (key)
            keys[(*n)++] = strdup(key);
        json_decref(o);
    }
    free(line);
    if (in)
        fclose(in);
    return keys;
}

/* Whether `count` of `total` is within `pct` percent of total / n. */
static int near_share(size_t count, size_t total, size_t n, double pct)
{
    double share = 100.0 * (double)count / (double)total;
    double even = 100.0 / (double)n;
    int ok = share >= even - pct && share <= even + pct;
    if (!ok)
        fprintf(stderr, "  %zu of %zu (%.1f%%) on one of %zu shards\n", count, total, share, n);
    return ok;
}

/* 4a: how evenly the sample's offerings and keys spread. */
static void test_routing_spread(const char *sample)
{
    size_t n = 0;
    char **keys = sample_keys(sample, &n);
    CHECK(n >= 1000);
    for (size_t shards = 2; shards <= 3; shards++) {
        size_t offerings[3] = {0}, distinct[3] = {0}, isbn[3] = {0}, n_distinct = 0, n_isbn = 0;
        for (size_t i = 0; i < n; i++) {
            size_t k = vp_shard_of(VP_ROUTING_MIXED, keys[i], "unused", shards);
            offerings[k]++;
            int first = 1;
            for (size_t j = 0; j < i && first; j++)
                first = strcmp(keys[i], keys[j]) != 0;
            if (!first)
                continue;
            distinct[k]++;
            n_distinct++;
        }
        /* 2,000 ISBN-13 work keys: their digits have an even sum, so
         * FNV-1a's lowest bit (the parity of the bytes) sent every one of
         * them to the same shard of 2. */
        for (unsigned i = 0; i < 2000; i++) {
            char key[32];
            int sum = 0;
            snprintf(key, sizeof key, "isbn:9789%08u", i * 37);
            for (int d = 0; d < 12; d++)
                sum += (key[5 + d] - '0') * (d % 2 ? 3 : 1);
            snprintf(key + 17, sizeof key - 17, "%d", (10 - sum % 10) % 10);
            isbn[vp_shard_of(VP_ROUTING_MIXED, key, "unused", shards)]++;
            n_isbn++;
        }
        for (size_t k = 0; k < shards; k++) {
            /* Distinct keys within 3 percentage points of an even share;
             * offerings, which a work held by many libraries takes along
             * together, within 5. */
            CHECK(near_share(distinct[k], n_distinct, shards, 3.0));
            CHECK(near_share(isbn[k], n_isbn, shards, 3.0));
            CHECK(near_share(offerings[k], n, shards, 5.0));
        }
    }
    /* A key goes where it went before: the values are fixed. */
    CHECK(vp_shard_of(VP_ROUTING_MIXED, "isbn:9780743273565", "x", 2) ==
          vp_hash_mix(vp_hash_str("isbn:9780743273565")) % 2);
    CHECK(vp_shard_of(VP_ROUTING_FNV, NULL, "agenda:1", 3) == vp_hash_str("agenda:1") % 3);
    CHECK(vp_shard_of(VP_ROUTING_MIXED, "", "agenda:1", 3) ==
          vp_hash_mix(vp_hash_str("agenda:1")) % 3);
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
}

/* The number of documents in each of `n` shards, summed. */
static uint64_t docs_in(vp_index *const *shards, size_t n, uint64_t *each)
{
    uint64_t total = 0;
    for (size_t k = 0; k < n; k++) {
        each[k] = 0;
        CHECK(vp_index_stats(shards[k], NULL, &each[k], NULL) == VP_OK);
        total += each[k];
    }
    return total;
}

/* Loads `path` into `shards`; the status. */
static vp_status load_into(vp_index *const *shards, size_t n, const vp_vocabulary *voc,
                           const char *path, vp_error *err)
{
    FILE *in = fopen(path, "r");
    vp_load_stats stats;
    vp_status st = in ? vp_load_jsonl_shards(shards, n, voc, in, path, stderr, &stats, err)
                      : VP_ERR_IO;
    if (in)
        fclose(in);
    return st;
}

/* 4b: marks, and re-loads into shards of either routing. */
static void test_routing_kept(const char *dir, const vp_vocabulary *voc)
{
    /* 400 offerings of the first shard's part: books with work keys,
     * events and courses with ids only. */
    char part[1200], few[1200], path[1200];
    snprintf(part, sizeof part, "%s/part-0.jsonl", dir);
    snprintf(few, sizeof few, "%s/few.jsonl", dir);
    FILE *in = fopen(part, "r"), *out = fopen(few, "w");
    char *line = NULL;
    size_t cap = 0, lines = 0;
    while (in && out && lines < 400 && getline(&line, &cap, in) > 0) {
        fputs(line, out);
        lines++;
    }
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    CHECK(lines == 400);

    /* Shards written by the old routing, as a version before the mark
     * wrote them: each offering put where FNV-1a modulo 2 sent it. */
    vp_index *old[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/old-%d", dir, k);
        old[k] = open_writer(path, voc);
        CHECK(old[k] != NULL);
    }
    in = fopen(few, "r");
    while (old[0] && old[1] && in && getline(&line, &cap, in) > 0) {
        vp_offering *o = NULL;
        CHECK(vp_offering_parse(line, strlen(line), voc, &o, NULL) == VP_OK);
        if (o)
            CHECK(vp_index_put(old[vp_shard_of(VP_ROUTING_FNV, o->work_key, o->id, 2)], o,
                               NULL) == VP_OK);
        vp_offering_destroy(o);
    }
    if (in)
        fclose(in);
    uint64_t before[2], after[2];
    if (old[0] && old[1]) {
        CHECK(vp_index_commit(old[0], NULL) == VP_OK && vp_index_commit(old[1], NULL) == VP_OK);
        uint64_t total = docs_in(old, 2, before);
        CHECK(total == 400);
        vp_routing r = VP_ROUTING_MIXED;
        CHECK(vp_shards_routing(old, 2, &r, NULL) == VP_OK);
        CHECK(r == VP_ROUTING_FNV);
        /* The re-load replaces every offering in place: no copy elsewhere. */
        CHECK(load_into(old, 2, voc, few, NULL) == VP_OK);
        CHECK(docs_in(old, 2, after) == 400);
        CHECK(after[0] == before[0] && after[1] == before[1]);
        char *mark = NULL;
        CHECK(vp_index_get_meta(old[0], VP_META_ROUTING, &mark, NULL) == VP_OK);
        CHECK(!mark || !*mark);
        free(mark);
    }
    for (int k = 0; k < 2; k++)
        vp_index_close(old[k]);

    /* Fresh shards: marked by their first load, re-loaded in place, and
     * the mark outlives the handles. */
    vp_index *fresh[3] = {NULL, NULL, NULL};
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/fresh-%d", dir, k);
        fresh[k] = open_writer(path, voc);
        CHECK(fresh[k] != NULL);
    }
    if (fresh[0] && fresh[1]) {
        CHECK(load_into(fresh, 2, voc, few, NULL) == VP_OK);
        CHECK(docs_in(fresh, 2, before) == 400);
        for (int k = 0; k < 2; k++) {
            char *mark = NULL;
            CHECK(vp_index_get_meta(fresh[k], VP_META_ROUTING, &mark, NULL) == VP_OK);
            CHECK_STR(mark, "fnv1a-fmix64 2");
            free(mark);
            vp_index_close(fresh[k]);
            snprintf(path, sizeof path, "%s/fresh-%d", dir, k);
            fresh[k] = open_writer(path, voc);
        }
    }
    if (fresh[0] && fresh[1]) {
        vp_routing r = VP_ROUTING_FNV;
        CHECK(vp_shards_routing(fresh, 2, &r, NULL) == VP_OK);
        CHECK(r == VP_ROUTING_MIXED);
        CHECK(load_into(fresh, 2, voc, few, NULL) == VP_OK);
        CHECK(docs_in(fresh, 2, after) == 400);
        CHECK(after[0] == before[0] && after[1] == before[1]);
        /* The first shard's part of 3 spreads over 2 about evenly. */
        CHECK(near_share(after[0], 400, 2, 8.0));

        /* The same shards and a third, empty one: refused, nothing written. */
        snprintf(path, sizeof path, "%s/fresh-2", dir);
        fresh[2] = open_writer(path, voc);
        vp_error err = VP_ERROR_INIT;
        CHECK(fresh[2] && load_into(fresh, 3, voc, few, &err) == VP_ERR_INVALID);
        CHECK_CONTAINS(err.message, "shard 0 of 3: written with routing \"fnv1a-fmix64 2\"");
        vp_error_clear(&err);
        uint64_t third = 1;
        CHECK(fresh[2] && vp_index_stats(fresh[2], NULL, &third, NULL) == VP_OK && third == 0);
    }
    for (int k = 0; k < 3; k++)
        vp_index_close(fresh[k]);
    free(line);
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
        test_routing_spread(argv[2]);
        test_routing_kept(dir, voc);
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
