/* test_answer_cache.c - the answer cache of /v1/search through the real
 * programs: vindplaats-indexer writes, vindplaats-server serves on a free
 * loopback port, every check is an HTTP request.
 *
 * - The same search written differently is answered from the cache, with
 *   the bytes of the search that ran, but its own took_ms and query_id,
 *   and it is logged as a search (the insights count it).
 * - While one client repeats a cached search, the indexer commits offerings
 *   it finds, one by one: no answer after a commit has returned may be from
 *   before it, and the answers never go back (one index, then two shards).
 * - A rebuild switched in under the served path (a symlink renamed) is
 *   answered at once, not from the old index's answers.
 * - Suggestions are kept by q and limit, and a commit is seen at once.
 * - A reply from the cache has the very bytes of the reply that ran, up
 *   to its took_ms and query_id; a burst of searches is logged in a few
 *   batches of the query log, and every search of it is counted.
 * - --cache-mb 0 switches the cache off.
 *
 * usage: test_answer_cache BINDIR OFFERINGS.jsonl VOCABULARY */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc.h"

#define ROUNDS 5
#define ADMIN_KEY "test-admin-key-of-the-answer-cache-test"

static char bindir[1024], dir[] = "/tmp/vp-test-answer-cache-XXXXXX";
static const char *voc;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The body of a GET that must answer 200, malloc()ed (NULL otherwise). */
static char *get_body(unsigned port, const char *path)
{
    http_reply r;
    if (http_request(port, "GET", path, &r) != 0 || r.status != 200) {
        http_reply_free(&r);
        return NULL;
    }
    char *body = r.body;
    r.body = NULL;
    http_reply_free(&r);
    return body;
}

static json_t *get_json(unsigned port, const char *path)
{
    char *body = get_body(port, path);
    json_t *j = body ? json_loads(body, 0, NULL) : NULL;
    free(body);
    return j;
}

/* A series of /metrics, or -1 when absent. */
static long metric(unsigned port, const char *series)
{
    char *body = get_body(port, "/metrics");
    const char *at = body ? strstr(body, series) : NULL;
    long v = at ? atol(at + strlen(series) + 1) : -1;
    free(body);
    return v;
}

#define HITS "vindplaats_cache_requests_total{cache=\"answers\",result=\"hit\"}"
#define MISSES "vindplaats_cache_requests_total{cache=\"answers\",result=\"miss\"}"
#define INVALIDATED "vindplaats_cache_dropped_total{cache=\"answers\",reason=\"invalidated\"}"

/* The body without its took_ms and query_id, as compact JSON. */
static char *without_per_request(const char *body)
{
    json_t *j = body ? json_loads(body, 0, NULL) : NULL;
    if (!j)
        return NULL;
    CHECK(json_is_number(json_object_get(j, "took_ms")));
    CHECK(json_string_length(json_object_get(j, "query_id")) == 16);
    json_object_del(j, "took_ms");
    json_object_del(j, "query_id");
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

static unsigned start(const char *name, const char *index, const char *cache_mb, pid_t *pid)
{
    char server[1100], portfile[1100], log[1100], keys[1100];
    snprintf(server, sizeof server, "%s/vindplaats-server", bindir);
    snprintf(portfile, sizeof portfile, "%s/%s.port", dir, name);
    snprintf(log, sizeof log, "%s/%s.log", dir, name);
    snprintf(keys, sizeof keys, "%s/admin-keys", dir);
    char *argv[] = {server, "--index", (char *)index, "--port", "0", "--port-file", portfile,
                    "--vocabulary", (char *)voc, "--threads", "2", "--no-access-log",
                    "--now", "2026-12-01T08:00:00+01:00", "--admin-keys", keys,
                    "--query-min-clients", "1", "--cache-mb", (char *)cache_mb, NULL};
    *pid = proc_start(argv, log);
    unsigned port = proc_wait_port(portfile, 30);
    CHECK(port != 0);
    return port;
}

/* Loads `lines` (JSONL) into `index` with the real indexer; 0 when it did. */
static int load(const char *index, const char *lines, int shards)
{
    char file[1100], indexer[1100];
    snprintf(file, sizeof file, "%s/round.jsonl", dir);
    snprintf(indexer, sizeof indexer, "%s/vindplaats-indexer", bindir);
    FILE *f = fopen(file, "w");
    if (!f)
        return -1;
    fputs(lines, f);
    fclose(f);
    char *argv[] = {indexer, "load", file, "--index", (char *)index, "--vocabulary", (char *)voc,
                    shards ? "--shards" : NULL, "2", NULL};
    char *out = NULL;
    int rc = proc_run(argv, &out);
    if (rc != 0)
        fprintf(stderr, "indexer: %s\n", out ? out : "");
    free(out);
    return rc;
}

/* An insights report at `path`: `field` added up over the rows of its
 * member `list` whose `key` is `value` (every row when key is NULL); -1
 * when the report cannot be had. */
static json_int_t report_sum(unsigned port, const char *path, const char *list, const char *key,
                             const char *value, const char *field)
{
    const char *headers[] = {"Authorization: Bearer " ADMIN_KEY, NULL};
    http_reply r;
    json_int_t n = -1;
    if (http_send(port, "GET", path, headers, NULL, &r) == 0 && r.status == 200) {
        json_t *j = json_loads(r.body, 0, NULL);
        size_t i;
        json_t *row;
        n = 0;
        json_array_foreach(json_object_get(j, list), i, row) {
            const char *v = key ? json_string_value(json_object_get(row, key)) : NULL;
            if (!key || (v && strcmp(v, value) == 0))
                n += json_integer_value(json_object_get(row, field));
        }
        json_decref(j);
    }
    http_reply_free(&r);
    return n;
}

/* How many searches of `q` the insights count today. */
static json_int_t logged(unsigned port, const char *q)
{
    return report_sum(port, "/v1/insights/queries?limit=10000", "queries", "query", q, "searches");
}

/* The results shown of every proposition today (impressions), added up. */
static json_int_t impressions(unsigned port)
{
    return report_sum(port, "/v1/insights/propositions?days=1", "propositions", NULL, NULL,
                      "impressions");
}

/* The body without its took_ms, as compact JSON. */
static char *without_took(const char *body)
{
    json_t *j = body ? json_loads(body, 0, NULL) : NULL;
    if (!j)
        return NULL;
    CHECK(json_is_number(json_object_get(j, "took_ms")));
    json_object_del(j, "took_ms");
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

/* Two spellings of one search share an answer; each reply is its own. */
static void test_same_search(unsigned port)
{
    long hits = metric(port, HITS), misses = metric(port, MISSES);
    CHECK(hits >= 0 && misses >= 0);
    char *a = get_body(port, "/v1/search?q=mailen&type=course&type=event&facets=type,library");
    char *b = get_body(port, "/v1/search?facets=library,type&type=event&page=1&q=mailen"
                             "&type=course&type=event&per_page=10&sort=relevance");
    char *c = get_body(port, "/v1/search?q=mailen&type=course&type=event&facets=type,library");
    CHECK(a && b && c);
    CHECK(metric(port, MISSES) == misses + 1);
    CHECK(metric(port, HITS) == hits + 2);
    char *sa = without_per_request(a), *sb = without_per_request(b), *sc = without_per_request(c);
    CHECK(sa && sb && sc);
    if (sa && sb && sc) {
        CHECK_STR(sb, sa);
        CHECK_STR(sc, sa);
    }
    json_t *ja = a ? json_loads(a, 0, NULL) : NULL, *jb = b ? json_loads(b, 0, NULL) : NULL;
    /* A query id of its own; the second half names the query's aggregate. */
    const char *qa = json_string_value(json_object_get(ja, "query_id"));
    const char *qb = json_string_value(json_object_get(jb, "query_id"));
    CHECK(qa && qb && strcmp(qa, qb) != 0);
    if (qa && qb)
        CHECK(strcmp(qa + 8, qb + 8) == 0);
    CHECK(json_integer_value(json_object_get(ja, "total")) > 0);
    /* The filters are repeated sorted and once each. */
    json_t *types = json_object_get(json_object_get(json_object_get(jb, "query"), "filters"), "type");
    CHECK(json_array_size(types) == 2);
    CHECK_STR(json_string_value(json_array_get(types, 0)), "course");
    CHECK_STR(json_string_value(json_array_get(types, 1)), "event");
    json_decref(ja);
    json_decref(jb);
    free(a);
    free(b);
    free(c);
    free(sa);
    free(sb);
    free(sc);
    /* Another page, another search. */
    free(get_body(port, "/v1/search?q=mailen&type=course&type=event&facets=type,library&page=2"));
    CHECK(metric(port, MISSES) == misses + 2);

    /* Answered from the cache or not, every search is logged, with the
     * propositions of the results it showed. */
    json_int_t before = logged(port, "cursus"), shown_before = impressions(port);
    CHECK(before >= 0 && shown_before >= 0);
    json_int_t with_prop = 0;
    for (int i = 0; i < 3; i++) {
        char *body = get_body(port, "/v1/search?q=cursus");
        json_t *j = body && i == 0 ? json_loads(body, 0, NULL) : NULL;
        size_t k;
        json_t *res;
        json_array_foreach(json_object_get(j, "results"), k, res) {
            with_prop += json_string_length(json_object_get(res, "proposition")) > 0;
        }
        json_decref(j);
        free(body);
    }
    CHECK(with_prop > 0);
    json_int_t after = before;
    for (int tries = 0; tries < 30 && after < before + 3; tries++) {
        sleep_ms(100);
        after = logged(port, "cursus");
    }
    CHECK(after == before + 3);
    CHECK(impressions(port) - shown_before == 3 * with_prop);
}

/* Where a reply's per-request tail (,"took_ms":...) starts, after
 * checking its form: ,"took_ms":N.NN,"query_id":"16 hex"} at the end. */
static size_t tail_at(const char *body)
{
    const char *t = body ? strstr(body, ",\"took_ms\":") : NULL;
    if (!t)
        return 0;
    const char *q = strstr(t, ",\"query_id\":\"");
    CHECK(q != NULL);
    if (!q)
        return 0;
    CHECK(strspn(q + 13, "0123456789abcdef") == 16);
    CHECK_STR(q + 29, "\"}");
    return (size_t)(t - body);
}

static void test_bytes_and_log(unsigned port)
{
    const char *path = "/v1/search?q=taal&facets=type,library&per_page=5";
    long misses = metric(port, MISSES), hits = metric(port, HITS);
    char *ran = get_body(port, path), *kept = get_body(port, path);
    CHECK(metric(port, MISSES) == misses + 1);
    CHECK(metric(port, HITS) == hits + 1);
    size_t a = tail_at(ran), b = tail_at(kept);
    CHECK(a > 0 && a == b);
    if (a > 0 && a == b)
        CHECK(memcmp(ran, kept, a) == 0);
    free(ran);
    free(kept);

    /* A burst of searches: counted one by one, written in a few batches. */
    const char *batches = "\nvindplaats_insights_batches_total"; /* not its HELP line */
    json_int_t before = logged(port, "taal");
    long b0 = metric(port, batches);
    CHECK(before >= 0 && b0 >= 0);
    for (int i = 0; i < 60; i++)
        free(get_body(port, path));
    CHECK(logged(port, "taal") == before + 60);
    long written = metric(port, batches) - b0;
    CHECK(written >= 1);
    CHECK(written <= 15);
    if (written > 15)
        fprintf(stderr, "60 searches in %ld batches of the query log\n", written);
}

/* Suggestions: from the cache the second time, new after a commit (made
 * to `twin` as well, to keep it at the same revision). */
static void test_suggest(unsigned port, const char *index, const char *twin)
{
    long hits = metric(port, HITS), misses = metric(port, MISSES);
    char *a = get_body(port, "/v1/suggest?q=zeppelinvaart&limit=5");
    char *b = get_body(port, "/v1/suggest?limit=5&q=zeppelinvaart");
    char *c = get_body(port, "/v1/suggest?q=zeppelinvaart&limit=6");
    CHECK(metric(port, HITS) == hits + 1);
    CHECK(metric(port, MISSES) == misses + 2);
    char *sa = without_took(a), *sb = without_took(b);
    CHECK(sa && sb && strcmp(sa, sb) == 0);
    CHECK_CONTAINS(a, "\"suggestions\":[]");
    free(sa);
    free(sb);
    free(a);
    free(b);
    free(c);
    const char *line = "{\"id\":\"test:zeppelin\",\"type\":\"book\","
                       "\"title\":\"Zeppelinvaart boven de polder\",\"source\":\"test\"}\n";
    CHECK(load(index, line, 0) == 0);
    CHECK(load(twin, line, 0) == 0);
    json_t *j = get_json(port, "/v1/suggest?q=zeppelinvaart&limit=5");
    CHECK(json_array_size(json_object_get(j, "suggestions")) >= 1);
    CHECK(json_is_number(json_object_get(j, "took_ms")));
    json_decref(j);
}

typedef struct repeater {
    unsigned port;
    _Atomic int committed;   /* rounds whose commit has returned */
    _Atomic int stop;
    int requests, failed, older, went_back, last;
} repeater;

static void *repeat(void *arg)
{
    repeater *rp = arg;
    while (!atomic_load(&rp->stop)) {
        int committed = atomic_load(&rp->committed);
        json_t *j = get_json(rp->port, "/v1/search?q=tellerronde&facets=type");
        rp->requests++;
        if (!j) {
            rp->failed++;
            continue;
        }
        int total = (int)json_integer_value(json_object_get(j, "total"));
        json_decref(j);
        if (total < committed) {
            fprintf(stderr, "answer with %d offerings after commit %d\n", total, committed);
            rp->older++;
        }
        if (total < rp->last)
            rp->went_back++;
        rp->last = total;
    }
    return NULL;
}

/* Commits while a cached search is repeated; each round is committed to
 * `twin` too (when not NULL), so that it reaches the same revision. */
static void test_commits(unsigned port, const char *index, int shards, const char *twin)
{
    long hits = metric(port, HITS), invalidated = metric(port, INVALIDATED);
    repeater rp = {.port = port};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, repeat, &rp) == 0);
    char lines[8192] = "";
    for (int k = 1; k <= ROUNDS; k++) {
        sleep_ms(300);
        /* Round k adds offering k: a search for the word finds k of them. */
        size_t used = strlen(lines);
        snprintf(lines + used, sizeof lines - used,
                 "{\"id\":\"test:teller-%d%s\",\"type\":\"book\",\"title\":\"Tellerronde boek %d\","
                 "\"source\":\"test\"}\n",
                 k, shards ? "-s" : "", k);
        CHECK(load(index, lines, shards) == 0);
        atomic_store(&rp.committed, k);
        if (twin)
            CHECK(load(twin, lines, shards) == 0);
    }
    sleep_ms(300);
    atomic_store(&rp.stop, 1);
    pthread_join(t, NULL);
    CHECK(rp.failed == 0);
    CHECK(rp.older == 0);
    CHECK(rp.went_back == 0);
    CHECK(rp.last == ROUNDS);
    CHECK(rp.requests > 4 * ROUNDS);
    /* It was the cache that answered most, and each commit emptied it. */
    long h = metric(port, HITS) - hits;
    CHECK(h > rp.requests / 2);
    CHECK(metric(port, INVALIDATED) - invalidated >= ROUNDS);
    json_t *j = get_json(port, "/v1/search?q=tellerronde");
    CHECK(json_integer_value(json_object_get(j, "total")) == ROUNDS);
    json_decref(j);
}

/* The revision /healthz reports. */
static json_int_t revision(unsigned port)
{
    json_t *j = get_json(port, "/healthz");
    json_int_t r = json_integer_value(json_object_get(j, "revision"));
    json_decref(j);
    return r;
}

/* A rebuild renamed over the served symlink is answered at once, even
 * though it has made as many commits as the index it replaces. */
static void test_switch(unsigned port, const char *next)
{
    char link_tmp[1100], live[1100];
    snprintf(link_tmp, sizeof link_tmp, "%s/live.tmp", dir);
    snprintf(live, sizeof live, "%s/live", dir);
    json_int_t before = revision(port);
    for (int i = 0; i < 3; i++) {
        json_t *j = get_json(port, "/v1/search?q=wisselproef");
        CHECK(j && json_integer_value(json_object_get(j, "total")) == 0);
        json_decref(j);
    }
    CHECK(symlink(next, link_tmp) == 0);
    CHECK(rename(link_tmp, live) == 0);
    json_t *j = get_json(port, "/v1/search?q=wisselproef");
    CHECK(j && json_integer_value(json_object_get(j, "total")) == 1);
    json_decref(j);
    CHECK(revision(port) == before);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: test_answer_cache BINDIR OFFERINGS.jsonl VOCABULARY\n");
        return 2;
    }
    snprintf(bindir, sizeof bindir, "%s", argv[1]);
    const char *offerings = argv[2];
    voc = argv[3];
    if (!mkdtemp(dir))
        return 2;
    char a[1100], b[1100], live[1100], sharded[1100], keys[1100];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(live, sizeof live, "%s/live", dir);
    snprintf(sharded, sizeof sharded, "%s/sharded", dir);
    snprintf(keys, sizeof keys, "%s/admin-keys", dir);
    FILE *kf = fopen(keys, "w");
    if (kf) {
        fputs(ADMIN_KEY "\n", kf);
        fclose(kf);
    }
    FILE *f = fopen(offerings, "r");
    char lines[65536];
    size_t n = f ? fread(lines, 1, sizeof lines - 512, f) : 0;
    if (f)
        fclose(f);
    lines[n] = '\0';
    CHECK(n > 0);
    CHECK(load(a, lines, 0) == 0);
    /* The rebuild: the same offerings and one more, in as many commits. */
    char more[65536];
    int w = snprintf(more, sizeof more, "%s{\"id\":\"test:wissel\",\"type\":\"book\","
                     "\"title\":\"Wisselproef\",\"source\":\"test\"}\n", lines);
    CHECK(w > 0 && (size_t)w < sizeof more);
    CHECK(load(b, more, 0) == 0);
    CHECK(load(sharded, lines, 1) == 0);
    CHECK(symlink(a, live) == 0);

    pid_t pid;
    unsigned port = start("one", live, "8", &pid);
    if (port) {
        CHECK(metric(port, "vindplaats_cache_max_bytes{cache=\"answers\"}") == 8L << 20);
        test_same_search(port);
        test_bytes_and_log(port);
        test_suggest(port, a, b);
        test_commits(port, live, 0, b);
        test_switch(port, b);
    }
    CHECK(proc_stop(pid) == 0);

    port = start("shards", sharded, "8", &pid);
    if (port)
        test_commits(port, sharded, 1, NULL);
    CHECK(proc_stop(pid) == 0);

    /* Switched off: nothing is kept, every search runs. */
    port = start("off", live, "0", &pid);
    if (port) {
        for (int i = 0; i < 3; i++)
            free(get_body(port, "/v1/search?q=mailen"));
        CHECK(metric(port, HITS) == 0);
        CHECK(metric(port, MISSES) == 0);
        CHECK(metric(port, "vindplaats_cache_max_bytes{cache=\"answers\"}") == 0);
    }
    CHECK(proc_stop(pid) == 0);

    char *rm[] = {"/bin/rm", "-rf", dir, NULL};
    proc_run(rm, NULL);
    return check_done();
}
