/* test_answer_cache.c - the answer cache (answer_cache.h) and the index
 * versions it is keyed by (vp_index_version_get):
 *
 * - the byte budget holds whatever is put in, the least recently used
 *   answers go first, an answer too large for the cache is not kept;
 * - an answer is served only at the version it was stored at: a newer
 *   version (a commit, another index) drops them all, an older one neither
 *   reads nor writes; stale answers are not served;
 * - the key: the same search written differently has one key, a different
 *   search another;
 * - versions of real indexes: a commit raises the revision, another index
 *   at the same revision has another identity, a commit to one of two
 *   shards changes the sharded index's version;
 * - checking an unchanged index for a commit reads nothing (a stat of its
 *   version file, not the file), and commits in quick succession are each
 *   seen by the next refresh;
 * - two threads putting and getting at once (run under ASan in CI).
 *
 * usage: test_answer_cache VOCABULARY POSTCODES */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vindplaats/answer_cache.h"
#include "vindplaats/geo.h"
#include "vindplaats/index.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "vindplaats/vocabulary.h"

static vp_vocabulary *voc;
static vp_postcodes *postcodes;
static char dir[] = "/tmp/vp-test-answer-cache-XXXXXX";

static const vp_index_version v1 = {7, 1, 101}, v2 = {7, 2, 102}, other = {8, 1, 201};

/* 1 when `key` is in the cache at `v`, with `want` as its answer when given. */
static int has(vp_answer_cache *c, const vp_index_version *v, const char *key, const char *want)
{
    char *value = NULL;
    size_t len = 0;
    int hit = vp_answer_cache_get(c, v, key, strlen(key), 1000, &value, &len);
    if (hit && want)
        CHECK_STR(value, want);
    if (hit)
        CHECK(len == strlen(value));
    free(value);
    return hit;
}

static void put(vp_answer_cache *c, const vp_index_version *v, const char *key, const char *value)
{
    CHECK(vp_answer_cache_put(c, v, key, strlen(key), value, strlen(value),
                              VP_ANSWER_NEVER_STALE) == VP_OK);
}

static void test_budget_and_eviction(void)
{
    size_t budget = 256 * 1024;
    vp_answer_cache *c = vp_answer_cache_create(budget);
    CHECK(c != NULL);
    if (!c)
        return;
    char value[4096];
    memset(value, 'x', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    vp_answer_cache_stats s;
    put(c, &v1, "first", "{\"a\":1}");
    put(c, &v1, "second", "{\"b\":2}");
    for (int i = 0; i < 200; i++) {
        char key[32];
        snprintf(key, sizeof key, "filler-%d", i);
        put(c, &v1, key, value);
        /* The first answer is asked for all the time: it stays. */
        CHECK(has(c, &v1, "first", "{\"a\":1}"));
        vp_answer_cache_stats_get(c, &s);
        CHECK(s.bytes <= budget);
    }
    vp_answer_cache_stats_get(c, &s);
    CHECK(s.max_bytes == budget);
    CHECK(s.evictions > 0);
    CHECK(s.entries > 10 && s.entries < 200);
    CHECK(s.bytes > budget / 2);
    /* The second was never asked again: the least recently used, gone. */
    CHECK(!has(c, &v1, "second", NULL));
    CHECK(!has(c, &v1, "filler-0", NULL));
    CHECK(has(c, &v1, "filler-199", value));
    /* Replacing an answer keeps one entry under the key. */
    uint64_t entries = s.entries;
    put(c, &v1, "filler-199", "{}");
    vp_answer_cache_stats_get(c, &s);
    CHECK(s.entries == entries);
    CHECK(has(c, &v1, "filler-199", "{}"));
    /* Larger than an eighth of the budget: not kept, nothing evicted for it. */
    size_t big_len = budget / 4;
    char *big = malloc(big_len + 1);
    if (big) {
        memset(big, 'y', big_len);
        big[big_len] = '\0';
        uint64_t evicted = s.evictions;
        CHECK(vp_answer_cache_put(c, &v1, "big", 3, big, big_len, VP_ANSWER_NEVER_STALE) == VP_OK);
        CHECK(!has(c, &v1, "big", NULL));
        vp_answer_cache_stats_get(c, &s);
        CHECK(s.evictions == evicted);
        free(big);
    }
    vp_answer_cache_destroy(c);

    /* A cache of no bytes keeps nothing; a NULL cache is a miss. */
    c = vp_answer_cache_create(0);
    CHECK(c != NULL);
    put(c, &v1, "k", "v");
    CHECK(!has(c, &v1, "k", NULL));
    vp_answer_cache_destroy(c);
    CHECK(!has(NULL, &v1, "k", NULL));
}

static void test_versions(void)
{
    vp_answer_cache *c = vp_answer_cache_create(1 << 20);
    if (!c)
        return;
    vp_answer_cache_stats s;
    put(c, &v1, "q", "at revision 1");
    put(c, &v1, "r", "also at revision 1");
    CHECK(has(c, &v1, "q", "at revision 1"));
    /* A commit: revision 2 finds nothing of revision 1, which is dropped. */
    CHECK(!has(c, &v2, "q", NULL));
    vp_answer_cache_stats_get(c, &s);
    CHECK(s.invalidations == 2);
    CHECK(s.entries == 0);
    put(c, &v2, "q", "at revision 2");
    /* A worker still at revision 1 neither reads nor writes. */
    CHECK(!has(c, &v1, "q", NULL));
    put(c, &v1, "q", "late answer of revision 1");
    CHECK(has(c, &v2, "q", "at revision 2"));
    /* Another index (a rebuild switched in), whatever its revision. */
    CHECK(!has(c, &other, "q", NULL));
    put(c, &other, "q", "of the other index");
    CHECK(has(c, &other, "q", "of the other index"));
    CHECK(!has(c, &v2, "q", NULL));
    /* Same identity and revision sum, other shard revisions: another version. */
    vp_index_version moved = other;
    moved.exact++;
    CHECK(!has(c, &moved, "q", NULL));
    vp_answer_cache_stats_get(c, &s);
    CHECK(s.hits == 3);
    CHECK(s.misses == 5);

    /* Stale from 1000 on (has() asks at 1000). */
    char *value = NULL;
    size_t len = 0;
    CHECK(vp_answer_cache_put(c, &moved, "soon", 4, "x", 1, 1000) == VP_OK);
    CHECK(vp_answer_cache_put(c, &moved, "later", 5, "y", 1, 1001) == VP_OK);
    CHECK(vp_answer_cache_get(c, &moved, "soon", 4, 999, &value, &len) == 1);
    free(value);
    value = NULL;
    CHECK(!has(c, &moved, "soon", NULL));
    CHECK(has(c, &moved, "later", "y"));
    vp_answer_cache_stats_get(c, &s);
    CHECK(s.stale == 1);
    vp_answer_cache_destroy(c);
}

/* The key of a query string as the server parses it. */
static char *key_of(const char *query, int64_t now)
{
    vp_search_params *p = NULL;
    vp_error err = VP_ERROR_INIT;
    if (vp_search_params_parse_query(query, voc, postcodes, &p, &err) != VP_OK) {
        fprintf(stderr, "%s: %s\n", query, err.message);
        vp_error_clear(&err);
        CHECK(0);
        return strdup("");
    }
    vp_search_request req = *vp_search_params_request(p);
    req.now = now;
    vp_buf b;
    vp_buf_init(&b, 1 << 20);
    CHECK(vp_answer_key(&req, &b) == VP_OK);
    char *key = vp_buf_steal(&b);
    vp_search_params_destroy(p);
    return key;
}

static void same_key(const char *a, const char *b, int64_t now_a, int64_t now_b, int same)
{
    char *ka = key_of(a, now_a), *kb = key_of(b, now_b);
    if ((strcmp(ka, kb) == 0) != same)
        fprintf(stderr, "%s\n%s\nkeys:\n%s\n%s\n", a, b, ka, kb);
    CHECK((strcmp(ka, kb) == 0) == same);
    free(ka);
    free(kb);
}

static void test_keys(void)
{
    vp_datetime morning, evening, tomorrow;
    CHECK(vp_datetime_parse("2026-12-01T08:00:00+01:00", &morning) == 0);
    CHECK(vp_datetime_parse("2026-12-01T23:30:00+01:00", &evening) == 0);
    CHECK(vp_datetime_parse("2026-12-02T00:30:00+01:00", &tomorrow) == 0);
    int64_t t = morning.utc;
    /* The same search written differently. */
    same_key("q=klik&type=course&type=event&facets=type,library",
             "type=event&facets=library,type&q=klik&type=course&type=event&page=1&per_page=10", t, t,
             1);
    same_key("q=klik&sort=relevance&include_past=false&from=&facets=", "q=klik", t, t, 1);
    same_key("q=klik&include_past=1", "include_past=true&q=klik", t, t, 1);
    same_key("q=klik&facets=all", "q=klik&facets=type,library,proposition,audience,channel", t, t, 1);
    same_key("q=klik&postcode=3511", "q=klik&postcode=3511AB", t, t, 1);
    same_key("q=klik", "q=klik", t, evening.utc, 1);
    /* Different searches. */
    same_key("q=klik", "q=Klik", t, t, 0);
    same_key("q=klik", "q=klik&page=2", t, t, 0);
    same_key("q=klik", "q=klik&per_page=20", t, t, 0);
    same_key("q=klik&type=course", "q=klik&type=event", t, t, 0);
    same_key("q=klik&type=course", "q=klik&channel=online", t, t, 0);
    same_key("q=klik&type=course", "q=klik%26type%3Dcourse", t, t, 0);
    same_key("q=klik", "q=klik&include_past=true", t, t, 0);
    same_key("q=klik", "q=klik&facets=type", t, t, 0);
    same_key("q=klik", "q=klik&from=2026-12-05", t, t, 0);
    same_key("q=klik", "q=klik&sort=date", t, t, 0);
    same_key("q=klik&postcode=3511", "q=klik&postcode=3512", t, t, 0);
    same_key("q=klik&near=52.09,5.12", "q=klik&near=52.09,5.13", t, t, 0);
    same_key("q=klik&near=52.09,5.12", "q=klik&near=52.09,5.12&radius_km=5", t, t, 0);
    same_key("q=klik", "q=klik&prefer_library=bibliotheek-utrecht", t, t, 0);
    /* What is past depends on the day: another day, another key. */
    same_key("q=klik", "q=klik", evening.utc, tomorrow.utc, 0);

    /* The popular offerings and the ranking count. */
    vp_search_params *p = NULL;
    vp_error err = VP_ERROR_INIT;
    CHECK(vp_search_params_parse_query("q=klik", voc, postcodes, &p, &err) == VP_OK);
    if (!p)
        return;
    vp_search_request req = *vp_search_params_request(p);
    req.now = t;
    vp_scored pop[2] = {{"a:1", 3.0}, {"a:2", 1.5}};
    vp_buf k0, k1, k2, k3;
    vp_buf_init(&k0, 4096);
    vp_buf_init(&k1, 4096);
    vp_buf_init(&k2, 4096);
    vp_buf_init(&k3, 4096);
    CHECK(vp_answer_key(&req, &k0) == VP_OK);
    req.popular = pop;
    req.n_popular = 2;
    CHECK(vp_answer_key(&req, &k1) == VP_OK);
    pop[1].score = 1.25;
    CHECK(vp_answer_key(&req, &k2) == VP_OK);
    vp_ranking rk = vp_ranking_default;
    rk.upcoming = 0.75;
    req.ranking = &rk;
    CHECK(vp_answer_key(&req, &k3) == VP_OK);
    CHECK(strcmp(k0.data, k1.data) != 0);
    CHECK(strcmp(k1.data, k2.data) != 0);
    CHECK(strcmp(k2.data, k3.data) != 0);
    vp_buf_free(&k0);
    vp_buf_free(&k1);
    vp_buf_free(&k2);
    vp_buf_free(&k3);
    /* A key longer than the buffer's cap fails rather than being cut. */
    vp_buf small;
    vp_buf_init(&small, 8);
    CHECK(vp_answer_key(&req, &small) == VP_ERR_TOO_BIG);
    vp_buf_free(&small);
    vp_search_params_destroy(p);
}

/* The values of each filter, sorted and without repeats, in the request. */
static void test_canonical_values(void)
{
    vp_error err = VP_ERROR_INIT;
    vp_param params[4] = {{"type", "event", 0}, {"type", "course", 0}, {"type", "event", 0},
                          {"q", "x", 0}};
    vp_search_request req;
    vp_search_values storage;
    CHECK(vp_search_request_parse(params, 4, voc, postcodes, &req, &storage, &err) == VP_OK);
    vp_answer_canonical_values(&req, &storage);
    CHECK(req.n_values[VP_FIELD_TYPE] == 2);
    CHECK_STR(req.values[VP_FIELD_TYPE][0], "course");
    CHECK_STR(req.values[VP_FIELD_TYPE][1], "event");
}

static void put_offering(vp_index *w, const char *id, const char *title)
{
    char line[512];
    snprintf(line, sizeof line,
             "{\"id\":\"%s\",\"type\":\"book\",\"title\":\"%s\",\"source\":\"t\"}", id, title);
    vp_offering *o = NULL;
    CHECK(vp_offering_parse(line, strlen(line), voc, &o, NULL) == VP_OK);
    if (o)
        CHECK(vp_index_put(w, o, NULL) == VP_OK);
    vp_offering_destroy(o);
}

static int same_version(const vp_index_version *a, const vp_index_version *b)
{
    return a->identity == b->identity && a->revision == b->revision && a->exact == b->exact;
}

static void test_index_versions(void)
{
    char a[300], b[300], s0[300], s1[300], list[300];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(s0, sizeof s0, "%s/s0", dir);
    snprintf(s1, sizeof s1, "%s/s1", dir);
    snprintf(list, sizeof list, "%s/shards", dir);
    vp_index *wa = NULL, *wb = NULL, *w0 = NULL, *w1 = NULL;
    CHECK(vp_index_open(a, VP_INDEX_WRITE, voc, &wa, NULL) == VP_OK);
    CHECK(vp_index_open(b, VP_INDEX_WRITE, voc, &wb, NULL) == VP_OK);
    CHECK(vp_index_open(s0, VP_INDEX_WRITE, voc, &w0, NULL) == VP_OK);
    CHECK(vp_index_open(s1, VP_INDEX_WRITE, voc, &w1, NULL) == VP_OK);
    if (!wa || !wb || !w0 || !w1)
        return;
    put_offering(wa, "t:1", "Een");
    put_offering(wb, "t:1", "Een");
    put_offering(w0, "t:1", "Een");
    put_offering(w1, "t:2", "Twee");
    CHECK(vp_index_commit(wa, NULL) == VP_OK);
    CHECK(vp_index_commit(wb, NULL) == VP_OK);
    CHECK(vp_index_commit(w0, NULL) == VP_OK);
    CHECK(vp_index_commit(w1, NULL) == VP_OK);
    FILE *f = fopen(list, "w");
    CHECK(f != NULL);
    if (f) {
        fprintf(f, "auto s0\nauto s1\n");
        fclose(f);
    }
    vp_index *ra = NULL, *rb = NULL, *rs = NULL;
    CHECK(vp_index_open(a, VP_INDEX_READ, voc, &ra, NULL) == VP_OK);
    CHECK(vp_index_open(b, VP_INDEX_READ, voc, &rb, NULL) == VP_OK);
    CHECK(vp_index_open(list, VP_INDEX_READ, voc, &rs, NULL) == VP_OK);
    if (!ra || !rb || !rs)
        return;
    vp_index_version va, va2, vb, vs, vs2;
    CHECK(vp_index_version_get(ra, &va, NULL) == VP_OK);
    CHECK(vp_index_version_get(rb, &vb, NULL) == VP_OK);
    CHECK(vp_index_version_get(rs, &vs, NULL) == VP_OK);
    /* Two indexes with the same documents and commits are not one. */
    CHECK(va.revision == vb.revision);
    CHECK(va.identity != vb.identity);
    CHECK(va.exact != vb.exact);
    /* Reading again without a commit: the same version. */
    CHECK(vp_index_refresh(ra, NULL) == VP_OK);
    CHECK(vp_index_version_get(ra, &va2, NULL) == VP_OK);
    CHECK(same_version(&va, &va2));
    /* A commit: the same index, a higher revision. */
    put_offering(wa, "t:3", "Drie");
    CHECK(vp_index_commit(wa, NULL) == VP_OK);
    CHECK(vp_index_version_get(ra, &va2, NULL) == VP_OK);
    CHECK(same_version(&va, &va2)); /* not seen before a refresh */
    CHECK(vp_index_refresh(ra, NULL) == VP_OK);
    CHECK(vp_index_version_get(ra, &va2, NULL) == VP_OK);
    CHECK(va2.identity == va.identity);
    CHECK(va2.revision > va.revision);
    CHECK(va2.exact != va.exact);
    /* A commit to one of two shards. */
    put_offering(w1, "t:4", "Vier");
    CHECK(vp_index_commit(w1, NULL) == VP_OK);
    CHECK(vp_index_refresh(rs, NULL) == VP_OK);
    CHECK(vp_index_version_get(rs, &vs2, NULL) == VP_OK);
    CHECK(vs2.identity == vs.identity);
    CHECK(vs2.revision > vs.revision);
    CHECK(vs2.exact != vs.exact);
    vp_index_close(ra);
    vp_index_close(rb);
    vp_index_close(rs);
    vp_index_close(wa);
    vp_index_close(wb);
    vp_index_close(w0);
    vp_index_close(w1);
}

/* Bytes this process has read through read() and the like so far. */
static long long bytes_read(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    char line[128];
    long long n = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "rchar: ", 7) == 0)
            n = atoll(line + 7);
    if (f)
        fclose(f);
    return n;
}

static void test_refresh_cost(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/quick", dir);
    vp_index *w = NULL, *r = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return;
    put_offering(w, "q:0", "Nul");
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &r, NULL) == VP_OK);
    if (!r) {
        vp_index_close(w);
        return;
    }
    /* A server checks for a commit on every request: unchanged, that
     * reads no byte (Xapian's reopen reads the version file each time). */
    CHECK(vp_index_refresh(r, NULL) == VP_OK);
    long long before = bytes_read();
    for (int i = 0; i < 200; i++)
        CHECK(vp_index_refresh(r, NULL) == VP_OK);
    long long after = bytes_read();
    CHECK(before >= 0 && after >= 0);
    CHECK(after - before < 200);
    /* Commits one right after the other (the same file size, maybe the
     * same clock tick): each is seen by the next refresh. */
    vp_index_version prev, now;
    CHECK(vp_index_version_get(r, &prev, NULL) == VP_OK);
    for (int i = 1; i <= 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "q:%d", i);
        put_offering(w, id, "Snel");
        CHECK(vp_index_commit(w, NULL) == VP_OK);
        CHECK(vp_index_refresh(r, NULL) == VP_OK);
        CHECK(vp_index_version_get(r, &now, NULL) == VP_OK);
        CHECK(now.revision == prev.revision + 1);
        CHECK(now.exact != prev.exact);
        prev = now;
    }
    vp_index_close(r);
    vp_index_close(w);
}

typedef struct stress {
    vp_answer_cache *c;
    int id;
    int hits;
} stress;

static void *stress_run(void *arg)
{
    stress *s = arg;
    char key[32], value[600];
    memset(value, 'a' + s->id, sizeof value - 1);
    value[sizeof value - 1] = '\0';
    for (int i = 0; i < 20000; i++) {
        /* Both threads share keys; now and then a new version. */
        vp_index_version v = {1, (uint64_t)(i / 5000), (uint64_t)(i / 5000)};
        /* A hot set asked all the time, and a stream of others. */
        if (i % 3)
            snprintf(key, sizeof key, "hot%d", i % 31);
        else
            snprintf(key, sizeof key, "cold%d", i % 997);
        char *got = NULL;
        size_t len = 0;
        if (vp_answer_cache_get(s->c, &v, key, strlen(key), 0, &got, &len)) {
            s->hits++;
            if (len != sizeof value - 1 || (got[0] != 'a' && got[0] != 'b'))
                s->hits = -1000000;
            free(got);
        } else {
            vp_answer_cache_put(s->c, &v, key, strlen(key), value, sizeof value - 1,
                                VP_ANSWER_NEVER_STALE);
        }
    }
    return NULL;
}

static void test_threads(void)
{
    vp_answer_cache *c = vp_answer_cache_create(64 * 1024);
    if (!c)
        return;
    stress s[2] = {{c, 0, 0}, {c, 1, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, stress_run, &s[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK(s[0].hits > 0 && s[1].hits > 0);
    vp_answer_cache_stats st;
    vp_answer_cache_stats_get(c, &st);
    CHECK(st.bytes <= 64 * 1024);
    CHECK(st.hits + st.misses == 40000);
    CHECK(st.evictions > 0);
    vp_answer_cache_destroy(c);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_answer_cache VOCABULARY POSTCODES\n");
        return 2;
    }
    vp_error err = VP_ERROR_INIT;
    if (vp_vocabulary_load(argv[1], &voc, &err) != VP_OK ||
        vp_postcodes_load(argv[2], &postcodes, &err) != VP_OK) {
        vp_error_print(stderr, "test_answer_cache", &err);
        vp_error_clear(&err);
        return 2;
    }
    if (!mkdtemp(dir))
        return 2;
    test_budget_and_eviction();
    test_versions();
    test_keys();
    test_canonical_values();
    test_index_versions();
    test_refresh_cost();
    test_threads();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    vp_postcodes_destroy(postcodes);
    vp_vocabulary_destroy(voc);
    return check_done();
}
